//! Unpacking the initramfs into the root filesystem, as Linux's init/initramfs.c does:
//! each cpio entry made with its mode, owner, time and device number through the VFS,
//! an existing entry of another type cleaned away first, hard links matched by crates/
//! cpio's rule, directory times set last. A corrupt archive stops with an error naming
//! the entry; a name the filesystem refuses is skipped and reported, as Linux goes on.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use cpio::{Entry, Kind, LinkKey};
use linux_raw_sys::general as g;

use crate::cred::Cred;
use crate::errno::{Errno, Result};
use crate::inode::{makedev, FileType};
use crate::mount::Path;
use crate::namei::{resolve, Lookup};
use crate::time::Timespec;

/// What an unpack made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnpackStats {
    pub entries: usize,
    pub files: usize,
    pub dirs: usize,
    pub symlinks: usize,
    /// Device nodes, FIFOs and sockets.
    pub nodes: usize,
    /// Names made as hard links to an earlier entry.
    pub hard_links: usize,
    pub bytes: u64,
    /// Entries the filesystem refused, with the error (Linux goes on silently).
    pub skipped: Vec<(Vec<u8>, Errno)>,
}

/// Why an unpack stopped: the archive is corrupt at the entry named in the cpio error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnpackError<'a> {
    Archive(cpio::Error<'a>),
}

impl fmt::Display for UnpackError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnpackError::Archive(e) => write!(f, "initramfs: {e}"),
        }
    }
}

/// One unpack in progress (the state of Linux's do_name and its helpers).
struct Unpacker<'r> {
    root: &'r Path,
    cred: Cred,
    links: BTreeMap<(u32, u32, u32, u8), Vec<u8>>,
    archive: usize,
    dir_times: Vec<(Vec<u8>, u32)>,
    stats: UnpackStats,
}

/// Unpacks every archive in `archive` under `root`, as root with umask 0.
pub fn unpack_initramfs<'a>(
    root: &Path,
    archive: &'a [u8],
) -> core::result::Result<UnpackStats, UnpackError<'a>> {
    let mut u = Unpacker {
        root,
        cred: Cred::root(),
        links: BTreeMap::new(),
        archive: 0,
        dir_times: Vec::new(),
        stats: UnpackStats::default(),
    };
    for entry in cpio::entries(archive) {
        let entry = entry.map_err(UnpackError::Archive)?;
        let path = entry.normalized_path().map_err(UnpackError::Archive)?;
        if entry.archive() != u.archive {
            u.archive = entry.archive();
            u.links.clear();
        }
        u.stats.entries += 1;
        if let Err(e) = u.entry(&entry, path) {
            u.stats.skipped.push((entry.name().to_vec(), e));
        }
    }
    // Making entries inside a directory changed its time: set directory times last.
    for (path, mtime) in core::mem::take(&mut u.dir_times) {
        let _ = u.utime(&path, mtime);
    }
    Ok(u.stats)
}

fn kind_code(kind: Kind) -> u8 {
    kind as u8
}

impl Unpacker<'_> {
    fn lk(&self) -> Lookup<'_> {
        Lookup::new(self.root, self.root, &self.cred)
    }

    /// The name relative to the root, "." for the root itself.
    fn rel(path: &[u8]) -> &[u8] {
        if path.is_empty() {
            b"."
        } else {
            path
        }
    }

    fn entry(&mut self, e: &Entry<'_>, path: &[u8]) -> Result<()> {
        let path = Self::rel(path);
        self.clean_path(path, e.mode());
        match e.kind() {
            Kind::Directory => {
                match crate::create::mkdirat(self.lk(), path, e.permissions(), 0) {
                    Ok(_) | Err(Errno::EEXIST) => {}
                    Err(err) => return Err(err),
                }
                self.stats.dirs += 1;
                self.set_owner_mode(path, e)?;
                self.dir_times.push((path.to_vec(), e.mtime()));
                Ok(())
            }
            Kind::Regular => {
                let linked = self.maybe_link(e, path)?;
                let mut flags = g::O_WRONLY | g::O_CREAT;
                if !linked {
                    flags |= g::O_TRUNC;
                }
                let f = crate::open::open(self.lk(), path, flags, e.permissions(), 0, None)?;
                if !e.data().is_empty() {
                    f.pwrite(e.data(), 0)?;
                }
                if !linked {
                    self.stats.files += 1;
                }
                self.stats.bytes += e.data().len() as u64;
                self.set_owner_mode(path, e)?;
                self.utime(path, e.mtime())
            }
            Kind::Symlink => {
                self.clean_path(path, 0);
                let target = e.symlink_target().unwrap_or_default();
                crate::create::symlinkat(self.lk(), target, path)?;
                self.stats.symlinks += 1;
                let p = resolve(self.lk(), path, false)?;
                crate::attr::chown(&p, Some(e.uid()), Some(e.gid()), &self.cred)?;
                self.utime(path, e.mtime())
            }
            _ => {
                if self.maybe_link(e, path)? {
                    return Ok(());
                }
                let (major, minor) = e.rdev();
                crate::create::mknodat(self.lk(), path, e.mode(), makedev(major, minor), 0)?;
                self.stats.nodes += 1;
                self.set_owner_mode(path, e)?;
                self.utime(path, e.mtime())
            }
        }
    }

    /// Removes what is at `path` when its type differs from `mode`'s (Linux's
    /// clean_path; mode 0 removes anything). Failures are left to the creation after.
    fn clean_path(&self, path: &[u8], mode: u32) {
        let Ok(p) = resolve(self.lk(), path, false) else {
            return;
        };
        let old = p.inode().attr().mode;
        if (old ^ mode) & g::S_IFMT == 0 {
            return;
        }
        let _ = if FileType::from_mode(old) == Some(FileType::Directory) {
            crate::remove::rmdir(self.lk(), path)
        } else {
            crate::remove::unlink(self.lk(), path)
        };
    }

    /// Links `path` to the earlier entry of the same inode, if any (maybe_link); else
    /// remembers `path` for the later ones. True when linked.
    fn maybe_link(&mut self, e: &Entry<'_>, path: &[u8]) -> Result<bool> {
        let Some(LinkKey {
            dev_major,
            dev_minor,
            ino,
            kind,
        }) = e.link_key()
        else {
            return Ok(false);
        };
        let key = (dev_major, dev_minor, ino, kind_code(kind));
        let Some(first) = self.links.get(&key).cloned() else {
            self.links.insert(key, path.to_vec());
            return Ok(false);
        };
        self.clean_path(path, 0);
        crate::create::linkat(self.lk(), &first, self.lk(), path, 0)?;
        self.stats.hard_links += 1;
        Ok(true)
    }

    fn set_owner_mode(&self, path: &[u8], e: &Entry<'_>) -> Result<()> {
        let p = resolve(self.lk(), path, false)?;
        crate::attr::chown(&p, Some(e.uid()), Some(e.gid()), &self.cred)?;
        crate::attr::chmod(&p, e.permissions(), &self.cred)
    }

    /// Sets both access and modification times to `mtime`, as Linux's do_utime.
    fn utime(&self, path: &[u8], mtime: u32) -> Result<()> {
        let p = resolve(self.lk(), path, false)?;
        let t = Some(Timespec::new(i64::from(mtime), 0));
        crate::attr::set_times(&p, t, t, &self.cred)
    }
}

#[cfg(test)]
#[path = "tests/initramfs.rs"]
mod tests;
