//! Which records reach the console: Linux's console_loglevel and ignore_loglevel, set from
//! the boot command line by `quiet`, `debug`, `loglevel=N` and `ignore_loglevel`
//! (init/main.c, kernel/printk/printk.c). It decides printing only, never storing.

use crate::Level;

/// console_loglevel when the command line says nothing (Linux's CONSOLE_LOGLEVEL_DEFAULT).
pub const CONSOLE_LOGLEVEL_DEFAULT: i32 = 7;
/// console_loglevel after `quiet` (Linux's CONSOLE_LOGLEVEL_QUIET): errors and worse.
pub const CONSOLE_LOGLEVEL_QUIET: i32 = 4;
/// console_loglevel after `debug` (Linux's CONSOLE_LOGLEVEL_DEBUG): everything.
pub const CONSOLE_LOGLEVEL_DEBUG: i32 = 10;

/// The console's filter: a record is printed when its level is below `loglevel`, or
/// always under `ignore_loglevel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsoleLevel {
    loglevel: i32,
    ignore_loglevel: bool,
}

impl ConsoleLevel {
    /// The boot default: loglevel 7, so everything but debug messages.
    pub const fn new() -> Self {
        ConsoleLevel {
            loglevel: CONSOLE_LOGLEVEL_DEFAULT,
            ignore_loglevel: false,
        }
    }

    /// The filter a kernel booted with `cmdline` starts with.
    pub fn from_cmdline(cmdline: &str) -> Self {
        let mut console = Self::new();
        console.apply_cmdline(cmdline);
        console
    }

    /// Applies the command line's words in order, so later words win. As Linux does:
    /// `-` and `_` are the same in names, a name's value is ignored except for
    /// `loglevel`, and the words after a lone `--` are init's, not the kernel's.
    ///
    /// `loglevel=N` is read as Linux's get_option reads it (decimal, `0x` hex, `0` octal,
    /// an optional `-`, trailing junk ignored) and is not clamped: `loglevel=20` shows
    /// everything and `loglevel=0` shows nothing. A value with no number is ignored.
    pub fn apply_cmdline(&mut self, cmdline: &str) {
        for (name, value) in Words(cmdline) {
            if name == "--" && value.is_none() {
                break;
            }
            if param_eq(name, "quiet") {
                self.loglevel = CONSOLE_LOGLEVEL_QUIET;
            } else if param_eq(name, "debug") {
                self.loglevel = CONSOLE_LOGLEVEL_DEBUG;
            } else if param_eq(name, "ignore_loglevel") {
                self.ignore_loglevel = true;
            } else if param_eq(name, "loglevel") {
                if let Some(level) = value.and_then(get_option) {
                    self.loglevel = level;
                }
            }
        }
    }

    /// Whether the console prints a record of `level`.
    pub fn shows(&self, level: Level) -> bool {
        self.ignore_loglevel || i32::from(level.as_u8()) < self.loglevel
    }

    /// The current console_loglevel.
    pub fn loglevel(&self) -> i32 {
        self.loglevel
    }

    /// Sets console_loglevel, as syslog(2) SYSLOG_ACTION_CONSOLE_LEVEL and
    /// /proc/sys/kernel/printk do (their callers check the range).
    pub fn set_loglevel(&mut self, loglevel: i32) {
        self.loglevel = loglevel;
    }

    /// Whether `ignore_loglevel` is on: then every record is printed.
    pub fn ignores_loglevel(&self) -> bool {
        self.ignore_loglevel
    }

    pub fn set_ignore_loglevel(&mut self, on: bool) {
        self.ignore_loglevel = on;
    }
}

impl Default for ConsoleLevel {
    fn default() -> Self {
        Self::new()
    }
}

/// A parameter name compared as Linux's parameq does: `-` and `_` are the same.
fn param_eq(a: &str, b: &str) -> bool {
    let norm = |c: u8| if c == b'-' { b'_' } else { c };
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| norm(x) == norm(y))
}

/// An integer read as Linux's get_option reads one: `None` when no digit comes first.
fn get_option(s: &str) -> Option<i32> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let value = parse_ull(digits.as_bytes())?;
    let value = if negative {
        value.wrapping_neg()
    } else {
        value
    };

    // Linux stores the unsigned long long into an int.
    Some(value as i32)
}

/// simple_strtoull with base 0: `0x` then hex, `0` then octal, else decimal; stops at
/// the first byte that is not a digit, and wraps on overflow.
fn parse_ull(s: &[u8]) -> Option<u64> {
    let (radix, digits) = match s {
        [b'0', b'x' | b'X', next, ..] if next.is_ascii_hexdigit() => (16, &s[2..]),
        [b'0', ..] => (8, s),
        _ => (10, s),
    };
    let mut value: u64 = 0;
    let mut any = false;
    for &byte in digits {
        let Some(digit) = (byte as char).to_digit(radix) else {
            break;
        };
        value = value
            .wrapping_mul(u64::from(radix))
            .wrapping_add(u64::from(digit));
        any = true;
    }
    any.then_some(value)
}

/// The kernel's isspace on ASCII: unlike Rust's, it counts the vertical tab.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The words of a command line as Linux's next_arg splits them: `name` or `name=value`,
/// separated by whitespace, with `"` quoting spaces (and the quotes removed).
struct Words<'a>(&'a str);

impl<'a> Iterator for Words<'a> {
    type Item = (&'a str, Option<&'a str>);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self
            .0
            .trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
        if rest.is_empty() {
            self.0 = rest;
            return None;
        }

        // The word ends at the first whitespace outside quotes.
        let mut in_quote = false;
        let mut end = rest.len();
        for (i, byte) in rest.bytes().enumerate() {
            if is_space(byte) && !in_quote {
                end = i;
                break;
            }
            if byte == b'"' {
                in_quote = !in_quote;
            }
        }
        self.0 = &rest[end..];

        let word = &rest[..end];
        let word = word.strip_prefix('"').unwrap_or(word);
        Some(match word.split_once('=') {
            Some((name, value)) => {
                let value = value.strip_prefix('"').unwrap_or(value);
                (name, Some(value.strip_suffix('"').unwrap_or(value)))
            }
            None => (word.strip_suffix('"').unwrap_or(word), None),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(cmdline: &str) -> i32 {
        ConsoleLevel::from_cmdline(cmdline).loglevel()
    }

    #[test]
    fn default_shows_all_but_debug() {
        let console = ConsoleLevel::new();
        assert_eq!(console.loglevel(), 7);
        assert!(console.shows(Level::Emerg));
        assert!(console.shows(Level::Info));
        assert!(!console.shows(Level::Debug));
        assert_eq!(ConsoleLevel::from_cmdline(""), console);
        assert_eq!(
            ConsoleLevel::from_cmdline("root=/dev/vda console=ttyS0"),
            console
        );
    }

    #[test]
    fn quiet_and_debug() {
        let quiet = ConsoleLevel::from_cmdline("console=ttyS0 quiet");
        assert_eq!(quiet.loglevel(), 4);
        assert!(quiet.shows(Level::Err));
        assert!(!quiet.shows(Level::Warning));
        let debug = ConsoleLevel::from_cmdline("debug");
        assert_eq!(debug.loglevel(), 10);
        assert!(debug.shows(Level::Debug));
    }

    #[test]
    fn later_words_win() {
        assert_eq!(level("quiet debug"), 10);
        assert_eq!(level("debug quiet"), 4);
        assert_eq!(level("loglevel=3 quiet"), 4);
        assert_eq!(level("quiet loglevel=3"), 3);
        assert_eq!(level("loglevel=1 loglevel=6"), 6);
    }

    #[test]
    fn loglevel_values_as_get_option_reads_them() {
        assert_eq!(level("loglevel=0"), 0);
        assert_eq!(level("loglevel=5"), 5);
        assert_eq!(level("loglevel=15"), 15);
        assert_eq!(level("loglevel=20"), 20);
        assert_eq!(level("loglevel=-1"), -1);
        assert_eq!(level("loglevel=0x8"), 8);
        assert_eq!(level("loglevel=010"), 8);
        assert_eq!(level("loglevel=09"), 0);
        assert_eq!(level("loglevel=5abc"), 5);
        assert_eq!(level("loglevel=\"3\""), 3);
        assert_eq!(level("loglevel=4294967299"), 3);
    }

    #[test]
    fn bad_loglevel_values_are_ignored() {
        assert_eq!(level("loglevel"), 7);
        assert_eq!(level("loglevel="), 7);
        assert_eq!(level("loglevel=abc"), 7);
        assert_eq!(level("loglevel=-"), 7);
        assert_eq!(level("loglevel=+3"), 7);
        assert_eq!(level("quiet loglevel=x"), 4);
    }

    #[test]
    fn loglevel_bounds_the_console() {
        let none = ConsoleLevel::from_cmdline("loglevel=0");
        assert!(Level::ALL.iter().all(|&l| !none.shows(l)));
        let all = ConsoleLevel::from_cmdline("loglevel=8");
        assert!(Level::ALL.iter().all(|&l| all.shows(l)));
        let errs = ConsoleLevel::from_cmdline("loglevel=4");
        assert!(errs.shows(Level::Err) && !errs.shows(Level::Warning));
    }

    #[test]
    fn ignore_loglevel_shows_everything_and_sticks() {
        let console = ConsoleLevel::from_cmdline("ignore_loglevel loglevel=0 quiet");
        assert!(console.ignores_loglevel());
        assert!(Level::ALL.iter().all(|&l| console.shows(l)));
        assert!(ConsoleLevel::from_cmdline("ignore-loglevel").ignores_loglevel());
    }

    #[test]
    fn names_only_match_whole_words() {
        assert_eq!(level("quietly debugfs=on nologlevel=1 loglevel_x=2"), 7);
        assert_eq!(level("quiet=1"), 4);
        assert_eq!(level("QUIET"), 7);
    }

    #[test]
    fn words_after_double_dash_belong_to_init() {
        assert_eq!(level("quiet -- debug"), 4);
        assert_eq!(level("-- loglevel=1"), 7);
    }

    #[test]
    fn quoted_words_and_whitespace() {
        assert_eq!(level("  init=\"/bin/sh -c x\" \tquiet\n"), 4);
        assert_eq!(level("debug\x0bquiet"), 4);
        assert_eq!(level("dyndbg=\"file a.c +p\" loglevel=2"), 2);
        assert_eq!(level("\"debug\""), 10);
    }

    #[test]
    fn setters() {
        let mut console = ConsoleLevel::new();
        console.set_loglevel(1);
        assert!(console.shows(Level::Emerg) && !console.shows(Level::Alert));
        console.set_ignore_loglevel(true);
        assert!(console.shows(Level::Debug));
    }
}
