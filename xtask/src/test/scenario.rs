//! Boot scenario files, tests/boot/*.toml: how to boot (path, memory, CPUs,
//! command line, initramfs, time limit), how QEMU must end, and what the
//! serial log must and must not show. tests/boot/README.md documents the format.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use regex::Regex;
use serde::Deserialize;

use super::checks::Check;
use super::differential;
use crate::qemu::{self, Boot};
use crate::{cmdline, user};

/// How QEMU must end.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Exit {
    /// The kernel powered off (QEMU status 1).
    #[default]
    Poweroff,
    /// The kernel halted after a panic (QEMU status 3).
    Panic,
    /// The kernel reset the machine on purpose: QEMU status 0 (under
    /// -no-reboot) after `reboot: Restarting system`.
    Reboot,
}

impl Exit {
    /// The name a scenario file uses.
    pub fn name(self) -> &'static str {
        match self {
            Exit::Poweroff => "poweroff",
            Exit::Panic => "panic",
            Exit::Reboot => "reboot",
        }
    }
}

/// A scenario file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    description: String,
    #[serde(default)]
    boot: Boot,
    #[serde(default = "default_mem")]
    mem: String,
    #[serde(default = "default_smp")]
    smp: u32,
    #[serde(default)]
    append: String,
    #[serde(default)]
    init: Option<String>,
    #[serde(default = "default_timeout")]
    timeout: u64,
    #[serde(default)]
    exit: Exit,
    #[serde(default)]
    expect: Vec<String>,
    #[serde(default)]
    reject: Vec<String>,
    #[serde(default)]
    checks: Vec<String>,
    #[serde(default)]
    differential: Vec<String>,
    #[serde(default)]
    input: Vec<String>,
}

fn default_mem() -> String {
    "256M".into()
}

fn default_smp() -> u32 {
    1
}

fn default_timeout() -> u64 {
    60
}

/// A scenario, checked and ready to run.
#[derive(Debug)]
pub struct Scenario {
    /// The file name without `.toml`.
    pub name: String,
    pub description: String,
    pub boot: Boot,
    /// Guest memory in bytes.
    pub mem: u64,
    pub smp: u32,
    pub append: String,
    /// The user program booted as /init from a test initramfs, if any.
    pub init: Option<String>,
    pub timeout: Duration,
    pub exit: Exit,
    pub expect: Vec<Regex>,
    pub reject: Vec<Regex>,
    pub checks: Vec<Check>,
    /// Test programs run on the host and, under /sbin/runner, on noyau,
    /// whose outputs must agree; `init` is then the runner's image and
    /// `append` ends with `rdinit=/sbin/runner -- <the tests>`.
    pub differential: Vec<String>,
    /// Text typed on the serial console, one string every INPUT_GAP after
    /// boot, as a person at the terminal would (control characters in
    /// TOML escapes: "\u0003" is Ctrl-C).
    pub input: Vec<String>,
}

/// The time between two strings of a scenario's `input`.
pub const INPUT_GAP: Duration = Duration::from_secs(3);

/// Reads and checks one scenario; `name` is used in messages and log names.
pub fn parse(name: &str, text: &str) -> Result<Scenario> {
    let file: File = toml::from_str(text).context("not a valid scenario")?;
    if file.description.trim().is_empty() {
        bail!("`description` is empty: say what the scenario shows");
    }
    if file.smp == 0 || file.smp > 255 {
        bail!("`smp` must be between 1 and 255");
    }
    if file.timeout == 0 {
        bail!("`timeout` must be at least 1 second");
    }
    if let Some(init) = &file.init {
        user::check_name(init).context("`init`")?;
    }
    let (init, append) = match file.differential.is_empty() {
        true => (file.init, file.append),
        false => differential_boot(&file)?,
    };
    match file.boot {
        Boot::Pvh => cmdline::check(&append),
        Boot::Iso | Boot::Uefi => cmdline::check_for_grub(&append),
    }
    .context("`append`")?;
    let compile = |field: &str, patterns: &[String]| -> Result<Vec<Regex>> {
        patterns
            .iter()
            .map(|p| Regex::new(p).with_context(|| format!("`{field}`: bad regex {p:?}")))
            .collect()
    };
    let checks = file
        .checks
        .iter()
        .map(|check| {
            Check::from_name(check).with_context(|| {
                let known: Vec<_> = Check::ALL.iter().map(|c| c.name()).collect();
                format!(
                    "`checks`: unknown check {check:?} (known: {})",
                    known.join(", ")
                )
            })
        })
        .collect::<Result<_>>()?;

    Ok(Scenario {
        name: name.to_string(),
        description: file.description,
        boot: file.boot,
        mem: qemu::parse_size(&file.mem).context("`mem`")?,
        smp: file.smp,
        append,
        init,
        timeout: Duration::from_secs(file.timeout),
        exit: file.exit,
        expect: compile("expect", &file.expect)?,
        reject: compile("reject", &file.reject)?,
        checks,
        differential: file.differential,
        input: file.input,
    })
}

/// The image and command line of a differential scenario: the runner's,
/// with the tests as init's arguments after the scenario's `append`.
fn differential_boot(file: &File) -> Result<(Option<String>, String)> {
    if file.init.is_some() {
        bail!(
            "`init`: a `differential` scenario boots {}; leave `init` out",
            differential::RUNNER_PATH
        );
    }
    for (i, name) in file.differential.iter().enumerate() {
        user::check_name(name).context("`differential`")?;
        if file.differential[..i].contains(name) {
            bail!("`differential`: {name:?} is listed twice");
        }
    }
    let words: Vec<_> = file.append.split_whitespace().collect();
    if words
        .iter()
        .any(|w| *w == "--" || w.starts_with("rdinit=") || w.starts_with("init="))
    {
        bail!("`append`: a `differential` scenario sets `rdinit=` and the words after `--` itself");
    }
    let append = differential::command_line(&file.append, &file.differential);
    Ok((Some(differential::RUNNER.to_string()), append))
}

/// Every `*.toml` in `dir`, sorted by name, each parsed or with its error.
pub fn load_dir(dir: &Path) -> Result<Vec<(String, Result<Scenario>)>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("reading the folder {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    files.sort();

    let load = |path: &Path| {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let scenario = std::fs::read_to_string(path)
            .with_context(|| format!("reading {}", path.display()))
            .and_then(|text| parse(&name, &text));
        (name, scenario)
    };
    Ok(files.iter().map(|path| load(path)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_a_minimal_file() {
        let s = parse("min", "description = \"boots\"").unwrap();
        assert_eq!(
            (s.name.as_str(), s.boot, s.exit),
            ("min", Boot::Pvh, Exit::Poweroff)
        );
        assert_eq!((s.mem, s.smp), (256 << 20, 1));
        assert_eq!(
            (s.append.as_str(), s.timeout),
            ("", Duration::from_secs(60))
        );
        assert!(s.expect.is_empty() && s.reject.is_empty() && s.checks.is_empty());
        assert_eq!(s.init, None);
        assert!(s.differential.is_empty());
    }

    #[test]
    fn a_differential_scenario_boots_the_runner_with_its_tests() {
        let text = r#"
            description = "diff"
            append = "quiet"
            differential = ["diff_fork", "diff_mmap"]
        "#;
        let s = parse("diff", text).unwrap();
        assert_eq!(s.differential, ["diff_fork", "diff_mmap"]);
        assert_eq!(s.init.as_deref(), Some("runner"));
        assert_eq!(s.append, "quiet rdinit=/sbin/runner -- diff_fork diff_mmap");

        let err = |text: &str| format!("{:#}", parse("bad", text).unwrap_err());
        let base = "description = \"x\"\ndifferential = [\"a\"]";
        assert!(err(&format!("{base}\ninit = \"hello\"")).contains("leave `init` out"));
        assert!(err(&format!("{base}\nappend = \"rdinit=/x\"")).contains("`append`"));
        assert!(err(&format!("{base}\nappend = \"a -- b\"")).contains("`append`"));
        let twice = "description = \"x\"\ndifferential = [\"a\", \"a\"]";
        assert!(err(twice).contains("listed twice"));
        let bad = "description = \"x\"\ndifferential = [\"a/b\"]";
        assert!(err(bad).contains("`differential`"));
        let long = format!("description = \"x\"\ndifferential = [{}]", {
            let names: Vec<_> = (0..300).map(|i| format!("\"test_{i}\"")).collect();
            names.join(", ")
        });
        assert!(err(&long).contains("COMMAND_LINE_SIZE"));
    }

    #[test]
    fn every_field_is_read() {
        let text = r#"
            description = "the oops names the function"
            boot = "uefi"
            mem = "2G"
            smp = 2
            append = 'noyau.test=page-fault  quoted="a b"'
            init = "hello"
            timeout = 120
            exit = "panic"
            expect = ['BUG: unable', '#PF: error_code\(0x0000\)']
            reject = ['BIOS-e820']
            checks = ["memory-total", "timer-100ms"]
        "#;
        let s = parse("oops", text).unwrap();
        assert_eq!((s.boot, s.mem, s.smp), (Boot::Uefi, 2 << 30, 2));
        assert_eq!(s.append, "noyau.test=page-fault  quoted=\"a b\"");
        assert_eq!(s.init.as_deref(), Some("hello"));
        assert_eq!((s.timeout.as_secs(), s.exit), (120, Exit::Panic));
        assert!(s.expect[1].is_match("#PF: error_code(0x0000) - not-present page"));
        assert_eq!(s.reject.len(), 1);
        assert_eq!(s.checks, [Check::MemoryTotal, Check::Timer100ms]);
    }

    #[test]
    fn mistakes_are_reported() {
        let err = |text: &str| format!("{:#}", parse("bad", text).unwrap_err());
        assert!(err("boot = \"pvh\"").contains("description"));
        assert!(err("description = \"x\"\nbot = \"pvh\"").contains("bot"));
        assert!(err("description = \"x\"\nboot = \"floppy\"").contains("floppy"));
        assert!(err("description = \"x\"\nexit = \"crash\"").contains("crash"));
        assert!(err("description = \"x\"\nexpect = ['(']").contains("bad regex"));
        assert!(err("description = \"x\"\nchecks = ['memory']").contains("known: memory-total"));
        assert!(err("description = \"x\"\nmem = \"lots\"").contains("mem"));
        assert!(err("description = \"x\"\nmem = \"256M \"").contains("mem"));
        assert!(err("description = \"x\"\ntimeout = 0").contains("timeout"));
        assert!(err("description = \"x\"\nsmp = 0").contains("smp"));
        assert!(err("description = \" \"").contains("empty"));
        assert!(err("description = \"x\"\ninit = \"hello.c\"").contains("`init`"));
        assert!(err("description = \"x\"\ninit = \"\"").contains("`init`"));
        assert!(err("description = \"x\"\ninit = 1").contains("init"));
    }

    #[test]
    fn the_command_line_is_checked_for_its_boot_path() {
        let err = |text: &str| format!("{:#}", parse("bad", text).unwrap_err());
        let long = format!("description = \"x\"\nappend = \"{}\"", "a".repeat(2048));
        assert!(err(&long).contains("COMMAND_LINE_SIZE"));
        let tab = "description = \"x\"\nappend = \"a\\tb\"";
        assert!(parse("ok", tab).is_ok());
        let tab = format!("{tab}\nboot = \"iso\"");
        assert!(err(&tab).contains("`append`: the kernel command line holds"));
    }

    #[test]
    fn the_shipped_scenarios_parse() {
        let scenarios = load_dir(&crate::paths::scenarios_dir()).unwrap();
        assert!(!scenarios.is_empty());
        let sources = user::all_sources().unwrap();
        let kind = |program: &str| sources.iter().find(|s| s.name == program).map(|s| s.kind);
        for (name, scenario) in scenarios {
            let scenario = scenario.unwrap_or_else(|err| panic!("tests/boot/{name}.toml: {err:#}"));
            if let Some(init) = scenario.init {
                assert!(
                    kind(&init).is_some(),
                    "tests/boot/{name}.toml: no program {init}"
                );
            }
            for test in scenario.differential {
                assert_eq!(
                    kind(&test),
                    Some(user::Kind::Test),
                    "tests/boot/{name}.toml: no user/tests/{test}.c"
                );
            }
        }
    }
}
