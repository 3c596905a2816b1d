//! Tests of the descriptor table: unit rules and a proptest against a model.

use alloc::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::testing::World;

fn file(w: &World) -> Arc<File> {
    w.open("/", g::O_RDONLY, 0).unwrap()
}

#[test]
fn descriptors_are_the_lowest_free_ones() {
    let w = World::new();
    let mut t = FdTable::new(4);
    assert_eq!(t.alloc(file(&w), false), Ok(0));
    assert_eq!(t.alloc(file(&w), false), Ok(1));
    assert_eq!(t.alloc(file(&w), false), Ok(2));
    t.close(1).unwrap();
    assert_eq!(t.dup(0), Ok(1));
    assert_eq!(t.alloc(file(&w), false), Ok(3));
    assert_eq!(t.alloc(file(&w), false), Err(Errno::EMFILE));
    assert_eq!(t.close(9).err(), Some(Errno::EBADF));
    assert_eq!(t.get(-1).err(), Some(Errno::EBADF));
}

#[test]
fn dup2_and_dup3_follow_linux() {
    let w = World::new();
    let mut t = FdTable::default();
    t.alloc(file(&w), false).unwrap();
    assert_eq!(t.dup2(0, 0).unwrap().0, 0);
    assert_eq!(t.dup2(5, 5).err(), Some(Errno::EBADF));
    assert_eq!(t.dup3(0, 0, 0).err(), Some(Errno::EINVAL));
    assert_eq!(t.dup3(0, 3, g::O_NONBLOCK).err(), Some(Errno::EINVAL));
    assert_eq!(t.dup3(0, 3, g::O_CLOEXEC).unwrap().0, 3);
    assert_eq!(t.cloexec(3), Ok(true));
    assert!(Arc::ptr_eq(&t.get(0).unwrap(), &t.get(3).unwrap()));
    assert_eq!(t.dup2(0, 2000).err(), Some(Errno::EBADF));
    let (_, replaced) = t.dup2(0, 3).unwrap();
    assert!(replaced.is_some());
    assert_eq!(t.cloexec(3), Ok(false));
}

#[test]
fn fcntl_duplicates_and_flags() {
    let w = World::new();
    let mut t = FdTable::new(64);
    t.alloc(w.write_file("/f", b""), false).unwrap();
    assert_eq!(t.fcntl(0, g::F_DUPFD, 10), Ok(10));
    assert_eq!(t.fcntl(0, g::F_DUPFD_CLOEXEC, 10), Ok(11));
    assert_eq!(t.fcntl(11, g::F_GETFD, 0), Ok(1));
    assert_eq!(t.fcntl(11, g::F_SETFD, 0), Ok(0));
    assert_eq!(t.fcntl(11, g::F_GETFD, 0), Ok(0));
    assert_eq!(t.fcntl(0, g::F_DUPFD, 64), Err(Errno::EINVAL));
    let fl = t.fcntl(0, g::F_GETFL, 0).unwrap() as u32;
    assert_eq!(fl, g::O_RDWR | g::O_LARGEFILE);
    t.fcntl(10, g::F_SETFL, u64::from(g::O_APPEND)).unwrap();
    assert_eq!(t.get(0).unwrap().flags() & g::O_APPEND, g::O_APPEND);
    assert_eq!(t.fcntl(0, 9999, 0), Err(Errno::EINVAL));
    assert_eq!(t.fcntl(7, g::F_GETFD, 0), Err(Errno::EBADF));
}

#[test]
fn exec_closes_cloexec_descriptors_and_fork_copies_the_table() {
    let w = World::new();
    let mut t = FdTable::default();
    t.alloc(file(&w), false).unwrap();
    t.alloc(file(&w), true).unwrap();
    let child = t.clone();
    assert_eq!(t.close_on_exec().len(), 1);
    assert_eq!(t.iter().map(|(fd, _)| fd).collect::<Vec<_>>(), [0]);
    assert_eq!(child.iter().count(), 2);
    assert!(Arc::ptr_eq(&t.get(0).unwrap(), &child.get(0).unwrap()));
}

#[derive(Clone, Debug)]
enum Op {
    Open(bool),
    Close(i32),
    Dup(i32),
    Dup2(i32, i32),
    Dup3(i32, i32, bool),
    DupFd(i32, usize, bool),
    SetFd(i32, bool),
    Exec,
}

fn op() -> impl Strategy<Value = Op> {
    let fd = -1i32..12;
    prop_oneof![
        any::<bool>().prop_map(Op::Open),
        fd.clone().prop_map(Op::Close),
        fd.clone().prop_map(Op::Dup),
        (fd.clone(), fd.clone()).prop_map(|(a, b)| Op::Dup2(a, b)),
        (fd.clone(), fd.clone(), any::<bool>()).prop_map(|(a, b, c)| Op::Dup3(a, b, c)),
        (fd.clone(), 0usize..12, any::<bool>()).prop_map(|(a, m, c)| Op::DupFd(a, m, c)),
        (fd, any::<bool>()).prop_map(|(a, c)| Op::SetFd(a, c)),
        Just(Op::Exec),
    ]
}

/// The model: descriptor -> (file id, cloexec).
type Model = BTreeMap<i32, (usize, bool)>;

fn lowest(m: &Model, min: i32, limit: i32) -> Option<i32> {
    (min..limit).find(|fd| !m.contains_key(fd))
}

fn run_model(ops: Vec<Op>) -> core::result::Result<(), TestCaseError> {
    const LIMIT: i32 = 10;
    let w = World::new();
    let mut t = FdTable::new(LIMIT as usize);
    let mut m = Model::new();
    let mut files: Vec<Arc<File>> = Vec::new();
    for op in ops {
        match op {
            Op::Open(ce) => {
                let f = file(&w);
                files.push(f.clone());
                let got = t.alloc(f, ce);
                match lowest(&m, 0, LIMIT) {
                    Some(fd) => {
                        prop_assert_eq!(got, Ok(fd));
                        m.insert(fd, (files.len() - 1, ce));
                    }
                    None => prop_assert_eq!(got, Err(Errno::EMFILE)),
                }
            }
            Op::Close(fd) => {
                prop_assert_eq!(t.close(fd).is_ok(), m.remove(&fd).is_some());
            }
            Op::Dup(fd) => {
                let got = t.dup(fd);
                match (m.get(&fd).copied(), lowest(&m, 0, LIMIT)) {
                    (None, _) => prop_assert_eq!(got, Err(Errno::EBADF)),
                    (Some(_), None) => prop_assert_eq!(got, Err(Errno::EMFILE)),
                    (Some((id, _)), Some(new)) => {
                        prop_assert_eq!(got, Ok(new));
                        m.insert(new, (id, false));
                    }
                }
            }
            Op::Dup2(a, b) => {
                let got = t.dup2(a, b).map(|r| r.0);
                match m.get(&a).copied() {
                    None => prop_assert_eq!(got, Err(Errno::EBADF)),
                    Some(_) if a == b => prop_assert_eq!(got, Ok(b)),
                    Some(_) if !(0..LIMIT).contains(&b) => prop_assert_eq!(got, Err(Errno::EBADF)),
                    Some((id, _)) => {
                        prop_assert_eq!(got, Ok(b));
                        m.insert(b, (id, false));
                    }
                }
            }
            Op::Dup3(a, b, ce) => {
                let flags = if ce { g::O_CLOEXEC } else { 0 };
                let got = t.dup3(a, b, flags).map(|r| r.0);
                if a == b {
                    prop_assert_eq!(got, Err(Errno::EINVAL));
                } else {
                    match m.get(&a).copied() {
                        None => prop_assert_eq!(got, Err(Errno::EBADF)),
                        Some(_) if !(0..LIMIT).contains(&b) => {
                            prop_assert_eq!(got, Err(Errno::EBADF))
                        }
                        Some((id, _)) => {
                            prop_assert_eq!(got, Ok(b));
                            m.insert(b, (id, ce));
                        }
                    }
                }
            }
            Op::DupFd(a, min, ce) => {
                let cmd = if ce { g::F_DUPFD_CLOEXEC } else { g::F_DUPFD };
                let got = t.fcntl(a, cmd, min as u64);
                match m.get(&a).copied() {
                    None => prop_assert_eq!(got, Err(Errno::EBADF)),
                    Some(_) if min as i32 >= LIMIT => prop_assert_eq!(got, Err(Errno::EINVAL)),
                    Some((id, _)) => match lowest(&m, min as i32, LIMIT) {
                        None => prop_assert_eq!(got, Err(Errno::EMFILE)),
                        Some(fd) => {
                            prop_assert_eq!(got, Ok(i64::from(fd)));
                            m.insert(fd, (id, ce));
                        }
                    },
                }
            }
            Op::SetFd(a, ce) => {
                let got = t.fcntl(a, g::F_SETFD, u64::from(ce));
                match m.get_mut(&a) {
                    None => prop_assert_eq!(got, Err(Errno::EBADF)),
                    Some(e) => {
                        prop_assert_eq!(got, Ok(0));
                        e.1 = ce;
                    }
                }
            }
            Op::Exec => {
                t.close_on_exec();
                m.retain(|_, e| !e.1);
            }
        }
        let seen: Vec<_> = t
            .iter()
            .map(|(fd, f)| {
                (
                    fd,
                    files.iter().position(|x| Arc::ptr_eq(x, f)).unwrap(),
                    t.cloexec(fd).unwrap(),
                )
            })
            .collect();
        let want: Vec<_> = m.iter().map(|(&fd, &(id, ce))| (fd, id, ce)).collect();
        prop_assert_eq!(seen, want);
    }
    Ok(())
}

proptest! {
    #[test]
    fn fd_table_matches_a_model(ops in proptest::collection::vec(op(), 1..60)) {
        run_model(ops)?;
    }
}
