//! Property tests: random symbol sets survive encode → parse → lookup, and random
//! or corrupted bytes never make the reader panic or read out of bounds.
//!
//! The reference for lookups is a plain linear scan over the expected symbols.

use proptest::prelude::*;

use crate::format::*;
use crate::{encode, HostSymbol, Table};

fn symbols() -> impl Strategy<Value = Vec<HostSymbol>> {
    // A small address space, so that aliases and overlaps are frequent.
    let symbol = (
        "\\PC{0,12}",
        0..0x2000u64,
        prop_oneof![Just(0u64), 1..0x400u64],
    );
    let symbol = symbol.prop_map(|(name, addr, size)| HostSymbol { name, addr, size });
    prop::collection::vec(symbol, 0..40)
}

/// What the table should hold: by address, one alias per address, as encode documents.
fn expected(symbols: &[HostSymbol]) -> Vec<HostSymbol> {
    let mut sorted = symbols.to_vec();
    sorted.sort_by(|a, b| {
        a.addr
            .cmp(&b.addr)
            .then(b.size.cmp(&a.size))
            .then(a.name.cmp(&b.name))
    });
    sorted.dedup_by_key(|symbol| symbol.addr);
    sorted
}

/// Linear-scan lookup: (name, start, effective size, offset).
fn reference(symbols: &[HostSymbol], addr: u64) -> Option<(String, u64, u64, u64)> {
    let index = symbols.iter().rposition(|symbol| symbol.addr <= addr)?;
    let symbol = &symbols[index];
    let size = match (symbol.size, symbols.get(index + 1)) {
        (0, Some(next)) => next.addr - symbol.addr,
        (size, _) => size,
    };
    let offset = addr - symbol.addr;
    let inside = offset < size || (size == 0 && offset == 0);
    inside.then(|| (symbol.name.clone(), symbol.addr, size, offset))
}

/// Runs every read path of a table; only the absence of panics is checked.
fn exercise(table: &Table<'_>, probes: &[u64]) {
    for &addr in probes {
        if let Some(symbol) = table.lookup(addr) {
            assert!(symbol.addr <= addr && symbol.offset == addr - symbol.addr);
            let _ = symbol.to_string();
        }
    }
    assert_eq!(table.iter().count(), table.len());
    if let Some(first) = table.iter().next() {
        assert!(table.find(first.name).is_some());
    }
}

proptest! {
    #[test]
    fn symbol_sets_round_trip(
        symbols in symbols(),
        probes in prop::collection::vec(0..0x2800u64, 20),
    ) {
        let bytes = encode(&symbols);
        let table = Table::parse(&bytes).expect("a freshly encoded table parses");
        let want = expected(&symbols);
        prop_assert_eq!(table.len(), want.len());

        for (got, want) in table.iter().zip(&want) {
            prop_assert_eq!((got.name, got.addr), (want.name.as_str(), want.addr));
        }

        // Probe each boundary of each symbol, and some random addresses.
        let edges = want.iter().flat_map(|s| {
            [s.addr.wrapping_sub(1), s.addr, s.addr + s.size.saturating_sub(1), s.addr + s.size]
        });
        for addr in edges.chain(probes) {
            let got = table.lookup(addr).map(|s| (s.name.to_string(), s.addr, s.size, s.offset));
            prop_assert_eq!(got, reference(&want, addr), "addr {:#x}", addr);
        }
    }

    #[test]
    fn random_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        probes in prop::collection::vec(any::<u64>(), 8),
    ) {
        if let Some(table) = Table::parse(&bytes) {
            exercise(&table, &probes);
        }
    }

    #[test]
    fn random_headers_never_panic(
        fields in prop::array::uniform3(0..64u32),
        body in prop::collection::vec(any::<u8>(), 0..512),
        probes in prop::collection::vec(any::<u64>(), 8),
    ) {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        // count, strings_off, strings_len near plausible values, then anything.
        bytes.extend_from_slice(&fields[0].to_le_bytes());
        bytes.extend_from_slice(&(HEADER_LEN as u32 + fields[0] * ENTRY_LEN as u32).to_le_bytes());
        bytes.extend_from_slice(&(fields[1] * fields[2]).to_le_bytes());
        bytes.extend_from_slice(&body);
        if let Some(table) = Table::parse(&bytes) {
            exercise(&table, &probes);
        }
    }

    #[test]
    fn corrupted_tables_never_panic(
        symbols in symbols(),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
        probes in prop::collection::vec(0..0x2800u64, 8),
    ) {
        let mut bytes = encode(&symbols);
        for (at, value) in flips {
            let len = bytes.len();
            bytes[at % len] ^= value;
        }
        bytes.truncate(bytes.len().saturating_sub(cut % 4));
        if let Some(table) = Table::parse(&bytes) {
            exercise(&table, &probes);
        }
    }
}
