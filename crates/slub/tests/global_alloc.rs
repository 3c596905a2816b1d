//! kmalloc as the `#[global_allocator]` of this whole test binary, debug mode on: Box, Vec,
//! String and BTreeMap (and the test harness's own threads) allocate from the kmalloc
//! caches, as in the kernel, over a static arena standing in for the buddy allocator.

#[path = "support/arena.rs"]
mod arena;
#[path = "support/cpu.rs"]
mod cpu;

use std::alloc::{alloc, dealloc, Layout};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use arena::Arena;
use cpu::ThreadCpu;
use gfp::Gfp;
use slub::{Corruption, Kmalloc, KmallocGlobal, SlabFlags};

type Pages = Arena<16384>;
type Lock = spin::Mutex<()>;

static PAGES: Pages = Arena::new();
static KMALLOC: Kmalloc<'static, Pages, Lock, ThreadCpu> =
    Kmalloc::with_flags(&PAGES, SlabFlags::DEBUG);
#[global_allocator]
static GLOBAL: KmallocGlobal<'static, Pages, Lock, ThreadCpu> =
    KmallocGlobal::new(&KMALLOC, Gfp::KERNEL);

static CORRUPTIONS: AtomicUsize = AtomicUsize::new(0);

fn count(_: &Corruption) {
    CORRUPTIONS.fetch_add(1, Ordering::Relaxed);
}

fn setup() {
    KMALLOC.set_reporter(Some(count));
}

fn active(name: &str) -> usize {
    KMALLOC
        .caches()
        .find(|c| c.name() == name)
        .expect("a kmalloc cache")
        .stats()
        .active_objs
}

#[test]
fn box_vec_string_and_btreemap_live_in_kmalloc() {
    setup();
    let boxed = Box::new([7u8; 100]);
    assert_eq!(
        KMALLOC.ksize(boxed.as_ptr()),
        128,
        "a 100-byte Box is in kmalloc-128"
    );

    let mut v = Vec::new();
    for i in 0..100_000u64 {
        v.push(i * 3);
    }
    assert_eq!(
        KMALLOC.ksize(v.as_ptr().cast()),
        1 << 20,
        "800 KB: a large order-8 block"
    );
    assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64 * 3));

    let mut map = BTreeMap::new();
    for i in 0..10_000u32 {
        map.insert(i, format!("value {i}"));
    }
    assert!(map.iter().all(|(k, v)| *v == format!("value {k}")));
    assert!(active("kmalloc-16") > 0, "the strings are 8 to 11 bytes");
    drop((boxed, v, map));
    assert_eq!(CORRUPTIONS.load(Ordering::Relaxed), 0);
}

#[test]
fn layouts_with_large_alignments_are_honoured() {
    setup();
    for (size, align) in [(8, 64), (96, 64), (1, 4096), (5000, 8192), (100, 1 << 16)] {
        let layout = Layout::from_size_align(size, align).unwrap();
        // SAFETY: a non-zero layout, given back once with the same layout.
        unsafe {
            let p = alloc(layout);
            assert!(!p.is_null());
            assert_eq!(p as usize % align, 0, "size {size} align {align}");
            p.write_bytes(1, size);
            dealloc(p, layout);
        }
    }
    #[repr(align(4096))]
    struct Page([u8; 4096]);
    let page = Box::new(Page([0; 4096]));
    assert_eq!(&*page as *const Page as usize % 4096, 0);
    assert_eq!(page.0.len(), 4096);
    assert_eq!(CORRUPTIONS.load(Ordering::Relaxed), 0);
}

#[test]
fn threads_allocate_concurrently() {
    setup();
    let handles: Vec<_> = (0..4u32)
        .map(|t| {
            std::thread::spawn(move || {
                let mut total = 0u64;
                for round in 0..300u32 {
                    let map: BTreeMap<u32, Vec<u32>> = (0..round % 64)
                        .map(|i| (i, vec![t; (i % 40) as usize]))
                        .collect();
                    total += map.values().map(|v| v.len() as u64).sum::<u64>();
                    assert!(map.values().flatten().all(|&x| x == t));
                }
                total
            })
        })
        .collect();
    let totals: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(CORRUPTIONS.load(Ordering::Relaxed), 0);
}

#[test]
fn objects_are_counted_while_alive() {
    setup();
    let boxes: Vec<Box<[u8; 64]>> = (0..1000).map(|i| Box::new([i as u8; 64])).collect();
    assert!(active("kmalloc-64") >= 1000);
    assert!(boxes.iter().enumerate().all(|(i, b)| b[63] == i as u8));
    drop(boxes);
    assert!(KMALLOC.caches().all(|c| c.stats().corruptions == 0));
}
