//! The root filesystem: a tmpfs filled from the initramfs (Linux:
//! init/initramfs.c populate_rootfs, init/do_mounts.c).

use spin::Once;
use vfs::{MountNamespace, Path, RamFs};

use crate::{pr_info, pr_warn};

static NAMESPACE: Once<MountNamespace> = Once::new();

/// Mount a tmpfs as / and unpack the initramfs archive into it. A corrupt
/// archive is fatal, as on Linux, with the entry named.
pub fn init(archive: &[u8]) {
    // A tmpfs's default size is half of memory, as on Linux; all memory
    // filesystems together may fill only that much here.
    let (_, total, _) = crate::mm::page_alloc::counters();
    vfs::ramfs::set_memory_pages(total);
    let ns = NAMESPACE.call_once(|| MountNamespace::new(RamFs::new_rootfs(), b"rootfs"));
    pr_info!("Trying to unpack rootfs image as initramfs...");
    match vfs::unpack_initramfs(&ns.root(), archive) {
        Ok(stats) => {
            pr_info!(
                "initramfs: unpacked {} entries ({} bytes)",
                stats.entries,
                archive.len()
            );
            for (name, e) in &stats.skipped {
                let name = alloc::string::String::from_utf8_lossy(name);
                pr_warn!("initramfs: skipped {} (error {})", name, e.to_ret());
            }
        }
        Err(e) => {
            crate::kernel::panic::panic(format_args!("Initramfs unpacking failed: {}", e), false)
        }
    }
    crate::fs::devtmpfs::mount_on_dev(ns);
}

/// The mount namespace (there is one).
pub fn namespace() -> Option<&'static MountNamespace> {
    NAMESPACE.get()
}

/// The root of the filesystem tree.
pub fn root() -> Option<Path> {
    NAMESPACE.get().map(|ns| ns.root())
}
