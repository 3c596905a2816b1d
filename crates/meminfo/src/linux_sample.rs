//! /proc/meminfo of a real Linux (6.18, x86_64, a 24 GiB virtual machine) against this crate:
//! its counters, turned back into pages, must give the same MemAvailable and the same text.
//! The two inputs /proc/meminfo does not show come from that machine's /proc/zoneinfo.

extern crate std;

use std::string::ToString;
use std::vec::Vec;

use crate::{meminfo, si_mem_available, MemStats};

/// Read on the machine just before its /proc/zoneinfo; the lines up to Percpu.
const LINUX_MEMINFO: &str = "\
MemTotal:       24683664 kB
MemFree:        22712560 kB
MemAvailable:   24186512 kB
Buffers:            4852 kB
Cached:          1601152 kB
SwapCached:            0 kB
Active:           741252 kB
Inactive:         920160 kB
Active(anon):       1552 kB
Inactive(anon):    63540 kB
Active(file):     739700 kB
Inactive(file):   856620 kB
Unevictable:       12964 kB
Mlocked:           11940 kB
SwapTotal:             0 kB
SwapFree:              0 kB
Zswap:                 0 kB
Zswapped:              0 kB
Dirty:                20 kB
Writeback:             0 kB
AnonPages:         68488 kB
Mapped:            36932 kB
Shmem:              9568 kB
KReclaimable:     186416 kB
Slab:             220936 kB
SReclaimable:     186416 kB
SUnreclaim:        34520 kB
KernelStack:        1712 kB
PageTables:         2124 kB
SecPageTables:         0 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:    12341832 kB
Committed_AS:    1232780 kB
VmallocTotal:   34359738367 kB
VmallocUsed:       14492 kB
VmallocChunk:          0 kB
Percpu:              744 kB
";

/// Sum of the low watermarks of the machine's zones, empty ones included as Linux's
/// for_each_zone() does: DMA 35, DMA32 7250, Normal 13832, Movable 32, Device 0.
const LOW_WMARK_PAGES: u64 = 35 + 7_250 + 13_832 + 32;

/// Per zone, the high watermark plus the largest lowmem_reserve ("protection:"), capped at
/// the zone's managed pages: DMA min(42 + 8778, 3840), DMA32 8700 + 5760, Normal 16598 + 0,
/// Movable min(32, 0).
const TOTALRESERVE_PAGES: u64 = 3_840 + 14_460 + 16_598;

/// The counters behind LINUX_MEMINFO, in pages (kB / 4) where Linux counts pages.
fn linux_stats() -> MemStats {
    MemStats {
        total_pages: 24_683_664 / 4,
        free_pages: 22_712_560 / 4,
        totalreserve_pages: TOTALRESERVE_PAGES,
        low_wmark_pages: LOW_WMARK_PAGES,
        buffer_pages: 4_852 / 4,
        // Cached + Buffers: no swap cache on this machine.
        file_pages: (1_601_152 + 4_852) / 4,
        active_anon_pages: 1_552 / 4,
        inactive_anon_pages: 63_540 / 4,
        active_file_pages: 739_700 / 4,
        inactive_file_pages: 856_620 / 4,
        unevictable_pages: 12_964 / 4,
        mlocked_pages: 11_940 / 4,
        dirty_pages: 20 / 4,
        anon_pages: 68_488 / 4,
        mapped_pages: 36_932 / 4,
        shmem_pages: 9_568 / 4,
        slab_reclaimable_bytes: 186_416 * 1024,
        slab_unreclaimable_bytes: 34_520 * 1024,
        kernel_stack_kb: 1_712,
        page_table_pages: 2_124 / 4,
        committed_as_pages: 1_232_780 / 4,
        vmalloc_total_bytes: 0xffff_e8ff_ffff_ffff - 0xffff_c900_0000_0000,
        vmalloc_used_bytes: 14_492 * 1024,
        percpu_pages: 744 / 4,
        ..MemStats::default()
    }
}

#[test]
fn mem_available_matches_linux() {
    // 22712560 - 139592 + (1596320 - min(798160, 84596)) + (186416 - min(93208, 84596)) kB
    assert_eq!(si_mem_available(&linux_stats()) * 4, 24_186_512);
}

#[test]
fn mem_available_matches_an_earlier_reading_of_the_same_machine() {
    // Same zones, a minute before: MemFree 22294684, Active(file) 940432,
    // Inactive(file) 1086000, SReclaimable 187452; Linux said MemAvailable 24199784.
    let earlier = MemStats {
        free_pages: 22_294_684 / 4,
        active_file_pages: 940_432 / 4,
        inactive_file_pages: 1_086_000 / 4,
        slab_reclaimable_bytes: 187_452 * 1024,
        ..linux_stats()
    };
    assert_eq!(si_mem_available(&earlier) * 4, 24_199_784);
}

#[test]
fn text_matches_linux_line_for_line() {
    // The machine's kernel has CONFIG_ZSWAP, which noyau's lines leave out.
    let expected: Vec<&str> = LINUX_MEMINFO
        .lines()
        .filter(|l| !l.starts_with("Zswap"))
        .collect();
    let text = meminfo(&linux_stats()).to_string();
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);
    assert!(text.ends_with(" kB\n"));
}
