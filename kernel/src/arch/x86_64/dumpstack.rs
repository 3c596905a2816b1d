//! Oops text, register dumps and stack backtraces
//! (Linux: arch/x86/kernel/dumpstack.c, process_64.c __show_regs).
//!
//! Backtraces follow the frame-pointer chain (the kernel is built with
//! frame pointers) and name each return address with kallsyms, as
//! `function+0xoff/0xsize`.

use core::fmt;
use core::sync::atomic::{AtomicU32, Ordering};

use x86_64::registers::control::{Cr0, Cr2, Cr3, Cr4};
use x86_64::registers::model_specific::{FsBase, GsBase, KernelGsBase};

use super::mm::PAGE_SIZE;
use super::traps::TrapFrame;
use crate::kernel::{kallsyms, printk};
use crate::pr_emerg;

const MAX_FRAMES: usize = 32;

static DIE_COUNTER: AtomicU32 = AtomicU32::new(0);

extern "C" {
    static __kernel_start: u8;
    static __kernel_end: u8;
}

/// Start of an oops: from here on printk must not wait for locks.
pub fn oops_begin() {
    printk::oops_begin();
}

/// A printable code address: `function+0xoff/0xsize`, or the bare address.
pub struct CodeAddr {
    addr: u64,
    /// A return address: look up addr - 1, which is still inside the call.
    is_return: bool,
}

impl fmt::Display for CodeAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let probe = if self.is_return {
            self.addr.wrapping_sub(1)
        } else {
            self.addr
        };
        match kallsyms::lookup(probe) {
            Some(sym) => {
                write!(
                    f,
                    "{}+{:#x}/{:#x}",
                    sym.name,
                    self.addr - sym.addr,
                    sym.size
                )
            }
            None => write!(f, "0x{:x}", self.addr),
        }
    }
}

/// Is `addr .. addr+16` on a stack the kernel runs on: the running task's
/// kernel stack, or one in the image (the boot stack, the IST stacks)?
fn stack_readable(addr: u64) -> bool {
    let within = |start: u64, end: u64| addr >= start && addr.saturating_add(16) <= end;
    let image = (
        core::ptr::addr_of!(__kernel_start) as u64,
        core::ptr::addr_of!(__kernel_end) as u64,
    );
    let top = super::percpu::this_cpu()
        .kernel_stack_top
        .load(Ordering::Relaxed);
    let task_stack = (
        top.saturating_sub(PAGE_SIZE << crate::kernel::exec::KERNEL_STACK_ORDER),
        top,
    );
    addr.is_multiple_of(8)
        && (within(image.0, image.1) || (top != 0 && within(task_stack.0, task_stack.1)))
}

/// Print "Call Trace:" from a frame-pointer chain.
pub fn show_trace(mut rbp: u64) {
    pr_emerg!("Call Trace:");
    pr_emerg!(" <TASK>");
    for _ in 0..MAX_FRAMES {
        if !stack_readable(rbp) {
            break;
        }
        // SAFETY: stack_readable checked that both words are kernel memory.
        let (next, ret) = unsafe { (*(rbp as *const u64), *((rbp + 8) as *const u64)) };
        if ret == 0 {
            break;
        }
        pr_emerg!(
            " {}",
            CodeAddr {
                addr: ret,
                is_return: true
            }
        );
        if next <= rbp {
            break;
        }
        rbp = next;
    }
    pr_emerg!(" </TASK>");
}

/// The backtrace of the caller of this function.
#[inline(never)]
pub fn dump_stack() {
    let rbp: u64;
    // SAFETY: reads the frame pointer register.
    unsafe { core::arch::asm!("mov {}, rbp", out(reg) rbp, options(nomem, nostack)) };
    show_cpu_line();
    show_trace(rbp);
}

/// Linux's "CPU: 0 PID: 42 Comm: sh" line: the task that was running (the
/// boot context before there are tasks is swapper, pid 0), or "?" when the
/// oops came with the task table's lock held.
fn show_cpu_line() {
    let cpu = super::percpu::smp_processor_id();
    let release = crate::init::version::RELEASE;
    let running = crate::kernel::task::TASKS
        .try_lock()
        .map(|table| table.tasks.get(&table.current).map(|t| (t.pid, t.comm)));
    match running {
        Some(Some((pid, comm))) => {
            let comm = crate::kernel::task::Task::comm_str(&comm);
            pr_emerg!("CPU: {cpu} PID: {pid} Comm: {comm} Not tainted {release} #1")
        }
        Some(None) => pr_emerg!("CPU: {cpu} PID: 0 Comm: swapper/{cpu} Not tainted {release} #1"),
        None => pr_emerg!("CPU: {cpu} PID: ? Comm: ? Not tainted {release} #1"),
    }
}

pub fn show_regs(f: &TrapFrame) {
    pr_emerg!(
        "RIP: {:04x}:{}",
        f.cs,
        CodeAddr {
            addr: f.rip,
            is_return: false
        }
    );
    pr_emerg!("RSP: {:04x}:{:016x} EFLAGS: {:08x}", f.ss, f.rsp, f.rflags);
    pr_emerg!(
        "RAX: {:016x} RBX: {:016x} RCX: {:016x}",
        f.rax,
        f.rbx,
        f.rcx
    );
    pr_emerg!(
        "RDX: {:016x} RSI: {:016x} RDI: {:016x}",
        f.rdx,
        f.rsi,
        f.rdi
    );
    pr_emerg!("RBP: {:016x} R08: {:016x} R09: {:016x}", f.rbp, f.r8, f.r9);
    pr_emerg!(
        "R10: {:016x} R11: {:016x} R12: {:016x}",
        f.r10,
        f.r11,
        f.r12
    );
    pr_emerg!(
        "R13: {:016x} R14: {:016x} R15: {:016x}",
        f.r13,
        f.r14,
        f.r15
    );
    pr_emerg!(
        "FS:  {:016x} GS:{:016x} knlGS:{:016x}",
        FsBase::read().as_u64(),
        GsBase::read().as_u64(),
        KernelGsBase::read().as_u64()
    );
    pr_emerg!("CS:  {:04x} CR0: {:016x}", f.cs, Cr0::read_raw());
    let (cr3, _) = Cr3::read_raw();
    pr_emerg!(
        "CR2: {:016x} CR3: {:016x} CR4: {:016x}",
        Cr2::read_raw(),
        cr3.start_address().as_u64(),
        Cr4::read_raw()
    );
}

/// Print the oops for a fatal exception in the kernel, then panic.
pub fn die(frame: &TrapFrame, title: fmt::Arguments) -> ! {
    oops_begin();
    let n = DIE_COUNTER.fetch_add(1, Ordering::SeqCst) + 1;
    if n > 1 {
        // A fault while printing an oops: print the minimum and stop.
        pr_emerg!("{} [#{}] SMP (nested oops, RIP {:x})", title, n, frame.rip);
        crate::arch::reboot::machine_halt_after_panic();
    }
    pr_emerg!("{} [#{}] SMP", title, n);
    show_cpu_line();
    show_regs(frame);
    show_trace(frame.rbp);
    pr_emerg!("---[ end trace 0000000000000000 ]---");
    crate::kernel::panic::panic(format_args!("Fatal exception"), false)
}
