/*
 * head.S: the first instructions of noyau (Linux: arch/x86/kernel/head_64.S
 * and arch/x86/platform/pvh/head.S).
 *
 * Two boot protocols enter here in 32-bit protected mode with paging off:
 * GRUB through the multiboot2 header (EAX = 0x36d76289, EBX = info block)
 * and QEMU -kernel through the PVH ELF note (EBX = hvm_start_info). Both
 * paths build early page tables, turn on SSE (the precompiled core library
 * uses SSE registers), enter long mode and call start_kernel() in the
 * higher half with (magic, info physical address).
 */

.set KERNEL_VMA, 0xffffffff80000000
.set MB2_MAGIC, 0xe85250d6
.set PVH_MAGIC, 0x336ec578
.set GDT_CODE64, 0x08
.set GDT_DATA, 0x10
.set GDT_CODE32, 0x18
.set COM1, 0x3f8

/* The multiboot2 header: GRUB looks for it in the first 32 KiB of the file. */
    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long 0                                 /* architecture: i386 */
    .long mb2_header_end - mb2_header
    .long 0x100000000 - (MB2_MAGIC + (mb2_header_end - mb2_header))
    .balign 8                               /* entry address tag */
    .word 3, 0
    .long 12
    .long mb2_entry32
    .balign 8                               /* end tag */
    .word 0, 0
    .long 8
mb2_header_end:

/* The PVH note: QEMU reads the 32-bit physical entry from it. */
    .section .note.Xen, "a", @note
    .balign 4
    .long 4                                 /* name size */
    .long 8                                 /* descriptor size */
    .long 18                                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .quad pvh_entry32
    .balign 4

    .section .boot.text, "ax"
    .code32
    .globl pvh_entry32
pvh_entry32:
    movl $PVH_MAGIC, %eax
    /* fall through: EBX already holds the start_info address */

    .globl mb2_entry32
mb2_entry32:
    cli
    cld
    movl %eax, boot_magic
    movl %ebx, boot_info
    movl $boot_stack32_top, %esp

    lgdt gdt_ptr
    ljmp $GDT_CODE32, $1f
1:  movl $GDT_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs

    /* Long mode (bit 29) and NX (bit 20) are required. */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    testl $(1 << 29), %edx
    jz no_long_mode
    testl $(1 << 20), %edx
    jz no_long_mode

    /* Zero the early page tables (the loader may not clear .boot.bss). */
    movl $boot_pml4, %edi
    movl $(boot_tables_end - boot_pml4) / 4, %ecx
    xorl %eax, %eax
    rep stosl

    /*
     * Four page directories of 2 MiB pages map the first 4 GiB. They are
     * reached from three places: identity (PML4[0], so this code survives
     * the switch), the direct map at 0xffff888000000000 (PML4[273]), and
     * the kernel image at 0xffffffff80000000 (PML4[511], PDPT[510]).
     */
    movl $boot_pd, %edi
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax                         /* present, writable, 2 MiB */
    movl %eax, (%edi, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jne 2b

    movl $boot_pdpt_low, %edi
    movl $boot_pd + 0x0003, 0(%edi)
    movl $boot_pd + 0x1003, 8(%edi)
    movl $boot_pd + 0x2003, 16(%edi)
    movl $boot_pd + 0x3003, 24(%edi)
    movl $boot_pdpt_high, %edi
    movl $boot_pd + 0x0003, 510 * 8(%edi)
    movl $boot_pd + 0x1003, 511 * 8(%edi)
    movl $boot_pml4, %edi
    movl $boot_pdpt_low + 3, 0(%edi)
    movl $boot_pdpt_low + 3, 273 * 8(%edi)
    movl $boot_pdpt_high + 3, 511 * 8(%edi)

    /* CR4: PAE, OSFXSR and OSXMMEXCPT (SSE on before any Rust code). */
    movl %cr4, %eax
    orl $((1 << 5) | (1 << 9) | (1 << 10)), %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3

    /* EFER: long mode enable and no-execute enable. */
    movl $0xc0000080, %ecx
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax
    wrmsr

    /* CR0: paging, write protect, monitor coprocessor; no FPU emulation. */
    movl %cr0, %eax
    andl $~(1 << 2), %eax
    orl $((1 << 31) | (1 << 16) | (1 << 1) | 1), %eax
    movl %eax, %cr0

    ljmp $GDT_CODE64, $long_mode_entry

no_long_mode:
    movl $no_long_mode_msg, %esi
3:  lodsb
    testb %al, %al
    jz 5f
    movl %eax, %ebx
    movw $COM1 + 5, %dx                     /* wait for the transmitter */
4:  inb %dx, %al
    testb $0x20, %al
    jz 4b
    movl %ebx, %eax
    movw $COM1, %dx
    outb %al, %dx
    jmp 3b
5:  hlt
    jmp 5b

    .code64
long_mode_entry:
    movl $GDT_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    fninit

    movabsq $boot_stack_top, %rsp
    xorl %ebp, %ebp
    movl boot_magic, %edi
    movl boot_info, %esi
    movabsq $start_kernel, %rax
    pushq $0                                /* end of the frame chain */
    jmp *%rax

    .section .boot.data, "aw"
    .balign 8
gdt:
    .quad 0
    .quad 0x00af9a000000ffff                /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff                /* 0x10: data */
    .quad 0x00cf9a000000ffff                /* 0x18: 32-bit code */
gdt_end:
gdt_ptr:
    .word gdt_end - gdt - 1
    .long gdt
boot_magic:
    .long 0
boot_info:
    .long 0
no_long_mode_msg:
    .asciz "noyau: this CPU lacks long mode or NX; cannot boot\r\n"

    .section .boot.bss, "aw", @nobits
    .balign 4096
boot_pml4:
    .skip 4096
boot_pdpt_low:
    .skip 4096
boot_pdpt_high:
    .skip 4096
boot_pd:
    .skip 4 * 4096
boot_tables_end:
boot_stack32:
    .skip 1024
boot_stack32_top:

/* The boot CPU's kernel stack, in the higher half: start_kernel and the
 * boot information's parser, whose frames hold the BootInfo by value, take
 * some 80 KiB; sched/stack.rs marks its bottom to catch an overflow. */
    .section .bss.boot_stack, "aw", @nobits
    .balign 16
    .globl boot_stack, boot_stack_top
boot_stack:
    .skip 128 * 1024
boot_stack_top:
