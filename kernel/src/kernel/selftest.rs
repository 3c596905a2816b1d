//! Deliberate crashes and checks for the boot tests, chosen with
//! `noyau.test=NAME` on the command line (in the spirit of Linux's LKDTM).
//!
//! Each crash lives in its own never-inlined function so that the oops can
//! be checked to name it.

use crate::kernel::time;
use crate::{pr_err, pr_info};

/// Run the test named on the command line, if any.
pub fn run(name: &str) {
    match name {
        "" | "none" => {}
        "page-fault" => selftest_page_fault(),
        "divide-error" => selftest_divide_error(),
        "panic" => selftest_panic(),
        "timer" => selftest_timer(),
        other => pr_err!("selftest: unknown test {:?}", other),
    }
}

/// Read through a NULL pointer (plus a field offset, as a real bug would).
#[inline(never)]
fn selftest_page_fault() {
    pr_info!("selftest: reading address 0x10");
    let bad = core::hint::black_box(0x10usize) as *const u64;
    // SAFETY: not safe at all: this read is meant to fault.
    let value = unsafe { core::ptr::read_volatile(bad) };
    pr_err!("selftest: read {:#x} from 0x10 without a fault", value);
}

/// Divide by zero with the DIV instruction (Rust's `/` would panic first).
#[inline(never)]
fn selftest_divide_error() {
    pr_info!("selftest: dividing by zero");
    let divisor = core::hint::black_box(0u64);
    let quotient: u64;
    // SAFETY: DIV by zero raises #DE, which is the point of this test.
    unsafe {
        core::arch::asm!("div {0}", in(reg) divisor, inout("rax") 1u64 => quotient,
                         inout("rdx") 0u64 => _, options(nomem, nostack));
    }
    pr_err!("selftest: 1/0 = {} without a fault", quotient);
}

#[inline(never)]
fn selftest_panic() {
    panic!("selftest: deliberate panic");
}

/// Two marks 100 ms apart by the timer tick; the host compares their
/// printk timestamps, which come from the TSC clocksource.
#[inline(never)]
fn selftest_timer() {
    time::align_to_tick();
    pr_info!("selftest: timer mark 1 (jiffies {})", time::jiffies());
    time::sleep_ticks(time::msecs_to_jiffies(100));
    pr_info!("selftest: timer mark 2 (jiffies {})", time::jiffies());
}
