//! Error numbers of the file layer as values: Linux's errno (include/uapi/asm-generic/errno*.h),
//! taken from linux-raw-sys rather than retyped. A system call returns `-errno`, which
//! [`Errno::to_ret`] computes.

use core::fmt;

use linux_raw_sys::errno as e;

/// A Linux error number (1..4095).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(u16);

/// The result of a file-layer operation.
pub type Result<T> = core::result::Result<T, Errno>;

macro_rules! errnos {
    ($($name:ident),* $(,)?) => {
        impl Errno {
            $(pub const $name: Errno = Errno(e::$name as u16);)*

            /// Linux's symbolic name, for logs ("ENOENT").
            pub fn name(self) -> &'static str {
                match self {
                    $(Errno::$name => stringify!($name),)*
                    _ => "E?",
                }
            }
        }
    };
}

errnos!(
    EPERM,
    ENOENT,
    EIO,
    ENXIO,
    E2BIG,
    EBADF,
    EAGAIN,
    ENOMEM,
    EACCES,
    EFAULT,
    EBUSY,
    EEXIST,
    EXDEV,
    ENODEV,
    ENOTDIR,
    EISDIR,
    EINVAL,
    ENFILE,
    EMFILE,
    ENOTTY,
    ETXTBSY,
    EFBIG,
    ENOSPC,
    ESPIPE,
    EROFS,
    EMLINK,
    ERANGE,
    ENAMETOOLONG,
    ENOSYS,
    ENOTEMPTY,
    ELOOP,
    EOVERFLOW,
    EOPNOTSUPP,
);

impl Errno {
    /// The errno for a number from linux-raw-sys or elsewhere.
    pub const fn new(errno: u32) -> Errno {
        Errno(errno as u16)
    }

    /// The positive number.
    pub const fn get(self) -> u32 {
        self.0 as u32
    }

    /// What a system call returns for this error: `-errno`.
    pub const fn to_ret(self) -> i64 {
        -(self.0 as i64)
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.0)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_linux_ones() {
        assert_eq!(Errno::ENOENT.get(), 2);
        assert_eq!(Errno::ELOOP.get(), 40);
        assert_eq!(Errno::ENAMETOOLONG.to_ret(), -36);
        assert_eq!(Errno::EXDEV.name(), "EXDEV");
        assert_eq!(format!("{:?}", Errno::EBADF), "EBADF(9)");
        assert_eq!(Errno::new(4000).name(), "E?");
    }
}
