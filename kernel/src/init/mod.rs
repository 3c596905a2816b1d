//! The boot order (Linux: init/).

pub mod main;
pub mod version;

static CMDLINE: spin::Once<alloc::string::String> = spin::Once::new();

/// Keep the command line for /proc/cmdline.
pub fn save_cmdline(cmdline: &str) {
    CMDLINE.call_once(|| alloc::string::String::from(cmdline));
}

/// The kernel command line, as the boot loader gave it.
pub fn cmdline() -> &'static str {
    CMDLINE.get().map_or("", |s| s.as_str())
}
