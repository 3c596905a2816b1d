//! A process's address space (Linux: struct mm_struct and its VMAs,
//! mm/memory.c, mm/mmap.c) and the copies between it and the kernel
//! (Linux: copy_from_user, copy_to_user).
//!
//! The user half is a set of non-overlapping VMAs, each a page-aligned
//! range with its rights; pages are only allocated when first touched
//! (demand-zero paging), by the page-fault handler or by a copy to or from
//! user memory. User pointers are checked against the VMAs and the page
//! tables before the kernel touches them, so a bad pointer gives EFAULT.

use alloc::collections::BTreeMap;

use gfp::Gfp;
use x86_64::structures::paging::PageTableFlags as F;

use crate::arch::mm::init::with_kernel_tables;
use crate::arch::mm::pgtable::{OutOfTables, PageTables};
use crate::arch::mm::{phys_to_virt, PAGE_SIZE};
use crate::mm::page_alloc;

/// The end of user space (Linux: TASK_SIZE_MAX on 4-level paging).
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;

/// Rights of a user mapping (Linux: VM_READ, VM_WRITE, VM_EXEC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prot {
    pub read: bool,
    pub write: bool,
    pub exec: bool,
}

impl Prot {
    /// From mmap's PROT_READ | PROT_WRITE | PROT_EXEC bits.
    pub fn from_bits(prot: u64) -> Prot {
        Prot {
            read: prot & 1 != 0,
            write: prot & 2 != 0,
            exec: prot & 4 != 0,
        }
    }

    /// The page-table flags for these rights. PROT_NONE gives a
    /// non-present entry that still holds its page (Linux: _PAGE_PROTNONE).
    fn pte_flags(self) -> F {
        if !self.read && !self.write && !self.exec {
            return F::NO_EXECUTE;
        }
        let mut flags = F::PRESENT | F::USER_ACCESSIBLE;
        if self.write {
            flags |= F::WRITABLE;
        }
        if !self.exec {
            flags |= F::NO_EXECUTE;
        }
        flags
    }
}

/// One virtual memory area (Linux: struct vm_area_struct): [start, end).
#[derive(Clone, Copy, Debug)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: Prot,
}

/// Where exec put the program's parts (Linux: mm->start_code ... env_end and
/// mm->exe_file), for /proc/PID/stat, cmdline, environ, maps and exe.
#[derive(Clone, Debug, Default)]
pub struct ImageInfo {
    pub start_code: u64,
    pub end_code: u64,
    pub start_data: u64,
    pub end_data: u64,
    pub start_stack: u64,
    pub arg_start: u64,
    pub arg_end: u64,
    pub env_start: u64,
    pub env_end: u64,
    /// The executable's absolute path.
    pub exe: alloc::vec::Vec<u8>,
}

pub struct AddressSpace {
    tables: PageTables,
    vmas: BTreeMap<u64, Vma>,
    pub image: ImageInfo,
    /// The heap: [start_brk, brk) (Linux: mm->start_brk, mm->brk).
    pub start_brk: u64,
    pub brk: u64,
}

#[derive(Debug)]
pub struct NoMemory;

impl From<OutOfTables> for NoMemory {
    fn from(_: OutOfTables) -> Self {
        NoMemory
    }
}

/// A user pointer that does not point at usable user memory.
#[derive(Debug)]
pub struct Efault;

/// Why a user page fault could not be repaired (its si_code).
#[derive(Debug, PartialEq, Eq)]
pub enum BadAccess {
    /// No VMA there (SEGV_MAPERR).
    NotMapped,
    /// A VMA without the right (SEGV_ACCERR).
    NotAllowed,
    NoMemory,
}

/// One more address space maps this page.
fn page_get(pfn: u64) {
    page_alloc::set_page_private(pfn, page_alloc::page_private(pfn) + 1);
}

/// One address space stops mapping this page; the last one frees it.
fn page_put(pfn: u64) {
    match page_alloc::page_private(pfn) {
        0 => page_alloc::free_pages(pfn, 0),
        n => page_alloc::set_page_private(pfn, n - 1),
    }
}

impl AddressSpace {
    pub fn new() -> Result<Self, NoMemory> {
        let tables = with_kernel_tables(|k| PageTables::new_user(k))?;
        Ok(AddressSpace {
            tables,
            vmas: BTreeMap::new(),
            image: ImageInfo::default(),
            start_brk: 0,
            brk: 0,
        })
    }

    /// Physical address of the top-level table, for CR3.
    pub fn pgd_phys(&self) -> u64 {
        self.tables.pgd_phys()
    }

    /// The VMA containing `addr`.
    pub fn find_vma(&self, addr: u64) -> Option<Vma> {
        let (_, vma) = self.vmas.range(..=addr).next_back()?;
        (addr < vma.end).then_some(*vma)
    }

    /// Is [start, end) free of VMAs?
    pub fn range_is_free(&self, start: u64, end: u64) -> bool {
        if let Some((_, v)) = self.vmas.range(..end).next_back() {
            if v.end > start {
                return false;
            }
        }
        true
    }

    /// Add a VMA over a free range (the caller checked it is free).
    pub fn insert_vma(&mut self, start: u64, end: u64, prot: Prot) {
        self.vmas.insert(start, Vma { start, end, prot });
    }

    /// Split VMAs so that `at` is a boundary.
    fn split_at(&mut self, at: u64) {
        if let Some(vma) = self.find_vma(at) {
            if vma.start < at {
                self.vmas.insert(vma.start, Vma { end: at, ..vma });
                self.vmas.insert(at, Vma { start: at, ..vma });
            }
        }
    }

    /// The VMAs inside [start, end), after splitting at both ends.
    fn carve(&mut self, start: u64, end: u64) -> alloc::vec::Vec<u64> {
        self.split_at(start);
        self.split_at(end);
        self.vmas.range(start..end).map(|(&s, _)| s).collect()
    }

    /// Unmap [start, end): VMAs and pages (Linux: do_munmap).
    pub fn unmap_range(&mut self, start: u64, end: u64) {
        for s in self.carve(start, end) {
            if let Some(vma) = self.vmas.remove(&s) {
                self.free_pages(vma.start, vma.end);
            }
        }
    }

    /// Change the rights of [start, end), which VMAs must cover wholly
    /// (Linux: mprotect_fixup). False if there is a hole.
    pub fn protect_range(&mut self, start: u64, end: u64, prot: Prot) -> bool {
        let mut at = start;
        while at < end {
            match self.find_vma(at) {
                Some(v) => at = v.end,
                None => return false,
            }
        }
        for s in self.carve(start, end) {
            if let Some(vma) = self.vmas.get_mut(&s) {
                vma.prot = prot;
            }
            let mut page = s;
            let vend = self.vmas.get(&s).map_or(s, |v| v.end);
            while page < vend {
                if let Some((phys, _)) = self.tables.translate(page) {
                    // A page still shared since fork stays read-only: the
                    // write fault will copy it.
                    let shared = page_alloc::page_private(phys / PAGE_SIZE) != 0;
                    let rights = Prot {
                        write: prot.write && !shared,
                        ..prot
                    };
                    let _ = self.tables.set_4k(page, phys, rights.pte_flags());
                    crate::arch::mm::init::flush_tlb_one(page);
                }
                page += PAGE_SIZE;
            }
        }
        true
    }

    fn free_pages(&mut self, start: u64, end: u64) {
        let mut page = start;
        while page < end {
            if let Some(phys) = self.tables.unmap_4k(page) {
                crate::arch::mm::init::flush_tlb_one(page);
                page_put(phys / PAGE_SIZE);
            }
            page += PAGE_SIZE;
        }
    }

    /// Map a fresh zeroed page at `virt` with `prot`; its direct-map
    /// address, to fill. A page already there is replaced, as MAP_FIXED.
    pub fn map_zeroed_page(&mut self, virt: u64, prot: Prot) -> Result<*mut u8, NoMemory> {
        let pfn = page_alloc::alloc_pages(Gfp::KERNEL | Gfp::ZERO, 0).ok_or(NoMemory)?;
        let phys = pfn * PAGE_SIZE;
        let old = self.tables.translate(virt);
        if let Err(e) = self.tables.set_4k(virt, phys, prot.pte_flags()) {
            page_alloc::free_pages(pfn, 0);
            return Err(e.into());
        }
        if let Some((old_phys, _)) = old {
            crate::arch::mm::init::flush_tlb_one(virt);
            page_put(old_phys / PAGE_SIZE);
        }
        Ok(phys_to_virt(phys) as *mut u8)
    }

    /// Repair a fault at `addr` if a VMA allows the access: demand-zero
    /// paging (Linux: handle_mm_fault for anonymous memory).
    pub fn handle_fault(&mut self, addr: u64, write: bool, exec: bool) -> Result<(), BadAccess> {
        let vma = self.find_vma(addr).ok_or(BadAccess::NotMapped)?;
        let allowed = if exec {
            vma.prot.exec
        } else if write {
            vma.prot.write
        } else {
            vma.prot.read || vma.prot.write || vma.prot.exec
        };
        if !allowed {
            return Err(BadAccess::NotAllowed);
        }
        let page = addr & !(PAGE_SIZE - 1);
        if let Some((phys, flags)) = self.tables.translate(page) {
            if write && !flags.contains(F::WRITABLE) {
                return self.break_cow(page, phys, vma.prot);
            }
            // Present and allowed by the VMA: the PTE lags behind (a stale
            // TLB entry after mprotect); flushing is the whole repair.
            crate::arch::mm::init::flush_tlb_one(page);
            return Ok(());
        }
        self.map_zeroed_page(page, vma.prot)
            .map_err(|_| BadAccess::NoMemory)?;
        Ok(())
    }

    /// A write to a copy-on-write page (Linux: do_wp_page): the last
    /// sharer gets the page back writable, the others a copy.
    fn break_cow(&mut self, page: u64, phys: u64, prot: Prot) -> Result<(), BadAccess> {
        let pfn = phys / PAGE_SIZE;
        if page_alloc::page_private(pfn) == 0 {
            self.tables
                .set_4k(page, phys, prot.pte_flags())
                .map_err(|_| BadAccess::NoMemory)?;
            crate::arch::mm::init::flush_tlb_one(page);
            return Ok(());
        }
        let copy = page_alloc::alloc_pages(Gfp::KERNEL, 0).ok_or(BadAccess::NoMemory)?;
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
        crate::arch::mm::init::flush_tlb_one(page);
        page_put(pfn);
        Ok(())
    }

    /// The direct-map address of user address `virt`, faulting the page
    /// in if its VMA allows the access.
    fn user_page(&mut self, virt: u64, write: bool) -> Option<u64> {
        if virt >= TASK_SIZE {
            return None;
        }
        let page = virt & !(PAGE_SIZE - 1);
        let ok = |flags: F| {
            flags.contains(F::USER_ACCESSIBLE) && (!write || flags.contains(F::WRITABLE))
        };
        match self.tables.translate(page) {
            Some((phys, flags)) if ok(flags) => Some(phys_to_virt(phys) + (virt - page)),
            Some(_) | None => {
                self.handle_fault(virt, write, false).ok()?;
                let (phys, _) = self.tables.translate(page)?;
                Some(phys_to_virt(phys) + (virt - page))
            }
        }
    }

    /// Copy `dst.len()` bytes from user address `src` (copy_from_user).
    pub fn copy_from_user(&mut self, dst: &mut [u8], src: u64) -> Result<(), Efault> {
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
    pub fn copy_to_user(&mut self, dst: u64, src: &[u8]) -> Result<(), Efault> {
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

    /// Pages of the VMAs that are present in the page tables (the resident
    /// set, Linux's get_mm_rss).
    pub fn resident_pages(&self) -> u64 {
        let mut pages = 0;
        for v in self.vmas.values() {
            let mut page = v.start;
            while page < v.end {
                if self.tables.translate(page).is_some() {
                    pages += 1;
                }
                page += PAGE_SIZE;
            }
        }
        pages
    }

    /// Every VMA, in address order.
    pub fn vmas(&self) -> impl Iterator<Item = &Vma> {
        self.vmas.values()
    }

    /// A free, page-aligned range of `len` bytes below `below`, top-down
    /// (Linux: the top-down mmap layout's unmapped_area_topdown).
    pub fn find_free_range(&self, len: u64, below: u64) -> Option<u64> {
        let mut top = below;
        for (_, vma) in self.vmas.range(..below).rev() {
            if vma.end <= top && top - vma.end >= len {
                return Some(top - len);
            }
            top = top.min(vma.start);
        }
        top.checked_sub(len).filter(|&s| s >= PAGE_SIZE * 16)
    }
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        let ranges: alloc::vec::Vec<(u64, u64)> =
            self.vmas.values().map(|v| (v.start, v.end)).collect();
        for (start, end) in ranges {
            self.free_pages(start, end);
        }
        // The tables go last, the kernel half excepted (it is shared).
        self.tables
            .free_user_tables(|phys| page_alloc::free_pages(phys / PAGE_SIZE, 0));
    }
}

impl AddressSpace {
    /// A NUL-terminated string from user memory, without its NUL, of at
    /// most `max` bytes (Linux: strncpy_from_user). None when it is longer.
    pub fn string_from_user(
        &mut self,
        addr: u64,
        max: usize,
    ) -> Result<Option<alloc::vec::Vec<u8>>, Efault> {
        let mut out = alloc::vec::Vec::new();
        let mut at = addr;
        while out.len() <= max {
            let in_page = (PAGE_SIZE - at % PAGE_SIZE) as usize;
            let mut chunk = [0u8; 256];
            let n = in_page.min(chunk.len());
            self.copy_from_user(&mut chunk[..n], at)?;
            if let Some(nul) = chunk[..n].iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..nul]);
                return Ok((out.len() <= max).then_some(out));
            }
            out.extend_from_slice(&chunk[..n]);
            at += n as u64;
        }
        Ok(None)
    }

    /// The address space of a forked child (Linux: dup_mmap): the same
    /// VMAs, every present page shared, writable ones copy-on-write.
    pub fn duplicate(&mut self) -> Result<AddressSpace, NoMemory> {
        let mut child = AddressSpace::new()?;
        child.vmas = self.vmas.clone();
        child.image = self.image.clone();
        child.start_brk = self.start_brk;
        child.brk = self.brk;
        let vmas: alloc::vec::Vec<Vma> = self.vmas.values().copied().collect();
        for vma in vmas {
            let shared = Prot {
                write: false,
                ..vma.prot
            };
            let mut page = vma.start;
            while page < vma.end {
                if let Some((phys, _)) = self.tables.translate(page) {
                    child.tables.set_4k(page, phys, shared.pte_flags())?;
                    page_get(phys / PAGE_SIZE);
                    if vma.prot.write {
                        self.tables.set_4k(page, phys, shared.pte_flags())?;
                    }
                }
                page += PAGE_SIZE;
            }
        }
        // The parent's writable pages just became read-only.
        x86_64::instructions::tlb::flush_all();
        Ok(child)
    }
}
