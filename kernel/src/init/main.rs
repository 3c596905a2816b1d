//! start_kernel: the first Rust function, called by head.S in long mode
//! (Linux: init/main.c). It brings the kernel up in Linux's order: the
//! console, traps, the boot information and memory map, the clocks, the
//! kernel's page tables, interrupts; then it would start /init.

use crate::arch::{reboot, setup};
use crate::drivers::tty::serial;
use crate::init::version;
use crate::kernel::{exec, kallsyms, panic, printk, selftest};
use crate::{pr_err, pr_info, pr_notice};

#[no_mangle]
pub extern "C" fn start_kernel(magic: u32, info_phys: u32) -> ! {
    crate::kernel::sched::stack::mark_boot_stack();
    serial::init();
    setup::early_trap_init();
    setup::tsc_init_quiet_first();
    let info = setup::read_boot_info(magic, info_phys);
    printk::setup_console_level(&info.cmdline);

    pr_notice!(
        "noyau version {} ({}) #1 SMP {} {}",
        version::RELEASE,
        version::COMPILER,
        version::COMMIT,
        version::BUILD_DATE
    );
    pr_info!("Command line: {}", info.cmdline);
    if let Some(value) = info.cmdline_param("panic") {
        panic::setup_panic_timeout(value);
    }
    setup::print_memory_map(info);
    setup::check_kernel_fits(info);
    pr_info!("Bootloader: {}", info.loader_name);
    for m in &info.modules {
        pr_info!(
            "boot module: [mem {:#018x}-{:#018x}] {}",
            m.start,
            m.end - 1,
            m.cmdline
        );
    }
    setup::print_cpu();
    setup::print_tsc();
    setup::smp_init(info);
    crate::mm::memblock::init(info);
    setup::paging_init(info);
    setup::protection_init(info.cmdline_param("nosmap").is_some());
    crate::mm::mm_init(info.cmdline_param("slub_debug").is_some());
    super::save_cmdline(&info.cmdline);
    setup::apic_init(info.cmdline_param("noapic").is_some());
    x86_64::instructions::interrupts::enable();
    crate::kernel::time_syscalls::init_wall_clock();
    pr_info!("kallsyms: {} symbols", kallsyms::count());

    crate::drivers::char::mem::init();
    crate::fs::console::init();
    crate::drivers::block::brd::init(
        info.cmdline_param("brd.rd_size"),
        info.cmdline_param("brd.rd_nr"),
    );

    selftest::run(info.cmdline_param("noyau.test").unwrap_or(""));

    let Some(initramfs) = info.modules.first() else {
        pr_info!("noyau: no initramfs, so no init to run; powering off");
        reboot::machine_power_off()
    };
    let args = init_args(&info.cmdline);
    let args: alloc::vec::Vec<&str> = args.iter().map(|a| a.as_str()).collect();
    crate::kernel::task::init_idle_task();
    crate::fs::rootfs::init(setup::boot_module_bytes(initramfs));
    run_init(
        info.cmdline_param("rdinit"),
        info.cmdline_param("init"),
        &args,
    );
    crate::kernel::kthread::start_kthreadd();
    selftest::run_late(info.cmdline_param("noyau.test").unwrap_or(""));
    crate::kernel::sched::cpu_idle()
}

/// Start init the way Linux's kernel_init does: rdinit= (default /init)
/// if it exists, then init=, whose failure is fatal, then the usual
/// places; with none, Linux's panic.
fn run_init(rdinit: Option<&str>, init: Option<&str>, args: &[&str]) {
    // A path that is not there is passed over in silence (init_eaccess).
    let try_run = |path: &str| match exec::spawn_init(path, args) {
        Ok(()) => Ok(()),
        Err(failure) if failure.errno() == linux_raw_sys::errno::ENOENT as i32 => Err(()),
        Err(failure) => {
            pr_err!(
                "Failed to execute {} (error -{}): {:?}",
                path,
                failure.errno(),
                failure
            );
            Err(())
        }
    };
    let rdinit = rdinit.unwrap_or("/init");
    if exists(rdinit) && try_run(rdinit).is_ok() {
        return;
    }
    if let Some(init) = init {
        match exec::spawn_init(init, args) {
            Ok(()) => return,
            Err(failure) => panic::panic(
                format_args!(
                    "Requested init {} failed (error -{}).",
                    init,
                    failure.errno()
                ),
                false,
            ),
        }
    }
    for path in ["/sbin/init", "/etc/init", "/bin/init", "/bin/sh"] {
        if try_run(path).is_ok() {
            return;
        }
    }
    panic::panic(
        format_args!("No working init found.  Try passing init= option to kernel."),
        false,
    )
}

/// Is there a file at `path` in the root filesystem (Linux: init_eaccess)?
fn exists(path: &str) -> bool {
    let Some(root) = crate::fs::rootfs::root() else {
        return false;
    };
    let cred = vfs::Cred::root();
    vfs::resolve(vfs::Lookup::new(&root, &root, &cred), path.as_bytes(), true).is_ok()
}

/// The words after "--" on the command line, which Linux passes to init;
/// double quotes group words and are removed, as Linux's next_arg does.
fn init_args(cmdline: &str) -> alloc::vec::Vec<alloc::string::String> {
    let mut args = alloc::vec::Vec::new();
    let Some(rest) = cmdline
        .split_once(" -- ")
        .map(|(_, r)| r)
        .or_else(|| cmdline.strip_prefix("-- "))
    else {
        return args;
    };
    let mut word = alloc::string::String::new();
    let (mut quoted, mut any) = (false, false);
    for c in rest.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any || !word.is_empty() {
                    args.push(core::mem::take(&mut word));
                }
                any = false;
            }
            c => word.push(c),
        }
    }
    if any || !word.is_empty() {
        args.push(word);
    }
    args
}
