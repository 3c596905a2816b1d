//! The Debian packages noyau needs on the host, each recognised by a file it
//! provides. Missing ones are installed with apt-get when running as root
//! (after one `apt-get update`); otherwise the exact command is printed.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::progress;

/// How to tell that a package is installed.
#[derive(Clone, Copy, Debug)]
enum Probe {
    /// A file or directory at a fixed path.
    Path(&'static str),
    /// A command found in PATH.
    Command(&'static str),
    /// A statically linked executable at a fixed path (busybox-static, not busybox).
    StaticExe(&'static str),
    /// A file in a folder whose name starts with a prefix (a kernel image in /boot).
    Glob(&'static str, &'static str),
}

/// A Debian package and the file that shows it is there.
#[derive(Clone, Copy, Debug)]
pub struct Package {
    pub name: &'static str,
    probe: Probe,
}

/// Everything the build, the ISOs, QEMU and the initramfs need.
pub const PACKAGES: &[Package] = &[
    Package {
        name: "qemu-system-x86",
        probe: Probe::Path("/usr/bin/qemu-system-x86_64"),
    },
    Package {
        name: "grub-pc-bin",
        probe: Probe::Path("/usr/lib/grub/i386-pc/kernel.img"),
    },
    Package {
        name: "grub-efi-amd64-bin",
        probe: Probe::Path("/usr/lib/grub/x86_64-efi/kernel.img"),
    },
    Package {
        name: "grub-common",
        probe: Probe::Command("grub-mkrescue"),
    },
    Package {
        name: "xorriso",
        probe: Probe::Command("xorriso"),
    },
    Package {
        name: "mtools",
        probe: Probe::Command("mformat"),
    },
    Package {
        name: "ovmf",
        probe: Probe::Path("/usr/share/ovmf/OVMF.fd"),
    },
    Package {
        name: "busybox-static",
        probe: Probe::StaticExe("/bin/busybox"),
    },
    Package {
        name: "cpio",
        probe: Probe::Command("cpio"),
    },
    Package {
        name: "musl-tools",
        probe: Probe::Command("musl-gcc"),
    },
    // The interactive test starts `cargo xtask run` in a detached tmux.
    Package {
        name: "tmux",
        probe: Probe::Command("tmux"),
    },
];

/// What the shell-session tests need besides: Debian's Linux kernel, whose
/// run of the same session is the reference.
pub const SHELL_PACKAGES: &[Package] = &[Package {
    name: "linux-image-amd64",
    probe: Probe::Glob("/boot", "vmlinuz-"),
}];

/// What `cargo xtask bench` needs besides: Debian's Linux kernel, which it
/// boots in /boot/vmlinuz-*, and the font its chart is labelled in.
pub const BENCH_PACKAGES: &[Package] = &[
    Package {
        name: "linux-image-amd64",
        probe: Probe::Glob("/boot", "vmlinuz-"),
    },
    Package {
        name: "fonts-dejavu-core",
        probe: Probe::Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    },
];

/// What to do about the missing packages.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Nothing is missing.
    Ready,
    /// Running as root: install these with apt-get.
    Install(Vec<&'static str>),
    /// Not root: the user must run this command.
    AskUser(String),
}

/// The decision, apart from the machine: which packages miss, and are we root.
pub fn plan(missing: &[&'static str], root: bool) -> Plan {
    if missing.is_empty() {
        Plan::Ready
    } else if root {
        Plan::Install(missing.to_vec())
    } else {
        Plan::AskUser(format!("sudo apt-get install -y {}", missing.join(" ")))
    }
}

/// Makes sure every package is there, installing the missing ones as root.
pub fn ensure() -> Result<()> {
    ensure_packages(PACKAGES)
}

/// The same for `packages`.
pub fn ensure_packages(packages: &[Package]) -> Result<()> {
    let missing = || -> Vec<&'static str> {
        packages
            .iter()
            .filter(|p| !present(p.probe))
            .map(|p| p.name)
            .collect()
    };
    match plan(&missing(), effective_uid()? == 0) {
        Plan::Ready => Ok(()),
        Plan::AskUser(command) => {
            bail!("missing Debian packages; install them with:\n    {command}\nthen run this again")
        }
        Plan::Install(packages) => {
            install(&packages)?;
            let still = missing();
            if !still.is_empty() {
                bail!(
                    "apt-get ran, but these are still missing: {}",
                    still.join(" ")
                );
            }
            Ok(())
        }
    }
}

fn present(probe: Probe) -> bool {
    match probe {
        Probe::Path(path) => Path::new(path).exists(),
        Probe::Command(name) => find_command(name).is_some(),
        Probe::StaticExe(path) => std::fs::read(path).is_ok_and(|bytes| is_static_elf(&bytes)),
        Probe::Glob(dir, prefix) => std::fs::read_dir(dir).is_ok_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with(prefix)))
        }),
    }
}

/// The first executable file called `name` in PATH (or the usual system folders).
fn find_command(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let usual = ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"].map(PathBuf::from);
    std::env::split_paths(&path)
        .chain(usual)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// An ELF64 executable without a PT_INTERP program header: it needs no dynamic loader.
pub fn is_static_elf(bytes: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    if bytes.len() < 64 || &bytes[..4] != b"\x7fELF" || bytes[4] != 2 || bytes[5] != 1 {
        return false;
    }
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
    let phoff = u64::from_le_bytes(bytes[0x20..0x28].try_into().unwrap_or_default());
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    let Ok(phoff) = usize::try_from(phoff) else {
        return false;
    };
    (0..phnum).all(|i| {
        let at = phoff + i * phentsize;
        match bytes.get(at..at + 4) {
            Some(p_type) => {
                u32::from_le_bytes([p_type[0], p_type[1], p_type[2], p_type[3]]) != PT_INTERP
            }
            None => false,
        }
    })
}

/// The effective user id, from /proc/self/status (then `id -u`).
fn effective_uid() -> Result<u32> {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(uid) = euid_from_status(&status) {
            return Ok(uid);
        }
    }
    let output = Command::new("id")
        .arg("-u")
        .output()
        .context("running id -u")?;
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .context("reading the output of id -u")
}

/// The second field of the `Uid:` line (real, effective, saved, filesystem).
fn euid_from_status(status: &str) -> Option<u32> {
    let line = status.lines().find(|line| line.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn install(packages: &[&str]) -> Result<()> {
    let step = progress::start(format!(
        "installing Debian packages: {}",
        packages.join(" ")
    ));
    let result = apt_get(&["update"]).and_then(|()| {
        let mut args = vec!["install", "-y"];
        args.extend_from_slice(packages);
        apt_get(&args)
    });
    match result {
        Ok(()) => step.done(),
        Err(_) => step.failed(),
    }
    result
}

/// Runs apt-get quietly, showing its output only when it fails.
fn apt_get(args: &[&str]) -> Result<()> {
    let output = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .context("running apt-get (is this a Debian machine?)")?;
    if !output.status.success() {
        eprint!("{}", String::from_utf8_lossy(&output.stdout));
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        bail!("apt-get {} failed ({})", args.join(" "), output.status);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_missing_is_ready_for_anyone() {
        assert_eq!(plan(&[], true), Plan::Ready);
        assert_eq!(plan(&[], false), Plan::Ready);
    }

    #[test]
    fn root_installs_exactly_the_missing_packages() {
        assert_eq!(
            plan(&["ovmf", "cpio"], true),
            Plan::Install(vec!["ovmf", "cpio"])
        );
    }

    #[test]
    fn others_get_the_sudo_command() {
        assert_eq!(
            plan(&["qemu-system-x86", "xorriso"], false),
            Plan::AskUser("sudo apt-get install -y qemu-system-x86 xorriso".into())
        );
    }

    #[test]
    fn a_kernel_image_is_found_by_its_prefix() {
        let dir = std::env::temp_dir().join(format!("xtask-deps-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dir_str: &'static str = Box::leak(dir.to_string_lossy().into_owned().into_boxed_str());
        assert!(!present(Probe::Glob(dir_str, "vmlinuz-")));
        std::fs::write(dir.join("vmlinuz-6.1.0-57-amd64"), b"").unwrap();
        assert!(present(Probe::Glob(dir_str, "vmlinuz-")));
        assert!(!present(Probe::Glob(dir_str, "initrd.img-")));
        assert!(!present(Probe::Glob("/nonexistent-folder", "vmlinuz-")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_bench_packages_are_not_the_build_ones() {
        let bench: Vec<_> = BENCH_PACKAGES.iter().map(|p| p.name).collect();
        assert_eq!(bench, ["linux-image-amd64", "fonts-dejavu-core"]);
        assert!(PACKAGES.iter().all(|p| !bench.contains(&p.name)));
        assert!(SHELL_PACKAGES.iter().all(|p| bench.contains(&p.name)));
    }

    #[test]
    fn every_package_is_listed_once() {
        let mut names: Vec<_> = PACKAGES.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PACKAGES.len());
        assert_eq!(names.len(), 11);
    }

    #[test]
    fn effective_uid_is_the_second_field() {
        let status = "Name:\tx\nUid:\t1000\t0\t1000\t1000\nGid:\t5\t5\t5\t5\n";
        assert_eq!(euid_from_status(status), Some(0));
        assert_eq!(euid_from_status("Name:\tx\n"), None);
    }

    /// A minimal ELF64 header with the given program header types.
    fn elf_with(types: &[u32]) -> Vec<u8> {
        let mut bytes = vec![0u8; 64 + 56 * types.len()];
        bytes[..6].copy_from_slice(b"\x7fELF\x02\x01");
        bytes[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        bytes[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        bytes[0x38..0x3a].copy_from_slice(&(types.len() as u16).to_le_bytes());
        for (i, p_type) in types.iter().enumerate() {
            bytes[64 + 56 * i..68 + 56 * i].copy_from_slice(&p_type.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn static_elf_has_no_interpreter() {
        assert!(is_static_elf(&elf_with(&[1, 1, 4])));
        assert!(!is_static_elf(&elf_with(&[6, 3, 1])));
        assert!(!is_static_elf(b"#!/bin/sh\n"));
        let mut truncated = elf_with(&[1, 1]);
        truncated.truncate(100);
        assert!(!is_static_elf(&truncated));
    }
}
