//! Tests of debug mode (Linux's slub_debug=FZP) through kmalloc: poison and red zones as
//! Linux writes them, and a double free, an overflow into a red zone, a write after free
//! and a damaged free pointer each reported with the right cache and address, the damaged
//! object kept out of use and the freelist left sound.

use std::collections::HashSet;
use std::format;
use std::vec::Vec;

use super::*;
use crate::debug::{POISON_END, POISON_FREE, SLUB_RED_ACTIVE, SLUB_RED_INACTIVE};
use crate::testing::{record, take_reports, Km, StdPages};

fn debug_kmalloc(pages: &StdPages) -> Km<'_> {
    let k = Km::with_flags(pages, SlabFlags::DEBUG);
    k.set_reporter(Some(record));
    take_reports();
    k
}

fn alloc64(k: &Km<'_>) -> NonNull<u8> {
    k.kmalloc(64, Gfp::KERNEL).expect("memory")
}

fn byte(ptr: NonNull<u8>, offset: isize) -> u8 {
    // SAFETY: tests read the slot around an object of a slab that is still held.
    unsafe { ptr.as_ptr().offset(offset).read() }
}

fn poke(ptr: NonNull<u8>, offset: isize, value: u8) {
    // SAFETY: tests damage the slot around an object of a slab that is still held.
    unsafe { ptr.as_ptr().offset(offset).write(value) }
}

#[test]
fn objects_carry_linux_poison_and_red_zone_bytes() {
    let pages = StdPages::new();
    let k = debug_kmalloc(&pages);
    let a = alloc64(&k);
    let _b = alloc64(&k);
    assert_eq!(
        (byte(a, -1), byte(a, 64)),
        (SLUB_RED_ACTIVE, SLUB_RED_ACTIVE)
    );
    assert_eq!(
        (byte(a, 0), byte(a, 63)),
        (POISON_FREE, POISON_END),
        "never written yet"
    );
    // SAFETY: `a` came from `k`.
    unsafe { k.kfree(a.as_ptr()) }.unwrap();
    assert_eq!(
        (byte(a, -1), byte(a, 64)),
        (SLUB_RED_INACTIVE, SLUB_RED_INACTIVE)
    );
    assert!((0..63).all(|i| byte(a, i) == POISON_FREE) && byte(a, 63) == POISON_END);
}

#[test]
fn a_double_free_is_reported_and_the_object_is_not_handed_out_twice() {
    let pages = StdPages::new();
    let k = debug_kmalloc(&pages);
    let a = alloc64(&k);
    // SAFETY: the first free is legitimate; the second is what debug mode must catch.
    unsafe { k.kfree(a.as_ptr()) }.unwrap();
    let err = unsafe { k.kfree(a.as_ptr()) }.unwrap_err();
    let expected = Corruption {
        kind: CorruptionKind::DoubleFree,
        cache: "kmalloc-64",
        addr: 0,
    };
    assert_eq!(
        err,
        Corruption {
            addr: a.as_ptr() as usize,
            ..expected
        }
    );
    assert_eq!(take_reports(), [err]);
    assert_eq!(
        format!("{err}"),
        format!(
            "slub: double free in kmalloc-64 at {:#x}",
            a.as_ptr() as usize
        )
    );
    let ptrs: Vec<_> = (0..10).map(|_| alloc64(&k)).collect();
    let distinct: HashSet<_> = ptrs.iter().collect();
    assert_eq!(distinct.len(), 10);
}

#[test]
fn an_overflow_into_the_red_zone_is_caught_on_free() {
    let pages = StdPages::new();
    let k = debug_kmalloc(&pages);
    let a = k.kmalloc(200, Gfp::KERNEL).unwrap();
    poke(a, 256, 0);
    // SAFETY: `a` came from `k`; the damage is what is being checked.
    let err = unsafe { k.kfree(a.as_ptr()) }.unwrap_err();
    assert_eq!(
        (err.kind, err.cache),
        (CorruptionKind::RedZone, "kmalloc-256")
    );
    assert_eq!(take_reports(), [err]);
    let stats = k.cache(200, Gfp::KERNEL).unwrap().stats();
    assert_eq!(
        (stats.active_objs, stats.quarantined, stats.corruptions),
        (1, 1, 1)
    );

    let b = k.kmalloc(30, Gfp::KERNEL).unwrap();
    poke(b, -1, 0x41);
    // SAFETY: as above, an underflow this time.
    let err = unsafe { k.kfree(b.as_ptr()) }.unwrap_err();
    assert_eq!(
        (err.kind, err.cache),
        (CorruptionKind::RedZone, "kmalloc-32")
    );
}

#[test]
fn a_write_after_free_is_caught_when_the_object_would_be_reused() {
    let pages = StdPages::new();
    let k = debug_kmalloc(&pages);
    let a = alloc64(&k);
    // SAFETY: `a` came from `k`.
    unsafe { k.kfree(a.as_ptr()) }.unwrap();
    poke(a, 10, 0);
    let b = alloc64(&k);
    assert_ne!(a, b, "the damaged object is kept out of use");
    let reports = take_reports();
    let expected = Corruption {
        kind: CorruptionKind::Poison,
        cache: "kmalloc-64",
        addr: 0,
    };
    assert_eq!(
        reports,
        [Corruption {
            addr: a.as_ptr() as usize,
            ..expected
        }]
    );
    let stats = k.cache(64, Gfp::KERNEL).unwrap().stats();
    assert_eq!((stats.active_objs, stats.quarantined), (2, 1));
    assert!((0..50).map(|_| alloc64(&k)).all(|p| p != a));
}

#[test]
fn a_damaged_free_pointer_takes_its_slab_out_of_use() {
    let pages = StdPages::new();
    let k = debug_kmalloc(&pages);
    let cache = k.cache(64, Gfp::KERNEL).unwrap();
    let a = alloc64(&k);
    // SAFETY: `a` came from `k`.
    unsafe { k.kfree(a.as_ptr()) }.unwrap();
    let offset = cache.layout().offset as isize;
    (0..8).for_each(|i| poke(a, offset + i, 0x77));
    let b = alloc64(&k);
    let reports = take_reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        (reports[0].kind, reports[0].addr),
        (CorruptionKind::FreePointer, a.as_ptr() as usize)
    );
    let stats = cache.stats();
    assert_eq!(
        (stats.full_slabs, stats.partial_slabs, stats.num_slabs()),
        (1, 1, 2)
    );
    assert_ne!(page_of(b.as_ptr() as usize), page_of(a.as_ptr() as usize));
}

#[test]
fn a_pointer_inside_an_object_is_not_freed() {
    let pages = StdPages::new();
    let k = debug_kmalloc(&pages);
    let a = k.kmalloc(128, Gfp::KERNEL).unwrap();
    // SAFETY: refused: not the start of an object.
    let err = unsafe { k.kfree(a.as_ptr().wrapping_add(8)) }.unwrap_err();
    assert_eq!(
        (err.kind, err.cache),
        (CorruptionKind::InvalidFree, "kmalloc-128")
    );
    // SAFETY: the real pointer is still freed cleanly.
    unsafe { k.kfree(a.as_ptr()) }.unwrap();
}

#[test]
fn debug_mode_is_off_by_default_and_switched_on_for_all_caches() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    assert!(k.caches().all(|c| !c.layout().debug));
    let a = alloc64(&k);
    assert_eq!(
        k.set_debug(true),
        Err(SlabError::HasSlabs {
            cache: "kmalloc-64"
        })
    );
    // SAFETY: `a` came from `k`.
    unsafe { k.kfree(a.as_ptr()) }.unwrap();
    assert_eq!(k.set_debug(true), Ok(()));
    assert!(k.caches().all(|c| c.layout().debug));
}
