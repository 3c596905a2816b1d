/*
 * diff_threads: a differential test of threads (Linux: clone with
 * CLONE_THREAD in kernel/fork.c, kernel/futex/, exit and exit_group in
 * kernel/exit.c). Through musl's pthreads: create and join, pthread_exit,
 * mutexes, condition variables, barriers, a detached thread and a
 * semaphore, tgkill to one thread, pids and tids. Then the kernel's own
 * calls: futex(2) operations and their errors, a raw clone with
 * CLONE_PARENT_SETTID, CLONE_CHILD_SETTID and CLONE_CHILD_CLEARTID, robust
 * mutexes whose owner died (a thread, a process, an exec), and how
 * a process ends when a thread calls exit_group or the main thread calls
 * exit alone. Only the main thread prints, except in a forked child while
 * the parent waits for it, so the output does not depend on the scheduler.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "report.h"

/* futex(2) operations, as <linux/futex.h> names them. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128

#define THREADS 4
#define INCREMENTS 10000
#define ITEMS 1000
#define ROUNDS 3

/* Waits of the wake loops below: 5000 times 1 ms at most. */
#define PATIENCE 5000

static long now_ns(int clock)
{
	struct timespec t = { 0, 0 };

	sys2(SYS_clock_gettime, clock, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* pthread_create, or the end of the test. */
static pthread_t spawn(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	int r = pthread_create(&t, 0, fn, arg);

	if (r) {
		say("pthread_create failed: %s", errname(r));
		_exit(1);
	}
	return t;
}

/* pthread_join; the thread's value, or the end of the test. */
static long join(pthread_t t)
{
	void *value = 0;
	int r = pthread_join(t, &value);

	if (r) {
		say("pthread_join failed: %s", errname(r));
		_exit(1);
	}
	return (long)value;
}

static long futex(volatile int *uaddr, int op, int val, long timeout_or_val2,
		  volatile int *uaddr2, int val3)
{
	return sys6(SYS_futex, (long)uaddr, op, val, timeout_or_val2, (long)uaddr2, val3);
}

/* --- pthreads --- */

static void *sum_range(void *arg)
{
	long from = (long)arg * 1000, sum = 0;

	for (long i = from; i < from + 1000; i++)
		sum += i;
	return (void *)sum;
}

static void leave_with_42(void)
{
	pthread_exit((void *)42);
}

static void *exits_early(void *arg)
{
	(void)arg;
	leave_with_42();
	return (void *)1;
}

static void create_and_join(void)
{
	pthread_t t[THREADS];
	long total = 0;

	for (long i = 0; i < THREADS; i++)
		t[i] = spawn(sum_range, (void *)i);
	for (int i = 0; i < THREADS; i++) {
		long sum = join(t[i]);
		say("thread %d returned %ld", i, sum);
		total += sum;
	}
	say("the 4 sums add up to 0 + ... + 3999: %s", yesno(total == 3999L * 4000 / 2));
	say("pthread_exit(42) from a function the thread called: join got %ld",
	    join(spawn(exits_early, 0)));

	pthread_t late = spawn(sum_range, (void *)0);
	sleep_ms(20);
	say("joining a thread that ended 20 ms before: %ld", join(late));
}

static pthread_barrier_t together;
static volatile long thread_tid[THREADS];

static void *tid_at_barrier(void *arg)
{
	thread_tid[(long)arg] = sys0(SYS_gettid);
	pthread_barrier_wait(&together);
	return (void *)sys0(SYS_getpid);
}

static void ids(void)
{
	long pid = sys0(SYS_getpid), tid = sys0(SYS_gettid);
	pthread_t t[THREADS];
	int same_pid = 1, distinct = 1;

	say("main thread: gettid() == getpid(): %s", yesno(tid == pid));
	pthread_barrier_init(&together, 0, THREADS);
	for (long i = 0; i < THREADS; i++)
		t[i] = spawn(tid_at_barrier, (void *)i);
	for (int i = 0; i < THREADS; i++)
		same_pid &= join(t[i]) == pid;
	pthread_barrier_destroy(&together);
	for (int i = 0; i < THREADS; i++) {
		distinct &= thread_tid[i] > 0 && thread_tid[i] != pid;
		for (int j = 0; j < i; j++)
			distinct &= thread_tid[i] != thread_tid[j];
	}
	say("4 threads alive together: getpid() is the main thread's in each: %s", yesno(same_pid));
	say("4 threads alive together: 4 distinct tids, none the pid: %s", yesno(distinct));
}

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *increment(void *arg)
{
	(void)arg;
	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	return 0;
}

static void mutexes(void)
{
	pthread_t t[THREADS];

	for (int i = 0; i < THREADS; i++)
		t[i] = spawn(increment, 0);
	for (int i = 0; i < THREADS; i++)
		join(t[i]);
	say("mutex: 4 threads x %d increments = %ld", INCREMENTS, counter);

	pthread_mutex_lock(&counter_lock);
	say("pthread_mutex_trylock on a held mutex: %s",
	    errname(pthread_mutex_trylock(&counter_lock)));
	pthread_mutex_unlock(&counter_lock);
}

/* A queue of 8 between a producer thread and the main thread. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t nonempty, nonfull;
	int item[8];
	int head, count;
} queue = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.nonempty = PTHREAD_COND_INITIALIZER,
	.nonfull = PTHREAD_COND_INITIALIZER,
};

static void *produce(void *arg)
{
	(void)arg;
	for (int i = 0; i < ITEMS; i++) {
		pthread_mutex_lock(&queue.lock);
		while (queue.count == 8)
			pthread_cond_wait(&queue.nonfull, &queue.lock);
		queue.item[(queue.head + queue.count++) % 8] = i;
		pthread_cond_signal(&queue.nonempty);
		pthread_mutex_unlock(&queue.lock);
	}
	return 0;
}

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_opened = PTHREAD_COND_INITIALIZER;
static int gate_open, passed;

static void *wait_at_gate(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gate_lock);
	while (!gate_open)
		pthread_cond_wait(&gate_opened, &gate_lock);
	passed++;
	pthread_mutex_unlock(&gate_lock);
	return 0;
}

static void conditions(void)
{
	pthread_t producer = spawn(produce, 0);
	int in_order = 1;

	for (int i = 0; i < ITEMS; i++) {
		pthread_mutex_lock(&queue.lock);
		while (queue.count == 0)
			pthread_cond_wait(&queue.nonempty, &queue.lock);
		in_order &= queue.item[queue.head] == i;
		queue.head = (queue.head + 1) % 8;
		queue.count--;
		pthread_cond_signal(&queue.nonfull);
		pthread_mutex_unlock(&queue.lock);
	}
	join(producer);
	say("cond signal: %d items through a queue of 8, in order: %s", ITEMS, yesno(in_order));

	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		t[i] = spawn(wait_at_gate, 0);
	sleep_ms(20);
	pthread_mutex_lock(&gate_lock);
	gate_open = 1;
	pthread_cond_broadcast(&gate_opened);
	pthread_mutex_unlock(&gate_lock);
	for (int i = 0; i < THREADS; i++)
		join(t[i]);
	say("cond broadcast: %d of 4 waiters passed the gate", passed);

	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 10 * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&gate_lock);
	int r = pthread_cond_timedwait(&gate_opened, &gate_lock, &until);
	pthread_mutex_unlock(&gate_lock);
	say("pthread_cond_timedwait 10 ms ahead, no signal: %s", errname(r));
}

static int arrived[ROUNDS], serial[ROUNDS];

static void *meet(void *arg)
{
	long early = 0;

	(void)arg;
	for (int round = 0; round < ROUNDS; round++) {
		__atomic_fetch_add(&arrived[round], 1, __ATOMIC_SEQ_CST);
		if (pthread_barrier_wait(&together) == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_fetch_add(&serial[round], 1, __ATOMIC_SEQ_CST);
		early += __atomic_load_n(&arrived[round], __ATOMIC_SEQ_CST) != THREADS;
	}
	return (void *)early;
}

static void barriers(void)
{
	pthread_t t[THREADS];
	long early = 0;
	int one_serial = 1;

	pthread_barrier_init(&together, 0, THREADS);
	for (int i = 0; i < THREADS; i++)
		t[i] = spawn(meet, 0);
	for (int i = 0; i < THREADS; i++)
		early += join(t[i]);
	pthread_barrier_destroy(&together);
	for (int round = 0; round < ROUNDS; round++)
		one_serial &= serial[round] == 1;
	say("barrier: %d rounds of 4 threads, nobody left before all had arrived: %s", ROUNDS,
	    yesno(early == 0));
	say("barrier: one PTHREAD_BARRIER_SERIAL_THREAD per round: %s", yesno(one_serial));
}

static sem_t finished;
static volatile long detached_sum;

static void *detached_worker(void *arg)
{
	detached_sum = (long)sum_range(arg);
	sem_post(&finished);
	return 0;
}

static void detached(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int state = 0;

	sem_init(&finished, 0, 0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_getdetachstate(&attr, &state);
	int r = pthread_create(&t, &attr, detached_worker, (void *)1);
	pthread_attr_destroy(&attr);
	say("pthread_create of a detached thread: %s", r ? errname(r) : "ok");
	if (r)
		return;
	sem_wait(&finished);
	say("detached thread: sem_post reached sem_wait, its sum %ld, attr detached: %s",
	    detached_sum, yesno(state == PTHREAD_CREATE_DETACHED));
	int again = sem_trywait(&finished);
	say("sem_trywait after that: %s", again == 0 ? "ok" : errname(errno));
	sem_destroy(&finished);
}

static volatile long handled_by;
static volatile long target_tid;

static void on_usr1(int sig)
{
	(void)sig;
	handled_by = sys0(SYS_gettid);
}

static void *await_signal(void *arg)
{
	(void)arg;
	target_tid = sys0(SYS_gettid);
	for (int i = 0; i < PATIENCE && !handled_by; i++)
		sleep_ms(1);
	return 0;
}

static void thread_signal(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, 0);
	pthread_t t = spawn(await_signal, 0);
	for (int i = 0; i < PATIENCE && !target_tid; i++)
		sleep_ms(1);
	long r = sys3(SYS_tgkill, sys0(SYS_getpid), target_tid, SIGUSR1);
	join(t);
	say("tgkill(SIGUSR1) to a thread: %s, its handler ran in that thread: %s", res(r),
	    yesno(handled_by == target_tid));
	signal(SIGUSR1, SIG_DFL);
}

/* --- futex(2) --- */

/* A thread that waits on a futex word and keeps what futex returned. */
struct waiter {
	volatile int *word;
	int op;
	int bitset;
	volatile long result;
	volatile int done;
};

static void *futex_waiter(void *arg)
{
	struct waiter *w = arg;

	w->result = futex(w->word, w->op, *w->word, 0, 0, w->bitset);
	w->done = 1;
	return 0;
}

/*
 * Repeats a waking operation until it reports a task woken or moved (the
 * waiter may not sleep yet when it is first tried); its last result.
 */
static long wake_until_one(volatile int *word, int op, int count, long val2, volatile int *word2,
			   int val3)
{
	long r = 0;

	for (int i = 0; i < PATIENCE; i++) {
		r = futex(word, op, count, val2, word2, val3);
		if (r != 0)
			break;
		sleep_ms(1);
	}
	return r;
}

static void futex_errors(void)
{
	static int words[2];
	volatile int *word = &words[0];
	struct timespec ten_ms = { 0, 10 * 1000000L };
	struct timespec bad = { 0, 1000000000L };
	int wait = FUTEX_WAIT | FUTEX_PRIVATE_FLAG, wake = FUTEX_WAKE | FUTEX_PRIVATE_FLAG;

	*word = 1;
	say("FUTEX_WAIT expecting 0 on a word holding 1: %s", res(futex(word, wait, 0, 0, 0, 0)));
	long start = now_ns(CLOCK_MONOTONIC);
	long r = futex(word, wait, 1, (long)&ten_ms, 0, 0);
	long took = now_ns(CLOCK_MONOTONIC) - start;
	say("FUTEX_WAIT with a relative timeout of 10 ms: %s, after at least 10 ms: %s", res(r),
	    yesno(took >= 10 * 1000000L));
	say("FUTEX_WAIT with tv_nsec = 1000000000: %s",
	    res(futex(word, wait, 1, (long)&bad, 0, 0)));
	say("FUTEX_WAKE with no waiter: %ld", futex(word, wake, 1, 0, 0, 0));
	volatile int *odd = (volatile int *)((char *)words + 1);
	say("FUTEX_WAIT on a misaligned address: %s", res(futex(odd, wait, 0, 0, 0, 0)));

	char *page = (char *)sys6(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sys2(SYS_munmap, page, 4096);
	say("FUTEX_WAIT on an unmapped page: %s",
	    res(futex((volatile int *)page, wait, 0, 0, 0, 0)));
	say("FUTEX_WAIT_BITSET with bitset 0: %s",
	    res(futex(word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0)));
	say("FUTEX_WAKE_BITSET with bitset 0: %s",
	    res(futex(word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0)));
	say("futex with an unknown operation (99): %s", res(futex(word, 99, 0, 0, 0, 0)));
}

static void futex_wakes(void)
{
	static volatile int word, other;
	int op = FUTEX_PRIVATE_FLAG;

	struct waiter w = { &word, FUTEX_WAIT | op, 0, 0, 0 };
	pthread_t t = spawn(futex_waiter, &w);
	long woken = wake_until_one(&word, FUTEX_WAKE | op, 1, 0, 0, 0);
	join(t);
	say("FUTEX_WAKE of a sleeping waiter: %ld woken, its FUTEX_WAIT returned %s", woken,
	    res(w.result));

	struct waiter one = { &word, FUTEX_WAIT_BITSET | op, 0x1, 0, 0 };
	struct waiter two = { &word, FUTEX_WAIT_BITSET | op, 0x2, 0, 0 };
	pthread_t t1 = spawn(futex_waiter, &one), t2 = spawn(futex_waiter, &two);
	say("FUTEX_WAKE_BITSET 0x4, waiters on 0x1 and 0x2: %ld woken",
	    futex(&word, FUTEX_WAKE_BITSET | op, 2, 0, 0, 0x4));
	woken = wake_until_one(&word, FUTEX_WAKE_BITSET | op, 2, 0, 0, 0x6);
	join(t2);
	say("FUTEX_WAKE_BITSET 0x6: %ld woken, the 0x2 waiter returned %s, the 0x1 waiter sleeps "
	    "on: %s",
	    woken, res(two.result), yesno(!one.done));
	woken = wake_until_one(&word, FUTEX_WAKE_BITSET | op, 2, 0, 0, 0x1);
	join(t1);
	say("FUTEX_WAKE_BITSET 0x1: %ld woken, the 0x1 waiter returned %s", woken, res(one.result));

	struct waiter moved = { &word, FUTEX_WAIT | op, 0, 0, 0 };
	t = spawn(futex_waiter, &moved);
	say("FUTEX_CMP_REQUEUE expecting 5 on a word holding 0: %s",
	    res(futex(&word, FUTEX_CMP_REQUEUE | op, 0, 1, &other, 5)));
	long requeued = wake_until_one(&word, FUTEX_REQUEUE | op, 0, 1, &other, 0);
	say("FUTEX_REQUEUE, none woken and 1 moved to a second word: %ld", requeued);
	say("then FUTEX_WAKE on the first word: %ld woken, the waiter still sleeps: %s",
	    futex(&word, FUTEX_WAKE | op, 1, 0, 0, 0), yesno(!moved.done));
	woken = futex(&other, FUTEX_WAKE | op, 1, 0, 0, 0);
	join(t);
	say("and FUTEX_WAKE on the second word: %ld woken, the waiter returned %s", woken,
	    res(moved.result));
}

/* --- a raw clone: the tid words --- */

#define CLONE_STACK (64 * 1024)

static char clone_stack[CLONE_STACK] __attribute__((aligned(16)));
static volatile int parent_tid = -1, child_tid = -1;
static volatile long tid_in_child, word_in_child;

/* Runs in the cloned thread on musl's TLS of the main thread: raw calls only. */
static int cloned(void *arg)
{
	(void)arg;
	tid_in_child = sys0(SYS_gettid);
	word_in_child = child_tid;
	sleep_ms(20);
	return 0;
}

static void tid_words(void)
{
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		    CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
	struct timespec second = { 1, 0 };

	int tid = clone(cloned, clone_stack + CLONE_STACK, flags, 0, &parent_tid, 0, &child_tid);
	if (tid < 0) {
		say("clone of a thread failed: %s", errname(errno));
		return;
	}
	say("CLONE_PARENT_SETTID: the word holds the new tid when clone returns: %s",
	    yesno(parent_tid == tid));

	/* What pthread_join does: sleep on the word until the exit clears it. */
	int timeouts = 0;
	for (int i = 0; i < 10; i++) {
		int seen = child_tid;
		if (seen == 0)
			break;
		timeouts += futex(&child_tid, FUTEX_WAIT, seen, (long)&second, 0, 0) == -ETIMEDOUT;
	}
	say("CLONE_CHILD_SETTID: the thread found its tid in the word: %s",
	    yesno(word_in_child == tid && tid_in_child == tid));
	say("CLONE_CHILD_CLEARTID: the word is 0 once the thread exited: %s, "
	    "the FUTEX_WAIT on it was woken, never timed out: %s",
	    yesno(child_tid == 0), yesno(timeouts == 0));
}

/* --- how a process with threads ends --- */

static int release[2];

static void *exits_3(void *arg)
{
	(void)arg;
	exit(3);
}

static void *outlives_main(void *arg)
{
	char c;

	(void)arg;
	sys3(SYS_read, release[0], &c, 1);
	say("  the second thread runs on after the main thread's exit and prints this");
	sys1(SYS_exit, 7);
	return 0;
}

static void endings(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		spawn(exits_3, 0);
		/* exit_group ends this thread too; 10 s later it says it was not. */
		sleep_ms(10000);
		_exit(100);
	}
	say("exit(3) in a second thread, the main thread sleeping: the process %s",
	    describe(reap(pid)));

	if (pipe(release) != 0) {
		say("pipe failed: %s", errname(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		spawn(outlives_main, 0);
		sys1(SYS_exit, 5);
	}
	sleep_ms(50);
	int status = 0;
	long r = sys4(SYS_wait4, pid, &status, WNOHANG, 0);
	say("exit(2) with 5 in the main thread, the second thread blocked: wait4(WNOHANG) %s",
	    r == 0 ? "returned 0" : r == pid ? "reaped it" : res(r));
	write(release[1], "x", 1);
	/*
	 * The status is the last thread's code: in Linux 6 the last thread to
	 * exit sets the group's exit code (synchronize_group_exit() in
	 * kernel/exit.c); before that, wait4 gave the main thread's.
	 */
	say("then the second thread exit(2)s with 7: the process %s", describe(reap(pid)));
	close(release[0]);
	close(release[1]);
}

/* Robust mutexes (kernel/futex/core.c exit_robust_list): one a thread,
 * or a process, held when it ended (or exec'd) is marked owner-died, and
 * the next locker gets EOWNERDEAD, a waiter too, instead of waiting
 * forever; pthread_mutex_consistent makes it usable again. */
static pthread_mutex_t *robust;

static void *lock_and_leave(void *arg)
{
	(void)arg;
	pthread_mutex_lock(robust);
	return 0;
}

static void make_robust(pthread_mutex_t *m, int shared)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (shared)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

static const char *lock_res(int r)
{
	return r == 0 ? "ok" : errname(r);
}

static void robust_mutexes(void)
{
	pthread_mutex_t local;
	pthread_t t;

	robust = &local;
	make_robust(robust, 0);
	pthread_create(&t, 0, lock_and_leave, 0);
	pthread_join(t, 0);
	say("robust mutex its thread exited holding: lock %s", lock_res(pthread_mutex_lock(robust)));
	say("pthread_mutex_consistent: %s", lock_res(pthread_mutex_consistent(robust)));
	int unlocked = pthread_mutex_unlock(robust);
	say("unlock %s, lock again %s", lock_res(unlocked), lock_res(pthread_mutex_lock(robust)));
	pthread_mutex_unlock(robust);

	/* Shared between processes: the child locks it and dies by SIGKILL
	 * while the parent waits on it. */
	robust = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	make_robust(robust, 1);
	int locked[2];
	pipe(locked);
	pid_t pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(robust);
		write(locked[1], "x", 1);
		pause();
		_exit(0);
	}
	char c;
	read(locked[0], &c, 1);
	say("held by a live process: trylock %s", lock_res(pthread_mutex_trylock(robust)));
	pid_t killer = fork();
	if (killer == 0) {
		struct timespec wait = { 0, 50 * 1000 * 1000 };
		nanosleep(&wait, 0);
		kill(pid, SIGKILL);
		_exit(0);
	}
	say("a process killed while holding it, a waiter: lock %s",
	    lock_res(pthread_mutex_lock(robust)));
	pthread_mutex_consistent(robust);
	pthread_mutex_unlock(robust);
	waitpid(killer, 0, 0);
	int status;
	waitpid(pid, &status, 0);
	say("the holder: %s", describe(status));

	/* The child locks it, then execs: the new program does not hold it. */
	int exec_done[2];
	pipe2(exec_done, O_CLOEXEC);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "sleep", "1", 0 };
		char *envp[] = { 0 };
		close(exec_done[0]);
		pthread_mutex_lock(robust);
		execve("/bin/busybox", argv, envp);
		_exit(127);
	}
	close(exec_done[1]);
	read(exec_done[0], &c, 1);
	say("its holder exec'd: trylock %s", lock_res(pthread_mutex_trylock(robust)));
	pthread_mutex_consistent(robust);
	pthread_mutex_unlock(robust);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);

	long head = 0, len = 0;
	long got = sys3(SYS_get_robust_list, 0, &head, &len);
	say("get_robust_list(0): %s, len %ld, head set %s", res(got), len, yesno(head != 0));
	say("get_robust_list(no such thread): %s",
	    res(sys3(SYS_get_robust_list, 0x7ffffff0, &head, &len)));
	say("get_robust_list(bad pointer): %s", res(sys3(SYS_get_robust_list, 0, 8, &len)));
	say("set_robust_list(len 23): %s", res(sys2(SYS_set_robust_list, head, 23)));
	munmap(robust, 4096);
}

int main(void)
{
	say("diff_threads: pthreads, futex, clone's tid words, exit and exit_group");
	create_and_join();
	ids();
	mutexes();
	conditions();
	barriers();
	detached();
	thread_signal();
	futex_errors();
	futex_wakes();
	tid_words();
	robust_mutexes();
	endings();
	return 0;
}
