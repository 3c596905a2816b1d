//! Records how the kernel was built, for the banner (Linux: init/version.c
//! and scripts/mkcompile_h): the compiler, the git commit and the date.

use std::process::Command;

fn output_of(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = output_of(&rustc, &["--version"]).unwrap_or_else(|| "rustc".into());
    let commit = output_of("git", &["rev-parse", "--short=12", "HEAD"]);
    let dirty = output_of("git", &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.is_empty());
    let commit = match commit {
        Some(c) if dirty => format!("{c}-dirty"),
        Some(c) => c,
        None => "unknown".into(),
    };
    let date = output_of("date", &["-u", "+%a %b %e %H:%M:%S UTC %Y"]).unwrap_or_default();
    println!("cargo:rustc-env=NOYAU_RUSTC={rustc_version}");
    println!("cargo:rustc-env=NOYAU_COMMIT={commit}");
    println!("cargo:rustc-env=NOYAU_BUILD_DATE={date}");
    println!("cargo:rerun-if-changed=linker.ld");
    println!("cargo:rerun-if-changed=../.git/HEAD");
    println!("cargo:rerun-if-changed=../.git/index");
}
