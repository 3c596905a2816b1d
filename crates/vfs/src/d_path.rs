//! Paths back from dentries (Linux's fs/d_path.c): d_path for /proc/<pid>/cwd and fd
//! links, with " (deleted)" after a removed name, and getcwd(2), which fails with ENOENT
//! for a removed cwd and prefixes "(unreachable)" to a cwd outside the process root.

use alloc::vec::Vec;

use crate::errno::{Errno, Result};
use crate::mount::Path;

/// The path of `path` as seen from `root`, and whether `root` was on the way up.
fn walk_up(path: &Path, root: &Path) -> (Vec<u8>, bool) {
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut cur = path.clone();
    let reachable = loop {
        if cur.same(root) {
            break true;
        }
        if cur.is_mount_root() {
            match cur.mnt.parent() {
                Some((mnt, dentry)) => {
                    cur = Path { mnt, dentry };
                    continue;
                }
                None => break false,
            }
        }
        names.push(cur.dentry.name());
        cur.dentry = cur.dentry.parent();
    };
    (absolute(&names), reachable)
}

/// The path of `dentry` from the root of its filesystem, across no mounts
/// (Linux's dentry_path_raw): what /proc/PID/mountinfo shows as a mount's root.
pub fn dentry_path(dentry: &alloc::sync::Arc<crate::dentry::Dentry>) -> Vec<u8> {
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut cur = dentry.clone();
    while !cur.is_root() {
        names.push(cur.name());
        cur = cur.parent();
    }
    absolute(&names)
}

/// d_path: the path of `path` from `root`, " (deleted)" appended for a removed name.
pub fn d_path(path: &Path, root: &Path) -> Vec<u8> {
    let (mut out, _) = walk_up(path, root);
    if path.dentry.is_unlinked() {
        out.extend_from_slice(b" (deleted)");
    }
    out
}

/// getcwd(2): ENOENT for a removed directory; "(unreachable)" before a path outside the
/// process root, as Linux does.
pub fn getcwd(cwd: &Path, root: &Path) -> Result<Vec<u8>> {
    if cwd.dentry.is_unlinked() {
        return Err(Errno::ENOENT);
    }
    let (path, reachable) = walk_up(cwd, root);
    if reachable {
        return Ok(path);
    }
    let mut out = b"(unreachable)".to_vec();
    out.extend_from_slice(&path);
    Ok(out)
}

/// Names gathered from a leaf up to a root, as the absolute path they make
/// ("/" for none).
fn absolute(names: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for name in names.iter().rev() {
        out.push(b'/');
        out.extend_from_slice(name);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ramfs::RamFs;
    use crate::testing::World;

    #[test]
    fn paths_are_rebuilt_through_mounts() {
        let w = World::new();
        w.mkdir("/mnt").unwrap();
        let at = w.resolve("/mnt", true).unwrap();
        w.ns.mount(&at, RamFs::new_tmpfs(), b"tmpfs").unwrap();
        w.mkdir("/mnt/a").unwrap();
        w.mkdir("/mnt/a/b").unwrap();
        let b = w.resolve("/mnt/a/b", true).unwrap();
        assert_eq!(getcwd(&b, &w.root).unwrap(), b"/mnt/a/b");
        assert_eq!(getcwd(&w.root, &w.root).unwrap(), b"/");
        assert_eq!(
            getcwd(&w.resolve("/mnt", true).unwrap(), &w.root).unwrap(),
            b"/mnt"
        );
        let jail = w.resolve("/mnt/a", true).unwrap();
        assert_eq!(getcwd(&b, &jail).unwrap(), b"/b");
        assert_eq!(getcwd(&w.root, &jail).unwrap(), b"(unreachable)/");
    }

    #[test]
    fn removed_directories_are_enoent_for_getcwd_and_deleted_for_d_path() {
        let w = World::new();
        w.mkdir("/gone").unwrap();
        let cwd = w.resolve("/gone", true).unwrap();
        crate::remove::rmdir(w.lk(), b"/gone").unwrap();
        assert_eq!(getcwd(&cwd, &w.root), Err(Errno::ENOENT));
        assert_eq!(d_path(&cwd, &w.root), b"/gone (deleted)");
        w.mkdir("/x").unwrap();
        crate::rename::renameat2(w.lk(), b"/x", w.lk(), b"/y", 0).unwrap();
        assert_eq!(d_path(&w.resolve("/y", true).unwrap(), &w.root), b"/y");
    }
}
