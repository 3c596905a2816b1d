/* 1000 fork/exit/wait cycles, each child touching a few pages (stack,
 * heap, a copy-on-write write): afterwards the free memory sysinfo(2)
 * reports must be what it was, give or take the allocators' caches. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

static char data[3 * 4096] = { 1 };

static unsigned long free_bytes(void)
{
	struct sysinfo si;
	sysinfo(&si);
	return si.freeram * si.mem_unit;
}

int main(void)
{
	/* One round first, so that caches reach their working size. */
	for (int round = 0; round < 2; round++) {
		unsigned long before = free_bytes();
		int bad = 0;
		for (int i = 0; i < (round ? 1000 : 50); i++) {
			pid_t pid = fork();
			if (pid == 0) {
				data[i % sizeof(data)] = 2;
				char *p = mmap(0, 8192, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				if (p != MAP_FAILED)
					memset(p, 3, 8192);
				_exit(i & 0xff);
			}
			int status = 0;
			if (pid < 0 || wait4(pid, &status, 0, 0) != pid ||
			    WEXITSTATUS(status) != (i & 0xff))
				bad++;
		}
		long lost = (long)before - (long)free_bytes();
		if (round)
			say("1000 fork/exit cycles: %d bad statuses, %s KiB lost", bad,
			    lost > 256 * 1024 ? "more than 256" : "at most 256");
	}
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_POWER_OFF, 0);
	return 1;
}
