//! Linux's signal rules that need no hardware (Linux: kernel/signal.c,
//! include/linux/signal.h, include/uapi/asm-generic/siginfo.h): what each
//! signal does by default, the siginfo_t a handler, rt_sigtimedwait and
//! waitid read, the set of pending signals with its queue of real-time ones, the alternate signal stack (sigaltstack), and the wait
//! statuses of wait4. The kernel keeps the tasks; the rules live here, so
//! that they are tested on the host.

#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod action;
pub mod altstack;
pub mod pending;
pub mod siginfo;
pub mod status;

pub use action::{bit, default_action, DefaultAction, NSIG, STOP_MASK, UNBLOCKABLE};
pub use altstack::AltStack;
pub use pending::{Pending, QueueFull, SIGRTMIN};
pub use siginfo::{SigFields, SigInfo};
