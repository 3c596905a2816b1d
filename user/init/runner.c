/*
 * runner: the init of the differential boot tests. Booted as
 * `rdinit=/sbin/runner -- NAME...`, it runs each /bin/NAME in turn (fork,
 * execve, wait4), framing its output with two marker lines that xtask
 * splits the serial log by:
 *
 *     === BEGIN NAME ===
 *     === END NAME status N ===      (N: the raw wait status, in decimal)
 *
 * then powers the machine off with reboot(2). A word `NAME,ARG,ARG...` runs
 * /bin/NAME with those arguments (the markers name NAME alone): the words
 * after `--` cannot hold spaces. Its first line, `runner: uptime S s`, is
 * CLOCK_BOOTTIME when init starts, which `cargo xtask bench` reads. It is
 * a tool, not a test: it lives in user/init/ and is installed as
 * /sbin/runner. Run anywhere but as pid 1, it only runs the programs and
 * exits.
 */
#include <string.h>
#include <time.h>

#include "report.h"

/* reboot(2)'s arguments, as <linux/reboot.h> names them. */
#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

/* Arguments a program may be given after its name. */
#define MAX_ARGS 16

#define CLOCK_BOOTTIME 7

/* Runs /bin/NAME with these arguments and this environment; its raw wait
 * status. */
static int run(const char *name, char **args, char **envp)
{
	char path[256];

	snprintf(path, sizeof(path), "/bin/%s", name);
	pid_t pid = fork();
	if (pid < 0) {
		say("runner: fork failed: %s", errname(-pid));
		return -1;
	}
	if (pid == 0) {
		char *argv[MAX_ARGS + 2] = { path };
		for (int i = 0; args[i]; i++)
			argv[i + 1] = args[i];
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
	struct timespec boot;

	if (sys2(SYS_clock_gettime, CLOCK_BOOTTIME, &boot) == 0)
		say("runner: uptime %ld.%06ld s", (long)boot.tv_sec, boot.tv_nsec / 1000);
	for (int i = 1; i < argc; i++) {
		char *name = argv[i], *args[MAX_ARGS + 1] = { 0 };
		int n = 0;
		for (char *comma = strchr(name, ','); comma; comma = strchr(comma + 1, ',')) {
			*comma = 0;
			if (n < MAX_ARGS)
				args[n++] = comma + 1;
		}
		if (!*name || strchr(name, '/')) {
			say("runner: %s is not a program name, skipped", name);
			continue;
		}
		say("=== BEGIN %s ===", name);
		say("=== END %s status %d ===", name, run(name, args, envp));
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
