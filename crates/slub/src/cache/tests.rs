//! Tests of kmem_cache rules: object reuse, list moves between partial, full and free,
//! free slabs kept up to min_partial (also when CPUs grow the cache at once), destroy
//! refused while objects live, constructors, owner words on every page, and several threads
//! sharing a cache. Tests of slab moves run on a CPU without stocks, to see each object go.

use std::collections::HashSet;
use std::format;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::vec::Vec;

use super::*;
use crate::page::page_of;
use crate::testing::{set_cpu, Cache, StdPages};

fn cache<'p>(pages: &'p StdPages, name: &'static str, size: usize) -> Cache<'p> {
    Cache::create(pages, name, size, 0, SlabFlags::empty(), None).expect("valid cache")
}

fn alloc_n(cache: &Cache<'_>, n: usize) -> Vec<NonNull<u8>> {
    (0..n)
        .map(|_| cache.alloc(Gfp::KERNEL).expect("memory"))
        .collect()
}

fn free_all(cache: &Cache<'_>, objects: &[NonNull<u8>]) {
    for &object in objects {
        // SAFETY: each object came from this cache and is freed once.
        unsafe { cache.free(object) }.expect("clean free");
    }
}

#[test]
fn a_freed_object_is_the_next_one_handed_out() {
    let pages = StdPages::new();
    let c = cache(&pages, "reuse", 48);
    let a = c.alloc(Gfp::KERNEL).unwrap();
    let _b = c.alloc(Gfp::KERNEL).unwrap();
    free_all(&c, &[a]);
    assert_eq!(c.alloc(Gfp::KERNEL), Some(a));
}

#[test]
fn objects_are_distinct_aligned_and_inside_one_slab() {
    let pages = StdPages::new();
    let c = cache(&pages, "distinct", 40);
    let per_slab = c.layout().objects;
    let objects = alloc_n(&c, per_slab);
    let addrs: HashSet<usize> = objects.iter().map(|o| o.as_ptr() as usize).collect();
    assert_eq!(addrs.len(), per_slab);
    assert!(addrs.iter().all(|a| a % 8 == 0));
    let base = page_of(objects[0].as_ptr() as usize);
    assert!(addrs
        .iter()
        .all(|&a| a >= base && a + 40 <= base + c.layout().slab_bytes()));
    assert_eq!(pages.live_blocks(), 1);
}

#[test]
fn slabs_move_between_partial_full_and_free_lists() {
    set_cpu(MAX_CPUS);
    let pages = StdPages::new();
    let c = cache(&pages, "lists", 64);
    let per_slab = c.layout().objects;
    let counts = |c: &Cache<'_>| {
        let s = c.stats();
        (s.partial_slabs, s.full_slabs, s.free_slabs)
    };

    let first = alloc_n(&c, 1);
    assert_eq!(counts(&c), (1, 0, 0));
    let rest = alloc_n(&c, per_slab - 1);
    assert_eq!(counts(&c), (0, 1, 0));
    let next = alloc_n(&c, 1);
    assert_eq!(counts(&c), (1, 1, 0));
    free_all(&c, &first);
    assert_eq!(counts(&c), (2, 0, 0));
    free_all(&c, &rest);
    assert_eq!(counts(&c), (1, 0, 1));
    free_all(&c, &next);
    assert_eq!(counts(&c), (0, 0, 2));
    assert_eq!(c.stats().active_objs, 0);
}

#[test]
fn free_slabs_beyond_min_partial_go_back_to_the_page_source() {
    set_cpu(MAX_CPUS);
    let pages = StdPages::new();
    let c = cache(&pages, "bound", 256);
    assert_eq!(c.min_partial(), 5, "Linux's MIN_PARTIAL for small objects");
    c.set_min_partial(2);
    let objects = alloc_n(&c, 6 * c.layout().objects);
    assert_eq!(pages.live_blocks(), 6);
    free_all(&c, &objects);
    assert_eq!(c.stats().free_slabs, 2);
    assert_eq!(pages.live_blocks(), 2);
    assert_eq!(c.shrink(), 2);
    assert_eq!((pages.live_blocks(), pages.owned_pages()), (0, 0));
}

#[test]
fn destroy_is_refused_while_objects_live_and_accepted_when_empty() {
    let pages = StdPages::new();
    let c = cache(&pages, "task_struct", 1000);
    let objects = alloc_n(&c, 3);
    let err = c.destroy().unwrap_err();
    assert_eq!(
        err,
        SlabError::InUse {
            cache: "task_struct",
            objects: 3
        }
    );
    assert_eq!(
        format!("{err}"),
        "slub: kmem_cache_destroy task_struct: Slab cache still has objects (3 in use)"
    );
    let more = alloc_n(&c, 1);
    free_all(&c, &more);
    free_all(&c, &objects);
    assert_eq!(c.destroy(), Ok(()));
    assert_eq!(pages.live_blocks(), 0);
    assert_eq!(
        c.alloc(Gfp::KERNEL),
        None,
        "a destroyed cache hands out nothing"
    );
}

static CONSTRUCTED: AtomicUsize = AtomicUsize::new(0);

fn ctor(object: *mut u8) {
    CONSTRUCTED.fetch_add(1, Ordering::Relaxed);
    // SAFETY: the cache passes a whole 32-byte object.
    unsafe { object.cast::<u64>().write(0xc0ffee) };
}

#[test]
fn the_constructor_runs_once_per_object_when_its_slab_is_made() {
    let pages = StdPages::new();
    let c = Cache::create(&pages, "ctor", 32, 0, SlabFlags::empty(), Some(ctor)).unwrap();
    assert_eq!(CONSTRUCTED.load(Ordering::Relaxed), 0);
    let objects = alloc_n(&c, 2);
    let per_slab = c.layout().objects;
    assert_eq!(CONSTRUCTED.load(Ordering::Relaxed), per_slab);
    // SAFETY: the objects are ours and 32 bytes long.
    assert!(objects
        .iter()
        .all(|o| unsafe { o.as_ptr().cast::<u64>().read() } == 0xc0ffee));
    free_all(&c, &objects);
    let again = alloc_n(&c, 2);
    // SAFETY: as above; the free pointer lives outside constructed objects.
    assert!(again
        .iter()
        .all(|o| unsafe { o.as_ptr().cast::<u64>().read() } == 0xc0ffee));
    assert_eq!(CONSTRUCTED.load(Ordering::Relaxed), per_slab);
}

#[test]
fn gfp_zero_zeroes_a_reused_object() {
    let pages = StdPages::new();
    let c = cache(&pages, "zero", 100);
    let a = c.alloc(Gfp::KERNEL).unwrap();
    // SAFETY: the object is ours, 100 bytes.
    unsafe { a.as_ptr().write_bytes(0xff, 100) };
    free_all(&c, &[a]);
    let b = c.alloc(Gfp::KERNEL | Gfp::ZERO).unwrap();
    assert_eq!(a, b);
    // SAFETY: as above.
    assert!(unsafe { std::slice::from_raw_parts(b.as_ptr(), 100) }
        .iter()
        .all(|&x| x == 0));
}

#[test]
fn an_exhausted_page_source_gives_none_then_recovers() {
    let pages = StdPages::new();
    let c = cache(&pages, "nomem", 2048);
    pages.set_limit(Some(1));
    let objects = alloc_n(&c, c.layout().objects);
    assert_eq!(c.alloc(Gfp::NOWAIT), None);
    pages.set_limit(None);
    let more = alloc_n(&c, 1);
    free_all(&c, &objects);
    free_all(&c, &more);
}

#[test]
fn every_page_of_a_multi_page_slab_names_it() {
    let pages = StdPages::new();
    let c = cache(&pages, "big", 4096);
    assert_eq!(c.layout().order, 3);
    let objects = alloc_n(&c, 1);
    let base = page_of(objects[0].as_ptr() as usize) & !(c.layout().slab_bytes() - 1);
    let words: HashSet<usize> = (0..8)
        .map(|p| pages.page_owner(base + p * PAGE_SIZE))
        .collect();
    let owner = Owner::Slab {
        cache: c.addr() as usize,
        order: 3,
    };
    assert_eq!(words, HashSet::from([owner.encode()]));
    free_all(&c, &objects);
    c.shrink();
    assert_eq!(pages.owned_pages(), 0);
}

#[test]
fn frees_of_foreign_pointers_are_refused() {
    let pages = StdPages::new();
    let a = cache(&pages, "cache-a", 64);
    let b = cache(&pages, "cache-b", 64);
    let object = a.alloc(Gfp::KERNEL).unwrap();
    // SAFETY: refused before anything is touched.
    let err = unsafe { b.free(object) }.unwrap_err();
    assert_eq!(
        (err.kind, err.cache),
        (CorruptionKind::WrongCache, "cache-b")
    );
    let mut local = 0u64;
    // SAFETY: as above: no page of ours, nothing touched.
    let err = unsafe { a.free(NonNull::from(&mut local).cast()) }.unwrap_err();
    assert_eq!(err.kind, CorruptionKind::InvalidFree);
    assert_eq!(a.stats().corruptions, 1);
    free_all(&a, &[object]);
}

#[test]
fn without_debug_a_double_free_of_the_last_freed_object_is_caught() {
    let pages = StdPages::new();
    let c = cache(&pages, "df", 64);
    let objects = alloc_n(&c, 2);
    free_all(&c, &objects[..1]);
    // SAFETY: detected before the freelist is touched.
    let err = unsafe { c.free(objects[0]) }.unwrap_err();
    assert_eq!(err.kind, CorruptionKind::DoubleFree);
    assert_eq!(alloc_n(&c, 2).len(), 2, "the freelist is intact");
}

#[test]
fn dma_caches_ask_for_dma_pages_without_zeroing_them() {
    let pages = StdPages::new();
    let c = Cache::create(&pages, "dma", 64, 0, SlabFlags::CACHE_DMA, None).unwrap();
    let o = c.alloc(Gfp::KERNEL | Gfp::ZERO).unwrap();
    assert_eq!(pages.gfps(), [Gfp::KERNEL | Gfp::DMA]);
    free_all(&c, &[o]);
}

#[test]
fn invalid_geometry_is_refused_at_creation() {
    let pages = StdPages::new();
    let create = |size, align| Cache::create(&pages, "bad", size, align, SlabFlags::empty(), None);
    assert_eq!(create(0, 8).err(), Some(SlabError::InvalidSize));
    assert_eq!(create(64, 24).err(), Some(SlabError::InvalidAlign));
    assert_eq!(create(5 << 20, 8).err(), Some(SlabError::InvalidSize));
    let c = Cache::create(&pages, "hw", 40, 0, SlabFlags::HWCACHE_ALIGN, None).unwrap();
    assert_eq!(c.layout().align, 64);
    let c = Cache::create(&pages, "hw-small", 20, 0, SlabFlags::HWCACHE_ALIGN, None).unwrap();
    assert_eq!(c.layout().align, 32);
}

#[test]
fn debug_mode_changes_only_while_the_cache_holds_no_slab() {
    let pages = StdPages::new();
    let c = cache(&pages, "switch", 64);
    let o = c.alloc(Gfp::KERNEL).unwrap();
    assert_eq!(
        c.set_debug(true),
        Err(SlabError::HasSlabs { cache: "switch" })
    );
    free_all(&c, &[o]);
    assert_eq!(c.set_debug(true), Ok(()));
    assert!(c.layout().debug && c.layout().size > 64);
    assert_eq!(pages.live_blocks(), 0, "free slabs were given back first");
}

#[test]
fn many_threads_share_one_cache() {
    let pages = StdPages::new();
    let c = cache(&pages, "smp", 24);
    c.set_min_partial(0);
    std::thread::scope(|scope| {
        for t in 0..4u8 {
            let c = &c;
            scope.spawn(move || {
                for round in 0..200 {
                    let objects = alloc_n(c, 1 + round % 50);
                    for o in &objects {
                        // SAFETY: each object is this thread's, 24 bytes.
                        unsafe { o.as_ptr().write_bytes(t, 24) };
                    }
                    for o in &objects {
                        // SAFETY: as above.
                        let bytes = unsafe { std::slice::from_raw_parts(o.as_ptr(), 24) };
                        assert!(bytes.iter().all(|&b| b == t), "another thread wrote here");
                    }
                    free_all(c, &objects);
                }
            });
        }
    });
    // What the threads' stocks hold is free but still off its slabs; shrink flushes every
    // stock and, min_partial being 0, gives every slab back.
    let stats = c.stats();
    assert_eq!((stats.in_use(), stats.active_objs), (0, stats.cpu_objs));
    assert!(
        stats.free_slabs <= 1,
        "no surplus slab from concurrent growth"
    );
    c.shrink();
    assert_eq!(c.stats().active_objs, 0);
    assert_eq!(pages.live_blocks(), 0);
}

/// The cache grown by `grow_elsewhere_once`, as an address (a ctor gets no context).
static RACED: AtomicUsize = AtomicUsize::new(0);

/// A constructor that, the first time it runs, has another thread (another CPU) allocate
/// from the same cache: both CPUs found no free object and both grow the cache.
fn grow_elsewhere_once(_: *mut u8) {
    let addr = RACED.swap(0, Ordering::Relaxed);
    if addr != 0 {
        // SAFETY: the test stored the address of a cache that outlives this call.
        let cache = unsafe { &*(addr as *const Cache<'_>) };
        std::thread::scope(|s| {
            s.spawn(|| {
                let object = cache.alloc(Gfp::KERNEL).expect("memory");
                free_all(cache, &[object]);
            });
        });
    }
}

#[test]
fn a_slab_grown_while_another_cpu_grew_the_cache_is_not_kept_as_surplus() {
    let pages = StdPages::new();
    let c = Cache::create(
        &pages,
        "race",
        64,
        0,
        SlabFlags::empty(),
        Some(grow_elsewhere_once),
    );
    let c = c.unwrap();
    c.set_min_partial(0);
    RACED.store(&c as *const Cache<'_> as usize, Ordering::Relaxed);
    let object = c.alloc(Gfp::KERNEL).unwrap();
    let stats = c.stats();
    assert_eq!((stats.num_slabs(), stats.free_slabs), (1, 0));
    assert_eq!(pages.live_blocks(), 1, "the second slab went back at once");
    free_all(&c, &[object]);
    c.shrink();
    assert_eq!(pages.live_blocks(), 0);
}

#[test]
fn fragmented_memory_gets_slabs_of_the_least_order() {
    set_cpu(MAX_CPUS);
    let pages = StdPages::new();
    let c = cache(&pages, "fragmented", 1000);
    let layout = c.layout();
    assert!(layout.min_order < layout.order);
    pages.set_max_order(Some(layout.min_order));
    let small = layout.objects_at(layout.min_order);
    // Two small slabs' worth: every object comes, from blocks of the least order.
    let objects = alloc_n(&c, 2 * small);
    assert_eq!(pages.live_blocks(), 2);
    assert_eq!(pages.live_pages(), 2 << layout.min_order);
    let quiet = pages
        .gfps()
        .iter()
        .filter(|g| g.contains(Gfp::NOWARN))
        .count();
    assert_eq!(
        quiet, 2,
        "the preferred order is asked for without a warning"
    );
    let stats = c.stats();
    assert_eq!((stats.num_objs, stats.active_objs), (2 * small, 2 * small));
    // Memory heals: the next slab is of the layout's order, and both sizes live together.
    pages.set_max_order(None);
    let more = alloc_n(&c, 1);
    assert_eq!(c.stats().num_objs, 2 * small + layout.objects);
    free_all(&c, &objects);
    free_all(&c, &more);
    assert_eq!(c.stats().active_objs, 0);
    assert_eq!(c.shrink(), 3);
    assert_eq!(pages.live_blocks(), 0);
}
