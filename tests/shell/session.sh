# The default system (cargo xtask run) as a person uses it, typed on the
# serial console; compared with the same session on Debian's Linux kernel
# (xtask/src/test/shell.rs). Commands stay under 66 characters: the line
# editor wraps at 80 columns, prompt included.
uname -a
id
ls -l /
ls -ld /tmp; ls -l /tmp
# The device nodes both kernels have: Linux has more drivers.
ls -l /dev > /tmp/dev
grep -E ' (console|full|kmsg|null|random|urandom|zero)$' /tmp/dev
grep -E ' (ram0|ram15|tty|ttyS0)$' /tmp/dev
# What busybox reads from /proc; numbers that are machine-specific
# (memory, times) are blanked by sed, the layout is compared.
ps -o pid,ppid,user,stat,args > /tmp/ps; grep -v ']$' /tmp/ps
free | sed 's/ *[0-9][0-9]*/ N/g'
df | sed 's/ *[0-9][0-9]*%* / N /g'
# noyau mounts devtmpfs at boot, Linux's rcS does: sorted.
mount | sort
sort /proc/mounts
uptime | sed 's/[0-9][0-9]*/N/g'
head -1 /proc/meminfo | sed 's/[0-9][0-9]*/N/'
grep -c ^processor /proc/cpuinfo
head -1 /proc/stat | wc -w
cat /proc/loadavg | wc -w
grep -E 'proc|sysfs|tmpfs|ramfs' /proc/filesystems
head -1 /proc/devices
grep -E ' (mem|ttyS|ramdisk|/dev/tty|/dev/console)$' /proc/devices
cat /proc/self/comm; readlink /proc/self/exe
cat /proc/sys/kernel/hostname /proc/sys/kernel/ostype
# The shell's world: environment, terminal, limits, users.
env | sort
tty; stty -a
ulimit -n -s -c -u | sed 's/[0-9][0-9]*/N/'
su -c id alice; su -c 'echo $HOME $SHELL' bob
hostname; hostname -d; cat /proc/sys/kernel/domainname
umask; touch /tmp/f; ls -l /tmp/f
ln -s /tmp/out /tmp/link; readlink /tmp/link; ls -l /tmp/link
stat -c '%a %F %h' /tmp /dev/null /sys /tmp/link
stat -c '%a %F' /proc/self /proc/1
(exit 3); echo $?; false || echo or
trap 'echo got INT' INT; kill -INT $$; trap - INT
cat /proc/self/stat | wc -w; grep -c . /proc/self/status
cut -d: -f1 /proc/meminfo | head -16 | tr '\n' ' '; echo
sed 's/[0-9][0-9]*/N/g' /proc/uptime /proc/loadavg
head -1 /proc/cpuinfo
# The program's first two areas, its heap and its stack.
awk 'NR < 3 || $6 ~ /^\[(heap|stack)\]$/ {print $2, $6}' /proc/self/maps
cut -d: -f1 /proc/self/status | tr '\n' ' '; echo
# Pipes and redirections.
echo one two three | tr ' ' '\n' | sort -r | head -2
echo first > /tmp/out; echo second >> /tmp/out; cat < /tmp/out
ls /nonexistent 2> /tmp/err; echo status $?; cat /tmp/err
wc -l < /tmp/out 2>&1 | cat
# /dev/stdin and friends lead through /proc/self/fd to the file itself.
for l in fd stdin stdout stderr; do readlink /dev/$l; done
echo through a pipe | cat /dev/stdin
echo to stdout > /dev/stdout | cat
(echo to stderr > /dev/stderr) 2>&1 | tr a-z A-Z
# A background job, jobs, fg, and ^C of the foreground job.
sleep 30 &
jobs
fg
#@expect sleep 30\r\n
#@send \x03
echo status $?
# ^Z of a foreground job, bg, stop and continue by signal, kill.
sleep 40
#@expect sleep 40\r\n
#@send \x1a
jobs; bg; jobs
kill -STOP %1; jobs
kill -CONT %1; jobs
kill %1; wait; echo status $?; jobs
timeout 1 sleep 5; echo status $?
yes | head -2
# Files, devices, a FIFO, descriptors.
echo x > /dev/full; echo status $?
head -c 5 /dev/urandom | wc -c
mkfifo /tmp/fifo; (echo through a fifo > /tmp/fifo &); cat /tmp/fifo
ls -l /proc/self/fd/ 2>&1 | sed 's/^l[-rwx]* *[0-9]* /L /'
dd if=/dev/zero of=/tmp/z bs=1k count=100 2>/dev/null; du -k /tmp/z
stat -c '%s %b %B %h %a' /tmp/z /tmp/fifo
chmod 640 /tmp/z; chown alice:bob /tmp/z; ls -l /tmp/z
nice -n 5 cut -d' ' -f19 /proc/self/stat
# I/O priorities, as busybox ionice sets and shows them.
ionice; ionice -c 3 ionice; ionice -c 2 -n 7 ionice
su -c 'ionice -c 1 true' alice; echo status $?
read x < /dev/null; echo status $?
# A character device made with mknod, then read.
mknod /tmp/zero c 1 5; ls -l /tmp/zero
head -c 8 /tmp/zero | od -An -tx1
# dd to the RAM disk and back, then mke2fs on it.
ls -l /dev/ram0
dd if=/dev/urandom of=/tmp/blk bs=1024 count=64 2>/dev/null
dd if=/tmp/blk of=/dev/ram0 bs=1024 2>&1
dd if=/dev/ram0 of=/tmp/back bs=1024 count=64 2>&1
cmp /tmp/blk /tmp/back && echo same bytes
mke2fs -q /dev/ram0; echo status $?
# The block ioctls of blockdev, on a disk of its own.
blockdev --getro --getra --getbsz --getss --getsize64 /dev/ram3
blockdev --setro /dev/ram3; echo x > /dev/ram3; echo status $?
blockdev --getro /dev/ram3; blockdev --setrw /dev/ram3
blockdev --setbsz 2048 /dev/ram3; blockdev --getbsz /dev/ram3
blockdev --setra 512 /dev/ram3; blockdev --getra /dev/ram3
blockdev --rereadpt /dev/ram3; echo status $?
# A seek past the end of the 4 MiB disk is refused.
dd if=/dev/zero of=/dev/ram0 bs=512 seek=9000 count=1; echo $?
dd if=/dev/ram0 bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1
# vi through the raw tty: an insert, then ZZ; the file after. Keys go
# once the screen is quiet (vi's redraws depend on how keys arrive).
vi /tmp/notes
#@expect - /tmp/notes
#@send ihello from vi
#@send \e
#@send ZZ
cat /tmp/notes
# Again, an insert thrown away with :q!
vi /tmp/notes
#@expect - /tmp/notes
#@send Othrown away
#@send \e
#@send :q!\r
cat /tmp/notes
# A read-only mount refuses every change, attributes too.
mkdir /tmp/ro; mount -t tmpfs -o size=1m t /tmp/ro
touch /tmp/ro/f; mount -o remount,ro /tmp/ro
chmod 600 /tmp/ro/f; chown alice /tmp/ro/f; touch /tmp/ro/f
truncate -s 0 /tmp/ro/f; ls -l /tmp/ro; umount /tmp/ro
# The kernel log: its line format, and a line written from here.
dmesg | head -1 | cut -c1-15 | tr 0-9 N
echo hello kmsg > /dev/kmsg
# One write is one record, of up to 992 bytes (Linux 6.1).
k() { head -c $1 /dev/zero | tr '\0' k >/tmp/k; }
w() { k $1; dd if=/tmp/k of=/dev/kmsg bs=2k 2>&-; echo $1 $?; }
w 992; w 993; w 1024; w 1025
dmesg | grep 'hello kmsg' | cut -c15-
dmesg | grep 'Command line' | cut -c15-
poweroff
