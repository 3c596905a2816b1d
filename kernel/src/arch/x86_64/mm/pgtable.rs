//! Building 4-level page tables (Linux: arch/x86/mm/init_64.c, pgtable.c).
//!
//! Page-table pages come from a fixed pool in the kernel's .bss until the
//! page allocator exists, then from the page allocator (Linux also builds
//! its first tables from a static area, brk). A table is reached through
//! the direct map, which the boot tables and the final tables both have.

use core::sync::atomic::{AtomicUsize, Ordering};

use spin::Once;

use x86_64::structures::paging::{PageTable, PageTableFlags as F};

use super::{kernel_virt_to_phys, PAGE_OFFSET, PAGE_SIZE};

/// Enough for the kernel image, the ioremap space and a direct map of
/// about 120 GiB in 2 MiB pages.
const POOL_PAGES: usize = 128;

#[repr(C, align(4096))]
struct Pool([PageTable; POOL_PAGES]);

static mut POOL: Pool = Pool([const { PageTable::new() }; POOL_PAGES]);
static POOL_USED: AtomicUsize = AtomicUsize::new(0);

/// Where page-table pages come from once the page allocator runs: a
/// function returning the physical address of a zeroed page.
static PAGE_SOURCE: Once<fn() -> Option<u64>> = Once::new();

/// Take further page-table pages from `source` instead of the boot pool.
pub fn set_page_source(source: fn() -> Option<u64>) {
    PAGE_SOURCE.call_once(|| source);
}

/// A fresh zeroed table, or None when memory is spent.
fn alloc_table() -> Option<&'static mut PageTable> {
    if let Some(source) = PAGE_SOURCE.get() {
        return Some(table_at(source()?));
    }
    let i = POOL_USED.fetch_add(1, Ordering::Relaxed);
    if i >= POOL_PAGES {
        return None;
    }
    // SAFETY: each index is handed out once, so the reference is unique.
    Some(unsafe { &mut (*core::ptr::addr_of_mut!(POOL)).0[i] })
}

/// Tables used so far, for the boot log.
pub fn pool_pages_used() -> usize {
    POOL_USED.load(Ordering::Relaxed).min(POOL_PAGES)
}

/// Pool tables live in the kernel image, later ones in the direct map.
fn table_phys(table: &PageTable) -> u64 {
    let virt = table as *const PageTable as u64;
    if virt >= super::START_KERNEL_MAP {
        kernel_virt_to_phys(virt)
    } else {
        virt - PAGE_OFFSET
    }
}

/// The table whose physical address is `phys`, through the direct map.
fn table_at(phys: u64) -> &'static mut PageTable {
    // SAFETY: only page-table pages (from the pool or the page allocator)
    // are ever linked by this module; all are RAM, in the direct map.
    unsafe { &mut *((PAGE_OFFSET + phys) as *mut PageTable) }
}

#[derive(Debug)]
pub struct OutOfTables;

/// The next-level table under `entry`, created if absent. Tables on the
/// way to a user address carry the user bit: the leaf entry decides.
fn next_level(
    table: &mut PageTable,
    index: usize,
    user: bool,
) -> Result<&'static mut PageTable, OutOfTables> {
    let entry = &mut table[index];
    if entry.is_unused() {
        let new = alloc_table().ok_or(OutOfTables)?;
        let mut flags = F::PRESENT | F::WRITABLE;
        if user {
            flags |= F::USER_ACCESSIBLE;
        }
        entry.set_addr(x86_64::PhysAddr::new(table_phys(new)), flags);
    }
    Ok(table_at(entry.addr().as_u64()))
}

/// Lower-half addresses belong to user space.
fn is_user(virt: u64) -> bool {
    virt < 0x0000_8000_0000_0000
}

fn indices(virt: u64) -> [usize; 4] {
    [
        ((virt >> 39) & 511) as usize,
        ((virt >> 30) & 511) as usize,
        ((virt >> 21) & 511) as usize,
        ((virt >> 12) & 511) as usize,
    ]
}

/// An address space under construction: its top-level table (the PGD).
pub struct PageTables {
    pgd: &'static mut PageTable,
}

impl PageTables {
    pub fn new() -> Result<Self, OutOfTables> {
        Ok(Self {
            pgd: alloc_table().ok_or(OutOfTables)?,
        })
    }

    pub fn pgd_phys(&self) -> u64 {
        table_phys(self.pgd)
    }

    /// Map one 4 KiB page.
    pub fn map_4k(&mut self, virt: u64, phys: u64, flags: F) -> Result<(), OutOfTables> {
        let [l4, l3, l2, l1] = indices(virt);
        let user = is_user(virt);
        let pud = next_level(self.pgd, l4, user)?;
        let pmd = next_level(pud, l3, user)?;
        let pte = next_level(pmd, l2, user)?;
        pte[l1].set_addr(x86_64::PhysAddr::new(phys), flags | F::PRESENT);
        Ok(())
    }

    /// Set the 4 KiB entry for `virt` to exactly `flags` (which may lack
    /// PRESENT: Linux's PROT_NONE entries keep their page but fault).
    pub fn set_4k(&mut self, virt: u64, phys: u64, flags: F) -> Result<(), OutOfTables> {
        let [l4, l3, l2, l1] = indices(virt);
        let user = is_user(virt);
        let pud = next_level(self.pgd, l4, user)?;
        let pmd = next_level(pud, l3, user)?;
        let pte = next_level(pmd, l2, user)?;
        pte[l1].set_addr(x86_64::PhysAddr::new(phys), flags);
        Ok(())
    }

    /// Map one 2 MiB page; both addresses must be 2 MiB aligned.
    pub fn map_2m(&mut self, virt: u64, phys: u64, flags: F) -> Result<(), OutOfTables> {
        let [l4, l3, l2, _] = indices(virt);
        let user = is_user(virt);
        let pud = next_level(self.pgd, l4, user)?;
        let pmd = next_level(pud, l3, user)?;
        pmd[l2].set_addr(
            x86_64::PhysAddr::new(phys),
            flags | F::PRESENT | F::HUGE_PAGE,
        );
        Ok(())
    }

    /// A new address space sharing the kernel half (PGD entries 256-511)
    /// of `kernel`, as every Linux process shares the kernel's mappings.
    pub fn new_user(kernel: &PageTables) -> Result<Self, OutOfTables> {
        let pt = Self::new()?;
        for i in 256..512 {
            pt.pgd[i] = kernel.pgd[i].clone();
        }
        Ok(pt)
    }

    /// Give back the tables of the user half and the top-level table, once
    /// the user pages themselves are unmapped (Linux: free_pgtables and
    /// pgd_free). `free_page` takes a table's physical address. Only for
    /// an address space being destroyed: the tables are unusable after.
    pub fn free_user_tables(&mut self, free_page: impl Fn(u64)) {
        for l4 in 0..256 {
            let e4 = &self.pgd[l4];
            if e4.is_unused() {
                continue;
            }
            let pud = table_at(e4.addr().as_u64());
            for e3 in pud.iter().filter(|e| !e.is_unused()) {
                if e3.flags().contains(F::HUGE_PAGE) {
                    continue;
                }
                let pmd = table_at(e3.addr().as_u64());
                for e2 in pmd.iter().filter(|e| !e.is_unused()) {
                    if !e2.flags().contains(F::HUGE_PAGE) {
                        free_page(e2.addr().as_u64());
                    }
                }
                free_page(e3.addr().as_u64());
            }
            free_page(e4.addr().as_u64());
        }
        free_page(self.pgd_phys());
    }

    /// The physical address and flags of the 4 KiB page mapped at `virt`.
    pub fn translate(&self, virt: u64) -> Option<(u64, F)> {
        let [l4, l3, l2, l1] = indices(virt);
        let mut table: &PageTable = self.pgd;
        for index in [l4, l3, l2] {
            let entry = &table[index];
            if entry.is_unused() || entry.flags().contains(F::HUGE_PAGE) {
                return None;
            }
            table = table_at(entry.addr().as_u64());
        }
        let entry = &table[l1];
        (!entry.is_unused()).then(|| (entry.addr().as_u64(), entry.flags()))
    }

    /// The first page in [from, end) with a 4 KiB entry in use. Absent
    /// tables are stepped over whole, as Linux's walks skip pmd_none and
    /// pud_none, so a huge, sparsely touched range costs what is mapped.
    pub fn next_used(&self, from: u64, end: u64) -> Option<u64> {
        let mut virt = from & !(PAGE_SIZE - 1);
        while virt < end {
            let [l4, l3, l2, l1] = indices(virt);
            let mut table: &PageTable = self.pgd;
            let mut skip = 0;
            for (index, span_shift) in [(l4, 39), (l3, 30), (l2, 21)] {
                let entry = &table[index];
                if entry.is_unused() || entry.flags().contains(F::HUGE_PAGE) {
                    skip = span_shift;
                    break;
                }
                table = table_at(entry.addr().as_u64());
            }
            if skip != 0 {
                virt = (virt | ((1u64 << skip) - 1)).checked_add(1)?;
                continue;
            }
            if !table[l1].is_unused() {
                return Some(virt);
            }
            virt += PAGE_SIZE;
        }
        None
    }

    /// Remove the 4 KiB mapping at `virt`; the physical address it had.
    /// The caller flushes the TLB. Intermediate tables are kept.
    pub fn unmap_4k(&mut self, virt: u64) -> Option<u64> {
        let [l4, l3, l2, l1] = indices(virt);
        let mut table: &mut PageTable = self.pgd;
        for index in [l4, l3, l2] {
            let entry = &table[index];
            if entry.is_unused() || entry.flags().contains(F::HUGE_PAGE) {
                return None;
            }
            table = table_at(entry.addr().as_u64());
        }
        let entry = &mut table[l1];
        if entry.is_unused() {
            return None;
        }
        let phys = entry.addr().as_u64();
        entry.set_unused();
        Some(phys)
    }

    /// Map `len` bytes from `virt` to `phys` in 4 KiB pages.
    pub fn map_range_4k(
        &mut self,
        virt: u64,
        phys: u64,
        len: u64,
        flags: F,
    ) -> Result<(), OutOfTables> {
        let mut off = 0;
        while off < len {
            self.map_4k(virt + off, phys + off, flags)?;
            off += PAGE_SIZE;
        }
        Ok(())
    }
}
