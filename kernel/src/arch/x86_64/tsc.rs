//! The time-stamp counter and its calibration (Linux: arch/x86/kernel/tsc.c).
//!
//! The TSC is noyau's clocksource. Its frequency is measured against the
//! PIT's channel 2, whose input clock is exactly 1.193182 MHz: the gate is
//! opened, the counter runs down from a known count, and the TSC cycles
//! between start and end give the rate. Under QEMU's software emulation
//! both follow the host's real time, so the ratio holds even on a busy host.

use x86_64::instructions::port::Port;

const PIT_HZ: u64 = 1_193_182;
const CALIBRATE_MS: u64 = 20;

pub fn rdtsc() -> u64 {
    // SAFETY: RDTSC has no side effects; the TSC exists on every x86_64 CPU.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// One measurement: TSC cycles while PIT channel 2 counts CALIBRATE_MS.
fn pit_measure() -> Option<u64> {
    let count = PIT_HZ * CALIBRATE_MS / 1000;
    let mut port61 = Port::<u8>::new(0x61);
    let mut cmd = Port::<u8>::new(0x43);
    let mut ch2 = Port::<u8>::new(0x42);
    // SAFETY: port 0x61 bit 0 gates channel 2, bit 1 drives the speaker
    // (kept off); channel 2 in mode 0 raises its output (bit 5 of port
    // 0x61) when the count reaches zero.
    unsafe {
        let v = port61.read();
        port61.write((v & !0x02) | 0x01);
        cmd.write(0xb0);
        ch2.write((count & 0xff) as u8);
        ch2.write((count >> 8) as u8);
        let start = rdtsc();
        let mut spins: u64 = 0;
        while port61.read() & 0x20 == 0 {
            spins += 1;
            if spins > 100_000_000 {
                return None;
            }
        }
        Some(rdtsc() - start)
    }
}

/// TSC frequency in kHz: the smallest of three measurements (a delay can
/// only make one longer), or None if the PIT does not count.
pub fn calibrate_khz() -> Option<u64> {
    let best = (0..3).filter_map(|_| pit_measure()).min()?;
    Some(best / CALIBRATE_MS)
}
