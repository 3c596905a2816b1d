/*
 * diff_pipe: a differential test of pipes (Linux: fs/pipe.c): a full pipe
 * holds 64 KiB; O_NONBLOCK ends make an empty read and a write to a full
 * pipe fail with EAGAIN, and fcntl can turn it on later; a write of up to
 * PIPE_BUF bytes goes in whole or not at all; a reader asleep on an empty
 * pipe wakes for a writer's data and for the last writer's close; a
 * writer asleep on a full pipe wakes with EPIPE when the last reader goes;
 * a signal interrupts a sleeping read with EINTR; ps sees sleepers as S.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

static char big[70000];

/* Write until the pipe is full (non-blocking); the bytes it took. */
static long fill(int fd)
{
	long total = 0, n;
	while ((n = write(fd, big, 4096)) > 0)
		total += n;
	while ((n = write(fd, big, 1)) > 0)
		total += n;
	return total;
}

static void nonblocking(void)
{
	int p[2];
	if (pipe2(p, O_NONBLOCK) < 0) {
		say("pipe2: %s", errname(errno));
		return;
	}
	char c;
	say("empty non-blocking read: %s", res(sys3(SYS_read, p[0], &c, 1)));
	say("a full pipe holds %ld bytes", fill(p[1]));
	say("write to a full pipe: %s", res(sys3(SYS_write, p[1], big, 1)));
	/*
	 * Make room for 4000 bytes: a 4096-byte write still does not fit.
	 * (Linux counts room in pages, noyau in bytes: smaller writes into
	 * such room would differ.)
	 */
	static char drain[4000];
	say("read 4000: %s", res(sys3(SYS_read, p[0], drain, sizeof drain)));
	say("write of 4096 (PIPE_BUF) into 4000 bytes of room: %s",
	    res(sys3(SYS_write, p[1], big, 4096)));
	close(p[0]);
	close(p[1]);

	if (pipe(p) < 0)
		return;
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	say("read after F_SETFL O_NONBLOCK: %s", res(sys3(SYS_read, p[0], &c, 1)));
	close(p[1]);
	say("read with no writer left: %s", res(sys3(SYS_read, p[0], &c, 1)));
	close(p[0]);
}

/* The state letter of `pid` in /proc/PID/stat, or '?' without /proc. */
static char state_of(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	long n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	char *close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' ? close_paren[2] : '?';
}

static void sleepers(void)
{
	int p[2];
	if (pipe(p) < 0)
		return;
	pid_t child = fork();
	if (child == 0) {
		close(p[1]);
		char buf[16];
		long a = read(p[0], buf, sizeof buf);
		long b = read(p[0], buf, sizeof buf);
		say("child: read %ld bytes, then %ld at the last close", a, b);
		_exit(0);
	}
	close(p[0]);
	sleep_ms(100);
	char st = state_of(child);
	say("a reader of an empty pipe sleeps: %s", yesno(st == 'S' || st == '?'));
	(void)!write(p[1], "hello", 5);
	sleep_ms(100);
	close(p[1]);
	say("child: %s", describe(reap(child)));

	if (pipe(p) < 0)
		return;
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	fill(p[1]);
	fcntl(p[1], F_SETFL, 0);
	child = fork();
	if (child == 0) {
		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		long r = sys3(SYS_write, p[1], big, 10);
		say("child: write to a full pipe once the reader is gone: %s", res(r));
		_exit(0);
	}
	close(p[1]);
	sleep_ms(100);
	st = state_of(child);
	say("a writer of a full pipe sleeps: %s", yesno(st == 'S' || st == '?'));
	close(p[0]);
	say("child: %s", describe(reap(child)));
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void interrupted(void)
{
	int p[2];
	if (pipe(p) < 0)
		return;
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	char c;
	say("a read interrupted by a handler without SA_RESTART: %s",
	    res(sys3(SYS_read, p[0], &c, 1)));
	signal(SIGALRM, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	nonblocking();
	sleepers();
	interrupted();
	return 0;
}
