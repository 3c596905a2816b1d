//! madvise(2) (Linux: mm/madvise.c): what a process tells the kernel
//! about how it will use a range of its memory.
//!
//! MADV_DONTNEED (and MADV_DONTNEED_LOCKED, there being no mlock) drops
//! the pages: private memory reads as zeros again, shared memory keeps its
//! data in its object. MADV_FREE drops private pages at once, which Linux
//! may do too. MADV_DONTFORK/DOFORK and MADV_WIPEONFORK/KEEPONFORK mark
//! areas for fork; MADV_POPULATE_READ/WRITE fault pages in. The hints
//! (NORMAL, RANDOM, SEQUENTIAL, WILLNEED, COLD, PAGEOUT, MERGEABLE,
//! HUGEPAGE, DONTDUMP and their opposites) change nothing here: there is
//! no readahead, reclaim, KSM, huge page or core dump. MADV_REMOVE,
//! MADV_COLLAPSE, the memory-failure and guard-region advice are refused
//! with EINVAL. As on Linux, holes in the range are skipped and reported
//! as ENOMEM once the rest is done.

use linux_raw_sys::errno::{EFAULT, EINVAL, ENOMEM};
use linux_raw_sys::general as g;

use crate::arch::mm::PAGE_SIZE;
use crate::kernel::sys::err;
use crate::kernel::task::with_current_mm;
use crate::mm::address_space::{AddressSpace, BadAccess};
use crate::mm::mmap::page_align;
use crate::mm::vma::VmFlags;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Advice {
    Hint,
    DontNeed,
    Free,
    DontFork(bool),
    WipeOnFork(bool),
    Populate { write: bool },
}

fn advice(behavior: u32) -> Option<Advice> {
    Some(match behavior {
        g::MADV_NORMAL | g::MADV_RANDOM | g::MADV_SEQUENTIAL | g::MADV_WILLNEED => Advice::Hint,
        g::MADV_COLD | g::MADV_PAGEOUT | g::MADV_MERGEABLE | g::MADV_UNMERGEABLE => Advice::Hint,
        g::MADV_HUGEPAGE | g::MADV_NOHUGEPAGE | g::MADV_DONTDUMP | g::MADV_DODUMP => Advice::Hint,
        g::MADV_DONTNEED | g::MADV_DONTNEED_LOCKED => Advice::DontNeed,
        g::MADV_FREE => Advice::Free,
        g::MADV_DONTFORK => Advice::DontFork(true),
        g::MADV_DOFORK => Advice::DontFork(false),
        g::MADV_WIPEONFORK => Advice::WipeOnFork(true),
        g::MADV_KEEPONFORK => Advice::WipeOnFork(false),
        g::MADV_POPULATE_READ => Advice::Populate { write: false },
        g::MADV_POPULATE_WRITE => Advice::Populate { write: true },
        _ => return None,
    })
}

/// madvise(2). `behavior` is a C int, as Linux reads it.
pub fn sys_madvise(start: u64, len: u64, behavior: u64) -> i64 {
    let Some(advice) = advice(behavior as u32) else {
        return err(EINVAL);
    };
    if !start.is_multiple_of(PAGE_SIZE) {
        return err(EINVAL);
    }
    // A length that rounds up to 0 (past the top of the address space) is
    // EINVAL; a length of 0 does nothing.
    let Some(aligned) = page_align(len).filter(|&l| l != 0 || len == 0) else {
        return err(EINVAL);
    };
    let Some(end) = start.checked_add(aligned) else {
        return err(EINVAL);
    };
    if end == start {
        return 0;
    }
    match with_current_mm(|mm| walk(mm, start, end, advice)) {
        Ok(()) => 0,
        Err(errno) => err(errno),
    }
}

/// Apply `advice` to each VMA in [start, end) (Linux: madvise_walk_vmas).
fn walk(mm: &mut AddressSpace, start: u64, end: u64, advice: Advice) -> Result<(), u32> {
    let mut hole = false;
    let mut at = start;
    while at < end {
        let Some((vstart, vend)) = mm.next_vma(at).map(|v| (v.start, v.end)) else {
            return Err(ENOMEM);
        };
        if vstart > at {
            hole = true;
            at = vstart;
            if at >= end {
                break;
            }
        }
        let to = vend.min(end);
        apply(mm, at, to, advice)?;
        at = to;
    }
    if hole {
        Err(ENOMEM)
    } else {
        Ok(())
    }
}

/// `advice` on [start, end), which lies inside one VMA.
fn apply(mm: &mut AddressSpace, start: u64, end: u64, advice: Advice) -> Result<(), u32> {
    let shared = mm.find_vma(start).is_some_and(|v| v.is_shared());
    match advice {
        Advice::Hint => {}
        Advice::DontNeed => mm.zap(start, end, shared),
        Advice::Free if shared => return Err(EINVAL),
        Advice::Free => mm.zap(start, end, false),
        Advice::WipeOnFork(true) if shared => return Err(EINVAL),
        Advice::DontFork(on) => set_flag(mm, start, end, |f| f.dontcopy = on),
        Advice::WipeOnFork(on) => set_flag(mm, start, end, |f| f.wipeonfork = on),
        Advice::Populate { write } => {
            let mut page = start;
            while page < end {
                mm.handle_fault(page, write, false).map_err(|e| match e {
                    BadAccess::NotAllowed => EINVAL,
                    BadAccess::BeyondObject => EFAULT,
                    BadAccess::NotMapped | BadAccess::NoMemory => ENOMEM,
                })?;
                page += PAGE_SIZE;
            }
        }
    }
    Ok(())
}

/// Change a flag of the VMAs of [start, end), splitting and merging them
/// (Linux: madvise_update_vma).
fn set_flag(mm: &mut AddressSpace, start: u64, end: u64, change: impl Fn(&mut VmFlags)) {
    mm.carve(start, end);
    let mut next = mm.next_vma_start(start, end);
    while let Some(vma) = next.and_then(|s| mm.vmas.get_mut(&s)) {
        change(&mut vma.flags);
        let vend = vma.end;
        next = mm.next_vma_start(vend, end);
    }
    mm.merge_around(start, end);
}
