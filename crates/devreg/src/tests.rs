//! The registry's rules, and a property test that lookups agree with a
//! plain table of every claimed number.

use super::*;
use alloc::vec;
use proptest::prelude::*;

#[test]
fn regions_claim_minors_and_refuse_overlaps() {
    let mut r = Registry::new();
    assert_eq!(r.register(Kind::Char, 1, 0, 256, "mem", 'm'), Ok(1));
    assert_eq!(
        r.register(Kind::Char, 1, 3, 1, "null", 'n'),
        Err(Error::Busy)
    );
    assert_eq!(r.register(Kind::Block, 1, 0, 16, "ramdisk", 'r'), Ok(1));
    assert_eq!(r.register(Kind::Char, 4, 64, 32, "ttyS", 's'), Ok(4));
    assert_eq!(r.register(Kind::Char, 4, 0, 64, "tty", 't'), Ok(4));
    assert_eq!(r.lookup(Kind::Char, 4, 64).map(|x| x.driver), Some('s'));
    assert_eq!(r.lookup(Kind::Char, 4, 63).map(|x| x.driver), Some('t'));
    assert_eq!(r.lookup(Kind::Char, 4, 96).map(|x| x.driver), None);
    assert_eq!(r.lookup(Kind::Block, 1, 3).map(|x| x.driver), Some('r'));
    assert!(r.lookup(Kind::Char, 42, 1).is_none());
}

#[test]
fn bad_ranges_are_invalid() {
    let mut r = Registry::new();
    assert_eq!(
        r.register(Kind::Char, 1, 0, 0, "x", ()),
        Err(Error::Invalid)
    );
    assert_eq!(
        r.register(Kind::Char, 512, 0, 1, "x", ()),
        Err(Error::Invalid)
    );
    assert_eq!(
        r.register(Kind::Char, 1, MINOR_MAX - 1, 2, "x", ()),
        Err(Error::Invalid)
    );
    assert_eq!(
        r.register(Kind::Char, 1, u32::MAX, 2, "x", ()),
        Err(Error::Invalid)
    );
    assert_eq!(r.register(Kind::Char, 1, 0, 1, "", ()), Err(Error::Invalid));
}

#[test]
fn major_zero_takes_dynamic_majors_from_the_top() {
    let mut r = Registry::new();
    assert_eq!(r.register(Kind::Char, 0, 0, 1, "a", ()), Ok(254));
    assert_eq!(r.register(Kind::Char, 0, 0, 1, "b", ()), Ok(253));
    assert_eq!(r.register(Kind::Block, 0, 0, 1, "c", ()), Ok(254));
    for _ in 234..=252 {
        r.register(Kind::Char, 0, 0, 1, "more", ()).unwrap();
    }
    assert_eq!(
        r.register(Kind::Char, 0, 0, 1, "full", ()),
        Err(Error::Busy)
    );
    assert_eq!(r.unregister(Kind::Char, 250, 0, 1), Some(()));
    assert_eq!(r.register(Kind::Char, 0, 0, 1, "again", ()), Ok(250));
    assert_eq!(r.unregister(Kind::Char, 250, 0, 2), None);
}

#[test]
fn proc_devices_reads_like_linux() {
    let mut r = Registry::new();
    r.register(Kind::Char, 5, 1, 1, "/dev/console", ()).unwrap();
    r.register(Kind::Char, 1, 0, 256, "mem", ()).unwrap();
    r.register(Kind::Char, 5, 0, 1, "/dev/tty", ()).unwrap();
    r.register(Kind::Char, 4, 64, 32, "ttyS", ()).unwrap();
    r.register(Kind::Block, 1, 0, 16, "ramdisk", ()).unwrap();
    r.register(Kind::Block, 1, 16, 16, "ramdisk", ()).unwrap();
    r.register(Kind::Block, 259, 0, 1, "blkext", ()).unwrap();
    assert_eq!(
        r.proc_devices(),
        "Character devices:\n  1 mem\n  4 ttyS\n  5 /dev/tty\n  5 /dev/console\n\n\
         Block devices:\n  1 ramdisk\n259 blkext\n"
    );
}

proptest! {
    /// After any sequence of claims and releases, a lookup finds a region
    /// exactly for the numbers a plain table says are claimed, and the
    /// driver is the one that claimed it.
    #[test]
    fn lookups_match_a_plain_table(
        ops in proptest::collection::vec((any::<bool>(), 0u32..4, 0u32..40, 1u32..12), 1..60),
    ) {
        let mut r = Registry::new();
        let mut table = vec![[None::<usize>; 64]; 4];
        for (i, (claim, major, first, count)) in ops.into_iter().enumerate() {
            if claim {
                let free = (first..first + count).all(|m| table[major as usize][m as usize].is_none());
                let got = r.register(Kind::Char, major + 1, first, count, "d", i);
                prop_assert_eq!(got.is_ok(), free);
                if free {
                    for m in first..first + count {
                        table[major as usize][m as usize] = Some(i);
                    }
                }
            } else if let Some(region) = r.lookup(Kind::Char, major + 1, first).cloned() {
                prop_assert!(r.unregister(Kind::Char, region.major, region.first_minor, region.count).is_some());
                for m in region.first_minor..region.first_minor + region.count {
                    table[major as usize][m as usize] = None;
                }
            }
        }
        for major in 0..4u32 {
            for minor in 0..64u32 {
                let found = r.lookup(Kind::Char, major + 1, minor).map(|x| x.driver);
                prop_assert_eq!(found, table[major as usize][minor as usize]);
            }
        }
    }
}
