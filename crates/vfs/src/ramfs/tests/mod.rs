//! Direct tests of the ramfs operations, below the VFS.

use alloc::vec::Vec;

use linux_raw_sys::general as g;

use super::*;
use crate::errno::Errno;

fn new(mode: u32) -> NewInode {
    NewInode {
        mode,
        uid: 1000,
        gid: 100,
        rdev: 0,
    }
}

/// A new regular file of mode 0644 named `name` in `dir`.
fn file(dir: &Arc<Inode>, name: &[u8]) -> Arc<Inode> {
    dir.ops()
        .create(dir, name, new(g::S_IFREG | 0o644))
        .unwrap()
}

fn names(dir: &Inode) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    dir.ops()
        .iterate(dir, 0, &mut |e| {
            out.push(e.name.to_vec());
            true
        })
        .unwrap();
    out
}

#[test]
fn directories_count_their_subdirectories_in_nlink() {
    let fs = RamFs::new_ramfs();
    let root = fs.root();
    assert_eq!(root.attr().nlink, 2);
    let ops = root.ops();
    let a = ops.mkdir(&root, b"a", new(g::S_IFDIR | 0o755)).unwrap();
    ops.mkdir(&root, b"b", new(g::S_IFDIR | 0o755)).unwrap();
    ops.create(&root, b"f", new(g::S_IFREG | 0o644)).unwrap();
    assert_eq!(root.attr().nlink, 4);
    assert_eq!(a.attr().nlink, 2);
    assert_eq!((a.attr().uid, a.attr().gid), (1000, 100));
    ops.rmdir(&root, b"b").unwrap();
    assert_eq!(root.attr().nlink, 3);
    assert_eq!(
        ops.mkdir(&root, b"a", new(g::S_IFDIR)).err(),
        Some(Errno::EEXIST)
    );
}

#[test]
fn rmdir_refuses_a_directory_with_entries() {
    let fs = RamFs::new_tmpfs();
    let root = fs.root();
    assert_eq!(root.attr().mode, g::S_IFDIR | 0o1777);
    let a = root
        .ops()
        .mkdir(&root, b"a", new(g::S_IFDIR | 0o755))
        .unwrap();
    a.ops().create(&a, b"x", new(g::S_IFREG | 0o644)).unwrap();
    assert_eq!(root.ops().rmdir(&root, b"a").err(), Some(Errno::ENOTEMPTY));
    a.ops().unlink(&a, b"x").unwrap();
    root.ops().rmdir(&root, b"a").unwrap();
    assert_eq!(a.attr().nlink, 0);
}

#[test]
fn sparse_writes_read_back_as_zeros_and_count_pages() {
    let fs = RamFs::new_ramfs();
    let root = fs.root();
    let f = file(&root, b"f");
    let (n, end) = f.ops().write_at(&f, Some(10_000), b"hello").unwrap();
    assert_eq!((n, end), (5, 10_005));
    assert_eq!(f.attr().size, 10_005);
    assert_eq!(f.attr().blocks, 8);
    let mut buf = [0xffu8; 20];
    assert_eq!(f.ops().read_at(&f, 9_990, &mut buf).unwrap(), 15);
    assert_eq!(&buf[..10], &[0; 10]);
    assert_eq!(&buf[10..15], b"hello");
    assert_eq!(f.ops().read_at(&f, 20_000, &mut buf).unwrap(), 0);

    let (_, end) = f.ops().write_at(&f, None, b"!").unwrap();
    assert_eq!(end, 10_006);
    f.ops().truncate(&f, 10_002).unwrap();
    f.ops().truncate(&f, 10_010).unwrap();
    let mut tail = [0xffu8; 10];
    f.ops().read_at(&f, 10_000, &mut tail).unwrap();
    assert_eq!(&tail, b"he\0\0\0\0\0\0\0\0");
    f.ops().truncate(&f, 0).unwrap();
    assert_eq!((f.attr().size, f.attr().blocks), (0, 0));
}

#[test]
fn writes_past_the_largest_file_size_fail_with_efbig() {
    let fs = RamFs::new_ramfs();
    let root = fs.root();
    let f = file(&root, b"f");
    let err = f.ops().write_at(&f, Some(i64::MAX as u64), b"x").err();
    assert_eq!(err, Some(Errno::EFBIG));
    assert_eq!(f.ops().truncate(&f, u64::MAX).err(), Some(Errno::EFBIG));
}

#[test]
fn links_and_unlinks_count_names() {
    let fs = RamFs::new_ramfs();
    let root = fs.root();
    let ops = root.ops();
    let f = file(&root, b"f");
    ops.link(&root, b"g", &f).unwrap();
    assert_eq!(f.attr().nlink, 2);
    ops.unlink(&root, b"f").unwrap();
    assert_eq!(f.attr().nlink, 1);
    assert!(ops.lookup(&root, b"f").unwrap().is_none());
    assert!(ops.lookup(&root, b"g").unwrap().is_some());
    assert_eq!(ops.unlink(&root, b"f").err(), Some(Errno::ENOENT));
}

#[test]
fn iteration_keeps_insertion_order_and_stable_positions() {
    let fs = RamFs::new_ramfs();
    let root = fs.root();
    let ops = root.ops();
    for name in [&b"c"[..], b"a", b"b"] {
        ops.create(&root, name, new(g::S_IFREG | 0o644)).unwrap();
    }
    assert_eq!(names(&root), [b"c".to_vec(), b"a".to_vec(), b"b".to_vec()]);
    ops.unlink(&root, b"a").unwrap();
    let mut seen = Vec::new();
    ops.iterate(&root, 3, &mut |e| {
        seen.push((e.name.to_vec(), e.pos, e.next));
        true
    })
    .unwrap();
    assert_eq!(seen, [(b"b".to_vec(), 4, 5)]);
}

#[test]
fn rename_moves_replaces_and_exchanges() {
    let fs = RamFs::new_ramfs();
    let root = fs.root();
    let ops = root.ops();
    let a = ops.mkdir(&root, b"a", new(g::S_IFDIR | 0o755)).unwrap();
    let b = ops.mkdir(&root, b"b", new(g::S_IFDIR | 0o755)).unwrap();
    let sub = a.ops().mkdir(&a, b"sub", new(g::S_IFDIR | 0o755)).unwrap();
    a.ops().rename(&a, b"sub", &b, b"moved", 0).unwrap();
    assert_eq!((a.attr().nlink, b.attr().nlink), (2, 3));
    assert!(Arc::ptr_eq(
        &b.ops().lookup(&b, b"moved").unwrap().unwrap(),
        &sub
    ));

    let f = file(&root, b"f");
    let g2 = ops.create(&root, b"g", new(g::S_IFREG | 0o644)).unwrap();
    ops.rename(&root, b"f", &root, b"g", 0).unwrap();
    assert_eq!(g2.attr().nlink, 0);
    assert!(Arc::ptr_eq(&ops.lookup(&root, b"g").unwrap().unwrap(), &f));

    ops.rename(&root, b"g", &root, b"a", g::RENAME_EXCHANGE)
        .unwrap();
    assert!(Arc::ptr_eq(&ops.lookup(&root, b"a").unwrap().unwrap(), &f));
    assert!(Arc::ptr_eq(&ops.lookup(&root, b"g").unwrap().unwrap(), &a));

    // A non-empty directory cannot be replaced.
    let err = ops.rename(&root, b"g", &root, b"b", 0).err();
    assert_eq!(err, Some(Errno::ENOTEMPTY));
}

#[test]
fn symlinks_keep_their_target_and_size() {
    let fs = RamFs::new_ramfs();
    let root = fs.root();
    let l = root
        .ops()
        .symlink(&root, b"l", b"/bin/busybox", new(g::S_IFLNK | 0o777))
        .unwrap();
    assert_eq!(l.ops().readlink(&l).unwrap(), b"/bin/busybox");
    assert_eq!(l.attr().size, 12);
    assert_eq!(fs.statfs().magic, u64::from(g::RAMFS_MAGIC));
    assert_eq!(fs.name(), "ramfs");
}

#[test]
fn tmpfs_directories_grow_by_twenty_bytes_a_name_and_ramfs_ones_stay_empty() {
    let fs = RamFs::new_tmpfs();
    let root = fs.root();
    let ops = root.ops();
    assert_eq!(root.attr().size, 40);
    let a = ops.mkdir(&root, b"a", new(g::S_IFDIR | 0o755)).unwrap();
    let f = file(&root, b"f");
    assert_eq!((root.attr().size, a.attr().size), (80, 40));
    ops.link(&root, b"g", &f).unwrap();
    assert_eq!(root.attr().size, 100);
    // A rename into a: one name less here, one more there; over an
    // existing name, that name goes.
    ops.rename(&root, b"g", &a, b"g", 0).unwrap();
    assert_eq!((root.attr().size, a.attr().size), (80, 60));
    ops.create(&root, b"h", new(g::S_IFREG | 0o644)).unwrap();
    ops.rename(&root, b"h", &a, b"g", 0).unwrap();
    assert_eq!((root.attr().size, a.attr().size), (80, 60));
    a.ops().unlink(&a, b"g").unwrap();
    assert_eq!(a.attr().size, 40);
    ops.rmdir(&root, b"a").unwrap();
    ops.unlink(&root, b"f").unwrap();
    assert_eq!(root.attr().size, 40);

    let ramfs = RamFs::new_ramfs();
    let root = ramfs.root();
    file(&root, b"f");
    assert_eq!(root.attr().size, 0);
}

mod limits;
