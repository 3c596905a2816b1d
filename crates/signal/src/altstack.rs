//! The alternate signal stack (Linux: sigaltstack(2), do_sigaltstack and
//! get_sigframe's choice of stack): a region a handler with SA_ONSTACK runs
//! on, so that a handler can run when the normal stack is gone (overflowed).
//! It belongs to a thread; SS_AUTODISARM drops it while a handler runs on it.

use linux_raw_sys::errno::{EINVAL, ENOMEM, EPERM};
use linux_raw_sys::general::{SS_AUTODISARM, SS_DISABLE, SS_FLAG_BITS, SS_ONSTACK};

/// x86_64's red zone below the interrupted stack pointer, never written.
pub const RED_ZONE: u64 = 128;

/// One thread's alternate stack: Linux's sas_ss_sp, sas_ss_size and
/// sas_ss_flags; the stack grows down from `sp + size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AltStack {
    pub sp: u64,
    pub size: u64,
    pub flags: u32,
}

impl Default for AltStack {
    /// No alternate stack (Linux: sas_ss_reset).
    fn default() -> Self {
        AltStack {
            sp: 0,
            size: 0,
            flags: SS_DISABLE,
        }
    }
}

impl AltStack {
    /// `sp` is inside the region (Linux: __on_sig_stack).
    pub fn contains(&self, sp: u64) -> bool {
        sp > self.sp && sp - self.sp <= self.size
    }

    /// The code at `sp` runs on the alternate stack; never while it is
    /// armed to disarm itself (Linux: on_sig_stack).
    pub fn on_stack(&self, sp: u64) -> bool {
        self.flags & SS_AUTODISARM == 0 && self.contains(sp)
    }

    /// SS_DISABLE without a stack, SS_ONSTACK on it, else 0 (Linux:
    /// sas_ss_flags).
    pub fn flags_at(&self, sp: u64) -> u32 {
        if self.size == 0 {
            SS_DISABLE
        } else if self.on_stack(sp) {
            SS_ONSTACK
        } else {
            0
        }
    }

    /// What sigaltstack's old stack_t says to code running at `sp`.
    pub fn report(&self, sp: u64) -> AltStack {
        AltStack {
            flags: self.flags_at(sp) | (self.flags & SS_FLAG_BITS),
            ..*self
        }
    }

    /// sigaltstack's change, asked by code running at `sp`; an errno when
    /// refused. `min_size` is MINSIGSTKSZ.
    pub fn set(&mut self, new: AltStack, sp: u64, min_size: u64) -> Result<(), u32> {
        if self.on_stack(sp) {
            return Err(EPERM);
        }
        let mode = new.flags & !SS_FLAG_BITS;
        if mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK {
            return Err(EINVAL);
        }
        if *self == new {
            return Ok(());
        }
        if mode == SS_DISABLE {
            *self = AltStack {
                sp: 0,
                size: 0,
                flags: new.flags,
            };
        } else if new.size < min_size {
            return Err(ENOMEM);
        } else {
            *self = new;
        }
        Ok(())
    }

    /// Where a handler's frame goes down from, for a signal that
    /// interrupted code at `sp`: below the red zone, or from the top of the
    /// alternate stack for an SA_ONSTACK handler when there is one not in
    /// use. The flag says the frame must then fit on the alternate stack
    /// (also when the code was already on it).
    pub fn frame_top(&self, sp: u64, sa_onstack: bool) -> (u64, bool) {
        let nested = self.on_stack(sp);
        let below = sp.wrapping_sub(RED_ZONE);
        if sa_onstack && self.flags_at(below) == 0 {
            (self.sp.wrapping_add(self.size), true)
        } else {
            (below, nested)
        }
    }

    /// struct stack_t as user space lays it out: ss_sp, ss_flags (an int
    /// and padding), ss_size.
    pub fn to_bytes(&self) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[0..8].copy_from_slice(&self.sp.to_le_bytes());
        b[8..12].copy_from_slice(&self.flags.to_le_bytes());
        b[16..24].copy_from_slice(&self.size.to_le_bytes());
        b
    }

    pub fn from_bytes(b: &[u8; 24]) -> AltStack {
        let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        AltStack {
            sp: word(0),
            flags: u32::from_le_bytes(b[8..12].try_into().expect("4 bytes")),
            size: word(16),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 2048;
    const BASE: u64 = 0x10000;

    fn stack(flags: u32) -> AltStack {
        AltStack {
            sp: BASE,
            size: 0x10000,
            flags,
        }
    }

    #[test]
    fn starts_disabled() {
        let s = AltStack::default();
        assert_eq!(s.report(0x7000_0000).flags, SS_DISABLE);
        assert_eq!((s.sp, s.size), (0, 0));
    }

    #[test]
    fn errors() {
        let mut s = AltStack::default();
        let small = AltStack {
            size: MIN - 1,
            ..stack(0)
        };
        assert_eq!(s.set(small, 0, MIN), Err(ENOMEM));
        assert_eq!(s.set(stack(4), 0, MIN), Err(EINVAL));
        assert_eq!(s.set(stack(SS_DISABLE | SS_ONSTACK), 0, MIN), Err(EINVAL));
        assert_eq!(
            s.set(
                AltStack {
                    size: MIN,
                    ..stack(0)
                },
                0,
                MIN
            ),
            Ok(())
        );
        assert_eq!(s.set(stack(0), 0, MIN), Ok(()));
        // On it: no change at all, not even a repeat.
        assert_eq!(s.set(stack(0), BASE + 100, MIN), Err(EPERM));
        assert_eq!(s.set(AltStack::default(), BASE + 100, MIN), Err(EPERM));
    }

    #[test]
    fn disable_forgets_the_region() {
        let mut s = stack(0);
        let off = AltStack {
            sp: BASE,
            size: 12345,
            flags: SS_DISABLE,
        };
        assert_eq!(s.set(off, 0, MIN), Ok(()));
        assert_eq!(s, AltStack::default());
    }

    #[test]
    fn onstack_mode_reads_back_as_zero_off_the_stack() {
        let mut s = AltStack::default();
        assert_eq!(s.set(stack(SS_ONSTACK), 0, MIN), Ok(()));
        assert_eq!(s.report(0).flags, 0);
        assert_eq!(s.report(BASE + 8).flags, SS_ONSTACK);
    }

    #[test]
    fn autodisarm_is_never_on_it() {
        let s = stack(SS_AUTODISARM);
        assert!(!s.on_stack(BASE + 8));
        assert_eq!(s.report(BASE + 8).flags, SS_AUTODISARM);
    }

    #[test]
    fn frame_top() {
        let s = stack(0);
        assert_eq!(s.frame_top(0x7000_0000, true), (BASE + 0x10000, true));
        assert_eq!(s.frame_top(0x7000_0000, false), (0x7000_0000 - 128, false));
        // Nested: stays where it is, and must fit.
        assert_eq!(
            s.frame_top(BASE + 0x8000, true),
            (BASE + 0x8000 - 128, true)
        );
        assert_eq!(
            AltStack::default().frame_top(0x1000, true),
            (0x1000 - 128, false)
        );
    }

    #[test]
    fn stack_t_bytes() {
        let s = stack(SS_AUTODISARM);
        let b = s.to_bytes();
        assert_eq!(&b[8..12], &SS_AUTODISARM.to_le_bytes());
        assert_eq!(AltStack::from_bytes(&b), s);
    }
}
