// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi header on its own, pinned: it must compile alone as C and as
 * C++ (gcc -std=c11 and g++ -std=c++11), and on i386 as on x86_64 (no
 * compat handler), with every struct's size, alignment and field offsets
 * and every ioctl number exactly as released.  A change here is an ABI
 * break: only ever add fields at the end of a struct (and say so here).
 *
 * This file includes nothing but <linux/aspace.h>; it is compiled, never
 * run.
 */
#include <linux/aspace.h>

/*
 * C++11 has static_assert; in C, without <assert.h>, an array of negative
 * size fails just as well ("size of array 'abi_assert' is negative").
 */
#ifdef __cplusplus
#define ABI_ASSERT(expr)	static_assert(expr, #expr)
#else
#define ABI_ASSERT(expr)	extern char abi_assert[(expr) ? 1 : -1]
#endif

/*
 * Offsets of every field and the size of every struct pin the layout:
 * with them, no field can change width and no hidden padding can appear.
 */
#define ABI_FIELD(type, field, off) \
	ABI_ASSERT(__builtin_offsetof(struct type, field) == (off))
#define ABI_STRUCT(type, sz, align) \
	ABI_ASSERT(sizeof(struct type) == (sz) && \
		   __alignof__(struct type) == (align))

ABI_ASSERT(ASPACE_API_VERSION == 1);
ABI_ASSERT(ASPACE_IOC_MAGIC == 0xA8);

ABI_STRUCT(aspace_handshake, 24, 8);
ABI_FIELD(aspace_handshake, size, 0);
ABI_FIELD(aspace_handshake, api_version, 4);
ABI_FIELD(aspace_handshake, features, 8);
ABI_FIELD(aspace_handshake, reserved, 16);

ABI_STRUCT(aspace_mmap, 32, 8);
ABI_FIELD(aspace_mmap, size, 0);
ABI_FIELD(aspace_mmap, prot, 4);
ABI_FIELD(aspace_mmap, flags, 8);
ABI_FIELD(aspace_mmap, reserved, 12);
ABI_FIELD(aspace_mmap, addr, 16);
ABI_FIELD(aspace_mmap, length, 24);

ABI_STRUCT(aspace_range, 24, 8);
ABI_FIELD(aspace_range, size, 0);
ABI_FIELD(aspace_range, prot, 4);
ABI_FIELD(aspace_range, addr, 8);
ABI_FIELD(aspace_range, length, 16);

ABI_STRUCT(aspace_brk, 16, 8);
ABI_FIELD(aspace_brk, size, 0);
ABI_FIELD(aspace_brk, reserved, 4);
ABI_FIELD(aspace_brk, brk, 8);

ABI_STRUCT(aspace_clone, 16, 4);
ABI_FIELD(aspace_clone, size, 0);
ABI_FIELD(aspace_clone, flags, 4);
ABI_FIELD(aspace_clone, fd, 8);
ABI_FIELD(aspace_clone, reserved, 12);

ABI_STRUCT(aspace_query, 56, 8);
ABI_FIELD(aspace_query, size, 0);
ABI_FIELD(aspace_query, query_flags, 4);
ABI_FIELD(aspace_query, query_addr, 8);
ABI_FIELD(aspace_query, vma_start, 16);
ABI_FIELD(aspace_query, vma_end, 24);
ABI_FIELD(aspace_query, vma_flags, 32);
ABI_FIELD(aspace_query, vma_page_offset, 40);
ABI_FIELD(aspace_query, vma_id, 48);

ABI_STRUCT(aspace_layout, 56, 8);
ABI_FIELD(aspace_layout, size, 0);
ABI_FIELD(aspace_layout, flags, 4);
ABI_FIELD(aspace_layout, mmap_min_addr, 8);
ABI_FIELD(aspace_layout, mmap_base, 16);
ABI_FIELD(aspace_layout, heap_start, 24);
ABI_FIELD(aspace_layout, stack_size, 32);
ABI_FIELD(aspace_layout, stack_guard_gap, 40);
ABI_FIELD(aspace_layout, task_size, 48);

/* stack_bytes added at the end (memory release): 40 -> 48 bytes. */
ABI_STRUCT(aspace_limits, 48, 8);
ABI_FIELD(aspace_limits, size, 0);
ABI_FIELD(aspace_limits, reserved, 4);
ABI_FIELD(aspace_limits, max_map_count, 8);
ABI_FIELD(aspace_limits, as_bytes, 16);
ABI_FIELD(aspace_limits, data_bytes, 24);
ABI_FIELD(aspace_limits, resident_bytes, 32);
ABI_FIELD(aspace_limits, stack_bytes, 40);

/* zero_page_maps added at the end (memory release): 104 -> 112 bytes. */
ABI_STRUCT(aspace_stats, 112, 8);
ABI_FIELD(aspace_stats, size, 0);
ABI_FIELD(aspace_stats, reserved, 4);
ABI_FIELD(aspace_stats, nr_vmas, 8);
ABI_FIELD(aspace_stats, mapped_bytes, 16);
ABI_FIELD(aspace_stats, data_bytes, 24);
ABI_FIELD(aspace_stats, resident_pages, 32);
ABI_FIELD(aspace_stats, shared_pages, 40);
ABI_FIELD(aspace_stats, pgtable_pages, 48);
ABI_FIELD(aspace_stats, faults, 88);
ABI_FIELD(aspace_stats, cow_breaks, 96);
ABI_FIELD(aspace_stats, zero_page_maps, 104);

ABI_STRUCT(aspace_access, 56, 8);
ABI_FIELD(aspace_access, size, 0);
ABI_FIELD(aspace_access, kind, 4);
ABI_FIELD(aspace_access, addr, 8);
ABI_FIELD(aspace_access, length, 16);
ABI_FIELD(aspace_access, buf, 24);
ABI_FIELD(aspace_access, done, 32);
ABI_FIELD(aspace_access, fault_addr, 40);
ABI_FIELD(aspace_access, signo, 48);
ABI_FIELD(aspace_access, si_code, 52);

ABI_STRUCT(aspace_madvise, 24, 8);
ABI_FIELD(aspace_madvise, size, 0);
ABI_FIELD(aspace_madvise, advice, 4);
ABI_FIELD(aspace_madvise, addr, 8);
ABI_FIELD(aspace_madvise, length, 16);

/* Introspection (TRANSLATE, PTDUMP, PAGESCAN, CLEAR_REFS). */
ABI_STRUCT(aspace_translate, 120, 8);
ABI_FIELD(aspace_translate, size, 0);
ABI_FIELD(aspace_translate, flags, 4);
ABI_FIELD(aspace_translate, addr, 8);
ABI_FIELD(aspace_translate, entries, 16);
ABI_FIELD(aspace_translate, tables, 56);
ABI_FIELD(aspace_translate, phys, 96);
ABI_FIELD(aspace_translate, levels, 104);
ABI_FIELD(aspace_translate, level, 108);
ABI_FIELD(aspace_translate, status, 112);
ABI_FIELD(aspace_translate, reserved, 116);

ABI_STRUCT(aspace_ptdump_entry, 32, 8);
ABI_FIELD(aspace_ptdump_entry, start, 0);
ABI_FIELD(aspace_ptdump_entry, end, 8);
ABI_FIELD(aspace_ptdump_entry, flags, 16);
ABI_FIELD(aspace_ptdump_entry, level, 24);
ABI_FIELD(aspace_ptdump_entry, reserved, 28);

ABI_STRUCT(aspace_ptdump, 104, 8);
ABI_FIELD(aspace_ptdump, size, 0);
ABI_FIELD(aspace_ptdump, flags, 4);
ABI_FIELD(aspace_ptdump, start, 8);
ABI_FIELD(aspace_ptdump, end, 16);
ABI_FIELD(aspace_ptdump, mask, 24);
ABI_FIELD(aspace_ptdump, vec, 32);
ABI_FIELD(aspace_ptdump, vec_len, 40);
ABI_FIELD(aspace_ptdump, nr_entries, 48);
ABI_FIELD(aspace_ptdump, walk_end, 56);
ABI_FIELD(aspace_ptdump, pgtable_pages, 64);

/* struct page_region of PAGEMAP_SCAN, and struct pm_scan_arg with a
 * __u32 size and flags and the region count as a field.
 */
ABI_STRUCT(aspace_page_region, 24, 8);
ABI_FIELD(aspace_page_region, start, 0);
ABI_FIELD(aspace_page_region, end, 8);
ABI_FIELD(aspace_page_region, categories, 16);

ABI_STRUCT(aspace_pagescan, 96, 8);
ABI_FIELD(aspace_pagescan, size, 0);
ABI_FIELD(aspace_pagescan, flags, 4);
ABI_FIELD(aspace_pagescan, start, 8);
ABI_FIELD(aspace_pagescan, end, 16);
ABI_FIELD(aspace_pagescan, walk_end, 24);
ABI_FIELD(aspace_pagescan, vec, 32);
ABI_FIELD(aspace_pagescan, vec_len, 40);
ABI_FIELD(aspace_pagescan, max_pages, 48);
ABI_FIELD(aspace_pagescan, category_inverted, 56);
ABI_FIELD(aspace_pagescan, category_mask, 64);
ABI_FIELD(aspace_pagescan, category_anyof_mask, 72);
ABI_FIELD(aspace_pagescan, return_mask, 80);
ABI_FIELD(aspace_pagescan, nr_regions, 88);

ABI_STRUCT(aspace_clear_refs, 24, 8);
ABI_FIELD(aspace_clear_refs, size, 0);
ABI_FIELD(aspace_clear_refs, flags, 4);
ABI_FIELD(aspace_clear_refs, start, 8);
ABI_FIELD(aspace_clear_refs, end, 16);

/*
 * ioctl numbers: direction, size, magic and number, never reused.  The
 * module matches magic, number and direction only, so a struct that grew
 * (limits, stats) changed the size bits but the old numbers still work.
 */
ABI_ASSERT(ASPACE_IOC_HANDSHAKE == 0xC018A800u);
ABI_ASSERT(ASPACE_IOC_MMAP == 0xC020A801u);
ABI_ASSERT(ASPACE_IOC_MUNMAP == 0x4018A802u);
ABI_ASSERT(ASPACE_IOC_MPROTECT == 0x4018A803u);
ABI_ASSERT(ASPACE_IOC_BRK == 0xC010A804u);
ABI_ASSERT(ASPACE_IOC_CLONE == 0xC010A805u);
ABI_ASSERT(ASPACE_IOC_QUERY == 0xC038A806u);
ABI_ASSERT(ASPACE_IOC_GET_LAYOUT == 0xC038A807u);
ABI_ASSERT(ASPACE_IOC_SET_LAYOUT == 0x4038A808u);
ABI_ASSERT(ASPACE_IOC_GET_LIMITS == 0xC030A809u);
ABI_ASSERT(ASPACE_IOC_SET_LIMITS == 0x4030A80Au);
ABI_ASSERT(ASPACE_IOC_STATS == 0xC070A80Bu);
ABI_ASSERT(ASPACE_IOC_ACCESS == 0xC038A80Cu);
ABI_ASSERT(ASPACE_IOC_MADVISE == 0x4018A80Du);
ABI_ASSERT(ASPACE_IOC_TRANSLATE == 0xC078A80Eu);
ABI_ASSERT(ASPACE_IOC_PTDUMP == 0xC068A80Fu);
ABI_ASSERT(ASPACE_IOC_PAGESCAN == 0xC060A810u);
ABI_ASSERT(ASPACE_IOC_CLEAR_REFS == 0x4018A811u);

/* Flag values that programs store: pinned too. */
ABI_ASSERT(ASPACE_FEATURE_MMAP == 1);
ABI_ASSERT(ASPACE_FEATURE_LA57 == (1ULL << 9));
ABI_ASSERT(ASPACE_PROT_READ == 1 && ASPACE_PROT_WRITE == 2 &&
	   ASPACE_PROT_EXEC == 4);
ABI_ASSERT(ASPACE_MAP_SHARED == 0x01 && ASPACE_MAP_PRIVATE == 0x02 &&
	   ASPACE_MAP_FIXED == 0x10 && ASPACE_MAP_ANONYMOUS == 0x20 &&
	   ASPACE_MAP_POPULATE == 0x8000 &&
	   ASPACE_MAP_FIXED_NOREPLACE == 0x100000);
ABI_ASSERT(ASPACE_CLONE_NOCLOEXEC == 1 && ASPACE_CLONE_EAGER == 2);
ABI_ASSERT(ASPACE_ACCESS_READ == 0 && ASPACE_ACCESS_WRITE == 1 &&
	   ASPACE_ACCESS_EXEC == 2);
ABI_ASSERT(ASPACE_FEATURE_STACK_GROWS == (1ULL << 14));
ABI_ASSERT(ASPACE_QUERY_COVERING_OR_NEXT == 1);
ABI_ASSERT(ASPACE_VMA_READ == 1 && ASPACE_VMA_STACK == (1ULL << 5));
ABI_ASSERT(ASPACE_LAYOUT_LA57 == 1 && ASPACE_LAYOUT_LEGACY == 2 &&
	   ASPACE_LAYOUT_STACK == 4);
ABI_ASSERT(ASPACE_LIMIT_INFINITY == ~0ULL);
ABI_ASSERT(ASPACE_FEATURE_TRANSLATE == (1ULL << 15) &&
	   ASPACE_FEATURE_FDINFO == (1ULL << 16) &&
	   ASPACE_FEATURE_PTDUMP == (1ULL << 17) &&
	   ASPACE_FEATURE_PAGESCAN == (1ULL << 18) &&
	   ASPACE_FEATURE_TRACE == (1ULL << 19));
ABI_ASSERT(ASPACE_PTDUMP_HOLES == 1);
ABI_ASSERT(ASPACE_PAGE_PRESENT == 1 && ASPACE_PAGE_ZERO == 2 &&
	   ASPACE_PAGE_DIRTY == 4 && ASPACE_PAGE_ACCESSED == 8 &&
	   ASPACE_PAGE_COW_SHARED == 0x10 && ASPACE_PAGE_EXCLUSIVE == 0x20 &&
	   ASPACE_PAGE_SHM == 0x40 && ASPACE_PAGE_WRITABLE == 0x80 &&
	   ASPACE_PAGE_CATEGORIES == 0xff);
ABI_ASSERT(ASPACE_CLEAR_ACCESSED == 1 && ASPACE_CLEAR_DIRTY == 2);
ABI_ASSERT(ASPACE_TRANSLATE_PRESENT == 1 && ASPACE_TRANSLATE_FRAMES == 2 &&
	   ASPACE_TRANSLATE_ZERO_PAGE == 4);
ABI_ASSERT(ASPACE_PTE_PRESENT == 1 && ASPACE_PTE_ACCESSED == 0x20 &&
	   ASPACE_PTE_DIRTY == 0x40 && ASPACE_PTE_COW == 0x200 &&
	   ASPACE_PTE_PROTNONE == 0x400 && ASPACE_PTE_NX == (1ULL << 63) &&
	   ASPACE_PTE_FRAME_MASK == 0x000ffffffffff000ULL);
