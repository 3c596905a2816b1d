//! Permission checks, in one place as Linux's fs/namei.c has them: generic_permission
//! (owner, then group, then other bits; the superuser's overrides), the sticky-bit rule
//! of a directory (check_sticky), and the may_create/may_delete checks of namespace
//! changes. The superuser is fsuid 0 until capabilities exist: see [`capable`].

use linux_raw_sys::general as g;

use crate::cred::Cred;
use crate::errno::{Errno, Result};
use crate::inode::{FileType, Inode, InodeAttr};

/// Access masks, as Linux's MAY_EXEC, MAY_WRITE and MAY_READ.
pub const MAY_EXEC: u32 = 1;
pub const MAY_WRITE: u32 = 2;
pub const MAY_READ: u32 = 4;

/// The capabilities the file layer asks for (Linux's CAP_* of the same names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    Chown,
    DacOverride,
    DacReadSearch,
    Fowner,
    Fsetid,
    Mknod,
}

/// Whether `cred` holds capability `cap`. Every capability check of the file layer goes
/// through here; today the superuser (fsuid 0) holds them all, and the capabilities
/// issue makes this look at the effective set instead.
pub fn capable(cred: &Cred, cap: Cap) -> bool {
    let _ = cap;
    cred.fsuid == 0
}

/// Linux's generic_permission: may `cred` access an inode with these attributes for
/// `mask` (a combination of MAY_READ, MAY_WRITE, MAY_EXEC)? EACCES if not.
pub fn generic_permission(attr: &InodeAttr, mask: u32, cred: &Cred) -> Result<()> {
    let mask = mask & (MAY_READ | MAY_WRITE | MAY_EXEC);
    let mode = attr.mode;
    let granted = if cred.fsuid == attr.uid {
        mode >> 6
    } else if cred.in_group(attr.gid) {
        mode >> 3
    } else {
        mode
    } & 7;
    if mask & !granted == 0 {
        return Ok(());
    }

    // The superuser: directories may always be read and searched, and written with
    // DAC override; files may be read and written, and executed if some x bit is set.
    if attr.mode & g::S_IFMT == g::S_IFDIR {
        if mask & MAY_WRITE == 0 && capable(cred, Cap::DacReadSearch) {
            return Ok(());
        }
        return if capable(cred, Cap::DacOverride) {
            Ok(())
        } else {
            Err(Errno::EACCES)
        };
    }
    if mask == MAY_READ && capable(cred, Cap::DacReadSearch) {
        return Ok(());
    }
    let any_x = g::S_IXUSR | g::S_IXGRP | g::S_IXOTH;
    if (mask & MAY_EXEC == 0 || mode & any_x != 0) && capable(cred, Cap::DacOverride) {
        return Ok(());
    }
    Err(Errno::EACCES)
}

/// Linux's inode_permission: the single entry for access checks on an inode (read-only
/// mounts and immutable files will be checked here too).
pub fn inode_permission(inode: &Inode, mask: u32, cred: &Cred) -> Result<()> {
    generic_permission(&inode.attr(), mask, cred)
}

/// The sticky-bit rule: in a sticky directory only the file's owner, the directory's
/// owner or a CAP_FOWNER holder may remove or rename a name. True when denied.
pub fn check_sticky(dir: &InodeAttr, inode: &InodeAttr, cred: &Cred) -> bool {
    dir.mode & g::S_ISVTX != 0
        && inode.uid != cred.fsuid
        && dir.uid != cred.fsuid
        && !capable(cred, Cap::Fowner)
}

/// May `cred` remove `victim` from `dir` (Linux's may_delete, without the type checks
/// the callers make)? EACCES without write and search permission, EPERM by the sticky bit.
pub fn may_delete(dir: &Inode, victim: &Inode, cred: &Cred) -> Result<()> {
    inode_permission(dir, MAY_WRITE | MAY_EXEC, cred)?;
    if check_sticky(&dir.attr(), &victim.attr(), cred) {
        return Err(Errno::EPERM);
    }
    Ok(())
}

/// May `cred` add a name to `dir` (Linux's may_create)?
pub fn may_create(dir: &Inode, cred: &Cred) -> Result<()> {
    if dir.attr().nlink == 0 {
        // The directory was removed while we walked to it.
        return Err(Errno::ENOENT);
    }
    inode_permission(dir, MAY_WRITE | MAY_EXEC, cred)
}

/// The access mask an open with these flags needs (Linux's ACC_MODE plus O_TRUNC).
pub fn open_mask(flags: u32) -> u32 {
    let acc = match flags & g::O_ACCMODE {
        g::O_RDONLY => MAY_READ,
        g::O_WRONLY => MAY_WRITE,
        _ => MAY_READ | MAY_WRITE,
    };
    if flags & g::O_TRUNC != 0 {
        acc | MAY_WRITE
    } else {
        acc
    }
}

/// Whether an inode of this type may be executed at all (regular files only).
pub fn executable_type(ft: FileType) -> bool {
    ft == FileType::Regular
}

#[cfg(test)]
#[path = "tests/perm.rs"]
mod tests;
