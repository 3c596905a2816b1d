/*
 * diff_efault: a differential test of the kernel's user copies (Linux:
 * access_ok, copy_from_user/copy_to_user and their exception-table fixups).
 * Bad pointers of every kind (NULL, the kernel half, non-canonical, a hole
 * between two mappings, PROT_NONE, a read-only page written to, a range
 * running from a good page into a bad one) are passed to read, write,
 * stat, clock_gettime, uname, rt_sigaction, pipe2, readv and getcwd: each
 * must say EFAULT, never oops. Good pointers into pages not touched yet
 * (demand-zero, copy-on-write after fork) must work, and a write(2) from
 * a buffer that runs into a hole writes what Linux writes.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "report.h"

#define PAGE 4096L
#define SIG_USR1 10

/* Kernel-half addresses: the direct map and the kernel image. */
#define DIRECT_MAP 0xffff888000000000UL
#define KERNEL_TEXT 0xffffffff81000000UL
/* The first address past user space, and one past the canonical hole. */
#define TASK_END 0x7ffffffff000UL
#define NON_CANONICAL 0x0000800000000000UL

/*
 * Five pages: 0 written by the test, 1 never touched (a kernel write there
 * is the first touch), 2 unmapped (a hole between two mappings), 3
 * PROT_NONE, 4 read-only.
 */
static char *area;
#define TOUCHED (area)
#define UNTOUCHED (area + PAGE)
#define HOLE (area + 2 * PAGE)
#define NONE (area + 3 * PAGE)
#define RO (area + 4 * PAGE)

static void setup(void)
{
	area = mmap(0, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		say("mmap: failed");
		_exit(1);
	}
	memset(TOUCHED, 'a', PAGE);
	munmap(HOLE, PAGE);
	mprotect(NONE, PAGE, PROT_NONE);
	mprotect(RO, PAGE, PROT_READ);
}

/* A fresh pipe holding `text`; its read end in fds[0]. */
static void pipe_with(int fds[2], const char *text)
{
	sys2(SYS_pipe2, fds, 0);
	if (text)
		sys3(SYS_write, fds[1], text, strlen(text));
}

static void close_pair(int fds[2])
{
	sys1(SYS_close, fds[0]);
	sys1(SYS_close, fds[1]);
}

static void reads(int zero)
{
	static const struct {
		const char *what;
		unsigned long addr;
	} bad[] = {
		{ "NULL", 0 },
		{ "address 16", 16 },
		{ "the direct map", DIRECT_MAP },
		{ "kernel text", KERNEL_TEXT },
		{ "a non-canonical address", NON_CANONICAL },
		{ "a range past the end of user space", TASK_END - 8 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		say("read into %s: %s", bad[i].what, res(sys3(SYS_read, zero, bad[i].addr, 16)));
	say("read into a hole: %s", res(sys3(SYS_read, zero, HOLE, 16)));
	say("read into PROT_NONE: %s", res(sys3(SYS_read, zero, NONE, 16)));
	say("read into a read-only page: %s", res(sys3(SYS_read, zero, RO, 16)));
	say("read of 0 bytes into kernel space: %s", res(sys3(SYS_read, zero, DIRECT_MAP, 0)));

	/* The kernel's write is the page's first touch: demand-zero in a copy. */
	int fds[2];
	pipe_with(fds, "hello");
	long n = sys3(SYS_read, fds[0], UNTOUCHED + 100, 16);
	say("read into an untouched page: %ld, bytes arrived: %s", n,
	    yesno(n == 5 && !memcmp(UNTOUCHED + 100, "hello", 5) && UNTOUCHED[0] == 0));
	close_pair(fds);

	/* /dev/zero fills what it can up to the hole (Linux: read_iter_zero). */
	memset(HOLE - 8, 'x', 8);
	n = sys3(SYS_read, zero, HOLE - 8, 16);
	say("read of /dev/zero running into a hole: %s %ld", res(n), n < 0 ? 0 : n);
	say("read of /dev/zero running into a hole: the 8 bytes before it zeroed: %s",
	    yesno(!memcmp(HOLE - 8, "\0\0\0\0\0\0\0\0", 8)));
	pipe_with(fds, "0123456789abcdef");
	say("read of a pipe running into a hole: %s", res(sys3(SYS_read, fds[0], HOLE - 8, 16)));
	close_pair(fds);

	/* A file gives the bytes before the hole, and its offset moves by
	 * them alone (Linux: filemap_read's page-by-page copy). */
	int f = open("/tmp/diff_efault.file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(f, "0123456789abcdefghijklmnopqrstuv", 32);
	lseek(f, 0, SEEK_SET);
	n = sys3(SYS_read, f, HOLE - 10, 32);
	say("read of a file running into a hole: %s %ld, the bytes: %s, offset now %ld", res(n),
	    n < 0 ? 0 : n, yesno(!memcmp(HOLE - 10, "0123456789", 10)),
	    (long)lseek(f, 0, SEEK_CUR));
	say("pread of it into the hole itself: %s", res(sys4(SYS_pread64, f, HOLE, 8, 0)));
	close(f);
	unlink("/tmp/diff_efault.file");
}

/* write(2) into a fresh pipe from `buf`; the result and what the pipe holds. */
static void pipe_write(const char *what, const char *buf, long len)
{
	int fds[2];
	pipe_with(fds, 0);
	long n = sys3(SYS_write, fds[1], buf, len);
	/* With the write end closed, reads drain the pipe and then see its end. */
	sys1(SYS_close, fds[1]);
	long held = 0, got;
	static char sink[3 * PAGE];
	while ((got = sys3(SYS_read, fds[0], sink, sizeof(sink))) > 0)
		held += got;
	say("write to a pipe %s: %s %ld, the pipe holds %ld", what, res(n), n < 0 ? 0 : n, held);
	sys1(SYS_close, fds[0]);
}

static void writes(void)
{
	pipe_write("from NULL", 0, 10);
	pipe_write("from the direct map", (char *)DIRECT_MAP, 10);
	pipe_write("from a hole", HOLE, 10);
	pipe_write("from PROT_NONE", NONE, 10);
	pipe_write("from a read-only page", RO, 10);
	pipe_write("of 0 bytes from kernel space", (char *)DIRECT_MAP, 0);
	/* Linux's pipe_write fills whole pages and drops a short one. */
	pipe_write("of 200 bytes, 100 before a hole", HOLE - 100, 200);
	pipe_write("of two pages and more, from a page start into a hole", TOUCHED, 2 * PAGE + 100);
	pipe_write("of two pages, from inside a page into a hole", TOUCHED + 100, 2 * PAGE);
}

static void small_calls(void)
{
	say("stat into NULL: %s", res(sys2(SYS_stat, "/", 0)));
	say("stat of a NULL path: %s", res(sys2(SYS_stat, 0, TOUCHED)));
	say("stat of a path in kernel space: %s", res(sys2(SYS_stat, DIRECT_MAP, TOUCHED)));
	say("stat into a read-only page: %s", res(sys2(SYS_stat, "/", RO)));
	say("stat into a range running into a hole: %s", res(sys2(SYS_stat, "/", HOLE - 64)));
	say("stat into a good page: %s", res(sys2(SYS_stat, "/", UNTOUCHED + 1024)));
	memcpy(HOLE - 2, "/", 2);
	say("stat of a path ending just before a hole: %s", res(sys2(SYS_stat, HOLE - 2, TOUCHED)));
	memcpy(HOLE - 1, "/", 1);
	say("stat of a path running into a hole: %s", res(sys2(SYS_stat, HOLE - 1, TOUCHED)));

	say("clock_gettime into NULL: %s", res(sys2(SYS_clock_gettime, 1, 0)));
	say("clock_gettime into kernel space: %s", res(sys2(SYS_clock_gettime, 1, DIRECT_MAP)));
	say("clock_gettime into a read-only page: %s", res(sys2(SYS_clock_gettime, 1, RO)));
	say("clock_gettime into a range running into a hole: %s",
	    res(sys2(SYS_clock_gettime, 1, HOLE - 8)));
	say("nanosleep from PROT_NONE: %s", res(sys2(SYS_nanosleep, NONE, 0)));

	say("uname into a hole: %s", res(sys1(SYS_uname, HOLE)));
	say("uname into a range running into a hole: %s", res(sys1(SYS_uname, HOLE - 100)));
	say("uname into kernel text: %s", res(sys1(SYS_uname, KERNEL_TEXT)));

	say("rt_sigaction from a hole: %s", res(sys4(SYS_rt_sigaction, SIG_USR1, HOLE, 0, 8)));
	say("rt_sigaction from kernel space: %s",
	    res(sys4(SYS_rt_sigaction, SIG_USR1, DIRECT_MAP, 0, 8)));
	say("rt_sigaction old action into a read-only page: %s",
	    res(sys4(SYS_rt_sigaction, SIG_USR1, 0, RO, 8)));
	say("rt_sigaction old action into PROT_NONE: %s",
	    res(sys4(SYS_rt_sigaction, SIG_USR1, 0, NONE, 8)));

	long before = sys2(SYS_dup, 0, 0);
	sys1(SYS_close, before);
	say("pipe2 into NULL: %s", res(sys2(SYS_pipe2, 0, 0)));
	say("pipe2 into a read-only page: %s", res(sys2(SYS_pipe2, RO, 0)));
	say("pipe2 into the last 4 bytes before a hole: %s", res(sys2(SYS_pipe2, HOLE - 4, 0)));
	long after = sys2(SYS_dup, 0, 0);
	sys1(SYS_close, after);
	say("pipe2 failures leave no descriptor behind: %s", yesno(before == after));

	say("readv with its iovec array in a hole: %s", res(sys3(SYS_readv, 0, HOLE, 1)));
	struct iovec *iov = (struct iovec *)(HOLE - sizeof(struct iovec));
	iov->iov_base = TOUCHED;
	iov->iov_len = 1;
	say("writev with an iovec array running into a hole: %s", res(sys3(SYS_writev, 1, iov, 2)));
	say("getcwd into a hole: %s", res(sys2(SYS_getcwd, HOLE, 64)));
	say("getcwd into a read-only page: %s", res(sys2(SYS_getcwd, RO, 64)));
}

/* A kernel write into a page shared copy-on-write with a child. */
static void copy_on_write(void)
{
	int fds[2];
	memset(TOUCHED, 'a', PAGE);
	pipe_with(fds, "child");
	pid_t pid = fork();
	if (pid == 0) {
		long n = sys3(SYS_read, fds[0], TOUCHED, 5);
		_exit(n == 5 && !memcmp(TOUCHED, "child", 5) ? 0 : 1);
	}
	int status = reap(pid);
	say("a child's read into a copy-on-write page: %s", describe(status));
	say("the parent's copy is untouched: %s", yesno(TOUCHED[0] == 'a' && TOUCHED[4] == 'a'));
	close_pair(fds);
}

int main(void)
{
	say("diff_efault: bad user pointers give EFAULT");
	setup();
	int zero = sys2(SYS_open, "/dev/zero", 0);
	reads(zero);
	writes();
	small_calls();
	copy_on_write();
	say("diff_efault: done");
	return 0;
}
