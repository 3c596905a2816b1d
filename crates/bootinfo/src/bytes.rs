//! Little-endian fields and C strings from boot loader memory, without panics.
//! Boot records are plain little-endian structs; strings end with a NUL byte
//! and need not be UTF-8, so each bad sequence becomes U+FFFD.

use arrayvec::ArrayString;

use crate::{BootInfoError, PhysMem};

pub(crate) fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    let field = b.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes(field.try_into().ok()?))
}

pub(crate) fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    let field = b.get(off..off.checked_add(8)?)?;
    Some(u64::from_le_bytes(field.try_into().ok()?))
}

/// `len` bytes at `paddr`; a `PhysMem` that answers short counts as unreadable.
pub(crate) fn read_exact<'m>(
    mem: &'m impl PhysMem,
    paddr: u64,
    len: usize,
    what: &'static str,
) -> Result<&'m [u8], BootInfoError> {
    mem.read(paddr, len)
        .and_then(|b| b.get(..len))
        .ok_or(BootInfoError::Unreadable { what, paddr, len })
}

/// A record read from boot memory; a field past its end gives `err`.
#[derive(Clone, Copy)]
pub(crate) struct Record<'a> {
    bytes: &'a [u8],
    err: BootInfoError,
}

impl<'a> Record<'a> {
    pub(crate) fn new(bytes: &'a [u8], err: BootInfoError) -> Self {
        Self { bytes, err }
    }

    /// `len` bytes at `paddr`, all readable.
    pub(crate) fn read(
        mem: &'a impl PhysMem,
        paddr: u64,
        len: usize,
        what: &'static str,
    ) -> Result<Self, BootInfoError> {
        Ok(Self::new(
            read_exact(mem, paddr, len, what)?,
            BootInfoError::Unreadable { what, paddr, len },
        ))
    }

    pub(crate) fn u32(&self, off: usize) -> Result<u32, BootInfoError> {
        u32_at(self.bytes, off).ok_or(self.err)
    }

    pub(crate) fn u64(&self, off: usize) -> Result<u64, BootInfoError> {
        u64_at(self.bytes, off).ok_or(self.err)
    }

    /// The error this record reports.
    pub(crate) fn err(&self) -> BootInfoError {
        self.err
    }

    /// The bytes from `off` on.
    pub(crate) fn tail(&self, off: usize) -> Result<&'a [u8], BootInfoError> {
        self.bytes.get(off..).ok_or(self.err)
    }
}

/// The bytes before the first NUL, or all of them.
pub(crate) fn until_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(n) => &b[..n],
        None => b,
    }
}

/// Replaces `dst` with `src` decoded lossily; false if it had to be cut short.
pub(crate) fn set_lossy<const N: usize>(dst: &mut ArrayString<N>, src: &[u8]) -> bool {
    dst.clear();
    for chunk in src.utf8_chunks() {
        for c in chunk.valid().chars() {
            if dst.try_push(c).is_err() {
                return false;
            }
        }
        if !chunk.invalid().is_empty() && dst.try_push(char::REPLACEMENT_CHARACTER).is_err() {
            return false;
        }
    }
    true
}

/// Reads the NUL-terminated string at `paddr` into `dst`; false if truncated.
///
/// At most `N` bytes are looked at, so a missing NUL costs a bounded scan.
pub(crate) fn read_cstr<const N: usize>(
    mem: &impl PhysMem,
    paddr: u64,
    dst: &mut ArrayString<N>,
    what: &'static str,
) -> Result<bool, BootInfoError> {
    // The length is found a byte at a time: the string may end just before
    // the end of readable memory, where a longer read would fail.
    let mut len = 0;
    let mut terminated = false;
    while len < N {
        let addr = paddr.checked_add(len as u64);
        let byte = addr.and_then(|a| read_exact(mem, a, 1, what).ok());
        match byte {
            None => {
                return Err(BootInfoError::Unreadable {
                    what,
                    paddr,
                    len: len + 1,
                })
            }
            Some([0]) => {
                terminated = true;
                break;
            }
            Some(_) => len += 1,
        }
    }

    let bytes = if len == 0 {
        &[][..]
    } else {
        read_exact(mem, paddr, len, what)?
    };
    let fits = set_lossy(dst, bytes);
    Ok(fits && terminated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testmem::TestMem;

    #[test]
    fn fields_are_little_endian_and_bounded() {
        let b = [0x78, 0xc5, 0x6e, 0x33, 1, 0, 0, 0, 0xff];
        assert_eq!(u32_at(&b, 0), Some(0x336e_c578));
        assert_eq!(u64_at(&b, 0), Some(0x1_336e_c578));
        assert_eq!(u32_at(&b, 6), None);
        assert_eq!(u64_at(&b, usize::MAX - 2), None);
    }

    #[test]
    fn lossy_decoding_replaces_bad_bytes() {
        let mut s = ArrayString::<16>::new();
        assert!(set_lossy(&mut s, b"ab\xffc\xe2\x82"));
        assert_eq!(s.as_str(), "ab\u{fffd}c\u{fffd}");
    }

    #[test]
    fn lossy_decoding_cuts_at_a_char_boundary() {
        let mut s = ArrayString::<4>::new();
        assert!(!set_lossy(&mut s, "aéé".as_bytes()));
        assert_eq!(s.as_str(), "aé");
    }

    #[test]
    fn cstr_stops_at_nul_or_capacity() {
        let mut mem = TestMem::new();
        mem.add(0x100, b"quiet\0junk");
        mem.add(0x200, b"0123456789");
        let mut s = ArrayString::<8>::new();
        assert_eq!(read_cstr(&mem, 0x100, &mut s, "t"), Ok(true));
        assert_eq!(s.as_str(), "quiet");
        assert_eq!(read_cstr(&mem, 0x200, &mut s, "t"), Ok(false));
        assert_eq!(s.as_str(), "01234567");
    }

    #[test]
    fn cstr_running_off_readable_memory_is_an_error() {
        let mut mem = TestMem::new();
        mem.add(0x100, b"abc");
        let mut s = ArrayString::<8>::new();
        let err = BootInfoError::Unreadable {
            what: "t",
            paddr: 0x100,
            len: 4,
        };
        assert_eq!(read_cstr(&mem, 0x100, &mut s, "t"), Err(err));
        assert!(read_cstr(&mem, u64::MAX, &mut s, "t").is_err());
    }
}
