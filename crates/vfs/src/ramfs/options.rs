//! The mount options of tmpfs, as Linux's mm/shmem.c parses them (shmem_parse_options,
//! shmem_parse_one): a comma-separated list of `key` or `key=value`, where a comma
//! followed by a digit continues an mpol node list. Sizes take memparse's suffixes
//! (k, m, g, t, p, e) and `size=` also a percentage of memory.

use alloc::string::String;
use core::fmt;

use super::PAGE_SIZE;

/// Linux's BOGO_INODE_SIZE: the room an inode takes of a tmpfs's inode space.
const BOGO_INODE_SIZE: u64 = 1024;

/// What the options of one mount or remount ask for; `None` where not given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TmpfsOptions {
    /// The size limit in pages (`size=`, `nr_blocks=`); 0 is no limit.
    pub blocks: Option<u64>,
    /// The inode limit (`nr_inodes=`); 0 is no limit.
    pub inodes: Option<u64>,
    /// The permission bits of the root directory.
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// `inode64` (true) or `inode32` (false).
    pub inode64: Option<bool>,
    /// `huge=`: kept to be shown, without effect (noyau has no huge pages).
    pub huge: Option<&'static str>,
    /// `mpol=`: kept to be shown, without effect (one memory node).
    pub mpol: Option<String>,
    pub noswap: bool,
}

/// Why options are refused (EINVAL); Linux logs the text after "tmpfs: ".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamError {
    Unknown(String),
    BadValue(&'static str),
    UnexpectedValue(&'static str),
    /// A remount that cannot be done (shmem_reconfigure's messages).
    Reconfigure(&'static str),
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Unknown(key) => write!(f, "Unknown parameter '{key}'"),
            ParamError::BadValue(key) => write!(f, "Bad value for '{key}'"),
            ParamError::UnexpectedValue(key) => write!(f, "Unexpected value for '{key}'"),
            ParamError::Reconfigure(why) => f.write_str(why),
        }
    }
}

/// The generic superblock flags the VFS takes out of the text before tmpfs sees it
/// (vfs_parse_sb_flag). busybox mount turns them into mount flags itself; noyau
/// accepts them here and ignores them.
const SB_FLAGS: &[&str] = &[
    "dirsync",
    "lazytime",
    "mand",
    "ro",
    "sync",
    "async",
    "nolazytime",
    "nomand",
    "rw",
];

/// Flags that Debian's tmpfs accepts and that change nothing here.
const IGNORED_FLAGS: &[&str] = &["quota", "usrquota", "grpquota"];

/// Sized options of Debian's tmpfs that change nothing here (quota limits).
const IGNORED_SIZES: &[&str] = &[
    "usrquota_block_hardlimit",
    "usrquota_inode_hardlimit",
    "grpquota_block_hardlimit",
    "grpquota_inode_hardlimit",
];

/// The values of `huge=` (shmem_param_enums_huge).
const HUGE: &[&str] = &["never", "always", "within_size", "advise"];

/// The modes of `mpol=` (mm/mempolicy.c policy_modes).
const MPOL_MODES: &[&str] = &[
    "default",
    "prefer",
    "bind",
    "interleave",
    "local",
    "weighted_interleave",
    "prefer (many)",
];

/// Parses the options text of a tmpfs mount; `total_pages` is the size of memory,
/// which `size=N%` is a share of.
pub fn parse_tmpfs_options(text: &[u8], total_pages: u64) -> Result<TmpfsOptions, ParamError> {
    let mut opts = TmpfsOptions::default();
    for option in split_options(text) {
        if option.is_empty() {
            continue;
        }
        let (key, value) = match option.iter().position(|&b| b == b'=') {
            Some(eq) => (&option[..eq], Some(&option[eq + 1..])),
            None => (option, None),
        };
        parse_one(&mut opts, key, value, total_pages)?;
    }
    Ok(opts)
}

/// The options of the text: split at commas, except a comma before a digit.
fn split_options(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let text = rest?;
        let mut at = 0;
        loop {
            match text[at..].iter().position(|&b| b == b',') {
                None => {
                    rest = None;
                    return Some(text);
                }
                Some(i) => {
                    at += i + 1;
                    if !text.get(at).is_some_and(u8::is_ascii_digit) {
                        rest = Some(&text[at..]);
                        return Some(&text[..at - 1]);
                    }
                }
            }
        }
    })
}

fn parse_one(
    opts: &mut TmpfsOptions,
    key: &[u8],
    value: Option<&[u8]>,
    total_pages: u64,
) -> Result<(), ParamError> {
    let Some(name) = known_key(key) else {
        return Err(ParamError::Unknown(String::from_utf8_lossy(key).into()));
    };
    let is_flag = SB_FLAGS.contains(&name)
        || IGNORED_FLAGS.contains(&name)
        || matches!(name, "inode32" | "inode64" | "noswap");
    if is_flag {
        if value.is_some() {
            return Err(ParamError::UnexpectedValue(name));
        }
        match name {
            "inode32" => opts.inode64 = Some(false),
            "inode64" => opts.inode64 = Some(true),
            "noswap" => opts.noswap = true,
            _ => {}
        }
        return Ok(());
    }

    // Every other option needs a value that is not empty.
    let bad = ParamError::BadValue(name);
    let value = value.filter(|v| !v.is_empty()).ok_or(bad.clone())?;
    match name {
        "size" => {
            let (mut size, rest) = memparse(value);
            let rest = match rest {
                [b'%', rest @ ..] => {
                    size = (size << 12).wrapping_mul(total_pages) / 100;
                    rest
                }
                rest => rest,
            };
            if !rest.is_empty() {
                return Err(bad);
            }
            opts.blocks = Some(size.wrapping_add(PAGE_SIZE as u64 - 1) / PAGE_SIZE as u64);
        }
        "nr_blocks" => match memparse(value) {
            (n, []) if n <= i64::MAX as u64 => opts.blocks = Some(n),
            _ => return Err(bad),
        },
        "nr_inodes" => match memparse(value) {
            (n, []) if n <= u64::MAX / BOGO_INODE_SIZE => opts.inodes = Some(n),
            _ => return Err(bad),
        },
        "mode" => opts.mode = Some(kstrtou32(value, 8).ok_or(bad)? & 0o7777),
        // (u32)-1 is no user or group (uid_valid).
        "uid" => {
            opts.uid = Some(
                kstrtou32(value, 10)
                    .filter(|&id| id != u32::MAX)
                    .ok_or(bad)?,
            )
        }
        "gid" => {
            opts.gid = Some(
                kstrtou32(value, 10)
                    .filter(|&id| id != u32::MAX)
                    .ok_or(bad)?,
            )
        }
        "huge" => opts.huge = Some(*HUGE.iter().find(|h| h.as_bytes() == value).ok_or(bad)?),
        "mpol" => {
            let text = core::str::from_utf8(value).map_err(|_| bad.clone())?;
            if !valid_mpol(text) {
                return Err(bad);
            }
            opts.mpol = (text != "default").then(|| text.into());
        }
        _ => {
            // The quota limits: a size, unused here.
            if !matches!(memparse(value), (_, [])) {
                return Err(bad);
            }
        }
    }
    Ok(())
}

/// The static name of a key tmpfs knows.
fn known_key(key: &[u8]) -> Option<&'static str> {
    const VALUED: &[&str] = &[
        "size",
        "nr_blocks",
        "nr_inodes",
        "mode",
        "uid",
        "gid",
        "huge",
    ];
    const OTHERS: &[&str] = &["inode32", "inode64", "noswap", "mpol"];
    SB_FLAGS
        .iter()
        .chain(IGNORED_FLAGS)
        .chain(IGNORED_SIZES)
        .chain(VALUED)
        .chain(OTHERS)
        .find(|k| k.as_bytes() == key)
        .copied()
}

/// A memory policy one node can have (mpol_parse_str): a mode, `=static` or
/// `=relative`, and a node list that may only name node 0.
fn valid_mpol(text: &str) -> bool {
    let (policy, nodes) = match text.split_once(':') {
        Some((p, n)) => (p, Some(n)),
        None => (text, None),
    };
    let (mode, flag) = match policy.split_once('=') {
        Some((m, f)) => (m, Some(f)),
        None => (policy, None),
    };
    if !MPOL_MODES.contains(&mode) || !matches!(flag, None | Some("static" | "relative")) {
        return false;
    }
    let nodes_ok = nodes.is_none_or(|list| {
        list.split(',').all(|range| {
            range
                .split('-')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b == b'0'))
        })
    });
    match mode {
        "default" | "local" => nodes.is_none() && flag.is_none(),
        "bind" => nodes.is_some() && nodes_ok,
        _ => nodes_ok,
    }
}

/// Linux's memparse: a number in C's notation (0x hex, 0 octal, else decimal),
/// wrapping on overflow, times the suffix k, m, g, t, p or e; returns what follows.
pub fn memparse(text: &[u8]) -> (u64, &[u8]) {
    let (radix, digits) = match text {
        [b'0', b'x' | b'X', d, ..] if d.is_ascii_hexdigit() => (16, &text[2..]),
        [b'0', ..] => (8, text),
        _ => (10, text),
    };
    let mut n: u64 = 0;
    let mut used = 0;
    for &b in digits {
        let Some(d) = (b as char).to_digit(radix) else {
            break;
        };
        n = n.wrapping_mul(u64::from(radix)).wrapping_add(u64::from(d));
        used += 1;
    }
    let rest = &digits[used..];
    let shift = match rest.first().map(u8::to_ascii_lowercase) {
        Some(b'k') => 10,
        Some(b'm') => 20,
        Some(b'g') => 30,
        Some(b't') => 40,
        Some(b'p') => 50,
        Some(b'e') => 60,
        _ => return (n, rest),
    };
    (n << shift, &rest[1..])
}

/// Linux's kstrtouint: an optional '+', digits of `radix`, an optional final newline.
fn kstrtou32(text: &[u8], radix: u32) -> Option<u32> {
    let text = text.strip_prefix(b"+").unwrap_or(text);
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    if text.is_empty() {
        return None;
    }
    let mut n: u32 = 0;
    for &b in text {
        let d = (b as char).to_digit(radix)?;
        n = n.checked_mul(radix)?.checked_add(d)?;
    }
    Some(n)
}

#[cfg(test)]
mod tests;
