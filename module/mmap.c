// SPDX-License-Identifier: GPL-2.0
/*
 * mmap and munmap on an address space, with the semantics of Linux's
 * mm/mmap.c: argument checks, the choice of an address (top-down,
 * bottom-up, hints, MAP_FIXED), and MAP_POPULATE, which, as in Linux,
 * does not fail the mmap when it runs out of memory.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>

#include "internal.h"
#include "shm.h"

#define ASP_PROT_ALL	(PROT_READ | PROT_WRITE | PROT_EXEC)
#define ASP_MAP_ALL	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | \
			 MAP_ANONYMOUS | MAP_POPULATE | MAP_FIXED_NOREPLACE)

static unsigned long asp_vma_pages_in(struct asp_vma *vma, unsigned long start,
				      unsigned long end)
{
	return (min(end, vma->end) - max(start, vma->start)) >> PAGE_SHIFT;
}

/*
 * Pages of [start, end) that VMAs cover (Linux's count_vma_pages_range),
 * from @first, the first VMA that ends above @start.
 */
static unsigned long asp_pages_mapped(struct asp_mm *mm, struct asp_vma *first,
				      unsigned long start, unsigned long end)
{
	struct asp_vma *vma;
	unsigned long pages = 0;

	for (vma = first; vma && vma->start < end;
	     vma = asp_vma_next(&mm->vmas, vma)) {
		pages += asp_vma_pages_in(vma, start, end);
		cond_resched();
	}
	return pages;
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

static bool asp_hint_valid(struct asp_layout *l, unsigned long addr,
			   unsigned long len)
{
	if (l->task_size - len < addr)
		return false;
	return (addr > l->map_window) == (addr + len > l->map_window);
}

/* Is [addr, addr + len) free?  @next gets the first VMA ending above it. */
static bool asp_hint_free(struct asp_mm *mm, unsigned long addr,
			  unsigned long len, struct asp_vma **next)
{
	struct asp_vma *vma = asp_vma_find_next(&mm->vmas, addr);

	*next = vma;
	return !vma ||
	       addr + len <= asp_vma_start_gap(vma, mm->layout.stack_guard_gap);
}

/*
 * Linux's arch_get_unmapped_area() for the legacy (bottom-up) layout.
 * @next gets the first VMA ending above the address found.
 */
static int asp_area_bottomup(struct asp_mm *mm, unsigned long hint,
			     unsigned long len, unsigned long *addr,
			     struct asp_vma **next)
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
	if (hint && s.high - len >= hint && asp_hint_free(mm, hint, len, next)) {
		*addr = hint;
		return 0;
	}
	return asp_vma_find_area_next(&mm->vmas, &s, addr, next);
}

/*
 * Linux's arch_get_unmapped_area_topdown(), bottom-up as the fallback.
 * @next gets the first VMA ending above the address found.
 */
static int asp_area_topdown(struct asp_mm *mm, unsigned long hint,
			    unsigned long len, unsigned long *addr,
			    struct asp_vma **next)
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
	    asp_hint_free(mm, hint, len, next)) {
		*addr = hint;
		return 0;
	}
	if (hint > l->map_window)
		s.high += l->task_size - l->map_window;
	if (!asp_vma_find_area_next(&mm->vmas, &s, addr, next))
		return 0;
	return asp_area_bottomup(mm, hint, len, addr, next);
}

/*
 * Linux's get_unmapped_area() with its security_mmap_addr() check.  @next
 * gets the first VMA ending above the address (asp_vma_find_next()),
 * which the search looked up on its way.
 */
static int asp_get_area(struct asp_mm *mm, unsigned long hint,
			unsigned long len, u32 flags, unsigned long *addr,
			struct asp_vma **next)
{
	struct asp_layout *l = &mm->layout;
	int ret = 0;

	if (len > l->task_size)
		return -ENOMEM;
	if (flags & MAP_FIXED)
		*addr = hint;
	else if (l->flags & ASPACE_LAYOUT_LEGACY)
		ret = asp_area_bottomup(mm, hint, len, addr, next);
	else
		ret = asp_area_topdown(mm, hint, len, addr, next);
	if (!(flags & MAP_FIXED) && ret)
		return ret;
	if (*addr > l->task_size - len)
		return -ENOMEM;
	if (offset_in_page(*addr))
		return -EINVAL;
	if (*addr < l->mmap_min_addr)
		return -EPERM;
	if (flags & MAP_FIXED)
		*next = asp_vma_find_next(&mm->vmas, *addr);
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

static int asp_mmap_locked(struct asp_mm *mm, unsigned long hint,
			   unsigned long len, u32 prot, u32 flags,
			   unsigned long *mapped)
{
	unsigned long vm_flags = asp_mmap_vm_flags(prot, flags);
	unsigned long addr = 0, end, pages = len >> PAGE_SHIFT;
	struct asp_vma *first, *new, *vma;
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
	ret = asp_get_area(mm, hint, len, flags, &addr, &first);
	if (ret)
		return ret;
	end = addr + len;
	if ((flags & MAP_FIXED_NOREPLACE) && first && first->start < end)
		return -EEXIST;
	/*
	 * The search found a free range, and what follows trusts @first to be
	 * the VMA after it: never let a wrong search replace a mapping.
	 */
	if (!(flags & MAP_FIXED) && first && first->start < end)
		return -ENOMEM;
	if (!asp_may_expand(mm, vm_flags, pages) &&
	    !asp_may_expand(mm, vm_flags,
			    pages - asp_pages_mapped(mm, first, addr, end)))
		return -ENOMEM;
	if (asp_unmap_would_split_over(mm, first, addr, end))
		return -ENOMEM;

	new = asp_vma_alloc(addr, end, vm_flags);
	if (!new)
		return -ENOMEM;
	if (vm_flags & ASP_VM_SHARED) {
		new->shm = asp_shm_new();
		if (!new->shm) {
			ret = -ENOMEM;
			goto err_free;
		}
		new->obj = new->shm->id;
	}
	ret = asp_carve_from(mm, first, addr, end, true, true, &c);
	if (ret)
		goto err_free;
	vma = asp_map_range(mm, addr, end, new, &c, &detached, &ret);
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

