//! Finding room for an early allocation: Linux's __memblock_find_range_top_down()
//! and __memblock_find_range_bottom_up(). Top-down, the default on x86, keeps low
//! memory (DMA, the real-mode trampoline, the kernel image) free as long as it can.

use crate::free::FreeRanges;

/// The highest `align`-aligned address `a` with `[a, a + size)` free and inside
/// `[start, end)`. `align` is a power of two.
pub(crate) fn top_down(
    free: FreeRanges<'_>,
    size: u64,
    align: u64,
    start: u64,
    end: u64,
) -> Option<u64> {
    // Ranges come in address order: the last fit found is the highest.
    let mut found = None;
    for (this_start, this_end) in free {
        let this_start = this_start.max(start);
        let this_end = this_end.min(end);
        let Some(top) = this_end.checked_sub(size) else {
            continue;
        };
        let cand = top & !(align - 1);
        if cand >= this_start {
            found = Some(cand);
        }
    }
    found
}

/// The lowest `align`-aligned address `a` with `[a, a + size)` free and inside
/// `[start, end)`. `align` is a power of two.
pub(crate) fn bottom_up(
    free: FreeRanges<'_>,
    size: u64,
    align: u64,
    start: u64,
    end: u64,
) -> Option<u64> {
    for (this_start, this_end) in free {
        let this_start = this_start.max(start);
        let this_end = this_end.min(end);
        let Some(cand) = this_start.checked_next_multiple_of(align) else {
            continue;
        };
        if cand < this_end && this_end - cand >= size {
            return Some(cand);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::Memblock;

    #[test]
    fn top_down_takes_the_highest_fit() {
        let mut mb = Memblock::new();
        mb.add_memory(0x1000, 0x10000).unwrap();
        mb.add_memory(0x20000, 0x3000).unwrap();
        let free = mb.free_ranges();
        assert_eq!(
            super::top_down(free, 0x3000, 0x1000, 0, u64::MAX),
            Some(0x20000)
        );
        let free = mb.free_ranges();
        assert_eq!(
            super::top_down(free, 0x4000, 0x1000, 0, u64::MAX),
            Some(0xd000)
        );
        let free = mb.free_ranges();
        assert_eq!(
            super::top_down(free, 0x4000, 0x8000, 0, u64::MAX),
            Some(0x8000)
        );
        let free = mb.free_ranges();
        assert_eq!(super::top_down(free, 0x4000, 0x10000, 0, u64::MAX), None);
    }

    #[test]
    fn bottom_up_takes_the_lowest_fit() {
        let mut mb = Memblock::new();
        mb.add_memory(0x1000, 0x2000).unwrap();
        mb.add_memory(0x20000, 0x10000).unwrap();
        let free = mb.free_ranges();
        assert_eq!(
            super::bottom_up(free, 0x2000, 0x1000, 0, u64::MAX),
            Some(0x1000)
        );
        let free = mb.free_ranges();
        assert_eq!(
            super::bottom_up(free, 0x3000, 0x1000, 0, u64::MAX),
            Some(0x20000)
        );
        let free = mb.free_ranges();
        assert_eq!(
            super::bottom_up(free, 0x3000, 0x1000, 0x2f000, u64::MAX),
            None
        );
        let free = mb.free_ranges();
        assert_eq!(super::bottom_up(free, 1, 1 << 63, 0, u64::MAX), None);
    }
}
