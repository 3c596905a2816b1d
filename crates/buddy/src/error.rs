//! Why the page allocator refused a request. Linux returns NULL or BUG()s; here every
//! refusal is a value the caller turns into ENOMEM or a printk, and a refused call
//! leaves the allocator exactly as it was.

use core::fmt;

use crate::MAX_ORDER;

/// Why `alloc_pages` returned no page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocError {
    /// The order is above MAX_ORDER.
    BadOrder { order: u32 },
    /// __GFP_DMA and __GFP_DMA32 together name no zone (Linux: GFP_ZONE_BAD).
    BadZoneModifier,
    /// No allowed zone had a free block of this order above the watermark the gfp
    /// flags allow. `reclaim_tried`: the caller could sleep, so direct reclaim ran,
    /// but there is nothing to reclaim yet (no page cache, no swap): it drained the
    /// per-cpu lists and tried once more.
    NoMemory { order: u32, reclaim_tried: bool },
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AllocError::BadOrder { order } => {
                write!(f, "order {order} is above MAX_ORDER {MAX_ORDER}")
            }
            AllocError::BadZoneModifier => write!(f, "__GFP_DMA and __GFP_DMA32 together"),
            AllocError::NoMemory {
                order,
                reclaim_tried: true,
            } => write!(
                f,
                "page allocation failure: order:{order}, reclaim found nothing to free"
            ),
            AllocError::NoMemory {
                order,
                reclaim_tried: false,
            } => write!(
                f,
                "page allocation failure: order:{order}, no reclaim (caller cannot sleep)"
            ),
        }
    }
}

/// Why `free_pages` refused to free a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FreeError {
    BadOrder {
        order: u32,
    },
    /// The block does not lie inside the mem_map.
    OutOfRange {
        pfn: u64,
    },
    /// The pfn is not a multiple of the block size.
    Misaligned {
        pfn: u64,
        order: u32,
    },
    /// The page is already free (in buddy or on a per-cpu list).
    DoubleFree {
        pfn: u64,
    },
    /// The page does not start an allocated block: a hole, a reserved page, a page
    /// inside a block, or a block already freed and merged into a larger one.
    NotAllocated {
        pfn: u64,
    },
    /// The block was allocated with another order.
    WrongOrder {
        pfn: u64,
        order: u32,
        allocated: u32,
    },
}

impl fmt::Display for FreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FreeError::BadOrder { order } => {
                write!(f, "free of order {order}, above MAX_ORDER {MAX_ORDER}")
            }
            FreeError::OutOfRange { pfn } => write!(f, "free of pfn {pfn:#x} outside mem_map"),
            FreeError::Misaligned { pfn, order } => {
                write!(f, "free of pfn {pfn:#x} not aligned to order {order}")
            }
            FreeError::DoubleFree { pfn } => write!(f, "double free of pfn {pfn:#x}"),
            FreeError::NotAllocated { pfn } => {
                write!(f, "free of pfn {pfn:#x}, which is not an allocated block")
            }
            FreeError::WrongOrder {
                pfn,
                order,
                allocated,
            } => write!(
                f,
                "free of pfn {pfn:#x} with order {order}, allocated with order {allocated}"
            ),
        }
    }
}

/// Why a range could not be added to the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeError {
    /// `start > end`, or `end` beyond the mem_map.
    OutOfRange {
        start_pfn: u64,
        end_pfn: u64,
        max_pfn: u64,
    },
    /// A page of the range is already managed by the allocator.
    AlreadyManaged { pfn: u64 },
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RangeError::OutOfRange {
                start_pfn,
                end_pfn,
                max_pfn,
            } => write!(
                f,
                "pfn range [{start_pfn:#x}, {end_pfn:#x}) outside mem_map [0, {max_pfn:#x})"
            ),
            RangeError::AlreadyManaged { pfn } => {
                write!(f, "pfn {pfn:#x} is already managed by the page allocator")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn messages_name_the_problem() {
        let e = AllocError::NoMemory {
            order: 3,
            reclaim_tried: true,
        };
        assert_eq!(
            format!("{e}"),
            "page allocation failure: order:3, reclaim found nothing to free"
        );
        let e = FreeError::WrongOrder {
            pfn: 0x40,
            order: 1,
            allocated: 2,
        };
        assert_eq!(
            format!("{e}"),
            "free of pfn 0x40 with order 1, allocated with order 2"
        );
        let e = RangeError::AlreadyManaged { pfn: 0x10 };
        assert_eq!(
            format!("{e}"),
            "pfn 0x10 is already managed by the page allocator"
        );
        assert_eq!(
            format!("{}", AllocError::BadOrder { order: 11 }),
            "order 11 is above MAX_ORDER 10"
        );
    }
}
