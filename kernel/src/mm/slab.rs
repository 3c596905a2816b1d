//! The slab allocator's place in the kernel: kmalloc and the
//! #[global_allocator] (Linux: mm/slub.c, mm/slab_common.c).
//!
//! crates/slab holds the caches; this file gives them pages from the buddy
//! allocator, keeps their owner word in the page descriptors (Linux keeps
//! page->slab_cache), registers every cache for /proc/slabinfo, reports
//! corruption found in debug mode (`slub_debug` on the command line) with
//! printk, and makes kmalloc the allocator of Box, Vec and BTreeMap.

use core::ptr::NonNull;

use gfp::Gfp;
use slub::{Corruption, Kmalloc, KmallocGlobal, PageSource, SlabRegistry};

use crate::arch::mm::{phys_to_virt, virt_to_phys_direct, PAGE_SIZE};
use crate::arch::percpu::KernelCpu;
use crate::kernel::sync::IrqRawSpinlock;
use crate::mm::page_alloc;
use crate::{pr_err, pr_info, pr_warn};

/// Pages for the slab layer, straight from the buddy allocator.
pub struct BuddyPages;

impl PageSource for BuddyPages {
    fn alloc_pages(&self, order: u32, gfp: Gfp) -> Option<NonNull<u8>> {
        let pfn = page_alloc::alloc_pages(gfp, order)?;
        NonNull::new(phys_to_virt(pfn * PAGE_SIZE) as *mut u8)
    }

    fn free_pages(&self, addr: NonNull<u8>, order: u32) {
        match virt_to_phys_direct(addr.as_ptr() as u64) {
            Some(phys) => page_alloc::free_pages(phys / PAGE_SIZE, order),
            None => pr_err!("slub: freeing {:p}, which is not in the direct map", addr),
        }
    }

    fn set_page_owner(&self, page_addr: usize, owner: usize) {
        if let Some(phys) = virt_to_phys_direct(page_addr as u64) {
            page_alloc::set_page_private(phys / PAGE_SIZE, owner);
        }
    }

    fn page_owner(&self, page_addr: usize) -> usize {
        virt_to_phys_direct(page_addr as u64).map_or(0, |p| page_alloc::page_private(p / PAGE_SIZE))
    }
}

/// The page source of every slab cache.
pub static PAGES: BuddyPages = BuddyPages;

/// A slab cache of the kernel (Linux: struct kmem_cache). Caches are
/// statics: `kmem_cache_create!` builds one, `SLAB_CACHES.register` makes
/// it visible in /proc/slabinfo, `SLAB_CACHES.destroy` removes it (and is
/// refused while objects are in use).
pub type KmemCache = slub::KmemCache<'static, BuddyPages, IrqRawSpinlock, KernelCpu>;

/// `kmem_cache_create!(name, size, align, ctor)`: a const cache for a
/// static (Linux: kmem_cache_create). Bad geometry fails the build.
#[macro_export]
macro_rules! kmem_cache_create {
    ($name:expr, $size:expr, $align:expr, $ctor:expr) => {
        match $crate::mm::slab::KmemCache::create(
            &$crate::mm::slab::PAGES,
            $name,
            $size,
            $align,
            slub::SlabFlags::empty(),
            $ctor,
        ) {
            Ok(cache) => cache,
            Err(_) => panic!("kmem_cache_create: bad size or alignment"),
        }
    };
}

/// The kmalloc-* and dma-kmalloc-* caches.
pub static KMALLOC: Kmalloc<'static, BuddyPages, IrqRawSpinlock, KernelCpu> = Kmalloc::new(&PAGES);

/// Every cache, for /proc/slabinfo and /proc/meminfo.
pub static SLAB_CACHES: SlabRegistry<'static, IrqRawSpinlock> = SlabRegistry::new();

#[global_allocator]
static GLOBAL: KmallocGlobal<'static, BuddyPages, IrqRawSpinlock, KernelCpu> =
    KmallocGlobal::new(&KMALLOC, Gfp::KERNEL);

fn report_corruption(c: &Corruption) {
    pr_err!("{}", c);
    crate::arch::dumpstack::dump_stack();
}

/// Register the kmalloc caches; turn on debug checks with `slub_debug`.
pub fn init(debug: bool) {
    if let Err(e) = KMALLOC.register(&SLAB_CACHES) {
        pr_warn!("slub: kmalloc caches not registered: {}", e);
    }
    KMALLOC.set_reporter(Some(report_corruption));
    if debug {
        match KMALLOC.set_debug(true) {
            Ok(()) => pr_info!("slub: debugging on: red zones and poisoning for kmalloc caches"),
            Err(e) => pr_warn!("slub: cannot turn debugging on: {}", e),
        }
    }
    pr_info!(
        "SLUB: {} kmalloc caches, sizes 8 to 8192",
        KMALLOC.caches().count()
    );
}

/// kmalloc(size, gfp) for kernel code that wants Linux's interface.
pub fn kmalloc(size: usize, gfp: Gfp) -> Option<NonNull<u8>> {
    KMALLOC.kmalloc(size, gfp)
}

/// kfree: a corrupted or unknown pointer is reported (through the
/// reporter set in init) and not followed.
pub fn kfree(ptr: *const u8) {
    // SAFETY: kfree checks the page owner word before trusting the pointer;
    // callers pass what kmalloc returned.
    let _ = unsafe { KMALLOC.kfree(ptr) };
}
