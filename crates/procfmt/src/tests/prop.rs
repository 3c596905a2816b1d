//! Property tests: whatever the names and numbers, the lines parse back the way
//! busybox and glibc read them.

use alloc::string::String;
use alloc::vec::Vec;
use proptest::prelude::*;

use crate::mounts::{mangle, mount_line};
use crate::pid::{stat_line, PidStat};

/// What getmntent does to a field: `\ooo` back to its byte.
fn unmangle(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 4 <= b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

proptest! {
    #[test]
    fn mount_lines_split_into_six_fields_that_unmangle(
        source in proptest::collection::vec(0x20u8..0x7f, 1..20),
        point in proptest::collection::vec(
            prop_oneof![Just(b' '), Just(b'\t'), Just(b'\\'), 0x21u8..0x7f],
            1..30,
        ),
        flags in any::<u32>(),
    ) {
        let mut line = String::new();
        mount_line(&mut line, &source, &point, "tmpfs", flags, "");
        prop_assert!(line.ends_with(" 0 0\n"));
        let fields: Vec<&str> = line.trim_end().split(' ').collect();
        prop_assert_eq!(fields.len(), 6);
        prop_assert_eq!(unmangle(fields[0]), source);
        prop_assert_eq!(unmangle(fields[1]), point);
    }

    #[test]
    fn mangled_text_has_no_separators(s in proptest::collection::vec(0u8..0x80, 0..40)) {
        let mut out = String::new();
        mangle(&mut out, &s);
        prop_assert!(!out.contains([' ', '\t', '\n']));
        prop_assert_eq!(unmangle(&out), s);
    }

    #[test]
    fn stat_lines_have_52_fields_after_the_last_parenthesis(
        comm in "[ -~]{0,15}",
        pid in any::<u32>(),
        vsize in any::<u64>(),
        utime in any::<u64>(),
    ) {
        let s = PidStat {
            pid,
            comm: &comm,
            state: 'S',
            vsize,
            utime,
            ..PidStat::default()
        };
        let line = stat_line(&s);
        // procps and busybox find the name between the first '(' and the last ')'.
        let open = line.find('(').unwrap();
        let close = line.rfind(')').unwrap();
        prop_assert_eq!(&line[open + 1..close], comm.as_str());
        let rest: Vec<&str> = line[close + 2..].split_whitespace().collect();
        prop_assert_eq!(rest.len(), 50);
        prop_assert_eq!(rest[0], "S");
        prop_assert_eq!(rest[11].parse::<u64>().unwrap(), utime);
        prop_assert_eq!(rest[20].parse::<u64>().unwrap(), vsize);
    }
}
