/*
 * entry.S: interrupt and exception entry (Linux: arch/x86/entry/entry_64.S).
 *
 * Every vector runs on an interrupt stack (IST), so the CPU never pushes
 * its frame into the red zone of interrupted kernel code: the precompiled
 * core library uses the 128 bytes below RSP without moving RSP. The common
 * path then copies the frame to 128 bytes below the interrupted RSP (or to
 * the task's kernel stack when coming from user mode), leaves the IST, and
 * saves the general registers and the FPU/SSE state before calling Rust.
 *
 * NMI, double fault and machine check take the paranoid path, which stays
 * on its own IST: it must work even when the interrupted stack is broken.
 *
 * The saved frame is struct TrapFrame in traps.rs; keep them in step.
 */

    .section .text.entry, "ax"
    .code64

/* The caller-saved registers, pushed first: the IST copy needs them free. */
.macro PUSH_SCRATCH_REGS
    pushq %rax
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
.endm

/* The rest of struct TrapFrame. */
.macro PUSH_OTHER_REGS
    pushq %rbp
    pushq %rbx
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

/*
 * Clear EFLAGS.AC (Linux: ASM_CLAC): an interrupt may arrive inside a user
 * copy, between its STAC and CLAC, or from user mode with AC set; either
 * way the handler must run with SMAP enforced. IRET gives the interrupted
 * code its own AC back. CLAC is #UD without SMAP, hence the test.
 */
.macro CLAC_IF_SMAP
    cmpb $0, x86_smap_on(%rip)
    je 77f
    clac
77:
.endm

.macro POP_ALL_REGS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbx
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rax
.endm

/* XMM0-15 to and from their places in an FXSAVE image at RSP. */
.macro SAVE_SSE_REGS
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    movaps %xmm\n, (FX_XMM + \n * 16)(%rsp)
.endr
.endm

.macro RESTORE_SSE_REGS
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    movaps (FX_XMM + \n * 16)(%rsp), %xmm\n
.endr
.endm

/*
 * With RBX pointing at the TrapFrame and RSP 16-byte aligned: save the
 * FPU/SSE state below it, link a frame record to the interrupted code (so
 * backtraces continue through the interrupt), and call the Rust handler.
 */
.macro CALL_HANDLER handler
    subq $512, %rsp
    fxsave64 (%rsp)
    pushq 17 * 8(%rbx)
    pushq 9 * 8(%rbx)
    movq %rsp, %rbp
    movq %rbx, %rdi
    call \handler
.endm


/* Offsets in the frame while it is still on the IST. */
.set IST_CS, 64
.set IST_RSP, 80
.set FRAME_QWORDS, 12
.set PERCPU_KERNEL_STACK, 8
.set PERCPU_USER_RSP, 16
.set USER_DS, 0x2b
.set USER_CS, 0x33
.set SYSCALL_VECTOR, 0x100
.set RFLAGS_TF, 0x100
.set RFLAGS_RF, 0x10000
/* Places in an FXSAVE image (switch.rs names the same ones). */
.set FX_MXCSR, 24
.set FX_XMM, 160
.set FX_FULL, 464                           /* a byte FXSAVE leaves to software */

    .balign 16
    .globl vector_stubs
vector_stubs:
.set vec, 0
.rept 256
    .balign 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushq $0                                /* no error code: keep the frame uniform */
    .endif
    pushq $vec
    .if (vec == 2) || (vec == 8) || (vec == 18)
    jmp paranoid_entry
    .else
    jmp common_interrupt
    .endif
    .set vec, vec + 1
.endr
    .balign 16
    .globl vector_stubs_end
vector_stubs_end:

common_interrupt:
    cld
    CLAC_IF_SMAP
    PUSH_SCRATCH_REGS

    testb $3, IST_CS(%rsp)
    jz 1f
    swapgs
    movq %gs:PERCPU_KERNEL_STACK, %rdi
    jmp 2f
1:  movq IST_RSP(%rsp), %rdi
    subq $128, %rdi                         /* step over the red zone */
2:  andq $~15, %rdi
    subq $(FRAME_QWORDS * 8), %rdi
    movq %rdi, %rdx
    movq %rsp, %rsi
    movl $FRAME_QWORDS, %ecx
    rep movsq
    movq %rdx, %rsp                         /* off the IST from here on */

    PUSH_OTHER_REGS
    movq %rsp, %rbx                         /* rbx: the TrapFrame, kept across the call */

    CALL_HANDLER trap_dispatch

    leaq -512(%rbx), %rsp
    fxrstor64 (%rsp)
    movq %rbx, %rsp
    POP_ALL_REGS
    addq $16, %rsp                          /* vector and error code */
    testb $3, 8(%rsp)
    jz 3f
    swapgs
3:  iretq

paranoid_entry:
    cld
    CLAC_IF_SMAP
    PUSH_SCRATCH_REGS
    PUSH_OTHER_REGS
    movq %rsp, %rbx
    testb $3, 18 * 8(%rbx)
    jz 1f
    swapgs
1:  andq $~15, %rsp
    CALL_HANDLER trap_dispatch

    movq %rbx, %rsp
    andq $~15, %rsp
    fxrstor64 -512(%rsp)
    testb $3, 18 * 8(%rbx)
    jz 2f
    swapgs
2:  movq %rbx, %rsp
    POP_ALL_REGS
    addq $16, %rsp
    iretq

/*
 * The system-call entry (Linux: entry_SYSCALL_64). SYSCALL left the user
 * RIP in RCX and RFLAGS in R11, masked IF, and kept the user RSP and GS:
 * switch to this CPU's kernel GS and the task's kernel stack, then build
 * the same TrapFrame as an interrupt from user mode (vector 0x100 marks a
 * system call, the error-code slot holds its number), so that one return
 * path serves both.
 */
    .globl entry_SYSCALL_64
entry_SYSCALL_64:
    swapgs
    movq %rsp, %gs:PERCPU_USER_RSP
    movq %gs:PERCPU_KERNEL_STACK, %rsp
    pushq $USER_DS
    pushq %gs:PERCPU_USER_RSP
    pushq %r11
    pushq $USER_CS
    pushq %rcx
    pushq %rax                              /* the error-code slot: the number */
    pushq $SYSCALL_VECTOR
    PUSH_SCRATCH_REGS
    PUSH_OTHER_REGS
    movq %rsp, %rbx
    /*
     * Only the SSE registers and MXCSR, which the kernel's Rust code uses,
     * are saved here, in their FXSAVE places; the x87 and MMX registers,
     * which it never touches, stay live and switch_to saves them with
     * everything else when the task sleeps. A full FXSAVE costs more than
     * the rest of a null system call under QEMU's emulation.
     */
    subq $512, %rsp
    stmxcsr FX_MXCSR(%rsp)
    movb $0, FX_FULL(%rsp)
    SAVE_SSE_REGS
    pushq 17 * 8(%rbx)
    pushq 9 * 8(%rbx)
    movq %rsp, %rbp
    movq %rbx, %rdi
    call syscall_dispatch
    jmp return_to_user

/*
 * Restore a TrapFrame at RBX and go back to ring 3. The FPU area below the
 * frame holds the SSE registers as the system-call entry saved them, or a
 * whole FXSAVE image (FX_FULL set) where the kernel replaced the state:
 * execve, signal delivery and return, a new task's first run.
 */
return_to_user:
    cli
    leaq -512(%rbx), %rsp
    cmpb $0, FX_FULL(%rsp)
    jne 1f
    ldmxcsr FX_MXCSR(%rsp)
    RESTORE_SSE_REGS
    jmp 2f
1:  fxrstor64 (%rsp)
2:  movq %rbx, %rsp
    /*
     * SYSRETQ when it returns exactly what IRETQ would (Linux's test in
     * do_syscall_64): RCX and R11 still hold RIP and RFLAGS, RIP is a user
     * address (SYSRET to a non-canonical RIP faults in ring 0 on Intel),
     * no trap or resume flag, the user segments. Otherwise (execve, a
     * signal handler, sigreturn) the general path.
     */
    movq 13 * 8(%rsp), %rcx
    cmpq 17 * 8(%rsp), %rcx
    jne 3f
    movq 4 * 8(%rsp), %r11
    cmpq 19 * 8(%rsp), %r11
    jne 3f
    shrq $47, %rcx
    jnz 3f
    testq $(RFLAGS_TF | RFLAGS_RF), %r11
    jnz 3f
    cmpq $USER_CS, 18 * 8(%rsp)
    jne 3f
    cmpq $USER_DS, 21 * 8(%rsp)
    jne 3f
    POP_ALL_REGS
    movq 5 * 8(%rsp), %rsp                  /* the user RSP: after vector, error code, RIP, CS, RFLAGS */
    swapgs
    sysretq
3:  POP_ALL_REGS
    addq $16, %rsp
    swapgs
    iretq

/*
 * switch_to(prev_rsp_slot, next_rsp) (Linux: __switch_to_asm): save the
 * callee-saved registers on the current kernel stack, store its pointer,
 * move to the next task's stack and pop its registers. The caller-saved
 * registers, SSE ones included, are dead across this call by the ABI; the
 * x87 state is the sleeping task's own (a system call leaves it live), so
 * the whole FPU state goes on the stack with them. SWITCH_FPU keeps the
 * image 16-byte aligned: RSP is 8 mod 16 after the six pushes.
 */
.set SWITCH_FPU, 520
    .globl switch_to
switch_to:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $SWITCH_FPU, %rsp
    fxsave64 (%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    fxrstor64 (%rsp)
    addq $SWITCH_FPU, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

/* A new task's first return: RBX holds its TrapFrame (set up by fork). */
    .globl ret_from_fork
ret_from_fork:
    jmp return_to_user

/*
 * A kernel thread's first run: RBX holds its function, R12 its argument
 * (switch.rs prepare_kthread_stack). The function never returns.
 */
    .globl ret_from_kthread
ret_from_kthread:
    movq %r12, %rdi
    sti
    call *%rbx
    ud2
