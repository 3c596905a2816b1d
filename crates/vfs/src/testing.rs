//! Helpers for the host tests: a namespace on a fresh ramfs and short calls as root.

use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::cred::Cred;
use crate::errno::Result;
use crate::file::File;
use crate::mount::{MountNamespace, Path};
use crate::namei::{resolve, Lookup};
use crate::ramfs::RamFs;

pub struct World {
    pub ns: MountNamespace,
    pub root: Path,
    pub cred: Cred,
}

impl World {
    pub fn new() -> World {
        let ns = MountNamespace::new(RamFs::new_ramfs(), b"rootfs");
        let root = ns.root();
        World {
            ns,
            root,
            cred: Cred::root(),
        }
    }

    pub fn lk(&self) -> Lookup<'_> {
        Lookup::new(&self.root, &self.root, &self.cred)
    }

    pub fn as_user(&self, cred: Cred) -> World {
        World {
            ns: MountNamespace::new(RamFs::new_ramfs(), b"unused"),
            root: self.root.clone(),
            cred,
        }
    }

    pub fn mkdir(&self, path: &str) -> Result<Path> {
        crate::create::mkdirat(self.lk(), path.as_bytes(), 0o755, 0o022)
    }

    pub fn open(&self, path: &str, flags: u32, mode: u32) -> Result<Arc<File>> {
        crate::open::open(self.lk(), path.as_bytes(), flags, mode, 0o022, None)
    }

    pub fn write_file(&self, path: &str, data: &[u8]) -> Arc<File> {
        use linux_raw_sys::general as g;
        let f = self
            .open(path, g::O_RDWR | g::O_CREAT | g::O_TRUNC, 0o644)
            .expect("test: create file");
        f.write(data).expect("test: write file");
        f
    }

    pub fn read_file(&self, path: &str) -> Result<Vec<u8>> {
        let f = self.open(path, 0, 0)?;
        let mut out = alloc::vec![0u8; f.inode().attr().size as usize];
        let n = f.read(&mut out)?;
        out.truncate(n);
        Ok(out)
    }

    pub fn resolve(&self, path: &str, follow: bool) -> Result<Path> {
        resolve(self.lk(), path.as_bytes(), follow)
    }
}
