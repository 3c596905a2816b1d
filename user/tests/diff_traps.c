/*
 * diff_traps: a differential test of the signals CPU exceptions raise in
 * user mode (Linux: arch/x86/kernel/traps.c): divide error, invalid
 * opcode, breakpoint and a privileged instruction, each caught by a
 * SA_SIGINFO handler that checks si_signo, si_code and si_addr, and each
 * fatal without one, with the right wait status.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <string.h>

#include "report.h"

static sigjmp_buf back;
static volatile int got_signo, got_code;
static void *volatile got_addr;

static void on_fault(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)uc;
	got_signo = info->si_signo;
	got_code = info->si_code;
	got_addr = info->si_addr;
	siglongjmp(back, 1);
}

__attribute__((noinline)) static void divide(void)
{
	__asm__ volatile("xor %%ecx, %%ecx\n\tmov $1, %%eax\n\tcltd\n\tfault_div: idiv %%ecx"
			 ::: "eax", "ecx", "edx");
}

__attribute__((noinline)) static void invalid(void)
{
	__asm__ volatile("fault_ud: ud2");
}

static void breakpoint(void)
{
	__asm__ volatile("int3");
}

static void privileged(void)
{
	__asm__ volatile("hlt");
}

extern char fault_div[], fault_ud[];

struct trap {
	const char *name;
	void (*run)(void);
	int sig;
	void *ip;
};

static const struct trap traps[] = {
	{ "idiv by zero", divide, SIGFPE, fault_div },
	{ "ud2", invalid, SIGILL, fault_ud },
	{ "int3", breakpoint, SIGTRAP, 0 },
	{ "hlt in ring 3", privileged, SIGSEGV, 0 },
};

static void caught(const struct trap *t)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(t->sig, &sa, 0);
	got_signo = got_code = 0;
	got_addr = 0;
	if (sigsetjmp(back, 1) == 0) {
		t->run();
		say("%s: no signal", t->name);
	} else {
		say("%s: caught %s, si_code %d, si_addr %s", t->name, signame(got_signo), got_code,
		    t->ip ? (got_addr == t->ip ? "the faulting instruction" : "elsewhere")
			  : (got_addr ? "set" : "0"));
	}
	signal(t->sig, SIG_DFL);
}

static void uncaught(const struct trap *t)
{
	pid_t pid = fork();

	if (pid == 0) {
		no_core_dump();
		t->run();
		_exit(0);
	}
	say("%s without a handler: the child %s", t->name, describe(reap(pid)));
}

int main(void)
{
	say("diff_traps: the signals of CPU exceptions in user mode");
	for (unsigned int i = 0; i < sizeof(traps) / sizeof(traps[0]); i++)
		caught(&traps[i]);
	for (unsigned int i = 0; i < sizeof(traps) / sizeof(traps[0]); i++)
		uncaught(&traps[i]);
	return 0;
}
