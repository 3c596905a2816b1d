//! Filesystems whose contents the kernel makes when asked, as Linux's procfs, sysfs and
//! devtmpfs's generic parts (fs/proc/generic.c, fs/kernfs): a directory lists its entries
//! on demand, a file renders its text on every read (Linux's seq_file "show"), a symlink
//! its target. Lookups in such directories are not cached (procfs's d_revalidate turning
//! away a dead pid), so what a walk finds is always current.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;

use linux_raw_sys::general as g;

use crate::errno::{Errno, Result};
use crate::fs::{alloc_anon_dev, FileSystem, StatFs};
use crate::inode::{DirEntry, FileType, Inode, InodeAttr, InodeOps};
use crate::time::current_time;

/// Renders a file's text or a link's target.
pub type Render = Arc<dyn Fn() -> Result<Vec<u8>> + Send + Sync>;

/// Takes what a write brings to a file; the bytes taken.
pub type Store = Arc<dyn Fn(&[u8]) -> Result<usize> + Send + Sync>;

/// Decides whether the caller may open a file for the access asked (MAY_READ and
/// MAY_WRITE bits); an error fails open(2).
pub type OpenCheck = Arc<dyn Fn(u32) -> Result<()> + Send + Sync>;

/// The file a magic link stands for.
pub type Jump = Arc<dyn Fn() -> Result<crate::mount::Path> + Send + Sync>;

/// What an entry is.
#[derive(Clone)]
pub enum Node {
    Dir(Arc<dyn PseudoDir>),
    File(Render),
    /// A file that also takes writes (Linux's proc_pid_set_comm and the like).
    WritableFile(Render, Store),
    Link(Render),
    /// A link whose text is only shown: a walk goes straight to the file that
    /// `Jump` gives (Linux's /proc/PID/fd/N, cwd and root).
    MagicLink(Render, Jump),
}

/// One name in a pseudo directory, with its inode number, permission bits and owner.
#[derive(Clone)]
pub struct Entry {
    pub name: Vec<u8>,
    pub ino: u64,
    pub perm: u32,
    pub uid: u32,
    pub gid: u32,
    /// What stat reports as the size: 0, as procfs's files and links have,
    /// but 64 for the links of /proc/PID/fd (Linux: proc_fd_instantiate).
    pub size: u64,
    pub node: Node,
    /// Run at each open of a file, after its permission bits (Linux: the open
    /// operation of /proc/PID/maps, which asks ptrace_may_access).
    pub open: Option<OpenCheck>,
}

impl Entry {
    /// An entry owned by root.
    pub fn new(name: &[u8], ino: u64, perm: u32, node: Node) -> Entry {
        Entry {
            name: name.to_vec(),
            ino,
            perm,
            uid: 0,
            gid: 0,
            size: 0,
            node,
            open: None,
        }
    }

    /// A read-only file (0444) rendered by `f`.
    pub fn file(
        name: &[u8],
        ino: u64,
        f: impl Fn() -> Result<Vec<u8>> + Send + Sync + 'static,
    ) -> Entry {
        Entry::new(name, ino, 0o444, Node::File(Arc::new(f)))
    }

    fn file_type(&self) -> FileType {
        match self.node {
            Node::Dir(_) => FileType::Directory,
            Node::File(_) | Node::WritableFile(..) => FileType::Regular,
            Node::Link(_) | Node::MagicLink(..) => FileType::Symlink,
        }
    }
}

/// A directory whose entries are made when listed or looked up.
pub trait PseudoDir: Send + Sync {
    /// Every entry, in the order getdents shows them.
    fn entries(&self) -> Vec<Entry>;

    /// The entry `name`; by default the one of that name among [`PseudoDir::entries`].
    fn lookup(&self, name: &[u8]) -> Option<Entry> {
        self.entries().into_iter().find(|e| e.name == name)
    }

    /// Is a name not there ENOENT at once, even for a creation? procfs's
    /// lookups fail so (Linux: proc_root_lookup, proc_pid_lookup), where
    /// sysfs leaves a negative dentry and a creation in it is refused by the
    /// directory's missing operation (EACCES for open, EPERM for mkdir).
    fn missing_is_enoent(&self) -> bool {
        false
    }
}

/// A directory with a fixed list of entries.
pub struct StaticDir(pub Vec<Entry>);

impl PseudoDir for StaticDir {
    fn entries(&self) -> Vec<Entry> {
        self.0.clone()
    }
}

/// The inode of `entry` on the device `dev`; times are now, sizes 0 as in procfs.
pub fn make_inode(dev: u64, entry: Entry) -> Arc<Inode> {
    let now = current_time();
    let file_type = entry.file_type();
    let attr = InodeAttr {
        mode: file_type.mode_bits() | entry.perm,
        uid: entry.uid,
        gid: entry.gid,
        // A directory's ".." entries link to it: 2 and one per subdirectory.
        nlink: match &entry.node {
            Node::Dir(dir) => {
                let entries = dir.entries();
                let subdirs = entries.iter().filter(|e| matches!(e.node, Node::Dir(_)));
                2 + subdirs.count() as u32
            }
            _ => 1,
        },
        atime: now,
        mtime: now,
        ctime: now,
        size: entry.size,
        ..InodeAttr::default()
    };
    let open = entry.open;
    let ops: Box<dyn InodeOps> = match entry.node {
        Node::Dir(dir) => Box::new(DirOps { dev, dir }),
        Node::File(render) => Box::new(FileOps(render, None, open)),
        Node::WritableFile(render, store) => Box::new(FileOps(render, Some(store), open)),
        Node::Link(render) => Box::new(LinkOps(render, None)),
        Node::MagicLink(render, jump) => Box::new(LinkOps(render, Some(jump))),
    };
    Inode::new(entry.ino, dev, attr, ops)
}

struct DirOps {
    dev: u64,
    dir: Arc<dyn PseudoDir>,
}

impl InodeOps for DirOps {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn caches_lookups(&self) -> bool {
        false
    }

    fn lookup(&self, _dir: &Inode, name: &[u8]) -> Result<Option<Arc<Inode>>> {
        match self.dir.lookup(name) {
            Some(e) => Ok(Some(make_inode(self.dev, e))),
            None if self.dir.missing_is_enoent() => Err(Errno::ENOENT),
            None => Ok(None),
        }
    }

    fn iterate(
        &self,
        _dir: &Inode,
        pos: u64,
        emit: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<()> {
        // Positions 0 and 1 are "." and ".."; entry i is at position i + 2.
        let entries = self.dir.entries();
        let first = pos.saturating_sub(2) as usize;
        for (i, e) in entries.iter().enumerate().skip(first) {
            let p = i as u64 + 2;
            let entry = DirEntry {
                name: &e.name,
                ino: e.ino,
                file_type: e.file_type(),
                pos: p,
                next: p + 1,
            };
            if !emit(entry) {
                break;
            }
        }
        Ok(())
    }
}

struct FileOps(Render, Option<Store>, Option<OpenCheck>);

impl InodeOps for FileOps {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn open(&self, _inode: &Inode, mask: u32) -> Result<()> {
        self.2.as_ref().map_or(Ok(()), |check| check(mask))
    }

    fn read_at(&self, _inode: &Inode, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let text = (self.0)()?;
        let Ok(start) = usize::try_from(offset) else {
            return Ok(0);
        };
        if start >= text.len() {
            return Ok(0);
        }
        let n = buf.len().min(text.len() - start);
        buf[..n].copy_from_slice(&text[start..start + n]);
        Ok(n)
    }

    /// O_TRUNC and truncate(2) change nothing and succeed, as procfs's setattr lets a
    /// size change through (`echo x > /proc/PID/comm` opens with O_TRUNC).
    fn truncate(&self, _inode: &Inode, _size: u64) -> Result<()> {
        Ok(())
    }

    /// The store takes the bytes whatever the offset. A file without one: EINVAL, as
    /// Linux's vfs_write answers when the open file cannot write (no FMODE_CAN_WRITE).
    fn write_at(&self, _inode: &Inode, at: Option<u64>, buf: &[u8]) -> Result<(usize, u64)> {
        let store = self.1.as_ref().ok_or(Errno::EINVAL)?;
        let n = store(buf)?;
        Ok((n, at.unwrap_or(0) + n as u64))
    }
}

struct LinkOps(Render, Option<Jump>);

impl InodeOps for LinkOps {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn readlink(&self, _inode: &Inode) -> Result<Vec<u8>> {
        (self.0)()
    }

    fn jump(&self, _inode: &Inode) -> Option<Result<crate::mount::Path>> {
        self.1.as_ref().map(|jump| jump())
    }
}

/// One instance of a pseudo filesystem.
pub struct PseudoFs {
    name: &'static str,
    magic: u64,
    dev: u64,
    root: Arc<Inode>,
}

impl PseudoFs {
    /// A filesystem named `name` (as /proc/mounts shows it) whose root directory is
    /// `root`, with mode `perm` and inode number `root_ino`.
    pub fn new(
        name: &'static str,
        magic: u32,
        root_ino: u64,
        perm: u32,
        root: Arc<dyn PseudoDir>,
    ) -> Arc<PseudoFs> {
        let dev = alloc_anon_dev();
        let root = make_inode(dev, Entry::new(b"/", root_ino, perm, Node::Dir(root)));
        Arc::new(PseudoFs {
            name,
            magic: u64::from(magic),
            dev,
            root,
        })
    }
}

impl FileSystem for PseudoFs {
    fn name(&self) -> &'static str {
        self.name
    }

    fn root(&self) -> Arc<Inode> {
        self.root.clone()
    }

    fn dev(&self) -> u64 {
        self.dev
    }

    fn statfs(&self) -> StatFs {
        StatFs {
            magic: self.magic,
            block_size: 4096,
            name_max: 255,
            ..StatFs::default()
        }
    }
}

/// The magic numbers statfs reports (linux/magic.h).
pub const PROC_SUPER_MAGIC: u32 = g::PROC_SUPER_MAGIC;
pub const SYSFS_MAGIC: u32 = g::SYSFS_MAGIC;

#[cfg(test)]
#[path = "tests/pseudo.rs"]
mod tests;
