//! Tests of kmalloc's rules: Linux's cache names and size classes, alignment of every
//! class, large allocations from the page source, kfree and ksize from the owner word,
//! ZERO_SIZE_PTR, __GFP_ZERO, the DMA set, and GlobalAlloc's layout handling.

use core::alloc::{GlobalAlloc, Layout};
use std::vec::Vec;

use super::*;
use crate::testing::{Km, StdPages};
use crate::KmallocGlobal;

fn free(k: &Km<'_>, ptr: NonNull<u8>) {
    // SAFETY: every pointer passed here came from `k` and is freed once.
    unsafe { k.kfree(ptr.as_ptr()) }.expect("clean kfree");
}

#[test]
fn caches_have_linux_names_and_sizes() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    let names: Vec<_> = k.caches().map(|c| (c.name(), c.object_size())).collect();
    assert_eq!(names[0], ("kmalloc-8", 8));
    assert_eq!(names[4], ("kmalloc-96", 96));
    assert_eq!(names[6], ("kmalloc-192", 192));
    assert_eq!(names[9], ("kmalloc-1k", 1024));
    assert_eq!(names[12], ("kmalloc-8k", 8192));
    assert_eq!(names[13], ("dma-kmalloc-8", 8));
    assert_eq!(names[25], ("dma-kmalloc-8k", 8192));
    assert!(k
        .caches()
        .skip(13)
        .all(|c| c.flags().contains(SlabFlags::CACHE_DMA)));
}

#[test]
fn each_size_goes_to_the_smallest_class_that_holds_it() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    let cases = [
        (1, 8),
        (8, 8),
        (9, 16),
        (17, 32),
        (33, 64),
        (65, 96),
        (96, 96),
        (97, 128),
        (129, 192),
        (192, 192),
        (193, 256),
        (257, 512),
        (1000, 1024),
        (2049, 4096),
        (8192, 8192),
    ];
    for (size, class) in cases {
        assert_eq!(
            k.cache(size, Gfp::KERNEL).map(|c| c.object_size()),
            Some(class)
        );
        let ptr = k.kmalloc(size, Gfp::KERNEL).unwrap();
        assert_eq!(k.ksize(ptr.as_ptr()), class, "ksize of kmalloc({size})");
        free(&k, ptr);
    }
    assert!(k.cache(8193, Gfp::KERNEL).is_none());
}

#[test]
fn every_class_is_aligned_to_its_size_or_its_largest_power_of_two() {
    for debug in [false, true] {
        let pages = StdPages::new();
        let k = Km::new(&pages);
        k.set_debug(debug).unwrap();
        for (class, align) in KMALLOC_SIZES.iter().zip(ALIGNS) {
            let per_slab = k.cache(*class, Gfp::KERNEL).unwrap().layout().objects;
            let ptrs: Vec<_> = (0..per_slab + 2)
                .map(|_| k.kmalloc(*class, Gfp::KERNEL).unwrap())
                .collect();
            for ptr in &ptrs {
                assert_eq!(
                    ptr.as_ptr() as usize % align,
                    0,
                    "kmalloc-{class} debug {debug}"
                );
            }
            ptrs.into_iter().for_each(|p| free(&k, p));
        }
    }
}

#[test]
fn large_allocations_come_from_the_page_source_and_go_back() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    let ptr = k.kmalloc(100_000, Gfp::KERNEL).unwrap();
    assert_eq!(ptr.as_ptr() as usize % (128 << 10), 0);
    assert_eq!(k.ksize(ptr.as_ptr()), 128 << 10);
    assert_eq!((pages.live_blocks(), pages.live_pages()), (1, 32));
    assert_eq!(k.large_bytes(), 128 << 10);
    free(&k, ptr);
    assert_eq!(
        (pages.live_blocks(), pages.owned_pages(), k.large_bytes()),
        (0, 0, 0)
    );
    assert_eq!(k.kmalloc(KMALLOC_MAX_SIZE + 1, Gfp::KERNEL), None);
    let ptr = k
        .kmalloc(KMALLOC_MAX_SIZE, Gfp::KERNEL | Gfp::ZERO)
        .unwrap();
    assert_eq!(pages.gfps().last(), Some(&(Gfp::KERNEL | Gfp::ZERO)));
    free(&k, ptr);
}

#[test]
fn kfree_finds_the_cache_from_the_page_owner() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    let sizes = [3, 30, 70, 150, 700, 3000, 5000, 9000];
    let ptrs: Vec<_> = sizes
        .iter()
        .map(|&s| k.kmalloc(s, Gfp::KERNEL).unwrap())
        .collect();
    assert_eq!(k.caches().map(|c| c.stats().in_use()).sum::<usize>(), 7);
    ptrs.into_iter().for_each(|p| free(&k, p));
    assert!(k.caches().all(|c| c.stats().in_use() == 0));
    k.shrink();
    assert_eq!(pages.live_blocks(), 0);
}

#[test]
fn zero_size_and_null_are_linux_s_special_pointers() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    let zero = k.kmalloc(0, Gfp::KERNEL).unwrap();
    assert_eq!(zero.as_ptr() as usize, ZERO_SIZE_PTR);
    assert_eq!(k.ksize(zero.as_ptr()), 0);
    assert_eq!(k.ksize(core::ptr::null()), 0);
    // SAFETY: both are no-ops by definition.
    unsafe {
        assert_eq!(k.kfree(zero.as_ptr()), Ok(()));
        assert_eq!(k.kfree(core::ptr::null()), Ok(()));
    }
    assert_eq!(pages.live_blocks(), 0);
}

#[test]
fn kzalloc_zeroes_a_dirty_object() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    let a = k.kmalloc(64, Gfp::KERNEL).unwrap();
    // SAFETY: 64 bytes of ours.
    unsafe { a.as_ptr().write_bytes(0xee, 64) };
    free(&k, a);
    let b = k.kzalloc(64, Gfp::KERNEL).unwrap();
    assert_eq!(a, b);
    // SAFETY: as above.
    assert!(unsafe { std::slice::from_raw_parts(b.as_ptr(), 64) }
        .iter()
        .all(|&x| x == 0));
    free(&k, b);
}

#[test]
fn gfp_dma_uses_the_dma_caches() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    let ptr = k.kmalloc(100, Gfp::DMA_KERNEL).unwrap();
    let dma = k.cache(100, Gfp::DMA_KERNEL).unwrap();
    assert_eq!((dma.name(), dma.stats().in_use()), ("dma-kmalloc-128", 1));
    assert_eq!(k.cache(100, Gfp::KERNEL).unwrap().stats().active_objs, 0);
    assert!(pages.gfps().iter().all(|g| g.contains(Gfp::DMA)));
    free(&k, ptr);
}

#[test]
fn larger_alignments_move_to_larger_classes_or_pages() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    for (size, align, ksize) in [
        (8, 64, 64),
        (96, 64, 128),
        (100, 8192, 8192),
        (10, 16384, 16384),
        (5000, 4096, 8192),
    ] {
        let ptr = k.kmalloc_aligned(size, align, Gfp::KERNEL).unwrap();
        assert_eq!(
            ptr.as_ptr() as usize % align,
            0,
            "size {size} align {align}"
        );
        assert_eq!(k.ksize(ptr.as_ptr()), ksize);
        assert_eq!(k.alloc_size(size, align), ksize);
        free(&k, ptr);
    }
}

#[test]
fn kfree_reports_what_it_cannot_free() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    k.set_reporter(Some(crate::testing::record));
    let mut local = [0u8; 32];
    // SAFETY: refused without touching anything.
    let err = unsafe { k.kfree(local.as_mut_ptr()) }.unwrap_err();
    assert_eq!(
        (err.kind, err.cache),
        (CorruptionKind::InvalidFree, "kmalloc")
    );
    let big = k.kmalloc(20_000, Gfp::KERNEL).unwrap();
    // SAFETY: an interior pointer of a large block is refused.
    let err = unsafe { k.kfree(big.as_ptr().wrapping_add(PAGE_SIZE)) }.unwrap_err();
    assert_eq!(err.kind, CorruptionKind::InvalidFree);
    free(&k, big);
    // SAFETY: the block is gone: its page has no owner word any more.
    let err = unsafe { k.kfree(big.as_ptr()) }.unwrap_err();
    assert_eq!(err.kind, CorruptionKind::InvalidFree);
    assert_eq!(crate::testing::take_reports().len(), 3);

    let other = crate::testing::Cache::create(&pages, "other", 64, 0, SlabFlags::empty(), None);
    let other = other.unwrap();
    let object = other.alloc(Gfp::KERNEL).unwrap();
    // SAFETY: refused: the slab belongs to a cache kmalloc does not own.
    let err = unsafe { k.kfree(object.as_ptr()) }.unwrap_err();
    assert_eq!(err.kind, CorruptionKind::WrongCache);
    // SAFETY: the object came from `other`.
    unsafe { other.free(object) }.unwrap();
}

#[test]
fn global_alloc_honours_layouts_and_reallocates_in_place_within_a_class() {
    let pages = StdPages::new();
    let k = Km::new(&pages);
    let global = KmallocGlobal::new(&k, Gfp::KERNEL);
    let layout = Layout::from_size_align(40, 32).unwrap();
    // SAFETY: GlobalAlloc's contract is kept: non-zero sizes, pointers given back once,
    // realloc with the layout they were allocated with.
    unsafe {
        let p = global.alloc(layout);
        assert_eq!(p as usize % 32, 0);
        p.write_bytes(7, 40);
        let q = global.realloc(p, layout, 60);
        assert_eq!(q, p, "40 and 60 bytes are both kmalloc-64");
        let r = global.realloc(q, Layout::from_size_align(60, 32).unwrap(), 500);
        assert_ne!(r, q);
        assert_eq!(k.ksize(r), 512);
        assert!(std::slice::from_raw_parts(r, 40).iter().all(|&b| b == 7));
        let s = global.realloc(r, Layout::from_size_align(500, 32).unwrap(), 20);
        assert_eq!(k.ksize(s), 32, "shrinking moves to the smaller class");
        global.dealloc(s, Layout::from_size_align(20, 32).unwrap());
        let z = global.alloc_zeroed(Layout::from_size_align(300, 8).unwrap());
        assert!(std::slice::from_raw_parts(z, 300).iter().all(|&b| b == 0));
        global.dealloc(z, Layout::from_size_align(300, 8).unwrap());
        let page = global.alloc(Layout::from_size_align(16, 1 << 16).unwrap());
        assert_eq!(page as usize % (1 << 16), 0);
        global.dealloc(page, Layout::from_size_align(16, 1 << 16).unwrap());
    }
    assert!(k.caches().all(|c| c.stats().in_use() == 0));
    assert_eq!(k.large_bytes(), 0);
}
