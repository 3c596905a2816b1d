//! The first system calls: console output, the thread pointer, reboot
//! (Linux: fs/read_write.c, arch/x86/kernel/process_64.c, kernel/reboot.c).
//!
//! Until the VFS exists, file descriptors 0, 1 and 2 are the console, as
//! /dev/console is for Linux's init; other descriptors are EBADF.

use linux_raw_sys::errno::{EBADF, EFAULT, EINVAL, ENOTTY};
use x86_64::registers::model_specific::FsBase;
use x86_64::VirtAddr;

use crate::arch::reboot;
use crate::drivers::tty::serial;
use crate::kernel::task::with_current;
use crate::mm::address_space::TASK_SIZE;
use crate::pr_emerg;

fn err(errno: u32) -> i64 {
    -(errno as i64)
}

/// Linux caps one read or write at this many bytes (MAX_RW_COUNT).
const MAX_RW_COUNT: u64 = 0x7fff_f000;

fn is_console(fd: u64) -> bool {
    fd <= 2
}

/// Copy `len` user bytes at `buf` to the console, a chunk at a time.
fn console_write(buf: u64, len: u64) -> Result<u64, i64> {
    let len = len.min(MAX_RW_COUNT);
    let mut chunk = [0u8; 256];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(chunk.len() as u64) as usize;
        with_current(|t| t.mm.copy_from_user(&mut chunk[..n], buf + done))
            .map_err(|_| err(EFAULT))?;
        serial::write_bytes(&chunk[..n]);
        done += n as u64;
    }
    Ok(done)
}

pub fn sys_write(fd: u64, buf: u64, len: u64) -> i64 {
    if !is_console(fd) {
        return err(EBADF);
    }
    match console_write(buf, len) {
        Ok(n) => n as i64,
        Err(e) => e,
    }
}

/// Linux's UIO_MAXIOV.
const UIO_MAXIOV: u64 = 1024;

pub fn sys_writev(fd: u64, iov: u64, count: u64) -> i64 {
    if !is_console(fd) {
        return err(EBADF);
    }
    if count > UIO_MAXIOV {
        return err(EINVAL);
    }
    let mut total: u64 = 0;
    for i in 0..count {
        let mut raw = [0u8; 16];
        if with_current(|t| t.mm.copy_from_user(&mut raw, iov + i * 16)).is_err() {
            return err(EFAULT);
        }
        let base = u64::from_le_bytes(raw[..8].try_into().expect("8 bytes"));
        let len = u64::from_le_bytes(raw[8..].try_into().expect("8 bytes"));
        match console_write(base, len) {
            Ok(n) => total += n,
            Err(e) if total == 0 => return e,
            Err(_) => break,
        }
    }
    total as i64
}

/// The console is not a terminal yet (no tty layer): ENOTTY, which tells
/// libc to buffer stdout fully, as for a file.
pub fn sys_ioctl(fd: u64, _cmd: u64, _arg: u64) -> i64 {
    if is_console(fd) {
        err(ENOTTY)
    } else {
        err(EBADF)
    }
}

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
            match with_current(|t| t.mm.copy_to_user(addr, &fs)) {
                Ok(()) => 0,
                Err(_) => err(EFAULT),
            }
        }
        _ => err(EINVAL),
    }
}

/// Remembered for CLONE_CHILD_CLEARTID later; returns the thread id.
pub fn sys_set_tid_address(_tidptr: u64) -> i64 {
    with_current(|t| t.pid as i64)
}

pub fn sys_getpid() -> i64 {
    with_current(|t| t.pid as i64)
}

const LINUX_REBOOT_MAGIC1: u64 = 0xfee1_dead;
const LINUX_REBOOT_MAGIC2: [u64; 4] = [672_274_793, 85_072_278, 369_367_448, 537_993_216];
const LINUX_REBOOT_CMD_RESTART: u64 = 0x0123_4567;
const LINUX_REBOOT_CMD_HALT: u64 = 0xcdef_0123;
const LINUX_REBOOT_CMD_POWER_OFF: u64 = 0x4321_fedc;

/// reboot(2). Every task is root for now; CAP_SYS_BOOT comes with
/// credentials.
pub fn sys_reboot(magic1: u64, magic2: u64, cmd: u64) -> i64 {
    if magic1 != LINUX_REBOOT_MAGIC1 || !LINUX_REBOOT_MAGIC2.contains(&magic2) {
        return err(EINVAL);
    }
    match cmd & 0xffff_ffff {
        LINUX_REBOOT_CMD_POWER_OFF => {
            pr_emerg!("reboot: Power down");
            reboot::machine_power_off()
        }
        LINUX_REBOOT_CMD_HALT => {
            pr_emerg!("reboot: System halted");
            reboot::machine_power_off()
        }
        LINUX_REBOOT_CMD_RESTART => {
            crate::pr_info!("reboot: Restarting system");
            reboot::machine_restart()
        }
        _ => err(EINVAL),
    }
}
