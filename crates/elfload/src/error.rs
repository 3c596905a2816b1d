//! Why an exec is refused, and the Linux errno for each reason: the values that
//! load_elf_binary (fs/binfmt_elf.c), load_script (fs/binfmt_script.c) and the
//! argument copying of fs/exec.c return. Where Linux accepts a file that noyau
//! refuses, the reason says so and the errno is ENOEXEC.

use core::fmt;
use linux_raw_sys::errno::{E2BIG, EFAULT, EINVAL, EIO, ELOOP, ENOEXEC, ENOMEM, EOVERFLOW};

/// One reason to refuse an exec; `index` is the program header's index in its table.
/// The errno of each ([`ExecError::errno`]), and who decides it:
///
/// | Reasons | errno | Linux's rule, or noyau's |
/// |---|---|---|
/// | NotElf, Type, Machine | ENOEXEC | load_elf_binary's first checks |
/// | Class, Endian, Version | ENOEXEC | noyau (Linux: compat_binfmt_elf, or no check) |
/// | PhentSize, PhnumRange, PhdrsOutsideFile | ENOEXEC | load_elf_phdrs |
/// | InterpSize, InterpNotTerminated | ENOEXEC | the PT_INTERP loop |
/// | InterpOutsideFile | EIO | elf_read's short read |
/// | NeedsInterpreter | ENOEXEC | noyau: no dynamic linker yet |
/// | FileszOverMemsz, SegmentOutsideUser | EINVAL | the "set_brk can never work" check |
/// | OffsetMisaligned | EINVAL | mmap of a file offset not page aligned |
/// | FileRangeOverflow | EOVERFLOW | mmap's file_mmap_ok |
/// | AlignNotPowerOfTwo, Unsorted, Overlap | ENOEXEC | noyau |
/// | EmptyImage | EINVAL | total_mapping_size of 0 |
/// | ImageOutsideUser | ENOMEM | mmap of the image at its bias |
/// | EntryOutsideUser | EINVAL | BAD_ADDR(elf_entry) |
/// | ShebangTruncated, ShebangNoInterpreter | ENOEXEC | load_script |
/// | ScriptLoop | ELOOP | exec_binprm's depth limit |
/// | ArgTooLong, ArgsTooBig, TooManyArgs | E2BIG | copy_strings, bprm_stack_limits, count |
/// | NulInArg | EINVAL | noyau (execve's C strings cannot hold one) |
/// | StackTooLow | EFAULT | create_elf_tables' writes to the stack |
/// | NoMemory | ENOMEM | the kernel could not hold the new stack's image |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecError {
    /// No ELF magic, or a file too short to hold an ELF header.
    NotElf,
    /// EI_CLASS is not ELFCLASS64 (noyau has no compat_binfmt_elf for 32-bit programs).
    Class,
    /// EI_DATA is not ELFDATA2LSB.
    Endian,
    /// EI_VERSION or e_version is not EV_CURRENT (noyau only: Linux does not look).
    Version,
    /// e_type is neither ET_EXEC nor ET_DYN.
    Type,
    /// e_machine is not EM_X86_64 (elf_check_arch).
    Machine,
    /// e_phentsize is not the size of an Elf64_Phdr (load_elf_phdrs).
    PhentSize,
    /// No program header, or a table larger than a page (load_elf_phdrs).
    PhnumRange,
    /// The program header table runs past the end of the file.
    PhdrsOutsideFile,
    /// PT_INTERP is shorter than 2 bytes or longer than PATH_MAX.
    InterpSize { index: u16 },
    /// PT_INTERP's string runs past the end of the file (elf_read's short read: EIO).
    InterpOutsideFile { index: u16 },
    /// PT_INTERP's string does not end with a NUL.
    InterpNotTerminated { index: u16 },
    /// A dynamically linked program: noyau has no dynamic linker yet. The path of the
    /// wanted interpreter is `bytes[offset..offset + len]` of the executable.
    NeedsInterpreter { offset: u64, len: u64 },
    /// A PT_LOAD with p_filesz > p_memsz.
    FileszOverMemsz { index: u16 },
    /// A PT_LOAD starting at or reaching past TASK_SIZE, or wrapping around.
    SegmentOutsideUser { index: u16 },
    /// A PT_LOAD whose p_offset and p_vaddr differ modulo the page size (mmap's EINVAL).
    OffsetMisaligned { index: u16 },
    /// A PT_LOAD whose p_align is neither 0 nor a power of two (noyau only).
    AlignNotPowerOfTwo { index: u16 },
    /// A PT_LOAD below the one before it (noyau only: the ELF spec orders them by p_vaddr).
    Unsorted { index: u16 },
    /// A PT_LOAD overlapping the one before it (noyau only).
    Overlap { index: u16 },
    /// A PT_LOAD whose file range ends past the largest file offset (mmap's EOVERFLOW).
    FileRangeOverflow { index: u16 },
    /// ET_DYN whose PT_LOAD segments span no memory at all (total_mapping_size is 0).
    EmptyImage,
    /// The image, moved to its load bias, does not fit in user space (mmap's ENOMEM).
    ImageOutsideUser,
    /// The entry point, moved by the load bias, is not a user address.
    EntryOutsideUser,
    /// A `#!` line longer than the buffer whose interpreter path may be cut off.
    ShebangTruncated,
    /// A `#!` line with no interpreter name.
    ShebangNoInterpreter,
    /// A script whose interpreter is a script, more than MAX_SCRIPT_DEPTH times over.
    ScriptLoop,
    /// An argument, environment string or file name longer than MAX_ARG_STRLEN.
    ArgTooLong,
    /// argv and envp together exceed a quarter of the stack limit.
    ArgsTooBig,
    /// More than MAX_ARG_STRINGS arguments or environment strings.
    TooManyArgs,
    /// A string holding a NUL byte (cannot come from execve, whose strings are C strings).
    NulInArg,
    /// The stack top is too low to hold the initial stack.
    StackTooLow,
    /// The kernel has no memory for the new stack's image (a stack limit so
    /// large that the strings' room outgrows what it can allocate at once).
    NoMemory,
}

impl ExecError {
    /// For [`ExecError::NeedsInterpreter`], the interpreter's path in the executable
    /// `bytes` (for the kernel's "no dynamic linker yet" message).
    pub fn interpreter(self, bytes: &[u8]) -> Option<&[u8]> {
        let ExecError::NeedsInterpreter { offset, len } = self else {
            return None;
        };
        let start = usize::try_from(offset).ok()?;
        bytes.get(start..start.checked_add(usize::try_from(len).ok()?)?)
    }

    /// The positive Linux errno that execve returns for this reason.
    pub fn errno(self) -> u32 {
        use ExecError::*;
        match self {
            InterpOutsideFile { .. } => EIO,
            FileszOverMemsz { .. }
            | SegmentOutsideUser { .. }
            | OffsetMisaligned { .. }
            | EmptyImage
            | EntryOutsideUser
            | NulInArg => EINVAL,
            FileRangeOverflow { .. } => EOVERFLOW,
            ImageOutsideUser | NoMemory => ENOMEM,
            ArgTooLong | ArgsTooBig | TooManyArgs => E2BIG,
            StackTooLow => EFAULT,
            ScriptLoop => ELOOP,
            NotElf
            | Class
            | Endian
            | Version
            | Type
            | Machine
            | PhentSize
            | PhnumRange
            | PhdrsOutsideFile
            | InterpSize { .. }
            | InterpNotTerminated { .. }
            | NeedsInterpreter { .. }
            | AlignNotPowerOfTwo { .. }
            | Unsorted { .. }
            | Overlap { .. }
            | ShebangTruncated
            | ShebangNoInterpreter => ENOEXEC,
        }
    }
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ExecError::*;
        match *self {
            NotElf => write!(f, "not an ELF file"),
            Class => write!(f, "not a 64-bit ELF file"),
            Endian => write!(f, "not a little-endian ELF file"),
            Version => write!(f, "unknown ELF version"),
            Type => write!(f, "neither ET_EXEC nor ET_DYN"),
            Machine => write!(f, "not an x86_64 program"),
            PhentSize => write!(f, "bad e_phentsize"),
            PhnumRange => write!(f, "no program header or too many"),
            PhdrsOutsideFile => write!(f, "program headers past the end of the file"),
            InterpSize { index } => write!(f, "phdr {index}: PT_INTERP of a bad size"),
            InterpOutsideFile { index } => write!(f, "phdr {index}: PT_INTERP past end of file"),
            InterpNotTerminated { index } => write!(f, "phdr {index}: PT_INTERP without NUL"),
            NeedsInterpreter { .. } => write!(f, "no dynamic linker yet"),
            FileszOverMemsz { index } => write!(f, "phdr {index}: p_filesz > p_memsz"),
            SegmentOutsideUser { index } => write!(f, "phdr {index}: outside user space"),
            OffsetMisaligned { index } => write!(f, "phdr {index}: p_offset and p_vaddr differ"),
            AlignNotPowerOfTwo { index } => write!(f, "phdr {index}: p_align not a power of 2"),
            Unsorted { index } => write!(f, "phdr {index}: PT_LOAD below the previous one"),
            Overlap { index } => write!(f, "phdr {index}: PT_LOAD overlaps the previous one"),
            FileRangeOverflow { index } => write!(f, "phdr {index}: file offset overflows"),
            EmptyImage => write!(f, "PT_LOAD segments span no memory"),
            ImageOutsideUser => write!(f, "image does not fit in user space at its base"),
            EntryOutsideUser => write!(f, "entry point outside user space"),
            ShebangTruncated => write!(f, "#! line too long"),
            ShebangNoInterpreter => write!(f, "#! line without interpreter"),
            ScriptLoop => write!(f, "too many #! interpreters in a row"),
            ArgTooLong => write!(f, "argument longer than MAX_ARG_STRLEN"),
            ArgsTooBig => write!(f, "arguments and environment too large"),
            TooManyArgs => write!(f, "too many arguments"),
            NulInArg => write!(f, "NUL byte inside an argument"),
            StackTooLow => write!(f, "stack top too low for the arguments"),
            NoMemory => write!(f, "no memory for the new stack"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExecError::*;

    #[test]
    fn errno_table() {
        let index = 0;
        let table = [
            (NotElf, ENOEXEC),
            (Class, ENOEXEC),
            (Endian, ENOEXEC),
            (Version, ENOEXEC),
            (Type, ENOEXEC),
            (Machine, ENOEXEC),
            (PhentSize, ENOEXEC),
            (PhnumRange, ENOEXEC),
            (PhdrsOutsideFile, ENOEXEC),
            (InterpSize { index }, ENOEXEC),
            (InterpOutsideFile { index }, EIO),
            (InterpNotTerminated { index }, ENOEXEC),
            (NeedsInterpreter { offset: 0, len: 0 }, ENOEXEC),
            (FileszOverMemsz { index }, EINVAL),
            (SegmentOutsideUser { index }, EINVAL),
            (OffsetMisaligned { index }, EINVAL),
            (AlignNotPowerOfTwo { index }, ENOEXEC),
            (Unsorted { index }, ENOEXEC),
            (Overlap { index }, ENOEXEC),
            (FileRangeOverflow { index }, EOVERFLOW),
            (EmptyImage, EINVAL),
            (ImageOutsideUser, ENOMEM),
            (EntryOutsideUser, EINVAL),
            (ShebangTruncated, ENOEXEC),
            (ShebangNoInterpreter, ENOEXEC),
            (ScriptLoop, ELOOP),
            (ArgTooLong, E2BIG),
            (ArgsTooBig, E2BIG),
            (TooManyArgs, E2BIG),
            (NulInArg, EINVAL),
            (StackTooLow, EFAULT),
            (NoMemory, ENOMEM),
        ];
        for (err, errno) in table {
            assert_eq!(err.errno(), errno, "{err:?}");
            assert!(!std::format!("{err}").is_empty());
        }
        assert_eq!(
            (ENOEXEC, EINVAL, E2BIG, ENOMEM, EIO, EOVERFLOW, ELOOP),
            (8, 22, 7, 12, 5, 75, 40)
        );
    }

    #[test]
    fn interpreter_path() {
        let bytes = b"....ld.so\0";
        let err = NeedsInterpreter { offset: 4, len: 5 };
        assert_eq!(err.interpreter(bytes), Some(&b"ld.so"[..]));
        let beyond = NeedsInterpreter {
            offset: u64::MAX,
            len: 5,
        };
        assert_eq!(beyond.interpreter(bytes), None);
        let message = std::format!("{}", Overlap { index: 1 });
        assert_eq!(message, "phdr 1: PT_LOAD overlaps the previous one");
    }
}
