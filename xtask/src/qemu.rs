//! QEMU: the command line for each boot path, one run with a wall-time limit
//! whose serial output is passed through and kept, and how the run ended,
//! read from QEMU's exit status (the kernel writes to isa-debug-exit) and,
//! for a reset, from what the kernel printed before it.

use std::io::{IsTerminal, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

pub const QEMU: &str = "qemu-system-x86_64";
pub const OVMF: &str = "/usr/share/ovmf/OVMF.fd";

/// The line Linux and noyau print when the kernel gives up.
pub const PANIC_LINE: &str = "Kernel panic - not syncing";

/// The line Linux and noyau print just before they reset the machine on
/// purpose (`panic=N`, reboot): a reset without it is a triple fault.
pub const RESTART_LINE: &str = "reboot: Restarting system";

/// What QEMU's multiplexed console prints when the user types Ctrl-A X.
const QUIT_LINE: &str = "QEMU: Terminated";

/// Why a reset nobody asked for fails a run.
pub const UNASKED_RESET: &str = "the machine reset without the kernel asking (a triple fault?)";

/// Serial output kept per run; past it the oldest half is dropped.
const KEEP_BYTES: usize = 64 << 20;

/// How the machine starts the kernel.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Boot {
    /// QEMU's `-kernel` loads the ELF and enters it through its PVH note.
    #[default]
    Pvh,
    /// The GRUB image under SeaBIOS (multiboot2).
    Iso,
    /// The GRUB image under OVMF (UEFI, multiboot2).
    Uefi,
}

/// One virtual machine to boot.
pub struct Machine {
    pub boot: Boot,
    /// kernel.elf for PVH, the ISO otherwise.
    pub image: PathBuf,
    /// The command line; under GRUB it is already in the ISO's grub.cfg.
    pub append: String,
    /// The initramfs: PVH passes it with `-initrd` (start_info module 0);
    /// under GRUB it is already in the ISO (`module2`).
    pub initrd: Option<PathBuf>,
    /// Guest memory in bytes (from `parse_size`).
    pub mem: u64,
    pub smp: u32,
    pub gdb: bool,
}

/// Where the guest's serial console goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Console {
    /// stdin is a terminal: serial and monitor multiplexed on it, Ctrl-A X quits.
    Terminal,
    /// stdin is a pipe or a file (or nothing, in tests): serial only.
    Pipe,
}

impl Console {
    pub fn for_stdin() -> Console {
        match std::io::stdin().is_terminal() {
            true => Console::Terminal,
            false => Console::Pipe,
        }
    }

    /// Seconds a run may last unless --timeout says otherwise.
    pub fn default_timeout(self) -> u64 {
        match self {
            Console::Terminal => 3600,
            Console::Pipe => 300,
        }
    }
}

/// QEMU's arguments for `machine`.
pub fn args(machine: &Machine, console: Console) -> Vec<String> {
    let image = machine.image.to_string_lossy().into_owned();
    let mut args: Vec<String> = [
        // KVM dies on the first SSE load here (design.md); TCG is the reference.
        "-accel",
        "tcg",
        "-m",
        &size_arg(machine.mem),
        "-smp",
        &machine.smp.to_string(),
        // A guest reset ends QEMU (status 0) instead of booting again.
        "-no-reboot",
        "-display",
        "none",
        // Port 0xf4: the kernel writes N to end QEMU with status 2N+1.
        "-device",
        "isa-debug-exit,iobase=0xf4,iosize=4",
        // Every feature TCG emulates, SMEP and SMAP among them (the kernel
        // turns them on); the same for Linux when the two are compared.
        "-cpu",
        "max",
    ]
    .map(String::from)
    .to_vec();

    match machine.boot {
        Boot::Pvh => {
            args.extend(["-kernel".into(), image]);
            if !machine.append.is_empty() {
                args.extend(["-append".into(), machine.append.clone()]);
            }
            if let Some(initrd) = &machine.initrd {
                args.extend(["-initrd".into(), initrd.to_string_lossy().into_owned()]);
            }
        }
        Boot::Iso => args.extend(["-cdrom".into(), image, "-boot".into(), "d".into()]),
        Boot::Uefi => args.extend(["-bios".into(), OVMF.into(), "-cdrom".into(), image]),
    }

    match console {
        // signal=off: Ctrl-C goes to the guest's shell, not to QEMU.
        Console::Terminal => args.extend(
            [
                "-chardev",
                "stdio,id=con0,mux=on,signal=off",
                "-serial",
                "chardev:con0",
            ]
            .into_iter()
            .chain(["-mon", "chardev=con0"])
            .map(String::from),
        ),
        Console::Pipe => args.extend(
            ["-serial", "stdio", "-monitor", "none"]
                .into_iter()
                .map(String::from),
        ),
    }
    if machine.gdb {
        args.extend(["-s".into(), "-S".into()]);
    }
    args
}

/// How a QEMU run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Status 1: the kernel powered off.
    PowerOff,
    /// Status 3: the kernel halted after a panic.
    Panic,
    /// Status 0 after the kernel printed `reboot: Restarting system`.
    Reboot,
    /// Status 0 without it: the machine reset by itself (a triple fault).
    Reset,
    /// Status 0 after Ctrl-A X on the terminal.
    Quit,
    /// The time limit passed and QEMU was stopped.
    TimedOut(Duration),
    /// QEMU itself failed, or ended in an unknown way.
    Failed(String),
}

impl Ending {
    /// Reads QEMU's exit status. `stderr` tells QEMU's own errors (also
    /// status 1) from a power-off, and a signal (status 0) from a reset;
    /// `serial` tells who asked for a reset (status 0 under -no-reboot).
    pub fn from_status(status: Option<i32>, stderr: &str, serial: &str) -> Ending {
        let error = stderr
            .lines()
            .find(|line| line.starts_with(&format!("{QEMU}: ")) && !line.contains("warning:"));
        match (status, error) {
            (Some(1), Some(error)) => Ending::Failed(error.to_string()),
            (Some(1), None) => Ending::PowerOff,
            (Some(3), _) => Ending::Panic,
            (Some(0), Some(error)) if error.contains("terminating on signal") => {
                Ending::Failed(format!("QEMU was stopped from outside: {error}"))
            }
            (Some(0), _) if serial.contains(QUIT_LINE) => Ending::Quit,
            (Some(0), _) if has_line(serial, RESTART_LINE) => Ending::Reboot,
            (Some(0), _) => Ending::Reset,
            (Some(code), _) => Ending::Failed(format!("QEMU exited with status {code}")),
            (None, _) => Ending::Failed("QEMU was killed by a signal".into()),
        }
    }
}

/// Whether a line of `log` ends with `text` (after a printk timestamp, say).
pub fn has_line(log: &str, text: &str) -> bool {
    log.lines().any(|line| line.trim_end().ends_with(text))
}

/// A finished run.
pub struct Outcome {
    pub ending: Ending,
    /// Everything the guest wrote on its serial port (and QEMU on its stdout).
    pub serial: String,
    /// QEMU's own messages.
    pub stderr: String,
    pub elapsed: Duration,
}

impl Outcome {
    /// Says what went wrong for `cargo xtask run`; true when nothing did.
    pub fn report(&self) -> bool {
        let panicked = self.serial.contains(PANIC_LINE);
        match &self.ending {
            Ending::PowerOff => true,
            Ending::Reboot | Ending::Quit if !panicked => true,
            Ending::Reboot => {
                eprintln!("\nnoyau: kernel panic (then the machine rebooted)");
                false
            }
            Ending::Panic | Ending::Quit => {
                eprintln!("\nnoyau: kernel panic");
                false
            }
            Ending::Reset => {
                eprintln!("\nnoyau: {UNASKED_RESET}");
                false
            }
            Ending::TimedOut(limit) => {
                eprintln!(
                    "\nnoyau: QEMU was still running after {} s: stopped it (--timeout SECS)",
                    limit.as_secs()
                );
                false
            }
            Ending::Failed(why) => {
                eprintln!("\nnoyau: {why}");
                false
            }
        }
    }
}

/// `cargo xtask run`: QEMU on this terminal or on the pipes it was given.
pub fn run_interactive(machine: &Machine, console: Console, timeout: Duration) -> Result<Outcome> {
    let what = match machine.boot {
        Boot::Pvh => "PVH entry (-kernel)",
        Boot::Iso => "GRUB image under SeaBIOS",
        Boot::Uefi => "GRUB image under UEFI (OVMF)",
    };
    let cpus = if machine.smp == 1 { "CPU" } else { "CPUs" };
    let mut line = format!(
        "noyau: booting the {what}, {}, {} {cpus}",
        size_arg(machine.mem),
        machine.smp
    );
    if let Some(initrd) = &machine.initrd {
        line += &format!(", initramfs {}", crate::paths::relative(initrd).display());
    }
    if console == Console::Terminal {
        line += "; Ctrl-A X quits QEMU";
    }
    eprintln!("{line}");
    if machine.gdb {
        eprintln!(
            "noyau: QEMU waits for gdb: gdb {} -ex 'target remote :1234'",
            crate::paths::relative(&crate::paths::kernel_elf()).display()
        );
    }

    let mut qemu = Command::new(QEMU);
    qemu.args(args(machine, console)).stdin(Stdio::inherit());
    run(qemu, true, timeout, None)
}

/// A boot test: nothing shown, everything kept; `input` typed on the
/// console one string every `gap` (none: no input at all).
pub fn run_captured(
    machine: &Machine,
    timeout: Duration,
    input: &[String],
    gap: Duration,
) -> Result<Outcome> {
    let mut qemu = Command::new(QEMU);
    qemu.args(args(machine, Console::Pipe));
    if input.is_empty() {
        qemu.stdin(Stdio::null());
        return run(qemu, false, timeout, None);
    }
    qemu.stdin(Stdio::piped());
    let input = input.to_vec();
    let typist = move |mut stdin: std::process::ChildStdin| {
        for text in input {
            thread::sleep(gap);
            if stdin
                .write_all(text.as_bytes())
                .and_then(|()| stdin.flush())
                .is_err()
            {
                return;
            }
        }
        // Keep the console open: a closed stdin is an end of file there.
        thread::sleep(Duration::from_secs(3600));
    };
    run(qemu, false, timeout, Some(Box::new(typist)))
}

/// What types on a captured QEMU's console, on a thread of its own.
type Typist = Box<dyn FnOnce(std::process::ChildStdin) + Send>;

/// Runs `qemu` to its end or to `timeout`, copying its output to ours when `echo`.
/// It waits for QEMU on the thread that started it, as `die_with_thread` needs.
fn run(
    mut qemu: Command,
    echo: bool,
    timeout: Duration,
    typist: Option<Typist>,
) -> Result<Outcome> {
    let start = Instant::now();
    die_with_thread(&mut qemu);
    let mut child = qemu
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {QEMU}"))?;
    if let (Some(typist), Some(stdin)) = (typist, child.stdin.take()) {
        thread::spawn(move || typist(stdin));
    }
    let stdout = child.stdout.take().context("QEMU's stdout")?;
    let stderr = child.stderr.take().context("QEMU's stderr")?;
    let serial = thread::spawn(move || tee(stdout, echo.then(std::io::stdout)));
    let errors = thread::spawn(move || tee(stderr, echo.then(std::io::stderr)));

    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for QEMU")? {
            break Some(status);
        }
        if start.elapsed() >= timeout {
            stop(&mut child)?;
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };

    let serial = serial.join().unwrap_or_default();
    let stderr = errors.join().unwrap_or_default();
    let ending = match status {
        Some(status) => Ending::from_status(status.code(), &stderr, &serial),
        None => Ending::TimedOut(timeout),
    };
    Ok(Outcome {
        ending,
        serial,
        stderr,
        elapsed: start.elapsed(),
    })
}

/// A QEMU started by `spawn_piped`: its console's output, its standard
/// input (None unless asked for), a thread gathering what it says on
/// stderr, and when it started.
pub struct Piped {
    pub child: Child,
    pub stdin: Option<std::process::ChildStdin>,
    pub stdout: std::process::ChildStdout,
    pub errors: thread::JoinHandle<String>,
    pub start: Instant,
}

/// Start QEMU on `machine` with its console on pipes (stdin piped when
/// `with_stdin`); it ends with the calling thread.
pub fn spawn_piped(machine: &Machine, with_stdin: bool) -> Result<Piped> {
    let mut command = Command::new(QEMU);
    command
        .args(args(machine, Console::Pipe))
        .stdin(if with_stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    die_with_thread(&mut command);
    let start = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {QEMU}"))?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().context("QEMU's stdout")?;
    let mut stderr = child.stderr.take().context("QEMU's stderr")?;
    let errors = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    Ok(Piped {
        child,
        stdin,
        stdout,
        errors,
        start,
    })
}

/// Makes `command`'s process get SIGTERM when the thread that starts it ends
/// (Linux: PR_SET_PDEATHSIG), so that QEMU does not outlive xtask killed by
/// a signal; SIGTERM lets QEMU give the terminal back as it found it.
pub fn die_with_thread(command: &mut Command) {
    let parent = std::process::id();
    // SAFETY: the hook runs in the child between fork and exec, and only
    // makes system calls (prctl, getppid), which are async-signal-safe.
    unsafe {
        command.pre_exec(move || die_with_parent(parent));
    }
}

/// In the child before exec: ask for SIGTERM when the parent thread ends,
/// unless the parent is already gone (it may have died before the prctl).
fn die_with_parent(parent: u32) -> std::io::Result<()> {
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes a signal number and touches no memory.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: getppid has no arguments and cannot fail.
    let now = unsafe { libc::getppid() };
    if u32::try_from(now).ok() != Some(parent) {
        return Err(std::io::Error::other("xtask ended while starting QEMU"));
    }
    Ok(())
}

/// Copies `from` to `to` (when given) and returns all it read, as text.
fn tee(mut from: impl Read, mut to: Option<impl Write>) -> String {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n @ 1..) = from.read(&mut buf) {
        if let Some(to) = to.as_mut() {
            let _ = to.write_all(&buf[..n]).and_then(|()| to.flush());
        }
        kept.extend_from_slice(&buf[..n]);
        if kept.len() > KEEP_BYTES {
            kept.drain(..KEEP_BYTES / 2);
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// Ends QEMU: SIGTERM first, so that it gives the terminal back as it found it,
/// then SIGKILL if it is still there two seconds later.
fn stop(child: &mut Child) -> Result<()> {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let asked = Instant::now();
    while asked.elapsed() < Duration::from_secs(2) {
        if child.try_wait()?.is_some() {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(20));
    }
    child.kill().context("killing QEMU")?;
    child.wait().context("waiting for QEMU")?;
    Ok(())
}

/// Bytes in a memory size as QEMU's -m reads it: digits and an optional K,
/// M, G or T (binary units; M when there is none), and nothing else.
pub fn parse_size(size: &str) -> Result<u64> {
    let split = size
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(size.len());
    let (digits, unit) = size.split_at(split);
    let shift = match unit {
        "" | "M" | "m" => 20,
        "K" | "k" => 10,
        "G" | "g" => 30,
        "T" | "t" => 40,
        _ => bail!("memory size {size:?}: expected digits and K, M, G or T (256M, 2G)"),
    };
    if digits.is_empty() {
        bail!("memory size {size:?}: expected digits and K, M, G or T (256M, 2G)");
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|number| number.checked_mul(1 << shift))
        .filter(|&bytes| bytes > 0)
        .with_context(|| format!("memory size {size:?} is out of range"))
}

/// `bytes` as QEMU's -m is given it: in the largest unit that divides it.
pub fn size_arg(bytes: u64) -> String {
    let units = [(40, "T"), (30, "G"), (20, "M"), (10, "K")];
    match units
        .iter()
        .find(|(shift, _)| bytes.is_multiple_of(1 << shift))
    {
        Some((shift, unit)) => format!("{}{unit}", bytes >> shift),
        None => format!("{bytes}B"),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use super::*;

    fn machine(boot: Boot, append: &str) -> Machine {
        Machine {
            boot,
            image: PathBuf::from("/t/img"),
            append: append.into(),
            initrd: None,
            mem: 256 << 20,
            smp: 2,
            gdb: false,
        }
    }

    fn joined(machine: &Machine, console: Console) -> String {
        args(machine, console).join(" ")
    }

    #[test]
    fn pvh_passes_kernel_and_command_line() {
        let args = args(&machine(Boot::Pvh, "a=b  c"), Console::Pipe);
        let at = args.iter().position(|a| a == "-append").unwrap();
        assert_eq!(args[at + 1], "a=b  c");
        let line = args.join(" ");
        assert!(line.starts_with("-accel tcg -m 256M -smp 2 -no-reboot -display none"));
        assert!(line.contains("-device isa-debug-exit,iobase=0xf4,iosize=4"));
        assert!(line.contains("-kernel /t/img"));
        assert!(line.ends_with("-serial stdio -monitor none"));
    }

    #[test]
    fn pvh_passes_the_initramfs_after_the_kernel() {
        let mut m = machine(Boot::Pvh, "quiet");
        m.initrd = Some("/t/init ramfs/hello.cpio".into());
        let args = args(&m, Console::Pipe);
        let at = args.iter().position(|a| a == "-initrd").unwrap();
        assert_eq!(args[at + 1], "/t/init ramfs/hello.cpio");
        assert_eq!(args[at - 4..at], ["-kernel", "/t/img", "-append", "quiet"]);
        assert_eq!(args.iter().filter(|a| *a == "-initrd").count(), 1);
        assert!(!joined(&machine(Boot::Pvh, ""), Console::Pipe).contains("-initrd"));
    }

    #[test]
    fn under_grub_the_initramfs_is_in_the_image() {
        for boot in [Boot::Iso, Boot::Uefi] {
            let mut m = machine(boot, "");
            m.initrd = Some("/t/hello.cpio".into());
            let line = joined(&m, Console::Pipe);
            assert!(
                !line.contains("-initrd") && !line.contains("hello.cpio"),
                "{line}"
            );
        }
    }

    #[test]
    fn empty_command_line_is_not_passed() {
        assert!(!joined(&machine(Boot::Pvh, ""), Console::Pipe).contains("-append"));
    }

    #[test]
    fn iso_and_uefi_boot_the_cdrom() {
        let iso = joined(&machine(Boot::Iso, "x"), Console::Pipe);
        assert!(iso.contains("-cdrom /t/img -boot d") && !iso.contains("-append"));
        let uefi = joined(&machine(Boot::Uefi, ""), Console::Pipe);
        assert!(uefi.contains("-bios /usr/share/ovmf/OVMF.fd -cdrom /t/img"));
    }

    #[test]
    fn terminal_multiplexes_the_monitor_and_gdb_waits() {
        let mut m = machine(Boot::Pvh, "");
        m.gdb = true;
        let line = joined(&m, Console::Terminal);
        assert!(line.contains("-chardev stdio,id=con0,mux=on,signal=off -serial chardev:con0"));
        assert!(line.contains("-mon chardev=con0") && !line.contains("-monitor none"));
        assert!(line.ends_with("-s -S"));
    }

    #[test]
    fn exit_status_protocol() {
        assert_eq!(Ending::from_status(Some(1), "", ""), Ending::PowerOff);
        assert_eq!(Ending::from_status(Some(3), "", ""), Ending::Panic);
        let warning = "qemu-system-x86_64: warning: TCG doesn't support requested feature\n";
        assert_eq!(Ending::from_status(Some(1), warning, ""), Ending::PowerOff);
        let error = "qemu-system-x86_64: -kernel x: could not load kernel\n";
        assert_eq!(
            Ending::from_status(Some(1), error, ""),
            Ending::Failed("qemu-system-x86_64: -kernel x: could not load kernel".into())
        );
        assert!(matches!(
            Ending::from_status(Some(5), "", ""),
            Ending::Failed(_)
        ));
        assert!(matches!(
            Ending::from_status(None, "", ""),
            Ending::Failed(_)
        ));
    }

    const PANIC_REBOOT: &str = "[    0.1] Kernel panic - not syncing: x\r\n\
                                [    0.2] Rebooting in 1 seconds..\r\n\
                                [    1.2] reboot: Restarting system\r\n";

    #[test]
    fn a_reset_is_a_reboot_only_when_the_kernel_asked() {
        assert_eq!(
            Ending::from_status(Some(0), "", PANIC_REBOOT),
            Ending::Reboot
        );
        assert_eq!(Ending::from_status(Some(0), "", ""), Ending::Reset);
        let fault = "[    0.1] noyau version 0.1.0\n[    0.2] Command line: x\n";
        assert_eq!(Ending::from_status(Some(0), "", fault), Ending::Reset);
        let echoed = "Command line: reboot: Restarting system now\n";
        assert_eq!(Ending::from_status(Some(0), "", echoed), Ending::Reset);
    }

    #[test]
    fn ctrl_a_x_and_signals_are_not_resets() {
        let quit = "Rebooting in 100 seconds..\r\nQEMU: Terminated\n\r";
        assert_eq!(Ending::from_status(Some(0), "", quit), Ending::Quit);
        let signal = "qemu-system-x86_64: terminating on signal 15 from pid 7 (kill)\n";
        let ending = Ending::from_status(Some(0), signal, "");
        assert!(matches!(ending, Ending::Failed(why) if why.contains("signal 15")));
    }

    fn outcome(ending: Ending, serial: &str) -> Outcome {
        Outcome {
            ending,
            serial: serial.into(),
            stderr: String::new(),
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn only_clean_endings_are_reported_as_success() {
        assert!(outcome(Ending::PowerOff, "").report());
        assert!(outcome(Ending::Reboot, "reboot: Restarting system\n").report());
        assert!(outcome(Ending::Quit, "QEMU: Terminated").report());
        assert!(!outcome(Ending::Reboot, PANIC_REBOOT).report());
        assert!(!outcome(Ending::Quit, "Kernel panic - not syncing: x\n").report());
        assert!(!outcome(Ending::Reset, "").report());
        assert!(!outcome(Ending::Panic, "").report());
    }

    #[test]
    fn a_child_dies_with_the_thread_that_started_it() {
        let child = thread::spawn(|| {
            let mut sleep = Command::new("sleep");
            sleep.arg("30");
            die_with_thread(&mut sleep);
            sleep.spawn().unwrap()
        });
        let mut child = child.join().unwrap();
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > Duration::from_secs(10) {
                child.kill().unwrap();
                panic!("sleep outlived the thread that started it");
            }
            thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(status.signal(), Some(libc::SIGTERM));
    }

    #[test]
    fn sizes_read_as_qemu_reads_them() {
        assert_eq!(parse_size("256M").unwrap(), 256 << 20);
        assert_eq!(parse_size("2G").unwrap(), 2 << 30);
        assert_eq!(parse_size("2g").unwrap(), 2 << 30);
        assert_eq!(parse_size("512").unwrap(), 512 << 20);
        assert_eq!(parse_size("65536K").unwrap(), 64 << 20);
        assert_eq!(parse_size("1T").unwrap(), 1 << 40);
        assert!(parse_size("2GB").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("99999999999T").is_err());
        assert!(parse_size("99999999999999999999999").is_err());
    }

    #[test]
    fn sizes_are_strict() {
        for bad in [
            "256M ", " 256M", "256 M", "2.5G", "+256M", "-1G", "256Mi", "１G", "2G\n",
        ] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn qemu_gets_the_size_in_its_largest_unit() {
        assert_eq!(size_arg(256 << 20), "256M");
        assert_eq!(size_arg(2 << 30), "2G");
        assert_eq!(size_arg(1 << 40), "1T");
        assert_eq!(size_arg(1536 << 20), "1536M");
        assert_eq!(size_arg(100 << 10), "100K");
        assert_eq!(size_arg(parse_size("2048m").unwrap()), "2G");
        let args = args(&machine(Boot::Pvh, ""), Console::Pipe);
        assert_eq!(args[2..4], ["-m", "256M"]);
    }

    #[test]
    fn tee_keeps_what_it_copies() {
        let mut copy = Vec::new();
        assert_eq!(tee(&b"abc\r\ndef"[..], Some(&mut copy)), "abc\r\ndef");
        assert_eq!(copy, b"abc\r\ndef");
    }
}
