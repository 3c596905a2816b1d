//! Kernel panic (Linux: kernel/panic.c).
//!
//! panic() prints "Kernel panic - not syncing: <reason>" and then stops
//! the machine: by default it halts for good (and tells QEMU, which then
//! exits with the panic status); with `panic=N` on the command line it
//! waits N seconds and reboots, as Linux does. A Rust panic (a broken
//! invariant in kernel code) goes the same way, with its source location
//! and a backtrace.

use core::fmt;
use core::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use crate::arch::reboot;
use crate::{pr_emerg, pr_info};

/// Seconds to wait before rebooting after a panic; 0 means halt.
static PANIC_TIMEOUT: AtomicI64 = AtomicI64::new(0);

/// Counts panics, to stop a panic that panics again.
static PANICKING: AtomicU32 = AtomicU32::new(0);

/// `panic=N`: reboot N seconds after a panic (N < 0: at once; 0: halt).
pub fn setup_panic_timeout(value: &str) {
    match value.parse::<i64>() {
        Ok(n) => PANIC_TIMEOUT.store(n, Ordering::Relaxed),
        Err(_) => crate::pr_warn!("panic: ignoring bad panic={} (not a number)", value),
    }
}

/// Stop the kernel. `dump` adds the CPU line and a backtrace of the caller
/// (an oops has already printed them).
pub fn panic(reason: fmt::Arguments, dump: bool) -> ! {
    crate::arch::dumpstack::oops_begin();
    if PANICKING.fetch_add(1, Ordering::SeqCst) > 0 {
        pr_emerg!("Kernel panic - not syncing: {} (while panicking)", reason);
        reboot::machine_halt_after_panic();
    }
    pr_emerg!("Kernel panic - not syncing: {}", reason);
    if dump {
        crate::arch::dumpstack::dump_stack();
    }

    let timeout = PANIC_TIMEOUT.load(Ordering::Relaxed);
    if timeout != 0 {
        if timeout > 0 {
            pr_emerg!("Rebooting in {} seconds..", timeout);
            crate::kernel::time::busy_wait_ns(timeout as u64 * 1_000_000_000);
        }
        pr_info!("reboot: Restarting system");
        reboot::machine_restart();
    }
    pr_emerg!("---[ end Kernel panic - not syncing: {} ]---", reason);
    reboot::machine_halt_after_panic()
}

#[panic_handler]
fn rust_panic(info: &core::panic::PanicInfo) -> ! {
    match info.location() {
        Some(loc) => panic(
            format_args!(
                "{} at {}:{}:{}",
                info.message(),
                loc.file(),
                loc.line(),
                loc.column()
            ),
            true,
        ),
        None => panic(format_args!("{}", info.message()), true),
    }
}

/// Referenced by the precompiled core library's unwinding metadata; the
/// kernel is built with panic=abort, so it is never called.
#[no_mangle]
extern "C" fn rust_eh_personality() {}

/// Referenced by landing pads in the precompiled alloc library (for
/// example in String::from_utf8_lossy). With panic=abort nothing unwinds,
/// so it is never reached; if it were, that is a kernel bug.
#[no_mangle]
extern "C" fn _Unwind_Resume() -> ! {
    crate::arch::reboot::halt_forever()
}
