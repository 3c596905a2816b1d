//! The counters behind /proc/meminfo: what Linux reads from its vmstat counters
//! (global_zone_page_state, global_node_page_state), sysinfo and the vmalloc and swap
//! code, gathered by the kernel into one plain struct.

/// log2 of the page size: counters in pages become kB by a shift of `PAGE_SHIFT - 10`.
pub const PAGE_SHIFT: u32 = 12;

/// Linux's default vm.overcommit_ratio, in percent of RAM, for CommitLimit.
pub const OVERCOMMIT_RATIO_DEFAULT: u64 = 50;

/// The inputs of /proc/meminfo. Counts are in 4 KiB pages unless the name says bytes or kB,
/// as the Linux counter each field mirrors. Fields the kernel does not track stay at their
/// `Default` of 0 (see the crate documentation for which, and why).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemStats {
    /// Pages the page allocator manages (Linux's totalram_pages(): the zones' managed
    /// pages, the kernel image and boot allocations excluded). MemTotal.
    pub total_pages: u64,
    /// Free pages in all zones (NR_FREE_PAGES). MemFree.
    pub free_pages: u64,
    /// Pages userspace can never get: for each zone, its high watermark plus its largest
    /// lowmem_reserve, capped at the zone's managed pages, summed (Linux's
    /// totalreserve_pages, from calculate_totalreserve_pages()).
    pub totalreserve_pages: u64,
    /// Sum over all zones of the low watermark (low_wmark_pages()).
    pub low_wmark_pages: u64,
    /// Page cache of block devices (nr_blockdev_pages()). Buffers.
    pub buffer_pages: u64,
    /// All page cache pages, buffers and swap cache included (NR_FILE_PAGES).
    pub file_pages: u64,
    /// Pages in the swap cache (total_swapcache_pages()). SwapCached.
    pub swapcache_pages: u64,
    /// LRU list sizes (NR_ACTIVE_ANON .. NR_UNEVICTABLE).
    pub active_anon_pages: u64,
    /// See `active_anon_pages`.
    pub inactive_anon_pages: u64,
    /// Page cache on the active list: with the inactive one, what MemAvailable may reclaim.
    pub active_file_pages: u64,
    /// See `active_file_pages`.
    pub inactive_file_pages: u64,
    /// See `active_anon_pages`.
    pub unevictable_pages: u64,
    /// Pages locked with mlock (NR_MLOCK).
    pub mlocked_pages: u64,
    /// Swap space, total and free (si_swapinfo()).
    pub swap_total_pages: u64,
    /// See `swap_total_pages`.
    pub swap_free_pages: u64,
    /// Page cache waiting for writeback (NR_FILE_DIRTY), and under it (NR_WRITEBACK).
    pub dirty_pages: u64,
    /// See `dirty_pages`.
    pub writeback_pages: u64,
    /// Anonymous pages mapped in user space (NR_ANON_MAPPED). AnonPages.
    pub anon_pages: u64,
    /// Page cache mapped in user space (NR_FILE_MAPPED). Mapped.
    pub mapped_pages: u64,
    /// tmpfs and shared anonymous memory (NR_SHMEM). Shmem.
    pub shmem_pages: u64,
    /// Slab memory of caches made with SLAB_RECLAIM_ACCOUNT (NR_SLAB_RECLAIMABLE_B). Linux
    /// counts slab in bytes and shows whole pages: the remainder is dropped.
    pub slab_reclaimable_bytes: u64,
    /// All other slab memory (NR_SLAB_UNRECLAIMABLE_B).
    pub slab_unreclaimable_bytes: u64,
    /// Other kernel memory a shrinker can free (NR_KERNEL_MISC_RECLAIMABLE).
    pub kernel_misc_reclaimable_pages: u64,
    /// Kernel stacks, in kB as Linux counts them (NR_KERNEL_STACK_KB). KernelStack.
    pub kernel_stack_kb: u64,
    /// Page-table pages (NR_PAGETABLE), and those of secondary MMUs such as KVM's
    /// (NR_SECONDARY_PAGETABLE).
    pub page_table_pages: u64,
    /// See `page_table_pages`.
    pub sec_page_table_pages: u64,
    /// Bounce buffers for devices that cannot reach all memory (NR_BOUNCE).
    pub bounce_pages: u64,
    /// Temporary writeback buffers of FUSE (NR_WRITEBACK_TEMP).
    pub writeback_tmp_pages: u64,
    /// vm.overcommit_ratio in percent: CommitLimit is this share of RAM plus all swap.
    pub overcommit_ratio: u64,
    /// Memory committed to user mappings (vm_committed_as). Committed_AS.
    pub committed_as_pages: u64,
    /// Size of the vmalloc address range in bytes (VMALLOC_END - VMALLOC_START).
    pub vmalloc_total_bytes: u64,
    /// Bytes of pages mapped in vmalloc areas, guard pages excluded. VmallocUsed.
    pub vmalloc_used_bytes: u64,
    /// Pages of the per-CPU allocator (pcpu_nr_pages()). Percpu.
    pub percpu_pages: u64,
}

impl Default for MemStats {
    /// Everything 0 but the overcommit ratio, which has Linux's default.
    fn default() -> Self {
        MemStats {
            total_pages: 0,
            free_pages: 0,
            totalreserve_pages: 0,
            low_wmark_pages: 0,
            buffer_pages: 0,
            file_pages: 0,
            swapcache_pages: 0,
            active_anon_pages: 0,
            inactive_anon_pages: 0,
            active_file_pages: 0,
            inactive_file_pages: 0,
            unevictable_pages: 0,
            mlocked_pages: 0,
            swap_total_pages: 0,
            swap_free_pages: 0,
            dirty_pages: 0,
            writeback_pages: 0,
            anon_pages: 0,
            mapped_pages: 0,
            shmem_pages: 0,
            slab_reclaimable_bytes: 0,
            slab_unreclaimable_bytes: 0,
            kernel_misc_reclaimable_pages: 0,
            kernel_stack_kb: 0,
            page_table_pages: 0,
            sec_page_table_pages: 0,
            bounce_pages: 0,
            writeback_tmp_pages: 0,
            overcommit_ratio: OVERCOMMIT_RATIO_DEFAULT,
            committed_as_pages: 0,
            vmalloc_total_bytes: 0,
            vmalloc_used_bytes: 0,
            percpu_pages: 0,
        }
    }
}
