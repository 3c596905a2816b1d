//! Property tests of memblock against a byte map of a small address space: random
//! add/remove/reserve/free/alloc sequences keep the arrays sorted and merged, every
//! allocation is inside RAM, aligned, below its limit, the highest (or lowest) place
//! that fits, and free ranges plus reserved RAM partition RAM exactly.

use std::vec;
use std::vec::Vec;

use proptest::prelude::*;

use crate::{Memblock, MAX_REGIONS, PAGE_SIZE};

/// The model's address space: small, so overlaps are frequent.
const SPACE: u64 = 0x4000;

#[derive(Clone, Debug)]
enum Op {
    AddMemory(u64, u64),
    RemoveMemory(u64, u64),
    Reserve(u64, u64),
    Free(u64, u64),
    Alloc {
        size: u64,
        align_log2: u32,
        limit: u64,
        bottom_up: bool,
    },
}

fn range() -> impl Strategy<Value = (u64, u64)> {
    // Kept inside the model's space, so the model sees every byte memblock sees.
    (0..SPACE, prop_oneof![1..0x100u64, 1..0x2000u64])
        .prop_map(|(base, size)| (base, size.min(SPACE - base)))
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => range().prop_map(|(b, s)| Op::AddMemory(b, s)),
        1 => range().prop_map(|(b, s)| Op::RemoveMemory(b, s)),
        2 => range().prop_map(|(b, s)| Op::Reserve(b, s)),
        1 => range().prop_map(|(b, s)| Op::Free(b, s)),
        4 => (0..0x1000u64, 0..14u32, 0..SPACE + 0x100, any::<bool>()).prop_map(
            |(size, align_log2, limit, bottom_up)| Op::Alloc { size, align_log2, limit, bottom_up }
        ),
    ]
}

/// Byte-granular model: is each byte RAM, is it reserved.
struct Model {
    memory: Vec<bool>,
    reserved: Vec<bool>,
}

impl Model {
    fn set(map: &mut [bool], base: u64, size: u64, value: bool) {
        let end = (base + size).min(SPACE);
        for b in base.min(SPACE)..end {
            map[b as usize] = value;
        }
    }

    fn is_free(&self, a: u64) -> bool {
        self.memory[a as usize] && !self.reserved[a as usize]
    }

    /// Where Linux's rules place an allocation, found by brute force.
    fn expected_alloc(&self, size: u64, align: u64, limit: u64, bottom_up: bool) -> Option<u64> {
        let end = limit.min(SPACE);
        // run[a]: how many free bytes follow a, a included.
        let mut run = vec![0u64; SPACE as usize + 1];
        for a in (0..SPACE).rev() {
            run[a as usize] = if self.is_free(a) {
                run[a as usize + 1] + 1
            } else {
                0
            };
        }
        let fits = |a: &u64| a + size <= end && run[*a as usize] >= size;
        let mut cands = (PAGE_SIZE..end).filter(|a| a % align == 0);
        if bottom_up {
            cands.find(fits)
        } else {
            cands.rfind(fits)
        }
    }
}

fn check_sorted_merged(mb: &Memblock) {
    for regions in [mb.memory(), mb.reserved()] {
        assert!(regions.len() <= MAX_REGIONS);
        for r in regions {
            assert!(r.size > 0);
        }
        for w in regions.windows(2) {
            assert!(
                w[0].end() < w[1].base,
                "regions not sorted, disjoint, apart: {w:?}"
            );
        }
    }
}

fn check_partition(mb: &Memblock, model: &Model) {
    let mut free = vec![false; SPACE as usize];
    let mut last_end = 0;
    for (s, e) in mb.free_ranges() {
        assert!(s < e && s >= last_end, "free ranges out of order");
        last_end = e;
        Model::set(&mut free, s, e - s, true);
    }
    let bytes = model.memory.iter().zip(&model.reserved).zip(&free);
    for (a, ((&memory, &reserved), &free)) in bytes.enumerate() {
        assert_eq!(free, memory && !reserved, "byte {a:#x}");
    }
    let memory = model.memory.iter().filter(|&&m| m).count() as u64;
    let reserved = model.reserved.iter().filter(|&&r| r).count() as u64;
    let free_count = free.iter().filter(|&&f| f).count() as u64;
    let reserved_ram = (0..SPACE as usize).filter(|&a| model.memory[a] && model.reserved[a]);
    assert_eq!(free_count + reserved_ram.count() as u64, memory);
    assert_eq!(mb.memory_size(), memory);
    assert_eq!(mb.reserved_size(), reserved);
    assert_eq!(mb.free_size(), free_count);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_sequences_keep_memblock_exact(ops in prop::collection::vec(op(), 1..60)) {
        let mut mb = Memblock::new();
        let empty = vec![false; SPACE as usize];
        let mut model = Model { memory: empty.clone(), reserved: empty };
        let mut allocated: Vec<(u64, u64)> = Vec::new();

        for op in ops {
            match op {
                Op::AddMemory(b, s) => {
                    mb.add_memory(b, s).unwrap();
                    Model::set(&mut model.memory, b, s, true);
                }
                Op::RemoveMemory(b, s) => {
                    mb.remove_memory(b, s).unwrap();
                    Model::set(&mut model.memory, b, s, false);
                }
                Op::Reserve(b, s) => {
                    mb.reserve(b, s).unwrap();
                    Model::set(&mut model.reserved, b, s, true);
                }
                Op::Free(b, s) => {
                    mb.free(b, s).unwrap();
                    Model::set(&mut model.reserved, b, s, false);
                    allocated.retain(|&(a, sz)| a + sz <= b || a >= b + s);
                }
                Op::Alloc { size, align_log2, limit, bottom_up } => {
                    let align = 1u64 << align_log2;
                    mb.set_bottom_up(bottom_up);
                    let want = if size == 0 {
                        None
                    } else {
                        model.expected_alloc(size, align, limit, bottom_up)
                    };
                    let got = mb.alloc(size, align, limit);
                    prop_assert_eq!(got, want);
                    if let Some(a) = got {
                        prop_assert_eq!(a % align, 0);
                        prop_assert!(a + size <= limit && a >= PAGE_SIZE);
                        for &(b, s) in &allocated {
                            prop_assert!(a + size <= b || b + s <= a, "allocations overlap");
                        }
                        allocated.push((a, size));
                        Model::set(&mut model.reserved, a, size, true);
                    }
                }
            }
            check_sorted_merged(&mb);
        }
        check_partition(&mb, &model);
    }
}
