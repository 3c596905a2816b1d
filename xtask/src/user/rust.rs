//! The user test programs written in Rust with std: every
//! user/rust/src/bin/NAME.rs, built by cargo in the workspace user/rust (its
//! own, outside the root one) for the host target with glibc linked
//! statically, into target/noyau/user-rust. cargo decides what to rebuild.
//! Each executable must be one that noyau's execve loads: static, no PT_INTERP.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use elfload::{ElfKind, ExecPlan};

use crate::{build, paths, progress};

/// The host target: glibc's static libc.a comes with Debian's libc6-dev,
/// which rustc needs anyway (the musl target is not installed).
pub const TARGET: &str = build::TARGET;

/// rustc flags for the programs, as (option, value) pairs.
const RUSTFLAGS: &[(&str, &str)] = &[
    // glibc's libc.a instead of libc.so: the kernel has no dynamic loader.
    ("-C", "target-feature=+crt-static"),
    // A fixed-address ET_EXEC as musl-gcc -static makes the C programs,
    // not the static-PIE that crt-static alone gives.
    ("-C", "relocation-model=static"),
    // As the C programs' -Werror: a test program says exactly what its source says.
    ("-D", "warnings"),
];

/// Environment variables of the cargo that runs xtask, or of the user's
/// shell, that would change how the programs are built. The flags are set
/// again with CARGO_ENCODED_RUSTFLAGS, which wins over every other source.
fn leaks_into_build(key: &str) -> bool {
    let exact = [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_TARGET_DIR",
    ];
    let per_target = key.starts_with("CARGO_TARGET_")
        && (key.ends_with("_RUSTFLAGS") || key.ends_with("_LINKER"));
    exact.contains(&key) || per_target || key.starts_with("CARGO_PROFILE_")
}

/// The programs' names and sources, sorted by name; none when there is no
/// user/rust/src/bin.
pub fn sources() -> Result<Vec<(String, PathBuf)>> {
    let dir = paths::user_rust_bin_dir();
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    super::sources(&dir, "rs")
}

/// Where cargo leaves the executable of program `name`.
pub fn executable(name: &str) -> PathBuf {
    paths::user_rust_target_dir()
        .join(TARGET)
        .join("release")
        .join(name)
}

/// The cargo command that builds every program of the workspace at
/// `workspace` into `target_dir`, run in the workspace so that cargo reads
/// the configuration a build there by hand would read.
pub fn cargo_command(workspace: &Path, target_dir: &Path) -> Command {
    let mut cargo = Command::new(build::cargo_bin());
    cargo
        .current_dir(workspace)
        .args([
            "build",
            "--release",
            "--locked",
            "--offline",
            "--target",
            TARGET,
        ])
        .arg("--target-dir")
        .arg(target_dir);
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(leaks_into_build) {
            cargo.env_remove(key);
        }
    }
    let flags: Vec<_> = RUSTFLAGS.iter().flat_map(|(o, v)| [*o, *v]).collect();
    cargo.env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f"));
    cargo
}

/// Builds the workspace, then checks that the programs `names` are there
/// and that the kernel can load each of them.
pub fn build(names: &[&str]) -> Result<()> {
    let step = progress::start("building the Rust user programs (cargo build --release)");
    let built = cargo_build().and_then(|()| {
        names
            .iter()
            .try_for_each(|name| check_loadable(&executable(name)))
    });
    match built {
        Ok(()) => step.done(),
        Err(_) => step.failed(),
    }
    built
}

/// Runs cargo; its error output becomes the error when it fails.
fn cargo_build() -> Result<()> {
    let output = cargo_command(&paths::user_rust_dir(), &paths::user_rust_target_dir())
        .stdin(Stdio::null())
        .output()
        .context("running cargo build in user/rust")?;
    if !output.status.success() {
        bail!(
            "the Rust user programs did not build ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    Ok(())
}

/// Fails unless `path` is a static ET_EXEC that noyau's execve would load
/// (the kernel's own ELF checks, from the elfload crate).
fn check_loadable(path: &Path) -> Result<()> {
    let shown = paths::relative(path);
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", shown.display()))?;
    match ExecPlan::from_elf(&bytes, elfload::ELF_ET_DYN_BASE) {
        Ok(plan) if plan.kind == ElfKind::Exec => Ok(()),
        Ok(_) => bail!(
            "{} is position-independent (ET_DYN): the flags {RUSTFLAGS:?} did not reach rustc",
            shown.display()
        ),
        Err(err) => bail!(
            "{} is not a program noyau's execve loads ({err}): the flags {RUSTFLAGS:?} \
             did not reach rustc",
            shown.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_is_static_release_for_the_host_target() {
        let cargo = cargo_command(Path::new("/u/rust"), Path::new("/t/user-rust"));
        assert_eq!(cargo.get_current_dir(), Some(Path::new("/u/rust")));
        let args: Vec<_> = cargo.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(
            args.join(" "),
            "build --release --locked --offline --target x86_64-unknown-linux-gnu \
             --target-dir /t/user-rust"
        );
        let flags = cargo
            .get_envs()
            .find(|(key, _)| *key == "CARGO_ENCODED_RUSTFLAGS")
            .and_then(|(_, value)| value)
            .map(|value| value.to_string_lossy().replace('\x1f', " "));
        assert_eq!(
            flags.as_deref(),
            Some("-C target-feature=+crt-static -C relocation-model=static -D warnings")
        );
    }

    #[test]
    fn outer_build_settings_are_kept_out() {
        for key in [
            "RUSTFLAGS",
            "CARGO_BUILD_RUSTFLAGS",
            "CARGO_TARGET_DIR",
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS",
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
            "CARGO_PROFILE_RELEASE_PANIC",
        ] {
            assert!(leaks_into_build(key), "{key}");
        }
        for key in [
            "CARGO_HOME",
            "RUSTUP_TOOLCHAIN",
            "PATH",
            "CARGO_TARGET_X86_64_RUNNER",
        ] {
            assert!(!leaks_into_build(key), "{key}");
        }
    }

    #[test]
    fn the_shipped_programs_are_found() {
        let names: Vec<_> = sources()
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert!(names.iter().any(|name| name == "threads"), "{names:?}");
        assert!(executable("threads").ends_with("x86_64-unknown-linux-gnu/release/threads"));
    }

    #[test]
    fn only_a_static_executable_passes() {
        let dir = std::env::temp_dir().join(format!("xtask-rust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("x");
        std::fs::write(&file, b"#!/bin/sh\n").unwrap();
        let err = format!("{:#}", check_loadable(&file).unwrap_err());
        assert!(err.contains("not an ELF file"), "{err}");
        // The test binary itself is dynamic: it names an interpreter.
        let me = std::env::current_exe().unwrap();
        let err = format!("{:#}", check_loadable(&me).unwrap_err());
        assert!(err.contains("did not reach rustc"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
