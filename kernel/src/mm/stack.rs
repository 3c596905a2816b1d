//! Stacks that grow on demand (Linux: expand_downwards and
//! acct_stack_growth in mm/mmap.c, setup_arg_pages in fs/exec.c).
//!
//! exec maps the main stack as a VM_GROWSDOWN area just large enough for
//! the arguments plus 128 KiB; mmap's MAP_GROWSDOWN makes others. A fault
//! below such an area extends it down to the faulting page, as long as the
//! area stays within RLIMIT_STACK and keeps the guard gap (256 pages, 1 MiB)
//! above the next mapping below; otherwise the fault is SEGV_MAPERR, as on
//! Linux. mmap keeps new mappings out of that gap too (Vma::start_gap).

use crate::arch::mm::PAGE_SIZE;
use crate::mm::address_space::{AddressSpace, MMAP_MIN_ADDR};
use crate::mm::vma::{Prot, Vma};

/// Room kept free below a stack (Linux: stack_guard_gap, 256 pages).
pub const STACK_GUARD_GAP: u64 = 256 * PAGE_SIZE;

/// RLIMIT_STACK's default (Linux: _STK_LIM, 8 MiB).
pub const STACK_RLIMIT: u64 = 8 << 20;

/// The limit a stack grows to: RLIMIT_STACK's soft value. Faults run in
/// the task whose stack grows, so the task's own limit is the one read.
fn stack_rlimit() -> u64 {
    crate::kernel::resource::current_rlimit(crate::kernel::resource::RLIMIT_STACK)
}

/// How far exec extends the stack below the arguments at once (Linux:
/// setup_arg_pages' stack_expand).
const STACK_EXPAND: u64 = 128 << 10;

impl AddressSpace {
    /// The main stack exec sets up for a stack pointer `sp` below `top`.
    pub fn insert_stack(&mut self, sp: u64, top: u64, prot: Prot) {
        let args = top - (sp & !(PAGE_SIZE - 1));
        let start = top - (args + STACK_EXPAND).min(stack_rlimit());
        let mut vma = Vma::private(start, top, prot);
        vma.flags.growsdown = true;
        self.insert(vma);
    }

    /// Extend the VM_GROWSDOWN area above `addr`, which no VMA holds, down
    /// to `addr`'s page; the grown area, or None when `addr` is not just
    /// below a stack, or the stack may not grow that far.
    pub(super) fn expand_stack(&mut self, addr: u64) -> Option<Vma> {
        let (&start, vma) = self.vmas.range(addr..).next()?;
        let new_start = addr & !(PAGE_SIZE - 1);
        if !vma.flags.growsdown || new_start < MMAP_MIN_ADDR {
            return None;
        }
        if vma.end - new_start > stack_rlimit() {
            return None;
        }
        // An accessible mapping below must stay a guard gap away; a
        // PROT_NONE one is a guard itself and may come closer.
        if let Some((_, prev)) = self.vmas.range(..start).next_back() {
            if !prev.flags.growsdown
                && prev.prot.accessible()
                && new_start - prev.end < STACK_GUARD_GAP
            {
                return None;
            }
        }
        let mut grown = self.vmas.remove(&start)?;
        grown.start = new_start;
        self.vmas.insert(new_start, grown.clone());
        Some(grown)
    }
}
