//! Mounts (Linux's struct mount and fs/namespace.c): each mount puts a filesystem's root
//! on a directory of its parent mount; a [`Path`] is a (mount, dentry) pair as Linux's
//! struct path. The namespace owns the tree, lists it for /proc/mounts, and refuses to
//! unmount what is still in use (EBUSY).

use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use spin::Mutex;

use crate::dentry::Dentry;
use crate::errno::{Errno, Result};
use crate::fs::FileSystem;
use crate::inode::Inode;

/// One mounted filesystem.
pub struct Mount {
    id: u32,
    fs: Arc<dyn FileSystem>,
    root: Arc<Dentry>,
    source: Vec<u8>,
    /// The per-mount flags of mount(2) (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, ...),
    /// as /proc/mounts shows them.
    flags: AtomicU32,
    /// The parent mount and the dentry this mount covers; `None` for the root mount.
    parent: Option<(Weak<Mount>, Arc<Dentry>)>,
    children: Mutex<Vec<Arc<Mount>>>,
}

impl Mount {
    /// The mount id (/proc/self/mountinfo, statx's stx_mnt_id).
    pub fn id(&self) -> u32 {
        self.id
    }

    pub fn fs(&self) -> &Arc<dyn FileSystem> {
        &self.fs
    }

    pub fn root(&self) -> &Arc<Dentry> {
        &self.root
    }

    /// The device name given to mount(2) ("none", "proc", "/dev/ram0").
    pub fn source(&self) -> &[u8] {
        &self.source
    }

    /// The mount flags (MS_* bits of mount(2)).
    pub fn flags(&self) -> u32 {
        self.flags.load(Ordering::Relaxed)
    }

    /// Changes the mount flags (a remount).
    pub fn set_flags(&self, flags: u32) {
        self.flags.store(flags, Ordering::Relaxed);
    }

    /// The parent mount and the mountpoint dentry in it.
    pub fn parent(&self) -> Option<(Arc<Mount>, Arc<Dentry>)> {
        let (mnt, dentry) = self.parent.as_ref()?;
        Some((mnt.upgrade()?, dentry.clone()))
    }

    /// The mount sitting on `dentry` of this mount, if any (lookup_mnt).
    pub fn child_on(&self, dentry: &Arc<Dentry>) -> Option<Arc<Mount>> {
        let children = self.children.lock();
        // The last mount on a dentry hides the earlier ones.
        children
            .iter()
            .rev()
            .find(|m| {
                m.parent
                    .as_ref()
                    .is_some_and(|(_, mp)| Arc::ptr_eq(mp, dentry))
            })
            .cloned()
    }
}

/// A place in the tree of mounts: a mount and a dentry of its filesystem.
#[derive(Clone)]
pub struct Path {
    pub mnt: Arc<Mount>,
    pub dentry: Arc<Dentry>,
}

impl Path {
    /// The inode; paths handed out by the walk are positive.
    pub fn inode(&self) -> Arc<Inode> {
        self.dentry
            .inode()
            .expect("vfs: a resolved path has an inode")
    }

    /// Whether both refer to the same dentry of the same mount.
    pub fn same(&self, other: &Path) -> bool {
        Arc::ptr_eq(&self.mnt, &other.mnt) && Arc::ptr_eq(&self.dentry, &other.dentry)
    }

    /// EROFS when the mount is read-only (mnt_want_write).
    pub fn want_write(&self) -> Result<()> {
        if self.mnt.flags() & linux_raw_sys::general::MS_RDONLY != 0 {
            return Err(Errno::EROFS);
        }
        Ok(())
    }

    /// Whether the dentry is the root of its mount.
    pub fn is_mount_root(&self) -> bool {
        Arc::ptr_eq(&self.dentry, &self.mnt.root)
    }

    /// Goes down through every mount stacked on this place (traverse_mounts).
    pub fn follow_mounts(mut self) -> Path {
        while self.dentry.is_mountpoint() {
            match self.mnt.child_on(&self.dentry) {
                Some(m) => {
                    self.dentry = m.root.clone();
                    self.mnt = m;
                }
                None => break,
            }
        }
        self
    }
}

impl core::fmt::Debug for Path {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Path(mnt {}, {:?})", self.mnt.id, self.dentry)
    }
}

/// The tree of mounts of the system (Linux's mount namespace).
pub struct MountNamespace {
    root: Arc<Mount>,
    next_id: AtomicU32,
}

impl MountNamespace {
    /// A namespace whose root mount is `fs` (Linux's rootfs).
    pub fn new(fs: Arc<dyn FileSystem>, source: &[u8]) -> MountNamespace {
        let root = Arc::new(Mount {
            id: 1,
            root: Dentry::new_root(fs.root()),
            fs,
            source: source.to_vec(),
            flags: AtomicU32::new(0),
            parent: None,
            children: Mutex::new(Vec::new()),
        });
        MountNamespace {
            root,
            next_id: AtomicU32::new(2),
        }
    }

    /// The root of the namespace.
    pub fn root(&self) -> Path {
        Path {
            mnt: self.root.clone(),
            dentry: self.root.root.clone(),
        }
    }

    /// Mounts `fs` on the directory `at` (do_new_mount); the new mount hides what was
    /// there, including earlier mounts on the same place.
    pub fn mount(&self, at: &Path, fs: Arc<dyn FileSystem>, source: &[u8]) -> Result<Arc<Mount>> {
        self.mount_with_flags(at, fs, source, 0)
    }

    /// [`MountNamespace::mount`] with mount flags (MS_RDONLY, MS_NOSUID, ...).
    pub fn mount_with_flags(
        &self,
        at: &Path,
        fs: Arc<dyn FileSystem>,
        source: &[u8],
        flags: u32,
    ) -> Result<Arc<Mount>> {
        let inode = at.dentry.inode().ok_or(Errno::ENOENT)?;
        if !inode.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        if at.dentry.is_unlinked() {
            return Err(Errno::ENOENT);
        }
        let root = Dentry::new_root(fs.root());
        Ok(self.attach(at, root, fs, source.to_vec(), flags))
    }

    /// Mounts what `source` shows on `at` (MS_BIND, do_loopback): the same filesystem,
    /// rooted at `source`'s dentry, with its own flags. The two must both be
    /// directories or both not (ENOTDIR); mounts below `source` are not copied.
    pub fn bind(&self, at: &Path, source: &Path, flags: u32) -> Result<Arc<Mount>> {
        let (target, from) = (at.inode(), source.inode());
        if target.is_dir() != from.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        if at.dentry.is_unlinked() || source.dentry.is_unlinked() {
            return Err(Errno::ENOENT);
        }
        let (root, fs) = (source.dentry.clone(), source.mnt.fs.clone());
        Ok(self.attach(at, root, fs, source.mnt.source.clone(), flags))
    }

    /// A new mount of `fs`, seen from `root`, on `at`'s dentry.
    fn attach(
        &self,
        at: &Path,
        root: Arc<Dentry>,
        fs: Arc<dyn FileSystem>,
        source: Vec<u8>,
        flags: u32,
    ) -> Arc<Mount> {
        let mnt = Arc::new(Mount {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            root,
            fs,
            source,
            flags: AtomicU32::new(flags),
            parent: Some((Arc::downgrade(&at.mnt), at.dentry.clone())),
            children: Mutex::new(Vec::new()),
        });
        at.dentry.add_mount();
        at.mnt.children.lock().push(mnt.clone());
        mnt
    }

    /// Unmounts the mount whose root is `at` (umount2 without flags): EINVAL if `at` is
    /// not a mount's root or is the root mount, EBUSY for a mount with mounts on it, or
    /// one that a path other than `at` still uses (a cwd, an open file).
    pub fn umount(&self, at: Path) -> Result<()> {
        self.umount_flags(at, false)
    }

    /// umount2: with `detach` (MNT_DETACH) the mount leaves the tree even while files
    /// and working directories still use it; they keep it alive until they let go.
    pub fn umount_flags(&self, at: Path, detach: bool) -> Result<()> {
        if !at.is_mount_root() {
            return Err(Errno::EINVAL);
        }
        // The namespace's first mount is locked, as Linux's init_mount_tree
        // makes rootfs (MNT_LOCKED): EINVAL, even with MNT_DETACH.
        let Some((parent, mountpoint)) = at.mnt.parent() else {
            return Err(Errno::EINVAL);
        };
        let mut siblings = parent.children.lock();
        // References: the parent's list, `at`, and nothing else.
        let in_use = Arc::strong_count(&at.mnt) > 2 && !detach;
        if !at.mnt.children.lock().is_empty() || in_use {
            return Err(Errno::EBUSY);
        }
        siblings.retain(|m| !Arc::ptr_eq(m, &at.mnt));
        drop(siblings);
        mountpoint.remove_mount();
        at.mnt.root.prune();
        Ok(())
    }

    /// Every mount, in the order they were made (/proc/mounts).
    pub fn mounts(&self) -> Vec<Arc<Mount>> {
        let mut out = Vec::new();
        let mut stack = alloc::vec![self.root.clone()];
        while let Some(m) = stack.pop() {
            stack.extend(m.children.lock().iter().cloned());
            out.push(m);
        }
        out.sort_by_key(|m| m.id);
        out
    }
}

#[cfg(test)]
#[path = "tests/mount.rs"]
mod tests;
