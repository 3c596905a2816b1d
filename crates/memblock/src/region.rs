//! One memblock type (Linux's `struct memblock_type`): a sorted array of disjoint,
//! non-touching physical regions with a fixed capacity, as Linux's static arrays of
//! INIT_MEMBLOCK_REGIONS entries before memblock can grow them.
//! Adding merges with overlapping and adjacent regions; removing may split one.

/// Regions each array can hold (Linux: INIT_MEMBLOCK_REGIONS).
pub const MAX_REGIONS: usize = 128;

/// A physical range `[base, base + size)` (Linux's `struct memblock_region`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Region {
    pub base: u64,
    pub size: u64,
}

impl Region {
    /// One past the last byte. Never overflows: sizes are capped when regions are added.
    pub fn end(&self) -> u64 {
        self.base + self.size
    }
}

/// The array would need more than [`MAX_REGIONS`] entries; nothing was changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyRegions;

/// A sorted array of disjoint regions; no two touch (adjacent ones are merged).
#[derive(Clone, Debug)]
pub struct RegionArray {
    regions: [Region; MAX_REGIONS],
    cnt: usize,
}

impl Default for RegionArray {
    fn default() -> Self {
        Self::new()
    }
}

impl RegionArray {
    pub const fn new() -> Self {
        RegionArray {
            regions: [Region { base: 0, size: 0 }; MAX_REGIONS],
            cnt: 0,
        }
    }

    pub fn as_slice(&self) -> &[Region] {
        &self.regions[..self.cnt]
    }

    /// Bytes covered (Linux: `memblock_type.total_size`).
    pub fn total_size(&self) -> u64 {
        self.as_slice().iter().map(|r| r.size).sum()
    }

    /// Does any byte of `[base, end)` lie in a region?
    pub fn intersects(&self, base: u64, end: u64) -> bool {
        let i = self.as_slice().partition_point(|r| r.end() <= base);
        i < self.cnt && self.regions[i].base < end
    }

    /// Is all of `[base, end)` inside one region? (Regions never touch, so a range
    /// covered by the array is covered by one region.)
    pub fn contains(&self, base: u64, end: u64) -> bool {
        let i = self.as_slice().partition_point(|r| r.end() <= base);
        i < self.cnt && self.regions[i].base <= base && end <= self.regions[i].end()
    }

    /// Add `[base, end)`, merging every region it overlaps or touches into one
    /// (Linux: memblock_add_range() then memblock_merge_regions()).
    pub fn add(&mut self, base: u64, end: u64) -> Result<(), TooManyRegions> {
        if base >= end {
            return Ok(());
        }

        // Regions i..j overlap or touch the new range.
        let i = self.as_slice().partition_point(|r| r.end() < base);
        let j = self.as_slice().partition_point(|r| r.base <= end);
        if i == j {
            return self.splice(
                i,
                j,
                &[Region {
                    base,
                    size: end - base,
                }],
            );
        }
        let merged_base = base.min(self.regions[i].base);
        let merged_end = end.max(self.regions[j - 1].end());
        self.splice(
            i,
            j,
            &[Region {
                base: merged_base,
                size: merged_end - merged_base,
            }],
        )
    }

    /// Take `[base, end)` out, keeping what lies on either side of it
    /// (Linux: memblock_isolate_range() then memblock_remove_region()).
    pub fn remove(&mut self, base: u64, end: u64) -> Result<(), TooManyRegions> {
        if base >= end {
            return Ok(());
        }

        // Regions i..j overlap the range.
        let i = self.as_slice().partition_point(|r| r.end() <= base);
        let j = self.as_slice().partition_point(|r| r.base < end);
        if i >= j {
            return Ok(());
        }
        let mut pieces = [Region::default(); 2];
        let mut n = 0;
        let first = self.regions[i];
        if first.base < base {
            pieces[n] = Region {
                base: first.base,
                size: base - first.base,
            };
            n += 1;
        }
        let last = self.regions[j - 1];
        if last.end() > end {
            pieces[n] = Region {
                base: end,
                size: last.end() - end,
            };
            n += 1;
        }
        self.splice(i, j, &pieces[..n])
    }

    /// Replace regions `i..j` by `new` (sorted, disjoint), shifting the tail.
    fn splice(&mut self, i: usize, j: usize, new: &[Region]) -> Result<(), TooManyRegions> {
        let cnt = self.cnt - (j - i) + new.len();
        if cnt > MAX_REGIONS {
            return Err(TooManyRegions);
        }
        self.regions.copy_within(j..self.cnt, i + new.len());
        self.regions[i..i + new.len()].copy_from_slice(new);
        self.cnt = cnt;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(a: &RegionArray) -> [(u64, u64); 4] {
        let mut out = [(0, 0); 4];
        for (o, r) in out.iter_mut().zip(a.as_slice()) {
            *o = (r.base, r.end());
        }
        out
    }

    #[test]
    fn add_keeps_sorted_and_merges_touching() {
        let mut a = RegionArray::new();
        a.add(0x3000, 0x4000).unwrap();
        a.add(0x1000, 0x2000).unwrap();
        assert_eq!(a.as_slice().len(), 2);
        a.add(0x2000, 0x3000).unwrap();
        assert_eq!(
            a.as_slice(),
            &[Region {
                base: 0x1000,
                size: 0x3000
            }]
        );
        a.add(0x800, 0x5000).unwrap();
        assert_eq!(ranges(&a)[0], (0x800, 0x5000));
        assert_eq!(a.total_size(), 0x4800);
    }

    #[test]
    fn add_swallows_many_regions() {
        let mut a = RegionArray::new();
        for k in 0..10 {
            a.add(k * 0x100, k * 0x100 + 0x10).unwrap();
        }
        a.add(0x105, 0x605).unwrap();
        assert_eq!(ranges(&a)[..3], [(0, 0x10), (0x100, 0x610), (0x700, 0x710)]);
        assert_eq!(a.as_slice().len(), 5);
    }

    #[test]
    fn remove_splits_and_trims() {
        let mut a = RegionArray::new();
        a.add(0x1000, 0x9000).unwrap();
        a.remove(0x3000, 0x4000).unwrap();
        assert_eq!(ranges(&a)[..2], [(0x1000, 0x3000), (0x4000, 0x9000)]);
        a.remove(0x2000, 0x5000).unwrap();
        assert_eq!(ranges(&a)[..2], [(0x1000, 0x2000), (0x5000, 0x9000)]);
        a.remove(0, 0x10000).unwrap();
        assert!(a.as_slice().is_empty());
        a.remove(0, 0x10).unwrap();
    }

    #[test]
    fn full_array_refuses_and_stays_unchanged() {
        let mut a = RegionArray::new();
        for k in 0..MAX_REGIONS as u64 {
            a.add(k * 0x100, k * 0x100 + 0x10).unwrap();
        }
        let before = a.clone();
        assert_eq!(a.add(u64::MAX - 1, u64::MAX), Err(TooManyRegions));
        assert_eq!(a.remove(0x4, 0x8), Err(TooManyRegions));
        assert_eq!(a.as_slice(), before.as_slice());
        // Merging into an existing region needs no new slot.
        a.add(0x10, 0x20).unwrap();
        // Removing a whole region frees one.
        a.remove(0x200, 0x210).unwrap();
        a.remove(0x4, 0x8).unwrap();
    }

    #[test]
    fn intersects_and_contains() {
        let mut a = RegionArray::new();
        a.add(0x1000, 0x2000).unwrap();
        assert!(a.intersects(0xfff, 0x1001));
        assert!(!a.intersects(0x2000, 0x3000));
        assert!(!a.intersects(0, 0x1000));
        assert!(a.contains(0x1000, 0x2000));
        assert!(!a.contains(0xfff, 0x1800));
    }
}
