//! Switching between tasks (Linux: arch/x86/kernel/process_64.c
//! __switch_to, arch/x86/entry/entry_64.S __switch_to_asm, ret_from_fork).
//!
//! A task that is not running has, on its kernel stack, the callee-saved
//! registers, its whole FPU state and a return address pushed by
//! switch_to. A new task gets a hand-made copy of that frame whose return
//! address is ret_from_fork, with RBX pointing at the user registers it
//! will start with.
//!
//! Below every TrapFrame lies a 512-byte area in FXSAVE's layout. An
//! interrupt or exception fills it with FXSAVE; the system-call entry
//! stores only MXCSR and XMM0-15 there (the x87 registers stay live, as
//! the kernel never uses them), and the return path loads the same, unless
//! the kernel has put a whole image there (`FX_FULL`), which it then loads
//! with FXRSTOR.

use core::arch::x86_64::{_fxrstor64, _fxsave64};

use super::traps::TrapFrame;

extern "C" {
    fn switch_to(prev_rsp: *mut u64, next_rsp: u64);
    fn ret_from_fork();
    fn ret_from_kthread();
}

/// Bytes of an FXSAVE image.
pub const FPU_STATE_SIZE: usize = 512;

/// Places in an FXSAVE image (entry.S names the same ones): MXCSR, XMM0-15,
/// and a byte FXSAVE leaves to software, set when the area below a
/// system call's frame holds a whole image.
const FX_MXCSR: core::ops::Range<usize> = 24..28;
const FX_XMM: core::ops::Range<usize> = 160..416;
const FX_FULL: usize = 464;

/// The bytes switch_to keeps an FXSAVE image in (entry.S SWITCH_FPU).
const SWITCH_FPU: u64 = 520;

/// The vector number entry.S gives a system call's frame.
const SYSCALL_VECTOR: u64 = 0x100;

#[repr(C, align(16))]
pub struct FpuState(pub [u8; FPU_STATE_SIZE]);

/// A clean FPU/SSE state (after FNINIT, default MXCSR), for new programs.
pub fn clean_fpu_state() -> FpuState {
    let mut state = FpuState([0; FPU_STATE_SIZE]);
    let mut saved = FpuState([0; FPU_STATE_SIZE]);
    // SAFETY: both buffers are 16-byte aligned and 512 bytes, as FXSAVE
    // needs; the kernel's own FPU state is put back before returning.
    unsafe {
        _fxsave64(saved.0.as_mut_ptr());
        core::arch::asm!("fninit", options(nomem, nostack));
        _fxsave64(state.0.as_mut_ptr());
        _fxrstor64(saved.0.as_ptr());
    }
    // MXCSR (bytes 24..28): all exceptions masked, as Linux starts a task.
    state.0[24..28].copy_from_slice(&0x1f80u32.to_le_bytes());
    state
}

/// Lay out a new task's kernel stack so that the first switch to it
/// returns to user mode with `frame` and `fpu`; the task's saved RSP.
pub fn prepare_new_stack(kstack_top: u64, frame: &TrapFrame, fpu: &FpuState) -> u64 {
    let frame_addr = kstack_top - core::mem::size_of::<TrapFrame>() as u64;
    let fpu_addr = frame_addr - FPU_STATE_SIZE as u64;
    let switch_frame = [0, 0, 0, 0, 0, frame_addr, ret_from_fork as *const () as u64];
    let regs = fpu_addr - (switch_frame.len() * 8) as u64;
    let rsp = regs - SWITCH_FPU;
    // SAFETY: the stack is this new task's own, not yet running, and large
    // enough for these 1256 bytes at its top; the two FPU images are
    // 16-byte aligned, as FXRSTOR wants.
    unsafe {
        core::ptr::copy_nonoverlapping(frame, frame_addr as *mut TrapFrame, 1);
        core::ptr::copy_nonoverlapping(fpu.0.as_ptr(), fpu_addr as *mut u8, FPU_STATE_SIZE);
        *((fpu_addr as usize + FX_FULL) as *mut u8) = 1;
        core::ptr::copy_nonoverlapping(fpu.0.as_ptr(), rsp as *mut u8, FPU_STATE_SIZE);
        core::ptr::copy_nonoverlapping(switch_frame.as_ptr(), regs as *mut u64, switch_frame.len());
    }
    rsp
}

/// Lay out a kernel thread's stack so that the first switch to it calls
/// `entry(arg)` with interrupts on (Linux: ret_from_fork's kernel-thread
/// branch); the task's saved RSP. RBX carries the function and R12 the
/// argument through switch_to.
pub fn prepare_kthread_stack(kstack_top: u64, entry: extern "C" fn(u64) -> !, arg: u64) -> u64 {
    // [r15, r14, r13, r12, rbp, rbx, return address]; once popped, RSP is
    // 16-aligned for the call, as the ABI wants.
    let switch_frame = [
        0,
        0,
        0,
        arg,
        0,
        entry as *const () as u64,
        ret_from_kthread as *const () as u64,
    ];
    let regs = (kstack_top & !15) - 72;
    let rsp = regs - SWITCH_FPU;
    let fpu = clean_fpu_state();
    // SAFETY: the stack is the new thread's own, not yet running, with room
    // for these 576 bytes below its top; the image is 16-byte aligned.
    unsafe {
        core::ptr::copy_nonoverlapping(fpu.0.as_ptr(), rsp as *mut u8, FPU_STATE_SIZE);
        core::ptr::copy_nonoverlapping(switch_frame.as_ptr(), regs as *mut u64, switch_frame.len())
    };
    rsp
}

/// The user FPU state of the task whose entry made `frame`, as one FXSAVE
/// image (for a signal frame, or a child's first run).
pub fn saved_fpu_state(frame: &TrapFrame) -> FpuState {
    let mut state = FpuState([0; FPU_STATE_SIZE]);
    let addr = frame as *const TrapFrame as u64 - FPU_STATE_SIZE as u64;
    // SAFETY: entry.S keeps 512 bytes of FPU state right below the frame.
    let area = unsafe { core::slice::from_raw_parts(addr as *const u8, FPU_STATE_SIZE) };
    if frame.vector == SYSCALL_VECTOR && area[FX_FULL] == 0 {
        // The x87 part is still in the registers: the task's own, since
        // switch_to puts it back; the SSE part is in the area.
        // SAFETY: a 16-byte aligned 512-byte buffer, as FXSAVE needs.
        unsafe { _fxsave64(state.0.as_mut_ptr()) };
        state.0[FX_MXCSR].copy_from_slice(&area[FX_MXCSR]);
        state.0[FX_XMM].copy_from_slice(&area[FX_XMM]);
    } else {
        state.0.copy_from_slice(area);
    }
    state.0[FX_FULL..].fill(0);
    state
}

/// Replace the FPU state the task returns to user mode with (execve starts
/// clean, a signal handler too, rt_sigreturn restores the saved one).
pub fn set_saved_fpu_state(frame: &mut TrapFrame, fpu: &FpuState) {
    let addr = frame as *mut TrapFrame as u64 - FPU_STATE_SIZE as u64;
    // SAFETY: as in saved_fpu_state; the frame is the current task's.
    unsafe {
        core::ptr::copy_nonoverlapping(fpu.0.as_ptr(), addr as *mut u8, FPU_STATE_SIZE);
        *((addr as usize + FX_FULL) as *mut u8) = 1;
    }
}

/// Switch from the current kernel stack to `next_rsp`, saving ours into
/// `prev_rsp`. Interrupts must be off.
pub fn context_switch(prev_rsp: *mut u64, next_rsp: u64) {
    // SAFETY: next_rsp was saved by switch_to or made by prepare_new_stack;
    // prev_rsp points into the previous task, which outlives the switch.
    unsafe { switch_to(prev_rsp, next_rsp) };
}
