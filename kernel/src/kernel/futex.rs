//! Fast user-space mutexes (Linux: kernel/futex/): the kernel half of
//! every pthread mutex, condition variable, join and Rust `park`.
//!
//! User space keeps the lock word; the kernel only keeps queues of tasks
//! sleeping on a word. FUTEX_WAIT checks, under the queue lock, that the
//! word still holds the expected value before it sleeps, so a wake-up that
//! comes between the user's check and the sleep is never lost. A word is
//! named by its address space and address (Linux's private futex key), or
//! in MAP_SHARED memory by its shared object and offset, so that processes
//! mapping it wait and wake each other (Linux's shared key). The PRIVATE
//! flag is not needed to tell them apart: a spurious wake-up between two
//! processes using it on shared memory is allowed.

use alloc::sync::Arc;
use alloc::vec::Vec;

use linux_raw_sys::errno::{EAGAIN, EFAULT, EINVAL, ENOSYS, EPERM, ESRCH, ETIMEDOUT};

use crate::kernel::sched;
use crate::kernel::signal::{signal_pending, ERESTARTSYS};
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::sys::err;
use crate::kernel::task::{current_mm, TASKS};
use crate::kernel::time::ktime_get_ns;
use crate::kernel::time_syscalls::{get_timespec, monotonic_deadline};
use crate::kernel::time_syscalls::{CLOCK_MONOTONIC, CLOCK_REALTIME};
use crate::mm::mm_struct::Mm;
use crate::mm::uaccess;

const FUTEX_WAIT: u32 = 0;
const FUTEX_WAKE: u32 = 1;
const FUTEX_REQUEUE: u32 = 3;
const FUTEX_CMP_REQUEUE: u32 = 4;
const FUTEX_WAIT_BITSET: u32 = 9;
const FUTEX_WAKE_BITSET: u32 = 10;
const FUTEX_PRIVATE_FLAG: u32 = 128;
const FUTEX_CLOCK_REALTIME: u32 = 256;
const FUTEX_BITSET_MATCH_ANY: u32 = 0xffff_ffff;

/// A futex word: (address space id, user address), or (shared object id,
/// offset in it).
type Key = (usize, u64);

/// A task asleep on a word, woken by the wakes whose bitset meets its own.
struct Waiter {
    key: Key,
    tid: u32,
    bitset: u32,
}

/// Every sleeping waiter, in the order they went to sleep (Linux hashes
/// them into buckets; one list is enough for the tasks noyau runs).
static WAITERS: IrqSpinLock<Vec<Waiter>> = IrqSpinLock::new(Vec::new());

/// futex(2). `val2` is the timeout pointer of the waits and the count of
/// the requeues; `val3` the bitset, or the value CMP_REQUEUE expects.
pub fn sys_futex(uaddr: u64, op: u64, val: u64, val2: u64, uaddr2: u64, val3: u64) -> i64 {
    let op = op as u32;
    let cmd = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    if op & FUTEX_CLOCK_REALTIME != 0 && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT {
        return err(ENOSYS);
    }
    let (val, val3) = (val as u32, val3 as u32);
    match cmd {
        FUTEX_WAIT => match timeout(val2, false, op) {
            Ok(deadline) => futex_wait(uaddr, val, deadline, FUTEX_BITSET_MATCH_ANY),
            Err(e) => e,
        },
        FUTEX_WAIT_BITSET if val3 == 0 => err(EINVAL),
        FUTEX_WAIT_BITSET => match timeout(val2, true, op) {
            Ok(deadline) => futex_wait(uaddr, val, deadline, val3),
            Err(e) => e,
        },
        FUTEX_WAKE => futex_wake(uaddr, val, FUTEX_BITSET_MATCH_ANY),
        FUTEX_WAKE_BITSET if val3 == 0 => err(EINVAL),
        FUTEX_WAKE_BITSET => futex_wake(uaddr, val, val3),
        FUTEX_REQUEUE => futex_requeue(uaddr, uaddr2, val, val2 as u32, None),
        FUTEX_CMP_REQUEUE => futex_requeue(uaddr, uaddr2, val, val2 as u32, Some(val3)),
        _ => err(ENOSYS),
    }
}

/// The monotonic deadline of a wait: FUTEX_WAIT's timeout is relative,
/// FUTEX_WAIT_BITSET's absolute on the monotonic (or, with
/// FUTEX_CLOCK_REALTIME, the real-time) clock. None: no timeout.
fn timeout(addr: u64, absolute: bool, op: u32) -> Result<Option<u64>, i64> {
    if addr == 0 {
        return Ok(None);
    }
    let ns = get_timespec(addr)?;
    let clock = if op & FUTEX_CLOCK_REALTIME != 0 {
        CLOCK_REALTIME
    } else {
        CLOCK_MONOTONIC
    };
    Ok(Some(if absolute {
        monotonic_deadline(clock, ns)
    } else {
        ktime_get_ns().saturating_add(ns)
    }))
}

/// The key of the word at `uaddr` in the caller's address space, checked
/// for alignment.
fn key_of(uaddr: u64) -> Result<Key, i64> {
    if !uaddr.is_multiple_of(4) {
        return Err(err(EINVAL));
    }
    Ok(key_in(&current_mm(), uaddr))
}

fn key_in(mm: &Arc<Mm>, uaddr: u64) -> Key {
    let shared = mm.lock().shared_key(uaddr);
    shared.unwrap_or((mm.id(), uaddr))
}

/// The word at `uaddr`, read while the caller holds the waiter lock.
fn read_word(uaddr: u64) -> Result<u32, i64> {
    let mut word = [0u8; 4];
    let mm = current_mm();
    let read = mm.lock().copy_from_user(&mut word, uaddr);
    read.map(|()| u32::from_le_bytes(word))
        .map_err(|_| err(EFAULT))
}

fn futex_wait(uaddr: u64, val: u32, deadline: Option<u64>, bitset: u32) -> i64 {
    let key = match key_of(uaddr) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let tid = {
        let mut waiters = WAITERS.lock();
        match read_word(uaddr) {
            Ok(word) if word != val => return err(EAGAIN),
            Ok(_) => {}
            Err(e) => return e,
        }
        let mut table = TASKS.lock();
        let tid = table.current;
        waiters.push(Waiter { key, tid, bitset });
        sched::prepare_to_sleep(&mut table, deadline);
        tid
    };
    loop {
        sched::schedule();

        // Gone from the queue: a wake took it. Still there: the deadline
        // passed, a signal came, or the wake-up was meant for another wait.
        let mut waiters = WAITERS.lock();
        let Some(at) = waiters.iter().position(|w| w.tid == tid) else {
            drop(waiters);
            sched::finish_sleep(deadline);
            return 0;
        };
        let expired = deadline.is_some_and(|d| ktime_get_ns() >= d);
        if expired || signal_pending() {
            waiters.remove(at);
            drop(waiters);
            sched::finish_sleep(deadline);
            return if expired {
                err(ETIMEDOUT)
            } else {
                -ERESTARTSYS
            };
        }
        let mut table = TASKS.lock();
        if let Some(d) = deadline {
            table.timers.remove(&(d, tid));
        }
        sched::prepare_to_sleep(&mut table, deadline);
    }
}

/// Wake up to `count` waiters on `uaddr` whose bitset meets `bitset`.
fn futex_wake(uaddr: u64, count: u32, bitset: u32) -> i64 {
    let key = match key_of(uaddr) {
        Ok(k) => k,
        Err(e) => return e,
    };
    wake_key(key, count, bitset) as i64
}

fn wake_key(key: Key, count: u32, bitset: u32) -> u32 {
    let mut waiters = WAITERS.lock();
    let mut woken = 0;
    let mut i = 0;
    while i < waiters.len() && woken < count {
        if waiters[i].key == key && waiters[i].bitset & bitset != 0 {
            let w = waiters.remove(i);
            sched::wake_up(&mut TASKS.lock(), w.tid);
            woken += 1;
        } else {
            i += 1;
        }
    }
    woken
}

/// Wake up to `count` waiters on `uaddr` and move up to `moved` others to
/// `uaddr2`; with `expect`, only if the word at `uaddr` still holds it.
fn futex_requeue(uaddr: u64, uaddr2: u64, count: u32, moved: u32, expect: Option<u32>) -> i64 {
    let (key, key2) = match (key_of(uaddr), key_of(uaddr2)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    if (count as i32) < 0 || (moved as i32) < 0 {
        return err(EINVAL);
    }
    let mut waiters = WAITERS.lock();
    if let Some(expect) = expect {
        match read_word(uaddr) {
            Ok(word) if word != expect => return err(EAGAIN),
            Ok(_) => {}
            Err(e) => return e,
        }
    }
    let (mut woken, mut requeued) = (0u32, 0u32);
    let mut i = 0;
    while i < waiters.len() {
        if waiters[i].key != key {
            i += 1;
        } else if woken < count {
            let w = waiters.remove(i);
            sched::wake_up(&mut TASKS.lock(), w.tid);
            woken += 1;
        } else if requeued < moved {
            waiters[i].key = key2;
            requeued += 1;
            i += 1;
        } else {
            break;
        }
    }
    (woken + requeued) as i64
}

/// A thread ends: clear its tid word and wake one waiter on it, which is
/// how pthread_join learns of the exit (Linux: mm_release).
pub fn clear_child_tid(addr: u64) {
    if addr == 0 {
        return;
    }
    let mm = current_mm();
    if mm.lock().copy_to_user(addr, &0u32.to_le_bytes()).is_ok() && addr.is_multiple_of(4) {
        wake_key(key_in(&mm, addr), 1, FUTEX_BITSET_MATCH_ANY);
    }
}

/// set_robust_list(2): where the thread's robust futex list starts (see
/// crates/futex); `len` must be the size of the head, as Linux checks.
pub fn sys_set_robust_list(head: u64, len: u64) -> i64 {
    if len != ::futex::ROBUST_LIST_HEAD_SIZE {
        return err(EINVAL);
    }
    crate::kernel::task::with_current(|t| t.robust_list = head);
    0
}

/// get_robust_list(2): the head of thread `tid`'s list (0: the caller's),
/// for a thread the caller may inspect (Linux: ptrace_may_access with real
/// credentials: its own process, or one whose real, effective and saved
/// uids and gids are all the caller's real ones, or CAP_SYS_PTRACE).
pub fn sys_get_robust_list(tid: i64, head_ptr: u64, len_ptr: u64) -> i64 {
    let head = {
        let table = TASKS.lock();
        let me = table
            .tasks
            .get(&table.current)
            .expect("the current task is in the table");
        let target = match tid {
            0 => Some(me),
            t if t > 0 => table.tasks.get(&(t as u32)).filter(|t| t.alive()),
            _ => None,
        };
        let Some(t) = target else {
            return err(ESRCH);
        };
        let (mine, theirs) = (&me.cred, &t.cred);
        let same = |own: u32, ids: ::cred::Ids| {
            [ids.real, ids.effective, ids.saved]
                .iter()
                .all(|&i| i == own)
        };
        let allowed = t.tgid == me.tgid
            || crate::kernel::cred::capable(mine)
            || (same(mine.uid.real, theirs.uid) && same(mine.gid.real, theirs.gid));
        if !allowed {
            return err(EPERM);
        }
        t.robust_list
    };
    let len = ::futex::ROBUST_LIST_HEAD_SIZE;
    if uaccess::copy_to_user(len_ptr, &len.to_le_bytes()).is_err()
        || uaccess::copy_to_user(head_ptr, &head.to_le_bytes()).is_err()
    {
        return err(EFAULT);
    }
    0
}

/// The current thread's memory, as the robust-list walk reads and changes
/// it. Exchanges run under the waiter lock, like FUTEX_WAIT's check of the
/// word, so that no waiter sets FUTEX_WAITERS between the read and the
/// write.
struct CurrentMemory(Arc<Mm>);

impl ::futex::UserMemory for CurrentMemory {
    fn read_u64(&mut self, addr: u64) -> Option<u64> {
        let mut b = [0u8; 8];
        self.0.lock().copy_from_user(&mut b, addr).ok()?;
        Some(u64::from_le_bytes(b))
    }

    fn read_u32(&mut self, addr: u64) -> Option<u32> {
        let mut b = [0u8; 4];
        self.0.lock().copy_from_user(&mut b, addr).ok()?;
        Some(u32::from_le_bytes(b))
    }

    fn cmpxchg_u32(&mut self, addr: u64, old: u32, new: u32) -> Option<u32> {
        let _waiters = WAITERS.lock();
        let seen = self.read_u32(addr)?;
        if seen == old {
            self.0.lock().copy_to_user(addr, &new.to_le_bytes()).ok()?;
        }
        Some(seen)
    }
}

/// The thread exits or execs: the robust mutexes it still holds are marked
/// as their owner's death (the next locker gets EOWNERDEAD), and one
/// waiter of each is woken (Linux: futex_exit_release, futex_exec_release).
/// Its list is forgotten.
pub fn release_robust_list() {
    let (head, tid) =
        crate::kernel::task::with_current(|t| (core::mem::take(&mut t.robust_list), t.pid));
    if head == 0 {
        return;
    }
    let mm = current_mm();
    let mut mem = CurrentMemory(mm.clone());
    for addr in ::futex::exit_robust_list(&mut mem, head, tid) {
        wake_key(key_in(&mm, addr), 1, FUTEX_BITSET_MATCH_ANY);
    }
}
