//! Pipes (Linux: fs/pipe.c): a 64 KiB buffer between a read end and a
//! write end.
//!
//! A read waits while the pipe is empty and some writer remains, and
//! returns 0 (end of file) once all writers are gone; a write waits while
//! the pipe is full, and fails with EPIPE (and SIGPIPE) when no reader is
//! left; with O_NONBLOCK both fail with EAGAIN instead of waiting. A
//! waiting reader sleeps on the pipe's read queue until a writer puts data
//! in or the last writer goes, a writer on the write queue likewise. Each
//! pipe is a FIFO inode of an internal pipefs, unlinked at once, so fstat
//! sees a FIFO as on Linux. A named FIFO (mkfifo) keeps its pipe on its
//! inode; opening one waits for the other end (fifo_open).

use alloc::collections::VecDeque;
use alloc::format;
use alloc::sync::Arc;

use linux_raw_sys::errno::{EAGAIN, EFAULT, EINVAL, EPIPE};
use linux_raw_sys::general::{
    O_CLOEXEC, O_NONBLOCK, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM,
};
use spin::Once;
use vfs::file::{FMODE_READ, FMODE_WRITE};
use vfs::{Cred, Errno, File, FileOps, Lookup, MountNamespace, RamFs};

use crate::kernel::sched::{schedule, WaitQueue};
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::task::{with_current_files, TASKS};
use crate::mm::uaccess;

/// ioctl(FIONREAD): how many bytes a read would get now (<asm-generic/ioctls.h>).
const FIONREAD: u32 = 0x541b;

/// Linux's default pipe size (16 pages).
const PIPE_SIZE: usize = 64 * 1024;
/// Writes of up to this many bytes are atomic (<linux/limits.h>).
const PIPE_BUF: usize = 4096;

struct PipeBuffer {
    data: VecDeque<u8>,
    readers: usize,
    writers: usize,
    /// Opens of each end so far: a FIFO's open waits for the other end's
    /// count to move (Linux: r_counter, w_counter).
    r_counter: u64,
    w_counter: u64,
    /// Readers waiting for data or the last writer's close, and FIFO
    /// readers waiting for a writer's open.
    read_wait: WaitQueue,
    /// Writers waiting for room or the last reader's close, and FIFO
    /// writers waiting for a reader's open.
    write_wait: WaitQueue,
    /// Made by pipe2, not for a FIFO: an open through /proc/PID/fd waits for
    /// no partner and is never ENXIO (Linux's is_pipe in fifo_open).
    anonymous: bool,
}

impl PipeBuffer {
    /// A pipe of pipe2, with its two ends open, or a FIFO's, with none yet.
    fn new(anonymous: bool) -> PipeBuffer {
        let ends = usize::from(anonymous);
        PipeBuffer {
            data: VecDeque::new(),
            readers: ends,
            writers: ends,
            r_counter: ends as u64,
            w_counter: ends as u64,
            read_wait: WaitQueue::default(),
            write_wait: WaitQueue::default(),
            anonymous,
        }
    }

    fn queue(&mut self, side: Side) -> &mut WaitQueue {
        match side {
            Side::Read => &mut self.read_wait,
            Side::Write => &mut self.write_wait,
        }
    }
}

struct PipeEnd {
    pipe: Arc<IrqSpinLock<PipeBuffer>>,
    write: bool,
}

fn errno(e: u32) -> Errno {
    Errno::new(e)
}

/// Which of a pipe's two queues a task waits on.
#[derive(Clone, Copy)]
enum Side {
    Read,
    Write,
}

/// Sleep on one side of the pipe until woken, unless `nonblock` (EAGAIN)
/// or a signal is to be acted on (ERESTARTSYS: restarted after a stop or
/// an SA_RESTART handler, as Linux's pipe_read does). `p` is the locked
/// pipe, found empty or full, or a FIFO without its other end.
fn wait(
    pipe: &IrqSpinLock<PipeBuffer>,
    mut p: crate::kernel::sync::IrqSpinLockGuard<'_, PipeBuffer>,
    nonblock: bool,
    side: Side,
) -> vfs::Result<()> {
    if nonblock {
        return Err(errno(EAGAIN));
    }
    if crate::kernel::signal::signal_pending() {
        return Err(errno(crate::kernel::signal::ERESTARTSYS as u32));
    }
    p.queue(side).prepare_to_wait();
    drop(p);
    schedule();
    let me = TASKS.lock().current;
    pipe.lock().queue(side).finish_wait(me);
    Ok(())
}

fn nonblocking(file: &File) -> bool {
    file.flags() & O_NONBLOCK != 0
}

impl FileOps for PipeEnd {
    fn read(&self, file: &File, buf: &mut [u8], _pos: &mut u64) -> vfs::Result<usize> {
        loop {
            let mut p = self.pipe.lock();
            if !p.data.is_empty() {
                let n = buf.len().min(p.data.len());
                let (front, back) = p.data.as_slices();
                let first = n.min(front.len());
                buf[..first].copy_from_slice(&front[..first]);
                buf[first..n].copy_from_slice(&back[..n - first]);
                p.data.drain(..n);
                p.write_wait.wake_up_all();
                return Ok(n);
            }
            if p.writers == 0 || buf.is_empty() {
                return Ok(0);
            }
            wait(&self.pipe, p, nonblocking(file), Side::Read)?;
        }
    }

    fn write(&self, file: &File, buf: &[u8], _pos: &mut u64) -> vfs::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            let mut p = self.pipe.lock();
            if p.readers == 0 {
                let mut table = TASKS.lock();
                let me = table.current;
                crate::kernel::signal::send_signal(&mut table, me, crate::kernel::signal::SIGPIPE);
                return if done > 0 {
                    Ok(done)
                } else {
                    Err(errno(EPIPE))
                };
            }
            // A write of up to PIPE_BUF bytes goes in whole or waits.
            let room = PIPE_SIZE - p.data.len();
            let want = buf.len() - done;
            let n = if buf.len() <= PIPE_BUF && room < want {
                0
            } else {
                room.min(want)
            };
            if n > 0 {
                p.data.extend(&buf[done..done + n]);
                done += n;
                p.read_wait.wake_up_all();
            }
            if done < buf.len() {
                if let Err(e) = wait(&self.pipe, p, nonblocking(file), Side::Write) {
                    return if done > 0 { Ok(done) } else { Err(e) };
                }
            }
        }
        Ok(done)
    }

    fn seekable(&self) -> bool {
        false
    }

    fn poll(&self, _file: &File) -> u32 {
        poll_bits(&self.pipe.lock(), self.write)
    }

    /// FIONREAD: the bytes waiting in the pipe.
    fn ioctl(&self, _file: &File, cmd: u32, arg: u64) -> vfs::Result<i64> {
        if cmd != FIONREAD {
            return Err(Errno::ENOTTY);
        }
        let n = self.pipe.lock().data.len() as i32;
        uaccess::copy_to_user(arg, &n.to_le_bytes())
            .map(|()| 0)
            .map_err(|_| errno(EFAULT))
    }

    fn release(&self, _file: &File) {
        let mut p = self.pipe.lock();
        // The other side's sleepers see an end of file or a broken pipe.
        if self.write {
            p.writers -= 1;
            p.read_wait.wake_up_all();
        } else {
            p.readers -= 1;
            p.write_wait.wake_up_all();
        }
        // A FIFO's data goes with its last user (Linux frees the pipe).
        if p.readers == 0 && p.writers == 0 {
            p.data.clear();
        }
    }
}

/// The read end is readable with data or without writers (then it hangs
/// up too); the write end writable with room, in error without readers.
fn poll_bits(p: &PipeBuffer, write: bool) -> u32 {
    if write {
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

/// The pipe of a FIFO inode, made on its first open (Linux: i_pipe).
fn fifo_pipe(inode: &vfs::Inode) -> vfs::Result<Arc<IrqSpinLock<PipeBuffer>>> {
    let special = inode.special.call_once(|| {
        let pipe: Arc<IrqSpinLock<PipeBuffer>> = Arc::new(IrqSpinLock::new(PipeBuffer::new(false)));
        pipe
    });
    special
        .clone()
        .downcast::<IrqSpinLock<PipeBuffer>>()
        .map_err(|_| errno(linux_raw_sys::errno::ENXIO))
}

/// open(2) of a FIFO (Linux: fifo_open). A reader waits for a writer and a
/// writer for a reader, unless O_NONBLOCK: then a reader opens at once and
/// a writer without readers fails with ENXIO. O_RDWR opens both ends and
/// never waits. A signal ends the wait with ERESTARTSYS.
pub fn fifo_open(inode: &vfs::Inode, flags: u32) -> vfs::Result<Arc<dyn FileOps>> {
    let pipe = fifo_pipe(inode)?;
    let nonblock = flags & O_NONBLOCK != 0;
    let (read, write) = match flags & 3 {
        0 => (true, false),
        1 => (false, true),
        _ => (true, true),
    };
    let anonymous = pipe.lock().anonymous;
    {
        let mut p = pipe.lock();
        if write && !read && nonblock && p.readers == 0 && !anonymous {
            return Err(errno(linux_raw_sys::errno::ENXIO));
        }
        // An end that waits for this one to open wakes (wake_up_partner).
        if read {
            p.readers += 1;
            p.r_counter += 1;
            p.write_wait.wake_up_all();
        }
        if write {
            p.writers += 1;
            p.w_counter += 1;
            p.read_wait.wake_up_all();
        }
    }
    let end: Arc<dyn FileOps> = match (read, write) {
        (true, true) => Arc::new(FifoBoth(PipeEnd {
            pipe: pipe.clone(),
            write: false,
        })),
        _ => Arc::new(PipeEnd {
            pipe: pipe.clone(),
            write,
        }),
    };
    if read != write && !(read && nonblock) && !anonymous {
        let start = {
            let p = pipe.lock();
            if read {
                p.w_counter
            } else {
                p.r_counter
            }
        };
        let side = if read { Side::Read } else { Side::Write };
        loop {
            let p = pipe.lock();
            let (now, others) = match read {
                true => (p.w_counter, p.writers),
                false => (p.r_counter, p.readers),
            };
            if others > 0 || now != start {
                break;
            }
            if let Err(e) = wait(&pipe, p, false, side) {
                let mut p = pipe.lock();
                if read {
                    p.readers -= 1;
                } else {
                    p.writers -= 1;
                }
                return Err(e);
            }
        }
    }
    Ok(end)
}

/// A FIFO opened O_RDWR: one file that reads and writes the same pipe.
struct FifoBoth(PipeEnd);

impl FileOps for FifoBoth {
    fn read(&self, file: &File, buf: &mut [u8], pos: &mut u64) -> vfs::Result<usize> {
        self.0.read(file, buf, pos)
    }

    fn write(&self, file: &File, buf: &[u8], pos: &mut u64) -> vfs::Result<usize> {
        self.0.write(file, buf, pos)
    }

    fn seekable(&self) -> bool {
        false
    }

    fn poll(&self, _file: &File) -> u32 {
        let p = self.0.pipe.lock();
        poll_bits(&p, false) | poll_bits(&p, true)
    }

    fn ioctl(&self, file: &File, cmd: u32, arg: u64) -> vfs::Result<i64> {
        self.0.ioctl(file, cmd, arg)
    }

    fn release(&self, _file: &File) {
        let mut p = self.0.pipe.lock();
        p.readers -= 1;
        p.writers -= 1;
        p.read_wait.wake_up_all();
        p.write_wait.wake_up_all();
        if p.readers == 0 && p.writers == 0 {
            p.data.clear();
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

    let pipe = Arc::new(IrqSpinLock::new(PipeBuffer::new(true)));
    // The inode keeps its pipe, so that an open of /proc/PID/fd/N joins it as
    // an open of a FIFO does (Linux: the pipefs inode's i_pipe).
    let inode = path.inode();
    inode.special.call_once(|| pipe.clone());
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
    if uaccess::copy_to_user(fds, &bytes).is_err() {
        with_current_files(|files| {
            let _ = files.close(rfd);
            let _ = files.close(wfd);
        });
        return -(EFAULT as i64);
    }
    0
}
