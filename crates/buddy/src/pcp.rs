//! Per-cpu page lists: Linux's per_cpu_pages (pcp) for order-0 pages. An order-0
//! allocation takes a page from the list, refilled `batch` pages at a time from
//! buddy; a free puts the page back, and `batch` pages return to buddy when the list
//! reaches `high`. Pages on the list are neither free in buddy nor in use, as on Linux.
//! The node sits behind one lock, so each zone has one list, the boot CPU's.

use crate::free_list::FreeList;
use crate::node::Node;
use crate::page::PageFlags;

/// One zone's per-cpu list (Linux: struct per_cpu_pages).
#[derive(Clone, Debug)]
pub(crate) struct Pcp {
    pub(crate) list: FreeList,
    /// Flush `batch` pages to buddy when the list holds `high`; 0 disables the list.
    pub(crate) high: u64,
    pub(crate) batch: u64,
}

impl Pcp {
    pub(crate) const fn new() -> Self {
        Pcp {
            list: FreeList::new(),
            high: 0,
            batch: 1,
        }
    }

    /// Linux's sizing: batch is about 0.1% of the zone, at most 1 MiB, a power of
    /// two minus one (zone_batchsize()); high is the low watermark shared by the
    /// CPUs of the node, one here, and at least 4 batches (zone_highsize()).
    pub(crate) fn set_high_and_batch(&mut self, managed: u64, low_wmark: u64, enabled: bool) {
        let mut batch = (managed >> 10).min((1 << 20) / 4096) / 4;
        batch = batch.max(1);
        batch = prev_power_of_two(batch + batch / 2) - 1;
        self.batch = batch.max(1);
        self.high = if enabled {
            low_wmark.max(self.batch * 4)
        } else {
            0
        };
    }
}

fn prev_power_of_two(x: u64) -> u64 {
    1 << (63 - x.leading_zeros())
}

impl Node<'_> {
    /// Take an order-0 page from the zone's list, refilling it from buddy when empty
    /// (Linux: rmqueue_pcplist() and rmqueue_bulk()).
    pub(crate) fn rmqueue_pcplist(&mut self, z: usize) -> Option<u64> {
        if self.zones[z].pcp.list.is_empty() {
            for _ in 0..self.zones[z].pcp.batch {
                let Some(pfn) = self.rmqueue_smallest(z, 0) else {
                    break;
                };
                self.map[pfn as usize].flags = PageFlags::PRESENT | PageFlags::PCP;
                // In address order, as buddy handed them out.
                self.zones[z].pcp.list.push_tail(self.map, pfn);
            }
        }
        self.zones[z].pcp.list.pop_head(self.map)
    }

    /// Put a freed order-0 page on the list, hottest first; flush a batch of the
    /// coldest to buddy when the list is full (Linux: free_unref_page_commit()).
    pub(crate) fn free_to_pcp(&mut self, z: usize, pfn: u64) {
        self.map[pfn as usize].flags = PageFlags::PRESENT | PageFlags::PCP;
        self.zones[z].pcp.list.push_head(self.map, pfn);
        let Pcp {
            ref list,
            high,
            batch,
        } = self.zones[z].pcp;
        if list.len() >= high {
            self.free_pcppages_bulk(z, batch);
        }
    }

    /// Return up to `count` pages from the cold end of a list to buddy
    /// (Linux: free_pcppages_bulk()).
    fn free_pcppages_bulk(&mut self, z: usize, count: u64) {
        for _ in 0..count {
            let Some(pfn) = self.zones[z].pcp.list.pop_tail(self.map) else {
                break;
            };
            self.map[pfn as usize].flags = PageFlags::PRESENT;
            self.free_one_page(z, pfn, 0);
        }
    }

    /// Empty every per-cpu list into buddy, where the pages merge again (Linux:
    /// drain_all_pages()). Direct reclaim does it; so may a test or a report.
    pub fn drain_pages(&mut self) {
        for z in 0..self.zones.len() {
            let count = self.zones[z].pcp.list.len();
            self.free_pcppages_bulk(z, count);
        }
    }

    /// Turn the per-cpu lists on or off (off drains them; Linux's boot pagesets
    /// behave as off). On by default.
    pub fn set_pcp_enabled(&mut self, enabled: bool) {
        self.pcp_enabled = enabled;
        if !enabled {
            self.drain_pages();
        }
        self.setup_watermarks();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_and_high_as_linux_sizes_them() {
        let mut pcp = Pcp::new();
        // A 2 GiB DMA32 zone: batch 63, high the low watermark.
        pcp.set_high_and_batch(520_000, 1_900, true);
        assert_eq!((pcp.batch, pcp.high), (63, 1_900));
        // The DMA zone: 3977 pages, batch 0 rounded up to 1, high at least 4.
        pcp.set_high_and_batch(3_977, 2, true);
        assert_eq!((pcp.batch, pcp.high), (1, 4));
        pcp.set_high_and_batch(3_977, 2, false);
        assert_eq!(pcp.high, 0);
        // 64 MiB: 16384 pages, batch 3.
        pcp.set_high_and_batch(16_384, 300, true);
        assert_eq!((pcp.batch, pcp.high), (3, 300));
    }
}
