//! Benchmarks of printk's hot path on the host: storing a typical 60-byte message in a
//! full 128 KiB log (each push overwrites old records), and formatting a console line.

use std::fmt::{self, Write};
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use logbuf::{Level, LogBuf};

const LOG_BUF_LEN: usize = 128 * 1024;

/// A 60-byte message, as printk typically stores one.
const MESSAGE: &str = "Freeing unused kernel image (initmem) memory: 2048K of 4096K";

/// A writer into a fixed array, as the kernel's console writer would be.
struct Line {
    buf: [u8; 1100],
    len: usize,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn push(c: &mut Criterion) {
    assert_eq!(MESSAGE.len(), 60);
    let mut log = Box::new(LogBuf::<LOG_BUF_LEN>::new());
    let mut ts = 0u64;
    while log.dropped() == 0 {
        ts += 1000;
        log.push(ts, Level::Info, MESSAGE);
    }

    c.bench_function("push 60-byte record into full 128 KiB log", |b| {
        b.iter(|| {
            ts += 1000;
            black_box(log.push(black_box(ts), Level::Info, black_box(MESSAGE)))
        })
    });
}

fn format(c: &mut Criterion) {
    let mut log = Box::new(LogBuf::<LOG_BUF_LEN>::new());
    let seq = log.push(3_723_500_123_456, Level::Info, MESSAGE);
    let record = log.get(seq).expect("the record just pushed is kept");
    let mut line = Line {
        buf: [0; 1100],
        len: 0,
    };

    c.bench_function("format console line", |b| {
        b.iter(|| {
            line.len = 0;
            write!(line, "{}", black_box(record).console()).unwrap();
            black_box(line.len)
        })
    });
}

criterion_group!(benches, push, format);
criterion_main!(benches);
