//! The allocation and free paths of a cache (Linux: slab_alloc_node, ___slab_alloc,
//! slab_free and flush_all in mm/slub.c; SLAB's ____cache_alloc and cache_flusharray): the
//! running CPU's stock first, with interrupts off and no lock; when it is empty or full, a
//! batch of objects moves between it and the slabs under the cache lock. Debug caches have
//! no stock, so every object passes their checks under the lock.

use core::ptr::NonNull;
use core::sync::atomic::Ordering;

use gfp::Gfp;
use lock_api::RawMutex;

use super::node::{CacheNode, Take};
use super::stock::{batch, CpuStock, Push};
use super::KmemCache;
use crate::cpu::CpuLocal;
use crate::debug::{Corruption, CorruptionKind};
use crate::page::{block_of, page_of, Owner, PageSource};
use crate::slab::{ListKind, Slab, SlabList};

/// A corruption found under the lock, to report once it is dropped.
type Found = Option<(CorruptionKind, usize)>;

impl<P: PageSource, R: RawMutex, C: CpuLocal> KmemCache<'_, P, R, C> {
    /// kmem_cache_alloc: an object, or None when the page source has no memory (or the
    /// cache was destroyed). `Gfp::ZERO` zeroes it; the other flags go to the page source
    /// when a new slab is needed.
    #[inline]
    pub fn alloc(&self, gfp: Gfp) -> Option<NonNull<u8>> {
        let flags = C::irq_save();
        let object = match self.stocks.get(C::cpu_id()) {
            // SAFETY: interrupts are off and this is the running CPU's stock.
            Some(stock) => unsafe { stock.pop() },
            None => None,
        };
        C::irq_restore(flags);

        let object = match object {
            Some(object) => object,
            None => self.alloc_slow(gfp)?,
        };
        if gfp.contains(Gfp::ZERO) {
            // SAFETY: the object is the caller's now and `object_size` bytes long.
            unsafe { object.as_ptr().write_bytes(0, self.object_size) };
        }
        Some(object)
    }

    /// The running CPU's stock was empty: refill it from the slabs, growing the cache if
    /// they have no free object.
    #[inline(never)]
    fn alloc_slow(&self, gfp: Gfp) -> Option<NonNull<u8>> {
        loop {
            let flags = C::irq_save();
            let mut node = self.node.lock();
            let take = self.refill(&mut node);
            let (layout, dead, reporter) = (node.layout, node.dead, node.reporter);
            drop(node);
            C::irq_restore(flags);

            match take {
                Take::Object(object) => return Some(object),
                Take::Corrupt(kind, addr) => {
                    self.report(reporter, kind, addr);
                }
                Take::NoSlab if dead => return None,
                Take::NoSlab => {
                    // Interrupts on and no lock held: the page allocator may wait, and
                    // constructors may allocate.
                    let slab = self.grow(layout, gfp)?;
                    let mut node = self.node.lock();
                    let surplus = if node.layout != layout || node.dead {
                        Some(slab)
                    } else {
                        node.add_grown(slab)
                    };
                    drop(node);
                    if let Some(slab) = surplus {
                        self.discard(slab);
                    }
                }
            }
        }
    }

    /// With interrupts off and the lock held: an object for the caller and, when the
    /// running CPU has a stock, a batch more into it.
    fn refill(&self, node: &mut CacheNode) -> Take {
        let limit = self.limit.load(Ordering::Relaxed);
        let stock = self.stocks.get(C::cpu_id());
        let Some(stock) = stock.filter(|_| limit > 0 && !node.layout.debug) else {
            return node.take();
        };
        // SAFETY: interrupts are off and this is the running CPU's stock. An interrupt
        // handler may have refilled it since `alloc` looked.
        if let Some(object) = unsafe { stock.pop() } {
            return Take::Object(object);
        }
        let first = node.take();
        if let Take::Object(_) = first {
            // Only debug caches, which have no stock, find corrupt objects.
            let mut more = || match node.take() {
                Take::Object(object) => Some(object),
                _ => None,
            };
            // SAFETY: as above.
            unsafe { stock.fill(batch(limit) - 1, &mut more) };
        }
        first
    }

    /// kmem_cache_free: gives `object` back to its cache, found from its page's owner word.
    /// In debug mode a double free, damaged red zones or a pointer that is no object are
    /// reported and the object is left alone; without debug mode only a double free of the
    /// object freed last on this CPU (or last on its slab) is caught.
    ///
    /// # Safety
    /// `object` was returned by `alloc` of this cache and is not used afterwards.
    #[inline]
    pub unsafe fn free(&self, object: NonNull<u8>) -> Result<(), Corruption> {
        let addr = object.as_ptr() as usize;
        match Owner::decode(self.pages.page_owner(page_of(addr))) {
            Owner::Slab { cache, order } if cache == self.addr() as usize => {
                // SAFETY: the owner word names this cache; the caller vouches for the rest.
                unsafe { self.free_object(object, order) }
            }
            Owner::Slab { .. } => Err(self.report_unlocked(CorruptionKind::WrongCache, addr)),
            _ => Err(self.report_unlocked(CorruptionKind::InvalidFree, addr)),
        }
    }

    /// The second half of `free`, once the owner word has named this cache: into the
    /// running CPU's stock if it has room.
    ///
    /// # Safety
    /// The owner word of the page of `object` names this cache and a slab of `order`; the
    /// caller got `object` from `alloc` and does not use it any more.
    #[inline]
    pub(crate) unsafe fn free_object(
        &self,
        object: NonNull<u8>,
        order: u32,
    ) -> Result<(), Corruption> {
        let flags = C::irq_save();
        let pushed = match self.stocks.get(C::cpu_id()) {
            // SAFETY: interrupts are off and this is the running CPU's stock.
            Some(stock) => unsafe { stock.push(object, self.limit.load(Ordering::Relaxed)) },
            None => Push::Full,
        };
        C::irq_restore(flags);

        match pushed {
            Push::Done => Ok(()),
            Push::Repeat => {
                let addr = object.as_ptr() as usize;
                Err(self.report_unlocked(CorruptionKind::DoubleFree, addr))
            }
            // SAFETY: forwarded contract.
            Push::Full => unsafe { self.free_slow(object, order) },
        }
    }

    /// The running CPU's stock was full, or it has none: drain half of it to the slabs and
    /// keep the object, or put the object back on its slab.
    ///
    /// # Safety
    /// As `free_object`.
    #[inline(never)]
    unsafe fn free_slow(&self, object: NonNull<u8>, order: u32) -> Result<(), Corruption> {
        let addr = object.as_ptr() as usize;
        let mut freed = SlabList::new();
        let flags = C::irq_save();
        let mut node = self.node.lock();
        let limit = self.limit.load(Ordering::Relaxed);
        let stock = self.stocks.get(C::cpu_id());
        let (result, found) = match stock.filter(|_| limit > 0 && !node.layout.debug) {
            Some(stock) => {
                // SAFETY: interrupts are off and this is the running CPU's stock; an
                // interrupt handler may have made room since `free_object` looked.
                let mut pushed = unsafe { stock.push(object, limit) };
                let mut found = None;
                if pushed == Push::Full {
                    // SAFETY: as above.
                    found = unsafe { self.drain(&mut node, stock, batch(limit), &mut freed) };
                    // SAFETY: as above.
                    pushed = unsafe { stock.push(object, limit) };
                }
                if pushed == Push::Repeat {
                    node.corruptions += 1;
                    (Err(CorruptionKind::DoubleFree), found)
                } else {
                    (Ok(()), found)
                }
            }
            None => {
                // SAFETY: the owner word names a slab of this cache holding the page.
                let slab = unsafe { Slab::from_base(block_of(addr, order)) };
                // SAFETY: forwarded contract.
                match unsafe { node.put(slab, object) } {
                    Ok(free) => {
                        free.into_iter()
                            .for_each(|slab| freed.push(slab, ListKind::Free));
                        (Ok(()), None)
                    }
                    Err(kind) => (Err(kind), None),
                }
            }
        };
        let reporter = node.reporter;
        drop(node);
        C::irq_restore(flags);

        self.discard_all(&mut freed);
        if let Some((kind, at)) = found {
            self.report(reporter, kind, at);
        }
        result.map_err(|kind| self.report(reporter, kind, addr))
    }

    /// Puts the `n` oldest objects of `stock` back on their slabs, adding the slabs that
    /// become free beyond min_partial to `freed`. Returns the first corruption found (the
    /// object is left alone), already counted.
    ///
    /// # Safety
    /// The caller has the stock to itself (see CpuStock) and `node` is this cache's,
    /// locked.
    unsafe fn drain(
        &self,
        node: &mut CacheNode,
        stock: &CpuStock,
        n: usize,
        freed: &mut SlabList,
    ) -> Found {
        let mut found = None;
        let mut put = |object: NonNull<u8>| {
            let addr = object.as_ptr() as usize;
            // Slabs of one cache may differ in order: the owner word tells this one's.
            let order = match Owner::decode(self.pages.page_owner(page_of(addr))) {
                Owner::Slab { order, .. } => order,
                _ => unreachable!("a stocked object's page belongs to its slab"),
            };
            // SAFETY: objects enter a stock only through `free_object`, whose caller saw
            // the owner word name a slab of this cache; they are still in use on it.
            let result = unsafe { node.put(Slab::from_base(block_of(addr, order)), object) };
            match result {
                Ok(Some(slab)) => freed.push(slab, ListKind::Free),
                Ok(None) => {}
                Err(kind) => {
                    found.get_or_insert((kind, addr));
                }
            }
        };
        // SAFETY: forwarded contract.
        unsafe { stock.drain(n, &mut put) };
        found
    }

    /// Empties every CPU's stock into the slabs (Linux's flush_all).
    pub(crate) fn flush_cpu_stocks(&self)
    where
        Self: Sync,
    {
        C::on_each_cpu(&|cpu| self.flush_stock(cpu));
    }

    /// Empties the stock of `cpu`; called through `on_each_cpu` only.
    fn flush_stock(&self, cpu: usize) {
        let Some(stock) = self.stocks.get(cpu) else {
            return;
        };
        if stock.len() == 0 {
            return;
        }
        let mut freed = SlabList::new();
        let mut node = self.node.lock();
        // SAFETY: on_each_cpu runs this while `cpu` is outside the slab layer (CpuLocal's
        // contract), so the stock is ours; the node is locked.
        let found = unsafe { self.drain(&mut node, stock, usize::MAX, &mut freed) };
        let reporter = node.reporter;
        drop(node);

        self.discard_all(&mut freed);
        if let Some((kind, addr)) = found {
            self.report(reporter, kind, addr);
        }
    }
}
