//! /proc/PID (Linux: fs/proc/base.c, array.c, task_mmu.c): stat, status, cmdline,
//! environ, comm, maps, mounts, mountinfo, the fd directory (fd.rs), the task
//! directory of its threads and the cwd, exe and root links of a process. Each read
//! takes a fresh snapshot of the task; a process that is gone reads as ESRCH, as Linux
//! answers for a stale directory.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use linux_raw_sys::errno::{EACCES, ENOENT, ESRCH};
use vfs::pseudo::{Entry, Node, PseudoDir};
use vfs::Errno;

use crate::kernel::sched::cputime;
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::task::{FsContext, Task, TaskState, TASKS};
use crate::mm::mm_struct::Mm;

/// Bits of a process's inode numbers below its tgid.
const PID_INO_SHIFT: u32 = 8;

/// The first inode number of process `pid`'s directory and files: above
/// the root's own entries, which take the numbers below 0x200.
pub fn pid_ino_base(pid: u32) -> u64 {
    (u64::from(pid) + 1) << PID_INO_SHIFT
}

/// What the files of one process are made from, copied under the task lock.
pub(super) struct Snapshot {
    pid: u32,
    tgid: u32,
    ppid: u32,
    comm: [u8; 16],
    state: TaskState,
    pub(super) cred: ::cred::Cred,
    utime: u64,
    stime: u64,
    cutime: u64,
    cstime: u64,
    /// Minor page faults of the process, and of its reaped children.
    faults: (u64, u64),
    /// The thread's voluntary and involuntary context switches.
    switches: (u64, u64),
    blocked: u64,
    /// Signals pending for the thread and for its process (any thread's
    /// share), then those ignored and caught.
    sig_sets: (u64, u64, u64, u64),
    threads: u32,
    nice: i8,
    start_time: u64,
    mm: Option<Arc<Mm>>,
    pub(super) files: Arc<IrqSpinLock<vfs::FdTable>>,
    fs: Option<Arc<IrqSpinLock<FsContext>>>,
    pgrp: u32,
    session: u32,
    /// Signals queued for the task's real user, and its RLIMIT_SIGPENDING.
    sig_queue: (u64, u64),
}

fn state_letter(state: TaskState) -> char {
    match state {
        TaskState::Runnable => 'R',
        TaskState::Sleeping => 'S',
        TaskState::Stopped => 'T',
        TaskState::Zombie => 'Z',
        TaskState::Dead => 'X',
    }
}

pub(super) fn snapshot(pid: u32) -> vfs::Result<Snapshot> {
    let table = TASKS.lock();
    let t = table.tasks.get(&pid).ok_or(Errno::new(ESRCH))?;
    let threads = table.threads(t.tgid).len() as u32;
    // A process's counts are its threads', the exited ones' too (do_task_stat
    // with whole); a switch count is the thread's own (task_context_switch_counts).
    let thread = cputime::thread_times(t, table.current);
    let times = if t.pid == t.tgid {
        cputime::group_times(&table, t.tgid)
    } else {
        thread
    };
    let queued = crate::kernel::signal::user_queued_signals(&table, t.cred.uid.real);
    let queue_limit = t.rlimits.lock()[crate::kernel::resource::RLIMIT_SIGPENDING].cur;
    let own = t.signals.pending_sets().0;
    let shared = table
        .threads(t.tgid)
        .iter()
        .filter_map(|id| table.tasks.get(id))
        .fold(0, |set, o| set | o.signals.pending_sets().1);
    let (ignored, caught) = t.signals.status_sets();
    Ok(Snapshot {
        pid: t.pid,
        tgid: t.tgid,
        ppid: t.ppid,
        comm: t.comm,
        state: t.state,
        cred: t.cred.clone(),
        utime: times.user,
        stime: times.system,
        cutime: t.child_times.user,
        cstime: t.child_times.system,
        faults: (times.min_flt, t.child_times.min_flt),
        switches: (thread.nvcsw, thread.nivcsw),
        blocked: t.signals.blocked,
        sig_sets: (own, shared, ignored, caught),
        threads,
        nice: t.nice,
        start_time: t.start_time,
        mm: t.mm.clone(),
        files: t.files.clone(),
        fs: t.fs.clone(),
        pgrp: t.job.pgid,
        session: t.job.sid,
        sig_queue: (queued, queue_limit),
    })
}

/// The sizes of an address space in pages: all, resident, stack, data and code.
struct VmUse {
    total: u64,
    resident: u64,
    stack: u64,
    data: u64,
    exe: u64,
}

fn vm_use(mm: &Mm) -> VmUse {
    let space = mm.lock();
    let mut u = VmUse {
        total: 0,
        resident: space.resident_pages(),
        stack: 0,
        data: 0,
        exe: 0,
    };
    let stack_at = space.image.start_stack;
    for v in space.vmas() {
        let pages = (v.end - v.start) / 4096;
        u.total += pages;
        if (v.start..v.end).contains(&stack_at) {
            u.stack += pages;
        } else if v.prot.exec {
            u.exe += pages;
        } else if v.prot.write {
            u.data += pages;
        }
    }
    u
}

fn stat(pid: u32) -> vfs::Result<Vec<u8>> {
    let s = snapshot(pid)?;
    let state = state_letter(s.state);
    let comm = Task::comm_str(&s.comm);
    let ticks = procfmt::ns_to_clock_t;
    let (vsize, rss, image, start_brk) = match &s.mm {
        Some(mm) => {
            let u = vm_use(mm);
            let space = mm.lock();
            (
                u.total * 4096,
                u.resident,
                space.image.clone(),
                space.start_brk,
            )
        }
        None => (0, 0, Default::default(), 0),
    };
    let ctty = crate::drivers::tty::tty_io::ctty_of(s.session);
    let line = procfmt::stat_line(&procfmt::PidStat {
        pid: s.pid,
        comm,
        state,
        ppid: s.ppid,
        pgrp: s.pgrp,
        session: s.session,
        tty_nr: ctty.map_or(0, |c| c.0),
        tpgid: ctty.map_or(-1, |c| c.1 as i32),
        utime: ticks(s.utime),
        stime: ticks(s.stime),
        cutime: ticks(s.cutime),
        cstime: ticks(s.cstime),
        minflt: s.faults.0,
        cminflt: s.faults.1,
        priority: 20 + i32::from(s.nice),
        nice: i32::from(s.nice),
        num_threads: s.threads,
        starttime: ticks(s.start_time),
        vsize,
        rss,
        rsslim: u64::MAX,
        start_code: image.start_code,
        end_code: image.end_code,
        start_stack: image.start_stack,
        blocked: s.blocked,
        wchan: u64::from(state == 'S'),
        exit_signal: 17,
        start_data: image.start_data,
        end_data: image.end_data,
        start_brk,
        arg_start: image.arg_start,
        arg_end: image.arg_end,
        env_start: image.env_start,
        env_end: image.env_end,
        ..procfmt::PidStat::default()
    });
    Ok(line.into_bytes())
}

fn status(pid: u32) -> vfs::Result<Vec<u8>> {
    let s = snapshot(pid)?;
    let state = state_letter(s.state);
    let umask = s.fs.as_ref().map_or(0o022, |fs| fs.lock().umask);
    let vm = s.mm.as_ref().map(|mm| {
        let u = vm_use(mm);
        procfmt::pid::VmSizes {
            peak: u.total * 4,
            size: u.total * 4,
            hwm: u.resident * 4,
            rss: u.resident * 4,
            data: u.data * 4,
            stk: u.stack * 4,
            exe: u.exe * 4,
        }
    });
    let ids = |i: &::cred::Ids| [i.real, i.effective, i.saved, i.fs];
    let root = s.cred.uid.effective == 0;
    let caps = if root { 0x1ff_ffff_ffff } else { 0 };
    let text = procfmt::status(&procfmt::PidStatus {
        name: Task::comm_str(&s.comm),
        umask,
        state,
        tgid: s.tgid,
        pid: s.pid,
        ppid: s.ppid,
        pgid: s.pgrp,
        sid: s.session,
        uid: ids(&s.cred.uid),
        gid: ids(&s.cred.gid),
        fd_size: 64,
        groups: &s.cred.groups,
        vm,
        threads: s.threads,
        sig_queued: s.sig_queue.0,
        sig_queue_limit: s.sig_queue.1,
        sig_pending: s.sig_sets.0,
        shd_pending: s.sig_sets.1,
        sig_blocked: s.blocked,
        sig_ignored: s.sig_sets.2,
        sig_caught: s.sig_sets.3,
        cap_prm: caps,
        cap_eff: caps,
        cap_bnd: 0x1ff_ffff_ffff,
        cpus: 1,
        voluntary_ctxt_switches: s.switches.0,
        nonvoluntary_ctxt_switches: s.switches.1,
        ..procfmt::PidStatus::default()
    });
    Ok(text.into_bytes())
}

/// Bytes `start..end` of the process's memory: its arguments or environment.
fn user_range(pid: u32, env: bool) -> vfs::Result<Vec<u8>> {
    let s = snapshot(pid)?;
    let Some(mm) = s.mm else {
        return Ok(Vec::new());
    };
    let mut space = mm.lock();
    let img = space.image.clone();
    let (start, end) = if env {
        (img.env_start, img.env_end)
    } else {
        (img.arg_start, img.arg_end)
    };
    let len = end.saturating_sub(start).min(64 * 1024) as usize;
    let mut out = alloc::vec![0u8; len];
    if space.copy_from_user(&mut out, start).is_err() {
        return Ok(Vec::new());
    }
    Ok(out)
}

fn maps(pid: u32) -> vfs::Result<Vec<u8>> {
    let s = snapshot(pid)?;
    let mut out = String::new();
    let Some(mm) = s.mm else {
        return Ok(Vec::new());
    };
    let space = mm.lock();
    let img = &space.image;
    let exe = core::str::from_utf8(&img.exe).unwrap_or("");
    // The paths of mapped files, made first: the lines borrow them.
    let files: Vec<Option<String>> = space
        .vmas()
        .map(|v| {
            let file = v.file.as_ref()?;
            Some(String::from_utf8_lossy(&path_of(pid, file.path())).into_owned())
        })
        .collect();
    let mut lines: Vec<procfmt::MapsLine<'_>> = Vec::new();
    let page = crate::arch::mm::PAGE_SIZE;
    let (start_brk, heap_end) = (space.start_brk, space.brk.next_multiple_of(page));
    for (v, file) in space.vmas().zip(&files) {
        // A heap grown right after the program's data merges with its
        // VMA: it shows as an area of its own, as Linux's (which starts
        // after a random gap) does.
        let cut = start_brk.clamp(v.start, v.end);
        for (start, end) in [(v.start, cut), (cut, v.end)] {
            if start == end {
                continue;
            }
            let mut line = procfmt::MapsLine {
                start,
                end,
                read: v.prot.read,
                write: v.prot.write,
                exec: v.prot.exec,
                shared: v.mapped_shared(),
                ..procfmt::MapsLine::default()
            };
            line.name = if let (Some(name), Some(f)) = (file, &v.file) {
                // A file's area: its offset, device and inode, as Linux's.
                let inode = f.inode();
                line.offset = v.object_page(start) * page;
                line.major = vfs::inode::major(inode.dev());
                line.minor = vfs::inode::minor(inode.dev());
                line.ino = inode.ino();
                name
            } else if v.is_shared() {
                // Shared anonymous memory is a shmem file (Linux's shmem_zero_setup).
                "/dev/zero (deleted)"
            } else if (start..end).contains(&img.start_stack) {
                "[stack]"
            } else if start >= start_brk && end <= heap_end {
                "[heap]"
            } else if end <= start_brk {
                // The program's own segments lie below its initial break.
                exe
            } else {
                ""
            };
            // Neighbours with the same rights and name show as one area, as Linux
            // merges them (vma_merge).
            match lines.last_mut() {
                Some(last) if last.end == line.start && same_area(last, &line) => {
                    last.end = line.end
                }
                _ => lines.push(line),
            }
        }
    }
    for line in &lines {
        procfmt::maps_line(&mut out, line);
    }
    Ok(out.into_bytes())
}

fn same_area(a: &procfmt::MapsLine<'_>, b: &procfmt::MapsLine<'_>) -> bool {
    let contiguous = a.ino == 0 || b.offset == a.offset + (a.end - a.start);
    contiguous
        && (a.read, a.write, a.exec, a.shared, a.name, a.ino)
            == (b.read, b.write, b.exec, b.shared, b.name, b.ino)
}

fn comm(pid: u32) -> vfs::Result<Vec<u8>> {
    let s = snapshot(pid)?;
    Ok(format!("{}\n", Task::comm_str(&s.comm)).into_bytes())
}

/// A write to /proc/PID/comm (comm_write): the first 15 bytes become the name, a
/// newline included, for a thread of the writer's own process; EINVAL for another's.
fn set_comm(pid: u32, bytes: &[u8]) -> vfs::Result<usize> {
    let mut table = TASKS.lock();
    let me = table.current().tgid;
    let t = table.tasks.get_mut(&pid).ok_or(Errno::new(ESRCH))?;
    if t.tgid != me {
        return Err(Errno::new(linux_raw_sys::errno::EINVAL));
    }
    let mut comm = [0u8; 16];
    let n = bytes.len().min(15);
    comm[..n].copy_from_slice(&bytes[..n]);
    // The name ends at the first NUL, as set_task_comm copies a C string.
    t.comm = comm;
    Ok(bytes.len())
}

/// The path a process sees for `path`, from its root.
pub(super) fn path_of(pid: u32, path: &vfs::Path) -> Vec<u8> {
    let root = snapshot(pid)
        .ok()
        .and_then(|s| s.fs)
        .map(|fs| fs.lock().root.clone())
        .or_else(crate::fs::rootfs::root);
    match root {
        Some(root) => vfs::d_path(path, &root),
        None => Vec::new(),
    }
}

/// May the caller look into process `s`'s links (exe, cwd, root) and memory
/// (maps, environ)? Linux's ptrace_may_access with PTRACE_MODE_READ_FSCREDS:
/// a thread of its own process may, and so may one with CAP_SYS_PTRACE (an
/// effective uid of 0 here), or one whose filesystem ids are each of the
/// process's user and group ids; EACCES otherwise.
fn may_inspect(s: &Snapshot) -> vfs::Result<()> {
    let (me, my_tgid) = crate::kernel::task::with_current(|t| (t.cred.clone(), t.tgid));
    let (u, g) = (&s.cred.uid, &s.cred.gid);
    let same_user = [u.real, u.effective, u.saved]
        .iter()
        .all(|&id| id == me.uid.fs);
    let same_group = [g.real, g.effective, g.saved]
        .iter()
        .all(|&id| id == me.gid.fs);
    if s.tgid == my_tgid || crate::kernel::cred::capable(&me) || (same_user && same_group) {
        Ok(())
    } else {
        Err(Errno::new(EACCES))
    }
}

/// The check at the open of /proc/PID/maps and environ (Linux: mm_access
/// from proc_mem_open): [`may_inspect`] for a process with memory; a kernel
/// thread has none, and its files open, empty.
fn may_open_mm(pid: u32) -> vfs::Result<()> {
    let s = snapshot(pid)?;
    match s.mm {
        Some(_) => may_inspect(&s),
        None => Ok(()),
    }
}

/// A process's root and working directory; a kernel thread's are both the
/// namespace's root, as Linux's kernel threads share init_fs.
fn root_and_cwd(s: &Snapshot) -> vfs::Result<(vfs::Path, vfs::Path)> {
    match &s.fs {
        Some(fs) => {
            let fs = fs.lock();
            Ok((fs.root.clone(), fs.cwd.clone()))
        }
        None => {
            let root = crate::fs::rootfs::root().ok_or(Errno::new(ENOENT))?;
            Ok((root.clone(), root))
        }
    }
}

fn cwd_or_root(pid: u32, root: bool) -> vfs::Result<Vec<u8>> {
    Ok(path_of(pid, &cwd_or_root_path(pid, root)?))
}

/// Where /proc/PID/cwd or root leads a walk (Linux: proc_cwd_link, proc_root_link).
fn cwd_or_root_path(pid: u32, root: bool) -> vfs::Result<vfs::Path> {
    let s = snapshot(pid)?;
    may_inspect(&s)?;
    let (root_path, cwd) = root_and_cwd(&s)?;
    Ok(if root { root_path } else { cwd })
}

/// May the caller follow process `pid`'s magic links (Linux's
/// proc_fd_access_allowed)? EACCES as may_inspect says; ENOENT once it is gone.
pub(super) fn may_follow(pid: u32) -> vfs::Result<()> {
    may_inspect(&snapshot(pid)?)
}

/// The program's path now (" (deleted)" once removed), as Linux's
/// proc_exe_link gives d_path of mm->exe_file.
fn exe(pid: u32) -> vfs::Result<Vec<u8>> {
    let s = snapshot(pid)?;
    may_inspect(&s)?;
    let mm = s.mm.ok_or(Errno::new(ENOENT))?;
    let image = mm.lock().image.clone();
    Ok(match image.exe_path {
        Some(path) => path_of(pid, &path),
        None => image.exe,
    })
}

/// Where /proc/PID/exe leads a walk: the program's file itself.
fn exe_path(pid: u32) -> vfs::Result<vfs::Path> {
    let s = snapshot(pid)?;
    may_inspect(&s)?;
    let mm = s.mm.ok_or(Errno::new(ENOENT))?;
    let path = mm.lock().image.exe_path.clone();
    path.ok_or(Errno::new(ENOENT))
}

fn mounts(pid: u32, info: bool) -> vfs::Result<Vec<u8>> {
    let (root, _) = root_and_cwd(&snapshot(pid)?)?;
    let text = if info {
        crate::fs::namespace::proc_mountinfo(&root)
    } else {
        crate::fs::namespace::proc_mounts(&root)
    };
    Ok(text.into_bytes())
}

/// The files of /proc/PID.
/// /proc/PID, or /proc/PID/task/TID when `thread` (which has no task directory).
struct PidDir {
    pid: u32,
    thread: bool,
}

/// /proc/PID/task: a directory per thread of the process, named by its tid.
struct TaskDir(u32);

impl PseudoDir for TaskDir {
    fn missing_is_enoent(&self) -> bool {
        true
    }

    fn entries(&self) -> Vec<Entry> {
        let Ok(leader) = snapshot(self.0) else {
            return Vec::new();
        };
        let tids = TASKS.lock().threads(leader.tgid);
        tids.into_iter()
            .filter_map(|tid| {
                let mut e = dir_entry(tid)?;
                e.node = Node::Dir(Arc::new(PidDir {
                    pid: tid,
                    thread: true,
                }));
                Some(e)
            })
            .collect()
    }
}

impl PseudoDir for PidDir {
    fn missing_is_enoent(&self) -> bool {
        true
    }

    fn entries(&self) -> Vec<Entry> {
        let pid = self.pid;
        let base = pid_ino_base(pid);
        type Render = fn(u32) -> vfs::Result<Vec<u8>>;
        let files: [(&[u8], u32, Render); 9] = [
            (b"cmdline", 0o444, |p| user_range(p, false)),
            (b"comm", 0o644, comm),
            (b"environ", 0o400, |p| user_range(p, true)),
            (b"maps", 0o444, maps),
            (b"mountinfo", 0o444, |p| mounts(p, true)),
            (b"mounts", 0o444, |p| mounts(p, false)),
            (b"stat", 0o444, stat),
            (b"status", 0o444, status),
            (b"cwd", 0o777, |p| cwd_or_root(p, false)),
        ];
        let mut out: Vec<Entry> = files
            .iter()
            .enumerate()
            .map(|(i, &(name, perm, render))| {
                let f: vfs::pseudo::Render = Arc::new(move || render(pid));
                let node = match name {
                    b"cwd" => Node::MagicLink(f, Arc::new(move || cwd_or_root_path(pid, false))),
                    b"comm" => Node::WritableFile(f, Arc::new(move |b: &[u8]| set_comm(pid, b))),
                    _ => Node::File(f),
                };
                let mut e = Entry::new(name, base + 1 + i as u64, perm, node);
                if name == b"maps" || name == b"environ" {
                    e.open = Some(Arc::new(move |_| may_open_mm(pid)));
                }
                e
            })
            .collect();
        out.push(Entry::new(
            b"exe",
            base + 10,
            0o777,
            Node::MagicLink(Arc::new(move || exe(pid)), Arc::new(move || exe_path(pid))),
        ));
        let root: vfs::pseudo::Render = Arc::new(move || cwd_or_root(pid, true));
        let jump: vfs::pseudo::Jump = Arc::new(move || cwd_or_root_path(pid, true));
        out.push(Entry::new(
            b"root",
            base + 11,
            0o777,
            Node::MagicLink(root, jump),
        ));
        let fd = Node::Dir(Arc::new(super::fd::FdDir(pid)));
        out.push(Entry::new(b"fd", base + 12, 0o500, fd));
        if !self.thread {
            let task = Node::Dir(Arc::new(TaskDir(pid)));
            out.push(Entry::new(b"task", base + 13, 0o555, task));
        }
        if let Ok(s) = snapshot(pid) {
            for e in out.iter_mut() {
                e.uid = s.cred.uid.effective;
                e.gid = s.cred.gid.effective;
            }
        }
        out
    }
}

/// The entry /proc/PID for a live task, owned by its effective ids.
pub fn dir_entry(pid: u32) -> Option<Entry> {
    let s = snapshot(pid).ok()?;
    let name = format!("{pid}");
    let mut e = Entry::new(
        name.as_bytes(),
        pid_ino_base(pid),
        0o555,
        Node::Dir(Arc::new(PidDir { pid, thread: false })),
    );
    e.uid = s.cred.uid.effective;
    e.gid = s.cred.gid.effective;
    Some(e)
}
