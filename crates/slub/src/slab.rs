//! One slab: a page-allocator block cut into objects (Linux: struct slab, carved out of
//! struct page). Its header sits at the start of the block; free objects are chained
//! through a free pointer stored at a fixed offset inside each free object, as in SLUB,
//! and the header links the slab into one of its cache's lists: partial, full or free
//! (or into none, while it is the slab its cache allocates from).

use core::cell::Cell;
use core::ptr::{self, NonNull};

/// Which list of its cache a slab is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListKind {
    /// On no list: the slab allocations come from (SLUB's cpu slab).
    Current,
    /// Some objects in use, some free (Linux: n->partial).
    Partial,
    /// Every object in use (Linux: n->full, kept by SLUB only in debug mode).
    Full,
    /// No object in use: a spare slab, kept up to the cache's min_partial.
    Free,
}

/// The header at the start of every slab block. All fields but `cache` change only under
/// the owning cache's lock, hence the cells.
pub(crate) struct SlabHeader {
    /// First free object, or null.
    freelist: Cell<*mut u8>,
    next: Cell<Option<Slab>>,
    prev: Cell<Option<Slab>>,
    /// Objects handed out (or kept out of use after a corruption).
    inuse: Cell<u32>,
    list: Cell<ListKind>,
    /// Objects the slab holds, and its block's order: a slab may be smaller than its
    /// cache's layout asks when memory is fragmented (Linux: slab->objects, the order
    /// from the folio). Small enough to sit in the padding after `list`: a slab above
    /// order 3 is made only for objects too big for order 3, so it holds few.
    objects: u16,
    order: u8,
}

/// Bytes the header takes at the start of a slab, before the first object is aligned.
pub(crate) const HEADER_SIZE: usize = core::mem::size_of::<SlabHeader>();

/// A handle to a slab the cache holds. Made only by `init` or `from_base` (both unsafe),
/// so every handle in use points to a live header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slab(NonNull<SlabHeader>);

impl Slab {
    /// Writes a fresh header, with an empty freelist, at the start of a new block of
    /// 2^order pages that holds `objects` objects.
    ///
    /// # Safety
    /// `base` starts a page-aligned block of 2^order pages that the caller holds and that
    /// nothing else uses; the handle must not be used after the block is given back.
    pub(crate) unsafe fn init(base: NonNull<u8>, order: u32, objects: usize) -> Slab {
        let header = base.cast::<SlabHeader>();
        let fresh = SlabHeader {
            freelist: Cell::new(ptr::null_mut()),
            next: Cell::new(None),
            prev: Cell::new(None),
            inuse: Cell::new(0),
            list: Cell::new(ListKind::Free),
            objects: u16::try_from(objects).expect("a slab holds fewer than 65536 objects"),
            order: order as u8,
        };
        // SAFETY: the caller gives us the block, page aligned and large enough.
        unsafe { header.as_ptr().write(fresh) };
        Slab(header)
    }

    /// The slab that starts at `base`, found from an owner word.
    ///
    /// # Safety
    /// `base` is the start of a slab block whose pages the slab layer still holds.
    #[inline]
    pub(crate) unsafe fn from_base(base: usize) -> Slab {
        // SAFETY: a slab block is never at address 0.
        Slab(unsafe { NonNull::new_unchecked(base as *mut SlabHeader) })
    }

    fn header(&self) -> &SlabHeader {
        // SAFETY: a handle is made only for a live header (see `init` and `from_base`),
        // and fields change only through cells under the cache lock.
        unsafe { self.0.as_ref() }
    }

    /// The start of the slab block.
    pub(crate) fn base(self) -> usize {
        self.0.as_ptr() as usize
    }

    /// Objects the slab holds.
    pub(crate) fn objects(self) -> usize {
        self.header().objects as usize
    }

    /// The slab's block is 2^order pages.
    pub(crate) fn order(self) -> u32 {
        u32::from(self.header().order)
    }

    /// Every object of the slab is in use.
    pub(crate) fn is_full(self) -> bool {
        self.inuse() as usize == self.objects()
    }

    pub(crate) fn inuse(self) -> u32 {
        self.header().inuse.get()
    }

    pub(crate) fn set_inuse(self, inuse: u32) {
        self.header().inuse.set(inuse);
    }

    pub(crate) fn list(self) -> ListKind {
        self.header().list.get()
    }

    /// Records that the slab is on no list, as its cache's current slab.
    pub(crate) fn set_current(self) {
        self.header().list.set(ListKind::Current);
    }

    /// The first free object, if any.
    pub(crate) fn freelist(self) -> *mut u8 {
        self.header().freelist.get()
    }

    pub(crate) fn set_freelist(self, object: *mut u8) {
        self.header().freelist.set(object);
    }

    /// The free pointer stored in `object`, which is on this slab's freelist.
    pub(crate) fn next_free(self, object: NonNull<u8>, offset: usize) -> *mut u8 {
        // SAFETY: objects on the freelist are inside this slab, 8-aligned, with their
        // free pointer at `offset` written by `push_free`.
        unsafe { object.as_ptr().add(offset).cast::<*mut u8>().read() }
    }

    /// Puts `object` at the head of the freelist.
    ///
    /// # Safety
    /// `object` is the start of an object of this slab that is not on its freelist, and
    /// `offset` is the cache's free pointer offset.
    pub(crate) unsafe fn push_free(self, object: NonNull<u8>, offset: usize) {
        // SAFETY: per the contract the free pointer slot is inside the object's slot.
        unsafe {
            object
                .as_ptr()
                .add(offset)
                .cast::<*mut u8>()
                .write(self.freelist())
        };
        self.set_freelist(object.as_ptr());
    }
}

/// An intrusive doubly linked list of slabs, linked through their headers
/// (Linux: the slab_list of struct slab on a list_head).
pub(crate) struct SlabList {
    head: Option<Slab>,
    len: usize,
}

impl SlabList {
    pub(crate) const fn new() -> SlabList {
        SlabList { head: None, len: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Adds a slab that is on no list at the head, and records which list it is on.
    pub(crate) fn push(&mut self, slab: Slab, kind: ListKind) {
        let header = slab.header();
        header.prev.set(None);
        header.next.set(self.head);
        header.list.set(kind);
        if let Some(old) = self.head {
            old.header().prev.set(Some(slab));
        }
        self.head = Some(slab);
        self.len += 1;
    }

    /// Unlinks a slab that is on this list.
    pub(crate) fn remove(&mut self, slab: Slab) {
        let header = slab.header();
        let (prev, next) = (header.prev.get(), header.next.get());
        match prev {
            Some(p) => p.header().next.set(next),
            None => self.head = next,
        }
        if let Some(n) = next {
            n.header().prev.set(prev);
        }
        header.next.set(None);
        header.prev.set(None);
        self.len -= 1;
    }

    /// The slabs on the list, first to last.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Slab> + '_ {
        core::iter::successors(self.head, |slab| slab.header().next.get())
    }

    /// Unlinks and returns the first slab.
    pub(crate) fn pop(&mut self) -> Option<Slab> {
        let slab = self.head?;
        self.remove(slab);
        Some(slab)
    }
}
