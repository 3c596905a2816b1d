//! Library routines the compiler expects (Linux: lib/, arch/x86/lib/).

pub mod string;
