//! The initial user stack of a new program, laid out as Linux's execve builds it: the
//! strings copied by copy_strings (fs/exec.c) under the stack top, then what
//! create_elf_tables (fs/binfmt_elf.c) adds below them: the platform string, 16 random
//! bytes, and argc, argv[], envp[] and the auxiliary vector at a 16-byte aligned RSP.

use crate::{AuxInfo, ExecError, PAGE_SIZE};
use alloc::vec::Vec;

/// The longest argument or environment string, NUL included (32 pages).
pub const MAX_ARG_STRLEN: u64 = 32 * PAGE_SIZE;
/// The most argument or environment strings execve counts.
pub const MAX_ARG_STRINGS: usize = 0x7fff_ffff;
/// The room for strings that execve grants even under a small stack limit.
pub const ARG_MAX: u64 = linux_raw_sys::general::ARG_MAX as u64;
/// Linux's _STK_LIM, the default stack limit (8 MiB); strings get at most 3/4 of it.
pub const STK_LIM: u64 = 8 << 20;

/// The bytes of a new stack and where things are in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitialStack {
    /// To copy at `sp`: they end at the stack top.
    pub bytes: Vec<u8>,
    /// The initial RSP, 16-byte aligned, pointing at argc.
    pub sp: u64,
    pub argc: u64,
    /// The mm's arg_start..arg_end and env_start..env_end (for /proc/PID/cmdline and
    /// /proc/PID/environ).
    pub arg_start: u64,
    pub arg_end: u64,
    pub env_start: u64,
    pub env_end: u64,
    /// Where AT_EXECFN, AT_RANDOM and AT_PLATFORM point (platform 0 when absent).
    pub execfn: u64,
    pub random: u64,
    pub platform: u64,
    /// The auxiliary vector as written, AT_NULL included (mm->saved_auxv, which
    /// /proc/PID/auxv shows).
    pub auxv: Vec<[u64; 2]>,
}

/// Build the stack that a program started with `argv` and `envp` sees, under
/// `stack_top`. An empty `argv` gets one empty string, as Linux adds since 5.18. An
/// empty `platform` leaves out AT_PLATFORM. The strings of argv and envp (and the file
/// name) may take a quarter of `stack_rlimit` (at most 6 MiB, at least ARG_MAX), less
/// the room of their pointers: E2BIG otherwise, as Linux's bprm_stack_limits.
pub fn build_initial_stack(
    stack_top: u64,
    argv: &[&[u8]],
    envp: &[&[u8]],
    aux: &AuxInfo<'_>,
    random16: [u8; 16],
    platform: &str,
    stack_rlimit: u64,
) -> Result<InitialStack, ExecError> {
    check_counts(argv.len(), envp.len())?;
    let limit = strings_limit(argv.len().max(1).saturating_add(envp.len()), stack_rlimit)?;
    let argv: &[&[u8]] = if argv.is_empty() { &[b""] } else { argv };

    // The image is written in one buffer of its final size (at most the
    // strings' limit and the tables): the strings are counted first, so
    // that an argument list over the limit is E2BIG before any copy.
    let strings_len = [aux.execfn]
        .iter()
        .chain(envp)
        .chain(argv)
        .map(|s| s.len() as u64 + 1)
        .sum::<u64>();
    if strings_len > limit {
        return Err(ExecError::ArgsTooBig);
    }
    let words = 3 + argv.len() + envp.len() + 2 * aux.entries(0, 0, Some(0)).len();
    let size = 8 + strings_len + (platform.len() as u64 + 1) + 16 + 8 * words as u64 + 32;
    let base = stack_top.checked_sub(size).ok_or(ExecError::StackTooLow)?;
    let mut buf = Vec::new();
    buf.try_reserve_exact(size as usize)
        .map_err(|_| ExecError::NoMemory)?;
    buf.resize(size as usize, 0);

    // copy_strings' order, each below the last: the file name under an empty word at
    // the top, then envp and argv from their last string to their first.
    let mut strings = Strings {
        p: stack_top,
        room: limit,
        base,
        buf,
    };
    strings.below(8)?;
    let execfn = strings.push(aux.execfn)?;
    let env_end = strings.p;
    let envp_at = strings.push_all(envp)?;
    let env_start = strings.p;
    let argv_at = strings.push_all(argv)?;
    let arg_start = strings.p;

    // create_elf_tables: align (arch_align_stack, without its random shift), then the
    // platform string and the random bytes, then the tables at a 16-byte aligned RSP.
    strings.p &= !15;
    strings.room = u64::MAX;
    let platform = match platform {
        "" => None,
        name => Some(strings.push(name.as_bytes())?),
    };
    let random = strings.below(16)?;
    strings.write(random, &random16)?;
    let auxv = aux.entries(random, execfn, platform);

    let table: Vec<u64> = [argv.len() as u64]
        .into_iter()
        .chain(argv_at)
        .chain([0])
        .chain(envp_at)
        .chain([0])
        .chain(auxv.iter().flatten().copied())
        .collect();
    let sp = strings.below(8 * table.len() as u64)? & !15;
    strings.p = sp;
    for (i, word) in table.iter().enumerate() {
        strings.write(sp + 8 * i as u64, &word.to_le_bytes())?;
    }

    Ok(InitialStack {
        bytes: strings.image(),
        sp,
        argc: argv.len() as u64,
        arg_start,
        arg_end: env_start,
        env_start,
        env_end,
        execfn,
        random,
        platform: platform.unwrap_or(0),
        auxv,
    })
}

/// execve's count(): at most MAX_ARG_STRINGS arguments and as many environment strings.
fn check_counts(argc: usize, envc: usize) -> Result<(), ExecError> {
    match argc > MAX_ARG_STRINGS || envc > MAX_ARG_STRINGS {
        true => Err(ExecError::TooManyArgs),
        false => Ok(()),
    }
}

/// How many bytes the strings of argv and envp and their pointers may take
/// under `stack_rlimit` (Linux's bprm_stack_limits): execve may stop
/// copying an argument list with E2BIG as soon as it passes this.
pub fn args_room(stack_rlimit: u64) -> u64 {
    (STK_LIM / 4 * 3).min(stack_rlimit / 4).max(ARG_MAX)
}

/// How many bytes of strings may be copied for `pointers` argv and envp pointers.
fn strings_limit(pointers: usize, stack_rlimit: u64) -> Result<u64, ExecError> {
    let limit = args_room(stack_rlimit);
    let pointers_size = (pointers as u64)
        .checked_mul(8)
        .ok_or(ExecError::ArgsTooBig)?;
    match limit.checked_sub(pointers_size) {
        Some(left) if left > 0 => Ok(left),
        _ => Err(ExecError::ArgsTooBig),
    }
}

/// What goes on the stack, placed downward from its top; strings within a byte budget.
/// `buf` holds the stack from `base` to the top.
struct Strings {
    p: u64,
    room: u64,
    base: u64,
    buf: Vec<u8>,
}

impl Strings {
    /// Move down `len` bytes; the new position.
    fn below(&mut self, len: u64) -> Result<u64, ExecError> {
        self.p = self.p.checked_sub(len).ok_or(ExecError::StackTooLow)?;
        Ok(self.p)
    }

    /// Put `bytes` at stack address `at`.
    fn write(&mut self, at: u64, bytes: &[u8]) -> Result<(), ExecError> {
        let start = at.checked_sub(self.base).ok_or(ExecError::StackTooLow)? as usize;
        self.buf
            .get_mut(start..start + bytes.len())
            .ok_or(ExecError::StackTooLow)?
            .copy_from_slice(bytes);
        Ok(())
    }

    /// Copy `list` from its last string to its first; their addresses, in list order.
    fn push_all(&mut self, list: &[&[u8]]) -> Result<Vec<u64>, ExecError> {
        let mut at = Vec::new();
        at.try_reserve_exact(list.len())
            .map_err(|_| ExecError::NoMemory)?;
        for s in list.iter().rev() {
            at.push(self.push(s)?);
        }
        at.reverse();
        Ok(at)
    }

    /// The stack from the last position to the top.
    fn image(mut self) -> Vec<u8> {
        self.buf.drain(..(self.p - self.base) as usize);
        self.buf
    }

    /// Copy `s` and its NUL below the last string; its address.
    fn push(&mut self, s: &[u8]) -> Result<u64, ExecError> {
        if s.contains(&0) {
            return Err(ExecError::NulInArg);
        }
        let len = s.len() as u64 + 1;
        if len > MAX_ARG_STRLEN {
            return Err(ExecError::ArgTooLong);
        }
        self.room = self.room.checked_sub(len).ok_or(ExecError::ArgsTooBig)?;
        let at = self.below(len)?;
        self.write(at, s)?;
        Ok(at)
    }
}

#[cfg(test)]
pub(crate) mod tests;
