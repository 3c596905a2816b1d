//! RAM disks, block major 1 (Linux: drivers/block/brd.c): /dev/ram0 to
//! /dev/ram15, each `brd.rd_size=` KiB (default 4096), pages given on the
//! first write of each, so an unused disk costs nothing.
//!
//! A read or write goes straight to the disk's pages (noyau has no page
//! cache yet); reads past the end return 0, writes past it ENOSPC. The
//! block ioctls (Linux: block/ioctl.c) answer as Linux's do for a brd
//! disk: sizes (BLKGETSIZE64, BLKGETSIZE, BLKSSZGET, BLKPBSZGET, BLKIOMIN,
//! BLKIOOPT), the soft block size (BLKBSZGET, BLKBSZSET), read-only
//! (BLKROGET, BLKROSET: writes are then EPERM), read-ahead (BLKRAGET,
//! BLKRASET, kept only: there is no page cache to read ahead into),
//! BLKROTATIONAL, BLKFLSBUF, and BLKRRPART, which finds no partitions. The
//! setters need CAP_SYS_ADMIN (EACCES).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use linux_raw_sys::errno::{EACCES, EFAULT, EINVAL, ENOMEM, ENOSPC, ENXIO, EPERM};
use spin::Mutex;
use vfs::{Errno, File, FileOps};

use crate::fs::devices::{register_blkdev, Device};
use crate::mm::uaccess;
use crate::pr_info;

pub const RAMDISK_MAJOR: u32 = 1;
/// Linux's CONFIG_BLK_DEV_RAM_COUNT and CONFIG_BLK_DEV_RAM_SIZE defaults.
const RD_NR: u32 = 16;
const RD_SIZE_KIB: u64 = 4096;
const PAGE: usize = 4096;

const BLKROSET: u32 = 0x125d;
const BLKROGET: u32 = 0x125e;
const BLKRRPART: u32 = 0x125f;
const BLKGETSIZE: u32 = 0x1260;
const BLKFLSBUF: u32 = 0x1261;
const BLKRASET: u32 = 0x1262;
const BLKRAGET: u32 = 0x1263;
const BLKFRASET: u32 = 0x1264;
const BLKFRAGET: u32 = 0x1265;
const BLKSSZGET: u32 = 0x1268;
const BLKBSZGET: u32 = 0x8008_1270;
const BLKBSZSET: u32 = 0x4008_1271;
const BLKGETSIZE64: u32 = 0x8008_1272;
const BLKIOMIN: u32 = 0x1278;
const BLKIOOPT: u32 = 0x1279;
const BLKPBSZGET: u32 = 0x127b;
const BLKROTATIONAL: u32 = 0x127e;

/// Linux's default read-ahead, VM_READAHEAD_PAGES (128 KiB), in sectors.
const READAHEAD_SECTORS: u64 = 128 * 1024 / 512;

/// One disk: its pages, by page index, made on first write, and the
/// settings its ioctls change.
struct RamDisk {
    size: u64,
    pages: Mutex<BTreeMap<u64, Box<[u8]>>>,
    read_only: AtomicBool,
    /// The soft block size (bytes), a power of two from 512 to a page; it
    /// goes back to a page at the first open (Linux: set_init_blocksize).
    block_size: AtomicU64,
    /// Open files of the disk (Linux: bd_openers).
    openers: AtomicU64,
    readahead_sectors: AtomicU64,
}

/// May the caller change a disk's settings (CAP_SYS_ADMIN: an effective
/// uid of 0 here)?
fn admin() -> bool {
    crate::kernel::task::with_current(|t| crate::kernel::cred::capable(&t.cred))
}

/// The int an ioctl's argument points at.
fn get_int(arg: u64) -> vfs::Result<i32> {
    let mut bytes = [0u8; 4];
    uaccess::copy_from_user(&mut bytes, arg).map_err(|_| Errno::new(EFAULT))?;
    Ok(i32::from_le_bytes(bytes))
}

/// A zeroed page from the heap, or ENOMEM.
fn new_page() -> vfs::Result<Box<[u8]>> {
    let mut page = Vec::new();
    page.try_reserve_exact(PAGE)
        .map_err(|_| Errno::new(ENOMEM))?;
    page.resize(PAGE, 0);
    Ok(page.into_boxed_slice())
}

impl RamDisk {
    /// Run `each(page, offset in page, offset in the caller's buffer, n)`
    /// over the pages of `pos..pos + len`. Pages never written read as
    /// zeros; with `create` they are made first.
    fn transfer(
        &self,
        pos: u64,
        len: usize,
        create: bool,
        mut each: impl FnMut(&mut [u8], usize, usize, usize),
    ) -> vfs::Result<usize> {
        let mut pages = self.pages.lock();
        let mut zero = [0u8; PAGE];
        let mut done = 0;
        while done < len {
            let at = pos + done as u64;
            let (index, offset) = (at / PAGE as u64, (at % PAGE as u64) as usize);
            let n = (PAGE - offset).min(len - done);
            if create && !pages.contains_key(&index) {
                pages.insert(index, new_page()?);
            }
            let page = pages.get_mut(&index).map_or(&mut zero[..], |p| &mut p[..]);
            each(page, offset, done, n);
            done += n;
        }
        Ok(done)
    }
}

impl FileOps for RamDisk {
    fn read(&self, _file: &File, buf: &mut [u8], pos: &mut u64) -> vfs::Result<usize> {
        let len = (self.size.saturating_sub(*pos) as usize).min(buf.len());
        let n = self.transfer(*pos, len, false, |page, off, at, n| {
            buf[at..at + n].copy_from_slice(&page[off..off + n]);
        })?;
        *pos += n as u64;
        Ok(n)
    }

    fn write(&self, _file: &File, buf: &[u8], pos: &mut u64) -> vfs::Result<usize> {
        if self.read_only.load(Ordering::Relaxed) {
            return Err(Errno::new(EPERM));
        }
        if !buf.is_empty() && *pos >= self.size {
            return Err(Errno::new(ENOSPC));
        }
        let len = (self.size - *pos).min(buf.len() as u64) as usize;
        let n = self.transfer(*pos, len, true, |page, off, at, n| {
            page[off..off + n].copy_from_slice(&buf[at..at + n]);
        })?;
        *pos += n as u64;
        Ok(n)
    }

    fn size(&self) -> Option<u64> {
        Some(self.size)
    }

    /// No offset past the end of the disk (Linux: blkdev_llseek).
    fn llseek(&self, file: &File, pos: &mut u64, offset: i64, whence: u32) -> vfs::Result<u64> {
        file.fixed_size_llseek(pos, offset, whence, self.size)
    }

    fn fsync(&self, _file: &File) -> vfs::Result<()> {
        Ok(())
    }

    fn release(&self, _file: &File) {
        self.openers.fetch_sub(1, Ordering::Relaxed);
    }

    fn ioctl(&self, _file: &File, cmd: u32, arg: u64) -> vfs::Result<i64> {
        // The commands that change the disk, with what they are given.
        match cmd {
            BLKROSET | BLKRASET | BLKFRASET | BLKBSZSET | BLKRRPART if !admin() => {
                return Err(Errno::new(EACCES));
            }
            BLKROSET => {
                let on = get_int(arg)? != 0;
                self.read_only.store(on, Ordering::Relaxed);
                return Ok(0);
            }
            BLKRASET | BLKFRASET => {
                self.readahead_sectors.store(arg, Ordering::Relaxed);
                return Ok(0);
            }
            BLKBSZSET => {
                let size = get_int(arg)?;
                if !(512..=PAGE as i32).contains(&size) || !(size as u32).is_power_of_two() {
                    return Err(Errno::new(EINVAL));
                }
                self.block_size.store(size as u64, Ordering::Relaxed);
                return Ok(0);
            }
            // A scan of a disk without partitions finds none (Linux 6.1
            // scans brd's disks; later kernels say EINVAL).
            BLKRRPART | BLKFLSBUF => return Ok(0),
            _ => {}
        }
        // The questions, and the width of the answer: an int for most, a
        // long for BLKGETSIZE and the read-ahead, a u64 for BLKGETSIZE64.
        let (value, width) = match cmd {
            BLKGETSIZE64 => (self.size, 8),
            BLKGETSIZE => (self.size / 512, 8),
            BLKSSZGET => (512, 4),
            BLKPBSZGET | BLKIOMIN => (PAGE as u64, 4),
            BLKIOOPT => (0, 4),
            BLKBSZGET => (self.block_size.load(Ordering::Relaxed), 4),
            BLKROGET => (u64::from(self.read_only.load(Ordering::Relaxed)), 4),
            BLKRAGET | BLKFRAGET => (self.readahead_sectors.load(Ordering::Relaxed), 8),
            BLKROTATIONAL => (0, 2),
            _ => return Err(Errno::ENOTTY),
        };
        uaccess::copy_to_user(arg, &value.to_le_bytes()[..width])
            .map(|()| 0)
            .map_err(|_| Errno::new(EFAULT))
    }
}

struct Brd {
    disks: Vec<Arc<RamDisk>>,
}

impl Device for Brd {
    fn open(&self, minor: u32, _flags: u32) -> vfs::Result<Arc<dyn FileOps>> {
        let disk = self.disks.get(minor as usize).ok_or(Errno::new(ENXIO))?;
        if disk.openers.fetch_add(1, Ordering::Relaxed) == 0 {
            disk.block_size.store(PAGE as u64, Ordering::Relaxed);
        }
        Ok(disk.clone())
    }
}

/// Register the RAM disks; `rd_size` in KiB and `rd_nr` from the command
/// line's brd.rd_size= and brd.rd_nr= (Linux's module parameters).
pub fn init(rd_size: Option<&str>, rd_nr: Option<&str>) {
    let kib = rd_size
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(RD_SIZE_KIB);
    let nr = rd_nr
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(RD_NR)
        .min(256);
    let disks = (0..nr)
        .map(|_| {
            Arc::new(RamDisk {
                size: kib * 1024,
                pages: Mutex::new(BTreeMap::new()),
                read_only: AtomicBool::new(false),
                block_size: AtomicU64::new(PAGE as u64),
                openers: AtomicU64::new(0),
                readahead_sectors: AtomicU64::new(READAHEAD_SECTORS),
            })
        })
        .collect();
    register_blkdev(
        RAMDISK_MAJOR,
        0..nr.max(1),
        "ramdisk",
        Arc::new(Brd { disks }),
    )
    .expect("block major 1 is free at boot");
    for i in 0..nr {
        let name = alloc::format!("ram{i}");
        let nodes = [(name.as_str(), i, 0o600)];
        crate::fs::devices::add_nodes(crate::fs::devices::Kind::Block, RAMDISK_MAJOR, &nodes);
    }
    pr_info!("brd: module loaded: {} RAM disks of {} KiB", nr, kib);
}
