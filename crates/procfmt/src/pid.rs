//! The per-process files of procfs: /proc/PID/stat (fs/proc/array.c do_task_stat),
//! /proc/PID/status (proc_pid_status) and the lines of /proc/PID/maps
//! (fs/proc/task_mmu.c show_map_vma).

use alloc::string::String;
use core::fmt::Write;

/// The fields of /proc/PID/stat, in its order; what the kernel does not track is 0.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PidStat<'a> {
    pub pid: u32,
    pub comm: &'a str,
    /// One of R S D T t X Z P I.
    pub state: char,
    pub ppid: u32,
    pub pgrp: u32,
    pub session: u32,
    pub tty_nr: u32,
    pub tpgid: i32,
    pub flags: u32,
    pub minflt: u64,
    pub cminflt: u64,
    pub majflt: u64,
    pub cmajflt: u64,
    /// Times in clock ticks (USER_HZ).
    pub utime: u64,
    pub stime: u64,
    pub cutime: u64,
    pub cstime: u64,
    /// The kernel's prio minus 100 (20 for a nice-0 normal task).
    pub priority: i32,
    pub nice: i32,
    pub num_threads: u32,
    /// Clock ticks after boot.
    pub starttime: u64,
    /// Bytes.
    pub vsize: u64,
    /// Pages.
    pub rss: u64,
    pub rsslim: u64,
    pub start_code: u64,
    pub end_code: u64,
    pub start_stack: u64,
    pub signal: u64,
    pub blocked: u64,
    pub sigignore: u64,
    pub sigcatch: u64,
    /// 1 while the task sleeps (Linux shows a flag, no address).
    pub wchan: u64,
    pub exit_signal: i32,
    pub processor: u32,
    pub rt_priority: u32,
    pub policy: u32,
    pub start_data: u64,
    pub end_data: u64,
    pub start_brk: u64,
    pub arg_start: u64,
    pub arg_end: u64,
    pub env_start: u64,
    pub env_end: u64,
    pub exit_code: u32,
}

/// The one line of /proc/PID/stat: 52 fields, the name in parentheses.
pub fn stat_line(s: &PidStat<'_>) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "{} ({}) {} {} {} {}",
        s.pid, s.comm, s.state, s.ppid, s.pgrp, s.session
    );
    let _ = write!(
        o,
        " {} {} {} {} {}",
        s.tty_nr, s.tpgid, s.flags, s.minflt, s.cminflt
    );
    let _ = write!(o, " {} {} {} {}", s.majflt, s.cmajflt, s.utime, s.stime);
    let _ = write!(o, " {} {} {} {}", s.cutime, s.cstime, s.priority, s.nice);
    // itrealvalue has been 0 since Linux 2.6.17.
    let _ = write!(
        o,
        " {} 0 {} {} {} {}",
        s.num_threads, s.starttime, s.vsize, s.rss, s.rsslim
    );
    // kstkesp and kstkeip: 0 unless the task is being dumped.
    let _ = write!(o, " {} {} {} 0 0", s.start_code, s.end_code, s.start_stack);
    let _ = write!(
        o,
        " {} {} {} {}",
        s.signal, s.blocked, s.sigignore, s.sigcatch
    );
    // nswap and cnswap are always 0.
    let _ = write!(o, " {} 0 0 {} {}", s.wchan, s.exit_signal, s.processor);
    // delayacct_blkio_ticks, guest_time, cguest_time.
    let _ = write!(o, " {} {} 0 0 0", s.rt_priority, s.policy);
    let _ = write!(o, " {} {} {}", s.start_data, s.end_data, s.start_brk);
    let _ = write!(
        o,
        " {} {} {} {}",
        s.arg_start, s.arg_end, s.env_start, s.env_end
    );
    let _ = writeln!(o, " {}", s.exit_code);
    o
}

/// What /proc/PID/status shows that the kernel knows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PidStatus<'a> {
    pub name: &'a str,
    pub umask: u32,
    pub state: char,
    pub tgid: u32,
    pub pid: u32,
    pub ppid: u32,
    /// The process group and session (NSpgid, NSsid).
    pub pgid: u32,
    pub sid: u32,
    /// Real, effective, saved and filesystem ids.
    pub uid: [u32; 4],
    pub gid: [u32; 4],
    pub fd_size: u32,
    pub groups: &'a [u32],
    /// Sizes in KiB; `None` for a task without memory (a kernel thread).
    pub vm: Option<VmSizes>,
    pub threads: u32,
    /// SigQ: the signals queued for the task's real user, and the task's
    /// RLIMIT_SIGPENDING.
    pub sig_queued: u64,
    pub sig_queue_limit: u64,
    pub sig_pending: u64,
    pub shd_pending: u64,
    pub sig_blocked: u64,
    pub sig_ignored: u64,
    pub sig_caught: u64,
    pub cap_inh: u64,
    pub cap_prm: u64,
    pub cap_eff: u64,
    pub cap_bnd: u64,
    pub cap_amb: u64,
    pub cpus: u32,
    /// The thread's context switches: it slept, or it was preempted or yielded.
    pub voluntary_ctxt_switches: u64,
    pub nonvoluntary_ctxt_switches: u64,
}

/// The Vm* lines of status, in KiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VmSizes {
    pub peak: u64,
    pub size: u64,
    pub hwm: u64,
    pub rss: u64,
    pub data: u64,
    pub stk: u64,
    pub exe: u64,
}

/// The word after a state letter (Linux's task_state_array).
pub fn state_name(state: char) -> &'static str {
    match state {
        'R' => "running",
        'S' => "sleeping",
        'D' => "disk sleep",
        'T' => "stopped",
        't' => "tracing stop",
        'X' => "dead",
        'Z' => "zombie",
        'P' => "parked",
        _ => "idle",
    }
}

/// The text of /proc/PID/status.
pub fn status(s: &PidStatus<'_>) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Name:\t{}", s.name);
    let _ = writeln!(o, "Umask:\t{:04o}", s.umask);
    let _ = writeln!(o, "State:\t{} ({})", s.state, state_name(s.state));
    let _ = writeln!(o, "Tgid:\t{}\nNgid:\t0\nPid:\t{}", s.tgid, s.pid);
    let _ = writeln!(o, "PPid:\t{}\nTracerPid:\t0", s.ppid);
    let [r, e, sv, f] = s.uid;
    let _ = writeln!(o, "Uid:\t{r}\t{e}\t{sv}\t{f}");
    let [r, e, sv, f] = s.gid;
    let _ = writeln!(o, "Gid:\t{r}\t{e}\t{sv}\t{f}");
    let _ = write!(o, "FDSize:\t{}\nGroups:\t", s.fd_size);
    for (i, g) in s.groups.iter().enumerate() {
        let _ = write!(o, "{}{}", if i > 0 { " " } else { "" }, g);
    }
    // Linux writes a space after the list, even an empty one.
    let _ = writeln!(
        o,
        " \nNStgid:\t{}\nNSpid:\t{}\nNSpgid:\t{}\nNSsid:\t{}",
        s.tgid, s.pid, s.pgid, s.sid
    );
    if let Some(vm) = s.vm {
        let kb = |o: &mut String, name: &str, v: u64| {
            let _ = writeln!(o, "{name}:\t{v:8} kB");
        };
        kb(&mut o, "VmPeak", vm.peak);
        kb(&mut o, "VmSize", vm.size);
        kb(&mut o, "VmLck", 0);
        kb(&mut o, "VmPin", 0);
        kb(&mut o, "VmHWM", vm.hwm);
        kb(&mut o, "VmRSS", vm.rss);
        kb(&mut o, "RssAnon", vm.rss);
        kb(&mut o, "RssFile", 0);
        kb(&mut o, "RssShmem", 0);
        kb(&mut o, "VmData", vm.data);
        kb(&mut o, "VmStk", vm.stk);
        kb(&mut o, "VmExe", vm.exe);
        kb(&mut o, "VmLib", 0);
        kb(&mut o, "VmPTE", 0);
        kb(&mut o, "VmSwap", 0);
        kb(&mut o, "HugetlbPages", 0);
    }
    let _ = writeln!(
        o,
        "CoreDumping:\t0\nTHP_enabled:\t0\nThreads:\t{}",
        s.threads
    );
    let _ = writeln!(
        o,
        "SigQ:\t{}/{}\nSigPnd:\t{:016x}\nShdPnd:\t{:016x}",
        s.sig_queued, s.sig_queue_limit, s.sig_pending, s.shd_pending
    );
    let _ = writeln!(
        o,
        "SigBlk:\t{:016x}\nSigIgn:\t{:016x}",
        s.sig_blocked, s.sig_ignored
    );
    let _ = writeln!(o, "SigCgt:\t{:016x}", s.sig_caught);
    let _ = writeln!(
        o,
        "CapInh:\t{:016x}\nCapPrm:\t{:016x}",
        s.cap_inh, s.cap_prm
    );
    let _ = writeln!(
        o,
        "CapEff:\t{:016x}\nCapBnd:\t{:016x}",
        s.cap_eff, s.cap_bnd
    );
    let _ = writeln!(
        o,
        "CapAmb:\t{:016x}\nNoNewPrivs:\t0\nSeccomp:\t0",
        s.cap_amb
    );
    let _ = writeln!(o, "Seccomp_filters:\t0");
    // What prctl(PR_GET_SPECULATION_CTRL) would say: noyau has no
    // speculation controls, so speculation is on and cannot be turned off.
    o.push_str("Speculation_Store_Bypass:\tvulnerable\n");
    o.push_str("SpeculationIndirectBranch:\talways enabled\n");
    let mask = if s.cpus >= 64 {
        u64::MAX
    } else {
        (1u64 << s.cpus.max(1)) - 1
    };
    let _ = writeln!(o, "Cpus_allowed:\t{mask:x}");
    match s.cpus {
        0 | 1 => o.push_str("Cpus_allowed_list:\t0\n"),
        n => {
            let _ = writeln!(o, "Cpus_allowed_list:\t0-{}", n - 1);
        }
    }
    o.push_str("Mems_allowed:\t1\nMems_allowed_list:\t0\n");
    let _ = write!(
        o,
        "voluntary_ctxt_switches:\t{}\nnonvoluntary_ctxt_switches:\t{}\n",
        s.voluntary_ctxt_switches, s.nonvoluntary_ctxt_switches
    );
    o
}

/// One area of /proc/PID/maps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MapsLine<'a> {
    pub start: u64,
    pub end: u64,
    pub read: bool,
    pub write: bool,
    pub exec: bool,
    pub shared: bool,
    pub offset: u64,
    pub major: u32,
    pub minor: u32,
    pub ino: u64,
    /// A file's path or "[heap]", "[stack]"; empty for anonymous memory.
    pub name: &'a str,
}

/// One line of /proc/PID/maps; the name, when there is one, starts at column 73.
pub fn maps_line(out: &mut String, m: &MapsLine<'_>) {
    let start = out.len();
    let flag = |on: bool, c: char| if on { c } else { '-' };
    let _ = write!(
        out,
        "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {} ",
        m.start,
        m.end,
        flag(m.read, 'r'),
        flag(m.write, 'w'),
        flag(m.exec, 'x'),
        if m.shared { 's' } else { 'p' },
        m.offset,
        m.major,
        m.minor,
        m.ino
    );
    if !m.name.is_empty() {
        // seq_pad: up to 25 + 6 * sizeof(void *) - 1 columns, then one space.
        while out.len() - start < 72 {
            out.push(' ');
        }
        out.push(' ');
        out.push_str(m.name);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_has_52_fields_with_the_name_in_parentheses() {
        let s = PidStat {
            pid: 42,
            comm: "my prog",
            state: 'R',
            ppid: 1,
            priority: 20,
            num_threads: 1,
            rsslim: u64::MAX,
            exit_signal: 17,
            ..PidStat::default()
        };
        let line = stat_line(&s);
        assert!(line.starts_with("42 (my prog) R 1 0 0 0 0 0 "));
        assert!(line.ends_with(" 0\n"));
        let after = line.rsplit_once(") ").unwrap().1;
        assert_eq!(after.split_whitespace().count(), 50);
        let fields: alloc::vec::Vec<&str> = after.split_whitespace().collect();
        assert_eq!(fields[15], "20");
        assert_eq!(fields[17], "1");
        assert_eq!(fields[22], "18446744073709551615");
        assert_eq!(fields[35], "17");
    }

    #[test]
    fn status_reads_as_linux() {
        let s = PidStatus {
            name: "sh",
            umask: 0o22,
            state: 'S',
            tgid: 5,
            pid: 5,
            ppid: 1,
            pgid: 5,
            sid: 3,
            uid: [0, 0, 0, 0],
            gid: [0, 0, 0, 0],
            fd_size: 64,
            groups: &[4, 24],
            vm: Some(VmSizes {
                size: 1024,
                ..VmSizes::default()
            }),
            threads: 1,
            sig_queued: 2,
            sig_queue_limit: 759,
            cap_bnd: 0x1ff_ffff_ffff,
            cpus: 2,
            voluntary_ctxt_switches: 12,
            nonvoluntary_ctxt_switches: 3,
            ..PidStatus::default()
        };
        let text = status(&s);
        assert!(text.starts_with("Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t5\n"));
        assert!(text.contains("\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\n"));
        assert!(text.contains("\nGroups:\t4 24 \n"));
        assert!(text.contains("\nVmSize:\t    1024 kB\n"));
        assert!(text.contains("\nNSpgid:\t5\nNSsid:\t3\n"));
        assert!(text.contains("\nThreads:\t1\nSigQ:\t2/759\n"));
        assert!(text.contains("\nCapBnd:\t000001ffffffffff\n"));
        assert!(text.contains("\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n"));
        assert!(text.contains("\nSeccomp_filters:\t0\nSpeculation_Store_Bypass:\tvulnerable\n"));
        assert!(text.ends_with("\nvoluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t3\n"));
        assert!(text.lines().all(|l| l.contains(":\t")));
    }

    #[test]
    fn maps_names_start_at_column_73() {
        let mut out = String::new();
        let m = MapsLine {
            start: 0x400000,
            end: 0x401000,
            read: true,
            exec: true,
            major: 8,
            minor: 1,
            ino: 1835079,
            name: "/bin/cat",
            ..MapsLine::default()
        };
        maps_line(&mut out, &m);
        assert_eq!(out.find("/bin/cat"), Some(73));
        assert!(out.starts_with("00400000-00401000 r-xp 00000000 08:01 1835079 "));
        let mut anon = String::new();
        maps_line(
            &mut anon,
            &MapsLine {
                start: 0x7fff_0000_0000,
                end: 0x7fff_0000_1000,
                read: true,
                write: true,
                ..MapsLine::default()
            },
        );
        assert_eq!(anon, "7fff00000000-7fff00001000 rw-p 00000000 00:00 0 \n");
    }
}
