//! Spinlocks that are safe on SMP and against interrupts
//! (Linux: spin_lock_irqsave / spin_unlock_irqrestore).
//!
//! A lock taken by both thread context and an interrupt handler deadlocks
//! if the handler interrupts the holder on the same CPU. IrqSpinLock
//! therefore disables local interrupts for as long as it is held, and puts
//! back the previous interrupt state when released.

use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, Ordering};
use x86_64::instructions::interrupts;

pub struct IrqSpinLock<T> {
    inner: spin::Mutex<T>,
}

pub struct IrqSpinLockGuard<'a, T> {
    guard: Option<spin::MutexGuard<'a, T>>,
    irqs_were_enabled: bool,
}

impl<T> IrqSpinLock<T> {
    pub const fn new(value: T) -> Self {
        Self {
            inner: spin::Mutex::new(value),
        }
    }

    pub fn lock(&self) -> IrqSpinLockGuard<'_, T> {
        let irqs_were_enabled = interrupts::are_enabled();
        interrupts::disable();
        IrqSpinLockGuard {
            guard: Some(self.inner.lock()),
            irqs_were_enabled,
        }
    }

    /// Take the lock if it is free, without waiting.
    pub fn try_lock(&self) -> Option<IrqSpinLockGuard<'_, T>> {
        let irqs_were_enabled = interrupts::are_enabled();
        interrupts::disable();
        match self.inner.try_lock() {
            Some(guard) => Some(IrqSpinLockGuard {
                guard: Some(guard),
                irqs_were_enabled,
            }),
            None => {
                if irqs_were_enabled {
                    interrupts::enable();
                }
                None
            }
        }
    }
}

impl<T> Deref for IrqSpinLockGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.guard
            .as_ref()
            .expect("IrqSpinLockGuard used after release")
    }
}

impl<T> DerefMut for IrqSpinLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.guard
            .as_mut()
            .expect("IrqSpinLockGuard used after release")
    }
}

impl<T> Drop for IrqSpinLockGuard<'_, T> {
    fn drop(&mut self) {
        // Release the lock before interrupts can come back.
        self.guard.take();
        if self.irqs_were_enabled {
            interrupts::enable();
        }
    }
}

/// The same lock as a `lock_api::RawMutex`, for library code that is
/// generic over its lock (the slab allocator). It records whether
/// interrupts were on when it was taken, and restores that on unlock.
pub struct IrqRawSpinlock {
    locked: AtomicBool,
    irqs_were_enabled: AtomicBool,
}

// SAFETY: lock() returns only once `locked` went from false to true with
// Acquire ordering, and unlock() releases it with Release ordering, so one
// holder at a time; interrupts stay off on this CPU while it is held.
unsafe impl lock_api::RawMutex for IrqRawSpinlock {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = IrqRawSpinlock {
        locked: AtomicBool::new(false),
        irqs_were_enabled: AtomicBool::new(false),
    };
    type GuardMarker = lock_api::GuardNoSend;

    fn lock(&self) {
        loop {
            if self.try_lock() {
                return;
            }
            while self.locked.load(Ordering::Relaxed) {
                core::hint::spin_loop();
            }
        }
    }

    fn try_lock(&self) -> bool {
        let were_enabled = interrupts::are_enabled();
        interrupts::disable();
        if self
            .locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            self.irqs_were_enabled
                .store(were_enabled, Ordering::Relaxed);
            return true;
        }
        if were_enabled {
            interrupts::enable();
        }
        false
    }

    unsafe fn unlock(&self) {
        let were_enabled = self.irqs_were_enabled.load(Ordering::Relaxed);
        self.locked.store(false, Ordering::Release);
        if were_enabled {
            interrupts::enable();
        }
    }
}
