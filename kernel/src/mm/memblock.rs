//! Boot-time memory: memblock (Linux: mm/memblock.c, arch/x86/kernel/setup.c).
//!
//! The firmware map's usable RAM goes in; what the boot already occupies
//! (the low 1 MiB, the kernel image, the boot modules) is reserved; early
//! allocations (the page descriptors, mem_map) come from what is left.
//! When the buddy allocator starts, the free ranges are handed to it and
//! memblock is not used again.

use bootinfo::{BootInfo, MemoryKind};
use memblock::Memblock;

use crate::arch::mm::{kernel_image_phys_range, PAGE_SIZE};
use crate::kernel::sync::IrqSpinLock;
use crate::{pr_info, pr_warn};

static MEMBLOCK: IrqSpinLock<Memblock> = IrqSpinLock::new(Memblock::new());

/// Linux keeps the first 1 MiB away from the allocators on x86 (BIOS data,
/// real-mode trampolines, firmware bugs): so do we.
const LOW_RESERVE: u64 = 1 << 20;

fn reserve(mb: &mut Memblock, base: u64, size: u64, what: &str) {
    if let Err(e) = mb.reserve(base, size) {
        pr_warn!(
            "memblock: cannot reserve {} [{:#x}+{:#x}]: {}",
            what,
            base,
            size,
            e
        );
    }
}

/// Fill memblock from the boot information.
pub fn init(info: &BootInfo) {
    let mut mb = MEMBLOCK.lock();
    for r in info
        .memory_map
        .iter()
        .filter(|r| r.kind == MemoryKind::Usable)
    {
        // Only whole pages are of use to the page allocator.
        let start = r.base.div_ceil(PAGE_SIZE) * PAGE_SIZE;
        let end = r.end() / PAGE_SIZE * PAGE_SIZE;
        if end > start {
            if let Err(e) = mb.add_memory(start, end - start) {
                pr_warn!("memblock: {}", e);
            }
        }
    }
    reserve(&mut mb, 0, LOW_RESERVE, "low memory");
    let (kstart, kend) = kernel_image_phys_range();
    reserve(&mut mb, kstart, kend - kstart, "kernel image");
    for m in &info.modules {
        reserve(&mut mb, m.start, m.end - m.start, "boot module");
    }
    pr_info!(
        "memblock: {} MiB of RAM, {} KiB reserved by the boot",
        mb.memory_size() >> 20,
        mb.reserved_size() >> 10
    );
}

/// The end of the last RAM page.
pub fn end_of_dram() -> u64 {
    MEMBLOCK.lock().end_of_dram()
}

/// Total RAM known to memblock, in bytes.
pub fn memory_size() -> u64 {
    MEMBLOCK.lock().memory_size()
}

/// An early allocation: `size` bytes aligned to `align`, below `limit`.
pub fn alloc(size: u64, align: u64, limit: u64) -> Option<u64> {
    MEMBLOCK.lock().alloc(size, align, limit)
}

/// Call `f` with each free [start_pfn, end_pfn) range, to seed the buddy
/// allocator.
pub fn for_each_free_pfn_range(mut f: impl FnMut(u64, u64)) {
    let mb = MEMBLOCK.lock();
    for (start, end) in mb.free_pfn_ranges() {
        f(start, end);
    }
}

/// Call `f` with each RAM [start_pfn, end_pfn) range, free or not.
pub fn for_each_memory_pfn_range(mut f: impl FnMut(u64, u64)) {
    let mb = MEMBLOCK.lock();
    for r in mb.memory() {
        f(r.base.div_ceil(PAGE_SIZE), r.end() / PAGE_SIZE);
    }
}
