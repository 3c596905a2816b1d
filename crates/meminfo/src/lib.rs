//! The figures of Linux's /proc/meminfo (fs/proc/meminfo.c) and their exact text, MemAvailable
//! computed as Linux's si_mem_available (mm/show_mem.c). The kernel gathers the counters into
//! a [`MemStats`]; [`meminfo`] turns them into the kB figures of a [`Meminfo`], whose `Display`
//! is the file, byte for byte as Linux prints it. `no_std`, no `alloc`: it can run anywhere.
//!
//! # Lines
//!
//! The lines are those a Linux kernel prints for x86_64 up to `Percpu:`, in Linux's order,
//! with the options noyau does not have turned off (HIGHMEM, ZSWAP, SHADOW_CALL_STACK,
//! MEMORY_FAILURE, TRANSPARENT_HUGEPAGE, CMA, HUGETLB_PAGE, UNACCEPTED_MEMORY): the lines those
//! options add, and x86's `DirectMap` lines, are not printed.
//!
//! # What is 0 in noyau, and why
//!
//! A counter the kernel does not track is left 0 in [`MemStats`] (its `Default`), and its
//! line reads 0 kB, as on a Linux machine where nothing of that kind exists:
//!
//! - Buffers, Active(file), Inactive(file), Dirty, Writeback, Mapped: noyau has no page
//!   cache yet (its files do not live in reclaimable pages on LRU lists); the kernel counts
//!   the pages of its memory filesystems and shared anonymous memory as Linux counts shmem,
//!   in Cached and Shmem;
//! - Active(anon), Inactive(anon), Unevictable, Mlocked: no LRU lists, no mlock;
//! - SwapCached, SwapTotal, SwapFree: no swap device;
//! - SReclaimable, KReclaimable: no slab cache is marked reclaimable (no shrinkers);
//! - SecPageTables (KVM's page tables), Bounce, WritebackTmp (FUSE): no such things in noyau;
//! - Percpu: per-CPU data is static, not carved from a per-CPU allocator;
//! - Committed_AS until the mm counts the memory committed to private writable mappings.
//!
//! Two lines are 0 on Linux too, whatever the input: NFS_Unstable (since Linux 5.8, such
//! pages count as Writeback) and VmallocChunk (since Linux 4.4: finding the largest free
//! vmalloc range meant walking every area on each read of the file).
//!
//! MemAvailable is then MemFree less the reserve, as Linux computes it with no page cache.
//!
//! # Example
//!
//! ```
//! use meminfo::{meminfo, MemStats};
//!
//! let stats = MemStats { total_pages: 4096, free_pages: 3000, ..MemStats::default() };
//! let text = meminfo(&stats).to_string();
//! assert!(text.starts_with("MemTotal:          16384 kB\nMemFree:           12000 kB\n"));
//! ```

#![no_std]
#![forbid(unsafe_code)]

mod available;
mod report;
mod stats;

#[cfg(test)]
mod linux_sample;
#[cfg(test)]
mod proptests;

pub use available::si_mem_available;
pub use report::{meminfo, Meminfo};
pub use stats::{MemStats, OVERCOMMIT_RATIO_DEFAULT, PAGE_SHIFT};
