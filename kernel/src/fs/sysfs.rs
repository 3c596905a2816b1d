//! sysfs (Linux: fs/sysfs): for now only the top-level directories Linux has, all
//! empty, so that `mount -t sysfs` and programs that look for /sys/class succeed.

use alloc::sync::Arc;
use alloc::vec::Vec;

use vfs::pseudo::{Entry, Node, PseudoFs, StaticDir, SYSFS_MAGIC};
use vfs::FileSystem;

const DIRS: [&[u8]; 11] = [
    b"block",
    b"bus",
    b"class",
    b"dev",
    b"devices",
    b"firmware",
    b"fs",
    b"hypervisor",
    b"kernel",
    b"module",
    b"power",
];

/// A sysfs instance.
pub fn new_instance() -> Arc<dyn FileSystem> {
    let entries: Vec<Entry> = DIRS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let dir = Node::Dir(Arc::new(StaticDir(Vec::new())));
            Entry::new(name, 2 + i as u64, 0o755, dir)
        })
        .collect();
    PseudoFs::new("sysfs", SYSFS_MAGIC, 1, 0o555, Arc::new(StaticDir(entries)))
}
