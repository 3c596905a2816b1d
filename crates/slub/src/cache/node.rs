//! The slabs of one cache and the moves between them (Linux: struct kmem_cache_node, the
//! cpu slab and the slow paths of mm/slub.c). Objects come from a current slab; when it is
//! full it goes to the full list and a partial slab, else a free one, takes its place.
//! A free puts the object back on its own slab: full slabs become partial, partial slabs
//! that empty become free, and free slabs beyond min_partial go back to the page source.

use core::ptr::{self, NonNull};

use crate::debug::{self, CorruptionKind, Reporter};
use crate::layout::SlabLayout;
use crate::slab::{ListKind, Slab, SlabList};

/// Linux keeps between MIN_PARTIAL and MAX_PARTIAL slabs around: ilog2(size) / 2.
const MIN_PARTIAL: usize = 5;
const MAX_PARTIAL: usize = 10;

/// A cache's state that changes under its lock.
pub(crate) struct CacheNode {
    pub(crate) layout: SlabLayout,
    /// The slab objects are taken from, on no list (SLUB's cpu slab, shared by all CPUs
    /// here: they take batches from it into their stocks). It stays even when its last
    /// object comes back, unless min_partial free slabs are kept already.
    current: Option<Slab>,
    partial: SlabList,
    full: SlabList,
    free: SlabList,
    /// Free slabs kept for the next allocations, the current one included (Linux:
    /// s->min_partial).
    pub(crate) min_partial: usize,
    /// Objects off their slabs' freelists: handed out, in CPU stocks, or kept out of use
    /// after a corruption (Linux's active objects).
    pub(crate) active: usize,
    /// Objects kept out of use because a check found them damaged.
    pub(crate) quarantined: usize,
    /// Corruptions found so far.
    pub(crate) corruptions: usize,
    pub(crate) reporter: Option<Reporter>,
    /// Destroyed: allocations fail.
    pub(crate) dead: bool,
}

// SAFETY: the slabs linked from the node are reached only through it, and so only under
// the cache lock, whichever CPU holds it.
unsafe impl Send for CacheNode {}

/// What an allocation from the node found.
pub(crate) enum Take {
    Object(NonNull<u8>),
    /// A damaged object (kept out of use) at this address: report it and try again.
    Corrupt(CorruptionKind, usize),
    /// No slab with a free object: grow the cache.
    NoSlab,
}

impl CacheNode {
    pub(crate) const fn new(layout: SlabLayout) -> CacheNode {
        let half_log = (usize::BITS - 1 - layout.size.leading_zeros()) as usize / 2;
        let min_partial = if half_log < MIN_PARTIAL {
            MIN_PARTIAL
        } else if half_log > MAX_PARTIAL {
            MAX_PARTIAL
        } else {
            half_log
        };
        CacheNode {
            layout,
            current: None,
            partial: SlabList::new(),
            full: SlabList::new(),
            free: SlabList::new(),
            min_partial,
            active: 0,
            quarantined: 0,
            corruptions: 0,
            reporter: None,
            dead: false,
        }
    }

    /// Slabs that are (partial, full, free), the current one counted by its state.
    pub(crate) fn counts(&self) -> (usize, usize, usize) {
        let (mut partial, mut full, mut free) =
            (self.partial.len(), self.full.len(), self.free.len());
        if let Some(current) = self.current {
            match current.inuse() {
                0 => free += 1,
                _ if current.is_full() => full += 1,
                _ => partial += 1,
            }
        }
        (partial, full, free)
    }

    /// Objects in all the slabs, which may differ in size (see `CacheNode::grow`).
    pub(crate) fn total_objects(&self) -> usize {
        let lists = self
            .partial
            .iter()
            .chain(self.full.iter())
            .chain(self.free.iter());
        lists.chain(self.current).map(Slab::objects).sum()
    }

    /// Free slabs kept, the current one included if it is empty.
    fn kept_free(&self) -> usize {
        self.free.len() + self.current.is_some_and(|c| c.inuse() == 0) as usize
    }

    /// Adds a slab grown because the cache had no free object. If another CPU has grown the
    /// cache meanwhile and min_partial free slabs are kept already, the slab is surplus and
    /// is returned, for the caller to give back: kept, it would stay free beyond
    /// min_partial until the next shrink.
    pub(crate) fn add_grown(&mut self, slab: Slab) -> Option<Slab> {
        let has_free_objects =
            self.current.is_some() || self.partial.len() > 0 || self.free.len() > 0;
        if has_free_objects && self.kept_free() >= self.min_partial {
            return Some(slab);
        }
        self.free.push(slab, ListKind::Free);
        None
    }

    /// Takes a free slab (the current one last) to be given back.
    pub(crate) fn pop_free_slab(&mut self) -> Option<Slab> {
        if let Some(slab) = self.free.pop() {
            return Some(slab);
        }
        let current = self.current.filter(|c| c.inuse() == 0)?;
        self.current = None;
        Some(current)
    }

    /// Takes an object: the fast path, plus the debug checks.
    #[inline]
    pub(crate) fn take(&mut self) -> Take {
        let slab = match self.current {
            Some(slab) => slab,
            None => match self.partial.pop().or_else(|| self.free.pop()) {
                Some(slab) => {
                    slab.set_current();
                    self.current = Some(slab);
                    slab
                }
                None => return Take::NoSlab,
            },
        };
        let object = NonNull::new(slab.freelist()).expect("the current slab is never full");
        let next = slab.next_free(object, self.layout.offset);
        if self.layout.debug {
            if let Some(kind) = self.check_taken(slab, object, next) {
                return Take::Corrupt(kind, object.as_ptr() as usize);
            }
        }
        self.hand_out(slab, next);
        Take::Object(object)
    }

    /// Counts the head of the current slab's freelist as in use.
    #[inline]
    fn hand_out(&mut self, slab: Slab, next: *mut u8) {
        slab.set_freelist(next);
        slab.set_inuse(slab.inuse() + 1);
        self.active += 1;
        if slab.is_full() {
            self.current = None;
            self.full.push(slab, ListKind::Full);
        }
    }

    /// Debug checks of an object about to be handed out. A damaged object is taken off the
    /// freelist and kept out of use; a damaged free pointer takes the rest of the slab out
    /// of use, as Linux does, since nothing on that freelist can be trusted.
    fn check_taken(
        &mut self,
        slab: Slab,
        object: NonNull<u8>,
        next: *mut u8,
    ) -> Option<CorruptionKind> {
        let addr = object.as_ptr() as usize;
        if !next.is_null()
            && !self
                .layout
                .is_object(slab.base(), slab.objects(), next as usize)
        {
            let lost = slab.objects() - slab.inuse() as usize;
            slab.set_freelist(ptr::null_mut());
            slab.set_inuse(slab.objects() as u32);
            self.active += lost;
            self.quarantined += lost;
            self.corruptions += 1;
            self.current = None;
            self.full.push(slab, ListKind::Full);
            return Some(CorruptionKind::FreePointer);
        }
        // SAFETY: the object was on this slab's freelist, so it is an object of this layout.
        if let Some(kind) = unsafe { debug::check_free(&self.layout, addr) } {
            self.hand_out(slab, next);
            self.quarantined += 1;
            self.corruptions += 1;
            return Some(kind);
        }
        // SAFETY: as above; it is being handed out under the lock.
        unsafe { debug::mark_active(&self.layout, addr) };
        None
    }

    /// Puts `object` back on `slab`, moving the slab between lists. Returns a slab that
    /// became free while min_partial free slabs are already kept: the caller gives it back.
    ///
    /// # Safety
    /// `slab` belongs to this cache and holds the page of `object`; without debug checks,
    /// `object` must also be an object of `slab` that is in use.
    #[inline]
    pub(crate) unsafe fn put(
        &mut self,
        slab: Slab,
        object: NonNull<u8>,
    ) -> Result<Option<Slab>, CorruptionKind> {
        if self.layout.debug {
            // SAFETY: forwarded contract.
            unsafe { self.check_put(slab, object)? };
        } else if slab.freelist() == object.as_ptr() || slab.inuse() == 0 {
            // The cheap checks Linux makes without debugging (the object is at the head
            // of the freelist, or its slab has nothing in use).
            self.corruptions += 1;
            return Err(CorruptionKind::DoubleFree);
        }

        // SAFETY: an object of this slab, in use (checked in debug mode, else the contract).
        unsafe { slab.push_free(object, self.layout.offset) };
        slab.set_inuse(slab.inuse() - 1);
        self.active -= 1;
        match slab.list() {
            ListKind::Current if slab.inuse() == 0 && self.free.len() >= self.min_partial => {
                self.current = None;
                Ok(Some(slab))
            }
            ListKind::Current => Ok(None),
            ListKind::Full if slab.inuse() > 0 => {
                self.full.remove(slab);
                self.partial.push(slab, ListKind::Partial);
                Ok(None)
            }
            _ if slab.inuse() > 0 => Ok(None),
            kind => {
                if kind == ListKind::Full {
                    self.full.remove(slab);
                } else {
                    self.partial.remove(slab);
                }
                if self.kept_free() >= self.min_partial {
                    return Ok(Some(slab));
                }
                self.free.push(slab, ListKind::Free);
                Ok(None)
            }
        }
    }

    /// Debug checks of an object being freed; the object is poisoned if it passes.
    ///
    /// # Safety
    /// As `put`.
    unsafe fn check_put(&mut self, slab: Slab, object: NonNull<u8>) -> Result<(), CorruptionKind> {
        let addr = object.as_ptr() as usize;
        if !self.layout.is_object(slab.base(), slab.objects(), addr) {
            self.corruptions += 1;
            return Err(CorruptionKind::InvalidFree);
        }
        // SAFETY: checked just above to be an object of this slab.
        if let Some(kind) = unsafe { debug::check_in_use(&self.layout, addr) } {
            self.corruptions += 1;
            if kind == CorruptionKind::RedZone {
                // Not freed: its neighbours may be damaged too, keep it out of use.
                self.quarantined += 1;
            }
            return Err(kind);
        }
        // SAFETY: as above.
        unsafe { debug::mark_free(&self.layout, addr) };
        Ok(())
    }
}
