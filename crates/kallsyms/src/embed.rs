//! Patching the table into a linked kernel: read .symtab, encode, overwrite the
//! file bytes of the reserved `.kallsyms` section (Linux relinks vmlinux instead).
//!
//! Runs in the build tool after linking and before any strip.

use std::fmt;

use object::elf::{SHT_NOBITS, STT_FUNC};
use object::read::elf::{ElfFile64, SectionHeader, Sym};
use object::{Endianness, Object};

use crate::{encode, HostSymbol};

/// Name of the section the kernel reserves for the table.
pub const SECTION: &str = ".kallsyms";

/// What `embed` wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmbedStats {
    /// Symbols in the table, after merging same-address aliases.
    pub symbols: usize,
    /// Bytes of the encoded table.
    pub bytes: usize,
    /// Bytes of the reserved section.
    pub capacity: usize,
}

impl fmt::Display for EmbedStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "kallsyms: {} symbols, {} of {} bytes",
            self.symbols, self.bytes, self.capacity
        )
    }
}

/// Encodes the function symbols of the ELF64 file `elf` and writes the table into
/// its `.kallsyms` section, zeroing the rest of the section. Nothing else in the
/// file changes, so every address stays where the linker put it.
pub fn embed(elf: &mut [u8]) -> Result<EmbedStats, String> {
    let symbols = symbols_from_elf(elf)?;
    let (offset, capacity) = section_range(elf)?;
    let table = encode(&symbols);
    if table.len() > capacity {
        return Err(format!(
            "kallsyms: the table needs {} bytes but section {SECTION} has only {capacity}: \
             enlarge the reserved array in the kernel",
            table.len()
        ));
    }

    let section = &mut elf[offset..offset + capacity];
    section[..table.len()].copy_from_slice(&table);
    section[table.len()..].fill(0);

    let stored = crate::Table::parse(&table)
        .expect("kallsyms: the encoder wrote a table its own reader refuses")
        .len();
    Ok(EmbedStats {
        symbols: stored,
        bytes: table.len(),
        capacity,
    })
}

/// The defined, non-zero function symbols (STT_FUNC) of `elf`'s .symtab, with
/// Rust names demangled without their hash (`noyau::mm::buddy::alloc`).
pub fn symbols_from_elf(elf: &[u8]) -> Result<Vec<HostSymbol>, String> {
    let file = ElfFile64::<Endianness>::parse(elf)
        .map_err(|err| format!("kallsyms: not an ELF64 file: {err}"))?;
    let endian = file.endian();
    let symtab = file.elf_symbol_table();
    if symtab.is_empty() {
        return Err("kallsyms: the ELF file has no .symtab (embed before stripping)".into());
    }

    let mut symbols = Vec::new();
    for symbol in symtab.iter() {
        let addr = symbol.st_value(endian);
        if symbol.st_type() != STT_FUNC || symbol.is_undefined(endian) || addr == 0 {
            continue;
        }
        let raw = symtab
            .symbol_name(endian, symbol)
            .map_err(|err| format!("kallsyms: bad symbol name in .symtab: {err}"))?;
        let name = demangle(&String::from_utf8_lossy(raw));
        symbols.push(HostSymbol {
            name,
            addr,
            size: symbol.st_size(endian),
        });
    }
    Ok(symbols)
}

/// Rust's alternate demangled form drops the `::h0123...` hash; other names pass.
fn demangle(name: &str) -> String {
    match rustc_demangle::try_demangle(name) {
        Ok(demangled) => format!("{demangled:#}"),
        Err(_) => name.to_string(),
    }
}

/// File offset and size of the reserved section.
fn section_range(elf: &[u8]) -> Result<(usize, usize), String> {
    let file = ElfFile64::<Endianness>::parse(elf)
        .map_err(|err| format!("kallsyms: not an ELF64 file: {err}"))?;
    let endian = file.endian();
    let section = file.section_by_name(SECTION).ok_or_else(|| {
        format!("kallsyms: no section {SECTION} in the ELF file: the kernel must reserve it")
    })?;
    let header = section.elf_section_header();
    if header.sh_type(endian) == SHT_NOBITS {
        return Err(format!(
            "kallsyms: section {SECTION} is NOBITS (no bytes in the file): \
             it must be initialised data (PROGBITS)"
        ));
    }

    let offset = usize::try_from(header.sh_offset(endian)).ok();
    let size = usize::try_from(header.sh_size(endian)).ok();
    match (offset, size) {
        (Some(offset), Some(size))
            if offset.checked_add(size).is_some_and(|end| end <= elf.len()) =>
        {
            Ok((offset, size))
        }
        _ => Err(format!("kallsyms: section {SECTION} lies outside the file")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Table;
    use object::write;
    use object::{Architecture, BinaryFormat, SectionKind, SymbolFlags, SymbolKind, SymbolScope};
    use std::path::PathBuf;
    use std::process::Command;

    /// A synthetic ELF64: a .text section, the given functions (name, value, size,
    /// defined), one data object, and a `.kallsyms` section of `reserve` bytes
    /// (`None`: no section; `kind` chooses PROGBITS or NOBITS).
    fn synthetic(
        functions: &[(&str, u64, u64, bool)],
        reserve: Option<(SectionKind, u64)>,
    ) -> Vec<u8> {
        let mut obj =
            write::Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
        let text = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
        obj.append_section_data(text, &[0xc3; 0x100], 16);
        for &(name, value, size, defined) in functions {
            let section = match defined {
                true => write::SymbolSection::Section(text),
                false => write::SymbolSection::Undefined,
            };
            obj.add_symbol(write::Symbol {
                name: name.as_bytes().to_vec(),
                value,
                size,
                kind: SymbolKind::Text,
                scope: SymbolScope::Linkage,
                weak: false,
                section,
                flags: SymbolFlags::None,
            });
        }
        let data = obj.add_section(Vec::new(), b".data".to_vec(), SectionKind::Data);
        obj.append_section_data(data, &[0; 8], 8);
        obj.add_symbol(write::Symbol {
            name: b"jiffies".to_vec(),
            value: 0x9000,
            size: 8,
            kind: SymbolKind::Data,
            scope: SymbolScope::Linkage,
            weak: false,
            section: write::SymbolSection::Section(data),
            flags: SymbolFlags::None,
        });
        if let Some((kind, size)) = reserve {
            let section = obj.add_section(Vec::new(), SECTION.as_bytes().to_vec(), kind);
            match kind {
                SectionKind::UninitializedData => {
                    obj.append_section_bss(section, size, 8);
                }
                _ => {
                    obj.append_section_data(section, &vec![0xaa; size as usize], 8);
                }
            }
        }
        obj.write().expect("object writes a synthetic ELF")
    }

    /// The bytes of section `.kallsyms` of `elf`.
    fn reserved(elf: &[u8]) -> &[u8] {
        let (offset, size) = section_range(elf).expect("the section is there");
        &elf[offset..offset + size]
    }

    const FUNCTIONS: [(&str, u64, u64, bool); 6] = [
        ("start_kernel", 0x1000, 0x40, true),
        (
            "_ZN5noyau2mm5buddy5alloc17h0123456789abcdefE",
            0x1040,
            0x80,
            true,
        ),
        (
            "_RNvNtCs21pZWzSAgTI_5noyau5sched8schedule",
            0x1100,
            0x20,
            true,
        ),
        ("entry_SYSCALL_64", 0x1200, 0, true),
        ("printk", 0x2000, 0x10, false),
        ("at_zero", 0, 0x10, true),
    ];

    #[test]
    fn embeds_defined_functions_with_demangled_names() {
        let mut elf = synthetic(&FUNCTIONS, Some((SectionKind::ReadOnlyData, 4096)));
        let before = elf.len();
        let stats = embed(&mut elf).unwrap();
        assert_eq!(elf.len(), before);
        assert_eq!((stats.symbols, stats.capacity), (4, 4096));

        let section = reserved(&elf);
        assert!(
            section[stats.bytes..].iter().all(|&b| b == 0),
            "the rest is zeroed"
        );
        let table = Table::parse(section).unwrap();
        let names: Vec<&str> = table.iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "start_kernel",
                "noyau::mm::buddy::alloc",
                "noyau::sched::schedule",
                "entry_SYSCALL_64"
            ]
        );
        assert_eq!(
            table.lookup(0x1050).unwrap().to_string(),
            "noyau::mm::buddy::alloc+0x10/0x80"
        );
        assert_eq!(
            table.lookup(0x1200).unwrap().to_string(),
            "entry_SYSCALL_64+0x0/0x0"
        );
        assert!(
            table.lookup(0x1210).is_none(),
            "a last size-0 symbol covers one byte"
        );
        assert!(
            table.find("printk").is_none(),
            "undefined symbols are left out"
        );
        assert!(table.find("jiffies").is_none(), "data symbols are left out");
        assert!(table.find("at_zero").is_none(), "address 0 is left out");
        assert_eq!(
            stats.to_string(),
            format!("kallsyms: 4 symbols, {} of 4096 bytes", stats.bytes)
        );
    }

    #[test]
    fn embedding_twice_gives_the_same_file() {
        let mut once = synthetic(&FUNCTIONS, Some((SectionKind::ReadOnlyData, 4096)));
        embed(&mut once).unwrap();
        let mut twice = once.clone();
        embed(&mut twice).unwrap();
        assert_eq!(once, twice);
    }

    #[test]
    fn refuses_a_file_without_the_section() {
        let mut elf = synthetic(&FUNCTIONS, None);
        let err = embed(&mut elf).unwrap_err();
        assert!(err.contains("no section .kallsyms"), "{err}");
    }

    #[test]
    fn refuses_a_nobits_section() {
        let mut elf = synthetic(&FUNCTIONS, Some((SectionKind::UninitializedData, 4096)));
        let err = embed(&mut elf).unwrap_err();
        assert!(err.contains("NOBITS"), "{err}");
    }

    #[test]
    fn says_how_many_bytes_are_needed() {
        let mut elf = synthetic(&FUNCTIONS, Some((SectionKind::ReadOnlyData, 16)));
        let pristine = elf.clone();
        let needed = encode(&symbols_from_elf(&elf).unwrap()).len();
        let err = embed(&mut elf).unwrap_err();
        assert!(err.contains(&format!("needs {needed} bytes")), "{err}");
        assert!(err.contains("only 16"), "{err}");
        assert_eq!(elf, pristine, "a failed embed leaves the file alone");
    }

    #[test]
    fn refuses_what_is_not_elf64() {
        let err = embed(&mut b"\x7fELF but not really".to_vec()).unwrap_err();
        assert!(err.contains("not an ELF64 file"), "{err}");
        assert!(symbols_from_elf(&[]).is_err());
    }

    /// A scratch directory unique to this test run.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kallsyms-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir is writable");
        dir
    }

    /// Links a real executable with the host's C compiler, as the kernel is linked:
    /// static, no libc, the reserved section in a read-only segment.
    #[test]
    fn embeds_into_an_executable_linked_by_cc() {
        let dir = scratch("cc");
        let source = dir.join("ks.c");
        let program = dir.join("ks");
        std::fs::write(
            &source,
            "__attribute__((section(\".kallsyms\"))) const char ks[65536] = {1};\n\
             int ks_alpha(int x) { return x * 3 + 1; }\n\
             int ks_beta(int x) { return ks_alpha(x) - 2; }\n\
             void ks_entry(void) { for (;;) {} }\n",
        )
        .unwrap();
        let status = Command::new("cc")
            .args([
                "-O0",
                "-static",
                "-nostdlib",
                "-no-pie",
                "-Wl,-e,ks_entry",
                "-o",
            ])
            .arg(&program)
            .arg(&source)
            .status();
        let Ok(status) = status else {
            println!("note: cc is missing, skipping the linked-ELF test");
            return;
        };
        assert!(status.success(), "cc failed to build the test program");

        let mut elf = std::fs::read(&program).unwrap();
        let functions = symbols_from_elf(&elf).unwrap();
        let addr = |name: &str| functions.iter().find(|s| s.name == name).unwrap().addr;
        let (alpha, beta) = (addr("ks_alpha"), addr("ks_beta"));

        let stats = embed(&mut elf).unwrap();
        assert_eq!(stats.capacity, 65536);
        std::fs::remove_dir_all(&dir).ok();

        let table = Table::parse(reserved(&elf)).expect("the patched section holds a table");
        assert_eq!(table.lookup(alpha).unwrap().name, "ks_alpha");
        assert_eq!(table.lookup(alpha + 1).unwrap().offset, 1);
        assert_eq!(table.lookup(beta).unwrap().name, "ks_beta");
        assert_eq!(table.find("ks_entry").unwrap().addr, addr("ks_entry"));
        assert!(table.lookup(alpha - 1).is_none_or(|s| s.name != "ks_alpha"));
    }
}
