//! The text formats of Linux's procfs (fs/proc/*.c, fs/proc_namespace.c), byte for byte:
//! what busybox's ps, top, free, mount and df parse. Each function takes plain numbers
//! and names and knows nothing of the kernel that fills them in.

#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod mounts;
pub mod pid;
pub mod system;

#[cfg(test)]
#[path = "tests/prop.rs"]
mod prop;

pub use mounts::{filesystems, mangle, mount_line, mount_options, mountinfo_line, MountInfo};
pub use pid::{maps_line, stat_line, status, MapsLine, PidStat, PidStatus};
pub use system::{
    cpuinfo, loadavg, stat, uptime, CpuInfo, CpuTimes, LoadAvg, SystemStat, FIXED_1, LOAD_FREQ_SECS,
};

/// Linux's USER_HZ: the clock ticks /proc counts times in.
pub const USER_HZ: u64 = 100;

/// Nanoseconds as clock ticks of [`USER_HZ`] (Linux's nsec_to_clock_t).
pub const fn ns_to_clock_t(ns: u64) -> u64 {
    ns / (1_000_000_000 / USER_HZ)
}
