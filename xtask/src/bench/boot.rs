//! One boot of the benchmark: QEMU started with the arguments every boot
//! test uses, its serial console read line by line as it comes, the wall
//! time from QEMU's start to the runner's first line kept, and each
//! benchmark line shown on the progress bar.

use std::io::{BufRead, BufReader};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::ProgressBar;

use crate::qemu::{self, Machine};

/// What one boot printed, and when init spoke first.
pub struct Boot {
    /// The serial console, without carriage returns.
    pub log: String,
    /// Wall time from QEMU's start to the first `runner: ` line.
    pub to_init: Option<Duration>,
}

/// Boots `machine` until QEMU ends or `timeout`; `bar` advances by one for
/// each benchmark line.
pub fn run(machine: &Machine, timeout: Duration, bar: &ProgressBar) -> Result<Boot> {
    let qemu::Piped {
        mut child,
        stdout,
        errors,
        start,
        ..
    } = qemu::spawn_piped(machine, false)?;
    let (send, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).split(b'\n').map_while(Result::ok) {
            let line = String::from_utf8_lossy(&line).replace('\r', "");
            if send.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });

    let mut boot = Boot {
        log: String::new(),
        to_init: None,
    };
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        match lines.recv_timeout(left) {
            Ok((at, line)) => {
                if boot.to_init.is_none() && line.starts_with("runner: ") {
                    boot.to_init = Some(at - start);
                }
                if let Some(name) = line.strip_prefix("bench: ") {
                    if !name.starts_with("uptime ") && !name.starts_with("done ") {
                        bar.inc(1);
                    }
                }
                boot.log += &line;
                boot.log.push('\n');
            }
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                anyhow::bail!("QEMU was still running after {} s", timeout.as_secs());
            }
        }
    }
    let status = child.wait().context("waiting for QEMU")?;
    let stderr = errors.join().unwrap_or_default();
    // Both kernels power off (noyau through isa-debug-exit, status 1; Linux
    // through ACPI, status 0); anything else with a message is QEMU's error.
    if !matches!(status.code(), Some(0 | 1)) || stderr.contains("qemu-system-x86_64: -") {
        anyhow::bail!("QEMU ended with {status}: {}", stderr.trim());
    }
    Ok(boot)
}
