//! The free ranges of memblock: RAM minus reserved, in address order (Linux's
//! for_each_free_mem_range()). At the end of boot they are what the page allocator
//! receives (Linux: memblock_free_all()), rounded inwards to whole pages.

use crate::region::Region;
use crate::PAGE_SIZE;

/// Iterator over the `[start, end)` byte ranges that are memory and not reserved.
pub struct FreeRanges<'a> {
    memory: &'a [Region],
    reserved: &'a [Region],
    mi: usize,
    ri: usize,
    cursor: u64,
}

impl<'a> FreeRanges<'a> {
    pub(crate) fn new(memory: &'a [Region], reserved: &'a [Region]) -> Self {
        FreeRanges {
            memory,
            reserved,
            mi: 0,
            ri: 0,
            cursor: 0,
        }
    }
}

impl Iterator for FreeRanges<'_> {
    type Item = (u64, u64);

    fn next(&mut self) -> Option<(u64, u64)> {
        loop {
            let m = self.memory.get(self.mi)?;
            let start = self.cursor.max(m.base);
            if start >= m.end() {
                self.mi += 1;
                continue;
            }

            // Skip the reserved regions wholly below `start`.
            while self.reserved.get(self.ri).is_some_and(|r| r.end() <= start) {
                self.ri += 1;
            }
            let Some(r) = self.reserved.get(self.ri) else {
                self.cursor = m.end();
                return Some((start, m.end()));
            };
            if r.base <= start {
                // `start` is reserved: resume after that reservation.
                self.cursor = r.end();
                continue;
            }
            let end = m.end().min(r.base);
            self.cursor = end;
            return Some((start, end));
        }
    }
}

/// Iterator over free ranges as page frame numbers `[start_pfn, end_pfn)`: the start
/// rounded up and the end rounded down to a page, as Linux's __free_memory_core() does,
/// so a page partly reserved is never handed out. Empty ranges are skipped.
pub struct FreePfnRanges<'a> {
    inner: FreeRanges<'a>,
}

impl<'a> FreePfnRanges<'a> {
    pub(crate) fn new(inner: FreeRanges<'a>) -> Self {
        FreePfnRanges { inner }
    }
}

impl Iterator for FreePfnRanges<'_> {
    type Item = (u64, u64);

    fn next(&mut self) -> Option<(u64, u64)> {
        loop {
            let (start, end) = self.inner.next()?;
            let start_pfn = start.div_ceil(PAGE_SIZE);
            let end_pfn = end / PAGE_SIZE;
            if start_pfn < end_pfn {
                return Some((start_pfn, end_pfn));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Memblock;

    fn collect(mb: &Memblock) -> [(u64, u64); 4] {
        let mut out = [(0, 0); 4];
        for (o, r) in out.iter_mut().zip(mb.free_ranges()) {
            *o = r;
        }
        out
    }

    #[test]
    fn memory_minus_reserved() {
        let mut mb = Memblock::new();
        mb.add_memory(0x1000, 0x9000).unwrap();
        mb.add_memory(0x20000, 0x10000).unwrap();
        mb.reserve(0x3000, 0x1000).unwrap();
        mb.reserve(0x8000, 0x19000).unwrap(); // spans the hole between the two regions
        assert_eq!(mb.free_ranges().count(), 3);
        assert_eq!(
            collect(&mb)[..3],
            [(0x1000, 0x3000), (0x4000, 0x8000), (0x21000, 0x30000)]
        );
    }

    #[test]
    fn reserved_outside_memory_is_ignored() {
        let mut mb = Memblock::new();
        mb.reserve(0, 0x1000).unwrap();
        mb.add_memory(0x2000, 0x1000).unwrap();
        mb.reserve(0x10000, 0x1000).unwrap();
        assert_eq!(collect(&mb)[..1], [(0x2000, 0x3000)]);
        assert_eq!(mb.free_size(), 0x1000);
    }

    #[test]
    fn fully_reserved_memory_has_no_free_range() {
        let mut mb = Memblock::new();
        mb.add_memory(0x1000, 0x1000).unwrap();
        mb.reserve(0, 0x4000).unwrap();
        assert_eq!(mb.free_ranges().next(), None);
    }

    #[test]
    fn pfn_ranges_round_inwards() {
        let mut mb = Memblock::new();
        mb.add_memory(0, 0x9fc00).unwrap(); // the usual end of low memory on a PC
        mb.add_memory(0x100000, 0x100000).unwrap();
        mb.reserve(0x100800, 0x800).unwrap();
        mb.reserve(0x1ff000, 0x10).unwrap();
        mb.reserve(0x1ffff0, 0x10).unwrap();
        let mut it = mb.free_pfn_ranges();
        assert_eq!(it.next(), Some((0, 0x9f)));
        assert_eq!(it.next(), Some((0x101, 0x1ff)));
        assert_eq!(it.next(), None); // 0x1ff010..0x1ffff0 holds no whole page
    }
}
