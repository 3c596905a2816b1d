//! /proc/meminfo itself: the figures in kB as Linux's meminfo_proc_show() (fs/proc/meminfo.c)
//! derives them from the counters, and their text, one `Label:` padded to 16 columns and a
//! number right-aligned in 8 more, then " kB", as Linux's show_val_kb() prints it.

use core::fmt;

use crate::{si_mem_available, MemStats, PAGE_SHIFT};

/// Pages to kB, as Linux's `K()` shift (saturating instead of wrapping).
fn kb(pages: u64) -> u64 {
    pages.saturating_mul(1 << (PAGE_SHIFT - 10))
}

/// The figures of /proc/meminfo, in kB: each field is the line of the same name (in snake
/// case: `s_unreclaim` is SUnreclaim), in the order of the file. `Display` prints the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Meminfo {
    pub mem_total: u64,
    pub mem_free: u64,
    pub mem_available: u64,
    pub buffers: u64,
    pub cached: u64,
    pub swap_cached: u64,
    pub active: u64,
    pub inactive: u64,
    pub active_anon: u64,
    pub inactive_anon: u64,
    pub active_file: u64,
    pub inactive_file: u64,
    pub unevictable: u64,
    pub mlocked: u64,
    pub swap_total: u64,
    pub swap_free: u64,
    pub dirty: u64,
    pub writeback: u64,
    pub anon_pages: u64,
    pub mapped: u64,
    pub shmem: u64,
    pub k_reclaimable: u64,
    pub slab: u64,
    pub s_reclaimable: u64,
    pub s_unreclaim: u64,
    pub kernel_stack: u64,
    pub page_tables: u64,
    pub sec_page_tables: u64,
    pub nfs_unstable: u64,
    pub bounce: u64,
    pub writeback_tmp: u64,
    pub commit_limit: u64,
    pub committed_as: u64,
    pub vmalloc_total: u64,
    pub vmalloc_used: u64,
    pub vmalloc_chunk: u64,
    pub percpu: u64,
}

/// The /proc/meminfo figures for these counters, derived as Linux derives them.
pub fn meminfo(s: &MemStats) -> Meminfo {
    // Cached is the page cache without the block-device and swap-cache parts, which have
    // their own lines; Linux clamps it at 0 because the counters are read without a lock.
    let cached = s
        .file_pages
        .saturating_sub(s.swapcache_pages.saturating_add(s.buffer_pages));

    // Linux shows slab as whole pages of its byte counters.
    let s_reclaimable = kb(s.slab_reclaimable_bytes >> PAGE_SHIFT);
    let s_unreclaim = kb(s.slab_unreclaimable_bytes >> PAGE_SHIFT);

    // vm_commit_limit() without vm.overcommit_kbytes and hugetlb pages, which noyau lacks.
    let commit_limit = u128::from(s.total_pages) * u128::from(s.overcommit_ratio) / 100
        + u128::from(s.swap_total_pages);
    let commit_limit = u64::try_from(commit_limit).unwrap_or(u64::MAX);

    Meminfo {
        mem_total: kb(s.total_pages),
        mem_free: kb(s.free_pages),
        mem_available: kb(si_mem_available(s)),
        buffers: kb(s.buffer_pages),
        cached: kb(cached),
        swap_cached: kb(s.swapcache_pages),
        active: kb(s.active_anon_pages.saturating_add(s.active_file_pages)),
        inactive: kb(s.inactive_anon_pages.saturating_add(s.inactive_file_pages)),
        active_anon: kb(s.active_anon_pages),
        inactive_anon: kb(s.inactive_anon_pages),
        active_file: kb(s.active_file_pages),
        inactive_file: kb(s.inactive_file_pages),
        unevictable: kb(s.unevictable_pages),
        mlocked: kb(s.mlocked_pages),
        swap_total: kb(s.swap_total_pages),
        swap_free: kb(s.swap_free_pages),
        dirty: kb(s.dirty_pages),
        writeback: kb(s.writeback_pages),
        anon_pages: kb(s.anon_pages),
        mapped: kb(s.mapped_pages),
        shmem: kb(s.shmem_pages),
        k_reclaimable: s_reclaimable.saturating_add(kb(s.kernel_misc_reclaimable_pages)),
        slab: s_reclaimable.saturating_add(s_unreclaim),
        s_reclaimable,
        s_unreclaim,
        kernel_stack: s.kernel_stack_kb,
        page_tables: kb(s.page_table_pages),
        sec_page_tables: kb(s.sec_page_table_pages),
        nfs_unstable: 0,
        bounce: kb(s.bounce_pages),
        writeback_tmp: kb(s.writeback_tmp_pages),
        commit_limit: kb(commit_limit),
        committed_as: kb(s.committed_as_pages),
        vmalloc_total: s.vmalloc_total_bytes >> 10,
        vmalloc_used: s.vmalloc_used_bytes >> 10,
        vmalloc_chunk: 0,
        percpu: kb(s.percpu_pages),
    }
}

impl Meminfo {
    /// Number of lines of the file.
    pub const LINES: usize = 37;

    /// The lines as (label, kB), in the order Linux prints them.
    pub fn lines(&self) -> [(&'static str, u64); Self::LINES] {
        [
            ("MemTotal:", self.mem_total),
            ("MemFree:", self.mem_free),
            ("MemAvailable:", self.mem_available),
            ("Buffers:", self.buffers),
            ("Cached:", self.cached),
            ("SwapCached:", self.swap_cached),
            ("Active:", self.active),
            ("Inactive:", self.inactive),
            ("Active(anon):", self.active_anon),
            ("Inactive(anon):", self.inactive_anon),
            ("Active(file):", self.active_file),
            ("Inactive(file):", self.inactive_file),
            ("Unevictable:", self.unevictable),
            ("Mlocked:", self.mlocked),
            ("SwapTotal:", self.swap_total),
            ("SwapFree:", self.swap_free),
            ("Dirty:", self.dirty),
            ("Writeback:", self.writeback),
            ("AnonPages:", self.anon_pages),
            ("Mapped:", self.mapped),
            ("Shmem:", self.shmem),
            ("KReclaimable:", self.k_reclaimable),
            ("Slab:", self.slab),
            ("SReclaimable:", self.s_reclaimable),
            ("SUnreclaim:", self.s_unreclaim),
            ("KernelStack:", self.kernel_stack),
            ("PageTables:", self.page_tables),
            ("SecPageTables:", self.sec_page_tables),
            ("NFS_Unstable:", self.nfs_unstable),
            ("Bounce:", self.bounce),
            ("WritebackTmp:", self.writeback_tmp),
            ("CommitLimit:", self.commit_limit),
            ("Committed_AS:", self.committed_as),
            ("VmallocTotal:", self.vmalloc_total),
            ("VmallocUsed:", self.vmalloc_used),
            ("VmallocChunk:", self.vmalloc_chunk),
            ("Percpu:", self.percpu),
        ]
    }
}

impl fmt::Display for Meminfo {
    /// Linux's "%s%8lu kB\n" with the label padded to 16 columns: a number wider than 8
    /// digits (VmallocTotal) pushes " kB" right instead of being cut.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (label, value) in self.lines() {
            writeln!(f, "{label:<16}{value:>8} kB")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::string::ToString;

    use super::*;

    /// A small noyau under QEMU: 30000 managed pages, no page cache, no swap.
    fn noyau_128m() -> MemStats {
        MemStats {
            total_pages: 30_000,
            free_pages: 25_000,
            totalreserve_pages: 1_000,
            low_wmark_pages: 400,
            slab_unreclaimable_bytes: 1_234_567,
            kernel_stack_kb: 64,
            page_table_pages: 40,
            vmalloc_total_bytes: 0xffff_e8ff_ffff_ffff - 0xffff_c900_0000_0000,
            vmalloc_used_bytes: 5 * 4096,
            ..MemStats::default()
        }
    }

    /// Made with printf("%s%8lu kB\n") and Linux's own label strings, not with this crate.
    const NOYAU_128M: &str = "\
MemTotal:         120000 kB
MemFree:          100000 kB
MemAvailable:      96000 kB
Buffers:               0 kB
Cached:                0 kB
SwapCached:            0 kB
Active:                0 kB
Inactive:              0 kB
Active(anon):          0 kB
Inactive(anon):        0 kB
Active(file):          0 kB
Inactive(file):        0 kB
Unevictable:           0 kB
Mlocked:               0 kB
SwapTotal:             0 kB
SwapFree:              0 kB
Dirty:                 0 kB
Writeback:             0 kB
AnonPages:             0 kB
Mapped:                0 kB
Shmem:                 0 kB
KReclaimable:          0 kB
Slab:               1204 kB
SReclaimable:          0 kB
SUnreclaim:         1204 kB
KernelStack:          64 kB
PageTables:          160 kB
SecPageTables:         0 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:       60000 kB
Committed_AS:          0 kB
VmallocTotal:   34359738367 kB
VmallocUsed:          20 kB
VmallocChunk:          0 kB
Percpu:                0 kB
";

    #[test]
    fn noyau_text_is_exact() {
        assert_eq!(meminfo(&noyau_128m()).to_string(), NOYAU_128M);
    }

    #[test]
    fn all_zero_prints_every_line_with_zero() {
        let text = Meminfo::default().to_string();
        assert_eq!(text.lines().count(), Meminfo::LINES);
        assert!(text
            .lines()
            .all(|l| l.len() == 27 && l.ends_with("       0 kB")));
    }

    #[test]
    fn labels_leave_a_space_before_an_eight_digit_number() {
        for (label, _) in Meminfo::default().lines() {
            assert!(label.len() <= 15 && label.ends_with(':'), "{label}");
        }
        let wide = Meminfo {
            mem_total: 123_456_789,
            ..Meminfo::default()
        };
        assert!(wide
            .to_string()
            .starts_with("MemTotal:       123456789 kB\n"));
    }

    #[test]
    fn swap_lines_and_commit_limit() {
        let s = MemStats {
            total_pages: 1_000,
            swap_total_pages: 2_000,
            swap_free_pages: 1_500,
            swapcache_pages: 30,
            buffer_pages: 20,
            file_pages: 100,
            overcommit_ratio: 80,
            ..MemStats::default()
        };
        let m = meminfo(&s);
        assert_eq!(
            (m.swap_total, m.swap_free, m.swap_cached),
            (8_000, 6_000, 120)
        );
        // Cached leaves out the buffers and the swap cache: 100 - 30 - 20 pages.
        assert_eq!((m.cached, m.buffers), (200, 80));
        // 80% of RAM plus all swap.
        assert_eq!(m.commit_limit, (800 + 2_000) * 4);
    }

    #[test]
    fn cached_is_clamped_at_zero() {
        let s = MemStats {
            file_pages: 10,
            buffer_pages: 8,
            swapcache_pages: u64::MAX,
            ..MemStats::default()
        };
        assert_eq!(meminfo(&s).cached, 0);
    }

    #[test]
    fn slab_lines_count_whole_pages() {
        let s = MemStats {
            slab_reclaimable_bytes: 3 * 4096 + 4095,
            slab_unreclaimable_bytes: 4095,
            kernel_misc_reclaimable_pages: 2,
            ..MemStats::default()
        };
        let m = meminfo(&s);
        assert_eq!((m.s_reclaimable, m.s_unreclaim, m.slab), (12, 0, 12));
        assert_eq!(m.k_reclaimable, 20);
    }

    #[test]
    fn lines_that_linux_fixes_at_zero_stay_zero() {
        let s = MemStats {
            vmalloc_total_bytes: 1 << 40,
            vmalloc_used_bytes: 1 << 30,
            ..MemStats::default()
        };
        let m = meminfo(&s);
        assert_eq!((m.nfs_unstable, m.vmalloc_chunk), (0, 0));
        assert_eq!((m.vmalloc_total, m.vmalloc_used), (1 << 30, 1 << 20));
    }
}
