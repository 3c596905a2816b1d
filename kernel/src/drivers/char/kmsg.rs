//! /dev/kmsg, character device 1:11 (Linux: kernel/printk/printk.c's
//! devkmsg_read and devkmsg_write).
//!
//! Each open file reads the log from its oldest record on, one record per
//! read, as `level,seq,usec,-;text`. A reader that fell behind the ring
//! gets EPIPE once and goes on from the oldest record left; one whose
//! buffer cannot hold the record gets EINVAL and loses it, as on Linux.
//! A write logs one record, at the level of a leading `<N>` or else at the
//! default message level.

use alloc::format;

use linux_raw_sys::errno::{EAGAIN, EINVAL, EPIPE};
use linux_raw_sys::general::O_NONBLOCK;
use logbuf::{Cursor, Level, MESSAGE_LOGLEVEL_DEFAULT};
use spin::Mutex;
use vfs::{Errno, File, FileOps};

use crate::kernel::printk::with_log;

pub struct Kmsg {
    cursor: Mutex<Cursor>,
}

impl Kmsg {
    pub fn new() -> Kmsg {
        Kmsg {
            cursor: Mutex::new(Cursor::new(0)),
        }
    }
}

impl FileOps for Kmsg {
    fn read(&self, file: &File, buf: &mut [u8], _pos: &mut u64) -> vfs::Result<usize> {
        loop {
            let line = with_log(|log| {
                let mut cursor = self.cursor.lock();
                if cursor.seq() < log.oldest_seq() {
                    *cursor = Cursor::new(log.oldest_seq());
                    return Err(Errno::new(EPIPE));
                }
                Ok(log.read(&mut cursor).map(|rec| format!("{}", rec.kmsg())))
            })?;
            match line {
                Some(line) if line.len() > buf.len() => return Err(Errno::new(EINVAL)),
                Some(line) => {
                    buf[..line.len()].copy_from_slice(line.as_bytes());
                    return Ok(line.len());
                }
                None if file.flags() & O_NONBLOCK != 0 => return Err(Errno::new(EAGAIN)),
                None if crate::kernel::signal::signal_pending() => {
                    return Err(Errno::new(linux_raw_sys::errno::EINTR))
                }
                None => crate::kernel::sched::yield_or_idle(),
            }
        }
    }

    /// One write is one record; a longer one than a record may hold is
    /// EINVAL, as Linux's devkmsg_write answers.
    fn write(&self, _file: &File, buf: &[u8], _pos: &mut u64) -> vfs::Result<usize> {
        if buf.len() > RECORD_MAX {
            return Err(Errno::EINVAL);
        }
        let (level, text) = split_level(buf);
        let text = core::str::from_utf8(text).unwrap_or("(not UTF-8)");
        crate::printk!(level, "{}", text.trim_end_matches('\n'));
        Ok(buf.len())
    }

    fn seekable(&self) -> bool {
        false
    }
}

/// The longest write: Linux 6.1's LOG_LINE_MAX, a record's 1024 bytes
/// less the 32 of the longest prefix (later kernels take 1024).
const RECORD_MAX: usize = 1024 - 32;

/// A leading `<N>` (the facility bits of N ignored) and the rest.
fn split_level(buf: &[u8]) -> (Level, &[u8]) {
    if let [b'<', rest @ ..] = buf {
        if let Some(end) = rest.iter().position(|&b| b == b'>') {
            let n = core::str::from_utf8(&rest[..end])
                .ok()
                .and_then(|s| s.parse::<u32>().ok());
            if let Some(level) = n.and_then(|n| Level::from_u8((n & 7) as u8)) {
                return (level, &rest[end + 1..]);
            }
        }
    }
    (MESSAGE_LOGLEVEL_DEFAULT, buf)
}
