//! A process's address space (Linux: struct mm_struct, mm/memory.c) and
//! the copies between it and the kernel (Linux: copy_from_user).
//!
//! For now an address space is its page tables: the kernel half shared
//! with every process, the user half built by exec from order-0 pages.
//! User pointers are checked against the page tables before the kernel
//! touches them, so a bad pointer gives EFAULT instead of a fault.

use alloc::vec::Vec;

use gfp::Gfp;
use x86_64::structures::paging::PageTableFlags as F;

use crate::arch::mm::init::with_kernel_tables;
use crate::arch::mm::pgtable::{OutOfTables, PageTables};
use crate::arch::mm::{phys_to_virt, PAGE_SIZE};
use crate::mm::page_alloc;

/// The end of user space (Linux: TASK_SIZE_MAX on 4-level paging).
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;

/// Rights of a user mapping.
#[derive(Clone, Copy)]
pub struct Prot {
    pub write: bool,
    pub exec: bool,
}

pub struct AddressSpace {
    tables: PageTables,
    /// Every page mapped in the user half, to give back on exit.
    pages: Vec<u64>,
}

#[derive(Debug)]
pub struct NoMemory;

impl From<OutOfTables> for NoMemory {
    fn from(_: OutOfTables) -> Self {
        NoMemory
    }
}

impl AddressSpace {
    pub fn new() -> Result<Self, NoMemory> {
        let tables = with_kernel_tables(|k| PageTables::new_user(k))?;
        Ok(AddressSpace {
            tables,
            pages: Vec::new(),
        })
    }

    /// Physical address of the top-level table, for CR3.
    pub fn pgd_phys(&self) -> u64 {
        self.tables.pgd_phys()
    }

    /// Map a fresh zeroed page at `virt`; its direct-map address, to fill.
    pub fn map_zeroed_page(&mut self, virt: u64, prot: Prot) -> Result<*mut u8, NoMemory> {
        let pfn = page_alloc::alloc_pages(Gfp::KERNEL | Gfp::ZERO, 0).ok_or(NoMemory)?;
        let phys = pfn * PAGE_SIZE;
        let mut flags = F::USER_ACCESSIBLE;
        if prot.write {
            flags |= F::WRITABLE;
        }
        if !prot.exec {
            flags |= F::NO_EXECUTE;
        }
        if let Err(e) = self.tables.map_4k(virt, phys, flags) {
            page_alloc::free_pages(pfn, 0);
            return Err(e.into());
        }
        self.pages.push(pfn);
        Ok(phys_to_virt(phys) as *mut u8)
    }

    /// The direct-map address of user address `virt`, if it is mapped for
    /// user access (and writable, when `write`).
    fn user_page(&self, virt: u64, write: bool) -> Option<u64> {
        if virt >= TASK_SIZE {
            return None;
        }
        let page = virt & !(PAGE_SIZE - 1);
        let (phys, flags) = self.tables.translate(page)?;
        let ok = flags.contains(F::USER_ACCESSIBLE) && (!write || flags.contains(F::WRITABLE));
        ok.then(|| phys_to_virt(phys) + (virt - page))
    }

    /// Copy `dst.len()` bytes from user address `src` (copy_from_user).
    pub fn copy_from_user(&self, dst: &mut [u8], src: u64) -> Result<(), Efault> {
        let mut done = 0;
        while done < dst.len() {
            let addr = src.checked_add(done as u64).ok_or(Efault)?;
            let here = self.user_page(addr, false).ok_or(Efault)?;
            let in_page = (PAGE_SIZE - addr % PAGE_SIZE) as usize;
            let n = in_page.min(dst.len() - done);
            // SAFETY: `here` is the direct-map address of a mapped user
            // page, with at least `n` bytes left in that page.
            let from = unsafe { core::slice::from_raw_parts(here as *const u8, n) };
            dst[done..done + n].copy_from_slice(from);
            done += n;
        }
        Ok(())
    }

    /// Copy bytes to user address `dst` (copy_to_user).
    pub fn copy_to_user(&self, dst: u64, src: &[u8]) -> Result<(), Efault> {
        let mut done = 0;
        while done < src.len() {
            let addr = dst.checked_add(done as u64).ok_or(Efault)?;
            let here = self.user_page(addr, true).ok_or(Efault)?;
            let in_page = (PAGE_SIZE - addr % PAGE_SIZE) as usize;
            let n = in_page.min(src.len() - done);
            // SAFETY: as in copy_from_user, for a writable page.
            let to = unsafe { core::slice::from_raw_parts_mut(here as *mut u8, n) };
            to.copy_from_slice(&src[done..done + n]);
            done += n;
        }
        Ok(())
    }
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        for &pfn in &self.pages {
            page_alloc::free_pages(pfn, 0);
        }
    }
}

/// A user pointer that does not point at mapped user memory.
#[derive(Debug)]
pub struct Efault;
