/*
 * diff_files: a differential test of the file calls that change names and
 * attributes, of chroot and fchdir, and of select, sendfile and FIONREAD
 * (Linux: fs/open.c, fs/utimes.c, fs/namei.c, fs/sync.c, fs/select.c,
 * fs/read_write.c). Only
 * what every filesystem agrees on is printed: no block counts, no
 * directory sizes, no times but the ones the test sets.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "report.h"

#define DIR_PATH "/tmp/diff_files.d"
#define A DIR_PATH "/a"
#define B DIR_PATH "/b"
#define C DIR_PATH "/c"
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define FIONREAD 0x541b

/* A raw system call of six arguments of any type. */
#define call6(n, a, b, c, d, e, f) \
	sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static struct stat st;

static void show(const char *path)
{
	if (lstat(path, &st) != 0) {
		say("  %s: %s", path, errname(errno));
		return;
	}
	say("  %s: mode %o, uid %u, gid %u, size %lld, nlink %lu", path + sizeof(DIR_PATH),
	    st.st_mode, st.st_uid, st.st_gid, (long long)st.st_size, (unsigned long)st.st_nlink);
}

static void attributes(void)
{
	int fd = open(A, O_RDWR | O_CREAT | O_TRUNC, 0600);

	say("chmod(a, 04755): %s", res(sys2(SYS_chmod, A, 04755)));
	say("fchown(a, 1000, 100): %s", res(sys3(SYS_fchown, fd, 1000, 100)));
	show(A);
	say("chown(a, -1, 0) keeps the uid: %s", res(sys3(SYS_chown, A, -1, 0)));
	show(A);
	say("fchmodat(AT_FDCWD, a, 0640): %s", res(sys3(SYS_fchmodat, AT_FDCWD, A, 0640)));
	say("fchownat with flag 0x1: %s", res(call6(SYS_fchownat, AT_FDCWD, A, 0, 0, 1, 0)));
	say("chmod of a missing file: %s", res(sys2(SYS_chmod, DIR_PATH "/none", 0644)));

	struct timespec t[2] = { { 1000000000, 5 }, { 1200000000, 7 } };
	say("utimensat(explicit times): %s", res(sys4(SYS_utimensat, AT_FDCWD, A, t, 0)));
	stat(A, &st);
	say("  atime %ld.%ld, mtime %ld.%ld", st.st_atim.tv_sec, st.st_atim.tv_nsec,
	    st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	t[0].tv_nsec = UTIME_OMIT;
	t[1].tv_nsec = UTIME_NOW;
	say("utimensat(UTIME_OMIT, UTIME_NOW): %s", res(sys4(SYS_utimensat, fd, 0, t, 0)));
	stat(A, &st);
	say("  atime kept: %s, mtime now (after 2020): %s", yesno(st.st_atim.tv_sec == 1000000000),
	    yesno(st.st_mtim.tv_sec > 1577836800));
	t[0].tv_nsec = 1000000000;
	say("utimensat with tv_nsec 1000000000: %s", res(sys4(SYS_utimensat, AT_FDCWD, A, t, 0)));
	say("utimensat with flag 0x8: %s", res(sys4(SYS_utimensat, AT_FDCWD, A, 0, 8)));

	say("write 10 bytes: %ld", (long)write(fd, "0123456789", 10));
	say("ftruncate(4): %s", res(sys2(SYS_ftruncate, fd, 4)));
	say("truncate(a, 100): %s", res(sys2(SYS_truncate, A, 100)));
	show(A);
	say("ftruncate(-1): %s", res(sys2(SYS_ftruncate, fd, -1)));
	say("truncate of the directory: %s", res(sys2(SYS_truncate, DIR_PATH, 0)));
	int ro = open(A, O_RDONLY);
	say("ftruncate of a read-only descriptor: %s", res(sys2(SYS_ftruncate, ro, 0)));
	say("fallocate(0, 0, 200): %s", res(sys4(SYS_fallocate, fd, 0, 0, 200)));
	fstat(fd, &st);
	say("  size %lld", (long long)st.st_size);
	say("fallocate(KEEP_SIZE, 0, 4096): %s", res(sys4(SYS_fallocate, fd, 1, 0, 4096)));
	fstat(fd, &st);
	say("  size %lld", (long long)st.st_size);
	say("fallocate with length 0: %s", res(sys4(SYS_fallocate, fd, 0, 0, 0)));
	say("fallocate of a read-only descriptor: %s", res(sys4(SYS_fallocate, ro, 0, 0, 10)));
	say("fsync: %s, fdatasync: %s, syncfs: %s, sync: %s", res(sys1(SYS_fsync, fd)),
	    res(sys1(SYS_fdatasync, fd)), res(sys1(SYS_syncfs, fd)), res(sys0(SYS_sync)));
	say("fsync of a closed descriptor: %s", res(sys1(SYS_fsync, 99)));
	close(ro);
	close(fd);
}

static void names(void)
{
	say("link(a, b): %s", res(sys2(SYS_link, A, B)));
	show(A);
	say("link(a, b) again: %s", res(sys2(SYS_link, A, B)));
	say("link of the directory: %s", res(sys2(SYS_link, DIR_PATH, C)));
	say("linkat with flag 0x2: %s", res(call6(SYS_linkat, AT_FDCWD, A, AT_FDCWD, C, 2, 0)));
	int fd = open(C, O_WRONLY | O_CREAT, 0644);
	write(fd, "cc", 2);
	close(fd);
	say("renameat2(c, b, RENAME_NOREPLACE): %s",
	    res(call6(SYS_renameat2, AT_FDCWD, C, AT_FDCWD, B, RENAME_NOREPLACE, 0)));
	say("renameat2(c, b, RENAME_EXCHANGE): %s",
	    res(call6(SYS_renameat2, AT_FDCWD, C, AT_FDCWD, B, RENAME_EXCHANGE, 0)));
	show(B);
	show(C);
	say("rename(c, b) replacing it: %s", res(sys2(SYS_rename, C, B)));
	show(B);
	show(C);
	say("renameat2 with both flags: %s", res(call6(SYS_renameat2, AT_FDCWD, A, AT_FDCWD, B,
						   RENAME_NOREPLACE | RENAME_EXCHANGE, 0)));
	say("rename of a missing file: %s", res(sys2(SYS_rename, C, A)));
	say("rename of the directory into itself: %s",
	    res(sys2(SYS_rename, DIR_PATH, DIR_PATH "/sub")));
}

static void streams(void)
{
	int p[2];
	fd_set rd;
	struct timeval zero = { 0, 0 };
	long n = 0;

	pipe(p);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	say("select on an empty pipe, timeout 0: %ld", (long)select(p[0] + 1, &rd, 0, 0, &zero));
	write(p[1], "hello", 5);
	FD_SET(p[0], &rd);
	long r = select(p[0] + 1, &rd, 0, 0, &zero);
	say("after a write: %ld, the read end is set: %s", r, yesno(FD_ISSET(p[0], &rd)));
	sys3(SYS_ioctl, p[0], FIONREAD, &n);
	say("FIONREAD: %ld", n);
	fd_set wr;
	FD_ZERO(&wr);
	FD_SET(p[1], &wr);
	FD_SET(p[0], &rd);
	r = call6(SYS_pselect6, p[1] + 1, &rd, &wr, 0, 0, 0);
	say("pselect6 for read and write: %ld", r);
	FD_ZERO(&rd);
	FD_SET(60, &rd);
	say("select on a closed descriptor: %s", res(call6(SYS_select, 61, &rd, 0, 0, &zero, 0)));
	zero.tv_usec = 1000000;
	say("select with tv_usec 1000000: %s", res(call6(SYS_select, 1, 0, 0, 0, &zero, 0)));
	say("select with nfds -1: %s", res(call6(SYS_select, -1, 0, 0, 0, 0, 0)));
	say("fsync of a pipe: %s", res(sys1(SYS_fsync, p[1])));
	char buf[16];
	read(p[0], buf, 5);

	int fd = open(B, O_RDONLY);
	off_t off = 1;
	r = sys4(SYS_sendfile, p[1], fd, &off, 100);
	say("sendfile from offset 1 of b to a pipe: %ld, offset now %lld", r, (long long)off);
	say("  the file's own offset stays: %lld", (long long)lseek(fd, 0, SEEK_CUR));
	memset(buf, 0, sizeof(buf));
	read(p[0], buf, sizeof(buf) - 1);
	say("  the pipe holds \"%s\"", buf);
	r = sys4(SYS_sendfile, p[1], fd, 0, 100);
	say("sendfile without offset: %ld, offset now %lld", r, (long long)lseek(fd, 0, SEEK_CUR));
	off = -1;
	say("sendfile from offset -1: %s", res(sys4(SYS_sendfile, p[1], fd, &off, 1)));
	say("sendfile to a read-only file: %s", res(sys4(SYS_sendfile, fd, p[0], 0, 1)));
	close(fd);
	close(p[0]);
	close(p[1]);
}

/*
 * chroot(2) and fchdir(2): ENOENT, ENOTDIR; EACCES without search
 * permission, before EPERM for an ordinary user; in a root child, "/" is
 * the jail's and ".." stops there, while the cwd stays outside, where
 * getcwd(2) says "(unreachable)".
 */
#define JAIL DIR_PATH "/jail"
static void jail(void)
{
	char cwd[256];
	sys2(SYS_mkdir, JAIL, 0755);
	sys2(SYS_mkdir, JAIL "/inside", 0755);
	sys2(SYS_mkdir, JAIL "/closed", 0700);
	close(open(JAIL "/file", O_WRONLY | O_CREAT, 0644));
	say("chroot of a missing directory: %s, of a file: %s, of \"\": %s",
	    res(sys1(SYS_chroot, JAIL "/missing")), res(sys1(SYS_chroot, JAIL "/file")),
	    res(sys1(SYS_chroot, "")));
	pid_t pid = fork();
	if (pid == 0) {
		sys1(SYS_setuid, 1000);
		int fd = open(JAIL "/closed", O_PATH);
		say("uid 1000: chroot of the jail: %s, of a directory it cannot search: %s, fchdir "
		    "into that: %s",
		    res(sys1(SYS_chroot, JAIL)), res(sys1(SYS_chroot, JAIL "/closed")),
		    res(sys1(SYS_fchdir, fd)));
		_exit(0);
	}
	waitpid(pid, 0, 0);
	pid = fork();
	if (pid == 0) {
		sys1(SYS_chdir, DIR_PATH);
		say("root: chroot of the jail: %s", res(sys1(SYS_chroot, JAIL)));
		long n = sys2(SYS_getcwd, cwd, sizeof(cwd));
		say("getcwd: %s \"%s\"", res(n < 0 ? n : 0), n > 0 ? cwd : "");
		say("/inside: %s, /file: %s, " DIR_PATH ": %s", res(access("/inside", F_OK) ? -errno : 0),
		    res(access("/file", F_OK) ? -errno : 0),
		    res(access(DIR_PATH, F_OK) ? -errno : 0));
		sys1(SYS_chdir, "/inside");
		sys1(SYS_chdir, "../../..");
		n = sys2(SYS_getcwd, cwd, sizeof(cwd));
		say("after chdir /inside then ../../..: getcwd \"%s\", /file from there: %s",
		    n > 0 ? cwd : "", res(access("file", F_OK) ? -errno : 0));
		_exit(0);
	}
	waitpid(pid, 0, 0);
	unlink(JAIL "/file");
	rmdir(JAIL "/inside");
	rmdir(JAIL "/closed");
	rmdir(JAIL);
}

int main(void)
{
	say("diff_files: attributes, names, sync, select, sendfile");
	unlink(A);
	unlink(B);
	unlink(C);
	rmdir(DIR_PATH);
	say("mkdir: %s", res(sys2(SYS_mkdir, DIR_PATH, 0755)));
	attributes();
	names();
	streams();
	jail();
	unlink(A);
	unlink(B);
	unlink(C);
	say("rmdir: %s", res(sys1(SYS_rmdir, DIR_PATH)));
	return 0;
}
