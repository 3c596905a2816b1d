//! Character devices.

pub mod kmsg;
pub mod mem;
pub mod random;
