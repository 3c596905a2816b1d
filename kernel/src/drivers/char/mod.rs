//! Character devices.

pub mod random;
