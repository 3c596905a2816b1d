/*
 * diff_fork: a differential test of fork, vfork, _exit, exit_group and wait4
 * (Linux: kernel/fork.c, kernel/exit.c). A tree of children and a
 * grandchild; exit codes from 0 to 255 (and 298, which is 42); wait4 by pid,
 * with WNOHANG before and after, without children, with a NULL or a bad
 * status pointer; children killed by faults. Children never print: they
 * report through their exit codes, so the output does not depend on which
 * process the scheduler runs first.
 */
#include "report.h"

#define CHILDREN 3
#define WIDE 20
#define DEPTH 5

static pid_t parent;

/* The second child: forks a grandchild and passes its exit code on. */
static void child_with_grandchild(void)
{
	pid_t me = getpid();
	pid_t grandchild = fork();

	if (grandchild == 0)
		_exit(getppid() == me ? 256 + 42 : 1);
	int status = reap(grandchild);
	if (status == -1)
		_exit(2);
	if (!WIFEXITED(status))
		_exit(3);
	_exit(WEXITSTATUS(status));
}

/*
 * A chain of `depth` processes below the caller: each one forks the next
 * and exits with its child's code + 1; the last exits 0.
 */
static void chain(int depth)
{
	for (int level = depth; level > 0; level--) {
		pid_t pid = fork();
		if (pid == 0)
			continue;
		int status = reap(pid);
		_exit(status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) + 1 : 100);
	}
	_exit(0);
}

/* wait4's result in words: "its pid", "0", or an errno's name. */
static const char *returned(long r, pid_t pid)
{
	if (r == pid)
		return "its pid";
	if (r == 0)
		return "0";
	return r < 0 ? res(r) : "another pid";
}

static void without_children(void)
{
	int status = 0;

	say("wait4(-1) with no children: %s", res(sys4(SYS_wait4, -1, &status, 0, 0)));
	say("wait4(-1, WNOHANG) with no children: %s",
	    res(sys4(SYS_wait4, -1, &status, WNOHANG, 0)));
	say("wait4(getppid()), not a child: %s",
	    res(sys4(SYS_wait4, getppid(), &status, 0, 0)));
	say("wait4 with an unknown option bit (0x100): %s",
	    res(sys4(SYS_wait4, -1, &status, 0x100, 0)));
	/*
	 * -INT_MIN does not exist: Linux refuses it with ESRCH rather than
	 * negate it (kernel/exit.c, kernel_wait4).
	 */
	say("wait4(INT_MIN): %s", res(sys4(SYS_wait4, -2147483648L, &status, 0, 0)));
}

static void tree(void)
{
	static const char *const what[CHILDREN] = {
		"checks getppid() == parent's getpid()",
		"reaps a grandchild that exits 298",
		"sleeps 500 ms, exits 255",
	};
	pid_t kid[CHILDREN];
	int status = 0;

	kid[0] = fork();
	if (kid[0] == 0)
		_exit(getppid() == parent && getpid() != parent ? 0 : 1);
	kid[1] = fork();
	if (kid[1] == 0)
		child_with_grandchild();
	kid[2] = fork();
	if (kid[2] == 0) {
		sleep_ms(500);
		_exit(255);
	}
	int distinct = kid[0] != kid[1] && kid[1] != kid[2] && kid[0] != kid[2];
	int positive = kid[0] > 0 && kid[1] > 0 && kid[2] > 0;
	say("fork() gave 3 distinct positive pids, none the parent's: %s",
	    yesno(distinct && positive && kid[0] != parent && kid[1] != parent && kid[2] != parent));

	say("wait4(sleeping child, WNOHANG): %s",
	    returned(sys4(SYS_wait4, kid[2], &status, WNOHANG, 0), kid[2]));
	for (int i = 0; i < CHILDREN; i++) {
		status = 0;
		long r = sys4(SYS_wait4, kid[i], &status, 0, 0);
		say("child %d (%s): wait4 returned %s, %s", i + 1, what[i], returned(r, kid[i]),
		    describe(status));
	}
	say("wait4(-1, WNOHANG) after all were reaped: %s",
	    res(sys4(SYS_wait4, -1, &status, WNOHANG, 0)));
	say("wait4(kid 1) again: %s", res(sys4(SYS_wait4, kid[0], &status, 0, 0)));
}

static void zombies(void)
{
	int status = 0;

	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	long r;
	int polls = 0;
	do {
		r = sys4(SYS_wait4, pid, &status, WNOHANG, 0);
		if (r == 0)
			sleep_ms(10);
	} while (r == 0 && ++polls < 1000);
	say("wait4(child, WNOHANG) polled until it ended: %s, %s", returned(r, pid),
	    describe(status));

	pid = fork();
	if (pid == 0)
		_exit(3);
	say("wait4(child, NULL status): %s", returned(sys4(SYS_wait4, pid, 0, 0, 0), pid));

	pid = fork();
	if (pid == 0)
		_exit(4);
	say("wait4(child, status at address 8): %s", res(sys4(SYS_wait4, pid, 8, 0, 0)));
	say("then wait4(that child) again (it was reaped): %s",
	    res(sys4(SYS_wait4, pid, &status, 0, 0)));
}

static void wide_and_deep(void)
{
	int status = 0;
	int sum = 0, count = 0;

	for (int i = 0; i < WIDE; i++) {
		if (fork() == 0)
			_exit(i);
	}
	while (sys4(SYS_wait4, -1, &status, 0, 0) > 0) {
		count++;
		sum += WIFEXITED(status) ? WEXITSTATUS(status) : 1000;
	}
	say("%d children exiting 0..%d, reaped with wait4(-1): %d reaped, codes add up to %d",
	    WIDE, WIDE - 1, count, sum);

	pid_t pid = fork();
	if (pid == 0)
		chain(DEPTH);
	say("a chain of %d processes, each exiting with its child's code + 1: %s", DEPTH,
	    describe(reap(pid)));
}

static volatile int lent;

/*
 * vfork lends the child the parent's memory and keeps the parent waiting
 * until the child execs or exits: the child's writes are the parent's, and
 * the parent resumes only afterwards.
 */
static void vforks(void)
{
	lent = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		sleep_ms(50);
		lent = 1;
		_exit(0);
	}
	say("vfork: the parent resumes after the child's exit and sees its write: %s",
	    yesno(lent == 1));
	reap(pid);

	lent = 0;
	pid = vfork();
	if (pid == 0) {
		lent = 2;
		char *argv[] = { "true", NULL };
		char *envp[] = { NULL };
		execve("/bin/busybox", argv, envp);
		_exit(127);
	}
	say("vfork then execve: the parent saw the write before the exec: %s", yesno(lent == 2));
	say("the child: %s", describe(reap(pid)));
}

static void deaths(void)
{
	pid_t pid = fork();
	if (pid == 0)
		sys1(SYS_exit_group, 300);
	say("exit_group(300): %s", describe(reap(pid)));

	pid = vfork();
	if (pid == 0)
		_exit(9);
	say("vfork, then _exit(9) in the child: %s", describe(reap(pid)));
	vforks();

	pid = fork();
	if (pid == 0) {
		no_core_dump();
		*(volatile int *)0 = 1;
		_exit(0);
	}
	int status = reap(pid);
	say("a child writing to NULL: %s", describe(status));
	say("WIFSIGNALED: %s, WTERMSIG == SIGSEGV: %s, raw status %d", yesno(WIFSIGNALED(status)),
	    yesno(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV), status);

	pid = fork();
	if (pid == 0) {
		no_core_dump();
		__asm__ volatile("ud2");
		_exit(0);
	}
	say("a child running ud2: %s", describe(reap(pid)));

	pid = fork();
	if (pid == 0) {
		volatile int zero = 0;
		no_core_dump();
		_exit(10 / zero);
	}
	say("a child dividing by zero: %s", describe(reap(pid)));
}

int main(void)
{
	parent = getpid();
	say("diff_fork: fork, vfork, exit and wait4");
	without_children();
	tree();
	zombies();
	wide_and_deep();
	deaths();
	return 0;
}
