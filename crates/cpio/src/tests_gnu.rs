//! Host tests of the initramfs reader on archives written by GNU cpio (`cpio -o -H newc`
//! and `-H crc`, as used to build initramfs images for Linux), checked field by field
//! against the files they came from, and an unpacker following init/initramfs.c's
//! hard-link rule. Skipped when /usr/bin/cpio is missing.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::vec::Vec;

use crate::{entries, Builder, Entry, Format, Kind, LinkKey};

/// A directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("cpio-test-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir(&path).expect("create the temporary directory");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .status()
        .expect(program);
    assert!(status.success(), "{program} {args:?} failed");
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Fills `root` with one file of each kind; device nodes only when running as root.
fn make_tree(root: &Path) -> bool {
    let file = |name: &str, data: &[u8], mode: u32| {
        fs::write(root.join(name), data).expect("write");
        chmod(&root.join(name), mode);
    };
    file("file.txt", b"hello world\n", 0o644);
    file("empty", b"", 0o600);
    file("suid", b"#!/bin/sh\n", 0o4755);
    file("sgid", b"x", 0o2711);
    file("hard1", b"linked data\n", 0o640);
    fs::hard_link(root.join("hard1"), root.join("hard2")).expect("link");
    fs::create_dir(root.join("dir")).expect("mkdir");
    file("dir/inner", b"inner\n", 0o644);
    chmod(&root.join("dir"), 0o750);
    fs::create_dir(root.join("sticky")).expect("mkdir");
    chmod(&root.join("sticky"), 0o1777);
    symlink("file.txt", root.join("link")).expect("symlink");
    run(root, "mkfifo", &["-m", "0640", "fifo"]);
    drop(UnixListener::bind(root.join("sock")).expect("bind a socket"));

    let as_root = fs::metadata(root.join("empty")).expect("stat").uid() == 0;
    if as_root {
        run(root, "mknod", &["-m", "0666", "null", "c", "1", "3"]);
        run(root, "mknod", &["-m", "0660", "loop0", "b", "7", "0"]);
    }
    as_root
}

fn gnu_cpio(root: &Path, format: &str) -> Vec<u8> {
    let script = format!("find . | cpio -o -H {format} --quiet");
    let out = Command::new("sh")
        .args(["-c", &script])
        .current_dir(root)
        .output()
        .expect("sh");
    assert!(
        out.status.success(),
        "cpio failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Linux's split of a `dev_t` into major and minor.
fn major_minor(dev: u64) -> (u32, u32) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major as u32, minor as u32)
}

fn check_against_disk(root: &Path, e: &Entry<'_>) {
    let name = e.name_str().expect("UTF-8 names");
    let path = root.join(name);
    let md = fs::symlink_metadata(&path).expect(name);
    assert_eq!(
        (e.ino(), e.mode(), e.uid(), e.gid()),
        (md.ino() as u32, md.mode(), md.uid(), md.gid()),
        "{name}"
    );
    assert_eq!(
        (e.nlink(), i64::from(e.mtime())),
        (md.nlink() as u32, md.mtime()),
        "{name}"
    );
    assert_eq!(e.dev(), major_minor(md.dev()), "{name}");

    match e.kind() {
        Kind::CharDevice | Kind::BlockDevice => assert_eq!(e.rdev(), major_minor(md.rdev())),
        Kind::Regular if e.link_key().is_some() => {
            let content = fs::read(&path).expect(name);
            assert!(e.data().is_empty() || e.data() == content, "{name}");
        }
        Kind::Regular => assert_eq!(e.data(), fs::read(&path).expect(name), "{name}"),
        Kind::Symlink => {
            let target = fs::read_link(&path).expect(name);
            assert_eq!(
                e.symlink_target(),
                Some(target.as_os_str().as_encoded_bytes())
            );
        }
        _ => assert_eq!((e.data(), e.rdev()), (&b""[..], (0, 0)), "{name}"),
    }
}

/// A minimal unpacker: paths to inode indices and inode contents, with Linux's rule for
/// hard links (remember the first path of a key; link later ones; data from any of them).
fn unpack(buf: &[u8]) -> (HashMap<Vec<u8>, usize>, Vec<Vec<u8>>) {
    let (mut paths, mut inodes) = (HashMap::new(), Vec::new());
    let mut links: HashMap<LinkKey, Vec<u8>> = HashMap::new();
    let mut archive = 0;
    for entry in entries(buf) {
        let e = entry.expect("a valid archive");
        if e.archive() != archive {
            links.clear();
            archive = e.archive();
        }
        let path = e.normalized_path().expect("a safe path").to_vec();
        let first = e.link_key().and_then(|key| {
            let first = links.get(&key).cloned();
            links.entry(key).or_insert_with(|| path.clone());
            first
        });
        let inode = match &first {
            Some(first) => paths[first],
            None => {
                inodes.push(Vec::new());
                inodes.len() - 1
            }
        };
        if !e.data().is_empty() || first.is_none() {
            inodes[inode] = e.data().to_vec();
        }
        paths.insert(path, inode);
    }
    (paths, inodes)
}

fn content<'a>(fs: &'a (HashMap<Vec<u8>, usize>, Vec<Vec<u8>>), path: &str) -> &'a [u8] {
    &fs.1[fs.0[path.as_bytes()]]
}

#[test]
fn gnu_cpio_archives_read_field_by_field() {
    if !Path::new("/usr/bin/cpio").exists() {
        eprintln!("cpio: /usr/bin/cpio is missing, GNU cpio archives not tested");
        return;
    }
    let dir = TempDir::new("fields");
    let as_root = make_tree(&dir.0);

    for format in ["newc", "crc"] {
        let buf = gnu_cpio(&dir.0, format);
        let all: Vec<_> = entries(&buf)
            .collect::<Result<_, _>>()
            .expect("GNU cpio's archive");
        let want = if format == "newc" {
            Format::Newc
        } else {
            Format::Crc
        };
        for e in &all {
            assert_eq!(e.format(), want);
            check_against_disk(&dir.0, e);
        }

        let kind_of = |name: &str| {
            all.iter()
                .find(|e| e.name() == name.as_bytes())
                .map(|e| e.kind())
        };
        let mut expected = vec![
            (".", Kind::Directory),
            ("file.txt", Kind::Regular),
            ("dir/inner", Kind::Regular),
            ("link", Kind::Symlink),
            ("fifo", Kind::Fifo),
            ("sock", Kind::Socket),
        ];
        if as_root {
            expected.extend([("null", Kind::CharDevice), ("loop0", Kind::BlockDevice)]);
        }
        for (name, kind) in expected {
            assert_eq!(kind_of(name), Some(kind), "{name} in the {format} archive");
        }
        let mode_of = |name: &str| {
            all.iter()
                .find(|e| e.name() == name.as_bytes())
                .unwrap()
                .mode()
        };
        assert_eq!((mode_of("suid"), mode_of("sgid")), (0o104755, 0o102711));
        assert_eq!((mode_of("sticky"), mode_of("dir")), (0o41777, 0o40750));

        // GNU cpio puts the data on the last of the links.
        let links: Vec<_> = all.iter().filter(|e| e.link_key().is_some()).collect();
        assert_eq!(links.len(), 2);
        assert_eq!(
            (links[0].link_key(), links[0].data()),
            (links[1].link_key(), &b""[..])
        );
        assert_eq!(links[1].data(), b"linked data\n");

        let fs = unpack(&buf);
        assert_eq!(
            fs.0[&b"hard1"[..]],
            fs.0[&b"hard2"[..]],
            "one inode for both names"
        );
        assert_eq!(content(&fs, "hard1"), b"linked data\n");
        assert_eq!(content(&fs, ""), b"", "\".\" is the root");
    }
}

#[test]
fn gnu_cpio_archives_concatenated() {
    if !Path::new("/usr/bin/cpio").exists() {
        return;
    }
    let dir = TempDir::new("concat");
    make_tree(&dir.0);
    let mut buf = gnu_cpio(&dir.0, "newc");
    let first = entries(&buf).count();
    buf.extend(gnu_cpio(&dir.0, "crc"));
    let all: Vec<_> = entries(&buf)
        .collect::<Result<_, _>>()
        .expect("two archives");
    assert_eq!(all.len(), 2 * first);
    assert!(all[..first].iter().all(|e| e.archive() == 0));
    assert!(all[first..]
        .iter()
        .all(|e| e.archive() == 1 && e.format() == Format::Crc));
    let fs = unpack(&buf);
    assert_eq!(content(&fs, "hard2"), b"linked data\n");
}

#[test]
fn the_unpacker_rule_on_builder_archives() {
    let mut b = Builder::new(Format::Newc);
    b.hard_links(&["a", "b", "c"], 0o644, b"abc")
        .file("other", 0o644, b"o");
    let mut buf = b.finish();
    // A second archive reusing inode number 1 for an unrelated pair of links.
    let mut second = Builder::new(Format::Crc);
    second.hard_links(&["x", "./y"], 0o600, b"xy");
    buf.extend(second.finish());

    let fs = unpack(&buf);
    assert_eq!(fs.1.len(), 3, "three inodes: a/b/c, other, x/y");
    for name in ["a", "b", "c"] {
        assert_eq!(content(&fs, name), b"abc");
    }
    assert_ne!(fs.0[&b"a"[..]], fs.0[&b"x"[..]]);
    assert_eq!(
        (content(&fs, "x"), content(&fs, "y")),
        (&b"xy"[..], &b"xy"[..])
    );
}
