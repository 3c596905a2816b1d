//! The virtual filesystem switch, as Linux's fs/ shapes it: inodes with their operations,
//! a dentry cache, mounts, path resolution (namei), open files and per-process file
//! tables, getdents64 and stat records, ramfs/tmpfs, and the initramfs unpacker.
//!
//! # Locking
//!
//! The kernel calls this crate from several CPUs, never from interrupt handlers; the
//! locks are spin's. Locks are taken in this order, and never the other way:
//!
//! 1. the rename lock (one, global), for renames between two directories only;
//! 2. directory locks ([`Inode::lock_dir`], Linux's i_rwsem): one directory at a time,
//!    except a rename between two directories, which locks them in address order under
//!    the rename lock;
//! 3. a dentry's child map, a mount's child list, a file's offset: short, and never
//!    held while a filesystem operation runs;
//! 4. a filesystem's own locks (a ramfs directory's entries, a file's pages);
//! 5. an inode's attributes ([`Inode::attr_mut`]): a leaf.

#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod attr;
pub mod create;
pub mod cred;
pub mod d_path;
pub mod dentry;
pub mod errno;
pub mod fdtable;
pub mod file;
pub mod fs;
pub mod initramfs;
pub mod inode;
pub mod mount;
pub mod namei;
pub mod open;
pub mod perm;
pub mod pseudo;
pub mod ramfs;
pub mod readdir;
pub mod remove;
pub mod rename;
pub mod stat;
pub mod time;
pub mod write_access;

#[cfg(test)]
mod testing;

#[cfg(test)]
#[path = "tests/namespace_prop.rs"]
mod namespace_prop;

pub use attr::{chdir, chmod, chown, faccessat, set_times, touch, truncate};
pub use create::{linkat, mkdirat, mknodat, readlinkat, symlinkat};
pub use cred::Cred;
pub use d_path::{d_path, getcwd};
pub use dentry::Dentry;
pub use errno::{Errno, Result};
pub use fdtable::FdTable;
pub use file::{File, FileOps};
pub use fs::{alloc_anon_dev, FileSystem, StatFs};
pub use initramfs::{unpack_initramfs, UnpackError, UnpackStats};
pub use inode::{major, makedev, minor, DirEntry, FileType, Inode, InodeAttr, InodeOps, NewInode};
pub use mount::{Mount, MountNamespace, Path};
pub use namei::{resolve, resolve_dir, Lookup};
pub use open::{open, open_exec, SpecialOpen};
pub use ramfs::{ParamError, RamFs, TmpfsOptions};
pub use readdir::getdents64;
pub use remove::{rmdir, unlink, unlinkat};
pub use rename::renameat2;
pub use time::{current_time, set_clock, Timespec};
pub use write_access::{DenyWrite, WriteAccess};
