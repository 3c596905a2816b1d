/*
 * diff_devices: a differential test of the memory devices (Linux:
 * drivers/char/mem.c, drivers/char/random.c): the numbers and types of
 * /dev/null, zero, full, random and urandom, what reads and writes do on
 * each, poll, an ioctl they do not know, lseek (always 0, even from a
 * negative offset), and the access mode an open
 * gives; and that one read(2) of a seekable file gives all it is asked
 * for, past any buffer size inside the kernel (dd bs=1M counts on it).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "report.h"

#define TCGETS 0x5401

static const char *const names[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
				     "/dev/urandom" };

static int all_zero(const unsigned char *b, int n)
{
	for (int i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* What lseek(2) returned, the offset or the error's name, written in `out`. */
static const char *seek(char out[24], int fd, long offset, int whence)
{
	long r = sys3(SYS_lseek, fd, offset, whence);
	if (r < 0)
		return res(r);
	snprintf(out, 24, "%ld", r);
	return out;
}

/* One read(2) or pread(2) of `len` bytes from `path`: what it returned. */
static long one_read(const char *path, long len, long at)
{
	char *b = malloc(len);
	int fd = open(path, O_RDONLY);
	long r = at < 0 ? sys3(SYS_read, fd, b, len) : sys4(SYS_pread64, fd, b, len, at);
	close(fd);
	free(b);
	return r;
}

/* Large reads: whole counts from devices and regular files, the rest of a
 * file at its end. */
static void large_reads(void)
{
	const long size = 200000;
	char *data = malloc(size);
	for (long i = 0; i < size; i++)
		data[i] = (char)(i * 7);
	int fd = open("/tmp/diff_devices.big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	say("write of %ld bytes to a tmpfs file: %ld", size, sys3(SYS_write, fd, data, size));
	close(fd);
	say("read of 1048577 from /dev/zero: %ld", one_read("/dev/zero", 1048577, -1));
	say("read of 300000 from /dev/urandom: %ld", one_read("/dev/urandom", 300000, -1));
	say("read of 1048576 from the %ld-byte file: %ld", size,
	    one_read("/tmp/diff_devices.big", 1048576, -1));
	say("pread of 1048576 at 70000: %ld", one_read("/tmp/diff_devices.big", 1048576, 70000));
	say("read of exactly %ld: %ld", size, one_read("/tmp/diff_devices.big", size, -1));

	char *back = malloc(size);
	fd = open("/tmp/diff_devices.big", O_RDONLY);
	long r = sys3(SYS_read, fd, back, size);
	say("the bytes read back are the bytes written: %s",
	    yesno(r == size && memcmp(back, data, size) == 0));
	say("a read at the end: %ld", sys3(SYS_read, fd, back, size));
	close(fd);
	unlink("/tmp/diff_devices.big");
	free(back);
	free(data);
}

int main(void)
{
	unsigned char buf[64];

	say("diff_devices: the memory devices");
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct stat st;
		int fd = open(names[i], O_RDWR);
		if (fd < 0) {
			say("%s: open: %s", names[i], errname(errno));
			continue;
		}
		fstat(fd, &st);
		memset(buf, 0xaa, sizeof(buf));
		long r = sys3(SYS_read, fd, buf, 32);
		long w = sys3(SYS_write, fd, "hello", 5);
		say("%s: char device %s %u:%u, read 32: %s%ld%s, write 5: %s", names[i],
		    yesno(S_ISCHR(st.st_mode)), major(st.st_rdev), minor(st.st_rdev),
		    r < 0 ? errname(-r) : "", r < 0 ? 0 : r,
		    r <= 0 ? "" : all_zero(buf, r) ? " zeros" : " not all zero", res(w));
		if (w >= 0)
			say("  write returned %ld", w);
		struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
		long ready = sys3(SYS_poll, &p, 1, 0);
		say("  poll: %ld, POLLIN %s, POLLOUT %s", ready, yesno(p.revents & POLLIN),
		    yesno(p.revents & POLLOUT));
		say("  ioctl(TCGETS): %s", res(sys3(SYS_ioctl, fd, TCGETS, buf)));
		char a[24], b[24], c[24], d[24];
		say("  lseek -4096 SEEK_CUR: %s, 100 SEEK_SET: %s, 5 SEEK_END: %s, 7 SEEK_CUR: %s",
		    seek(a, fd, -4096, SEEK_CUR), seek(b, fd, 100, SEEK_SET),
		    seek(c, fd, 5, SEEK_END), seek(d, fd, 7, SEEK_CUR));
		say("  lseek 0 SEEK_DATA: %s, -1 SEEK_HOLE: %s, whence 5: %s", seek(a, fd, 0, SEEK_DATA),
		    seek(b, fd, -1, SEEK_HOLE), seek(c, fd, 0, 5));
		close(fd);
	}

	int fd = open("/dev/null", O_WRONLY);
	say("/dev/null opened write-only, read: %s", res(sys3(SYS_read, fd, buf, 1)));
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	say("/dev/zero opened read-only, write: %s", res(sys3(SYS_write, fd, buf, 1)));
	say("/dev/zero read to address 8: %s", res(sys3(SYS_read, fd, 8, 16)));
	long big = sys3(SYS_read, fd, buf, sizeof(buf));
	say("/dev/zero read of 64: %ld, zeros: %s", big, yesno(all_zero(buf, 64)));
	close(fd);
	int pipefd[2];
	pipe(pipefd);
	say("a pipe: lseek 0 SEEK_SET: %s, whence 5: %s", res(sys3(SYS_lseek, pipefd[0], 0, SEEK_SET)),
	    res(sys3(SYS_lseek, pipefd[0], 0, 5)));
	close(pipefd[0]);
	close(pipefd[1]);
	fd = open("/dev/full", O_WRONLY);
	say("/dev/full write of 0 bytes: %s", res(sys3(SYS_write, fd, buf, 0)));
	close(fd);
	large_reads();
	return 0;
}
