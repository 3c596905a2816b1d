//! The benchmark program's output (user/rust/src/bin/bench.rs documents
//! it): one `bench: NAME MEDIAN ns/op ...` line per benchmark, its uptime
//! line and its last line, and the runner's uptime line, read from a
//! serial log in which the kernel's printk lines may sit between them.

use std::sync::LazyLock;

use regex::Regex;

/// Every benchmark the program runs, in its order, as it names them.
pub const BENCHMARKS: &[&str] = &[
    "null_syscall",
    "read_zero",
    "write_null",
    "open_close",
    "stat_deep",
    "fork_exit",
    "fork_exec",
    "pipe_latency",
    "pipe_bandwidth",
    "ctx_switch",
    "mmap_touch",
    "files_1000",
    "thread_create",
    "futex_wake",
];

/// One benchmark's line: nanoseconds per operation, median of its
/// samples and the fastest and slowest sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub name: String,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// What one run of the benchmark printed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// The runner's CLOCK_BOOTTIME when it started as init, in seconds.
    pub init_uptime: Option<f64>,
    /// Each benchmark's line, in the order printed.
    pub lines: Vec<Line>,
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("xtask's own regexes are valid")
}

/// The runner's line `runner: uptime S s`, as seconds.
pub fn runner_uptime(line: &str) -> Option<f64> {
    static UPTIME: LazyLock<Regex> = LazyLock::new(|| regex(r"^runner: uptime (\d+\.\d+) s$"));
    UPTIME.captures(line.trim_end())?[1].parse().ok()
}

/// Reads a cleaned serial log: every benchmark must be there once, in
/// order, with a positive median, and the last line must count them all.
pub fn parse(log: &str) -> Result<Report, String> {
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"^bench: (\w+) (\d+\.\d) ns/op n=(\d+) samples=(\d+) min=(\d+\.\d) max=(\d+\.\d)$")
    });
    static DONE: LazyLock<Regex> = LazyLock::new(|| regex(r"^bench: done (\d+) benchmarks$"));

    let mut report = Report::default();
    let mut done = None;
    for line in log.lines().map(str::trim_end) {
        if let Some(uptime) = runner_uptime(line) {
            report.init_uptime.get_or_insert(uptime);
            continue;
        }
        if !line.starts_with("bench: ") || line.starts_with("bench: uptime ") {
            continue;
        }
        if let Some(caps) = DONE.captures(line) {
            done = caps[1].parse::<usize>().ok();
            continue;
        }
        let caps = LINE
            .captures(line)
            .ok_or_else(|| format!("bench: malformed line: {line}"))?;
        let number = |i: usize| caps[i].parse::<f64>().map_err(|_| format!("bench: {line}"));
        let (median, ops, min, max) = (number(2)?, number(3)?, number(5)?, number(6)?);
        if median <= 0.0 || ops <= 0.0 || min <= 0.0 || max < min {
            return Err(format!("bench: not a positive time: {line}"));
        }
        let name = caps[1].to_string();
        report.lines.push(Line {
            name,
            median,
            min,
            max,
        });
    }

    let names: Vec<&str> = report.lines.iter().map(|l| l.name.as_str()).collect();
    if names != BENCHMARKS {
        let missing: Vec<_> = BENCHMARKS.iter().filter(|b| !names.contains(b)).collect();
        return Err(format!(
            "bench: expected the {} benchmarks in order, got {names:?} (missing: {missing:?})",
            BENCHMARKS.len()
        ));
    }
    match done {
        Some(count) if count == BENCHMARKS.len() => Ok(report),
        Some(count) => Err(format!("bench: the last line counts {count} benchmarks")),
        None => Err("bench: no line `bench: done N benchmarks`".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> String {
        let mut log = String::from("[    0.1] Run /sbin/runner as init process\n");
        log += "runner: uptime 0.253324 s\n=== BEGIN bench ===\nbench: uptime 0.34 s\n";
        for (i, name) in BENCHMARKS.iter().enumerate() {
            log += &format!("bench: {name} {i}9.5 ns/op n=3 samples=5 min=1.0 max=99.0\n");
            log += "[    0.5] noyau: bench[3]: system call 435 (clone3) is not implemented\n";
        }
        log + "bench: done 14 benchmarks\n=== END bench status 0 ===\n"
    }

    #[test]
    fn a_whole_run_parses() {
        let report = parse(&sample()).unwrap();
        assert_eq!(report.init_uptime, Some(0.253324));
        assert_eq!(report.lines.len(), BENCHMARKS.len());
        let first = &report.lines[0];
        assert_eq!((first.name.as_str(), first.median), ("null_syscall", 9.5));
        assert_eq!((first.min, first.max), (1.0, 99.0));
        assert_eq!(report.lines[13].median, 139.5);
    }

    #[test]
    fn a_missing_line_fails() {
        let log = sample().replace("bench: stat_deep", "xbench: stat_deep");
        let err = parse(&log).unwrap_err();
        assert!(err.contains("missing: [\"stat_deep\"]"), "{err}");
    }

    #[test]
    fn a_malformed_or_zero_line_fails() {
        let log = sample().replace("49.5 ns/op", "49.5 us/op");
        assert!(parse(&log).unwrap_err().contains("malformed"));
        let log = sample().replace("09.5 ns/op", "0.0 ns/op");
        assert!(parse(&log).unwrap_err().contains("positive"));
        let log = sample().replace("bench: fork_exit", "bench: fork_exit failed: x\nbench: y");
        assert!(parse(&log).is_err());
    }

    #[test]
    fn the_last_line_must_be_there() {
        let log = sample().replace("bench: done 14", "bench: done 13");
        assert!(parse(&log).unwrap_err().contains("counts 13"));
        let log = sample().replace("bench: done 14 benchmarks\n", "");
        assert!(parse(&log).unwrap_err().contains("no line"));
    }
}
