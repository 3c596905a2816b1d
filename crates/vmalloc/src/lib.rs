//! The vmalloc area's address bookkeeping: Linux's vmap_area allocator (mm/vmalloc.c).
//! vmalloc() hands out ranges of kernel virtual space that are contiguous there but backed by
//! scattered order-0 pages; this crate only chooses the ranges (first fit from low addresses,
//! each followed by an unmapped guard page). The kernel glue allocates and maps the pages.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod area;
mod vmap;

#[cfg(test)]
mod proptests;

pub use area::VmArea;
pub use vmap::VmapAreas;

/// Size of a page, and the granule of every range handed out.
pub const PAGE_SIZE: u64 = 4096;

/// First address of the vmalloc area on x86_64 with 4-level paging (Linux's VMALLOC_START).
pub const VMALLOC_START: u64 = 0xffff_c900_0000_0000;

/// Last address of the vmalloc area (Linux's VMALLOC_END, inclusive as in Linux).
///
/// Passed as the exclusive `end` of [`VmapAreas::new`], it keeps Linux's arithmetic:
/// `VMALLOC_END - VMALLOC_START` is VmallocTotal (32 TiB less one byte, shown as
/// 34359738367 kB in /proc/meminfo), and the last, partial page is never handed out.
pub const VMALLOC_END: u64 = 0xffff_e8ff_ffff_ffff;

/// Rounds `x` up to a multiple of `align` (a power of two); None on overflow.
pub(crate) fn align_up(x: u64, align: u64) -> Option<u64> {
    debug_assert!(align.is_power_of_two());
    Some(x.checked_add(align - 1)? & !(align - 1))
}

/// Rounds `x` down to a multiple of `align` (a power of two).
pub(crate) fn align_down(x: u64, align: u64) -> u64 {
    debug_assert!(align.is_power_of_two());
    x & !(align - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vmalloc_total_is_linux_32_tib_less_one_byte() {
        assert_eq!(VMALLOC_END - VMALLOC_START, (32 << 40) - 1);
        assert_eq!((VMALLOC_END - VMALLOC_START) >> 10, 34_359_738_367);
    }

    #[test]
    fn alignment_helpers() {
        assert_eq!(align_up(0, PAGE_SIZE), Some(0));
        assert_eq!(align_up(1, PAGE_SIZE), Some(PAGE_SIZE));
        assert_eq!(align_up(PAGE_SIZE, PAGE_SIZE), Some(PAGE_SIZE));
        assert_eq!(align_up(u64::MAX, PAGE_SIZE), None);
        assert_eq!(align_down(PAGE_SIZE + 1, PAGE_SIZE), PAGE_SIZE);
        assert_eq!(align_down(VMALLOC_END, PAGE_SIZE), 0xffff_e8ff_ffff_f000);
    }
}
