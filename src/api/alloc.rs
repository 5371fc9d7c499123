//! The process's Rust allocator, routed to the application's memory callbacks
//! (`s2n_mem_set_callbacks`) from `s2n_init` until `s2n_cleanup_final`.
//!
//! Only with the `mem-callbacks` feature, which the C library builds enable (CMake
//! builds the cdylib and staticlib with it): a `#[global_allocator]` belongs to the
//! final program, and a Rust program (rs2n's own tests, the fuzz targets, a Rust
//! application using the rlib) has its own say. Without the feature
//! [`ROUTING_AVAILABLE`] is false and `s2n_mem_set_callbacks` refuses, saying why.
//!
//! What lives as long as the process (the security policy tables, the strings
//! `s2n_strerror` returns) is allocated from the system inside
//! `boundary::in_system_scope`, so the application's allocator sees only memory
//! rs2n gives back.
//!
//! Every block carries a small header just below the address handed out, so any
//! block is freed where it came from, whenever it is freed: blocks from the system
//! allocator (made before the callbacks were set, or after `s2n_cleanup_final`, or by
//! a callback that allocated from Rust) go back to it; blocks from the
//! application's malloc callback go to the free callback that belongs with it, with
//! the size it reported. s2n's callbacks take no alignment and have no realloc: a
//! block asks the callback for room for the header and the alignment, and places
//! itself inside; a reallocation is a new block and a copy.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::boundary::{in_system_scope, in_system_scope_now};
use super::callbacks::{call_mem_free, call_mem_malloc};
use super::{s2n_mem_free_callback, s2n_mem_malloc_callback};

/// Whether this build routes Rust's allocations (the `mem-callbacks` feature).
pub(crate) const ROUTING_AVAILABLE: bool = cfg!(feature = "mem-callbacks");

/// The tag of a block from the system allocator.
const FROM_SYSTEM: usize = 0x5359_5354_454d_0001;
/// The tag of a block from the application's malloc callback.
const FROM_CALLBACK: usize = 0x4341_4c4c_4241_0002;

/// Bytes below a system block's address: its tag (16, to keep malloc's alignment).
const SYSTEM_HEADER: usize = 16;
/// Bytes below a callback block's address: [free fn, start of the callback's
/// memory, its size as reported, tag].
const CALLBACK_HEADER: usize = 32;

/// The callbacks in use: set before `s2n_init`, routing from it (ROUTING).
static MALLOC: AtomicUsize = AtomicUsize::new(0);
static FREE: AtomicUsize = AtomicUsize::new(0);
static ROUTING: AtomicBool = AtomicBool::new(false);

/// Keeps the callbacks for when routing starts ([`start_routing`]).
pub(crate) fn set_callbacks(malloc: s2n_mem_malloc_callback, free: s2n_mem_free_callback) {
    MALLOC.store(malloc.map_or(0, |f| f as usize), Ordering::Release);
    FREE.store(free.map_or(0, |f| f as usize), Ordering::Release);
}

/// From now on, new blocks come from the callbacks, if set (`s2n_init`).
pub(crate) fn start_routing() {
    let set = MALLOC.load(Ordering::Acquire) != 0 && FREE.load(Ordering::Acquire) != 0;
    ROUTING.store(set, Ordering::Release);
}

/// New blocks come from the system allocator again (`s2n_cleanup_final`); blocks
/// from the callbacks still go back to them when freed.
pub(crate) fn stop_routing() {
    ROUTING.store(false, Ordering::Release);
}

/// Whether new blocks come from the application's callbacks.
pub(crate) fn routing() -> bool {
    ROUTING.load(Ordering::Acquire)
}

/// The allocator: the system's until routing starts, then the application's.
pub struct RoutingAllocator;

#[cfg(feature = "mem-callbacks")]
#[global_allocator]
static GLOBAL: RoutingAllocator = RoutingAllocator;

/// Reads the tag of a block this allocator handed out.
///
/// # Safety
/// `ptr` must come from [`RoutingAllocator`] and not have been freed.
unsafe fn tag_of(ptr: *mut u8) -> usize {
    std::ptr::read(ptr.sub(8).cast::<usize>())
}

impl RoutingAllocator {
    /// A block from the system allocator, tagged.
    ///
    /// # Safety
    /// As `GlobalAlloc::alloc`.
    unsafe fn system_alloc(layout: Layout) -> *mut u8 {
        let Some(outer) = system_layout(layout) else {
            return std::ptr::null_mut();
        };
        let base = System.alloc(outer);
        if base.is_null() {
            return base;
        }
        let ptr = base.add(outer.align().max(SYSTEM_HEADER));
        ptr.sub(8).cast::<usize>().write(FROM_SYSTEM);
        ptr
    }

    /// A block from the application's malloc callback, placed at `layout`'s
    /// alignment inside what it returned; NULL if it fails or cannot hold it.
    ///
    /// # Safety
    /// As `GlobalAlloc::alloc`, with routing on.
    unsafe fn callback_alloc(layout: Layout) -> *mut u8 {
        let malloc = MALLOC.load(Ordering::Acquire);
        let free = FREE.load(Ordering::Acquire);
        let align = layout.align().max(std::mem::align_of::<usize>());
        let Some(requested) = layout
            .size()
            .checked_add(CALLBACK_HEADER + align)
            .and_then(|n| u32::try_from(n).ok())
        else {
            return std::ptr::null_mut();
        };
        // Inside the callback, what it allocates from Rust (it must not call rs2n,
        // but may be Rust) comes from the system allocator.
        let Some((start, allocated)) = in_system_scope(|| call_mem_malloc(malloc, requested))
        else {
            return std::ptr::null_mut();
        };
        if (allocated as usize) < requested as usize {
            in_system_scope(|| call_mem_free(free, start, allocated));
            return std::ptr::null_mut();
        }
        let start = start.cast::<u8>();
        // The first address past the header with the block's alignment; it and
        // the block fit in `requested` bytes (header + align + size).
        let lowest = start as usize + CALLBACK_HEADER;
        let offset = lowest.next_multiple_of(align) - start as usize;
        let ptr = start.add(offset);
        let header = ptr.sub(CALLBACK_HEADER).cast::<usize>();
        header.write_unaligned(free);
        header.add(1).write_unaligned(start as usize);
        header.add(2).write_unaligned(allocated as usize);
        header.add(3).write_unaligned(FROM_CALLBACK);
        ptr
    }
}

/// The system allocation holding a block of `layout` and its header.
fn system_layout(layout: Layout) -> Option<Layout> {
    let align = layout.align().max(SYSTEM_HEADER);
    let size = layout.size().checked_add(align)?;
    Layout::from_size_align(size, align).ok()
}

// SAFETY: every block handed out is at least `layout.size()` bytes at
// `layout.align()`, below it a header this allocator wrote, and it is freed by the
// allocator it came from (the tag says which) with the layout or size it was
// allocated with; the callbacks' memory is used only within the `allocated` bytes
// they reported.
unsafe impl GlobalAlloc for RoutingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if routing() && !in_system_scope_now() {
            Self::callback_alloc(layout)
        } else {
            Self::system_alloc(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match tag_of(ptr) {
            FROM_CALLBACK => {
                let header = ptr.sub(CALLBACK_HEADER).cast::<usize>();
                let free = header.read_unaligned();
                let start = header.add(1).read_unaligned() as *mut c_void;
                let allocated = header.add(2).read_unaligned() as u32;
                in_system_scope(|| call_mem_free(free, start, allocated));
            }
            _ => {
                if let Some(outer) = system_layout(layout) {
                    System.dealloc(ptr.sub(outer.align()), outer);
                }
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A system block stays one while routing is off: grow it in place if the
        // system can (the header moves with it, at the same offset).
        if tag_of(ptr) == FROM_SYSTEM && (!routing() || in_system_scope_now()) {
            let (Some(outer), Ok(new_layout)) = (
                system_layout(layout),
                Layout::from_size_align(new_size, layout.align()),
            ) else {
                return std::ptr::null_mut();
            };
            let Some(new_outer) = system_layout(new_layout) else {
                return std::ptr::null_mut();
            };
            let base = System.realloc(ptr.sub(outer.align()), outer, new_outer.size());
            return if base.is_null() {
                base
            } else {
                base.add(outer.align())
            };
        }
        // Otherwise a new block (the callbacks have no realloc) and a copy.
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        let new = self.alloc(new_layout);
        if !new.is_null() {
            std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block arithmetic, through the allocator's functions (the global
    /// allocator of the test binary is the default one: no feature in tests).
    #[test]
    fn system_blocks_are_aligned_tagged_and_reallocated() {
        for align in [1, 8, 16, 64, 4096] {
            let layout = Layout::from_size_align(100, align).unwrap();
            // SAFETY: a non-zero layout; the block is used within its size and
            // freed with the same layout.
            unsafe {
                let p = RoutingAllocator.alloc(layout);
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0);
                assert_eq!(tag_of(p), FROM_SYSTEM);
                p.write_bytes(0xAB, 100);
                let q = RoutingAllocator.realloc(p, layout, 5000);
                assert_eq!(q as usize % align, 0);
                assert_eq!(tag_of(q), FROM_SYSTEM);
                assert!(std::slice::from_raw_parts(q, 100)
                    .iter()
                    .all(|&b| b == 0xAB));
                RoutingAllocator.dealloc(q, Layout::from_size_align(5000, align).unwrap());
            }
        }
    }

    use std::ffi::c_int;
    use std::sync::atomic::AtomicI64;

    static OUT: AtomicI64 = AtomicI64::new(0);
    static BAD: AtomicI64 = AtomicI64::new(0);

    /// Hands out memory 3 bytes past malloc's alignment, 5 bytes more than asked,
    /// recording the size just before it.
    unsafe extern "C" fn odd_malloc(
        ptr: *mut *mut c_void,
        requested: u32,
        allocated: *mut u32,
    ) -> c_int {
        let size = requested + 5;
        let raw = libc::malloc(size as usize + 16).cast::<u8>();
        raw.cast::<u32>().write(size);
        *ptr = raw.add(16 + 3).cast();
        *allocated = size;
        OUT.fetch_add(1, Ordering::SeqCst);
        0
    }

    unsafe extern "C" fn odd_free(ptr: *mut c_void, size: u32) -> c_int {
        let raw = ptr.cast::<u8>().sub(16 + 3);
        if raw.cast::<u32>().read() != size {
            BAD.fetch_add(1, Ordering::SeqCst);
        }
        libc::free(raw.cast());
        OUT.fetch_sub(1, Ordering::SeqCst);
        0
    }

    #[test]
    fn callback_blocks_are_aligned_inside_and_freed_with_their_size() {
        set_callbacks(Some(odd_malloc), Some(odd_free));
        for align in [1, 8, 16, 64, 4096] {
            let layout = Layout::from_size_align(1000, align).unwrap();
            // SAFETY: a non-zero layout; the blocks are used within their size
            // and freed with the layout they were allocated with.
            unsafe {
                let p = RoutingAllocator::callback_alloc(layout);
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0);
                assert_eq!(tag_of(p), FROM_CALLBACK);
                p.write_bytes(0xCD, 1000);
                // A reallocation is a copy into a new block (routing is off here,
                // so the new one is a system block), the old one freed.
                let q = RoutingAllocator.realloc(p, layout, 3000);
                assert_eq!(tag_of(q), FROM_SYSTEM);
                assert!(std::slice::from_raw_parts(q, 1000)
                    .iter()
                    .all(|&b| b == 0xCD));
                RoutingAllocator.dealloc(q, Layout::from_size_align(3000, align).unwrap());
            }
        }
        assert_eq!(OUT.load(Ordering::SeqCst), 0, "every block went back");
        assert_eq!(BAD.load(Ordering::SeqCst), 0, "each with its reported size");
        set_callbacks(None, None);
    }
}
