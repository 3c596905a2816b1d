//! `BootInfo`: what either boot protocol told the kernel, in one shape.
//! The memory map is Linux's e820 map (`e820__memory_setup`), printed the way
//! Linux prints its `BIOS-e820:` lines; modules are where the initrd comes from.

use core::fmt;

use arrayvec::{ArrayString, ArrayVec};

use crate::cmdline;

pub const LOADER_NAME_CAP: usize = 64;
pub const CMDLINE_CAP: usize = 2048;
pub const MEMORY_MAP_CAP: usize = 128;
pub const MODULES_CAP: usize = 16;
pub const MODULE_CMDLINE_CAP: usize = 256;

/// The boot protocol the kernel was entered through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// Xen's PVH boot, as QEMU `-kernel` does it.
    Pvh,
    /// Multiboot2, as GRUB does it.
    Multiboot2,
}

/// Boot information, fixed in size because it is read before there is a heap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootInfo {
    pub protocol: Protocol,
    /// Multiboot2's boot loader name; for PVH, a description of the protocol.
    pub loader_name: ArrayString<LOADER_NAME_CAP>,
    pub cmdline: ArrayString<CMDLINE_CAP>,
    /// Sorted by base; zero-length regions left out, overlaps kept as given.
    pub memory_map: ArrayVec<MemoryRegion, MEMORY_MAP_CAP>,
    pub modules: ArrayVec<Module, MODULES_CAP>,
    /// Physical address of the ACPI RSDP (the newer one if both are given).
    pub rsdp: Option<u64>,
    /// Something did not fit: a map entry, a module, or a string's tail.
    pub truncated: bool,
}

/// One e820 memory region: `len` bytes from `base`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryRegion {
    pub base: u64,
    pub len: u64,
    pub kind: MemoryKind,
}

/// An e820 region type (the ACPI address range types 1 to 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryKind {
    Usable,
    Reserved,
    AcpiReclaimable,
    AcpiNvs,
    Unusable,
    Other(u32),
}

/// A module the loader placed in memory: bytes `start..end` (end exclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    pub start: u64,
    pub end: u64,
    pub cmdline: ArrayString<MODULE_CMDLINE_CAP>,
}

impl BootInfo {
    pub(crate) fn new(protocol: Protocol) -> Self {
        Self {
            protocol,
            loader_name: ArrayString::new(),
            cmdline: ArrayString::new(),
            memory_map: ArrayVec::new(),
            modules: ArrayVec::new(),
            rsdp: None,
            truncated: false,
        }
    }

    /// Bytes in `Usable` regions: what the page allocator may be given.
    pub fn usable_bytes(&self) -> u64 {
        let usable = self
            .memory_map
            .iter()
            .filter(|r| r.kind == MemoryKind::Usable);
        usable.fold(0, |sum, r| sum.saturating_add(r.len))
    }

    /// The value of kernel parameter `name`, as Linux's `__setup` sees it.
    ///
    /// `name=value` gives `Some("value")`, a bare `name` gives `Some("")`; the
    /// last occurrence wins. Words after a bare `--` belong to init, not here.
    pub fn cmdline_param(&self, name: &str) -> Option<&str> {
        cmdline::param(&self.cmdline, name)
    }

    /// Adds a region unless it is empty; false once the map is full.
    pub(crate) fn push_region(&mut self, base: u64, len: u64, e820_type: u32) -> bool {
        if len == 0 {
            return true;
        }
        let region = MemoryRegion {
            base,
            len,
            kind: MemoryKind::from_e820(e820_type),
        };
        let pushed = self.memory_map.try_push(region).is_ok();
        self.truncated |= !pushed;
        pushed
    }

    /// Adds a module; false once the list is full.
    pub(crate) fn push_module(&mut self, module: Module) -> bool {
        let pushed = self.modules.try_push(module).is_ok();
        self.truncated |= !pushed;
        pushed
    }

    /// Last step of every parser.
    pub(crate) fn finish(mut self) -> Self {
        self.memory_map.sort_unstable_by_key(|r| (r.base, r.len));
        self
    }
}

impl MemoryRegion {
    /// First byte past the region (saturating at `u64::MAX`).
    pub fn end(&self) -> u64 {
        self.base.saturating_add(self.len)
    }
}

/// Linux's e820 line body: `[mem 0x0000000000000000-0x000000000009fbff] usable`.
impl fmt::Display for MemoryRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self.base.wrapping_add(self.len).wrapping_sub(1);
        write!(
            f,
            "[mem {:#018x}-{:#018x}] {}",
            self.base,
            last,
            self.kind.e820_name()
        )
    }
}

impl MemoryKind {
    pub fn from_e820(e820_type: u32) -> Self {
        match e820_type {
            1 => Self::Usable,
            2 => Self::Reserved,
            3 => Self::AcpiReclaimable,
            4 => Self::AcpiNvs,
            5 => Self::Unusable,
            other => Self::Other(other),
        }
    }

    pub fn e820_type(self) -> u32 {
        match self {
            Self::Usable => 1,
            Self::Reserved => 2,
            Self::AcpiReclaimable => 3,
            Self::AcpiNvs => 4,
            Self::Unusable => 5,
            Self::Other(n) => n,
        }
    }

    /// Linux's word for the type, as in its `BIOS-e820:` lines.
    pub fn e820_name(self) -> E820Name {
        E820Name(self)
    }
}

/// Displays a `MemoryKind` as Linux's `e820_print_type` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct E820Name(pub MemoryKind);

impl fmt::Display for E820Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 7 is persistent memory, 12 its older pre-standard number; 0xefffffff
        // is Linux's soft-reserved (EFI specific-purpose) memory.
        match self.0.e820_type() {
            1 => f.write_str("usable"),
            2 => f.write_str("reserved"),
            3 => f.write_str("ACPI data"),
            4 => f.write_str("ACPI NVS"),
            5 => f.write_str("unusable"),
            0xefff_ffff => f.write_str("soft reserved"),
            n @ (7 | 12) => write!(f, "persistent (type {n})"),
            n => write!(f, "type {n}"),
        }
    }
}

impl Module {
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(base: u64, len: u64, kind: MemoryKind) -> MemoryRegion {
        MemoryRegion { base, len, kind }
    }

    #[test]
    fn region_prints_like_linux() {
        let r = region(0, 0x9fc00, MemoryKind::Usable);
        assert_eq!(
            r.to_string(),
            "[mem 0x0000000000000000-0x000000000009fbff] usable"
        );
        let r = region(0xfffc_0000, 0x40000, MemoryKind::Reserved);
        assert_eq!(
            r.to_string(),
            "[mem 0x00000000fffc0000-0x00000000ffffffff] reserved"
        );
        let r = region(0x7fe0_0000, 0x2_0000, MemoryKind::AcpiReclaimable);
        assert_eq!(
            r.to_string(),
            "[mem 0x000000007fe00000-0x000000007fe1ffff] ACPI data"
        );
    }

    #[test]
    fn region_at_top_of_memory_does_not_overflow() {
        let r = region(u64::MAX, 2, MemoryKind::Other(9));
        assert_eq!(
            r.to_string(),
            "[mem 0xffffffffffffffff-0x0000000000000000] type 9"
        );
        assert_eq!(r.end(), u64::MAX);
    }

    #[test]
    fn kinds_use_linux_words() {
        let names: Vec<String> = [1, 2, 3, 4, 5, 6, 7, 12, 0xefff_ffff, 0xf000_0001]
            .iter()
            .map(|&t| MemoryKind::from_e820(t).e820_name().to_string())
            .collect();
        let expected = [
            "usable",
            "reserved",
            "ACPI data",
            "ACPI NVS",
            "unusable",
            "type 6",
            "persistent (type 7)",
            "persistent (type 12)",
            "soft reserved",
            "type 4026531841",
        ];
        assert_eq!(names, expected);
    }

    #[test]
    fn e820_numbers_round_trip() {
        for t in 0..20 {
            assert_eq!(MemoryKind::from_e820(t).e820_type(), t);
        }
        assert_eq!(MemoryKind::from_e820(3), MemoryKind::AcpiReclaimable);
        assert_eq!(MemoryKind::from_e820(0), MemoryKind::Other(0));
    }

    #[test]
    fn usable_bytes_counts_only_usable_regions() {
        let mut info = BootInfo::new(Protocol::Pvh);
        assert_eq!(info.usable_bytes(), 0);
        assert!(info.push_region(0x10_0000, 0x1000, 1));
        assert!(info.push_region(0, 0x9fc00, 1));
        assert!(info.push_region(0x9fc00, 0x400, 2));
        assert!(info.push_region(0x20_0000, 0x1000, 3));
        assert_eq!(info.usable_bytes(), 0x9fc00 + 0x1000);
        assert!(info.push_region(0x1_0000_0000, u64::MAX, 1));
        assert_eq!(info.usable_bytes(), u64::MAX);
    }

    #[test]
    fn empty_regions_are_dropped_and_the_map_is_sorted() {
        let mut info = BootInfo::new(Protocol::Multiboot2);
        info.push_region(0x10_0000, 0x1000, 1);
        info.push_region(0x5000, 0, 1);
        info.push_region(0, 0x1000, 2);
        let info = info.finish();
        let bases: Vec<u64> = info.memory_map.iter().map(|r| r.base).collect();
        assert_eq!(bases, [0, 0x10_0000]);
        assert!(!info.truncated);
    }

    #[test]
    fn a_full_map_sets_truncated() {
        let mut info = BootInfo::new(Protocol::Pvh);
        for i in 0..MEMORY_MAP_CAP as u64 {
            assert!(info.push_region(i * 0x1000, 0x1000, 1));
        }
        assert!(!info.truncated);
        assert!(!info.push_region(0x1000_0000, 0x1000, 1));
        assert!(info.truncated);
        assert_eq!(info.memory_map.len(), MEMORY_MAP_CAP);
    }

    #[test]
    fn module_length_saturates() {
        let m = Module {
            start: 0x2000,
            end: 0x1000,
            cmdline: ArrayString::new(),
        };
        assert!(m.is_empty());
        let m = Module {
            start: 0x1000,
            end: 0x3000,
            cmdline: ArrayString::new(),
        };
        assert_eq!(m.len(), 0x2000);
    }
}
