//! Object caches (Linux: struct kmem_cache and kmem_cache_create, kmem_cache_alloc,
//! kmem_cache_free, kmem_cache_destroy in mm/slub.c): objects of one size carved from slabs
//! of page-allocator blocks, each freed object going back to the slab it came from, found
//! through the owner word of its page. A cache is a plain value placed by its user.

mod flags;
mod node;
#[cfg(test)]
mod tests;

use core::ptr::NonNull;

use gfp::Gfp;
use lock_api::{Mutex, RawMutex};

use crate::debug::{self, Corruption, CorruptionKind, Reporter};
use crate::layout::SlabLayout;
use crate::page::{block_of, page_of, Owner, PageSource, OWNER_ALIGN, PAGE_SIZE};
use crate::registry::CacheStats;
use crate::slab::Slab;
use flags::calculate_alignment;
pub use flags::{SlabError, SlabFlags};
use node::{CacheNode, Take};

/// A cache of same-sized objects (Linux: struct kmem_cache). Generic over the page source
/// and over the raw lock that guards its lists: the kernel's disables interrupts, so the
/// cache is safe to use from interrupt handlers and from several CPUs. Once it has handed
/// out an object it must not move (a static, or memory from another cache, never does).
/// Aligned to a cache line: its address, with the slab order, is the owner word of its
/// pages, and caches used by different CPUs do not share lines.
#[repr(align(64))]
pub struct KmemCache<'p, P: PageSource, R: RawMutex> {
    name: &'static str,
    pages: &'p P,
    object_size: usize,
    flags: SlabFlags,
    ctor: Option<fn(*mut u8)>,
    node: Mutex<R, CacheNode>,
}

impl<'p, P: PageSource, R: RawMutex> KmemCache<'p, P, R> {
    /// kmem_cache_create: a cache of `size`-byte objects aligned to `align` (0 for a
    /// word). `ctor`, if any, runs on every object once, when its slab is made: objects
    /// must be freed in their constructed state. Usable in a `static` initialiser.
    pub const fn create(
        pages: &'p P,
        name: &'static str,
        size: usize,
        align: usize,
        flags: SlabFlags,
        ctor: Option<fn(*mut u8)>,
    ) -> Result<Self, SlabError> {
        match Self::layout_for(size, align, flags, ctor.is_some()) {
            Ok(layout) => Ok(Self::with_layout(pages, name, layout, flags, ctor)),
            Err(error) => Err(error),
        }
    }

    /// The layout `create` would choose.
    pub(crate) const fn layout_for(
        size: usize,
        align: usize,
        flags: SlabFlags,
        ctor: bool,
    ) -> Result<SlabLayout, SlabError> {
        let align = match calculate_alignment(flags, align, size) {
            Some(align) => align,
            None => return Err(SlabError::InvalidAlign),
        };
        match SlabLayout::new(size, align, flags.contains(SlabFlags::DEBUG), ctor) {
            Some(layout) => Ok(layout),
            None => Err(SlabError::InvalidSize),
        }
    }

    /// A cache with a layout from `layout_for`.
    pub(crate) const fn with_layout(
        pages: &'p P,
        name: &'static str,
        layout: SlabLayout,
        flags: SlabFlags,
        ctor: Option<fn(*mut u8)>,
    ) -> Self {
        assert!(
            core::mem::align_of::<Self>() >= OWNER_ALIGN,
            "owner words need free low bits"
        );
        let node = Mutex::const_new(R::INIT, CacheNode::new(layout));
        KmemCache {
            name,
            pages,
            object_size: layout.object_size,
            flags,
            ctor,
            node,
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Bytes usable in each object (what ksize reports).
    pub fn object_size(&self) -> usize {
        self.object_size
    }

    pub fn flags(&self) -> SlabFlags {
        self.flags
    }

    pub fn layout(&self) -> SlabLayout {
        self.node.lock().layout
    }

    fn addr(&self) -> *const () {
        self as *const Self as *const ()
    }

    /// kmem_cache_alloc: an object, or None when the page source has no memory (or the
    /// cache was destroyed). `Gfp::ZERO` zeroes it; the other flags go to the page source
    /// when a new slab is needed.
    #[inline]
    pub fn alloc(&self, gfp: Gfp) -> Option<NonNull<u8>> {
        loop {
            let mut node = self.node.lock();
            match node.take() {
                Take::Object(object) => {
                    let size = node.layout.object_size;
                    drop(node);
                    if gfp.contains(Gfp::ZERO) {
                        // SAFETY: the object is the caller's now and `size` bytes long.
                        unsafe { object.as_ptr().write_bytes(0, size) };
                    }
                    return Some(object);
                }
                Take::Corrupt(kind, addr) => {
                    let reporter = node.reporter;
                    drop(node);
                    self.report(reporter, kind, addr);
                }
                Take::NoSlab => {
                    let layout = node.layout;
                    if node.dead {
                        return None;
                    }
                    drop(node);
                    let slab = self.grow(layout, gfp)?;
                    let mut node = self.node.lock();
                    if node.layout != layout || node.dead {
                        drop(node);
                        self.discard(slab, layout.order);
                    } else {
                        node.add_slab(slab);
                    }
                }
            }
        }
    }

    /// Makes a new slab outside the lock (constructors may allocate).
    fn grow(&self, layout: SlabLayout, gfp: Gfp) -> Option<Slab> {
        let mut gfp = gfp.difference(Gfp::ZERO);
        if self.flags.contains(SlabFlags::CACHE_DMA) {
            gfp |= Gfp::DMA;
        }
        let block = self.pages.alloc_pages(layout.order, gfp)?;
        // SAFETY: the page source just gave us this block, page aligned.
        let slab = unsafe { Slab::init(block) };
        let owner = Owner::Slab {
            cache: self.addr() as usize,
            order: layout.order,
        }
        .encode();
        for page in 0..1usize << layout.order {
            self.pages
                .set_page_owner(slab.base() + page * PAGE_SIZE, owner);
        }

        // Chain the objects in address order: the last one is pushed first.
        for index in (0..layout.objects).rev() {
            let addr = layout.object(slab.base(), index);
            if layout.debug {
                // SAFETY: a fresh object of this slab, which nobody else sees yet.
                unsafe { debug::mark_free(&layout, addr) };
            }
            if let Some(ctor) = self.ctor {
                ctor(addr as *mut u8);
            }
            let object = NonNull::new(addr as *mut u8).expect("objects are inside the slab");
            // SAFETY: an object of this new slab, not yet on its freelist.
            unsafe { slab.push_free(object, layout.offset) };
        }
        Some(slab)
    }

    /// Gives a slab's block back to the page source.
    fn discard(&self, slab: Slab, order: u32) {
        let base = slab.base();
        for page in 0..1usize << order {
            self.pages.set_page_owner(base + page * PAGE_SIZE, 0);
        }
        let block = NonNull::new(base as *mut u8).expect("slabs are never at address 0");
        self.pages.free_pages(block, order);
    }

    /// kmem_cache_free: gives `object` back to its slab, found from its page's owner word.
    /// In debug mode a double free, damaged red zones or a pointer that is no object are
    /// reported and the object is left alone; without debug mode only a double free of the
    /// most recently freed object is caught.
    ///
    /// # Safety
    /// `object` was returned by `alloc` of this cache and is not used afterwards.
    #[inline]
    pub unsafe fn free(&self, object: NonNull<u8>) -> Result<(), Corruption> {
        let addr = object.as_ptr() as usize;
        let slab = match Owner::decode(self.pages.page_owner(page_of(addr))) {
            Owner::Slab { cache, order } if cache == self.addr() as usize => {
                // SAFETY: the word was stored by this cache for a slab it still holds.
                unsafe { Slab::from_base(block_of(addr, order)) }
            }
            Owner::Slab { .. } => {
                return Err(self.report_unlocked(CorruptionKind::WrongCache, addr))
            }
            _ => return Err(self.report_unlocked(CorruptionKind::InvalidFree, addr)),
        };
        // SAFETY: the slab is one of ours and holds the object's page; the caller vouches
        // for the rest.
        unsafe { self.free_to_slab(slab, object) }
    }

    /// The second half of `free`, once the slab is known.
    ///
    /// # Safety
    /// `slab` belongs to this cache and holds the page of `object`, which the caller got
    /// from `alloc` and does not use any more.
    #[inline]
    pub(crate) unsafe fn free_to_slab(
        &self,
        slab: Slab,
        object: NonNull<u8>,
    ) -> Result<(), Corruption> {
        let mut node = self.node.lock();
        // SAFETY: forwarded contract.
        let result = unsafe { node.put(slab, object) };
        match result {
            Ok(None) => Ok(()),
            Ok(Some(free)) => {
                let order = node.layout.order;
                drop(node);
                self.discard(free, order);
                Ok(())
            }
            Err(kind) => {
                let reporter = node.reporter;
                drop(node);
                Err(self.report(reporter, kind, object.as_ptr() as usize))
            }
        }
    }

    fn report(&self, reporter: Option<Reporter>, kind: CorruptionKind, addr: usize) -> Corruption {
        let corruption = Corruption {
            kind,
            cache: self.name,
            addr,
        };
        if let Some(report) = reporter {
            report(&corruption);
        }
        corruption
    }

    fn report_unlocked(&self, kind: CorruptionKind, addr: usize) -> Corruption {
        let reporter = {
            let mut node = self.node.lock();
            node.corruptions += 1;
            node.reporter
        };
        self.report(reporter, kind, addr)
    }

    /// kmem_cache_shrink: gives every free slab back to the page source. Returns how many.
    pub fn shrink(&self) -> usize {
        let mut released = 0;
        loop {
            let mut node = self.node.lock();
            let (slab, order) = (node.pop_free_slab(), node.layout.order);
            drop(node);
            match slab {
                Some(slab) => self.discard(slab, order),
                None => return released,
            }
            released += 1;
        }
    }

    /// kmem_cache_destroy: refused while objects are in use (Display of the error is the
    /// line to printk); otherwise gives every slab back, and later allocations fail.
    pub fn destroy(&self) -> Result<(), SlabError> {
        {
            let mut node = self.node.lock();
            if node.active > 0 {
                return Err(SlabError::InUse {
                    cache: self.name,
                    objects: node.active,
                });
            }
            node.dead = true;
        }
        self.shrink();
        Ok(())
    }

    /// Turns red zones, poisoning and checks on or off. The layout changes, so the cache
    /// must hold no slab once its free slabs are given back (as Linux, which decides at
    /// boot with slub_debug=).
    pub fn set_debug(&self, on: bool) -> Result<(), SlabError> {
        self.shrink();
        let mut node = self.node.lock();
        if node.counts() != (0, 0, 0) {
            return Err(SlabError::HasSlabs { cache: self.name });
        }
        let old = node.layout;
        let layout = SlabLayout::new(old.object_size, old.align, on, self.ctor.is_some());
        node.layout = layout.ok_or(SlabError::InvalidSize)?;
        Ok(())
    }

    /// How many free slabs are kept (Linux: /sys/kernel/slab/NAME/min_partial).
    pub fn min_partial(&self) -> usize {
        self.node.lock().min_partial
    }

    /// Sets how many free slabs are kept.
    pub fn set_min_partial(&self, slabs: usize) {
        self.node.lock().min_partial = slabs;
    }

    /// Sets the function told of each corruption found (the kernel's printk).
    pub fn set_reporter(&self, reporter: Option<Reporter>) {
        self.node.lock().reporter = reporter;
    }

    pub fn stats(&self) -> CacheStats {
        let node = self.node.lock();
        let (partial_slabs, full_slabs, free_slabs) = node.counts();
        let layout = node.layout;
        CacheStats {
            name: self.name,
            object_size: layout.object_size,
            size: layout.size,
            active_objs: node.active,
            num_objs: (partial_slabs + full_slabs + free_slabs) * layout.objects,
            objs_per_slab: layout.objects,
            pages_per_slab: 1 << layout.order,
            partial_slabs,
            full_slabs,
            free_slabs,
            reclaimable: self.flags.contains(SlabFlags::RECLAIM_ACCOUNT),
            corruptions: node.corruptions,
            quarantined: node.quarantined,
        }
    }
}
