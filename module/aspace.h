/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address space: layout, limits, counters, its lock, and the
 * operations that mirror mmap, munmap, mprotect, brk and fork.
 *
 * The core takes and returns kernel values and errnos; it never touches
 * user memory (dev.c does).  Every operation is all-or-nothing: on error
 * the address space is exactly as it was.
 */
#ifndef _ASPACE_ASPACE_H
#define _ASPACE_ASPACE_H

#include <linux/rwsem.h>
#include <linux/types.h>

#include "../uapi/linux/aspace.h"
#include "pgtable.h"
#include "vma.h"

#define ASPACE_FEATURES	(ASPACE_FEATURE_MMAP | ASPACE_FEATURE_MUNMAP | \
			 ASPACE_FEATURE_MPROTECT | ASPACE_FEATURE_BRK | \
			 ASPACE_FEATURE_CLONE | ASPACE_FEATURE_QUERY | \
			 ASPACE_FEATURE_LAYOUT | ASPACE_FEATURE_LIMITS | \
			 ASPACE_FEATURE_STATS | ASPACE_FEATURE_LA57)

/* Linux's defaults (x86_64, no randomisation). */
#define ASP_MMAP_MIN_ADDR	0x10000UL
#define ASP_MAX_MAP_COUNT	65530UL
#define ASP_STACK_SIZE		(8UL << 20)
#define ASP_STACK_GUARD_GAP	(256UL << PAGE_SHIFT)
#define ASP_MMAP_GAP_MIN	(128UL << 20)

/**
 * struct asp_layout - where things go in an address space
 * @flags: ASPACE_LAYOUT_*
 * @mmap_min_addr: lowest address a mapping may start at
 * @mmap_base: top of the top-down search, or bottom of the legacy one
 * @legacy_base: bottom of the bottom-up search (the top-down fallback)
 * @heap_start: start of the brk heap
 * @stack_size: size of the stack VMA (ASPACE_LAYOUT_STACK)
 * @stack_guard_gap: bytes kept free below a stack
 * @task_size: one past the highest user address
 * @map_window: top of the default search window (47-bit even with LA57,
 *	as Linux's DEFAULT_MAP_WINDOW)
 */
struct asp_layout {
	u32 flags;
	unsigned long mmap_min_addr;
	unsigned long mmap_base;
	unsigned long legacy_base;
	unsigned long heap_start;
	unsigned long stack_size;
	unsigned long stack_guard_gap;
	unsigned long task_size;
	unsigned long map_window;
};

/**
 * struct asp_limits - per address-space limits, like rlimits
 * @max_map_count: most VMAs (vm.max_map_count)
 * @as_bytes: most mapped bytes (RLIMIT_AS)
 * @data_bytes: most heap plus private writable bytes (RLIMIT_DATA)
 * @resident_bytes: most bytes of data pages
 */
struct asp_limits {
	u64 max_map_count;
	u64 as_bytes;
	u64 data_bytes;
	u64 resident_bytes;
};

/**
 * struct asp_mm - one address space
 * @lock: like mmap_lock: write side for changes, read side for queries
 * @pt: its page-table hierarchy
 * @vmas: its VMAs
 * @layout: its layout
 * @limits: its limits
 * @start_brk: where the heap starts
 * @brk: the current break, as last set (not page aligned)
 * @total_vm: pages covered by VMAs
 * @data_vm: pages of private writable VMAs (not stacks)
 * @resident: data pages mapped
 * @faults: faults resolved
 * @cow_breaks: copy-on-write copies made
 */
struct asp_mm {
	struct rw_semaphore lock;
	struct asp_pgtable pt;
	struct asp_vmas vmas;
	struct asp_layout layout;
	struct asp_limits limits;
	unsigned long start_brk;
	unsigned long brk;
	unsigned long total_vm;
	unsigned long data_vm;
	unsigned long resident;
	unsigned long faults;
	unsigned long cow_breaks;
};

int asp_core_init(void);
void asp_core_exit(void);

struct asp_mm *asp_mm_create(void);
struct asp_mm *asp_mm_create_levels(unsigned int levels);
void asp_mm_destroy(struct asp_mm *mm);

int asp_get_layout(struct asp_mm *mm, struct aspace_layout *out);
int asp_set_layout(struct asp_mm *mm, const struct aspace_layout *in);
int asp_get_limits(struct asp_mm *mm, struct aspace_limits *out);
int asp_set_limits(struct asp_mm *mm, const struct aspace_limits *in);
int asp_query(struct asp_mm *mm, struct aspace_query *q);
int asp_stats(struct asp_mm *mm, struct aspace_stats *st);

int asp_mmap(struct asp_mm *mm, unsigned long addr, unsigned long len,
	     u32 prot, u32 flags, unsigned long *mapped);
int asp_munmap(struct asp_mm *mm, unsigned long addr, unsigned long len);
int asp_mprotect(struct asp_mm *mm, unsigned long addr, unsigned long len,
		 u32 prot);
unsigned long asp_brk(struct asp_mm *mm, unsigned long brk);
struct asp_mm *asp_clone(struct asp_mm *mm);

/*
 * Shared by the operations (mmap.c), for mprotect.c, brk.c and clone.c.
 * All need the lock held for write.
 */

/**
 * struct asp_carve - the splits made at the edges of a range
 * @lower: the VMA split at the start (keeps the part below), or NULL
 * @lower_new: the part of @lower at and above the start
 * @upper: the VMA split at the end (keeps the part below), or NULL
 * @upper_new: the part of @upper at and above the end
 */
struct asp_carve {
	struct asp_vma *lower, *lower_new;
	struct asp_vma *upper, *upper_new;
};

u64 asp_anon_id_new(void);
u64 asp_vm_pte_flags(unsigned long vm_flags);
unsigned long asp_prot_to_vm(u32 prot);
bool asp_is_data(unsigned long flags);
bool asp_may_expand(struct asp_mm *mm, unsigned long flags,
		    unsigned long pages);
void asp_mm_account(struct asp_mm *mm, unsigned long flags, long pages);
void asp_mm_release_page(u64 pte, struct page *page, unsigned long addr,
			 void *arg);
int asp_carve(struct asp_mm *mm, unsigned long start, unsigned long end,
	      bool at_start, bool at_end, struct asp_carve *c);
void asp_uncarve(struct asp_mm *mm, struct asp_carve *c);
void asp_drop_vmas(struct asp_mm *mm, struct list_head *detached);
bool asp_unmap_would_split_over(struct asp_mm *mm, unsigned long start,
				unsigned long end);
int asp_do_munmap(struct asp_mm *mm, unsigned long start, unsigned long end);
struct asp_vma *asp_map_range(struct asp_mm *mm, unsigned long start,
			      unsigned long end, struct asp_vma *new,
			      struct list_head *detached, int *err);
void asp_populate(struct asp_mm *mm, struct asp_vma *vma, unsigned long start,
		  unsigned long end);

#endif /* _ASPACE_ASPACE_H */
