//! siginfo_t (Linux: struct kernel_siginfo, include/uapi/asm-generic/
//! siginfo.h): what a handler with SA_SIGINFO, rt_sigtimedwait and waitid
//! learn of a signal. On x86_64 it is 128 bytes: si_signo, si_errno and
//! si_code, then from byte 16 a union whose member depends on the signal.

use linux_raw_sys::general as g;

/// Bytes of a siginfo_t in user memory.
pub const SIGINFO_SIZE: usize = g::SI_MAX_SIZE as usize;

/// The union part of a siginfo_t.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SigFields {
    /// Nothing more (a kernel signal: SI_KERNEL).
    #[default]
    None,
    /// kill, tkill, tgkill: the sender's pid and uid.
    Kill { pid: u32, uid: u32 },
    /// SIGCHLD: the child's pid and uid, and its exit code or signal.
    Child { pid: u32, uid: u32, status: i32 },
    /// A fault (SIGSEGV, ...): the faulting address.
    Fault { addr: u64 },
    /// sigqueue (rt_sigqueueinfo, SI_QUEUE) and the POSIX timers: the
    /// sender's pid and uid and the value it passed (si_value). Of a
    /// siginfo a process queues, these fields are kept, the rest is zero.
    Queue { pid: u32, uid: u32, value: u64 },
}

/// One signal's siginfo.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigInfo {
    pub signo: u32,
    pub code: i32,
    pub fields: SigFields,
}

impl SigInfo {
    /// Sent by a process with kill (SI_USER) or tkill/tgkill (SI_TKILL):
    /// the sender's pid and real uid.
    pub fn from_process(signo: u64, code: i32, pid: u32, uid: u32) -> Self {
        SigInfo {
            signo: signo as u32,
            code,
            fields: SigFields::Kill { pid, uid },
        }
    }

    /// What rt_sigqueueinfo takes from the caller's 128 bytes for `signo`:
    /// si_code, and si_pid, si_uid and si_value of the union.
    pub fn from_user(signo: u64, b: &[u8; SIGINFO_SIZE]) -> Self {
        let word = |at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        let mut value = [0u8; 8];
        value.copy_from_slice(&b[24..32]);
        SigInfo {
            signo: signo as u32,
            code: word(8) as i32,
            fields: SigFields::Queue {
                pid: word(16),
                uid: word(20),
                value: u64::from_le_bytes(value),
            },
        }
    }

    /// Sent by the kernel itself (Linux: SEND_SIG_PRIV).
    pub fn kernel(signo: u64) -> Self {
        SigInfo {
            signo: signo as u32,
            code: g::SI_KERNEL as i32,
            fields: SigFields::None,
        }
    }

    /// SIGCHLD about child `pid` whose real uid is `uid`: `code` is a CLD_*
    /// value.
    pub fn child(code: u32, pid: u32, uid: u32, status: i32) -> Self {
        SigInfo {
            signo: g::SIGCHLD,
            code: code as i32,
            fields: SigFields::Child { pid, uid, status },
        }
    }

    /// A fault at `addr`, with its SEGV_* (or other) code.
    pub fn fault(signo: u64, code: i32, addr: u64) -> Self {
        SigInfo {
            signo: signo as u32,
            code,
            fields: SigFields::Fault { addr },
        }
    }

    /// The whole siginfo_t, as a handler or rt_sigtimedwait gets it (the
    /// rest of the 128 bytes is zero, as Linux clears it).
    pub fn to_bytes(&self) -> [u8; SIGINFO_SIZE] {
        let mut b = [0u8; SIGINFO_SIZE];
        b[0..4].copy_from_slice(&self.signo.to_le_bytes());
        b[8..12].copy_from_slice(&self.code.to_le_bytes());
        match self.fields {
            SigFields::None => {}
            SigFields::Kill { pid, uid } => {
                b[16..20].copy_from_slice(&pid.to_le_bytes());
                b[20..24].copy_from_slice(&uid.to_le_bytes());
            }
            SigFields::Child { pid, uid, status } => {
                b[16..20].copy_from_slice(&pid.to_le_bytes());
                b[20..24].copy_from_slice(&uid.to_le_bytes());
                b[24..28].copy_from_slice(&status.to_le_bytes());
            }
            SigFields::Fault { addr } => b[16..24].copy_from_slice(&addr.to_le_bytes()),
            SigFields::Queue { pid, uid, value } => {
                b[16..20].copy_from_slice(&pid.to_le_bytes());
                b[20..24].copy_from_slice(&uid.to_le_bytes());
                b[24..32].copy_from_slice(&value.to_le_bytes());
            }
        }
        b
    }

    /// The two runs of bytes waitid writes, at offsets 0 (si_signo,
    /// si_errno, si_code) and 16 (si_pid, si_uid, si_status): Linux stores
    /// those six fields one by one and leaves the rest as it was.
    pub fn waitid_runs(&self) -> [(usize, [u8; 12]); 2] {
        let all = self.to_bytes();
        let mut head = [0u8; 12];
        let mut tail = [0u8; 12];
        head.copy_from_slice(&all[0..12]);
        tail.copy_from_slice(&all[16..28]);
        [(0, head), (16, tail)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kill_layout() {
        let b = SigInfo::from_process(10, 0, 1234, 0).to_bytes();
        assert_eq!(&b[0..4], &10u32.to_le_bytes());
        assert_eq!(&b[4..12], &[0; 8]);
        assert_eq!(&b[16..20], &1234u32.to_le_bytes());
        assert!(b[20..].iter().all(|&x| x == 0));
    }

    #[test]
    fn child_layout() {
        let i = SigInfo::child(g::CLD_EXITED, 7, 1000, 3);
        let b = i.to_bytes();
        assert_eq!(&b[0..4], &17u32.to_le_bytes());
        assert_eq!(&b[8..12], &1i32.to_le_bytes());
        assert_eq!(&b[16..20], &7u32.to_le_bytes());
        assert_eq!(&b[20..24], &1000u32.to_le_bytes());
        assert_eq!(&b[24..28], &3i32.to_le_bytes());
        let runs = i.waitid_runs();
        assert_eq!(runs[0].0, 0);
        assert_eq!(&runs[0].1[0..4], &17u32.to_le_bytes());
        assert_eq!(runs[1].0, 16);
        assert_eq!(&runs[1].1[8..12], &3i32.to_le_bytes());
    }

    #[test]
    fn a_queued_siginfo_keeps_pid_uid_and_value() {
        let mut user = [0xffu8; SIGINFO_SIZE];
        user[8..12].copy_from_slice(&g::SI_QUEUE.to_le_bytes());
        user[16..20].copy_from_slice(&77u32.to_le_bytes());
        user[20..24].copy_from_slice(&1000u32.to_le_bytes());
        user[24..32].copy_from_slice(&0x1234_5678_9abc_def0u64.to_le_bytes());
        let b = SigInfo::from_user(40, &user).to_bytes();
        assert_eq!(&b[0..4], &40u32.to_le_bytes());
        assert_eq!(&b[8..12], &user[8..12]);
        assert_eq!(&b[16..32], &user[16..32]);
        assert!(b[4..8]
            .iter()
            .chain(&b[12..16])
            .chain(&b[32..])
            .all(|&x| x == 0));
    }

    #[test]
    fn fault_and_kernel_layout() {
        let b = SigInfo::fault(11, 1, 0x10).to_bytes();
        assert_eq!(&b[8..12], &1i32.to_le_bytes());
        assert_eq!(&b[16..24], &0x10u64.to_le_bytes());
        let k = SigInfo::kernel(1).to_bytes();
        assert_eq!(&k[8..12], &0x80i32.to_le_bytes());
        assert!(k[16..].iter().all(|&x| x == 0));
    }
}
