// SPDX-License-Identifier: GPL-2.0
/*
 * clone: a fork-like copy of a whole address space (Linux's dup_mmap()).
 *
 * Private pages are shared copy-on-write by default: both entries lose
 * write access and get ASP_PTE_COW, and the first write on either side
 * copies the page (or reuses it when the other side has let it go, see
 * fault.c).  An eager clone copies them at once instead.  Shared pages are
 * mapped by both address spaces, each holding a reference, and both VMAs
 * hold the shared object.  VMAs marked MADV_DONTFORK are not copied;
 * those marked MADV_WIPEONFORK are copied without their pages.  The copy
 * gets the same layout, limits and break; afterwards the two are
 * independent.
 */
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "internal.h"
#include "mem.h"

/**
 * struct asp_clone_ctx - state of one clone while it copies entries
 * @dst: the new address space
 * @vma: the VMA of the source being copied
 * @eager: copy private pages now instead of sharing them
 */
struct asp_clone_ctx {
	struct asp_mm *dst;
	struct asp_vma *vma;
	bool eager;
};

static bool asp_clone_resident_full(struct asp_mm *mm)
{
	return ((u64)mm->resident + 1) << PAGE_SHIFT >
	       mm->limits.resident_bytes;
}

/*
 * The page and entry flags the copy maps at one address: the same page
 * (shared, zero page, copy-on-write) or a copy (eager).  Write-protects
 * the source's entry for copy-on-write.
 */
static struct page *asp_clone_page(struct asp_clone_ctx *ctx, u64 *ptep,
				   u64 *flags)
{
	struct page *src = asp_pte_page(*ptep), *page;

	*flags = *ptep & ASP_PTE_FLAGS_MASK;
	if (asp_page_is_zero(src))
		return src;
	if (ctx->vma->flags & ASP_VM_SHARED) {
		asp_data_page_get(src);
		return src;
	}
	if (!ctx->eager) {
		*ptep &= ~ASP_PTE_RW;
		*ptep |= ASP_PTE_COW;
		*flags = *ptep & ASP_PTE_FLAGS_MASK;
		asp_data_page_get(src);
		return src;
	}
	/* The copy is exclusive: writable where its mapping is. */
	*flags &= ~ASP_PTE_COW;
	if ((ctx->vma->flags & ASP_VM_WRITE) && (*flags & ASP_PTE_P))
		*flags |= ASP_PTE_RW;
	page = asp_data_page_alloc();
	if (page)
		copy_highpage(page, src);
	return page;
}

/* Map in the copy, at its slot @dst, what the source's slot @src maps. */
static int asp_clone_entry(struct asp_clone_ctx *ctx, u64 *src, u64 *dst,
			   unsigned long addr)
{
	struct page *page;
	u64 flags;

	if (!asp_page_is_zero(asp_pte_page(*src)) &&
	    asp_clone_resident_full(ctx->dst))
		return -ENOMEM;
	page = asp_clone_page(ctx, src, &flags);
	if (!page)
		return -ENOMEM;
	asp_pt_set(&ctx->dst->pt, addr, dst, asp_pte_mk(page, flags));
	if (!asp_page_is_zero(page)) {
		ctx->dst->resident++;
		asp_owner_rss_add(ctx->dst->owner, page, 1);
	}
	return 0;
}

/*
 * One page table of the source: its entries in [@addr, @end) go to the
 * copy's table, found (or made) once.  Like copy_pte_range(), a killed
 * caller stops and the CPU is yielded, a table at a time.
 */
static int asp_clone_table(u64 *src, unsigned long addr, unsigned long end,
			   void *arg)
{
	struct asp_clone_ctx *ctx = arg;
	u64 *dst = NULL;
	int ret;

	cond_resched();
	if (fatal_signal_pending(current))
		return -EINTR;
	for (; addr < end; addr += PAGE_SIZE, src++) {
		if (!*src)
			continue;
		/* The copy's table, at the first entry it needs. */
		if (!dst) {
			dst = asp_pt_leaf_alloc(&ctx->dst->pt, addr);
			if (!dst)
				return -ENOMEM;
			dst -= asp_pte_index(addr);
		}
		ret = asp_clone_entry(ctx, src, dst + asp_pte_index(addr),
				      addr);
		if (ret)
			return ret;
	}
	return 0;
}

static int asp_clone_vma(struct asp_mm *dst, struct asp_mm *src,
			 struct asp_vma *vma, bool eager)
{
	struct asp_clone_ctx ctx = { .dst = dst, .vma = vma, .eager = eager };
	struct asp_vma *new;
	int ret;

	if (vma->flags & ASP_VM_DONTCOPY)
		return 0;
	new = asp_vma_dup(vma);
	if (!new)
		return -ENOMEM;
	/* Like anon_vma_fork(): the copy's anonymous memory is its own. */
	if (new->anon)
		new->anon = asp_anon_id_new();
	if (vma->flags & ASP_VM_WIPEONFORK)
		new->anon = 0;
	ret = asp_vma_insert(&dst->vmas, new);
	if (ret) {
		asp_vma_free(new);
		return ret;
	}
	asp_mm_account(dst, new->flags, (new->end - new->start) >> PAGE_SHIFT);
	if (vma->flags & ASP_VM_WIPEONFORK)
		return 0;
	return asp_pt_walk_tables(&src->pt, vma->start, vma->end,
				  asp_clone_table, &ctx);
}

static int asp_clone_locked(struct asp_mm *dst, struct asp_mm *src,
			    bool eager)
{
	struct asp_vma *vma;
	int ret;

	dst->layout = src->layout;
	dst->limits = src->limits;
	dst->start_brk = src->start_brk;
	dst->brk = src->brk;
	for (vma = asp_vma_find_next(&src->vmas, 0); vma;
	     vma = asp_vma_next(&src->vmas, vma)) {
		/* Page-less VMAs too: a killed caller stops, the CPU yields. */
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
		ret = asp_clone_vma(dst, src, vma, eager);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * asp_clone() - copy a whole address space, like fork()
 * @mm: the source; takes its lock for write (its entries become
 *	copy-on-write)
 * @eager: copy private pages now instead of sharing them copy-on-write
 *
 * Walks every page table, rescheduling in between.  Running out of
 * memory or of the memory cgroup's limit fails the clone instead of
 * invoking the OOM killer (see mem.c).
 *
 * Context: process context, may sleep; takes both address spaces' locks.
 * Return: the copy, or an ERR_PTR(): -ENOMEM if memory, the memory
 * cgroup's limit or the resident limit ran out; -EINTR if the calling
 * task got a fatal signal.  On error the source's contents, VMAs and
 * counters are unchanged and nothing leaks; but, as after a failed fork()
 * in Linux (dup_mmap() does not undo its write protection), entries it
 * reached stay copy-on-write: the next write to each faults and reuses
 * its page.
 */
struct asp_mm *asp_clone(struct asp_mm *mm, bool eager)
{
	struct asp_mm *new;
	int ret;

	down_write(&mm->lock);
	new = asp_mm_create_levels(mm->pt.levels);
	if (IS_ERR(new)) {
		up_write(&mm->lock);
		return new;
	}
	/* Same lock class as the source's: tell lockdep it nests. */
	down_write_nested(&new->lock, SINGLE_DEPTH_NESTING);
	ret = asp_clone_locked(new, mm, eager);
	up_write(&new->lock);
	up_write(&mm->lock);
	if (!ret)
		return new;
	asp_mm_destroy(new);
	return ERR_PTR(ret);
}
