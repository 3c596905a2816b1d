//! Timekeeping: the monotonic clock and jiffies
//! (Linux: kernel/time/timekeeping.c, kernel/time/jiffies.c).
//!
//! As on Linux, the periodic tick drives the clock: each tick adds the
//! clocksource cycles since the previous tick to the clock's base, and
//! readers add the few cycles since the last tick. The clocksource is the
//! TSC, calibrated against the PIT at boot; until then the clock reads 0,
//! which is why the first boot messages show [    0.000000].
//! A sequence count lets readers on any CPU see a consistent pair.
//!
//! jiffies follow the clock, not the count of interrupts: a tick that comes
//! late (a busy host can delay a whole period under emulation) advances
//! jiffies by every period that has passed, as Linux's
//! tick_do_update_jiffies64 does.

use core::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};

use crate::arch::tsc;

/// Ticks per second (Debian's CONFIG_HZ).
pub const HZ: u64 = 250;

/// Nanoseconds in one tick period.
pub const TICK_NSEC: u64 = 1_000_000_000 / HZ;

static JIFFIES: AtomicU64 = AtomicU64::new(0);
/// Clock time of the tick that last advanced jiffies; NO_TICK_YET until
/// the first tick after the clock starts, which sets the phase.
static LAST_JIFFIES_NS: AtomicU64 = AtomicU64::new(NO_TICK_YET);
const NO_TICK_YET: u64 = u64::MAX;

static TK_SEQ: AtomicU32 = AtomicU32::new(0);
static TK_CYCLE_LAST: AtomicU64 = AtomicU64::new(0);
static TK_BASE_NS: AtomicU64 = AtomicU64::new(0);
/// ns = cycles * TK_MULT >> 32; 0 until the clocksource is calibrated.
static TK_MULT: AtomicU64 = AtomicU64::new(0);

fn cycles_to_ns(cycles: u64, mult: u64) -> u64 {
    ((cycles as u128 * mult as u128) >> 32) as u64
}

/// Start the clock at 0 with a TSC of `khz` kHz.
pub fn init_clocksource(khz: u64) {
    let mult = ((1_000_000u128 << 32) / khz.max(1) as u128) as u64;
    TK_CYCLE_LAST.store(tsc::rdtsc(), Ordering::Relaxed);
    TK_BASE_NS.store(0, Ordering::Relaxed);
    LAST_JIFFIES_NS.store(NO_TICK_YET, Ordering::Relaxed);
    TK_MULT.store(mult, Ordering::Release);
}

/// Nanoseconds since the clock started (Linux: ktime_get_ns).
pub fn ktime_get_ns() -> u64 {
    let mult = TK_MULT.load(Ordering::Acquire);
    if mult == 0 {
        return 0;
    }
    loop {
        let seq = TK_SEQ.load(Ordering::Acquire);
        if seq & 1 != 0 {
            core::hint::spin_loop();
            continue;
        }
        let last = TK_CYCLE_LAST.load(Ordering::Relaxed);
        let base = TK_BASE_NS.load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        if TK_SEQ.load(Ordering::Relaxed) == seq {
            return base + cycles_to_ns(tsc::rdtsc().saturating_sub(last), mult);
        }
    }
}

/// The periodic tick, from the timer interrupt on the boot CPU.
pub fn tick() {
    let mult = TK_MULT.load(Ordering::Relaxed);
    if mult == 0 {
        JIFFIES.fetch_add(1, Ordering::Relaxed);
        return;
    }
    TK_SEQ.fetch_add(1, Ordering::AcqRel);
    let now = tsc::rdtsc();
    let last = TK_CYCLE_LAST.load(Ordering::Relaxed);
    let base = TK_BASE_NS.load(Ordering::Relaxed) + cycles_to_ns(now.saturating_sub(last), mult);
    TK_BASE_NS.store(base, Ordering::Relaxed);
    TK_CYCLE_LAST.store(now, Ordering::Relaxed);
    TK_SEQ.fetch_add(1, Ordering::Release);

    // Ticks come one period apart, give or take the jitter of interrupt
    // delivery: round to the nearest whole number of periods.
    let last = LAST_JIFFIES_NS.load(Ordering::Relaxed);
    if last == NO_TICK_YET {
        LAST_JIFFIES_NS.store(base, Ordering::Relaxed);
        JIFFIES.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let periods = (base.saturating_sub(last) + TICK_NSEC / 2) / TICK_NSEC;
    if periods > 0 {
        LAST_JIFFIES_NS.store(last + periods * TICK_NSEC, Ordering::Relaxed);
        JIFFIES.fetch_add(periods, Ordering::Relaxed);
    }
}

/// The jiffies counter's address, for the register self-tests' asm loops.
pub fn jiffies_ptr() -> *const u64 {
    JIFFIES.as_ptr()
}

pub fn jiffies() -> u64 {
    JIFFIES.load(Ordering::Relaxed)
}

/// Spin for `ns` nanoseconds; works with interrupts off (Linux: ndelay).
pub fn busy_wait_ns(ns: u64) {
    let end = ktime_get_ns() + ns;
    while ktime_get_ns() < end {
        core::hint::spin_loop();
    }
}

/// Sleep until `ticks` timer ticks have passed, halting between them.
/// Interrupts must be enabled.
pub fn sleep_ticks(ticks: u64) {
    let end = jiffies() + ticks;
    while jiffies() < end {
        crate::kernel::sched::yield_or_idle();
    }
}

/// Wait for the next tick, so that a following sleep starts on its edge.
pub fn align_to_tick() {
    sleep_ticks(1);
}

pub fn msecs_to_jiffies(ms: u64) -> u64 {
    ms.div_ceil(1000 / HZ)
}
