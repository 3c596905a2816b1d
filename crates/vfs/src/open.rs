//! openat(2) (Linux's fs/open.c and path_openat, open_last_lookups, do_open, may_open):
//! O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_PATH and O_APPEND with Linux's
//! errors, the creation mode masked by the umask, and a hook through which the kernel
//! opens device nodes and FIFOs with its drivers; and execve's open (do_open_execat).

use alloc::sync::Arc;

use linux_raw_sys::general as g;

use crate::create::init_owner;
use crate::dentry::lookup_one;
use crate::errno::{Errno, Result};
use crate::file::{File, FileOps, InodeFileOps, FMODE_PATH, FMODE_READ, FMODE_WRITE};
use crate::inode::{FileType, Inode};
use crate::mount::Path;
use crate::namei::{resolve, Last, Lookup, Nameidata};
use crate::perm::{executable_type, inode_permission, may_create, open_mask, MAY_EXEC, MAY_WRITE};
use crate::write_access::WriteAccess;

/// How the kernel opens what the VFS cannot: character and block devices (by their
/// `rdev`, through its driver table) and FIFOs (through its pipes). Linux's
/// def_chr_fops, def_blk_fops and fifo_open.
pub trait SpecialOpen {
    fn open(&self, path: &Path, inode: &Arc<Inode>, flags: u32) -> Result<Arc<dyn FileOps>>;
}

/// The flags O_PATH keeps.
const O_PATH_FLAGS: u32 = g::O_PATH | g::O_DIRECTORY | g::O_NOFOLLOW | g::O_CLOEXEC;

/// openat(2). `mode` is used with O_CREAT, less `umask`; `special` opens device nodes
/// and FIFOs (without it they give ENXIO, as an unowned device number does).
pub fn open(
    lk: Lookup<'_>,
    path: &[u8],
    flags: u32,
    mode: u32,
    umask: u32,
    special: Option<&dyn SpecialOpen>,
) -> Result<Arc<File>> {
    if flags & g::O_TMPFILE == g::O_TMPFILE {
        return Err(Errno::EOPNOTSUPP);
    }
    if flags & (g::O_CREAT | g::O_DIRECTORY) == g::O_CREAT | g::O_DIRECTORY {
        return Err(Errno::EINVAL);
    }
    let flags = if flags & g::O_PATH != 0 {
        flags & O_PATH_FLAGS
    } else {
        flags | g::O_LARGEFILE
    };

    let mut nd = Nameidata::new(lk, path)?;
    nd.walk_to_last()?;
    let (found, created) = if flags & g::O_CREAT != 0 {
        open_create(&mut nd, flags, mode & 0o7777 & !umask)?
    } else {
        let follow = flags & g::O_NOFOLLOW == 0;
        (nd.lookup_last(follow)?.ok_or(Errno::ENOENT)?, false)
    };
    do_open(lk, found, flags, created, special)
}

/// The open of a program by execve (Linux's do_open_execat, and may_open with
/// MAY_EXEC): a regular file that `lk.cred` may execute, on a mount without
/// MS_NOEXEC, else EACCES. It is opened for reading without read permission: a
/// program of mode 0711 runs, and a script of that mode reaches its interpreter.
pub fn open_exec(lk: Lookup<'_>, path: &[u8]) -> Result<Arc<File>> {
    let path = resolve(lk, path, true)?;
    let inode = path.inode();
    if !executable_type(inode.file_type()) || path.mnt.flags() & g::MS_NOEXEC != 0 {
        return Err(Errno::EACCES);
    }
    inode_permission(&inode, MAY_EXEC, lk.cred)?;
    let flags = g::O_RDONLY | g::O_LARGEFILE;
    let ops = Arc::new(InodeFileOps);
    Ok(Arc::new(File::new(
        path,
        flags,
        FMODE_READ,
        ops,
        lk.cred.clone(),
    )))
}

/// The last component with O_CREAT: made if absent, under the directory lock; a
/// trailing symlink is followed unless O_EXCL or O_NOFOLLOW (open_last_lookups).
fn open_create(nd: &mut Nameidata<'_>, flags: u32, perm: u32) -> Result<(Path, bool)> {
    loop {
        let Last::Norm(name) = nd.last.clone() else {
            // ".", "..", "/" or a file reached through a magic link: nothing to
            // make, and what is there is opened unless O_EXCL (do_open's checks).
            let path = nd.lookup_last(false)?.ok_or(Errno::ENOENT)?;
            if flags & g::O_EXCL != 0 {
                return Err(Errno::EEXIST);
            }
            if path.inode().is_dir() {
                return Err(Errno::EISDIR);
            }
            return Ok((path, false));
        };
        if nd.trailing_slash {
            return Err(Errno::EISDIR);
        }
        let dir = nd.cur.clone();
        let dir_inode = dir.inode();
        let guard = dir_inode.lock_dir();
        let dentry = lookup_one(&dir.dentry, &name, true)?;
        if let Some(inode) = dentry.inode() {
            if flags & g::O_EXCL != 0 {
                return Err(Errno::EEXIST);
            }
            let path = Path {
                mnt: dir.mnt.clone(),
                dentry,
            }
            .follow_mounts();
            if inode.file_type() == FileType::Symlink {
                if flags & g::O_NOFOLLOW != 0 {
                    return Err(Errno::ELOOP);
                }
                drop(guard);
                nd.follow_link(&path)?;
                continue;
            }
            if path.inode().is_dir() {
                return Err(Errno::EISDIR);
            }
            return Ok((path, false));
        }

        dir.want_write()?;
        may_create(&dir_inode, nd_cred(nd))?;
        let new = init_owner(&dir_inode, g::S_IFREG | perm, nd_cred(nd));
        let inode = dir_inode.ops().create(&dir_inode, &name, new)?;
        dentry.instantiate(inode);
        let path = Path {
            mnt: dir.mnt,
            dentry,
        };
        return Ok((path, true));
    }
}

fn nd_cred<'a>(nd: &Nameidata<'a>) -> &'a crate::cred::Cred {
    nd.lookup().cred
}

/// The checks and the opening itself (do_open, may_open, do_dentry_open).
fn do_open(
    lk: Lookup<'_>,
    path: Path,
    flags: u32,
    created: bool,
    special: Option<&dyn SpecialOpen>,
) -> Result<Arc<File>> {
    let inode = path.inode();
    let ft = inode.file_type();
    if flags & g::O_DIRECTORY != 0 && ft != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    let cred = lk.cred.clone();
    if flags & g::O_PATH != 0 {
        let f = File::new(
            path,
            flags & !g::O_CLOEXEC,
            FMODE_PATH,
            Arc::new(InodeFileOps),
            cred,
        );
        return Ok(Arc::new(f));
    }

    let mut mask = open_mask(flags);
    let mut flags = flags;
    match ft {
        FileType::Symlink => return Err(Errno::ELOOP),
        FileType::Directory if mask & MAY_WRITE != 0 => return Err(Errno::EISDIR),
        FileType::CharDevice | FileType::BlockDevice | FileType::Fifo | FileType::Socket => {
            flags &= !g::O_TRUNC;
        }
        _ => {}
    }
    if created {
        // The creator may open what it made with any access (Linux drops acc_mode).
        mask = 0;
        flags &= !g::O_TRUNC;
    }
    if mask != 0 {
        inode_permission(&inode, mask, lk.cred)?;
    }
    // Writing or truncating a file of a read-only mount; devices and FIFOs may be
    // written there, as Linux's special_file exception allows.
    let writes = mask & MAY_WRITE != 0 || flags & g::O_TRUNC != 0;
    if writes && matches!(ft, FileType::Regular | FileType::Directory) {
        path.want_write()?;
    }

    if matches!(ft, FileType::Regular | FileType::Directory) {
        inode.ops().open(&inode, mask)?;
    }

    let fmode = match flags & g::O_ACCMODE {
        g::O_RDONLY => FMODE_READ,
        g::O_WRONLY => FMODE_WRITE,
        g::O_RDWR => FMODE_READ | FMODE_WRITE,
        _ => 0,
    };
    // A writer of a regular file, for the open file's life or the truncation's
    // (do_dentry_open, handle_truncate): ETXTBSY while a program runs from it.
    let truncate = flags & g::O_TRUNC != 0 && ft == FileType::Regular;
    let write = if ft == FileType::Regular && (fmode & FMODE_WRITE != 0 || truncate) {
        Some(WriteAccess::get(&inode)?)
    } else {
        None
    };

    let ops: Arc<dyn FileOps> = match ft {
        FileType::Regular | FileType::Directory => Arc::new(InodeFileOps),
        FileType::Socket => return Err(Errno::ENXIO),
        _ => special.ok_or(Errno::ENXIO)?.open(&path, &inode, flags)?,
    };
    if truncate {
        crate::file::kill_suid(&inode, lk.cred);
        inode.ops().truncate(&inode, 0)?;
    }

    let kept = flags & !(g::O_CREAT | g::O_EXCL | g::O_NOCTTY | g::O_TRUNC | g::O_CLOEXEC);
    let mut file = File::new(path, kept, fmode, ops, cred);
    file.write_access = write.filter(|_| fmode & FMODE_WRITE != 0);
    Ok(Arc::new(file))
}

#[cfg(test)]
#[path = "tests/open.rs"]
mod tests;
