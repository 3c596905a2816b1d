//! Tests of path resolution: dots, slashes, symlinks, limits, permissions, mounts.

use alloc::string::String;

use linux_raw_sys::general as g;

use super::*;
use crate::create::{mkdirat, symlinkat};
use crate::cred::Cred;
use crate::testing::World;

fn ino(w: &World, path: &str) -> u64 {
    w.resolve(path, true).unwrap().inode().ino()
}

#[test]
fn dots_and_repeated_slashes_resolve_like_linux() {
    let w = World::new();
    w.mkdir("/a").unwrap();
    w.mkdir("/a/b").unwrap();
    let b = ino(&w, "/a/b");
    assert_eq!(ino(&w, "//a///b//"), b);
    assert_eq!(ino(&w, "/a/./b/."), b);
    assert_eq!(ino(&w, "/a/b/../b"), b);
    assert_eq!(ino(&w, "/.."), ino(&w, "/"));
    assert_eq!(ino(&w, "/a/b/../../.."), ino(&w, "/"));
    assert_eq!(ino(&w, "a/b"), b);
}

#[test]
fn missing_names_and_files_in_the_middle_fail() {
    let w = World::new();
    w.write_file("/f", b"x");
    assert_eq!(w.resolve("/nope", true).err(), Some(Errno::ENOENT));
    assert_eq!(w.resolve("/nope/x", true).err(), Some(Errno::ENOENT));
    assert_eq!(w.resolve("/f/x", true).err(), Some(Errno::ENOTDIR));
    assert_eq!(w.resolve("/f/", true).err(), Some(Errno::ENOTDIR));
    assert_eq!(w.resolve("/f/.", true).err(), Some(Errno::ENOTDIR));
    assert_eq!(w.resolve("", true).err(), Some(Errno::ENOENT));
}

#[test]
fn long_names_and_paths_are_enametoolong() {
    let w = World::new();
    let long = String::from("/") + &"x".repeat(256);
    assert_eq!(w.resolve(&long, true).err(), Some(Errno::ENAMETOOLONG));
    let ok = String::from("/") + &"x".repeat(255);
    assert_eq!(w.resolve(&ok, true).err(), Some(Errno::ENOENT));
    let path = "/a".repeat(2048);
    assert_eq!(w.resolve(&path, true).err(), Some(Errno::ENAMETOOLONG));
    let just = "/".repeat(4095);
    assert!(w.resolve(&just, true).is_ok());
}

#[test]
fn symlinks_are_followed_relative_to_their_directory_or_the_root() {
    let w = World::new();
    w.mkdir("/a").unwrap();
    w.mkdir("/a/b").unwrap();
    w.write_file("/a/b/f", b"data");
    symlinkat(w.lk(), b"b/f", b"/a/rel").unwrap();
    symlinkat(w.lk(), b"/a/b", b"/abs").unwrap();
    symlinkat(w.lk(), b"../b/", b"/a/b/up").unwrap();
    assert_eq!(w.read_file("/a/rel").unwrap(), b"data");
    assert_eq!(w.read_file("/abs/f").unwrap(), b"data");
    assert_eq!(w.read_file("/a/b/up/f").unwrap(), b"data");
    assert_eq!(ino(&w, "/abs/"), ino(&w, "/a/b"));
    let link = w.resolve("/abs", false).unwrap();
    assert_eq!(link.inode().file_type(), FileType::Symlink);
    // A trailing slash follows the link even without follow.
    assert_eq!(
        w.resolve("/abs/", false).unwrap().inode().ino(),
        ino(&w, "/a/b")
    );
    symlinkat(w.lk(), b"/a/b/f", b"/lf").unwrap();
    assert_eq!(w.resolve("/lf/", false).err(), Some(Errno::ENOTDIR));
    symlinkat(w.lk(), b"/nowhere", b"/dangling").unwrap();
    assert_eq!(w.resolve("/dangling", true).err(), Some(Errno::ENOENT));
    assert!(w.resolve("/dangling", false).is_ok());
}

#[test]
fn forty_links_resolve_and_forty_one_are_eloop() {
    let w = World::new();
    w.write_file("/l0", b"end");
    for i in 1..=41 {
        let target = format!("/l{}", i - 1);
        symlinkat(w.lk(), target.as_bytes(), format!("/l{i}").as_bytes()).unwrap();
    }
    assert_eq!(w.read_file("/l40").unwrap(), b"end");
    assert_eq!(w.resolve("/l41", true).err(), Some(Errno::ELOOP));
    symlinkat(w.lk(), b"/self", b"/self").unwrap();
    assert_eq!(w.resolve("/self", true).err(), Some(Errno::ELOOP));
    assert_eq!(w.resolve("/self/x", false).err(), Some(Errno::ELOOP));
}

#[test]
fn directories_without_search_permission_are_eacces() {
    let w = World::new();
    mkdirat(w.lk(), b"/locked", 0o700, 0).unwrap();
    w.write_file("/locked/f", b"x");
    let alice = w.as_user(Cred::user(1000, 1000, &[]));
    assert_eq!(alice.resolve("/locked/f", true).err(), Some(Errno::EACCES));
    assert_eq!(
        alice.resolve("/locked/nope", true).err(),
        Some(Errno::EACCES)
    );
    assert!(alice.resolve("/locked", true).is_ok());
    mkdirat(w.lk(), b"/open", 0o711, 0).unwrap();
    w.write_file("/open/f", b"x");
    assert!(alice.resolve("/open/f", true).is_ok());
}

#[test]
fn dotdot_stops_at_the_process_root() {
    let w = World::new();
    w.mkdir("/jail").unwrap();
    w.mkdir("/jail/in").unwrap();
    w.write_file("/secret", b"s");
    w.write_file("/jail/secret", b"j");
    let jail = w.resolve("/jail", true).unwrap();
    let lk = Lookup::new(&jail, &jail, &w.cred);
    let p = resolve(lk, b"/in/../../../secret", true).unwrap();
    assert_eq!(p.inode().ino(), ino(&w, "/jail/secret"));
    symlinkat(w.lk(), b"/secret", b"/jail/link").unwrap();
    let p = resolve(lk, b"link", true).unwrap();
    assert_eq!(p.inode().ino(), ino(&w, "/jail/secret"));
}

#[test]
fn lookup_last_reports_the_parent_of_a_missing_name() {
    let w = World::new();
    w.mkdir("/d").unwrap();
    let mut nd = Nameidata::new(w.lk(), b"/d/new").unwrap();
    nd.walk_to_last().unwrap();
    assert_eq!(nd.last, Last::Norm(b"new".to_vec()));
    assert!(nd.lookup_last(true).unwrap().is_none());
    assert_eq!(nd.cur.inode().ino(), ino(&w, "/d"));
    let mut nd = Nameidata::new(w.lk(), b"/").unwrap();
    nd.walk_to_last().unwrap();
    assert_eq!(nd.last, Last::Root);
    let _ = g::S_IFDIR;
}
