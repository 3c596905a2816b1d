//! Robust futexes (Linux: kernel/futex/core.c exit_robust_list and
//! handle_futex_death; Documentation/locking/robust-futexes.rst).
//!
//! A thread that holds a robust mutex keeps it on a list in its own memory,
//! which it registers with set_robust_list: a head of three words (the first
//! entry, the offset from an entry to its lock word, and the entry being
//! locked or unlocked right now), then entries linked through their first
//! word back to the head. A lock word holds its owner's thread id in its low
//! 30 bits, FUTEX_WAITERS when someone sleeps on it, FUTEX_OWNER_DIED when
//! its owner went away. When the thread exits or execs, the kernel walks the
//! list and marks each word the thread still owns as owner-died, so that the
//! next locker gets EOWNERDEAD instead of waiting forever, and wakes one
//! waiter of it. The list is user memory: every read may fail, and a list
//! that loops is cut after ROBUST_LIST_LIMIT entries.
//!
//! The walk is here, over a trait for the thread's memory; the kernel
//! provides the memory and wakes the words the walk returns.

#![no_std]

extern crate alloc;

use alloc::vec::Vec;

/// Someone sleeps on the word: the owner must wake one at unlock.
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
/// The owner died holding the lock.
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
/// The owner's thread id.
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
/// Entries walked at most (Linux's ROBUST_LIST_LIMIT).
pub const ROBUST_LIST_LIMIT: usize = 2048;
/// The size of struct robust_list_head on x86_64, which set_robust_list
/// must be given.
pub const ROBUST_LIST_HEAD_SIZE: u64 = 24;

/// The dead thread's memory, as the walk reads and changes it.
pub trait UserMemory {
    fn read_u64(&mut self, addr: u64) -> Option<u64>;
    /// Replaces the word at `addr` with `new` if it still holds `old`;
    /// the value it held, or None if it cannot be written.
    fn cmpxchg_u32(&mut self, addr: u64, old: u32, new: u32) -> Option<u32>;
    fn read_u32(&mut self, addr: u64) -> Option<u32>;
}

/// An entry pointer: its address, and bit 0 for a priority-inheritance lock.
fn entry(word: u64) -> (u64, bool) {
    (word & !1, word & 1 != 0)
}

/// Marks the lock word at `uaddr` as owner-died if thread `tid` owns it
/// (Linux: handle_futex_death). True if a waiter should be woken: it has
/// waiters and is no PI lock (whose waiters the kernel would hand it to), or
/// it is the entry being locked (`pending`) and is free, in which case the
/// thread may have taken a wake-up meant for another.
fn futex_death(mem: &mut impl UserMemory, uaddr: u64, tid: u32, pi: bool, pending: bool) -> bool {
    if !uaddr.is_multiple_of(4) {
        return false;
    }
    loop {
        let Some(word) = mem.read_u32(uaddr) else {
            return false;
        };
        if pending && !pi && word == 0 {
            return true;
        }
        let owner = word & FUTEX_TID_MASK;
        if owner != tid {
            return false;
        }
        let died = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        match mem.cmpxchg_u32(uaddr, word, died) {
            None => return false,
            // The word changed under us (a waiter set FUTEX_WAITERS): again.
            Some(seen) if seen != word => continue,
            Some(_) => return !pi && word & FUTEX_WAITERS != 0,
        }
    }
}

/// Walks the robust list at `head` of the thread `tid` that exits or execs,
/// marking the lock words it owns; the words on which one waiter should be
/// woken.
pub fn exit_robust_list(mem: &mut impl UserMemory, head: u64, tid: u32) -> Vec<u64> {
    let mut wake = Vec::new();
    let (Some(first), Some(offset), Some(pending)) = (
        mem.read_u64(head),
        mem.read_u64(head.wrapping_add(8)),
        mem.read_u64(head.wrapping_add(16)),
    ) else {
        return wake;
    };
    let (mut at, mut pi) = entry(first);
    let (pending, pending_pi) = entry(pending);
    let lock_word = |e: u64| e.wrapping_add(offset);
    for _ in 0..ROBUST_LIST_LIMIT {
        if at == head {
            break;
        }
        // The next entry is read first: the owner-died mark may let another
        // thread take and unlink this one.
        let next = mem.read_u64(at);
        if at != pending && futex_death(mem, lock_word(at), tid, pi, false) {
            wake.push(lock_word(at));
        }
        let Some(next) = next else {
            break;
        };
        (at, pi) = entry(next);
    }
    if pending != 0 && futex_death(mem, lock_word(pending), tid, pending_pi, true) {
        wake.push(lock_word(pending));
    }
    wake
}

#[cfg(test)]
mod tests;
