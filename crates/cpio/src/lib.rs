//! The initramfs archive reader: cpio "newc" and "crc" archives, possibly several in a
//! row, as Linux's init/initramfs.c unpacks them into the root filesystem at boot.
//! `no_std` and no `alloc`: entries borrow their names and data from the buffer, and
//! every malformed input gives an [`Error`] naming the entry, never a panic.
//!
//! # Reading
//!
//! [`entries`] walks the buffer and yields one [`Entry`] per member, skipping each
//! archive's "TRAILER!!!". The names come as stored ("./bin/sh", "bin/sh", "."):
//! an unpacker creates [`Entry::normalized_path`] under the root, which refuses "..".
//!
//! # Hard links
//!
//! newc has no link entries. The files that share an inode are written as entries with
//! the same (`dev`, `ino`), a file type, `nlink >= 2`, and only the last of them carries
//! the data (the others are empty). An unpacker does what Linux's `maybe_link` does:
//!
//! - keep a table from [`LinkKey`] (device, inode number, file type) to a path, empty
//!   at the start of each archive ([`Entry::archive`] changes): inode numbers only mean
//!   something within the archive that holds them;
//! - for an entry whose [`Entry::link_key`] is `Some` and not in the table, create the
//!   file as usual and remember its path under the key;
//! - for an entry whose key is already in the table, make its path a hard link to the
//!   remembered path instead of a new inode; then, if the entry's data is not empty,
//!   that data becomes the contents of the shared inode (replacing the empty ones).
//!
//! Directories and symlinks are never linked this way, whatever their `nlink`.

#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

#[cfg(any(test, feature = "std"))]
mod builder;
mod entry;
mod error;
mod header;
mod reader;

#[cfg(any(test, feature = "std"))]
pub use builder::{Builder, Meta};
pub use entry::{
    Entry, Kind, LinkKey, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
};
pub use error::{Error, ErrorKind};
pub use header::{Format, HEADER_LEN, MAGIC_CRC, MAGIC_NEWC};
pub use reader::{checksum, entries, Entries, TRAILER};

/// A fuzzing entry point: reads `data` as an initramfs and calls every accessor of every
/// entry. It must return for any input; the property tests feed it random and mutated
/// archives, and a cargo-fuzz target can call it as is.
pub fn fuzz_one(data: &[u8]) {
    let mut seen = 0usize;
    for item in entries(data) {
        let entry = match item {
            Ok(entry) => entry,
            Err(e) => {
                // Formatting must not fail on any name.
                let _ = core::fmt::write(&mut Sink, format_args!("{e}"));
                break;
            }
        };
        let _ = entry.name_str();
        let _ = entry.normalized_path();
        let _ = (
            entry.kind(),
            entry.mode(),
            entry.permissions(),
            entry.link_key(),
        );
        let _ = (
            entry.uid(),
            entry.gid(),
            entry.nlink(),
            entry.mtime(),
            entry.ino(),
        );
        let _ = (
            entry.dev(),
            entry.rdev(),
            entry.symlink_target(),
            entry.check(),
        );
        seen = seen.wrapping_add(checksum(entry.data()) as usize);
    }
    core::hint::black_box(seen);
}

/// A `fmt::Write` that discards what it is given.
struct Sink;

impl core::fmt::Write for Sink {
    fn write_str(&mut self, _: &str) -> core::fmt::Result {
        Ok(())
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_gnu;
