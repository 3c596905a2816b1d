//! The system calls that change a file's attributes (Linux: fs/open.c
//! chmod_common, chown_common, do_truncate, vfs_fallocate; fs/utimes.c):
//! the chmod, chown and truncate families, utimensat and fallocate. The
//! rules of who may change what live in crates/vfs (attr.rs); here the
//! arguments are read and the file found.

use linux_raw_sys::errno::{EBADF, EFAULT, EINVAL, EOPNOTSUPP};
use linux_raw_sys::general::{AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, UTIME_NOW, UTIME_OMIT};
use vfs::time::{current_time, Timespec};
use vfs::{Lookup, Path};

use crate::fs::open::{lookup_context, user_path};
use crate::fs::read_write::fget;
use crate::kernel::cred::current_fs_cred;
use crate::kernel::sys::err;
use crate::mm::uaccess;

fn ret(r: vfs::Result<()>) -> i64 {
    r.map_or_else(|e| e.to_ret(), |()| 0)
}

/// The file a path names from `dirfd` (its last link followed or not),
/// or with AT_EMPTY_PATH and an empty path the file open on `dirfd`.
fn target(dirfd: u64, path: u64, flags: u32) -> Result<Path, i64> {
    let name = user_path(path)?;
    if name.is_empty() && flags & AT_EMPTY_PATH != 0 && dirfd as i32 != AT_FDCWD {
        return fget(dirfd).map(|f| f.path().clone());
    }
    let (root, base, cred, _) = lookup_context(dirfd)?;
    let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
    vfs::resolve(Lookup::new(&root, &base, &cred), &name, follow).map_err(|e| e.to_ret())
}

/// fchmodat(2) (and chmod(2)): Linux's fchmodat takes no flags.
pub fn sys_fchmodat(dirfd: u64, path: u64, mode: u64) -> i64 {
    match target(dirfd, path, 0) {
        Ok(p) => ret(vfs::chmod(&p, mode as u32, &current_fs_cred())),
        Err(e) => e,
    }
}

pub fn sys_fchmod(fd: u64, mode: u64) -> i64 {
    match fget(fd) {
        Ok(f) => ret(vfs::chmod(f.path(), mode as u32, &current_fs_cred())),
        Err(e) => e,
    }
}

/// An id argument of chown: -1 keeps the id.
fn id(arg: u64) -> Option<u32> {
    (arg as u32 != u32::MAX).then_some(arg as u32)
}

/// fchownat(2) (and chown, lchown): flags AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH.
pub fn sys_fchownat(dirfd: u64, path: u64, uid: u64, gid: u64, flags: u64) -> i64 {
    let flags = flags as u32;
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return err(EINVAL);
    }
    match target(dirfd, path, flags) {
        Ok(p) => ret(vfs::chown(&p, id(uid), id(gid), &current_fs_cred())),
        Err(e) => e,
    }
}

pub fn sys_fchown(fd: u64, uid: u64, gid: u64) -> i64 {
    match fget(fd) {
        Ok(f) => ret(vfs::chown(f.path(), id(uid), id(gid), &current_fs_cred())),
        Err(e) => e,
    }
}

/// truncate(2): by path, with a write permission check.
pub fn sys_truncate(path: u64, length: u64) -> i64 {
    match target(AT_FDCWD as u64, path, 0) {
        Ok(p) => ret(vfs::truncate(
            &p.inode(),
            length as i64,
            &current_fs_cred(),
            Some(&p),
        )),
        Err(e) => e,
    }
}

/// ftruncate(2): the file must be open for writing (EINVAL otherwise, as
/// Linux says for a file it cannot truncate through this descriptor).
pub fn sys_ftruncate(fd: u64, length: u64) -> i64 {
    let file = match fget(fd) {
        Ok(f) => f,
        Err(e) => return e,
    };
    if file.fmode() & vfs::file::FMODE_WRITE == 0 {
        return err(EINVAL);
    }
    ret(vfs::truncate(
        file.inode(),
        length as i64,
        &current_fs_cred(),
        None,
    ))
}

const FALLOC_FL_KEEP_SIZE: u64 = 1;

/// fallocate(2) on memory-backed files: mode 0 grows the file to
/// offset + len (the pages come on first write), KEEP_SIZE changes nothing;
/// punching and collapsing ranges is EOPNOTSUPP.
pub fn sys_fallocate(fd: u64, mode: u64, offset: u64, len: u64) -> i64 {
    let (offset, len) = (offset as i64, len as i64);
    if offset < 0 || len <= 0 {
        return err(EINVAL);
    }
    let file = match fget(fd) {
        Ok(f) => f,
        Err(e) => return e,
    };
    if file.fmode() & vfs::file::FMODE_WRITE == 0 {
        return err(EBADF);
    }
    if mode & !FALLOC_FL_KEEP_SIZE != 0 {
        return err(EOPNOTSUPP);
    }
    let Some(end) = offset.checked_add(len) else {
        return err(linux_raw_sys::errno::EFBIG);
    };
    let inode = file.inode();
    if mode == 0 && end as u64 > inode.attr().size {
        return ret(vfs::truncate(inode, end, &current_fs_cred(), None));
    }
    match inode.file_type() {
        vfs::FileType::Regular => 0,
        vfs::FileType::Directory => err(linux_raw_sys::errno::EISDIR),
        _ => err(linux_raw_sys::errno::ENODEV),
    }
}

/// One time of utimensat's array: None to leave it (UTIME_OMIT), or the
/// time to set (UTIME_NOW is the current time).
fn utime(sec: i64, nsec: i64) -> Result<(Option<Timespec>, bool), i64> {
    match nsec {
        n if n == UTIME_OMIT as i64 => Ok((None, false)),
        n if n == UTIME_NOW as i64 => Ok((Some(current_time()), true)),
        n if (0..1_000_000_000).contains(&n) => Ok((Some(Timespec::new(sec, n as u32)), false)),
        _ => Err(err(EINVAL)),
    }
}

/// utimensat(2): `times` NULL sets both to now. Setting only "now" needs
/// the owner or write permission; explicit times need the owner (or
/// CAP_FOWNER), as Linux's utimes_common checks.
pub fn sys_utimensat(dirfd: u64, path: u64, times: u64, flags: u64) -> i64 {
    let flags = flags as u32;
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return err(EINVAL);
    }
    let (atime, mtime, only_now) = if times == 0 {
        let now = current_time();
        (Some(now), Some(now), true)
    } else {
        let mut b = [0u8; 32];
        if uaccess::copy_from_user(&mut b, times).is_err() {
            return err(EFAULT);
        }
        let word = |i: usize| i64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().expect("8"));
        let (a, m) = match (utime(word(0), word(1)), utime(word(2), word(3))) {
            (Ok(a), Ok(m)) => (a, m),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let explicit = (a.0.is_some() && !a.1) || (m.0.is_some() && !m.1);
        (a.0, m.0, !explicit)
    };
    // A NULL path names the file open on dirfd (Linux's futimens).
    let file = if path == 0 {
        fget(dirfd).map(|f| f.path().clone())
    } else {
        target(dirfd, path, flags)
    };
    let path = match file {
        Ok(p) => p,
        Err(e) => return e,
    };
    if atime.is_none() && mtime.is_none() {
        return 0;
    }
    let cred = current_fs_cred();
    if only_now {
        return ret(vfs::touch(&path, atime, mtime, &cred));
    }
    ret(vfs::set_times(&path, atime, mtime, &cred))
}

/// Run `f` on two paths, each with the lookup context of its directory
/// descriptor (linkat, renameat2).
fn with_two_paths(
    (olddirfd, oldpath): (u64, u64),
    (newdirfd, newpath): (u64, u64),
    f: impl FnOnce(Lookup<'_>, &[u8], Lookup<'_>, &[u8]) -> vfs::Result<()>,
) -> i64 {
    let (old, new) = match (user_path(oldpath), user_path(newpath)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let (a, b) = match (lookup_context(olddirfd), lookup_context(newdirfd)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    ret(f(
        Lookup::new(&a.0, &a.1, &a.2),
        &old,
        Lookup::new(&b.0, &b.1, &b.2),
        &new,
    ))
}

/// linkat(2) (and link): the flags are checked by the VFS.
pub fn sys_linkat(olddirfd: u64, oldpath: u64, newdirfd: u64, newpath: u64, flags: u64) -> i64 {
    with_two_paths((olddirfd, oldpath), (newdirfd, newpath), |o, op, n, np| {
        vfs::linkat(o, op, n, np, flags as u32).map(|_| ())
    })
}

/// renameat2(2) (and renameat, rename).
pub fn sys_renameat2(olddirfd: u64, oldpath: u64, newdirfd: u64, newpath: u64, flags: u64) -> i64 {
    with_two_paths((olddirfd, oldpath), (newdirfd, newpath), |o, op, n, np| {
        vfs::renameat2(o, op, n, np, flags as u32)
    })
}
