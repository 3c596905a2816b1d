/*
 * diff_proc: a differential test of procfs and mount(2) (Linux:
 * fs/proc/array.c, fs/proc/task_mmu.c, fs/proc/base.c, fs/namespace.c).
 * It reads its own /proc/self/stat, status, cmdline and maps and prints
 * the fields and relations that do not depend on the machine, then the
 * errors of mount(2) and umount2(2) for calls that never mount anything,
 * and opens through the magic links of /proc/self/fd, cwd and root.
 * On noyau, where the runner mounts nothing, it mounts proc on /proc first.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

int main(int argc, char **argv);

static char text[16384];

/* The whole of a /proc file, NUL-terminated; its length, or -errno. */
static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	long n = 0, r;
	while ((r = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += r;
	close(fd);
	text[n] = 0;
	return r < 0 ? -errno : n;
}

/* open(2) of `path` for reading, closed at once: 0 or -errno. */
static long open_close(const char *path)
{
	long fd = sys3(SYS_open, path, O_RDONLY, 0);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? fd : 0;
}

/* The value after "key:\t" in status text, or "" */
static const char *field(const char *key)
{
	static char values[4][128];
	static int next;
	char *value = values[next++ % 4];
	char want[64];
	snprintf(want, sizeof(want), "\n%s:\t", key);
	const char *at = strstr(text, want);
	value[0] = 0;
	if (!at)
		return value;
	at += strlen(want);
	size_t n = strcspn(at, "\n");
	if (n >= sizeof(values[0]))
		n = sizeof(values[0]) - 1;
	memcpy(value, at, n);
	value[n] = 0;
	return value;
}

static void check_stat(void)
{
	unsigned long long f[64] = { 0 };
	char comm[64] = "", state = '?';
	int pid = 0;

	if (slurp("/proc/self/stat") < 0) {
		say("stat: %s", errname(errno));
		return;
	}
	char *close_paren = strrchr(text, ')');
	char *open_paren = strchr(text, '(');
	if (!close_paren || !open_paren) {
		say("stat: no (comm)");
		return;
	}
	sscanf(text, "%d", &pid);
	memcpy(comm, open_paren + 1, close_paren - open_paren - 1);
	int count = 2;
	char *p = close_paren + 2;
	state = *p;
	p += 1;
	for (int i = 4; *p && i < 64; i++) {
		char *end;
		f[i] = strtoull(p, &end, 10);
		if (end == p)
			break;
		count = i;
		p = end;
	}
	int local = 0;
	say("stat: %d fields, pid is getpid(): %s, comm %s, state %c", count,
	    yesno(pid == getpid()), comm, state);
	say("stat: ppid is getppid(): %s, priority %llu, nice %llu, threads %llu, exit_signal %llu",
	    yesno(f[4] == (unsigned long long)getppid()), f[18], f[19], f[20], f[38]);
	say("stat: vsize > 0: %s, code holds main: %s, stack start above a local: %s",
	    yesno(f[23] > 0), yesno(f[26] <= (unsigned long)main && (unsigned long)main < f[27]),
	    yesno(f[28] > (unsigned long)&local));
	say("stat: arg_start < arg_end: %s, env_start < env_end: %s, arg_end <= env_start: %s",
	    yesno(f[48] < f[49]), yesno(f[50] < f[51]), yesno(f[49] <= f[50]));
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* SigPnd, SigBlk, SigIgn and SigCgt after setting each: SIGUSR1 caught,
 * SIGUSR2 and SIGPIPE ignored, SIGHUP blocked and raised (so pending),
 * every other disposition the default. */
static void check_signal_sets(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, ign = { .sa_handler = SIG_IGN },
			 catch = { .sa_handler = on_usr1 };
	sigset_t hup, old;

	/* The raw call: the C library keeps some real-time signals to itself,
	 * and the test's parent may have left any of them ignored. */
	unsigned long kdfl[4] = { 0 }; /* SIG_DFL, flags, restorer, mask */
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sys4(SYS_rt_sigaction, sig, kdfl, 0, 8);
	sigaction(SIGUSR1, &catch, 0);
	sigaction(SIGUSR2, &ign, 0);
	sigaction(SIGPIPE, &ign, 0);
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hup, &old);
	raise(SIGHUP);
	slurp("/proc/self/status");
	say("status: SigPnd %s SigBlk %s", field("SigPnd"), field("SigBlk"));
	say("status: SigIgn %s SigCgt %s", field("SigIgn"), field("SigCgt"));
	sigaction(SIGHUP, &ign, 0);
	sigprocmask(SIG_SETMASK, &old, 0);
	sigaction(SIGHUP, &dfl, 0);
	sigaction(SIGUSR1, &dfl, 0);
	sigaction(SIGUSR2, &dfl, 0);
	sigaction(SIGPIPE, &dfl, 0);
}

/* SigQ counts the signals queued for the real user: a user of its own
 * here, so that no other process adds to it. A signal pending twice holds
 * one entry. */
static void check_signal_queue(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t set;
		sigfillset(&set);
		sigprocmask(SIG_BLOCK, &set, 0);
		sys1(SYS_setuid, 54321);
		slurp("/proc/self/status");
		say("uid 54321: SigQ before any signal: %d", atoi(field("SigQ")));
		raise(SIGUSR1);
		slurp("/proc/self/status");
		say("  after SIGUSR1: %d", atoi(field("SigQ")));
		raise(SIGUSR2);
		raise(SIGUSR1);
		slurp("/proc/self/status");
		say("  after SIGUSR2 and SIGUSR1 again: %d", atoi(field("SigQ")));
		_exit(0);
	}
	reap(pid);
}

static void check_status(void)
{
	char want[64];

	if (slurp("/proc/self/status") < 0) {
		say("status: %s", errname(errno));
		return;
	}
	char keys[128] = "";
	const char *line = text;
	for (int i = 0; i < 8 && *line; i++) {
		size_t n = strcspn(line, ":");
		strncat(keys, line, n);
		strcat(keys, " ");
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	say("status: first keys: %s", keys);
	memmove(text + 1, text, strlen(text) + 1);
	text[0] = '\n';
	say("status: Name %s", field("Name"));
	say("status: State %s", field("State"));
	say("status: Umask %s", field("Umask"));
	snprintf(want, sizeof(want), "%d", getpid());
	say("status: Tgid and Pid are getpid(): %s %s", yesno(!strcmp(field("Tgid"), want)),
	    yesno(!strcmp(field("Pid"), want)));
	snprintf(want, sizeof(want), "%d", getppid());
	say("status: PPid is getppid(): %s", yesno(!strcmp(field("PPid"), want)));
	snprintf(want, sizeof(want), "%d\t%d\t%d\t%d", getuid(), geteuid(), geteuid(), geteuid());
	say("status: Uid is the ids: %s", yesno(!strcmp(field("Uid"), want)));
	say("status: Threads %s, TracerPid %s, has VmSize: %s, SigBlk has 16 digits: %s",
	    field("Threads"), field("TracerPid"), yesno(field("VmSize")[0] != 0),
	    yesno(strlen(field("SigBlk")) == 16));
	snprintf(want, sizeof(want), "%d", getpgrp());
	say("status: NSpgid is getpgrp(): %s", yesno(!strcmp(field("NSpgid"), want)));
	snprintf(want, sizeof(want), "%d", getsid(0));
	say("status: NSsid is getsid(0): %s", yesno(!strcmp(field("NSsid"), want)));
	struct rlimit rl;
	getrlimit(RLIMIT_SIGPENDING, &rl);
	const char *slash = strchr(field("SigQ"), '/');
	say("status: SigQ's limit is RLIMIT_SIGPENDING: %s",
	    yesno(slash && strtoull(slash + 1, 0, 10) == rl.rlim_cur));
	check_signal_queue();
	check_signal_sets();
}

static void check_cmdline(const char *argv0)
{
	long n = slurp("/proc/self/cmdline");
	say("cmdline: %ld bytes, argv[0] then NUL: %s", n,
	    yesno(n == (long)strlen(argv0) + 1 && !strcmp(text, argv0)));
}

static void check_maps(void)
{
	int local = 0;
	/* Grow the break by two pages, so that a [heap] area exists. */
	long cur = sys1(SYS_brk, 0);
	sys1(SYS_brk, cur + 8192);
	*(volatile char *)(cur + 100) = 1;

	if (slurp("/proc/self/maps") < 0) {
		say("maps: %s", errname(errno));
		return;
	}
	int lines = 0, well_formed = 1, sorted = 1, stack = 0, heap = 0, heap_holds = 0;
	int main_exec = 0, main_named = 0;
	unsigned long last_end = 0;
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = 0;
		unsigned long start, end, off, ino;
		unsigned int maj, min;
		char perms[8];
		int used = 0;
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &start, &end, perms, &off, &maj,
			   &min, &ino, &used) < 7)
			well_formed = 0;
		const char *name = strlen(line) > 73 ? line + 73 : "";
		if (strlen(line) > 73 && line[72] != ' ')
			well_formed = 0;
		if (start < last_end || end <= start)
			sorted = 0;
		last_end = end;
		if (!strcmp(name, "[stack]") && start <= (unsigned long)&local &&
		    (unsigned long)&local < end)
			stack = 1;
		if (!strcmp(name, "[heap]")) {
			heap++;
			heap_holds |= start <= (unsigned long)cur + 100 && (unsigned long)cur + 100 < end;
		}
		if (start <= (unsigned long)main && (unsigned long)main < end) {
			main_exec = perms[2] == 'x';
			size_t len = strlen(name);
			main_named = len >= 10 && !strcmp(name + len - 10, "/diff_proc");
		}
		lines++;
		line = nl + 1;
	}
	say("maps: lines: %s, well formed: %s, sorted: %s", yesno(lines > 3), yesno(well_formed),
	    yesno(sorted));
	say("maps: [stack] holds a local: %s, one [heap]: %s, holding the break: %s", yesno(stack),
	    yesno(heap == 1), yesno(heap_holds));
	say("maps: main is in an executable area: %s, named after the program: %s", yesno(main_exec),
	    yesno(main_named));
	char link[256];
	long n = readlink("/proc/self/exe", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	say("exe: absolute, ends in /diff_proc: %s",
	    yesno(link[0] == '/' && n >= 10 && !strcmp(link + n - 10, "/diff_proc")));
	n = readlink("/proc/self/cwd", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	say("cwd: %s", link);
}

/*
 * /proc/self/fd/N, cwd and root are magic links: an open goes to the file
 * of the descriptor itself, not to a path made from the link's text, so a
 * pipe and a removed file open again, O_CREAT opens them too (a shell's
 * `> /dev/stdout`), and uid 1000 may not follow init's.
 */
static void check_magic_links(void)
{
	char path[64], buf[64];
	int p[2];
	if (pipe(p) < 0)
		return;
	write(p[1], "through the pipe", 16);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	int r = open(path, O_RDONLY);
	long n = r < 0 ? -errno : read(r, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	say("open of a pipe's read end through /proc/self/fd: %s, read \"%s\"", res(r < 0 ? -errno : 0),
	    buf);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	int w = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	say("open of its write end with O_CREAT|O_TRUNC: %s, write: %s", res(w < 0 ? -errno : 0),
	    res(w < 0 ? -1 : write(w, "again", 5)));
	n = r < 0 ? -1 : read(p[0], buf, sizeof(buf) - 1);
	say("the first read end gets what the new write end wrote: %s",
	    yesno(n == 5 && !memcmp(buf, "again", 5)));
	say("O_CREAT|O_EXCL through the link: %s, a slash after it: %s",
	    res(sys3(SYS_open, path, O_WRONLY | O_CREAT | O_EXCL, 0644)),
	    res(sys3(SYS_open, strcat(strcpy(buf, path), "/"), O_RDONLY, 0)));
	close(w);
	close(r);
	close(p[0]);
	close(p[1]);

	int fd = open("/tmp/diff_proc.removed", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(fd, "kept after unlink", 17);
	unlink("/tmp/diff_proc.removed");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = sys3(SYS_readlink, path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	say("a removed file's link reads \"%s\"", buf);
	say("and opens to its data: %s", yesno(slurp(path) == 17 && !strcmp(text, "kept after unlink")));
	close(fd);

	/* ".", "/" and a directory's link with O_CREAT (do_open's checks). */
	say("O_CREAT of \".\": %s, with O_EXCL: %s; of /proc/self/cwd: %s",
	    res(sys3(SYS_open, ".", O_RDONLY | O_CREAT, 0644)),
	    res(sys3(SYS_open, ".", O_RDONLY | O_CREAT | O_EXCL, 0644)),
	    res(sys3(SYS_open, "/proc/self/cwd", O_RDONLY | O_CREAT, 0644)));
	chdir("/tmp");
	say("/proc/self/cwd/. is the cwd: %s; /proc/self/root/tmp opens: %s",
	    yesno(access("/proc/self/cwd/../tmp", F_OK) == 0),
	    res(open_close("/proc/self/root/tmp")));
	chdir("/");
	pid_t pid = fork();
	if (pid == 0) {
		sys1(SYS_setgid, 1000);
		sys1(SYS_setuid, 1000);
		say("uid 1000: open /proc/1/cwd: %s, /proc/1/root/: %s",
		    res(open_close("/proc/1/cwd")), res(open_close("/proc/1/root/")));
		_exit(0);
	}
	waitpid(pid, 0, 0);
}

/*
 * The counters of stat and status: minflt (field 10) grows by at least
 * 64 when 64 fresh pages are touched, and a sleep is a voluntary switch.
 */
static long stat_field(int n)
{
	if (slurp("/proc/self/stat") <= 0)
		return -1;
	char *p = strrchr(text, ')');
	for (int field = 2; p && field < n; field++)
		p = strchr(p + 1, ' ');
	return p ? atol(p + 1) : -1;
}

static void check_counters(void)
{
	long before = stat_field(10);
	char *p = mmap(0, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 64; i++)
		p[i * 4096] = 1;
	long after = stat_field(10);
	munmap(p, 64 * 4096);
	/* (majflt is machine-specific: the host may page the program in.) */
	say("stat: minflt grew by at least 64 for 64 fresh pages: %s",
	    yesno(after - before >= 64));
	usleep(20000);
	slurp("/proc/self/status");
	say("status: voluntary_ctxt_switches after a sleep is positive: %s",
	    yesno(atol(field("voluntary_ctxt_switches")) > 0));
}

/*
 * /proc/self/exe is a magic link too: it opens the program's file, which
 * a copy of this program checks after removing itself.
 */
static void exe_removed(void)
{
	unlink("/tmp/diff_proc.copy");
	char link[256];
	long n = sys3(SYS_readlink, "/proc/self/exe", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	say("removed program: /proc/self/exe reads \"%s\"", link);
	struct stat st;
	int fd = open("/proc/self/exe", O_RDONLY);
	say("and opens to the program's bytes: %s",
	    yesno(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 4096 &&
		  read(fd, link, 4) == 4 && !memcmp(link, "\177ELF", 4)));
	_exit(0);
}

static void check_exe(void)
{
	struct stat a, b;
	char name[256];
	long n = sys3(SYS_readlink, "/proc/self/exe", name, sizeof(name) - 1);
	name[n > 0 ? n : 0] = 0;
	int fd = open("/proc/self/exe", O_RDONLY);
	say("/proc/self/exe opens the file its text names: %s",
	    yesno(fd >= 0 && fstat(fd, &a) == 0 && stat(name, &b) == 0 && a.st_ino == b.st_ino &&
		  a.st_dev == b.st_dev));
	int out = open("/tmp/diff_proc.copy", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[4096];
	while (fd >= 0 && out >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		write(out, buf, n);
	close(out);
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		char *args[] = { "/tmp/diff_proc.copy", "exe-removed", 0 };
		execv(args[0], args);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	say("the copy exited with status %d", WEXITSTATUS(status));
}

/* comm, environ, a descriptor's link, and reads at an offset. */
static void check_small_files(void)
{
	long n = slurp("/proc/self/comm");
	say("comm: %ld bytes: %s", n, yesno(!strcmp(text, "diff_proc\n")));

	n = slurp("/proc/self/environ");
	int home = 0, term = 0;
	for (long at = 0; at < n; at += strlen(text + at) + 1) {
		home |= !strcmp(text + at, "HOME=/");
		term |= !strcmp(text + at, "TERM=linux");
	}
	say("environ: NUL-separated, HOME=/ %s, TERM=linux %s", yesno(home), yesno(term));

	int fd = open("/", O_RDONLY | O_DIRECTORY);
	char path[64], link[256];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	long len = readlink(path, link, sizeof(link) - 1);
	link[len > 0 ? len : 0] = 0;
	say("fd link of an open /: %s", link);
	close(fd);
	say("fd link after close: %s", res(readlink(path, link, sizeof(link)) < 0 ? -errno : 0));

	char whole[256], part[256];
	fd = open("/proc/self/status", O_RDONLY);
	long a = pread(fd, whole, sizeof(whole), 0);
	long b = pread(fd, part, 100, 20);
	say("status: pread at 20 is the same bytes: %s",
	    yesno(a > 120 && b == 100 && !memcmp(whole + 20, part, 100)));
	say("status: write: %s", res(write(fd, "x", 1) < 0 ? -errno : 0));
	close(fd);
	fd = open("/proc/self/stat", O_WRONLY);
	say("open /proc/self/stat for writing: %s", res(fd < 0 ? -errno : 0));
	say("  then write: %s", res(write(fd, "x", 1) < 0 ? -errno : 0));
	close(fd);
	/* A system-wide file has no proc_write: EIO (pde_write), not EINVAL. */
	fd = open("/proc/version", O_WRONLY | O_TRUNC);
	say("open /proc/version for writing: %s", res(fd < 0 ? -errno : 0));
	say("  then write: %s", res(write(fd, "x", 1) < 0 ? -errno : 0));
	close(fd);
	fd = open("/proc/meminfo", O_RDWR);
	say("/proc/meminfo opened read-write, write: %s",
	    res(write(fd, "x", 1) < 0 ? -errno : 0));
	close(fd);
	/* sysctl files are checked by their mode alone, root too
	 * (proc_sys_permission): a 0444 one refuses to open for writing. */
	say("open /proc/sys/kernel/ostype for writing as root: %s",
	    res(sys3(SYS_open, "/proc/sys/kernel/ostype", O_WRONLY, 0)));
	fd = open("/proc/sys/kernel/ostype", O_RDONLY);
	say("  for reading: %s", res(fd < 0 ? -errno : 0));
	close(fd);

	/* A kernel thread (kthreadd) works in / (init_fs) and runs no file. */
	char link2[64];
	n = readlink("/proc/2/cwd", link2, sizeof(link2) - 1);
	link2[n > 0 ? n : 0] = 0;
	say("/proc/2/cwd: %s", n < 0 ? errname(errno) : link2);
	n = readlink("/proc/2/root", link2, sizeof(link2) - 1);
	link2[n > 0 ? n : 0] = 0;
	say("/proc/2/root: %s", n < 0 ? errname(errno) : link2);
	say("/proc/2/exe: %s", res(readlink("/proc/2/exe", link2, sizeof(link2)) < 0 ? -errno : 0));
	say("/proc/2/mounts: %s", res(open_close("/proc/2/mounts")));
}

static int thread_pipe[2];

static void *blocked_thread(void *arg)
{
	char c;
	(void)arg;
	read(thread_pipe[0], &c, 1);
	return NULL;
}

/* The number of entries of a directory, "." and ".." left out. */
static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	if (!d)
		return -errno;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* /proc/self/task and Threads: with a second thread. */
static void check_threads(void)
{
	pthread_t t;
	char path[64];

	say("task: alone, %d entries", count_entries("/proc/self/task"));
	pipe(thread_pipe);
	pthread_create(&t, NULL, blocked_thread, NULL);
	int n = count_entries("/proc/self/task");
	slurp("/proc/self/status");
	memmove(text + 1, text, strlen(text) + 1);
	text[0] = '\n';
	say("task: with a thread, %d entries, Threads %s", n, field("Threads"));
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", getpid());
	say("task: the leader's stat is there: %s", yesno(slurp(path) > 0));
	write(thread_pipe[1], "x", 1);
	pthread_join(t, NULL);
	close(thread_pipe[0]);
	close(thread_pipe[1]);
}

/* Calls that fail on any Linux machine, as root; they never mount anything. */
static void check_mount_errors(void)
{
	say("mount on a missing directory: %s",
	    res(sys6(SYS_mount, (long)"none", (long)"/noyau-missing", (long)"tmpfs", 0, 0, 0)));
	say("mount on a file: %s",
	    res(sys6(SYS_mount, (long)"none", (long)"/proc/self/stat", (long)"tmpfs", 0, 0, 0)));
	say("mount of an unknown type: %s",
	    res(sys6(SYS_mount, (long)"none", (long)"/", (long)"noyaufs", 0, 0, 0)));
	say("mount without a type: %s", res(sys6(SYS_mount, (long)"none", (long)"/", 0, 0, 0, 0)));
	say("mount with a bad target pointer: %s",
	    res(sys6(SYS_mount, (long)"none", 8, (long)"tmpfs", 0, 0, 0)));
	say("mount with a bad data pointer: %s",
	    res(sys6(SYS_mount, (long)"none", (long)"/noyau-missing", (long)"tmpfs", 0, 8, 0)));
	say("mount with a bad type pointer: %s",
	    res(sys6(SYS_mount, (long)"none", (long)"/", 8, 0, 0, 0)));
	say("remount of a directory that is no mount root: %s",
	    res(sys6(SYS_mount, 0, (long)"/proc/self", 0, MS_REMOUNT | MS_RDONLY, 0, 0)));
	say("umount2 with unknown flags: %s", res(sys2(SYS_umount2, "/proc", 0x100)));
	say("umount2 of a missing path: %s", res(sys2(SYS_umount2, "/noyau-missing", 0)));
	say("umount2 of no mount root: %s", res(sys2(SYS_umount2, "/proc/self", 0)));
	say("umount2 of a bad pointer: %s", res(sys2(SYS_umount2, 8, 0)));

	pid_t child = fork();
	if (child == 0) {
		if (sys1(SYS_setuid, 65534) != 0)
			_exit(1);
		long m = sys6(SYS_mount, (long)"none", (long)"/", (long)"tmpfs", 0, 0, 0);
		long missing = sys6(SYS_mount, (long)"none", (long)"/noyau-missing", (long)"tmpfs",
				    0, 0, 0);
		long u = sys2(SYS_umount2, "/proc", 0);
		_exit((m == -EPERM) + 2 * (missing == -ENOENT) + 4 * (u == -EPERM));
	}
	int status = 0;
	waitpid(child, &status, 0);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	say("unprivileged: mount EPERM %s, missing target ENOENT first %s, umount2 EPERM %s",
	    yesno(code >= 0 && (code & 1)), yesno(code >= 0 && (code & 2)),
	    yesno(code >= 0 && (code & 4)));
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exe-removed"))
		exe_removed();
	say("diff_proc: /proc/self and mount(2)");
	if (access("/proc/self/stat", F_OK) != 0)
		sys6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	check_stat();
	check_status();
	check_cmdline(argv[0]);
	check_maps();
	check_small_files();
	check_magic_links();
	check_exe();
	check_counters();
	check_threads();
	check_mount_errors();
	/* Another user's links are closed (ptrace_may_access), one's own are not. */
	pid_t pid = fork();
	if (pid == 0) {
		char link[256];
		sys1(SYS_setgid, 1000);
		sys1(SYS_setuid, 1000);
		long exe = sys3(SYS_readlink, "/proc/1/exe", link, sizeof(link));
		long cwd = sys3(SYS_readlink, "/proc/1/cwd", link, sizeof(link));
		long self = sys3(SYS_readlink, "/proc/self/exe", link, sizeof(link));
		say("uid 1000: readlink /proc/1/exe: %s, /proc/1/cwd: %s, /proc/self/exe: %s",
		    res(exe < 0 ? exe : 0), res(cwd < 0 ? cwd : 0), res(self < 0 ? self : 0));
		/* maps and environ are closed at open (mm_access); a kernel
		 * thread has no memory to guard. */
		say("uid 1000: open /proc/1/maps: %s, /proc/1/environ: %s, /proc/self/maps: %s, "
		    "/proc/2/maps: %s",
		    res(open_close("/proc/1/maps")), res(open_close("/proc/1/environ")),
		    res(open_close("/proc/self/maps")), res(open_close("/proc/2/maps")));
		say("uid 1000: open /proc/version for writing: %s",
		    res(sys3(SYS_open, "/proc/version", O_WRONLY, 0)));
		say("uid 1000: readlink /proc/2/cwd: %s",
		    res(sys3(SYS_readlink, "/proc/2/cwd", link, sizeof(link))));
		_exit(0);
	}
	waitpid(pid, 0, 0);
	/* A process may look into itself whatever its ids (same_thread_group). */
	pid = fork();
	if (pid == 0) {
		char link[256];
		sys3(SYS_setresuid, 0, 1000, 0);
		long self = sys3(SYS_readlink, "/proc/self/exe", link, sizeof(link));
		say("real uid 0, effective 1000: readlink /proc/self/exe: %s, open /proc/self/maps: "
		    "%s",
		    res(self < 0 ? self : 0), res(open_close("/proc/self/maps")));
		_exit(0);
	}
	waitpid(pid, 0, 0);
	char ts[64], want_ts[64];
	long n = sys3(SYS_readlink, "/proc/thread-self", ts, sizeof(ts) - 1);
	ts[n > 0 ? n : 0] = 0;
	snprintf(want_ts, sizeof(want_ts), "%d/task/%ld", getpid(), sys0(SYS_gettid));
	say("/proc/thread-self is PID/task/TID: %s, its stat opens: %s", yesno(!strcmp(ts, want_ts)),
	    yesno(slurp("/proc/thread-self/stat") > 0));
	/* Nothing is created in procfs: a missing name is ENOENT at once. */
	say("in /proc: creat %s, mkdir %s, mkfifo %s, symlink %s, creat in /proc/self %s",
	    res(sys3(SYS_open, "/proc/foo", O_WRONLY | O_CREAT, 0644)),
	    res(sys2(SYS_mkdir, "/proc/foo", 0755)),
	    res(sys3(SYS_mknod, "/proc/foo", 0010644, 0)),
	    res(sys2(SYS_symlink, "x", "/proc/foo")),
	    res(sys3(SYS_open, "/proc/self/foo", O_WRONLY | O_CREAT, 0644)));
	/* A pid directory is named in decimal digits only. */
	say("stat /proc/1: %s, /proc/+1: %s, /proc/01: %s, /proc/1x: %s",
	    res(access("/proc/1", F_OK) ? -errno : 0), res(access("/proc/+1", F_OK) ? -errno : 0),
	    res(access("/proc/01", F_OK) ? -errno : 0), res(access("/proc/1x", F_OK) ? -errno : 0));
	return 0;
}
