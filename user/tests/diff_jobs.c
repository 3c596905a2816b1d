/*
 * diff_jobs: a differential test of job control (Linux: kernel/sys.c
 * setpgid/setsid, kernel/signal.c group stop, SIGCONT, rt_sigsuspend,
 * rt_sigtimedwait and sigaltstack, kernel/exit.c wait4/waitid and orphaned
 * process groups, arch/x86/kernel/signal.c signal frames).
 *
 * The first process only forks: its child makes a session of its own with
 * setsid and runs every part inside it, so that process groups, sessions
 * and orphaned groups are the same on the host and on noyau whatever
 * started the test. Children print only while their parent waits for them;
 * pids are compared, never printed.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "report.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define SI_KERNEL_CODE 0x80
/* Linux's MINSIGSTKSZ for x86_64 (the kernel's, not a libc's sysconf). */
#define LINUX_MINSIGSTKSZ 2048
/* The argument that makes the program report what execve kept. */
#define AFTER_EXEC "after-execve"
/* A pgid no system hands out: above Linux's largest pid_max. */
#define NO_SUCH_GROUP 0x7ffffff0L

static const char *codename(int code)
{
	switch (code) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	case SI_USER: return "SI_USER (0)";
	case SI_TKILL: return "SI_TKILL";
	case SI_KERNEL_CODE: return "SI_KERNEL";
	default: return "another code";
	}
}

static long me(void)
{
	return sys0(SYS_getpid);
}

static long pgid_of(long pid)
{
	return sys1(SYS_getpgid, pid);
}

static long wait_raw(long pid, int *status, long options)
{
	return sys4(SYS_wait4, pid, status, options, 0);
}

static long waitid_raw(long idtype, long id, siginfo_t *si, long options)
{
	return sys6(SYS_waitid, idtype, id, (long)si, options, 0, 0);
}

/* The wait status of `pid` with `options`, in words, or the error. */
static const char *wait_for(long pid, long options)
{
	int status = 0;
	long r = wait_raw(pid, &status, options);

	if (r == 0)
		return "nothing to report (0)";
	if (r != pid)
		return res(r);
	return describe(status);
}

/* A waitid result and the siginfo fields waitid fills. */
static void show_waitid(const char *what, long r, const siginfo_t *si, long pid)
{
	if (r != 0) {
		say("%s: %s", what, res(r));
		return;
	}
	say("%s: %s, si_signo %s, si_code %s, si_pid %s, si_status %d", what, res(r),
	    si->si_signo == SIGCHLD ? "SIGCHLD" : si->si_signo == 0 ? "0" : "other",
	    codename(si->si_code), si->si_pid == pid ? "the child's" : si->si_pid ? "other" : "0",
	    si->si_status);
}

static void block(int sig, int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(how, &set, 0);
}

static int is_pending(int sig)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, sig);
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *), int flags, int masked)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	if (masked)
		sigaddset(&sa.sa_mask, masked);
	sigaction(sig, &sa, 0);
}

static void dfl(int sig)
{
	signal(sig, SIG_DFL);
}

/* A child that sleeps in pause(2) until killed; in a group of its own
 * (made by both sides, so that neither has to wait) when `own_group`. */
static long sleeper(int own_group)
{
	long pid = fork();

	if (pid == 0) {
		if (own_group)
			sys2(SYS_setpgid, 0, 0);
		for (;;)
			sys0(SYS_pause);
	}
	if (own_group)
		sys2(SYS_setpgid, pid, pid);
	return pid;
}

static void kill_and_reap(long pid)
{
	sys2(SYS_kill, pid, SIGKILL);
	reap(pid);
}

/* Blocks until `pid` is stopped, without consuming the report. */
static void until_stopped(long pid)
{
	siginfo_t si;

	waitid_raw(P_PID, pid, &si, WSTOPPED | WNOWAIT);
}

/* ---- process groups and sessions ---- */

static long thread_tid;
static int thread_ready[2], thread_go[2];

static void *parked_thread(void *arg)
{
	char c;

	(void)arg;
	thread_tid = sys0(SYS_gettid);
	write(thread_ready[1], "r", 1);
	read(thread_go[0], &c, 1);
	return 0;
}

static void ids_threads(void)
{
	pthread_t t;
	char c;

	pipe(thread_ready);
	pipe(thread_go);
	pthread_create(&t, 0, parked_thread, 0);
	read(thread_ready[0], &c, 1);
	say("getpgid(a thread's tid) is the process's group: %s",
	    yesno(pgid_of(thread_tid) == pgid_of(0)));
	say("setpgid(a thread's tid, 0): %s", res(sys2(SYS_setpgid, thread_tid, 0)));
	write(thread_go[1], "g", 1);
	pthread_join(t, 0);
	close(thread_ready[0]);
	close(thread_ready[1]);
	close(thread_go[0]);
	close(thread_go[1]);
}

/* setpgid on a child that has run execve: /bin/cat, reading a pipe. */
static void ids_after_exec(void)
{
	int sync[2], in[2];
	char c;

	pipe2(sync, O_CLOEXEC);
	pipe(in);
	long pid = fork();
	if (pid == 0) {
		char *argv[] = { "cat", 0 }, *envp[] = { 0 };
		close(sync[0]);
		close(in[1]);
		dup2(in[0], 0);
		close(in[0]);
		sys3(SYS_execve, "/bin/cat", argv, envp);
		_exit(127);
	}
	close(sync[1]);
	close(in[0]);
	say("the child's execve closed its O_CLOEXEC pipe: %s", yesno(read(sync[0], &c, 1) == 0));
	say("setpgid(child, child) after its execve: %s", res(sys2(SYS_setpgid, pid, pid)));
	say("getpgid(child) still gives the session's group: %s", yesno(pgid_of(pid) == me()));
	close(in[1]);
	say("cat at the end of its input: %s", describe(reap(pid)));
	close(sync[0]);
}

/* In a child: setsid fails while the child's pid names a group. */
static void ids_setsid_child(void)
{
	long pid = fork();

	if (pid == 0) {
		long sid = sys1(SYS_getsid, 0);
		sys2(SYS_setpgid, 0, 0);
		long member = sleeper(0);
		say("a child's own group has a member: %s", yesno(pgid_of(member) == me()));
		say("setpgid(0, the session's group) to leave it: %s",
		    res(sys2(SYS_setpgid, 0, sid)));
		say("setsid() while my pid still names a group: %s", res(sys0(SYS_setsid)));
		kill_and_reap(member);
		say("setsid() once that group is gone returns my pid: %s",
		    yesno(sys0(SYS_setsid) == me()));
		say("then getsid(0), getpgrp() are my pid: %s",
		    yesno(sys1(SYS_getsid, 0) == me() && sys0(SYS_getpgrp) == me()));
		_exit(0);
	}
	say("that child: %s", describe(reap(pid)));

	int ready[2];
	char c;
	pipe(ready);
	pid = fork();
	if (pid == 0) {
		sys0(SYS_setsid);
		write(ready[1], "s", 1);
		for (;;)
			sys0(SYS_pause);
	}
	read(ready[0], &c, 1);
	say("getsid(a child in a session of its own) is its pid: %s",
	    yesno(sys1(SYS_getsid, pid) == pid));
	say("setpgid(that child, the session's group): %s", res(sys2(SYS_setpgid, pid, me())));
	say("setpgid(that child, 0): %s", res(sys2(SYS_setpgid, pid, 0)));
	kill_and_reap(pid);
	close(ready[0]);
	close(ready[1]);
}

static void ids(void)
{
	say("--- process groups and sessions");
	say("setsid() made me leader: getsid(0) and getpgrp() are my pid: %s",
	    yesno(sys1(SYS_getsid, 0) == me() && sys0(SYS_getpgrp) == me()));
	say("getpgid(0) == getpgid(getpid()): %s", yesno(pgid_of(0) == pgid_of(me())));
	say("setsid() again: %s", res(sys0(SYS_setsid)));
	say("setpgid(0, 0) by a session leader: %s", res(sys2(SYS_setpgid, 0, 0)));
	say("setpgid(0, -1): %s", res(sys2(SYS_setpgid, 0, -1)));
	say("setpgid(-5, 0): %s", res(sys2(SYS_setpgid, -5, 0)));
	say("setpgid(-5, 7): %s", res(sys2(SYS_setpgid, -5, 7)));
	say("setpgid(my parent, 0): %s", res(sys2(SYS_setpgid, sys0(SYS_getppid), 0)));
	say("getpgid(-1): %s, getsid(-1): %s", res(pgid_of(-1)), res(sys1(SYS_getsid, -1)));
	say("my parent is in another session: %s",
	    yesno(sys1(SYS_getsid, sys0(SYS_getppid)) != me()));

	long a = sleeper(0), b = sleeper(0);
	say("a child starts in my group and session: %s",
	    yesno(pgid_of(a) == me() && sys1(SYS_getsid, a) == me()));
	long r = sys2(SYS_setpgid, a, a);
	say("setpgid(child, child): %s, it leads a group: %s", res(r), yesno(pgid_of(a) == a));
	say("setpgid(child, child) again: %s", res(sys2(SYS_setpgid, a, a)));
	r = sys2(SYS_setpgid, b, a);
	say("setpgid(second child, the first's group): %s, joined: %s", res(r),
	    yesno(pgid_of(b) == a));
	say("setpgid(child, a group that does not exist): %s",
	    res(sys2(SYS_setpgid, b, NO_SUCH_GROUP)));
	say("setpgid(child, back to my group): %s", res(sys2(SYS_setpgid, b, me())));
	say("setpgid(0, a child's group) for the session leader: %s",
	    res(sys2(SYS_setpgid, 0, a)));
	kill_and_reap(a);
	kill_and_reap(b);
	say("getpgid(a reaped child): %s", res(pgid_of(a)));

	ids_threads();
	ids_after_exec();
	ids_setsid_child();
}

/* ---- kill and wait on process groups ---- */

static void group_kill(void)
{
	say("--- kill on process groups");
	long a = sleeper(1);
	long b = fork();
	if (b == 0) {
		sys2(SYS_setpgid, 0, a);
		for (;;)
			sys0(SYS_pause);
	}
	sys2(SYS_setpgid, b, a);
	long c = sleeper(1);
	say("kill(-pgid, SIGTERM): %s", res(sys2(SYS_kill, -a, SIGTERM)));
	say("its leader: %s", wait_for(a, 0));
	say("its other member: %s", wait_for(b, 0));
	say("a process of another group: %s", wait_for(c, WNOHANG));
	kill_and_reap(c);
	say("kill(-pgid, 0) once the group is gone: %s", res(sys2(SYS_kill, -a, 0)));
	say("kill(-(a group that never was), 0): %s", res(sys2(SYS_kill, -NO_SUCH_GROUP, 0)));
	say("kill(INT_MIN, 0): %s", res(sys2(SYS_kill, (int)0x80000000, 0)));
	say("kill(-pgid, 65): %s", res(sys2(SYS_kill, -me(), 65)));

	long z = fork();
	if (z == 0)
		_exit(0);
	siginfo_t si;
	waitid_raw(P_PID, z, &si, WEXITED | WNOWAIT);
	say("kill(a zombie, 0): %s, kill(a zombie, SIGTERM): %s", res(sys2(SYS_kill, z, 0)),
	    res(sys2(SYS_kill, z, SIGTERM)));
	say("the zombie: %s", wait_for(z, 0));
	z = fork();
	if (z == 0) {
		sys2(SYS_setpgid, 0, 0);
		_exit(0);
	}
	sys2(SYS_setpgid, z, z);
	waitid_raw(P_PID, z, &si, WEXITED | WNOWAIT);
	say("kill(-pgid, 0) of a group whose only member is a zombie: %s",
	    res(sys2(SYS_kill, -z, 0)));
	reap(z);
	say("kill(a reaped child, 0): %s", res(sys2(SYS_kill, z, 0)));

	long d = fork();
	if (d == 0) {
		sys2(SYS_setpgid, 0, 0);
		long e = sleeper(0);
		block(SIGTERM, SIG_BLOCK);
		say("kill(0, SIGTERM) in a group of two: %s", res(sys2(SYS_kill, 0, SIGTERM)));
		say("the other member: %s", wait_for(e, 0));
		say("the sender blocks SIGTERM and has it pending: %s", yesno(is_pending(SIGTERM)));
		_exit(0);
	}
	say("that sender: %s", describe(reap(d)));
}

/* Children that exit when `gate` is closed, some in a group of their own. */
static long gated_child(int gate[2], int code, long pgid)
{
	long pid = fork();
	char c;

	if (pid == 0) {
		if (pgid >= 0)
			sys2(SYS_setpgid, 0, pgid);
		close(gate[1]);
		read(gate[0], &c, 1);
		_exit(code);
	}
	if (pgid >= 0)
		sys2(SYS_setpgid, pid, pgid ? pgid : pid);
	return pid;
}

static void group_wait(void)
{
	int gate[2];
	int status = 0;
	siginfo_t si;

	say("--- wait4 and waitid on process groups");
	pipe(gate);
	long x = gated_child(gate, 1, -1);
	long y = gated_child(gate, 2, 0);
	long y2 = gated_child(gate, 3, y);
	close(gate[0]);
	close(gate[1]);
	long got = wait_raw(0, &status, 0);
	say("wait4(0): my group's child: %s, %s", yesno(got == x), describe(status));
	say("wait4(0) again: %s", res(wait_raw(0, &status, 0)));
	say("wait4(-(a group that never was)): %s", res(wait_raw(-NO_SUCH_GROUP, &status, 0)));
	got = wait_raw(-y, &status, 0);
	say("wait4(-pgid): one of that group: %s", yesno(got == y || got == y2));
	got = wait_raw(-y, &status, 0);
	say("wait4(-pgid) again: the other: %s", yesno(got == y || got == y2));
	say("wait4(-pgid) a third time: %s", res(wait_raw(-y, &status, 0)));

	pipe(gate);
	x = gated_child(gate, 4, -1);
	y = gated_child(gate, 5, 0);
	close(gate[0]);
	close(gate[1]);
	memset(&si, 0, sizeof(si));
	show_waitid("waitid(P_PGID, 0)", waitid_raw(P_PGID, 0, &si, WEXITED), &si, x);
	show_waitid("waitid(P_PGID, 0) again", waitid_raw(P_PGID, 0, &si, WEXITED), &si, 0);
	show_waitid("waitid(P_PGID, pgid)", waitid_raw(P_PGID, y, &si, WEXITED), &si, y);
}

/* ---- stop and continue ---- */

static void stop_one(int sig)
{
	siginfo_t si;
	int status = 0;
	long pid = sleeper(1);

	say("%s to a child in a group of its own:", signame(sig));
	sys2(SYS_kill, pid, sig);
	memset(&si, 0, sizeof(si));
	show_waitid("  waitid(WSTOPPED|WNOWAIT)", waitid_raw(P_PID, pid, &si, WSTOPPED | WNOWAIT),
		    &si, pid);
	say("  wait4(WNOHANG) without WUNTRACED: %s", wait_for(pid, WNOHANG));
	say("  wait4(WUNTRACED): %s", wait_for(pid, WUNTRACED));
	say("  wait4(WUNTRACED|WNOHANG) again: %s", wait_for(pid, WUNTRACED | WNOHANG));
	say("  a second %s while stopped: %s", signame(sig), res(sys2(SYS_kill, pid, sig)));
	say("  wait4(WUNTRACED|WNOHANG): %s", wait_for(pid, WUNTRACED | WNOHANG));
	sys2(SYS_kill, pid, SIGCONT);
	say("  after SIGCONT, wait4(WCONTINUED): %s",
	    wait_raw(pid, &status, WCONTINUED) == pid && status == 0xffff ? "0xffff, continued"
									  : describe(status));
	say("  wait4(WCONTINUED|WNOHANG) again: %s", wait_for(pid, WCONTINUED | WNOHANG));
	kill_and_reap(pid);
}

/* A child of my own group (an orphaned group: my parent is in another
 * session) stops itself with `sig`; how it ended. */
static void stop_orphaned(int sig)
{
	long pid = fork();

	if (pid == 0) {
		sys2(SYS_kill, me(), sig);
		_exit(7);
	}
	say("%s to itself in an orphaned group, then _exit(7): %s", signame(sig),
	    wait_for(pid, WUNTRACED));
	sys2(SYS_kill, pid, SIGCONT);
	reap(pid);
}

static void stops(void)
{
	say("--- stop and continue");
	stop_one(SIGSTOP);
	stop_one(SIGTSTP);
	stop_one(SIGTTIN);
	stop_one(SIGTTOU);
	stop_orphaned(SIGTSTP);
	stop_orphaned(SIGTTIN);
	stop_orphaned(SIGTTOU);
	stop_orphaned(SIGSTOP);

	long pid = sleeper(1);
	say("SIGCONT to a child that is not stopped: %s", res(sys2(SYS_kill, pid, SIGCONT)));
	say("  wait4(WCONTINUED|WNOHANG): %s", wait_for(pid, WCONTINUED | WNOHANG));
	sys2(SYS_kill, pid, SIGSTOP);
	until_stopped(pid);
	sys2(SYS_kill, pid, SIGTERM);
	sleep_ms(20);
	say("SIGTERM to a stopped child: it waits: %s", wait_for(pid, WNOHANG));
	sys2(SYS_kill, pid, SIGCONT);
	say("  then SIGCONT: %s", wait_for(pid, 0));

	pid = sleeper(1);
	sys2(SYS_kill, pid, SIGSTOP);
	until_stopped(pid);
	sys2(SYS_kill, pid, SIGKILL);
	say("SIGKILL to a stopped child, then wait4(WUNTRACED): %s", wait_for(pid, WUNTRACED));
}

/* A child blocks `blocked` and `other`, is sent `first` then `second`, and
 * says which of the two is still pending. */
static void flush_check(int first, int second, const char *what)
{
	int go[2];
	char c;

	pipe(go);
	long pid = fork();
	if (pid == 0) {
		read(go[0], &c, 1);
		if (second)
			say("%s: %s pending %s, %s pending %s", what, signame(first),
			    yesno(is_pending(first)), signame(second), yesno(is_pending(second)));
		else
			say("%s: pending %s", what, yesno(is_pending(first)));
		_exit(0);
	}
	/* The child blocks both before the fork: it inherits the mask. */
	sys2(SYS_kill, pid, first);
	if (second)
		sys2(SYS_kill, pid, second);
	write(go[1], "g", 1);
	reap(pid);
	close(go[0]);
	close(go[1]);
}

static void flushes(void)
{
	sigset_t set, old;

	say("--- what SIGCONT and the stop signals discard");
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGTTIN);
	sigaddset(&set, SIGCONT);
	sigprocmask(SIG_BLOCK, &set, &old);
	flush_check(SIGCONT, 0, "a blocked SIGCONT");
	flush_check(SIGTSTP, SIGCONT, "blocked SIGTSTP, then SIGCONT");
	flush_check(SIGTTIN, SIGCONT, "blocked SIGTTIN, then SIGCONT");
	flush_check(SIGCONT, SIGTSTP, "blocked SIGCONT, then SIGTSTP");
	sigprocmask(SIG_SETMASK, &old, 0);
}

static int ticks[2];

static void *ticker(void *arg)
{
	(void)arg;
	for (;;) {
		write(ticks[1], "t", 1);
		sleep_ms(2);
	}
	return 0;
}

static int readable(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) == 1;
}

static void threads_stop(void)
{
	char c;
	int status = 0;

	pipe(ticks);
	long pid = fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, 0, ticker, 0);
		for (;;)
			sys0(SYS_pause);
	}
	close(ticks[1]);
	read(ticks[0], &c, 1);
	sys2(SYS_kill, pid, SIGSTOP);
	say("a process with a second thread, SIGSTOP: %s",
	    wait_raw(pid, &status, WUNTRACED) == pid ? describe(status) : "not reported");
	while (readable(ticks[0], 0))
		read(ticks[0], &c, 1);
	sleep_ms(40);
	say("  while stopped, the second thread writes nothing: %s", yesno(!readable(ticks[0], 0)));
	sys2(SYS_kill, pid, SIGCONT);
	say("  after SIGCONT it writes again: %s", yesno(readable(ticks[0], 5000)));
	kill_and_reap(pid);
	close(ticks[0]);
}

/* Blocking calls that a stop and a continue do not end. */
static void restarts(void)
{
	int data[2];

	long pid = fork();
	if (pid == 0) {
		struct timespec t = { 0, 150 * 1000000L };
		long r = sys2(SYS_nanosleep, &t, 0);
		say("nanosleep(150 ms) across a stop and a continue: %s", res(r));
		_exit(0);
	}
	sleep_ms(30);
	sys2(SYS_kill, pid, SIGSTOP);
	until_stopped(pid);
	sys2(SYS_kill, pid, SIGCONT);
	reap(pid);

	for (int use_poll = 0; use_poll < 2; use_poll++) {
		pipe(data);
		pid = fork();
		if (pid == 0) {
			char c = 0;
			close(data[1]);
			if (use_poll) {
				struct pollfd p = { data[0], POLLIN, 0 };
				long r = sys3(SYS_poll, &p, 1, -1);
				say("poll(2) of a pipe across a stop and a continue: %s, revents "
				    "POLLIN %s", r == 1 ? "1" : res(r), yesno(p.revents & POLLIN));
			} else {
				long r = read(data[0], &c, 1);
				say("read(2) of a pipe across a stop and a continue: %ld byte, '%c'",
				    r, c);
			}
			_exit(0);
		}
		close(data[0]);
		sleep_ms(30);
		sys2(SYS_kill, pid, SIGSTOP);
		until_stopped(pid);
		sys2(SYS_kill, pid, SIGCONT);
		sleep_ms(20);
		write(data[1], "x", 1);
		reap(pid);
		close(data[1]);
	}
}

/* ---- SIGCHLD for stops, continues and exits ---- */

static volatile int chld_handled;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	chld_handled++;
}

static long wait_chld(siginfo_t *si)
{
	sigset_t set;
	struct timespec five = { 5, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	memset(si, 0, sizeof(*si));
	return sys4(SYS_rt_sigtimedwait, &set, si, &five, 8);
}

static void show_chld(const char *what, long r, const siginfo_t *si, long pid)
{
	say("%s: %s, si_code %s, si_pid %s, si_status %d", what,
	    r == SIGCHLD ? "SIGCHLD" : res(r), codename(si->si_code),
	    si->si_pid == pid ? "the child's" : "other", si->si_status);
}

static void sigchld(void)
{
	siginfo_t si;

	say("--- SIGCHLD");
	block(SIGCHLD, SIG_BLOCK);
	long pid = sleeper(1);
	sys2(SYS_kill, pid, SIGSTOP);
	show_chld("a child stops", wait_chld(&si), &si, pid);
	wait_raw(pid, 0, WUNTRACED);
	sys2(SYS_kill, pid, SIGCONT);
	show_chld("it continues", wait_chld(&si), &si, pid);
	sys2(SYS_kill, pid, SIGKILL);
	show_chld("it is killed", wait_chld(&si), &si, pid);
	reap(pid);
	pid = fork();
	if (pid == 0)
		_exit(3);
	show_chld("a child exits with 3", wait_chld(&si), &si, pid);
	reap(pid);

	handle(SIGCHLD, on_chld, SA_NOCLDSTOP, 0);
	pid = sleeper(1);
	sys2(SYS_kill, pid, SIGSTOP);
	wait_raw(pid, 0, WUNTRACED);
	sleep_ms(20);
	say("SA_NOCLDSTOP: no SIGCHLD for a stop: %s", yesno(!is_pending(SIGCHLD)));
	sys2(SYS_kill, pid, SIGCONT);
	wait_raw(pid, 0, WCONTINUED);
	sleep_ms(20);
	say("  nor for a continue: %s", yesno(!is_pending(SIGCHLD)));
	sys2(SYS_kill, pid, SIGKILL);
	show_chld("  but one for the end", wait_chld(&si), &si, pid);
	reap(pid);

	handle(SIGCHLD, on_chld, SA_NOCLDWAIT, 0);
	pid = fork();
	if (pid == 0)
		_exit(0);
	say("SA_NOCLDWAIT: wait4 for the child: %s", res(wait_raw(pid, 0, 0)));
	show_chld("  SIGCHLD still comes", wait_chld(&si), &si, pid);

	signal(SIGCHLD, SIG_IGN);
	pid = fork();
	if (pid == 0)
		_exit(0);
	say("SIGCHLD ignored: wait4 for the child: %s", res(wait_raw(pid, 0, 0)));
	say("  and no SIGCHLD is pending: %s", yesno(!is_pending(SIGCHLD)));
	dfl(SIGCHLD);
	block(SIGCHLD, SIG_UNBLOCK);
	say("the handler, SIGCHLD being blocked throughout, never ran: %s", yesno(!chld_handled));
}

/* ---- an orphaned group with a stopped member gets SIGHUP and SIGCONT ---- */

static int hup_pipe[2];

static void on_hup(int sig, siginfo_t *si, void *uc)
{
	char c = si->si_code == SI_KERNEL_CODE ? 'H' : 'h';

	(void)sig;
	(void)uc;
	write(hup_pipe[1], &c, 1);
}

static void on_cont(int sig, siginfo_t *si, void *uc)
{
	char c = si->si_code == SI_KERNEL_CODE ? 'C' : 'c';

	(void)sig;
	(void)uc;
	write(hup_pipe[1], &c, 1);
}

/*
 * A process `mid` (in my group, or leading a group of its own when
 * `mid_leads`) forks a grandchild that stops itself (in a group of its
 * own, or in mid's group), then exits once the stop is seen. The exit
 * orphans the stopped grandchild's group: its handlers say what came.
 */
static void orphaned_case(int mid_leads, const char *what)
{
	int pids[2];
	char got[8];
	int n = 0;
	long grandchild = 0;

	pipe(hup_pipe);
	pipe(pids);
	long mid = fork();
	if (mid == 0) {
		if (mid_leads)
			sys2(SYS_setpgid, 0, 0);
		long g = fork();
		if (g == 0) {
			close(hup_pipe[0]);
			if (!mid_leads)
				sys2(SYS_setpgid, 0, 0);
			handle(SIGHUP, on_hup, 0, SIGCONT);
			handle(SIGCONT, on_cont, 0, 0);
			sys2(SYS_kill, me(), SIGSTOP);
			_exit(0);
		}
		if (!mid_leads)
			sys2(SYS_setpgid, g, g);
		write(pids[1], &g, sizeof(g));
		wait_raw(g, 0, WUNTRACED);
		_exit(0);
	}
	if (mid_leads)
		sys2(SYS_setpgid, mid, mid);
	close(hup_pipe[1]);
	read(pids[0], &grandchild, sizeof(grandchild));
	reap(mid);
	while (n < (int)sizeof(got) - 1 && readable(hup_pipe[0], 5000)) {
		if (read(hup_pipe[0], &got[n], 1) != 1)
			break;
		n++;
	}
	got[n] = 0;
	say("%s: the stopped grandchild then ran: %s", what, got);
	if (n < 2)
		sys2(SYS_kill, grandchild, SIGKILL);
	close(hup_pipe[0]);
	close(pids[0]);
	close(pids[1]);
}

static void orphaned(void)
{
	say("--- orphaned process groups (H: SIGHUP, C: SIGCONT, capitals for SI_KERNEL)");
	orphaned_case(0, "its parent, its group's link to the session, exits");
	orphaned_case(1, "the leader of its group, the group's link, exits");
}

/* ---- the order handlers run in ---- */

static char order[8];
static int ordered;

static void on_any(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	order[ordered++] = sig == SIGUSR1 ? '1' : sig == SIGUSR2 ? '2' : 'T';
}

static void handler_order(void)
{
	sigset_t set, old;

	say("--- delivery");
	handle(SIGUSR1, on_any, 0, 0);
	handle(SIGUSR2, on_any, 0, 0);
	handle(SIGTERM, on_any, 0, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	sys2(SYS_kill, me(), SIGTERM);
	sys2(SYS_kill, me(), SIGUSR2);
	sys2(SYS_kill, me(), SIGUSR1);
	sigprocmask(SIG_SETMASK, &old, 0);
	say("SIGUSR1, SIGUSR2 and SIGTERM unblocked at once: the handlers ran as %s (1, 2, T; "
	    "each frame goes on top of the one before)", order);
	dfl(SIGUSR1);
	dfl(SIGUSR2);
	dfl(SIGTERM);
}

/* ---- rt_sigsuspend and pause ---- */

static volatile int usr1_count;
static sigset_t usr1_mask;
static unsigned long usr1_uc_mask;

static void on_usr1(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	usr1_count++;
	sigprocmask(SIG_BLOCK, 0, &usr1_mask);
	memcpy(&usr1_uc_mask, &uc->uc_sigmask, sizeof(usr1_uc_mask));
}

static unsigned long mask_word(const sigset_t *set)
{
	unsigned long w;

	memcpy(&w, set, sizeof(w));
	return w;
}

static void suspend(void)
{
	sigset_t old, tmp, now, empty;

	say("--- rt_sigsuspend and pause");
	handle(SIGUSR1, on_usr1, 0, 0);
	sigemptyset(&old);
	sigaddset(&old, SIGUSR1);
	sigaddset(&old, SIGALRM);
	sigprocmask(SIG_SETMASK, &old, 0);
	sys2(SYS_kill, me(), SIGUSR1);
	sigemptyset(&tmp);
	sigaddset(&tmp, SIGUSR2);
	long r = sys2(SYS_rt_sigsuspend, &tmp, 8);
	say("rt_sigsuspend({SIGUSR2}) with SIGUSR1 pending: %s, the handler ran %d time", res(r),
	    usr1_count);
	say("  in the handler: SIGUSR1 blocked %s, SIGUSR2 blocked %s, SIGALRM blocked %s",
	    yesno(sigismember(&usr1_mask, SIGUSR1)), yesno(sigismember(&usr1_mask, SIGUSR2)),
	    yesno(sigismember(&usr1_mask, SIGALRM)));
	say("  uc_sigmask is the mask before rt_sigsuspend: %s",
	    yesno(usr1_uc_mask == mask_word(&old)));
	sigprocmask(SIG_BLOCK, 0, &now);
	say("  after it, the old mask is back: %s", yesno(mask_word(&now) == mask_word(&old)));
	usr1_count = 0;
	sys2(SYS_kill, me(), SIGUSR1);
	struct timespec two = { 2, 0 };
	r = sys6(SYS_ppoll, 0, 0, (long)&two, (long)&tmp, 8, 0);
	say("ppoll(NULL, 0, 2 s, {SIGUSR2}) with SIGUSR1 pending: %s, the handler ran %d time",
	    res(r), usr1_count);
	say("  in the handler: SIGUSR2 blocked %s, SIGALRM blocked %s; uc_sigmask the old mask %s",
	    yesno(sigismember(&usr1_mask, SIGUSR2)), yesno(sigismember(&usr1_mask, SIGALRM)),
	    yesno(usr1_uc_mask == mask_word(&old)));
	sigprocmask(SIG_BLOCK, 0, &now);
	say("  after it, the old mask is back: %s", yesno(mask_word(&now) == mask_word(&old)));
	say("rt_sigsuspend with sigsetsize 4: %s", res(sys2(SYS_rt_sigsuspend, &tmp, 4)));
	say("rt_sigsuspend of a set at address 8: %s", res(sys2(SYS_rt_sigsuspend, 8, 8)));

	long pid = fork();
	if (pid == 0) {
		usr1_count = 0;
		sigemptyset(&empty);
		r = sys2(SYS_rt_sigsuspend, &empty, 8);
		say("a child's rt_sigsuspend across a stop and a continue, then SIGUSR1: %s, "
		    "the handler ran %d time", res(r), usr1_count);
		_exit(0);
	}
	sleep_ms(30);
	sys2(SYS_kill, pid, SIGSTOP);
	until_stopped(pid);
	sys2(SYS_kill, pid, SIGCONT);
	sleep_ms(30);
	sys2(SYS_kill, pid, SIGUSR1);
	reap(pid);

	pid = fork();
	if (pid == 0) {
		block(SIGUSR1, SIG_UNBLOCK);
		r = sys0(SYS_pause);
		say("pause(), then a handled signal: %s, after a handler: %s", res(r),
		    yesno(usr1_count > 0));
		_exit(0);
	}
	int status = 0;
	while (wait_raw(pid, &status, WNOHANG) == 0) {
		sys2(SYS_kill, pid, SIGUSR1);
		sleep_ms(20);
	}
	sigemptyset(&tmp);
	sigprocmask(SIG_SETMASK, &tmp, 0);
	dfl(SIGUSR1);
}

/* ---- sigaltstack ---- */

static char alt[65536];
static struct {
	int on_alt;
	int nested_on_alt;
	int nested_below;
	stack_t uc_stack;
	stack_t now;
	long set_inside;
	long disable_inside;
	int nested_uc_flags;
	int nested_now_flags;
} seen;
static int alt_mode;
static unsigned long outer_local;

static int on_altstack(const void *p)
{
	return (const char *)p >= alt && (const char *)p < alt + sizeof(alt);
}

static void on_usr2(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char local;

	(void)sig;
	(void)si;
	seen.nested_on_alt = on_altstack(&local);
	seen.nested_below = (unsigned long)&local < outer_local;
	seen.nested_uc_flags = uc->uc_stack.ss_flags;
	stack_t now;
	sys2(SYS_sigaltstack, 0, &now);
	seen.nested_now_flags = now.ss_flags;
}

static void on_alt_usr1(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char local;
	stack_t other = { alt, 0, sizeof(alt) };

	(void)sig;
	(void)si;
	outer_local = (unsigned long)&local;
	seen.on_alt = on_altstack(&local);
	seen.uc_stack = uc->uc_stack;
	sys2(SYS_sigaltstack, 0, &seen.now);
	seen.set_inside = sys2(SYS_sigaltstack, &other, 0);
	other.ss_flags = SS_DISABLE;
	seen.disable_inside = sys2(SYS_sigaltstack, &other, 0);
	if (alt_mode == 1)
		sys2(SYS_kill, me(), SIGUSR2);
	if (alt_mode == 2)
		uc->uc_stack.ss_size = 16384;
}

static void show_stack(const char *what, long r, const stack_t *s)
{
	say("%s: %s, ss_sp %s, ss_size %lu, ss_flags %#x", what, res(r),
	    s->ss_sp == alt ? "the buffer" : s->ss_sp ? "other" : "0",
	    (unsigned long)s->ss_size, (unsigned)s->ss_flags);
}

static void altstack_errors(void)
{
	stack_t s, o;

	memset(&o, 0x55, sizeof(o));
	show_stack("sigaltstack(NULL, &old) at first", sys2(SYS_sigaltstack, 0, &o), &o);
	s = (stack_t){ alt, 0, LINUX_MINSIGSTKSZ - 1 };
	say("ss_size MINSIGSTKSZ - 1: %s", res(sys2(SYS_sigaltstack, &s, 0)));
	s = (stack_t){ alt, 4, sizeof(alt) };
	say("ss_flags 4: %s", res(sys2(SYS_sigaltstack, &s, 0)));
	s = (stack_t){ alt, SS_DISABLE | SS_ONSTACK, sizeof(alt) };
	say("ss_flags SS_DISABLE|SS_ONSTACK: %s", res(sys2(SYS_sigaltstack, &s, 0)));
	say("a stack_t at address 8: %s", res(sys2(SYS_sigaltstack, 8, 0)));
	say("the old stack_t to address 8: %s", res(sys2(SYS_sigaltstack, 0, 8)));
	s = (stack_t){ alt, 0, LINUX_MINSIGSTKSZ };
	say("ss_size MINSIGSTKSZ: %s", res(sys2(SYS_sigaltstack, &s, 0)));
	s = (stack_t){ alt, SS_ONSTACK, sizeof(alt) };
	say("ss_flags SS_ONSTACK: %s", res(sys2(SYS_sigaltstack, &s, 0)));
	show_stack("  reads back", sys2(SYS_sigaltstack, 0, &o), &o);
	s = (stack_t){ alt, SS_DISABLE, 12345 };
	say("SS_DISABLE with any size: %s", res(sys2(SYS_sigaltstack, &s, 0)));
	show_stack("  reads back", sys2(SYS_sigaltstack, 0, &o), &o);
}

static void altstack_handlers(void)
{
	stack_t s = { alt, 0, sizeof(alt) }, o;

	sys2(SYS_sigaltstack, &s, 0);
	handle(SIGUSR1, on_alt_usr1, SA_ONSTACK, 0);
	handle(SIGUSR2, on_usr2, SA_ONSTACK, 0);
	alt_mode = 1;
	sys2(SYS_kill, me(), SIGUSR1);
	say("an SA_ONSTACK handler runs on the alternate stack: %s", yesno(seen.on_alt));
	show_stack("  its uc_stack", 0, &seen.uc_stack);
	say("  sigaltstack(NULL) inside: ss_flags %#x", (unsigned)seen.now.ss_flags);
	say("  changing it inside: %s, disabling it inside: %s", res(seen.set_inside),
	    res(seen.disable_inside));
	say("  a nested SA_ONSTACK handler: on it %s, below the first %s, uc_stack.ss_flags %#x, "
	    "sigaltstack ss_flags %#x", yesno(seen.nested_on_alt), yesno(seen.nested_below),
	    (unsigned)seen.nested_uc_flags, (unsigned)seen.nested_now_flags);
	show_stack("  after the handler", sys2(SYS_sigaltstack, 0, &o), &o);

	alt_mode = 2;
	sys2(SYS_kill, me(), SIGUSR1);
	show_stack("  a handler on it edited uc_stack.ss_size; after it",
		   sys2(SYS_sigaltstack, 0, &o), &o);
	handle(SIGUSR1, on_alt_usr1, 0, 0);
	sys2(SYS_kill, me(), SIGUSR1);
	say("a handler without SA_ONSTACK runs on the alternate stack: %s", yesno(seen.on_alt));
	say("  sigaltstack(NULL) inside: ss_flags %#x", (unsigned)seen.now.ss_flags);
	show_stack("  it edited uc_stack.ss_size; after it", sys2(SYS_sigaltstack, 0, &o), &o);

	s = (stack_t){ alt, SS_AUTODISARM, sizeof(alt) };
	say("SS_AUTODISARM: %s", res(sys2(SYS_sigaltstack, &s, 0)));
	handle(SIGUSR1, on_alt_usr1, SA_ONSTACK, 0);
	alt_mode = 0;
	sys2(SYS_kill, me(), SIGUSR1);
	say("  the handler runs on it: %s, uc_stack.ss_flags %#x, sigaltstack inside: %#x",
	    yesno(seen.on_alt), (unsigned)seen.uc_stack.ss_flags, (unsigned)seen.now.ss_flags);
	say("  changing it inside: %s", res(seen.set_inside));
	show_stack("  after the handler", sys2(SYS_sigaltstack, 0, &o), &o);

	long pid = fork();
	if (pid == 0) {
		sys2(SYS_sigaltstack, 0, &o);
		_exit(o.ss_sp == alt && o.ss_size == sizeof(alt) ? 0 : 1);
	}
	say("a forked child has the same alternate stack: %s", describe(reap(pid)));
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "/bin/diff_jobs", AFTER_EXEC, 0 }, *envp[] = { 0 };
		block(SIGUSR2, SIG_BLOCK);
		sys2(SYS_kill, me(), SIGUSR2);
		/* Itself: through /proc on the host, /bin on noyau (no /proc). */
		sys3(SYS_execve, "/proc/self/exe", argv, envp);
		sys3(SYS_execve, argv[0], argv, envp);
		_exit(127);
	}
	say("  then it runs execve: %s", describe(reap(pid)));
	s = (stack_t){ 0, SS_DISABLE, 0 };
	sys2(SYS_sigaltstack, &s, 0);
	dfl(SIGUSR1);
	dfl(SIGUSR2);
}

/* ---- rt_sigtimedwait ---- */

static void timedwait(void)
{
	sigset_t set;
	siginfo_t si;
	struct timespec zero = { 0, 0 }, ten = { 0, 10000000L }, bad = { 0, 1000000000L };
	struct timespec negative = { -1, 0 }, five = { 5, 0 };

	say("--- rt_sigtimedwait");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	block(SIGUSR2, SIG_BLOCK);
	say("nothing pending, a zero timeout: %s",
	    res(sys4(SYS_rt_sigtimedwait, &set, &si, &zero, 8)));
	say("nothing pending, 10 ms: %s", res(sys4(SYS_rt_sigtimedwait, &set, &si, &ten, 8)));
	sys2(SYS_kill, me(), SIGUSR2);
	memset(&si, 0, sizeof(si));
	long r = sys4(SYS_rt_sigtimedwait, &set, &si, &zero, 8);
	say("after kill(getpid(), SIGUSR2): %s, si_signo %s, si_code %s, si_pid mine %s",
	    r == SIGUSR2 ? "SIGUSR2" : res(r), signame(si.si_signo), codename(si.si_code),
	    yesno(si.si_pid == me()));
	say("  no longer pending: %s", yesno(!is_pending(SIGUSR2)));
	sys3(SYS_tgkill, me(), sys0(SYS_gettid), SIGUSR2);
	r = sys4(SYS_rt_sigtimedwait, &set, &si, &zero, 8);
	say("after tgkill(getpid(), gettid(), SIGUSR2): %s, si_code %s, si_pid mine %s",
	    r == SIGUSR2 ? "SIGUSR2" : res(r), codename(si.si_code), yesno(si.si_pid == me()));
	sys2(SYS_kill, me(), SIGUSR2);
	r = sys4(SYS_rt_sigtimedwait, &set, 0, 0, 8);
	say("a NULL siginfo and no timeout, with SIGUSR2 pending: %s",
	    r == SIGUSR2 ? "SIGUSR2" : res(r));
	say("tv_nsec 1000000000: %s", res(sys4(SYS_rt_sigtimedwait, &set, &si, &bad, 8)));
	say("tv_sec -1: %s", res(sys4(SYS_rt_sigtimedwait, &set, &si, &negative, 8)));
	say("sigsetsize 4: %s", res(sys4(SYS_rt_sigtimedwait, &set, &si, &zero, 4)));
	say("a set at address 8: %s", res(sys4(SYS_rt_sigtimedwait, 8, &si, &zero, 8)));
	say("a timeout at address 8: %s", res(sys4(SYS_rt_sigtimedwait, &set, &si, 8, 8)));
	sys2(SYS_kill, me(), SIGUSR2);
	say("a siginfo at address 8, SIGUSR2 pending: %s",
	    res(sys4(SYS_rt_sigtimedwait, &set, 8, &zero, 8)));
	say("  and the signal was taken: %s", yesno(!is_pending(SIGUSR2)));

	long pid = fork();
	if (pid == 0) {
		/* It stays: its exit would wake the parent whatever the signal does. */
		sleep_ms(30);
		sys2(SYS_kill, sys0(SYS_getppid), SIGUSR2);
		for (;;)
			sys0(SYS_pause);
	}
	memset(&si, 0, sizeof(si));
	struct timespec t0, t1;
	sys2(SYS_clock_gettime, CLOCK_MONOTONIC, &t0);
	r = sys4(SYS_rt_sigtimedwait, &set, &si, &five, 8);
	sys2(SYS_clock_gettime, CLOCK_MONOTONIC, &t1);
	say("SIGUSR2 from a child while waiting: %s, si_pid the child's: %s, long before the "
	    "5 s timeout: %s", r == SIGUSR2 ? "SIGUSR2" : res(r), yesno(si.si_pid == pid),
	    yesno(t1.tv_sec - t0.tv_sec < 3));
	kill_and_reap(pid);

	handle(SIGUSR1, on_usr1, 0, 0);
	usr1_count = 0;
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 200; i++) {
			sys2(SYS_kill, sys0(SYS_getppid), SIGUSR1);
			sleep_ms(25);
		}
		_exit(0);
	}
	r = sys4(SYS_rt_sigtimedwait, &set, &si, &five, 8);
	say("a handled SIGUSR1 during the wait: %s, the handler ran: %s", res(r),
	    yesno(usr1_count > 0));
	kill_and_reap(pid);
	dfl(SIGUSR1);
	block(SIGUSR2, SIG_UNBLOCK);
}

/* ---- waitid ---- */

static void waitid_cases(void)
{
	siginfo_t si;

	say("--- waitid");
	long pid = fork();
	if (pid == 0)
		_exit(5);
	memset(&si, 0, sizeof(si));
	show_waitid("P_PID, WEXITED|WNOWAIT", waitid_raw(P_PID, pid, &si, WEXITED | WNOWAIT), &si,
		    pid);
	memset(&si, 0, sizeof(si));
	show_waitid("  again, P_ALL", waitid_raw(P_ALL, 0, &si, WEXITED | WNOWAIT), &si, pid);
	show_waitid("  WSTOPPED|WNOHANG only", waitid_raw(P_PID, pid, &si, WSTOPPED | WNOHANG),
		    &si, pid);
	say("  wait4 still reaps it: %s", wait_for(pid, 0));

	pid = sleeper(1);
	memset(&si, 0x55, sizeof(si));
	show_waitid("a live child, WEXITED|WNOHANG", waitid_raw(P_PID, pid, &si, WEXITED | WNOHANG),
		    &si, pid);
	say("  the rest of siginfo is untouched: %s", yesno(((int *)&si)[7] == 0x55555555));
	say("  a NULL siginfo: %s", res(waitid_raw(P_PID, pid, 0, WEXITED | WNOHANG)));
	say("  a siginfo at address 8: %s", res(waitid_raw(P_PID, pid, (siginfo_t *)8,
							     WEXITED | WNOHANG)));
	sys2(SYS_kill, pid, SIGSTOP);
	show_waitid("SIGSTOP, WSTOPPED", waitid_raw(P_PID, pid, &si, WSTOPPED), &si, pid);
	show_waitid("  again, WSTOPPED|WNOHANG", waitid_raw(P_PID, pid, &si, WSTOPPED | WNOHANG),
		    &si, pid);
	sys2(SYS_kill, pid, SIGCONT);
	show_waitid("SIGCONT, WCONTINUED|WNOWAIT",
		    waitid_raw(P_PID, pid, &si, WCONTINUED | WNOWAIT), &si, pid);
	show_waitid("  WCONTINUED", waitid_raw(P_PID, pid, &si, WCONTINUED), &si, pid);
	show_waitid("  again, WCONTINUED|WNOHANG",
		    waitid_raw(P_PID, pid, &si, WCONTINUED | WNOHANG), &si, pid);
	sys2(SYS_kill, pid, SIGKILL);
	show_waitid("SIGKILL, WEXITED", waitid_raw(P_PID, pid, &si, WEXITED), &si, pid);

	pid = fork();
	if (pid == 0)
		_exit(0);
	say("a siginfo at address 8 for an exited child: %s",
	    res(waitid_raw(P_PID, pid, (siginfo_t *)8, WEXITED)));
	say("  the child was reaped all the same: %s", res(waitid_raw(P_PID, pid, &si, WEXITED)));

	say("no options: %s", res(waitid_raw(P_ALL, 0, &si, 0)));
	say("WNOHANG alone: %s", res(waitid_raw(P_ALL, 0, &si, WNOHANG)));
	say("an unknown option bit: %s", res(waitid_raw(P_ALL, 0, &si, WEXITED | 0x100)));
	say("idtype 7: %s", res(waitid_raw(7, 0, &si, WEXITED)));
	say("P_PID 0: %s, P_PID -3: %s", res(waitid_raw(P_PID, 0, &si, WEXITED)),
	    res(waitid_raw(P_PID, -3, &si, WEXITED)));
	say("P_PGID -3: %s", res(waitid_raw(P_PGID, -3, &si, WEXITED)));
	say("P_PIDFD 1000: %s, P_PIDFD -1: %s", res(waitid_raw(P_PIDFD, 1000, &si, WEXITED)),
	    res(waitid_raw(P_PIDFD, -1, &si, WEXITED)));
	say("no children: %s", res(waitid_raw(P_ALL, 0, &si, WEXITED)));
	say("wait4 with WNOWAIT: %s, with WEXITED: %s", res(wait_raw(-1, 0, WNOWAIT)),
	    res(wait_raw(-1, 0, WEXITED)));
	say("wait4 with __WALL and no children: %s", res(wait_raw(-1, 0, 0x40000000)));
}

static void session(void)
{
	if (sys0(SYS_setsid) != me()) {
		say("setsid failed: the rest cannot run");
		return;
	}
	ids();
	group_kill();
	group_wait();
	stops();
	flushes();
	threads_stop();
	restarts();
	sigchld();
	orphaned();
	handler_order();
	suspend();
	say("--- sigaltstack");
	altstack_errors();
	altstack_handlers();
	timedwait();
	waitid_cases();
}

/* The program run again by execve: what execve kept of the signal state. */
static int after_exec(void)
{
	stack_t o;
	sigset_t set;

	sys2(SYS_sigaltstack, 0, &o);
	sigprocmask(SIG_BLOCK, 0, &set);
	say("  after execve: no alternate stack %s, SIGUSR2 still blocked %s and pending %s",
	    yesno(o.ss_flags == SS_DISABLE && o.ss_size == 0), yesno(sigismember(&set, SIGUSR2)),
	    yesno(is_pending(SIGUSR2)));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], AFTER_EXEC))
		return after_exec();

	long pgrp = sys0(SYS_getpgrp), sid = sys1(SYS_getsid, 0);

	say("getpgrp() == getpgid(0): %s", yesno(pgrp == pgid_of(0)));
	say("getsid(0) == getsid(getpid()): %s", yesno(sid == sys1(SYS_getsid, me())));
	long pid = fork();
	if (pid == 0)
		_exit(sys0(SYS_getpgrp) == pgrp && sys1(SYS_getsid, 0) == sid ? 0 : 1);
	say("a forked child has my group and session (exit 0 if so): %s", describe(reap(pid)));

	pid = fork();
	if (pid == 0) {
		session();
		_exit(0);
	}
	say("the child that ran the rest in a session of its own: %s", describe(reap(pid)));
	return 0;
}
