//! One member of an initramfs archive, borrowed from the buffer: the fields of its header,
//! its name and its data (a symlink's data is its target), as init/initramfs.c's
//! `do_name` sees them. Also the key under which Linux matches hard links (`find_link`).

use crate::error::{Error, ErrorKind};
use crate::header::{Format, Header};

/// File-type bits of `st_mode` (Linux's S_IFMT); the constants below are the types.
pub const S_IFMT: u32 = 0o170000;
pub const S_IFSOCK: u32 = 0o140000;
pub const S_IFLNK: u32 = 0o120000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFBLK: u32 = 0o060000;
pub const S_IFDIR: u32 = 0o040000;
pub const S_IFCHR: u32 = 0o020000;
pub const S_IFIFO: u32 = 0o010000;

/// The type of file an entry makes, from the S_IFMT bits of its mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Regular,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
}

impl Kind {
    /// The kind for a full `st_mode`, or `None` if its type bits name no Linux file type.
    pub fn from_mode(mode: u32) -> Option<Kind> {
        match mode & S_IFMT {
            S_IFREG => Some(Kind::Regular),
            S_IFDIR => Some(Kind::Directory),
            S_IFLNK => Some(Kind::Symlink),
            S_IFCHR => Some(Kind::CharDevice),
            S_IFBLK => Some(Kind::BlockDevice),
            S_IFIFO => Some(Kind::Fifo),
            S_IFSOCK => Some(Kind::Socket),
            _ => None,
        }
    }
}

/// What identifies one inode across the hard-linked entries of an archive: Linux's
/// `find_link` compares the device, the inode number and the file type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkKey {
    pub dev_major: u32,
    pub dev_minor: u32,
    pub ino: u32,
    pub kind: Kind,
}

/// One entry of an archive (never the "TRAILER!!!" that ends it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub(crate) header: Header,
    pub(crate) kind: Kind,
    pub(crate) name: &'a [u8],
    pub(crate) data: &'a [u8],
    pub(crate) offset: usize,
    pub(crate) archive: usize,
}

impl<'a> Entry<'a> {
    /// The name as stored, without its NUL ("./bin/sh", "bin/sh", "." ...).
    pub fn name(&self) -> &'a [u8] {
        self.name
    }

    /// The name as stored, if it is UTF-8.
    pub fn name_str(&self) -> Result<&'a str, Error<'a>> {
        core::str::from_utf8(self.name).map_err(|_| self.error(ErrorKind::NameNotUtf8))
    }

    /// The path to create relative to the root: the name without leading "./" and "/"
    /// and without trailing "/"; "" stands for the root itself ("." or "/"). A ".."
    /// component is an error, so that an archive cannot write outside the root. Inner
    /// "." and empty components are left for the path walk, where they are harmless.
    pub fn normalized_path(&self) -> Result<&'a [u8], Error<'a>> {
        if self.name.split(|&b| b == b'/').any(|c| c == b"..") {
            return Err(self.error(ErrorKind::UnsafePath));
        }

        let mut path = self.name;
        loop {
            if let Some(rest) = path.strip_prefix(b"/") {
                path = rest;
            } else if let Some(rest) = path.strip_prefix(b"./") {
                path = rest;
            } else if path == b"." {
                path = b"";
            } else {
                break;
            }
        }
        while let Some(rest) = path.strip_suffix(b"/") {
            path = rest;
        }
        Ok(path)
    }

    /// The full `st_mode`: file-type bits and permission bits with setuid, setgid, sticky.
    pub fn mode(&self) -> u32 {
        self.header.mode
    }

    /// The permission bits of the mode (07777), with setuid, setgid and sticky.
    pub fn permissions(&self) -> u32 {
        self.header.mode & 0o7777
    }

    /// The type of file to create.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn uid(&self) -> u32 {
        self.header.uid
    }

    pub fn gid(&self) -> u32 {
        self.header.gid
    }

    pub fn nlink(&self) -> u32 {
        self.header.nlink
    }

    /// Modification time in seconds since the epoch.
    pub fn mtime(&self) -> u32 {
        self.header.mtime
    }

    /// Inode number on the machine that wrote the archive (used to match hard links).
    pub fn ino(&self) -> u32 {
        self.header.ino
    }

    /// Device of the file on the machine that wrote the archive: (major, minor).
    pub fn dev(&self) -> (u32, u32) {
        (self.header.dev_major, self.header.dev_minor)
    }

    /// Device number a character or block device node stands for: (major, minor).
    pub fn rdev(&self) -> (u32, u32) {
        (self.header.rdev_major, self.header.rdev_minor)
    }

    /// The file data, a slice of the archive; a symlink's target; often empty for all
    /// but the last of a set of hard links (see [`Entry::link_key`]).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The target of a symlink, `None` for other kinds.
    pub fn symlink_target(&self) -> Option<&'a [u8]> {
        (self.kind == Kind::Symlink).then_some(self.data)
    }

    /// The `c_check` field: in crc archives the sum of the data bytes (verified; 0 is
    /// allowed for entries other than regular files); in newc 0 and ignored.
    pub fn check(&self) -> u32 {
        self.header.check
    }

    pub fn format(&self) -> Format {
        self.header.format
    }

    /// Byte offset of this entry's header in the buffer.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Which of the concatenated archives holds the entry, counted from 0. Inode numbers
    /// only identify a file within one archive: the hard-link table starts empty in each.
    pub fn archive(&self) -> usize {
        self.archive
    }

    /// `Some` when this entry may share its inode with other entries of the same archive:
    /// a regular file, device node, fifo or socket with `nlink >= 2` (Linux links neither
    /// directories nor symlinks). See the crate docs for how an unpacker uses it.
    pub fn link_key(&self) -> Option<LinkKey> {
        let linkable = !matches!(self.kind, Kind::Directory | Kind::Symlink);
        (linkable && self.header.nlink >= 2).then_some(LinkKey {
            dev_major: self.header.dev_major,
            dev_minor: self.header.dev_minor,
            ino: self.header.ino,
            kind: self.kind,
        })
    }

    /// An error about this entry.
    pub fn error(&self, kind: ErrorKind) -> Error<'a> {
        Error {
            offset: self.offset,
            name: Some(self.name),
            kind,
        }
    }
}
