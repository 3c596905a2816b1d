//! MemAvailable: Linux's si_mem_available() (mm/show_mem.c), the estimate of how much memory
//! a new workload can get without swapping: free memory less the reserves, plus the part of
//! the page cache and of reclaimable kernel memory that reclaim could give back.

use crate::{MemStats, PAGE_SHIFT};

/// Pages available to user space without swapping, as Linux estimates them for MemAvailable.
///
/// Free pages count less the reserve the allocator keeps for itself (totalreserve). Page
/// cache counts, less what must stay to avoid thrashing: half of it, or the zones' low
/// watermarks if that is less. Reclaimable slab and other reclaimable kernel memory count the
/// same way, since part of it is in use. The sum is clamped at 0: with little free memory and
/// a large reserve, MemAvailable can be below MemFree, never negative.
pub fn si_mem_available(s: &MemStats) -> u64 {
    // i128: the sum of three u64 terms, one of them possibly negative, cannot overflow.
    let wmark_low = i128::from(s.low_wmark_pages);
    let mut available = i128::from(s.free_pages) - i128::from(s.totalreserve_pages);

    let pagecache = i128::from(s.active_file_pages) + i128::from(s.inactive_file_pages);
    available += pagecache - (pagecache / 2).min(wmark_low);

    let reclaimable = i128::from(s.slab_reclaimable_bytes >> PAGE_SHIFT)
        + i128::from(s.kernel_misc_reclaimable_pages);
    available += reclaimable - (reclaimable / 2).min(wmark_low);

    u64::try_from(available.max(0)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(free: u64, reserve: u64, wmark_low: u64) -> MemStats {
        MemStats {
            free_pages: free,
            totalreserve_pages: reserve,
            low_wmark_pages: wmark_low,
            ..MemStats::default()
        }
    }

    #[test]
    fn nothing_at_all_is_zero() {
        assert_eq!(si_mem_available(&MemStats::default()), 0);
    }

    #[test]
    fn without_cache_it_is_free_less_the_reserve() {
        // noyau today: no page cache, no reclaimable slab.
        assert_eq!(si_mem_available(&stats(10_000, 1_500, 300)), 8_500);
        assert_eq!(si_mem_available(&stats(1_500, 1_500, 300)), 0);
    }

    #[test]
    fn reserve_above_free_clamps_at_zero() {
        assert_eq!(si_mem_available(&stats(100, 1_500, 300)), 0);
        assert_eq!(si_mem_available(&stats(0, u64::MAX, u64::MAX)), 0);
    }

    #[test]
    fn page_cache_can_lift_a_negative_start_above_zero() {
        let s = MemStats {
            active_file_pages: 1_000,
            inactive_file_pages: 1_000,
            ..stats(100, 1_500, 300)
        };
        // 100 - 1500 + (2000 - min(1000, 300)) = 300
        assert_eq!(si_mem_available(&s), 300);
    }

    #[test]
    fn page_cache_keeps_the_smaller_of_half_and_the_low_watermark() {
        let cache = |active, inactive, wmark| MemStats {
            active_file_pages: active,
            inactive_file_pages: inactive,
            ..stats(0, 0, wmark)
        };
        // Half (500) is more than the watermark (200): 200 pages stay.
        assert_eq!(si_mem_available(&cache(600, 400, 200)), 800);
        // The watermark (5000) is more than half: half stays.
        assert_eq!(si_mem_available(&cache(600, 400, 5_000)), 500);
        // An odd count keeps the rounded-down half: 5 - 2.
        assert_eq!(si_mem_available(&cache(5, 0, 5_000)), 3);
        // No watermark (no zones): all of it counts.
        assert_eq!(si_mem_available(&cache(600, 400, 0)), 1_000);
    }

    #[test]
    fn reclaimable_slab_counts_in_whole_pages_with_the_same_rule() {
        let slab = |bytes, misc, wmark| MemStats {
            slab_reclaimable_bytes: bytes,
            kernel_misc_reclaimable_pages: misc,
            ..stats(0, 0, wmark)
        };
        // 10 pages and 4095 bytes are 10 pages; half stays.
        assert_eq!(si_mem_available(&slab(10 * 4096 + 4095, 0, 100)), 5);
        // 1000 slab + 200 misc pages: the watermark (50) stays.
        assert_eq!(si_mem_available(&slab(1_000 * 4096, 200, 50)), 1_150);
    }

    #[test]
    fn cache_and_slab_each_keep_their_own_watermark() {
        let s = MemStats {
            active_file_pages: 3_000,
            slab_reclaimable_bytes: 1_000 * 4096,
            ..stats(10_000, 2_000, 400)
        };
        // 10000 - 2000 + (3000 - 400) + (1000 - 400)
        assert_eq!(si_mem_available(&s), 11_200);
    }

    #[test]
    fn huge_counters_saturate_instead_of_overflowing() {
        let s = MemStats {
            active_file_pages: u64::MAX,
            inactive_file_pages: u64::MAX,
            kernel_misc_reclaimable_pages: u64::MAX,
            ..stats(u64::MAX, 0, 0)
        };
        assert_eq!(si_mem_available(&s), u64::MAX);
    }

    #[test]
    fn other_counters_do_not_matter() {
        let base = stats(10_000, 1_000, 100);
        let busy = MemStats {
            total_pages: 1 << 20,
            anon_pages: 5_000,
            slab_unreclaimable_bytes: 1 << 30,
            buffer_pages: 77,
            file_pages: 999,
            swap_free_pages: 1 << 20,
            vmalloc_used_bytes: 1 << 25,
            ..base
        };
        assert_eq!(si_mem_available(&busy), si_mem_available(&base));
    }
}
