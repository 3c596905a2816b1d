//! Interval timers (Linux: kernel/time/itimer.c): setitimer, getitimer
//! and alarm for ITIMER_REAL, which sends the process SIGALRM when it
//! runs out, and then again every interval if one is set.
//!
//! A process's timer is a deadline on the monotonic clock in the task
//! table, keyed by its thread-group id, looked at by every tick (so it is
//! as precise as the tick, 4 ms). It survives execve, is not inherited by
//! fork, and ends with the process. ITIMER_VIRTUAL and ITIMER_PROF, which
//! count CPU time, are not implemented: EINVAL.

use linux_raw_sys::errno::{EFAULT, EINVAL};
use linux_raw_sys::general::{ITIMER_REAL, SIGALRM};

use crate::kernel::signal::send_process;
use crate::kernel::sys::err;
use crate::kernel::task::{TaskTable, TASKS};
use crate::kernel::time::ktime_get_ns;
use crate::mm::uaccess;

const NSEC_PER_USEC: u64 = 1_000;
const USEC_PER_SEC: u64 = 1_000_000;

/// One process's ITIMER_REAL: when it fires next, and its period (0: once).
#[derive(Clone, Copy, Debug)]
pub struct RealTimer {
    pub deadline: u64,
    pub interval: u64,
}

/// A struct itimerval as (interval, value), in ns.
type ItimerVal = (u64, u64);

/// A struct timeval in ns; EINVAL unless 0 <= tv_usec < 1000000 and
/// tv_sec >= 0.
fn timeval_ns(raw: &[u8]) -> Result<u64, i64> {
    let raw: &[u8; 16] = raw.try_into().expect("a timeval is 16 bytes");
    crate::kernel::time_syscalls::pair_ns(raw, USEC_PER_SEC)
}

fn put_timeval(out: &mut [u8], ns: u64) {
    // A timer about to fire still reads 1 us, as on Linux, not "off".
    let us = ns.div_ceil(NSEC_PER_USEC);
    out[..8].copy_from_slice(&(us / USEC_PER_SEC).to_le_bytes());
    out[8..16].copy_from_slice(&(us % USEC_PER_SEC).to_le_bytes());
}

/// What the current process's timer reads now: (interval, time left).
fn read(table: &TaskTable, tgid: u32, now: u64) -> ItimerVal {
    table.itimers.get(&tgid).map_or((0, 0), |t| {
        (t.interval, t.deadline.saturating_sub(now).max(1))
    })
}

/// Set the current process's timer to `new`; what it was.
fn arm(new: ItimerVal) -> ItimerVal {
    let now = ktime_get_ns();
    let mut table = TASKS.lock();
    let tgid = table.current().tgid;
    let old = read(&table, tgid, now);
    let (interval, value) = new;
    if value == 0 {
        table.itimers.remove(&tgid);
    } else {
        let deadline = now.saturating_add(value);
        table.itimers.insert(tgid, RealTimer { deadline, interval });
    }
    old
}

fn put_itimerval(addr: u64, (interval, value): ItimerVal) -> i64 {
    let mut raw = [0u8; 32];
    put_timeval(&mut raw[..16], interval);
    put_timeval(&mut raw[16..], value);
    if value == 0 {
        raw[16..].fill(0);
    }
    if interval == 0 {
        raw[..16].fill(0);
    }
    match uaccess::copy_to_user(addr, &raw) {
        Ok(()) => 0,
        Err(_) => err(EFAULT),
    }
}

/// setitimer(2).
pub fn sys_setitimer(which: u64, new: u64, old: u64) -> i64 {
    if which as u32 != ITIMER_REAL {
        return err(EINVAL);
    }
    // A null new value disarms, as Linux still allows.
    let wanted = if new == 0 {
        (0, 0)
    } else {
        let mut raw = [0u8; 32];
        if uaccess::copy_from_user(&mut raw, new).is_err() {
            return err(EFAULT);
        }
        match (timeval_ns(&raw[..16]), timeval_ns(&raw[16..])) {
            (Ok(i), Ok(v)) => (i, v),
            (Err(e), _) | (_, Err(e)) => return e,
        }
    };
    let was = arm(wanted);
    if old != 0 {
        return put_itimerval(old, was);
    }
    0
}

/// getitimer(2).
pub fn sys_getitimer(which: u64, curr: u64) -> i64 {
    if which as u32 != ITIMER_REAL {
        return err(EINVAL);
    }
    let now = ktime_get_ns();
    let value = {
        let mut table = TASKS.lock();
        let tgid = table.current().tgid;
        read(&table, tgid, now)
    };
    put_itimerval(curr, value)
}

/// alarm(2): SIGALRM in `seconds` (0 cancels); the seconds the previous
/// alarm had left, rounded to the nearest, and at least 1 if it was set.
pub fn sys_alarm(seconds: u64) -> i64 {
    let seconds = seconds as u32 as u64;
    let (_, left) = arm((0, seconds * USEC_PER_SEC * NSEC_PER_USEC));
    if left == 0 {
        return 0;
    }
    let us = left.div_ceil(NSEC_PER_USEC);
    let secs = us / USEC_PER_SEC + u64::from(us % USEC_PER_SEC >= USEC_PER_SEC / 2);
    secs.max(1) as i64
}

/// From the tick: fire the timers whose deadline has passed.
pub fn run_timers(table: &mut TaskTable, now: u64) {
    if table.itimers.is_empty() {
        return;
    }
    let due: alloc::vec::Vec<u32> = table
        .itimers
        .iter()
        .filter(|(_, t)| t.deadline <= now)
        .map(|(&tgid, _)| tgid)
        .collect();
    for tgid in due {
        let timer = table.itimers[&tgid];
        if timer.interval == 0 {
            table.itimers.remove(&tgid);
        } else if let Some(t) = table.itimers.get_mut(&tgid) {
            // Ticks missed while late are not made up, as on Linux.
            let periods = (now - timer.deadline) / timer.interval + 1;
            t.deadline = timer.deadline + periods * timer.interval;
        }
        let info = signal::SigInfo::kernel(SIGALRM as u64);
        send_process(table, tgid, SIGALRM as u64, info);
    }
}
