//! Power off, halt and restart (Linux: arch/x86/kernel/reboot.c).
//!
//! Under QEMU, noyau powers off through the isa-debug-exit device at port
//! 0xf4 (xtask always attaches it): a write of N ends QEMU with status
//! 2N+1. Status 1 means a clean power-off, 3 a halt after a kernel panic.
//! Without that device the writes are ignored and the CPU halts.

use x86_64::instructions::{interrupts, port::Port};

const DEBUG_EXIT_PORT: u16 = 0xf4;

/// What the host sees when the machine stops.
#[derive(Clone, Copy)]
#[repr(u32)]
pub enum ExitCode {
    PowerOff = 0,
    Panic = 1,
}

fn debug_exit(code: ExitCode) {
    let mut port = Port::<u32>::new(DEBUG_EXIT_PORT);
    // SAFETY: port 0xf4 is unused on a PC unless QEMU's debug-exit sits there.
    unsafe { port.write(code as u32) };
}

/// Stop every activity of this CPU for good.
pub fn halt_forever() -> ! {
    interrupts::disable();
    loop {
        x86_64::instructions::hlt();
    }
}

pub fn machine_power_off() -> ! {
    debug_exit(ExitCode::PowerOff);
    halt_forever()
}

/// The end of a panic without `panic=N`: tell QEMU, then halt.
pub fn machine_halt_after_panic() -> ! {
    debug_exit(ExitCode::Panic);
    halt_forever()
}

/// Reset through the keyboard controller, then by a triple fault.
pub fn machine_restart() -> ! {
    interrupts::disable();
    let mut kbd = Port::<u8>::new(0x64);
    // SAFETY: 0xfe on the 8042 command port pulses the CPU reset line.
    unsafe { kbd.write(0xfe) };
    let empty = x86_64::structures::DescriptorTablePointer {
        limit: 0,
        base: x86_64::VirtAddr::new(0),
    };
    // SAFETY: an empty IDT makes the next interrupt a triple fault: a reset.
    unsafe {
        x86_64::instructions::tables::lidt(&empty);
        core::arch::asm!("int3");
    }
    halt_forever()
}
