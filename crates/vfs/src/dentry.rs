//! The dentry cache (Linux's fs/dcache.c): a tree of names over the inodes of each
//! filesystem, positive (with an inode) or negative (a name known to be absent). Path
//! walks go through it and fall back to the filesystem's `lookup` on a miss; unlink,
//! rmdir and rename keep it in step (d_delete, d_move).

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use spin::{Mutex, RwLock};

use crate::errno::{Errno, Result};
use crate::inode::Inode;

/// A name in a directory and the inode it stands for, if any.
pub struct Dentry {
    name: RwLock<Vec<u8>>,
    /// `None` only for the root dentry of a filesystem, which is its own parent.
    parent: RwLock<Option<Arc<Dentry>>>,
    inode: RwLock<Option<Arc<Inode>>>,
    /// Cached children by name. Strong references: the cache keeps the tree, and a
    /// removed name leaves it at once (unhashing), so no cycle outlives it.
    children: Mutex<BTreeMap<Vec<u8>, Arc<Dentry>>>,
    /// Removed from the tree by unlink, rmdir or a replacing rename (d_unhashed).
    unhashed: AtomicBool,
    /// How many mounts sit on this dentry (d_mountpoint).
    mounts: AtomicU32,
}

impl Dentry {
    /// The root dentry of a filesystem (d_make_root).
    pub fn new_root(inode: Arc<Inode>) -> Arc<Dentry> {
        Dentry::alloc(b"/", None, Some(inode))
    }

    fn alloc(name: &[u8], parent: Option<Arc<Dentry>>, inode: Option<Arc<Inode>>) -> Arc<Dentry> {
        Arc::new(Dentry {
            name: RwLock::new(name.to_vec()),
            parent: RwLock::new(parent),
            inode: RwLock::new(inode),
            children: Mutex::new(BTreeMap::new()),
            unhashed: AtomicBool::new(false),
            mounts: AtomicU32::new(0),
        })
    }

    pub fn name(&self) -> Vec<u8> {
        self.name.read().clone()
    }

    /// The parent; a filesystem's root is its own parent, as in Linux.
    pub fn parent(self: &Arc<Self>) -> Arc<Dentry> {
        self.parent.read().clone().unwrap_or_else(|| self.clone())
    }

    pub fn is_root(&self) -> bool {
        self.parent.read().is_none()
    }

    pub fn inode(&self) -> Option<Arc<Inode>> {
        self.inode.read().clone()
    }

    pub fn is_negative(&self) -> bool {
        self.inode.read().is_none()
    }

    /// Whether the name was removed (d_unlinked): getcwd then fails, d_path says so.
    pub fn is_unlinked(&self) -> bool {
        self.unhashed.load(Ordering::Acquire) && !self.is_root()
    }

    pub fn is_mountpoint(&self) -> bool {
        self.mounts.load(Ordering::Acquire) > 0
    }

    pub(crate) fn add_mount(&self) {
        self.mounts.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn remove_mount(&self) {
        self.mounts.fetch_sub(1, Ordering::AcqRel);
    }

    /// The cached child `name`, positive or negative (d_lookup).
    pub fn cached(&self, name: &[u8]) -> Option<Arc<Dentry>> {
        self.children.lock().get(name).cloned()
    }

    /// The cached children, for checks and for pruning.
    pub fn cached_children(&self) -> Vec<Arc<Dentry>> {
        self.children.lock().values().cloned().collect()
    }

    /// Makes a negative dentry positive once its inode exists (d_instantiate).
    pub(crate) fn instantiate(&self, inode: Arc<Inode>) {
        *self.inode.write() = Some(inode);
    }

    /// Takes the dentry out of its parent's cache and marks it removed (d_delete and
    /// __d_drop: a name still in use, as a cwd or an open file, keeps its inode).
    pub(crate) fn unhash(self: &Arc<Self>) {
        self.unhashed.store(true, Ordering::Release);
        if let Some(parent) = self.parent.read().clone() {
            let mut children = parent.children.lock();
            let name = self.name.read();
            if children.get(&*name).is_some_and(|d| Arc::ptr_eq(d, self)) {
                children.remove(&*name);
            }
        }
    }

    /// Moves the dentry to `name` under `new_parent` (d_move); the caller has unhashed
    /// whatever was cached there.
    pub(crate) fn d_move(self: &Arc<Self>, new_parent: &Arc<Dentry>, name: &[u8]) {
        self.unhash();
        *self.name.write() = name.to_vec();
        *self.parent.write() = Some(new_parent.clone());
        new_parent
            .children
            .lock()
            .insert(name.to_vec(), self.clone());
        self.unhashed.store(false, Ordering::Release);
    }

    /// Whether `self` is `other` or one of its ancestors (is_subdir, reversed).
    pub fn is_ancestor_of(self: &Arc<Self>, other: &Arc<Dentry>) -> bool {
        let mut cur = other.clone();
        loop {
            if Arc::ptr_eq(&cur, self) {
                return true;
            }
            let parent = cur.parent.read().clone();
            match parent {
                Some(p) => cur = p,
                None => return false,
            }
        }
    }

    /// Drops cached children nobody else uses, recursively (shrink_dcache_parent).
    pub fn prune(&self) {
        let mut children = self.children.lock();
        children.retain(|_, d| {
            d.prune();
            Arc::strong_count(d) > 1 || d.is_mountpoint() || !d.children.lock().is_empty()
        });
    }
}

/// The child `name` of the directory `dir`, through the cache, asking the filesystem on
/// a miss and caching the answer, positive or negative. The caller holds `dir`'s
/// directory lock when `locked`.
pub fn lookup_one(dir: &Arc<Dentry>, name: &[u8], locked: bool) -> Result<Arc<Dentry>> {
    if let Some(d) = dir.cached(name) {
        return Ok(d);
    }
    let inode = dir.inode().ok_or(Errno::ENOENT)?;
    let _guard = (!locked).then(|| inode.lock_dir());
    if let Some(d) = dir.cached(name) {
        return Ok(d);
    }
    if dir.is_unlinked() {
        return Err(Errno::ENOENT);
    }
    let found = inode.ops().lookup(&inode, name)?;
    let child = Dentry::alloc(name, Some(dir.clone()), found);
    if inode.ops().caches_lookups() {
        dir.children.lock().insert(name.to_vec(), child.clone());
    }
    Ok(child)
}

impl core::fmt::Debug for Dentry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = self.name();
        write!(
            f,
            "Dentry({:?}",
            alloc::string::String::from_utf8_lossy(&name)
        )?;
        match self.inode() {
            Some(inode) => write!(f, " {inode:?})"),
            None => f.write_str(" negative)"),
        }
    }
}

#[cfg(test)]
#[path = "tests/dentry.rs"]
mod tests;
