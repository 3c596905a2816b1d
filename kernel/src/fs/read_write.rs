//! write and writev (Linux: fs/read_write.c), and ioctl (fs/ioctl.c).
//!
//! Until the VFS exists, file descriptors 0, 1 and 2 are the console, as
//! /dev/console is for Linux's init; other descriptors are EBADF.

use linux_raw_sys::errno::{EBADF, EFAULT, EINVAL, ENOTTY};

use crate::drivers::tty::serial;
use crate::kernel::task::with_current_mm;

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
        with_current_mm(|mm| mm.copy_from_user(&mut chunk[..n], buf + done))
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
        if with_current_mm(|mm| mm.copy_from_user(&mut raw, iov + i * 16)).is_err() {
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
