//! kmalloc (Linux: the kmalloc caches of mm/slab_common.c and kmalloc_large): allocations
//! of any size served by the caches kmalloc-8 to kmalloc-8k (powers of two plus 96 and
//! 192), by dma-kmalloc-* for Gfp::DMA, and by the page allocator above 8 KiB. kfree and
//! ksize need no size: the owner word of the object's page names its slab or its order.

#[cfg(test)]
mod debug_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use core::mem::{size_of, size_of_val};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};

use gfp::Gfp;
use lock_api::{Mutex, RawMutex};

use crate::cache::{KmemCache, SlabError, SlabFlags};
use crate::cpu::CpuLocal;
use crate::debug::{Corruption, CorruptionKind, Reporter};
use crate::page::{get_order, page_of, Owner, PageSource, MAX_PAGE_ORDER, PAGE_SIZE};
use crate::registry::{SlabCache, SlabRegistry};

/// Sizes of the kmalloc caches, smallest first.
pub const KMALLOC_SIZES: [usize; KMALLOC_CACHES] = [
    8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
];
/// Caches in each set (normal, DMA).
pub const KMALLOC_CACHES: usize = 13;
/// The largest size served by a cache; above it kmalloc asks the page allocator.
pub const KMALLOC_MAX_CACHE_SIZE: usize = 8192;
/// The largest kmalloc: one block of the largest order.
pub const KMALLOC_MAX_SIZE: usize = PAGE_SIZE << MAX_PAGE_ORDER;
/// What kmalloc(0) returns (Linux's ZERO_SIZE_PTR): not null, faults when used.
pub const ZERO_SIZE_PTR: usize = 16;

const NAMES: [&str; KMALLOC_CACHES] = [
    "kmalloc-8",
    "kmalloc-16",
    "kmalloc-32",
    "kmalloc-64",
    "kmalloc-96",
    "kmalloc-128",
    "kmalloc-192",
    "kmalloc-256",
    "kmalloc-512",
    "kmalloc-1k",
    "kmalloc-2k",
    "kmalloc-4k",
    "kmalloc-8k",
];
const DMA_NAMES: [&str; KMALLOC_CACHES] = [
    "dma-kmalloc-8",
    "dma-kmalloc-16",
    "dma-kmalloc-32",
    "dma-kmalloc-64",
    "dma-kmalloc-96",
    "dma-kmalloc-128",
    "dma-kmalloc-192",
    "dma-kmalloc-256",
    "dma-kmalloc-512",
    "dma-kmalloc-1k",
    "dma-kmalloc-2k",
    "dma-kmalloc-4k",
    "dma-kmalloc-8k",
];
/// The alignment each class guarantees: its size for powers of two (as Linux since 5.4),
/// and for 96 and 192 the largest power of two dividing them.
const ALIGNS: [usize; KMALLOC_CACHES] =
    [8, 16, 32, 64, 32, 128, 64, 256, 512, 1024, 2048, 4096, 8192];
/// The class of sizes up to 192, by (size - 1) / 8 (Linux's size_index).
const SIZE_INDEX: [u8; 24] = [
    0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6,
];

/// The class that serves `size` bytes, 1 to KMALLOC_MAX_CACHE_SIZE (Linux's kmalloc_index).
pub(crate) const fn kmalloc_index(size: usize) -> usize {
    if size <= 192 {
        SIZE_INDEX[(size - 1) / 8] as usize
    } else {
        // 256 is class 7, and each power of two above it the next class.
        (usize::BITS - (size - 1).leading_zeros()) as usize - 1
    }
}

/// Where an allocation of some size and alignment comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Cache(usize),
    Pages(u32),
}

/// The smallest class that holds `size` (at least 1) bytes aligned to `align`.
const fn class(size: usize, align: usize) -> Option<Class> {
    if size <= KMALLOC_MAX_CACHE_SIZE {
        let mut index = kmalloc_index(size);
        while index < KMALLOC_CACHES {
            if ALIGNS[index] >= align {
                return Some(Class::Cache(index));
            }
            index += 1;
        }
    }
    // Blocks are naturally aligned to their size.
    let order = get_order(if size > align { size } else { align });
    if order > MAX_PAGE_ORDER {
        None
    } else {
        Some(Class::Pages(order))
    }
}

const fn size_cache<'p, P: PageSource, R: RawMutex, C: CpuLocal>(
    pages: &'p P,
    index: usize,
    flags: SlabFlags,
) -> KmemCache<'p, P, R, C> {
    let class = index % KMALLOC_CACHES;
    let (name, flags) = if index < KMALLOC_CACHES {
        (NAMES[class], flags)
    } else {
        (DMA_NAMES[class], flags.union(SlabFlags::CACHE_DMA))
    };
    let layout =
        KmemCache::<P, R, C>::layout_for(KMALLOC_SIZES[class], ALIGNS[class], flags, false);
    match layout {
        Ok(layout) => KmemCache::with_layout(pages, name, layout, flags, None),
        Err(_) => panic!("kmalloc size classes have valid layouts"),
    }
}

macro_rules! size_caches {
    ($pages:expr, $flags:expr; $($index:literal)*) => {
        [$(size_cache($pages, $index, $flags)),*]
    };
}

/// The kmalloc caches and the large allocations above them. The kernel places one in a
/// `static` (it is const-constructible) and hands it to `KmallocGlobal`.
pub struct Kmalloc<'p, P: PageSource, R: RawMutex, C: CpuLocal> {
    pages: &'p P,
    /// kmalloc-* then dma-kmalloc-*, each smallest first.
    caches: [KmemCache<'p, P, R, C>; 2 * KMALLOC_CACHES],
    /// Bytes in blocks of large allocations (Linux counts them as unreclaimable slab).
    large_bytes: AtomicUsize,
    /// Told of kfree of pointers that belong to no kmalloc cache.
    reporter: Mutex<R, Option<Reporter>>,
}

impl<'p, P: PageSource, R: RawMutex, C: CpuLocal> Kmalloc<'p, P, R, C> {
    /// kmalloc over `pages`, debug mode off.
    pub const fn new(pages: &'p P) -> Self {
        Self::with_flags(pages, SlabFlags::empty())
    }

    /// kmalloc whose caches all get `flags`: `SlabFlags::DEBUG` turns debugging on from
    /// the start (Linux's slub_debug= on the command line).
    pub const fn with_flags(pages: &'p P, flags: SlabFlags) -> Self {
        Kmalloc {
            pages,
            caches: size_caches!(pages, flags;
                0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25),
            large_bytes: AtomicUsize::new(0),
            reporter: Mutex::const_new(R::INIT, None),
        }
    }

    /// Every kmalloc cache, kmalloc-* then dma-kmalloc-*.
    pub fn caches(&self) -> impl Iterator<Item = &KmemCache<'p, P, R, C>> {
        self.caches.iter()
    }

    /// The cache kmalloc(size, gfp) uses, or None for a large allocation (Linux's
    /// kmalloc_slab).
    pub fn cache(&self, size: usize, gfp: Gfp) -> Option<&KmemCache<'p, P, R, C>> {
        match class(size.max(1), 1)? {
            Class::Cache(index) => Some(self.set(gfp, index)),
            Class::Pages(_) => None,
        }
    }

    fn set(&self, gfp: Gfp, index: usize) -> &KmemCache<'p, P, R, C> {
        let set = if gfp.contains(Gfp::DMA) {
            KMALLOC_CACHES
        } else {
            0
        };
        &self.caches[set + index]
    }

    /// kmalloc: `size` bytes, aligned to the size class for power-of-two classes. None
    /// on failure; ZERO_SIZE_PTR for 0 bytes. `Gfp::DMA` picks the dma-kmalloc caches,
    /// `Gfp::ZERO` zeroes; as on Linux there are no DMA32 caches, so `Gfp::DMA32` only
    /// reaches the page allocator when a slab or a large block is needed.
    #[inline]
    pub fn kmalloc(&self, size: usize, gfp: Gfp) -> Option<NonNull<u8>> {
        self.kmalloc_aligned(size, 1, gfp)
    }

    /// kzalloc: kmalloc with `Gfp::ZERO`.
    pub fn kzalloc(&self, size: usize, gfp: Gfp) -> Option<NonNull<u8>> {
        self.kmalloc(size, gfp | Gfp::ZERO)
    }

    /// kmalloc for an alignment larger than the size class gives: the smallest class that
    /// guarantees it, else page blocks (naturally aligned).
    #[inline]
    pub fn kmalloc_aligned(&self, size: usize, align: usize, gfp: Gfp) -> Option<NonNull<u8>> {
        if size == 0 {
            return NonNull::new(ZERO_SIZE_PTR as *mut u8);
        }
        match class(size, align)? {
            Class::Cache(index) => self.set(gfp, index).alloc(gfp),
            Class::Pages(order) => self.kmalloc_large(order, gfp),
        }
    }

    /// What ksize will say of an allocation of `size` bytes aligned to `align`.
    pub fn alloc_size(&self, size: usize, align: usize) -> usize {
        match class(size.max(1), align) {
            Some(Class::Cache(index)) => KMALLOC_SIZES[index],
            Some(Class::Pages(order)) => PAGE_SIZE << order,
            None => 0,
        }
    }

    fn kmalloc_large(&self, order: u32, gfp: Gfp) -> Option<NonNull<u8>> {
        let block = self.pages.alloc_pages(order, gfp)?;
        let owner = Owner::Large(order).encode();
        self.pages.set_page_owner(block.as_ptr() as usize, owner);
        self.large_bytes
            .fetch_add(PAGE_SIZE << order, Ordering::Relaxed);
        Some(block)
    }

    /// The kmalloc cache at `addr`, if `addr` is one of ours (a cache address from an owner
    /// word). No division: kfree's fast path waits for this.
    #[inline]
    fn own_cache(&self, addr: usize) -> Option<&KmemCache<'p, P, R, C>> {
        let offset = addr.wrapping_sub(self.caches.as_ptr() as usize);
        if offset >= size_of_val(&self.caches) {
            return None;
        }
        debug_assert_eq!(offset % size_of::<KmemCache<'p, P, R, C>>(), 0);
        // SAFETY: a cache stores its own address in the owner words of its slabs, and caches
        // do not overlap, so an owner word's address inside the array is the start of one
        // of its caches, which lives as long as `self`.
        Some(unsafe { &*(addr as *const KmemCache<'p, P, R, C>) })
    }

    /// kfree: gives back what kmalloc returned; null and ZERO_SIZE_PTR are ignored. A
    /// pointer no kmalloc cache or large block owns is reported, not freed.
    ///
    /// # Safety
    /// `ptr` came from this kmalloc and is not used afterwards.
    #[inline]
    pub unsafe fn kfree(&self, ptr: *const u8) -> Result<(), Corruption> {
        let addr = ptr as usize;
        if addr <= ZERO_SIZE_PTR {
            return Ok(());
        }
        let page = page_of(addr);
        let object = NonNull::new(ptr as *mut u8).expect("checked above");
        match Owner::decode(self.pages.page_owner(page)) {
            Owner::Slab { cache, order } => match self.own_cache(cache) {
                Some(cache) => {
                    // SAFETY: the word, stored by that cache, names it and the slab order;
                    // the caller vouches for the rest.
                    unsafe { cache.free_object(object, order) }
                }
                None => Err(self.report(CorruptionKind::WrongCache, addr)),
            },
            Owner::Large(order) if addr == page => {
                self.pages.set_page_owner(page, 0);
                self.large_bytes
                    .fetch_sub(PAGE_SIZE << order, Ordering::Relaxed);
                self.pages.free_pages(object, order);
                Ok(())
            }
            _ => Err(self.report(CorruptionKind::InvalidFree, addr)),
        }
    }

    fn report(&self, kind: CorruptionKind, addr: usize) -> Corruption {
        let corruption = Corruption {
            kind,
            cache: "kmalloc",
            addr,
        };
        let reporter = *self.reporter.lock();
        if let Some(report) = reporter {
            report(&corruption);
        }
        corruption
    }

    /// ksize: the bytes usable at `ptr`, the whole size class or block; 0 for null,
    /// ZERO_SIZE_PTR and pointers kmalloc does not own.
    pub fn ksize(&self, ptr: *const u8) -> usize {
        let addr = ptr as usize;
        if addr <= ZERO_SIZE_PTR {
            return 0;
        }
        match Owner::decode(self.pages.page_owner(page_of(addr))) {
            Owner::Slab { cache, .. } => self.own_cache(cache).map_or(0, KmemCache::object_size),
            Owner::Large(order) => PAGE_SIZE << order,
            Owner::None => 0,
        }
    }

    /// Turns debug mode on or off in every kmalloc cache; each must be empty (see
    /// `KmemCache::set_debug`). Returns the first refusal, after trying them all.
    pub fn set_debug(&self, on: bool) -> Result<(), SlabError>
    where
        KmemCache<'p, P, R, C>: Sync,
    {
        let mut result = Ok(());
        for cache in &self.caches {
            result = result.and(cache.set_debug(on));
        }
        result
    }

    /// Sets the function told of corruptions in every kmalloc cache and in kfree.
    pub fn set_reporter(&self, reporter: Option<Reporter>) {
        *self.reporter.lock() = reporter;
        self.caches
            .iter()
            .for_each(|cache| cache.set_reporter(reporter));
    }

    /// Empties every CPU's stock, then gives every free slab of every kmalloc cache back.
    /// Returns how many slabs.
    pub fn shrink(&self) -> usize
    where
        KmemCache<'p, P, R, C>: Sync,
    {
        self.caches.iter().map(KmemCache::shrink).sum()
    }

    /// Bytes held by large allocations (Linux adds them to SUnreclaim).
    pub fn large_bytes(&self) -> usize {
        self.large_bytes.load(Ordering::Relaxed)
    }

    /// Adds every kmalloc cache to `registry`, for /proc/slabinfo and /proc/meminfo.
    pub fn register<'a, R2: RawMutex, const N: usize>(
        &'a self,
        registry: &SlabRegistry<'a, R2, N>,
    ) -> Result<(), SlabError>
    where
        KmemCache<'p, P, R, C>: SlabCache,
    {
        self.caches
            .iter()
            .try_for_each(|cache| registry.register(cache))
    }
}
