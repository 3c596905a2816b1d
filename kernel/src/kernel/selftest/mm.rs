//! The memory allocators under load, in the running kernel: blocks of
//! every order, many kmalloc sizes and vmalloc areas, all freed again,
//! after which the free lists must be exactly as before; exhaustion; and
//! the slab debug checks catching real corruption.

use alloc::vec::Vec;
use core::ptr::NonNull;

use buddy::{BuddyInfo, ZoneType};
use gfp::Gfp;
use logbuf::Level;

use crate::arch::mm::{phys_to_virt, PAGE_SIZE};
use crate::kernel::printk::printk_lines;
use crate::mm::{meminfo, page_alloc, slab, vmalloc};
use crate::{pr_err, pr_info};

/// A small, fixed pseudo-random sequence (xorshift), to free in an order
/// unrelated to the allocation order.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, (self.next() % (i as u64 + 1)) as usize);
        }
    }
}

/// Free lists with nothing parked elsewhere: empty slabs given back,
/// per-CPU page lists drained.
fn settled_buddyinfo() -> BuddyInfo {
    slab::KMALLOC.shrink();
    page_alloc::drain();
    page_alloc::buddyinfo()
}

fn same_free_lists(a: &BuddyInfo, b: &BuddyInfo) -> bool {
    [ZoneType::Dma, ZoneType::Dma32, ZoneType::Normal]
        .iter()
        .all(|&z| a.zone(z) == b.zone(z))
}

fn block_ptr(pfn: u64) -> *mut u64 {
    phys_to_virt(pfn * PAGE_SIZE) as *mut u64
}

/// Allocate blocks of every order, mark each, check no two overlap and
/// every mark survives, free them in random order. Returns (blocks, failures).
fn exercise_pages(rng: &mut Rng) -> (usize, usize) {
    let mut blocks: Vec<(u64, u32)> = Vec::with_capacity(4096);
    let mut failed = 0;
    for order in 0..=10u32 {
        let count = (2000 >> order).max(2);
        for _ in 0..count {
            match page_alloc::alloc_pages(Gfp::KERNEL | Gfp::NOWARN, order) {
                Some(pfn) => blocks.push((pfn, order)),
                None => failed += 1,
            }
        }
    }
    for &(pfn, order) in &blocks {
        let words = (PAGE_SIZE << order) as usize / 8;
        // SAFETY: the block is ours until freed below; it is in the direct map.
        unsafe {
            block_ptr(pfn).write(pfn);
            block_ptr(pfn).add(words - 1).write(!pfn);
        }
    }
    blocks.sort_unstable();
    let overlaps = blocks
        .windows(2)
        .filter(|w| w[0].0 + (1u64 << w[0].1) > w[1].0)
        .count();
    let damaged = blocks
        .iter()
        .filter(|&&(pfn, order)| {
            let words = (PAGE_SIZE << order) as usize / 8;
            // SAFETY: as above.
            unsafe { block_ptr(pfn).read() != pfn || block_ptr(pfn).add(words - 1).read() != !pfn }
        })
        .count();
    if overlaps + damaged > 0 {
        pr_err!(
            "selftest: mm: {} overlapping blocks, {} damaged marks",
            overlaps,
            damaged
        );
    }
    rng.shuffle(&mut blocks);
    for &(pfn, order) in &blocks {
        page_alloc::free_pages(pfn, order);
    }
    (blocks.len(), failed)
}

/// kmalloc objects of many sizes, each filled with its own byte, checked
/// and freed in random order. Returns the number of objects.
fn exercise_kmalloc(rng: &mut Rng) -> usize {
    const SIZES: [usize; 16] = [
        1, 8, 13, 32, 64, 96, 100, 192, 256, 500, 1000, 2048, 4000, 8192, 9000, 65536,
    ];
    let mut objects: Vec<(NonNull<u8>, usize, u8)> = Vec::with_capacity(SIZES.len() * 200);
    for (i, &size) in SIZES.iter().enumerate() {
        for j in 0..200 {
            let Some(p) = slab::kmalloc(size, Gfp::KERNEL) else {
                pr_err!("selftest: mm: kmalloc({}) failed", size);
                continue;
            };
            let fill = (i * 31 + j) as u8;
            // SAFETY: kmalloc gave at least `size` bytes.
            unsafe { core::ptr::write_bytes(p.as_ptr(), fill, size) };
            objects.push((p, size, fill));
        }
    }
    let damaged = objects
        .iter()
        // SAFETY: each object is live and `size` bytes long.
        .filter(|(p, size, fill)| unsafe {
            core::slice::from_raw_parts(p.as_ptr(), *size)
                .iter()
                .any(|b| b != fill)
        })
        .count();
    if damaged > 0 {
        pr_err!(
            "selftest: mm: {} kmalloc objects overwritten by others",
            damaged
        );
    }
    rng.shuffle(&mut objects);
    for (p, _, _) in &objects {
        slab::kfree(p.as_ptr());
    }
    objects.len()
}

/// vmalloc areas of several sizes, one zeroed; all freed.
fn exercise_vmalloc() -> usize {
    let mut areas = Vec::new();
    for size in [4096, 10_000, 65536, 1 << 20] {
        if let Some(p) = vmalloc::vzalloc(size) {
            // SAFETY: vzalloc mapped `size` zeroed bytes at p.
            let bytes = unsafe { core::slice::from_raw_parts_mut(p.as_ptr(), size) };
            if bytes.iter().any(|&b| b != 0) {
                pr_err!("selftest: mm: vzalloc({}) is not zeroed", size);
            }
            bytes.fill(0x5a);
            areas.push(p);
        }
    }
    // A plain vmalloc area, written through to its last byte.
    if let Some(p) = vmalloc::vmalloc(3 * 4096 + 100) {
        // SAFETY: vmalloc mapped at least that many bytes at p.
        unsafe { core::ptr::write_bytes(p.as_ptr(), 0xa5, 3 * 4096 + 100) };
        areas.push(p);
    }
    let n = areas.len();
    for p in areas {
        vmalloc::vfree(p);
    }
    n
}

/// Zone modifiers: __GFP_DMA below 16 MiB, __GFP_DMA32 below 4 GiB, and
/// a DMA kmalloc from a dma-kmalloc cache below 16 MiB too.
fn check_zones() {
    let dma = page_alloc::alloc_pages(Gfp::KERNEL | Gfp::DMA, 0);
    let zeroed = page_alloc::get_zeroed_page(Gfp::KERNEL);
    // SAFETY: a fresh page in the direct map, 4096 bytes.
    let zero_ok = zeroed.is_some_and(|va| unsafe {
        core::slice::from_raw_parts(va as *const u8, 4096)
            .iter()
            .all(|&b| b == 0)
    });
    let dma32 = page_alloc::alloc_pages(Gfp::KERNEL | Gfp::DMA32, 3);
    let obj = slab::kmalloc(100, Gfp::KERNEL | Gfp::DMA);
    let obj_phys = obj.and_then(|p| crate::arch::mm::virt_to_phys_direct(p.as_ptr() as u64));
    let ok = zero_ok
        && dma.is_some_and(|pfn| pfn < 4096)
        && dma32.is_some_and(|pfn| pfn + 8 <= 1 << 20)
        && obj_phys.is_some_and(|phys| phys < 16 << 20);
    if ok {
        pr_info!(
            "selftest: mm: GFP_DMA below 16 MiB, GFP_DMA32 below 4 GiB, dma-kmalloc in DMA, {}",
            "get_zeroed_page zeroed"
        );
    } else {
        pr_err!(
            "selftest: mm: zone modifiers not honoured: {:?} {:?} {:?}",
            dma,
            dma32,
            obj_phys
        );
    }
    if let Some(pfn) = dma {
        page_alloc::free_pages(pfn, 0);
    }
    if let Some(va) = zeroed {
        page_alloc::free_pages((va - crate::arch::mm::PAGE_OFFSET) / PAGE_SIZE, 0);
    }
    if let Some(pfn) = dma32 {
        page_alloc::free_pages(pfn, 3);
    }
    if let Some(p) = obj {
        slab::kfree(p.as_ptr());
    }
}

#[inline(never)]
pub fn selftest_mm() {
    let before = settled_buddyinfo();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (blocks, failed) = exercise_pages(&mut rng);
    let objects = exercise_kmalloc(&mut rng);
    let areas = exercise_vmalloc();
    check_zones();
    let after = settled_buddyinfo();

    pr_info!(
        "selftest: mm: {} page blocks of orders 0-10 ({} refused), {} kmalloc objects, \
         {} vmalloc areas",
        blocks,
        failed,
        objects,
        areas
    );
    if same_free_lists(&before, &after) {
        pr_info!("selftest: mm: buddyinfo unchanged after freeing everything");
    } else {
        pr_err!("selftest: mm: buddyinfo changed:\n{}\n{}", before, after);
    }
    pr_info!("selftest: mm: /proc/buddyinfo, /proc/slabinfo and /proc/meminfo now:");
    printk_lines(Level::Info, format_args!("{}", after));
    printk_lines(
        Level::Info,
        format_args!("{}", slab::SLAB_CACHES.slabinfo()),
    );
    printk_lines(Level::Info, format_args!("{}", meminfo::snapshot()));
}

/// Take every page GFP_KERNEL can get, then what GFP_ATOMIC may still
/// take from the reserves, then check GFP_NOWAIT gets nothing; free all.
#[inline(never)]
pub fn selftest_oom() {
    let before = settled_buddyinfo();
    let (free, _, _) = page_alloc::counters();
    let mut pages: Vec<u64> = Vec::with_capacity(free as usize + 64);

    let grab = |gfp: Gfp, pages: &mut Vec<u64>| {
        let start = pages.len();
        while pages.len() < pages.capacity() {
            match page_alloc::alloc_pages(gfp, 0) {
                Some(pfn) => pages.push(pfn),
                None => break,
            }
        }
        pages.len() - start
    };
    let kernel = grab(Gfp::KERNEL, &mut pages);
    let nowait = grab(Gfp::NOWAIT | Gfp::NOWARN, &mut pages);
    let atomic = grab(Gfp::ATOMIC | Gfp::NOWARN, &mut pages);
    let big = slab::kmalloc(1 << 20, Gfp::KERNEL | Gfp::NOWARN);
    pr_info!(
        "selftest: oom: GFP_KERNEL got {} pages, then GFP_NOWAIT {}, GFP_ATOMIC {} more \
         from the reserves; kmalloc(1 MiB) {}",
        kernel,
        nowait,
        atomic,
        if big.is_some() {
            "succeeded"
        } else {
            "failed cleanly"
        }
    );
    if let Some(p) = big {
        slab::kfree(p.as_ptr());
    }
    for pfn in pages.drain(..) {
        page_alloc::free_pages(pfn, 0);
    }
    drop(pages);
    if same_free_lists(&before, &settled_buddyinfo()) {
        pr_info!("selftest: oom: all freed, buddyinfo unchanged");
    } else {
        pr_err!("selftest: oom: buddyinfo changed after freeing everything");
    }
}

/// With `slub_debug`: an overflow into the red zone, a double free and a
/// write after free, each of which must be reported and survived.
#[inline(never)]
pub fn selftest_slab_debug() {
    let Some(p) = slab::kmalloc(64, Gfp::KERNEL) else {
        return;
    };
    // SAFETY: not safe: writes one byte past the 64-byte object, into its
    // red zone, which is what this test checks is caught.
    unsafe { p.as_ptr().add(64).write(0) };
    slab::kfree(p.as_ptr());

    let Some(q) = slab::kmalloc(64, Gfp::KERNEL) else {
        return;
    };
    slab::kfree(q.as_ptr());
    slab::kfree(q.as_ptr());

    let Some(r) = slab::kmalloc(128, Gfp::KERNEL) else {
        return;
    };
    slab::kfree(r.as_ptr());
    // SAFETY: not safe: a write after free, which poisoning must catch
    // when the object is handed out again.
    unsafe { r.as_ptr().write(1) };
    let again = slab::kmalloc(128, Gfp::KERNEL);
    if let Some(a) = again {
        slab::kfree(a.as_ptr());
    }
    pr_info!("selftest: slab-debug: done, the kernel is still running");
}

static CTOR_CALLS: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

fn test_ctor(object: *mut u8) {
    CTOR_CALLS.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
    // SAFETY: the cache hands the constructor a whole 120-byte object.
    unsafe { core::ptr::write_bytes(object, 0x5a, 120) };
}

static TEST_CACHE: slab::KmemCache =
    crate::kmem_cache_create!("noyau_test", 120, 8, Some(test_ctor));

/// kmem_cache_create, alloc, free and destroy of a cache of our own: the
/// constructor prepares every object, destroy is refused while objects are
/// live and accepted once they are all freed.
#[inline(never)]
pub fn selftest_slab_cache() {
    if let Err(e) = slab::SLAB_CACHES.register(&TEST_CACHE) {
        pr_err!("selftest: slab-cache: {}", e);
        return;
    }
    let objects: Vec<NonNull<u8>> = (0..100)
        .filter_map(|_| TEST_CACHE.alloc(Gfp::KERNEL))
        .collect();
    // SAFETY: each object is live and 120 bytes long.
    let prepared = objects.iter().all(|p| {
        unsafe { core::slice::from_raw_parts(p.as_ptr(), 120) }
            .iter()
            .all(|&b| b == 0x5a)
    });
    pr_info!(
        "selftest: slab-cache: {} objects from noyau_test, constructed: {}",
        objects.len(),
        if prepared { "yes" } else { "no" }
    );
    printk_lines(
        Level::Info,
        format_args!("{}", slab::SLAB_CACHES.slabinfo()),
    );
    match slab::SLAB_CACHES.destroy(&TEST_CACHE) {
        Err(e) => pr_info!("{}", e),
        Ok(()) => pr_err!("selftest: slab-cache: destroyed with live objects"),
    }
    for p in &objects {
        // SAFETY: each pointer came from this cache and is freed once.
        if let Err(c) = unsafe { TEST_CACHE.free(*p) } {
            pr_err!("{}", c);
        }
    }
    match slab::SLAB_CACHES.destroy(&TEST_CACHE) {
        Ok(()) => pr_info!("selftest: slab-cache: noyau_test destroyed once empty"),
        Err(e) => pr_err!("selftest: slab-cache: {}", e),
    }
}
