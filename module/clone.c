// SPDX-License-Identifier: GPL-2.0
/*
 * clone: a fork-like copy of a whole address space.
 *
 * Private pages are copied now (eagerly); shared pages are mapped by both
 * address spaces, each holding a reference.  The copy gets the same VMAs,
 * layout, limits and break; afterwards the two are independent.
 */
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "aspace.h"
#include "mem.h"

/**
 * struct asp_clone_ctx - state of one clone while it copies pages
 * @dst: the new address space
 * @vma: the VMA of the source being copied
 */
struct asp_clone_ctx {
	struct asp_mm *dst;
	struct asp_vma *vma;
};

static struct page *asp_clone_data_page(struct asp_clone_ctx *ctx,
					struct page *src)
{
	struct page *page;

	if (ctx->vma->flags & ASP_VM_SHARED) {
		asp_data_page_get(src);
		return src;
	}
	if (((u64)ctx->dst->resident + 1) << PAGE_SHIFT >
	    ctx->dst->limits.resident_bytes)
		return NULL;
	page = asp_data_page_alloc();
	if (page)
		copy_highpage(page, src);
	return page;
}

static int asp_clone_pte(u64 *ptep, unsigned long addr, void *arg)
{
	struct asp_clone_ctx *ctx = arg;
	struct page *page;
	int ret;

	/* Like __get_user_pages(): a killed caller stops; no CPU hogging. */
	cond_resched();
	if (fatal_signal_pending(current))
		return -EINTR;
	page = asp_clone_data_page(ctx, asp_pte_page(*ptep));
	if (!page)
		return -ENOMEM;
	ret = asp_pt_map(&ctx->dst->pt, addr, page,
			 *ptep & ASP_PTE_FLAGS_MASK);
	if (ret) {
		asp_data_page_put(page);
		return ret;
	}
	ctx->dst->resident++;
	return 0;
}

static int asp_clone_vma(struct asp_mm *dst, struct asp_mm *src,
			 struct asp_vma *vma)
{
	struct asp_clone_ctx ctx = { .dst = dst, .vma = vma };
	struct asp_vma *new;
	int ret;

	new = asp_vma_dup(vma);
	if (!new)
		return -ENOMEM;
	/* Like anon_vma_fork(): the copy's anonymous memory is its own. */
	if (new->anon)
		new->anon = asp_anon_id_new();
	ret = asp_vma_insert(&dst->vmas, new);
	if (ret) {
		asp_vma_free(new);
		return ret;
	}
	asp_mm_account(dst, new->flags, (new->end - new->start) >> PAGE_SHIFT);
	return asp_pt_walk(&src->pt, vma->start, vma->end, asp_clone_pte,
			   &ctx);
}

static int asp_clone_locked(struct asp_mm *dst, struct asp_mm *src)
{
	struct asp_vma *vma;
	int ret;

	dst->layout = src->layout;
	dst->limits = src->limits;
	dst->start_brk = src->start_brk;
	dst->brk = src->brk;
	for (vma = asp_vma_find_next(&src->vmas, 0); vma;
	     vma = asp_vma_next(&src->vmas, vma)) {
		ret = asp_clone_vma(dst, src, vma);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * asp_clone() - copy a whole address space, like fork()
 * @mm: the source; takes its lock for read
 *
 * Copies page by page, rescheduling in between.  Running out of memory or
 * of the memory cgroup's limit fails the clone instead of invoking the OOM
 * killer (see mem.c).
 *
 * Context: process context, may sleep; takes both address spaces' locks.
 * Return: the copy, or an ERR_PTR(): -ENOMEM if memory, the memory
 * cgroup's limit or the resident limit ran out; -EINTR if the calling
 * task got a fatal signal.  On error the source is untouched and nothing
 * leaks.
 */
struct asp_mm *asp_clone(struct asp_mm *mm)
{
	struct asp_mm *new;
	int ret;

	down_read(&mm->lock);
	new = asp_mm_create_levels(mm->pt.levels);
	if (IS_ERR(new)) {
		up_read(&mm->lock);
		return new;
	}
	/* Same lock class as the source's: tell lockdep it nests. */
	down_write_nested(&new->lock, SINGLE_DEPTH_NESTING);
	ret = asp_clone_locked(new, mm);
	up_write(&new->lock);
	up_read(&mm->lock);
	if (ret) {
		asp_mm_destroy(new);
		return ERR_PTR(ret);
	}
	return new;
}
