//! Property tests of the vmalloc range allocator (Linux's vmap_area bookkeeping): random
//! sequences of vmalloc and vfree, good and bad, checked against the invariants after
//! every step and against a plain list of the areas handed out.

extern crate std;

use std::vec::Vec;

use proptest::prelude::*;

use crate::{VmArea, VmapAreas, PAGE_SIZE};

const START: u64 = 0xffff_c900_0000_0000;
/// Small enough that random requests exhaust it, so failure and reuse both happen.
const END: u64 = START + (4 << 20);

#[derive(Clone, Debug)]
enum Op {
    /// Allocate `size` bytes aligned to 2^`align_order`.
    Alloc { size: u64, align_order: u32 },
    /// Free the live area picked by this index, if any.
    Free(usize),
    /// Free an address that is a live area's start plus an offset, or a random one.
    FreeBad(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u64..64 * 1024, 0u32..22).prop_map(|(size, align_order)| Op::Alloc {
            size,
            align_order
        }),
        1 => (256 * 1024u64..2 << 20, 12u32..21).prop_map(|(size, align_order)| Op::Alloc {
            size,
            align_order
        }),
        3 => any::<usize>().prop_map(Op::Free),
        1 => any::<u64>().prop_map(Op::FreeBad),
    ]
}

/// Everything that must hold between two calls.
fn check(v: &VmapAreas, live: &[VmArea]) {
    let areas: Vec<VmArea> = v.iter().collect();
    let mut expected = live.to_vec();
    expected.sort_by_key(|a| a.addr);
    assert_eq!(areas, expected, "the allocator lost or invented an area");
    assert_eq!(v.areas(), live.len());
    let used: u64 = live.iter().map(VmArea::usable_size).sum();
    assert_eq!(v.used_bytes(), used);

    // Busy areas and free ranges tile [START, END) exactly: no overlap (guard pages
    // included, since they count in the size), no gap, no two free ranges side by side.
    let mut pieces: Vec<(u64, u64, bool)> = areas.iter().map(|a| (a.addr, a.size, true)).collect();
    pieces.extend(v.free_ranges().map(|(addr, size)| (addr, size, false)));
    pieces.sort();
    let mut at = START;
    let mut last_free = false;
    for (addr, size, busy) in pieces {
        assert_eq!(addr, at, "overlap or gap at {addr:#x}");
        assert!(size > 0 && size % PAGE_SIZE == 0 && addr % PAGE_SIZE == 0);
        assert!(
            busy || !last_free,
            "adjacent free ranges at {addr:#x} not merged"
        );
        at = addr + size;
        last_free = !busy;
    }
    assert_eq!(at, END);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_vmalloc_vfree_keeps_the_invariants(ops in prop::collection::vec(op(), 1..200)) {
        let mut v = VmapAreas::new(START, END);
        let mut live: Vec<VmArea> = Vec::new();

        for op in ops {
            match op {
                Op::Alloc { size, align_order } => {
                    let align = 1u64 << align_order;
                    if let Some(a) = v.alloc(size, align) {
                        prop_assert!(a.addr >= START && a.end() <= END);
                        prop_assert_eq!(a.addr % align.max(PAGE_SIZE), 0);
                        prop_assert!(a.usable_size() >= size);
                        prop_assert!(a.usable_size() < size + PAGE_SIZE);
                        prop_assert_eq!(v.find(a.guard_page()), Some(a));
                        live.push(a);
                    } else {
                        // Refused only if no free range could take it.
                        let need = size.div_ceil(PAGE_SIZE) * PAGE_SIZE + PAGE_SIZE;
                        prop_assert!(v.largest_free() < need + align.max(PAGE_SIZE) - PAGE_SIZE);
                    }
                }
                Op::Free(i) if !live.is_empty() => {
                    let a = live.swap_remove(i % live.len());
                    prop_assert_eq!(v.free(a.addr), Some(a));
                    prop_assert_eq!(v.find(a.addr), None);
                }
                Op::Free(_) => prop_assert_eq!(v.free(START), None),
                Op::FreeBad(x) => {
                    let is_start = live.iter().any(|a| a.addr == x);
                    if !is_start {
                        prop_assert_eq!(v.free(x), None);
                    }
                    if let Some(a) = live.first() {
                        let inside = a.addr + 1 + x % (a.size - 1);
                        prop_assert_eq!(v.free(inside), None);
                        prop_assert_eq!(v.find(inside), Some(*a));
                    }
                }
            }
            check(&v, &live);
        }

        for a in live.drain(..) {
            prop_assert_eq!(v.free(a.addr), Some(a));
        }
        check(&v, &live);
        prop_assert_eq!(v.free_ranges().collect::<Vec<_>>(), [(START, END - START)]);
    }

    #[test]
    fn find_agrees_with_a_linear_search(
        sizes in prop::collection::vec(1u64..32 * 1024, 1..40),
        probes in prop::collection::vec(START..END, 1..64),
    ) {
        let mut v = VmapAreas::new(START, END);
        let areas: Vec<VmArea> = sizes.iter().filter_map(|&s| v.alloc(s, 1)).collect();
        for (i, a) in areas.iter().enumerate() {
            if i % 3 == 0 {
                v.free(a.addr);
            }
        }
        let live: Vec<VmArea> = v.iter().collect();
        for p in probes {
            prop_assert_eq!(v.find(p), live.iter().copied().find(|a| a.contains(p)));
        }
    }
}
