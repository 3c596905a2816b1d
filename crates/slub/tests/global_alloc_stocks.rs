//! kmalloc as the `#[global_allocator]` of this whole test binary with per-CPU stocks on
//! (debug mode off, as in a kernel booted without slub_debug): every Box, Vec and String of
//! the harness and its threads goes through the stocks, freed as often on another thread
//! (another CPU) as on the one that allocated it.

#[path = "support/arena.rs"]
mod arena;
#[path = "support/cpu.rs"]
mod cpu;

use std::collections::BTreeMap;
use std::sync::mpsc;

use arena::Arena;
use cpu::ThreadCpu;
use gfp::Gfp;
use slub::{Kmalloc, KmallocGlobal};

type Pages = Arena<16384>;
type Lock = spin::Mutex<()>;

static PAGES: Pages = Arena::new();
static KMALLOC: Kmalloc<'static, Pages, Lock, ThreadCpu> = Kmalloc::new(&PAGES);
#[global_allocator]
static GLOBAL: KmallocGlobal<'static, Pages, Lock, ThreadCpu> =
    KmallocGlobal::new(&KMALLOC, Gfp::KERNEL);

#[test]
fn boxes_freed_on_other_threads_go_through_the_stocks() {
    let (tx, rx) = mpsc::channel::<Vec<Box<[u64; 8]>>>();
    let consumer = std::thread::spawn(move || {
        let mut seen = 0u64;
        for batch in rx {
            for b in batch {
                assert!(b.iter().all(|&x| x == b[0]), "a box was overwritten");
                seen += 1;
            }
        }
        seen
    });
    let producers: Vec<_> = (0..3u64)
        .map(|t| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for round in 0..200u64 {
                    let batch = (0..round % 50)
                        .map(|i| Box::new([t * 1000 + i; 8]))
                        .collect();
                    tx.send(batch).expect("the consumer runs");
                }
            })
        })
        .collect();
    drop(tx);
    producers.into_iter().for_each(|p| p.join().unwrap());
    assert_eq!(
        consumer.join().unwrap(),
        3 * (0..200u64).map(|r| r % 50).sum::<u64>()
    );
    assert!(KMALLOC.caches().all(|c| c.stats().corruptions == 0));
    assert!(
        KMALLOC.caches().any(|c| c.stats().limit == 30),
        "stocks are on"
    );
}

#[test]
fn maps_and_strings_built_and_dropped_by_several_threads() {
    let handles: Vec<_> = (0..4u32)
        .map(|t| {
            std::thread::spawn(move || {
                let mut total = 0usize;
                for round in 0..200u32 {
                    let map: BTreeMap<u32, String> =
                        (0..round % 64).map(|i| (i, format!("{t}-{i}"))).collect();
                    total += map.values().map(String::len).sum::<usize>();
                    assert!(map.iter().all(|(i, v)| *v == format!("{t}-{i}")));
                }
                total
            })
        })
        .collect();
    let totals: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(totals.iter().all(|&n| n > 0));
    let cache = KMALLOC.cache(64, Gfp::KERNEL).expect("kmalloc-64");
    let stats = cache.stats();
    assert!(stats.active_objs >= stats.cpu_objs);
}
