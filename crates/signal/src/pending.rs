//! The signals pending for a task (Linux: struct sigpending, with
//! __send_signal_locked's legacy_queue and collect_signal).
//!
//! A standard signal (1 to 31) is pending or not: a second instance sent
//! before the first is taken merges with it, and the siginfo of the first
//! is the one delivered. A real-time signal (SIGRTMIN, 32, to 64) is queued
//! once per instance, each with its own siginfo (sigqueue's value), and the
//! instances of one signal are delivered in the order they were sent. Of
//! several pending signals the lowest number goes first.
//!
//! Each queued instance costs memory that Linux charges to the receiver's
//! user, up to its RLIMIT_SIGPENDING. The caller counts and says whether
//! there is room; without room, a real-time signal queued by sigqueue is
//! refused (EAGAIN), while one that kill or the kernel sends still becomes
//! pending, its siginfo lost: it is delivered as from kill by pid 0.

use alloc::vec::Vec;

use linux_raw_sys::general as g;

use crate::action::{bit, NSIG};
use crate::siginfo::{SigFields, SigInfo};

/// The first real-time signal (the kernel's; glibc keeps 32 to 34 for itself
/// and calls 35 SIGRTMIN).
pub const SIGRTMIN: u64 = 32;

/// The signal could not be queued: no room for a real-time instance whose
/// sender asked for its siginfo to arrive (sigqueue: EAGAIN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull;

/// A task's pending signals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pending {
    /// Bit `sig - 1` for each signal with an instance pending.
    mask: u64,
    /// The siginfo of each pending standard signal, with its number: a
    /// short list rather than a slot for each of the 31, which made every
    /// task (two sets each) 2 KiB larger on the kernel stack when copied.
    standard: Vec<(u8, SigInfo)>,
    /// The queued real-time instances, oldest first.
    realtime: Vec<SigInfo>,
}

impl Pending {
    pub const fn new() -> Pending {
        Pending {
            mask: 0,
            standard: Vec::new(),
            realtime: Vec::new(),
        }
    }

    /// The set of pending signals.
    pub fn mask(&self) -> u64 {
        self.mask
    }

    /// Instances that hold a queue entry, as Linux counts them against
    /// RLIMIT_SIGPENDING (and /proc/PID/status shows in SigQ): one per
    /// pending standard signal but SIGKILL, one per queued real-time one.
    pub fn queued(&self) -> u64 {
        let standard = self.mask & !bit(g::SIGKILL as u64) & (bit(SIGRTMIN) - 1);
        u64::from(standard.count_ones()) + self.realtime.len() as u64
    }

    /// Makes `sig` (1 to 64) pending with `info`. `room` says whether the
    /// receiver's user may queue one more instance.
    pub fn queue(&mut self, sig: u64, info: SigInfo, room: bool) -> Result<(), QueueFull> {
        debug_assert!((1..=NSIG).contains(&sig));
        if sig < SIGRTMIN {
            // Without memory for its siginfo the signal is still pending,
            // and is delivered as a lost real-time one is.
            if self.mask & bit(sig) == 0 && self.standard.try_reserve(1).is_ok() {
                self.standard.push((sig as u8, info));
            }
            self.mask |= bit(sig);
            return Ok(());
        }
        // Instances are found by number: the caller's si_signo cannot differ.
        let info = SigInfo {
            signo: sig as u32,
            ..info
        };
        // sigqueue and the like (si_code < 0) need their siginfo to arrive.
        let needs_info = info.code < 0;
        if room && self.realtime.try_reserve(1).is_ok() {
            self.realtime.push(info);
        } else if needs_info {
            return Err(QueueFull);
        }
        self.mask |= bit(sig);
        Ok(())
    }

    /// Forgets every pending instance of the signals in `mask`.
    pub fn discard(&mut self, mask: u64) {
        self.mask &= !mask;
        self.standard
            .retain(|(sig, _)| mask & bit(u64::from(*sig)) == 0);
        self.realtime
            .retain(|i| mask & bit(u64::from(i.signo)) == 0);
    }

    /// Takes the lowest pending signal of `wanted`, with its siginfo: for a
    /// real-time signal, its oldest instance, the signal staying pending
    /// while others remain.
    pub fn take(&mut self, wanted: u64) -> Option<(u64, SigInfo)> {
        let ready = self.mask & wanted;
        if ready == 0 {
            return None;
        }
        let sig = u64::from(ready.trailing_zeros()) + 1;
        if sig < SIGRTMIN {
            self.mask &= !bit(sig);
            let found = self.standard.iter().position(|(s, _)| u64::from(*s) == sig);
            let info = found.map(|n| self.standard.swap_remove(n).1);
            return Some((sig, info.unwrap_or_else(|| lost(sig))));
        }
        let mut of_sig = self.realtime.iter().enumerate();
        let first = of_sig
            .find(|(_, i)| u64::from(i.signo) == sig)
            .map(|(n, _)| n);
        let more = of_sig.any(|(_, i)| u64::from(i.signo) == sig);
        if !more {
            self.mask &= !bit(sig);
        }
        let info = match first {
            Some(n) => self.realtime.remove(n),
            None => lost(sig),
        };
        Some((sig, info))
    }
}

/// The siginfo of an instance sent without room for it: lost, it reads as
/// from kill by pid 0 (Linux's collect_signal).
fn lost(sig: u64) -> SigInfo {
    SigInfo {
        signo: sig as u32,
        code: g::SI_USER as i32,
        fields: SigFields::Kill { pid: 0, uid: 0 },
    }
}

#[cfg(test)]
mod tests;
