//! Allocating pages: Linux's __alloc_pages() with its fast path, slow path and
//! fallback through the zonelist (Normal, then DMA32, then DMA), and the buddy core
//! that takes the smallest free block that fits and splits it (__rmqueue_smallest()
//! and expand()). The allocator never touches the memory it hands out, so
//! __GFP_ZERO is the caller's job: zero the block before use.

use gfp::Gfp;

use crate::node::Node;
use crate::page::PageFlags;
use crate::watermark::{zone_watermark_ok, AllocFlags};
use crate::zone::ZoneType;
use crate::{AllocError, MAX_ORDER};

impl Node<'_> {
    /// Allocate 2^order contiguous pages, naturally aligned; returns the first pfn
    /// (Linux: alloc_pages()). `gfp` chooses the highest zone (its zone modifier) and
    /// how deep into the reserves the allocation may go:
    /// - fast path, every caller: any allowed zone, highest first, that stays above
    ///   its low watermark after the allocation;
    /// - slow path (Linux would wake kswapd here; there is none yet): the same walk
    ///   against the min watermark, lowered for __GFP_HIGH (see zone_watermark_ok);
    /// - a caller that may sleep (GFP_KERNEL) then runs direct reclaim. There is
    ///   nothing to reclaim yet, so it only drains the per-cpu lists, tries the slow
    ///   path once more and fails with `reclaim_tried: true`;
    /// - a caller that may not sleep (GFP_ATOMIC, GFP_NOWAIT) fails at once;
    /// - a user page (GFP_USER, __GFP_HARDWALL) or kernel memory on a process's
    ///   account (GFP_KERNEL_ACCOUNT) never takes the slow path: the kernel's OOM
    ///   killer frees memory for user pages from above low, and the reserve below
    ///   low stays the kernel's.
    ///
    /// With __GFP_ZERO the caller zeroes the pages: this crate does not map memory.
    pub fn alloc_pages(&mut self, gfp: Gfp, order: u32) -> Result<u64, AllocError> {
        if order > MAX_ORDER {
            return Err(AllocError::BadOrder { order });
        }
        let highest = ZoneType::from_gfp(gfp)?.index();

        if let Some(pfn) = self.get_page_from_freelist(order, AllocFlags::FAST, highest) {
            return Ok(pfn);
        }
        if gfp.stays_above_low() {
            self.drain_pages();
            return self
                .get_page_from_freelist(order, AllocFlags::FAST, highest)
                .ok_or(AllocError::NoMemory {
                    order,
                    reclaim_tried: true,
                });
        }

        let slow = AllocFlags::slow(gfp);
        if let Some(pfn) = self.get_page_from_freelist(order, slow, highest) {
            return Ok(pfn);
        }
        if !gfp.can_sleep() {
            return Err(AllocError::NoMemory {
                order,
                reclaim_tried: false,
            });
        }

        // Direct reclaim: no page cache, slab shrinker or swap yet. What Linux does
        // after a reclaim that freed nothing is still worth it: give the per-cpu
        // pages back to buddy, where they may merge into the block we need.
        self.drain_pages();
        self.get_page_from_freelist(order, slow, highest)
            .ok_or(AllocError::NoMemory {
                order,
                reclaim_tried: true,
            })
    }

    /// Walk the allowed zones, highest first, and take a block from the first one
    /// whose watermark check passes (Linux: get_page_from_freelist()).
    fn get_page_from_freelist(
        &mut self,
        order: u32,
        flags: AllocFlags,
        highest: usize,
    ) -> Option<u64> {
        for z in (0..=highest).rev() {
            let zone = &self.zones[z];
            if zone.managed == 0 || !zone_watermark_ok(zone, order, flags, highest) {
                continue;
            }
            if let Some(pfn) = self.rmqueue(z, order) {
                return Some(pfn);
            }
        }
        None
    }

    /// Take a block from zone `z`: order 0 through the per-cpu list, larger orders
    /// from buddy (Linux: rmqueue()); then mark it allocated (prep_new_page()).
    fn rmqueue(&mut self, z: usize, order: u32) -> Option<u64> {
        let pfn = if order == 0 && self.zones[z].pcp.high > 0 {
            self.rmqueue_pcplist(z)?
        } else {
            self.rmqueue_smallest(z, order)?
        };
        self.map[pfn as usize].prep_new(order);
        Some(pfn)
    }

    /// Take the first block of the smallest non-empty free list of at least `order`
    /// and split it down to `order` (Linux: __rmqueue_smallest()).
    pub(crate) fn rmqueue_smallest(&mut self, z: usize, order: u32) -> Option<u64> {
        let zone = &mut self.zones[z];
        for current in order..=MAX_ORDER {
            let Some(pfn) = zone.free_area[current as usize].pop_head(self.map) else {
                continue;
            };

            // Keep the lower half, give each upper half back to the free list of its
            // size, from the largest down (Linux: expand()).
            let mut high = current;
            while high > order {
                high -= 1;
                let upper = pfn + (1 << high);
                self.map[upper as usize].set_buddy(high);
                zone.free_area[high as usize].push_head(self.map, upper);
            }
            self.map[pfn as usize].flags = PageFlags::PRESENT;
            zone.free -= 1 << order;
            return Some(pfn);
        }
        None
    }
}
