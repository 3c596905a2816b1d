//! The host-side encoder: a list of symbols in, table bytes out (scripts/kallsyms.c
//! in Linux). Built with the `host` feature, and for this crate's own tests.

use std::collections::HashMap;

use crate::format::*;

/// A function symbol as the build tool found it in the linked image.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HostSymbol {
    pub name: String,
    pub addr: u64,
    pub size: u64,
}

/// Encodes `symbols` in the format documented in lib.rs.
///
/// Symbols are sorted by address. Of several at one address (aliases such as
/// identical functions folded by the linker) one is kept: the largest, then the
/// first name in byte order, so the output does not depend on the input order.
/// A name is cut at its first NUL byte; a size is capped at `u32::MAX`.
///
/// # Panics
///
/// If the table would exceed 4 GiB, which no kernel comes near.
pub fn encode(symbols: &[HostSymbol]) -> Vec<u8> {
    let mut sorted: Vec<&HostSymbol> = symbols.iter().collect();
    sorted.sort_by(|a, b| {
        (a.addr, core::cmp::Reverse(a.size), &a.name).cmp(&(
            b.addr,
            core::cmp::Reverse(b.size),
            &b.name,
        ))
    });
    sorted.dedup_by_key(|symbol| symbol.addr);

    // Names are stored once each, even when several functions share one.
    let mut strings: Vec<u8> = Vec::new();
    let mut offsets: HashMap<&str, u32> = HashMap::new();
    let mut entries: Vec<u8> = Vec::with_capacity(sorted.len() * ENTRY_LEN);
    for symbol in &sorted {
        let name = symbol.name.split('\0').next().unwrap_or_default();
        let offset = *offsets.entry(name).or_insert_with(|| {
            let offset = to_u32(strings.len());
            strings.extend_from_slice(name.as_bytes());
            strings.push(0);
            offset
        });
        entries.extend_from_slice(&symbol.addr.to_le_bytes());
        entries.extend_from_slice(&u32::try_from(symbol.size).unwrap_or(u32::MAX).to_le_bytes());
        entries.extend_from_slice(&offset.to_le_bytes());
    }

    let mut table = Vec::with_capacity(HEADER_LEN + entries.len() + strings.len());
    table.extend_from_slice(&MAGIC);
    table.extend_from_slice(&VERSION.to_le_bytes());
    table.extend_from_slice(&to_u32(sorted.len()).to_le_bytes());
    table.extend_from_slice(&to_u32(HEADER_LEN + entries.len()).to_le_bytes());
    table.extend_from_slice(&to_u32(strings.len()).to_le_bytes());
    table.extend_from_slice(&entries);
    table.extend_from_slice(&strings);
    table
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("kallsyms: table over 4 GiB, the format's offsets are u32")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Table;

    fn host(name: &str, addr: u64, size: u64) -> HostSymbol {
        HostSymbol {
            name: name.into(),
            addr,
            size,
        }
    }

    #[test]
    fn sorts_by_address() {
        let bytes = encode(&[
            host("c", 0x300, 1),
            host("a", 0x100, 1),
            host("b", 0x200, 1),
        ]);
        let table = Table::parse(&bytes).unwrap();
        let order: Vec<(&str, u64)> = table.iter().map(|s| (s.name, s.addr)).collect();
        assert_eq!(order, [("a", 0x100), ("b", 0x200), ("c", 0x300)]);
    }

    #[test]
    fn keeps_one_alias_whatever_the_input_order() {
        let aliases = [
            host("memcpy", 0x100, 0),
            host("__memcpy", 0x100, 0x40),
            host("b", 0x100, 0x40),
        ];
        let forward = encode(&aliases);
        let mut reversed = aliases.clone();
        reversed.reverse();
        assert_eq!(forward, encode(&reversed));

        // The sized alias wins, then the first name in byte order.
        let table = Table::parse(&forward).unwrap();
        assert_eq!(table.len(), 1);
        assert_eq!(
            table.lookup(0x100).unwrap().to_string(),
            "__memcpy+0x0/0x40"
        );
    }

    #[test]
    fn stores_a_shared_name_once() {
        let one = encode(&[host("new", 0x100, 1)]);
        let two = encode(&[host("new", 0x100, 1), host("new", 0x200, 1)]);
        assert_eq!(two.len(), one.len() + ENTRY_LEN);
        let table = Table::parse(&two).unwrap();
        assert_eq!(table.lookup(0x200).unwrap().name, "new");
    }

    #[test]
    fn cuts_names_at_nul_and_caps_sizes() {
        let bytes = encode(&[host("abc\0def", 0x100, u64::MAX)]);
        let table = Table::parse(&bytes).unwrap();
        let symbol = table.lookup(0x100).unwrap();
        assert_eq!((symbol.name, symbol.size), ("abc", u64::from(u32::MAX)));
    }

    #[test]
    fn header_matches_the_documented_layout() {
        let bytes = encode(&[host("f", 0x1234, 0x10)]);
        let mut expected = Vec::new();
        expected.extend_from_slice(b"KALLSYMS");
        expected.extend_from_slice(&1u32.to_le_bytes()); // version
        expected.extend_from_slice(&1u32.to_le_bytes()); // count
        expected.extend_from_slice(&40u32.to_le_bytes()); // strings_off = 24 + 16
        expected.extend_from_slice(&2u32.to_le_bytes()); // strings_len: "f\0"
        expected.extend_from_slice(&0x1234u64.to_le_bytes());
        expected.extend_from_slice(&0x10u32.to_le_bytes());
        expected.extend_from_slice(&0u32.to_le_bytes());
        expected.extend_from_slice(b"f\0");
        assert_eq!(bytes, expected);
    }
}
