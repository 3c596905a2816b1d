//! Property tests of kmalloc/kfree (Linux's slab invariants): random sequences of random
//! sizes, with each object filled, on a CPU with stocks or without, never hand out
//! overlapping memory, never disturb a live object's bytes, and leave every cache with only
//! free slabs, up to min_partial, once everything is freed and the stocks are flushed;
//! shrinking then gives every page back.

use std::collections::BTreeMap;
use std::vec::Vec;

use proptest::prelude::*;

use super::*;
use crate::testing::{set_cpu, Km, StdPages};
use crate::MAX_CPUS;

#[derive(Clone, Debug)]
enum Op {
    Alloc {
        size: usize,
        dma: bool,
        zero: bool,
    },
    /// Frees the live object at this index (modulo the number live).
    Free(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let size = prop_oneof![
        4 => 1usize..=256,
        3 => 257usize..=KMALLOC_MAX_CACHE_SIZE,
        1 => KMALLOC_MAX_CACHE_SIZE + 1..=40_000,
    ];
    prop_oneof![
        3 => (size, any::<bool>(), any::<bool>()).prop_map(|(size, dma, zero)| {
            Op::Alloc { size, dma: dma && size % 5 == 0, zero }
        }),
        2 => any::<usize>().prop_map(Op::Free),
    ]
}

/// A live object: its length, and the byte it was filled with.
type Live = BTreeMap<usize, (usize, u8)>;

fn check_intact(addr: usize, len: usize, fill: u8) {
    // SAFETY: the object is live and `len` bytes long.
    let bytes = unsafe { std::slice::from_raw_parts(addr as *const u8, len) };
    assert!(
        bytes.iter().all(|&b| b == fill),
        "object at {addr:#x} was disturbed"
    );
}

fn alloc(k: &Km<'_>, live: &mut Live, size: usize, gfp: Gfp, fill: u8) {
    let ptr = k.kmalloc(size, gfp).expect("the host has memory");
    let addr = ptr.as_ptr() as usize;
    let span = k.ksize(ptr.as_ptr());
    assert!(span >= size);
    if let Some((&before, &(len, _))) = live.range(..addr).next_back() {
        assert!(
            before + k.ksize(before as *const u8).max(len) <= addr,
            "overlap below"
        );
    }
    if let Some((&after, _)) = live.range(addr..).next() {
        assert!(addr + span <= after, "overlap above");
    }
    if gfp.contains(Gfp::ZERO) {
        check_intact(addr, size, 0);
    }
    // SAFETY: the object is ours and `size` bytes long.
    unsafe { ptr.as_ptr().write_bytes(fill, size) };
    live.insert(addr, (size, fill));
}

fn free(k: &Km<'_>, live: &mut Live, addr: usize) {
    let (len, fill) = live.remove(&addr).expect("live");
    check_intact(addr, len, fill);
    // SAFETY: the object came from `k` and is freed once.
    unsafe { k.kfree(addr as *const u8) }.expect("clean kfree");
}

fn run(ops: &[Op], debug: bool, stocks: bool) {
    set_cpu(if stocks { 0 } else { MAX_CPUS });
    let pages = StdPages::new();
    let k = Km::new(&pages);
    k.set_debug(debug).unwrap();
    let mut live = Live::new();
    for (n, op) in ops.iter().enumerate() {
        match *op {
            Op::Alloc { size, dma, zero } => {
                let mut gfp = if dma { Gfp::DMA_KERNEL } else { Gfp::KERNEL };
                if zero {
                    gfp |= Gfp::ZERO;
                }
                alloc(&k, &mut live, size, gfp, n as u8 | 1);
            }
            Op::Free(index) if !live.is_empty() => {
                let addr = *live.keys().nth(index % live.len()).expect("in range");
                free(&k, &mut live, addr);
            }
            Op::Free(_) => {}
        }
    }
    for addr in live.keys().copied().collect::<Vec<_>>() {
        free(&k, &mut live, addr);
    }

    assert!(k.caches().all(|cache| cache.stats().in_use() == 0));
    let mut kept = 0;
    for cache in k.caches() {
        cache.flush_cpu_stocks();
        let stats = cache.stats();
        assert_eq!(stats.active_objs, 0, "{}", stats.name);
        assert_eq!(
            (stats.partial_slabs, stats.full_slabs),
            (0, 0),
            "{}",
            stats.name
        );
        assert!(stats.free_slabs <= cache.min_partial(), "{}", stats.name);
        assert_eq!(stats.corruptions, 0);
        kept += stats.free_slabs;
    }
    assert_eq!(k.large_bytes(), 0);
    assert_eq!(pages.live_blocks(), kept, "every other block went back");
    k.shrink();
    assert_eq!((pages.live_blocks(), pages.owned_pages()), (0, 0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn kmalloc_never_overlaps_or_loses_memory(
        ops in proptest::collection::vec(op(), 1..400),
        debug in any::<bool>(),
        stocks in any::<bool>(),
    ) {
        run(&ops, debug, stocks);
    }
}
