//! Signals (Linux: kernel/signal.c, arch/x86/kernel/signal.c,
//! signal_64.c).
//!
//! Each task has 64 dispositions (default, ignore, or a handler with its
//! flags, mask and restorer; shared by the threads of a process, Linux's
//! sighand_struct), a blocked mask and a pending mask of its own. A signal
//! sent to a process goes to one of its threads that does not block it; a
//! fatal one ends every thread. A signal
//! is acted on when its task is about to return to user mode: the default
//! action, or a handler run on the user stack in a frame laid out as
//! Linux's struct rt_sigframe, so that the C library's restorer can call
//! rt_sigreturn to resume where the task was interrupted.

use alloc::sync::Arc;

use linux_raw_sys::errno::{EFAULT, EINTR, EINVAL, ESRCH};

use crate::arch::gdt::{USER_CS, USER_DS};
use crate::arch::switch;
use crate::arch::traps::TrapFrame;
use crate::kernel::exit::{do_exit, do_group_exit};
use crate::kernel::sched;
use crate::kernel::sync::IrqSpinLock;
use crate::kernel::sys::err;
use crate::kernel::task::{with_current, with_current_mm, TaskTable, TASKS};

pub const NSIG: u64 = 64;
pub const SIGKILL: u64 = 9;
pub const SIGSEGV: u64 = 11;
pub const SIGCHLD: u64 = 17;
pub const SIGSTOP: u64 = 19;

const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;
const SA_RESTORER: u64 = 0x0400_0000;
const SA_RESTART: u64 = 0x1000_0000;
const SA_NODEFER: u64 = 0x4000_0000;
const SA_RESETHAND: u64 = 0x8000_0000;

/// Returned by a system call a signal interrupted; turned into EINTR, or
/// into a restart of the call for SA_RESTART handlers (Linux: ERESTARTSYS).
pub const ERESTARTSYS: i64 = 512;

/// si_code values.
const SI_USER: i32 = 0;
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;

fn bit(sig: u64) -> u64 {
    1 << (sig - 1)
}

/// Signals that can be neither caught, blocked nor ignored.
pub const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

/// One disposition (Linux: struct k_sigaction, the kernel's view).
#[derive(Clone, Copy, Default)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

/// The dispositions of the 64 signals (Linux: struct sighand_struct).
type Actions = [SigAction; NSIG as usize];

pub struct SignalState {
    actions: Arc<IrqSpinLock<Actions>>,
    pub blocked: u64,
    pending: u64,
    /// si_code and address of a pending fault signal (SIGSEGV...).
    fault: Option<(u64, i32, u64)>,
}

enum Default {
    Terminate,
    Ignore,
}

/// What the default action does. Stopping and continuing (job control)
/// come with process groups; until then they are ignored.
fn default_action(sig: u64) -> Default {
    match sig {
        17 | 18 | 19 | 20 | 21 | 22 | 23 | 28 => Default::Ignore,
        _ => Default::Terminate,
    }
}

impl SignalState {
    pub fn new() -> Self {
        SignalState {
            actions: Arc::new(IrqSpinLock::new([SigAction::default(); NSIG as usize])),
            blocked: 0,
            pending: 0,
            fault: None,
        }
    }

    /// A new task's: the same mask, nothing pending, and the same
    /// dispositions, shared (CLONE_SIGHAND) or copied.
    pub fn for_child(&self, share_handlers: bool) -> Self {
        let actions = if share_handlers {
            self.actions.clone()
        } else {
            Arc::new(IrqSpinLock::new(*self.actions.lock()))
        };
        SignalState {
            actions,
            blocked: self.blocked,
            pending: 0,
            fault: None,
        }
    }

    /// execve: caught signals go back to their default, ignored ones stay;
    /// the new program's dispositions are its own.
    pub fn reset_handlers_on_exec(&mut self) {
        let mut actions = *self.actions.lock();
        for a in actions.iter_mut() {
            if a.handler != SIG_IGN {
                *a = SigAction::default();
            }
        }
        self.actions = Arc::new(IrqSpinLock::new(actions));
    }

    fn action(&self, sig: u64) -> SigAction {
        self.actions.lock()[(sig - 1) as usize]
    }

    fn ignores(&self, sig: u64) -> bool {
        let a = self.action(sig);
        sig != SIGKILL
            && (a.handler == SIG_IGN
                || (a.handler == SIG_DFL && matches!(default_action(sig), Default::Ignore)))
    }

    /// A signal is waiting that the task does not block.
    pub fn has_deliverable(&self) -> bool {
        self.pending & !self.blocked != 0
    }
}

/// Queue `sig` for thread `tid` and wake it if it sleeps (Linux:
/// send_signal + signal_wake_up). Ignored signals are dropped at once.
pub fn send_signal(table: &mut TaskTable, tid: u32, sig: u64) -> bool {
    let Some(task) = table.tasks.get_mut(&tid) else {
        return false;
    };
    if !task.alive() {
        return false;
    }
    if !task.signals.ignores(sig) {
        task.signals.pending |= bit(sig);
        sched::wake_up(table, tid);
    }
    true
}

/// Queue `sig` for process `tgid`: for the first of its threads, the
/// leader first, that does not block it, else for the leader (Linux:
/// complete_signal's choice). False if no thread of it runs.
pub fn send_group_signal(table: &mut TaskTable, tgid: u32, sig: u64) -> bool {
    let threads = table.threads(tgid);
    let alive = |t: &u32| table.tasks.get(t).is_some_and(|t| t.alive());
    let unblocked = threads.iter().filter(|t| alive(t)).find(|t| {
        table
            .tasks
            .get(t)
            .is_some_and(|t| t.signals.blocked & bit(sig) == 0)
    });
    match unblocked.or_else(|| threads.iter().find(|t| alive(t))) {
        Some(&tid) => send_signal(table, tid, sig),
        None => false,
    }
}

/// A fault in user mode: deliver `sig` to a handler if the task has one
/// and does not block it; otherwise the caller kills the task.
pub fn force_sig_fault(sig: u64, code: i32, addr: u64) -> bool {
    with_current(|t| {
        let s = &mut t.signals;
        let a = s.action(sig);
        let caught = a.handler > SIG_IGN && s.blocked & bit(sig) == 0;
        if caught {
            s.pending |= bit(sig);
            s.fault = Some((sig, code, addr));
        }
        caught
    })
}

/// Has the current task a signal to handle? (Sleeping calls check this
/// and return ERESTARTSYS.)
pub fn signal_pending() -> bool {
    with_current(|t| t.signals.has_deliverable())
}

pub fn sys_rt_sigaction(sig: u64, act: u64, oact: u64, sigsetsize: u64) -> i64 {
    if sigsetsize != 8 || !(1..=NSIG).contains(&sig) {
        return err(EINVAL);
    }
    if act != 0 && bit(sig) & UNBLOCKABLE != 0 {
        return err(EINVAL);
    }
    let old = with_current(|t| t.signals.action(sig));
    if act != 0 {
        let mut raw = [0u8; 32];
        if with_current_mm(|mm| mm.copy_from_user(&mut raw, act)).is_err() {
            return err(EFAULT);
        }
        let word = |i: usize| u64::from_le_bytes(raw[i * 8..i * 8 + 8].try_into().expect("8"));
        let new = SigAction {
            handler: word(0),
            flags: word(1),
            restorer: word(2),
            mask: word(3) & !UNBLOCKABLE,
        };
        with_current(|t| {
            t.signals.actions.lock()[(sig - 1) as usize] = new;
            // Setting SIG_IGN (or a default that ignores) discards what is
            // pending, as POSIX requires.
            if t.signals.ignores(sig) {
                t.signals.pending &= !bit(sig);
            }
        });
    }
    if oact != 0 {
        let mut raw = [0u8; 32];
        for (i, w) in [old.handler, old.flags, old.restorer, old.mask]
            .iter()
            .enumerate()
        {
            raw[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        if with_current_mm(|mm| mm.copy_to_user(oact, &raw)).is_err() {
            return err(EFAULT);
        }
    }
    0
}

pub fn sys_rt_sigprocmask(how: u64, set: u64, oset: u64, sigsetsize: u64) -> i64 {
    if sigsetsize != 8 {
        return err(EINVAL);
    }
    let old = with_current(|t| t.signals.blocked);
    if set != 0 {
        let mut raw = [0u8; 8];
        if with_current_mm(|mm| mm.copy_from_user(&mut raw, set)).is_err() {
            return err(EFAULT);
        }
        let set = u64::from_le_bytes(raw);
        let new = match how {
            0 => old | set,
            1 => old & !set,
            2 => set,
            _ => return err(EINVAL),
        };
        with_current(|t| t.signals.blocked = new & !UNBLOCKABLE);
    }
    if oset != 0 && with_current_mm(|mm| mm.copy_to_user(oset, &old.to_le_bytes())).is_err() {
        return err(EFAULT);
    }
    0
}

pub fn sys_rt_sigpending(set: u64, sigsetsize: u64) -> i64 {
    if sigsetsize != 8 {
        return err(EINVAL);
    }
    let p = with_current(|t| t.signals.pending & t.signals.blocked);
    match with_current_mm(|mm| mm.copy_to_user(set, &p.to_le_bytes())) {
        Ok(()) => 0,
        Err(_) => err(EFAULT),
    }
}

/// kill(2): one process (pid > 0) or every process but init and the
/// caller's (pid -1). Process groups (pid 0 and below -1) come with job
/// control.
pub fn sys_kill(pid: i64, sig: u64) -> i64 {
    if sig > NSIG {
        return err(EINVAL);
    }
    let mut table = TASKS.lock();
    let me = table.current().tgid;
    let targets: alloc::vec::Vec<u32> = match pid {
        // A thread's tid names its process too, as on Linux.
        p if p > 0 => table
            .tasks
            .get(&(p as u32))
            .map(|t| t.tgid)
            .into_iter()
            .collect(),
        -1 => table
            .tasks
            .values()
            .filter(|t| t.is_leader() && t.pid > 1 && t.pid != me)
            .map(|t| t.tgid)
            .collect(),
        _ => return err(ESRCH),
    };
    let mut found = false;
    for tgid in targets {
        if tgid != 0 && table.group_alive(tgid) {
            found = true;
            if sig != 0 {
                send_group_signal(&mut table, tgid, sig);
            }
        }
    }
    if found {
        0
    } else {
        err(ESRCH)
    }
}

/// tgkill(2) (and tkill(2), `tgid` None): one thread, which must belong
/// to process `tgid`.
pub fn sys_tgkill(tgid: Option<i64>, tid: i64, sig: u64) -> i64 {
    if tid <= 0 || tgid.is_some_and(|g| g <= 0) || sig > NSIG {
        return err(EINVAL);
    }
    let mut table = TASKS.lock();
    let target = table.tasks.get(&(tid as u32)).filter(|t| t.alive());
    match target {
        Some(t) if tgid.is_none_or(|g| g == t.tgid as i64) => {
            if sig != 0 {
                send_signal(&mut table, tid as u32, sig);
            }
            0
        }
        _ => err(ESRCH),
    }
}

/// Bytes of Linux's x86_64 struct rt_sigframe: the restorer address,
/// struct ucontext (304) and siginfo (128).
const FRAME_SIZE: u64 = 8 + UCONTEXT_SIZE + 128;
const UCONTEXT_SIZE: u64 = 304;
/// Offset of uc_mcontext (struct sigcontext) inside the ucontext.
const MCONTEXT: usize = 40;
/// Offset of uc_sigmask inside the ucontext.
const SIGMASK: usize = MCONTEXT + 256;
/// RFLAGS bits a signal handler may change (Linux: FIX_EFLAGS).
const FIX_EFLAGS: u64 = 0x40dd5;

/// The general registers in struct sigcontext's order.
fn sigcontext_regs(f: &TrapFrame) -> [u64; 18] {
    [
        f.r8, f.r9, f.r10, f.r11, f.r12, f.r13, f.r14, f.r15, f.rdi, f.rsi, f.rbp, f.rbx, f.rdx,
        f.rax, f.rcx, f.rsp, f.rip, f.rflags,
    ]
}

/// Build the signal frame on the user stack and point the task at the
/// handler (Linux: setup_rt_frame). False if the stack is unusable.
fn setup_rt_frame(frame: &mut TrapFrame, sig: u64, a: SigAction, old_mask: u64) -> bool {
    let fault = with_current(|t| t.signals.fault.take());
    let fp_addr = (frame.rsp - 128 - switch::FPU_STATE_SIZE as u64) & !63;
    let frame_addr = ((fp_addr - FRAME_SIZE) & !15) - 8;

    let mut bytes = [0u8; FRAME_SIZE as usize];
    let put = |b: &mut [u8], at: usize, v: u64| b[at..at + 8].copy_from_slice(&v.to_le_bytes());
    put(&mut bytes, 0, a.restorer);
    let uc = 8;
    // uc_stack: no alternate stack (SS_DISABLE).
    put(&mut bytes, uc + 16, 0);
    put(&mut bytes, uc + 24, 2);
    let mc = uc + MCONTEXT;
    for (i, v) in sigcontext_regs(frame).iter().enumerate() {
        put(&mut bytes, mc + i * 8, *v);
    }
    let segs = (USER_CS as u64) | ((USER_DS as u64) << 48);
    put(&mut bytes, mc + 18 * 8, segs);
    put(&mut bytes, mc + 21 * 8, old_mask);
    put(&mut bytes, mc + 22 * 8, fault.map_or(0, |f| f.2));
    put(&mut bytes, mc + 23 * 8, fp_addr);
    put(&mut bytes, uc + SIGMASK, old_mask);
    let info = 8 + UCONTEXT_SIZE as usize;
    bytes[info..info + 4].copy_from_slice(&(sig as i32).to_le_bytes());
    match fault {
        Some((_, code, addr)) => {
            bytes[info + 8..info + 12].copy_from_slice(&code.to_le_bytes());
            put(&mut bytes, info + 16, addr);
        }
        None => {
            bytes[info + 8..info + 12].copy_from_slice(&SI_USER.to_le_bytes());
        }
    }

    let fpu = switch::saved_fpu_state(frame);
    let written = with_current_mm(|mm| {
        mm.copy_to_user(fp_addr, &fpu.0)
            .and_then(|()| mm.copy_to_user(frame_addr, &bytes))
    });
    if written.is_err() {
        return false;
    }
    frame.rsp = frame_addr;
    frame.rip = a.handler;
    frame.rdi = sig;
    frame.rsi = frame_addr + info as u64;
    frame.rdx = frame_addr + uc as u64;
    frame.rax = 0;
    // The handler starts with the direction and trap flags clear and a
    // clean FPU state, as on Linux.
    frame.rflags &= !(0x400 | 0x100);
    switch::set_saved_fpu_state(frame, &switch::clean_fpu_state());
    true
}

/// rt_sigreturn(2): resume from the frame the handler returned through.
pub fn sys_rt_sigreturn(frame: &mut TrapFrame) -> i64 {
    let uc_addr = frame.rsp;
    let mut uc = [0u8; UCONTEXT_SIZE as usize];
    if with_current_mm(|mm| mm.copy_from_user(&mut uc, uc_addr)).is_err() {
        do_group_exit(SIGSEGV as u32);
    }
    let word = |at: usize| u64::from_le_bytes(uc[at..at + 8].try_into().expect("8"));
    let r: [u64; 18] = core::array::from_fn(|i| word(MCONTEXT + i * 8));
    let fp_addr = word(MCONTEXT + 23 * 8);
    let mask = word(SIGMASK);
    let mut fpu = switch::FpuState([0; switch::FPU_STATE_SIZE]);
    if fp_addr != 0 && with_current_mm(|mm| mm.copy_from_user(&mut fpu.0, fp_addr)).is_ok() {
        // MXCSR reserved bits would fault FXRSTOR in the kernel: keep the
        // valid ones only.
        let mxcsr = u32::from_le_bytes(fpu.0[24..28].try_into().expect("4")) & 0xffbf;
        fpu.0[24..28].copy_from_slice(&mxcsr.to_le_bytes());
        switch::set_saved_fpu_state(frame, &fpu);
    }
    frame.r8 = r[0];
    frame.r9 = r[1];
    frame.r10 = r[2];
    frame.r11 = r[3];
    frame.r12 = r[4];
    frame.r13 = r[5];
    frame.r14 = r[6];
    frame.r15 = r[7];
    frame.rdi = r[8];
    frame.rsi = r[9];
    frame.rbp = r[10];
    frame.rbx = r[11];
    frame.rdx = r[12];
    frame.rcx = r[14];
    frame.rsp = r[15];
    frame.rip = r[16];
    frame.rflags = (frame.rflags & !FIX_EFLAGS) | (r[17] & FIX_EFLAGS);
    frame.cs = USER_CS as u64;
    frame.ss = USER_DS as u64;
    with_current(|t| t.signals.blocked = mask & !UNBLOCKABLE);
    r[13] as i64
}

/// On the way back to user mode: act on one deliverable signal (Linux:
/// arch_do_signal_or_restart). `frame.rax` holds a system call's result.
pub fn do_signal(frame: &mut TrapFrame, in_syscall: bool) {
    // Another thread is ending the process: this one goes with it.
    if let Some(status) = with_current(|t| t.group_exit) {
        do_exit(status);
    }
    let next = with_current(|t| {
        let s = &mut t.signals;
        let ready = s.pending & !s.blocked;
        if ready == 0 {
            return None;
        }
        let sig = ready.trailing_zeros() as u64 + 1;
        s.pending &= !bit(sig);
        let a = s.action(sig);
        let old_mask = s.blocked;
        if a.handler > SIG_IGN {
            if a.flags & SA_NODEFER == 0 {
                s.blocked |= bit(sig);
            }
            s.blocked |= a.mask;
            if a.flags & SA_RESETHAND != 0 {
                s.actions.lock()[(sig - 1) as usize] = SigAction::default();
            }
        }
        Some((sig, a, old_mask))
    });
    let Some((sig, a, old_mask)) = next else {
        restart_if_interrupted(frame, in_syscall, true);
        return;
    };
    if a.handler == SIG_IGN
        || (a.handler == SIG_DFL && matches!(default_action(sig), Default::Ignore))
    {
        restart_if_interrupted(frame, in_syscall, true);
        return;
    }
    if a.handler == SIG_DFL {
        do_group_exit(sig as u32);
    }
    restart_if_interrupted(frame, in_syscall, a.flags & SA_RESTART != 0);
    if a.flags & SA_RESTORER == 0 || !setup_rt_frame(frame, sig, a, old_mask) {
        // No way back from the handler, or no stack for the frame: Linux
        // then forces SIGSEGV.
        do_group_exit(SIGSEGV as u32);
    }
}

/// A call that a signal interrupted (it returned ERESTARTSYS) is started
/// again when `restart`, else it fails with EINTR.
fn restart_if_interrupted(frame: &mut TrapFrame, in_syscall: bool, restart: bool) {
    if !in_syscall || frame.rax as i64 != -ERESTARTSYS {
        return;
    }
    if restart {
        frame.rax = frame.error_code;
        frame.rip -= 2;
    } else {
        frame.rax = (-(EINTR as i64)) as u64;
    }
}
