//! What a boot scenario asks of its serial log: `expect` regexes in order,
//! `reject` regexes nowhere, and the named checks written here as pure
//! functions (memory-total: e820 map against `Memory:`; timer-100ms;
//! bench-lines: the benchmark program's output, read as `xtask bench` reads it).

use std::sync::LazyLock;

use regex::Regex;

/// A named check of the log, as listed in a scenario's `checks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The usable e820 ranges add up to the `Memory:` total, 90-100% of `mem`.
    MemoryTotal,
    /// `selftest: timer mark 1` and `mark 2` are 100 ms apart, within 10%.
    Timer100ms,
    /// Every benchmark of user/rust/src/bin/bench.rs printed one well-formed
    /// line with a positive time, and the program's last line counts them.
    BenchLines,
}

impl Check {
    pub const ALL: &[Check] = &[Check::MemoryTotal, Check::Timer100ms, Check::BenchLines];

    pub fn name(self) -> &'static str {
        match self {
            Check::MemoryTotal => "memory-total",
            Check::Timer100ms => "timer-100ms",
            Check::BenchLines => "bench-lines",
        }
    }

    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL
            .iter()
            .copied()
            .find(|check| check.name() == name)
    }

    /// Runs the check on a cleaned log; `mem` is the guest's memory in bytes.
    pub fn run(self, log: &str, mem: u64) -> Result<(), String> {
        match self {
            Check::MemoryTotal => memory_total(log, mem),
            Check::Timer100ms => timer_100ms(log),
            Check::BenchLines => match crate::bench::lines::parse(log)?.init_uptime {
                Some(_) => Ok(()),
                None => Err("bench-lines: no line `runner: uptime S s`".into()),
            },
        }
    }
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("xtask's own regexes are valid")
}

/// The log without terminal escape sequences (CSI, OSC, charset and other
/// two-byte escapes, as GRUB and the firmware print them) and without `\r`.
pub fn clean_log(raw: &str) -> String {
    static ESCAPES: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]+[0-~]|[0-~])")
    });
    ESCAPES.replace_all(raw, "").replace('\r', "")
}

/// Each regex must match the log after the end of the previous match (on the
/// same line or a later one): the lines come in this order.
pub fn expect_in_order(log: &str, expect: &[Regex]) -> Result<(), String> {
    let lines: Vec<&str> = log.lines().collect();
    let (mut line, mut column) = (0, 0);
    for (i, re) in expect.iter().enumerate() {
        let found = (line..lines.len()).find_map(|at| {
            let from = if at == line { column } else { 0 };
            re.find_at(lines[at], from.min(lines[at].len()))
                .map(|m| (at, m.end()))
        });
        match found {
            Some((at, end)) => (line, column) = (at, end),
            None if i == 0 => return Err(format!("expected /{re}/: no line matches")),
            None => {
                return Err(format!(
                    "expected /{re}/ after line {} (/{}/): not found",
                    line + 1,
                    expect[i - 1]
                ))
            }
        }
    }
    Ok(())
}

/// No line may match any of the regexes.
pub fn reject_all(log: &str, reject: &[Regex]) -> Result<(), String> {
    for (number, line) in log.lines().enumerate() {
        if let Some(re) = reject.iter().find(|re| re.is_match(line)) {
            return Err(format!(
                "rejected /{re}/ matches line {}: {line}",
                number + 1
            ));
        }
    }
    Ok(())
}

/// `BIOS-e820: [mem 0xSTART-0xEND] TYPE` (inclusive end) for every usable
/// range, summed, must equal `Memory: NK usable RAM`, which must lie between
/// 90% and 100% of the guest's memory.
pub fn memory_total(log: &str, mem: u64) -> Result<(), String> {
    static E820: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"BIOS-e820: \[mem 0x([0-9a-fA-F]{1,16})-0x([0-9a-fA-F]{1,16})\] (.+)$")
    });
    static TOTAL: LazyLock<Regex> = LazyLock::new(|| regex(r"Memory: (\d+)K usable RAM"));

    let mut usable: u64 = 0;
    let mut ranges = 0;
    for line in log.lines().filter(|line| line.contains("BIOS-e820:")) {
        let caps = E820
            .captures(line)
            .ok_or(format!("memory-total: unreadable line: {line}"))?;
        let hex = |i: usize| u64::from_str_radix(&caps[i], 16).unwrap_or(0);
        let (start, end) = (hex(1), hex(2));
        if end < start {
            return Err(format!("memory-total: range ends before it starts: {line}"));
        }
        ranges += 1;
        if caps[3].trim() == "usable" {
            usable += end - start + 1;
        }
    }
    if ranges == 0 {
        return Err("memory-total: no BIOS-e820 line in the log".into());
    }

    let totals: Vec<u64> = TOTAL
        .captures_iter(log)
        .filter_map(|caps| caps[1].parse().ok())
        .collect();
    let total_k = match totals[..] {
        [total] => total,
        [] => return Err("memory-total: no line `Memory: NK usable RAM`".into()),
        _ => return Err(format!("memory-total: {} `Memory:` lines", totals.len())),
    };
    if total_k != usable / 1024 {
        return Err(format!(
            "memory-total: Memory: {total_k}K, but the usable e820 ranges add up to {}K",
            usable / 1024
        ));
    }
    let total = u128::from(total_k) * 1024;
    let mem = u128::from(mem);
    if total * 10 < mem * 9 || total > mem {
        return Err(format!(
            "memory-total: {total_k}K usable is not within 90-100% of the guest's {}K",
            mem / 1024
        ));
    }
    Ok(())
}

/// The printk timestamps of `selftest: timer mark 1` and the next
/// `selftest: timer mark 2` differ by 100 ms, within 10%.
pub fn timer_100ms(log: &str) -> Result<(), String> {
    let lines: Vec<&str> = log.lines().collect();
    let first = lines
        .iter()
        .position(|line| line.contains("selftest: timer mark 1"))
        .ok_or("timer-100ms: no line `selftest: timer mark 1`")?;
    let second = lines[first..]
        .iter()
        .find(|line| line.contains("selftest: timer mark 2"))
        .ok_or("timer-100ms: no line `selftest: timer mark 2` after mark 1")?;
    let (t1, t2) = (timestamp_us(lines[first])?, timestamp_us(second)?);

    let delta = t2.saturating_sub(t1);
    if !(90_000..=110_000).contains(&delta) {
        return Err(format!(
            "timer-100ms: the marks are {}.{:03} ms apart, not 100 ms within 10%",
            delta / 1000,
            delta % 1000
        ));
    }
    Ok(())
}

/// Microseconds of the printk timestamp `[    0.123456] ` that starts `line`.
fn timestamp_us(line: &str) -> Result<u64, String> {
    static STAMP: LazyLock<Regex> = LazyLock::new(|| regex(r"^\[ *(\d+)\.(\d{6})\] "));
    let caps = STAMP.captures(line).ok_or(format!(
        "timer-100ms: no printk timestamp at the start of: {line}"
    ))?;
    let seconds: u64 = caps[1]
        .parse()
        .map_err(|_| format!("timer-100ms: bad time: {line}"))?;
    let micros: u64 = caps[2]
        .parse()
        .map_err(|_| format!("timer-100ms: bad time: {line}"))?;
    Ok(seconds * 1_000_000 + micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEM_256M: u64 = 256 << 20;

    /// QEMU's map for -m 256M, as Linux prints it.
    const E820_256M: &str = "\
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000000ffdffff] usable
[    0.000000] BIOS-e820: [mem 0x000000000ffe0000-0x000000000fffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved
";

    fn regexes(patterns: &[&str]) -> Vec<Regex> {
        patterns.iter().map(|p| Regex::new(p).unwrap()).collect()
    }

    #[test]
    fn escapes_and_carriage_returns_go() {
        let raw =
            "\x1b[2J\x1b[01;01H\x1b[=3h\x1b(B\x1b[0m\x1b]0;title\x07Boot\r\nnoyau\x1bc ok\r\n";
        assert_eq!(clean_log(raw), "Boot\nnoyau ok\n");
    }

    #[test]
    fn memory_total_accepts_the_right_sum() {
        // 0x9fc00 + 0xfee0000 bytes: 639K + 260992K.
        let log = format!("{E820_256M}[    0.000000] Memory: 261631K usable RAM\n");
        assert_eq!(memory_total(&log, MEM_256M), Ok(()));
    }

    #[test]
    fn memory_total_rejects_a_wrong_sum() {
        let log = format!("{E820_256M}Memory: 261624K usable RAM\n");
        let err = memory_total(&log, MEM_256M).unwrap_err();
        assert!(err.contains("add up to 261631K"), "{err}");
    }

    #[test]
    fn memory_total_needs_the_lines() {
        assert!(memory_total("noyau version 0.1.0\n", MEM_256M).is_err());
        assert!(memory_total(E820_256M, MEM_256M)
            .unwrap_err()
            .contains("no line `Memory:"));
        let broken = "BIOS-e820: [mem 0x0-0xzz] usable\nMemory: 0K usable RAM\n";
        assert!(memory_total(broken, MEM_256M)
            .unwrap_err()
            .contains("unreadable"));
    }

    #[test]
    fn memory_total_must_be_near_the_guest_memory() {
        let log = format!("{E820_256M}Memory: 261631K usable RAM\n");
        assert_eq!(memory_total(&log, MEM_256M), Ok(()));
        assert!(memory_total(&log, 2 << 30).unwrap_err().contains("90-100%"));
        assert!(memory_total(&log, 128 << 20)
            .unwrap_err()
            .contains("90-100%"));
    }

    #[test]
    fn memory_total_ignores_other_types() {
        let log = "\
BIOS-e820: [mem 0x0000000000000000-0x0000000007ffffff] usable
BIOS-e820: [mem 0x0000000008000000-0x00000000080fffff] ACPI data
BIOS-e820: [mem 0x0000000008100000-0x00000000081fffff] ACPI NVS
BIOS-e820: [mem 0x0000000008200000-0x00000000082fffff] unusable
Memory: 131072K usable RAM
";
        assert_eq!(memory_total(log, 136 << 20), Ok(()));
    }

    #[test]
    fn timer_marks_100ms_apart_pass() {
        let log = "[    1.200000] selftest: timer mark 1\n[    1.304999] selftest: timer mark 2\n";
        assert_eq!(timer_100ms(log), Ok(()));
    }

    #[test]
    fn timer_marks_too_far_apart_fail() {
        let log = "[    1.200000] selftest: timer mark 1\n[    1.320000] selftest: timer mark 2\n";
        assert!(timer_100ms(log).unwrap_err().contains("120.000 ms"));
        let log = "[    1.200000] selftest: timer mark 1\n[    1.200000] selftest: timer mark 2\n";
        assert!(timer_100ms(log).is_err());
    }

    #[test]
    fn timer_needs_both_marks_with_timestamps() {
        assert!(timer_100ms("[    1.200000] selftest: timer mark 1\n").is_err());
        let log = "selftest: timer mark 1\n[    1.300000] selftest: timer mark 2\n";
        assert!(timer_100ms(log)
            .unwrap_err()
            .contains("no printk timestamp"));
        let log = "[    1.300000] selftest: timer mark 2\n[    1.400000] selftest: timer mark 1\n";
        assert!(timer_100ms(log).unwrap_err().contains("after mark 1"));
    }

    #[test]
    fn expect_follows_the_order() {
        let log = "a BUG x\nRIP: f\nCall Trace:\n f+0x1/0x2\nKernel panic - not syncing\n";
        let ok = regexes(&["BUG", "RIP: .*f", "Call Trace:", "f\\+", "Kernel panic"]);
        assert_eq!(expect_in_order(log, &ok), Ok(()));
        let wrong = regexes(&["Call Trace:", "RIP"]);
        assert!(expect_in_order(log, &wrong)
            .unwrap_err()
            .contains("after line 3"));
        assert!(expect_in_order(log, &regexes(&["nothing"])).is_err());
    }

    #[test]
    fn expect_may_continue_on_the_same_line() {
        let log = "Kernel panic - not syncing: in selftest_panic\n";
        assert_eq!(
            expect_in_order(log, &regexes(&["Kernel panic", "selftest_panic"])),
            Ok(())
        );
        assert!(expect_in_order(log, &regexes(&["selftest_panic", "Kernel"])).is_err());
    }

    #[test]
    fn reject_names_the_line() {
        let log = "one\nBIOS-e820: x\n";
        let err = reject_all(log, &regexes(&["BIOS-e820"])).unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert_eq!(reject_all(log, &regexes(&["Memory:"])), Ok(()));
    }

    #[test]
    fn checks_are_found_by_name() {
        assert_eq!(Check::from_name("memory-total"), Some(Check::MemoryTotal));
        assert_eq!(Check::from_name("timer-100ms"), Some(Check::Timer100ms));
        assert_eq!(Check::from_name("memory"), None);
    }
}
