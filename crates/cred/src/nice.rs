//! Nice values and who may lower them (Linux: kernel/sched/core.c's
//! can_nice, include/linux/sched/prio.h). A thread's nice value runs from
//! MIN_NICE, the most favoured, to MAX_NICE; RLIMIT_NICE and getpriority's
//! raw return count it the other way up, as 20 - nice (40 down to 1), so
//! that neither is ever negative.

/// The most favoured nice value.
pub const MIN_NICE: i32 = -20;
/// The least favoured nice value.
pub const MAX_NICE: i32 = 19;

/// A requested nice value brought into range, as setpriority does.
pub fn clamp(nice: i32) -> i32 {
    nice.clamp(MIN_NICE, MAX_NICE)
}

/// `nice` on RLIMIT_NICE's scale: 40 for MIN_NICE down to 1 for MAX_NICE.
pub fn to_rlimit(nice: i32) -> u64 {
    (20 - clamp(nice)) as u64
}

/// May a thread whose RLIMIT_NICE soft limit is `limit` go from nice `from`
/// to nice `to` without CAP_SYS_NICE? Raising it (being nicer) always;
/// lowering it only as far as the limit allows, to `20 - limit`.
pub fn may_set(from: i32, to: i32, limit: u64) -> bool {
    to >= from || to_rlimit(to) <= limit
}
