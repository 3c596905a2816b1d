//! Device numbers (Linux: fs/char_dev.c register_chrdev_region and
//! __register_chrdev, block/genhd.c register_blkdev, include/linux/kdev_t.h).
//!
//! A device number is a major, naming the driver, and a minor, naming one
//! device of that driver. A driver claims a region: a major and a range
//! of its minors, under a name. Claims may not overlap; major 0 asks for
//! a free major, taken from the top of the dynamic range down as Linux
//! does. The registry answers which driver owns a number (or none: the
//! opener then gets ENXIO) and renders /proc/devices.

#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

#[cfg(test)]
mod tests;

/// Majors are below this (Linux: CHRDEV_MAJOR_MAX, BLKDEV_MAJOR_MAX).
pub const MAJOR_MAX: u32 = 512;
/// Minors are below this (Linux: MINORMASK + 1).
pub const MINOR_MAX: u32 = 1 << 20;
/// The majors handed out for major 0, searched from the top down
/// (Linux: CHRDEV_MAJOR_DYN_END to CHRDEV_MAJOR_DYN_END's top, 234-254).
pub const DYNAMIC_MAJORS: core::ops::RangeInclusive<u32> = 234..=254;

/// Character or block device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Char,
    Block,
}

/// Why a region could not be claimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Part of it is claimed already, or no dynamic major is free (EBUSY).
    Busy,
    /// A major or minor out of range, or an empty range (EINVAL).
    Invalid,
}

/// One claimed region.
#[derive(Clone, Debug)]
pub struct Region<T> {
    pub kind: Kind,
    pub major: u32,
    pub first_minor: u32,
    pub count: u32,
    pub name: String,
    pub driver: T,
}

impl<T> Region<T> {
    fn holds(&self, kind: Kind, major: u32, minor: u32) -> bool {
        self.kind == kind
            && self.major == major
            && minor >= self.first_minor
            && minor - self.first_minor < self.count
    }

    fn overlaps(&self, kind: Kind, major: u32, first: u32, count: u32) -> bool {
        self.kind == kind
            && self.major == major
            && first < self.first_minor + self.count
            && self.first_minor < first + count
    }
}

/// Every claimed region, kept sorted by kind, major and first minor.
pub struct Registry<T> {
    regions: Vec<Region<T>>,
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Registry<T> {
    pub const fn new() -> Self {
        Registry {
            regions: Vec::new(),
        }
    }

    /// Claim minors `first_minor..first_minor + count` of `major` (0: a free
    /// dynamic major) for `driver`; the major given.
    pub fn register(
        &mut self,
        kind: Kind,
        major: u32,
        first_minor: u32,
        count: u32,
        name: &str,
        driver: T,
    ) -> Result<u32, Error> {
        let end = first_minor.checked_add(count).ok_or(Error::Invalid)?;
        if count == 0 || end > MINOR_MAX || major >= MAJOR_MAX || name.is_empty() {
            return Err(Error::Invalid);
        }
        let major = match major {
            0 => self.free_major(kind).ok_or(Error::Busy)?,
            m => m,
        };
        if self
            .regions
            .iter()
            .any(|r| r.overlaps(kind, major, first_minor, count))
        {
            return Err(Error::Busy);
        }
        let at = self
            .regions
            .partition_point(|r| (r.kind, r.major, r.first_minor) < (kind, major, first_minor));
        self.regions.insert(
            at,
            Region {
                kind,
                major,
                first_minor,
                count,
                name: String::from(name),
                driver,
            },
        );
        Ok(major)
    }

    /// The highest dynamic major with no region at all.
    fn free_major(&self, kind: Kind) -> Option<u32> {
        DYNAMIC_MAJORS
            .rev()
            .find(|&m| !self.regions.iter().any(|r| r.kind == kind && r.major == m))
    }

    /// Give back exactly the region claimed as `major`, `first_minor`, `count`.
    pub fn unregister(
        &mut self,
        kind: Kind,
        major: u32,
        first_minor: u32,
        count: u32,
    ) -> Option<T> {
        let at = self.regions.iter().position(|r| {
            r.kind == kind && r.major == major && r.first_minor == first_minor && r.count == count
        })?;
        Some(self.regions.remove(at).driver)
    }

    /// The region that owns `major:minor`.
    pub fn lookup(&self, kind: Kind, major: u32, minor: u32) -> Option<&Region<T>> {
        self.regions.iter().find(|r| r.holds(kind, major, minor))
    }

    /// Every region, in order.
    pub fn regions(&self) -> impl Iterator<Item = &Region<T>> {
        self.regions.iter()
    }

    /// The text of /proc/devices: the character regions, a blank line, the
    /// block majors, each as `%3d %s` (Linux: chrdev_show, blkdev_show; a
    /// block major is listed once).
    pub fn proc_devices(&self) -> String {
        let mut out = String::from("Character devices:\n");
        for r in self.regions.iter().filter(|r| r.kind == Kind::Char) {
            let _ = writeln!(out, "{:3} {}", r.major, r.name);
        }
        out.push_str("\nBlock devices:\n");
        let mut last = None;
        for r in self.regions.iter().filter(|r| r.kind == Kind::Block) {
            if last != Some(r.major) {
                let _ = writeln!(out, "{:3} {}", r.major, r.name);
                last = Some(r.major);
            }
        }
        out
    }
}
