// SPDX-License-Identifier: GPL-2.0
/*
 * The control operations of an address space: get and set its layout and
 * limits, query its VMAs, read its counters.
 */
#include <linux/mm.h>
#include <linux/sched.h>

#include "internal.h"
#include "mem.h"
#include "shm.h"

/**
 * asp_get_layout() - report the layout
 * @mm: the address space; takes its lock for read
 * @out: filled in (size left to the caller)
 *
 * Return: 0.
 */
int asp_get_layout(struct asp_mm *mm, struct aspace_layout *out)
{
	down_read(&mm->lock);
	out->flags = mm->layout.flags;
	out->mmap_min_addr = mm->layout.mmap_min_addr;
	out->mmap_base = mm->layout.mmap_base;
	out->heap_start = mm->layout.heap_start;
	out->stack_size = mm->layout.stack_size;
	out->stack_guard_gap = mm->layout.stack_guard_gap;
	out->task_size = mm->layout.task_size;
	up_read(&mm->lock);
	return 0;
}

static bool asp_page_aligned(u64 v)
{
	return !(v & ~PAGE_MASK);
}

/* Build the layout @in asks for on top of the defaults, or -EINVAL. */
static int asp_layout_from_user(const struct aspace_layout *in,
				struct asp_layout *l)
{
	if (in->flags & ~(ASPACE_LAYOUT_LA57 | ASPACE_LAYOUT_LEGACY |
			  ASPACE_LAYOUT_STACK))
		return -EINVAL;
	asp_layout_default(l, in->flags);
	if (!asp_page_aligned(in->mmap_min_addr) ||
	    !asp_page_aligned(in->mmap_base) ||
	    !asp_page_aligned(in->heap_start) ||
	    !asp_page_aligned(in->stack_size) ||
	    !asp_page_aligned(in->stack_guard_gap))
		return -EINVAL;
	/* Zero is the default, as for the others: page 0 is never mapped. */
	if (in->mmap_min_addr)
		l->mmap_min_addr = in->mmap_min_addr;
	if (in->mmap_base)
		l->mmap_base = in->mmap_base;
	if (l->flags & ASPACE_LAYOUT_LEGACY)
		l->legacy_base = l->mmap_base;
	if (in->heap_start)
		l->heap_start = in->heap_start;
	if (in->stack_size)
		l->stack_size = in->stack_size;
	if (in->stack_guard_gap)
		l->stack_guard_gap = in->stack_guard_gap;

	if (l->mmap_min_addr >= l->map_window ||
	    l->mmap_base <= l->mmap_min_addr || l->mmap_base > l->map_window ||
	    l->heap_start < l->mmap_min_addr ||
	    l->heap_start >= l->map_window ||
	    l->stack_size > l->map_window - l->mmap_min_addr ||
	    l->stack_guard_gap > l->map_window)
		return -EINVAL;
	return 0;
}

/*
 * The stack VMA of ASPACE_LAYOUT_STACK.  As expand_stack() at exec
 * (acct_stack_growth()), it may not start larger than stack_bytes
 * (RLIMIT_STACK) nor take the mapped bytes past as_bytes (RLIMIT_AS).
 */
static int asp_layout_map_stack(struct asp_mm *mm)
{
	const unsigned long flags = ASP_VM_READ | ASP_VM_WRITE |
				    ASP_VM_GROWSDOWN | ASP_VM_ACCOUNT;
	struct asp_layout *l = &mm->layout;
	struct asp_vma *vma;
	int ret;

	if (l->stack_size > mm->limits.stack_bytes ||
	    !asp_may_expand(mm, flags, l->stack_size >> PAGE_SHIFT))
		return -ENOMEM;
	vma = asp_vma_alloc(l->map_window - l->stack_size, l->map_window,
			    flags);
	if (!vma)
		return -ENOMEM;
	ret = asp_vma_insert(&mm->vmas, vma);
	if (ret) {
		asp_vma_free(vma);
		return ret;
	}
	asp_mm_account(mm, vma->flags, l->stack_size >> PAGE_SHIFT);
	return 0;
}

/**
 * asp_set_layout() - choose the layout of an empty address space
 * @mm: the address space; takes its lock for write
 * @in: the layout asked for (zero fields ask for the default)
 *
 * Return: 0; -EINVAL for a bad layout; -EBUSY if the address space has a
 * mapping or a heap; -ENOMEM for a stack larger than the stack_bytes or
 * as_bytes limit allows, or no memory.  Nothing changes on error.
 */
int asp_set_layout(struct asp_mm *mm, const struct aspace_layout *in)
{
	struct asp_pgtable pt;
	struct asp_layout l;
	int ret;

	ret = asp_layout_from_user(in, &l);
	if (ret)
		return ret;
	ret = asp_pt_init(&pt, l.flags & ASPACE_LAYOUT_LA57 ? 5 : 4);
	if (ret)
		return ret;
	/* Counted like the tables it replaces; those leave with it. */
	asp_pt_set_owner(&pt, mm->owner);

	down_write(&mm->lock);
	if (mm->vmas.count || mm->brk != mm->start_brk) {
		ret = -EBUSY;
		goto out_unlock;
	}
	swap(mm->pt, pt);
	swap(mm->layout, l);
	if (mm->layout.flags & ASPACE_LAYOUT_STACK) {
		ret = asp_layout_map_stack(mm);
		if (ret) {
			swap(mm->pt, pt);
			swap(mm->layout, l);
			goto out_unlock;
		}
	}
	mm->start_brk = mm->layout.heap_start;
	mm->brk = mm->start_brk;
out_unlock:
	up_write(&mm->lock);
	asp_pt_destroy(&pt, NULL, NULL);
	return ret;
}

/**
 * asp_get_limits() - report the limits
 * @mm: the address space; takes its lock for read
 * @out: filled in (size left to the caller)
 *
 * Return: 0.
 */
int asp_get_limits(struct asp_mm *mm, struct aspace_limits *out)
{
	down_read(&mm->lock);
	out->max_map_count = mm->limits.max_map_count;
	out->as_bytes = mm->limits.as_bytes;
	out->data_bytes = mm->limits.data_bytes;
	out->resident_bytes = mm->limits.resident_bytes;
	out->stack_bytes = mm->limits.stack_bytes;
	up_read(&mm->lock);
	return 0;
}

/*
 * Does @val raise a limit that is now @cur above the module's default
 * @def?  That is root's, as raising a hard rlimit is; lowering, and
 * raising up to the default, are everyone's.
 */
static bool asp_limit_raises(u64 val, u64 cur, u64 def)
{
	return val > max(cur, def);
}

/**
 * asp_set_limits() - set the limits, like setrlimit()
 * @mm: the address space; takes its lock for write
 * @in: the new limits
 * @may_raise: the caller may raise the VMA and resident limits above
 *	both their current values and the module's defaults (the
 *	max_map_count and resident_max_bytes parameters): dev.c passes
 *	true only for a caller with CAP_SYS_RESOURCE
 *
 * Limits apply to later operations; what is mapped already stays, as with
 * setrlimit().  A zero @in->stack_bytes (user space older than the
 * field) keeps the stack limit.
 *
 * Return: 0; -EINVAL for a map count of 0 or above INT_MAX; -EPERM for a
 * raise @may_raise does not allow.  Nothing changes on error.
 */
int asp_set_limits(struct asp_mm *mm, const struct aspace_limits *in,
		   bool may_raise)
{
	int ret = 0;

	if (!in->max_map_count || in->max_map_count > INT_MAX)
		return -EINVAL;
	down_write(&mm->lock);
	if (!may_raise &&
	    (asp_limit_raises(in->max_map_count, mm->limits.max_map_count,
			      asp_max_map_count()) ||
	     asp_limit_raises(in->resident_bytes, mm->limits.resident_bytes,
			      asp_resident_max()))) {
		ret = -EPERM;
		goto out_unlock;
	}
	mm->limits.max_map_count = in->max_map_count;
	mm->limits.as_bytes = in->as_bytes;
	mm->limits.data_bytes = in->data_bytes;
	mm->limits.resident_bytes = in->resident_bytes;
	if (in->stack_bytes)
		mm->limits.stack_bytes = in->stack_bytes;
out_unlock:
	up_write(&mm->lock);
	return ret;
}

/*
 * The rule /proc/PID/maps of the Linux aspace is built for uses to name
 * [heap] (a shared mapping is named after its shmem file before that rule
 * is reached): since 6.6 vma_is_initial_heap(), vm_start < brk &&
 * vm_end > start_brk; before, a VMA that only touched the heap counted too.
 */
static bool asp_vma_is_heap(const struct asp_mm *mm,
			    const struct asp_vma *vma)
{
	if (ASP_LINUX_SINCE(6, 6))
		return vma->start < mm->brk && vma->end > mm->start_brk;
	return vma->start <= mm->brk && vma->end >= mm->start_brk;
}

static u64 asp_vma_uflags(struct asp_mm *mm, const struct asp_vma *vma)
{
	u64 f = 0;

	if (vma->flags & ASP_VM_READ)
		f |= ASPACE_VMA_READ;
	if (vma->flags & ASP_VM_WRITE)
		f |= ASPACE_VMA_WRITE;
	if (vma->flags & ASP_VM_EXEC)
		f |= ASPACE_VMA_EXEC;
	if (vma->flags & ASP_VM_SHARED)
		f |= ASPACE_VMA_SHARED;
	if (vma->flags & ASP_VM_GROWSDOWN)
		f |= ASPACE_VMA_STACK;
	if (vma->flags & ASP_VM_DONTCOPY)
		f |= ASPACE_VMA_DONTFORK;
	if (vma->flags & ASP_VM_WIPEONFORK)
		f |= ASPACE_VMA_WIPEONFORK;
	if (!(vma->flags & ASP_VM_SHARED) && asp_vma_is_heap(mm, vma))
		f |= ASPACE_VMA_HEAP;
	return f;
}

/**
 * asp_query() - the VMA covering (or following) an address
 * @mm: the address space; takes its lock for read
 * @q: in: query_flags, query_addr; out: the vma_* fields
 *
 * Return: 0; -EINVAL for unknown query flags; -ENOENT if there is no
 * such VMA.
 */
int asp_query(struct asp_mm *mm, struct aspace_query *q)
{
	struct asp_vma *vma;
	int ret = 0;

	if (q->query_flags & ~ASPACE_QUERY_COVERING_OR_NEXT)
		return -EINVAL;
	down_read(&mm->lock);
	if (q->query_addr >= mm->layout.task_size) {
		ret = -ENOENT;
		goto out;
	}
	if (q->query_flags & ASPACE_QUERY_COVERING_OR_NEXT)
		vma = asp_vma_find_next(&mm->vmas, q->query_addr);
	else
		vma = asp_vma_find(&mm->vmas, q->query_addr);
	if (!vma) {
		ret = -ENOENT;
		goto out;
	}
	q->vma_start = vma->start;
	q->vma_end = vma->end;
	q->vma_flags = asp_vma_uflags(mm, vma);
	q->vma_page_offset = (u64)vma->pgoff << PAGE_SHIFT;
	q->vma_id = vma->shm ? vma->shm->id : 0;
out:
	up_read(&mm->lock);
	return ret;
}

/**
 * struct asp_shared_count - counting pages another address space maps
 * @refs: references a page not mapped elsewhere has: its entry's, and
 *	for a shared mapping its shared object's
 * @shared: pages with more
 */
struct asp_shared_count {
	int refs;
	u64 shared;
};

static int asp_count_shared(u64 *ptep, unsigned long addr, void *arg)
{
	struct page *page = asp_pte_page(READ_ONCE(*ptep));
	struct asp_shared_count *sc = arg;

	if (!asp_page_is_zero(page) && page_ref_count(page) > sc->refs)
		sc->shared++;
	return 0;
}

/* Resident pages that another address space (a clone) maps too. */
static u64 asp_shared_pages(struct asp_mm *mm)
{
	struct asp_shared_count sc = {};
	struct asp_vma *vma;

	for (vma = asp_vma_find_next(&mm->vmas, 0); vma;
	     vma = asp_vma_next(&mm->vmas, vma)) {
		sc.refs = vma->shm ? 2 : 1;
		asp_pt_walk(&mm->pt, vma->start, vma->end, asp_count_shared,
			    &sc);
		cond_resched();
	}
	return sc.shared;
}

/**
 * asp_stats() - the counters of an address space
 * @mm: the address space; takes its lock for read
 * @st: filled in (size left to the caller)
 *
 * Return: 0.
 */
int asp_stats(struct asp_mm *mm, struct aspace_stats *st)
{
	int i;

	down_read(&mm->lock);
	st->nr_vmas = mm->vmas.count;
	st->mapped_bytes = (u64)mm->total_vm << PAGE_SHIFT;
	st->data_bytes = (u64)mm->data_vm << PAGE_SHIFT;
	st->shared_pages = asp_shared_pages(mm);
	spin_lock(&mm->pt.lock);
	st->resident_pages = mm->resident;
	for (i = 0; i < ASP_PT_MAX_LEVELS; i++)
		st->pgtable_pages[i] = mm->pt.nr_tables[i];
	st->faults = mm->faults;
	st->cow_breaks = mm->cow_breaks;
	st->zero_page_maps = mm->zero_maps;
	spin_unlock(&mm->pt.lock);
	up_read(&mm->lock);
	return 0;
}
