/* 300 rounds of MAP_SHARED memory shared with a child, mremap moves and
 * growths, madvise(MADV_DONTNEED) and a child's stack grown by 1 MiB:
 * afterwards the free memory sysinfo(2) reports must be what it was, give
 * or take the allocators' caches. Shared pages are freed when the last
 * mapping goes, whichever process unmaps last. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>

#include "report.h"

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc
#define PAGE 4096L
#define RW (PROT_READ | PROT_WRITE)

static unsigned long free_bytes(void)
{
	struct sysinfo si;

	sysinfo(&si);
	return si.freeram * si.mem_unit;
}

static int deep(int kib)
{
	volatile char frame[1024];

	frame[0] = (char)kib;
	return kib > 0 ? deep(kib - 1) + frame[0] : 0;
}

/* One round; 0 when every call did what it should. */
static int round_trip(int i)
{
	char *s = mmap(0, 4 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *p = mmap(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *t = mmap(0, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (s == MAP_FAILED || p == MAP_FAILED || t == MAP_FAILED)
		return 1;
	t[0] = 1;
	memset(s, 1, 2 * PAGE);
	memset(p, 1, 4 * PAGE);
	pid_t pid = fork();
	if (pid == 0) {
		memset(s + 2 * PAGE, 2, 2 * PAGE);
		p[0] = 2;
		char *q = mremap(p, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
		if (q == MAP_FAILED)
			_exit(1);
		memset(q, 3, 8 * PAGE);
		deep(1024);
		/* Odd rounds: the child unmaps the shared pages last. */
		if (i & 1)
			sleep_ms(1);
		_exit(0);
	}
	int bad = 0;
	/* Moved over `t`, which it replaces. */
	char *moved = mremap(s, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	if (moved != t)
		bad = 1;
	else
		s = moved;
	if (madvise(p, 2 * PAGE, MADV_DONTNEED) != 0)
		bad = 1;
	if (!(i & 1))
		sleep_ms(1);
	munmap(s, 4 * PAGE);
	int status = reap(pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bad = 1;
	munmap(p, 4 * PAGE);
	return bad;
}

int main(void)
{
	/* One short round first, so that caches reach their working size. */
	for (int round = 0; round < 2; round++) {
		unsigned long before = free_bytes();
		int bad = 0;
		for (int i = 0; i < (round ? 300 : 20); i++)
			bad += round_trip(i);
		long lost = (long)before - (long)free_bytes();
		if (round)
			say("300 rounds of shared memory, mremap, madvise and stack growth: "
			    "%d bad, %s KiB lost",
			    bad, lost > 256 * 1024 ? "more than 256" : "at most 256");
	}
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF,
		0);
	return 1;
}
