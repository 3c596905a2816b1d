//! Object caches (Linux: struct kmem_cache and kmem_cache_create, kmem_cache_alloc,
//! kmem_cache_free, kmem_cache_destroy in mm/slub.c): objects of one size carved from slabs
//! of page-allocator blocks, each freed object going back to the slab it came from, found
//! through the owner word of its page, with a stock of free objects per CPU in front of the
//! slabs. A cache is a plain value placed by its user.

mod flags;
mod node;
mod percpu;
#[cfg(test)]
mod percpu_tests;
mod stock;
#[cfg(test)]
mod tests;

use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};

use gfp::Gfp;
use lock_api::{Mutex, RawMutex};

use crate::cpu::{CpuLocal, MAX_CPUS};
use crate::debug::{self, Corruption, CorruptionKind, Reporter};
use crate::layout::SlabLayout;
use crate::page::{Owner, PageSource, OWNER_ALIGN, PAGE_SIZE};
use crate::registry::CacheStats;
use crate::slab::{Slab, SlabList};
use flags::calculate_alignment;
pub use flags::{SlabError, SlabFlags};
use node::CacheNode;
use stock::{batch, stock_limit, CpuStock};

/// A cache of same-sized objects (Linux: struct kmem_cache). Generic over the page source,
/// over the raw lock that guards its slabs (the kernel's disables interrupts, so the cache
/// is safe to use from interrupt handlers and from several CPUs) and over the kernel's
/// CPU-local services, which keep a stock of objects per CPU. Once it has handed out an
/// object it must not move (a static, or memory from another cache, never does). Aligned to
/// a cache line: its address, with the slab order, is the owner word of its pages, and
/// the stocks of different CPUs do not share lines.
#[repr(align(64))]
pub struct KmemCache<'p, P: PageSource, R: RawMutex, C: CpuLocal> {
    name: &'static str,
    pages: &'p P,
    object_size: usize,
    flags: SlabFlags,
    ctor: Option<fn(*mut u8)>,
    /// Objects each CPU's stock may hold (SLAB's limit); 0 turns the stocks off, as in
    /// debug mode. Read without the lock by frees; refills also check the layout under it.
    limit: AtomicUsize,
    node: Mutex<R, CacheNode>,
    /// The stock of each CPU, by CPU number (Linux: s->cpu_slab, SLAB's s->cpu_cache).
    stocks: [CpuStock; MAX_CPUS],
    cpu: PhantomData<fn() -> C>,
}

// SAFETY: a stock is used only by its own CPU with interrupts off, or from on_each_cpu
// while that CPU is outside the slab layer (CpuLocal's contract), and holds free objects of
// this cache; the slabs are reached only under the lock; the other fields do not change.
unsafe impl<P, R, C> Sync for KmemCache<'_, P, R, C>
where
    P: PageSource + Sync,
    R: RawMutex + Sync,
    C: CpuLocal,
{
}
// SAFETY: as above; the stocks belong to CPU numbers, not to threads.
unsafe impl<P, R, C> Send for KmemCache<'_, P, R, C>
where
    P: PageSource + Sync,
    R: RawMutex + Send,
    C: CpuLocal,
{
}

impl<'p, P: PageSource, R: RawMutex, C: CpuLocal> KmemCache<'p, P, R, C> {
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
            limit: AtomicUsize::new(stock_limit(&layout)),
            node,
            stocks: [const { CpuStock::new() }; MAX_CPUS],
            cpu: PhantomData,
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

    /// Makes a new slab outside the lock (constructors may allocate). A block of the
    /// layout's order is asked for quietly; when memory is too fragmented for one, the
    /// slab is made of the least order that holds an object (Linux: allocate_slab's
    /// fallback from s->oo to s->min), so that a small object is never refused while
    /// single pages are free.
    fn grow(&self, layout: SlabLayout, gfp: Gfp) -> Option<Slab> {
        let mut gfp = gfp.difference(Gfp::ZERO);
        if self.flags.contains(SlabFlags::CACHE_DMA) {
            gfp |= Gfp::DMA;
        }
        let preferred = match layout.min_order < layout.order {
            true => self.pages.alloc_pages(layout.order, gfp | Gfp::NOWARN),
            false => None,
        };
        let (block, order) = match preferred {
            Some(block) => (block, layout.order),
            None => (
                self.pages.alloc_pages(layout.min_order, gfp)?,
                layout.min_order,
            ),
        };
        let objects = layout.objects_at(order);
        // SAFETY: the page source just gave us this block of 2^order pages.
        let slab = unsafe { Slab::init(block, order, objects) };
        let owner = Owner::Slab {
            cache: self.addr() as usize,
            order,
        }
        .encode();
        for page in 0..1usize << order {
            self.pages
                .set_page_owner(slab.base() + page * PAGE_SIZE, owner);
        }

        // Chain the objects in address order: the last one is pushed first.
        for index in (0..objects).rev() {
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
    fn discard(&self, slab: Slab) {
        let (base, order) = (slab.base(), slab.order());
        for page in 0..1usize << order {
            self.pages.set_page_owner(base + page * PAGE_SIZE, 0);
        }
        let block = NonNull::new(base as *mut u8).expect("slabs are never at address 0");
        self.pages.free_pages(block, order);
    }

    /// Gives back every slab on `list` (slabs of `order` that became free).
    fn discard_all(&self, list: &mut SlabList) {
        while let Some(slab) = list.pop() {
            self.discard(slab);
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

    /// kmem_cache_shrink: empties every CPU's stock into the slabs, then gives every free
    /// slab back to the page source. Returns how many. Waits for every CPU (see CpuLocal).
    pub fn shrink(&self) -> usize
    where
        Self: Sync,
    {
        self.flush_cpu_stocks();
        let mut released = 0;
        loop {
            let mut node = self.node.lock();
            let slab = node.pop_free_slab();
            drop(node);
            match slab {
                Some(slab) => self.discard(slab),
                None => return released,
            }
            released += 1;
        }
    }

    /// kmem_cache_destroy: refused while objects are in use, those in CPU stocks aside
    /// (Display of the error is the line to printk); otherwise gives every slab back, and
    /// later allocations fail.
    pub fn destroy(&self) -> Result<(), SlabError>
    where
        Self: Sync,
    {
        self.flush_cpu_stocks();
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
    /// boot with slub_debug=). Debug caches keep no CPU stocks.
    pub fn set_debug(&self, on: bool) -> Result<(), SlabError>
    where
        Self: Sync,
    {
        // Stocks off first: once shrink has flushed them, no CPU puts an object back in one.
        self.limit.store(0, Ordering::Relaxed);
        self.shrink();
        let mut node = self.node.lock();
        let result = if node.counts() != (0, 0, 0) {
            Err(SlabError::HasSlabs { cache: self.name })
        } else {
            let old = node.layout;
            SlabLayout::new(old.object_size, old.align, on, self.ctor.is_some())
                .map(|layout| node.layout = layout)
                .ok_or(SlabError::InvalidSize)
        };
        self.limit
            .store(stock_limit(&node.layout), Ordering::Relaxed);
        result
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

    /// The numbers of /proc/slabinfo. As in Linux, objects in CPU stocks are active: they
    /// are off their slabs' freelists (`cpu_objs` tells how many; it is a snapshot, since
    /// CPUs change their stocks without the lock).
    pub fn stats(&self) -> CacheStats {
        let node = self.node.lock();
        let cpu_objs = self.stocks.iter().map(CpuStock::len).sum();
        let limit = self.limit.load(Ordering::Relaxed);
        let (partial_slabs, full_slabs, free_slabs) = node.counts();
        let layout = node.layout;
        CacheStats {
            name: self.name,
            object_size: layout.object_size,
            size: layout.size,
            active_objs: node.active,
            num_objs: node.total_objects(),
            objs_per_slab: layout.objects,
            pages_per_slab: 1 << layout.order,
            partial_slabs,
            full_slabs,
            free_slabs,
            reclaimable: self.flags.contains(SlabFlags::RECLAIM_ACCOUNT),
            corruptions: node.corruptions,
            quarantined: node.quarantined,
            limit,
            batchcount: batch(limit),
            cpu_objs,
        }
    }
}
