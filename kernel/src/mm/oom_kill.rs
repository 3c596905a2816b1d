//! The OOM killer (Linux: mm/oom_kill.c): when a user page cannot be had,
//! the process whose death frees the most memory is killed, not whichever
//! process asked last.
//!
//! The badness of a process is its resident pages, the heart of Linux's
//! oom_badness (which adds page tables and swap, and an oom_score_adj that
//! noyau does not have). init and kernel threads are never chosen. The
//! victim gets SIGKILL and the line Linux prints; until it has exited, a
//! new shortage chooses no other victim but waits for it, as Linux's
//! oom_evaluate_task aborts on a victim still dying.
//!
//! A user page fault that finds no memory calls out_of_memory and, unless
//! its own process was chosen, yields and takes the fault again. A copy
//! to or from user memory inside a system call cannot wait with the
//! address space locked: it stops, says it ran out of memory, and the
//! system call's copy runs the OOM killer once the lock is gone, waits for
//! the victim's death and copies the rest (mm/uaccess.rs).

use core::sync::atomic::{AtomicU32, Ordering};

use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::kernel::signal::{send_process, SIGKILL};
use crate::kernel::task::{Task, TASKS};
use crate::mm::mm_struct::Mm;

/// The process killed last, while it may still be exiting.
static VICTIM: AtomicU32 = AtomicU32::new(0);

/// A system call's copy ran out of memory, its address space's lock now
/// let go: the OOM killer, and when another process was chosen, the wait
/// for its death. True if the copy should be tried again. A copy made
/// under a spinlock (interrupts off) does not wait: the victim may need
/// that lock to exit.
pub fn after_shortage() -> bool {
    let may_wait = x86_64::instructions::interrupts::are_enabled();
    if out_of_memory() || !may_wait {
        return false;
    }
    wait_for_victim();
    true
}

/// Let the victim run until it has exited (its memory is free then), or a
/// while has passed: it may be unable to run for now.
fn wait_for_victim() {
    for _ in 0..1000 {
        let victim = VICTIM.load(Ordering::Relaxed);
        let dying = TASKS.lock().tasks.get(&victim).is_some_and(|t| t.alive());
        if !dying {
            return;
        }
        crate::kernel::sched::schedule();
    }
}

/// A process that may be chosen, and what the kill line says of it.
struct Candidate {
    tgid: u32,
    comm: [u8; 16],
    uid: u32,
    mm: Arc<Mm>,
}

/// Memory ran out for a user page: kill the process that holds the most
/// (Linux: out_of_memory). True if that is the calling process, which then
/// has SIGKILL pending; false if another one dies (or was dying already),
/// and the caller may try again once it has.
pub fn out_of_memory() -> bool {
    let (current, candidates) = {
        let table = TASKS.lock();
        let current = table.tasks.get(&table.current).map_or(0, |t| t.tgid);
        let victim = VICTIM.load(Ordering::Relaxed);
        if victim != 0 && table.tasks.get(&victim).is_some_and(|t| t.alive()) {
            return victim == current;
        }
        let candidates: Vec<Candidate> = table
            .tasks
            .values()
            .filter(|t| t.is_leader() && t.alive() && t.tgid != 1)
            .filter_map(|t| {
                Some(Candidate {
                    tgid: t.tgid,
                    comm: t.comm,
                    uid: t.cred.uid.real,
                    mm: t.mm.clone()?,
                })
            })
            .collect();
        (current, candidates)
    };
    // Each address space is locked alone, the task table let go: a fault
    // repair locks its own before it would wait for the table.
    let chosen = candidates
        .into_iter()
        .map(|c| {
            let (rss, total) = {
                let space = c.mm.lock();
                let total: u64 = space.vmas().map(|v| v.end - v.start).sum();
                (space.resident_pages(), total)
            };
            (rss, total, c)
        })
        .max_by_key(|(rss, _, _)| *rss);
    let Some((rss, total, victim)) = chosen else {
        // Nothing else to kill: the caller goes.
        return true;
    };
    crate::pr_err!(
        "Out of memory: Killed process {} ({}) total-vm:{}kB, anon-rss:{}kB, file-rss:0kB, \
         shmem-rss:0kB, UID:{} pgtables:0kB oom_score_adj:0",
        victim.tgid,
        Task::comm_str(&victim.comm),
        total / 1024,
        rss * 4,
        victim.uid
    );
    VICTIM.store(victim.tgid, Ordering::Relaxed);
    let info = ::signal::SigInfo::kernel(SIGKILL);
    send_process(&mut TASKS.lock(), victim.tgid, SIGKILL, info);
    victim.tgid == current
}
