//! renameat2(2) (Linux's do_renameat2, lock_rename and vfs_rename): moves a name within
//! or across directories of one mount, with RENAME_NOREPLACE and RENAME_EXCHANGE, the
//! loop checks (a directory cannot move into itself) and Linux's error numbers.
//!
//! Locks: a rename within one directory takes its lock; a rename between two takes the
//! global rename lock first, then both directory locks in address order, so that two
//! renames in opposite directions cannot deadlock (Linux's s_vfs_rename_mutex).

use alloc::sync::Arc;

use linux_raw_sys::general as g;
use spin::Mutex;

use crate::dentry::{lookup_one, Dentry};
use crate::errno::{Errno, Result};
use crate::inode::Inode;
use crate::namei::{Last, Lookup, Nameidata};
use crate::perm::{inode_permission, may_create, may_delete, MAY_WRITE};
use crate::remove::is_mountpoint;

static RENAME_LOCK: Mutex<()> = Mutex::new(());

fn walk<'a>(lk: Lookup<'a>, path: &[u8]) -> Result<Nameidata<'a>> {
    let mut nd = Nameidata::new(lk, path)?;
    nd.walk_to_last()?;
    Ok(nd)
}

/// renameat2(2); `flags` is a combination of RENAME_NOREPLACE and RENAME_EXCHANGE
/// (RENAME_WHITEOUT is for overlay filesystems and EINVAL here).
pub fn renameat2(
    old: Lookup<'_>,
    old_path: &[u8],
    new: Lookup<'_>,
    new_path: &[u8],
    flags: u32,
) -> Result<()> {
    let exchange = flags & g::RENAME_EXCHANGE != 0;
    let noreplace = flags & g::RENAME_NOREPLACE != 0;
    if flags & !(g::RENAME_NOREPLACE | g::RENAME_EXCHANGE) != 0 || (exchange && noreplace) {
        return Err(Errno::EINVAL);
    }
    let from = walk(old, old_path)?;
    let to = walk(new, new_path)?;
    if !Arc::ptr_eq(&from.cur.mnt, &to.cur.mnt) {
        return Err(Errno::EXDEV);
    }
    from.cur.want_write()?;
    let Last::Norm(old_name) = &from.last else {
        return Err(Errno::EBUSY);
    };
    let Last::Norm(new_name) = &to.last else {
        return Err(if noreplace {
            Errno::EEXIST
        } else {
            Errno::EBUSY
        });
    };

    let (old_dir, new_dir) = (from.cur.inode(), to.cur.inode());
    let same_dir = Arc::ptr_eq(&old_dir, &new_dir);
    let _rename_guard = (!same_dir).then(|| RENAME_LOCK.lock());
    let (first, second) = if Arc::as_ptr(&old_dir) < Arc::as_ptr(&new_dir) {
        (&old_dir, &new_dir)
    } else {
        (&new_dir, &old_dir)
    };
    let _g1 = first.lock_dir();
    let _g2 = (!same_dir).then(|| second.lock_dir());

    let old_dentry = lookup_one(&from.cur.dentry, old_name, true)?;
    let source = old_dentry.inode().ok_or(Errno::ENOENT)?;
    let new_dentry = lookup_one(&to.cur.dentry, new_name, true)?;
    let target = new_dentry.inode();
    if noreplace && target.is_some() {
        return Err(Errno::EEXIST);
    }
    if exchange {
        let t = target.as_ref().ok_or(Errno::ENOENT)?;
        if !t.is_dir() && to.trailing_slash {
            return Err(Errno::ENOTDIR);
        }
    }
    if !source.is_dir() && (from.trailing_slash || (!exchange && to.trailing_slash)) {
        return Err(Errno::ENOTDIR);
    }
    if old_dentry.is_ancestor_of(&to.cur.dentry) {
        return Err(Errno::EINVAL);
    }
    if new_dentry.is_ancestor_of(&from.cur.dentry) {
        return Err(if exchange {
            Errno::EINVAL
        } else {
            Errno::ENOTEMPTY
        });
    }

    if target.as_ref().is_some_and(|t| Arc::ptr_eq(t, &source)) {
        return Ok(());
    }
    check(
        &old_dir,
        &new_dir,
        &source,
        target.as_ref(),
        exchange,
        old.cred,
    )?;
    if is_mountpoint(&from.cur, &old_dentry) || is_mountpoint(&to.cur, &new_dentry) {
        return Err(Errno::EBUSY);
    }

    old_dir.ops().rename(
        &old_dir,
        old_name,
        &new_dir,
        new_name,
        flags & g::RENAME_EXCHANGE,
    )?;
    move_dentries(
        &old_dentry,
        &new_dentry,
        &from.cur.dentry,
        &to.cur.dentry,
        exchange,
    );
    Ok(())
}

/// The permission and type checks of vfs_rename.
fn check(
    old_dir: &Arc<Inode>,
    new_dir: &Arc<Inode>,
    source: &Arc<Inode>,
    target: Option<&Arc<Inode>>,
    exchange: bool,
    cred: &crate::cred::Cred,
) -> Result<()> {
    let is_dir = source.is_dir();
    may_delete(old_dir, source, cred)?;
    match target {
        None => may_create(new_dir, cred)?,
        Some(t) => {
            may_delete(new_dir, t, cred)?;
            if !exchange && is_dir != t.is_dir() {
                return Err(if is_dir {
                    Errno::ENOTDIR
                } else {
                    Errno::EISDIR
                });
            }
        }
    }
    // A directory changing parent has its ".." rewritten: it must be writable.
    if !Arc::ptr_eq(old_dir, new_dir) {
        if is_dir {
            inode_permission(source, MAY_WRITE, cred)?;
        }
        if let Some(t) = target.filter(|t| exchange && t.is_dir()) {
            inode_permission(t, MAY_WRITE, cred)?;
        }
    }
    Ok(())
}

/// Brings the dentry cache in step with a done rename (d_move, d_exchange).
fn move_dentries(
    old: &Arc<Dentry>,
    new: &Arc<Dentry>,
    old_parent: &Arc<Dentry>,
    new_parent: &Arc<Dentry>,
    exchange: bool,
) {
    let (old_name, new_name) = (old.name(), new.name());
    if exchange {
        old.d_move(new_parent, &new_name);
        new.d_move(old_parent, &old_name);
    } else {
        new.unhash();
        old.d_move(new_parent, &new_name);
    }
}

#[cfg(test)]
#[path = "tests/rename.rs"]
mod tests;
