//! The local APIC and its timer (Linux: arch/x86/kernel/apic/apic.c).
//!
//! Each CPU's local APIC is reached through its memory-mapped registers
//! (xAPIC mode) at the physical address in IA32_APIC_BASE, through the
//! direct map. The timer runs in periodic mode at HZ; its rate is measured
//! against the already calibrated TSC.

use core::sync::atomic::{AtomicU64, Ordering};

use x86_64::registers::model_specific::Msr;

use super::traps::{LOCAL_TIMER_VECTOR, SPURIOUS_APIC_VECTOR};
use crate::kernel::time::{self, HZ};

const IA32_APIC_BASE: u32 = 0x1b;
const APIC_BASE_ENABLE: u64 = 1 << 11;

const APIC_ID: usize = 0x20;
const APIC_VERSION: usize = 0x30;
const APIC_EOI: usize = 0xb0;
const APIC_SPIV: usize = 0xf0;
const APIC_LVTT: usize = 0x320;
const APIC_TMICT: usize = 0x380;
const APIC_TMCCT: usize = 0x390;
const APIC_TDCR: usize = 0x3e0;

const APIC_SPIV_ENABLE: u32 = 1 << 8;
const APIC_LVT_MASKED: u32 = 1 << 16;
const APIC_LVT_PERIODIC: u32 = 1 << 17;
const APIC_TDR_DIV_16: u32 = 0x3;

/// Virtual address of the register page (0 until init).
static APIC_VIRT: AtomicU64 = AtomicU64::new(0);
/// Timer input clock after the divider, in ticks per second.
static TIMER_HZ: AtomicU64 = AtomicU64::new(0);

fn read(reg: usize) -> u32 {
    let base = APIC_VIRT.load(Ordering::Relaxed);
    // SAFETY: the register page is mapped uncached at base once init ran;
    // xAPIC registers are 32-bit and 16-byte aligned.
    unsafe { core::ptr::read_volatile((base as usize + reg) as *const u32) }
}

fn write(reg: usize, value: u32) {
    let base = APIC_VIRT.load(Ordering::Relaxed);
    // SAFETY: as in read().
    unsafe { core::ptr::write_volatile((base as usize + reg) as *mut u32, value) }
}

/// Physical address of the local APIC registers.
pub fn phys_base() -> u64 {
    // SAFETY: IA32_APIC_BASE exists on every x86_64 CPU.
    unsafe { Msr::new(IA32_APIC_BASE).read() & 0xffff_f000 }
}

/// Enable this CPU's local APIC, with `virt` mapping its register page.
pub fn init(virt: u64) {
    APIC_VIRT.store(virt, Ordering::Relaxed);
    let mut msr = Msr::new(IA32_APIC_BASE);
    // SAFETY: setting the global enable bit keeps the APIC at its address.
    unsafe {
        let v = msr.read();
        msr.write(v | APIC_BASE_ENABLE);
    }
    write(APIC_SPIV, APIC_SPIV_ENABLE | SPURIOUS_APIC_VECTOR as u32);
    write(APIC_LVTT, APIC_LVT_MASKED);
}

pub fn id() -> u32 {
    read(APIC_ID) >> 24
}

pub fn version() -> u32 {
    read(APIC_VERSION) & 0xff
}

pub fn eoi() {
    if APIC_VIRT.load(Ordering::Relaxed) != 0 {
        write(APIC_EOI, 0);
    }
}

/// Measure the timer's input rate against the TSC over 10 ms.
pub fn calibrate_timer() -> u64 {
    write(APIC_TDCR, APIC_TDR_DIV_16);
    write(APIC_LVTT, APIC_LVT_MASKED);
    write(APIC_TMICT, u32::MAX);
    let start = time::ktime_get_ns();
    time::busy_wait_ns(10_000_000);
    let elapsed_ns = time::ktime_get_ns() - start;
    let counted = (u32::MAX - read(APIC_TMCCT)) as u64;
    write(APIC_TMICT, 0);
    let hz = counted * 1_000_000_000 / elapsed_ns.max(1);
    TIMER_HZ.store(hz, Ordering::Relaxed);
    hz
}

/// Start the periodic tick at HZ on this CPU.
pub fn start_timer() {
    let hz = TIMER_HZ.load(Ordering::Relaxed);
    write(APIC_TDCR, APIC_TDR_DIV_16);
    write(APIC_LVTT, APIC_LVT_PERIODIC | LOCAL_TIMER_VECTOR as u32);
    write(APIC_TMICT, (hz / HZ).max(1) as u32);
}
