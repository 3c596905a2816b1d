//! The memory devices, character major 1 (Linux: drivers/char/mem.c):
//! null (1:3), zero (1:5), full (1:7), random (1:8), urandom (1:9) and
//! kmsg (1:11). /dev/mem, kmem and port (1:1, 1:2, 1:4) are not provided:
//! opening them gives ENXIO.

use alloc::sync::Arc;

use linux_raw_sys::errno::{EINVAL, ENOSPC, ENXIO};
use linux_raw_sys::general::{POLLIN, POLLRDNORM};
use vfs::{Errno, File, FileOps};

use crate::drivers::char::{kmsg, random};
use crate::fs::devices::{register_chrdev, Device};

pub const MEM_MAJOR: u32 = 1;

/// What a minor does on read and write.
#[derive(Clone, Copy)]
enum Mem {
    /// Reads end at once; writes vanish.
    Null,
    /// Reads give zeros; writes vanish.
    Zero,
    /// Reads give zeros; writes fail with ENOSPC.
    Full,
    /// Reads give random bytes; writes are accepted (Linux mixes them in).
    /// /dev/random polls readable only, its generator being always ready.
    Random,
    Urandom,
}

impl FileOps for Mem {
    fn read(&self, _file: &File, buf: &mut [u8], _pos: &mut u64) -> vfs::Result<usize> {
        match self {
            Mem::Null => Ok(0),
            Mem::Zero | Mem::Full => {
                buf.fill(0);
                Ok(buf.len())
            }
            Mem::Random | Mem::Urandom => {
                random::get_random_bytes(buf);
                Ok(buf.len())
            }
        }
    }

    fn write(&self, _file: &File, buf: &[u8], _pos: &mut u64) -> vfs::Result<usize> {
        match self {
            Mem::Full => Err(Errno::new(ENOSPC)),
            _ => Ok(buf.len()),
        }
    }

    /// null, zero and full seek to 0 whatever is asked (Linux: null_lseek,
    /// which zero_lseek and full_lseek are); the random devices stay where
    /// they are, at 0 as reads do not move them (Linux: noop_llseek). So
    /// dd's skip= on /dev/zero ends at once.
    fn llseek(&self, _file: &File, pos: &mut u64, _offset: i64, _whence: u32) -> vfs::Result<u64> {
        if let Mem::Null | Mem::Zero | Mem::Full = self {
            *pos = 0;
        }
        Ok(*pos)
    }

    /// The random devices refuse commands they do not know with EINVAL
    /// (Linux: random_ioctl); the others have no ioctl (ENOTTY).
    fn ioctl(&self, _file: &File, _cmd: u32, _arg: u64) -> vfs::Result<i64> {
        match self {
            Mem::Random | Mem::Urandom => Err(Errno::new(EINVAL)),
            _ => Err(Errno::ENOTTY),
        }
    }

    fn poll(&self, _file: &File) -> u32 {
        match self {
            Mem::Random => POLLIN | POLLRDNORM,
            _ => vfs::file::DEFAULT_POLLMASK,
        }
    }
}

struct MemDevices;

impl Device for MemDevices {
    fn open(&self, minor: u32, _flags: u32) -> vfs::Result<Arc<dyn FileOps>> {
        Ok(match minor {
            3 => Arc::new(Mem::Null),
            5 => Arc::new(Mem::Zero),
            7 => Arc::new(Mem::Full),
            8 => Arc::new(Mem::Random),
            9 => Arc::new(Mem::Urandom),
            11 => Arc::new(kmsg::Kmsg::new()),
            _ => return Err(Errno::new(ENXIO)),
        })
    }
}

/// Register major 1 (Linux: chr_dev_init).
pub fn init() {
    register_chrdev(MEM_MAJOR, 0..256, "mem", Arc::new(MemDevices))
        .expect("character major 1 is free at boot");
    // The names and modes of Linux's devlist in drivers/char/mem.c.
    let nodes = [
        ("null", 3, 0o666),
        ("zero", 5, 0o666),
        ("full", 7, 0o666),
        ("random", 8, 0o666),
        ("urandom", 9, 0o666),
        ("kmsg", 11, 0o644),
    ];
    crate::fs::devices::add_nodes(crate::fs::devices::Kind::Char, MEM_MAJOR, &nodes);
}
