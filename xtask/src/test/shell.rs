//! Shell-session tests, tests/shell/*.sh: each script is typed into the
//! console of the default system (`cargo xtask run`'s image) on noyau and
//! on Debian's Linux kernel in the same QEMU with the same initramfs; the
//! two sessions, normalised for what is machine-specific, must be equal.

use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};

use super::normalise;
use super::session::{self, Transcript};
use super::unified_diff::unified_diff;
use super::{Options, Tally};
use crate::qemu::{Boot, Machine};
use crate::{bench, build, deps, paths, progress, system, user};

/// Both kernels get this command line: the console on the serial port (the
/// default for noyau, needed by Linux) and no boot chatter on it.
pub const CMDLINE: &str = "console=ttyS0 quiet";

/// The guest of both runs, as `cargo xtask run` makes it by default.
const MEM: u64 = 256 << 20;

/// The folder of the scripts.
pub fn scripts_dir() -> PathBuf {
    paths::root().join("tests").join("shell")
}

/// Every tests/shell/*.sh, sorted, as (name, path).
pub fn scripts() -> Result<Vec<(String, PathBuf)>> {
    let dir = scripts_dir();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "sh") {
            let name = path.file_stem().unwrap_or_default().to_string_lossy();
            found.push((name.into_owned(), path));
        }
    }
    found.sort();
    Ok(found)
}

/// The two machines: noyau and Linux, each with its image of the system.
struct Machines {
    noyau: Machine,
    linux: Machine,
}

fn machine(image: PathBuf, initrd: PathBuf) -> Machine {
    Machine {
        boot: Boot::Pvh,
        image,
        append: CMDLINE.into(),
        initrd: Some(initrd),
        mem: MEM,
        smp: 1,
        gdb: false,
    }
}

fn prepare() -> Result<Machines> {
    deps::ensure_packages(deps::SHELL_PACKAGES)?;
    let vmlinuz = bench::linux_image()?;
    let kernel = build::kernel(build::Output::Capture)?;
    let programs = user::build()?;
    Ok(Machines {
        noyau: machine(kernel, system::ensure(&programs)?),
        linux: machine(
            vmlinuz.clone(),
            system::ensure_for_linux(&vmlinuz, &programs)?,
        ),
    })
}

/// Runs the selected scripts (`shell/NAME`), each counted once.
pub fn run(options: &Options, tally: &mut Tally) -> Result<()> {
    let scripts: Vec<_> = scripts()?
        .into_iter()
        .filter(|(name, _)| options.selects(&format!("shell/{name}")))
        .collect();
    if scripts.is_empty() {
        return Ok(());
    }
    if options.stop_now(tally) {
        let names = scripts.iter().map(|(name, _)| format!("shell/{name}"));
        tally.skipped.extend(names);
        return Ok(());
    }
    let machines = match prepare() {
        Ok(machines) => machines,
        Err(err) => {
            println!("shell/prepare ... FAILED\n    {err:#}");
            tally.fail("shell/prepare".into());
            return Ok(());
        }
    };
    for (name, path) in scripts {
        if options.stop_now(tally) {
            tally.skipped.push(format!("shell/{name}"));
            continue;
        }
        let spinner = progress::spinner(format!("shell/{name}: noyau and Linux"));
        let verdict = one(&name, &path, &machines, options.jobs > 1);
        spinner.clear();
        match verdict {
            Ok(passed) if passed.is_empty() => tally.passed += 1,
            Ok(reasons) => {
                for reason in reasons {
                    println!("    {}", reason.replace('\n', "\n    "));
                }
                tally.fail(format!("shell/{name}"));
            }
            Err(err) => {
                println!("shell/{name} ... FAILED\n    {err:#}");
                tally.fail(format!("shell/{name}"));
            }
        }
    }
    Ok(())
}

/// One script on both kernels (at once when `parallel`); the reasons it
/// failed, empty when it passed (its line printed either way).
fn one(name: &str, path: &Path, machines: &Machines, parallel: bool) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path:?}"))?;
    let steps = session::parse(&text).with_context(|| format!("{}", path.display()))?;
    let (noyau, linux) = match parallel {
        true => thread::scope(|scope| {
            let linux = scope.spawn(|| session::run(&machines.linux, &steps));
            let noyau = session::run(&machines.noyau, &steps);
            (noyau, linux.join().expect("the Linux run does not panic"))
        }),
        false => (
            session::run(&machines.noyau, &steps),
            session::run(&machines.linux, &steps),
        ),
    };
    let (noyau, linux) = (noyau?, linux?);
    let logs = save(name, &noyau, &linux)?;

    let mut reasons = Vec::new();
    for (kernel, run) in [("noyau", &noyau), ("Linux", &linux)] {
        if let Some(why) = &run.failure {
            reasons.push(format!("{kernel}: {why}"));
        }
    }
    // noyau powers off through isa-debug-exit (1), Linux through ACPI (0).
    if noyau.failure.is_none() && noyau.status != Some(1) {
        reasons.push(format!(
            "noyau: QEMU ended with {:?}, not 1 (poweroff)",
            noyau.status
        ));
    }
    if linux.failure.is_none() && linux.status != Some(0) {
        reasons.push(format!(
            "Linux: QEMU ended with {:?}, not 0 (poweroff)",
            linux.status
        ));
    }
    let old = normalise::session(linux.session_text());
    let new = normalise::session(noyau.session_text());
    if reasons.is_empty() && old != new {
        let diff = unified_diff(&old, &new, |a, b| a == b);
        reasons.push(format!(
            "the sessions differ after normalisation (`-` Linux, `+` noyau):\n{diff}"
        ));
    }

    let times = prompt_times(&noyau, &linux);
    match reasons.is_empty() {
        true => println!("shell/{name} ... ok ({} lines; {times})", new.len()),
        false => {
            println!("shell/{name} ... FAILED ({times})");
            reasons.push(format!("logs: {logs}"));
        }
    }
    Ok(reasons)
}

/// `first prompt: noyau 1.2 s, Linux 6.0 s (0.20)`, as far as known.
fn prompt_times(noyau: &Transcript, linux: &Transcript) -> String {
    let shown = |t: Option<Duration>| t.map_or("-".into(), progress::seconds);
    let ratio = match (noyau.first_prompt, linux.first_prompt) {
        (Some(n), Some(l)) if !l.is_zero() => {
            format!(" ({:.2})", n.as_secs_f64() / l.as_secs_f64())
        }
        _ => String::new(),
    };
    format!(
        "first prompt: noyau {}, Linux {}{ratio}",
        shown(noyau.first_prompt),
        shown(linux.first_prompt)
    )
}

/// Keeps both consoles and both normalised sessions in target/noyau/logs;
/// returns the names for a message.
fn save(name: &str, noyau: &Transcript, linux: &Transcript) -> Result<String> {
    let dir = paths::logs_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut names = Vec::new();
    for (kernel, run) in [("noyau", noyau), ("linux", linux)] {
        let raw = dir.join(format!("shell-{name}-{kernel}.log"));
        std::fs::write(&raw, &run.serial).with_context(|| format!("writing {raw:?}"))?;
        let session = dir.join(format!("shell-{name}-{kernel}.session"));
        let lines = normalise::session(run.session_text());
        std::fs::write(&session, lines.join("\n") + "\n")
            .with_context(|| format!("writing {session:?}"))?;
        names.push(paths::relative(&session).display().to_string());
    }
    Ok(names.join(", ") + " (and .log beside them)")
}

/// The steps of every script, for the unit tests.
#[cfg(test)]
fn all_steps() -> Vec<(String, Result<Vec<session::Step>>)> {
    scripts()
        .unwrap()
        .into_iter()
        .map(|(name, path)| {
            let text = std::fs::read_to_string(path).unwrap();
            (name, session::parse(&text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_parses_and_ends_with_poweroff() {
        let all = all_steps();
        assert!(!all.is_empty());
        for (name, steps) in all {
            let steps = steps.unwrap_or_else(|err| panic!("tests/shell/{name}.sh: {err:#}"));
            let last = steps.last().unwrap();
            assert_eq!(last.keys, "poweroff\n", "tests/shell/{name}.sh");
        }
    }
}
