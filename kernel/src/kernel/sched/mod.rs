//! The scheduler (Linux: kernel/sched/core.c): which task runs next.
//!
//! Round robin for now: every runnable task waits in one queue, the tick
//! preempts a task that returns to user mode after a full tick, and a
//! task that sleeps or exits calls schedule(). The idle task (pid 0) runs
//! when the queue is empty. Linux's scheduling classes (CFS, real-time,
//! deadline) will sit behind pick_next(). A sleep may have a deadline: the
//! tick wakes the sleepers whose deadline has passed.

pub mod affinity;
pub mod cputime;
pub mod ioprio;
pub mod priority;
pub mod stack;

use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use x86_64::instructions::interrupts;
use x86_64::registers::model_specific::FsBase;
use x86_64::VirtAddr;

use crate::arch::mm::init::{kernel_pgd_phys, switch_address_space};
use crate::arch::percpu;
use crate::arch::switch::context_switch;
use crate::kernel::exec::free_kernel_stack;
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::task::{Task, TaskState, TaskTable, TASKS};
use crate::kernel::time::ktime_get_ns;

/// Set by the tick: the current task has had its turn.
static NEED_RESCHED: AtomicBool = AtomicBool::new(false);

/// The next task to run: the first runnable one in the queue, else idle.
fn pick_next(table: &mut TaskTable) -> u32 {
    while let Some(pid) = table.run_queue.pop_front() {
        if table
            .tasks
            .get(&pid)
            .is_some_and(|t| t.state == TaskState::Runnable)
        {
            return pid;
        }
    }
    0
}

/// Give the CPU to the next runnable task (Linux: schedule). Returns when
/// the caller is chosen again.
pub fn schedule() {
    let irqs = interrupts::are_enabled();
    interrupts::disable();
    NEED_RESCHED.store(false, Ordering::Relaxed);
    let switch = {
        let mut table = TASKS.lock();
        let prev = table.current;
        if !stack::end_intact(table.current()) {
            drop(table);
            panic!("corrupted stack end detected inside scheduler");
        }
        let prev_runnable = table.current().state == TaskState::Runnable;
        if prev != 0 && prev_runnable {
            table.run_queue.push_back(prev);
        }
        let next = pick_next(&mut table);
        if next == prev {
            None
        } else {
            let now = ktime_get_ns();
            cputime::account_switch(table.current(), now, prev_runnable);
            table.current().fs_base = FsBase::read().as_u64();
            let prev_pgd = pgd_of(table.current());
            let prev_slot = &mut table.current().saved_rsp as *mut u64;
            table.set_current(next);
            let task = table.current();
            task.last_run = now;
            let pgd = pgd_of(task);
            Some((
                prev_slot,
                task.saved_rsp,
                (pgd != prev_pgd).then_some(pgd),
                task.kernel_stack_top,
                task.fs_base,
            ))
        }
    };
    if let Some((prev_slot, next_rsp, pgd, kstack_top, fs_base)) = switch {
        if kstack_top != 0 {
            percpu::this_cpu()
                .kernel_stack_top
                .store(kstack_top, Ordering::Relaxed);
        }
        // Threads of one process share the tables: no switch, no TLB flush.
        if let Some(pgd) = pgd {
            switch_address_space(pgd);
        }
        FsBase::write(VirtAddr::new(fs_base));
        context_switch(prev_slot, next_rsp);
    }
    release_dead_tasks();
    if irqs {
        interrupts::enable();
    }
}

/// The top-level page table a task runs on.
fn pgd_of(task: &Task) -> u64 {
    task.mm
        .as_ref()
        .map_or_else(kernel_pgd_phys, |mm| mm.pgd_phys())
}

/// Free the exited threads that nobody waits for (Linux: release_task from
/// the next task's finish_task_switch), now that the CPU is off their
/// kernel stacks.
fn release_dead_tasks() {
    let dead: alloc::vec::Vec<alloc::boxed::Box<Task>> = {
        let mut table = TASKS.lock();
        let current = table.current;
        let pids: alloc::vec::Vec<u32> = table
            .tasks
            .values()
            .filter(|t| t.state == TaskState::Dead && t.pid != current)
            .map(|t| t.pid)
            .collect();
        pids.iter().filter_map(|p| table.tasks.remove(p)).collect()
    };
    for task in dead {
        free_kernel_stack(task.kstack_pfn, task.kstack_order);
    }
}

/// Mark the current task asleep, to be woken by wake_up or, with a
/// deadline (monotonic ns), by the first tick after it (Linux:
/// set_current_state then schedule_timeout). The caller holds the lock
/// its waker takes, so no wake-up is lost; it calls schedule() next.
pub fn prepare_to_sleep(table: &mut TaskTable, deadline: Option<u64>) {
    let pid = table.current;
    table.current().state = TaskState::Sleeping;
    if let Some(deadline) = deadline {
        table.timers.insert((deadline, pid));
    }
}

/// After the sleep: forget a deadline that did not fire.
pub fn finish_sleep(deadline: Option<u64>) {
    if let Some(deadline) = deadline {
        let mut table = TASKS.lock();
        let pid = table.current;
        table.timers.remove(&(deadline, pid));
        table.current().state = TaskState::Runnable;
    }
}

/// Sleep until the monotonic clock reaches `deadline` or a wake-up comes.
pub fn sleep_until(deadline: u64) {
    prepare_to_sleep(&mut TASKS.lock(), Some(deadline));
    schedule();
    finish_sleep(Some(deadline));
}

/// Make a sleeping task runnable again (Linux: wake_up_process).
pub fn wake_up(table: &mut TaskTable, pid: u32) {
    if let Some(task) = table.tasks.get_mut(&pid) {
        if task.state == TaskState::Sleeping {
            task.state = TaskState::Runnable;
            table.run_queue.push_back(pid);
        }
    }
}

/// The tasks waiting for a condition (Linux: wait_queue_head_t). It lives
/// under the lock that guards the condition, so that a waker, which
/// changes the condition under that lock, cannot miss a waiter that found
/// it false: the waiter queues itself and goes to sleep before it lets
/// the lock go.
#[derive(Default)]
pub struct WaitQueue {
    pids: alloc::vec::Vec<u32>,
}

impl WaitQueue {
    pub const fn new() -> WaitQueue {
        WaitQueue {
            pids: alloc::vec::Vec::new(),
        }
    }

    /// Queue the current task and mark it asleep (Linux: prepare_to_wait);
    /// the caller then drops the condition's lock, calls schedule(), and
    /// takes the lock again to look, and to call `finish_wait`.
    pub fn prepare_to_wait(&mut self) {
        self.prepare_to_wait_until(None);
    }

    /// prepare_to_wait, and a wake-up at `deadline` (monotonic ns) if none
    /// comes before; the caller ends the sleep with `finish_sleep(deadline)`
    /// as well as `finish_wait`.
    pub fn prepare_to_wait_until(&mut self, deadline: Option<u64>) {
        let mut table = TASKS.lock();
        let pid = table.current;
        if !self.pids.contains(&pid) {
            self.pids.push(pid);
        }
        prepare_to_sleep(&mut table, deadline);
    }

    /// Leave the queue after a sleep, whatever woke the task (a signal
    /// does not go through the queue).
    pub fn finish_wait(&mut self, pid: u32) {
        self.pids.retain(|&p| p != pid);
    }

    /// Wake every waiter (Linux: wake_up_interruptible_all); each one
    /// looks at the condition again. Something may have become ready for
    /// poll and select too: their sleepers wake as well.
    pub fn wake_up_all(&mut self) {
        poll_wake();
        self.wake_waiters();
    }

    fn wake_waiters(&mut self) {
        if self.pids.is_empty() {
            return;
        }
        let mut table = TASKS.lock();
        for pid in self.pids.drain(..) {
            wake_up(&mut table, pid);
        }
    }
}

/// poll and select sleep until some wait queue wakes (Linux queues a poller
/// on each file's own queues through its poll table; noyau wakes every
/// poller at any wake-up, and each asks its files again): an event count
/// that every wake-up advances, and the pollers asleep on it.
static POLL_EVENTS: AtomicU64 = AtomicU64::new(0);
static POLL_SLEEPERS: AtomicUsize = AtomicUsize::new(0);
static POLL_WAIT: IrqSpinLock<WaitQueue> = IrqSpinLock::new(WaitQueue::new());

/// The event count: a poller reads it before it asks its files.
pub fn poll_events() -> u64 {
    POLL_EVENTS.load(Ordering::SeqCst)
}

/// Sleep until the event count moves from `seen` (at once if it has),
/// `deadline` passes or a signal comes. A wake-up between the poller's
/// reading of the count and its sleep is not lost: the waker advances the
/// count before it looks for sleepers, the poller counts itself a sleeper
/// before it looks at the count again.
pub fn poll_sleep(seen: u64, deadline: Option<u64>) {
    {
        let mut queue = POLL_WAIT.lock();
        POLL_SLEEPERS.fetch_add(1, Ordering::SeqCst);
        if POLL_EVENTS.load(Ordering::SeqCst) != seen {
            POLL_SLEEPERS.fetch_sub(1, Ordering::SeqCst);
            return;
        }
        queue.prepare_to_wait_until(deadline);
    }
    schedule();
    finish_sleep(deadline);
    let pid = TASKS.lock().current;
    POLL_WAIT.lock().finish_wait(pid);
    POLL_SLEEPERS.fetch_sub(1, Ordering::SeqCst);
}

fn poll_wake() {
    POLL_EVENTS.fetch_add(1, Ordering::SeqCst);
    if POLL_SLEEPERS.load(Ordering::SeqCst) != 0 {
        POLL_WAIT.lock().wake_waiters();
    }
}

/// Ask for a switch at the next return to user mode (Linux: resched_curr),
/// as CFS's check_preempt_wakeup does when a woken task is owed the CPU.
pub fn resched_curr() {
    NEED_RESCHED.store(true, Ordering::Relaxed);
}

/// Queue a new task.
pub fn enqueue(table: &mut TaskTable, pid: u32) {
    table.run_queue.push_back(pid);
}

/// From the tick: charge it to the running task, ask for a switch at the
/// next return to user mode, and wake the sleepers whose deadline has
/// passed.
pub fn scheduler_tick(user_mode: bool) {
    NEED_RESCHED.store(true, Ordering::Relaxed);
    let now = ktime_get_ns();
    let mut table = TASKS.lock();
    cputime::account_tick(&mut table, user_mode);
    crate::kernel::itimer::run_cpu_timers(&mut table);
    // Sampled before the timers wake their sleepers, which would count
    // as runnable for the instant they look and go back to sleep.
    if now >= table.loadavg_next {
        calc_global_load(&mut table, now);
    }
    while let Some(&(deadline, pid)) = table.timers.first() {
        if deadline > now {
            break;
        }
        table.timers.pop_first();
        wake_up(&mut table, pid);
    }
    crate::kernel::itimer::run_timers(&mut table, now);
}

/// Every five seconds (and a tick, as Linux's LOAD_FREQ, so that the
/// samples do not keep falling on the same phase of a periodic task):
/// move the load averages towards the number of runnable tasks, the
/// running one included, the idle task not (Linux: calc_global_load).
fn calc_global_load(table: &mut TaskTable, now: u64) {
    let active = table
        .tasks
        .values()
        .filter(|t| t.pid != 0 && t.state == TaskState::Runnable)
        .count() as u64;
    if table.loadavg_next != 0 {
        table.loadavg.update(active);
    }
    table.loadavg_next =
        now + procfmt::LOAD_FREQ_SECS * 1_000_000_000 + crate::kernel::time::TICK_NSEC;
}

/// Has the tick or a wakeup asked for a reschedule (Linux: TIF_NEED_RESCHED)?
pub fn need_resched() -> bool {
    NEED_RESCHED.load(Ordering::Relaxed)
}

/// On the way back to user mode: switch if the tick asked for it.
pub fn preempt_on_return_to_user() {
    if NEED_RESCHED.load(Ordering::Relaxed) {
        schedule();
    }
}

/// Wait for something to happen while letting other tasks run: yield if
/// another task is ready, otherwise halt until the next interrupt.
pub fn yield_or_idle() {
    let others = !TASKS.lock().run_queue.is_empty();
    if others {
        schedule();
    } else {
        interrupts::enable_and_hlt();
    }
}

/// The idle task's loop (Linux: do_idle): run whatever is ready, halt
/// when nothing is.
pub fn cpu_idle() -> ! {
    loop {
        schedule();
        interrupts::enable_and_hlt();
    }
}
