//! Tests of the stat, statx and statfs records.

use super::*;
use crate::create::mknodat;
use crate::inode::makedev;
use crate::testing::World;

#[test]
fn struct_stat_is_144_bytes_in_linux_order() {
    assert_eq!(core::mem::size_of::<g::stat>(), 144);
    let w = World::new();
    let f = w.write_file("/f", b"12345");
    let st = stat(f.inode());
    assert_eq!(st.st_mode, g::S_IFREG | 0o644);
    assert_eq!(
        (st.st_size, st.st_nlink, st.st_blksize, st.st_blocks),
        (5, 1, 4096, 8)
    );
    let b = stat_bytes(&st);
    assert_eq!(&b[8..16], &f.inode().ino().to_le_bytes());
    assert_eq!(&b[16..24], &1u64.to_le_bytes());
    assert_eq!(&b[24..28], &(g::S_IFREG | 0o644).to_le_bytes());
    assert_eq!(&b[48..56], &5i64.to_le_bytes());
    assert_eq!(&b[0..8], &f.inode().dev().to_le_bytes());
}

#[test]
fn device_numbers_show_in_stat_and_statx() {
    let w = World::new();
    let p = mknodat(w.lk(), b"/console", g::S_IFCHR | 0o600, makedev(5, 1), 0).unwrap();
    let st = stat(&p.inode());
    assert_eq!(st.st_rdev, 0x501);
    let b = stat_bytes(&st);
    assert_eq!(&b[40..48], &0x501u64.to_le_bytes());
    let sx = statx(&p);
    assert_eq!((sx.stx_rdev_major, sx.stx_rdev_minor), (5, 1));
    assert_eq!(sx.stx_mask, g::STATX_BASIC_STATS | g::STATX_MNT_ID);
    assert_eq!(sx.stx_attributes & u64::from(g::STATX_ATTR_MOUNT_ROOT), 0);
    let xb = statx_bytes(&sx);
    assert_eq!(&xb[28..30], &((g::S_IFCHR | 0o600) as u16).to_le_bytes());
    assert_eq!(&xb[128..136], &[5, 0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(&xb[144..152], &1u64.to_le_bytes());
    assert_eq!(core::mem::size_of::<g::statx>(), 256);
}

#[test]
fn statx_marks_mount_roots_and_statfs_names_the_type() {
    let w = World::new();
    let sx = statx(&w.root);
    assert_ne!(sx.stx_attributes & u64::from(g::STATX_ATTR_MOUNT_ROOT), 0);
    assert_eq!(sx.stx_nlink, 2);
    let fs = statfs(&w.root);
    assert_eq!(fs.f_type, i64::from(g::RAMFS_MAGIC));
    assert_eq!((fs.f_bsize, fs.f_namelen), (4096, 255));
}
