//! A ramfs directory: names kept in insertion order, each at a stable position that
//! getdents64 resumes from (the role of Linux's dcache_readdir cursor), and the
//! directory operations of Linux's fs/libfs.c (simple_link, simple_unlink, simple_rename).

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;

use linux_raw_sys::general as g;
use spin::{Mutex, MutexGuard};

use super::limits::InodeCharge;
use super::RamSb;
use crate::errno::{Errno, Result};
use crate::inode::{DirEntry, FileType, Inode, InodeOps, NewInode};
use crate::time::current_time;

/// The entries of a directory. Positions start at 2, after "." and "..".
#[derive(Default)]
struct Entries {
    by_name: BTreeMap<Vec<u8>, u64>,
    by_pos: BTreeMap<u64, (Vec<u8>, Arc<Inode>)>,
    next_pos: u64,
}

impl Entries {
    fn get(&self, name: &[u8]) -> Option<&Arc<Inode>> {
        let pos = self.by_name.get(name)?;
        Some(&self.by_pos[pos].1)
    }

    fn insert(&mut self, name: &[u8], inode: Arc<Inode>) {
        let pos = self.next_pos.max(2);
        self.next_pos = pos + 1;
        self.by_name.insert(name.to_vec(), pos);
        self.by_pos.insert(pos, (name.to_vec(), inode));
    }

    fn remove(&mut self, name: &[u8]) -> Option<Arc<Inode>> {
        let pos = self.by_name.remove(name)?;
        self.by_pos.remove(&pos).map(|(_, inode)| inode)
    }

    /// Puts `inode` under an existing name, keeping its position; returns the old inode.
    fn replace(&mut self, name: &[u8], inode: Arc<Inode>) -> Option<Arc<Inode>> {
        let pos = self.by_name.get(name)?;
        let slot = self.by_pos.get_mut(pos)?;
        Some(core::mem::replace(&mut slot.1, inode))
    }
}

/// The operations and entries of one ramfs directory.
pub struct RamDir {
    sb: Arc<RamSb>,
    entries: Mutex<Entries>,
    _inode: InodeCharge,
}

impl RamDir {
    pub(crate) fn new(sb: Arc<RamSb>, inode: InodeCharge) -> RamDir {
        RamDir {
            sb,
            entries: Mutex::new(Entries::default()),
            _inode: inode,
        }
    }

    /// Number of entries, without "." and "..".
    pub fn len(&self) -> usize {
        self.entries.lock().by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn of(inode: &Inode) -> Result<&RamDir> {
        inode
            .ops()
            .as_any()
            .downcast_ref::<RamDir>()
            .ok_or(Errno::EXDEV)
    }

    /// Adds a new inode of the type in `new.mode` under `name`.
    fn add(&self, dir: &Inode, name: &[u8], new: NewInode, target: &[u8]) -> Result<Arc<Inode>> {
        let ft = FileType::from_mode(new.mode).ok_or(Errno::EINVAL)?;
        let mut entries = self.entries.lock();
        if entries.get(name).is_some() {
            return Err(Errno::EEXIST);
        }
        let inode = self.sb.new_inode(new, self.sb.ops_for(ft, target)?);
        if ft == FileType::Symlink {
            inode.attr_mut().size = target.len() as u64;
        }
        entries.insert(name, inode.clone());
        drop(entries);

        touch_dir(
            dir,
            i32::from(ft == FileType::Directory),
            1,
            self.sb.dirent_size,
        );
        Ok(inode)
    }
}

/// Stamps a directory whose names changed, adjusts its link count by `nlink_delta`
/// (a subdirectory's ".." links to it) and its size by `names` entries of
/// `dirent_size` bytes (tmpfs's BOGO_DIRENT_SIZE).
fn touch_dir(dir: &Inode, nlink_delta: i32, names: i64, dirent_size: u64) {
    let now = current_time();
    let mut attr = dir.attr_mut();
    attr.nlink = attr.nlink.wrapping_add_signed(nlink_delta);
    attr.size = attr
        .size
        .wrapping_add_signed(names.wrapping_mul(dirent_size as i64));
    attr.mtime = now;
    attr.ctime = now;
}

/// Drops one link of an inode losing a name; a directory loses both of its own.
fn drop_link(inode: &Inode) {
    let mut attr = inode.attr_mut();
    attr.ctime = current_time();
    attr.nlink = if attr.mode & g::S_IFMT == g::S_IFDIR {
        0
    } else {
        attr.nlink.saturating_sub(1)
    };
}

/// Checks that a directory about to be removed or replaced is empty.
fn check_empty(inode: &Inode) -> Result<()> {
    match RamDir::of(inode) {
        Ok(d) if !d.is_empty() => Err(Errno::ENOTEMPTY),
        _ => Ok(()),
    }
}

impl InodeOps for RamDir {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn lookup(&self, _dir: &Inode, name: &[u8]) -> Result<Option<Arc<Inode>>> {
        Ok(self.entries.lock().get(name).cloned())
    }

    fn create(&self, dir: &Inode, name: &[u8], new: NewInode) -> Result<Arc<Inode>> {
        self.add(dir, name, new, b"")
    }

    fn mkdir(&self, dir: &Inode, name: &[u8], new: NewInode) -> Result<Arc<Inode>> {
        self.add(dir, name, new, b"")
    }

    fn mknod(&self, dir: &Inode, name: &[u8], new: NewInode) -> Result<Arc<Inode>> {
        self.add(dir, name, new, b"")
    }

    fn symlink(
        &self,
        dir: &Inode,
        name: &[u8],
        target: &[u8],
        new: NewInode,
    ) -> Result<Arc<Inode>> {
        self.add(dir, name, new, target)
    }

    fn link(&self, dir: &Inode, name: &[u8], inode: &Arc<Inode>) -> Result<()> {
        let mut entries = self.entries.lock();
        if entries.get(name).is_some() {
            return Err(Errno::EEXIST);
        }
        entries.insert(name, inode.clone());
        drop(entries);

        let mut attr = inode.attr_mut();
        attr.nlink += 1;
        attr.ctime = current_time();
        drop(attr);
        touch_dir(dir, 0, 1, self.sb.dirent_size);
        Ok(())
    }

    fn unlink(&self, dir: &Inode, name: &[u8]) -> Result<()> {
        let inode = self.entries.lock().remove(name).ok_or(Errno::ENOENT)?;
        drop_link(&inode);
        touch_dir(dir, 0, -1, self.sb.dirent_size);
        Ok(())
    }

    fn rmdir(&self, dir: &Inode, name: &[u8]) -> Result<()> {
        let mut entries = self.entries.lock();
        let victim = entries.get(name).ok_or(Errno::ENOENT)?.clone();
        if !victim.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        check_empty(&victim)?;
        entries.remove(name);
        drop(entries);

        drop_link(&victim);
        touch_dir(dir, -1, -1, self.sb.dirent_size);
        Ok(())
    }

    fn rename(
        &self,
        dir: &Inode,
        old_name: &[u8],
        new_dir: &Inode,
        new_name: &[u8],
        flags: u32,
    ) -> Result<()> {
        let target = RamDir::of(new_dir)?;
        let same = core::ptr::eq(self, target);
        // Two directories are locked in address order; the VFS serialises cross-directory
        // renames (its rename lock), so no other thread holds both in the other order.
        let (mut old_map, mut new_map): (MutexGuard<'_, Entries>, Option<MutexGuard<'_, _>>) =
            if same {
                (self.entries.lock(), None)
            } else if (self as *const RamDir) < (target as *const RamDir) {
                let a = self.entries.lock();
                (a, Some(target.entries.lock()))
            } else {
                let b = target.entries.lock();
                (self.entries.lock(), Some(b))
            };
        // The map of the new directory: the old one's when both are the same.
        macro_rules! new_map {
            () => {
                match new_map.as_deref_mut() {
                    Some(m) => m,
                    None => &mut *old_map,
                }
            };
        }

        let moved = old_map.get(old_name).ok_or(Errno::ENOENT)?.clone();
        let existing = new_map!().get(new_name).cloned();
        let moved_is_dir = moved.is_dir();
        let now = current_time();
        let size = self.sb.dirent_size;

        if flags & g::RENAME_EXCHANGE != 0 {
            let other = existing.ok_or(Errno::ENOENT)?;
            new_map!().replace(new_name, moved.clone());
            old_map.replace(old_name, other.clone());
            drop((new_map, old_map));
            let d = i32::from(moved_is_dir) - i32::from(other.is_dir());
            let d = if same { 0 } else { d };
            touch_dir(new_dir, d, 0, size);
            touch_dir(dir, -d, 0, size);
            moved.attr_mut().ctime = now;
            other.attr_mut().ctime = now;
            return Ok(());
        }

        if let Some(victim) = &existing {
            if Arc::ptr_eq(victim, &moved) {
                return Ok(());
            }
            if victim.is_dir() {
                check_empty(victim)?;
            }
            new_map!().remove(new_name);
        }
        old_map.remove(old_name);
        new_map!().insert(new_name, moved.clone());
        drop((new_map, old_map));

        if let Some(victim) = existing {
            drop_link(&victim);
            touch_dir(new_dir, -i32::from(victim.is_dir()), -1, size);
        }
        moved.attr_mut().ctime = now;
        let d = i32::from(moved_is_dir && !same);
        touch_dir(dir, -d, -1, size);
        touch_dir(new_dir, d, 1, size);
        Ok(())
    }

    fn iterate(
        &self,
        _dir: &Inode,
        pos: u64,
        emit: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<()> {
        let entries = self.entries.lock();
        for (&p, (name, inode)) in entries.by_pos.range(pos..) {
            let entry = DirEntry {
                name,
                ino: inode.ino(),
                file_type: inode.file_type(),
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
