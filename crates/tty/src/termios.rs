//! struct termios as the TCGETS and TCSETS ioctls carry it (Linux:
//! include/uapi/asm-generic/termbits.h), and the settings a terminal
//! starts with (Linux: tty_std_termios, as the serial console sets it).

use linux_raw_sys::general as g;

/// Bytes of the kernel's struct termios: four flag words, the line
/// discipline and 19 control characters.
pub const TERMIOS_SIZE: usize = 36;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Termios {
    pub iflag: u32,
    pub oflag: u32,
    pub cflag: u32,
    pub lflag: u32,
    pub line: u8,
    pub cc: [u8; g::NCCS as usize],
}

/// Linux's INIT_C_CC: ^C ^\ DEL ^U ^D, TIME 0, MIN 1, ^Q ^S ^Z, ^R ^O ^W ^V.
const INIT_C_CC: [u8; g::NCCS as usize] = [
    3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0,
];

impl Default for Termios {
    /// tty_std_termios with the serial console's 9600 baud, 8 bits, CLOCAL.
    fn default() -> Self {
        Termios {
            iflag: g::ICRNL | g::IXON,
            oflag: g::OPOST | g::ONLCR,
            cflag: g::B9600 | g::CS8 | g::CREAD | g::HUPCL | g::CLOCAL,
            lflag: g::ISIG
                | g::ICANON
                | g::ECHO
                | g::ECHOE
                | g::ECHOK
                | g::ECHOCTL
                | g::ECHOKE
                | g::IEXTEN,
            line: 0,
            cc: INIT_C_CC,
        }
    }
}

impl Termios {
    pub fn lflag(&self, f: u32) -> bool {
        self.lflag & f != 0
    }

    pub fn iflag(&self, f: u32) -> bool {
        self.iflag & f != 0
    }

    pub fn oflag(&self, f: u32) -> bool {
        self.oflag & f != 0
    }

    /// Control character `index` (VINTR, VEOF, ...); 0 is disabled.
    pub fn cc(&self, index: u32) -> u8 {
        self.cc[index as usize]
    }

    pub fn to_bytes(&self) -> [u8; TERMIOS_SIZE] {
        let mut b = [0u8; TERMIOS_SIZE];
        for (i, w) in [self.iflag, self.oflag, self.cflag, self.lflag]
            .iter()
            .enumerate()
        {
            b[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
        }
        b[16] = self.line;
        b[17..].copy_from_slice(&self.cc);
        b
    }

    pub fn from_bytes(b: &[u8; TERMIOS_SIZE]) -> Termios {
        let word = |i: usize| u32::from_le_bytes(b[i * 4..i * 4 + 4].try_into().expect("4 bytes"));
        let mut cc = [0u8; g::NCCS as usize];
        cc.copy_from_slice(&b[17..]);
        Termios {
            iflag: word(0),
            oflag: word(1),
            cflag: word(2),
            lflag: word(3),
            line: b[16],
            cc,
        }
    }
}
