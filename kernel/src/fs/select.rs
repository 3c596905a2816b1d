//! Waiting for several files at once (Linux: fs/select.c): poll and ppoll.
//!
//! Each round asks every file which events hold (its `poll` operation);
//! if none of the asked ones do, the caller sleeps for a tick and asks
//! again, until an event, the timeout or a signal. Linux sleeps on the
//! files' wait queues instead; noyau's drivers have none yet.

use alloc::vec;

use linux_raw_sys::errno::{EFAULT, EINVAL};
use linux_raw_sys::general::{POLLERR, POLLHUP, POLLNVAL};

use crate::fs::read_write::fget;
use crate::kernel::sched;
use crate::kernel::signal::{signal_pending, ERESTARTNOHAND};
use crate::kernel::sys::err;
use crate::kernel::task::{with_current, with_current_mm, NR_OPEN_DEFAULT};
use crate::kernel::time::{ktime_get_ns, TICK_NSEC};
use crate::kernel::time_syscalls::get_timespec;

/// Bytes of struct pollfd: int fd, short events, short revents.
const POLLFD_SIZE: usize = 8;

/// poll(2): `timeout_ms` negative waits for ever, 0 does not wait.
pub fn sys_poll(ufds: u64, nfds: u64, timeout_ms: i64) -> i64 {
    let deadline = u64::try_from(timeout_ms)
        .ok()
        .map(|ms| ktime_get_ns().saturating_add(ms.saturating_mul(1_000_000)));
    do_poll(ufds, nfds, deadline)
}

/// ppoll(2): a timespec timeout (none: for ever) and a signal mask to wait
/// with, put back before the call returns.
pub fn sys_ppoll(ufds: u64, nfds: u64, tsp: u64, sigmask: u64, sigsetsize: u64) -> i64 {
    let deadline = match tsp {
        0 => None,
        _ => match get_timespec(tsp) {
            Ok(ns) => Some(ktime_get_ns().saturating_add(ns)),
            Err(e) => return e,
        },
    };
    if sigmask == 0 {
        return do_poll(ufds, nfds, deadline);
    }
    if sigsetsize != 8 {
        return err(EINVAL);
    }
    let mut mask = [0u8; 8];
    if with_current_mm(|mm| mm.copy_from_user(&mut mask, sigmask)).is_err() {
        return err(EFAULT);
    }
    let unblockable = crate::kernel::signal::UNBLOCKABLE;
    let new = u64::from_le_bytes(mask) & !unblockable;
    let old = with_current(|t| core::mem::replace(&mut t.signals.blocked, new));
    let ret = do_poll(ufds, nfds, deadline);
    // Interrupted, the call keeps its mask until the handler's frame has
    // saved the old one (Linux: restore_saved_sigmask_unless).
    with_current(|t| {
        if ret == -ERESTARTNOHAND {
            t.signals.saved_mask = Some(old);
        } else {
            t.signals.blocked = old;
        }
    });
    ret
}

fn do_poll(ufds: u64, nfds: u64, deadline: Option<u64>) -> i64 {
    if nfds > NR_OPEN_DEFAULT as u64 {
        return err(EINVAL);
    }
    let mut fds = vec![0u8; nfds as usize * POLLFD_SIZE];
    if with_current_mm(|mm| mm.copy_from_user(&mut fds, ufds)).is_err() {
        return err(EFAULT);
    }
    loop {
        let ready = poll_once(&mut fds);
        let expired = deadline.is_some_and(|d| ktime_get_ns() >= d);
        if ready > 0 || expired {
            if with_current_mm(|mm| mm.copy_to_user(ufds, &fds)).is_err() {
                return err(EFAULT);
            }
            return ready as i64;
        }
        // Restarted when no handler runs (a stop, an ignored signal), EINTR
        // otherwise; Linux restarts a timed poll with the time left, noyau
        // with the whole timeout.
        if signal_pending() {
            return -ERESTARTNOHAND;
        }
        let next_tick = ktime_get_ns() + TICK_NSEC;
        sched::sleep_until(deadline.map_or(next_tick, |d| d.min(next_tick)));
    }
}

/// One round: every revents field filled; how many are non-zero.
fn poll_once(fds: &mut [u8]) -> usize {
    let mut ready = 0;
    for pollfd in fds.chunks_exact_mut(POLLFD_SIZE) {
        let fd = i32::from_le_bytes(pollfd[0..4].try_into().expect("4 bytes"));
        let events = u16::from_le_bytes(pollfd[4..6].try_into().expect("2 bytes")) as u32;
        let revents = if fd < 0 {
            0
        } else {
            match fget(fd as u64) {
                Ok(file) => file.ops().poll(&file) & (events | POLLERR | POLLHUP),
                Err(_) => POLLNVAL,
            }
        };
        pollfd[6..8].copy_from_slice(&(revents as u16).to_le_bytes());
        ready += (revents != 0) as usize;
    }
    ready
}
