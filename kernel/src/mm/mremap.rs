//! mremap(2) (Linux: mm/mremap.c): resize a mapping, in place when the
//! room after it is free, or by moving its pages elsewhere (MREMAP_MAYMOVE,
//! or to a chosen address with MREMAP_FIXED), with Linux's checks in
//! Linux's order. MREMAP_DONTUNMAP moves the pages and leaves the old range
//! mapped and empty. An old length of 0 maps shared memory a second time.
//!
//! A move takes the pages' entries to the new place; the pages stay what
//! they were (copy-on-write after fork, or belonging to a shared object).
//! As before Linux 6.17, a move may not span several VMAs (EFAULT).

use linux_raw_sys::errno::{EFAULT, EINVAL, ENOMEM};
use linux_raw_sys::general::{MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE};

use crate::arch::mm::init::flush_tlb_one;
use crate::arch::mm::PAGE_SIZE;
use crate::kernel::resource::{current_rlimit, RLIMIT_AS};
use crate::kernel::sys::err;
use crate::kernel::task::with_current_mm;
use crate::mm::address_space::{AddressSpace, NoMemory, TASK_SIZE};
use crate::mm::mmap::MMAP_BASE;

/// One mremap request, its lengths page-aligned.
struct Remap {
    addr: u64,
    old_len: u64,
    new_len: u64,
    flags: u32,
    new_addr: u64,
    /// RLIMIT_AS, which growing must stay within.
    as_limit: u64,
}

impl Remap {
    /// MREMAP_FIXED or MREMAP_DONTUNMAP: the mapping will move.
    fn moves(&self) -> bool {
        self.flags & (MREMAP_FIXED | MREMAP_DONTUNMAP) != 0
    }
}

/// C's PAGE_ALIGN: rounds up, wrapping to 0 at the top.
fn page_align_wrapping(len: u64) -> u64 {
    len.wrapping_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}

pub fn sys_mremap(addr: u64, old_len: u64, new_len: u64, flags: u64, new_addr: u64) -> i64 {
    let r = Remap {
        addr,
        old_len: page_align_wrapping(old_len),
        new_len: page_align_wrapping(new_len),
        flags: flags as u32,
        new_addr,
        as_limit: current_rlimit(RLIMIT_AS),
    };
    match check_params(&r).and_then(|()| with_current_mm(|mm| remap(mm, r))) {
        Ok(addr) => addr as i64,
        Err(errno) => err(errno),
    }
}

/// The checks that need no VMA (Linux: check_mremap_params).
fn check_params(r: &Remap) -> Result<(), u32> {
    if flags_unknown(r.flags) || !r.addr.is_multiple_of(PAGE_SIZE) {
        return Err(EINVAL);
    }
    if r.new_len == 0 || r.new_len > TASK_SIZE {
        return Err(EINVAL);
    }
    if !r.moves() {
        return Ok(());
    }
    if !r.new_addr.is_multiple_of(PAGE_SIZE) || r.flags & MREMAP_MAYMOVE == 0 {
        return Err(EINVAL);
    }
    if r.flags & MREMAP_DONTUNMAP != 0 && r.old_len != r.new_len {
        return Err(EINVAL);
    }
    if r.new_addr > TASK_SIZE - r.new_len {
        return Err(EINVAL);
    }
    let overlap = r.addr.wrapping_add(r.old_len) > r.new_addr && r.new_addr + r.new_len > r.addr;
    if overlap {
        return Err(EINVAL);
    }
    Ok(())
}

fn flags_unknown(flags: u32) -> bool {
    flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0
}

/// The checks on the VMA, then the remap itself (Linux: do_mremap).
fn remap(mm: &mut AddressSpace, mut r: Remap) -> Result<u64, u32> {
    let vma = mm.find_vma(r.addr).ok_or(EFAULT)?;
    let (vma_start, vma_end, shared) = (vma.start, vma.end, vma.is_shared());
    if r.old_len > TASK_SIZE {
        return Err(EINVAL);
    }
    let grows = r.new_len > r.old_len;
    if grows || r.moves() {
        // Duplicating private memory would give unrelated pages: refused.
        if r.old_len == 0 && !shared {
            return Err(EINVAL);
        }
        if r.old_len > vma_end - r.addr {
            return Err(EFAULT);
        }
    }
    if grows && !mm.may_expand(r.new_len - r.old_len, r.as_limit) {
        return Err(ENOMEM);
    }

    if r.moves() {
        if r.flags & MREMAP_FIXED != 0 {
            mm.unmap_range(r.new_addr, r.new_addr + r.new_len);
        }
        if r.new_len < r.old_len {
            mm.unmap_range(r.addr + r.new_len, r.addr + r.old_len);
            r.old_len = r.new_len;
        }
        let to = if r.flags & MREMAP_FIXED != 0 {
            r.new_addr
        } else {
            free_range(mm, r.new_addr, r.new_len)?
        };
        return move_area(mm, &r, to);
    }

    if !grows {
        if r.new_len < r.old_len {
            let end = r.addr.checked_add(r.old_len).filter(|&e| e <= TASK_SIZE);
            mm.unmap_range(r.addr + r.new_len, end.ok_or(EINVAL)?);
        }
        return Ok(r.addr);
    }

    // Grow in place when the range ends the VMA and the room after is free
    // (Linux: vma_expandable); else move if allowed.
    let new_end = r.addr + r.new_len;
    if r.addr + r.old_len == vma_end && new_end <= TASK_SIZE && mm.range_is_free(vma_end, new_end) {
        if let Some(vma) = mm.vmas.get_mut(&vma_start) {
            vma.end = new_end;
        }
        mm.merge_around(vma_start, new_end);
        return Ok(r.addr);
    }
    if r.flags & MREMAP_MAYMOVE == 0 {
        return Err(ENOMEM);
    }
    let to = free_range(mm, 0, r.new_len)?;
    move_area(mm, &r, to)
}

/// Where a moved mapping goes without MREMAP_FIXED: the hint if it is free
/// (MREMAP_DONTUNMAP's new_addr), else as mmap would place it.
fn free_range(mm: &AddressSpace, hint: u64, len: u64) -> Result<u64, u32> {
    let fits = hint.checked_add(len).is_some_and(|e| e <= TASK_SIZE);
    if hint != 0 && fits && mm.fits_with_gap(hint, hint + len) {
        return Ok(hint);
    }
    mm.find_free_range(len, MMAP_BASE).ok_or(ENOMEM)
}

/// Map [to, to + new_len) as the area at `r.addr` and move its pages there
/// (Linux: move_vma); the old range is unmapped unless MREMAP_DONTUNMAP.
fn move_area(mm: &mut AddressSpace, r: &Remap, to: u64) -> Result<u64, u32> {
    let Some(template) = mm.find_vma(r.addr).map(|v| v.tail_from(r.addr)) else {
        return Err(EFAULT);
    };
    if r.old_len > 0 {
        mm.carve(r.addr, r.addr + r.old_len);
    }
    let mut moved = template;
    moved.start = to;
    moved.end = to + r.new_len;
    mm.vmas.insert(to, moved);
    if mm.move_pages(r.addr, to, r.old_len).is_err() {
        mm.vmas.remove(&to);
        mm.merge_around(r.addr, r.addr + r.old_len);
        return Err(ENOMEM);
    }
    if r.old_len > 0 && r.flags & MREMAP_DONTUNMAP == 0 {
        // The pages are gone from there: only the VMA is left to drop.
        mm.vmas.remove(&r.addr);
    }
    mm.merge_around(to, to + r.new_len);
    mm.merge_around(r.addr, r.addr + r.old_len);
    Ok(to)
}

impl AddressSpace {
    /// Move the page-table entries of [from, from + len) to `to`; on
    /// failure those already moved go back (their old tables remain).
    fn move_pages(&mut self, from: u64, to: u64, len: u64) -> Result<(), NoMemory> {
        let mut at = from;
        while let Some(page) = self.tables.next_used(at, from + len) {
            let done = page - from;
            if let Some((phys, flags)) = self.tables.translate(page) {
                if self.tables.set_4k(to + done, phys, flags).is_err() {
                    self.move_pages_back(from, to, done);
                    return Err(NoMemory);
                }
                self.tables.unmap_4k(page);
                flush_tlb_one(page);
            }
            at = page + PAGE_SIZE;
        }
        Ok(())
    }

    fn move_pages_back(&mut self, from: u64, to: u64, len: u64) {
        let mut at = to;
        while let Some(page) = self.tables.next_used(at, to + len) {
            if let Some((phys, flags)) = self.tables.translate(page) {
                // The tables at `from` mapped this page a moment ago.
                let _ = self.tables.set_4k(from + (page - to), phys, flags);
                self.tables.unmap_4k(page);
                flush_tlb_one(page);
            }
            at = page + PAGE_SIZE;
        }
    }
}
