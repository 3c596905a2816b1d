//! kmalloc as Rust's `#[global_allocator]`, so that Box, Vec and BTreeMap in the kernel use
//! the slab caches (Linux's Rust support does the same over krealloc). Layout alignment is
//! honoured by moving to a larger size class, or to page blocks, when the class is short.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};

use gfp::Gfp;
use lock_api::RawMutex;

use crate::cpu::CpuLocal;
use crate::kmalloc::Kmalloc;
use crate::page::PageSource;

/// A `GlobalAlloc` over a `Kmalloc`, allocating with fixed GFP flags (the kernel uses
/// `Gfp::KERNEL`; code that runs in interrupt context calls kmalloc with `Gfp::ATOMIC`
/// itself).
///
/// ```text
/// static PAGES: BuddyPages = BuddyPages;                 // implements PageSource
/// static KMALLOC: Kmalloc<'static, BuddyPages, IrqSpinlock, KernelCpu> =
///     Kmalloc::new(&PAGES);
/// #[global_allocator]
/// static GLOBAL: KmallocGlobal<'static, BuddyPages, IrqSpinlock, KernelCpu> =
///     KmallocGlobal::new(&KMALLOC, Gfp::KERNEL);
/// ```
pub struct KmallocGlobal<'p, P: PageSource, R: RawMutex, C: CpuLocal> {
    kmalloc: &'p Kmalloc<'p, P, R, C>,
    gfp: Gfp,
}

impl<'p, P: PageSource, R: RawMutex, C: CpuLocal> KmallocGlobal<'p, P, R, C> {
    pub const fn new(kmalloc: &'p Kmalloc<'p, P, R, C>, gfp: Gfp) -> Self {
        KmallocGlobal { kmalloc, gfp }
    }

    pub fn kmalloc(&self) -> &'p Kmalloc<'p, P, R, C> {
        self.kmalloc
    }

    fn allocate(&self, layout: Layout, gfp: Gfp) -> *mut u8 {
        // GlobalAlloc is never asked for 0 bytes; if it were, ZERO_SIZE_PTR would not do.
        let size = layout.size().max(1);
        self.kmalloc
            .kmalloc_aligned(size, layout.align(), gfp)
            .map_or(ptr::null_mut(), NonNull::as_ptr)
    }
}

// SAFETY: kmalloc_aligned returns blocks of at least the size asked for, aligned as asked,
// that no other allocation overlaps until kfree; dealloc and realloc only pass on pointers
// this allocator returned, as GlobalAlloc's callers promise.
unsafe impl<P, R, C> GlobalAlloc for KmallocGlobal<'_, P, R, C>
where
    P: PageSource + Sync,
    R: RawMutex + Sync,
    C: CpuLocal,
{
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.allocate(layout, self.gfp)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.allocate(layout, self.gfp | Gfp::ZERO)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // A corruption found here has already gone to the reporter; there is nobody else
        // to tell, and the object is left alone.
        // SAFETY: the caller gives back a pointer this allocator returned.
        let _ = unsafe { self.kmalloc.kfree(ptr) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // As krealloc: stay in place while the new size gets the same class or block.
        let old = self.kmalloc.ksize(ptr);
        if new_size <= old && self.kmalloc.alloc_size(new_size, layout.align()) == old {
            return ptr;
        }
        // SAFETY: GlobalAlloc's callers promise a valid layout for the new size.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let new = self.allocate(new_layout, self.gfp);
        if !new.is_null() {
            // SAFETY: both blocks hold at least the bytes copied and do not overlap.
            unsafe { ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            // SAFETY: the old block is the caller's to give back.
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}
