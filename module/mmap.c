// SPDX-License-Identifier: GPL-2.0
/*
 * mmap, munmap, mprotect and brk on an address space, with the semantics
 * of Linux's mm/mmap.c and mm/mprotect.c.
 *
 * Each operation checks everything first, then splits the VMAs at the
 * edges of its range, then makes the change visible with one store into
 * the VMA tree (see vma.c).  Page-table work that cannot fail (unmapping,
 * changing protections) comes after that store; page allocation for
 * MAP_POPULATE comes last and, as in Linux, does not fail the mmap.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "aspace.h"
#include "mem.h"

#define ASP_PROT_ALL	(PROT_READ | PROT_WRITE | PROT_EXEC)
#define ASP_MAP_ALL	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | \
			 MAP_ANONYMOUS | MAP_POPULATE | MAP_FIXED_NOREPLACE)

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

/*
 * Linux populates a private writable mapping with write faults, which give
 * it an anon_vma; other mappings get the zero page or shared pages, and no
 * anon_vma (mm/gup.c populate_vma_page_range()).
 */
static bool asp_is_private_writable(unsigned long flags)
{
	return (flags & (ASP_VM_WRITE | ASP_VM_SHARED)) == ASP_VM_WRITE;
}

/**
 * asp_mm_account() - count pages coming into or leaving VMAs
 * @mm: the address space; lock held for write
 * @flags: the VMA flags of those pages
 * @pages: how many; negative when they leave
 */
void asp_mm_account(struct asp_mm *mm, unsigned long flags, long pages)
{
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

	mm->resident--;
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

static unsigned long asp_vma_pages_in(struct asp_vma *vma, unsigned long start,
				      unsigned long end)
{
	return (min(end, vma->end) - max(start, vma->start)) >> PAGE_SHIFT;
}

/* Pages of [start, end) that VMAs cover (Linux's count_vma_pages_range). */
static unsigned long asp_pages_mapped(struct asp_mm *mm, unsigned long start,
				      unsigned long end)
{
	struct asp_vma *vma;
	unsigned long pages = 0;

	for (vma = asp_vma_find_next(&mm->vmas, start);
	     vma && vma->start < end; vma = asp_vma_next(&mm->vmas, vma))
		pages += asp_vma_pages_in(vma, start, end);
	return pages;
}

/**
 * asp_uncarve() - undo asp_carve()
 * @mm: the address space; lock held for write
 * @c: what asp_carve() did; the VMAs it split must be unchanged since
 */
void asp_uncarve(struct asp_mm *mm, struct asp_carve *c)
{
	if (c->upper)
		asp_vma_unsplit(&mm->vmas, c->upper, c->upper_new);
	if (c->lower)
		asp_vma_unsplit(&mm->vmas, c->lower, c->lower_new);
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
	struct asp_vma *vma;
	int ret;

	memset(c, 0, sizeof(*c));
	vma = asp_vma_find(&mm->vmas, start);
	if (at_start && vma && vma->start < start) {
		ret = asp_vma_split(&mm->vmas, vma, start, &c->lower_new);
		if (ret)
			return ret;
		c->lower = vma;
	}
	vma = asp_vma_find(&mm->vmas, end);
	if (at_end && vma && vma->start < end) {
		ret = asp_vma_split(&mm->vmas, vma, end, &c->upper_new);
		if (ret) {
			asp_uncarve(mm, c);
			return ret;
		}
		c->upper = vma;
	}
	return 0;
}

/**
 * asp_drop_vmas() - take detached VMAs out of the counters and free them
 * @mm: the address space; lock held for write
 * @detached: VMAs asp_vma_replace() took out of the tree
 */
void asp_drop_vmas(struct asp_mm *mm, struct list_head *detached)
{
	struct asp_vma *vma;

	list_for_each_entry(vma, detached, list)
		asp_mm_account(mm, vma->flags,
			       -(long)((vma->end - vma->start) >> PAGE_SHIFT));
	asp_vma_free_list(detached);
}

/**
 * asp_unmap_would_split_over() - would unmapping a range pass the limit?
 * @mm: the address space; lock held
 * @start: first byte of the range
 * @end: one past its last byte
 *
 * Linux's munmap refuses to split one VMA in three when the address
 * space already has max_map_count VMAs.
 *
 * Return: true if unmapping [@start, @end) must fail with -ENOMEM.
 */
bool asp_unmap_would_split_over(struct asp_mm *mm, unsigned long start,
				unsigned long end)
{
	struct asp_vma *vma = asp_vma_find_next(&mm->vmas, start);

	return vma && vma->start < start && end < vma->end &&
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
	struct asp_carve c;
	LIST_HEAD(detached);
	int ret;

	if (!asp_vma_overlaps(&mm->vmas, start, end))
		return 0;
	if (asp_unmap_would_split_over(mm, start, end))
		return -ENOMEM;
	ret = asp_carve(mm, start, end, true, true, &c);
	if (ret)
		return ret;
	ret = asp_vma_replace(&mm->vmas, start, end, NULL, &detached);
	if (ret) {
		asp_uncarve(mm, &c);
		return ret;
	}
	asp_drop_vmas(mm, &detached);
	asp_pt_unmap(&mm->pt, start, end, asp_mm_release_page, mm);
	return 0;
}

/**
 * asp_munmap() - munmap(2) on an address space
 * @mm: the address space; takes its lock for write
 * @addr: page-aligned start
 * @len: bytes, rounded up to pages
 *
 * Return: 0 (also when nothing was mapped); -EINVAL for an unaligned
 * start, a zero length or a range past the task size; -ENOMEM if a split
 * would pass the VMA limit or memory ran out.  Nothing changes on error.
 */
int asp_munmap(struct asp_mm *mm, unsigned long addr, unsigned long len)
{
	unsigned long task_size;
	int ret = -EINVAL;

	down_write(&mm->lock);
	task_size = mm->layout.task_size;
	if (offset_in_page(addr) || addr > task_size || len > task_size - addr)
		goto out;
	len = PAGE_ALIGN(len);
	if (len)
		ret = asp_do_munmap(mm, addr, addr + len);
out:
	up_write(&mm->lock);
	return ret;
}

/**
 * asp_populate() - allocate and map the missing pages of a range
 * @mm: the address space; lock held for write
 * @vma: the VMA that covers the range
 * @start: first byte, page aligned
 * @end: one past the last byte, page aligned
 *
 * Best effort, as MAP_POPULATE is in Linux: stops quietly when memory,
 * the memory cgroup's limit or the resident limit runs out (no OOM kill:
 * see mem.c), or when the calling task has a fatal signal pending (as
 * __get_user_pages() does).  Reschedules between pages.
 *
 * Context: process context, may sleep; @mm's lock held for write.
 */
void asp_populate(struct asp_mm *mm, struct asp_vma *vma, unsigned long start,
		  unsigned long end)
{
	u64 flags = asp_vm_pte_flags(vma->flags);
	unsigned long addr;
	struct page *page;
	u64 *ptep;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		cond_resched();
		if (fatal_signal_pending(current))
			return;
		ptep = asp_pt_leaf(&mm->pt, addr);
		if (ptep && *ptep)
			continue;
		if (((u64)mm->resident + 1) << PAGE_SHIFT >
		    mm->limits.resident_bytes)
			return;
		page = asp_data_page_alloc();
		if (!page)
			return;
		if (asp_pt_map(&mm->pt, addr, page, flags)) {
			asp_data_page_put(page);
			return;
		}
		mm->resident++;
		if (asp_is_private_writable(vma->flags) && !vma->anon)
			vma->anon = asp_anon_id_new();
	}
}

static bool asp_hint_valid(struct asp_layout *l, unsigned long addr,
			   unsigned long len)
{
	if (l->task_size - len < addr)
		return false;
	return (addr > l->map_window) == (addr + len > l->map_window);
}

static bool asp_hint_free(struct asp_mm *mm, unsigned long addr,
			  unsigned long len)
{
	struct asp_vma *vma = asp_vma_find_next(&mm->vmas, addr);

	return !vma ||
	       addr + len <= asp_vma_start_gap(vma, mm->layout.stack_guard_gap);
}

/* Linux's arch_get_unmapped_area() for the legacy (bottom-up) layout. */
static int asp_area_bottomup(struct asp_mm *mm, unsigned long hint,
			     unsigned long len, unsigned long *addr)
{
	struct asp_layout *l = &mm->layout;
	struct asp_vma_search s = {
		.length = len,
		.low = l->legacy_base,
		.high = hint > l->map_window ? l->task_size : l->map_window,
		.guard_gap = l->stack_guard_gap,
	};

	if (len > s.high)
		return -ENOMEM;
	if (hint && s.high - len >= hint && asp_hint_free(mm, hint, len)) {
		*addr = hint;
		return 0;
	}
	return asp_vma_find_area(&mm->vmas, &s, addr);
}

/* Linux's arch_get_unmapped_area_topdown(), bottom-up as the fallback. */
static int asp_area_topdown(struct asp_mm *mm, unsigned long hint,
			    unsigned long len, unsigned long *addr)
{
	struct asp_layout *l = &mm->layout;
	struct asp_vma_search s = {
		.length = len,
		.low = PAGE_SIZE,
		.high = l->mmap_base,
		.guard_gap = l->stack_guard_gap,
		.topdown = true,
	};

	if (hint && asp_hint_valid(l, hint, len) &&
	    asp_hint_free(mm, hint, len)) {
		*addr = hint;
		return 0;
	}
	if (hint > l->map_window)
		s.high += l->task_size - l->map_window;
	if (!asp_vma_find_area(&mm->vmas, &s, addr))
		return 0;
	return asp_area_bottomup(mm, hint, len, addr);
}

/* Linux's get_unmapped_area() with its security_mmap_addr() check. */
static int asp_get_area(struct asp_mm *mm, unsigned long hint,
			unsigned long len, u32 flags, unsigned long *addr)
{
	struct asp_layout *l = &mm->layout;
	int ret = 0;

	if (len > l->task_size)
		return -ENOMEM;
	if (flags & MAP_FIXED)
		*addr = hint;
	else if (l->flags & ASPACE_LAYOUT_LEGACY)
		ret = asp_area_bottomup(mm, hint, len, addr);
	else
		ret = asp_area_topdown(mm, hint, len, addr);
	if (!(flags & MAP_FIXED) && ret)
		return ret;
	if (*addr > l->task_size - len)
		return -ENOMEM;
	if (offset_in_page(*addr))
		return -EINVAL;
	if (*addr < l->mmap_min_addr)
		return -EPERM;
	return 0;
}

static int asp_mmap_check_args(u32 prot, u32 flags, unsigned long len)
{
	if (prot & ~ASP_PROT_ALL || flags & ~ASP_MAP_ALL)
		return -EINVAL;
	if (!(flags & MAP_SHARED) == !(flags & MAP_PRIVATE))
		return -EINVAL;
	if (!len)
		return -EINVAL;
	return 0;
}

static unsigned long asp_mmap_vm_flags(u32 prot, u32 flags)
{
	unsigned long vm = asp_prot_to_vm(prot);

	if (flags & MAP_SHARED)
		vm |= ASP_VM_SHARED;
	else if (vm & ASP_VM_WRITE)
		vm |= ASP_VM_ACCOUNT;
	return vm;
}

/**
 * asp_map_range() - make a new VMA cover a range, merging if it may
 * @mm: the address space; lock held for write
 * @start: first byte of the range
 * @end: one past its last byte
 * @new: a VMA for the range, in no set; used, or freed if merged away
 * @detached: out: the VMAs that were inside the range
 * @err: out: the errno when NULL is returned
 *
 * The VMAs at the edges must have been split (asp_carve()).  The range
 * joins the VMA before it and/or after it when they may merge, as Linux's
 * vma_merge() does.
 *
 * Return: the VMA now covering the range, or NULL with nothing changed
 * (then @new is still the caller's).
 */
struct asp_vma *asp_map_range(struct asp_mm *mm, unsigned long start,
			      unsigned long end, struct asp_vma *new,
			      struct list_head *detached, int *err)
{
	struct asp_vma *prev = asp_vma_find(&mm->vmas, start - 1);
	struct asp_vma *next = asp_vma_find(&mm->vmas, end);
	struct asp_vma *keep = new;
	unsigned long store_end = end;

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
	*err = asp_vma_replace(&mm->vmas, start, store_end, keep, detached);
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

static int asp_mmap_locked(struct asp_mm *mm, unsigned long hint,
			   unsigned long len, u32 prot, u32 flags,
			   unsigned long *mapped)
{
	unsigned long vm_flags = asp_mmap_vm_flags(prot, flags);
	unsigned long addr = 0, end, pages = len >> PAGE_SHIFT;
	struct asp_vma *new, *vma;
	struct asp_carve c;
	LIST_HEAD(detached);
	int ret;

	/* Linux's round_hint_to_min(). */
	if (!(flags & MAP_FIXED)) {
		hint &= PAGE_MASK;
		if (hint && hint < mm->layout.mmap_min_addr)
			hint = PAGE_ALIGN(mm->layout.mmap_min_addr);
	}
	if (mm->vmas.count > mm->limits.max_map_count)
		return -ENOMEM;
	ret = asp_get_area(mm, hint, len, flags, &addr);
	if (ret)
		return ret;
	end = addr + len;
	if ((flags & MAP_FIXED_NOREPLACE) &&
	    asp_vma_overlaps(&mm->vmas, addr, end))
		return -EEXIST;
	if (!asp_may_expand(mm, vm_flags, pages) &&
	    !asp_may_expand(mm, vm_flags,
			    pages - asp_pages_mapped(mm, addr, end)))
		return -ENOMEM;
	if (asp_unmap_would_split_over(mm, addr, end))
		return -ENOMEM;

	new = asp_vma_alloc(addr, end, vm_flags);
	if (!new)
		return -ENOMEM;
	if (vm_flags & ASP_VM_SHARED)
		new->obj = asp_anon_id_new();
	ret = asp_carve(mm, addr, end, true, true, &c);
	if (ret)
		goto err_free;
	vma = asp_map_range(mm, addr, end, new, &detached, &ret);
	if (!vma) {
		asp_uncarve(mm, &c);
		goto err_free;
	}
	asp_drop_vmas(mm, &detached);
	asp_mm_account(mm, vm_flags, pages);
	asp_pt_unmap(&mm->pt, addr, end, asp_mm_release_page, mm);
	if (flags & MAP_POPULATE)
		asp_populate(mm, vma, addr, end);
	*mapped = addr;
	return 0;

err_free:
	asp_vma_free(new);
	return ret;
}

/**
 * asp_mmap() - mmap(2) of anonymous memory on an address space
 * @mm: the address space; takes its lock for write
 * @addr: the hint, or the address with MAP_FIXED / MAP_FIXED_NOREPLACE
 * @len: bytes, rounded up to pages
 * @prot: PROT_READ, PROT_WRITE, PROT_EXEC
 * @flags: exactly one of MAP_SHARED and MAP_PRIVATE, plus MAP_FIXED,
 *	MAP_FIXED_NOREPLACE, MAP_POPULATE, MAP_ANONYMOUS (implied)
 * @mapped: out: where the mapping starts
 *
 * A MAP_FIXED mapping replaces what it overlaps atomically: if it cannot
 * be made, the old mappings are still there.
 *
 * Return: 0; -EINVAL for unknown bits, a bad map type, a zero length or
 * an unaligned fixed address; -ENOMEM when the length overflows, no range
 * is free, a limit would be passed, or memory ran out; -EPERM below
 * mmap_min_addr; -EEXIST for MAP_FIXED_NOREPLACE over a mapping.
 */
int asp_mmap(struct asp_mm *mm, unsigned long addr, unsigned long len,
	     u32 prot, u32 flags, unsigned long *mapped)
{
	int ret;

	ret = asp_mmap_check_args(prot, flags, len);
	if (ret)
		return ret;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;
	down_write(&mm->lock);
	ret = asp_mmap_locked(mm, addr, len, prot, flags, mapped);
	up_write(&mm->lock);
	return ret;
}
