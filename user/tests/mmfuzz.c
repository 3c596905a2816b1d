/* 400 children each make 200 memory calls with arguments drawn from a
 * fixed seed: mmap, munmap, mprotect, mremap, madvise and brk with
 * aligned, unaligned, huge and kernel addresses and lengths, unknown flags
 * and advice, forks whose child writes somewhere, and writes of their own.
 * Many children unmap or overwrite their own stack or code and die of it,
 * or run on from garbage: only init reports. The kernel must answer every
 * call with a value or a signal, never an oops, and get the memory back.
 * Never run it on the host. */
#include <sys/mman.h>
#include <sys/sysinfo.h>

#include "report.h"

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc
#define PAGE 4096L
#define ROUNDS 400
#define CALLS 200

static unsigned long long state = 88172645463325252ULL;

/* xorshift64: the same draws on every run. */
static unsigned long draw(unsigned long n)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state % n;
}

static long address(long base)
{
	volatile char here;

	switch (draw(7)) {
	case 0:
		return 0;
	case 1:
		return base + (long)draw(64 * PAGE);
	case 2:
		return -1L ^ (long)draw(4096);
	case 3:
		return 0x7ffffffff000L - (long)draw(16) * PAGE;
	case 4:
		return (long)(state & 0x7fffffffffffL) & ~(PAGE - 1);
	case 5:
		return ((long)&here & ~(PAGE - 1)) - (long)draw(4096) * PAGE;
	default:
		return base + (long)draw(64) * PAGE;
	}
}

static long length(void)
{
	switch (draw(6)) {
	case 0:
		return 0;
	case 1:
		return (long)draw(16 * PAGE);
	case 2:
		return -1L ^ (long)draw(8192);
	case 3:
		return 1L << draw(64);
	case 4:
		return 0x7ffffffff000L;
	default:
		return (1 + (long)draw(8)) * PAGE;
	}
}

static void one_call(long base)
{
	long a = address(base), len = length(), b = address(base), len2 = length();
	long flags;

	switch (draw(9)) {
	case 0:
		/* Not MAP_FIXED over page 0 with everything: the child would
		 * run zeros across all of user space. */
		if (a < 0x10000)
			a = base;
		flags = (long)draw(0x200) | (draw(2) ? MAP_ANONYMOUS : 0);
		if (draw(3) == 0)
			flags |= MAP_GROWSDOWN;
		sys6(SYS_mmap, a, len, draw(16), flags, -1, 0);
		break;
	case 1:
		sys2(SYS_munmap, a, len);
		break;
	case 2:
		sys3(SYS_mprotect, a, len, draw(8));
		break;
	case 3:
		sys6(SYS_mremap, a, len, len2, draw(8), b, 0);
		break;
	case 4:
		sys3(SYS_madvise, a, len, draw(26));
		break;
	case 5: {
		pid_t pid = fork();
		if (pid == 0) {
			*(volatile char *)address(base) = 1;
			_exit(0);
		}
		if (pid > 0)
			reap(pid);
		break;
	}
	case 6:
		sys1(SYS_brk, sys1(SYS_brk, 0) + ((long)draw(64) - 32) * PAGE);
		break;
	case 7:
		sys3(SYS_write, 1, a, draw(3) ? 0 : 1);
		break;
	default:
		if (sys3(SYS_mprotect, a & ~(PAGE - 1), PAGE, PROT_READ | PROT_WRITE) == 0)
			*(volatile char *)a = 1;
		break;
	}
}

static unsigned long free_bytes(void)
{
	struct sysinfo si;

	sysinfo(&si);
	return si.freeram * si.mem_unit;
}

int main(void)
{
	unsigned long before = 0;
	int killed = 0;

	for (int round = 0; round < ROUNDS; round++) {
		/* The first rounds bring the allocators' caches to size. */
		if (round == 20)
			before = free_bytes();
		state += round * 7919;
		pid_t pid = fork();
		if (pid == 0) {
			no_core_dump();
			long base = sys6(SYS_mmap, 0, 64 * PAGE, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			for (int i = 0; i < CALLS; i++)
				one_call(base);
			_exit(0);
		}
		int status = reap(pid);
		if (status == -1 || !WIFEXITED(status))
			killed++;
	}
	/* A child whose stack was replaced may have come out of the loop. */
	if (getpid() != 1)
		_exit(0);
	/* Orphaned grandchildren are init's to reap. */
	while (sys4(SYS_wait4, -1, 0, 0, 0) > 0)
		;
	long lost = (long)before - (long)free_bytes();
	say("mmfuzz: %d rounds, %d children killed by a signal, %s KiB lost", ROUNDS, killed,
	    lost > 1024 * 1024 ? "more than 1024" : "at most 1024");
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF,
		0);
	return 1;
}
