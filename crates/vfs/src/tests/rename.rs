//! Tests of renameat2: moves, replacement, flags, loops, types and the dentry cache.

use super::*;
use crate::create::mkdirat;
use crate::cred::Cred;
use crate::testing::World;

fn mv(w: &World, a: &str, b: &str, flags: u32) -> Result<()> {
    renameat2(w.lk(), a.as_bytes(), w.lk(), b.as_bytes(), flags)
}

#[test]
fn rename_moves_across_directories_and_keeps_open_paths() {
    let w = World::new();
    w.mkdir("/a").unwrap();
    w.mkdir("/b").unwrap();
    w.mkdir("/a/sub").unwrap();
    let sub = w.resolve("/a/sub", true).unwrap();
    mv(&w, "/a/sub", "/b/moved", 0).unwrap();
    assert_eq!(w.resolve("/a/sub", true).err(), Some(Errno::ENOENT));
    assert_eq!(
        w.resolve("/b/moved", true).unwrap().inode().ino(),
        sub.inode().ino()
    );
    assert_eq!(sub.dentry.name(), b"moved");
    assert_eq!(w.resolve("/a", true).unwrap().inode().attr().nlink, 2);
    assert_eq!(w.resolve("/b", true).unwrap().inode().attr().nlink, 3);
    assert_eq!(
        w.resolve("/b/moved/..", true).unwrap().inode().ino(),
        w.resolve("/b", true).unwrap().inode().ino()
    );
}

#[test]
fn rename_replaces_and_noreplace_refuses() {
    let w = World::new();
    w.write_file("/f", b"new");
    let old = w.write_file("/g", b"old");
    assert_eq!(mv(&w, "/f", "/g", g::RENAME_NOREPLACE), Err(Errno::EEXIST));
    mv(&w, "/f", "/g", 0).unwrap();
    assert_eq!(w.read_file("/g").unwrap(), b"new");
    assert!(old.path().dentry.is_unlinked());
    assert_eq!(old.inode().attr().nlink, 0);
    assert_eq!(mv(&w, "/nope", "/x", 0), Err(Errno::ENOENT));
    assert_eq!(mv(&w, "/g", "/x", 8), Err(Errno::EINVAL));
    let both = g::RENAME_NOREPLACE | g::RENAME_EXCHANGE;
    assert_eq!(mv(&w, "/g", "/x", both), Err(Errno::EINVAL));
}

#[test]
fn rename_exchange_swaps_two_names() {
    let w = World::new();
    w.write_file("/f", b"F");
    w.mkdir("/d").unwrap();
    mv(&w, "/f", "/d", g::RENAME_EXCHANGE).unwrap();
    assert_eq!(w.read_file("/d").unwrap(), b"F");
    assert!(w.resolve("/f", true).unwrap().inode().is_dir());
    assert_eq!(
        mv(&w, "/f", "/none", g::RENAME_EXCHANGE),
        Err(Errno::ENOENT)
    );
}

#[test]
fn rename_checks_types_loops_and_dots() {
    let w = World::new();
    w.mkdir("/a").unwrap();
    w.mkdir("/a/b").unwrap();
    w.write_file("/f", b"");
    w.mkdir("/e").unwrap();
    w.mkdir("/full").unwrap();
    w.write_file("/full/x", b"");
    assert_eq!(mv(&w, "/a", "/a/b/c", 0), Err(Errno::EINVAL));
    assert_eq!(mv(&w, "/a/b", "/a", 0), Err(Errno::ENOTEMPTY));
    assert_eq!(mv(&w, "/e", "/f", 0), Err(Errno::ENOTDIR));
    assert_eq!(mv(&w, "/f", "/e", 0), Err(Errno::EISDIR));
    assert_eq!(mv(&w, "/e", "/full", 0), Err(Errno::ENOTEMPTY));
    assert_eq!(mv(&w, "/f/", "/g", 0), Err(Errno::ENOTDIR));
    assert_eq!(mv(&w, "/f", "/g/", 0), Err(Errno::ENOTDIR));
    assert_eq!(mv(&w, "/a/.", "/z", 0), Err(Errno::EBUSY));
    assert_eq!(
        mv(&w, "/f", "/a/..", g::RENAME_NOREPLACE),
        Err(Errno::EEXIST)
    );
    // An empty directory may replace another.
    mv(&w, "/e", "/a/b", 0).unwrap();
    mv(&w, "/a/b/", "/new/", 0).unwrap();
    // Renaming a name onto another link of the same inode does nothing.
    crate::create::linkat(w.lk(), b"/f", w.lk(), b"/f2", 0).unwrap();
    mv(&w, "/f", "/f2", 0).unwrap();
    assert!(w.resolve("/f", true).is_ok());
}

#[test]
fn rename_honours_the_sticky_bit_and_directory_write_permission() {
    let w = World::new();
    mkdirat(w.lk(), b"/tmp", 0o1777, 0).unwrap();
    let alice = w.as_user(Cred::user(1000, 1000, &[]));
    let bob = w.as_user(Cred::user(1001, 1001, &[]));
    alice.write_file("/tmp/a", b"");
    assert_eq!(mv(&bob, "/tmp/a", "/tmp/b", 0), Err(Errno::EPERM));
    mv(&alice, "/tmp/a", "/tmp/b", 0).unwrap();
    mkdirat(w.lk(), b"/tmp/rootdir", 0o755, 0).unwrap();
    mkdirat(alice.lk(), b"/tmp/mine", 0o755, 0).unwrap();
    let err = mv(
        &w.as_user(Cred::user(1000, 1000, &[])),
        "/tmp/rootdir",
        "/tmp/mine/x",
        0,
    );
    assert_eq!(err, Err(Errno::EPERM));
}
