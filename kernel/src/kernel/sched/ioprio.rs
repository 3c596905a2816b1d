//! I/O priorities (Linux: block/ioprio.c, ioprio_set(2), ioprio_get(2)),
//! what busybox ionice sets and shows: a class (none, realtime,
//! best-effort, idle) and a level of 0 to 7 per thread. noyau's block
//! devices are RAM disks with no request queue to order, so the value is
//! kept and reported, as Linux does for a device without an I/O scheduler.
//!
//! A thread that never set one has class none: its I/O would follow its
//! nice value, best-effort at level (nice + 20) / 5 (Linux's
//! task_nice_ioprio), which is what a group or user query compares.

use linux_raw_sys::errno::{EINVAL, EPERM, ESRCH};

use super::super::cred::capable;
use super::super::sys::err;
use super::super::task::{Task, TASKS};
use super::priority::targets;

const IOPRIO_WHO_PROCESS: u64 = 1;

const IOPRIO_CLASS_SHIFT: u32 = 13;
const IOPRIO_CLASS_NONE: u32 = 0;
const IOPRIO_CLASS_RT: u32 = 1;
const IOPRIO_CLASS_BE: u32 = 2;
const IOPRIO_CLASS_IDLE: u32 = 3;
/// Levels 0 (first served) to 7 of the realtime and best-effort classes.
const IOPRIO_NR_LEVELS: u32 = 8;

fn class(ioprio: u32) -> u32 {
    (ioprio >> IOPRIO_CLASS_SHIFT) & 7
}

fn level(ioprio: u32) -> u32 {
    ioprio & ((1 << IOPRIO_CLASS_SHIFT) - 1)
}

/// Is `ioprio` a value a thread may be given (Linux: ioprio_check_cap)?
/// The realtime class needs CAP_SYS_NICE or CAP_SYS_ADMIN (EPERM), levels
/// run to 7, class none has level 0 only, and there are four classes.
fn check(ioprio: u32, privileged: bool) -> Result<(), i64> {
    match class(ioprio) {
        IOPRIO_CLASS_RT if !privileged => Err(err(EPERM)),
        IOPRIO_CLASS_RT | IOPRIO_CLASS_BE if level(ioprio) >= IOPRIO_NR_LEVELS => Err(err(EINVAL)),
        IOPRIO_CLASS_RT | IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE => Ok(()),
        IOPRIO_CLASS_NONE if level(ioprio) == 0 => Ok(()),
        _ => Err(err(EINVAL)),
    }
}

/// The priority a thread's I/O gets: its own, or the one its nice value
/// gives (Linux: __get_task_ioprio).
fn effective(t: &Task) -> u32 {
    if class(u32::from(t.ioprio)) != IOPRIO_CLASS_NONE {
        return u32::from(t.ioprio);
    }
    let nice_level = (i32::from(t.nice) + 20) as u32 / 5;
    (IOPRIO_CLASS_BE << IOPRIO_CLASS_SHIFT) | nice_level
}

/// ioprio_set(2): the thread `who` (0: the caller), every thread of process
/// group `who`, or every thread of real user `who` gets `ioprio`. Each one
/// needs its real uid to be the caller's real or effective uid, or the
/// caller CAP_SYS_NICE (EPERM, which stops the walk, as on Linux).
pub fn sys_ioprio_set(which: u64, who: u64, ioprio: u64) -> i64 {
    let ioprio = ioprio as i32 as u32;
    let mut table = TASKS.lock();
    let me = table.current().cred.clone();
    let privileged = capable(&me);
    if let Err(e) = check(ioprio, privileged) {
        return e;
    }
    let Some(found) = targets(&table, which.wrapping_sub(1), who as u32) else {
        return err(EINVAL);
    };
    let mut result = err(ESRCH);
    for pid in found {
        let t = table.tasks.get_mut(&pid).expect("found just now");
        let owner = t.cred.uid.real;
        if !privileged && owner != me.uid.effective && owner != me.uid.real {
            return err(EPERM);
        }
        t.ioprio = ioprio as u16;
        result = 0;
    }
    result
}

/// ioprio_get(2): a thread's own value (class none if it set none), or,
/// for a group or a user, the best effective priority among their threads
/// (the lowest value: the first class, then the first level).
pub fn sys_ioprio_get(which: u64, who: u64) -> i64 {
    let table = TASKS.lock();
    let Some(found) = targets(&table, which.wrapping_sub(1), who as u32) else {
        return err(EINVAL);
    };
    let values = found.iter().map(|pid| {
        let t = &table.tasks[pid];
        match which {
            IOPRIO_WHO_PROCESS => u32::from(t.ioprio),
            _ => effective(t),
        }
    });
    values.min().map_or(err(ESRCH), i64::from)
}
