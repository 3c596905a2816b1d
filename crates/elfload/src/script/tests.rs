//! binfmt_script's rules, case by case.

use super::*;
use alloc::vec;

fn ok(bytes: &[u8]) -> (&[u8], Option<&[u8]>) {
    let shebang = parse_shebang(bytes)
        .expect("a #! file")
        .expect("a good #! line");
    (shebang.interpreter, shebang.argument)
}

fn err(bytes: &[u8]) -> ExecError {
    parse_shebang(bytes)
        .expect("a #! file")
        .expect_err("a bad #! line")
}

#[test]
fn other_formats_are_not_scripts() {
    for bytes in [
        &b""[..],
        b"#",
        b"!#/bin/sh\n",
        b"\x7fELF\x02\x01",
        b" #!/bin/sh\n",
    ] {
        assert_eq!(parse_shebang(bytes), None, "{bytes:?}");
    }
}

#[test]
fn interpreter_alone() {
    assert_eq!(ok(b"#!/bin/sh\necho hi\n"), (&b"/bin/sh"[..], None));
    assert_eq!(ok(b"#! /bin/sh\n"), (&b"/bin/sh"[..], None));
    assert_eq!(ok(b"#!\t \t/bin/sh\n"), (&b"/bin/sh"[..], None));
}

#[test]
fn one_argument_with_its_spaces() {
    assert_eq!(ok(b"#!/bin/sh -e\n"), (&b"/bin/sh"[..], Some(&b"-e"[..])));
    let env = ok(b"#!/usr/bin/env python3 -u\n");
    assert_eq!(env, (&b"/usr/bin/env"[..], Some(&b"python3 -u"[..])));
    assert_eq!(
        ok(b"#!/bin/sh\t \t-x  y\n"),
        (&b"/bin/sh"[..], Some(&b"-x  y"[..]))
    );
}

#[test]
fn trailing_blanks_are_dropped() {
    assert_eq!(ok(b"#!/bin/sh  \t\n"), (&b"/bin/sh"[..], None));
    assert_eq!(
        ok(b"#!/bin/sh -x \t \n"),
        (&b"/bin/sh"[..], Some(&b"-x"[..]))
    );
}

#[test]
fn carriage_return_stays_in_the_line() {
    // The classic "bad interpreter" of a script saved with DOS line ends.
    assert_eq!(ok(b"#!/bin/sh\r\n"), (&b"/bin/sh\r"[..], None));
    assert_eq!(
        ok(b"#!/bin/sh -e\r\n"),
        (&b"/bin/sh"[..], Some(&b"-e\r"[..]))
    );
}

#[test]
fn no_interpreter() {
    assert_eq!(err(b"#!\n"), ExecError::ShebangNoInterpreter);
    assert_eq!(err(b"#!  \t \n"), ExecError::ShebangNoInterpreter);
    let blanks = [&b"#!"[..], &[b' '; 300]].concat();
    assert_eq!(err(&blanks), ExecError::ShebangNoInterpreter);
    assert_eq!(
        ExecError::ShebangNoInterpreter.errno(),
        linux_raw_sys::errno::ENOEXEC
    );
}

#[test]
fn file_without_newline() {
    // A short file is padded with NULs, which end the path.
    assert_eq!(ok(b"#!/bin/sh"), (&b"/bin/sh"[..], None));
    assert_eq!(ok(b"#!/bin/sh -x"), (&b"/bin/sh"[..], Some(&b"-x"[..])));
}

#[test]
fn nul_ends_the_line() {
    assert_eq!(ok(b"#!/bin/sh\0 -x\n"), (&b"/bin/sh"[..], None));
    // A NUL right after the blanks: Linux passes an empty argument.
    assert_eq!(ok(b"#!/bin/sh \0-x\n"), (&b"/bin/sh"[..], Some(&b""[..])));
    // Blanks are trimmed at the end of the line only, not before a NUL.
    assert_eq!(
        ok(b"#!/bin/sh -x \0\n"),
        (&b"/bin/sh"[..], Some(&b"-x "[..]))
    );
    // An empty path: Linux's open_exec looks "" up as the working directory.
    assert_eq!(ok(b"#!\0/bin/sh\n"), (&b""[..], None));
}

#[test]
fn long_line_with_visible_path_end_is_cut() {
    let line = [&b"#!/bin/sh "[..], &[b'x'; 300], b"\n"].concat();
    let (name, arg) = ok(&line);
    assert_eq!(name, b"/bin/sh");
    // The argument keeps bytes 10..255: the last byte of the buffer is dropped.
    assert_eq!(arg, Some(&[b'x'; 245][..]));

    let padded = [&b"#!/bin/sh"[..], &[b' '; 300]].concat();
    assert_eq!(ok(&padded), (&b"/bin/sh"[..], None));
}

#[test]
fn long_path_is_enoexec() {
    let path = [&b"#!/"[..], &[b'p'; 300], b"\n"].concat();
    assert_eq!(err(&path), ExecError::ShebangTruncated);
    assert_eq!(
        ExecError::ShebangTruncated.errno(),
        linux_raw_sys::errno::ENOEXEC
    );
    let blanks_then_path = [&[b'#', b'!'][..], &[b' '; 200], &[b'p'; 100]].concat();
    assert_eq!(err(&blanks_then_path), ExecError::ShebangTruncated);
}

#[test]
fn newline_at_the_last_byte_of_the_buffer() {
    let mut line = [&b"#!/"[..], &[b'p'; 252]].concat();
    line.push(b'\n');
    assert_eq!(line.len(), BINPRM_BUF_SIZE);
    assert_eq!(ok(&line).0.len(), 253);

    // One byte more and the newline falls outside: the path may be cut.
    let line = [&b"#!/"[..], &[b'p'; 253], b"\n"].concat();
    assert_eq!(err(&line), ExecError::ShebangTruncated);
}

fn shebang<'a>(interpreter: &'a [u8], argument: Option<&'a [u8]>) -> Shebang<'a> {
    Shebang {
        interpreter,
        argument,
    }
}

#[test]
fn interpreter_argv() {
    let argv: [&[u8]; 3] = [b"run", b"a", b"b"];
    let mut args = ScriptArgv::new(&argv);
    args.rewrite(&shebang(b"/bin/sh", Some(b"-e")), b"./run.sh")
        .unwrap();
    let want: [&[u8]; 5] = [b"/bin/sh", b"-e", b"./run.sh", b"a", b"b"];
    assert_eq!(args.slices().unwrap(), want);

    // An empty argv (Linux gives it one empty string, which is removed).
    let mut args = ScriptArgv::new(&[]);
    args.rewrite(&shebang(b"/bin/sh", None), b"/x").unwrap();
    assert_eq!(args.slices().unwrap(), vec![&b"/bin/sh"[..], b"/x"]);
}

#[test]
fn a_script_run_by_a_script() {
    // ./s2 q, where s2 is "#!/s1 x" and s1 "#!/show an arg": the name of each
    // script comes after its interpreter and argument.
    let argv: [&[u8]; 2] = [b"s2", b"q"];
    let mut args = ScriptArgv::new(&argv);
    args.rewrite(&shebang(b"/s1", Some(b"x")), b"./s2").unwrap();
    args.rewrite(&shebang(b"/show", Some(b"an arg")), b"/s1")
        .unwrap();
    let want: [&[u8]; 6] = [b"/show", b"an arg", b"/s1", b"x", b"./s2", b"q"];
    assert_eq!(args.slices().unwrap(), want);

    let mut args = ScriptArgv::new(&argv);
    for _ in 0..MAX_SCRIPT_DEPTH {
        args.rewrite(&shebang(b"/s", None), b"/s").unwrap();
    }
    let mut want = vec![&b"/s"[..]; MAX_SCRIPT_DEPTH + 1];
    want.push(b"q");
    assert_eq!(args.slices().unwrap(), want);
    assert_eq!(ExecError::ScriptLoop.errno(), linux_raw_sys::errno::ELOOP);
}
