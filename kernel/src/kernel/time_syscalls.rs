//! The time system calls (Linux: kernel/time/posix-timers.c, time.c,
//! hrtimer.c): clock_gettime, gettimeofday, time, nanosleep and
//! clock_nanosleep.
//!
//! CLOCK_MONOTONIC is the kernel's clock (the TSC, driven by the tick);
//! CLOCK_REALTIME adds the wall-clock time the CMOS clock gave at boot.
//! A sleeper is woken by the first timer tick at or after its deadline,
//! so a sleep lasts at least what was asked, rounded up to the 4 ms tick.

use core::sync::atomic::{AtomicU64, Ordering};

use linux_raw_sys::errno::{EFAULT, EINVAL, EPERM};

use crate::kernel::sched::cputime;
use crate::kernel::sys::err;
use crate::kernel::task::with_current;
use crate::kernel::time::ktime_get_ns;
use crate::kernel::{sched, signal};
use crate::mm::uaccess;
use crate::pr_info;

const NSEC_PER_SEC: u64 = 1_000_000_000;

pub const CLOCK_REALTIME: u64 = 0;
pub const CLOCK_MONOTONIC: u64 = 1;
const CLOCK_PROCESS_CPUTIME_ID: u64 = 2;
const CLOCK_THREAD_CPUTIME_ID: u64 = 3;
const CLOCK_MONOTONIC_RAW: u64 = 4;
const CLOCK_REALTIME_COARSE: u64 = 5;
const CLOCK_MONOTONIC_COARSE: u64 = 6;
const CLOCK_BOOTTIME: u64 = 7;

const TIMER_ABSTIME: u64 = 1;

/// Wall-clock nanoseconds at the moment the monotonic clock read 0.
static REALTIME_OFFSET_NS: AtomicU64 = AtomicU64::new(0);

/// Set the wall clock from the CMOS clock (Linux: rtc_hctosys).
pub fn init_wall_clock() {
    let (secs, d) = crate::drivers::rtc::cmos::read_time();
    let now_ns = secs * NSEC_PER_SEC;
    REALTIME_OFFSET_NS.store(now_ns.saturating_sub(ktime_get_ns()), Ordering::Relaxed);
    vfs::time::set_clock(file_time);
    pr_info!(
        "rtc_cmos: setting system clock to {:04}-{:02}-{:02}T{:02}:{:02}:{:02} UTC ({})",
        d[0],
        d[1],
        d[2],
        d[3],
        d[4],
        d[5],
        secs
    );
}

/// The wall-clock time the file layer stamps inodes with (Linux: current_time).
fn file_time() -> vfs::time::Timespec {
    let ns = clock_ns(CLOCK_REALTIME).unwrap_or(0);
    vfs::time::Timespec::new((ns / NSEC_PER_SEC) as i64, (ns % NSEC_PER_SEC) as u32)
}

/// Nanoseconds on `clock`, or None for a clock id noyau does not know.
pub fn clock_ns(clock: u64) -> Option<u64> {
    let mono = ktime_get_ns();
    match clock {
        CLOCK_REALTIME | CLOCK_REALTIME_COARSE => {
            Some(mono + REALTIME_OFFSET_NS.load(Ordering::Relaxed))
        }
        CLOCK_MONOTONIC | CLOCK_MONOTONIC_RAW | CLOCK_MONOTONIC_COARSE | CLOCK_BOOTTIME => {
            Some(mono)
        }
        CLOCK_PROCESS_CPUTIME_ID => Some(cputime::process_runtime()),
        CLOCK_THREAD_CPUTIME_ID => Some(cputime::thread_runtime()),
        _ => None,
    }
}

fn put_pair(addr: u64, a: u64, b: u64) -> i64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&b.to_le_bytes());
    match uaccess::copy_to_user(addr, &bytes) {
        Ok(()) => 0,
        Err(_) => err(EFAULT),
    }
}

/// A struct timespec from user memory, validated as Linux does.
pub fn get_timespec(addr: u64) -> Result<u64, i64> {
    let mut bytes = [0u8; 16];
    uaccess::copy_from_user(&mut bytes, addr).map_err(|_| err(EFAULT))?;
    pair_ns(&bytes, NSEC_PER_SEC)
}

/// Seconds and a fraction of `per_sec` parts (a timespec's ns, a
/// timeval's us), as ns; EINVAL for negative seconds or a fraction out of
/// [0, per_sec), as Linux's timespec64_valid and timeval_valid.
pub fn pair_ns(raw: &[u8; 16], per_sec: u64) -> Result<u64, i64> {
    let sec = i64::from_le_bytes(raw[..8].try_into().expect("8 bytes"));
    let part = i64::from_le_bytes(raw[8..].try_into().expect("8 bytes"));
    if sec < 0 || !(0..per_sec as i64).contains(&part) {
        return Err(err(EINVAL));
    }
    Ok((sec as u64)
        .saturating_mul(per_sec)
        .saturating_add(part as u64)
        .saturating_mul(NSEC_PER_SEC / per_sec))
}

pub fn sys_clock_gettime(clock: u64, tp: u64) -> i64 {
    match clock_ns(clock) {
        Some(ns) => put_pair(tp, ns / NSEC_PER_SEC, ns % NSEC_PER_SEC),
        None => err(EINVAL),
    }
}

pub fn sys_clock_getres(clock: u64, res: u64) -> i64 {
    if clock_ns(clock).is_none() {
        return err(EINVAL);
    }
    if res == 0 {
        return 0;
    }
    put_pair(res, 0, 1)
}

pub fn sys_gettimeofday(tv: u64, _tz: u64) -> i64 {
    if tv == 0 {
        return 0;
    }
    let ns = clock_ns(CLOCK_REALTIME).unwrap_or(0);
    put_pair(tv, ns / NSEC_PER_SEC, (ns % NSEC_PER_SEC) / 1000)
}

/// The first second the wall clock cannot be set to (Linux's
/// TIME_SETTOD_SEC_MAX): the last second a signed 64-bit count of ns
/// holds, less 30 years of uptime, so CLOCK_REALTIME never wraps.
const TIME_SETTOD_SEC_MAX: i64 = i64::MAX / NSEC_PER_SEC as i64 - 30 * 365 * 86400;

/// A new wall-clock time as ns since the epoch, if it is one the clock
/// may be set to (Linux: timespec64_valid_settod).
fn settod_ns(sec: i64, nsec: i64) -> Result<u64, i64> {
    if !(0..TIME_SETTOD_SEC_MAX).contains(&sec) || !(0..NSEC_PER_SEC as i64).contains(&nsec) {
        return Err(err(EINVAL));
    }
    Ok(sec as u64 * NSEC_PER_SEC + nsec as u64)
}

/// Set the wall clock to `ns` since the epoch, when given, and check the
/// time zone (Linux: do_sys_settimeofday64): only with CAP_SYS_TIME,
/// which an effective uid of 0 stands for (EPERM otherwise, even with
/// nothing to set). The wall clock may not go back before boot, where
/// the monotonic clock would read more than it (Linux: do_settimeofday64's
/// wall_to_monotonic check).
fn set_realtime(time: Option<(i64, i64)>, minuteswest: Option<i32>) -> i64 {
    let ns = match time.map(|(sec, nsec)| settod_ns(sec, nsec)).transpose() {
        Ok(ns) => ns,
        Err(e) => return e,
    };
    if !with_current(|t| crate::kernel::cred::capable(&t.cred)) {
        return err(EPERM);
    }
    if minuteswest.is_some_and(|m| !(-15 * 60..=15 * 60).contains(&m)) {
        return err(EINVAL);
    }
    if let Some(ns) = ns {
        let mono = ktime_get_ns();
        if ns < mono {
            return err(EINVAL);
        }
        REALTIME_OFFSET_NS.store(ns - mono, Ordering::Relaxed);
    }
    0
}

/// Two signed 64-bit words from user memory: a timespec or a timeval.
fn get_pair(addr: u64) -> Result<(i64, i64), i64> {
    let mut bytes = [0u8; 16];
    uaccess::copy_from_user(&mut bytes, addr).map_err(|_| err(EFAULT))?;
    let word = |i: usize| i64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
    Ok((word(0), word(8)))
}

/// clock_settime(2): only CLOCK_REALTIME can be set; Linux's order of
/// checks: the clock (EINVAL), the pointer (EFAULT), the time (EINVAL),
/// the privilege (EPERM), the time before boot (EINVAL).
pub fn sys_clock_settime(clock: u64, tp: u64) -> i64 {
    if clock != CLOCK_REALTIME {
        return err(EINVAL);
    }
    match get_pair(tp) {
        Ok(time) => set_realtime(Some(time), None),
        Err(e) => e,
    }
}

/// settimeofday(2): the time zone is obsolete, checked but not kept.
/// Linux's own order: the timeval (EFAULT, then EINVAL for microseconds
/// out of [0, 1000000)), the time zone (EFAULT), then clock_settime's
/// checks on the time in ns.
pub fn sys_settimeofday(tv: u64, tz: u64) -> i64 {
    let mut time = None;
    if tv != 0 {
        let (sec, usec) = match get_pair(tv) {
            Ok(pair) => pair,
            Err(e) => return e,
        };
        if !(0..1_000_000).contains(&usec) {
            return err(EINVAL);
        }
        time = Some((sec, usec * 1000));
    }
    let mut minuteswest = None;
    if tz != 0 {
        let mut bytes = [0u8; 8];
        if uaccess::copy_from_user(&mut bytes, tz).is_err() {
            return err(EFAULT);
        }
        minuteswest = Some(i32::from_le_bytes(bytes[..4].try_into().expect("4 bytes")));
    }
    set_realtime(time, minuteswest)
}

pub fn sys_time(tloc: u64) -> i64 {
    let secs = clock_ns(CLOCK_REALTIME).unwrap_or(0) / NSEC_PER_SEC;
    if tloc != 0 && uaccess::copy_to_user(tloc, &secs.to_le_bytes()).is_err() {
        return err(EFAULT);
    }
    secs as i64
}

/// The monotonic time at which `clock` will read `deadline_ns`.
pub fn monotonic_deadline(clock: u64, deadline_ns: u64) -> u64 {
    let now = clock_ns(clock).unwrap_or(deadline_ns);
    ktime_get_ns().saturating_add(deadline_ns.saturating_sub(now))
}

/// Sleep until `clock` reads `deadline_ns`; false if a signal came first.
fn sleep_until(clock: u64, deadline_ns: u64) -> bool {
    loop {
        let now = clock_ns(clock).unwrap_or(deadline_ns);
        if now >= deadline_ns {
            return true;
        }
        if crate::kernel::signal::signal_pending() {
            return false;
        }
        sched::sleep_until(monotonic_deadline(clock, deadline_ns));
    }
}

/// Sleep on `clock` until `deadline_ns`, relative sleeps' way: when a
/// signal comes first, the time left goes to `rem`, and the sleep resumes
/// through restart_syscall after a stop or a signal without handler
/// (Linux: hrtimer_nanosleep's restart block); a handler makes it EINTR.
fn nanosleep_until(clock: u64, deadline_ns: u64, rem: u64) -> i64 {
    if sleep_until(clock, deadline_ns) {
        return 0;
    }
    if rem != 0 {
        let left = deadline_ns.saturating_sub(clock_ns(clock).unwrap_or(deadline_ns));
        if put_pair(rem, left / NSEC_PER_SEC, left % NSEC_PER_SEC) != 0 {
            return err(EFAULT);
        }
    }
    signal::set_restart(signal::RestartBlock {
        call: restart_nanosleep,
        args: [clock, deadline_ns, rem],
    });
    -signal::ERESTART_RESTARTBLOCK
}

fn restart_nanosleep(args: [u64; 3]) -> i64 {
    nanosleep_until(args[0], args[1], args[2])
}

pub fn sys_nanosleep(req: u64, rem: u64) -> i64 {
    match get_timespec(req) {
        Ok(ns) => nanosleep_until(CLOCK_MONOTONIC, ktime_get_ns().saturating_add(ns), rem),
        Err(e) => e,
    }
}

pub fn sys_clock_nanosleep(clock: u64, flags: u64, req: u64, rem: u64) -> i64 {
    if !matches!(clock, CLOCK_REALTIME | CLOCK_MONOTONIC | CLOCK_BOOTTIME) {
        return err(EINVAL);
    }
    let ns = match get_timespec(req) {
        Ok(ns) => ns,
        Err(e) => return e,
    };
    if flags & TIMER_ABSTIME == 0 {
        let deadline = clock_ns(clock).unwrap_or(0).saturating_add(ns);
        return nanosleep_until(clock, deadline, rem);
    }
    // An absolute sleep is simply made again.
    if sleep_until(clock, ns) {
        0
    } else {
        -signal::ERESTARTNOHAND
    }
}
