//! A CPU's stock of free objects of one cache (Linux: SLAB's struct array_cache, the sheaves
//! of today's SLUB): a short array of object pointers, last in first out, used only by its
//! own CPU with interrupts off, so that most allocations and frees take neither the cache
//! lock nor any atomic instruction. The lock is taken only to refill or drain it in batches.

use core::cell::UnsafeCell;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::layout::SlabLayout;
use crate::page::PAGE_SIZE;

/// Pointers one stock has room for: with its count, four cache lines.
const STOCK_CAPACITY: usize = 31;

/// The stock size of a cache with this layout (Linux's SLAB chose its limits by object size
/// in enable_cpucache; these are scaled down to a fixed array): fewer objects for bigger
/// ones, and none in debug mode, whose checks run under the cache lock (as Linux, whose
/// debug caches skip the per-CPU fast path).
pub(crate) const fn stock_limit(layout: &SlabLayout) -> usize {
    if layout.debug {
        0
    } else if layout.size <= 256 {
        30
    } else if layout.size <= 1024 {
        16
    } else if layout.size <= PAGE_SIZE {
        8
    } else if layout.size <= 32 * PAGE_SIZE {
        4
    } else {
        0
    }
}

/// Objects moved at once between a stock and the slabs (SLAB's batchcount).
pub(crate) const fn batch(limit: usize) -> usize {
    limit.div_ceil(2)
}

/// What `CpuStock::push` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Push {
    Done,
    /// The stock holds `limit` objects: drain it first.
    Full,
    /// The object is the one freed last on this CPU: a double free.
    Repeat,
}

/// One CPU's stock. Every method but `len` needs the stock to itself: called on its own CPU
/// between `CpuLocal::irq_save` and `irq_restore`, or from `CpuLocal::on_each_cpu`.
#[repr(align(64))]
pub(crate) struct CpuStock {
    /// Objects in `objects[..count]`. Read by `stats` from any CPU, hence atomic, but only
    /// ever loaded and stored (plain moves), never updated with a locked instruction.
    count: AtomicUsize,
    objects: UnsafeCell<[NonNull<u8>; STOCK_CAPACITY]>,
}

impl CpuStock {
    pub(crate) const fn new() -> CpuStock {
        CpuStock {
            count: AtomicUsize::new(0),
            objects: UnsafeCell::new([NonNull::dangling(); STOCK_CAPACITY]),
        }
    }

    /// Objects held (a snapshot, if the stock's CPU is running).
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// Takes the object freed last.
    ///
    /// # Safety
    /// The caller has the stock to itself (see the type).
    #[inline]
    pub(crate) unsafe fn pop(&self) -> Option<NonNull<u8>> {
        let count = self.len().checked_sub(1)?;
        // SAFETY: the caller has the stock to itself; count < STOCK_CAPACITY always.
        let object = unsafe { (*self.objects.get())[count] };
        self.count.store(count, Ordering::Relaxed);
        Some(object)
    }

    /// Adds a freed object, unless it is the one added last or `limit` objects are held.
    ///
    /// # Safety
    /// As `pop`; `limit` is at most the capacity (`stock_limit`).
    #[inline]
    pub(crate) unsafe fn push(&self, object: NonNull<u8>, limit: usize) -> Push {
        let count = self.len();
        // SAFETY: as `pop`.
        let objects = unsafe { &mut *self.objects.get() };
        if count > 0 && objects[count - 1] == object {
            return Push::Repeat;
        }
        if count >= limit {
            return Push::Full;
        }
        objects[count] = object;
        self.count.store(count + 1, Ordering::Relaxed);
        Push::Done
    }

    /// Adds up to `n` objects from `take` (until it gives None), arranged so that the first
    /// one taken is the first one popped. Returns how many were added.
    ///
    /// # Safety
    /// As `pop`.
    pub(crate) unsafe fn fill(
        &self,
        n: usize,
        mut take: impl FnMut() -> Option<NonNull<u8>>,
    ) -> usize {
        let start = self.len();
        let end = STOCK_CAPACITY.min(start + n);
        // SAFETY: as `pop`.
        let objects = unsafe { &mut *self.objects.get() };
        let mut filled = start;
        while filled < end {
            match take() {
                Some(object) => objects[filled] = object,
                None => break,
            }
            filled += 1;
        }
        objects[start..filled].reverse();
        self.count.store(filled, Ordering::Relaxed);
        filled - start
    }

    /// Gives the `n` oldest objects (all if fewer) to `put`, keeping the most recently freed,
    /// whose cache lines are the likeliest to be warm.
    ///
    /// # Safety
    /// As `pop`.
    pub(crate) unsafe fn drain(&self, n: usize, mut put: impl FnMut(NonNull<u8>)) {
        let count = self.len();
        let n = n.min(count);
        // SAFETY: as `pop`.
        let objects = unsafe { &mut *self.objects.get() };
        objects[..n].iter().for_each(|&object| put(object));
        objects.copy_within(n..count, 0);
        self.count.store(count - n, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn ptr(n: usize) -> NonNull<u8> {
        NonNull::new((n * 64) as *mut u8).unwrap()
    }

    #[test]
    fn limits_follow_object_size_and_debug_turns_stocks_off() {
        let limit = |size, debug| stock_limit(&SlabLayout::new(size, 8, debug, false).unwrap());
        assert_eq!(
            [limit(64, false), limit(512, false), limit(4096, false)],
            [30, 16, 8]
        );
        assert_eq!(
            [limit(8192, false), limit(200_000, false), limit(64, true)],
            [4, 0, 0]
        );
        assert!(limit(8, false) <= STOCK_CAPACITY);
        assert_eq!([batch(30), batch(16), batch(1)], [15, 8, 1]);
        assert_eq!(core::mem::size_of::<CpuStock>(), 256);
    }

    #[test]
    fn a_stock_is_last_in_first_out_and_bounded() {
        let stock = CpuStock::new();
        // SAFETY: the stock is local to this test.
        unsafe {
            assert_eq!(stock.pop(), None);
            assert_eq!(stock.push(ptr(1), 2), Push::Done);
            assert_eq!(stock.push(ptr(1), 2), Push::Repeat);
            assert_eq!(stock.push(ptr(2), 2), Push::Done);
            assert_eq!(stock.push(ptr(3), 2), Push::Full);
            assert_eq!(
                (stock.pop(), stock.pop(), stock.len()),
                (Some(ptr(2)), Some(ptr(1)), 0)
            );
        }
    }

    #[test]
    fn fill_keeps_the_order_taken_and_drain_takes_the_oldest() {
        let stock = CpuStock::new();
        let mut next = 1..6;
        // SAFETY: the stock is local to this test.
        unsafe {
            assert_eq!(stock.fill(3, || next.next().map(ptr)), 3);
            assert_eq!(stock.pop(), Some(ptr(1)));
            assert_eq!(stock.fill(10, || next.next().map(ptr)), 2);
            let mut drained = Vec::new();
            stock.drain(2, |o| drained.push(o));
            assert_eq!(drained, [ptr(3), ptr(2)]);
            assert_eq!(
                (stock.pop(), stock.pop(), stock.pop()),
                (Some(ptr(4)), Some(ptr(5)), None)
            );
        }
    }
}
