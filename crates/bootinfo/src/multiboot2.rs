//! Multiboot2 boot information (GRUB's `multiboot2` command): a u32 total_size,
//! a reserved word, then 8-byte-aligned tags up to an end tag (type 0).
//! Written here rather than taken from the `multiboot2` crate (0.24), which
//! panics on malformed tags (size < 8, mmap entry_size != 24, a tag running
//! past total_size) and loads through an unsafe, 8-byte-aligned pointer.

use crate::bytes::{read_exact, set_lossy, u32_at, until_nul, Record};
use crate::info::{BootInfo, Module, Protocol};
use crate::{BootInfoError, PhysMem};

const TAG_END: u32 = 0;
const TAG_CMDLINE: u32 = 1;
const TAG_LOADER_NAME: u32 = 2;
const TAG_MODULE: u32 = 3;
const TAG_BASIC_MEMINFO: u32 = 4;
const TAG_MMAP: u32 = 6;
const TAG_ACPI_OLD: u32 = 14;
const TAG_ACPI_NEW: u32 = 15;

/// total_size and the reserved word.
const HEADER_LEN: usize = 8;
/// type and size.
const TAG_HEADER_LEN: usize = 8;
/// base_addr, length, type, reserved: the least an mmap entry may be.
const MMAP_ENTRY_MIN: usize = 24;
/// An ACPI 1.0 RSDP; the tag holds a copy of the loader's RSDP.
const RSDP_V1_LEN: usize = 20;

const BLOCK: &str = "multiboot2 information";

pub(crate) fn parse(info_paddr: u64, mem: &impl PhysMem) -> Result<BootInfo, BootInfoError> {
    let total_size = Record::read(mem, info_paddr, HEADER_LEN, BLOCK)?.u32(0)?;
    if (total_size as usize) < HEADER_LEN + TAG_HEADER_LEN {
        return Err(BootInfoError::BadTotalSize(total_size));
    }
    let block = read_exact(mem, info_paddr, total_size as usize, BLOCK)?;

    let mut info = BootInfo::new(Protocol::Multiboot2);
    let mut has_mmap = false;
    let mut basic_meminfo = None;
    let mut rsdp_old = None;
    let mut rsdp_new = None;

    let mut offset = HEADER_LEN;
    loop {
        let (Some(typ), Some(size)) = (u32_at(block, offset), u32_at(block, offset + 4)) else {
            return Err(BootInfoError::MissingEndTag);
        };
        let malformed = BootInfoError::MalformedTag {
            offset: offset as u32,
            typ,
            size,
        };
        let body = tag_body(block, offset, size).ok_or(malformed)?;
        let fields = Record::new(body, malformed);
        // Where a tag's body lies in physical memory (for the RSDP copies).
        let body_paddr = info_paddr.checked_add((offset + TAG_HEADER_LEN) as u64);

        match typ {
            TAG_END => break,
            TAG_CMDLINE => info.truncated |= !set_lossy(&mut info.cmdline, until_nul(body)),
            TAG_LOADER_NAME => {
                info.truncated |= !set_lossy(&mut info.loader_name, until_nul(body));
            }
            TAG_MODULE => module(fields, &mut info)?,
            TAG_BASIC_MEMINFO => basic_meminfo = Some((fields.u32(0)?, fields.u32(4)?)),
            TAG_MMAP => {
                mmap(fields, &mut info)?;
                has_mmap = true;
            }
            TAG_ACPI_OLD | TAG_ACPI_NEW => {
                let paddr = body_paddr
                    .filter(|_| body.len() >= RSDP_V1_LEN)
                    .ok_or(malformed)?;
                if typ == TAG_ACPI_NEW {
                    rsdp_new = Some(paddr);
                } else {
                    rsdp_old = Some(paddr);
                }
            }
            _ => {}
        }
        offset = align8(offset + TAG_HEADER_LEN + body.len());
    }

    // Basic meminfo is only a fallback: lower memory from 0, upper from 1 MiB,
    // both in KiB and both usable, as the Multiboot2 specification gives them.
    if let (false, Some((lower_kib, upper_kib))) = (has_mmap, basic_meminfo) {
        info.push_region(0, u64::from(lower_kib) * 1024, 1);
        info.push_region(0x10_0000, u64::from(upper_kib) * 1024, 1);
    }
    info.rsdp = rsdp_new.or(rsdp_old);
    Ok(info.finish())
}

/// The body of the tag at `offset`, if its size fits the tag header and block.
fn tag_body(block: &[u8], offset: usize, size: u32) -> Option<&[u8]> {
    let size = size as usize;
    if size < TAG_HEADER_LEN {
        return None;
    }
    block.get(offset + TAG_HEADER_LEN..offset.checked_add(size)?)
}

fn align8(n: usize) -> usize {
    n.saturating_add(7) & !7
}

/// Tag 3: mod_start, mod_end (u32 physical addresses), then the string.
fn module(body: Record, info: &mut BootInfo) -> Result<(), BootInfoError> {
    let start = body.u32(0)?.into();
    let end = body.u32(4)?.into();
    let mut module = Module {
        start,
        end,
        cmdline: Default::default(),
    };
    info.truncated |= !set_lossy(&mut module.cmdline, until_nul(body.tail(8)?));
    info.push_module(module);
    Ok(())
}

/// Tag 6: entry_size, entry_version, then e820-style entries.
fn mmap(body: Record, info: &mut BootInfo) -> Result<(), BootInfoError> {
    let entry_size = body.u32(0)? as usize;
    if entry_size < MMAP_ENTRY_MIN {
        return Err(body.err());
    }
    // entry_size may grow in later versions; the fields read here stay put.
    for entry in body.tail(8)?.chunks_exact(entry_size) {
        let entry = Record::new(entry, body.err());
        if !info.push_region(entry.u64(0)?, entry.u64(8)?, entry.u32(16)?) {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::info::MemoryKind;
    use crate::testmem::*;
    use crate::{parse as parse_any, MULTIBOOT2_MAGIC};

    const INFO: u64 = 0x1_0000;

    /// An RSDP copy as GRUB puts in tags 14 and 15 (checksums not checked here).
    fn rsdp(revision: u8) -> Vec<u8> {
        let mut r = b"RSD PTR ".to_vec();
        r.extend([0, b'B', b'O', b'C', b'H', b'S', b' ', revision]);
        r.extend(le32(0x0ffe_1a3c));
        if revision >= 2 {
            r.extend(le32(36));
            r.extend(le64(0x0ffe_1b00));
            r.extend([0, 0, 0, 0]);
        }
        r
    }

    /// Roughly what GRUB 2.06 writes for `multiboot2 /boot/noyau console=ttyS0
    /// quiet` and `module2 /boot/initramfs.cpio initrd` under SeaBIOS, `-m 256`.
    fn grub_block() -> (Vec<u8>, usize) {
        let block = Mb2Block::new()
            .string_tag(1, b"console=ttyS0 quiet")
            .string_tag(2, b"GRUB 2.06")
            .module(0x0011_4000, 0x0016_7a00, "initrd")
            .tag(4, &[le32(639), le32(261_888)].concat())
            .tag(
                5,
                &[le32(0x80), le32(0xffff_ffff), le32(0xffff_ffff)].concat(),
            )
            .mmap(&QEMU_256M_MAP)
            .tag(9, &[0; 20])
            .tag(10, &[0; 20]);
        let rsdp_offset = block.next_offset() + 8;
        (block.tag(14, &rsdp(0)).finish(), rsdp_offset)
    }

    fn mem_with(block: &[u8]) -> TestMem {
        let mut mem = TestMem::new();
        mem.add(INFO, block);
        mem
    }

    #[test]
    fn grub_boot_is_read_completely() {
        let (block, rsdp_offset) = grub_block();
        let info = parse_any(MULTIBOOT2_MAGIC, INFO, &mem_with(&block)).unwrap();
        assert_eq!(info.protocol, Protocol::Multiboot2);
        assert_eq!(info.loader_name.as_str(), "GRUB 2.06");
        assert_eq!(info.cmdline.as_str(), "console=ttyS0 quiet");
        assert_eq!(info.rsdp, Some(INFO + rsdp_offset as u64));
        assert!(!info.truncated);

        assert_eq!(info.modules.len(), 1);
        assert_eq!(info.modules[0].start, 0x0011_4000);
        assert_eq!(info.modules[0].end, 0x0016_7a00);
        assert_eq!(info.modules[0].cmdline.as_str(), "initrd");

        // The memory map wins over basic meminfo.
        let map: Vec<(u64, u64, u32)> = info
            .memory_map
            .iter()
            .map(|r| (r.base, r.len, r.kind.e820_type()))
            .collect();
        assert_eq!(map, QEMU_256M_MAP);
        assert_eq!(info.usable_bytes(), QEMU_256M_USABLE);
        let lines: Vec<String> = info.memory_map.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            lines,
            [
                "[mem 0x0000000000000000-0x000000000009fbff] usable",
                "[mem 0x000000000009fc00-0x000000000009ffff] reserved",
                "[mem 0x00000000000f0000-0x00000000000fffff] reserved",
                "[mem 0x0000000000100000-0x000000000ffdffff] usable",
                "[mem 0x000000000ffe0000-0x000000000fffffff] reserved",
                "[mem 0x00000000fffc0000-0x00000000ffffffff] reserved",
            ]
        );
        assert_eq!(info.cmdline_param("console"), Some("ttyS0"));
        assert_eq!(info.cmdline_param("quiet"), Some(""));
        assert_eq!(info.cmdline_param("root"), None);
    }

    #[test]
    fn newer_rsdp_is_preferred() {
        let block = Mb2Block::new().tag(15, &rsdp(2)).tag(14, &rsdp(0));
        let new_offset = 8 + 8;
        let info = parse(INFO, &mem_with(&block.finish())).unwrap();
        assert_eq!(info.rsdp, Some(INFO + new_offset));
    }

    #[test]
    fn basic_meminfo_is_the_fallback() {
        let block = Mb2Block::new()
            .tag(4, &[le32(639), le32(261_888)].concat())
            .finish();
        let info = parse(INFO, &mem_with(&block)).unwrap();
        let map: Vec<(u64, u64, MemoryKind)> = info
            .memory_map
            .iter()
            .map(|r| (r.base, r.len, r.kind))
            .collect();
        assert_eq!(
            map,
            [
                (0, 639 * 1024, MemoryKind::Usable),
                (0x10_0000, 261_888 * 1024, MemoryKind::Usable)
            ]
        );
        assert_eq!(info.loader_name.as_str(), "");
        assert_eq!(info.rsdp, None);
    }

    #[test]
    fn larger_mmap_entries_are_stepped_over() {
        let mut body = [le32(32), le32(0)].concat();
        for &(base, len, typ) in &QEMU_256M_MAP[..2] {
            body.extend([le64(base), le64(len)].concat());
            body.extend([le32(typ), le32(0), le32(0xdead), le32(0xbeef)].concat());
        }
        let info = parse(INFO, &mem_with(&Mb2Block::new().tag(6, &body).finish())).unwrap();
        assert_eq!(info.memory_map.len(), 2);
        assert_eq!(info.memory_map[1].kind, MemoryKind::Reserved);
    }

    #[test]
    fn too_many_entries_are_truncated() {
        let map: Vec<(u64, u64, u32)> = (0..130).map(|i| (i * 0x1000, 0x1000, 1)).collect();
        let mut block = Mb2Block::new().mmap(&map).string_tag(1, &[b'a'; 2100]);
        for i in 0..17 {
            block = block.module(i * 0x1000, i * 0x1000 + 0x800, "m");
        }
        let info = parse(INFO, &mem_with(&block.finish())).unwrap();
        assert!(info.truncated);
        assert_eq!(info.memory_map.len(), 128);
        assert_eq!(info.modules.len(), 16);
        assert_eq!(info.cmdline.len(), 2048);
    }

    #[test]
    fn long_loader_name_sets_truncated() {
        let block = Mb2Block::new().string_tag(2, &[b'g'; 100]).finish();
        let info = parse(INFO, &mem_with(&block)).unwrap();
        assert!(info.truncated);
        assert_eq!(info.loader_name.len(), 64);
    }

    #[test]
    fn strings_that_are_not_utf8_are_repaired() {
        let block = Mb2Block::new()
            .string_tag(1, b"root=/dev/vda \xc3")
            .tag(2, b"GRUB")
            .finish();
        let info = parse(INFO, &mem_with(&block)).unwrap();
        assert_eq!(info.cmdline.as_str(), "root=/dev/vda \u{fffd}");
        // A string tag without its NUL still reads up to the tag's end.
        assert_eq!(info.loader_name.as_str(), "GRUB");
        assert!(!info.truncated);
    }

    #[test]
    fn unknown_tags_are_skipped() {
        let block = Mb2Block::new()
            .tag(21, &[1; 4])
            .tag(0xffff, &[])
            .string_tag(1, b"x");
        let info = parse(INFO, &mem_with(&block.finish())).unwrap();
        assert_eq!(info.cmdline.as_str(), "x");
    }

    #[test]
    fn bad_total_size() {
        for total in [0u32, 8, 15] {
            let mut block = Mb2Block::new().finish();
            block[..4].copy_from_slice(&le32(total));
            assert_eq!(
                parse(INFO, &mem_with(&block)),
                Err(BootInfoError::BadTotalSize(total))
            );
        }
    }

    #[test]
    fn total_size_past_readable_memory() {
        let mut block = Mb2Block::new().string_tag(1, b"quiet").finish();
        let claimed = block.len() as u32 + 64;
        block[..4].copy_from_slice(&le32(claimed));
        let err = BootInfoError::Unreadable {
            what: BLOCK,
            paddr: INFO,
            len: claimed as usize,
        };
        assert_eq!(parse(INFO, &mem_with(&block)), Err(err));
        assert!(matches!(
            parse(INFO, &TestMem::new()),
            Err(BootInfoError::Unreadable { .. })
        ));
    }

    #[test]
    fn malformed_tags() {
        let bad = |block: Mb2Block, offset: u32, typ: u32, size: u32| {
            let err = BootInfoError::MalformedTag { offset, typ, size };
            assert_eq!(parse(INFO, &mem_with(&block.finish())), Err(err));
        };
        // A size smaller than the tag header.
        bad(Mb2Block::new().raw_tag(1, 4, &[0; 8]), 8, 1, 4);
        // A size running past total_size.
        bad(Mb2Block::new().raw_tag(2, 0x100, b"GRUB\0"), 8, 2, 0x100);
        // A module tag too short for its addresses.
        bad(Mb2Block::new().tag(3, &[0; 4]), 8, 3, 12);
        // A memory map with entries smaller than 24 bytes (0 would never end).
        bad(
            Mb2Block::new().tag(6, &[le32(0), le32(0)].concat()),
            8,
            6,
            16,
        );
        bad(
            Mb2Block::new().tag(6, &[le32(16), le32(0)].concat()),
            8,
            6,
            16,
        );
        // Basic meminfo and RSDP tags too short for what they hold.
        bad(Mb2Block::new().tag(4, &[0; 4]), 8, 4, 12);
        bad(Mb2Block::new().tag(15, &[0; 8]), 8, 15, 16);
        // The second tag is the bad one.
        bad(
            Mb2Block::new().string_tag(1, b"ok").raw_tag(9, 0, &[]),
            24,
            9,
            0,
        );
    }

    #[test]
    fn missing_end_tag() {
        let mut block = Mb2Block::new().string_tag(1, b"quiet").finish();
        let len = block.len();
        block.truncate(len - 8);
        let total = block.len() as u32;
        block[..4].copy_from_slice(&le32(total));
        assert_eq!(
            parse(INFO, &mem_with(&block)),
            Err(BootInfoError::MissingEndTag)
        );
    }

    #[test]
    fn bytes_after_the_end_tag_are_ignored() {
        let mut block = Mb2Block::new().string_tag(1, b"quiet").finish();
        block.extend([0xff; 16]);
        let total = block.len() as u32;
        block[..4].copy_from_slice(&le32(total));
        assert_eq!(
            parse(INFO, &mem_with(&block)).unwrap().cmdline.as_str(),
            "quiet"
        );
    }
}
