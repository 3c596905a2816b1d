//! Name operations (Linux: fs/namei.c, fs/stat.c, fs/readdir.c):
//! mkdir, unlink, rmdir, readlink, access, stat and getdents64.

use linux_raw_sys::errno::{EBADF, EFAULT, EINVAL, ENOENT};
use linux_raw_sys::general::{
    AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_REMOVEDIR, AT_STATX_SYNC_TYPE,
    AT_SYMLINK_NOFOLLOW, STATX__RESERVED,
};
use vfs::Lookup;

use crate::fs::open::{lookup_context, user_path};
use crate::fs::read_write::fget;
use crate::kernel::sys::err;
use crate::mm::uaccess;

/// Run `f` with the lookup context of `dirfd` and the user path at `path`.
fn with_path(dirfd: u64, path: u64, f: impl FnOnce(Lookup<'_>, &[u8], u32) -> i64) -> i64 {
    let path = match user_path(path) {
        Ok(p) => p,
        Err(e) => return e,
    };
    match lookup_context(dirfd) {
        Ok((root, base, cred, umask)) => f(Lookup::new(&root, &base, &cred), &path, umask),
        Err(e) => e,
    }
}

fn ret(r: vfs::Result<()>) -> i64 {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_ret(),
    }
}

pub fn sys_mkdirat(dirfd: u64, path: u64, mode: u64) -> i64 {
    with_path(dirfd, path, |lk, p, umask| {
        ret(vfs::mkdirat(lk, p, mode as u32, umask).map(|_| ()))
    })
}

pub fn sys_unlinkat(dirfd: u64, path: u64, flags: u64) -> i64 {
    if flags as u32 & !AT_REMOVEDIR != 0 {
        return err(EINVAL);
    }
    with_path(dirfd, path, |lk, p, _| {
        ret(vfs::unlinkat(lk, p, flags as u32))
    })
}

pub fn sys_readlinkat(dirfd: u64, path: u64, buf: u64, size: u64) -> i64 {
    if (size as i64) <= 0 {
        return err(EINVAL);
    }
    with_path(dirfd, path, |lk, p, _| match vfs::readlinkat(lk, p) {
        Ok(target) => {
            let n = target.len().min(size as usize);
            match uaccess::copy_to_user(buf, &target[..n]) {
                Ok(()) => n as i64,
                Err(_) => err(EFAULT),
            }
        }
        Err(e) => e.to_ret(),
    })
}

pub fn sys_faccessat(dirfd: u64, path: u64, mode: u64, flags: u64) -> i64 {
    with_path(dirfd, path, |lk, p, _| {
        ret(vfs::faccessat(lk, p, mode as u32, flags as u32))
    })
}

fn put_stat(buf: u64, inode: &vfs::Inode) -> i64 {
    let bytes = vfs::stat::stat_bytes(&vfs::stat::stat(inode));
    match uaccess::copy_to_user(buf, &bytes) {
        Ok(()) => 0,
        Err(_) => err(EFAULT),
    }
}

pub fn sys_fstat(fd: u64, buf: u64) -> i64 {
    match fget(fd) {
        Ok(f) => put_stat(buf, f.inode()),
        Err(e) => e,
    }
}

pub fn sys_newfstatat(dirfd: u64, path: u64, buf: u64, flags: u64) -> i64 {
    let flags = flags as u32;
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return err(EINVAL);
    }
    match stat_target(dirfd, path, flags) {
        Ok(found) => put_stat(buf, &found.inode()),
        Err(e) => e,
    }
}

/// The file a stat call names: the path (its last link followed unless
/// AT_SYMLINK_NOFOLLOW), or with AT_EMPTY_PATH and an
/// empty path the file open on `dirfd` (any type) or the working
/// directory. An empty path without the flag is ENOENT, before `dirfd` is
/// looked at (Linux: getname_flags).
fn stat_target(dirfd: u64, path: u64, flags: u32) -> Result<vfs::Path, i64> {
    let name = user_path(path)?;
    if !name.is_empty() {
        let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
        let (root, base, cred, _) = lookup_context(dirfd)?;
        return vfs::resolve(Lookup::new(&root, &base, &cred), &name, follow)
            .map_err(|e| e.to_ret());
    }
    if flags & AT_EMPTY_PATH == 0 {
        return Err(err(ENOENT));
    }
    if dirfd as i32 == AT_FDCWD {
        return crate::kernel::task::current_fs()
            .map(|fs| fs.cwd)
            .ok_or(err(EBADF));
    }
    fget(dirfd).map(|file| file.path().clone())
}

/// statx(2): the path's attributes in a struct statx. AT_EMPTY_PATH with
/// an empty path names the file open on `dirfd`, whatever its type.
pub fn sys_statx(dirfd: u64, path: u64, flags: u64, mask: u64, buf: u64) -> i64 {
    let flags = flags as u32;
    let allowed = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE;
    let sync = flags & AT_STATX_SYNC_TYPE;
    if flags & !allowed != 0 || sync == AT_STATX_SYNC_TYPE || mask as u32 & STATX__RESERVED != 0 {
        return err(EINVAL);
    }
    let bytes = match stat_target(dirfd, path, flags) {
        Ok(found) => vfs::stat::statx_bytes(&vfs::stat::statx(&found)),
        Err(e) => return e,
    };
    match uaccess::copy_to_user(buf, &bytes) {
        Ok(()) => 0,
        Err(_) => err(EFAULT),
    }
}

/// mknodat(2): `dev` is the 32-bit device number of the system call
/// (Linux: new_decode_dev), 12 bits of major and 20 of minor.
pub fn sys_mknodat(dirfd: u64, path: u64, mode: u64, dev: u64) -> i64 {
    let dev = dev as u32;
    let (major, minor) = ((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
    with_path(dirfd, path, |lk, p, umask| {
        ret(vfs::mknodat(lk, p, mode as u32, vfs::makedev(major, minor), umask).map(|_| ()))
    })
}

/// symlinkat(2): a link at `path` (relative to `dirfd`) holding `target`.
pub fn sys_symlinkat(target: u64, dirfd: u64, path: u64) -> i64 {
    let target = match user_path(target) {
        Ok(t) => t,
        Err(e) => return e,
    };
    with_path(dirfd, path, |lk, p, _| {
        ret(vfs::symlinkat(lk, &target, p).map(|_| ()))
    })
}

pub fn sys_stat(path: u64, buf: u64) -> i64 {
    sys_newfstatat(AT_FDCWD as u64, path, buf, 0)
}

pub fn sys_lstat(path: u64, buf: u64) -> i64 {
    sys_newfstatat(AT_FDCWD as u64, path, buf, AT_SYMLINK_NOFOLLOW as u64)
}

pub fn sys_getdents64(fd: u64, buf: u64, count: u64) -> i64 {
    let file = match fget(fd) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let mut kbuf = alloc::vec![0u8; (count as usize).min(64 * 1024)];
    match vfs::getdents64(&file, &mut kbuf) {
        Ok(n) => match uaccess::copy_to_user(buf, &kbuf[..n]) {
            Ok(()) => n as i64,
            Err(_) => err(EFAULT),
        },
        Err(e) => e.to_ret(),
    }
}
