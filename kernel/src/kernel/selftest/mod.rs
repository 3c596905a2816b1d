//! Checks and deliberate crashes for the boot tests, chosen with
//! `noyau.test=NAME` on the command line (in the spirit of Linux's LKDTM
//! and lib/test_*.c). Each test prints what it found; the scenario files
//! under tests/boot/ say what must appear.

mod clock;
mod crash;
mod mm;
mod regs;

pub use regs::on_timer_interrupt;

use crate::pr_err;

/// Run the test named on the command line, if any.
pub fn run(name: &str) {
    match name {
        "" | "none" => {}
        "page-fault" => crash::selftest_page_fault(),
        "divide-error" => crash::selftest_divide_error(),
        "panic" => crash::selftest_panic(),
        "smap" => crash::selftest_smap(),
        "smep" => crash::selftest_smep(),
        "timer" => clock::selftest_timer(),
        "printk" => clock::selftest_printk(),
        "redzone" => regs::selftest_redzone(),
        "fpu" => regs::selftest_fpu(),
        "mm" => mm::selftest_mm(),
        "oom" => mm::selftest_oom(),
        "slab-debug" => mm::selftest_slab_debug(),
        "slab-cache" => mm::selftest_slab_cache(),
        "devices" => crate::kernel::printk::printk_lines(
            logbuf::Level::Info,
            format_args!("/proc/devices:\n{}", crate::fs::devices::proc_devices()),
        ),
        // Run once the tasks exist (run_late).
        "kthread-panic" | "stack-end" => {}
        other => pr_err!("selftest: unknown test {:?}", other),
    }
}

/// The tests that need the tasks: run once init and kthreadd exist.
pub fn run_late(name: &str) {
    match name {
        "kthread-panic" => crash::selftest_kthread_panic(),
        "stack-end" => crash::selftest_stack_end(),
        _ => {}
    }
}
