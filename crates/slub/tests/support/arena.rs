//! A page source over one static, 4 MiB-aligned region, for a test binary whose global
//! allocator is kmalloc and for benchmarks: blocks come from per-order free lists or a bump
//! pointer, and owner words from an array with one word per page, as the kernel's buddy
//! allocator and mem_map provide them. Freed blocks are not merged.

use core::cell::UnsafeCell;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};

use gfp::Gfp;
use slub::{PageSource, MAX_PAGE_ORDER, PAGE_SIZE};

const ORDERS: usize = MAX_PAGE_ORDER as usize + 1;

struct State {
    /// Heads of the free lists, by order: block addresses, 0 for none. A free block's
    /// first word holds the next one.
    free: [usize; ORDERS],
    /// First page never handed out.
    bump: usize,
}

/// `PAGES` pages of memory in the binary's .bss, aligned to the largest block.
#[repr(C, align(4194304))]
pub struct Arena<const PAGES: usize> {
    memory: UnsafeCell<[[u8; PAGE_SIZE]; PAGES]>,
    owners: [AtomicUsize; PAGES],
    state: spin::Mutex<State>,
}

// SAFETY: the memory is handed out in disjoint blocks, decided under the state lock.
unsafe impl<const PAGES: usize> Sync for Arena<PAGES> {}

impl<const PAGES: usize> Arena<PAGES> {
    pub const fn new() -> Self {
        Arena {
            memory: UnsafeCell::new([[0; PAGE_SIZE]; PAGES]),
            owners: [const { AtomicUsize::new(0) }; PAGES],
            state: spin::Mutex::new(State {
                free: [0; ORDERS],
                bump: 0,
            }),
        }
    }

    fn base(&self) -> usize {
        self.memory.get() as usize
    }

    /// The whole region, for another allocator once this one holds nothing.
    #[allow(dead_code)]
    pub fn region(&self) -> (*mut u8, usize) {
        (self.memory.get().cast(), PAGES * PAGE_SIZE)
    }

    /// Forgets every block handed out.
    ///
    /// # Safety
    /// Nothing uses a block of the arena any more.
    #[allow(dead_code)]
    pub unsafe fn reset(&self) {
        let mut state = self.state.lock();
        *state = State {
            free: [0; ORDERS],
            bump: 0,
        };
        self.owners
            .iter()
            .for_each(|owner| owner.store(0, Ordering::Relaxed));
    }

    fn push(&self, state: &mut State, page: usize, order: u32) {
        let addr = self.base() + page * PAGE_SIZE;
        // SAFETY: the block is free and inside the region; its first word is ours.
        unsafe { (addr as *mut usize).write(state.free[order as usize]) };
        state.free[order as usize] = addr;
    }

    fn take(&self, order: u32) -> Option<usize> {
        let mut state = self.state.lock();
        let head = state.free[order as usize];
        if head != 0 {
            // SAFETY: a free block of the region; its first word links the list.
            state.free[order as usize] = unsafe { (head as *const usize).read() };
            return Some(head);
        }

        // Align the bump pointer to the block size; the skipped pages become free blocks.
        let pages = 1usize << order;
        let mut start = state.bump;
        while !start.is_multiple_of(pages) {
            let fit = start.trailing_zeros();
            self.push(&mut state, start, fit);
            start += 1 << fit;
        }
        state.bump = start;
        if start + pages > PAGES {
            return None;
        }
        state.bump = start + pages;
        Some(self.base() + start * PAGE_SIZE)
    }
}

impl<const PAGES: usize> PageSource for Arena<PAGES> {
    fn alloc_pages(&self, order: u32, gfp: Gfp) -> Option<NonNull<u8>> {
        let block = NonNull::new(self.take(order)? as *mut u8)?;
        if gfp.contains(Gfp::ZERO) {
            // SAFETY: the block was just taken for the caller, PAGE_SIZE << order bytes.
            unsafe { block.as_ptr().write_bytes(0, PAGE_SIZE << order) };
        }
        Some(block)
    }

    fn free_pages(&self, addr: NonNull<u8>, order: u32) {
        let page = (addr.as_ptr() as usize - self.base()) / PAGE_SIZE;
        self.push(&mut self.state.lock(), page, order);
    }

    fn set_page_owner(&self, page_addr: usize, owner: usize) {
        let page = (page_addr - self.base()) / PAGE_SIZE;
        self.owners[page].store(owner, Ordering::Relaxed);
    }

    #[inline]
    fn page_owner(&self, page_addr: usize) -> usize {
        let page = page_addr.wrapping_sub(self.base()) / PAGE_SIZE;
        self.owners
            .get(page)
            .map_or(0, |owner| owner.load(Ordering::Relaxed))
    }
}
