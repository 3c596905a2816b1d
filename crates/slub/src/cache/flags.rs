//! The flags and errors of kmem_cache_create and kmem_cache_destroy (Linux: the SLAB_*
//! flags of include/linux/slab.h, calculate_alignment in mm/slab_common.c), and the line
//! the kernel prints when a cache refuses to go away.

use core::fmt;

bitflags::bitflags! {
    /// Flags of kmem_cache_create, with Linux's values.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SlabFlags: u32 {
        /// slub_debug=FZP: consistency checks, red zones and poisoning, all three
        /// (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON).
        const DEBUG = 0x0000_0d00;
        /// Align objects to a cache line, or to half of one for small objects.
        const HWCACHE_ALIGN = 0x0000_2000;
        /// Slabs come from ZONE_DMA.
        const CACHE_DMA = 0x0000_4000;
        /// Counted as reclaimable in /proc/meminfo (SReclaimable).
        const RECLAIM_ACCOUNT = 0x0002_0000;
    }
}

/// Why a cache operation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlabError {
    /// Size 0, or one object does not fit in the largest block.
    InvalidSize,
    /// The alignment is not a power of two.
    InvalidAlign,
    /// kmem_cache_destroy while objects are still in use.
    InUse { cache: &'static str, objects: usize },
    /// The debug mode changes only while the cache holds no slab.
    HasSlabs { cache: &'static str },
    /// The registry of caches is full.
    RegistryFull,
}

impl fmt::Display for SlabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlabError::InvalidSize => write!(f, "slub: invalid object size"),
            SlabError::InvalidAlign => write!(f, "slub: alignment is not a power of two"),
            SlabError::InUse { cache, objects } => write!(
                f,
                "slub: kmem_cache_destroy {cache}: Slab cache still has objects ({objects} in use)"
            ),
            SlabError::HasSlabs { cache } => {
                write!(
                    f,
                    "slub: {cache}: debug mode changes only while the cache is empty"
                )
            }
            SlabError::RegistryFull => write!(f, "slub: too many caches to register"),
        }
    }
}

/// Linux's calculate_alignment: the caller's alignment, at least a word, and a cache line
/// (or the smallest power-of-two fraction of one that holds the object) with HWCACHE_ALIGN.
pub(crate) const fn calculate_alignment(
    flags: SlabFlags,
    align: usize,
    size: usize,
) -> Option<usize> {
    const CACHE_LINE: usize = 64;
    let mut align = if align < 8 { 8 } else { align };
    if !align.is_power_of_two() {
        return None;
    }
    if flags.contains(SlabFlags::HWCACHE_ALIGN) {
        let mut line = CACHE_LINE;
        while size <= line / 2 {
            line /= 2;
        }
        if line > align {
            align = line;
        }
    }
    Some(align)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn hwcache_align_uses_the_smallest_fraction_of_a_line_that_holds_the_object() {
        let hw = SlabFlags::HWCACHE_ALIGN;
        assert_eq!(calculate_alignment(hw, 0, 40), Some(64));
        assert_eq!(calculate_alignment(hw, 0, 20), Some(32));
        assert_eq!(calculate_alignment(hw, 0, 9), Some(16));
        assert_eq!(calculate_alignment(hw, 128, 9), Some(128));
        assert_eq!(calculate_alignment(SlabFlags::empty(), 0, 9), Some(8));
        assert_eq!(calculate_alignment(SlabFlags::empty(), 48, 9), None);
    }

    #[test]
    fn errors_read_as_kernel_log_lines() {
        let busy = SlabError::InUse {
            cache: "dentry",
            objects: 2,
        };
        assert_eq!(
            format!("{busy}"),
            "slub: kmem_cache_destroy dentry: Slab cache still has objects (2 in use)"
        );
        assert_eq!(
            format!("{}", SlabError::RegistryFull),
            "slub: too many caches to register"
        );
    }
}
