//! One PT_LOAD segment as Linux's binfmt_elf maps it (elf_map, elf_load and padzero in
//! fs/binfmt_elf.c): file pages mapped private, the tail of the last file page cleared,
//! anonymous zero pages for the rest of the bss; and the checks Linux makes on each
//! PT_LOAD, with its errors.

use crate::header::Phdr;
use crate::{page_align, page_offset, page_start, ExecError, TASK_SIZE};
use core::ops::Range;
use linux_raw_sys::general::{PROT_EXEC, PROT_READ, PROT_WRITE};
use object::elf::{PF_R, PF_W, PF_X};

/// Access rights of a segment, from its p_flags (binfmt_elf's make_prot).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rights {
    pub read: bool,
    pub write: bool,
    pub exec: bool,
}

impl Rights {
    pub(crate) fn from_flags(p_flags: u32) -> Self {
        Rights {
            read: p_flags & PF_R.0 != 0,
            write: p_flags & PF_W.0 != 0,
            exec: p_flags & PF_X.0 != 0,
        }
    }

    /// The rights as mmap's PROT_* bits.
    pub fn prot(self) -> u32 {
        let bit = |on: bool, prot: u32| if on { prot } else { 0 };
        bit(self.read, PROT_READ) | bit(self.write, PROT_WRITE) | bit(self.exec, PROT_EXEC)
    }
}

/// A PT_LOAD segment placed at its final address. Every address already includes the
/// load bias; page boundaries are computed. Map it in three steps: the file pages, then
/// clear the zero bytes, then the anonymous pages. The last file page may reach past
/// the end of the file: that part reads as zero, as in any file mapping. Two segments
/// may share the page at their boundary; mapped in order, the later one replaces it, as
/// Linux's MAP_FIXED does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// p_vaddr plus the load bias.
    pub vaddr: u64,
    /// p_offset: where the segment's bytes start in the file.
    pub offset: u64,
    /// p_filesz: bytes taken from the file.
    pub filesz: u64,
    /// p_memsz: bytes in memory; past p_filesz they read as zero (the bss).
    pub memsz: u64,
    pub rights: Rights,
    /// The first page: `vaddr` rounded down.
    pub start: u64,
    /// The end of the pages mapped from the file (`start` when p_filesz is 0).
    pub file_end: u64,
    /// The file offset mapped at `start` (0 when p_filesz is 0).
    pub file_offset: u64,
    /// The first byte of the last file page to clear (`file_end` when none is).
    pub zero_start: u64,
    /// The end of the segment, rounded up to a page.
    pub end: u64,
}

impl Segment {
    /// Pages mapped private from the file, at `file_offset`.
    pub fn file_pages(&self) -> Range<u64> {
        self.start..self.file_end
    }

    /// Bytes of the last file page to set to zero: the start of the bss, up to the page
    /// end (padzero). Empty unless p_memsz > p_filesz > 0.
    pub fn zero_bytes(&self) -> Range<u64> {
        self.zero_start..self.file_end
    }

    /// Anonymous zero-filled pages for the rest of the bss (vm_brk_flags in elf_load).
    pub fn anon_pages(&self) -> Range<u64> {
        self.file_end..self.end
    }

    /// Place a checked PT_LOAD at `bias`; `None` if it then leaves user space.
    pub(crate) fn place(ph: &Phdr, bias: u64) -> Option<Segment> {
        let vaddr = ph.vaddr.wrapping_add(bias);
        let start = page_start(vaddr);
        let span = page_align(ph.vaddr.checked_add(ph.memsz)?)? - page_start(ph.vaddr);
        let end = start.checked_add(span).filter(|&end| end <= TASK_SIZE)?;
        let (file_end, file_offset) = match ph.filesz {
            0 => (start, 0),
            n => {
                let file_span = page_align(page_offset(vaddr).checked_add(n)?)?;
                (
                    start.checked_add(file_span)?,
                    ph.offset.checked_sub(page_offset(vaddr))?,
                )
            }
        };
        let zero_start = match ph.memsz > ph.filesz && ph.filesz > 0 {
            true => vaddr.checked_add(ph.filesz)?,
            false => file_end,
        };
        Some(Segment {
            vaddr,
            offset: ph.offset,
            filesz: ph.filesz,
            memsz: ph.memsz,
            rights: Rights::from_flags(ph.flags),
            start,
            file_end,
            file_offset,
            zero_start,
            end,
        })
    }
}

/// The checks of one PT_LOAD, in this order: Linux's own (the "set_brk can never work"
/// test of load_elf_binary: EINVAL), noyau's p_align rule, then what mmap of the file
/// part would refuse (EINVAL, EOVERFLOW), then noyau's end-of-file rule.
pub(crate) fn check_load(index: u16, ph: &Phdr, file_len: u64) -> Result<bool, ExecError> {
    if ph.filesz > ph.memsz {
        return Err(ExecError::FileszOverMemsz { index });
    }
    if ph.vaddr >= TASK_SIZE || ph.memsz > TASK_SIZE || TASK_SIZE - ph.memsz < ph.vaddr {
        return Err(ExecError::SegmentOutsideUser { index });
    }
    if ph.align != 0 && !ph.align.is_power_of_two() {
        return Err(ExecError::AlignNotPowerOfTwo { index });
    }

    // Linux maps nothing from the file for a segment without file bytes.
    if ph.filesz == 0 {
        return Ok(false);
    }
    if page_offset(ph.offset) != page_offset(ph.vaddr) {
        return Err(ExecError::OffsetMisaligned { index });
    }
    // mmap's file_mmap_ok: the mapped range must end below the largest file offset.
    let file_offset = ph.offset - page_offset(ph.vaddr);
    let map_len = page_align(page_offset(ph.vaddr) + ph.filesz);
    match map_len.and_then(|len| file_offset.checked_add(len)) {
        Some(end) if end <= i64::MAX as u64 => {}
        _ => return Err(ExecError::FileRangeOverflow { index }),
    }
    // File bytes past the end of the file: Linux maps them all the same.
    Ok(ph
        .offset
        .checked_add(ph.filesz)
        .is_none_or(|end| end > file_len))
}
