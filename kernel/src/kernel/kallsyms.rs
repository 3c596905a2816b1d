//! Symbol lookup for backtraces (Linux: kernel/kallsyms.c).
//!
//! The table itself is written into the `.kallsyms` section after linking
//! by `cargo xtask build`; see crates/kallsyms for its format.

use kallsyms::{Symbol, Table};

/// 1 MiB is room for about 15,000 function names; xtask fails the build
/// with a clear message if the kernel ever outgrows it.
const KALLSYMS_SIZE: usize = 1 << 20;

#[used]
#[link_section = ".kallsyms"]
static KALLSYMS_SPACE: [u8; KALLSYMS_SIZE] = [0; KALLSYMS_SIZE];

extern "C" {
    static __kallsyms_start: u8;
    static __kallsyms_end: u8;
}

fn table() -> Option<Table<'static>> {
    // The bytes are read through the linker's symbols, not through the
    // static, so the compiler cannot assume they are still zero.
    // SAFETY: the linker script brackets the .kallsyms section, which is
    // mapped read-only for the whole life of the kernel.
    let bytes = unsafe {
        let start = core::ptr::addr_of!(__kallsyms_start);
        let end = core::ptr::addr_of!(__kallsyms_end);
        core::slice::from_raw_parts(start, end as usize - start as usize)
    };
    Table::parse(bytes)
}

/// The function that contains `addr`, if the table knows it.
pub fn lookup(addr: u64) -> Option<Symbol<'static>> {
    table()?.lookup(addr)
}

/// Number of symbols in the table (0 when the image was not patched).
pub fn count() -> usize {
    table().map_or(0, |t| t.len())
}
