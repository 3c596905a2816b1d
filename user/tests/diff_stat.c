/*
 * diff_stat: a differential test of statx(2) against fstat(2) (Linux:
 * fs/stat.c): the basic fields agree with fstat's, AT_EMPTY_PATH names an
 * open regular file, AT_SYMLINK_NOFOLLOW stops at a link, and bad flags,
 * masks, paths and buffers get Linux's errors. Only relations are printed:
 * inode numbers, devices and times differ between machines.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "report.h"

/* <linux/stat.h>'s struct statx and flags, which musl's headers lack. */
struct statx_timestamp {
	long long tv_sec;
	unsigned int tv_nsec;
	int reserved;
};

struct statx {
	unsigned int stx_mask, stx_blksize;
	unsigned long long stx_attributes;
	unsigned int stx_nlink, stx_uid, stx_gid;
	unsigned short stx_mode, spare0;
	unsigned long long stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	unsigned int stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	unsigned long long rest[14];
};

#define STATX_BASIC_STATS 0x7ffu
#define AT_STATX_FORCE_SYNC 0x2000
#define AT_STATX_DONT_SYNC 0x4000

#define FILE_PATH "/tmp/diff_stat.file"
#define LINK_PATH "/tmp/diff_stat.link"

static long statx_call(int dirfd, const char *path, int flags, unsigned int mask, void *buf)
{
	return sys6(SYS_statx, dirfd, (long)path, flags, mask, (long)buf, 0);
}

int main(void)
{
	struct statx sx;
	struct stat st;

	say("diff_stat: statx against fstat, and its errors");
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0640);
	say("open(O_CREAT) in /tmp: %s", fd < 0 ? errname(errno) : "ok");
	if (fd < 0)
		return 1;
	say("write 10 bytes: %ld", (long)write(fd, "0123456789", 10));
	fstat(fd, &st);

	long r = statx_call(AT_FDCWD, FILE_PATH, 0, STATX_BASIC_STATS, &sx);
	say("statx(path): %s", res(r));
	say("mask has STATX_BASIC_STATS: %s",
	    yesno((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS));
	say("mode %o, size %llu, nlink %u, blksize a power of two: %s", sx.stx_mode,
	    (unsigned long long)sx.stx_size, sx.stx_nlink,
	    yesno(sx.stx_blksize && !(sx.stx_blksize & (sx.stx_blksize - 1))));
	say("ino, uid, gid, mode and size agree with fstat: %s",
	    yesno(sx.stx_ino == st.st_ino && sx.stx_uid == st.st_uid && sx.stx_gid == st.st_gid &&
		  sx.stx_mode == st.st_mode && (off_t)sx.stx_size == st.st_size));
	say("device agrees with fstat: %s",
	    yesno(makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev));
	say("mtime agrees with fstat: %s", yesno(sx.stx_mtime.tv_sec == st.st_mtim.tv_sec &&
						 sx.stx_mtime.tv_nsec == st.st_mtim.tv_nsec));

	r = statx_call(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx);
	say("statx(fd of a regular file, \"\", AT_EMPTY_PATH): %s, same inode: %s", res(r),
	    yesno(sx.stx_ino == st.st_ino));
	say("statx(fd, \"\") without AT_EMPTY_PATH: %s",
	    res(statx_call(fd, "", 0, STATX_BASIC_STATS, &sx)));

	unlink(LINK_PATH);
	say("symlink: %s", res(sys2(SYS_symlink, FILE_PATH, LINK_PATH)));
	statx_call(AT_FDCWD, LINK_PATH, 0, STATX_BASIC_STATS, &sx);
	say("statx of the link follows it: a regular file: %s", yesno(S_ISREG(sx.stx_mode)));
	statx_call(AT_FDCWD, LINK_PATH, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx);
	say("with AT_SYMLINK_NOFOLLOW: a link of %llu bytes: %s", (unsigned long long)sx.stx_size,
	    yesno(S_ISLNK(sx.stx_mode)));
	statx_call(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &sx);
	say("statx(\"/\"): a directory: %s", yesno(S_ISDIR(sx.stx_mode)));

	say("unknown flag 0x1: %s", res(statx_call(AT_FDCWD, FILE_PATH, 1, STATX_BASIC_STATS, &sx)));
	say("AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC: %s",
	    res(statx_call(AT_FDCWD, FILE_PATH, AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
			   STATX_BASIC_STATS, &sx)));
	say("mask with STATX__RESERVED: %s",
	    res(statx_call(AT_FDCWD, FILE_PATH, 0, 0x80000000u, &sx)));
	say("a missing file: %s",
	    res(statx_call(AT_FDCWD, "/tmp/no/such", 0, STATX_BASIC_STATS, &sx)));
	say("buffer at address 8: %s", res(statx_call(AT_FDCWD, FILE_PATH, 0, STATX_BASIC_STATS,
						    (void *)8)));
	say("path at address 8: %s", res(statx_call(AT_FDCWD, (char *)8, 0, STATX_BASIC_STATS, &sx)));
	say("a closed descriptor with AT_EMPTY_PATH: %s",
	    res(statx_call(99, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx)));
	close(fd);
	unlink(LINK_PATH);
	unlink(FILE_PATH);
	return 0;
}
