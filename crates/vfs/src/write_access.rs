//! Writers against running programs (Linux: i_writecount with
//! get_write_access, put_write_access, exe_file_deny_write_access and
//! allow_write_access).
//!
//! One counter per inode: above zero, the open files that may write it;
//! below zero, the address spaces that run it. Each side excludes the
//! other: opening a running program for writing or truncating it is
//! ETXTBSY, and so is executing a file that is open for writing. The
//! guards give their count back when they are dropped.

use alloc::sync::Arc;
use core::sync::atomic::Ordering;

use crate::errno::{Errno, Result};
use crate::inode::Inode;

/// One more writer, unless the file runs somewhere (get_write_access).
pub fn get_write_access(inode: &Inode) -> Result<()> {
    inode
        .writecount
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n >= 0).then_some(n + 1)
        })
        .map(|_| ())
        .map_err(|_| Errno::ETXTBSY)
}

/// The writer `get_write_access` counted is gone (put_write_access).
pub fn put_write_access(inode: &Inode) {
    let old = inode.writecount.fetch_sub(1, Ordering::AcqRel);
    debug_assert!(old > 0, "vfs: a writer put back that was never counted");
}

/// The write access an open file holds for as long as it lives.
pub struct WriteAccess(Arc<Inode>);

impl WriteAccess {
    pub fn get(inode: &Arc<Inode>) -> Result<WriteAccess> {
        get_write_access(inode)?;
        Ok(WriteAccess(inode.clone()))
    }
}

impl Drop for WriteAccess {
    fn drop(&mut self) {
        put_write_access(&self.0);
    }
}

/// An address space running the file (Linux: mm->exe_file, which holds
/// the denial from execve until the address space goes). A copy, for a
/// forked child's address space, denies once more.
#[derive(Debug)]
pub struct DenyWrite(Arc<Inode>);

impl DenyWrite {
    /// Refuses the file's writers from now on; ETXTBSY if it has one.
    pub fn new(inode: &Arc<Inode>) -> Result<DenyWrite> {
        inode
            .writecount
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n <= 0).then_some(n - 1)
            })
            .map_err(|_| Errno::ETXTBSY)?;
        Ok(DenyWrite(inode.clone()))
    }

    pub fn inode(&self) -> &Arc<Inode> {
        &self.0
    }
}

impl Clone for DenyWrite {
    fn clone(&self) -> Self {
        // Already denied, so no writer can have come meanwhile.
        let old = self.0.writecount.fetch_sub(1, Ordering::AcqRel);
        debug_assert!(old < 0, "vfs: a denial copied that was not counted");
        DenyWrite(self.0.clone())
    }
}

impl Drop for DenyWrite {
    fn drop(&mut self) {
        self.0.writecount.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use linux_raw_sys::general as g;

    use super::*;
    use crate::testing::World;

    #[test]
    fn a_running_file_refuses_writers_and_a_written_one_refuses_to_run() {
        let w = World::new();
        let f = w.write_file("/prog", b"\x7fELF");
        let inode = f.inode().clone();
        assert_eq!(DenyWrite::new(&inode).err(), Some(Errno::ETXTBSY));
        drop(f);

        let run = DenyWrite::new(&inode).unwrap();
        for flags in [
            g::O_WRONLY,
            g::O_RDWR,
            g::O_RDONLY | g::O_TRUNC,
            g::O_WRONLY | g::O_APPEND | g::O_CREAT,
        ] {
            assert_eq!(w.open("/prog", flags, 0o644).err(), Some(Errno::ETXTBSY));
        }
        assert!(w.open("/prog", g::O_RDONLY, 0).is_ok());
        let path = w.resolve("/prog", true).unwrap();
        let truncated = crate::attr::truncate(&inode, 0, &w.cred, Some(&path));
        assert_eq!(truncated, Err(Errno::ETXTBSY));
        assert_eq!(inode.attr().size, 4);

        // A forked child's copy keeps the file busy after the parent's goes.
        let child = run.clone();
        drop(run);
        assert_eq!(w.open("/prog", g::O_WRONLY, 0).err(), Some(Errno::ETXTBSY));
        drop(child);
        let writer = w.open("/prog", g::O_WRONLY, 0).unwrap();
        assert!(w.open("/prog", g::O_RDWR, 0).is_ok());
        assert_eq!(DenyWrite::new(&inode).err(), Some(Errno::ETXTBSY));
        drop(writer);
        assert!(DenyWrite::new(&inode).is_ok());
        assert_eq!(inode.writecount.load(Ordering::Relaxed), 0);
    }
}
