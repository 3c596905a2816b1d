//! Benchmarks of the page allocator's hot paths against the `buddy_system_allocator`
//! crate's FrameAllocator, over the same 256 MiB of page frames in the same run:
//! order-0 alloc+free pairs, and one fixed random sequence of mixed-order allocations
//! and frees. Also the boot cost of building a 2 GiB node. Read the ratios only.

use std::hint::black_box;

use buddy::{Gfp, Node, Page};
use buddy_system_allocator::FrameAllocator;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

/// 256 MiB of DMA32 page frames, starting at 16 MiB.
const START: u64 = 4096;
const PAGES: u64 = 65536;

/// MAX_ORDER 10 on both sides: FrameAllocator's largest block is 2^(ORDER - 1).
type Frames = FrameAllocator<11>;

fn frames() -> Frames {
    let mut f = Frames::new();
    f.add_frame(START as usize, (START + PAGES) as usize);
    f
}

fn node(map: &mut [Page], pcp: bool) -> Node<'_> {
    let mut n = Node::new(map);
    n.set_pcp_enabled(pcp);
    n.add_free_range(START, START + PAGES).unwrap();
    n
}

fn order0_pairs(c: &mut Criterion) {
    let mut g = c.benchmark_group("order0_alloc_free");
    let mut map = vec![Page::EMPTY; (START + PAGES) as usize];

    let mut n = node(&mut map, true);
    g.bench_function("noyau", |b| {
        b.iter(|| {
            let pfn = n.alloc_pages(Gfp::KERNEL, 0).unwrap();
            n.free_pages(black_box(pfn), 0).unwrap();
        })
    });

    let mut n = node(&mut map, false);
    g.bench_function("noyau_without_pcp", |b| {
        b.iter(|| {
            let pfn = n.alloc_pages(Gfp::KERNEL, 0).unwrap();
            n.free_pages(black_box(pfn), 0).unwrap();
        })
    });

    let mut f = frames();
    g.bench_function("buddy_system_allocator", |b| {
        b.iter(|| {
            let frame = f.alloc(1).unwrap();
            f.dealloc(black_box(frame), 1);
        })
    });
    g.finish();
}

#[derive(Clone, Copy)]
enum Op {
    Alloc { slot: usize, order: u32 },
    Free { slot: usize },
}

/// A fixed sequence over 512 slots: orders 0 (60%), 1-3 (30%), 4-8 (10%), about
/// 3000 pages live at a time; everything freed at the end.
fn mixed_ops() -> Vec<Op> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut live = vec![false; 512];
    let mut ops = Vec::new();
    for _ in 0..8192 {
        let slot = (rand() % 512) as usize;
        if live[slot] {
            ops.push(Op::Free { slot });
            live[slot] = false;
        } else {
            let order = match rand() % 10 {
                0..=5 => 0,
                6..=8 => 1 + (rand() % 3) as u32,
                _ => 4 + (rand() % 5) as u32,
            };
            ops.push(Op::Alloc { slot, order });
            live[slot] = true;
        }
    }
    ops.extend((0..512).filter(|&s| live[s]).map(|slot| Op::Free { slot }));
    ops
}

fn mixed_orders(c: &mut Criterion) {
    let ops = mixed_ops();
    let mut g = c.benchmark_group("mixed_orders_8192_ops");
    let mut map = vec![Page::EMPTY; (START + PAGES) as usize];
    let mut slots = vec![(0u64, 0u32); 512];

    let mut n = node(&mut map, true);
    g.bench_function("noyau", |b| {
        b.iter(|| {
            for &op in &ops {
                match op {
                    Op::Alloc { slot, order } => {
                        slots[slot] = (n.alloc_pages(Gfp::KERNEL, order).unwrap(), order)
                    }
                    Op::Free { slot } => n.free_pages(slots[slot].0, slots[slot].1).unwrap(),
                }
            }
        })
    });

    let mut f = frames();
    g.bench_function("buddy_system_allocator", |b| {
        b.iter(|| {
            for &op in &ops {
                match op {
                    Op::Alloc { slot, order } => {
                        let frame = f.alloc(1 << order).unwrap() as u64;
                        slots[slot] = (frame, order);
                    }
                    Op::Free { slot } => f.dealloc(slots[slot].0 as usize, 1 << slots[slot].1),
                }
            }
        })
    });
    g.finish();
}

fn boot_2gib(c: &mut Criterion) {
    // QEMU -m 2G: free RAM at [4 KiB, 636 KiB) and [3 MiB, 2 GiB - 128 KiB).
    let end = 0x7ffe0u64;
    let mut map = vec![Page::EMPTY; end as usize];
    c.bench_function("init_2gib_node", |b| {
        b.iter_batched(
            || (),
            |()| {
                let mut n = Node::new(&mut map);
                n.add_free_range(1, 0x9f).unwrap();
                n.add_free_range(0x300, end).unwrap();
                black_box(n.nr_free_pages())
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, order0_pairs, mixed_orders, boot_2gib);
criterion_main!(benches);
