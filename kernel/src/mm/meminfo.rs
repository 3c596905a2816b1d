//! /proc/meminfo's numbers, gathered from the allocators
//! (Linux: fs/proc/meminfo.c). The arithmetic and the text format live in
//! crates/meminfo; this file only collects the counters.

use meminfo::{meminfo, MemStats, Meminfo};

use crate::mm::{page_alloc, slab, vmalloc};

/// The files of tmpfs and ramfs, and shared anonymous memory: they live in
/// memory the way Linux's shmem pages do, page cache that only swap could
/// take away (Cached and Shmem, and sysinfo's sharedram; not MemAvailable).
pub fn shmem_pages() -> u64 {
    vfs::ramfs::pages_used() + crate::mm::shmem::pages()
}

pub fn snapshot() -> Meminfo {
    let (free_pages, total_pages, totalreserve_pages) = page_alloc::counters();
    let mut low_wmark_pages = 0;
    page_alloc::for_each_zone(|z| low_wmark_pages += z.low);
    let slab_info = slab::SLAB_CACHES.meminfo();
    let (vmalloc_used, vmalloc_total) = vmalloc::stats();
    let shmem_pages = shmem_pages();
    let stats = MemStats {
        file_pages: shmem_pages,
        shmem_pages,
        total_pages,
        free_pages,
        totalreserve_pages,
        low_wmark_pages,
        slab_reclaimable_bytes: slab_info.reclaimable_bytes,
        slab_unreclaimable_bytes: slab_info.unreclaimable_bytes
            + slab::KMALLOC.large_bytes() as u64,
        vmalloc_total_bytes: vmalloc_total,
        vmalloc_used_bytes: vmalloc_used,
        ..MemStats::default()
    };
    meminfo(&stats)
}
