//! What a shell session may legitimately print differently on noyau and on
//! Linux: each rule rewrites a line (of every command, or of the output of
//! the commands it names) and says why the difference is not a bug.
//! tests/boot/README.md lists the same rules for the reader.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// How a rule rewrites a line.
enum Rewrite {
    /// Every match of the regex, replaced (with `$1` for groups).
    Replace(&'static str, &'static str),
    /// The two first columns (ps's PID and PPID): every number but 0 and 1
    /// becomes P1, P2, ... in the order the session first shows it.
    Pids,
}

/// One rule.
struct Rule {
    /// Only the output of a command line matching this (every line if None).
    command: Option<&'static str>,
    rewrite: Rewrite,
    /// Why the difference is legitimate (tests/boot/README.md says the same).
    #[allow(dead_code)]
    reason: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        command: Some(r"^uname"),
        rewrite: Rewrite::Replace(
            r"^(Linux \S+) .+ (x86_64 GNU/Linux)$",
            "$1 RELEASE VERSION $2",
        ),
        reason: "the kernel's release and version name the kernel",
    },
    Rule {
        command: None,
        rewrite: Rewrite::Replace(r"[A-Z][a-z]{2} [ 1-3][0-9] [0-9]{2}:[0-9]{2} ", "DATE "),
        reason: "files made since boot (mount points, device nodes, the session's \
                 files) carry the time of the run",
    },
    Rule {
        command: Some(r"^ls -l /$"),
        rewrite: Rewrite::Replace(
            r"^(d[-rwxt]{9}) +[0-9]+ (root +root) +[0-9]+ (.* (?:dev|proc))$",
            "$1 N $2 N $3",
        ),
        reason: "the link count and size of /dev and /proc count device nodes and \
                 processes: the drivers differ, and Linux has kernel threads",
    },
    Rule {
        command: Some(r"^ps "),
        rewrite: Rewrite::Pids,
        reason: "Linux's kernel threads take PIDs before the shell starts",
    },
    Rule {
        command: None,
        rewrite: Rewrite::Replace(r"pipe:\[[0-9]+\]", "pipe:[N]"),
        reason: "pipefs inode numbers count the pipes made since boot, by the kernel too",
    },
    Rule {
        command: None,
        rewrite: Rewrite::Replace(r"size=[0-9]+k,nr_inodes=[0-9]+", "size=Nk,nr_inodes=N"),
        reason: "tmpfs limits are half of the memory the kernel leaves free",
    },
];

enum Compiled {
    Replace(Regex, &'static str),
    Pids(Regex),
}

static COMPILED: LazyLock<Vec<(Option<Regex>, Compiled)>> = LazyLock::new(|| {
    let regex = |r: &str| Regex::new(r).expect("a rule's regex");
    RULES
        .iter()
        .map(|r| {
            let rewrite = match r.rewrite {
                Rewrite::Replace(pattern, with) => Compiled::Replace(regex(pattern), with),
                Rewrite::Pids => Compiled::Pids(regex(r"^( *)([0-9]+)( +)([0-9]+)( .*)$")),
            };
            (r.command.map(regex), rewrite)
        })
        .collect()
});

/// The prompt that starts a command line (session.rs waits for it), and
/// the cursor-position request busybox's line editor sends after it.
static PROMPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z_][a-z0-9_-]*@[A-Za-z0-9.-]+:[^ ]*[#$] (?:\^\[\[6n)?").expect("a regex")
});

/// A full-screen program's output, from entering the alternate screen to
/// leaving it (busybox vi), and the escape sequences in it.
static SCREEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\^\[\[\?1049h(.*?)\^\[\[\?1049l").expect("a regex"));
static CSI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\^\[\[([0-9;?]*)([A-Za-z])").expect("a regex"));

/// The size busybox vi assumes when the terminal does not answer.
const ROWS: usize = 24;
const COLUMNS: usize = 80;

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

/// A full-screen program's output as the screen it left, one line per row
/// that is not blank: vi redraws after each read of the terminal, and how
/// the typed keys fall into reads depends on timing, so the sequences it
/// writes do too, not the screen they draw.
fn screens(text: &str) -> String {
    SCREEN
        .replace_all(text, |c: &regex::Captures| {
            let rows = render(&c[1]);
            let shown = rows
                .iter()
                .enumerate()
                .filter(|(_, row)| !row.is_empty())
                .map(|(i, row)| format!("[screen {:2}] {row}\n", i + 1));
            shown.collect::<String>()
        })
        .into_owned()
}

/// The rows a terminal shows after `text` (in `^X` notation): cursor
/// positioning (H), erasing (J, K), carriage return and backspace.
fn render(text: &str) -> Vec<String> {
    let mut grid = vec![vec![' '; COLUMNS]; ROWS];
    let (mut row, mut col) = (0usize, 0usize);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(m) = CSI.captures(rest) {
            let args: Vec<usize> = m[1].split(';').map(|a| a.parse().unwrap_or(0)).collect();
            let arg = |i: usize| args.get(i).copied().unwrap_or(0);
            match &m[2] {
                "H" => {
                    row = arg(0).clamp(1, ROWS) - 1;
                    col = arg(1).clamp(1, COLUMNS) - 1;
                }
                "J" if arg(0) == 2 => grid.iter_mut().for_each(|r| r.fill(' ')),
                "J" => {
                    grid[row][col..].fill(' ');
                    grid[row + 1..].iter_mut().for_each(|r| r.fill(' '));
                }
                "K" => grid[row][col..].fill(' '),
                _ => {}
            }
            rest = &rest[m[0].len()..];
            continue;
        }
        let mut step = c.len_utf8();
        match c {
            '^' if rest.starts_with("^M") => (col, step) = (0, 2),
            '^' if rest.starts_with("^H") => (col, step) = (col.saturating_sub(1), 2),
            '\n' => row = (row + 1).min(ROWS - 1),
            c => {
                if col < COLUMNS {
                    grid[row][col] = c;
                }
                col = (col + 1).min(COLUMNS);
            }
        }
        rest = &rest[step..];
    }
    grid.iter()
        .map(|r| r.iter().collect::<String>().trim_end().to_string())
        .collect()
}

/// The session's lines, control characters shown and every rule applied.
pub fn session(text: &str) -> Vec<String> {
    let mut command = String::new();
    let mut pids: HashMap<String, String> = HashMap::new();
    let mut lines = Vec::new();
    for line in screens(&visible(text)).lines() {
        let mut line = line.to_string();
        if let Some(m) = PROMPT.find(&line) {
            command = line[m.end()..].to_string();
            lines.push(line);
            continue;
        }
        for (only, rewrite) in COMPILED.iter() {
            if only.as_ref().is_some_and(|c| !c.is_match(&command)) {
                continue;
            }
            line = match rewrite {
                Compiled::Replace(re, with) => re.replace_all(&line, *with).into_owned(),
                Compiled::Pids(re) => renumber(re, &line, &mut pids),
            };
        }
        lines.push(line);
    }
    lines
}

/// ps's first two columns with each PID but 0 and 1 named by its order of
/// appearance, right-aligned in the same width.
fn renumber(re: &Regex, line: &str, pids: &mut HashMap<String, String>) -> String {
    let Some(c) = re.captures(line) else {
        return line.to_string();
    };
    let mut name = |pid: &str| -> String {
        if pid == "0" || pid == "1" {
            return pid.to_string();
        }
        let next = format!("P{}", pids.len() + 1);
        pids.entry(pid.to_string()).or_insert(next).clone()
    };
    let (pid, ppid) = (name(&c[2]), name(&c[4]));
    let first = c[1].len() + c[2].len();
    let second = c[3].len() + c[4].len();
    format!("{pid:>first$}{ppid:>second$}{}", &c[5])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_show_and_cr_lf_is_a_newline() {
        assert_eq!(session("a\r\nb\x1b[H\rc\x03\n"), ["a", "b^[[H^Mc^C"]);
    }

    #[test]
    fn rules_apply_to_their_commands_output() {
        let text = "root@noyau:/# \x1b[6nuname -a\r\n\
                    Linux noyau 6.1.0-57-amd64 #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\r\n\
                    root@noyau:/# ls -l /\r\n\
                    dr-xr-xr-x   59 root     root             0 Dec  4 06:47 proc\r\n\
                    drwxr-xr-x    2 root     root            40 Jan  1  1970 tmp\r\n\
                    root@noyau:/# echo Dec  4 06:47 \r\n\
                    Dec  4 06:47 \r\n";
        assert_eq!(
            session(text),
            [
                "root@noyau:/# ^[[6nuname -a",
                "Linux noyau RELEASE VERSION x86_64 GNU/Linux",
                "root@noyau:/# ls -l /",
                "dr-xr-xr-x N root     root N DATE proc",
                "drwxr-xr-x    2 root     root            40 Jan  1  1970 tmp",
                "root@noyau:/# echo Dec  4 06:47 ",
                "DATE ",
            ]
        );
    }

    #[test]
    fn pids_are_named_in_order_and_keep_their_columns() {
        let text = concat!(
            "root@noyau:/# ps -o pid,ppid,args\n",
            "PID   PPID  COMMAND\n",
            "    1     0 init\n",
            "   88     1 sh\n",
            "   95    88 ps\n",
        );
        assert_eq!(
            session(text)[1..],
            [
                "PID   PPID  COMMAND",
                "    1     0 init",
                "   P1     1 sh",
                "   P2    P1 ps"
            ]
        );
    }

    #[test]
    fn a_full_screen_program_is_the_screen_it_left() {
        // Two ways to draw the same screen: all at once, or a word, a cursor
        // move over the space, then the rest.
        let at_once = "\x1b[?1049h\x1b[H\x1b[J\x1b[2;1H~\x1b[1;1Hhello from vi";
        let in_steps = "\x1b[?1049h\x1b[2;1H~\x1b[1;1Hhello from\x1b[1;12Hvi\x1b[24;1H\x1b[K";
        for drawn in [at_once, in_steps] {
            let text = format!("vi x\r\n{drawn}\x1b[?1049lroot@noyau:/# ls\r\n");
            assert_eq!(
                session(&text),
                [
                    "vi x",
                    "[screen  1] hello from vi",
                    "[screen  2] ~",
                    "root@noyau:/# ls"
                ]
            );
        }
    }
}
