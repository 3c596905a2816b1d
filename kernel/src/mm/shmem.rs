//! The memory behind MAP_SHARED | MAP_ANONYMOUS (Linux: mm/shmem.c,
//! shmem_zero_setup, which gives such a mapping an unnamed shmem file).
//!
//! Every VMA that maps the object, in any process, holds an Arc to it; its
//! pages are allocated on first touch and belong to the object, not to the
//! page tables that map them, so a write through one mapping is seen
//! through all of them. The pages are freed when the last VMA goes. The
//! object keeps the size it was created with: a mapping grown by mremap
//! past it faults with SIGBUS there, as a file mapping past end of file.

use core::sync::atomic::{AtomicU64, Ordering};

use alloc::collections::BTreeMap;
use alloc::sync::Arc;

use gfp::Gfp;

use crate::arch::mm::PAGE_SIZE;
use crate::kernel::sync::IrqSpinLock;
use crate::mm::address_space::AddressSpace;
use crate::mm::page_alloc;

/// Pages held by shared anonymous memory, all objects together (part of
/// Linux's NR_SHMEM).
static PAGES: AtomicU64 = AtomicU64::new(0);

/// The pages shared anonymous memory holds.
pub fn pages() -> u64 {
    PAGES.load(Ordering::Relaxed)
}

pub struct SharedAnon {
    /// Size in pages (Linux: the shmem inode's i_size).
    pages: u64,
    /// Page index to page frame, for the pages touched so far.
    frames: IrqSpinLock<BTreeMap<u64, u64>>,
}

/// Why a page of the object could not be had.
#[derive(Debug, PartialEq, Eq)]
pub enum ShmemError {
    /// Beyond the object's size (SIGBUS, BUS_ADRERR).
    BeyondEnd,
    NoMemory,
}

impl SharedAnon {
    pub fn new(pages: u64) -> Arc<SharedAnon> {
        Arc::new(SharedAnon {
            pages,
            frames: IrqSpinLock::new(BTreeMap::new()),
        })
    }

    /// The page frame of page `index`, allocated zeroed on first use
    /// (Linux: shmem_get_folio).
    pub fn frame(&self, index: u64) -> Result<u64, ShmemError> {
        if index >= self.pages {
            return Err(ShmemError::BeyondEnd);
        }
        let mut frames = self.frames.lock();
        if let Some(&pfn) = frames.get(&index) {
            return Ok(pfn);
        }
        let pfn = page_alloc::alloc_pages(Gfp::USER | Gfp::ZERO, 0).ok_or(ShmemError::NoMemory)?;
        frames.insert(index, pfn);
        PAGES.fetch_add(1, Ordering::Relaxed);
        Ok(pfn)
    }
}

impl AddressSpace {
    /// For a futex word at `addr` in shared memory: the object's id and the
    /// word's offset in it, the same in every process (Linux: the shared
    /// futex key, by inode and page index).
    pub fn shared_key(&self, addr: u64) -> Option<(usize, u64)> {
        let vma = self.find_vma(addr)?;
        let object = vma.shared.as_ref()?;
        let offset = vma.object_page(addr) * PAGE_SIZE + addr % PAGE_SIZE;
        Some((Arc::as_ptr(object) as usize, offset))
    }
}

impl Drop for SharedAnon {
    fn drop(&mut self) {
        for (_, pfn) in core::mem::take(&mut *self.frames.lock()) {
            page_alloc::free_pages(pfn, 0);
            PAGES.fetch_sub(1, Ordering::Relaxed);
        }
    }
}
