// SPDX-License-Identifier: GPL-2.0
/*
 * The address space: creation, layout, limits and introspection.  The
 * operations that change mappings live in mmap.c and clone.c.
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "aspace.h"
#include "mem.h"

static unsigned long resident_max_bytes = ASPACE_LIMIT_INFINITY;
module_param(resident_max_bytes, ulong, 0644);
MODULE_PARM_DESC(resident_max_bytes,
		 "most bytes of data pages one address space may hold");

static atomic64_t asp_next_id = ATOMIC64_INIT(0);

/**
 * asp_anon_id_new() - a new identity for anonymous memory or an object
 *
 * Return: a number never returned before (never 0).
 */
u64 asp_anon_id_new(void)
{
	return atomic64_inc_return(&asp_next_id);
}

/**
 * asp_core_init() - set up what every address space shares
 *
 * Return: 0 or a negative errno.
 */
int asp_core_init(void)
{
	return asp_vma_cache_init();
}

/**
 * asp_core_exit() - undo asp_core_init()
 */
void asp_core_exit(void)
{
	asp_vma_cache_exit();
}

/* Linux's x86_64 layout for a process that does not randomise. */
static void asp_layout_default(struct asp_layout *l, u32 flags)
{
	l->flags = flags;
	l->task_size = flags & ASPACE_LAYOUT_LA57 ? ASP_TASK_SIZE_5L :
						    ASP_TASK_SIZE_4L;
	l->map_window = ASP_TASK_SIZE_4L;
	l->mmap_min_addr = ASP_MMAP_MIN_ADDR;
	l->legacy_base = PAGE_ALIGN(l->map_window / 3);
	if (flags & ASPACE_LAYOUT_LEGACY)
		l->mmap_base = l->legacy_base;
	else
		l->mmap_base = l->map_window - ASP_MMAP_GAP_MIN;
	l->heap_start = PAGE_ALIGN(l->map_window / 3 * 2);
	l->stack_size = ASP_STACK_SIZE;
	l->stack_guard_gap = ASP_STACK_GUARD_GAP;
}

static void asp_limits_default(struct asp_limits *lim)
{
	lim->max_map_count = ASP_MAX_MAP_COUNT;
	lim->as_bytes = ASPACE_LIMIT_INFINITY;
	lim->data_bytes = ASPACE_LIMIT_INFINITY;
	lim->resident_bytes = resident_max_bytes;
}

/**
 * asp_mm_create_levels() - create an empty address space
 * @levels: 4 or 5 levels of page tables
 *
 * Return: the address space with the default layout for @levels, or an
 * ERR_PTR().  May sleep.
 */
struct asp_mm *asp_mm_create_levels(unsigned int levels)
{
	struct asp_mm *mm;
	int ret;

	if (asp_should_fail_alloc())
		return ERR_PTR(-ENOMEM);
	mm = kzalloc(sizeof(*mm), GFP_KERNEL_ACCOUNT);
	if (!mm)
		return ERR_PTR(-ENOMEM);
	init_rwsem(&mm->lock);
	ret = asp_pt_init(&mm->pt, levels);
	if (ret) {
		kfree(mm);
		return ERR_PTR(ret);
	}
	atomic_long_inc(&asp_nr_mms);
	asp_vmas_init(&mm->vmas, &mm->lock);
	asp_layout_default(&mm->layout, levels == 5 ? ASPACE_LAYOUT_LA57 : 0);
	asp_limits_default(&mm->limits);
	mm->start_brk = mm->layout.heap_start;
	mm->brk = mm->start_brk;
	return mm;
}

/**
 * asp_mm_create() - create an empty address space with the default layout
 *
 * Return: the address space (4-level), or an ERR_PTR().  May sleep.
 */
struct asp_mm *asp_mm_create(void)
{
	return asp_mm_create_levels(4);
}

/**
 * asp_mm_destroy() - free an address space and everything it holds
 * @mm: the address space; nobody else may use it any more
 */
void asp_mm_destroy(struct asp_mm *mm)
{
	down_write(&mm->lock);
	asp_pt_destroy(&mm->pt, asp_mm_release_page, mm);
	asp_vmas_destroy(&mm->vmas);
	up_write(&mm->lock);
	kfree(mm);
	atomic_long_dec(&asp_nr_mms);
}

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

static int asp_layout_map_stack(struct asp_mm *mm)
{
	struct asp_layout *l = &mm->layout;
	struct asp_vma *vma;
	int ret;

	vma = asp_vma_alloc(l->map_window - l->stack_size, l->map_window,
			    ASP_VM_READ | ASP_VM_WRITE | ASP_VM_GROWSDOWN |
			    ASP_VM_ACCOUNT);
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
 * mapping or a heap; -ENOMEM.  Nothing changes on error.
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
	up_read(&mm->lock);
	return 0;
}

/**
 * asp_set_limits() - set the limits, like setrlimit()
 * @mm: the address space; takes its lock for write
 * @in: the new limits
 *
 * Limits apply to later operations; what is mapped already stays, as with
 * setrlimit().
 *
 * Return: 0; -EINVAL for a map count of 0 or above INT_MAX, or a
 * resident limit above the module's resident_max_bytes parameter.
 */
int asp_set_limits(struct asp_mm *mm, const struct aspace_limits *in)
{
	if (!in->max_map_count || in->max_map_count > INT_MAX)
		return -EINVAL;
	if (in->resident_bytes > READ_ONCE(resident_max_bytes))
		return -EINVAL;
	down_write(&mm->lock);
	mm->limits.max_map_count = in->max_map_count;
	mm->limits.as_bytes = in->as_bytes;
	mm->limits.data_bytes = in->data_bytes;
	mm->limits.resident_bytes = in->resident_bytes;
	up_write(&mm->lock);
	return 0;
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
	/*
	 * The rule /proc/PID/maps uses to name [heap]; a shared mapping is
	 * named after its shmem file before that rule is reached.
	 */
	if (!(vma->flags & ASP_VM_SHARED) &&
	    vma->start <= mm->brk && vma->end >= mm->start_brk)
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
	q->vma_id = vma->obj;
out:
	up_read(&mm->lock);
	return ret;
}

static int asp_count_shared(u64 *ptep, unsigned long addr, void *arg)
{
	u64 *shared = arg;

	if (asp_data_page_shared(asp_pte_page(*ptep)))
		(*shared)++;
	return 0;
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
	st->resident_pages = mm->resident;
	st->shared_pages = 0;
	asp_pt_walk(&mm->pt, 0, mm->layout.task_size, asp_count_shared,
		    &st->shared_pages);
	for (i = 0; i < ASP_PT_MAX_LEVELS; i++)
		st->pgtable_pages[i] = mm->pt.nr_tables[i];
	st->faults = mm->faults;
	st->cow_breaks = mm->cow_breaks;
	up_read(&mm->lock);
	return 0;
}
