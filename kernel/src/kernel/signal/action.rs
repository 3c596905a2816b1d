//! Dispositions and masks (Linux: kernel/signal.c do_sigaction,
//! sigprocmask, do_sigpending): rt_sigaction, rt_sigprocmask and
//! rt_sigpending on struct kernel_sigaction and 8-byte sigsets.

use ::signal::bit;
use linux_raw_sys::errno::{EFAULT, EINVAL};

use super::{SigAction, NSIG, SIG_DFL, SIG_IGN, UNBLOCKABLE};
use crate::kernel::sys::err;
use crate::kernel::task::{with_current, TASKS};
use crate::mm::uaccess;

/// The size of a sigset_t the kernel accepts (64 signals).
pub const SIGSET_SIZE: u64 = 8;

fn word(raw: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(raw[i * 8..i * 8 + 8].try_into().expect("8 bytes"))
}

pub fn sys_rt_sigaction(sig: u64, act: u64, oact: u64, sigsetsize: u64) -> i64 {
    if sigsetsize != SIGSET_SIZE || !(1..=NSIG).contains(&sig) {
        return err(EINVAL);
    }
    if act != 0 && bit(sig) & UNBLOCKABLE != 0 {
        return err(EINVAL);
    }
    let old = with_current(|t| t.signals.action(sig));
    if act != 0 {
        let mut raw = [0u8; 32];
        if uaccess::copy_from_user(&mut raw, act).is_err() {
            return err(EFAULT);
        }
        let new = SigAction {
            handler: word(&raw, 0),
            flags: word(&raw, 1),
            restorer: word(&raw, 2),
            mask: word(&raw, 3) & !UNBLOCKABLE,
        };
        let mut table = TASKS.lock();
        let tgid = table.current().tgid;
        table.current().signals.set_action(sig, new);
        // Ignoring a signal, explicitly or by default, discards it where it
        // is pending in the process, blocked or not, as POSIX requires.
        let ignored = new.handler == SIG_IGN
            || (new.handler == SIG_DFL
                && ::signal::default_action(sig) == ::signal::DefaultAction::Ignore);
        if ignored {
            for tid in table.threads(tgid) {
                if let Some(t) = table.tasks.get_mut(&tid) {
                    t.signals.discard(bit(sig));
                }
            }
        }
    }
    if oact != 0 {
        let mut raw = [0u8; 32];
        for (i, w) in [old.handler, old.flags, old.restorer, old.mask]
            .iter()
            .enumerate()
        {
            raw[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        if uaccess::copy_to_user(oact, &raw).is_err() {
            return err(EFAULT);
        }
    }
    0
}

pub fn sys_rt_sigprocmask(how: u64, set: u64, oset: u64, sigsetsize: u64) -> i64 {
    if sigsetsize != SIGSET_SIZE {
        return err(EINVAL);
    }
    let old = with_current(|t| t.signals.blocked);
    if set != 0 {
        let mut raw = [0u8; 8];
        if uaccess::copy_from_user(&mut raw, set).is_err() {
            return err(EFAULT);
        }
        let set = u64::from_le_bytes(raw);
        let new = match how {
            0 => old | set,
            1 => old & !set,
            2 => set,
            _ => return err(EINVAL),
        };
        with_current(|t| t.signals.blocked = new & !UNBLOCKABLE);
    }
    if oset != 0 && uaccess::copy_to_user(oset, &old.to_le_bytes()).is_err() {
        return err(EFAULT);
    }
    0
}

/// rt_sigpending(2): the signals pending while blocked.
pub fn sys_rt_sigpending(set: u64, sigsetsize: u64) -> i64 {
    if sigsetsize > SIGSET_SIZE {
        return err(EINVAL);
    }
    let p = with_current(|t| t.signals.pending() & t.signals.blocked);
    let bytes = p.to_le_bytes();
    match uaccess::copy_to_user(set, &bytes[..sigsetsize as usize]) {
        Ok(()) => 0,
        Err(_) => err(EFAULT),
    }
}

/// Read a sigset_t of `sigsetsize` bytes from user memory.
pub fn sigset_from_user(addr: u64, sigsetsize: u64) -> Result<u64, i64> {
    if sigsetsize != SIGSET_SIZE {
        return Err(err(EINVAL));
    }
    let mut raw = [0u8; 8];
    uaccess::copy_from_user(&mut raw, addr).map_err(|_| err(EFAULT))?;
    Ok(u64::from_le_bytes(raw))
}
