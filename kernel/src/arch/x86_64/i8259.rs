//! The legacy 8259A interrupt controllers (Linux: arch/x86/kernel/i8259.c).
//!
//! noyau takes interrupts through the local APIC, so the two 8259As are
//! only reprogrammed away from the exception vectors and then masked.

use x86_64::instructions::port::Port;

const PIC1_CMD: u16 = 0x20;
const PIC1_DATA: u16 = 0x21;
const PIC2_CMD: u16 = 0xa0;
const PIC2_DATA: u16 = 0xa1;

/// Vectors the 8259As would use if a stray interrupt ever got through.
const PIC1_VECTOR: u8 = 0x20;
const PIC2_VECTOR: u8 = 0x28;

pub fn mask_all() {
    let (mut c1, mut d1) = (Port::<u8>::new(PIC1_CMD), Port::<u8>::new(PIC1_DATA));
    let (mut c2, mut d2) = (Port::<u8>::new(PIC2_CMD), Port::<u8>::new(PIC2_DATA));
    // SAFETY: the standard ICW1-ICW4 initialisation of the PC's two 8259As,
    // followed by masking every line.
    unsafe {
        c1.write(0x11);
        c2.write(0x11);
        d1.write(PIC1_VECTOR);
        d2.write(PIC2_VECTOR);
        d1.write(4); // the slave sits on line 2
        d2.write(2);
        d1.write(0x01); // 8086 mode
        d2.write(0x01);
        d1.write(0xff);
        d2.write(0xff);
    }
}
