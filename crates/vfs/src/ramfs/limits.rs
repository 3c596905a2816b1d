//! What one tmpfs instance may hold and holds (Linux's shmem_sb_info max_blocks,
//! used_blocks, max_inodes), and the size of memory its defaults come from. A
//! limit of 0 is none, as `size=0` on Linux; ramfs instances have no limits.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

/// Pages of memory (totalram_pages), as the kernel tells at boot; 0 on the host.
static TOTAL_PAGES: AtomicU64 = AtomicU64::new(0);

pub(crate) fn set_total_pages(pages: u64) {
    TOTAL_PAGES.store(pages, Ordering::Relaxed);
}

/// The size of memory in pages, which `size=N%` is a share of.
pub fn total_pages() -> u64 {
    TOTAL_PAGES.load(Ordering::Relaxed)
}

/// A tmpfs's default size in pages, half of memory (shmem_default_max_blocks).
pub fn default_max_blocks() -> u64 {
    total_pages() / 2
}

/// A tmpfs's default inode count (shmem_default_max_inodes): half of the pages of
/// memory, all of it low memory on x86_64.
pub fn default_max_inodes() -> u64 {
    total_pages() / 2
}

/// A count of pages or inodes and its limit.
#[derive(Default)]
pub(crate) struct Counter {
    used: AtomicU64,
    max: AtomicU64,
}

impl Counter {
    pub(crate) fn new(max: u64) -> Arc<Counter> {
        Arc::new(Counter {
            used: AtomicU64::new(0),
            max: AtomicU64::new(max),
        })
    }

    pub(crate) fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    pub(crate) fn max(&self) -> u64 {
        self.max.load(Ordering::Relaxed)
    }

    /// What is left under the limit, 0 without one (shmem_statfs).
    pub(crate) fn free(&self) -> u64 {
        self.max().saturating_sub(self.used())
    }

    /// Counts one more unless that passes the limit.
    pub(crate) fn try_charge(&self) -> bool {
        let max = self.max();
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                (max == 0 || used < max).then_some(used + 1)
            })
            .is_ok()
    }

    pub(crate) fn uncharge(&self, n: u64) {
        self.used.fetch_sub(n, Ordering::Relaxed);
    }

    pub(crate) fn set_max(&self, max: u64) {
        self.max.store(max, Ordering::Relaxed);
    }
}

/// The place one inode takes in its instance's count, given back when it goes.
pub(crate) struct InodeCharge(Arc<Counter>);

impl InodeCharge {
    /// One inode more of `inodes`; None past its limit (ENOSPC).
    pub(crate) fn new(inodes: &Arc<Counter>) -> Option<InodeCharge> {
        inodes.try_charge().then(|| InodeCharge(inodes.clone()))
    }
}

impl Drop for InodeCharge {
    fn drop(&mut self) {
        self.0.uncharge(1);
    }
}
