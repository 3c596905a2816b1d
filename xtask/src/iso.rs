//! GRUB2 boot images: a staging folder with boot/noyau, boot/grub/grub.cfg
//! (one `multiboot2` menu entry, serial console, no timeout) and the modules
//! (`module2`, the initramfs), made into a hybrid BIOS/UEFI ISO by
//! grub-mkrescue, rebuilt only when an input changed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use anyhow::{bail, Context, Result};

use crate::{cmdline, paths, progress};

/// What goes into an image besides the kernel.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spec {
    /// The kernel command line; grub.cfg has its words quoted.
    pub cmdline: String,
    /// Files loaded as multiboot2 modules (`module2 /boot/NAME`), in order.
    pub modules: Vec<Module>,
}

/// A file GRUB loads beside the kernel; the kernel finds it in the
/// multiboot2 information (a module tag: start, end, command line).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Module {
    /// The name under /boot in the image.
    pub name: String,
    /// The file copied there.
    pub path: PathBuf,
    /// FNV-1a of the contents when the spec was made: images with the
    /// same grub.cfg and other module contents are other images.
    pub hash: u64,
}

/// The initramfs's name in the image: `module2 /boot/initramfs.cpio`.
pub const INITRAMFS: &str = "initramfs.cpio";

impl Module {
    /// The module `name` made of the file at `path`, read now for its hash.
    pub fn new(name: &str, path: &Path) -> Result<Module> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(Module {
            name: name.to_string(),
            path: path.to_path_buf(),
            hash: fnv1a(&bytes),
        })
    }
}

impl Spec {
    pub fn new(cmdline: &str) -> Spec {
        Spec {
            cmdline: cmdline.to_string(),
            modules: Vec::new(),
        }
    }

    /// The spec for `cmdline` with `initramfs`, when given, as its one module.
    pub fn with_initramfs(cmdline: &str, initramfs: Option<&Path>) -> Result<Spec> {
        let modules = initramfs.map(|path| Module::new(INITRAMFS, path));
        Ok(Spec {
            cmdline: cmdline.to_string(),
            modules: modules.into_iter().collect::<Result<_>>()?,
        })
    }

    /// What the image is made of, as text: grub.cfg, then one comment line
    /// per module with its contents' hash. Images are named and checked by it.
    pub fn key(&self) -> String {
        let mut key = self.grub_cfg();
        for module in &self.modules {
            key += &format!("# /boot/{}: fnv1a {:016x}\n", module.name, module.hash);
        }
        key
    }

    /// The grub.cfg of this image.
    pub fn grub_cfg(&self) -> String {
        let mut cfg = String::from(
            "set timeout=0\n\
             serial --unit=0 --speed=115200\n\
             terminal_input serial console\n\
             terminal_output serial console\n\
             \n\
             menuentry \"noyau\" {\n",
        );
        let words = cmdline::grub_words(&self.cmdline);
        match words.is_empty() {
            true => cfg += "    multiboot2 /boot/noyau\n",
            false => cfg += &format!("    multiboot2 /boot/noyau {words}\n"),
        }
        for module in &self.modules {
            cfg += &format!("    module2 /boot/{}\n", module.name);
        }
        cfg += "    boot\n}\n";
        cfg
    }
}

/// The image for `spec` when a run or a test needs one: noyau.iso for the
/// default (empty) command line and no module, else
/// target/noyau/iso/<hash of the key>.iso, so that runs and tests never
/// write another command line or initramfs into noyau.iso (only `cargo
/// xtask iso --append` does; the record beside it tells, and the next run
/// that needs the default image makes it again).
pub fn path_for(spec: &Spec) -> PathBuf {
    if *spec == Spec::new("") {
        paths::default_iso()
    } else {
        paths::iso_dir().join(format!("{:016x}.iso", fnv1a(spec.key().as_bytes())))
    }
}

/// Makes the image for `spec` unless an up-to-date one exists; returns its path.
pub fn ensure(kernel: &Path, spec: &Spec) -> Result<PathBuf> {
    let iso = path_for(spec);
    if !is_fresh(&iso, kernel, spec) {
        make(kernel, spec, &iso)?;
    }
    Ok(iso)
}

/// The image is there, was made from this key, and is newer than its inputs.
fn is_fresh(iso: &Path, kernel: &Path, spec: &Spec) -> bool {
    let made = match std::fs::metadata(iso).and_then(|m| m.modified()) {
        Ok(time) => time,
        Err(_) => return false,
    };
    let older = |input: &Path| modified(input).is_some_and(|time| time <= made);
    let same_key = std::fs::read_to_string(cfg_record(iso)).is_ok_and(|c| c == spec.key());
    same_key && older(kernel) && spec.modules.iter().all(|m| older(&m.path))
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Beside each image, the key it was made from (its grub.cfg and the hashes
/// of its modules): `noyau.iso.cfg`.
fn cfg_record(iso: &Path) -> PathBuf {
    let mut name = iso.as_os_str().to_owned();
    name.push(".cfg");
    PathBuf::from(name)
}

/// Stages the files and runs grub-mkrescue, writing `iso`.
pub fn make(kernel: &Path, spec: &Spec, iso: &Path) -> Result<()> {
    cmdline::check_for_grub(&spec.cmdline)?;
    // Until grub-mkrescue has succeeded, the image matches no key.
    if let Err(err) = std::fs::remove_file(cfg_record(iso)) {
        if err.kind() != std::io::ErrorKind::NotFound {
            bail!("removing {}: {err}", cfg_record(iso).display());
        }
    }
    let mut staging = iso.as_os_str().to_owned();
    staging.push(".d");
    let staging = PathBuf::from(staging);
    stage(&staging, kernel, spec)?;

    let step = progress::start(format!(
        "making {} (grub-mkrescue)",
        paths::relative(iso).display()
    ));
    let output = Command::new("grub-mkrescue")
        .arg("-o")
        .arg(iso)
        .arg(&staging)
        .stdin(Stdio::null())
        .output()
        .context("running grub-mkrescue")?;
    if !output.status.success() {
        step.failed();
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        bail!("grub-mkrescue failed ({})", output.status);
    }
    step.done();
    std::fs::write(cfg_record(iso), spec.key())
        .with_context(|| format!("writing {}", cfg_record(iso).display()))
}

/// A fresh staging folder: boot/noyau, boot/grub/grub.cfg and the modules.
fn stage(staging: &Path, kernel: &Path, spec: &Spec) -> Result<()> {
    if staging.exists() {
        std::fs::remove_dir_all(staging)
            .with_context(|| format!("removing {}", staging.display()))?;
    }
    let grub = staging.join("boot").join("grub");
    std::fs::create_dir_all(&grub).with_context(|| format!("creating {}", grub.display()))?;
    copy(kernel, &staging.join("boot").join("noyau"))?;
    for module in &spec.modules {
        copy(&module.path, &staging.join("boot").join(&module.name))?;
    }
    let cfg = grub.join("grub.cfg");
    std::fs::write(&cfg, spec.grub_cfg()).with_context(|| format!("writing {}", cfg.display()))
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))
}

/// FNV-1a, 64 bits: a stable name for an image's contents across Rust versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grub_cfg_has_one_multiboot2_entry_on_the_serial_console() {
        let cfg = Spec::new("loglevel=7 quiet").grub_cfg();
        assert!(cfg.starts_with("set timeout=0\nserial --unit=0 --speed=115200\n"));
        assert!(cfg.contains("terminal_input serial console\nterminal_output serial console\n"));
        assert!(cfg
            .contains("menuentry \"noyau\" {\n    multiboot2 /boot/noyau 'loglevel=7' 'quiet'\n"));
        assert!(cfg.ends_with("    boot\n}\n"));
        assert!(!cfg.contains("module2"));
    }

    #[test]
    fn grub_reads_the_command_line_as_data() {
        let cfg = Spec::new("x; halt } #c $root it's").grub_cfg();
        let line = "    multiboot2 /boot/noyau 'x;' 'halt' '}' '#c' '$root' 'it'\\''s'\n";
        assert!(cfg.contains(line), "{cfg}");
    }

    #[test]
    fn control_characters_make_no_image() {
        let err = make(
            Path::new("/none"),
            &Spec::new("a\nb"),
            Path::new("/none.iso"),
        );
        assert!(format!("{:#}", err.unwrap_err()).contains("control character"));
    }

    #[test]
    fn empty_cmdline_leaves_no_trailing_space() {
        assert!(Spec::new("")
            .grub_cfg()
            .contains("    multiboot2 /boot/noyau\n"));
    }

    fn initramfs(hash: u64) -> Spec {
        Spec {
            cmdline: String::new(),
            modules: vec![Module {
                name: INITRAMFS.into(),
                path: "/tmp/x/hello.cpio".into(),
                hash,
            }],
        }
    }

    #[test]
    fn modules_follow_the_kernel() {
        assert!(initramfs(1)
            .grub_cfg()
            .contains("multiboot2 /boot/noyau\n    module2 /boot/initramfs.cpio\n    boot\n"));
    }

    #[test]
    fn an_initramfs_with_other_contents_is_another_image() {
        let (a, b) = (initramfs(1), initramfs(2));
        assert_eq!(a.grub_cfg(), b.grub_cfg());
        assert!(a
            .key()
            .ends_with("}\n# /boot/initramfs.cpio: fnv1a 0000000000000001\n"));
        assert_ne!(path_for(&a), path_for(&b));
        assert_ne!(path_for(&a), path_for(&Spec::new("")));
        assert_eq!(path_for(&a), path_for(&initramfs(1)));
        assert_eq!(Spec::new("").key(), Spec::new("").grub_cfg());
    }

    #[test]
    fn a_module_is_hashed_when_the_spec_is_made() {
        let file = std::env::temp_dir().join(format!("xtask-iso-{}.cpio", std::process::id()));
        std::fs::write(&file, b"a").unwrap();
        let spec = Spec::with_initramfs("quiet", Some(&file)).unwrap();
        std::fs::remove_file(&file).unwrap();
        assert_eq!(spec.modules[0].hash, fnv1a(b"a"));
        assert_eq!(
            (spec.modules[0].name.as_str(), spec.modules.len()),
            (INITRAMFS, 1)
        );
        assert_eq!(
            Spec::with_initramfs("quiet", None).unwrap(),
            Spec::new("quiet")
        );
        assert!(Spec::with_initramfs("", Some(&file)).is_err());
    }

    #[test]
    fn other_command_lines_get_their_own_image() {
        assert_eq!(path_for(&Spec::new("")), paths::default_iso());
        let a = path_for(&Spec::new("quiet"));
        let b = path_for(&Spec::new("noyau.test=panic"));
        assert_ne!(a, b);
        assert_eq!(a, path_for(&Spec::new("quiet")));
        assert!(a.starts_with(paths::iso_dir()));
    }

    #[test]
    fn fnv1a_known_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
