/*
 * diff_times: a differential test of CPU time accounting (Linux:
 * kernel/sched/cputime.c, kernel/sys.c times and getrusage,
 * kernel/time/posix-cpu-timers.c): the CPU-time clocks of a process and a
 * thread, times(2), getrusage(2) for the process, its children and a
 * thread, and wait4's rusage, with the page faults and context switches
 * they count. Times differ between machines, so only
 * their relations are printed: a busy loop of 200 ms of wall time must
 * show as at least 20 ms of CPU time (a tenth: the host may be busy with
 * other work), a sleep as almost none.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

#include "report.h"

static long now_ns(int clock)
{
	struct timespec t = { 0, 0 };

	sys2(SYS_clock_gettime, clock, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Keeps the CPU busy in user mode for `ms` of wall time. */
static void spin_ms(long ms)
{
	long end = now_ns(CLOCK_MONOTONIC) + ms * 1000000L;
	volatile long sink = 0;

	while (now_ns(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 1000; i++)
			sink += i;
}

static long tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* User and system time of a struct rusage, in milliseconds. */
static long cpu_ms(const struct rusage *ru)
{
	return tv_ms(ru->ru_utime) + tv_ms(ru->ru_stime);
}

static void *spinning_thread(void *arg)
{
	struct rusage ru;
	long before = now_ns(CLOCK_THREAD_CPUTIME_ID);

	(void)arg;
	spin_ms(200);
	long used = (now_ns(CLOCK_THREAD_CPUTIME_ID) - before) / 1000000;
	sys2(SYS_getrusage, RUSAGE_THREAD, &ru);
	return (void *)(long)(used >= 20 && cpu_ms(&ru) >= 20);
}

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* setitimer, getitimer and alarm (Linux: kernel/time/itimer.c). */
static void interval_timers(void)
{
	struct itimerval it = { 0 }, old = { 0 };
	long r = sys2(SYS_getitimer, ITIMER_REAL, &old);
	say("getitimer(ITIMER_REAL) unarmed: %s, value %ld.%06ld", res(r),
	    (long)old.it_value.tv_sec, (long)old.it_value.tv_usec);
	it.it_value.tv_usec = 1000000;
	say("setitimer with tv_usec 1000000: %s", res(sys3(SYS_setitimer, ITIMER_REAL, &it, 0)));
	it.it_value.tv_usec = 0;
	it.it_value.tv_sec = -1;
	say("setitimer with tv_sec -1: %s", res(sys3(SYS_setitimer, ITIMER_REAL, &it, 0)));
	say("setitimer(7): %s", res(sys3(SYS_setitimer, 7, &it, 0)));
	say("setitimer from address 8: %s", res(sys3(SYS_setitimer, ITIMER_REAL, 8, 0)));
	say("alarm(100) with none set: %u", alarm(100));
	say("alarm(5) after alarm(100): %u", alarm(5));
	sys2(SYS_getitimer, ITIMER_REAL, &old);
	say("getitimer: between 4 and 5 s left: %s, no interval: %s",
	    yesno(old.it_value.tv_sec >= 4 && old.it_value.tv_sec <= 5),
	    yesno(old.it_interval.tv_sec == 0 && old.it_interval.tv_usec == 0));
	pid_t pid = fork();
	if (pid == 0) {
		sys2(SYS_getitimer, ITIMER_REAL, &old);
		say("fork: the child's timer is off: %s",
		    yesno(old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0));
		_exit(0);
	}
	reap(pid);
	say("alarm(0) cancels, 5 s were left: %u", alarm(0));

	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigaction(SIGALRM, &sa, 0);
	it.it_value.tv_sec = 0;
	it.it_value.tv_usec = 50000;
	it.it_interval.tv_usec = 50000;
	sys3(SYS_setitimer, ITIMER_REAL, &it, 0);
	for (int i = 0; i < 200 && alarms < 3; i++)
		sleep_ms(10);
	memset(&it, 0, sizeof it);
	sys3(SYS_setitimer, ITIMER_REAL, &it, &old);
	say("a 50 ms periodic timer fired 3 times: %s, the old value had the interval: %s",
	    yesno(alarms >= 3), yesno(old.it_interval.tv_usec == 50000));
	signal(SIGALRM, SIG_DFL);

	pid = fork();
	if (pid == 0) {
		alarm(1);
		for (;;)
			pause();
	}
	say("an alarm without handler: %s", describe(reap(pid)));
}

static volatile int profs, vtalrms;

static void on_cpu_timer(int sig)
{
	if (sig == SIGPROF)
		profs++;
	else
		vtalrms++;
}

static long timeval_ms(struct timeval t)
{
	return t.tv_sec * 1000 + t.tv_usec / 1000;
}

/* ITIMER_VIRTUAL and ITIMER_PROF count the process's CPU time (Linux:
 * kernel/time/posix-cpu-timers.c set_process_cpu_timer, check_cpu_itimer):
 * they fire while it spins, not while it sleeps, and a fork child has none. */
static void cpu_timers(void)
{
	struct itimerval it = { 0 }, old = { 0 };
	struct sigaction sa = { .sa_handler = on_cpu_timer, .sa_flags = SA_RESTART };

	sigaction(SIGPROF, &sa, 0);
	sigaction(SIGVTALRM, &sa, 0);
	for (int which = ITIMER_VIRTUAL; which <= ITIMER_PROF; which++) {
		const char *name = which == ITIMER_VIRTUAL ? "ITIMER_VIRTUAL" : "ITIMER_PROF";
		volatile int *count = which == ITIMER_VIRTUAL ? &vtalrms : &profs;
		long r = sys2(SYS_getitimer, which, &old);
		say("getitimer(%s) unarmed: %s, value %ld ms", name, res(r), timeval_ms(old.it_value));
		it.it_value.tv_usec = 20000;
		it.it_interval.tv_usec = 20000;
		sys3(SYS_setitimer, which, &it, 0);
		sys2(SYS_getitimer, which, &old);
		/* Linux adds a tick (at most 4 ms at HZ=250) to the value set. */
		say("%s set to 20 ms: reads between 15 and 25 ms: %s, interval 20 ms: %s", name,
		    yesno(timeval_ms(old.it_value) >= 15 && timeval_ms(old.it_value) <= 25),
		    yesno(timeval_ms(old.it_interval) == 20));
		pid_t pid = fork();
		if (pid == 0) {
			sys2(SYS_getitimer, which, &old);
			say("fork: the child's %s is off: %s", name,
			    yesno(old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0));
			_exit(0);
		}
		reap(pid);
		sleep_ms(100);
		say("100 ms asleep: %s fired: %s", name, yesno(*count > 0));
		for (int i = 0; i < 100 && *count < 3; i++)
			spin_ms(10);
		say("spinning: %s fired 3 times: %s", name, yesno(*count >= 3));
		memset(&it, 0, sizeof it);
		sys3(SYS_setitimer, which, &it, &old);
		say("disarmed, the old value had the interval: %s",
		    yesno(timeval_ms(old.it_interval) == 20));
		int before = *count;
		spin_ms(50);
		say("after that, 50 ms of spinning fire nothing: %s", yesno(*count == before));
	}
	signal(SIGPROF, SIG_DFL);
	signal(SIGVTALRM, SIG_DFL);
	say("getitimer(3): %s", res(sys2(SYS_getitimer, 3, &old)));

	pid_t pid = fork();
	if (pid == 0) {
		it.it_value.tv_usec = 10000;
		sys3(SYS_setitimer, ITIMER_PROF, &it, 0);
		for (;;)
			spin_ms(10);
	}
	say("ITIMER_PROF without handler: %s", describe(reap(pid)));
}

/* Setting the clock, its errors only: a differential test must not move
 * the host's clock (the boot test clock-set sets noyau's). */
static void set_clock_errors(void)
{
	struct timespec now;
	struct timespec bad = { 0, 2000000000L };
	long bad_tv[2] = { 0, 1000000 };

	clock_gettime(CLOCK_REALTIME, &now);
	say("clock_settime(CLOCK_MONOTONIC): %s",
	    res(sys2(SYS_clock_settime, CLOCK_MONOTONIC, &now)));
	say("clock_settime(clock 99): %s", res(sys2(SYS_clock_settime, 99, &now)));
	say("clock_settime from address 8: %s", res(sys2(SYS_clock_settime, CLOCK_REALTIME, 8)));
	say("clock_settime with tv_nsec 2e9: %s",
	    res(sys2(SYS_clock_settime, CLOCK_REALTIME, &bad)));
	say("settimeofday from address 8: %s", res(sys2(SYS_settimeofday, 8, 0)));
	say("settimeofday with tv_usec 1e6: %s", res(sys2(SYS_settimeofday, bad_tv, 0)));
	say("settimeofday with tv_usec 1e6, time zone at address 8: %s",
	    res(sys2(SYS_settimeofday, bad_tv, 8)));
	bad_tv[1] = -1;
	say("settimeofday with tv_usec -1, time zone at address 8: %s",
	    res(sys2(SYS_settimeofday, bad_tv, 8)));
	/* Linux's TIME_SETTOD_SEC_MAX, the first second that cannot be set. */
	struct timespec far = { 9223372036L - 946080000L, 0 };
	say("clock_settime to TIME_SETTOD_SEC_MAX: %s",
	    res(sys2(SYS_clock_settime, CLOCK_REALTIME, &far)));
	struct timespec before = { -1, 0 };
	say("clock_settime with tv_sec -1: %s",
	    res(sys2(SYS_clock_settime, CLOCK_REALTIME, &before)));
	long huge_tv[2] = { 99999999999999L, 0 };
	say("settimeofday to 99999999999999 s: %s", res(sys2(SYS_settimeofday, huge_tv, 0)));
	int bad_tz[2] = { 15 * 60 + 1, 0 };
	say("settimeofday(NULL) with tz_minuteswest 901: %s",
	    res(sys2(SYS_settimeofday, 0, bad_tz)));
	pid_t pid = fork();
	if (pid == 0) {
		sys1(SYS_setuid, 1000);
		say("uid 1000: clock_settime: %s",
		    res(sys2(SYS_clock_settime, CLOCK_REALTIME, &now)));
		say("uid 1000: settimeofday(NULL, NULL): %s", res(sys2(SYS_settimeofday, 0, 0)));
		say("uid 1000: clock_settime to TIME_SETTOD_SEC_MAX: %s",
		    res(sys2(SYS_clock_settime, CLOCK_REALTIME, &far)));
		say("uid 1000: settimeofday(NULL) with tz_minuteswest 901: %s",
		    res(sys2(SYS_settimeofday, 0, bad_tz)));
		_exit(0);
	}
	reap(pid);
}

/* Touches `pages` fresh pages of anonymous memory, once each. */
static void touch_pages(int pages)
{
	char *p = mmap(0, pages * 4096L, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	for (int i = 0; i < pages; i++)
		p[i * 4096L] = 1;
	munmap(p, pages * 4096L);
}

/*
 * The events struct rusage counts beside the times: a first touch of 64
 * fresh pages is at least 64 minor faults and no major one, a sleep is a
 * voluntary context switch, and a child's faults come to its parent with
 * wait4's rusage and RUSAGE_CHILDREN.
 */
static void counters(void)
{
	struct rusage a, b, child;
	sys2(SYS_getrusage, RUSAGE_SELF, &a);
	touch_pages(64);
	sys2(SYS_getrusage, RUSAGE_SELF, &b);
	/* (Major faults are machine-specific: the host may page code in.) */
	say("64 fresh pages touched: at least 64 more minor faults: %s",
	    yesno(b.ru_minflt - a.ru_minflt >= 64));
	struct rusage th;
	sys2(SYS_getrusage, RUSAGE_THREAD, &th);
	say("RUSAGE_THREAD counts them too: %s", yesno(th.ru_minflt >= 64));
	sleep_ms(20);
	sys2(SYS_getrusage, RUSAGE_SELF, &a);
	say("a sleep: one more voluntary context switch at least: %s",
	    yesno(a.ru_nvcsw > b.ru_nvcsw));
	struct rusage before;
	sys2(SYS_getrusage, RUSAGE_CHILDREN, &before);
	pid_t pid = fork();
	if (pid == 0) {
		touch_pages(64);
		_exit(0);
	}
	sys4(SYS_wait4, pid, 0, 0, &child);
	sys2(SYS_getrusage, RUSAGE_CHILDREN, &b);
	say("a child that touched 64 pages: wait4 shows at least 64 minor faults: %s, "
	    "RUSAGE_CHILDREN grew by as many: %s",
	    yesno(child.ru_minflt >= 64), yesno(b.ru_minflt - before.ru_minflt >= child.ru_minflt));
}

int main(void)
{
	struct tms t0, t1;
	struct rusage ru;

	say("diff_times: CPU-time clocks, times, getrusage, wait4's rusage");
	long ticks = sys1(SYS_times, &t0);
	say("times(buf): %s", ticks == -1 ? "failed" : "ok");
	say("times(NULL) needs no buffer: %s", res(sys1(SYS_times, 0)));
	say("times to address 8: %s", res(sys1(SYS_times, 8)));

	long cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	spin_ms(200);
	long spun = (now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / 1000000;
	say("200 ms of busy loop: CLOCK_PROCESS_CPUTIME_ID advanced at least 20 ms: %s",
	    yesno(spun >= 20));
	say("... and not more than the wall time and a tick: %s", yesno(spun <= 210));
	cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	sleep_ms(100);
	say("100 ms of nanosleep: less than 20 ms of CPU time: %s",
	    yesno(now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0 < 20 * 1000000L));

	sys1(SYS_times, &t1);
	long hz = sysconf(_SC_CLK_TCK);
	say("clock ticks per second: %ld", hz);
	/* User and system time together: without a vDSO, noyau's clock_gettime
	 * in the loop is a system call. */
	say("times: the loop shows in tms_utime + tms_stime (at least 2 ticks): %s",
	    yesno(t1.tms_utime + t1.tms_stime - t0.tms_utime - t0.tms_stime >= 2));
	say("times: no child reaped yet: tms_cutime %ld", (long)t1.tms_cutime);

	long r = sys2(SYS_getrusage, RUSAGE_SELF, &ru);
	say("getrusage(RUSAGE_SELF): %s, CPU time at least 20 ms: %s", res(r),
	    yesno(cpu_ms(&ru) >= 20));
	r = sys2(SYS_getrusage, RUSAGE_CHILDREN, &ru);
	say("getrusage(RUSAGE_CHILDREN) before any child: %s, CPU time %ld ms", res(r),
	    cpu_ms(&ru));
	say("getrusage(5): %s", res(sys2(SYS_getrusage, 5, &ru)));
	say("getrusage to address 8: %s", res(sys2(SYS_getrusage, RUSAGE_SELF, 8)));

	pthread_t t;
	void *ok = 0;
	pthread_create(&t, 0, spinning_thread, 0);
	pthread_join(t, &ok);
	say("a thread's 200 ms loop shows in its CLOCK_THREAD_CPUTIME_ID and RUSAGE_THREAD: %s",
	    yesno(ok != 0));
	sys2(SYS_getrusage, RUSAGE_SELF, &ru);
	say("the exited thread's time stays with the process (at least 40 ms): %s",
	    yesno(cpu_ms(&ru) >= 40));

	pid_t pid = fork();
	if (pid == 0) {
		spin_ms(200);
		_exit(0);
	}
	int status = 0;
	struct rusage child;
	r = sys4(SYS_wait4, pid, &status, 0, &child);
	say("wait4 with rusage: %s, the child's CPU time at least 20 ms: %s",
	    r == pid ? "ok" : res(r), yesno(cpu_ms(&child) >= 20));
	sys2(SYS_getrusage, RUSAGE_CHILDREN, &ru);
	say("getrusage(RUSAGE_CHILDREN) after reaping it: at least 20 ms: %s",
	    yesno(cpu_ms(&ru) >= 20));
	sys1(SYS_times, &t1);
	say("times: tms_cutime + tms_cstime have it too (at least 2 ticks): %s",
	    yesno(t1.tms_cutime + t1.tms_cstime >= 2));
	counters();
	interval_timers();
	cpu_timers();
	set_clock_errors();
	return 0;
}
