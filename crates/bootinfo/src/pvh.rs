//! PVH boot: `struct hvm_start_info` from Xen's public start_info.h, as QEMU
//! `-kernel` fills it (EBX at the PVH entry). Version 1 adds the e820 memory
//! map; a zero address in any field means "not given".

use core::fmt::Write;

use crate::bytes::{read_cstr, Record};
use crate::info::{BootInfo, Module, Protocol};
use crate::{BootInfoError, PhysMem, PVH_MAGIC};

/// `hvm_start_info` up to `rsdp_paddr` (version 0).
const START_INFO_V0_LEN: usize = 40;
/// Version 1 adds `memmap_paddr`, `memmap_entries` and a reserved word.
const START_INFO_V1_LEN: usize = 56;
/// `hvm_modlist_entry`: paddr, size, cmdline_paddr, reserved.
const MODLIST_ENTRY_LEN: usize = 32;
/// `hvm_memmap_table_entry`: addr, size, type, reserved.
const MEMMAP_ENTRY_LEN: usize = 24;

const START_INFO: &str = "PVH start_info";
const MODLIST: &str = "PVH module list";
const MEMMAP: &str = "PVH memory map";

pub(crate) fn parse(info_paddr: u64, mem: &impl PhysMem) -> Result<BootInfo, BootInfoError> {
    let head = Record::read(mem, info_paddr, START_INFO_V0_LEN, START_INFO)?;
    let magic = head.u32(0)?;
    if magic != PVH_MAGIC {
        return Err(BootInfoError::BadPvhMagic(magic));
    }
    let version = head.u32(4)?;
    let nr_modules = head.u32(12)?;
    let modlist_paddr = head.u64(16)?;
    let cmdline_paddr = head.u64(24)?;
    let rsdp_paddr = head.u64(32)?;

    let mut info = BootInfo::new(Protocol::Pvh);
    // PVH has no loader name field: say what is known, the protocol and version.
    let _ = write!(info.loader_name, "PVH start_info v{version}");
    if cmdline_paddr != 0 {
        let whole = read_cstr(mem, cmdline_paddr, &mut info.cmdline, "PVH command line")?;
        info.truncated |= !whole;
    }
    if rsdp_paddr != 0 {
        info.rsdp = Some(rsdp_paddr);
    }
    if modlist_paddr != 0 {
        read_modules(mem, modlist_paddr, nr_modules, &mut info)?;
    }

    if version >= 1 {
        let v1 = Record::read(mem, info_paddr, START_INFO_V1_LEN, START_INFO)?;
        let memmap_paddr = v1.u64(40)?;
        let memmap_entries = v1.u32(48)?;
        if memmap_paddr != 0 {
            read_memmap(mem, memmap_paddr, memmap_entries, &mut info)?;
        }
    }
    Ok(info.finish())
}

/// Entry `i` of a table of `len`-byte entries at `table`.
fn entry<'m>(
    mem: &'m impl PhysMem,
    table: u64,
    i: u32,
    len: usize,
    what: &'static str,
) -> Result<Record<'m>, BootInfoError> {
    let paddr = (len as u64)
        .checked_mul(u64::from(i))
        .and_then(|offset| table.checked_add(offset))
        .ok_or(BootInfoError::Unreadable {
            what,
            paddr: table,
            len,
        })?;
    Record::read(mem, paddr, len, what)
}

fn read_modules(
    mem: &impl PhysMem,
    table: u64,
    count: u32,
    info: &mut BootInfo,
) -> Result<(), BootInfoError> {
    for i in 0..count {
        if info.modules.is_full() {
            info.truncated = true;
            break;
        }
        let e = entry(mem, table, i, MODLIST_ENTRY_LEN, MODLIST)?;
        let start = e.u64(0)?;
        let size = e.u64(8)?;
        let cmdline_paddr = e.u64(16)?;

        let end = start.saturating_add(size);
        let mut module = Module {
            start,
            end,
            cmdline: Default::default(),
        };
        if cmdline_paddr != 0 {
            let whole = read_cstr(mem, cmdline_paddr, &mut module.cmdline, "PVH module name")?;
            info.truncated |= !whole;
        }
        info.push_module(module);
    }
    Ok(())
}

fn read_memmap(
    mem: &impl PhysMem,
    table: u64,
    count: u32,
    info: &mut BootInfo,
) -> Result<(), BootInfoError> {
    for i in 0..count {
        let e = entry(mem, table, i, MEMMAP_ENTRY_LEN, MEMMAP)?;
        if !info.push_region(e.u64(0)?, e.u64(8)?, e.u32(16)?) {
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
    use crate::{parse as parse_any, MEMORY_MAP_CAP, MODULES_CAP};

    const INFO: u64 = 0x6000;
    const CMDLINE: u64 = 0x7000;
    const MODLIST: u64 = 0x8000;
    const MEMMAP: u64 = 0x9000;
    const MODNAME: u64 = 0xb000;
    const RSDP: u64 = 0xf_5a40;

    fn start_info(nr_modules: u32, memmap_entries: u32) -> StartInfo {
        StartInfo {
            magic: PVH_MAGIC,
            version: 1,
            nr_modules,
            modlist_paddr: MODLIST,
            cmdline_paddr: CMDLINE,
            rsdp_paddr: RSDP,
            memmap_paddr: MEMMAP,
            memmap_entries,
        }
    }

    /// What QEMU 7.2 hands over for `-kernel noyau -initrd initramfs.cpio
    /// -append "console=ttyS0 quiet"`; the map is given out of order here to
    /// show that it comes back sorted.
    fn qemu_like() -> TestMem {
        let mut map = QEMU_256M_MAP.to_vec();
        map.swap(0, 4);
        let mut mem = TestMem::new();
        mem.add(INFO, &start_info(1, map.len() as u32).bytes());
        mem.add(CMDLINE, b"console=ttyS0 quiet\0");
        mem.add(MODLIST, &modlist(&[(0xfd7_0000, 0x5_3a00, 0)]));
        mem.add(MEMMAP, &memmap(&map));
        mem
    }

    #[test]
    fn qemu_kernel_boot_is_read_completely() {
        let info = parse_any(PVH_MAGIC, INFO, &qemu_like()).unwrap();
        assert_eq!(info.protocol, Protocol::Pvh);
        assert_eq!(info.loader_name.as_str(), "PVH start_info v1");
        assert_eq!(info.cmdline.as_str(), "console=ttyS0 quiet");
        assert_eq!(info.rsdp, Some(RSDP));
        assert!(!info.truncated);

        assert_eq!(info.modules.len(), 1);
        let initrd = &info.modules[0];
        assert_eq!(
            (initrd.start, initrd.end),
            (0xfd7_0000, 0xfd7_0000 + 0x5_3a00)
        );
        assert_eq!(initrd.cmdline.as_str(), "");

        let map: Vec<(u64, u64, u32)> = info
            .memory_map
            .iter()
            .map(|r| (r.base, r.len, r.kind.e820_type()))
            .collect();
        assert_eq!(map, QEMU_256M_MAP);
        assert_eq!(info.memory_map[3].kind, MemoryKind::Usable);
        assert_eq!(info.usable_bytes(), QEMU_256M_USABLE);
        assert_eq!(
            info.memory_map[3].to_string(),
            "[mem 0x0000000000100000-0x000000000ffdffff] usable"
        );
        assert_eq!(info.cmdline_param("console"), Some("ttyS0"));
        assert_eq!(info.cmdline_param("quiet"), Some(""));
    }

    #[test]
    fn version_0_has_no_memory_map() {
        let mut si = start_info(0, 3);
        si.version = 0;
        si.cmdline_paddr = 0;
        si.rsdp_paddr = 0;
        let mut mem = TestMem::new();
        mem.add(INFO, &si.bytes());
        let info = parse(INFO, &mem).unwrap();
        assert_eq!(info.loader_name.as_str(), "PVH start_info v0");
        assert!(info.memory_map.is_empty());
        assert!(info.modules.is_empty());
        assert_eq!(info.cmdline.as_str(), "");
        assert_eq!(info.rsdp, None);
    }

    #[test]
    fn zero_addresses_mean_not_given() {
        let mut si = start_info(2, 4);
        si.modlist_paddr = 0;
        si.memmap_paddr = 0;
        let mut mem = TestMem::new();
        mem.add(INFO, &si.bytes());
        mem.add(CMDLINE, b"\0");
        let info = parse(INFO, &mem).unwrap();
        assert!(info.modules.is_empty() && info.memory_map.is_empty());
    }

    #[test]
    fn module_names_are_read() {
        let mut mem = TestMem::new();
        mem.add(INFO, &start_info(2, 0).bytes());
        mem.add(CMDLINE, b"\0");
        mem.add(
            MODLIST,
            &modlist(&[(0x20_0000, 0x1000, MODNAME), (0x30_0000, 0x10, 0)]),
        );
        mem.add(MODNAME, b"initrd \xffbad\0");
        let info = parse(INFO, &mem).unwrap();
        assert_eq!(info.modules[0].cmdline.as_str(), "initrd \u{fffd}bad");
        assert_eq!(info.modules[1].start, 0x30_0000);
        assert_eq!(info.modules[1].len(), 0x10);
    }

    #[test]
    fn too_many_entries_are_truncated() {
        let map: Vec<(u64, u64, u32)> = (0..200)
            .rev()
            .map(|i| (i * 0x1000, 0x1000, 1 + (i % 5) as u32))
            .collect();
        let mods: Vec<(u64, u64, u64)> = (0..20).map(|i| (i * 0x1000, 0x800, 0)).collect();
        let mut mem = TestMem::new();
        mem.add(INFO, &start_info(20, 200).bytes());
        mem.add(CMDLINE, &[b'x'; 3000]);
        mem.add(MODLIST, &modlist(&mods));
        mem.add(MEMMAP, &memmap(&map));
        let info = parse(INFO, &mem).unwrap();
        assert!(info.truncated);
        assert_eq!(info.memory_map.len(), MEMORY_MAP_CAP);
        assert_eq!(info.modules.len(), MODULES_CAP);
        assert_eq!(info.cmdline.len(), 2048);
        // The first 128 entries given (the highest bases) are kept, sorted.
        assert_eq!(info.memory_map[0].base, 72 * 0x1000);
        assert!(info.memory_map.windows(2).all(|w| w[0].base < w[1].base));
    }

    #[test]
    fn a_long_module_name_sets_truncated() {
        let mut mem = TestMem::new();
        mem.add(INFO, &start_info(1, 0).bytes());
        mem.add(CMDLINE, b"\0");
        mem.add(MODLIST, &modlist(&[(0x20_0000, 0x1000, MODNAME)]));
        mem.add(MODNAME, &[b'm'; 300]);
        let info = parse(INFO, &mem).unwrap();
        assert!(info.truncated);
        assert_eq!(info.modules[0].cmdline.len(), 256);
    }

    #[test]
    fn wrong_magic_in_start_info() {
        let mut si = start_info(0, 0);
        si.magic = 0x1234_5678;
        let mut mem = TestMem::new();
        mem.add(INFO, &si.bytes());
        assert_eq!(
            parse(INFO, &mem),
            Err(BootInfoError::BadPvhMagic(0x1234_5678))
        );
    }

    #[test]
    fn unreadable_structures_are_errors() {
        let what = |e: BootInfoError| match e {
            BootInfoError::Unreadable { what, .. } => what,
            other => panic!("expected Unreadable, got {other:?}"),
        };
        let mem = TestMem::new();
        assert_eq!(what(parse(INFO, &mem).unwrap_err()), "PVH start_info");

        let mut mem = TestMem::new();
        mem.add(INFO, &start_info(0, 0).bytes()[..48]);
        mem.add(CMDLINE, b"\0");
        assert_eq!(what(parse(INFO, &mem).unwrap_err()), "PVH start_info");

        let mut mem = TestMem::new();
        mem.add(INFO, &start_info(0, 0).bytes());
        assert_eq!(what(parse(INFO, &mem).unwrap_err()), "PVH command line");

        let mut mem = TestMem::new();
        mem.add(INFO, &start_info(2, 0).bytes());
        mem.add(CMDLINE, b"\0");
        mem.add(MODLIST, &modlist(&[(0x20_0000, 0x1000, 0)]));
        assert_eq!(what(parse(INFO, &mem).unwrap_err()), "PVH module list");

        let mut mem = TestMem::new();
        mem.add(INFO, &start_info(0, 7).bytes());
        mem.add(CMDLINE, b"\0");
        mem.add(MEMMAP, &memmap(&QEMU_256M_MAP));
        assert_eq!(what(parse(INFO, &mem).unwrap_err()), "PVH memory map");
    }

    #[test]
    fn tables_that_wrap_around_are_errors() {
        let mut si = start_info(0, u32::MAX);
        si.memmap_paddr = u64::MAX - 100;
        let mut mem = TestMem::new();
        mem.add(INFO, &si.bytes());
        mem.add(CMDLINE, b"\0");
        assert!(parse(INFO, &mem).is_err());
    }
}
