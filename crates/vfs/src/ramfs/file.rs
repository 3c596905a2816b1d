//! ramfs regular files, symlinks and special inodes. A file is a sparse map of pages, as
//! the page cache holds a ramfs file: a hole reads as zeros and costs nothing, and
//! `st_blocks` counts the pages present (Linux's simple_write_begin/generic_file_read).
//!
//! A file's pages count against its tmpfs instance's size limit (`size=`, Linux's
//! shmem_inode_acct_blocks). Beyond Linux, the pages of every ramfs and tmpfs file
//! together may also fill only half of memory (the kernel sets that cap at boot):
//! past it, and whenever the page allocator has nothing left, a write stops with
//! ENOSPC instead of the kernel running out of memory. Linux's ramfs has no limit and
//! leaves a full memory to the OOM killer; noyau's answers only user page faults.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicUsize, Ordering};

use spin::Mutex;

use super::limits::{self, Counter, InodeCharge};
use crate::errno::{Errno, Result};
use crate::inode::{Inode, InodeOps};
use crate::time::current_time;

/// The page size of file data.
pub const PAGE_SIZE: usize = 4096;

/// Linux's MAX_LFS_FILESIZE on 64-bit machines: no file grows past it (EFBIG).
pub const MAX_FILE_SIZE: u64 = i64::MAX as u64;

type Page = Box<[u8; PAGE_SIZE]>;

/// Pages held by ramfs and tmpfs files, and how many they may hold.
static PAGES_USED: AtomicUsize = AtomicUsize::new(0);
static PAGES_MAX: AtomicUsize = AtomicUsize::new(usize::MAX);

/// The pages all ramfs and tmpfs files hold (what /proc/meminfo shows as
/// Shmem and in Cached).
pub fn pages_used() -> u64 {
    PAGES_USED.load(Ordering::Relaxed) as u64
}

/// Memory has `total` pages: the files of memory filesystems may hold half of
/// them together, and a tmpfs's defaults are computed from them.
pub fn set_memory_pages(total: u64) {
    PAGES_MAX.store((total / 2) as usize, Ordering::Relaxed);
    limits::set_total_pages(total);
}

/// A zeroed page for a file of the instance counting `count`, within its limit,
/// the cap of all memory filesystems and the memory there is.
fn new_page(count: &Counter) -> Option<Page> {
    if !count.try_charge() {
        return None;
    }
    let max = PAGES_MAX.load(Ordering::Relaxed);
    let global = PAGES_USED.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
        (used < max).then_some(used + 1)
    });
    let mut page = Vec::new();
    if global.is_err() || page.try_reserve_exact(PAGE_SIZE).is_err() {
        if global.is_ok() {
            PAGES_USED.fetch_sub(1, Ordering::Relaxed);
        }
        count.uncharge(1);
        return None;
    }
    page.resize(PAGE_SIZE, 0);
    Page::try_from(page.into_boxed_slice()).ok()
}

/// A regular file's data.
pub struct RamFile {
    pages: Mutex<BTreeMap<u64, Page>>,
    /// The pages of the file's instance.
    count: Arc<Counter>,
    _inode: InodeCharge,
}

impl RamFile {
    pub(crate) fn new(count: Arc<Counter>, inode: InodeCharge) -> RamFile {
        RamFile {
            pages: Mutex::default(),
            count,
            _inode: inode,
        }
    }

    /// `n` pages of the file are gone.
    fn pages_freed(&self, n: usize) {
        PAGES_USED.fetch_sub(n, Ordering::Relaxed);
        self.count.uncharge(n as u64);
    }
}

impl Drop for RamFile {
    fn drop(&mut self) {
        let n = self.pages.get_mut().len();
        self.pages_freed(n);
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
            let page = match pages.entry(index) {
                alloc::collections::btree_map::Entry::Occupied(page) => page.into_mut(),
                alloc::collections::btree_map::Entry::Vacant(slot) => match new_page(&self.count) {
                    Some(page) => slot.insert(page),
                    None => break,
                },
            };
            page[in_page..in_page + n].copy_from_slice(&buf[done..done + n]);
            done += n;
        }
        // Out of room: the bytes written so far count, ENOSPC if none.
        if done < len && done == 0 {
            return Err(Errno::ENOSPC);
        }
        let len = done;

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
        self.pages_freed(pages.split_off(&first_gone).len());
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
    _inode: InodeCharge,
}

impl RamSymlink {
    pub(crate) fn new(target: &[u8], inode: InodeCharge) -> RamSymlink {
        RamSymlink {
            target: target.to_vec(),
            _inode: inode,
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
pub struct RamSpecial {
    _inode: InodeCharge,
}

impl RamSpecial {
    pub(crate) fn new(inode: InodeCharge) -> RamSpecial {
        RamSpecial { _inode: inode }
    }
}

impl InodeOps for RamSpecial {
    fn as_any(&self) -> &dyn Any {
        self
    }
}
