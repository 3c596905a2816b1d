//! ramfs regular files, symlinks and special inodes. A file is a sparse map of pages, as
//! the page cache holds a ramfs file: a hole reads as zeros and costs nothing, and
//! `st_blocks` counts the pages present (Linux's simple_write_begin/generic_file_read).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::any::Any;

use spin::Mutex;

use crate::errno::{Errno, Result};
use crate::inode::{Inode, InodeOps};
use crate::time::current_time;

/// The page size of file data.
pub const PAGE_SIZE: usize = 4096;

/// Linux's MAX_LFS_FILESIZE on 64-bit machines: no file grows past it (EFBIG).
pub const MAX_FILE_SIZE: u64 = i64::MAX as u64;

type Page = Box<[u8; PAGE_SIZE]>;

/// A regular file's data.
#[derive(Default)]
pub struct RamFile {
    pages: Mutex<BTreeMap<u64, Page>>,
}

impl RamFile {
    pub fn new() -> RamFile {
        RamFile::default()
    }
}

fn blocks_of(pages: &BTreeMap<u64, Page>) -> u64 {
    pages.len() as u64 * (PAGE_SIZE as u64 / 512)
}

impl InodeOps for RamFile {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn read_at(&self, inode: &Inode, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let pages = self.pages.lock();
        let size = inode.attr().size;
        if offset >= size {
            return Ok(0);
        }
        let len = buf.len().min((size - offset) as usize);
        let mut done = 0;
        while done < len {
            let pos = offset + done as u64;
            let (index, in_page) = (pos / PAGE_SIZE as u64, (pos % PAGE_SIZE as u64) as usize);
            let n = (PAGE_SIZE - in_page).min(len - done);
            let out = &mut buf[done..done + n];
            match pages.get(&index) {
                Some(page) => out.copy_from_slice(&page[in_page..in_page + n]),
                None => out.fill(0),
            }
            done += n;
        }
        Ok(len)
    }

    fn write_at(&self, inode: &Inode, offset: Option<u64>, buf: &[u8]) -> Result<(usize, u64)> {
        let mut pages = self.pages.lock();
        let offset = offset.unwrap_or_else(|| inode.attr().size);
        if offset >= MAX_FILE_SIZE && !buf.is_empty() {
            return Err(Errno::EFBIG);
        }
        let len = buf.len().min((MAX_FILE_SIZE - offset) as usize);
        let mut done = 0;
        while done < len {
            let pos = offset + done as u64;
            let (index, in_page) = (pos / PAGE_SIZE as u64, (pos % PAGE_SIZE as u64) as usize);
            let n = (PAGE_SIZE - in_page).min(len - done);
            let page = pages
                .entry(index)
                .or_insert_with(|| Box::new([0; PAGE_SIZE]));
            page[in_page..in_page + n].copy_from_slice(&buf[done..done + n]);
            done += n;
        }

        let end = offset + len as u64;
        let now = current_time();
        let mut attr = inode.attr_mut();
        attr.size = attr.size.max(end);
        attr.blocks = blocks_of(&pages);
        if len > 0 {
            attr.mtime = now;
            attr.ctime = now;
        }
        Ok((len, end))
    }

    fn truncate(&self, inode: &Inode, size: u64) -> Result<()> {
        if size > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let mut pages = self.pages.lock();
        let first_gone = size.div_ceil(PAGE_SIZE as u64);
        pages.split_off(&first_gone);
        // The tail of a partial last page must read as zeros if the file grows again.
        let in_page = (size % PAGE_SIZE as u64) as usize;
        if in_page != 0 {
            if let Some(page) = pages.get_mut(&(size / PAGE_SIZE as u64)) {
                page[in_page..].fill(0);
            }
        }

        let now = current_time();
        let mut attr = inode.attr_mut();
        attr.size = size;
        attr.blocks = blocks_of(&pages);
        attr.mtime = now;
        attr.ctime = now;
        Ok(())
    }
}

/// A symlink's target.
pub struct RamSymlink {
    target: Vec<u8>,
}

impl RamSymlink {
    pub fn new(target: &[u8]) -> RamSymlink {
        RamSymlink {
            target: target.to_vec(),
        }
    }
}

impl InodeOps for RamSymlink {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn readlink(&self, _inode: &Inode) -> Result<Vec<u8>> {
        Ok(self.target.clone())
    }
}

/// A device node, FIFO or socket: attributes only; the kernel routes its opens.
pub struct RamSpecial;

impl InodeOps for RamSpecial {
    fn as_any(&self) -> &dyn Any {
        self
    }
}
