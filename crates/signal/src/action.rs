//! Signal numbers, masks and default actions (Linux: the SIG_KERNEL_*_MASK
//! sets of include/linux/signal.h, and signal(7)'s table).

use linux_raw_sys::general as g;

/// Signals 1 to 64, one bit each in a mask (Linux's _NSIG on x86_64).
pub const NSIG: u64 = 64;

/// The mask bit of `sig` (1..=64).
pub const fn bit(sig: u64) -> u64 {
    1 << (sig - 1)
}

/// Signals that can be neither caught, blocked nor ignored.
pub const UNBLOCKABLE: u64 = bit(g::SIGKILL as u64) | bit(g::SIGSTOP as u64);

/// The stop signals (Linux: SIG_KERNEL_STOP_MASK).
pub const STOP_MASK: u64 = bit(g::SIGSTOP as u64)
    | bit(g::SIGTSTP as u64)
    | bit(g::SIGTTIN as u64)
    | bit(g::SIGTTOU as u64);

/// Ignored by default (Linux: SIG_KERNEL_IGNORE_MASK).
const IGNORE_MASK: u64 = bit(g::SIGCONT as u64)
    | bit(g::SIGCHLD as u64)
    | bit(g::SIGWINCH as u64)
    | bit(g::SIGURG as u64);

/// Terminate with a core dump by default (Linux: SIG_KERNEL_COREDUMP_MASK).
const COREDUMP_MASK: u64 = bit(g::SIGQUIT as u64)
    | bit(g::SIGILL as u64)
    | bit(g::SIGTRAP as u64)
    | bit(g::SIGABRT as u64)
    | bit(g::SIGFPE as u64)
    | bit(g::SIGSEGV as u64)
    | bit(g::SIGBUS as u64)
    | bit(g::SIGSYS as u64)
    | bit(g::SIGXCPU as u64)
    | bit(g::SIGXFSZ as u64);

/// What SIG_DFL does with a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    /// End the process; its status is the signal number.
    Terminate,
    /// End the process with a core dump (noyau writes none: the status
    /// is the bare signal number, as with RLIMIT_CORE 0).
    CoreDump,
    Ignore,
    /// Stop every thread of the process until SIGCONT.
    Stop,
}

/// The default action of `sig` (1..=64); real-time signals terminate.
pub fn default_action(sig: u64) -> DefaultAction {
    let b = bit(sig);
    if b & IGNORE_MASK != 0 {
        DefaultAction::Ignore
    } else if b & STOP_MASK != 0 {
        DefaultAction::Stop
    } else if b & COREDUMP_MASK != 0 {
        DefaultAction::CoreDump
    } else {
        DefaultAction::Terminate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_7_table() {
        use DefaultAction::*;
        let expect = [
            (1, Terminate),
            (2, Terminate),
            (3, CoreDump),
            (6, CoreDump),
            (9, Terminate),
            (11, CoreDump),
            (13, Terminate),
            (15, Terminate),
            (17, Ignore),
            (18, Ignore),
            (19, Stop),
            (20, Stop),
            (21, Stop),
            (22, Stop),
            (23, Ignore),
            (28, Ignore),
            (31, CoreDump),
            (34, Terminate),
            (64, Terminate),
        ];
        for (sig, action) in expect {
            assert_eq!(default_action(sig), action, "signal {sig}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(UNBLOCKABLE, (1 << 8) | (1 << 18));
        assert_eq!(STOP_MASK, 0xf << 18);
        assert_eq!(bit(64), 1 << 63);
    }
}
