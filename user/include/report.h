/*
 * report.h: what noyau's differential test programs share. Output is one
 * write(2) per line (so that lines of different processes never mix);
 * system calls are made raw, with the kernel's own return value (-errno on
 * failure), so that no libc check hides what the kernel said; errno values
 * and wait statuses are printed by name, the way Linux's headers name them.
 *
 * The programs print what they observe, never pids, addresses or times: the
 * same binary runs on the host Linux and on noyau, and the two outputs must
 * be equal line by line. A line that may differ from machine to machine
 * starts with "~ " and is not compared (see tests/boot/README.md).
 */
#ifndef NOYAU_REPORT_H
#define NOYAU_REPORT_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* prctl(2) and prlimit64(2) values from <linux/prctl.h>, <linux/resource.h>. */
#define PR_SET_DUMPABLE 4
#define RLIMIT_CORE 4

/* Prints one line (a newline is added) with a single write(2). */
static inline void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	write(1, line, n);
}

static inline const char *yesno(int condition)
{
	return condition ? "yes" : "no";
}

/* A system call with up to six arguments, as the kernel returns it. */
static inline long sys6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sys0(n) sys6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* Linux's name for an errno value ("EINVAL"), or "errno N". */
static inline const char *errname(long e)
{
#define E(x) [x] = #x
	static const char *const names[] = {
		E(EPERM),   E(ENOENT),	E(ESRCH),   E(EINTR),	     E(EIO),	   E(ENXIO),
		E(E2BIG),   E(ENOEXEC), E(EBADF),   E(ECHILD),	     E(EAGAIN),	   E(ENOMEM),
		E(EACCES),  E(EFAULT),	E(EBUSY),   E(EEXIST),	     E(ENODEV),	   E(ENOTDIR),
		E(EISDIR),  E(EINVAL),	E(EMFILE),  E(ENOTTY),	     E(EFBIG),	   E(ENOSPC),
		E(ESPIPE),  E(EROFS),	E(EPIPE),   E(ERANGE),	     E(ENAMETOOLONG), E(ENOSYS),
		E(ENOTEMPTY), E(ELOOP), E(EOVERFLOW), E(EOPNOTSUPP), E(ETIMEDOUT),
		E(ETXTBSY), E(EOWNERDEAD), E(ENOTRECOVERABLE),
	};
#undef E
	static char other[24];

	if (e > 0 && e < (long)(sizeof(names) / sizeof(names[0])) && names[e])
		return names[e];
	snprintf(other, sizeof(other), "errno %ld", e);
	return other;
}

/* A raw system call's result: "ok" for success, else the errno's name. */
static inline const char *res(long r)
{
	return r < 0 && r > -4096 ? errname(-r) : "ok";
}

/* Linux's name for the signals a test can meet. */
static inline const char *signame(int sig)
{
	switch (sig) {
	case SIGILL: return "SIGILL";
	case SIGTRAP: return "SIGTRAP";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	case SIGUSR1: return "SIGUSR1";
	case SIGUSR2: return "SIGUSR2";
	case SIGCHLD: return "SIGCHLD";
	case SIGCONT: return "SIGCONT";
	case SIGSTOP: return "SIGSTOP";
	case SIGTSTP: return "SIGTSTP";
	case SIGTTIN: return "SIGTTIN";
	case SIGTTOU: return "SIGTTOU";
	case SIGPROF: return "SIGPROF";
	case SIGVTALRM: return "SIGVTALRM";
	case SIGALRM: return "SIGALRM";
	default: return "another signal";
	}
}

/* A wait status in words: "exited 3", "killed by signal 11 (SIGSEGV)",
 * "stopped by signal 19 (SIGSTOP)", "continued"; -1 is reap()'s failure. */
static inline const char *describe(int status)
{
	static char text[80];

	if (status == -1)
		snprintf(text, sizeof(text), "not reaped: wait4 failed");
	else if (WIFEXITED(status))
		snprintf(text, sizeof(text), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(text, sizeof(text), "killed by signal %d (%s)%s", WTERMSIG(status),
			 signame(WTERMSIG(status)), WCOREDUMP(status) ? ", core dumped" : "");
	else if (WIFSTOPPED(status))
		snprintf(text, sizeof(text), "stopped by signal %d (%s)", WSTOPSIG(status),
			 signame(WSTOPSIG(status)));
	else if (WIFCONTINUED(status))
		snprintf(text, sizeof(text), "continued");
	else
		snprintf(text, sizeof(text), "raw wait status %#x", status);
	return text;
}

/*
 * Called in a child about to die of a fault: no core file may be written on
 * the host (a test writes nothing outside its own memory), and the wait
 * status stays the bare signal number. noyau may refuse both calls.
 */
static inline void no_core_dump(void)
{
	long zero[2] = { 0, 0 };

	sys2(SYS_prctl, PR_SET_DUMPABLE, 0);
	sys4(SYS_prlimit64, 0, RLIMIT_CORE, zero, 0);
}

/* Waits for `pid`; its wait status, or -1 when wait4 fails. */
static inline int reap(pid_t pid)
{
	int status = 0;

	if (sys4(SYS_wait4, pid, &status, 0, 0) != pid)
		return -1;
	return status;
}

/* Reads (or writes) one byte at `p` in a child; how the child ended. */
static inline const char *touch_in_child(volatile char *p, int write)
{
	pid_t pid = fork();

	if (pid == 0) {
		no_core_dump();
		if (write)
			*p = 1;
		else
			(void)*p;
		_exit(0);
	}
	return describe(reap(pid));
}

/* Sleeps `ms` milliseconds with nanosleep(2). */
static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	sys2(SYS_nanosleep, &ts, 0);
}

#endif
