//! Real-time clocks.

pub mod cmos;
