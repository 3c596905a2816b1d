/* Signals: a handler runs and returns, a blocked signal waits as pending,
 * kill terminates a child, a SIGSEGV handler sees the fault address,
 * SIGCHLD reaches a handler; and init's process group and session, and
 * the signals init ignores. */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

static volatile int got;
static volatile int chld;

static void on_usr1(int sig)
{
	got = sig;
}

static void on_chld(int sig)
{
	(void)sig;
	chld++;
}

static void on_segv(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	char msg[80] = "caught signal ";
	char *p = msg + strlen(msg);
	*p++ = '0' + sig / 10;
	*p++ = '0' + sig % 10;
	strcpy(p, info->si_addr == (void *)0x10 ? " at address 0x10\n" : " at a wrong address\n");
	write(1, msg, strlen(msg));
	_exit(42);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, 0);
	kill(getpid(), SIGUSR1);
	say("after kill, the handler saw signal %d", got);

	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	got = 0;
	sigprocmask(SIG_BLOCK, &set, 0);
	kill(getpid(), SIGUSR1);
	sigpending(&pending);
	say("%s", sigismember(&pending, SIGUSR1) && !got ? "blocked SIGUSR1 is pending"
							: "blocking failed");
	sigprocmask(SIG_UNBLOCK, &set, 0);
	say("%s", got == SIGUSR1 ? "unblocked, the handler ran" : "unblocking failed");

	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, 0);

	pid_t sleeper = fork();
	if (sleeper == 0) {
		struct timespec ts = { 5, 0 };
		nanosleep(&ts, 0);
		_exit(0);
	}
	kill(sleeper, SIGTERM);
	int status = 0;
	while (waitpid(sleeper, &status, 0) < 0)
		;
	say("%s", WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM ? "SIGTERM killed the child"
								   : "the child survived SIGTERM");

	pid_t faulter = fork();
	if (faulter == 0) {
		struct sigaction segv;
		memset(&segv, 0, sizeof(segv));
		segv.sa_sigaction = on_segv;
		segv.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &segv, 0);
		volatile int *bad = (volatile int *)0x10;
		__asm__("" : "+r"(bad)); /* hide the constant from the compiler */
		*bad = 1;
		_exit(1);
	}
	while (waitpid(faulter, &status, 0) < 0)
		;
	say("the faulting child exited with %d", WEXITSTATUS(status));
	say("%s", chld >= 1 ? "SIGCHLD reached its handler" : "no SIGCHLD");

	/* init, as on Linux: group 0 and session 0 until it calls setsid, and
	 * deaf to the signals it has no handler for. */
	signal(SIGCHLD, SIG_DFL);
	say("init: getpgrp() %ld, getsid(0) %ld", sys0(SYS_getpgrp), sys1(SYS_getsid, 0));
	pid_t member = fork();
	if (member == 0) {
		kill(0, SIGTERM);
		_exit(0);
	}
	while (waitpid(member, &status, 0) < 0)
		;
	say("kill(0, SIGTERM) by a child of init's group: the child %s",
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM ? "was killed" : "survived");
	kill(1, SIGTERM);
	kill(1, SIGSTOP);
	say("init ignores SIGTERM and SIGSTOP without a handler");
	long sid = sys0(SYS_setsid);
	say("init: setsid() %ld, then getpgrp() %ld", sid, sys0(SYS_getpgrp));

	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_POWER_OFF, 0);
	return 1;
}
