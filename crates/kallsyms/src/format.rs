//! Layout constants of the kallsyms table and bounds-checked little-endian reads.
//!
//! Shared by the reader (table.rs) and the encoder (encode.rs), so the two sides
//! cannot disagree on an offset. The layout itself is documented in lib.rs.

/// First eight bytes of every table.
pub const MAGIC: [u8; 8] = *b"KALLSYMS";

/// The only version this crate reads and writes.
pub const VERSION: u32 = 1;

/// Bytes before the first entry.
pub const HEADER_LEN: usize = 24;

/// Bytes per entry: addr u64, size u32, name offset u32.
pub const ENTRY_LEN: usize = 16;

/// Header field offsets.
pub const OFF_VERSION: usize = 8;
pub const OFF_COUNT: usize = 12;
pub const OFF_STRINGS_OFF: usize = 16;
pub const OFF_STRINGS_LEN: usize = 20;

/// Entry field offsets, relative to the entry.
pub const ENTRY_ADDR: usize = 0;
pub const ENTRY_SIZE: usize = 8;
pub const ENTRY_NAME: usize = 12;

/// The `N` bytes at `at`, or None when they run past the end of `bytes`.
fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    let end = at.checked_add(N)?;
    bytes.get(at..end)?.try_into().ok()
}

pub fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    array(bytes, at).map(u32::from_le_bytes)
}

pub fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    array(bytes, at).map(u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_little_endian_and_refuses_overruns() {
        let bytes = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        assert_eq!(read_u32(&bytes, 0), Some(0x0403_0201));
        assert_eq!(read_u64(&bytes, 1), Some(0x0908_0706_0504_0302));
        assert_eq!(read_u32(&bytes, 6), None);
        assert_eq!(read_u64(&bytes, usize::MAX), None);
    }
}
