//! Block devices.

pub mod brd;
