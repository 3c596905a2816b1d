//! Test stand-ins for physical memory and for what the boot loaders write.
//! `TestMem` holds byte spans at chosen physical addresses; the builders lay
//! out `hvm_start_info` and Multiboot2 blocks the way QEMU and GRUB do.

use crate::PhysMem;

/// Physical memory made of separate readable spans.
#[derive(Default)]
pub struct TestMem {
    spans: Vec<(u64, Vec<u8>)>,
}

impl TestMem {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, paddr: u64, bytes: &[u8]) {
        self.spans.push((paddr, bytes.to_vec()));
    }
}

impl PhysMem for TestMem {
    fn read(&self, paddr: u64, len: usize) -> Option<&[u8]> {
        self.spans.iter().find_map(|(base, bytes)| {
            let start = usize::try_from(paddr.checked_sub(*base)?).ok()?;
            bytes.get(start..start.checked_add(len)?)
        })
    }
}

/// QEMU's usual e820 map for `-m 256`: (base, len, type).
pub const QEMU_256M_MAP: [(u64, u64, u32); 6] = [
    (0, 0x9fc00, 1),
    (0x9fc00, 0x400, 2),
    (0xf0000, 0x10000, 2),
    (0x10_0000, 0xfee_0000, 1),
    (0xffe_0000, 0x2_0000, 2),
    (0xfffc_0000, 0x4_0000, 2),
];

/// Usable bytes in `QEMU_256M_MAP`.
pub const QEMU_256M_USABLE: u64 = 0x9fc00 + 0xfee_0000;

pub fn le32(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

pub fn le64(v: u64) -> [u8; 8] {
    v.to_le_bytes()
}

/// A `struct hvm_start_info`; version 1 when a memory map is given.
pub struct StartInfo {
    pub magic: u32,
    pub version: u32,
    pub nr_modules: u32,
    pub modlist_paddr: u64,
    pub cmdline_paddr: u64,
    pub rsdp_paddr: u64,
    pub memmap_paddr: u64,
    pub memmap_entries: u32,
}

impl StartInfo {
    pub fn bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend(le32(self.magic));
        b.extend(le32(self.version));
        b.extend(le32(0)); // flags
        b.extend(le32(self.nr_modules));
        b.extend(le64(self.modlist_paddr));
        b.extend(le64(self.cmdline_paddr));
        b.extend(le64(self.rsdp_paddr));
        if self.version >= 1 {
            b.extend(le64(self.memmap_paddr));
            b.extend(le32(self.memmap_entries));
            b.extend(le32(0));
        }
        b
    }
}

/// `hvm_modlist_entry`s.
pub fn modlist(entries: &[(u64, u64, u64)]) -> Vec<u8> {
    let mut b = Vec::new();
    for &(paddr, size, cmdline) in entries {
        b.extend(le64(paddr));
        b.extend(le64(size));
        b.extend(le64(cmdline));
        b.extend(le64(0));
    }
    b
}

/// `hvm_memmap_table_entry`s (or e820 entries: the layout is the same).
pub fn memmap(entries: &[(u64, u64, u32)]) -> Vec<u8> {
    let mut b = Vec::new();
    for &(addr, size, typ) in entries {
        b.extend(le64(addr));
        b.extend(le64(size));
        b.extend(le32(typ));
        b.extend(le32(0));
    }
    b
}

/// A Multiboot2 information block, tag by tag, 8-byte aligned as GRUB lays it.
pub struct Mb2Block {
    bytes: Vec<u8>,
}

impl Mb2Block {
    pub fn new() -> Self {
        Self { bytes: vec![0; 8] }
    }

    /// Offset the next tag will start at.
    pub fn next_offset(&self) -> usize {
        self.bytes.len()
    }

    /// A tag whose size field says `size`, whatever the body's length.
    pub fn raw_tag(mut self, typ: u32, size: u32, body: &[u8]) -> Self {
        self.bytes.extend(le32(typ));
        self.bytes.extend(le32(size));
        self.bytes.extend(body);
        while !self.bytes.len().is_multiple_of(8) {
            self.bytes.push(0);
        }
        self
    }

    pub fn tag(self, typ: u32, body: &[u8]) -> Self {
        let size = 8 + body.len() as u32;
        self.raw_tag(typ, size, body)
    }

    pub fn string_tag(self, typ: u32, s: &[u8]) -> Self {
        let mut body = s.to_vec();
        body.push(0);
        self.tag(typ, &body)
    }

    pub fn module(self, start: u32, end: u32, name: &str) -> Self {
        let mut body = [le32(start), le32(end)].concat();
        body.extend(name.as_bytes());
        body.push(0);
        self.tag(3, &body)
    }

    pub fn mmap(self, entries: &[(u64, u64, u32)]) -> Self {
        let mut body = [le32(24), le32(0)].concat();
        body.extend(memmap(entries));
        self.tag(6, &body)
    }

    /// Ends the block with the end tag and writes total_size.
    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.raw_tag(0, 8, &[]).bytes;
        let total = bytes.len() as u32;
        bytes[..4].copy_from_slice(&le32(total));
        bytes
    }
}
