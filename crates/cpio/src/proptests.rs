//! Property tests of the initramfs reader: archives of random entries read back field for
//! field, and [`fuzz_one`] given random bytes and mutated archives (what a corrupt
//! initrd handed to Linux's init/initramfs.c looks like) never panics nor reads outside.

use std::vec::Vec;

use proptest::collection::vec;
use proptest::prelude::*;

use crate::{entries, fuzz_one, Builder, Format, Kind, Meta, S_IFMT};

/// One random entry: the file-type bits, then the other header fields, name and data.
#[derive(Clone, Debug)]
struct Spec {
    meta: Meta,
    name: Vec<u8>,
    data: Vec<u8>,
}

fn spec() -> impl Strategy<Value = Spec> {
    let kinds = prop_oneof![
        Just(0o100000u32),
        Just(0o040000),
        Just(0o120000),
        Just(0o020000),
        Just(0o060000),
        Just(0o010000),
        Just(0o140000),
    ];
    let name = vec(
        any::<u8>().prop_filter("no NUL in names", |&b| b != 0),
        1..40,
    )
    .prop_filter("not the trailer", |n| n != b"TRAILER!!!");
    (
        kinds,
        0u32..0o10000,
        any::<[u32; 9]>(),
        name,
        vec(any::<u8>(), 0..300),
    )
        .prop_map(|(kind, perm, f, name, data)| Spec {
            meta: Meta {
                ino: f[0],
                mode: kind | perm,
                uid: f[1],
                gid: f[2],
                nlink: f[3],
                mtime: f[4],
                dev_major: f[5],
                dev_minor: f[6],
                rdev_major: f[7],
                rdev_minor: f[8],
            },
            name,
            data,
        })
}

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![Just(Format::Newc), Just(Format::Crc)]
}

fn build(format: Format, specs: &[Spec]) -> Vec<u8> {
    let mut b = Builder::new(format);
    for s in specs {
        b.entry(&s.name, &s.meta, &s.data);
    }
    b.finish()
}

/// Reads `buf` and checks what holds for any input: every slice an entry returns lies
/// inside the buffer, and nothing follows an error.
fn check_bounds(buf: &[u8]) {
    let range = buf.as_ptr_range();
    let inside = |s: &[u8]| {
        let r = s.as_ptr_range();
        range.start <= r.start && r.end <= range.end
    };
    let mut it = entries(buf);
    for item in it.by_ref() {
        match item {
            Ok(e) => {
                assert!(
                    inside(e.name()) && inside(e.data()),
                    "a slice outside the buffer"
                );
                assert!(e.offset() < buf.len());
            }
            Err(e) => {
                assert!(e.offset <= buf.len());
                assert!(e.name.is_none_or(inside));
                break;
            }
        }
    }
    assert!(it.next().is_none());
    fuzz_one(buf);
}

/// A random change to a valid archive.
#[derive(Clone, Debug)]
enum Mutation {
    Set(usize, u8),
    HexDigit(usize, u8),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), 0u8..16).prop_map(|(i, d)| Mutation::HexDigit(i, d)),
        (any::<usize>(), vec(any::<u8>(), 1..8)).prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..16).prop_map(|(i, n)| Mutation::Remove(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(buf: &mut Vec<u8>, m: &Mutation) {
    let len = buf.len().max(1);
    match m {
        Mutation::Set(i, b) if !buf.is_empty() => buf[i % len] = *b,
        Mutation::HexDigit(i, d) if !buf.is_empty() => {
            buf[i % len] = b"0123456789abcdef"[usize::from(*d)];
        }
        Mutation::Insert(i, v) => {
            let at = i % (buf.len() + 1);
            buf.splice(at..at, v.iter().copied());
        }
        Mutation::Remove(i, n) if !buf.is_empty() => {
            let at = i % len;
            buf.drain(at..(at + n).min(buf.len()));
        }
        Mutation::Truncate(i) => buf.truncate(i % (buf.len() + 1)),
        _ => {}
    }
}

proptest! {
    // The fuzz-like properties are cheap: run more cases than proptest's default 256.
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn random_entries_read_back(format in format(), specs in vec(spec(), 0..12)) {
        let buf = build(format, &specs);
        let read: Vec<_> = entries(&buf).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(read.len(), specs.len());
        for (e, s) in read.iter().zip(&specs) {
            let m = &s.meta;
            prop_assert_eq!((e.name(), e.data(), e.mode(), e.format()),
                (&s.name[..], &s.data[..], m.mode, format));
            prop_assert_eq!((e.ino(), e.uid(), e.gid(), e.nlink(), e.mtime()),
                (m.ino, m.uid, m.gid, m.nlink, m.mtime));
            prop_assert_eq!((e.dev(), e.rdev()),
                ((m.dev_major, m.dev_minor), (m.rdev_major, m.rdev_minor)));
            prop_assert_eq!(Some(e.kind()), Kind::from_mode(m.mode & S_IFMT));
        }
    }

    #[test]
    fn random_bytes_never_panic(buf in vec(any::<u8>(), 0..2000)) {
        check_bounds(&buf);
    }

    #[test]
    fn random_bytes_after_a_magic_never_panic(
        magic in prop_oneof![Just(b"070701"), Just(b"070702")],
        hex in vec(prop_oneof![0u8..16, Just(16u8)], 104),
        tail in vec(any::<u8>(), 0..600),
    ) {
        // Mostly hex digits, so that parsing gets past the header to names and data.
        let mut buf = magic.to_vec();
        buf.extend(hex.iter().map(|&d| b"0123456789abcdefg"[usize::from(d)]));
        buf.extend(tail);
        check_bounds(&buf);
    }

    #[test]
    fn mutated_archives_never_panic(
        format in format(),
        specs in vec(spec(), 1..6),
        mutations in vec(mutation(), 1..6),
        twice in any::<bool>(),
    ) {
        let mut buf = build(format, &specs);
        if twice {
            let again = buf.clone();
            buf.extend([0; 7]);
            buf.extend(again);
        }
        for m in &mutations {
            apply(&mut buf, m);
        }
        check_bounds(&buf);
    }
}
