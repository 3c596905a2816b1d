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

/// A panic in a kernel thread: the report names the thread and walks its
/// own kernel stack, not the boot stack.
pub fn selftest_kthread_panic() {
    if crate::kernel::kthread::kthread_run("selftest_oops", kthread_panic, 0).is_none() {
        crate::pr_err!("selftest: no memory for a kernel thread");
    }
}

extern "C" fn kthread_panic(_arg: u64) -> ! {
    kthread_panic_here();
    unreachable!("kthread_panic_here returns only by panicking")
}

#[inline(never)]
fn kthread_panic_here() {
    panic!("selftest: deliberate panic in a kernel thread");
}

/// A kernel thread whose stack runs down to its last word: the word's
/// magic is gone, as an overflow would take it, and the next switch away
/// from the thread stops the kernel with Linux's message.
pub fn selftest_stack_end() {
    if crate::kernel::kthread::kthread_run("selftest_stack", stack_end_thread, 0).is_none() {
        crate::pr_err!("selftest: no memory for a kernel thread");
    }
}

extern "C" fn stack_end_thread(_arg: u64) -> ! {
    let pfn = crate::kernel::task::with_current(|t| t.kstack_pfn);
    let bottom = crate::arch::mm::phys_to_virt(pfn * crate::arch::mm::PAGE_SIZE);
    // SAFETY: the lowest word of this thread's own kernel stack.
    unsafe { core::ptr::write_volatile(bottom as *mut u64, 0xdead_beef) };
    loop {
        crate::kernel::sched::schedule();
    }
}

/// The user address of the page the SMEP and SMAP tests map: above the
/// NULL page, so the oops names a user page, not a NULL pointer.
const USER_PAGE: u64 = 0x40_0000;

/// A user page holding one `ret` instruction, at USER_PAGE.
fn map_user_page() -> *const u8 {
    let pfn = crate::mm::page_alloc::alloc_pages(gfp::Gfp::KERNEL | gfp::Gfp::ZERO, 0)
        .expect("a page for the SMEP/SMAP self-test");
    // SAFETY: a fresh page, reached through the direct map.
    unsafe { *(crate::arch::mm::phys_to_virt(pfn * crate::arch::mm::PAGE_SIZE) as *mut u8) = 0xc3 };
    crate::arch::mm::init::map_user_page_in_kernel_tables(USER_PAGE, pfn);
    USER_PAGE as *const u8
}

/// Read a user page from the kernel: SMAP must turn it into an oops.
#[inline(never)]
pub fn selftest_smap() {
    let page = map_user_page();
    pr_info!(
        "selftest: reading user address {:#x} from the kernel",
        USER_PAGE
    );
    // SAFETY: not safe at all: with SMAP this read faults, as it must.
    let value = unsafe { core::ptr::read_volatile(page) };
    pr_err!("selftest: read {:#x} from a user page: SMAP is off", value);
}

/// Run code in a user page from the kernel: SMEP must turn it into an oops.
#[inline(never)]
pub fn selftest_smep() {
    let page = map_user_page();
    pr_info!(
        "selftest: calling user address {:#x} from the kernel",
        USER_PAGE
    );
    // SAFETY: not safe at all: with SMEP this call faults, as it must;
    // without, it runs the page's single `ret`.
    let code: extern "C" fn() = unsafe { core::mem::transmute(page) };
    code();
    pr_err!("selftest: ran a user page: SMEP is off");
}
