// SPDX-License-Identifier: GPL-2.0
/*
 * Range operations on an address space, shared by mmap, munmap, mprotect,
 * brk, madvise and clone (the job of Linux 6.12's mm/vma.c): split the
 * VMAs at the edges of a range (carve) and undo it (uncarve), make a VMA
 * cover a range with Linux's merges, unmap a range, and the accounting
 * and limits every one of them applies.
 *
 * mmap, munmap and brk check everything first, then split, then make the
 * change visible with one store into the VMA tree (see vma.c); mprotect
 * and madvise go VMA by VMA as Linux does, stopping at the first that
 * fails.  Page-table work that cannot fail (unmapping, changing
 * protections) comes after the store that makes a change visible.
 *
 * Locking: every function here needs the address-space lock held for
 * write, unless its comment says otherwise.
 */
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>

#include "internal.h"
#include "mem.h"

/**
 * asp_is_data() - do pages with these flags count as data (RLIMIT_DATA)?
 * @flags: ASP_VM_* flags
 *
 * Return: true for private writable mappings that are not a stack.
 */
bool asp_is_data(unsigned long flags)
{
	return (flags & (ASP_VM_WRITE | ASP_VM_SHARED | ASP_VM_GROWSDOWN)) ==
	       ASP_VM_WRITE;
}

/**
 * asp_mm_account() - count pages coming into or leaving VMAs
 * @mm: the address space; lock held for write
 * @flags: the VMA flags of those pages
 * @pages: how many; negative when they leave
 */
void asp_mm_account(struct asp_mm *mm, unsigned long flags, long pages)
{
	lockdep_assert_held_write(&mm->lock);
	mm->total_vm += pages;
	if (asp_is_data(flags))
		mm->data_vm += pages;
}

/**
 * asp_may_expand() - may the address space map more pages?
 * @mm: the address space; lock held
 * @flags: ASP_VM_* flags of the new pages
 * @pages: how many
 *
 * Linux's may_expand_vm(): the mapped-bytes and data limits.
 *
 * Return: true if the limits allow it.
 */
bool asp_may_expand(struct asp_mm *mm, unsigned long flags,
		    unsigned long pages)
{
	lockdep_assert_held(&mm->lock);
	if (mm->total_vm + pages > mm->limits.as_bytes >> PAGE_SHIFT)
		return false;
	if (asp_is_data(flags) &&
	    mm->data_vm + pages > mm->limits.data_bytes >> PAGE_SHIFT)
		return false;
	return true;
}

/**
 * asp_mm_release_page() - drop a data page an unmap took out
 * @pte: the entry that mapped it
 * @page: the page
 * @addr: the address it was mapped at
 * @arg: the address space (lock held for write)
 */
void asp_mm_release_page(u64 pte, struct page *page, unsigned long addr,
			 void *arg)
{
	struct asp_mm *mm = arg;

	if (asp_page_is_zero(page))
		return;		/* never counted, never referenced */
	mm->resident--;
	asp_owner_rss_add(mm->owner, page, -1);
	asp_data_page_put(page);
}

/**
 * asp_vm_pte_flags() - the leaf-entry bits for a VMA's protections
 * @vm_flags: ASP_VM_* flags
 *
 * Return: the flag bits; a PROT_NONE mapping is not present (the CPU
 * faults) but keeps its page, marked with ASP_PTE_PROTNONE.
 */
u64 asp_vm_pte_flags(unsigned long vm_flags)
{
	u64 pte = ASP_PTE_US | ASP_PTE_NX;

	if (!(vm_flags & ASP_VM_PROT_MASK))
		return ASP_PTE_PROTNONE | ASP_PTE_NX;
	pte |= ASP_PTE_P;
	if (vm_flags & ASP_VM_WRITE)
		pte |= ASP_PTE_RW;
	if (vm_flags & ASP_VM_EXEC)
		pte &= ~ASP_PTE_NX;
	return pte;
}

/**
 * asp_prot_to_vm() - VMA protection flags for PROT_* bits
 * @prot: PROT_READ, PROT_WRITE, PROT_EXEC
 *
 * Return: ASP_VM_READ, ASP_VM_WRITE, ASP_VM_EXEC.
 */
unsigned long asp_prot_to_vm(u32 prot)
{
	return (prot & PROT_READ ? ASP_VM_READ : 0) |
	       (prot & PROT_WRITE ? ASP_VM_WRITE : 0) |
	       (prot & PROT_EXEC ? ASP_VM_EXEC : 0);
}

/**
 * asp_uncarve() - undo asp_carve()
 * @mm: the address space; lock held for write
 * @c: what asp_carve() did; the VMAs it split must be unchanged since
 */
void asp_uncarve(struct asp_mm *mm, struct asp_carve *c)
{
	lockdep_assert_held_write(&mm->lock);
	if (c->upper)
		asp_vma_unsplit(&mm->vmas, c->upper, c->upper_new);
	if (c->lower)
		asp_vma_unsplit(&mm->vmas, c->lower, c->lower_new);
}

/*
 * The VMA that straddles @end, found from @vma, the first VMA ending above
 * some address below @end: a lookup only if @vma ends below @end.
 */
static struct asp_vma *asp_straddler(struct asp_mm *mm, struct asp_vma *vma,
				     unsigned long end)
{
	if (vma && vma->end < end)
		vma = asp_vma_find(&mm->vmas, end);
	return vma && vma->start < end && end < vma->end ? vma : NULL;
}

/**
 * asp_carve_vmas() - split given VMAs at the edges of a range
 * @mm: the address space; lock held for write
 * @lower: the VMA that straddles @start, split there; or NULL
 * @start: first byte of the range
 * @upper: the VMA that straddles @end, split there; or NULL (may be
 *	@lower: then its part from @start is split)
 * @end: one past the last byte of the range
 * @c: out: the splits made, for asp_uncarve()
 *
 * The VMA limit is the caller's to check.
 *
 * Return: 0, or -ENOMEM with nothing changed.
 */
int asp_carve_vmas(struct asp_mm *mm, struct asp_vma *lower,
		   unsigned long start, struct asp_vma *upper,
		   unsigned long end, struct asp_carve *c)
{
	int ret;

	lockdep_assert_held_write(&mm->lock);
	memset(c, 0, sizeof(*c));
	if (lower) {
		ret = asp_vma_split(&mm->vmas, lower, start, &c->lower_new);
		if (ret)
			return ret;
		c->lower = lower;
		if (upper == lower)
			upper = c->lower_new;
	}
	if (upper) {
		ret = asp_vma_split(&mm->vmas, upper, end, &c->upper_new);
		if (ret) {
			asp_uncarve(mm, c);
			return ret;
		}
		c->upper = upper;
	}
	return 0;
}

/**
 * asp_carve_from() - asp_carve() from the first VMA the range meets
 * @mm: the address space; lock held for write
 * @first: the first VMA ending above @start, or NULL
 *	(asp_vma_find_next(), since the last change of the set)
 * @start: first byte of the range
 * @end: one past its last byte
 * @at_start: split a VMA that straddles @start
 * @at_end: split a VMA that straddles @end
 * @c: out: the splits made, for asp_uncarve(), and the first VMA ending
 *	above @start after them
 *
 * Return: 0, or -ENOMEM with nothing changed.
 */
int asp_carve_from(struct asp_mm *mm, struct asp_vma *first,
		   unsigned long start, unsigned long end, bool at_start,
		   bool at_end, struct asp_carve *c)
{
	struct asp_vma *lower = NULL, *upper = NULL;
	int ret;

	lockdep_assert_held_write(&mm->lock);
	if (at_start && first && first->start < start)
		lower = first;
	if (at_end)
		upper = asp_straddler(mm, first, end);
	ret = asp_carve_vmas(mm, lower, start, upper, end, c);
	c->first = c->lower_new ?: first;
	return ret;
}

/**
 * asp_carve() - split the VMAs that straddle the edges of a range
 * @mm: the address space; lock held for write
 * @start: first byte of the range
 * @end: one past its last byte
 * @at_start: split a VMA that straddles @start
 * @at_end: split a VMA that straddles @end
 * @c: out: the splits made, for asp_uncarve()
 *
 * Afterwards every VMA meeting [@start, @end) lies wholly inside it (at
 * the edges asked for).  The VMA limit is the caller's to check.
 *
 * Return: 0, or -ENOMEM with nothing changed.
 */
int asp_carve(struct asp_mm *mm, unsigned long start, unsigned long end,
	      bool at_start, bool at_end, struct asp_carve *c)
{
	return asp_carve_from(mm, asp_vma_find_next(&mm->vmas, start), start,
			      end, at_start, at_end, c);
}

/**
 * asp_drop_vmas() - take detached VMAs out of the counters and free them
 * @mm: the address space; lock held for write
 * @detached: VMAs asp_vma_replace() took out of the tree
 */
void asp_drop_vmas(struct asp_mm *mm, struct list_head *detached)
{
	struct asp_vma *vma;

	lockdep_assert_held_write(&mm->lock);
	list_for_each_entry(vma, detached, list) {
		asp_mm_account(mm, vma->flags,
			       -(long)((vma->end - vma->start) >> PAGE_SHIFT));
		cond_resched();
	}
	asp_vma_free_list(detached);
}

/**
 * asp_unmap_would_split_over() - would unmapping a range pass the limit?
 * @mm: the address space; lock held
 * @first: the first VMA ending above @start, or NULL
 *	(asp_vma_find_next())
 * @start: first byte of the range
 * @end: one past its last byte
 *
 * Linux's munmap refuses to split one VMA in three when the address
 * space already has max_map_count VMAs.
 *
 * Return: true if unmapping [@start, @end) must fail with -ENOMEM.
 */
bool asp_unmap_would_split_over(struct asp_mm *mm, struct asp_vma *first,
				unsigned long start, unsigned long end)
{
	lockdep_assert_held(&mm->lock);
	return first && first->start < start && end < first->end &&
	       mm->vmas.count >= mm->limits.max_map_count;
}

/**
 * asp_do_munmap() - remove a range from the address space
 * @mm: the address space; lock held for write
 * @start: first byte, page aligned
 * @end: one past the last byte, page aligned, within the task size
 *
 * Return: 0 (also if nothing was mapped), or -ENOMEM with nothing changed.
 */
int asp_do_munmap(struct asp_mm *mm, unsigned long start, unsigned long end)
{
	struct asp_vma_pos pos;
	struct asp_vma *first = asp_vma_find_next_pos(&mm->vmas, start, &pos);
	struct asp_carve c;
	LIST_HEAD(detached);
	int ret;

	lockdep_assert_held_write(&mm->lock);
	if (!first || first->start >= end)
		return 0;
	if (asp_unmap_would_split_over(mm, first, start, end))
		return -ENOMEM;
	ret = asp_carve_from(mm, first, start, end, true, true, &c);
	if (ret)
		return ret;
	/* A split changed the set since the lookup: no position then. */
	ret = asp_vma_replace_from(&mm->vmas, start, end, c.first, NULL, false,
				   c.lower || c.upper ? NULL : &pos,
				   &detached);
	if (ret) {
		asp_uncarve(mm, &c);
		return ret;
	}
	asp_drop_vmas(mm, &detached);
	asp_pt_unmap(&mm->pt, start, end, asp_mm_release_page, mm);
	return 0;
}

/*
 * The VMA containing @start - 1, after asp_carve_from() at @start.  When
 * it was not split there, it is looked up, and @pos gets where that
 * lookup left off; else @pos is NULL.
 */
static struct asp_vma *asp_carve_prev(struct asp_mm *mm,
				      const struct asp_carve *c,
				      unsigned long start,
				      struct asp_vma_pos **pos)
{
	if (c->lower) {
		*pos = NULL;
		return c->lower;
	}
	return asp_vma_find_pos(&mm->vmas, start - 1, *pos);
}

/*
 * The VMA containing @end, or else one that does not start at @end (or
 * NULL), after asp_carve_from() at @end: a lookup only when the range
 * met a VMA that was not split at @end.
 */
static struct asp_vma *asp_carve_next(struct asp_mm *mm,
				      const struct asp_carve *c,
				      unsigned long end)
{
	if (c->upper)
		return c->upper_new;
	if (!c->first || c->first->start >= end)
		return c->first;
	return asp_vma_find(&mm->vmas, end);
}

/**
 * asp_map_range() - make a new VMA cover a range, merging if it may
 * @mm: the address space; lock held for write
 * @start: first byte of the range
 * @end: one past its last byte
 * @new: a VMA for the range, in no set; used, or freed if merged away
 * @c: what asp_carve_from() did at the edges of the range, just before
 * @detached: out: the VMAs that were inside the range
 * @err: out: the errno when NULL is returned
 *
 * The VMAs at the edges must have been split (asp_carve_from()).  The range
 * joins the VMA before it and/or after it when they may merge, as Linux's
 * vma_merge() does.
 *
 * Return: the VMA now covering the range, or NULL with nothing changed
 * (then @new is still the caller's).
 */
struct asp_vma *asp_map_range(struct asp_mm *mm, unsigned long start,
			      unsigned long end, struct asp_vma *new,
			      const struct asp_carve *c,
			      struct list_head *detached, int *err)
{
	struct asp_vma_pos pos, *posp = &pos;
	struct asp_vma *prev = asp_carve_prev(mm, c, start, &posp);
	struct asp_vma *next = asp_carve_next(mm, c, end);
	struct asp_vma *keep = new;
	unsigned long store_end = end;

	lockdep_assert_held_write(&mm->lock);
	if (prev && (prev->end != start || !asp_vma_can_merge(prev, new)))
		prev = NULL;
	if (next && (next->start != end || !asp_vma_can_merge(new, next)))
		next = NULL;
	/*
	 * When both could merge but their anonymous memory differs, the
	 * range joins prev, as vma_merge() and Linux 6.12's
	 * vma_merge_new_range() do (6.1's mmap_region() joins next).
	 */
	if (prev && next && prev->anon && next->anon && prev->anon != next->anon)
		next = NULL;
	if (prev) {
		keep = prev;
		if (next)
			store_end = next->end;
	} else if (next) {
		keep = next;
	}
	*err = asp_vma_replace_from(&mm->vmas, start, store_end, c->first, keep,
				    keep == new, posp, detached);
	if (*err)
		return NULL;
	if (keep == prev) {
		if (next)
			list_del(&next->list);	/* merged, not unmapped */
		prev->end = store_end;
		if (!prev->anon && next)
			prev->anon = next->anon;
		asp_vma_free(next);
	} else if (keep == next) {
		next->start = start;
	}
	if (keep != new)
		asp_vma_free(new);
	return keep;
}

/**
 * asp_vma_merge_around() - merge a changed VMA with its neighbours
 * @mm: the address space; lock held for write
 * @vma: the VMA whose flags just changed
 *
 * Linux's vma_merge() for a VMA that mprotect_fixup() or
 * madvise_update_vma() changed: join the VMA before it, then the one
 * after it, where they may merge.  Best effort (see asp_vma_merge_next()).
 *
 * Return: the VMA that now covers @vma's range.
 */
struct asp_vma *asp_vma_merge_around(struct asp_mm *mm, struct asp_vma *vma)
{
	struct asp_vma *prev = asp_vma_find_prev(&mm->vmas, vma->start);

	lockdep_assert_held_write(&mm->lock);
	if (prev && prev->end == vma->start &&
	    asp_vma_merge_next(&mm->vmas, prev))
		vma = prev;
	asp_vma_merge_next(&mm->vmas, vma);
	return vma;
}
