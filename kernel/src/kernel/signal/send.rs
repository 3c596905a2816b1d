//! Sending signals (Linux: kernel/signal.c prepare_signal, complete_signal,
//! kill_something_info, __kill_pgrp_info, do_tkill).
//!
//! A signal for a process goes to one of its threads that wants it (does
//! not block it and is not stopped), the leader first. Some rules act when
//! the signal is sent, not when it is delivered: a stop signal discards a
//! pending SIGCONT, SIGCONT discards pending stop signals and resumes a
//! stopped process, a fatal signal that a thread wants ends the whole
//! process at once (even stopped, for SIGKILL), and init takes only the
//! signals it has handlers for. A signal a process sends (kill, tkill,
//! tgkill) must pass the permission check first; the kernel's own (SIGCHLD,
//! the terminal's, SIGALRM) need none.

use ::signal::{bit, default_action, DefaultAction, SigInfo, STOP_MASK};
use linux_raw_sys::errno::{EAGAIN, EFAULT, EINVAL, EPERM, ESRCH};
use linux_raw_sys::general::{SI_TKILL, SI_USER};

use super::{jobctl, SIGCONT, SIGKILL, SIG_DFL};
use crate::kernel::sched;
use crate::kernel::sys::err;
use crate::kernel::task::{TaskState, TaskTable, TASKS};

/// Linux: signal_wake_up. A sleeping thread is woken; a stopped one only
/// when `resume` (SIGKILL). A thread woken by another gets the CPU at the
/// sender's next return to user mode: it has slept, so CFS would find it
/// behind and let it preempt (check_preempt_wakeup); so a shell that sends
/// SIGSTOP or SIGTERM to its job sees the job stopped or gone, as on Linux.
pub(super) fn signal_wake_up(table: &mut TaskTable, tid: u32, resume: bool) {
    let state = table.tasks.get(&tid).map(|t| t.state);
    if state == Some(TaskState::Stopped) && resume {
        if let Some(t) = table.tasks.get_mut(&tid) {
            t.state = TaskState::Runnable;
        }
        sched::enqueue(table, tid);
    } else {
        sched::wake_up(table, tid);
    }
    let woken = state == Some(TaskState::Sleeping) || (state == Some(TaskState::Stopped) && resume);
    if woken && tid != table.current {
        sched::resched_curr();
    }
}

/// SIGKILL to one thread, whatever else holds (Linux: the SIGKILL that
/// zap_other_threads adds): for exit_group and execve's de_thread.
pub fn zap_thread(table: &mut TaskTable, tid: u32) {
    let Some(t) = table.tasks.get_mut(&tid) else {
        return;
    };
    if !t.alive() {
        return;
    }
    t.signals.stop_pending = false;
    // A standard signal: always queued.
    let _ = t
        .signals
        .queue(SIGKILL, SigInfo::kernel(SIGKILL), true, true);
    signal_wake_up(table, tid, true);
}

/// Is `sig` kept for process `tgid`, as seen by thread `tid` (Linux:
/// prepare_signal)? The stop signals and SIGCONT take effect here.
fn prepare_signal(table: &mut TaskTable, tgid: u32, tid: u32, sig: u64) -> bool {
    let exiting = table
        .tasks
        .get(&tgid)
        .is_none_or(|leader| leader.group_exit.is_some());
    if exiting {
        return false;
    }
    let threads = table.threads(tgid);
    if bit(sig) & STOP_MASK != 0 {
        for t in &threads {
            if let Some(t) = table.tasks.get_mut(t) {
                t.signals.discard(bit(SIGCONT));
            }
        }
    } else if sig == SIGCONT {
        jobctl::continue_process(table, tgid);
    }
    table
        .tasks
        .get(&tid)
        .is_some_and(|t| !t.signals.ignores(sig, tgid == 1))
}

/// Pending signals that hold a queue entry, over all the live tasks of the
/// user whose real uid is `uid` (Linux counts them in the user's ucounts):
/// what RLIMIT_SIGPENDING bounds and /proc/PID/status shows as SigQ.
pub fn user_queued_signals(table: &TaskTable, uid: u32) -> u64 {
    table
        .tasks
        .values()
        .filter(|t| t.cred.uid.real == uid && t.alive())
        .map(|t| t.signals.queued())
        .sum()
}

/// May one more real-time instance be queued for task `tid`: its user has
/// fewer queued than its RLIMIT_SIGPENDING (Linux: __sigqueue_alloc)?
fn sigqueue_room(table: &TaskTable, tid: u32) -> bool {
    table.tasks.get(&tid).is_some_and(|t| {
        let limit = t.rlimits.lock()[crate::kernel::resource::RLIMIT_SIGPENDING].cur;
        user_queued_signals(table, t.cred.uid.real) < limit
    })
}

/// Queue `sig` for process `tgid` (for its thread `only`, if given), then
/// pick the thread to wake (Linux: __send_signal_locked, complete_signal).
/// EAGAIN when a real-time signal with its own siginfo (sigqueue) finds no
/// room in the queue; otherwise the signal is sent, or dropped as ignored.
fn send_locked(
    table: &mut TaskTable,
    tgid: u32,
    only: Option<u32>,
    sig: u64,
    info: SigInfo,
) -> Result<(), i64> {
    let threads = table.threads(tgid);
    let alive: alloc::vec::Vec<u32> = threads
        .into_iter()
        .filter(|t| table.tasks.get(t).is_some_and(|t| t.alive()))
        .collect();
    let Some(&first) = alive.first() else {
        return Ok(());
    };
    let probe = only.unwrap_or(if alive.contains(&tgid) { tgid } else { first });
    if !prepare_signal(table, tgid, probe, sig) {
        return Ok(());
    }
    let wants = |table: &TaskTable, t: u32| {
        table.tasks.get(&t).is_some_and(|t| {
            t.signals.blocked & bit(sig) == 0 && (sig == SIGKILL || t.state != TaskState::Stopped)
        })
    };
    let target = match only {
        Some(t) => Some(t).filter(|&t| wants(table, t)),
        None => [probe]
            .into_iter()
            .chain(alive.iter().copied())
            .find(|&t| wants(table, t)),
    };
    let queue_on = only.or(target).unwrap_or(probe);
    let room = sig < ::signal::SIGRTMIN || sigqueue_room(table, queue_on);
    if let Some(t) = table.tasks.get_mut(&queue_on) {
        let to_thread = only.is_some();
        t.signals
            .queue(sig, info, room, to_thread)
            .map_err(|_| err(EAGAIN))?;
    }
    let Some(target) = target else {
        return Ok(());
    };

    // A fatal signal ends every thread now rather than when one of them
    // gets to it; core-dumping ones take the slow way, as on Linux, and
    // rt_sigtimedwait may be about to take one it waits for.
    let Some(t) = table.tasks.get(&target) else {
        return Ok(());
    };
    let fatal = sig == SIGKILL
        || (t.signals.action(sig).handler == SIG_DFL
            && t.signals.real_blocked & bit(sig) == 0
            && tgid != 1
            && default_action(sig) == DefaultAction::Terminate);
    if fatal {
        jobctl::clear_group_stop(table, tgid);
        for &t in &alive {
            if let Some(task) = table.tasks.get_mut(&t) {
                task.group_exit.get_or_insert(sig as u32);
            }
            zap_thread(table, t);
        }
        if let Some(leader) = table.tasks.get_mut(&tgid) {
            leader.group_exit.get_or_insert(sig as u32);
        }
        return Ok(());
    }
    signal_wake_up(table, target, false);
    Ok(())
}

/// Send `sig` to process `tgid` with `info` (nothing for signal 0); for
/// the kernel's signals and kill's, which always become pending.
pub fn send_process(table: &mut TaskTable, tgid: u32, sig: u64, info: SigInfo) {
    if sig != 0 {
        // The kernel's and kill's siginfo (si_code >= 0) is never refused.
        let _ = send_locked(table, tgid, None, sig, info);
    }
}

/// Send `sig` to thread `tid` from the kernel on behalf of the current
/// task (Linux: send_sig with SEND_SIG_NOINFO), e.g. SIGPIPE.
pub fn send_signal(table: &mut TaskTable, tid: u32, sig: u64) -> bool {
    let (sender, uid) = (table.current().tgid, table.current().cred.uid.real);
    let Some(tgid) = table.tasks.get(&tid).filter(|t| t.alive()).map(|t| t.tgid) else {
        return false;
    };
    let info = SigInfo::from_process(sig, SI_USER as i32, sender, uid);
    // SI_USER: never refused.
    let _ = send_locked(table, tgid, Some(tid), sig, info);
    true
}

/// The processes kill(2) can name: thread-group leaders not yet reaped
/// (zombies included, as on Linux).
fn process_exists(table: &TaskTable, tgid: u32) -> bool {
    table
        .tasks
        .get(&tgid)
        .is_some_and(|t| t.is_leader() && t.state != TaskState::Dead)
}

/// `sig` to every process of group `pgid`; false if the group is empty
/// (Linux: __kill_pgrp_info). For the kernel's signals: no permission check.
pub fn kill_pgrp(table: &mut TaskTable, pgid: u32, sig: u64, info: SigInfo) -> bool {
    let members = crate::kernel::pgrp::members(table, pgid);
    for &tgid in &members {
        send_process(table, tgid, sig, info);
    }
    !members.is_empty()
}

/// May the current task send `sig` to task `tid` (Linux: check_kill_permission)?
/// Within its own process always; otherwise with CAP_KILL, or by the uids
/// (kill_ok_by_cred), or for SIGCONT within its own session, so that a shell
/// may continue the job a setuid program of it stopped. Signal 0 is checked
/// the same way: it probes for a process one may signal.
fn may_signal(table: &TaskTable, tid: u32, sig: u64) -> Result<(), i64> {
    let me = table
        .tasks
        .get(&table.current)
        .expect("the current task is in the table");
    let t = table.tasks.get(&tid).ok_or(err(ESRCH))?;
    let allowed = t.tgid == me.tgid
        || crate::kernel::cred::capable(&me.cred)
        || me.cred.may_signal(&t.cred)
        || (sig == SIGCONT && t.job.sid == me.job.sid);
    if allowed {
        Ok(())
    } else {
        Err(err(EPERM))
    }
}

/// kill(2) of process `tgid` named by its task `tid`: checked, then sent
/// (Linux: group_send_sig_info).
fn kill_process(table: &mut TaskTable, tid: u32, tgid: u32, sig: u64, info: SigInfo) -> i64 {
    if let Err(e) = may_signal(table, tid, sig) {
        return e;
    }
    if sig == 0 {
        return 0;
    }
    send_locked(table, tgid, None, sig, info).map_or_else(|e| e, |()| 0)
}

/// kill(2) or rt_sigqueueinfo(2) of the process that `pid` names (a
/// thread's tid names its process too, as on Linux): ESRCH if none.
fn kill_pid(table: &mut TaskTable, pid: u32, sig: u64, info: SigInfo) -> i64 {
    let tgid = table.tasks.get(&pid).map(|t| t.tgid);
    match tgid.filter(|&g| process_exists(table, g)) {
        Some(g) => kill_process(table, pid, g, sig, info),
        None => err(ESRCH),
    }
}

/// kill(2) of group `pgid`: success if one member took the signal, else the
/// last member's error, ESRCH for an empty group (Linux: __kill_pgrp_info).
fn kill_pgrp_checked(table: &mut TaskTable, pgid: u32, sig: u64, info: SigInfo) -> i64 {
    let mut ret = err(ESRCH);
    for tgid in crate::kernel::pgrp::members(table, pgid) {
        let r = kill_process(table, tgid, tgid, sig, info);
        if ret != 0 {
            ret = r;
        }
    }
    ret
}

/// kill(-1): every process but init and the caller's that the caller may
/// signal. Those it may not are passed over without an error: the call
/// fails (ESRCH) only when there is no other process at all (Linux:
/// kill_something_info).
fn kill_all(table: &mut TaskTable, sig: u64, info: SigInfo) -> i64 {
    let me = table.current().tgid;
    let all: alloc::vec::Vec<u32> = table
        .tasks
        .values()
        .filter(|t| t.is_leader() && t.state != TaskState::Dead)
        .filter(|t| t.pid > 1 && t.tgid != me)
        .map(|t| t.tgid)
        .collect();
    let mut ret = 0;
    for &g in &all {
        let r = kill_process(table, g, g, sig, info);
        if r != err(EPERM) {
            ret = r;
        }
    }
    if all.is_empty() {
        err(ESRCH)
    } else {
        ret
    }
}

/// kill(2): one process (pid > 0), the caller's process group (0), every
/// process but init and the caller's (-1), or the group -pid.
pub fn sys_kill(pid: i64, sig: u64) -> i64 {
    // The signal is an int: only its low 32 bits count.
    let sig = sig as u32 as u64;
    if sig > super::NSIG {
        return err(EINVAL);
    }
    let mut table = TASKS.lock();
    let me = table.current().tgid;
    let info = SigInfo::from_process(sig, SI_USER as i32, me, table.current().cred.uid.real);
    match pid {
        p if p > 0 => kill_pid(&mut table, p as u32, sig, info),
        0 => {
            let pgid = table.current().job.pgid;
            kill_pgrp_checked(&mut table, pgid, sig, info)
        }
        -1 => kill_all(&mut table, sig, info),
        // -INT_MIN names no group.
        p if p == i32::MIN as i64 => err(ESRCH),
        p => kill_pgrp_checked(&mut table, (-p) as u32, sig, info),
    }
}

/// tgkill(2) (and tkill(2), `tgid` None): one thread, which must belong
/// to process `tgid`.
pub fn sys_tgkill(tgid: Option<i64>, tid: i64, sig: u64) -> i64 {
    let sig = sig as u32 as u64;
    if tid <= 0 || tgid.is_some_and(|g| g <= 0) || sig > super::NSIG {
        return err(EINVAL);
    }
    let mut table = TASKS.lock();
    let (me, uid) = (table.current().tgid, table.current().cred.uid.real);
    // SI_TKILL is below 0: past the queue limit a real-time signal is
    // refused with EAGAIN, as Linux's tgkill does.
    let info = SigInfo::from_process(sig, SI_TKILL, me, uid);
    send_specific(&mut table, tgid, tid, sig, info)
}

/// `sig` with `info` to thread `tid`, of process `tgid` if given (Linux:
/// do_send_specific): ESRCH if there is no such thread.
fn send_specific(
    table: &mut TaskTable,
    tgid: Option<i64>,
    tid: i64,
    sig: u64,
    info: SigInfo,
) -> i64 {
    let target = table
        .tasks
        .get(&(tid as u32))
        .filter(|t| t.state != TaskState::Dead)
        .map(|t| (t.tgid, t.alive()));
    match target {
        Some((g, alive)) if tgid.is_none_or(|want| want == g as i64) => {
            if let Err(e) = may_signal(table, tid as u32, sig) {
                return e;
            }
            if sig != 0 && alive {
                if let Err(e) = send_locked(table, g, Some(tid as u32), sig, info) {
                    return e;
                }
            }
            0
        }
        _ => err(ESRCH),
    }
}

/// The siginfo rt_sigqueueinfo and rt_tgsigqueueinfo take from the caller,
/// or EFAULT (read before the task table is locked: it may fault).
fn user_siginfo(sig: u64, uinfo: u64) -> Result<SigInfo, i64> {
    let mut raw = [0u8; ::signal::siginfo::SIGINFO_SIZE];
    crate::mm::uaccess::copy_from_user(&mut raw, uinfo).map_err(|_| err(EFAULT))?;
    Ok(SigInfo::from_user(sig, &raw))
}

/// Nobody may forge a siginfo from the kernel, kill or tgkill (si_code >= 0
/// or SI_TKILL) for another process than its own (`to_self`): EPERM.
fn may_queue(info: &SigInfo, to_self: bool) -> Result<(), i64> {
    if (info.code >= 0 || info.code == SI_TKILL) && !to_self {
        return Err(err(EPERM));
    }
    Ok(())
}

/// rt_sigqueueinfo(2), what sigqueue(3) calls: `sig` with the caller's
/// siginfo (its si_value) to process `pid`; a real-time signal is queued
/// once per call, or EAGAIN past RLIMIT_SIGPENDING.
pub fn sys_rt_sigqueueinfo(pid: i64, sig: u64, uinfo: u64) -> i64 {
    let sig = sig as u32 as u64;
    let info = match user_siginfo(sig, uinfo) {
        Ok(info) => info,
        Err(e) => return e,
    };
    let mut table = TASKS.lock();
    let me = table.current().tgid;
    if let Err(e) = may_queue(&info, pid == i64::from(me)) {
        return e;
    }
    if pid <= 0 {
        return err(ESRCH);
    }
    if sig > super::NSIG {
        return err(EINVAL);
    }
    kill_pid(&mut table, pid as u32, sig, info)
}

/// rt_tgsigqueueinfo(2): the same to thread `tid` of process `tgid`.
pub fn sys_rt_tgsigqueueinfo(tgid: i64, tid: i64, sig: u64, uinfo: u64) -> i64 {
    let sig = sig as u32 as u64;
    if tgid <= 0 || tid <= 0 {
        return err(EINVAL);
    }
    let info = match user_siginfo(sig, uinfo) {
        Ok(info) => info,
        Err(e) => return e,
    };
    let mut table = TASKS.lock();
    let me = table.current().pid;
    if let Err(e) = may_queue(&info, tid == i64::from(me)) {
        return e;
    }
    if sig > super::NSIG {
        return err(EINVAL);
    }
    send_specific(&mut table, Some(tgid), tid, sig, info)
}
