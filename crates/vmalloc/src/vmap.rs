//! The allocator of vmalloc ranges: Linux's vmap_area bookkeeping (alloc_vmap_area,
//! free_vmap_area, find_vmap_area in mm/vmalloc.c). Busy areas and free ranges are two
//! address-ordered maps; allocation is first fit from low addresses, and a freed area
//! merges with the free ranges on both sides, as Linux's free_vmap_area tree does.

use alloc::collections::BTreeMap;

use crate::{align_down, align_up, VmArea, PAGE_SIZE};

/// The vmalloc area of one address space: which ranges are handed out, which are free.
///
/// Every area handed out is page-aligned, holds the requested size rounded up to pages and
/// then one guard page, and lies in `[start, end)`. Areas never overlap, guard pages
/// included. Nothing here touches memory: the caller maps the pages.
#[derive(Clone, Debug)]
pub struct VmapAreas {
    start: u64,
    end: u64,
    /// Areas handed out: address to size, guard page included.
    busy: BTreeMap<u64, u64>,
    /// Free ranges: address to size. Never two adjacent ones (they are merged).
    free: BTreeMap<u64, u64>,
    /// Sum of the usable sizes of the busy areas.
    used: u64,
}

impl VmapAreas {
    /// The allocator of the range `[start, end)`, all free: Linux's is
    /// `VmapAreas::new(VMALLOC_START, VMALLOC_END)`. Only the whole pages inside the range
    /// are handed out; an empty or reversed range gives an allocator that always fails.
    pub fn new(start: u64, end: u64) -> Self {
        let mut free = BTreeMap::new();
        let first = align_up(start, PAGE_SIZE).unwrap_or(u64::MAX);
        let last = align_down(end, PAGE_SIZE);
        if first < last {
            free.insert(first, last - first);
        }
        VmapAreas {
            start,
            end,
            busy: BTreeMap::new(),
            free,
            used: 0,
        }
    }

    /// Reserves a range for `size` bytes aligned to `align`, followed by a guard page.
    ///
    /// `size` is rounded up to whole pages; `align` must be a power of two, and anything
    /// below a page means page alignment. None when `size` is 0, `align` is not a power of
    /// two, or no free range is large enough (Linux's vmalloc then fails with ENOMEM).
    pub fn alloc(&mut self, size: u64, align: u64) -> Option<VmArea> {
        if size == 0 || !align.is_power_of_two() {
            return None;
        }
        let align = align.max(PAGE_SIZE);
        let size = align_up(size, PAGE_SIZE)?.checked_add(PAGE_SIZE)?;

        // First fit: the lowest free range that holds the area once its start is aligned.
        let (hole, hole_size, addr) = self.free.iter().find_map(|(&hole, &hole_size)| {
            let addr = align_up(hole, align)?;
            let end = addr.checked_add(size)?;
            (end <= hole + hole_size).then_some((hole, hole_size, addr))
        })?;

        // Give back what is left of the hole on either side of the area.
        self.free.remove(&hole);
        if addr > hole {
            self.free.insert(hole, addr - hole);
        }
        let (end, hole_end) = (addr + size, hole + hole_size);
        if end < hole_end {
            self.free.insert(end, hole_end - end);
        }

        self.busy.insert(addr, size);
        let area = VmArea { addr, size };
        self.used += area.usable_size();
        Some(area)
    }

    /// Releases the area that starts exactly at `addr` and returns it, so that the caller
    /// can unmap and free its pages. Any other address (inside an area, in a guard page,
    /// outside the vmalloc range, already freed) gives None: as Linux's vfree, which warns
    /// about such a call, it must not bring the kernel down.
    pub fn free(&mut self, addr: u64) -> Option<VmArea> {
        let size = self.busy.remove(&addr)?;
        let area = VmArea { addr, size };
        self.used -= area.usable_size();

        // Merge with the free range that ends where the area starts, and the one that
        // starts where it ends, so that a large request can use the space again.
        let (mut start, mut len) = (addr, size);
        if let Some((&below, &below_size)) = self.free.range(..addr).next_back() {
            if below + below_size == addr {
                self.free.remove(&below);
                start = below;
                len += below_size;
            }
        }
        if let Some(above_size) = self.free.remove(&area.end()) {
            len += above_size;
        }
        self.free.insert(start, len);
        Some(area)
    }

    /// The area that contains `addr`, guard page included (Linux's find_vmap_area). A page
    /// fault handler uses it, with [`VmArea::in_guard`], to tell an overrun into a guard
    /// page from an access outside any area.
    pub fn find(&self, addr: u64) -> Option<VmArea> {
        let (&start, &size) = self.busy.range(..=addr).next_back()?;
        let area = VmArea { addr: start, size };
        area.contains(addr).then_some(area)
    }

    /// The busy areas, lowest address first (what /proc/vmallocinfo lists).
    pub fn iter(&self) -> impl Iterator<Item = VmArea> + '_ {
        self.busy.iter().map(|(&addr, &size)| VmArea { addr, size })
    }

    /// The free ranges as (address, size), lowest address first. No two are adjacent.
    pub fn free_ranges(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.free.iter().map(|(&addr, &size)| (addr, size))
    }

    /// Number of busy areas.
    pub fn areas(&self) -> usize {
        self.busy.len()
    }

    /// Bytes of the busy areas that are backed by pages, guard pages excluded: Linux's
    /// VmallocUsed, once every area is mapped.
    pub fn used_bytes(&self) -> u64 {
        self.used
    }

    /// Size of the managed range, `end - start`: Linux's VmallocTotal.
    pub fn total_bytes(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// Size of the largest free range (Linux's VmallocChunk, which Linux itself stopped
    /// computing and now shows as 0). A request fits if its size plus a guard page and
    /// any alignment padding fits in it.
    pub fn largest_free(&self) -> u64 {
        self.free.values().copied().max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{VMALLOC_END, VMALLOC_START};

    const BASE: u64 = 0x4000_0000;
    const MIB: u64 = 1 << 20;

    fn small() -> VmapAreas {
        VmapAreas::new(BASE, BASE + MIB)
    }

    #[test]
    fn new_range_is_one_free_range_of_whole_pages() {
        let v = VmapAreas::new(BASE + 1, BASE + MIB + 5);
        assert_eq!(
            v.free_ranges().collect::<alloc::vec::Vec<_>>(),
            [(BASE + PAGE_SIZE, MIB - PAGE_SIZE)]
        );
        assert_eq!(v.total_bytes(), MIB + 4);
        assert_eq!((v.areas(), v.used_bytes()), (0, 0));
    }

    #[test]
    fn linux_range_totals_32_tib() {
        let mut v = VmapAreas::new(VMALLOC_START, VMALLOC_END);
        assert_eq!(v.total_bytes() >> 10, 34_359_738_367);
        // The last, partial page of VMALLOC_END is not handed out.
        assert_eq!(v.largest_free(), (32 << 40) - PAGE_SIZE);
        let a = v.alloc(4096, 1).unwrap();
        assert_eq!(a.addr, VMALLOC_START);

        // The bookkeeping alone can hand out the whole rest of the 32 TiB.
        let rest = v.alloc((32 << 40) - 4 * PAGE_SIZE, PAGE_SIZE).unwrap();
        assert_eq!(rest.end(), 0xffff_e8ff_ffff_f000);
        assert_eq!(v.alloc(1, 1), None);
    }

    #[test]
    fn empty_or_reversed_range_never_allocates() {
        for (s, e) in [
            (BASE, BASE),
            (BASE + MIB, BASE),
            (BASE, BASE + 100),
            (u64::MAX, 0),
        ] {
            let mut v = VmapAreas::new(s, e);
            assert_eq!(v.alloc(1, 1), None);
            assert_eq!(v.free_ranges().count(), 0);
        }
        assert_eq!(VmapAreas::new(BASE + MIB, BASE).total_bytes(), 0);
    }

    #[test]
    fn size_is_rounded_to_pages_plus_a_guard_page() {
        let mut v = small();
        let a = v.alloc(1, 1).unwrap();
        assert_eq!(
            (a.addr, a.size, a.usable_size()),
            (BASE, 2 * PAGE_SIZE, PAGE_SIZE)
        );
        let b = v.alloc(PAGE_SIZE + 1, 8).unwrap();
        assert_eq!((b.addr, b.size, b.nr_pages()), (a.end(), 3 * PAGE_SIZE, 2));
        assert_eq!(v.used_bytes(), 3 * PAGE_SIZE);
        assert_eq!(v.areas(), 2);
    }

    #[test]
    fn bad_requests_are_refused() {
        let mut v = small();
        assert_eq!(v.alloc(0, PAGE_SIZE), None);
        assert_eq!(v.alloc(PAGE_SIZE, 0), None);
        assert_eq!(v.alloc(PAGE_SIZE, 3 * PAGE_SIZE), None);
        assert_eq!(v.alloc(u64::MAX, PAGE_SIZE), None);
        assert_eq!(v.alloc(u64::MAX - PAGE_SIZE + 1, PAGE_SIZE), None);
        assert_eq!(v.alloc(PAGE_SIZE, 1 << 63), None);
        assert_eq!(v.alloc(MIB, PAGE_SIZE), None, "no room for the guard page");
        assert_eq!(v.areas(), 0);
    }

    #[test]
    fn alignment_leaves_a_hole_that_first_fit_reuses() {
        let mut v = VmapAreas::new(BASE + PAGE_SIZE, BASE + 8 * MIB);
        let big = v.alloc(PAGE_SIZE, 2 * MIB).unwrap();
        assert_eq!(big.addr, BASE + 2 * MIB);
        let low = v.alloc(PAGE_SIZE, PAGE_SIZE).unwrap();
        assert_eq!(
            low.addr,
            BASE + PAGE_SIZE,
            "first fit takes the lowest hole"
        );
    }

    #[test]
    fn exhaustion_then_reuse_after_free() {
        let mut v = VmapAreas::new(BASE, BASE + 4 * PAGE_SIZE);
        let a = v.alloc(3 * PAGE_SIZE, 1).unwrap();
        assert_eq!(v.alloc(1, 1), None);
        assert_eq!(v.largest_free(), 0);
        assert_eq!(v.free(a.addr), Some(a));
        assert_eq!(v.alloc(3 * PAGE_SIZE, 1), Some(a));
    }

    #[test]
    fn free_only_accepts_the_exact_start() {
        let mut v = small();
        let a = v.alloc(2 * PAGE_SIZE, 1).unwrap();
        for bad in [
            a.addr + 1,
            a.addr + PAGE_SIZE,
            a.guard_page(),
            a.end(),
            0,
            u64::MAX,
        ] {
            assert_eq!(v.free(bad), None, "{bad:#x}");
        }
        assert_eq!(v.areas(), 1);
        assert_eq!(v.free(a.addr), Some(a));
        assert_eq!(v.free(a.addr), None, "double free");
        assert_eq!(v.areas(), 0);
    }

    #[test]
    fn find_tells_usable_pages_from_the_guard_page() {
        let mut v = small();
        let a = v.alloc(2 * PAGE_SIZE, 1).unwrap();
        let b = v.alloc(PAGE_SIZE, 1).unwrap();
        assert_eq!(v.find(a.addr), Some(a));
        assert_eq!(v.find(a.addr + PAGE_SIZE + 7), Some(a));
        assert!(v.find(a.guard_page()).unwrap().in_guard(a.guard_page()));
        assert_eq!(v.find(a.end()), Some(b));
        assert_eq!(v.find(b.end()), None);
        assert_eq!(v.find(BASE - 1), None);
        assert_eq!(v.find(u64::MAX), None);
        v.free(a.addr);
        assert_eq!(v.find(a.addr), None);
    }

    #[test]
    fn freed_neighbours_merge_in_any_order() {
        for order in [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ] {
            let mut v = small();
            let areas = [1, 2, 3].map(|pages| v.alloc(pages * PAGE_SIZE, 1).unwrap());
            for i in order {
                v.free(areas[i].addr).unwrap();
            }
            assert_eq!(
                v.free_ranges().collect::<alloc::vec::Vec<_>>(),
                [(BASE, MIB)]
            );
            assert_eq!(v.used_bytes(), 0);
        }
    }

    #[test]
    fn middle_hole_is_reused_by_a_request_that_fits() {
        let mut v = small();
        let a = v.alloc(PAGE_SIZE, 1).unwrap();
        let b = v.alloc(4 * PAGE_SIZE, 1).unwrap();
        let c = v.alloc(PAGE_SIZE, 1).unwrap();
        v.free(b.addr);
        let d = v.alloc(2 * PAGE_SIZE, 1).unwrap();
        assert_eq!(d.addr, b.addr);
        let e = v.alloc(2 * PAGE_SIZE, 1).unwrap();
        assert_eq!(
            e.addr,
            c.end(),
            "two pages left in the hole: too small for 2 + guard"
        );
        assert_eq!(v.alloc(PAGE_SIZE, 1).unwrap().addr, d.end());
        assert_eq!(v.find(a.addr), Some(a));
    }
}
