//! Path resolution (Linux's fs/namei.c, link_path_walk and its helpers): from the
//! process root or a starting directory, component by component through the dentry
//! cache and the mounts, following symlinks up to 40 times (ELOOP), with Linux's rules
//! for ".", "..", repeated and trailing slashes, name lengths and search permission.

use alloc::vec;
use alloc::vec::Vec;

use crate::cred::Cred;
use crate::dentry::lookup_one;
use crate::errno::{Errno, Result};
use crate::inode::FileType;
use crate::mount::Path;
use crate::perm::{inode_permission, MAY_EXEC};

/// Longest path, counting its terminating NUL (ENAMETOOLONG).
pub const PATH_MAX: usize = 4096;
/// Longest component (ENAMETOOLONG).
pub const NAME_MAX: usize = 255;
/// Most symlinks one resolution follows (ELOOP).
pub const MAXSYMLINKS: u32 = 40;

/// Where a resolution starts and who makes it: the process root (a chroot stops ".."
/// there), the base for relative paths (the cwd or a dirfd's directory), and the
/// credentials that search permission is checked with.
#[derive(Clone, Copy)]
pub struct Lookup<'a> {
    pub root: &'a Path,
    pub base: &'a Path,
    pub cred: &'a Cred,
}

impl<'a> Lookup<'a> {
    pub fn new(root: &'a Path, base: &'a Path, cred: &'a Cred) -> Lookup<'a> {
        Lookup { root, base, cred }
    }
}

/// The last component of a path (Linux's LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Last {
    Norm(Vec<u8>),
    Dot,
    DotDot,
    /// The path was only slashes: the starting directory itself.
    Root,
    /// The last component was a magic link (/proc/PID/fd/N, cwd, root) that was
    /// followed: `cur` is the file it stands for, not a parent (Linux's LAST_BIND).
    Bind,
}

/// A walk in progress (Linux's struct nameidata).
pub struct Nameidata<'a> {
    lk: Lookup<'a>,
    /// The directory reached: the parent of `last` once `walk_to_last` returns.
    pub cur: Path,
    /// Path texts still to walk, innermost symlink body last, with a cursor in each.
    bufs: Vec<(Vec<u8>, usize)>,
    links: u32,
    pub last: Last,
    /// Whether slashes followed the last component: it must then be a directory.
    pub trailing_slash: bool,
}

impl<'a> Nameidata<'a> {
    /// Starts a walk of `path`: ENOENT if empty, ENAMETOOLONG from PATH_MAX on.
    pub fn new(lk: Lookup<'a>, path: &[u8]) -> Result<Nameidata<'a>> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let cur = if path[0] == b'/' { lk.root } else { lk.base };
        Ok(Nameidata {
            lk,
            cur: cur.clone(),
            bufs: vec![(path.to_vec(), 0)],
            links: 0,
            last: Last::Root,
            trailing_slash: false,
        })
    }

    /// The next component and whether it is the last one of the whole walk.
    fn next_component(&mut self) -> Option<(Vec<u8>, bool)> {
        loop {
            let (buf, pos) = self.bufs.last_mut()?;
            while *pos < buf.len() && buf[*pos] == b'/' {
                *pos += 1;
            }
            if *pos == buf.len() {
                self.bufs.pop();
                continue;
            }
            let start = *pos;
            while *pos < buf.len() && buf[*pos] != b'/' {
                *pos += 1;
            }
            let name = buf[start..*pos].to_vec();
            let only_slashes = |b: &[u8], p: usize| b[p..].iter().all(|&c| c == b'/');
            let is_last = self.bufs.iter().all(|(b, p)| only_slashes(b, *p));
            if is_last {
                self.trailing_slash = self.bufs.iter().any(|(b, p)| *p < b.len());
            }
            return Some((name, is_last));
        }
    }

    /// May the walk look a name up in `cur` (may_lookup)? ENOTDIR, EACCES.
    fn may_lookup(&self) -> Result<()> {
        let inode = self.cur.inode();
        if inode.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        inode_permission(&inode, MAY_EXEC, self.lk.cred)
    }

    /// Walks every component but the last, which it leaves in `last` (with `cur` its
    /// parent). Symlinks met on the way are followed.
    pub fn walk_to_last(&mut self) -> Result<()> {
        self.last = Last::Root;
        self.trailing_slash = false;
        while let Some((name, is_last)) = self.next_component() {
            self.may_lookup()?;
            if name.len() > NAME_MAX {
                return Err(Errno::ENAMETOOLONG);
            }
            let last = match &name[..] {
                b"." => Last::Dot,
                b".." => Last::DotDot,
                _ => Last::Norm(name),
            };
            if is_last {
                self.last = last;
                return Ok(());
            }
            match last {
                Last::Dot | Last::Root | Last::Bind => {}
                Last::DotDot => self.cur = self.dotdot(),
                Last::Norm(name) => {
                    let child = self.child(&name)?.ok_or(Errno::ENOENT)?;
                    if child.inode().file_type() == FileType::Symlink {
                        // A magic link moves `cur` itself; another pushes its body.
                        self.push_link(&child)?;
                    } else {
                        self.cur = child;
                    }
                }
            }
        }
        Ok(())
    }

    /// The child `name` of `cur`, through mounts; `None` if the name does not exist.
    fn child(&self, name: &[u8]) -> Result<Option<Path>> {
        let dentry = lookup_one(&self.cur.dentry, name, false)?;
        if dentry.is_negative() {
            return Ok(None);
        }
        let path = Path {
            mnt: self.cur.mnt.clone(),
            dentry,
        };
        Ok(Some(path.follow_mounts()))
    }

    /// ".." of `cur`: stays at the process root, crosses from a mount's root to its
    /// mountpoint, then goes up (follow_dotdot).
    fn dotdot(&self) -> Path {
        let mut cur = self.cur.clone();
        loop {
            if cur.same(self.lk.root) {
                return cur;
            }
            if !cur.is_mount_root() {
                break;
            }
            match cur.mnt.parent() {
                Some((mnt, dentry)) => cur = Path { mnt, dentry },
                None => return cur,
            }
        }
        let up = Path {
            dentry: cur.dentry.parent(),
            mnt: cur.mnt,
        };
        up.follow_mounts()
    }

    /// Continues the walk into the body of the symlink `link` (pick_link), or, for a
    /// magic link, jumps to the file it stands for (nd_jump_link): then `cur` is that
    /// file and the result is true.
    fn push_link(&mut self, link: &Path) -> Result<bool> {
        self.links += 1;
        if self.links > MAXSYMLINKS {
            return Err(Errno::ELOOP);
        }
        let inode = link.inode();
        if let Some(target) = inode.ops().jump(&inode) {
            self.cur = target?;
            return Ok(true);
        }
        let body = inode.ops().readlink(&inode)?;
        if body.is_empty() {
            return Err(Errno::ENOENT);
        }
        if body[0] == b'/' {
            self.cur = self.lk.root.clone();
        }
        self.bufs.push((body, 0));
        Ok(false)
    }

    /// Resolves the last component (after `walk_to_last`): `None` if it names nothing
    /// (then `cur` and `last` say where to create it). A trailing symlink is followed
    /// when `follow` or when a slash follows it; the result must then be a directory.
    pub fn lookup_last(&mut self, follow: bool) -> Result<Option<Path>> {
        loop {
            let found = match &self.last {
                Last::Root | Last::Dot | Last::Bind => Some(self.cur.clone()),
                Last::DotDot => Some(self.dotdot()),
                Last::Norm(name) => self.child(&name.clone())?,
            };
            let Some(path) = found else {
                return Ok(None);
            };
            let ft = path.inode().file_type();
            if ft == FileType::Symlink && (follow || self.trailing_slash) {
                if self.push_link(&path)? {
                    self.last = Last::Bind;
                } else {
                    self.walk_to_last()?;
                }
                continue;
            }
            if self.trailing_slash && ft != FileType::Directory {
                return Err(Errno::ENOTDIR);
            }
            return Ok(Some(path));
        }
    }

    /// The symlinks followed so far.
    pub fn links(&self) -> u32 {
        self.links
    }

    /// Who walks and from where.
    pub fn lookup(&self) -> Lookup<'a> {
        self.lk
    }

    /// Follows the symlink at the last component to the parent of its own last
    /// component (for O_CREAT, which then looks the last name up itself).
    /// A magic link leaves `last` as `Last::Bind`, with `cur` the file itself.
    pub fn follow_link(&mut self, link: &Path) -> Result<()> {
        if self.push_link(link)? {
            self.last = Last::Bind;
            return Ok(());
        }
        self.walk_to_last()
    }
}

/// Resolves `path` to an existing file (filename_lookup): ENOENT if it does not exist.
pub fn resolve(lk: Lookup<'_>, path: &[u8], follow: bool) -> Result<Path> {
    let mut nd = Nameidata::new(lk, path)?;
    nd.walk_to_last()?;
    nd.lookup_last(follow)?.ok_or(Errno::ENOENT)
}

/// Resolves `path` to a directory (chdir, O_DIRECTORY): ENOTDIR otherwise.
pub fn resolve_dir(lk: Lookup<'_>, path: &[u8]) -> Result<Path> {
    let p = resolve(lk, path, true)?;
    if p.inode().file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    Ok(p)
}

#[cfg(test)]
#[path = "tests/namei.rs"]
mod tests;
