/*
 * diff_textbusy: a differential test of ETXTBSY, "text file busy" (Linux:
 * fs/exec.c's denial of writers from execve until the address space goes,
 * fs/namei.c and fs/open.c's get_write_access). A copy of this program in
 * /tmp runs in a child: opening it for writing, truncating it, or opening
 * its /proc/PID/exe for writing is ETXTBSY, reading it is not; a forked
 * child of the program keeps it busy after the program's process exits;
 * once every process running it is gone, it opens for writing again. And
 * a file open for writing does not execute (ETXTBSY) until it is closed.
 * On noyau, where the runner mounts nothing, it mounts proc on /proc first.
 */
#include <fcntl.h>
#include <string.h>

#include "report.h"

#define COPY "/tmp/diff_textbusy.copy"

/* The copy's modes (argv[1]): "wait" tells fd 3 it runs, then waits for
 * the end of its standard input, keeping fd 3 open until it exits; "fork"
 * first forks a child that does that, and exits; "ran" says it ran. */
static int run_mode(const char *mode)
{
	char c = 'r';

	if (strcmp(mode, "ran") == 0) {
		say("  the program ran");
		return 0;
	}
	if (strcmp(mode, "fork") == 0 && fork() != 0)
		return 0;
	write(3, &c, 1);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

static int copy_self(void)
{
	char buf[4096];
	long n;
	int in = open("/proc/self/exe", O_RDONLY);
	int out = open(COPY, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		write(out, buf, n);
	close(in);
	close(out);
	return 0;
}

/* Starts the copy in `mode` in a child whose standard input is *input;
 * returns once it runs, with `*ready` the read end that sees EOF once no
 * process of the program holds fd 3 any more. */
static pid_t start(const char *mode, int *input, int *ready)
{
	int in[2], rd[2];
	char c;

	if (pipe(in) != 0 || pipe(rd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "diff_textbusy", (char *)mode, 0 };
		char *envp[] = { 0 };
		/* The pipes may hold fd 3 themselves: move rd[1] out of the way first. */
		int w = fcntl(rd[1], F_DUPFD, 10);
		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		close(rd[0]);
		close(rd[1]);
		dup2(w, 3);
		close(w);
		long r = sys3(SYS_execve, COPY, argv, envp);
		say("  execve of the copy failed: %s", res(r));
		_exit(127);
	}
	close(in[0]);
	close(rd[1]);
	read(rd[0], &c, 1);
	*input = in[1];
	*ready = rd[0];
	return pid;
}

static const char *open_res(const char *path, int flags)
{
	long fd = sys3(SYS_open, path, flags, 0644);

	if (fd >= 0)
		close(fd);
	return res(fd);
}

/* Whether the copy opens for writing within 2 s: an exit lets go of the
 * file when the address space goes, which on Linux another short-lived
 * holder of the address space (a /proc reader, khugepaged) may delay. */
static const char *writable_soon(void)
{
	for (int i = 0; i < 200; i++) {
		long fd = sys3(SYS_open, COPY, O_WRONLY, 0);
		if (fd >= 0) {
			close(fd);
			return "ok";
		}
		if (fd != -ETXTBSY)
			return res(fd);
		sleep_ms(10);
	}
	return "still ETXTBSY after 2 s";
}

static void while_running(void)
{
	int input, ready;
	char exe[64];

	pid_t pid = start("wait", &input, &ready);
	say("while a child runs the copy:");
	say("  open(O_WRONLY): %s", open_res(COPY, O_WRONLY));
	say("  open(O_RDWR): %s", open_res(COPY, O_RDWR));
	say("  open(O_RDONLY): %s", open_res(COPY, O_RDONLY));
	say("  open(O_RDONLY | O_TRUNC): %s", open_res(COPY, O_RDONLY | O_TRUNC));
	say("  open(O_WRONLY | O_CREAT | O_APPEND), as : >> does: %s",
	    open_res(COPY, O_WRONLY | O_CREAT | O_APPEND));
	say("  truncate(0): %s", res(sys2(SYS_truncate, COPY, 0)));
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	say("  open(/proc/PID/exe, O_WRONLY): %s", open_res(exe, O_WRONLY));
	say("  open(/proc/PID/exe, O_RDONLY): %s", open_res(exe, O_RDONLY));
	close(input);
	say("the child %s", describe(reap(pid)));
	close(ready);
	say("  then open(O_WRONLY): %s", writable_soon());
	long fd = sys3(SYS_open, COPY, O_RDONLY, 0);
	long size = sys3(SYS_lseek, fd, 0, SEEK_END);
	close(fd);
	say("  and truncate to its own size: %s", res(sys2(SYS_truncate, COPY, size)));
}

static void after_fork(void)
{
	int input, ready;
	char c;

	pid_t pid = start("fork", &input, &ready);
	say("the copy forked, and its first process %s", describe(reap(pid)));
	say("  while its forked child runs on, open(O_WRONLY): %s", open_res(COPY, O_WRONLY));
	close(input);
	while (read(ready, &c, 1) > 0)
		;
	close(ready);
	say("  once that child has exited, open(O_WRONLY): %s", writable_soon());
}

/* execve of the copy in a child; how it ended. */
static const char *exec_copy(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "diff_textbusy", "ran", 0 };
		char *envp[] = { 0 };
		say("  execve: %s", res(sys3(SYS_execve, COPY, argv, envp)));
		_exit(126);
	}
	return describe(reap(pid));
}

static void open_for_writing(void)
{
	long fd = sys3(SYS_open, COPY, O_WRONLY, 0);

	say("with the copy open for writing (%s):", res(fd));
	say("-> %s", exec_copy());
	close(fd);
	fd = sys3(SYS_open, COPY, O_RDONLY, 0);
	say("with it open for reading only (%s):", res(fd));
	say("-> %s", exec_copy());
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return run_mode(argv[1]);
	say("diff_textbusy: ETXTBSY for writers of a running program and exec of a written file");
	if (access("/proc/self/exe", F_OK) != 0)
		sys6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	if (copy_self() != 0) {
		say("cannot copy the program to %s", COPY);
		return 1;
	}
	while_running();
	after_fork();
	open_for_writing();
	say("unlink of the copy: %s", res(sys1(SYS_unlink, COPY)));
	return 0;
}
