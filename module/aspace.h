/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address space: layout, limits, counters, its lock, and the
 * operations that mirror mmap, munmap, mprotect, brk and fork.
 *
 * The core takes and returns kernel values and errnos; it never touches
 * user memory (dev.c does).
 */
#ifndef _ASPACE_ASPACE_H
#define _ASPACE_ASPACE_H

#include <linux/rwsem.h>
#include <linux/types.h>

#include "../uapi/linux/aspace.h"
#include "pgtable.h"

#define ASPACE_FEATURES	(ASPACE_FEATURE_LA57)

/**
 * struct asp_mm - one address space
 * @lock: like mmap_lock: write side for changes, read side for queries
 * @pt: its page-table hierarchy
 */
struct asp_mm {
	struct rw_semaphore lock;
	struct asp_pgtable pt;
};

int asp_core_init(void);
void asp_core_exit(void);
struct asp_mm *asp_mm_create(void);
void asp_mm_destroy(struct asp_mm *mm);

#endif /* _ASPACE_ASPACE_H */
