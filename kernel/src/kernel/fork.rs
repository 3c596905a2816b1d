//! Creating processes: fork, vfork and clone (Linux: kernel/fork.c).
//!
//! The child gets a kernel stack laid out so that its first run returns to
//! user mode with the parent's registers and 0 in RAX, and, as clone's
//! flags say, the parent's address space, files, filesystem context and
//! signal handlers shared or copied (the address space copy-on-write).
//! CLONE_THREAD puts it in the parent's thread group. vfork (CLONE_VFORK
//! with CLONE_VM) lends the child the parent's memory, stack included, and
//! keeps the parent asleep until the child execs or exits.

use alloc::boxed::Box;

use alloc::sync::Arc;

use linux_raw_sys::errno::{EAGAIN, EFAULT, EINVAL, ENOMEM};
use linux_raw_sys::general::{
    CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID, CLONE_FILES, CLONE_FS, CLONE_NEWCGROUP, CLONE_NEWIPC,
    CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_PARENT,
    CLONE_PARENT_SETTID, CLONE_PIDFD, CLONE_SETTLS, CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK,
    CLONE_VM, CSIGNAL, SIGCHLD,
};
use x86_64::registers::model_specific::FsBase;

use crate::arch::switch;
use crate::arch::traps::TrapFrame;
use crate::kernel::exec::{alloc_kernel_stack, free_kernel_stack, KERNEL_STACK_ORDER};
use crate::kernel::resource;
use crate::kernel::sched;
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::sys::err;
use crate::kernel::task::{current_mm, with_current_mm, Task, TaskState, TaskTable, TASKS};
use crate::mm::mm_struct::Mm;
use crate::mm::uaccess;
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
    if let Err(e) = check_flags(flags) {
        return e;
    }
    let thread = flags32 & CLONE_THREAD != 0;
    let share = |flag: u32| flags32 & flag != 0;
    let share_vm = share(CLONE_VM);
    let vfork = share(CLONE_VFORK);

    let mm = if share_vm {
        current_mm()
    } else {
        match with_current_mm(|mm| mm.duplicate()) {
            Ok(mm) => Mm::new(mm),
            Err(_) => return err(ENOMEM),
        }
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
    let fs_base = if share(CLONE_SETTLS) {
        tls
    } else {
        FsBase::read().as_u64()
    };

    let mut table = TASKS.lock();
    if !may_create_task(&mut table) {
        drop(table);
        free_kernel_stack(kstack_pfn, KERNEL_STACK_ORDER);
        return err(EAGAIN);
    }
    let pid = table.alloc_pid();
    let parent = table.current();
    let files = if share(CLONE_FILES) {
        parent.files.clone()
    } else {
        let copy = parent.files.lock().clone();
        Arc::new(IrqSpinLock::new(copy))
    };
    let fs = match &parent.fs {
        Some(fs) if !share(CLONE_FS) => Some(Arc::new(IrqSpinLock::new(fs.lock().clone()))),
        fs => fs.clone(),
    };
    let child = Box::new(Task {
        pid,
        tgid: if thread { parent.tgid } else { pid },
        ppid: if thread || share(CLONE_PARENT) {
            parent.ppid
        } else {
            parent.tgid
        },
        comm: parent.comm,
        state: TaskState::Runnable,
        exit_code: 0,
        mm: Some(mm),
        kstack_pfn,
        kstack_order: KERNEL_STACK_ORDER,
        kernel_stack_top: kstack_top,
        saved_rsp,
        fs_base,
        // A vfork child keeps the alternate stack: the parent cannot run
        // on it meanwhile (Linux's copy_process resets it only without).
        signals: parent
            .signals
            .for_child(share(CLONE_SIGHAND), share_vm && !vfork),
        files,
        fs,
        cred: parent.cred.clone(),
        nice: parent.nice,
        // Linux's copy_io: a priority that was set is inherited.
        ioprio: parent.ioprio,
        rlimits: if thread {
            parent.rlimits.clone()
        } else {
            Arc::new(IrqSpinLock::new(*parent.rlimits.lock()))
        },
        clear_child_tid: if share(CLONE_CHILD_CLEARTID) { ctid } else { 0 },
        robust_list: 0,
        times: Default::default(),
        dead_times: Default::default(),
        child_times: Default::default(),
        last_run: 0,
        start_time: crate::kernel::time::ktime_get_ns(),
        group_exit: None,
        job: parent.job.for_child(),
        vfork_parent: if vfork { parent.pid } else { 0 },
    });
    drop(table);

    // The tid words, before the child can run: in the child's memory
    // (the same as the parent's for a thread), then in the parent's. A
    // forked child's memory is not in CR3: copy_to_user then goes through
    // its page tables (access_remote_vm) by itself.
    let tid = pid.to_le_bytes();
    let child_mm = child
        .mm
        .clone()
        .expect("the child was given an address space");
    let child_failed =
        share(CLONE_CHILD_SETTID) && child_mm.lock().copy_to_user(ctid, &tid).is_err();
    let parent_failed =
        !child_failed && share(CLONE_PARENT_SETTID) && uaccess::copy_to_user(ptid, &tid).is_err();
    if child_failed || parent_failed {
        free_kernel_stack(kstack_pfn, KERNEL_STACK_ORDER);
        // A writable word whose page could not be had (a copy-on-write break
        // with memory exhausted) is ENOMEM; only a bad address is EFAULT.
        let (mm, addr) = match child_failed {
            true => (child_mm.clone(), ctid),
            false => (current_mm(), ptid),
        };
        let writable = mm.lock().find_vma(addr).is_some_and(|v| v.prot.write);
        return err(if writable { ENOMEM } else { EFAULT });
    }

    let mut table = TASKS.lock();
    table.tasks.insert(pid, child);
    sched::enqueue(&mut table, pid);
    if vfork {
        wait_for_vfork_done(table, pid);
    }
    pid as i64
}

/// Sleep until vfork's child `pid` lets go of our memory (Linux:
/// wait_for_vfork_done). Only a fatal signal cuts the wait short: the
/// child then still runs on the memory, and the parent dies with it.
fn wait_for_vfork_done(mut table: crate::kernel::sync::IrqSpinLockGuard<'_, TaskTable>, pid: u32) {
    loop {
        let me = table.current;
        let lent = table.tasks.get(&pid).is_some_and(|c| c.vfork_parent == me);
        let dying = {
            let t = table.current();
            t.group_exit.is_some() || t.signals.fatal_pending()
        };
        if !lent || dying {
            return;
        }
        sched::prepare_to_sleep(&mut table, None);
        drop(table);
        sched::schedule();
        table = TASKS.lock();
    }
}

/// The current task lets go of the memory vfork lent it, by exec or exit:
/// its parent runs again (Linux: mm_release's complete_vfork_done).
pub fn vfork_done(table: &mut TaskTable) {
    let parent = core::mem::take(&mut table.current().vfork_parent);
    if parent != 0 {
        sched::wake_up(table, parent);
    }
}

/// clone's rules on flags (Linux: copy_process): threads share the signal
/// handlers, which need a shared address space.
fn check_flags(flags: u64) -> Result<(), i64> {
    let flags32 = flags as u32;
    let has = |flag: u32| flags32 & flag != 0;
    if (has(CLONE_THREAD) && !has(CLONE_SIGHAND)) || (has(CLONE_SIGHAND) && !has(CLONE_VM)) {
        return Err(err(EINVAL));
    }
    if flags & CSIGNAL as u64 > 64 {
        return Err(err(EINVAL));
    }
    let unsupported = CLONE_NEWNS
        | CLONE_NEWUTS
        | CLONE_NEWIPC
        | CLONE_NEWUSER
        | CLONE_NEWPID
        | CLONE_NEWNET
        | CLONE_NEWCGROUP
        | CLONE_PIDFD;
    if has(unsupported) {
        pr_warn!(
            "noyau: clone flags {:#x}: namespaces and pidfds are not supported (EINVAL)",
            flags
        );
        return Err(err(EINVAL));
    }
    Ok(())
}

/// Room for one more task: fewer than threads-max in all, and for a user
/// other than root without the capability, fewer tasks of its real uid
/// than its RLIMIT_NPROC (Linux: copy_process). This stops a fork bomb.
fn may_create_task(table: &mut TaskTable) -> bool {
    if table.tasks.len() as u64 >= resource::max_threads() {
        return false;
    }
    let me = table.current();
    let uid = me.cred.uid.real;
    let limit = me.rlimits.lock()[resource::RLIMIT_NPROC].cur;
    if uid == 0 || crate::kernel::cred::capable(&me.cred) {
        return true;
    }
    let tasks = table
        .tasks
        .values()
        .filter(|t| t.cred.uid.real == uid)
        .count();
    (tasks as u64) < limit
}
