//! Starting init from the initramfs (Linux: init/main.c run_init_process,
//! fs/exec.c, fs/binfmt_elf.c load_elf_binary).
//!
//! The executable is read straight from the cpio archive the loader passed
//! as the first boot module (unpacking it into a ramfs comes with the VFS).
//! crates/elfload decides where each segment goes and builds the initial
//! stack; this file allocates the pages, copies the file bytes, and enters
//! ring 3 at the entry point.

use gfp::Gfp;

use crate::arch::mm::{phys_to_virt, PAGE_SIZE};
use crate::kernel::task::{comm_from_path, set_current, Task};
use crate::mm::address_space::{AddressSpace, Prot, TASK_SIZE};
use crate::mm::mmap::STACK_RESERVE;
use crate::mm::page_alloc;
use crate::{pr_err, pr_info};

/// Kernel stack per task: 16 KiB, as Linux's THREAD_SIZE on x86_64.
const KERNEL_STACK_ORDER: u32 = 2;

/// Why init could not start.
#[derive(Debug)]
pub enum ExecFailure {
    NotFound,
    Elf(elfload::ExecError),
    NoMemory,
}

impl ExecFailure {
    /// The errno Linux's run_init_process would report.
    pub fn errno(&self) -> i32 {
        match self {
            ExecFailure::NotFound => linux_raw_sys::errno::ENOENT as i32,
            ExecFailure::Elf(e) => e.errno() as i32,
            ExecFailure::NoMemory => linux_raw_sys::errno::ENOMEM as i32,
        }
    }
}

/// The file at `path` in the archive (symlinks are not followed yet).
fn find_in_initramfs<'a>(archive: &'a [u8], path: &str) -> Result<&'a [u8], ExecFailure> {
    let wanted = path.trim_start_matches('/').as_bytes();
    for entry in cpio::entries(archive) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                pr_err!("initramfs: {}", e);
                break;
            }
        };
        if entry.normalized_path().ok() == Some(wanted) && entry.kind() == cpio::Kind::Regular {
            return Ok(entry.data());
        }
    }
    Err(ExecFailure::NotFound)
}

/// Fill the file-backed page at `page` as Linux's mmap of the file would:
/// the whole file page, then zeroes from the end of the segment's file
/// bytes (padzero), so that a page two segments share reads the same.
fn fill_file_page(dst: *mut u8, page: u64, seg: &elfload::Segment, file: &[u8]) {
    let off = (seg.file_offset + (page - seg.file_pages().start)) as usize;
    let len = file.len().saturating_sub(off).min(PAGE_SIZE as usize);
    if len > 0 {
        // SAFETY: dst is a fresh page of PAGE_SIZE bytes in the direct map.
        unsafe { core::ptr::copy_nonoverlapping(file[off..].as_ptr(), dst, len) };
    }
    let zero = seg.zero_bytes();
    let from = zero.start.max(page);
    let to = zero.end.min(page + PAGE_SIZE);
    if from < to {
        // SAFETY: [from, to) lies inside this page.
        unsafe { core::ptr::write_bytes(dst.add((from - page) as usize), 0, (to - from) as usize) };
    }
}

/// Map the program's segments and its stack; (entry, initial RSP).
fn load(
    mm: &mut AddressSpace,
    path: &str,
    args: &[&str],
    file: &[u8],
) -> Result<(u64, u64), ExecFailure> {
    let plan =
        elfload::ExecPlan::from_elf(file, elfload::ELF_ET_DYN_BASE).map_err(ExecFailure::Elf)?;
    for seg in &plan.segments {
        let r = seg.rights;
        let prot = Prot {
            read: r.read,
            write: r.write,
            exec: r.exec,
        };
        if !mm.range_is_free(seg.start, seg.end) {
            // Segments sharing a boundary page: the later one wins, as
            // with MAP_FIXED.
            mm.unmap_range(seg.start, seg.start + PAGE_SIZE);
        }
        mm.insert_vma(seg.start, seg.end, prot);
        for page in seg.file_pages().step_by(PAGE_SIZE as usize) {
            let dst = mm
                .map_zeroed_page(page, prot)
                .map_err(|_| ExecFailure::NoMemory)?;
            fill_file_page(dst, page, seg, file);
        }
    }

    // The stack: a VMA as large as the stack limit, paged in on demand;
    // the heap starts empty after the highest segment.
    let stack_prot = Prot {
        read: true,
        write: true,
        exec: plan.executable_stack(),
    };
    mm.insert_vma(TASK_SIZE - STACK_RESERVE, TASK_SIZE, stack_prot);
    mm.start_brk = plan.brk;
    mm.brk = plan.brk;

    let mut argv: alloc::vec::Vec<&[u8]> = alloc::vec![path.as_bytes()];
    argv.extend(args.iter().map(|a| a.as_bytes()));
    let envp: [&[u8]; 2] = [b"HOME=/", b"TERM=linux"];
    let aux = elfload::AuxInfo::new(&plan, path.as_bytes());
    let stack = elfload::build_initial_stack(
        TASK_SIZE,
        &argv,
        &envp,
        &aux,
        {
            let mut random = [0u8; 16];
            crate::drivers::char::random::get_random_bytes(&mut random);
            random
        },
        "x86_64",
        STACK_RESERVE,
    )
    .map_err(ExecFailure::Elf)?;
    mm.copy_to_user(stack.sp, &stack.bytes)
        .map_err(|_| ExecFailure::NoMemory)?;
    Ok((plan.entry, stack.sp))
}

/// Run `path` from the initramfs as pid 1, with `args` after argv[0].
/// Returns only on failure.
pub fn run_init_process(archive: &[u8], path: &str, args: &[&str]) -> ExecFailure {
    pr_info!("Run {} as init process", path);
    let file = match find_in_initramfs(archive, path) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let Ok(mut mm) = AddressSpace::new() else {
        return ExecFailure::NoMemory;
    };
    let (entry, sp) = match load(&mut mm, path, args, file) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(kstack) = page_alloc::alloc_pages(Gfp::KERNEL, KERNEL_STACK_ORDER) else {
        return ExecFailure::NoMemory;
    };
    let kstack_top = phys_to_virt(kstack * PAGE_SIZE) + (PAGE_SIZE << KERNEL_STACK_ORDER);
    let pgd = mm.pgd_phys();
    set_current(Task {
        pid: 1,
        comm: comm_from_path(path),
        mm,
        kernel_stack_top: kstack_top,
    });
    crate::arch::mm::init::switch_address_space(pgd);
    crate::arch::syscall::start_user(entry, sp, kstack_top)
}
