/* execve while memory is fragmented: this program takes nearly all free
 * memory page by page (MADV_POPULATE_WRITE until ENOMEM), gives every
 * other page back, so that half of it is free but hardly two free pages
 * are neighbours, and then has a child, forked before, exec busybox. A
 * program's image must not need a physically contiguous block (on Linux
 * it comes from the page cache; noyau copies it into vmalloc memory):
 * the child runs, and nothing in the kernel fails. */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

/* Linux 5.14; musl's headers may not name it yet. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE 4096L
#define SPAN (1L << 30)

int main(void)
{
	int go[2];
	char c = 0;

	if (pipe(go) != 0)
		return 1;
	/* Forked first: a new kernel stack needs contiguous pages too. */
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "echo", "busybox ran", 0 };
		close(go[1]);
		read(go[0], &c, 1);
		sys3(SYS_execve, "/bin/busybox", argv, 0);
		_exit(127);
	}
	close(go[0]);

	char *p = mmap(0, SPAN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	long pages = 0;
	while (p != MAP_FAILED && pages * PAGE < SPAN &&
	       madvise(p + pages * PAGE, PAGE, MADV_POPULATE_WRITE) == 0)
		pages++;
	for (long i = 0; i < pages; i += 2)
		munmap(p + i * PAGE, PAGE);
	say("took %s pages, gave back every other one",
	    pages > 4096 ? "more than 4096" : "too few");
	write(go[1], &c, 1);
	say("the child %s", describe(reap(pid)));
	/* Run from a shell, it ends as a program does; as init, it ends the boot. */
	if (getpid() != 1)
		return 0;
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_POWER_OFF, 0);
	return 1;
}
