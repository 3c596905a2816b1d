//! The task: what the kernel knows about a running program (Linux:
//! struct task_struct, include/linux/sched.h).
//!
//! This first step has exactly one user task, init (pid 1), and no
//! scheduler: `current` is that task. The structure grows with fork,
//! the scheduler and signals.

use crate::kernel::sync::IrqSpinLock;
use crate::mm::address_space::AddressSpace;

pub struct Task {
    pub pid: u32,
    /// The program name, as Linux's comm (at most 15 bytes).
    pub comm: [u8; 16],
    pub mm: AddressSpace,
    /// Top of this task's kernel stack (direct-map address); the stack's
    /// pages stay with the task until the scheduler can free them.
    #[allow(dead_code)]
    pub kernel_stack_top: u64,
}

impl Task {
    /// A comm array as text.
    pub fn comm_str(comm: &[u8; 16]) -> &str {
        let end = comm.iter().position(|&b| b == 0).unwrap_or(comm.len());
        core::str::from_utf8(&comm[..end]).unwrap_or("?")
    }
}

static CURRENT: IrqSpinLock<Option<Task>> = IrqSpinLock::new(None);

/// Make `task` the one running on this CPU.
pub fn set_current(task: Task) {
    *CURRENT.lock() = Some(task);
}

/// Run `f` on the current task. Panics in kernel threads, which have none.
pub fn with_current<R>(f: impl FnOnce(&mut Task) -> R) -> R {
    f(CURRENT
        .lock()
        .as_mut()
        .expect("a system call without a current task"))
}

/// The comm of a file name: its last component, cut to 15 bytes.
pub fn comm_from_path(path: &str) -> [u8; 16] {
    let name = path.rsplit('/').next().unwrap_or(path).as_bytes();
    let mut comm = [0u8; 16];
    let n = name.len().min(15);
    comm[..n].copy_from_slice(&name[..n]);
    comm
}
