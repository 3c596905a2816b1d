//! Tests of chmod, chown, set_times, truncate, faccessat and chdir.

use super::*;
use crate::create::mkdirat;
use crate::testing::World;

#[test]
fn chmod_is_for_the_owner_and_keeps_the_type() {
    let w = World::new();
    let f = w.write_file("/f", b"");
    chmod(f.path(), 0o104755, &w.cred).unwrap();
    assert_eq!(f.inode().attr().mode, g::S_IFREG | 0o4755);
    let alice = Cred::user(1000, 1000, &[]);
    assert_eq!(chmod(f.path(), 0o777, &alice), Err(Errno::EPERM));
    chown(f.path(), Some(1000), Some(1000), &w.cred).unwrap();
    assert_eq!(
        f.inode().attr().mode,
        g::S_IFREG | 0o755,
        "chown clears setuid"
    );
    chmod(f.path(), 0o2755, &Cred::user(1000, 5, &[])).unwrap();
    assert_eq!(
        f.inode().attr().mode & 0o7777,
        0o755,
        "setgid dropped outside the group"
    );
}

#[test]
fn chown_needs_root_except_for_the_owners_own_groups() {
    let w = World::new();
    let f = w.write_file("/f", b"");
    chown(f.path(), Some(1000), Some(1000), &w.cred).unwrap();
    let alice = Cred::user(1000, 1000, &[50]);
    assert_eq!(chown(f.path(), Some(0), None, &alice), Err(Errno::EPERM));
    assert_eq!(chown(f.path(), None, Some(60), &alice), Err(Errno::EPERM));
    chown(f.path(), None, Some(50), &alice).unwrap();
    chown(f.path(), Some(1000), None, &alice).unwrap();
    assert_eq!((f.inode().attr().uid, f.inode().attr().gid), (1000, 50));
}

#[test]
fn times_and_truncate_follow_the_rules() {
    let w = World::new();
    let f = w.write_file("/f", b"abcdef");
    set_times(f.path(), None, Some(Timespec::new(100, 5)), &w.cred).unwrap();
    assert_eq!(f.inode().attr().mtime, Timespec::new(100, 5));
    let alice = Cred::user(1000, 1000, &[]);
    assert_eq!(set_times(f.path(), None, None, &alice), Err(Errno::EPERM));
    truncate(f.inode(), 2, &w.cred, Some(f.path())).unwrap();
    assert_eq!(w.read_file("/f").unwrap(), b"ab");
    assert_eq!(
        truncate(f.inode(), -1, &w.cred, Some(f.path())),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        truncate(f.inode(), 0, &alice, Some(f.path())),
        Err(Errno::EACCES)
    );
    assert_eq!(
        truncate(&w.root.inode(), 0, &w.cred, Some(&w.root)),
        Err(Errno::EISDIR)
    );
}

#[test]
fn access_uses_the_real_ids_unless_at_eaccess() {
    let w = World::new();
    mkdirat(w.lk(), b"/d", 0o700, 0).unwrap();
    let f = w.write_file("/d/x", b"");
    chmod(f.path(), 0o644, &w.cred).unwrap();
    // A setuid-root program run by alice: fsuid 0, real uid 1000.
    let mut suid = Cred::user(1000, 1000, &[]);
    suid.fsuid = 0;
    let lk = crate::namei::Lookup::new(&w.root, &w.root, &suid);
    assert_eq!(faccessat(lk, b"/d/x", 4, 0), Err(Errno::EACCES));
    assert_eq!(faccessat(lk, b"/d/x", 4, g::AT_EACCESS), Ok(()));
    assert_eq!(faccessat(w.lk(), b"/d/x", 1, 0), Err(Errno::EACCES));
    assert_eq!(faccessat(w.lk(), b"/d/x", 0, 0), Ok(()));
    assert_eq!(faccessat(w.lk(), b"/d/none", 0, 0), Err(Errno::ENOENT));
    assert_eq!(faccessat(w.lk(), b"/d/x", 8, 0), Err(Errno::EINVAL));
}

#[test]
fn chdir_needs_a_searchable_directory() {
    let w = World::new();
    mkdirat(w.lk(), b"/d", 0o700, 0).unwrap();
    w.write_file("/f", b"");
    assert!(chdir(w.lk(), b"/d").is_ok());
    assert_eq!(chdir(w.lk(), b"/f").err(), Some(Errno::ENOTDIR));
    let alice = w.as_user(Cred::user(1000, 1000, &[]));
    assert_eq!(chdir(alice.lk(), b"/d").err(), Some(Errno::EACCES));
}
