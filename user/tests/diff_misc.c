/*
 * diff_misc: a differential test of the small system calls (Linux:
 * kernel/sys.c, kernel/time/, drivers/char/random.c, fs/read_write.c):
 * identity, uname, the clocks and sleeps, getrandom, prctl's task name,
 * prlimit64, CPU affinity, writes to the console with bad descriptors and
 * pointers, and an unknown system call. Values that differ between machines (times,
 * names, limits) are printed on "~ " lines or as relations.
 */
#include <string.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>

#include "report.h"

#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define GRND_NONBLOCK 1
#define RLIMIT_NOFILE 7
#define RLIMIT_STACK 3
#define ARCH_GET_FS 0x1003

static long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000L + t->tv_nsec;
}

static long now(int clock)
{
	struct timespec t = { 0, 0 };

	sys2(SYS_clock_gettime, clock, &t);
	return ns(&t);
}

static void identity(void)
{
	long pid = sys0(SYS_getpid);

	say("getpid() == gettid(): %s", yesno(pid == sys0(SYS_gettid)));
	say("getppid() differs from getpid(): %s", yesno(sys0(SYS_getppid) != pid));
	long uid = sys0(SYS_getuid);
	say("getuid() == geteuid(), getgid() == getegid(): %s",
	    yesno(uid == sys0(SYS_geteuid) && sys0(SYS_getgid) == sys0(SYS_getegid)));
	say("~ uid %ld gid %ld", uid, sys0(SYS_getgid));
	say("sched_yield(): %s", res(sys0(SYS_sched_yield)));

	struct utsname u;
	say("uname: %s", res(sys1(SYS_uname, &u)));
	say("uname sysname: %s", u.sysname);
	say("uname machine: %s", u.machine);
	say("~ uname release: %s, version: %s", u.release, u.version);
	say("~ uname nodename: %s", u.nodename);
	say("uname release starts with a digit: %s", yesno(u.release[0] >= '0' && u.release[0] <= '9'));
	say("uname to address 8: %s", res(sys1(SYS_uname, 8)));

	long fs = 0;
	long rc = sys2(SYS_arch_prctl, ARCH_GET_FS, &fs);
	say("arch_prctl(ARCH_GET_FS): %s, set by libc: %s", res(rc), yesno(fs != 0));
	say("arch_prctl with an unknown code: %s", res(sys2(SYS_arch_prctl, 0x9999, &fs)));
}

static void clocks(void)
{
	struct timespec t = { 0, 0 };

	long a = now(CLOCK_MONOTONIC), b = now(CLOCK_MONOTONIC);
	say("CLOCK_MONOTONIC never goes back: %s", yesno(a > 0 && b >= a));
	say("clock_gettime of an unknown clock (100): %s", res(sys2(SYS_clock_gettime, 100, &t)));
	say("clock_gettime to address 8: %s", res(sys2(SYS_clock_gettime, CLOCK_MONOTONIC, 8)));
	struct timespec r = { 0, 0 };
	say("clock_getres(CLOCK_MONOTONIC): %s", res(sys2(SYS_clock_getres, CLOCK_MONOTONIC, &r)));
	say("~ its resolution: %ld s %ld ns", (long)r.tv_sec, r.tv_nsec);

	long real = now(CLOCK_REALTIME) / 1000000000L;
	long secs = sys1(SYS_time, 0);
	struct timeval tv = { 0, 0 };
	sys2(SYS_gettimeofday, &tv, 0);
	say("CLOCK_REALTIME is after 2020: %s", yesno(real > 1577836800L));
	say("time() and gettimeofday() agree with CLOCK_REALTIME within 2 s: %s",
	    yesno(secs - real <= 2 && secs >= real && tv.tv_sec - real <= 2 && tv.tv_sec >= real));
	long stored = 0;
	long returned = sys1(SYS_time, &stored);
	say("time(&t) stores what it returns: %s", yesno(returned == stored));
	say("~ time: %ld", secs);

	struct timespec req = { 0, 20000000 };
	long before = now(CLOCK_MONOTONIC);
	long rc = sys2(SYS_nanosleep, &req, 0);
	long slept = now(CLOCK_MONOTONIC) - before;
	say("nanosleep(20 ms): %s, slept at least 20 ms: %s", res(rc), yesno(slept >= 20000000L));
	say("~ slept %ld us", slept / 1000);
	before = now(CLOCK_MONOTONIC);
	rc = sys4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, 0);
	slept = now(CLOCK_MONOTONIC) - before;
	say("clock_nanosleep(CLOCK_MONOTONIC, 20 ms): %s, slept at least 20 ms: %s", res(rc),
	    yesno(slept >= 20000000L));
	long deadline = now(CLOCK_MONOTONIC) + 20000000L;
	struct timespec abs = { deadline / 1000000000L, deadline % 1000000000L };
	rc = sys4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, 0);
	say("clock_nanosleep(TIMER_ABSTIME, now + 20 ms): %s, woke after the deadline: %s",
	    res(rc), yesno(now(CLOCK_MONOTONIC) >= deadline));

	struct timespec bad = { 0, 1000000000L };
	say("nanosleep with tv_nsec = 1e9: %s", res(sys2(SYS_nanosleep, &bad, 0)));
	struct timespec negative = { -1, 0 };
	say("nanosleep with tv_sec = -1: %s", res(sys2(SYS_nanosleep, &negative, 0)));
	say("nanosleep with the request at address 8: %s", res(sys2(SYS_nanosleep, 8, 0)));
}

static void randomness(void)
{
	static unsigned char buf[4096];
	static const long lengths[] = { 0, 1, 16, 256, 4096 };

	for (unsigned i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		long r = sys3(SYS_getrandom, buf, lengths[i], 0);
		say("getrandom(%ld bytes) returned %ld", lengths[i], r);
	}
	int nonzero = 0;
	for (unsigned i = 0; i < sizeof(buf); i++)
		nonzero |= buf[i];
	say("4096 random bytes are not all zero: %s", yesno(nonzero));
	say("getrandom(16, GRND_NONBLOCK) returned %ld", sys3(SYS_getrandom, buf, 16, GRND_NONBLOCK));
	say("getrandom with an unknown flag (0x100): %s", res(sys3(SYS_getrandom, buf, 16, 0x100)));
	say("getrandom to address 8: %s", res(sys3(SYS_getrandom, 8, 16, 0)));
}

static void names_and_limits(void)
{
	char name[32];

	memset(name, 'x', sizeof(name));
	say("prctl(PR_GET_NAME): %s, the program's file name: %s",
	    res(sys2(SYS_prctl, PR_GET_NAME, name)), name);
	say("prctl(PR_SET_NAME, \"renamed\"): %s", res(sys2(SYS_prctl, PR_SET_NAME, "renamed")));
	memset(name, 'x', sizeof(name));
	sys2(SYS_prctl, PR_GET_NAME, name);
	say("then PR_GET_NAME: %s", name);
	sys2(SYS_prctl, PR_SET_NAME, "a-name-of-26-characters-xy");
	memset(name, 'x', sizeof(name));
	sys2(SYS_prctl, PR_GET_NAME, name);
	say("a 26-character name reads back as: %s (%d characters)", name, (int)strlen(name));
	say("prctl(PR_SET_NAME) from address 8: %s", res(sys2(SYS_prctl, PR_SET_NAME, 8)));
	say("prctl(PR_GET_NAME) to address 8: %s", res(sys2(SYS_prctl, PR_GET_NAME, 8)));
	say("prctl with an unknown option (0x7777): %s", res(sys2(SYS_prctl, 0x7777, 0)));

	unsigned long lim[2] = { 0, 0 };
	say("prlimit64(RLIMIT_STACK) read: %s",
	    res(sys4(SYS_prlimit64, 0, RLIMIT_STACK, 0, lim)));
	say("~ RLIMIT_STACK %lu %lu", lim[0], lim[1]);
	long rc = sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, lim);
	say("prlimit64(RLIMIT_NOFILE) read: %s, soft <= hard: %s", res(rc), yesno(lim[0] <= lim[1]));
	say("prlimit64 of resource 100: %s", res(sys4(SYS_prlimit64, 0, 100, 0, lim)));
	say("prlimit64 to address 8: %s", res(sys4(SYS_prlimit64, 0, RLIMIT_STACK, 0, 8)));
}

/* sched_getaffinity and sched_setaffinity (kernel/sched/core.c). The host
 * may have more CPUs and a larger cpumask: only what a machine of any size
 * answers is printed (errors, 8 bytes asked, CPU 0 in the mask). */
static void affinity(void)
{
	unsigned long mask[4] = { 0 };
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	reap(gone);

	say("sched_getaffinity len 0: %s, len 4: %s, len 12: %s",
	    res(sys3(SYS_sched_getaffinity, 0, 0, mask)),
	    res(sys3(SYS_sched_getaffinity, 0, 4, mask)),
	    res(sys3(SYS_sched_getaffinity, 0, 12, mask)));
	long r = sys3(SYS_sched_getaffinity, 0, 8, mask);
	say("sched_getaffinity len 8: %ld, CPU 0 in it: %s", r, yesno(mask[0] & 1));
	say("sched_getaffinity len 2^32 + 8 (an unsigned int): %ld",
	    sys3(SYS_sched_getaffinity, 0, 0x100000008L, mask));
	say("sched_getaffinity to address 8: %s, of pid 1: %ld, of a reaped child: %s, pid -1: %s",
	    res(sys3(SYS_sched_getaffinity, 0, 8, 8)), sys3(SYS_sched_getaffinity, 1, 8, mask),
	    res(sys3(SYS_sched_getaffinity, gone, 8, mask)),
	    res(sys3(SYS_sched_getaffinity, -1, 8, mask)));

	/* Setting pins the process: a child does it. */
	pid_t pid = fork();
	if (pid == 0) {
		unsigned long none = 0, high = 1UL << 40, cpu0 = 1;
		say("sched_setaffinity of no CPU: %s, of CPU 40 only: %s, len 0: %s",
		    res(sys3(SYS_sched_setaffinity, 0, 8, &none)),
		    res(sys3(SYS_sched_setaffinity, 0, 8, &high)),
		    res(sys3(SYS_sched_setaffinity, 0, 0, &cpu0)));
		say("sched_setaffinity from address 8: %s, len 0 from address 8: %s",
		    res(sys3(SYS_sched_setaffinity, 0, 8, 8)),
		    res(sys3(SYS_sched_setaffinity, 0, 0, 8)));
		say("sched_setaffinity of a reaped child: %s, from address 8: %s",
		    res(sys3(SYS_sched_setaffinity, gone, 8, &cpu0)),
		    res(sys3(SYS_sched_setaffinity, gone, 8, 8)));
		say("sched_setaffinity to CPU 0: %s, len 1: %s",
		    res(sys3(SYS_sched_setaffinity, 0, 8, &cpu0)),
		    res(sys3(SYS_sched_setaffinity, 0, 1, &cpu0)));
		mask[0] = 0;
		r = sys3(SYS_sched_getaffinity, 0, 8, mask);
		say("  then sched_getaffinity: %ld, mask %lx", r, mask[0]);
		sys1(SYS_setuid, 1000);
		say("uid 1000: sched_setaffinity of pid 1: %s, of itself: %s, getaffinity of pid 1: %ld",
		    res(sys3(SYS_sched_setaffinity, 1, 8, &cpu0)),
		    res(sys3(SYS_sched_setaffinity, 0, 8, &cpu0)),
		    sys3(SYS_sched_getaffinity, 1, 8, mask));
		_exit(0);
	}
	reap(pid);
}

static void console(void)
{
	say("write of 0 bytes: %s", res(sys3(SYS_write, 1, "", 0)));
	say("write to fd 1000: %s", res(sys3(SYS_write, 1000, "x\n", 2)));
	say("write to fd -1: %s", res(sys3(SYS_write, -1, "x\n", 2)));
	say("write from address 8: %s", res(sys3(SYS_write, 1, 8, 2)));
	say("write from a kernel address: %s", res(sys3(SYS_write, 1, 0xffff888000000000UL, 2)));

	struct iovec iov[2] = { { "writev: two parts ", 18 }, { "make one line\n", 14 } };
	long n = sys3(SYS_writev, 1, iov, 2);
	say("writev returned %ld", n);
	say("writev of 0 parts: %s", res(sys3(SYS_writev, 1, iov, 0)));
	say("writev of 1025 parts: %s", res(sys3(SYS_writev, 1, iov, 1025)));
	say("writev with the vector at address 8: %s", res(sys3(SYS_writev, 1, 8, 2)));
}

static void unknown(void)
{
	say("system call 1000: %s", res(sys0(1000)));
	/* 512 to 547 are x32's numbers: without the x32 bit, no call. */
	say("system call 512: %s", res(sys0(512)));
	say("system call -1: %s", res(sys0(-1)));
}

int main(void)
{
	say("diff_misc: identity, uname, clocks, sleeps, getrandom, prctl, limits, console");
	identity();
	clocks();
	randomness();
	names_and_limits();
	affinity();
	console();
	unknown();
	return 0;
}
