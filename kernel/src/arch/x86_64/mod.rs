//! x86_64: boot entry, descriptor tables, traps, paging, timers, power.

pub mod acpi;
pub mod apic;
pub mod cpu;
pub mod dumpstack;
pub mod gdt;
pub mod i8259;
pub mod idt;
pub mod ioapic;
pub mod irq;
pub mod mm;
pub mod percpu;
pub mod process;
pub mod reboot;
pub mod setup;
pub mod switch;
pub mod syscall;
pub mod traps;
pub mod tsc;
pub mod uaccess;

core::arch::global_asm!(include_str!("head.S"), options(att_syntax));
core::arch::global_asm!(include_str!("entry.S"), options(att_syntax));
