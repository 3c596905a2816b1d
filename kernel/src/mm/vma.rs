//! Virtual memory areas (Linux: struct vm_area_struct, include/linux/mm_types.h):
//! a page-aligned range of a process's address space with its rights
//! (VM_READ, VM_WRITE, VM_EXEC).

use x86_64::structures::paging::PageTableFlags as F;

/// Rights of a user mapping (Linux: VM_READ, VM_WRITE, VM_EXEC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prot {
    pub read: bool,
    pub write: bool,
    pub exec: bool,
}

impl Prot {
    /// From mmap's PROT_READ | PROT_WRITE | PROT_EXEC bits.
    pub fn from_bits(prot: u64) -> Prot {
        Prot {
            read: prot & 1 != 0,
            write: prot & 2 != 0,
            exec: prot & 4 != 0,
        }
    }

    /// Any access at all: PROT_NONE areas are not (Linux: vma_is_accessible).
    pub fn accessible(self) -> bool {
        self.read || self.write || self.exec
    }

    /// The page-table flags for these rights. PROT_NONE gives a
    /// non-present entry that still holds its page (Linux: _PAGE_PROTNONE).
    pub fn pte_flags(self) -> F {
        if !self.accessible() {
            return F::NO_EXECUTE;
        }
        let mut flags = F::PRESENT | F::USER_ACCESSIBLE;
        if self.write {
            flags |= F::WRITABLE;
        }
        if !self.exec {
            flags |= F::NO_EXECUTE;
        }
        flags
    }
}

/// One virtual memory area: [start, end).
#[derive(Clone)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: Prot,
}

impl Vma {
    /// Private anonymous memory (and the ELF loader's segments).
    pub fn private(start: u64, end: u64, prot: Prot) -> Vma {
        Vma { start, end, prot }
    }

    /// The part of this area from `at` on (for splits).
    pub fn tail_from(&self, at: u64) -> Vma {
        Vma {
            start: at,
            ..self.clone()
        }
    }

    /// Can `next`, which starts where this one ends, join it into one
    /// area? (Linux: is_mergeable_vma.)
    pub fn can_merge_with(&self, next: &Vma) -> bool {
        self.end == next.start && self.prot == next.prot
    }
}
