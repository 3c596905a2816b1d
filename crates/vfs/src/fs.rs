//! A mounted filesystem instance (Linux's struct super_block with its super_operations,
//! and the name of its file_system_type as /proc/mounts shows it): the root inode, the
//! device number its inodes report, and the numbers statfs(2) returns.

use alloc::string::String;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::inode::{makedev, Inode};
use crate::ramfs::ParamError;

/// The numbers of statfs(2) (Linux's struct kstatfs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatFs {
    /// The filesystem's magic number (RAMFS_MAGIC, TMPFS_MAGIC, PROC_SUPER_MAGIC ...).
    pub magic: u64,
    pub block_size: u64,
    pub blocks: u64,
    pub blocks_free: u64,
    pub blocks_avail: u64,
    pub files: u64,
    pub files_free: u64,
    pub name_max: u64,
}

/// One filesystem instance, shared by every mount of it.
pub trait FileSystem: Send + Sync {
    /// The type's name, as in /proc/filesystems and /proc/mounts ("ramfs", "tmpfs").
    fn name(&self) -> &'static str;

    /// The root directory.
    fn root(&self) -> Arc<Inode>;

    /// The device number of the instance (`st_dev` of its inodes).
    fn dev(&self) -> u64;

    fn statfs(&self) -> StatFs;

    /// The instance's own options in /proc/mounts, comma-separated (Linux's
    /// show_options); none by default.
    fn show_options(&self) -> String {
        String::new()
    }

    /// Applies a remount's options text (Linux's reconfigure); a type that takes no
    /// options ignores it.
    fn reconfigure(&self, _data: &[u8]) -> Result<(), ParamError> {
        Ok(())
    }
}

/// Next minor number of major 0, the anonymous devices that filesystems without a disk
/// take (Linux's get_anon_bdev); minor 0 is never handed out.
static NEXT_ANON_MINOR: AtomicU32 = AtomicU32::new(1);

/// A fresh anonymous device number (major 0) for a filesystem without a block device.
pub fn alloc_anon_dev() -> u64 {
    makedev(0, NEXT_ANON_MINOR.fetch_add(1, Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inode::{major, minor};

    #[test]
    fn anonymous_devices_are_major_zero_and_distinct() {
        let (a, b) = (alloc_anon_dev(), alloc_anon_dev());
        assert_ne!(a, b);
        assert_eq!((major(a), major(b)), (0, 0));
        assert!(minor(a) >= 1 && minor(b) >= 1);
    }
}
