//! Building the kernel (Linux: `make vmlinux`): cargo with the kernel's own
//! flags and target dir, then the symbol table (kallsyms) patched into the
//! linked image, written to target/noyau/kernel.elf.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::{paths, progress};

/// The host target, named explicitly so that RUSTFLAGS reach the kernel and
/// its dependencies but not build scripts and proc macros (see design.md).
pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// The kernel's own target dir: its flags must not touch the host crates' builds.
pub const TARGET_DIR: &str = "target/kernel";

/// Stands for the absolute path of kernel/linker.ld in `KERNEL_FLAGS`.
const LINKER_SCRIPT: &str = "{linker.ld}";

/// rustc flags for the kernel crate only, as (option, value) pairs.
const KERNEL_FLAGS: &[(&str, &str)] = &[
    // Symbols live in the top 2 GiB (0xffffffff80000000): 32-bit sign-extended addresses.
    ("-C", "code-model=kernel"),
    // Absolute addresses, no GOT: the kernel runs where it is linked.
    ("-C", "relocation-model=static"),
    // RBP chains every frame, so an oops can walk the stack without unwind tables.
    ("-C", "force-frame-pointers=yes"),
    // Interrupts push onto the current stack; our own code must not keep data below RSP.
    ("-C", "no-redzone=yes"),
    // No crt0: the entry is head.S, reached from the bootloader.
    ("-C", "link-arg=-nostartfiles"),
    // No libc or libgcc: the kernel brings its own mem* functions.
    ("-C", "link-arg=-nostdlib"),
    // One self-contained image, no dynamic section or loader.
    ("-C", "link-arg=-static"),
    // Not position independent: linked at fixed addresses by the script.
    ("-C", "link-arg=-no-pie"),
    // Our layout: boot code at its physical address, the rest at 0xffffffff80000000.
    ("-C", "link-arg=-Wl,-T,{linker.ld}"),
    // 4 KiB alignment of segments keeps the image small and sections page-aligned.
    ("-C", "link-arg=-Wl,-z,max-page-size=0x1000"),
    // Drop unreferenced functions and data.
    ("-C", "link-arg=-Wl,--gc-sections"),
];

/// The kernel flags with the linker script's absolute path filled in.
pub fn kernel_flags(root: &Path) -> Vec<String> {
    let script = root.join("kernel").join("linker.ld");
    KERNEL_FLAGS
        .iter()
        .flat_map(|(option, value)| [option.to_string(), value.to_string()])
        .map(|flag| flag.replace(LINKER_SCRIPT, &script.to_string_lossy()))
        .collect()
}

/// A cargo command for the kernel: `subcommand` (build, clippy) with the kernel's
/// flags, target and target dir, run from the workspace root.
///
/// The flags go in CARGO_ENCODED_RUSTFLAGS (RUSTFLAGS split at 0x1f instead of
/// spaces), so that a workspace path with a space in it still works.
pub fn kernel_cargo(subcommand: &str) -> Command {
    let root = paths::root();
    let mut cargo = Command::new(cargo_bin());
    cargo
        .current_dir(&root)
        .args([
            subcommand,
            "-p",
            "noyau",
            "--target",
            TARGET,
            "--target-dir",
            TARGET_DIR,
        ])
        .env_remove("RUSTFLAGS")
        .env("CARGO_ENCODED_RUSTFLAGS", kernel_flags(&root).join("\x1f"));
    cargo
}

/// The cargo that runs xtask (set by `cargo run`), else the one in PATH.
pub fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// What to do with cargo's own output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Pass it through (build, run): warnings stay visible.
    Show,
    /// Keep it, and print it only if the build fails (test).
    Capture,
}

/// Builds the kernel and writes target/noyau/kernel.elf; returns its path.
pub fn kernel(output: Output) -> Result<PathBuf> {
    let root = paths::root();
    let linked = root
        .join(TARGET_DIR)
        .join(TARGET)
        .join("release")
        .join("noyau");
    let what = match linked.exists() {
        true => "building the kernel (cargo build -p noyau --release)",
        false => "building the kernel for the first time (cargo build -p noyau --release)",
    };

    let mut cargo = kernel_cargo("build");
    cargo.arg("--release");
    match output {
        Output::Show => {
            eprintln!("{what}");
            let status = cargo
                .status()
                .context("running cargo build for the kernel")?;
            if !status.success() {
                bail!("the kernel did not build ({status})");
            }
        }
        Output::Capture => {
            let step = progress::start(what);
            let out = cargo
                .stdin(Stdio::null())
                .output()
                .context("running cargo build")?;
            if !out.status.success() {
                step.failed();
                eprint!("{}", String::from_utf8_lossy(&out.stderr));
                bail!("the kernel did not build ({})", out.status);
            }
            step.done();
        }
    }

    let mut image = std::fs::read(&linked)
        .with_context(|| format!("reading the linked kernel {}", linked.display()))?;
    let stats = kallsyms::embed(&mut image).map_err(anyhow::Error::msg)?;
    if output == Output::Show {
        eprintln!("{stats}");
    }
    write_if_changed(&paths::kernel_elf(), &image)?;
    Ok(paths::kernel_elf())
}

/// Writes `bytes` unless the file already holds them, so that its modification
/// time says when its contents last changed (the ISOs are rebuilt from it).
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_name_the_absolute_linker_script() {
        let flags = kernel_flags(Path::new("/src/noyau"));
        assert_eq!(flags.len(), 2 * KERNEL_FLAGS.len());
        assert!(flags.contains(&"link-arg=-Wl,-T,/src/noyau/kernel/linker.ld".to_string()));
        assert!(flags.iter().all(|flag| !flag.contains(LINKER_SCRIPT)));
        assert_eq!(&flags[..2], ["-C", "code-model=kernel"]);
    }
}
