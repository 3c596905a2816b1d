//! setup_arch: the x86_64 part of the boot (Linux: arch/x86/kernel/setup.c).
//!
//! Reads the boot information into one description, prints the firmware
//! memory map as Linux does, calibrates the TSC, builds the kernel's page
//! tables and starts the local APIC timer.

use bootinfo::{BootInfo, MemoryKind, PhysMem};
use x86_64::registers::control::{Cr4, Cr4Flags};

use super::mm::{self, PAGE_OFFSET};
use super::{apic, cpu, i8259, percpu, tsc};
use crate::kernel::time;
use crate::{pr_err, pr_info, pr_warn};

/// The boot tables of head.S map the first 4 GiB at PAGE_OFFSET.
const BOOT_DIRECT_MAP_END: u64 = 4 << 30;

/// Physical memory as seen through the boot direct map.
struct EarlyPhysMem;

impl PhysMem for EarlyPhysMem {
    fn read(&self, paddr: u64, len: usize) -> Option<&[u8]> {
        let end = paddr.checked_add(len as u64)?;
        if paddr == 0 || end > BOOT_DIRECT_MAP_END {
            return None;
        }
        // SAFETY: the range lies in the first 4 GiB, which the boot tables
        // map at PAGE_OFFSET; the loader's structures are in RAM there.
        Some(unsafe { core::slice::from_raw_parts((PAGE_OFFSET + paddr) as *const u8, len) })
    }
}

static BOOT_INFO: spin::Once<BootInfo> = spin::Once::new();

/// Descriptor tables first: from here on a fault prints an oops.
pub fn early_trap_init() {
    let pcpu = percpu::init_boot_cpu();
    super::gdt::init(pcpu);
    super::idt::init();
    super::syscall::init();
}

/// Parse the loader's information. Without it the memory is unknown, and
/// the boot cannot go on.
pub fn read_boot_info(magic: u32, info_phys: u32) -> &'static BootInfo {
    match bootinfo::parse(magic, info_phys as u64, &EarlyPhysMem) {
        Ok(info) => BOOT_INFO.call_once(|| info),
        Err(e) => {
            pr_err!("boot: cannot read the boot information: {}", e);
            crate::kernel::panic::panic(format_args!("no boot information"), false)
        }
    }
}

/// Stop with a clear message when RAM does not even hold the kernel image:
/// its .bss would lie outside memory.
pub fn check_kernel_fits(info: &BootInfo) {
    let (start, end) = mm::kernel_image_phys_range();
    let fits = info
        .memory_map
        .iter()
        .any(|r| r.kind == MemoryKind::Usable && r.base <= start && r.end() >= end);
    if !fits {
        crate::kernel::panic::panic(
            format_args!(
                "the kernel image [{:#x}-{:#x}] is not in usable RAM: noyau needs at least {} MiB",
                start,
                end - 1,
                end.div_ceil(1 << 20) + 1
            ),
            false,
        );
    }
}

pub fn print_memory_map(info: &BootInfo) {
    pr_info!("BIOS-provided physical RAM map:");
    for region in &info.memory_map {
        pr_info!("BIOS-e820: {}", region);
    }
    if info.truncated {
        pr_warn!(
            "boot: the loader's information did not all fit: command line over {} bytes, \
             or more than {} map entries or {} modules; the rest is ignored",
            bootinfo::CMDLINE_CAP - 1,
            bootinfo::MEMORY_MAP_CAP,
            bootinfo::MODULES_CAP
        );
    }
    pr_info!("Memory: {}K usable RAM", info.usable_bytes() / 1024);
}

/// End of the highest RAM or ACPI region: how far the direct map reaches.
fn ram_end(info: &BootInfo) -> u64 {
    info.memory_map
        .iter()
        .filter(|r| {
            matches!(
                r.kind,
                MemoryKind::Usable | MemoryKind::AcpiReclaimable | MemoryKind::AcpiNvs
            )
        })
        .map(|r| r.end())
        .max()
        .unwrap_or(BOOT_DIRECT_MAP_END)
}

pub fn print_cpu() {
    let c = cpu::CpuInfo::read();
    pr_info!(
        "CPU0: {} {} (family: {:#x}, model: {:#x}, stepping: {:#x})",
        c.vendor(),
        c.brand(),
        c.family,
        c.model,
        c.stepping
    );
    let mut list = [0u8; 128];
    let mut len = 0;
    for (name, present) in c.features() {
        if present && len + name.len() < list.len() {
            list[len..len + name.len()].copy_from_slice(name.as_bytes());
            list[len + name.len()] = b' ';
            len += name.len() + 1;
        }
    }
    let names = core::str::from_utf8(&list[..len]).unwrap_or("").trim_end();
    pr_info!("x86: features used: {}", names);
    pr_info!("x86/fpu: FXSAVE on interrupts and task switches, SSE registers only on system calls");
}

static TSC_KHZ: spin::Once<u64> = spin::Once::new();

/// Calibrate the TSC and start the clock, before the first message, so
/// that timestamps mean something from the banner on.
pub fn tsc_init_quiet_first() {
    match tsc::calibrate_khz() {
        Some(khz) => {
            TSC_KHZ.call_once(|| khz);
            time::init_clocksource(khz);
        }
        None => crate::kernel::panic::panic(format_args!("tsc: PIT did not count"), false),
    }
}

/// The TSC frequency in kHz (0 before calibration).
pub fn tsc_khz() -> u64 {
    TSC_KHZ.get().copied().unwrap_or(0)
}

pub fn print_tsc() {
    let khz = TSC_KHZ.get().copied().unwrap_or(0);
    pr_info!(
        "tsc: Detected {}.{:03} MHz processor",
        khz / 1000,
        khz % 1000
    );
    pr_info!("clocksource: tsc, driven by the {} Hz tick", time::HZ);
}

pub fn paging_init(info: &BootInfo) {
    let report = mm::init::paging_init(ram_end(info).max(crate::mm::memblock::end_of_dram()));
    pr_info!(
        "mm: direct map of {} MiB at {:#x}; kernel text {}K r-x, rodata {}K r--, data+bss {}K rw-",
        report.direct_map_bytes >> 20,
        PAGE_OFFSET,
        report.text / 1024,
        report.rodata / 1024,
        report.data / 1024
    );
    pr_info!(
        "mm: {} page-table pages used, NX and global pages on",
        mm::pgtable::pool_pages_used()
    );
}

/// Mask the 8259As, enable the local APIC, set up the I/O APIC (unless
/// `noapic`, as Linux's parameter) and start the tick.
pub fn apic_init(noapic: bool) {
    i8259::mask_all();
    let phys = apic::phys_base();
    let virt = crate::mm::vmalloc::ioremap(phys, mm::PAGE_SIZE)
        .unwrap_or_else(|| panic!("ioremap of the local APIC at {phys:#x} failed"));
    apic::init(virt);
    if noapic {
        pr_info!("IOAPIC: off (noapic); device interrupts are polled");
    } else if !super::ioapic::init() {
        pr_warn!("IOAPIC: none found; device interrupts are polled");
    }
    let hz = apic::calibrate_timer();
    apic::start_timer();
    pr_info!(
        "APIC: local APIC id {} version {:#x} at {:#x}; timer {}.{:03} MHz, tick {} Hz",
        apic::id(),
        apic::version(),
        phys,
        hz / 1_000_000,
        (hz / 1000) % 1000,
        time::HZ
    );
}

/// Count the CPUs, and note the I/O APIC for later. Only the boot CPU
/// runs for now: the others will be started once there is a scheduler to
/// give them work.
pub fn smp_init(info: &BootInfo) {
    let madt = super::acpi::read_madt(info.rsdp);
    if let Some(ioapic) = madt.as_ref().and_then(|m| m.ioapic) {
        super::ioapic::record(ioapic);
    }
    let found = madt.map_or(1, |m| m.enabled_cpus);
    pr_info!(
        "smp: {} CPUs found, 1 brought up (secondary CPUs are not started yet)",
        found
    );
}

/// The bytes of a boot module (the initramfs), through the direct map.
pub fn boot_module_bytes(module: &bootinfo::Module) -> &'static [u8] {
    let len = module.end.saturating_sub(module.start) as usize;
    // SAFETY: memblock reserved the module's pages at boot and nothing
    // frees them; they are RAM, in the direct map.
    unsafe { core::slice::from_raw_parts(mm::phys_to_virt(module.start) as *const u8, len) }
}

/// Turn on SMEP and SMAP where the CPU has them (Linux: setup_smep,
/// setup_smap): from then on a kernel jump into a user page, or a kernel
/// load or store to one, faults. The user copies (arch/x86_64/uaccess.rs)
/// are the one place that reaches user pages: they lift SMAP for their
/// `rep movsb` alone with STAC and CLAC. `nosmap` on the command line
/// leaves SMAP off (Linux had the same parameter), which also tests the
/// copies' path without STAC.
pub fn protection_init(nosmap: bool) {
    let c = cpu::CpuInfo::read();
    let smap = c.has_smap() && !nosmap;
    if c.has_smap() && nosmap {
        pr_info!("x86: SMAP left off (nosmap)");
    }
    let mut on = Cr4Flags::empty();
    if c.has_smep() {
        on |= Cr4Flags::SUPERVISOR_MODE_EXECUTION_PROTECTION;
    }
    if smap {
        on |= Cr4Flags::SUPERVISOR_MODE_ACCESS_PREVENTION;
    }
    if on.is_empty() {
        return;
    }
    // SAFETY: the kernel runs from kernel pages only, and its user copies
    // set EFLAGS.AC around their accesses once the flag below is set.
    unsafe { Cr4::update(|f| f.insert(on)) };
    if smap {
        super::uaccess::set_smap_on();
    }
    let names = match (c.has_smep(), smap) {
        (true, true) => "SMEP and SMAP",
        (true, false) => "SMEP",
        _ => "SMAP",
    };
    pr_info!(
        "x86: {} on: the kernel can neither run nor touch user pages",
        names
    );
}
