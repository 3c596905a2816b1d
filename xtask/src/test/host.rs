//! Host-side checks: `cargo test` over the workspace's host crates (each test
//! counted from libtest's `test result:` lines, doc-tests too), then the
//! lints: rustfmt, clippy on the host crates and clippy on the kernel.

use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use super::{checks, Options, Tally};
use crate::{build, paths, progress};

/// Lines of output shown for a failed check.
const TAIL: usize = 40;

/// What `cargo test` reported.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TestCounts {
    pub passed: usize,
    pub failed: usize,
    /// The names of the failed tests.
    pub failures: Vec<String>,
    /// The `failures:` sections of libtest's output, for the reader.
    pub details: Vec<String>,
}

/// Adds up libtest's `test result: ok. X passed; Y failed; ...` lines.
pub fn parse_cargo_test(stdout: &str) -> TestCounts {
    let mut counts = TestCounts::default();
    let mut in_failures = false;
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("test result: ") {
            in_failures = false;
            let number = |word: &str| {
                rest.split(';')
                    .find_map(|part| part.trim().strip_suffix(word)?.trim().rsplit(' ').next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0)
            };
            counts.passed += number("passed");
            counts.failed += number("failed");
        } else if let Some(name) = line.strip_prefix("test ").and_then(failed_test) {
            counts.failures.push(name.to_string());
        } else if line == "failures:" && !in_failures {
            in_failures = true;
        }
        if in_failures {
            counts.details.push(line.to_string());
        }
    }
    counts
}

/// `NAME ... FAILED` → NAME.
fn failed_test(rest: &str) -> Option<&str> {
    rest.strip_suffix(" ... FAILED")
}

/// `cargo test` over the default members (not the kernel).
pub fn tests(tally: &mut Tally) -> Result<()> {
    let spinner = progress::spinner("host: cargo test --workspace --exclude noyau");
    let output = cargo()
        .args([
            "test",
            "--workspace",
            "--exclude",
            "noyau",
            "--no-fail-fast",
        ])
        .stdin(Stdio::null())
        .output()
        .context("running cargo test")?;
    spinner.clear();

    let stdout = String::from_utf8_lossy(&output.stdout);
    let counts = parse_cargo_test(&stdout);
    let built = output.status.success() || counts.failed > 0;
    tally.passed += counts.passed;
    for name in &counts.failures {
        tally.fail(format!("host/{name}"));
    }
    // A failure libtest counted but whose name we could not read still counts.
    for _ in counts.failures.len()..counts.failed {
        tally.fail("host/(unnamed test)".into());
    }

    if !built {
        println!("host ... FAILED: cargo test did not build or run");
        print_tail(&String::from_utf8_lossy(&output.stderr));
        tally.fail("host build".into());
    } else if counts.failed == 0 {
        println!("host ... ok ({} tests)", counts.passed);
    } else {
        println!(
            "host ... FAILED ({} passed, {} failed)",
            counts.passed, counts.failed
        );
        for line in &counts.details {
            println!("    {line}");
        }
    }
    Ok(())
}

/// The lint checks (and the benchmark smoke run), each one pass or one failure.
pub fn lints(options: &Options, tally: &mut Tally) -> Result<()> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--exclude",
        "noyau",
        "--all-targets",
    ]);
    clippy.args(["--", "-D", "warnings"]);
    let mut kernel = build::kernel_cargo("clippy");
    kernel.args(["--", "-D", "warnings"]);
    // Each criterion benchmark once, in its test mode: they keep building
    // and running; the measured runs are `cargo bench` (docs/performance.md).
    let mut benches = cargo();
    benches.args(["test", "--workspace", "--exclude", "noyau", "--benches"]);

    for (name, command) in [
        ("lint/fmt", fmt),
        ("lint/clippy", clippy),
        ("lint/clippy-kernel", kernel),
        ("lint/benches", benches),
    ] {
        if !options.selects(name) {
            continue;
        }
        if options.stop_now(tally) {
            tally.skipped.push(name.into());
            continue;
        }
        lint(name, command, tally)?;
    }
    Ok(())
}

fn lint(name: &str, mut command: Command, tally: &mut Tally) -> Result<()> {
    let spinner = progress::spinner(name);
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {name}"))?;
    spinner.clear();
    if output.status.success() {
        println!("{name} ... ok");
        tally.passed += 1;
    } else {
        println!("{name} ... FAILED");
        let text =
            String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
        print_tail(&text);
        tally.fail(name.into());
    }
    Ok(())
}

/// cargo at the workspace root.
fn cargo() -> Command {
    let mut cargo = Command::new(build::cargo_bin());
    cargo.current_dir(paths::root());
    cargo
}

/// The last lines of a failed command's output, indented, without colours.
fn print_tail(text: &str) {
    let text = checks::clean_log(text);
    let lines: Vec<&str> = text.lines().collect();
    for line in &lines[lines.len().saturating_sub(TAIL)..] {
        println!("    {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "
running 3 tests
test ring::tests::wraps ... ok
test ring::tests::levels ... FAILED
test format::tests::pads ... ok

failures:

---- ring::tests::levels stdout ----
assertion failed

failures:
    ring::tests::levels

test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s

running 0 tests

test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

   Doc-tests kallsyms

running 2 tests
test crates/kallsyms/src/lib.rs - Table (line 5) ... ok
test crates/kallsyms/src/lib.rs - Table::lookup (line 9) ... ok

test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.20s
";

    #[test]
    fn counts_every_binary_and_the_doc_tests() {
        let counts = parse_cargo_test(OUTPUT);
        assert_eq!((counts.passed, counts.failed), (4, 1));
        assert_eq!(counts.failures, ["ring::tests::levels"]);
        assert_eq!(
            counts.details.first().map(String::as_str),
            Some("failures:")
        );
        assert!(counts.details.iter().any(|l| l == "assertion failed"));
        assert!(!counts.details.iter().any(|l| l.contains("Doc-tests")));
    }

    #[test]
    fn no_output_counts_nothing() {
        assert_eq!(parse_cargo_test(""), TestCounts::default());
    }
}
