//! What the slab layer needs from the page allocator (Linux: alloc_pages, free_pages and
//! the slab fields of struct page), and the owner word it keeps in every page it holds so
//! that kfree finds the cache and slab, or the order of a large block, from an address.

use core::ptr::NonNull;

use gfp::Gfp;

/// log2 of the page size.
pub const PAGE_SHIFT: u32 = 12;
/// The size of a page frame: 4 KiB on x86_64.
pub const PAGE_SIZE: usize = 1 << PAGE_SHIFT;
/// The largest order the page allocator hands out: 10, blocks of 4 MiB (Linux's
/// MAX_PAGE_ORDER; MAX_ORDER - 1 before Linux 6.8).
pub const MAX_PAGE_ORDER: u32 = 10;

/// The page allocator as the slab layer sees it: the buddy allocator in the kernel, std's
/// allocator or a static arena in host tests.
///
/// Linux keeps a slab's cache and a compound page's order in `struct page`; noyau's page
/// allocator gives the slab layer one word per 4 KiB page frame for the same purpose. The
/// slab layer stores a word for every page of every slab it makes, one for the first page
/// of every large kmalloc block, and writes 0 to those words before it gives the block
/// back. What the word holds is the slab layer's business (see `Owner`).
pub trait PageSource {
    /// 2^order contiguous pages, naturally aligned to their size (a 16 KiB block starts on
    /// a 16 KiB boundary), as a kernel virtual address; `None` when memory is short. Honours
    /// the zone modifiers of `gfp` and `Gfp::ZERO` as alloc_pages does.
    fn alloc_pages(&self, order: u32, gfp: Gfp) -> Option<NonNull<u8>>;

    /// Gives back a block that `alloc_pages` returned, with the same order.
    fn free_pages(&self, addr: NonNull<u8>, order: u32);

    /// Stores the owner word of the page that starts at `page_addr` (page aligned), a page
    /// of a block the slab layer holds.
    fn set_page_owner(&self, page_addr: usize, owner: usize);

    /// The owner word last stored for the page at `page_addr`, or 0 for a page the slab
    /// layer never marked. Must return 0, not panic, for an address the page source does
    /// not manage: kfree of a bad pointer asks about it.
    fn page_owner(&self, page_addr: usize) -> usize;
}

/// The order of the smallest block that holds `size` bytes (Linux's get_order).
pub const fn get_order(size: usize) -> u32 {
    if size <= PAGE_SIZE {
        return 0;
    }
    usize::BITS - ((size - 1) >> PAGE_SHIFT).leading_zeros()
}

/// The start of the page that holds `addr`.
#[inline]
pub(crate) const fn page_of(addr: usize) -> usize {
    addr & !(PAGE_SIZE - 1)
}

/// An owner word is [cache address | order (4 bits) | tag (2 bits)]: caches are aligned
/// to OWNER_ALIGN bytes, so the low bits of their address are free.
pub(crate) const OWNER_ALIGN: usize = 64;
/// Tag: the page belongs to a slab of 2^order pages of the cache at the address.
const OWNER_SLAB: usize = 1;
/// Tag: the page heads a large kmalloc block of 2^order pages (no cache).
const OWNER_LARGE: usize = 2;
const OWNER_TAG_MASK: usize = 3;
const ORDER_SHIFT: u32 = 2;
const ORDER_MASK: usize = 0xf;

/// An owner word, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    /// Not a page the slab layer marked (or an interior page of a large block).
    None,
    /// A page of a slab of 2^order pages, naturally aligned, of the cache at `cache`
    /// (Linux: slab->slab_cache and the compound order).
    Slab { cache: usize, order: u32 },
    /// The first page of a large kmalloc block of this order.
    Large(u32),
}

impl Owner {
    /// The word to store for this owner.
    pub(crate) const fn encode(self) -> usize {
        match self {
            Owner::None => 0,
            Owner::Slab { cache, order } => cache | ((order as usize) << ORDER_SHIFT) | OWNER_SLAB,
            Owner::Large(order) => ((order as usize) << ORDER_SHIFT) | OWNER_LARGE,
        }
    }

    /// Reads a word stored by `encode`.
    #[inline]
    pub(crate) const fn decode(word: usize) -> Owner {
        let order = ((word >> ORDER_SHIFT) & ORDER_MASK) as u32;
        match word & OWNER_TAG_MASK {
            OWNER_SLAB => Owner::Slab {
                cache: word & !(OWNER_ALIGN - 1),
                order,
            },
            OWNER_LARGE => Owner::Large(order),
            _ => Owner::None,
        }
    }
}

/// The start of the block of 2^order pages that holds `addr` (blocks are naturally
/// aligned).
#[inline]
pub(crate) const fn block_of(addr: usize, order: u32) -> usize {
    addr & !((PAGE_SIZE << order) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_order_rounds_up_to_a_power_of_two_of_pages() {
        assert_eq!(get_order(1), 0);
        assert_eq!(get_order(4096), 0);
        assert_eq!(get_order(4097), 1);
        assert_eq!(get_order(8192), 1);
        assert_eq!(get_order(12288), 2);
        assert_eq!(get_order(4 << 20), 10);
    }

    #[test]
    fn owner_words_round_trip() {
        for owner in [
            Owner::None,
            Owner::Slab {
                cache: 0xffff_8000_0012_3040,
                order: 10,
            },
            Owner::Large(7),
        ] {
            assert_eq!(Owner::decode(owner.encode()), owner);
        }
        assert_eq!(Owner::decode(0), Owner::None);
        assert_eq!(block_of(0x12_5678, 2), 0x12_4000);
    }
}
