//! The terminal's line discipline, without hardware (Linux:
//! drivers/tty/n_tty.c and the termios of include/uapi/asm-generic/
//! termbits.h): the kernel feeds it the bytes a terminal sends and the
//! bytes programs write, and it answers what readers get, what the
//! terminal shows, and which signal a typed character asks for.

#![no_std]

extern crate alloc;

mod ldisc;
mod termios;

pub use ldisc::{Ldisc, Signal, LINE_MAX};
pub use termios::{Termios, TERMIOS_SIZE};

#[cfg(test)]
mod tests;
