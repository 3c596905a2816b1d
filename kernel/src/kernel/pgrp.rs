//! Process groups and sessions (Linux: kernel/sys.c setpgid, getpgid,
//! getpgrp, setsid, getsid): the units of job control.
//!
//! A session holds process groups, a process group holds processes; each
//! is named by the pid of the process that made it, its leader. A process
//! leads its session when its sid is its own pid. fork copies both ids;
//! init starts in group 0 and session 0, as on Linux, until it calls
//! setsid. The ids are kept on every thread of a process, like its tgid
//! and ppid; a pid is not given out again while a group or session still
//! bears it (task.rs, alloc_pid), as Linux keeps its struct pid.

use alloc::vec::Vec;

use linux_raw_sys::errno::{EACCES, EINVAL, EPERM, ESRCH};

use crate::kernel::signal::jobctl::GroupStop;
use crate::kernel::sys::err;
use crate::kernel::task::{TaskState, TaskTable, TASKS};

/// A process's place in job control (Linux keeps it in signal_struct and
/// its pid links).
#[derive(Clone, Copy, Debug, Default)]
pub struct JobState {
    pub pgid: u32,
    pub sid: u32,
    /// Set by fork, cleared by execve (Linux: PF_FORKNOEXEC): a parent may
    /// move its child to another group only until the child's execve.
    pub forknoexec: bool,
    /// The process's group stop; the leader's is the one that counts.
    pub stop: GroupStop,
}

impl JobState {
    /// A new task's: its creator's group and session.
    pub fn for_child(&self) -> JobState {
        JobState {
            pgid: self.pgid,
            sid: self.sid,
            forknoexec: true,
            stop: GroupStop::default(),
        }
    }
}

/// The processes (leaders' tgids) of group `pgid`, zombies included.
pub fn members(table: &TaskTable, pgid: u32) -> Vec<u32> {
    table
        .tasks
        .values()
        .filter(|t| t.is_leader() && t.state != TaskState::Dead && t.job.pgid == pgid)
        .map(|t| t.tgid)
        .collect()
}

/// Does a pid name a group or a session still (so that it is not reused)?
pub fn id_in_use(table: &TaskTable, pid: u32) -> bool {
    table
        .tasks
        .values()
        .any(|t| t.state != TaskState::Dead && (t.job.pgid == pid || t.job.sid == pid))
}

/// Move process `tgid` (every thread of it) to group `pgid` of session `sid`.
fn set_ids(table: &mut TaskTable, tgid: u32, pgid: u32, sid: u32) {
    for tid in table.threads(tgid) {
        if let Some(t) = table.tasks.get_mut(&tid) {
            t.job.pgid = pgid;
            t.job.sid = sid;
        }
    }
}

/// setpgid(2): move the caller (pid 0 or its own) or a child of it that
/// has not run execve into group `pgid` (0: the process's own pid), which
/// must exist in the caller's session unless it is that pid.
pub fn sys_setpgid(pid: i64, pgid: i64) -> i64 {
    let mut table = TASKS.lock();
    let me = table.current().tgid;
    let my_sid = table.current().job.sid;
    let pid = if pid == 0 { me as i64 } else { pid };
    let pgid = if pgid == 0 { pid } else { pgid };
    if pgid < 0 {
        return err(EINVAL);
    }
    let Some(p) = u32::try_from(pid)
        .ok()
        .and_then(|pid| table.tasks.get(&pid))
    else {
        return err(ESRCH);
    };
    if p.state == TaskState::Dead {
        return err(ESRCH);
    }
    if !p.is_leader() {
        return err(EINVAL);
    }
    if p.ppid == me && p.tgid != me {
        if p.job.sid != my_sid {
            return err(EPERM);
        }
        if !p.job.forknoexec {
            return err(EACCES);
        }
    } else if p.tgid != me {
        return err(ESRCH);
    }
    // A session leader stays the leader of its group.
    if p.job.sid == p.tgid {
        return err(EPERM);
    }
    let (target, sid) = (p.tgid, p.job.sid);
    let pgid = pgid as u32;
    if pgid != target {
        let in_session = members(&table, pgid)
            .first()
            .and_then(|g| table.tasks.get(g))
            .is_some_and(|g| g.job.sid == my_sid);
        if !in_session {
            return err(EPERM);
        }
    }
    set_ids(&mut table, target, pgid, sid);
    0
}

/// The thread or process `pid` (0: the caller) as getpgid and getsid see it.
fn lookup(table: &mut TaskTable, pid: i64) -> Option<&crate::kernel::task::Task> {
    if pid == 0 {
        return Some(table.current());
    }
    let pid = u32::try_from(pid).ok()?;
    table
        .tasks
        .get(&pid)
        .map(|t| &**t)
        .filter(|t| t.state != TaskState::Dead)
}

pub fn sys_getpgid(pid: i64) -> i64 {
    match lookup(&mut TASKS.lock(), pid) {
        Some(t) => t.job.pgid as i64,
        None => err(ESRCH),
    }
}

pub fn sys_getpgrp() -> i64 {
    sys_getpgid(0)
}

pub fn sys_getsid(pid: i64) -> i64 {
    match lookup(&mut TASKS.lock(), pid) {
        Some(t) => t.job.sid as i64,
        None => err(ESRCH),
    }
}

/// setsid(2): a new session, and a new group in it, both named by the
/// caller's pid; refused to a group leader, or while a group bears that pid.
pub fn sys_setsid() -> i64 {
    let mut table = TASKS.lock();
    let me = table.current().tgid;
    if table.current().job.sid == me || !members(&table, me).is_empty() {
        return err(EPERM);
    }
    set_ids(&mut table, me, me, me);
    me as i64
}
