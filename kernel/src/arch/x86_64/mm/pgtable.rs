//! Building 4-level page tables (Linux: arch/x86/mm/init_64.c, pgtable.c).
//!
//! Page-table pages come from a fixed pool in the kernel's .bss until the
//! page allocator exists. A table is reached through the kernel-image
//! mapping of the pool, which both the boot tables and the final tables map.

use core::sync::atomic::{AtomicUsize, Ordering};

use x86_64::structures::paging::{PageTable, PageTableFlags as F};

use super::{kernel_virt_to_phys, PAGE_SIZE};

/// Enough for the kernel image, the ioremap space and a direct map of
/// about 120 GiB in 2 MiB pages.
const POOL_PAGES: usize = 128;

#[repr(C, align(4096))]
struct Pool([PageTable; POOL_PAGES]);

static mut POOL: Pool = Pool([const { PageTable::new() }; POOL_PAGES]);
static POOL_USED: AtomicUsize = AtomicUsize::new(0);

/// A fresh zeroed table from the pool, or None when the pool is spent.
fn alloc_table() -> Option<&'static mut PageTable> {
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

fn table_phys(table: &PageTable) -> u64 {
    kernel_virt_to_phys(table as *const PageTable as u64)
}

/// The pool table whose physical address is `phys`.
fn table_at(phys: u64) -> &'static mut PageTable {
    let virt = phys + super::START_KERNEL_MAP;
    // SAFETY: only pool tables are ever linked by this module, and they are
    // mapped in the kernel image at START_KERNEL_MAP + phys.
    unsafe { &mut *(virt as *mut PageTable) }
}

#[derive(Debug)]
pub struct OutOfTables;

/// The next-level table under `entry`, created if absent.
fn next_level(table: &mut PageTable, index: usize) -> Result<&'static mut PageTable, OutOfTables> {
    let entry = &mut table[index];
    if entry.is_unused() {
        let new = alloc_table().ok_or(OutOfTables)?;
        let flags = F::PRESENT | F::WRITABLE;
        entry.set_addr(x86_64::PhysAddr::new(table_phys(new)), flags);
    }
    Ok(table_at(entry.addr().as_u64()))
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
        let pud = next_level(self.pgd, l4)?;
        let pmd = next_level(pud, l3)?;
        let pte = next_level(pmd, l2)?;
        pte[l1].set_addr(x86_64::PhysAddr::new(phys), flags | F::PRESENT);
        Ok(())
    }

    /// Map one 2 MiB page; both addresses must be 2 MiB aligned.
    pub fn map_2m(&mut self, virt: u64, phys: u64, flags: F) -> Result<(), OutOfTables> {
        let [l4, l3, l2, _] = indices(virt);
        let pud = next_level(self.pgd, l4)?;
        let pmd = next_level(pud, l3)?;
        pmd[l2].set_addr(
            x86_64::PhysAddr::new(phys),
            flags | F::PRESENT | F::HUGE_PAGE,
        );
        Ok(())
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
