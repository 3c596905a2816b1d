//! Finding the CPUs from the ACPI MADT (Linux: arch/x86/kernel/acpi/boot.c).
//!
//! The tables are parsed by the `acpi` crate; this file only maps them
//! (through the boot direct map of the first 4 GiB, so it runs before
//! paging_init) and counts the enabled local APICs. The RSDP comes from
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

/// CPUs the firmware lists as usable.
pub struct CpuCount {
    pub enabled: u32,
    pub first_apic_ids: [u32; 8],
}

/// Count the enabled processors in the MADT; None without ACPI.
pub fn count_cpus(rsdp: Option<u64>) -> Option<CpuCount> {
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
    let mut count = CpuCount {
        enabled: 0,
        first_apic_ids: [0; 8],
    };
    for entry in madt.get().entries() {
        let (apic_id, flags) = match entry {
            MadtEntry::LocalApic(e) => (e.apic_id as u32, e.flags),
            MadtEntry::LocalX2Apic(e) => (e.x2apic_id, e.flags),
            _ => continue,
        };
        if flags & 1 != 0 {
            if let Some(slot) = count.first_apic_ids.get_mut(count.enabled as usize) {
                *slot = apic_id;
            }
            count.enabled += 1;
        }
    }
    pr_info!("ACPI: MADT lists {} enabled CPUs", count.enabled);
    Some(count)
}
