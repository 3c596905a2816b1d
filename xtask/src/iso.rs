//! GRUB2 boot images: a staging folder with boot/noyau and boot/grub/grub.cfg
//! (one `multiboot2` menu entry, serial console, no timeout) made into a
//! hybrid BIOS/UEFI ISO by grub-mkrescue, rebuilt only when an input changed.

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
    pub modules: Vec<PathBuf>,
}

impl Spec {
    pub fn new(cmdline: &str) -> Spec {
        Spec {
            cmdline: cmdline.to_string(),
            modules: Vec::new(),
        }
    }

    /// The file names the modules get under /boot.
    fn module_names(&self) -> Vec<String> {
        let name = |path: &PathBuf| {
            path.file_name()
                .map_or_else(|| "module".into(), |n| n.to_string_lossy().into())
        };
        self.modules.iter().map(name).collect()
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
        for name in self.module_names() {
            cfg += &format!("    module2 /boot/{name}\n");
        }
        cfg += "    boot\n}\n";
        cfg
    }
}

/// The image for `spec` when a run or a test needs one: noyau.iso for the
/// default (empty) command line, else target/noyau/iso/<hash>.iso, so that
/// runs and tests never write another command line into noyau.iso (only
/// `cargo xtask iso --append` does; the record beside it tells, and the
/// next run that needs the default image makes it again).
pub fn path_for(spec: &Spec) -> PathBuf {
    if *spec == Spec::new("") {
        paths::default_iso()
    } else {
        paths::iso_dir().join(format!("{:016x}.iso", fnv1a(spec.grub_cfg().as_bytes())))
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

/// The image is there, was made from this grub.cfg, and is newer than its inputs.
fn is_fresh(iso: &Path, kernel: &Path, spec: &Spec) -> bool {
    let made = match std::fs::metadata(iso).and_then(|m| m.modified()) {
        Ok(time) => time,
        Err(_) => return false,
    };
    let older = |input: &Path| modified(input).is_some_and(|time| time <= made);
    let same_cfg = std::fs::read_to_string(cfg_record(iso)).is_ok_and(|c| c == spec.grub_cfg());
    same_cfg && older(kernel) && spec.modules.iter().all(|m| older(m))
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Beside each image, the grub.cfg it holds: `noyau.iso.cfg`.
fn cfg_record(iso: &Path) -> PathBuf {
    let mut name = iso.as_os_str().to_owned();
    name.push(".cfg");
    PathBuf::from(name)
}

/// Stages the files and runs grub-mkrescue, writing `iso`.
pub fn make(kernel: &Path, spec: &Spec, iso: &Path) -> Result<()> {
    cmdline::check_for_grub(&spec.cmdline)?;
    // Until grub-mkrescue has succeeded, the image matches no grub.cfg.
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
    std::fs::write(cfg_record(iso), spec.grub_cfg())
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
    for (module, name) in spec.modules.iter().zip(spec.module_names()) {
        copy(module, &staging.join("boot").join(name))?;
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

    #[test]
    fn modules_follow_the_kernel() {
        let spec = Spec {
            cmdline: String::new(),
            modules: vec!["/tmp/x/initramfs.cpio".into()],
        };
        assert!(spec
            .grub_cfg()
            .contains("multiboot2 /boot/noyau\n    module2 /boot/initramfs.cpio\n    boot\n"));
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
