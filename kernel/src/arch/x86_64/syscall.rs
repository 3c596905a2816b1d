//! System calls and the way into user mode (Linux: arch/x86/kernel/cpu/
//! common.c syscall_init, arch/x86/entry/common.c do_syscall_64,
//! arch/x86/kernel/process_64.c start_thread).
//!
//! SYSCALL jumps to entry_SYSCALL_64 (entry.S) with the kernel code
//! segment from STAR, interrupts masked by FMASK. The entry saves a
//! TrapFrame; syscall_dispatch() reads Linux's registers from it (number
//! in RAX, arguments in RDI, RSI, RDX, R10, R8, R9) and puts the result
//! back in RAX.

use x86_64::registers::model_specific::{Efer, EferFlags, LStar, SFMask, Star};
use x86_64::registers::rflags::RFlags;
use x86_64::VirtAddr;

use super::gdt::{KERNEL_CS, KERNEL_DS, USER_CS, USER_DS};
use super::traps::TrapFrame;

extern "C" {
    fn entry_SYSCALL_64();
}

/// Program the SYSCALL MSRs on this CPU.
pub fn init() {
    let user_cs = x86_64::structures::gdt::SegmentSelector(USER_CS);
    let user_ss = x86_64::structures::gdt::SegmentSelector(USER_DS);
    let kernel_cs = x86_64::structures::gdt::SegmentSelector(KERNEL_CS);
    let kernel_ss = x86_64::structures::gdt::SegmentSelector(KERNEL_DS);
    Star::write(user_cs, user_ss, kernel_cs, kernel_ss)
        .expect("the GDT layout is the one SYSCALL/SYSRET require");
    LStar::write(VirtAddr::new(entry_SYSCALL_64 as *const () as u64));
    // Linux masks the same flags: no interrupts, direction up, no trap,
    // no alignment checks, no nested task until the entry code is ready.
    SFMask::write(
        RFlags::INTERRUPT_FLAG
            | RFlags::DIRECTION_FLAG
            | RFlags::TRAP_FLAG
            | RFlags::ALIGNMENT_CHECK
            | RFlags::NESTED_TASK
            | RFlags::IOPL_HIGH
            | RFlags::IOPL_LOW,
    );
    // SAFETY: enabling SYSCALL changes nothing for code already running.
    unsafe { Efer::update(|f| f.insert(EferFlags::SYSTEM_CALL_EXTENSIONS)) };
}

/// The six arguments of a system call, in Linux's register order.
pub fn syscall_args(frame: &TrapFrame) -> [u64; 6] {
    [
        frame.rdi, frame.rsi, frame.rdx, frame.r10, frame.r8, frame.r9,
    ]
}

#[no_mangle]
extern "C" fn syscall_dispatch(frame: &mut TrapFrame) {
    x86_64::instructions::interrupts::enable();
    let number = frame.rax;
    frame.rax = crate::kernel::sys::dispatch(frame) as u64;
    // rt_sigreturn restored a frame: no restart logic applies to it.
    let in_syscall = number != linux_raw_sys::general::__NR_rt_sigreturn as u64;
    // The look for work before the return runs with interrupts off, as
    // Linux's exit_to_user_mode does: the task lock it takes then toggles
    // no interrupt flag (under QEMU, an STI or a POPF ends a translation
    // block), which makes a null system call about 15% faster.
    x86_64::instructions::interrupts::disable();
    if crate::kernel::sched::need_resched() || crate::kernel::signal::signal_work(frame, in_syscall)
    {
        x86_64::instructions::interrupts::enable();
        crate::kernel::sched::preempt_on_return_to_user();
        crate::kernel::signal::do_signal(frame, in_syscall);
        x86_64::instructions::interrupts::disable();
    }
}

/// The user registers a new program starts with (Linux: start_thread).
pub fn user_entry_frame(entry: u64, rsp: u64) -> TrapFrame {
    TrapFrame {
        r15: 0,
        r14: 0,
        r13: 0,
        r12: 0,
        r11: 0,
        r10: 0,
        r9: 0,
        r8: 0,
        rbx: 0,
        rbp: 0,
        rdi: 0,
        rsi: 0,
        rdx: 0,
        rcx: 0,
        rax: 0,
        vector: 0,
        error_code: 0,
        rip: entry,
        cs: USER_CS as u64,
        rflags: RFlags::INTERRUPT_FLAG.bits() | 0x2,
        rsp,
        ss: USER_DS as u64,
    }
}
