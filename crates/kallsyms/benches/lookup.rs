//! Benchmark of `Table::lookup` in a 5,000-symbol table, about a kernel's size:
//! the cost of resolving one backtrace frame (Linux's kallsyms_lookup).
//!
//! Addresses are spread over the whole table, hits and misses alike.

use criterion::{criterion_group, criterion_main, Criterion};
use kallsyms::{encode, HostSymbol, Table};
use std::hint::black_box;

const SYMBOLS: u64 = 5_000;
const BASE: u64 = 0xffff_ffff_8000_0000;

/// Functions of 16 to 1024 bytes with small gaps, Rust-length names.
fn kernel_like() -> Vec<HostSymbol> {
    let mut addr = BASE + 0x1000;
    (0..SYMBOLS)
        .map(|i| {
            let size = 16 + (i * 7919) % 1008;
            let symbol = HostSymbol {
                name: format!("noyau::subsystem{}::function_number_{i}", i % 23),
                addr,
                size,
            };
            addr += size + (i % 3) * 16;
            symbol
        })
        .collect()
}

fn lookup(c: &mut Criterion) {
    let bytes = encode(&kernel_like());
    let table = Table::parse(&bytes).expect("the benchmark table parses");
    let last = table
        .iter()
        .last()
        .expect("the benchmark table is not empty");
    let span = last.addr + last.size - BASE;

    // A fixed pseudo-random walk over the text, so each run probes the same addresses.
    let probes: Vec<u64> = (0..1024u64)
        .map(|i| BASE + (i * 2_654_435_761) % span)
        .collect();

    c.bench_function("lookup 5000 symbols", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % probes.len();
            black_box(table.lookup(black_box(probes[i])))
        })
    });
    c.bench_function("parse 5000 symbols", |b| {
        b.iter(|| Table::parse(black_box(&bytes)))
    });
}

criterion_group!(benches, lookup);
criterion_main!(benches);
