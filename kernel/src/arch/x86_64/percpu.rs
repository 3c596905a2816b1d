//! Per-CPU data reached through the GS base (Linux: arch/x86/kernel/setup_percpu.c).
//!
//! Each CPU owns one `PerCpu` block. Its first word points to itself, so
//! `mov %gs:0` yields the block's address from any code on that CPU; the
//! fixed offsets below are also used by the assembly entry code. The boot
//! CPU's block is static; blocks for other CPUs will come from the page
//! allocator when they are brought up.

use core::sync::atomic::AtomicU64;

use x86_64::registers::model_specific::{GsBase, KernelGsBase};
use x86_64::structures::gdt::GlobalDescriptorTable;
use x86_64::structures::tss::TaskStateSegment;
use x86_64::VirtAddr;

use super::gdt::GDT_ENTRIES;

/// Size of each interrupt stack (IST), like Linux's EXCEPTION_STKSZ order.
pub const IST_STACK_SIZE: usize = 16 * 1024;
/// Interrupt stack table slots; see idt.rs for which vector uses which.
pub const IST_COUNT: usize = 4;

#[repr(C, align(16))]
pub struct IstStack(pub [u8; IST_STACK_SIZE]);

#[repr(C)]
pub struct PerCpu {
    /// Offset 0: the block's own address (read as %gs:0).
    pub self_ptr: u64,
    /// Offset 8: the kernel stack top used when entering from user mode.
    pub kernel_stack_top: AtomicU64,
    /// Offset 16: scratch slot for the user RSP on system-call entry.
    pub user_rsp_scratch: AtomicU64,
    /// Local timer interrupts taken (Linux: irq_stat.apic_timer_irqs).
    pub apic_timer_irqs: AtomicU64,
    /// Page faults of the running task not yet added to it (cputime.rs).
    pub min_flt: AtomicU64,
    pub cpu_id: u32,
    pub apic_id: u32,
    pub tss: TaskStateSegment,
    pub gdt: GlobalDescriptorTable<GDT_ENTRIES>,
    pub ist_stacks: [IstStack; IST_COUNT],
}

const _: () = assert!(core::mem::offset_of!(PerCpu, kernel_stack_top) == 8);
const _: () = assert!(core::mem::offset_of!(PerCpu, user_rsp_scratch) == 16);

/// The boot CPU's block. It is only written before GS points at it.
static mut BSP_PERCPU: PerCpu = PerCpu {
    self_ptr: 0,
    kernel_stack_top: AtomicU64::new(0),
    user_rsp_scratch: AtomicU64::new(0),
    apic_timer_irqs: AtomicU64::new(0),
    min_flt: AtomicU64::new(0),
    cpu_id: 0,
    apic_id: 0,
    tss: TaskStateSegment::new(),
    gdt: GlobalDescriptorTable::empty(),
    ist_stacks: [const { IstStack([0; IST_STACK_SIZE]) }; IST_COUNT],
};

/// Set up the boot CPU's block and point GS at it. Called once, early.
pub fn init_boot_cpu() -> &'static mut PerCpu {
    // SAFETY: called once on the boot CPU before any other user of the block.
    let pcpu = unsafe { &mut *core::ptr::addr_of_mut!(BSP_PERCPU) };
    pcpu.self_ptr = pcpu as *mut PerCpu as u64;
    GsBase::write(VirtAddr::new(pcpu.self_ptr));
    KernelGsBase::write(VirtAddr::new(0));
    pcpu
}

/// This CPU's block.
pub fn this_cpu() -> &'static PerCpu {
    let addr: u64;
    // SAFETY: GS points at this CPU's PerCpu from init_boot_cpu on.
    unsafe {
        core::arch::asm!(
            "mov {}, gs:[0]",
            out(reg) addr,
            options(nostack, readonly, preserves_flags)
        );
    }
    // SAFETY: the self pointer is set before GS is loaded and never changes.
    unsafe { &*(addr as *const PerCpu) }
}

pub fn smp_processor_id() -> u32 {
    if GsBase::read().as_u64() == 0 {
        return 0;
    }
    this_cpu().cpu_id
}

/// The CPU-local services the slab allocator's per-CPU object stocks need
/// (Linux: smp_processor_id, local_irq_save/restore, on_each_cpu).
pub struct KernelCpu;

// SAFETY: cpu_id reads this CPU's own block, whose number never changes;
// irq_save leaves interrupts off until the matching irq_restore, so no
// interrupt handler runs slab code on this CPU in between; both are asm
// blocks without `nomem`, so they are compiler barriers. Only the boot
// CPU runs, so on_each_cpu calls f(0) here with interrupts off.
unsafe impl slub::CpuLocal for KernelCpu {
    type IrqFlags = bool;

    fn cpu_id() -> usize {
        this_cpu().cpu_id as usize
    }

    fn irq_save() -> bool {
        let rflags: u64;
        // SAFETY: reads RFLAGS and clears IF; the stack use is balanced.
        unsafe { core::arch::asm!("pushfq", "pop {}", "cli", out(reg) rflags) };
        rflags & (1 << 9) != 0
    }

    fn irq_restore(were_enabled: bool) {
        if were_enabled {
            // SAFETY: interrupts were on before the matching irq_save.
            unsafe { core::arch::asm!("sti") };
        }
    }

    fn on_each_cpu(f: &(dyn Fn(usize) + Sync)) {
        let flags = Self::irq_save();
        f(0);
        Self::irq_restore(flags);
    }
}
