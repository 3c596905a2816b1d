//! Exceptions and interrupt dispatch (Linux: arch/x86/kernel/traps.c,
//! arch/x86/mm/fault.c, arch/x86/kernel/irq.c).
//!
//! entry.S saves a TrapFrame and calls trap_dispatch(). An exception in
//! the kernel is a bug, unless it hit an instruction of the exception table
//! (a user copy, arch/x86_64/uaccess.rs), which resumes at its fixup:
//! otherwise it ends in an oops and a panic, with the text Linux prints.
//! Device interrupts go to their handler and get an EOI.

use linux_raw_sys::general::{BUS_ADRERR, SIGBUS};
use x86_64::registers::control::Cr2;

use super::{apic, dumpstack, uaccess};
use crate::mm::address_space::BadAccess;
use crate::pr_warn;

/// The registers entry.S saves, lowest address first.
#[repr(C)]
#[derive(Debug)]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbx: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rax: u64,
    pub vector: u64,
    pub error_code: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

impl TrapFrame {
    pub fn user_mode(&self) -> bool {
        self.cs & 3 != 0
    }
}

/// Linux's vector numbers for the local APIC's own interrupts.
pub const LOCAL_TIMER_VECTOR: u8 = 0xec;
pub const SPURIOUS_APIC_VECTOR: u8 = 0xff;

const X86_TRAP_DE: u64 = 0;
const X86_TRAP_NMI: u64 = 2;
const X86_TRAP_GP: u64 = 13;
const X86_TRAP_PF: u64 = 14;

/// The names Linux's die() prints for each exception.
fn exception_name(vector: u64) -> &'static str {
    match vector {
        0 => "divide error",
        1 => "debug",
        2 => "NMI",
        3 => "int3",
        4 => "overflow",
        5 => "bounds",
        6 => "invalid opcode",
        7 => "device not available",
        8 => "double fault",
        9 => "coprocessor segment overrun",
        10 => "invalid TSS",
        11 => "segment not present",
        12 => "stack segment",
        13 => "general protection fault",
        14 => "page fault",
        16 => "coprocessor error",
        17 => "alignment check",
        18 => "machine check",
        19 => "SIMD exception",
        20 => "virtualization exception",
        21 => "control protection fault",
        _ => "reserved exception",
    }
}

#[no_mangle]
extern "C" fn trap_dispatch(frame: &mut TrapFrame) {
    handle_trap(frame);
    if frame.user_mode() {
        crate::kernel::sched::preempt_on_return_to_user();
        crate::kernel::signal::do_signal(frame, false);
    }
}

fn handle_trap(frame: &mut TrapFrame) {
    match frame.vector {
        X86_TRAP_PF => page_fault(frame),
        X86_TRAP_DE..=31 => exception(frame),
        v if v == LOCAL_TIMER_VECTOR as u64 => {
            let irqs = &super::percpu::this_cpu().apic_timer_irqs;
            irqs.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
            crate::kernel::time::tick();
            crate::kernel::sched::scheduler_tick(frame.user_mode());
            crate::drivers::tty::tty_io::tick();
            crate::kernel::selftest::on_timer_interrupt();
            apic::eoi();
        }
        v if v == SPURIOUS_APIC_VECTOR as u64 => {}
        v if super::irq::handle_irq(v) => {}
        v => {
            pr_warn!("irq: unexpected interrupt on vector {:#x}", v);
            apic::eoi();
        }
    }
}

/// The signal a user-mode exception raises, with its si_code and si_addr
/// (Linux: the do_error_trap calls of arch/x86/kernel/traps.c).
fn user_trap_signal(frame: &TrapFrame) -> (u32, i32, u64) {
    use crate::kernel::exit::{SIGFPE, SIGILL, SIGSEGV};
    const SIGTRAP: u32 = 5;
    const SIGBUS: u32 = 7;
    const SI_KERNEL: i32 = 0x80;
    const FPE_INTDIV: i32 = 1;
    const ILL_ILLOPN: i32 = 2;
    const BUS_ADRALN: i32 = 1;
    match frame.vector {
        X86_TRAP_DE => (SIGFPE, FPE_INTDIV, frame.rip),
        6 => (SIGILL, ILL_ILLOPN, frame.rip),
        1 | 3 => (SIGTRAP, SI_KERNEL, 0),
        12 => (SIGBUS, SI_KERNEL, 0),
        17 => (SIGBUS, BUS_ADRALN, 0),
        16 | 19 => (SIGFPE, 0, frame.rip),
        _ => (SIGSEGV, SI_KERNEL, 0),
    }
}

fn exception(frame: &mut TrapFrame) {
    let name = exception_name(frame.vector);
    if frame.user_mode() && frame.vector != X86_TRAP_NMI {
        let (signal, code, addr) = user_trap_signal(frame);
        if !crate::kernel::signal::force_sig_fault(signal as u64, code, addr) {
            crate::kernel::exit::user_trap(frame, name, signal);
        }
        return;
    }
    // A user copy given a non-canonical address would #GP, not #PF: fix it
    // up the same way (access_ok keeps such addresses out already).
    if frame.vector == X86_TRAP_GP && uaccess::fixup_exception(frame) {
        return;
    }
    if frame.vector == X86_TRAP_NMI {
        pr_warn!(
            "Uhhuh. NMI received on CPU {}; ignoring it",
            super::percpu::smp_processor_id()
        );
        return;
    }
    dumpstack::die(frame, format_args!("{}: {:04x}", name, frame.error_code));
}

/// Page-fault error code bits (Linux: enum x86_pf_error_code).
const PF_PROT: u64 = 1 << 0;
const PF_WRITE: u64 = 1 << 1;
const PF_USER: u64 = 1 << 2;
const PF_RSVD: u64 = 1 << 3;
const PF_INSTR: u64 = 1 << 4;
const PF_PK: u64 = 1 << 5;

/// Shared memory touched past the end of its object: SIGBUS with
/// BUS_ADRERR, to a handler or fatal (Linux: do_sigbus).
fn user_sigbus(address: u64) {
    let (sig, code) = (SIGBUS as u64, BUS_ADRERR as i32);
    if !crate::kernel::signal::force_sig_fault(sig, code, address) {
        crate::kernel::exit::do_group_exit(SIGBUS);
    }
}

/// A user page fault found no memory for the page (Linux:
/// pagefault_out_of_memory): the OOM killer chooses a process to die. If
/// it is another, this one lets it run and takes the fault again; if it
/// is this one, SIGKILL is pending and the return to user mode ends it.
fn pagefault_out_of_memory() {
    if !crate::mm::oom_kill::out_of_memory() {
        crate::kernel::sched::schedule();
    }
}

fn page_fault(frame: &mut TrapFrame) {
    let address = Cr2::read_raw();
    let err = frame.error_code;

    // A user fault is demand paging or a bad access. A kernel fault is a
    // bug unless a user copy took it: then the copy stops at its fixup and
    // mm/uaccess.rs repairs the page or says EFAULT. No lock is taken here:
    // the copy may run with the address space locked (the repair's retry).
    if !frame.user_mode() && uaccess::fixup_exception(frame) {
        return;
    }
    if frame.user_mode() {
        let repaired = crate::kernel::task::with_current_mm(|mm| {
            mm.handle_fault(address, err & PF_WRITE != 0, err & PF_INSTR != 0)
        });
        let code = match repaired {
            Ok(()) => return crate::kernel::sched::cputime::account_fault(),
            Err(BadAccess::NotAllowed) => crate::kernel::signal::SEGV_ACCERR,
            Err(BadAccess::BeyondObject) => return user_sigbus(address),
            Err(BadAccess::NoMemory) => return pagefault_out_of_memory(),
            Err(_) => crate::kernel::signal::SEGV_MAPERR,
        };
        if !crate::kernel::signal::force_sig_fault(crate::kernel::signal::SIGSEGV, code, address) {
            crate::kernel::exit::user_segfault(frame, address);
        }
        return;
    }
    dumpstack::oops_begin();
    // Linux says why first (show_fault_oops), then what.
    if err & PF_INSTR != 0 && err & PF_PROT != 0 && err & PF_USER == 0 {
        // The task table may be what the faulting code held: do not wait for it.
        let uid = crate::kernel::task::TASKS
            .try_lock()
            .and_then(|t| t.tasks.get(&t.current).map(|t| t.cred.uid.real))
            .unwrap_or(0);
        if address < crate::mm::address_space::TASK_SIZE {
            crate::pr_crit!("unable to execute userspace code (SMEP?) (uid: {})", uid);
        } else {
            crate::pr_crit!(
                "kernel tried to execute NX-protected page - exploit attempt? (uid: {})",
                uid
            );
        }
    }
    if address < 4096 && !frame.user_mode() {
        crate::pr_alert!(
            "BUG: kernel NULL pointer dereference, address: {:016x}",
            address
        );
    } else {
        crate::pr_alert!(
            "BUG: unable to handle page fault for address: {:016x}",
            address
        );
    }
    crate::pr_alert!(
        "#PF: {} {} in {} mode",
        if err & PF_USER != 0 {
            "user"
        } else {
            "supervisor"
        },
        if err & PF_INSTR != 0 {
            "instruction fetch"
        } else if err & PF_WRITE != 0 {
            "write access"
        } else {
            "read access"
        },
        if frame.user_mode() { "user" } else { "kernel" }
    );
    crate::pr_alert!(
        "#PF: error_code(0x{:04x}) - {}",
        err,
        if err & PF_PROT == 0 {
            "not-present page"
        } else if err & PF_RSVD != 0 {
            "reserved bit violation"
        } else if err & PF_PK != 0 {
            "protection keys violation"
        } else {
            "permissions violation"
        }
    );
    dumpstack::die(frame, format_args!("Oops: {:04x}", err));
}
