// SPDX-License-Identifier: GPL-2.0
/*
 * Introspection of an address space: TRANSLATE (the entries one address
 * goes through, like a walk of /proc/PID/pagemap and the page tables at
 * once) and the lines /proc/PID/fdinfo/FD shows for a descriptor.
 *
 * Nothing here changes a mapping.  Frames are physical addresses, shown
 * only to whom /proc/PID/pagemap shows them (the caller decides, see
 * dev.c); everyone else sees the frame bits zeroed.
 */
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/seq_file.h>

#include "internal.h"
#include "introspect.h"

/**
 * asp_fault_done() - what the CPU does once a fault let its access go on
 * @mm: the address space; its lock held for read or write
 * @addr: the address accessed, page aligned
 * @ptep: its leaf slot
 * @old: the entry the fault found there (0 if none)
 * @flags: ASP_FAULT_* of the fault
 * @ret: the fault's result; nothing is done unless it is 0
 *
 * Sets the Accessed bit of the leaf, and for a write the Dirty bit, as
 * the MMU sets them when the access that faulted is retried (and as
 * x86's Linux makes a faulted-in entry young, and dirty for a write).
 * Every access through the fault path comes here: ASPACE_IOC_ACCESS,
 * pread/pwrite and populating, so a page scan sees the working set.
 *
 * Context: takes @mm->pt.lock.
 */
void asp_fault_done(struct asp_mm *mm, unsigned long addr, u64 *ptep,
		    u64 old, unsigned int flags, int ret)
{
	u64 set = ASP_PTE_A, pte;

	lockdep_assert_held(&mm->lock);
	if (ret)
		return;
	if (flags & ASP_FAULT_WRITE)
		set |= ASP_PTE_D;
	spin_lock(&mm->pt.lock);
	pte = *ptep;
	if (pte && (pte & set) != set)
		WRITE_ONCE(*ptep, pte | set);
	spin_unlock(&mm->pt.lock);
}

/* The bytes one entry of @level maps. */
static u64 asp_level_size(unsigned int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * level);
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

/**
 * asp_show_fdinfo() - the state of an address space, for /proc/PID/fdinfo
 * @mm: the address space; takes its lock for read (twice: the counters
 *	and the layout are read one after the other, not at one instant)
 * @m: where the lines go
 *
 * One "name:\tvalue" line per counter, named as the fields of struct
 * aspace_stats, plus the paging levels, the task size and the break.
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
