/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Looking into an address space without changing what it maps: one
 * address walked through the page tables (TRANSLATE), the page tables
 * coalesced into ranges (PTDUMP), pages by category (PAGESCAN, and
 * CLEAR_REFS, which clears the Accessed and Dirty bits the scan reports)
 * and the state /proc/PID/fdinfo shows.  The core fills kernel structs and
 * arrays; dev.c copies them to user space, an array a chunk at a time.
 */
#ifndef _ASPACE_INTROSPECT_H
#define _ASPACE_INTROSPECT_H

#include <linux/types.h>

#include "aspace.h"

struct seq_file;

/* What HANDSHAKE reports for the introspection part. */
#define ASP_INTROSPECT_FEATURES	(ASPACE_FEATURE_TRANSLATE | \
				 ASPACE_FEATURE_FDINFO | \
				 ASPACE_FEATURE_PTDUMP | \
				 ASPACE_FEATURE_PAGESCAN | \
				 ASPACE_FEATURE_TRACE)

/**
 * struct asp_ptdump_args - one call of asp_ptdump()
 * @start: first address (page aligned)
 * @end: one past the last (rounded up to a page by the callee)
 * @flags: ASPACE_PTDUMP_*
 * @mask: entry bits to report and coalesce on (0: all but the frame)
 * @vec: where the ranges go
 * @vec_len: room in @vec
 * @nr: out: ranges written
 * @walk_end: out: @end, or where the first range that did not fit starts
 * @pgtable_pages: out: page-table pages per level whose first address
 *	lies in [@start, @walk_end), added to what it held
 */
struct asp_ptdump_args {
	unsigned long start;
	unsigned long end;
	u32 flags;
	u64 mask;
	struct aspace_ptdump_entry *vec;
	unsigned long vec_len;
	unsigned long nr;
	unsigned long walk_end;
	u64 pgtable_pages[ASP_PT_MAX_LEVELS];
};

/**
 * struct asp_scan_args - one call of asp_pagescan()
 * @start: first address (page aligned)
 * @end: one past the last (rounded up to a page by the callee)
 * @inverted: categories that match when clear
 * @mask: categories that must all match
 * @anyof: categories of which one must match (0: no such condition)
 * @ret_mask: categories reported
 * @vec: where the regions go
 * @vec_len: room in @vec
 * @max_pages: in/out: pages still to report (ULONG_MAX: no limit)
 * @nr: out: regions written
 * @walk_end: out: @end, or where the scan stopped (the first page that
 *	did not fit, or the one after the last page @max_pages allowed)
 */
struct asp_scan_args {
	unsigned long start;
	unsigned long end;
	u64 inverted;
	u64 mask;
	u64 anyof;
	u64 ret_mask;
	struct aspace_page_region *vec;
	unsigned long vec_len;
	unsigned long max_pages;
	unsigned long nr;
	unsigned long walk_end;
};

void asp_fault_done(struct asp_mm *mm, unsigned long addr, u64 *ptep,
		    u64 old, unsigned int flags, int ret);
int asp_translate(struct asp_mm *mm, struct aspace_translate *t,
		  bool show_frames);
int asp_ptdump(struct asp_mm *mm, struct asp_ptdump_args *a);
int asp_pagescan(struct asp_mm *mm, struct asp_scan_args *a);
int asp_clear_refs(struct asp_mm *mm, unsigned long start, unsigned long end,
		   u32 flags);
void asp_show_fdinfo(struct asp_mm *mm, struct seq_file *m);

#endif /* _ASPACE_INTROSPECT_H */
