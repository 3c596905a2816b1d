//! Virtual memory areas (Linux: struct vm_area_struct, include/linux/mm_types.h):
//! a page-aligned range of a process's address space with its rights
//! (VM_READ, VM_WRITE, VM_EXEC), its flags, and for MAP_SHARED memory the
//! object that holds its pages (Linux: vm_file, a shmem inode, and vm_pgoff).

use alloc::sync::Arc;

use x86_64::structures::paging::PageTableFlags as F;

use crate::arch::mm::PAGE_SIZE;
use crate::mm::shmem::SharedAnon;

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

/// The vm_flags beyond the rights that noyau keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VmFlags {
    /// A stack: a fault just below it extends it (VM_GROWSDOWN).
    pub growsdown: bool,
    /// fork leaves it out of the child (VM_DONTCOPY, MADV_DONTFORK).
    pub dontcopy: bool,
    /// fork gives the child empty pages (VM_WIPEONFORK).
    pub wipeonfork: bool,
    /// A MAP_SHARED mapping of a file opened read-only: it can never be
    /// made writable (Linux leaves VM_MAYWRITE off, and mprotect says
    /// EACCES), so private copies of the file's pages serve it.
    pub shared_readonly: bool,
}

/// One virtual memory area: [start, end).
#[derive(Clone)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: Prot,
    pub flags: VmFlags,
    /// The pages of MAP_SHARED memory, shared with every process that maps
    /// them; None for private memory, whose pages are copied on write.
    pub shared: Option<Arc<SharedAnon>>,
    /// The file a private file mapping reads its pages from on first touch
    /// (Linux: vm_file); they are private copies from then on.
    pub file: Option<Arc<vfs::File>>,
    /// The page of `shared`, or of `file`, that `start` maps (Linux: vm_pgoff).
    pub pgoff: u64,
}

impl Vma {
    /// Private anonymous memory (and the ELF loader's segments).
    pub fn private(start: u64, end: u64, prot: Prot) -> Vma {
        Vma {
            start,
            end,
            prot,
            flags: VmFlags::default(),
            shared: None,
            file: None,
            pgoff: 0,
        }
    }

    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Was it mapped MAP_SHARED (the `s` of /proc/PID/maps)?
    pub fn mapped_shared(&self) -> bool {
        self.is_shared() || self.flags.shared_readonly
    }

    /// The page of the shared object that `addr` maps.
    pub fn object_page(&self, addr: u64) -> u64 {
        self.pgoff + (addr - self.start) / PAGE_SIZE
    }

    /// The part of this area from `at` on (for splits and moves).
    pub fn tail_from(&self, at: u64) -> Vma {
        Vma {
            start: at,
            pgoff: self.object_page(at),
            ..self.clone()
        }
    }

    /// Where a new mapping below this one must end at the latest: a stack
    /// keeps a guard gap free below it (Linux: vm_start_gap).
    pub fn start_gap(&self) -> u64 {
        if self.flags.growsdown {
            self.start.saturating_sub(crate::mm::stack::STACK_GUARD_GAP)
        } else {
            self.start
        }
    }

    /// Can `next`, which starts where this one ends, join it into one
    /// area? (Linux: is_mergeable_vma and the anon_vma or file checks.)
    pub fn can_merge_with(&self, next: &Vma) -> bool {
        if self.end != next.start || self.prot != next.prot || self.flags != next.flags {
            return false;
        }
        let follows = self.object_page(self.end) == next.pgoff;
        let same_file = match (&self.file, &next.file) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) && follows,
            _ => false,
        };
        same_file
            && match (&self.shared, &next.shared) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b) && follows,
                _ => false,
            }
    }
}
