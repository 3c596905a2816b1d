//! User page faults (Linux: mm/memory.c handle_mm_fault, with
//! do_anonymous_page, do_wp_page, and shmem_fault for shared memory).
//!
//! A fault the VMA allows is repaired: a private page is allocated zeroed
//! on first touch (demand-zero paging) and copied on the first write after
//! fork; a shared page comes from its object. A fault just below a stack
//! first extends the stack (mm/stack.rs). Otherwise the fault says why, so
//! that the task gets Linux's signal and si_code.

use gfp::Gfp;
use x86_64::structures::paging::PageTableFlags as F;

use crate::arch::mm::init::flush_tlb_one;
use crate::arch::mm::{phys_to_virt, PAGE_SIZE};
use crate::mm::address_space::{page_is_cow, page_put, AddressSpace, NoMemory};
use crate::mm::page_alloc;
use crate::mm::shmem::ShmemError;
use crate::mm::vma::Prot;

/// Why a user page fault could not be repaired.
#[derive(Debug, PartialEq, Eq)]
pub enum BadAccess {
    /// No VMA there (SIGSEGV, SEGV_MAPERR).
    NotMapped,
    /// A VMA without the right (SIGSEGV, SEGV_ACCERR).
    NotAllowed,
    /// Shared memory past the end of its object, or a file page past the
    /// end of the file (SIGBUS, BUS_ADRERR).
    BeyondObject,
    NoMemory,
}

/// Read the file page at `offset` into the fresh zeroed page at `dst`
/// (Linux: filemap_fault, then the private copy); the bytes past the end
/// of the file stay zero.
fn fill_from_file(dst: *mut u8, file: &vfs::File, offset: u64) {
    // SAFETY: `dst` is the direct-map address of a whole page just
    // allocated for this fault, which nothing else reaches yet.
    let page = unsafe { core::slice::from_raw_parts_mut(dst, PAGE_SIZE as usize) };
    let mut done = 0;
    while done < page.len() {
        match file
            .inode()
            .ops()
            .read_at(file.inode(), offset + done as u64, &mut page[done..])
        {
            Ok(0) | Err(_) => break,
            Ok(n) => done += n,
        }
    }
}

impl AddressSpace {
    /// Map a fresh zeroed private page at `virt` with `prot`; its direct-map
    /// address, to fill. A page already there is replaced, as MAP_FIXED.
    pub fn map_zeroed_page(&mut self, virt: u64, prot: Prot) -> Result<*mut u8, NoMemory> {
        let pfn = page_alloc::alloc_pages(Gfp::USER | Gfp::ZERO, 0).ok_or(NoMemory)?;
        let phys = pfn * PAGE_SIZE;
        let old = self.tables.translate(virt);
        if let Err(e) = self.tables.set_4k(virt, phys, prot.pte_flags()) {
            page_alloc::free_pages(pfn, 0);
            return Err(e.into());
        }
        if let Some((old_phys, _)) = old {
            flush_tlb_one(virt);
            page_put(old_phys / PAGE_SIZE);
        }
        Ok(phys_to_virt(phys) as *mut u8)
    }

    /// Repair a fault at `addr` if a VMA allows the access.
    pub fn handle_fault(&mut self, addr: u64, write: bool, exec: bool) -> Result<(), BadAccess> {
        let vma = match self.find_vma(addr) {
            Some(vma) => vma.clone(),
            None => self.expand_stack(addr).ok_or(BadAccess::NotMapped)?,
        };
        let allowed = if exec {
            vma.prot.exec
        } else if write {
            vma.prot.write
        } else {
            vma.prot.accessible()
        };
        if !allowed {
            return Err(BadAccess::NotAllowed);
        }
        let page = addr & !(PAGE_SIZE - 1);

        if let Some(object) = &vma.shared {
            let pfn = object.frame(vma.object_page(page)).map_err(|e| match e {
                ShmemError::BeyondEnd => BadAccess::BeyondObject,
                ShmemError::NoMemory => BadAccess::NoMemory,
            })?;
            self.tables
                .set_4k(page, pfn * PAGE_SIZE, vma.prot.pte_flags())
                .map_err(|_| BadAccess::NoMemory)?;
            flush_tlb_one(page);
            return Ok(());
        }

        if let Some((phys, flags)) = self.tables.translate(page) {
            if write && !flags.contains(F::WRITABLE) {
                return self.break_cow(page, phys, vma.prot);
            }
            // Present and allowed by the VMA: the PTE lags behind (a stale
            // TLB entry after mprotect); flushing is the whole repair.
            flush_tlb_one(page);
            return Ok(());
        }
        // A file page wholly past the end of the file is SIGBUS, as on Linux.
        let offset = vma.object_page(page) * PAGE_SIZE;
        if let Some(file) = &vma.file {
            if offset >= file.inode().attr().size.next_multiple_of(PAGE_SIZE) {
                return Err(BadAccess::BeyondObject);
            }
        }
        let dst = self
            .map_zeroed_page(page, vma.prot)
            .map_err(|_| BadAccess::NoMemory)?;
        if let Some(file) = &vma.file {
            fill_from_file(dst, file, offset);
        }
        Ok(())
    }

    /// A write to a copy-on-write page (Linux: do_wp_page): the last
    /// sharer gets the page back writable, the others a copy.
    fn break_cow(&mut self, page: u64, phys: u64, prot: Prot) -> Result<(), BadAccess> {
        let pfn = phys / PAGE_SIZE;
        if !page_is_cow(pfn) {
            self.tables
                .set_4k(page, phys, prot.pte_flags())
                .map_err(|_| BadAccess::NoMemory)?;
            flush_tlb_one(page);
            return Ok(());
        }
        let copy = page_alloc::alloc_pages(Gfp::USER, 0).ok_or(BadAccess::NoMemory)?;
        // SAFETY: two whole pages in the direct map; the copy is fresh.
        unsafe {
            core::ptr::copy_nonoverlapping(
                phys_to_virt(phys) as *const u8,
                phys_to_virt(copy * PAGE_SIZE) as *mut u8,
                PAGE_SIZE as usize,
            )
        };
        if self
            .tables
            .set_4k(page, copy * PAGE_SIZE, prot.pte_flags())
            .is_err()
        {
            page_alloc::free_pages(copy, 0);
            return Err(BadAccess::NoMemory);
        }
        flush_tlb_one(page);
        page_put(pfn);
        Ok(())
    }
}
