//! noyau: a monolithic Unix-like kernel for x86_64.
//!
//! The crate mirrors the top of Linux's source tree: `arch/` holds what is
//! specific to x86_64, `init/` the boot order (start_kernel), `kernel/` the
//! core (printk, panic, time), `mm/` memory, `drivers/` devices.

#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod drivers;
mod fs;
mod init;
mod kernel;
#[path = "lib/mod.rs"]
mod klib;
mod mm;
