//! Host tests of the initramfs reader on archives made by [`Builder`]: every header field
//! read back, the crc checksum, concatenated archives as Linux's init/initramfs.c
//! accepts them, hard-link keys and path normalization.

use std::vec::Vec;

use crate::{entries, Builder, Entry, ErrorKind, Format, Kind, LinkKey, Meta, HEADER_LEN};

fn read(buf: &[u8]) -> Vec<Entry<'_>> {
    entries(buf)
        .collect::<Result<_, _>>()
        .expect("a valid archive")
}

fn every_kind(format: Format) -> Vec<u8> {
    let mut b = Builder::new(format);
    b.owner(0, 0).mtime(1_700_000_000);
    b.dir(".", 0o755)
        .dir("bin", 0o755)
        .file("bin/sh", 0o755, b"\x7fELF...");
    b.owner(1000, 100)
        .file("home/empty", 0o600, b"")
        .file("bin/su", 0o4755, b"su");
    b.dir("tmp", 0o1777)
        .dir("srv", 0o2775)
        .symlink("sbin", "bin");
    b.owner(0, 5)
        .char_device("dev/console", 0o600, 5, 1)
        .block_device("dev/vda", 0o660, 254, 0);
    b.fifo("run/fifo", 0o640).socket("run/sock", 0o755);
    b.finish()
}

#[test]
fn every_field_of_every_kind_reads_back() {
    for format in [Format::Newc, Format::Crc] {
        let buf = every_kind(format);
        let e = read(&buf);
        let names: Vec<&[u8]> = e.iter().map(|e| e.name()).collect();
        assert_eq!(names.len(), 12);
        assert_eq!(names[..3], [&b"."[..], b"bin", b"bin/sh"]);

        let sh = &e[2];
        assert_eq!(
            (sh.kind(), sh.mode(), sh.permissions()),
            (Kind::Regular, 0o100755, 0o755)
        );
        assert_eq!(
            (sh.uid(), sh.gid(), sh.nlink(), sh.mtime()),
            (0, 0, 1, 1_700_000_000)
        );
        assert_eq!((sh.ino(), sh.dev(), sh.rdev()), (3, (0, 0), (0, 0)));
        assert_eq!(
            (sh.data(), sh.format(), sh.archive()),
            (&b"\x7fELF..."[..], format, 0)
        );
        assert_eq!(sh.symlink_target(), None);
        let expected_check = if format == Format::Crc {
            crate::checksum(b"\x7fELF...")
        } else {
            0
        };
        assert_eq!(sh.check(), expected_check);

        let empty = &e[3];
        assert_eq!(
            (empty.uid(), empty.gid(), empty.data()),
            (1000, 100, &b""[..])
        );
        assert_eq!(e[4].mode(), 0o104755);
        assert_eq!(
            (e[5].kind(), e[5].mode(), e[5].nlink()),
            (Kind::Directory, 0o41777, 2)
        );
        assert_eq!(e[6].permissions(), 0o2775);
        assert_eq!(
            (e[7].kind(), e[7].mode(), e[7].symlink_target()),
            (Kind::Symlink, 0o120777, Some(&b"bin"[..]))
        );

        let console = &e[8];
        assert_eq!(
            (console.kind(), console.mode(), console.rdev()),
            (Kind::CharDevice, 0o20600, (5, 1))
        );
        assert_eq!((console.uid(), console.gid()), (0, 5));
        assert_eq!((e[9].kind(), e[9].rdev()), (Kind::BlockDevice, (254, 0)));
        assert_eq!((e[10].kind(), e[10].mode()), (Kind::Fifo, 0o10640));
        assert_eq!((e[11].kind(), e[11].mode()), (Kind::Socket, 0o140755));
    }
}

#[test]
fn offsets_point_at_headers() {
    let buf = every_kind(Format::Newc);
    for entry in read(&buf) {
        let at = &buf[entry.offset()..];
        assert_eq!(&at[..6], b"070701");
        let name_end = HEADER_LEN + entry.name().len();
        assert_eq!(&at[HEADER_LEN..name_end], entry.name());
        assert_eq!(entry.offset() % 4, 0);
    }
}

#[test]
fn full_header_fields_from_entry() {
    let meta = Meta {
        ino: 0xdead_beef,
        mode: 0o100644,
        uid: u32::MAX,
        gid: 7,
        nlink: 3,
        mtime: 0xffff_ffff,
        dev_major: 8,
        dev_minor: 17,
        rdev_major: 0xabc,
        rdev_minor: 0x12345,
    };
    let mut b = Builder::new(Format::Crc);
    b.entry("x", &meta, &[0xff; 9]);
    let buf = b.finish();
    let e = read(&buf);
    let x = &e[0];
    assert_eq!(
        (x.ino(), x.mode(), x.uid(), x.gid()),
        (0xdead_beef, 0o100644, u32::MAX, 7)
    );
    assert_eq!(
        (x.nlink(), x.mtime(), x.dev(), x.rdev()),
        (3, u32::MAX, (8, 17), (0xabc, 0x12345))
    );
    assert_eq!((x.data().len(), x.check()), (9, 9 * 0xff));
}

#[test]
fn upper_case_hex_is_accepted() {
    let mut b = Builder::new(Format::Newc);
    b.entry(
        "f",
        &Meta {
            ino: 0xabcdef,
            mode: 0o100644,
            ..Meta::default()
        },
        b"",
    );
    let mut buf = b.finish();
    buf[..HEADER_LEN].make_ascii_uppercase();
    assert_eq!(read(&buf)[0].ino(), 0xabcdef);
}

#[test]
fn hard_links_share_a_key_and_the_last_has_the_data() {
    let mut b = Builder::new(Format::Newc);
    b.dir("d", 0o755)
        .hard_links(&["a", "d/b", "c"], 0o644, b"shared")
        .symlink("s", "a");
    let buf = b.finish();
    let e = read(&buf);
    let key = LinkKey {
        dev_major: 0,
        dev_minor: 0,
        ino: 2,
        kind: Kind::Regular,
    };
    for (i, entry) in e[1..4].iter().enumerate() {
        assert_eq!((entry.link_key(), entry.nlink()), (Some(key), 3));
        assert_eq!(entry.data(), if i == 2 { &b"shared"[..] } else { b"" });
    }
    assert_eq!(e[0].link_key(), None, "directories are never hard-linked");
    assert_eq!(e[4].link_key(), None);
}

#[test]
fn concatenated_archives_with_nul_padding() {
    for gap in [0usize, 1, 3, 4, 512] {
        let mut buf = std::vec![0u8; 8];
        let mut first = Builder::default();
        first.file("a", 0o644, b"1");
        buf.extend(first.finish());
        buf.resize(buf.len() + gap, 0);
        let mut second = Builder::new(Format::Crc);
        second.file("b", 0o644, b"22").file("c", 0o644, b"333");
        buf.extend(second.finish());
        buf.resize(buf.len() + 100, 0);

        let e = read(&buf);
        let got: Vec<_> = e
            .iter()
            .map(|e| (e.name(), e.data(), e.archive()))
            .collect();
        assert_eq!(
            got,
            [
                (&b"a"[..], &b"1"[..], 0),
                (b"b", b"22", 1),
                (b"c", b"333", 1)
            ]
        );
        assert_eq!(e[0].offset(), 8);
    }
}

#[test]
fn an_archive_may_end_without_trailer() {
    let mut b = Builder::default();
    b.file("a", 0o644, b"abc").dir("d", 0o700);
    let e = read(b.unfinished());
    assert_eq!(e.len(), 2);
    assert_eq!(e[1].kind(), Kind::Directory);
}

#[test]
fn empty_inputs_have_no_entries() {
    assert!(entries(b"").next().is_none());
    assert!(entries(&[0; 1000]).next().is_none());
    assert!(entries(&Builder::default().finish()).next().is_none());
}

#[test]
fn garbage_after_a_trailer_is_bad_magic() {
    let mut buf = Builder::default().finish();
    let at = buf.len() + 4;
    buf.extend([0, 0, 0, 0, b'x', b'y']);
    let mut it = entries(&buf);
    let err = it.next().expect("an item").expect_err("garbage");
    assert_eq!(
        (err.kind, err.offset, err.name),
        (ErrorKind::BadMagic, at, None)
    );
    assert!(it.next().is_none(), "the iterator stops after an error");
}

#[test]
fn normalized_paths() {
    let ok = [
        ("./bin/sh", "bin/sh"),
        ("/bin/sh", "bin/sh"),
        ("bin/sh", "bin/sh"),
        (".", ""),
        ("./", ""),
        ("/", ""),
        ("././/etc/", "etc"),
        ("...", "..."),
        ("..a/b..", "..a/b.."),
        ("a/./b", "a/./b"),
    ];
    for (name, path) in ok {
        let mut b = Builder::default();
        b.dir(name, 0o755);
        let buf = b.finish();
        assert_eq!(
            read(&buf)[0].normalized_path(),
            Ok(path.as_bytes()),
            "{name}"
        );
    }
    for name in ["..", "../etc", "./..", "a/../../b", "/..", "a/.."] {
        let mut b = Builder::default();
        b.file("ok", 0o644, b"").file(name, 0o644, b"");
        let buf = b.finish();
        let e = read(&buf);
        let err = e[1].normalized_path().expect_err(name);
        assert_eq!(
            (err.kind, err.name, err.offset),
            (ErrorKind::UnsafePath, Some(name.as_bytes()), e[1].offset())
        );
    }
}

#[test]
fn name_str_fails_cleanly_on_non_utf8() {
    let mut b = Builder::default();
    b.file("caf\u{e9}", 0o644, b"")
        .file(b"bad\xff\xfe", 0o644, b"");
    let buf = b.finish();
    let e = read(&buf);
    assert_eq!(e[0].name_str(), Ok("caf\u{e9}"));
    let err = e[1].name_str().expect_err("not UTF-8");
    assert_eq!(
        (err.kind, err.name),
        (ErrorKind::NameNotUtf8, Some(&b"bad\xff\xfe"[..]))
    );
    let text = std::format!("{err}");
    assert_eq!(
        text,
        std::format!(
            "cpio: entry \"bad\\xff\\xfe\" at offset {}: name is not UTF-8",
            e[1].offset()
        )
    );
}
