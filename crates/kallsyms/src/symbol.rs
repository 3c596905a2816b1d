//! One resolved symbol, printed the way Linux's `%pS` prints it in an oops.
//!
//! `name+0x1a/0x40`: the function, the offset of the address inside it and the
//! function's size, both in lower-case hex with a 0x prefix.

use core::fmt;

/// A function of the table, and where an address falls inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Symbol<'a> {
    /// Demangled name, as the encoder stored it.
    pub name: &'a str,
    /// Address of the function's first byte.
    pub addr: u64,
    /// Size in bytes. For a symbol stored with size 0 this is the distance to the
    /// next symbol, or 0 for the last one.
    pub size: u64,
    /// Offset of the looked-up address from `addr`; 0 from `iter` and `find`.
    pub offset: u64,
}

impl fmt::Display for Symbol<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{:#x}/{:#x}", self.name, self.offset, self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(name: &str, offset: u64, size: u64) -> Symbol<'_> {
        Symbol {
            name,
            addr: 0xffff_ffff_8000_1000,
            size,
            offset,
        }
    }

    #[test]
    fn prints_like_linux() {
        assert_eq!(
            sym("do_page_fault", 0x1a, 0x40).to_string(),
            "do_page_fault+0x1a/0x40"
        );
        assert_eq!(
            sym("start_kernel", 0, 0x3f0).to_string(),
            "start_kernel+0x0/0x3f0"
        );
        assert_eq!(
            sym("noyau::mm::buddy::alloc", 0xABC, 0xFFF).to_string(),
            "noyau::mm::buddy::alloc+0xabc/0xfff"
        );
    }
}
