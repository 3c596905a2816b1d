//! Tests of openat(2): creation, exclusivity, truncation, directories, symlinks, modes.

use super::*;
use crate::create::{mkdirat, mknodat, symlinkat};
use crate::cred::Cred;
use crate::inode::makedev;
use crate::testing::World;

#[test]
fn o_creat_makes_a_file_with_the_mode_less_the_umask() {
    let w = World::new();
    let f = open(w.lk(), b"/f", g::O_WRONLY | g::O_CREAT, 0o4777, 0o027, None).unwrap();
    let attr = f.inode().attr();
    assert_eq!(attr.mode, g::S_IFREG | 0o4750);
    assert_eq!(f.flags(), g::O_WRONLY | g::O_LARGEFILE);
    let again = open(w.lk(), b"/f", g::O_RDONLY | g::O_CREAT, 0o600, 0, None).unwrap();
    assert_eq!(again.inode().ino(), f.inode().ino());
    let err = open(w.lk(), b"/f", g::O_CREAT | g::O_EXCL, 0o600, 0, None).err();
    assert_eq!(err, Some(Errno::EEXIST));
}

#[test]
fn o_creat_errors_for_directories_and_trailing_slashes() {
    let w = World::new();
    w.mkdir("/d").unwrap();
    assert_eq!(w.open("/d", g::O_CREAT, 0o644).err(), Some(Errno::EISDIR));
    assert_eq!(
        w.open("/new/", g::O_CREAT, 0o644).err(),
        Some(Errno::EISDIR)
    );
    assert_eq!(w.open("/", g::O_CREAT, 0o644).err(), Some(Errno::EISDIR));
    assert_eq!(
        w.open("/nodir/f", g::O_CREAT, 0o644).err(),
        Some(Errno::ENOENT)
    );
    let err = w.open("/x", g::O_CREAT | g::O_DIRECTORY, 0o644).err();
    assert_eq!(err, Some(Errno::EINVAL));
}

#[test]
fn o_creat_follows_a_dangling_symlink_unless_o_excl() {
    let w = World::new();
    w.mkdir("/d").unwrap();
    symlinkat(w.lk(), b"d/target", b"/link").unwrap();
    let err = w
        .open("/link", g::O_CREAT | g::O_EXCL | g::O_WRONLY, 0o644)
        .err();
    assert_eq!(err, Some(Errno::EEXIST));
    let err = w
        .open("/link", g::O_CREAT | g::O_NOFOLLOW | g::O_WRONLY, 0o644)
        .err();
    assert_eq!(err, Some(Errno::ELOOP));
    w.open("/link", g::O_CREAT | g::O_WRONLY, 0o644).unwrap();
    assert!(w.resolve("/d/target", false).is_ok());
}

#[test]
fn o_trunc_empties_and_o_directory_requires_a_directory() {
    let w = World::new();
    w.write_file("/f", b"hello");
    w.open("/f", g::O_WRONLY | g::O_TRUNC, 0).unwrap();
    assert_eq!(w.read_file("/f").unwrap(), b"");
    assert_eq!(w.open("/f", g::O_DIRECTORY, 0).err(), Some(Errno::ENOTDIR));
    assert!(w.open("/", g::O_DIRECTORY, 0).is_ok());
    assert_eq!(w.open("/", g::O_WRONLY, 0).err(), Some(Errno::EISDIR));
    assert_eq!(
        w.open("/", g::O_RDONLY | g::O_TRUNC, 0).err(),
        Some(Errno::EISDIR)
    );
    assert_eq!(w.open("/nope", 0, 0).err(), Some(Errno::ENOENT));
}

#[test]
fn o_nofollow_refuses_a_trailing_symlink_but_o_path_opens_it() {
    let w = World::new();
    w.write_file("/f", b"x");
    symlinkat(w.lk(), b"/f", b"/l").unwrap();
    assert_eq!(w.open("/l", g::O_NOFOLLOW, 0).err(), Some(Errno::ELOOP));
    let p = w.open("/l", g::O_PATH | g::O_NOFOLLOW, 0).unwrap();
    assert_eq!(p.inode().file_type(), FileType::Symlink);
    assert_eq!(p.flags(), g::O_PATH | g::O_NOFOLLOW);
    assert_eq!(p.read(&mut [0; 4]).err(), Some(Errno::EBADF));
    assert!(w.open("/l", 0, 0).is_ok());
}

#[test]
fn permissions_are_checked_except_for_the_creator() {
    let w = World::new();
    mkdirat(w.lk(), b"/home", 0o777, 0).unwrap();
    w.write_file("/ro", b"x");
    let alice = w.as_user(Cred::user(1000, 1000, &[]));
    assert_eq!(alice.open("/ro", g::O_WRONLY, 0).err(), Some(Errno::EACCES));
    assert!(alice.open("/ro", g::O_RDONLY, 0).is_ok());
    let f = open(
        alice.lk(),
        b"/home/mine",
        g::O_RDWR | g::O_CREAT,
        0o444,
        0,
        None,
    )
    .unwrap();
    assert_eq!((f.inode().attr().uid, f.inode().attr().gid), (1000, 1000));
    f.write(b"ok").unwrap();
    assert_eq!(
        alice.open("/home/mine", g::O_WRONLY, 0).err(),
        Some(Errno::EACCES)
    );
    assert_eq!(
        alice.open("/new", g::O_CREAT, 0o644).err(),
        Some(Errno::EACCES)
    );
}

struct Null;
impl FileOps for Null {
    fn read(&self, _: &File, _: &mut [u8], _: &mut u64) -> Result<usize> {
        Ok(0)
    }
    fn write(&self, _: &File, buf: &[u8], _: &mut u64) -> Result<usize> {
        Ok(buf.len())
    }
    fn seekable(&self) -> bool {
        false
    }
}

struct Devices;
impl SpecialOpen for Devices {
    fn open(&self, _: &Path, inode: &Arc<Inode>, _: u32) -> Result<Arc<dyn FileOps>> {
        match inode.attr().rdev {
            r if r == makedev(1, 3) => Ok(Arc::new(Null)),
            _ => Err(Errno::ENXIO),
        }
    }
}

#[test]
fn device_nodes_open_through_the_kernel_hook() {
    let w = World::new();
    mknodat(w.lk(), b"/null", g::S_IFCHR | 0o666, makedev(1, 3), 0).unwrap();
    mknodat(w.lk(), b"/other", g::S_IFCHR | 0o666, makedev(42, 0), 0).unwrap();
    assert_eq!(w.open("/null", g::O_RDWR, 0).err(), Some(Errno::ENXIO));
    let f = open(
        w.lk(),
        b"/null",
        g::O_RDWR | g::O_TRUNC,
        0,
        0,
        Some(&Devices),
    )
    .unwrap();
    assert_eq!(f.write(b"gone").unwrap(), 4);
    assert_eq!(f.lseek(0, g::SEEK_SET).err(), Some(Errno::ESPIPE));
    assert_eq!(f.lseek(0, g::SEEK_MAX + 1).err(), Some(Errno::EINVAL));
    assert_eq!(f.pread(&mut [0; 1], 0).err(), Some(Errno::ESPIPE));
    let err = open(w.lk(), b"/other", g::O_RDONLY, 0, 0, Some(&Devices)).err();
    assert_eq!(err, Some(Errno::ENXIO));
    mknodat(w.lk(), b"/sock", g::S_IFSOCK | 0o666, 0, 0).unwrap();
    let err = open(w.lk(), b"/sock", g::O_RDONLY, 0, 0, Some(&Devices)).err();
    assert_eq!(err, Some(Errno::ENXIO));
}

#[test]
fn open_exec_needs_exec_permission_not_read() {
    let w = World::new();
    w.write_file("/run", b"#!/bin/sh\n");
    let alice = w.as_user(Cred::user(1000, 1000, &[]));
    let mode = |m| crate::attr::chmod(&w.resolve("/run", true).unwrap(), m, &w.cred);

    mode(0o711).unwrap();
    let f = open_exec(alice.lk(), b"/run").unwrap();
    let mut head = [0u8; 2];
    assert_eq!(f.pread(&mut head, 0), Ok(2));
    assert_eq!(&head, b"#!");
    assert_eq!(
        alice.open("/run", g::O_RDONLY, 0).err(),
        Some(Errno::EACCES)
    );

    mode(0o744).unwrap();
    assert_eq!(open_exec(alice.lk(), b"/run").err(), Some(Errno::EACCES));
    // Root needs one x bit, anyone's.
    assert!(open_exec(w.lk(), b"/run").is_ok());
    mode(0o644).unwrap();
    assert_eq!(open_exec(w.lk(), b"/run").err(), Some(Errno::EACCES));
}

#[test]
fn open_exec_refuses_what_is_not_a_regular_file() {
    let w = World::new();
    w.mkdir("/d").unwrap();
    assert_eq!(open_exec(w.lk(), b"/d").err(), Some(Errno::EACCES));
    assert_eq!(open_exec(w.lk(), b"").err(), Some(Errno::ENOENT));
    assert_eq!(open_exec(w.lk(), b"/none").err(), Some(Errno::ENOENT));
    mknodat(w.lk(), b"/null", g::S_IFCHR | 0o777, makedev(1, 3), 0).unwrap();
    assert_eq!(open_exec(w.lk(), b"/null").err(), Some(Errno::EACCES));

    let at = w.resolve("/d", true).unwrap();
    w.ns.mount_with_flags(&at, crate::RamFs::new_tmpfs(), b"none", g::MS_NOEXEC)
        .unwrap();
    w.write_file("/d/run", b"x");
    let f = w.resolve("/d/run", true).unwrap();
    crate::attr::chmod(&f, 0o755, &w.cred).unwrap();
    assert_eq!(open_exec(w.lk(), b"/d/run").err(), Some(Errno::EACCES));
}
