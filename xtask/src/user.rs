//! noyau's own user programs: every user/tests/NAME.c compiled with musl-gcc
//! into a static executable, target/noyau/user/NAME, again only when its
//! source is newer (as Linux's tools/testing/selftests are built for a target).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use anyhow::{bail, Context, Result};

use crate::{paths, progress};

/// The C compiler: gcc with musl's headers and static libc (Debian's musl-tools).
pub const CC: &str = "musl-gcc";

/// Static, so that the kernel needs no dynamic loader; warnings are errors,
/// so that a test program says exactly what its source says.
pub const CFLAGS: &[&str] = &["-static", "-O2", "-Wall", "-Wextra", "-Werror"];

/// One user program: its name (the source's file stem) and its executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub name: String,
    pub path: PathBuf,
}

/// Refuses a program name that cannot be a file under /bin, or is not
/// written the way the sources are named (letters, digits, `-` and `_`).
pub fn check_name(name: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if name.is_empty() || !name.chars().all(allowed) {
        bail!(
            "{name:?} is not a user program name: the name of user/tests/NAME.c, \
             made of letters, digits, `-` and `_`"
        );
    }
    Ok(())
}

/// The C sources in `dir`, sorted by name, as (name, path).
pub fn sources(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("reading the folder {}", dir.display()))?;
    let mut sources = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .path();
        if path.extension().is_none_or(|ext| ext != "c") {
            continue;
        }
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        check_name(&name).with_context(|| format!("{}", path.display()))?;
        sources.push((name, path));
    }
    sources.sort();
    Ok(sources)
}

/// The compiler's command line for one program.
pub fn compile_command(source: &Path, output: &Path) -> Command {
    let mut cc = Command::new(CC);
    cc.args(CFLAGS).arg("-o").arg(output).arg(source);
    cc
}

/// Compiles the programs whose executable is missing or older than their
/// source; returns every program, sorted by name.
pub fn build() -> Result<Vec<Program>> {
    let out = paths::user_out_dir();
    let sources = sources(&paths::user_tests_dir())?;
    let stale: Vec<_> = sources
        .iter()
        .filter(|(name, source)| is_stale(source, &out.join(name)))
        .collect();

    if !stale.is_empty() {
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        let step = progress::start(format!(
            "compiling {} user program{} ({CC})",
            stale.len(),
            if stale.len() == 1 { "" } else { "s" }
        ));
        for (name, source) in &stale {
            if let Err(err) = compile(source, &out.join(name)) {
                step.failed();
                return Err(err);
            }
        }
        step.done();
    }

    let program = |(name, _): &(String, PathBuf)| Program {
        name: name.clone(),
        path: out.join(name),
    };
    Ok(sources.iter().map(program).collect())
}

/// The program called `name`, or an error naming the ones there are.
pub fn find<'a>(programs: &'a [Program], name: &str) -> Result<&'a Program> {
    check_name(name)?;
    match programs.iter().find(|p| p.name == name) {
        Some(program) => Ok(program),
        None => {
            let known: Vec<_> = programs.iter().map(|p| p.name.as_str()).collect();
            bail!(
                "no user program {name:?}: there is no user/tests/{name}.c (there are: {})",
                known.join(", ")
            )
        }
    }
}

/// Whether `binary` must be made again from `source`.
fn is_stale(source: &Path, binary: &Path) -> bool {
    match (modified(source), modified(binary)) {
        (Some(source), Some(binary)) => source > binary,
        _ => true,
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Compiles one program into a temporary file, then renames it into place,
/// so that a failed or interrupted build leaves no executable that looks new.
fn compile(source: &Path, binary: &Path) -> Result<()> {
    let mut partial = binary.as_os_str().to_owned();
    partial.push(".tmp");
    let partial = PathBuf::from(partial);

    let output = compile_command(source, &partial)
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
            "{CC} was not found: it comes with Debian's musl-tools \
             (`cargo xtask deps` installs it as root; else `apt-get install musl-tools`)"
        ),
        other => other.with_context(|| format!("running {CC}"))?,
    };
    if !output.status.success() {
        bail!(
            "{CC} could not compile {} ({}):\n{}",
            paths::relative(source).display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    std::fs::rename(&partial, binary)
        .with_context(|| format!("renaming {} to {}", partial.display(), binary.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_compiled_static_with_warnings_as_errors() {
        let cc = compile_command(Path::new("/u/tests/hello.c"), Path::new("/o/hello"));
        assert_eq!(cc.get_program(), "musl-gcc");
        let args: Vec<_> = cc.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(
            args.join(" "),
            "-static -O2 -Wall -Wextra -Werror -o /o/hello /u/tests/hello.c"
        );
    }

    #[test]
    fn names_are_file_names_of_sources() {
        assert!(check_name("hello").is_ok());
        assert!(check_name("fork-tree_2").is_ok());
        for bad in ["", "hello.c", "../init", "a b", "bin/sh", "é"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_shipped_sources_are_found_sorted() {
        let sources = sources(&paths::user_tests_dir()).unwrap();
        let names: Vec<_> = sources.iter().map(|(name, _)| name.as_str()).collect();
        assert!(
            names.contains(&"hello") && names.contains(&"fault"),
            "{names:?}"
        );
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert!(sources
            .iter()
            .all(|(_, path)| path.extension().unwrap() == "c"));
    }

    #[test]
    fn a_missing_program_names_the_others() {
        let programs = [Program {
            name: "hello".into(),
            path: "/o/hello".into(),
        }];
        assert_eq!(
            find(&programs, "hello").unwrap().path,
            Path::new("/o/hello")
        );
        let err = format!("{:#}", find(&programs, "helo").unwrap_err());
        assert!(err.contains("user/tests/helo.c") && err.contains("there are: hello"));
        assert!(find(&programs, "hello.c").is_err());
    }

    #[test]
    fn an_executable_older_than_its_source_is_stale() {
        let dir = std::env::temp_dir().join(format!("xtask-user-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (source, binary) = (dir.join("a.c"), dir.join("a"));
        std::fs::write(&source, "int main(void) { return 0; }\n").unwrap();
        assert!(is_stale(&source, &binary));

        std::fs::write(&binary, "").unwrap();
        let old = SystemTime::now() - std::time::Duration::from_secs(60);
        let file = std::fs::File::options().write(true).open(&source).unwrap();
        file.set_modified(old).unwrap();
        assert!(!is_stale(&source, &binary));
        let file = std::fs::File::options().write(true).open(&binary).unwrap();
        file.set_modified(old - std::time::Duration::from_secs(1))
            .unwrap();
        assert!(is_stale(&source, &binary));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
