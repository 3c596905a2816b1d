//! Nice values (Linux: kernel/sys.c's getpriority and setpriority, and
//! kernel/sched/core.c's can_nice): each thread has one, from -20 (the most
//! favoured) to 19, inherited across fork and kept across exec. The round
//! robin scheduler does not weigh it yet; /proc/PID/stat and these calls
//! report it as Linux does.

use ::cred::nice;
use linux_raw_sys::errno::{EACCES, EINVAL, EPERM, ESRCH};

use super::super::cred::capable;
use super::super::resource::RLIMIT_NICE;
use super::super::sys::err;
use super::super::task::{Task, TaskState, TaskTable, TASKS};

const PRIO_PROCESS: u64 = 0;
const PRIO_PGRP: u64 = 1;
const PRIO_USER: u64 = 2;

/// The threads that `which` and `who` name, the caller's table in hand:
/// one thread by its id, every thread of a process group, or every thread
/// whose real uid is `who`; 0 stands for the caller's own. Kernel threads
/// count, the idle task and reaped tasks do not. None for a bad `which`.
pub(super) fn targets(table: &TaskTable, which: u64, who: u32) -> Option<alloc::vec::Vec<u32>> {
    let me = table
        .tasks
        .get(&table.current)
        .expect("the current task is in the table");
    let named: fn(&Task, u32) -> bool = match which {
        PRIO_PROCESS => |t, who| t.pid == who,
        PRIO_PGRP => |t, who| t.job.pgid == who,
        PRIO_USER => |t, who| t.cred.uid.real == who,
        _ => return None,
    };
    let who = match (which, who) {
        (PRIO_PROCESS, 0) => me.pid,
        (PRIO_PGRP, 0) => me.job.pgid,
        (PRIO_USER, 0) => me.cred.uid.real,
        (_, who) => who,
    };
    let found = table
        .tasks
        .values()
        .filter(|t| t.pid != 0 && t.state != TaskState::Dead && named(t, who))
        .map(|t| t.pid)
        .collect();
    Some(found)
}

/// getpriority(2): the most favourable nice value among the threads named,
/// as RLIMIT_NICE counts it; ESRCH when none is. Anyone may ask.
pub fn sys_getpriority(which: u64, who: u64) -> i64 {
    let table = TASKS.lock();
    let Some(found) = targets(&table, which, who as u32) else {
        return err(EINVAL);
    };
    found
        .iter()
        // 20 - nice, so that no success looks like an error: the C library
        // turns it back.
        .map(|pid| nice::to_rlimit(i32::from(table.tasks[pid].nice)) as i64)
        .max()
        .unwrap_or(err(ESRCH))
}

/// setpriority(2): every thread named gets `nice`, clamped to MIN_NICE and
/// MAX_NICE (crates/cred's nice module holds the rules). Each one needs
/// the caller's effective uid to be its real or effective uid, and a lower
/// value than it has needs room under its RLIMIT_NICE, or CAP_SYS_NICE in
/// either case. As Linux's, the error of
/// the last thread refused is returned, though the others changed.
pub fn sys_setpriority(which: u64, who: u64, nice: u64) -> i64 {
    let to = nice::clamp(nice as i32);
    let mut table = TASKS.lock();
    let Some(found) = targets(&table, which, who as u32) else {
        return err(EINVAL);
    };
    let me = table.current().cred.clone();
    let privileged = capable(&me);
    let mut result = err(ESRCH);
    for pid in found {
        let t = table.tasks.get_mut(&pid).expect("found just now");
        let limit = t.rlimits.lock()[RLIMIT_NICE].cur;
        if !privileged && !me.may_renice(&t.cred) {
            result = err(EPERM);
        } else if !privileged && !nice::may_set(i32::from(t.nice), to, limit) {
            result = err(EACCES);
        } else {
            t.nice = to as i8;
            if result == err(ESRCH) {
                result = 0;
            }
        }
    }
    result
}
