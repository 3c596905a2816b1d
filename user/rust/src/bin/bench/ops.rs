//! The microbenchmarks, lmbench-style: each runs its operation `n` times
//! and returns the time the `n` operations took, setup left out where it
//! can be. Processes come from fork(2), files live in /tmp (tmpfs on noyau,
//! the initramfs's rootfs on Linux), and the devices are /dev/zero and null.

use std::fs::{self, File};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::sys::{self, Errno};

/// What a benchmark returns: the time of its `n` operations, or what failed.
pub type Timed = Result<Duration, String>;

/// The tiny static program that fork_exec runs (user/init/exit0.c).
const EXIT0: &[u8] = b"/sbin/exit0\0";

/// 64 KiB, the chunk of the pipe bandwidth benchmark.
const CHUNK: usize = 64 << 10;

/// 4 MiB, the mapping of the page-fault benchmark.
const MAPPING: usize = 4 << 20;
const PAGE: usize = 4096;

/// Files created and deleted per operation of `files_1000`.
const FILES: usize = 1000;

fn failed(what: &str, errno: Errno) -> String {
    format!("{what} failed with errno {}", -errno)
}

fn timed(n: u64, mut op: impl FnMut() -> Result<(), String>) -> Timed {
    let start = Instant::now();
    for _ in 0..n {
        op()?;
    }
    Ok(start.elapsed())
}

pub fn null_syscall(n: u64) -> Timed {
    timed(n, || {
        sys::getppid();
        Ok(())
    })
}

/// A 1-byte read(2) or write(2) on a device file.
fn device_io(path: &str, n: u64, write: bool) -> Timed {
    let file = File::options()
        .read(!write)
        .write(write)
        .open(path)
        .map_err(|err| format!("open {path}: {err}"))?;
    let fd = i64::from(file.as_raw_fd());
    let mut byte = [0u8; 1];
    timed(n, || {
        let r = match write {
            true => sys::write(fd, &byte),
            false => sys::read(fd, &mut byte),
        };
        match r {
            Ok(1) => Ok(()),
            Ok(got) => Err(format!("{path}: {got} bytes instead of 1")),
            Err(errno) => Err(failed(path, errno)),
        }
    })
}

pub fn read_zero(n: u64) -> Timed {
    device_io("/dev/zero", n, false)
}

pub fn write_null(n: u64) -> Timed {
    device_io("/dev/null", n, true)
}

pub fn open_close(n: u64) -> Timed {
    let path = "/tmp/bench-open";
    File::create(path).map_err(|err| format!("create {path}: {err}"))?;
    let time = timed(n, || {
        File::open(path).map_err(|err| format!("open {path}: {err}"))?;
        Ok(())
    });
    let _ = fs::remove_file(path);
    time
}

pub fn stat_deep(n: u64) -> Timed {
    let dir = "/tmp/bench-stat/a/b";
    let path = "/tmp/bench-stat/a/b/c";
    fs::create_dir_all(dir).map_err(|err| format!("mkdir {dir}: {err}"))?;
    File::create(path).map_err(|err| format!("create {path}: {err}"))?;
    timed(n, || {
        fs::metadata(path).map_err(|err| format!("stat {path}: {err}"))?;
        Ok(())
    })
}

/// Forks a child that runs `child` (raw calls only) and exits with its code.
fn spawn(child: impl FnOnce() -> i64) -> Result<i64, String> {
    match sys::fork().map_err(|errno| failed("fork", errno))? {
        0 => sys::exit(child()),
        pid => Ok(pid),
    }
}

/// Waits for `pid`, which must have exited with status 0.
fn reap(pid: i64) -> Result<(), String> {
    match sys::wait(pid).map_err(|errno| failed("wait4", errno))? {
        0 => Ok(()),
        status => Err(format!("child ended with wait status {status:#x}")),
    }
}

pub fn fork_exit(n: u64) -> Timed {
    timed(n, || reap(spawn(|| 0)?))
}

pub fn fork_exec(n: u64) -> Timed {
    timed(n, || reap(spawn(|| 100 - sys::execve(EXIT0))?))
}

/// A child that sends back every byte it gets, until end of file; the
/// parent's two ends: (write to the child, read from it).
fn echo_child() -> Result<(i64, i64, i64), String> {
    let (to_child_r, to_child_w) = sys::pipe().map_err(|e| failed("pipe", e))?;
    let (from_child_r, from_child_w) = sys::pipe().map_err(|e| failed("pipe", e))?;
    let pid = spawn(|| {
        sys::close(to_child_w);
        sys::close(from_child_r);
        let mut byte = [0u8; 1];
        while let Ok(1) = sys::read(to_child_r, &mut byte) {
            if sys::write(from_child_w, &byte) != Ok(1) {
                return 1;
            }
        }
        0
    })?;
    sys::close(to_child_r);
    sys::close(from_child_w);
    Ok((pid, to_child_w, from_child_r))
}

/// `n` one-byte round trips through the echo child.
fn round_trips(n: u64) -> Timed {
    let (pid, to, from) = echo_child()?;
    let mut byte = [7u8; 1];
    let time = timed(n, || {
        sys::write(to, &byte).map_err(|e| failed("pipe write", e))?;
        match sys::read(from, &mut byte) {
            Ok(1) => Ok(()),
            _ => Err("the echo child did not answer".to_string()),
        }
    });
    sys::close(to);
    sys::close(from);
    reap(pid)?;
    time
}

pub fn pipe_latency(n: u64) -> Timed {
    round_trips(n)
}

/// lmbench's lat_ctx with two processes and no working set: a token passed
/// around a ring of two pipes; an operation is one pass, half a round trip
/// (so `n` round trips are `2n` operations, timed as `n` of half the time).
pub fn ctx_switch(n: u64) -> Timed {
    round_trips(n).map(|time| time / 2)
}

/// Reads exactly `total` bytes from `fd` into `buf`, a chunk at a time.
fn read_all(fd: i64, buf: &mut [u8], total: usize) -> Result<(), String> {
    let mut got = 0;
    while got < total {
        let want = buf.len().min(total - got);
        match sys::read(fd, &mut buf[..want]) {
            Ok(0) => return Err(format!("end of pipe after {got} of {total} bytes")),
            Ok(k) => got += k,
            Err(errno) => return Err(failed("pipe read", errno)),
        }
    }
    Ok(())
}

/// A child writes `n + 1` chunks of 64 KiB; the parent reads the first
/// untimed (so that the fork is not counted), then times the `n` others.
pub fn pipe_bandwidth(n: u64) -> Timed {
    let (r, w) = sys::pipe().map_err(|e| failed("pipe", e))?;
    let mut buf = vec![0u8; CHUNK];
    let pid = spawn(|| {
        sys::close(r);
        let chunk = vec![1u8; CHUNK];
        for _ in 0..=n {
            let mut sent = 0;
            while sent < CHUNK {
                match sys::write(w, &chunk[sent..]) {
                    Ok(k) => sent += k,
                    Err(_) => return 1,
                }
            }
        }
        0
    })?;
    sys::close(w);
    read_all(r, &mut buf, CHUNK)?;
    let start = Instant::now();
    read_all(r, &mut buf, n as usize * CHUNK)?;
    let time = start.elapsed();
    sys::close(r);
    reap(pid)?;
    Ok(time)
}

pub fn mmap_touch(n: u64) -> Timed {
    timed(n, || {
        let base = sys::mmap_anonymous(MAPPING).map_err(|e| failed("mmap", e))?;
        for offset in (0..MAPPING).step_by(PAGE) {
            // SAFETY: offset < MAPPING, inside the mapping made above.
            unsafe { base.add(offset).write_volatile(1) };
        }
        sys::munmap(base, MAPPING);
        Ok(())
    })
}

pub fn files_1000(n: u64) -> Timed {
    let dir = "/tmp/bench-files";
    fs::create_dir_all(dir).map_err(|err| format!("mkdir {dir}: {err}"))?;
    let names: Vec<String> = (0..FILES).map(|i| format!("{dir}/f{i}")).collect();
    timed(n, || {
        for name in &names {
            File::create(name).map_err(|err| format!("create {name}: {err}"))?;
        }
        for name in &names {
            fs::remove_file(name).map_err(|err| format!("unlink {name}: {err}"))?;
        }
        Ok(())
    })
}

pub fn thread_create(n: u64) -> Timed {
    timed(n, || {
        thread::spawn(|| ())
            .join()
            .map_err(|_| "a thread panicked".to_string())
    })
}

/// The futex word's states: the main thread's turn, the helper's, the end.
const MAIN: u32 = 0;
const HELPER: u32 = 1;
const DONE: u32 = 2;

/// A round trip between two threads, each sleeping on one futex word until
/// the other hands it the turn and wakes it.
pub fn futex_wake(n: u64) -> Timed {
    let word = Arc::new(AtomicU32::new(MAIN));
    let theirs = Arc::clone(&word);
    let helper = thread::spawn(move || loop {
        match theirs.load(Ordering::Acquire) {
            DONE => break,
            HELPER => {
                theirs.store(MAIN, Ordering::Release);
                sys::futex_wake(&theirs);
            }
            _ => sys::futex_wait(&theirs, MAIN),
        }
    });
    let time = timed(n, || {
        word.store(HELPER, Ordering::Release);
        sys::futex_wake(&word);
        while word.load(Ordering::Acquire) == HELPER {
            sys::futex_wait(&word, HELPER);
        }
        Ok(())
    });
    word.store(DONE, Ordering::Release);
    sys::futex_wake(&word);
    helper.join().map_err(|_| "the futex helper panicked")?;
    time
}
