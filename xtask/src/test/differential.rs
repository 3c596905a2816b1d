//! Differential boot tests: each test program of a scenario's `differential`
//! list runs on the host Linux, then on noyau under /sbin/runner
//! (user/init/runner.c), which frames each program's output with BEGIN and
//! END marker lines in the serial log. The two outputs and wait statuses must
//! be equal, except the lines a program marks as machine-specific (`~ `).

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::{mpsc, LazyLock};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use regex::Regex;

use super::unified_diff;
use crate::user::Program;

/// The runner's name (user/init/runner.c) and its path in the initramfs.
pub const RUNNER: &str = "runner";
pub const RUNNER_PATH: &str = "/sbin/runner";

/// A line starting with this may differ between machines: it is not compared.
pub const MACHINE_SPECIFIC: &str = "~ ";

/// Longest a test may run on the host.
const HOST_TIMEOUT: Duration = Duration::from_secs(60);

/// The kernel command line that boots the runner with `tests` as its
/// arguments, after the scenario's own `append`.
pub fn command_line(append: &str, tests: &[String]) -> String {
    let runner = format!("rdinit={RUNNER_PATH} -- {}", tests.join(" "));
    match append.trim() {
        "" => runner,
        _ => format!("{append} {runner}"),
    }
}

/// What a test printed (standard output and error, as on a console) and
/// its raw wait status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub lines: Vec<String>,
    pub status: i32,
}

/// Runs a test program on the host as the runner runs it on noyau: argv[0]
/// `/bin/NAME` and no other argument, the environment init gets (HOME=/,
/// TERM=linux), in /, output and errors in one pipe.
pub fn run_on_host(program: &Program) -> Result<Run> {
    let mut command = Command::new(&program.path);
    command.arg0(format!("/bin/{}", program.name));
    run_command(command, HOST_TIMEOUT)
        .with_context(|| format!("running {} on the host", program.path.display()))
}

/// Runs `command` (its arguments set) with init's environment, one pipe for
/// its output and errors, and a time limit.
fn run_command(mut command: Command, timeout: Duration) -> Result<Run> {
    let (mut reader, writer) = std::io::pipe().context("making a pipe")?;
    command
        .env_clear()
        .env("HOME", "/")
        .env("TERM", "linux")
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(writer.try_clone().context("duplicating a pipe")?)
        .stderr(writer);
    let mut child = command.spawn()?;
    // The command holds the pipe's write end: without closing it here, the
    // reader would never see the end of the output.
    drop(command);

    let (send, receive) = mpsc::channel();
    thread::spawn(move || {
        let mut output = Vec::new();
        let read = reader.read_to_end(&mut output).map(|_| output);
        let _ = send.send(read);
    });

    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!("still running after {} s: killed", timeout.as_secs());
        }
        thread::sleep(Duration::from_millis(10));
    };
    let output = match receive.recv_timeout(Duration::from_secs(5)) {
        Ok(read) => read.context("reading its output")?,
        Err(_) => anyhow::bail!(
            "it ended, but a process it started still holds its output open after 5 s"
        ),
    };
    Ok(Run {
        lines: String::from_utf8_lossy(&output)
            .lines()
            .map(str::to_string)
            .collect(),
        status: status.into_raw(),
    })
}

/// One test's part of noyau's serial log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    /// The lines between the markers, without the kernel's printk lines.
    pub lines: Vec<String>,
    /// The status on the END marker; None when the log ends before it.
    pub status: Option<i32>,
}

static BEGIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^=== BEGIN (\S+) ===$").expect("a valid regex"));
static END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.*)=== END (\S+) status (-?\d+) ===$").expect("a valid regex"));
/// A printk line: `[    1.234567] ...`.
static PRINTK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[\s*\d+\.\d+\] ").expect("a valid regex"));

/// The sections of a cleaned serial log, in order. Printk lines inside a
/// section are left out; text before an END marker on its line is the
/// test's last line, printed without a newline.
pub fn split_log(log: &str) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut current: Option<Section> = None;
    for line in log.lines() {
        if let Some(begin) = BEGIN.captures(line) {
            sections.extend(current.take());
            current = Some(Section {
                name: begin[1].to_string(),
                lines: Vec::new(),
                status: None,
            });
            continue;
        }
        let Some(section) = current.as_mut() else {
            continue;
        };
        if let Some(end) = END.captures(line).filter(|end| end[2] == section.name) {
            if !end[1].is_empty() {
                section.lines.push(end[1].to_string());
            }
            section.status = end[3].parse().ok();
            sections.extend(current.take());
        } else if !PRINTK.is_match(line) {
            section.lines.push(line.to_string());
        }
    }
    sections.extend(current);
    sections
}

/// Whether two lines agree: equal, or both machine-specific.
fn same(linux: &str, noyau: &str) -> bool {
    linux == noyau || (linux.starts_with(MACHINE_SPECIFIC) && noyau.starts_with(MACHINE_SPECIFIC))
}

/// A raw wait status in words.
pub fn describe_status(status: i32) -> String {
    let signal = status & 0x7f;
    if signal == 0 {
        format!("exited {}", (status >> 8) & 0xff)
    } else if signal != 0x7f {
        format!("killed by signal {signal}")
    } else {
        format!("stopped (raw {status:#x})")
    }
}

/// Compares one test's run on noyau with its run on Linux; the reasons it
/// failed, each a message for the scenario's report.
pub fn compare(linux: &Run, noyau: &Section) -> Vec<String> {
    let name = &noyau.name;
    let mut reasons = Vec::new();
    if noyau.status.is_none() {
        reasons.push(format!(
            "{name}: noyau's log ends inside the test, with no `=== END {name} ...` line \
             (the kernel hung, panicked or powered off)"
        ));
    }
    let differs = linux.lines.len() != noyau.lines.len()
        || linux
            .lines
            .iter()
            .zip(&noyau.lines)
            .any(|(l, n)| !same(l, n));
    if differs {
        let diff = unified_diff::unified_diff(&linux.lines, &noyau.lines, same);
        reasons.push(format!(
            "{name}: noyau's output differs from Linux's (`-` Linux, `+` noyau; \
             lines starting with `~ ` are not compared):\n{}",
            indent(&diff)
        ));
    }
    if let Some(status) = noyau.status.filter(|&s| s != linux.status) {
        reasons.push(format!(
            "{name}: wait status {} ({}) on Linux, {} ({}) on noyau",
            linux.status,
            describe_status(linux.status),
            status,
            describe_status(status)
        ));
    }
    reasons
}

/// Judges a differential scenario's log against the host runs, in the
/// order of the scenario's list: every reason it failed.
pub fn check(log: &str, linux: &[(String, Result<Run, String>)]) -> Vec<String> {
    let sections = split_log(log);
    let mut reasons = Vec::new();
    for (name, run) in linux {
        let run = match run {
            Ok(run) => run,
            Err(err) => {
                reasons.push(format!("{name}: could not run on the host: {err}"));
                continue;
            }
        };
        let mut found = sections.iter().filter(|s| &s.name == name);
        match (found.next(), found.count()) {
            (None, _) => reasons.push(format!(
                "{name}: no `=== BEGIN {name} ===` line in noyau's log (the runner did not \
                 start it)"
            )),
            (Some(section), 0) => reasons.extend(compare(run, section)),
            (Some(_), more) => reasons.push(format!(
                "{name}: noyau's log has {} sections for it, one was expected",
                more + 1
            )),
        }
    }
    reasons
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("      {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    fn run(text: &str, status: i32) -> Run {
        Run {
            lines: lines(text),
            status,
        }
    }

    const LOG: &str = "\
[    0.025628] Run /sbin/runner as init process
=== BEGIN diff_a ===
a: one
[    0.031693] noyau: diff_a[2]: system call 14 (rt_sigprocmask) is not implemented (ENOSYS)
~ took 12 ms

a: two
=== END diff_a status 0 ===
[    0.040000] between the tests
=== BEGIN diff_b ===
b: no newline at the end=== END diff_b status 11 ===
=== BEGIN diff_c ===
=== END diff_a status 0 ===
c: cut short
";

    #[test]
    fn the_log_splits_at_the_markers_without_printk_lines() {
        let sections = split_log(LOG);
        assert_eq!(
            sections,
            [
                Section {
                    name: "diff_a".into(),
                    lines: lines("a: one\n~ took 12 ms\n\na: two"),
                    status: Some(0),
                },
                Section {
                    name: "diff_b".into(),
                    lines: lines("b: no newline at the end"),
                    status: Some(11),
                },
                Section {
                    name: "diff_c".into(),
                    lines: lines("=== END diff_a status 0 ===\nc: cut short"),
                    status: None,
                },
            ]
        );
    }

    #[test]
    fn a_begin_inside_a_section_ends_it_unfinished() {
        let log = "=== BEGIN x ===\nx1\n=== BEGIN y ===\ny1\n=== END y status 256 ===\n";
        let sections = split_log(log);
        assert_eq!(sections.len(), 2);
        assert_eq!((sections[0].status, sections[1].status), (None, Some(256)));
        assert_eq!(sections[1].lines, ["y1"]);
        assert!(split_log("no markers\n[    1.0] at all\n").is_empty());
    }

    #[test]
    fn equal_runs_and_machine_specific_lines_pass() {
        let sections = split_log(LOG);
        let linux = run("a: one\n~ took 3 ms\n\na: two", 0);
        assert_eq!(compare(&linux, &sections[0]), Vec::<String>::new());
        let linux = run("b: no newline at the end", 11);
        assert!(compare(&linux, &sections[1]).is_empty());
    }

    #[test]
    fn a_changed_line_fails_with_a_unified_diff() {
        let sections = split_log(LOG);
        let linux = run("a: one\n~ took 3 ms\n\na: 2", 0);
        let reasons = compare(&linux, &sections[0]);
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        let expected = "diff_a: noyau's output differs from Linux's (`-` Linux, `+` noyau; \
                        lines starting with `~ ` are not compared):\n      \
                        @@ -1,4 +1,4 @@\n       a: one\n       ~ took 3 ms\n       \n      \
                        -a: 2\n      +a: two";
        assert_eq!(reasons[0], expected);
    }

    #[test]
    fn a_machine_specific_line_must_still_be_there() {
        let section = Section {
            name: "t".into(),
            lines: lines("x\ny"),
            status: Some(0),
        };
        let reasons = compare(&run("x\n~ 5\ny", 0), &section);
        assert!(reasons[0].contains("-~ 5"), "{reasons:?}");
    }

    #[test]
    fn a_different_status_and_a_missing_end_are_reasons() {
        let sections = split_log(LOG);
        let reasons = compare(&run("b: no newline at the end", 0), &sections[1]);
        assert_eq!(
            reasons,
            ["diff_b: wait status 0 (exited 0) on Linux, 11 (killed by signal 11) on noyau"]
        );
        let linux = run("=== END diff_a status 0 ===\nc: cut short\nc: done", 0);
        let reasons = compare(&linux, &sections[2]);
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].contains("no `=== END diff_c ...` line"));
        assert!(reasons[1].contains("-c: done"));
    }

    #[test]
    fn every_listed_test_needs_one_section_and_a_host_run() {
        let linux = vec![
            ("diff_a".to_string(), Ok(run("a: one\n~ x\n\na: two", 0))),
            ("diff_b".to_string(), Err("no such file".to_string())),
            ("diff_d".to_string(), Ok(run("", 0))),
        ];
        let reasons = check(LOG, &linux);
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert_eq!(
            reasons[0],
            "diff_b: could not run on the host: no such file"
        );
        assert!(reasons[1].starts_with("diff_d: no `=== BEGIN diff_d ===` line"));

        let twice = "=== BEGIN t ===\n=== END t status 0 ===\n=== BEGIN t ===\n";
        let reasons = check(twice, &[("t".to_string(), Ok(run("", 0)))]);
        assert_eq!(
            reasons,
            ["t: noyau's log has 2 sections for it, one was expected"]
        );
    }

    #[test]
    fn statuses_are_described_as_wait_macros_read_them() {
        assert_eq!(describe_status(0), "exited 0");
        assert_eq!(describe_status(255 << 8), "exited 255");
        assert_eq!(describe_status(11), "killed by signal 11");
        assert_eq!(describe_status(0x137f), "stopped (raw 0x137f)");
    }

    #[test]
    fn the_runner_gets_the_tests_after_the_scenario_s_own_words() {
        let tests = ["diff_fork".to_string(), "diff_mmap".to_string()];
        assert_eq!(
            command_line("", &tests),
            "rdinit=/sbin/runner -- diff_fork diff_mmap"
        );
        assert_eq!(
            command_line("quiet", &tests),
            "quiet rdinit=/sbin/runner -- diff_fork diff_mmap"
        );
    }

    fn shell(script: &str) -> Result<Run> {
        let mut command = Command::new("/bin/sh");
        command.arg0("/bin/t").arg("-c").arg(script);
        run_command(command, Duration::from_secs(10))
    }

    #[test]
    fn a_host_run_sees_init_s_environment_and_one_output() {
        let run = shell("echo out; echo err >&2; echo \"$HOME $TERM $PWD\"").unwrap();
        assert_eq!(run.lines, ["out", "err", "/ linux /"]);
        assert_eq!(run.status, 0);
    }

    #[test]
    fn a_host_run_gives_the_raw_wait_status() {
        assert_eq!(shell("exit 3").unwrap().status, 3 << 8);
        assert_eq!(shell("kill -TERM $$").unwrap().status, 15);
    }

    #[test]
    fn a_host_run_that_hangs_is_killed() {
        let mut command = Command::new("/bin/sleep");
        command.arg("30");
        let started = Instant::now();
        let err = run_command(command, Duration::from_millis(200)).unwrap_err();
        assert!(format!("{err:#}").contains("still running"), "{err:#}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
