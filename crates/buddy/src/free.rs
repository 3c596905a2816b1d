//! Freeing pages: Linux's __free_pages() with the checks of free_pages_prepare()
//! made into error values, and the buddy merge of __free_one_page(): while the
//! block's buddy (pfn ^ 2^order) is a free block of the same order in the same
//! zone, take it off its list and combine the two into a block of the next order.

use crate::node::Node;
use crate::page::PageFlags;
use crate::zone::ZoneType;
use crate::{FreeError, MAX_ORDER};

impl Node<'_> {
    /// Free a block that `alloc_pages` returned, with the order it was allocated
    /// with (Linux: __free_pages()). A double free, the free of a page that was
    /// never handed out (a hole, a reserved page, a page inside a block), a
    /// misaligned pfn or a wrong order is refused and changes nothing.
    pub fn free_pages(&mut self, pfn: u64, order: u32) -> Result<(), FreeError> {
        if order > MAX_ORDER {
            return Err(FreeError::BadOrder { order });
        }
        let end = pfn.checked_add(1 << order);
        if end.is_none_or(|end| end > self.max_pfn()) {
            return Err(FreeError::OutOfRange { pfn });
        }
        if pfn & ((1 << order) - 1) != 0 {
            return Err(FreeError::Misaligned { pfn, order });
        }
        let page = &self.map[pfn as usize];
        if page.flags.intersects(PageFlags::BUDDY | PageFlags::PCP) {
            return Err(FreeError::DoubleFree { pfn });
        }
        if !page.flags.contains(PageFlags::HEAD) {
            return Err(FreeError::NotAllocated { pfn });
        }
        if u32::from(page.order) != order {
            let allocated = u32::from(page.order);
            return Err(FreeError::WrongOrder {
                pfn,
                order,
                allocated,
            });
        }

        let z = ZoneType::of_pfn(pfn).index();
        if order == 0 && self.zones[z].pcp.high > 0 {
            self.free_to_pcp(z, pfn);
        } else {
            self.map[pfn as usize].flags = PageFlags::PRESENT;
            self.free_one_page(z, pfn, order);
        }
        Ok(())
    }

    /// Put a block on its zone's free lists, merging it with its buddy as long as
    /// the buddy is free, of the same order and in the same zone (Linux:
    /// __free_one_page()). Counts the pages as free.
    pub(crate) fn free_one_page(&mut self, z: usize, pfn: u64, order: u32) {
        let mut pfn = pfn;
        let mut order = order;
        let zone = &mut self.zones[z];
        zone.free += 1 << order;

        while order < MAX_ORDER {
            let buddy = pfn ^ (1 << order);
            let Some(page) = self.map.get(buddy as usize) else {
                break;
            };
            // Linux: page_is_buddy(). Zone boundaries are MAX_ORDER aligned, so a
            // buddy is in the same zone; checked all the same, it costs nothing.
            let is_buddy = page.flags.contains(PageFlags::BUDDY) && u32::from(page.order) == order;
            if !is_buddy || ZoneType::of_pfn(buddy).index() != z {
                break;
            }
            zone.free_area[order as usize].remove(self.map, buddy);
            self.map[buddy as usize].flags = PageFlags::PRESENT;
            pfn &= buddy;
            order += 1;
        }

        self.map[pfn as usize].set_buddy(order);
        zone.free_area[order as usize].push_head(self.map, pfn);
    }
}
