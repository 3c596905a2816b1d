//! Making names (Linux's fs/namei.c: filename_create, vfs_mkdir, vfs_mknod, vfs_symlink,
//! vfs_link, and inode_init_owner from fs/inode.c): mkdirat, mknodat, symlinkat and
//! linkat with Linux's checks and error numbers, and the owner and mode of a new inode.

use alloc::sync::Arc;
use alloc::vec::Vec;

use linux_raw_sys::general as g;

use crate::cred::Cred;
use crate::dentry::lookup_one;
use crate::errno::{Errno, Result};
use crate::inode::{FileType, Inode, NewInode};
use crate::mount::Path;
use crate::namei::{resolve, Last, Lookup, Nameidata, PATH_MAX};
use crate::perm::{capable, may_create, Cap};

/// The owner and mode of a new inode in `dir` (inode_init_owner): the fsuid, and the
/// directory's group when it is setgid (a new directory inherits the setgid bit), the
/// fsgid otherwise; setgid is dropped from a file for a non-member without CAP_FSETID.
pub fn init_owner(dir: &Inode, mode: u32, cred: &Cred) -> NewInode {
    let d = dir.attr();
    let mut mode = mode;
    let gid = if d.mode & g::S_ISGID != 0 {
        if mode & g::S_IFMT == g::S_IFDIR {
            mode |= g::S_ISGID;
        }
        d.gid
    } else {
        cred.fsgid
    };
    let kill_sgid = mode & (g::S_ISGID | g::S_IXGRP) == (g::S_ISGID | g::S_IXGRP);
    if mode & g::S_IFMT == g::S_IFREG
        && kill_sgid
        && !cred.in_group(gid)
        && !capable(cred, Cap::Fsetid)
    {
        mode &= !g::S_ISGID;
    }
    NewInode {
        mode,
        uid: cred.fsuid,
        gid,
        rdev: 0,
    }
}

/// Walks to the parent of a new name and makes it with `make` under the directory lock
/// (filename_create and done_path_create). EEXIST when the name exists or is "." or
/// "..", ENOENT for a trailing slash unless a directory is made.
pub(crate) fn create_with(
    lk: Lookup<'_>,
    path: &[u8],
    want_dir: bool,
    make: impl FnOnce(&Path, &Inode, &[u8]) -> Result<Arc<Inode>>,
) -> Result<Path> {
    let mut nd = Nameidata::new(lk, path)?;
    nd.walk_to_last()?;
    let Last::Norm(name) = nd.last.clone() else {
        return Err(Errno::EEXIST);
    };
    let dir = nd.cur.clone();
    let dir_inode = dir.inode();
    let _guard = dir_inode.lock_dir();
    let dentry = lookup_one(&dir.dentry, &name, true)?;
    if !dentry.is_negative() {
        return Err(Errno::EEXIST);
    }
    if nd.trailing_slash && !want_dir {
        return Err(Errno::ENOENT);
    }
    dir.want_write()?;
    may_create(&dir_inode, lk.cred)?;
    let inode = make(&dir, &dir_inode, &name)?;
    dentry.instantiate(inode);
    Ok(Path {
        mnt: dir.mnt,
        dentry,
    })
}

/// mkdirat(2): `mode`'s permission and sticky bits less the umask.
pub fn mkdirat(lk: Lookup<'_>, path: &[u8], mode: u32, umask: u32) -> Result<Path> {
    let perm = mode & 0o1777 & !umask;
    create_with(lk, path, true, |_, dir, name| {
        let new = init_owner(dir, g::S_IFDIR | perm, lk.cred);
        dir.ops().mkdir(dir, name, new)
    })
}

/// mknodat(2): a regular file, device node, FIFO or socket. A directory type is EPERM,
/// an unknown one EINVAL; device nodes need CAP_MKNOD.
pub fn mknodat(lk: Lookup<'_>, path: &[u8], mode: u32, dev: u64, umask: u32) -> Result<Path> {
    let ft = match mode & g::S_IFMT {
        0 => FileType::Regular,
        g::S_IFDIR => return Err(Errno::EPERM),
        t => FileType::from_mode(t).ok_or(Errno::EINVAL)?,
    };
    if matches!(ft, FileType::CharDevice | FileType::BlockDevice) && !capable(lk.cred, Cap::Mknod) {
        return Err(Errno::EPERM);
    }
    let mode = ft.mode_bits() | (mode & 0o7777 & !umask);
    create_with(lk, path, false, |_, dir, name| {
        let mut new = init_owner(dir, mode, lk.cred);
        if ft == FileType::Regular {
            return dir.ops().create(dir, name, new);
        }
        if matches!(ft, FileType::CharDevice | FileType::BlockDevice) {
            new.rdev = dev;
        }
        dir.ops().mknod(dir, name, new)
    })
}

/// symlinkat(2): ENOENT for an empty target, ENAMETOOLONG for one of PATH_MAX or more.
pub fn symlinkat(lk: Lookup<'_>, target: &[u8], path: &[u8]) -> Result<Path> {
    if target.is_empty() {
        return Err(Errno::ENOENT);
    }
    if target.len() >= PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    create_with(lk, path, false, |_, dir, name| {
        let new = init_owner(dir, g::S_IFLNK | 0o777, lk.cred);
        dir.ops().symlink(dir, name, target, new)
    })
}

/// linkat(2): `flags` may hold AT_SYMLINK_FOLLOW (follow a trailing symlink of the old
/// path) and AT_EMPTY_PATH (an empty old path is `old.base` itself). EXDEV across
/// mounts, EPERM for a directory, ENOENT for a file already unlinked.
pub fn linkat(
    old: Lookup<'_>,
    old_path: &[u8],
    new: Lookup<'_>,
    new_path: &[u8],
    flags: u32,
) -> Result<Path> {
    if flags & !(g::AT_SYMLINK_FOLLOW | g::AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let target = if old_path.is_empty() && flags & g::AT_EMPTY_PATH != 0 {
        old.base.clone()
    } else {
        resolve(old, old_path, flags & g::AT_SYMLINK_FOLLOW != 0)?
    };
    let inode = target.inode();
    create_with(new, new_path, false, |dir, dir_inode, name| {
        if !Arc::ptr_eq(&dir.mnt, &target.mnt) {
            return Err(Errno::EXDEV);
        }
        if inode.is_dir() {
            return Err(Errno::EPERM);
        }
        if inode.attr().nlink == 0 {
            return Err(Errno::ENOENT);
        }
        dir_inode.ops().link(dir_inode, name, &inode)?;
        Ok(inode.clone())
    })
}

/// The target of the symlink at `path` (readlinkat): EINVAL if it is not a symlink.
pub fn readlinkat(lk: Lookup<'_>, path: &[u8]) -> Result<Vec<u8>> {
    let p = resolve(lk, path, false)?;
    let inode = p.inode();
    if inode.file_type() != FileType::Symlink {
        return Err(Errno::EINVAL);
    }
    inode.ops().readlink(&inode)
}

#[cfg(test)]
#[path = "tests/create.rs"]
mod tests;
