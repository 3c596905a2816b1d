//! Process credentials (Linux: struct cred, include/linux/cred.h) and the
//! rules by which a process changes them (kernel/sys.c: setuid, setreuid,
//! setresuid, setfsuid and their gid twins, setgroups; fs/exec.c: the ids
//! a set-user-ID or set-group-ID program runs with).
//!
//! A process has a real id (who it is), an effective id (whose rights it
//! uses), a saved id (an effective id it may take back) and a filesystem
//! id (whose rights file access uses; it follows the effective id). A
//! privileged caller (CAP_SETUID for uids, CAP_SETGID for gids) may set
//! any of them; any other may only move them among its own real,
//! effective and saved ids. The caller decides privilege: this crate
//! holds the rules, the kernel holds the capabilities.

#![no_std]

extern crate alloc;

use alloc::vec::Vec;

pub mod nice;
#[cfg(test)]
mod tests;

/// Linux's limit on supplementary groups (NGROUPS_MAX).
pub const NGROUPS_MAX: usize = 65536;

/// The id that means "leave this one as it is" ((uid_t)-1), and that is
/// never a valid id.
pub const KEEP: u32 = u32::MAX;

/// The mode bits of a file that lend its ids to the program run from it.
pub const S_ISUID: u32 = 0o4000;
pub const S_ISGID: u32 = 0o2000;
/// Group execute: a setgid file without it is not a setgid program.
pub const S_IXGRP: u32 = 0o010;

/// What execve's credential rule reads of the program's file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecFile {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// The file's mount has MS_NOSUID: its set-id bits are ignored.
    pub nosuid: bool,
}

/// Why a change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Not allowed without the capability (EPERM).
    Perm,
    /// Not a valid id, or too many groups (EINVAL).
    Inval,
}

/// One set of ids: real, effective, saved and filesystem.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ids {
    pub real: u32,
    pub effective: u32,
    pub saved: u32,
    pub fs: u32,
}

impl Ids {
    /// All four ids the same.
    pub const fn all(id: u32) -> Ids {
        Ids {
            real: id,
            effective: id,
            saved: id,
            fs: id,
        }
    }

    /// One of the ids an unprivileged process may move to: its real,
    /// effective or saved id.
    fn owns(&self, id: u32) -> bool {
        id == self.real || id == self.effective || id == self.saved
    }

    /// setuid(2): privileged, all four ids; otherwise only the effective
    /// (and fs) id, to the real or saved one.
    pub fn set(&mut self, id: u32, privileged: bool) -> Result<(), Error> {
        if id == KEEP {
            return Err(Error::Inval);
        }
        if privileged {
            *self = Ids::all(id);
        } else if id == self.real || id == self.saved {
            self.effective = id;
            self.fs = id;
        } else {
            return Err(Error::Perm);
        }
        Ok(())
    }

    /// setreuid(2): the real id may become the real or effective one, the
    /// effective id any of the three; the saved id then follows the new
    /// effective id if the real id was set or the effective one moved away
    /// from the real one.
    pub fn set_re(&mut self, real: u32, effective: u32, privileged: bool) -> Result<(), Error> {
        let mut new = *self;
        if real != KEEP {
            if !privileged && real != self.real && real != self.effective {
                return Err(Error::Perm);
            }
            new.real = real;
        }
        if effective != KEEP {
            if !privileged && !self.owns(effective) {
                return Err(Error::Perm);
            }
            new.effective = effective;
        }
        if real != KEEP || (effective != KEEP && effective != self.real) {
            new.saved = new.effective;
        }
        new.fs = new.effective;
        *self = new;
        Ok(())
    }

    /// setresuid(2): each given id must be one of the three current ones
    /// unless privileged; the fs id follows the effective one.
    pub fn set_res(
        &mut self,
        real: u32,
        effective: u32,
        saved: u32,
        privileged: bool,
    ) -> Result<(), Error> {
        let given = [real, effective, saved];
        if !privileged && given.iter().any(|&id| id != KEEP && !self.owns(id)) {
            return Err(Error::Perm);
        }
        let keep_or = |id: u32, old: u32| if id == KEEP { old } else { id };
        self.real = keep_or(real, self.real);
        self.effective = keep_or(effective, self.effective);
        self.saved = keep_or(saved, self.saved);
        self.fs = self.effective;
        Ok(())
    }

    /// setfsuid(2): the old fs id, always; the new one is taken if it is
    /// valid and, unprivileged, one of the four current ids. Errors are
    /// silent, as in Linux.
    pub fn set_fs(&mut self, id: u32, privileged: bool) -> u32 {
        let old = self.fs;
        if id != KEEP && (privileged || self.owns(id) || id == self.fs) {
            self.fs = id;
        }
        old
    }
}

/// The credentials of a task.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cred {
    pub uid: Ids,
    pub gid: Ids,
    /// Supplementary groups, sorted (Linux keeps them sorted for lookups).
    pub groups: Vec<u32>,
}

impl Cred {
    /// The superuser's, as init has them.
    pub fn root() -> Cred {
        Cred::default()
    }

    /// May a process with these credentials signal one with `target`'s without
    /// CAP_KILL (Linux: kill_ok_by_cred)? Its real or effective uid must be the
    /// target's real or saved uid. The target's effective uid does not count: a
    /// setuid program that an ordinary user started stays killable by that user
    /// (its real uid), and one that dropped its effective uid keeps its owner's
    /// protection while it can take it back (its saved uid).
    pub fn may_signal(&self, target: &Cred) -> bool {
        let mine = [self.uid.real, self.uid.effective];
        let theirs = [target.uid.real, target.uid.saved];
        mine.iter().any(|id| theirs.contains(id))
    }

    /// May a process with these credentials change the nice value of one with
    /// `target`'s without CAP_SYS_NICE (Linux: set_one_prio_perm)? Its
    /// effective uid must be the target's real or effective uid.
    pub fn may_renice(&self, target: &Cred) -> bool {
        [target.uid.real, target.uid.effective].contains(&self.uid.effective)
    }

    /// The credentials a program runs with after execve (Linux: bprm_fill_uid and
    /// the end of cap_bprm_creds_from_file): a set-user-ID file (`S_ISUID` in
    /// `file.mode`) lends its owner as the effective uid, a set-group-ID file with
    /// group execute (`S_ISGID | S_IXGRP`; setgid without it marks mandatory
    /// locking) its group as the effective gid, unless the file's mount is nosuid.
    /// Then, for every exec, the saved and filesystem ids follow the effective ones:
    /// that is how a setuid program can drop its rights and take them back.
    pub fn on_exec(&mut self, file: &ExecFile) {
        if !file.nosuid {
            if file.mode & S_ISUID != 0 {
                self.uid.effective = file.uid;
            }
            if file.mode & (S_ISGID | S_IXGRP) == S_ISGID | S_IXGRP {
                self.gid.effective = file.gid;
            }
        }
        self.uid.saved = self.uid.effective;
        self.uid.fs = self.uid.effective;
        self.gid.saved = self.gid.effective;
        self.gid.fs = self.gid.effective;
    }

    /// Whether a program started with these credentials runs on borrowed
    /// rights (AT_SECURE, Linux's bprm->secureexec): then its libc ignores
    /// environment variables such as LD_PRELOAD.
    pub fn secure_exec(&self) -> bool {
        self.uid.real != self.uid.effective || self.gid.real != self.gid.effective
    }

    /// setgroups(2): needs CAP_SETGID; at most NGROUPS_MAX groups, none
    /// of them the invalid id.
    pub fn set_groups(&mut self, groups: &[u32], privileged: bool) -> Result<(), Error> {
        if groups.len() > NGROUPS_MAX || groups.contains(&KEEP) {
            return Err(Error::Inval);
        }
        if !privileged {
            return Err(Error::Perm);
        }
        let mut sorted = groups.to_vec();
        sorted.sort_unstable();
        self.groups = sorted;
        Ok(())
    }
}
