//! /dev/console, character device 5:1, on the serial port (Linux:
//! drivers/tty/tty_io.c for the device, n_tty.c for the line discipline).
//!
//! Until the tty layer exists, a small canonical line discipline lives
//! here: input is echoed, backspace erases, Enter ends a line (CR becomes
//! LF), Ctrl-D on an empty line is end of file, and a read returns at
//! most one line. Reading polls the UART between timer ticks.

use alloc::collections::VecDeque;
use alloc::sync::Arc;

use vfs::{Errno, File, FileOps};

use crate::fs::devices::{register_chrdev, Device};

use crate::drivers::tty::serial;
use crate::kernel::sync::IrqSpinLock;

/// Linux's device numbers for the console and the controlling tty, and
/// for the first serial port.
pub const TTYAUX_MAJOR: u32 = 5;
pub const CONSOLE_MINOR: u32 = 1;
pub const TTY_MINOR: u32 = 0;
pub const TTY_MAJOR: u32 = 4;
pub const SERIAL_MINOR_BASE: u32 = 64;

/// Completed input lines waiting for a reader, and the line being typed.
struct LineDiscipline {
    ready: VecDeque<u8>,
    line: alloc::vec::Vec<u8>,
    eof: bool,
}

static LDISC: IrqSpinLock<LineDiscipline> = IrqSpinLock::new(LineDiscipline {
    ready: VecDeque::new(),
    line: alloc::vec::Vec::new(),
    eof: false,
});

/// Feed the bytes the UART has into the line discipline.
fn poll_input() {
    while let Some(b) = serial::try_read_byte() {
        let mut ld = LDISC.lock();
        match b {
            b'\r' | b'\n' => {
                serial::write_bytes(b"\n");
                let line = core::mem::take(&mut ld.line);
                ld.ready.extend(line);
                ld.ready.push_back(b'\n');
            }
            0x7f | 0x08 => {
                if ld.line.pop().is_some() {
                    serial::write_bytes(b"\x08 \x08");
                }
            }
            0x04 => {
                if ld.line.is_empty() {
                    ld.eof = true;
                } else {
                    let line = core::mem::take(&mut ld.line);
                    ld.ready.extend(line);
                }
            }
            _ => {
                ld.line.push(b);
                serial::write_bytes(&[b]);
            }
        }
    }
}

pub struct Console;

impl FileOps for Console {
    fn read(&self, _file: &File, buf: &mut [u8], _pos: &mut u64) -> vfs::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            poll_input();
            {
                let mut ld = LDISC.lock();
                if !ld.ready.is_empty() {
                    let mut n = 0;
                    while n < buf.len() {
                        let Some(b) = ld.ready.pop_front() else { break };
                        buf[n] = b;
                        n += 1;
                        if b == b'\n' {
                            break;
                        }
                    }
                    return Ok(n);
                }
                if ld.eof {
                    ld.eof = false;
                    return Ok(0);
                }
            }
            if crate::kernel::signal::signal_pending() {
                return Err(Errno::new(linux_raw_sys::errno::EINTR));
            }
            crate::kernel::sched::yield_or_idle();
        }
    }

    fn write(&self, _file: &File, buf: &[u8], _pos: &mut u64) -> vfs::Result<usize> {
        serial::write_bytes(buf);
        Ok(buf.len())
    }

    fn seekable(&self) -> bool {
        false
    }

    /// Always writable; readable once a line (or end of file) is ready.
    fn poll(&self, _file: &File) -> u32 {
        use linux_raw_sys::general::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
        poll_input();
        let ld = LDISC.lock();
        let readable = !ld.ready.is_empty() || ld.eof;
        POLLOUT | POLLWRNORM | if readable { POLLIN | POLLRDNORM } else { 0 }
    }
}

/// The terminal devices: /dev/tty (5:0) and /dev/console (5:1), and the
/// first serial port /dev/ttyS0 (4:64), all on the serial console until
/// the tty layer tells them apart.
struct Terminals;

impl Device for Terminals {
    fn open(&self, _minor: u32, _flags: u32) -> vfs::Result<Arc<dyn FileOps>> {
        Ok(Arc::new(Console))
    }
}

/// Register the terminal devices (Linux: tty_init, serial8250_init).
pub fn init() {
    let regions = [
        (TTYAUX_MAJOR, TTY_MINOR, "/dev/tty"),
        (TTYAUX_MAJOR, CONSOLE_MINOR, "/dev/console"),
        (TTY_MAJOR, SERIAL_MINOR_BASE, "ttyS"),
    ];
    for (major, minor, name) in regions {
        register_chrdev(major, minor..minor + 1, name, Arc::new(Terminals))
            .expect("the terminal devices are registered once, at boot");
    }
    use crate::fs::devices::{add_nodes, Kind};
    add_nodes(Kind::Char, TTYAUX_MAJOR, &[("tty", TTY_MINOR, 0o666)]);
    add_nodes(
        Kind::Char,
        TTYAUX_MAJOR,
        &[("console", CONSOLE_MINOR, 0o600)],
    );
    add_nodes(
        Kind::Char,
        TTY_MAJOR,
        &[("ttyS0", SERIAL_MINOR_BASE, 0o600)],
    );
}
