/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The object behind a MAP_SHARED mapping, like the shmem file Linux
 * creates for shared anonymous memory: its pages, indexed by page offset,
 * outlive any one mapping of them and are shared by every VMA (in every
 * clone) that maps the object.
 */
#ifndef _ASPACE_SHM_H
#define _ASPACE_SHM_H

#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/xarray.h>

/**
 * struct asp_shm - a shared anonymous memory object
 * @ref: VMAs that map it
 * @id: its identity, reported as the VMA's id (like an inode number)
 * @pages: page offset -> data page; the object holds one reference on
 *	each; pages are allocated on first access and live until the
 *	object is freed
 */
struct asp_shm {
	refcount_t ref;
	u64 id;
	struct xarray pages;
};

struct asp_shm *asp_shm_new(void);
void asp_shm_get(struct asp_shm *shm);
void asp_shm_put(struct asp_shm *shm);
struct page *asp_shm_page(struct asp_shm *shm, pgoff_t index, int *err);

#endif /* _ASPACE_SHM_H */
