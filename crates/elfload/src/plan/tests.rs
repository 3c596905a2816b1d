//! ExecPlan on hand-built images: layouts that load, and one test per refusal rule.

use super::*;
use crate::testelf::{load, other, ElfBuilder, PT_GNU_STACK, R, W, X};
use crate::{Rights, ELF_ET_DYN_BASE, PAGE_SIZE};
use linux_raw_sys::errno::{EINVAL, EIO, ENOEXEC, ENOMEM, EOVERFLOW};
use linux_raw_sys::general::{PROT_EXEC, PROT_READ};

pub(super) const BASE: u64 = 0x5555_5555_4000;

fn plan(builder: ElfBuilder) -> Result<ExecPlan, ExecError> {
    ExecPlan::from_elf(&builder.build(), ELF_ET_DYN_BASE)
}

/// Replace program header `index` with `ph`.
fn with(builder: ElfBuilder, index: usize, ph: crate::testelf::Ph) -> ElfBuilder {
    builder.edit(|phdrs| phdrs[index] = ph)
}

#[test]
fn static_exec_plan() {
    let plan = plan(ElfBuilder::exec()).unwrap();
    assert_eq!(
        (plan.kind, plan.load_bias, plan.entry),
        (ElfKind::Exec, 0, 0x40_1000)
    );
    assert_eq!((plan.phdr, plan.phent, plan.phnum), (0x40_0040, 56, 4));
    assert_eq!(plan.stack, StackExec::Disable);
    assert!(!plan.executable_stack());
    assert_eq!(plan.brk, 0x40_6000);
    assert_eq!((plan.start_code, plan.end_code), (0x40_1000, 0x40_1080));
    assert_eq!((plan.start_data, plan.end_data), (0x40_2fd0, 0x40_3010));

    let [text_ro, text, data] = &plan.segments[..] else {
        panic!("{:?}", plan.segments)
    };
    assert_eq!(
        text_ro.rights,
        Rights {
            read: true,
            write: false,
            exec: false
        }
    );
    assert_eq!(text_ro.file_pages(), 0x40_0000..0x40_1000);
    assert!(text_ro.zero_bytes().is_empty() && text_ro.anon_pages().is_empty());
    assert_eq!(text.rights.prot(), PROT_READ | PROT_EXEC);
    assert_eq!(
        (text.file_pages(), text.file_offset),
        (0x40_1000..0x40_2000, 0x1000)
    );

    // The bss starts in the last file page and goes on in two anonymous pages.
    assert_eq!(
        data.rights,
        Rights {
            read: true,
            write: true,
            exec: false
        }
    );
    assert_eq!(
        (data.vaddr, data.offset, data.filesz, data.memsz),
        (0x40_2fd0, 0x1fd0, 0x40, 0x2248)
    );
    assert_eq!(
        (data.file_pages(), data.file_offset),
        (0x40_2000..0x40_4000, 0x1000)
    );
    assert_eq!(data.zero_bytes(), 0x40_3010..0x40_4000);
    assert_eq!(data.anon_pages(), 0x40_4000..0x40_6000);
}

#[test]
fn static_pie_goes_to_elf_et_dyn_base() {
    assert_eq!(ELF_ET_DYN_BASE, 0x5555_5555_4aaa);
    let plan = plan(ElfBuilder::pie()).unwrap();
    assert_eq!((plan.kind, plan.load_bias), (ElfKind::Dyn, BASE));
    assert_eq!(
        (plan.entry, plan.phdr, plan.phnum),
        (BASE + 0x1040, BASE + 0x40, 5)
    );
    assert_eq!(plan.brk, BASE + 0x5000);
    let starts: Vec<u64> = plan.segments.iter().map(|s| s.start - BASE).collect();
    assert_eq!(starts, [0, 0x1000, 0x3000]);
    let data = &plan.segments[2];
    assert_eq!((data.vaddr, data.file_offset), (BASE + 0x3e10, 0x2000));
    assert_eq!(data.zero_bytes(), BASE + 0x4010..BASE + 0x5000);
    assert!(data.anon_pages().is_empty());
}

#[test]
fn base_hint_is_rounded_to_the_largest_alignment() {
    let bytes = ElfBuilder::pie().build();
    let plan = ExecPlan::from_elf(&bytes, BASE + 0x12_3456).unwrap();
    assert_eq!(plan.load_bias, BASE + 0x12_3000);

    let huge = ElfBuilder::pie()
        .edit(|phdrs| phdrs[2].align = 0x20_0000)
        .build();
    let plan = ExecPlan::from_elf(&huge, BASE + 0x12_3456).unwrap();
    assert_eq!(plan.load_bias, 0x5555_5560_0000);
    assert_eq!(plan.load_bias % 0x20_0000, 0);
}

#[test]
fn prelinked_pie_keeps_its_offsets_from_the_base() {
    let builder = ElfBuilder::pie().edit(|phdrs| {
        for ph in phdrs
            .iter_mut()
            .filter(|ph| ph.p_type == 1 || ph.p_type == 6)
        {
            ph.vaddr += 0x7000_0000;
        }
    });
    let plan = plan(builder.entry(0x7000_1040)).unwrap();
    assert_eq!(plan.load_bias, BASE - 0x7000_0000);
    assert_eq!((plan.segments[0].start, plan.entry), (BASE, BASE + 0x1040));
}

#[test]
fn no_pt_load_is_accepted_like_linux() {
    for e_type in [2, 3] {
        let plan = plan(ElfBuilder::new(e_type, 0x1000).null_phdr()).unwrap();
        assert_eq!((plan.load_bias, plan.brk, plan.segments.len()), (0, 0, 0));
        assert_eq!(plan.phdr, 0);
    }
}

#[test]
fn at_phdr_without_pt_phdr() {
    let plan = plan(ElfBuilder::pie().edit(|phdrs| phdrs[0] = other(0, 0, 0, 0))).unwrap();
    assert_eq!(plan.phdr, BASE + 0x40);
    // The table moved out of every PT_LOAD's file bytes: Linux passes the bias.
    let builder = ElfBuilder::pie()
        .edit(|phdrs| phdrs[0] = other(0, 0, 0, 0))
        .phoff(0x4000);
    assert_eq!(plan_of(builder).phdr, BASE);
}

fn plan_of(builder: ElfBuilder) -> ExecPlan {
    plan(builder).expect("a valid image")
}

#[test]
fn gnu_stack_rights() {
    let exec = with(ElfBuilder::exec(), 3, other(PT_GNU_STACK, R | W | X, 0, 0));
    assert!(plan_of(exec).executable_stack());
    let none = ElfBuilder::exec().edit(|phdrs| phdrs.truncate(3));
    assert_eq!(plan_of(none).stack, StackExec::Default);
    let last_wins = exec_with_stack(R | W | X).phdr(other(PT_GNU_STACK, R | W, 0, 0));
    assert_eq!(plan_of(last_wins).stack, StackExec::Disable);
}

fn exec_with_stack(flags: u32) -> ElfBuilder {
    with(ElfBuilder::exec(), 3, other(PT_GNU_STACK, flags, 0, 0))
}

#[test]
fn pt_interp_needs_a_dynamic_linker() {
    let bytes = ElfBuilder::pie()
        .interp(b"/lib/ld-musl-x86_64.so.1")
        .build();
    let err = ExecPlan::from_elf(&bytes, ELF_ET_DYN_BASE).unwrap_err();
    assert!(matches!(
        err,
        ExecError::NeedsInterpreter {
            offset: 0x800,
            len: 24
        }
    ));
    assert_eq!(
        err.interpreter(&bytes),
        Some(&b"/lib/ld-musl-x86_64.so.1"[..])
    );
    assert_eq!(
        (err.errno(), ExecError::NotElf.interpreter(&bytes)),
        (ENOEXEC, None)
    );

    // PT_INTERP is looked at before any PT_LOAD.
    let bad_load = ElfBuilder::pie()
        .interp(b"/ld.so")
        .edit(|phdrs| phdrs[1].filesz = 1 << 40);
    assert!(matches!(
        plan(bad_load),
        Err(ExecError::NeedsInterpreter { .. })
    ));
}

#[test]
fn pt_interp_checks() {
    let sized = |filesz| {
        ElfBuilder::pie()
            .interp(b"/ld.so")
            .edit(|p| p[5].filesz = filesz)
    };
    assert_eq!(plan(sized(1)), Err(ExecError::InterpSize { index: 5 }));
    assert_eq!(plan(sized(4097)), Err(ExecError::InterpSize { index: 5 }));
    let cut = ElfBuilder::pie().interp(b"/ld.so").len(0x803);
    assert_eq!(plan(cut), Err(ExecError::InterpOutsideFile { index: 5 }));
    assert_eq!(ExecError::InterpOutsideFile { index: 5 }.errno(), EIO);
    let unterminated = ElfBuilder::pie().interp(b"/ld.so").patch(0x806, b"x");
    assert_eq!(
        plan(unterminated),
        Err(ExecError::InterpNotTerminated { index: 5 })
    );
    assert_eq!(ExecError::InterpNotTerminated { index: 5 }.errno(), ENOEXEC);
}

#[test]
fn filesz_over_memsz_is_einval() {
    let builder = with(
        ElfBuilder::exec(),
        1,
        load(R | X, 0x1000, 0x40_1000, 0x81, 0x80),
    );
    let err = plan(builder).unwrap_err();
    assert_eq!(
        (err, err.errno()),
        (ExecError::FileszOverMemsz { index: 1 }, EINVAL)
    );
}

#[test]
fn segments_must_stay_below_task_size() {
    let outside = ExecError::SegmentOutsideUser { index: 2 };
    let cases = [
        (TASK_SIZE, 0x10),
        (TASK_SIZE - 0x1000, 0x1001),
        (0x1000, TASK_SIZE),
        (u64::MAX - 0x10, 0x100),
    ];
    for (vaddr, memsz) in cases {
        let builder = with(ElfBuilder::exec(), 2, load(R | W, 0x1fd0, vaddr, 0, memsz));
        assert_eq!(plan(builder), Err(outside), "{vaddr:#x}+{memsz:#x}");
    }
    assert_eq!(outside.errno(), EINVAL);
    let top = with(
        ElfBuilder::exec(),
        2,
        load(R | W, 0x1fd0, TASK_SIZE - 0x1000, 0, 0x1000),
    );
    assert_eq!(plan_of(top).brk, TASK_SIZE);
}

#[test]
fn p_align_must_be_a_power_of_two() {
    let bad = ElfBuilder::exec().edit(|phdrs| phdrs[1].align = 0x3000);
    let err = plan(bad).unwrap_err();
    assert_eq!(
        (err, err.errno()),
        (ExecError::AlignNotPowerOfTwo { index: 1 }, ENOEXEC)
    );
    assert!(plan(ElfBuilder::exec().edit(|phdrs| phdrs[1].align = 0)).is_ok());
}

#[test]
fn offset_and_vaddr_must_agree_within_a_page() {
    let bad = with(
        ElfBuilder::exec(),
        2,
        load(R | W, 0x1fd8, 0x40_2fd0, 0x30, 0x2248),
    );
    let err = plan(bad).unwrap_err();
    assert_eq!(
        (err, err.errno()),
        (ExecError::OffsetMisaligned { index: 2 }, EINVAL)
    );
    // Nothing is mapped from the file for a segment without file bytes.
    let bss_only = with(
        ElfBuilder::exec(),
        2,
        load(R | W, 0x1fd8, 0x40_2fd0, 0, 0x2248),
    );
    let data = &plan_of(bss_only).segments[2];
    assert!(data.file_pages().is_empty() && data.zero_bytes().is_empty());
    assert_eq!(data.anon_pages(), 0x40_2000..0x40_6000);
}

#[test]
fn file_range_overflow_is_eoverflow() {
    for offset in [0x7fff_ffff_ffff_f000, u64::MAX - 0xfff] {
        let bad = with(
            ElfBuilder::exec(),
            1,
            load(R | X, offset, 0x40_1000, 0x80, 0x80),
        );
        let err = plan(bad).unwrap_err();
        assert_eq!(
            (err, err.errno()),
            (ExecError::FileRangeOverflow { index: 1 }, EOVERFLOW)
        );
    }
}

#[test]
fn segment_past_end_of_file_is_planned_and_marked() {
    let image = ElfBuilder::exec().build();
    assert!(!ExecPlan::from_elf(&image, 0).unwrap().truncated);
    let cut = ExecPlan::from_elf(&image[..image.len() - 1], 0).unwrap();
    assert!(cut.truncated);
    let far = with(
        ElfBuilder::exec(),
        1,
        load(R | X, 1 << 40, 0x40_1000, 0x80, 0x80),
    );
    assert!(plan(far).unwrap().truncated);
}

#[test]
fn unsorted_and_overlapping_segments_are_enoexec() {
    let unsorted = ElfBuilder::exec().edit(|phdrs| phdrs.swap(0, 1));
    let err = plan(unsorted).unwrap_err();
    assert_eq!(
        (err, err.errno()),
        (ExecError::Unsorted { index: 1 }, ENOEXEC)
    );

    let overlap = with(
        ElfBuilder::exec(),
        1,
        load(R | X, 0x1000, 0x40_0000 + 0x1000, 0x80, 0x80),
    )
    .edit(|phdrs| phdrs[0].memsz = 0x1001);
    let err = plan(overlap).unwrap_err();
    assert_eq!(
        (err, err.errno()),
        (ExecError::Overlap { index: 1 }, ENOEXEC)
    );
}

#[test]
fn shared_boundary_page_and_empty_segments_are_accepted() {
    // Text ends mid-page and data starts in the same page, as old linkers did.
    let shared = with(
        ElfBuilder::exec(),
        2,
        load(R | W, 0x1080, 0x40_1080, 0x40, 0x100),
    );
    let plan = plan_of(shared);
    assert_eq!(plan.segments[1].file_pages(), plan.segments[2].file_pages());

    let empty = ElfBuilder::exec().phdr(load(R, 0, 0x40_6000, 0, 0));
    assert_eq!(plan_of(empty).segments.len(), 3);
}

#[test]
fn dyn_image_spanning_nothing_is_einval() {
    let empty = ElfBuilder::new(3, 0).phdr(load(R, 0, 0x1000, 0, 0));
    let err = plan(empty).unwrap_err();
    assert_eq!((err, err.errno()), (ExecError::EmptyImage, EINVAL));
}

#[test]
fn dyn_image_above_user_space_is_enomem() {
    let bytes = ElfBuilder::pie().build();
    for base in [TASK_SIZE - 0x4000, TASK_SIZE, u64::MAX - PAGE_SIZE] {
        let err = ExecPlan::from_elf(&bytes, base).unwrap_err();
        assert_eq!(
            (err, err.errno()),
            (ExecError::ImageOutsideUser, ENOMEM),
            "{base:#x}"
        );
    }
    assert!(ExecPlan::from_elf(&bytes, TASK_SIZE - 0x5000).is_ok());
}

#[test]
fn entry_outside_user_space_is_einval() {
    for builder in [
        ElfBuilder::exec().entry(TASK_SIZE),
        ElfBuilder::pie().entry(1 << 46),
    ] {
        let err = plan(builder).unwrap_err();
        assert_eq!((err, err.errno()), (ExecError::EntryOutsideUser, EINVAL));
    }
}
