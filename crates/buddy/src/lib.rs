//! The page allocator: Linux's binary buddy allocator with zones (mm/page_alloc.c).
//! A [`Node`] (Linux's pg_data_t) owns the mem_map, one [`Page`] (struct page) per
//! page frame, and the zones DMA, DMA32 and Normal; each zone keeps free lists of
//! blocks of 2^0 to 2^MAX_ORDER pages, watermarks and a per-cpu list of single pages.
//! `no_std`, no `alloc`; it never touches the memory it manages, only the mem_map.

#![no_std]
#![forbid(unsafe_code)]

mod allocate;
mod buddyinfo;
mod error;
mod free;
mod free_list;
mod node;
mod page;
mod pcp;
mod watermark;
mod zone;

#[cfg(test)]
extern crate std;

#[cfg(test)]
mod check;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_wmark;

pub use buddyinfo::BuddyInfo;
pub use error::{AllocError, FreeError, RangeError};
pub use free_list::Iter as FreeBlocks;
pub use gfp::Gfp;
pub use node::Node;
pub use page::{Page, PageFlags};
pub use watermark::{min_free_kbytes_for, LOWMEM_RESERVE_RATIO, WATERMARK_SCALE_FACTOR};
pub use zone::{ZoneInfo, ZoneType, DMA32_END_PFN, DMA_END_PFN, MAX_NR_ZONES};

/// The largest block is 2^MAX_ORDER pages: 4 MiB (Linux 6.4+: MAX_PAGE_ORDER).
pub const MAX_ORDER: u32 = 10;

/// Number of block sizes, orders 0 to MAX_ORDER (Linux: NR_PAGE_ORDERS).
pub const NR_PAGE_ORDERS: usize = MAX_ORDER as usize + 1;

/// Pages are 4 KiB: pfn = physical address >> PAGE_SHIFT.
pub const PAGE_SHIFT: u32 = 12;

/// Bytes in a page, the unit of order 0.
pub const PAGE_SIZE: u64 = 1 << PAGE_SHIFT;
