//! The auxiliary vector that Linux's create_elf_tables (fs/binfmt_elf.c) writes above
//! envp: what the kernel tells a new program about itself and the machine (AT_PHDR,
//! AT_ENTRY, AT_RANDOM, ...), in Linux's order for x86_64. The AT_* numbers come from
//! linux-raw-sys.

use crate::{ExecPlan, PAGE_SIZE};
use alloc::vec::Vec;
use linux_raw_sys::auxvec::{
    AT_BASE, AT_CLKTCK, AT_EGID, AT_ENTRY, AT_EUID, AT_EXECFN, AT_FLAGS, AT_GID, AT_HWCAP,
    AT_HWCAP2, AT_MINSIGSTKSZ, AT_NULL, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PLATFORM,
    AT_RANDOM, AT_SECURE, AT_SYSINFO_EHDR, AT_UID,
};

/// USER_HZ, the unit of times() and of /proc's tick counts: AT_CLKTCK.
pub const CLOCKS_PER_SEC: u64 = 100;

/// The values of the auxiliary vector that do not point into the new stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuxInfo<'a> {
    /// AT_SYSINFO_EHDR, the vDSO's address: `None` until noyau has a vDSO.
    pub sysinfo_ehdr: Option<u64>,
    /// AT_MINSIGSTKSZ, the smallest signal stack the kernel's frames fit in.
    pub minsigstksz: Option<u64>,
    /// AT_HWCAP: CPUID leaf 1's EDX on x86_64.
    pub hwcap: u64,
    /// AT_HWCAP2: HWCAP2_* bits (ring-3 MWAIT, FSGSBASE).
    pub hwcap2: u64,
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    /// AT_BASE: where the interpreter is loaded; 0 without one.
    pub base: u64,
    /// AT_FLAGS: AT_FLAGS_PRESERVE_ARGV0 for binfmt_misc, else 0.
    pub flags: u64,
    pub entry: u64,
    pub uid: u32,
    pub euid: u32,
    pub gid: u32,
    pub egid: u32,
    /// AT_SECURE: set-user-ID or capability-raising exec; libc then ignores LD_* and
    /// friends.
    pub secure: bool,
    /// The path given to execve, copied at the top of the stack for AT_EXECFN.
    pub execfn: &'a [u8],
}

impl<'a> AuxInfo<'a> {
    /// The values for `plan`, run by root with no hardware capabilities: the kernel
    /// fills in credentials and HWCAP.
    pub fn new(plan: &ExecPlan, execfn: &'a [u8]) -> Self {
        AuxInfo {
            sysinfo_ehdr: None,
            minsigstksz: None,
            hwcap: 0,
            hwcap2: 0,
            phdr: plan.phdr,
            phent: plan.phent,
            phnum: plan.phnum,
            base: 0,
            flags: 0,
            entry: plan.entry,
            uid: 0,
            euid: 0,
            gid: 0,
            egid: 0,
            secure: false,
            execfn,
        }
    }

    /// The (type, value) pairs, AT_NULL last, given where the stack holds the random
    /// bytes, the exec file name and the platform string.
    pub(crate) fn entries(&self, random: u64, execfn: u64, platform: Option<u64>) -> Vec<[u64; 2]> {
        let mut auxv = Vec::with_capacity(24);
        let mut put = |key: u32, value: u64| auxv.push([u64::from(key), value]);

        // ARCH_DLINFO comes first on x86_64.
        if let Some(vdso) = self.sysinfo_ehdr {
            put(AT_SYSINFO_EHDR, vdso);
        }
        if let Some(size) = self.minsigstksz {
            put(AT_MINSIGSTKSZ, size);
        }
        put(AT_HWCAP, self.hwcap);
        put(AT_PAGESZ, PAGE_SIZE);
        put(AT_CLKTCK, CLOCKS_PER_SEC);
        put(AT_PHDR, self.phdr);
        put(AT_PHENT, self.phent);
        put(AT_PHNUM, self.phnum);
        put(AT_BASE, self.base);
        put(AT_FLAGS, self.flags);
        put(AT_ENTRY, self.entry);
        put(AT_UID, u64::from(self.uid));
        put(AT_EUID, u64::from(self.euid));
        put(AT_GID, u64::from(self.gid));
        put(AT_EGID, u64::from(self.egid));
        put(AT_SECURE, u64::from(self.secure));
        put(AT_RANDOM, random);
        put(AT_HWCAP2, self.hwcap2);
        put(AT_EXECFN, execfn);
        if let Some(platform) = platform {
            put(AT_PLATFORM, platform);
        }
        put(AT_NULL, 0);
        auxv
    }
}
