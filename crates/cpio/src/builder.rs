//! A writer of initramfs archives in the newc or crc format, the way `cpio -o -H newc`
//! writes them and Linux's init/initramfs.c reads them back. It needs a heap, so it
//! sits behind the `std` feature: tests build archives with it, and xtask builds the
//! test initramfs images without the `cpio` tool.

use crate::entry::{S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK};
use crate::header::{Format, MAGIC_CRC, MAGIC_NEWC};
use crate::reader::{checksum, TRAILER};

/// The header fields of one entry, other than its name and data sizes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    pub ino: u32,
    /// Full `st_mode`: file-type bits and permissions.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u32,
    pub mtime: u32,
    pub dev_major: u32,
    pub dev_minor: u32,
    pub rdev_major: u32,
    pub rdev_minor: u32,
}

/// Builds an archive in memory. Convenience methods number inodes from 1 and take the
/// owner and time last given to [`Builder::owner`] and [`Builder::mtime`] (0 at first).
#[derive(Clone, Debug)]
pub struct Builder {
    out: Vec<u8>,
    format: Format,
    next_ino: u32,
    uid: u32,
    gid: u32,
    mtime: u32,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new(Format::Newc)
    }
}

impl Builder {
    pub fn new(format: Format) -> Builder {
        Builder {
            out: Vec::new(),
            format,
            next_ino: 1,
            uid: 0,
            gid: 0,
            mtime: 0,
        }
    }

    /// Owner of the entries added from now on by the convenience methods.
    pub fn owner(&mut self, uid: u32, gid: u32) -> &mut Self {
        self.uid = uid;
        self.gid = gid;
        self
    }

    /// Modification time of the entries added from now on by the convenience methods.
    pub fn mtime(&mut self, mtime: u32) -> &mut Self {
        self.mtime = mtime;
        self
    }

    /// Appends one entry with every header field given; in the crc format the checksum
    /// of a regular file is computed. Names and data longer than 4 GiB do not fit the format.
    pub fn entry(&mut self, name: impl AsRef<[u8]>, meta: &Meta, data: &[u8]) -> &mut Self {
        let name = name.as_ref();
        let size = |n: usize| u32::try_from(n).expect("cpio: name or data over 4 GiB");
        // Like GNU cpio, the crc format sums the data of regular files only.
        let check = match self.format {
            Format::Crc if meta.mode & S_IFMT == S_IFREG => checksum(data),
            _ => 0,
        };
        let fields = [
            meta.ino,
            meta.mode,
            meta.uid,
            meta.gid,
            meta.nlink,
            meta.mtime,
            size(data.len()),
            meta.dev_major,
            meta.dev_minor,
            meta.rdev_major,
            meta.rdev_minor,
            size(name.len() + 1),
            check,
        ];

        self.out.extend_from_slice(match self.format {
            Format::Newc => MAGIC_NEWC,
            Format::Crc => MAGIC_CRC,
        });
        for field in fields {
            self.out
                .extend_from_slice(format!("{field:08x}").as_bytes());
        }
        self.out.extend_from_slice(name);
        self.out.push(0);
        self.pad();
        self.out.extend_from_slice(data);
        self.pad();
        self
    }

    /// Metadata for a new inode of the given mode with the current owner and time.
    fn meta(&mut self, mode: u32, nlink: u32) -> Meta {
        let ino = self.next_ino;
        self.next_ino += 1;
        Meta {
            ino,
            mode,
            uid: self.uid,
            gid: self.gid,
            nlink,
            mtime: self.mtime,
            ..Meta::default()
        }
    }

    /// A regular file; `perm` may hold setuid, setgid and sticky bits.
    pub fn file(&mut self, name: impl AsRef<[u8]>, perm: u32, data: &[u8]) -> &mut Self {
        let meta = self.meta(S_IFREG | perm, 1);
        self.entry(name, &meta, data)
    }

    pub fn dir(&mut self, name: impl AsRef<[u8]>, perm: u32) -> &mut Self {
        let meta = self.meta(S_IFDIR | perm, 2);
        self.entry(name, &meta, &[])
    }

    /// A symbolic link (mode 0777, as Linux gives them) to `target`.
    pub fn symlink(&mut self, name: impl AsRef<[u8]>, target: impl AsRef<[u8]>) -> &mut Self {
        let meta = self.meta(S_IFLNK | 0o777, 1);
        self.entry(name, &meta, target.as_ref())
    }

    pub fn char_device(
        &mut self,
        name: impl AsRef<[u8]>,
        perm: u32,
        major: u32,
        minor: u32,
    ) -> &mut Self {
        let meta = Meta {
            rdev_major: major,
            rdev_minor: minor,
            ..self.meta(S_IFCHR | perm, 1)
        };
        self.entry(name, &meta, &[])
    }

    pub fn block_device(
        &mut self,
        name: impl AsRef<[u8]>,
        perm: u32,
        major: u32,
        minor: u32,
    ) -> &mut Self {
        let meta = Meta {
            rdev_major: major,
            rdev_minor: minor,
            ..self.meta(S_IFBLK | perm, 1)
        };
        self.entry(name, &meta, &[])
    }

    pub fn fifo(&mut self, name: impl AsRef<[u8]>, perm: u32) -> &mut Self {
        let meta = self.meta(S_IFIFO | perm, 1);
        self.entry(name, &meta, &[])
    }

    pub fn socket(&mut self, name: impl AsRef<[u8]>, perm: u32) -> &mut Self {
        let meta = self.meta(S_IFSOCK | perm, 1);
        self.entry(name, &meta, &[])
    }

    /// One regular file under several names, as `cpio -H newc` writes hard links: every
    /// entry has the same inode and `nlink`, and only the last one carries the data.
    pub fn hard_links(&mut self, names: &[&str], perm: u32, data: &[u8]) -> &mut Self {
        let nlink = u32::try_from(names.len()).expect("cpio: too many links");
        let meta = self.meta(S_IFREG | perm, nlink);
        for (i, name) in names.iter().enumerate() {
            let last = i + 1 == names.len();
            self.entry(name, &meta, if last { data } else { &[] });
        }
        self
    }

    /// Ends the archive with its trailer and returns the bytes. Several finished archives
    /// may be concatenated, with NUL bytes between them, into one initramfs.
    pub fn finish(mut self) -> Vec<u8> {
        let meta = Meta {
            nlink: 1,
            ..Meta::default()
        };
        self.entry(TRAILER, &meta, &[]);
        self.out
    }

    /// The bytes written so far, without a trailer (an archive cut at an entry boundary).
    pub fn unfinished(&self) -> &[u8] {
        &self.out
    }

    fn pad(&mut self) {
        while !self.out.len().is_multiple_of(4) {
            self.out.push(0);
        }
    }
}
