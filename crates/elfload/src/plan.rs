//! The exec plan: everything Linux's load_elf_binary (fs/binfmt_elf.c) decides about an
//! x86_64 executable before it maps a page: the load bias of a position-independent
//! program, the PT_LOAD segments at their final addresses, the entry point, AT_PHDR, the
//! stack's rights (PT_GNU_STACK) and the initial brk. PT_INTERP is refused for now.

use crate::header::{Header, Phdr, PHDR_SIZE};
use crate::segment::{check_load, Segment};
use crate::{page_align, page_start, ExecError, PATH_MAX, TASK_SIZE};
use alloc::vec::Vec;
use object::elf::{PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_PHDR};

pub use crate::header::ElfKind;

/// The rights the program asks for its stack (Linux's EXSTACK_* values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackExec {
    /// No PT_GNU_STACK: on x86_64 the stack is then not executable.
    Default,
    /// PT_GNU_STACK with PF_X.
    Enable,
    /// PT_GNU_STACK without PF_X.
    Disable,
}

/// What the kernel must do to load an ELF executable. Addresses include the load bias.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecPlan {
    pub kind: ElfKind,
    /// Added to every p_vaddr: 0 for ET_EXEC.
    pub load_bias: u64,
    /// Where the program starts (e_entry plus the bias), also AT_ENTRY.
    pub entry: u64,
    /// The PT_LOAD segments that occupy memory, in table order (sorted by address).
    pub segments: Vec<Segment>,
    /// AT_PHDR: where the program headers are in memory.
    pub phdr: u64,
    /// AT_PHENT: the size of one program header.
    pub phent: u64,
    /// AT_PHNUM: the number of program headers.
    pub phnum: u64,
    pub stack: StackExec,
    /// The initial program break: the page-aligned end of the highest segment.
    pub brk: u64,
    /// A PT_LOAD's file bytes run past the end of the file (a cut program). Linux maps
    /// them all the same, and its exec then fails past the point of no return when it
    /// clears the end of the bss's first page, which lies past the end (padzero): the
    /// process dies with SIGSEGV. The loader gets the bytes there are; the kernel ends
    /// the process as Linux does.
    pub truncated: bool,
    /// The mm's start_code, end_code, start_data and end_data, as Linux computes them
    /// for /proc/PID/stat (start_code is `u64::MAX` plus the bias with no PF_X segment).
    pub start_code: u64,
    pub end_code: u64,
    pub start_data: u64,
    pub end_data: u64,
}

impl ExecPlan {
    /// Plan the loading of the x86_64 ELF64 executable `bytes`. An ET_DYN program is
    /// placed at `base_hint` rounded down to its largest p_align, as Linux places a PIE
    /// program at ELF_ET_DYN_BASE plus a random offset; pass [`crate::ELF_ET_DYN_BASE`]
    /// for Linux's address without randomization. Linux 6.x puts a PIE program *without*
    /// PT_INTERP (static-PIE) in the mmap area instead; noyau keeps one rule for both.
    pub fn from_elf(bytes: &[u8], base_hint: u64) -> Result<ExecPlan, ExecError> {
        let header = Header::parse(bytes)?;

        // Linux opens the interpreter before it looks at any PT_LOAD.
        let interp = header.phdrs().find(|(_, ph)| ph.p_type == PT_INTERP.0);
        if let Some((index, ph)) = interp {
            return Err(check_interp(bytes, index, &ph));
        }
        let stack = stack_rights(&header);

        let (loads, truncated) = checked_loads(&header, bytes.len() as u64)?;
        let load_bias = match (header.kind, loads.first()) {
            (ElfKind::Dyn, Some(first)) => dyn_bias(&loads, first.vaddr, base_hint)?,
            _ => 0,
        };

        let mut segments = Vec::new();
        segments
            .try_reserve_exact(loads.len())
            .map_err(|_| ExecError::NoMemory)?;
        let mut brk = 0;
        for ph in &loads {
            let segment = Segment::place(ph, load_bias).ok_or(ExecError::ImageOutsideUser)?;
            brk = brk.max(segment.end);
            if ph.memsz != 0 {
                segments.push(segment);
            }
        }

        let entry = header.entry.wrapping_add(load_bias);
        if entry >= TASK_SIZE {
            return Err(ExecError::EntryOutsideUser);
        }

        let mut plan = ExecPlan {
            kind: header.kind,
            load_bias,
            entry,
            segments,
            phdr: phdr_vaddr(&header, &loads).wrapping_add(load_bias),
            phent: u64::from(PHDR_SIZE),
            phnum: u64::from(header.phnum),
            stack,
            brk,
            truncated,
            start_code: u64::MAX,
            end_code: 0,
            start_data: 0,
            end_data: 0,
        };
        plan.set_code_and_data(&loads);
        Ok(plan)
    }

    /// Whether the stack must be mapped executable.
    pub fn executable_stack(&self) -> bool {
        self.stack == StackExec::Enable
    }

    /// The mm's code and data bounds, from the unbiased headers as load_elf_binary does.
    fn set_code_and_data(&mut self, loads: &[Phdr]) {
        for ph in loads {
            let file_end = ph.vaddr + ph.filesz;
            if ph.flags & PF_X.0 != 0 {
                self.start_code = self.start_code.min(ph.vaddr);
                self.end_code = self.end_code.max(file_end);
            }
            self.start_data = self.start_data.max(ph.vaddr);
            self.end_data = self.end_data.max(file_end);
        }
        for field in [
            &mut self.start_code,
            &mut self.end_code,
            &mut self.start_data,
            &mut self.end_data,
        ] {
            *field = field.wrapping_add(self.load_bias);
        }
    }
}

/// Linux's checks of PT_INTERP; a good one still ends the exec, with NeedsInterpreter.
fn check_interp(bytes: &[u8], index: u16, ph: &Phdr) -> ExecError {
    if ph.filesz > PATH_MAX || ph.filesz < 2 {
        return ExecError::InterpSize { index };
    }
    let path = usize::try_from(ph.offset).ok().and_then(|start| {
        let end = start.checked_add(usize::try_from(ph.filesz).ok()?)?;
        bytes.get(start..end)
    });
    match path {
        None => ExecError::InterpOutsideFile { index },
        Some(path) if path.last() != Some(&0) => ExecError::InterpNotTerminated { index },
        Some(path) => {
            let len = path.iter().position(|&c| c == 0).unwrap_or(path.len());
            ExecError::NeedsInterpreter {
                offset: ph.offset,
                len: len as u64,
            }
        }
    }
}

/// The stack's rights: the last PT_GNU_STACK decides, as in load_elf_binary.
fn stack_rights(header: &Header<'_>) -> StackExec {
    let gnu_stack = header
        .phdrs()
        .filter(|(_, ph)| ph.p_type == PT_GNU_STACK.0)
        .last();
    match gnu_stack {
        None => StackExec::Default,
        Some((_, ph)) if ph.flags & PF_X.0 != 0 => StackExec::Enable,
        Some(_) => StackExec::Disable,
    }
}

/// The PT_LOAD headers, each checked, in table order, sorted and without overlap, and
/// whether one of them runs past the end of the file.
fn checked_loads(header: &Header<'_>, file_len: u64) -> Result<(Vec<Phdr>, bool), ExecError> {
    let mut loads: Vec<Phdr> = Vec::new();
    // At most the header's count (PhnumRange bounds it): reserved at once, so that
    // a kernel short of memory fails with ENOMEM rather than in a push.
    loads
        .try_reserve_exact(header.phdrs().count())
        .map_err(|_| ExecError::NoMemory)?;
    let mut used_end = 0;
    let mut truncated = false;
    for (index, ph) in header.phdrs().filter(|(_, ph)| ph.p_type == PT_LOAD.0) {
        truncated |= check_load(index, &ph, file_len)?;
        if loads.last().is_some_and(|prev| ph.vaddr < prev.vaddr) {
            return Err(ExecError::Unsorted { index });
        }
        // A segment of no memory maps nothing, and so overlaps nothing.
        if ph.memsz != 0 {
            if ph.vaddr < used_end {
                return Err(ExecError::Overlap { index });
            }
            used_end = ph.vaddr + ph.memsz;
        }
        loads.push(ph);
    }
    Ok((loads, truncated))
}

/// The load bias of an ET_DYN image whose first PT_LOAD is at `first_vaddr`.
fn dyn_bias(loads: &[Phdr], first_vaddr: u64, base_hint: u64) -> Result<u64, ExecError> {
    // total_mapping_size: an image spanning nothing cannot be placed.
    let low = loads
        .iter()
        .map(|ph| page_start(ph.vaddr))
        .min()
        .unwrap_or(0);
    let high = loads
        .iter()
        .map(|ph| ph.vaddr + ph.memsz)
        .max()
        .unwrap_or(0);
    if high <= low {
        return Err(ExecError::EmptyImage);
    }

    // maximum_alignment: the largest power-of-two p_align, at least a page.
    let largest = loads
        .iter()
        .map(|ph| ph.align)
        .filter(|a| a.is_power_of_two())
        .max();
    let alignment = page_align(largest.unwrap_or(0)).unwrap_or(0);
    let base = match alignment {
        0 => base_hint,
        a => base_hint & !(a - 1),
    };
    Ok(page_start(base.wrapping_sub(first_vaddr)))
}

/// Where the program headers are, before the bias: PT_PHDR if there is one, else the
/// PT_LOAD whose file bytes hold e_phoff, else 0 (Linux then passes the bias alone).
/// Linux 6.x looks only at the PT_LOAD; linkers make the two agree.
fn phdr_vaddr(header: &Header<'_>, loads: &[Phdr]) -> u64 {
    if let Some((_, ph)) = header.phdrs().find(|(_, ph)| ph.p_type == PT_PHDR.0) {
        return ph.vaddr;
    }
    let holder = loads
        .iter()
        .find(|ph| ph.offset <= header.phoff && header.phoff - ph.offset < ph.filesz);
    holder.map_or(0, |ph| header.phoff - ph.offset + ph.vaddr)
}

#[cfg(test)]
mod host_binaries;
#[cfg(test)]
mod tests;
