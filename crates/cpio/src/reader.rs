//! The walk over an initramfs buffer, as Linux's init/initramfs.c `unpack_to_rootfs` does
//! it uncompressed: NUL bytes between archives are skipped, each archive is a run of
//! entries ended by "TRAILER!!!" (or by the end of the buffer), and names and data are
//! padded to four bytes from the start of their archive.

use core::iter::FusedIterator;

use crate::entry::{Entry, Kind};
use crate::error::{Error, ErrorKind};
use crate::header::{Format, Header, HEADER_LEN};

/// The name of the entry that ends an archive.
pub const TRAILER: &[u8] = b"TRAILER!!!";

/// An iterator over the entries of every archive in a buffer. It yields an error once
/// and then stops; it never panics and never reads outside the buffer.
#[derive(Clone, Debug)]
pub struct Entries<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of the current archive's first header, while inside an archive.
    archive_start: Option<usize>,
    /// Number of archives started so far.
    archives: usize,
    done: bool,
}

/// The entries of an initramfs buffer: one or more cpio newc/crc archives, with NUL
/// padding allowed before, between and after them.
pub fn entries(buf: &[u8]) -> Entries<'_> {
    Entries::new(buf)
}

/// Rounds `pos` up to the next multiple of four counted from `base` (`base <= pos`).
pub(crate) fn align4(base: usize, pos: usize) -> Option<usize> {
    let rel = pos.checked_sub(base)?.checked_add(3)? & !3;
    base.checked_add(rel)
}

/// The 32-bit wrapping sum of the data bytes: the crc format's "checksum".
pub fn checksum(data: &[u8]) -> u32 {
    data.iter()
        .fold(0u32, |sum, &b| sum.wrapping_add(u32::from(b)))
}

impl<'a> Entries<'a> {
    pub fn new(buf: &'a [u8]) -> Entries<'a> {
        Entries {
            buf,
            pos: 0,
            archive_start: None,
            archives: 0,
            done: false,
        }
    }

    /// Reads the entry at `self.pos`, which is inside the archive starting at `base`.
    /// Returns the entry, or `None` in its place for a trailer, and the next position.
    fn read_entry(&self, base: usize) -> Result<(Option<Entry<'a>>, usize), Error<'a>> {
        let offset = self.pos;
        let err = |name, kind| Error { offset, name, kind };
        let header = Header::parse(&self.buf[offset..]).map_err(|k| err(None, k))?;

        // The name: c_namesize bytes counting its NUL.
        let name_start = offset + HEADER_LEN;
        let name_end = usize::try_from(header.namesize)
            .ok()
            .and_then(|n| name_start.checked_add(n))
            .ok_or(err(None, ErrorKind::Overflow))?;
        let raw_name = self
            .buf
            .get(name_start..name_end)
            .ok_or(err(None, ErrorKind::TruncatedName))?;
        let Some((&0, name)) = raw_name.split_last() else {
            return Err(err(None, ErrorKind::NameNotTerminated));
        };
        let err = |kind| Error {
            offset,
            name: Some(name),
            kind,
        };
        if name.contains(&0) {
            return Err(err(ErrorKind::NulInName));
        }

        // The data, after the name's padding; padding may be cut short by the end of
        // the buffer when nothing follows it.
        let len = self.buf.len();
        let data_start = align4(base, name_end)
            .ok_or(err(ErrorKind::Overflow))?
            .min(len);
        let data_end = usize::try_from(header.filesize)
            .ok()
            .and_then(|n| data_start.checked_add(n))
            .ok_or(err(ErrorKind::Overflow))?;
        let data = self
            .buf
            .get(data_start..data_end)
            .ok_or(err(ErrorKind::TruncatedData))?;
        let next = align4(base, data_end)
            .ok_or(err(ErrorKind::Overflow))?
            .min(len);

        if name == TRAILER {
            return Ok((None, next));
        }
        let kind = Kind::from_mode(header.mode)
            .ok_or(err(ErrorKind::BadFileType { mode: header.mode }))?;

        // GNU cpio sums the data of regular files only and stores 0 for the others (a
        // symlink's target); other writers may sum those too, so either is accepted.
        if header.format == Format::Crc {
            let computed = checksum(data);
            let unsummed = kind != Kind::Regular && header.check == 0;
            if computed != header.check && !unsummed {
                return Err(err(ErrorKind::ChecksumMismatch {
                    stored: header.check,
                    computed,
                }));
            }
        }

        let archive = self.archives - 1;
        Ok((
            Some(Entry {
                header,
                kind,
                name,
                data,
                offset,
                archive,
            }),
            next,
        ))
    }

    fn fail(&mut self, e: Error<'a>) -> Option<Result<Entry<'a>, Error<'a>>> {
        self.done = true;
        Some(Err(e))
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, Error<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let base = match self.archive_start {
                Some(base) => base,
                None => {
                    // Between archives: skip the NUL padding, then a new archive begins.
                    let rest = &self.buf[self.pos..];
                    let zeros = rest.iter().take_while(|&&b| b == 0).count();
                    self.pos += zeros;
                    self.archives += 1;
                    self.archive_start = Some(self.pos);
                    self.pos
                }
            };
            if self.pos == self.buf.len() {
                // An archive may end with the buffer instead of a trailer.
                self.done = true;
                return None;
            }

            match self.read_entry(base) {
                Ok((Some(entry), next)) => {
                    self.pos = next;
                    return Some(Ok(entry));
                }
                Ok((None, next)) => {
                    self.pos = next;
                    self.archive_start = None;
                }
                Err(e) => return self.fail(e),
            }
        }
        None
    }
}

impl FusedIterator for Entries<'_> {}
