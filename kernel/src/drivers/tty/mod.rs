//! Terminals: the serial port and its tty.

pub mod serial;
pub mod tty_io;
