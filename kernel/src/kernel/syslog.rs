//! syslog(2), which busybox dmesg calls as klogctl (Linux:
//! kernel/printk/printk.c do_syslog).
//!
//! SYSLOG_ACTION_READ_ALL returns the newest records that fit the buffer
//! since the last clear, as `<level>[time] text` lines; READ consumes
//! them from the one syslog reader's position; CLEAR only moves the clear
//! mark (the records stay for /dev/kmsg). Reading needs no privilege, as
//! with Linux's default dmesg_restrict=0; clearing and the console
//! actions need CAP_SYSLOG (effective root, for now).

use alloc::string::String;
use core::sync::atomic::{AtomicU64, Ordering};

use linux_raw_sys::errno::{EFAULT, EINVAL, EPERM};

use crate::kernel::printk::{with_console_level, with_log, LOG_SIZE};
use crate::kernel::signal::{signal_pending, ERESTARTSYS};
use crate::kernel::sys::err;
use crate::kernel::task::with_current;
use crate::mm::uaccess;

const SYSLOG_ACTION_CLOSE: u64 = 0;
const SYSLOG_ACTION_OPEN: u64 = 1;
const SYSLOG_ACTION_READ: u64 = 2;
const SYSLOG_ACTION_READ_ALL: u64 = 3;
const SYSLOG_ACTION_READ_CLEAR: u64 = 4;
const SYSLOG_ACTION_CLEAR: u64 = 5;
const SYSLOG_ACTION_CONSOLE_OFF: u64 = 6;
const SYSLOG_ACTION_CONSOLE_ON: u64 = 7;
const SYSLOG_ACTION_CONSOLE_LEVEL: u64 = 8;
const SYSLOG_ACTION_SIZE_UNREAD: u64 = 9;
const SYSLOG_ACTION_SIZE_BUFFER: u64 = 10;

/// The first record READ_ALL returns (Linux: clear_seq).
static CLEAR_SEQ: AtomicU64 = AtomicU64::new(0);
/// The next record READ returns (Linux: syslog_seq).
static SYSLOG_SEQ: AtomicU64 = AtomicU64::new(0);
/// The console loglevel before CONSOLE_OFF, for CONSOLE_ON.
static SAVED_LEVEL: AtomicU64 = AtomicU64::new(0);

fn copy_out(buf: u64, text: &str) -> i64 {
    match uaccess::copy_to_user(buf, text.as_bytes()) {
        Ok(()) => text.len() as i64,
        Err(_) => err(EFAULT),
    }
}

pub fn sys_syslog(action: u64, buf: u64, len: u64) -> i64 {
    let len = len as i32;
    let privileged = with_current(|t| crate::kernel::cred::capable(&t.cred));
    let reads = matches!(
        action,
        SYSLOG_ACTION_READ | SYSLOG_ACTION_READ_ALL | SYSLOG_ACTION_READ_CLEAR
    );
    if reads && (buf == 0 || len < 0) {
        return err(EINVAL);
    }
    let needs_privilege = !matches!(
        action,
        SYSLOG_ACTION_READ_ALL
            | SYSLOG_ACTION_SIZE_BUFFER
            | SYSLOG_ACTION_CLOSE
            | SYSLOG_ACTION_OPEN
    );
    if needs_privilege && !privileged {
        return err(EPERM);
    }
    match action {
        SYSLOG_ACTION_CLOSE | SYSLOG_ACTION_OPEN => 0,
        SYSLOG_ACTION_READ => read(buf, len as usize),
        SYSLOG_ACTION_READ_ALL | SYSLOG_ACTION_READ_CLEAR => {
            let mut text = String::new();
            let next = with_log(|log| {
                logbuf::syslog::read_all(
                    log,
                    CLEAR_SEQ.load(Ordering::Relaxed),
                    len as usize,
                    &mut text,
                );
                log.next_seq()
            });
            let ret = copy_out(buf, &text);
            if action == SYSLOG_ACTION_READ_CLEAR && ret >= 0 {
                CLEAR_SEQ.store(next, Ordering::Relaxed);
            }
            ret
        }
        SYSLOG_ACTION_CLEAR => {
            CLEAR_SEQ.store(with_log(|log| log.next_seq()), Ordering::Relaxed);
            0
        }
        SYSLOG_ACTION_CONSOLE_OFF => {
            let old = with_console_level(|c| {
                let old = c.loglevel();
                c.set_loglevel(1);
                old
            });
            SAVED_LEVEL.store(old as u64, Ordering::Relaxed);
            0
        }
        SYSLOG_ACTION_CONSOLE_ON => {
            let saved = SAVED_LEVEL.swap(0, Ordering::Relaxed);
            if saved != 0 {
                with_console_level(|c| c.set_loglevel(saved as i32));
            }
            0
        }
        SYSLOG_ACTION_CONSOLE_LEVEL => {
            if !(1..=8).contains(&len) {
                return err(EINVAL);
            }
            with_console_level(|c| c.set_loglevel(len.max(2)));
            SAVED_LEVEL.store(0, Ordering::Relaxed);
            0
        }
        SYSLOG_ACTION_SIZE_UNREAD => {
            with_log(|log| logbuf::syslog::unread_bytes(log, SYSLOG_SEQ.load(Ordering::Relaxed)))
                as i64
        }
        SYSLOG_ACTION_SIZE_BUFFER => LOG_SIZE as i64,
        _ => err(EINVAL),
    }
}

/// SYSLOG_ACTION_READ: wait for a record past the reader's position, then
/// return the lines from there that fit, moving the position past them.
fn read(buf: u64, len: usize) -> i64 {
    if len == 0 {
        return 0;
    }
    loop {
        let mut text = String::new();
        let next = with_log(|log| {
            let from = SYSLOG_SEQ.load(Ordering::Relaxed).max(log.oldest_seq());
            let mut next = from;
            for rec in log.iter_from(from) {
                let mut line = alloc::format!("{}", rec.syslog());
                if text.len() + line.len() > len {
                    if !text.is_empty() {
                        break;
                    }
                    // A line longer than the whole buffer: its start, as Linux.
                    let cut = (0..=len).rev().find(|&i| line.is_char_boundary(i));
                    line.truncate(cut.unwrap_or(0));
                }
                text.push_str(&line);
                next = rec.seq + 1;
            }
            next
        });
        if !text.is_empty() {
            SYSLOG_SEQ.store(next, Ordering::Relaxed);
            return copy_out(buf, &text);
        }
        if signal_pending() {
            return -ERESTARTSYS;
        }
        crate::kernel::sched::yield_or_idle();
    }
}
