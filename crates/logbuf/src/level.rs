//! Message levels: Linux's eight printk log levels, KERN_EMERG (0) to KERN_DEBUG (7).
//! A smaller number is more urgent; the console prints levels below console_loglevel.

/// A printk level, numbered as Linux numbers them (include/linux/kern_levels.h).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    Emerg = 0,
    Alert = 1,
    Crit = 2,
    Err = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
}

/// The level of a message printed without one (Linux's MESSAGE_LOGLEVEL_DEFAULT).
pub const MESSAGE_LOGLEVEL_DEFAULT: Level = Level::Warning;

impl Level {
    /// Every level, most urgent first.
    pub const ALL: [Level; 8] = [
        Level::Emerg,
        Level::Alert,
        Level::Crit,
        Level::Err,
        Level::Warning,
        Level::Notice,
        Level::Info,
        Level::Debug,
    ];

    /// The level numbered `n`, or `None` when `n` is above 7.
    pub const fn from_u8(n: u8) -> Option<Level> {
        if (n as usize) < Self::ALL.len() {
            Some(Self::ALL[n as usize])
        } else {
            None
        }
    }

    /// The level's number, 0 (emerg) to 7 (debug).
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The name of the level's macro in Linux, such as `KERN_ERR`.
    pub const fn kern_name(self) -> &'static str {
        match self {
            Level::Emerg => "KERN_EMERG",
            Level::Alert => "KERN_ALERT",
            Level::Crit => "KERN_CRIT",
            Level::Err => "KERN_ERR",
            Level::Warning => "KERN_WARNING",
            Level::Notice => "KERN_NOTICE",
            Level::Info => "KERN_INFO",
            Level::Debug => "KERN_DEBUG",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for n in 0..=7u8 {
            let level = Level::from_u8(n).unwrap();
            assert_eq!(level.as_u8(), n);
            assert_eq!(Level::ALL[n as usize], level);
        }
        assert_eq!(Level::from_u8(8), None);
        assert_eq!(Level::from_u8(255), None);
    }

    #[test]
    fn linux_numbers_and_names() {
        assert_eq!(Level::Emerg as u8, 0);
        assert_eq!(Level::Err as u8, 3);
        assert_eq!(Level::Warning as u8, 4);
        assert_eq!(Level::Info as u8, 6);
        assert_eq!(Level::Debug as u8, 7);
        assert_eq!(Level::Emerg.kern_name(), "KERN_EMERG");
        assert_eq!(Level::Warning.kern_name(), "KERN_WARNING");
        assert_eq!(Level::Debug.kern_name(), "KERN_DEBUG");
        assert_eq!(MESSAGE_LOGLEVEL_DEFAULT.as_u8(), 4);
        assert!(Level::Emerg < Level::Debug);
    }
}
