//! Raw user copies and the exception table (Linux: arch/x86/lib/copy_user_64.S,
//! arch/x86/mm/extable.c, the STAC/CLAC of asm/smap.h).
//!
//! `copy_user` moves bytes with `rep movsb` between a kernel buffer and the
//! user half of the address space loaded in CR3. A fault on the user side
//! does not oops: the instruction's address is in `__ex_table`, and the
//! page-fault handler resumes at its fixup, which returns the count of
//! bytes left. mm/uaccess.rs decides what to do about them.

use core::sync::atomic::{AtomicBool, Ordering};

use super::traps::TrapFrame;

/// Is SMAP on? Then EFLAGS.AC must be set (STAC) for a kernel access to a
/// user page and cleared (CLAC) right after. STAC and CLAC are #UD on a
/// CPU without SMAP, so the assembly tests this flag first (Linux patches
/// them in with alternatives instead). entry.S reads it too, to clear AC
/// on every interrupt entry as Linux's ASM_CLAC does.
#[export_name = "x86_smap_on"]
static SMAP_ON: AtomicBool = AtomicBool::new(false);

/// SMAP was turned on in CR4 (setup.rs): user copies open it with STAC.
pub fn set_smap_on() {
    SMAP_ON.store(true, Ordering::Relaxed);
}

// __copy_user(dst: rdi, src: rsi, len: rdx) -> bytes not copied (rax).
//
// Quadwords first (`rep movsq`: TCG runs a `rep` one element at a time),
// then the last bytes. A string instruction that faults stops on the
// element it could not move, with RCX counting those left. A fault in the
// quadwords goes on byte by byte from there (fixup 5:), so that the bytes
// of the page before the bad one are still copied; a fault in the bytes
// ends the copy at the instruction after them (3:), where the normal path
// also goes: the count left is in RCX either way.
core::arch::global_asm!(
    r#"
    .section .text.uaccess, "ax"
    .globl __copy_user
    .type __copy_user, @function
__copy_user:
    movq %rdx, %rcx
    cmpb $0, x86_smap_on(%rip)
    je 1f
    stac
1:  andl $7, %edx
    shrq $3, %rcx
4:  rep movsq
    movq %rdx, %rcx
2:  rep movsb
3:  cmpb $0, x86_smap_on(%rip)
    je 6f
    clac
6:  movq %rcx, %rax
    ret
5:  leaq (%rdx, %rcx, 8), %rcx
    jmp 2b
    .size __copy_user, . - __copy_user

    .section __ex_table, "a"
    .balign 8
    .quad 4b, 5b
    .quad 2b, 3b
    .previous
"#,
    options(att_syntax)
);

extern "C" {
    fn __copy_user(dst: *mut u8, src: *const u8, len: usize) -> usize;
    static __start___ex_table: ExceptionTableEntry;
    static __stop___ex_table: ExceptionTableEntry;
}

/// Copy `len` bytes from `src` to `dst`, one of which is a user address in
/// the address space loaded in CR3; the number of bytes NOT copied. The
/// bytes before a fault are copied, those after it are not.
///
/// # Safety
///
/// The kernel side must be valid for `len` bytes. The user side must lie
/// wholly below TASK_SIZE (access_ok): a bad user page then only stops the
/// copy early, but a kernel address would be written or read for real.
pub unsafe fn copy_user(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // SAFETY: the caller's promise; faults on the user side are fixed up.
    unsafe { __copy_user(dst, src, len) }
}

/// One entry of `__ex_table`: an instruction allowed to fault, and where
/// to go on when it does. Absolute addresses, as the kernel is not
/// relocated; the table is tiny, so it is searched, not sorted.
#[repr(C)]
struct ExceptionTableEntry {
    insn: u64,
    fixup: u64,
}

fn exception_table() -> &'static [ExceptionTableEntry] {
    // SAFETY: the linker script puts every `__ex_table` entry between the
    // two symbols, 16 bytes each.
    unsafe {
        let start = core::ptr::addr_of!(__start___ex_table);
        let end = core::ptr::addr_of!(__stop___ex_table);
        core::slice::from_raw_parts(start, end.offset_from(start) as usize)
    }
}

/// The fixup of a kernel instruction at `rip`, if it may fault (Linux:
/// search_exception_tables).
pub fn search_exception_tables(rip: u64) -> Option<u64> {
    exception_table()
        .iter()
        .find(|e| e.insn == rip)
        .map(|e| e.fixup)
}

/// A kernel-mode fault at an instruction of the exception table resumes
/// at its fixup (Linux: fixup_exception). False for any other fault, which
/// is then a kernel bug and oopses.
pub fn fixup_exception(frame: &mut TrapFrame) -> bool {
    match search_exception_tables(frame.rip) {
        Some(fixup) => {
            frame.rip = fixup;
            true
        }
        None => false,
    }
}
