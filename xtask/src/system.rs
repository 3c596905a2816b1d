//! The default system that `cargo xtask run` boots: a small Linux-like root
//! filesystem around Debian's busybox-static, as an initramfs. busybox init
//! is /init; /etc/inittab runs /etc/init.d/rcS (mounts proc, sysfs and
//! devtmpfs, and links /dev/fd, stdin, stdout and stderr to /proc/self/fd as
//! udev does) and then a root login shell on the serial terminal through
//! cttyhack, so that it has job control. Users root (no password), alice
//! and bob (passwords alice and bob) live in /etc/passwd, group and shadow.
//! noyau's own test programs (user/tests, user/rust) are in /usr/bin, so
//! that what the boot tests show can be run again by hand.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use cpio::{Builder, Format, Meta};

use crate::build::write_if_changed;
use crate::initramfs::{BLOCK_DEVICES, BUSYBOX, CHAR_DEVICES};
use crate::paths;
use crate::user::{Kind, Program};

/// The name `--init` and scenarios use for this image.
pub const NAME: &str = "system";

const DIRS: &[(&str, u32)] = &[
    ("bin", 0o755),
    ("dev", 0o755),
    ("etc", 0o755),
    ("etc/init.d", 0o755),
    ("home", 0o755),
    ("lib", 0o755),
    ("lib/modules", 0o755),
    ("proc", 0o755),
    ("root", 0o700),
    ("run", 0o755),
    ("sbin", 0o755),
    ("sys", 0o755),
    ("tmp", 0o1777),
    ("usr", 0o755),
    ("usr/bin", 0o755),
    ("usr/sbin", 0o755),
    ("var", 0o755),
];

/// (name, uid, full name, password hash: SHA-512 crypt, "" for none).
const USERS: &[(&str, u32, &str, &str)] = &[
    ("root", 0, "root", ""),
    (
        "alice",
        1000,
        "Alice",
        concat!(
            "$6$noyaualice$YqMEXU4GqI2DehWVKpghpvt7Gpc1u4aYD0MtaYUlRSjlDBjhkg5UN65IH93FH",
            "IsY7.1WH5bDh3ePEUydWv8hq0"
        ),
    ),
    (
        "bob",
        1001,
        "Bob",
        concat!(
            "$6$noyaubob$RnEZN6log4SB6Hc5dYQKb9dOUkYEjGRUgRxHgcvJuQwcJ7SHFJY028CCFlnMZoa",
            "W3dC8UWCaK6qNI81W5OBz1."
        ),
    ),
];

const INITTAB: &str = "\
::sysinit:/etc/init.d/rcS
::respawn:/bin/cttyhack /bin/sh -l
::ctrlaltdel:/bin/reboot
::shutdown:/bin/umount -a -r
";

const RCS: &str = "\
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
grep -q ' /dev ' /proc/mounts || mount -t devtmpfs devtmpfs /dev
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
[ -x /etc/init.d/modules ] && /etc/init.d/modules
hostname -F /etc/hostname
cat /etc/motd
";

const MOTD: &str = "\
Welcome to noyau, a teaching kernel for x86_64 that speaks Linux's ABI.
Things to try: ls -l /dev; cat /proc/meminfo /proc/devices; ps; free;
dmesg | tail; sleep 30 then Ctrl-Z, jobs, fg, Ctrl-C; vi /tmp/notes;
su alice (password alice); noyau's test programs are in /usr/bin
(threads, diff_pipe, bench --ms 100 null_syscall ...; hello, signals and
forkleak are written to be init, and end the session). poweroff ends it too.
";

const PROFILE: &str = "\
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PS1='\\u@\\h:\\w\\$ '
";

/// The applets of busybox, each with its path (`usr/bin/awk`), as
/// `busybox --list-full` gives them.
fn applets() -> Result<Vec<String>> {
    let out = Command::new(BUSYBOX)
        .arg("--list-full")
        .output()
        .with_context(|| format!("running {BUSYBOX} --list-full"))?;
    if !out.status.success() {
        bail!("{BUSYBOX} --list-full failed: {}", out.status);
    }
    let text = String::from_utf8(out.stdout).context("busybox's applet list")?;
    Ok(text
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect())
}

/// The archive: its bytes depend on busybox, noyau's `programs` (name,
/// executable) and this file only.
pub fn image(busybox: &[u8], applets: &[String], programs: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut a = Builder::new(Format::Newc);
    a.owner(0, 0).mtime(0);
    for (dir, perm) in DIRS {
        a.dir(dir, *perm);
    }
    for &(path, perm, major, minor) in CHAR_DEVICES {
        a.char_device(path, perm, major, minor);
    }
    for &(path, perm, major, minor) in BLOCK_DEVICES {
        a.block_device(path, perm, major, minor);
    }
    a.file("bin/busybox", 0o755, busybox);
    for path in applets.iter().filter(|p| *p != "bin/busybox") {
        let depth = path.matches('/').count();
        a.symlink(path, format!("{}bin/busybox", "../".repeat(depth)));
    }
    a.symlink("init", "bin/busybox");
    for (name, data) in programs {
        a.file(format!("usr/bin/{name}"), 0o755, data);
    }

    let passwd: String = USERS
        .iter()
        .map(|(name, uid, gecos, _)| {
            let home = if *uid == 0 {
                "/root".to_string()
            } else {
                format!("/home/{name}")
            };
            format!("{name}:x:{uid}:{uid}:{gecos}:{home}:/bin/sh\n")
        })
        .collect();
    let group: String = USERS
        .iter()
        .map(|(name, uid, _, _)| format!("{name}:x:{uid}:\n"))
        .collect();
    let shadow: String = USERS
        .iter()
        .map(|(name, _, _, hash)| format!("{name}:{hash}:19700:0:99999:7:::\n"))
        .collect();
    a.file("etc/passwd", 0o644, passwd.as_bytes());
    a.file("etc/group", 0o644, group.as_bytes());
    a.file("etc/shadow", 0o600, shadow.as_bytes());
    for (name, uid, _, _) in USERS.iter().filter(|u| u.1 != 0) {
        let meta = Meta {
            ino: 100_000 + uid,
            mode: 0o040755,
            uid: *uid,
            gid: *uid,
            nlink: 2,
            ..Meta::default()
        };
        a.entry(format!("home/{name}"), &meta, &[]);
    }
    a.file("etc/inittab", 0o644, INITTAB.as_bytes());
    a.file("etc/init.d/rcS", 0o755, RCS.as_bytes());
    a.file("etc/motd", 0o644, MOTD.as_bytes());
    a.file("etc/profile", 0o644, PROFILE.as_bytes());
    a.file("etc/hostname", 0o644, b"noyau\n");
    a.finish()
}

/// The test programs among the built `programs`, read, for /usr/bin. A
/// name that is also a busybox applet would hide one of them in PATH.
fn test_programs(programs: &[Program], applets: &[String]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for program in programs.iter().filter(|p| p.kind == Kind::Test) {
        if let Some(applet) = applets
            .iter()
            .find(|a| a.rsplit('/').next() == Some(program.name.as_str()))
        {
            bail!(
                "user program {} has the name of busybox's /{applet}: rename it",
                program.name
            );
        }
        let data = std::fs::read(&program.path)
            .with_context(|| format!("reading {}", program.path.display()))?;
        out.push((program.name.clone(), data));
    }
    Ok(out)
}

/// Writes target/noyau/initramfs/system.cpio unless it holds these bytes.
pub fn ensure(programs: &[Program]) -> Result<PathBuf> {
    let busybox = std::fs::read(BUSYBOX).with_context(|| format!("reading {BUSYBOX}"))?;
    let applets = applets()?;
    let programs = test_programs(programs, &applets)?;
    let path = paths::initramfs_dir().join(format!("{NAME}.cpio"));
    write_if_changed(&path, &image(&busybox, &applets, &programs))?;
    Ok(path)
}

/// The script rcS runs when the image has it: the Linux reference runs of
/// the shell tests load the modules Debian builds as such (brd for
/// /dev/ram0, 4096 KiB as noyau's default) before the session starts, then
/// remove the module and themselves, so that both kernels show the same tree.
const MODULES: &str = "\
#!/bin/sh
insmod /lib/modules/brd.ko rd_size=4096
rm /lib/modules/brd.ko /etc/init.d/modules
";

/// A second archive for Linux, unpacked over the first one (Linux reads
/// concatenated cpio archives): Debian's brd.ko, and /etc/init.d/modules
/// to load it.
pub fn linux_extra(brd: &[u8]) -> Vec<u8> {
    let mut a = Builder::new(Format::Newc);
    a.owner(0, 0).mtime(0);
    a.file("lib/modules/brd.ko", 0o644, brd);
    a.file("etc/init.d/modules", 0o755, MODULES.as_bytes());
    a.finish()
}

/// Writes target/noyau/initramfs/system-linux.cpio: system.cpio byte for
/// byte, then `linux_extra` with the brd module of the kernel `vmlinuz`
/// (/boot/vmlinuz-VERSION, its modules in /lib/modules/VERSION).
pub fn ensure_for_linux(vmlinuz: &Path, programs: &[Program]) -> Result<PathBuf> {
    let name = vmlinuz.file_name().unwrap_or_default().to_string_lossy();
    let version = name
        .strip_prefix("vmlinuz-")
        .with_context(|| format!("{}: not a /boot/vmlinuz-VERSION", vmlinuz.display()))?;
    let brd = brd_module(&Path::new("/lib/modules").join(version))?;
    let mut bytes = std::fs::read(ensure(programs)?).context("reading system.cpio")?;
    bytes.extend_from_slice(&linux_extra(&brd));
    let path = paths::initramfs_dir().join(format!("{NAME}-linux.cpio"));
    write_if_changed(&path, &bytes)?;
    Ok(path)
}

/// brd.ko from a kernel's module tree, decompressed if Debian shipped it
/// as brd.ko.xz (busybox's insmod takes it plain).
fn brd_module(modules: &Path) -> Result<Vec<u8>> {
    let dir = modules.join("kernel/drivers/block");
    let plain = dir.join("brd.ko");
    if plain.exists() {
        return std::fs::read(&plain).with_context(|| format!("reading {}", plain.display()));
    }
    let xz = dir.join("brd.ko.xz");
    let out = Command::new("xz")
        .arg("-dc")
        .arg(&xz)
        .output()
        .with_context(|| format!("running xz -dc {}", xz.display()))?;
    if !out.status.success() {
        bail!(
            "no brd.ko in {} (xz -dc {}: {})",
            dir.display(),
            xz.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(archive: &[u8]) -> Vec<String> {
        cpio::entries(archive)
            .map(|e| e.unwrap().name_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn the_system_has_init_users_and_applet_links() {
        let applets = ["bin/sh".to_string(), "usr/bin/awk".to_string()];
        let programs = [("hello".to_string(), b"\x7fELF hello".to_vec())];
        let archive = image(b"\x7fELF", &applets, &programs);
        let names = names(&archive);
        for expected in [
            "init",
            "bin/sh",
            "usr/bin/awk",
            "etc/inittab",
            "etc/shadow",
            "home/alice",
            "usr/bin/hello",
        ] {
            assert!(names.iter().any(|n| n == expected), "{expected} missing");
        }
        let awk = cpio::entries(&archive)
            .map(|e| e.unwrap())
            .find(|e| e.name_str().unwrap() == "usr/bin/awk")
            .unwrap();
        assert_eq!(awk.data(), b"../../bin/busybox");
        let shadow = cpio::entries(&archive)
            .map(|e| e.unwrap())
            .find(|e| e.name_str().unwrap() == "etc/shadow")
            .unwrap();
        assert_eq!(shadow.permissions(), 0o600);
        assert!(std::str::from_utf8(shadow.data())
            .unwrap()
            .starts_with("root::"));
    }
}
