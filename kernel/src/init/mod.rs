//! The boot order (Linux: init/).

pub mod main;
pub mod version;
