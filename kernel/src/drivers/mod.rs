//! Device drivers.

pub mod block;
pub mod char;
pub mod rtc;
pub mod tty;
