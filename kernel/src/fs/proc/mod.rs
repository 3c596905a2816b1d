//! procfs (Linux: fs/proc/root.c, generic.c): /proc/self, a directory per process,
//! and the system-wide files, rendered when read from the kernel's own state. The
//! text formats come from crates/procfmt.

mod fd;
mod pid;
mod sysctl;
mod system;

use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

use vfs::pseudo::{Entry, Node, PseudoDir, PseudoFs, PROC_SUPER_MAGIC};
use vfs::FileSystem;

use crate::kernel::task::TASKS;

/// Inode numbers of /proc/sys and what it holds start here.
const SYSCTL_INO_BASE: u64 = 0xe0;

/// Inode numbers of the root's fixed entries start here; a process's come
/// after them ([`pid::pid_ino_base`]).
const ROOT_INO_BASE: u64 = 0x100;

struct ProcRoot;

/// A procfs directory with a fixed list of entries (/proc/sys's).
pub(super) struct ProcList(pub Vec<Entry>);

impl PseudoDir for ProcList {
    fn entries(&self) -> Vec<Entry> {
        self.0.clone()
    }

    fn missing_is_enoent(&self) -> bool {
        true
    }
}

impl PseudoDir for ProcRoot {
    fn missing_is_enoent(&self) -> bool {
        true
    }

    fn entries(&self) -> Vec<Entry> {
        let mut out = system::entries(ROOT_INO_BASE);
        out.push(sysctl::entry(SYSCTL_INO_BASE));
        // /proc/mounts is a link to the reader's own list, as on Linux.
        out.push(Entry::new(
            b"mounts",
            ROOT_INO_BASE - 2,
            0o777,
            Node::Link(Arc::new(|| Ok(b"self/mounts".to_vec()))),
        ));
        out.push(Entry::new(
            b"self",
            ROOT_INO_BASE - 1,
            0o777,
            Node::Link(Arc::new(|| {
                let tgid = crate::kernel::task::with_current(|t| t.tgid);
                Ok(format!("{tgid}").into_bytes())
            })),
        ));
        out.push(Entry::new(
            b"thread-self",
            ROOT_INO_BASE - 3,
            0o777,
            Node::Link(Arc::new(|| {
                let (tgid, tid) = crate::kernel::task::with_current(|t| (t.tgid, t.pid));
                Ok(format!("{tgid}/task/{tid}").into_bytes())
            })),
        ));
        let tgids: Vec<u32> = TASKS
            .lock()
            .tasks
            .values()
            .filter(|t| t.is_leader() && t.pid != 0)
            .map(|t| t.tgid)
            .collect();
        out.extend(tgids.into_iter().filter_map(pid::dir_entry));
        out
    }

    fn lookup(&self, name: &[u8]) -> Option<Entry> {
        // Decimal digits only, as Linux's name_to_int: "+1" is no pid.
        let pid = core::str::from_utf8(name)
            .ok()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u32>().ok());
        match pid {
            // Threads are reachable by tid as on Linux, though not listed.
            Some(pid) if pid != 0 && name[0] != b'0' => pid::dir_entry(pid),
            _ => self.entries().into_iter().find(|e| e.name == name),
        }
    }
}

/// A procfs instance (every mount of "proc" makes one; they all show the same).
pub fn new_instance() -> Arc<dyn FileSystem> {
    PseudoFs::new("proc", PROC_SUPER_MAGIC, 1, 0o555, Arc::new(ProcRoot))
}
