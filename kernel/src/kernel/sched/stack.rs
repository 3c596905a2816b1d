//! Kernel stack overflow detection (Linux: STACK_END_MAGIC,
//! set_task_stack_end_magic and the check in schedule_debug).
//!
//! A kernel stack has no guard page below it: a task that overflows it
//! writes over whatever memory lies there, silently. So the lowest word of
//! every kernel stack holds a magic number, written when the stack is made,
//! and each switch away from a task checks that it is still there; an
//! overflow that reached the bottom stops the kernel with Linux's message
//! instead of corrupting memory further.

use crate::kernel::task::Task;

/// Linux's value.
const STACK_END_MAGIC: u64 = 0x57AC_6E9D;

extern "C" {
    /// The boot CPU's stack (head.S), which the idle task keeps.
    static boot_stack: u8;
}

/// Mark the bottom of a stack whose lowest byte is at `bottom`.
pub fn set_end_magic(bottom: u64) {
    // SAFETY: the caller owns the stack; its lowest word is never used
    // but by an overflow.
    unsafe { core::ptr::write_volatile(bottom as *mut u64, STACK_END_MAGIC) }
}

/// Mark the boot stack, first thing at boot.
pub fn mark_boot_stack() {
    set_end_magic(boot_stack_bottom());
}

fn boot_stack_bottom() -> u64 {
    core::ptr::addr_of!(boot_stack) as u64
}

/// Is the magic at the bottom of `task`'s kernel stack intact?
pub fn end_intact(task: &Task) -> bool {
    let bottom = if task.kstack_pfn == 0 {
        boot_stack_bottom()
    } else {
        crate::arch::mm::phys_to_virt(task.kstack_pfn * crate::arch::mm::PAGE_SIZE)
    };
    // SAFETY: the stack is the task's, mapped while the task exists.
    unsafe { core::ptr::read_volatile(bottom as *const u64) == STACK_END_MAGIC }
}
