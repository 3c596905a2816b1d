//! threads: Rust's std::thread on the kernel's threads (Linux: clone with
//! CLONE_VM | CLONE_THREAD, futex, CLONE_CHILD_CLEARTID, the task comm).
//! spawn and join, Mutex, RwLock, Condvar, Barrier, OnceLock, mpsc channels,
//! scoped threads, thread-locals and their destructors, a panic caught by
//! join, park and unpark, thread names, pids and tids. Only the main thread
//! prints, after the threads it asks about have ended or reported, so the
//! lines do not depend on the scheduler: the same on the host and on noyau.

use std::cell::{Cell, RefCell};
use std::panic;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Condvar, Mutex, OnceLock, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use noyau_user::{check, finish, gettid, say, thread_comm};

/// Threads in most of the tests.
const THREADS: u64 = 4;

/// The name of the threads that panic on purpose: the panic hook keeps quiet
/// for them only, so that an unexpected panic still prints its message.
const DOOMED: &str = "doomed";

fn main() -> ExitCode {
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if thread::current().name() != Some(DOOMED) {
            default_hook(info);
        }
    }));

    say("threads: std::thread on the kernel's threads");
    spawn_and_join();
    locks();
    condvars();
    channels();
    scoped();
    thread_locals();
    panics();
    park_and_sleep();
    names();
    ids();
    many();
    finish("threads")
}

/// A thread's return value comes back through join.
fn spawn_and_join() {
    let handles: Vec<_> = (0..THREADS)
        .map(|i| thread::spawn(move || (i * 1000..(i + 1) * 1000).sum::<u64>()))
        .collect();
    let mut total = 0;
    for (i, handle) in handles.into_iter().enumerate() {
        match handle.join() {
            Ok(sum) => {
                say(format!("spawn/join: thread {i} returned {sum}"));
                total += sum;
            }
            Err(_) => say(format!("spawn/join: thread {i} panicked")),
        }
    }
    check(
        "spawn/join: the 4 sums add up to 0 + ... + 3999",
        total == 3999 * 4000 / 2,
    );
}

/// Mutex, RwLock and OnceLock shared by threads that race for them.
fn locks() {
    let counter = Arc::new(Mutex::new(0u64));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..10_000 {
                    *counter.lock().unwrap() += 1;
                }
            })
        })
        .collect();
    workers.into_iter().for_each(|w| w.join().unwrap());
    let count = *counter.lock().unwrap();
    say(format!("mutex: 4 threads x 10000 increments = {count}"));

    let table = Arc::new(RwLock::new(vec![0u64; 8]));
    let writers: Vec<_> = (0..THREADS)
        .map(|i| {
            let table = Arc::clone(&table);
            thread::spawn(move || {
                let mut seen_torn = false;
                for round in 0..1000 {
                    if round % 2 == 0 {
                        table.write().unwrap().iter_mut().for_each(|x| *x += i + 1);
                    } else {
                        let row = table.read().unwrap();
                        seen_torn |= row.iter().any(|&x| x != row[0]);
                    }
                }
                seen_torn
            })
        })
        .collect();
    let torn = writers.into_iter().any(|w| w.join().unwrap());
    let row = table.read().unwrap().clone();
    say(format!(
        "rwlock: 4 threads, 500 writes each: every slot = {}",
        row[0]
    ));
    check(
        "rwlock: no reader saw a half-written table",
        !torn && row.iter().all(|&x| x == row[0]),
    );

    let once = Arc::new(OnceLock::new());
    let inits = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(THREADS as usize));
    let racers: Vec<_> = (0..THREADS)
        .map(|i| {
            let (once, inits, start) = (Arc::clone(&once), Arc::clone(&inits), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                *once.get_or_init(|| {
                    inits.fetch_add(1, Ordering::Relaxed);
                    thread::sleep(Duration::from_millis(5));
                    i
                })
            })
        })
        .collect();
    let values: Vec<u64> = racers.into_iter().map(|r| r.join().unwrap()).collect();
    check(
        "oncelock: 4 threads raced get_or_init, the initializer ran once, all saw its value",
        inits.load(Ordering::Relaxed) == 1 && values.iter().all(|&v| v == values[0]),
    );
}

/// Whose turn it is in the ping-pong, and the turns taken, in order.
struct Table {
    ping_to_play: bool,
    turns: Vec<bool>,
}

/// Condvar: a ping-pong, notify_all to several waiters, a wait that times out.
fn condvars() {
    const ROUNDS: usize = 100;
    let table = Table {
        ping_to_play: true,
        turns: Vec::new(),
    };
    let shared = Arc::new((Mutex::new(table), Condvar::new()));
    let pong = {
        let shared = Arc::clone(&shared);
        thread::spawn(move || play(&shared, false, ROUNDS))
    };
    play(&shared, true, ROUNDS);
    pong.join().unwrap();
    let turns = std::mem::take(&mut shared.0.lock().unwrap().turns);
    let alternating = turns
        .iter()
        .enumerate()
        .all(|(i, &ping)| ping == (i % 2 == 0));
    say(format!(
        "condvar: {ROUNDS} rounds of ping-pong, {} turns",
        turns.len()
    ));
    check("condvar: ping and pong strictly alternated", alternating);

    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    let woken = Arc::new(AtomicUsize::new(0));
    let waiters: Vec<_> = (0..THREADS)
        .map(|_| {
            let (gate, woken) = (Arc::clone(&gate), Arc::clone(&woken));
            thread::spawn(move || {
                let open = gate.1.wait_while(gate.0.lock().unwrap(), |open| !*open);
                drop(open.unwrap());
                woken.fetch_add(1, Ordering::Relaxed);
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(20));
    *gate.0.lock().unwrap() = true;
    gate.1.notify_all();
    waiters.into_iter().for_each(|w| w.join().unwrap());
    say(format!(
        "condvar: notify_all woke {} of 4 waiters",
        woken.load(Ordering::Relaxed)
    ));

    let lonely = (Mutex::new(()), Condvar::new());
    let started = Instant::now();
    let (_guard, result) = lonely
        .1
        .wait_timeout(lonely.0.lock().unwrap(), Duration::from_millis(10))
        .unwrap();
    check(
        "condvar: wait_timeout(10 ms) without a notify timed out after at least 10 ms",
        result.timed_out() && started.elapsed() >= Duration::from_millis(10),
    );
}

/// One player of the ping-pong: waits for its turn `rounds` times.
fn play(shared: &(Mutex<Table>, Condvar), ping: bool, rounds: usize) {
    let (lock, turn) = shared;
    for _ in 0..rounds {
        let mut table = turn
            .wait_while(lock.lock().unwrap(), |t| t.ping_to_play != ping)
            .unwrap();
        table.turns.push(ping);
        table.ping_to_play = !ping;
        turn.notify_one();
    }
}

/// mpsc channels: one sender, several senders, a rendezvous channel, and
/// the ends of a channel.
fn channels() {
    let (tx, rx) = mpsc::channel();
    let sender = thread::spawn(move || (0..1000u64).for_each(|i| tx.send(i).unwrap()));
    let got: Vec<u64> = rx.iter().collect();
    sender.join().unwrap();
    let in_order = got.iter().copied().eq(0..1000);
    say(format!(
        "mpsc: 1000 messages from one thread, {} received, sum {}",
        got.len(),
        { got.iter().sum::<u64>() }
    ));
    check("mpsc: received in the order sent", in_order);

    let (tx, rx) = mpsc::channel();
    let senders: Vec<_> = (0..THREADS)
        .map(|id| {
            let tx = tx.clone();
            thread::spawn(move || (0..250u64).for_each(|seq| tx.send((id, seq)).unwrap()))
        })
        .collect();
    drop(tx);
    let mut next = [0u64; THREADS as usize];
    let mut in_order = true;
    for (id, seq) in rx.iter() {
        in_order &= next[id as usize] == seq;
        next[id as usize] = seq + 1;
    }
    senders.into_iter().for_each(|s| s.join().unwrap());
    say(format!(
        "mpsc: 4 senders x 250 messages, {} received",
        next.iter().sum::<u64>()
    ));
    check(
        "mpsc: each sender's messages arrived in its order",
        in_order,
    );

    let (tx, rx) = mpsc::sync_channel(0);
    let sender = thread::spawn(move || (0..100u64).for_each(|i| tx.send(i).unwrap()));
    let got: Vec<u64> = rx.iter().collect();
    sender.join().unwrap();
    check(
        "sync_channel(0): 100 messages handed over one at a time, in order",
        got.iter().copied().eq(0..100),
    );

    let (tx, rx) = mpsc::channel::<u64>();
    let timeout = rx.recv_timeout(Duration::from_millis(10));
    check("mpsc: recv_timeout(10 ms) on an empty channel timed out", {
        timeout == Err(RecvTimeoutError::Timeout)
    });
    thread::spawn(move || drop(tx)).join().unwrap();
    check(
        "mpsc: recv after the sender's thread dropped it is an error",
        rx.recv().is_err(),
    );
}

/// thread::scope: threads that borrow the caller's data.
fn scoped() {
    let mut data: Vec<u64> = (0..1000).collect();
    thread::scope(|s| {
        for chunk in data.chunks_mut(250) {
            s.spawn(move || chunk.iter_mut().for_each(|x| *x *= 2));
        }
    });
    say(format!(
        "scope: 4 threads doubled their quarter of a borrowed array, sum {}",
        data.iter().sum::<u64>()
    ));

    let counted = AtomicU64::new(0);
    let halves = thread::scope(|s| {
        let low = s.spawn(|| data[..500].iter().filter(|&&x| x % 4 == 0).count());
        let high = s.spawn(|| {
            counted.fetch_add(1, Ordering::Relaxed);
            data[500..].iter().filter(|&&x| x % 4 == 0).count()
        });
        (low.join().unwrap(), high.join().unwrap())
    });
    check(
        "scope: two scoped threads returned their counts through join, 250 + 250",
        halves == (250, 250) && counted.load(Ordering::Relaxed) == 1,
    );
}

/// Counts thread-local destructors that ran (their values added up).
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// A thread-local value whose destructor records itself.
struct Noted(u64);

impl Drop for Noted {
    fn drop(&mut self) {
        DROPPED.fetch_add(self.0, Ordering::Relaxed);
    }
}

thread_local! {
    static SLOT: Cell<u64> = const { Cell::new(0) };
    static NOTED: RefCell<Option<Noted>> = const { RefCell::new(None) };
}

/// thread_local!: each thread its own value, destructors at thread exit.
fn thread_locals() {
    SLOT.set(100);
    let start = Arc::new(Barrier::new(THREADS as usize));
    let threads: Vec<_> = (1..=THREADS)
        .map(|i| {
            let start = Arc::clone(&start);
            thread::spawn(move || {
                let initial = SLOT.get();
                SLOT.set(i);
                NOTED.with_borrow_mut(|noted| *noted = Some(Noted(i)));
                // All four have written their slot before any reads it back.
                start.wait();
                (initial, SLOT.get())
            })
        })
        .collect();
    let seen: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    check(
        "tls: each thread's slot started at 0",
        seen.iter().all(|&(initial, _)| initial == 0),
    );
    check(
        "tls: each thread read back its own value after all had written",
        seen.iter().zip(1..).all(|(&(_, value), i)| value == i),
    );
    check(
        "tls: the main thread's slot kept its value",
        SLOT.get() == 100,
    );
    say(format!(
        "tls: destructors that ran by the time join returned: values adding up to {}",
        DROPPED.load(Ordering::Relaxed)
    ));
}

/// A panic in a thread: join returns it as an Err, a Mutex it held is poisoned.
fn panics() {
    let doomed = || thread::Builder::new().name(DOOMED.into());
    let joined = doomed().spawn(|| -> u64 { panic!("boom") }).unwrap().join();
    let payload = joined
        .as_ref()
        .err()
        .and_then(|p| p.downcast_ref::<&str>().copied());
    say(format!(
        "panic: join returned Err: {}, payload {payload:?}",
        joined.is_err()
    ));

    // A literal argument would be folded into a &str: the value must come at run time.
    let n = THREADS * 10 + 2;
    let joined = doomed()
        .spawn(move || -> u64 { panic!("boom {n}") })
        .unwrap()
        .join();
    let payload = joined
        .as_ref()
        .err()
        .and_then(|p| p.downcast_ref::<String>().cloned());
    say(format!(
        "panic: a formatted panic's payload is a String: {payload:?}"
    ));

    let held = Arc::new(Mutex::new(7u64));
    let holder = {
        let held = Arc::clone(&held);
        doomed()
            .spawn(move || {
                let _guard = held.lock().unwrap();
                panic!("while holding the lock");
            })
            .unwrap()
    };
    check("panic: the holder's join is an Err", holder.join().is_err());
    check("panic: the Mutex it held is poisoned", held.is_poisoned());
    let value = held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    say(format!("panic: the poisoned Mutex still holds {}", *value));
}

/// park/unpark, park_timeout and sleep.
fn park_and_sleep() {
    thread::current().unpark();
    thread::park();
    say("park: an unpark before park made park return at once");

    let flag = Arc::new(AtomicBool::new(false));
    let sleeper = {
        let flag = Arc::clone(&flag);
        thread::spawn(move || {
            let mut parks = 0u64;
            while !flag.load(Ordering::Acquire) {
                thread::park();
                parks += 1;
            }
            parks > 0
        })
    };
    thread::sleep(Duration::from_millis(20));
    flag.store(true, Ordering::Release);
    sleeper.thread().unpark();
    check(
        "park: a parked thread woke after unpark and saw the flag",
        sleeper.join().unwrap(),
    );

    let started = Instant::now();
    thread::park_timeout(Duration::from_millis(10));
    check(
        "park: park_timeout(10 ms) returned after at least 10 ms",
        started.elapsed() >= Duration::from_millis(10),
    );

    let started = Instant::now();
    let slept = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        started.elapsed()
    });
    check(
        "sleep: a thread's sleep(20 ms) lasted at least 20 ms",
        slept.join().unwrap() >= Duration::from_millis(20),
    );
    thread::yield_now();
}

/// Thread names: std's own, and the kernel's comm that std sets with
/// prctl(PR_SET_NAME) (truncated to 15 bytes, as TASK_COMM_LEN says).
fn names() {
    say(format!(
        "names: the main thread is called {:?}",
        thread::current().name()
    ));
    let named = |name: &str| {
        let worker = thread::Builder::new()
            .name(name.into())
            .spawn(|| (thread::current().name().map(String::from), thread_comm()))
            .unwrap();
        let outside = worker.thread().name().map(String::from);
        let (inside, comm) = worker.join().unwrap();
        say(format!(
            "names: Builder::name({name:?}): seen inside {inside:?}, outside {outside:?}"
        ));
        say(format!("names: prctl(PR_GET_NAME) in it: {comm:?}"));
    };
    named("worker-1");
    named("a-very-long-thread-name");
    let unnamed = thread::spawn(|| thread::current().name().map(String::from));
    say(format!(
        "names: a thread spawned without a name: {:?}",
        unnamed.join().unwrap()
    ));
}

/// A thread shares its process's pid and has its own tid.
fn ids() {
    let pid = i64::from(std::process::id());
    let tid = gettid();
    check("ids: in the main thread, gettid() == getpid()", tid == pid);

    let (thread_pid, thread_tid) = thread::spawn(|| (i64::from(std::process::id()), gettid()))
        .join()
        .unwrap();
    check(
        "ids: in a spawned thread, getpid() is the main thread's",
        thread_pid == pid,
    );
    check(
        "ids: in a spawned thread, gettid() is positive and not the main thread's",
        thread_tid > 0 && thread_tid != tid,
    );

    let together = Arc::new(Barrier::new(THREADS as usize));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let together = Arc::clone(&together);
            thread::spawn(move || {
                together.wait();
                gettid()
            })
        })
        .collect();
    let mut tids: Vec<i64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    tids.sort_unstable();
    tids.dedup();
    check(
        "ids: 4 threads alive together have 4 distinct tids, none the pid",
        tids.len() == THREADS as usize && !tids.contains(&pid),
    );
}

/// Many threads at once with small stacks, then many one after another.
fn many() {
    const AT_ONCE: u64 = 16;
    let together = Arc::new(Barrier::new(AT_ONCE as usize));
    let threads: Vec<_> = (0..AT_ONCE)
        .map(|i| {
            let together = Arc::clone(&together);
            thread::Builder::new()
                .stack_size(64 << 10)
                .spawn(move || {
                    together.wait();
                    i * i
                })
                .unwrap()
        })
        .collect();
    let sum: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    say(format!(
        "many: {AT_ONCE} threads with 64 KiB stacks alive at once, squares sum {sum}"
    ));

    let mut joined = 0;
    for i in 0..200u64 {
        joined += u64::from(thread::spawn(move || i).join().unwrap() == i);
    }
    say(format!(
        "many: 200 threads spawned and joined one after another: {joined} joined"
    ));
    let cpus = thread::available_parallelism().map(|n| n.get());
    say(format!("~ available_parallelism: {cpus:?}"));
}
