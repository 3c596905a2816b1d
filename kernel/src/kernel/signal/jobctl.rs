//! Job control: stopping and continuing a whole process (Linux:
//! kernel/signal.c do_signal_stop, prepare_signal's SIGCONT,
//! do_notify_parent_cldstop; kernel/exit.c will_become_orphaned_pgrp and
//! kill_orphaned_pgrp).
//!
//! A stop signal's default action is a group stop: the thread that takes
//! it asks every other thread to stop too, each stops on its way to user
//! mode, and the last one to stop tells the parent (SIGCHLD with
//! CLD_STOPPED, unless it set SA_NOCLDSTOP) and makes the stop visible to
//! wait. SIGCONT wakes them all when it is sent; the first thread to run
//! then tells the parent (CLD_CONTINUED). SIGTSTP, SIGTTIN and SIGTTOU do
//! nothing in an orphaned process group (no process of it has a parent in
//! another group of the same session: no shell left to continue it), and
//! a group that becomes orphaned with a stopped member gets SIGHUP and
//! SIGCONT.

use ::signal::{SigInfo, STOP_MASK};
use linux_raw_sys::general::{CLD_CONTINUED, CLD_STOPPED, SA_NOCLDSTOP};

use super::send::{kill_pgrp, send_process, signal_wake_up};
use super::{SIGCHLD, SIGCONT, SIGHUP};
use crate::kernel::sched;
use crate::kernel::task::{TaskState, TaskTable, TASKS};

/// A process's group stop (Linux: signal_struct's group_stop_count,
/// group_exit_code and the SIGNAL_STOP_* flags). The leader's is the
/// process's.
#[derive(Clone, Copy, Debug, Default)]
pub struct GroupStop {
    /// Threads yet to stop in a stop under way.
    pub count: u32,
    /// Every thread is stopped (SIGNAL_STOP_STOPPED).
    pub stopped: bool,
    /// The stop signal, until a wait reports the stop (group_exit_code).
    pub code: u32,
    /// Continued, and no wait reported it yet (SIGNAL_STOP_CONTINUED).
    pub continued: bool,
    /// The parent is yet to hear of it: CLD_CONTINUED, or CLD_STOPPED for
    /// a stop that SIGCONT cut short (SIGNAL_CLD_*).
    pub notify: Option<u32>,
}

fn stop_of(table: &mut TaskTable, tgid: u32) -> Option<&mut GroupStop> {
    table
        .tasks
        .get_mut(&tgid)
        .map(|leader| &mut leader.job.stop)
}

/// The current thread takes part in a group stop, starting one for `sig`
/// when none is under way (0: only take part), and sleeps until SIGCONT or
/// SIGKILL. False if it did not stop (Linux: do_signal_stop).
pub fn do_signal_stop(sig: u64) -> bool {
    let mut table = TASKS.lock();
    let me = table.current;
    let tgid = table.current().tgid;
    if !table.current().signals.stop_pending {
        if sig == 0 || table.current().group_exit.is_some() {
            return false;
        }
        let mut count = 0;
        for tid in table.threads(tgid) {
            let Some(t) = table.tasks.get_mut(&tid) else {
                continue;
            };
            if t.alive() && t.state != TaskState::Stopped && t.group_exit.is_none() {
                t.signals.stop_pending = true;
                count += 1;
                if tid != me {
                    signal_wake_up(&mut table, tid, false);
                }
            }
        }
        let Some(stop) = stop_of(&mut table, tgid) else {
            return false;
        };
        // A second stop while stopped keeps the first one's signal.
        if !stop.stopped {
            stop.code = sig as u32;
        }
        stop.count = count;
    }

    table.current().signals.stop_pending = false;
    let complete = participate(&mut table, tgid);
    table.current().state = TaskState::Stopped;
    if complete {
        notify_parent(&mut table, tgid, CLD_STOPPED);
    }
    drop(table);
    sched::schedule();
    true
}

/// One thread of `tgid` has done its part of a group stop; true if it was
/// the last, the stop now complete (Linux: task_participate_group_stop).
fn participate(table: &mut TaskTable, tgid: u32) -> bool {
    let Some(stop) = stop_of(table, tgid) else {
        return false;
    };
    stop.count = stop.count.saturating_sub(1);
    let complete = stop.count == 0 && !stop.stopped;
    if complete {
        *stop = GroupStop {
            stopped: true,
            code: stop.code,
            ..GroupStop::default()
        };
    }
    complete
}

/// The current thread exits during a group stop: it counts as stopped, so
/// that the others' stop completes without it (Linux: exit_signals).
pub fn exit_signals(table: &mut TaskTable) {
    let tgid = table.current().tgid;
    if core::mem::take(&mut table.current().signals.stop_pending) && participate(table, tgid) {
        notify_parent(table, tgid, CLD_STOPPED);
    }
}

/// SIGCONT sent to process `tgid`: the stop signals pending go, every
/// thread runs again, and the continue is recorded for wait and for the
/// parent (Linux: prepare_signal).
pub(super) fn continue_process(table: &mut TaskTable, tgid: u32) {
    for tid in table.threads(tgid) {
        let Some(t) = table.tasks.get_mut(&tid) else {
            continue;
        };
        t.signals.discard(STOP_MASK);
        t.signals.stop_pending = false;
        if t.state == TaskState::Stopped {
            t.state = TaskState::Runnable;
            sched::enqueue(table, tid);
        }
    }
    let Some(stop) = stop_of(table, tgid) else {
        return;
    };
    // A stop cut short is reported as a stop (and the continue is lost,
    // as SIGCHLD does not queue).
    let why = if stop.stopped {
        Some(CLD_CONTINUED)
    } else if stop.count > 0 {
        Some(CLD_STOPPED)
    } else {
        None
    };
    if let Some(why) = why {
        *stop = GroupStop {
            continued: true,
            notify: Some(why),
            ..GroupStop::default()
        };
    }
}

/// A fatal signal: the process ends, and no stop or continue of it is
/// left to report.
pub(super) fn clear_group_stop(table: &mut TaskTable, tgid: u32) {
    if let Some(stop) = stop_of(table, tgid) {
        *stop = GroupStop::default();
    }
    for tid in table.threads(tgid) {
        if let Some(t) = table.tasks.get_mut(&tid) {
            t.signals.stop_pending = false;
        }
    }
}

/// On the way to user mode: tell the parent of a continue (or of a stop
/// cut short) if nobody has yet.
/// Has process `tgid` a stop or continue to report to its parent?
pub(super) fn notify_due(table: &mut TaskTable, tgid: u32) -> bool {
    stop_of(table, tgid).is_some_and(|stop| stop.notify.is_some())
}

pub(super) fn notify_parent_if_due() {
    let mut table = TASKS.lock();
    let tgid = table.current().tgid;
    let due = stop_of(&mut table, tgid).and_then(|stop| stop.notify.take());
    if let Some(why) = due {
        notify_parent(&mut table, tgid, why);
    }
}

/// SIGCHLD to the parent of `tgid` for a stop or a continue (unless it asked
/// SA_NOCLDSTOP), and its waits woken (Linux: do_notify_parent_cldstop).
fn notify_parent(table: &mut TaskTable, tgid: u32, why: u32) {
    let Some(leader) = table.tasks.get(&tgid) else {
        return;
    };
    let (parent, uid) = (leader.ppid, leader.cred.uid.real);
    let status = match why {
        CLD_CONTINUED => SIGCONT as i32,
        _ => (leader.job.stop.code & 0x7f) as i32,
    };
    let nocldstop = table
        .tasks
        .get(&parent)
        .is_none_or(|p| p.signals.action(SIGCHLD).has(SA_NOCLDSTOP));
    if !nocldstop {
        send_process(
            table,
            parent,
            SIGCHLD,
            SigInfo::child(why, tgid, uid, status),
        );
    }
    for tid in table.threads(parent) {
        sched::wake_up(table, tid);
    }
}

/// Would group `pgid` have no process with a parent in another group of
/// its session, `ignored` left out (Linux: will_become_orphaned_pgrp)?
/// Processes that have ended and children of init do not count.
pub fn pgrp_orphaned(table: &TaskTable, pgid: u32, ignored: Option<u32>) -> bool {
    !crate::kernel::pgrp::members(table, pgid)
        .into_iter()
        .filter(|&p| Some(p) != ignored && table.group_alive(p))
        .filter_map(|p| table.tasks.get(&p))
        .filter(|p| p.ppid != 1)
        .any(|p| {
            table
                .tasks
                .get(&p.ppid)
                .is_some_and(|parent| parent.job.pgid != pgid && parent.job.sid == p.job.sid)
        })
}

/// Is a process of group `pgid` stopped (Linux: has_stopped_jobs)?
fn has_stopped_jobs(table: &TaskTable, pgid: u32) -> bool {
    crate::kernel::pgrp::members(table, pgid)
        .into_iter()
        .any(|p| table.tasks.get(&p).is_some_and(|t| t.job.stop.stopped))
}

/// Process `tgid`'s exit, or its reparenting away from `father`, may
/// orphan its group: if a stopped process is in it, the group gets SIGHUP
/// then SIGCONT, so that it does not stay stopped for ever (Linux:
/// kill_orphaned_pgrp).
pub fn kill_orphaned_pgrp(table: &mut TaskTable, tgid: u32, father: Option<u32>) {
    let Some(t) = table.tasks.get(&tgid) else {
        return;
    };
    let (pgid, sid) = (t.job.pgid, t.job.sid);
    let (parent, ignored) = match father {
        None => (t.ppid, Some(tgid)),
        Some(f) => (f, None),
    };
    let Some(p) = table.tasks.get(&parent) else {
        return;
    };
    if p.job.pgid != pgid
        && p.job.sid == sid
        && pgrp_orphaned(table, pgid, ignored)
        && has_stopped_jobs(table, pgid)
    {
        kill_pgrp(table, pgid, SIGHUP, SigInfo::kernel(SIGHUP));
        kill_pgrp(table, pgid, SIGCONT, SigInfo::kernel(SIGCONT));
    }
}
