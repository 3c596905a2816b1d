//! `cargo xtask test`: host tests, lints, then boot scenarios in QEMU, each
//! counted as passed or failed. The last line printed is `N passed, M failed`
//! and the command fails when M > 0.

mod boot;
mod checks;
mod differential;
mod host;
mod normalise;
mod scenario;
mod session;
mod shell;
mod tmux;
mod unified_diff;

use anyhow::Result;

use crate::{deps, paths};

/// The command line of `cargo xtask test`.
pub struct Options {
    /// Run only the checks whose name contains this.
    pub filter: Option<String>,
    /// Boot scenarios at once.
    pub jobs: usize,
    /// Go on after a failure.
    pub keep_going: bool,
}

impl Options {
    /// Whether the check called `name` (host, lint/fmt, boot/pvh-256m) is wanted.
    pub fn selects(&self, name: &str) -> bool {
        self.filter
            .as_deref()
            .is_none_or(|filter| name.contains(filter))
    }

    /// Whether to start nothing more: something failed and --keep-going is off.
    pub fn stop_now(&self, tally: &Tally) -> bool {
        !self.keep_going && !tally.failed.is_empty()
    }
}

/// The running totals.
#[derive(Default)]
pub struct Tally {
    pub passed: usize,
    /// The names of the failed checks, in order.
    pub failed: Vec<String>,
    /// Checks not started because an earlier one failed.
    pub skipped: Vec<String>,
}

impl Tally {
    pub fn fail(&mut self, name: String) {
        self.failed.push(name);
    }
}

/// Runs the selected checks; true when none failed.
pub fn run(options: &Options) -> Result<bool> {
    let scenarios: Vec<_> = scenario::load_dir(&paths::scenarios_dir())?
        .into_iter()
        .filter(|(name, _)| options.selects(&format!("boot/{name}")))
        .collect();
    let host = options.selects("host");
    let lints = [
        "lint/fmt",
        "lint/clippy",
        "lint/clippy-kernel",
        "lint/benches",
    ];
    let lint = lints.iter().any(|name| options.selects(name));
    let shells = shell::scripts()?
        .iter()
        .any(|(name, _)| options.selects(&format!("shell/{name}")));
    let interactive = options.selects(tmux::NAME);
    if !host && !lint && scenarios.is_empty() && !shells && !interactive {
        println!(
            "no check matches --filter {:?}",
            options.filter.as_deref().unwrap_or("")
        );
        println!("0 passed, 0 failed");
        return Ok(false);
    }
    if !scenarios.is_empty() || shells || interactive {
        deps::ensure()?;
    }

    let mut tally = Tally::default();
    if host {
        host::tests(&mut tally)?;
    }
    if lint {
        host::lints(options, &mut tally)?;
    }
    boot::run(scenarios, options, &mut tally);
    shell::run(options, &mut tally)?;
    tmux::run(options, &mut tally);
    if !tally.skipped.is_empty() {
        println!(
            "not run after the first failure (--keep-going runs them): {}",
            tally.skipped.join(", ")
        );
    }

    if !tally.failed.is_empty() {
        println!("failed: {}", tally.failed.join(", "));
    }
    println!("{} passed, {} failed", tally.passed, tally.failed.len());
    Ok(tally.failed.is_empty())
}
