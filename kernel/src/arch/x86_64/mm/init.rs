//! The kernel's own page tables, replacing the boot tables of head.S
//! (Linux: arch/x86/mm/init_64.c, kernel_physical_mapping_init and
//! mark_rodata_ro).
//!
//! - the direct map: all physical memory up to the end of the last RAM
//!   region, in 2 MiB pages, read-write, no-execute, global;
//! - the kernel image, in 4 KiB pages with one right per section: text
//!   read-execute, rodata read-only, data and bss read-write no-execute;
//! - nothing at low addresses: a NULL pointer faults.

use core::sync::atomic::{AtomicU64, Ordering};

use x86_64::registers::control::{Cr3, Cr3Flags, Cr4, Cr4Flags};
use x86_64::structures::paging::{PageTableFlags as F, PhysFrame};
use x86_64::PhysAddr;

use super::pgtable::{OutOfTables, PageTables};
use super::{kernel_virt_to_phys, PAGE_OFFSET, PAGE_SIZE};
use crate::kernel::sync::IrqSpinLock;

const HUGE: u64 = 2 * 1024 * 1024;

extern "C" {
    static __text_start: u8;
    static __text_end: u8;
    static __rodata_start: u8;
    static __rodata_end: u8;
    static __data_start: u8;
    static __kernel_end: u8;
}

static KERNEL_PGD: AtomicU64 = AtomicU64::new(0);
/// End of the physical range the direct map covers.
static DIRECT_MAP_END: AtomicU64 = AtomicU64::new(0);

/// The kernel's own top-level table, for tasks without an address space.
pub fn kernel_pgd_phys() -> u64 {
    KERNEL_PGD.load(Ordering::Relaxed)
}

pub fn direct_map_end() -> u64 {
    DIRECT_MAP_END.load(Ordering::Relaxed)
}
static TABLES: IrqSpinLock<Option<PageTables>> = IrqSpinLock::new(None);

fn sym(s: &u8) -> u64 {
    s as *const u8 as u64
}

/// The sizes of what was mapped, for the boot log.
pub struct MappingReport {
    pub direct_map_bytes: u64,
    pub text: u64,
    pub rodata: u64,
    pub data: u64,
}

fn build(phys_end: u64) -> Result<(PageTables, MappingReport), OutOfTables> {
    let mut pt = PageTables::new()?;
    let global = F::GLOBAL;

    let direct_end = phys_end.div_ceil(HUGE) * HUGE;
    let mut phys = 0;
    while phys < direct_end {
        pt.map_2m(
            PAGE_OFFSET + phys,
            phys,
            F::WRITABLE | F::NO_EXECUTE | global,
        )?;
        phys += HUGE;
    }

    // SAFETY: addresses of linker symbols only.
    let (text, text_end, ro, ro_end, data, end) = unsafe {
        (
            sym(&__text_start),
            sym(&__text_end),
            sym(&__rodata_start),
            sym(&__rodata_end),
            sym(&__data_start),
            sym(&__kernel_end),
        )
    };
    let end = end.div_ceil(PAGE_SIZE) * PAGE_SIZE;
    pt.map_range_4k(text, kernel_virt_to_phys(text), text_end - text, global)?;
    pt.map_range_4k(
        ro,
        kernel_virt_to_phys(ro),
        ro_end - ro,
        F::NO_EXECUTE | global,
    )?;
    let rw = F::WRITABLE | F::NO_EXECUTE | global;
    pt.map_range_4k(data, kernel_virt_to_phys(data), end - data, rw)?;

    let report = MappingReport {
        direct_map_bytes: direct_end,
        text: text_end - text,
        rodata: ro_end - ro,
        data: end - data,
    };
    Ok((pt, report))
}

/// Build the kernel page tables and switch to them.
pub fn paging_init(phys_end: u64) -> MappingReport {
    let (pt, report) = build(phys_end).expect("page-table pool too small for the direct map");
    let pgd = pt.pgd_phys();
    DIRECT_MAP_END.store(report.direct_map_bytes, Ordering::Relaxed);
    KERNEL_PGD.store(pgd, Ordering::Relaxed);
    *TABLES.lock() = Some(pt);

    // SAFETY: the new tables map everything the kernel touches from here on
    // (its image, its stacks in .bss and the direct map), with the same
    // virtual addresses as the boot tables.
    unsafe {
        Cr4::update(|f| f.insert(Cr4Flags::PAGE_GLOBAL));
        let frame = PhysFrame::from_start_address(PhysAddr::new(pgd))
            .expect("the PGD is page aligned by construction");
        Cr3::write(frame, Cr3Flags::empty());
    }
    report
}

/// Work on the kernel's page tables (the upper half every address space
/// will share). The caller flushes the TLB for what it changes.
pub fn with_kernel_tables<R>(f: impl FnOnce(&mut PageTables) -> R) -> R {
    let mut guard = TABLES.lock();
    f(guard
        .as_mut()
        .expect("kernel page tables used before paging_init"))
}

/// Flush this CPU's TLB entry for one page.
pub fn flush_tlb_one(virt: u64) {
    x86_64::instructions::tlb::flush(x86_64::VirtAddr::new(virt));
}

/// What a kernel mapping is for, which sets its page flags.
#[derive(Clone, Copy)]
pub enum PageProt {
    /// Ordinary memory: read-write, no-execute, cached.
    KernelData,
    /// Device registers: read-write, no-execute, uncached.
    Device,
}

/// Map one 4 KiB page of the kernel's address space.
pub fn map_kernel_page(virt: u64, phys: u64, prot: PageProt) -> Result<(), OutOfTables> {
    let flags = match prot {
        PageProt::KernelData => F::WRITABLE | F::NO_EXECUTE | F::GLOBAL,
        PageProt::Device => {
            F::WRITABLE | F::NO_EXECUTE | F::GLOBAL | F::NO_CACHE | F::WRITE_THROUGH
        }
    };
    with_kernel_tables(|pt| pt.map_4k(virt, phys, flags))?;
    flush_tlb_one(virt);
    Ok(())
}

/// Remove one kernel mapping; the physical page it pointed to.
pub fn unmap_kernel_page(virt: u64) -> Option<u64> {
    let phys = with_kernel_tables(|pt| pt.unmap_4k(virt));
    flush_tlb_one(virt);
    phys
}

/// Load the page tables whose top level is at `pgd_phys` (a task switch's
/// CR3 write, Linux: switch_mm).
pub fn switch_address_space(pgd_phys: u64) {
    let frame = PhysFrame::from_start_address(PhysAddr::new(pgd_phys))
        .expect("page tables start on a page boundary");
    // SAFETY: every address space shares the kernel half, so the kernel
    // keeps running across the switch.
    unsafe { Cr3::write(frame, Cr3Flags::empty()) };
}

/// The top-level table CR3 holds now: that of the running task's address
/// space, or the kernel's own for a kernel thread (Linux: read_cr3_pa).
pub fn current_pgd_phys() -> u64 {
    Cr3::read().0.start_address().as_u64()
}

/// For the SMEP and SMAP self-tests only: map the page `pfn` at the user
/// address `virt` in the kernel's own tables, user-accessible and
/// executable, as if a process had mapped it.
pub fn map_user_page_in_kernel_tables(virt: u64, pfn: u64) {
    use x86_64::structures::paging::PageTableFlags as F;
    let flags = F::PRESENT | F::WRITABLE | F::USER_ACCESSIBLE;
    with_kernel_tables(|pt| pt.set_4k(virt, pfn * super::PAGE_SIZE, flags))
        .expect("a page-table page for the self-test mapping");
    x86_64::instructions::tlb::flush(x86_64::VirtAddr::new(virt));
}
