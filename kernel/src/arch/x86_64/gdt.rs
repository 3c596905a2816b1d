//! The global descriptor table and the task-state segment
//! (Linux: arch/x86/kernel/cpu/common.c, arch/x86/include/asm/segment.h).
//!
//! The selectors are Linux's, so that oops text reads the same
//! ("RIP: 0010:"), and so that SYSRET finds the user segments where it
//! expects them: user 32-bit code, then user data, then user 64-bit code.

use x86_64::instructions::segmentation::{Segment, CS, DS, ES, SS};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, DescriptorFlags, GlobalDescriptorTable};
use x86_64::structures::tss::TaskStateSegment;
use x86_64::VirtAddr;

use super::percpu::{PerCpu, IST_STACK_SIZE};

pub const GDT_ENTRIES: usize = 10;

// The selectors, as Linux numbers them (asm/segment.h). Entry 0x08 is the
// 32-bit kernel code, 0x23 the 32-bit user code, 0x2b the user data; the
// system-call entry will name them.
pub const KERNEL_CS: u16 = 0x10;
pub const KERNEL_DS: u16 = 0x18;
pub const USER_DS: u16 = 0x2b;
pub const USER_CS: u16 = 0x33;
pub const TSS_SEL: u16 = 0x40;

/// Build this CPU's GDT and TSS and load them.
pub fn init(pcpu: &'static mut PerCpu) {
    let PerCpu {
        tss,
        gdt,
        ist_stacks,
        ..
    } = pcpu;
    // The TSS is packed: build the table aside and store it whole.
    let mut ist = tss.interrupt_stack_table;
    for (slot, stack) in ist.iter_mut().zip(ist_stacks.iter()) {
        *slot = VirtAddr::new(stack.0.as_ptr() as u64 + IST_STACK_SIZE as u64);
    }
    tss.interrupt_stack_table = ist;
    let tss: &'static TaskStateSegment = tss;

    gdt.append(Descriptor::UserSegment(
        DescriptorFlags::KERNEL_CODE32.bits(),
    ));
    let kernel_cs = gdt.append(Descriptor::kernel_code_segment());
    let kernel_ds = gdt.append(Descriptor::kernel_data_segment());
    gdt.append(Descriptor::UserSegment(DescriptorFlags::USER_CODE32.bits()));
    gdt.append(Descriptor::user_data_segment());
    let user_cs = gdt.append(Descriptor::user_code_segment());
    gdt.append(Descriptor::UserSegment(0));
    let tss_sel = gdt.append(Descriptor::tss_segment(tss));
    assert!(
        kernel_cs.0 == KERNEL_CS
            && kernel_ds.0 == KERNEL_DS
            && user_cs.0 == USER_CS
            && tss_sel.0 == TSS_SEL,
        "GDT layout differs from the selectors the entry code uses"
    );

    let gdt: &'static GlobalDescriptorTable<GDT_ENTRIES> = gdt;
    gdt.load();
    // SAFETY: the selectors name the descriptors just loaded.
    unsafe {
        CS::set_reg(kernel_cs);
        DS::set_reg(kernel_ds);
        ES::set_reg(kernel_ds);
        SS::set_reg(kernel_ds);
        load_tss(tss_sel);
    }
}
