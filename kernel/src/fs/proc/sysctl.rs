//! /proc/sys (Linux: kernel/sysctl.c, kernel/utsname_sysctl.c): for now the
//! names uname reports, in /proc/sys/kernel: hostname and domainname (root
//! may write them, as sethostname does), ostype, osrelease and version.

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use vfs::pseudo::{Entry, Node};

use crate::kernel::sys_info::{self, OSRELEASE, OSTYPE, VERSION};

/// A line of text, as each sysctl file reads.
fn line(text: &[u8]) -> vfs::Result<Vec<u8>> {
    Ok([text, b"\n"].concat())
}

/// A utsname file that root may write (0644).
fn writable(name: &[u8], ino: u64, host: bool) -> Entry {
    let render = Arc::new(move || line(&sys_info::uts_name(host)));
    let store = Arc::new(move |bytes: &[u8]| sys_info::write_uts_name(host, bytes));
    Entry::new(name, ino, 0o644, Node::WritableFile(render, store))
}

/// A read-only sysctl file (0444). Linux checks sysctl permissions by the
/// mode alone (proc_sys_permission), so even root's open for writing is
/// EACCES; elsewhere root's DAC override would let it through.
fn read_only(name: &[u8], ino: u64, text: &'static str) -> Entry {
    let refuse_writes = |mask: u32| match mask & vfs::perm::MAY_WRITE {
        0 => Ok(()),
        _ => Err(vfs::Errno::new(linux_raw_sys::errno::EACCES)),
    };
    Entry {
        open: Some(Arc::new(refuse_writes)),
        ..Entry::file(name, ino, move || line(text.as_bytes()))
    }
}

/// The `sys` entry of /proc, its inode numbers from `base` up.
pub fn entry(base: u64) -> Entry {
    let kernel = vec![
        writable(b"domainname", base + 2, false),
        writable(b"hostname", base + 3, true),
        read_only(b"osrelease", base + 4, OSRELEASE),
        read_only(b"ostype", base + 5, OSTYPE),
        read_only(b"version", base + 6, VERSION),
    ];
    let kernel = Entry::new(
        b"kernel",
        base + 1,
        0o555,
        Node::Dir(Arc::new(super::ProcList(kernel))),
    );
    Entry::new(
        b"sys",
        base,
        0o555,
        Node::Dir(Arc::new(super::ProcList(vec![kernel]))),
    )
}
