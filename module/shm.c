// SPDX-License-Identifier: GPL-2.0
/*
 * Shared anonymous memory objects (see shm.h).
 *
 * Locking: the xarray has its own lock; an object is reached only through
 * a VMA that holds a reference on it.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "mem.h"
#include "shm.h"
#include "vma.h"

/**
 * asp_shm_new() - create an empty shared object
 *
 * Context: may sleep.
 * Return: the object with one reference, or NULL.
 */
struct asp_shm *asp_shm_new(void)
{
	struct asp_shm *shm;

	if (asp_should_fail_alloc())
		return NULL;
	shm = kzalloc(sizeof(*shm), GFP_KERNEL_ACCOUNT);
	if (!shm)
		return NULL;
	refcount_set(&shm->ref, 1);
	shm->id = asp_anon_id_new();
	xa_init(&shm->pages);
	return shm;
}

/**
 * asp_shm_get() - take a reference on a shared object
 * @shm: the object; the caller holds a reference
 */
void asp_shm_get(struct asp_shm *shm)
{
	refcount_inc(&shm->ref);
}

/**
 * asp_shm_put() - drop a reference; the last one frees the object's pages
 * @shm: the object
 *
 * Context: may sleep (reschedules while freeing many pages).
 */
void asp_shm_put(struct asp_shm *shm)
{
	struct page *page;
	unsigned long index;

	if (!refcount_dec_and_test(&shm->ref))
		return;
	xa_for_each(&shm->pages, index, page) {
		asp_data_page_put(page);
		cond_resched();
	}
	xa_destroy(&shm->pages);
	kfree(shm);
}

/**
 * asp_shm_page() - the page at an offset of a shared object, made if absent
 * @shm: the object; the caller holds a reference
 * @index: the page offset
 * @err: out: -ENOMEM when NULL is returned
 *
 * Two callers racing for a missing page get the same one.
 *
 * Context: may sleep.
 * Return: the page with a new reference for the caller, or NULL.
 */
struct page *asp_shm_page(struct asp_shm *shm, pgoff_t index, int *err)
{
	struct page *page, *old;

	*err = -ENOMEM;
	page = xa_load(&shm->pages, index);
	if (page) {
		asp_data_page_get(page);
		return page;
	}
	page = asp_data_page_alloc_shm();
	if (!page)
		return NULL;
	/* The xarray's node allocation, for fault injection. */
	if (asp_should_fail_alloc())
		old = XA_ZERO_ENTRY;
	else
		old = xa_cmpxchg(&shm->pages, index, NULL, page,
				 GFP_KERNEL_ACCOUNT);
	if (old == XA_ZERO_ENTRY || xa_is_err(old)) {
		asp_data_page_put(page);
		return NULL;
	}
	if (old) {
		/* Another fault stored it first; it cannot go while we look. */
		asp_data_page_put(page);
		page = old;
	}
	asp_data_page_get(page);
	return page;
}
