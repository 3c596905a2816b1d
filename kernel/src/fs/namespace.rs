//! mount(2), umount2(2), statfs(2) and the filesystem types (Linux: fs/namespace.c,
//! fs/filesystems.c, fs/statfs.c).
//!
//! A new mount makes a fresh instance of its type (tmpfs, ramfs, proc, sysfs,
//! devtmpfs) on a directory; MS_BIND shows a directory or file a second time,
//! MS_REMOUNT changes the flags of a mount root. The flags are kept and shown in
//! /proc/mounts: MS_RDONLY refuses changes (EROFS, in crates/vfs), MS_NOEXEC refuses
//! execve and MS_NODEV device opens (EACCES). Only a caller with CAP_SYS_ADMIN
//! (effective root here) may mount. The options text of a tmpfs mount sets its
//! limits and root (crates/vfs ramfs/options.rs); a remount may change the limits.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use linux_raw_sys::errno::{EFAULT, EINVAL, ENODEV, EPERM};
use linux_raw_sys::general::AT_FDCWD;
use vfs::{FileSystem, Lookup, RamFs};

use crate::fs::open::{lookup_context, user_path};
use crate::fs::read_write::fget;
use crate::kernel::sys::err;
use crate::kernel::task::with_current;
use crate::mm::uaccess;
use crate::pr_err;

const MS_RDONLY: u64 = 1;
const MS_NOSUID: u64 = 2;
const MS_NODEV: u64 = 4;
const MS_NOEXEC: u64 = 8;
const MS_REMOUNT: u64 = 32;
const MS_NOATIME: u64 = 1024;
const MS_BIND: u64 = 4096;
const MS_MOVE: u64 = 8192;
const MS_RELATIME: u64 = 1 << 21;
const MS_STRICTATIME: u64 = 1 << 24;
/// The magic number older programs put in the top half of the flags.
const MS_MGC_MSK: u64 = 0xffff_0000;
const MS_MGC_VAL: u64 = 0xc0ed_0000;
/// Flags kept on the mount and shown in /proc/mounts.
const MNT_FLAGS: u64 = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME;

/// umount2's flags.
const MNT_FORCE: u64 = 1;
const MNT_DETACH: u64 = 2;
const MNT_EXPIRE: u64 = 4;
const UMOUNT_NOFOLLOW: u64 = 8;

/// The types mount(2) knows, in Linux's registration order, and whether they need
/// a block device (none here does: all are "nodev").
pub const FILESYSTEMS: &[&str] = &["sysfs", "tmpfs", "proc", "devtmpfs", "ramfs"];

/// The text of /proc/filesystems.
pub fn proc_filesystems() -> String {
    procfmt::filesystems(FILESYSTEMS.iter().map(|&n| (n, true)))
}

/// A new instance of the type `name` with the options text `data`; ENODEV for a
/// type noyau does not have. Only tmpfs reads its options.
fn new_instance(name: &[u8], data: &[u8]) -> Result<Arc<dyn FileSystem>, i64> {
    Ok(match name {
        b"tmpfs" => {
            let opts = vfs::ramfs::parse_tmpfs_options(data, vfs::ramfs::total_pages())
                .map_err(param_error)?;
            RamFs::new_tmpfs_with(&opts)
        }
        b"ramfs" => RamFs::new_ramfs(),
        b"proc" => crate::fs::proc::new_instance(),
        b"sysfs" => crate::fs::sysfs::new_instance(),
        // devtmpfs is one instance however often it is mounted, as on Linux.
        b"devtmpfs" => crate::fs::devtmpfs::instance(),
        _ => return Err(err(ENODEV)),
    })
}

/// EINVAL for refused options, logged as Linux's fs_context logs them.
fn param_error(e: vfs::ParamError) -> i64 {
    pr_err!("tmpfs: {}", e);
    err(EINVAL)
}

/// The options page of mount(2) as a string (copy_mount_options): what can be read
/// of one page, up to its NUL; EFAULT only when nothing can.
fn mount_options(addr: u64) -> Result<Vec<u8>, i64> {
    if addr == 0 {
        return Ok(Vec::new());
    }
    let mut page = vec![0u8; 4096];
    let n = uaccess::copy_from_user_partial(&mut page, addr);
    if n == 0 {
        return Err(err(EFAULT));
    }
    // Linux ends the page with a NUL whatever it holds.
    page.truncate(n.min(4095));
    if let Some(nul) = page.iter().position(|&b| b == 0) {
        page.truncate(nul);
    }
    Ok(page)
}

/// A string argument that may be NULL.
fn optional_string(addr: u64) -> Result<Option<Vec<u8>>, i64> {
    if addr == 0 {
        return Ok(None);
    }
    user_path(addr).map(Some)
}

/// The mount flags from mount(2)'s flags: relatime unless noatime or strictatime.
fn mount_flags(flags: u64) -> u32 {
    let mut out = flags & MNT_FLAGS;
    if flags & (MS_NOATIME | MS_STRICTATIME) == 0 {
        out |= MS_RELATIME;
    }
    out as u32
}

/// mount(2).
pub fn sys_mount(source: u64, target: u64, fstype: u64, flags: u64, data: u64) -> i64 {
    match do_mount(source, target, fstype, flags, data) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

fn do_mount(source: u64, target: u64, fstype: u64, flags: u64, data: u64) -> Result<(), i64> {
    // Linux's order: the strings, then the target's lookup, then the privilege.
    let fstype = optional_string(fstype)?;
    let source = optional_string(source)?;
    let data = mount_options(data)?;
    let target = user_path(target)?;
    let ns = crate::fs::rootfs::namespace().ok_or(err(EINVAL))?;
    let (root, base, cred, _) = lookup_context(AT_FDCWD as u64)?;
    let at =
        vfs::resolve(Lookup::new(&root, &base, &cred), &target, true).map_err(|e| e.to_ret())?;
    drop((root, base));
    if !with_current(|t| crate::kernel::cred::capable(&t.cred)) {
        return Err(err(EPERM));
    }
    let flags = if flags & MS_MGC_MSK == MS_MGC_VAL {
        flags & !MS_MGC_MSK
    } else {
        flags
    };

    if flags & MS_REMOUNT != 0 {
        if !at.is_mount_root() {
            return Err(err(EINVAL));
        }
        // MS_BIND with MS_REMOUNT changes the mount alone (do_reconfigure_mnt).
        if flags & MS_BIND == 0 {
            at.mnt.fs().reconfigure(&data).map_err(param_error)?;
        }
        at.mnt.set_flags(mount_flags(flags));
        return Ok(());
    }
    if flags & MS_BIND != 0 {
        // The source is a path here (do_loopback); MS_REC is taken as a plain bind.
        let source = source.filter(|s| !s.is_empty()).ok_or(err(EINVAL))?;
        let (root, base, cred, _) = lookup_context(AT_FDCWD as u64)?;
        let from = vfs::resolve(Lookup::new(&root, &base, &cred), &source, true)
            .map_err(|e| e.to_ret())?;
        drop((root, base));
        return ns
            .bind(&at, &from, mount_flags(flags))
            .map(|_| ())
            .map_err(|e| e.to_ret());
    }
    if flags & MS_MOVE != 0 {
        // Moving a mount is not there yet.
        return Err(err(EINVAL));
    }
    let fstype = fstype.ok_or(err(EINVAL))?;
    let fs = new_instance(&fstype, &data)?;
    let source = source.unwrap_or_else(|| b"none".to_vec());
    mount_at(ns, &at, fs, &source, flags)
}

fn mount_at(
    ns: &vfs::MountNamespace,
    at: &vfs::Path,
    fs: Arc<dyn FileSystem>,
    source: &[u8],
    flags: u64,
) -> Result<(), i64> {
    ns.mount_with_flags(at, fs, source, mount_flags(flags))
        .map(|_| ())
        .map_err(|e| e.to_ret())
}

/// umount2(2), in Linux's order: EINVAL for unknown flags, the lookup's error,
/// EPERM, EINVAL for a path that is not a mount's root or MNT_EXPIRE with another
/// flag, EINVAL for the root mount, EBUSY for a mount in use (unless MNT_DETACH).
pub fn sys_umount2(target: u64, flags: u64) -> i64 {
    match do_umount(target, flags) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

fn do_umount(target: u64, flags: u64) -> Result<(), i64> {
    if flags & !(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW) != 0 {
        return Err(err(EINVAL));
    }
    let target = user_path(target)?;
    let ns = crate::fs::rootfs::namespace().ok_or(err(EINVAL))?;
    let (root, base, cred, _) = lookup_context(AT_FDCWD as u64)?;
    let follow = flags & UMOUNT_NOFOLLOW == 0;
    let at =
        vfs::resolve(Lookup::new(&root, &base, &cred), &target, follow).map_err(|e| e.to_ret())?;
    drop((root, base));
    if !with_current(|t| crate::kernel::cred::capable(&t.cred)) {
        return Err(err(EPERM));
    }
    if !at.is_mount_root() {
        return Err(err(EINVAL));
    }
    if flags & MNT_EXPIRE != 0 && flags & (MNT_FORCE | MNT_DETACH) != 0 {
        return Err(err(EINVAL));
    }
    ns.umount_flags(at, flags & MNT_DETACH != 0)
        .map_err(|e| e.to_ret())
}

/// The statfs record of the filesystem under `path`, as 120 bytes.
fn statfs_bytes(path: &vfs::Path) -> [u8; 120] {
    let s = vfs::stat::statfs(path);
    let blocks = (s.f_blocks, s.f_bfree, s.f_bavail);
    let mflags = u64::from(path.mnt.flags());
    // ST_RDONLY .. ST_NOEXEC are the MS_ bits; ST_VALID says f_flags is filled in.
    let st_flags = (mflags & 15) | 0x20 | if mflags & MS_NOATIME != 0 { 1024 } else { 0 };
    let words: [i64; 11] = [
        s.f_type,
        s.f_bsize,
        blocks.0,
        blocks.1,
        blocks.2,
        s.f_files,
        s.f_ffree,
        (s.f_fsid.val[0] as u32 as i64) | (i64::from(s.f_fsid.val[1]) << 32),
        s.f_namelen,
        s.f_frsize,
        st_flags as i64,
    ];
    let mut out = [0u8; 120];
    for (i, w) in words.iter().enumerate() {
        out[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
    }
    out
}

fn put_statfs(buf: u64, path: &vfs::Path) -> i64 {
    let bytes = statfs_bytes(path);
    match uaccess::copy_to_user(buf, &bytes) {
        Ok(()) => 0,
        Err(_) => err(EFAULT),
    }
}

/// statfs(2).
pub fn sys_statfs(path: u64, buf: u64) -> i64 {
    let name = match user_path(path) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let found = match lookup_context(AT_FDCWD as u64) {
        Ok((root, base, cred, _)) => vfs::resolve(Lookup::new(&root, &base, &cred), &name, true),
        Err(e) => return e,
    };
    match found {
        Ok(p) => put_statfs(buf, &p),
        Err(e) => e.to_ret(),
    }
}

/// fstatfs(2).
pub fn sys_fstatfs(fd: u64, buf: u64) -> i64 {
    match fget(fd) {
        Ok(f) => put_statfs(buf, f.path()),
        Err(e) => e,
    }
}

/// The text of /proc/PID/mountinfo for a task whose root is `root`.
pub fn proc_mountinfo(root: &vfs::Path) -> String {
    let mut out = String::new();
    let Some(ns) = crate::fs::rootfs::namespace() else {
        return out;
    };
    let rootfs = Arc::as_ptr(ns.root().mnt.fs()) as *const u8;
    for m in ns.mounts() {
        let (point, parent_id) = match m.parent() {
            Some((mnt, dentry)) => {
                let id = mnt.id();
                (vfs::d_path(&vfs::Path { mnt, dentry }, root), id)
            }
            None => (b"/".to_vec(), m.id()),
        };
        let is_rootfs = core::ptr::eq(Arc::as_ptr(m.fs()) as *const u8, rootfs);
        let dev = m.fs().dev();
        let line = procfmt::MountInfo {
            id: m.id(),
            parent_id,
            major: vfs::major(dev),
            minor: vfs::minor(dev),
            root: &vfs::d_path::dentry_path(m.root()),
            mountpoint: &point,
            flags: m.flags(),
            fstype: if is_rootfs { "rootfs" } else { m.fs().name() },
            source: m.source(),
            fs_options: &m.fs().show_options(),
        };
        procfmt::mountinfo_line(&mut out, &line);
    }
    out
}

/// The text of /proc/mounts for a reader whose root is `root`.
pub fn proc_mounts(root: &vfs::Path) -> String {
    let mut out = String::new();
    let Some(ns) = crate::fs::rootfs::namespace() else {
        return out;
    };
    // The initramfs's tmpfs is "rootfs" wherever it shows, bind mounts too.
    let rootfs = Arc::as_ptr(ns.root().mnt.fs()) as *const u8;
    for m in ns.mounts() {
        let point = match m.parent() {
            Some((mnt, dentry)) => vfs::d_path(&vfs::Path { mnt, dentry }, root),
            None => b"/".to_vec(),
        };
        let is_rootfs = core::ptr::eq(Arc::as_ptr(m.fs()) as *const u8, rootfs);
        let fstype = if is_rootfs { "rootfs" } else { m.fs().name() };
        let opts = m.fs().show_options();
        procfmt::mount_line(&mut out, m.source(), &point, fstype, m.flags(), &opts);
    }
    out
}
