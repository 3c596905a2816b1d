//! reboot(2) (Linux: kernel/reboot.c): power off, halt or restart, after
//! the same magic numbers Linux checks.

use linux_raw_sys::errno::{EINVAL, EPERM};

use crate::arch::reboot;
use crate::kernel::sys::err;
use crate::pr_emerg;

const LINUX_REBOOT_MAGIC1: u64 = 0xfee1_dead;
const LINUX_REBOOT_MAGIC2: [u64; 4] = [672_274_793, 85_072_278, 369_367_448, 537_993_216];
const LINUX_REBOOT_CMD_RESTART: u64 = 0x0123_4567;
const LINUX_REBOOT_CMD_HALT: u64 = 0xcdef_0123;
const LINUX_REBOOT_CMD_POWER_OFF: u64 = 0x4321_fedc;
const LINUX_REBOOT_CMD_CAD_ON: u64 = 0x89ab_cdef;
const LINUX_REBOOT_CMD_CAD_OFF: u64 = 0;

/// reboot(2): CAP_SYS_BOOT first, then the magic numbers, as Linux checks.
pub fn sys_reboot(magic1: u64, magic2: u64, cmd: u64) -> i64 {
    if !crate::kernel::task::with_current(|t| crate::kernel::cred::capable(&t.cred)) {
        return err(EPERM);
    }
    if magic1 != LINUX_REBOOT_MAGIC1 || !LINUX_REBOOT_MAGIC2.contains(&magic2) {
        return err(EINVAL);
    }
    match cmd & 0xffff_ffff {
        // Ctrl-Alt-Del: noyau has no keyboard to press it on; init (busybox
        // init among them) may still say what it wants.
        LINUX_REBOOT_CMD_CAD_ON | LINUX_REBOOT_CMD_CAD_OFF => 0,
        LINUX_REBOOT_CMD_POWER_OFF => {
            pr_emerg!("reboot: Power down");
            reboot::machine_power_off()
        }
        LINUX_REBOOT_CMD_HALT => {
            pr_emerg!("reboot: System halted");
            reboot::machine_power_off()
        }
        LINUX_REBOOT_CMD_RESTART => {
            crate::pr_info!("reboot: Restarting system");
            reboot::machine_restart()
        }
        _ => err(EINVAL),
    }
}
