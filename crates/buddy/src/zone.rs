//! Zones: Linux's `struct zone`, the ranges of physical memory with different
//! addressing limits. On x86_64: ZONE_DMA below 16 MiB (ISA DMA), ZONE_DMA32 below
//! 4 GiB (32-bit devices), ZONE_NORMAL above. Each zone has its own free lists,
//! counters, watermarks and per-cpu list.

use gfp::Gfp;

use crate::free_list::FreeList;
use crate::pcp::Pcp;
use crate::{AllocError, NR_PAGE_ORDERS};

/// Number of zones in a node (Linux: MAX_NR_ZONES, without HighMem and Movable).
pub const MAX_NR_ZONES: usize = 3;

/// First pfn above ZONE_DMA: 16 MiB (Linux: MAX_DMA_PFN).
pub const DMA_END_PFN: u64 = (16 << 20) >> 12;

/// First pfn above ZONE_DMA32: 4 GiB (Linux: MAX_DMA32_PFN).
pub const DMA32_END_PFN: u64 = (4 << 30) >> 12;

/// A zone's kind and index, lowest first (Linux: `enum zone_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ZoneType {
    Dma = 0,
    Dma32 = 1,
    Normal = 2,
}

impl ZoneType {
    pub const ALL: [ZoneType; MAX_NR_ZONES] = [ZoneType::Dma, ZoneType::Dma32, ZoneType::Normal];

    /// The zone a page frame belongs to (Linux: page_zonenum()).
    pub fn of_pfn(pfn: u64) -> ZoneType {
        if pfn < DMA_END_PFN {
            ZoneType::Dma
        } else if pfn < DMA32_END_PFN {
            ZoneType::Dma32
        } else {
            ZoneType::Normal
        }
    }

    /// The highest zone an allocation may use: the zone modifier of its gfp flags
    /// (Linux: gfp_zone()). __GFP_DMA with __GFP_DMA32 is a bad combination, as on
    /// Linux (GFP_ZONE_BAD), refused here instead of a BUG.
    pub fn from_gfp(gfp: Gfp) -> Result<ZoneType, AllocError> {
        match (gfp.contains(Gfp::DMA), gfp.contains(Gfp::DMA32)) {
            (false, false) => Ok(ZoneType::Normal),
            (false, true) => Ok(ZoneType::Dma32),
            (true, false) => Ok(ZoneType::Dma),
            (true, true) => Err(AllocError::BadZoneModifier),
        }
    }

    /// Linux's name, as /proc/buddyinfo and /proc/zoneinfo print it.
    pub fn name(self) -> &'static str {
        match self {
            ZoneType::Dma => "DMA",
            ZoneType::Dma32 => "DMA32",
            ZoneType::Normal => "Normal",
        }
    }

    /// The pfns this zone may span: `[start, end)`.
    pub fn pfn_bounds(self) -> (u64, u64) {
        match self {
            ZoneType::Dma => (0, DMA_END_PFN),
            ZoneType::Dma32 => (DMA_END_PFN, DMA32_END_PFN),
            ZoneType::Normal => (DMA32_END_PFN, u64::MAX),
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The watermarks of a zone, in pages (Linux: enum zone_watermarks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wmark {
    Min = 0,
    Low = 1,
    High = 2,
}

/// One zone of the node (Linux: `struct zone`).
#[derive(Clone, Debug)]
pub(crate) struct Zone {
    /// Free blocks by order (Linux: zone->free_area).
    pub(crate) free_area: [FreeList; NR_PAGE_ORDERS],
    pub(crate) pcp: Pcp,
    /// `[start_pfn, end_pfn)` covers every present page of the zone; holes included.
    pub(crate) start_pfn: u64,
    pub(crate) end_pfn: u64,
    /// Pages of RAM in the span (Linux: present_pages).
    pub(crate) present: u64,
    /// Present pages handed to the allocator (Linux: managed_pages).
    pub(crate) managed: u64,
    /// Pages free in buddy, pcp lists excluded (Linux: NR_FREE_PAGES).
    pub(crate) free: u64,
    /// min, low, high (Linux: _watermark[]).
    pub(crate) watermark: [u64; 3],
    /// Pages kept back from allocations that could have used a higher zone, by the
    /// highest zone the allocation allows (Linux: lowmem_reserve[]).
    pub(crate) lowmem_reserve: [u64; MAX_NR_ZONES],
}

impl Zone {
    pub(crate) const fn new() -> Self {
        Zone {
            free_area: [FreeList::new(); NR_PAGE_ORDERS],
            pcp: Pcp::new(),
            start_pfn: 0,
            end_pfn: 0,
            present: 0,
            managed: 0,
            free: 0,
            watermark: [0; 3],
            lowmem_reserve: [0; MAX_NR_ZONES],
        }
    }

    /// Count `count` pages from `[start, end)` as newly present and grow the span.
    pub(crate) fn add_present(&mut self, start: u64, end: u64, count: u64) {
        if count == 0 {
            return;
        }
        if self.present == 0 {
            self.start_pfn = start;
            self.end_pfn = end;
        } else {
            self.start_pfn = self.start_pfn.min(start);
            self.end_pfn = self.end_pfn.max(end);
        }
        self.present += count;
    }

    pub(crate) fn wmark(&self, mark: Wmark) -> u64 {
        self.watermark[mark as usize]
    }
}

/// A snapshot of one zone's counters, for /proc/zoneinfo-like reports and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneInfo {
    pub zone: ZoneType,
    /// First pfn of the span.
    pub start_pfn: u64,
    /// Pages from the first to the last present page, holes included.
    pub spanned: u64,
    pub present: u64,
    pub managed: u64,
    /// Pages free in buddy (pcp lists excluded, as Linux's NR_FREE_PAGES).
    pub free: u64,
    /// Pages on the per-cpu list, neither free in buddy nor in use.
    pub pcp_count: u64,
    pub pcp_high: u64,
    pub pcp_batch: u64,
    pub min: u64,
    pub low: u64,
    pub high: u64,
    /// Linux's "protection" line of /proc/zoneinfo.
    pub lowmem_reserve: [u64; MAX_NR_ZONES],
    /// Free blocks of each order, as /proc/buddyinfo prints them.
    pub nr_free: [u64; NR_PAGE_ORDERS],
}

impl ZoneInfo {
    pub(crate) fn of(zone_type: ZoneType, z: &Zone) -> ZoneInfo {
        ZoneInfo {
            zone: zone_type,
            start_pfn: z.start_pfn,
            spanned: z.end_pfn - z.start_pfn,
            present: z.present,
            managed: z.managed,
            free: z.free,
            pcp_count: z.pcp.list.len(),
            pcp_high: z.pcp.high,
            pcp_batch: z.pcp.batch,
            min: z.wmark(Wmark::Min),
            low: z.wmark(Wmark::Low),
            high: z.wmark(Wmark::High),
            lowmem_reserve: z.lowmem_reserve,
            nr_free: core::array::from_fn(|o| z.free_area[o].len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_of_pfn_boundaries() {
        assert_eq!(ZoneType::of_pfn(0), ZoneType::Dma);
        assert_eq!(ZoneType::of_pfn(4095), ZoneType::Dma);
        assert_eq!(ZoneType::of_pfn(4096), ZoneType::Dma32);
        assert_eq!(ZoneType::of_pfn((1 << 20) - 1), ZoneType::Dma32);
        assert_eq!(ZoneType::of_pfn(1 << 20), ZoneType::Normal);
        for z in ZoneType::ALL {
            let (start, end) = z.pfn_bounds();
            assert_eq!(ZoneType::of_pfn(start), z);
            assert_eq!(ZoneType::of_pfn(end - 1), z);
        }
    }

    #[test]
    fn gfp_zone_modifiers() {
        assert_eq!(ZoneType::from_gfp(Gfp::KERNEL), Ok(ZoneType::Normal));
        assert_eq!(
            ZoneType::from_gfp(Gfp::ATOMIC | Gfp::DMA32),
            Ok(ZoneType::Dma32)
        );
        assert_eq!(ZoneType::from_gfp(Gfp::DMA_KERNEL), Ok(ZoneType::Dma));
        assert_eq!(
            ZoneType::from_gfp(Gfp::DMA | Gfp::DMA32),
            Err(AllocError::BadZoneModifier)
        );
    }

    #[test]
    fn names_as_linux_prints_them() {
        let names = ZoneType::ALL.map(ZoneType::name);
        assert_eq!(names, ["DMA", "DMA32", "Normal"]);
    }

    #[test]
    fn span_grows_with_present_ranges() {
        let mut z = Zone::new();
        z.add_present(10, 20, 0);
        assert_eq!(z.present, 0);
        z.add_present(100, 200, 100);
        z.add_present(10, 20, 10);
        assert_eq!((z.start_pfn, z.end_pfn, z.present), (10, 200, 110));
    }
}
