//! A tiny ELF64 image builder for the tests: an ELF header, a program header table and
//! a file length, written byte by byte (not with the parser's own structures), shaped
//! like what musl-gcc and rustc emit for static and static-PIE x86_64 programs.

use crate::{ExecPlan, PAGE_SIZE, TASK_SIZE};
use alloc::vec;
use alloc::vec::Vec;

/// Byte offsets of ELF64 header fields.
pub mod offsets {
    pub const EI_CLASS: usize = 4;
    pub const EI_DATA: usize = 5;
    pub const EI_VERSION: usize = 6;
    pub const E_VERSION: usize = 20;
    pub const E_ENTRY: usize = 24;
    pub const E_PHOFF: usize = 32;
    pub const E_PHENTSIZE: usize = 54;
    pub const E_PHNUM: usize = 56;
    /// Where the builder puts the program header table unless told otherwise.
    pub const PHDRS: usize = 64;
}

pub const PT_LOAD: u32 = 1;
pub const PT_INTERP: u32 = 3;
pub const PT_PHDR: u32 = 6;
pub const PT_GNU_STACK: u32 = 0x6474_e551;
pub const R: u32 = 4;
pub const W: u32 = 2;
pub const X: u32 = 1;

/// One program header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ph {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

/// A PT_LOAD header with a 4 KiB alignment.
pub fn load(flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) -> Ph {
    Ph {
        p_type: PT_LOAD,
        flags,
        offset,
        vaddr,
        filesz,
        memsz,
        align: 0x1000,
    }
}

/// A header of another type, with only flags and a file range.
pub fn other(p_type: u32, flags: u32, offset: u64, filesz: u64) -> Ph {
    Ph {
        p_type,
        flags,
        offset,
        vaddr: offset,
        filesz,
        memsz: filesz,
        align: 8,
    }
}

#[derive(Clone, Debug)]
pub struct ElfBuilder {
    e_type: u16,
    machine: u16,
    entry: u64,
    phoff: u64,
    phdrs: Vec<Ph>,
    len: Option<usize>,
    patches: Vec<(usize, Vec<u8>)>,
}

/// Files are not grown past this to reach an absurd offset.
const MAX_DEFAULT_LEN: u64 = 1 << 20;

impl ElfBuilder {
    /// A static ET_EXEC like `musl-gcc -static`: headers, text, data with a bss that
    /// crosses two pages, and a non-executable stack.
    pub fn exec() -> Self {
        ElfBuilder::new(2, 0x40_1000)
            .phdr(load(R, 0, 0x40_0000, 0x200, 0x200))
            .phdr(load(R | X, 0x1000, 0x40_1000, 0x80, 0x80))
            .phdr(load(R | W, 0x1fd0, 0x40_2fd0, 0x40, 0x2248))
            .phdr(other(PT_GNU_STACK, R | W, 0, 0))
    }

    /// A static-PIE ET_DYN like rustc's `+crt-static` output, with PT_PHDR.
    pub fn pie() -> Self {
        ElfBuilder::new(3, 0x1040)
            .phdr(other(PT_PHDR, R, 0x40, 5 * 56))
            .phdr(load(R, 0, 0, 0x300, 0x300))
            .phdr(load(R | X, 0x1000, 0x1000, 0x100, 0x100))
            .phdr(load(R | W, 0x2e10, 0x3e10, 0x200, 0x11d0))
            .phdr(other(PT_GNU_STACK, R | W, 0, 0))
    }

    /// An ELF header of `e_type` with no program header yet.
    pub fn new(e_type: u16, entry: u64) -> Self {
        ElfBuilder {
            e_type,
            machine: 62,
            entry,
            phoff: offsets::PHDRS as u64,
            phdrs: Vec::new(),
            len: None,
            patches: Vec::new(),
        }
    }

    pub fn e_type(mut self, e_type: u16) -> Self {
        self.e_type = e_type;
        self
    }

    pub fn machine(mut self, machine: u16) -> Self {
        self.machine = machine;
        self
    }

    pub fn entry(mut self, entry: u64) -> Self {
        self.entry = entry;
        self
    }

    pub fn phoff(mut self, phoff: u64) -> Self {
        self.phoff = phoff;
        self
    }

    pub fn phdr(mut self, ph: Ph) -> Self {
        self.phdrs.push(ph);
        self
    }

    pub fn null_phdr(self) -> Self {
        self.phdr(other(0, 0, 0, 0))
    }

    /// Change the program headers in place.
    pub fn edit(mut self, f: impl FnOnce(&mut Vec<Ph>)) -> Self {
        f(&mut self.phdrs);
        self
    }

    /// Add a PT_INTERP naming `path` (NUL added), placed at file offset 0x800.
    pub fn interp(self, path: &[u8]) -> Self {
        let string = [path, b"\0"].concat();
        let len = string.len() as u64;
        self.phdr(other(PT_INTERP, R, 0x800, len))
            .patch(0x800, &string)
    }

    /// The file's length, instead of the end of the last thing in it.
    pub fn len(mut self, len: usize) -> Self {
        self.len = Some(len);
        self
    }

    /// Overwrite bytes at `at` once everything else is written.
    pub fn patch(mut self, at: usize, bytes: &[u8]) -> Self {
        self.patches.push((at, bytes.to_vec()));
        self
    }

    pub fn phdr_count(&self) -> usize {
        self.phdrs.len()
    }

    pub fn build(&self) -> Vec<u8> {
        let table_end = self.phoff.saturating_add(56 * self.phdrs.len() as u64);
        let file_ends = self
            .phdrs
            .iter()
            .map(|ph| ph.offset.saturating_add(ph.filesz));
        let default_len = file_ends
            .chain([table_end, 64])
            .filter(|&end| end <= MAX_DEFAULT_LEN)
            .max()
            .unwrap_or(64);
        let mut image = vec![0u8; self.len.unwrap_or(default_len as usize)];

        let mut header = Vec::with_capacity(64);
        header.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
        header.extend_from_slice(&self.e_type.to_le_bytes());
        header.extend_from_slice(&self.machine.to_le_bytes());
        header.extend_from_slice(&1u32.to_le_bytes());
        header.extend_from_slice(&self.entry.to_le_bytes());
        header.extend_from_slice(&self.phoff.to_le_bytes());
        header.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
        header.extend_from_slice(&0u32.to_le_bytes()); // e_flags
        for half in [64u16, 56, self.phdrs.len() as u16, 64, 0, 0] {
            header.extend_from_slice(&half.to_le_bytes());
        }
        write(&mut image, 0, &header);

        for (index, ph) in self.phdrs.iter().enumerate() {
            let mut bytes = Vec::with_capacity(56);
            bytes.extend_from_slice(&ph.p_type.to_le_bytes());
            bytes.extend_from_slice(&ph.flags.to_le_bytes());
            for field in [ph.offset, ph.vaddr, ph.vaddr, ph.filesz, ph.memsz, ph.align] {
                bytes.extend_from_slice(&field.to_le_bytes());
            }
            let at = self.phoff.checked_add(56 * index as u64);
            if let Some(at) = at.and_then(|at| usize::try_from(at).ok()) {
                write(&mut image, at, &bytes);
            }
        }

        for (at, bytes) in &self.patches {
            if image.len() < at + bytes.len() && self.len.is_none() {
                image.resize(at + bytes.len(), 0);
            }
            write(&mut image, *at, bytes);
        }
        image
    }
}

/// Copy what fits of `bytes` at `at`.
fn write(image: &mut [u8], at: usize, bytes: &[u8]) {
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(slot) = at.checked_add(i).and_then(|at| image.get_mut(at)) {
            *slot = b;
        }
    }
}

/// What must hold for any plan the kernel is given.
pub fn assert_sane(plan: &ExecPlan, bytes: &[u8]) {
    let mut used_end = 0;
    for seg in &plan.segments {
        let bounds = [seg.start, seg.file_end, seg.end];
        assert!(bounds.iter().all(|b| b % PAGE_SIZE == 0), "{seg:?}");
        assert!(seg.start <= seg.vaddr && seg.file_end <= seg.end && seg.end <= TASK_SIZE);
        assert!(seg.vaddr >= used_end && seg.filesz <= seg.memsz, "{seg:?}");
        let in_file = seg
            .offset
            .checked_add(seg.filesz)
            .is_some_and(|e| e <= bytes.len() as u64);
        assert!(seg.filesz == 0 || plan.truncated || in_file);
        assert!(plan.brk >= seg.end);
        used_end = seg.vaddr + seg.memsz;
    }
    assert_eq!(plan.brk % PAGE_SIZE, 0);
    assert!(plan.entry < TASK_SIZE);
}
