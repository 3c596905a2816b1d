//! x86_64 memory layout and the kernel's page tables (Linux: arch/x86/mm/).
//!
//! Virtual layout, as on Linux with 4-level paging:
//!
//!   ffff888000000000  direct map of all physical memory (PAGE_OFFSET)
//!   ffffc90000000000  vmalloc and ioremap areas (VMALLOC_START, crates/vmalloc)
//!   ffffffff80000000  the kernel image (__START_KERNEL_map)

pub mod init;
pub mod pgtable;

pub const PAGE_SIZE: u64 = 4096;
pub const PAGE_OFFSET: u64 = 0xffff_8880_0000_0000;
pub const START_KERNEL_MAP: u64 = 0xffff_ffff_8000_0000;

/// The physical address of a kernel-image address (Linux: __pa_symbol).
pub const fn kernel_virt_to_phys(virt: u64) -> u64 {
    virt - START_KERNEL_MAP
}

extern "C" {
    static __boot_start: u8;
    static __kernel_end: u8;
}

/// Physical [start, end) of the whole kernel image, boot code included.
pub fn kernel_image_phys_range() -> (u64, u64) {
    let start = core::ptr::addr_of!(__boot_start) as u64;
    let end = kernel_virt_to_phys(core::ptr::addr_of!(__kernel_end) as u64);
    (start, end.div_ceil(PAGE_SIZE) * PAGE_SIZE)
}

/// The direct-map address of a physical address (Linux: __va).
pub const fn phys_to_virt(phys: u64) -> u64 {
    phys + PAGE_OFFSET
}

/// The physical address of a direct-map address, if it is one (Linux: __pa).
pub fn virt_to_phys_direct(virt: u64) -> Option<u64> {
    let phys = virt.checked_sub(PAGE_OFFSET)?;
    (phys < init::direct_map_end()).then_some(phys)
}
