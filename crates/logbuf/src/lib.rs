//! The kernel log: Linux's printk ring buffer (log_buf, kernel/printk/), without hardware.
//! printk pushes records here; dmesg (syslog(2)) and /dev/kmsg read them back in Linux's
//! exact text formats; the console prints the records its loglevel lets through.
//! `no_std` and no `alloc`: a `LogBuf` is a fixed byte array that can live in a static.

#![no_std]
#![forbid(unsafe_code)]

mod console;
mod format;
mod level;
mod ring;
pub mod syslog;

pub use console::{
    ConsoleLevel, CONSOLE_LOGLEVEL_DEBUG, CONSOLE_LOGLEVEL_DEFAULT, CONSOLE_LOGLEVEL_QUIET,
};
pub use format::{ConsoleLine, KmsgLine, SyslogLine};
pub use level::{Level, MESSAGE_LOGLEVEL_DEFAULT};
pub use ring::{Cursor, Iter, LogBuf, Record, MAX_TEXT_LEN, RECORD_HEADER_LEN};
