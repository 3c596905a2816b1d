//! The kernel log's text formats, byte for byte as Linux prints them (kernel/printk/printk.c):
//! the console line, the syslog(2) line that dmesg reads, and the /dev/kmsg line.
//! Tools parse these, so they are `Display` adapters written to any `core::fmt::Write`.

use core::fmt::{self, Display, Formatter, Write};

use crate::Record;

/// A record as the console prints it: `[    0.012345] text\n`.
///
/// As in Linux's record_print_text, every line of a multi-line text gets the prefix, and
/// every line ends in `\n` (the newline `push` stripped comes back here).
#[derive(Clone, Copy, Debug)]
pub struct ConsoleLine<'a>(pub Record<'a>);

/// A record as syslog(2) SYSLOG_ACTION_READ_ALL returns it to dmesg:
/// `<6>[    0.012345] text\n`, the facility (always 0, the kernel's) times 8 plus the level
/// in angle brackets, then the console line.
#[derive(Clone, Copy, Debug)]
pub struct SyslogLine<'a>(pub Record<'a>);

/// A record as a read of /dev/kmsg returns it: `6,SEQ,USEC,-;text\n`.
///
/// One line whatever the text: as Linux does, bytes below 0x20 (newlines too), bytes from
/// 0x7f up (so each byte of a non-ASCII character) and `\` are written as `\xNN`.
#[derive(Clone, Copy, Debug)]
pub struct KmsgLine<'a>(pub Record<'a>);

impl<'a> Record<'a> {
    /// This record as the console prints it.
    pub fn console(&self) -> ConsoleLine<'a> {
        ConsoleLine(*self)
    }

    /// This record as dmesg reads it through syslog(2).
    pub fn syslog(&self) -> SyslogLine<'a> {
        SyslogLine(*self)
    }

    /// This record as /dev/kmsg returns it.
    pub fn kmsg(&self) -> KmsgLine<'a> {
        KmsgLine(*self)
    }
}

/// Linux's printk time prefix, `[%5lu.%06lu]`: seconds, then microseconds.
fn write_time(f: &mut Formatter<'_>, ts_ns: u64) -> fmt::Result {
    let secs = ts_ns / 1_000_000_000;
    let usecs = ts_ns % 1_000_000_000 / 1000;
    write!(f, "[{secs:5}.{usecs:06}]")
}

impl Display for ConsoleLine<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for line in self.0.text.split('\n') {
            write_time(f, self.0.ts_ns)?;
            f.write_char(' ')?;
            f.write_str(line)?;
            f.write_char('\n')?;
        }
        Ok(())
    }
}

impl Display for SyslogLine<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let record = &self.0;
        for line in record.text.split('\n') {
            write!(f, "<{}>", record.level.as_u8())?;
            write_time(f, record.ts_ns)?;
            f.write_char(' ')?;
            f.write_str(line)?;
            f.write_char('\n')?;
        }
        Ok(())
    }
}

impl Display for KmsgLine<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let record = &self.0;
        write!(
            f,
            "{},{},{},-;",
            record.level.as_u8(),
            record.seq,
            record.ts_ns / 1000
        )?;

        // Every byte of a plain run is ASCII, so the run is a valid str slice.
        let text = record.text;
        let mut plain = 0;
        for (i, &byte) in text.as_bytes().iter().enumerate() {
            if !(b' '..0x7f).contains(&byte) || byte == b'\\' {
                if plain < i {
                    f.write_str(&text[plain..i])?;
                }
                write!(f, "\\x{byte:02x}")?;
                plain = i + 1;
            }
        }
        f.write_str(&text[plain..])?;
        f.write_char('\n')
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::string::{String, ToString};

    use super::*;
    use crate::Level;

    fn rec(seq: u64, ts_ns: u64, level: Level, text: &str) -> Record<'_> {
        Record {
            seq,
            ts_ns,
            level,
            text,
        }
    }

    #[test]
    fn console_time_prefix() {
        let r = rec(0, 12_345_678, Level::Info, "hello");
        assert_eq!(r.console().to_string(), "[    0.012345] hello\n");
        let r = rec(0, 0, Level::Info, "boot");
        assert_eq!(r.console().to_string(), "[    0.000000] boot\n");
        let r = rec(0, 3_723_500_000_000, Level::Info, "x");
        assert_eq!(r.console().to_string(), "[ 3723.500000] x\n");
        let r = rec(0, 99_999_999_999_999, Level::Info, "x");
        assert_eq!(r.console().to_string(), "[99999.999999] x\n");
    }

    #[test]
    fn large_timestamps_widen_the_field() {
        let r = rec(0, 100_000_000_000_000, Level::Info, "x");
        assert_eq!(r.console().to_string(), "[100000.000000] x\n");
        let r = rec(u64::MAX, u64::MAX, Level::Debug, "x");
        assert_eq!(r.console().to_string(), "[18446744073.709551] x\n");
        assert_eq!(r.syslog().to_string(), "<7>[18446744073.709551] x\n");
        assert_eq!(
            r.kmsg().to_string(),
            "7,18446744073709551615,18446744073709551,-;x\n"
        );
    }

    #[test]
    fn sub_microsecond_is_truncated() {
        let r = rec(0, 1_999, Level::Info, "x");
        assert_eq!(r.console().to_string(), "[    0.000001] x\n");
        assert_eq!(r.kmsg().to_string(), "6,0,1,-;x\n");
    }

    #[test]
    fn syslog_line() {
        let r = rec(5, 12_345_678, Level::Info, "hello");
        assert_eq!(r.syslog().to_string(), "<6>[    0.012345] hello\n");
        let r = rec(5, 1_500_000_000, Level::Emerg, "panic");
        assert_eq!(r.syslog().to_string(), "<0>[    1.500000] panic\n");
    }

    #[test]
    fn multi_line_text_gets_a_prefix_per_line() {
        let r = rec(1, 2_000_000, Level::Err, "a\nb");
        assert_eq!(
            r.console().to_string(),
            "[    0.002000] a\n[    0.002000] b\n"
        );
        assert_eq!(
            r.syslog().to_string(),
            "<3>[    0.002000] a\n<3>[    0.002000] b\n"
        );
        let r = rec(1, 0, Level::Err, "");
        assert_eq!(r.console().to_string(), "[    0.000000] \n");
    }

    #[test]
    fn kmsg_line() {
        let r = rec(42, 12_345_678, Level::Info, "hello world");
        assert_eq!(r.kmsg().to_string(), "6,42,12345,-;hello world\n");
        let r = rec(0, 0, Level::Warning, "");
        assert_eq!(r.kmsg().to_string(), "4,0,0,-;\n");
    }

    #[test]
    fn kmsg_escapes_like_linux() {
        let r = rec(1, 1000, Level::Notice, "a\nb\tc\\d~\x7f");
        assert_eq!(r.kmsg().to_string(), "5,1,1,-;a\\x0ab\\x09c\\x5cd~\\x7f\n");
        let r = rec(2, 1000, Level::Notice, "é!");
        assert_eq!(r.kmsg().to_string(), "5,2,1,-;\\xc3\\xa9!\n");
    }

    #[test]
    fn writes_to_any_fmt_write() {
        let mut out = String::new();
        let r = rec(3, 1_000_000_000, Level::Debug, "x");
        write!(out, "{}{}", r.console(), r.syslog()).unwrap();
        assert_eq!(out, "[    1.000000] x\n<7>[    1.000000] x\n");
    }
}
