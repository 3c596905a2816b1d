//! sigaltstack(2) (Linux: kernel/signal.c do_sigaltstack): read and set the
//! calling thread's alternate signal stack; the rules are crates/signal's
//! AltStack, the frames that use it frame.rs.

use ::signal::AltStack;
use linux_raw_sys::general::MINSIGSTKSZ;

use crate::kernel::sys::err;
use crate::kernel::task::with_current;
use crate::mm::uaccess;
use linux_raw_sys::errno::EFAULT;

/// `sp` is the caller's stack pointer: changes are refused while it runs
/// on the alternate stack.
pub fn sys_sigaltstack(uss: u64, uoss: u64, sp: u64) -> i64 {
    let new = if uss != 0 {
        let mut raw = [0u8; 24];
        if uaccess::copy_from_user(&mut raw, uss).is_err() {
            return err(EFAULT);
        }
        Some(AltStack::from_bytes(&raw))
    } else {
        None
    };
    let (old, set) = with_current(|t| {
        let ss = &mut t.signals.altstack;
        let old = ss.report(sp);
        (
            old,
            new.map_or(Ok(()), |n| ss.set(n, sp, MINSIGSTKSZ as u64)),
        )
    });
    if let Err(e) = set {
        return err(e);
    }
    if uoss != 0 && uaccess::copy_to_user(uoss, &old.to_bytes()).is_err() {
        return err(EFAULT);
    }
    0
}
