//! Threads as CPUs for test binaries whose global allocator is kmalloc (Linux's
//! smp_processor_id and local_irq_save, modelled): each thread takes the next CPU number,
//! modulo MAX_CPUS, and "interrupts off" is a spin lock per number, so that threads sharing
//! a number take turns with its stocks and on_each_cpu waits as an IPI would. Nothing here
//! allocates, since the allocator itself calls it.

use core::cell::Cell;
use core::hint::spin_loop;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use slub::{CpuLocal, MAX_CPUS};

/// The CPU-local services of a test binary.
pub struct ThreadCpu;

static NEXT: AtomicUsize = AtomicUsize::new(0);
static IRQS_OFF: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];

std::thread_local! {
    /// This thread's number; usize::MAX until it first asks. No destructor: registering
    /// one could allocate.
    static CPU: Cell<usize> = const { Cell::new(usize::MAX) };
    static IN_IRQ_OFF: Cell<bool> = const { Cell::new(false) };
}

/// Takes a CPU's "interrupts off" lock.
fn lock(irqs_off: &AtomicBool) {
    while irqs_off
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        spin_loop();
    }
}

// SAFETY: a thread keeps its number, and the per-number lock taken by irq_save (or by
// on_each_cpu, around each call) lets one thread at a time use that number's stocks, with
// acquire and release ordering between them.
unsafe impl CpuLocal for ThreadCpu {
    /// The number locked by this irq_save, if it was not nested in another.
    type IrqFlags = Option<usize>;

    fn cpu_id() -> usize {
        CPU.with(|cpu| {
            if cpu.get() == usize::MAX {
                cpu.set(NEXT.fetch_add(1, Ordering::Relaxed) % MAX_CPUS);
            }
            cpu.get()
        })
    }

    fn irq_save() -> Option<usize> {
        let cpu = Self::cpu_id();
        if IN_IRQ_OFF.replace(true) {
            return None;
        }
        lock(&IRQS_OFF[cpu]);
        Some(cpu)
    }

    fn irq_restore(flags: Option<usize>) {
        if let Some(cpu) = flags {
            IN_IRQ_OFF.set(false);
            IRQS_OFF[cpu].store(false, Ordering::Release);
        }
    }

    fn on_each_cpu(f: &(dyn Fn(usize) + Sync)) {
        assert!(!IN_IRQ_OFF.get(), "on_each_cpu with interrupts off");
        for (cpu, irqs_off) in IRQS_OFF.iter().enumerate() {
            lock(irqs_off);
            f(cpu);
            irqs_off.store(false, Ordering::Release);
        }
    }
}
