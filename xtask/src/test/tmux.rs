//! The console under a real terminal: `cargo xtask run` (this binary's run
//! subcommand) in a detached tmux session on a server of its own, driven
//! with send-keys and read with capture-pane. ^C must stop a running
//! `yes > /dev/null` and bring the prompt back, `$?` must be 130, and
//! `poweroff` must end QEMU cleanly (run's exit status 0).

use std::path::Path;
use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::session::ends_with_prompt;
use super::{Options, Tally};
use crate::{paths, progress};

/// The check's name for --filter.
pub const NAME: &str = "tmux/yes-ctrl-c";

/// How long the boot to the first prompt may take.
const BOOT_TIMEOUT: Duration = Duration::from_secs(120);

/// How long any other step may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// The quiet time before ^C: the shell has handed the terminal to `yes`.
const SETTLE: Duration = Duration::from_millis(500);

/// A tmux server of our own (-L), so that no one else's sessions are touched.
struct Server {
    socket: String,
}

impl Server {
    fn tmux(&self, args: &[&str]) -> Result<Output> {
        let output = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .context("running tmux")?;
        if !output.status.success() {
            bail!(
                "tmux {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(output)
    }

    /// The pane's text, trailing blank lines left out.
    fn screen(&self) -> Result<String> {
        let out = self.tmux(&["capture-pane", "-p", "-t", "main"])?;
        let text = String::from_utf8_lossy(&out.stdout);
        Ok(text.trim_end_matches(['\n', ' ']).to_string() + " ")
    }

    fn keys(&self, keys: &[&str]) -> Result<()> {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        self.tmux(&args).map(|_| ())
    }

    /// Polls the screen until `done` says yes; the screen then.
    fn wait(&self, what: &str, limit: Duration, done: impl Fn(&str) -> bool) -> Result<String> {
        let start = Instant::now();
        loop {
            let screen = self.screen()?;
            if done(&screen) {
                return Ok(screen);
            }
            if start.elapsed() > limit {
                bail!(
                    "waited {} s for {what}; the screen:\n{}",
                    limit.as_secs(),
                    screen
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls until the screen has not changed for `quiet`.
    fn settle(&self, quiet: Duration) -> Result<()> {
        let start = Instant::now();
        let (mut last, mut since) = (self.screen()?, Instant::now());
        while since.elapsed() < quiet {
            if start.elapsed() > STEP_TIMEOUT {
                bail!("the screen kept changing for {} s", STEP_TIMEOUT.as_secs());
            }
            thread::sleep(Duration::from_millis(50));
            let now = self.screen()?;
            if now != last {
                (last, since) = (now, Instant::now());
            }
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// The last line of a screen.
fn last_line(screen: &str) -> &str {
    screen.trim_end().lines().last().unwrap_or("")
}

/// Runs the check and counts it.
pub fn run(options: &Options, tally: &mut Tally) {
    if !options.selects(NAME) {
        return;
    }
    if options.stop_now(tally) {
        tally.skipped.push(NAME.into());
        return;
    }
    let spinner = progress::spinner(format!("{NAME}: cargo xtask run in tmux"));
    let result = session();
    spinner.clear();
    match result {
        Ok(prompt) => {
            println!(
                "{NAME} ... ok (first prompt after {})",
                progress::seconds(prompt)
            );
            tally.passed += 1;
        }
        Err(err) => {
            let text = format!("{err:#}").replace('\n', "\n    | ");
            println!("{NAME} ... FAILED\n    {text}");
            tally.fail(NAME.into());
        }
    }
}

/// The session; the time from starting tmux to the first prompt.
fn session() -> Result<Duration> {
    let exe = std::env::current_exe().context("the path of xtask")?;
    let status = paths::out_dir().join("tmux-run.status");
    let _ = std::fs::remove_file(&status);
    let server = Server {
        socket: format!("noyau-test-{}", std::process::id()),
    };
    let start = Instant::now();
    server.tmux(&[
        "new-session",
        "-d",
        "-s",
        "main",
        "-x",
        "100",
        "-y",
        "30",
        &command(&exe, &status),
    ])?;

    server.wait("the first prompt", BOOT_TIMEOUT, ends_with_prompt)?;
    let prompt = start.elapsed();
    server.keys(&["yes > /dev/null", "Enter"])?;
    server.wait("yes to start", STEP_TIMEOUT, |s| {
        last_line(s).ends_with("yes > /dev/null")
    })?;
    server.settle(SETTLE)?;
    server.keys(&["C-c"])?;
    server.wait("the prompt after ^C", STEP_TIMEOUT, |s| {
        ends_with_prompt(s) && s.contains("yes > /dev/null")
    })?;
    server.keys(&["echo status $?", "Enter"])?;
    server.wait("the status of yes", STEP_TIMEOUT, |s| {
        s.lines().any(|l| l.trim_end() == "status 130") && ends_with_prompt(s)
    })?;
    server.keys(&["poweroff", "Enter"])?;

    let ended = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&status) {
            match text.trim() {
                "0" => return Ok(prompt),
                code => bail!(
                    "cargo xtask run ended with status {code}; the screen:\n{}",
                    server.screen().unwrap_or_default()
                ),
            }
        }
        if ended.elapsed() > STEP_TIMEOUT {
            bail!(
                "QEMU still runs {} s after poweroff; the screen:\n{}",
                STEP_TIMEOUT.as_secs(),
                server.screen().unwrap_or_default()
            );
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// The shell command tmux runs: xtask's run, then its status into a file.
fn command(exe: &Path, status: &Path) -> String {
    let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
    format!(
        "{} run --timeout {}; echo $? > {}",
        quote(exe),
        BOOT_TIMEOUT.as_secs() + 60,
        quote(status)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_quotes_its_paths_and_keeps_the_status() {
        let line = command(Path::new("/t/x'task"), Path::new("/t/s"));
        assert_eq!(line, r"'/t/x'\''task' run --timeout 180; echo $? > '/t/s'");
    }

    #[test]
    fn the_last_line_is_the_prompt_or_the_command() {
        assert_eq!(
            last_line("a\nroot@noyau:/# yes > /dev/null \n\n"),
            "root@noyau:/# yes > /dev/null"
        );
    }
}
