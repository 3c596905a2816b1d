//! Progress of long steps (package install, kernel build, ISO, host tests):
//! a spinner while the step runs when stderr is a terminal, plain lines
//! otherwise (CI logs), and always one closing line with the time taken.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// One running step; say how it ended with `done` or `failed`.
pub struct Step {
    what: String,
    start: Instant,
    spinner: Option<ProgressBar>,
}

/// Announces `what` (for example "building the kernel").
pub fn start(what: impl Into<String>) -> Step {
    let what = what.into();
    let spinner = if std::io::stderr().is_terminal() {
        Some(spin(&what))
    } else {
        eprintln!("{what} ...");
        None
    };
    Step {
        what,
        start: Instant::now(),
        spinner,
    }
}

/// A spinner only, for a step whose caller prints its own result line;
/// nothing at all when stderr is not a terminal. End it with `clear`.
pub fn spinner(what: impl Into<String>) -> Step {
    let what = what.into();
    let spinner = std::io::stderr().is_terminal().then(|| spin(&what));
    Step {
        what,
        start: Instant::now(),
        spinner,
    }
}

fn spin(what: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

impl Step {
    /// Removes the spinner without a closing line.
    pub fn clear(self) {
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
        }
    }

    pub fn done(self) {
        self.finish("done");
    }

    pub fn failed(self) {
        self.finish("FAILED");
    }

    fn finish(self, how: &str) {
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
        }
        eprintln!(
            "{} ... {how} ({})",
            self.what,
            seconds(self.start.elapsed())
        );
    }
}

/// "2.4 s": how xtask prints durations.
pub fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}
