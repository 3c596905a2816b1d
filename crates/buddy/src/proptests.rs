//! Property tests: random sequences of allocations and frees of mixed orders and gfp
//! sets, over a node with three zones and holes, never hand out overlapping blocks
//! or pages outside the free ranges, never lose a page, respect each gfp set's
//! watermark floor, and leave exactly the initial free lists once all is freed.

use std::collections::BTreeMap;
use std::string::ToString;
use std::vec::Vec;

use gfp::Gfp;
use proptest::prelude::*;

use crate::tests::mem_map;
use crate::{Node, ZoneInfo, ZoneType, DMA32_END_PFN, DMA_END_PFN, MAX_NR_ZONES};

const GFPS: [Gfp; 8] = [
    Gfp::KERNEL,
    Gfp::ATOMIC,
    Gfp::NOWAIT,
    Gfp::KERNEL.union(Gfp::DMA32),
    Gfp::DMA_KERNEL,
    Gfp::ATOMIC.union(Gfp::DMA),
    Gfp::NOWAIT.union(Gfp::DMA32),
    Gfp::KERNEL.union(Gfp::HIGH),
];

/// Bands where free ranges are drawn: all of DMA, the top of DMA32, the bottom of
/// Normal; small enough to keep each case fast.
const BANDS: [(u64, u64); 3] = [
    (0, DMA_END_PFN),
    (DMA32_END_PFN - 6000, DMA32_END_PFN),
    (DMA32_END_PFN, DMA32_END_PFN + 4096),
];

#[derive(Clone, Debug)]
enum Op {
    Alloc { gfp: usize, order: u32 },
    Free { index: usize },
    Drain,
}

fn order() -> impl Strategy<Value = u32> {
    prop_oneof![6 => 0..2u32, 3 => 2..5u32, 1 => 5..=10u32]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (0..GFPS.len(), order()).prop_map(|(gfp, order)| Op::Alloc { gfp, order }),
        8 => any::<usize>().prop_map(|index| Op::Free { index }),
        1 => Just(Op::Drain),
    ]
}

/// Free ranges: sorted distinct cut points in each band, paired up, so ranges never
/// touch and a band may stay empty (an absent zone).
fn ranges() -> impl Strategy<Value = Vec<(u64, u64)>> {
    let band = |(s, e): (u64, u64)| prop::collection::btree_set(s..e, 0..8);
    (band(BANDS[0]), band(BANDS[1]), band(BANDS[2])).prop_map(|(a, b, c)| {
        let mut out = Vec::new();
        for set in [a, b, c] {
            let points: Vec<u64> = set.into_iter().collect();
            out.extend(points.chunks_exact(2).map(|p| (p[0], p[1])));
        }
        out
    })
}

/// The lowest free count a successful `gfp` allocation may leave in a zone: the min
/// watermark lowered as __zone_watermark_ok() allows, plus the lowmem reserve.
fn floor(gfp: Gfp, z: &ZoneInfo, highest: usize) -> i64 {
    let mut min = z.min as i64;
    if gfp.contains(Gfp::HIGH) {
        min -= min / 2;
        if !gfp.can_sleep() {
            min -= min / 4;
        }
    }
    min + z.lowmem_reserve[highest] as i64
}

fn zones(n: &Node<'_>) -> [Option<ZoneInfo>; MAX_NR_ZONES] {
    ZoneType::ALL.map(|z| n.zone_info(z))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_alloc_free_sequences(
        ranges in ranges(),
        pcp in any::<bool>(),
        ops in prop::collection::vec(op(), 1..400),
    ) {
        let mut map = mem_map(BANDS[2].1);
        let mut n = Node::new(&mut map);
        n.set_pcp_enabled(pcp);
        for &(s, e) in &ranges {
            n.add_free_range(s, e).unwrap();
        }
        let initial_sets = n.verify();
        let initial_info = n.buddyinfo().to_string();
        let managed = zones(&n).map(|z| z.map_or(0, |z| z.managed));
        let mut live: BTreeMap<u64, u32> = BTreeMap::new();

        for (step, op) in ops.into_iter().enumerate() {
            match op {
                Op::Alloc { gfp, order } => {
                    let gfp = GFPS[gfp];
                    let highest = ZoneType::from_gfp(gfp).unwrap();
                    let result = n.alloc_pages(gfp, order);
                    if let Ok(pfn) = result {
                        let end = pfn + (1 << order);
                        prop_assert_eq!(pfn % (1 << order), 0);
                        prop_assert!(ZoneType::of_pfn(pfn) <= highest);
                        prop_assert!(ranges.iter().any(|&(s, e)| s <= pfn && end <= e));
                        if let Some((&prev, &o)) = live.range(..pfn).next_back() {
                            prop_assert!(prev + (1 << o) <= pfn, "overlap with {:#x}", prev);
                        }
                        if let Some((&next, _)) = live.range(pfn..).next() {
                            prop_assert!(end <= next, "overlap with {:#x}", next);
                        }
                        live.insert(pfn, order);
                        // Order 0 may refill the per-cpu list a batch below the check.
                        let z = n.zone_info(ZoneType::of_pfn(pfn)).unwrap();
                        let slack = if order == 0 && pcp { z.pcp_batch as i64 } else { 0 };
                        prop_assert!(z.free as i64 + slack >= floor(gfp, &z, highest.index()));
                    }
                }
                Op::Free { index } => {
                    if live.is_empty() {
                        continue;
                    }
                    let (&pfn, &order) = live.iter().nth(index % live.len()).unwrap();
                    n.free_pages(pfn, order).unwrap();
                    prop_assert!(n.free_pages(pfn, order).is_err(), "double free accepted");
                    live.remove(&pfn);
                }
                Op::Drain => n.drain_pages(),
            }

            // No page lost: free in buddy + on pcp lists + allocated = managed.
            for (i, z) in zones(&n).iter().enumerate() {
                let used: u64 = live
                    .iter()
                    .filter(|(&p, _)| ZoneType::of_pfn(p).index() == i)
                    .map(|(_, &o)| 1u64 << o)
                    .sum();
                let (free, pcp_count) = z.as_ref().map_or((0, 0), |z| (z.free, z.pcp_count));
                prop_assert_eq!(free + pcp_count + used, managed[i]);
            }
            if step % 16 == 0 {
                n.verify();
            }
        }

        for (pfn, order) in live {
            n.free_pages(pfn, order).unwrap();
        }
        n.drain_pages();
        prop_assert_eq!(n.verify(), initial_sets);
        prop_assert_eq!(n.buddyinfo().to_string(), initial_info);
    }
}
