//! bench: lmbench-style microbenchmarks of the system calls, processes,
//! pipes, memory and files a kernel serves (Linux: lmbench's lat_syscall,
//! lat_proc, lat_pipe, bw_pipe, lat_ctx, lat_pagefault, lat_fs), run on
//! noyau and on Linux by `cargo xtask bench`, which compares the two.
//!
//! Usage: `bench [--ms N] [NAME...]`: each benchmark (all, or those named)
//! lasts about N ms (default 500; 0 runs each operation once per sample).
//! It prints, each on one line and nothing else on stdout:
//!
//!     bench: uptime <seconds> s                     CLOCK_BOOTTIME at start
//!     bench: <name> <median> ns/op n=<ops> samples=<s> min=<ns> max=<ns>
//!     bench: done <count> benchmarks
//!
//! `<median>`, `<min>` and `<max>` are nanoseconds per operation (decimal,
//! one digit after the point) over `<s>` samples of `<ops>` operations
//! each. A benchmark that fails prints `bench: <name> failed: <why>` and
//! the program then exits with status 1.

#[path = "bench/ops.rs"]
mod ops;
#[path = "bench/sys.rs"]
mod sys;

use std::process::ExitCode;
use std::time::Duration;

use noyau_user::say;

/// Samples per benchmark; the median of their times per operation is reported.
const SAMPLES: u32 = 5;

/// The default time each benchmark lasts.
const DEFAULT_MS: u64 = 500;

/// Every benchmark, in the order it runs, with its name as printed.
const BENCHMARKS: &[(&str, fn(u64) -> ops::Timed)] = &[
    ("null_syscall", ops::null_syscall),
    ("read_zero", ops::read_zero),
    ("write_null", ops::write_null),
    ("open_close", ops::open_close),
    ("stat_deep", ops::stat_deep),
    ("fork_exit", ops::fork_exit),
    ("fork_exec", ops::fork_exec),
    ("pipe_latency", ops::pipe_latency),
    ("pipe_bandwidth", ops::pipe_bandwidth),
    ("ctx_switch", ops::ctx_switch),
    ("mmap_touch", ops::mmap_touch),
    ("files_1000", ops::files_1000),
    ("thread_create", ops::thread_create),
    ("futex_wake", ops::futex_wake),
];

/// What the command line asks.
struct Options {
    budget: Duration,
    only: Vec<String>,
}

fn options() -> Result<Options, String> {
    let mut budget = Duration::from_millis(DEFAULT_MS);
    let mut only = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--ms" {
            let ms = args.next().ok_or("--ms needs a number of milliseconds")?;
            let ms: u64 = ms.parse().map_err(|_| format!("--ms {ms}: not a number"))?;
            budget = Duration::from_millis(ms);
        } else if BENCHMARKS.iter().any(|(name, _)| *name == arg) {
            only.push(arg);
        } else {
            return Err(format!("unknown benchmark or option {arg:?}"));
        }
    }
    Ok(Options { budget, only })
}

/// The guest's uptime: CLOCK_BOOTTIME, which counts from the kernel's start.
fn uptime() -> Duration {
    let mut ts = [0i64; 2];
    const CLOCK_GETTIME: i64 = 228;
    const CLOCK_BOOTTIME: i64 = 7;
    // SAFETY: clock_gettime writes one struct timespec (two i64) into ts.
    let r = unsafe {
        noyau_user::syscall6(
            CLOCK_GETTIME,
            CLOCK_BOOTTIME,
            ts.as_mut_ptr() as i64,
            0,
            0,
            0,
            0,
        )
    };
    match r {
        0 => Duration::new(ts[0] as u64, ts[1] as u32),
        _ => Duration::ZERO,
    }
}

fn per_op(time: Duration, ops: u64) -> f64 {
    time.as_nanos() as f64 / ops as f64
}

/// How many operations make one sample of `budget / SAMPLES`, from a first
/// run of one operation and a second of the estimate it gives.
fn calibrate(run: fn(u64) -> ops::Timed, budget: Duration) -> Result<u64, String> {
    let slice = budget / SAMPLES;
    let mut ops = 1;
    for _ in 0..2 {
        let time = run(ops)?;
        if slice.is_zero() {
            return Ok(1);
        }
        let estimate = slice.as_nanos() as f64 / per_op(time, ops).max(1.0);
        ops = (estimate as u64).clamp(1, 50_000_000);
    }
    Ok(ops)
}

/// Runs one benchmark: its line's fields after the name.
fn measure(run: fn(u64) -> ops::Timed, budget: Duration) -> Result<String, String> {
    let ops = calibrate(run, budget)?;
    let mut times = Vec::new();
    for _ in 0..SAMPLES {
        times.push(per_op(run(ops)?, ops));
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let (min, max) = (times[0], times[times.len() - 1]);
    Ok(format!(
        "{median:.1} ns/op n={ops} samples={SAMPLES} min={min:.1} max={max:.1}"
    ))
}

fn main() -> ExitCode {
    say(format!("bench: uptime {:.6} s", uptime().as_secs_f64()));
    let options = match options() {
        Ok(options) => options,
        Err(why) => {
            say(format!("bench: {why}; usage: bench [--ms N] [NAME...]"));
            return ExitCode::from(2);
        }
    };

    let mut ran = 0;
    for &(name, run) in BENCHMARKS {
        if !options.only.is_empty() && !options.only.iter().any(|only| only == name) {
            continue;
        }
        match measure(run, options.budget) {
            Ok(fields) => say(format!("bench: {name} {fields}")),
            Err(why) => {
                say(format!("bench: {name} failed: {why}"));
                return ExitCode::FAILURE;
            }
        }
        ran += 1;
    }
    say(format!("bench: done {ran} benchmarks"));
    ExitCode::SUCCESS
}
