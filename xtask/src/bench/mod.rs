//! `cargo xtask bench`: the benchmark program (user/rust/src/bin/bench.rs)
//! under /sbin/runner on noyau and on Debian's Linux kernel, in the same
//! QEMU with the same initramfs, in rounds alternating the two kernels; the
//! table of medians and ratios, as text, markdown and a bar chart.

mod boot;
mod chart;
pub mod lines;
mod png;
mod table;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use crate::qemu::{Boot, Machine};
use crate::{build, deps, initramfs, paths, user};
use table::{Measured, Row};

/// The command line both kernels get after their own words: the runner as
/// init, running the benchmark with its time budget.
fn runner_args(ms: u64) -> String {
    format!("rdinit=/sbin/runner -- bench,--ms,{ms}")
}

/// Linux's own words (issue 6): the console on the serial port, and no
/// boot chatter or speculation mitigations, which noyau does not pay for.
const LINUX_CMDLINE: &str = "console=ttyS0 quiet mitigations=off";

/// The guest both kernels boot in: QEMU's defaults of xtask (TCG, -cpu max).
const MEM: u64 = 256 << 20;

/// The longest one boot may take.
const TIMEOUT: Duration = Duration::from_secs(600);

/// What `cargo xtask bench` was asked.
pub struct Options {
    /// One round with a short budget per benchmark.
    pub quick: bool,
    /// Rounds (each boots noyau, then Linux); default 3, 1 with `quick`.
    pub rounds: Option<u32>,
    /// Milliseconds per benchmark; default 500, 100 with `quick`.
    pub ms: Option<u64>,
}

/// The folder of the results: target/noyau/bench.
pub fn out_dir() -> PathBuf {
    paths::out_dir().join("bench")
}

/// The newest Debian kernel image in /boot (linux-image-amd64 installs it).
pub fn linux_image() -> Result<PathBuf> {
    let mut images: Vec<PathBuf> = std::fs::read_dir("/boot")
        .context("reading /boot")?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("vmlinuz-")
        })
        .collect();
    images.sort_by(|a, b| compare_versions(&a.to_string_lossy(), &b.to_string_lossy()));
    images
        .pop()
        .context("no /boot/vmlinuz-* although linux-image-amd64 is installed")
}

/// Orders "vmlinuz-6.1.0-9-amd64" before "vmlinuz-6.1.0-10-amd64".
fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let numbers = |s: &str| -> Vec<u64> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter_map(|part| part.parse().ok())
            .collect()
    };
    numbers(a).cmp(&numbers(b))
}

/// One kernel under test.
struct Kernel {
    name: &'static str,
    machine: Machine,
    boots: Vec<(boot::Boot, lines::Report)>,
}

fn machine(image: PathBuf, append: String, initrd: PathBuf) -> Machine {
    Machine {
        boot: Boot::Pvh,
        image,
        append,
        initrd: Some(initrd),
        mem: MEM,
        smp: 1,
        gdb: false,
    }
}

pub fn run(options: &Options) -> Result<bool> {
    let rounds = options.rounds.unwrap_or(if options.quick { 1 } else { 3 });
    let ms = options.ms.unwrap_or(if options.quick { 100 } else { 500 });
    if rounds == 0 {
        bail!("--rounds: at least one round");
    }
    deps::ensure()?;
    deps::ensure_packages(deps::BENCH_PACKAGES)?;
    let vmlinuz = linux_image()?;
    let kernel = build::kernel(build::Output::Show)?;
    let initrd = initramfs::ensure(&user::build()?, "runner")?;

    let args = runner_args(ms);
    let mut kernels = [
        Kernel {
            name: "noyau",
            machine: machine(kernel, format!("quiet {args}"), initrd.clone()),
            boots: Vec::new(),
        },
        Kernel {
            name: "Linux",
            machine: machine(vmlinuz.clone(), format!("{LINUX_CMDLINE} {args}"), initrd),
            boots: Vec::new(),
        },
    ];
    eprintln!(
        "bench: {rounds} round(s) of noyau then Linux ({}), {ms} ms per benchmark, TCG, \
         256M, 1 CPU",
        vmlinuz.display()
    );

    let out = out_dir();
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let bar = progress_bar(u64::from(rounds) * 2 * lines::BENCHMARKS.len() as u64);
    for round in 1..=rounds {
        for kernel in &mut kernels {
            let what = format!("round {round}/{rounds}: {}", kernel.name);
            bar.set_message(what.clone());
            if !std::io::stderr().is_terminal() {
                eprintln!("bench: {what} ...");
            }
            let booted = boot::run(&kernel.machine, TIMEOUT, &bar)
                .with_context(|| format!("bench, {what}"))?;
            let log = out.join(format!("{}-{round}.log", kernel.name.to_lowercase()));
            std::fs::write(&log, &booted.log)
                .with_context(|| format!("writing {}", log.display()))?;
            let report = lines::parse(&booted.log).map_err(|why| {
                anyhow!("{what}: {why} (log: {})", paths::relative(&log).display())
            })?;
            kernel.boots.push((booted, report));
        }
    }
    bar.finish_and_clear();

    let rows = rows(&kernels)?;
    print!("{}", table::text(&rows));
    let command = match options.quick {
        true => "cargo xtask bench --quick".to_string(),
        false => format!("cargo xtask bench --rounds {rounds} --ms {ms}"),
    };
    let markdown = format!(
        "Command: `{command}` ({rounds} round(s), {ms} ms per benchmark; noyau against \
         {}, TCG, -m 256M, -smp 1, the same initramfs)\n\n{}",
        vmlinuz.display(),
        table::markdown(&rows)
    );
    let md = out.join("results.md");
    std::fs::write(&md, markdown).with_context(|| format!("writing {}", md.display()))?;
    let ratios: Vec<(String, f64)> = rows.iter().map(|r| (r.name.clone(), r.ratio())).collect();
    chart::write(&ratios, &out.join("ratios.svg"), &out.join("ratios.png"))?;
    for file in ["results.md", "ratios.svg", "ratios.png"] {
        println!("{}", paths::relative(&out.join(file)).display());
    }
    Ok(true)
}

fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} benchmarks, {msg} ({elapsed})")
    {
        bar.set_style(style);
    }
    bar
}

/// Each round's (median, fastest, slowest) of one row on one kernel, in ns.
type Rounds = Vec<(f64, f64, f64)>;

/// The two boot rows, then one row per benchmark.
fn rows(kernels: &[Kernel; 2]) -> Result<Vec<Row>> {
    let boot_wall = |k: &Kernel| -> Rounds {
        let ns = |b: &boot::Boot| b.to_init.map_or(0.0, |t| t.as_nanos() as f64);
        k.boots.iter().map(|(b, _)| (ns(b), ns(b), ns(b))).collect()
    };
    let boot_uptime = |k: &Kernel| -> Rounds {
        let ns = |r: &lines::Report| r.init_uptime.unwrap_or(0.0) * 1e9;
        k.boots.iter().map(|(_, r)| (ns(r), ns(r), ns(r))).collect()
    };
    let bench = |k: &Kernel, i: usize| -> Rounds {
        let line = |r: &lines::Report| (r.lines[i].median, r.lines[i].min, r.lines[i].max);
        k.boots.iter().map(|(_, r)| line(r)).collect()
    };

    let mut series: Vec<(String, [Rounds; 2])> = vec![
        (
            "boot: QEMU start to init (wall)".into(),
            kernels.each_ref().map(boot_wall),
        ),
        (
            "boot: uptime at init (guest)".into(),
            kernels.each_ref().map(boot_uptime),
        ),
    ];
    for (i, name) in lines::BENCHMARKS.iter().enumerate() {
        series.push((name.to_string(), kernels.each_ref().map(|k| bench(k, i))));
    }
    series
        .into_iter()
        .map(|(name, [noyau, linux])| {
            let measured = |v: &[(f64, f64, f64)]| {
                Measured::of(v)
                    .filter(|m| m.median > 0.0)
                    .with_context(|| format!("bench: no time for {name}"))
            };
            Ok(Row {
                noyau: measured(&noyau)?,
                linux: measured(&linux)?,
                name,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_kernel_image_sorts_last() {
        let mut images = [
            "vmlinuz-6.1.0-10-amd64",
            "vmlinuz-6.1.0-9-amd64",
            "vmlinuz-5.10.0-1",
        ];
        images.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(
            images,
            [
                "vmlinuz-5.10.0-1",
                "vmlinuz-6.1.0-9-amd64",
                "vmlinuz-6.1.0-10-amd64"
            ]
        );
    }

    #[test]
    fn both_kernels_run_the_benchmark_under_the_runner() {
        assert_eq!(runner_args(100), "rdinit=/sbin/runner -- bench,--ms,100");
        assert_eq!(runner_args(0).split_whitespace().count(), 3);
    }
}
