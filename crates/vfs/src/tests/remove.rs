//! Tests of unlinkat and rmdir: errors, the sticky bit, and the dentry cache.

use super::*;
use crate::create::{mkdirat, symlinkat};
use crate::cred::Cred;
use crate::testing::World;

#[test]
fn unlink_removes_names_but_not_directories() {
    let w = World::new();
    let f = w.write_file("/f", b"kept open");
    unlinkat(w.lk(), b"/f", 0).unwrap();
    assert_eq!(w.resolve("/f", true).err(), Some(Errno::ENOENT));
    assert_eq!(f.inode().attr().nlink, 0);
    assert!(f.path().dentry.is_unlinked());
    let mut buf = [0u8; 9];
    assert_eq!(f.pread(&mut buf, 0).unwrap(), 9);
    w.mkdir("/d").unwrap();
    assert_eq!(unlink(w.lk(), b"/d"), Err(Errno::EISDIR));
    assert_eq!(unlink(w.lk(), b"/"), Err(Errno::EISDIR));
    assert_eq!(unlink(w.lk(), b"/nope"), Err(Errno::ENOENT));
    w.write_file("/g", b"");
    assert_eq!(unlink(w.lk(), b"/g/"), Err(Errno::ENOTDIR));
    assert_eq!(unlink(w.lk(), b"/d/"), Err(Errno::EISDIR));
    assert_eq!(unlinkat(w.lk(), b"/g", 1), Err(Errno::EINVAL));
    symlinkat(w.lk(), b"/d", b"/l").unwrap();
    unlink(w.lk(), b"/l").unwrap();
    assert!(w.resolve("/d", true).is_ok());
}

#[test]
fn rmdir_follows_linux_error_rules() {
    let w = World::new();
    w.mkdir("/d").unwrap();
    w.write_file("/d/f", b"");
    assert_eq!(rmdir(w.lk(), b"/d"), Err(Errno::ENOTEMPTY));
    assert_eq!(rmdir(w.lk(), b"/d/f"), Err(Errno::ENOTDIR));
    assert_eq!(rmdir(w.lk(), b"/d/."), Err(Errno::EINVAL));
    assert_eq!(rmdir(w.lk(), b"/d/.."), Err(Errno::ENOTEMPTY));
    assert_eq!(rmdir(w.lk(), b"/"), Err(Errno::EBUSY));
    unlink(w.lk(), b"/d/f").unwrap();
    let d = w.resolve("/d", true).unwrap();
    unlinkat(w.lk(), b"/d/", g::AT_REMOVEDIR).unwrap();
    assert!(d.dentry.is_unlinked());
    assert_eq!(d.inode().attr().nlink, 0);
    assert_eq!(w.root.inode().attr().nlink, 2);
    // Nothing can be made in a removed directory.
    let lk = crate::namei::Lookup::new(&w.root, &d, &w.cred);
    assert_eq!(
        crate::create::mkdirat(lk, b"x", 0o755, 0).err(),
        Some(Errno::ENOENT)
    );
}

#[test]
fn sticky_directories_keep_other_users_files() {
    let w = World::new();
    mkdirat(w.lk(), b"/tmp", 0o1777, 0).unwrap();
    let alice = w.as_user(Cred::user(1000, 1000, &[]));
    let bob = w.as_user(Cred::user(1001, 1001, &[]));
    alice.write_file("/tmp/a", b"");
    assert_eq!(unlink(bob.lk(), b"/tmp/a"), Err(Errno::EPERM));
    unlink(alice.lk(), b"/tmp/a").unwrap();
    mkdirat(w.lk(), b"/ro", 0o755, 0).unwrap();
    w.write_file("/ro/f", b"");
    assert_eq!(unlink(alice.lk(), b"/ro/f"), Err(Errno::EACCES));
}
