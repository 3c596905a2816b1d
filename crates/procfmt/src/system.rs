//! The system-wide files of procfs: /proc/uptime (fs/proc/uptime.c), /proc/loadavg
//! (loadavg.c), /proc/stat (stat.c) and /proc/cpuinfo (arch/x86/kernel/cpu/proc.c).

use alloc::string::String;
use core::fmt::Write;

use crate::ns_to_clock_t;

/// /proc/uptime: seconds since boot and seconds all CPUs spent idle, two decimals.
pub fn uptime(up_ns: u64, idle_ns: u64) -> String {
    let centis = |ns: u64| ns / 10_000_000;
    let (u, i) = (centis(up_ns), centis(idle_ns));
    alloc::format!("{}.{:02} {}.{:02}\n", u / 100, u % 100, i / 100, i % 100)
}

/// /proc/loadavg: the three load averages (fixed point, 11 fraction bits as Linux's
/// FSHIFT), runnable and total tasks, and the last pid handed out.
pub fn loadavg(loads: [u64; 3], running: u32, total: u32, last_pid: u32) -> String {
    let mut o = String::new();
    for l in loads {
        // LOAD_INT and LOAD_FRAC, with Linux's rounding to two decimals.
        let l = l + (1 << 11) / 200;
        let _ = write!(o, "{}.{:02} ", l >> 11, ((l & 2047) * 100) >> 11);
    }
    let _ = writeln!(o, "{running}/{total} {last_pid}");
    o
}

/// The load averages, as Linux keeps them (kernel/sched/loadavg.c): every
/// five seconds each of the three moves towards the number of tasks
/// running or waiting to run, by the factor that makes it a 1, 5 or 15
/// minute exponential average; fixed point with 11 fraction bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadAvg(pub [u64; 3]);

/// One in the load averages' fixed point (FIXED_1).
pub const FIXED_1: u64 = 1 << 11;

/// How often the averages move, in seconds (LOAD_FREQ is 5 s and a tick).
pub const LOAD_FREQ_SECS: u64 = 5;

/// exp(-5 s / 1 min), exp(-5 s / 5 min), exp(-5 s / 15 min) in fixed point
/// (EXP_1, EXP_5, EXP_15).
const EXP: [u64; 3] = [1884, 2014, 2037];

impl LoadAvg {
    /// Five seconds have passed with `active` tasks running or runnable
    /// (calc_load, rounding up while the load rises, as Linux does).
    pub fn update(&mut self, active: u64) {
        let active = active * FIXED_1;
        for (load, exp) in self.0.iter_mut().zip(EXP) {
            let mut new = *load * exp + active * (FIXED_1 - exp);
            if active >= *load {
                new += FIXED_1 - 1;
            }
            *load = new / FIXED_1;
        }
    }
}

/// The times of one CPU, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTimes {
    pub user: u64,
    pub nice: u64,
    pub system: u64,
    pub idle: u64,
}

/// What /proc/stat shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemStat<'a> {
    pub cpus: &'a [CpuTimes],
    pub interrupts: u64,
    pub context_switches: u64,
    /// Boot time, seconds since the epoch.
    pub btime: u64,
    /// Forks since boot.
    pub processes: u64,
    pub running: u32,
    pub blocked: u32,
}

fn cpu_line(o: &mut String, name: &str, t: &CpuTimes) {
    let c = ns_to_clock_t;
    // user nice system idle iowait irq softirq steal guest guest_nice
    let _ = writeln!(
        o,
        "{name} {} {} {} {} 0 0 0 0 0 0",
        c(t.user),
        c(t.nice),
        c(t.system),
        c(t.idle)
    );
}

/// The text of /proc/stat: the sum over CPUs ("cpu " with two spaces), each CPU, then
/// the counters.
pub fn stat(s: &SystemStat<'_>) -> String {
    let mut o = String::new();
    let mut all = CpuTimes::default();
    for t in s.cpus {
        all.user += t.user;
        all.nice += t.nice;
        all.system += t.system;
        all.idle += t.idle;
    }
    cpu_line(&mut o, "cpu ", &all);
    for (i, t) in s.cpus.iter().enumerate() {
        cpu_line(&mut o, &alloc::format!("cpu{i}"), t);
    }
    let _ = writeln!(o, "intr {}", s.interrupts);
    let _ = writeln!(o, "ctxt {}\nbtime {}", s.context_switches, s.btime);
    let _ = writeln!(o, "processes {}", s.processes);
    let _ = writeln!(
        o,
        "procs_running {}\nprocs_blocked {}",
        s.running, s.blocked
    );
    o.push_str("softirq 0 0 0 0 0 0 0 0 0 0 0\n");
    o
}

/// What /proc/cpuinfo says of each CPU.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CpuInfo<'a> {
    pub vendor: &'a str,
    pub family: u32,
    pub model: u32,
    pub model_name: &'a str,
    pub stepping: u32,
    pub khz: u64,
    pub cpuid_level: u32,
    pub flags: &'a str,
    pub phys_bits: u32,
    pub virt_bits: u32,
}

/// The text of /proc/cpuinfo for `count` CPUs alike: one block each, a blank line after.
pub fn cpuinfo(info: &CpuInfo<'_>, count: u32) -> String {
    let mut o = String::new();
    for cpu in 0..count {
        let _ = writeln!(o, "processor\t: {cpu}\nvendor_id\t: {}", info.vendor);
        let _ = writeln!(
            o,
            "cpu family\t: {}\nmodel\t\t: {}",
            info.family, info.model
        );
        let _ = writeln!(o, "model name\t: {}", info.model_name);
        let _ = writeln!(o, "stepping\t: {}", info.stepping);
        let _ = writeln!(o, "cpu MHz\t\t: {}.{:03}", info.khz / 1000, info.khz % 1000);
        let _ = writeln!(
            o,
            "physical id\t: 0\nsiblings\t: {count}\ncore id\t\t: {cpu}"
        );
        let _ = writeln!(
            o,
            "cpu cores\t: {count}\napicid\t\t: {cpu}\ninitial apicid\t: {cpu}"
        );
        o.push_str("fpu\t\t: yes\nfpu_exception\t: yes\n");
        let _ = writeln!(o, "cpuid level\t: {}\nwp\t\t: yes", info.cpuid_level);
        let _ = writeln!(o, "flags\t\t: {}", info.flags);
        // BogoMIPS: twice the clock in MHz, as Linux's calibration gives with a TSC.
        let bogo = info.khz * 2 / 10;
        let _ = writeln!(o, "bogomips\t: {}.{:02}", bogo / 100, bogo % 100);
        o.push_str("clflush size\t: 64\ncache_alignment\t: 64\n");
        let _ = writeln!(
            o,
            "address sizes\t: {} bits physical, {} bits virtual",
            info.phys_bits, info.virt_bits
        );
        o.push_str("power management:\n\n");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_has_two_decimals() {
        assert_eq!(uptime(12_345_678_901, 5_000_000_000), "12.34 5.00\n");
        assert_eq!(uptime(0, 0), "0.00 0.00\n");
    }

    #[test]
    fn load_averages_move_as_linux() {
        let mut l = LoadAvg::default();
        l.update(1);
        // (2048 * (2048 - 1884) + 2047) / 2048, and so on.
        assert_eq!(l.0, [164, 34, 11]);
        for _ in 0..12 * 15 {
            l.update(1);
        }
        // Fifteen minutes of one busy task: 1.00, then 1 - e^-3 and 1 - e^-1.
        assert_eq!(l.0[0], FIXED_1);
        assert!((1900..FIXED_1).contains(&l.0[1]), "{:?}", l.0);
        assert!((1250..1400).contains(&l.0[2]), "{:?}", l.0);
        for _ in 0..12 * 60 {
            l.update(0);
        }
        assert_eq!(l.0[0], 0, "an hour idle: the 1-minute load is back at 0.00");
    }

    #[test]
    fn loadavg_rounds_as_linux() {
        // 1.0 in fixed point is 2048; 0.5 is 1024.
        assert_eq!(loadavg([2048, 1024, 0], 1, 3, 7), "1.00 0.50 0.00 1/3 7\n");
    }

    #[test]
    fn stat_sums_the_cpus_in_clock_ticks() {
        let cpus = [
            CpuTimes {
                user: 1_000_000_000,
                idle: 2_000_000_000,
                ..CpuTimes::default()
            },
            CpuTimes {
                system: 500_000_000,
                ..CpuTimes::default()
            },
        ];
        let s = SystemStat {
            cpus: &cpus,
            btime: 1_796_329_650,
            processes: 4,
            running: 1,
            ..SystemStat::default()
        };
        let text = stat(&s);
        assert!(text.starts_with("cpu  100 0 50 200 0 0 0 0 0 0\ncpu0 100 0 0 200 "));
        assert!(text.contains("\ncpu1 0 0 50 0 0 0 0 0 0 0\nintr 0\nctxt 0\nbtime 1796329650\n"));
        assert!(text.contains("\nprocesses 4\nprocs_running 1\nprocs_blocked 0\n"));
    }

    #[test]
    fn cpuinfo_blocks_per_cpu() {
        let info = CpuInfo {
            vendor: "AuthenticAMD",
            family: 15,
            model: 107,
            model_name: "QEMU Virtual CPU version 2.5+",
            stepping: 1,
            khz: 2_596_314,
            flags: "fpu tsc",
            ..CpuInfo::default()
        };
        let text = cpuinfo(&info, 2);
        assert_eq!(text.matches("processor\t: ").count(), 2);
        assert!(text.contains("\ncpu MHz\t\t: 2596.314\n"));
        assert!(text.contains("\nmodel name\t: QEMU Virtual CPU version 2.5+\n"));
        assert!(text.ends_with("power management:\n\n"));
    }
}
