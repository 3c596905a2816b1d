//! Tests of the cache registry: /proc/slabinfo text exactly as Linux's printf formats make
//! it (expected lines were produced by C's printf with cache_show's formats), objects in CPU
//! stocks counted active as Linux counts them, newest cache first, registration limits,
//! and the slab numbers of /proc/meminfo.

use std::format;
use std::string::ToString;
use std::vec::Vec;

use gfp::Gfp;

use super::*;
use crate::cache::SlabFlags;
use crate::testing::{Cache, Km, Lock, StdPages};

type Registry<'a> = SlabRegistry<'a, Lock, 64>;

#[test]
fn slabinfo_is_linux_s_version_2_1_text() {
    let pages = StdPages::new();
    let tasks = Cache::create(&pages, "task_struct", 1000, 0, SlabFlags::empty(), None).unwrap();
    let dentry = Cache::create(&pages, "dentry", 192, 0, SlabFlags::RECLAIM_ACCOUNT, None);
    let dentry = dentry.unwrap();
    let registry = Registry::new();
    registry.register(&tasks).unwrap();
    registry.register(&dentry).unwrap();
    let t: Vec<_> = (0..3).map(|_| tasks.alloc(Gfp::KERNEL).unwrap()).collect();
    let d: Vec<_> = (0..22)
        .map(|_| dentry.alloc(Gfp::KERNEL).unwrap())
        .collect();

    // 22 dentries in use and 14 in this CPU's stock: batches of 15, of the 6 left in the
    // first slab, then of 15 from the second. Three tasks and 5 in the stock: a batch of 8.
    let expected = "slabinfo - version: 2.1\n\
# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> \
: tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> \
<sharedavail>\n\
dentry                36     42    192   21    1 : tunables   30   15    0 \
: slabdata      2      2      0\n\
task_struct            8      8   1000    8    2 : tunables   16    8    0 \
: slabdata      1      1      0\n";
    assert_eq!(registry.slabinfo().to_string(), expected);

    let info = registry.meminfo();
    assert_eq!(
        info,
        SlabMeminfo {
            reclaimable_bytes: 8192,
            unreclaimable_bytes: 8192
        }
    );
    assert_eq!(info.total_bytes(), 16384);
    // SAFETY: every object came from its cache and is freed once.
    unsafe {
        t.into_iter().for_each(|o| tasks.free(o).unwrap());
        d.into_iter().for_each(|o| dentry.free(o).unwrap());
    }
}

#[test]
fn long_names_and_numbers_widen_the_columns_as_printf_does() {
    let stats = CacheStats {
        name: "a_very_long_cache_name_here",
        object_size: 100_000,
        size: 100_000,
        active_objs: 123_456,
        num_objs: 1_234_567,
        objs_per_slab: 1,
        pages_per_slab: 32,
        partial_slabs: 1_234_567,
        full_slabs: 0,
        free_slabs: 0,
        reclaimable: false,
        corruptions: 0,
        quarantined: 0,
        limit: 0,
        batchcount: 0,
        cpu_objs: 0,
    };
    assert_eq!(
        format!("{stats}"),
        "a_very_long_cache_name_here 123456 1234567 100000    1   32 : tunables    0    0    0 \
         : slabdata 1234567 1234567      0"
    );
}

#[test]
fn kmalloc_caches_are_listed_with_their_numbers() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    let registry = Registry::new();
    k.register(&registry).unwrap();
    assert_eq!(registry.len(), 26);
    let ptrs: Vec<_> = (0..3)
        .map(|_| k.kmalloc(50, Gfp::KERNEL).unwrap())
        .collect();
    let text = registry.slabinfo().to_string();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 26);
    assert_eq!(lines[2].split_whitespace().next(), Some("dma-kmalloc-8k"));
    assert_eq!(lines[27].split_whitespace().next(), Some("kmalloc-8"));
    assert!(lines.contains(
        &"kmalloc-64            15     63     64   63    1 : tunables   30   15    0 \
          : slabdata      1      1      0"
    ));
    assert_eq!(registry.meminfo().unreclaimable_bytes, 4096);
    // SAFETY: every pointer came from `k` and is freed once.
    ptrs.into_iter()
        .for_each(|p| unsafe { k.kfree(p.as_ptr()) }.unwrap());
}

#[test]
fn registration_is_bounded_idempotent_and_undone_by_destroy() {
    let pages = StdPages::new();
    let a = Cache::create(&pages, "a", 64, 0, SlabFlags::empty(), None).unwrap();
    let b = Cache::create(&pages, "b", 64, 0, SlabFlags::empty(), None).unwrap();
    let registry: SlabRegistry<'_, Lock, 1> = SlabRegistry::new();
    assert!(registry.is_empty());
    registry.register(&a).unwrap();
    registry.register(&a).unwrap();
    assert_eq!(registry.register(&b), Err(SlabError::RegistryFull));
    assert_eq!(registry.len(), 1);

    let object = a.alloc(Gfp::KERNEL).unwrap();
    assert!(matches!(
        registry.destroy(&a),
        Err(SlabError::InUse { objects: 1, .. })
    ));
    assert_eq!(registry.len(), 1, "a cache that survives stays listed");
    // SAFETY: the object came from `a`.
    unsafe { a.free(object) }.unwrap();
    assert_eq!(registry.destroy(&a), Ok(()));
    assert!(registry.is_empty());
    assert!(!registry.unregister(&a));
    registry.register(&b).unwrap();
    assert_eq!(
        registry
            .slabinfo()
            .to_string()
            .lines()
            .nth(2)
            .map(|l| &l[..2]),
        Some("b ")
    );
}
