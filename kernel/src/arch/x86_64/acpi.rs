//! Finding the CPUs and the I/O APIC from the ACPI MADT (Linux:
//! arch/x86/kernel/acpi/boot.c).
//!
//! The tables are parsed by the `acpi` crate; this file only maps them
//! (through the boot direct map of the first 4 GiB, so it runs before
//! paging_init), counts the enabled local APICs and notes the first I/O
//! APIC with the ISA interrupts the firmware renumbers. The RSDP comes from
//! the loader (multiboot2 ACPI tags) or, as under BIOS and PVH, from a scan
//! of the BIOS area.

use core::ptr::NonNull;

use acpi::madt::{Madt, MadtEntry};
use acpi::{AcpiHandler, AcpiTables, PhysicalMapping};

use super::mm::PAGE_OFFSET;
use crate::{pr_info, pr_warn};

const BOOT_DIRECT_MAP_END: usize = 4 << 30;

#[derive(Clone)]
struct DirectMap;

impl AcpiHandler for DirectMap {
    unsafe fn map_physical_region<T>(&self, phys: usize, size: usize) -> PhysicalMapping<Self, T> {
        // Firmware tables sit below 4 GiB; anything else is not followed
        // (the pointer is made to fail the crate's signature check instead).
        let phys_ok = phys
            .checked_add(size)
            .is_some_and(|end| end <= BOOT_DIRECT_MAP_END);
        let virt = if phys_ok {
            PAGE_OFFSET as usize + phys
        } else {
            PAGE_OFFSET as usize
        };
        let ptr = NonNull::new(virt as *mut T).expect("the direct map is never at address 0");
        // SAFETY: the boot tables map the first 4 GiB at PAGE_OFFSET.
        unsafe { PhysicalMapping::new(phys, ptr, size, size, self.clone()) }
    }

    fn unmap_physical_region<T>(_region: &PhysicalMapping<Self, T>) {}
}

/// What the MADT says: the CPUs the firmware lists as usable, and the
/// first I/O APIC.
pub struct MadtInfo {
    pub enabled_cpus: u32,
    pub ioapic: Option<IoApicInfo>,
}

/// An I/O APIC: its registers, its first interrupt input (GSI), and for
/// each ISA IRQ the GSI and MPS flags (polarity, trigger) of an interrupt
/// source override, if one renumbers it (as QEMU's timer, IRQ 0 on GSI 2).
#[derive(Clone, Copy, Debug)]
pub struct IoApicInfo {
    pub id: u8,
    pub phys: u64,
    pub gsi_base: u32,
    pub isa_overrides: [Option<(u32, u16)>; 16],
}

/// Read the MADT; None without ACPI.
pub fn read_madt(rsdp: Option<u64>) -> Option<MadtInfo> {
    // SAFETY: the handler maps physical memory through the direct map; the
    // crate checks signatures and checksums before trusting a table.
    let tables = unsafe {
        match rsdp {
            Some(addr) => AcpiTables::from_rsdp(DirectMap, addr as usize),
            None => AcpiTables::search_for_rsdp_bios(DirectMap),
        }
    };
    let tables = match tables {
        Ok(t) => t,
        Err(e) => {
            pr_warn!("ACPI: no usable tables ({:?}); assuming one CPU", e);
            return None;
        }
    };
    let madt = match tables.find_table::<Madt>() {
        Ok(m) => m,
        Err(e) => {
            pr_warn!("ACPI: no MADT ({:?}); assuming one CPU", e);
            return None;
        }
    };
    let mut info = MadtInfo {
        enabled_cpus: 0,
        ioapic: None,
    };
    let mut overrides = [None; 16];
    for entry in madt.get().entries() {
        match entry {
            MadtEntry::LocalApic(e) if e.flags & 1 != 0 => info.enabled_cpus += 1,
            MadtEntry::LocalX2Apic(e) if e.flags & 1 != 0 => info.enabled_cpus += 1,
            MadtEntry::IoApic(e) if info.ioapic.is_none() => {
                info.ioapic = Some(IoApicInfo {
                    id: e.io_apic_id,
                    phys: u64::from(e.io_apic_address),
                    gsi_base: e.global_system_interrupt_base,
                    isa_overrides: [None; 16],
                });
            }
            MadtEntry::InterruptSourceOverride(e) if e.bus == 0 => {
                if let Some(slot) = overrides.get_mut(usize::from(e.irq)) {
                    *slot = Some((e.global_system_interrupt, e.flags));
                }
            }
            _ => {}
        }
    }
    if let Some(ioapic) = info.ioapic.as_mut() {
        ioapic.isa_overrides = overrides;
    }
    pr_info!("ACPI: MADT lists {} enabled CPUs", info.enabled_cpus);
    Some(info)
}
