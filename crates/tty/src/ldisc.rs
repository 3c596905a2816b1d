//! The line discipline (Linux: drivers/tty/n_tty.c): what happens to each
//! byte typed before a program reads it, and to each byte written before
//! the terminal shows it.
//!
//! In canonical mode (ICANON) input is edited a line at a time: ERASE,
//! WERASE and KILL edit the line being typed, NL (or EOL) hands it to
//! readers, and EOF hands over what was typed without a newline, or, on an
//! empty line, makes the next read return 0. Otherwise every byte is
//! readable at once, VMIN and VTIME saying how many a read waits for. With
//! ISIG the INTR, QUIT and SUSP characters become signals for the
//! foreground process group. ECHO shows what is typed, control characters
//! as ^X under ECHOCTL.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use linux_raw_sys::general as g;

use crate::termios::Termios;

/// A signal that a typed character asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Int,
    Quit,
    Tstp,
}

/// The most a line may hold, as Linux's N_TTY_BUF_SIZE.
pub const LINE_MAX: usize = 4095;

pub struct Ldisc {
    pub termios: Termios,
    /// Canonical mode: completed lines, oldest first; an empty one is an
    /// end of file. Raw mode keeps one chunk of bytes.
    ready: VecDeque<Vec<u8>>,
    /// The line being typed (canonical mode).
    line: Vec<u8>,
    /// The next byte is taken literally (after LNEXT).
    literal: bool,
}

impl Default for Ldisc {
    fn default() -> Self {
        Self::new(Termios::default())
    }
}

/// Is `c` shown as ^X by ECHOCTL? Control characters but tab and newline.
fn is_ctl(c: u8) -> bool {
    (c < 0x20 && c != b'\t' && c != b'\n') || c == 0x7f
}

impl Ldisc {
    pub fn new(termios: Termios) -> Ldisc {
        Ldisc {
            termios,
            ready: VecDeque::new(),
            line: Vec::new(),
            literal: false,
        }
    }

    fn canonical(&self) -> bool {
        self.termios.lflag(g::ICANON)
    }

    /// Echo `c` as the terminal shows typed input (Linux: echo_char).
    fn echo_char(&self, c: u8, out: &mut Vec<u8>) {
        if !self.termios.lflag(g::ECHO) {
            return;
        }
        if is_ctl(c) && self.termios.lflag(g::ECHOCTL) {
            out.extend_from_slice(&[b'^', c ^ 0x40]);
        } else {
            self.output(&[c], out);
        }
    }

    /// Take back the last character of the line, and its echo.
    fn erase_one(&mut self, out: &mut Vec<u8>) -> bool {
        let Some(c) = self.line.pop() else {
            return false;
        };
        if self.termios.lflag(g::ECHO) && self.termios.lflag(g::ECHOE) {
            let width = if is_ctl(c) && self.termios.lflag(g::ECHOCTL) {
                2
            } else {
                1
            };
            for _ in 0..width {
                out.extend_from_slice(b"\x08 \x08");
            }
        }
        true
    }

    /// The characters of the line being typed, for a line's end or EOF.
    fn hand_over(&mut self) {
        let line = core::mem::take(&mut self.line);
        self.ready.push_back(line);
    }

    /// A byte arrives from the terminal. What the terminal must show goes
    /// to `echo`; a signal for the foreground group is returned.
    pub fn receive(&mut self, byte: u8, echo: &mut Vec<u8>) -> Option<Signal> {
        let t = self.termios;
        let mut c = byte;
        if t.iflag(g::ISTRIP) {
            c &= 0x7f;
        }
        if self.literal {
            self.literal = false;
            return self.store(c, echo);
        }
        if c == b'\r' {
            if t.iflag(g::IGNCR) {
                return None;
            }
            if t.iflag(g::ICRNL) {
                c = b'\n';
            }
        } else if c == b'\n' && t.iflag(g::INLCR) {
            c = b'\r';
        }
        let is = |index: u32| c != 0 && c == t.cc(index);
        if t.iflag(g::IXON) && (is(g::VSTOP) || is(g::VSTART)) {
            return None;
        }
        if t.lflag(g::ISIG) {
            let signal = if is(g::VINTR) {
                Some(Signal::Int)
            } else if is(g::VQUIT) {
                Some(Signal::Quit)
            } else if is(g::VSUSP) {
                Some(Signal::Tstp)
            } else {
                None
            };
            if let Some(signal) = signal {
                if !t.lflag(g::NOFLSH) {
                    self.flush_input();
                }
                self.echo_char(c, echo);
                return Some(signal);
            }
        }
        if t.lflag(g::IEXTEN) && is(g::VLNEXT) {
            self.literal = true;
            return None;
        }
        if self.canonical() {
            if is(g::VERASE) {
                self.erase_one(echo);
                return None;
            }
            if is(g::VWERASE) && t.lflag(g::IEXTEN) {
                while self.line.last().is_some_and(|&b| b == b' ') {
                    self.erase_one(echo);
                }
                while self.line.last().is_some_and(|&b| b != b' ') {
                    self.erase_one(echo);
                }
                return None;
            }
            if is(g::VKILL) {
                if t.lflag(g::ECHOKE) {
                    while self.erase_one(echo) {}
                } else {
                    self.line.clear();
                    self.echo_char(c, echo);
                    if t.lflag(g::ECHOK) {
                        echo.push(b'\n');
                    }
                }
                return None;
            }
            if is(g::VEOF) {
                // Not echoed; what was typed goes to readers without a newline.
                self.hand_over();
                return None;
            }
            if is(g::VREPRINT) && t.lflag(g::IEXTEN) {
                self.echo_char(c, echo);
                echo.push(b'\n');
                let line = self.line.clone();
                for b in line {
                    self.echo_char(b, echo);
                }
                return None;
            }
        }
        self.store(c, echo)
    }

    /// An ordinary character: to the line (ending it on NL or EOL) or, raw,
    /// straight to readers.
    fn store(&mut self, c: u8, echo: &mut Vec<u8>) -> Option<Signal> {
        let t = self.termios;
        if !self.canonical() {
            self.echo_char(c, echo);
            match self.ready.back_mut() {
                Some(chunk) => chunk.push(c),
                None => self.ready.push_back(alloc::vec![c]),
            }
            return None;
        }
        let ends = c == b'\n' || (c != 0 && (c == t.cc(g::VEOL) || c == t.cc(g::VEOL2)));
        if !ends && self.line.len() >= LINE_MAX {
            return None;
        }
        if c == b'\n' && !t.lflag(g::ECHO) && t.lflag(g::ECHONL) {
            echo.push(b'\n');
        }
        self.echo_char(c, echo);
        self.line.push(c);
        if ends {
            self.hand_over();
        }
        None
    }

    /// Throw away what is typed and not read (TCFLSH, a signal character).
    pub fn flush_input(&mut self) {
        self.ready.clear();
        self.line.clear();
    }

    /// Has a read of `count` bytes what it waits for? A canonical read
    /// needs a line (or an end of file); a raw one VMIN bytes (no more than
    /// `count`, and at least one). How long to wait when VMIN is 0 (VTIME)
    /// is for the caller, which owns the clock.
    pub fn readable(&self, count: usize) -> bool {
        if self.canonical() {
            return !self.ready.is_empty();
        }
        let min = (self.termios.cc(g::VMIN) as usize).min(count).max(1);
        self.available() >= min
    }

    /// Bytes a raw read would get now (FIONREAD counts the same).
    pub fn available(&self) -> usize {
        self.ready.iter().map(|c| c.len()).sum()
    }

    /// Take what a read gets now: up to the end of one line in canonical
    /// mode (0 bytes for an end of file), whatever is there in raw mode.
    pub fn read(&mut self, buf: &mut [u8]) -> usize {
        if self.canonical() {
            let Some(front) = self.ready.front_mut() else {
                return 0;
            };
            let n = front.len().min(buf.len());
            buf[..n].copy_from_slice(&front[..n]);
            front.drain(..n);
            if front.is_empty() {
                self.ready.pop_front();
            }
            return n;
        }
        let mut n = 0;
        while n < buf.len() {
            let Some(front) = self.ready.front_mut() else {
                break;
            };
            let take = front.len().min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&front[..take]);
            front.drain(..take);
            n += take;
            if front.is_empty() {
                self.ready.pop_front();
            }
        }
        n
    }

    /// New settings (TCSETS): leaving canonical mode makes the line typed so
    /// far readable; entering it makes raw input the start of a line.
    pub fn set_termios(&mut self, new: Termios) {
        let was = self.canonical();
        self.termios = new;
        match (was, self.canonical()) {
            (true, false) => {
                let mut all: Vec<u8> = self.ready.drain(..).flatten().collect();
                all.append(&mut self.line);
                if !all.is_empty() {
                    self.ready.push_back(all);
                }
            }
            (false, true) => {
                let raw: Vec<u8> = self.ready.drain(..).flatten().collect();
                self.line = raw;
            }
            _ => {}
        }
    }

    /// Bytes written by a program, as the terminal gets them (OPOST:
    /// ONLCR turns NL into CR NL, OCRNL CR into NL).
    pub fn output(&self, data: &[u8], out: &mut Vec<u8>) {
        let t = self.termios;
        if !t.oflag(g::OPOST) {
            out.extend_from_slice(data);
            return;
        }
        for &c in data {
            match c {
                b'\n' if t.oflag(g::ONLCR) => out.extend_from_slice(b"\r\n"),
                b'\r' if t.oflag(g::OCRNL) => out.push(b'\n'),
                _ => out.push(c),
            }
        }
    }
}
