//! Benchmarks of kmalloc's hot paths (Linux's per-CPU fast path) against the
//! linked_list_allocator crate's Heap over the same static memory: 64-byte alloc+free pairs
//! on an empty heap and with 1024 mixed objects live, and random sizes from 8 to 8192 bytes.
//! The Heap runs bare and behind a spin lock. Interrupt control is free, or in rows named
//! irq costs what the kernel's save and restore of the flags do, cli and sti aside.

#[path = "../tests/support/arena.rs"]
mod arena;

use std::alloc::Layout;
use std::cell::Cell;
use std::hint::black_box;
use std::ptr::NonNull;

use arena::Arena;
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use gfp::Gfp;
use linked_list_allocator::Heap;
use slub::{CpuLocal, Kmalloc, KmemCache, SlabFlags, MAX_CPUS};

/// 64 MiB, shared by the allocators one after the other.
static ARENA: Arena<16384> = Arena::new();

type Lock = spin::Mutex<()>;

std::thread_local! {
    /// The CPU number, as the kernel reads it from its per-CPU block.
    static CPU: Cell<usize> = const { Cell::new(0) };
}

/// The CPU-local services for this benchmark, which runs on one thread: the CPU number from
/// a thread-local, interrupt control free.
struct BenchCpu;

// SAFETY: criterion runs every benchmark on the thread that calls it, so one CPU number is
// in use and nothing runs beside the benchmark: no section needs excluding.
unsafe impl CpuLocal for BenchCpu {
    type IrqFlags = ();
    #[inline]
    fn cpu_id() -> usize {
        CPU.with(Cell::get)
    }
    fn irq_save() {}
    fn irq_restore(_: ()) {}
    fn on_each_cpu(f: &(dyn Fn(usize) + Sync)) {
        (0..MAX_CPUS).for_each(f);
    }
}

/// RFLAGS.IF, the interrupt flag.
const IF: u64 = 1 << 9;

/// Reads RFLAGS, as local_irq_save does before its cli.
#[inline]
fn save_flags() -> u64 {
    let flags;
    // SAFETY: reads RFLAGS through the stack and changes nothing.
    unsafe { std::arch::asm!("pushfq", "pop {}", out(reg) flags, options(preserves_flags)) };
    flags
}

/// As BenchCpu, with the interrupt control of Linux's local_irq_save and
/// local_irq_restore on x86: pushf, and a test of IF that would run sti (cli and sti
/// themselves fault in user mode and are left out).
struct PushfCpu;

// SAFETY: as BenchCpu; nothing is changed.
unsafe impl CpuLocal for PushfCpu {
    type IrqFlags = u64;
    #[inline]
    fn cpu_id() -> usize {
        CPU.with(Cell::get)
    }
    #[inline]
    fn irq_save() -> u64 {
        save_flags()
    }
    #[inline]
    fn irq_restore(flags: u64) {
        if flags & IF != 0 {
            // SAFETY: an empty block, where the kernel has sti.
            unsafe { std::arch::asm!("", options(nomem, nostack)) };
        }
    }
    fn on_each_cpu(f: &(dyn Fn(usize) + Sync)) {
        (0..MAX_CPUS).for_each(f);
    }
}

/// As PushfCpu, but restoring RFLAGS with popf, which is much slower than sti.
struct PopfCpu;

// SAFETY: as BenchCpu; the flags written back are those just read (in user mode popf
// leaves IF alone).
unsafe impl CpuLocal for PopfCpu {
    type IrqFlags = u64;
    #[inline]
    fn cpu_id() -> usize {
        CPU.with(Cell::get)
    }
    #[inline]
    fn irq_save() -> u64 {
        save_flags()
    }
    #[inline]
    fn irq_restore(flags: u64) {
        // SAFETY: writes back what irq_save read.
        unsafe { std::arch::asm!("push {}", "popfq", in(reg) flags) };
    }
    fn on_each_cpu(f: &(dyn Fn(usize) + Sync)) {
        (0..MAX_CPUS).for_each(f);
    }
}

const LIVE: usize = 1024;
const STEPS: usize = 1 << 14;

/// An allocator under test.
trait Allocator {
    fn alloc(&mut self, size: usize) -> NonNull<u8>;
    /// # Safety
    /// `ptr` came from `alloc(size)` and is freed once.
    unsafe fn free(&mut self, ptr: NonNull<u8>, size: usize);
}

impl<C: CpuLocal> Allocator for &Kmalloc<'_, Arena<16384>, Lock, C> {
    fn alloc(&mut self, size: usize) -> NonNull<u8> {
        self.kmalloc(size, Gfp::KERNEL).expect("the arena has room")
    }
    unsafe fn free(&mut self, ptr: NonNull<u8>, _size: usize) {
        // SAFETY: forwarded contract.
        unsafe { self.kfree(ptr.as_ptr()) }.expect("clean kfree");
    }
}

impl Allocator for &KmemCache<'_, Arena<16384>, Lock, BenchCpu> {
    fn alloc(&mut self, _size: usize) -> NonNull<u8> {
        KmemCache::alloc(self, Gfp::KERNEL).expect("the arena has room")
    }
    unsafe fn free(&mut self, ptr: NonNull<u8>, _size: usize) {
        // SAFETY: forwarded contract.
        unsafe { KmemCache::free(self, ptr) }.expect("clean free");
    }
}

fn layout(size: usize) -> Layout {
    Layout::from_size_align(size, 8).expect("benchmark sizes are valid")
}

impl Allocator for Heap {
    fn alloc(&mut self, size: usize) -> NonNull<u8> {
        self.allocate_first_fit(layout(size))
            .expect("the heap has room")
    }
    unsafe fn free(&mut self, ptr: NonNull<u8>, size: usize) {
        // SAFETY: forwarded contract.
        unsafe { self.deallocate(ptr, layout(size)) };
    }
}

impl Allocator for spin::Mutex<Heap> {
    fn alloc(&mut self, size: usize) -> NonNull<u8> {
        Allocator::alloc(&mut *black_box(&*self).lock(), size)
    }
    unsafe fn free(&mut self, ptr: NonNull<u8>, size: usize) {
        // SAFETY: forwarded contract.
        unsafe { Allocator::free(&mut *black_box(&*self).lock(), ptr, size) };
    }
}

/// The Heap as a kernel would have to use it: behind a spin lock taken with interrupts
/// off (as PushfCpu), like kmalloc with PushfCpu.
struct IrqLocked(spin::Mutex<Heap>);

impl Allocator for IrqLocked {
    fn alloc(&mut self, size: usize) -> NonNull<u8> {
        let flags = PushfCpu::irq_save();
        let ptr = Allocator::alloc(&mut self.0, size);
        PushfCpu::irq_restore(flags);
        ptr
    }
    unsafe fn free(&mut self, ptr: NonNull<u8>, size: usize) {
        let flags = PushfCpu::irq_save();
        // SAFETY: forwarded contract.
        unsafe { Allocator::free(&mut self.0, ptr, size) };
        PushfCpu::irq_restore(flags);
    }
}

/// The least any allocator can do, as a floor for the others: one free list of 64-byte
/// blocks threaded through the blocks, with no size classes, no checks and no CPU number.
/// Its head lives in memory, as every allocator's state must between an alloc and the free
/// that follows (`black_box` keeps the compiler from holding it in a register across the
/// pair, as it cannot for a global allocator).
struct FreeList {
    head: *mut usize,
}

impl FreeList {
    /// A list of `count` blocks carved from the arena's start.
    fn new(count: usize) -> Self {
        // SAFETY: called once the arena holds no block: the list has the region to itself.
        unsafe { ARENA.reset() };
        let (base, len) = ARENA.region();
        assert!(count * 64 <= len);
        let mut list = FreeList {
            head: std::ptr::null_mut(),
        };
        for i in (0..count).rev() {
            // SAFETY: block i lies inside the region and is 8-byte aligned.
            unsafe { Allocator::free(&mut list, NonNull::new_unchecked(base.add(i * 64)), 64) };
        }
        list
    }
}

impl Allocator for FreeList {
    fn alloc(&mut self, _size: usize) -> NonNull<u8> {
        let list = black_box(self);
        let block = NonNull::new(list.head).expect("the list has blocks");
        // SAFETY: a block on the list holds the address of the next one.
        list.head = unsafe { *block.as_ptr() as *mut usize };
        block.cast()
    }
    unsafe fn free(&mut self, ptr: NonNull<u8>, _size: usize) {
        let list = black_box(self);
        let block = ptr.as_ptr().cast::<usize>();
        // SAFETY: the caller gives back a block of this list, which it no longer uses.
        unsafe { *block = list.head as usize };
        list.head = block;
    }
}

/// One step of the mixed workload: the slot to free and fill again, and the new size.
struct Step {
    slot: usize,
    size: usize,
}

/// The same pseudo-random steps for every allocator (xorshift, fixed seed).
fn steps() -> Vec<Step> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..STEPS)
        .map(|_| Step {
            slot: next() as usize % LIVE,
            size: 8 + next() as usize % (8192 - 7),
        })
        .collect()
}

/// Live objects of the mixed workload: pointer and size per slot.
type Slots = Vec<Option<(NonNull<u8>, usize)>>;

fn step(a: &mut impl Allocator, slots: &mut Slots, step: &Step) {
    if let Some((old, size)) = slots[step.slot].take() {
        // SAFETY: every slot holds a live allocation of this size.
        unsafe { a.free(old, size) };
    }
    slots[step.slot] = Some((a.alloc(step.size), step.size));
}

/// Runs every step once: 1024 objects of mixed sizes live, the free memory fragmented.
fn fill(a: &mut impl Allocator, steps: &[Step]) -> Slots {
    let mut slots = vec![None; LIVE];
    steps.iter().for_each(|s| step(a, &mut slots, s));
    slots
}

fn empty(a: &mut impl Allocator, slots: Slots) {
    for (ptr, size) in slots.into_iter().flatten() {
        // SAFETY: every slot holds a live allocation of this size.
        unsafe { a.free(ptr, size) };
    }
}

fn pairs(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, a: &mut impl Allocator) {
    group.bench_function(name, |b| {
        b.iter(|| {
            let p = a.alloc(black_box(64));
            // SAFETY: p was just allocated with this size.
            unsafe { a.free(black_box(p), 64) };
        })
    });
}

fn mixed(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, a: &mut impl Allocator) {
    let steps = steps();
    let mut slots = fill(a, &steps);
    let mut i = 0;
    group.bench_function(name, |b| {
        b.iter(|| {
            step(a, &mut slots, &steps[i % STEPS]);
            i += 1;
        })
    });
    empty(a, slots);
}

fn pairs_with_live(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, a: &mut impl Allocator) {
    let slots = fill(a, &steps());
    pairs(group, name, a);
    empty(a, slots);
}

fn heap() -> Heap {
    // SAFETY: called once the arena holds no block: the heap has the region to itself.
    unsafe { ARENA.reset() };
    let (base, len) = ARENA.region();
    // SAFETY: as above.
    unsafe { Heap::new(base, len) }
}

fn slab_benches(c: &mut Criterion) {
    let k: Kmalloc<'_, _, Lock, BenchCpu> = Kmalloc::new(&ARENA);
    let k_pushf: Kmalloc<'_, _, Lock, PushfCpu> = Kmalloc::new(&ARENA);
    let k_popf: Kmalloc<'_, _, Lock, PopfCpu> = Kmalloc::new(&ARENA);
    let cache: KmemCache<'_, _, Lock, BenchCpu> =
        KmemCache::create(&ARENA, "bench-64", 64, 0, SlabFlags::empty(), None).unwrap();

    let mut group = c.benchmark_group("alloc+free 64 B, empty heap");
    pairs(&mut group, "kmalloc", &mut &k);
    pairs(&mut group, "kmalloc irq", &mut &k_pushf);
    pairs(&mut group, "kmalloc irq popf", &mut &k_popf);
    pairs(&mut group, "kmem_cache", &mut &cache);
    k.shrink();
    k_pushf.shrink();
    k_popf.shrink();
    cache.shrink();
    pairs(&mut group, "linked_list_allocator", &mut heap());
    pairs(
        &mut group,
        "linked_list_allocator locked",
        &mut spin::Mutex::new(heap()),
    );
    pairs(
        &mut group,
        "linked_list_allocator locked irq",
        &mut IrqLocked(spin::Mutex::new(heap())),
    );
    pairs(&mut group, "bare free list", &mut FreeList::new(1024));
    group.finish();

    let mut group = c.benchmark_group("alloc+free 64 B, 1024 live");
    pairs_with_live(&mut group, "kmalloc", &mut &k);
    k.shrink();
    pairs_with_live(&mut group, "linked_list_allocator", &mut heap());
    pairs_with_live(
        &mut group,
        "linked_list_allocator locked",
        &mut spin::Mutex::new(heap()),
    );
    group.finish();

    let mut group = c.benchmark_group("mixed 8..8192 B, 1024 live");
    mixed(&mut group, "kmalloc", &mut &k);
    k.shrink();
    mixed(&mut group, "linked_list_allocator", &mut heap());
    group.finish();
}

criterion_group!(benches, slab_benches);
criterion_main!(benches);
