//! The terminal devices on the serial port (Linux: drivers/tty/tty_io.c's
//! tty_fops): /dev/console (5:1), /dev/tty (5:0, the caller's controlling
//! terminal) and /dev/ttyS0 (4:64). All three are the one serial terminal
//! of drivers/tty/tty_io.rs, with its line discipline and job control;
//! they differ in what opening them does.

use alloc::sync::Arc;

use linux_raw_sys::errno::ENXIO;
use linux_raw_sys::general::{O_NOCTTY, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use vfs::{Errno, File, FileOps};

use crate::drivers::tty::tty_io;
use crate::fs::devices::{register_chrdev, Device};

/// Linux's device numbers for the console and the controlling tty, and
/// for the first serial port.
pub const TTYAUX_MAJOR: u32 = 5;
pub const CONSOLE_MINOR: u32 = 1;
pub const TTY_MINOR: u32 = 0;
pub const TTY_MAJOR: u32 = 4;
pub const SERIAL_MINOR_BASE: u32 = 64;

pub struct Console;

impl FileOps for Console {
    fn read(&self, file: &File, buf: &mut [u8], _pos: &mut u64) -> vfs::Result<usize> {
        tty_io::read(file, buf)
    }

    fn write(&self, _file: &File, buf: &[u8], _pos: &mut u64) -> vfs::Result<usize> {
        tty_io::write(buf)
    }

    fn seekable(&self) -> bool {
        false
    }

    /// Always writable; readable once the line discipline has something.
    fn poll(&self, _file: &File) -> u32 {
        let readable = if tty_io::readable() {
            POLLIN | POLLRDNORM
        } else {
            0
        };
        POLLOUT | POLLWRNORM | readable
    }

    fn ioctl(&self, _file: &File, cmd: u32, arg: u64) -> vfs::Result<i64> {
        tty_io::ioctl(cmd, arg)
    }
}

/// Opens the three terminal nodes (Linux: tty_open). /dev/console never
/// becomes a controlling terminal; /dev/tty needs one; /dev/ttyS0 becomes
/// the caller's when it leads a session without one (unless O_NOCTTY).
struct Terminals;

impl Device for Terminals {
    fn open(&self, minor: u32, flags: u32) -> vfs::Result<Arc<dyn FileOps>> {
        match minor {
            TTY_MINOR if !tty_io::caller_has_ctty() => return Err(Errno::new(ENXIO)),
            SERIAL_MINOR_BASE => tty_io::open_may_acquire(flags & O_NOCTTY != 0),
            _ => {}
        }
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
    tty_io::init_irq();
}
