//! Errors of the initramfs reader as values, each naming the entry it stopped at: its
//! header's byte offset and, once the name could be read, the name. Linux's
//! init/initramfs.c reports the same conditions through `error()` ("no cpio magic", ...).

use core::fmt;

/// What was wrong with an archive or an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The header does not start with "070701" (newc) or "070702" (crc), or non-zero bytes
    /// follow an archive's trailer.
    BadMagic,
    /// The buffer ends inside a 110-byte header.
    TruncatedHeader,
    /// A header field is not eight hex digits; `field` is its name in `struct cpio_header`.
    BadHex { field: &'static str },
    /// The buffer ends inside the name.
    TruncatedName,
    /// `c_namesize` is zero or the name's last byte is not its terminating NUL.
    NameNotTerminated,
    /// The name holds a NUL before its end.
    NulInName,
    /// The buffer ends inside the file data.
    TruncatedData,
    /// An offset computed from the header does not fit in a `usize`.
    Overflow,
    /// A crc-format entry's data does not add up to its `c_check` field (which may be 0
    /// for entries other than regular files, as GNU cpio writes them).
    ChecksumMismatch { stored: u32, computed: u32 },
    /// The file-type bits of `c_mode` name no type Linux knows.
    BadFileType { mode: u32 },
    /// The name is not UTF-8 (from [`Entry::name_str`](crate::Entry::name_str)).
    NameNotUtf8,
    /// The name has a ".." component, which could escape the root (from
    /// [`Entry::normalized_path`](crate::Entry::normalized_path)).
    UnsafePath,
}

/// An error naming where it happened: the entry's header offset in the buffer and, once
/// the name could be read, its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error<'a> {
    /// Byte offset of the entry's header (or of the unexpected bytes) in the buffer.
    pub offset: usize,
    /// The entry's name without its NUL, if the header and name were complete.
    pub name: Option<&'a [u8]>,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::BadMagic => f.write_str("no cpio magic (expected 070701 or 070702)"),
            ErrorKind::TruncatedHeader => f.write_str("archive ends inside a header"),
            ErrorKind::BadHex { field } => write!(f, "{field} is not eight hex digits"),
            ErrorKind::TruncatedName => f.write_str("archive ends inside a name"),
            ErrorKind::NameNotTerminated => f.write_str("name does not end with a NUL"),
            ErrorKind::NulInName => f.write_str("name holds a NUL before its end"),
            ErrorKind::TruncatedData => f.write_str("archive ends inside file data"),
            ErrorKind::Overflow => f.write_str("sizes overflow the address space"),
            ErrorKind::ChecksumMismatch { stored, computed } => {
                write!(
                    f,
                    "checksum {stored:#010x} stored, {computed:#010x} computed"
                )
            }
            ErrorKind::BadFileType { mode } => write!(f, "unknown file type in mode {mode:#o}"),
            ErrorKind::NameNotUtf8 => f.write_str("name is not UTF-8"),
            ErrorKind::UnsafePath => f.write_str("name has a \"..\" component"),
        }
    }
}

/// Writes a name as text, escaping bytes that are not printable UTF-8 as `\xNN`.
fn write_name(f: &mut fmt::Formatter<'_>, name: &[u8]) -> fmt::Result {
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() || c == '"' || c == '\\' {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        for byte in chunk.invalid() {
            write!(f, "\\x{byte:02x}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Error<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cpio: entry ")?;
        if let Some(name) = self.name {
            f.write_str("\"")?;
            write_name(f, name)?;
            f.write_str("\" ")?;
        }
        write!(f, "at offset {}: {}", self.offset, self.kind)
    }
}

impl core::error::Error for Error<'_> {}
