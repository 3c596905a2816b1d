//! /proc/PID/fd (Linux: fs/proc/fd.c): a symbolic link per open descriptor of a
//! process, to the path of its file, as `ls -l /proc/self/fd` shows them.

use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

use vfs::pseudo::{Entry, Node, PseudoDir};

use super::pid::{may_follow, path_of, pid_ino_base, snapshot};

/// /proc/PID/fd: one link per open descriptor, to the file's path; pipes read as
/// "pipe:[ino]" as on Linux. The links are magic: an open of one opens the file of
/// the descriptor itself (the same pipe, a removed file), with the flags asked.
pub struct FdDir(pub u32);

impl PseudoDir for FdDir {
    fn missing_is_enoent(&self) -> bool {
        true
    }

    fn entries(&self) -> Vec<Entry> {
        let Ok(s) = snapshot(self.0) else {
            return Vec::new();
        };
        let open: Vec<(i32, Arc<vfs::File>)> = s
            .files
            .lock()
            .iter()
            .map(|(fd, f)| (fd, f.clone()))
            .collect();
        let base = pid_ino_base(self.0);
        let pid = self.0;
        open.into_iter()
            .map(|(fd, file)| {
                let name = format!("{fd}");
                let fmode = file.fmode();
                let open_file = file.clone();
                let jump = move || {
                    may_follow(pid)?;
                    Ok(open_file.path().clone())
                };
                let target = move || {
                    let inode = file.inode();
                    if inode.file_type() == vfs::FileType::Fifo && file.path().dentry.is_unlinked()
                    {
                        return Ok(format!("pipe:[{}]", inode.ino()).into_bytes());
                    }
                    Ok(path_of(pid, file.path()))
                };
                // r-x for a descriptor open for reading, -wx for writing
                // (Linux: tid_fd_update_inode).
                let mut perm = 0;
                if fmode & vfs::file::FMODE_READ != 0 {
                    perm |= 0o500;
                }
                if fmode & vfs::file::FMODE_WRITE != 0 {
                    perm |= 0o300;
                }
                let mut e = Entry::new(
                    name.as_bytes(),
                    base + 0x80 + fd as u64,
                    perm,
                    Node::MagicLink(Arc::new(target), Arc::new(jump)),
                );
                e.uid = s.cred.uid.effective;
                e.gid = s.cred.gid.effective;
                e.size = 64;
                e
            })
            .collect()
    }
}
