//! Slab debugging (Linux: slub_debug=FZP, mm/slub.c's check_object and init_object):
//! free objects are poisoned, every object is framed by red zones whose byte says whether
//! it is in use, and what breaks those patterns is reported with the cache's name and the
//! object's address instead of corrupting the freelist.

use core::fmt;

use crate::layout::SlabLayout;

/// Fills a free object (Linux's POISON_FREE).
pub const POISON_FREE: u8 = 0x6b;
/// Last byte of a poisoned object (Linux's POISON_END).
pub const POISON_END: u8 = 0xa5;
/// Red zone of a free object (Linux's SLUB_RED_INACTIVE).
pub const SLUB_RED_INACTIVE: u8 = 0xbb;
/// Red zone of an object in use (Linux's SLUB_RED_ACTIVE).
pub const SLUB_RED_ACTIVE: u8 = 0xcc;

/// What a check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorruptionKind {
    /// The object was freed while already free.
    DoubleFree,
    /// A red zone of the object was overwritten: an overflow or underflow.
    RedZone,
    /// The poison of a free object was overwritten: a write after free.
    Poison,
    /// A free pointer points outside its slab's objects.
    FreePointer,
    /// A pointer that is not the start of an object this allocator handed out.
    InvalidFree,
    /// An object freed to a cache it does not belong to.
    WrongCache,
}

impl CorruptionKind {
    fn describe(self) -> &'static str {
        match self {
            CorruptionKind::DoubleFree => "double free",
            CorruptionKind::RedZone => "red zone overwritten",
            CorruptionKind::Poison => "poison overwritten (write after free)",
            CorruptionKind::FreePointer => "free pointer corrupt",
            CorruptionKind::InvalidFree => "free of an invalid pointer",
            CorruptionKind::WrongCache => "object freed to the wrong cache",
        }
    }
}

/// One detected corruption. Its Display is the line the kernel prints, for example
/// `slub: double free in kmalloc-64 at 0xffff800000123040`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Corruption {
    pub kind: CorruptionKind,
    /// The cache the object belongs to (or "kmalloc" when no cache owns the address).
    pub cache: &'static str,
    /// The object's address.
    pub addr: usize,
}

impl fmt::Display for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "slub: {} in {} at {:#x}",
            self.kind.describe(),
            self.cache,
            self.addr
        )
    }
}

/// Called with each corruption found, after the cache lock is dropped (so it may printk,
/// and even allocate).
pub type Reporter = fn(&Corruption);

/// The whole slot of the object at `object`: left red zone, object, right red zone.
///
/// # Safety
/// `object` is an object of a slab with this (debug) layout.
unsafe fn slot<'a>(layout: &SlabLayout, object: usize) -> &'a mut [u8] {
    let start = (object - layout.red_left_pad) as *mut u8;
    // SAFETY: per the contract the slot lies inside a slab the cache holds; the caller
    // owns the object (being allocated or freed under the cache lock).
    unsafe { core::slice::from_raw_parts_mut(start, layout.red_left_pad + layout.inuse) }
}

/// Splits a slot into (left red zone, object, right red zone).
fn parts<'a>(layout: &SlabLayout, slot: &'a mut [u8]) -> [&'a mut [u8]; 3] {
    let (left, rest) = slot.split_at_mut(layout.red_left_pad);
    let (object, right) = rest.split_at_mut(layout.object_size);
    [left, object, right]
}

/// Marks an object free: inactive red zones and, when the cache poisons, the poison.
///
/// # Safety
/// As `slot`.
pub(crate) unsafe fn mark_free(layout: &SlabLayout, object: usize) {
    // SAFETY: forwarded contract.
    let [left, body, right] = parts(layout, unsafe { slot(layout, object) });
    left.fill(SLUB_RED_INACTIVE);
    right.fill(SLUB_RED_INACTIVE);
    if layout.poison {
        body.fill(POISON_FREE);
        if let Some(last) = body.last_mut() {
            *last = POISON_END;
        }
    }
}

/// Marks an object in use: active red zones (the poison stays, to show reads of memory
/// the caller never wrote).
///
/// # Safety
/// As `slot`.
pub(crate) unsafe fn mark_active(layout: &SlabLayout, object: usize) {
    // SAFETY: forwarded contract.
    let [left, _, right] = parts(layout, unsafe { slot(layout, object) });
    left.fill(SLUB_RED_ACTIVE);
    right.fill(SLUB_RED_ACTIVE);
}

/// Checks a free object about to be handed out: red zones inactive, poison intact.
///
/// # Safety
/// As `slot`.
pub(crate) unsafe fn check_free(layout: &SlabLayout, object: usize) -> Option<CorruptionKind> {
    // SAFETY: forwarded contract.
    let [left, body, right] = parts(layout, unsafe { slot(layout, object) });
    let red_ok = |zone: &[u8]| zone.iter().all(|&b| b == SLUB_RED_INACTIVE);
    if !red_ok(left) || !red_ok(right) {
        return Some(CorruptionKind::RedZone);
    }
    if layout.poison {
        let (last, rest) = body.split_last().expect("objects are never empty");
        if *last != POISON_END || rest.iter().any(|&b| b != POISON_FREE) {
            return Some(CorruptionKind::Poison);
        }
    }
    None
}

/// Checks an object being freed: red zones still active. Red zones that read as inactive
/// mean the object is already free.
///
/// # Safety
/// As `slot`.
pub(crate) unsafe fn check_in_use(layout: &SlabLayout, object: usize) -> Option<CorruptionKind> {
    // SAFETY: forwarded contract.
    let [left, _, right] = parts(layout, unsafe { slot(layout, object) });
    let all = |zone: &[u8], byte: u8| zone.iter().all(|&b| b == byte);
    if all(left, SLUB_RED_ACTIVE) && all(right, SLUB_RED_ACTIVE) {
        None
    } else if all(left, SLUB_RED_INACTIVE) && all(right, SLUB_RED_INACTIVE) {
        Some(CorruptionKind::DoubleFree)
    } else {
        Some(CorruptionKind::RedZone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn corruption_reads_as_a_kernel_log_line() {
        let c = Corruption {
            kind: CorruptionKind::DoubleFree,
            cache: "kmalloc-64",
            addr: 0x1040,
        };
        assert_eq!(format!("{c}"), "slub: double free in kmalloc-64 at 0x1040");
    }

    #[test]
    fn marks_and_checks_agree() {
        let layout = SlabLayout::new(24, 8, true, false).unwrap();
        let mut buf = [0u64; 8];
        let object = buf.as_mut_ptr() as usize + layout.red_left_pad;
        // SAFETY: the buffer holds a whole slot of this layout.
        unsafe {
            mark_free(&layout, object);
            assert_eq!(check_free(&layout, object), None);
            assert_eq!(
                check_in_use(&layout, object),
                Some(CorruptionKind::DoubleFree)
            );
            mark_active(&layout, object);
            assert_eq!(check_in_use(&layout, object), None);
            *(object as *mut u8).add(24) = 0;
            assert_eq!(check_in_use(&layout, object), Some(CorruptionKind::RedZone));
        }
    }
}
