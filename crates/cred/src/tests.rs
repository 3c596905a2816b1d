//! The rules of kernel/sys.c, case by case, and properties over random ids.

use super::*;
use proptest::prelude::*;

fn ids(real: u32, effective: u32, saved: u32) -> Ids {
    Ids {
        real,
        effective,
        saved,
        fs: effective,
    }
}

#[test]
fn root_setuid_sets_all_four() {
    let mut i = Ids::all(0);
    assert_eq!(i.set(1000, true), Ok(()));
    assert_eq!(i, Ids::all(1000));
}

#[test]
fn unprivileged_setuid_moves_only_the_effective_id() {
    // A setuid-root program run by 1000: real 1000, effective and saved 0.
    let mut i = ids(1000, 0, 0);
    assert_eq!(i.set(1000, false), Ok(()));
    assert_eq!(i, ids(1000, 1000, 0));
    // The saved id lets it take root back.
    assert_eq!(i.set(0, false), Ok(()));
    assert_eq!(i, ids(1000, 0, 0));
    assert_eq!(i.set(5, false), Err(Error::Perm));
    assert_eq!(i.set(KEEP, true), Err(Error::Inval));
}

#[test]
fn setreuid_swaps_and_updates_the_saved_id() {
    let mut i = ids(1000, 2000, 3000);
    assert_eq!(i.set_re(2000, 1000, false), Ok(()));
    // The real id was set: saved follows the new effective id.
    assert_eq!(i, ids(2000, 1000, 1000));
    let mut i = ids(1000, 2000, 3000);
    // Only the effective id, back to the real one: saved stays.
    assert_eq!(i.set_re(KEEP, 1000, false), Ok(()));
    assert_eq!(i, ids(1000, 1000, 3000));
    let mut i = ids(1000, 2000, 3000);
    assert_eq!(i.set_re(3000, KEEP, false), Err(Error::Perm));
    assert_eq!(i.set_re(KEEP, 3000, false), Ok(()));
    assert_eq!(i, ids(1000, 3000, 3000));
    let mut i = ids(1000, 1000, 1000);
    assert_eq!(i.set_re(KEEP, KEEP, false), Ok(()));
    assert_eq!(i, ids(1000, 1000, 1000));
}

#[test]
fn setresuid_takes_any_of_the_three_unprivileged() {
    let mut i = ids(1, 2, 3);
    assert_eq!(i.set_res(3, 1, 2, false), Ok(()));
    assert_eq!(i, ids(3, 1, 2));
    assert_eq!(i.set_res(KEEP, 4, KEEP, false), Err(Error::Perm));
    assert_eq!(i, ids(3, 1, 2), "a refused change changes nothing");
    assert_eq!(i.set_res(KEEP, 4, KEEP, true), Ok(()));
    assert_eq!(i, ids(3, 4, 2));
}

#[test]
fn setfsuid_returns_the_old_value_and_fails_silently() {
    let mut i = ids(1, 2, 3);
    assert_eq!(i.set_fs(9, false), 2);
    assert_eq!(i.fs, 2);
    assert_eq!(i.set_fs(3, false), 2);
    assert_eq!(i.fs, 3);
    assert_eq!(i.set_fs(KEEP, true), 3);
    assert_eq!(i.set_fs(9, true), 3);
    assert_eq!(i.fs, 9);
}

#[test]
fn setgroups_needs_privilege_and_sorts() {
    let mut c = Cred::root();
    assert_eq!(c.set_groups(&[30, 10, 20], true), Ok(()));
    assert_eq!(c.groups, [10, 20, 30]);
    assert_eq!(c.set_groups(&[1], false), Err(Error::Perm));
    assert_eq!(c.set_groups(&[KEEP], true), Err(Error::Inval));
    let many = alloc::vec![1u32; NGROUPS_MAX + 1];
    assert_eq!(c.set_groups(&many, true), Err(Error::Inval));
}

fn any_id() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..4, Just(KEEP), any::<u32>()]
}

fn cred(real: u32, effective: u32, saved: u32) -> Cred {
    Cred {
        uid: ids(real, effective, saved),
        ..Cred::default()
    }
}

#[test]
fn a_signal_needs_a_real_or_effective_uid_equal_to_the_real_or_saved_one() {
    let root = cred(0, 0, 0);
    let user = cred(1000, 1000, 1000);
    assert!(!user.may_signal(&root));
    assert!(user.may_signal(&cred(1000, 1000, 1000)));
    // The target's real uid or saved uid; its effective uid never.
    assert!(user.may_signal(&cred(1000, 0, 0)));
    assert!(user.may_signal(&cred(0, 0, 1000)));
    assert!(!user.may_signal(&cred(0, 1000, 0)));
    // The sender's real uid counts as its effective one does.
    assert!(cred(1000, 2000, 2000).may_signal(&cred(1000, 3000, 3000)));
    assert!(cred(2000, 1000, 2000).may_signal(&cred(3000, 3000, 1000)));
    // Its saved uid does not.
    assert!(!cred(2000, 2000, 1000).may_signal(&cred(1000, 1000, 1000)));
}

#[test]
fn a_renice_needs_an_effective_uid_equal_to_the_real_or_effective_one() {
    let user = cred(1000, 1000, 1000);
    assert!(!user.may_renice(&cred(0, 0, 0)));
    assert!(user.may_renice(&cred(1000, 0, 0)));
    assert!(user.may_renice(&cred(0, 1000, 0)));
    // The target's saved uid does not count, nor the caller's real uid.
    assert!(!user.may_renice(&cred(0, 0, 1000)));
    assert!(!cred(1000, 2000, 2000).may_renice(&cred(1000, 1000, 1000)));
}

#[test]
fn nice_values_are_clamped_and_lowered_only_within_rlimit_nice() {
    use crate::nice::{clamp, may_set, to_rlimit};
    assert_eq!([clamp(100), clamp(-100), clamp(5)], [19, -20, 5]);
    assert_eq!([to_rlimit(-20), to_rlimit(0), to_rlimit(19)], [40, 20, 1]);
    // Raising is always allowed, even with a limit of 0.
    assert!(may_set(0, 10, 0) && may_set(7, 7, 0));
    assert!(!may_set(10, 9, 0));
    // A limit of 20 allows down to 0, not -1; 40 allows everything.
    assert!(may_set(7, 0, 20) && !may_set(7, -1, 20));
    assert!(may_set(19, -20, 40));
}

fn user(id: u32) -> Cred {
    Cred {
        uid: Ids::all(id),
        gid: Ids::all(id),
        ..Cred::default()
    }
}

fn file(mode: u32, uid: u32, gid: u32) -> ExecFile {
    ExecFile {
        mode,
        uid,
        gid,
        nosuid: false,
    }
}

#[test]
fn a_setuid_file_lends_its_owner_as_effective_and_saved_uid() {
    let mut c = user(1000);
    c.on_exec(&file(0o4755, 0, 50));
    assert_eq!(
        c.uid,
        Ids {
            real: 1000,
            effective: 0,
            saved: 0,
            fs: 0
        }
    );
    assert_eq!(c.gid, Ids::all(1000), "no setgid bit");
    assert!(c.secure_exec());
    // The program drops to its real uid and may take the saved one back.
    c.uid.set(1000, false).unwrap();
    c.uid.set(0, false).unwrap();
    assert_eq!(c.uid.effective, 0);
}

#[test]
fn setgid_needs_group_execute_and_nosuid_lends_nothing() {
    let mut c = user(1000);
    c.on_exec(&file(0o2745, 0, 50));
    assert_eq!(
        c.gid,
        Ids::all(1000),
        "setgid without g+x: mandatory locking"
    );
    c.on_exec(&file(0o2755, 0, 50));
    assert_eq!(
        c.gid,
        Ids {
            real: 1000,
            effective: 50,
            saved: 50,
            fs: 50
        }
    );
    let mut d = user(1000);
    d.on_exec(&ExecFile {
        nosuid: true,
        ..file(0o6755, 0, 50)
    });
    assert_eq!((d.uid, d.gid), (Ids::all(1000), Ids::all(1000)));
    assert!(!d.secure_exec());
}

#[test]
fn every_exec_copies_the_effective_ids_to_saved_and_fs() {
    let mut c = user(1000);
    c.uid.effective = 0;
    c.uid.fs = 7;
    c.on_exec(&file(0o755, 0, 0));
    assert_eq!(
        c.uid,
        Ids {
            real: 1000,
            effective: 0,
            saved: 0,
            fs: 0
        }
    );
    assert!(c.secure_exec(), "a real uid unlike the effective one");
}

proptest! {
    /// Whatever an unprivileged process asks, it ends with ids it already
    /// had: it can never gain an id (the point of the whole scheme).
    #[test]
    fn unprivileged_changes_never_gain_an_id(
        start in (0u32..4, 0u32..4, 0u32..4),
        calls in proptest::collection::vec((0u8..4, any_id(), any_id(), any_id()), 1..20),
    ) {
        let mut i = ids(start.0, start.1, start.2);
        let had = [start.0, start.1, start.2];
        for (call, a, b, c) in calls {
            let _ = match call {
                0 => i.set(a, false),
                1 => i.set_re(a, b, false),
                2 => i.set_res(a, b, c, false),
                _ => {
                    i.set_fs(a, false);
                    Ok(())
                }
            };
            for id in [i.real, i.effective, i.saved, i.fs] {
                prop_assert!(had.contains(&id), "{:?} gained {}", i, id);
            }
        }
    }

    /// After any successful call but setfsuid, the fs id is the effective id.
    #[test]
    fn the_fs_id_follows_the_effective_id(
        start in (0u32..4, 0u32..4, 0u32..4),
        call in 0u8..3, a in any_id(), b in any_id(), c in any_id(), privileged in any::<bool>(),
    ) {
        let mut i = ids(start.0, start.1, start.2);
        let ok = match call {
            0 => i.set(a, privileged),
            1 => i.set_re(a, b, privileged),
            _ => i.set_res(a, b, c, privileged),
        };
        if ok.is_ok() {
            prop_assert_eq!(i.fs, i.effective);
        }
    }
}
