//! Wait statuses (Linux: the status word of wait4, and waitid's CLD_*
//! codes): `(code & 0xff) << 8` after exit, the signal number after a
//! fatal signal (with 0x80 for a core dump), `sig << 8 | 0x7f` for a stop,
//! 0xffff for a continue.

use linux_raw_sys::general::{CLD_DUMPED, CLD_EXITED, CLD_KILLED};

/// A continued child, as wait4 reports it with WCONTINUED.
pub const CONTINUED: u32 = 0xffff;

/// After exit(code).
pub fn exited(code: u64) -> u32 {
    ((code & 0xff) << 8) as u32
}

/// A child stopped by `sig`.
pub fn stopped(sig: u64) -> u32 {
    ((sig as u32) << 8) | 0x7f
}

/// waitid's si_code and si_status for a final status (Linux:
/// wait_task_zombie).
pub fn child_code(status: u32) -> (u32, i32) {
    if status & 0x7f != 0 {
        let code = if status & 0x80 != 0 {
            CLD_DUMPED
        } else {
            CLD_KILLED
        };
        (code, (status & 0x7f) as i32)
    } else {
        (CLD_EXITED, ((status >> 8) & 0xff) as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(exited(3), 0x300);
        assert_eq!(exited(300), 0x2c00);
        assert_eq!(stopped(19), 0x137f);
        assert_eq!(child_code(0x300), (CLD_EXITED, 3));
        assert_eq!(child_code(9), (CLD_KILLED, 9));
        assert_eq!(child_code(0x8b), (CLD_DUMPED, 11));
    }
}
