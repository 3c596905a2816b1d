//! CPU affinity (Linux: kernel/sched/core.c sched_getaffinity and
//! sched_setaffinity, with their checks and Linux's order of errors).
//!
//! Only the boot CPU runs, so it is the one CPU there is (nr_cpu_ids 1, a
//! cpumask of one long). Linux reports a task's mask intersected with the
//! active CPUs, which here is always {0}: no mask is kept per task until a
//! second CPU runs tasks.

use linux_raw_sys::errno::{EFAULT, EINVAL, EPERM, ESRCH};

use crate::kernel::cred::capable;
use crate::kernel::sys::err;
use crate::kernel::task::{TaskState, TASKS};
use crate::mm::uaccess;

/// How many CPU numbers there are (Linux: nr_cpu_ids).
const NR_CPU_IDS: u32 = 1;

/// The bytes of a cpumask: nr_cpu_ids bits in whole longs (cpumask_size).
const CPUMASK_SIZE: usize = NR_CPU_IDS.div_ceil(64) as usize * 8;

/// The CPUs that run tasks (Linux: cpu_active_mask).
fn cpu_active_mask() -> u64 {
    (1 << NR_CPU_IDS) - 1
}

/// Task `pid` (0: the caller) exists, and may the caller set its affinity?
/// Linux's find_process_by_pid (ESRCH) and check_same_owner: the same
/// effective uid, or the caller's effective uid is the task's real one.
fn find_task(pid: i32) -> Result<bool, i64> {
    let table = TASKS.lock();
    let me = table.current;
    let pid = match pid {
        0 => me,
        p if p < 0 => return Err(err(ESRCH)),
        p => p as u32,
    };
    let target = table
        .tasks
        .get(&pid)
        .filter(|t| t.state != TaskState::Dead)
        .ok_or(err(ESRCH))?;
    let caller = &table
        .tasks
        .get(&me)
        .expect("the current task is in the table")
        .cred;
    let euid = caller.uid.effective;
    let owner = euid == target.cred.uid.effective || euid == target.cred.uid.real;
    Ok(owner || capable(caller))
}

/// sched_getaffinity(2): the mask of task `pid` in `len` bytes at `mask`;
/// the bytes written, at most a cpumask's. EINVAL for a length too short
/// for every CPU or not a whole number of longs.
pub fn sys_sched_getaffinity(pid: u64, len: u64, mask: u64) -> i64 {
    let len = len as u32;
    // In unsigned int, as Linux computes it: a huge length wraps.
    if len.wrapping_mul(8) < NR_CPU_IDS || !len.is_multiple_of(8) {
        return err(EINVAL);
    }
    if let Err(e) = find_task(pid as i32) {
        return e;
    }
    let bytes = cpu_active_mask().to_le_bytes();
    let n = (len as usize).min(CPUMASK_SIZE);
    match uaccess::copy_to_user(mask, &bytes[..n]) {
        Ok(()) => n as i64,
        Err(_) => err(EFAULT),
    }
}

/// sched_setaffinity(2): the mask is read first (at most a cpumask's bytes,
/// the rest of a shorter one clear: EFAULT), then the task is found
/// (ESRCH), the caller's right checked (EPERM without CAP_SYS_NICE), and a
/// mask with no active CPU refused (EINVAL).
pub fn sys_sched_setaffinity(pid: u64, len: u64, mask: u64) -> i64 {
    let mut bytes = [0u8; 8];
    let n = (len as u32 as usize).min(CPUMASK_SIZE);
    if uaccess::copy_from_user(&mut bytes[..n], mask).is_err() {
        return err(EFAULT);
    }
    match find_task(pid as i32) {
        Ok(true) => {}
        Ok(false) => return err(EPERM),
        Err(e) => return e,
    }
    if u64::from_le_bytes(bytes) & cpu_active_mask() == 0 {
        return err(EINVAL);
    }
    0
}
