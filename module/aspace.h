/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address space: layout, limits, counters, its lock, and the
 * operations that mirror mmap, munmap, mprotect, brk and fork.
 *
 * This is the interface dev.c and the KUnit suites use; what only the
 * module's files share is in internal.h.  The core takes and returns
 * kernel values and errnos; it never touches user memory (dev.c does).
 * Every operation is all-or-nothing: on error the address space is
 * exactly as it was (mprotect and madvise over a hole excepted, as in
 * Linux).
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
			 ASPACE_FEATURE_STATS | ASPACE_FEATURE_LA57 | \
			 ASPACE_FEATURE_RW | ASPACE_FEATURE_ACCESS | \
			 ASPACE_FEATURE_MADVISE | ASPACE_FEATURE_COW | \
			 ASPACE_FEATURE_STACK_GROWS)

/* Linux's defaults (x86_64, no randomisation). */
#define ASP_MMAP_MIN_ADDR	0x10000UL
#define ASP_MAX_MAP_COUNT	65530UL
#define ASP_STACK_SIZE		(128UL << 10)	/* what the stack starts with */
#define ASP_STACK_LIMIT		(8UL << 20)	/* RLIMIT_STACK */
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
 * @stack_bytes: most bytes the stack may grow to (RLIMIT_STACK)
 */
struct asp_limits {
	u64 max_map_count;
	u64 as_bytes;
	u64 data_bytes;
	u64 resident_bytes;
	u64 stack_bytes;
};

/**
 * struct asp_mm - one address space
 * @lock: like mmap_lock: write side for changes, read side for queries,
 *	faults and accesses to memory
 * @pt: its page-table hierarchy; @pt.lock guards its entries and the
 *	counters below marked (ptl) while @lock is held only for read
 * @vmas: its VMAs
 * @layout: its layout
 * @limits: its limits
 * @start_brk: where the heap starts
 * @brk: the current break, as last set (not page aligned)
 * @total_vm: pages covered by VMAs
 * @data_vm: pages of private writable VMAs (not stacks)
 * @resident: data pages mapped, the zero page not counted (ptl)
 * @faults: faults resolved (ptl)
 * @cow_breaks: copy-on-write copies made (ptl)
 * @zero_maps: zero-page maps made (ptl)
 * @owner: the mm of the process that created it (open, or clone), held
 *	with mmgrab(), or NULL (a kernel thread): its RSS counts the data
 *	pages mapped here, its page-table bytes the tables, for as long as
 *	they are; never changes
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
	unsigned long zero_maps;
	struct mm_struct *owner;
};

int asp_core_init(void);
void asp_core_exit(void);

struct asp_mm *asp_mm_create(void);
struct asp_mm *asp_mm_create_levels(unsigned int levels);
struct asp_mm *asp_mm_create_owned(unsigned int levels,
				   struct mm_struct *owner);
void asp_mm_destroy(struct asp_mm *mm);

int asp_get_layout(struct asp_mm *mm, struct aspace_layout *out);
int asp_set_layout(struct asp_mm *mm, const struct aspace_layout *in);
int asp_get_limits(struct asp_mm *mm, struct aspace_limits *out);
int asp_set_limits(struct asp_mm *mm, const struct aspace_limits *in,
		   bool may_raise);
int asp_query(struct asp_mm *mm, struct aspace_query *q);
int asp_stats(struct asp_mm *mm, struct aspace_stats *st);

int asp_mmap(struct asp_mm *mm, unsigned long addr, unsigned long len,
	     u32 prot, u32 flags, unsigned long *mapped);
int asp_munmap(struct asp_mm *mm, unsigned long addr, unsigned long len);
int asp_mprotect(struct asp_mm *mm, unsigned long addr, unsigned long len,
		 u32 prot);
unsigned long asp_brk(struct asp_mm *mm, unsigned long brk);
struct asp_mm *asp_clone(struct asp_mm *mm, bool eager);
int asp_madvise(struct asp_mm *mm, unsigned long addr, unsigned long len,
		int advice);

/**
 * struct asp_access_res - how a simulated access ended
 * @done: bytes accessed
 * @fault_addr: first byte that faulted (0 if none)
 * @si_code: SEGV_MAPERR or SEGV_ACCERR, 0 if no fault
 */
struct asp_access_res {
	unsigned long done;
	unsigned long fault_addr;
	int si_code;
};

int asp_access(struct asp_mm *mm, u32 kind, unsigned long addr,
	       unsigned long len, void *buf, struct asp_access_res *res);
int asp_mem_get_page(struct asp_mm *mm, unsigned long addr,
		     struct page **pagep);
void asp_mem_put_page(struct page *page);
int asp_mem_write(struct asp_mm *mm, unsigned long addr, const void *buf,
		  unsigned long len);

#endif /* _ASPACE_ASPACE_H */
