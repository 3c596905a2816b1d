//! Boot information from either boot protocol, read into one `BootInfo`.
//! PVH (QEMU `-kernel`, `struct hvm_start_info`) and Multiboot2 (GRUB) hand over
//! the command line, memory map (Linux's e820 map), modules (the initrd) and the
//! ACPI RSDP in different shapes; the kernel sees only this crate's struct.
#![cfg_attr(not(test), no_std)]

mod bytes;
mod cmdline;
mod info;
mod multiboot2;
mod pvh;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod testmem;

use core::fmt;

pub use arrayvec::{ArrayString, ArrayVec};
pub use info::{
    BootInfo, E820Name, MemoryKind, MemoryRegion, Module, Protocol, CMDLINE_CAP, LOADER_NAME_CAP,
    MEMORY_MAP_CAP, MODULES_CAP, MODULE_CMDLINE_CAP,
};

/// EAX at a Multiboot2 entry.
pub const MULTIBOOT2_MAGIC: u32 = 0x36d7_6289;
/// First field of `struct hvm_start_info`; the PVH entry passes it in place of EAX.
pub const PVH_MAGIC: u32 = 0x336e_c578;

/// Read access to physical memory, so host tests can stand in byte arrays.
pub trait PhysMem {
    /// bytes at a physical address, or None if not readable
    fn read(&self, paddr: u64, len: usize) -> Option<&[u8]>;
}

/// Why the boot information could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootInfoError {
    /// The entry saw neither `MULTIBOOT2_MAGIC` nor `PVH_MAGIC`.
    BadMagic(u32),
    /// A structure the loader points at is not readable through `PhysMem`.
    Unreadable {
        what: &'static str,
        paddr: u64,
        len: usize,
    },
    /// The PVH start_info does not begin with `PVH_MAGIC`.
    BadPvhMagic(u32),
    /// The Multiboot2 total_size cannot hold the header and an end tag.
    BadTotalSize(u32),
    /// A Multiboot2 tag is too small for its type or runs past total_size.
    MalformedTag { offset: u32, typ: u32, size: u32 },
    /// The Multiboot2 tags reach total_size without an end tag.
    MissingEndTag,
}

impl fmt::Display for BootInfoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BadMagic(m) => write!(f, "unknown boot magic {m:#010x}"),
            Self::Unreadable { what, paddr, len } => {
                write!(f, "cannot read {what} ({len} bytes at {paddr:#x})")
            }
            Self::BadPvhMagic(m) => write!(f, "PVH start_info has magic {m:#010x}"),
            Self::BadTotalSize(s) => write!(f, "multiboot2 total_size {s} is too small"),
            Self::MalformedTag { offset, typ, size } => {
                write!(
                    f,
                    "multiboot2 tag type {typ} at offset {offset} has bad size {size}"
                )
            }
            Self::MissingEndTag => write!(f, "multiboot2 information has no end tag"),
        }
    }
}

/// Reads the boot information at `info_paddr` (EBX at entry).
///
/// `magic` is EAX at the Multiboot2 entry, or `PVH_MAGIC` from the PVH entry.
/// Malformed input gives an error, never a panic.
pub fn parse(magic: u32, info_paddr: u64, mem: &impl PhysMem) -> Result<BootInfo, BootInfoError> {
    match magic {
        MULTIBOOT2_MAGIC => multiboot2::parse(info_paddr, mem),
        PVH_MAGIC => pvh::parse(info_paddr, mem),
        other => Err(BootInfoError::BadMagic(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testmem::TestMem;

    #[test]
    fn unknown_magic_is_an_error() {
        let mem = TestMem::new();
        // Multiboot1's EAX value is not accepted.
        assert_eq!(
            parse(0x2bad_b002, 0x1000, &mem),
            Err(BootInfoError::BadMagic(0x2bad_b002))
        );
    }

    #[test]
    fn errors_print_their_cause() {
        let e = BootInfoError::Unreadable {
            what: "PVH start_info",
            paddr: 0x1000,
            len: 40,
        };
        assert_eq!(
            e.to_string(),
            "cannot read PVH start_info (40 bytes at 0x1000)"
        );
        let e = BootInfoError::MalformedTag {
            offset: 16,
            typ: 6,
            size: 4,
        };
        assert_eq!(
            e.to_string(),
            "multiboot2 tag type 6 at offset 16 has bad size 4"
        );
        assert_eq!(
            BootInfoError::BadMagic(1).to_string(),
            "unknown boot magic 0x00000001"
        );
    }
}
