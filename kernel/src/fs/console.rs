//! /dev/console, character device 5:1, on the serial port (Linux:
//! drivers/tty/tty_io.c for the device, n_tty.c for the line discipline).
//!
//! Until the tty layer exists, a small canonical line discipline lives
//! here: input is echoed, backspace erases, Enter ends a line (CR becomes
//! LF), Ctrl-D on an empty line is end of file, and a read returns at
//! most one line. Reading polls the UART between timer ticks.

use alloc::collections::VecDeque;
use alloc::sync::Arc;

use vfs::{Errno, File, FileOps, Inode, Path, SpecialOpen};

use crate::drivers::tty::serial;
use crate::kernel::sync::IrqSpinLock;

/// Linux's device numbers for the console and the controlling tty.
pub const TTYAUX_MAJOR: u32 = 5;
pub const CONSOLE_MINOR: u32 = 1;
pub const TTY_MINOR: u32 = 0;

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
            // Restarted after a stop or an SA_RESTART handler, as a tty
            // read is on Linux.
            if crate::kernel::signal::signal_pending() {
                return Err(Errno::new(crate::kernel::signal::ERESTARTSYS as u32));
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

/// Opens device nodes with their drivers: for now the console.
pub struct Devices;

impl SpecialOpen for Devices {
    fn open(&self, _path: &Path, inode: &Arc<Inode>, _flags: u32) -> vfs::Result<Arc<dyn FileOps>> {
        let attr = inode.attr();
        let is_chr = attr.mode & 0o170000 == 0o020000;
        let (major, minor) = (vfs::major(attr.rdev), vfs::minor(attr.rdev));
        if is_chr && major == TTYAUX_MAJOR && (minor == CONSOLE_MINOR || minor == TTY_MINOR) {
            return Ok(Arc::new(Console));
        }
        Err(Errno::new(linux_raw_sys::errno::ENXIO))
    }
}
