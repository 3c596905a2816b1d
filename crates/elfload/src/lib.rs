//! What execve needs to know about a program before the kernel maps anything: Linux's
//! binfmt_elf (an [`ExecPlan`] for an x86_64 ELF64 executable), binfmt_script (the `#!`
//! line, [`parse_shebang`]) and create_elf_tables (the initial user stack with argv, envp
//! and the auxiliary vector, [`build_initial_stack`]). Pure functions over bytes: the
//! kernel keeps only the glue that reads the file and maps the pages.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod auxv;
mod error;
mod header;
mod plan;
mod script;
mod segment;
mod stack;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testelf;

pub use auxv::{AuxInfo, CLOCKS_PER_SEC};
pub use error::ExecError;
pub use plan::{ElfKind, ExecPlan, StackExec};
pub use script::{parse_shebang, ScriptArgv, Shebang, BINPRM_BUF_SIZE, MAX_SCRIPT_DEPTH};
pub use segment::{Rights, Segment};
pub use stack::{
    args_room, build_initial_stack, InitialStack, ARG_MAX, MAX_ARG_STRINGS, MAX_ARG_STRLEN, STK_LIM,
};

/// The page size (Linux's PAGE_SIZE and ELF_MIN_ALIGN on x86_64, and AT_PAGESZ).
pub const PAGE_SIZE: u64 = 4096;

/// The first address user space cannot use: TASK_SIZE_MAX with 4-level paging,
/// `(1 << 47) - PAGE_SIZE` (the top page is left out, as Linux does).
pub const TASK_SIZE: u64 = (1 << 47) - PAGE_SIZE;

/// Where Linux places a position-independent program on x86_64: ELF_ET_DYN_BASE,
/// `DEFAULT_MAP_WINDOW / 3 * 2` (arch/x86/include/asm/elf.h), the well-known
/// 0x5555_5555_4000 once rounded down to a page. The usual `base_hint` of
/// [`ExecPlan::from_elf`]; the kernel adds its randomization to it.
pub const ELF_ET_DYN_BASE: u64 = TASK_SIZE / 3 * 2;

/// Linux's PATH_MAX: the longest PT_INTERP string, NUL included.
const PATH_MAX: u64 = linux_raw_sys::general::PATH_MAX as u64;

fn page_start(addr: u64) -> u64 {
    addr & !(PAGE_SIZE - 1)
}

fn page_offset(addr: u64) -> u64 {
    addr & (PAGE_SIZE - 1)
}

/// Round up to a page boundary; `None` past the end of the address space.
fn page_align(addr: u64) -> Option<u64> {
    Some(addr.checked_add(PAGE_SIZE - 1)? & !(PAGE_SIZE - 1))
}
