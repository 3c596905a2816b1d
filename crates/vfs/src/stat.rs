//! stat(2), statx(2) and statfs(2) records (Linux's fs/stat.c cp_new_stat and
//! cp_statx, fs/statfs.c): the x86_64 `struct stat` (144 bytes) and `struct statx`
//! (256 bytes) from linux-raw-sys, filled from an inode and written out as bytes.

use linux_raw_sys::general as g;

use crate::inode::{major, minor, Inode};
use crate::mount::Path;

/// The block size stat reports for I/O (st_blksize).
pub const BLKSIZE: u32 = 4096;

/// The `struct stat` of an inode (cp_new_stat).
pub fn stat(inode: &Inode) -> g::stat {
    let a = inode.attr();
    g::stat {
        st_dev: inode.dev(),
        st_ino: inode.ino(),
        st_nlink: u64::from(a.nlink),
        st_mode: a.mode,
        st_uid: a.uid,
        st_gid: a.gid,
        __pad0: 0,
        st_rdev: a.rdev,
        st_size: a.size as i64,
        st_blksize: i64::from(BLKSIZE),
        st_blocks: a.blocks as i64,
        st_atime: a.atime.sec as u64,
        st_atime_nsec: u64::from(a.atime.nsec),
        st_mtime: a.mtime.sec as u64,
        st_mtime_nsec: u64::from(a.mtime.nsec),
        st_ctime: a.ctime.sec as u64,
        st_ctime_nsec: u64::from(a.ctime.nsec),
        __unused: [0; 3],
    }
}

/// The 144 bytes of a `struct stat`, as user space reads them.
pub fn stat_bytes(st: &g::stat) -> [u8; 144] {
    let words: [u64; 18] = [
        st.st_dev,
        st.st_ino,
        st.st_nlink,
        u64::from(st.st_mode) | u64::from(st.st_uid) << 32,
        u64::from(st.st_gid) | u64::from(st.__pad0) << 32,
        st.st_rdev,
        st.st_size as u64,
        st.st_blksize as u64,
        st.st_blocks as u64,
        st.st_atime,
        st.st_atime_nsec,
        st.st_mtime,
        st.st_mtime_nsec,
        st.st_ctime,
        st.st_ctime_nsec,
        0,
        0,
        0,
    ];
    let mut out = [0u8; 144];
    for (chunk, w) in out.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    out
}

fn ts(t: crate::time::Timespec) -> g::statx_timestamp {
    g::statx_timestamp {
        tv_sec: t.sec,
        tv_nsec: t.nsec,
        __reserved: 0,
    }
}

/// The `struct statx` of a path (cp_statx): every basic field and the mount id; no
/// birth time. STATX_ATTR_MOUNT_ROOT tells a mount's root.
pub fn statx(path: &Path) -> g::statx {
    let inode = path.inode();
    let a = inode.attr();
    let zero = ts(crate::time::Timespec::default());
    let attributes = if path.is_mount_root() {
        u64::from(g::STATX_ATTR_MOUNT_ROOT)
    } else {
        0
    };
    g::statx {
        stx_mask: g::STATX_BASIC_STATS | g::STATX_MNT_ID,
        stx_blksize: BLKSIZE,
        stx_attributes: attributes,
        stx_nlink: a.nlink,
        stx_uid: a.uid,
        stx_gid: a.gid,
        stx_mode: a.mode as u16,
        __spare0: [0],
        stx_ino: inode.ino(),
        stx_size: a.size,
        stx_blocks: a.blocks,
        stx_attributes_mask: u64::from(g::STATX_ATTR_MOUNT_ROOT),
        stx_atime: ts(a.atime),
        stx_btime: zero,
        stx_ctime: ts(a.ctime),
        stx_mtime: ts(a.mtime),
        stx_rdev_major: major(a.rdev),
        stx_rdev_minor: minor(a.rdev),
        stx_dev_major: major(inode.dev()),
        stx_dev_minor: minor(inode.dev()),
        stx_mnt_id: u64::from(path.mnt.id()),
        stx_dio_mem_align: 0,
        stx_dio_offset_align: 0,
        stx_subvol: 0,
        stx_atomic_write_unit_min: 0,
        stx_atomic_write_unit_max: 0,
        stx_atomic_write_segments_max: 0,
        stx_dio_read_offset_align: 0,
        stx_atomic_write_unit_max_opt: 0,
        __spare2: [0],
        __spare3: [0; 8],
    }
}

/// The 256 bytes of a `struct statx`.
pub fn statx_bytes(s: &g::statx) -> [u8; 256] {
    let mut out = [0u8; 256];
    let mut at = 0;
    let mut put = |bytes: &[u8]| {
        out[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    };
    put(&s.stx_mask.to_le_bytes());
    put(&s.stx_blksize.to_le_bytes());
    put(&s.stx_attributes.to_le_bytes());
    put(&s.stx_nlink.to_le_bytes());
    put(&s.stx_uid.to_le_bytes());
    put(&s.stx_gid.to_le_bytes());
    put(&s.stx_mode.to_le_bytes());
    put(&[0, 0]);
    put(&s.stx_ino.to_le_bytes());
    put(&s.stx_size.to_le_bytes());
    put(&s.stx_blocks.to_le_bytes());
    put(&s.stx_attributes_mask.to_le_bytes());
    for t in [&s.stx_atime, &s.stx_btime, &s.stx_ctime, &s.stx_mtime] {
        put(&t.tv_sec.to_le_bytes());
        put(&t.tv_nsec.to_le_bytes());
        put(&[0; 4]);
    }
    put(&s.stx_rdev_major.to_le_bytes());
    put(&s.stx_rdev_minor.to_le_bytes());
    put(&s.stx_dev_major.to_le_bytes());
    put(&s.stx_dev_minor.to_le_bytes());
    put(&s.stx_mnt_id.to_le_bytes());
    out
}

/// The `struct statfs` of the filesystem under a path (statfs(2)).
pub fn statfs(path: &Path) -> g::statfs {
    let s = path.mnt.fs().statfs();
    let dev = path.mnt.fs().dev();
    g::statfs {
        f_type: s.magic as i64,
        f_bsize: s.block_size as i64,
        f_blocks: s.blocks as i64,
        f_bfree: s.blocks_free as i64,
        f_bavail: s.blocks_avail as i64,
        f_files: s.files as i64,
        f_ffree: s.files_free as i64,
        f_fsid: g::__kernel_fsid_t {
            val: [dev as i32, (dev >> 32) as i32],
        },
        f_namelen: s.name_max as i64,
        f_frsize: s.block_size as i64,
        f_flags: 0,
        f_spare: [0; 4],
    }
}

#[cfg(test)]
#[path = "tests/stat.rs"]
mod tests;
