//! Device interrupts (Linux: kernel/irq/manage.c's request_irq and
//! arch/x86/kernel/irq.c's common_interrupt): a driver asks for an ISA
//! IRQ line with a handler and a name; the I/O APIC sends the line to the
//! vector Linux gives it, ISA_IRQ_VECTOR(irq) = 0x30 + irq, on the boot
//! CPU; the entry code brings the vector here, which counts it for
//! /proc/interrupts, runs the handler and acknowledges the local APIC.

use core::sync::atomic::{AtomicU64, Ordering};

use spin::Once;

use super::{apic, ioapic};

/// The vector of ISA IRQ 0; IRQ n arrives on this + n.
pub const ISA_IRQ0_VECTOR: u8 = 0x30;
pub const NR_ISA_IRQS: u8 = 16;

/// A line's owner: what runs, its name, and the I/O APIC input it uses.
struct IrqAction {
    handler: fn(),
    name: &'static str,
    gsi: u32,
}

static ACTIONS: [Once<IrqAction>; NR_ISA_IRQS as usize] =
    [const { Once::new() }; NR_ISA_IRQS as usize];
static COUNTS: [AtomicU64; NR_ISA_IRQS as usize] =
    [const { AtomicU64::new(0) }; NR_ISA_IRQS as usize];

/// Why request_irq refused.
#[derive(Debug)]
pub enum IrqError {
    /// Another driver owns the line (Linux: EBUSY).
    Busy,
    /// No I/O APIC input takes it (Linux: EINVAL).
    NoRoute,
}

/// Give ISA IRQ `irq` to `handler`, which runs with interrupts off, named
/// `name` in /proc/interrupts (Linux: request_irq). Lines are not shared.
pub fn request_irq(irq: u8, handler: fn(), name: &'static str) -> Result<(), IrqError> {
    let slot = ACTIONS.get(usize::from(irq)).ok_or(IrqError::NoRoute)?;
    if slot.is_completed() {
        return Err(IrqError::Busy);
    }
    let gsi =
        ioapic::route_isa_irq(irq, ISA_IRQ0_VECTOR + irq, apic::id()).ok_or(IrqError::NoRoute)?;
    slot.call_once(|| IrqAction { handler, name, gsi });
    Ok(())
}

/// An interrupt on `vector`: if it is an ISA line's, count it, run its
/// handler and acknowledge it; false for any other vector.
pub fn handle_irq(vector: u64) -> bool {
    let first = u64::from(ISA_IRQ0_VECTOR);
    if !(first..first + u64::from(NR_ISA_IRQS)).contains(&vector) {
        return false;
    }
    let irq = (vector - first) as usize;
    COUNTS[irq].fetch_add(1, Ordering::Relaxed);
    if let Some(action) = ACTIONS[irq].get() {
        (action.handler)();
    }
    apic::eoi();
    true
}

/// Each requested line: its IRQ, its I/O APIC input, the interrupts taken
/// and its owner's name, for /proc/interrupts.
pub fn lines() -> impl Iterator<Item = (u8, u32, u64, &'static str)> {
    (0..NR_ISA_IRQS).filter_map(|irq| {
        let action = ACTIONS[usize::from(irq)].get()?;
        let count = COUNTS[usize::from(irq)].load(Ordering::Relaxed);
        Some((irq, action.gsi, count, action.name))
    })
}
