//! Scenario tests of the allocator's rules: boot-time block carving, splitting and
//! merging, zone fallback, zone boundaries and the per-cpu lists. Watermarks per gfp
//! set and error cases are in `tests_wmark.rs`.

use std::string::ToString;
use std::vec;
use std::vec::Vec;

use gfp::Gfp;

use crate::{Node, Page, RangeError, ZoneType, DMA32_END_PFN, MAX_ORDER};

/// A mem_map large enough for pfns below `max_pfn`.
pub(crate) fn mem_map(max_pfn: u64) -> Vec<Page> {
    vec![Page::EMPTY; max_pfn as usize]
}

/// A node over `map` with the given free ranges, per-cpu lists on or off.
pub(crate) fn node<'a>(map: &'a mut [Page], ranges: &[(u64, u64)], pcp: bool) -> Node<'a> {
    let mut node = Node::new(map);
    node.set_pcp_enabled(pcp);
    for &(s, e) in ranges {
        node.add_free_range(s, e).unwrap();
    }
    node
}

fn blocks(node: &Node<'_>, zone: ZoneType, order: u32) -> Vec<u64> {
    let mut v: Vec<u64> = node.free_blocks(zone, order).collect();
    v.sort_unstable();
    v
}

#[test]
fn free_ranges_become_maximal_aligned_blocks() {
    let mut map = mem_map(8192);
    let mut n = node(&mut map, &[(4000, 4200)], false);
    // DMA: 4000 (32 pages), 4032 (64); DMA32: 4096 (64), 4160 (32), 4192 (8).
    assert_eq!(blocks(&n, ZoneType::Dma, 5), [4000]);
    assert_eq!(blocks(&n, ZoneType::Dma, 6), [4032]);
    assert_eq!(blocks(&n, ZoneType::Dma32, 6), [4096]);
    assert_eq!(blocks(&n, ZoneType::Dma32, 5), [4160]);
    assert_eq!(blocks(&n, ZoneType::Dma32, 3), [4192]);
    let dma = n.zone_info(ZoneType::Dma).unwrap();
    assert_eq!(
        (dma.start_pfn, dma.spanned, dma.present, dma.managed),
        (4000, 96, 96, 96)
    );
    let dma32 = n.zone_info(ZoneType::Dma32).unwrap();
    assert_eq!(
        (dma32.start_pfn, dma32.spanned, dma32.managed, dma32.free),
        (4096, 104, 104, 104)
    );
    assert!(n.zone_info(ZoneType::Normal).is_none());

    // Ranges added one by one merge with their free neighbours.
    n.add_free_range(4200, 4224).unwrap();
    n.add_free_range(4224, 8192).unwrap();
    assert_eq!(
        blocks(&n, ZoneType::Dma32, MAX_ORDER),
        [4096, 5120, 6144, 7168]
    );
    n.verify();
}

#[test]
fn add_free_range_refuses_overlap_and_bad_ranges() {
    let mut map = mem_map(8192);
    let mut n = node(&mut map, &[(4096, 5000)], true);
    let before = n.buddyinfo();
    assert_eq!(
        n.add_free_range(4990, 5010),
        Err(RangeError::AlreadyManaged { pfn: 4990 })
    );
    assert_eq!(n.buddyinfo(), before);
    let err = RangeError::OutOfRange {
        start_pfn: 8000,
        end_pfn: 8193,
        max_pfn: 8192,
    };
    assert_eq!(n.add_free_range(8000, 8193), Err(err));
    assert!(matches!(
        n.add_free_range(9, 3),
        Err(RangeError::OutOfRange { .. })
    ));
    assert_eq!(n.add_free_range(5000, 5000), Ok(0));
    assert_eq!(n.zone_info(ZoneType::Dma32).unwrap().managed, 904);
    n.verify();
}

#[test]
fn present_counts_reserved_ram_once() {
    let mut map = mem_map(8192);
    let mut n = Node::new(&mut map);
    // All of RAM, then the free part of it: the kernel image at 4096..4608 stays out.
    assert_eq!(n.add_memory(4096, 8192), Ok(4096));
    assert_eq!(n.add_memory(4000, 4200), Ok(96));
    n.add_free_range(4608, 8192).unwrap();
    let z = n.zone_info(ZoneType::Dma32).unwrap();
    assert_eq!((z.present, z.managed, z.spanned), (4096, 3584, 4096));
    assert!(n.page(4096).unwrap().is_reserved());
    // Freeing the reserved part later (Linux: free_reserved_area()) is allowed once.
    n.add_free_range(4096, 4608).unwrap();
    assert_eq!(n.zone_info(ZoneType::Dma32).unwrap().managed, 4096);
    assert_eq!(n.zone_info(ZoneType::Dma32).unwrap().present, 4096);
    assert_eq!(
        n.add_free_range(4096, 4097),
        Err(RangeError::AlreadyManaged { pfn: 4096 })
    );
    n.verify();
}

#[test]
fn allocation_splits_and_keeps_the_lower_half() {
    let mut map = mem_map(8192);
    let mut n = node(&mut map, &[(4096, 5120)], false);
    let pfn = n.alloc_pages(Gfp::KERNEL, 0).unwrap();
    assert_eq!(pfn, 4096);
    // Upper halves of every split: 4097 (order 0), 4098 (1), 4100 (2) ... 4608 (9).
    for order in 0..MAX_ORDER {
        assert_eq!(blocks(&n, ZoneType::Dma32, order), [4096 + (1 << order)]);
    }
    assert!(blocks(&n, ZoneType::Dma32, MAX_ORDER).is_empty());
    let page = n.page(pfn).unwrap();
    assert!(page.is_head());
    assert_eq!(page.order(), Some(0));

    // The next order-2 block is the free one at 4100.
    assert_eq!(n.alloc_pages(Gfp::KERNEL, 2), Ok(4100));
    n.verify();

    // Freeing both merges everything back into one order-10 block.
    n.free_pages(pfn, 0).unwrap();
    n.free_pages(4100, 2).unwrap();
    assert_eq!(blocks(&n, ZoneType::Dma32, MAX_ORDER), [4096]);
    assert_eq!(n.zone_info(ZoneType::Dma32).unwrap().free, 1024);
    n.verify();
}

#[test]
fn merging_does_not_depend_on_free_order() {
    let mut map = mem_map(8192);
    let mut n = node(&mut map, &[(4096, 8192)], false);
    let initial = n.buddyinfo();
    let mut pfns: Vec<u64> = (0..16)
        .map(|_| n.alloc_pages(Gfp::KERNEL, 0).unwrap())
        .collect();
    let big = n.alloc_pages(Gfp::KERNEL, 3).unwrap();
    // Free in a scrambled order.
    pfns.sort_by_key(|p| (p * 7919) % 17);
    for pfn in pfns {
        n.free_pages(pfn, 0).unwrap();
        n.verify();
    }
    n.free_pages(big, 3).unwrap();
    assert_eq!(n.buddyinfo(), initial);
    n.verify();
}

#[test]
fn fragmented_zone_fails_higher_orders() {
    let mut map = mem_map(8192);
    let mut n = node(&mut map, &[(4096, 5120)], false);
    n.set_min_free_kbytes(0);
    let pfns: Vec<u64> = (0..1024)
        .map(|_| n.alloc_pages(Gfp::KERNEL, 0).unwrap())
        .collect();
    assert!(n.alloc_pages(Gfp::ATOMIC, 0).is_err());
    for &pfn in pfns.iter().step_by(2) {
        n.free_pages(pfn, 0).unwrap();
    }
    // 512 free pages, none with its buddy free: no order-1 block anywhere.
    assert_eq!(n.zone_info(ZoneType::Dma32).unwrap().nr_free[0], 512);
    assert!(n.alloc_pages(Gfp::KERNEL, 1).is_err());
    for &pfn in pfns.iter().skip(1).step_by(2) {
        n.free_pages(pfn, 0).unwrap();
    }
    assert_eq!(blocks(&n, ZoneType::Dma32, MAX_ORDER), [4096]);
}

#[test]
fn zone_modifier_limits_and_fallback_goes_down() {
    let normal = DMA32_END_PFN;
    let mut map = mem_map(normal + 1024);
    let ranges = [(1, 4096), (4096, 8192), (normal, normal + 1024)];
    let mut n = node(&mut map, &ranges, true);
    let zone = |pfn| ZoneType::of_pfn(pfn);
    assert_eq!(
        zone(n.alloc_pages(Gfp::KERNEL, 0).unwrap()),
        ZoneType::Normal
    );
    assert_eq!(
        zone(n.alloc_pages(Gfp::KERNEL | Gfp::DMA32, 3).unwrap()),
        ZoneType::Dma32
    );
    assert_eq!(
        zone(n.alloc_pages(Gfp::DMA_KERNEL, 0).unwrap()),
        ZoneType::Dma
    );
    assert_eq!(
        zone(n.alloc_pages(Gfp::ATOMIC | Gfp::DMA, 5).unwrap()),
        ZoneType::Dma
    );
    // An order-10 block exists only in Normal and DMA32: DMA32 cannot use Normal.
    assert_eq!(
        zone(n.alloc_pages(Gfp::KERNEL | Gfp::DMA32, 10).unwrap()),
        ZoneType::Dma32
    );
    n.verify();
}

#[test]
fn pcp_lists_cache_order_0_pages() {
    let mut map = mem_map(4096 + 16384);
    let mut n = node(&mut map, &[(4096, 4096 + 16384)], true);
    let initial = n.buddyinfo();
    let z = n.zone_info(ZoneType::Dma32).unwrap();
    assert_eq!(z.pcp_batch, 3);
    assert_eq!(z.pcp_high, z.low);

    // The first allocation moves a batch of three pages out of buddy.
    let a = n.alloc_pages(Gfp::KERNEL, 0).unwrap();
    let z = n.zone_info(ZoneType::Dma32).unwrap();
    assert_eq!((z.free, z.pcp_count), (16384 - 3, 2));
    assert_ne!(n.buddyinfo(), initial);

    // A freed page goes to the list head and comes back first.
    n.free_pages(a, 0).unwrap();
    assert_eq!(n.zone_info(ZoneType::Dma32).unwrap().pcp_count, 3);
    assert!(n.page(a).unwrap().flags().contains(crate::PageFlags::PCP));
    assert_eq!(n.alloc_pages(Gfp::KERNEL, 0), Ok(a));
    n.free_pages(a, 0).unwrap();

    // Reaching `high` sends a batch of the coldest pages back to buddy.
    let high = z.pcp_high;
    let pfns: Vec<u64> = (0..high + 5)
        .map(|_| n.alloc_pages(Gfp::KERNEL, 0).unwrap())
        .collect();
    for &pfn in &pfns {
        n.free_pages(pfn, 0).unwrap();
        assert!(n.zone_info(ZoneType::Dma32).unwrap().pcp_count < high);
    }
    n.verify();

    // Draining puts everything back, merged: buddyinfo is what it was.
    n.drain_pages();
    assert_eq!(n.nr_pcp_pages(), 0);
    assert_eq!(n.buddyinfo(), initial);
    assert_eq!(n.buddyinfo().to_string(), initial.to_string());
    n.verify();
}

#[test]
fn allocation_resets_the_page_owner_fields() {
    let mut map = mem_map(8192);
    let mut n = node(&mut map, &[(4096, 4104)], false);
    n.set_min_free_kbytes(0);
    let pfn = n.alloc_pages(Gfp::KERNEL, 1).unwrap();
    n.set_page_private(pfn, 0xfeed);
    n.set_page_slab(pfn, true);
    n.free_pages(pfn, 1).unwrap();
    assert!(!n.page(pfn).unwrap().is_slab());
    let again = n.alloc_pages(Gfp::KERNEL, 1).unwrap();
    assert_eq!(again, pfn);
    assert_eq!(n.page(pfn).unwrap().private, 0);
}

#[test]
fn two_gib_node_counts_like_linux() {
    // QEMU -m 2G: RAM at [4 KiB, 636 KiB) and [1 MiB, 2 GiB - 128 KiB).
    let end = 0x7ffe0;
    let mut map = mem_map(end);
    let mut n = Node::new(&mut map);
    n.add_memory(0, 0x9f).unwrap();
    n.add_memory(0x100, end).unwrap();
    // Kernel and mem_map reserved at 1 MiB..3 MiB.
    n.add_free_range(1, 0x9f).unwrap();
    n.add_free_range(0x300, end).unwrap();
    let dma = n.zone_info(ZoneType::Dma).unwrap();
    let dma32 = n.zone_info(ZoneType::Dma32).unwrap();
    assert_eq!(
        (dma.present, dma.managed, dma.spanned),
        (0x9f + 0xf00, 0x9e + 0xd00, 4096)
    );
    assert_eq!(dma32.managed, end - 4096);
    let total = dma.managed + dma32.managed;
    assert_eq!(n.totalram_pages(), total);
    assert_eq!(n.min_free_kbytes(), 5789);
    assert_eq!(dma32.min, 5789 / 4 * dma32.managed / total);
    assert_eq!(dma32.low - dma32.min, dma32.managed * 10 / 10_000);
    assert_eq!(
        dma.lowmem_reserve,
        [0, dma32.managed / 256, dma32.managed / 256]
    );
    assert_eq!(dma32.lowmem_reserve, [0, 0, 0]);
    n.verify();
}
