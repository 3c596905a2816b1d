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
    CALL_HANDLER syscall_dispatch
    jmp return_to_user

/* Restore a TrapFrame at RBX (FPU state below it) and go back to ring 3. */
return_to_user:
    cli
    leaq -512(%rbx), %rsp
    fxrstor64 (%rsp)
    movq %rbx, %rsp
    POP_ALL_REGS
    addq $16, %rsp
    swapgs
    iretq

/*
 * switch_to(prev_rsp_slot, next_rsp) (Linux: __switch_to_asm): save the
 * callee-saved registers on the current kernel stack, store its pointer,
 * move to the next task's stack and pop its registers. The caller-saved
 * registers, SSE ones included, are dead across this call by the ABI, and
 * user FPU state was saved at entry, so nothing else needs saving.
 */
    .globl switch_to
switch_to:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
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
