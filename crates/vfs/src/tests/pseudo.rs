//! Tests of pseudo filesystems: rendered files, links, listings that change between
//! walks without stale cache entries, and offsets into rendered text.

use super::*;
use crate::testing::World;
use alloc::string::String;
use core::sync::atomic::{AtomicU32, Ordering};

/// A directory holding `n0` .. `n{count-1}`, where count changes at will.
struct Counted(Arc<AtomicU32>);

impl PseudoDir for Counted {
    fn entries(&self) -> Vec<Entry> {
        (0..self.0.load(Ordering::Relaxed))
            .map(|i| {
                let name = alloc::format!("n{i}");
                Entry::file(name.as_bytes(), 100 + u64::from(i), move || {
                    Ok(alloc::format!("entry {i}\n").into_bytes())
                })
            })
            .collect()
    }
}

fn world_with(count: Arc<AtomicU32>) -> World {
    let w = World::new();
    w.mkdir("/proc").unwrap();
    let name: Arc<spin::Mutex<Vec<u8>>> = Arc::new(spin::Mutex::new(b"init\n".to_vec()));
    let (shown, kept) = (name.clone(), name);
    let show: Render = Arc::new(move || Ok(shown.lock().clone()));
    let store: Store = Arc::new(move |b: &[u8]| {
        *kept.lock() = b.to_vec();
        Ok(b.len())
    });
    let root = StaticDir(alloc::vec![
        Entry::new(b"comm", 5, 0o644, Node::WritableFile(show, store)),
        Entry::file(b"version", 2, || Ok(b"hello world\n".to_vec())),
        Entry::new(
            b"self",
            3,
            0o777,
            Node::Link(Arc::new(|| Ok(b"version".to_vec())))
        ),
        Entry::new(b"list", 4, 0o555, Node::Dir(Arc::new(Counted(count)))),
        Entry {
            open: Some(Arc::new(|_| Err(Errno::EACCES))),
            ..Entry::file(b"maps", 6, || Ok(b"secret\n".to_vec()))
        },
    ]);
    let fs = PseudoFs::new("proc", PROC_SUPER_MAGIC, 1, 0o555, Arc::new(root));
    let at = w.resolve("/proc", true).unwrap();
    w.ns.mount(&at, fs, b"proc").unwrap();
    w
}

fn read_all(w: &World, path: &str) -> Result<String> {
    let f = w.open(path, 0, 0)?;
    let mut out = Vec::new();
    let mut buf = [0u8; 4];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn files_render_in_pieces_and_links_resolve() {
    let w = world_with(Arc::new(AtomicU32::new(0)));
    assert_eq!(read_all(&w, "/proc/version").unwrap(), "hello world\n");
    assert_eq!(read_all(&w, "/proc/self").unwrap(), "hello world\n");
    let st = w.resolve("/proc/version", true).unwrap().inode().attr();
    assert_eq!(st.mode, g::S_IFREG | 0o444);
    assert_eq!(st.size, 0);
    let link = crate::create::readlinkat(w.lk(), b"/proc/self").unwrap();
    assert_eq!(link, b"version");
    let write = w.open("/proc/version", g::O_WRONLY, 0).unwrap().write(b"x");
    assert_eq!(write.err(), Some(Errno::EINVAL));
}

#[test]
fn an_open_check_refuses_after_the_permission_bits() {
    let w = world_with(Arc::new(AtomicU32::new(0)));
    assert_eq!(w.open("/proc/maps", 0, 0).err(), Some(Errno::EACCES));
    assert!(w.resolve("/proc/maps", true).is_ok());
}

#[test]
fn a_writable_file_takes_what_is_written() {
    let w = world_with(Arc::new(AtomicU32::new(0)));
    assert_eq!(read_all(&w, "/proc/comm").unwrap(), "init\n");
    let f = w.open("/proc/comm", g::O_WRONLY | g::O_TRUNC, 0).unwrap();
    assert_eq!(f.write(b"sh\n").unwrap(), 3);
    assert_eq!(read_all(&w, "/proc/comm").unwrap(), "sh\n");
}

#[test]
fn lookups_follow_the_directory_as_it_changes() {
    let count = Arc::new(AtomicU32::new(1));
    let w = world_with(count.clone());
    assert_eq!(w.resolve("/proc/list/n2", true).err(), Some(Errno::ENOENT));
    count.store(3, Ordering::Relaxed);
    assert_eq!(read_all(&w, "/proc/list/n2").unwrap(), "entry 2\n");
    count.store(0, Ordering::Relaxed);
    assert_eq!(w.resolve("/proc/list/n2", true).err(), Some(Errno::ENOENT));
}

#[test]
fn getdents_lists_dot_dotdot_then_the_entries() {
    let w = world_with(Arc::new(AtomicU32::new(3)));
    let dir = w
        .open("/proc/list", g::O_RDONLY | g::O_DIRECTORY, 0)
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = crate::readdir::getdents64(&dir, &mut buf).unwrap();
    let mut names = Vec::new();
    let mut at = 0;
    while at < n {
        let reclen = u16::from_ne_bytes([buf[at + 16], buf[at + 17]]) as usize;
        let name = &buf[at + 19..at + reclen];
        let end = name.iter().position(|&b| b == 0).unwrap();
        names.push(String::from_utf8(name[..end].to_vec()).unwrap());
        at += reclen;
    }
    assert_eq!(names, [".", "..", "n0", "n1", "n2"]);
    assert_eq!(crate::readdir::getdents64(&dir, &mut buf).unwrap(), 0);
}

#[test]
fn a_directory_links_two_and_one_per_subdirectory() {
    let w = world_with(Arc::new(AtomicU32::new(3)));
    let nlink = |path: &str| w.resolve(path, true).unwrap().inode().attr().nlink;
    // The root holds one directory, list; list holds files only.
    assert_eq!(nlink("/proc"), 3);
    assert_eq!(nlink("/proc/list"), 2);
    assert_eq!(nlink("/proc/version"), 1);
}

/// A pseudo directory whose `fd` is a magic link to a file that has been
/// removed from the tree, and whose `cwd` is one to a directory.
fn world_with_magic_links() -> (World, Arc<crate::file::File>) {
    let w = World::new();
    w.mkdir("/proc").unwrap();
    w.mkdir("/work").unwrap();
    w.write_file("/work/kept", b"kept");
    let file = w.write_file("/gone", b"data of a removed file");
    crate::remove::unlink(w.lk(), b"/gone").unwrap();
    let (shown, target) = (file.clone(), file.clone());
    let show: Render = Arc::new(move || Ok(crate::d_path(shown.path(), shown.path())));
    let jump: Jump = Arc::new(move || Ok(target.path().clone()));
    let cwd = w.resolve("/work", true).unwrap();
    let root = StaticDir(alloc::vec![
        Entry::new(b"fd", 7, 0o700, Node::MagicLink(show, jump)),
        Entry::new(
            b"cwd",
            8,
            0o777,
            Node::MagicLink(
                Arc::new(|| Ok(b"/elsewhere".to_vec())),
                Arc::new(move || Ok(cwd.clone()))
            ),
        ),
    ]);
    let fs = PseudoFs::new("proc", PROC_SUPER_MAGIC, 1, 0o555, Arc::new(root));
    let at = w.resolve("/proc", true).unwrap();
    w.ns.mount(&at, fs, b"proc").unwrap();
    (w, file)
}

#[test]
fn a_magic_link_opens_the_file_itself_not_its_text() {
    let (w, file) = world_with_magic_links();
    // The removed file, which no path names any more, opens through the link.
    let again = w.open("/proc/fd", g::O_RDONLY, 0).unwrap();
    assert!(Arc::ptr_eq(again.inode(), file.inode()));
    assert_eq!(read_all(&w, "/proc/fd").unwrap(), "data of a removed file");
    // O_CREAT opens it too (a shell's `> /dev/stdout`), O_EXCL finds it there.
    let created = w.open("/proc/fd", g::O_WRONLY | g::O_CREAT | g::O_TRUNC, 0o644);
    assert!(Arc::ptr_eq(created.unwrap().inode(), file.inode()));
    assert_eq!(file.inode().attr().size, 0);
    let excl = w.open("/proc/fd", g::O_WRONLY | g::O_CREAT | g::O_EXCL, 0o644);
    assert_eq!(excl.err(), Some(Errno::EEXIST));
    // It is still a symlink to lstat, readlink and O_NOFOLLOW.
    let st = w.resolve("/proc/fd", false).unwrap().inode().attr();
    assert_eq!(st.mode & g::S_IFMT, g::S_IFLNK);
    let text = crate::create::readlinkat(w.lk(), b"/proc/fd").unwrap();
    assert_eq!(text, b"/ (deleted)");
    let nofollow = w.open("/proc/fd", g::O_RDONLY | g::O_NOFOLLOW, 0);
    assert_eq!(nofollow.err(), Some(Errno::ELOOP));
    // A file is no directory: a slash after the link, or a name, is ENOTDIR.
    assert_eq!(w.resolve("/proc/fd/", true).err(), Some(Errno::ENOTDIR));
    assert_eq!(w.resolve("/proc/fd/x", true).err(), Some(Errno::ENOTDIR));
}

#[test]
fn a_walk_goes_through_a_magic_link_to_a_directory_whatever_its_text() {
    let (w, _) = world_with_magic_links();
    assert_eq!(read_all(&w, "/proc/cwd/kept").unwrap(), "kept");
    assert_eq!(read_all(&w, "/proc/cwd/../work/kept").unwrap(), "kept");
    let dir = w.resolve("/proc/cwd/", true).unwrap();
    assert!(dir.same(&w.resolve("/work", true).unwrap()));
    let create_dir = w.open("/proc/cwd", g::O_RDONLY | g::O_CREAT, 0o644);
    assert_eq!(create_dir.err(), Some(Errno::EISDIR));
}

#[test]
fn o_creat_of_dot_is_eisdir_and_with_o_excl_eexist() {
    let w = World::new();
    let dot = w.open(".", g::O_RDONLY | g::O_CREAT, 0o644);
    assert_eq!(dot.err(), Some(Errno::EISDIR));
    let excl = w.open("/", g::O_RDONLY | g::O_CREAT | g::O_EXCL, 0o644);
    assert_eq!(excl.err(), Some(Errno::EEXIST));
}
