//! Tests of mounts: crossing down and up, ENOTDIR, EBUSY, the mount list.

use super::*;
use crate::create::mkdirat;
use crate::ramfs::RamFs;
use crate::testing::World;

#[test]
fn walks_cross_into_mounts_and_dotdot_climbs_out() {
    let w = World::new();
    w.mkdir("/mnt").unwrap();
    let at = w.resolve("/mnt", true).unwrap();
    let tmp = RamFs::new_tmpfs();
    let mnt = w.ns.mount(&at, tmp.clone(), b"tmpfs").unwrap();
    let root = w.resolve("/mnt", true).unwrap();
    assert!(Arc::ptr_eq(&root.mnt, &mnt));
    assert!(root.is_mount_root());
    assert_eq!(root.inode().dev(), tmp.dev());
    mkdirat(w.lk(), b"/mnt/sub", 0o755, 0).unwrap();
    let up = w.resolve("/mnt/sub/../..", true).unwrap();
    assert!(up.same(&w.root));
    let mnt_dotdot = w.resolve("/mnt/..", true).unwrap();
    assert!(mnt_dotdot.same(&w.root));
    let names: Vec<_> = w.ns.mounts().iter().map(|m| m.fs().name()).collect();
    assert_eq!(names, ["ramfs", "tmpfs"]);
}

#[test]
fn mounting_on_a_file_is_enotdir() {
    let w = World::new();
    w.write_file("/f", b"");
    let at = w.resolve("/f", true).unwrap();
    let err = w.ns.mount(&at, RamFs::new_ramfs(), b"none").err();
    assert_eq!(err, Some(Errno::ENOTDIR));
}

#[test]
fn umount_is_ebusy_while_used_and_uncovers_the_directory() {
    let w = World::new();
    w.mkdir("/mnt").unwrap();
    w.write_file("/mnt/under", b"");
    let at = w.resolve("/mnt", true).unwrap();
    w.ns.mount(&at, RamFs::new_tmpfs(), b"tmpfs").unwrap();
    assert_eq!(w.resolve("/mnt/under", true).err(), Some(Errno::ENOENT));
    let cwd = w.resolve("/mnt", true).unwrap();
    assert_eq!(
        w.ns.umount(w.resolve("/mnt", true).unwrap()),
        Err(Errno::EBUSY)
    );
    drop(cwd);
    assert_eq!(
        w.ns.umount(w.resolve("/", true).unwrap()),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        w.ns.umount_flags(w.resolve("/", true).unwrap(), true),
        Err(Errno::EINVAL)
    );
    let not_root = w.resolve("/mnt", true).unwrap();
    w.ns.umount(not_root).unwrap();
    assert!(w.resolve("/mnt/under", true).is_ok());
    assert_eq!(w.ns.mounts().len(), 1);
    let err = w.ns.umount(w.resolve("/mnt", true).unwrap()).err();
    assert_eq!(err, Some(Errno::EINVAL));
}

#[test]
fn removing_or_renaming_a_mountpoint_is_ebusy() {
    let w = World::new();
    w.mkdir("/mnt").unwrap();
    let at = w.resolve("/mnt", true).unwrap();
    w.ns.mount(&at, RamFs::new_tmpfs(), b"tmpfs").unwrap();
    drop(at);
    assert_eq!(crate::remove::rmdir(w.lk(), b"/mnt"), Err(Errno::EBUSY));
    let err = crate::rename::renameat2(w.lk(), b"/mnt", w.lk(), b"/x", 0).err();
    assert_eq!(err, Some(Errno::EBUSY));
    w.mkdir("/other").unwrap();
    let err = crate::rename::renameat2(w.lk(), b"/other", w.lk(), b"/mnt/x", 0).err();
    assert_eq!(err, Some(Errno::EXDEV));
}

#[test]
fn flags_are_kept_and_detach_unmounts_what_is_in_use() {
    let w = World::new();
    w.mkdir("/mnt").unwrap();
    let at = w.resolve("/mnt", true).unwrap();
    let mnt =
        w.ns.mount_with_flags(&at, RamFs::new_tmpfs(), b"none", 2 | 8)
            .unwrap();
    assert_eq!(mnt.flags(), 10);
    mnt.set_flags(1);
    assert_eq!(mnt.flags(), 1);
    drop(mnt);
    let cwd = w.resolve("/mnt", true).unwrap();
    let again = w.resolve("/mnt", true).unwrap();
    assert_eq!(
        w.ns.umount_flags(again.clone(), false).err(),
        Some(Errno::EBUSY)
    );
    assert!(w.ns.umount_flags(again, true).is_ok());
    assert_eq!(w.ns.mounts().len(), 1);
    assert!(cwd.is_mount_root());
}

#[test]
fn a_read_only_mount_refuses_changes_with_erofs() {
    use linux_raw_sys::general as g;
    let w = World::new();
    w.mkdir("/ro").unwrap();
    let at = w.resolve("/ro", true).unwrap();
    let mnt = w.ns.mount(&at, RamFs::new_tmpfs(), b"none").unwrap();
    w.write_file("/ro/f", b"data");
    w.mkdir("/ro/d").unwrap();
    let dev = crate::inode::makedev(1, 3);
    crate::create::mknodat(w.lk(), b"/ro/null", g::S_IFCHR | 0o666, dev, 0).unwrap();
    mnt.set_flags(g::MS_RDONLY);

    assert_eq!(w.read_file("/ro/f").unwrap(), b"data");
    assert_eq!(w.open("/ro/f", g::O_WRONLY, 0).err(), Some(Errno::EROFS));
    assert_eq!(
        w.open("/ro/f", g::O_RDONLY | g::O_TRUNC, 0).err(),
        Some(Errno::EROFS)
    );
    assert_eq!(
        w.open("/ro/new", g::O_CREAT | g::O_WRONLY, 0o644).err(),
        Some(Errno::EROFS)
    );
    assert_eq!(w.mkdir("/ro/e").err(), Some(Errno::EROFS));
    assert_eq!(w.mkdir("/ro/d").err(), Some(Errno::EEXIST));
    assert_eq!(
        crate::remove::unlink(w.lk(), b"/ro/f").err(),
        Some(Errno::EROFS)
    );
    assert_eq!(
        crate::remove::rmdir(w.lk(), b"/ro/d").err(),
        Some(Errno::EROFS)
    );
    let moved = crate::rename::renameat2(w.lk(), b"/ro/f", w.lk(), b"/ro/g", 0);
    assert_eq!(moved.err(), Some(Errno::EROFS));
    // Attributes are changes too (Linux's mnt_want_write in chmod_common and the rest),
    // refused before any permission check.
    let f = w.resolve("/ro/f", true).unwrap();
    let alice = crate::cred::Cred::user(1000, 1000, &[]);
    assert_eq!(crate::attr::chmod(&f, 0o600, &alice), Err(Errno::EROFS));
    assert_eq!(
        crate::attr::chown(&f, Some(1), None, &w.cred),
        Err(Errno::EROFS)
    );
    let t = Some(crate::time::Timespec::new(1, 0));
    assert_eq!(crate::attr::set_times(&f, t, t, &w.cred), Err(Errno::EROFS));
    assert_eq!(crate::attr::touch(&f, t, t, &w.cred), Err(Errno::EROFS));
    let truncated = crate::attr::truncate(&f.inode(), 0, &w.cred, Some(&f));
    assert_eq!(truncated, Err(Errno::EROFS));
    assert_eq!(f.inode().attr().mode & 0o7777, 0o644);
    // access(W_OK) reports the read-only mount, but not for a device on it.
    assert_eq!(
        crate::attr::faccessat(w.lk(), b"/ro/f", 2, 0),
        Err(Errno::EROFS)
    );
    assert_eq!(
        crate::attr::faccessat(w.lk(), b"/ro/d", 2, 0),
        Err(Errno::EROFS)
    );
    assert_eq!(crate::attr::faccessat(w.lk(), b"/ro/f", 4, 0), Ok(()));
    assert_eq!(crate::attr::faccessat(w.lk(), b"/ro/null", 2, 0), Ok(()));
    // A device node is no file of the mount: it may still be opened for writing.
    assert_eq!(w.open("/ro/null", g::O_WRONLY, 0).err(), Some(Errno::ENXIO));

    mnt.set_flags(0);
    assert!(w.open("/ro/f", g::O_WRONLY, 0).is_ok());
}

#[test]
fn a_bind_mount_shows_the_same_files_under_a_second_name() {
    let w = World::new();
    w.mkdir("/a").unwrap();
    w.mkdir("/a/sub").unwrap();
    w.write_file("/a/sub/f", b"same");
    w.mkdir("/b").unwrap();
    w.write_file("/file", b"");
    let at = w.resolve("/b", true).unwrap();
    let source = w.resolve("/a/sub", true).unwrap();
    let mnt = w.ns.bind(&at, &source, 0).unwrap();
    assert_eq!(w.read_file("/b/f").unwrap(), b"same");
    w.write_file("/b/g", b"new");
    assert_eq!(w.read_file("/a/sub/g").unwrap(), b"new");
    let b = w.resolve("/b", true).unwrap();
    assert!(b.is_mount_root());
    assert_eq!(
        crate::d_path::d_path(&w.resolve("/b/g", true).unwrap(), &w.root),
        b"/b/g"
    );
    assert!(w.resolve("/b/..", true).unwrap().same(&w.root));
    let file = w.resolve("/file", true).unwrap();
    assert_eq!(w.ns.bind(&at, &file, 0).err(), Some(Errno::ENOTDIR));
    drop((mnt, b, source, at));
    let b = w.resolve("/b", true).unwrap();
    w.ns.umount(b).unwrap();
    assert_eq!(w.resolve("/b/f", true).err(), Some(Errno::ENOENT));
    assert_eq!(w.read_file("/a/sub/f").unwrap(), b"same");
}
