// SPDX-License-Identifier: GPL-2.0
/*
 * The x86_64 page-table hierarchy of one address space.
 *
 * Tables are pages from asp_table_page_alloc(), counted in the page-table
 * bytes of the hierarchy's owner, if it has one; an entry that points to a
 * table holds the table's frame with ASP_PTE_TABLE, a leaf entry holds the
 * frame of a data page and its flags.  page_private() of every table is
 * the number of its non-zero entries; a non-root table whose count drops
 * to zero is freed at once.  Only asp_pt_prepare() leaves empty tables
 * behind, for the caller to fill; asp_pt_unmap() frees those too.
 *
 * A leaf is mapped if it has ASP_PTE_P (present) or ASP_PTE_PROTNONE (a
 * PROT_NONE page: kept, but the CPU may not access it) set; a mapped leaf
 * holds the frame of a data page and a reference on it.  Only mapped
 * entries are ever stored, and whoever changes an entry in place keeps it
 * mapped and keeps its frame; so every non-zero leaf is a mapped one, and
 * unmap, destroy and walk handle every non-zero leaf.  asp_pt_lookup()
 * reports a translation only for a present one.
 *
 * Every range operation recurses from the root and steps over one whole
 * entry of a level at a time, so absent subtrees cost one test each.
 *
 * Locking: the caller holds the address space's lock: the write side
 * for every change, the read side for asp_pt_lookup(), for walks that
 * change no entry and for asp_pt_leaf_alloc().  asp_pt_leaf_alloc() links
 * the tables it makes under the page-table lock (@pt->lock), with the
 * table zeroed before the entry that links it is visible, so lock-free
 * walkers under the read side see either no table or an empty one; faults
 * change leaves under the same lock.  Tables are freed only under the
 * write side.
 */
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "mem.h"
#include "pgtable.h"

#define ASP_PT_INDEX_BITS	9
/* A leaf with one of these holds a page. */
#define ASP_PT_MAPPED		(ASP_PTE_P | ASP_PTE_PROTNONE)

/* log2 of the bytes one entry of @level maps. */
static unsigned int asp_pt_shift(unsigned int level)
{
	return PAGE_SHIFT + level * ASP_PT_INDEX_BITS;
}

static unsigned int asp_pt_index(unsigned long addr, unsigned int level)
{
	return (addr >> asp_pt_shift(level)) & (ASP_PT_ENTRIES - 1);
}

/*
 * End of the step from @addr at @level: the next boundary of an entry of
 * @level, or @end if that comes first.  Addresses are below 2^56 and an
 * entry maps at most 2^48 bytes, so the sum cannot wrap.
 */
static unsigned long asp_pt_next(unsigned long addr, unsigned long end,
				 unsigned int level)
{
	unsigned long size = 1UL << asp_pt_shift(level);
	unsigned long next = (addr + size) & ~(size - 1);

	return next < end ? next : end;
}

static u64 *asp_pt_table(struct page *table)
{
	return page_address(table);
}

static struct page *asp_pt_child(u64 entry)
{
	return pfn_to_page((entry & ASP_PTE_PFN_MASK) >> PAGE_SHIFT);
}

static u64 asp_pt_table_entry(struct page *table)
{
	return ((u64)page_to_pfn(table) << PAGE_SHIFT) | ASP_PTE_TABLE;
}

static void asp_pt_count_inc(struct page *table)
{
	set_page_private(table, page_private(table) + 1);
}

static void asp_pt_count_dec(struct page *table)
{
	set_page_private(table, page_private(table) - 1);
}

/* The entry of @level that points to the table of level @level - 1. */
static bool asp_pt_entry_is_table(u64 entry, unsigned int level)
{
	return level > 0 && (entry & ASP_PTE_P) && !(entry & ASP_PTE_PS);
}

/**
 * asp_pt_init() - create an empty hierarchy
 * @pt: the hierarchy to set up
 * @levels: 4 (47-bit user half) or 5 (56-bit)
 *
 * Allocates the root table.  On failure @pt is left zeroed and needs no
 * asp_pt_destroy().  May sleep.
 *
 * Return: 0, -EINVAL for any other @levels, or -ENOMEM.
 */
int asp_pt_init(struct asp_pgtable *pt, unsigned int levels)
{
	memset(pt, 0, sizeof(*pt));
	if (levels != 4 && levels != 5)
		return -EINVAL;
	pt->root = asp_table_page_alloc(NULL);
	if (!pt->root)
		return -ENOMEM;
	pt->levels = levels;
	pt->nr_tables[levels - 1] = 1;
	spin_lock_init(&pt->lock);
	return 0;
}

/**
 * asp_pt_set_owner() - choose the mm whose page-table bytes count the tables
 * @pt: the hierarchy, from a successful asp_pt_init()
 * @owner: the mm (the caller keeps it from being freed while @pt lives), or
 *	NULL for none
 *
 * Moves the count of the tables @pt has from its previous owner to
 * @owner; tables made or freed later count in @owner (see
 * asp_owner_tables_add()).  A new hierarchy has no owner.
 *
 * Context: nobody else uses @pt, or the caller holds the address space's
 * lock for writing.
 */
void asp_pt_set_owner(struct asp_pgtable *pt, struct mm_struct *owner)
{
	long tables = 0;
	unsigned int i;

	for (i = 0; i < ASP_PT_MAX_LEVELS; i++)
		tables += pt->nr_tables[i];
	asp_owner_tables_add(pt->owner, -tables);
	pt->owner = owner;
	asp_owner_tables_add(owner, tables);
}

/**
 * asp_pt_task_size() - one past the last user address of a hierarchy
 * @pt: the hierarchy
 *
 * Return: ASP_TASK_SIZE_4L or ASP_TASK_SIZE_5L.  No locking needed: the
 * number of levels never changes.
 */
unsigned long asp_pt_task_size(const struct asp_pgtable *pt)
{
	return pt->levels == 5 ? ASP_TASK_SIZE_5L : ASP_TASK_SIZE_4L;
}

/**
 * asp_pt_check_range() - is [@start, @end) a valid user range?
 * @pt: the hierarchy
 * @start: first address
 * @end: one past the last address
 *
 * Valid means both ends page aligned, @start < @end (not empty, does not
 * wrap) and @end <= asp_pt_task_size(), which also rules out the kernel
 * half and non-canonical addresses.  No locking needed.
 *
 * Return: 0 or -EINVAL.
 */
int asp_pt_check_range(const struct asp_pgtable *pt, unsigned long start,
		       unsigned long end)
{
	if (!PAGE_ALIGNED(start) || !PAGE_ALIGNED(end))
		return -EINVAL;
	if (start >= end || end > asp_pt_task_size(pt))
		return -EINVAL;
	return 0;
}

/*
 * Tables of levels @level down to 0 it takes to cover [@start, @end) when
 * none of them exists yet; the range lies within one entry of @level + 1.
 */
static unsigned long asp_pt_tables_needed(unsigned int level,
					  unsigned long start,
					  unsigned long end)
{
	unsigned long nr = 0;
	unsigned int shift;
	int l;

	for (l = level; l >= 0; l--) {
		shift = asp_pt_shift(l + 1);
		nr += ((end - 1) >> shift) - (start >> shift) + 1;
	}
	return nr;
}

/* Tables missing below @table (of @level >= 1) for [@start, @end). */
static unsigned long asp_pt_count_missing(struct page *table,
					  unsigned int level,
					  unsigned long start,
					  unsigned long end)
{
	u64 *tbl = asp_pt_table(table);
	unsigned long addr, next, nr = 0;
	u64 entry;

	for (addr = start; addr < end; addr = next) {
		next = asp_pt_next(addr, end, level);
		entry = tbl[asp_pt_index(addr, level)];
		if (!entry)
			nr += asp_pt_tables_needed(level - 1, addr, next);
		else if (level > 1 && asp_pt_entry_is_table(entry, level))
			nr += asp_pt_count_missing(asp_pt_child(entry),
						   level - 1, addr, next);
	}
	return nr;
}

/* Install tables from @pool wherever [@start, @end) lacks one. */
static void asp_pt_fill(struct asp_pgtable *pt, struct page *table,
			unsigned int level, unsigned long start,
			unsigned long end, struct list_head *pool)
{
	u64 *tbl = asp_pt_table(table);
	unsigned long addr, next;
	struct page *child;
	u64 *entry;

	for (addr = start; addr < end; addr = next) {
		next = asp_pt_next(addr, end, level);
		entry = &tbl[asp_pt_index(addr, level)];
		if (!*entry) {
			child = list_first_entry(pool, struct page, lru);
			list_del_init(&child->lru);
			*entry = asp_pt_table_entry(child);
			asp_pt_count_inc(table);
			pt->nr_tables[level - 1]++;
		} else if (!asp_pt_entry_is_table(*entry, level)) {
			continue;
		}
		if (level > 1)
			asp_pt_fill(pt, asp_pt_child(*entry), level - 1, addr,
				    next, pool);
	}
}

static void asp_pt_free_pool(struct asp_pgtable *pt, struct list_head *pool)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, pool, lru) {
		list_del_init(&page->lru);
		asp_table_page_free(page, pt->owner);
	}
}

/**
 * asp_pt_prepare() - make every page table covering a range exist
 * @pt: the hierarchy
 * @start: first address, page aligned
 * @end: one past the last address, page aligned
 *
 * Afterwards asp_pt_leaf() finds a slot for every page of the range, and
 * filling them cannot fail.  All or nothing: the missing tables are all
 * allocated before any is linked in, so on failure the hierarchy is
 * exactly as it was.  Tables this leaves empty stay until the caller
 * fills them or asp_pt_unmap()s the range.  The cost grows with the
 * number of tables (one per 2 MiB), not of pages.
 *
 * Context: caller holds the hierarchy's lock for writing.  May sleep.
 * Return: 0, -EINVAL for a bad range, or -ENOMEM.
 */
int asp_pt_prepare(struct asp_pgtable *pt, unsigned long start,
		   unsigned long end)
{
	unsigned long nr;
	struct page *page;
	LIST_HEAD(pool);
	int ret;

	ret = asp_pt_check_range(pt, start, end);
	if (ret)
		return ret;
	nr = asp_pt_count_missing(pt->root, pt->levels - 1, start, end);
	for (; nr; nr--) {
		page = asp_table_page_alloc(pt->owner);
		if (!page) {
			asp_pt_free_pool(pt, &pool);
			return -ENOMEM;
		}
		list_add(&page->lru, &pool);
	}
	asp_pt_fill(pt, pt->root, pt->levels - 1, start, end, &pool);
	/* Empty unless the count and the fill disagree; never leak. */
	asp_pt_free_pool(pt, &pool);
	return 0;
}

/**
 * asp_pt_leaf() - the leaf slot that maps an address
 * @pt: the hierarchy
 * @addr: a user address (need not be aligned)
 *
 * Context: caller holds the hierarchy's lock; for writing if it will
 * change the slot (then through asp_pt_set() only, unless it keeps the
 * slot non-zero and its frame, as a walk callback may).
 * Return: the slot (which may be zero) if its page table exists, else
 * NULL; NULL too if @addr is not below asp_pt_task_size().
 */
u64 *asp_pt_leaf(struct asp_pgtable *pt, unsigned long addr)
{
	struct page *table = pt->root;
	unsigned int level;
	u64 entry;

	if (addr >= asp_pt_task_size(pt))
		return NULL;
	for (level = pt->levels - 1; level > 0; level--) {
		entry = READ_ONCE(asp_pt_table(table)[asp_pt_index(addr, level)]);
		if (!asp_pt_entry_is_table(entry, level))
			return NULL;
		table = asp_pt_child(entry);
	}
	return &asp_pt_table(table)[asp_pt_index(addr, 0)];
}

/* Link a new table under @entry of @table, unless a racing fault did. */
static void asp_pt_link(struct asp_pgtable *pt, struct page *table,
			unsigned int level, u64 *entry)
{
	struct page *new = asp_table_page_alloc(pt->owner);

	if (!new)
		return;
	spin_lock(&pt->lock);
	if (!*entry) {
		/* The zeroed table before the entry that makes it visible. */
		smp_wmb();
		WRITE_ONCE(*entry, asp_pt_table_entry(new));
		asp_pt_count_inc(table);
		pt->nr_tables[level - 1]++;
		new = NULL;
	}
	spin_unlock(&pt->lock);
	if (new)
		asp_table_page_free(new, pt->owner);
}

/**
 * asp_pt_leaf_alloc() - the leaf slot that maps an address, made if absent
 * @pt: the hierarchy
 * @addr: a user address (need not be aligned)
 *
 * Allocates and links the missing tables, one at a time, like Linux's
 * __pte_alloc(): each is allocated without a lock and linked under
 * @pt->lock, so faults on other addresses go on meanwhile.  On failure,
 * tables linked already stay (empty), as in Linux; asp_pt_unmap() and
 * asp_pt_destroy() free them.
 *
 * Context: the address space's lock held for read or write; takes
 * @pt->lock.  May sleep.
 * Return: the slot (read and change it under @pt->lock), or NULL if
 * memory ran out, @addr is not below asp_pt_task_size() or a large-page
 * entry is in the way.
 */
u64 *asp_pt_leaf_alloc(struct asp_pgtable *pt, unsigned long addr)
{
	struct page *table = pt->root;
	unsigned int level;
	u64 *entry;

	if (addr >= asp_pt_task_size(pt))
		return NULL;
	for (level = pt->levels - 1; level > 0; level--) {
		entry = &asp_pt_table(table)[asp_pt_index(addr, level)];
		if (!READ_ONCE(*entry))
			asp_pt_link(pt, table, level, entry);
		if (!asp_pt_entry_is_table(READ_ONCE(*entry), level))
			return NULL;
		table = asp_pt_child(READ_ONCE(*entry));
	}
	return &asp_pt_table(table)[asp_pt_index(addr, 0)];
}

/**
 * asp_pt_set() - store a mapped leaf entry
 * @pt: the hierarchy
 * @addr: the address the slot maps
 * @ptep: the slot, from asp_pt_leaf() for @addr
 * @pte: the new entry, from asp_pte_mk(); it must have ASP_PTE_P or
 *	ASP_PTE_PROTNONE set, else nothing is stored
 *
 * Keeps the table's count of used entries right.  If the slot held a
 * mapped entry, the reference on its page is the caller's to drop.
 *
 * Context: caller holds the hierarchy's lock for writing, or for reading
 * and @pt->lock.
 */
void asp_pt_set(struct asp_pgtable *pt, unsigned long addr, u64 *ptep,
		u64 pte)
{
	if (!(pte & ASP_PT_MAPPED))
		return;
	if (!*ptep)
		asp_pt_count_inc(virt_to_page(ptep));
	WRITE_ONCE(*ptep, pte);
}

/**
 * asp_pt_map() - map one page
 * @pt: the hierarchy
 * @addr: the address, page aligned
 * @page: the data page; the caller's reference passes to the hierarchy
 *	on success and comes back through the release callback of
 *	asp_pt_unmap() or asp_pt_destroy()
 * @flags: flag bits of the leaf (ASP_PTE_*); ASP_PTE_P is added unless
 *	ASP_PTE_PROTNONE is set (a page kept but not accessible); frame bits
 *	are ignored
 *
 * Allocates the missing tables, all or nothing.
 *
 * Context: caller holds the hierarchy's lock for writing.  May sleep.
 * Return: 0; -EINVAL if @addr is not an aligned user address; -EEXIST if
 * a page is mapped there already; -ENOMEM.  On error nothing changed and
 * the caller keeps its reference on @page.
 */
int asp_pt_map(struct asp_pgtable *pt, unsigned long addr, struct page *page,
	       u64 flags)
{
	u64 *ptep;
	int ret;

	ret = asp_pt_check_range(pt, addr, addr + PAGE_SIZE);
	if (ret)
		return ret;
	ptep = asp_pt_leaf(pt, addr);
	if (ptep && *ptep)
		return -EEXIST;
	if (!ptep) {
		ret = asp_pt_prepare(pt, addr, addr + PAGE_SIZE);
		if (ret)
			return ret;
		ptep = asp_pt_leaf(pt, addr);
		if (!ptep)	/* a large-page entry is in the way */
			return -EEXIST;
	}
	if (!(flags & ASP_PTE_PROTNONE))
		flags |= ASP_PTE_P;
	asp_pt_set(pt, addr, ptep, asp_pte_mk(page, flags));
	return 0;
}

struct asp_pt_unmap_args {
	struct asp_pgtable *pt;
	asp_pt_release_fn release;
	void *arg;
};

/* Clear the leaves of a page table in [@start, @end). */
static void asp_pt_unmap_leaves(struct page *table, unsigned long start,
				unsigned long end,
				const struct asp_pt_unmap_args *ua)
{
	u64 *tbl = asp_pt_table(table);
	unsigned long addr;
	u64 *ptep, pte;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		ptep = &tbl[asp_pt_index(addr, 0)];
		pte = *ptep;
		if (!pte)
			continue;
		*ptep = 0;
		asp_pt_count_dec(table);
		if (ua->release)
			ua->release(pte, asp_pte_page(pte), addr, ua->arg);
	}
}

/*
 * Clear [@start, @end) below @table (of @level >= 1) and free every
 * table in it that is empty afterwards.
 */
static void asp_pt_unmap_level(struct page *table, unsigned int level,
			       unsigned long start, unsigned long end,
			       const struct asp_pt_unmap_args *ua)
{
	u64 *tbl = asp_pt_table(table);
	unsigned long addr, next;
	struct page *child;
	u64 *entry;

	for (addr = start; addr < end; addr = next) {
		next = asp_pt_next(addr, end, level);
		entry = &tbl[asp_pt_index(addr, level)];
		if (!asp_pt_entry_is_table(*entry, level))
			continue;
		child = asp_pt_child(*entry);
		if (level > 1) {
			asp_pt_unmap_level(child, level - 1, addr, next, ua);
		} else {
			asp_pt_unmap_leaves(child, addr, next, ua);
			/* A page table at a time, as zap_pmd_range(). */
			cond_resched();
		}
		if (page_private(child))
			continue;
		*entry = 0;
		asp_pt_count_dec(table);
		ua->pt->nr_tables[level - 1]--;
		asp_table_page_free(child, ua->pt->owner);
	}
}

/**
 * asp_pt_unmap() - unmap a range
 * @pt: the hierarchy
 * @start: first address, page aligned
 * @end: one past the last address, page aligned
 * @release: called for every mapped leaf, after it was cleared, with
 *	the entry it held; it gets the hierarchy's reference on the page.
 *	May be NULL only if the caller knows no page is mapped in the range.
 * @arg: passed to @release
 *
 * Frees every table in the range that is empty afterwards, the root
 * excepted (also those an asp_pt_prepare() left empty).  Absent subtrees
 * are skipped whole, so a sparse range costs what is mapped in it.
 *
 * Context: caller holds the hierarchy's lock for writing.  Reschedules
 * after each page table (as Linux's zap_pmd_range()), so may sleep.
 * Return: 0, or -EINVAL for a bad range (then nothing changed).
 */
int asp_pt_unmap(struct asp_pgtable *pt, unsigned long start,
		 unsigned long end, asp_pt_release_fn release, void *arg)
{
	struct asp_pt_unmap_args ua = {
		.pt = pt, .release = release, .arg = arg,
	};
	int ret;

	ret = asp_pt_check_range(pt, start, end);
	if (ret)
		return ret;
	asp_pt_unmap_level(pt->root, pt->levels - 1, start, end, &ua);
	return 0;
}

/**
 * asp_pt_destroy() - unmap everything and free every table
 * @pt: the hierarchy, from a successful asp_pt_init(); or zeroed, then
 *	nothing is done
 * @release: as for asp_pt_unmap(): called for every mapped leaf; may be
 *	NULL only if the caller knows nothing is mapped
 * @arg: passed to @release
 *
 * Afterwards @pt is zeroed.
 *
 * Context: nobody else may use @pt any more.  May sleep (reschedules as
 * asp_pt_unmap() does).
 */
void asp_pt_destroy(struct asp_pgtable *pt, asp_pt_release_fn release,
		    void *arg)
{
	struct asp_pt_unmap_args ua = {
		.pt = pt, .release = release, .arg = arg,
	};

	if (!pt->root)
		return;
	asp_pt_unmap_level(pt->root, pt->levels - 1, 0, asp_pt_task_size(pt),
			   &ua);
	asp_table_page_free(pt->root, pt->owner);
	memset(pt, 0, sizeof(*pt));
}

static int asp_pt_walk_level(struct page *table, unsigned int level,
			     unsigned long start, unsigned long end,
			     asp_pt_table_fn fn, void *arg)
{
	u64 *tbl = asp_pt_table(table);
	unsigned long addr, next;
	struct page *child;
	u64 entry;
	int ret;

	for (addr = start; addr < end; addr = next) {
		next = asp_pt_next(addr, end, level);
		entry = READ_ONCE(tbl[asp_pt_index(addr, level)]);
		if (!asp_pt_entry_is_table(entry, level))
			continue;
		child = asp_pt_child(entry);
		if (level > 1) {
			ret = asp_pt_walk_level(child, level - 1, addr, next,
						fn, arg);
		} else {
			ret = fn(&asp_pt_table(child)[asp_pt_index(addr, 0)],
				 addr, next, arg);
			cond_resched();
		}
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * asp_pt_walk_tables() - visit the page tables of a range in address order
 * @pt: the hierarchy
 * @start: first address, page aligned
 * @end: one past the last address, page aligned
 * @fn: called once for each page table that exists in the range, with
 *	its slots for the part of the range it maps; see asp_pt_table_fn
 * @arg: passed to @fn
 *
 * For work done a table at a time (a clone copies a table's entries
 * with one lookup of the destination table).  Absent subtrees are skipped
 * whole.
 *
 * Context: as asp_pt_walk().
 * Return: 0 after visiting every table, the first non-zero value @fn
 * returned (the walk stops there), or -EINVAL for a bad range.
 */
int asp_pt_walk_tables(struct asp_pgtable *pt, unsigned long start,
		       unsigned long end, asp_pt_table_fn fn, void *arg)
{
	int ret;

	ret = asp_pt_check_range(pt, start, end);
	if (ret)
		return ret;
	return asp_pt_walk_level(pt->root, pt->levels - 1, start, end, fn,
				 arg);
}

struct asp_pt_walk_args {
	asp_pt_walk_fn fn;
	void *arg;
};

/* Visit the mapped leaves of one page table. */
static int asp_pt_walk_leaves(u64 *ptep, unsigned long start,
			      unsigned long end, void *arg)
{
	const struct asp_pt_walk_args *wa = arg;
	unsigned long addr;
	int ret;

	for (addr = start; addr < end; addr += PAGE_SIZE, ptep++) {
		if (!READ_ONCE(*ptep))
			continue;
		ret = wa->fn(ptep, addr, wa->arg);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * asp_pt_walk() - visit the mapped leaves of a range in address order
 * @pt: the hierarchy
 * @start: first address, page aligned
 * @end: one past the last address, page aligned
 * @fn: called for each mapped leaf (present or PROT_NONE); see
 *	asp_pt_walk_fn
 * @arg: passed to @fn
 *
 * Absent subtrees are skipped whole.
 *
 * Context: caller holds the hierarchy's lock: for reading if @fn changes
 * nothing, for writing if it changes flag bits.  Reschedules after each
 * page table, so may sleep.
 * Return: 0 after visiting every mapped leaf, the first non-zero value
 * @fn returned (the walk stops there), or -EINVAL for a bad range.
 */
int asp_pt_walk(struct asp_pgtable *pt, unsigned long start,
		unsigned long end, asp_pt_walk_fn fn, void *arg)
{
	struct asp_pt_walk_args wa = { .fn = fn, .arg = arg };

	return asp_pt_walk_tables(pt, start, end, asp_pt_walk_leaves, &wa);
}

struct asp_pt_protect_args {
	u64 set;
	u64 clear;
};

static int asp_pt_protect_one(u64 *ptep, unsigned long addr, void *arg)
{
	const struct asp_pt_protect_args *pa = arg;
	u64 pte = (*ptep & ~pa->clear) | pa->set;

	/* Never unmap: keep P or PROTNONE unless the other replaced it. */
	if (!(pte & ASP_PT_MAPPED))
		pte |= *ptep & ASP_PT_MAPPED;
	/* A page that may be shared is copied before a write, never written. */
	if (pte & ASP_PTE_COW)
		pte &= ~ASP_PTE_RW;
	*ptep = pte;
	return 0;
}

/**
 * asp_pt_protect() - change the flags of every mapped leaf in a range
 * @pt: the hierarchy
 * @start: first address, page aligned
 * @end: one past the last address, page aligned
 * @set: flag bits to set
 * @clear: flag bits to clear (before @set is applied)
 *
 * Each mapped leaf becomes (pte & ~@clear) | @set.  The frame bits are
 * never changed (they are masked out of @set and @clear), and a leaf stays
 * mapped: ASP_PTE_P may go only if ASP_PTE_PROTNONE takes its place (an
 * mprotect to PROT_NONE), and the other way round; a result with neither
 * keeps the old one.  An entry marked ASP_PTE_COW never gets ASP_PTE_RW.
 * Absent leaves stay absent; nothing is allocated.
 *
 * Context: caller holds the hierarchy's lock for writing.  May sleep
 * (reschedules after each page table).
 * Return: 0, or -EINVAL for a bad range (then nothing changed).
 */
int asp_pt_protect(struct asp_pgtable *pt, unsigned long start,
		   unsigned long end, u64 set, u64 clear)
{
	struct asp_pt_protect_args pa = {
		.set = set & ASP_PTE_FLAGS_MASK,
		.clear = clear & ASP_PTE_FLAGS_MASK,
	};

	return asp_pt_walk(pt, start, end, asp_pt_protect_one, &pa);
}

/**
 * asp_pt_lookup() - translate an address through the hierarchy
 * @pt: the hierarchy
 * @addr: a user address (need not be aligned)
 * @res: filled with the entries the walk read, see struct asp_pt_lookup;
 *	zeroed first
 *
 * Context: caller holds the hierarchy's lock for reading.
 * Return: 0 if a present leaf maps @addr (a 4 KiB leaf at level 0, or a
 * PS entry at a higher level), -ENOENT if not (then @res->level is the
 * level of the entry that was not present; a PROT_NONE leaf shows in
 * @res->entry[0]), or -EINVAL if @addr is not
 * below asp_pt_task_size().
 */
int asp_pt_lookup(const struct asp_pgtable *pt, unsigned long addr,
		  struct asp_pt_lookup *res)
{
	struct page *table = pt->root;
	unsigned int level;
	u64 entry;

	memset(res, 0, sizeof(*res));
	if (addr >= asp_pt_task_size(pt))
		return -EINVAL;
	for (level = pt->levels - 1; ; level--) {
		entry = asp_pt_table(table)[asp_pt_index(addr, level)];
		res->table_pfn[level] = page_to_pfn(table);
		res->entry[level] = entry;
		res->level = level;
		if (!(entry & ASP_PTE_P))
			return -ENOENT;
		if (level == 0 || (entry & ASP_PTE_PS))
			return 0;
		table = asp_pt_child(entry);
	}
}
