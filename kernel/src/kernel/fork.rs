//! Creating processes: fork, vfork and clone (Linux: kernel/fork.c).
//!
//! The child gets a copy of the parent's address space (every page copied
//! now: copy-on-write comes later), a kernel stack laid out so that its
//! first run returns to user mode with the parent's registers, and 0 in
//! RAX. Threads (CLONE_VM without CLONE_VFORK, CLONE_THREAD) come with
//! futexes; vfork is a fork, as POSIX allows.

use alloc::boxed::Box;

use linux_raw_sys::errno::{EAGAIN, EFAULT, EINVAL, ENOMEM, ENOSYS};
use linux_raw_sys::general::{
    CLONE_CHILD_SETTID, CLONE_PARENT_SETTID, CLONE_SETTLS, CLONE_THREAD, CLONE_VFORK, CLONE_VM,
    CSIGNAL, SIGCHLD,
};
use x86_64::registers::model_specific::FsBase;

use crate::arch::switch;
use crate::arch::traps::TrapFrame;
use crate::kernel::exec::{alloc_kernel_stack, free_kernel_stack, KERNEL_STACK_ORDER};
use crate::kernel::sched;
use crate::kernel::sys::err;
use crate::kernel::task::{with_current, with_current_mm, Task, TaskState, TASKS};
use crate::pr_warn;

pub fn sys_fork(frame: &TrapFrame) -> i64 {
    do_fork(frame, SIGCHLD as u64, 0, 0, 0, 0)
}

pub fn sys_vfork(frame: &TrapFrame) -> i64 {
    do_fork(frame, (CLONE_VM | CLONE_VFORK | SIGCHLD) as u64, 0, 0, 0, 0)
}

/// clone(2) with x86_64's argument order: flags, stack, parent_tid,
/// child_tid, tls.
pub fn sys_clone(frame: &TrapFrame, a: [u64; 6]) -> i64 {
    do_fork(frame, a[0], a[1], a[2], a[3], a[4])
}

fn do_fork(frame: &TrapFrame, flags: u64, stack: u64, ptid: u64, ctid: u64, tls: u64) -> i64 {
    let flags32 = flags as u32;
    let vfork = flags32 & CLONE_VFORK != 0;
    if flags32 & CLONE_THREAD != 0 || (flags32 & CLONE_VM != 0 && !vfork) {
        pr_warn!(
            "noyau: clone flags {:#x}: threads are not supported yet (ENOSYS)",
            flags
        );
        return err(ENOSYS);
    }
    let exit_signal = flags & CSIGNAL as u64;
    if exit_signal > 64 {
        return err(EINVAL);
    }

    let Ok(mm) = with_current_mm(|mm| mm.duplicate()) else {
        return err(ENOMEM);
    };
    let Some((kstack_pfn, kstack_top)) = alloc_kernel_stack() else {
        return err(ENOMEM);
    };
    let mut child_frame = TrapFrame { rax: 0, ..*frame };
    if stack != 0 {
        child_frame.rsp = stack;
    }
    let fpu = switch::saved_fpu_state(frame);
    let saved_rsp = switch::prepare_new_stack(kstack_top, &child_frame, &fpu);
    let fs_base = if flags32 & CLONE_SETTLS != 0 {
        tls
    } else {
        FsBase::read().as_u64()
    };

    let (parent, comm, signals, files, fs, cred) = with_current(|t| {
        (
            t.pid,
            t.comm,
            t.signals.for_child(),
            t.files.clone(),
            t.fs.clone(),
            t.cred.clone(),
        )
    });
    let pid = {
        let mut table = TASKS.lock();
        if table.tasks.len() >= MAX_TASKS {
            drop(table);
            free_kernel_stack(kstack_pfn, KERNEL_STACK_ORDER);
            return err(EAGAIN);
        }
        table.alloc_pid()
    };
    let mut child = Box::new(Task {
        pid,
        ppid: parent,
        comm,
        state: TaskState::Runnable,
        exit_code: 0,
        mm: Some(mm),
        kstack_pfn,
        kstack_order: KERNEL_STACK_ORDER,
        kernel_stack_top: kstack_top,
        saved_rsp,
        fs_base,
        signals,
        files,
        fs,
        cred,
    });
    let tid = pid.to_le_bytes();
    if flags32 & CLONE_CHILD_SETTID != 0 {
        if let Some(mm) = child.mm.as_mut() {
            if mm.copy_to_user(ctid, &tid).is_err() {
                free_kernel_stack(kstack_pfn, KERNEL_STACK_ORDER);
                return err(EFAULT);
            }
        }
    }
    if flags32 & CLONE_PARENT_SETTID != 0
        && with_current_mm(|mm| mm.copy_to_user(ptid, &tid)).is_err()
    {
        free_kernel_stack(kstack_pfn, KERNEL_STACK_ORDER);
        return err(EFAULT);
    }
    // CLONE_CHILD_CLEARTID matters at thread exit, with futexes: not yet.

    let mut table = TASKS.lock();
    table.tasks.insert(pid, child);
    sched::enqueue(&mut table, pid);
    pid as i64
}

/// A bound on tasks until RLIMIT_NPROC is enforced (Linux's default
/// threads-max is derived from memory; this keeps a fork bomb finite).
const MAX_TASKS: usize = 4096;
