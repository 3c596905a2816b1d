//! Reading the table: validation once at parse time, then address lookups.
//!
//! Linux's kallsyms_lookup_name / kallsyms_lookup: a binary search over sorted
//! start addresses. The bytes may be anything (a corrupted image, a kernel that was
//! never patched), so every read is bounds-checked and nothing here can panic.

use crate::format::*;
use crate::Symbol;

/// A validated view of an encoded table.
#[derive(Clone, Copy, Debug)]
pub struct Table<'a> {
    entries: &'a [u8],
    strings: &'a str,
    count: usize,
}

/// One raw entry.
struct Entry {
    addr: u64,
    size: u32,
    name: u32,
}

impl<'a> Table<'a> {
    /// Checks the header and every entry; None when `bytes` hold no valid table
    /// (an all-zero section, a wrong magic or version, or counts out of bounds).
    ///
    /// After this, all names are in bounds and on UTF-8 boundaries and the
    /// addresses strictly increase, so lookups need no further checks to be right.
    pub fn parse(bytes: &'a [u8]) -> Option<Table<'a>> {
        if bytes.get(..MAGIC.len())? != MAGIC || read_u32(bytes, OFF_VERSION)? != VERSION {
            return None;
        }
        let count = usize::try_from(read_u32(bytes, OFF_COUNT)?).ok()?;
        let strings_off = usize::try_from(read_u32(bytes, OFF_STRINGS_OFF)?).ok()?;
        let strings_len = usize::try_from(read_u32(bytes, OFF_STRINGS_LEN)?).ok()?;

        // The name area follows the entries directly.
        let entries_end = count.checked_mul(ENTRY_LEN)?.checked_add(HEADER_LEN)?;
        if strings_off != entries_end {
            return None;
        }
        let entries = bytes.get(HEADER_LEN..entries_end)?;
        let strings_end = strings_off.checked_add(strings_len)?;
        let strings = core::str::from_utf8(bytes.get(strings_off..strings_end)?).ok()?;

        // A name runs to the next NUL: the area must end with one, so every name
        // that starts inside it ends inside it too.
        if count > 0 && !strings.ends_with('\0') {
            return None;
        }

        let table = Table {
            entries,
            strings,
            count,
        };
        let mut prev: Option<u64> = None;
        for i in 0..count {
            let entry = table.entry(i)?;
            if prev.is_some_and(|p| p >= entry.addr) {
                return None;
            }
            prev = Some(entry.addr);
            let name = usize::try_from(entry.name).ok()?;
            if name >= strings.len() || !strings.is_char_boundary(name) {
                return None;
            }
        }
        Some(table)
    }

    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True for a valid table with no symbols.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The function containing `addr`, with `offset` set to `addr - start`.
    ///
    /// A symbol covers [addr, addr + size); one stored with size 0 covers up to
    /// the next symbol, and the last symbol with size 0 covers its first byte only.
    pub fn lookup(&self, addr: u64) -> Option<Symbol<'a>> {
        // Index of the last symbol starting at or below addr.
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.addr(mid)? <= addr {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let index = lo.checked_sub(1)?;

        let mut symbol = self.symbol(index)?;
        symbol.offset = addr.checked_sub(symbol.addr)?;
        let inside = symbol.offset < symbol.size || (symbol.size == 0 && symbol.offset == 0);
        inside.then_some(symbol)
    }

    /// The first symbol named exactly `name` (a linear scan: for tests and module
    /// linking, not for hot paths).
    pub fn find(&self, name: &str) -> Option<Symbol<'a>> {
        self.iter().find(|symbol| symbol.name == name)
    }

    /// All symbols in address order, each with offset 0.
    pub fn iter(&self) -> Iter<'a> {
        Iter {
            table: *self,
            next: 0,
        }
    }

    fn addr(&self, index: usize) -> Option<u64> {
        read_u64(self.entries, index.checked_mul(ENTRY_LEN)? + ENTRY_ADDR)
    }

    fn entry(&self, index: usize) -> Option<Entry> {
        let at = index.checked_mul(ENTRY_LEN)?;
        Some(Entry {
            addr: read_u64(self.entries, at + ENTRY_ADDR)?,
            size: read_u32(self.entries, at + ENTRY_SIZE)?,
            name: read_u32(self.entries, at + ENTRY_NAME)?,
        })
    }

    /// Symbol `index` with its effective size and offset 0.
    fn symbol(&self, index: usize) -> Option<Symbol<'a>> {
        let entry = self.entry(index)?;
        let size = match entry.size {
            0 if index + 1 < self.count => self.addr(index + 1)?.checked_sub(entry.addr)?,
            size => u64::from(size),
        };
        let rest = self.strings.get(usize::try_from(entry.name).ok()?..)?;
        let name = rest.split('\0').next()?;
        Some(Symbol {
            name,
            addr: entry.addr,
            size,
            offset: 0,
        })
    }
}

/// Iterator over a table's symbols in address order.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    table: Table<'a>,
    next: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Symbol<'a>;

    fn next(&mut self) -> Option<Symbol<'a>> {
        if self.next >= self.table.count {
            return None;
        }
        let symbol = self.table.symbol(self.next);
        self.next += 1;
        symbol
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.table.count.saturating_sub(self.next);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{encode, HostSymbol};

    const BASE: u64 = 0xffff_ffff_8000_0000;

    fn encoded(symbols: &[(&str, u64, u64)]) -> Vec<u8> {
        let symbols: Vec<HostSymbol> = symbols
            .iter()
            .map(|&(name, addr, size)| HostSymbol {
                name: name.into(),
                addr,
                size,
            })
            .collect();
        encode(&symbols)
    }

    /// Two adjacent functions, a gap, a size-0 symbol, and a last function.
    fn fixture() -> Vec<u8> {
        encoded(&[
            ("start_kernel", BASE + 0x1000, 0x40),
            ("rest_init", BASE + 0x1040, 0x20),
            ("entry_SYSCALL_64", BASE + 0x1100, 0),
            ("noyau::mm::buddy::alloc", BASE + 0x1200, 0x10),
        ])
    }

    fn line(table: &Table<'_>, addr: u64) -> Option<String> {
        table.lookup(addr).map(|symbol| symbol.to_string())
    }

    #[test]
    fn lookup_at_the_edges_of_each_function() {
        let bytes = fixture();
        let table = Table::parse(&bytes).unwrap();
        assert_eq!(table.len(), 4);

        assert_eq!(line(&table, 0), None);
        assert_eq!(line(&table, BASE + 0xfff), None, "before the first");
        assert_eq!(
            line(&table, BASE + 0x1000).unwrap(),
            "start_kernel+0x0/0x40"
        );
        assert_eq!(
            line(&table, BASE + 0x103f).unwrap(),
            "start_kernel+0x3f/0x40"
        );
        assert_eq!(line(&table, BASE + 0x1040).unwrap(), "rest_init+0x0/0x20");
        assert_eq!(line(&table, BASE + 0x105f).unwrap(), "rest_init+0x1f/0x20");
        assert_eq!(line(&table, BASE + 0x1060), None, "gap after rest_init");
        assert_eq!(line(&table, BASE + 0x10ff), None, "end of the gap");
        assert_eq!(
            line(&table, BASE + 0x1100).unwrap(),
            "entry_SYSCALL_64+0x0/0x100"
        );
        assert_eq!(
            line(&table, BASE + 0x11ff).unwrap(),
            "entry_SYSCALL_64+0xff/0x100"
        );
        assert_eq!(
            line(&table, BASE + 0x1200).unwrap(),
            "noyau::mm::buddy::alloc+0x0/0x10"
        );
        assert_eq!(
            line(&table, BASE + 0x120f).unwrap(),
            "noyau::mm::buddy::alloc+0xf/0x10"
        );
        assert_eq!(line(&table, BASE + 0x1210), None, "after the last");
        assert_eq!(line(&table, u64::MAX), None);
    }

    #[test]
    fn lookup_fills_every_field() {
        let bytes = fixture();
        let table = Table::parse(&bytes).unwrap();
        let symbol = table.lookup(BASE + 0x1010).unwrap();
        assert_eq!(
            symbol,
            Symbol {
                name: "start_kernel",
                addr: BASE + 0x1000,
                size: 0x40,
                offset: 0x10
            }
        );
    }

    #[test]
    fn last_symbol_of_size_zero_covers_its_first_byte_only() {
        let bytes = encoded(&[("a", 0x100, 0x10), ("_etext", 0x200, 0)]);
        let table = Table::parse(&bytes).unwrap();
        assert_eq!(line(&table, 0x200).unwrap(), "_etext+0x0/0x0");
        assert_eq!(line(&table, 0x201), None);
        assert_eq!(line(&table, 0x1ff), None);
    }

    #[test]
    fn symbols_at_the_ends_of_the_address_space() {
        let bytes = encoded(&[("zero", 0, 0x10), ("top", u64::MAX - 0xf, 0x10)]);
        let table = Table::parse(&bytes).unwrap();
        assert_eq!(line(&table, 0).unwrap(), "zero+0x0/0x10");
        assert_eq!(line(&table, u64::MAX).unwrap(), "top+0xf/0x10");
    }

    #[test]
    fn iter_and_find() {
        let bytes = fixture();
        let table = Table::parse(&bytes).unwrap();
        let names: Vec<&str> = table.iter().map(|symbol| symbol.name).collect();
        assert_eq!(
            names,
            [
                "start_kernel",
                "rest_init",
                "entry_SYSCALL_64",
                "noyau::mm::buddy::alloc"
            ]
        );
        assert_eq!(table.iter().len(), 4);
        assert!(table.iter().all(|symbol| symbol.offset == 0));

        let found = table.find("entry_SYSCALL_64").unwrap();
        assert_eq!(
            (found.addr, found.size, found.offset),
            (BASE + 0x1100, 0x100, 0)
        );
        assert_eq!(table.find("rest_init").unwrap().size, 0x20);
        assert!(table.find("missing").is_none());
        assert!(
            table.find("rest").is_none(),
            "find matches whole names only"
        );
    }

    #[test]
    fn an_unpatched_section_has_no_table() {
        assert!(Table::parse(&[]).is_none());
        assert!(Table::parse(&[0; 1 << 20]).is_none());
    }

    #[test]
    fn an_empty_table_is_valid() {
        let bytes = encode(&[]);
        let table = Table::parse(&bytes).unwrap();
        assert!(table.is_empty());
        assert_eq!(table.lookup(0x1000), None);
        assert_eq!(table.iter().next(), None);
    }

    #[test]
    fn bytes_after_the_table_are_ignored() {
        let mut bytes = fixture();
        bytes.resize(1 << 20, 0);
        let table = Table::parse(&bytes).unwrap();
        assert_eq!(
            line(&table, BASE + 0x1001).unwrap(),
            "start_kernel+0x1/0x40"
        );
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = fixture();
        for len in 0..bytes.len() {
            assert!(
                Table::parse(&bytes[..len]).is_none(),
                "prefix of {len} bytes"
            );
        }
    }

    /// Overwrites a little-endian u32 of an encoded table.
    fn poke(bytes: &mut [u8], at: usize, value: u32) {
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    #[test]
    fn corrupted_headers_are_refused() {
        let good = fixture();
        let corruptions: [(usize, u32); 6] = [
            (0, u32::from_le_bytes(*b"KSYM")), // wrong magic
            (OFF_VERSION, 2),                  // unknown version
            (OFF_COUNT, 5),                    // more entries than there are
            (OFF_COUNT, u32::MAX),             // count * 16 overflows the area
            (OFF_STRINGS_OFF, 0),              // names over the header
            (OFF_STRINGS_LEN, u32::MAX),       // names past the end
        ];
        for (at, value) in corruptions {
            let mut bytes = good.clone();
            poke(&mut bytes, at, value);
            if bytes != good {
                assert!(Table::parse(&bytes).is_none(), "u32 {value:#x} at {at}");
            }
        }
    }

    #[test]
    fn corrupted_entries_and_names_are_refused() {
        let good = fixture();
        let entry = |i: usize| HEADER_LEN + i * ENTRY_LEN;
        let strings = entry(4);

        // Addresses out of order.
        let mut bytes = good.clone();
        bytes[entry(1)..entry(1) + 8].copy_from_slice(&BASE.to_le_bytes());
        assert!(Table::parse(&bytes).is_none());

        // A name offset past the name area.
        let mut bytes = good.clone();
        poke(
            &mut bytes,
            entry(2) + ENTRY_NAME,
            (good.len() - strings) as u32,
        );
        assert!(Table::parse(&bytes).is_none());

        // The last name without its NUL.
        let mut bytes = good.clone();
        *bytes.last_mut().unwrap() = b'x';
        assert!(Table::parse(&bytes).is_none());

        // A name that is not UTF-8.
        let mut bytes = good.clone();
        bytes[strings] = 0xff;
        assert!(Table::parse(&bytes).is_none());
    }

    #[test]
    fn a_name_offset_inside_a_character_is_refused() {
        let mut bytes = encoded(&[("é", 0x10, 1)]);
        poke(&mut bytes, HEADER_LEN + ENTRY_NAME, 1);
        assert!(Table::parse(&bytes).is_none());
    }
}
