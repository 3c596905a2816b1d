//! Host tests of a tmpfs's own limits: ENOSPC, statfs, remount and shown options.

use super::*;

fn tmpfs(options: &str) -> Arc<RamFs> {
    RamFs::new_tmpfs_with(&parse_tmpfs_options(options.as_bytes(), 1 << 20).unwrap())
}

#[test]
fn a_write_past_the_size_stops_short_then_fails_with_enospc() {
    let fs = tmpfs("size=8k");
    let root = fs.root();
    let f = root
        .ops()
        .create(&root, b"f", new(g::S_IFREG | 0o644))
        .unwrap();
    let (n, _) = f.ops().write_at(&f, Some(0), &[1; 3 * PAGE_SIZE]).unwrap();
    assert_eq!(n, 2 * PAGE_SIZE);
    let err = f.ops().write_at(&f, None, b"x").err();
    assert_eq!(err, Some(Errno::ENOSPC));
    assert_eq!((fs.statfs().blocks, fs.statfs().blocks_free), (2, 0));

    // Freed pages are room again.
    f.ops().truncate(&f, 0).unwrap();
    assert_eq!(fs.statfs().blocks_avail, 2);
}

#[test]
fn inodes_past_nr_inodes_are_enospc_and_the_root_counts() {
    let fs = tmpfs("nr_inodes=3");
    let root = fs.root();
    assert_eq!((fs.statfs().files, fs.statfs().files_free), (3, 2));
    root.ops()
        .mkdir(&root, b"d", new(g::S_IFDIR | 0o755))
        .unwrap();
    root.ops()
        .create(&root, b"f", new(g::S_IFREG | 0o644))
        .unwrap();
    let err = root
        .ops()
        .symlink(&root, b"l", b"f", new(g::S_IFLNK | 0o777))
        .err();
    assert_eq!(err, Some(Errno::ENOSPC));
    root.ops().unlink(&root, b"f").unwrap();
    assert_eq!(fs.statfs().files_free, 1);
}

#[test]
fn size_zero_is_no_limit_and_statfs_shows_zeros() {
    let fs = tmpfs("size=0,nr_inodes=0,nr_inodes=0");
    let s = fs.statfs();
    assert_eq!(
        (s.blocks, s.blocks_free, s.files, s.files_free),
        (0, 0, 0, 0)
    );
    let err = fs.reconfigure(b"size=1M").err();
    assert_eq!(
        err,
        Some(ParamError::Reconfigure("Cannot retroactively limit size"))
    );
}

#[test]
fn a_remount_changes_the_limits_but_not_below_the_use() {
    let fs = tmpfs("size=4k,nr_inodes=10,mode=700,uid=5");
    let root = fs.root();
    let f = root
        .ops()
        .create(&root, b"f", new(g::S_IFREG | 0o644))
        .unwrap();
    f.ops().write_at(&f, Some(0), &[1; PAGE_SIZE]).unwrap();
    assert!(f.ops().write_at(&f, None, b"x").is_err());

    fs.reconfigure(b"size=8k,mode=755,uid=0").unwrap();
    assert_eq!(f.ops().write_at(&f, None, b"x").unwrap().0, 1);
    assert_eq!(
        fs.show_options(),
        "size=8k,nr_inodes=10,mode=700,uid=5,inode64"
    );
    let err = fs.reconfigure(b"size=4k").err();
    assert_eq!(
        err,
        Some(ParamError::Reconfigure("Too small a size for current use"))
    );
    let err = fs.reconfigure(b"nr_inodes=1").err();
    assert_eq!(
        err,
        Some(ParamError::Reconfigure("Too few inodes for current use"))
    );
    assert_eq!(
        fs.reconfigure(b"bogus").err(),
        Some(ParamError::Unknown("bogus".into()))
    );
    assert_eq!(fs.statfs().blocks, 2);
}

#[test]
fn mode_and_owner_set_the_root() {
    let fs = tmpfs("mode=1700,uid=1000,gid=100");
    let attr = fs.root().attr();
    assert_eq!(
        (attr.mode, attr.uid, attr.gid),
        (g::S_IFDIR | 0o1700, 1000, 100)
    );
    assert_eq!(RamFs::new_tmpfs().root().attr().mode, g::S_IFDIR | 0o1777);
}

#[test]
fn only_options_off_their_default_show() {
    assert_eq!(RamFs::new_tmpfs().show_options(), "inode64");
    let shown = tmpfs("inode32,noswap,huge=always").show_options();
    assert_eq!(shown, "inode32,huge=always,noswap");
    assert_eq!(RamFs::new_ramfs().show_options(), "");
    assert!(RamFs::new_devtmpfs()
        .show_options()
        .ends_with(",mode=755,inode64"));
}
