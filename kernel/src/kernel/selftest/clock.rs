//! The tick and the log: a 100 ms sleep by the timer measured by the
//! clocksource, and the console filter against the log buffer.

use core::sync::atomic::Ordering;

use logbuf::Level;

use crate::kernel::{printk, time};
use crate::{pr_emerg, pr_info};

/// Two marks 100 ms apart by the timer tick; the host compares their
/// printk timestamps, which come from the TSC clocksource.
#[inline(never)]
pub fn selftest_timer() {
    let irqs = &crate::arch::percpu::this_cpu().apic_timer_irqs;
    time::align_to_tick();
    let irqs_before = irqs.load(Ordering::Relaxed);
    pr_info!("selftest: timer mark 1 (jiffies {})", time::jiffies());
    time::sleep_ticks(time::msecs_to_jiffies(100));
    let taken = irqs.load(Ordering::Relaxed) - irqs_before;
    pr_info!(
        "selftest: timer mark 2 (jiffies {}, {} local timer interrupts)",
        time::jiffies(),
        taken
    );
}

/// One record per level, then a look into the log buffer: the console
/// filter must hide some from the console but none from the buffer.
#[inline(never)]
pub fn selftest_printk() {
    for level in Level::ALL {
        crate::printk!(level, "selftest: printk level {}", level.as_u8());
    }
    let found = printk::count_records(|text| text.starts_with("selftest: printk level "));
    pr_emerg!(
        "selftest: log buffer holds {} of {} test records",
        found,
        Level::ALL.len()
    );
}
