// SPDX-License-Identifier: GPL-2.0
/*
 * The VMA set: a maple tree of struct asp_vma with gap tracking.
 *
 * Changes that may fail are single tree stores: mas_store_gfp() either
 * stores or fails with the tree untouched.  A change made of several
 * stores does its splits first and the one store that makes it visible
 * last; if that last store fails, the splits are undone with
 * asp_vma_unsplit(), whose store overwrites exactly one existing slot and
 * so never allocates.  That is what makes every operation all-or-nothing.
 */
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "mem.h"
#include "shm.h"
#include "vma.h"

static struct kmem_cache *asp_vma_cachep;

/* The address-space lock, which the tree uses as its external lock. */
static void asp_vmas_assert_held(struct asp_vmas *vs)
{
	lockdep_assert_held(vs->lock);
}

static atomic64_t asp_next_id = ATOMIC64_INIT(0);

/**
 * asp_anon_id_new() - a new identity for anonymous memory or an object
 *
 * Return: a number never returned before (never 0).  Any context.
 */
u64 asp_anon_id_new(void)
{
	return atomic64_inc_return(&asp_next_id);
}

/**
 * asp_vma_cache_init() - create the slab cache for VMAs
 *
 * Return: 0 or -ENOMEM.
 */
int asp_vma_cache_init(void)
{
	asp_vma_cachep = KMEM_CACHE(asp_vma, SLAB_ACCOUNT);
	return asp_vma_cachep ? 0 : -ENOMEM;
}

/**
 * asp_vma_cache_exit() - destroy the slab cache for VMAs
 */
void asp_vma_cache_exit(void)
{
	kmem_cache_destroy(asp_vma_cachep);
}

/**
 * asp_vmas_init() - initialise an empty VMA set
 * @vs: the set
 * @lock: the address-space lock that guards it
 */
void asp_vmas_init(struct asp_vmas *vs, struct rw_semaphore *lock)
{
	mt_init_flags(&vs->mt, MT_FLAGS_ALLOC_RANGE | MT_FLAGS_LOCK_EXTERN);
	mt_set_external_lock(&vs->mt, lock);
	vs->lock = lock;
	vs->count = 0;
}

/**
 * asp_vmas_destroy() - free every VMA and the tree
 * @vs: the set; the caller holds the lock for write (or is the only user)
 *
 * Reschedules between VMAs, as Linux's exit_mmap() does.  May sleep.
 */
void asp_vmas_destroy(struct asp_vmas *vs)
{
	struct asp_vma *vma, *next;

	asp_vmas_assert_held(vs);
	for (vma = asp_vma_find_next(vs, 0); vma; vma = next) {
		next = asp_vma_next(vs, vma);
		asp_vma_free(vma);
		cond_resched();
	}
	__mt_destroy(&vs->mt);
	vs->count = 0;
}

/**
 * asp_vma_alloc() - allocate a VMA
 * @start: first byte
 * @end: one past the last byte
 * @flags: ASP_VM_*
 *
 * Return: the VMA, not yet in any set, or NULL.  May sleep.
 */
struct asp_vma *asp_vma_alloc(unsigned long start, unsigned long end,
			      unsigned long flags)
{
	struct asp_vma *vma;

	if (asp_should_fail_alloc())
		return NULL;
	vma = kmem_cache_zalloc(asp_vma_cachep, GFP_KERNEL_ACCOUNT);
	if (!vma)
		return NULL;
	atomic_long_inc(&asp_nr_vmas);
	vma->start = start;
	vma->end = end;
	vma->flags = flags;
	INIT_LIST_HEAD(&vma->list);
	return vma;
}

/**
 * asp_vma_dup() - allocate a copy of a VMA
 * @vma: the VMA to copy
 *
 * Return: the copy, not in any set, or NULL.  May sleep.
 */
struct asp_vma *asp_vma_dup(const struct asp_vma *vma)
{
	struct asp_vma *new;

	new = asp_vma_alloc(vma->start, vma->end, vma->flags);
	if (new) {
		new->pgoff = vma->pgoff;
		new->obj = vma->obj;
		new->shm = vma->shm;
		if (new->shm)
			asp_shm_get(new->shm);
		new->anon = vma->anon;
	}
	return new;
}

/**
 * asp_vma_free() - free a VMA that is in no set
 * @vma: the VMA, or NULL
 *
 * Drops the VMA's reference on its shared object, which frees the
 * object's pages if it was the last.  May sleep.
 */
void asp_vma_free(struct asp_vma *vma)
{
	if (!vma)
		return;
	if (vma->shm)
		asp_shm_put(vma->shm);
	atomic_long_dec(&asp_nr_vmas);
	kmem_cache_free(asp_vma_cachep, vma);
}

/**
 * asp_vma_free_list() - free every VMA on a list
 * @head: VMAs linked by ->list, in no set
 *
 * Reschedules between VMAs: a list may hold millions.  May sleep.
 */
void asp_vma_free_list(struct list_head *head)
{
	struct asp_vma *vma, *tmp;

	list_for_each_entry_safe(vma, tmp, head, list) {
		list_del(&vma->list);
		asp_vma_free(vma);
		cond_resched();
	}
}

/**
 * asp_vma_find() - the VMA containing an address
 * @vs: the set; lock held for read
 * @addr: the address
 *
 * Return: the VMA, or NULL if @addr is in a hole.
 */
struct asp_vma *asp_vma_find(struct asp_vmas *vs, unsigned long addr)
{
	asp_vmas_assert_held(vs);
	return mtree_load(&vs->mt, addr);
}

/**
 * asp_vma_find_next() - the first VMA that ends above an address
 * @vs: the set; lock held for read
 * @addr: the address
 *
 * Return: the VMA containing @addr or else the first one after it; NULL
 * if there is none (Linux's find_vma()).
 */
struct asp_vma *asp_vma_find_next(struct asp_vmas *vs, unsigned long addr)
{
	unsigned long index = addr;

	asp_vmas_assert_held(vs);
	return mt_find(&vs->mt, &index, ULONG_MAX);
}

/* A position before any walk, at @addr (mas_init() of Linux 6.12). */
static void asp_vma_pos_init(struct asp_vmas *vs, struct asp_vma_pos *pos,
			     unsigned long addr)
{
	MA_STATE(mas, &vs->mt, addr, addr);

	pos->mas = mas;
}

/**
 * asp_vma_find_pos() - asp_vma_find(), keeping the position
 * @vs: the set; lock held for read
 * @addr: the address
 * @pos: out: where the lookup left off, for a store at @addr
 *
 * Return: the VMA containing @addr, or NULL if @addr is in a hole.
 */
struct asp_vma *asp_vma_find_pos(struct asp_vmas *vs, unsigned long addr,
				 struct asp_vma_pos *pos)
{
	asp_vmas_assert_held(vs);
	asp_vma_pos_init(vs, pos, addr);
	return mas_walk(&pos->mas);
}

/**
 * asp_vma_find_next_pos() - asp_vma_find_next(), keeping the position
 * @vs: the set; lock held for read
 * @addr: the address
 * @pos: out: where the lookup left off, for a store at the start of the
 *	VMA returned (only if one is)
 *
 * Return: the VMA containing @addr or else the first one after it; NULL
 * if there is none.
 */
struct asp_vma *asp_vma_find_next_pos(struct asp_vmas *vs, unsigned long addr,
				      struct asp_vma_pos *pos)
{
	asp_vmas_assert_held(vs);
	asp_vma_pos_init(vs, pos, addr);
	return mas_find(&pos->mas, ULONG_MAX);
}

/**
 * asp_vma_find_prev() - the last VMA that starts below an address
 * @vs: the set; lock held for read
 * @addr: the address
 *
 * Return: the VMA containing @addr - 1 or else the last one before it;
 * NULL if there is none.
 */
struct asp_vma *asp_vma_find_prev(struct asp_vmas *vs, unsigned long addr)
{
	MA_STATE(mas, &vs->mt, addr - 1, addr - 1);

	asp_vmas_assert_held(vs);
	if (!addr)
		return NULL;
	return mas_find_rev(&mas, 0);
}

/**
 * asp_vma_next() - the VMA after a VMA
 * @vs: the set; lock held for read
 * @vma: a VMA of the set
 *
 * Return: the next VMA, or NULL.
 */
struct asp_vma *asp_vma_next(struct asp_vmas *vs, struct asp_vma *vma)
{
	asp_vmas_assert_held(vs);
	return asp_vma_find_next(vs, vma->end);
}

/**
 * asp_vma_overlaps() - does any VMA intersect a range?
 * @vs: the set; lock held for read
 * @start: first byte
 * @end: one past the last byte (above @start)
 *
 * Return: true if a VMA covers a byte of [@start, @end).
 */
bool asp_vma_overlaps(struct asp_vmas *vs, unsigned long start,
		      unsigned long end)
{
	unsigned long index = start;

	asp_vmas_assert_held(vs);
	return mt_find(&vs->mt, &index, end - 1);
}

/**
 * asp_vma_can_merge() - may two VMAs become one?
 * @left: the lower VMA
 * @right: the upper VMA
 *
 * Return: true if @left ends where @right starts and they have the same
 * flags, the same backing object at contiguous offsets (shared), and
 * compatible anonymous memory (private), as Linux's vma_merge() asks.
 */
bool asp_vma_can_merge(const struct asp_vma *left, const struct asp_vma *right)
{
	if (left->end != right->start || left->flags != right->flags)
		return false;
	if (left->flags & ASP_VM_SHARED)
		return left->obj == right->obj &&
		       left->pgoff + ((left->end - left->start) >> PAGE_SHIFT) ==
		       right->pgoff;
	return !left->anon || !right->anon || left->anon == right->anon;
}

static int asp_vma_store(struct asp_vmas *vs, unsigned long start,
			 unsigned long end, struct asp_vma *entry)
{
	MA_STATE(mas, &vs->mt, start, end - 1);

	if (asp_should_fail_alloc())
		return -ENOMEM;
	return mas_store_gfp(&mas, entry, GFP_KERNEL_ACCOUNT);
}

/*
 * asp_vma_store() from @pos, where a lookup left off with the set
 * unchanged since: the walk from the root is saved if the slot it found
 * holds @start (the test of Linux 6.12's vma_iter_store()); else, or with
 * no @pos, from the root.
 */
static int asp_vma_store_at(struct asp_vmas *vs, struct asp_vma_pos *pos,
			    unsigned long start, unsigned long end,
			    struct asp_vma *entry)
{
	struct ma_state *mas = pos ? &pos->mas : NULL;

	if (!mas || start < mas->index || start > mas->last)
		return asp_vma_store(vs, start, end, entry);
	if (asp_should_fail_alloc())
		return -ENOMEM;
	/* Linux 6.12's __mas_set_range(): the range, not the position. */
	mas->index = start;
	mas->last = end - 1;
	return mas_store_gfp(mas, entry, GFP_KERNEL_ACCOUNT);
}

/**
 * asp_vma_insert() - add a VMA over a free range
 * @vs: the set; lock held for write
 * @vma: the VMA, in no set
 *
 * Does not check the VMA count limit: the caller does, with the rule of
 * the system call it mirrors.
 *
 * Return: 0; -EEXIST if the range is not free; -ENOMEM.  The set is
 * unchanged on error.
 */
int asp_vma_insert(struct asp_vmas *vs, struct asp_vma *vma)
{
	int ret;

	asp_vmas_assert_held(vs);
	if (asp_vma_overlaps(vs, vma->start, vma->end))
		return -EEXIST;
	ret = asp_vma_store(vs, vma->start, vma->end, vma);
	if (!ret)
		vs->count++;
	return ret;
}

/**
 * asp_vma_split() - split a VMA in two at an address
 * @vs: the set; lock held for write
 * @vma: the VMA; keeps [start, @addr)
 * @addr: page-aligned, strictly inside @vma
 * @upper: out: the new VMA for [@addr, end)
 *
 * Return: 0, or -ENOMEM with the set unchanged.
 */
int asp_vma_split(struct asp_vmas *vs, struct asp_vma *vma,
		  unsigned long addr, struct asp_vma **upper)
{
	struct asp_vma *new;
	int ret;

	asp_vmas_assert_held(vs);
	new = asp_vma_dup(vma);
	if (!new)
		return -ENOMEM;
	new->start = addr;
	if (new->flags & ASP_VM_SHARED)
		new->pgoff += (addr - vma->start) >> PAGE_SHIFT;
	ret = asp_vma_store(vs, addr, vma->end, new);
	if (ret) {
		asp_vma_free(new);
		return ret;
	}
	vma->end = addr;
	vs->count++;
	*upper = new;
	return 0;
}

/**
 * asp_vma_unsplit() - undo asp_vma_split()
 * @vs: the set; lock held for write
 * @vma: the lower VMA the split kept
 * @upper: the VMA the split made, unchanged since; freed here
 *
 * Cannot fail: @upper's range is rewritten one tree slot at a time, and
 * overwriting exactly one existing slot is done in place by the maple
 * tree, with no allocation.  @vma then spans several slots.
 */
void asp_vma_unsplit(struct asp_vmas *vs, struct asp_vma *vma,
		     struct asp_vma *upper)
{
	unsigned long index = upper->start;

	asp_vmas_assert_held(vs);
	while (index < upper->end) {
		MA_STATE(mas, &vs->mt, index, index);

		mas_walk(&mas);
		mas_store(&mas, vma);
		index = mas.last + 1;
	}
	vma->end = upper->end;
	vs->count--;
	asp_vma_free(upper);
}

/* The VMAs of the set inside [start, end), from @first, onto @inside. */
static unsigned long asp_vma_collect(struct asp_vmas *vs, struct asp_vma *first,
				     unsigned long end, struct list_head *inside)
{
	struct asp_vma *cur = first;
	unsigned long n = 0;

	while (cur && cur->start < end) {
		list_add_tail(&cur->list, inside);
		n++;
		cond_resched();
		/* The next VMA starts at or above cur->end. */
		cur = cur->end < end ? asp_vma_next(vs, cur) : NULL;
	}
	return n;
}

/**
 * asp_vma_replace_from() - asp_vma_replace() with what the caller knows
 * @vs: the set; lock held for write
 * @start: first byte of the range
 * @end: one past its last byte
 * @first: the first VMA of the set that ends above @start, or NULL (what
 *	asp_vma_find_next() returns for @start; the caller looked it up
 *	since the last change of the set)
 * @vma: as for asp_vma_replace()
 * @is_new: @vma is a new VMA, not one of the set
 * @pos: where a lookup left off, the set unchanged since; or NULL
 * @detached: as for asp_vma_replace()
 *
 * Saves asp_vma_replace()'s lookups of what its caller found already.
 *
 * Return: 0, or -ENOMEM with the set unchanged.
 */
int asp_vma_replace_from(struct asp_vmas *vs, unsigned long start,
			 unsigned long end, struct asp_vma *first,
			 struct asp_vma *vma, bool is_new,
			 struct asp_vma_pos *pos, struct list_head *detached)
{
	struct asp_vma *cur, *tmp;
	unsigned long gone;
	LIST_HEAD(inside);
	int ret;

	asp_vmas_assert_held(vs);
	gone = asp_vma_collect(vs, first, end, &inside);
	ret = asp_vma_store_at(vs, pos, start, end, vma);
	if (ret) {
		list_for_each_entry_safe(cur, tmp, &inside, list)
			list_del_init(&cur->list);
		return ret;
	}
	list_splice_tail(&inside, detached);
	vs->count = vs->count - gone + (vma && is_new);
	return 0;
}

/**
 * asp_vma_replace() - make one VMA (or a hole) cover a range
 * @vs: the set; lock held for write
 * @start: first byte of the range
 * @end: one past its last byte
 * @vma: what covers the range afterwards: a new VMA, a VMA of the set
 *	adjacent to the range (which the caller then extends over it), or
 *	NULL for a hole
 * @detached: out: the VMAs of the set inside the range (other than
 *	@vma), taken out of the tree; the caller frees them
 *
 * Every VMA that intersects [@start, @end) must lie wholly inside it: the
 * caller splits at the edges first.  @vma's own ->start and ->end are left
 * for the caller to set.
 *
 * Return: 0, or -ENOMEM with the set unchanged.
 */
int asp_vma_replace(struct asp_vmas *vs, unsigned long start,
		    unsigned long end, struct asp_vma *vma,
		    struct list_head *detached)
{
	bool is_new = false;

	asp_vmas_assert_held(vs);
	if (vma)
		is_new = asp_vma_find(vs, start ? start - 1 : 0) != vma &&
			 asp_vma_find(vs, end) != vma;
	return asp_vma_replace_from(vs, start, end,
				    asp_vma_find_next(vs, start), vma, is_new,
				    NULL, detached);
}

/**
 * asp_vma_merge() - merge two neighbouring VMAs, if they may
 * @vs: the set; lock held for write
 * @vma: the lower VMA; grows over @next, which is freed
 * @next: the VMA after @vma in the set, or NULL
 *
 * Best effort: if the tree cannot get the memory to store the merged
 * range, both VMAs stay as they are, which is still a correct set.
 *
 * Return: true if the two were merged.
 */
bool asp_vma_merge(struct asp_vmas *vs, struct asp_vma *vma,
		   struct asp_vma *next)
{
	asp_vmas_assert_held(vs);
	if (!next || !asp_vma_can_merge(vma, next))
		return false;
	if (asp_vma_store(vs, vma->start, next->end, vma))
		return false;
	vma->end = next->end;
	if (!vma->anon)
		vma->anon = next->anon;
	vs->count--;
	asp_vma_free(next);
	return true;
}

/**
 * asp_vma_merge_next() - merge a VMA with the one after it, if they may
 * @vs: the set; lock held for write
 * @vma: the lower VMA; grows over the next one, which is freed
 *
 * Best effort: if the tree cannot get the memory to store the merged
 * range, both VMAs stay as they are, which is still a correct set.
 *
 * Return: true if the two were merged.
 */
bool asp_vma_merge_next(struct asp_vmas *vs, struct asp_vma *vma)
{
	return asp_vma_merge(vs, vma, asp_vma_next(vs, vma));
}

/*
 * A gap may not end inside the guard gap below a stack.  @next gets the
 * first VMA ending above @gap_end.
 */
static bool asp_vma_area_hits_guard(struct asp_vmas *vs,
				    const struct asp_vma_search *s,
				    unsigned long gap_end,
				    unsigned long *next_start_gap,
				    struct asp_vma **next)
{
	*next = asp_vma_find_next(vs, gap_end);
	if (!*next || !((*next)->flags & ASP_VM_GROWSDOWN))
		return false;
	*next_start_gap = asp_vma_start_gap(*next, s->guard_gap);
	return *next_start_gap < gap_end;
}

static int asp_vma_find_area_topdown(struct asp_vmas *vs,
				     const struct asp_vma_search *s,
				     unsigned long length, unsigned long *addr,
				     struct asp_vma **next)
{
	MA_STATE(mas, &vs->mt, 0, 0);
	unsigned long high = s->high, gap, gap_start;

	for (;;) {
		if (high <= s->low || high - s->low < length ||
		    mas_empty_area_rev(&mas, s->low, high - 1, length))
			return -ENOMEM;
		gap = mas.last + 1 - s->length;
		gap -= gap & s->align_mask;
		if (!asp_vma_area_hits_guard(vs, s, mas.last + 1, &gap_start,
					     next))
			break;
		high = gap_start;
		mas_reset(&mas);
	}
	*addr = gap;
	return 0;
}

static int asp_vma_find_area_bottomup(struct asp_vmas *vs,
				      const struct asp_vma_search *s,
				      unsigned long length, unsigned long *addr,
				      struct asp_vma **next)
{
	MA_STATE(mas, &vs->mt, 0, 0);
	unsigned long low = s->low, gap, gap_start;

	for (;;) {
		if (s->high <= low || s->high - low < length ||
		    mas_empty_area(&mas, low, s->high - 1, length))
			return -ENOMEM;
		gap = mas.index;
		gap += -gap & s->align_mask;
		if (!asp_vma_area_hits_guard(vs, s, gap + s->length,
					     &gap_start, next))
			break;
		low = (*next)->end;
		mas_reset(&mas);
	}
	*addr = gap;
	return 0;
}

/**
 * asp_vma_find_area_next() - find a free range, and the VMA after it
 * @vs: the set; lock held for read
 * @s: what to look for
 * @addr: out: the start of the range found
 * @next: out: the first VMA that ends above @addr, or NULL (what
 *	asp_vma_find_next() would return for @addr), when 0 is returned
 *
 * As asp_vma_find_area(), which looks that VMA up already.
 *
 * Return: 0, or -ENOMEM if no free range fits.
 */
int asp_vma_find_area_next(struct asp_vmas *vs, const struct asp_vma_search *s,
			   unsigned long *addr, struct asp_vma **next)
{
	unsigned long length = s->length + s->align_mask;

	asp_vmas_assert_held(vs);
	if (!s->length || length < s->length)
		return -ENOMEM;
	if (s->topdown)
		return asp_vma_find_area_topdown(vs, s, length, addr, next);
	return asp_vma_find_area_bottomup(vs, s, length, addr, next);
}

/**
 * asp_vma_find_area() - find a free range
 * @vs: the set; lock held for read
 * @s: what to look for
 * @addr: out: the start of the range found
 *
 * The search mirrors Linux's unmapped_area() and unmapped_area_topdown():
 * O(log n) in the tree's gap index, plus a retry when the range found
 * would end inside a stack's guard gap.
 *
 * The window [low, high) is checked for room here: the maple tree of
 * Linux 6.1 does not check it when the tree is empty, and
 * mas_empty_area_rev() does not when one gap spans the whole window (both
 * then return a range that does not fit in it).
 *
 * Return: 0, or -ENOMEM if no free range fits.
 */
int asp_vma_find_area(struct asp_vmas *vs, const struct asp_vma_search *s,
		      unsigned long *addr)
{
	struct asp_vma *next;

	return asp_vma_find_area_next(vs, s, addr, &next);
}
