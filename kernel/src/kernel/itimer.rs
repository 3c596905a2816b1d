//! Interval timers (Linux: kernel/time/itimer.c and the process timers
//! of kernel/time/posix-cpu-timers.c): setitimer, getitimer and alarm.
//! ITIMER_REAL sends the process SIGALRM when it runs out, then again every
//! interval if one is set; ITIMER_VIRTUAL sends SIGVTALRM after so much
//! CPU time in user mode, ITIMER_PROF SIGPROF after so much CPU time in
//! user and kernel mode, all its threads together.
//!
//! ITIMER_REAL is a deadline on the monotonic clock in the task table,
//! keyed by the thread-group id; the CPU-time timers are expiry times on
//! the process's tick-sampled CPU time, with a tick added when they are
//! set, as Linux adds one (the tick that sets it has begun). Every tick
//! looks at them (so they are as precise as the tick, 4 ms). They survive
//! execve, are not inherited by fork, and end with the process.

use linux_raw_sys::errno::{EFAULT, EINVAL};
use linux_raw_sys::general::{
    ITIMER_PROF, ITIMER_REAL, ITIMER_VIRTUAL, SIGALRM, SIGPROF, SIGVTALRM,
};

use crate::kernel::signal::send_process;
use crate::kernel::sys::err;
use crate::kernel::task::{TaskTable, TASKS};
use crate::kernel::time::{ktime_get_ns, TICK_NSEC};
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

/// A CPU-time timer: when it fires, as a sample of the process's CPU time
/// (0: off), and its period (0: once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTimer {
    pub expires: u64,
    pub interval: u64,
}

/// A process's ITIMER_VIRTUAL and ITIMER_PROF, in that order.
pub type CpuTimers = [CpuTimer; 2];

/// The CPU-time timers: which of CpuTimers, the signal, and whether the
/// time it counts includes system time.
const CPU_CLOCKS: [(u32, u64, bool); 2] = [
    (ITIMER_VIRTUAL, SIGVTALRM as u64, false),
    (ITIMER_PROF, SIGPROF as u64, true),
];

/// Process `tgid`'s CPU time as timer `index` counts it.
fn cpu_sample(table: &TaskTable, tgid: u32, index: usize) -> u64 {
    let t = crate::kernel::sched::cputime::group_times(table, tgid);
    if CPU_CLOCKS[index].2 {
        t.user + t.system
    } else {
        t.user
    }
}

/// What a CPU-time timer reads at CPU time `now`: (interval, time left);
/// one about to fire reads a tick, as on Linux.
fn cpu_read(timer: CpuTimer, now: u64) -> ItimerVal {
    let left = match timer.expires {
        0 => 0,
        e if e < now => TICK_NSEC,
        e => e - now,
    };
    (timer.interval, left)
}

/// Set the current process's CPU-time timer `index` to `new`; what it was.
fn arm_cpu(index: usize, (interval, value): ItimerVal) -> ItimerVal {
    let mut table = TASKS.lock();
    let tgid = table.current().tgid;
    let now = cpu_sample(&table, tgid, index);
    let timers = table.cpu_itimers.entry(tgid).or_default();
    let old = cpu_read(timers[index], now);
    let expires = match value {
        0 => 0,
        v => now.saturating_add(v).saturating_add(TICK_NSEC),
    };
    timers[index] = CpuTimer { expires, interval };
    if *timers == CpuTimers::default() {
        table.cpu_itimers.remove(&tgid);
    }
    old
}

/// The current process's CPU-time timer `index`: (interval, time left).
fn read_cpu(index: usize) -> ItimerVal {
    let mut table = TASKS.lock();
    let tgid = table.current().tgid;
    let timer = table
        .cpu_itimers
        .get(&tgid)
        .map_or(CpuTimer::default(), |t| t[index]);
    cpu_read(timer, cpu_sample(&table, tgid, index))
}

/// From the tick, after it was charged: fire the running process's CPU-time
/// timers that its CPU time has reached (Linux: check_cpu_itimer).
pub fn run_cpu_timers(table: &mut TaskTable) {
    if table.cpu_itimers.is_empty() {
        return;
    }
    let tgid = table.current().tgid;
    let Some(&timers) = table.cpu_itimers.get(&tgid) else {
        return;
    };
    for (index, timer) in timers.iter().enumerate() {
        if timer.expires == 0 || cpu_sample(table, tgid, index) < timer.expires {
            continue;
        }
        let next = match timer.interval {
            0 => 0,
            i => timer.expires.saturating_add(i),
        };
        if let Some(t) = table.cpu_itimers.get_mut(&tgid) {
            t[index].expires = next;
        }
        let sig = CPU_CLOCKS[index].1;
        send_process(table, tgid, sig, signal::SigInfo::kernel(sig));
    }
    if table
        .cpu_itimers
        .get(&tgid)
        .is_some_and(|t| *t == CpuTimers::default())
    {
        table.cpu_itimers.remove(&tgid);
    }
}

/// The index in CpuTimers of a CPU-time timer, or None for ITIMER_REAL;
/// EINVAL for any other.
fn which_timer(which: u64) -> Result<Option<usize>, i64> {
    let which = which as u32;
    if which == ITIMER_REAL {
        return Ok(None);
    }
    CPU_CLOCKS
        .iter()
        .position(|&(w, _, _)| w == which)
        .map(Some)
        .ok_or(err(EINVAL))
}

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
    let cpu = match which_timer(which) {
        Ok(cpu) => cpu,
        Err(e) => return e,
    };
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
    let was = match cpu {
        Some(index) => arm_cpu(index, wanted),
        None => arm(wanted),
    };
    if old != 0 {
        return put_itimerval(old, was);
    }
    0
}

/// getitimer(2).
pub fn sys_getitimer(which: u64, curr: u64) -> i64 {
    let cpu = match which_timer(which) {
        Ok(cpu) => cpu,
        Err(e) => return e,
    };
    if let Some(index) = cpu {
        return put_itimerval(curr, read_cpu(index));
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
