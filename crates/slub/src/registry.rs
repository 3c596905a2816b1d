//! The list of all caches (Linux: slab_caches in mm/slab_common.c) and what is read from
//! it: /proc/slabinfo in Linux's version 2.1 format (cache_show) and the Slab,
//! SReclaimable and SUnreclaim numbers of /proc/meminfo. A fixed array: no heap needed.

use core::fmt;

use lock_api::{Mutex, RawMutex};

use crate::cache::{KmemCache, SlabError};
use crate::cpu::CpuLocal;
use crate::page::{PageSource, PAGE_SIZE};

/// The two header lines of /proc/slabinfo (Linux's print_slabinfo_header).
pub const SLABINFO_HEADER: &str = "slabinfo - version: 2.1\n\
# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> \
: tunables <limit> <batchcount> <sharedfactor> \
: slabdata <active_slabs> <num_slabs> <sharedavail>\n";

/// What a cache holds, for /proc/slabinfo, /proc/meminfo and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheStats {
    pub name: &'static str,
    /// Bytes asked for per object.
    pub object_size: usize,
    /// Stride of objects, metadata included (slabinfo's <objsize>).
    pub size: usize,
    /// Objects off their slabs' freelists: in use, or in a CPU's stock (Linux counts both).
    pub active_objs: usize,
    pub num_objs: usize,
    pub objs_per_slab: usize,
    pub pages_per_slab: usize,
    pub partial_slabs: usize,
    pub full_slabs: usize,
    pub free_slabs: usize,
    /// Created with RECLAIM_ACCOUNT.
    pub reclaimable: bool,
    pub corruptions: usize,
    /// Objects kept out of use after a corruption (counted in active_objs).
    pub quarantined: usize,
    /// Objects a CPU's stock holds at most (SLAB's tunable limit); 0 without stocks.
    pub limit: usize,
    /// Objects moved at once between a stock and the slabs (SLAB's batchcount).
    pub batchcount: usize,
    /// Objects in CPU stocks, free but counted in active_objs (a snapshot).
    pub cpu_objs: usize,
}

impl CacheStats {
    pub fn num_slabs(&self) -> usize {
        self.partial_slabs + self.full_slabs + self.free_slabs
    }

    /// Objects really in use: active ones outside CPU stocks.
    pub fn in_use(&self) -> usize {
        self.active_objs.saturating_sub(self.cpu_objs)
    }

    /// Bytes of page-allocator memory the cache holds.
    pub fn bytes(&self) -> usize {
        self.num_slabs() * self.pages_per_slab * PAGE_SIZE
    }
}

/// A cache as the registry sees it.
pub trait SlabCache: Sync {
    fn stats(&self) -> CacheStats;
}

impl<P: PageSource + Sync, R: RawMutex + Sync, C: CpuLocal> SlabCache for KmemCache<'_, P, R, C> {
    fn stats(&self) -> CacheStats {
        KmemCache::stats(self)
    }
}

/// One line of /proc/slabinfo, as Linux's cache_show prints it. The tunables are those of
/// the per-CPU stocks, as SLAB showed its array caches' (no shared arrays: 0); every slab
/// counts as active, as in SLUB.
impl fmt::Display for CacheStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slabs = self.num_slabs();
        write!(
            f,
            "{:<17} {:>6} {:>6} {:>6} {:>4} {:>4} : tunables {:>4} {:>4} {:>4} \
             : slabdata {:>6} {:>6} {:>6}",
            self.name,
            self.active_objs,
            self.num_objs,
            self.size,
            self.objs_per_slab,
            self.pages_per_slab,
            self.limit,
            self.batchcount,
            0,
            slabs,
            slabs,
            0
        )
    }
}

/// Slab memory for /proc/meminfo, in bytes (Linux: NR_SLAB_RECLAIMABLE_B and
/// NR_SLAB_UNRECLAIMABLE_B).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlabMeminfo {
    /// Slabs of caches created with RECLAIM_ACCOUNT (SReclaimable).
    pub reclaimable_bytes: u64,
    /// All other slab memory (SUnreclaim); add kmalloc's large_bytes, as Linux does.
    pub unreclaimable_bytes: u64,
}

impl SlabMeminfo {
    /// The Slab line: both together.
    pub fn total_bytes(&self) -> u64 {
        self.reclaimable_bytes + self.unreclaimable_bytes
    }
}

struct Slots<'a, const N: usize> {
    caches: [Option<&'a dyn SlabCache>; N],
    len: usize,
}

/// Every cache /proc/slabinfo shows, up to N. The kernel keeps one in a `static`,
/// registers kmalloc's caches at boot and its own caches as it creates them.
pub struct SlabRegistry<'a, R: RawMutex, const N: usize = 128> {
    slots: Mutex<R, Slots<'a, N>>,
}

impl<'a, R: RawMutex, const N: usize> SlabRegistry<'a, R, N> {
    pub const fn new() -> Self {
        SlabRegistry {
            slots: Mutex::const_new(
                R::INIT,
                Slots {
                    caches: [None; N],
                    len: 0,
                },
            ),
        }
    }

    /// Adds a cache (again is a no-op).
    pub fn register(&self, cache: &'a dyn SlabCache) -> Result<(), SlabError> {
        let mut slots = self.slots.lock();
        let len = slots.len;
        if slots.caches[..len]
            .iter()
            .flatten()
            .any(|c| same(*c, cache))
        {
            return Ok(());
        }
        if len == N {
            return Err(SlabError::RegistryFull);
        }
        slots.caches[len] = Some(cache);
        slots.len += 1;
        Ok(())
    }

    /// Removes a cache; false if it was not registered.
    pub fn unregister(&self, cache: &dyn SlabCache) -> bool {
        let mut slots = self.slots.lock();
        let len = slots.len;
        let Some(at) = slots.caches[..len]
            .iter()
            .flatten()
            .position(|c| same(*c, cache))
        else {
            return false;
        };
        slots.caches.copy_within(at + 1..len, at);
        slots.caches[len - 1] = None;
        slots.len -= 1;
        true
    }

    /// kmem_cache_destroy for a registered cache: destroys it, then unregisters it.
    pub fn destroy<P, R2, C>(&self, cache: &KmemCache<'_, P, R2, C>) -> Result<(), SlabError>
    where
        P: PageSource + Sync,
        R2: RawMutex + Sync,
        C: CpuLocal,
    {
        cache.destroy()?;
        self.unregister(cache);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.slots.lock().len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` with the statistics of each cache, newest first (as Linux lists them).
    /// Holds the registry lock (not the caches' locks) while `f` runs.
    pub fn for_each(&self, mut f: impl FnMut(&CacheStats)) {
        let slots = self.slots.lock();
        for cache in slots.caches[..slots.len].iter().rev().flatten() {
            f(&cache.stats());
        }
    }

    /// /proc/slabinfo.
    pub fn slabinfo(&self) -> Slabinfo<'_, 'a, R, N> {
        Slabinfo(self)
    }

    /// The slab numbers of /proc/meminfo.
    pub fn meminfo(&self) -> SlabMeminfo {
        let mut info = SlabMeminfo::default();
        self.for_each(|stats| {
            let bytes = stats.bytes() as u64;
            if stats.reclaimable {
                info.reclaimable_bytes += bytes;
            } else {
                info.unreclaimable_bytes += bytes;
            }
        });
        info
    }
}

impl<R: RawMutex, const N: usize> Default for SlabRegistry<'_, R, N> {
    fn default() -> Self {
        Self::new()
    }
}

fn same(a: &dyn SlabCache, b: &dyn SlabCache) -> bool {
    core::ptr::addr_eq(a, b)
}

/// The text of /proc/slabinfo: the header, then one line per cache.
pub struct Slabinfo<'r, 'a, R: RawMutex, const N: usize>(&'r SlabRegistry<'a, R, N>);

impl<R: RawMutex, const N: usize> fmt::Display for Slabinfo<'_, '_, R, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SLABINFO_HEADER)?;
        let mut result = Ok(());
        self.0.for_each(|stats| {
            result = result.and_then(|()| writeln!(f, "{stats}"));
        });
        result
    }
}

#[cfg(test)]
mod tests;
