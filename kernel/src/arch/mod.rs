//! Architecture-specific code. noyau runs on x86_64 only.

pub mod x86_64;
pub use self::x86_64::*;
