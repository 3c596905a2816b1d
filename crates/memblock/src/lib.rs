//! Boot-time physical memory bookkeeping: Linux's memblock (mm/memblock.c).
//! Two region arrays, `memory` (RAM from the firmware map) and `reserved` (kernel
//! image, initramfs, boot information, page tables, early allocations), an early
//! allocator that takes free memory top-down, and the free ranges that are handed to
//! the buddy allocator when boot is done. `no_std`, no `alloc`; fits in a static.

#![no_std]
#![forbid(unsafe_code)]

mod find;
mod free;
mod region;

#[cfg(test)]
extern crate std;

#[cfg(test)]
mod proptests;

use core::fmt;

pub use free::{FreePfnRanges, FreeRanges};
pub use region::{Region, RegionArray, TooManyRegions, MAX_REGIONS};

/// The page size memblock rounds to when it hands out page frame numbers.
pub const PAGE_SIZE: u64 = 4096;

/// The alignment used when a caller asks for alignment 0 (Linux: SMP_CACHE_BYTES).
pub const SMP_CACHE_BYTES: u64 = 64;

/// Which array a failed operation was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    Memory,
    Reserved,
}

/// Why memblock refused a change. The state is unchanged after an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemblockError {
    /// The array would hold more than [`MAX_REGIONS`] regions (Linux would double it).
    TooManyRegions(RegionKind),
}

impl fmt::Display for MemblockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemblockError::TooManyRegions(RegionKind::Memory) => {
                write!(f, "memblock: more than {MAX_REGIONS} memory regions")
            }
            MemblockError::TooManyRegions(RegionKind::Reserved) => {
                write!(f, "memblock: more than {MAX_REGIONS} reserved regions")
            }
        }
    }
}

/// Linux's memblock: what is RAM, what of it is taken, and where to allocate early.
#[derive(Clone, Debug, Default)]
pub struct Memblock {
    memory: RegionArray,
    reserved: RegionArray,
    bottom_up: bool,
}

/// The end of `[base, base + size)`, with `size` capped so that it does not overflow
/// (Linux: memblock_cap_size()).
fn capped_end(base: u64, size: u64) -> u64 {
    base + size.min(u64::MAX - base)
}

impl Memblock {
    pub const fn new() -> Self {
        Memblock {
            memory: RegionArray::new(),
            reserved: RegionArray::new(),
            bottom_up: false,
        }
    }

    /// Register RAM (Linux: memblock_add()). Overlaps and neighbours merge.
    pub fn add_memory(&mut self, base: u64, size: u64) -> Result<(), MemblockError> {
        let end = capped_end(base, size);
        self.memory
            .add(base, end)
            .map_err(|_| MemblockError::TooManyRegions(RegionKind::Memory))
    }

    /// Forget RAM, for example above a `mem=` limit (Linux: memblock_remove()).
    pub fn remove_memory(&mut self, base: u64, size: u64) -> Result<(), MemblockError> {
        let end = capped_end(base, size);
        self.memory
            .remove(base, end)
            .map_err(|_| MemblockError::TooManyRegions(RegionKind::Memory))
    }

    /// Mark a range as taken (Linux: memblock_reserve()). It may lie outside RAM.
    pub fn reserve(&mut self, base: u64, size: u64) -> Result<(), MemblockError> {
        let end = capped_end(base, size);
        self.reserved
            .add(base, end)
            .map_err(|_| MemblockError::TooManyRegions(RegionKind::Reserved))
    }

    /// Give a reserved range back (Linux: memblock_phys_free()).
    pub fn free(&mut self, base: u64, size: u64) -> Result<(), MemblockError> {
        let end = capped_end(base, size);
        self.reserved
            .remove(base, end)
            .map_err(|_| MemblockError::TooManyRegions(RegionKind::Reserved))
    }

    /// Allocate top-down (or bottom-up, see [`Memblock::set_bottom_up`]) below
    /// `limit` and reserve it (Linux: memblock_phys_alloc_range(size, align, 0, limit)).
    /// The memory is not touched: the caller zeroes it if it needs zeroes.
    pub fn alloc(&mut self, size: u64, align: u64, limit: u64) -> Option<u64> {
        self.alloc_range(size, align, 0, limit)
    }

    /// Allocate `size` bytes aligned to `align` inside `[start, end)` and reserve them.
    /// `align` must be a power of two; 0 means [`SMP_CACHE_BYTES`], as on Linux.
    /// The first page is never handed out (Linux avoids physical page 0 too).
    pub fn alloc_range(&mut self, size: u64, align: u64, start: u64, end: u64) -> Option<u64> {
        let align = if align == 0 { SMP_CACHE_BYTES } else { align };
        if size == 0 || !align.is_power_of_two() {
            return None;
        }
        let start = start.max(PAGE_SIZE);
        let found = if self.bottom_up {
            find::bottom_up(self.free_ranges(), size, align, start, end)
        } else {
            find::top_down(self.free_ranges(), size, align, start, end)
        }?;
        self.reserve(found, size).ok()?;
        Some(found)
    }

    /// Choose the direction of [`Memblock::alloc`] (Linux: memblock_set_bottom_up()).
    pub fn set_bottom_up(&mut self, enable: bool) {
        self.bottom_up = enable;
    }

    /// RAM regions, sorted, disjoint, none touching another.
    pub fn memory(&self) -> &[Region] {
        self.memory.as_slice()
    }

    /// Reserved regions, sorted, disjoint, none touching another.
    pub fn reserved(&self) -> &[Region] {
        self.reserved.as_slice()
    }

    /// Bytes of RAM (Linux: memblock_phys_mem_size()).
    pub fn memory_size(&self) -> u64 {
        self.memory.total_size()
    }

    /// Bytes reserved, inside RAM or not (Linux: memblock_reserved_size()).
    pub fn reserved_size(&self) -> u64 {
        self.reserved.total_size()
    }

    /// Bytes of RAM that are not reserved.
    pub fn free_size(&self) -> u64 {
        self.free_ranges().map(|(s, e)| e - s).sum()
    }

    /// One past the last byte of RAM (Linux: memblock_end_of_DRAM()); 0 without RAM.
    /// `end_of_dram() / PAGE_SIZE` is max_pfn, the size of the kernel's mem_map.
    pub fn end_of_dram(&self) -> u64 {
        self.memory().last().map_or(0, Region::end)
    }

    /// Is all of `[base, base + size)` RAM? (Linux: memblock_is_region_memory())
    pub fn is_region_memory(&self, base: u64, size: u64) -> bool {
        self.memory.contains(base, capped_end(base, size))
    }

    /// Is any byte of `[base, base + size)` reserved? (memblock_is_region_reserved())
    pub fn is_region_reserved(&self, base: u64, size: u64) -> bool {
        self.reserved.intersects(base, capped_end(base, size))
    }

    /// RAM minus reserved, as byte ranges `[start, end)` in address order.
    pub fn free_ranges(&self) -> FreeRanges<'_> {
        FreeRanges::new(self.memory(), self.reserved())
    }

    /// RAM minus reserved, as whole pages `[start_pfn, end_pfn)`: what the kernel hands
    /// to the buddy allocator at the end of boot (Linux: memblock_free_all()).
    pub fn free_pfn_ranges(&self) -> FreePfnRanges<'_> {
        FreePfnRanges::new(self.free_ranges())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PC as QEMU describes it with `-m 128M`.
    fn pc() -> Memblock {
        let mut mb = Memblock::new();
        mb.add_memory(0, 0x9fc00).unwrap();
        mb.add_memory(0x100000, 0x7ee0000).unwrap();
        mb.reserve(0x100000, 0x200000).unwrap(); // kernel image
        mb
    }

    #[test]
    fn totals() {
        let mb = pc();
        assert_eq!(mb.memory_size(), 0x9fc00 + 0x7ee0000);
        assert_eq!(mb.reserved_size(), 0x200000);
        assert_eq!(mb.free_size(), 0x9fc00 + 0x7ee0000 - 0x200000);
        assert_eq!(mb.end_of_dram(), 0x7fe0000);
        assert!(mb.is_region_memory(0x100000, 0x1000));
        assert!(!mb.is_region_memory(0x9f000, 0x1000));
        assert!(mb.is_region_reserved(0x2ff000, 0x2000));
        assert!(!mb.is_region_reserved(0x300000, 0x2000));
    }

    #[test]
    fn alloc_is_top_down_below_the_limit() {
        let mut mb = pc();
        assert_eq!(mb.alloc(0x1000, 0x1000, u64::MAX), Some(0x7fdf000));
        assert_eq!(mb.alloc(0x1000, 0x1000, u64::MAX), Some(0x7fde000));
        assert_eq!(mb.alloc(0x10, 0x10, 0x1000000), Some(0xfffff0));
        assert_eq!(mb.alloc(0x3000, 0x200000, u64::MAX), Some(0x7e00000));
        assert!(mb.is_region_reserved(0x7e00000, 0x3000));
    }

    #[test]
    fn alloc_skips_reserved_and_page_zero() {
        let mut mb = pc();
        // Below 1 MiB: the top of low memory first, and never page 0.
        assert_eq!(mb.alloc(0x9e000, 0x1000, 0x100000), Some(0x1000));
        assert_eq!(mb.alloc(0x1000, 0x1000, 0x100000), None);
        // Below 3 MiB only the kernel image is left: nothing.
        assert_eq!(mb.alloc(0x1000, 0x1000, 0x300000), None);
    }

    #[test]
    fn alloc_bottom_up() {
        let mut mb = pc();
        mb.set_bottom_up(true);
        assert_eq!(mb.alloc(0x1000, 0x1000, u64::MAX), Some(0x1000));
        assert_eq!(mb.alloc(0x800, 0x1000, u64::MAX), Some(0x2000));
        assert_eq!(
            mb.alloc_range(0x1000, 0x1000, 0x100000, u64::MAX),
            Some(0x300000)
        );
    }

    #[test]
    fn alloc_refuses_odd_requests() {
        let mut mb = pc();
        assert_eq!(mb.alloc(0, 0x1000, u64::MAX), None);
        assert_eq!(mb.alloc(0x1000, 3, u64::MAX), None);
        assert_eq!(mb.alloc(u64::MAX, 0x1000, u64::MAX), None);
        assert_eq!(mb.alloc(0x1000, 1 << 63, u64::MAX), None);
        // Alignment 0 means a cache line.
        let got = mb.alloc(100, 0, u64::MAX).unwrap();
        assert_eq!(got % SMP_CACHE_BYTES, 0);
        assert_eq!(got, (0x7fe0000 - 100) & !63);
    }

    #[test]
    fn overflowing_sizes_are_capped() {
        let mut mb = Memblock::new();
        mb.add_memory(u64::MAX - 0x1000, u64::MAX).unwrap();
        assert_eq!(
            mb.memory(),
            &[Region {
                base: u64::MAX - 0x1000,
                size: 0x1000
            }]
        );
        mb.reserve(u64::MAX - 0x800, 0x10000).unwrap();
        assert_eq!(mb.free_size(), 0x800);
        mb.add_memory(5, 0).unwrap();
        assert_eq!(mb.memory().len(), 1);
    }

    #[test]
    fn free_gives_back_and_remove_memory_splits() {
        let mut mb = pc();
        let a = mb.alloc(0x2000, 0x1000, u64::MAX).unwrap();
        mb.free(a, 0x2000).unwrap();
        assert_eq!(mb.reserved_size(), 0x200000);
        mb.remove_memory(0x4000000, 0x1000000).unwrap();
        assert_eq!(mb.memory().len(), 3);
        assert_eq!(mb.alloc(0x1000, 0x1000, 0x5000000), Some(0x3fff000));
    }

    #[test]
    fn too_many_regions_is_an_error() {
        let mut mb = Memblock::new();
        for k in 0..MAX_REGIONS as u64 {
            mb.reserve(k * 0x2000, 0x1000).unwrap();
        }
        let err = mb.reserve(0x1000_0000, 0x1000).unwrap_err();
        assert_eq!(err, MemblockError::TooManyRegions(RegionKind::Reserved));
        assert_eq!(mb.reserved().len(), MAX_REGIONS);
        assert_eq!(
            std::format!("{err}"),
            "memblock: more than 128 reserved regions"
        );

        // Reserving the allocation would need a 129th region: no allocation.
        mb.add_memory(0, 0x1000_0000).unwrap();
        assert_eq!(mb.alloc(0x1000, 0x1000, u64::MAX), None);
        // One that fills a gap between two reservations merges them and succeeds.
        assert_eq!(mb.alloc(0x1000, 0x1000, 0x4000), Some(0x3000));
        assert_eq!(mb.reserved().len(), MAX_REGIONS - 1);
    }
}
