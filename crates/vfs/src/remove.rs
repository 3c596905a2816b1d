//! Removing names (Linux's do_unlinkat, do_rmdir, vfs_unlink, vfs_rmdir): unlinkat(2)
//! with and without AT_REMOVEDIR, with Linux's order of checks (permission, then type,
//! then mountpoints), and the dentry cache kept in step.

use alloc::sync::Arc;

use linux_raw_sys::general as g;

use crate::dentry::Dentry;

use crate::dentry::lookup_one;
use crate::errno::{Errno, Result};
use crate::mount::Path;
use crate::namei::{Last, Lookup, Nameidata};
use crate::perm::may_delete;

/// unlinkat(2): `flags` is 0 or AT_REMOVEDIR.
pub fn unlinkat(lk: Lookup<'_>, path: &[u8], flags: u32) -> Result<()> {
    match flags {
        0 => unlink(lk, path),
        g::AT_REMOVEDIR => rmdir(lk, path),
        _ => Err(Errno::EINVAL),
    }
}

/// Walks to the parent of the name to remove.
fn parent_of<'a>(lk: Lookup<'a>, path: &[u8]) -> Result<Nameidata<'a>> {
    let mut nd = Nameidata::new(lk, path)?;
    nd.walk_to_last()?;
    Ok(nd)
}

/// unlink(2): removes a name that is not a directory.
pub fn unlink(lk: Lookup<'_>, path: &[u8]) -> Result<()> {
    let nd = parent_of(lk, path)?;
    let Last::Norm(name) = &nd.last else {
        return Err(Errno::EISDIR);
    };
    let dir = nd.cur.clone();
    dir.want_write()?;
    let dir_inode = dir.inode();
    let _guard = dir_inode.lock_dir();
    let dentry = lookup_one(&dir.dentry, &name[..], true)?;
    let victim = dentry.inode().ok_or(Errno::ENOENT)?;
    if nd.trailing_slash {
        return Err(if victim.is_dir() {
            Errno::EISDIR
        } else {
            Errno::ENOTDIR
        });
    }
    may_delete(&dir_inode, &victim, lk.cred)?;
    if victim.is_dir() {
        return Err(Errno::EISDIR);
    }
    if is_mountpoint(&dir, &dentry) {
        return Err(Errno::EBUSY);
    }
    dir_inode.ops().unlink(&dir_inode, name)?;
    dentry.unhash();
    Ok(())
}

/// rmdir(2): EINVAL for ".", ENOTEMPTY for "..", EBUSY for "/" and mountpoints.
pub fn rmdir(lk: Lookup<'_>, path: &[u8]) -> Result<()> {
    let nd = parent_of(lk, path)?;
    let name = match &nd.last {
        Last::Norm(name) => name,
        Last::Dot => return Err(Errno::EINVAL),
        Last::DotDot => return Err(Errno::ENOTEMPTY),
        Last::Root | Last::Bind => return Err(Errno::EBUSY),
    };
    let dir = nd.cur.clone();
    dir.want_write()?;
    let dir_inode = dir.inode();
    let _guard = dir_inode.lock_dir();
    let dentry = lookup_one(&dir.dentry, &name[..], true)?;
    let victim = dentry.inode().ok_or(Errno::ENOENT)?;
    may_delete(&dir_inode, &victim, lk.cred)?;
    if !victim.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    if is_mountpoint(&dir, &dentry) {
        return Err(Errno::EBUSY);
    }
    let _victim_guard = victim.lock_dir();
    dir_inode.ops().rmdir(&dir_inode, name)?;
    dentry.unhash();
    dentry.prune();
    Ok(())
}

/// Whether a mount sits on `dentry` seen from `dir`'s mount.
pub(crate) fn is_mountpoint(dir: &Path, dentry: &Arc<Dentry>) -> bool {
    dentry.is_mountpoint() && dir.mnt.child_on(dentry).is_some()
}

#[cfg(test)]
#[path = "tests/remove.rs"]
mod tests;
