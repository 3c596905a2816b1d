/*
 * diff_sigqueue: a differential test of pending signals (Linux:
 * kernel/signal.c __send_signal_locked, collect_signal, do_rt_sigqueueinfo):
 * a standard signal sent twice is pending once, a real-time signal is
 * queued once per instance with its own siginfo (sigqueue's value), the
 * lowest signal goes first and the instances of one in the order sent;
 * RLIMIT_SIGPENDING bounds the queue (sigqueue and tgkill get EAGAIN, kill
 * still makes the signal pending), SigQ in /proc/self/status counts it, the
 * thread's signals (SigPnd) are taken before the process's (ShdPnd), and
 * ignoring a signal discards all its instances; rt_sigqueueinfo's and
 * rt_tgsigqueueinfo's errors; SIGCHLD's and waitid's si_uid.
 *
 * The parts that count queued signals run as a user no other process runs
 * as: Linux counts them per user.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "report.h"

#define USER 54331

/* The kernel's numbers (glibc's SIGRTMIN is 34 or 35: it keeps some). */
#define RT0 40
#define RT1 36

static const char *code_name(int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TKILL: return "SI_TKILL";
	case SI_KERNEL: return "SI_KERNEL";
	default: return "other";
	}
}

/* rt_sigqueueinfo of `sig` with si_value `value` and `code` to `pid`. */
static long queue_to(pid_t pid, int sig, int value, int code)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return sys3(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static long queue(int sig, int value)
{
	return queue_to(getpid(), sig, value, SI_QUEUE);
}

static sigset_t blocked(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, RT0);
	sigaddset(&set, RT1);
	return set;
}

/* Takes every pending signal of the blocked set, printing each. */
static void drain(const char *when)
{
	sigset_t set = blocked();
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	int n = 0;

	say("%s:", when);
	for (;;) {
		long sig = sys4(SYS_rt_sigtimedwait, &set, &si, &zero, 8);
		if (sig < 0) {
			say("  then %s (%d taken)", res(sig), n);
			return;
		}
		n++;
		if (si.si_code == SI_QUEUE)
			say("  signal %ld, SI_QUEUE, value %d, own pid %s", sig, si.si_value.sival_int,
			    yesno(si.si_pid == getpid()));
		else
			say("  signal %ld, %s, pid %s, uid %s", sig, code_name(si.si_code),
			    si.si_pid == getpid() ? "own" : si.si_pid == 0 ? "0" : "other",
			    si.si_uid == getuid() ? "own" : "other");
	}
}

/* The queued signals /proc/self/status counts for this user (SigQ's first
 * number; the limit after the slash depends on memory), and the signals
 * pending for the thread (SigPnd: tgkill's) and for the process (ShdPnd). */
static void sigq(const char *when)
{
	char text[2048], *line;
	int fd = open("/proc/self/status", O_RDONLY);
	long n = read(fd, text, sizeof(text) - 1);

	close(fd);
	text[n > 0 ? n : 0] = 0;
	for (line = strtok(text, "\n"); line; line = strtok(0, "\n"))
		if (strncmp(line, "SigQ:", 5) == 0)
			say("%s: SigQ %.*s", when, (int)strcspn(line + 6, "/"), line + 6);
		else if (strncmp(line, "SigPnd:", 7) == 0 || strncmp(line, "ShdPnd:", 7) == 0)
			say("  %s", line);
}

static void order(void)
{
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	for (int v = 1; v <= 3; v++)
		say("sigqueue(%d, value %d): %s", RT0, v, res(queue(RT0, v)));
	say("kill(%d): %s", RT0, res(sys2(SYS_kill, getpid(), RT0)));
	say("sigqueue(%d, value 9): %s", RT1, res(queue(RT1, 9)));
	say("tgkill(%d): %s", RT1, res(sys3(SYS_tgkill, getpid(), gettid(), RT1)));
	sigq("with 2 standard and 6 real-time signals pending");
	drain("taken with sigtimedwait");
	sigq("after");
}

static void limit(void)
{
	struct rlimit three = { 3, 3 };

	say("setrlimit(RLIMIT_SIGPENDING, 3): %s", res(setrlimit(RLIMIT_SIGPENDING, &three)));
	for (int v = 1; v <= 4; v++)
		say("sigqueue(%d, value %d): %s", RT0, v, res(queue(RT0, v)));
	say("tgkill(%d): %s", RT0, res(sys3(SYS_tgkill, getpid(), gettid(), RT0)));
	say("kill(%d): %s", RT1, res(sys2(SYS_kill, getpid(), RT1)));
	say("kill(SIGUSR1): %s", res(sys2(SYS_kill, getpid(), SIGUSR1)));
	sigq("at the limit");
	drain("taken");

	say("sigqueue(%d) twice: %s, %s", RT0, res(queue(RT0, 5)), res(queue(RT0, 6)));
	signal(RT0, SIG_IGN);
	sigset_t pending;
	sigpending(&pending);
	say("after SIG_IGN: signal %d pending: %s", RT0, yesno(sigismember(&pending, RT0)));
	sigq("after SIG_IGN");
	signal(RT0, SIG_DFL);
}

static volatile int handled, value, own;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	handled++;
	value += si->si_value.sival_int;
	own += si->si_pid == getpid() && si->si_uid == getuid();
}

static void delivery(void)
{
	struct sigaction sa;
	sigset_t set = blocked();

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(RT1, &sa, 0);
	for (int v = 1; v <= 5; v++)
		queue(RT1, v * 10);
	sigprocmask(SIG_UNBLOCK, &set, 0);
	say("a handler ran %d times, values sum %d, %d from this process", handled, value, own);
	sigprocmask(SIG_BLOCK, &set, 0);
}

static void errors(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	say("rt_sigqueueinfo to pid 1 with si_code SI_USER: %s", res(queue_to(1, RT0, 0, SI_USER)));
	say("rt_sigqueueinfo to pid 1 with si_code SI_TKILL: %s", res(queue_to(1, RT0, 0, SI_TKILL)));
	say("rt_sigqueueinfo to self with si_code SI_USER: %s",
	    res(queue_to(getpid(), RT0, 0, SI_USER)));
	drain("taken");
	say("rt_sigqueueinfo to pid 0: %s", res(queue_to(0, RT0, 0, SI_QUEUE)));
	say("rt_sigqueueinfo to pid -1: %s", res(queue_to(-1, RT0, 0, SI_QUEUE)));
	say("rt_sigqueueinfo to no process: %s", res(queue_to(0x7ffffff0, RT0, 0, SI_QUEUE)));
	say("rt_sigqueueinfo of signal 65: %s", res(queue_to(getpid(), 65, 0, SI_QUEUE)));
	say("rt_sigqueueinfo of signal 0: %s", res(queue_to(getpid(), 0, 0, SI_QUEUE)));
	say("rt_sigqueueinfo with a bad pointer: %s",
	    res(sys3(SYS_rt_sigqueueinfo, getpid(), RT0, 8)));
	say("rt_sigqueueinfo to pid 1 of signal 0: %s", res(queue_to(1, 0, 0, SI_QUEUE)));
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 7;
	say("rt_tgsigqueueinfo to this thread: %s",
	    res(sys4(SYS_rt_tgsigqueueinfo, getpid(), gettid(), RT0, &si)));
	say("rt_tgsigqueueinfo to tgid 0: %s", res(sys4(SYS_rt_tgsigqueueinfo, 0, gettid(), RT0, &si)));
	say("rt_tgsigqueueinfo to another process's thread: %s",
	    res(sys4(SYS_rt_tgsigqueueinfo, 1, gettid(), RT0, &si)));
	si.si_code = SI_USER;
	say("rt_tgsigqueueinfo to this thread with SI_USER: %s",
	    res(sys4(SYS_rt_tgsigqueueinfo, getpid(), gettid(), RT0, &si)));
	drain("taken");
}

int main(void)
{
	say("diff_sigqueue: standard and real-time signals pending, queued, limited");
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, 0);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t set = blocked();
		if (sys3(SYS_setresgid, USER, USER, USER) != 0 ||
		    sys3(SYS_setresuid, USER, USER, USER) != 0)
			say("cannot become uid %d", USER);
		sigprocmask(SIG_BLOCK, &set, 0);
		order();
		delivery();
		limit();
		errors();
		_exit(0);
	}
	/* SIGCHLD and waitid name the child by its real uid. */
	siginfo_t si;
	sigwaitinfo(&chld, &si);
	say("SIGCHLD: code %s, child's pid %s, child's uid %s, status %d",
	    si.si_code == CLD_EXITED ? "CLD_EXITED" : "other", yesno(si.si_pid == pid),
	    yesno(si.si_uid == USER), si.si_status);
	memset(&si, 0, sizeof(si));
	say("waitid: %s", res(sys6(SYS_waitid, P_PID, pid, (long)&si, WEXITED, 0, 0)));
	say("waitid: code %s, child's uid %s, status %d",
	    si.si_code == CLD_EXITED ? "CLD_EXITED" : "other", yesno(si.si_uid == USER),
	    si.si_status);
	return 0;
}
