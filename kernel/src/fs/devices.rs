//! From device numbers to drivers (Linux: fs/char_dev.c's
//! register_chrdev and chrdev_open, block/genhd.c's register_blkdev).
//!
//! A driver registers a region of device numbers with a name; opening a
//! device node asks the driver that owns the node's number for the file
//! operations of that minor. A number nobody owns gives ENXIO, as on
//! Linux. The regions are listed in /proc/devices. Each driver also
//! declares the nodes devtmpfs makes for it (Linux's device_create with
//! the name and mode a driver's devnode callback gives).

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

pub use devreg::Kind;
use devreg::Registry;
use linux_raw_sys::errno::{EBUSY, EINVAL, ENXIO};
use vfs::{Errno, FileOps, Inode, Path, SpecialOpen};

use crate::kernel::sync::IrqSpinLock;

/// A driver: the file operations of one of its minors, or an error
/// (ENXIO for a minor it does not have).
pub trait Device: Send + Sync {
    fn open(&self, minor: u32, flags: u32) -> vfs::Result<Arc<dyn FileOps>>;
}

static DEVICES: IrqSpinLock<Registry<Arc<dyn Device>>> = IrqSpinLock::new(Registry::new());

/// A node in /dev: its name, number and permission bits.
#[derive(Clone, Debug)]
pub struct DevNode {
    pub kind: Kind,
    pub name: String,
    pub major: u32,
    pub minor: u32,
    pub mode: u32,
}

static NODES: IrqSpinLock<Vec<DevNode>> = IrqSpinLock::new(Vec::new());

/// The nodes of the registered devices, in registration order.
pub fn nodes() -> Vec<DevNode> {
    NODES.lock().clone()
}

/// Declare the nodes of `major` as (name, minor, mode); each minor must be one
/// the driver registered.
pub fn add_nodes(kind: Kind, major: u32, nodes: &[(&str, u32, u32)]) {
    let mut list = NODES.lock();
    for &(name, minor, mode) in nodes {
        list.push(DevNode {
            kind,
            name: String::from(name),
            major,
            minor,
            mode,
        });
    }
}

fn register(
    kind: Kind,
    major: u32,
    minors: core::ops::Range<u32>,
    name: &str,
    driver: Arc<dyn Device>,
) -> Result<u32, Errno> {
    let count = minors.end.saturating_sub(minors.start);
    DEVICES
        .lock()
        .register(kind, major, minors.start, count, name, driver)
        .map_err(|e| match e {
            devreg::Error::Busy => Errno::new(EBUSY),
            devreg::Error::Invalid => Errno::new(EINVAL),
        })
}

/// Claim the character devices `major:minors` (major 0: a free one) for
/// `driver`; the major.
pub fn register_chrdev(
    major: u32,
    minors: core::ops::Range<u32>,
    name: &str,
    driver: Arc<dyn Device>,
) -> Result<u32, Errno> {
    register(Kind::Char, major, minors, name, driver)
}

/// The same for block devices.
pub fn register_blkdev(
    major: u32,
    minors: core::ops::Range<u32>,
    name: &str,
    driver: Arc<dyn Device>,
) -> Result<u32, Errno> {
    register(Kind::Block, major, minors, name, driver)
}

/// The text of /proc/devices.
pub fn proc_devices() -> String {
    DEVICES.lock().proc_devices()
}

/// Opens device nodes through the registry (Linux: def_chr_fops's
/// chrdev_open and blkdev_open), and FIFOs through their pipe (fifo_open).
pub struct DeviceOpen;

impl SpecialOpen for DeviceOpen {
    fn open(&self, path: &Path, inode: &Arc<Inode>, flags: u32) -> vfs::Result<Arc<dyn FileOps>> {
        if inode.file_type() == vfs::FileType::Fifo {
            return crate::fs::pipe::fifo_open(inode, flags);
        }
        // A mount with MS_NODEV gives no access to its device nodes (may_open).
        if path.mnt.flags() & linux_raw_sys::general::MS_NODEV != 0 {
            return Err(Errno::new(linux_raw_sys::errno::EACCES));
        }
        let attr = inode.attr();
        let kind = match attr.mode & 0o170000 {
            0o020000 => Kind::Char,
            0o060000 => Kind::Block,
            _ => return Err(Errno::new(ENXIO)),
        };
        let (major, minor) = (vfs::major(attr.rdev), vfs::minor(attr.rdev));
        let driver = DEVICES
            .lock()
            .lookup(kind, major, minor)
            .map(|r| r.driver.clone())
            .ok_or(Errno::new(ENXIO))?;
        driver.open(minor, flags)
    }
}
