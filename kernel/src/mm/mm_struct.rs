//! The address space of a process as its threads share it (Linux: struct
//! mm_struct, whose mm_users count is here the Arc's strong count).
//!
//! Threads made with CLONE_VM hold the same `Mm`; the last one to drop it
//! gives every page back. The top-level table's address never changes for
//! the life of an address space, so the scheduler reads it without the lock.

use alloc::sync::Arc;

use crate::kernel::sync::{IrqSpinLock, IrqSpinLockGuard};
use crate::mm::address_space::AddressSpace;

pub struct Mm {
    pgd_phys: u64,
    space: IrqSpinLock<AddressSpace>,
}

impl Mm {
    pub fn new(space: AddressSpace) -> Arc<Mm> {
        Arc::new(Mm {
            pgd_phys: space.pgd_phys(),
            space: IrqSpinLock::new(space),
        })
    }

    /// Physical address of the top-level table, for CR3.
    pub fn pgd_phys(&self) -> u64 {
        self.pgd_phys
    }

    /// The VMAs and page tables, for as long as the guard lives (Linux's
    /// mmap_lock and page_table_lock in one).
    pub fn lock(&self) -> IrqSpinLockGuard<'_, AddressSpace> {
        self.space.lock()
    }

    /// A number naming this address space while it lives: the key of its
    /// private futexes (Linux keys them by the mm's address too).
    pub fn id(self: &Arc<Self>) -> usize {
        Arc::as_ptr(self) as usize
    }
}
