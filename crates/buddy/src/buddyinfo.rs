//! The /proc/buddyinfo report: for each populated zone, the number of free blocks of
//! each order, in the exact format of Linux's frag_show_print() (mm/vmstat.c):
//! "Node %d, zone %8s " then "%6lu " per order, then a newline. Pages on the
//! per-cpu lists are not free in buddy and are not counted, as on Linux.

use core::fmt;

use crate::node::Node;
use crate::zone::{ZoneType, MAX_NR_ZONES};
use crate::NR_PAGE_ORDERS;

/// A snapshot of the free block counts, printed with `Display`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuddyInfo {
    nid: u32,
    /// None for a zone without memory: Linux skips unpopulated zones.
    zones: [Option<[u64; NR_PAGE_ORDERS]>; MAX_NR_ZONES],
}

impl BuddyInfo {
    pub(crate) fn of(node: &Node<'_>) -> BuddyInfo {
        BuddyInfo {
            nid: 0,
            zones: core::array::from_fn(|z| {
                let zone = &node.zones[z];
                (zone.present > 0).then(|| core::array::from_fn(|o| zone.free_area[o].len()))
            }),
        }
    }

    /// Free blocks per order of a zone, if the zone has memory.
    pub fn zone(&self, zone: ZoneType) -> Option<[u64; NR_PAGE_ORDERS]> {
        self.zones[zone.index()]
    }
}

impl fmt::Display for BuddyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for zone in ZoneType::ALL {
            let Some(counts) = self.zones[zone.index()] else {
                continue;
            };
            write!(f, "Node {}, zone {:>8} ", self.nid, zone.name())?;
            for count in counts {
                write!(f, "{count:>6} ")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Page;
    use std::string::ToString;
    use std::vec;

    #[test]
    fn format_is_linux_byte_for_byte() {
        let mut map = vec![Page::EMPTY; (1 << 20) + 2048];
        let mut node = Node::new(&mut map);
        // A PC: page 0 and the 640 KiB..1 MiB hole are not free.
        node.add_free_range(1, 0x9f).unwrap();
        node.add_free_range(0x100, 4096).unwrap();
        node.add_free_range(4096, 1 << 20).unwrap();
        node.add_free_range(1 << 20, (1 << 20) + 2048).unwrap();
        let text = node.buddyinfo().to_string();
        let expected = concat!(
            "Node 0, zone      DMA      2      2      2      2      2      1      1      0",
            "      1      1      3 \n",
            "Node 0, zone    DMA32      0      0      0      0      0      0      0      0",
            "      0      0   1020 \n",
            "Node 0, zone   Normal      0      0      0      0      0      0      0      0",
            "      0      0      2 \n",
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn absent_zones_are_skipped() {
        let mut map = vec![Page::EMPTY; 8192];
        let mut node = Node::new(&mut map);
        assert_eq!(node.buddyinfo().to_string(), "");
        node.add_free_range(4096, 8192).unwrap();
        let info = node.buddyinfo();
        assert_eq!(info.zone(ZoneType::Dma), None);
        assert_eq!(info.zone(ZoneType::Dma32).unwrap()[10], 4);
        assert_eq!(
            info.to_string(),
            "Node 0, zone    DMA32      0      0      0      0      0      0      0      0      \
             0      0      4 \n"
        );
    }
}
