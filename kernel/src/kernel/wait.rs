//! Waiting for children (Linux: kernel/exit.c do_wait, wait_task_zombie,
//! wait_task_stopped, wait_task_continued, kernel_wait4, kernel_waitid).
//!
//! A wait looks at the caller's children that the selection names (any,
//! one pid, or a process group; pid 0 of wait4 is the caller's own group)
//! and reports the first with something to say: an exit (WEXITED; wait4
//! always asks for it), a stop (WUNTRACED, or waitid's WSTOPPED) or a
//! continue (WCONTINUED), each once unless WNOWAIT. Without such a child it
//! sleeps (WNOHANG: returns 0); without a child that could still report
//! anything it fails with ECHILD.

use ::signal::{status, SigInfo};
use linux_raw_sys::errno::{EBADF, ECHILD, EFAULT, EINVAL, ESRCH};
use linux_raw_sys::general::{
    __WALL, __WCLONE, __WNOTHREAD, CLD_CONTINUED, CLD_STOPPED, P_ALL, P_PGID, P_PID, P_PIDFD,
    WCONTINUED, WEXITED, WNOHANG, WNOWAIT, WSTOPPED,
};

use crate::kernel::exec::free_kernel_stack;
use crate::kernel::sched::cputime::{self, CpuTime};
use crate::kernel::signal::ERESTARTSYS;
use crate::kernel::sys::err;
use crate::kernel::task::{with_current, Task, TaskState, TaskTable, TASKS};
use crate::kernel::{sched, signal};
use crate::mm::uaccess;

/// Which children a wait is about.
#[derive(Clone, Copy)]
enum Which {
    Any,
    Pid(u32),
    Group(u32),
}

impl Which {
    fn matches(self, t: &Task) -> bool {
        match self {
            Which::Any => true,
            Which::Pid(p) => t.pid == p,
            Which::Group(g) => t.job.pgid == g,
        }
    }
}

/// What a wait found: the child, wait4's status word, waitid's siginfo,
/// and the child's CPU times for the rusage of both.
struct Report {
    pid: u32,
    wstatus: u32,
    info: SigInfo,
    times: CpuTime,
}

fn flag(options: u64, f: u32) -> bool {
    options & f as u64 != 0
}

/// What child `pid` has to report, taken unless WNOWAIT (a zombie is then
/// removed from the table and given back to the caller to free).
fn consider(
    table: &mut TaskTable,
    pid: u32,
    options: u64,
) -> Option<(Report, Option<alloc::boxed::Box<Task>>)> {
    let alive = table.group_alive(pid);
    let t = table.tasks.get_mut(&pid)?;
    let keep = flag(options, WNOWAIT);
    let uid = t.cred.uid.real;
    let mut times = t.times;
    times.add(t.dead_times);
    times.add(t.child_times);
    if t.state == TaskState::Zombie && !alive {
        if !flag(options, WEXITED) {
            return None;
        }
        let wstatus = t.exit_code;
        let (code, si_status) = status::child_code(wstatus);
        let report = Report {
            pid,
            wstatus,
            info: SigInfo::child(code, pid, uid, si_status),
            times,
        };
        let reaped = if keep {
            None
        } else {
            // Kept in its box: a task is too large to move through stack frames.
            let child = table.tasks.remove(&pid);
            if let Some(child) = &child {
                cputime::reap_times(table, child);
            }
            child
        };
        return Some((report, reaped));
    }
    let stop = &mut t.job.stop;
    if flag(options, WSTOPPED) && stop.stopped && stop.code != 0 {
        let sig = stop.code;
        if !keep {
            stop.code = 0;
        }
        let report = Report {
            pid,
            wstatus: status::stopped(sig as u64),
            info: SigInfo::child(CLD_STOPPED, pid, uid, sig as i32),
            times,
        };
        return Some((report, None));
    }
    if flag(options, WCONTINUED) && stop.continued {
        if !keep {
            stop.continued = false;
        }
        let report = Report {
            pid,
            wstatus: status::CONTINUED,
            info: SigInfo::child(CLD_CONTINUED, pid, uid, signal::SIGCONT as i32),
            times,
        };
        return Some((report, None));
    }
    None
}

/// Linux: do_wait. Ok(None) is WNOHANG's "nothing yet".
fn do_wait(which: Which, options: u64) -> Result<Option<Report>, i64> {
    loop {
        let mut table = TASKS.lock();
        // Any thread waits for the children of its whole process.
        let me = table.current().tgid;
        let children: alloc::vec::Vec<u32> = table
            .tasks
            .values()
            .filter(|t| t.is_leader() && t.ppid == me && t.pid != me)
            .filter(|t| t.state != TaskState::Dead && which.matches(t))
            .map(|t| t.pid)
            .collect();
        let mut could_report = false;
        for pid in children {
            if let Some((report, reaped)) = consider(&mut table, pid, options) {
                drop(table);
                if let Some(child) = reaped {
                    free_kernel_stack(child.kstack_pfn, child.kstack_order);
                }
                return Ok(Some(report));
            }
            // A zombie that is not to be reported now never will be.
            let zombie = table
                .tasks
                .get(&pid)
                .is_some_and(|t| t.state == TaskState::Zombie && !table.group_alive(pid));
            could_report |= !zombie;
        }
        if !could_report {
            return Err(err(ECHILD));
        }
        if flag(options, WNOHANG) {
            return Ok(None);
        }
        if table.current().signals.has_deliverable() {
            return Err(-ERESTARTSYS);
        }
        sched::prepare_to_sleep(&mut table, None);
        drop(table);
        sched::schedule();
    }
}

fn current_pgid() -> u32 {
    with_current(|t| t.job.pgid)
}

/// wait4(2): `pid` -1 for any child, > 0 for that one, 0 for the caller's
/// process group, < -1 for group -pid.
pub fn sys_wait4(pid: i64, wstatus: u64, options: u64, rusage: u64) -> i64 {
    let allowed = WNOHANG | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL;
    if options & !(allowed as u64) != 0 {
        return err(EINVAL);
    }
    let which = match pid {
        -1 => Which::Any,
        // -INT_MIN names no group.
        p if p == i32::MIN as i64 => return err(ESRCH),
        p if p < -1 => Which::Group((-p) as u32),
        0 => Which::Group(current_pgid()),
        p => Which::Pid(p as u32),
    };
    match do_wait(which, options | WEXITED as u64) {
        Err(e) => e,
        Ok(None) => 0,
        Ok(Some(r)) => {
            let bytes = r.wstatus.to_le_bytes();
            if wstatus != 0 && uaccess::copy_to_user(wstatus, &bytes).is_err() {
                return err(EFAULT);
            }
            if rusage != 0 {
                if let Err(e) = cputime::put_rusage(rusage, r.times) {
                    return e;
                }
            }
            r.pid as i64
        }
    }
}

/// waitid(2): `idtype` P_ALL, P_PID (id > 0), P_PGID (id 0: the caller's
/// group) or P_PIDFD (no pidfds here: EBADF); the child's siginfo at
/// `infop`, zeroes when WNOHANG finds nothing.
pub fn sys_waitid(idtype: u64, id: i64, infop: u64, options: u64, rusage: u64) -> i64 {
    let allowed = WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED;
    let allowed = allowed | __WNOTHREAD | __WCLONE | __WALL;
    if options & !(allowed as u64) != 0 || options & (WEXITED | WSTOPPED | WCONTINUED) as u64 == 0 {
        return err(EINVAL);
    }
    let which = match idtype as u32 {
        P_ALL => Which::Any,
        P_PID if id > 0 => Which::Pid(id as u32),
        P_PGID if id == 0 => Which::Group(current_pgid()),
        P_PGID if id > 0 => Which::Group(id as u32),
        P_PIDFD if id >= 0 => return err(EBADF),
        _ => return err(EINVAL),
    };
    let (info, times) = match do_wait(which, options) {
        Err(e) => return e,
        Ok(found) => found.map_or_else(Default::default, |r| (r.info, r.times)),
    };
    if rusage != 0 {
        if let Err(e) = cputime::put_rusage(rusage, times) {
            return e;
        }
    }
    if infop == 0 {
        return 0;
    }
    for (offset, bytes) in info.waitid_runs() {
        if uaccess::copy_to_user(infop + offset as u64, &bytes).is_err() {
            return err(EFAULT);
        }
    }
    0
}
