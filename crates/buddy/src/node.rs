//! A memory node: Linux's `pg_data_t` (struct pglist_data) for node 0, holding the
//! mem_map and the zones. Memory comes in at boot as Linux's memblock_free_all()
//! hands it over: present ranges first (all of RAM), then the free ranges, released
//! to the free lists in maximal naturally aligned blocks, not page by page.

use crate::buddyinfo::BuddyInfo;
use crate::free_list::{Iter, NIL};
use crate::page::{Page, PageFlags};
use crate::zone::{Zone, ZoneInfo, ZoneType, MAX_NR_ZONES};
use crate::{RangeError, MAX_ORDER};

/// Node 0 of the machine: its mem_map and its zones.
pub struct Node<'a> {
    pub(crate) map: &'a mut [Page],
    pub(crate) zones: [Zone; MAX_NR_ZONES],
    /// Linux's vm.min_free_kbytes, from which the watermarks are derived.
    pub(crate) min_free_kbytes: u64,
    /// Set by `set_min_free_kbytes`: then memory growth does not recompute it.
    pub(crate) user_min_free_kbytes: bool,
    pub(crate) pcp_enabled: bool,
}

impl<'a> Node<'a> {
    /// A node whose mem_map covers pfns `0..mem_map.len()` (24 bytes per pfn, up to
    /// the end of RAM). Every descriptor is reset to a hole, so the memory may hold
    /// anything; the node has no memory until `add_memory` / `add_free_range`.
    /// A mem_map longer than 2^32 - 1 pages (16 TiB) is used up to that length.
    pub fn new(mem_map: &'a mut [Page]) -> Node<'a> {
        let len = mem_map.len().min(NIL as usize);
        let (map, _) = mem_map.split_at_mut(len);
        map.fill(Page::EMPTY);
        Node {
            map,
            zones: [Zone::new(), Zone::new(), Zone::new()],
            min_free_kbytes: 0,
            user_min_free_kbytes: false,
            pcp_enabled: true,
        }
    }

    /// One past the last pfn the mem_map covers.
    pub fn max_pfn(&self) -> u64 {
        self.map.len() as u64
    }

    /// The descriptor of a page frame, if the mem_map covers it.
    pub fn page(&self, pfn: u64) -> Option<&Page> {
        self.map.get(usize::try_from(pfn).ok()?)
    }

    /// Set the owner's word of a page (Linux: set_page_private()). The allocator
    /// never reads it. False if the mem_map does not cover `pfn`.
    pub fn set_page_private(&mut self, pfn: u64, private: usize) -> bool {
        match self.map.get_mut(pfn as usize) {
            Some(page) => {
                page.private = private;
                true
            }
            None => false,
        }
    }

    /// Set or clear the slab mark of a page (Linux: __SetPageSlab()). The allocator
    /// ignores the mark and clears it when it hands the page out again.
    pub fn set_page_slab(&mut self, pfn: u64, slab: bool) -> bool {
        match self.map.get_mut(pfn as usize) {
            Some(page) => {
                page.flags.set(PageFlags::SLAB, slab);
                true
            }
            None => false,
        }
    }

    fn check_range(&self, start_pfn: u64, end_pfn: u64) -> Result<(), RangeError> {
        if start_pfn > end_pfn || end_pfn > self.max_pfn() {
            return Err(RangeError::OutOfRange {
                start_pfn,
                end_pfn,
                max_pfn: self.max_pfn(),
            });
        }
        Ok(())
    }

    /// Declare `[start_pfn, end_pfn)` as RAM that the allocator does not manage (yet):
    /// memblock.memory ranges, so that present_pages counts the kernel image and the
    /// other reservations as Linux does. Pages already known are left as they are.
    /// Returns how many pages became present.
    pub fn add_memory(&mut self, start_pfn: u64, end_pfn: u64) -> Result<u64, RangeError> {
        self.check_range(start_pfn, end_pfn)?;
        let mut added = 0;
        for (z, s, e) in zone_pieces(start_pfn, end_pfn) {
            let mut count = 0;
            for page in &mut self.map[s as usize..e as usize] {
                if !page.flags.contains(PageFlags::PRESENT) {
                    page.flags = PageFlags::PRESENT | PageFlags::RESERVED;
                    count += 1;
                }
            }
            self.zones[z.index()].add_present(s, e, count);
            added += count;
        }
        Ok(added)
    }

    /// Hand `[start_pfn, end_pfn)` to the allocator: the pages become present (if
    /// `add_memory` did not say so already) and managed, and go to the free lists of
    /// their zones as the largest naturally aligned blocks that fit, merged with free
    /// neighbours (Linux: memblock_free_all(), or free_reserved_area() after boot).
    /// The whole range is refused, and nothing changes, if any page of it is already
    /// managed. Then the watermarks are computed again. Returns the pages freed.
    pub fn add_free_range(&mut self, start_pfn: u64, end_pfn: u64) -> Result<u64, RangeError> {
        self.check_range(start_pfn, end_pfn)?;
        let range = &self.map[start_pfn as usize..end_pfn as usize];
        if let Some(i) = range.iter().position(|p| {
            p.flags.contains(PageFlags::PRESENT) && !p.flags.contains(PageFlags::RESERVED)
        }) {
            return Err(RangeError::AlreadyManaged {
                pfn: start_pfn + i as u64,
            });
        }

        for (z, s, e) in zone_pieces(start_pfn, end_pfn) {
            // Linux: __ClearPageReserved() on each page of the range.
            let mut newly_present = 0;
            for page in &mut self.map[s as usize..e as usize] {
                if !page.flags.contains(PageFlags::PRESENT) {
                    newly_present += 1;
                }
                page.flags = PageFlags::PRESENT;
            }
            let zone = &mut self.zones[z.index()];
            zone.add_present(s, e, newly_present);
            zone.managed += e - s;

            let mut pfn = s;
            while pfn < e {
                let order = max_block_order(pfn, e);
                self.free_one_page(z.index(), pfn, order);
                pfn += 1 << order;
            }
        }
        self.setup_watermarks();
        Ok(end_pfn - start_pfn)
    }

    /// A snapshot of a zone, or None if the zone has no memory (Linux shows only
    /// populated zones).
    pub fn zone_info(&self, zone: ZoneType) -> Option<ZoneInfo> {
        let z = &self.zones[zone.index()];
        (z.present > 0).then(|| ZoneInfo::of(zone, z))
    }

    /// Snapshots of the zones that have memory, lowest first.
    pub fn zones(&self) -> impl Iterator<Item = ZoneInfo> + '_ {
        ZoneType::ALL.into_iter().filter_map(|z| self.zone_info(z))
    }

    /// The /proc/buddyinfo report of this node.
    pub fn buddyinfo(&self) -> BuddyInfo {
        BuddyInfo::of(self)
    }

    /// The first pfns of the free blocks of `order` in `zone`, in list order.
    pub fn free_blocks(&self, zone: ZoneType, order: u32) -> Iter<'_> {
        let order = order.min(MAX_ORDER) as usize;
        self.zones[zone.index()].free_area[order].iter(self.map)
    }

    /// Pages managed by the allocator (Linux: totalram_pages(), MemTotal).
    pub fn totalram_pages(&self) -> u64 {
        self.zones.iter().map(|z| z.managed).sum()
    }

    /// Pages free in buddy, per-cpu lists excluded (Linux: NR_FREE_PAGES, MemFree).
    pub fn nr_free_pages(&self) -> u64 {
        self.zones.iter().map(|z| z.free).sum()
    }

    /// Pages on the per-cpu lists (Linux: show_free_areas()'s free_pcp).
    pub fn nr_pcp_pages(&self) -> u64 {
        self.zones.iter().map(|z| z.pcp.list.len()).sum()
    }
}

/// Split `[start, end)` at zone boundaries: (zone, start, end) for each non-empty piece.
fn zone_pieces(start: u64, end: u64) -> impl Iterator<Item = (ZoneType, u64, u64)> {
    ZoneType::ALL.into_iter().filter_map(move |z| {
        let (zs, ze) = z.pfn_bounds();
        let (s, e) = (start.max(zs), end.min(ze));
        (s < e).then_some((z, s, e))
    })
}

/// The order of the largest block that starts at `pfn`, is aligned to its size and
/// ends at or before `end`.
fn max_block_order(pfn: u64, end: u64) -> u32 {
    let align = if pfn == 0 {
        MAX_ORDER
    } else {
        pfn.trailing_zeros().min(MAX_ORDER)
    };
    let fits = 63 - (end - pfn).leading_zeros();
    align.min(fits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    #[test]
    fn max_blocks() {
        assert_eq!(max_block_order(0, 1 << 20), MAX_ORDER);
        assert_eq!(max_block_order(1, 4096), 0);
        assert_eq!(max_block_order(2, 4096), 1);
        assert_eq!(max_block_order(1024, 1030), 2);
        assert_eq!(max_block_order(2048, 4096), 10);
    }

    #[test]
    fn zone_pieces_split_at_boundaries() {
        let mut it = zone_pieces(4000, (1 << 20) + 5);
        assert_eq!(it.next(), Some((ZoneType::Dma, 4000, 4096)));
        assert_eq!(it.next(), Some((ZoneType::Dma32, 4096, 1 << 20)));
        assert_eq!(it.next(), Some((ZoneType::Normal, 1 << 20, (1 << 20) + 5)));
        assert_eq!(it.next(), None);
        assert_eq!(zone_pieces(7, 7).count(), 0);
    }

    #[test]
    fn new_resets_every_descriptor() {
        let mut map = vec![
            Page {
                private: 7,
                ..Page::EMPTY
            };
            16
        ];
        let node = Node::new(&mut map);
        assert_eq!(node.max_pfn(), 16);
        assert!((0..16).all(|pfn| node.page(pfn).unwrap().private == 0));
        assert!(node.page(16).is_none());
        assert_eq!(node.zones().count(), 0);
    }

    #[test]
    fn private_and_slab_words() {
        let mut map = vec![Page::EMPTY; 16];
        let mut node = Node::new(&mut map);
        assert!(node.set_page_private(3, 0xdead));
        assert!(node.set_page_slab(3, true));
        assert_eq!(node.page(3).unwrap().private, 0xdead);
        assert!(node.page(3).unwrap().is_slab());
        assert!(!node.set_page_private(16, 1));
        assert!(!node.set_page_slab(99, true));
    }
}
