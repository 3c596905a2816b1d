/*
 * diff_mm2: a differential test of shared memory, madvise, mremap, stack
 * growth and fault codes (Linux: mm/shmem.c, mm/madvise.c, mm/mremap.c,
 * mm/mmap.c expand_stack, arch/x86/mm/fault.c). MAP_SHARED | MAP_ANONYMOUS
 * memory seen by parent and child both ways; madvise's advice and errors;
 * mremap growing, shrinking and moving, with its errors; the main stack
 * growing on demand to RLIMIT_STACK with a guard gap below it; and the
 * si_code of SIGSEGV and SIGBUS. The layouts mremap needs are carved with
 * MAP_FIXED out of an arena this program mapped itself, so it is safe on
 * the host. Children report through exit codes, or print while waited for.
 */
#include <string.h>
#include <sys/mman.h>

#include "report.h"

#define PAGE 4096L
#define MiB (1L << 20)
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)
#define SA (MAP_SHARED | MAP_ANONYMOUS)
#define TASK_SIZE 0x7ffffffff000L
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4
#define MOVE (MREMAP_MAYMOVE | MREMAP_FIXED)
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define MADV_DONTNEED_LOCKED 24
#define RLIMIT_STACK 3
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define ARENA 64

static long map(long addr, long len, long prot, long flags)
{
	return sys6(SYS_mmap, addr, len, prot, flags, -1, 0);
}

static long unmap(long addr, long len) { return sys2(SYS_munmap, addr, len); }
static long advise(long addr, long len, long advice)
{
	return sys3(SYS_madvise, addr, len, advice);
}

static long remap(long addr, long old_len, long new_len, long flags, long new_addr)
{
	return sys6(SYS_mremap, addr, old_len, new_len, flags, new_addr, 0);
}

static int at(long addr) { return *(volatile char *)addr; }
static void put(long addr, int byte) { *(volatile char *)addr = (char)byte; }

static int all(long addr, long len, int byte)
{
	for (long i = 0; i < len; i++)
		if (at(addr + i) != byte)
			return 0;
	return 1;
}

/* The arena: ARENA pages, PROT_NONE until carved. */
static long A;
static long P(int i) { return A + i * PAGE; }
static void reset(void) { map(A, ARENA * PAGE, PROT_NONE, PA | MAP_FIXED); }
static void carve(int i, int n, int byte)
{
	map(P(i), n * PAGE, RW, PA | MAP_FIXED);
	memset((void *)P(i), byte, n * PAGE);
}

static const char *reading(long addr) { return touch_in_child((char *)addr, 0); }
static const char *writing(long addr) { return touch_in_child((char *)addr, 1); }

/* How a child that faults with SA_SIGINFO handlers reports: the signal,
 * its si_code and whether si_addr is the address touched. */
static long fault_addr;
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	_exit((sig == SIGBUS ? 10 : 0) + si->si_code + ((long)si->si_addr == fault_addr ? 0 : 100));
}

static const char *fault_code(long addr, int how)
{
	static char text[80];
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa;
		no_core_dump();
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_fault;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, 0);
		sigaction(SIGBUS, &sa, 0);
		fault_addr = addr;
		if (how == 0)
			(void)at(addr);
		else if (how == 1)
			put(addr, 1);
		else
			((void (*)(void))addr)();
		_exit(0);
	}
	int status = reap(pid);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	const char *names[] = { "", "SIGSEGV SEGV_MAPERR", "SIGSEGV SEGV_ACCERR" };
	if (code == 0)
		return "no fault";
	if (code > 0 && code % 100 <= 2)
		snprintf(text, sizeof(text), "%s, si_addr right: %s", names[code % 100],
			 yesno(code < 100));
	else if (code > 0 && code % 100 == 12)
		snprintf(text, sizeof(text), "SIGBUS BUS_ADRERR, si_addr right: %s",
			 yesno(code < 100));
	else
		snprintf(text, sizeof(text), "%s", describe(status));
	return text;
}

/* A child's exit code, 0 for "all as expected", or how it ended. */
static const char *child_result(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "yes" : describe(status);
}

/* A child waits on a futex word in shared memory; the parent's FUTEX_WAKE
 * must reach it (Linux keys such a word by the memory, not the process). */
static void futex_across_fork(void)
{
	volatile int *word = (volatile int *)map(0, PAGE, RW, SA);
	pid_t pid = fork();

	if (pid == 0) {
		while (*word == 0)
			sys6(SYS_futex, (long)word, FUTEX_WAIT, 0, 0, 0, 0);
		_exit(0);
	}
	long woken = 0;
	for (int i = 0; i < 200 && woken != 1; i++) {
		sleep_ms(10);
		woken = sys6(SYS_futex, (long)word, FUTEX_WAKE, 1, 0, 0, 0);
	}
	*word = 1;
	sys6(SYS_futex, (long)word, FUTEX_WAKE, 1, 0, 0, 0);
	if (woken != 1)
		sys2(SYS_kill, pid, SIGKILL);
	say("a FUTEX_WAKE in the parent wakes the child waiting in shared memory: %s",
	    yesno(woken == 1));
	say("the child then sees the word change and exits: %s", child_result(reap(pid)));
	unmap((long)word, PAGE);
}

static void shared(void)
{
	long s = map(0, 3 * PAGE, RW, SA);
	say("mmap(MAP_SHARED | MAP_ANONYMOUS) of 3 pages: %s, reads as zeros: %s", res(s),
	    yesno(all(s, 3 * PAGE, 0)));
	put(s, 'p');
	pid_t pid = fork();
	if (pid == 0) {
		int code = at(s) == 'p' ? 0 : 1;
		put(s, 'c');
		put(s + 2 * PAGE, 'C');
		sleep_ms(50);
		if (at(s + 1) != 'P')
			code |= 2;
		_exit(code);
	}
	put(s + 1, 'P');
	int status = reap(pid);
	say("the child saw the parent's byte from before fork and from after: %s",
	    child_result(status));
	say("the parent sees the child's writes, on a page first touched in the child: %s",
	    yesno(at(s) == 'c' && at(s + 2 * PAGE) == 'C'));

	pid = fork();
	if (pid == 0)
		_exit(unmap(s, 3 * PAGE) == 0 ? 0 : 1);
	say("a child's munmap: %s; the parent still reads its byte: %s", child_result(reap(pid)),
	    yesno(at(s) == 'c'));

	pid = fork();
	if (pid == 0) {
		sleep_ms(100);
		put(s + PAGE, 'L');
		_exit(at(s) == 'q' && at(s + PAGE) == 'L' ? 0 : 1);
	}
	put(s, 'q');
	say("the parent's munmap: %s", res(unmap(s, 3 * PAGE)));
	say("the child, after it, still reads the parent's last write and writes: %s",
	    child_result(reap(pid)));

	long t = map(0, PAGE, RW, SA), p = map(0, PAGE, RW, PA);
	put(t, 1);
	put(p, 1);
	sys3(SYS_mprotect, t, PAGE, PROT_READ);
	pid = fork();
	if (pid == 0) {
		pid_t grandchild = fork();
		if (grandchild == 0) {
			sys3(SYS_mprotect, t, PAGE, RW);
			put(t, 3);
			put(p, 3);
			_exit(0);
		}
		_exit(reap(grandchild) == 0 ? 0 : 1);
	}
	int done = reap(pid);
	say("a grandchild's mprotect(PROT_READ | PROT_WRITE) and writes: %s; the parent sees "
	    "the shared byte: %s, not the private one: %s",
	    child_result(done), yesno(at(t) == 3), yesno(at(p) == 1));
	say("the parent's own mapping stayed read-only: a child writing: %s", writing(t));
	unmap(t, PAGE);
	unmap(p, PAGE);
	futex_across_fork();
	say("MAP_SHARED | MAP_GROWSDOWN: %s", res(map(0, PAGE, RW, SA | MAP_GROWSDOWN)));
	say("MAP_SHARED_VALIDATE with MAP_ANONYMOUS: %s",
	    res(map(0, PAGE, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS)));
}

static void madvice(void)
{
	reset();
	carve(0, 4, 7);
	unmap(P(4), 8 * PAGE);
	say("madvise with advice 7: %s, 26: %s, 999: %s", res(advise(P(0), PAGE, 7)),
	    res(advise(P(0), PAGE, 26)), res(advise(P(0), PAGE, 999)));
	say("madvise at an address that is not page-aligned: %s",
	    res(advise(P(0) + 1, PAGE, MADV_NORMAL)));
	say("madvise of length 0: %s, of length -1: %s", res(advise(P(0), 0, MADV_DONTNEED)),
	    res(advise(P(0), -1, MADV_DONTNEED)));
	say("madvise of a hole: %s; with unknown advice: %s", res(advise(P(8), PAGE, MADV_NORMAL)),
	    res(advise(P(8), PAGE, 999)));
	say("MADV_NORMAL: %s, RANDOM: %s, SEQUENTIAL: %s, WILLNEED: %s, DONTDUMP: %s, DODUMP: %s",
	    res(advise(P(0), PAGE, MADV_NORMAL)), res(advise(P(0), PAGE, MADV_RANDOM)),
	    res(advise(P(0), PAGE, MADV_SEQUENTIAL)), res(advise(P(0), PAGE, MADV_WILLNEED)),
	    res(advise(P(0), PAGE, MADV_DONTDUMP)), res(advise(P(0), PAGE, MADV_DODUMP)));
	say("MADV_COLD: %s, MADV_PAGEOUT: %s", res(advise(P(0), PAGE, MADV_COLD)),
	    res(advise(P(0), PAGE, MADV_PAGEOUT)));
	say("the hints kept the bytes: %s", yesno(all(P(0), 4 * PAGE, 7)));
	long r = advise(P(1), PAGE, MADV_DONTNEED);
	say("MADV_DONTNEED of the second page: %s; it reads as zeros: %s, the others keep "
	    "their bytes: %s",
	    res(r), yesno(all(P(1), PAGE, 0)), yesno(all(P(0), PAGE, 7) && all(P(2), PAGE, 7)));
	put(P(1), 9);
	say("it is writable again: %s", yesno(at(P(1)) == 9));
	r = advise(P(1), PAGE, MADV_DONTNEED_LOCKED);
	say("MADV_DONTNEED_LOCKED: %s, it reads as zeros: %s", res(r), yesno(all(P(1), PAGE, 0)));
	unmap(P(2), PAGE);
	r = advise(P(0), 4 * PAGE, MADV_DONTNEED);
	say("MADV_DONTNEED over a hole: %s; the pages around it were dropped: %s", res(r),
	    yesno(all(P(0), 2 * PAGE, 0) && all(P(3), PAGE, 0)));

	carve(0, 1, 5);
	pid_t pid = fork();
	if (pid == 0)
		_exit(advise(P(0), PAGE, MADV_DONTNEED) == 0 && at(P(0)) == 0 ? 0 : 1);
	say("a child's MADV_DONTNEED of a page shared since fork: it reads zeros: %s; the "
	    "parent keeps its byte: %s",
	    child_result(reap(pid)), yesno(at(P(0)) == 5));
	r = advise(P(0), PAGE, MADV_FREE);
	put(P(0), 6);
	say("MADV_FREE: %s; a write after it stays: %s", res(r), yesno(at(P(0)) == 6));

	long s = map(0, 2 * PAGE, RW, SA);
	memset((void *)s, 4, 2 * PAGE);
	r = advise(s, 2 * PAGE, MADV_DONTNEED);
	say("MADV_DONTNEED of shared memory: %s; the data is still there: %s", res(r),
	    yesno(all(s, 2 * PAGE, 4)));
	say("MADV_FREE of shared memory: %s, MADV_WIPEONFORK: %s", res(advise(s, PAGE, MADV_FREE)),
	    res(advise(s, PAGE, MADV_WIPEONFORK)));
	unmap(s, 2 * PAGE);

	carve(0, 3, 8);
	say("MADV_DONTFORK of the first page: %s", res(advise(P(0), PAGE, MADV_DONTFORK)));
	say("MADV_WIPEONFORK of the second: %s", res(advise(P(1), PAGE, MADV_WIPEONFORK)));
	say("a child reading the first: %s", reading(P(0)));
	pid = fork();
	if (pid == 0)
		_exit(all(P(1), PAGE, 0) && all(P(2), PAGE, 8) ? 0 : 1);
	say("a child reads zeros on the second, the third as it was: %s", child_result(reap(pid)));
	say("the parent keeps all three: %s", yesno(all(P(0), 3 * PAGE, 8)));
	advise(P(0), PAGE, MADV_DOFORK);
	advise(P(1), PAGE, MADV_KEEPONFORK);
	pid = fork();
	if (pid == 0)
		_exit(all(P(0), 3 * PAGE, 8) ? 0 : 1);
	say("after MADV_DOFORK and MADV_KEEPONFORK a child reads all three: %s",
	    child_result(reap(pid)));

	map(P(4), PAGE, PROT_READ, PA | MAP_FIXED);
	map(P(5), PAGE, PROT_NONE, PA | MAP_FIXED);
	say("MADV_POPULATE_READ: %s, MADV_POPULATE_WRITE: %s, of a read-only page: %s, "
	    "of PROT_NONE: %s, of a hole: %s",
	    res(advise(P(0), 3 * PAGE, MADV_POPULATE_READ)),
	    res(advise(P(0), 3 * PAGE, MADV_POPULATE_WRITE)),
	    res(advise(P(4), PAGE, MADV_POPULATE_WRITE)),
	    res(advise(P(5), PAGE, MADV_POPULATE_READ)),
	    res(advise(P(6), PAGE, MADV_POPULATE_READ)));
}

static void remap_errors(void)
{
	reset();
	carve(0, 2, 1);
	unmap(P(2), 8 * PAGE);
	say("mremap with flag 8: %s, MREMAP_FIXED alone: %s, MREMAP_DONTUNMAP alone: %s",
	    res(remap(P(0), PAGE, PAGE, 8, 0)), res(remap(P(0), PAGE, PAGE, MREMAP_FIXED, P(20))),
	    res(remap(P(0), PAGE, PAGE, MREMAP_DONTUNMAP, 0)));
	say("mremap at an address that is not page-aligned: %s, to one: %s",
	    res(remap(P(0) + 1, PAGE, 2 * PAGE, 0, 0)),
	    res(remap(P(0), PAGE, PAGE, MOVE, P(20) + 1)));
	say("mremap to length 0: %s, to more than user space: %s",
	    res(remap(P(0), PAGE, 0, 0, 0)), res(remap(P(0), PAGE, TASK_SIZE + PAGE, 0, 0)));
	say("MREMAP_DONTUNMAP with a new length: %s",
	    res(remap(P(0), PAGE, 2 * PAGE, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0)));
	say("MREMAP_FIXED onto the old range: %s, past the end of user space: %s",
	    res(remap(P(0), 2 * PAGE, 2 * PAGE, MOVE, P(1))),
	    res(remap(P(0), 2 * PAGE, 2 * PAGE, MOVE, TASK_SIZE - PAGE)));
	say("mremap of a hole: grow %s, shrink %s, same size %s, move %s",
	    res(remap(P(4), PAGE, 2 * PAGE, 0, 0)), res(remap(P(4), 2 * PAGE, PAGE, 0, 0)),
	    res(remap(P(4), PAGE, PAGE, 0, 0)), res(remap(P(4), PAGE, PAGE, MOVE, P(20))));
	say("growing a range that runs past its mapping: %s",
	    res(remap(P(0), 3 * PAGE, 4 * PAGE, MREMAP_MAYMOVE, 0)));
	say("an old length of 0 on private memory: %s",
	    res(remap(P(0), 0, PAGE, MREMAP_MAYMOVE, 0)));
	say("an old length past user space: %s", res(remap(P(0), TASK_SIZE + PAGE, PAGE, 0, 0)));
}

static void remap_private(void)
{
	reset();
	carve(0, 2, 1);
	unmap(P(2), 4 * PAGE);
	long r = remap(P(0), 2 * PAGE, 4 * PAGE, 0, 0);
	say("growing 2 pages to 4 in place: %s, same address: %s, bytes kept: %s, new pages "
	    "zero: %s",
	    res(r), yesno(r == P(0)), yesno(all(P(0), 2 * PAGE, 1)), yesno(all(P(2), 2 * PAGE, 0)));
	r = remap(P(0), 4 * PAGE, 6 * PAGE, 0, 0);
	say("to 6, exactly up to the next mapping: %s", res(r));
	say("to 7 without MREMAP_MAYMOVE: %s", res(remap(P(0), 6 * PAGE, 7 * PAGE, 0, 0)));
	r = remap(P(0), 6 * PAGE, 3 * PAGE, 0, 0);
	say("shrinking to 3: %s, same address: %s; a child reading the 4th page: %s", res(r),
	    yesno(r == P(0)), reading(P(3)));
	carve(3, 3, 2);
	r = remap(P(0), 3 * PAGE, 8 * PAGE, MREMAP_MAYMOVE, 0);
	say("growing to 8 with MREMAP_MAYMOVE: %s, moved: %s, bytes kept: %s, new pages zero: %s",
	    res(r), yesno(r != P(0)), yesno(all(r, 2 * PAGE, 1)),
	    yesno(all(r + 3 * PAGE, PAGE, 0)));
	say("the old address: a child reading it: %s; the next mapping keeps its bytes: %s",
	    reading(P(0)), yesno(all(P(3), 3 * PAGE, 2)));
	long f = remap(r, 8 * PAGE, 8 * PAGE, MOVE, P(32));
	say("MREMAP_FIXED to a chosen address: %s, there: %s, bytes kept: %s", res(f),
	    yesno(f == P(32)), yesno(all(P(32), 2 * PAGE, 1)));
	f = remap(P(32), 2 * PAGE, 3 * PAGE, MOVE, P(3));
	say("MREMAP_FIXED over another mapping, growing: %s, there: %s, bytes: %s, the "
	    "replaced page reads zeros: %s",
	    res(f), yesno(f == P(3)), yesno(all(P(3), 2 * PAGE, 1)), yesno(all(P(5), PAGE, 0)));
	f = remap(P(3), 3 * PAGE, PAGE, MOVE, P(10));
	say("MREMAP_FIXED shrinking: %s; a child reading the old range: %s", res(f), reading(P(4)));

	carve(16, 2, 6);
	long d = remap(P(16), 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	say("MREMAP_DONTUNMAP: %s, moved: %s, bytes kept: %s; the old range reads zeros: %s",
	    res(d), yesno(d != P(16)), yesno(all(d, 2 * PAGE, 6)), yesno(all(P(16), 2 * PAGE, 0)));
	unmap(d, 2 * PAGE);

	map(P(20), PAGE, PROT_READ, PA | MAP_FIXED);
	f = remap(P(20), PAGE, PAGE, MOVE, P(21));
	say("a read-only page moved: %s; a child writing to it: %s", res(f), writing(P(21)));

	carve(24, 4, 3);
	f = remap(P(25), PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0);
	say("moving the middle of a mapping: %s, bytes kept: %s; its neighbours keep theirs: %s; "
	    "a child reading the hole: %s",
	    res(f), yesno(all(f, PAGE, 3)), yesno(all(P(24), PAGE, 3) && all(P(26), 2 * PAGE, 3)),
	    reading(P(25)));
	unmap(f, 2 * PAGE);

	reset();
	carve(0, 2, 4);
	carve(2, 2, 4);
	unmap(P(4), 4 * PAGE);
	say("two mappings made one after the other grow as one: %s",
	    res(remap(P(0), 4 * PAGE, 5 * PAGE, 0, 0)));
	sys3(SYS_mprotect, P(1), PAGE, PROT_READ);
	sys3(SYS_mprotect, P(1), PAGE, RW);
	say("after mprotect of a page there and back: %s",
	    res(remap(P(0), 5 * PAGE, 6 * PAGE, 0, 0)));

	pid_t pid = fork();
	if (pid == 0) {
		sleep_ms(100);
		_exit(all(P(0), 2 * PAGE, 4) ? 0 : 1);
	}
	f = remap(P(0), 6 * PAGE, 6 * PAGE, MOVE, P(40));
	memset((void *)P(40), 9, 2 * PAGE);
	say("pages shared with a child since fork, moved and written by the parent: %s; the "
	    "child still reads its own: %s",
	    res(f), child_result(reap(pid)));
}

static void remap_shared(void)
{
	reset();
	long s = map(P(0), 2 * PAGE, RW, SA | MAP_FIXED);
	memset((void *)s, 8, 2 * PAGE);
	long alias = remap(s, 0, 2 * PAGE, MREMAP_MAYMOVE, 0);
	unmap(P(2), 4 * PAGE);
	say("an old length of 0 on shared memory, MREMAP_MAYMOVE: %s, a new address: %s",
	    res(alias), yesno(alias != s));
	put(alias, 42);
	put(s + PAGE, 43);
	say("each mapping sees the other's writes: %s",
	    yesno(at(s) == 42 && at(alias + PAGE) == 43));
	say("without MREMAP_MAYMOVE: %s", res(remap(s, 0, 2 * PAGE, 0, 0)));
	long g = remap(s, 2 * PAGE, 4 * PAGE, 0, 0);
	say("growing it in place past the object's 2 pages: %s", res(g));
	say("a child reading the 3rd page: %s", reading(s + 2 * PAGE));
	say("with a handler: %s", fault_code(s + 3 * PAGE, 1));
	long m = remap(s, 2 * PAGE, 2 * PAGE, MOVE, P(40));
	pid_t pid = fork();
	if (pid == 0) {
		put(m, 50);
		_exit(0);
	}
	reap(pid);
	say("moved: %s; the alias and the moved mapping still share, with a child too: %s", res(m),
	    yesno(at(alias) == 50 && at(m + PAGE) == 43));
	unmap(alias, 2 * PAGE);

	long t = map(0, PAGE, RW, SA);
	put(t, 5);
	long d = remap(t, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	put(d, 6);
	say("MREMAP_DONTUNMAP of shared memory: %s; the old range still maps it: %s", res(d),
	    yesno(d != t && at(t) == 6));
	unmap(t, PAGE);
	unmap(d, PAGE);
}

static int recurse(int kib)
{
	volatile char frame[1024];

	frame[0] = (char)kib;
	frame[sizeof(frame) - 1] = 1;
	return kib > 0 ? recurse(kib - 1) + frame[0] : frame[sizeof(frame) - 1];
}

/* RLIMIT_STACK at Linux's default, whatever the host's shell set. */
static void default_stack_limit(void)
{
	long lim[2] = { 8 * MiB, -1 };
	long old[2];

	if (sys4(SYS_prlimit64, 0, RLIMIT_STACK, 0, old) == 0 && (unsigned long)old[1] < 8 * MiB)
		lim[1] = old[1];
	sys4(SYS_prlimit64, 0, RLIMIT_STACK, lim, 0);
}

static const char *recursion(int kib)
{
	pid_t pid = fork();

	if (pid == 0) {
		no_core_dump();
		default_stack_limit();
		_exit(recurse(kib) == 0 ? 2 : 0);
	}
	return describe(reap(pid));
}

static long stack_page(void)
{
	volatile char here;

	return (long)&here & ~(PAGE - 1);
}

static void stack(void)
{
	say("a recursion touching 4 MiB of stack: %s", recursion(4096));
	say("one touching 7 MiB, near RLIMIT_STACK: %s", recursion(7 * 1024));
	say("one touching 9 MiB, past it: %s", recursion(9 * 1024));
	pid_t small = fork();
	if (small == 0) {
		long lim[2] = { 2 * MiB, -1 };
		long old[2];

		no_core_dump();
		sys4(SYS_prlimit64, 0, RLIMIT_STACK, 0, old);
		lim[1] = old[1];
		sys4(SYS_prlimit64, 0, RLIMIT_STACK, lim, 0);
		_exit(recurse(3 * 1024) == 0 ? 2 : 0);
	}
	say("with RLIMIT_STACK lowered to 2 MiB, one touching 3 MiB: %s", describe(reap(small)));
	default_stack_limit();
	long sp = stack_page();
	say("a write 7.5 MiB below the stack pointer: %s", fault_code(sp - 15 * MiB / 2, 1));
	say("one 8.5 MiB below it: %s", fault_code(sp - 17 * MiB / 2, 1));

	pid_t pid = fork();
	if (pid == 0) {
		long h = sp - 4 * MiB;
		say("in a child, an mmap hint 4 MiB below the stack is honoured: %s",
		    yesno(map(h, PAGE, RW, PA) == h));
		say("  a write 2 MiB below the stack pointer: %s", fault_code(sp - 2 * MiB, 1));
		say("  one in the guard gap, 512 KiB above that mapping: %s",
		    fault_code(h + PAGE + MiB / 2, 1));
		say("  one just past the gap: %s", fault_code(h + PAGE + MiB, 1));
		sys3(SYS_mprotect, h, PAGE, PROT_NONE);
		say("  once the mapping is PROT_NONE, the one in the gap: %s",
		    fault_code(h + PAGE + MiB / 2, 1));
		_exit(0);
	}
	reap(pid);
	pid = fork();
	if (pid == 0) {
		long bottom = sp - 2 * MiB;
		put(bottom, 1);
		long near = map(bottom - MiB / 2, PAGE, RW, PA);
		say("in a child whose stack reached 2 MiB down, an mmap hint 512 KiB below it is "
		    "honoured: %s",
		    yesno(near == bottom - MiB / 2));
		long far = map(bottom - MiB - PAGE, PAGE, RW, PA);
		say("  one 1 MiB and a page below it: %s", yesno(far == bottom - MiB - PAGE));
		_exit(0);
	}
	reap(pid);

	reset();
	long g = map(P(8), PAGE, RW, PA | MAP_FIXED | MAP_GROWSDOWN);
	unmap(P(4), 4 * PAGE);
	say("MAP_GROWSDOWN: %s; a write 3 pages below it: %s", res(g), fault_code(P(5), 1));
}

static void heap_gap(void)
{
	long cur = sys1(SYS_brk, 0);
	long top = (cur + PAGE - 1) & ~(PAGE - 1);
	long m = map(top + 8 * PAGE, PAGE, RW, PA | MAP_FIXED_NOREPLACE);
	long below = sys1(SYS_brk, top + 7 * PAGE);
	say("brk to a page below a mapping: %s", yesno(below == top + 7 * PAGE));
	say("brk right up to it: %s", yesno(sys1(SYS_brk, top + 8 * PAGE) == top + 8 * PAGE));
	sys1(SYS_brk, cur);
	unmap(m, PAGE);
}

/* A mapping much larger than memory costs only what is touched. */
static void sparse(void)
{
	long len = 1L << 40;
	long big = map(0, len, RW, PA | MAP_NORESERVE);
	say("a 1 TiB mapping: %s", res(big));
	put(big, 1);
	put(big + len - PAGE, 2);
	pid_t pid = fork();
	if (pid == 0)
		_exit(at(big) == 1 && at(big + len - PAGE) == 2 ? 0 : 1);
	say("touched at both ends, a child reads both: %s", child_result(reap(pid)));
	say("mprotect(PROT_READ) of all of it: %s", res(sys3(SYS_mprotect, big, len, PROT_READ)));
	long m = remap(big, len, len + PAGE, MREMAP_MAYMOVE, 0);
	say("mremap one page larger: %s, both ends kept: %s", res(m),
	    yesno(at(m) == 1 && at(m + len - PAGE) == 2));
	long r = advise(m, len, MADV_DONTNEED);
	say("MADV_DONTNEED of all of it: %s, both ends zero: %s", res(r),
	    yesno(at(m) == 0 && at(m + len - PAGE) == 0));
	say("munmap: %s", res(unmap(m, len + PAGE)));
}

static void fault_codes(void)
{
	reset();
	map(P(1), PAGE, PROT_READ, PA | MAP_FIXED);
	carve(2, 1, 0xc3);
	unmap(P(3), PAGE);
	say("reading a hole: %s", fault_code(P(3), 0));
	say("writing a read-only page: %s", fault_code(P(1), 1));
	say("reading PROT_NONE: %s", fault_code(P(0), 0));
	say("running a page without PROT_EXEC: %s", fault_code(P(2), 2));
	say("writing the program's text: %s", fault_code((long)fault_code, 1));
	say("reading a kernel address: %s", fault_code(0xffffffff80000000L, 0));
}

int main(void)
{
	say("diff_mm2: shared memory, madvise, mremap, stack growth, fault codes");
	A = map(0, ARENA * PAGE, PROT_NONE, PA);
	shared();
	madvice();
	remap_errors();
	remap_private();
	remap_shared();
	stack();
	heap_gap();
	sparse();
	fault_codes();
	unmap(A, ARENA * PAGE);
	return 0;
}
