//! Where things are: the workspace root and the files xtask writes under
//! target/noyau (kernel.elf, noyau.iso, per-command-line ISOs, user programs
//! in C and in Rust, initramfs images, boot logs).

use std::path::{Path, PathBuf};

/// The workspace root: the parent of xtask's own manifest directory.
pub fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest
        .parent()
        .map_or(manifest.clone(), Path::to_path_buf)
}

/// target/noyau: everything xtask produces.
pub fn out_dir() -> PathBuf {
    root().join("target").join("noyau")
}

/// The kernel image with its symbol table embedded.
pub fn kernel_elf() -> PathBuf {
    out_dir().join("kernel.elf")
}

/// The image `cargo xtask iso` writes.
pub fn default_iso() -> PathBuf {
    out_dir().join("noyau.iso")
}

/// ISOs built for other command lines, and their staging folders.
pub fn iso_dir() -> PathBuf {
    out_dir().join("iso")
}

/// Serial logs of the boot scenarios.
pub fn logs_dir() -> PathBuf {
    out_dir().join("logs")
}

/// The sources of the user test programs, user/tests/*.c.
pub fn user_tests_dir() -> PathBuf {
    root().join("user").join("tests")
}

/// The sources of the user tools that run tests, user/init/*.c.
pub fn user_init_dir() -> PathBuf {
    root().join("user").join("init")
}

/// The headers every user program may include, user/include/*.h.
pub fn user_include_dir() -> PathBuf {
    root().join("user").join("include")
}

/// The compiled user programs, one executable per source.
pub fn user_out_dir() -> PathBuf {
    out_dir().join("user")
}

/// The cargo workspace of the user programs written in Rust, user/rust.
pub fn user_rust_dir() -> PathBuf {
    root().join("user").join("rust")
}

/// Their sources, one program each: user/rust/src/bin/*.rs.
pub fn user_rust_bin_dir() -> PathBuf {
    user_rust_dir().join("src").join("bin")
}

/// cargo's target dir for them (the executables are in
/// <triple>/release below it).
pub fn user_rust_target_dir() -> PathBuf {
    out_dir().join("user-rust")
}

/// The initramfs images, one per program chosen as /init: <NAME>.cpio.
pub fn initramfs_dir() -> PathBuf {
    out_dir().join("initramfs")
}

/// The boot scenario files.
pub fn scenarios_dir() -> PathBuf {
    root().join("tests").join("boot")
}

/// `path` relative to the workspace root when it lies inside it, for messages.
pub fn relative(path: &Path) -> PathBuf {
    let root = root();
    path.strip_prefix(&root)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}
