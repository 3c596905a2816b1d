//! `#!` scripts as Linux's binfmt_script (fs/binfmt_script.c) reads them: the interpreter
//! path and at most one argument, taken from the first line within the first
//! BINPRM_BUF_SIZE bytes of the file, and the argv the interpreter then receives.

use crate::ExecError;
use alloc::vec::Vec;
use core::ops::Range;

/// How many bytes of a file exec looks at to recognise its format (binprm's buf).
pub const BINPRM_BUF_SIZE: usize = 256;

/// The `#!` line of a script. Both strings are slices of the file's first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shebang<'a> {
    /// The interpreter's path, as written (it may be empty: the lookup then fails
    /// with ENOENT, as on Linux).
    pub interpreter: &'a [u8],
    /// Everything after the path and its blanks up to the end of the line, trailing
    /// blanks removed: one argument, spaces included.
    pub argument: Option<&'a [u8]>,
}

impl<'a> Shebang<'a> {
    /// The interpreter's argv: its path, the optional argument, the script's path
    /// (`filename`, as given to execve), then the script's argv without `argv[0]`.
    pub fn interpreter_argv(&self, filename: &'a [u8], argv: &[&'a [u8]]) -> Vec<&'a [u8]> {
        let mut new = Vec::with_capacity(argv.len() + 2);
        new.push(self.interpreter);
        new.extend(self.argument);
        new.push(filename);
        new.extend(argv.iter().skip(1));
        new
    }
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
