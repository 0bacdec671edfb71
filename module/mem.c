// SPDX-License-Identifier: GPL-2.0
/*
 * Page allocation for aspace.
 *
 * Data pages are order-0 pages from alloc_pages(), zeroed and charged to
 * the caller's memory cgroup.  Their page reference count is the number of
 * address spaces (and page-table entries) that hold them: a clone takes a
 * reference, unmapping drops one, and the last drop frees the page.
 * Page-table pages are never shared.
 *
 * Both kinds are allocated with __GFP_RETRY_MAYFAIL | __GFP_NOWARN.  With
 * __GFP_RETRY_MAYFAIL the page allocator reclaims and retries but never
 * calls the OOM killer (__alloc_pages_may_oom()), and try_charge_memcg()
 * returns -ENOMEM after its reclaim retries instead of calling
 * mem_cgroup_oom(): running out of memory, or of the memory cgroup's
 * memory.max, fails the allocation.  MAP_POPULATE then stops early and
 * clone fails with -ENOMEM.  __GFP_NOWARN: such a failure is an expected
 * outcome, not worth an allocation-failure report in the kernel log.
 *
 * Failing only at the allocator's last pages is too late: the next
 * ordinary allocation of any process would then call the OOM killer.  So
 * no page is allocated while the memory available to the system
 * (si_mem_available(), MemAvailable in /proc/meminfo: free pages above the
 * watermarks plus the reclaimable part of the page cache and slab) is
 * below the mem_reserve_bytes parameter; by default a sixteenth of RAM, at
 * most 128 MiB (Linux keeps user_reserve_kbytes, up to 128 MiB, for the
 * same purpose when it does not overcommit).
 *
 * The pages are charged to the memory counters of the process that owns
 * the address space (asp_owner_rss_add(), asp_owner_tables_add()), as
 * Linux counts anonymous and shmem pages in RSS and page tables in
 * pgtables_bytes: what the OOM killer's oom_badness() adds up.  Pages of
 * the shared objects behind MAP_SHARED are marked (page_private() is
 * ASP_PAGE_SHM while they live) and count as shmem, the others as
 * anonymous memory.
 *
 * asp_nr_data_pages and asp_nr_table_pages count the pages the module
 * holds right now, asp_nr_vmas and asp_nr_mms the VMAs (vma.c) and address
 * spaces (aspace.c); all are back to zero once every descriptor is closed.
 *
 * Every allocation first asks asp_should_fail_alloc(): with the kernel's
 * fault-injection framework (CONFIG_FAULT_INJECTION) that is should_fail()
 * on the fault attribute fail_aspace, so /proc/PID/task/TID/fail-nth
 * counts the module's allocations along with the kernel's own (failslab,
 * fail_page_alloc), and /sys/kernel/debug/fail_aspace/ (with
 * CONFIG_FAULT_INJECTION_DEBUG_FS) makes them fail at random, as
 * fail_iommufd does for iommufd.  Without the framework the check compiles
 * to nothing.
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/percpu_counter.h>
#include <linux/string.h>

#include "internal.h"
#include "mem.h"

/* See above: fail instead of OOM-killing, and quietly. */
#define ASP_GFP_DATA	(GFP_HIGHUSER | __GFP_ACCOUNT | __GFP_ZERO | \
			 __GFP_RETRY_MAYFAIL | __GFP_NOWARN)
#define ASP_GFP_TABLE	(GFP_KERNEL | __GFP_ACCOUNT | __GFP_ZERO | \
			 __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

atomic_long_t asp_nr_data_pages = ATOMIC_LONG_INIT(0);
atomic_long_t asp_nr_table_pages = ATOMIC_LONG_INIT(0);
atomic_long_t asp_nr_vmas = ATOMIC_LONG_INIT(0);
atomic_long_t asp_nr_mms = ATOMIC_LONG_INIT(0);

/* page_private() of a data page of a shared object. */
#define ASP_PAGE_SHM	1UL

/* The default of mem_reserve_bytes: RAM / 16, at most this. */
#define ASP_MEM_RESERVE_MAX	(128UL << 20)

/**
 * asp_param_bytes_set() - set a byte-count module parameter
 * @val: the text written
 * @kp: the parameter; @kp->arg is its struct asp_param_bytes
 *
 * Return: 0 or -EINVAL.
 */
static int asp_param_bytes_set(const char *val, const struct kernel_param *kp)
{
	struct asp_param_bytes *p = kp->arg;
	unsigned long long v;
	char *end;

	/* A size as memparse() reads it (mem= on the command line): 512M. */
	v = memparse(val, &end);
	if (!isdigit(val[0]) || (*end && strcmp(end, "\n"))) {
		pr_err("aspace: %s=%s is not a size: give bytes, with an optional K, M, G, T, P or E suffix\n",
		       kp->name, val);
		return -EINVAL;
	}
	WRITE_ONCE(p->val, v);
	p->given = true;
	return 0;
}

/**
 * asp_param_bytes_get() - print a byte-count module parameter
 * @buf: the output page
 * @kp: the parameter; @kp->arg is its struct asp_param_bytes
 *
 * Return: bytes written.
 */
static int asp_param_bytes_get(char *buf, const struct kernel_param *kp)
{
	const struct asp_param_bytes *p = kp->arg;

	return scnprintf(buf, PAGE_SIZE, "%lu\n", READ_ONCE(p->val));
}

/*
 * A byte count whose default is computed at load, unless given to insmod;
 * afterwards it reads and writes as an unsigned long parameter.
 */
const struct kernel_param_ops asp_param_bytes_ops = {
	.set = asp_param_bytes_set,
	.get = asp_param_bytes_get,
};

static struct asp_param_bytes mem_reserve_bytes;
module_param_cb(mem_reserve_bytes, &asp_param_bytes_ops, &mem_reserve_bytes,
		0644);
MODULE_PARM_DESC(mem_reserve_bytes,
		 "allocate no page while MemAvailable is below this (default RAM/16, at most 128 MiB; 0: no reserve)");

/**
 * asp_mem_init() - compute the defaults of the allocation parameters
 *
 * mem_reserve_bytes, unless given at load: a sixteenth of RAM, at most
 * ASP_MEM_RESERVE_MAX.
 */
void asp_mem_init(void)
{
	if (!mem_reserve_bytes.given)
		WRITE_ONCE(mem_reserve_bytes.val,
			   min(asp_totalram_bytes() / 16, ASP_MEM_RESERVE_MAX));
}

/**
 * asp_totalram_bytes() - the RAM the page allocator manages
 *
 * Return: totalram_pages() in bytes (MemTotal).
 */
unsigned long asp_totalram_bytes(void)
{
	return totalram_pages() << PAGE_SHIFT;
}

/*
 * Is the system short of memory?  One more page would take MemAvailable
 * below the reserve (see above).
 */
static bool asp_mem_low(void)
{
	unsigned long reserve = READ_ONCE(mem_reserve_bytes.val) >> PAGE_SHIFT;

	return reserve && si_mem_available() <= (long)reserve;
}

#ifdef CONFIG_FAULT_INJECTION
static DECLARE_FAULT_ATTR(fail_aspace);
static struct dentry *fail_aspace_dir;

/**
 * asp_should_fail_alloc() - fault-injection check before an allocation
 *
 * Return: true if this allocation must fail: the calling task's fail-nth
 * count reached it, or fail_aspace's probability/interval/times say so.
 * Any context.
 */
bool asp_should_fail_alloc(void)
{
	return should_fail(&fail_aspace, 1);
}

/**
 * asp_fault_inject_init() - create /sys/kernel/debug/fail_aspace/
 *
 * Quiet by default: writing 1 or 2 to its verbose file logs each injected
 * failure (2: with a stack trace).  Without debugfs only fail-nth works.
 */
void asp_fault_inject_init(void)
{
	fail_aspace.verbose = 0;
	fail_aspace_dir = fault_create_debugfs_attr("fail_aspace", NULL,
						    &fail_aspace);
}

/**
 * asp_fault_inject_exit() - remove what asp_fault_inject_init() created
 */
void asp_fault_inject_exit(void)
{
	if (!IS_ERR_OR_NULL(fail_aspace_dir))
		debugfs_remove_recursive(fail_aspace_dir);
}

#if IS_ENABLED(CONFIG_ASPACE_KUNIT_TEST)
/**
 * asp_fail_nth_set() - make the @nth of aspace's allocations from now fail
 * @nth: 1 for the next one, 0 to turn injection off
 *
 * For the KUnit suites: arms fail_aspace to fail once, after @nth - 1
 * calls have passed (its space, times and probability, as the debugfs
 * files set them), so only aspace's own allocation points count, in any
 * task.  A task's fail-nth count (/proc/self/task/TID/fail-nth) counts
 * every fault-injection point of that task instead, the kernel's too.
 * Not for concurrent use.
 */
void asp_fail_nth_set(int nth)
{
	fail_aspace.probability = 0;
	atomic_set(&fail_aspace.times, 1);
	atomic_set(&fail_aspace.space, nth > 0 ? nth : 0);
	if (nth > 0)
		fail_aspace.probability = 100;
}

/**
 * asp_fail_nth_get() - allocations left before the injected failure
 *
 * Return: 0 once the failure was injected (or none was asked for), else
 * how many more of aspace's allocations will pass before it, counting the
 * one that fails.
 */
int asp_fail_nth_get(void)
{
	if (!fail_aspace.probability || !atomic_read(&fail_aspace.times))
		return 0;
	return atomic_read(&fail_aspace.space);
}
#endif /* CONFIG_ASPACE_KUNIT_TEST */
#endif /* CONFIG_FAULT_INJECTION */

/**
 * asp_data_page_alloc() - allocate a zeroed data page
 *
 * Charged to the caller's memory cgroup; fails rather than OOM-kill.
 *
 * Context: process context, may sleep.
 * Return: a page with one reference, or NULL.
 */
struct page *asp_data_page_alloc(void)
{
	struct page *page;

	if (asp_should_fail_alloc() || asp_mem_low())
		return NULL;
	page = alloc_page(ASP_GFP_DATA);
	if (page)
		atomic_long_inc(&asp_nr_data_pages);
	return page;
}

/**
 * asp_data_page_alloc_shm() - allocate a zeroed data page for a shared object
 *
 * As asp_data_page_alloc(), but the page counts as shmem (MM_SHMEMPAGES)
 * in its mappers' counters, see asp_owner_rss_add().
 *
 * Context: process context, may sleep.
 * Return: a page with one reference, or NULL.
 */
struct page *asp_data_page_alloc_shm(void)
{
	struct page *page = asp_data_page_alloc();

	if (page)
		set_page_private(page, ASP_PAGE_SHM);
	return page;
}

/**
 * asp_data_page_is_shm() - is a data page a shared object's?
 * @page: a page from asp_data_page_alloc*() the caller holds a reference on
 *
 * Return: true if it came from asp_data_page_alloc_shm().
 */
bool asp_data_page_is_shm(struct page *page)
{
	return page_private(page) == ASP_PAGE_SHM;
}

/**
 * asp_data_page_get() - take one more reference on a data page
 * @page: a page from asp_data_page_alloc() the caller holds a reference on
 */
void asp_data_page_get(struct page *page)
{
	get_page(page);
}

/**
 * asp_data_page_put() - drop a reference on a data page, freeing it last
 * @page: a page from asp_data_page_alloc()
 */
void asp_data_page_put(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (folio_put_testzero(folio)) {
		set_page_private(page, 0);
		atomic_long_dec(&asp_nr_data_pages);
		__folio_put(folio);
	}
}

/**
 * asp_data_page_shared() - is a data page held more than once?
 * @page: a page the caller holds a reference on
 *
 * Return: true if another holder (a clone) maps the page too.
 */
bool asp_data_page_shared(struct page *page)
{
	return page_ref_count(page) > 1;
}

/**
 * asp_table_page_alloc() - allocate a zeroed page-table page
 * @owner: the mm whose page-table bytes count it, or NULL
 *
 * Charged to the caller's memory cgroup; fails rather than OOM-kill.
 *
 * Context: process context, may sleep.
 * Return: the page, or NULL.  page_private() is zero: the table code keeps
 * its count of used entries there.
 */
struct page *asp_table_page_alloc(struct mm_struct *owner)
{
	struct page *page;

	if (asp_should_fail_alloc() || asp_mem_low())
		return NULL;
	page = alloc_page(ASP_GFP_TABLE);
	if (page) {
		atomic_long_inc(&asp_nr_table_pages);
		asp_owner_tables_add(owner, 1);
	}
	return page;
}

/**
 * asp_table_page_free() - free a page-table page
 * @page: a page from asp_table_page_alloc()
 * @owner: the mm it was counted in, or NULL
 */
void asp_table_page_free(struct page *page, struct mm_struct *owner)
{
	set_page_private(page, 0);
	asp_owner_tables_add(owner, -1);
	atomic_long_dec(&asp_nr_table_pages);
	__free_page(page);
}

/*
 * add_mm_counter() without its tracepoint: add_mm_counter() calls
 * mm_trace_rss_stat(), which neither 6.1 nor 6.12 exports to modules.
 * The counters are atomic_long_t up to 6.1 and percpu_counters (whose
 * percpu_counter_add() is exported) since 6.2.
 */
static void asp_mm_counter_add(struct mm_struct *mm, int member, long value)
{
#if ASP_LINUX_SINCE(6, 2)
	percpu_counter_add(&mm->rss_stat[member], value);
#else
	atomic_long_add(value, &mm->rss_stat.count[member]);
#endif
}

/**
 * asp_owner_rss_add() - count data pages in the RSS of an address space's owner
 * @owner: the owner's mm (held with mmgrab()), or NULL: nothing to do
 * @page: a page being mapped or unmapped; its kind chooses the counter:
 *	MM_SHMEMPAGES for a shared object's page, else MM_ANONPAGES
 * @pages: entries mapping it that come (positive) or go (negative)
 *
 * Every count added is taken back when the entry goes (at the latest when
 * the address space is destroyed, before it drops @owner), so the owner's
 * counters are right again by the time its mm is freed: check_mm() would
 * report a "Bad rss-counter state" otherwise.
 *
 * Context: any; the counters are atomic or per-CPU.
 */
void asp_owner_rss_add(struct mm_struct *owner, struct page *page, long pages)
{
	if (owner)
		asp_mm_counter_add(owner, asp_data_page_is_shm(page) ?
				   MM_SHMEMPAGES : MM_ANONPAGES, pages);
}

/**
 * asp_owner_tables_add() - count page-table pages in an owner's pgtables_bytes
 * @owner: the owner's mm (held with mmgrab()), or NULL: nothing to do
 * @tables: table pages that come (positive) or go (negative)
 *
 * A page table of any level is a page, as Linux's last-level tables are
 * (mm_inc_nr_ptes()); what the OOM killer and VmPTE see.  As for the RSS,
 * everything is taken back before the owner is dropped.
 *
 * Context: any.
 */
void asp_owner_tables_add(struct mm_struct *owner, long tables)
{
	if (!owner)
		return;
	for (; tables > 0; tables--)
		mm_inc_nr_ptes(owner);
	for (; tables < 0; tables++)
		mm_dec_nr_ptes(owner);
}
