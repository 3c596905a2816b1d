//! One range handed out by the vmalloc allocator: Linux's vmap_area / vm_struct pair.
//! As in Linux (without VM_NO_GUARD), the recorded size includes one unmapped guard page
//! after the usable pages, so that running off the end of a buffer faults instead of
//! silently writing into the next area.

use crate::PAGE_SIZE;

/// A range of the vmalloc area: `size` bytes from `addr`, the last page being the guard.
///
/// `addr` and `size` are page-aligned and `size` is at least two pages (one usable, one
/// guard). Linux's `get_vm_area_size()` is [`VmArea::usable_size`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VmArea {
    /// First address of the area, where the caller's buffer starts.
    pub addr: u64,
    /// Bytes reserved in the vmalloc area, guard page included.
    pub size: u64,
}

impl VmArea {
    /// One past the last address of the area, guard page included (Linux's va_end).
    pub fn end(&self) -> u64 {
        self.addr + self.size
    }

    /// Bytes the caller may use: the area without its guard page.
    pub fn usable_size(&self) -> u64 {
        self.size - PAGE_SIZE
    }

    /// Number of pages to back with memory (the guard page is never mapped).
    pub fn nr_pages(&self) -> u64 {
        self.usable_size() / PAGE_SIZE
    }

    /// Address of the guard page.
    pub fn guard_page(&self) -> u64 {
        self.addr + self.usable_size()
    }

    /// Whether `addr` lies in the area, guard page included.
    pub fn contains(&self, addr: u64) -> bool {
        self.addr <= addr && addr < self.end()
    }

    /// Whether `addr` lies in the guard page: a fault there is an overrun, not a bug of
    /// the page tables.
    pub fn in_guard(&self, addr: u64) -> bool {
        self.guard_page() <= addr && addr < self.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: VmArea = VmArea {
        addr: 0x10_0000,
        size: 3 * PAGE_SIZE,
    };

    #[test]
    fn sizes_separate_usable_pages_from_the_guard() {
        assert_eq!(AREA.end(), 0x10_3000);
        assert_eq!(AREA.usable_size(), 2 * PAGE_SIZE);
        assert_eq!(AREA.nr_pages(), 2);
        assert_eq!(AREA.guard_page(), 0x10_2000);
    }

    #[test]
    fn contains_and_in_guard_bounds() {
        assert!(!AREA.contains(0x0f_ffff));
        assert!(AREA.contains(0x10_0000));
        assert!(!AREA.in_guard(0x10_1fff));
        assert!(AREA.in_guard(0x10_2000));
        assert!(AREA.in_guard(0x10_2fff));
        assert!(AREA.contains(0x10_2fff));
        assert!(!AREA.contains(0x10_3000));
        assert!(!AREA.in_guard(0x10_3000));
    }
}
