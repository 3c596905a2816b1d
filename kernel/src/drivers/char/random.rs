//! Random numbers for getrandom(2) and AT_RANDOM (Linux: drivers/char/
//! random.c).
//!
//! Not cryptographic yet: a xorshift generator whose state is stirred
//! with the TSC and the clock at every call. Enough for hash seeds and
//! stack canaries in a teaching kernel; Linux's ChaCha-based pool is the
//! model for a real one.

use core::sync::atomic::{AtomicU64, Ordering};

use linux_raw_sys::errno::{EFAULT, EINVAL};

use crate::mm::uaccess;

static STATE: AtomicU64 = AtomicU64::new(0x853c_49e6_748f_ea9b);

fn next() -> u64 {
    let stir = crate::arch::tsc::rdtsc().rotate_left(17) ^ crate::kernel::time::ktime_get_ns();
    let mut x = STATE.load(Ordering::Relaxed) ^ stir;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    x.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// Fill `out` with random bytes.
pub fn get_random_bytes(out: &mut [u8]) {
    for chunk in out.chunks_mut(8) {
        let v = next().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

const GRND_NONBLOCK: u64 = 1;
const GRND_RANDOM: u64 = 2;
const GRND_INSECURE: u64 = 4;

pub fn sys_getrandom(buf: u64, len: u64, flags: u64) -> i64 {
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || flags & (GRND_RANDOM | GRND_INSECURE) == (GRND_RANDOM | GRND_INSECURE)
    {
        return -(EINVAL as i64);
    }
    // Linux returns at most 32 MiB - 1 per call (MAX_RW_COUNT for random).
    let len = len.min(i32::MAX as u64);
    let mut chunk = [0u8; 256];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(chunk.len() as u64) as usize;
        get_random_bytes(&mut chunk[..n]);
        if uaccess::copy_to_user(buf + done, &chunk[..n]).is_err() {
            return if done == 0 {
                -(EFAULT as i64)
            } else {
                done as i64
            };
        }
        done += n as u64;
    }
    done as i64
}
