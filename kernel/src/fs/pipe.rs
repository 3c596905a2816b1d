//! Pipes (Linux: fs/pipe.c): a 64 KiB buffer between a read end and a
//! write end.
//!
//! A read waits while the pipe is empty and some writer remains, and
//! returns 0 (end of file) once all writers are gone; a write waits while
//! the pipe is full, and fails with EPIPE (and SIGPIPE) when no reader is
//! left. Waiting yields to other tasks until the next tick. Each pipe is a
//! FIFO inode of an internal pipefs, unlinked at once, so fstat sees a
//! FIFO as on Linux.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::sync::Arc;

use linux_raw_sys::errno::{EFAULT, EINVAL, EPIPE};
use linux_raw_sys::general::{
    O_CLOEXEC, O_NONBLOCK, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM,
};
use spin::Once;
use vfs::file::{FMODE_READ, FMODE_WRITE};
use vfs::{Cred, Errno, File, FileOps, Lookup, MountNamespace, RamFs};

use crate::kernel::sync::IrqSpinLock;
use crate::kernel::task::{with_current_files, with_current_mm, TASKS};

/// ioctl(FIONREAD): how many bytes a read would get now (<asm-generic/ioctls.h>).
const FIONREAD: u32 = 0x541b;

/// Linux's default pipe size (16 pages).
const PIPE_SIZE: usize = 64 * 1024;

struct PipeBuffer {
    data: VecDeque<u8>,
    readers: usize,
    writers: usize,
}

struct PipeEnd {
    pipe: Arc<IrqSpinLock<PipeBuffer>>,
    write: bool,
}

fn errno(e: u32) -> Errno {
    Errno::new(e)
}

/// Yield until the next tick, unless a signal is to be acted on: then the
/// call returns ERESTARTSYS, restarted after a stop or an SA_RESTART
/// handler (Linux: pipe_read's -ERESTARTSYS).
fn wait_or_interrupted() -> vfs::Result<()> {
    if crate::kernel::signal::signal_pending() {
        return Err(errno(crate::kernel::signal::ERESTARTSYS as u32));
    }
    crate::kernel::sched::yield_or_idle();
    Ok(())
}

impl FileOps for PipeEnd {
    fn read(&self, _file: &File, buf: &mut [u8], _pos: &mut u64) -> vfs::Result<usize> {
        loop {
            {
                let mut p = self.pipe.lock();
                if !p.data.is_empty() {
                    let n = buf.len().min(p.data.len());
                    for (dst, src) in buf.iter_mut().zip(p.data.drain(..n)) {
                        *dst = src;
                    }
                    return Ok(n);
                }
                if p.writers == 0 || buf.is_empty() {
                    return Ok(0);
                }
            }
            wait_or_interrupted()?;
        }
    }

    fn write(&self, _file: &File, buf: &[u8], _pos: &mut u64) -> vfs::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            {
                let mut p = self.pipe.lock();
                if p.readers == 0 {
                    let mut table = TASKS.lock();
                    let me = table.current;
                    crate::kernel::signal::send_signal(
                        &mut table,
                        me,
                        crate::kernel::signal::SIGPIPE,
                    );
                    return if done > 0 {
                        Ok(done)
                    } else {
                        Err(errno(EPIPE))
                    };
                }
                let room = PIPE_SIZE - p.data.len();
                let n = room.min(buf.len() - done);
                p.data.extend(&buf[done..done + n]);
                done += n;
            }
            if done < buf.len() {
                if let Err(e) = wait_or_interrupted() {
                    return if done > 0 { Ok(done) } else { Err(e) };
                }
            }
        }
        Ok(done)
    }

    fn seekable(&self) -> bool {
        false
    }

    /// The read end is readable with data or without writers (then it
    /// hangs up too); the write end writable with room, in error without
    /// readers.
    fn poll(&self, _file: &File) -> u32 {
        let p = self.pipe.lock();
        if self.write {
            match (p.readers, p.data.len() < PIPE_SIZE) {
                (0, _) => POLLERR,
                (_, true) => POLLOUT | POLLWRNORM,
                _ => 0,
            }
        } else {
            let data = if p.data.is_empty() {
                0
            } else {
                POLLIN | POLLRDNORM
            };
            let hangup = if p.writers == 0 { POLLHUP } else { 0 };
            data | hangup
        }
    }

    /// FIONREAD: the bytes waiting in the pipe.
    fn ioctl(&self, _file: &File, cmd: u32, arg: u64) -> vfs::Result<i64> {
        if cmd != FIONREAD {
            return Err(Errno::ENOTTY);
        }
        let n = self.pipe.lock().data.len() as i32;
        with_current_mm(|mm| mm.copy_to_user(arg, &n.to_le_bytes()))
            .map(|()| 0)
            .map_err(|_| errno(EFAULT))
    }

    fn release(&self, _file: &File) {
        let mut p = self.pipe.lock();
        if self.write {
            p.writers -= 1;
        } else {
            p.readers -= 1;
        }
    }
}

static PIPEFS: Once<MountNamespace> = Once::new();
static NEXT_PIPE: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

/// pipe2(2): two descriptors, [read end, write end].
pub fn sys_pipe2(fds: u64, flags: u64) -> i64 {
    let flags = flags as u32;
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return -(EINVAL as i64);
    }
    let ns = PIPEFS.call_once(|| MountNamespace::new(RamFs::new_ramfs(), b"pipefs"));
    let root = ns.root();
    let cred = Cred::root();
    let name = format!(
        "pipe:[{}]",
        NEXT_PIPE.fetch_add(1, core::sync::atomic::Ordering::Relaxed)
    );
    let lk = Lookup::new(&root, &root, &cred);
    let path = match vfs::mknodat(lk, name.as_bytes(), 0o010600, 0, 0) {
        Ok(p) => p,
        Err(e) => return e.to_ret(),
    };
    let _ = vfs::unlink(Lookup::new(&root, &root, &cred), name.as_bytes());

    let pipe = Arc::new(IrqSpinLock::new(PipeBuffer {
        data: VecDeque::new(),
        readers: 1,
        writers: 1,
    }));
    let task_cred = crate::kernel::cred::current_fs_cred();
    let reader = Arc::new(PipeEnd {
        pipe: pipe.clone(),
        write: false,
    });
    let writer = Arc::new(PipeEnd { pipe, write: true });
    let rflags = flags & O_NONBLOCK;
    let r = Arc::new(File::new(
        path.clone(),
        rflags,
        FMODE_READ,
        reader,
        task_cred.clone(),
    ));
    let w = Arc::new(File::new(path, rflags | 1, FMODE_WRITE, writer, task_cred));
    let cloexec = flags & O_CLOEXEC != 0;
    let pair = with_current_files(|files| {
        let rfd = files.alloc(r, cloexec)?;
        match files.alloc(w, cloexec) {
            Ok(wfd) => Ok((rfd, wfd)),
            Err(e) => {
                let _ = files.close(rfd);
                Err(e)
            }
        }
    });
    let (rfd, wfd) = match pair {
        Ok(p) => p,
        Err(e) => return e.to_ret(),
    };
    let mut bytes = [0u8; 8];
    bytes[..4].copy_from_slice(&rfd.to_le_bytes());
    bytes[4..].copy_from_slice(&wfd.to_le_bytes());
    if with_current_mm(|mm| mm.copy_to_user(fds, &bytes)).is_err() {
        with_current_files(|files| {
            let _ = files.close(rfd);
            let _ = files.close(wfd);
        });
        return -(EFAULT as i64);
    }
    0
}
