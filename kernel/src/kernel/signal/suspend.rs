//! Waiting for signals (Linux: kernel/signal.c sigsuspend, sys_pause,
//! do_sigtimedwait): rt_sigsuspend sleeps under a temporary mask until a
//! signal is to be acted on, pause under the task's own, rt_sigtimedwait
//! takes one of a set of signals (normally blocked) without a handler.

use ::signal::SigInfo;
use linux_raw_sys::errno::{EAGAIN, EFAULT, EINTR, EINVAL};

use super::action::sigset_from_user;
use super::{ERESTARTNOHAND, UNBLOCKABLE};
use crate::kernel::sched;
use crate::kernel::sys::err;
use crate::kernel::task::{with_current, TASKS};
use crate::kernel::time::ktime_get_ns;
use crate::mm::uaccess;

const NSEC_PER_SEC: u64 = 1_000_000_000;

/// Sleep until a signal is to be acted on (or a group stop asks).
fn sleep_until_signal() {
    loop {
        let mut table = TASKS.lock();
        if table.current().signals.has_deliverable() {
            return;
        }
        sched::prepare_to_sleep(&mut table, None);
        drop(table);
        sched::schedule();
    }
}

/// rt_sigsuspend(2): sleep with mask `set`; the old mask comes back once a
/// handler has run (its frame holds it), so the call "returns" EINTR after
/// the handler with the old mask, as Linux's saved_sigmask does. A stop
/// and continue, or an ignored signal, restart it.
pub fn sys_rt_sigsuspend(set: u64, sigsetsize: u64) -> i64 {
    let mask = match sigset_from_user(set, sigsetsize) {
        Ok(m) => m,
        Err(e) => return e,
    };
    with_current(|t| {
        let s = &mut t.signals;
        s.saved_mask = Some(s.blocked);
        s.blocked = mask & !UNBLOCKABLE;
    });
    sleep_until_signal();
    -ERESTARTNOHAND
}

/// pause(2): sleep until a signal's handler has run (restarted otherwise).
pub fn sys_pause() -> i64 {
    sleep_until_signal();
    -ERESTARTNOHAND
}

/// A relative timeout from a struct timespec in user memory.
fn timeout_from_user(uts: u64) -> Result<u64, i64> {
    let mut raw = [0u8; 16];
    uaccess::copy_from_user(&mut raw, uts).map_err(|_| err(EFAULT))?;
    let sec = i64::from_le_bytes(raw[0..8].try_into().expect("8 bytes"));
    let nsec = i64::from_le_bytes(raw[8..16].try_into().expect("8 bytes"));
    if sec < 0 || !(0..NSEC_PER_SEC as i64).contains(&nsec) {
        return Err(err(EINVAL));
    }
    Ok((sec as u64)
        .saturating_mul(NSEC_PER_SEC)
        .saturating_add(nsec as u64))
}

/// rt_sigtimedwait(2): take a pending signal of `uthese`, waiting for one
/// at most the timeout (none: for ever); its number, and its siginfo at
/// `uinfo`. EAGAIN when the time is up, EINTR when another signal comes.
pub fn sys_rt_sigtimedwait(uthese: u64, uinfo: u64, uts: u64, sigsetsize: u64) -> i64 {
    let wanted = match sigset_from_user(uthese, sigsetsize) {
        Ok(m) => m & !UNBLOCKABLE,
        Err(e) => return e,
    };
    let deadline = if uts == 0 {
        None
    } else {
        match timeout_from_user(uts) {
            Ok(ns) => Some(ktime_get_ns().saturating_add(ns)),
            Err(e) => return e,
        }
    };

    // While it waits, the signals it wants are unblocked so that they wake
    // it; they still count as blocked for the ignore rule (real_blocked).
    let got: Result<(u64, SigInfo), u32> = loop {
        let mut table = TASKS.lock();
        let s = &mut table.current().signals;
        if let Some(got) = s.take(wanted) {
            break Ok(got);
        }
        if deadline.is_some_and(|d| ktime_get_ns() >= d) {
            break Err(EAGAIN);
        }
        if s.real_blocked == 0 && s.blocked & wanted != 0 {
            s.real_blocked = s.blocked;
            s.blocked &= !wanted;
        }
        if s.has_deliverable() {
            break Err(EINTR);
        }
        sched::prepare_to_sleep(&mut table, deadline);
        drop(table);
        sched::schedule();
        sched::finish_sleep(deadline);
    };
    with_current(|t| {
        let s = &mut t.signals;
        if s.real_blocked != 0 {
            s.blocked = core::mem::take(&mut s.real_blocked);
        }
    });
    match got {
        Ok((sig, info)) => {
            if uinfo != 0 && uaccess::copy_to_user(uinfo, &info.to_bytes()).is_err() {
                return err(EFAULT);
            }
            sig as i64
        }
        Err(e) => err(e),
    }
}
