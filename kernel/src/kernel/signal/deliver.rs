//! Acting on signals on the way back to user mode (Linux:
//! arch/x86/kernel/signal.c arch_do_signal_or_restart, handle_signal;
//! kernel/signal.c get_signal, signal_delivered; restart_syscall).
//!
//! Every deliverable signal is taken in turn, lowest first: an ignored one
//! is dropped, a stop signal stops the process (jobctl.rs), a fatal one
//! ends it, and each handled one gets a frame on top of the previous one,
//! so that the last taken runs first, as on Linux. A system call that a
//! signal interrupted returned an ERESTART code: it is started again, or
//! fails with EINTR when a handler runs (unless SA_RESTART allows it).

use ::signal::{bit, default_action, DefaultAction, SigInfo};
use linux_raw_sys::errno::EINTR;
use linux_raw_sys::general::{SA_NODEFER, SA_RESETHAND, SA_RESTART, SS_AUTODISARM};

use super::{
    frame, jobctl, SigAction, ERESTARTNOHAND, ERESTARTNOINTR, ERESTARTSYS, ERESTART_RESTARTBLOCK,
    SIGSEGV, SIGSTOP, SIG_DFL, SIG_IGN, UNBLOCKABLE,
};
use crate::arch::traps::TrapFrame;
use crate::kernel::exit::{do_exit, do_group_exit};
use crate::kernel::sys::err;
use crate::kernel::task::{with_current, TASKS};

/// What restart_syscall(2) runs after an interrupted call that returned
/// ERESTART_RESTARTBLOCK (Linux: struct restart_block), e.g. the rest of a
/// relative nanosleep.
#[derive(Clone, Copy)]
pub struct RestartBlock {
    pub call: fn([u64; 3]) -> i64,
    pub args: [u64; 3],
}

/// Remember how to resume the current call; it returns
/// -ERESTART_RESTARTBLOCK next.
pub fn set_restart(block: RestartBlock) {
    with_current(|t| t.signals.restart = Some(block));
}

/// restart_syscall(2): resume the interrupted call, or EINTR if there is
/// none (Linux: do_no_restart_syscall).
pub fn sys_restart_syscall() -> i64 {
    match with_current(|t| t.signals.restart.take()) {
        Some(block) => (block.call)(block.args),
        None => err(EINTR),
    }
}

/// The next signal for the current thread, with what to do about it.
fn dequeue() -> Option<(u64, SigInfo, SigAction, bool)> {
    with_current(|t| {
        let unkillable = t.tgid == 1;
        let s = &mut t.signals;
        let (sig, info) = s.take(!s.blocked)?;
        let a = s.action(sig);
        if a.handler > SIG_IGN && a.has(SA_RESETHAND) {
            s.set_action(sig, SigAction::default());
        }
        Some((sig, info, a, unkillable))
    })
}

/// Is there anything for do_signal to do? One look under the lock, as
/// Linux's exit_to_user_mode tests its TIF flags, since nearly every
/// return to user mode has nothing to do.
fn work_pending() -> bool {
    let mut table = TASKS.lock();
    let t = table.current();
    if t.group_exit.is_some() || t.signals.has_deliverable() || t.signals.saved_mask.is_some() {
        return true;
    }
    // The leader holds the process's stop state: a single-threaded
    // process, the common case, needs no search for it.
    if t.is_leader() {
        return t.job.stop.notify.is_some();
    }
    let tgid = t.tgid;
    jobctl::notify_due(&mut table, tgid)
}

/// Has do_signal anything to do before this return to user mode? A call
/// that wants restarting, or a sigsuspend's mask to put back, is work too.
pub fn signal_work(frame: &TrapFrame, in_syscall: bool) -> bool {
    let restart_code = (-(ERESTART_RESTARTBLOCK)..=-(ERESTARTSYS)).contains(&(frame.rax as i64));
    (in_syscall && restart_code) || work_pending()
}

/// On the way back to user mode: act on the deliverable signals. When
/// `in_syscall`, `frame.rax` holds the result of the call just made.
pub fn do_signal(frame: &mut TrapFrame, in_syscall: bool) {
    if !signal_work(frame, in_syscall) {
        return;
    }
    let mut syscall = in_syscall;
    loop {
        jobctl::notify_parent_if_due();
        // Another thread, or a fatal signal, is ending the process.
        if let Some(status) = with_current(|t| t.group_exit) {
            do_exit(status);
        }
        if with_current(|t| t.signals.stop_pending) {
            jobctl::do_signal_stop(0);
            continue;
        }
        let Some((sig, info, a, unkillable)) = dequeue() else {
            break;
        };
        if a.handler == SIG_IGN {
            continue;
        }
        if a.handler == SIG_DFL {
            // init takes no default action but from the kernel's SIGKILL.
            if unkillable && bit(sig) & UNBLOCKABLE == 0 {
                continue;
            }
            match default_action(sig) {
                DefaultAction::Ignore => {}
                DefaultAction::Stop => {
                    if sig == SIGSTOP || !current_pgrp_orphaned() {
                        jobctl::do_signal_stop(sig);
                    }
                }
                DefaultAction::Terminate | DefaultAction::CoreDump => do_group_exit(sig as u32),
            }
            continue;
        }
        if syscall {
            restart_if_interrupted(frame, Some(a));
            syscall = false;
        }
        let old_mask = with_current(|t| t.signals.saved_mask.take().unwrap_or(t.signals.blocked));
        if !frame::setup_rt_frame(frame, sig, &info, &a, old_mask) {
            // No way back from the handler, or no stack for the frame:
            // Linux then forces SIGSEGV.
            do_group_exit(SIGSEGV as u32);
        }
        signal_delivered(sig, &a);
    }
    if syscall {
        restart_if_interrupted(frame, None);
    }
    with_current(|t| {
        if let Some(mask) = t.signals.saved_mask.take() {
            t.signals.blocked = mask;
        }
    });
}

/// A handler's frame is set up: block what it asks while it runs, and drop
/// an alternate stack that disarms itself (Linux: signal_delivered).
fn signal_delivered(sig: u64, a: &SigAction) {
    with_current(|t| {
        let s = &mut t.signals;
        s.blocked |= a.mask & !UNBLOCKABLE;
        if !a.has(SA_NODEFER) {
            s.blocked |= bit(sig);
        }
        if s.altstack.flags & SS_AUTODISARM != 0 {
            s.altstack = ::signal::AltStack::default();
        }
    });
}

/// Is the current process's group orphaned? Then SIGTSTP, SIGTTIN and
/// SIGTTOU do not stop it (Linux: is_current_pgrp_orphaned).
fn current_pgrp_orphaned() -> bool {
    let mut table = TASKS.lock();
    let pgid = table.current().job.pgid;
    jobctl::pgrp_orphaned(&table, pgid, None)
}

/// A call that a signal interrupted returned an ERESTART code: start it
/// again, or fail it with EINTR when `handler` runs and the code says so.
fn restart_if_interrupted(frame: &mut TrapFrame, handler: Option<SigAction>) {
    let code = -(frame.rax as i64);
    let restart = match (code, handler) {
        (ERESTARTNOINTR, _) => true,
        (ERESTARTSYS, Some(a)) => a.has(SA_RESTART),
        (ERESTARTSYS | ERESTARTNOHAND | ERESTART_RESTARTBLOCK, None) => true,
        (ERESTARTNOHAND | ERESTART_RESTARTBLOCK, Some(_)) => false,
        _ => return,
    };
    if !restart {
        frame.rax = err(EINTR) as u64;
        with_current(|t| t.signals.restart = None);
        return;
    }
    frame.rax = if code == ERESTART_RESTARTBLOCK {
        linux_raw_sys::general::__NR_restart_syscall as u64
    } else {
        frame.error_code
    };
    frame.rip -= 2;
}
