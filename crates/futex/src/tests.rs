//! The walk over a fake memory of 8-byte and 4-byte cells.

use alloc::collections::BTreeMap;
use alloc::vec;

use proptest::prelude::*;

use super::*;

extern crate std;

/// Memory: a map of addresses to 8-byte words and of addresses to 4-byte
/// lock words; what is in neither faults.
#[derive(Default)]
struct Mem {
    words: BTreeMap<u64, u64>,
    locks: BTreeMap<u64, u32>,
    /// A waiter sets FUTEX_WAITERS on this word at the first exchange.
    racer: Option<u64>,
}

impl UserMemory for Mem {
    fn read_u64(&mut self, addr: u64) -> Option<u64> {
        self.words.get(&addr).copied()
    }
    fn read_u32(&mut self, addr: u64) -> Option<u32> {
        self.locks.get(&addr).copied()
    }
    fn cmpxchg_u32(&mut self, addr: u64, old: u32, new: u32) -> Option<u32> {
        if self.racer.take() == Some(addr) {
            *self.locks.get_mut(&addr)? |= FUTEX_WAITERS;
        }
        let word = self.locks.get_mut(&addr)?;
        let seen = *word;
        if seen == old {
            *word = new;
        }
        Some(seen)
    }
}

const HEAD: u64 = 0x1000;
/// The lock word lies 8 bytes after its entry's link (musl's layout has it
/// before: the offset may be negative too).
const OFFSET: u64 = 8;
const TID: u32 = 42;

/// A list of entries at 0x2000, 0x2100, ... whose lock words hold `locks`.
fn list(locks: &[u32], pending: u64) -> Mem {
    let mut m = Mem::default();
    let entries: Vec<u64> = (0..locks.len() as u64)
        .map(|i| 0x2000 + i * 0x100)
        .collect();
    m.words
        .insert(HEAD, entries.first().copied().unwrap_or(HEAD));
    m.words.insert(HEAD + 8, OFFSET);
    m.words.insert(HEAD + 16, pending);
    for (i, &e) in entries.iter().enumerate() {
        m.words
            .insert(e, entries.get(i + 1).copied().unwrap_or(HEAD));
        m.locks.insert(e + OFFSET, locks[i]);
    }
    m
}

fn lock(m: &Mem, i: u64) -> u32 {
    m.locks[&(0x2000 + i * 0x100 + OFFSET)]
}

#[test]
fn words_the_thread_owns_are_marked_and_waiters_woken() {
    let mut m = list(&[TID, TID | FUTEX_WAITERS, 7, 0], 0);
    let wake = exit_robust_list(&mut m, HEAD, TID);
    assert_eq!(lock(&m, 0), FUTEX_OWNER_DIED);
    assert_eq!(lock(&m, 1), FUTEX_OWNER_DIED | FUTEX_WAITERS);
    assert_eq!((lock(&m, 2), lock(&m, 3)), (7, 0), "not the thread's");
    assert_eq!(wake, vec![0x2100 + OFFSET]);
}

#[test]
fn the_pending_entry_is_handled_once_and_woken_if_free() {
    // Entry 0 is both on the list and pending: handled once, at the end.
    let mut m = list(&[TID | FUTEX_WAITERS], 0x2000);
    assert_eq!(exit_robust_list(&mut m, HEAD, TID), vec![0x2000 + OFFSET]);
    assert_eq!(lock(&m, 0), FUTEX_OWNER_DIED | FUTEX_WAITERS);
    // A free pending word: the thread may have swallowed a wake-up.
    let mut m = list(&[], 0x3000);
    m.locks.insert(0x3000 + OFFSET, 0);
    assert_eq!(exit_robust_list(&mut m, HEAD, TID), vec![0x3000 + OFFSET]);
    assert_eq!(m.locks[&(0x3000 + OFFSET)], 0);
}

#[test]
fn pi_locks_are_marked_but_not_woken() {
    let mut m = list(&[TID | FUTEX_WAITERS], 0);
    m.words.insert(HEAD, 0x2000 | 1);
    assert_eq!(exit_robust_list(&mut m, HEAD, TID), vec![]);
    assert_eq!(lock(&m, 0), FUTEX_OWNER_DIED | FUTEX_WAITERS);
}

#[test]
fn a_waiter_arriving_during_the_exchange_is_seen() {
    let mut m = list(&[TID], 0);
    m.racer = Some(0x2000 + OFFSET);
    assert_eq!(exit_robust_list(&mut m, HEAD, TID), vec![0x2000 + OFFSET]);
    assert_eq!(lock(&m, 0), FUTEX_OWNER_DIED | FUTEX_WAITERS);
}

#[test]
fn bad_memory_and_loops_end_the_walk() {
    // No head at all.
    assert!(exit_robust_list(&mut Mem::default(), HEAD, TID).is_empty());
    // An entry that links to itself: cut after ROBUST_LIST_LIMIT.
    let mut m = list(&[TID], 0);
    m.words.insert(0x2000, 0x2000);
    assert!(exit_robust_list(&mut m, HEAD, TID).is_empty());
    assert_eq!(lock(&m, 0), FUTEX_OWNER_DIED);
    // A link into unmapped memory: the entries before it are still handled.
    let mut m = list(&[TID, TID], 0);
    m.words.insert(0x2000, 0xdead_0000);
    exit_robust_list(&mut m, HEAD, TID);
    assert_eq!((lock(&m, 0), lock(&m, 1)), (FUTEX_OWNER_DIED, TID));
    // A misaligned lock word is left alone.
    let mut m = list(&[TID], 0);
    m.words.insert(HEAD + 8, 2);
    m.locks.insert(0x2002, TID);
    exit_robust_list(&mut m, HEAD, TID);
    assert_eq!(m.locks[&0x2002], TID);
}

proptest! {
    /// Whatever the lock words hold, exactly the words the thread owned
    /// change, each to FUTEX_OWNER_DIED with its waiters bit kept, and a
    /// wake is asked for exactly those that had waiters.
    #[test]
    fn only_owned_words_change(words in proptest::collection::vec(
        prop_oneof![Just(TID), Just(TID | FUTEX_WAITERS), any::<u32>()], 0..40)) {
        let mut m = list(&words, 0);
        let wake = exit_robust_list(&mut m, HEAD, TID);
        let mut expected_wake = Vec::new();
        for (i, &w) in words.iter().enumerate() {
            let now = lock(&m, i as u64);
            if w & FUTEX_TID_MASK == TID {
                prop_assert_eq!(now, (w & FUTEX_WAITERS) | FUTEX_OWNER_DIED);
                if w & FUTEX_WAITERS != 0 {
                    expected_wake.push(0x2000 + i as u64 * 0x100 + OFFSET);
                }
            } else {
                prop_assert_eq!(now, w);
            }
        }
        prop_assert_eq!(wake, expected_wake);
    }
}
