//! Deliberate crashes and checks for the boot tests, chosen with
//! `noyau.test=NAME` on the command line (in the spirit of Linux's LKDTM).
//!
//! Each crash lives in its own never-inlined function so that the oops can
//! be checked to name it.

use core::sync::atomic::{AtomicBool, Ordering};

use logbuf::Level;

use crate::kernel::{printk, time};
use crate::{pr_emerg, pr_err, pr_info};

/// Ticks a register test waits through: each one is an interrupt that
/// lands in the middle of the test's loop.
const TEST_TICKS: u64 = 10;

/// Run the test named on the command line, if any.
pub fn run(name: &str) {
    match name {
        "" | "none" => {}
        "page-fault" => selftest_page_fault(),
        "divide-error" => selftest_divide_error(),
        "panic" => selftest_panic(),
        "timer" => selftest_timer(),
        "redzone" => selftest_redzone(),
        "fpu" => selftest_fpu(),
        "printk" => selftest_printk(),
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
    let irqs = &crate::arch::percpu::this_cpu().apic_timer_irqs;
    time::align_to_tick();
    let irqs_before = irqs.load(Ordering::Relaxed);
    pr_info!("selftest: timer mark 1 (jiffies {})", time::jiffies());
    time::sleep_ticks(time::msecs_to_jiffies(100));
    let taken = irqs.load(Ordering::Relaxed) - irqs_before;
    pr_info!(
        "selftest: timer mark 2 (jiffies {}, {} local timer interrupts)",
        time::jiffies(),
        taken
    );
}

/// Fill the 128-byte red zone below RSP with a pattern, wait through
/// timer interrupts without moving RSP, then count the words that changed.
/// If interrupt entry pushed its frame on the interrupted stack, as a
/// kernel without IST stacks would, the pattern would be overwritten.
#[inline(never)]
fn selftest_redzone() {
    let target = time::jiffies() + TEST_TICKS;
    let jiffies = time::jiffies_ptr();
    let damaged: u64;
    // SAFETY: the asm writes only below RSP, in the red zone that this
    // crate never uses (it is built with no-redzone), and reads jiffies.
    unsafe {
        core::arch::asm!(
            "mov rcx, 16",
            "2: mov rax, 0x5a5a5a5a00000000",
            "or rax, rcx",
            "mov [rsp + rcx*8 - 136], rax",
            "dec rcx",
            "jnz 2b",
            "sti",
            "3: mov rax, [{jiffies}]",
            "cmp rax, {target}",
            "jb 3b",
            "xor {damaged}, {damaged}",
            "mov rcx, 16",
            "4: mov rax, 0x5a5a5a5a00000000",
            "or rax, rcx",
            "cmp [rsp + rcx*8 - 136], rax",
            "je 5f",
            "inc {damaged}",
            "5: dec rcx",
            "jnz 4b",
            jiffies = in(reg) jiffies,
            target = in(reg) target,
            damaged = out(reg) damaged,
            out("rax") _,
            out("rcx") _,
        );
    }
    if damaged == 0 {
        pr_info!(
            "selftest: red zone intact across {} timer interrupts",
            TEST_TICKS
        );
    } else {
        pr_err!(
            "selftest: red zone corrupted: {} of 16 words changed",
            damaged
        );
    }
}

/// Set while the SSE test runs: the timer interrupt then zeroes the SSE
/// registers, as any handler using them would.
static CLOBBER_SSE: AtomicBool = AtomicBool::new(false);

/// Called from the timer interrupt.
pub fn on_timer_interrupt() {
    if CLOBBER_SSE.load(Ordering::Relaxed) {
        // SAFETY: zeroes SSE registers; interrupt entry saved them.
        unsafe {
            core::arch::asm!(
                "pxor xmm0, xmm0", "pxor xmm1, xmm1", "pxor xmm7, xmm7", "pxor xmm15, xmm15",
                out("xmm0") _, out("xmm1") _, out("xmm7") _, out("xmm15") _,
            );
        }
    }
}

/// Load SSE registers, wait through timer interrupts whose handler zeroes
/// them, and check they still hold their values: interrupt entry must save
/// and restore the FPU/SSE state.
#[inline(never)]
fn selftest_fpu() {
    let pattern: [u64; 2] = [0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210];
    let mut out = [[0u64; 2]; 4];
    let target = time::jiffies() + TEST_TICKS;
    CLOBBER_SSE.store(true, Ordering::SeqCst);
    // SAFETY: loads and stores SSE registers from and to local arrays.
    unsafe {
        core::arch::asm!(
            "movdqu xmm0, [{p}]",
            "movdqu xmm1, [{p}]",
            "movdqu xmm7, [{p}]",
            "movdqu xmm15, [{p}]",
            "sti",
            "2: mov rax, [{jiffies}]",
            "cmp rax, {target}",
            "jb 2b",
            "movdqu [{o}], xmm0",
            "movdqu [{o} + 16], xmm1",
            "movdqu [{o} + 32], xmm7",
            "movdqu [{o} + 48], xmm15",
            p = in(reg) pattern.as_ptr(),
            o = in(reg) out.as_mut_ptr(),
            jiffies = in(reg) time::jiffies_ptr(),
            target = in(reg) target,
            out("rax") _, out("xmm0") _, out("xmm1") _, out("xmm7") _, out("xmm15") _,
        );
    }
    CLOBBER_SSE.store(false, Ordering::SeqCst);
    let changed = out.iter().filter(|r| **r != pattern).count();
    if changed == 0 {
        pr_info!(
            "selftest: SSE registers intact across {} timer interrupts",
            TEST_TICKS
        );
    } else {
        pr_err!(
            "selftest: SSE state lost: {} of 4 registers changed",
            changed
        );
    }
}

/// One record per level, then a look into the log buffer: the console
/// filter must hide some from the console but none from the buffer.
#[inline(never)]
fn selftest_printk() {
    for level in Level::ALL {
        crate::printk!(level, "selftest: printk level {}", level.as_u8());
    }
    let found = printk::count_records(|text| text.starts_with("selftest: printk level "));
    pr_emerg!(
        "selftest: log buffer holds {} of {} test records",
        found,
        Level::ALL.len()
    );
}
