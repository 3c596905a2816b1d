//! The signal frame (Linux: arch/x86/kernel/signal.c get_sigframe,
//! signal_64.c setup_rt_frame and rt_sigreturn): struct rt_sigframe on the
//! user stack, or on the alternate stack for an SA_ONSTACK handler, so that
//! the C library's restorer can call rt_sigreturn to resume where the task
//! was interrupted.

use ::signal::{AltStack, SigFields, SigInfo};
use linux_raw_sys::general::{MINSIGSTKSZ, SA_ONSTACK, SA_RESTORER};

use super::{SigAction, SIGSEGV, UNBLOCKABLE};
use crate::arch::gdt::{USER_CS, USER_DS};
use crate::arch::switch;
use crate::arch::traps::TrapFrame;
use crate::kernel::exit::do_group_exit;
use crate::kernel::task::{with_current, with_current_mm, Task};
use crate::mm::uaccess;
use crate::pr_info;

/// Bytes of Linux's x86_64 struct rt_sigframe: the restorer address,
/// struct ucontext (304) and siginfo (128).
const FRAME_SIZE: u64 = 8 + UCONTEXT_SIZE + 128;
const UCONTEXT_SIZE: u64 = 304;
/// Offset of uc_stack (a stack_t) inside the ucontext.
const STACK: usize = 16;
/// Offset of uc_mcontext (struct sigcontext) inside the ucontext.
const MCONTEXT: usize = 40;
/// Offset of uc_sigmask inside the ucontext.
const SIGMASK: usize = MCONTEXT + 256;
/// RFLAGS bits a signal handler may change (Linux: FIX_EFLAGS).
const FIX_EFLAGS: u64 = 0x40dd5;

/// The general registers in struct sigcontext's order.
fn sigcontext_regs(f: &TrapFrame) -> [u64; 18] {
    [
        f.r8, f.r9, f.r10, f.r11, f.r12, f.r13, f.r14, f.r15, f.rdi, f.rsi, f.rbp, f.rbx, f.rdx,
        f.rax, f.rcx, f.rsp, f.rip, f.rflags,
    ]
}

/// Build the frame for a handler of `sig` that saves `old_mask`, and point
/// the task at the handler (Linux: setup_rt_frame). False if there is no
/// restorer or no room for the frame.
pub(super) fn setup_rt_frame(
    frame: &mut TrapFrame,
    sig: u64,
    info: &SigInfo,
    a: &SigAction,
    old_mask: u64,
) -> bool {
    if !a.has(SA_RESTORER) {
        return false;
    }
    let ss = with_current(|t| t.signals.altstack);
    let (top, on_altstack) = ss.frame_top(frame.rsp, a.has(SA_ONSTACK));
    let fp_addr = (top.wrapping_sub(switch::FPU_STATE_SIZE as u64)) & !63;
    let frame_addr = (fp_addr.wrapping_sub(FRAME_SIZE) & !15).wrapping_sub(8);
    if on_altstack && !ss.contains(frame_addr) {
        let (pid, comm) = with_current(|t| (t.pid, t.comm));
        pr_info!("{}[{}] overflowed sigaltstack", Task::comm_str(&comm), pid);
        return false;
    }

    let mut bytes = [0u8; FRAME_SIZE as usize];
    let put = |b: &mut [u8], at: usize, v: u64| b[at..at + 8].copy_from_slice(&v.to_le_bytes());
    put(&mut bytes, 0, a.restorer);
    let uc = 8;
    bytes[uc + STACK..uc + STACK + 24].copy_from_slice(&ss.to_bytes());
    let mc = uc + MCONTEXT;
    for (i, v) in sigcontext_regs(frame).iter().enumerate() {
        put(&mut bytes, mc + i * 8, *v);
    }
    let segs = (USER_CS as u64) | ((USER_DS as u64) << 48);
    put(&mut bytes, mc + 18 * 8, segs);
    put(&mut bytes, mc + 21 * 8, old_mask);
    let cr2 = match info.fields {
        SigFields::Fault { addr } => addr,
        _ => 0,
    };
    put(&mut bytes, mc + 22 * 8, cr2);
    put(&mut bytes, mc + 23 * 8, fp_addr);
    put(&mut bytes, uc + SIGMASK, old_mask);
    let at = 8 + UCONTEXT_SIZE as usize;
    bytes[at..].copy_from_slice(&info.to_bytes());

    let fpu = switch::saved_fpu_state(frame);
    let written = with_current_mm(|mm| {
        mm.copy_to_user(fp_addr, &fpu.0)
            .and_then(|()| mm.copy_to_user(frame_addr, &bytes))
    });
    if written.is_err() {
        return false;
    }
    frame.rsp = frame_addr;
    frame.rip = a.handler;
    frame.rdi = sig;
    frame.rsi = frame_addr + at as u64;
    frame.rdx = frame_addr + uc as u64;
    frame.rax = 0;
    // The handler starts with the direction and trap flags clear and a
    // clean FPU state, as on Linux.
    frame.rflags &= !(0x400 | 0x100);
    switch::set_saved_fpu_state(frame, &switch::clean_fpu_state());
    true
}

/// rt_sigreturn(2): resume from the frame the handler returned through.
pub fn sys_rt_sigreturn(frame: &mut TrapFrame) -> i64 {
    let uc_addr = frame.rsp;
    let mut uc = [0u8; UCONTEXT_SIZE as usize];
    if uaccess::copy_from_user(&mut uc, uc_addr).is_err() {
        do_group_exit(SIGSEGV as u32);
    }
    let word = |at: usize| u64::from_le_bytes(uc[at..at + 8].try_into().expect("8"));
    let r: [u64; 18] = core::array::from_fn(|i| word(MCONTEXT + i * 8));
    let fp_addr = word(MCONTEXT + 23 * 8);
    let mask = word(SIGMASK);
    let stack: [u8; 24] = uc[STACK..STACK + 24].try_into().expect("24 bytes");
    let mut fpu = switch::FpuState([0; switch::FPU_STATE_SIZE]);
    if fp_addr != 0 && uaccess::copy_from_user(&mut fpu.0, fp_addr).is_ok() {
        // MXCSR reserved bits would fault FXRSTOR in the kernel: keep the
        // valid ones only.
        let mxcsr = u32::from_le_bytes(fpu.0[24..28].try_into().expect("4")) & 0xffbf;
        fpu.0[24..28].copy_from_slice(&mxcsr.to_le_bytes());
        switch::set_saved_fpu_state(frame, &fpu);
    }
    frame.r8 = r[0];
    frame.r9 = r[1];
    frame.r10 = r[2];
    frame.r11 = r[3];
    frame.r12 = r[4];
    frame.r13 = r[5];
    frame.r14 = r[6];
    frame.r15 = r[7];
    frame.rdi = r[8];
    frame.rsi = r[9];
    frame.rbp = r[10];
    frame.rbx = r[11];
    frame.rdx = r[12];
    frame.rcx = r[14];
    frame.rsp = r[15];
    frame.rip = r[16];
    frame.rflags = (frame.rflags & !FIX_EFLAGS) | (r[17] & FIX_EFLAGS);
    frame.cs = USER_CS as u64;
    frame.ss = USER_DS as u64;
    with_current(|t| {
        t.signals.blocked = mask & !UNBLOCKABLE;
        // The alternate stack as the frame holds it (a handler may have
        // changed it there), unless the frame is on it: judged from where
        // the handler returned, as Linux does; a refusal is not an error.
        let _ = t
            .signals
            .altstack
            .set(AltStack::from_bytes(&stack), uc_addr, MINSIGSTKSZ as u64);
        // A call interrupted before the handler is not restarted after it.
        t.signals.restart = None;
    });
    r[13] as i64
}
