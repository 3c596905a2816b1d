//! Terminals: for now the serial console.

pub mod serial;
