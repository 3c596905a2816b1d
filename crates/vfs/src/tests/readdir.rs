//! Tests of getdents64: byte-exact records, resumption, and the error cases.

use alloc::vec::Vec;

use linux_raw_sys::general as g;

use super::*;
use crate::create::{mkdirat, symlinkat};
use crate::testing::World;

/// One decoded record: (d_ino, d_off, d_reclen, d_type, name).
type Rec = (u64, i64, u16, u8, Vec<u8>);

fn decode(buf: &[u8]) -> Vec<Rec> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        let r = &buf[at..];
        let ino = u64::from_le_bytes(r[0..8].try_into().unwrap());
        let off = i64::from_le_bytes(r[8..16].try_into().unwrap());
        let reclen = u16::from_le_bytes(r[16..18].try_into().unwrap());
        let end = 19 + r[19..].iter().position(|&b| b == 0).unwrap();
        assert_eq!(reclen % 8, 0, "records are 8-byte aligned");
        assert!(
            r[end..reclen as usize].iter().all(|&b| b == 0),
            "padding is zero"
        );
        out.push((ino, off, reclen, r[18], r[19..end].to_vec()));
        at += reclen as usize;
    }
    out
}

#[test]
fn records_are_byte_exact_with_dots_first() {
    let w = World::new();
    mkdirat(w.lk(), b"/d", 0o755, 0).unwrap();
    let f = w.write_file("/d/file", b"");
    let sub = w.mkdir("/d/sub").unwrap();
    symlinkat(w.lk(), b"x", b"/d/a-much-longer-symlink-name").unwrap();
    let dir = w.open("/d", g::O_RDONLY | g::O_DIRECTORY, 0).unwrap();
    let d_ino = dir.inode().ino();
    let root_ino = w.root.inode().ino();

    let mut buf = [0xaau8; 512];
    let n = getdents64(&dir, &mut buf).unwrap();
    let recs = decode(&buf[..n]);
    let want: Vec<Rec> = alloc::vec![
        (d_ino, 1, 24, g::DT_DIR as u8, b".".to_vec()),
        (root_ino, 2, 24, g::DT_DIR as u8, b"..".to_vec()),
        (f.inode().ino(), 3, 24, g::DT_REG as u8, b"file".to_vec()),
        (sub.inode().ino(), 4, 24, g::DT_DIR as u8, b"sub".to_vec()),
        (
            recs[4].0,
            5,
            48,
            g::DT_LNK as u8,
            b"a-much-longer-symlink-name".to_vec()
        ),
    ];
    assert_eq!(recs, want);
    assert_eq!(n, 24 * 4 + 48);
    // The raw bytes of the first record, field by field.
    assert_eq!(&buf[0..8], &d_ino.to_le_bytes());
    assert_eq!(&buf[8..16], &1i64.to_le_bytes());
    assert_eq!(&buf[16..18], &24u16.to_le_bytes());
    assert_eq!(buf[18], 4);
    assert_eq!(&buf[19..24], b".\0\0\0\0");
    assert_eq!(getdents64(&dir, &mut buf).unwrap(), 0);
}

#[test]
fn small_buffers_resume_where_they_stopped() {
    let w = World::new();
    for name in ["a", "b", "c"] {
        w.write_file(&format!("/{name}"), b"");
    }
    let dir = w.open("/", g::O_RDONLY, 0).unwrap();
    let mut names = Vec::new();
    let mut buf = [0u8; 50];
    loop {
        let n = getdents64(&dir, &mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(n <= 48);
        names.extend(decode(&buf[..n]).into_iter().map(|r| r.4));
    }
    assert_eq!(names, [&b"."[..], b"..", b"a", b"b", b"c"]);
    dir.lseek(3, g::SEEK_SET).unwrap();
    let n = getdents64(&dir, &mut buf).unwrap();
    assert_eq!(decode(&buf[..n])[0].4, b"b");
}

#[test]
fn errors_for_tiny_buffers_files_and_o_path() {
    let w = World::new();
    let dir = w.open("/", g::O_RDONLY, 0).unwrap();
    assert_eq!(getdents64(&dir, &mut [0u8; 23]), Err(Errno::EINVAL));
    let f = w.write_file("/f", b"");
    assert_eq!(getdents64(&f, &mut [0u8; 64]), Err(Errno::ENOTDIR));
    let p = w.open("/", g::O_PATH, 0).unwrap();
    assert_eq!(getdents64(&p, &mut [0u8; 64]), Err(Errno::EBADF));
}

#[test]
fn entries_removed_during_a_listing_are_not_repeated() {
    let w = World::new();
    for name in ["a", "b", "c", "d"] {
        w.write_file(&format!("/{name}"), b"");
    }
    let dir = w.open("/", g::O_RDONLY, 0).unwrap();
    let mut buf = [0u8; 72];
    let n = getdents64(&dir, &mut buf).unwrap();
    assert_eq!(decode(&buf[..n]).len(), 3);
    crate::remove::unlink(w.lk(), b"/a").unwrap();
    crate::remove::unlink(w.lk(), b"/c").unwrap();
    let n = getdents64(&dir, &mut buf).unwrap();
    let rest: Vec<_> = decode(&buf[..n]).into_iter().map(|r| r.4).collect();
    assert_eq!(rest, [&b"b"[..], b"d"]);
}
