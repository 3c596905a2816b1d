//! arch_prctl: the thread pointer (Linux: arch/x86/kernel/process_64.c).
//!
//! glibc and musl keep their thread-local storage at the FS base; the
//! task sets it once at start and for every new thread.

use linux_raw_sys::errno::{EFAULT, EINVAL};
use x86_64::registers::model_specific::FsBase;
use x86_64::VirtAddr;

use crate::kernel::sys::err;
use crate::mm::address_space::TASK_SIZE;
use crate::mm::uaccess;

const ARCH_SET_FS: u64 = 0x1002;
const ARCH_GET_FS: u64 = 0x1003;

pub fn sys_arch_prctl(code: u64, addr: u64) -> i64 {
    match code {
        ARCH_SET_FS => {
            if addr >= TASK_SIZE {
                return err(EFAULT);
            }
            FsBase::write(VirtAddr::new(addr));
            0
        }
        ARCH_GET_FS => {
            let fs = FsBase::read().as_u64().to_le_bytes();
            match uaccess::copy_to_user(addr, &fs) {
                Ok(()) => 0,
                Err(_) => err(EFAULT),
            }
        }
        _ => err(EINVAL),
    }
}
