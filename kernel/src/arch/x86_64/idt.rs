//! The interrupt descriptor table (Linux: arch/x86/kernel/idt.c).
//!
//! All 256 vectors point at the stubs of entry.S, 16 bytes apart. Every
//! vector has an interrupt stack (see entry.S for why): double fault, NMI
//! and machine check have one each, everything else shares the fourth.

use x86_64::structures::idt::InterruptDescriptorTable;
use x86_64::VirtAddr;

/// IST slots (1-based in the hardware, 0-based in the TSS array).
const IST_DOUBLE_FAULT: u16 = 0;
const IST_NMI: u16 = 1;
const IST_MCE: u16 = 2;
const IST_COMMON: u16 = 3;

const STUB_SIZE: u64 = 16;

extern "C" {
    static vector_stubs: u8;
    static vector_stubs_end: u8;
}

static mut IDT: InterruptDescriptorTable = InterruptDescriptorTable::new();

fn stub_addr(vector: u8) -> VirtAddr {
    let base = core::ptr::addr_of!(vector_stubs) as u64;
    VirtAddr::new(base + vector as u64 * STUB_SIZE)
}

/// Fill the IDT and load it. Called once on the boot CPU; other CPUs
/// share the same table and only need to load it.
pub fn init() {
    let (start, end) = (core::ptr::addr_of!(vector_stubs), core::ptr::addr_of!(vector_stubs_end));
    assert_eq!(end as u64 - start as u64, 256 * STUB_SIZE, "entry stubs are not 16 bytes each");

    // SAFETY: runs once before interrupts are enabled; nothing else holds the IDT.
    let idt = unsafe { &mut *core::ptr::addr_of_mut!(IDT) };
    // SAFETY: each address is an entry stub that builds a TrapFrame and irets.
    unsafe {
        idt.divide_error.set_handler_addr(stub_addr(0)).set_stack_index(IST_COMMON);
        idt.debug.set_handler_addr(stub_addr(1)).set_stack_index(IST_COMMON);
        idt.non_maskable_interrupt.set_handler_addr(stub_addr(2)).set_stack_index(IST_NMI);
        idt.breakpoint.set_handler_addr(stub_addr(3)).set_stack_index(IST_COMMON);
        idt.overflow.set_handler_addr(stub_addr(4)).set_stack_index(IST_COMMON);
        idt.bound_range_exceeded.set_handler_addr(stub_addr(5)).set_stack_index(IST_COMMON);
        idt.invalid_opcode.set_handler_addr(stub_addr(6)).set_stack_index(IST_COMMON);
        idt.device_not_available.set_handler_addr(stub_addr(7)).set_stack_index(IST_COMMON);
        idt.double_fault.set_handler_addr(stub_addr(8)).set_stack_index(IST_DOUBLE_FAULT);
        idt.invalid_tss.set_handler_addr(stub_addr(10)).set_stack_index(IST_COMMON);
        idt.segment_not_present.set_handler_addr(stub_addr(11)).set_stack_index(IST_COMMON);
        idt.stack_segment_fault.set_handler_addr(stub_addr(12)).set_stack_index(IST_COMMON);
        idt.general_protection_fault.set_handler_addr(stub_addr(13)).set_stack_index(IST_COMMON);
        idt.page_fault.set_handler_addr(stub_addr(14)).set_stack_index(IST_COMMON);
        idt.x87_floating_point.set_handler_addr(stub_addr(16)).set_stack_index(IST_COMMON);
        idt.alignment_check.set_handler_addr(stub_addr(17)).set_stack_index(IST_COMMON);
        idt.machine_check.set_handler_addr(stub_addr(18)).set_stack_index(IST_MCE);
        idt.simd_floating_point.set_handler_addr(stub_addr(19)).set_stack_index(IST_COMMON);
        idt.virtualization.set_handler_addr(stub_addr(20)).set_stack_index(IST_COMMON);
        idt.cp_protection_exception.set_handler_addr(stub_addr(21)).set_stack_index(IST_COMMON);
        idt.hv_injection_exception.set_handler_addr(stub_addr(28)).set_stack_index(IST_COMMON);
        idt.vmm_communication_exception
            .set_handler_addr(stub_addr(29))
            .set_stack_index(IST_COMMON);
        idt.security_exception.set_handler_addr(stub_addr(30)).set_stack_index(IST_COMMON);
        for vector in 32..=255u8 {
            idt[vector].set_handler_addr(stub_addr(vector)).set_stack_index(IST_COMMON);
        }
    }
    load();
}

/// Load the shared IDT on the calling CPU.
pub fn load() {
    // SAFETY: the IDT is a static filled by init() and never moved.
    unsafe { (*core::ptr::addr_of!(IDT)).load_unsafe() };
}
