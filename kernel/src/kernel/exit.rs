//! Ending a task (Linux: kernel/exit.c do_exit, arch/x86/mm/fault.c
//! show_signal_msg).
//!
//! With only init running, the end of a task is the end of init, which
//! Linux answers with a panic: "Attempted to kill init!". The exit code is
//! the wait status: (code & 0xff) << 8 after exit(), or the signal number
//! after a fatal signal.

use crate::arch::traps::TrapFrame;
use crate::kernel::task::with_current;
use crate::pr_info;

/// Linux's signal numbers for the faults user code can cause.
pub const SIGILL: u32 = 4;
pub const SIGFPE: u32 = 8;
pub const SIGSEGV: u32 = 11;

pub fn do_exit(exitcode: u32) -> ! {
    let pid = with_current(|t| t.pid);
    if pid == 1 {
        crate::kernel::panic::panic(
            format_args!("Attempted to kill init! exitcode={:#010x}", exitcode),
            false,
        );
    }
    crate::kernel::panic::panic(
        format_args!("task {} exited with no scheduler to run", pid),
        false,
    )
}

/// A user page fault that nothing can repair: report it as Linux does
/// (show_signal_msg) and kill the task with SIGSEGV.
pub fn user_segfault(frame: &TrapFrame, address: u64) -> ! {
    let (pid, comm) = with_current(|t| (t.pid, t.comm));
    let task = crate::kernel::task::Task::comm_str(&comm);
    pr_info!(
        "{}[{}]: segfault at {:x} ip {:016x} sp {:016x} error {:x}",
        task,
        pid,
        address,
        frame.rip,
        frame.rsp,
        frame.error_code
    );
    do_exit(SIGSEGV)
}

/// Another exception in user mode (Linux: do_trap's "traps:" line).
pub fn user_trap(frame: &TrapFrame, name: &str, signal: u32) -> ! {
    let (pid, comm) = with_current(|t| (t.pid, t.comm));
    let task = crate::kernel::task::Task::comm_str(&comm);
    pr_info!(
        "traps: {}[{}] trap {} ip:{:x} sp:{:x} error:{:x}",
        task,
        pid,
        name,
        frame.rip,
        frame.rsp,
        frame.error_code
    );
    do_exit(signal)
}
