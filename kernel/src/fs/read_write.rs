//! read, write, readv, writev, pread64, pwrite64, lseek (Linux:
//! fs/read_write.c) and ioctl (fs/ioctl.c), over the task's open files.
//!
//! User buffers are moved through a kernel bounce buffer a chunk at a
//! time (on the stack for small transfers, the common case of a terminal
//! or a pipe of lines, so that they cost no allocation); no lock is held
//! while a file's read or write runs, since reading the console may wait
//! for input.

use alloc::sync::Arc;
use alloc::vec;
use core::mem::MaybeUninit;

use linux_raw_sys::errno::{EBADF, EFAULT, EINVAL};
use linux_raw_sys::general::SEEK_CUR;
use vfs::File;

use crate::arch::mm::PAGE_SIZE;
use crate::kernel::sys::err;
use crate::kernel::task::with_current_files;
use crate::mm::uaccess::{self, access_ok};

/// Linux caps one read or write at this many bytes (MAX_RW_COUNT).
const MAX_RW_COUNT: u64 = 0x7fff_f000;
/// The bounce buffer's size.
const CHUNK: usize = 64 * 1024;
/// Transfers up to this size bounce through the stack instead.
const SMALL: usize = 256;

/// A bounce buffer of `len` bytes (at most CHUNK), zeroed: in `small`
/// when it fits, of which only those bytes are cleared.
fn bounce(small: &mut MaybeUninit<[u8; SMALL]>, len: usize) -> BounceBuf<'_> {
    if len <= SMALL {
        let start = small.as_mut_ptr().cast::<u8>();
        // SAFETY: `len` bytes of `small` are cleared before they are lent
        // out as initialised; `small` outlives the borrow.
        BounceBuf::Stack(unsafe {
            core::ptr::write_bytes(start, 0, len);
            core::slice::from_raw_parts_mut(start, len)
        })
    } else {
        BounceBuf::Heap(vec![0u8; len.min(CHUNK)])
    }
}

enum BounceBuf<'a> {
    Stack(&'a mut [u8]),
    Heap(alloc::vec::Vec<u8>),
}

impl core::ops::Deref for BounceBuf<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            BounceBuf::Stack(b) => b,
            BounceBuf::Heap(v) => v,
        }
    }
}

impl core::ops::DerefMut for BounceBuf<'_> {
    fn deref_mut(&mut self) -> &mut [u8] {
        match self {
            BounceBuf::Stack(b) => b,
            BounceBuf::Heap(v) => v,
        }
    }
}

/// Linux's UIO_MAXIOV.
const UIO_MAXIOV: u64 = 1024;

/// The open file behind `fd`.
pub fn fget(fd: u64) -> Result<Arc<File>, i64> {
    let fd = i32::try_from(fd).map_err(|_| err(EBADF))?;
    with_current_files(|f| f.get(fd)).map_err(|e| e.to_ret())
}

/// Read into user memory at `buf`, through the bounce buffer a chunk at a
/// time. A seekable file (a regular file, a block or memory device, a
/// /proc file) is read chunk after chunk until the count, the end of the
/// file or a short chunk, as Linux gives all it is asked for there; a
/// stream (a pipe, a tty) returns what one read gave, since a second one
/// could wait. An error or a bad user page after some bytes returns those;
/// a file's read stops at the bad page, with the bytes before it.
fn read_into_user(file: &File, buf: u64, len: u64, at: Option<i64>) -> i64 {
    // Linux's vfs_read checks the access mode, then the whole range.
    if file.fmode() & vfs::file::FMODE_READ == 0 {
        return err(EBADF);
    }
    if !access_ok(buf, len as usize) {
        return err(EFAULT);
    }
    let len = len.min(MAX_RW_COUNT);
    let stream = !file.ops().seekable();
    let mut small = MaybeUninit::uninit();
    let mut kbuf = bounce(&mut small, len.min(CHUNK as u64) as usize);
    let mut done: u64 = 0;
    loop {
        let n = ((len - done) as usize).min(CHUNK);
        let got = match at {
            None => file.read(&mut kbuf[..n]),
            Some(off) => file.pread(&mut kbuf[..n], off + done as i64),
        };
        let got = match got {
            Ok(got) => got,
            Err(_) if done > 0 => break,
            Err(e) => return e.to_ret(),
        };
        if stream {
            // A pipe or a tty: a short copy is EFAULT unless bytes went
            // before (Linux's pipe_read stops at a short page copy).
            if uaccess::copy_to_user(buf + done, &kbuf[..got]).is_err() {
                return if done > 0 { done as i64 } else { err(EFAULT) };
            }
        } else {
            // A file or a device gives the bytes that reached the caller,
            // up to the bad page, as Linux's page-by-page copies do; the
            // offset moves back over the others.
            let copied = uaccess::copy_to_user_partial(buf + done, &kbuf[..got]);
            if copied < got {
                if at.is_none() {
                    let _ = file.lseek(-((got - copied) as i64), SEEK_CUR);
                }
                done += copied as u64;
                return if done > 0 { done as i64 } else { err(EFAULT) };
            }
        }
        done += got as u64;
        if stream || got < n || done == len {
            break;
        }
    }
    done as i64
}

/// How much of a user buffer cut short by a bad page a write passes on,
/// from the `copied` bytes before it. Linux's generic_perform_write takes
/// every byte it could copy, but pipe_write fills whole pipe pages from
/// the user buffer and drops a short one (as into an empty pipe: noyau's
/// pipe has no pages to top up).
fn usable_prefix(file: &File, copied: usize) -> usize {
    if file.inode().file_type() == vfs::FileType::Fifo {
        copied - copied % PAGE_SIZE as usize
    } else {
        copied
    }
}

/// Write from user memory at `buf`, a chunk at a time. The file's write
/// runs even for 0 bytes: it checks the access mode, and a driver may
/// answer (/dev/full says ENOSPC), as on Linux. A buffer that runs into
/// a bad page is written up to it, and EFAULT only when none of it is.
fn write_from_user(file: &File, buf: u64, len: u64, mut at: Option<i64>) -> i64 {
    // Linux's vfs_write checks the access mode, then the whole range
    // before the cap.
    if file.fmode() & vfs::file::FMODE_WRITE == 0 {
        return err(EBADF);
    }
    if !access_ok(buf, len as usize) {
        return err(EFAULT);
    }
    let len = len.min(MAX_RW_COUNT);
    let mut done: u64 = 0;
    let mut small = MaybeUninit::uninit();
    let mut kbuf = bounce(&mut small, len.min(CHUNK as u64) as usize);
    while done < len || (len == 0 && done == 0) {
        let mut n = ((len - done) as usize).min(CHUNK);
        let copied = uaccess::copy_from_user_partial(&mut kbuf[..n], buf + done);
        let short = copied < n;
        if short {
            n = usable_prefix(file, copied);
            if n == 0 {
                return if done > 0 { done as i64 } else { err(EFAULT) };
            }
        }
        let written = match at {
            None => file.write(&kbuf[..n]),
            Some(off) => file.pwrite(&kbuf[..n], off),
        };
        match written {
            Ok(w) => {
                done += w as u64;
                at = at.map(|o| o + w as i64);
                if w < n || n == 0 || short {
                    break;
                }
            }
            Err(e) if done == 0 => return e.to_ret(),
            Err(_) => break,
        }
    }
    done as i64
}

pub fn sys_read(fd: u64, buf: u64, len: u64) -> i64 {
    match fget(fd) {
        Ok(f) => read_into_user(&f, buf, len, None),
        Err(e) => e,
    }
}

pub fn sys_write(fd: u64, buf: u64, len: u64) -> i64 {
    match fget(fd) {
        Ok(f) => write_from_user(&f, buf, len, None),
        Err(e) => e,
    }
}

pub fn sys_pread64(fd: u64, buf: u64, len: u64, off: u64) -> i64 {
    match fget(fd) {
        Ok(f) if (off as i64) >= 0 => read_into_user(&f, buf, len, Some(off as i64)),
        Ok(_) => err(EINVAL),
        Err(e) => e,
    }
}

pub fn sys_pwrite64(fd: u64, buf: u64, len: u64, off: u64) -> i64 {
    match fget(fd) {
        Ok(f) if (off as i64) >= 0 => write_from_user(&f, buf, len, Some(off as i64)),
        Ok(_) => err(EINVAL),
        Err(e) => e,
    }
}

/// The (base, len) pairs of a user iovec array.
fn iovecs(iov: u64, count: u64) -> Result<alloc::vec::Vec<(u64, u64)>, i64> {
    if count > UIO_MAXIOV {
        return Err(err(EINVAL));
    }
    let mut out = alloc::vec::Vec::new();
    for i in 0..count {
        let mut raw = [0u8; 16];
        uaccess::copy_from_user(&mut raw, iov + i * 16).map_err(|_| err(EFAULT))?;
        let base = u64::from_le_bytes(raw[..8].try_into().expect("8 bytes"));
        let len = u64::from_le_bytes(raw[8..].try_into().expect("8 bytes"));
        if len as i64 <= -1 {
            return Err(err(EINVAL));
        }
        out.push((base, len));
    }
    Ok(out)
}

/// readv and writev: one transfer per iovec, stopping at the first short
/// one; an error after some bytes moved returns the bytes instead.
fn vectored(fd: u64, iov: u64, count: u64, transfer: fn(&File, u64, u64) -> i64) -> i64 {
    let (file, vecs) = match (fget(fd), iovecs(iov, count)) {
        (Ok(f), Ok(v)) => (f, v),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let mut total = 0i64;
    for (base, len) in vecs {
        let n = transfer(&file, base, len);
        if n < 0 {
            return if total > 0 { total } else { n };
        }
        total += n;
        if (n as u64) < len {
            break;
        }
    }
    total
}

pub fn sys_readv(fd: u64, iov: u64, count: u64) -> i64 {
    vectored(fd, iov, count, |f, base, len| {
        read_into_user(f, base, len, None)
    })
}

pub fn sys_writev(fd: u64, iov: u64, count: u64) -> i64 {
    vectored(fd, iov, count, |f, base, len| {
        write_from_user(f, base, len, None)
    })
}

pub fn sys_lseek(fd: u64, offset: u64, whence: u64) -> i64 {
    match fget(fd) {
        Ok(f) => match f.lseek(offset as i64, whence as u32) {
            Ok(pos) => pos as i64,
            Err(e) => e.to_ret(),
        },
        Err(e) => e,
    }
}

/// ioctl(2): the file's driver answers; ENOTTY from a file without
/// commands tells libc it is not a terminal.
pub fn sys_ioctl(fd: u64, cmd: u64, arg: u64) -> i64 {
    match fget(fd) {
        Ok(file) => file
            .ops()
            .ioctl(&file, cmd as u32, arg)
            .unwrap_or_else(|e| e.to_ret()),
        Err(e) => e,
    }
}

/// sendfile(2): copy up to `count` bytes from `in_fd` to `out_fd` inside
/// the kernel, a chunk at a time (Linux moves pages; a copy is the same to
/// the caller). With `offset`, reading starts there and the input's own
/// offset stays; the offset is then written back advanced.
pub fn sys_sendfile(out_fd: u64, in_fd: u64, offset: u64, count: u64) -> i64 {
    let (input, output) = match (fget(in_fd), fget(out_fd)) {
        (Ok(i), Ok(o)) => (i, o),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let mut at = None;
    if offset != 0 {
        let mut b = [0u8; 8];
        if uaccess::copy_from_user(&mut b, offset).is_err() {
            return err(EFAULT);
        }
        let off = i64::from_le_bytes(b);
        if off < 0 {
            return err(EINVAL);
        }
        at = Some(off);
    }
    let count = count.min(MAX_RW_COUNT);
    let mut buf = vec![0u8; (count as usize).min(CHUNK)];
    let mut done = 0u64;
    while done < count {
        let want = ((count - done) as usize).min(CHUNK);
        let read = match at {
            Some(off) => input.pread(&mut buf[..want], off + done as i64),
            None => input.read(&mut buf[..want]),
        };
        let n = match read {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if done == 0 => return e.to_ret(),
            Err(_) => break,
        };
        match output.write(&buf[..n]) {
            // A short read (a line from a terminal, what a pipe holds) ends
            // the call, so that it does not wait for more than one read gave.
            Ok(w) => {
                done += w as u64;
                if w < n || n < want {
                    break;
                }
            }
            Err(e) if done == 0 => return e.to_ret(),
            Err(_) => break,
        }
    }
    if let Some(off) = at {
        let new = (off as u64 + done).to_le_bytes();
        if uaccess::copy_to_user(offset, &new).is_err() {
            return err(EFAULT);
        }
    }
    done as i64
}
