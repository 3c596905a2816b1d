//! printk: the kernel log (Linux: kernel/printk/printk.c).
//!
//! Every message becomes a record in a 128 KiB ring buffer (the `logbuf`
//! crate) with a sequence number, a timestamp and one of Linux's eight
//! levels; dmesg will read it back. A record is also written to the serial
//! console when its level passes the console filter, which `loglevel=N`,
//! `quiet`, `debug` and `ignore_loglevel` set. The filter never drops
//! records from the buffer.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, Ordering};

use logbuf::{ConsoleLevel, Level, LogBuf};

use crate::drivers::tty::serial;
use crate::kernel::sync::IrqSpinLock;

/// Linux's default: CONFIG_LOG_BUF_SHIFT=17.
const LOG_BUF_LEN: usize = 128 * 1024;

/// The longest message kept; longer ones are cut.
const LINE_MAX: usize = 1000;

static LOG: IrqSpinLock<LogBuf<LOG_BUF_LEN>> = IrqSpinLock::new(LogBuf::new());
static CONSOLE: IrqSpinLock<ConsoleLevel> = IrqSpinLock::new(ConsoleLevel::new());

/// Set once the kernel is dying: printk then no longer waits for locks.
static OOPS_IN_PROGRESS: AtomicBool = AtomicBool::new(false);

/// A fixed buffer that formats a message and silently cuts what overflows.
struct LineBuf {
    bytes: [u8; LINE_MAX],
    len: usize,
}

impl LineBuf {
    fn as_str(&self) -> &str {
        // Writes only ever append whole chars (see write_str), so this holds.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl Write for LineBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let mut utf8 = [0u8; 4];
            let enc = c.encode_utf8(&mut utf8).as_bytes();
            if self.len + enc.len() > LINE_MAX {
                break;
            }
            self.bytes[self.len..self.len + enc.len()].copy_from_slice(enc);
            self.len += enc.len();
        }
        Ok(())
    }
}

/// Serial output as a `fmt::Write` sink.
struct SerialSink {
    locked: bool,
}

impl Write for SerialSink {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.locked {
            serial::write_bytes(s.as_bytes());
        } else {
            serial::write_bytes_unlocked(s.as_bytes());
        }
        Ok(())
    }
}

/// Apply the console filter words of the kernel command line.
pub fn setup_console_level(cmdline: &str) {
    CONSOLE.lock().apply_cmdline(cmdline);
}

/// Enter panic mode: from now on printk never waits for a lock.
pub fn oops_begin() {
    OOPS_IN_PROGRESS.store(true, Ordering::SeqCst);
}

/// The kernel log's byte size (syslog's SYSLOG_ACTION_SIZE_BUFFER).
pub const LOG_SIZE: usize = LOG_BUF_LEN;

/// Work on the kernel log under its lock (syslog(2), /dev/kmsg).
pub fn with_log<R>(f: impl FnOnce(&mut LogBuf<LOG_BUF_LEN>) -> R) -> R {
    f(&mut LOG.lock())
}

/// Work on the console filter (syslog's console actions).
pub fn with_console_level<R>(f: impl FnOnce(&mut ConsoleLevel) -> R) -> R {
    f(&mut CONSOLE.lock())
}

/// Count the records still in the buffer whose text matches.
pub fn count_records(matches: impl Fn(&str) -> bool) -> usize {
    LOG.lock().iter().filter(|r| matches(r.text)).count()
}

pub fn printk(level: Level, args: fmt::Arguments) {
    let mut line = LineBuf {
        bytes: [0; LINE_MAX],
        len: 0,
    };
    let _ = line.write_fmt(args);
    let ts = crate::kernel::time::ktime_get_ns();

    if OOPS_IN_PROGRESS.load(Ordering::Relaxed) {
        // The failing code may hold any lock: store if we can, print anyway.
        if let Some(mut log) = LOG.try_lock() {
            log.push(ts, level, line.as_str());
        }
        let rec = logbuf::Record {
            seq: 0,
            ts_ns: ts,
            level,
            text: line.as_str(),
        };
        let _ = write!(SerialSink { locked: false }, "{}", rec.console());
        return;
    }

    let shows = CONSOLE.lock().shows(level);
    let mut log = LOG.lock();
    let seq = log.push(ts, level, line.as_str());
    if shows {
        if let Some(rec) = log.get(seq) {
            let _ = write!(SerialSink { locked: true }, "{}", rec.console());
        }
    }
}

/// Sends each line of a formatted text as its own record, for reports
/// longer than one record holds (/proc-style tables).
struct LineSplitter {
    level: Level,
    line: LineBuf,
}

impl Write for LineSplitter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for (i, part) in s.split('\n').enumerate() {
            if i > 0 {
                printk(self.level, format_args!("{}", self.line.as_str()));
                self.line.len = 0;
            }
            self.line.write_str(part)?;
        }
        Ok(())
    }
}

/// printk a multi-line text one line per record.
pub fn printk_lines(level: Level, args: fmt::Arguments) {
    let mut splitter = LineSplitter {
        level,
        line: LineBuf {
            bytes: [0; LINE_MAX],
            len: 0,
        },
    };
    let _ = splitter.write_fmt(args);
    if splitter.line.len > 0 {
        printk(level, format_args!("{}", splitter.line.as_str()));
    }
}

#[macro_export]
macro_rules! printk {
    ($level:expr, $($arg:tt)*) => {
        $crate::kernel::printk::printk($level, format_args!($($arg)*))
    };
}

#[macro_export]
macro_rules! pr_emerg {
    ($($arg:tt)*) => { $crate::printk!(logbuf::Level::Emerg, $($arg)*) };
}

#[macro_export]
macro_rules! pr_alert {
    ($($arg:tt)*) => { $crate::printk!(logbuf::Level::Alert, $($arg)*) };
}

#[macro_export]
macro_rules! pr_crit {
    ($($arg:tt)*) => { $crate::printk!(logbuf::Level::Crit, $($arg)*) };
}

#[macro_export]
macro_rules! pr_err {
    ($($arg:tt)*) => { $crate::printk!(logbuf::Level::Err, $($arg)*) };
}

#[macro_export]
macro_rules! pr_warn {
    ($($arg:tt)*) => { $crate::printk!(logbuf::Level::Warning, $($arg)*) };
}

#[macro_export]
macro_rules! pr_notice {
    ($($arg:tt)*) => { $crate::printk!(logbuf::Level::Notice, $($arg)*) };
}

#[macro_export]
macro_rules! pr_info {
    ($($arg:tt)*) => { $crate::printk!(logbuf::Level::Info, $($arg)*) };
}

#[macro_export]
macro_rules! pr_debug {
    ($($arg:tt)*) => { $crate::printk!(logbuf::Level::Debug, $($arg)*) };
}
