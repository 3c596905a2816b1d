//! brk, mmap, munmap and mprotect (Linux: mm/mmap.c, mm/mprotect.c), with
//! Linux's alignment and error rules.
//!
//! MAP_PRIVATE memory is copied on write after fork; MAP_SHARED memory
//! gets an object of its own (mm/shmem.rs) that fork shares. A private
//! file mapping reads each page from the file on first touch (mm/fault.rs),
//! and so does a shared one of a file opened read-only, which can never be
//! written through; shared mappings of files open for writing are refused
//! for now (ENODEV).

use core::sync::atomic::{AtomicBool, Ordering};

use alloc::sync::Arc;
use linux_raw_sys::errno::{EACCES, EEXIST, EINVAL, ENODEV, ENOMEM, EOVERFLOW};
use linux_raw_sys::general::{
    MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_PRIVATE, MAP_SHARED,
    MAP_TYPE, S_IFCHR, S_IFMT, S_IFREG,
};
use vfs::file::{FMODE_READ, FMODE_WRITE};
use vfs::File;

use crate::fs::read_write::fget;

use crate::arch::mm::PAGE_SIZE;
use crate::kernel::resource::{current_rlimit, RLIMIT_AS};
use crate::kernel::sys::err;
use crate::kernel::task::with_current_mm;
use crate::mm::address_space::{Prot, Vma, TASK_SIZE};
use crate::mm::shmem::SharedAnon;

/// Bytes below TASK_SIZE kept for the stack before mmap's top-down area
/// (Linux: mmap_base leaves the stack rlimit plus a gap).
pub const STACK_RESERVE: u64 = crate::mm::stack::STACK_RLIMIT;
pub const MMAP_BASE: u64 = TASK_SIZE - STACK_RESERVE - (128 << 20);

pub fn page_align(len: u64) -> Option<u64> {
    len.checked_add(PAGE_SIZE - 1).map(|l| l & !(PAGE_SIZE - 1))
}

/// brk(2): move the end of the heap; the new end, or the old one when the
/// request cannot be met (Linux returns the current break on failure). The
/// heap keeps a page, and a stack's guard gap, free below the next mapping.
pub fn sys_brk(new: u64) -> i64 {
    let limit = current_rlimit(RLIMIT_AS);
    with_current_mm(|mm| {
        if new < mm.start_brk {
            return mm.brk as i64;
        }
        let old_end = page_align(mm.brk).unwrap_or(mm.brk);
        let Some(new_end) = page_align(new) else {
            return mm.brk as i64;
        };
        if new_end > old_end {
            let room = mm.may_expand(new_end - old_end, limit);
            if !room || new_end > MMAP_BASE || !mm.fits_with_gap(old_end, new_end + PAGE_SIZE) {
                return mm.brk as i64;
            }
            let heap = Prot {
                read: true,
                write: true,
                exec: false,
            };
            mm.insert_vma(old_end, new_end, heap);
        } else if new_end < old_end {
            mm.unmap_range(new_end, old_end);
        }
        mm.brk = new;
        new as i64
    })
}

/// The file a mapping of `fd` reads, or None when the mapping is anonymous
/// after all (/dev/zero, as Linux's mmap_zero makes it). Private mappings
/// of regular files are kept, and shared ones of a file opened read-only,
/// which can never be written through; a shared mapping of a file open for
/// writing needs a page cache that writes reach the file through, which
/// noyau does not have yet (ENODEV, with a line in the log once).
fn mapped_file(
    fd: u64,
    off: u64,
    len: u64,
    shared: bool,
    write: bool,
) -> Result<Option<Arc<File>>, i64> {
    let file = fget(fd)?;
    if (off / PAGE_SIZE).checked_add(len / PAGE_SIZE).is_none() {
        return Err(err(EOVERFLOW));
    }
    if file.fmode() & FMODE_READ == 0 {
        return Err(err(EACCES));
    }
    let writable = file.fmode() & FMODE_WRITE != 0;
    if shared && write && !writable {
        return Err(err(EACCES));
    }
    let attr = file.inode().attr();
    let is_zero = attr.mode & S_IFMT == S_IFCHR && attr.rdev == vfs::makedev(1, 5);
    if is_zero {
        return Ok(None);
    }
    if attr.mode & S_IFMT != S_IFREG {
        return Err(err(ENODEV));
    }
    if shared && writable {
        static WARNED: AtomicBool = AtomicBool::new(false);
        if !WARNED.swap(true, Ordering::Relaxed) {
            crate::pr_warn!(
                "mm: MAP_SHARED mappings of files open for writing are not supported yet (ENODEV)"
            );
        }
        return Err(err(ENODEV));
    }
    Ok(Some(file))
}

pub fn sys_mmap(addr: u64, len: u64, prot: u64, flags: u64, fd: u64, off: u64) -> i64 {
    let flags = flags as u32;
    let Some(len) = page_align(len).filter(|&l| l != 0 && l <= TASK_SIZE) else {
        return err(if len == 0 { EINVAL } else { ENOMEM });
    };
    if !off.is_multiple_of(PAGE_SIZE) {
        return err(EINVAL);
    }
    match flags & MAP_TYPE {
        MAP_PRIVATE | MAP_SHARED => {}
        _ => return err(EINVAL),
    }
    let shared = flags & MAP_TYPE == MAP_SHARED;
    let file = if flags & MAP_ANONYMOUS == 0 {
        match mapped_file(fd, off, len, shared, prot & 2 != 0) {
            Ok(f) => f,
            Err(e) => return e,
        }
    } else {
        None
    };
    let growsdown = flags & MAP_GROWSDOWN != 0;
    if shared && growsdown {
        return err(EINVAL);
    }
    let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
    let fits = addr.checked_add(len).is_some_and(|e| e <= TASK_SIZE);
    if fixed && (!addr.is_multiple_of(PAGE_SIZE) || !fits) {
        return err(EINVAL);
    }
    let prot = Prot::from_bits(prot);
    let limit = current_rlimit(RLIMIT_AS);
    with_current_mm(|mm| {
        // What MAP_FIXED replaces does not count twice.
        let replaced = if fixed {
            mm.mapped_in(addr, addr + len)
        } else {
            0
        };
        if !mm.may_expand(len - replaced, limit) {
            return err(ENOMEM);
        }
        let start = if fixed {
            if !mm.range_is_free(addr, addr + len) {
                if flags & MAP_FIXED_NOREPLACE != 0 {
                    return err(EEXIST);
                }
                mm.unmap_range(addr, addr + len);
            }
            addr
        } else {
            // A hint is used when that range is free, as Linux does.
            let hint = addr & !(PAGE_SIZE - 1);
            let hint_ok = hint != 0
                && hint.checked_add(len).is_some_and(|e| e <= TASK_SIZE)
                && mm.fits_with_gap(hint, hint + len);
            if hint_ok {
                hint
            } else {
                match mm.find_free_range(len, MMAP_BASE) {
                    Some(s) => s,
                    None => return err(ENOMEM),
                }
            }
        };
        let mut vma = Vma::private(start, start + len, prot);
        vma.flags.growsdown = growsdown;
        if let Some(file) = file {
            vma.pgoff = off / PAGE_SIZE;
            vma.file = Some(file);
            vma.flags.shared_readonly = shared;
        } else if shared {
            vma.shared = Some(SharedAnon::new(len / PAGE_SIZE));
        }
        mm.insert(vma);
        start as i64
    })
}

pub fn sys_munmap(addr: u64, len: u64) -> i64 {
    if !addr.is_multiple_of(PAGE_SIZE) || len == 0 {
        return err(EINVAL);
    }
    let Some(len) = page_align(len) else {
        return err(EINVAL);
    };
    let Some(end) = addr.checked_add(len).filter(|&e| e <= TASK_SIZE) else {
        return err(EINVAL);
    };
    with_current_mm(|mm| mm.unmap_range(addr, end));
    0
}

pub fn sys_mprotect(addr: u64, len: u64, prot: u64) -> i64 {
    // PROT_READ, WRITE, EXEC and (on x86, accepted and unused) PROT_SEM,
    // plus PROT_GROWSDOWN and PROT_GROWSUP.
    if !addr.is_multiple_of(PAGE_SIZE) || prot & !(0xf | 0x0300_0000) != 0 {
        return err(EINVAL);
    }
    let Some(len) = page_align(len) else {
        return err(ENOMEM);
    };
    if len == 0 {
        return 0;
    }
    let Some(end) = addr.checked_add(len).filter(|&e| e <= TASK_SIZE) else {
        return err(ENOMEM);
    };
    match with_current_mm(|mm| mm.protect_range(addr, end, Prot::from_bits(prot))) {
        Ok(()) => 0,
        Err(e) => err(e),
    }
}
