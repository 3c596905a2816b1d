//! The system-call table (Linux: arch/x86/entry/syscalls/syscall_64.tbl).
//!
//! It only maps Linux's numbers to the functions that implement them;
//! each call lives with its subsystem. An unknown number returns -ENOSYS
//! and is reported once per number with a KERN_WARNING line, so the next
//! gap is always visible in the log.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use linux_raw_sys::errno::ENOSYS;
use linux_raw_sys::general as nr;

use crate::arch::process;
use crate::arch::syscall::syscall_args;
use crate::arch::traps::TrapFrame;
use crate::drivers::char::random;
use crate::fs::{attr, namei, namespace, open, pipe, read_write, select, sync};
use crate::kernel::cred::{self, Which};
use crate::kernel::sched::{self, cputime};
use crate::kernel::task::with_current;
use crate::kernel::{
    exec, exit, fork, futex, itimer, pgrp, reboot, resource, signal, sys_info, syslog,
    time_syscalls, wait,
};
use crate::mm::{madvise, mmap, mremap};
use crate::pr_warn;

/// A failed system call's return value: the negated errno, as Linux returns it.
pub const fn err(errno: u32) -> i64 {
    -(errno as i64)
}

/// Linux's "relative to the working directory" directory descriptor.
const AT_FDCWD: u64 = nr::AT_FDCWD as i64 as u64;

/// Set once a number beyond the table was reported.
static OUT_OF_RANGE_REPORTED: AtomicBool = AtomicBool::new(false);

/// Bit N set: number N was already reported as missing.
static REPORTED: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

fn report_missing(number: u64) {
    let Some(word) = REPORTED.get((number / 64) as usize) else {
        if !OUT_OF_RANGE_REPORTED.swap(true, Ordering::Relaxed) {
            let (pid, comm) = with_current(|t| (t.pid, t.comm));
            pr_warn!(
                "noyau: {}[{}]: system call {} is out of range (ENOSYS; reported once)",
                crate::kernel::task::Task::comm_str(&comm),
                pid,
                number
            );
        }
        return;
    };
    if word.fetch_or(1 << (number % 64), Ordering::Relaxed) & (1 << (number % 64)) == 0 {
        let (pid, comm) = with_current(|t| (t.pid, t.comm));
        pr_warn!(
            "noyau: {}[{}]: system call {} ({}) is not implemented (ENOSYS)",
            crate::kernel::task::Task::comm_str(&comm),
            pid,
            number,
            crate::kernel::sysnames::name(number)
        );
    }
}

/// Run the system call whose number and arguments are in `frame`; the
/// value for RAX (a negative errno on failure, as Linux returns it).
pub fn dispatch(frame: &mut TrapFrame) -> i64 {
    let number = frame.rax;
    let a = syscall_args(frame);
    match number as u32 {
        nr::__NR_read => read_write::sys_read(a[0], a[1], a[2]),
        nr::__NR_write => read_write::sys_write(a[0], a[1], a[2]),
        nr::__NR_readv => read_write::sys_readv(a[0], a[1], a[2]),
        nr::__NR_writev => read_write::sys_writev(a[0], a[1], a[2]),
        nr::__NR_pread64 => read_write::sys_pread64(a[0], a[1], a[2], a[3]),
        nr::__NR_pwrite64 => read_write::sys_pwrite64(a[0], a[1], a[2], a[3]),
        nr::__NR_lseek => read_write::sys_lseek(a[0], a[1], a[2]),
        nr::__NR_ioctl => read_write::sys_ioctl(a[0], a[1], a[2]),
        nr::__NR_open => open::sys_open(a[0], a[1], a[2]),
        nr::__NR_openat => open::sys_openat(a[0], a[1], a[2], a[3]),
        nr::__NR_close => open::sys_close(a[0]),
        nr::__NR_dup => open::sys_dup(a[0]),
        nr::__NR_dup2 => open::sys_dup2(a[0], a[1]),
        nr::__NR_dup3 => open::sys_dup3(a[0], a[1], a[2]),
        nr::__NR_fcntl => open::sys_fcntl(a[0], a[1], a[2]),
        nr::__NR_chdir => open::sys_chdir(a[0]),
        nr::__NR_fchdir => open::sys_fchdir(a[0]),
        nr::__NR_chroot => open::sys_chroot(a[0]),
        nr::__NR_getcwd => open::sys_getcwd(a[0], a[1]),
        nr::__NR_umask => open::sys_umask(a[0]),
        nr::__NR_mkdirat => namei::sys_mkdirat(a[0], a[1], a[2]),
        nr::__NR_mkdir => namei::sys_mkdirat(AT_FDCWD, a[0], a[1]),
        nr::__NR_unlinkat => namei::sys_unlinkat(a[0], a[1], a[2]),
        nr::__NR_unlink => namei::sys_unlinkat(AT_FDCWD, a[0], 0),
        nr::__NR_rmdir => namei::sys_unlinkat(AT_FDCWD, a[0], nr::AT_REMOVEDIR as u64),
        nr::__NR_mknodat => namei::sys_mknodat(a[0], a[1], a[2], a[3]),
        nr::__NR_mknod => namei::sys_mknodat(AT_FDCWD, a[0], a[1], a[2]),
        nr::__NR_symlinkat => namei::sys_symlinkat(a[0], a[1], a[2]),
        nr::__NR_symlink => namei::sys_symlinkat(a[0], AT_FDCWD, a[1]),
        nr::__NR_readlinkat => namei::sys_readlinkat(a[0], a[1], a[2], a[3]),
        nr::__NR_readlink => namei::sys_readlinkat(AT_FDCWD, a[0], a[1], a[2]),
        nr::__NR_faccessat => namei::sys_faccessat(a[0], a[1], a[2], 0),
        nr::__NR_faccessat2 => namei::sys_faccessat(a[0], a[1], a[2], a[3]),
        nr::__NR_access => namei::sys_faccessat(AT_FDCWD, a[0], a[1], 0),
        nr::__NR_fstat => namei::sys_fstat(a[0], a[1]),
        nr::__NR_stat => namei::sys_stat(a[0], a[1]),
        nr::__NR_lstat => namei::sys_lstat(a[0], a[1]),
        nr::__NR_newfstatat => namei::sys_newfstatat(a[0], a[1], a[2], a[3]),
        nr::__NR_statx => namei::sys_statx(a[0], a[1], a[2], a[3], a[4]),
        nr::__NR_getdents64 => namei::sys_getdents64(a[0], a[1], a[2]),
        nr::__NR_mount => namespace::sys_mount(a[0], a[1], a[2], a[3], a[4]),
        nr::__NR_umount2 => namespace::sys_umount2(a[0], a[1]),
        nr::__NR_statfs => namespace::sys_statfs(a[0], a[1]),
        nr::__NR_fstatfs => namespace::sys_fstatfs(a[0], a[1]),
        nr::__NR_pipe2 => pipe::sys_pipe2(a[0], a[1]),
        nr::__NR_pipe => pipe::sys_pipe2(a[0], 0),
        nr::__NR_poll => select::sys_poll(a[0], a[1], a[2] as i32 as i64),
        nr::__NR_ppoll => select::sys_ppoll(a[0], a[1], a[2], a[3], a[4]),
        nr::__NR_select => select::sys_select(a[0], a[1], a[2], a[3], a[4]),
        nr::__NR_pselect6 => select::sys_pselect6(a[0], a[1], a[2], a[3], a[4], a[5]),
        nr::__NR_sendfile => read_write::sys_sendfile(a[0], a[1], a[2], a[3]),
        nr::__NR_fchmodat => attr::sys_fchmodat(a[0], a[1], a[2]),
        nr::__NR_chmod => attr::sys_fchmodat(AT_FDCWD, a[0], a[1]),
        nr::__NR_fchmod => attr::sys_fchmod(a[0], a[1]),
        nr::__NR_fchownat => attr::sys_fchownat(a[0], a[1], a[2], a[3], a[4]),
        nr::__NR_chown => attr::sys_fchownat(AT_FDCWD, a[0], a[1], a[2], 0),
        nr::__NR_lchown => {
            attr::sys_fchownat(AT_FDCWD, a[0], a[1], a[2], nr::AT_SYMLINK_NOFOLLOW as u64)
        }
        nr::__NR_fchown => attr::sys_fchown(a[0], a[1], a[2]),
        nr::__NR_truncate => attr::sys_truncate(a[0], a[1]),
        nr::__NR_ftruncate => attr::sys_ftruncate(a[0], a[1]),
        nr::__NR_fallocate => attr::sys_fallocate(a[0], a[1], a[2], a[3]),
        nr::__NR_utimensat => attr::sys_utimensat(a[0], a[1], a[2], a[3]),
        nr::__NR_linkat => attr::sys_linkat(a[0], a[1], a[2], a[3], a[4]),
        nr::__NR_link => attr::sys_linkat(AT_FDCWD, a[0], AT_FDCWD, a[1], 0),
        nr::__NR_renameat2 => attr::sys_renameat2(a[0], a[1], a[2], a[3], a[4]),
        nr::__NR_renameat => attr::sys_renameat2(a[0], a[1], a[2], a[3], 0),
        nr::__NR_rename => attr::sys_renameat2(AT_FDCWD, a[0], AT_FDCWD, a[1], 0),
        nr::__NR_sync => sync::sys_sync(),
        nr::__NR_syncfs => sync::sys_syncfs(a[0]),
        nr::__NR_fsync | nr::__NR_fdatasync => sync::sys_fsync(a[0]),
        nr::__NR_arch_prctl => process::sys_arch_prctl(a[0], a[1]),
        nr::__NR_set_tid_address => sys_info::sys_set_tid_address(a[0]),
        nr::__NR_set_robust_list => futex::sys_set_robust_list(a[0], a[1]),
        nr::__NR_get_robust_list => futex::sys_get_robust_list(a[0] as i32 as i64, a[1], a[2]),
        nr::__NR_getpid => sys_info::sys_getpid(),
        nr::__NR_gettid => sys_info::sys_gettid(),
        nr::__NR_getppid => sys_info::sys_getppid(),
        nr::__NR_getuid => cred::sys_get_id(true, Which::Real),
        nr::__NR_geteuid => cred::sys_get_id(true, Which::Effective),
        nr::__NR_getgid => cred::sys_get_id(false, Which::Real),
        nr::__NR_getegid => cred::sys_get_id(false, Which::Effective),
        nr::__NR_setuid => cred::sys_set_id(true, a[0]),
        nr::__NR_setgid => cred::sys_set_id(false, a[0]),
        nr::__NR_setreuid => cred::sys_set_re(true, a[0], a[1]),
        nr::__NR_setregid => cred::sys_set_re(false, a[0], a[1]),
        nr::__NR_setresuid => cred::sys_set_res(true, a[0], a[1], a[2]),
        nr::__NR_setresgid => cred::sys_set_res(false, a[0], a[1], a[2]),
        nr::__NR_getresuid => cred::sys_get_res(true, a[0], a[1], a[2]),
        nr::__NR_getresgid => cred::sys_get_res(false, a[0], a[1], a[2]),
        nr::__NR_setfsuid => cred::sys_set_fs(true, a[0]),
        nr::__NR_setfsgid => cred::sys_set_fs(false, a[0]),
        nr::__NR_getgroups => cred::sys_getgroups(a[0], a[1]),
        nr::__NR_setgroups => cred::sys_setgroups(a[0], a[1]),
        nr::__NR_uname => sys_info::sys_uname(a[0]),
        nr::__NR_sethostname => sys_info::sys_setname(true, a[0], a[1]),
        nr::__NR_setdomainname => sys_info::sys_setname(false, a[0], a[1]),
        nr::__NR_sysinfo => sys_info::sys_sysinfo(a[0]),
        nr::__NR_prctl => sys_info::sys_prctl(a[0], a[1]),
        nr::__NR_prlimit64 => resource::sys_prlimit64(a[0], a[1], a[2], a[3]),
        nr::__NR_getrlimit => resource::sys_getrlimit(a[0], a[1]),
        nr::__NR_ioprio_set => sched::ioprio::sys_ioprio_set(a[0], a[1], a[2]),
        nr::__NR_ioprio_get => sched::ioprio::sys_ioprio_get(a[0], a[1]),
        nr::__NR_getpriority => sched::priority::sys_getpriority(a[0], a[1]),
        nr::__NR_setpriority => sched::priority::sys_setpriority(a[0], a[1], a[2]),
        nr::__NR_setrlimit => resource::sys_setrlimit(a[0], a[1]),
        nr::__NR_getrandom => random::sys_getrandom(a[0], a[1], a[2]),
        nr::__NR_clock_gettime => time_syscalls::sys_clock_gettime(a[0], a[1]),
        nr::__NR_clock_getres => time_syscalls::sys_clock_getres(a[0], a[1]),
        nr::__NR_gettimeofday => time_syscalls::sys_gettimeofday(a[0], a[1]),
        nr::__NR_clock_settime => time_syscalls::sys_clock_settime(a[0], a[1]),
        nr::__NR_settimeofday => time_syscalls::sys_settimeofday(a[0], a[1]),
        nr::__NR_time => time_syscalls::sys_time(a[0]),
        nr::__NR_nanosleep => time_syscalls::sys_nanosleep(a[0], a[1]),
        nr::__NR_clock_nanosleep => time_syscalls::sys_clock_nanosleep(a[0], a[1], a[2], a[3]),
        nr::__NR_sched_getaffinity => sched::affinity::sys_sched_getaffinity(a[0], a[1], a[2]),
        nr::__NR_sched_setaffinity => sched::affinity::sys_sched_setaffinity(a[0], a[1], a[2]),
        nr::__NR_sched_yield => {
            sched::schedule();
            0
        }
        nr::__NR_times => cputime::sys_times(a[0]),
        nr::__NR_getrusage => cputime::sys_getrusage(a[0] as i32 as i64, a[1]),
        nr::__NR_syslog => syslog::sys_syslog(a[0], a[1], a[2]),
        nr::__NR_reboot => reboot::sys_reboot(a[0], a[1], a[2]),
        nr::__NR_brk => mmap::sys_brk(a[0]),
        nr::__NR_mmap => mmap::sys_mmap(a[0], a[1], a[2], a[3], a[4], a[5]),
        nr::__NR_munmap => mmap::sys_munmap(a[0], a[1]),
        nr::__NR_mprotect => mmap::sys_mprotect(a[0], a[1], a[2]),
        nr::__NR_mremap => mremap::sys_mremap(a[0], a[1], a[2], a[3], a[4]),
        nr::__NR_madvise => madvise::sys_madvise(a[0], a[1], a[2]),
        nr::__NR_exit => exit::do_exit(((a[0] & 0xff) << 8) as u32),
        nr::__NR_exit_group => exit::do_group_exit(((a[0] & 0xff) << 8) as u32),
        nr::__NR_fork => fork::sys_fork(frame),
        nr::__NR_vfork => fork::sys_vfork(frame),
        nr::__NR_clone => fork::sys_clone(frame, a),
        nr::__NR_execve => exec::sys_execve(frame, a[0], a[1], a[2]),
        nr::__NR_wait4 => exit::sys_wait4(a[0] as i32 as i64, a[1], a[2], a[3]),
        nr::__NR_rt_sigaction => signal::sys_rt_sigaction(a[0], a[1], a[2], a[3]),
        nr::__NR_rt_sigprocmask => signal::sys_rt_sigprocmask(a[0], a[1], a[2], a[3]),
        nr::__NR_rt_sigpending => signal::sys_rt_sigpending(a[0], a[1]),
        nr::__NR_rt_sigreturn => signal::sys_rt_sigreturn(frame),
        nr::__NR_kill => signal::sys_kill(a[0] as i32 as i64, a[1]),
        nr::__NR_tkill => signal::sys_tgkill(None, a[0] as i32 as i64, a[1]),
        nr::__NR_tgkill => signal::sys_tgkill(Some(a[0] as i32 as i64), a[1] as i32 as i64, a[2]),
        nr::__NR_rt_sigqueueinfo => signal::sys_rt_sigqueueinfo(a[0] as i32 as i64, a[1], a[2]),
        nr::__NR_rt_tgsigqueueinfo => {
            signal::sys_rt_tgsigqueueinfo(a[0] as i32 as i64, a[1] as i32 as i64, a[2], a[3])
        }
        nr::__NR_futex => futex::sys_futex(a[0], a[1], a[2], a[3], a[4], a[5]),
        nr::__NR_rt_sigsuspend => signal::sys_rt_sigsuspend(a[0], a[1]),
        nr::__NR_rt_sigtimedwait => signal::sys_rt_sigtimedwait(a[0], a[1], a[2], a[3]),
        nr::__NR_sigaltstack => signal::sys_sigaltstack(a[0], a[1], frame.rsp),
        nr::__NR_pause => signal::sys_pause(),
        nr::__NR_setitimer => itimer::sys_setitimer(a[0], a[1], a[2]),
        nr::__NR_getitimer => itimer::sys_getitimer(a[0], a[1]),
        nr::__NR_alarm => itimer::sys_alarm(a[0]),
        nr::__NR_restart_syscall => signal::sys_restart_syscall(),
        nr::__NR_waitid => wait::sys_waitid(a[0], a[1] as i32 as i64, a[2], a[3], a[4]),
        nr::__NR_setpgid => pgrp::sys_setpgid(a[0] as i32 as i64, a[1] as i32 as i64),
        nr::__NR_getpgid => pgrp::sys_getpgid(a[0] as i32 as i64),
        nr::__NR_getpgrp => pgrp::sys_getpgrp(),
        nr::__NR_setsid => pgrp::sys_setsid(),
        nr::__NR_getsid => pgrp::sys_getsid(a[0] as i32 as i64),
        _ => {
            report_missing(number);
            -(ENOSYS as i64)
        }
    }
}
