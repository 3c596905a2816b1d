//! Resource limits (Linux: kernel/sys.c do_prlimit, include/asm-generic/resource.h):
//! prlimit64, getrlimit, setrlimit, and the defaults init starts with.
//!
//! The limits belong to a process: its threads share one table (Linux keeps
//! it in signal_struct), a fork copies it. RLIMIT_NOFILE bounds the file
//! table and RLIMIT_NPROC the tasks of a user (kernel/fork.c); the others
//! are kept and reported.

use alloc::sync::Arc;

use linux_raw_sys::errno::{EFAULT, EINVAL, EPERM, ESRCH};
use spin::Once;

use crate::kernel::cred::capable;
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::sys::err;
use crate::kernel::task::{Task, TASKS};
use crate::mm::uaccess;

pub const RLIM_INFINITY: u64 = u64::MAX;
pub const RLIMIT_STACK: usize = 3;
pub const RLIMIT_CORE: usize = 4;
pub const RLIMIT_NPROC: usize = 6;
pub const RLIMIT_NOFILE: usize = 7;
pub const RLIMIT_MEMLOCK: usize = 8;
pub const RLIMIT_AS: usize = 9;
pub const RLIMIT_SIGPENDING: usize = 11;
pub const RLIMIT_MSGQUEUE: usize = 12;
pub const RLIMIT_NICE: usize = 13;
pub const RLIMIT_RTPRIO: usize = 14;
pub const RLIM_NLIMITS: usize = 16;

/// The most descriptors RLIMIT_NOFILE may allow (Linux: fs.nr_open).
const NR_OPEN: u64 = 1 << 20;

/// One limit: the soft limit that is enforced, and the hard limit that
/// bounds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RLimit {
    pub cur: u64,
    pub max: u64,
}

pub type RLimits = Arc<IrqSpinLock<[RLimit; RLIM_NLIMITS]>>;

/// Linux's threads-max: a kernel stack may take at most an eighth of RAM
/// (kernel/fork.c set_max_threads), between 20 and the futex tid mask.
pub fn max_threads() -> u64 {
    static MAX: Once<u64> = Once::new();
    *MAX.call_once(|| {
        let (_, total_pages, _) = crate::mm::page_alloc::counters();
        let stack = crate::arch::mm::PAGE_SIZE << crate::kernel::exec::KERNEL_STACK_ORDER;
        (total_pages * crate::arch::mm::PAGE_SIZE / (stack * 8)).clamp(20, 0x3fff_ffff)
    })
}

/// The limits init starts with (Linux: INIT_RLIMITS, with RLIMIT_NPROC
/// and RLIMIT_SIGPENDING at half of threads-max as fork_init sets them).
pub fn init_rlimits() -> RLimits {
    let mut r = [RLimit {
        cur: RLIM_INFINITY,
        max: RLIM_INFINITY,
    }; RLIM_NLIMITS];
    let half = max_threads() / 2;
    let mut set = |res: usize, cur: u64, max: u64| r[res] = RLimit { cur, max };
    set(RLIMIT_STACK, 8 << 20, RLIM_INFINITY);
    set(RLIMIT_CORE, 0, RLIM_INFINITY);
    set(RLIMIT_NPROC, half, half);
    set(RLIMIT_NOFILE, 1024, 4096);
    set(RLIMIT_MEMLOCK, 8 << 20, 8 << 20);
    set(RLIMIT_SIGPENDING, half, half);
    set(RLIMIT_MSGQUEUE, 819_200, 819_200);
    set(RLIMIT_NICE, 0, 0);
    set(RLIMIT_RTPRIO, 0, 0);
    Arc::new(IrqSpinLock::new(r))
}

/// The current task's soft limit of `resource` (the boot's defaults
/// before any task runs).
pub fn current_rlimit(resource: usize) -> u64 {
    let limits = {
        let table = TASKS.lock();
        table.tasks.get(&table.current).map(|t| t.rlimits.clone())
    };
    limits.map_or_else(
        || init_rlimits().lock()[resource].cur,
        |l| l.lock()[resource].cur,
    )
}

fn read_rlimit(addr: u64) -> Result<RLimit, i64> {
    let mut b = [0u8; 16];
    uaccess::copy_from_user(&mut b, addr).map_err(|_| err(EFAULT))?;
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    Ok(RLimit {
        cur: word(0),
        max: word(8),
    })
}

fn write_rlimit(addr: u64, r: RLimit) -> Result<(), i64> {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&r.cur.to_le_bytes());
    b[8..].copy_from_slice(&r.max.to_le_bytes());
    uaccess::copy_to_user(addr, &b).map_err(|_| err(EFAULT))
}

/// May the current task change the limits of `target`? Its own, or those
/// of a task with all the same uids and gids, or with the capability
/// (Linux: check_prlimit_permission).
fn may_change(me: &Task, target: &Task) -> bool {
    let (u, g) = (me.cred.uid, me.cred.gid);
    let same_ids =
        |ids: cred::Ids, real: u32| ids.real == real && ids.effective == real && ids.saved == real;
    me.pid == target.pid
        || (same_ids(target.cred.uid, u.real) && same_ids(target.cred.gid, g.real))
        || capable(&me.cred)
}

/// The one place a limit is read and changed: `new` applied to task `pid`'s
/// process (0: the caller's) after Linux's checks; the old value returned.
fn do_prlimit(pid: i32, resource: u64, new: Option<RLimit>) -> Result<RLimit, i64> {
    let resource = usize::try_from(resource)
        .ok()
        .filter(|&r| r < RLIM_NLIMITS)
        .ok_or(err(EINVAL))?;
    if new.is_some_and(|n| n.cur > n.max) {
        return Err(err(EINVAL));
    }
    if pid < 0 {
        return Err(err(ESRCH));
    }
    let table = TASKS.lock();
    let me = table.current;
    let pid = if pid == 0 { me } else { pid as u32 };
    let target = table
        .tasks
        .get(&pid)
        .filter(|t| t.alive())
        .ok_or(err(ESRCH))?;
    let (limits, files) = (target.rlimits.clone(), target.files.clone());
    let caller = table
        .tasks
        .get(&me)
        .expect("the current task is in the table");
    if new.is_some() && !may_change(caller, target) {
        return Err(err(EPERM));
    }
    let privileged = capable(&caller.cred);
    drop(table);

    let mut limits = limits.lock();
    let old = limits[resource];
    if let Some(new) = new {
        if (new.max > old.max && !privileged) || (resource == RLIMIT_NOFILE && new.max > NR_OPEN) {
            return Err(err(EPERM));
        }
        limits[resource] = new;
        if resource == RLIMIT_NOFILE {
            files.lock().set_limit(new.cur.min(NR_OPEN) as usize);
        }
    }
    Ok(old)
}

/// prlimit64(2): `new` (if not NULL) applied after `old` (if not NULL) is
/// read, both for process `pid`.
pub fn sys_prlimit64(pid: u64, resource: u64, new: u64, old: u64) -> i64 {
    let new = match new {
        0 => None,
        addr => match read_rlimit(addr) {
            Ok(r) => Some(r),
            Err(e) => return e,
        },
    };
    match do_prlimit(pid as i32, resource, new) {
        Ok(o) if old != 0 => write_rlimit(old, o).map_or_else(|e| e, |()| 0),
        Ok(_) => 0,
        Err(e) => e,
    }
}

pub fn sys_getrlimit(resource: u64, rlim: u64) -> i64 {
    match do_prlimit(0, resource, None) {
        Ok(r) => write_rlimit(rlim, r).map_or_else(|e| e, |()| 0),
        Err(e) => e,
    }
}

pub fn sys_setrlimit(resource: u64, rlim: u64) -> i64 {
    match read_rlimit(rlim).and_then(|r| do_prlimit(0, resource, Some(r))) {
        Ok(_) => 0,
        Err(e) => e,
    }
}
