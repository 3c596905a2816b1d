//! Files (Linux: fs/): the root filesystem from the initramfs, the file
//! system calls over crates/vfs, mounts, procfs, sysfs, devtmpfs and the
//! console device.

pub mod attr;
pub mod console;
pub mod devices;
pub mod devtmpfs;
pub mod namei;
pub mod namespace;
pub mod open;
pub mod pipe;
pub mod proc;
pub mod read_write;
pub mod rootfs;
pub mod select;
pub mod sync;
pub mod sysfs;
