//! Memory management (Linux: mm/).
//!
//! The boot order: memblock learns the RAM from the firmware map and hands
//! out the first allocations; the buddy allocator then takes all free pages
//! in zones; the slab allocator (kmalloc) carves objects from its pages;
//! vmalloc maps single pages into one virtually contiguous range.

pub mod address_space;
pub mod fault;
pub mod madvise;
pub mod memblock;
pub mod meminfo;
pub mod mm_struct;
pub mod mmap;
pub mod mremap;
pub mod oom_kill;
pub mod page_alloc;
pub mod shmem;
pub mod slab;
pub mod stack;
pub mod uaccess;
pub mod vma;
pub mod vmalloc;

/// Start the allocators, once the kernel's page tables are in place
/// (Linux: mm_core_init).
pub fn mm_init(slub_debug: bool) {
    page_alloc::init();
    slab::init(slub_debug);
    vmalloc::init();
}
