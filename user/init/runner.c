/*
 * runner: the init of the differential boot tests. Booted as
 * `rdinit=/sbin/runner -- NAME...`, it runs each /bin/NAME in turn (fork,
 * execve, wait4), framing its output with two marker lines that xtask
 * splits the serial log by:
 *
 *     === BEGIN NAME ===
 *     === END NAME status N ===      (N: the raw wait status, in decimal)
 *
 * then powers the machine off with reboot(2). It is a tool, not a test: it
 * lives in user/init/ and is installed as /sbin/runner. Run anywhere but as
 * pid 1, it only runs the programs and exits.
 */
#include <string.h>

#include "report.h"

/* reboot(2)'s arguments, as <linux/reboot.h> names them. */
#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

/* Runs /bin/NAME with this environment; its raw wait status. */
static int run(const char *name, char **envp)
{
	char path[256];

	snprintf(path, sizeof(path), "/bin/%s", name);
	pid_t pid = fork();
	if (pid < 0) {
		say("runner: fork failed: %s", errname(-pid));
		return -1;
	}
	if (pid == 0) {
		char *argv[] = { path, 0 };
		long r = sys3(SYS_execve, path, argv, envp);
		say("runner: execve(%s) failed: %s", path, res(r));
		_exit(127);
	}
	int status = 0;
	long r;
	do {
		r = sys4(SYS_wait4, pid, &status, 0, 0);
	} while (r == -EINTR);
	if (r != pid) {
		say("runner: wait4(%s) failed: %s", path, res(r));
		return -1;
	}
	return status;
}

int main(int argc, char **argv, char **envp)
{
	int status = 0, ran = 0;

	for (int i = 1; i < argc; i++) {
		const char *name = argv[i];
		if (!*name || strchr(name, '/')) {
			say("runner: %s is not a program name, skipped", name);
			continue;
		}
		say("=== BEGIN %s ===", name);
		say("=== END %s status %d ===", name, run(name, envp));
		ran++;
	}

	/* Orphans were handed to init: collect them before leaving. */
	while (sys4(SYS_wait4, -1, &status, WNOHANG, 0) > 0)
		;
	say("runner: %d program%s run", ran, ran == 1 ? "" : "s");
	if (getpid() != 1)
		return 0;
	sys4(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0);
	say("runner: reboot(2) did not power off");
	return 1;
}
