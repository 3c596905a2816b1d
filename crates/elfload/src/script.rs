//! `#!` scripts as Linux's binfmt_script (fs/binfmt_script.c) reads them: the interpreter
//! path and at most one argument, taken from the first line within the first
//! BINPRM_BUF_SIZE bytes of the file, and the argv the interpreter then receives, one
//! script after another up to exec_binprm's depth limit.

use crate::ExecError;
use alloc::vec::Vec;
use core::ops::Range;

/// How many bytes of a file exec looks at to recognise its format (binprm's buf).
pub const BINPRM_BUF_SIZE: usize = 256;

/// The `#!` line of a script. Both strings are slices of the file's first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shebang<'a> {
    /// The interpreter's path, as written. It is empty when a NUL follows the
    /// blanks: Linux's open_exec then takes "" for the working directory (EACCES).
    pub interpreter: &'a [u8],
    /// Everything after the path and its blanks up to the end of the line, trailing
    /// blanks removed: one argument, spaces included.
    pub argument: Option<&'a [u8]>,
}

/// How many `#!` rewrites one execve follows: a chain of five scripts runs, a sixth
/// script is ELOOP (exec_binprm's loop ends at `depth > 5`).
pub const MAX_SCRIPT_DEPTH: usize = 5;

/// The argv of an exec as the `#!` lines of one script after another rewrite it
/// (load_script: remove_arg_zero, then the script's name, the argument and the
/// interpreter put in front): the strings the scripts added, then the caller's argv
/// without the strings they removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptArgv<'a> {
    front: Vec<Vec<u8>>,
    rest: &'a [&'a [u8]],
}

impl<'a> ScriptArgv<'a> {
    /// The argv execve was given, before any script.
    pub fn new(argv: &'a [&'a [u8]]) -> Self {
        ScriptArgv {
            front: Vec::new(),
            rest: argv,
        }
    }

    /// Run the script `filename` (the path execve, or the script before, named it)
    /// through the interpreter of its `shebang`: argv[0] is dropped, and the
    /// interpreter, its argument and `filename` come first.
    pub fn rewrite(&mut self, shebang: &Shebang<'_>, filename: &[u8]) -> Result<(), ExecError> {
        if self.front.is_empty() {
            self.rest = self.rest.get(1..).unwrap_or_default();
        } else {
            self.front.remove(0);
        }
        let mut front = Vec::new();
        front
            .try_reserve_exact(self.front.len() + 3)
            .map_err(|_| ExecError::NoMemory)?;
        front.push(owned(shebang.interpreter)?);
        if let Some(argument) = shebang.argument {
            front.push(owned(argument)?);
        }
        front.push(owned(filename)?);
        front.append(&mut self.front);
        self.front = front;
        Ok(())
    }

    /// The strings, in order.
    pub fn slices(&self) -> Result<Vec<&[u8]>, ExecError> {
        let mut out = Vec::new();
        out.try_reserve_exact(self.front.len() + self.rest.len())
            .map_err(|_| ExecError::NoMemory)?;
        out.extend(self.front.iter().map(Vec::as_slice));
        out.extend(self.rest.iter().copied());
        Ok(out)
    }
}

/// A copy of `s`, or NoMemory.
fn owned(s: &[u8]) -> Result<Vec<u8>, ExecError> {
    let mut out = Vec::new();
    out.try_reserve_exact(s.len())
        .map_err(|_| ExecError::NoMemory)?;
    out.extend_from_slice(s);
    Ok(out)
}

/// Read the `#!` line of a file whose first bytes are `bytes`. `None` when the file
/// does not start with `#!` (another format's turn); otherwise Linux's rules: a line
/// that reaches the end of the buffer is accepted only if the interpreter path visibly
/// ends inside it (the argument may be cut; the interpreter can re-read the script).
pub fn parse_shebang(bytes: &[u8]) -> Option<Result<Shebang<'_>, ExecError>> {
    if !bytes.starts_with(b"#!") {
        return None;
    }
    // Like binprm's buf: the first bytes, padded with zeros.
    let mut buf = [0u8; BINPRM_BUF_SIZE];
    let len = bytes.len().min(BINPRM_BUF_SIZE);
    buf[..len].copy_from_slice(&bytes[..len]);

    // Each range holds no NUL, and the padding is all NULs: they lie inside `bytes`.
    let slice = |range: Range<usize>| bytes.get(range).unwrap_or_default();
    Some(parse_line(&buf).map(|(name, arg)| Shebang {
        interpreter: slice(name),
        argument: arg.map(slice),
    }))
}

type Line = (Range<usize>, Option<Range<usize>>);

/// The interpreter's and the argument's places in `buf`.
fn parse_line(buf: &[u8; BINPRM_BUF_SIZE]) -> Result<Line, ExecError> {
    let last = BINPRM_BUF_SIZE - 1;

    // The line ends at a newline found before any NUL (strnchr). Without one, it runs
    // to the last byte of the buffer, which is left out.
    let newline = buf
        .iter()
        .take_while(|&&c| c != 0)
        .position(|&c| c == b'\n');
    let mut end = match newline {
        Some(at) => at,
        None => {
            let first = next_non_blank(buf, 2, last).ok_or(ExecError::ShebangNoInterpreter)?;
            next_terminator(buf, first, last).ok_or(ExecError::ShebangTruncated)?;
            last
        }
    };

    // `end` never goes below 2: buf[1] is the '!'.
    while is_blank(buf[end - 1]) {
        end -= 1;
    }
    let name = match next_non_blank(buf, 2, end) {
        Some(at) if at != end => at,
        _ => return Err(ExecError::ShebangNoInterpreter),
    };

    // A blank after the path starts the argument; a NUL ends the path and the line.
    let split = next_terminator(buf, name, end)
        .filter(|&sep| buf[sep] != 0)
        .and_then(|sep| Some((sep, next_non_blank(buf, sep, end)?)));
    Ok(match split {
        Some((sep, arg)) => (c_string(buf, name, sep), Some(c_string(buf, arg, end))),
        None => (c_string(buf, name, end), None),
    })
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// The first index in `first..=last` that is not a space or a tab.
fn next_non_blank(buf: &[u8], first: usize, last: usize) -> Option<usize> {
    (first..=last).find(|&at| !is_blank(buf[at]))
}

/// The first index in `first..=last` that is a space, a tab or a NUL.
fn next_terminator(buf: &[u8], first: usize, last: usize) -> Option<usize> {
    (first..=last).find(|&at| is_blank(buf[at]) || buf[at] == 0)
}

/// The string starting at `start`, up to `end` or its first NUL.
fn c_string(buf: &[u8], start: usize, end: usize) -> Range<usize> {
    start..(start..end).find(|&at| buf[at] == 0).unwrap_or(end)
}

#[cfg(test)]
mod tests;
