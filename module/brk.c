// SPDX-License-Identifier: GPL-2.0
/*
 * brk on an address space, with the semantics of brk(2) in mm/mmap.c.
 */
#include <linux/mm.h>

#include "internal.h"

#define ASP_BRK_FLAGS	(ASP_VM_READ | ASP_VM_WRITE | ASP_VM_ACCOUNT)

/* Linux's check_brk_limits() and the guard-gap test of brk(2). */
static bool asp_brk_may_grow(struct asp_mm *mm, unsigned long oldbrk,
			     unsigned long newbrk)
{
	struct asp_layout *l = &mm->layout;
	struct asp_vma *next;

	if (newbrk > l->task_size || oldbrk < l->mmap_min_addr)
		return false;
	next = asp_vma_find_next(&mm->vmas, oldbrk);
	if (next && newbrk + PAGE_SIZE > asp_vma_start_gap(next,
							   l->stack_guard_gap))
		return false;
	if (!asp_may_expand(mm, ASP_BRK_FLAGS, (newbrk - oldbrk) >> PAGE_SHIFT))
		return false;
	return mm->vmas.count <= mm->limits.max_map_count;
}

/* Linux's do_brk_flags(): extend the heap VMA or add one. */
static int asp_brk_grow(struct asp_mm *mm, unsigned long oldbrk,
			unsigned long newbrk)
{
	struct asp_vma *vma = asp_vma_find_prev(&mm->vmas, oldbrk);
	LIST_HEAD(detached);
	int ret;

	if (vma && vma->end == oldbrk && vma->end > mm->start_brk &&
	    vma->flags == ASP_BRK_FLAGS) {
		ret = asp_vma_replace(&mm->vmas, oldbrk, newbrk, vma, &detached);
		if (ret)
			return ret;
		vma->end = newbrk;
	} else {
		vma = asp_vma_alloc(oldbrk, newbrk, ASP_BRK_FLAGS);
		if (!vma)
			return -ENOMEM;
		ret = asp_vma_replace(&mm->vmas, oldbrk, newbrk, vma, &detached);
		if (ret) {
			asp_vma_free(vma);
			return ret;
		}
	}
	asp_mm_account(mm, ASP_BRK_FLAGS, (newbrk - oldbrk) >> PAGE_SHIFT);
	return 0;
}

/*
 * Linux's brk(2) shrinks only if a VMA meets [newbrk, oldbrk), and then
 * unmaps that whole range, whatever VMAs lie there.  Returns 0, or an
 * errno with nothing changed (the break then stays).
 */
static int asp_brk_shrink(struct asp_mm *mm, unsigned long newbrk,
			  unsigned long oldbrk)
{
	if (!asp_vma_overlaps(&mm->vmas, newbrk, oldbrk))
		return -ENOMEM;
	return asp_do_munmap(mm, newbrk, oldbrk);
}

static bool asp_brk_data_ok(struct asp_mm *mm, unsigned long brk)
{
	u64 limit = mm->limits.data_bytes;

	return limit == ASPACE_LIMIT_INFINITY || brk - mm->start_brk <= limit;
}

/**
 * asp_brk() - brk(2) on an address space
 * @mm: the address space; takes its lock for write
 * @brk: the break asked for; below the heap start it only asks
 *
 * The heap grows only while one page stays free below the next mapping
 * (and its guard gap, for a stack) and within the data limit.  Shrinking
 * unmaps whatever lies between the new and the old break (page aligned),
 * but only if a VMA lies there: with none, the break stays, as in Linux.
 *
 * Context: process context, may sleep.
 * Return: the new break, or the old one if the request failed, as the
 * system call does.
 */
unsigned long asp_brk(struct asp_mm *mm, unsigned long brk)
{
	unsigned long newbrk, oldbrk;

	down_write(&mm->lock);
	if (brk < mm->start_brk || !asp_brk_data_ok(mm, brk))
		goto out;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (newbrk < brk)
		goto out;
	if (oldbrk == newbrk)
		goto set;
	if (brk <= mm->brk) {
		if (asp_brk_shrink(mm, newbrk, oldbrk))
			goto out;
		goto set;
	}
	if (!asp_brk_may_grow(mm, oldbrk, newbrk) ||
	    asp_brk_grow(mm, oldbrk, newbrk))
		goto out;
set:
	mm->brk = brk;
out:
	brk = mm->brk;
	up_write(&mm->lock);
	return brk;
}
