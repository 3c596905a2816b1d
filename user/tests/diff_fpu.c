/*
 * diff_fpu: a differential test of the FPU state a program keeps through
 * the kernel (Linux: arch/x86/kernel/fpu/). The SSE registers XMM0-15,
 * MXCSR and the x87 stack and control word must come back unchanged from
 * a system call, from one that sleeps while another process uses the FPU,
 * and from a signal handler that uses it; a handler starts with the clean
 * state; fork copies the state and execve resets it.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

typedef struct {
	unsigned char b[16];
} __attribute__((aligned(16))) xmm_t;

static xmm_t before[16], after[16];

static void pattern(xmm_t *regs, unsigned seed)
{
	for (int r = 0; r < 16; r++)
		for (int i = 0; i < 16; i++)
			regs[r].b[i] = (unsigned char)(seed + r * 16 + i);
}

/*
 * Load XMM0-15 from `in`, make system call `nr` with up to three
 * arguments, store XMM0-15 to `out`: no compiler code runs in between.
 */
static long xmm_syscall(const xmm_t *in, xmm_t *out, long nr, long a1, long a2, long a3)
{
	long ret;
	register long r10 __asm__("r10") = 0;
	__asm__ volatile(
		"movdqa 0(%[in]), %%xmm0\n\tmovdqa 16(%[in]), %%xmm1\n\t"
		"movdqa 32(%[in]), %%xmm2\n\tmovdqa 48(%[in]), %%xmm3\n\t"
		"movdqa 64(%[in]), %%xmm4\n\tmovdqa 80(%[in]), %%xmm5\n\t"
		"movdqa 96(%[in]), %%xmm6\n\tmovdqa 112(%[in]), %%xmm7\n\t"
		"movdqa 128(%[in]), %%xmm8\n\tmovdqa 144(%[in]), %%xmm9\n\t"
		"movdqa 160(%[in]), %%xmm10\n\tmovdqa 176(%[in]), %%xmm11\n\t"
		"movdqa 192(%[in]), %%xmm12\n\tmovdqa 208(%[in]), %%xmm13\n\t"
		"movdqa 224(%[in]), %%xmm14\n\tmovdqa 240(%[in]), %%xmm15\n\t"
		"syscall\n\t"
		"movdqa %%xmm0, 0(%[out])\n\tmovdqa %%xmm1, 16(%[out])\n\t"
		"movdqa %%xmm2, 32(%[out])\n\tmovdqa %%xmm3, 48(%[out])\n\t"
		"movdqa %%xmm4, 64(%[out])\n\tmovdqa %%xmm5, 80(%[out])\n\t"
		"movdqa %%xmm6, 96(%[out])\n\tmovdqa %%xmm7, 112(%[out])\n\t"
		"movdqa %%xmm8, 128(%[out])\n\tmovdqa %%xmm9, 144(%[out])\n\t"
		"movdqa %%xmm10, 160(%[out])\n\tmovdqa %%xmm11, 176(%[out])\n\t"
		"movdqa %%xmm12, 192(%[out])\n\tmovdqa %%xmm13, 208(%[out])\n\t"
		"movdqa %%xmm14, 224(%[out])\n\tmovdqa %%xmm15, 240(%[out])"
		: "=a"(ret)
		: "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), [in] "r"(in), [out] "r"(out)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

static int kept(void)
{
	int n = 0;
	for (int r = 0; r < 16; r++)
		n += !memcmp(&before[r], &after[r], 16);
	return n;
}

static unsigned mxcsr(void)
{
	unsigned v;
	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void set_mxcsr(unsigned v)
{
	__asm__ volatile("ldmxcsr %0" ::"m"(v));
}

static unsigned short x87_cw(void)
{
	unsigned short v;
	__asm__ volatile("fnstcw %0" : "=m"(v));
	return v;
}

static void set_x87_cw(unsigned short v)
{
	__asm__ volatile("fldcw %0" ::"m"(v));
}

/* Scribble on every FPU register a child or a handler can reach. */
static void scribble(void)
{
	xmm_t junk[16];
	pattern(junk, 0xa0);
	xmm_syscall(junk, junk, SYS_getpid, 0, 0, 0);
	set_mxcsr(0x7f80);
	set_x87_cw(0x0c7f);
	__asm__ volatile("fldz\n\tfld1\n\tfaddp\n\tfstp %%st(0)" ::: "st");
}

static void across_a_call(void)
{
	pattern(before, 1);
	long r = xmm_syscall(before, after, SYS_getppid, 0, 0, 0);
	say("xmm across getppid: %d of 16 kept, returned the parent: %s", kept(),
	    yesno(r == getppid()));
}

/* x87: a value on the stack and the control word, through a sleep. */
static void across_a_sleep(void)
{
	int p[2];
	if (pipe(p) < 0) {
		say("pipe: %s", errname(errno));
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		scribble();
		sleep_ms(50);
		scribble();
		(void)!write(p[1], "x", 1);
		_exit(0);
	}
	char c;
	set_mxcsr(0x5f80);	/* round up, all exceptions masked */
	set_x87_cw(0x027f);	/* 53-bit precision */
	double pi;
	__asm__ volatile("fldpi" ::: "st");
	pattern(before, 7);
	long r = xmm_syscall(before, after, SYS_read, p[0], (long)&c, 1);
	__asm__ volatile("fstpl %0" : "=m"(pi)::"st");
	say("xmm across a read that sleeps: %d of 16 kept, read %ld", kept(), r);
	say("mxcsr %#x, x87 control word %#x, x87 stack top is pi: %s", mxcsr(), x87_cw(),
	    yesno(pi > 3.14159 && pi < 3.1416));
	set_mxcsr(0x1f80);
	set_x87_cw(0x037f);
	say("child: %s", describe(reap(child)));
	close(p[0]);
	close(p[1]);
}

static volatile unsigned handler_mxcsr, handler_cw;

static void on_usr1(int sig)
{
	(void)sig;
	handler_mxcsr = mxcsr();
	handler_cw = x87_cw();
	scribble();
}

static void across_a_handler(void)
{
	signal(SIGUSR1, on_usr1);
	set_mxcsr(0x3f80);
	pattern(before, 33);
	xmm_syscall(before, after, SYS_kill, getpid(), SIGUSR1, 0);
	say("xmm across a handler that uses them: %d of 16 kept, mxcsr after %#x", kept(),
	    mxcsr());
	say("the handler started with mxcsr %#x, x87 control word %#x", handler_mxcsr,
	    handler_cw);
	set_mxcsr(0x1f80);
	signal(SIGUSR1, SIG_DFL);
}

static void through_fork(void)
{
	set_mxcsr(0x9f80);	/* flush to zero */
	set_x87_cw(0x007f);	/* 24-bit precision */
	pid_t child = fork();
	if (child == 0) {
		say("fork: the child has mxcsr %#x, x87 control word %#x", mxcsr(), x87_cw());
		_exit(0);
	}
	reap(child);
	set_mxcsr(0x1f80);
	set_x87_cw(0x037f);
}

static void through_exec(char *self)
{
	set_mxcsr(0x9f80);
	set_x87_cw(0x007f);
	pid_t child = fork();
	if (child == 0) {
		char *argv[] = { self, "after-exec", NULL };
		/* argv[0] is /bin/diff_fpu, which the host runs from elsewhere. */
		execve("/proc/self/exe", argv, environ);
		execve(self, argv, environ);
		say("execve: %s", errname(errno));
		_exit(1);
	}
	reap(child);
	set_mxcsr(0x1f80);
	set_x87_cw(0x037f);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "after-exec")) {
		say("execve: the new program has mxcsr %#x, x87 control word %#x", mxcsr(),
		    x87_cw());
		return 0;
	}
	across_a_call();
	across_a_sleep();
	across_a_handler();
	through_fork();
	through_exec(argv[0]);
	return 0;
}
