//! Tests of the per-CPU stocks (Linux's per-CPU fast path): a batch taken when a stock is
//! empty and half given back when it is full, at their exact boundaries; objects freed on
//! another CPU; CPUs beyond MAX_CPUS; no lock on the fast path; shrink, destroy and
//! set_debug flushing every CPU's stock first. Each thread is a CPU (testing::TestCpu).

use std::sync::mpsc;
use std::time::Duration;
use std::vec::Vec;

use super::*;
use crate::testing::{set_cpu, Cache, StdPages};

fn cache<'p>(pages: &'p StdPages, size: usize) -> Cache<'p> {
    Cache::create(pages, "stock", size, 0, SlabFlags::empty(), None).expect("valid cache")
}

fn alloc_n(cache: &Cache<'_>, n: usize) -> Vec<usize> {
    (0..n)
        .map(|_| cache.alloc(Gfp::KERNEL).expect("memory").as_ptr() as usize)
        .collect()
}

fn free_all(cache: &Cache<'_>, objects: &[usize]) {
    for &addr in objects {
        let object = NonNull::new(addr as *mut u8).expect("objects are not null");
        // SAFETY: each object came from this cache and is freed once.
        unsafe { cache.free(object) }.expect("clean free");
    }
}

/// (objects in use, objects in CPU stocks, active objects as /proc/slabinfo shows them).
fn counts(cache: &Cache<'_>) -> (usize, usize, usize) {
    let stats = cache.stats();
    (stats.in_use(), stats.cpu_objs, stats.active_objs)
}

#[test]
fn an_empty_stock_takes_a_batch_handed_out_in_address_order() {
    set_cpu(0);
    let pages = StdPages::new();
    let c = cache(&pages, 64);
    assert_eq!((c.stats().limit, c.stats().batchcount), (30, 15));
    let first = alloc_n(&c, 1);
    assert_eq!(counts(&c), (1, 14, 15));
    let rest = alloc_n(&c, 14);
    assert_eq!(counts(&c), (15, 0, 15), "not refilled before it is needed");
    let all: Vec<usize> = first.iter().chain(&rest).copied().collect();
    assert!(
        all.windows(2).all(|w| w[0] + 64 == w[1]),
        "in address order"
    );
    let next = alloc_n(&c, 1);
    assert_eq!(counts(&c), (16, 14, 30));
    free_all(&c, &all);
    free_all(&c, &next);
    assert_eq!(counts(&c), (0, 30, 30), "a full stock, nothing drained yet");
}

#[test]
fn a_full_stock_gives_its_oldest_half_back_to_the_slabs() {
    set_cpu(0);
    let pages = StdPages::new();
    let c = cache(&pages, 64);
    let objects = alloc_n(&c, 45);
    assert_eq!(counts(&c), (45, 0, 45));
    free_all(&c, &objects[..30]);
    assert_eq!(counts(&c), (15, 30, 45));
    free_all(&c, &objects[30..31]);
    assert_eq!(counts(&c), (14, 16, 30), "15 went back, the 31st went in");
    assert_eq!(
        alloc_n(&c, 2),
        [objects[30], objects[29]],
        "the newest stayed"
    );
    let rest = alloc_n(&c, 14);
    assert!(rest.iter().all(|o| objects[15..29].contains(o)));
    assert_eq!(counts(&c), (30, 0, 30));
}

#[test]
fn an_object_freed_on_another_cpu_joins_that_cpu_s_stock() {
    set_cpu(0);
    let pages = StdPages::new();
    let c = cache(&pages, 64);
    let object = alloc_n(&c, 1);
    std::thread::scope(|s| {
        s.spawn(|| {
            set_cpu(1);
            free_all(&c, &object);
            assert_eq!(counts(&c), (0, 15, 15));
            assert_eq!(
                alloc_n(&c, 1),
                object,
                "reused first on the CPU that freed it"
            );
            free_all(&c, &object);
        });
    });
    assert_ne!(alloc_n(&c, 1), object, "CPU 0 has a stock of its own");
    assert_eq!(counts(&c), (1, 14, 15));
    c.shrink();
    assert_eq!(counts(&c), (1, 0, 1));
}

#[test]
fn objects_cross_between_cpus_that_run_at_once() {
    let pages = StdPages::new();
    let c = cache(&pages, 48);
    std::thread::scope(|s| {
        let (senders, receivers): (Vec<_>, Vec<_>) = (0..4).map(|_| mpsc::channel()).unzip();
        for (t, rx) in receivers.into_iter().enumerate() {
            let (c, tx) = (&c, senders[(t + 1) % 4].clone());
            s.spawn(move || {
                set_cpu(t);
                for round in 0..100 {
                    let objects = alloc_n(c, 1 + round % 40);
                    for &o in &objects {
                        // SAFETY: the object is this thread's, 48 bytes.
                        unsafe { (o as *mut u8).write_bytes(t as u8, 48) };
                    }
                    tx.send(objects).expect("the next thread runs");
                    let theirs: Vec<usize> = rx.recv().expect("the previous thread runs");
                    for &o in &theirs {
                        // SAFETY: the sender wrote 48 bytes and does not use them any more.
                        let bytes = unsafe { std::slice::from_raw_parts(o as *const u8, 48) };
                        assert!(bytes.iter().all(|&b| b == ((t + 3) % 4) as u8));
                    }
                    free_all(c, &theirs);
                }
            });
        }
    });
    assert_eq!(c.stats().in_use(), 0);
    c.shrink();
    assert_eq!((c.stats().active_objs, pages.live_blocks()), (0, 0));
}

#[test]
fn a_cpu_numbered_max_cpus_or_more_goes_to_the_slabs() {
    set_cpu(MAX_CPUS + 3);
    let pages = StdPages::new();
    let c = cache(&pages, 64);
    let object = alloc_n(&c, 1);
    assert_eq!(counts(&c), (1, 0, 1));
    free_all(&c, &object);
    assert_eq!(counts(&c), (0, 0, 0));
}

#[test]
fn shrink_and_destroy_flush_the_stocks_of_every_cpu() {
    let pages = StdPages::new();
    let c = cache(&pages, 256);
    c.set_min_partial(0);
    std::thread::scope(|s| {
        for cpu in 0..4 {
            let c = &c;
            s.spawn(move || {
                set_cpu(cpu);
                let objects = alloc_n(c, 20);
                free_all(c, &objects);
            });
        }
    });
    assert_eq!(
        counts(&c),
        (0, 4 * 30, 4 * 30),
        "each stock filled to its limit"
    );

    set_cpu(5);
    let live = alloc_n(&c, 3);
    let err = c.destroy().unwrap_err();
    assert_eq!(
        err,
        SlabError::InUse {
            cache: "stock",
            objects: 3
        }
    );
    assert_eq!(counts(&c), (3, 0, 3), "destroy flushed every stock first");
    free_all(&c, &live);
    assert_eq!(counts(&c), (0, 3, 3));
    assert_eq!(c.destroy(), Ok(()));
    assert_eq!((pages.live_blocks(), pages.owned_pages()), (0, 0));
    assert_eq!(c.alloc(Gfp::KERNEL), None, "destroyed");
}

#[test]
fn debug_caches_keep_no_stock_and_set_debug_flushes_them() {
    set_cpu(0);
    let pages = StdPages::new();
    let c = cache(&pages, 64);
    free_all(&c, &alloc_n(&c, 2));
    assert_eq!(counts(&c), (0, 15, 15));
    assert_eq!(c.set_debug(true), Ok(()));
    assert_eq!(pages.live_blocks(), 0);
    assert_eq!((c.stats().limit, c.stats().batchcount), (0, 0));
    let object = alloc_n(&c, 1);
    assert_eq!(counts(&c), (1, 0, 1));
    free_all(&c, &object);
    assert_eq!(c.set_debug(false), Ok(()));
    assert_eq!(c.stats().limit, 30);
}

#[test]
fn the_fast_path_takes_no_lock() {
    let pages = StdPages::new();
    let c = cache(&pages, 64);
    let (ready_tx, ready) = mpsc::channel();
    let (go, go_rx) = mpsc::channel();
    std::thread::scope(|s| {
        let c = &c;
        s.spawn(move || {
            set_cpu(2);
            free_all(c, &alloc_n(c, 1));
            ready_tx.send(()).unwrap();
            go_rx.recv().unwrap();
            for _ in 0..1000 {
                free_all(c, &alloc_n(c, 1));
            }
            ready_tx.send(()).unwrap();
        });
        ready.recv().unwrap();
        let node = c.node.lock();
        go.send(()).unwrap();
        let done = ready.recv_timeout(Duration::from_secs(20));
        drop(node);
        assert!(done.is_ok(), "an alloc/free pair waited for the cache lock");
    });
}
