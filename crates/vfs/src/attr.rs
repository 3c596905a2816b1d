//! Changing attributes and checking access (Linux's fs/attr.c setattr_prepare and
//! notify_change, fs/open.c chmod_common, chown_common, do_truncate, do_faccessat,
//! chdir): who may change the mode, owner, times and size, and what each change clears.

use linux_raw_sys::general as g;

use crate::cred::Cred;
use crate::errno::{Errno, Result};
use crate::file::kill_suid;
use crate::inode::{FileType, Inode};
use crate::mount::Path;
use crate::namei::{resolve, Lookup};
use crate::perm::{capable, inode_permission, Cap, MAY_EXEC, MAY_WRITE};
use crate::time::{current_time, Timespec};
use crate::write_access::{get_write_access, put_write_access};

/// chmod(2): EROFS on a read-only mount, then the owner or CAP_FOWNER; setgid is
/// dropped for a caller outside the file's group without CAP_FSETID.
pub fn chmod(path: &Path, mode: u32, cred: &Cred) -> Result<()> {
    path.want_write()?;
    let inode = path.inode();
    let mut a = inode.attr_mut();
    if a.uid != cred.fsuid && !capable(cred, Cap::Fowner) {
        return Err(Errno::EPERM);
    }
    let mut mode = mode & 0o7777;
    if !cred.in_group(a.gid) && !capable(cred, Cap::Fsetid) {
        mode &= !g::S_ISGID;
    }
    a.mode = (a.mode & g::S_IFMT) | mode;
    a.ctime = current_time();
    Ok(())
}

/// chown(2): `None` keeps an id. EROFS on a read-only mount; changing the owner needs
/// CAP_CHOWN; the owner may change the group to one of its own. A change by a
/// non-directory clears setuid, and setgid with group execute (Linux's ATTR_KILL_SUID,
/// ATTR_KILL_SGID).
pub fn chown(path: &Path, uid: Option<u32>, gid: Option<u32>, cred: &Cred) -> Result<()> {
    path.want_write()?;
    let inode = path.inode();
    let mut a = inode.attr_mut();
    let root = capable(cred, Cap::Chown);
    if uid.is_some_and(|u| u != a.uid) && !root {
        return Err(Errno::EPERM);
    }
    if let Some(gid) = gid.filter(|&gid| gid != a.gid) {
        if !root && (a.uid != cred.fsuid || !cred.in_group(gid)) {
            return Err(Errno::EPERM);
        }
    }
    if uid.is_some() || gid.is_some() {
        if a.mode & g::S_IFMT != g::S_IFDIR {
            let mut kill = g::S_ISUID;
            if a.mode & g::S_IXGRP != 0 {
                kill |= g::S_ISGID;
            }
            a.mode &= !kill;
        }
        a.uid = uid.unwrap_or(a.uid);
        a.gid = gid.unwrap_or(a.gid);
        a.ctime = current_time();
    }
    Ok(())
}

/// utimensat(2) with explicit times: EROFS on a read-only mount, then the owner or
/// CAP_FOWNER (setting "now" on a writable file is `touch`).
pub fn set_times(
    path: &Path,
    atime: Option<Timespec>,
    mtime: Option<Timespec>,
    cred: &Cred,
) -> Result<()> {
    path.want_write()?;
    let inode = path.inode();
    let mut a = inode.attr_mut();
    if a.uid != cred.fsuid && !capable(cred, Cap::Fowner) {
        return Err(Errno::EPERM);
    }
    a.atime = atime.unwrap_or(a.atime);
    a.mtime = mtime.unwrap_or(a.mtime);
    a.ctime = current_time();
    Ok(())
}

/// utimensat(2) setting only the current time: EROFS on a read-only mount, then the
/// owner, CAP_FOWNER, or anyone who may write the file (Linux: utimes_common with
/// UTIME_NOW).
pub fn touch(
    path: &Path,
    atime: Option<Timespec>,
    mtime: Option<Timespec>,
    cred: &Cred,
) -> Result<()> {
    path.want_write()?;
    let inode = path.inode();
    let owner = inode.attr().uid == cred.fsuid || capable(cred, Cap::Fowner);
    if !owner {
        inode_permission(&inode, MAY_WRITE, cred)?;
    }
    let mut a = inode.attr_mut();
    a.atime = atime.unwrap_or(a.atime);
    a.mtime = mtime.unwrap_or(a.mtime);
    a.ctime = current_time();
    Ok(())
}

/// truncate(2) and ftruncate(2) on an inode: EISDIR for a directory, EINVAL for other
/// non-regular files; by path (`by_path`), also EROFS on a read-only mount, EACCES
/// without write permission and ETXTBSY for a running program. An open file passes
/// None: it is a writer already, so all of that was checked when it was opened.
pub fn truncate(inode: &Inode, size: i64, cred: &Cred, by_path: Option<&Path>) -> Result<()> {
    let size = u64::try_from(size).map_err(|_| Errno::EINVAL)?;
    match inode.file_type() {
        FileType::Directory => return Err(Errno::EISDIR),
        FileType::Regular => {}
        _ => return Err(Errno::EINVAL),
    }
    let Some(path) = by_path else {
        kill_suid(inode, cred);
        return inode.ops().truncate(inode, size);
    };
    path.want_write()?;
    inode_permission(inode, MAY_WRITE, cred)?;
    // By path, the truncation is a writer for its time: not of a running program.
    get_write_access(inode)?;
    kill_suid(inode, cred);
    let r = inode.ops().truncate(inode, size);
    put_write_access(inode);
    r
}

/// faccessat2(2): `mode` is F_OK or a combination of R_OK, W_OK, X_OK; `flags` may hold
/// AT_EACCESS (check with the fs ids instead of the real ones) and AT_SYMLINK_NOFOLLOW.
pub fn faccessat(lk: Lookup<'_>, path: &[u8], mode: u32, flags: u32) -> Result<()> {
    if mode & !7 != 0 || flags & !(g::AT_EACCESS | g::AT_SYMLINK_NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    let cred = if flags & g::AT_EACCESS != 0 {
        lk.cred.clone()
    } else {
        lk.cred.for_access()
    };
    let lk = Lookup { cred: &cred, ..lk };
    let p = resolve(lk, path, flags & g::AT_SYMLINK_NOFOLLOW == 0)?;
    if mode == 0 {
        return Ok(());
    }
    let inode = p.inode();
    inode_permission(&inode, mode, &cred)?;
    // SUSv2 wants a read-only filesystem reported too, though devices and FIFOs on one
    // may still be written (as open allows).
    let special = !matches!(
        inode.file_type(),
        FileType::Regular | FileType::Directory | FileType::Symlink
    );
    if mode & MAY_WRITE != 0 && !special {
        p.want_write()?;
    }
    Ok(())
}

/// chdir(2): the directory at `path`, which must be searchable.
pub fn chdir(lk: Lookup<'_>, path: &[u8]) -> Result<Path> {
    let p = crate::namei::resolve_dir(lk, path)?;
    inode_permission(&p.inode(), MAY_EXEC, lk.cred)?;
    Ok(p)
}

#[cfg(test)]
#[path = "tests/attr.rs"]
mod tests;
