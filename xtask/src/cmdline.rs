//! The kernel command line as xtask hands it on (Linux: boot_command_line):
//! its length limit, COMMAND_LINE_SIZE, on every boot path, and its words
//! quoted for GRUB's grub.cfg, where it would otherwise be read as a script.

use anyhow::{bail, Result};

/// Linux's COMMAND_LINE_SIZE on x86, terminating NUL included; noyau keeps
/// as much. Longer lines are worse than cut: QEMU's PVH loader overwrites
/// its start_info with a command line of about 4 KiB.
pub const COMMAND_LINE_SIZE: usize = 2048;

/// Refuses a command line that no boot path can pass on whole.
pub fn check(cmdline: &str) -> Result<()> {
    if cmdline.len() >= COMMAND_LINE_SIZE {
        bail!(
            "the kernel command line is {} bytes long; at most {} fit \
             (Linux's x86 COMMAND_LINE_SIZE is {COMMAND_LINE_SIZE}, with its NUL)",
            cmdline.len(),
            COMMAND_LINE_SIZE - 1
        );
    }
    Ok(())
}

/// Refuses what `check` refuses, and control characters (newline, tab, ESC,
/// DEL, ...): grub.cfg is a text of lines, in which a newline starts another
/// command and the others have no reading that the kernel could rely on.
pub fn check_for_grub(cmdline: &str) -> Result<()> {
    check(cmdline)?;
    if let Some(c) = cmdline.chars().find(|c| c.is_control()) {
        bail!(
            "the kernel command line holds the control character {:?}: \
             under GRUB (--iso, --uefi) it may hold printable characters only",
            c
        );
    }
    Ok(())
}

/// The command line as the arguments of grub.cfg's `multiboot2` command:
/// split at spaces, each word in single quotes, so that GRUB expands no
/// `$`, starts no comment at `#` and ends no command at `;`, `{` or `}`.
///
/// GRUB's quoting is the shell's: nothing is special between single quotes,
/// and a single quote cannot appear there at all, so an embedded `'` closes
/// the quotes, follows as `\'` and reopens them: `it's` is `'it'\''s'`.
pub fn grub_words(cmdline: &str) -> String {
    let quote = |word: &str| format!("'{}'", word.replace('\'', r"'\''"));
    let words: Vec<String> = cmdline
        .split(' ')
        .filter(|word| !word.is_empty())
        .map(quote)
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_linux_command_line_size() {
        assert!(check("").is_ok());
        assert!(check(&"a".repeat(2047)).is_ok());
        let err = format!("{:#}", check(&"a".repeat(2048)).unwrap_err());
        assert!(err.contains("2048 bytes long") && err.contains("COMMAND_LINE_SIZE is 2048"));
        assert!(check_for_grub(&"a".repeat(4096)).is_err());
    }

    #[test]
    fn control_characters_are_refused_under_grub_only() {
        for bad in ["a\nb", "a\tb", "a\x1b[2Jb", "a\x7fb", "a\rb", "a\u{85}b"] {
            assert!(check(bad).is_ok(), "{bad:?}");
            let err = format!("{:#}", check_for_grub(bad).unwrap_err());
            assert!(err.contains("control character"), "{err}");
        }
        assert!(check_for_grub("x; halt 'a \"b' $root #c {}é").is_ok());
    }

    #[test]
    fn each_word_is_single_quoted() {
        assert_eq!(grub_words(""), "");
        assert_eq!(grub_words("   "), "");
        assert_eq!(grub_words("loglevel=7  quiet "), "'loglevel=7' 'quiet'");
        assert_eq!(grub_words("x; halt"), "'x;' 'halt'");
        assert_eq!(grub_words("a \"b"), "'a' '\"b'");
        assert_eq!(grub_words("foo=$root #c"), "'foo=$root' '#c'");
        assert_eq!(grub_words("a{b}c \\n"), "'a{b}c' '\\n'");
    }

    #[test]
    fn a_single_quote_closes_escapes_and_reopens() {
        assert_eq!(grub_words("it's"), r"'it'\''s'");
        assert_eq!(grub_words("''"), r"''\'''\'''");
    }
}
