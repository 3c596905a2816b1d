//! Opening and closing files, descriptors and the working directory
//! (Linux: fs/open.c, fs/file.c, fs/fcntl.c, fs/d_path.c).
//!
//! A path from user space is resolved from the task's root and working
//! directory (or a directory descriptor), with its credentials, by
//! crates/vfs; device nodes are opened through fs/console.rs's table.

use alloc::vec::Vec;

use linux_raw_sys::errno::{EBADF, EFAULT, ENAMETOOLONG, ENOTDIR, EPERM, ERANGE};
use linux_raw_sys::general::{AT_FDCWD, O_CLOEXEC};
use vfs::{Cred, Lookup, Path};

use crate::fs::devices::DeviceOpen;
use crate::fs::read_write::fget;
use crate::kernel::sys::err;
use crate::kernel::task::{
    current_fs, with_current_files, with_current_fs, with_current_mm, FsContext,
};
use crate::mm::uaccess;

const PATH_MAX: usize = 4096;

/// A path argument from user memory.
pub fn user_path(addr: u64) -> Result<Vec<u8>, i64> {
    match with_current_mm(|mm| mm.string_from_user(addr, PATH_MAX - 1)) {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(err(ENAMETOOLONG)),
        Err(_) => Err(err(EFAULT)),
    }
}

/// What a lookup from this task needs: root, starting directory (the
/// working directory, or `dirfd`'s directory), credentials and umask.
pub fn lookup_context(dirfd: u64) -> Result<(Path, Path, Cred, u32), i64> {
    let cred = crate::kernel::cred::current_fs_cred();
    let FsContext { root, cwd, umask } = current_fs().ok_or(err(EBADF))?;
    let base = if dirfd as i32 == AT_FDCWD {
        cwd
    } else {
        let file = fget(dirfd)?;
        if !file.inode().is_dir() {
            return Err(err(ENOTDIR));
        }
        file.path().clone()
    };
    Ok((root, base, cred, umask))
}

pub fn sys_openat(dirfd: u64, path: u64, flags: u64, mode: u64) -> i64 {
    let path = match user_path(path) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let (root, base, cred, umask) = match lookup_context(dirfd) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let lk = Lookup::new(&root, &base, &cred);
    let file = match vfs::open(
        lk,
        &path,
        flags as u32,
        mode as u32,
        umask,
        Some(&DeviceOpen),
    ) {
        Ok(f) => f,
        Err(e) => return e.to_ret(),
    };
    let cloexec = flags as u32 & O_CLOEXEC != 0;
    match with_current_files(|f| f.alloc(file, cloexec)) {
        Ok(fd) => fd as i64,
        Err(e) => e.to_ret(),
    }
}

pub fn sys_open(path: u64, flags: u64, mode: u64) -> i64 {
    sys_openat(AT_FDCWD as u64, path, flags, mode)
}

pub fn sys_close(fd: u64) -> i64 {
    let Ok(fd) = i32::try_from(fd) else {
        return err(EBADF);
    };
    // The file itself is released outside the task lock.
    match with_current_files(|f| f.close(fd)) {
        Ok(file) => {
            drop(file);
            0
        }
        Err(e) => e.to_ret(),
    }
}

pub fn sys_dup(fd: u64) -> i64 {
    match with_current_files(|f| f.dup(fd as i32)) {
        Ok(n) => n as i64,
        Err(e) => e.to_ret(),
    }
}

pub fn sys_dup2(old: u64, new: u64) -> i64 {
    match with_current_files(|f| f.dup2(old as i32, new as i32)) {
        Ok((n, _old_file)) => n as i64,
        Err(e) => e.to_ret(),
    }
}

pub fn sys_dup3(old: u64, new: u64, flags: u64) -> i64 {
    match with_current_files(|f| f.dup3(old as i32, new as i32, flags as u32)) {
        Ok((n, _old_file)) => n as i64,
        Err(e) => e.to_ret(),
    }
}

pub fn sys_fcntl(fd: u64, cmd: u64, arg: u64) -> i64 {
    match with_current_files(|f| f.fcntl(fd as i32, cmd as u32, arg)) {
        Ok(v) => v,
        Err(e) => e.to_ret(),
    }
}

/// The directory at user path `path` that the caller may search (ENOENT,
/// ENOTDIR, EACCES): where chdir and chroot go.
fn searchable_dir(path: u64) -> Result<Path, i64> {
    let path = user_path(path)?;
    let (root, base, cred, _) = lookup_context(AT_FDCWD as u64)?;
    vfs::chdir(Lookup::new(&root, &base, &cred), &path).map_err(|e| e.to_ret())
}

pub fn sys_chdir(path: u64) -> i64 {
    match searchable_dir(path) {
        Ok(dir) => {
            with_current_fs(|fs| fs.cwd = dir);
            0
        }
        Err(e) => e,
    }
}

/// fchdir(2): ENOTDIR for a file that is no directory, EACCES without
/// search permission on it (Linux: file_permission with MAY_EXEC).
pub fn sys_fchdir(fd: u64) -> i64 {
    let f = match fget(fd) {
        Ok(f) => f,
        Err(e) => return e,
    };
    if !f.inode().is_dir() {
        return err(ENOTDIR);
    }
    let cred = crate::kernel::cred::current_fs_cred();
    if let Err(e) = vfs::perm::inode_permission(f.inode(), vfs::perm::MAY_EXEC, &cred) {
        return e.to_ret();
    }
    with_current_fs(|fs| fs.cwd = f.path().clone());
    0
}

/// chroot(2): the directory at `path` becomes the process's root, where
/// absolute paths start and ".." stops (Linux: ksys_chroot). ENOENT,
/// ENOTDIR and EACCES (search permission) as chdir's, then EPERM without
/// CAP_SYS_CHROOT (an effective uid of 0 here). The cwd stays where it
/// is, even outside the new root, as on Linux.
pub fn sys_chroot(path: u64) -> i64 {
    let dir = match searchable_dir(path) {
        Ok(dir) => dir,
        Err(e) => return e,
    };
    if !crate::kernel::task::with_current(|t| crate::kernel::cred::capable(&t.cred)) {
        return err(EPERM);
    }
    with_current_fs(|fs| fs.root = dir);
    0
}

pub fn sys_getcwd(buf: u64, size: u64) -> i64 {
    let Some(fs) = current_fs() else {
        return err(EBADF);
    };
    let mut path = match vfs::getcwd(&fs.cwd, &fs.root) {
        Ok(p) => p,
        Err(e) => return e.to_ret(),
    };
    path.push(0);
    if path.len() as u64 > size {
        return err(ERANGE);
    }
    match uaccess::copy_to_user(buf, &path) {
        Ok(()) => path.len() as i64,
        Err(_) => err(EFAULT),
    }
}

pub fn sys_umask(mask: u64) -> i64 {
    with_current_fs(|fs| core::mem::replace(&mut fs.umask, mask as u32 & 0o777) as i64)
        .unwrap_or(0o022)
}
