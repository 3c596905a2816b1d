//! What the slab layer needs from the kernel to keep a stock of free objects per CPU
//! (Linux: smp_processor_id, local_irq_save and local_irq_restore, on_each_cpu): the number
//! of the CPU running, interrupts off on it, and a way to run a function on every CPU at a
//! moment when that CPU is outside the slab layer.

/// CPUs that get a stock of objects in every cache: those numbered 0 to MAX_CPUS - 1. A CPU
/// numbered MAX_CPUS or more is served correctly, but through the cache lock every time.
/// Each stock takes 256 bytes per cache (a kmalloc set of 26 caches: 52 KiB in all).
pub const MAX_CPUS: usize = 8;

/// The kernel's CPU-local services, as associated functions of a type that is only named
/// (the kernel's is a unit struct). The slab layer brackets every use of the running CPU's
/// stock with `irq_save` and `irq_restore` and reads `cpu_id` in between; the stocks of
/// other CPUs it empties through `on_each_cpu`.
///
/// # Safety
/// The slab layer's memory safety rests on these promises:
/// - Between an `irq_save` and its `irq_restore`, `cpu_id` keeps returning one number, and
///   nothing else runs slab code with that number until the `irq_restore`: not another
///   CPU (numbers are unique), not an interrupt handler on this one (`irq_save` disables
///   interrupts). Nested pairs are allowed. No slab call from NMI context. Both are
///   compiler barriers (an `asm!` block without `nomem`), so that no access to the stock
///   moves out of the section.
/// - `on_each_cpu(f)` calls `f(cpu)` once for every number below MAX_CPUS that `cpu_id`
///   may have returned, and returns after the last call. Each call runs while nothing runs
///   slab code with that number between `irq_save` and `irq_restore`, sees what that CPU
///   wrote before, and is seen by what it runs next: in the kernel, on that CPU with
///   interrupts off (an IPI; on the calling CPU, a plain call with interrupts off), or for
///   a CPU that is offline, anywhere. The slab layer calls it with interrupts on and no
///   cache lock held, from `shrink`, `destroy` and `set_debug`, which the kernel must call
///   likewise (as Linux's kmem_cache_shrink, they may wait for other CPUs).
pub unsafe trait CpuLocal {
    /// What `irq_save` returns for `irq_restore` (the kernel: RFLAGS).
    type IrqFlags: Copy;

    /// The number of the running CPU (the kernel: read from its per-CPU block via GS).
    fn cpu_id() -> usize;

    /// Disables interrupts on this CPU and returns the previous state (pushf; cli).
    fn irq_save() -> Self::IrqFlags;

    /// Restores the state `irq_save` returned: sti if interrupts were on, as Linux does
    /// (popf, much slower, costs the fast path more than all the rest of it).
    fn irq_restore(flags: Self::IrqFlags);

    /// Runs `f(cpu)` for every CPU number, each while that CPU is outside the slab layer
    /// (see the trait's safety contract), and waits for all of them.
    fn on_each_cpu(f: &(dyn Fn(usize) + Sync));
}
