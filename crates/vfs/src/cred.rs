//! The credentials a file operation runs with (the filesystem part of Linux's struct
//! cred): the fsuid and fsgid that permission checks and new inodes use, the real ids
//! that access(2) checks with, and the supplementary groups.

use alloc::vec::Vec;

/// Who performs a file operation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cred {
    /// Real user and group: access(2) and faccessat(2) check with these.
    pub uid: u32,
    pub gid: u32,
    /// Filesystem user and group (follow the effective ids unless setfsuid changed them).
    pub fsuid: u32,
    pub fsgid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

impl Cred {
    /// The superuser.
    pub fn root() -> Cred {
        Cred::default()
    }

    /// An ordinary user with the same real and filesystem ids.
    pub fn user(uid: u32, gid: u32, groups: &[u32]) -> Cred {
        Cred {
            uid,
            gid,
            fsuid: uid,
            fsgid: gid,
            groups: groups.to_vec(),
        }
    }

    /// Whether the filesystem group or a supplementary group is `gid` (in_group_p).
    pub fn in_group(&self, gid: u32) -> bool {
        self.fsgid == gid || self.groups.contains(&gid)
    }

    /// The credentials access(2) checks with: the real ids in place of the fs ids
    /// (Linux's access_override_creds).
    pub fn for_access(&self) -> Cred {
        Cred {
            fsuid: self.uid,
            fsgid: self.gid,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_include_the_fs_group_and_supplementary_ones() {
        let c = Cred::user(1000, 100, &[10, 20]);
        assert!(c.in_group(100) && c.in_group(20));
        assert!(!c.in_group(0));
        let mut setuid = c.clone();
        setuid.fsuid = 0;
        assert_eq!(setuid.for_access().fsuid, 1000);
    }
}
