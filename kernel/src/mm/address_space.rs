//! A process's address space (Linux: struct mm_struct and its VMA tree,
//! mm/mmap.c, mm/vma.c): the VMAs, how they split and merge, munmap,
//! mprotect's rewrite of the page tables, and fork's copy (dup_mmap).
//!
//! The user half is a set of non-overlapping VMAs (mm/vma.rs). Pages are
//! only allocated when first touched (mm/fault.rs); the kernel reads and
//! writes user memory through mm/uaccess.rs. A private page mapped by
//! several processes after fork counts its extra mappers in its page's
//! private word and is copied on the first write; the pages of MAP_SHARED
//! memory belong to their object (mm/shmem.rs) and are never copied.

use alloc::collections::BTreeMap;

use crate::arch::mm::init::{flush_tlb_one, with_kernel_tables};
use crate::arch::mm::pgtable::{OutOfTables, PageTables};
use crate::arch::mm::PAGE_SIZE;
use crate::mm::page_alloc;

pub use crate::mm::fault::BadAccess;
pub use crate::mm::vma::{Prot, Vma};

/// The end of user space (Linux: TASK_SIZE_MAX on 4-level paging).
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;

/// Nothing is mapped below this address (Linux: vm.mmap_min_addr, 64 KiB).
pub const MMAP_MIN_ADDR: u64 = 16 * PAGE_SIZE;

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
    /// The executable's absolute path when it started.
    pub exe: alloc::vec::Vec<u8>,
    /// The executable's place in the tree, which /proc/PID/exe leads to.
    pub exe_path: Option<vfs::Path>,
}

pub struct AddressSpace {
    pub(super) tables: PageTables,
    pub(super) vmas: BTreeMap<u64, Vma>,
    pub image: ImageInfo,
    /// The heap: [start_brk, brk) (Linux: mm->start_brk, mm->brk).
    pub start_brk: u64,
    pub brk: u64,
    /// The program file it runs, kept from being written while the address
    /// space lives, a forked copy's too (Linux: mm->exe_file and its denial
    /// of writers, ETXTBSY).
    pub exe_file: Option<vfs::DenyWrite>,
}

#[derive(Debug)]
pub struct NoMemory;

impl From<OutOfTables> for NoMemory {
    fn from(_: OutOfTables) -> Self {
        NoMemory
    }
}

/// One more address space maps this private page.
pub(super) fn page_get(pfn: u64) {
    page_alloc::set_page_private(pfn, page_alloc::page_private(pfn) + 1);
}

/// One address space stops mapping this private page; the last one frees it.
pub(super) fn page_put(pfn: u64) {
    match page_alloc::page_private(pfn) {
        0 => page_alloc::free_pages(pfn, 0),
        n => page_alloc::set_page_private(pfn, n - 1),
    }
}

/// Is this private page mapped by another address space too (copy-on-write)?
pub(super) fn page_is_cow(pfn: u64) -> bool {
    page_alloc::page_private(pfn) != 0
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
            exe_file: None,
        })
    }

    /// Physical address of the top-level table, for CR3.
    pub fn pgd_phys(&self) -> u64 {
        self.tables.pgd_phys()
    }

    /// The VMA containing `addr` (Linux: vma_lookup).
    pub fn find_vma(&self, addr: u64) -> Option<&Vma> {
        let (_, vma) = self.vmas.range(..=addr).next_back()?;
        (addr < vma.end).then_some(vma)
    }

    /// The first VMA that ends above `addr` (Linux: find_vma).
    pub(super) fn next_vma(&self, addr: u64) -> Option<&Vma> {
        self.find_vma(addr)
            .or_else(|| self.vmas.range(addr..).next().map(|(_, v)| v))
    }

    /// Is [start, end) free of VMAs?
    pub fn range_is_free(&self, start: u64, end: u64) -> bool {
        self.vmas
            .range(..end)
            .next_back()
            .is_none_or(|(_, v)| v.end <= start)
    }

    /// Is [start, end) free, and clear of the guard gap below a stack? The
    /// test for an mmap hint (Linux: arch_get_unmapped_area_topdown).
    pub fn fits_with_gap(&self, start: u64, end: u64) -> bool {
        self.next_vma(start).is_none_or(|v| end <= v.start_gap())
    }

    /// Bytes of [start, end) that VMAs cover.
    pub fn mapped_in(&self, start: u64, end: u64) -> u64 {
        self.vmas
            .values()
            .map(|v| v.end.min(end).saturating_sub(v.start.max(start)))
            .sum()
    }

    /// Room for `bytes` more of mappings under `limit` (RLIMIT_AS), counting
    /// every VMA (Linux: may_expand_vm with mm->total_vm).
    pub fn may_expand(&self, bytes: u64, limit: u64) -> bool {
        self.mapped_in(0, TASK_SIZE).saturating_add(bytes) <= limit
    }

    /// Add a private VMA over a free range (the caller checked it is free).
    pub fn insert_vma(&mut self, start: u64, end: u64, prot: Prot) {
        self.insert(Vma::private(start, end, prot));
    }

    /// Add a VMA over a free range, merged with its neighbours when they
    /// are alike (Linux: vma_merge_new_range).
    pub fn insert(&mut self, vma: Vma) {
        let (start, end) = (vma.start, vma.end);
        self.vmas.insert(start, vma);
        self.merge_around(start, end);
    }

    /// Split VMAs so that `at` is a boundary (Linux: split_vma).
    fn split_at(&mut self, at: u64) {
        let Some(vma) = self.find_vma(at) else {
            return;
        };
        if vma.start < at {
            let tail = vma.tail_from(at);
            let start = vma.start;
            self.vmas.insert(at, tail);
            if let Some(head) = self.vmas.get_mut(&start) {
                head.end = at;
            }
        }
    }

    /// Split the VMAs at both ends of [start, end), so that each lies wholly
    /// inside the range or outside it.
    pub(super) fn carve(&mut self, start: u64, end: u64) {
        self.split_at(start);
        self.split_at(end);
    }

    /// The start of the first VMA that starts in [at, end). Callers walk a
    /// range with it instead of collecting the starts: a process may hold
    /// tens of thousands of VMAs, and the list would need memory that may be
    /// what is short.
    pub(super) fn next_vma_start(&self, at: u64, end: u64) -> Option<u64> {
        self.vmas.range(at..end).next().map(|(&s, _)| s)
    }

    /// Join alike neighbours from the VMA before `start` to the one at `end`.
    pub(super) fn merge_around(&mut self, start: u64, end: u64) {
        let mut at = self
            .vmas
            .range(..start)
            .next_back()
            .map_or(start, |(&s, _)| s);
        while let Some((&s, cur)) = self.vmas.range(at..).next() {
            if s > end {
                break;
            }
            let cur_end = cur.end;
            let merge = self
                .vmas
                .get(&cur_end)
                .is_some_and(|next| cur.can_merge_with(next));
            if !merge {
                at = cur_end;
                continue;
            }
            if let Some(next) = self.vmas.remove(&cur_end) {
                if let Some(cur) = self.vmas.get_mut(&s) {
                    cur.end = next.end;
                }
            }
            at = s;
        }
    }

    /// Unmap [start, end): VMAs and pages (Linux: do_munmap).
    pub fn unmap_range(&mut self, start: u64, end: u64) {
        self.carve(start, end);
        while let Some(s) = self.next_vma_start(start, end) {
            if let Some(vma) = self.vmas.remove(&s) {
                self.zap(vma.start, vma.end, vma.is_shared());
            }
        }
    }

    /// Change the rights of [start, end), which VMAs must cover wholly
    /// (Linux: mprotect_fixup). False if there is a hole.
    pub fn protect_range(&mut self, start: u64, end: u64, prot: Prot) -> Result<(), u32> {
        if !self.covered(start, end) {
            return Err(linux_raw_sys::errno::ENOMEM);
        }
        // A shared mapping of a read-only file never becomes writable.
        let readonly = (self.vmas.range(..end).rev())
            .take_while(|(_, v)| v.end > start)
            .any(|(_, v)| v.flags.shared_readonly);
        if prot.write && readonly {
            return Err(linux_raw_sys::errno::EACCES);
        }
        self.carve(start, end);
        let mut next = self.next_vma_start(start, end);
        while let Some(s) = next {
            let Some(vma) = self.vmas.get_mut(&s) else {
                break;
            };
            vma.prot = prot;
            let (vend, shared) = (vma.end, vma.is_shared());
            next = self.next_vma_start(vend, end);
            let mut at = s;
            while let Some(page) = self.tables.next_used(at, vend) {
                if let Some((phys, _)) = self.tables.translate(page) {
                    // A private page still shared since fork stays read-only:
                    // the write fault will copy it.
                    let cow = !shared && page_is_cow(phys / PAGE_SIZE);
                    let rights = Prot {
                        write: prot.write && !cow,
                        ..prot
                    };
                    let _ = self.tables.set_4k(page, phys, rights.pte_flags());
                    flush_tlb_one(page);
                }
                at = page + PAGE_SIZE;
            }
        }
        self.merge_around(start, end);
        Ok(())
    }

    /// Do VMAs cover [start, end) without a hole?
    pub(super) fn covered(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        while at < end {
            match self.find_vma(at) {
                Some(v) => at = v.end,
                None => return false,
            }
        }
        true
    }

    /// Unmap the pages of [start, end): a private page loses a mapper, a
    /// shared one stays with its object (Linux: zap_page_range_single).
    pub(super) fn zap(&mut self, start: u64, end: u64, shared: bool) {
        let mut at = start;
        while let Some(page) = self.tables.next_used(at, end) {
            if let Some(phys) = self.tables.unmap_4k(page) {
                flush_tlb_one(page);
                if !shared {
                    page_put(phys / PAGE_SIZE);
                }
            }
            at = page + PAGE_SIZE;
        }
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

    /// A free, page-aligned range of `len` bytes below `below`, top-down,
    /// clear of the guard gap below a stack (Linux: the top-down mmap
    /// layout's unmapped_area_topdown).
    pub fn find_free_range(&self, len: u64, below: u64) -> Option<u64> {
        let mut top = self
            .vmas
            .range(below..)
            .next()
            .map_or(below, |(_, v)| below.min(v.start_gap()));
        for (_, vma) in self.vmas.range(..below).rev() {
            if vma.end <= top && top - vma.end >= len {
                return Some(top - len);
            }
            top = top.min(vma.start_gap());
        }
        top.checked_sub(len).filter(|&s| s >= MMAP_MIN_ADDR)
    }

    /// The address space of a forked child (Linux: dup_mmap): the same
    /// VMAs but those marked MADV_DONTFORK; every present private page
    /// shared, writable ones copy-on-write, except in MADV_WIPEONFORK
    /// areas, which the child gets empty; shared memory stays shared.
    pub fn duplicate(&mut self) -> Result<AddressSpace, NoMemory> {
        let mut child = AddressSpace::new()?;
        child.image = self.image.clone();
        child.start_brk = self.start_brk;
        child.brk = self.brk;
        child.exe_file = self.exe_file.clone();
        for vma in self.vmas.values().filter(|v| !v.flags.dontcopy) {
            child.vmas.insert(vma.start, vma.clone());
            if vma.is_shared() || vma.flags.wipeonfork {
                continue;
            }
            let read_only = Prot {
                write: false,
                ..vma.prot
            };
            let mut at = vma.start;
            while let Some(page) = self.tables.next_used(at, vma.end) {
                if let Some((phys, _)) = self.tables.translate(page) {
                    child.tables.set_4k(page, phys, read_only.pte_flags())?;
                    page_get(phys / PAGE_SIZE);
                    if vma.prot.write {
                        self.tables.set_4k(page, phys, read_only.pte_flags())?;
                    }
                }
                at = page + PAGE_SIZE;
            }
        }
        // The parent's writable pages just became read-only.
        x86_64::instructions::tlb::flush_all();
        Ok(child)
    }
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        // Taken out of the address space, not copied: giving memory back must not
        // need any (a process may hold tens of thousands of VMAs).
        let vmas = core::mem::take(&mut self.vmas);
        for v in vmas.values() {
            self.zap(v.start, v.end, v.is_shared());
        }
        drop(vmas);
        // The tables go last, the kernel half excepted (it is shared).
        self.tables
            .free_user_tables(|phys| page_alloc::free_pages(phys / PAGE_SIZE, 0));
    }
}
