//! File times: a `timespec` (Linux's struct timespec64) and the clock the file layer
//! stamps atime, mtime and ctime from (Linux's current_time). The kernel installs its
//! wall clock once at boot with [`set_clock`]; until then, and in host tests, time is 0.

use spin::RwLock;

/// Seconds and nanoseconds since the epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timespec {
    pub sec: i64,
    pub nsec: u32,
}

impl Timespec {
    pub const fn new(sec: i64, nsec: u32) -> Timespec {
        Timespec { sec, nsec }
    }
}

static CLOCK: RwLock<Option<fn() -> Timespec>> = RwLock::new(None);

/// Installs the wall clock the file layer reads for new and changed inodes.
pub fn set_clock(clock: fn() -> Timespec) {
    *CLOCK.write() = Some(clock);
}

/// The time to stamp on an inode now.
pub fn current_time() -> Timespec {
    match *CLOCK.read() {
        Some(clock) => clock(),
        None => Timespec::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespecs_order_by_seconds_then_nanoseconds() {
        assert!(Timespec::new(1, 999) < Timespec::new(2, 0));
        assert!(Timespec::new(2, 1) > Timespec::new(2, 0));
        assert_eq!(Timespec::default(), Timespec::new(0, 0));
    }
}
