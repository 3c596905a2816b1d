//! The kernel's banner (Linux: init/version.c, linux_banner).

pub const RELEASE: &str = env!("CARGO_PKG_VERSION");
pub const COMPILER: &str = env!("NOYAU_RUSTC");
pub const COMMIT: &str = env!("NOYAU_COMMIT");
pub const BUILD_DATE: &str = env!("NOYAU_BUILD_DATE");
