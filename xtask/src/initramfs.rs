//! Test initramfs images (Linux: usr/gen_init_cpio): the skeleton of a root
//! filesystem, every test program under /bin and every tool under /sbin,
//! Debian's busybox-static as /bin/busybox, and one of the programs as
//! /init, in the cpio "newc" format, written by the cpio crate's Builder.
//! The bytes depend on the programs only (owner 0:0, mtime 0, fixed order).

use std::path::PathBuf;

use anyhow::{Context, Result};
use cpio::{Builder, Format};

use crate::build::write_if_changed;
use crate::paths;
use crate::user::{self, Program};

/// The directories of the root, with their permissions (/tmp is sticky and
/// world-writable, as on Linux).
const DIRS: &[(&str, u32)] = &[
    ("bin", 0o755),
    ("dev", 0o755),
    ("etc", 0o755),
    ("proc", 0o755),
    ("sbin", 0o755),
    ("sys", 0o755),
    ("tmp", 0o1777),
];

/// The device nodes, with devtmpfs's modes until noyau mounts devtmpfs:
/// /dev/console (5,1), which the kernel opens as the standard input, output
/// and error of /init (Linux: console_on_rootfs), the memory devices, the
/// controlling tty, the first serial port and the first RAM disk.
pub const CHAR_DEVICES: &[(&str, u32, u32, u32)] = &[
    ("dev/console", 0o600, 5, 1),
    ("dev/tty", 0o666, 5, 0),
    ("dev/null", 0o666, 1, 3),
    ("dev/zero", 0o666, 1, 5),
    ("dev/full", 0o666, 1, 7),
    ("dev/random", 0o666, 1, 8),
    ("dev/urandom", 0o666, 1, 9),
    ("dev/kmsg", 0o644, 1, 11),
    ("dev/ttyS0", 0o600, 4, 64),
];
pub const BLOCK_DEVICES: &[(&str, u32, u32, u32)] = &[("dev/ram0", 0o600, 1, 0)];

/// Debian's busybox-static (one of the packages xtask installs): the
/// unmodified Linux program noyau's boot tests run.
pub const BUSYBOX: &str = "/bin/busybox";

/// Links in /bin to busybox for the everyday applets, as `busybox
/// --install -s` would make them, so that a shell finds `ls` by its name.
const BUSYBOX_APPLETS: &[&str] = &[
    "sh", "ls", "cat", "echo", "mkdir", "rmdir", "rm", "pwd", "env", "true", "false", "sleep",
    "uname", "stat", "touch", "ln", "cp", "mv", "head", "tail", "wc", "grep", "sed", "sort", "id",
    "date", "dmesg", "printf", "test", "[", "kill", "clear", "find", "xargs", "yes", "mknod", "dd",
    "mount", "umount", "ps", "top", "free", "uptime", "df", "readlink", "cut", "tr",
];

/// The archive for `programs` (path in the image, such as `bin/hello`, and
/// executable), with `init` as /init. Paths are stored without a leading
/// `/`, as gen_init_cpio stores them.
pub fn image(programs: &[(&str, &[u8])], init: &[u8]) -> Vec<u8> {
    let mut archive = Builder::new(Format::Newc);
    archive.owner(0, 0).mtime(0);
    for (dir, perm) in DIRS {
        archive.dir(dir, *perm);
    }
    for &(path, perm, major, minor) in CHAR_DEVICES {
        archive.char_device(path, perm, major, minor);
    }
    for &(path, perm, major, minor) in BLOCK_DEVICES {
        archive.block_device(path, perm, major, minor);
    }
    for (path, data) in programs {
        archive.file(path, 0o755, data);
    }
    if programs.iter().any(|(path, _)| *path == "bin/busybox") {
        for applet in BUSYBOX_APPLETS {
            archive.symlink(format!("bin/{applet}"), "busybox");
        }
    }
    archive.file("init", 0o755, init);
    archive.finish()
}

/// Writes target/noyau/initramfs/<init>.cpio from the built `programs`
/// unless it already holds those bytes; returns its path.
pub fn ensure(programs: &[Program], init: &str) -> Result<PathBuf> {
    if init == crate::system::NAME {
        return crate::system::ensure(programs);
    }
    let chosen = user::find(programs, init)?;
    let mut contents = Vec::new();
    for program in programs {
        let data = std::fs::read(&program.path)
            .with_context(|| format!("reading {}", program.path.display()))?;
        contents.push((program.install_path(), data));
    }
    let init_data = contents
        .iter()
        .find(|(path, _)| *path == chosen.install_path())
        .map(|(_, data)| data.as_slice())
        .context("the program chosen as /init was read with the others")?;
    let busybox = std::fs::read(BUSYBOX).with_context(|| format!("reading {BUSYBOX}"))?;
    let mut listed: Vec<(&str, &[u8])> = contents
        .iter()
        .map(|(path, data)| (path.as_str(), data.as_slice()))
        .collect();
    listed.push(("bin/busybox", &busybox));

    let path = paths::initramfs_dir().join(format!("{init}.cpio"));
    write_if_changed(&path, &image(&listed, init_data))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use cpio::entries;

    use super::*;

    /// Each entry as one line (kind, permissions, owner, mtime, device,
    /// name) and its data.
    fn list(archive: &[u8]) -> Vec<(String, &[u8])> {
        entries(archive).map(|entry| line(entry.unwrap())).collect()
    }

    fn line(e: cpio::Entry<'_>) -> (String, &[u8]) {
        let (major, minor) = e.rdev();
        let name = e.name_str().unwrap();
        let owner = format!("{}:{} {}", e.uid(), e.gid(), e.mtime());
        let kind = format!("{:?}", e.kind());
        let line = format!(
            "{kind} {:o} {owner} {major},{minor} {name}",
            e.permissions()
        );
        (line, e.data())
    }

    #[test]
    fn the_image_holds_the_root_skeleton_the_programs_and_init() {
        let programs: [(&str, &[u8]); 3] = [
            ("bin/fault", b"\x7fELF 1"),
            ("bin/hello", b"\x7fELF 2"),
            ("sbin/runner", b"\x7fELF 3"),
        ];
        let archive = image(&programs, programs[1].1);
        let listed = list(&archive);
        let lines: Vec<_> = listed.iter().map(|(line, _)| line.as_str()).collect();
        assert_eq!(
            lines,
            [
                "Directory 755 0:0 0 0,0 bin",
                "Directory 755 0:0 0 0,0 dev",
                "Directory 755 0:0 0 0,0 etc",
                "Directory 755 0:0 0 0,0 proc",
                "Directory 755 0:0 0 0,0 sbin",
                "Directory 755 0:0 0 0,0 sys",
                "Directory 1777 0:0 0 0,0 tmp",
                "CharDevice 600 0:0 0 5,1 dev/console",
                "CharDevice 666 0:0 0 5,0 dev/tty",
                "CharDevice 666 0:0 0 1,3 dev/null",
                "CharDevice 666 0:0 0 1,5 dev/zero",
                "CharDevice 666 0:0 0 1,7 dev/full",
                "CharDevice 666 0:0 0 1,8 dev/random",
                "CharDevice 666 0:0 0 1,9 dev/urandom",
                "CharDevice 644 0:0 0 1,11 dev/kmsg",
                "CharDevice 600 0:0 0 4,64 dev/ttyS0",
                "BlockDevice 600 0:0 0 1,0 dev/ram0",
                "Regular 755 0:0 0 0,0 bin/fault",
                "Regular 755 0:0 0 0,0 bin/hello",
                "Regular 755 0:0 0 0,0 sbin/runner",
                "Regular 755 0:0 0 0,0 init",
            ]
        );
        let data: Vec<_> = listed.iter().map(|(_, data)| *data).collect();
        assert!(data[..17].iter().all(|d| d.is_empty()));
        assert_eq!(
            data[17..],
            [b"\x7fELF 1", b"\x7fELF 2", b"\x7fELF 3", b"\x7fELF 2"]
        );
    }

    #[test]
    fn the_image_is_newc_with_nothing_after_the_trailer() {
        let archive = image(&[("bin/hello", b"x")], b"x");
        assert!(archive.starts_with(b"070701"));
        assert!(entries(&archive).all(|e| e.unwrap().format() == Format::Newc));
        assert!(archive.len().is_multiple_of(4));
        let trailer = archive
            .windows(10)
            .rposition(|w| w == b"TRAILER!!!")
            .unwrap();
        assert!(archive[trailer + 10..].iter().all(|&b| b == 0));
    }

    #[test]
    fn the_same_programs_give_the_same_bytes() {
        let programs: [(&str, &[u8]); 2] = [("bin/hello", b"1"), ("bin/fault", b"2")];
        let a = image(&programs, b"1");
        assert_eq!(a, image(&programs, b"1"));
        assert_ne!(a, image(&programs, b"2"));
    }
}
