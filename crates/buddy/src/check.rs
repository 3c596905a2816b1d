//! Test helpers: a full consistency check of a node's free lists, per-cpu lists
//! and counters (what Linux's CONFIG_DEBUG_VM checks piecemeal), and a way to build
//! a node from a list of free ranges.

use std::collections::BTreeSet;
use std::vec::Vec;

use crate::free_list::NIL;
use crate::node::Node;
use crate::page::PageFlags;
use crate::zone::ZoneType;
use crate::{MAX_ORDER, NR_PAGE_ORDERS};

/// Per zone, per order, the sorted first pfns of the free blocks.
pub(crate) type FreeSets = Vec<[Vec<u64>; NR_PAGE_ORDERS]>;

impl Node<'_> {
    /// Panics, naming the broken invariant, unless every list link, flag, order,
    /// alignment and counter agrees. Returns the free block sets.
    pub(crate) fn verify(&self) -> FreeSets {
        let mut sets = Vec::new();
        for zt in ZoneType::ALL {
            let zone = &self.zones[zt.index()];
            let mut free_pages = 0;
            let mut orders: [Vec<u64>; NR_PAGE_ORDERS] = Default::default();
            for (order, blocks) in orders.iter_mut().enumerate() {
                let list = &zone.free_area[order];
                let mut prev = NIL;
                for pfn in list.iter(self.map) {
                    let page = &self.map[pfn as usize];
                    assert_eq!(page.prev, prev, "broken back link at pfn {pfn:#x}");
                    assert_eq!(
                        page.flags,
                        PageFlags::PRESENT | PageFlags::BUDDY,
                        "{pfn:#x}"
                    );
                    assert_eq!(u32::from(page.order), order as u32, "order of pfn {pfn:#x}");
                    assert_eq!(pfn % (1 << order), 0, "misaligned free block {pfn:#x}");
                    assert_eq!(
                        ZoneType::of_pfn(pfn),
                        zt,
                        "free block {pfn:#x} in wrong zone"
                    );
                    assert_eq!(ZoneType::of_pfn(pfn + (1 << order) - 1), zt);
                    if (order as u32) < MAX_ORDER {
                        let buddy = &self.map.get((pfn ^ (1 << order)) as usize);
                        let merged = buddy.is_some_and(|b| b.is_buddy() && b.order == order as u8);
                        assert!(!merged, "free block {pfn:#x} and its buddy not merged");
                    }
                    prev = pfn as u32;
                    blocks.push(pfn);
                    free_pages += 1 << order;
                }
                assert_eq!(list.len(), blocks.len() as u64, "nr_free of order {order}");
                blocks.sort_unstable();
            }
            assert_eq!(zone.free, free_pages, "NR_FREE_PAGES of zone {}", zt.name());

            let pcp: BTreeSet<u64> = zone.pcp.list.iter(self.map).collect();
            assert_eq!(pcp.len() as u64, zone.pcp.list.len());
            for &pfn in &pcp {
                assert_eq!(
                    self.map[pfn as usize].flags,
                    PageFlags::PRESENT | PageFlags::PCP
                );
                assert_eq!(ZoneType::of_pfn(pfn), zt);
            }
            assert!(zone.free + zone.pcp.list.len() <= zone.managed);
            assert!(zone.managed <= zone.present);
            sets.push(orders);
        }
        sets
    }
}
