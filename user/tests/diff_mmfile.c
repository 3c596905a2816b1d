/*
 * diff_mmfile: a differential test of private file mappings (Linux:
 * mm/mmap.c do_mmap, mm/filemap.c filemap_fault): mmap of a file with
 * MAP_PRIVATE reads its bytes, zeroes the end of the last page, keeps the
 * caller's writes to itself (copy-on-write) and from a forked child,
 * honours the offset, gives SIGBUS past the end of the file, and refuses
 * bad descriptors, offsets and access modes with Linux's errors; and
 * shared mappings of a file opened read-only, with their maps lines.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "report.h"

#define PAGE 4096L
#define PATH "/tmp/diff_mmfile.dat"

static long map(long addr, long len, int prot, int flags, int fd, long off)
{
	return sys6(SYS_mmap, addr, len, prot, flags, fd, off);
}

/* How a child ends that reads the byte at `p`. */
static const char *read_in_child(volatile char *p)
{
	return touch_in_child(p, 0);
}

/* The permissions, offset and name of the /proc/self/maps line for `addr`
 * (the device and inode numbers are machine-specific). */
static const char *maps_entry(long addr)
{
	static char out[256];
	char line[512], want[32];
	snprintf(want, sizeof(want), "%lx-", addr);
	strcpy(out, "(none)");
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return "(no /proc)";
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		char perms[8], off[32], dev[16], name[256] = "";
		long ino;
		sscanf(line, "%*s %7s %31s %15s %ld %255[^\n]", perms, off, dev, &ino, name);
		snprintf(out, sizeof(out), "%s %s %s", perms, off, name);
		break;
	}
	fclose(f);
	return out;
}

/*
 * MAP_SHARED of a file opened read-only: it reads the file, can never be
 * made writable (EACCES at mmap and at mprotect), and shows as shared in
 * /proc/self/maps with its offset and path; a shared anonymous area shows
 * as the deleted /dev/zero it is on Linux.
 */
static void shared_readonly(const char *data)
{
	/* On noyau the runner mounts nothing. */
	if (access("/proc/self/maps", F_OK) != 0)
		sys6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	int ro = open(PATH, O_RDONLY);
	long m = map(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	say("MAP_SHARED, PROT_WRITE of a read-only descriptor: %s", res(m));
	m = map(0, 2 * PAGE, PROT_READ, MAP_SHARED, ro, PAGE);
	say("MAP_SHARED, PROT_READ of it at offset 1 page: %s", res(m < 0 ? m : 0));
	if (m > 0) {
		say("  reads the file's second page: %s", yesno(!memcmp((char *)m, data + PAGE, 64)));
		say("  maps: %s", maps_entry(m));
		say("  mprotect to PROT_WRITE: %s",
		    res(sys3(SYS_mprotect, m, PAGE, PROT_READ | PROT_WRITE)));
		say("  a write to it: %s", touch_in_child((char *)m, 1));
		sys2(SYS_munmap, m, 2 * PAGE);
	}
	close(ro);
	m = map(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m > 0) {
		say("MAP_SHARED | MAP_ANONYMOUS: maps: %s", maps_entry(m));
		sys2(SYS_munmap, m, PAGE);
	}
}

int main(void)
{
	char data[2 * PAGE + 100];

	say("diff_mmfile: private file mappings");
	for (long i = 0; i < (long)sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	int fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	say("write %ld bytes: %ld", (long)sizeof(data), (long)write(fd, data, sizeof(data)));

	long m = map(0, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	say("mmap(3 pages, PROT_READ, MAP_PRIVATE): %s", res(m));
	char *p = (char *)m;
	say("  the bytes are the file's: %s", yesno(memcmp(p, data, sizeof(data)) == 0));
	say("  the rest of the last page is zero: %s", yesno(p[sizeof(data)] == 0 && p[3 * PAGE - 1] == 0));
	say("  a write to it: %s", touch_in_child(p, 1));
	sys2(SYS_munmap, m, 3 * PAGE);

	m = map(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
	p = (char *)m;
	say("mmap at offset 1 page, PROT_WRITE, MAP_PRIVATE: %s", res(m));
	say("  starts with the file's second page: %s", yesno(memcmp(p, data + PAGE, 64) == 0));
	p[0] = '#';
	char back = 0;
	pread(fd, &back, 1, PAGE);
	say("  a write stays private: the file still holds '%c', the mapping '%c'", back, p[0]);
	pid_t pid = fork();
	if (pid == 0) {
		p[1] = '!';
		_exit(p[0] == '#' ? 0 : 1);
	}
	say("  a child sees the parent's write: %s", describe(reap(pid)));
	say("  and its own write stays its own: the parent sees '%c'", p[1]);
	sys2(SYS_munmap, m, 2 * PAGE);

	m = map(0, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	p = (char *)m;
	say("mmap of 4 pages over a file of 2 pages and 100 bytes: %s", res(m));
	say("  a read in the third page: %s", read_in_child(p + 2 * PAGE + 10));
	say("  a read in the fourth page, past the end of the file: %s",
	    read_in_child(p + 3 * PAGE + 10));
	sys2(SYS_munmap, m, 4 * PAGE);

	say("mmap with an offset not a multiple of the page: %s",
	    res(map(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100)));
	say("mmap of a closed descriptor: %s", res(map(0, PAGE, PROT_READ, MAP_PRIVATE, 99, 0)));
	int wo = open(PATH, O_WRONLY);
	say("mmap of a write-only descriptor: %s", res(map(0, PAGE, PROT_READ, MAP_PRIVATE, wo, 0)));
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	say("mmap of a directory: %s", res(map(0, PAGE, PROT_READ, MAP_PRIVATE, dir, 0)));
	close(wo);
	close(dir);

	int zero = open("/dev/zero", O_RDWR);
	m = map(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0);
	say("mmap of /dev/zero: %s, zeroed: %s", res(m), yesno(m > 0 && ((char *)m)[100] == 0));
	close(zero);
	close(fd);
	shared_readonly(data);
	unlink(PATH);
	return 0;
}
