//! The 8250/16550 serial console on COM1 (Linux: drivers/tty/serial/8250).
//!
//! The UART itself is driven by the `uart_16550` crate; this file owns the
//! single COM1 instance and the lock that serialises writers.

use crate::kernel::sync::IrqSpinLock;
use uart_16550::SerialPort;

const COM1: u16 = 0x3f8;

static COM1_PORT: IrqSpinLock<Option<SerialPort>> = IrqSpinLock::new(None);

pub fn init() {
    // SAFETY: COM1 is the standard PC serial port; nothing else drives it.
    let mut port = unsafe { SerialPort::new(COM1) };
    port.init();
    *COM1_PORT.lock() = Some(port);
}

/// Send bytes, turning "\n" into "\r\n" as a terminal expects.
fn send(port: &mut SerialPort, bytes: &[u8]) {
    for &b in bytes {
        if b == b'\n' {
            port.send_raw(b'\r');
        }
        port.send_raw(b);
    }
}

pub fn write_bytes(bytes: &[u8]) {
    if let Some(port) = COM1_PORT.lock().as_mut() {
        send(port, bytes);
    }
}

/// Send bytes as they are: the tty layer did its own output processing.
pub fn write_raw(bytes: &[u8]) {
    if let Some(port) = COM1_PORT.lock().as_mut() {
        for &b in bytes {
            port.send_raw(b);
        }
    }
}

/// Write without taking the lock: for the panic path only, where the lock
/// may be held by the code that failed.
pub fn write_bytes_unlocked(bytes: &[u8]) {
    // SAFETY: a second handle on COM1; used only once the system is dying.
    let mut port = unsafe { SerialPort::new(COM1) };
    send(&mut port, bytes);
}

/// One byte the UART has received, if any (polled: the tty layer asks
/// every tick and while a reader waits).
pub fn try_read_byte() -> Option<u8> {
    COM1_PORT
        .lock()
        .as_mut()
        .and_then(|port| port.try_receive().ok())
}
