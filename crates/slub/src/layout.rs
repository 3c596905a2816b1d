//! Where objects sit in a slab and how big a slab is (Linux: calculate_sizes and
//! calculate_order in mm/slub.c): the stride of an object with its red zones and free
//! pointer, and the slab order that holds enough objects with bounded waste.

use crate::page::{get_order, MAX_PAGE_ORDER, PAGE_SIZE};
use crate::slab::HEADER_SIZE;

/// A free pointer, and the unit sizes are rounded to.
const WORD: usize = core::mem::size_of::<usize>();
/// Objects a slab should hold at least. Linux asks for 4 * (fls(nr_cpus) + 1), which is 8
/// on one CPU; noyau uses 8 whatever the CPU count, so the layout is known at compile time.
const MIN_OBJECTS: usize = 8;
/// The largest order chosen unless an object does not fit otherwise (Linux's
/// slub_max_order, PAGE_ALLOC_COSTLY_ORDER).
const SLUB_MAX_ORDER: u32 = 3;

/// The geometry of a cache's slabs. Offsets are from an object's start unless named
/// otherwise; a slot is [left red zone][object][right red zone][free pointer][padding].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlabLayout {
    /// Bytes the caller asked for (Linux: s->object_size).
    pub object_size: usize,
    /// Alignment of every object.
    pub align: usize,
    /// Distance from one object to the next, metadata included (Linux: s->size, the
    /// <objsize> of /proc/slabinfo).
    pub size: usize,
    /// Bytes of left red zone before each object (Linux: s->red_left_pad).
    pub red_left_pad: usize,
    /// End of the object and its right red zone (Linux: s->inuse).
    pub inuse: usize,
    /// Where the free pointer of a free object is (Linux: s->offset): in the middle of the
    /// object, or after the right red zone when the object is poisoned or constructed.
    pub offset: usize,
    /// Offset of the first slot from the slab's start, past the slab header.
    pub first: usize,
    /// The slab is 2^order pages.
    pub order: u32,
    /// Objects per slab.
    pub objects: usize,
    /// The least order that holds one object, for a slab made when no block of
    /// `order` is free (Linux: s->min).
    pub min_order: u32,
    /// Red zones and consistency checks on.
    pub debug: bool,
    /// Free objects are filled with POISON_FREE (debug without a constructor).
    pub poison: bool,
}

const fn round_up(x: usize, align: usize) -> usize {
    (x + align - 1) & !(align - 1)
}

const fn min(a: usize, b: usize) -> usize {
    if a < b {
        a
    } else {
        b
    }
}

/// Objects of stride `size` in a slab of `order`, after the header.
const fn objects_in(order: u32, first: usize, size: usize) -> usize {
    let slab = PAGE_SIZE << order;
    if slab <= first {
        0
    } else {
        (slab - first) / size
    }
}

/// The lowest order from the one that could hold `min_objects` up to `max_order` that
/// wastes at most 1/fract of the slab (header and tail), as Linux's calc_slab_order.
const fn calc_slab_order(
    first: usize,
    size: usize,
    min_objects: usize,
    max_order: u32,
    fract: usize,
) -> Option<u32> {
    let mut order = get_order(first + min_objects * size);
    while order <= max_order {
        let slab = PAGE_SIZE << order;
        let objects = objects_in(order, first, size);
        if objects >= 1 && slab - objects * size <= slab / fract {
            return Some(order);
        }
        order += 1;
    }
    None
}

/// Linux's calculate_order: try for MIN_OBJECTS objects with at most 1/16, 1/8, then 1/4
/// of waste, lowering the object count until an order up to SLUB_MAX_ORDER fits; then any
/// order up to SLUB_MAX_ORDER, then up to MAX_PAGE_ORDER, that holds one object.
const fn calculate_order(first: usize, size: usize) -> Option<u32> {
    let mut min_objects = min(MIN_OBJECTS, objects_in(SLUB_MAX_ORDER, first, size));
    while min_objects > 1 {
        let mut fract = 16;
        while fract >= 4 {
            if let Some(order) = calc_slab_order(first, size, min_objects, SLUB_MAX_ORDER, fract) {
                return Some(order);
            }
            fract /= 2;
        }
        min_objects -= 1;
    }
    if let Some(order) = calc_slab_order(first, size, 1, SLUB_MAX_ORDER, 1) {
        return Some(order);
    }
    calc_slab_order(first, size, 1, MAX_PAGE_ORDER, 1)
}

impl SlabLayout {
    /// The layout of objects of `object_size` bytes aligned to `align` (a power of two, at
    /// least a word), or None if one object does not fit in the largest block.
    pub const fn new(object_size: usize, align: usize, debug: bool, ctor: bool) -> Option<Self> {
        if object_size == 0 || object_size > PAGE_SIZE << MAX_PAGE_ORDER {
            return None;
        }
        if !align.is_power_of_two() || align < WORD || align > PAGE_SIZE << MAX_PAGE_ORDER {
            return None;
        }
        let words = round_up(object_size, WORD);

        // As Linux: a left red zone of at least a word, padded so the object stays aligned,
        // and a right red zone of at least a word, or the padding up to the next word.
        let red_left_pad = if debug { round_up(WORD, align) } else { 0 };
        let inuse = if debug && words == object_size {
            words + WORD
        } else {
            words
        };

        // The free pointer must not overwrite poison or what a constructor built, so it
        // moves out of the object; otherwise it sits in the middle of the object, where
        // a small overflow from the previous object is less likely to reach it.
        let outside = debug || ctor;
        let (offset, end) = if outside {
            (inuse, inuse + WORD)
        } else {
            ((object_size / 2) & !(WORD - 1), inuse)
        };
        let size = round_up(red_left_pad + end, align);
        let first = round_up(HEADER_SIZE, align);
        let order = match calculate_order(first, size) {
            Some(order) => order,
            None => return None,
        };
        Some(SlabLayout {
            object_size,
            align,
            size,
            red_left_pad,
            inuse,
            offset,
            first,
            order,
            objects: objects_in(order, first, size),
            min_order: get_order(first + size),
            debug,
            poison: debug && !ctor,
        })
    }

    /// Bytes in one slab.
    pub const fn slab_bytes(&self) -> usize {
        PAGE_SIZE << self.order
    }

    /// Objects in a slab of 2^order pages.
    pub const fn objects_at(&self, order: u32) -> usize {
        objects_in(order, self.first, self.size)
    }

    /// The address of object `index` of the slab starting at `base`.
    pub(crate) const fn object(&self, base: usize, index: usize) -> usize {
        base + self.first + index * self.size + self.red_left_pad
    }

    /// Is `addr` the start of one of the `objects` objects of the slab at `base`?
    pub(crate) const fn is_object(&self, base: usize, objects: usize, addr: usize) -> bool {
        let start = self.object(base, 0);
        addr >= start
            && (addr - start).is_multiple_of(self.size)
            && (addr - start) / self.size < objects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> SlabLayout {
        SlabLayout::new(size, align, false, false).expect("valid layout")
    }

    #[test]
    fn small_objects_fill_one_page_with_little_waste() {
        let l = layout(64, 64);
        assert_eq!((l.order, l.size, l.first, l.objects), (0, 64, 64, 63));
        let l = layout(96, 32);
        assert_eq!((l.order, l.objects), (0, 42));
        let l = layout(192, 64);
        assert_eq!((l.order, l.objects), (0, 21));
    }

    #[test]
    fn large_objects_get_bigger_slabs_as_calculate_order_would() {
        let l = layout(1024, 1024);
        assert_eq!((l.order, l.objects), (2, 15));
        let l = layout(4096, 4096);
        assert_eq!((l.order, l.objects), (3, 7));
        let l = layout(8192, 8192);
        assert_eq!((l.order, l.objects), (3, 3));
        let l = layout(300_000, 8);
        assert_eq!((l.order, l.objects), (7, 1));
    }

    #[test]
    fn every_slab_wastes_at_most_a_quarter_besides_its_header() {
        for size in (8..=8192).step_by(8) {
            let l = layout(size, 8);
            let waste = l.slab_bytes() - l.first - l.objects * l.size;
            assert!(l.order <= SLUB_MAX_ORDER, "size {size}");
            assert!(waste <= l.slab_bytes() / 4, "size {size}");
        }
    }

    #[test]
    fn debug_layout_has_red_zones_and_the_free_pointer_outside() {
        let l = SlabLayout::new(64, 64, true, false).unwrap();
        assert_eq!(
            (l.red_left_pad, l.inuse, l.offset, l.size),
            (64, 72, 72, 192)
        );
        assert!(l.poison);
        let l = SlabLayout::new(13, 8, true, true).unwrap();
        assert_eq!((l.red_left_pad, l.inuse, l.offset, l.size), (8, 16, 16, 32));
        assert!(!l.poison, "objects with a constructor are not poisoned");
    }

    #[test]
    fn free_pointer_sits_in_the_middle_of_plain_objects() {
        assert_eq!(layout(8, 8).offset, 0);
        assert_eq!(layout(100, 8).offset, 48);
        assert_eq!(SlabLayout::new(100, 8, false, true).unwrap().offset, 104);
    }

    #[test]
    fn object_addresses_are_recognised() {
        let l = layout(96, 32);
        let base = 0x10_0000;
        assert!(l.is_object(base, l.objects, l.object(base, 0)));
        assert!(l.is_object(base, l.objects, l.object(base, 41)));
        assert!(!l.is_object(base, l.objects, l.object(base, 42)));
        assert!(!l.is_object(base, l.objects, l.object(base, 3) + 8));
        assert!(!l.is_object(base, l.objects, base));
        // A slab of the least order holds fewer than one of the layout's order.
        let big = layout(1000, 8);
        let few = big.objects_at(big.min_order);
        assert!(big.min_order < big.order && few < big.objects);
        assert!(big.is_object(base, few, big.object(base, few - 1)));
        assert!(!big.is_object(base, few, big.object(base, few)));
    }

    #[test]
    fn impossible_layouts_are_refused() {
        assert!(SlabLayout::new(0, 8, false, false).is_none());
        assert!(SlabLayout::new(64, 24, false, false).is_none());
        assert!(SlabLayout::new((4 << 20) + 1, 8, false, false).is_none());
    }
}
