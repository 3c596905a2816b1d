//! The system-wide files of /proc (Linux: fs/proc/meminfo.c, uptime.c, loadavg.c,
//! stat.c, cmdline.c, version.c, devices.c, arch/x86/kernel/cpu/proc.c, mm/vmstat.c's
//! buddyinfo, mm/slab_common.c's slabinfo).

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use vfs::pseudo::{Entry, Node};
use vfs::Errno;

use crate::kernel::task::{TaskState, TASKS};

fn text(s: String) -> vfs::Result<Vec<u8>> {
    Ok(s.into_bytes())
}

/// The files, numbered from `base`. They are Linux's proc_create files, whose
/// write is EIO where they have no proc_write (pde_write), once root has
/// opened one for writing; the files of /proc/PID refuse with EINVAL instead.
pub fn entries(base: u64) -> Vec<Entry> {
    type Render = fn() -> vfs::Result<Vec<u8>>;
    let files: [(&[u8], Render); 14] = [
        (b"buddyinfo", || {
            text(format!("{}", crate::mm::page_alloc::buddyinfo()))
        }),
        (b"cmdline", || text(format!("{}\n", crate::init::cmdline()))),
        (b"cpuinfo", || text(cpuinfo())),
        (b"devices", || text(crate::fs::devices::proc_devices())),
        (b"filesystems", || {
            text(crate::fs::namespace::proc_filesystems())
        }),
        (b"interrupts", || text(interrupts())),
        (b"loadavg", || text(loadavg())),
        (b"meminfo", || {
            text(format!("{}", crate::mm::meminfo::snapshot()))
        }),
        (b"slabinfo", || {
            text(format!("{}", crate::mm::slab::SLAB_CACHES.slabinfo()))
        }),
        (b"stat", || text(stat())),
        (b"uptime", || text(uptime())),
        (b"version", || text(version())),
        (b"swaps", || {
            text(String::from(
                "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n",
            ))
        }),
        (b"modules", || text(String::new())),
    ];
    files
        .iter()
        .enumerate()
        .map(|(i, &(name, render))| {
            let node = Node::WritableFile(Arc::new(render), Arc::new(|_: &[u8]| Err(Errno::EIO)));
            Entry::new(name, base + i as u64, 0o444, node)
        })
        .collect()
}

/// The CPUs running tasks: only the boot CPU is brought up.
fn cpus() -> u32 {
    1
}

/// Idle time: what the CPUs spent in the idle task.
fn idle_ns(up: u64) -> u64 {
    // The idle task's own run time (Linux counts idle time the same way),
    // so that the count only ever grows; the time since it last ran adds
    // up while it runs, which it is not while a reader runs.
    let table = TASKS.lock();
    match table.tasks.get(&0) {
        Some(idle) => idle.times.runtime.min(up * u64::from(cpus())),
        None => 0,
    }
}

fn uptime() -> String {
    let up = crate::kernel::time::ktime_get_ns();
    procfmt::uptime(up, idle_ns(up))
}

fn loadavg() -> String {
    let table = TASKS.lock();
    let tasks = table.tasks.values().filter(|t| t.pid != 0 && t.alive());
    let (mut running, mut total) = (0, 0);
    for t in tasks {
        total += 1;
        if t.state == TaskState::Runnable {
            running += 1;
        }
    }
    let last = table.tasks.keys().next_back().copied().unwrap_or(0);
    procfmt::loadavg(table.loadavg.0, running, total, last)
}

fn stat() -> String {
    let up = crate::kernel::time::ktime_get_ns();
    let (mut user, mut system) = (0, 0);
    let (mut running, mut processes) = (0, 0);
    for t in TASKS.lock().tasks.values().filter(|t| t.pid != 0) {
        user += t.times.user + t.dead_times.user + t.child_times.user;
        system += t.times.system + t.dead_times.system + t.child_times.system;
        processes += 1;
        if t.state == TaskState::Runnable {
            running += 1;
        }
    }
    let nice = crate::kernel::sched::cputime::nice_time().min(user);
    let cpus = [procfmt::CpuTimes {
        user: user - nice,
        nice,
        system,
        idle: idle_ns(up),
    }];
    let now = crate::kernel::time_syscalls::clock_ns(0).unwrap_or(0);
    procfmt::stat(&procfmt::SystemStat {
        cpus: &cpus,
        interrupts: crate::kernel::time::jiffies(),
        context_switches: crate::kernel::sched::cputime::context_switches(),
        btime: now.saturating_sub(up) / 1_000_000_000,
        processes,
        running,
        blocked: 0,
    })
}

fn version() -> String {
    use crate::init::version::{BUILD_DATE, COMMIT, COMPILER};
    format!(
        "Linux version 6.1.0-noyau-{} (noyau@{}) ({}) #1 SMP {}\n",
        env!("CARGO_PKG_VERSION"),
        COMMIT,
        COMPILER,
        BUILD_DATE
    )
}

/// /proc/interrupts in Linux's layout (show_interrupts): a line per I/O
/// APIC line that a driver owns (IRQ, count, chip, input and trigger, the
/// driver), then the local APIC timer's.
fn interrupts() -> String {
    // The tick comes from the local APIC timer; the legacy timer line stays at 0.
    let ticks = crate::kernel::time::jiffies();
    let mut out = String::from("           CPU0       \n");
    out.push_str(&format!("  0: {:10}   IO-APIC   2-edge      timer\n", 0));
    for (irq, gsi, count, name) in crate::arch::irq::lines() {
        out.push_str(&format!(
            "{irq:3}: {count:10}   IO-APIC {gsi:3}-edge      {name}\n"
        ));
    }
    out.push_str(&format!("LOC: {ticks:10}   Local timer interrupts\n"));
    out
}

fn cpuinfo() -> String {
    let cpu = crate::arch::x86_64::cpu::CpuInfo::read();
    let mut flags = String::new();
    for (name, present) in cpu.features() {
        if present {
            if !flags.is_empty() {
                flags.push(' ');
            }
            flags.push_str(name);
        }
    }
    procfmt::cpuinfo(
        &procfmt::CpuInfo {
            vendor: cpu.vendor(),
            family: cpu.family,
            model: cpu.model,
            model_name: cpu.brand(),
            stepping: cpu.stepping,
            khz: crate::arch::x86_64::setup::tsc_khz(),
            cpuid_level: core::arch::x86_64::__cpuid(0).eax,
            flags: &flags,
            phys_bits: core::arch::x86_64::__cpuid(0x8000_0008).eax & 0xff,
            virt_bits: 48,
        },
        cpus(),
    )
}
