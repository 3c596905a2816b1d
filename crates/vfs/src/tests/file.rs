//! Tests of read, write, pread, pwrite, readv, writev and lseek on open files.

use super::*;
use crate::cred::Cred;
use crate::testing::World;

#[test]
fn reads_and_writes_advance_the_shared_offset() {
    let w = World::new();
    let f = w.open("/f", g::O_RDWR | g::O_CREAT, 0o644).unwrap();
    assert_eq!(f.write(b"hello world").unwrap(), 11);
    assert_eq!(f.pos(), 11);
    assert_eq!(f.lseek(0, g::SEEK_SET).unwrap(), 0);
    let mut buf = [0u8; 5];
    assert_eq!(f.read(&mut buf).unwrap(), 5);
    assert_eq!(&buf, b"hello");
    assert_eq!(f.lseek(-5, g::SEEK_END).unwrap(), 6);
    assert_eq!(f.read(&mut buf).unwrap(), 5);
    assert_eq!(&buf, b"world");
    assert_eq!(f.read(&mut buf).unwrap(), 0);
    assert_eq!(f.lseek(-1, g::SEEK_CUR).unwrap(), 10);
    assert_eq!(f.lseek(-11, g::SEEK_CUR).err(), Some(Errno::EINVAL));
    assert_eq!(f.lseek(0, 7).err(), Some(Errno::EINVAL));
    assert_eq!(f.lseek(100, g::SEEK_SET).unwrap(), 100);
    assert_eq!(f.lseek(3, g::SEEK_DATA).unwrap(), 3);
    assert_eq!(f.lseek(3, g::SEEK_HOLE).unwrap(), 11);
    assert_eq!(f.lseek(11, g::SEEK_DATA).err(), Some(Errno::ENXIO));
}

#[test]
fn access_modes_give_ebadf_and_directories_eisdir() {
    let w = World::new();
    w.write_file("/f", b"abc");
    let ro = w.open("/f", g::O_RDONLY, 0).unwrap();
    assert_eq!(ro.write(b"x").err(), Some(Errno::EBADF));
    let wo = w.open("/f", g::O_WRONLY, 0).unwrap();
    assert_eq!(wo.read(&mut [0; 1]).err(), Some(Errno::EBADF));
    let d = w.open("/", g::O_RDONLY, 0).unwrap();
    assert_eq!(d.read(&mut [0; 1]).err(), Some(Errno::EISDIR));
}

#[test]
fn o_append_writes_at_the_end_even_with_pwrite() {
    let w = World::new();
    w.write_file("/log", b"one\n");
    let f = w.open("/log", g::O_WRONLY | g::O_APPEND, 0).unwrap();
    f.lseek(0, g::SEEK_SET).unwrap();
    f.write(b"two\n").unwrap();
    assert_eq!(f.pos(), 8);
    f.pwrite(b"three\n", 0).unwrap();
    assert_eq!(w.read_file("/log").unwrap(), b"one\ntwo\nthree\n");
    f.set_flags(0);
    assert_eq!(f.flags(), g::O_WRONLY | g::O_LARGEFILE);
    f.set_flags(g::O_APPEND | g::O_RDWR | g::O_NONBLOCK);
    assert_eq!(
        f.flags(),
        g::O_WRONLY | g::O_LARGEFILE | g::O_APPEND | g::O_NONBLOCK
    );
}

#[test]
fn pread_and_pwrite_leave_the_offset_and_past_eof_reads_zeros() {
    let w = World::new();
    let f = w.open("/f", g::O_RDWR | g::O_CREAT, 0o644).unwrap();
    f.pwrite(b"end", 8).unwrap();
    assert_eq!(f.pos(), 0);
    let mut buf = [0xffu8; 11];
    assert_eq!(f.pread(&mut buf, 0).unwrap(), 11);
    assert_eq!(&buf, b"\0\0\0\0\0\0\0\0end");
    assert_eq!(f.pread(&mut buf, -1).err(), Some(Errno::EINVAL));
}

#[test]
fn readv_and_writev_fill_buffers_in_order() {
    let w = World::new();
    let f = w.open("/f", g::O_RDWR | g::O_CREAT, 0o644).unwrap();
    assert_eq!(f.writev(&[b"ab", b"", b"cde"]).unwrap(), 5);
    f.lseek(0, g::SEEK_SET).unwrap();
    let (mut a, mut b) = ([0u8; 3], [0u8; 4]);
    assert_eq!(f.readv(&mut [&mut a, &mut b]).unwrap(), 5);
    assert_eq!((&a, &b[..2]), (b"abc", &b"de"[..]));
}

#[test]
fn writes_by_others_clear_setuid() {
    let w = World::new();
    let f = crate::open::open(w.lk(), b"/s", g::O_RDWR | g::O_CREAT, 0o6777, 0, None).unwrap();
    f.write(b"root keeps the bits").unwrap();
    assert_eq!(f.inode().attr().mode & 0o7777, 0o6777);
    let alice = w.as_user(Cred::user(1000, 1000, &[]));
    let g2 = alice.open("/s", g::O_WRONLY, 0).unwrap();
    g2.write(b"x").unwrap();
    assert_eq!(f.inode().attr().mode & 0o7777, 0o0777);
}

#[test]
fn a_transfer_past_the_largest_offset_is_einval_and_changes_nothing() {
    let w = World::new();
    let f = w.open("/big", g::O_RDWR | g::O_CREAT, 0o644).unwrap();
    let last = i64::MAX - 1;
    assert_eq!(f.pwrite(b"ab", last), Err(Errno::EINVAL));
    assert_eq!(f.inode().attr().size, 0);
    f.lseek(last, g::SEEK_SET).unwrap();
    assert_eq!(f.write(b"ab"), Err(Errno::EINVAL));
    let mut buf = [0u8; 2];
    assert_eq!(f.read(&mut buf), Err(Errno::EINVAL));
    // Ending exactly at the largest offset is allowed.
    assert_eq!(f.write(b"a"), Ok(1));
    assert_eq!(f.inode().attr().size, i64::MAX as u64);
}

#[test]
fn a_fixed_size_seek_stops_at_the_end_and_answers_data_and_holes() {
    let w = World::new();
    let f = w.write_file("/dev-like", b"");
    let mut pos = 0;
    assert_eq!(
        f.fixed_size_llseek(&mut pos, 4096, g::SEEK_SET, 4096),
        Ok(4096)
    );
    assert_eq!(
        f.fixed_size_llseek(&mut pos, 1, g::SEEK_CUR, 4096),
        Err(Errno::EINVAL)
    );
    assert_eq!(pos, 4096);
    assert_eq!(
        f.fixed_size_llseek(&mut pos, -96, g::SEEK_END, 4096),
        Ok(4000)
    );
    assert_eq!(
        f.fixed_size_llseek(&mut pos, 10, g::SEEK_DATA, 4096),
        Ok(10)
    );
    assert_eq!(
        f.fixed_size_llseek(&mut pos, 10, g::SEEK_HOLE, 4096),
        Ok(4096)
    );
    assert_eq!(
        f.fixed_size_llseek(&mut pos, 4096, g::SEEK_DATA, 4096),
        Err(Errno::ENXIO)
    );
}
