//! Zone watermarks and the reserves they protect, as Linux computes and checks them
//! (mm/page_alloc.c: calculate_min_free_kbytes(), __setup_per_zone_wmarks(),
//! setup_per_zone_lowmem_reserve(), __zone_watermark_ok(), gfp_to_alloc_flags()).
//! Keeping pages free below the min watermark lets atomic allocations succeed in
//! interrupt context while nobody can reclaim.

use gfp::Gfp;

use crate::node::Node;
use crate::zone::{Wmark, Zone, MAX_NR_ZONES};
use crate::MAX_ORDER;

/// Linux's default vm.lowmem_reserve_ratio: DMA and DMA32 keep 1/256 of the memory
/// of the zones above them away from allocations that could have used those zones.
pub const LOWMEM_RESERVE_RATIO: [u64; MAX_NR_ZONES] = [256, 256, 32];

/// Linux's default vm.watermark_scale_factor, in units of 1/10000 of a zone.
pub const WATERMARK_SCALE_FACTOR: u64 = 10;

/// What an allocation attempt may use (Linux: the ALLOC_* flags of one pass).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AllocFlags {
    pub(crate) wmark: Wmark,
    /// __GFP_HIGH: may use half of the min reserve (Linux: ALLOC_MIN_RESERVE).
    pub(crate) min_reserve: bool,
    /// Cannot sleep (Linux: ALLOC_NON_BLOCK); with __GFP_HIGH it gets a further
    /// quarter of what is left of the reserve.
    pub(crate) non_block: bool,
}

impl AllocFlags {
    /// The fast path: every caller must leave the low watermark untouched, so that
    /// kswapd can start before anyone needs the reserves (Linux: ALLOC_WMARK_LOW).
    pub(crate) const FAST: AllocFlags = AllocFlags {
        wmark: Wmark::Low,
        min_reserve: false,
        non_block: false,
    };

    /// The slow path, from the gfp flags (Linux: gfp_to_alloc_flags()): down to the
    /// min watermark, below it for __GFP_HIGH.
    pub(crate) fn slow(gfp: Gfp) -> AllocFlags {
        AllocFlags {
            wmark: Wmark::Min,
            min_reserve: gfp.contains(Gfp::HIGH),
            non_block: !gfp.contains(Gfp::DIRECT_RECLAIM),
        }
    }
}

/// May an allocation of `order` from `zone`, allowed up to zone `highest`, go ahead?
/// (Linux: __zone_watermark_ok().) The rules:
/// - the mark is the watermark of the pass: low on the fast path, min on the slow;
/// - __GFP_HIGH lowers it by half (ALLOC_MIN_RESERVE), and a __GFP_HIGH caller
///   that cannot sleep (GFP_ATOMIC) by a further quarter of the rest: GFP_ATOMIC
///   may take the zone down to 3/8 of min. GFP_NOWAIT, which cannot sleep but is
///   not __GFP_HIGH, gets no share of the reserve;
/// - after the allocation, all but one of its pages must leave more free pages than
///   the mark plus the zone's lowmem reserve against `highest`;
/// - an order above 0 also needs a free block of that order or larger.
pub(crate) fn zone_watermark_ok(
    zone: &Zone,
    order: u32,
    flags: AllocFlags,
    highest: usize,
) -> bool {
    let mut min = zone.wmark(flags.wmark) as i64;
    if flags.min_reserve {
        min -= min / 2;
        if flags.non_block {
            min -= min / 4;
        }
    }

    // Free pages may go negative here: that is a refusal.
    let free = zone.free as i64 - ((1i64 << order) - 1);
    if free <= min + zone.lowmem_reserve[highest] as i64 {
        return false;
    }
    order == 0 || (order..=MAX_ORDER).any(|o| !zone.free_area[o as usize].is_empty())
}

/// Integer square root, rounded down (Linux: int_sqrt()).
pub(crate) fn int_sqrt(x: u64) -> u64 {
    if x < 2 {
        return x;
    }
    // Newton's method from above converges to the floor. Start at a power of two
    // above the root, small enough that `r + x / r` cannot overflow.
    let bits = 64 - x.leading_zeros();
    let mut r = 1u64 << (bits / 2 + 1);
    let mut next = (r + x / r) / 2;
    while next < r {
        r = next;
        next = (r + x / r) / 2;
    }
    r
}

/// Linux's rule for min_free_kbytes: 4 * sqrt(lowmem in KiB), clamped to
/// [128 KiB, 256 MiB] (calculate_min_free_kbytes()). 2 GiB gives 5792 KiB.
pub fn min_free_kbytes_for(lowmem_pages: u64) -> u64 {
    let lowmem_kbytes = lowmem_pages * 4;
    int_sqrt(lowmem_kbytes * 16).clamp(128, 262_144)
}

impl Node<'_> {
    /// Linux's vm.min_free_kbytes: the reserve all zones keep together.
    pub fn min_free_kbytes(&self) -> u64 {
        self.min_free_kbytes
    }

    /// Set vm.min_free_kbytes, as writing /proc/sys/vm/min_free_kbytes does; the
    /// value then stays when more memory is added.
    pub fn set_min_free_kbytes(&mut self, kbytes: u64) {
        self.min_free_kbytes = kbytes;
        self.user_min_free_kbytes = true;
        self.setup_watermarks();
    }

    /// Pages the kernel cannot count on for user memory: per zone, its highest
    /// lowmem reserve plus its high watermark (Linux: totalreserve_pages, which
    /// MemAvailable subtracts).
    pub fn totalreserve_pages(&self) -> u64 {
        self.zones
            .iter()
            .enumerate()
            .map(|(i, z)| {
                let max = z.lowmem_reserve[i..].iter().copied().max().unwrap_or(0);
                (max + z.wmark(Wmark::High)).min(z.managed)
            })
            .sum()
    }

    /// Compute min_free_kbytes (unless set by hand), then each zone's watermarks,
    /// lowmem reserves and per-cpu list sizes (Linux: init_per_zone_wmark_min()).
    pub(crate) fn setup_watermarks(&mut self) {
        // All three zones are lowmem on x86_64 (no ZONE_HIGHMEM).
        let lowmem_pages: u64 = self.zones.iter().map(|z| z.managed).sum();
        if !self.user_min_free_kbytes {
            self.min_free_kbytes = min_free_kbytes_for(lowmem_pages);
        }
        let pages_min = self.min_free_kbytes / 4;

        // min: min_free_kbytes split among zones in proportion to their size. The
        // gaps min→low and low→high are a quarter of min, or 0.1% of the zone
        // (watermark_scale_factor) when that is larger: Linux's current rule.
        for z in &mut self.zones {
            let min = (pages_min * z.managed)
                .checked_div(lowmem_pages)
                .unwrap_or(0);
            let gap = (min / 4).max(z.managed * WATERMARK_SCALE_FACTOR / 10_000);
            z.watermark = [min, min + gap, min + 2 * gap];
        }

        // lowmem_reserve[j] of zone i: managed pages of zones i+1..=j over the ratio.
        let managed = self.zones.each_ref().map(|z| z.managed);
        for (i, ratio) in LOWMEM_RESERVE_RATIO.into_iter().enumerate() {
            let mut reserve = [0; MAX_NR_ZONES];
            if managed[i] > 0 {
                let mut upper = 0;
                for j in i + 1..MAX_NR_ZONES {
                    upper += managed[j];
                    reserve[j] = upper / ratio;
                }
            }
            self.zones[i].lowmem_reserve = reserve;
        }

        for z in &mut self.zones {
            z.pcp
                .set_high_and_batch(z.managed, z.wmark(Wmark::Low), self.pcp_enabled);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_sqrt_floors() {
        for x in 0..2000u64 {
            let r = int_sqrt(x);
            assert!(r * r <= x && (r + 1) * (r + 1) > x, "{x}");
        }
        assert_eq!(int_sqrt(u64::MAX), u32::MAX as u64);
    }

    #[test]
    fn min_free_kbytes_matches_linux_table() {
        // The table in Linux's comment above calculate_min_free_kbytes().
        let mib = |m: u64| m * 256;
        assert_eq!(min_free_kbytes_for(mib(16)), 512);
        assert_eq!(min_free_kbytes_for(mib(128)), 1448);
        assert_eq!(min_free_kbytes_for(mib(2048)), 5792);
        assert_eq!(min_free_kbytes_for(mib(16384)), 16384);
        assert_eq!(min_free_kbytes_for(0), 128);
        assert_eq!(min_free_kbytes_for(mib(1 << 30)), 262_144);
    }

    #[test]
    fn gfp_sets_to_alloc_flags() {
        let atomic = AllocFlags::slow(Gfp::ATOMIC);
        assert!(atomic.min_reserve && atomic.non_block);
        let nowait = AllocFlags::slow(Gfp::NOWAIT);
        assert!(!nowait.min_reserve && nowait.non_block);
        let kernel = AllocFlags::slow(Gfp::KERNEL);
        assert!(!kernel.min_reserve && !kernel.non_block);
        assert_eq!(kernel.wmark, Wmark::Min);
        assert_eq!(AllocFlags::FAST.wmark, Wmark::Low);
    }
}
