/*
 * hello: the first user program noyau runs as /init. It shows that a
 * program reaches ring 3, that write(2) to fd 1 reaches the console, that
 * the initial stack holds argc and argv as Linux's execve lays them out,
 * and that reboot(2) powers the machine off.
 *
 * Only system calls are used (no stdio), so that a failure points at one
 * call. Output: "hello from user space", then "argc=N argv0=PATH".
 */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * reboot(2)'s arguments, as <linux/reboot.h> names them (musl-gcc does not
 * see the kernel's headers): two magic numbers, then the command.
 */
#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

/* Writes a NUL-terminated string to standard output. */
static void put(const char *s)
{
	write(1, s, strlen(s));
}

/* Writes n in decimal to standard output. */
static void put_uint(unsigned long n)
{
	char buf[20];
	int i = sizeof(buf);

	do {
		buf[--i] = '0' + n % 10;
		n /= 10;
	} while (n != 0);
	write(1, buf + i, sizeof(buf) - i);
}

int main(int argc, char **argv)
{
	put("hello from user space\n");

	put("argc=");
	put_uint(argc);
	put(" argv0=");
	put(argc > 0 && argv[0] ? argv[0] : "(null)");
	put("\n");

	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_POWER_OFF, 0);
	/* reboot(2) does not return when it powers off. */
	_exit(1);
}
