//! GFP flags ("get free pages"): what a caller of the page or slab
//! allocator allows it to do (Linux: include/linux/gfp_types.h).
//!
//! The zone modifiers choose the highest zone an allocation may come from;
//! the others say whether the allocator may sleep to reclaim memory, may
//! dip into the emergency reserves, or must zero what it returns.

#![no_std]

bitflags::bitflags! {
    /// Flags for alloc_pages() and kmalloc(). Combine the `__GFP_*` bits,
    /// or use the usual sets: GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Gfp: u32 {
        /// Only from ZONE_DMA (below 16 MiB).
        const DMA = 1 << 0;
        /// Only from ZONE_DMA32 or below (below 4 GiB).
        const DMA32 = 1 << 2;
        /// May use the reserves below the min watermark (__GFP_HIGH).
        const HIGH = 1 << 5;
        /// May start I/O to free memory (__GFP_IO).
        const IO = 1 << 6;
        /// May call into filesystems to free memory (__GFP_FS).
        const FS = 1 << 7;
        /// Zero the memory before returning it (__GFP_ZERO).
        const ZERO = 1 << 8;
        /// May sleep and reclaim memory itself (__GFP_DIRECT_RECLAIM).
        const DIRECT_RECLAIM = 1 << 10;
        /// May wake the background reclaimer, kswapd (__GFP_KSWAPD_RECLAIM).
        const KSWAPD_RECLAIM = 1 << 11;
        /// Do not print a warning when the allocation fails (__GFP_NOWARN).
        const NOWARN = 1 << 13;
        /// Memory for user space (__GFP_HARDWALL, which GFP_USER sets; on Linux
        /// it keeps a task to its cpuset's nodes). Such an allocation stays above
        /// the low watermark, and when it fails the OOM killer takes pages back
        /// from a process: the reserve between low and min is left to the
        /// kernel's own allocations, which must go on (a VMA split, a page table).
        const HARDWALL = 1 << 20;
        /// Kernel memory charged to the process it serves (__GFP_ACCOUNT; on
        /// Linux, to its memory cgroup): a kernel stack, a page table of a user
        /// address space, a program's image read by execve. Like user pages, it
        /// stays above the low watermark, so that a process's growth (a fork
        /// bomb, a crowd of programs) fails with ENOMEM before the kernel's own
        /// allocations find nothing.
        const ACCOUNT = 1 << 22;
    }
}

impl Gfp {
    /// Either reclaim bit (Linux: __GFP_RECLAIM).
    pub const RECLAIM: Gfp = Gfp::DIRECT_RECLAIM.union(Gfp::KSWAPD_RECLAIM);
    /// The usual kernel allocation: may sleep and reclaim.
    pub const KERNEL: Gfp = Gfp::RECLAIM.union(Gfp::IO).union(Gfp::FS);
    /// A page that user space will use (GFP_USER): as GFP_KERNEL, within the
    /// low watermark.
    pub const USER: Gfp = Gfp::KERNEL.union(Gfp::HARDWALL);
    /// Kernel memory on a process's account (GFP_KERNEL_ACCOUNT): as
    /// GFP_KERNEL, within the low watermark.
    pub const KERNEL_ACCOUNT: Gfp = Gfp::KERNEL.union(Gfp::ACCOUNT);
    /// From interrupt context: never sleeps, may use part of the reserves.
    pub const ATOMIC: Gfp = Gfp::HIGH.union(Gfp::KSWAPD_RECLAIM);
    /// Never sleeps, and fails rather than touch the reserves.
    pub const NOWAIT: Gfp = Gfp::KSWAPD_RECLAIM;
    /// GFP_KERNEL memory that must be addressable below 16 MiB.
    pub const DMA_KERNEL: Gfp = Gfp::KERNEL.union(Gfp::DMA);

    /// Does this allocation stop at the low watermark, leaving the reserve
    /// below it to the kernel's own allocations (GFP_USER, GFP_KERNEL_ACCOUNT)?
    pub fn stays_above_low(self) -> bool {
        self.intersects(Gfp::HARDWALL.union(Gfp::ACCOUNT))
    }

    /// May this allocation sleep (and so reclaim memory)?
    pub fn can_sleep(self) -> bool {
        self.contains(Gfp::DIRECT_RECLAIM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_sets_mean_what_linux_means() {
        assert!(Gfp::KERNEL.can_sleep());
        assert!(!Gfp::ATOMIC.can_sleep());
        assert!(!Gfp::NOWAIT.can_sleep());
        assert!(Gfp::ATOMIC.contains(Gfp::HIGH));
        assert!(!Gfp::NOWAIT.contains(Gfp::HIGH));
        assert!(!Gfp::KERNEL.intersects(Gfp::DMA | Gfp::DMA32));
    }
}
