// SPDX-License-Identifier: GPL-2.0
/*
 * madvise on an address space, with the semantics of Linux 6.1's
 * mm/madvise.c for the advice it knows: MADV_DONTNEED, MADV_POPULATE_READ
 * and _WRITE, MADV_DONTFORK and _DOFORK, MADV_WIPEONFORK and _KEEPONFORK.
 *
 * As madvise_walk_vmas() does, the advice is applied VMA by VMA over the
 * range; a hole is skipped and reported as -ENOMEM at the end, after the
 * VMAs around it were changed; an error of one VMA stops the walk there.
 *
 * Built for Linux 6.10 or later, MADV_POPULATE_* follows that kernel
 * instead: it no longer walks the VMAs but populates in address order and
 * stops at the first hole with -ENOMEM, leaving what follows untouched
 * ("mm/madvise: don't perform madvise VMA walk for
 * MADV_POPULATE_(READ|WRITE)").
 */
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "internal.h"

typedef int (*asp_madvise_fn)(struct asp_mm *mm, struct asp_vma *vma,
			      unsigned long start, unsigned long end,
			      int advice);

static bool asp_madvise_known(int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		return true;
	}
	return false;
}

/* Populating walks with faults, under the lock held for read. */
static bool asp_madvise_populates(int advice)
{
	return advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE;
}

/* Populating stops at the first hole (Linux 6.10 and later). */
static bool asp_madvise_stops_at_hole(int advice)
{
	return ASP_LINUX_SINCE(6, 10) && asp_madvise_populates(advice);
}

/* MADV_DONTNEED: drop the entries; private memory reads back as zeros. */
static int asp_madvise_dontneed(struct asp_mm *mm, struct asp_vma *vma,
				unsigned long start, unsigned long end,
				int advice)
{
	lockdep_assert_held_write(&mm->lock);
	asp_pt_unmap(&mm->pt, start, end, asp_mm_release_page, mm);
	return 0;
}

/*
 * MADV_POPULATE_*: fault in every page as a user access would (no
 * FOLL_FORCE), with -EINVAL where the protection forbids it, as
 * faultin_vma_page_range() does.
 */
static int asp_madvise_populate(struct asp_mm *mm, struct asp_vma *vma,
				unsigned long start, unsigned long end,
				int advice)
{
	bool write = advice == MADV_POPULATE_WRITE;
	struct asp_fault_cursor cur = {};
	unsigned long addr;
	int ret;

	lockdep_assert_held_read(&mm->lock);
	if (!(vma->flags & (write ? ASP_VM_WRITE : ASP_VM_READ)))
		return -EINVAL;
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		ret = asp_fault_cur(mm, vma, addr, write ? ASP_FAULT_WRITE : 0,
				    NULL, &cur);
		if (ret)
			return ret;
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

static unsigned long asp_madvise_flags(const struct asp_vma *vma, int advice)
{
	switch (advice) {
	case MADV_DONTFORK:
		return vma->flags | ASP_VM_DONTCOPY;
	case MADV_DOFORK:
		return vma->flags & ~ASP_VM_DONTCOPY;
	case MADV_WIPEONFORK:
		return vma->flags | ASP_VM_WIPEONFORK;
	default:	/* MADV_KEEPONFORK */
		return vma->flags & ~ASP_VM_WIPEONFORK;
	}
}

/*
 * The fork advice: new VMA flags over [start, end) of @vma, split and
 * merged as madvise_update_vma() does (-EAGAIN where a split would pass
 * max_map_count or memory ran out).
 */
static int asp_madvise_fork(struct asp_mm *mm, struct asp_vma *vma,
			    unsigned long start, unsigned long end, int advice)
{
	unsigned long nf = asp_madvise_flags(vma, advice);
	bool at_start = vma->start < start, at_end = end < vma->end;
	struct asp_carve c;

	lockdep_assert_held_write(&mm->lock);
	if (advice == MADV_WIPEONFORK && (vma->flags & ASP_VM_SHARED))
		return -EINVAL;
	if (nf == vma->flags)
		return 0;
	if (mm->vmas.count + at_start + at_end > mm->limits.max_map_count)
		return -EAGAIN;
	if (asp_carve(mm, start, end, at_start, at_end, &c))
		return -EAGAIN;
	vma = asp_vma_find(&mm->vmas, start);
	vma->flags = nf;
	asp_vma_merge_around(mm, vma);
	return 0;
}

static asp_madvise_fn asp_madvise_visitor(int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
		return asp_madvise_dontneed;
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		return asp_madvise_populate;
	default:
		return asp_madvise_fork;
	}
}

/*
 * Linux's madvise_walk_vmas(): visit the part of every VMA in [start,
 * end), skipping holes (-ENOMEM at the end; at once when populating on
 * Linux 6.10 and later).  A visit may split, merge or free VMAs, so the
 * walk goes on from the address, not the VMA.
 */
static int asp_madvise_walk(struct asp_mm *mm, unsigned long start,
			    unsigned long end, int advice)
{
	asp_madvise_fn visit = asp_madvise_visitor(advice);
	struct asp_vma *vma;
	unsigned long tmp;
	int hole = 0, ret;

	while (start < end) {
		vma = asp_vma_find_next(&mm->vmas, start);
		if (!vma)
			return -ENOMEM;
		if (start < vma->start) {
			if (asp_madvise_stops_at_hole(advice))
				return -ENOMEM;
			hole = -ENOMEM;
			start = vma->start;
			if (start >= end)
				break;
		}
		tmp = min(end, vma->end);
		ret = visit(mm, vma, start, tmp, advice);
		if (ret)
			return ret;
		start = tmp;
		cond_resched();
	}
	return hole;
}

/**
 * asp_madvise() - madvise(2) on an address space
 * @mm: the address space; takes its lock (for read to populate, else for
 *	write)
 * @addr: page-aligned start
 * @len: bytes, rounded up to pages; 0 does nothing
 * @advice: MADV_DONTNEED, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
 *	MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK or MADV_KEEPONFORK
 *
 * Checked in the order of Linux's do_madvise().
 *
 * Return: 0; -EINVAL for other advice, an unaligned start, a range that
 * wraps, MADV_WIPEONFORK on shared memory, or populating where the
 * protection forbids it; -ENOMEM for a hole in the range (after the rest
 * was done; populating on Linux 6.10 and later: at the hole) or no memory
 * while populating; -EAGAIN if a split would pass
 * max_map_count or memory ran out; -EINTR on a fatal signal.
 */
int asp_madvise(struct asp_mm *mm, unsigned long addr, unsigned long len,
		int advice)
{
	bool populate = asp_madvise_populates(advice);
	unsigned long end;
	int ret;

	if (!asp_madvise_known(advice) || offset_in_page(addr))
		return -EINVAL;
	end = PAGE_ALIGN(len);
	if (len && !end)
		return -EINVAL;
	end += addr;
	if (end < addr)
		return -EINVAL;
	if (end == addr)
		return 0;
	if (populate)
		down_read(&mm->lock);
	else
		down_write(&mm->lock);
	ret = asp_madvise_walk(mm, addr, end, advice);
	if (populate)
		up_read(&mm->lock);
	else
		up_write(&mm->lock);
	return ret;
}
