//! ExecPlan on real programs when the host has them: Debian's busybox-static, and small
//! programs built during the test with musl-gcc and rustc. A test whose tool is missing
//! prints a note and passes.

use super::tests::BASE;
use super::*;
use crate::testelf::assert_sane;
use crate::{Segment, ELF_ET_DYN_BASE, PAGE_SIZE};
use std::path::PathBuf;
use std::process::Command;
use std::{format, fs, println, string::String};

const C_PROGRAM: &str = "int bss[4096]; int data = 7;\nint main(void) { return bss[9] + data; }\n";
const RUST_PROGRAM: &str = "fn main() { println!(\"hi\"); }\n";

/// Compile `source` with `compiler` and `args` in a scratch directory; the program's
/// bytes, or `None` (with a note) when the tool is missing or fails.
fn build(name: &str, source: &str, compiler: &str, args: &[&str]) -> Option<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("elfload-{}-{name}", std::process::id()));
    fs::create_dir_all(&dir).ok()?;
    let ext = if compiler == "rustc" { "rs" } else { "c" };
    let src: PathBuf = dir.join(format!("{name}.{ext}"));
    let out = dir.join(name);
    fs::write(&src, source).ok()?;
    let status = Command::new(compiler)
        .args(args)
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .output();
    let bytes = match status {
        Ok(output) if output.status.success() => fs::read(&out).ok(),
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            println!("note: {compiler} {args:?} failed, test skipped: {stderr}");
            None
        }
        Err(err) => {
            println!("note: {compiler} not available ({err}), test skipped");
            None
        }
    };
    let _ = fs::remove_dir_all(&dir);
    bytes
}

/// The entry point is in an executable segment's file bytes, and AT_PHDR points at a
/// copy of the program header table.
fn assert_runnable(plan: &ExecPlan, bytes: &[u8]) {
    assert_sane(plan, bytes);
    let holds = |seg: &Segment, addr: u64| seg.vaddr <= addr && addr < seg.vaddr + seg.filesz;
    let text = plan
        .segments
        .iter()
        .find(|seg| holds(seg, plan.entry))
        .expect("entry mapped");
    assert!(text.rights.exec, "entry {:#x} in {text:?}", plan.entry);

    let seg = plan
        .segments
        .iter()
        .find(|seg| holds(seg, plan.phdr))
        .expect("phdrs mapped");
    let in_memory = (seg.offset + plan.phdr - seg.vaddr) as usize;
    let phoff = u64::from_le_bytes(bytes[32..40].try_into().unwrap()) as usize;
    let size = (plan.phent * plan.phnum) as usize;
    assert_eq!(
        bytes[in_memory..in_memory + size],
        bytes[phoff..phoff + size]
    );
}

#[test]
fn busybox_static() {
    let Ok(bytes) = fs::read("/bin/busybox") else {
        println!("note: no /bin/busybox, test skipped");
        return;
    };
    let plan = ExecPlan::from_elf(&bytes, ELF_ET_DYN_BASE).expect("busybox loads");
    assert_runnable(&plan, &bytes);
    assert!(!plan.executable_stack());
    println!(
        "busybox: {:?}, {} segments, brk {:#x}",
        plan.kind,
        plan.segments.len(),
        plan.brk
    );
}

#[test]
fn musl_static() {
    let Some(bytes) = build("static", C_PROGRAM, "musl-gcc", &["-static", "-O2"]) else {
        return;
    };
    let plan = ExecPlan::from_elf(&bytes, ELF_ET_DYN_BASE).expect("static program loads");
    assert_eq!((plan.kind, plan.load_bias), (ElfKind::Exec, 0));
    assert_runnable(&plan, &bytes);
    let bss = plan
        .segments
        .iter()
        .find(|seg| seg.memsz > seg.filesz)
        .expect("a bss");
    assert!(bss.rights.write && bss.memsz - bss.filesz >= 4096 * 4);
}

#[test]
fn musl_static_pie() {
    let args = ["-static-pie", "-Wl,--no-dynamic-linker", "-O2"];
    let Some(bytes) = build("static-pie", C_PROGRAM, "musl-gcc", &args) else {
        return;
    };
    let plan = ExecPlan::from_elf(&bytes, ELF_ET_DYN_BASE).expect("static-PIE loads");
    assert_eq!(plan.kind, ElfKind::Dyn);
    assert!(plan.load_bias <= BASE && plan.load_bias.is_multiple_of(PAGE_SIZE));
    assert_runnable(&plan, &bytes);
}

#[test]
fn musl_dynamic_needs_its_interpreter() {
    let Some(bytes) = build("dynamic", C_PROGRAM, "musl-gcc", &["-O2"]) else {
        return;
    };
    let err = ExecPlan::from_elf(&bytes, ELF_ET_DYN_BASE).unwrap_err();
    let path = err.interpreter(&bytes).expect("NeedsInterpreter");
    assert_eq!(path, b"/lib/ld-musl-x86_64.so.1");
}

#[test]
fn rust_static_pie() {
    let args = ["-C", "target-feature=+crt-static", "-C", "opt-level=1"];
    let Some(bytes) = build("rust", RUST_PROGRAM, "rustc", &args) else {
        return;
    };
    let plan = ExecPlan::from_elf(&bytes, ELF_ET_DYN_BASE).expect("Rust static-PIE loads");
    assert_eq!(plan.kind, ElfKind::Dyn);
    assert!(plan.load_bias <= BASE && plan.load_bias.is_multiple_of(PAGE_SIZE));
    assert_eq!(plan.phdr, plan.load_bias + 64, "AT_PHDR from PT_PHDR");
    assert_runnable(&plan, &bytes);
}
