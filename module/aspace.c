// SPDX-License-Identifier: GPL-2.0
/*
 * The address space: creation with Linux's default layout and limits,
 * and destruction.  The operations live in mmap.c, mprotect.c, brk.c,
 * madvise.c, clone.c and access.c; layout, limits, query and stats in
 * control.c.
 *
 * An address space belongs to the process that created it: the one that
 * opened the descriptor, or made the clone.  Its data pages count in that
 * process's RSS (anonymous or shmem) and its page tables in its
 * page-table bytes, as if they were mapped in its own memory, so the OOM
 * killer sees the process holding them as large.  The owner stays the
 * same when the descriptor is passed on or inherited, also after the
 * owner exits or execs (its mm is then kept, without its memory, until
 * the address space is destroyed; what it counts is taken back before).
 */
#include <linux/err.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "internal.h"
#include "mem.h"

static struct asp_param_bytes resident_max_bytes;
module_param_cb(resident_max_bytes, &asp_param_bytes_ops, &resident_max_bytes,
		0644);
MODULE_PARM_DESC(resident_max_bytes,
		 "most bytes of data pages one address space may hold, and the resident limit a new one starts with: bytes, with an optional K, M, G, T, P or E suffix (default: half of RAM)");

static unsigned long max_map_count = ASP_MAX_MAP_COUNT;

/* Like vm.max_map_count: 1 .. INT_MAX. */
static int asp_param_set_map_count(const char *val,
				   const struct kernel_param *kp)
{
	unsigned long n;
	int ret;

	ret = kstrtoul(val, 0, &n);
	if (ret)
		return ret;
	if (!n || n > INT_MAX)
		return -EINVAL;
	WRITE_ONCE(*(unsigned long *)kp->arg, n);
	return 0;
}

static const struct kernel_param_ops asp_map_count_ops = {
	.set = asp_param_set_map_count,
	.get = param_get_ulong,
};
module_param_cb(max_map_count, &asp_map_count_ops, &max_map_count, 0644);
__MODULE_PARM_TYPE(max_map_count, "ulong");
MODULE_PARM_DESC(max_map_count,
		 "most VMAs of a new address space (default 65530)");

/**
 * asp_core_init() - set up what every address space shares
 *
 * The defaults of the module parameters not given at load are computed
 * here: resident_max_bytes is half of RAM.  The fault attribute
 * fail_aspace appears in debugfs when the kernel has fault injection.
 *
 * Return: 0 or a negative errno.
 */
int asp_core_init(void)
{
	int ret;

	asp_mem_init();
	if (!resident_max_bytes.given)
		WRITE_ONCE(resident_max_bytes.val, asp_totalram_bytes() / 2);
	ret = asp_vma_cache_init();
	if (ret)
		return ret;
	asp_fault_inject_init();
	return 0;
}

/**
 * asp_core_exit() - undo asp_core_init()
 */
void asp_core_exit(void)
{
	asp_fault_inject_exit();
	asp_vma_cache_exit();
}

/**
 * asp_layout_default() - Linux's x86_64 layout, without randomisation
 * @l: filled in
 * @flags: ASPACE_LAYOUT_* of the layout
 */
void asp_layout_default(struct asp_layout *l, u32 flags)
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
	lim->max_map_count = asp_max_map_count();
	lim->as_bytes = ASPACE_LIMIT_INFINITY;
	lim->data_bytes = ASPACE_LIMIT_INFINITY;
	lim->resident_bytes = READ_ONCE(resident_max_bytes.val);
	lim->stack_bytes = ASP_STACK_LIMIT;
}

/**
 * asp_resident_max() - the module's default resident limit
 *
 * Raising a resident limit above it needs CAP_SYS_RESOURCE.
 *
 * Return: the resident_max_bytes parameter.
 */
u64 asp_resident_max(void)
{
	return READ_ONCE(resident_max_bytes.val);
}

/**
 * asp_max_map_count() - the module's default VMA limit
 *
 * Raising a VMA limit above it needs CAP_SYS_RESOURCE.
 *
 * Return: the max_map_count parameter.
 */
u64 asp_max_map_count(void)
{
	return READ_ONCE(max_map_count);
}

/**
 * asp_mm_create_owned() - create an empty address space for an owner
 * @levels: 4 or 5 levels of page tables
 * @owner: the mm whose counters its pages count in (see above), or NULL
 *
 * Return: the address space with the default layout for @levels, or an
 * ERR_PTR().  May sleep.
 */
struct asp_mm *asp_mm_create_owned(unsigned int levels,
				   struct mm_struct *owner)
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
	mm->owner = owner;
	if (mm->owner) {
		mmgrab(mm->owner);
		asp_pt_set_owner(&mm->pt, mm->owner);
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
 * asp_mm_create_levels() - create an empty address space
 * @levels: 4 or 5 levels of page tables
 *
 * The calling process owns it (see above); a kernel thread without an mm
 * makes one without an owner.
 *
 * Return: the address space with the default layout for @levels, or an
 * ERR_PTR().  May sleep.
 */
struct asp_mm *asp_mm_create_levels(unsigned int levels)
{
	return asp_mm_create_owned(levels, current->mm);
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
 *
 * Every page and table leaves its owner's counters before the owner's mm
 * is dropped: if that is the last reference (the owner has exited),
 * __mmdrop() checks that the counters are back to zero.
 */
void asp_mm_destroy(struct asp_mm *mm)
{
	down_write(&mm->lock);
	asp_pt_destroy(&mm->pt, asp_mm_release_page, mm);
	asp_vmas_destroy(&mm->vmas);
	WARN_ON_ONCE(mm->resident);
	up_write(&mm->lock);
	if (mm->owner)
		mmdrop(mm->owner);
	kfree(mm);
	atomic_long_dec(&asp_nr_mms);
}
