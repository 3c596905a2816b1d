/*
 * diff_exec: a differential test of execve (Linux: fs/exec.c): the argument
 * and environment strings reach the new program as given (Debian's
 * busybox-static, /bin/busybox on both sides, prints them with its echo and
 * env applets), its exit status comes back through wait4, and a failed
 * execve returns Linux's error to the caller, which goes on running.
 * Each child prints only while the parent waits for it, so the order of the
 * lines is fixed.
 * And `#!` scripts (Linux: fs/binfmt_script.c and exec_binprm), which it
 * writes in /tmp: the interpreter and its one argument from the first line
 * (within 256 bytes), the script's name in argv, a chain of five scripts
 * and ELOOP past it, ENOENT, EACCES and ENOEXEC for bad interpreters, and
 * what the interpreter sees (a copy of this program, "show" mode).
 * Set-user-ID and set-group-ID programs, scripts and a nosuid mount, as
 * uid 1000 (the copy in "ids" mode prints what it runs with).
 * On noyau, where the runner mounts nothing, it mounts proc on /proc first.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "report.h"

#define BUSYBOX "/bin/busybox"

/* Runs busybox with `argv` and `envp` in a child; how it ended. */
static const char *busybox(char *const argv[], char *const envp[])
{
	pid_t pid = fork();

	if (pid == 0) {
		long r = sys3(SYS_execve, BUSYBOX, argv, envp);
		say("execve(%s) failed: %s", BUSYBOX, res(r));
		_exit(127);
	}
	return describe(reap(pid));
}

static void runs(void)
{
	char *echo[] = { "echo", "one", "two  spaces", "", "last", 0 };
	char *env[] = { "env", 0 };
	char *vars[] = { "A=1", "EMPTY=", "B=two words", "C=x=y", 0 };
	char *echo_alone[] = { "echo", 0 };
	char *false_[] = { "false", 0 };

	say("busybox echo one \"two  spaces\" \"\" last:");
	say("-> %s", busybox(echo, vars));
	say("busybox env with 4 variables:");
	say("-> %s", busybox(env, vars));
	say("busybox env with an empty environment:");
	char *none[] = { 0 };
	say("-> %s", busybox(env, none));
	say("busybox env with envp NULL:");
	say("-> %s", busybox(env, 0));
	say("busybox echo with an argv of one element:");
	say("-> %s", busybox(echo_alone, vars));
	say("busybox false:");
	say("-> %s", busybox(false_, vars));
}

static void failures(void)
{
	char *argv[] = { "echo", "not", "printed", 0 };
	char *envp[] = { 0 };
	static char long_path[5000];

	say("execve of a missing file: %s",
	    res(sys3(SYS_execve, "/bin/no-such-program", argv, envp)));
	say("execve of \"\": %s", res(sys3(SYS_execve, "", argv, envp)));
	say("execve with the path at address 8: %s", res(sys3(SYS_execve, 8, argv, envp)));
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	say("execve of a path of %d bytes: %s", (int)sizeof(long_path) - 1,
	    res(sys3(SYS_execve, long_path, argv, envp)));
	char *bad_argv[] = { "echo", (char *)8, 0 };
	say("execve with an argv string at address 8: %s",
	    res(sys3(SYS_execve, BUSYBOX, bad_argv, envp)));
	say("execve with argv at address 8: %s", res(sys3(SYS_execve, BUSYBOX, 8, envp)));
	say("execve with envp at address 8: %s", res(sys3(SYS_execve, BUSYBOX, argv, 8)));
	say("execve of /dev/null: %s", res(sys3(SYS_execve, "/dev/null", argv, envp)));
	/* A huge file of zeros that may be executed: not an image (Linux reads
	 * only its first page to know). */
	int fd = open("/tmp/diff_exec.sparse", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	say("ftruncate to 1 TiB: %s", res(sys2(SYS_ftruncate, fd, 1L << 40)));
	close(fd);
	say("execve of a 1 TiB file of zeros: %s",
	    res(sys3(SYS_execve, "/tmp/diff_exec.sparse", argv, envp)));
	unlink("/tmp/diff_exec.sparse");
	say("the caller still runs after each failure: yes");
}

/* An argv of `n` copies of `s` after "true". */
static char **many(long n, char *s)
{
	char **argv = malloc((n + 2) * sizeof(char *));
	argv[0] = "true";
	for (long i = 1; i <= n; i++)
		argv[i] = s;
	argv[n + 1] = 0;
	return argv;
}

/* The size limits (Linux: bprm_stack_limits, copy_strings): under an 8 MiB
 * stack limit the strings and their pointers may take 2 MiB, one string
 * 32 pages with its NUL. A list over them is E2BIG at once. */
static void sizes(void)
{
	struct rlimit stack = { 8 << 20, 8 << 20 };
	char *envp[] = { 0 };
	char *long_arg = malloc(131073);

	setrlimit(RLIMIT_STACK, &stack);
	char **fits = many(100000, "1");
	say("busybox true with 100000 one-byte arguments: %s", busybox(fits, envp));
	char **over = many(150000, "1234567");
	say("execve with 150000 arguments of 7 bytes: %s",
	    res(sys3(SYS_execve, BUSYBOX, over, envp)));
	char **huge = many(1000000, "1");
	say("execve with 1000000 arguments of 1 byte: %s",
	    res(sys3(SYS_execve, BUSYBOX, huge, envp)));
	memset(long_arg, 'x', 131071);
	long_arg[131071] = 0;
	char *one[] = { "true", long_arg, 0 };
	say("busybox true with an argument of 131071 bytes: %s", busybox(one, envp));
	long_arg[131071] = 'x';
	long_arg[131072] = 0;
	say("execve with an argument of 131072 bytes: %s",
	    res(sys3(SYS_execve, BUSYBOX, one, envp)));
	char *env_big[] = { long_arg, 0 };
	char *alone[] = { "true", 0 };
	say("execve with an environment string of 131072 bytes: %s",
	    res(sys3(SYS_execve, BUSYBOX, alone, env_big)));
	free(fits);
	free(over);
	free(huge);
	free(long_arg);
}

/* Writes a script (or any file) of `len` bytes at `path`, with `mode`. */
static void put(const char *path, const char *text, size_t len, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	write(fd, text, len);
	close(fd);
	chmod(path, mode);
}

#define PUT(path, text) put((path), (text), sizeof(text) - 1, 0755)
#define TMP "/tmp/diff_exec."

/* Runs `path` with `argv` in a child, as uid and gid 1000 if `user`;
 * what execve said if it failed, and how the child ended. */
static void run_argv(const char *what, const char *path, char *const argv[], int user)
{
	say("%s:", what);
	pid_t pid = fork();

	if (pid == 0) {
		char *envp[] = { 0 };
		if (user && (sys3(SYS_setresgid, 1000, 1000, 1000) != 0 ||
			     sys3(SYS_setresuid, 1000, 1000, 1000) != 0))
			say("-> cannot become uid 1000");
		say("-> execve: %s", res(sys3(SYS_execve, path, argv, envp)));
		_exit(127);
	}
	say("-> %s", describe(reap(pid)));
}

/* Runs `path` with argv "zero", "A1", "A  2". */
static void run(const char *what, const char *path)
{
	char *argv[] = { "zero", "A1", "A  2", 0 };

	run_argv(what, path, argv, 0);
}

/* The #! line: the interpreter and one argument, blanks trimmed. */
static void lines(void)
{
	PUT(TMP "echo", "#!/bin/busybox echo\n");
	run("#!/bin/busybox echo", TMP "echo");
	PUT(TMP "blanks", "#! \t /bin/busybox\t \techo \t \n");
	run("#! \\t /bin/busybox\\t \\techo \\t: the same", TMP "blanks");
	PUT(TMP "onearg", "#!/bin/busybox echo  -n x\n");
	run("#!/bin/busybox echo  -n x: one argument, \"echo  -n x\"", TMP "onearg");
	PUT(TMP "relative", "#!bin/busybox echo\n");
	run("#!bin/busybox echo, run from /", TMP "relative");
	PUT(TMP "nonl", "#!/bin/busybox echo");
	run("#!/bin/busybox echo without a newline", TMP "nonl");

	char line[400];
	size_t head = strlen("#!/bin/busybox echo ");
	memcpy(line, "#!/bin/busybox echo ", head);
	memset(line + head, 'y', 300);
	line[head + 300] = '\n';
	put(TMP "long", line, head + 301, 0755);
	run("#!/bin/busybox echo and 300 bytes: the argument is cut at byte 255", TMP "long");
	line[255] = '\n';
	put(TMP "long", line, 256, 0755);
	run("the same with its newline at byte 255", TMP "long");
	line[2] = '/';
	memset(line + 3, 'b', 300);
	line[303] = '\n';
	put(TMP "longpath", line, 304, 0755);
	run("#!/bbb... of 301 bytes", TMP "longpath");
	memset(line + 2, ' ', 300);
	memcpy(line + 302, "/bin/busybox echo\n", 18);
	put(TMP "longblanks", line, 320, 0755);
	run("#!, 300 spaces, /bin/busybox echo", TMP "longblanks");
}

/* Interpreters that do not run. */
static void bad_interpreters(void)
{
	PUT(TMP "missing", "#!/nonexistent\n");
	run("#!/nonexistent", TMP "missing");
	PUT(TMP "empty", "#!\n");
	run("#!", TMP "empty");
	PUT(TMP "blank", "#! \t \n");
	run("#! \\t", TMP "blank");
	put(TMP "nul", "#!\0/bin/busybox echo\n", 21, 0755);
	run("#!, a NUL: the interpreter is \"\", the working directory", TMP "nul");
	PUT(TMP "dir", "#!/tmp\n");
	run("#!/tmp", TMP "dir");
	put(TMP "text", "hello\n", 6, 0644);
	PUT(TMP "noexec", "#!" TMP "text\n");
	run("an interpreter of mode 0644", TMP "noexec");
	chmod(TMP "text", 0755);
	run("an interpreter of mode 0755 that is neither ELF nor #!", TMP "noexec");
	put(TMP "plain", "#!/bin/busybox echo\n", 20, 0644);
	run("a script of mode 0644", TMP "plain");
	int fd = open(TMP "echo", O_WRONLY);
	run("a script open for writing", TMP "echo");
	close(fd);
}

/* Scripts run by scripts: a chain of five runs, six are ELOOP. */
static void chains(void)
{
	PUT(TMP "s1", "#!/bin/busybox echo\n");
	PUT(TMP "s2", "#!" TMP "s1\n");
	run("s2, whose interpreter s1 is #!/bin/busybox echo", TMP "s2");
	PUT(TMP "loop", "#!" TMP "loop\n");
	run("a script that is its own interpreter", TMP "loop");

	char name[32], text[64];
	for (int i = 0; i <= 5; i++) {
		snprintf(name, sizeof(name), TMP "c%d", i);
		if (i == 5)
			snprintf(text, sizeof(text), "#!/bin/busybox echo\n");
		else
			snprintf(text, sizeof(text), "#!" TMP "c%d\n", i + 1);
		put(name, text, strlen(text), 0755);
	}
	run("a chain of 5 scripts", TMP "c1");
	run("a chain of 6 scripts", TMP "c0");
	PUT(TMP "c5", "#!/nonexistent\n");
	run("a chain of 6 scripts whose last interpreter is missing", TMP "c0");
}

/* What the interpreter sees, in "show" mode: its argv, AT_EXECFN (the
 * script), its comm (the script's name) and its exe (itself); while it
 * runs, the script may be opened for writing but the interpreter not. */
static int show(int argc, char **argv)
{
	char text[256] = "";
	char c = 'r';

	for (int i = 0; i < argc; i++)
		say("  argv[%d] = \"%s\"", i, argv[i]);
	say("  AT_EXECFN = \"%s\"", (char *)getauxval(AT_EXECFN));
	int fd = open("/proc/self/comm", O_RDONLY);
	long n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n - 1 : 0] = 0;
	say("  comm = \"%s\"", text);
	n = readlink("/proc/self/exe", text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = 0;
	say("  exe = \"%s\"", text);
	if (write(10, &c, 1) == 1)
		while (read(11, &c, 1) > 0)
			;
	return 0;
}

static const char *open_res(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd >= 0)
		close(fd);
	return res(fd < 0 ? -errno : 0);
}

static void interpreter_view(void)
{
	char buf[4096];
	long n;
	int in = open("/proc/self/exe", O_RDONLY);
	int out = open(TMP "interp", O_WRONLY | O_CREAT | O_TRUNC, 0755);

	while ((n = read(in, buf, sizeof(buf))) > 0)
		write(out, buf, n);
	close(in);
	close(out);
	PUT(TMP "show", "#!" TMP "interp show\n");

	int ran[2], hold[2];
	pipe(ran);
	pipe(hold);
	say("a script whose interpreter is a copy of this program:");
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "zero", "A1", 0 };
		char *envp[] = { 0 };
		dup2(ran[1], 10);
		dup2(hold[0], 11);
		close(ran[0]);
		close(ran[1]);
		close(hold[0]);
		close(hold[1]);
		say("-> execve: %s", res(sys3(SYS_execve, TMP "show", argv, envp)));
		_exit(127);
	}
	close(ran[1]);
	close(hold[0]);
	char c;
	if (read(ran[0], &c, 1) == 1) {
		say("while it runs, open(the script, O_WRONLY): %s",
		    open_res(TMP "show", O_WRONLY));
		say("while it runs, open(the interpreter, O_WRONLY): %s",
		    open_res(TMP "interp", O_WRONLY));
	}
	close(hold[1]);
	say("-> %s", describe(reap(pid)));
	close(ran[0]);
}

/* execve needs execute permission, not read permission, on the script and
 * on a program: as uid 1000, scripts and a copy of this program (owned by
 * root) of mode 0711 run, of mode 0744 do not. */
static void as_user(void)
{
	char *argv[] = { "zero", "A1", 0 };
	char *ran[] = { "interp", "ran", 0 };

	put(TMP "user", "#!/bin/busybox echo\n", 20, 0711);
	run_argv("as uid 1000, a script of mode 0711", TMP "user", argv, 1);
	chmod(TMP "user", 0744);
	run_argv("as uid 1000, a script of mode 0744", TMP "user", argv, 1);
	chmod(TMP "interp", 0711);
	run_argv("as uid 1000, a program of mode 0711", TMP "interp", ran, 1);
	chmod(TMP "interp", 0744);
	run_argv("as uid 1000, a program of mode 0744", TMP "interp", ran, 1);
}

/* The room for argv counts what a script adds: its interpreter, argument
 * and name, less argv[0]. Under an 8 MiB stack limit, 17 arguments (15 of
 * 131071 bytes) leave 72 bytes for a script, which adds 32 (and, on noyau,
 * 2 pointers), or 10 bytes, which they overflow. */
static void script_sizes(void)
{
	struct rlimit stack = { 8 << 20, 8 << 20 };
	char *big = malloc(131072), *last = malloc(131072);
	char *argv[18] = { "zero" };
	char *envp[] = { 0 };

	setrlimit(RLIMIT_STACK, &stack);
	memset(big, 'x', 131071);
	big[131071] = 0;
	for (int i = 1; i <= 15; i++)
		argv[i] = big;
	argv[16] = last;
	argv[17] = 0;
	PUT(TMP "true", "#!/bin/busybox true\n");
	memset(last, 'y', 130839);
	last[130839] = 0;
	pid_t pid = fork();
	if (pid == 0) {
		say("-> execve: %s", res(sys3(SYS_execve, TMP "true", argv, envp)));
		_exit(127);
	}
	say("#!/bin/busybox true with 72 bytes to spare: %s", describe(reap(pid)));
	memset(last, 'y', 130901);
	last[130901] = 0;
	say("#!/bin/busybox true with 10 bytes to spare: %s",
	    res(sys3(SYS_execve, TMP "true", argv, envp)));
	free(big);
	free(last);
}

/* A program cut short, its segments running past the end of its file:
 * Linux maps them anyway, and its exec fails past the point of no return
 * (clearing the bss's first page faults), so the process dies with
 * SIGSEGV instead of execve returning ENOEXEC, which a shell would take
 * for a script. */
static void cut_program(void)
{
	static char head[2000];
	int fd = open(BUSYBOX, O_RDONLY);
	long n = read(fd, head, sizeof(head));
	close(fd);
	put(TMP "cut", head, n > 0 ? n : 0, 0755);
	char *argv[] = { TMP "cut", 0 };
	run_argv("the first 2000 bytes of busybox", TMP "cut", argv, 0);
	unlink(TMP "cut");
}

/* Many short arguments: 180000 of them need more room than an 8 MiB
 * stack gives (their pointers alone take 1.4 MiB of the 2 MiB), so the
 * list is E2BIG, however little each string holds. */
static void many_arguments(void)
{
	struct rlimit stack = { 8 << 20, 8 << 20 };
	enum { N = 180000 };
	char **argv = malloc((N + 1) * sizeof(char *));
	char *envp[] = { 0 };
	static char words[N][8];

	setrlimit(RLIMIT_STACK, &stack);
	for (int i = 0; i < N; i++) {
		snprintf(words[i], sizeof(words[i]), "%d", i);
		argv[i] = words[i];
	}
	argv[N] = 0;
	say("execve with 180000 short arguments: %s", res(sys3(SYS_execve, BUSYBOX, argv, envp)));
	free(argv);
}

/* What a program started by a set-id exec runs with: the ids, AT_SECURE,
 * and the lines of /proc/self/status that show them. */
static int ids(void)
{
	unsigned int r, e, sv, gr, ge, gs;
	char text[2048], *line;
	int fd = open("/proc/self/status", O_RDONLY);
	long n = read(fd, text, sizeof(text) - 1);

	close(fd);
	text[n > 0 ? n : 0] = 0;
	sys3(SYS_getresuid, &r, &e, &sv);
	sys3(SYS_getresgid, &gr, &ge, &gs);
	say("  uids %u %u %u, gids %u %u %u, fsuid %ld, fsgid %ld, AT_SECURE %lu", r, e, sv, gr,
	    ge, gs, sys1(SYS_setfsuid, -1), sys1(SYS_setfsgid, -1), getauxval(AT_SECURE));
	for (line = strtok(text, "\n"); line; line = strtok(0, "\n"))
		if (strncmp(line, "Uid:", 4) == 0 || strncmp(line, "Gid:", 4) == 0)
			say("  %s", line);
	/* A setuid program may drop to its real uid and take the saved one back. */
	if (e != r && sys3(SYS_setresuid, -1, r, -1) == 0)
		say("  euid to the real uid, then back to the saved: %s",
		    res(sys3(SYS_setresuid, -1, sv, -1)));
	return 0;
}

/* Set-user-ID and set-group-ID programs (fs/exec.c: bprm_fill_uid): run as
 * uid and gid 1000, a copy of this program owned by root and group 50 lends
 * its uid with S_ISUID, its gid with S_ISGID and group execute; a script's
 * bits count for nothing, its interpreter's do; a nosuid mount lends
 * nothing. Without set-id bits, root's exec keeps its ids. */
static void set_ids(void)
{
	char *argv[] = { "interp", "ids", 0 };
	char *script[] = { "setid", 0 };
	static const struct {
		const char *what;
		int mode;
	} modes[] = {
		{ "mode 0755", 0755 },
		{ "mode 04755 (setuid)", 04755 },
		{ "mode 02755 (setgid)", 02755 },
		{ "mode 02745 (setgid, no group execute)", 02745 },
		{ "mode 06755 (both)", 06755 },
		{ "mode 04754 (setuid, others may not run it)", 04754 },
	};

	chown(TMP "interp", 0, 50);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char what[96];
		chmod(TMP "interp", modes[i].mode);
		snprintf(what, sizeof(what), "as uid 1000, a program of %s", modes[i].what);
		run_argv(what, TMP "interp", argv, 1);
	}
	chmod(TMP "interp", 0755);
	run_argv("as root, a program of mode 0755", TMP "interp", argv, 0);

	PUT(TMP "setid", "#!" TMP "interp ids\n");
	chmod(TMP "setid", 06755);
	run_argv("as uid 1000, a script of mode 06755", TMP "setid", script, 1);
	chmod(TMP "setid", 0755);
	chmod(TMP "interp", 06755);
	run_argv("as uid 1000, a script whose interpreter has mode 06755", TMP "setid", script, 1);

	mkdir(TMP "mnt", 0755);
	long m = sys6(SYS_mount, (long)"none", (long)TMP "mnt", (long)"tmpfs", MS_NOSUID, 0, 0);
	say("mount(tmpfs, MS_NOSUID): %s", res(m));
	int in = open(TMP "interp", O_RDONLY);
	int out = open(TMP "mnt/interp", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[4096];
	long n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		write(out, buf, n);
	close(in);
	close(out);
	chown(TMP "mnt/interp", 0, 50);
	chmod(TMP "mnt/interp", 06755);
	run_argv("as uid 1000, a program of mode 06755 on a nosuid mount", TMP "mnt/interp", argv,
		 1);
	unlink(TMP "mnt/interp");
	sys2(SYS_umount2, (long)TMP "mnt", 0);
	rmdir(TMP "mnt");
}

static void scripts(void)
{
	if (access("/proc/self/exe", F_OK) != 0)
		sys6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	lines();
	bad_interpreters();
	chains();
	interpreter_view();
	as_user();
	set_ids();
	script_sizes();
	many_arguments();
	cut_program();
	const char *names[] = { "echo", "blanks", "onearg", "relative", "nonl", "long",
				"longpath", "longblanks", "missing", "empty", "blank", "nul",
				"dir", "text", "noexec", "plain", "s1", "s2", "loop", "c0",
				"c1", "c2", "c3", "c4", "c5", "interp", "show", "user", "true",
				"setid" };
	char path[64];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), TMP "%s", names[i]);
		unlink(path);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "show") == 0)
		return show(argc, argv);
	if (argc > 1 && strcmp(argv[1], "ids") == 0)
		return ids();
	if (argc > 1 && strcmp(argv[1], "ran") == 0) {
		say("  the program ran");
		return 0;
	}
	say("diff_exec: execve of busybox, arguments, environment and errors");
	runs();
	failures();
	sizes();
	scripts();
	return 0;
}
