//! CPU identification (Linux: arch/x86/kernel/cpu/common.c).
//!
//! Reads the vendor, the brand string and the family/model/stepping from
//! CPUID, and names the features noyau relies on.

use core::arch::x86_64::{__cpuid, __cpuid_count};

pub struct CpuInfo {
    vendor: [u8; 12],
    brand: [u8; 48],
    pub family: u32,
    pub model: u32,
    pub stepping: u32,
    edx1: u32,
    ecx1: u32,
    edx_ext: u32,
    /// CPUID leaf 7, sub-leaf 0, EBX: the structured extended features.
    ebx7: u32,
}

fn cpuid(leaf: u32) -> core::arch::x86_64::CpuidResult {
    __cpuid(leaf)
}

impl CpuInfo {
    pub fn read() -> Self {
        let l0 = cpuid(0);
        let mut vendor = [0u8; 12];
        vendor[0..4].copy_from_slice(&l0.ebx.to_le_bytes());
        vendor[4..8].copy_from_slice(&l0.edx.to_le_bytes());
        vendor[8..12].copy_from_slice(&l0.ecx.to_le_bytes());

        let l1 = cpuid(1);
        let base_family = (l1.eax >> 8) & 0xf;
        let mut family = base_family;
        let mut model = (l1.eax >> 4) & 0xf;
        if base_family == 0xf {
            family += (l1.eax >> 20) & 0xff;
        }
        if base_family == 0x6 || base_family == 0xf {
            model += ((l1.eax >> 16) & 0xf) << 4;
        }

        let mut brand = [0u8; 48];
        let max_ext = cpuid(0x8000_0000).eax;
        if max_ext >= 0x8000_0004 {
            for (i, leaf) in (0x8000_0002..=0x8000_0004).enumerate() {
                let r = cpuid(leaf);
                for (j, reg) in [r.eax, r.ebx, r.ecx, r.edx].iter().enumerate() {
                    let at = i * 16 + j * 4;
                    brand[at..at + 4].copy_from_slice(&reg.to_le_bytes());
                }
            }
        }
        let edx_ext = if max_ext >= 0x8000_0001 {
            cpuid(0x8000_0001).edx
        } else {
            0
        };
        // Leaf 7 exists when leaf 0 counts up to it.
        let ebx7 = if l0.eax >= 7 {
            __cpuid_count(7, 0).ebx
        } else {
            0
        };
        CpuInfo {
            vendor,
            brand,
            family,
            model,
            stepping: l1.eax & 0xf,
            edx1: l1.edx,
            ecx1: l1.ecx,
            edx_ext,
            ebx7,
        }
    }

    pub fn vendor(&self) -> &str {
        core::str::from_utf8(&self.vendor).unwrap_or("unknown")
    }

    pub fn brand(&self) -> &str {
        let end = self
            .brand
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.brand.len());
        core::str::from_utf8(&self.brand[..end])
            .unwrap_or("unknown")
            .trim()
    }

    /// The features noyau uses, with Linux's /proc/cpuinfo names, and
    /// whether this CPU has each.
    /// Supervisor Mode Execution Prevention: the kernel cannot run user pages.
    pub fn has_smep(&self) -> bool {
        self.ebx7 & (1 << 7) != 0
    }

    /// Supervisor Mode Access Prevention: the kernel cannot touch user pages.
    pub fn has_smap(&self) -> bool {
        self.ebx7 & (1 << 20) != 0
    }

    pub fn features(&self) -> [(&'static str, bool); 12] {
        let d = |bit: u32| self.edx1 & (1 << bit) != 0;
        let c = |bit: u32| self.ecx1 & (1 << bit) != 0;
        [
            ("fpu", d(0)),
            ("tsc", d(4)),
            ("apic", d(9)),
            ("pge", d(13)),
            ("fxsr", d(24)),
            ("sse", d(25)),
            ("sse2", d(26)),
            ("nx", self.edx_ext & (1 << 20) != 0),
            ("lm", self.edx_ext & (1 << 29) != 0),
            ("x2apic", c(21)),
            ("smep", self.has_smep()),
            ("smap", self.has_smap()),
        ]
    }
}
