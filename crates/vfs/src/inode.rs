//! The inode (Linux's struct inode): the attributes every filesystem shares (mode, owner,
//! link count, size, times, device number) held by the VFS, and the filesystem's
//! operations behind [`InodeOps`], which gathers Linux's inode_operations and the
//! inode-level half of file_operations (read_iter, write_iter, iterate_shared).

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::AtomicI32;

use linux_raw_sys::general as g;
use spin::{Mutex, MutexGuard, Once};

use crate::errno::{Errno, Result};
use crate::time::Timespec;

/// The type bits of a mode (S_IFMT) as a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    Regular,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
}

impl FileType {
    /// The type of a full `st_mode`, `None` when its S_IFMT bits name no type.
    pub fn from_mode(mode: u32) -> Option<FileType> {
        Some(match mode & g::S_IFMT {
            g::S_IFREG => FileType::Regular,
            g::S_IFDIR => FileType::Directory,
            g::S_IFLNK => FileType::Symlink,
            g::S_IFCHR => FileType::CharDevice,
            g::S_IFBLK => FileType::BlockDevice,
            g::S_IFIFO => FileType::Fifo,
            g::S_IFSOCK => FileType::Socket,
            _ => return None,
        })
    }

    /// The S_IFMT bits of this type.
    pub fn mode_bits(self) -> u32 {
        match self {
            FileType::Regular => g::S_IFREG,
            FileType::Directory => g::S_IFDIR,
            FileType::Symlink => g::S_IFLNK,
            FileType::CharDevice => g::S_IFCHR,
            FileType::BlockDevice => g::S_IFBLK,
            FileType::Fifo => g::S_IFIFO,
            FileType::Socket => g::S_IFSOCK,
        }
    }

    /// The `d_type` of a linux_dirent64 record (DT_REG, DT_DIR, ...).
    pub fn dirent_type(self) -> u8 {
        (self.mode_bits() >> 12) as u8
    }
}

/// Linux's encoding of a device number in `st_rdev` (glibc's makedev, new_encode_dev).
pub const fn makedev(major: u32, minor: u32) -> u64 {
    let (major, minor) = (major as u64, minor as u64);
    ((major & 0xffff_f000) << 32)
        | ((major & 0xfff) << 8)
        | ((minor & 0xffff_ff00) << 12)
        | (minor & 0xff)
}

/// The major number of an encoded device number.
pub const fn major(dev: u64) -> u32 {
    (((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff)) as u32
}

/// The minor number of an encoded device number.
pub const fn minor(dev: u64) -> u32 {
    (((dev >> 12) & 0xffff_ff00) | (dev & 0xff)) as u32
}

/// The attributes of an inode that `stat` shows. `mode` holds the type bits and the
/// permission bits with setuid, setgid and sticky; `rdev` is encoded with [`makedev`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InodeAttr {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u32,
    pub size: u64,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
    pub rdev: u64,
    /// Space used, in 512-byte units.
    pub blocks: u64,
}

impl InodeAttr {
    /// The type from the mode's S_IFMT bits.
    pub fn file_type(&self) -> FileType {
        FileType::from_mode(self.mode).expect("vfs: inode mode names a file type")
    }
}

/// What a directory operation needs to make a new inode: type and permission bits
/// (the umask already applied), owner, and the device number for device nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewInode {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
}

/// One entry a directory's `iterate` hands out: its own position and the position after
/// it (the `d_off` that resumes just past it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirEntry<'a> {
    pub name: &'a [u8],
    pub ino: u64,
    pub file_type: FileType,
    pub pos: u64,
    pub next: u64,
}

/// A filesystem's operations on one inode (Linux's inode_operations with read, write and
/// iterate from file_operations). A missing operation keeps its default, which fails
/// as Linux does when the pointer is NULL. The VFS has already checked permissions,
/// types and names, and holds the directory lock of `dir` for the directory operations
/// (Linux's i_rwsem), and of both directories for `rename`.
#[allow(unused_variables)]
pub trait InodeOps: Send + Sync + Any {
    /// `self` as `Any`, so a filesystem can find its own data behind another inode.
    fn as_any(&self) -> &dyn Any;

    /// Whether the dentry cache may keep what `lookup` answers in this directory; false
    /// where names come and go behind the VFS's back (procfs's pid directories).
    fn caches_lookups(&self) -> bool {
        true
    }

    /// The inode named `name` in the directory, `None` if there is none.
    fn lookup(&self, dir: &Inode, name: &[u8]) -> Result<Option<Arc<Inode>>> {
        Err(Errno::ENOTDIR)
    }

    /// A new regular file. A directory that cannot hold one refuses with
    /// EACCES, as Linux's lookup_open does without ->create.
    fn create(&self, dir: &Inode, name: &[u8], new: NewInode) -> Result<Arc<Inode>> {
        Err(Errno::EACCES)
    }

    /// A new directory.
    fn mkdir(&self, dir: &Inode, name: &[u8], new: NewInode) -> Result<Arc<Inode>> {
        Err(Errno::EPERM)
    }

    /// A new device node, FIFO or socket.
    fn mknod(&self, dir: &Inode, name: &[u8], new: NewInode) -> Result<Arc<Inode>> {
        Err(Errno::EPERM)
    }

    /// A new symbolic link to `target`; `new.mode` is S_IFLNK | 0777.
    fn symlink(
        &self,
        dir: &Inode,
        name: &[u8],
        target: &[u8],
        new: NewInode,
    ) -> Result<Arc<Inode>> {
        Err(Errno::EPERM)
    }

    /// A new name for an existing non-directory inode of the same filesystem.
    fn link(&self, dir: &Inode, name: &[u8], inode: &Arc<Inode>) -> Result<()> {
        Err(Errno::EPERM)
    }

    /// Removes a non-directory's name.
    fn unlink(&self, dir: &Inode, name: &[u8]) -> Result<()> {
        Err(Errno::EPERM)
    }

    /// Removes an empty directory (ENOTEMPTY otherwise).
    fn rmdir(&self, dir: &Inode, name: &[u8]) -> Result<()> {
        Err(Errno::EPERM)
    }

    /// Moves `old_name` of `dir` to `new_name` of `new_dir` (same filesystem), replacing
    /// what is there; `flags` may hold RENAME_EXCHANGE, already checked by the VFS.
    fn rename(
        &self,
        dir: &Inode,
        old_name: &[u8],
        new_dir: &Inode,
        new_name: &[u8],
        flags: u32,
    ) -> Result<()> {
        Err(Errno::EPERM)
    }

    /// A check of an open of this file for the access in `mask` (MAY_READ, MAY_WRITE),
    /// after its permission bits passed (the part of Linux's f_op->open that may refuse,
    /// as procfs's maps and environ do).
    fn open(&self, inode: &Inode, mask: u32) -> Result<()> {
        Ok(())
    }

    /// A symlink's target.
    fn readlink(&self, inode: &Inode) -> Result<Vec<u8>> {
        Err(Errno::EINVAL)
    }

    /// For a magic link, the file it stands for, which a path walk reaches without
    /// reading the link's text (Linux's proc_get_link and nd_jump_link): an open of
    /// /proc/PID/fd/N gets the very pipe or deleted file of that descriptor.
    fn jump(&self, inode: &Inode) -> Option<Result<crate::mount::Path>> {
        None
    }

    /// Changes the size of a regular file (the ATTR_SIZE part of setattr).
    fn truncate(&self, inode: &Inode, size: u64) -> Result<()> {
        Err(Errno::EINVAL)
    }

    /// Reads at `offset`; 0 at or past the end.
    fn read_at(&self, inode: &Inode, offset: u64, buf: &mut [u8]) -> Result<usize> {
        Err(Errno::EINVAL)
    }

    /// Writes at `offset`, or at the end when `offset` is `None` (O_APPEND, atomic with
    /// respect to other writers); returns the bytes written and the offset after them.
    fn write_at(&self, inode: &Inode, offset: Option<u64>, buf: &[u8]) -> Result<(usize, u64)> {
        Err(Errno::EINVAL)
    }

    /// Calls `emit` for each entry at or after position `pos` (never "." and "..", which
    /// the VFS emits at positions 0 and 1), in position order, until it returns false.
    fn iterate(
        &self,
        dir: &Inode,
        pos: u64,
        emit: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<()> {
        Err(Errno::ENOTDIR)
    }
}

/// An inode: number, device of its filesystem, attributes and operations.
pub struct Inode {
    ino: u64,
    dev: u64,
    attr: Mutex<InodeAttr>,
    /// Serialises changes to a directory's names (Linux's i_rwsem).
    dir_lock: Mutex<()>,
    /// Open files that may write it, or (negative) address spaces that run it
    /// (Linux's i_writecount; see write_access.rs).
    pub(crate) writecount: AtomicI32,
    ops: Box<dyn InodeOps>,
    /// Where the kernel attaches what it routes this inode to: a FIFO's pipe (Linux's
    /// i_pipe) or a device's driver state (i_cdev).
    pub special: Once<Arc<dyn Any + Send + Sync>>,
}

impl Inode {
    pub fn new(ino: u64, dev: u64, attr: InodeAttr, ops: Box<dyn InodeOps>) -> Arc<Inode> {
        Arc::new(Inode {
            ino,
            dev,
            attr: Mutex::new(attr),
            dir_lock: Mutex::new(()),
            writecount: AtomicI32::new(0),
            ops,
            special: Once::new(),
        })
    }

    pub fn ino(&self) -> u64 {
        self.ino
    }

    /// The device of the filesystem holding the inode (`st_dev`).
    pub fn dev(&self) -> u64 {
        self.dev
    }

    pub fn ops(&self) -> &dyn InodeOps {
        &*self.ops
    }

    /// A copy of the attributes.
    pub fn attr(&self) -> InodeAttr {
        *self.attr.lock()
    }

    /// The attributes, locked: a leaf lock, never held while calling other code.
    pub fn attr_mut(&self) -> MutexGuard<'_, InodeAttr> {
        self.attr.lock()
    }

    pub fn file_type(&self) -> FileType {
        self.attr().file_type()
    }

    pub fn is_dir(&self) -> bool {
        self.file_type() == FileType::Directory
    }

    /// Takes the directory lock (i_rwsem); see the crate docs for the lock order.
    pub fn lock_dir(&self) -> MutexGuard<'_, ()> {
        self.dir_lock.lock()
    }
}

impl core::fmt::Debug for Inode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Inode({}:{} {:o})", self.dev, self.ino, self.attr().mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_encode_as_glibc_makedev() {
        assert_eq!(makedev(1, 3), 0x103);
        assert_eq!(makedev(5, 1), 0x501);
        assert_eq!(makedev(4, 64), 0x440);
        let dev = makedev(0x12345, 0x6789a);
        assert_eq!((major(dev), minor(dev)), (0x12345, 0x6789a));
    }

    #[test]
    fn file_types_round_trip_through_the_mode() {
        for t in [
            FileType::Regular,
            FileType::Directory,
            FileType::Symlink,
            FileType::CharDevice,
            FileType::BlockDevice,
            FileType::Fifo,
            FileType::Socket,
        ] {
            assert_eq!(FileType::from_mode(t.mode_bits() | 0o644), Some(t));
        }
        assert_eq!(FileType::from_mode(0o644), None);
        assert_eq!(FileType::Directory.dirent_type(), g::DT_DIR as u8);
        assert_eq!(FileType::Symlink.dirent_type(), g::DT_LNK as u8);
        assert_eq!(FileType::CharDevice.dirent_type(), g::DT_CHR as u8);
    }

    struct NoOps;
    impl InodeOps for NoOps {
        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    #[test]
    fn missing_operations_fail_as_linux_null_pointers() {
        let attr = InodeAttr {
            mode: g::S_IFREG | 0o644,
            nlink: 1,
            ..InodeAttr::default()
        };
        let inode = Inode::new(7, 1, attr, Box::new(NoOps));
        let ops = inode.ops();
        assert_eq!(ops.lookup(&inode, b"x").err(), Some(Errno::ENOTDIR));
        assert_eq!(ops.readlink(&inode).err(), Some(Errno::EINVAL));
        let new = NewInode {
            mode: 0,
            uid: 0,
            gid: 0,
            rdev: 0,
        };
        assert_eq!(ops.mkdir(&inode, b"x", new).err(), Some(Errno::EPERM));
        assert_eq!((inode.ino(), inode.dev()), (7, 1));
        assert!(!inode.is_dir());
    }
}
