//! The first checks of Linux's load_elf_binary and load_elf_phdrs (fs/binfmt_elf.c):
//! the ELF header of an x86_64 executable and its program header table. The `object`
//! crate gives the typed, endian-aware view of the bytes and bounds-checked reads; the
//! rules, their order and their errors are Linux's.

use crate::ExecError;
use object::elf::{
    FileHeader64, ProgramHeader64, ELFCLASS64, ELFDATA2LSB, ELFMAG, EM_X86_64, ET_DYN, ET_EXEC,
    EV_CURRENT,
};
use object::{LittleEndian as LE, ReadRef};

/// What kind of ELF executable: fixed addresses, or position-independent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfKind {
    /// ET_EXEC: loaded at the addresses written in the file.
    Exec,
    /// ET_DYN: position-independent (a static-PIE program), placed at a load bias.
    Dyn,
}

/// One program header, read into native integers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Phdr {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

/// The ELF header fields the loader uses, and its program headers.
pub(crate) struct Header<'a> {
    pub kind: ElfKind,
    pub entry: u64,
    pub phoff: u64,
    pub phnum: u16,
    phdrs: &'a [ProgramHeader64<LE>],
}

/// Size of an Elf64_Ehdr.
const EHDR_SIZE: usize = core::mem::size_of::<FileHeader64<LE>>();
/// Size of an Elf64_Phdr: AT_PHENT.
pub(crate) const PHDR_SIZE: u16 = core::mem::size_of::<ProgramHeader64<LE>>() as u16;
/// load_elf_phdrs refuses a table over 64 KiB, or over ELF_MIN_ALIGN (one page, the
/// bound that holds on x86_64: at most 73 entries).
const PHDRS_MAX_BYTES: u64 = if crate::PAGE_SIZE < 65536 {
    crate::PAGE_SIZE
} else {
    65536
};

impl<'a> Header<'a> {
    /// Check the ELF header and find the program header table in `bytes`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ExecError> {
        // Linux reads the header from a zero-padded buffer: a short file is read as
        // if padded with zeros, and then fails one of the checks below.
        let mut buf = [0u8; EHDR_SIZE];
        let len = bytes.len().min(EHDR_SIZE);
        buf[..len].copy_from_slice(&bytes[..len]);
        let ehdr: FileHeader64<LE> = *(&buf[..]).read_at(0).map_err(|_| ExecError::NotElf)?;

        // Linux's binfmt_elf looks only at the magic, e_type and e_machine; a 32-bit
        // file goes to compat_binfmt_elf, which noyau does not have.
        let ident = ehdr.e_ident;
        if ident.magic != ELFMAG {
            return Err(ExecError::NotElf);
        }
        if ident.class != ELFCLASS64 {
            return Err(ExecError::Class);
        }
        if ident.data != ELFDATA2LSB {
            return Err(ExecError::Endian);
        }
        if ident.version != EV_CURRENT || ehdr.e_version.get(LE) != u32::from(EV_CURRENT.0) {
            return Err(ExecError::Version);
        }
        let kind = match ehdr.e_type.get(LE) {
            ET_EXEC => ElfKind::Exec,
            ET_DYN => ElfKind::Dyn,
            _ => return Err(ExecError::Type),
        };
        if ehdr.e_machine.get(LE) != EM_X86_64 {
            return Err(ExecError::Machine);
        }

        if ehdr.e_phentsize.get(LE) != PHDR_SIZE {
            return Err(ExecError::PhentSize);
        }
        let phnum = ehdr.e_phnum.get(LE);
        let table = u64::from(phnum) * u64::from(PHDR_SIZE);
        if table == 0 || table > PHDRS_MAX_BYTES {
            return Err(ExecError::PhnumRange);
        }
        let phoff = ehdr.e_phoff.get(LE);
        let phdrs = bytes
            .read_slice_at::<ProgramHeader64<LE>>(phoff, usize::from(phnum))
            .map_err(|_| ExecError::PhdrsOutsideFile)?;

        Ok(Header {
            kind,
            entry: ehdr.e_entry.get(LE),
            phoff,
            phnum,
            phdrs,
        })
    }

    /// The program headers, in table order, with their index.
    pub fn phdrs(&self) -> impl Iterator<Item = (u16, Phdr)> + '_ {
        self.phdrs.iter().zip(0u16..).map(|(ph, index)| {
            let phdr = Phdr {
                p_type: ph.p_type.get(LE).0,
                flags: ph.p_flags.get(LE).0,
                offset: ph.p_offset.get(LE),
                vaddr: ph.p_vaddr.get(LE),
                filesz: ph.p_filesz.get(LE),
                memsz: ph.p_memsz.get(LE),
                align: ph.p_align.get(LE),
            };
            (index, phdr)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testelf::{offsets, ElfBuilder};

    fn parse(bytes: &[u8]) -> Result<ElfKind, ExecError> {
        Header::parse(bytes).map(|h| h.kind)
    }

    #[test]
    fn accepts_exec_and_dyn() {
        assert_eq!(parse(&ElfBuilder::exec().build()), Ok(ElfKind::Exec));
        assert_eq!(parse(&ElfBuilder::pie().build()), Ok(ElfKind::Dyn));
    }

    #[test]
    fn short_or_foreign_files_are_not_elf() {
        assert_eq!(parse(b""), Err(ExecError::NotElf));
        assert_eq!(parse(b"\x7fELF"), Err(ExecError::Class));
        assert_eq!(parse(b"#!/bin/sh\n"), Err(ExecError::NotElf));
        let image = ElfBuilder::exec().build();
        assert_eq!(parse(&image[..40]), Err(ExecError::PhentSize));
    }

    #[test]
    fn ident_checks() {
        let patch = |at: usize, v: u8| ElfBuilder::exec().patch(at, &[v]).build();
        assert_eq!(parse(&patch(0, 0x7e)), Err(ExecError::NotElf));
        assert_eq!(parse(&patch(offsets::EI_CLASS, 1)), Err(ExecError::Class));
        assert_eq!(parse(&patch(offsets::EI_DATA, 2)), Err(ExecError::Endian));
        assert_eq!(
            parse(&patch(offsets::EI_VERSION, 0)),
            Err(ExecError::Version)
        );
        let image = ElfBuilder::exec()
            .patch(offsets::E_VERSION, &2u32.to_le_bytes())
            .build();
        assert_eq!(parse(&image), Err(ExecError::Version));
    }

    #[test]
    fn type_and_machine() {
        for e_type in [0u16, 1, 4, 0xfe00] {
            let image = ElfBuilder::exec().e_type(e_type).build();
            assert_eq!(parse(&image), Err(ExecError::Type), "e_type {e_type}");
        }
        let image = ElfBuilder::exec().machine(3).build();
        assert_eq!(parse(&image), Err(ExecError::Machine));
    }

    #[test]
    fn program_header_table_limits() {
        let image = ElfBuilder::exec()
            .patch(offsets::E_PHENTSIZE, &32u16.to_le_bytes())
            .build();
        assert_eq!(parse(&image), Err(ExecError::PhentSize));
        let image = ElfBuilder::exec()
            .patch(offsets::E_PHNUM, &0u16.to_le_bytes())
            .build();
        assert_eq!(parse(&image), Err(ExecError::PhnumRange));
        // 73 entries fit in a page, 74 do not; PN_XNUM (0xffff) is not special to Linux.
        let mut big = ElfBuilder::exec();
        while big.phdr_count() < 73 {
            big = big.null_phdr();
        }
        assert_eq!(parse(&big.build()), Ok(ElfKind::Exec));
        assert_eq!(parse(&big.null_phdr().build()), Err(ExecError::PhnumRange));
        let image = ElfBuilder::exec()
            .patch(offsets::E_PHNUM, &0xffffu16.to_le_bytes())
            .build();
        assert_eq!(parse(&image), Err(ExecError::PhnumRange));
    }

    #[test]
    fn program_headers_must_be_in_the_file() {
        let image = ElfBuilder::exec().build();
        let cut = offsets::PHDRS + 56 * 2 - 1;
        assert_eq!(parse(&image[..cut]), Err(ExecError::PhdrsOutsideFile));
        let image = ElfBuilder::exec().phoff(u64::MAX - 8).build();
        assert_eq!(parse(&image), Err(ExecError::PhdrsOutsideFile));
        let image = ElfBuilder::exec().phoff(1 << 40).build();
        assert_eq!(parse(&image), Err(ExecError::PhdrsOutsideFile));
    }
}
