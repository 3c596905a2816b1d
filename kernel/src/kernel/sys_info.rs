//! Identity and limits of the calling task (Linux: kernel/sys.c):
//! ids, uname, prctl, prlimit64, set_tid_address.
//!
//! There are no credentials yet: every task is root (uid and gid 0).

use alloc::vec::Vec;

use linux_raw_sys::errno::{EFAULT, EINVAL, EPERM};

use crate::kernel::sync::IrqSpinLock;
use crate::kernel::sys::err;
use crate::kernel::task::with_current;
use crate::mm::uaccess;

/// Where to clear the tid and wake a waiter when the thread exits, as
/// CLONE_CHILD_CLEARTID sets it; returns the thread id.
pub fn sys_set_tid_address(tidptr: u64) -> i64 {
    with_current(|t| {
        t.clear_child_tid = tidptr;
        t.pid as i64
    })
}

/// The process id: the thread group's.
pub fn sys_getpid() -> i64 {
    with_current(|t| t.tgid as i64)
}

pub fn sys_gettid() -> i64 {
    with_current(|t| t.pid as i64)
}

/// The parent's pid (0 for init, whose parent is the kernel).
pub fn sys_getppid() -> i64 {
    with_current(|t| t.ppid as i64)
}

/// struct new_utsname: six fields of 65 bytes.
const UTS_LEN: usize = 65;

/// uname's system name, release and version (and /proc/sys/kernel's ostype,
/// osrelease and version).
pub const OSTYPE: &str = "Linux";
pub const OSRELEASE: &str = concat!("6.1.0-noyau-", env!("CARGO_PKG_VERSION"));
pub const VERSION: &str = concat!("#1 SMP noyau ", env!("CARGO_PKG_VERSION"));

/// uname(2). The system name is "Linux" because programs read it (and the
/// release) to learn which system-call ABI they are talking to; the
/// release and version say that it is noyau.
pub fn sys_uname(buf: u64) -> i64 {
    let (host, domain) = *UTS_NAMES.lock();
    let fields: [&[u8]; 6] = [
        OSTYPE.as_bytes(),
        until_nul(&host),
        OSRELEASE.as_bytes(),
        VERSION.as_bytes(),
        b"x86_64",
        until_nul(&domain),
    ];
    let mut uts = [0u8; UTS_LEN * 6];
    for (i, f) in fields.iter().enumerate() {
        let n = f.len().min(UTS_LEN - 1);
        uts[i * UTS_LEN..i * UTS_LEN + n].copy_from_slice(&f[..n]);
    }
    match uaccess::copy_to_user(buf, &uts) {
        Ok(()) => 0,
        Err(_) => err(EFAULT),
    }
}

/// The node (host) and domain names uname reports, "(none)" until set.
static UTS_NAMES: IrqSpinLock<([u8; UTS_LEN], [u8; UTS_LEN])> = IrqSpinLock::new((NONE, NONE));

const NONE: [u8; UTS_LEN] = {
    let mut n = [0u8; UTS_LEN];
    let text = *b"(none)";
    let mut i = 0;
    while i < text.len() {
        n[i] = text[i];
        i += 1;
    }
    n
};

fn until_nul(name: &[u8]) -> &[u8] {
    &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())]
}

/// The host name (`host`) or the domain name, as uname reports it.
pub fn uts_name(host: bool) -> Vec<u8> {
    let names = UTS_NAMES.lock();
    until_nul(if host { &names.0 } else { &names.1 }).to_vec()
}

/// A write to /proc/sys/kernel/hostname or domainname (Linux:
/// proc_dostring): the bytes up to the first newline, at most 64 of them;
/// returns what the write took.
pub fn write_uts_name(host: bool, bytes: &[u8]) -> Result<usize, vfs::Errno> {
    let name = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut new = [0u8; UTS_LEN];
    let n = name.len().min(UTS_LEN - 1);
    new[..n].copy_from_slice(&name[..n]);
    let mut names = UTS_NAMES.lock();
    if host {
        names.0 = new;
    } else {
        names.1 = new;
    }
    Ok(bytes.len())
}

/// sethostname(2) and setdomainname(2) (`host` false): CAP_SYS_ADMIN, at
/// most 64 bytes (Linux: __NEW_UTS_LEN).
pub fn sys_setname(host: bool, name: u64, len: u64) -> i64 {
    if !with_current(|t| crate::kernel::cred::capable(&t.cred)) {
        return err(EPERM);
    }
    let len = len as i64;
    if !(0..UTS_LEN as i64).contains(&len) {
        return err(EINVAL);
    }
    let mut new = [0u8; UTS_LEN];
    if uaccess::copy_from_user(&mut new[..len as usize], name).is_err() {
        return err(EFAULT);
    }
    let mut names = UTS_NAMES.lock();
    if host {
        names.0 = new;
    } else {
        names.1 = new;
    }
    0
}

const PR_SET_NAME: u64 = 15;
const PR_GET_NAME: u64 = 16;

/// prctl(2): the task name for now (what ps and the log show).
pub fn sys_prctl(option: u64, arg2: u64) -> i64 {
    match option {
        PR_SET_NAME => {
            let mut name = [0u8; 16];
            // The name is a C string of at most 16 bytes: read what is there.
            for (i, b) in name.iter_mut().take(15).enumerate() {
                let mut one = [0u8; 1];
                if uaccess::copy_from_user(&mut one, arg2 + i as u64).is_err() {
                    return err(EFAULT);
                }
                if one[0] == 0 {
                    break;
                }
                *b = one[0];
            }
            with_current(|t| t.comm = name);
            0
        }
        PR_GET_NAME => {
            let comm = with_current(|t| t.comm);
            match uaccess::copy_to_user(arg2, &comm) {
                Ok(()) => 0,
                Err(_) => err(EFAULT),
            }
        }
        _ => err(EINVAL),
    }
}

/// sysinfo(2) (Linux: kernel/sys.c do_sysinfo): uptime, memory in bytes
/// (mem_unit 1), the load averages and the number of tasks. No swap yet.
pub fn sys_sysinfo(info: u64) -> i64 {
    let uptime = crate::kernel::time::ktime_get_ns() / 1_000_000_000;
    let (free, total, _) = crate::mm::page_alloc::counters();
    let (procs, loads) = {
        let table = crate::kernel::task::TASKS.lock();
        (table.tasks.len() as u16, table.loadavg.0)
    };
    // struct sysinfo on x86_64: 112 bytes.
    let mut b = [0u8; 112];
    b[0..8].copy_from_slice(&uptime.to_le_bytes());
    // loads[3]: in 16 fraction bits (SI_LOAD_SHIFT), where /proc has 11.
    for (i, load) in loads.iter().enumerate() {
        b[8 + i * 8..16 + i * 8].copy_from_slice(&(load << 5).to_le_bytes());
    }
    b[32..40].copy_from_slice(&(total * 4096).to_le_bytes());
    b[40..48].copy_from_slice(&(free * 4096).to_le_bytes());
    let shared = crate::mm::meminfo::shmem_pages() * 4096;
    b[48..56].copy_from_slice(&shared.to_le_bytes());
    b[80..82].copy_from_slice(&procs.to_le_bytes());
    b[104..108].copy_from_slice(&1u32.to_le_bytes());
    match uaccess::copy_to_user(info, &b) {
        Ok(()) => 0,
        Err(_) => err(EFAULT),
    }
}
