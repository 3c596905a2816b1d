//! ramfs and tmpfs: a filesystem kept entirely in memory, as Linux's fs/ramfs (and
//! mm/shmem.c without swap). Directories are name maps in insertion order, files are
//! sparse page maps, symlinks hold their target, device nodes and FIFOs only attributes.
//! Each tmpfs instance has its own limits of pages and inodes (`size=`, `nr_inodes=`,
//! half of memory by default) that statfs reports and a remount changes.

mod dir;
mod file;
mod limits;
mod options;

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

use linux_raw_sys::general as g;
use spin::Mutex;

use crate::errno::{Errno, Result};
use crate::fs::{alloc_anon_dev, FileSystem, StatFs};
use crate::inode::{FileType, Inode, InodeAttr, InodeOps, NewInode};
use crate::time::current_time;

pub use dir::RamDir;
pub use file::{pages_used, set_memory_pages, RamFile, RamSpecial, RamSymlink, PAGE_SIZE};
pub use limits::{default_max_blocks, default_max_inodes, total_pages};

use limits::{Counter, InodeCharge};
pub use options::{memparse, parse_tmpfs_options, ParamError, TmpfsOptions};

/// What the inodes of one instance share: its device and inode numbers.
pub(crate) struct RamSb {
    dev: u64,
    next_ino: AtomicU64,
    /// What each name adds to its directory's size: tmpfs counts
    /// BOGO_DIRENT_SIZE (20) per entry, "." and ".." included, so that
    /// `ls -l` shows a directory's size growing; ramfs keeps 0.
    pub(crate) dirent_size: u64,
    /// The pages of its files and its inodes, with their limits.
    pages: Arc<Counter>,
    inodes: Arc<Counter>,
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

    /// The operations for a new inode of type `ft`; ENOSPC past the inode limit.
    pub(crate) fn ops_for(
        self: &Arc<Self>,
        ft: FileType,
        target: &[u8],
    ) -> Result<Box<dyn InodeOps>> {
        let charge = InodeCharge::new(&self.inodes).ok_or(Errno::ENOSPC)?;
        Ok(match ft {
            FileType::Directory => Box::new(RamDir::new(self.clone(), charge)),
            FileType::Regular => Box::new(RamFile::new(self.pages.clone(), charge)),
            FileType::Symlink => Box::new(RamSymlink::new(target, charge)),
            _ => Box::new(RamSpecial::new(charge)),
        })
    }
}

/// What a tmpfs keeps of its options to show them (shmem_sb_info).
struct Shown {
    mode: u32,
    uid: u32,
    gid: u32,
    inode64: bool,
    huge: Option<&'static str>,
    mpol: Option<String>,
    noswap: bool,
}

/// One ramfs or tmpfs instance.
pub struct RamFs {
    name: &'static str,
    magic: u32,
    sb: Arc<RamSb>,
    root: Arc<Inode>,
    /// tmpfs and devtmpfs have limits and options; ramfs has none.
    shmem: Option<Mutex<Shown>>,
    /// rootfs and devtmpfs show their limits even when they are the defaults: Linux
    /// makes them before boot memory is freed, so they differ from the defaults
    /// computed when /proc/mounts is read.
    limits_shown: bool,
}

impl RamFs {
    /// A ramfs whose root directory has mode 0755 and owner root, as Linux mounts it.
    pub fn new_ramfs() -> Arc<RamFs> {
        let sb = RamSb::new(0, 0, 0);
        RamFs::new("ramfs", g::RAMFS_MAGIC, sb, 0o755, None, false)
    }

    /// A tmpfs with the default options: half of memory, root mode 1777.
    pub fn new_tmpfs() -> Arc<RamFs> {
        RamFs::new_tmpfs_with(&TmpfsOptions::default())
    }

    /// A tmpfs made with the options of its mount (shmem_fill_super).
    pub fn new_tmpfs_with(opts: &TmpfsOptions) -> Arc<RamFs> {
        RamFs::new_shmem("tmpfs", opts, 0o1777, false)
    }

    /// The tmpfs the initramfs is unpacked into ("rootfs" in /proc/mounts).
    pub fn new_rootfs() -> Arc<RamFs> {
        RamFs::new_shmem("tmpfs", &TmpfsOptions::default(), 0o1777, true)
    }

    /// devtmpfs: a tmpfs mounted with mode=0755 (Linux's devtmpfs on shmem).
    pub fn new_devtmpfs() -> Arc<RamFs> {
        RamFs::new_shmem("devtmpfs", &TmpfsOptions::default(), 0o755, true)
    }

    fn new_shmem(
        name: &'static str,
        opts: &TmpfsOptions,
        mode: u32,
        limits_shown: bool,
    ) -> Arc<RamFs> {
        let blocks = opts.blocks.unwrap_or_else(default_max_blocks);
        let inodes = opts.inodes.unwrap_or_else(default_max_inodes);
        let sb = RamSb::new(BOGO_DIRENT_SIZE, blocks, inodes);
        let shown = Shown {
            mode: opts.mode.unwrap_or(mode),
            uid: opts.uid.unwrap_or(0),
            gid: opts.gid.unwrap_or(0),
            inode64: opts.inode64.unwrap_or(true),
            huge: opts.huge.filter(|&h| h != "never"),
            mpol: opts.mpol.clone(),
            noswap: opts.noswap,
        };
        RamFs::new(name, g::TMPFS_MAGIC, sb, mode, Some(shown), limits_shown)
    }

    fn new(
        name: &'static str,
        magic: u32,
        sb: Arc<RamSb>,
        mode: u32,
        shown: Option<Shown>,
        limits_shown: bool,
    ) -> Arc<RamFs> {
        let (mode, uid, gid) = shown
            .as_ref()
            .map_or((mode, 0, 0), |s| (s.mode, s.uid, s.gid));
        let new = NewInode {
            mode: g::S_IFDIR | mode,
            uid,
            gid,
            rdev: 0,
        };
        let ops = sb
            .ops_for(FileType::Directory, b"")
            .expect("a new instance has room for its root inode");
        let root = sb.new_inode(new, ops);
        Arc::new(RamFs {
            name,
            magic,
            sb,
            root,
            shmem: shown.map(Mutex::new),
            limits_shown,
        })
    }
}

impl RamSb {
    fn new(dirent_size: u64, max_pages: u64, max_inodes: u64) -> Arc<RamSb> {
        Arc::new(RamSb {
            dev: alloc_anon_dev(),
            next_ino: AtomicU64::new(1),
            dirent_size,
            pages: Counter::new(max_pages),
            inodes: Counter::new(max_inodes),
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
        // ramfs has no limits and reports zero blocks and files, as Linux's
        // simple_statfs; a tmpfs its limits and what is left (shmem_statfs), zero
        // where it has none.
        let mut s = StatFs {
            magic: u64::from(self.magic),
            block_size: PAGE_SIZE as u64,
            name_max: 255,
            ..StatFs::default()
        };
        if self.shmem.is_some() {
            s.blocks = self.sb.pages.max();
            s.blocks_free = self.sb.pages.free();
            s.blocks_avail = s.blocks_free;
            s.files = self.sb.inodes.max();
            s.files_free = self.sb.inodes.free();
        }
        s
    }

    fn show_options(&self) -> String {
        let Some(shown) = &self.shmem else {
            return String::new();
        };
        let shown = shown.lock();
        let mut out = String::new();
        let (blocks, inodes) = (self.sb.pages.max(), self.sb.inodes.max());
        if self.limits_shown || blocks != default_max_blocks() {
            out += &format!(",size={}k", blocks * (PAGE_SIZE as u64 / 1024));
        }
        if self.limits_shown || inodes != default_max_inodes() {
            out += &format!(",nr_inodes={inodes}");
        }
        if shown.mode != 0o1777 {
            out += &format!(",mode={:03o}", shown.mode);
        }
        if shown.uid != 0 {
            out += &format!(",uid={}", shown.uid);
        }
        if shown.gid != 0 {
            out += &format!(",gid={}", shown.gid);
        }
        // Debian's kernel has CONFIG_TMPFS_INODE64, so the choice always shows.
        out += if shown.inode64 {
            ",inode64"
        } else {
            ",inode32"
        };
        if let Some(huge) = shown.huge {
            out += &format!(",huge={huge}");
        }
        if let Some(mpol) = &shown.mpol {
            out += &format!(",mpol={mpol}");
        }
        if shown.noswap {
            out += ",noswap";
        }
        out.split_off(1)
    }

    /// A remount's options (shmem_reconfigure): the limits may change but not fall
    /// below what is in use; mode, uid and gid are kept.
    fn reconfigure(&self, data: &[u8]) -> core::result::Result<(), ParamError> {
        let Some(shown) = &self.shmem else {
            return Ok(());
        };
        let opts = parse_tmpfs_options(data, total_pages())?;
        let mut shown = shown.lock();
        let fail = |why| Err(ParamError::Reconfigure(why));
        if let Some(blocks) = opts.blocks.filter(|&b| b != 0) {
            if self.sb.pages.max() == 0 {
                return fail("Cannot retroactively limit size");
            }
            if self.sb.pages.used() > blocks {
                return fail("Too small a size for current use");
            }
        }
        if let Some(inodes) = opts.inodes.filter(|&n| n != 0) {
            if self.sb.inodes.max() == 0 {
                return fail("Cannot retroactively limit inodes");
            }
            if self.sb.inodes.used() > inodes {
                return fail("Too few inodes for current use");
            }
        }
        if opts.inode64 == Some(false) && self.sb.next_ino.load(Ordering::Relaxed) > 1 << 32 {
            return fail("Current inum too high to switch to 32-bit inums");
        }
        if opts.noswap && !shown.noswap {
            return fail("Cannot disable swap on remount");
        }

        if let Some(blocks) = opts.blocks {
            self.sb.pages.set_max(blocks);
        }
        if let Some(inodes) = opts.inodes {
            self.sb.inodes.set_max(inodes);
        }
        if let Some(inode64) = opts.inode64 {
            shown.inode64 = inode64;
        }
        if let Some(huge) = opts.huge {
            shown.huge = (huge != "never").then_some(huge);
        }
        if opts.mpol.is_some() {
            shown.mpol = opts.mpol;
        }
        Ok(())
    }
}
#[cfg(test)]
mod tests;
