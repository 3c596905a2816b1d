//! What noyau's Rust test programs share, as user/include/report.h does for
//! the C ones: one write(2) per printed line, raw system calls (the kernel's
//! own return value, `-errno` on failure) made with `syscall` directly, and
//! the end of a test: its verdict line, then reboot(2) when it runs as init.
//!
//! The programs print what they observe, never pids, addresses or times, so
//! that the same binary prints the same lines on the host Linux and on noyau.

use std::arch::asm;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

/// System call numbers of x86_64 Linux (arch/x86/entry/syscalls/syscall_64.tbl).
pub mod nr {
    pub const PRCTL: i64 = 157;
    pub const GETTID: i64 = 186;
    pub const REBOOT: i64 = 169;
}

/// reboot(2)'s arguments, as <linux/reboot.h> names them.
const LINUX_REBOOT_MAGIC1: i64 = 0xfee1dead;
const LINUX_REBOOT_MAGIC2: i64 = 672274793;
const LINUX_REBOOT_CMD_POWER_OFF: i64 = 0x4321fedc;

/// prctl(2)'s option that reads the calling thread's name (<linux/prctl.h>).
const PR_GET_NAME: i64 = 16;

/// The checks that failed so far, in every thread.
static FAILED: AtomicUsize = AtomicUsize::new(0);

/// A system call with up to six arguments, as the kernel returns it.
///
/// # Safety
///
/// The call must be one whose pointers, if any, point at memory of the
/// right size, and that does not change memory Rust relies on.
pub unsafe fn syscall6(n: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64, a6: i64) -> i64 {
    let ret: i64;
    // SAFETY: the x86_64 Linux system call convention: number in rax,
    // arguments in rdi, rsi, rdx, r10, r8, r9; the kernel returns in rax and
    // clobbers rcx and r11. The caller vouches for the arguments.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") n => ret,
            in("rdi") a1,
            in("rsi") a2,
            in("rdx") a3,
            in("r10") a4,
            in("r8") a5,
            in("r9") a6,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// gettid(2): the calling thread's id (the pid for the main thread).
pub fn gettid() -> i64 {
    // SAFETY: gettid takes no argument and touches no memory.
    unsafe { syscall6(nr::GETTID, 0, 0, 0, 0, 0, 0) }
}

/// prctl(PR_GET_NAME): the calling thread's name as the kernel keeps it
/// (Linux's task comm, 16 bytes with the NUL), or the errno's negation.
pub fn thread_comm() -> Result<String, i64> {
    let mut comm = [0u8; 16];
    // SAFETY: PR_GET_NAME writes at most 16 bytes into `comm`.
    let r = unsafe { syscall6(nr::PRCTL, PR_GET_NAME, comm.as_mut_ptr() as i64, 0, 0, 0, 0) };
    if r < 0 {
        return Err(r);
    }
    let len = comm.iter().position(|&b| b == 0).unwrap_or(comm.len());
    Ok(String::from_utf8_lossy(&comm[..len]).into_owned())
}

/// Prints one line (a newline is added) with a single write(2), so that
/// lines never mix.
pub fn say(line: impl AsRef<str>) {
    let mut bytes = line.as_ref().as_bytes().to_vec();
    bytes.push(b'\n');
    // A console that refuses output leaves the test nothing to report to.
    let _ = std::io::stdout().lock().write_all(&bytes);
}

/// Prints "LABEL: yes" or "LABEL: no"; a "no" is a failed check.
pub fn check(label: &str, ok: bool) {
    if !ok {
        FAILED.fetch_add(1, Ordering::Relaxed);
    }
    say(format!("{label}: {}", if ok { "yes" } else { "no" }));
}

/// The end of test `name`: "NAME: ok", or how many checks failed; then, as
/// init (pid 1), the machine is powered off, since init may not exit.
pub fn finish(name: &str) -> ExitCode {
    let failed = FAILED.load(Ordering::Relaxed);
    match failed {
        0 => say(format!("{name}: ok")),
        1 => say(format!("{name}: 1 check failed")),
        n => say(format!("{name}: {n} checks failed")),
    }
    if std::process::id() == 1 {
        // SAFETY: reboot(2) with POWER_OFF takes no pointer.
        unsafe {
            syscall6(
                nr::REBOOT,
                LINUX_REBOOT_MAGIC1,
                LINUX_REBOOT_MAGIC2,
                LINUX_REBOOT_CMD_POWER_OFF,
                0,
                0,
                0,
            );
        }
        say(format!("{name}: reboot(2) did not power off"));
    }
    match failed {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
