//! The raw system calls the benchmarks time, made with `syscall` directly
//! (noyau_user::syscall6) so that neither glibc nor std adds work: the
//! numbers of arch/x86/entry/syscalls/syscall_64.tbl and Linux's constants.

use noyau_user::syscall6;

const READ: i64 = 0;
const WRITE: i64 = 1;
const CLOSE: i64 = 3;
const MMAP: i64 = 9;
const MUNMAP: i64 = 11;
const FORK: i64 = 57;
const EXECVE: i64 = 59;
const EXIT: i64 = 60;
const WAIT4: i64 = 61;
const GETPPID: i64 = 110;
const FUTEX: i64 = 202;
const PIPE2: i64 = 293;

const PROT_READ_WRITE: i64 = 0x3;
const MAP_PRIVATE_ANONYMOUS: i64 = 0x22;
const FUTEX_WAIT_PRIVATE: i64 = 128;
const FUTEX_WAKE_PRIVATE: i64 = 129;

/// A call that failed: the negated errno the kernel returned.
pub type Errno = i64;

fn checked(ret: i64) -> Result<i64, Errno> {
    if ret < 0 {
        Err(ret)
    } else {
        Ok(ret)
    }
}

pub fn getppid() -> i64 {
    // SAFETY: getppid takes no argument and touches no memory.
    unsafe { syscall6(GETPPID, 0, 0, 0, 0, 0, 0) }
}

pub fn read(fd: i64, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most buf.len() bytes into buf.
    let r = unsafe { syscall6(READ, fd, buf.as_mut_ptr() as i64, buf.len() as i64, 0, 0, 0) };
    checked(r).map(|n| n as usize)
}

pub fn write(fd: i64, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel reads at most buf.len() bytes from buf.
    let r = unsafe { syscall6(WRITE, fd, buf.as_ptr() as i64, buf.len() as i64, 0, 0, 0) };
    checked(r).map(|n| n as usize)
}

pub fn close(fd: i64) {
    // SAFETY: close takes no pointer; the callers own the descriptor.
    unsafe { syscall6(CLOSE, fd, 0, 0, 0, 0, 0) };
}

/// pipe2(2) with no flags: (read end, write end).
pub fn pipe() -> Result<(i64, i64), Errno> {
    let mut fds = [0i32; 2];
    // SAFETY: pipe2 writes two ints into fds.
    checked(unsafe { syscall6(PIPE2, fds.as_mut_ptr() as i64, 0, 0, 0, 0, 0) })?;
    Ok((i64::from(fds[0]), i64::from(fds[1])))
}

/// fork(2): 0 in the child, the child's pid in the parent. The child may
/// only make raw system calls and end with `exit`: the program has one
/// thread when it forks, but std's state is not meant to be shared.
pub fn fork() -> Result<i64, Errno> {
    // SAFETY: fork takes no argument; the child gets a copy of the memory.
    checked(unsafe { syscall6(FORK, 0, 0, 0, 0, 0, 0) })
}

/// _exit(2): ends the calling process without running std's exit path.
pub fn exit(code: i64) -> ! {
    loop {
        // SAFETY: exit takes no pointer and does not return.
        unsafe { syscall6(EXIT, code, 0, 0, 0, 0, 0) };
    }
}

/// wait4(2) for `pid`: its raw wait status.
pub fn wait(pid: i64) -> Result<i32, Errno> {
    let mut status = 0i32;
    // SAFETY: wait4 writes one int into status and takes no rusage.
    checked(unsafe { syscall6(WAIT4, pid, &mut status as *mut i32 as i64, 0, 0, 0, 0) })?;
    Ok(status)
}

/// execve(2) of `path` (NUL-terminated) with argv = [path] and no
/// environment; returns only on failure.
pub fn execve(path: &[u8]) -> Errno {
    let argv = [path.as_ptr() as i64, 0];
    let envp = [0i64];
    // SAFETY: path ends with a NUL and both arrays end with a null pointer.
    unsafe {
        syscall6(
            EXECVE,
            path.as_ptr() as i64,
            argv.as_ptr() as i64,
            envp.as_ptr() as i64,
            0,
            0,
            0,
        )
    }
}

/// An anonymous private mapping of `len` bytes, readable and writable.
pub fn mmap_anonymous(len: usize) -> Result<*mut u8, Errno> {
    // SAFETY: a new anonymous mapping changes no memory Rust knows of.
    let r = unsafe {
        syscall6(
            MMAP,
            0,
            len as i64,
            PROT_READ_WRITE,
            MAP_PRIVATE_ANONYMOUS,
            -1,
            0,
        )
    };
    checked(r).map(|addr| addr as *mut u8)
}

/// munmap(2) of a mapping `mmap_anonymous` made.
pub fn munmap(addr: *mut u8, len: usize) {
    // SAFETY: the callers unmap only their own mappings, no longer used.
    unsafe { syscall6(MUNMAP, addr as i64, len as i64, 0, 0, 0, 0) };
}

/// FUTEX_WAIT_PRIVATE: sleeps while the word holds `expected`.
pub fn futex_wait(word: &std::sync::atomic::AtomicU32, expected: u32) {
    let addr = word.as_ptr() as i64;
    // SAFETY: the word is a live u32; no timeout is passed.
    unsafe {
        syscall6(
            FUTEX,
            addr,
            FUTEX_WAIT_PRIVATE,
            i64::from(expected),
            0,
            0,
            0,
        )
    };
}

/// FUTEX_WAKE_PRIVATE: wakes one waiter of the word.
pub fn futex_wake(word: &std::sync::atomic::AtomicU32) {
    let addr = word.as_ptr() as i64;
    // SAFETY: the word is a live u32; wake reads nothing else.
    unsafe { syscall6(FUTEX, addr, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0) };
}
