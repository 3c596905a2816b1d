//! The calling task's user and group ids (Linux: kernel/sys.c, kernel/groups.c):
//! the get and set calls of the uid and gid families and of the
//! supplementary groups. The rules live in crates/cred; this is the glue.
//!
//! Until Linux's capabilities come, an effective uid of 0 holds all of
//! them (CAP_SETUID, CAP_SETGID, CAP_SYS_RESOURCE, ...), as it does on
//! Linux when no capability was dropped.

use alloc::vec::Vec;

use linux_raw_sys::errno::{EFAULT, EINVAL, EPERM};

use crate::kernel::sys::err;
use crate::kernel::task::with_current;
use crate::mm::uaccess;

/// The filesystem part that the VFS checks permissions with.
pub fn fs_cred(c: &cred::Cred) -> vfs::Cred {
    vfs::Cred {
        uid: c.uid.real,
        gid: c.gid.real,
        fsuid: c.uid.fs,
        fsgid: c.gid.fs,
        groups: c.groups.clone(),
    }
}

/// Whether `c` holds the capabilities (effective root, for now).
pub fn capable(c: &cred::Cred) -> bool {
    c.uid.effective == 0
}

/// The current task's filesystem credentials.
pub fn current_fs_cred() -> vfs::Cred {
    with_current(|t| fs_cred(&t.cred))
}

fn errno(e: cred::Error) -> i64 {
    match e {
        cred::Error::Perm => err(EPERM),
        cred::Error::Inval => err(EINVAL),
    }
}

/// Run `f` on the uid family (`uid` true) or the gid family of the
/// current task, telling it whether the task is privileged.
fn with_ids<R>(uid: bool, f: impl FnOnce(&mut cred::Ids, bool) -> R) -> R {
    with_current(|t| {
        let privileged = capable(&t.cred);
        let ids = if uid {
            &mut t.cred.uid
        } else {
            &mut t.cred.gid
        };
        f(ids, privileged)
    })
}

/// A set call's result as a system call's return value.
fn ret(r: Result<(), cred::Error>) -> i64 {
    r.map_or_else(errno, |()| 0)
}

/// Which id of a family a getter returns.
#[derive(Clone, Copy)]
pub enum Which {
    Real,
    Effective,
}

pub fn sys_get_id(uid: bool, which: Which) -> i64 {
    with_current(|t| {
        let ids = if uid { t.cred.uid } else { t.cred.gid };
        match which {
            Which::Real => ids.real,
            Which::Effective => ids.effective,
        }
    }) as i64
}

/// setuid(2) and setgid(2).
pub fn sys_set_id(uid: bool, id: u64) -> i64 {
    ret(with_ids(uid, |ids, p| ids.set(id as u32, p)))
}

/// setreuid(2) and setregid(2).
pub fn sys_set_re(uid: bool, real: u64, effective: u64) -> i64 {
    ret(with_ids(uid, |ids, p| {
        ids.set_re(real as u32, effective as u32, p)
    }))
}

/// setresuid(2) and setresgid(2).
pub fn sys_set_res(uid: bool, real: u64, effective: u64, saved: u64) -> i64 {
    ret(with_ids(uid, |ids, p| {
        ids.set_res(real as u32, effective as u32, saved as u32, p)
    }))
}

/// getresuid(2) and getresgid(2): three ids written to three addresses.
pub fn sys_get_res(uid: bool, real: u64, effective: u64, saved: u64) -> i64 {
    let ids = with_current(|t| if uid { t.cred.uid } else { t.cred.gid });
    let out = [
        (real, ids.real),
        (effective, ids.effective),
        (saved, ids.saved),
    ];
    for (addr, id) in out {
        if uaccess::copy_to_user(addr, &id.to_le_bytes()).is_err() {
            return err(EFAULT);
        }
    }
    0
}

/// setfsuid(2) and setfsgid(2): the previous fs id, whatever happens.
pub fn sys_set_fs(uid: bool, id: u64) -> i64 {
    with_ids(uid, |ids, p| ids.set_fs(id as u32, p)) as i64
}

/// getgroups(2): with size 0 the count; a smaller buffer is EINVAL.
pub fn sys_getgroups(size: u64, list: u64) -> i64 {
    let size = size as i32;
    let groups = with_current(|t| t.cred.groups.clone());
    if size < 0 {
        return err(EINVAL);
    }
    if size == 0 {
        return groups.len() as i64;
    }
    if (size as usize) < groups.len() {
        return err(EINVAL);
    }
    let bytes: Vec<u8> = groups.iter().flat_map(|g| g.to_le_bytes()).collect();
    match uaccess::copy_to_user(list, &bytes) {
        Ok(()) => groups.len() as i64,
        Err(_) => err(EFAULT),
    }
}

/// setgroups(2): the size is checked, then the capability, then the list
/// is read, in Linux's order.
pub fn sys_setgroups(size: u64, list: u64) -> i64 {
    let size = size as i32;
    if size < 0 || size as usize > cred::NGROUPS_MAX {
        return err(EINVAL);
    }
    if !with_current(|t| capable(&t.cred)) {
        return err(EPERM);
    }
    let mut bytes = alloc::vec![0u8; size as usize * 4];
    if uaccess::copy_from_user(&mut bytes, list).is_err() {
        return err(EFAULT);
    }
    let groups: Vec<u32> = bytes
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect();
    ret(with_current(|t| t.cred.set_groups(&groups, true)))
}
