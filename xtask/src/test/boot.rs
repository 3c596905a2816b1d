//! Boot scenarios in QEMU: build the kernel, the user programs, the initramfs
//! and GRUB images they need, boot them in parallel (each under its own time
//! limit), judge each serial log (against the host's runs of the test
//! programs, for a differential scenario), print `boot/<name> ... ok` or
//! `... FAILED`, keep the logs.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::Duration;

use anyhow::Result;

use super::checks;
use super::differential::{self, Run};
use super::scenario::{self, Exit, Scenario};
use super::{Options, Tally};
use crate::qemu::{self, Boot, Ending, Machine};
use crate::{build, initramfs, iso, paths, progress, user};

/// Lines of the serial log shown for a failed scenario.
const TAIL: usize = 40;

/// What one scenario came to.
struct Verdict {
    /// Empty when the scenario passed.
    reasons: Vec<String>,
    /// The cleaned serial log.
    log: String,
    elapsed: Duration,
}

/// Runs the scenarios (already filtered); files that did not parse fail at once.
pub fn run(scenarios: Vec<(String, Result<Scenario>)>, options: &Options, tally: &mut Tally) {
    let mut ready = Vec::new();
    for (name, scenario) in scenarios {
        match scenario {
            Ok(scenario) => ready.push(scenario),
            Err(err) => {
                println!("boot/{name} ... FAILED\n    tests/boot/{name}.toml: {err:#}");
                tally.fail(format!("boot/{name}"));
            }
        }
    }
    if ready.is_empty() {
        return;
    }
    if options.stop_now(tally) {
        tally
            .skipped
            .extend(ready.iter().map(|s| format!("boot/{}", s.name)));
        return;
    }

    let kernel = match build::kernel(build::Output::Capture) {
        Ok(kernel) => kernel,
        Err(err) => {
            println!("boot/kernel-build ... FAILED\n    {err:#}");
            tally.fail("boot/kernel-build".into());
            return;
        }
    };
    let media = media(&kernel, &ready, tally);

    eprintln!(
        "boot: {} scenarios, up to {} at once",
        ready.len(),
        options.jobs
    );
    let ran = run_parallel(&ready, &media, options, tally);
    let not_run = ready.iter().filter(|s| !ran.contains(&s.name));
    tally
        .skipped
        .extend(not_run.map(|s| format!("boot/{}", s.name)));
}

/// What QEMU boots for one scenario: the kernel or a GRUB image, and the
/// initramfs (passed with -initrd under PVH, inside the image under GRUB);
/// and the test programs a differential scenario also runs on the host.
#[derive(Clone)]
struct Media {
    image: PathBuf,
    initrd: Option<PathBuf>,
    differential: Vec<user::Program>,
}

/// Each scenario's media, or why there are none, by scenario name. The user
/// programs are built once if a scenario has an `init` (a failure is
/// reported once, as boot/user-build); each initramfs and each GRUB image
/// is made once, however many scenarios share it.
fn media(
    kernel: &Path,
    scenarios: &[Scenario],
    tally: &mut Tally,
) -> HashMap<String, Result<Media, String>> {
    let programs = match scenarios.iter().any(|s| s.init.is_some()) {
        false => Ok(Vec::new()),
        true => user::build().map_err(|err| {
            println!("boot/user-build ... FAILED\n    {err:#}");
            tally.fail("boot/user-build".into());
            "the user programs did not build (see boot/user-build)".to_string()
        }),
    };
    let mut initrds = HashMap::new();
    let mut images = HashMap::new();
    let mut media = HashMap::new();
    for scenario in scenarios {
        let initrd = scenario.init.as_ref().map(|init| {
            let made = initrds.entry(init.clone()).or_insert_with(|| {
                let programs = programs.as_ref().map_err(Clone::clone)?;
                initramfs::ensure(programs, init).map_err(|err| format!("no initramfs: {err:#}"))
            });
            made.clone()
        });
        let initrd = match initrd.transpose() {
            Ok(initrd) => initrd,
            Err(err) => {
                media.insert(scenario.name.clone(), Err(err));
                continue;
            }
        };
        let tests = match differential_tests(scenario, programs.as_deref().unwrap_or(&[])) {
            Ok(tests) => tests,
            Err(err) => {
                media.insert(scenario.name.clone(), Err(err));
                continue;
            }
        };
        let image = match scenario.boot {
            Boot::Pvh => Ok(kernel.to_path_buf()),
            Boot::Iso | Boot::Uefi => grub_image(kernel, scenario, initrd.as_deref(), &mut images),
        };
        let made = image.map(|image| Media {
            image,
            initrd,
            differential: tests,
        });
        media.insert(scenario.name.clone(), made);
    }
    media
}

/// The programs of a scenario's `differential` list, each a test program
/// (user/tests/), not a tool.
fn differential_tests(
    scenario: &Scenario,
    programs: &[user::Program],
) -> Result<Vec<user::Program>, String> {
    let find = |name: &String| match user::find(programs, name) {
        Ok(program) if program.kind == user::Kind::Test => Ok(program.clone()),
        Ok(_) => Err(format!(
            "`differential`: {name} is a tool (user/init/), not a test program"
        )),
        Err(err) => Err(format!("`differential`: {err:#}")),
    };
    scenario.differential.iter().map(find).collect()
}

/// The GRUB image for a scenario, made once per command line and initramfs.
fn grub_image(
    kernel: &Path,
    scenario: &Scenario,
    initrd: Option<&Path>,
    images: &mut HashMap<iso::Spec, Result<PathBuf, String>>,
) -> Result<PathBuf, String> {
    let spec = iso::Spec::with_initramfs(&scenario.append, initrd)
        .map_err(|err| format!("no GRUB image: {err:#}"))?;
    match images.entry(spec) {
        Entry::Occupied(entry) => entry.get().clone(),
        Entry::Vacant(entry) => {
            let image =
                iso::ensure(kernel, entry.key()).map_err(|e| format!("no GRUB image: {e:#}"));
            entry.insert(image).clone()
        }
    }
}

/// Boots up to `options.jobs` scenarios at a time, printing each verdict as it
/// comes; returns the names of those that ran.
fn run_parallel(
    scenarios: &[Scenario],
    media: &HashMap<String, Result<Media, String>>,
    options: &Options,
    tally: &mut Tally,
) -> Vec<String> {
    let queue = Mutex::new(scenarios.iter());
    let stop = AtomicBool::new(false);
    let (send, receive) = mpsc::channel();
    let mut ran = Vec::new();

    thread::scope(|scope| {
        for _ in 0..options.jobs.min(scenarios.len()) {
            let (queue, stop, send) = (&queue, &stop, send.clone());
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let next = queue.lock().map(|mut queue| queue.next());
                let Ok(Some(scenario)) = next else { break };
                let verdict = attempt(scenario, media.get(&scenario.name));
                if !verdict.reasons.is_empty() && !options.keep_going {
                    stop.store(true, Ordering::Relaxed);
                }
                if send.send((scenario, verdict)).is_err() {
                    break;
                }
            });
        }
        drop(send);

        for (scenario, verdict) in receive {
            ran.push(scenario.name.clone());
            report(scenario, &verdict, tally);
        }
    });
    ran
}

/// Boots one scenario on its media and judges it.
fn attempt(scenario: &Scenario, media: Option<&Result<Media, String>>) -> Verdict {
    let failed = |reason: String| Verdict {
        reasons: vec![reason],
        log: String::new(),
        elapsed: Duration::ZERO,
    };
    let media = match media {
        Some(Ok(media)) => media.clone(),
        Some(Err(err)) => return failed(err.clone()),
        None => return failed("nothing was prepared to boot this scenario".into()),
    };
    let linux = run_on_host(&media.differential);
    let machine = Machine {
        boot: scenario.boot,
        image: media.image,
        append: scenario.append.clone(),
        initrd: media.initrd,
        mem: scenario.mem,
        smp: scenario.smp,
        gdb: false,
    };
    let outcome = match qemu::run_captured(
        &machine,
        scenario.timeout,
        &scenario.input,
        scenario::INPUT_GAP,
    ) {
        Ok(outcome) => outcome,
        Err(err) => return failed(format!("{err:#}")),
    };

    let log = checks::clean_log(&outcome.serial);
    let mut reasons = judge(scenario, &outcome.ending, &log);
    if !scenario.differential.is_empty() {
        reasons.extend(differential::check(&log, &linux));
    }
    if !reasons.is_empty() {
        let said = outcome
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(5);
        reasons.extend(said.map(|line| format!("QEMU said: {line}")));
    }
    if let Err(err) = save_log(&scenario.name, &log) {
        reasons.push(err);
    }
    Verdict {
        reasons,
        log,
        elapsed: outcome.elapsed,
    }
}

/// Each differential test's run on the host, or why it could not run.
fn run_on_host(tests: &[user::Program]) -> Vec<(String, Result<Run, String>)> {
    let run = |test: &user::Program| {
        let run = differential::run_on_host(test).map_err(|err| format!("{err:#}"));
        (test.name.clone(), run)
    };
    tests.iter().map(run).collect()
}

/// Everything wrong with a run: how it ended, then the log's contents.
fn judge(scenario: &Scenario, ending: &Ending, log: &str) -> Vec<String> {
    let mut reasons = Vec::new();
    let wanted = match scenario.exit {
        Exit::Poweroff => Ending::PowerOff,
        Exit::Panic => Ending::Panic,
        Exit::Reboot => Ending::Reboot,
    };
    match ending {
        Ending::TimedOut(limit) => reasons.push(format!(
            "QEMU was still running after the scenario's timeout of {} s",
            limit.as_secs()
        )),
        Ending::Failed(why) => reasons.push(why.clone()),
        Ending::Reset => reasons.push(qemu::UNASKED_RESET.into()),
        ending if *ending != wanted => reasons.push(format!(
            "QEMU ended with {}, expected {} (exit = \"{}\")",
            describe(ending),
            describe(&wanted),
            scenario.exit.name()
        )),
        _ => {}
    }

    reasons.extend(checks::expect_in_order(log, &scenario.expect).err());
    reasons.extend(checks::reject_all(log, &scenario.reject).err());
    for check in &scenario.checks {
        reasons.extend(check.run(log, scenario.mem).err());
    }
    reasons
}

fn describe(ending: &Ending) -> &'static str {
    match ending {
        Ending::PowerOff => "a power-off (status 1)",
        Ending::Panic => "a halt after a kernel panic (status 3)",
        Ending::Reboot => "a reboot the kernel asked for (status 0)",
        Ending::Reset => "a reset nobody asked for (status 0)",
        Ending::Quit => "Ctrl-A X (status 0)",
        Ending::TimedOut(_) => "a timeout",
        Ending::Failed(_) => "a QEMU failure",
    }
}

fn log_path(name: &str) -> PathBuf {
    paths::logs_dir().join(format!("{name}.log"))
}

fn save_log(name: &str, log: &str) -> Result<(), String> {
    let path = log_path(name);
    std::fs::create_dir_all(paths::logs_dir())
        .and_then(|()| std::fs::write(&path, log))
        .map_err(|err| format!("could not save the log {}: {err}", path.display()))
}

/// Prints one verdict and counts it.
fn report(scenario: &Scenario, verdict: &Verdict, tally: &mut Tally) {
    let name = format!("boot/{}", scenario.name);
    let time = progress::seconds(verdict.elapsed);
    if verdict.reasons.is_empty() {
        println!("{name} ... ok ({time})");
        tally.passed += 1;
        return;
    }

    let mut text = format!(
        "{name} ... FAILED ({time})\n    shows: {}\n",
        scenario.description
    );
    for reason in &verdict.reasons {
        text += &format!("    {reason}\n");
    }
    let lines: Vec<&str> = verdict.log.lines().collect();
    let log = paths::relative(&log_path(&scenario.name));
    match lines.len() {
        0 => text += &format!("    (no serial output; log: {})\n", log.display()),
        n => {
            text += &format!(
                "    --- last {} lines of {} ---\n",
                n.min(TAIL),
                log.display()
            );
            for line in &lines[n.saturating_sub(TAIL)..] {
                text += &format!("    | {line}\n");
            }
        }
    }
    print!("{text}");
    tally.fail(name);
}

#[cfg(test)]
mod tests {
    use super::super::scenario;
    use super::*;

    fn oops() -> Scenario {
        let text = r#"
            description = "oops"
            exit = "panic"
            expect = ['BUG: unable', 'Kernel panic - not syncing']
            reject = ['BIOS-e820']
        "#;
        scenario::parse("oops", text).unwrap()
    }

    #[test]
    fn a_good_run_has_no_reasons() {
        let log = "BUG: unable to handle page fault\nKernel panic - not syncing: Oops\n";
        assert!(judge(&oops(), &Ending::Panic, log).is_empty());
    }

    #[test]
    fn every_problem_is_a_reason() {
        let log = "BIOS-e820: [mem 0x0-0x1] usable\nnoyau: hello\n";
        let reasons = judge(&oops(), &Ending::PowerOff, log);
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].contains("power-off") && reasons[0].contains("\"panic\""));
        assert!(reasons[1].contains("BUG: unable"));
        assert!(reasons[2].contains("rejected"));
    }

    fn scenario(exit: &str) -> Scenario {
        let text = format!("description = \"x\"\nexit = \"{exit}\"");
        scenario::parse(exit, &text).unwrap()
    }

    #[test]
    fn a_reboot_needs_the_kernel_to_ask() {
        assert!(judge(&scenario("reboot"), &Ending::Reboot, "").is_empty());
        let reset = judge(&scenario("reboot"), &Ending::Reset, "");
        assert_eq!(reset, [qemu::UNASKED_RESET]);
        let reset = judge(&scenario("poweroff"), &Ending::Reset, "");
        assert_eq!(reset, [qemu::UNASKED_RESET]);
        let reboot = judge(&scenario("poweroff"), &Ending::Reboot, "");
        assert!(
            reboot[0].contains("a reboot the kernel asked for") && reboot[0].contains("power-off")
        );
    }

    #[test]
    fn timeouts_and_qemu_errors_are_named() {
        let timeout = judge(&oops(), &Ending::TimedOut(Duration::from_secs(60)), "");
        assert!(timeout[0].contains("timeout of 60 s"));
        let failed = judge(&oops(), &Ending::Failed("qemu: no such file".into()), "");
        assert_eq!(failed[0], "qemu: no such file");
    }
}
