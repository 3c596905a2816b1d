//! The slab allocator and kmalloc of noyau, shaped like Linux's SLUB (mm/slub.c,
//! mm/slab_common.c): object caches (`kmem_cache`) carve slabs out of page-allocator blocks,
//! kmalloc is a family of size caches on top of them, and the kernel's `#[global_allocator]`.
//! Debug mode poisons and red-zones objects; /proc/slabinfo and /proc/meminfo numbers come
//! from a registry of caches that needs no heap.
//!
//! # How the kernel uses it
//!
//! The page allocator implements [`PageSource`]: naturally aligned blocks of 2^order pages
//! and one owner word per page frame. The kernel's per-CPU services implement
//! [`CpuLocal`]: the CPU number, interrupts off and on, and a call on every CPU. Everything
//! else is a plain value the kernel places in a `static`, generic over both and over a
//! `lock_api::RawMutex` that disables interrupts while held (so that caches are safe from
//! interrupt handlers and from several CPUs):
//!
//! ```text
//! static KMALLOC: Kmalloc<'static, BuddyPages, IrqSpinlock, KernelCpu> = Kmalloc::new(&PAGES);
//! #[global_allocator]
//! static GLOBAL: KmallocGlobal<'static, BuddyPages, IrqSpinlock, KernelCpu> =
//!     KmallocGlobal::new(&KMALLOC, Gfp::KERNEL);
//! static SLAB_CACHES: SlabRegistry<'static, IrqSpinlock> = SlabRegistry::new();
//! static TASK_CACHE: KmemCache<'static, BuddyPages, IrqSpinlock, KernelCpu> = ...; // create
//! ```
//!
//! At boot it registers `KMALLOC`'s caches and its own in `SLAB_CACHES`, sets a reporter
//! that prints corruptions, and reads /proc/slabinfo from `SLAB_CACHES.slabinfo()`.
//!
//! # The fast path
//!
//! Each cache keeps, for each of the first [`MAX_CPUS`] CPUs, a stock of up to 30 free
//! objects (SLAB's array_cache, SLUB's sheaves). kmalloc and kfree use the running CPU's
//! stock with interrupts off and no lock or atomic instruction; only an empty or full
//! stock takes the cache lock, to move half a stock at once. Objects in stocks count as
//! active in /proc/slabinfo, as Linux counts them; shrink and destroy empty every stock
//! first. Debug caches keep no stock.
//!
//! # Where this differs from Linux
//!
//! - A slab's header sits at the start of its block (Linux keeps it in struct page), so a
//!   slab holds one object fewer than Linux's when objects are aligned to their size.
//! - One lock and one current slab per cache behind the per-CPU stocks; no NUMA nodes.
//! - Debug mode is chosen per cache while it holds no slab (Linux: at boot).

#![no_std]

#[cfg(test)]
extern crate std;

mod cache;
mod cpu;
mod debug;
mod global;
mod kmalloc;
mod layout;
mod page;
mod registry;
mod slab;
#[cfg(test)]
mod testing;

pub use cache::{KmemCache, SlabError, SlabFlags};
pub use cpu::{CpuLocal, MAX_CPUS};
pub use debug::{
    Corruption, CorruptionKind, Reporter, POISON_END, POISON_FREE, SLUB_RED_ACTIVE,
    SLUB_RED_INACTIVE,
};
pub use global::KmallocGlobal;
pub use kmalloc::{
    Kmalloc, KMALLOC_CACHES, KMALLOC_MAX_CACHE_SIZE, KMALLOC_MAX_SIZE, KMALLOC_SIZES, ZERO_SIZE_PTR,
};
pub use layout::SlabLayout;
pub use page::{get_order, PageSource, MAX_PAGE_ORDER, PAGE_SHIFT, PAGE_SIZE};
pub use registry::{CacheStats, SlabCache, SlabMeminfo, SlabRegistry, Slabinfo, SLABINFO_HEADER};
