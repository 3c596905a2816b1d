//! kallsyms: the kernel's embedded symbol table, as Linux's kallsyms.
//!
//! The kernel reads the table (no_std, no alloc) to print oops backtraces as
//! `function+0xoff/0xsize`; the build tool, with the `host` feature, encodes it
//! from the linked kernel's .symtab and patches it into the `.kallsyms` section.
//!
//! # Why a reserved section
//!
//! Linux links vmlinux two or three times to fit the table in. noyau links once:
//! the kernel reserves a zero-filled PROGBITS section `.kallsyms` of fixed size,
//! and the build tool overwrites its file bytes after linking. No address moves,
//! so the table describes the very image that runs. An all-zero section (a kernel
//! that was not patched) simply has no table.
//!
//! # Binary format, version 1
//!
//! All integers are little-endian; offsets count from the first byte of the table.
//!
//! ```text
//! offset  size        field
//! 0       8           magic, the ASCII bytes "KALLSYMS"
//! 8       4           version, 1
//! 12      4           count, number of symbols
//! 16      4           strings_off, always 24 + 16 * count
//! 20      4           strings_len, bytes in the name area
//! 24      16 * count  entries, sorted by strictly increasing addr:
//!                       +0  u64  addr, first byte of the function
//!                       +8  u32  size in bytes; 0 = unknown, ends at the next symbol
//!                       +12 u32  name, offset of the name in the name area
//! strings_off  strings_len  name area: UTF-8 names, each followed by one NUL byte
//! ```
//!
//! Bytes after the name area (the rest of the reserved section) are ignored.
//! Same-address aliases are merged by the encoder, so each address has one name.

#![cfg_attr(not(any(test, feature = "host")), no_std)]

mod format;
mod symbol;
mod table;

#[cfg(any(test, feature = "host"))]
mod encode;

#[cfg(feature = "host")]
mod embed;

#[cfg(test)]
mod proptests;

pub use symbol::Symbol;
pub use table::{Iter, Table};

#[cfg(any(test, feature = "host"))]
pub use encode::{encode, HostSymbol};

#[cfg(feature = "host")]
pub use embed::{embed, symbols_from_elf, EmbedStats, SECTION};
