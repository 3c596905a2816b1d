//! Open files (Linux's struct file and fs/read_write.c): an opened path with its flags,
//! its access mode and an offset behind a lock, shared by dup and fork. read, write,
//! pread, pwrite, readv, writev and lseek with Linux's rules; the operations of the
//! open file ([`FileOps`], Linux's file_operations) come from the inode or a driver.

use alloc::sync::Arc;

use linux_raw_sys::general as g;
use spin::Mutex;

use crate::cred::Cred;
use crate::errno::{Errno, Result};
use crate::inode::{FileType, Inode};
use crate::mount::Path;
use crate::perm::{capable, Cap};
use crate::write_access::WriteAccess;

/// Linux caps one read or write at this many bytes (MAX_RW_COUNT).
pub const MAX_RW_COUNT: usize = 0x7fff_f000;

/// What an open file does on read and write (Linux's file_operations). `pos` is the
/// offset to use and advance; a stream (a pipe, a tty) ignores it.
pub trait FileOps: Send + Sync {
    fn read(&self, file: &File, buf: &mut [u8], pos: &mut u64) -> Result<usize>;
    fn write(&self, file: &File, buf: &[u8], pos: &mut u64) -> Result<usize>;

    /// False for streams: lseek, pread and pwrite then fail with ESPIPE.
    fn seekable(&self) -> bool {
        true
    }

    /// lseek(2) on the offset `pos`, for a seekable file and `whence` at most
    /// SEEK_MAX (Linux's llseek operation): by default [`File::generic_llseek`].
    fn llseek(&self, file: &File, pos: &mut u64, offset: i64, whence: u32) -> Result<u64> {
        file.generic_llseek(pos, offset, whence)
    }

    /// The last reference to the open file is gone (Linux's release).
    fn release(&self, _file: &File) {}

    /// Which of the poll events (POLLIN, POLLOUT, POLLHUP, POLLERR and their
    /// RDNORM/WRNORM twins) hold now: Linux's poll operation without its wait
    /// queue. Files on memory are always ready (Linux's DEFAULT_POLLMASK).
    fn poll(&self, _file: &File) -> u32 {
        DEFAULT_POLLMASK
    }

    /// fsync(2) and fdatasync(2): memory-backed files have nothing to write
    /// back; a file without the operation (a pipe, a tty, /dev/null) gives
    /// EINVAL, as Linux.
    fn fsync(&self, _file: &File) -> Result<()> {
        Err(Errno::EINVAL)
    }

    /// The size lseek's SEEK_END counts from, for files whose inode does not
    /// hold it (a block device's node says 0); None: the inode's size.
    fn size(&self) -> Option<u64> {
        None
    }

    /// ioctl(2): a driver's own commands (`arg` is often a user address,
    /// which the driver reaches itself); ENOTTY for those it does not know,
    /// as Linux answers.
    fn ioctl(&self, _file: &File, _cmd: u32, _arg: u64) -> Result<i64> {
        Err(Errno::ENOTTY)
    }
}

/// What poll reports for a file that never blocks.
pub const DEFAULT_POLLMASK: u32 = g::POLLIN | g::POLLOUT | g::POLLRDNORM | g::POLLWRNORM;

/// The file operations of regular files and directories: the inode's own read_at and
/// write_at (Linux's generic_file_read_iter and generic_file_write_iter).
pub struct InodeFileOps;

impl FileOps for InodeFileOps {
    fn fsync(&self, _file: &File) -> Result<()> {
        Ok(())
    }

    fn read(&self, file: &File, buf: &mut [u8], pos: &mut u64) -> Result<usize> {
        let inode = file.inode();
        if inode.is_dir() {
            return Err(Errno::EISDIR);
        }
        let n = inode.ops().read_at(inode, *pos, buf)?;
        *pos += n as u64;
        Ok(n)
    }

    fn write(&self, file: &File, buf: &[u8], pos: &mut u64) -> Result<usize> {
        let inode = file.inode();
        if inode.is_dir() {
            return Err(Errno::EISDIR);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        kill_suid(inode, &file.cred);
        let at = (file.flags() & g::O_APPEND == 0).then_some(*pos);
        let (n, end) = inode.ops().write_at(inode, at, buf)?;
        *pos = end;
        Ok(n)
    }
}

/// A write by someone without CAP_FSETID clears setuid, and setgid when group execute
/// is set (Linux's file_remove_privs).
pub fn kill_suid(inode: &Inode, cred: &Cred) {
    if capable(cred, Cap::Fsetid) {
        return;
    }
    let mut attr = inode.attr_mut();
    let mut kill = g::S_ISUID;
    if attr.mode & g::S_IXGRP != 0 {
        kill |= g::S_ISGID;
    }
    attr.mode &= !kill;
}

/// Access the open file grants (Linux's FMODE_READ, FMODE_WRITE, FMODE_PATH).
pub const FMODE_READ: u32 = 1;
pub const FMODE_WRITE: u32 = 2;
pub const FMODE_PATH: u32 = 4;

/// An open file description.
pub struct File {
    path: Path,
    inode: Arc<Inode>,
    flags: Mutex<u32>,
    fmode: u32,
    pos: Mutex<u64>,
    ops: Arc<dyn FileOps>,
    cred: Cred,
    /// A regular file opened for writing counts as a writer while it lives.
    pub(crate) write_access: Option<WriteAccess>,
}

impl File {
    /// An open file; `flags` are kept as F_GETFL shows them.
    pub fn new(path: Path, flags: u32, fmode: u32, ops: Arc<dyn FileOps>, cred: Cred) -> File {
        File {
            inode: path.inode(),
            path,
            flags: Mutex::new(flags),
            fmode,
            pos: Mutex::new(0),
            ops,
            cred,
            write_access: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn inode(&self) -> &Arc<Inode> {
        &self.inode
    }

    /// The credentials of the opener (Linux's f_cred).
    pub fn cred(&self) -> &Cred {
        &self.cred
    }

    /// The status flags and access mode, as F_GETFL returns them.
    pub fn flags(&self) -> u32 {
        *self.flags.lock()
    }

    /// F_SETFL: only O_APPEND, O_NONBLOCK, O_DIRECT, O_NOATIME and O_ASYNC change.
    pub fn set_flags(&self, flags: u32) {
        const SETTABLE: u32 = g::O_APPEND | g::O_NONBLOCK | g::O_DIRECT | g::O_NOATIME | g::FASYNC;
        let mut f = self.flags.lock();
        *f = (*f & !SETTABLE) | (flags & SETTABLE);
    }

    pub fn fmode(&self) -> u32 {
        self.fmode
    }

    pub fn ops(&self) -> &Arc<dyn FileOps> {
        &self.ops
    }

    /// The current offset.
    pub fn pos(&self) -> u64 {
        *self.pos.lock()
    }

    /// Locks the offset, as getdents64 does across a whole call (f_pos_lock).
    pub fn lock_pos(&self) -> spin::MutexGuard<'_, u64> {
        self.pos.lock()
    }

    fn check_read(&self) -> Result<()> {
        if self.fmode & FMODE_READ == 0 {
            return Err(Errno::EBADF);
        }
        Ok(())
    }

    fn check_write(&self) -> Result<()> {
        if self.fmode & FMODE_WRITE == 0 {
            return Err(Errno::EBADF);
        }
        Ok(())
    }

    /// read(2) at the file offset.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize> {
        self.check_read()?;
        let buf = cap(buf);
        if !self.ops.seekable() {
            return self.ops.read(self, buf, &mut 0);
        }
        let mut pos = self.pos.lock();
        verify_area(*pos, buf.len())?;
        self.ops.read(self, buf, &mut pos)
    }

    /// write(2) at the file offset, or at the end with O_APPEND.
    pub fn write(&self, buf: &[u8]) -> Result<usize> {
        self.check_write()?;
        let buf = &buf[..buf.len().min(MAX_RW_COUNT)];
        if !self.ops.seekable() {
            return self.ops.write(self, buf, &mut 0);
        }
        let mut pos = self.pos.lock();
        verify_area(*pos, buf.len())?;
        self.ops.write(self, buf, &mut pos)
    }

    /// pread64(2): at `offset`, leaving the file offset alone.
    pub fn pread(&self, buf: &mut [u8], offset: i64) -> Result<usize> {
        self.check_read()?;
        let mut pos = self.positional(offset)?;
        let buf = cap(buf);
        verify_area(pos, buf.len())?;
        self.ops.read(self, buf, &mut pos)
    }

    /// pwrite64(2): at `offset` (at the end with O_APPEND, as Linux does).
    pub fn pwrite(&self, buf: &[u8], offset: i64) -> Result<usize> {
        self.check_write()?;
        let mut pos = self.positional(offset)?;
        let buf = &buf[..buf.len().min(MAX_RW_COUNT)];
        verify_area(pos, buf.len())?;
        self.ops.write(self, buf, &mut pos)
    }

    fn positional(&self, offset: i64) -> Result<u64> {
        if !self.ops.seekable() {
            return Err(Errno::ESPIPE);
        }
        u64::try_from(offset).map_err(|_| Errno::EINVAL)
    }

    /// readv(2): fills the buffers in order, stopping at a short read; an error after
    /// some bytes were read returns those bytes.
    pub fn readv(&self, bufs: &mut [&mut [u8]]) -> Result<usize> {
        let mut total = 0;
        for buf in bufs.iter_mut() {
            match self.read(buf) {
                Ok(n) => {
                    total += n;
                    if n < buf.len() {
                        break;
                    }
                }
                Err(e) if total == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(total)
    }

    /// writev(2): writes the buffers in order, stopping at a short write.
    pub fn writev(&self, bufs: &[&[u8]]) -> Result<usize> {
        let mut total = 0;
        for buf in bufs {
            match self.write(buf) {
                Ok(n) => {
                    total += n;
                    if n < buf.len() {
                        break;
                    }
                }
                Err(e) if total == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(total)
    }

    /// lseek(2) (Linux's ksys_lseek and vfs_llseek): EINVAL for a `whence` past
    /// SEEK_MAX, then ESPIPE on a stream, then the file's own llseek.
    pub fn lseek(&self, offset: i64, whence: u32) -> Result<u64> {
        if whence > g::SEEK_MAX {
            return Err(Errno::EINVAL);
        }
        if !self.ops.seekable() {
            return Err(Errno::ESPIPE);
        }
        let mut pos = self.pos.lock();
        self.ops.llseek(self, &mut pos, offset, whence)
    }

    /// Linux's generic_file_llseek: SEEK_SET, SEEK_CUR, SEEK_END, and SEEK_DATA and
    /// SEEK_HOLE on a file without holes; EINVAL for a negative result.
    pub fn generic_llseek(&self, pos: &mut u64, offset: i64, whence: u32) -> Result<u64> {
        let size = self.ops.size().unwrap_or(self.inode.attr().size);
        let holes = self.inode.file_type() == FileType::Regular;
        seek_within(pos, offset, whence, size, i64::MAX as u64, holes)
    }

    /// Linux's fixed_size_llseek, for a device of `size` bytes (a block
    /// device): as generic_llseek, but no offset past the end (EINVAL).
    pub fn fixed_size_llseek(
        &self,
        pos: &mut u64,
        offset: i64,
        whence: u32,
        size: u64,
    ) -> Result<u64> {
        seek_within(pos, offset, whence, size, size, true)
    }
}

/// Linux's generic_file_llseek_size: the new offset for `whence`, from 0 to
/// `max` (EINVAL beyond), with SEEK_DATA and SEEK_HOLE where `holes` says
/// the file answers them (as one without holes).
fn seek_within(
    pos: &mut u64,
    offset: i64,
    whence: u32,
    size: u64,
    max: u64,
    holes: bool,
) -> Result<u64> {
    let size = size as i64;
    let new = match whence {
        g::SEEK_SET => Some(offset),
        g::SEEK_CUR => (*pos as i64).checked_add(offset),
        g::SEEK_END => size.checked_add(offset),
        g::SEEK_DATA | g::SEEK_HOLE if holes => {
            if offset < 0 {
                return Err(Errno::EINVAL);
            }
            if offset >= size {
                return Err(Errno::ENXIO);
            }
            Some(if whence == g::SEEK_DATA { offset } else { size })
        }
        _ => return Err(Errno::EINVAL),
    };
    let new = new
        .filter(|&n| n >= 0 && n as u64 <= max)
        .ok_or(Errno::EINVAL)?;
    *pos = new as u64;
    Ok(new as u64)
}

fn cap(buf: &mut [u8]) -> &mut [u8] {
    let n = buf.len().min(MAX_RW_COUNT);
    &mut buf[..n]
}

impl Drop for File {
    fn drop(&mut self) {
        let ops = self.ops.clone();
        ops.release(self);
    }
}

impl core::fmt::Debug for File {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "File({:?}, flags {:#o})", self.path, self.flags())
    }
}

/// A transfer of `count` bytes at `pos` must end within a file offset, a
/// signed 64-bit number: one that would pass it is EINVAL before anything
/// moves (Linux: rw_verify_area), rather than a short transfer.
fn verify_area(pos: u64, count: usize) -> Result<()> {
    let end = i64::try_from(pos)
        .ok()
        .and_then(|p| p.checked_add(i64::try_from(count).ok()?));
    end.map(|_| ()).ok_or(Errno::EINVAL)
}

#[cfg(test)]
#[path = "tests/file.rs"]
mod tests;
