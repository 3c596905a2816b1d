//! Intrusive doubly linked lists of pages threaded through the mem_map by pfn, as
//! Linux threads free pages through page->lru: a zone's free_area[order] lists and
//! the per-cpu lists. No allocation, and a buddy is unlinked from the middle of its
//! list in O(1) when it merges.

use crate::page::Page;

/// The end of a list.
pub(crate) const NIL: u32 = u32::MAX;

/// A list head (Linux: `struct free_area` holds one per migrate type, with nr_free).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FreeList {
    head: u32,
    tail: u32,
    len: u64,
}

impl FreeList {
    pub(crate) const fn new() -> Self {
        FreeList {
            head: NIL,
            tail: NIL,
            len: 0,
        }
    }

    /// Entries on the list (Linux: free_area->nr_free).
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head == NIL
    }

    pub(crate) fn push_head(&mut self, map: &mut [Page], pfn: u64) {
        let p = pfn as u32;
        map[pfn as usize].prev = NIL;
        map[pfn as usize].next = self.head;
        if self.head == NIL {
            self.tail = p;
        } else {
            map[self.head as usize].prev = p;
        }
        self.head = p;
        self.len += 1;
    }

    pub(crate) fn push_tail(&mut self, map: &mut [Page], pfn: u64) {
        let p = pfn as u32;
        map[pfn as usize].next = NIL;
        map[pfn as usize].prev = self.tail;
        if self.tail == NIL {
            self.head = p;
        } else {
            map[self.tail as usize].next = p;
        }
        self.tail = p;
        self.len += 1;
    }

    /// Unlink `pfn`, which must be on this list.
    pub(crate) fn remove(&mut self, map: &mut [Page], pfn: u64) {
        let Page { next, prev, .. } = map[pfn as usize];
        if prev == NIL {
            self.head = next;
        } else {
            map[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            map[next as usize].prev = prev;
        }
        self.len -= 1;
    }

    pub(crate) fn pop_head(&mut self, map: &mut [Page]) -> Option<u64> {
        let pfn = self.head;
        if pfn == NIL {
            return None;
        }
        self.remove(map, u64::from(pfn));
        Some(u64::from(pfn))
    }

    pub(crate) fn pop_tail(&mut self, map: &mut [Page]) -> Option<u64> {
        let pfn = self.tail;
        if pfn == NIL {
            return None;
        }
        self.remove(map, u64::from(pfn));
        Some(u64::from(pfn))
    }

    /// The pfns on the list, head first.
    pub(crate) fn iter<'m>(&self, map: &'m [Page]) -> Iter<'m> {
        Iter {
            map,
            next: self.head,
        }
    }
}

/// Walks a list from its head.
pub struct Iter<'m> {
    map: &'m [Page],
    next: u32,
}

impl Iterator for Iter<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        if self.next == NIL {
            return None;
        }
        let pfn = self.next;
        self.next = self.map.get(pfn as usize).map_or(NIL, |p| p.next);
        Some(u64::from(pfn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn collect(l: &FreeList, map: &[Page]) -> Vec<u64> {
        l.iter(map).collect()
    }

    #[test]
    fn push_pop_both_ends() {
        let mut map = [Page::EMPTY; 8];
        let mut l = FreeList::new();
        assert!(l.is_empty());
        l.push_head(&mut map, 3);
        l.push_head(&mut map, 5);
        l.push_tail(&mut map, 1);
        assert_eq!(collect(&l, &map), [5, 3, 1]);
        assert_eq!(l.len(), 3);
        assert_eq!(l.pop_tail(&mut map), Some(1));
        assert_eq!(l.pop_head(&mut map), Some(5));
        assert_eq!(l.pop_head(&mut map), Some(3));
        assert_eq!(l.pop_head(&mut map), None);
        assert_eq!(l.pop_tail(&mut map), None);
        assert!(l.is_empty());
    }

    #[test]
    fn remove_from_the_middle_and_the_ends() {
        let mut map = [Page::EMPTY; 8];
        let mut l = FreeList::new();
        for pfn in 0..6 {
            l.push_tail(&mut map, pfn);
        }
        l.remove(&mut map, 3);
        l.remove(&mut map, 0);
        l.remove(&mut map, 5);
        assert_eq!(collect(&l, &map), [1, 2, 4]);
        assert_eq!(l.len(), 3);
        l.push_tail(&mut map, 7);
        l.push_head(&mut map, 6);
        assert_eq!(collect(&l, &map), [6, 1, 2, 4, 7]);
    }
}
