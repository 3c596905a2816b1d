//! n_tty's behaviour, byte by byte, as a terminal user sees it.

use alloc::vec::Vec;

use linux_raw_sys::general as g;
use proptest::prelude::*;

use super::*;

/// Type `input`; what was echoed and the signals asked for.
fn typed(ld: &mut Ldisc, input: &[u8]) -> (Vec<u8>, Vec<Signal>) {
    let mut echo = Vec::new();
    let mut signals = Vec::new();
    for &b in input {
        signals.extend(ld.receive(b, &mut echo));
    }
    (echo, signals)
}

fn read_all(ld: &mut Ldisc) -> Vec<u8> {
    let mut buf = [0u8; 256];
    let n = ld.read(&mut buf);
    buf[..n].to_vec()
}

#[test]
fn canonical_lines_come_whole_with_cr_mapped_to_nl() {
    let mut ld = Ldisc::default();
    let (echo, _) = typed(&mut ld, b"ls -l");
    assert_eq!(echo, b"ls -l");
    assert!(!ld.readable(100), "no line yet");
    let (echo, _) = typed(&mut ld, b"\r");
    assert_eq!(echo, b"\r\n", "NL echoed through ONLCR");
    assert_eq!(read_all(&mut ld), b"ls -l\n");
    assert!(!ld.readable(100));
}

#[test]
fn a_read_takes_at_most_one_line() {
    let mut ld = Ldisc::default();
    typed(&mut ld, b"one\ntwo\n");
    let mut buf = [0u8; 2];
    assert_eq!(ld.read(&mut buf), 2);
    assert_eq!(&buf, b"on");
    assert_eq!(read_all(&mut ld), b"e\n");
    assert_eq!(read_all(&mut ld), b"two\n");
}

#[test]
fn erase_kill_and_werase_edit_the_line() {
    let mut ld = Ldisc::default();
    let (echo, _) = typed(&mut ld, b"abc\x7f");
    assert_eq!(echo, b"abc\x08 \x08");
    typed(&mut ld, b"d e f\x17\x17x\n");
    assert_eq!(read_all(&mut ld), b"abd x\n");
    let (echo, _) = typed(&mut ld, b"xy\x15");
    assert_eq!(
        echo, b"xy\x08 \x08\x08 \x08",
        "ECHOKE erases the line on screen"
    );
    typed(&mut ld, b"z\n");
    assert_eq!(read_all(&mut ld), b"z\n");
    let (echo, _) = typed(&mut ld, b"\x7f");
    assert!(echo.is_empty(), "nothing to erase, nothing echoed");
}

#[test]
fn eof_on_an_empty_line_reads_as_zero_and_mid_line_hands_it_over() {
    let mut ld = Ldisc::default();
    let (echo, _) = typed(&mut ld, b"\x04");
    assert!(echo.is_empty(), "EOF is not echoed");
    assert!(ld.readable(10));
    assert_eq!(read_all(&mut ld), b"");
    typed(&mut ld, b"ab\x04");
    assert_eq!(read_all(&mut ld), b"ab");
}

#[test]
fn signal_characters_flush_input_and_echo_as_ctl() {
    let mut ld = Ldisc::default();
    let (echo, signals) = typed(&mut ld, b"yes\x03");
    assert_eq!(signals, [Signal::Int]);
    assert_eq!(echo, b"yes^C");
    assert!(!ld.readable(10));
    let (_, signals) = typed(&mut ld, b"\x1c\x1a");
    assert_eq!(signals, [Signal::Quit, Signal::Tstp]);
    let mut t = ld.termios;
    t.lflag &= !g::ISIG;
    ld.set_termios(t);
    let (_, signals) = typed(&mut ld, b"\x03\n");
    assert!(signals.is_empty());
    assert_eq!(read_all(&mut ld), b"\x03\n");
}

#[test]
fn lnext_takes_the_next_character_literally() {
    let mut ld = Ldisc::default();
    let (_, signals) = typed(&mut ld, b"\x16\x03\n");
    assert!(signals.is_empty());
    assert_eq!(read_all(&mut ld), b"\x03\n");
}

#[test]
fn raw_mode_hands_over_every_byte_and_honours_vmin() {
    let mut ld = Ldisc::default();
    typed(&mut ld, b"half");
    let mut t = ld.termios;
    t.lflag &= !(g::ICANON | g::ECHO);
    t.cc[g::VMIN as usize] = 3;
    ld.set_termios(t);
    assert!(ld.readable(10), "the half line became readable");
    assert_eq!(read_all(&mut ld), b"half");
    let (echo, _) = typed(&mut ld, b"ab");
    assert!(echo.is_empty());
    assert!(!ld.readable(10), "VMIN 3, 2 bytes");
    assert!(ld.readable(2), "no more than asked for");
    typed(&mut ld, b"\x7fq");
    assert_eq!(read_all(&mut ld), b"ab\x7fq", "no editing in raw mode");
}

#[test]
fn output_maps_nl_to_cr_nl_only_with_opost() {
    let mut ld = Ldisc::default();
    let mut out = Vec::new();
    ld.output(b"a\nb", &mut out);
    assert_eq!(out, b"a\r\nb");
    let mut t = ld.termios;
    t.oflag &= !g::OPOST;
    ld.set_termios(t);
    out.clear();
    ld.output(b"a\nb", &mut out);
    assert_eq!(out, b"a\nb");
}

#[test]
fn termios_round_trips_through_its_36_bytes() {
    let t = Termios::default();
    assert_eq!(Termios::from_bytes(&t.to_bytes()), t);
    let b = t.to_bytes();
    assert_eq!(&b[0..4], &(g::ICRNL | g::IXON).to_le_bytes());
    assert_eq!(b[17 + g::VINTR as usize], 3);
    assert_eq!(b[17 + g::VMIN as usize], 1);
}

proptest! {
    /// Whatever is typed in canonical mode, readers get only whole lines
    /// (each ends in NL) or EOF-terminated pieces, never more than was
    /// typed, and no line longer than LINE_MAX + 1.
    #[test]
    fn canonical_reads_are_lines(input in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut ld = Ldisc::default();
        let mut echo = Vec::new();
        for b in &input {
            ld.receive(*b, &mut echo);
        }
        let mut total = 0;
        let mut buf = [0u8; LINE_MAX + 2];
        for _ in 0..input.len() + 1 {
            if !ld.readable(buf.len()) {
                break;
            }
            let n = ld.read(&mut buf);
            total += n;
            prop_assert!(n <= LINE_MAX + 1);
        }
        prop_assert!(total <= input.len());
    }
}
