//! The serial terminal (Linux: drivers/tty/tty_io.c, tty_jobctrl.c and
//! tty_ioctl.c): the line discipline of crates/tty on the UART, its
//! session and foreground process group, and the terminal ioctls.
//!
//! The UART's interrupt (COM1's IRQ 4, through the I/O APIC), and every
//! reader's look, take the bytes it holds through the line discipline,
//! which echoes them and may ask for a signal to the foreground group (^C
//! SIGINT, ^\ SIGQUIT, ^Z SIGTSTP), and wake the readers (and pollers)
//! that wait for them. Without the interrupt, the tick polls the UART.
//!
//! A process of the terminal's session that is not in the foreground gets
//! SIGTTIN when it reads (SIGTTOU when it writes with TOSTOP, or changes
//! the settings), as job control wants.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use linux_raw_sys::errno::{EAGAIN, EFAULT, EINVAL, EIO, ENOTTY, EPERM};
use linux_raw_sys::general::{O_NONBLOCK, TOSTOP, VMIN, VTIME};
use tty::{Ldisc, Signal, Termios, TERMIOS_SIZE};
use vfs::{Errno, File};

use crate::drivers::tty::serial;
use crate::kernel::sched::{self, WaitQueue};
use crate::kernel::signal::{kill_pgrp, ERESTARTSYS};
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::task::{with_current, TASKS};
use crate::kernel::time::ktime_get_ns;
use crate::mm::uaccess;
use crate::pr_warn;

const SIGHUP: u64 = 1;
const SIGINT: u64 = 2;
const SIGQUIT: u64 = 3;
const SIGCONT: u64 = 18;
const SIGTSTP: u64 = 20;
const SIGTTIN: u64 = 21;
const SIGTTOU: u64 = 22;
const SIGWINCH: u64 = 28;

const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const TCSETSW: u32 = 0x5403;
const TCSETSF: u32 = 0x5404;
const TCSBRK: u32 = 0x5409;
const TCXONC: u32 = 0x540a;
const TCFLSH: u32 = 0x540b;
const TIOCSCTTY: u32 = 0x540e;
const TIOCGPGRP: u32 = 0x540f;
const TIOCSPGRP: u32 = 0x5410;
const TIOCOUTQ: u32 = 0x5411;
const TIOCGWINSZ: u32 = 0x5413;
const TIOCSWINSZ: u32 = 0x5414;
const FIONREAD: u32 = 0x541b;
const TIOCGSERIAL: u32 = 0x541e;
const TIOCNOTTY: u32 = 0x5422;
const TIOCGSID: u32 = 0x5429;

/// The terminal: its line discipline, the session it is the controlling
/// terminal of (0: none), its foreground group, and its window size.
struct Tty {
    ldisc: Ldisc,
    session: u32,
    pgrp: u32,
    winsize: [u8; 8],
    /// Readers waiting for input (Linux: tty->read_wait).
    readers: WaitQueue,
}

static TTY: IrqSpinLock<Option<Tty>> = IrqSpinLock::new(None);

fn with_tty<R>(f: impl FnOnce(&mut Tty) -> R) -> R {
    let mut guard = TTY.lock();
    let tty = guard.get_or_insert_with(|| Tty {
        ldisc: Ldisc::new(Termios::default()),
        session: 0,
        pgrp: 0,
        winsize: [0; 8],
        readers: WaitQueue::new(),
    });
    f(tty)
}

/// Whether COM1's interrupt brings the input; otherwise the tick polls.
static IRQ_DRIVEN: AtomicBool = AtomicBool::new(false);

/// COM1's IRQ 4 (Linux: the 8250 driver's request_irq at startup): the
/// UART already raises it for received bytes (the uart_16550 crate turns
/// on the receive interrupt and OUT2, which gates the line on PCs).
pub fn init_irq() {
    match crate::arch::irq::request_irq(4, poll_input, "ttyS0") {
        Ok(()) => {
            IRQ_DRIVEN.store(true, Ordering::Relaxed);
            // Bytes typed before the line was routed raised no edge.
            poll_input();
        }
        Err(e) => pr_warn!("ttyS0: no interrupt ({:?}); polling every tick", e),
    }
}

/// From the tick: poll the UART when its interrupt does not come.
pub fn tick() {
    if !IRQ_DRIVEN.load(Ordering::Relaxed) {
        poll_input();
    }
}

/// Feed what the UART holds through the line discipline; echo it, and
/// send the signals it asks for to the foreground group. Called from the
/// UART's interrupt (or the tick) and by readers.
///
/// Each byte is taken from the UART, given to the line discipline and
/// echoed under the terminal lock, with interrupts off: a tick that polls
/// between a reader's taking a byte and its handing it on would otherwise
/// pass later bytes first, and the shell would get its input out of order.
pub fn poll_input() {
    let mut echo = Vec::new();
    let mut received_any = false;
    loop {
        let received = with_tty(|t| {
            let byte = serial::try_read_byte()?;
            echo.clear();
            let signal = t.ldisc.receive(byte, &mut echo);
            serial::write_raw(&echo);
            Some((signal, t.pgrp))
        });
        let Some((signal, pgrp)) = received else {
            break;
        };
        received_any = true;
        let Some(signal) = signal else {
            continue;
        };
        let sig = match signal {
            Signal::Int => SIGINT,
            Signal::Quit => SIGQUIT,
            Signal::Tstp => SIGTSTP,
        };
        if pgrp != 0 {
            kill_pgrp(&mut TASKS.lock(), pgrp, sig, ::signal::SigInfo::kernel(sig));
        }
    }
    if received_any {
        with_tty(|t| t.readers.wake_up_all());
    }
}

/// The caller's process group, session and whether it leads the session.
fn caller() -> (u32, u32, bool) {
    with_current(|t| (t.job.pgid, t.job.sid, t.tgid == t.job.sid))
}

/// Is this terminal the caller's controlling terminal?
fn is_ctty() -> bool {
    let (_, sid, _) = caller();
    sid != 0 && with_tty(|t| t.session == sid)
}

/// Job control before a read (SIGTTIN) or a write or settings change
/// (SIGTTOU) by a background process of the terminal's session (Linux:
/// __tty_check_change). `Ok` lets it go on.
fn check_change(sig: u64) -> Result<(), Errno> {
    let (pgid, sid, _) = caller();
    let (session, fg) = with_tty(|t| (t.session, t.pgrp));
    if session == 0 || sid != session || fg == 0 || pgid == fg {
        return Ok(());
    }
    let (blocked, ignored) = with_current(|t| {
        let bit = 1u64 << (sig - 1);
        (
            t.signals.blocked & bit != 0,
            t.signals.action(sig).handler == 1,
        )
    });
    if blocked || ignored {
        // A read is then refused; a write or a setting goes ahead.
        return if sig == SIGTTIN {
            Err(Errno::new(EIO))
        } else {
            Ok(())
        };
    }
    let mut table = TASKS.lock();
    if crate::kernel::signal::jobctl::pgrp_orphaned(&table, pgid, None) {
        return Err(Errno::new(EIO));
    }
    kill_pgrp(&mut table, pgid, sig, ::signal::SigInfo::kernel(sig));
    Err(Errno::new(ERESTARTSYS as u32))
}

/// read(2) on the terminal: what the line discipline hands over, after
/// waiting as its mode says (a line; VMIN bytes; VTIME tenths of a second).
pub fn read(file: &File, buf: &mut [u8]) -> vfs::Result<usize> {
    check_change(SIGTTIN)?;
    if buf.is_empty() {
        return Ok(0);
    }
    let start = ktime_get_ns();
    let nonblocking = file.flags() & O_NONBLOCK != 0;
    loop {
        poll_input();
        // What to return, else how long to wait for more (None: no limit),
        // with the reader queued under the terminal's lock, so that a byte
        // that comes before it sleeps wakes it. Interrupts are off under
        // that lock, so no signal can come between the look and the sleep.
        let next = with_tty(|t| {
            let canonical = t.ldisc.termios.lflag(linux_raw_sys::general::ICANON);
            let (min, time) = (t.ldisc.termios.cc(VMIN), t.ldisc.termios.cc(VTIME));
            if t.ldisc.readable(buf.len()) {
                return Ok(Next::Done(t.ldisc.read(buf)));
            }
            let deadline = match (canonical, min, time) {
                (false, 0, 0) => return Ok(Next::Done(t.ldisc.read(buf))),
                (false, _, time) if time > 0 => {
                    let deadline = start + time as u64 * 100_000_000;
                    if ktime_get_ns() >= deadline {
                        return Ok(Next::Done(t.ldisc.read(buf)));
                    }
                    Some(deadline)
                }
                _ => None,
            };
            if nonblocking {
                return Err(Errno::new(EAGAIN));
            }
            // Restarted after a stop or an SA_RESTART handler, as on Linux.
            if crate::kernel::signal::signal_pending() {
                return Err(Errno::new(ERESTARTSYS as u32));
            }
            t.readers.prepare_to_wait_until(deadline);
            Ok(Next::Sleep(deadline))
        })?;
        let deadline = match next {
            Next::Done(n) => return Ok(n),
            Next::Sleep(deadline) => deadline,
        };
        sched::schedule();
        sched::finish_sleep(deadline);
        let pid = TASKS.lock().current;
        with_tty(|t| t.readers.finish_wait(pid));
    }
}

/// What a read does after a look at the line discipline.
enum Next {
    Done(usize),
    /// Sleep until input, a signal or the deadline (VTIME's).
    Sleep(Option<u64>),
}

/// write(2): through the output processing, after TOSTOP's check.
pub fn write(buf: &[u8]) -> vfs::Result<usize> {
    if with_tty(|t| t.ldisc.termios.lflag(TOSTOP)) {
        check_change(SIGTTOU)?;
    }
    let mut out = Vec::with_capacity(buf.len() + buf.len() / 8);
    with_tty(|t| t.ldisc.output(buf, &mut out));
    serial::write_raw(&out);
    Ok(buf.len())
}

/// Can a read return now (poll's POLLIN)?
pub fn readable() -> bool {
    poll_input();
    with_tty(|t| t.ldisc.readable(1))
}

/// Forget a session whose processes are all gone: its leader's exit
/// frees the terminal for another session (Linux: disassociate_ctty at
/// the leader's exit).
fn release_dead_session() {
    let session = with_tty(|t| t.session);
    if session == 0 {
        return;
    }
    let alive = TASKS
        .lock()
        .tasks
        .values()
        .any(|t| t.alive() && t.job.sid == session);
    if !alive {
        with_tty(|t| {
            t.session = 0;
            t.pgrp = 0;
        });
    }
}

/// Opening the terminal (not /dev/console) without O_NOCTTY makes it the
/// controlling terminal of a session leader that has none (Linux:
/// tty_open_proc_set_tty).
pub fn open_may_acquire(noctty: bool) {
    let (pgid, sid, leader) = caller();
    if noctty || !leader {
        return;
    }
    release_dead_session();
    with_tty(|t| {
        if t.session == 0 {
            t.session = sid;
            t.pgrp = pgid;
        }
    });
}

/// The controlling terminal of session `sid`, for /proc/PID/stat: its
/// number as Linux encodes tty_nr (ttyS0 is 4:64) and its foreground group.
pub fn ctty_of(sid: u32) -> Option<(u32, u32)> {
    const TTY_NR_TTYS0: u32 = (4 << 8) | 64;
    let (session, pgrp) = with_tty(|t| (t.session, t.pgrp));
    (sid != 0 && session == sid).then_some((TTY_NR_TTYS0, pgrp))
}

/// Is there a controlling terminal for /dev/tty to open?
pub fn caller_has_ctty() -> bool {
    is_ctty()
}

fn put(arg: u64, bytes: &[u8]) -> vfs::Result<i64> {
    uaccess::copy_to_user(arg, bytes)
        .map(|()| 0)
        .map_err(|_| Errno::new(EFAULT))
}

fn get<const N: usize>(arg: u64) -> vfs::Result<[u8; N]> {
    let mut b = [0u8; N];
    uaccess::copy_from_user(&mut b, arg).map_err(|_| Errno::new(EFAULT))?;
    Ok(b)
}

/// The terminal ioctls (Linux: tty_ioctl, tty_jobctrl_ioctl, n_tty_ioctl).
pub fn ioctl(cmd: u32, arg: u64) -> vfs::Result<i64> {
    match cmd {
        TCGETS => put(arg, &with_tty(|t| t.ldisc.termios.to_bytes())),
        TCSETS | TCSETSW | TCSETSF => {
            check_change(SIGTTOU)?;
            let new = Termios::from_bytes(&get::<TERMIOS_SIZE>(arg)?);
            with_tty(|t| {
                if cmd == TCSETSF {
                    t.ldisc.flush_input();
                }
                t.ldisc.set_termios(new);
                // A reader waiting for a line may now have enough in raw
                // mode (Linux: n_tty_set_termios wakes read_wait).
                t.readers.wake_up_all();
            });
            Ok(0)
        }
        TCFLSH => match arg {
            0 | 2 => {
                with_tty(|t| t.ldisc.flush_input());
                Ok(0)
            }
            1 => Ok(0),
            _ => Err(Errno::new(EINVAL)),
        },
        TCSBRK | TCXONC => Ok(0),
        TIOCOUTQ => put(arg, &0i32.to_le_bytes()),
        FIONREAD => put(
            arg,
            &(with_tty(|t| t.ldisc.available()) as i32).to_le_bytes(),
        ),
        TIOCGWINSZ => put(arg, &with_tty(|t| t.winsize)),
        TIOCSWINSZ => {
            let new = get::<8>(arg)?;
            let (changed, pgrp) = with_tty(|t| {
                let changed = t.winsize != new;
                t.winsize = new;
                (changed, t.pgrp)
            });
            if changed && pgrp != 0 {
                kill_pgrp(
                    &mut TASKS.lock(),
                    pgrp,
                    SIGWINCH,
                    ::signal::SigInfo::kernel(SIGWINCH),
                );
            }
            Ok(0)
        }
        TIOCGSERIAL => put(arg, &serial_struct()),
        TIOCSCTTY => set_ctty(arg),
        TIOCNOTTY => notty(),
        TIOCGPGRP | TIOCGSID => {
            if !is_ctty() {
                return Err(Errno::new(ENOTTY));
            }
            let id = with_tty(|t| if cmd == TIOCGPGRP { t.pgrp } else { t.session });
            put(arg, &(id as i32).to_le_bytes())
        }
        TIOCSPGRP => set_pgrp(arg),
        _ => Err(Errno::new(ENOTTY)),
    }
}

/// struct serial_struct for TIOCGSERIAL (busybox cttyhack finds the
/// console's port through it): a 16550A on COM1, line 0, IRQ 4.
fn serial_struct() -> [u8; 72] {
    const PORT_16550A: i32 = 4;
    let mut b = [0u8; 72];
    let fields: [i32; 8] = [PORT_16550A, 0, 0x3f8, 4, 0, 16, 0, 115_200];
    for (i, v) in fields.iter().enumerate() {
        b[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    b
}

/// TIOCSCTTY: a session leader without a terminal takes this one, unless
/// another session has it (taken from it only by root asking with arg 1).
fn set_ctty(arg: u64) -> vfs::Result<i64> {
    let (pgid, sid, leader) = caller();
    if is_ctty() {
        return Ok(0);
    }
    let root = with_current(|t| crate::kernel::cred::capable(&t.cred));
    release_dead_session();
    with_tty(|t| {
        if !leader {
            return Err(Errno::new(EPERM));
        }
        if t.session != 0 && !(arg == 1 && root) {
            return Err(Errno::new(EPERM));
        }
        t.session = sid;
        t.pgrp = pgid;
        Ok(0)
    })
}

/// TIOCNOTTY: give the terminal up; a session leader's going sends its
/// foreground group SIGHUP and SIGCONT (Linux: disassociate_ctty).
fn notty() -> vfs::Result<i64> {
    if !is_ctty() {
        return Err(Errno::new(ENOTTY));
    }
    let (_, _, leader) = caller();
    if leader {
        let pgrp = with_tty(|t| {
            let pgrp = t.pgrp;
            t.session = 0;
            t.pgrp = 0;
            pgrp
        });
        let mut table = TASKS.lock();
        for sig in [SIGHUP, SIGCONT] {
            kill_pgrp(&mut table, pgrp, sig, ::signal::SigInfo::kernel(sig));
        }
    }
    Ok(0)
}

/// TIOCSPGRP: a group of the terminal's session becomes the foreground.
fn set_pgrp(arg: u64) -> vfs::Result<i64> {
    if !is_ctty() {
        return Err(Errno::new(ENOTTY));
    }
    check_change(SIGTTOU)?;
    let pgrp = i32::from_le_bytes(get::<4>(arg)?);
    if pgrp < 0 {
        return Err(Errno::new(EINVAL));
    }
    let (_, sid, _) = caller();
    let in_session = {
        let table = TASKS.lock();
        crate::kernel::pgrp::members(&table, pgrp as u32)
            .iter()
            .any(|p| table.tasks.get(p).is_some_and(|t| t.job.sid == sid))
    };
    if !in_session {
        return Err(Errno::new(EPERM));
    }
    with_tty(|t| t.pgrp = pgrp as u32);
    Ok(0)
}
