// SPDX-License-Identifier: GPL-2.0
/*
 * clone: a fork-like copy of a whole address space (Linux's dup_mmap()).
 *
 * Private pages are shared copy-on-write by default: both entries lose
 * write access and get ASP_PTE_COW, and the first write on either side
 * copies the page (or reuses it when the other side has let it go, see
 * fault.c).  An eager clone copies them at once instead.  Shared pages are
 * mapped by both address spaces, each holding a reference, and both VMAs
 * hold the shared object.  The copy's Accessed and Dirty bits are Linux's
 * (see asp_clone_age()).  VMAs marked MADV_DONTFORK are not copied;
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

/**
 * asp_clone_age() - the Accessed and Dirty bits of a copied entry
 * @vma: the source's VMA
 * @flags: the entry's flags, as the copy is to map them
 *
 * As copy_present_pte() in Linux 6.1 (__copy_present_ptes() in 6.12)
 * makes the child's entry: pte_mkold() always, and pte_mkclean() in a
 * shared mapping; a private entry keeps its Dirty bit.  The source keeps
 * both bits.
 *
 * Return: @flags without the Accessed bit, and without the Dirty bit in a
 * shared mapping.
 */
static u64 asp_clone_age(const struct asp_vma *vma, u64 flags)
{
	flags &= ~ASP_PTE_A;
	if (vma->flags & ASP_VM_SHARED)
		flags &= ~ASP_PTE_D;
	return flags;
}

/**
 * asp_clone_copy() - an eager clone's own copy of a private page
 * @vma: the source's VMA
 * @src: the page to copy
 * @flags: out: the copy's entry flags
 *
 * A fresh entry, as copy_present_page() makes one for the copy of a
 * pinned page in Linux 6.1 and 6.12: mk_pte() with the VMA's protection
 * (young: x86's protections carry _PAGE_ACCESSED), pte_mkdirty(), and
 * maybe_mkwrite() (writable where the mapping is).
 *
 * Return: the copy, or NULL if memory ran out.
 */
static struct page *asp_clone_copy(const struct asp_vma *vma,
				   struct page *src, u64 *flags)
{
	struct page *page = asp_data_page_alloc();

	if (page)
		copy_highpage(page, src);
	*flags = asp_vm_pte_flags(vma->flags) | ASP_PTE_A | ASP_PTE_D;
	return page;
}

/*
 * The page and entry flags the copy maps at one address: the same page
 * (shared, zero page, copy-on-write), aged by asp_clone_age(), or a copy
 * (eager).  Write-protects the source's entry for copy-on-write, keeping
 * its Accessed and Dirty bits.
 */
static struct page *asp_clone_page(struct asp_clone_ctx *ctx, u64 *ptep,
				   u64 *flags)
{
	struct page *src = asp_pte_page(*ptep);

	if (!asp_page_is_zero(src) && !(ctx->vma->flags & ASP_VM_SHARED)) {
		if (ctx->eager)
			return asp_clone_copy(ctx->vma, src, flags);
		*ptep &= ~ASP_PTE_RW;
		*ptep |= ASP_PTE_COW;
	}
	*flags = asp_clone_age(ctx->vma, *ptep & ASP_PTE_FLAGS_MASK);
	if (!asp_page_is_zero(src))
		asp_data_page_get(src);
	return src;
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
