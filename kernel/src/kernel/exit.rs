//! Ending a task (Linux: kernel/exit.c do_exit, do_group_exit,
//! exit_notify; arch/x86/mm/fault.c show_signal_msg); collecting its
//! status is wait.rs.
//!
//! An exiting thread gives back its memory at once (the last one of its
//! address space does). A process ends with its last thread: its leader
//! stays in the table as a zombie holding the wait status, (code & 0xff)
//! << 8 after exit() or the signal number after a fatal signal, until its
//! parent collects it with wait4; its other threads are freed as they
//! exit. Its children go to init. When init itself ends, Linux panics: so
//! does noyau.

use alloc::sync::Arc;
use alloc::vec::Vec;

use ::signal::SigInfo;
use linux_raw_sys::general::SA_NOCLDWAIT;
use vfs::FdTable;

use crate::arch::traps::TrapFrame;
use crate::kernel::sched::cputime;
use crate::kernel::signal::jobctl;
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::task::{with_current, Task, TaskState, TaskTable, TASKS};
use crate::kernel::{sched, signal};
use crate::pr_info;

/// wait4 lives with waitid in wait.rs; the call table names it here.
pub use crate::kernel::wait::sys_wait4;

/// The disposition that ignores a signal.
const SIG_IGN: u64 = 1;

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
            signal::zap_thread(&mut table, tid);
        }
        status
    };
    do_exit(status)
}

/// exit(2): end the calling thread (Linux: do_exit). The process ends
/// with its last thread, which gives the status its parent sees.
pub fn do_exit(exitcode: u32) -> ! {
    crate::kernel::futex::release_robust_list();
    let clear_tid = with_current(|t| core::mem::take(&mut t.clear_child_tid));
    crate::kernel::futex::clear_child_tid(clear_tid);

    // Give the memory back now, if no other thread uses it; switch to the
    // kernel's tables first, as the task's own may be about to lose their
    // pages. The files go too (Linux: exit_mm, exit_files).
    crate::arch::mm::init::switch_address_space(crate::arch::mm::init::kernel_pgd_phys());
    let mm = with_current(|t| t.mm.take());
    drop(mm);
    crate::kernel::fork::vfork_done(&mut TASKS.lock());
    let no_files = Arc::new(IrqSpinLock::new(FdTable::new(0)));
    let files = TASKS.lock().replace_current_files(no_files);
    drop(files);

    let mut table = TASKS.lock();
    jobctl::exit_signals(&mut table);
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
/// takes the status, the children go to init (a process group that this
/// orphans gets SIGHUP and SIGCONT if a member is stopped), and the parent
/// gets SIGCHLD. A parent that ignores SIGCHLD, or set SA_NOCLDWAIT, leaves
/// no zombie to collect: the child is released at once (Linux:
/// exit_notify, do_notify_parent).
fn exit_notify(table: &mut TaskTable, tgid: u32, status: u32) {
    table.itimers.remove(&tgid);
    table.cpu_itimers.remove(&tgid);
    let Some(leader) = table.tasks.get_mut(&tgid) else {
        return;
    };
    leader.exit_code = status;
    leader.job.stop = Default::default();
    let parent = leader.ppid;
    let children: Vec<u32> = table
        .tasks
        .values()
        .filter(|t| t.ppid == tgid && t.is_leader())
        .map(|t| t.tgid)
        .collect();
    for task in table.tasks.values_mut() {
        if task.ppid == tgid {
            task.ppid = 1;
        }
    }
    for &child in &children {
        jobctl::kill_orphaned_pgrp(table, child, Some(tgid));
    }
    jobctl::kill_orphaned_pgrp(table, tgid, None);
    if !children.is_empty() {
        sched::wake_up(table, 1);
    }

    let action = table
        .tasks
        .get(&parent)
        .map(|p| p.signals.action(signal::SIGCHLD))
        .unwrap_or_default();
    let ignored = action.handler == SIG_IGN;
    if !ignored {
        let (code, si_status) = ::signal::status::child_code(status);
        let uid = table.tasks.get(&tgid).map_or(0, |t| t.cred.uid.real);
        let info = SigInfo::child(code, tgid, uid, si_status);
        signal::send_process(table, parent, signal::SIGCHLD, info);
    }
    if ignored || action.flags & SA_NOCLDWAIT as u64 != 0 {
        if let Some(leader) = table.tasks.get_mut(&tgid) {
            leader.state = TaskState::Dead;
        }
    }
    for tid in table.threads(parent) {
        sched::wake_up(table, tid);
    }
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
