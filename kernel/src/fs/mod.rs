//! Files (Linux: fs/). The VFS comes next; for now only the console
//! behind file descriptors 0, 1 and 2.

pub mod read_write;
