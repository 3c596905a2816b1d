//! The kernel's copies to and from user memory (Linux: access_ok,
//! copy_from_user, copy_to_user, strncpy_from_user, access_remote_vm).
//!
//! A user pointer is first checked to lie wholly below TASK_SIZE
//! (access_ok): a pointer into the kernel half is EFAULT before anything
//! is touched. For the address space loaded in CR3 (the usual case: a
//! system call's own process), the bytes then move with real user accesses
//! (arch/x86_64/uaccess.rs: STAC, `rep movsq`, CLAC), and a fault inside
//! the copy is not an oops: the exception table sends it to a fixup that
//! returns the count of bytes left. The page-fault handler does nothing
//! else and takes no lock, so that a copy may run with the address space
//! locked or not. The system calls' own copies (the free functions
//! copy_to_user, copy_from_user) first run unlocked, as Linux's do: the
//! page tables are only changed under the lock, and a page taken away
//! meanwhile just faults.
//!
//! The copy then repairs the fault itself, as Linux does with
//! pagefault_disable, a short copy, fault_in and a retry: handle_fault on
//! the first byte not copied does demand-zero, copy-on-write, stack growth
//! or a file page, and the copy resumes there; if handle_fault refuses
//! (a hole, PROT_NONE, a write to a read-only mapping), the copy is short
//! and the caller says EFAULT. A fault at the very address just repaired
//! also ends the copy, so that a repair that does not take cannot loop.
//!
//! Another process's memory, or an address space not loaded yet (exec's
//! new stack, fork's child), cannot be reached by user accesses: it is
//! walked in its page tables and copied through the direct map instead
//! (access_remote_vm). AddressSpace's copy_from_user and copy_to_user
//! choose the path themselves by comparing the address space with CR3.

use alloc::vec::Vec;

use x86_64::structures::paging::PageTableFlags as F;

use crate::arch::mm::init::current_pgd_phys;
use crate::arch::mm::{phys_to_virt, PAGE_SIZE};
use crate::arch::uaccess::copy_user;
use crate::kernel::task::with_current_mm;
use crate::mm::address_space::{AddressSpace, TASK_SIZE};

/// Copy bytes to the calling process's memory at `dst`, all or EFAULT
/// (Linux: copy_to_user). This is the system calls' copy: the bytes move at
/// once, with no lock, since a system call runs on its own address space,
/// loaded in CR3, which only the fault handler changes under its lock; a
/// fault (a page not there yet, copy-on-write) ends this first try, and
/// the address space, locked, repairs it and copies the rest.
pub fn copy_to_user(dst: u64, src: &[u8]) -> Result<(), Efault> {
    if copy_to_user_partial(dst, src) < src.len() {
        return Err(Efault);
    }
    Ok(())
}

/// Copy bytes to the calling process's memory at `dst` as far as they can
/// be written; how many were. As copy_to_user: no lock unless a fault
/// needs repairing.
pub fn copy_to_user_partial(dst: u64, src: &[u8]) -> usize {
    if !access_ok(dst, src.len()) {
        return 0;
    }
    // SAFETY: access_ok put the range below TASK_SIZE, in the caller's own
    // address space; a fault there goes to the copy's fixup.
    let left = unsafe { copy_user(dst as *mut u8, src.as_ptr(), src.len()) };
    copy_rest(src.len() - left, src.len(), |mm, done| {
        mm.copy_to_user_partial(dst + done as u64, &src[done..])
    })
}

/// Copy bytes from the calling process's memory at `src` into `dst` as far
/// as they can be read; how many were. As copy_to_user: no lock unless a
/// fault needs repairing.
pub fn copy_from_user_partial(dst: &mut [u8], src: u64) -> usize {
    if !access_ok(src, dst.len()) {
        return 0;
    }
    // SAFETY: as in copy_to_user, the other way round.
    let left = unsafe { copy_user(dst.as_mut_ptr(), src as *const u8, dst.len()) };
    let len = dst.len();
    copy_rest(len - left, len, |mm, done| {
        mm.copy_from_user_partial(&mut dst[done..], src + done as u64)
    })
}

/// The rest of a system call's copy after its unlocked try stopped at
/// `done` of `len` bytes: the address space, locked, repairs the fault and
/// copies on. When it runs out of memory, the OOM killer runs once the lock
/// is gone, and after another process's death the copy goes on. The count
/// copied in all.
fn copy_rest(
    mut done: usize,
    len: usize,
    mut locked: impl FnMut(&mut AddressSpace, usize) -> Copied,
) -> usize {
    while done < len {
        let copied = with_current_mm(|mm| locked(mm, done));
        done += copied.bytes;
        if !copied.no_memory || !crate::mm::oom_kill::after_shortage() {
            break;
        }
    }
    done
}

/// How far a copy went, and whether it stopped for want of memory.
#[derive(Default)]
pub struct Copied {
    pub bytes: usize,
    pub no_memory: bool,
}

impl Copied {
    fn bytes(bytes: usize) -> Copied {
        Copied {
            bytes,
            no_memory: false,
        }
    }
}

/// Copy `dst.len()` bytes from the calling process's memory at `src`, all
/// or EFAULT (Linux: copy_from_user).
pub fn copy_from_user(dst: &mut [u8], src: u64) -> Result<(), Efault> {
    if copy_from_user_partial(dst, src) < dst.len() {
        return Err(Efault);
    }
    Ok(())
}

/// A user pointer that does not point at usable user memory.
#[derive(Debug)]
pub struct Efault;

/// Is [addr, addr + len) wholly user space (Linux: access_ok)? An empty
/// range must start in user space too, as on Linux.
pub fn access_ok(addr: u64, len: usize) -> bool {
    addr.checked_add(len as u64)
        .is_some_and(|end| end <= TASK_SIZE)
}

/// What access_remote_vm does with a kernel buffer.
pub enum VmAccess<'a> {
    /// Fill the buffer from the address space.
    Read(&'a mut [u8]),
    /// Write the buffer into the address space (Linux: FOLL_WRITE).
    Write(&'a [u8]),
}

impl VmAccess<'_> {
    fn len(&self) -> usize {
        match self {
            VmAccess::Read(b) => b.len(),
            VmAccess::Write(b) => b.len(),
        }
    }
}

impl AddressSpace {
    /// Is this the address space in CR3, the one user accesses reach?
    fn is_loaded(&self) -> bool {
        self.pgd_phys() == current_pgd_phys()
    }

    /// Run `raw(offset)`, a user copy of bytes offset..len that returns how
    /// many it left, until all are copied or a fault cannot be repaired.
    /// `user` is the user side's address.
    fn copy_repairing(
        &mut self,
        user: u64,
        len: usize,
        write: bool,
        mut raw: impl FnMut(usize) -> usize,
    ) -> Copied {
        let mut done = 0;
        let mut repaired = None;
        let mut no_memory = false;
        while done < len {
            done = len - raw(done);
            let addr = user + done as u64;
            if done == len || repaired == Some(addr) {
                break;
            }
            match self.handle_fault(addr, write, false) {
                Ok(()) => crate::kernel::sched::cputime::account_fault(),
                Err(e) => {
                    no_memory = e == crate::mm::fault::BadAccess::NoMemory;
                    break;
                }
            }
            repaired = Some(addr);
        }
        Copied {
            bytes: done,
            no_memory,
        }
    }

    /// Copy user bytes from `src` into `dst` as far as they can be read
    /// (Linux's copy_from_user returns how many it could not).
    pub fn copy_from_user_partial(&mut self, dst: &mut [u8], src: u64) -> Copied {
        if !access_ok(src, dst.len()) {
            return Copied::default();
        }
        if !self.is_loaded() {
            return Copied::bytes(self.access_remote_vm(src, VmAccess::Read(dst)));
        }
        let (kernel, len) = (dst.as_mut_ptr(), dst.len());
        self.copy_repairing(src, len, false, |at| {
            // SAFETY: `kernel` holds `len` bytes; access_ok put the user
            // range below TASK_SIZE, in the address space loaded in CR3.
            unsafe { copy_user(kernel.add(at), (src + at as u64) as *const u8, len - at) }
        })
    }

    /// Copy kernel bytes to user address `dst` as far as they can be
    /// written.
    pub fn copy_to_user_partial(&mut self, dst: u64, src: &[u8]) -> Copied {
        if !access_ok(dst, src.len()) {
            return Copied::default();
        }
        if !self.is_loaded() {
            return Copied::bytes(self.access_remote_vm(dst, VmAccess::Write(src)));
        }
        let (kernel, len) = (src.as_ptr(), src.len());
        self.copy_repairing(dst, len, true, |at| {
            // SAFETY: as in copy_from_user_partial, the other way round.
            unsafe { copy_user((dst + at as u64) as *mut u8, kernel.add(at), len - at) }
        })
    }

    /// Copy `dst.len()` bytes from user address `src`, all or EFAULT
    /// (copy_from_user).
    pub fn copy_from_user(&mut self, dst: &mut [u8], src: u64) -> Result<(), Efault> {
        if !access_ok(src, dst.len()) || self.copy_from_user_partial(dst, src).bytes < dst.len() {
            return Err(Efault);
        }
        Ok(())
    }

    /// Copy bytes to user address `dst`, all or EFAULT (copy_to_user).
    pub fn copy_to_user(&mut self, dst: u64, src: &[u8]) -> Result<(), Efault> {
        if !access_ok(dst, src.len()) || self.copy_to_user_partial(dst, src).bytes < src.len() {
            return Err(Efault);
        }
        Ok(())
    }

    /// A NUL-terminated string from user memory, without its NUL, of at
    /// most `max` bytes (Linux: strncpy_from_user). None when it is longer.
    /// It is read a piece at a time, never past the page its NUL is in.
    pub fn string_from_user(&mut self, addr: u64, max: usize) -> Result<Option<Vec<u8>>, Efault> {
        let mut out = Vec::new();
        let mut at = addr;
        while out.len() <= max {
            let in_page = (PAGE_SIZE - at % PAGE_SIZE) as usize;
            let mut chunk = [0u8; 256];
            let n = in_page.min(chunk.len());
            self.copy_from_user(&mut chunk[..n], at)?;
            if let Some(nul) = chunk[..n].iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..nul]);
                return Ok((out.len() <= max).then_some(out));
            }
            out.extend_from_slice(&chunk[..n]);
            at += n as u64;
        }
        Ok(None)
    }

    /// Read or write the memory of this address space when it need not be
    /// the one in CR3 (Linux: access_remote_vm, as /proc/PID/cmdline and
    /// fork's CLONE_CHILD_SETTID use it): page by page through the direct
    /// map, faulting pages in as a user access would. The number of bytes
    /// moved, up to the first page that cannot be.
    pub fn access_remote_vm(&mut self, addr: u64, mut buf: VmAccess<'_>) -> usize {
        let (len, write) = (buf.len(), matches!(buf, VmAccess::Write(_)));
        if !access_ok(addr, len) {
            return 0;
        }
        let mut done = 0;
        while done < len {
            let at = addr + done as u64;
            let Some(here) = self.remote_page(at, write) else {
                break;
            };
            let n = ((PAGE_SIZE - at % PAGE_SIZE) as usize).min(len - done);
            // SAFETY: `here` is the direct-map address of a mapped user
            // page of this address space, with at least `n` bytes left in
            // that page, writable by the VMA and the PTE for a write.
            let page = unsafe { core::slice::from_raw_parts_mut(here as *mut u8, n) };
            match &mut buf {
                VmAccess::Read(b) => b[done..done + n].copy_from_slice(page),
                VmAccess::Write(b) => page.copy_from_slice(&b[done..done + n]),
            }
            done += n;
        }
        done
    }

    /// The direct-map address of user address `virt`, faulting the page
    /// in if its VMA allows the access.
    fn remote_page(&mut self, virt: u64, write: bool) -> Option<u64> {
        let page = virt & !(PAGE_SIZE - 1);
        let ok = |flags: F| {
            flags.contains(F::USER_ACCESSIBLE) && (!write || flags.contains(F::WRITABLE))
        };
        match self.tables.translate(page) {
            Some((phys, flags)) if ok(flags) => Some(phys_to_virt(phys) + (virt - page)),
            Some(_) | None => {
                self.handle_fault(virt, write, false).ok()?;
                let (phys, _) = self.tables.translate(page)?;
                Some(phys_to_virt(phys) + (virt - page))
            }
        }
    }
}
