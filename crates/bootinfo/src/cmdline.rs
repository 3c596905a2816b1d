//! Kernel parameters from the command line, as Linux's `parse_args` splits them.
//! Words are separated by whitespace; `name=value` sets, a bare `name` is a
//! flag, and everything after a bare `--` is left for init.

/// The value of the last `name=value` (or `Some("")` for a bare `name`).
pub(crate) fn param<'a>(cmdline: &'a str, name: &str) -> Option<&'a str> {
    let mut found = None;
    for word in cmdline.split_whitespace() {
        if word == "--" {
            break;
        }
        if word == name {
            found = Some("");
        } else if let Some(value) = word.strip_prefix(name).and_then(|v| v.strip_prefix('=')) {
            found = Some(value);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::param;

    #[test]
    fn values_and_flags() {
        let line = "console=ttyS0,115200 quiet root=/dev/vda rw";
        assert_eq!(param(line, "console"), Some("ttyS0,115200"));
        assert_eq!(param(line, "quiet"), Some(""));
        assert_eq!(param(line, "root"), Some("/dev/vda"));
        assert_eq!(param(line, "init"), None);
    }

    #[test]
    fn last_occurrence_wins() {
        assert_eq!(param("loglevel=4 quiet loglevel=7", "loglevel"), Some("7"));
        assert_eq!(param("debug=1 debug", "debug"), Some(""));
        assert_eq!(param("debug debug=2", "debug"), Some("2"));
    }

    #[test]
    fn prefixes_of_other_names_do_not_match() {
        assert_eq!(param("rootwait rootfstype=ext2", "root"), None);
        assert_eq!(param("init=/sbin/init", "ini"), None);
        assert_eq!(param("quiet", "quiet2"), None);
    }

    #[test]
    fn values_may_hold_equals_signs_and_be_empty() {
        assert_eq!(param("opt=a=b", "opt"), Some("a=b"));
        assert_eq!(param("opt=", "opt"), Some(""));
    }

    #[test]
    fn whitespace_of_any_kind_separates() {
        assert_eq!(param("  a=1\tb=2\n c=3  ", "b"), Some("2"));
        assert_eq!(param("", "a"), None);
    }

    #[test]
    fn words_after_double_dash_belong_to_init() {
        assert_eq!(param("quiet -- single init=/bin/sh", "single"), None);
        assert_eq!(param("init=/init -- init=/bin/sh", "init"), Some("/init"));
    }
}
