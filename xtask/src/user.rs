//! noyau's own user programs: every user/tests/NAME.c (a test program,
//! installed as /bin/NAME) and user/init/NAME.c (a tool that runs tests,
//! installed as /sbin/NAME) compiled with musl-gcc into a static executable,
//! target/noyau/user/NAME, again only when its source or a header of
//! user/include is newer (as Linux's tools/testing/selftests are built for a
//! target); and every user/rust/src/bin/NAME.rs, a test program in Rust
//! built by cargo (see the rust module).

mod rust;

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

/// What a program is for, which decides where its source lives and where
/// the initramfs installs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// user/tests/NAME.c or user/rust/src/bin/NAME.rs, installed as
    /// /bin/NAME: a program that shows a behaviour of the kernel.
    Test,
    /// user/init/NAME.c, installed as /sbin/NAME: a program that runs the
    /// tests (the differential runner), never a test itself.
    Tool,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Test, Kind::Tool];

    /// The folder of its C sources.
    pub fn source_dir(self) -> PathBuf {
        match self {
            Kind::Test => paths::user_tests_dir(),
            Kind::Tool => paths::user_init_dir(),
        }
    }

    /// The folder of the initramfs it is installed in, without a leading `/`.
    pub fn install_dir(self) -> &'static str {
        match self {
            Kind::Test => "bin",
            Kind::Tool => "sbin",
        }
    }
}

/// One user program: its name (the source's file stem), its executable and
/// its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub name: String,
    pub path: PathBuf,
    pub kind: Kind,
}

impl Program {
    /// Its path in the initramfs, without a leading `/`: bin/NAME or sbin/NAME.
    pub fn install_path(&self) -> String {
        format!("{}/{}", self.kind.install_dir(), self.name)
    }
}

/// The language of a program, which decides how it is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Compiled alone with musl-gcc.
    C,
    /// Built with the others of the cargo workspace user/rust.
    Rust,
}

/// One source: name, path, kind and language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub name: String,
    pub path: PathBuf,
    pub kind: Kind,
    pub lang: Lang,
}

impl Source {
    /// Where its executable is built.
    pub fn executable(&self) -> PathBuf {
        match self.lang {
            Lang::C => paths::user_out_dir().join(&self.name),
            Lang::Rust => rust::executable(&self.name),
        }
    }
}

/// Refuses a program name that cannot be a file under /bin, or is not
/// written the way the sources are named (letters, digits, `-` and `_`).
pub fn check_name(name: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if name.is_empty() || !name.chars().all(allowed) {
        bail!(
            "{name:?} is not a user program name: the name of user/tests/NAME.c, \
             user/init/NAME.c or user/rust/src/bin/NAME.rs, made of letters, digits, `-` and `_`"
        );
    }
    Ok(())
}

/// The sources in `dir` whose name ends with `.EXT`, sorted by name, as
/// (name, path).
pub fn sources(dir: &Path, ext: &str) -> Result<Vec<(String, PathBuf)>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("reading the folder {}", dir.display()))?;
    let mut sources = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .path();
        if path.extension().is_none_or(|found| found != ext) {
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

/// The sources of every kind and language, sorted by name; one name may
/// not be used twice, as every program is one file of the initramfs's /bin
/// or /sbin.
pub fn all_sources() -> Result<Vec<Source>> {
    let mut all = Vec::new();
    for kind in Kind::ALL {
        let dir = kind.source_dir();
        if kind == Kind::Tool && !dir.is_dir() {
            continue;
        }
        for (name, path) in sources(&dir, "c")? {
            all.push(Source {
                name,
                path,
                kind,
                lang: Lang::C,
            });
        }
    }
    for (name, path) in rust::sources()? {
        all.push(Source {
            name,
            path,
            kind: Kind::Test,
            lang: Lang::Rust,
        });
    }
    all.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(pair) = all.windows(2).find(|pair| pair[0].name == pair[1].name) {
        bail!(
            "two user programs are called {:?}: {} and {}",
            pair[0].name,
            paths::relative(&pair[0].path).display(),
            paths::relative(&pair[1].path).display()
        );
    }
    Ok(all)
}

/// The compiler's command line for one program; `include` is user/include.
pub fn compile_command(source: &Path, output: &Path, include: &Path) -> Command {
    let mut cc = Command::new(CC);
    cc.args(CFLAGS)
        .arg("-I")
        .arg(include)
        .arg("-o")
        .arg(output)
        .arg(source);
    cc
}

/// Compiles the C programs whose executable is missing or older than their
/// source or than a shared header, and has cargo build the Rust ones;
/// returns every program, sorted by name.
pub fn build() -> Result<Vec<Program>> {
    let out = paths::user_out_dir();
    let include = paths::user_include_dir();
    let sources = all_sources()?;
    let header = newest_header(&include);
    let stale: Vec<_> = sources
        .iter()
        .filter(|source| source.lang == Lang::C)
        .filter(|source| is_stale(&source.path, header, &source.executable()))
        .collect();

    if !stale.is_empty() {
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        let step = progress::start(format!(
            "compiling {} user program{} ({CC})",
            stale.len(),
            if stale.len() == 1 { "" } else { "s" }
        ));
        for source in &stale {
            if let Err(err) = compile(&source.path, &source.executable(), &include) {
                step.failed();
                return Err(err);
            }
        }
        step.done();
    }

    let in_rust: Vec<_> = sources
        .iter()
        .filter(|source| source.lang == Lang::Rust)
        .map(|source| source.name.as_str())
        .collect();
    if !in_rust.is_empty() {
        rust::build(&in_rust)?;
    }

    let program = |source: &Source| Program {
        name: source.name.clone(),
        path: source.executable(),
        kind: source.kind,
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
                "no user program {name:?}: there is no user/tests/{name}.c, \
                 user/init/{name}.c or user/rust/src/bin/{name}.rs (there are: {})",
                known.join(", ")
            )
        }
    }
}

/// The time of the newest header in `include`, if there is one.
fn newest_header(include: &Path) -> Option<SystemTime> {
    let entries = std::fs::read_dir(include).ok()?;
    entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "h"))
        .filter_map(|path| modified(&path))
        .max()
}

/// Whether `binary` must be made again from `source` (and the headers, the
/// newest of which changed at `header`).
fn is_stale(source: &Path, header: Option<SystemTime>, binary: &Path) -> bool {
    match (modified(source), modified(binary)) {
        (Some(source), Some(binary)) => source > binary || header.is_some_and(|h| h > binary),
        _ => true,
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Compiles one program into a temporary file, then renames it into place,
/// so that a failed or interrupted build leaves no executable that looks new.
fn compile(source: &Path, binary: &Path, include: &Path) -> Result<()> {
    let mut partial = binary.as_os_str().to_owned();
    partial.push(".tmp");
    let partial = PathBuf::from(partial);

    let output = compile_command(source, &partial, include)
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
        let cc = compile_command(
            Path::new("/u/tests/hello.c"),
            Path::new("/o/hello"),
            Path::new("/u/include"),
        );
        assert_eq!(cc.get_program(), "musl-gcc");
        let args: Vec<_> = cc.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(
            args.join(" "),
            "-static -O2 -Wall -Wextra -Werror -I /u/include -o /o/hello /u/tests/hello.c"
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
        let sources = sources(&paths::user_tests_dir(), "c").unwrap();
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
    fn tests_and_tools_are_found_together_and_installed_apart() {
        let all = all_sources().unwrap();
        let kind = |name: &str| all.iter().find(|s| s.name == name).map(|s| s.kind);
        assert_eq!(kind("hello"), Some(Kind::Test));
        assert_eq!(kind("diff_fork"), Some(Kind::Test));
        assert_eq!(kind("runner"), Some(Kind::Tool));
        assert_eq!(kind("threads"), Some(Kind::Test));
        assert!(all.windows(2).all(|w| w[0].name < w[1].name));
        let threads = all.iter().find(|s| s.name == "threads").unwrap();
        assert_eq!(threads.lang, Lang::Rust);
        assert!(threads.path.ends_with("user/rust/src/bin/threads.rs"));

        let program = |name: &str, kind| Program {
            name: name.into(),
            path: "/o/x".into(),
            kind,
        };
        assert_eq!(program("hello", Kind::Test).install_path(), "bin/hello");
        assert_eq!(program("runner", Kind::Tool).install_path(), "sbin/runner");
    }

    #[test]
    fn a_missing_program_names_the_others() {
        let programs = [Program {
            name: "hello".into(),
            path: "/o/hello".into(),
            kind: Kind::Test,
        }];
        assert_eq!(
            find(&programs, "hello").unwrap().path,
            Path::new("/o/hello")
        );
        let err = format!("{:#}", find(&programs, "helo").unwrap_err());
        assert!(err.contains("user/tests/helo.c") && err.contains("user/init/helo.c"));
        assert!(err.contains("user/rust/src/bin/helo.rs"));
        assert!(err.contains("there are: hello"));
        assert!(find(&programs, "hello.c").is_err());
    }

    #[test]
    fn an_executable_older_than_its_source_is_stale() {
        let dir = std::env::temp_dir().join(format!("xtask-user-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (source, binary) = (dir.join("a.c"), dir.join("a"));
        std::fs::write(&source, "int main(void) { return 0; }\n").unwrap();
        assert!(is_stale(&source, None, &binary));

        std::fs::write(&binary, "").unwrap();
        let old = SystemTime::now() - std::time::Duration::from_secs(60);
        let file = std::fs::File::options().write(true).open(&source).unwrap();
        file.set_modified(old).unwrap();
        assert!(!is_stale(&source, None, &binary));
        assert!(!is_stale(&source, Some(old), &binary));
        assert!(is_stale(&source, Some(SystemTime::now()), &binary));
        let file = std::fs::File::options().write(true).open(&binary).unwrap();
        file.set_modified(old - std::time::Duration::from_secs(1))
            .unwrap();
        assert!(is_stale(&source, None, &binary));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
