//! Tests of generic_permission, the sticky bit and the superuser's overrides.

use super::*;

fn attr(mode: u32, uid: u32, gid: u32) -> InodeAttr {
    InodeAttr {
        mode,
        uid,
        gid,
        nlink: 1,
        ..InodeAttr::default()
    }
}

const ALICE: u32 = 1000;
const BOB: u32 = 1001;

#[test]
fn owner_bits_apply_to_the_owner_even_if_group_bits_allow_more() {
    let a = attr(g::S_IFREG | 0o070, ALICE, 100);
    let alice = Cred::user(ALICE, 100, &[]);
    assert_eq!(generic_permission(&a, MAY_READ, &alice), Err(Errno::EACCES));
    let bob = Cred::user(BOB, 100, &[]);
    assert_eq!(generic_permission(&a, MAY_READ | MAY_WRITE, &bob), Ok(()));
}

#[test]
fn group_bits_apply_through_supplementary_groups_then_other_bits() {
    let a = attr(g::S_IFREG | 0o604, ALICE, 50);
    let member = Cred::user(BOB, 100, &[50]);
    assert_eq!(
        generic_permission(&a, MAY_READ, &member),
        Err(Errno::EACCES)
    );
    let stranger = Cred::user(BOB, 100, &[]);
    assert_eq!(generic_permission(&a, MAY_READ, &stranger), Ok(()));
    assert_eq!(
        generic_permission(&a, MAY_WRITE, &stranger),
        Err(Errno::EACCES)
    );
}

#[test]
fn root_reads_and_writes_anything_but_executes_only_with_an_x_bit() {
    let root = Cred::root();
    let none = attr(g::S_IFREG, ALICE, 100);
    assert_eq!(
        generic_permission(&none, MAY_READ | MAY_WRITE, &root),
        Ok(())
    );
    assert_eq!(
        generic_permission(&none, MAY_EXEC, &root),
        Err(Errno::EACCES)
    );
    let other_x = attr(g::S_IFREG | 0o001, ALICE, 100);
    assert_eq!(generic_permission(&other_x, MAY_EXEC, &root), Ok(()));
    let dir = attr(g::S_IFDIR, ALICE, 100);
    assert_eq!(
        generic_permission(&dir, MAY_EXEC | MAY_WRITE, &root),
        Ok(())
    );
}

#[test]
fn sticky_directories_protect_other_users_names() {
    let tmp = attr(g::S_IFDIR | 0o1777, 0, 0);
    let alices = attr(g::S_IFREG | 0o644, ALICE, 100);
    assert!(check_sticky(&tmp, &alices, &Cred::user(BOB, 100, &[])));
    assert!(!check_sticky(&tmp, &alices, &Cred::user(ALICE, 100, &[])));
    assert!(!check_sticky(&tmp, &alices, &Cred::root()));
    let bobs_dir = attr(g::S_IFDIR | 0o1777, BOB, 100);
    assert!(!check_sticky(
        &bobs_dir,
        &alices,
        &Cred::user(BOB, 100, &[])
    ));
    let plain = attr(g::S_IFDIR | 0o777, 0, 0);
    assert!(!check_sticky(&plain, &alices, &Cred::user(BOB, 100, &[])));
}

#[test]
fn open_masks_follow_the_access_mode_and_o_trunc() {
    assert_eq!(open_mask(g::O_RDONLY), MAY_READ);
    assert_eq!(open_mask(g::O_WRONLY), MAY_WRITE);
    assert_eq!(open_mask(g::O_RDWR), MAY_READ | MAY_WRITE);
    assert_eq!(open_mask(g::O_RDONLY | g::O_TRUNC), MAY_READ | MAY_WRITE);
    assert!(executable_type(FileType::Regular) && !executable_type(FileType::Directory));
}
