//! The interrupt descriptor table (Linux: arch/x86/kernel/idt.c).
//!
//! All 256 vectors are interrupt gates (interrupts stay off on entry) that
//! point at the stubs of entry.S, 16 bytes apart. Every vector has an
//! interrupt stack (see entry.S for why): double fault, NMI and machine
//! check have one each, everything else shares the fourth.

use x86_64::instructions::tables::lidt;
use x86_64::structures::DescriptorTablePointer;
use x86_64::VirtAddr;

use super::gdt::KERNEL_CS;

/// IST slots, 1-based as the gate descriptor counts them.
const IST_DOUBLE_FAULT: u8 = 1;
const IST_NMI: u8 = 2;
const IST_MCE: u8 = 3;
const IST_COMMON: u8 = 4;

const STUB_SIZE: u64 = 16;
/// Present, DPL 0, 64-bit interrupt gate.
const GATE_INTERRUPT: u8 = 0x8e;
/// The same with DPL 3: user code may raise it with `int N` (Linux's
/// system gates: int3 and into, so that debuggers' breakpoints trap).
const GATE_USER: u8 = 0xee;

/// One 16-byte gate descriptor.
#[derive(Clone, Copy)]
#[repr(C)]
struct Gate {
    offset_low: u16,
    selector: u16,
    ist: u8,
    type_attr: u8,
    offset_mid: u16,
    offset_high: u32,
    reserved: u32,
}

impl Gate {
    const EMPTY: Gate = Gate {
        offset_low: 0,
        selector: 0,
        ist: 0,
        type_attr: 0,
        offset_mid: 0,
        offset_high: 0,
        reserved: 0,
    };

    fn interrupt(handler: u64, ist: u8, type_attr: u8) -> Gate {
        Gate {
            offset_low: handler as u16,
            selector: KERNEL_CS,
            ist,
            type_attr,
            offset_mid: (handler >> 16) as u16,
            offset_high: (handler >> 32) as u32,
            reserved: 0,
        }
    }
}

#[repr(C, align(16))]
struct Idt([Gate; 256]);

static mut IDT: Idt = Idt([Gate::EMPTY; 256]);

extern "C" {
    static vector_stubs: u8;
    static vector_stubs_end: u8;
}

fn ist_for(vector: usize) -> u8 {
    match vector {
        2 => IST_NMI,
        8 => IST_DOUBLE_FAULT,
        18 => IST_MCE,
        _ => IST_COMMON,
    }
}

/// Fill the IDT and load it. Called once on the boot CPU; other CPUs
/// share the same table and only need to load it.
pub fn init() {
    let start = core::ptr::addr_of!(vector_stubs) as u64;
    let end = core::ptr::addr_of!(vector_stubs_end) as u64;
    assert_eq!(
        end - start,
        256 * STUB_SIZE,
        "entry stubs are not 16 bytes each"
    );

    // SAFETY: runs once on the boot CPU before interrupts are enabled;
    // nothing else holds the table yet.
    let idt = unsafe { &mut *core::ptr::addr_of_mut!(IDT) };
    for (vector, gate) in idt.0.iter_mut().enumerate() {
        let type_attr = match vector {
            3 | 4 => GATE_USER,
            _ => GATE_INTERRUPT,
        };
        *gate = Gate::interrupt(
            start + vector as u64 * STUB_SIZE,
            ist_for(vector),
            type_attr,
        );
    }
    load();
}

/// Load the shared IDT on the calling CPU.
pub fn load() {
    let ptr = DescriptorTablePointer {
        limit: (core::mem::size_of::<Idt>() - 1) as u16,
        base: VirtAddr::new(core::ptr::addr_of!(IDT) as u64),
    };
    // SAFETY: the IDT is a static that is filled before use and never moves.
    unsafe { lidt(&ptr) };
}
