//! ramfs and tmpfs: a filesystem kept entirely in memory, as Linux's fs/ramfs (and
//! mm/shmem.c without swap). Directories are name maps in insertion order, files are
//! sparse page maps, symlinks hold their target, device nodes and FIFOs only attributes.

mod dir;
mod file;
mod options;

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

use linux_raw_sys::general as g;

use crate::fs::{alloc_anon_dev, FileSystem, StatFs};
use crate::inode::{FileType, Inode, InodeAttr, InodeOps, NewInode};
use crate::time::current_time;

pub use dir::RamDir;
pub use file::{set_page_limit, RamFile, RamSpecial, RamSymlink, PAGE_SIZE};
pub use options::{memparse, parse_tmpfs_options, ParamError, TmpfsOptions};

/// What the inodes of one instance share: its device and inode numbers.
pub(crate) struct RamSb {
    dev: u64,
    next_ino: AtomicU64,
    /// What each name adds to its directory's size: tmpfs counts
    /// BOGO_DIRENT_SIZE (20) per entry, "." and ".." included, so that
    /// `ls -l` shows a directory's size growing; ramfs keeps 0.
    pub(crate) dirent_size: u64,
}

/// Linux's mm/shmem.c BOGO_DIRENT_SIZE.
const BOGO_DIRENT_SIZE: u64 = 20;

impl RamSb {
    /// A new inode of this instance with the given attributes; times are now.
    pub(crate) fn new_inode(&self, new: NewInode, ops: Box<dyn InodeOps>) -> Arc<Inode> {
        let now = current_time();
        let is_dir = new.mode & g::S_IFMT == g::S_IFDIR;
        let attr = InodeAttr {
            mode: new.mode,
            uid: new.uid,
            gid: new.gid,
            nlink: if is_dir { 2 } else { 1 },
            size: if is_dir { 2 * self.dirent_size } else { 0 },
            rdev: new.rdev,
            atime: now,
            mtime: now,
            ctime: now,
            ..InodeAttr::default()
        };
        let ino = self.next_ino.fetch_add(1, Ordering::Relaxed);
        Inode::new(ino, self.dev, attr, ops)
    }

    /// The operations for a new inode of type `ft`.
    pub(crate) fn ops_for(self: &Arc<Self>, ft: FileType, target: &[u8]) -> Box<dyn InodeOps> {
        match ft {
            FileType::Directory => Box::new(RamDir::new(self.clone())),
            FileType::Regular => Box::new(RamFile::new()),
            FileType::Symlink => Box::new(RamSymlink::new(target)),
            _ => Box::new(RamSpecial),
        }
    }
}

/// One ramfs or tmpfs instance.
pub struct RamFs {
    name: &'static str,
    magic: u32,
    sb: Arc<RamSb>,
    root: Arc<Inode>,
}

impl RamFs {
    /// A ramfs whose root directory has mode 0755 and owner root, as Linux mounts it.
    pub fn new_ramfs() -> Arc<RamFs> {
        RamFs::new("ramfs", g::RAMFS_MAGIC, 0o755, 0)
    }

    /// A tmpfs; its root directory has mode 1777, as Linux's default for tmpfs.
    pub fn new_tmpfs() -> Arc<RamFs> {
        RamFs::new("tmpfs", g::TMPFS_MAGIC, 0o1777, BOGO_DIRENT_SIZE)
    }

    /// devtmpfs: a tmpfs whose root has mode 0755 (Linux's devtmpfs on shmem).
    pub fn new_devtmpfs() -> Arc<RamFs> {
        RamFs::new("devtmpfs", g::TMPFS_MAGIC, 0o755, BOGO_DIRENT_SIZE)
    }

    fn new(name: &'static str, magic: u32, root_perm: u32, dirent_size: u64) -> Arc<RamFs> {
        let sb = Arc::new(RamSb {
            dev: alloc_anon_dev(),
            next_ino: AtomicU64::new(1),
            dirent_size,
        });
        let new = NewInode {
            mode: g::S_IFDIR | root_perm,
            uid: 0,
            gid: 0,
            rdev: 0,
        };
        let root = sb.new_inode(new, sb.ops_for(FileType::Directory, b""));
        Arc::new(RamFs {
            name,
            magic,
            sb,
            root,
        })
    }
}

impl FileSystem for RamFs {
    fn name(&self) -> &'static str {
        self.name
    }

    fn root(&self) -> Arc<Inode> {
        self.root.clone()
    }

    fn dev(&self) -> u64 {
        self.sb.dev
    }

    fn statfs(&self) -> StatFs {
        // ramfs has no limits and reports zero blocks and files, as Linux's simple_statfs.
        StatFs {
            magic: u64::from(self.magic),
            block_size: PAGE_SIZE as u64,
            name_max: 255,
            ..StatFs::default()
        }
    }
}

#[cfg(test)]
mod tests;
