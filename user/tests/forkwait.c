/* fork, exit, wait4 and execve: three children exit with known codes,
 * the parent collects each status; then a child execs busybox echo. */
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

/* Written by the children after fork: copy-on-write must keep the
 * parent's value. */
static volatile int shared = 5;

int main(void)
{
	for (int i = 1; i <= 3; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			shared = 90 + i;
			if (shared != 90 + i)
				say("child does not see its own write");
			say("child %d running, parent %d", i, (int)getppid());
			_exit(10 + i);
		}
	}
	for (int i = 0; i < 3; i++) {
		int status = 0;
		pid_t pid = wait4(-1, &status, 0, 0);
		say("reaped a child, exit status %d%s", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		    pid > 1 ? "" : " (bad pid)");
	}
	int status = 0;
	say("%s", wait4(-1, &status, WNOHANG, 0) < 0 ? "no children left" : "a child is left");
	say("parent still sees shared = %d", shared);

	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "echo", "exec", "works", 0 };
		char *envp[] = { 0 };
		execve("/bin/busybox", argv, envp);
		say("execve failed");
		_exit(127);
	}
	wait4(pid, &status, 0, 0);
	say("exec child exit status %d", WEXITSTATUS(status));
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_POWER_OFF, 0);
	return 1;
}
