//! The page frame descriptor: Linux's `struct page`, one per physical page in the
//! mem_map array, indexed by page frame number (pfn). It holds the page's state
//! flags, the order of the block it heads, the links of the free list it is on,
//! and one word (`private`) for the layer that owns the page, such as slab.

bitflags::bitflags! {
    /// Page state (Linux: page->flags and page types).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct PageFlags: u16 {
        /// Backed by RAM. A page without it is a hole in the physical map.
        const PRESENT = 1 << 0;
        /// RAM the allocator does not manage: firmware, kernel image, initramfs,
        /// mem_map, page tables (Linux: PG_reserved).
        const RESERVED = 1 << 1;
        /// First page of a free block on a zone free list; `order` is its size
        /// (Linux: PageBuddy).
        const BUDDY = 1 << 2;
        /// First page of an allocated block; `order` is its size (Linux keeps the
        /// order of compound pages in the head too).
        const HEAD = 1 << 3;
        /// On a per-cpu page list: neither free in buddy nor allocated (Linux keeps
        /// such pages on pcp->lists).
        const PCP = 1 << 4;
        /// Owned by the slab allocator, which sets and clears it (Linux: PG_slab).
        const SLAB = 1 << 5;
    }
}

/// One page frame's descriptor (Linux: `struct page`). 24 bytes: mem_map costs
/// 24 / 4096 = 0.6% of RAM. All zero is a valid value: a hole.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Page {
    /// Next pfn on the free or per-cpu list, or `NIL` (Linux: page->lru).
    pub(crate) next: u32,
    /// Previous pfn on the list, or `NIL`.
    pub(crate) prev: u32,
    pub(crate) flags: PageFlags,
    /// The order of the block this page heads, when BUDDY or HEAD is set.
    pub(crate) order: u8,
    /// Free for the owner of an allocated page (Linux: page->private); slab keeps a
    /// pointer to its slab here. The page allocator never reads it, and sets it to 0
    /// on the first page of each block it hands out.
    pub private: usize,
}

const _: () = assert!(core::mem::size_of::<Page>() == 24);

impl Page {
    /// The value of every descriptor before the node learns about memory: a hole.
    pub const EMPTY: Page = Page {
        next: 0,
        prev: 0,
        flags: PageFlags::empty(),
        order: 0,
        private: 0,
    };

    pub fn flags(&self) -> PageFlags {
        self.flags
    }

    /// The order of the block this page heads, free (BUDDY) or allocated (HEAD).
    pub fn order(&self) -> Option<u32> {
        if self.flags.intersects(PageFlags::BUDDY | PageFlags::HEAD) {
            Some(u32::from(self.order))
        } else {
            None
        }
    }

    /// Is this page the first page of a block handed out by `alloc_pages`?
    pub fn is_head(&self) -> bool {
        self.flags.contains(PageFlags::HEAD)
    }

    /// Is this page the first page of a free block in buddy?
    pub fn is_buddy(&self) -> bool {
        self.flags.contains(PageFlags::BUDDY)
    }

    pub fn is_reserved(&self) -> bool {
        self.flags.contains(PageFlags::RESERVED)
    }

    pub fn is_present(&self) -> bool {
        self.flags.contains(PageFlags::PRESENT)
    }

    /// Set by the slab allocator on the pages of its slabs. Meaningful only while the
    /// page is allocated: the page allocator clears it when it hands the page out.
    pub fn is_slab(&self) -> bool {
        self.flags.contains(PageFlags::SLAB)
    }

    /// Reset to the state of a page just handed out as the head of a block.
    pub(crate) fn prep_new(&mut self, order: u32) {
        self.flags = PageFlags::PRESENT | PageFlags::HEAD;
        self.order = order as u8;
        self.private = 0;
    }

    /// Mark as the first page of a free block of `order`.
    pub(crate) fn set_buddy(&mut self, order: u32) {
        self.flags = PageFlags::PRESENT | PageFlags::BUDDY;
        self.order = order as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_a_hole() {
        let p = Page::EMPTY;
        assert!(!p.is_present());
        assert_eq!(p.order(), None);
        assert!(!p.is_head() && !p.is_buddy() && !p.is_reserved() && !p.is_slab());
    }

    #[test]
    fn order_only_for_block_heads() {
        let mut p = Page::EMPTY;
        p.set_buddy(3);
        assert_eq!(p.order(), Some(3));
        assert!(p.is_buddy());
        p.prep_new(2);
        assert_eq!(p.order(), Some(2));
        assert!(p.is_head() && !p.is_buddy());
        p.flags = PageFlags::PRESENT;
        assert_eq!(p.order(), None);
    }
}
