//! Property tests of /proc/meminfo (Linux's meminfo_proc_show and si_mem_available): for any
//! counters, MemAvailable stays between its bounds and the text keeps Linux's shape.

extern crate std;

use std::string::ToString;

use proptest::prelude::*;

use crate::{meminfo, si_mem_available, MemStats, Meminfo};

fn stats() -> impl Strategy<Value = MemStats> {
    let pages = || 0u64..1 << 36;
    (
        (pages(), pages(), pages(), pages()),
        (pages(), pages(), pages(), 0u64..1 << 48),
        (pages(), pages(), pages(), 0u64..1 << 48),
    )
        .prop_map(
            |((total, free, reserve, wmark), (af, inf, misc, slab), rest)| {
                let (anon, swap, stack, vused) = rest;
                MemStats {
                    total_pages: total,
                    free_pages: free,
                    totalreserve_pages: reserve,
                    low_wmark_pages: wmark,
                    active_file_pages: af,
                    inactive_file_pages: inf,
                    kernel_misc_reclaimable_pages: misc,
                    slab_reclaimable_bytes: slab,
                    anon_pages: anon,
                    swap_total_pages: swap,
                    kernel_stack_kb: stack,
                    vmalloc_used_bytes: vused,
                    ..MemStats::default()
                }
            },
        )
}

proptest! {
    #[test]
    fn mem_available_is_within_its_bounds(s in stats()) {
        let avail = si_mem_available(&s);
        let cache = s.active_file_pages + s.inactive_file_pages;
        let reclaimable = (s.slab_reclaimable_bytes >> 12) + s.kernel_misc_reclaimable_pages;

        // At most everything counted, at least the free pages beyond the reserve plus
        // the half of the cache and of the reclaimable memory that is never kept.
        prop_assert!(avail <= s.free_pages + cache + reclaimable);
        let floor = s.free_pages.saturating_sub(s.totalreserve_pages);
        prop_assert!(avail >= floor);
        prop_assert!(avail >= (cache - cache / 2 + reclaimable - reclaimable / 2)
            .saturating_sub(s.totalreserve_pages.saturating_sub(s.free_pages)));
    }

    #[test]
    fn more_free_pages_never_mean_less_available(s in stats(), more in 0u64..1 << 20) {
        let richer = MemStats { free_pages: s.free_pages + more, ..s };
        prop_assert!(si_mem_available(&richer) >= si_mem_available(&s));
    }

    #[test]
    fn text_keeps_linux_shape(s in stats()) {
        let m = meminfo(&s);
        let text = m.to_string();
        prop_assert_eq!(text.lines().count(), Meminfo::LINES);
        for (line, (label, value)) in text.lines().zip(m.lines()) {
            prop_assert!(line.starts_with(label));
            prop_assert!(line.len() >= 27);
            prop_assert_eq!(line[16..].trim_start(), std::format!("{value} kB"));
        }
        prop_assert_eq!(m.slab, m.s_reclaimable + m.s_unreclaim);
        prop_assert_eq!(m.active, m.active_anon + m.active_file);
        prop_assert_eq!(m.mem_available, si_mem_available(&s) * 4);
    }
}
