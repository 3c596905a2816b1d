/*
 * diff_creds: a differential test of credentials and resource limits
 * (Linux: kernel/sys.c, kernel/groups.c, kernel/fork.c's RLIMIT_NPROC
 * check, fs/file.c's RLIMIT_NOFILE). The setuid family's rules for root and
 * for an ordinary user, the supplementary groups, getrlimit, setrlimit and
 * prlimit64 with their errors, RLIMIT_NOFILE on dup, and RLIMIT_NPROC
 * stopping a fork bomb of an ordinary user while root still forks, and who
 * may signal whom (kernel/signal.c: check_kill_permission): by the real and
 * saved uids, SIGCONT within a session, kill(-1) passing over what it may
 * not signal; nice values (getpriority, setpriority) and who may set
 * them; RLIMIT_AS on execve. Each change of ids happens in a child, which
 * prints while the parent waits.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>

#include "report.h"

/* An ordinary user and group no other process on the host runs as. */
#define USER 54321
#define GROUP 54322
/* A second user, and one that only the sender of kill(-1) runs as: on the
 * host, that kill(-1) may reach no process but the test's own. */
#define OTHER 54324
#define LONER 54323

static void ids(const char *when)
{
	unsigned int r = 9, e = 9, s = 9, gr = 9, ge = 9, gs = 9;

	sys3(SYS_getresuid, &r, &e, &s);
	sys3(SYS_getresgid, &gr, &ge, &gs);
	say("%s: uids %u %u %u, gids %u %u %u, fsuid %ld", when, r, e, s, gr, ge, gs,
	    sys1(SYS_setfsuid, -1));
}

static void groups(void)
{
	unsigned int list[4] = { 30, 10, 20, 0 }, out[4] = { 0, 0, 0, 0 };

	say("setgroups(3, {30, 10, 20}): %s", res(sys2(SYS_setgroups, 3, list)));
	say("getgroups(0, NULL): %ld", sys2(SYS_getgroups, 0, 0));
	say("getgroups(1, buf) with 3 groups: %s", res(sys2(SYS_getgroups, 1, out)));
	long n = sys2(SYS_getgroups, 4, out);
	say("getgroups(4, buf): %ld: %u %u %u", n, out[0], out[1], out[2]);
	say("setgroups(-1): %s", res(sys2(SYS_setgroups, -1, list)));
	say("setgroups(65537): %s", res(sys2(SYS_setgroups, 65537, list)));
	say("setgroups(2, 8): %s", res(sys2(SYS_setgroups, 2, 8)));
	say("getgroups(3, 8): %s", res(sys2(SYS_getgroups, 3, 8)));
	say("setgroups(0, NULL): %s, then getgroups: %ld", res(sys2(SYS_setgroups, 0, 0)),
	    sys2(SYS_getgroups, 0, 0));
}

static void as_root(void)
{
	say("setuid(-1) as root: %s", res(sys1(SYS_setuid, -1)));
	say("setresgid(100, 200, 300): %s", res(sys3(SYS_setresgid, 100, 200, 300)));
	say("setresuid(1000, 2000, 3000): %s", res(sys3(SYS_setresuid, 1000, 2000, 3000)));
	ids("then");
	say("getresuid to address 8: %s", res(sys3(SYS_getresuid, 8, 8, 8)));
}

/* Runs in a child whose ids are 1000, 2000, 3000 and gids 100, 200, 300. */
static void as_user(void)
{
	say("setuid(0) unprivileged: %s", res(sys1(SYS_setuid, 0)));
	say("setuid(3000), the saved uid: %s", res(sys1(SYS_setuid, 3000)));
	ids("then");
	say("setreuid(-1, 1000), back to the real uid: %s", res(sys2(SYS_setreuid, -1, 1000)));
	ids("then");
	say("setreuid(3000, -1): %s", res(sys2(SYS_setreuid, 3000, -1)));
	say("setresuid(-1, 4000, -1): %s", res(sys3(SYS_setresuid, -1, 4000, -1)));
	say("setresuid(3000, 3000, 1000): %s", res(sys3(SYS_setresuid, 3000, 3000, 1000)));
	ids("then");
	say("setfsuid(5) returns the old fsuid: %ld, and it stays: %ld", sys1(SYS_setfsuid, 5),
	    sys1(SYS_setfsuid, -1));
	say("setfsuid(1000) returns %ld, now %ld", sys1(SYS_setfsuid, 1000),
	    sys1(SYS_setfsuid, -1));
	say("setgid(0) unprivileged: %s", res(sys1(SYS_setgid, 0)));
	say("setregid(300, 100): %s", res(sys2(SYS_setregid, 300, 100)));
	ids("then");
	unsigned int g = 5;
	say("setgroups unprivileged: %s", res(sys2(SYS_setgroups, 1, &g)));
	struct rlimit lim;
	sys2(SYS_getrlimit, RLIMIT_NOFILE, &lim);
	lim.rlim_max++;
	say("raising the hard RLIMIT_NOFILE unprivileged: %s",
	    res(sys2(SYS_setrlimit, RLIMIT_NOFILE, &lim)));
	lim.rlim_max -= 2;
	lim.rlim_cur = lim.rlim_max;
	say("lowering it: %s", res(sys2(SYS_setrlimit, RLIMIT_NOFILE, &lim)));
	say("prlimit64 of init's RLIMIT_CORE: %s",
	    res(sys4(SYS_prlimit64, 1, RLIMIT_CORE, &lim, 0)));
	/* CAP_SYS_BOOT is checked before anything else: this never powers off. */
	say("reboot(POWER_OFF) unprivileged: %s",
	    res(sys4(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, 0)));
}

static void limits(void)
{
	struct rlimit lim, old;

	say("getrlimit(RLIMIT_NOFILE): %s", res(sys2(SYS_getrlimit, RLIMIT_NOFILE, &old)));
	say("getrlimit of resource 16: %s", res(sys2(SYS_getrlimit, 16, &lim)));
	say("getrlimit to address 8: %s", res(sys2(SYS_getrlimit, RLIMIT_NOFILE, 8)));
	lim.rlim_cur = old.rlim_max + 1;
	lim.rlim_max = old.rlim_max;
	say("setrlimit with soft above hard: %s", res(sys2(SYS_setrlimit, RLIMIT_NOFILE, &lim)));
	lim.rlim_cur = lim.rlim_max = (1 << 20) + 1;
	say("setrlimit(RLIMIT_NOFILE) above fs.nr_open: %s",
	    res(sys2(SYS_setrlimit, RLIMIT_NOFILE, &lim)));
	say("prlimit64 of pid -5: %s", res(sys4(SYS_prlimit64, -5, RLIMIT_CORE, 0, &lim)));

	/* Only the soft limit moves: raising a hard limit needs CAP_SYS_RESOURCE,
	 * which a container's root may lack. */
	lim.rlim_cur = 8;
	lim.rlim_max = old.rlim_max;
	say("setrlimit(RLIMIT_NOFILE) soft 8: %s", res(sys2(SYS_setrlimit, RLIMIT_NOFILE, &lim)));
	long fd, highest = -1;
	while ((fd = sys1(SYS_dup, 1)) >= 0)
		highest = fd;
	say("dup until it fails: %s, the highest descriptor was 7: %s", res(fd),
	    yesno(highest == 7));
	say("dup2(1, 8): %s", res(sys2(SYS_dup2, 1, 8)));
	say("fcntl(1, F_DUPFD, 8): %s", res(sys3(SYS_fcntl, 1, F_DUPFD, 8)));
	for (long i = 3; i <= 7; i++)
		sys1(SYS_close, i);
	say("setrlimit back to the old soft limit: %s",
	    res(sys2(SYS_setrlimit, RLIMIT_NOFILE, &old)));
}

#define MiB (1L << 20)

/* In a child: RLIMIT_AS at 64 MiB bounds mmap, brk and mremap. */
static void address_space_limit(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit lim = { 64 * MiB, RLIM_INFINITY };
		say("setrlimit(RLIMIT_AS, 64 MiB): %s", res(sys2(SYS_setrlimit, RLIMIT_AS, &lim)));
		long big = sys6(SYS_mmap, 0, 128 * MiB, 3, 0x22, -1, 0);
		say("  mmap of 128 MiB: %s", res(big));
		long small = sys6(SYS_mmap, 0, MiB, 3, 0x22, -1, 0);
		say("  mmap of 1 MiB: %s", res(small));
		long grown = sys6(SYS_mremap, small, MiB, 128 * MiB, 1, 0, 0);
		say("  mremap of it to 128 MiB: %s", res(grown));
		long brk = sys1(SYS_brk, 0);
		say("  brk 128 MiB higher: %s", sys1(SYS_brk, brk + 128 * MiB) == brk ? "refused" : "moved");
		say("  brk 64 KiB higher: %s", sys1(SYS_brk, brk + 65536) == brk ? "refused" : "moved");
		_exit(0);
	}
	reap(pid);

	/* Linux maps a new program after execve's point of no return. */
	pid = fork();
	if (pid == 0) {
		struct rlimit lim = { 10 * 1024, RLIM_INFINITY };
		char *argv[] = { "true", 0 };
		sys2(SYS_setrlimit, RLIMIT_AS, &lim);
		long r = sys3(SYS_execve, "/bin/busybox", argv, 0);
		say("  execve with RLIMIT_AS 10 KiB returned: %s", res(r));
		_exit(0);
	}
	say("  execve of busybox with RLIMIT_AS 10 KiB: the child %s", describe(reap(pid)));
}

/* Forks `depth` levels of 3 children each; 1 if a fork failed anywhere below. */
static int bomb(int depth)
{
	pid_t kids[3];
	int n = 0, failed = 0;

	for (int i = 0; depth > 0 && i < 3; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(bomb(depth - 1));
		if (pid < 0)
			failed |= errno == EAGAIN;
		else
			kids[n++] = pid;
	}
	for (int i = 0; i < n; i++) {
		int status = reap(kids[i]);
		failed |= status == -1 || WEXITSTATUS(status) != 0;
	}
	return failed;
}

static void nproc(void)
{
	int gate[2];

	if (pipe(gate) != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit lim = { 3, 3 };
		sys1(SYS_setgid, GROUP);
		sys1(SYS_setuid, USER);
		say("as an ordinary user, setrlimit(RLIMIT_NPROC, 3): %s",
		    res(sys2(SYS_setrlimit, RLIMIT_NPROC, &lim)));
		int ok = 0, again = 0;
		pid_t kids[6];
		for (int i = 0; i < 6; i++) {
			pid_t kid = fork();
			if (kid == 0) {
				char c;
				close(gate[1]);
				read(gate[0], &c, 1);
				_exit(0);
			}
			if (kid > 0)
				kids[ok++] = kid;
			else
				again += errno == EAGAIN;
		}
		say("6 forks with 1 task of the user already: %d succeeded, %d failed with EAGAIN",
		    ok, again);
		close(gate[1]);
		int reaped = 0;
		for (int i = 0; i < ok; i++)
			reaped += reap(kids[i]) == 0;
		say("the %d children were reaped: %s", ok, yesno(reaped == ok));

		lim.rlim_cur = lim.rlim_max = 20;
		sys2(SYS_setrlimit, RLIMIT_NPROC, &lim);
		say("a fork bomb of 3^6 processes under RLIMIT_NPROC 20: stopped by EAGAIN: %s",
		    yesno(bomb(6)));
		_exit(0);
	}
	close(gate[0]);
	close(gate[1]);
	say("the user's process %s", describe(reap(pid)));
	pid = fork();
	if (pid == 0)
		_exit(7);
	say("after the bomb, root still forks: the child %s", describe(reap(pid)));
}

/* Closed by the parent when the processes target() made may end. */
static int gate[2];

/* A child that runs `setup(arg)`, in a process group of its own if
 * `own_group`, then waits for the gate to close; returns once it is set. */
static pid_t waiting(void (*setup)(const long *), const long *arg, int own_group)
{
	int ready[2];
	char c = 0;

	if (pipe(ready) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(gate[1]);
		close(ready[0]);
		if (own_group)
			setpgid(0, 0);
		setup(arg);
		write(ready[1], &c, 1);
		read(gate[0], &c, 1);
		_exit(0);
	}
	close(ready[1]);
	read(ready[0], &c, 1);
	close(ready[0]);
	return pid;
}

static void set_uids(const long *uids)
{
	sys3(SYS_setresuid, uids[0], uids[1], uids[2]);
}

/* A child with uids `r`, `e`, `s` that waits for the gate to close, in a
 * process group of its own if `own_group`; returns once its ids are set. */
static pid_t target(unsigned int r, unsigned int e, unsigned int s, int own_group)
{
	const long uids[] = { r, e, s };

	return waiting(set_uids, uids, own_group);
}

/* In a child with uids `r`, `e`, `s`: the system call `nr`, and its result. */
static void call_as(const char *what, unsigned int r, unsigned int e, unsigned int s, long nr,
		    long a, long b, long c)
{
	pid_t pid = fork();

	if (pid == 0) {
		sys3(SYS_setresuid, r, e, s);
		say("  %s: %s", what, res(sys3(nr, a, b, c)));
		_exit(0);
	}
	reap(pid);
}

/* Has `pid`, a child, not ended? */
static int alive(pid_t pid)
{
	int status;

	return sys4(SYS_wait4, pid, &status, WNOHANG, 0) == 0;
}

static void kill_permission(void)
{
	static const unsigned int targets[][3] = {
		{ USER, 0, 0 }, { 0, 0, USER }, { 0, USER, 0 }, { USER, USER, USER },
	};
	static const unsigned int senders[][3] = {
		{ USER, OTHER, OTHER }, { OTHER, USER, OTHER }, { OTHER, OTHER, USER },
	};
	pid_t waiting[8];
	int n = 0;
	char what[96];

	if (pipe(gate) != 0)
		return;
	pid_t root = target(0, 0, 0, 0);
	waiting[n++] = root;
	say("kill permission: a user and a process of root's");
	call_as("kill(root's, 0)", USER, USER, USER, SYS_kill, root, 0, 0);
	call_as("kill(root's, SIGKILL)", USER, USER, USER, SYS_kill, root, SIGKILL, 0);
	call_as("tgkill(root's, root's, 0)", USER, USER, USER, SYS_tgkill, root, root, 0);
	call_as("tkill(root's, SIGKILL)", USER, USER, USER, SYS_tkill, root, SIGKILL, 0);
	call_as("kill(root's, SIGCONT) in the same session", USER, USER, USER, SYS_kill, root,
		SIGCONT, 0);
	say("  root's process is still there: %s", yesno(alive(root)));

	pid_t pid = fork();
	if (pid == 0) {
		sys1(SYS_setsid, 0);
		sys3(SYS_setresuid, USER, USER, USER);
		say("  kill(root's, SIGCONT) from a session of its own: %s",
		    res(sys2(SYS_kill, root, SIGCONT)));
		_exit(0);
	}
	reap(pid);

	pid = fork();
	if (pid == 0) {
		sys3(SYS_setresuid, USER, USER, USER);
		pid_t kid = fork();
		if (kid == 0) {
			pause();
			_exit(0);
		}
		say("  kill(its own child, SIGKILL): %s", res(sys2(SYS_kill, kid, SIGKILL)));
		say("  the child %s", describe(reap(kid)));
		_exit(0);
	}
	reap(pid);

	pid_t group = target(0, 0, 0, 1);
	waiting[n++] = group;
	call_as("kill(-group of root's, 0)", USER, USER, USER, SYS_kill, -group, 0, 0);
	call_as("kill(-group of root's, SIGCONT)", USER, USER, USER, SYS_kill, -group, SIGCONT, 0);
	call_as("kill(-1, SIGTERM) as a uid no other process has", LONER, LONER, LONER, SYS_kill,
		-1, SIGTERM, 0);
	say("  root's processes are still there: %s", yesno(alive(root) && alive(group)));

	say("kill(pid, 0) as uids %u %u %u to a process with uids", USER, USER, USER);
	for (unsigned int i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		const unsigned int *t = targets[i];
		pid = target(t[0], t[1], t[2], 0);
		waiting[n++] = pid;
		snprintf(what, sizeof(what), "%u %u %u", t[0], t[1], t[2]);
		call_as(what, USER, USER, USER, SYS_kill, pid, 0, 0);
	}
	say("kill(pid, 0) to a process with uids %u %u %u as uids", USER, USER, USER);
	for (unsigned int i = 0; i < sizeof(senders) / sizeof(senders[0]); i++) {
		const unsigned int *u = senders[i];
		snprintf(what, sizeof(what), "%u %u %u", u[0], u[1], u[2]);
		call_as(what, u[0], u[1], u[2], SYS_kill, waiting[n - 1], 0, 0);
	}

	close(gate[0]);
	close(gate[1]);
	int ok = 0;
	for (int i = 0; i < n; i++)
		ok += reap(waiting[i]) == 0;
	say("the %d waiting processes exited 0: %s", n, yesno(ok == n));
}

/* This process's nice value, from /proc/self/stat's priority and nice
 * fields (the 18th and 19th), as ps reads them. */
static void stat_nice(const char *when)
{
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	long priority = 0, nice = 0;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *p = strrchr(buf, ')');
	/* The comm ends field 2; priority is field 18, nice 19. */
	for (int field = 2; p && field < 18; field++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p, " %ld %ld", &priority, &nice);
	say("  %s: /proc/self/stat priority %ld nice %ld", when, priority, nice);
}

/* getpriority's raw return is 20 - nice, 40 to 1. */
static const char *prio(long r)
{
	static char buf[32];

	if (r < 0)
		return res(r);
	snprintf(buf, sizeof(buf), "nice %ld", 20 - r);
	return buf;
}

static void set_nice(const long *nice)
{
	sys3(SYS_setpriority, PRIO_PROCESS, 0, *nice);
}

/* A child with nice `nice` that waits for the gate to close, in a process
 * group of its own if `own_group`; returns once its nice is set. */
static pid_t niced(long nice, int own_group)
{
	return waiting(set_nice, &nice, own_group);
}

/* Nice values (kernel/sys.c: getpriority, setpriority; sched/core.c:
 * can_nice): the range and its clamping, inheritance by fork, a process
 * group at once, and who may change whose (RLIMIT_NICE stays 0: raising
 * its hard limit needs CAP_SYS_RESOURCE, which a container's root may
 * lack; crates/cred tests the rule). All in a child, which starts
 * from nice 0 whatever the host's test runner had. */
static void priority(void)
{
	/* On noyau, the runner mounts nothing. */
	if (access("/proc/self/stat", F_OK) != 0)
		sys6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit none = { 0, 0 };

		say("nice values:");
		say("  set 0 as root: %s", res(sys3(SYS_setpriority, PRIO_PROCESS, 0, 0)));
		say("  get: %s", prio(sys2(SYS_getpriority, PRIO_PROCESS, 0)));
		say("  get with which 3: %s", res(sys2(SYS_getpriority, 3, 0)));
		say("  set with which -1: %s", res(sys3(SYS_setpriority, -1, 0, 0)));
		say("  get of no such process: %s",
		    res(sys2(SYS_getpriority, PRIO_PROCESS, 999999)));
		say("  set of no such group: %s",
		    res(sys3(SYS_setpriority, PRIO_PGRP, 999999, 0)));
		say("  get of a user with no process: %s",
		    res(sys2(SYS_getpriority, PRIO_USER, 54399)));
		say("  set 5: %s", res(sys3(SYS_setpriority, PRIO_PROCESS, 0, 5)));
		say("  get: %s", prio(sys2(SYS_getpriority, PRIO_PROCESS, getpid())));
		stat_nice("at nice 5");
		say("  set 100: %s", res(sys3(SYS_setpriority, PRIO_PROCESS, 0, 100)));
		say("  get: %s", prio(sys2(SYS_getpriority, PRIO_PROCESS, 0)));
		say("  set -100 as root: %s", res(sys3(SYS_setpriority, PRIO_PROCESS, 0, -100)));
		say("  get: %s", prio(sys2(SYS_getpriority, PRIO_PROCESS, 0)));
		stat_nice("at nice -20");
		sys3(SYS_setpriority, PRIO_PROCESS, 0, 7);
		pid_t kid = fork();
		if (kid == 0) {
			say("  a child forked at nice 7: %s",
			    prio(sys2(SYS_getpriority, PRIO_PROCESS, 0)));
			_exit(0);
		}
		reap(kid);

		if (pipe(gate) != 0)
			_exit(1);
		pid_t a = niced(3, 1);
		pid_t b = fork();
		if (b == 0) {
			close(gate[1]);
			setpgid(0, a);
			sys3(SYS_setpriority, PRIO_PROCESS, 0, 6);
			char c;
			read(gate[0], &c, 1);
			_exit(0);
		}
		setpgid(b, a);
		while (sys2(SYS_getpriority, PRIO_PROCESS, b) != 20 - 6)
			sched_yield();
		say("  a group at nice 3 and 6: %s", prio(sys2(SYS_getpriority, PRIO_PGRP, a)));
		say("  set the group to 8: %s", res(sys3(SYS_setpriority, PRIO_PGRP, a, 8)));
		say("  its members: %s and %s", prio(sys2(SYS_getpriority, PRIO_PROCESS, a)),
		    prio(sys2(SYS_getpriority, PRIO_PROCESS, b)));

		pid_t root = niced(4, 0);
		setrlimit(RLIMIT_NICE, &none);
		kid = fork();
		if (kid == 0) {
			sys3(SYS_setresuid, USER, USER, USER);
			say("  as a user, RLIMIT_NICE 0:");
			say("    get root's: %s", prio(sys2(SYS_getpriority, PRIO_PROCESS, root)));
			say("    set root's to 10: %s",
			    res(sys3(SYS_setpriority, PRIO_PROCESS, root, 10)));
			say("    set its own to 10: %s",
			    res(sys3(SYS_setpriority, PRIO_PROCESS, 0, 10)));
			say("    then 9: %s", res(sys3(SYS_setpriority, PRIO_PROCESS, 0, 9)));
			say("    then 12: %s", res(sys3(SYS_setpriority, PRIO_PROCESS, 0, 12)));
			say("    its own uid's: %s", prio(sys2(SYS_getpriority, PRIO_USER, 0)));
			_exit(0);
		}
		reap(kid);
		close(gate[0]);
		close(gate[1]);
		reap(a);
		reap(b);
		reap(root);
		_exit(0);
	}
	reap(pid);
}

/*
 * I/O priorities (ioprio_set, ioprio_get): a thread's own value, 0 (class
 * none) until set; the errors of bad classes, levels and targets; fork
 * inherits a value; an ordinary user may not take the realtime class nor
 * touch another user's process; a group or user query gives the best
 * effective priority, which for a thread without one follows its nice.
 */
#define IOPRIO(class, level) (((class) << 13) | (level))
static void io_priority(void)
{
	say("ioprio_get of the caller, never set: %s", res(sys2(SYS_ioprio_get, 1, 0)));
	long set = sys3(SYS_ioprio_set, 1, 0, IOPRIO(2, 7));
	say("ioprio_set best-effort 7: %s, then ioprio_get: %ld", res(set),
	    sys2(SYS_ioprio_get, 1, 0));
	/* (Levels from 8 up differ between Linux versions: 6.1 refuses them,
	 * later ones read the high bits as hints.) */
	say("class 4: %s, none with level 1: %s, -1: %s",
	    res(sys3(SYS_ioprio_set, 1, 0, IOPRIO(4, 0))),
	    res(sys3(SYS_ioprio_set, 1, 0, IOPRIO(0, 1))), res(sys3(SYS_ioprio_set, 1, 0, -1)));
	say("which 0: %s, which 4: %s, no such pid: %s, get of which 0: %s",
	    res(sys3(SYS_ioprio_set, 0, 0, IOPRIO(2, 0))),
	    res(sys3(SYS_ioprio_set, 4, 0, IOPRIO(2, 0))),
	    res(sys3(SYS_ioprio_set, 1, 999999, IOPRIO(2, 0))), res(sys2(SYS_ioprio_get, 0, 0)));
	pid_t pid = fork();
	if (pid == 0) {
		say("a child inherits it: %ld", sys2(SYS_ioprio_get, 1, 0));
		sys1(SYS_setpgid, 0);
		sys3(SYS_ioprio_set, 1, 0, 0);
		say("its own group, back to none: the effective best-effort 4: %ld",
		    sys2(SYS_ioprio_get, 2, 0));
		nice(6);
		say("at nice 6: best-effort %ld", sys2(SYS_ioprio_get, 2, 0) & 7);
		sys1(SYS_setgid, 4242);
		sys1(SYS_setuid, 4242);
		say("uid 4242: realtime 0: %s, best-effort 0 for pid 1: %s, idle for itself: %s",
		    res(sys3(SYS_ioprio_set, 1, 0, IOPRIO(1, 0))),
		    res(sys3(SYS_ioprio_set, 1, 1, IOPRIO(2, 0))),
		    res(sys3(SYS_ioprio_set, 1, 0, IOPRIO(3, 0))));
		say("the best of user 4242: %ld", sys2(SYS_ioprio_get, 3, 4242));
		_exit(0);
	}
	reap(pid);
	sys3(SYS_ioprio_set, 1, 0, 0);
}

int main(void)
{
	say("diff_creds: uids, gids, groups, rlimits, RLIMIT_NPROC, kill permission");
	ids("at start");
	groups();
	pid_t pid = fork();
	if (pid == 0) {
		as_root();
		as_user();
		_exit(0);
	}
	say("the child that changed its ids %s", describe(reap(pid)));
	ids("the parent kept");
	limits();
	address_space_limit();
	nproc();
	kill_permission();
	priority();
	io_priority();
	return 0;
}
