//! The per-process file descriptor table (Linux's struct files_struct and fs/file.c):
//! the lowest free descriptor, close-on-exec flags, dup, dup2, dup3, the fcntl
//! descriptor commands, the RLIMIT_NOFILE limit (EMFILE), the execve sweep and fork's copy.
//! The kernel shares one table between threads (CLONE_FILES) behind its own lock.

use alloc::sync::Arc;
use alloc::vec::Vec;

use linux_raw_sys::general as g;

use crate::errno::{Errno, Result};
use crate::file::File;

/// Linux's default RLIMIT_NOFILE soft limit.
pub const DEFAULT_NOFILE: usize = 1024;

#[derive(Clone)]
struct Slot {
    file: Arc<File>,
    cloexec: bool,
}

/// A file descriptor table; cloning it is fork's copy (the files are shared).
#[derive(Clone)]
pub struct FdTable {
    slots: Vec<Option<Slot>>,
    limit: usize,
}

impl Default for FdTable {
    fn default() -> Self {
        FdTable::new(DEFAULT_NOFILE)
    }
}

impl FdTable {
    /// An empty table whose descriptors stay below `limit` (RLIMIT_NOFILE).
    pub fn new(limit: usize) -> FdTable {
        FdTable {
            slots: Vec::new(),
            limit,
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Changes the limit; descriptors already at or above it stay open, as in Linux.
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    fn slot(&self, fd: i32) -> Result<&Slot> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        self.slots
            .get(i)
            .and_then(Option::as_ref)
            .ok_or(Errno::EBADF)
    }

    /// The open file behind `fd` (fget).
    pub fn get(&self, fd: i32) -> Result<Arc<File>> {
        Ok(self.slot(fd)?.file.clone())
    }

    /// Whether `fd` is close-on-exec.
    pub fn cloexec(&self, fd: i32) -> Result<bool> {
        Ok(self.slot(fd)?.cloexec)
    }

    /// The lowest free descriptor at or above `min` (alloc_fd); EMFILE at the limit.
    fn lowest_free(&self, min: usize) -> Result<usize> {
        let free = (min..self.slots.len())
            .find(|&i| self.slots[i].is_none())
            .unwrap_or(self.slots.len().max(min));
        if free >= self.limit {
            return Err(Errno::EMFILE);
        }
        Ok(free)
    }

    /// Puts `file` at `fd`, returning what was there.
    fn put(&mut self, fd: usize, file: Arc<File>, cloexec: bool) -> Option<Arc<File>> {
        if fd >= self.slots.len() {
            self.slots.resize(fd + 1, None);
        }
        let old = self.slots[fd].replace(Slot { file, cloexec });
        old.map(|s| s.file)
    }

    /// Installs `file` at the lowest free descriptor (open, socket, pipe).
    pub fn alloc(&mut self, file: Arc<File>, cloexec: bool) -> Result<i32> {
        self.alloc_from(0, file, cloexec)
    }

    /// Installs `file` at the lowest free descriptor not below `min` (F_DUPFD).
    pub fn alloc_from(&mut self, min: usize, file: Arc<File>, cloexec: bool) -> Result<i32> {
        let fd = self.lowest_free(min)?;
        self.put(fd, file, cloexec);
        Ok(fd as i32)
    }

    /// close(2): the file is returned so the caller drops it outside its lock.
    pub fn close(&mut self, fd: i32) -> Result<Arc<File>> {
        self.slot(fd)?;
        let slot = self.slots[fd as usize]
            .take()
            .expect("vfs: slot checked above");
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        Ok(slot.file)
    }

    /// dup(2): the lowest free descriptor, without close-on-exec.
    pub fn dup(&mut self, fd: i32) -> Result<i32> {
        let file = self.get(fd)?;
        self.alloc(file, false)
    }

    /// dup2(2): `new` refers to `old`'s file (closing what it held); the same
    /// descriptor twice returns it unchanged. Returns the descriptor and the replaced file.
    pub fn dup2(&mut self, old: i32, new: i32) -> Result<(i32, Option<Arc<File>>)> {
        let file = self.get(old)?;
        if old == new {
            return Ok((new, None));
        }
        self.install_at(new, file, false)
    }

    /// dup3(2): as dup2, but the same descriptor twice is EINVAL and `flags` may only
    /// hold O_CLOEXEC.
    pub fn dup3(&mut self, old: i32, new: i32, flags: u32) -> Result<(i32, Option<Arc<File>>)> {
        if flags & !g::O_CLOEXEC != 0 || old == new {
            return Err(Errno::EINVAL);
        }
        let file = self.get(old)?;
        self.install_at(new, file, flags & g::O_CLOEXEC != 0)
    }

    fn install_at(
        &mut self,
        fd: i32,
        file: Arc<File>,
        cloexec: bool,
    ) -> Result<(i32, Option<Arc<File>>)> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        if i >= self.limit {
            return Err(Errno::EBADF);
        }
        Ok((fd, self.put(i, file, cloexec)))
    }

    /// The descriptor commands of fcntl(2): F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD,
    /// F_GETFL, F_SETFL. Others are EINVAL here (locks and leases come later).
    pub fn fcntl(&mut self, fd: i32, cmd: u32, arg: u64) -> Result<i64> {
        let file = self.get(fd)?;
        match cmd {
            g::F_DUPFD | g::F_DUPFD_CLOEXEC => {
                let min = usize::try_from(arg).map_err(|_| Errno::EINVAL)?;
                if min >= self.limit {
                    return Err(Errno::EINVAL);
                }
                let new = self.alloc_from(min, file, cmd == g::F_DUPFD_CLOEXEC)?;
                Ok(i64::from(new))
            }
            g::F_GETFD => Ok(i64::from(self.cloexec(fd)?)),
            g::F_SETFD => {
                let slot = self.slots[fd as usize]
                    .as_mut()
                    .expect("vfs: slot checked above");
                slot.cloexec = arg & u64::from(g::FD_CLOEXEC) != 0;
                Ok(0)
            }
            g::F_GETFL => Ok(i64::from(file.flags())),
            g::F_SETFL => {
                file.set_flags(arg as u32);
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// Closes every close-on-exec descriptor (execve's do_close_on_exec); the files are
    /// returned to be dropped outside the caller's lock.
    pub fn close_on_exec(&mut self) -> Vec<Arc<File>> {
        let mut closed = Vec::new();
        for slot in self.slots.iter_mut() {
            if slot.as_ref().is_some_and(|s| s.cloexec) {
                closed.push(slot.take().expect("vfs: slot is some").file);
            }
        }
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        closed
    }

    /// The open descriptors in order (/proc/<pid>/fd).
    pub fn iter(&self) -> impl Iterator<Item = (i32, &Arc<File>)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i as i32, &s.file)))
    }
}

#[cfg(test)]
#[path = "tests/fdtable.rs"]
mod tests;
