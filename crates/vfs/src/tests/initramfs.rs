//! Tests of the initramfs unpacker against archives made with crates/cpio's Builder.

use alloc::vec::Vec;

use cpio::{Builder, Format, Meta};

use super::*;
use crate::inode::InodeAttr;
use crate::testing::World;

fn attr(w: &World, path: &str) -> InodeAttr {
    w.resolve(path, false).unwrap().inode().attr()
}

fn sample() -> Vec<u8> {
    let mut b = Builder::new(Format::Newc);
    b.mtime(1_700_000_000);
    b.dir(".", 0o755);
    b.dir("bin", 0o755);
    b.owner(0, 0)
        .file("bin/busybox", 0o4755, b"\x7fELF busybox");
    b.symlink("bin/sh", "busybox");
    b.dir("tmp", 0o1777);
    b.dir("dev", 0o755);
    b.char_device("dev/console", 0o600, 5, 1);
    b.block_device("dev/ram0", 0o660, 1, 0);
    b.fifo("dev/initctl", 0o600);
    b.owner(1000, 100).mtime(1_600_000_000);
    b.dir("home", 0o2775);
    b.file("home/notes", 0o640, b"hello");
    b.hard_links(&["home/a", "home/b", "bin/c"], 0o644, b"shared data");
    b.finish()
}

#[test]
fn every_attribute_survives_the_unpack() {
    let w = World::new();
    let stats = unpack_initramfs(&w.root, &sample()).unwrap();
    assert_eq!(stats.skipped, []);
    assert_eq!(
        (stats.dirs, stats.files, stats.symlinks, stats.nodes),
        (5, 3, 1, 3)
    );
    assert_eq!(stats.hard_links, 2);

    let busybox = attr(&w, "/bin/busybox");
    assert_eq!(busybox.mode, g::S_IFREG | 0o4755);
    assert_eq!((busybox.uid, busybox.gid, busybox.size), (0, 0, 12));
    assert_eq!(busybox.mtime, Timespec::new(1_700_000_000, 0));
    assert_eq!(busybox.atime, Timespec::new(1_700_000_000, 0));
    assert_eq!(w.read_file("/bin/sh").unwrap(), b"\x7fELF busybox");

    let sh = attr(&w, "/bin/sh");
    assert_eq!((sh.mode, sh.size), (g::S_IFLNK | 0o777, 7));
    assert_eq!(sh.mtime, Timespec::new(1_700_000_000, 0));
    assert_eq!(attr(&w, "/tmp").mode, g::S_IFDIR | 0o1777);
    assert_eq!(attr(&w, "/").mode, g::S_IFDIR | 0o755);

    let console = attr(&w, "/dev/console");
    assert_eq!(
        (console.mode, console.rdev),
        (g::S_IFCHR | 0o600, makedev(5, 1))
    );
    let ram = attr(&w, "/dev/ram0");
    assert_eq!((ram.mode, ram.rdev), (g::S_IFBLK | 0o660, makedev(1, 0)));
    assert_eq!(attr(&w, "/dev/initctl").mode, g::S_IFIFO | 0o600);

    let home = attr(&w, "/home");
    assert_eq!(
        (home.mode, home.uid, home.gid),
        (g::S_IFDIR | 0o2775, 1000, 100)
    );
    // Directory times are set after their entries were made.
    assert_eq!(home.mtime, Timespec::new(1_600_000_000, 0));
    assert_eq!(attr(&w, "/dev").mtime, Timespec::new(1_700_000_000, 0));
    let notes = attr(&w, "/home/notes");
    assert_eq!(
        (notes.mode, notes.uid, notes.gid),
        (g::S_IFREG | 0o640, 1000, 100)
    );
    assert_eq!(w.read_file("/home/notes").unwrap(), b"hello");
    assert_eq!(attr(&w, "/").nlink, 6);
}

#[test]
fn hard_links_share_one_inode_with_the_last_entrys_data() {
    let w = World::new();
    unpack_initramfs(&w.root, &sample()).unwrap();
    let a = w.resolve("/home/a", false).unwrap().inode();
    let b = w.resolve("/home/b", false).unwrap().inode();
    let c = w.resolve("/bin/c", false).unwrap().inode();
    assert!(alloc::sync::Arc::ptr_eq(&a, &b) && alloc::sync::Arc::ptr_eq(&a, &c));
    assert_eq!(a.attr().nlink, 3);
    assert_eq!(w.read_file("/home/a").unwrap(), b"shared data");
}

#[test]
fn inode_numbers_only_link_within_one_archive() {
    let mut first = Builder::new(Format::Newc);
    first.hard_links(&["x", "y"], 0o644, b"1");
    let mut second = Builder::new(Format::Newc);
    second.hard_links(&["z", "w"], 0o644, b"2");
    let mut data = first.finish();
    data.extend_from_slice(&[0; 8]);
    data.extend_from_slice(&second.finish());
    let w = World::new();
    unpack_initramfs(&w.root, &data).unwrap();
    assert_eq!(attr(&w, "/x").nlink, 2);
    assert_eq!(attr(&w, "/z").nlink, 2);
    assert_eq!(w.read_file("/w").unwrap(), b"2");
    assert_eq!(w.read_file("/y").unwrap(), b"1");
}

#[test]
fn later_entries_replace_earlier_non_directories() {
    let mut b = Builder::new(Format::Newc);
    b.file("f", 0o644, b"first version");
    b.file("f", 0o600, b"second");
    b.file("g", 0o644, b"a file");
    b.symlink("g", "f");
    b.symlink("l", "f");
    b.symlink("l", "g");
    b.dir("d", 0o755);
    b.file("d", 0o644, b"empty dir replaced");
    b.dir("d2", 0o755);
    b.dir("d2", 0o700);
    let w = World::new();
    let stats = unpack_initramfs(&w.root, &b.finish()).unwrap();
    assert_eq!(stats.skipped, []);
    assert_eq!(w.read_file("/f").unwrap(), b"second");
    assert_eq!(attr(&w, "/f").mode, g::S_IFREG | 0o600);
    assert_eq!(attr(&w, "/g").mode, g::S_IFLNK | 0o777);
    assert_eq!(crate::create::readlinkat(w.lk(), b"/l").unwrap(), b"g");
    assert_eq!(w.read_file("/d").unwrap(), b"empty dir replaced");
    assert_eq!(attr(&w, "/d2").mode, g::S_IFDIR | 0o700);
}

#[test]
fn entries_the_filesystem_refuses_are_reported_and_skipped() {
    let mut b = Builder::new(Format::Newc);
    b.file("missing/dir/f", 0o644, b"x");
    b.file("ok", 0o644, b"y");
    let w = World::new();
    let stats = unpack_initramfs(&w.root, &b.finish()).unwrap();
    assert_eq!(stats.skipped, [(b"missing/dir/f".to_vec(), Errno::ENOENT)]);
    assert_eq!(w.read_file("/ok").unwrap(), b"y");
}

#[test]
fn a_corrupt_archive_names_the_entry() {
    let mut b = Builder::new(Format::Newc);
    b.file("good", 0o644, b"fine");
    b.file("bin/cut-short", 0o644, &[7u8; 100]);
    let data = b.finish();
    let cut = &data[..data.len() - 200];
    let w = World::new();
    let err = unpack_initramfs(&w.root, cut).unwrap_err();
    let text = alloc::format!("{err}");
    assert!(text.contains("bin/cut-short"), "{text}");
    assert!(text.starts_with("initramfs: cpio: entry"), "{text}");
    // The entries before the corruption were made.
    assert_eq!(w.read_file("/good").unwrap(), b"fine");

    let meta = Meta {
        mode: g::S_IFREG | 0o644,
        nlink: 1,
        ..Meta::default()
    };
    let mut evil = Builder::new(Format::Newc);
    evil.entry("../escape", &meta, b"");
    let evil = evil.finish();
    let err = unpack_initramfs(&w.root, &evil).unwrap_err();
    assert!(alloc::format!("{err}").contains("\"..\""));
}
