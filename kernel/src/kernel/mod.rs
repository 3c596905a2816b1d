//! The core kernel: locking, printk, time, panic, symbols.

pub mod cred;
pub mod exec;
pub mod exit;
pub mod fork;
pub mod futex;
pub mod itimer;
pub mod kallsyms;
pub mod kthread;
pub mod panic;
pub mod pgrp;
pub mod printk;
pub mod reboot;
pub mod resource;
pub mod sched;
pub mod selftest;
pub mod signal;
pub mod sync;
pub mod sys;
pub mod sys_info;
pub mod syslog;
pub mod sysnames;
pub mod task;
pub mod time;
pub mod time_syscalls;
pub mod wait;
