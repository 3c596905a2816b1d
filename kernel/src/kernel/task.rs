//! Tasks: what the kernel knows about each running program (Linux:
//! struct task_struct, include/linux/sched.h), and the table of them.
//!
//! pid 0 is the idle task (the boot context, no address space), pid 1 is
//! init. One lock guards the table; the current task's pid is kept with
//! it. A task's kernel stack holds, at its top, the user registers saved
//! on entry (struct TrapFrame) with the FPU state below them.
//!
//! A task is one thread. The threads of a process share its thread-group
//! id (tgid, the pid the process is known by, which is its first thread's
//! tid), and, as clone's flags ask, its address space, open files,
//! filesystem context and signal handlers: those are reference-counted.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::sync::Arc;
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::kernel::sched::cputime::CpuTime;
use crate::kernel::sync::IrqSpinLock;
use crate::mm::address_space::AddressSpace;
use crate::mm::mm_struct::Mm;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// Running or ready to run (Linux: TASK_RUNNING).
    Runnable,
    /// Waiting for an event, e.g. a child's exit (TASK_INTERRUPTIBLE).
    Sleeping,
    /// Stopped by a stop signal until SIGCONT or SIGKILL; never picked by
    /// the scheduler, not woken by wake_up (TASK_STOPPED).
    Stopped,
    /// Exited, waiting for its parent to collect the status (EXIT_ZOMBIE).
    /// Only a thread-group leader becomes one.
    Zombie,
    /// An exited thread other than the leader: nobody waits for it, and
    /// the scheduler frees its kernel stack once off it (EXIT_DEAD).
    Dead,
}

pub struct Task {
    /// The thread id (Linux's task->pid, what gettid returns).
    pub pid: u32,
    /// The thread group id: what getpid returns, the leader's tid.
    pub tgid: u32,
    /// The parent process's tgid (for every thread of a process).
    pub ppid: u32,
    /// The program name, as Linux's comm (at most 15 bytes).
    pub comm: [u8; 16],
    pub state: TaskState,
    /// The wait status once a zombie: (code << 8) or the killing signal.
    pub exit_code: u32,
    /// None for kernel threads (and the idle task).
    pub mm: Option<Arc<Mm>>,
    /// The kernel stack: its first page frame and order (0 pages for the
    /// idle task, which runs on the boot stack), and its top.
    pub kstack_pfn: u64,
    pub kstack_order: u32,
    pub kernel_stack_top: u64,
    /// The stack pointer saved by switch_to while the task is not running.
    pub saved_rsp: u64,
    /// The thread pointer (FS base) set by arch_prctl.
    pub fs_base: u64,
    /// Signal dispositions, blocked and pending signals.
    pub signals: crate::kernel::signal::SignalState,
    /// Open files (Linux: files_struct), shared by CLONE_FILES.
    pub files: Files,
    /// Root, working directory and umask (Linux: fs_struct), shared by
    /// CLONE_FS; None for the idle task.
    pub fs: Option<Arc<IrqSpinLock<FsContext>>>,
    /// User and group ids (Linux: struct cred).
    pub cred: ::cred::Cred,
    /// The nice value, -20 to 19 (sched/priority.rs).
    pub nice: i8,
    /// The I/O priority, class and level (ioprio.rs); 0 if never set.
    pub ioprio: u16,
    /// Resource limits, shared by the threads of a process.
    pub rlimits: crate::kernel::resource::RLimits,
    /// Where to write 0 and wake a futex waiter when the thread exits
    /// (CLONE_CHILD_CLEARTID, set_tid_address): how pthread_join waits.
    pub clear_child_tid: u64,
    /// The head of the thread's robust futex list (set_robust_list), 0 if none.
    pub robust_list: u64,
    /// CPU time used by this thread; for a leader, also by the process's
    /// exited threads and by its reaped children (Linux keeps the last two
    /// in signal_struct).
    pub times: CpuTime,
    pub dead_times: CpuTime,
    pub child_times: CpuTime,
    /// When the thread last got the CPU (monotonic ns).
    pub last_run: u64,
    /// When the thread was made, monotonic ns since boot (Linux's
    /// start_boottime; /proc/PID/stat's starttime).
    pub start_time: u64,
    /// Set on every thread of a process that is ending as a whole
    /// (exit_group, a fatal signal): the status they all exit with.
    pub group_exit: Option<u32>,
    /// Process group, session and group stop (kernel/pgrp.rs).
    pub job: crate::kernel::pgrp::JobState,
    /// The parent that vfork keeps waiting until this child execs or
    /// exits (Linux: task->vfork_done); 0 for none.
    pub vfork_parent: u32,
}

#[derive(Clone)]
pub struct FsContext {
    pub root: vfs::Path,
    pub cwd: vfs::Path,
    pub umask: u32,
}

/// Linux's default RLIMIT_NOFILE for init.
pub const NR_OPEN_DEFAULT: usize = 1024;

impl Task {
    /// The first thread of its process (Linux: thread_group_leader).
    pub fn is_leader(&self) -> bool {
        self.pid == self.tgid
    }

    /// Still running code (maybe stopped): neither a zombie nor dead.
    pub fn alive(&self) -> bool {
        !matches!(self.state, TaskState::Zombie | TaskState::Dead)
    }

    /// A comm array as text.
    pub fn comm_str(comm: &[u8; 16]) -> &str {
        let end = comm.iter().position(|&b| b == 0).unwrap_or(comm.len());
        core::str::from_utf8(&comm[..end]).unwrap_or("?")
    }
}

/// All tasks, the running one, the ready ones in round-robin order, and
/// the sleepers with a deadline.
pub struct TaskTable {
    pub tasks: BTreeMap<u32, Box<Task>>,
    /// The running task's pid; change it with `set_current` only.
    pub current: u32,
    /// The running task's Box, so that `current()`, on every system
    /// call's path several times, needs no search of `tasks` (Linux keeps
    /// `current` in a per-CPU variable likewise).
    current_task: *mut Task,
    pub run_queue: VecDeque<u32>,
    /// (deadline in monotonic ns, tid) of tasks sleeping with a timeout;
    /// the tick wakes them (Linux's hrtimers, at tick resolution here).
    pub timers: BTreeSet<(u64, u32)>,
    /// Each process's ITIMER_REAL, by thread-group id (itimer.rs).
    pub itimers: BTreeMap<u32, crate::kernel::itimer::RealTimer>,
    /// Each process's ITIMER_VIRTUAL and ITIMER_PROF, by thread-group id.
    pub cpu_itimers: BTreeMap<u32, crate::kernel::itimer::CpuTimers>,
    /// The load averages, and when they move next (monotonic ns).
    pub loadavg: procfmt::LoadAvg,
    pub loadavg_next: u64,
    next_pid: u32,
}

// SAFETY: `current_task` is only followed with the table in hand (under
// TASKS's lock), and points into a Box the table owns.
unsafe impl Send for TaskTable {}

impl TaskTable {
    const fn new() -> Self {
        TaskTable {
            tasks: BTreeMap::new(),
            current: 0,
            current_task: core::ptr::null_mut(),
            run_queue: VecDeque::new(),
            timers: BTreeSet::new(),
            itimers: BTreeMap::new(),
            cpu_itimers: BTreeMap::new(),
            loadavg: procfmt::LoadAvg([0; 3]),
            loadavg_next: 0,
            next_pid: 1,
        }
    }

    /// The next free pid (Linux allocates upward and wraps at pid_max); a
    /// pid that still names a process group or a session is not free.
    pub fn alloc_pid(&mut self) -> u32 {
        loop {
            let pid = self.next_pid;
            self.next_pid = if pid >= PID_MAX { 2 } else { pid + 1 };
            if !self.tasks.contains_key(&pid) && !crate::kernel::pgrp::id_in_use(self, pid) {
                return pid;
            }
        }
    }

    pub fn current(&mut self) -> &mut Task {
        let pid = self.current;
        // SAFETY: `current_task` is null or points into the Box of the
        // task that set_current made current; that task stays in the
        // table while it runs (only another task frees or reaps it), and
        // its Box keeps its address when exec's de_thread moves it to the
        // leader's pid. The pid check catches a `current` changed without
        // set_current.
        if let Some(task) = unsafe { self.current_task.as_mut() }.filter(|t| t.pid == pid) {
            return task;
        }
        self.tasks
            .get_mut(&pid)
            .expect("the current task is in the table")
    }

    /// Make `pid` the running task (the scheduler's switch, exec taking
    /// over the leader's pid, boot).
    pub fn set_current(&mut self, pid: u32) {
        self.current = pid;
        self.current_task = self
            .tasks
            .get_mut(&pid)
            .map_or(core::ptr::null_mut(), |task| &mut **task as *mut Task);
        if let Some(task) = self.tasks.get(&pid) {
            CURRENT_FILES.store(Arc::as_ptr(&task.files).cast_mut(), Ordering::Release);
        }
    }

    /// Give the current task another file table (exec's unshare, exit);
    /// the one it had.
    pub fn replace_current_files(&mut self, files: Files) -> Files {
        CURRENT_FILES.store(Arc::as_ptr(&files).cast_mut(), Ordering::Release);
        core::mem::replace(&mut self.current().files, files)
    }

    /// The tids of the threads of process `tgid` (Linux: for_each_thread).
    pub fn threads(&self, tgid: u32) -> alloc::vec::Vec<u32> {
        self.tasks
            .values()
            .filter(|t| t.tgid == tgid)
            .map(|t| t.pid)
            .collect()
    }

    /// Are threads of process `tgid` still running?
    pub fn group_alive(&self, tgid: u32) -> bool {
        self.tasks.values().any(|t| t.tgid == tgid && t.alive())
    }
}

/// Linux's default pid_max.
const PID_MAX: u32 = 32768;

pub static TASKS: IrqSpinLock<TaskTable> = IrqSpinLock::new(TaskTable::new());

/// Run `f` on the current task.
pub fn with_current<R>(f: impl FnOnce(&mut Task) -> R) -> R {
    f(TASKS.lock().current())
}

/// The comm of a file name: its last component, cut to 15 bytes.
pub fn comm_from_path(path: &str) -> [u8; 16] {
    let name = path.rsplit('/').next().unwrap_or(path).as_bytes();
    let mut comm = [0u8; 16];
    let n = name.len().min(15);
    comm[..n].copy_from_slice(&name[..n]);
    comm
}

/// Make the boot context the idle task, pid 0 ("swapper" in Linux).
pub fn init_idle_task() {
    let idle = Task::kernel(0, "swapper/0", 0);
    let mut table = TASKS.lock();
    table.tasks.insert(0, Box::new(idle));
    table.set_current(0);
}

impl Task {
    /// A kernel task: no address space, no files of its own, root's
    /// credentials and init's limits, on the kernel stack given (none for
    /// the idle task, which runs on the boot stack).
    pub fn kernel(pid: u32, name: &str, ppid: u32) -> Task {
        Task {
            pid,
            tgid: pid,
            ppid,
            comm: comm_from_path(name),
            state: TaskState::Runnable,
            exit_code: 0,
            mm: None,
            kstack_pfn: 0,
            kstack_order: 0,
            kernel_stack_top: 0,
            saved_rsp: 0,
            fs_base: 0,
            signals: crate::kernel::signal::SignalState::new(),
            files: Arc::new(IrqSpinLock::new(vfs::FdTable::new(NR_OPEN_DEFAULT))),
            fs: None,
            cred: ::cred::Cred::root(),
            nice: 0,
            ioprio: 0,
            rlimits: crate::kernel::resource::init_rlimits(),
            clear_child_tid: 0,
            robust_list: 0,
            times: CpuTime::default(),
            dead_times: CpuTime::default(),
            child_times: CpuTime::default(),
            last_run: 0,
            start_time: crate::kernel::time::ktime_get_ns(),
            group_exit: None,
            job: crate::kernel::pgrp::JobState::default(),
            vfork_parent: 0,
        }
    }
}

/// The current task's address space. Only user tasks make system calls
/// and take user faults, and every user task has one.
pub fn current_mm() -> Arc<Mm> {
    with_current(|t| t.mm.clone().expect("a user task without an address space"))
}

/// Run `f` on the current task's address space, locked; the task table is
/// not held meanwhile.
pub fn with_current_mm<R>(f: impl FnOnce(&mut AddressSpace) -> R) -> R {
    f(&mut current_mm().lock())
}

/// A task's open files, shared by the threads of a process (and by
/// CLONE_FILES children).
pub type Files = Arc<IrqSpinLock<vfs::FdTable>>;

/// The running task's file table, as Linux reaches `current->files`: with
/// no lock, since only the task itself changes its table (set_current and
/// replace_current_files keep this pointer true). One CPU, one pointer; it
/// becomes a per-CPU variable with SMP.
static CURRENT_FILES: AtomicPtr<IrqSpinLock<vfs::FdTable>> = AtomicPtr::new(core::ptr::null_mut());

/// Run `f` on the current task's open files.
pub fn with_current_files<R>(f: impl FnOnce(&mut vfs::FdTable) -> R) -> R {
    let files = CURRENT_FILES.load(Ordering::Acquire);
    // SAFETY: the pointer is the running task's own `files` Arc, which
    // that task holds while it runs: it drops a table only after
    // replace_current_files has moved the pointer to the next one, and a
    // switch moves it to the next task's before that task runs.
    let files = unsafe { files.as_ref() }.expect("the file table of a task that is running");
    f(&mut files.lock())
}

/// A copy of the current task's filesystem context (None for the idle task).
pub fn current_fs() -> Option<FsContext> {
    let fs = with_current(|t| t.fs.clone())?;
    let fs = fs.lock().clone();
    Some(fs)
}

/// Run `f` on the current task's filesystem context; None for the idle task.
pub fn with_current_fs<R>(f: impl FnOnce(&mut FsContext) -> R) -> Option<R> {
    let fs = with_current(|t| t.fs.clone())?;
    let mut fs = fs.lock();
    Some(f(&mut fs))
}
