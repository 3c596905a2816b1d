//! Writing files back to their storage (Linux: fs/sync.c): sync, syncfs,
//! fsync and fdatasync. noyau's filesystems live in memory, so there is
//! nothing to write; the calls check their descriptor, and fsync asks the
//! file, which refuses (EINVAL) when it has no such operation.

use crate::fs::read_write::fget;

/// sync(2): memory-backed files have nothing to write back.
pub fn sys_sync() -> i64 {
    0
}

/// syncfs(2): the same, for a valid descriptor.
pub fn sys_syncfs(fd: u64) -> i64 {
    fget(fd).map_or_else(|e| e, |_| 0)
}

/// fsync(2) and fdatasync(2): the file's own answer.
pub fn sys_fsync(fd: u64) -> i64 {
    match fget(fd) {
        Ok(f) => f.ops().fsync(&f).map_or_else(|e| e.to_ret(), |()| 0),
        Err(e) => e,
    }
}
