/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What only the module's files share (like mm/internal.h): the range
 * operations of region.c, the fault handling of fault.c, and the stack.
 * dev.c and the KUnit suites use aspace.h.
 */
#ifndef _ASPACE_INTERNAL_H
#define _ASPACE_INTERNAL_H

#include <linux/version.h>

#include "aspace.h"

/*
 * Built for Linux @maj.@min or later.  Where Linux changed a rule aspace
 * mirrors between 6.1 and 6.12, aspace follows the kernel it is built for
 * (Documentation/ioctls.md lists those rules); this is the one place that
 * reads the version.
 */
#define ASP_LINUX_SINCE(maj, min) \
	(KERNEL_VERSION(maj, min, 0) <= LINUX_VERSION_CODE)

/* aspace.c */
void asp_layout_default(struct asp_layout *l, u32 flags);
u64 asp_resident_max(void);
u64 asp_max_map_count(void);

/* region.c: range operations; the lock held for write unless said. */

/**
 * struct asp_carve - the splits made at the edges of a range
 * @lower: the VMA split at the start (keeps the part below), or NULL
 * @lower_new: the part of @lower at and above the start
 * @upper: the VMA split at the end (keeps the part below), or NULL
 * @upper_new: the part of @upper at and above the end
 * @first: the first VMA ending above the start after the splits, or NULL
 *	(set by asp_carve_from() only)
 */
struct asp_carve {
	struct asp_vma *lower, *lower_new;
	struct asp_vma *upper, *upper_new;
	struct asp_vma *first;
};

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
int asp_carve_from(struct asp_mm *mm, struct asp_vma *first,
		   unsigned long start, unsigned long end, bool at_start,
		   bool at_end, struct asp_carve *c);
int asp_carve_vmas(struct asp_mm *mm, struct asp_vma *lower,
		   unsigned long start, struct asp_vma *upper,
		   unsigned long end, struct asp_carve *c);
void asp_uncarve(struct asp_mm *mm, struct asp_carve *c);
void asp_drop_vmas(struct asp_mm *mm, struct list_head *detached);
bool asp_unmap_would_split_over(struct asp_mm *mm, struct asp_vma *first,
				unsigned long start, unsigned long end);
int asp_do_munmap(struct asp_mm *mm, unsigned long start, unsigned long end);
struct asp_vma *asp_map_range(struct asp_mm *mm, unsigned long start,
			      unsigned long end, struct asp_vma *new,
			      const struct asp_carve *c,
			      struct list_head *detached, int *err);

struct asp_vma *asp_vma_merge_around(struct asp_mm *mm, struct asp_vma *vma);

/* fault.c: resolving accesses; the lock held for read or write. */

/* What a fault is for, as FOLL_* of Linux's get_user_pages(). */
#define ASP_FAULT_WRITE		0x1	/* the access writes */

/**
 * struct asp_fault_cursor - the page table a run of faults is in
 * @base: the first address the table maps
 * @table: its first slot, or NULL
 */
struct asp_fault_cursor {
	unsigned long base;
	u64 *table;
};

int asp_fault(struct asp_mm *mm, struct asp_vma *vma, unsigned long addr,
	      unsigned int flags, struct page **pagep);
int asp_fault_cur(struct asp_mm *mm, struct asp_vma *vma, unsigned long addr,
		  unsigned int flags, struct page **pagep,
		  struct asp_fault_cursor *cur);
void asp_fault_put_page(struct page *page);
void asp_populate(struct asp_mm *mm, struct asp_vma *vma, unsigned long start,
		  unsigned long end);
struct asp_vma *asp_find_vma_expand(struct asp_mm *mm, unsigned long addr);
bool asp_page_is_zero(struct page *page);

#endif /* _ASPACE_INTERNAL_H */
