//! getdents64(2) (Linux's fs/readdir.c and dir_emit_dots): linux_dirent64 records, 8-byte
//! aligned, "." and ".." first at positions 0 and 1, then the filesystem's entries;
//! the file offset resumes where the buffer filled up.

use crate::errno::{Errno, Result};
use crate::file::File;
use crate::inode::{DirEntry, FileType};

/// Size of a linux_dirent64 record without its name: d_ino, d_off, d_reclen, d_type.
pub const DIRENT64_HEADER: usize = 19;

/// The record length for a name: header, name, NUL, rounded up to 8 bytes.
pub fn dirent64_len(name_len: usize) -> usize {
    (DIRENT64_HEADER + name_len + 1).next_multiple_of(8)
}

/// Writes one record at the start of `out`; false if it does not fit.
fn put(out: &mut [u8], ino: u64, off: u64, ft: FileType, name: &[u8]) -> bool {
    let len = dirent64_len(name.len());
    let Some(rec) = out.get_mut(..len) else {
        return false;
    };
    rec[0..8].copy_from_slice(&ino.to_le_bytes());
    rec[8..16].copy_from_slice(&off.to_le_bytes());
    rec[16..18].copy_from_slice(&(len as u16).to_le_bytes());
    rec[18] = ft.dirent_type();
    rec[19..19 + name.len()].copy_from_slice(name);
    rec[19 + name.len()..].fill(0);
    true
}

/// getdents64(2): fills `buf` with records from the file offset on and returns the
/// bytes written (0 at the end). ENOTDIR for a non-directory, EINVAL when not even one
/// record fits, EBADF for an O_PATH file.
pub fn getdents64(file: &File, buf: &mut [u8]) -> Result<usize> {
    if file.fmode() & crate::file::FMODE_PATH != 0 {
        return Err(Errno::EBADF);
    }
    let inode = file.inode();
    if !inode.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    let mut pos = file.lock_pos();
    let mut used = 0;
    let mut full = false;

    let dentry = &file.path().dentry;
    if *pos == 0 {
        if !put(&mut buf[used..], inode.ino(), 1, FileType::Directory, b".") {
            return Err(Errno::EINVAL);
        }
        used += dirent64_len(1);
        *pos = 1;
    }
    if *pos == 1 {
        let parent = dentry.parent().inode().map_or(inode.ino(), |i| i.ino());
        if !put(&mut buf[used..], parent, 2, FileType::Directory, b"..") {
            full = true;
        } else {
            used += dirent64_len(2);
            *pos = 2;
        }
    }
    if !full && !dentry.is_unlinked() {
        inode.ops().iterate(inode, *pos, &mut |e: DirEntry<'_>| {
            if !put(&mut buf[used..], e.ino, e.next, e.file_type, e.name) {
                full = true;
                return false;
            }
            used += dirent64_len(e.name.len());
            *pos = e.next;
            true
        })?;
    }
    if used == 0 && full {
        return Err(Errno::EINVAL);
    }
    Ok(used)
}

#[cfg(test)]
#[path = "tests/readdir.rs"]
mod tests;
