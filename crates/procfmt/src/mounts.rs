//! /proc/mounts, /proc/PID/mountinfo and /proc/filesystems (Linux: fs/proc_namespace.c
//! show_vfsmnt and show_mountinfo, fs/filesystems.c filesystems_proc_show).

use alloc::string::String;
use core::fmt::Write;

/// The mount(2) flags that /proc/mounts shows (linux/mount.h).
pub const MS_RDONLY: u32 = 1;
pub const MS_NOSUID: u32 = 2;
pub const MS_NODEV: u32 = 4;
pub const MS_NOEXEC: u32 = 8;
pub const MS_SYNCHRONOUS: u32 = 16;
pub const MS_DIRSYNC: u32 = 128;
pub const MS_NOATIME: u32 = 1024;
pub const MS_NODIRATIME: u32 = 2048;
pub const MS_RELATIME: u32 = 1 << 21;
pub const MS_STRICTATIME: u32 = 1 << 24;
pub const MS_LAZYTIME: u32 = 1 << 25;

/// `s` with space, tab, newline and backslash as three-digit octal escapes, as
/// seq_escape writes the fields of /proc/mounts.
pub fn mangle(out: &mut String, s: &[u8]) {
    for &b in s {
        match b {
            b' ' | b'\t' | b'\n' | b'\\' => {
                let _ = write!(out, "\\{b:03o}");
            }
            _ => out.push(b as char),
        }
    }
}

/// The options field for mount flags: "rw" or "ro", then the superblock flags, then
/// the per-mount flags, in Linux's order (show_sb_opts, show_mnt_opts).
pub fn mount_options(flags: u32) -> String {
    let mut out = String::from(if flags & MS_RDONLY != 0 { "ro" } else { "rw" });
    let named = [
        (MS_SYNCHRONOUS, ",sync"),
        (MS_DIRSYNC, ",dirsync"),
        (MS_LAZYTIME, ",lazytime"),
        (MS_NOSUID, ",nosuid"),
        (MS_NODEV, ",nodev"),
        (MS_NOEXEC, ",noexec"),
        (MS_NOATIME, ",noatime"),
        (MS_NODIRATIME, ",nodiratime"),
        (MS_RELATIME, ",relatime"),
    ];
    for (bit, name) in named {
        if flags & bit != 0 {
            out.push_str(name);
        }
    }
    out
}

/// One line of /proc/mounts: source, mountpoint, type, options (with the
/// filesystem's own options after a comma when any), then "0 0".
pub fn mount_line(
    out: &mut String,
    source: &[u8],
    mountpoint: &[u8],
    fstype: &str,
    flags: u32,
    fs_options: &str,
) {
    mangle(out, source);
    out.push(' ');
    mangle(out, mountpoint);
    out.push(' ');
    mangle(out, fstype.as_bytes());
    out.push(' ');
    out.push_str(&mount_options(flags));
    if !fs_options.is_empty() {
        out.push(',');
        out.push_str(fs_options);
    }
    out.push_str(" 0 0\n");
}

/// The per-mount part of the options (show_mnt_opts): "rw" or "ro", then nosuid,
/// nodev, noexec and the atime flags.
fn mnt_options(flags: u32) -> String {
    mount_options(flags & !(MS_SYNCHRONOUS | MS_DIRSYNC | MS_LAZYTIME))
}

/// What one line of /proc/PID/mountinfo says of a mount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MountInfo<'a> {
    pub id: u32,
    pub parent_id: u32,
    pub major: u32,
    pub minor: u32,
    /// The mount's root within its filesystem ("/" unless a bind mount).
    pub root: &'a [u8],
    pub mountpoint: &'a [u8],
    pub flags: u32,
    pub fstype: &'a str,
    pub source: &'a [u8],
    /// The filesystem's own options after its "rw" (noyau has no read-only
    /// superblocks: a read-only mount is a per-mount flag).
    pub fs_options: &'a str,
}

/// One line of /proc/PID/mountinfo (show_mountinfo); no propagation fields, as for
/// a private mount.
pub fn mountinfo_line(out: &mut String, m: &MountInfo<'_>) {
    let _ = write!(out, "{} {} {}:{} ", m.id, m.parent_id, m.major, m.minor);
    mangle(out, m.root);
    out.push(' ');
    mangle(out, m.mountpoint);
    let _ = write!(out, " {} - ", mnt_options(m.flags));
    mangle(out, m.fstype.as_bytes());
    out.push(' ');
    mangle(out, m.source);
    out.push_str(" rw");
    if !m.fs_options.is_empty() {
        out.push(',');
        out.push_str(m.fs_options);
    }
    out.push('\n');
}

/// /proc/filesystems: one line per type, "nodev" before those that need no device.
pub fn filesystems<'a>(types: impl IntoIterator<Item = (&'a str, bool)>) -> String {
    let mut out = String::new();
    for (name, nodev) in types {
        let _ = writeln!(out, "{}\t{}", if nodev { "nodev" } else { "" }, name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_as_linux_writes_them() {
        let mut s = String::new();
        mount_line(&mut s, b"rootfs", b"/", "rootfs", 0, "");
        mount_line(&mut s, b"proc", b"/proc", "proc", MS_RELATIME, "");
        let flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME;
        mount_line(&mut s, b"none", b"/mnt/a b", "tmpfs", flags, "mode=755");
        assert_eq!(
            s,
            "rootfs / rootfs rw 0 0\n\
             proc /proc proc rw,relatime 0 0\n\
             none /mnt/a\\040b tmpfs ro,nosuid,nodev,noexec,relatime,mode=755 0 0\n"
        );
    }

    #[test]
    fn mountinfo_lines_read_as_linux_writes_them() {
        let mut s = String::new();
        let m = MountInfo {
            id: 21,
            parent_id: 1,
            major: 0,
            minor: 20,
            root: b"/",
            mountpoint: b"/proc",
            flags: MS_NOSUID | MS_RELATIME,
            fstype: "proc",
            source: b"proc",
            fs_options: "",
        };
        mountinfo_line(&mut s, &m);
        let bind = MountInfo {
            id: 3,
            root: b"/tmp/a b",
            mountpoint: b"/mnt",
            flags: MS_RDONLY,
            fstype: "devtmpfs",
            source: b"devtmpfs",
            fs_options: "mode=755",
            ..m
        };
        mountinfo_line(&mut s, &bind);
        assert_eq!(
            s,
            "21 1 0:20 / /proc rw,nosuid,relatime - proc proc rw\n\
             3 1 0:20 /tmp/a\\040b /mnt ro - devtmpfs devtmpfs rw,mode=755\n"
        );
    }

    #[test]
    fn escapes_are_octal() {
        let mut s = String::new();
        mangle(&mut s, b"a\tb\nc\\d");
        assert_eq!(s, "a\\011b\\012c\\134d");
    }

    #[test]
    fn filesystems_mark_nodev() {
        let text = filesystems([("sysfs", true), ("ext2", false)]);
        assert_eq!(text, "nodev\tsysfs\n\text2\n");
    }
}
