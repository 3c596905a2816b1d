//! Device drivers.

pub mod char;
pub mod rtc;
pub mod tty;
