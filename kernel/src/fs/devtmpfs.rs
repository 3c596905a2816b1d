//! devtmpfs (Linux: drivers/base/devtmpfs.c): a tmpfs that holds a node for every
//! device a driver has registered, with the driver's name and mode, owned by root.
//! The kernel mounts it on /dev after unpacking the initramfs when there is a /dev
//! (Linux's CONFIG_DEVTMPFS_MOUNT); the nodes the archive put there are then hidden.

use alloc::sync::Arc;

use spin::Once;
use vfs::{FileSystem, Lookup, NewInode, RamFs};

use crate::fs::devices::{self, Kind};
use crate::{pr_info, pr_warn};

static DEVTMPFS: Once<Arc<RamFs>> = Once::new();

/// The one devtmpfs instance, made with the nodes of the devices registered so far.
pub fn instance() -> Arc<dyn FileSystem> {
    DEVTMPFS
        .call_once(|| {
            let fs = RamFs::new_devtmpfs();
            populate(&fs);
            fs
        })
        .clone()
}

fn populate(fs: &RamFs) {
    let root = fs.root();
    for node in devices::nodes() {
        let kind = match node.kind {
            Kind::Char => linux_raw_sys::general::S_IFCHR,
            Kind::Block => linux_raw_sys::general::S_IFBLK,
        };
        let new = NewInode {
            mode: kind | node.mode,
            uid: 0,
            gid: 0,
            rdev: vfs::makedev(node.major, node.minor),
        };
        if let Err(e) = root.ops().mknod(&root, node.name.as_bytes(), new) {
            pr_warn!("devtmpfs: {} not created (error {})", node.name, e.to_ret());
        }
    }
}

/// Mount devtmpfs on /dev if the root filesystem has that directory.
pub fn mount_on_dev(ns: &vfs::MountNamespace) {
    let root = ns.root();
    let cred = vfs::Cred::root();
    let Ok(dev) = vfs::resolve(Lookup::new(&root, &root, &cred), b"/dev", true) else {
        return;
    };
    let relatime = 1 << 21;
    match ns.mount_with_flags(&dev, instance(), b"devtmpfs", relatime) {
        Ok(_) => pr_info!("devtmpfs: mounted"),
        Err(e) => pr_warn!("devtmpfs: not mounted on /dev (error {})", e.to_ret()),
    }
}
