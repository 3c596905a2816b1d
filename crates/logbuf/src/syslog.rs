//! What syslog(2) reads (Linux: kernel/printk/printk.c, syslog_print_all):
//! the records from a sequence number on, as syslog lines, cut at the
//! front so that the newest ones fit the reader's buffer.

use core::fmt::{self, Write};

use crate::LogBuf;

/// Counts what would be written.
struct Counter(usize);

impl Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

fn line_len(rec: &crate::Record<'_>) -> usize {
    let mut c = Counter(0);
    let _ = write!(c, "{}", rec.syslog());
    c.0
}

/// The bytes of the syslog lines of the records from `from` on.
pub fn unread_bytes<const N: usize>(log: &LogBuf<N>, from: u64) -> usize {
    log.iter_from(from).map(|r| line_len(&r)).sum()
}

/// Write to `out` the syslog lines of the newest records from `from` on
/// that fit in `len` bytes, oldest first; the bytes written. A record is
/// whole or left out, as in Linux.
pub fn read_all<const N: usize, W: Write>(
    log: &LogBuf<N>,
    from: u64,
    len: usize,
    out: &mut W,
) -> usize {
    let mut total = unread_bytes(log, from);
    let mut start = from.max(log.oldest_seq());
    for rec in log.iter_from(from) {
        if total <= len {
            break;
        }
        total -= line_len(&rec);
        start = rec.seq + 1;
    }
    for rec in log.iter_from(start) {
        let _ = write!(out, "{}", rec.syslog());
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    /// A fixed string sink, as the no-alloc crate has no String.
    struct Sink {
        buf: [u8; 512],
        len: usize,
    }

    impl Write for Sink {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
            Ok(())
        }
    }

    fn log() -> LogBuf<4096> {
        let mut log = LogBuf::new();
        log.push(1_000, Level::Info, "one");
        log.push(2_000_000, Level::Warning, "two");
        log.push(3_500_000_000, Level::Err, "three");
        log
    }

    fn read(log: &LogBuf<4096>, from: u64, len: usize) -> (usize, Sink) {
        let mut sink = Sink {
            buf: [0; 512],
            len: 0,
        };
        let n = read_all(log, from, len, &mut sink);
        (n, sink)
    }

    #[test]
    fn everything_fits_a_large_buffer() {
        let log = log();
        let (n, sink) = read(&log, 0, 1000);
        let text = core::str::from_utf8(&sink.buf[..sink.len]).unwrap();
        assert_eq!(
            text,
            "<6>[    0.000001] one\n<4>[    0.002000] two\n<3>[    3.500000] three\n"
        );
        assert_eq!(n, text.len());
        assert_eq!(unread_bytes(&log, 0), n);
    }

    #[test]
    fn a_small_buffer_gets_the_newest_whole_records() {
        let log = log();
        // Each line is 22, 22 and 24 bytes: 50 bytes hold the last two.
        let (n, sink) = read(&log, 0, 50);
        assert_eq!(n, 46);
        assert_eq!(
            &sink.buf[..sink.len],
            b"<4>[    0.002000] two\n<3>[    3.500000] three\n"
        );
        let (n, _) = read(&log, 0, 10);
        assert_eq!(n, 0);
    }

    #[test]
    fn reading_starts_at_the_given_sequence() {
        let log = log();
        let (n, sink) = read(&log, 2, 1000);
        assert_eq!(n, 24);
        assert_eq!(&sink.buf[..sink.len], b"<3>[    3.500000] three\n");
    }
}
