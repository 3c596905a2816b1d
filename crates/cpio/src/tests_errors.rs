//! Host tests of the initramfs reader on broken archives: a buffer cut at every byte, bad
//! hex digits in every header field, wrong crc checksums and malformed names. Linux's
//! init/initramfs.c stops on these with `error()`; here each is a value naming the entry.

use std::vec::Vec;

use crate::reader::align4;
use crate::{entries, Builder, Entry, Error, ErrorKind, Format, Meta, HEADER_LEN, TRAILER};

/// The archive used by the cut tests, and the offset of its trailer.
fn sample(format: Format) -> (Vec<u8>, usize) {
    let mut b = Builder::new(format);
    b.dir(".", 0o755)
        .file("bin/busybox", 0o4755, b"odd-sized data")
        .file("e", 0o644, b"");
    b.symlink("bin/sh", "busybox")
        .char_device("dev/null", 0o666, 1, 3);
    b.hard_links(&["h1", "h2"], 0o644, b"abcd");
    let trailer = b.unfinished().len();
    (b.finish(), trailer)
}

fn collect(buf: &[u8]) -> (Vec<Entry<'_>>, Option<Error<'_>>) {
    let mut ok = Vec::new();
    let mut it = entries(buf);
    for item in it.by_ref() {
        match item {
            Ok(entry) => ok.push(entry),
            Err(e) => {
                assert!(
                    it.next().is_none(),
                    "an error is yielded once, then nothing"
                );
                return (ok, Some(e));
            }
        }
    }
    (ok, None)
}

/// What reading the archive cut at `cut` must report, from the layout of the entry
/// (at `offset`, with `name_len` and `data_len`) that the cut falls in.
fn expected(offset: usize, name_len: usize, data_len: usize, cut: usize) -> Option<ErrorKind> {
    let name_end = offset + HEADER_LEN + name_len + 1;
    let data_start = align4(0, name_end).unwrap();
    if cut > offset && cut < offset + HEADER_LEN {
        Some(ErrorKind::TruncatedHeader)
    } else if cut >= offset + HEADER_LEN && cut < name_end {
        Some(ErrorKind::TruncatedName)
    } else if data_len > 0 && cut >= name_end && cut < data_start + data_len {
        Some(ErrorKind::TruncatedData)
    } else {
        None
    }
}

#[test]
fn a_cut_at_every_offset_is_an_error_or_a_clean_end() {
    for format in [Format::Newc, Format::Crc] {
        let (buf, trailer) = sample(format);
        let full = collect(&buf).0;
        let mut layout: Vec<_> = full
            .iter()
            .map(|e| (e.offset(), e.name().len(), e.data().len()))
            .collect();
        layout.push((trailer, TRAILER.len(), 0));

        for cut in 0..buf.len() {
            let (ok, err) = collect(&buf[..cut]);
            assert_eq!(
                ok[..],
                full[..ok.len()],
                "cut at {cut}: entries read are unchanged"
            );
            let (offset, name_len, data_len) = *layout
                .iter()
                .rev()
                .find(|l| l.0 <= cut)
                .expect("the first entry is at 0");
            let want = expected(offset, name_len, data_len, cut);
            assert_eq!(err.map(|e| e.kind), want, "cut at {cut}");
            if let Some(err) = err {
                assert_eq!(
                    err.offset, offset,
                    "cut at {cut}: the error names its entry"
                );
                let named = err.kind == ErrorKind::TruncatedData;
                assert_eq!(err.name.is_some(), named, "cut at {cut}");
            }
        }
    }
}

fn corrupt(buf: &[u8], at: usize, byte: u8) -> Vec<u8> {
    let mut bad = buf.to_vec();
    bad[at] = byte;
    bad
}

#[test]
fn a_bad_digit_in_every_field_names_the_field() {
    let fields = [
        "c_ino",
        "c_mode",
        "c_uid",
        "c_gid",
        "c_nlink",
        "c_mtime",
        "c_filesize",
        "c_devmajor",
        "c_devminor",
        "c_rdevmajor",
        "c_rdevminor",
        "c_namesize",
        "c_check",
    ];
    let (buf, _) = sample(Format::Newc);
    let second = collect(&buf).0[1].offset();
    for (i, field) in fields.iter().enumerate() {
        for byte in [b'g', b' ', b'-', b'+', b'x', 0, 0xff] {
            let bad = corrupt(&buf, second + 6 + 8 * i + 7, byte);
            let (ok, err) = collect(&bad);
            let err = err.expect("a bad digit is an error");
            assert_eq!(ok.len(), 1);
            assert_eq!(
                (err.kind, err.offset, err.name),
                (ErrorKind::BadHex { field }, second, None)
            );
        }
    }
}

#[test]
fn a_bad_magic_is_an_error() {
    let (buf, _) = sample(Format::Newc);
    for at in 0..6 {
        let bad = corrupt(&buf, at, b'8');
        let (ok, err) = collect(&bad);
        assert!(ok.is_empty());
        assert_eq!(
            err.map(|e| (e.kind, e.offset)),
            Some((ErrorKind::BadMagic, 0))
        );
    }
    // The old binary and "odc" formats are not read.
    let (_, err) = collect(b"070707000000000000000000000000000000000000000000000000000000000000");
    assert_eq!(err.map(|e| e.kind), Some(ErrorKind::BadMagic));
    let (_, err) = collect(b"07x");
    assert_eq!(err.map(|e| e.kind), Some(ErrorKind::BadMagic));
    let (_, err) = collect(b"0707");
    assert_eq!(err.map(|e| e.kind), Some(ErrorKind::TruncatedHeader));
}

#[test]
fn a_wrong_crc_checksum_is_an_error() {
    let (buf, _) = sample(Format::Crc);
    let busybox = collect(&buf).0[1];
    let data_at = busybox.data().as_ptr() as usize - buf.as_ptr() as usize;
    let bad = corrupt(&buf, data_at + 3, b'!');
    let (ok, err) = collect(&bad);
    let err = err.expect("checksum mismatch");
    let stored = crate::checksum(b"odd-sized data");
    let computed = stored - u32::from(b'-') + u32::from(b'!');
    assert_eq!(ok.len(), 1);
    assert_eq!(err.kind, ErrorKind::ChecksumMismatch { stored, computed });
    assert_eq!(
        (err.offset, err.name),
        (busybox.offset(), Some(&b"bin/busybox"[..]))
    );
    let text = std::format!("{err}");
    assert!(
        text.starts_with("cpio: entry \"bin/busybox\" at offset 112: checksum 0x"),
        "{text}"
    );

    // The same change in a newc archive is not noticed: newc has no checksum.
    let (buf, _) = sample(Format::Newc);
    let data_at = data_at - busybox.offset() + collect(&buf).0[1].offset();
    assert_eq!(collect(&corrupt(&buf, data_at + 3, b'!')).1, None);
}

fn one_entry(name: &[u8], namesize: u32, mode: u32, filesize: u32) -> Vec<u8> {
    let mut b = Builder::default();
    b.entry(
        name,
        &Meta {
            mode,
            ..Meta::default()
        },
        b"",
    );
    let mut buf = b.finish();
    buf[54..62].copy_from_slice(std::format!("{filesize:08x}").as_bytes());
    buf[94..102].copy_from_slice(std::format!("{namesize:08x}").as_bytes());
    buf
}

/// A malformed header: name, c_namesize, c_mode, c_filesize, the error, whether it is named.
type Case = (&'static [u8], u32, u32, u32, ErrorKind, bool);

#[test]
fn malformed_names_and_sizes() {
    let cases: [Case; 8] = [
        (b"abc", 0, 0o100644, 0, ErrorKind::NameNotTerminated, false),
        (b"abc", 3, 0o100644, 0, ErrorKind::NameNotTerminated, false),
        (b"a\0c", 4, 0o100644, 0, ErrorKind::NulInName, true),
        (
            b"abc",
            0xffff_ffff,
            0o100644,
            0,
            ErrorKind::TruncatedName,
            false,
        ),
        (
            b"abc",
            4,
            0o100644,
            0xffff_ffff,
            ErrorKind::TruncatedData,
            true,
        ),
        (
            b"abc",
            4,
            0o644,
            0,
            ErrorKind::BadFileType { mode: 0o644 },
            true,
        ),
        (
            b"abc",
            4,
            0o170644,
            0,
            ErrorKind::BadFileType { mode: 0o170644 },
            true,
        ),
        (
            b"abc",
            4,
            0o050000,
            0,
            ErrorKind::BadFileType { mode: 0o050000 },
            true,
        ),
    ];
    for (name, namesize, mode, filesize, kind, named) in cases {
        let buf = one_entry(name, namesize, mode, filesize);
        let (ok, err) = collect(&buf);
        let err = err.expect("malformed");
        assert!(ok.is_empty());
        assert_eq!(
            (err.kind, err.offset, err.name.is_some()),
            (kind, 0, named),
            "{name:?}"
        );
    }
}

#[test]
fn a_newc_check_field_is_ignored() {
    let mut b = Builder::default();
    b.file("f", 0o644, b"data");
    let mut buf = b.finish();
    buf[102..110].copy_from_slice(b"12345678");
    assert_eq!(collect(&buf).0[0].check(), 0x1234_5678);
}

#[test]
fn offsets_that_would_overflow_are_refused() {
    assert_eq!(align4(0, usize::MAX), None);
    assert_eq!(align4(usize::MAX - 6, usize::MAX - 1), None);
    assert_eq!(align4(usize::MAX - 8, usize::MAX - 1), Some(usize::MAX));
    assert_eq!(align4(1, usize::MAX - 2), Some(usize::MAX - 2));
    assert_eq!(align4(2, 5), Some(6));
    assert_eq!(align4(5, 3), None, "a position before its base");
}

#[test]
fn error_messages_name_the_entry() {
    let e = Error {
        offset: 220,
        name: Some(b"dev/\"x\"\n"),
        kind: ErrorKind::TruncatedData,
    };
    assert_eq!(
        std::format!("{e}"),
        "cpio: entry \"dev/\\\"x\\\"\\n\" at offset 220: archive ends inside file data"
    );
    let e = Error {
        offset: 0,
        name: None,
        kind: ErrorKind::BadHex { field: "c_mode" },
    };
    assert_eq!(
        std::format!("{e}"),
        "cpio: entry at offset 0: c_mode is not eight hex digits"
    );
}

#[test]
fn crc_checksums_of_other_kinds_may_be_zero() {
    let set_check = |buf: &mut Vec<u8>, check: u32| {
        buf[102..110].copy_from_slice(std::format!("{check:08x}").as_bytes());
    };
    let mut b = Builder::new(Format::Crc);
    b.symlink("s", "target");
    let mut buf = b.finish();
    let sum = crate::checksum(b"target");
    for (check, ok) in [(0, true), (sum, true), (sum + 1, false)] {
        set_check(&mut buf, check);
        let err = collect(&buf).1.map(|e| e.kind);
        let want = ErrorKind::ChecksumMismatch {
            stored: check,
            computed: sum,
        };
        assert_eq!(err, (!ok).then_some(want), "symlink with check {check:#x}");
    }

    let mut b = Builder::new(Format::Crc);
    b.file("f", 0o644, b"data");
    let mut buf = b.finish();
    set_check(&mut buf, 0);
    let computed = crate::checksum(b"data");
    let err = collect(&buf).1.map(|e| e.kind);
    assert_eq!(
        err,
        Some(ErrorKind::ChecksumMismatch {
            stored: 0,
            computed
        })
    );
}
