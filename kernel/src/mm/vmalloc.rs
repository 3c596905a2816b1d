//! vmalloc and ioremap: virtually contiguous kernel memory
//! (Linux: mm/vmalloc.c, arch/x86/mm/ioremap.c).
//!
//! An area of the vmalloc range (crates/vmalloc keeps the bookkeeping,
//! with an unmapped guard page after each area) is backed page by page
//! with order-0 pages from the buddy allocator, which need not be
//! contiguous. ioremap uses the same range to map device registers
//! uncached.

use core::ptr::NonNull;

use gfp::Gfp;
use vmalloc::{VmArea, VmapAreas, VMALLOC_END, VMALLOC_START};

use crate::arch::mm::init::{map_kernel_page, unmap_kernel_page, PageProt};
use crate::arch::mm::PAGE_SIZE;
use crate::kernel::sync::IrqSpinLock;
use crate::mm::page_alloc;
use crate::pr_err;

static AREAS: IrqSpinLock<Option<VmapAreas>> = IrqSpinLock::new(None);

pub fn init() {
    *AREAS.lock() = Some(VmapAreas::new(VMALLOC_START, VMALLOC_END));
}

fn with_areas<R>(f: impl FnOnce(&mut VmapAreas) -> R) -> R {
    f(AREAS
        .lock()
        .as_mut()
        .expect("vmalloc used before vmalloc init"))
}

/// Unmap the first `mapped` pages of `area`, giving RAM pages back when
/// `free_pages` is set, and release the range.
fn teardown(area: VmArea, mapped: u64, free_pages: bool) {
    for i in 0..mapped {
        if let Some(phys) = unmap_kernel_page(area.addr + i * PAGE_SIZE) {
            if free_pages {
                page_alloc::free_pages(phys / PAGE_SIZE, 0);
            }
        }
    }
    with_areas(|a| a.free(area.addr));
}

/// `size` bytes of virtually contiguous kernel memory (Linux: vmalloc).
pub fn vmalloc(size: usize) -> Option<NonNull<u8>> {
    vmalloc_gfp(size, Gfp::KERNEL)
}

/// Like vmalloc, zeroed (Linux: vzalloc).
pub fn vzalloc(size: usize) -> Option<NonNull<u8>> {
    vmalloc_gfp(size, Gfp::KERNEL | Gfp::ZERO)
}

fn vmalloc_gfp(size: usize, gfp: Gfp) -> Option<NonNull<u8>> {
    if size == 0 {
        return None;
    }
    let area = with_areas(|a| a.alloc(size as u64, PAGE_SIZE))?;
    for i in 0..area.nr_pages() {
        let mapped = page_alloc::alloc_pages(gfp, 0).and_then(|pfn| {
            let phys = pfn * PAGE_SIZE;
            match map_kernel_page(area.addr + i * PAGE_SIZE, phys, PageProt::KernelData) {
                Ok(()) => Some(()),
                Err(_) => {
                    page_alloc::free_pages(pfn, 0);
                    None
                }
            }
        });
        if mapped.is_none() {
            pr_err!(
                "vmalloc: allocation of {} bytes failed: out of memory",
                size
            );
            teardown(area, i, true);
            return None;
        }
    }
    NonNull::new(area.addr as *mut u8)
}

/// Free what vmalloc returned (Linux: vfree). Other addresses are refused
/// with a message.
pub fn vfree(addr: NonNull<u8>) {
    let addr = addr.as_ptr() as u64;
    match with_areas(|a| a.find(addr)) {
        Some(area) if area.addr == addr => teardown(area, area.nr_pages(), true),
        _ => pr_err!("vfree: {:#x} is not the start of a vmalloc area", addr),
    }
}

/// A zeroed byte buffer in vmalloc memory, freed when dropped: for kernel
/// buffers large enough that finding them physically contiguous pages
/// could fail while memory is merely fragmented (exec's copy of a program).
pub struct VBuf {
    ptr: NonNull<u8>,
    /// Bytes allocated (0: none, `ptr` dangling) and bytes in use.
    size: usize,
    len: usize,
}

// SAFETY: a VBuf owns its memory alone, as a Vec<u8> does.
unsafe impl Send for VBuf {}
// SAFETY: shared use only reads it.
unsafe impl Sync for VBuf {}

impl VBuf {
    /// `len` zero bytes, or None when memory runs out. They are taken on the
    /// calling process's account (GFP_KERNEL_ACCOUNT): a buffer as large as
    /// a program must not eat the kernel's reserve.
    pub fn zeroed(len: usize) -> Option<VBuf> {
        let ptr = match len {
            0 => NonNull::dangling(),
            _ => vmalloc_gfp(len, Gfp::KERNEL_ACCOUNT | Gfp::ZERO)?,
        };
        Some(VBuf {
            ptr,
            size: len,
            len,
        })
    }

    /// Keeps the first `len` bytes in view (the memory stays until drop).
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

impl core::ops::Deref for VBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: `len` bytes at `ptr` are allocated, zeroed at least, and ours.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl core::ops::DerefMut for VBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as for deref, and `&mut self` makes the access unique.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for VBuf {
    fn drop(&mut self) {
        if self.size > 0 {
            vfree(self.ptr);
        }
    }
}

/// Map `len` bytes of device registers at `phys`, uncached (Linux: ioremap).
pub fn ioremap(phys: u64, len: u64) -> Option<u64> {
    let offset = phys % PAGE_SIZE;
    let base = phys - offset;
    let area = with_areas(|a| a.alloc(offset + len, PAGE_SIZE))?;
    for i in 0..area.nr_pages() {
        let va = area.addr + i * PAGE_SIZE;
        if map_kernel_page(va, base + i * PAGE_SIZE, PageProt::Device).is_err() {
            teardown(area, i, false);
            return None;
        }
    }
    Some(area.addr + offset)
}

/// Bytes used and reserved for /proc/meminfo (VmallocUsed, VmallocTotal).
pub fn stats() -> (u64, u64) {
    with_areas(|a| (a.used_bytes(), a.total_bytes()))
}
