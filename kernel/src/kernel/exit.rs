//! Ending a task and collecting its status (Linux: kernel/exit.c do_exit,
//! wait4; arch/x86/mm/fault.c show_signal_msg).
//!
//! An exiting task gives back its memory at once and stays in the table as
//! a zombie holding its wait status, (code & 0xff) << 8 after exit() or the
//! signal number after a fatal signal, until its parent collects it with
//! wait4. Its children go to init. When init itself ends, Linux panics:
//! so does noyau.

use linux_raw_sys::errno::{ECHILD, EFAULT, EINVAL};

use crate::arch::traps::TrapFrame;
use crate::kernel::exec::free_kernel_stack;
use crate::kernel::task::{with_current, with_current_mm, Task, TaskState, TASKS};
use crate::kernel::{sched, signal};
use crate::pr_info;

/// Linux's signal numbers for the faults user code can cause, and the
/// one a parent gets when a child ends.
pub const SIGILL: u32 = 4;
pub const SIGFPE: u32 = 8;
pub const SIGSEGV: u32 = 11;

pub fn do_exit(exitcode: u32) -> ! {
    let pid = with_current(|t| t.pid);
    if pid == 1 {
        crate::kernel::panic::panic(
            format_args!("Attempted to kill init! exitcode={:#010x}", exitcode),
            false,
        );
    }
    // Give the memory back now; switch to the kernel's tables first, as the
    // task's own are about to lose their pages.
    crate::arch::mm::init::switch_address_space(crate::arch::mm::init::kernel_pgd_phys());
    let mm = with_current(|t| t.mm.take());
    drop(mm);
    {
        let mut table = TASKS.lock();
        let me = table.current();
        me.state = TaskState::Zombie;
        me.exit_code = exitcode;
        let parent = me.ppid;
        for task in table.tasks.values_mut() {
            if task.ppid == pid {
                task.ppid = 1;
            }
        }
        sched::wake_up(&mut table, parent);
        sched::wake_up(&mut table, 1);
        signal::send_signal(&mut table, parent, signal::SIGCHLD);
    }
    sched::schedule();
    unreachable!("a zombie was scheduled again")
}

/// A user page fault that nothing can repair: report it as Linux does
/// (show_signal_msg) and kill the task with SIGSEGV.
pub fn user_segfault(frame: &TrapFrame, address: u64) -> ! {
    let (pid, comm) = with_current(|t| (t.pid, t.comm));
    pr_info!(
        "{}[{}]: segfault at {:x} ip {:016x} sp {:016x} error {:x}",
        Task::comm_str(&comm),
        pid,
        address,
        frame.rip,
        frame.rsp,
        frame.error_code
    );
    do_exit(SIGSEGV)
}

/// Another exception in user mode (Linux: do_trap's "traps:" line).
pub fn user_trap(frame: &TrapFrame, name: &str, signal: u32) -> ! {
    let (pid, comm) = with_current(|t| (t.pid, t.comm));
    pr_info!(
        "traps: {}[{}] trap {} ip:{:x} sp:{:x} error:{:x}",
        Task::comm_str(&comm),
        pid,
        name,
        frame.rip,
        frame.rsp,
        frame.error_code
    );
    do_exit(signal)
}

const WNOHANG: u64 = 1;
const WUNTRACED: u64 = 2;
const WCONTINUED: u64 = 8;
const WALL_FLAGS: u64 = 0xe000_0000;

/// wait4(2): collect a child's status. `pid` -1 (or a process group, for
/// now taken as any child) or a child's pid.
pub fn sys_wait4(pid: i64, wstatus: u64, options: u64, _rusage: u64) -> i64 {
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WALL_FLAGS) != 0 {
        return -(EINVAL as i64);
    }
    // Linux refuses -INT_MIN, which has no process group to name.
    if pid == i32::MIN as i64 {
        return -(linux_raw_sys::errno::ESRCH as i64);
    }
    loop {
        let found = {
            let mut table = TASKS.lock();
            let me = table.current;
            let mine = |t: &Task| t.ppid == me && t.pid != me && (pid <= 0 || t.pid as i64 == pid);
            if !table.tasks.values().any(|t| mine(t)) {
                return -(ECHILD as i64);
            }
            let zombie = table
                .tasks
                .values()
                .find(|t| mine(t) && t.state == TaskState::Zombie)
                .map(|t| t.pid);
            match zombie {
                Some(z) => table.tasks.remove(&z),
                None if options & WNOHANG != 0 => return 0,
                None => {
                    table.current().state = TaskState::Sleeping;
                    None
                }
            }
        };
        match found {
            Some(child) => {
                free_kernel_stack(child.kstack_pfn, child.kstack_order);
                let status = child.exit_code.to_le_bytes();
                if wstatus != 0 && with_current_mm(|mm| mm.copy_to_user(wstatus, &status)).is_err()
                {
                    return -(EFAULT as i64);
                }
                return child.pid as i64;
            }
            None => {
                sched::schedule();
                if signal::signal_pending() {
                    with_current(|t| t.state = TaskState::Runnable);
                    return -signal::ERESTARTSYS;
                }
            }
        }
    }
}
