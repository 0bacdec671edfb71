// SPDX-License-Identifier: GPL-2.0
/*
 * The address space and its operations.
 */
#include <linux/err.h>
#include <linux/slab.h>

#include "aspace.h"
#include "mem.h"

/**
 * asp_core_init() - set up what every address space shares
 *
 * Return: 0 or a negative errno.
 */
int asp_core_init(void)
{
	return 0;
}

/**
 * asp_core_exit() - undo asp_core_init()
 */
void asp_core_exit(void)
{
}

/**
 * asp_mm_create() - create an empty address space
 *
 * Return: the address space, or an ERR_PTR().  May sleep.
 */
struct asp_mm *asp_mm_create(void)
{
	struct asp_mm *mm;
	int ret;

	if (asp_should_fail_alloc())
		return ERR_PTR(-ENOMEM);
	mm = kzalloc(sizeof(*mm), GFP_KERNEL_ACCOUNT);
	if (!mm)
		return ERR_PTR(-ENOMEM);
	init_rwsem(&mm->lock);
	ret = asp_pt_init(&mm->pt, 4);
	if (ret) {
		kfree(mm);
		return ERR_PTR(ret);
	}
	return mm;
}

/**
 * asp_mm_destroy() - free an address space and everything it holds
 * @mm: the address space; nobody else may use it any more
 */
void asp_mm_destroy(struct asp_mm *mm)
{
	asp_pt_destroy(&mm->pt, NULL, NULL);
	kfree(mm);
}
