//! Ending a task and collecting its status (Linux: kernel/exit.c do_exit,
//! wait4; arch/x86/mm/fault.c show_signal_msg).
//!
//! An exiting thread gives back its memory at once (the last one of its
//! address space does). A process ends with its last thread: its leader
//! stays in the table as a zombie holding the wait status, (code & 0xff)
//! << 8 after exit() or the signal number after a fatal signal, until its
//! parent collects it with wait4; its other threads are freed as they
//! exit. Its children go to init. When init itself ends, Linux panics: so
//! does noyau.

use linux_raw_sys::errno::{ECHILD, EFAULT, EINVAL};

use crate::arch::traps::TrapFrame;
use crate::kernel::exec::free_kernel_stack;
use alloc::sync::Arc;
use vfs::FdTable;

use crate::kernel::sched::cputime;
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::task::{with_current, with_current_mm, Task, TaskState, TaskTable, TASKS};
use crate::kernel::{sched, signal};
use crate::pr_info;

/// Linux's signal numbers for the faults user code can cause, and the
/// one a parent gets when a child ends.
pub const SIGILL: u32 = 4;
pub const SIGFPE: u32 = 8;
pub const SIGSEGV: u32 = 11;

/// exit_group(2), and a fatal signal: end every thread of the process,
/// all with the status of the first to ask (Linux: do_group_exit).
pub fn do_group_exit(exitcode: u32) -> ! {
    let status = {
        let mut table = TASKS.lock();
        let me = table.current().pid;
        let tgid = table.current().tgid;
        let status = *table.current().group_exit.get_or_insert(exitcode);
        for tid in table.threads(tgid) {
            if tid == me {
                continue;
            }
            if let Some(t) = table.tasks.get_mut(&tid) {
                t.group_exit.get_or_insert(status);
            }
            signal::send_signal(&mut table, tid, signal::SIGKILL);
        }
        status
    };
    do_exit(status)
}

/// exit(2): end the calling thread (Linux: do_exit). The process ends
/// with its last thread, which gives the status its parent sees.
pub fn do_exit(exitcode: u32) -> ! {
    let clear_tid = with_current(|t| core::mem::take(&mut t.clear_child_tid));
    crate::kernel::futex::clear_child_tid(clear_tid);

    // Give the memory back now, if no other thread uses it; switch to the
    // kernel's tables first, as the task's own may be about to lose their
    // pages. The files go too (Linux: exit_mm, exit_files).
    crate::arch::mm::init::switch_address_space(crate::arch::mm::init::kernel_pgd_phys());
    let mm = with_current(|t| t.mm.take());
    drop(mm);
    let no_files = Arc::new(IrqSpinLock::new(FdTable::new(0)));
    let files = with_current(|t| core::mem::replace(&mut t.files, no_files));
    drop(files);

    let mut table = TASKS.lock();
    let me = table.current();
    let tgid = me.tgid;
    me.state = if me.is_leader() {
        TaskState::Zombie
    } else {
        TaskState::Dead
    };
    if !table.current().is_leader() {
        cputime::fold_into_leader(&mut table);
    }
    if !table.group_alive(tgid) {
        let status = table
            .tasks
            .get(&tgid)
            .and_then(|l| l.group_exit)
            .unwrap_or(exitcode);
        if tgid == 1 {
            drop(table);
            crate::kernel::panic::panic(
                format_args!("Attempted to kill init! exitcode={:#010x}", status),
                false,
            );
        }
        exit_notify(&mut table, tgid, status);
    }
    drop(table);
    sched::schedule();
    unreachable!("an exited task was scheduled again")
}

/// The last thread of process `tgid` has exited: the leader's zombie
/// takes the status, the children go to init, and the parent learns of it
/// (Linux: exit_notify).
fn exit_notify(table: &mut TaskTable, tgid: u32, status: u32) {
    let Some(leader) = table.tasks.get_mut(&tgid) else {
        return;
    };
    leader.exit_code = status;
    let parent = leader.ppid;
    let mut orphans = false;
    for task in table.tasks.values_mut() {
        if task.ppid == tgid {
            task.ppid = 1;
            orphans = true;
        }
    }
    for tid in table.threads(parent) {
        sched::wake_up(table, tid);
    }
    if orphans {
        sched::wake_up(table, 1);
    }
    signal::send_group_signal(table, parent, signal::SIGCHLD);
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
    do_group_exit(SIGSEGV)
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
    do_group_exit(signal)
}

const WNOHANG: u64 = 1;
const WUNTRACED: u64 = 2;
const WCONTINUED: u64 = 8;
const WALL_FLAGS: u64 = 0xe000_0000;

/// wait4(2): collect a child's status. `pid` -1 (or a process group, for
/// now taken as any child) or a child's pid.
pub fn sys_wait4(pid: i64, wstatus: u64, options: u64, rusage: u64) -> i64 {
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
            // Any thread waits for the children of its whole process.
            let me = table.current().tgid;
            let mine = |t: &Task| {
                t.is_leader() && t.ppid == me && t.pid != me && (pid <= 0 || t.pid as i64 == pid)
            };
            if !table.tasks.values().any(|t| mine(t)) {
                return -(ECHILD as i64);
            }
            let zombie = table
                .tasks
                .values()
                .find(|t| mine(t) && t.state == TaskState::Zombie && !table.group_alive(t.tgid))
                .map(|t| t.pid);
            match zombie {
                Some(z) => table.tasks.remove(&z).map(|child| {
                    let times = cputime::reap_times(&mut table, &child);
                    (child, times)
                }),
                None if options & WNOHANG != 0 => return 0,
                None => {
                    table.current().state = TaskState::Sleeping;
                    None
                }
            }
        };
        match found {
            Some((child, times)) => {
                free_kernel_stack(child.kstack_pfn, child.kstack_order);
                if rusage != 0 {
                    if let Err(e) = cputime::put_rusage(rusage, times) {
                        return e;
                    }
                }
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
