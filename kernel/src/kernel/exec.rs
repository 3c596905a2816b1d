//! Starting init from the initramfs, and execve (Linux: init/main.c
//! run_init_process, fs/exec.c, fs/binfmt_elf.c load_elf_binary,
//! fs/binfmt_script.c load_script).
//!
//! The executable is read through the VFS, from the root filesystem that
//! the initramfs filled.
//! crates/elfload decides where each segment goes and builds the initial
//! stack; this file allocates the pages, copies the file bytes, and enters
//! ring 3 at the entry point.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use gfp::Gfp;
use linux_raw_sys::errno::{E2BIG, EFAULT, ENAMETOOLONG, ENOENT, ENOMEM};

use crate::arch::mm::{phys_to_virt, PAGE_SIZE};
use crate::arch::switch;
use crate::arch::traps::TrapFrame;
use crate::kernel::sched;
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::sys::err;
use crate::kernel::task::{
    comm_from_path, with_current, with_current_mm, FsContext, Task, TaskState, TASKS,
};
use crate::mm::address_space::{AddressSpace, Prot, TASK_SIZE};
use crate::mm::mm_struct::Mm;
use crate::mm::mmap::STACK_RESERVE;
use crate::mm::page_alloc;
use crate::mm::uaccess;
use crate::mm::vmalloc::VBuf;
use crate::pr_info;

/// Kernel stack per task: 16 KiB, as Linux's THREAD_SIZE on x86_64.
pub const KERNEL_STACK_ORDER: u32 = 2;

/// Why init could not start.
#[derive(Debug)]
pub enum ExecFailure {
    NotFound,
    File(vfs::Errno),
    Elf(elfload::ExecError),
    NoMemory,
}

impl ExecFailure {
    /// The errno Linux's run_init_process would report.
    pub fn errno(&self) -> i32 {
        match self {
            ExecFailure::NotFound => linux_raw_sys::errno::ENOENT as i32,
            ExecFailure::File(e) => e.get() as i32,
            ExecFailure::Elf(e) => e.errno() as i32,
            ExecFailure::NoMemory => linux_raw_sys::errno::ENOMEM as i32,
        }
    }
}

/// What exec takes from the program's file (Linux: open_exec and
/// kernel_read of the image): its bytes, its absolute path (what
/// /proc/PID/exe shows) and the denial of its writers.
struct Executable {
    data: VBuf,
    exe: Vec<u8>,
    path: vfs::Path,
    deny_write: vfs::DenyWrite,
    /// Its mode, owner and mount, which set-id bits read.
    id: ::cred::ExecFile,
}

/// The whole file at `path`, if it may be executed (vfs::open_exec: a
/// regular file with execute permission, which need not be readable, on a
/// mount that allows it), and not a file open for writing (ETXTBSY), whose
/// writers are refused from now on. A file that starts as neither an ELF
/// image nor a script is not read past its first page (its ENOEXEC is
/// known, and a script's `#!` line lies in it), and one too large to hold
/// is ENOMEM, not a kernel out of memory.
fn read_executable(lk: vfs::Lookup<'_>, path: &[u8]) -> Result<Executable, ExecFailure> {
    let file = vfs::open_exec(lk, path).map_err(ExecFailure::File)?;
    let attr = file.inode().attr();
    let deny_write = vfs::DenyWrite::new(file.inode()).map_err(ExecFailure::File)?;
    let head = (attr.size as usize).min(PAGE_SIZE as usize);
    let mut data = read_file(&file, 0, head)?;
    if data.starts_with(b"\x7fELF") {
        // The whole image in one buffer the size of the file, or ENOMEM.
        data = read_file(&file, 0, attr.size as usize)?;
    }
    let exe = match crate::fs::rootfs::root() {
        Some(root) => vfs::d_path(file.path(), &root),
        None => path.to_vec(),
    };
    let nosuid = file.path().mnt.flags() & linux_raw_sys::general::MS_NOSUID != 0;
    let id = ::cred::ExecFile {
        mode: attr.mode,
        uid: attr.uid,
        gid: attr.gid,
        nosuid,
    };
    Ok(Executable {
        data,
        exe,
        path: file.path().clone(),
        deny_write,
        id,
    })
}

/// `len` bytes of `file` from `offset`, fewer at its end; ENOMEM when the
/// kernel cannot hold them. In vmalloc memory: a program of megabytes
/// needs no physically contiguous block, which fragmentation can deny
/// while plenty of memory is free.
fn read_file(file: &vfs::File, offset: usize, len: usize) -> Result<VBuf, ExecFailure> {
    let mut data = VBuf::zeroed(len).ok_or(ExecFailure::NoMemory)?;
    let mut done = 0;
    while done < len {
        match file.pread(&mut data[done..], (offset + done) as i64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) => return Err(ExecFailure::File(e)),
        }
    }
    data.truncate(done);
    Ok(data)
}

/// Fill the file-backed page at `page` as Linux's mmap of the file would:
/// the whole file page, then zeroes from the end of the segment's file
/// bytes (padzero), so that a page two segments share reads the same.
fn fill_file_page(dst: *mut u8, page: u64, seg: &elfload::Segment, file: &[u8]) {
    let off = (seg.file_offset + (page - seg.file_pages().start)) as usize;
    let len = file.len().saturating_sub(off).min(PAGE_SIZE as usize);
    if len > 0 {
        // SAFETY: dst is a fresh page of PAGE_SIZE bytes in the direct map.
        unsafe { core::ptr::copy_nonoverlapping(file[off..].as_ptr(), dst, len) };
    }
    let zero = seg.zero_bytes();
    let from = zero.start.max(page);
    let to = zero.end.min(page + PAGE_SIZE);
    if from < to {
        // SAFETY: [from, to) lies inside this page.
        unsafe { core::ptr::write_bytes(dst.add((from - page) as usize), 0, (to - from) as usize) };
    }
}

/// Map the program's segments and its stack; (entry, initial RSP, and
/// whether the program is cut short: see ExecPlan::truncated).
fn load(
    mm: &mut AddressSpace,
    cred: &::cred::Cred,
    path: &str,
    argv: &[&[u8]],
    envp: &[&[u8]],
    file: &[u8],
) -> Result<(u64, u64, bool), ExecFailure> {
    let plan =
        elfload::ExecPlan::from_elf(file, elfload::ELF_ET_DYN_BASE).map_err(ExecFailure::Elf)?;
    for seg in &plan.segments {
        let r = seg.rights;
        let prot = Prot {
            read: r.read,
            write: r.write,
            exec: r.exec,
        };
        if !mm.range_is_free(seg.start, seg.end) {
            // Segments sharing a boundary page: the later one wins, as
            // with MAP_FIXED.
            mm.unmap_range(seg.start, seg.start + PAGE_SIZE);
        }
        mm.insert_vma(seg.start, seg.end, prot);
        for page in seg.file_pages().step_by(PAGE_SIZE as usize) {
            let dst = mm
                .map_zeroed_page(page, prot)
                .map_err(|_| ExecFailure::NoMemory)?;
            fill_file_page(dst, page, seg, file);
        }
    }

    // The heap starts empty after the highest segment.
    mm.start_brk = plan.brk;
    mm.brk = plan.brk;

    let mut aux = elfload::AuxInfo::new(&plan, path.as_bytes());
    let (uid, gid) = (cred.uid, cred.gid);
    (aux.uid, aux.euid, aux.gid, aux.egid) = (uid.real, uid.effective, gid.real, gid.effective);
    aux.secure = cred.secure_exec();
    let stack = elfload::build_initial_stack(
        TASK_SIZE,
        argv,
        envp,
        &aux,
        {
            let mut random = [0u8; 16];
            crate::drivers::char::random::get_random_bytes(&mut random);
            random
        },
        "x86_64",
        STACK_RESERVE,
    )
    .map_err(ExecFailure::Elf)?;
    // The stack: the arguments and some room below them, grown on demand
    // down to the stack limit.
    let stack_prot = Prot {
        read: true,
        write: true,
        exec: plan.executable_stack(),
    };
    mm.insert_stack(stack.sp, TASK_SIZE, stack_prot);
    // The new address space is not in CR3 yet: write it through its tables.
    let bytes = crate::mm::uaccess::VmAccess::Write(&stack.bytes);
    if mm.access_remote_vm(stack.sp, bytes) < stack.bytes.len() {
        return Err(ExecFailure::NoMemory);
    }
    mm.image = crate::mm::address_space::ImageInfo {
        start_code: plan.start_code,
        end_code: plan.end_code,
        start_data: plan.start_data,
        end_data: plan.end_data,
        start_stack: stack.sp,
        arg_start: stack.arg_start,
        arg_end: stack.arg_end,
        env_start: stack.env_start,
        env_end: stack.env_end,
        exe: alloc::vec::Vec::new(),
        exe_path: None,
    };
    Ok((plan.entry, stack.sp, plan.truncated))
}

/// A kernel stack of 2^KERNEL_STACK_ORDER pages: (first pfn, top).
pub fn alloc_kernel_stack() -> Option<(u64, u64)> {
    // On the new task's account (Linux: THREADINFO_GFP): a fork that finds
    // no memory fails before the kernel's own reserve is touched.
    let pfn = page_alloc::alloc_pages(Gfp::KERNEL_ACCOUNT, KERNEL_STACK_ORDER)?;
    let bottom = phys_to_virt(pfn * PAGE_SIZE);
    crate::kernel::sched::stack::set_end_magic(bottom);
    Some((pfn, bottom + (PAGE_SIZE << KERNEL_STACK_ORDER)))
}

pub fn free_kernel_stack(pfn: u64, order: u32) {
    page_alloc::free_pages(pfn, order);
}

/// The program that runs for `path`, and its argv: the file itself or, for
/// a `#!` script, its interpreter, which may be a script in turn (Linux:
/// exec_binprm's loop over load_script). Each interpreter is looked up and
/// checked as execve's own path is; a script's writers are let in again
/// once its interpreter replaces it.
fn open_program<'a>(
    lk: vfs::Lookup<'_>,
    path: &[u8],
    argv: &'a [&'a [u8]],
) -> Result<(Executable, elfload::ScriptArgv<'a>), ExecFailure> {
    let mut args = elfload::ScriptArgv::new(argv);
    let mut filename = path.to_vec();
    let mut file = read_executable(lk, path)?;
    for _ in 0..=elfload::MAX_SCRIPT_DEPTH {
        let Some(line) = elfload::parse_shebang(&file.data) else {
            return Ok((file, args));
        };
        let line = line.map_err(ExecFailure::Elf)?;
        args.rewrite(&line, &filename).map_err(ExecFailure::Elf)?;
        // Linux's open_exec takes an empty name for the working directory.
        let lookup: &[u8] = match line.interpreter {
            b"" => b".",
            name => name,
        };
        let next = read_executable(lk, lookup)?;
        filename = line.interpreter.to_vec();
        file = next;
    }
    Err(ExecFailure::Elf(elfload::ExecError::ScriptLoop))
}

/// A new program: its address space, entry point, stack pointer and the
/// credentials it runs with.
struct Image {
    mm: AddressSpace,
    entry: u64,
    sp: u64,
    cred: ::cred::Cred,
    /// A segment runs past the end of the file: the exec fails past the
    /// point of no return, with SIGSEGV, as Linux's does.
    truncated: bool,
}

/// A new address space running `path` with `argv` and `envp`, for a task
/// whose credentials are `cred`; AT_EXECFN names `path` even when a
/// script's interpreter runs. The set-id bits that count are those of the
/// file that runs: a script's are ignored, its interpreter's are not (as
/// Linux, whose bprm->file is the interpreter by then).
fn exec_image(
    lk: vfs::Lookup<'_>,
    cred: &::cred::Cred,
    path: &str,
    argv: &[&[u8]],
    envp: &[&[u8]],
) -> Result<Image, ExecFailure> {
    let (file, args) = open_program(lk, path.as_bytes(), argv)?;
    let argv = args.slices().map_err(ExecFailure::Elf)?;
    let mut cred = cred.clone();
    cred.on_exec(&file.id);
    let mut mm = AddressSpace::new().map_err(|_| ExecFailure::NoMemory)?;
    mm.exe_file = Some(file.deny_write);
    let (entry, sp, truncated) = load(&mut mm, &cred, path, &argv, envp, &file.data)?;
    mm.image.exe = file.exe;
    mm.image.exe_path = Some(file.path);
    Ok(Image {
        mm,
        entry,
        sp,
        cred,
        truncated,
    })
}

/// Create init (pid 1) running `path` from the initramfs, with `args`
/// after argv[0], and queue it; the idle loop will switch to it.
pub fn spawn_init(path: &str, args: &[&str]) -> Result<(), ExecFailure> {
    let root = crate::fs::rootfs::root().ok_or(ExecFailure::NotFound)?;
    let cred = vfs::Cred::root();
    pr_info!("Run {} as init process", path);
    let mut argv: Vec<&[u8]> = vec![path.as_bytes()];
    argv.extend(args.iter().map(|a| a.as_bytes()));
    let envp: [&[u8]; 2] = [b"HOME=/", b"TERM=linux"];
    let lk = vfs::Lookup::new(&root, &root, &cred);
    let image = exec_image(lk, &::cred::Cred::root(), path, &argv, &envp)?;
    let (mm, entry, sp) = (image.mm, image.entry, image.sp);
    let (kstack_pfn, kstack_top) = alloc_kernel_stack().ok_or(ExecFailure::NoMemory)?;
    let files = console_on_rootfs(&root, &cred);
    let fs = FsContext {
        root: root.clone(),
        cwd: root,
        umask: 0o022,
    };
    let frame = crate::arch::syscall::user_entry_frame(entry, sp);
    let saved_rsp = switch::prepare_new_stack(kstack_top, &frame, &switch::clean_fpu_state());
    let mut table = TASKS.lock();
    let pid = table.alloc_pid();
    table.tasks.insert(
        pid,
        Box::new(Task {
            pid,
            tgid: pid,
            ppid: 0,
            comm: comm_from_path(path),
            state: TaskState::Runnable,
            exit_code: 0,
            mm: Some(Mm::new(mm)),
            kstack_pfn,
            kstack_order: KERNEL_STACK_ORDER,
            kernel_stack_top: kstack_top,
            saved_rsp,
            fs_base: 0,
            signals: crate::kernel::signal::SignalState::new(),
            files: Arc::new(IrqSpinLock::new(files)),
            fs: Some(Arc::new(IrqSpinLock::new(fs))),
            cred: image.cred,
            nice: 0,
            ioprio: 0,
            rlimits: crate::kernel::resource::init_rlimits(),
            clear_child_tid: 0,
            robust_list: 0,
            times: Default::default(),
            dead_times: Default::default(),
            child_times: Default::default(),
            last_run: 0,
            start_time: crate::kernel::time::ktime_get_ns(),
            group_exit: None,
            job: crate::kernel::pgrp::JobState::default(),
            vfork_parent: 0,
        }),
    );
    sched::enqueue(&mut table, pid);
    Ok(())
}

/// init's standard input, output and error: /dev/console, opened once
/// and duplicated (Linux: console_on_rootfs).
fn console_on_rootfs(root: &vfs::Path, cred: &vfs::Cred) -> vfs::FdTable {
    let mut files = vfs::FdTable::new(crate::kernel::task::NR_OPEN_DEFAULT);
    let lk = vfs::Lookup::new(root, root, cred);
    let flags = linux_raw_sys::general::O_RDWR;
    match vfs::open(
        lk,
        b"/dev/console",
        flags,
        0,
        0,
        Some(&crate::fs::devices::DeviceOpen),
    ) {
        Ok(console) => {
            for _ in 0..3 {
                let _ = files.alloc(console.clone(), false);
            }
        }
        Err(_) => crate::pr_warn!("Warning: unable to open an initial console."),
    }
    files
}

/// Linux's limits on execve's arguments: strings, and how many.
const MAX_ARG_STRLEN: usize = 32 * 4096;
const MAX_ARG_COUNT: usize = 0x7fff_ffff;
const PATH_MAX: usize = 4096;

/// How many pointers the NULL-terminated array at `addr` holds (Linux:
/// count), each taking its pointer and at least a NUL from `room`.
fn count_strings(addr: u64, room: &mut u64) -> Result<usize, i64> {
    let mut n = 0;
    if addr == 0 {
        return Ok(0);
    }
    loop {
        let mut word = [0u8; 8];
        uaccess::copy_from_user(&mut word, addr + n as u64 * 8).map_err(|_| err(EFAULT))?;
        if u64::from_le_bytes(word) == 0 {
            break;
        }
        if n >= MAX_ARG_COUNT {
            return Err(err(E2BIG));
        }
        *room = room.checked_sub(8 + 1).ok_or(err(E2BIG))?;
        n += 1;
    }
    Ok(n)
}

/// The `count` strings of the array at `addr` (argv or envp), their bytes
/// taken from `room` (counted with their pointers and NULs already): E2BIG
/// as soon as the list outgrows it, before the kernel holds more than the
/// new stack could, and ENOMEM, not a panic, if the kernel cannot hold
/// that much. The list grows as the strings come, rather than being sized
/// for `count` at once: a list too long for the stack is E2BIG, as on
/// Linux, before its size could be an allocation the kernel refuses.
fn strings_from_user(addr: u64, count: usize, room: &mut u64) -> Result<Vec<Vec<u8>>, i64> {
    let mut out = Vec::new();
    for i in 0..count as u64 {
        out.try_reserve(1).map_err(|_| err(ENOMEM))?;
        let mut word = [0u8; 8];
        uaccess::copy_from_user(&mut word, addr + i * 8).map_err(|_| err(EFAULT))?;
        let s = with_current_mm(|mm| mm.string_from_user(u64::from_le_bytes(word), MAX_ARG_STRLEN))
            .map_err(|_| err(EFAULT))?
            .ok_or(err(E2BIG))?;
        *room = room.checked_sub(s.len() as u64).ok_or(err(E2BIG))?;
        out.push(s);
    }
    Ok(out)
}

/// A list of strings from user memory (argv or envp).
type Strings = Vec<Vec<u8>>;

/// execve's argv and envp, within the room the new stack gives them.
fn args_from_user(argv: u64, envp: u64) -> Result<(Strings, Strings), i64> {
    let mut room = elfload::args_room(STACK_RESERVE);
    let argc = count_strings(argv, &mut room)?;
    let envc = count_strings(envp, &mut room)?;
    let argv = strings_from_user(argv, argc, &mut room)?;
    Ok((argv, strings_from_user(envp, envc, &mut room)?))
}

/// The slices of `strings`, or ENOMEM.
fn slices(strings: &[Vec<u8>]) -> Result<Vec<&[u8]>, i64> {
    let mut out = Vec::new();
    out.try_reserve_exact(strings.len())
        .map_err(|_| err(ENOMEM))?;
    out.extend(strings.iter().map(|s| s.as_slice()));
    Ok(out)
}

/// execve(2): replace the calling program. On success the new program's
/// registers are in `frame`, and the old address space is gone.
pub fn sys_execve(frame: &mut TrapFrame, path: u64, argv: u64, envp: u64) -> i64 {
    let path = match with_current_mm(|mm| mm.string_from_user(path, PATH_MAX)) {
        Ok(Some(p)) => p,
        Ok(None) => return err(ENAMETOOLONG),
        Err(_) => return err(EFAULT),
    };
    let Ok(path) = core::str::from_utf8(&path).map(alloc::string::String::from) else {
        return err(ENOENT);
    };
    let (argv, envp) = match args_from_user(argv, envp) {
        Ok(lists) => lists,
        Err(e) => return e,
    };
    let (argv_refs, envp_refs) = match slices(&argv).and_then(|a| Ok((a, slices(&envp)?))) {
        Ok(refs) => refs,
        Err(e) => return e,
    };
    let (root, base, cred, _) =
        match crate::fs::open::lookup_context(linux_raw_sys::general::AT_FDCWD as u64) {
            Ok(c) => c,
            Err(e) => return e,
        };
    let lk = vfs::Lookup::new(&root, &base, &cred);
    let task_cred = with_current(|t| t.cred.clone());
    let image = match exec_image(lk, &task_cred, &path, &argv_refs, &envp_refs) {
        Ok(v) => v,
        Err(e) => return -(e.errno() as i64),
    };
    let (mm, entry, sp, new_cred) = (image.mm, image.entry, image.sp, image.cred);
    let truncated = image.truncated;

    // The point of no return: the other threads go, then the new image
    // replaces the old, which is dropped with the files closed on exec.
    if !de_thread() {
        return -crate::kernel::signal::ERESTARTSYS;
    }
    // Linux maps the program past this point, so a program too large for
    // RLIMIT_AS, or one cut short, ends the process with SIGSEGV rather
    // than failing execve.
    let limit = crate::kernel::resource::current_rlimit(crate::kernel::resource::RLIMIT_AS);
    if truncated || !mm.may_expand(0, limit) {
        drop(mm);
        crate::kernel::exit::do_group_exit(crate::kernel::signal::SIGSEGV as u32);
    }
    // The old image's robust mutexes die with it (Linux: exec_mm_release).
    crate::kernel::futex::release_robust_list();
    let mm = Mm::new(mm);
    crate::arch::mm::init::switch_address_space(mm.pgd_phys());
    let (old, files) = with_current(|t| {
        t.comm = comm_from_path(&path);
        t.fs_base = 0;
        t.clear_child_tid = 0;
        t.signals.on_exec();
        t.job.forknoexec = false;
        t.cred = new_cred;
        (t.mm.replace(mm), t.files.clone())
    });
    drop(old);
    crate::kernel::fork::vfork_done(&mut TASKS.lock());
    let files = unshare_files(files);
    let closed = files.lock().close_on_exec();
    drop(closed);
    x86_64::registers::model_specific::FsBase::write(x86_64::VirtAddr::new(0));
    *frame = crate::arch::syscall::user_entry_frame(entry, sp);
    switch::set_saved_fpu_state(frame, &switch::clean_fpu_state());
    0
}

/// execve in a process with several threads: end the others, wait until
/// they have, and if the caller is not the leader, take the leader's place
/// and pid (Linux: de_thread). False if the caller was itself killed
/// meanwhile (another thread's exit_group, a fatal signal).
fn de_thread() -> bool {
    let mut table = TASKS.lock();
    let (me, tgid) = (table.current, table.current().tgid);
    let others: Vec<u32> = table
        .threads(tgid)
        .into_iter()
        .filter(|&t| t != me)
        .collect();
    if others.is_empty() {
        return true;
    }
    for &tid in &others {
        if let Some(t) = table.tasks.get_mut(&tid) {
            t.group_exit.get_or_insert(0);
        }
        crate::kernel::signal::zap_thread(&mut table, tid);
    }
    while others
        .iter()
        .any(|t| table.tasks.get(t).is_some_and(|t| t.alive()))
    {
        if table.current().group_exit.is_some() {
            return false;
        }
        drop(table);
        sched::yield_or_idle();
        table = TASKS.lock();
    }
    if me != tgid {
        // The leader is a zombie: its place, pid and parent are the caller's now.
        let leader = table.tasks.remove(&tgid);
        let mut task = table
            .tasks
            .remove(&me)
            .expect("the current task is in the table");
        task.pid = tgid;
        if let Some(leader) = &leader {
            task.ppid = leader.ppid;
            task.job.stop = leader.job.stop;
        }
        table.tasks.insert(tgid, task);
        table.set_current(tgid);
        drop(table);
        if let Some(leader) = leader {
            free_kernel_stack(leader.kstack_pfn, leader.kstack_order);
        }
    }
    true
}

/// The caller's own copy of a file table it shares with another process
/// (CLONE_FILES without CLONE_THREAD), so that exec's closing stays its own.
fn unshare_files(files: Arc<IrqSpinLock<vfs::FdTable>>) -> Arc<IrqSpinLock<vfs::FdTable>> {
    if Arc::strong_count(&files) == 1 {
        return files;
    }
    let copy = Arc::new(IrqSpinLock::new(files.lock().clone()));
    drop(TASKS.lock().replace_current_files(copy.clone()));
    copy
}
