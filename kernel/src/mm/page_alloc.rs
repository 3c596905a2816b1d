//! The page allocator (Linux: mm/page_alloc.c, mm/mm_init.c).
//!
//! One node (crates/buddy) with its zones and the mem_map, behind one
//! interrupt-safe lock. At boot, mem_map is taken from memblock, all RAM
//! is declared present and the free ranges are released to the buddy free
//! lists (Linux: memblock_free_all). __GFP_ZERO is done here, through the
//! direct map, since the buddy crate never touches page contents.

use buddy::{BuddyInfo, Node, Page, ZoneInfo};
use gfp::Gfp;

use crate::arch::mm::{phys_to_virt, PAGE_SIZE};
use crate::kernel::sync::IrqSpinLock;
use crate::mm::memblock;
use crate::{pr_debug, pr_err, pr_info, pr_warn};

static NODE: IrqSpinLock<Option<Node<'static>>> = IrqSpinLock::new(None);

fn with_node<R>(f: impl FnOnce(&mut Node<'static>) -> R) -> R {
    f(NODE
        .lock()
        .as_mut()
        .expect("page allocator used before mm_init"))
}

/// The mem_map: one descriptor per page frame up to the end of RAM.
fn alloc_mem_map(max_pfn: u64) -> &'static mut [Page] {
    let bytes = max_pfn * core::mem::size_of::<Page>() as u64;
    let phys = memblock::alloc(bytes, PAGE_SIZE, memblock::end_of_dram()).unwrap_or_else(|| {
        crate::kernel::panic::panic(
            format_args!("no memory for mem_map ({} KiB)", bytes >> 10),
            false,
        )
    });
    // SAFETY: memblock reserved [phys, phys + bytes) for us alone; it is RAM
    // in the direct map; Node::new initialises every descriptor before use.
    unsafe { core::slice::from_raw_parts_mut(phys_to_virt(phys) as *mut Page, max_pfn as usize) }
}

/// Build the node from memblock and hand it all free memory.
pub fn init() {
    let max_pfn = memblock::end_of_dram() / PAGE_SIZE;
    let mut node = Node::new(alloc_mem_map(max_pfn));
    memblock::for_each_memory_pfn_range(|start, end| {
        if let Err(e) = node.add_memory(start, end) {
            pr_warn!("page_alloc: RAM {:#x}-{:#x} not added: {}", start, end, e);
        }
    });
    memblock::for_each_free_pfn_range(|start, end| {
        if let Err(e) = node.add_free_range(start, end) {
            pr_warn!(
                "page_alloc: free range {:#x}-{:#x} not added: {}",
                start,
                end,
                e
            );
        }
    });

    let total_k = memblock::memory_size() >> 10;
    let free_k = (node.nr_free_pages() * PAGE_SIZE) >> 10;
    pr_info!(
        "Memory: {}K/{}K available ({}K reserved, mem_map {}K)",
        free_k,
        total_k,
        total_k - free_k,
        (max_pfn * core::mem::size_of::<Page>() as u64) >> 10
    );
    for z in node.zones() {
        pr_debug!(
            "  {:<8} pfn {:#x}-{:#x}, {} pages managed, watermarks min {} low {} high {}",
            z.zone.name(),
            z.start_pfn,
            z.start_pfn + z.spanned,
            z.managed,
            z.min,
            z.low,
            z.high
        );
    }
    *NODE.lock() = Some(node);
    crate::arch::mm::pgtable::set_page_source(alloc_page_table);
    pr_debug!("buddyinfo at boot:\n{}", buddyinfo());
}

/// 2^order contiguous pages; the first page frame number, or None.
/// A failure is reported once per call unless __GFP_NOWARN is given.
pub fn alloc_pages(gfp: Gfp, order: u32) -> Option<u64> {
    let result = with_node(|node| node.alloc_pages(gfp, order));
    match result {
        Ok(pfn) => {
            if gfp.contains(Gfp::ZERO) {
                let virt = phys_to_virt(pfn * PAGE_SIZE) as *mut u8;
                // SAFETY: the block was just handed to us and is in the
                // direct map: nobody else can touch it.
                unsafe { core::ptr::write_bytes(virt, 0, (PAGE_SIZE << order) as usize) };
            }
            Some(pfn)
        }
        Err(e) => {
            if !gfp.contains(Gfp::NOWARN) {
                pr_warn!("{}, mode:{:#x}", e, gfp.bits());
            }
            None
        }
    }
}

/// Give back a block from alloc_pages. A wrong free (double free, wrong
/// order, never allocated) is refused with a message and a backtrace.
pub fn free_pages(pfn: u64, order: u32) {
    if let Err(e) = with_node(|node| node.free_pages(pfn, order)) {
        pr_err!("BUG: Bad page state: {}", e);
        crate::arch::dumpstack::dump_stack();
    }
}

/// One zeroed page in the direct map (Linux: get_zeroed_page).
pub fn get_zeroed_page(gfp: Gfp) -> Option<u64> {
    alloc_pages(gfp | Gfp::ZERO, 0).map(|pfn| phys_to_virt(pfn * PAGE_SIZE))
}

/// A page-table page: most are those of processes' address spaces, on
/// their account (Linux: GFP_PGTABLE_USER); the kernel's own are made at
/// boot, and a vmalloc that finds none fails cleanly.
fn alloc_page_table() -> Option<u64> {
    alloc_pages(Gfp::KERNEL_ACCOUNT | Gfp::ZERO, 0).map(|pfn| pfn * PAGE_SIZE)
}

/// The owner word of a page frame (slab's pointer to its slab).
pub fn page_private(pfn: u64) -> usize {
    with_node(|node| node.page(pfn).map_or(0, |p| p.private))
}

pub fn set_page_private(pfn: u64, private: usize) {
    with_node(|node| node.set_page_private(pfn, private));
}

/// A snapshot of /proc/buddyinfo.
pub fn buddyinfo() -> BuddyInfo {
    with_node(|node| node.buddyinfo())
}

/// Free and managed pages, and the reserve, for /proc/meminfo.
pub fn counters() -> (u64, u64, u64) {
    with_node(|node| {
        (
            node.nr_free_pages(),
            node.totalram_pages(),
            node.totalreserve_pages(),
        )
    })
}

/// Call `f` with each present zone's numbers.
pub fn for_each_zone(mut f: impl FnMut(&ZoneInfo)) {
    with_node(|node| node.zones().for_each(|z| f(&z)));
}

/// Give the per-CPU lists' pages back to the free lists, so that
/// buddyinfo shows every free page (Linux: drain_all_pages).
pub fn drain() {
    with_node(|node| node.drain_pages());
}
