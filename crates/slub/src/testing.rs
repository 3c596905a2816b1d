//! Host test doubles for the slab layer: a page source over std's allocator, with the owner
//! words the kernel keeps per page frame (Linux's struct page) in a map, strict about the
//! contract (orders match, owner words cleared before a block goes back); threads as CPUs
//! (Linux's smp_processor_id); and a reporter that records corruptions per test thread.

use std::alloc::{alloc, alloc_zeroed, dealloc, Layout};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::hint::spin_loop;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::vec::Vec;

use gfp::Gfp;

use crate::cpu::{CpuLocal, MAX_CPUS};
use crate::debug::Corruption;
use crate::page::{PageSource, PAGE_SIZE};

/// The raw lock of the tests: spin's, through lock_api.
pub type Lock = spin::Mutex<()>;
pub type Cache<'p> = crate::KmemCache<'p, StdPages, Lock, TestCpu>;
pub type Km<'p> = crate::Kmalloc<'p, StdPages, Lock, TestCpu>;

/// Threads as CPUs. A thread's CPU number is the lowest one no live thread holds when it
/// first asks (given back when the thread ends), so that threads running together have
/// stocks of their own; `set_cpu` chooses one. "Interrupts off" is a lock per CPU number:
/// it keeps two threads that share a number (when more than MAX_CPUS run, or by
/// `set_cpu`) out of each other's stock, and makes `on_each_cpu` wait until the CPU is
/// outside the slab layer, as an IPI would.
pub struct TestCpu;

/// CPU numbers that threads hold, one bit each.
static TAKEN: AtomicU64 = AtomicU64::new(0);
/// Turns of threads that found every number held.
static SHARED: AtomicUsize = AtomicUsize::new(0);
static IRQS_OFF: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];

/// This thread's CPU number, and whether it was taken from TAKEN (to give back).
struct ThreadCpu {
    cpu: Cell<Option<usize>>,
    taken: Cell<bool>,
}

impl Drop for ThreadCpu {
    fn drop(&mut self) {
        if let (Some(cpu), true) = (self.cpu.get(), self.taken.get()) {
            TAKEN.fetch_and(!(1 << cpu), Ordering::Relaxed);
        }
    }
}

std::thread_local! {
    static CPU: ThreadCpu = const { ThreadCpu { cpu: Cell::new(None), taken: Cell::new(false) } };
    static IN_IRQ_OFF: Cell<bool> = const { Cell::new(false) };
}

fn take_cpu(this: &ThreadCpu) -> usize {
    let mut taken = TAKEN.load(Ordering::Relaxed);
    loop {
        let cpu = taken.trailing_ones() as usize;
        if cpu >= MAX_CPUS {
            // Every number is held: share one, as tasks share a CPU.
            let cpu = SHARED.fetch_add(1, Ordering::Relaxed) % MAX_CPUS;
            this.cpu.set(Some(cpu));
            return cpu;
        }
        match TAKEN.compare_exchange(
            taken,
            taken | 1 << cpu,
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => {
                this.cpu.set(Some(cpu));
                this.taken.set(true);
                return cpu;
            }
            Err(now) => taken = now,
        }
    }
}

/// Makes this thread CPU number `cpu` (MAX_CPUS or more: a CPU without stocks).
pub fn set_cpu(cpu: usize) {
    CPU.with(|this| {
        if let (Some(old), true) = (this.cpu.get(), this.taken.replace(false)) {
            TAKEN.fetch_and(!(1 << old), Ordering::Relaxed);
        }
        this.cpu.set(Some(cpu));
    });
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
unsafe impl CpuLocal for TestCpu {
    /// The number locked by this irq_save, if it was not nested in another.
    type IrqFlags = Option<usize>;

    fn cpu_id() -> usize {
        CPU.with(|this| this.cpu.get().unwrap_or_else(|| take_cpu(this)))
    }

    fn irq_save() -> Option<usize> {
        let cpu = Self::cpu_id();
        if cpu >= MAX_CPUS || IN_IRQ_OFF.replace(true) {
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

#[derive(Default)]
struct State {
    /// Live blocks: start address to order.
    blocks: BTreeMap<usize, u32>,
    owners: HashMap<usize, usize>,
    /// Fail allocations once this many blocks are live.
    limit: Option<usize>,
    /// Fail allocations of a higher order, as fragmented memory does.
    max_order: Option<u32>,
    gfps: Vec<Gfp>,
}

/// Blocks from std's allocator, aligned to their size; new blocks are filled with 0x5a
/// unless zeroed, so reads of memory nobody wrote show.
#[derive(Default)]
pub struct StdPages {
    state: Mutex<State>,
}

impl StdPages {
    pub fn new() -> StdPages {
        StdPages::default()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .expect("a test panicked with the page source locked")
    }

    pub fn live_blocks(&self) -> usize {
        self.state().blocks.len()
    }

    pub fn live_pages(&self) -> usize {
        self.state().blocks.values().map(|order| 1 << order).sum()
    }

    /// Pages with a non-zero owner word.
    pub fn owned_pages(&self) -> usize {
        self.state().owners.len()
    }

    pub fn set_limit(&self, blocks: Option<usize>) {
        self.state().limit = blocks;
    }

    /// Refuses blocks above `order` (None: any order), as memory too fragmented to hold
    /// larger ones would.
    pub fn set_max_order(&self, order: Option<u32>) {
        self.state().max_order = order;
    }

    /// The flags of every alloc_pages call so far.
    pub fn gfps(&self) -> Vec<Gfp> {
        self.state().gfps.clone()
    }
}

fn block_layout(order: u32) -> Layout {
    let size = PAGE_SIZE << order;
    Layout::from_size_align(size, size).expect("block sizes are powers of two")
}

impl PageSource for StdPages {
    fn alloc_pages(&self, order: u32, gfp: Gfp) -> Option<NonNull<u8>> {
        let mut state = self.state();
        state.gfps.push(gfp);
        if state.limit.is_some_and(|limit| state.blocks.len() >= limit) {
            return None;
        }
        if state.max_order.is_some_and(|max| order > max) {
            return None;
        }
        let layout = block_layout(order);
        // SAFETY: the layout has a non-zero size.
        let block = unsafe {
            if gfp.contains(Gfp::ZERO) {
                alloc_zeroed(layout)
            } else {
                let block = alloc(layout);
                if !block.is_null() {
                    block.write_bytes(0x5a, layout.size());
                }
                block
            }
        };
        let block = NonNull::new(block)?;
        state.blocks.insert(block.as_ptr() as usize, order);
        Some(block)
    }

    fn free_pages(&self, addr: NonNull<u8>, order: u32) {
        let mut state = self.state();
        let start = addr.as_ptr() as usize;
        assert_eq!(
            state.blocks.remove(&start),
            Some(order),
            "free_pages of a block not held"
        );
        for page in 0..1usize << order {
            let owner = state.owners.get(&(start + page * PAGE_SIZE));
            assert!(owner.is_none(), "owner word left set on a freed page");
        }
        // SAFETY: the block was allocated above with this layout.
        unsafe { dealloc(addr.as_ptr(), block_layout(order)) };
    }

    fn set_page_owner(&self, page_addr: usize, owner: usize) {
        let mut state = self.state();
        assert_eq!(page_addr % PAGE_SIZE, 0, "owner words are per page");
        let (&start, &order) = state
            .blocks
            .range(..=page_addr)
            .next_back()
            .expect("no block");
        assert!(
            page_addr < start + (PAGE_SIZE << order),
            "page outside every live block"
        );
        if owner == 0 {
            state.owners.remove(&page_addr);
        } else {
            state.owners.insert(page_addr, owner);
        }
    }

    fn page_owner(&self, page_addr: usize) -> usize {
        self.state().owners.get(&page_addr).copied().unwrap_or(0)
    }
}

impl Drop for StdPages {
    fn drop(&mut self) {
        let state = self.state.get_mut().expect("page source lock poisoned");
        for (&start, &order) in &state.blocks {
            // SAFETY: a live block allocated with this layout; nothing uses it any more.
            unsafe { dealloc(start as *mut u8, block_layout(order)) };
        }
    }
}

std::thread_local! {
    static REPORTS: RefCell<Vec<Corruption>> = const { RefCell::new(Vec::new()) };
}

/// A reporter that records corruptions for `take_reports` on this thread.
pub fn record(corruption: &Corruption) {
    REPORTS.with(|reports| reports.borrow_mut().push(*corruption));
}

pub fn take_reports() -> Vec<Corruption> {
    REPORTS.with(|reports| reports.take())
}
