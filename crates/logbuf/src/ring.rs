//! The record ring: Linux's printk ringbuffer (log_buf, kernel/printk/printk_ringbuffer.c)
//! reduced to one writer under a lock. Variable-length records live in one `[u8; N]`;
//! each has a sequence number that is never reused, and the oldest are overwritten when
//! a new record needs their room.

/*
 * Layout. A record is a 19-byte header followed by its UTF-8 text:
 *
 *     0..2   text length (u16, little-endian), or WRAP
 *     2      level
 *     3..11  sequence number (u64)
 *     11..19 timestamp, ns since boot (u64)
 *
 * A record is never split across the end of the array, so a reader gets its text as one
 * `&str` with no copy. When a record does not fit before the end, the bytes from `head`
 * to the end become padding: a WRAP length marks it (when there are at least
 * RECORD_HEADER_LEN bytes left; fewer bytes are padding without a mark, since no record
 * could start there) and the record goes at offset 0. Padding wastes less than one record
 * at the end, as in Linux's data ring, which keeps its blocks whole for the same reason.
 *
 * Records sit in seq order from `tail` (the oldest) round to `head` (where the next one
 * goes). To make room, the oldest records are dropped until the free gap in front of
 * `head` holds the new record and any padding. Records never move once written, so an
 * offset stays valid for as long as its record's seq is not below `oldest_seq`: this is
 * what lets a `Cursor` resume in O(1).
 */

use core::str;

use crate::Level;

/// Longest text a record keeps, in bytes; longer text is cut at a char boundary.
pub const MAX_TEXT_LEN: usize = 1000;

/// Bytes of header in front of each record's text in the array.
pub const RECORD_HEADER_LEN: usize = 19;

const HDR: usize = RECORD_HEADER_LEN;
const WRAP: u16 = u16::MAX;

/// One message as stored: what dmesg and /dev/kmsg print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    pub seq: u64,
    pub ts_ns: u64,
    pub level: Level,
    pub text: &'a str,
}

/// A ring of log records in `N` bytes (Linux's default is 128 KiB, CONFIG_LOG_BUF_SHIFT=17).
pub struct LogBuf<const N: usize> {
    buf: [u8; N],
    /// Offset where the next record goes, before wrapping; may equal N.
    head: usize,
    /// Offset of the oldest record, when there is one.
    tail: usize,
    /// Offset of the newest record, when there is one.
    last: usize,
    oldest_seq: u64,
    next_seq: u64,
    /// Set by `clear()`: `iter()` and `len()` start here (Linux's clear_seq).
    clear_seq: u64,
    dropped: u64,
}

impl<const N: usize> LogBuf<N> {
    /// The smallest N accepted: room for a header and a few characters.
    pub const MIN_SIZE: usize = 64;

    /// Longest text this buffer keeps: `MAX_TEXT_LEN`, or less in a tiny buffer.
    pub const MAX_TEXT: usize = if N - HDR < MAX_TEXT_LEN {
        N - HDR
    } else {
        MAX_TEXT_LEN
    };

    /// An empty log; `const` so the kernel can keep one in a static.
    pub const fn new() -> Self {
        const { assert!(N >= Self::MIN_SIZE, "logbuf: buffer smaller than MIN_SIZE") };
        LogBuf {
            buf: [0; N],
            head: 0,
            tail: 0,
            last: 0,
            oldest_seq: 0,
            next_seq: 0,
            clear_seq: 0,
            dropped: 0,
        }
    }

    /// Stores a message and returns its sequence number. One trailing newline is
    /// stripped and the text is cut to `MAX_TEXT` bytes; the oldest records are dropped
    /// when the buffer has no room.
    pub fn push(&mut self, ts_ns: u64, level: Level, text: &str) -> u64 {
        let text = clip(text.strip_suffix('\n').unwrap_or(text), Self::MAX_TEXT);
        let size = HDR + text.len();

        // A record that does not fit before the end starts at 0; the tail becomes padding.
        let wraps = self.head + size > N;
        let needed = if wraps { N - self.head + size } else { size };
        while self.stored() > 0 && self.free_ahead() < needed {
            self.drop_oldest();
        }

        let at = if wraps {
            if N - self.head >= HDR {
                self.put_u16(self.head, WRAP);
            }
            0
        } else {
            self.head
        };
        if self.stored() == 0 {
            self.tail = at;
        }

        let seq = self.next_seq;
        self.put_u16(at, text.len() as u16);
        self.buf[at + 2] = level.as_u8();
        self.buf[at + 3..at + 11].copy_from_slice(&seq.to_le_bytes());
        self.buf[at + 11..at + HDR].copy_from_slice(&ts_ns.to_le_bytes());
        self.buf[at + HDR..at + size].copy_from_slice(text.as_bytes());
        self.last = at;
        self.head = at + size;
        self.next_seq += 1;
        seq
    }

    /// The first record dmesg reads: the oldest one kept, or the first after `clear()`.
    pub fn first_seq(&self) -> u64 {
        self.oldest_seq.max(self.clear_seq)
    }

    /// The oldest record kept, whatever `clear()` said (where /dev/kmsg readers start).
    pub fn oldest_seq(&self) -> u64 {
        self.oldest_seq
    }

    /// The sequence number the next `push` will return.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// How many records were overwritten to make room since boot.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The buffer's size in bytes (what SYSLOG_ACTION_SIZE_BUFFER reports).
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Records from `first_seq()` on: what `iter()` yields.
    pub fn len(&self) -> usize {
        (self.next_seq - self.first_seq()) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hides every record stored so far from `iter()` and `len()`, as syslog(2)'s
    /// SYSLOG_ACTION_CLEAR does; `get`, `iter_from` and cursors still reach them.
    pub fn clear(&mut self) {
        self.clear_seq = self.next_seq;
    }

    /// The record numbered `seq`, or `None` if it was overwritten or not yet written.
    /// O(1) for the oldest and the newest record, otherwise a walk from the oldest.
    pub fn get(&self, seq: u64) -> Option<Record<'_>> {
        if seq < self.oldest_seq || seq >= self.next_seq {
            return None;
        }
        Some(self.record_at(self.locate(seq)))
    }

    /// The records from `first_seq()` to the newest, oldest first.
    pub fn iter(&self) -> Iter<'_, N> {
        self.iter_from(self.first_seq())
    }

    /// The records from `seq` (or the oldest kept, if `seq` was overwritten) to the newest.
    pub fn iter_from(&self, seq: u64) -> Iter<'_, N> {
        let seq = seq.clamp(self.oldest_seq, self.next_seq);
        let off = if seq < self.next_seq {
            self.locate(seq)
        } else {
            0
        };
        Iter {
            log: self,
            seq,
            off,
        }
    }

    /// Reads the record at `cursor` and moves it to the next one; `None` when it has
    /// caught up with the writer. Overwritten records are skipped: a caller that must
    /// report them (as /dev/kmsg does with EPIPE) compares `cursor.seq()` with
    /// `oldest_seq()` first. O(1) when the cursor's last read record is still kept.
    pub fn read(&self, cursor: &mut Cursor) -> Option<Record<'_>> {
        let seq = cursor.seq.max(self.oldest_seq);
        if seq >= self.next_seq {
            cursor.seq = seq;
            return None;
        }

        let off = match cursor.prev {
            Some((prev, off)) if prev + 1 == seq && prev >= self.oldest_seq => self.after(off),
            _ => self.locate(seq),
        };
        cursor.prev = Some((seq, off));
        cursor.seq = seq + 1;
        Some(self.record_at(off))
    }

    fn stored(&self) -> u64 {
        self.next_seq - self.oldest_seq
    }

    /// Free bytes from `head` round to the oldest record (0 when full).
    fn free_ahead(&self) -> usize {
        (self.tail + N - self.head) % N
    }

    fn drop_oldest(&mut self) {
        let next = self.after(self.tail);
        self.oldest_seq += 1;
        self.dropped += 1;
        self.tail = if self.stored() == 0 { self.head } else { next };
    }

    /// Offset of a kept record: O(1) for the newest, else a walk from the oldest.
    fn locate(&self, seq: u64) -> usize {
        if seq + 1 == self.next_seq {
            return self.last;
        }
        let mut off = self.tail;
        for _ in self.oldest_seq..seq {
            off = self.after(off);
        }
        off
    }

    /// Offset of the record that follows the one at `off`, following a wrap.
    fn after(&self, off: usize) -> usize {
        let end = off + HDR + self.get_u16(off) as usize;
        if N - end < HDR || self.get_u16(end) == WRAP {
            0
        } else {
            end
        }
    }

    fn record_at(&self, off: usize) -> Record<'_> {
        let len = self.get_u16(off) as usize;
        let level = Level::from_u8(self.buf[off + 2]).expect("logbuf: stored level above 7");
        let seq = u64::from_le_bytes(self.buf[off + 3..off + 11].try_into().unwrap());
        let ts_ns = u64::from_le_bytes(self.buf[off + 11..off + HDR].try_into().unwrap());
        let text = str::from_utf8(&self.buf[off + HDR..off + HDR + len])
            .expect("logbuf: a kept record's text is the UTF-8 that push copied");
        Record {
            seq,
            ts_ns,
            level,
            text,
        }
    }

    fn get_u16(&self, off: usize) -> u16 {
        u16::from_le_bytes([self.buf[off], self.buf[off + 1]])
    }

    fn put_u16(&mut self, off: usize, value: u16) {
        self.buf[off..off + 2].copy_from_slice(&value.to_le_bytes());
    }
}

impl<const N: usize> Default for LogBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// `text` cut to at most `max` bytes, at a char boundary.
fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Records oldest first, borrowed from a `LogBuf`.
pub struct Iter<'a, const N: usize> {
    log: &'a LogBuf<N>,
    seq: u64,
    off: usize,
}

impl<'a, const N: usize> Iterator for Iter<'a, N> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        if self.seq >= self.log.next_seq {
            return None;
        }
        let record = self.log.record_at(self.off);
        self.seq += 1;
        if self.seq < self.log.next_seq {
            self.off = self.log.after(self.off);
        }
        Some(record)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.log.next_seq - self.seq) as usize;
        (left, Some(left))
    }
}

impl<const N: usize> ExactSizeIterator for Iter<'_, N> {}

impl<'a, const N: usize> IntoIterator for &'a LogBuf<N> {
    type Item = Record<'a>;
    type IntoIter = Iter<'a, N>;

    fn into_iter(self) -> Iter<'a, N> {
        self.iter()
    }
}

/// A reader's place in the log, kept between reads without borrowing it: the seq a
/// /dev/kmsg file or syslog(2)'s SYSLOG_ACTION_READ reads next, plus where the last read
/// record was so that the next read need not walk. A cursor belongs to one `LogBuf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    seq: u64,
    prev: Option<(u64, usize)>,
}

impl Cursor {
    /// A cursor that reads `seq` next (or the oldest record kept, if that is later).
    pub const fn new(seq: u64) -> Self {
        Cursor { seq, prev: None }
    }

    /// The seq this cursor reads next.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

#[cfg(test)]
mod tests;
