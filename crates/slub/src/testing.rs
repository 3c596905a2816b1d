//! Host test doubles for the slab layer: a page source over std's allocator, with the owner
//! words the kernel keeps per page frame (Linux's struct page) in a map, strict about the
//! contract (orders match, owner words cleared before a block goes back), and a reporter
//! that records corruptions per test thread.

use std::alloc::{alloc, alloc_zeroed, dealloc, Layout};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ptr::NonNull;
use std::sync::Mutex;
use std::vec::Vec;

use gfp::Gfp;

use crate::debug::Corruption;
use crate::page::{PageSource, PAGE_SIZE};

/// The raw lock of the tests: spin's, through lock_api.
pub type Lock = spin::Mutex<()>;
pub type Cache<'p> = crate::KmemCache<'p, StdPages, Lock>;
pub type Km<'p> = crate::Kmalloc<'p, StdPages, Lock>;

#[derive(Default)]
struct State {
    /// Live blocks: start address to order.
    blocks: BTreeMap<usize, u32>,
    owners: HashMap<usize, usize>,
    /// Fail allocations once this many blocks are live.
    limit: Option<usize>,
    gfps: Vec<Gfp>,
}

/// Blocks from std's allocator, aligned to their size; new blocks are filled with 0x5a
/// unless zeroed, so reads of memory nobody wrote show.
#[derive(Default)]
pub struct StdPages {
    state: Mutex<State>,
}

impl StdPages {
    pub fn new() -> StdPages {
        StdPages::default()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .expect("a test panicked with the page source locked")
    }

    pub fn live_blocks(&self) -> usize {
        self.state().blocks.len()
    }

    pub fn live_pages(&self) -> usize {
        self.state().blocks.values().map(|order| 1 << order).sum()
    }

    /// Pages with a non-zero owner word.
    pub fn owned_pages(&self) -> usize {
        self.state().owners.len()
    }

    pub fn set_limit(&self, blocks: Option<usize>) {
        self.state().limit = blocks;
    }

    /// The flags of every alloc_pages call so far.
    pub fn gfps(&self) -> Vec<Gfp> {
        self.state().gfps.clone()
    }
}

fn block_layout(order: u32) -> Layout {
    let size = PAGE_SIZE << order;
    Layout::from_size_align(size, size).expect("block sizes are powers of two")
}

impl PageSource for StdPages {
    fn alloc_pages(&self, order: u32, gfp: Gfp) -> Option<NonNull<u8>> {
        let mut state = self.state();
        state.gfps.push(gfp);
        if state.limit.is_some_and(|limit| state.blocks.len() >= limit) {
            return None;
        }
        let layout = block_layout(order);
        // SAFETY: the layout has a non-zero size.
        let block = unsafe {
            if gfp.contains(Gfp::ZERO) {
                alloc_zeroed(layout)
            } else {
                let block = alloc(layout);
                if !block.is_null() {
                    block.write_bytes(0x5a, layout.size());
                }
                block
            }
        };
        let block = NonNull::new(block)?;
        state.blocks.insert(block.as_ptr() as usize, order);
        Some(block)
    }

    fn free_pages(&self, addr: NonNull<u8>, order: u32) {
        let mut state = self.state();
        let start = addr.as_ptr() as usize;
        assert_eq!(
            state.blocks.remove(&start),
            Some(order),
            "free_pages of a block not held"
        );
        for page in 0..1usize << order {
            let owner = state.owners.get(&(start + page * PAGE_SIZE));
            assert!(owner.is_none(), "owner word left set on a freed page");
        }
        // SAFETY: the block was allocated above with this layout.
        unsafe { dealloc(addr.as_ptr(), block_layout(order)) };
    }

    fn set_page_owner(&self, page_addr: usize, owner: usize) {
        let mut state = self.state();
        assert_eq!(page_addr % PAGE_SIZE, 0, "owner words are per page");
        let (&start, &order) = state
            .blocks
            .range(..=page_addr)
            .next_back()
            .expect("no block");
        assert!(
            page_addr < start + (PAGE_SIZE << order),
            "page outside every live block"
        );
        if owner == 0 {
            state.owners.remove(&page_addr);
        } else {
            state.owners.insert(page_addr, owner);
        }
    }

    fn page_owner(&self, page_addr: usize) -> usize {
        self.state().owners.get(&page_addr).copied().unwrap_or(0)
    }
}

impl Drop for StdPages {
    fn drop(&mut self) {
        let state = self.state.get_mut().expect("page source lock poisoned");
        for (&start, &order) in &state.blocks {
            // SAFETY: a live block allocated with this layout; nothing uses it any more.
            unsafe { dealloc(start as *mut u8, block_layout(order)) };
        }
    }
}

std::thread_local! {
    static REPORTS: RefCell<Vec<Corruption>> = const { RefCell::new(Vec::new()) };
}

/// A reporter that records corruptions for `take_reports` on this thread.
pub fn record(corruption: &Corruption) {
    REPORTS.with(|reports| reports.borrow_mut().push(*corruption));
}

pub fn take_reports() -> Vec<Corruption> {
    REPORTS.with(|reports| reports.take())
}
