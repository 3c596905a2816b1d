//! The initial stack decoded word by word: Linux's layout, the auxiliary vector, the
//! 16-byte alignment, and the E2BIG limits of fs/exec.c.

use super::*;
use crate::testelf::ElfBuilder;
use crate::{ExecPlan, ELF_ET_DYN_BASE, TASK_SIZE};
use linux_raw_sys::auxvec::*;
use linux_raw_sys::errno::{E2BIG, EFAULT, EINVAL};
use std::vec::Vec;

const TOP: u64 = TASK_SIZE;
const RANDOM: [u8; 16] = *b"0123456789abcdef";
const RLIMIT: u64 = 8 << 20;

/// What a program finds on its stack at entry.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
    pub auxv: Vec<[u64; 2]>,
}

/// Read the stack as libc's start code does, from RSP up.
pub(crate) fn decode(stack: &InitialStack, top: u64) -> Decoded {
    assert_eq!(
        stack.sp + stack.bytes.len() as u64,
        top,
        "the bytes end at the stack top"
    );
    assert_eq!(stack.sp % 16, 0, "RSP is 16-byte aligned at entry");
    assert_eq!(
        stack.bytes[stack.bytes.len() - 8..],
        [0; 8],
        "an empty word at the top"
    );
    let word = |addr: u64| {
        let at = (addr - stack.sp) as usize;
        u64::from_le_bytes(stack.bytes[at..at + 8].try_into().unwrap())
    };
    let mut at = stack.sp;
    let mut next = || {
        at += 8;
        word(at - 8)
    };

    let argc = next();
    assert_eq!(argc, stack.argc);
    let argv = (0..argc).map(|_| string(stack, next())).collect();
    assert_eq!(next(), 0, "argv ends with NULL");
    let mut envp = Vec::new();
    loop {
        match next() {
            0 => break,
            addr => envp.push(string(stack, addr)),
        }
    }
    let mut auxv = Vec::new();
    loop {
        let pair = [next(), next()];
        auxv.push(pair);
        if pair[0] == u64::from(AT_NULL) {
            break;
        }
    }
    Decoded { argv, envp, auxv }
}

/// The NUL-terminated string at `addr`.
pub(crate) fn string(stack: &InitialStack, addr: u64) -> Vec<u8> {
    let at = (addr - stack.sp) as usize;
    let len = stack.bytes[at..]
        .iter()
        .position(|&c| c == 0)
        .expect("NUL-terminated");
    stack.bytes[at..at + len].to_vec()
}

pub(crate) fn aux_value(auxv: &[[u64; 2]], key: u32) -> Option<u64> {
    auxv.iter()
        .find(|pair| pair[0] == u64::from(key))
        .map(|pair| pair[1])
}

fn exec_plan() -> ExecPlan {
    ExecPlan::from_elf(&ElfBuilder::exec().build(), ELF_ET_DYN_BASE).unwrap()
}

fn build(argv: &[&[u8]], envp: &[&[u8]], rlimit: u64) -> Result<InitialStack, ExecError> {
    let plan = exec_plan();
    let aux = AuxInfo::new(&plan, b"/bin/prog");
    build_initial_stack(TOP, argv, envp, &aux, RANDOM, "x86_64", rlimit)
}

#[test]
fn layout_is_linuxs() {
    let plan = exec_plan();
    let aux = AuxInfo {
        uid: 1000,
        euid: 1001,
        gid: 100,
        egid: 101,
        hwcap: 0x178b_fbff,
        ..AuxInfo::new(&plan, b"/bin/prog")
    };
    let argv: [&[u8]; 2] = [b"prog", b"-x"];
    let envp: [&[u8]; 2] = [b"HOME=/", b"TERM=vt100"];
    let stack = build_initial_stack(TOP, &argv, &envp, &aux, RANDOM, "x86_64", RLIMIT).unwrap();
    let decoded = decode(&stack, TOP);
    assert_eq!(decoded.argv, [b"prog".to_vec(), b"-x".to_vec()]);
    assert_eq!(decoded.envp, [b"HOME=/".to_vec(), b"TERM=vt100".to_vec()]);
    assert_eq!(decoded.auxv, stack.auxv);

    // Strings from the top down: an empty word, the file name, envp, argv.
    assert_eq!((stack.execfn, stack.env_end), (TOP - 8 - 10, TOP - 18));
    assert_eq!(
        (stack.env_start, stack.arg_end),
        (stack.execfn - 7 - 11, stack.env_start)
    );
    assert_eq!(stack.arg_start, stack.env_start - 5 - 3);
    assert_eq!(string(&stack, stack.execfn), b"/bin/prog");

    // Then the platform and the random bytes under the 16-byte aligned strings.
    assert_eq!(stack.platform, (stack.arg_start & !15) - 7);
    assert_eq!(string(&stack, stack.platform), b"x86_64");
    assert_eq!(stack.random, stack.platform - 16);
    let at = (stack.random - stack.sp) as usize;
    assert_eq!(stack.bytes[at..at + 16], RANDOM);
    let words = 1 + 3 + 3 + 2 * 19;
    assert_eq!(stack.sp, (stack.random - 8 * words) & !15);

    let expected: [(u32, u64); 19] = [
        (AT_HWCAP, 0x178b_fbff),
        (AT_PAGESZ, 4096),
        (AT_CLKTCK, 100),
        (AT_PHDR, 0x40_0040),
        (AT_PHENT, 56),
        (AT_PHNUM, 4),
        (AT_BASE, 0),
        (AT_FLAGS, 0),
        (AT_ENTRY, 0x40_1000),
        (AT_UID, 1000),
        (AT_EUID, 1001),
        (AT_GID, 100),
        (AT_EGID, 101),
        (AT_SECURE, 0),
        (AT_RANDOM, stack.random),
        (AT_HWCAP2, 0),
        (AT_EXECFN, stack.execfn),
        (AT_PLATFORM, stack.platform),
        (AT_NULL, 0),
    ];
    let expected: Vec<[u64; 2]> = expected.iter().map(|&(k, v)| [u64::from(k), v]).collect();
    assert_eq!(decoded.auxv, expected);
}

#[test]
fn optional_auxv_entries() {
    let plan = exec_plan();
    let aux = AuxInfo {
        sysinfo_ehdr: Some(0x7fff_f7ff_d000),
        minsigstksz: Some(2048),
        secure: true,
        ..AuxInfo::new(&plan, b"/x")
    };
    let stack = build_initial_stack(TOP, &[b"x"], &[], &aux, RANDOM, "", RLIMIT).unwrap();
    let auxv = decode(&stack, TOP).auxv;
    assert_eq!(auxv[0], [u64::from(AT_SYSINFO_EHDR), 0x7fff_f7ff_d000]);
    assert_eq!(auxv[1], [u64::from(AT_MINSIGSTKSZ), 2048]);
    assert_eq!(aux_value(&auxv, AT_SECURE), Some(1));
    assert_eq!((aux_value(&auxv, AT_PLATFORM), stack.platform), (None, 0));
    assert_eq!(stack.random, (stack.arg_start & !15) - 16);
}

#[test]
fn empty_argv_gets_an_empty_argv0() {
    let stack = build(&[], &[b"A=1"], RLIMIT).unwrap();
    let decoded = decode(&stack, TOP);
    assert_eq!((stack.argc, decoded.argv), (1, [Vec::new()].to_vec()));
    assert_eq!(decoded.envp, [b"A=1".to_vec()]);
}

#[test]
fn one_string_may_not_exceed_max_arg_strlen() {
    let longest = [b'a'; MAX_ARG_STRLEN as usize - 1];
    assert!(build(&[&longest], &[], RLIMIT).is_ok());
    let too_long = [b'a'; MAX_ARG_STRLEN as usize];
    for (argv, envp) in [
        ([&too_long[..]], [&b"A=1"[..]]),
        ([&b"x"[..]], [&too_long[..]]),
    ] {
        let err = build(&argv, &envp, RLIMIT).unwrap_err();
        assert_eq!((err, err.errno()), (ExecError::ArgTooLong, E2BIG));
    }
    let plan = exec_plan();
    let aux = AuxInfo::new(&plan, &too_long);
    let err = build_initial_stack(TOP, &[b"x"], &[], &aux, RANDOM, "x86_64", RLIMIT);
    assert_eq!(err, Err(ExecError::ArgTooLong));
}

#[test]
fn strings_get_arg_max_under_a_small_stack_limit() {
    // ARG_MAX, less two pointers, less "/bin/prog" and "a": the largest envp string.
    let room = (ARG_MAX - 16 - 10 - 2) as usize;
    let fits = std::vec![b'e'; room - 1];
    assert!(build(&[b"a"], &[&fits], 0).is_ok());
    let over = std::vec![b'e'; room];
    let err = build(&[b"a"], &[&over], 0).unwrap_err();
    assert_eq!((err, err.errno()), (ExecError::ArgsTooBig, E2BIG));
}

#[test]
fn strings_get_a_quarter_of_the_stack_limit() {
    // 17 strings of 64 KiB: over 1 MiB, under 2 MiB, under 6 MiB.
    let chunk = std::vec![b'v'; 65535];
    let envp: Vec<&[u8]> = (0..17).map(|_| &chunk[..]).collect();
    assert_eq!(build(&[b"a"], &envp, 4 << 20), Err(ExecError::ArgsTooBig));
    assert!(build(&[b"a"], &envp, 8 << 20).is_ok());
    assert!(build(&[b"a"], &envp, u64::MAX).is_ok());
    // Never more than 3/4 of _STK_LIM, whatever the limit.
    let envp: Vec<&[u8]> = (0..100).map(|_| &chunk[..]).collect();
    assert_eq!(build(&[b"a"], &envp, u64::MAX), Err(ExecError::ArgsTooBig));
}

#[test]
fn pointers_count_against_the_limit() {
    let envp: Vec<&[u8]> = (0..ARG_MAX / 8).map(|_| &b""[..]).collect();
    assert_eq!(build(&[b"a"], &envp, 0), Err(ExecError::ArgsTooBig));
    assert_eq!(
        strings_limit(ARG_MAX as usize / 8, 0),
        Err(ExecError::ArgsTooBig)
    );
    assert_eq!(strings_limit(ARG_MAX as usize / 8 - 1, 0), Ok(8));
    assert_eq!(
        strings_limit(usize::MAX, u64::MAX),
        Err(ExecError::ArgsTooBig)
    );
}

#[test]
fn too_many_strings() {
    assert_eq!(check_counts(MAX_ARG_STRINGS, MAX_ARG_STRINGS), Ok(()));
    let err = check_counts(MAX_ARG_STRINGS + 1, 0).unwrap_err();
    assert_eq!((err, err.errno()), (ExecError::TooManyArgs, E2BIG));
    assert_eq!(
        check_counts(0, MAX_ARG_STRINGS + 1),
        Err(ExecError::TooManyArgs)
    );
}

#[test]
fn nul_inside_a_string_is_einval() {
    let err = build(&[b"a\0b"], &[], RLIMIT).unwrap_err();
    assert_eq!((err, err.errno()), (ExecError::NulInArg, EINVAL));
}

#[test]
fn stack_top_too_low_is_efault() {
    let plan = exec_plan();
    let aux = AuxInfo::new(&plan, b"/bin/prog");
    for top in [0, 8, 0x100] {
        let err = build_initial_stack(top, &[b"a"], &[], &aux, RANDOM, "x86_64", RLIMIT);
        assert_eq!(
            err.map_err(|e| (e, e.errno())),
            Err((ExecError::StackTooLow, EFAULT))
        );
    }
    assert!(build_initial_stack(0x1000, &[b"a"], &[], &aux, RANDOM, "x86_64", RLIMIT).is_ok());
}
