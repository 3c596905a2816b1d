//! Tests of the watermark rules per gfp set, of the zone fallback order as the
//! watermarks and lowmem reserves shape it, and of refused calls leaving the
//! allocator unchanged.

use std::vec::Vec;

use gfp::Gfp;

use crate::tests::{mem_map, node};
use crate::{AllocError, FreeError, Node, ZoneInfo, ZoneType, DMA32_END_PFN};

fn dma32(n: &Node<'_>) -> ZoneInfo {
    n.zone_info(ZoneType::Dma32).unwrap()
}

/// Allocate order-0 pages with `gfp` until refused; returns the error.
fn exhaust(n: &mut Node<'_>, gfp: Gfp) -> AllocError {
    loop {
        if let Err(e) = n.alloc_pages(gfp, 0) {
            return e;
        }
    }
}

/// A 64 MiB DMA32-only node without per-cpu lists, so free counts are exact.
fn zone_64m(map: &mut [crate::Page]) -> Node<'_> {
    node(map, &[(4096, 4096 + 16384)], false)
}

#[test]
fn watermarks_of_a_64m_zone() {
    let mut map = mem_map(4096 + 16384);
    let n = zone_64m(&mut map);
    // sqrt(65536 KiB * 16) = 1024 KiB: 256 pages; gap max(256 / 4, 16384 / 1000).
    assert_eq!(n.min_free_kbytes(), 1024);
    let z = dma32(&n);
    assert_eq!((z.min, z.low, z.high), (256, 320, 384));
    assert_eq!(n.totalreserve_pages(), 384);
}

#[test]
fn each_gfp_set_stops_at_its_own_floor() {
    let min = 256i64;
    let atomic_floor = (min - min / 2) - (min - min / 2) / 4; // 96: 3/8 of min
    let cases = [
        (Gfp::NOWAIT, min, false),
        (Gfp::KERNEL, min, true),
        // A user page leaves the reserve between low and min to the kernel.
        (Gfp::USER, min + min / 4, true),
        (Gfp::ATOMIC, atomic_floor, false),
        (Gfp::KERNEL | Gfp::HIGH, min - min / 2, true),
        (Gfp::NOWAIT | Gfp::HIGH, atomic_floor, false),
    ];
    for (gfp, floor, reclaim_tried) in cases {
        let mut map = mem_map(4096 + 16384);
        let mut n = zone_64m(&mut map);
        let err = exhaust(&mut n, gfp);
        assert_eq!(
            err,
            AllocError::NoMemory {
                order: 0,
                reclaim_tried
            },
            "{gfp:?}"
        );
        assert_eq!(dma32(&n).free as i64, floor, "{gfp:?}");
        n.verify();
    }
}

#[test]
fn atomic_still_succeeds_where_nowait_and_kernel_fail() {
    let mut map = mem_map(4096 + 16384);
    let mut n = zone_64m(&mut map);
    exhaust(&mut n, Gfp::KERNEL);
    assert!(n.alloc_pages(Gfp::NOWAIT, 0).is_err());
    assert!(n.alloc_pages(Gfp::ATOMIC, 0).is_ok());
}

#[test]
fn higher_orders_count_all_but_one_page() {
    let mut map = mem_map(4096 + 1024);
    let mut n = node(&mut map, &[(4096, 4096 + 1024)], false);
    n.set_min_free_kbytes(400);
    let z = dma32(&n);
    assert_eq!((z.min, z.low, z.high), (100, 125, 150));
    while dma32(&n).free > 108 {
        n.alloc_pages(Gfp::KERNEL, 0).unwrap();
    }
    // 108 - 7 = 101 > 100: an order-3 block still fits above min, then nothing.
    assert!(n.alloc_pages(Gfp::NOWAIT, 3).is_ok());
    assert_eq!(dma32(&n).free, 100);
    assert!(n.alloc_pages(Gfp::NOWAIT, 3).is_err());
    assert!(n.alloc_pages(Gfp::NOWAIT, 0).is_err());
    assert!(n.alloc_pages(Gfp::ATOMIC, 3).is_ok());
}

#[test]
fn kernel_allocations_drain_pcp_before_failing() {
    let mut map = mem_map(4096 + 1024);
    let mut n = node(&mut map, &[(4096, 4096 + 1024)], true);
    n.set_min_free_kbytes(0);
    let pfns: Vec<u64> = (0..1024)
        .map(|_| n.alloc_pages(Gfp::KERNEL, 0).unwrap())
        .collect();
    assert_eq!(pfns[..4], [4096, 4097, 4098, 4099]);
    // Freed order-0 pages stay on the per-cpu list (high 4, batch 1): only the first
    // goes back to buddy, and no order-2 block forms.
    for &pfn in &pfns[..4] {
        n.free_pages(pfn, 0).unwrap();
    }
    assert_eq!((dma32(&n).pcp_count, dma32(&n).free), (3, 1));
    let order2 = n.alloc_pages(Gfp::NOWAIT, 2);
    assert_eq!(
        order2,
        Err(AllocError::NoMemory {
            order: 2,
            reclaim_tried: false
        })
    );
    assert_eq!(n.alloc_pages(Gfp::KERNEL, 2), Ok(4096));
    assert_eq!(dma32(&n).pcp_count, 0);
    n.verify();
}

#[test]
fn fallback_order_follows_low_then_min_watermarks() {
    let normal = DMA32_END_PFN;
    let mut map = mem_map(normal + 1024);
    let ranges = [(1, 4096), (4096, 8192), (normal, normal + 1024)];
    let mut n = node(&mut map, &ranges, false);
    let info = |n: &Node<'_>| ZoneType::ALL.map(|z| n.zone_info(z).unwrap());
    let [dma, dma32, norm] = info(&n);
    // Protection against Normal-capable allocations: managed above / 256.
    assert_eq!(dma.lowmem_reserve[2], (4096 + 1024) / 256);
    assert_eq!(dma32.lowmem_reserve[2], 1024 / 256);

    // The fast path drains Normal, DMA32, DMA to their low watermarks plus reserve,
    // then the slow path to their min watermarks plus reserve, in the same order.
    let mut expect = Vec::new();
    expect.extend([(ZoneType::Normal, norm.free - norm.low)]);
    expect.extend([(
        ZoneType::Dma32,
        dma32.free - dma32.low - dma32.lowmem_reserve[2],
    )]);
    expect.extend([(ZoneType::Dma, dma.free - dma.low - dma.lowmem_reserve[2])]);
    expect.extend([(ZoneType::Normal, norm.low - norm.min)]);
    expect.extend([(ZoneType::Dma32, dma32.low - dma32.min)]);
    expect.extend([(ZoneType::Dma, dma.low - dma.min)]);

    let mut got: Vec<(ZoneType, u64)> = Vec::new();
    while let Ok(pfn) = n.alloc_pages(Gfp::KERNEL, 0) {
        let z = ZoneType::of_pfn(pfn);
        match got.last_mut() {
            Some((last, count)) if *last == z => *count += 1,
            _ => got.push((z, 1)),
        }
    }
    assert_eq!(got, expect);
    n.verify();
}

#[test]
fn refused_calls_change_nothing() {
    let mut map = mem_map(8192);
    let mut n = Node::new(&mut map);
    n.add_memory(1, 8192).unwrap();
    n.add_free_range(4096, 8192).unwrap();
    n.set_min_free_kbytes(0);
    let a = n.alloc_pages(Gfp::KERNEL, 0).unwrap();
    let b = n.alloc_pages(Gfp::KERNEL, 2).unwrap();
    let c = n.alloc_pages(Gfp::KERNEL, 1).unwrap();
    n.free_pages(a, 0).unwrap(); // to the per-cpu list
    n.free_pages(c, 1).unwrap(); // to buddy: its buddy, a, is not free in buddy
    let before = (n.buddyinfo(), dma32(&n), n.nr_pcp_pages());

    let refused = [
        (a, 0, FreeError::DoubleFree { pfn: a }),
        (c, 1, FreeError::DoubleFree { pfn: c }),
        (b + 1, 0, FreeError::NotAllocated { pfn: b + 1 }),
        (
            b,
            1,
            FreeError::WrongOrder {
                pfn: b,
                order: 1,
                allocated: 2,
            },
        ),
        (b + 2, 1, FreeError::NotAllocated { pfn: b + 2 }),
        (
            b + 1,
            2,
            FreeError::Misaligned {
                pfn: b + 1,
                order: 2,
            },
        ),
        (b, 11, FreeError::BadOrder { order: 11 }),
        (8190, 2, FreeError::OutOfRange { pfn: 8190 }),
        (8192, 0, FreeError::OutOfRange { pfn: 8192 }),
        (8188, 3, FreeError::OutOfRange { pfn: 8188 }),
        (u64::MAX, 0, FreeError::OutOfRange { pfn: u64::MAX }),
        (100, 0, FreeError::NotAllocated { pfn: 100 }), // reserved RAM
        (0, 0, FreeError::NotAllocated { pfn: 0 }),     // a hole
        (6000, 0, FreeError::NotAllocated { pfn: 6000 }), // inside a free block
    ];
    for (pfn, order, err) in refused {
        assert_eq!(n.free_pages(pfn, order), Err(err));
        assert_eq!((n.buddyinfo(), dma32(&n), n.nr_pcp_pages()), before);
    }
    assert_eq!(
        n.alloc_pages(Gfp::KERNEL, 11),
        Err(AllocError::BadOrder { order: 11 })
    );
    assert_eq!(
        n.alloc_pages(Gfp::DMA | Gfp::DMA32, 0),
        Err(AllocError::BadZoneModifier)
    );
    // No managed memory in DMA: a DMA allocation fails though DMA32 has memory.
    let dma_err = AllocError::NoMemory {
        order: 0,
        reclaim_tried: false,
    };
    assert_eq!(n.alloc_pages(Gfp::ATOMIC | Gfp::DMA, 0), Err(dma_err));
    assert_eq!((n.buddyinfo(), dma32(&n), n.nr_pcp_pages()), before);

    // Once merged into a larger free block, a freed block is not a block any more.
    n.free_pages(b, 2).unwrap();
    n.drain_pages();
    assert_eq!(n.buddyinfo().zone(ZoneType::Dma32).unwrap()[10], 4);
    assert_eq!(n.free_pages(b, 2), Err(FreeError::NotAllocated { pfn: b }));
    n.verify();
}
