//! xtask: noyau's build, run and test driver, called as `cargo xtask ...`.
//!
//! One command line (clap) over small modules: Debian packages (deps), the
//! kernel build (build), user programs (user), initramfs images (initramfs),
//! GRUB images (iso), QEMU (qemu), the tests (test) and the benchmarks (bench).

mod bench;
mod build;
mod cmdline;
mod deps;
mod initramfs;
mod iso;
mod paths;
mod progress;
mod qemu;
mod system;
mod test;
mod user;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use qemu::Boot;

#[derive(Parser)]
#[command(
    name = "xtask",
    bin_name = "cargo xtask",
    about = "Build, boot and test noyau"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the Debian packages noyau needs; install the missing ones when root
    Deps,
    /// Build the kernel into target/noyau/kernel.elf (with its symbol table)
    Build,
    /// Build the GRUB2 image target/noyau/noyau.iso (BIOS and UEFI)
    Iso {
        /// Kernel command line written into the GRUB menu entry
        #[arg(long, default_value = "")]
        append: String,
    },
    /// Build the user programs (C and Rust) and, with --init, a test initramfs; not the kernel
    User {
        /// Also write the initramfs whose /init is the user program NAME
        #[arg(long, value_name = "NAME")]
        init: Option<String>,
    },
    /// Build, then boot noyau in QEMU with its console on this terminal
    Run(RunArgs),
    /// Host tests, lints, then boot scenarios; ends with "N passed, M failed"
    Test(TestArgs),
    /// noyau against Debian's Linux in the same QEMU: a table of ratios and a chart
    Bench(BenchArgs),
}

#[derive(Args)]
struct BenchArgs {
    /// One short round (100 ms per benchmark) instead of three of 500 ms
    #[arg(long)]
    quick: bool,
    /// Rounds, each booting noyau then Linux (default 3; 1 with --quick)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    rounds: Option<u32>,
    /// Milliseconds each benchmark lasts in one boot (default 500; 100 with --quick)
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=60000))]
    ms: Option<u64>,
}

#[derive(Args)]
struct RunArgs {
    /// Kernel command line
    #[arg(long, default_value = "")]
    append: String,
    /// Boot the GRUB image under SeaBIOS (default: QEMU -kernel, PVH entry)
    #[arg(long, conflicts_with = "uefi")]
    iso: bool,
    /// Boot the GRUB image under UEFI firmware (OVMF)
    #[arg(long)]
    uefi: bool,
    /// Boot with a test initramfs whose /init is the user program NAME
    /// (user/tests/NAME.c, user/init/NAME.c or user/rust/src/bin/NAME.rs);
    /// without it, the default system (busybox init and a shell)
    #[arg(long, value_name = "NAME")]
    init: Option<String>,
    /// Guest memory: digits and K, M, G or T, as QEMU's -m takes it (256M, 2G)
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = parse_mem)]
    mem: u64,
    /// Number of CPUs
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=255))]
    smp: u32,
    /// Let QEMU wait for gdb on localhost:1234 before the first instruction
    #[arg(long)]
    gdb: bool,
    /// Wall-time limit in seconds (default: 3600 on a terminal, 300 otherwise)
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    timeout: Option<u64>,
}

#[derive(Args)]
struct TestArgs {
    /// Run only the checks whose name contains SUBSTR (host, lint/fmt, boot/pvh-256m, ...)
    #[arg(long, value_name = "SUBSTR")]
    filter: Option<String>,
    /// Boot scenarios run at once (default: the number of CPUs)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Run every check even after one failed (default: stop starting new ones)
    #[arg(long)]
    keep_going: bool,
}

fn main() -> ExitCode {
    match dispatch(Cli::parse().command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command; `Ok(false)` is a failure that was already reported.
fn dispatch(command: Command) -> Result<bool> {
    match command {
        Command::Deps => {
            deps::ensure()?;
            println!(
                "the {} Debian packages noyau needs are installed",
                deps::PACKAGES.len()
            );
            Ok(true)
        }
        Command::Build => {
            let kernel = build::kernel(build::Output::Show)?;
            println!("{}", paths::relative(&kernel).display());
            Ok(true)
        }
        Command::Iso { append } => {
            cmdline::check_for_grub(&append)?;
            deps::ensure()?;
            let kernel = build::kernel(build::Output::Show)?;
            let spec = iso::Spec::new(&append);
            iso::make(&kernel, &spec, &paths::default_iso())?;
            println!("{}", paths::relative(&paths::default_iso()).display());
            Ok(true)
        }
        Command::User { init } => user_programs(init.as_deref()),
        Command::Run(args) => run(args),
        Command::Bench(args) => bench::run(&bench::Options {
            quick: args.quick,
            rounds: args.rounds,
            ms: args.ms,
        }),
        Command::Test(args) => test::run(&test::Options {
            filter: args.filter,
            jobs: args.jobs.map_or_else(default_jobs, |jobs| jobs as usize),
            keep_going: args.keep_going,
        }),
    }
}

/// `--mem`: the size in bytes, or clap's error naming the option.
fn parse_mem(size: &str) -> Result<u64, String> {
    qemu::parse_size(size).map_err(|err| format!("{err:#}"))
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `cargo xtask user`: build the user programs and list them, each with its
/// path in the initramfs; with `init`, write that initramfs too.
fn user_programs(init: Option<&str>) -> Result<bool> {
    if let Some(init) = init {
        user::check_name(init).context("--init")?;
    }
    deps::ensure()?;
    let programs = user::build()?;
    for program in &programs {
        println!(
            "/{:<20} {}",
            program.install_path(),
            paths::relative(&program.path).display()
        );
    }
    if let Some(init) = init {
        let image = initramfs::ensure(&programs, init)?;
        println!("{}", paths::relative(&image).display());
    }
    Ok(true)
}

/// `cargo xtask run`: build what the boot path needs, then boot with a time limit.
fn run(args: RunArgs) -> Result<bool> {
    let boot = match (args.iso, args.uefi) {
        (_, true) => Boot::Uefi,
        (true, false) => Boot::Iso,
        (false, false) => Boot::Pvh,
    };
    match boot {
        Boot::Pvh => cmdline::check(&args.append)?,
        Boot::Iso | Boot::Uefi => cmdline::check_for_grub(&args.append)?,
    }
    if let Some(init) = &args.init {
        user::check_name(init).context("--init")?;
    }
    deps::ensure()?;
    let kernel = build::kernel(build::Output::Show)?;
    // Without --init, the default system (xtask/src/system.rs).
    let initrd = match args.init.as_deref() {
        None | Some(system::NAME) => system::ensure(&user::build()?)?,
        Some(init) => initramfs::ensure(&user::build()?, init)?,
    };
    let initrd = Some(initrd);
    let image = match boot {
        Boot::Pvh => kernel,
        Boot::Iso | Boot::Uefi => {
            let spec = iso::Spec::with_initramfs(&args.append, initrd.as_deref())?;
            iso::ensure(&kernel, &spec)?
        }
    };

    let console = qemu::Console::for_stdin();
    let timeout = Duration::from_secs(args.timeout.unwrap_or(console.default_timeout()));
    let machine = qemu::Machine {
        boot,
        image,
        append: args.append,
        initrd,
        mem: args.mem,
        smp: args.smp,
        gdb: args.gdb,
    };
    let outcome = qemu::run_interactive(&machine, console, timeout)?;
    Ok(outcome.report())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(args: &[&str]) -> Result<RunArgs, clap::Error> {
        let line = ["cargo xtask", "run"].iter().chain(args);
        match Cli::try_parse_from(line)?.command {
            Command::Run(args) => Ok(args),
            _ => unreachable!("`run` parses as Command::Run"),
        }
    }

    #[test]
    fn a_timeout_is_at_least_one_second() {
        assert!(run_args(&["--timeout", "0"]).is_err());
        assert_eq!(run_args(&["--timeout", "1"]).unwrap().timeout, Some(1));
        assert_eq!(run_args(&[]).unwrap().timeout, None);
    }

    #[test]
    fn init_names_a_program_on_every_boot_path() {
        assert_eq!(run_args(&[]).unwrap().init, None);
        let args = run_args(&["--init", "hello", "--uefi"]).unwrap();
        assert_eq!((args.init.as_deref(), args.uefi), (Some("hello"), true));
        assert!(run_args(&["--init", "fault", "--iso"]).unwrap().iso);
        assert!(run_args(&["--init"]).is_err());
    }

    #[test]
    fn user_builds_the_programs_and_maybe_an_initramfs() {
        let init = |args: &[&str]| {
            let line = ["cargo xtask", "user"].iter().chain(args);
            match Cli::try_parse_from(line).map(|cli| cli.command) {
                Ok(Command::User { init }) => Ok(init),
                Ok(_) => unreachable!("`user` parses as Command::User"),
                Err(err) => Err(err),
            }
        };
        assert_eq!(init(&[]).unwrap(), None);
        assert_eq!(
            init(&["--init", "threads"]).unwrap().as_deref(),
            Some("threads")
        );
        assert!(init(&["--init"]).is_err());
    }

    #[test]
    fn bench_takes_quick_rounds_and_a_budget() {
        let bench = |args: &[&str]| {
            let line = ["cargo xtask", "bench"].iter().chain(args);
            match Cli::try_parse_from(line).map(|cli| cli.command) {
                Ok(Command::Bench(args)) => Ok((args.quick, args.rounds, args.ms)),
                Ok(_) => unreachable!("`bench` parses as Command::Bench"),
                Err(err) => Err(err),
            }
        };
        assert_eq!(bench(&[]).unwrap(), (false, None, None));
        assert_eq!(bench(&["--quick"]).unwrap(), (true, None, None));
        let given = bench(&["--rounds", "5", "--ms", "0"]).unwrap();
        assert_eq!(given, (false, Some(5), Some(0)));
        assert!(bench(&["--rounds", "0"]).is_err());
    }

    #[test]
    fn memory_is_read_strictly() {
        assert_eq!(run_args(&[]).unwrap().mem, 256 << 20);
        assert_eq!(run_args(&["--mem", "2g"]).unwrap().mem, 2 << 30);
        let err = run_args(&["--mem", "256M "]).err().unwrap().to_string();
        assert!(
            err.contains("--mem") && err.contains("expected digits"),
            "{err}"
        );
    }
}
