/* fork, exit, wait4 and execve: three children exit with known codes,
 * the parent collects each status; then a child execs busybox echo. */
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

/* Lines are built here and written with one write(2), so that lines of
 * different processes do not interleave. */
static char line[128];
static int len;

static void put(const char *s)
{
	while (*s && len < (int)sizeof(line))
		line[len++] = *s++;
	if (len > 0 && line[len - 1] == '\n') {
		write(1, line, len);
		len = 0;
	}
}

static void put_num(long n)
{
	char buf[24];
	int i = sizeof(buf) - 1;
	int neg = n < 0;
	buf[i] = 0;
	if (neg)
		n = -n;
	do {
		buf[--i] = '0' + n % 10;
		n /= 10;
	} while (n);
	if (neg)
		buf[--i] = '-';
	put(buf + i);
}

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
				put("child does not see its own write\n");
			put("child ");
			put_num(i);
			put(" running, parent ");
			put_num(getppid());
			put("\n");
			_exit(10 + i);
		}
	}
	for (int i = 0; i < 3; i++) {
		int status = 0;
		pid_t pid = wait4(-1, &status, 0, 0);
		put("reaped a child, exit status ");
		put_num(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		put(pid > 1 ? "\n" : " (bad pid)\n");
	}
	int status = 0;
	put(wait4(-1, &status, WNOHANG, 0) < 0 ? "no children left\n" : "a child is left\n");
	put("parent still sees shared = ");
	put_num(shared);
	put("\n");

	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "echo", "exec", "works", 0 };
		char *envp[] = { 0 };
		execve("/bin/busybox", argv, envp);
		put("execve failed\n");
		_exit(127);
	}
	wait4(pid, &status, 0, 0);
	put("exec child exit status ");
	put_num(WEXITSTATUS(status));
	put("\n");
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_POWER_OFF, 0);
	return 1;
}
