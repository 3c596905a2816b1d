//! A shell session typed into a QEMU serial console, as a person would type
//! it: each command once the shell's prompt is back, keys for a full-screen
//! program or a foreground job once the screen shows a given text. The
//! script format (tests/shell/*.sh) is in tests/boot/README.md.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use regex::Regex;

use super::checks;
use crate::qemu::{self, Machine};

/// What must be on the console, after the last thing typed, before the next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wait {
    /// The shell's prompt ends the output.
    Prompt,
    /// This text was printed.
    Text(String),
    /// Nothing: only the quiet time.
    Quiet,
}

/// One thing typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub wait: Wait,
    pub keys: String,
    /// The script line it comes from, for messages.
    pub line: usize,
}

/// How long the console must have been silent before a key is typed: the
/// shell prints a foreground job's command line just before it hands the
/// terminal to the job, and busybox vi reads an ESC followed within 50 ms
/// by more keys as one escape sequence.
const QUIET: Duration = Duration::from_millis(300);

/// The longest one step may wait.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the machine may take to end after the last step (poweroff).
const END_TIMEOUT: Duration = Duration::from_secs(60);

/// Reads a script: a command per line, typed with a newline once the prompt
/// is back; `#@expect TEXT` makes the next step wait for TEXT instead;
/// `#@send KEYS` types KEYS (escapes \e, \n, \r, \t, \\, \xHH) without a
/// newline, after the quiet time only unless an `#@expect` came before.
/// Blank lines and other lines starting with `#` are comments.
pub fn parse(text: &str) -> Result<Vec<Step>> {
    let mut steps = Vec::new();
    let mut pending: Option<Wait> = None;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        if let Some(text) = line.strip_prefix("#@expect ") {
            if pending.is_some() {
                bail!("line {number}: two #@expect in a row");
            }
            pending = Some(Wait::Text(
                unescape(text).context(format!("line {number}"))?,
            ));
        } else if let Some(keys) = line.strip_prefix("#@send ") {
            let keys = unescape(keys).with_context(|| format!("line {number}"))?;
            let wait = pending.take().unwrap_or(Wait::Quiet);
            steps.push(Step {
                wait,
                keys,
                line: number,
            });
        } else if line.starts_with("#@") {
            bail!("line {number}: unknown directive {line:?} (#@expect, #@send)");
        } else if line.trim().is_empty() || line.starts_with('#') {
            continue;
        } else {
            let wait = pending.take().unwrap_or(Wait::Prompt);
            steps.push(Step {
                wait,
                keys: format!("{line}\n"),
                line: number,
            });
        }
    }
    if pending.is_some() {
        bail!("the script ends with an #@expect and nothing to type after it");
    }
    if steps.is_empty() {
        bail!("the script types nothing");
    }
    Ok(steps)
}

/// C-style escapes of `#@send` and `#@expect`.
fn unescape(text: &str) -> Result<String> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('e') => out.push('\x1b'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let byte = u8::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|b| b.is_ascii())
                    .with_context(|| format!("bad escape \\x{hex}"))?;
                out.push(char::from(byte));
            }
            other => bail!(
                "bad escape \\{}",
                other.map(String::from).unwrap_or_default()
            ),
        }
    }
    Ok(out)
}

/// Whether the console's last line is the prompt of the system's
/// /etc/profile, `\u@\h:\w\$ ` (root@noyau:/# ). Leaving a full-screen
/// program's alternate screen (`ESC [ ? 1049 l`) starts a line too.
pub fn ends_with_prompt(output: &str) -> bool {
    static PROMPT: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"(?:^|\n)[a-z_][a-z0-9_-]*@[A-Za-z0-9.-]+:[^\n]*[#$] $").expect("a regex")
    });
    PROMPT.is_match(&checks::clean_log(&output.replace("\x1b[?1049l", "\n")))
}

/// One session on one kernel.
pub struct Transcript {
    /// Everything the console printed, as bytes came (lossy UTF-8).
    pub serial: String,
    /// Byte offsets of the session: the start of the first prompt's line,
    /// and the end of the line echoing the last step.
    pub session: Option<(usize, usize)>,
    /// Wall time from QEMU's start to the first prompt.
    pub first_prompt: Option<Duration>,
    /// QEMU's exit status, if it ended.
    pub status: Option<i32>,
    pub stderr: String,
    /// Why the session did not run to its end.
    pub failure: Option<String>,
}

impl Transcript {
    /// The session's text, from the first prompt to the typed last line.
    pub fn session_text(&self) -> &str {
        match self.session {
            Some((from, to)) => &self.serial[from..to],
            None => "",
        }
    }
}

/// The console as it comes: the bytes, and when the last ones arrived.
#[derive(Default)]
struct Screen {
    bytes: Vec<u8>,
    last: Option<Instant>,
    closed: bool,
}

/// Boots `machine` with its console on pipes and types `steps`.
pub fn run(machine: &Machine, steps: &[Step]) -> Result<Transcript> {
    let qemu::Piped {
        mut child,
        stdin,
        mut stdout,
        errors,
        start,
    } = qemu::spawn_piped(machine, true)?;
    let mut stdin = stdin.context("QEMU's stdin")?;
    let console = Arc::new(Mutex::new(Screen::default()));
    let reader = {
        let console = console.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                let n = stdout.read(&mut buf).unwrap_or(0);
                let mut c = console.lock().expect("the console lock is never poisoned");
                if n == 0 {
                    c.closed = true;
                    return;
                }
                c.bytes.extend_from_slice(&buf[..n]);
                c.last = Some(Instant::now());
            }
        })
    };

    let mut transcript = Transcript {
        serial: String::new(),
        session: None,
        first_prompt: None,
        status: None,
        stderr: String::new(),
        failure: None,
    };
    let mut mark = 0;
    let mut sent: Option<Instant> = None;
    let mut session_start = None;
    for step in steps {
        let waited = Instant::now();
        loop {
            let (ready, closed, len) = {
                let c = console.lock().expect("the console lock is never poisoned");
                let since = String::from_utf8_lossy(&c.bytes[mark..]);
                let shown = match &step.wait {
                    Wait::Prompt => ends_with_prompt(&since),
                    Wait::Text(text) => since.contains(text.as_str()),
                    Wait::Quiet => true,
                };
                if shown && session_start.is_none() && step.wait == Wait::Prompt {
                    transcript.first_prompt = Some(start.elapsed());
                    let text = String::from_utf8_lossy(&c.bytes);
                    session_start = Some(text.rfind('\n').map_or(0, |at| at + 1));
                }
                // Quiet since the last output and since the last keys.
                let last = c.last.max(sent);
                let quiet = last.is_none_or(|last| last.elapsed() >= QUIET);
                (shown && quiet, c.closed, c.bytes.len())
            };
            if ready {
                mark = len;
                break;
            }
            if closed {
                transcript.failure = Some(format!(
                    "the machine ended while line {} waited for {}",
                    step.line,
                    describe(&step.wait)
                ));
                break;
            }
            if waited.elapsed() > STEP_TIMEOUT {
                transcript.failure = Some(format!(
                    "line {} waited {} s for {}",
                    step.line,
                    STEP_TIMEOUT.as_secs(),
                    describe(&step.wait)
                ));
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        if transcript.failure.is_some() {
            break;
        }
        if stdin
            .write_all(step.keys.as_bytes())
            .and_then(|()| stdin.flush())
            .is_err()
        {
            transcript.failure = Some(format!("QEMU's console closed at line {}", step.line));
            break;
        }
        sent = Some(Instant::now());
    }

    // The machine ends by itself after the last step; the console stays
    // open meanwhile, as a closed one is an end of file to the shell.
    let ended = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for QEMU")? {
            break Some(status);
        }
        if ended.elapsed() > END_TIMEOUT || transcript.failure.is_some() {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    let _ = reader.join();
    transcript.stderr = errors.join().unwrap_or_default();
    transcript.status = status.and_then(|s| s.code());
    if status.is_none() && transcript.failure.is_none() {
        transcript.failure = Some(format!(
            "the machine was still running {} s after the last line",
            END_TIMEOUT.as_secs()
        ));
    }

    let bytes = std::mem::take(
        &mut console
            .lock()
            .expect("the console lock is never poisoned")
            .bytes,
    );
    transcript.serial = String::from_utf8_lossy(&bytes).into_owned();
    if let (Some(from), None) = (session_start, &transcript.failure) {
        // The end: the line that echoes the last step, typed at `mark`.
        let to = transcript.serial[mark.min(transcript.serial.len())..]
            .find('\n')
            .map_or(transcript.serial.len(), |at| mark + at + 1);
        transcript.session = Some((from, to));
    }
    Ok(transcript)
}

fn describe(wait: &Wait) -> String {
    match wait {
        Wait::Prompt => "the prompt".into(),
        Wait::Text(text) => format!("{text:?}"),
        Wait::Quiet => "a quiet console".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_wait_for_the_prompt_and_keys_for_their_text() {
        let script = "# a comment\n\nls /\nvi /tmp/x\n#@expect ~\n#@send ihi\\e\n#@send ZZ\npwd\n";
        let steps = parse(script).unwrap();
        let got: Vec<_> = steps.iter().map(|s| (&s.wait, s.keys.as_str())).collect();
        assert_eq!(
            got,
            [
                (&Wait::Prompt, "ls /\n"),
                (&Wait::Prompt, "vi /tmp/x\n"),
                (&Wait::Text("~".into()), "ihi\x1b"),
                (&Wait::Quiet, "ZZ"),
                (&Wait::Prompt, "pwd\n"),
            ]
        );
        assert_eq!(steps[0].line, 3);
    }

    #[test]
    fn bad_scripts_are_refused() {
        assert!(parse("#@expect x\n").is_err());
        assert!(parse("#@wait x\nls\n").is_err());
        assert!(parse("# nothing\n").is_err());
        assert!(parse("#@send \\q\n").is_err());
        assert_eq!(parse("#@send \\x03\\r\n").unwrap()[0].keys, "\x03\r");
    }

    #[test]
    fn the_prompt_is_the_last_line() {
        assert!(ends_with_prompt("motd\r\nroot@noyau:/# "));
        assert!(ends_with_prompt("root@noyau:~# "));
        assert!(ends_with_prompt("x\nalice@noyau:/home/alice$ "));
        assert!(!ends_with_prompt("root@noyau:/# ls\r\n"));
        assert!(!ends_with_prompt("root@noyau:/# ls"));
        assert!(ends_with_prompt(
            ":q!\x1b[1;11H\x1b[?1049lroot@noyau:/# \x1b[6n"
        ));
    }
}
