// SPDX-License-Identifier: GPL-2.0
/*
 * Introspection of an address space: TRANSLATE (the entries one address
 * goes through, like a walk of /proc/PID/pagemap and the page tables at
 * once), PTDUMP (the page tables as ranges of equal entries, like the
 * kernel's ptdump), PAGESCAN (pages by category, like PAGEMAP_SCAN),
 * CLEAR_REFS (like /proc/PID/clear_refs), the Accessed and Dirty bits
 * every access sets (asp_fault_done()), and the lines /proc/PID/fdinfo/FD
 * shows for a descriptor.
 *
 * Nothing here changes a mapping.  Frames are physical addresses, shown
 * only to whom /proc/PID/pagemap shows them (the caller decides, see
 * dev.c); everyone else sees the frame bits zeroed.  PTDUMP never shows a
 * frame.
 *
 * Locking: everything takes the address space's lock for read.  Walks
 * read entries with READ_ONCE() (faults may change leaves meanwhile, as
 * the MMU may while Linux's ptdump runs); PAGESCAN and CLEAR_REFS hold
 * the page-table lock over each page table they read or change, so a
 * table's entries are seen, or cleared, at one instant with respect to
 * faults.  Arrays are filled in kernel memory; dev.c copies them out
 * with no lock held, and calls again from where a call stopped.
 */
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "internal.h"
#include "introspect.h"
#include "trace.h"

/*
 * The events of a fault that found @old and left @new: none if only the
 * Accessed and Dirty bits changed (the entry was fit for the access, no
 * fault was counted), else what it did, and a copy-on-write copy.
 */
static void asp_fault_trace(struct asp_mm *mm, unsigned long addr,
			    bool write, u64 old, u64 new)
{
	const u64 ad = ASP_PTE_A | ASP_PTE_D;
	enum asp_fault_kind kind;

	if ((old & ~ad) == (new & ~ad))
		return;
	if (!old) {
		kind = asp_page_is_zero(asp_pte_page(new)) ? ASP_FK_ZERO :
							     ASP_FK_NEW;
	} else if ((old ^ new) & ASP_PTE_PFN_MASK) {
		kind = asp_page_is_zero(asp_pte_page(old)) ? ASP_FK_ZERO_COPY :
							     ASP_FK_COPY;
	} else {
		kind = ASP_FK_REUSE;
	}
	trace_aspace_fault(mm, addr, write, old, new, kind, 0);
	if (kind == ASP_FK_COPY)
		trace_aspace_cow_break(mm, addr,
				       page_to_pfn(asp_pte_page(old)),
				       page_to_pfn(asp_pte_page(new)));
}

/**
 * asp_fault_done() - what the CPU does once a fault let its access go on
 * @mm: the address space; its lock held for read or write
 * @addr: the address accessed, page aligned
 * @ptep: its leaf slot
 * @old: the entry the fault found there (0 if none)
 * @flags: ASP_FAULT_* of the fault
 * @ret: the fault's result; nothing is done unless it is 0
 *
 * Every access through the fault path comes here: ASPACE_IOC_ACCESS,
 * pread/pwrite and populating.  (The fault itself set the entry's
 * Accessed bit, and for a write its Dirty bit, under the page-table lock,
 * so a page scan sees the working set.)  Emits the aspace_fault event for
 * a fault that changed the entry or failed, and aspace_cow_break for a
 * copy.
 */
void asp_fault_done(struct asp_mm *mm, unsigned long addr, u64 *ptep,
		    u64 old, unsigned int flags, int ret)
{
	bool write = flags & ASP_FAULT_WRITE;

	lockdep_assert_held(&mm->lock);
	if (ret) {
		trace_aspace_fault(mm, addr, write, old, old, ASP_FK_ERROR, ret);
		return;
	}
	if (trace_aspace_fault_enabled() || trace_aspace_cow_break_enabled())
		asp_fault_trace(mm, addr, write, old, READ_ONCE(*ptep));
}

/* log2 of the bytes one entry of @level maps. */
static unsigned int asp_level_shift(unsigned int level)
{
	return PAGE_SHIFT + 9 * level;
}

/* The bytes one entry of @level maps. */
static u64 asp_level_size(unsigned int level)
{
	return 1ULL << asp_level_shift(level);
}

/**
 * asp_translate() - walk one address through the page tables
 * @mm: the address space; takes its lock for read
 * @t: in: @t->addr; out: every other field but @t->size, @t->flags and
 *	@t->reserved (checked by the caller)
 * @show_frames: report frames and table addresses; else their bits are
 *	zero, as /proc/PID/pagemap shows them to an unprivileged reader
 *
 * Reports the entry read at each level, the level of the leaf or of the
 * entry that was not present, and whether a present leaf maps the
 * address (a PROT_NONE leaf is not present; its entry still shows at
 * level 0).
 *
 * Context: may sleep.
 * Return: 0, or -EINVAL if @t->addr is not below the task size.
 */
int asp_translate(struct asp_mm *mm, struct aspace_translate *t,
		  bool show_frames)
{
	unsigned long addr = t->addr;
	struct asp_pt_lookup res;
	unsigned int l;
	u64 e, size;
	int ret;

	down_read(&mm->lock);
	ret = asp_pt_lookup(&mm->pt, addr, &res);
	t->levels = mm->pt.levels;
	up_read(&mm->lock);
	if (ret == -EINVAL)
		return ret;

	memset(t->entries, 0, sizeof(t->entries));
	memset(t->tables, 0, sizeof(t->tables));
	t->level = res.level;
	t->status = 0;
	t->phys = 0;
	for (l = 0; l < t->levels; l++) {
		e = res.entry[l];
		if (show_frames && res.table_pfn[l])
			t->tables[l] = PFN_PHYS(res.table_pfn[l]);
		t->entries[l] = show_frames ? e : e & ~ASP_PTE_PFN_MASK;
	}
	e = res.entry[res.level];
	if (!ret)
		t->status |= ASPACE_TRANSLATE_PRESENT;
	if (show_frames)
		t->status |= ASPACE_TRANSLATE_FRAMES;
	if (res.level == 0 && e && asp_page_is_zero(asp_pte_page(e)))
		t->status |= ASPACE_TRANSLATE_ZERO_PAGE;
	if (!ret && show_frames) {
		size = asp_level_size(res.level);
		t->phys = (e & ASP_PTE_PFN_MASK & ~(size - 1)) |
			  (addr & (size - 1));
	}
	return 0;
}

/*
 * PAGEMAP_SCAN's checks of a range: an unaligned start is -EINVAL, one
 * that is not user memory (wraps, or ends past the task size) -EFAULT.
 * Rounds *@end up to a page.
 */
static int asp_introspect_range(struct asp_mm *mm, unsigned long start,
				unsigned long *end)
{
	lockdep_assert_held(&mm->lock);
	if (!PAGE_ALIGNED(start))
		return -EINVAL;
	if (*end > mm->layout.task_size || start > *end)
		return -EFAULT;
	*end = PAGE_ALIGN(*end);	/* the task size is aligned */
	return 0;
}

/**
 * struct asp_ptd - the state of one PTDUMP walk
 * @a: the call's arguments and results
 * @mask: the entry bits kept
 * @levels: levels of the hierarchy
 * @first: first address of the table of each level on the walk's path
 * @cur: the range being built, not stored yet
 * @open: whether @cur holds one
 */
struct asp_ptd {
	struct asp_ptdump_args *a;
	u64 mask;
	unsigned int levels;
	unsigned long first[ASP_PT_MAX_LEVELS];
	struct aspace_ptdump_entry cur;
	bool open;
};

/*
 * Entries of @level for [@start, @end) with bits @flags: grow the open
 * range, or store it and open another.  1 if there is no room for
 * another: the walk stops there.
 */
static int asp_ptd_add(struct asp_ptd *d, unsigned long start,
		       unsigned long end, u64 flags, unsigned int level)
{
	struct asp_ptdump_args *a = d->a;
	unsigned int l;

	if (d->open && d->cur.end == start && d->cur.flags == flags &&
	    d->cur.level == level) {
		d->cur.end = end;
		return 0;
	}
	if (d->open) {
		a->vec[a->nr++] = d->cur;
		d->open = false;
	}
	if (a->nr == a->vec_len) {
		a->walk_end = start;
		/* A table starting here is counted by the call resuming here. */
		for (l = level; l < d->levels; l++)
			if (d->first[l] == start)
				a->pgtable_pages[l]--;
		return 1;
	}
	d->cur = (struct aspace_ptdump_entry){
		.start = start, .end = end, .flags = flags, .level = level,
	};
	d->open = true;
	return 0;
}

/* Dump [@start, @end) of the table @tbl of @level. */
static int asp_ptd_walk(struct asp_ptd *d, u64 *tbl, unsigned int level,
			unsigned long start, unsigned long end)
{
	unsigned long addr, next, size = 1UL << asp_level_shift(level);
	u64 e;
	int ret;

	for (addr = start; addr < end; addr = next) {
		next = min((addr | (size - 1)) + 1, end);
		e = READ_ONCE(tbl[(addr >> asp_level_shift(level)) &
				  (ASP_PT_ENTRIES - 1)]);
		if (level && (e & ASP_PTE_P) && !(e & ASP_PTE_PS)) {
			d->first[level - 1] = addr & ~(size - 1);
			if (d->first[level - 1] >= d->a->start)
				d->a->pgtable_pages[level - 1]++;
			ret = asp_ptd_walk(d, page_address(asp_pte_page(e)),
					   level - 1, addr, next);
			if (level == 1)
				cond_resched();
		} else if (e) {
			ret = asp_ptd_add(d, addr, next, e & d->mask, level);
		} else if (d->a->flags & ASPACE_PTDUMP_HOLES) {
			ret = asp_ptd_add(d, addr, next, 0, level);
		} else {
			ret = 0;
		}
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * asp_ptdump() - the page tables of a range, as ranges of equal entries
 * @mm: the address space; takes its lock for read
 * @a: the call, see struct asp_ptdump_args
 *
 * Walks the hierarchy from the root like the kernel's ptdump: every
 * mapped leaf (present or PROT_NONE) and, with ASPACE_PTDUMP_HOLES, every
 * empty entry, with adjacent ones of the same level and kept bits joined
 * into one range.  The present and PROT_NONE bits are always kept, so a
 * mapped range never looks like a hole; frames never show.  Stops when a
 * range does not fit in @a->vec (@a->walk_end says where); tables are
 * counted for the part walked, so calls resumed at @a->walk_end add up.
 *
 * Context: may sleep.
 * Return: 0 (also when it stopped early); -EINVAL for an unaligned start
 * or frame bits in @a->mask; -EFAULT for a range that is not user memory.
 */
int asp_ptdump(struct asp_mm *mm, struct asp_ptdump_args *a)
{
	struct asp_ptd d = { .a = a };
	int ret;

	if (a->mask & ASP_PTE_PFN_MASK)
		return -EINVAL;
	d.mask = (a->mask ?: ASP_PTE_FLAGS_MASK) | ASP_PTE_P |
		 ASP_PTE_PROTNONE;
	a->nr = 0;
	down_read(&mm->lock);
	ret = asp_introspect_range(mm, a->start, &a->end);
	if (ret)
		goto out;
	a->walk_end = a->end;
	if (a->start == a->end)
		goto out;
	d.levels = mm->pt.levels;
	if (!a->start)
		a->pgtable_pages[d.levels - 1]++;	/* the root */
	if (asp_ptd_walk(&d, page_address(mm->pt.root), d.levels - 1,
			 a->start, a->end))
		goto out;
	if (d.open)
		a->vec[a->nr++] = d.cur;
out:
	up_read(&mm->lock);
	return ret;
}

/**
 * struct asp_scan - the state of one PAGESCAN walk
 * @a: the call's arguments and results
 * @mm: the address space
 * @vma: the VMA being scanned
 * @cursor: the first address of @vma not scanned yet
 * @cur: the region being built, not stored yet
 * @open: whether @cur holds one
 */
struct asp_scan {
	struct asp_scan_args *a;
	struct asp_mm *mm;
	struct asp_vma *vma;
	unsigned long cursor;
	struct aspace_page_region cur;
	bool open;
};

/* The ASPACE_PAGE_* categories of a page of @vma that @pte maps. */
static u64 asp_page_categories(const struct asp_vma *vma, u64 pte)
{
	struct page *page;
	u64 c;

	if (!pte)
		return 0;
	c = ASPACE_PAGE_PRESENT;
	if (pte & ASP_PTE_A)
		c |= ASPACE_PAGE_ACCESSED;
	if (pte & ASP_PTE_D)
		c |= ASPACE_PAGE_DIRTY;
	if (pte & ASP_PTE_RW)
		c |= ASPACE_PAGE_WRITABLE;
	page = asp_pte_page(pte);
	if (asp_page_is_zero(page))
		return c | ASPACE_PAGE_ZERO;
	if (vma->flags & ASP_VM_SHARED)
		return c | ASPACE_PAGE_SHM;
	/* The entry's reference only: no clone maps it (any more). */
	if (page_ref_count(page) == 1)
		return c | ASPACE_PAGE_EXCLUSIVE;
	if (pte & ASP_PTE_COW)
		c |= ASPACE_PAGE_COW_SHARED;
	return c;
}

/* PAGEMAP_SCAN's pagemap_scan_is_interesting_page(). */
static bool asp_scan_match(const struct asp_scan_args *a, u64 c)
{
	c ^= a->inverted;
	if ((c & a->mask) != a->mask)
		return false;
	return !a->anyof || (c & a->anyof);
}

/*
 * Pages [@start, @end) of category @c: reported if they match, joined to
 * the open region if they continue it.  1 when the scan stops: no room
 * for another region, or @a->max_pages reached.
 */
static int asp_scan_run(struct asp_scan *sc, unsigned long start,
			unsigned long end, u64 c)
{
	struct asp_scan_args *a = sc->a;
	unsigned long n;

	if (!asp_scan_match(a, c))
		return 0;
	c &= a->ret_mask;
	if (!a->max_pages) {
		a->walk_end = start;
		return 1;
	}
	n = min((end - start) >> PAGE_SHIFT, a->max_pages);
	if (sc->open && sc->cur.end == start && sc->cur.categories == c) {
		sc->cur.end += n << PAGE_SHIFT;
	} else {
		if (sc->open) {
			a->vec[a->nr++] = sc->cur;
			sc->open = false;
		}
		if (a->nr == a->vec_len) {
			a->walk_end = start;
			return 1;
		}
		sc->cur = (struct aspace_page_region){
			.start = start, .end = start + (n << PAGE_SHIFT),
			.categories = c,
		};
		sc->open = true;
	}
	a->max_pages -= n;
	if (start + (n << PAGE_SHIFT) < end) {
		a->walk_end = start + (n << PAGE_SHIFT);
		return 1;
	}
	return 0;
}

/* The pages of one page table, under the page-table lock. */
static int asp_scan_table(u64 *ptep, unsigned long addr, unsigned long end,
			  void *arg)
{
	struct asp_scan *sc = arg;
	int ret = 0;

	lockdep_assert_held_read(&sc->mm->lock);
	/* The part of the VMA before this table has no table: no page. */
	if (sc->cursor < addr) {
		ret = asp_scan_run(sc, sc->cursor, addr, 0);
		if (ret)
			return ret;
	}
	spin_lock(&sc->mm->pt.lock);
	for (; addr < end; addr += PAGE_SIZE, ptep++) {
		ret = asp_scan_run(sc, addr, addr + PAGE_SIZE,
				   asp_page_categories(sc->vma,
						       READ_ONCE(*ptep)));
		if (ret)
			break;
	}
	spin_unlock(&sc->mm->pt.lock);
	sc->cursor = end;
	cond_resched();
	return ret;
}

/**
 * asp_pagescan() - the pages of a range by category, as PAGEMAP_SCAN
 * @mm: the address space; takes its lock for read
 * @a: the call, see struct asp_scan_args
 *
 * Every page a VMA covers in the range is looked at, mapped or not (a
 * page never touched has no category): it is reported if its categories
 * match (@a->inverted, @a->mask, @a->anyof as PAGEMAP_SCAN's), with the
 * categories of @a->ret_mask, adjacent reported pages of equal reported
 * categories making one region.  Absent page tables are skipped whole.
 *
 * Context: may sleep; takes @mm->pt.lock over each page table.
 * Return: 0 (also when it stopped early: see @a->walk_end); -EINVAL for
 * an unaligned start; -EFAULT for a range that is not user memory.
 */
int asp_pagescan(struct asp_mm *mm, struct asp_scan_args *a)
{
	struct asp_scan sc = { .a = a, .mm = mm };
	struct asp_vma *vma;
	unsigned long s, e;
	int ret;

	a->nr = 0;
	down_read(&mm->lock);
	ret = asp_introspect_range(mm, a->start, &a->end);
	if (ret)
		goto out;
	a->walk_end = a->end;
	/* An empty range has no page (and no table to walk: -EINVAL). */
	if (a->start == a->end)
		goto out;
	for (vma = asp_vma_find_next(&mm->vmas, a->start);
	     vma && vma->start < a->end; vma = asp_vma_next(&mm->vmas, vma)) {
		s = max(vma->start, a->start);
		e = min(vma->end, a->end);
		sc.vma = vma;
		sc.cursor = s;
		ret = asp_pt_walk_tables(&mm->pt, s, e, asp_scan_table, &sc);
		if (!ret && sc.cursor < e)
			ret = asp_scan_run(&sc, sc.cursor, e, 0);
		if (ret)
			break;
	}
	if (sc.open)
		a->vec[a->nr++] = sc.cur;
	ret = ret > 0 ? 0 : ret;
out:
	up_read(&mm->lock);
	return ret;
}

/**
 * struct asp_clear - what CLEAR_REFS clears
 * @mm: the address space
 * @bits: ASP_PTE_A and/or ASP_PTE_D
 */
struct asp_clear {
	struct asp_mm *mm;
	u64 bits;
};

static int asp_clear_table(u64 *ptep, unsigned long addr, unsigned long end,
			   void *arg)
{
	const struct asp_clear *c = arg;
	u64 pte;

	lockdep_assert_held_read(&c->mm->lock);
	spin_lock(&c->mm->pt.lock);
	for (; addr < end; addr += PAGE_SIZE, ptep++) {
		pte = *ptep;
		if (pte & c->bits)
			WRITE_ONCE(*ptep, pte & ~c->bits);
	}
	spin_unlock(&c->mm->pt.lock);
	cond_resched();
	return 0;
}

/**
 * asp_clear_refs() - clear the Accessed and/or Dirty bits of a range
 * @mm: the address space; takes its lock for read
 * @start: first address (page aligned)
 * @end: one past the last (rounded up to a page)
 * @flags: ASPACE_CLEAR_ACCESSED, ASPACE_CLEAR_DIRTY, or both
 *
 * Like writing 1 to /proc/PID/clear_refs (and, for the Dirty bits, what
 * soft-dirty tracking starts with), on the entries of the range: the next
 * access sets them again (asp_fault_done()).  Nothing else changes.
 *
 * Context: may sleep; takes @mm->pt.lock over each page table.
 * Return: 0; -EINVAL for no or unknown flags or an unaligned start;
 * -EFAULT for a range that is not user memory.
 */
int asp_clear_refs(struct asp_mm *mm, unsigned long start, unsigned long end,
		   u32 flags)
{
	struct asp_clear c = { .mm = mm };
	int ret;

	if (!flags || (flags & ~(ASPACE_CLEAR_ACCESSED | ASPACE_CLEAR_DIRTY)))
		return -EINVAL;
	if (flags & ASPACE_CLEAR_ACCESSED)
		c.bits |= ASP_PTE_A;
	if (flags & ASPACE_CLEAR_DIRTY)
		c.bits |= ASP_PTE_D;
	down_read(&mm->lock);
	ret = asp_introspect_range(mm, start, &end);
	if (!ret && start < end)
		ret = asp_pt_walk_tables(&mm->pt, start, end, asp_clear_table,
					 &c);
	up_read(&mm->lock);
	return ret;
}

/**
 * asp_show_fdinfo() - the state of an address space, for /proc/PID/fdinfo
 * @mm: the address space; takes its lock for read (twice: the counters
 *	and the layout are read one after the other, not at one instant)
 * @m: where the lines go
 *
 * One "name:\tvalue" line per counter, named as the fields of struct
 * aspace_stats, plus the paging levels, the task size and the break, and
 * first the address space's hashed pointer, as the tracepoints print it.
 *
 * Context: may sleep.
 */
void asp_show_fdinfo(struct asp_mm *mm, struct seq_file *m)
{
	struct aspace_stats st = {};
	unsigned long task_size, brk;
	unsigned int levels;

	asp_stats(mm, &st);
	down_read(&mm->lock);
	levels = mm->pt.levels;
	task_size = mm->layout.task_size;
	brk = mm->brk;
	up_read(&mm->lock);

	/* The hashed pointer the tracepoints print as "mm=". */
	seq_printf(m, "mm:\t%p\n", mm);
	seq_printf(m, "levels:\t%u\n", levels);
	seq_printf(m, "task_size:\t%#lx\n", task_size);
	seq_printf(m, "brk:\t%#lx\n", brk);
	seq_printf(m, "nr_vmas:\t%llu\n", st.nr_vmas);
	seq_printf(m, "mapped_bytes:\t%llu\n", st.mapped_bytes);
	seq_printf(m, "data_bytes:\t%llu\n", st.data_bytes);
	seq_printf(m, "resident_bytes:\t%llu\n",
		   st.resident_pages << PAGE_SHIFT);
	seq_printf(m, "resident_pages:\t%llu\n", st.resident_pages);
	seq_printf(m, "shared_pages:\t%llu\n", st.shared_pages);
	seq_printf(m, "pgtable_pages:\t%llu %llu %llu %llu %llu\n",
		   st.pgtable_pages[0], st.pgtable_pages[1],
		   st.pgtable_pages[2], st.pgtable_pages[3],
		   st.pgtable_pages[4]);
	seq_printf(m, "faults:\t%llu\n", st.faults);
	seq_printf(m, "cow_breaks:\t%llu\n", st.cow_breaks);
	seq_printf(m, "zero_page_maps:\t%llu\n", st.zero_page_maps);
}
