//! The core kernel: locking, printk, time, panic, symbols.

pub mod kallsyms;
pub mod panic;
pub mod printk;
pub mod selftest;
pub mod sync;
pub mod time;
