//! Files (Linux: fs/): the root filesystem from the initramfs, the file
//! system calls over crates/vfs, and the console device.

pub mod attr;
pub mod console;
pub mod devices;
pub mod namei;
pub mod open;
pub mod pipe;
pub mod read_write;
pub mod rootfs;
pub mod select;
pub mod sync;
