//! The PC's CMOS real-time clock (Linux: drivers/rtc/rtc-cmos.c,
//! rtc-mc146818-lib.c): read once at boot to set the wall clock.
//!
//! The date is read twice until two reads agree (the chip may update
//! between bytes), decoded from BCD when the chip says so, and turned
//! into seconds since 1970 with the days-from-civil rule.

use x86_64::instructions::port::Port;

fn cmos_read(reg: u8) -> u8 {
    let mut index = Port::<u8>::new(0x70);
    let mut data = Port::<u8>::new(0x71);
    // SAFETY: ports 0x70/0x71 are the CMOS index and data registers; bit 7
    // of the index keeps NMIs enabled as it was.
    unsafe {
        index.write(reg & 0x7f);
        data.read()
    }
}

/// (year, month, day, hour, minute, second) as the chip stores them.
fn read_raw() -> [u8; 6] {
    // Register 0x0a bit 7: an update is in progress.
    while cmos_read(0x0a) & 0x80 != 0 {
        core::hint::spin_loop();
    }
    [
        cmos_read(0x09),
        cmos_read(0x08),
        cmos_read(0x07),
        cmos_read(0x04),
        cmos_read(0x02),
        cmos_read(0x00),
    ]
}

fn bcd(v: u8) -> u8 {
    (v & 0x0f) + (v >> 4) * 10
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date and time now, in seconds since the epoch (UTC).
pub fn read_time() -> (u64, [u32; 6]) {
    let mut raw = read_raw();
    loop {
        let again = read_raw();
        if again == raw {
            break;
        }
        raw = again;
    }
    let binary = cmos_read(0x0b) & 0x04 != 0;
    let dec = |v: u8| if binary { v } else { bcd(v) };
    let hour_raw = raw[3];
    let pm = hour_raw & 0x80 != 0;
    let mut hour = dec(hour_raw & 0x7f) as i64;
    if cmos_read(0x0b) & 0x02 == 0 && pm {
        hour = (hour % 12) + 12;
    }
    let year = 2000 + dec(raw[0]) as i64;
    let (month, day) = (dec(raw[1]) as i64, dec(raw[2]) as i64);
    let (minute, second) = (dec(raw[4]) as i64, dec(raw[5]) as i64);
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second;
    let parts = [
        year as u32,
        month as u32,
        day as u32,
        hour as u32,
        minute as u32,
        second as u32,
    ];
    (secs.max(0) as u64, parts)
}
