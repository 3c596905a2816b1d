//! Property tests, the fuzz corpus of the parsers: random bytes and mutated valid
//! images never make ExecPlan::from_elf or parse_shebang panic, and whatever loads is a
//! sane plan; random argv and envp come back unchanged from the initial stack.

use crate::stack::tests::{aux_value, decode, string};
use crate::testelf::offsets::{E_ENTRY, E_PHNUM, E_PHOFF};
use crate::testelf::{assert_sane, ElfBuilder};
use crate::{build_initial_stack, parse_shebang, AuxInfo, ExecPlan, ELF_ET_DYN_BASE, TASK_SIZE};
use linux_raw_sys::auxvec::{AT_EXECFN, AT_RANDOM};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use std::vec;
use std::vec::Vec;

/// Values at the edges of the rules.
fn edge_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0),
        Just(1),
        Just(0xfff),
        Just(0x1000),
        Just(0x1001),
        Just(TASK_SIZE - 1),
        Just(TASK_SIZE),
        Just(TASK_SIZE + 1),
        Just(i64::MAX as u64),
        Just(u64::MAX - 0xfff),
        Just(u64::MAX),
        0u64..0x1_0000,
        any::<u64>(),
    ]
}

fn base_hint() -> impl Strategy<Value = u64> {
    prop_oneof![Just(ELF_ET_DYN_BASE), edge_u64()]
}

/// Set field `field` (0 type, 1 flags, 2 offset, 3 vaddr, 4 filesz, 5 memsz, 6 align)
/// of program header `index` to `value`.
fn set_field(builder: ElfBuilder, index: Index, field: usize, value: u64) -> ElfBuilder {
    builder.edit(|phdrs| {
        let at = index.index(phdrs.len());
        let ph = &mut phdrs[at];
        match field {
            0 => ph.p_type = value as u32,
            1 => ph.flags = value as u32,
            2 => ph.offset = value,
            3 => ph.vaddr = value,
            4 => ph.filesz = value,
            5 => ph.memsz = value,
            _ => ph.align = value,
        }
    })
}

/// Make most bytes blanks, newlines, NULs or slashes, the bytes the #! rules look at.
fn blanks_and_ends(bytes: Vec<u8>) -> Vec<u8> {
    let pick = |b: u8| match b % 8 {
        0 | 1 => b' ',
        2 => b'\t',
        3 => b'\n',
        4 => 0,
        5 => b'/',
        _ => b,
    };
    bytes.into_iter().map(pick).collect()
}

fn nonzero_string(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(1u8..=255, 0..max)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in vec(any::<u8>(), 0..1024), base in base_hint()) {
        let _ = ExecPlan::from_elf(&bytes, base);
        let _ = parse_shebang(&bytes);
    }

    #[test]
    fn random_bytes_after_an_elf_ident(tail in vec(any::<u8>(), 0..1024), base in base_hint()) {
        let bytes = [&b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0"[..], &tail]
            .concat();
        if let Ok(plan) = ExecPlan::from_elf(&bytes, base) {
            assert_sane(&plan, &bytes);
        }
    }

    #[test]
    fn mutated_images_load_sanely_or_fail(
        pie in any::<bool>(),
        fields in vec((any::<Index>(), 0usize..7, edge_u64()), 0..4),
        header in vec((prop_oneof![Just(E_ENTRY), Just(E_PHOFF), Just(E_PHNUM)], edge_u64()), 0..2),
        bytes in vec((any::<Index>(), any::<u8>()), 0..8),
        cut in proptest::option::of(any::<Index>()),
        base in base_hint(),
    ) {
        let mut builder = if pie { ElfBuilder::pie() } else { ElfBuilder::exec() };
        for (index, field, value) in fields {
            builder = set_field(builder, index, field, value);
        }
        for (at, value) in header {
            let size = if at == E_PHNUM { 2 } else { 8 };
            builder = builder.patch(at, &value.to_le_bytes()[..size]);
        }
        let mut image = builder.build();
        for (at, byte) in bytes {
            let at = at.index(image.len());
            image[at] = byte;
        }
        if let Some(cut) = cut {
            image.truncate(cut.index(image.len() + 1));
        }
        match ExecPlan::from_elf(&image, base) {
            Ok(plan) => assert_sane(&plan, &image),
            Err(err) => prop_assert!(err.errno() > 0),
        }
    }

    #[test]
    fn shebang_lines_never_panic(line in vec(any::<u8>(), 0..400).prop_map(blanks_and_ends)) {
        let bytes = [&b"#!"[..], &line].concat();
        if let Some(Ok(shebang)) = parse_shebang(&bytes) {
            let name = shebang.interpreter;
            prop_assert!(name.len() <= 253);
            prop_assert!(!name.iter().any(|c| b" \t\n\0".contains(c)));
            if let Some(arg) = shebang.argument {
                // Trailing blanks are trimmed at the line's end, not before a NUL.
                prop_assert!(!arg.iter().any(|c| b"\n\0".contains(c)));
                prop_assert!(!arg.starts_with(b" ") && !arg.starts_with(b"\t"));
            }
        }
    }

    #[test]
    fn stack_round_trips(
        argv in vec(nonzero_string(40), 0..24),
        envp in vec(nonzero_string(40), 0..24),
        execfn in nonzero_string(30),
        random in any::<[u8; 16]>(),
        top_page in 0x10u64..(TASK_SIZE >> 12),
    ) {
        let plan = ExecPlan::from_elf(&ElfBuilder::pie().build(), ELF_ET_DYN_BASE).unwrap();
        let aux = AuxInfo::new(&plan, &execfn);
        let argv_refs: Vec<&[u8]> = argv.iter().map(|s| &s[..]).collect();
        let envp_refs: Vec<&[u8]> = envp.iter().map(|s| &s[..]).collect();
        let top = top_page << 12;
        let stack =
            build_initial_stack(top, &argv_refs, &envp_refs, &aux, random, "x86_64", 8 << 20)
                .unwrap();

        let decoded = decode(&stack, top);
        let expected_argv = if argv.is_empty() { std::vec![Vec::new()] } else { argv };
        prop_assert_eq!(decoded.argv, expected_argv);
        prop_assert_eq!(decoded.envp, envp);
        let execfn_at = aux_value(&decoded.auxv, AT_EXECFN).unwrap();
        prop_assert_eq!(string(&stack, execfn_at), execfn);
        let random_at = (aux_value(&decoded.auxv, AT_RANDOM).unwrap() - stack.sp) as usize;
        prop_assert_eq!(&stack.bytes[random_at..random_at + 16], &random[..]);
    }
}
