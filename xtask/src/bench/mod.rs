//! `cargo xtask bench`: noyau against Linux in the same QEMU, as ratios.

pub mod lines;
