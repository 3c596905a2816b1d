//! What a shell session may legitimately print differently on noyau and on
//! Linux: each rule rewrites a line (of every command, or of the output of
//! the commands it names) and says why the difference is not a bug.
//! tests/boot/README.md lists the same rules for the reader.

use std::sync::LazyLock;

use regex::Regex;

/// One rewrite.
struct Rule {
    /// Only the output of a command line matching this (all lines if None).
    command: Option<&'static str>,
    pattern: &'static str,
    replace: &'static str,
    /// Why the difference is legitimate (the documentation's words).
    #[allow(dead_code)]
    reason: &'static str,
}

const RULES: &[Rule] = &[];

struct Compiled {
    command: Option<Regex>,
    pattern: Regex,
    replace: &'static str,
}

static COMPILED: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|r| Compiled {
            command: r
                .command
                .map(|c| Regex::new(c).expect("a rule's command regex")),
            pattern: Regex::new(r.pattern).expect("a rule's regex"),
            replace: r.replace,
        })
        .collect()
});

/// The prompt that starts a command line (session.rs waits for it).
static PROMPT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z_][a-z0-9_-]*@[A-Za-z0-9.-]+:[^ ]*[#$] ").expect("a regex"));

/// Control characters as `^X` (ESC as `^[`), except the newline and tab,
/// after dropping the carriage return of each CR LF (the tty's ONLCR and
/// the line editor's echo).
fn visible(text: &str) -> String {
    let mut out = String::new();
    for c in text.replace("\r\n", "\n").chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(b'@' + c as u8));
            }
            '\x7f' => out.push_str("^?"),
            c => out.push(c),
        }
    }
    out
}

/// The session's lines, control characters shown and every rule applied.
pub fn session(text: &str) -> Vec<String> {
    let mut command = String::new();
    let mut lines = Vec::new();
    for line in visible(text).lines() {
        let mut line = line.to_string();
        if let Some(m) = PROMPT.find(&line) {
            command = line[m.end()..].to_string();
        }
        for rule in COMPILED.iter() {
            if rule.command.as_ref().is_none_or(|c| c.is_match(&command)) {
                line = rule.pattern.replace_all(&line, rule.replace).into_owned();
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_show_and_cr_lf_is_a_newline() {
        assert_eq!(session("a\r\nb\x1b[H\rc\x03\n"), ["a", "b^[[H^Mc^C"]);
    }
}
