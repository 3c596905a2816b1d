//! Tests of the dentry cache: lookups through it, negative entries, unhash and move.

use linux_raw_sys::general as g;

use super::*;
use crate::fs::FileSystem;
use crate::inode::NewInode;
use crate::ramfs::RamFs;

fn mkfile(dir: &Dentry, name: &[u8]) -> Arc<Inode> {
    let inode = dir.inode().unwrap();
    let new = NewInode {
        mode: g::S_IFREG | 0o644,
        uid: 0,
        gid: 0,
        rdev: 0,
    };
    inode.ops().create(&inode, name, new).unwrap()
}

#[test]
fn lookups_are_cached_positive_and_negative() {
    let fs = RamFs::new_ramfs();
    let root = Dentry::new_root(fs.root());
    let f = mkfile(&root, b"f");
    let d = lookup_one(&root, b"f", false).unwrap();
    assert!(Arc::ptr_eq(&d.inode().unwrap(), &f));
    assert!(Arc::ptr_eq(&lookup_one(&root, b"f", false).unwrap(), &d));
    let neg = lookup_one(&root, b"nope", false).unwrap();
    assert!(neg.is_negative());
    assert!(Arc::ptr_eq(&root.cached(b"nope").unwrap(), &neg));
    assert!(Arc::ptr_eq(&d.parent(), &root));
    assert!(Arc::ptr_eq(&root.parent(), &root));
}

#[test]
fn unhash_marks_unlinked_and_leaves_the_cache() {
    let fs = RamFs::new_ramfs();
    let root = Dentry::new_root(fs.root());
    mkfile(&root, b"f");
    let d = lookup_one(&root, b"f", false).unwrap();
    d.unhash();
    assert!(d.is_unlinked());
    assert!(root.cached(b"f").is_none());
    assert!(!root.is_unlinked());
}

#[test]
fn d_move_renames_and_reparents() {
    let fs = RamFs::new_ramfs();
    let root = Dentry::new_root(fs.root());
    mkfile(&root, b"f");
    let inode = root.inode().unwrap();
    let new = NewInode {
        mode: g::S_IFDIR | 0o755,
        uid: 0,
        gid: 0,
        rdev: 0,
    };
    inode.ops().mkdir(&inode, b"d", new).unwrap();
    let f = lookup_one(&root, b"f", false).unwrap();
    let d = lookup_one(&root, b"d", false).unwrap();
    f.d_move(&d, b"g");
    assert_eq!(f.name(), b"g");
    assert!(Arc::ptr_eq(&f.parent(), &d));
    assert!(Arc::ptr_eq(&d.cached(b"g").unwrap(), &f));
    assert!(root.cached(b"f").is_none());
    assert!(root.is_ancestor_of(&f) && d.is_ancestor_of(&f) && !f.is_ancestor_of(&d));
}

#[test]
fn prune_drops_unused_entries_only() {
    let fs = RamFs::new_ramfs();
    let root = Dentry::new_root(fs.root());
    mkfile(&root, b"a");
    mkfile(&root, b"b");
    let a = lookup_one(&root, b"a", false).unwrap();
    lookup_one(&root, b"b", false).unwrap();
    root.prune();
    assert!(root.cached(b"b").is_none());
    assert!(Arc::ptr_eq(&root.cached(b"a").unwrap(), &a));
}
