//! A property test of the namespace operations on a ramfs against a model tree: random
//! mkdir, create, unlink, rmdir, rename, link and symlink, then link counts, directory
//! listings, path walks and the dentry cache are checked against the model.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;

use linux_raw_sys::general as g;
use proptest::prelude::*;

use crate::dentry::Dentry;
use crate::inode::{FileType, Inode};
use crate::testing::World;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    Dir,
    File(u32),
    Sym(u32),
}

type P = Vec<u8>;

#[derive(Clone, Debug)]
enum Op {
    Mkdir(P),
    Create(P),
    Unlink(P),
    Rmdir(P),
    Rename(P, P),
    Link(P, P),
    Symlink(P),
}

/// Paths of up to three components over the names a, b, c.
fn path() -> impl Strategy<Value = P> {
    proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'c')], 1..=3)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        path().prop_map(Op::Mkdir),
        path().prop_map(Op::Create),
        path().prop_map(Op::Unlink),
        path().prop_map(Op::Rmdir),
        (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)),
        (path(), path()).prop_map(|(a, b)| Op::Link(a, b)),
        path().prop_map(Op::Symlink),
    ]
}

/// "/a/b" for the components [a, b].
fn text(p: &[u8]) -> Vec<u8> {
    p.iter().flat_map(|&c| [b'/', c]).collect()
}

struct Model {
    nodes: BTreeMap<P, Node>,
    next_id: u32,
}

impl Model {
    fn parent_ok(&self, p: &[u8]) -> bool {
        let parent = &p[..p.len() - 1];
        parent.is_empty() || self.nodes.get(parent) == Some(&Node::Dir)
    }

    fn children(&self, p: &[u8]) -> impl Iterator<Item = (&P, &Node)> {
        let p = p.to_vec();
        self.nodes
            .iter()
            .filter(move |(k, _)| k.len() == p.len() + 1 && k.starts_with(&p))
    }

    fn add(&mut self, p: &[u8], make: impl FnOnce(u32) -> Node) -> bool {
        if !self.parent_ok(p) || self.nodes.contains_key(p) {
            return false;
        }
        self.next_id += 1;
        self.nodes.insert(p.to_vec(), make(self.next_id));
        true
    }

    /// Applies the operation; whether it should succeed.
    fn apply(&mut self, op: &Op) -> bool {
        match op {
            Op::Mkdir(p) => self.add(p, |_| Node::Dir),
            Op::Create(p) => self.add(p, Node::File),
            Op::Symlink(p) => self.add(p, Node::Sym),
            Op::Unlink(p) => match self.nodes.get(p) {
                Some(Node::Dir) | None => false,
                Some(_) => self.nodes.remove(p).is_some(),
            },
            Op::Rmdir(p) => {
                let ok = self.nodes.get(p) == Some(&Node::Dir) && self.children(p).next().is_none();
                ok && self.nodes.remove(p).is_some()
            }
            Op::Link(p, q) => match self.nodes.get(p).copied() {
                Some(n @ (Node::File(_) | Node::Sym(_))) => self.add(q, |_| n),
                _ => false,
            },
            Op::Rename(p, q) => self.rename(p, q),
        }
    }

    fn rename(&mut self, p: &[u8], q: &[u8]) -> bool {
        let Some(&src) = self.nodes.get(p) else {
            return false;
        };
        if !self.parent_ok(q) || (q.starts_with(p) && q != p) || (p.starts_with(q) && p != q) {
            return false;
        }
        if let Some(&dst) = self.nodes.get(q) {
            if dst == src && src != Node::Dir || p == q {
                return true;
            }
            let src_dir = src == Node::Dir;
            if src_dir != (dst == Node::Dir)
                || (dst == Node::Dir && self.children(q).next().is_some())
            {
                return false;
            }
        }
        self.nodes.remove(q);
        let moved: Vec<(P, Node)> = self
            .nodes
            .iter()
            .filter(|(k, _)| k.starts_with(p))
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        for (k, v) in moved {
            self.nodes.remove(&k);
            let mut nk = q.to_vec();
            nk.extend_from_slice(&k[p.len()..]);
            self.nodes.insert(nk, v);
        }
        true
    }
}

fn run(w: &World, op: &Op) -> bool {
    let lk = w.lk();
    match op {
        Op::Mkdir(p) => crate::create::mkdirat(lk, &text(p), 0o755, 0).is_ok(),
        Op::Create(p) => {
            let flags = g::O_CREAT | g::O_EXCL | g::O_WRONLY;
            crate::open::open(lk, &text(p), flags, 0o644, 0, None).is_ok()
        }
        Op::Symlink(p) => crate::create::symlinkat(lk, b"nowhere", &text(p)).is_ok(),
        Op::Unlink(p) => crate::remove::unlink(lk, &text(p)).is_ok(),
        Op::Rmdir(p) => crate::remove::rmdir(lk, &text(p)).is_ok(),
        Op::Link(p, q) => crate::create::linkat(lk, &text(p), lk, &text(q), 0).is_ok(),
        Op::Rename(p, q) => crate::rename::renameat2(lk, &text(p), lk, &text(q), 0).is_ok(),
    }
}

/// Every cached dentry agrees with its filesystem and its parent.
fn check_dcache(d: &Arc<Dentry>) -> Result<(), TestCaseError> {
    let inode = d.inode().expect("directories in the cache are positive");
    for child in d.cached_children() {
        prop_assert!(
            Arc::ptr_eq(&child.parent(), d),
            "child's parent is its holder"
        );
        prop_assert!(!child.is_unlinked(), "no unhashed dentry stays cached");
        let fs_view = inode.ops().lookup(&inode, &child.name()).unwrap();
        match (child.inode(), fs_view) {
            (Some(a), Some(b)) => prop_assert!(Arc::ptr_eq(&a, &b), "cache and fs agree"),
            (None, None) => {}
            (a, b) => prop_assert!(false, "cache {:?} fs {:?}", a, b),
        }
        if child.inode().is_some_and(|i| i.is_dir()) {
            check_dcache(&child)?;
        }
    }
    Ok(())
}

fn check(w: &World, m: &Model) -> Result<(), TestCaseError> {
    let mut by_id: BTreeMap<u32, (Arc<Inode>, u32)> = BTreeMap::new();
    for (p, node) in &m.nodes {
        let inode = w
            .resolve(core::str::from_utf8(&text(p)).unwrap(), false)
            .unwrap()
            .inode();
        match node {
            Node::Dir => {
                prop_assert_eq!(inode.file_type(), FileType::Directory);
                let subdirs = m.children(p).filter(|(_, n)| **n == Node::Dir).count();
                prop_assert_eq!(inode.attr().nlink as usize, 2 + subdirs);
            }
            Node::File(id) | Node::Sym(id) => {
                let e = by_id.entry(*id).or_insert((inode.clone(), 0));
                prop_assert!(Arc::ptr_eq(&e.0, &inode), "hard links share the inode");
                e.1 += 1;
            }
        }
    }
    for (inode, names) in by_id.values() {
        prop_assert_eq!(inode.attr().nlink, *names);
    }

    // Listings agree with the model, directory by directory.
    let mut dirs: Vec<P> = m
        .nodes
        .iter()
        .filter(|(_, n)| **n == Node::Dir)
        .map(|(k, _)| k.clone())
        .collect();
    dirs.push(Vec::new());
    for dir in dirs {
        let path = if dir.is_empty() {
            b"/".to_vec()
        } else {
            text(&dir)
        };
        let inode = w
            .resolve(core::str::from_utf8(&path).unwrap(), false)
            .unwrap()
            .inode();
        let mut listed = Vec::new();
        inode
            .ops()
            .iterate(&inode, 0, &mut |e| {
                listed.push(e.name.to_vec());
                true
            })
            .unwrap();
        listed.sort();
        let want: Vec<P> = m
            .children(&dir)
            .map(|(k, _)| k[k.len() - 1..].to_vec())
            .collect();
        prop_assert_eq!(listed, want);
        let subdirs = m.children(&dir).filter(|(_, n)| **n == Node::Dir).count();
        prop_assert_eq!(inode.attr().nlink as usize, 2 + subdirs);
    }
    check_dcache(&w.root.dentry)
}

proptest! {
    #[test]
    fn namespace_operations_match_a_model_tree(ops in proptest::collection::vec(op(), 1..80)) {
        let w = World::new();
        let mut m = Model { nodes: BTreeMap::new(), next_id: 0 };
        for op in &ops {
            let want = m.apply(op);
            let got = run(&w, op);
            prop_assert_eq!(got, want, "{:?}", op);
            check(&w, &m)?;
        }
    }
}
