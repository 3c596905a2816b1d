//! Waiting for several files at once (Linux: fs/select.c): poll, ppoll,
//! select and pselect6 (the last two ask the same question with bit sets).
//!
//! Each round asks every file which events hold (its `poll` operation);
//! if none of the asked ones do, the caller sleeps until a wait queue
//! wakes (new data in a pipe, a byte on the terminal, ...) and asks again,
//! until an event, the timeout or a signal. Linux puts the caller on each
//! file's own wait queues (poll_wait); noyau wakes every poller at any
//! wake-up (sched::poll_sleep), which costs a few needless rounds but no
//! poll table per file.

use alloc::vec;

use linux_raw_sys::errno::{EBADF, EFAULT, EINVAL};
use linux_raw_sys::general::{
    POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM, POLLWRNORM,
};

use crate::fs::read_write::fget;
use crate::kernel::sched;
use crate::kernel::signal::{signal_pending, ERESTARTNOHAND};
use crate::kernel::sys::err;
use crate::kernel::task::{with_current, NR_OPEN_DEFAULT};
use crate::kernel::time::ktime_get_ns;
use crate::kernel::time_syscalls::get_timespec;
use crate::mm::uaccess;

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
    with_sigmask(sigmask, sigsetsize, || do_poll(ufds, nfds, deadline))
}

/// Run `f` with the signal mask at `sigmask` (if not NULL) in force, then
/// put the old one back (ppoll, pselect6).
fn with_sigmask(sigmask: u64, sigsetsize: u64, f: impl FnOnce() -> i64) -> i64 {
    if sigmask == 0 {
        return f();
    }
    if sigsetsize != 8 {
        return err(EINVAL);
    }
    let mut mask = [0u8; 8];
    if uaccess::copy_from_user(&mut mask, sigmask).is_err() {
        return err(EFAULT);
    }
    let unblockable = crate::kernel::signal::UNBLOCKABLE;
    let new = u64::from_le_bytes(mask) & !unblockable;
    let old = with_current(|t| core::mem::replace(&mut t.signals.blocked, new));
    let ret = f();
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
    if uaccess::copy_from_user(&mut fds, ufds).is_err() {
        return err(EFAULT);
    }
    let ready = match wait_until_ready(deadline, || Ok(poll_once(&mut fds))) {
        Ok(n) => n,
        Err(e) => return e,
    };
    match uaccess::copy_to_user(ufds, &fds) {
        Ok(()) => ready as i64,
        Err(_) => err(EFAULT),
    }
}

/// Ask `round` until it finds something ready or the deadline passes,
/// sleeping between rounds until a wait queue somewhere wakes, or until a
/// signal comes.
fn wait_until_ready(
    deadline: Option<u64>,
    mut round: impl FnMut() -> Result<usize, i64>,
) -> Result<usize, i64> {
    loop {
        let seen = sched::poll_events();
        let ready = round()?;
        if ready > 0 || deadline.is_some_and(|d| ktime_get_ns() >= d) {
            return Ok(ready);
        }
        // Restarted when no handler runs (a stop, an ignored signal), EINTR
        // otherwise; Linux restarts a timed poll with the time left, noyau
        // with the whole timeout.
        if signal_pending() {
            return Err(-ERESTARTNOHAND);
        }
        sched::poll_sleep(seen, deadline);
    }
}

/// What select's sets ask of a file, in poll's terms (Linux: POLLIN_SET,
/// POLLOUT_SET, POLLEX_SET).
const IN_SET: u32 = POLLRDNORM | POLLIN | POLLHUP | POLLERR;
const OUT_SET: u32 = POLLWRNORM | POLLOUT | POLLERR;
const EX_SET: u32 = POLLPRI;

/// The three fd_sets of select, read from user memory (absent ones empty).
struct FdSets {
    addrs: [u64; 3],
    bits: [vec::Vec<u8>; 3],
}

impl FdSets {
    fn read(nfds: usize, addrs: [u64; 3]) -> Result<FdSets, i64> {
        let bytes = nfds.div_ceil(64) * 8;
        let mut bits = [vec![0u8; bytes], vec![0u8; bytes], vec![0u8; bytes]];
        for (set, &addr) in bits.iter_mut().zip(&addrs) {
            if addr != 0 && uaccess::copy_from_user(set, addr).is_err() {
                return Err(err(EFAULT));
            }
        }
        Ok(FdSets { addrs, bits })
    }

    fn has(set: &[u8], fd: usize) -> bool {
        set[fd / 8] & (1 << (fd % 8)) != 0
    }

    /// One round over `0..nfds`: the result sets and how many bits they hold.
    fn round(&self, nfds: usize) -> Result<([vec::Vec<u8>; 3], usize), i64> {
        let len = self.bits[0].len();
        let mut out = [vec![0u8; len], vec![0u8; len], vec![0u8; len]];
        let mut count = 0;
        for fd in 0..nfds {
            let asked: [bool; 3] = core::array::from_fn(|i| Self::has(&self.bits[i], fd));
            if !asked.iter().any(|&a| a) {
                continue;
            }
            let file = fget(fd as u64).map_err(|_| err(EBADF))?;
            let mask = file.ops().poll(&file);
            for (i, want) in [IN_SET, OUT_SET, EX_SET].into_iter().enumerate() {
                if asked[i] && mask & want != 0 {
                    out[i][fd / 8] |= 1 << (fd % 8);
                    count += 1;
                }
            }
        }
        Ok((out, count))
    }
}

/// select(2) and pselect6(2) without their timeout and mask: wait, then
/// write the sets that are ready back.
fn do_select(nfds: u64, addrs: [u64; 3], deadline: Option<u64>) -> i64 {
    let nfds = nfds as i32;
    if nfds < 0 {
        return err(EINVAL);
    }
    let nfds = (nfds as usize).min(NR_OPEN_DEFAULT);
    let sets = match FdSets::read(nfds, addrs) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let mut result = None;
    let ready = wait_until_ready(deadline, || {
        let (out, count) = sets.round(nfds)?;
        result = Some(out);
        Ok(count)
    });
    let ready = match ready {
        Ok(n) => n,
        Err(e) => return e,
    };
    let out = result.expect("one round ran");
    for (set, &addr) in out.iter().zip(&sets.addrs) {
        if addr != 0 && uaccess::copy_to_user(addr, set).is_err() {
            return err(EFAULT);
        }
    }
    ready as i64
}

/// select(2): a struct timeval timeout, NULL for ever.
pub fn sys_select(nfds: u64, r: u64, w: u64, e: u64, tvp: u64) -> i64 {
    let deadline = if tvp == 0 {
        None
    } else {
        let mut b = [0u8; 16];
        if uaccess::copy_from_user(&mut b, tvp).is_err() {
            return err(EFAULT);
        }
        let sec = i64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
        let usec = i64::from_le_bytes(b[8..].try_into().expect("8 bytes"));
        // Linux carries whole seconds out of tv_usec; negatives are EINVAL.
        if sec < 0 || usec < 0 {
            return err(EINVAL);
        }
        let ns = (sec as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(usec as u64 * 1000);
        Some(ktime_get_ns().saturating_add(ns))
    };
    do_select(nfds, [r, w, e], deadline)
}

/// pselect6(2): a timespec timeout, and a { sigset pointer, size } pair
/// whose mask applies while it waits.
pub fn sys_pselect6(nfds: u64, r: u64, w: u64, e: u64, tsp: u64, sig: u64) -> i64 {
    let deadline = match tsp {
        0 => None,
        _ => match get_timespec(tsp) {
            Ok(ns) => Some(ktime_get_ns().saturating_add(ns)),
            Err(e) => return e,
        },
    };
    let (mut mask, mut size) = (0u64, 0u64);
    if sig != 0 {
        let mut b = [0u8; 16];
        if uaccess::copy_from_user(&mut b, sig).is_err() {
            return err(EFAULT);
        }
        mask = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
        size = u64::from_le_bytes(b[8..].try_into().expect("8 bytes"));
    }
    with_sigmask(mask, size, || do_select(nfds, [r, w, e], deadline))
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
