//! Deliberate kernel bugs: each must end in an oops or a panic that names
//! the function it happened in (Linux's LKDTM does the same on demand).

use crate::{pr_err, pr_info};

/// Read through a NULL pointer (plus a field offset, as a real bug would).
#[inline(never)]
pub fn selftest_page_fault() {
    pr_info!("selftest: reading address 0x10");
    let bad = core::hint::black_box(0x10usize) as *const u64;
    // SAFETY: not safe at all: this read is meant to fault.
    let value = unsafe { core::ptr::read_volatile(bad) };
    pr_err!("selftest: read {:#x} from 0x10 without a fault", value);
}

/// Divide by zero with the DIV instruction (Rust's `/` would panic first).
#[inline(never)]
pub fn selftest_divide_error() {
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
pub fn selftest_panic() {
    panic!("selftest: deliberate panic");
}
