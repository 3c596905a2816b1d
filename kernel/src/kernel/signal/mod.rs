//! Signals (Linux: kernel/signal.c, arch/x86/kernel/signal.c).
//!
//! Each task has 64 dispositions (shared by the threads of a process,
//! Linux's sighand_struct), a blocked mask, and its pending signals
//! (crates/signal's Pending: a standard signal once, with the siginfo of its
//! first instance; a real-time signal once per instance, in order, up to the
//! user's RLIMIT_SIGPENDING) in two sets, as Linux's: those sent to the
//! thread, taken first, and those sent to its process that were queued on
//! it (Linux keeps the latter in the process's shared_pending). Sending (send.rs) applies the rules that act at once: SIGCONT and
//! the stop signals discard each other, a fatal signal ends the process,
//! init ignores what it does not handle. A pending signal is acted on when
//! its task is about to return to user mode (deliver.rs): ignored, its
//! default action (ending the process, or a group stop: jobctl.rs), or a
//! handler run in an rt_sigframe (frame.rs), on the alternate stack if it
//! asks (altstack.rs). Waiting for signals: suspend.rs.

mod action;
mod altstack;
mod deliver;
mod frame;
pub mod jobctl;
mod send;
mod suspend;

use alloc::sync::Arc;

use ::signal::{bit, AltStack, Pending, QueueFull, SigInfo};
use linux_raw_sys::general as g;

use crate::kernel::sync::IrqSpinLock;
use crate::kernel::task::with_current;

pub use action::{sys_rt_sigaction, sys_rt_sigpending, sys_rt_sigprocmask};
pub use altstack::sys_sigaltstack;
pub use deliver::{do_signal, set_restart, signal_work, sys_restart_syscall, RestartBlock};
pub use frame::sys_rt_sigreturn;
pub use send::{
    kill_pgrp, send_process, send_signal, sys_kill, sys_rt_sigqueueinfo, sys_rt_tgsigqueueinfo,
    sys_tgkill, user_queued_signals, zap_thread,
};
pub use suspend::{sys_pause, sys_rt_sigsuspend, sys_rt_sigtimedwait};

pub const NSIG: u64 = ::signal::NSIG;
pub const SIGHUP: u64 = g::SIGHUP as u64;
pub const SIGKILL: u64 = g::SIGKILL as u64;
pub const SIGSEGV: u64 = g::SIGSEGV as u64;
pub const SIGPIPE: u64 = g::SIGPIPE as u64;
pub const SIGCHLD: u64 = g::SIGCHLD as u64;
pub const SIGCONT: u64 = g::SIGCONT as u64;
pub const SIGSTOP: u64 = g::SIGSTOP as u64;
pub const UNBLOCKABLE: u64 = ::signal::UNBLOCKABLE;

const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;

/// Returned by a system call a signal interrupted, and turned on the way
/// out (deliver.rs) into a restart of the call or EINTR (Linux:
/// include/linux/errno.h). ERESTARTSYS restarts unless a handler without
/// SA_RESTART runs, ERESTARTNOINTR always, ERESTARTNOHAND only when no
/// handler runs, ERESTART_RESTARTBLOCK likewise but through
/// restart_syscall(2).
pub const ERESTARTSYS: i64 = 512;
pub const ERESTARTNOINTR: i64 = 513;
pub const ERESTARTNOHAND: i64 = 514;
pub const ERESTART_RESTARTBLOCK: i64 = 516;

/// si_code values of a fault.
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;

/// One disposition (Linux: struct k_sigaction, the kernel's view).
#[derive(Clone, Copy, Default)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

impl SigAction {
    fn has(&self, flag: u32) -> bool {
        self.flags & flag as u64 != 0
    }
}

/// The dispositions of the 64 signals (Linux: struct sighand_struct).
type Actions = [SigAction; NSIG as usize];

pub struct SignalState {
    actions: Arc<IrqSpinLock<Actions>>,
    pub blocked: u64,
    /// Signals sent to this thread (tkill, tgkill, faults, SIGPIPE).
    pending: Pending,
    /// Signals sent to the process and queued on this thread.
    shared: Pending,
    /// The mask before rt_sigtimedwait unblocked what it waits for (Linux:
    /// real_blocked): those signals still count as blocked, so that they
    /// are not dropped as ignored meanwhile.
    real_blocked: u64,
    /// The mask rt_sigsuspend or ppoll replaced (Linux: saved_sigmask with
    /// TIF_RESTORE_SIGMASK): the first handler's frame saves it, or it is
    /// put back on the way out when no handler runs.
    pub saved_mask: Option<u64>,
    pub altstack: AltStack,
    /// A group stop asks this thread to stop (Linux: JOBCTL_STOP_PENDING).
    pub stop_pending: bool,
    /// What restart_syscall(2) resumes (Linux: restart_block).
    pub restart: Option<RestartBlock>,
}

impl SignalState {
    pub fn new() -> Self {
        SignalState {
            actions: Arc::new(IrqSpinLock::new([SigAction::default(); NSIG as usize])),
            blocked: 0,
            pending: Pending::new(),
            shared: Pending::new(),
            real_blocked: 0,
            saved_mask: None,
            altstack: AltStack::default(),
            stop_pending: false,
            restart: None,
        }
    }

    /// A new task's: the same mask, nothing pending, the dispositions
    /// shared (CLONE_SIGHAND) or copied, the alternate stack kept unless the
    /// child shares the address space (Linux: copy_process).
    pub fn for_child(&self, share_handlers: bool, share_vm: bool) -> Self {
        let actions = if share_handlers {
            self.actions.clone()
        } else {
            Arc::new(IrqSpinLock::new(*self.actions.lock()))
        };
        SignalState {
            actions,
            blocked: self.blocked,
            altstack: if share_vm {
                AltStack::default()
            } else {
                self.altstack
            },
            ..SignalState::new()
        }
    }

    /// execve: caught signals go back to their default, ignored ones stay,
    /// and the new program's dispositions are its own; the mask and the
    /// pending signals stay, the alternate stack goes.
    pub fn on_exec(&mut self) {
        let mut actions = *self.actions.lock();
        for a in actions.iter_mut() {
            if a.handler != SIG_IGN {
                *a = SigAction::default();
            }
        }
        self.actions = Arc::new(IrqSpinLock::new(actions));
        self.altstack = AltStack::default();
    }

    /// The sets /proc/PID/status shows: ignored and caught (Linux:
    /// collect_sigign_sigcatch).
    pub fn status_sets(&self) -> (u64, u64) {
        let actions = self.actions.lock();
        let (mut ignored, mut caught) = (0, 0);
        for (sig, a) in (1..=NSIG).zip(actions.iter()) {
            if a.handler == SIG_IGN {
                ignored |= bit(sig);
            } else if a.handler > SIG_IGN {
                caught |= bit(sig);
            }
        }
        (ignored, caught)
    }

    /// How many pending signals hold a queue entry charged to the user
    /// (Linux: the sigqueues __send_signal_locked allocates).
    pub fn queued(&self) -> u64 {
        self.pending.queued() + self.shared.queued()
    }

    /// The signals pending, for this thread and for its process.
    pub fn pending(&self) -> u64 {
        self.pending.mask() | self.shared.mask()
    }

    /// The signals sent to this thread (SigPnd) and those sent to its
    /// process and queued here (part of ShdPnd).
    pub fn pending_sets(&self) -> (u64, u64) {
        (self.pending.mask(), self.shared.mask())
    }

    pub fn action(&self, sig: u64) -> SigAction {
        self.actions.lock()[(sig - 1) as usize]
    }

    fn set_action(&self, sig: u64, a: SigAction) {
        self.actions.lock()[(sig - 1) as usize] = a;
    }

    /// Would `sig` be dropped at once (Linux: sig_ignored)? Never while
    /// blocked: the disposition may change before it is unblocked. init
    /// (`unkillable`) also drops what it leaves at SIG_DFL.
    fn ignores(&self, sig: u64, unkillable: bool) -> bool {
        if (self.blocked | self.real_blocked) & bit(sig) != 0 {
            return false;
        }
        let a = self.action(sig);
        a.handler == SIG_IGN
            || (a.handler == SIG_DFL
                && (unkillable || ::signal::default_action(sig) == ::signal::DefaultAction::Ignore))
    }

    /// Make `sig` pending, for this thread or (`to_thread` false) for its
    /// process (see Pending::queue; `room`: the receiver's user may queue
    /// one more instance).
    fn queue(
        &mut self,
        sig: u64,
        info: SigInfo,
        room: bool,
        to_thread: bool,
    ) -> Result<(), QueueFull> {
        let set = if to_thread {
            &mut self.pending
        } else {
            &mut self.shared
        };
        set.queue(sig, info, room)
    }

    /// Forget the pending signals of `mask`.
    fn discard(&mut self, mask: u64) {
        self.pending.discard(mask);
        self.shared.discard(mask);
    }

    /// Take the lowest pending signal of `wanted`, with its siginfo: those
    /// sent to the thread first (Linux: dequeue_signal).
    fn take(&mut self, wanted: u64) -> Option<(u64, SigInfo)> {
        self.pending
            .take(wanted)
            .or_else(|| self.shared.take(wanted))
    }

    /// SIGKILL is on its way (Linux: fatal_signal_pending).
    pub fn fatal_pending(&self) -> bool {
        self.pending() & bit(g::SIGKILL as u64) != 0
    }

    /// A signal is waiting that the task does not block, or a group stop
    /// wants it: a sleeping call should return (Linux: signal_pending).
    pub fn has_deliverable(&self) -> bool {
        self.pending() & !self.blocked != 0 || self.stop_pending
    }
}

/// Has the current task a signal to act on? (Sleeping calls check this
/// and return one of the ERESTART codes.)
pub fn signal_pending() -> bool {
    with_current(|t| t.signals.has_deliverable())
}

/// A fault in user mode: deliver `sig` to a handler if the task has one
/// and does not block it; otherwise the caller kills the task.
pub fn force_sig_fault(sig: u64, code: i32, addr: u64) -> bool {
    with_current(|t| {
        let s = &mut t.signals;
        let caught = s.action(sig).handler > SIG_IGN && s.blocked & bit(sig) == 0;
        if caught {
            s.discard(bit(sig));
            // A standard signal: always queued.
            let _ = s.queue(sig, SigInfo::fault(sig, code, addr), true, true);
        }
        caught
    })
}
