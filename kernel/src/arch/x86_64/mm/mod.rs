//! x86_64 memory layout and the kernel's page tables (Linux: arch/x86/mm/).
//!
//! Virtual layout, as on Linux with 4-level paging:
//!
//!   ffff888000000000  direct map of all physical memory (PAGE_OFFSET)
//!   ffffc90000000000  ioremap space for device registers (VMALLOC_START)
//!   ffffffff80000000  the kernel image (__START_KERNEL_map)

pub mod init;
pub mod pgtable;

pub const PAGE_SIZE: u64 = 4096;
pub const PAGE_OFFSET: u64 = 0xffff_8880_0000_0000;
pub const VMALLOC_START: u64 = 0xffff_c900_0000_0000;
pub const START_KERNEL_MAP: u64 = 0xffff_ffff_8000_0000;

/// The physical address of a kernel-image address (Linux: __pa_symbol).
pub const fn kernel_virt_to_phys(virt: u64) -> u64 {
    virt - START_KERNEL_MAP
}
