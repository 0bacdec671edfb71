// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect on an address space, with the semantics of mm/mprotect.c,
 * except that a hole in the range is found before anything changes.
 */
#include <linux/mm.h>
#include <linux/mman.h>

#include "internal.h"

#define ASP_PTE_ACCESS	(ASP_PTE_P | ASP_PTE_RW | ASP_PTE_US | ASP_PTE_NX | \
			 ASP_PTE_PROTNONE)

/* The flags @vma gets: new protections; accounted once writable. */
static unsigned long asp_mprotect_flags(const struct asp_vma *vma,
					unsigned long prot_vm)
{
	unsigned long nf = prot_vm | (vma->flags & ~ASP_VM_PROT_MASK);

	if ((nf & ASP_VM_WRITE) &&
	    !(vma->flags & (ASP_VM_ACCOUNT | ASP_VM_WRITE | ASP_VM_SHARED)))
		nf |= ASP_VM_ACCOUNT;
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
 * Check [start, end) has no hole and that turning it into data stays
 * within the data limit.  Returns the VMA covering @end - 1 or an ERR_PTR.
 */
static struct asp_vma *asp_mprotect_check(struct asp_mm *mm,
					  unsigned long start,
					  unsigned long end,
					  unsigned long prot_vm)
{
	struct asp_vma *vma = asp_vma_find_next(&mm->vmas, start);
	unsigned long expect = start, data = 0, pages, nf;

	for (;;) {
		if (!vma || vma->start > expect)
			return ERR_PTR(-ENOMEM);
		nf = asp_mprotect_flags(vma, prot_vm);
		if (asp_is_data(nf) && !asp_is_data(vma->flags)) {
			pages = (min(end, vma->end) - max(start, vma->start)) >>
				PAGE_SHIFT;
			if (!asp_mprotect_may(mm, pages, data))
				return ERR_PTR(-ENOMEM);
			data += pages;
		}
		if (vma->end >= end)
			break;
		expect = vma->end;
		vma = asp_vma_next(&mm->vmas, vma);
	}
	return vma;
}

/* Split where a VMA straddles an edge and changes; Linux's split_vma(). */
static int asp_mprotect_split(struct asp_mm *mm, unsigned long start,
			      unsigned long end, struct asp_vma *last,
			      unsigned long prot_vm, struct asp_carve *c)
{
	struct asp_vma *first = asp_vma_find(&mm->vmas, start);
	unsigned long count = mm->vmas.count;
	bool at_start, at_end;

	at_start = first->start < start &&
		   asp_mprotect_flags(first, prot_vm) != first->flags;
	at_end = last->end > end &&
		 asp_mprotect_flags(last, prot_vm) != last->flags;
	if (at_start && count++ >= mm->limits.max_map_count)
		return -ENOMEM;
	if (at_end && count >= mm->limits.max_map_count)
		return -ENOMEM;
	return asp_carve(mm, start, end, at_start, at_end, c);
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

/*
 * Linux's vma_merge() for a VMA mprotect_fixup() changed: join the VMA
 * before it, then the one after it, where they may merge.  VMAs the call
 * leaves unchanged are never merged with each other.  Returns the VMA that
 * now covers @vma's range.
 */
static struct asp_vma *asp_mprotect_merge(struct asp_mm *mm,
					  struct asp_vma *vma)
{
	struct asp_vma *prev = asp_vma_find_prev(&mm->vmas, vma->start);

	if (prev && prev->end == vma->start &&
	    asp_vma_merge_next(&mm->vmas, prev))
		vma = prev;
	asp_vma_merge_next(&mm->vmas, vma);
	return vma;
}

static int asp_mprotect_locked(struct asp_mm *mm, unsigned long start,
			       unsigned long end, unsigned long prot_vm)
{
	struct asp_vma *vma, *last;
	struct asp_carve c;
	unsigned long nf;
	int ret;

	last = asp_mprotect_check(mm, start, end, prot_vm);
	if (IS_ERR(last))
		return PTR_ERR(last);
	ret = asp_mprotect_split(mm, start, end, last, prot_vm, &c);
	if (ret)
		return ret;
	for (vma = asp_vma_find(&mm->vmas, start); vma && vma->start < end;
	     vma = asp_vma_next(&mm->vmas, vma)) {
		nf = asp_mprotect_flags(vma, prot_vm);
		if (nf == vma->flags)
			continue;
		asp_mprotect_apply(mm, vma, nf);
		vma = asp_mprotect_merge(mm, vma);
	}
	return 0;
}

/**
 * asp_mprotect() - mprotect(2) on an address space
 * @mm: the address space; takes its lock for write
 * @addr: page-aligned start
 * @len: bytes, rounded up to pages; 0 does nothing
 * @prot: PROT_READ, PROT_WRITE, PROT_EXEC
 *
 * Unlike Linux, which changes the VMAs before a hole and then fails, a
 * hole anywhere in the range fails the call before anything changes.
 *
 * Return: 0; -EINVAL for an unaligned start or unknown prot bits;
 * -ENOMEM for a hole in the range, an overflowing range, a split past the
 * VMA limit, the data limit, or no memory.  Nothing changes on error.
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
