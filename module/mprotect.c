// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect on an address space, with the semantics of mm/mprotect.c.
 *
 * As do_mprotect_pkey(), the VMAs change one after the other from the
 * start of the range, and the first one that cannot change stops the call
 * with the ones before it changed: a hole (-ENOMEM, after the VMAs below
 * it), the data limit, a split past max_map_count.
 *
 * Running out of memory is the exception.  Only the splits at the two
 * edges of the part that changes allocate (merges are best effort), and
 * they are made before anything changes, so an allocation failure leaves
 * the address space as it was.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>

#include "internal.h"

#define ASP_PTE_ACCESS	(ASP_PTE_P | ASP_PTE_RW | ASP_PTE_US | ASP_PTE_NX | \
			 ASP_PTE_PROTNONE)

/**
 * asp_mprotect_unaccounts() - does @vma stop being accounted?
 * @vma: a VMA whose protections change to ones without ASP_VM_WRITE
 *
 * Linux 6.7 and later ("mm/mprotect: allow unfaulted VMAs to be
 * unaccounted on mprotect()"): mprotect_fixup() takes VM_ACCOUNT back from
 * a private anonymous VMA that has no anon_vma, no page of its own yet,
 * when it changes to protections without PROT_WRITE, so that it may merge
 * with neighbours never accounted (a read-only mapping).  Linux 6.1 keeps
 * VM_ACCOUNT once a VMA was writable.  Only mprotect does this; mmap, brk
 * and fork account as before.
 *
 * Return: true if @vma loses ASP_VM_ACCOUNT, on the Linux built for.
 */
static bool asp_mprotect_unaccounts(const struct asp_vma *vma)
{
	return ASP_LINUX_SINCE(6, 7) && (vma->flags & ASP_VM_ACCOUNT) &&
	       !(vma->flags & ASP_VM_SHARED) && !vma->anon;
}

/*
 * The flags @vma gets, as mprotect_fixup() computes them: the new
 * protections; accounted once made writable; no longer accounted when
 * made unwritable before it had a page of its own, since Linux 6.7
 * (asp_mprotect_unaccounts()).  Unchanged protections change nothing.
 */
static unsigned long asp_mprotect_flags(const struct asp_vma *vma,
					unsigned long prot_vm)
{
	unsigned long nf = prot_vm | (vma->flags & ~ASP_VM_PROT_MASK);

	if (nf == vma->flags)
		return nf;
	if ((nf & ASP_VM_WRITE) &&
	    !(vma->flags & (ASP_VM_ACCOUNT | ASP_VM_WRITE | ASP_VM_SHARED)))
		nf |= ASP_VM_ACCOUNT;
	else if (!(nf & ASP_VM_WRITE) && asp_mprotect_unaccounts(vma))
		nf &= ~ASP_VM_ACCOUNT;
	return nf;
}

/*
 * Linux's mprotect_fixup() test, VMA by VMA: fail if the new flags may
 * not expand by @pages but the old ones may.  Only a VMA becoming data
 * can fail, and only while the mapped-bytes limit still has room for
 * @pages (mapped bytes do not change; with no room, both tests fail and
 * Linux lets the change through).  @data: pages earlier VMAs of the call
 * turn into data.
 */
static bool asp_mprotect_may(struct asp_mm *mm, unsigned long pages,
			     unsigned long data)
{
	if (mm->total_vm + pages > mm->limits.as_bytes >> PAGE_SHIFT)
		return true;
	return mm->data_vm + data + pages <=
	       mm->limits.data_bytes >> PAGE_SHIFT;
}

/*
 * The loop of Linux's do_mprotect_pkey() with the data-limit test of its
 * mprotect_fixup(), changing nothing: how far from @start the VMAs change
 * before a hole or the data limit stops the call.  @err gets what the
 * call returns then (0 if nothing stops it).  The max_map_count tests are
 * the caller's: the one at @end depends on the merges made on the way.
 * @first gets the VMA containing @start, @last the last VMA looked at:
 * the one containing the end returned, if any VMA does but its first.
 *
 * Return: the end of the part that changes; @start if nothing does.
 */
static unsigned long asp_mprotect_scan(struct asp_mm *mm, unsigned long start,
				       unsigned long end, unsigned long prot_vm,
				       struct asp_vma **first,
				       struct asp_vma **last, int *err)
{
	struct asp_vma *vma = asp_vma_find(&mm->vmas, start);
	unsigned long addr = start, data = 0, pages;

	*err = -ENOMEM;
	*first = vma;
	*last = NULL;
	while (vma && vma->start <= addr) {
		*last = vma;
		if (asp_is_data(asp_mprotect_flags(vma, prot_vm)) &&
		    !asp_is_data(vma->flags)) {
			pages = (min(end, vma->end) - addr) >> PAGE_SHIFT;
			if (!asp_mprotect_may(mm, pages, data))
				return addr;
			data += pages;
		}
		if (vma->end >= end) {
			*err = 0;
			return end;
		}
		addr = vma->end;
		vma = asp_vma_next(&mm->vmas, vma);
		cond_resched();
	}
	return addr;
}

/* Does @vma straddle @addr and change its protections? */
static bool asp_mprotect_straddles(const struct asp_vma *vma,
				   unsigned long addr, unsigned long prot_vm)
{
	return vma && vma->start < addr && addr < vma->end &&
	       asp_mprotect_flags(vma, prot_vm) != vma->flags;
}

/*
 * Split where a VMA straddles an edge of [start, stop) and changes, as
 * mprotect_fixup()'s split_vma() calls do.  The split at @start is the
 * first change Linux makes, so its max_map_count test is made here.  The
 * one at @stop is made now too, so that running out of memory changes
 * nothing, but tested only when the VMAs before it have changed and
 * merged (asp_mprotect_range()).  @first and @last: what
 * asp_mprotect_scan() found, the only VMAs that may straddle @start and
 * @stop.
 */
static int asp_mprotect_carve(struct asp_mm *mm, struct asp_vma *first,
			      struct asp_vma *last, unsigned long start,
			      unsigned long stop, unsigned long prot_vm,
			      struct asp_carve *c)
{
	bool at_start = asp_mprotect_straddles(first, start, prot_vm);
	bool at_end = asp_mprotect_straddles(last, stop, prot_vm);

	if (at_start && mm->vmas.count >= mm->limits.max_map_count)
		return -ENOMEM;
	return asp_carve_vmas(mm, at_start ? first : NULL, start,
			      at_end ? last : NULL, stop, c);
}

static void asp_mprotect_apply(struct asp_mm *mm, struct asp_vma *vma,
			       unsigned long nf)
{
	long pages = (vma->end - vma->start) >> PAGE_SHIFT;

	asp_mm_account(mm, vma->flags, -pages);
	vma->flags = nf;
	asp_mm_account(mm, vma->flags, pages);
	asp_pt_protect(&mm->pt, vma->start, vma->end, asp_vm_pte_flags(nf),
		       ASP_PTE_ACCESS);
}

/* @gone was merged away and freed: @c must not point at it any more. */
static void asp_mprotect_forget(struct asp_carve *c, const struct asp_vma *gone)
{
	if (c->upper == gone)
		c->upper = NULL;
}

/* The VMA after @vma: no lookup when it is the one split off at the end. */
static struct asp_vma *asp_mprotect_next(struct asp_mm *mm,
					 struct asp_vma *vma,
					 const struct asp_carve *c)
{
	if (c->upper && vma->end == c->upper_new->start)
		return c->upper_new;
	return asp_vma_next(&mm->vmas, vma);
}

/*
 * Linux's vma_merge() for a VMA mprotect_fixup() changed: join @prev, the
 * VMA before it (or NULL), then the one after it, where they may merge.
 * VMAs the call leaves unchanged are never merged with each other.  A
 * merge the tree has no memory for is skipped and counted in @skipped.
 * Returns the VMA that now covers @vma's range.
 */
static struct asp_vma *asp_mprotect_merge(struct asp_mm *mm,
					  struct asp_vma *prev,
					  struct asp_vma *vma,
					  struct asp_carve *c,
					  unsigned long *skipped)
{
	struct asp_vma *next;

	if (prev && asp_vma_can_merge(prev, vma)) {
		if (asp_vma_merge(&mm->vmas, prev, vma)) {
			asp_mprotect_forget(c, vma);
			vma = prev;
		} else {
			(*skipped)++;
		}
	}
	next = asp_mprotect_next(mm, vma, c);
	if (next && asp_vma_can_merge(vma, next)) {
		if (asp_vma_merge(&mm->vmas, vma, next))
			asp_mprotect_forget(c, next);
		else
			(*skipped)++;
	}
	return vma;
}

/*
 * mprotect_fixup() on each VMA of [start, stop), whose edges @c split;
 * @first: the VMA that contained @start before.  Linux makes the split at
 * @stop when it reaches the last VMA, after the merges of those before
 * it, and tests max_map_count then: so is it here, against the count
 * without that split (and with the merges skipped for want of memory,
 * which Linux would have made).  Past the limit, the split is undone and
 * the call fails with the VMAs before it changed.  The VMA before the
 * current one is carried along, not looked up again.
 *
 * Return: 0, or -ENOMEM if the split at @stop passes max_map_count.
 */
static int asp_mprotect_range(struct asp_mm *mm, struct asp_vma *first,
			      unsigned long stop, unsigned long prot_vm,
			      struct asp_carve *c)
{
	struct asp_vma *vma = c->lower_new ?: first;
	struct asp_vma *prev = c->lower ?:
			       asp_vma_find_prev(&mm->vmas, vma->start);
	unsigned long nf, skipped = 0;

	for (;;) {
		cond_resched();
		nf = asp_mprotect_flags(vma, prot_vm);
		if (nf != vma->flags) {
			if (vma == c->upper &&
			    mm->vmas.count > mm->limits.max_map_count + skipped) {
				asp_vma_unsplit(&mm->vmas, c->upper,
						c->upper_new);
				return -ENOMEM;
			}
			asp_mprotect_apply(mm, vma, nf);
			vma = asp_mprotect_merge(mm, prev, vma, c, &skipped);
		}
		if (vma->end >= stop)
			return 0;
		prev = vma;
		vma = asp_vma_next(&mm->vmas, vma);
		if (!vma || vma->start >= stop)
			return 0;
	}
}

static int asp_mprotect_locked(struct asp_mm *mm, unsigned long start,
			       unsigned long end, unsigned long prot_vm)
{
	struct asp_vma *first, *last;
	struct asp_carve c;
	unsigned long stop;
	int err, ret;

	stop = asp_mprotect_scan(mm, start, end, prot_vm, &first, &last, &err);
	if (stop == start)
		return err;
	ret = asp_mprotect_carve(mm, first, last, start, stop, prot_vm, &c);
	if (!ret)
		ret = asp_mprotect_range(mm, first, stop, prot_vm, &c);
	return ret ?: err;
}

/**
 * asp_mprotect() - mprotect(2) on an address space
 * @mm: the address space; takes its lock for write
 * @addr: page-aligned start
 * @len: bytes, rounded up to pages; 0 does nothing
 * @prot: PROT_READ, PROT_WRITE, PROT_EXEC
 *
 * As Linux's do_mprotect_pkey(): the VMAs change one after the other from
 * @addr, and the first that cannot fails the call with the VMAs before it
 * changed (split and merged as mprotect_fixup() does).  A hole at @addr,
 * or a first VMA that cannot change, changes nothing.  Running out of
 * memory changes nothing either, unlike Linux.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for an unaligned start or unknown prot bits;
 * -ENOMEM for an overflowing range, a hole in the range, a split past the
 * VMA limit, the data limit, or no memory.
 */
int asp_mprotect(struct asp_mm *mm, unsigned long addr, unsigned long len,
		 u32 prot)
{
	unsigned long end;
	int ret;

	if (offset_in_page(addr))
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = addr + len;
	if (end <= addr)
		return -ENOMEM;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	down_write(&mm->lock);
	ret = asp_mprotect_locked(mm, addr, end, asp_prot_to_vm(prot));
	up_write(&mm->lock);
	return ret;
}
