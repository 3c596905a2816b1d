/*
 * diff_mmap: a differential test of a process's memory (Linux: mm/mmap.c,
 * mm/mprotect.c, mm/memory.c): mmap, munmap, mprotect and brk with Linux's
 * alignment and error rules, demand-zero pages, faults seen as SIGSEGV in a
 * child, and the copy a child gets at fork. MAP_FIXED is only ever used on
 * ranges this program mapped itself, so that it is safe on the host.
 */
#include <string.h>
#include <sys/mman.h>

#include "report.h"

#define PAGE 4096L
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif

static long map(long addr, long len, long prot, long flags)
{
	return sys6(SYS_mmap, addr, len, prot, flags, -1, 0);
}

static long unmap(long addr, long len)
{
	return sys2(SYS_munmap, addr, len);
}

static long protect(long addr, long len, long prot)
{
	return sys3(SYS_mprotect, addr, len, prot);
}

static int all(long addr, long len, char byte)
{
	const volatile char *p = (const char *)addr;

	for (long i = 0; i < len; i++) {
		if (p[i] != byte)
			return 0;
	}
	return 1;
}

static void mmap_errors(void)
{
	say("mmap of length 0: %s", res(map(0, 0, RW, PA)));
	say("mmap of length -1 (0 once page-aligned): %s", res(map(0, -1, RW, PA)));
	say("mmap of 128 TiB, more than user space: %s", res(map(0, 1L << 47, RW, PA)));
	say("mmap without MAP_PRIVATE or MAP_SHARED: %s", res(map(0, PAGE, RW, MAP_ANONYMOUS)));
	say("mmap with an offset that is not page-aligned: %s",
	    res(sys6(SYS_mmap, 0, PAGE, RW, PA, -1, 100)));
}

static void fixed(void)
{
	long a = map(0, 4 * PAGE, RW, PA);
	say("mmap of 4 pages: %s, page-aligned: %s", res(a), yesno(a % PAGE == 0));
	say("a new anonymous mapping reads as zeros: %s", yesno(all(a, 4 * PAGE, 0)));
	memset((char *)a, 0x5a, 4 * PAGE);
	say("it is writable: %s", yesno(all(a, 4 * PAGE, 0x5a)));

	say("MAP_FIXED at an address that is not page-aligned: %s",
	    res(map(a + 1, PAGE, RW, PA | MAP_FIXED)));
	say("MAP_FIXED_NOREPLACE over the mapping: %s",
	    res(map(a, PAGE, RW, PA | MAP_FIXED_NOREPLACE)));
	say("MAP_FIXED_NOREPLACE overlapping its last page: %s",
	    res(map(a + 3 * PAGE, 2 * PAGE, RW, PA | MAP_FIXED_NOREPLACE)));
	long f = map(a + PAGE, PAGE, RW, PA | MAP_FIXED);
	say("MAP_FIXED over its second page: %s, at the address asked: %s", res(f),
	    yesno(f == a + PAGE));
	say("that page reads as zeros again, its neighbours keep their bytes: %s",
	    yesno(all(a + PAGE, PAGE, 0) && all(a, PAGE, 0x5a) && all(a + 2 * PAGE, 2 * PAGE, 0x5a)));

	say("munmap at an address that is not page-aligned: %s", res(unmap(a + 1, PAGE)));
	say("munmap of length 0: %s", res(unmap(a, 0)));
	say("munmap of the 4 pages: %s", res(unmap(a, 4 * PAGE)));
	say("munmap of the same range again, a hole now: %s", res(unmap(a, 4 * PAGE)));
	say("a child reading the hole: %s", touch_in_child((char *)a, 0));
}

static void partial_unmap(void)
{
	long h = map(0, 2 * PAGE, RW, PA);
	memset((char *)h, 'A', 2 * PAGE);
	say("munmap of the second half of 2 pages: %s", res(unmap(h + PAGE, PAGE)));
	say("the first half keeps its bytes: %s", yesno(all(h, PAGE, 'A')));
	memset((char *)h, 'B', PAGE);
	say("the first half is still writable: %s", yesno(all(h, PAGE, 'B')));
	say("a child reading the second half: %s", touch_in_child((char *)h + PAGE, 0));
	long again = map(h + PAGE, PAGE, RW, PA | MAP_FIXED_NOREPLACE);
	say("MAP_FIXED_NOREPLACE on the freed half: %s, reads as zeros: %s", res(again),
	    yesno(again == h + PAGE && all(h + PAGE, PAGE, 0)));
	unmap(h, 2 * PAGE);

	long m = map(0, 3 * PAGE, RW, PA);
	memset((char *)m, 'C', 3 * PAGE);
	say("munmap of the middle of 3 pages: %s", res(unmap(m + PAGE, PAGE)));
	say("the first and last pages keep their bytes: %s",
	    yesno(all(m, PAGE, 'C') && all(m + 2 * PAGE, PAGE, 'C')));
	say("a child writing to the middle: %s", touch_in_child((char *)m + PAGE, 1));
	say("munmap across the hole and both pages: %s", res(unmap(m, 3 * PAGE)));
}

static void protection(void)
{
	long p = map(0, 2 * PAGE, RW, PA);
	*(volatile char *)p = 1;
	say("mprotect(PROT_READ) of the first of 2 pages: %s", res(protect(p, PAGE, PROT_READ)));
	say("the page still reads its byte: %s", yesno(*(volatile char *)p == 1));
	say("a child writing to it: %s", touch_in_child((char *)p, 1));
	say("a child writing to the second page: %s", touch_in_child((char *)p + PAGE, 1));
	say("the parent's byte after the child's attempt: %d", *(volatile char *)p);
	say("mprotect(PROT_READ | PROT_WRITE): %s", res(protect(p, PAGE, RW)));
	*(volatile char *)p = 2;
	say("then a write works: %s", yesno(*(volatile char *)p == 2));
	say("mprotect(PROT_NONE): %s", res(protect(p, PAGE, PROT_NONE)));
	say("a child reading it: %s", touch_in_child((char *)p, 0));

	say("mprotect at an address that is not page-aligned: %s",
	    res(protect(p + 1, PAGE, PROT_READ)));
	say("mprotect with an unknown bit (0x10): %s", res(protect(p, PAGE, 0x10)));
	/*
	 * x86's arch_validate_prot accepts PROT_SEM (it means nothing there).
	 */
	say("mprotect with PROT_SEM: %s", res(protect(p, PAGE, PROT_READ | PROT_SEM)));
	say("mprotect of length 0: %s", res(protect(p, 0, PROT_READ)));
	unmap(p, 2 * PAGE);
	say("mprotect of a hole: %s", res(protect(p, PAGE, PROT_READ)));

	long n = map(0, PAGE, PROT_NONE, PA);
	say("mmap(PROT_NONE): %s; a child reading it: %s", res(n), touch_in_child((char *)n, 0));
	unmap(n, PAGE);
	long r = map(0, PAGE, PROT_READ, PA);
	say("mmap(PROT_READ) reads as zeros: %s; a child writing to it: %s", yesno(all(r, PAGE, 0)),
	    touch_in_child((char *)r, 1));
	unmap(r, PAGE);
}

static void hints(void)
{
	long x = map(0, 2 * PAGE, RW, PA);
	unmap(x, 2 * PAGE);
	long y = map(x, 2 * PAGE, RW, PA);
	say("a free hint address is honoured: %s", yesno(y == x));
	long z = map(x, 2 * PAGE, RW, PA);
	say("a hint on a mapping gives another address: %s", yesno(z > 0 && z != x));
	unmap(y, 2 * PAGE);
	unmap(z, 2 * PAGE);
	long w = map(x + 100, PAGE, RW, PA);
	say("a free hint that is not page-aligned is rounded down: %s", yesno(w == x));
	unmap(w, PAGE);
}

static void heap(void)
{
	long cur = sys1(SYS_brk, 0);
	long grown = sys1(SYS_brk, cur + 3 * PAGE);
	say("brk(break + 3 pages) moves the break there: %s", yesno(grown == cur + 3 * PAGE));
	say("the new heap reads as zeros: %s", yesno(all(cur, 3 * PAGE, 0)));
	memset((char *)cur, 'H', 3 * PAGE);
	say("it is writable: %s", yesno(all(cur, 3 * PAGE, 'H')));
	say("brk(0) then gives the new break: %s", yesno(sys1(SYS_brk, 0) == grown));
	say("brk(old break) shrinks it back: %s", yesno(sys1(SYS_brk, cur) == cur));
	say("a child writing to the released heap: %s",
	    touch_in_child((char *)cur + 2 * PAGE, 1));
	say("brk(1), below the heap's start, leaves the break: %s", yesno(sys1(SYS_brk, 1) == cur));
	say("brk(128 TiB), beyond user space, leaves the break: %s",
	    yesno(sys1(SYS_brk, 1L << 47) == cur));

	long top = (cur + PAGE - 1) & ~(PAGE - 1);
	long in_the_way = map(top + 8 * PAGE, PAGE, RW, PA | MAP_FIXED_NOREPLACE);
	say("a mapping 8 pages above the break: %s", res(in_the_way));
	say("brk(break + 10 pages) over that mapping leaves the break: %s",
	    yesno(sys1(SYS_brk, cur + 10 * PAGE) == cur));
	unmap(in_the_way, PAGE);
	say("once it is gone, brk(break + 10 pages) works: %s",
	    yesno(sys1(SYS_brk, cur + 10 * PAGE) == cur + 10 * PAGE));
	sys1(SYS_brk, cur);
}

static int in_data = 1;
static int in_bss;

static void copy_on_fork(void)
{
	volatile int on_stack = 4;
	char *page = (char *)map(0, PAGE, RW, PA);

	in_data = 100;
	in_bss = 200;
	page[0] = 'p';
	on_stack = 400;
	pid_t pid = fork();
	if (pid == 0) {
		int code = 0;
		if (in_data != 100)
			code |= 1;
		if (in_bss != 200)
			code |= 2;
		if (page[0] != 'p')
			code |= 4;
		if (on_stack != 400)
			code |= 8;
		in_data = 101;
		in_bss = 201;
		page[0] = 'c';
		on_stack = 401;
		if (in_data != 101 || in_bss != 201 || page[0] != 'c' || on_stack != 401)
			code |= 16;
		sleep_ms(50);
		/* The parent wrote its copy meanwhile: the child still has its own. */
		if (in_data != 101 || page[0] != 'c')
			code |= 32;
		_exit(code);
	}
	in_data = 102;
	page[0] = 'q';
	int status = reap(pid);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
	say("after fork the child sees data, bss, an mmap page and the stack as they were: %s",
	    yesno(!(code & 15)));
	say("the child's writes stay in the child: %s", yesno(!(code & 48)));
	say("the parent sees none of the child's writes: %s",
	    yesno(in_data == 102 && in_bss == 200 && page[0] == 'q' && on_stack == 400));
	unmap((long)page, PAGE);
}

/*
 * After fork both processes may hold the same page, read-only until the
 * first write copies it: an mprotect that gives write access back must not
 * let a write reach the other process's copy.
 */
static void mprotect_after_fork(void)
{
	char *page = (char *)map(0, PAGE, RW, PA);

	page[0] = 'a';
	pid_t pid = fork();
	if (pid == 0) {
		protect((long)page, PAGE, RW);
		page[0] = 'c';
		_exit(page[0] == 'c' ? 0 : 1);
	}
	int status = reap(pid);
	say("a child's mprotect(PROT_READ | PROT_WRITE) and write: it exited 0: %s, "
	    "the parent still reads its own byte: %s",
	    yesno(WIFEXITED(status) && WEXITSTATUS(status) == 0), yesno(page[0] == 'a'));

	pid = fork();
	if (pid == 0) {
		sleep_ms(100);
		_exit(page[0] == 'a' ? 0 : 1);
	}
	protect((long)page, PAGE, RW);
	page[0] = 'p';
	status = reap(pid);
	say("the parent's mprotect(PROT_READ | PROT_WRITE) and write: the child still reads "
	    "its own byte: %s",
	    yesno(WIFEXITED(status) && WEXITSTATUS(status) == 0));

	/* The kernel's own writes to user memory copy a shared page too. */
	memset(page, 'k', PAGE);
	pid = fork();
	if (pid == 0)
		_exit(sys1(SYS_uname, page) == 0 && page[0] == 'L' ? 0 : 1);
	status = reap(pid);
	say("uname(2) into a page shared since fork, in the child: %s, the parent's copy "
	    "unchanged: %s",
	    describe(status), yesno(all((long)page, PAGE, 'k')));
	unmap((long)page, PAGE);
}

int main(void)
{
	say("diff_mmap: mmap, munmap, mprotect, brk and fork's copy");
	mmap_errors();
	fixed();
	partial_unmap();
	protection();
	hints();
	heap();
	copy_on_fork();
	mprotect_after_fork();
	return 0;
}
