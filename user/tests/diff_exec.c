/*
 * diff_exec: a differential test of execve (Linux: fs/exec.c): the argument
 * and environment strings reach the new program as given (Debian's
 * busybox-static, /bin/busybox on both sides, prints them with its echo and
 * env applets), its exit status comes back through wait4, and a failed
 * execve returns Linux's error to the caller, which goes on running.
 * Each child prints only while the parent waits for it, so the order of the
 * lines is fixed.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

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

int main(void)
{
	say("diff_exec: execve of busybox, arguments, environment and errors");
	runs();
	failures();
	sizes();
	return 0;
}
