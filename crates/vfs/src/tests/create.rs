//! Tests of mkdirat, mknodat, symlinkat, linkat, readlinkat and inode_init_owner.

use super::*;
use crate::inode::makedev;
use crate::testing::World;

#[test]
fn mkdir_masks_the_mode_and_errs_like_linux() {
    let w = World::new();
    let d = mkdirat(w.lk(), b"/d", 0o7777, 0o022).unwrap();
    assert_eq!(d.inode().attr().mode, g::S_IFDIR | 0o1755);
    assert_eq!(w.mkdir("/d").err(), Some(Errno::EEXIST));
    assert_eq!(w.mkdir("/").err(), Some(Errno::EEXIST));
    assert_eq!(w.mkdir("/d/.").err(), Some(Errno::EEXIST));
    assert_eq!(w.mkdir("/x/y").err(), Some(Errno::ENOENT));
    assert!(w.mkdir("/e/").is_ok());
    w.write_file("/f", b"");
    assert_eq!(w.mkdir("/f/x").err(), Some(Errno::ENOTDIR));
}

#[test]
fn setgid_directories_pass_their_group_on() {
    let w = World::new();
    let d = mkdirat(w.lk(), b"/shared", 0o2775, 0).unwrap();
    d.inode().attr_mut().gid = 50;
    let alice = w.as_user(Cred::user(1000, 1000, &[]));
    // mkdir drops setgid from its mode (chmod sets it); subdirectories inherit it.
    d.inode().attr_mut().mode |= 0o2777;
    let sub = mkdirat(alice.lk(), b"/shared/sub", 0o755, 0).unwrap();
    let a = sub.inode().attr();
    assert_eq!((a.uid, a.gid, a.mode), (1000, 50, g::S_IFDIR | 0o2755));
    let f = mknodat(alice.lk(), b"/shared/f", g::S_IFREG | 0o2755, 0, 0).unwrap();
    assert_eq!(f.inode().attr().mode, g::S_IFREG | 0o755);
}

#[test]
fn mknod_makes_devices_for_root_only_and_refuses_directories() {
    let w = World::new();
    let p = mknodat(w.lk(), b"/tty", g::S_IFCHR | 0o620, makedev(4, 64), 0).unwrap();
    let a = p.inode().attr();
    assert_eq!((a.mode, a.rdev), (g::S_IFCHR | 0o620, makedev(4, 64)));
    let err = mknodat(w.lk(), b"/d", g::S_IFDIR | 0o755, 0, 0).err();
    assert_eq!(err, Some(Errno::EPERM));
    let err = mknodat(w.lk(), b"/bad", 0o170000 | 0o755, 0, 0).err();
    assert_eq!(err, Some(Errno::EINVAL));
    let reg = mknodat(w.lk(), b"/plain", 0o644, 0, 0).unwrap();
    assert_eq!(reg.inode().file_type(), FileType::Regular);
    let fifo = mknodat(w.lk(), b"/fifo", g::S_IFIFO | 0o644, 0, 0).unwrap();
    assert_eq!(fifo.inode().file_type(), FileType::Fifo);
    mkdirat(w.lk(), b"/tmp", 0o777, 0).unwrap();
    let alice = w.as_user(Cred::user(1000, 1000, &[]));
    let err = mknodat(alice.lk(), b"/tmp/x", g::S_IFBLK | 0o600, 1, 0).err();
    assert_eq!(err, Some(Errno::EPERM));
    assert_eq!(
        mknodat(w.lk(), b"/n/", g::S_IFIFO | 0o644, 0, 0).err(),
        Some(Errno::ENOENT)
    );
}

#[test]
fn symlinks_store_any_target_and_readlink_returns_it() {
    let w = World::new();
    symlinkat(w.lk(), b"../somewhere/else", b"/l").unwrap();
    assert_eq!(readlinkat(w.lk(), b"/l").unwrap(), b"../somewhere/else");
    assert_eq!(symlinkat(w.lk(), b"", b"/e").err(), Some(Errno::ENOENT));
    assert_eq!(symlinkat(w.lk(), b"x", b"/l").err(), Some(Errno::EEXIST));
    w.write_file("/f", b"");
    assert_eq!(readlinkat(w.lk(), b"/f").err(), Some(Errno::EINVAL));
    let long = alloc::vec![b'a'; 4096];
    assert_eq!(
        symlinkat(w.lk(), &long, b"/m").err(),
        Some(Errno::ENAMETOOLONG)
    );
}

#[test]
fn hard_links_share_the_inode_and_count() {
    let w = World::new();
    w.write_file("/f", b"shared");
    let p = linkat(w.lk(), b"/f", w.lk(), b"/g", 0).unwrap();
    assert_eq!(p.inode().attr().nlink, 2);
    assert_eq!(w.read_file("/g").unwrap(), b"shared");
    assert_eq!(
        linkat(w.lk(), b"/f", w.lk(), b"/g", 0).err(),
        Some(Errno::EEXIST)
    );
    w.mkdir("/d").unwrap();
    assert_eq!(
        linkat(w.lk(), b"/d", w.lk(), b"/d2", 0).err(),
        Some(Errno::EPERM)
    );
    assert_eq!(
        linkat(w.lk(), b"/f", w.lk(), b"/g", 1).err(),
        Some(Errno::EINVAL)
    );
    symlinkat(w.lk(), b"/f", b"/l").unwrap();
    let nofollow = linkat(w.lk(), b"/l", w.lk(), b"/l2", 0).unwrap();
    assert_eq!(nofollow.inode().file_type(), FileType::Symlink);
    let follow = linkat(w.lk(), b"/l", w.lk(), b"/f3", g::AT_SYMLINK_FOLLOW).unwrap();
    assert_eq!(follow.inode().attr().nlink, 3);
}
