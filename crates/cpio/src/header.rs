//! The fixed 110-byte header of a cpio "newc" or "crc" entry (Linux's `struct cpio_header`
//! as init/initramfs.c reads it): a six-byte magic and thirteen fields of eight ASCII hex
//! digits. Parsing checks the magic and every digit; it never looks past the header.

use crate::error::ErrorKind;

/// Length of a newc/crc header in bytes: the magic plus 13 fields of 8 hex digits.
pub const HEADER_LEN: usize = 6 + 13 * 8;

/// Magic of the "newc" format (`cpio -H newc`): the checksum field is unused.
pub const MAGIC_NEWC: &[u8; 6] = b"070701";

/// Magic of the "crc" format (`cpio -H crc`): the checksum field holds the sum of the data bytes.
pub const MAGIC_CRC: &[u8; 6] = b"070702";

/// The names of the header fields, in archive order; error values quote them.
const FIELDS: [&str; 13] = [
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

/// Which of the two ASCII "new" formats an entry was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Magic "070701": no checksum.
    Newc,
    /// Magic "070702": `c_check` is the 32-bit wrapping sum of the data bytes.
    Crc,
}

/// The decoded numeric fields of one header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub format: Format,
    pub ino: u32,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u32,
    pub mtime: u32,
    pub filesize: u32,
    pub dev_major: u32,
    pub dev_minor: u32,
    pub rdev_major: u32,
    pub rdev_minor: u32,
    pub namesize: u32,
    pub check: u32,
}

/// Whether `bytes` could be the start of a header, so that a short buffer is reported
/// as a truncated header rather than as garbage.
pub(crate) fn could_be_magic(bytes: &[u8]) -> bool {
    let n = bytes.len().min(MAGIC_NEWC.len());
    bytes[..n] == MAGIC_NEWC[..n] || bytes[..n] == MAGIC_CRC[..n]
}

/// Decodes one field of exactly eight hex digits (either case, as `simple_strtoul` takes).
fn hex_field(digits: &[u8], index: usize) -> Result<u32, ErrorKind> {
    let mut value: u32 = 0;
    for &c in digits {
        let nibble = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => {
                return Err(ErrorKind::BadHex {
                    field: FIELDS[index],
                })
            }
        };
        value = (value << 4) | u32::from(nibble);
    }
    Ok(value)
}

impl Header {
    /// Parses a header from `bytes`, which must hold at least [`HEADER_LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Result<Header, ErrorKind> {
        let Some(bytes) = bytes.get(..HEADER_LEN) else {
            return Err(if could_be_magic(bytes) {
                ErrorKind::TruncatedHeader
            } else {
                ErrorKind::BadMagic
            });
        };
        let format = match &bytes[..6] {
            m if m == MAGIC_NEWC => Format::Newc,
            m if m == MAGIC_CRC => Format::Crc,
            _ => return Err(ErrorKind::BadMagic),
        };

        let mut f = [0u32; 13];
        for (i, slot) in f.iter_mut().enumerate() {
            *slot = hex_field(&bytes[6 + 8 * i..14 + 8 * i], i)?;
        }

        Ok(Header {
            format,
            ino: f[0],
            mode: f[1],
            uid: f[2],
            gid: f[3],
            nlink: f[4],
            mtime: f[5],
            filesize: f[6],
            dev_major: f[7],
            dev_minor: f[8],
            rdev_major: f[9],
            rdev_minor: f[10],
            namesize: f[11],
            check: f[12],
        })
    }
}
