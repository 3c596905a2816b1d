//! Interrupt entry against the interrupted code's registers: the red zone
//! below RSP and the SSE registers must come back untouched.

use core::sync::atomic::{AtomicBool, Ordering};

use crate::kernel::time;
use crate::{pr_err, pr_info};

/// Ticks a register test waits through: each one is an interrupt that
/// lands in the middle of the test's loop.
const TEST_TICKS: u64 = 10;

/// Fill the 128-byte red zone below RSP with a pattern, wait through
/// timer interrupts without moving RSP, then count the words that changed.
/// If interrupt entry pushed its frame on the interrupted stack, as a
/// kernel without IST stacks would, the pattern would be overwritten.
#[inline(never)]
pub fn selftest_redzone() {
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
pub fn selftest_fpu() {
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
