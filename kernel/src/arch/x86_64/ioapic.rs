//! The I/O APIC (Linux: arch/x86/kernel/apic/io_apic.c): it takes the
//! chipset's interrupt lines, among them the ISA IRQs of the legacy
//! devices (COM1 is IRQ 4), and sends each to a local APIC as a vector.
//!
//! Its registers are reached through two memory-mapped windows: the index
//! of a register is written to IOREGSEL, its value read or written at
//! IOWIN. Each input (a global system interrupt, GSI) has a 64-bit
//! redirection entry: vector, delivery mode, polarity, trigger mode, mask
//! and destination APIC. An ISA IRQ is the GSI of the same number unless
//! the MADT has an interrupt source override for it.

use spin::{Mutex, Once};

use super::acpi::IoApicInfo;
use crate::pr_info;

const IOREGSEL: usize = 0x00;
const IOWIN: usize = 0x10;

const IOAPICVER: u32 = 0x01;
const IOREDTBL: u32 = 0x10;

const REDIR_LOW_ACTIVE: u64 = 1 << 13;
const REDIR_LEVEL: u64 = 1 << 15;
const REDIR_MASKED: u64 = 1 << 16;

/// The MPS INTI flags of an interrupt source override (ACPI's MADT).
const MPS_POLARITY_MASK: u16 = 0b11;
const MPS_POLARITY_LOW: u16 = 0b11;
const MPS_TRIGGER_MASK: u16 = 0b1100;
const MPS_TRIGGER_LEVEL: u16 = 0b1100;

/// The first I/O APIC, as the MADT describes it.
static INFO: Once<IoApicInfo> = Once::new();

/// The mapped registers and the number of inputs, once init ran.
struct Chip {
    base: u64,
    inputs: u32,
}

static CHIP: Mutex<Option<Chip>> = Mutex::new(None);

impl Chip {
    fn read(&self, reg: u32) -> u32 {
        // SAFETY: base maps the chip's register page uncached (ioremap);
        // the selector and the window are 32-bit registers.
        unsafe {
            core::ptr::write_volatile((self.base as usize + IOREGSEL) as *mut u32, reg);
            core::ptr::read_volatile((self.base as usize + IOWIN) as *const u32)
        }
    }

    fn write(&self, reg: u32, value: u32) {
        // SAFETY: as in read().
        unsafe {
            core::ptr::write_volatile((self.base as usize + IOREGSEL) as *mut u32, reg);
            core::ptr::write_volatile((self.base as usize + IOWIN) as *mut u32, value);
        }
    }

    fn set_entry(&self, input: u32, entry: u64) {
        // The high half (destination) first, so that an unmasked low half
        // never points at a stale destination.
        self.write(IOREDTBL + 2 * input + 1, (entry >> 32) as u32);
        self.write(IOREDTBL + 2 * input, entry as u32);
    }
}

/// Keep what the MADT says about the first I/O APIC, for init.
pub fn record(info: IoApicInfo) {
    INFO.call_once(|| info);
}

/// Map the I/O APIC and mask every input. false without one (no MADT
/// entry, or its page could not be mapped).
pub fn init() -> bool {
    let Some(info) = INFO.get() else {
        return false;
    };
    let Some(base) = crate::mm::vmalloc::ioremap(info.phys, super::mm::PAGE_SIZE) else {
        return false;
    };
    let mut chip = Chip { base, inputs: 0 };
    let version = chip.read(IOAPICVER);
    // The highest redirection entry's index is in bits 16-23.
    let inputs = ((version >> 16) & 0xff) + 1;
    chip.inputs = inputs;
    for input in 0..inputs {
        chip.set_entry(input, REDIR_MASKED);
    }
    pr_info!(
        "IOAPIC[0]: apic_id {}, version {}, address {:#x}, GSI {}-{}",
        info.id,
        version & 0xff,
        info.phys,
        info.gsi_base,
        info.gsi_base + inputs - 1
    );
    *CHIP.lock() = Some(chip);
    true
}

/// The GSI of ISA IRQ `irq` and whether it is level-triggered and active
/// low: ISA lines are edge-triggered and active high unless an override
/// says otherwise.
fn isa_line(info: &IoApicInfo, irq: u8) -> (u32, bool, bool) {
    match info.isa_overrides[usize::from(irq) % 16] {
        Some((gsi, flags)) => (
            gsi,
            flags & MPS_TRIGGER_MASK == MPS_TRIGGER_LEVEL,
            flags & MPS_POLARITY_MASK == MPS_POLARITY_LOW,
        ),
        None => (u32::from(irq), false, false),
    }
}

/// Send ISA IRQ `irq` to `vector` on the local APIC `apic_id`, unmasked.
/// The GSI it arrives on, or None if this I/O APIC has no such input.
pub fn route_isa_irq(irq: u8, vector: u8, apic_id: u32) -> Option<u32> {
    let info = INFO.get()?;
    let guard = CHIP.lock();
    let chip = guard.as_ref()?;
    let (gsi, level, low) = isa_line(info, irq);
    let input = gsi.checked_sub(info.gsi_base)?;
    if input >= chip.inputs {
        return None;
    }
    let mut entry = u64::from(vector) | (u64::from(apic_id) << 56);
    if level {
        entry |= REDIR_LEVEL;
    }
    if low {
        entry |= REDIR_LOW_ACTIVE;
    }
    chip.set_entry(input, entry);
    Some(gsi)
}
