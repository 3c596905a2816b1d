//! CPU time accounting (Linux: kernel/sched/cputime.c, kernel/sys.c's
//! times and getrusage).
//!
//! Each task's time on the CPU is measured at every switch, to the
//! nanosecond (Linux's sum_exec_runtime, what the CPU-time clocks read);
//! the tick samples whether that time was spent in user or in kernel mode
//! (utime and stime, as Linux's tick-based accounting does). A process's
//! times are its threads' plus those of its threads that exited; its
//! children's are added to it when it reaps them.

use core::sync::atomic::{AtomicU64, Ordering};

use linux_raw_sys::errno::{EFAULT, EINVAL};

use crate::arch::percpu;
use crate::kernel::sys::err;
use crate::kernel::task::{Task, TaskTable, TASKS};
use crate::kernel::time::{ktime_get_ns, TICK_NSEC};
use crate::mm::uaccess;

/// Time spent by a task, or by a group of them, in nanoseconds, and the
/// events struct rusage counts with it.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuTime {
    pub user: u64,
    pub system: u64,
    /// Time on the CPU, measured at each switch.
    pub runtime: u64,
    /// Page faults repaired without I/O (all of them: noyau has no swap and
    /// its file pages are in memory, so none is major).
    pub min_flt: u64,
    pub maj_flt: u64,
    /// Switches away from the task because it slept (voluntary), or because
    /// it was preempted or yielded while it could still run.
    pub nvcsw: u64,
    pub nivcsw: u64,
}

impl CpuTime {
    pub fn add(&mut self, other: CpuTime) {
        self.user += other.user;
        self.system += other.system;
        self.runtime += other.runtime;
        self.min_flt += other.min_flt;
        self.maj_flt += other.maj_flt;
        self.nvcsw += other.nvcsw;
        self.nivcsw += other.nivcsw;
    }
}

/// Context switches since boot, all CPUs (/proc/stat's ctxt).
static SWITCHES: AtomicU64 = AtomicU64::new(0);

/// The context switches since boot.
pub fn context_switches() -> u64 {
    SWITCHES.load(Ordering::Relaxed)
}

/// A page fault of the running task was repaired (Linux: mm_account_fault).
/// It is counted on the CPU without a lock, for a fault may be taken with
/// the address space locked, and moves to the task at its next switch.
pub fn account_fault() {
    percpu::this_cpu().min_flt.fetch_add(1, Ordering::Relaxed);
}

/// User time of threads with a positive nice value, all of it since boot:
/// /proc/stat shows it as "nice" rather than "user" (Linux's CPUTIME_NICE;
/// the threads' own user times count it as user time, as Linux's do).
static NICE_NS: AtomicU64 = AtomicU64::new(0);

/// The user time spent at a positive nice value since boot, in ns.
pub fn nice_time() -> u64 {
    NICE_NS.load(Ordering::Relaxed)
}

/// The tick: charge it to the running task, as user or system time
/// (none runs yet in the first ticks of the boot).
pub fn account_tick(table: &mut TaskTable, user_mode: bool) {
    let current = table.current;
    let Some(task) = table.tasks.get_mut(&current) else {
        return;
    };
    if user_mode && task.nice > 0 {
        NICE_NS.fetch_add(TICK_NSEC, Ordering::Relaxed);
    }
    let t = &mut task.times;
    if user_mode {
        t.user += TICK_NSEC;
    } else {
        t.system += TICK_NSEC;
    }
}

/// A switch away from `prev` at time `now`; `runnable` if it could still
/// run (Linux's __schedule: nivcsw unless the task went to sleep).
pub fn account_switch(prev: &mut Task, now: u64, runnable: bool) {
    prev.times.runtime += now.saturating_sub(prev.last_run);
    prev.times.min_flt += percpu::this_cpu().min_flt.swap(0, Ordering::Relaxed);
    if runnable {
        prev.times.nivcsw += 1;
    } else {
        prev.times.nvcsw += 1;
    }
    SWITCHES.fetch_add(1, Ordering::Relaxed);
}

/// A task's own times, the running one's up to now.
pub fn thread_times(t: &Task, current: u32) -> CpuTime {
    let mut times = t.times;
    if t.pid == current {
        times.runtime += ktime_get_ns().saturating_sub(t.last_run);
        times.min_flt += percpu::this_cpu().min_flt.load(Ordering::Relaxed);
    }
    times
}

/// Process `tgid`'s times: its threads', the exited ones' included.
pub fn group_times(table: &TaskTable, tgid: u32) -> CpuTime {
    let mut sum = table
        .tasks
        .get(&tgid)
        .map_or_else(CpuTime::default, |l| l.dead_times);
    for t in table.tasks.values().filter(|t| t.tgid == tgid) {
        sum.add(thread_times(t, table.current));
    }
    sum
}

/// The current thread's CPU time (CLOCK_THREAD_CPUTIME_ID).
pub fn thread_runtime() -> u64 {
    let table = TASKS.lock();
    let t = table
        .tasks
        .get(&table.current)
        .expect("the current task is in the table");
    thread_times(t, table.current).runtime
}

/// The current process's CPU time (CLOCK_PROCESS_CPUTIME_ID).
pub fn process_runtime() -> u64 {
    let table = TASKS.lock();
    let tgid = table.tasks.get(&table.current).map_or(0, |t| t.tgid);
    group_times(&table, tgid).runtime
}

/// Linux's USER_HZ: the unit of clock_t in times(2).
const USER_HZ: u64 = 100;

fn to_clock_t(ns: u64) -> u64 {
    ns / (1_000_000_000 / USER_HZ)
}

/// times(2): the process's and its reaped children's user and system
/// time in clock ticks; returns the ticks since boot.
pub fn sys_times(buf: u64) -> i64 {
    if buf != 0 {
        let (own, children) = {
            let mut table = TASKS.lock();
            let tgid = table.current().tgid;
            let children = table
                .tasks
                .get(&tgid)
                .map_or_else(CpuTime::default, |l| l.child_times);
            (group_times(&table, tgid), children)
        };
        let fields = [own.user, own.system, children.user, children.system];
        let bytes: alloc::vec::Vec<u8> = fields
            .iter()
            .flat_map(|&ns| to_clock_t(ns).to_le_bytes())
            .collect();
        if uaccess::copy_to_user(buf, &bytes).is_err() {
            return err(EFAULT);
        }
    }
    to_clock_t(ktime_get_ns()) as i64
}

const RUSAGE_SELF: i64 = 0;
const RUSAGE_CHILDREN: i64 = -1;
const RUSAGE_THREAD: i64 = 1;

/// Bytes of struct rusage: two timevals and fourteen longs.
const RUSAGE_SIZE: usize = 144;

/// Write `t` to user memory as a struct rusage: the times, the page faults
/// and the context switches (the other counters Linux keeps stay 0 here:
/// ru_maxrss, block I/O; the rest are 0 on Linux too).
pub fn put_rusage(addr: u64, t: CpuTime) -> Result<(), i64> {
    let mut b = [0u8; RUSAGE_SIZE];
    let timeval = |ns: u64| [ns / 1_000_000_000, ns % 1_000_000_000 / 1000];
    for (i, v) in timeval(t.user)
        .into_iter()
        .chain(timeval(t.system))
        .enumerate()
    {
        b[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
    }
    // The longs after the two timevals, by their index among them
    // (ru_maxrss is 0, ru_minflt 4, ru_nvcsw 12).
    let counters = [
        (4, t.min_flt),
        (5, t.maj_flt),
        (12, t.nvcsw),
        (13, t.nivcsw),
    ];
    for (index, v) in counters {
        let at = 32 + index * 8;
        b[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }
    uaccess::copy_to_user(addr, &b).map_err(|_| err(EFAULT))
}

/// getrusage(2): the process, its reaped children, or the thread.
pub fn sys_getrusage(who: i64, ru: u64) -> i64 {
    let times = {
        let mut table = TASKS.lock();
        let tgid = table.current().tgid;
        match who {
            RUSAGE_SELF => group_times(&table, tgid),
            RUSAGE_CHILDREN => table
                .tasks
                .get(&tgid)
                .map_or_else(CpuTime::default, |l| l.child_times),
            RUSAGE_THREAD => {
                let current = table.current;
                thread_times(table.current(), current)
            }
            _ => return err(EINVAL),
        }
    };
    put_rusage(ru, times).map_or_else(|e| e, |()| 0)
}

/// A thread other than the leader exits: its times stay with the process.
pub fn fold_into_leader(table: &mut TaskTable) {
    let me = table.current();
    let (tgid, times) = (me.tgid, thread_times(me, me.pid));
    if let Some(leader) = table.tasks.get_mut(&tgid) {
        leader.dead_times.add(times);
    }
}

/// The current task reaps `child`: the child's times, and its own
/// children's, become the reaper's children's times. Returns them.
pub fn reap_times(table: &mut TaskTable, child: &Task) -> CpuTime {
    let mut total = child.times;
    total.add(child.dead_times);
    total.add(child.child_times);
    let tgid = table.current().tgid;
    if let Some(leader) = table.tasks.get_mut(&tgid) {
        leader.child_times.add(total);
    }
    total
}
