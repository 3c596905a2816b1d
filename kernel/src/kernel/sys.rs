//! The system-call table (Linux: arch/x86/entry/syscalls/syscall_64.tbl).
//!
//! It only maps Linux's numbers to the functions that implement them;
//! each call lives with its subsystem. An unknown number returns -ENOSYS
//! and is reported once per number with a KERN_WARNING line, so the next
//! gap is always visible in the log.

use core::sync::atomic::{AtomicU64, Ordering};

use linux_raw_sys::errno::ENOSYS;
use linux_raw_sys::general as nr;

use crate::kernel::task::with_current;
use crate::kernel::{exit, sys_misc};
use crate::mm::mmap;
use crate::pr_warn;

/// Bit N set: number N was already reported as missing.
static REPORTED: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

fn report_missing(number: u64) {
    let Some(word) = REPORTED.get((number / 64) as usize) else {
        pr_warn!("noyau: system call {} is out of range", number);
        return;
    };
    if word.fetch_or(1 << (number % 64), Ordering::Relaxed) & (1 << (number % 64)) == 0 {
        let (pid, comm) = with_current(|t| (t.pid, t.comm));
        pr_warn!(
            "noyau: {}[{}]: system call {} ({}) is not implemented (ENOSYS)",
            crate::kernel::task::Task::comm_str(&comm),
            pid,
            number,
            crate::kernel::sysnames::name(number)
        );
    }
}

/// Run system call `number` with `args`; the value for RAX (a negative
/// errno on failure, as Linux returns it).
pub fn dispatch(number: u64, a: [u64; 6]) -> i64 {
    match number as u32 {
        nr::__NR_write => sys_misc::sys_write(a[0], a[1], a[2]),
        nr::__NR_writev => sys_misc::sys_writev(a[0], a[1], a[2]),
        nr::__NR_ioctl => sys_misc::sys_ioctl(a[0], a[1], a[2]),
        nr::__NR_arch_prctl => sys_misc::sys_arch_prctl(a[0], a[1]),
        nr::__NR_set_tid_address => sys_misc::sys_set_tid_address(a[0]),
        nr::__NR_getpid => sys_misc::sys_getpid(),
        nr::__NR_reboot => sys_misc::sys_reboot(a[0], a[1], a[2]),
        nr::__NR_brk => mmap::sys_brk(a[0]),
        nr::__NR_mmap => mmap::sys_mmap(a[0], a[1], a[2], a[3], a[4], a[5]),
        nr::__NR_munmap => mmap::sys_munmap(a[0], a[1]),
        nr::__NR_mprotect => mmap::sys_mprotect(a[0], a[1], a[2]),
        nr::__NR_exit | nr::__NR_exit_group => exit::do_exit(((a[0] & 0xff) << 8) as u32),
        _ => {
            report_missing(number);
            -(ENOSYS as i64)
        }
    }
}
