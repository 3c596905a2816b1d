//! Kernel threads (Linux: kernel/kthread.c): tasks that run only kernel
//! code, with no address space of their own, such as kthreadd, pid 2,
//! the parent of every kernel thread.
//!
//! A kernel thread is made ready to run `entry(arg)` on a kernel stack of
//! its own; ps shows it in brackets because its command line is empty. Its
//! signals are never acted on: that happens on the way back to user mode,
//! where a kernel thread never goes.

use alloc::boxed::Box;

use crate::arch::switch;
use crate::kernel::exec::{alloc_kernel_stack, KERNEL_STACK_ORDER};
use crate::kernel::sched;
use crate::kernel::task::{Task, TASKS};

/// kthreadd's pid, as on Linux.
pub const KTHREADD_PID: u32 = 2;

/// Start a kernel thread named `name` running `entry(arg)`; its pid, or
/// None when there is no memory for its stack.
pub fn kthread_run(name: &str, entry: extern "C" fn(u64) -> !, arg: u64) -> Option<u32> {
    let (kstack_pfn, kstack_top) = alloc_kernel_stack()?;
    let mut table = TASKS.lock();
    let pid = table.alloc_pid();
    // kthreadd's own parent is the idle task, as Linux's is pid 0.
    let ppid = if pid == KTHREADD_PID { 0 } else { KTHREADD_PID };
    let mut task = Task::kernel(pid, name, ppid);
    task.kstack_pfn = kstack_pfn;
    task.kstack_order = KERNEL_STACK_ORDER;
    task.kernel_stack_top = kstack_top;
    task.saved_rsp = switch::prepare_kthread_stack(kstack_top, entry, arg);
    table.tasks.insert(pid, Box::new(task));
    sched::enqueue(&mut table, pid);
    Some(pid)
}

/// kthreadd: Linux's makes the kernel threads others ask for; noyau's
/// kernel threads are made directly, so it only stands as their parent.
extern "C" fn kthreadd(_arg: u64) -> ! {
    loop {
        sched::prepare_to_sleep(&mut TASKS.lock(), None);
        sched::schedule();
    }
}

/// Start kthreadd, right after init (Linux: rest_init), so that it is pid 2.
pub fn start_kthreadd() {
    let pid = kthread_run("kthreadd", kthreadd, 0).expect("memory for kthreadd's stack");
    if pid != KTHREADD_PID {
        crate::pr_warn!("kthread: kthreadd is pid {}, not {}", pid, KTHREADD_PID);
    }
}
