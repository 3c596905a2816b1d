//! Property tests: random bytes where the boot loader's structures should be.
//! `parse` must give a value or an error for any input, never a panic, and what
//! it returns must keep its promises (sorted map, capacities).

use proptest::collection::vec;
use proptest::prelude::*;

use crate::testmem::{le32, le64, Mb2Block, TestMem};
use crate::{parse, BootInfo, MULTIBOOT2_MAGIC, PVH_MAGIC};

const INFO: u64 = 0x1_0000;
/// Where random "pointed-at" memory lies for the PVH cases.
const HEAP: u64 = 0x2_0000;

fn check(info: &BootInfo) {
    assert!(info.memory_map.windows(2).all(|w| w[0].base <= w[1].base));
    assert!(info.memory_map.iter().all(|r| r.len > 0));
    for r in &info.memory_map {
        let _ = r.to_string();
    }
    let _ = info.usable_bytes();
    let _ = info.cmdline_param("console");
}

/// A Multiboot2 tag: type near the known ones, a size that may lie, a body.
fn tag() -> impl Strategy<Value = (u32, Option<u32>, Vec<u8>)> {
    (
        0u32..20,
        proptest::option::weighted(0.2, any::<u32>()),
        vec(any::<u8>(), 0..80),
    )
}

/// A PVH address: zero, inside the random memory, or anywhere.
fn paddr() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0), (0u64..0x1200).prop_map(|o| HEAP + o), any::<u64>()]
}

proptest! {
    #[test]
    fn random_multiboot2_block_never_panics(
        mut bytes in vec(any::<u8>(), 0..600),
        fix_size in any::<bool>(),
    ) {
        if fix_size && bytes.len() >= 4 {
            let total = bytes.len() as u32;
            bytes[..4].copy_from_slice(&le32(total));
        }
        let mut mem = TestMem::new();
        mem.add(INFO, &bytes);
        if let Ok(info) = parse(MULTIBOOT2_MAGIC, INFO, &mem) {
            check(&info);
        }
    }

    #[test]
    fn random_multiboot2_tags_never_panic(tags in vec(tag(), 0..12), end in any::<bool>()) {
        let mut block = Mb2Block::new();
        for (typ, size, body) in &tags {
            block = match size {
                Some(size) => block.raw_tag(*typ, *size, body),
                None => block.tag(*typ, body),
            };
        }
        let mut bytes = block.finish();
        if !end {
            // Drop the end tag but keep total_size honest.
            bytes.truncate(bytes.len() - 8);
            let total = bytes.len() as u32;
            bytes[..4].copy_from_slice(&le32(total));
        }
        let mut mem = TestMem::new();
        mem.add(INFO, &bytes);
        if let Ok(info) = parse(MULTIBOOT2_MAGIC, INFO, &mem) {
            check(&info);
        }
    }

    #[test]
    fn random_pvh_start_info_never_panics(
        magic_ok in any::<bool>(),
        version in 0u32..3,
        nr_modules in prop_oneof![0u32..20, any::<u32>()],
        memmap_entries in prop_oneof![0u32..200, any::<u32>()],
        addrs in (paddr(), paddr(), paddr(), paddr()),
        heap in vec(any::<u8>(), 0..0x1400),
        cut in 0usize..60,
    ) {
        let (modlist, cmdline, rsdp, memmap) = addrs;
        let mut si = Vec::new();
        si.extend(le32(if magic_ok { PVH_MAGIC } else { 0x1234 }));
        si.extend(le32(version));
        si.extend(le32(0));
        si.extend(le32(nr_modules));
        si.extend([le64(modlist), le64(cmdline), le64(rsdp), le64(memmap)].concat());
        si.extend(le32(memmap_entries));
        si.extend(le32(0));
        si.truncate(cut.max(40));

        let mut mem = TestMem::new();
        mem.add(INFO, &si);
        mem.add(HEAP, &heap);
        if let Ok(info) = parse(PVH_MAGIC, INFO, &mem) {
            check(&info);
        }
    }

    #[test]
    fn any_magic_and_address_never_panics(magic in any::<u32>(), addr in any::<u64>()) {
        let mut mem = TestMem::new();
        mem.add(INFO, &Mb2Block::new().finish());
        let _ = parse(magic, addr, &mem);
        let _ = parse(magic, INFO, &mem);
    }
}
