//! The kernel's copies to and from user memory (Linux: copy_from_user,
//! copy_to_user, strncpy_from_user).
//!
//! User pointers are checked against the VMAs and the page tables before
//! the kernel touches them, page by page, and faulted in when a VMA allows
//! the access, so that a bad pointer gives EFAULT, never a kernel fault.

use alloc::vec::Vec;

use x86_64::structures::paging::PageTableFlags as F;

use crate::arch::mm::{phys_to_virt, PAGE_SIZE};
use crate::mm::address_space::{AddressSpace, TASK_SIZE};

/// A user pointer that does not point at usable user memory.
#[derive(Debug)]
pub struct Efault;

impl AddressSpace {
    /// The direct-map address of user address `virt`, faulting the page
    /// in if its VMA allows the access.
    fn user_page(&mut self, virt: u64, write: bool) -> Option<u64> {
        if virt >= TASK_SIZE {
            return None;
        }
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

    /// Copy `dst.len()` bytes from user address `src` (copy_from_user).
    pub fn copy_from_user(&mut self, dst: &mut [u8], src: u64) -> Result<(), Efault> {
        let mut done = 0;
        while done < dst.len() {
            let addr = src.checked_add(done as u64).ok_or(Efault)?;
            let here = self.user_page(addr, false).ok_or(Efault)?;
            let in_page = (PAGE_SIZE - addr % PAGE_SIZE) as usize;
            let n = in_page.min(dst.len() - done);
            // SAFETY: `here` is the direct-map address of a mapped user
            // page, with at least `n` bytes left in that page.
            let from = unsafe { core::slice::from_raw_parts(here as *const u8, n) };
            dst[done..done + n].copy_from_slice(from);
            done += n;
        }
        Ok(())
    }

    /// Copy bytes to user address `dst` (copy_to_user).
    pub fn copy_to_user(&mut self, dst: u64, src: &[u8]) -> Result<(), Efault> {
        let mut done = 0;
        while done < src.len() {
            let addr = dst.checked_add(done as u64).ok_or(Efault)?;
            let here = self.user_page(addr, true).ok_or(Efault)?;
            let in_page = (PAGE_SIZE - addr % PAGE_SIZE) as usize;
            let n = in_page.min(src.len() - done);
            // SAFETY: as in copy_from_user, for a writable page.
            let to = unsafe { core::slice::from_raw_parts_mut(here as *mut u8, n) };
            to.copy_from_slice(&src[done..done + n]);
            done += n;
        }
        Ok(())
    }

    /// A NUL-terminated string from user memory, without its NUL, of at
    /// most `max` bytes (Linux: strncpy_from_user). None when it is longer.
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
}
