// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the aspace address-space operations under fault
 * injection (module/mmap.c, mprotect.c, brk.c, clone.c, aspace.c).
 *
 * The project rule: every operation is all-or-nothing against running
 * out of memory.  An allocation failure at any point leaks nothing and
 * leaves the address space exactly as it was.  Each scenario builds a
 * starting state (VMAs with different protections, populated private,
 * shared and PROT_NONE pages with known contents, a heap, mappings that
 * cross table boundaries), then runs one operation with
 * asp_fail_nth_set(N) for N = 1, 2, 3, ... until the injected failure is
 * no longer reached:
 *
 * - the operation failed: the errno is -ENOMEM (brk: the old break is
 *   returned) and a snapshot of the whole address space (every VMA, the
 *   counters, every leaf entry with its frame, the page's reference count
 *   and a checksum of its contents, the module's page counters) is
 *   exactly the one taken before;
 * - it succeeded: the result equals that of the same operation run
 *   without injection on a second address space built the same way.
 *   Only the documented best-effort steps may swallow an injected
 *   failure: MAP_POPULATE may stop early, and a merge may leave two equal
 *   adjacent VMAs.
 *
 * An mprotect that fails half way as Linux's does (a hole in the range,
 * a split past max_map_count: the VMAs before it changed) fails so
 * without injection too; with it, it either stops on the injected
 * failure with nothing changed, or does what it did without (a merge
 * may be skipped).
 *
 * A fatal signal pending in the caller (am_test_killed()) stops
 * MAP_POPULATE early, leaving a consistent space, and fails clone with
 * -EINTR, leaving the source as it was.
 *
 * After every step the page-table pages and data pages the module holds
 * must be exactly those the live address spaces account for, and at the
 * end of every case the module's counters are back where they started.
 * The address spaces a case builds belong to an mm of its own (clones,
 * made by the test's kernel thread, to none): after every step that mm's
 * RSS counters and page-table bytes must be exactly what those address
 * spaces hold, and zero once they are destroyed.
 *
 * The suite is linked into the kernel (CONFIG_ASPACE=y): built-in KUnit
 * suites run from kernel_init_freeable() after every initcall, so the
 * module's init (asp_core_init(): the VMA cache) has run.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../module/internal.h"
#include "../module/mem.h"
#include "../module/shm.h"

#define P		PAGE_SIZE
/* The base state's mappings: around 1 GiB, 512 GiB and (5-level) 256 TiB. */
#define AM_X		(SZ_1G - 8 * P)
#define AM_G		BIT(39)
#define AM_H		BIT(48)

#define AM_RW		(PROT_READ | PROT_WRITE)
#define AM_RWX		(PROT_READ | PROT_WRITE | PROT_EXEC)
#define AM_PRIV_FIXED	(MAP_PRIVATE | MAP_FIXED)
#define AM_SHARED_FIXED	(MAP_SHARED | MAP_FIXED)

#define AM_MAX_MMS	16
#define AM_MAX_VMAS	32
#define AM_MAX_LEAVES	128
#define AM_MAX_TRIES	200
#define AM_MSG		192

/* The leaf bits that follow from a VMA's protections. */
#define AM_PTE_ACCESS	(ASP_PTE_P | ASP_PTE_RW | ASP_PTE_US | ASP_PTE_NX | \
			 ASP_PTE_PROTNONE)

/* How am_diff() compares two snapshots. */
#define AM_EXACT	BIT(0)	/* the same space: frames, ids, refs, counters */
#define AM_COALESCE	BIT(1)	/* equal adjacent VMAs may stay unmerged */
#define AM_POPULATE	BIT(2)	/* population of [lo, hi) may stop early */
#define AM_CLONE	BIT(3)	/* a copy: new anon ids, frames checked apart */
#define AM_NOREFS	BIT(4)	/* page refs and module counters may differ */

/**
 * struct am_vma - one VMA as a snapshot saw it
 * @start: first byte
 * @end: one past the last byte
 * @flags: ASP_VM_*
 * @pgoff: page offset in the backing object
 * @obj: backing object id (shared)
 * @anon: anonymous memory id (private)
 */
struct am_vma {
	unsigned long start;
	unsigned long end;
	unsigned long flags;
	unsigned long pgoff;
	u64 obj;
	u64 anon;
};

/**
 * struct am_leaf - one mapped leaf as a snapshot saw it
 * @addr: the address it maps
 * @pte: the entry, frame included
 * @sum: checksum of the data page's contents
 * @refs: reference count of the data page
 */
struct am_leaf {
	unsigned long addr;
	u64 pte;
	u64 sum;
	int refs;
};

/**
 * struct am_snap - everything observable about an address space
 * @levels: page-table levels
 * @root_pfn: frame of the root table
 * @layout: the layout
 * @limits: the limits
 * @count: vmas.count
 * @start_brk: heap start
 * @brk: the break
 * @total_vm: pages in VMAs
 * @data_vm: data pages in VMAs
 * @resident: data pages mapped
 * @nr_tables: page-table pages per level
 * @data_pages: asp_nr_data_pages at the time
 * @table_pages: asp_nr_table_pages at the time
 * @vma_structs: asp_nr_vmas at the time
 * @mm_structs: asp_nr_mms at the time
 * @nr_vmas: entries of @vma
 * @nr_leaves: entries of @leaf
 * @bad: the first inconsistency found while taking it, or ""
 * @vma: the VMAs in address order
 * @leaf: the mapped leaves in address order
 */
struct am_snap {
	unsigned int levels;
	unsigned long root_pfn;
	struct asp_layout layout;
	struct asp_limits limits;
	unsigned long count;
	unsigned long start_brk;
	unsigned long brk;
	unsigned long total_vm;
	unsigned long data_vm;
	unsigned long resident;
	unsigned long nr_tables[ASP_PT_MAX_LEVELS];
	long data_pages;
	long table_pages;
	long vma_structs;
	long mm_structs;
	unsigned int nr_vmas;
	unsigned int nr_leaves;
	char bad[AM_MSG];
	struct am_vma vma[AM_MAX_VMAS];
	struct am_leaf leaf[AM_MAX_LEAVES];
};

/**
 * struct am_ctx - per-test state
 * @mm: the live address spaces, destroyed by the exit hook if a test
 *	stopped early
 * @data0: asp_nr_data_pages when the test started
 * @tables0: asp_nr_table_pages when the test started
 * @vmas0: asp_nr_vmas when the test started
 * @mms0: asp_nr_mms when the test started
 * @owner: the mm that owns the address spaces am_new() makes
 * @snap: snapshots for the test to use
 * @norm: scratch for am_diff()'s coalescing
 * @msg: the difference am_diff() found
 */
struct am_ctx {
	struct asp_mm *mm[AM_MAX_MMS];
	long data0;
	long tables0;
	long vmas0;
	long mms0;
	struct mm_struct *owner;
	struct am_snap *snap[4];
	struct am_vma norm[2][AM_MAX_VMAS];
	char msg[AM_MSG];
};

static int am_test_init(struct kunit *test)
{
	struct am_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	unsigned int i;

	if (!ctx)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(ctx->snap); i++) {
		ctx->snap[i] = kunit_kzalloc(test, sizeof(*ctx->snap[i]),
					     GFP_KERNEL);
		if (!ctx->snap[i])
			return -ENOMEM;
	}
	ctx->owner = mm_alloc();
	if (!ctx->owner)
		return -ENOMEM;
	asp_fail_nth_set(0);
	ctx->data0 = atomic_long_read(&asp_nr_data_pages);
	ctx->tables0 = atomic_long_read(&asp_nr_table_pages);
	ctx->vmas0 = atomic_long_read(&asp_nr_vmas);
	ctx->mms0 = atomic_long_read(&asp_nr_mms);
	test->priv = ctx;
	return 0;
}

/* The owner's counters: @anon, @shmem data pages and @tables tables. */
static void am_check_owner(struct kunit *test, long anon, long shmem,
			   long tables)
{
	struct am_ctx *ctx = test->priv;
	long got;

	got = get_mm_counter(ctx->owner, MM_ANONPAGES);
	KUNIT_EXPECT_EQ_MSG(test, got, anon, "anonymous pages in the owner's RSS");
	got = get_mm_counter(ctx->owner, MM_SHMEMPAGES);
	KUNIT_EXPECT_EQ_MSG(test, got, shmem, "shmem pages in the owner's RSS");
	got = mm_pgtables_bytes(ctx->owner) >> PAGE_SHIFT;
	KUNIT_EXPECT_EQ_MSG(test, got, tables,
			    "page tables in the owner's pgtables_bytes");
}

static void am_test_exit(struct kunit *test)
{
	struct am_ctx *ctx = test->priv;
	unsigned int i;

	asp_fail_nth_set(0);
	for (i = 0; i < AM_MAX_MMS; i++) {
		if (ctx->mm[i])
			asp_mm_destroy(ctx->mm[i]);
		ctx->mm[i] = NULL;
	}
	if (!ctx->owner)
		return;
	/* Everything taken back, or __mmdrop() reports a bad counter. */
	am_check_owner(test, 0, 0, 0);
	mmput(ctx->owner);
	ctx->owner = NULL;
}

/* ------------------------------------------------------------------ */
/* Address spaces the test owns. */

static void am_track(struct kunit *test, struct asp_mm *mm)
{
	struct am_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < AM_MAX_MMS; i++) {
		if (!ctx->mm[i]) {
			ctx->mm[i] = mm;
			return;
		}
	}
	asp_mm_destroy(mm);
	KUNIT_ASSERT_FAILURE(test, "more than %d address spaces", AM_MAX_MMS);
}

static void am_destroy(struct kunit *test, struct asp_mm *mm)
{
	struct am_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < AM_MAX_MMS; i++) {
		if (ctx->mm[i] == mm) {
			ctx->mm[i] = NULL;
			asp_mm_destroy(mm);
			return;
		}
	}
	KUNIT_FAIL(test, "destroying an address space the test does not own");
}

static struct asp_mm *am_new(struct kunit *test, unsigned int levels)
{
	struct am_ctx *ctx = test->priv;
	struct asp_mm *mm = asp_mm_create_owned(levels, ctx->owner);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mm), "create: %ld", PTR_ERR(mm));
	am_track(test, mm);
	return mm;
}

static int am_count_leaf(u64 *ptep, unsigned long addr, void *arg)
{
	(*(long *)arg)++;
	return 0;
}

#define AM_MAX_SHMS	64

/*
 * Data pages an address space holds that are not in a shared object:
 * its resident pages less those mapped from shared objects (@shared
 * grows by those).  Each object it maps is added to @shms once.
 */
static long am_private_pages(struct kunit *test, struct asp_mm *mm,
			     struct asp_shm **shms, unsigned int *nr_shms,
			     long *sharedp)
{
	long shared = 0;
	struct asp_vma *vma;
	unsigned int i;

	for (vma = asp_vma_find_next(&mm->vmas, 0); vma;
	     vma = asp_vma_next(&mm->vmas, vma)) {
		if (!vma->shm)
			continue;
		asp_pt_walk(&mm->pt, vma->start, vma->end, am_count_leaf,
			    &shared);
		for (i = 0; i < *nr_shms && shms[i] != vma->shm; i++)
			;
		if (i == *nr_shms && !WARN_ON(i == AM_MAX_SHMS))
			shms[(*nr_shms)++] = vma->shm;
	}
	*sharedp += shared;
	return mm->resident - shared;
}

static long am_shm_pages(struct asp_shm **shms, unsigned int nr_shms)
{
	struct page *page;
	unsigned long index;
	unsigned int i;
	long nr = 0;

	for (i = 0; i < nr_shms; i++)
		xa_for_each(&shms[i]->pages, index, page)
			nr++;
	return nr;
}

/*
 * The module holds exactly the table pages the live address spaces count,
 * and (unless they share private pages, as copy-on-write clones do)
 * exactly their private data pages plus the pages of the shared objects
 * they map.  The owner's counters hold exactly the resident pages (shmem:
 * those mapped from shared objects) and the tables of the address spaces
 * it owns.
 */
static void am_check_counters(struct kunit *test, bool data)
{
	struct am_ctx *ctx = test->priv;
	long tables = 0, resident = 0, vmas = 0, mms = 0;
	long own_resident = 0, own_shared = 0, own_tables = 0;
	long shared, mm_tables;
	struct asp_shm *shms[AM_MAX_SHMS];
	unsigned int i, l, nr_shms = 0;
	struct asp_mm *mm;

	for (i = 0; i < AM_MAX_MMS; i++) {
		mm = ctx->mm[i];
		if (!mm)
			continue;
		down_read(&mm->lock);
		for (l = 0, mm_tables = 0; l < ASP_PT_MAX_LEVELS; l++)
			mm_tables += mm->pt.nr_tables[l];
		tables += mm_tables;
		shared = 0;
		resident += am_private_pages(test, mm, shms, &nr_shms,
					     &shared);
		if (mm->owner == ctx->owner) {
			own_resident += mm->resident;
			own_shared += shared;
			own_tables += mm_tables;
		} else {
			KUNIT_EXPECT_PTR_EQ(test, mm->owner, NULL);
		}
		vmas += mm->vmas.count;
		mms++;
		up_read(&mm->lock);
	}
	resident += am_shm_pages(shms, nr_shms);
	am_check_owner(test, own_resident - own_shared, own_shared,
		       own_tables);
	KUNIT_EXPECT_EQ_MSG(test, vmas, atomic_long_read(&asp_nr_vmas) -
			    ctx->vmas0, "VMAs held by the module");
	KUNIT_EXPECT_EQ_MSG(test, mms, atomic_long_read(&asp_nr_mms) -
			    ctx->mms0, "address spaces held by the module");
	KUNIT_EXPECT_EQ_MSG(test, tables,
			    atomic_long_read(&asp_nr_table_pages) - ctx->tables0,
			    "table pages held by the module");
	if (data)
		KUNIT_EXPECT_EQ_MSG(test, resident,
				    atomic_long_read(&asp_nr_data_pages) -
				    ctx->data0, "data pages held by the module");
}

/* Destroy every address space; every page must be back. */
static void am_done(struct kunit *test)
{
	struct am_ctx *ctx = test->priv;

	am_test_exit(test);
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&asp_nr_table_pages),
			    ctx->tables0, "table pages leaked");
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&asp_nr_data_pages),
			    ctx->data0, "data pages leaked");
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&asp_nr_vmas), ctx->vmas0,
			    "VMAs leaked");
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&asp_nr_mms), ctx->mms0,
			    "address spaces leaked");
}

/* ------------------------------------------------------------------ */
/* Snapshots. */

static u64 am_page_sum(struct page *page)
{
	const u64 *p = kmap_local_page(page);
	u64 h = 0xcbf29ce484222325ULL;
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	kunmap_local(p);
	return h;
}

static __printf(2, 3) void am_bad(struct am_snap *s, const char *fmt, ...)
{
	va_list ap;

	if (s->bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->bad, sizeof(s->bad), fmt, ap);
	va_end(ap);
}

static int am_snap_leaf(u64 *ptep, unsigned long addr, void *arg)
{
	struct am_snap *s = arg;
	struct page *page = asp_pte_page(*ptep);
	struct am_leaf *l;

	if (s->nr_leaves >= AM_MAX_LEAVES) {
		am_bad(s, "more than %d leaves", AM_MAX_LEAVES);
		return -E2BIG;
	}
	l = &s->leaf[s->nr_leaves++];
	l->addr = addr;
	l->pte = *ptep;
	l->sum = am_page_sum(page);
	l->refs = page_ref_count(page);
	return 0;
}

static void am_snap_vmas(struct asp_mm *mm, struct am_snap *s)
{
	struct asp_vma *vma, *prev = NULL;
	struct am_vma *v;

	for (vma = asp_vma_find_next(&mm->vmas, 0); vma;
	     vma = asp_vma_next(&mm->vmas, vma)) {
		if (s->nr_vmas >= AM_MAX_VMAS) {
			am_bad(s, "more than %d VMAs", AM_MAX_VMAS);
			return;
		}
		if (vma->start >= vma->end || !PAGE_ALIGNED(vma->start) ||
		    !PAGE_ALIGNED(vma->end) || (prev && vma->start < prev->end))
			am_bad(s, "VMA %#lx-%#lx malformed or overlapping",
			       vma->start, vma->end);
		if (asp_vma_find(&mm->vmas, vma->start) != vma ||
		    asp_vma_find(&mm->vmas, vma->end - 1) != vma)
			am_bad(s, "the tree does not map %#lx-%#lx to its VMA",
			       vma->start, vma->end);
		if (!(vma->flags & ASP_VM_SHARED) != !vma->obj)
			am_bad(s, "VMA %#lx: object id %llu with flags %#lx",
			       vma->start, vma->obj, vma->flags);
		v = &s->vma[s->nr_vmas++];
		v->start = vma->start;
		v->end = vma->end;
		v->flags = vma->flags;
		v->pgoff = vma->pgoff;
		v->obj = vma->obj;
		v->anon = vma->anon;
		prev = vma;
	}
}

/* The cross-checks between the VMAs, the leaves and the counters. */
static void am_snap_check(struct am_snap *s)
{
	unsigned long total = 0, data = 0, pages;
	const struct am_vma *v;
	const struct am_leaf *l;
	unsigned int i, j = 0, zero = 0;
	u64 want;

	for (i = 0; i < s->nr_vmas; i++) {
		pages = (s->vma[i].end - s->vma[i].start) >> PAGE_SHIFT;
		total += pages;
		if (asp_is_data(s->vma[i].flags))
			data += pages;
	}
	if (s->nr_vmas != s->count)
		am_bad(s, "%u VMAs in the tree, count says %lu", s->nr_vmas,
		       s->count);
	if (total != s->total_vm || data != s->data_vm)
		am_bad(s, "VMAs hold %lu pages (%lu data), counters say %lu (%lu)",
		       total, data, s->total_vm, s->data_vm);
	for (i = 0; i < s->nr_leaves; i++)
		zero += asp_page_is_zero(asp_pte_page(s->leaf[i].pte));
	if (s->nr_leaves - zero != s->resident)
		am_bad(s, "%u leaves map data pages, resident says %lu",
		       s->nr_leaves - zero, s->resident);
	if (s->brk < s->start_brk)
		am_bad(s, "brk %#lx below start_brk %#lx", s->brk,
		       s->start_brk);
	for (i = 0; i < s->nr_leaves; i++) {
		l = &s->leaf[i];
		while (j < s->nr_vmas && s->vma[j].end <= l->addr)
			j++;
		if (j == s->nr_vmas || s->vma[j].start > l->addr) {
			am_bad(s, "leaf %#lx outside every VMA", l->addr);
			continue;
		}
		v = &s->vma[j];
		want = asp_vm_pte_flags(v->flags) & AM_PTE_ACCESS;
		/* A page that may be shared is never writable. */
		if (l->pte & ASP_PTE_COW)
			want &= ~ASP_PTE_RW;
		if ((l->pte & AM_PTE_ACCESS) != want)
			am_bad(s, "leaf %#lx: %#llx, VMA flags %#lx want %#llx",
			       l->addr, l->pte, v->flags, want);
		if (!(v->flags & ASP_VM_SHARED) && !v->anon &&
		    !asp_page_is_zero(asp_pte_page(l->pte)))
			am_bad(s, "leaf %#lx in a private VMA with no anon id",
			       l->addr);
	}
}

static void am_snap_take(struct kunit *test, struct asp_mm *mm,
			 struct am_snap *s)
{
	memset(s, 0, sizeof(*s));
	down_read(&mm->lock);
	s->levels = mm->pt.levels;
	s->root_pfn = page_to_pfn(mm->pt.root);
	s->layout = mm->layout;
	s->limits = mm->limits;
	s->count = mm->vmas.count;
	s->start_brk = mm->start_brk;
	s->brk = mm->brk;
	s->total_vm = mm->total_vm;
	s->data_vm = mm->data_vm;
	s->resident = mm->resident;
	memcpy(s->nr_tables, mm->pt.nr_tables, sizeof(s->nr_tables));
	am_snap_vmas(mm, s);
	asp_pt_walk(&mm->pt, 0, asp_pt_task_size(&mm->pt), am_snap_leaf, s);
	s->data_pages = atomic_long_read(&asp_nr_data_pages);
	s->table_pages = atomic_long_read(&asp_nr_table_pages);
	s->vma_structs = atomic_long_read(&asp_nr_vmas);
	s->mm_structs = atomic_long_read(&asp_nr_mms);
	up_read(&mm->lock);
	am_snap_check(s);
	KUNIT_EXPECT_TRUE_MSG(test, !s->bad[0], "inconsistent address space: %s",
			      s->bad);
}

/* ------------------------------------------------------------------ */
/* Comparing snapshots. */

/* Linux's merge rule, as asp_vma_can_merge() has it. */
static bool am_vma_mergeable(const struct am_vma *a, const struct am_vma *b)
{
	if (a->end != b->start || a->flags != b->flags)
		return false;
	if (a->flags & ASP_VM_SHARED)
		return a->obj == b->obj &&
		       a->pgoff + ((a->end - a->start) >> PAGE_SHIFT) == b->pgoff;
	return !a->anon || !b->anon || a->anon == b->anon;
}

/* The VMAs of @s with every mergeable neighbour merged; returns how many. */
static unsigned int am_coalesce(const struct am_snap *s, struct am_vma *out)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->nr_vmas; i++) {
		if (n && am_vma_mergeable(&out[n - 1], &s->vma[i])) {
			out[n - 1].end = s->vma[i].end;
			if (!out[n - 1].anon)
				out[n - 1].anon = s->vma[i].anon;
			continue;
		}
		out[n++] = s->vma[i];
	}
	return n;
}

static bool am_in(unsigned long lo, unsigned long hi, const struct am_vma *v)
{
	return v->start < hi && lo < v->end;
}

static __printf(2, 3) bool am_note(char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, AM_MSG, fmt, ap);
	va_end(ap);
	return true;
}

/**
 * struct am_field - one scalar of two snapshots
 * @name: what it is
 * @a: its value in the snapshot
 * @b: its value in the one wanted
 * @skip: the mode lets it differ
 */
struct am_field {
	const char *name;
	unsigned long a;
	unsigned long b;
	bool skip;
};

static bool am_diff_scalars(const struct am_snap *a, const struct am_snap *b,
			    unsigned int mode, char *msg)
{
	bool pop = mode & AM_POPULATE;
	bool exact = mode & AM_EXACT;
	bool refs = exact && !(mode & AM_NOREFS);
	const struct am_field f[] = {
		{ "levels", a->levels, b->levels },
		{ "layout.flags", a->layout.flags, b->layout.flags },
		{ "layout.mmap_min_addr", a->layout.mmap_min_addr, b->layout.mmap_min_addr },
		{ "layout.mmap_base", a->layout.mmap_base, b->layout.mmap_base },
		{ "layout.legacy_base", a->layout.legacy_base, b->layout.legacy_base },
		{ "layout.heap_start", a->layout.heap_start, b->layout.heap_start },
		{ "layout.stack_size", a->layout.stack_size, b->layout.stack_size },
		{ "layout.stack_guard_gap", a->layout.stack_guard_gap, b->layout.stack_guard_gap },
		{ "layout.task_size", a->layout.task_size, b->layout.task_size },
		{ "layout.map_window", a->layout.map_window, b->layout.map_window },
		{ "limits.max_map_count", a->limits.max_map_count, b->limits.max_map_count },
		{ "limits.as_bytes", a->limits.as_bytes, b->limits.as_bytes },
		{ "limits.data_bytes", a->limits.data_bytes, b->limits.data_bytes },
		{ "limits.resident_bytes", a->limits.resident_bytes, b->limits.resident_bytes },
		{ "start_brk", a->start_brk, b->start_brk },
		{ "brk", a->brk, b->brk },
		{ "total_vm", a->total_vm, b->total_vm },
		{ "data_vm", a->data_vm, b->data_vm },
		{ "count", a->count, b->count, mode & AM_COALESCE },
		{ "resident", a->resident, b->resident, pop },
		{ "nr_tables[0]", a->nr_tables[0], b->nr_tables[0], pop },
		{ "nr_tables[1]", a->nr_tables[1], b->nr_tables[1], pop },
		{ "nr_tables[2]", a->nr_tables[2], b->nr_tables[2], pop },
		{ "nr_tables[3]", a->nr_tables[3], b->nr_tables[3], pop },
		{ "nr_tables[4]", a->nr_tables[4], b->nr_tables[4], pop },
		{ "root_pfn", a->root_pfn, b->root_pfn, !exact },
		{ "module data pages", a->data_pages, b->data_pages, !refs },
		{ "module table pages", a->table_pages, b->table_pages, !refs },
		{ "module VMAs", a->vma_structs, b->vma_structs, !refs },
		{ "module address spaces", a->mm_structs, b->mm_structs, !refs },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		if (!f[i].skip && f[i].a != f[i].b)
			return am_note(msg, "%s: %#lx, want %#lx", f[i].name,
				       f[i].a, f[i].b);
	return false;
}

/* May the anon id of @v differ from the reference's? */
static bool am_anon_free(const struct am_vma *v, unsigned int mode,
			 unsigned long lo, unsigned long hi)
{
	return (mode & AM_POPULATE) && am_in(lo, hi, v);
}

static bool am_diff_vma(const struct am_vma *a, const struct am_vma *b,
			unsigned int mode, bool anon_free, char *msg)
{
	if (a->start != b->start || a->end != b->end ||
	    a->flags != b->flags || a->pgoff != b->pgoff)
		return am_note(msg, "VMA %#lx-%#lx %#lx +%#lx, want %#lx-%#lx %#lx +%#lx",
			       a->start, a->end, a->flags, a->pgoff, b->start,
			       b->end, b->flags, b->pgoff);
	if (mode & (AM_EXACT | AM_CLONE) ? a->obj != b->obj :
					   !a->obj != !b->obj)
		return am_note(msg, "VMA %#lx: object %llu, want %llu",
			       a->start, a->obj, b->obj);
	if (mode & AM_EXACT ? a->anon != b->anon :
			      !anon_free && !a->anon != !b->anon)
		return am_note(msg, "VMA %#lx: anon %llu, want %llu", a->start,
			       a->anon, b->anon);
	return false;
}

static bool am_diff_vmas(const struct am_vma *va, const struct am_vma *vb,
			 unsigned int na, unsigned int nb, unsigned int mode,
			 unsigned long lo, unsigned long hi, char *msg)
{
	unsigned int i, j;
	bool sa, sb;

	if (na != nb)
		return am_note(msg, "%u VMAs, want %u", na, nb);
	for (i = 0; i < na; i++)
		if (am_diff_vma(&va[i], &vb[i], mode,
				am_anon_free(&vb[i], mode, lo, hi), msg))
			return true;
	if (mode & (AM_EXACT | AM_CLONE))
		return false;
	/* Ids differ between address spaces; which VMAs share one may not. */
	for (i = 0; i < na; i++) {
		for (j = i + 1; j < na; j++) {
			sa = va[i].obj && va[i].obj == va[j].obj;
			sb = vb[i].obj && vb[i].obj == vb[j].obj;
			if (sa != sb)
				return am_note(msg, "VMAs %#lx and %#lx: same object %d, want %d",
					       va[i].start, va[j].start, sa, sb);
			if (am_anon_free(&vb[i], mode, lo, hi) ||
			    am_anon_free(&vb[j], mode, lo, hi))
				continue;
			sa = va[i].anon && va[i].anon == va[j].anon;
			sb = vb[i].anon && vb[i].anon == vb[j].anon;
			if (sa != sb)
				return am_note(msg, "VMAs %#lx and %#lx: same anon %d, want %d",
					       va[i].start, va[j].start, sa, sb);
		}
	}
	return false;
}

static bool am_diff_leaf(const struct am_leaf *a, const struct am_leaf *b,
			 unsigned int mode, char *msg)
{
	u64 mask = mode & AM_EXACT ? ~0ULL : ASP_PTE_FLAGS_MASK;

	/* A copy's Accessed and Dirty bits: am_expect_clone_frames(). */
	if (mode & AM_CLONE)
		mask &= ~(ASP_PTE_A | ASP_PTE_D);
	if ((a->pte & mask) != (b->pte & mask))
		return am_note(msg, "leaf %#lx: pte %#llx, want %#llx",
			       a->addr, a->pte, b->pte);
	if (a->sum != b->sum)
		return am_note(msg, "leaf %#lx: contents changed", a->addr);
	if (!(mode & (AM_CLONE | AM_NOREFS)) && a->refs != b->refs)
		return am_note(msg, "leaf %#lx: %d page refs, want %d",
			       a->addr, a->refs, b->refs);
	return false;
}

static bool am_diff_leaves(const struct am_snap *a, const struct am_snap *b,
			   unsigned int mode, unsigned long lo,
			   unsigned long hi, char *msg)
{
	const struct am_leaf *la, *lb;
	unsigned int i = 0, j = 0;
	bool stopped = false;

	while (i < a->nr_leaves || j < b->nr_leaves) {
		la = i < a->nr_leaves ? &a->leaf[i] : NULL;
		lb = j < b->nr_leaves ? &b->leaf[j] : NULL;
		if ((mode & AM_POPULATE) && lb && lb->addr >= lo &&
		    lb->addr < hi && (stopped || !la || la->addr != lb->addr)) {
			/* Population stopped here; nothing after it. */
			stopped = true;
			j++;
			continue;
		}
		if (!lb || (la && la->addr < lb->addr))
			return am_note(msg, "leaf %#lx mapped, want none",
				       la->addr);
		if (!la || la->addr > lb->addr)
			return am_note(msg, "leaf %#lx not mapped, want one",
				       lb->addr);
		if (am_diff_leaf(la, lb, mode, msg))
			return true;
		i++;
		j++;
	}
	return false;
}

/**
 * am_diff() - the first difference between a snapshot and the one wanted
 * @test: the test (for scratch space)
 * @a: the snapshot
 * @b: the one wanted
 * @mode: AM_* flags
 * @lo: start of the range AM_POPULATE applies to
 * @hi: its end
 *
 * Return: true if they differ; the difference is in the context's msg.
 */
static bool am_diff(struct kunit *test, const struct am_snap *a,
		    const struct am_snap *b, unsigned int mode,
		    unsigned long lo, unsigned long hi)
{
	struct am_ctx *ctx = test->priv;
	char *msg = ctx->msg;
	unsigned int na, nb;

	msg[0] = 0;
	if (am_diff_scalars(a, b, mode, msg))
		return true;
	if (mode & AM_COALESCE) {
		na = am_coalesce(a, ctx->norm[0]);
		nb = am_coalesce(b, ctx->norm[1]);
		if (am_diff_vmas(ctx->norm[0], ctx->norm[1], na, nb, mode, lo,
				 hi, msg))
			return true;
	} else if (am_diff_vmas(a->vma, b->vma, a->nr_vmas, b->nr_vmas, mode,
				lo, hi, msg)) {
		return true;
	}
	return am_diff_leaves(a, b, mode, lo, hi, msg);
}

/* ------------------------------------------------------------------ */
/* Building the starting state. */

#define AM_SETUP_NOHEAP	BIT(0)	/* no brk heap */
#define AM_SETUP_MID_RO	BIT(1)	/* pages 2-3 of the first VMA read-only */
#define AM_SETUP_CLONE	BIT(2)	/* a clone of it, the source kept alive */

static void am_map(struct kunit *test, struct asp_mm *mm, unsigned long addr,
		   unsigned long len, u32 prot, u32 flags)
{
	unsigned long mapped = 0;
	int ret;

	ret = asp_mmap(mm, addr, len, prot, flags, &mapped);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "setup mmap %#lx+%#lx", addr, len);
	if (flags & MAP_FIXED)
		KUNIT_ASSERT_EQ(test, mapped, addr);
}

static void am_protect(struct kunit *test, struct asp_mm *mm,
		       unsigned long addr, unsigned long len, u32 prot)
{
	KUNIT_ASSERT_EQ_MSG(test, asp_mprotect(mm, addr, len, prot), 0,
			    "setup mprotect %#lx+%#lx", addr, len);
}

/* Known contents: every word depends on its address. */
static int am_fill_one(u64 *ptep, unsigned long addr, void *arg)
{
	u64 *p = kmap_local_page(asp_pte_page(*ptep));
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		p[i] = (addr + i * sizeof(*p)) ^ 0x9e3779b97f4a7c15ULL;
	kunmap_local(p);
	return 0;
}

static void am_fill(struct asp_mm *mm)
{
	down_read(&mm->lock);
	asp_pt_walk(&mm->pt, 0, asp_pt_task_size(&mm->pt), am_fill_one, NULL);
	up_read(&mm->lock);
}

/*
 * The base state, with X = AM_X (pages 8 and up are above 1 GiB):
 *   [X, X+8)      private rw, populated
 *   [X+8, X+12)   private r, populated (same anon as the one before)
 *   [X+12, X+16)  shared rw, populated
 *   [X+16, X+20)  hole
 *   [X+20, X+28)  private rw, pages 22-23 populated
 *   [X+28, X+32)  private PROT_NONE, populated (same anon)
 *   [4G-1, 4G+1)  shared rw across 4 GiB, populated
 *   [G-2, G+2)    private rwx across 512 GiB, populated
 *   [H-2, H+2)    (5-level) shared rw across 256 TiB, populated
 *   4 pages       private rw from the mmap search, populated
 *   heap          start_brk + 3 pages + 100 bytes, pages 0-2 populated
 * (in pages), every populated page filled with known contents.
 */
static void am_setup(struct kunit *test, struct asp_mm *mm, unsigned int setup)
{
	const unsigned long x = AM_X;
	unsigned long sb = mm->start_brk, brk = sb + 3 * P + 100;
	struct asp_vma *vma;

	am_map(test, mm, x, 12 * P, AM_RW, AM_PRIV_FIXED | MAP_POPULATE);
	am_protect(test, mm, x + 8 * P, 4 * P, PROT_READ);
	am_map(test, mm, x + 12 * P, 4 * P, AM_RW,
	       AM_SHARED_FIXED | MAP_POPULATE);
	am_map(test, mm, x + 20 * P, 8 * P, AM_RW, AM_PRIV_FIXED);
	am_map(test, mm, x + 22 * P, 2 * P, AM_RW, AM_PRIV_FIXED | MAP_POPULATE);
	am_map(test, mm, x + 28 * P, 4 * P, AM_RW, AM_PRIV_FIXED | MAP_POPULATE);
	am_protect(test, mm, x + 28 * P, 4 * P, PROT_NONE);
	am_map(test, mm, AM_G - 2 * P, 4 * P, AM_RWX,
	       AM_PRIV_FIXED | MAP_POPULATE);
	if (mm->pt.levels == 5)
		am_map(test, mm, AM_H - 2 * P, 4 * P, AM_RW,
		       AM_SHARED_FIXED | MAP_POPULATE);
	am_map(test, mm, SZ_4G - P, 2 * P, AM_RW, AM_SHARED_FIXED | MAP_POPULATE);
	am_map(test, mm, 0, 4 * P, AM_RW, MAP_PRIVATE | MAP_POPULATE);
	if (!(setup & AM_SETUP_NOHEAP)) {
		KUNIT_ASSERT_EQ(test, asp_brk(mm, brk), brk);
		down_write(&mm->lock);
		vma = asp_vma_find(&mm->vmas, sb);
		if (vma)
			asp_populate(mm, vma, sb, sb + 3 * P);
		up_write(&mm->lock);
		KUNIT_ASSERT_NOT_NULL(test, vma);
	}
	if (setup & AM_SETUP_MID_RO)
		am_protect(test, mm, x + 2 * P, 2 * P, PROT_READ);
	am_fill(mm);
}

static void am_set_layout(struct kunit *test, struct asp_mm *mm, u32 flags)
{
	struct aspace_layout l = {
		.size = sizeof(l),
		.flags = flags,
		.mmap_min_addr = ASP_MMAP_MIN_ADDR,
	};

	KUNIT_ASSERT_EQ(test, asp_set_layout(mm, &l), 0);
}

static struct asp_mm *am_build(struct kunit *test, unsigned int levels,
			       u32 layout, unsigned int setup)
{
	struct asp_mm *mm = am_new(test, levels), *copy;

	if (layout)
		am_set_layout(test, mm, layout |
			      (levels == 5 ? ASPACE_LAYOUT_LA57 : 0));
	am_setup(test, mm, setup);
	if (!(setup & AM_SETUP_CLONE))
		return mm;
	/* Its shared pages are held twice, its private ones are copies. */
	copy = asp_clone(mm, true);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(copy), "clone: %ld", PTR_ERR(copy));
	am_track(test, copy);
	return copy;
}

/* ------------------------------------------------------------------ */
/* One operation under fault injection. */

enum am_op { AM_MMAP, AM_MUNMAP, AM_MPROTECT, AM_BRK };

/* What the operation's result must be (no injection). */
enum am_out {
	AM_OUT_NONE,	/* munmap, mprotect */
	AM_OUT_ADDR,	/* mmap at @addr */
	AM_OUT_BASE,	/* mmap at mmap_base + @out_off */
	AM_OUT_BRK,	/* brk: start_brk + @addr */
};

/**
 * struct am_case - an operation on the base state
 * @name: what it does
 * @only5: run with 5 levels only (else with 4 and with 5)
 * @layout: ASPACE_LAYOUT_* set before the setup (LA57 added for 5)
 * @setup: AM_SETUP_*
 * @op: the operation
 * @addr: its address (brk: the new break less start_brk)
 * @len: its length
 * @prot: PROT_* (mmap, mprotect)
 * @flags: MAP_* (mmap)
 * @allow: the best-effort differences allowed when the op succeeds
 *	although the injected failure was reached (AM_POPULATE over the
 *	mapping, AM_COALESCE)
 * @err: what it returns without injection: 0, or the errno of an
 *	mprotect that fails half way, as Linux's, after changing VMAs
 * @limit_vmas: set max_map_count to the base state's VMA count plus
 *	@vma_room before the operation
 * @vma_room: see @limit_vmas
 * @out: what its result must be
 * @out_off: see AM_OUT_BASE
 * @dvmas: how the VMA count changes
 * @dres: how the resident pages change
 */
struct am_case {
	const char *name;
	bool only5;
	u32 layout;
	unsigned int setup;
	enum am_op op;
	unsigned long addr;
	unsigned long len;
	u32 prot;
	u32 flags;
	unsigned int allow;
	int err;
	bool limit_vmas;
	unsigned int vma_room;
	enum am_out out;
	long out_off;
	int dvmas;
	long dres;
};

static const struct am_case am_cases[] = {
	/* mmap: a new mapping where the hint is free; merges with the next */
	{ .name = "mmap_hint", .op = AM_MMAP, .addr = AM_X + 16 * P,
	  .len = 4 * P, .prot = AM_RW, .flags = MAP_PRIVATE,
	  .out = AM_OUT_ADDR },
	/* the hint is taken: top-down, merges with the mapping above */
	{ .name = "mmap_hint_taken", .op = AM_MMAP, .addr = AM_X,
	  .len = 4 * P, .prot = AM_RW, .flags = MAP_PRIVATE,
	  .out = AM_OUT_BASE, .out_off = -8 * (long)P },
	{ .name = "mmap_topdown", .op = AM_MMAP, .len = 16 * P - 100,
	  .prot = AM_RWX, .flags = MAP_PRIVATE, .out = AM_OUT_BASE,
	  .out_off = -20 * (long)P, .dvmas = 1 },
	{ .name = "mmap_legacy", .layout = ASPACE_LAYOUT_LEGACY,
	  .op = AM_MMAP, .len = 16 * P, .prot = PROT_READ,
	  .flags = MAP_SHARED, .out = AM_OUT_BASE,
	  .out_off = 4 * (long)P, .dvmas = 1 },
	{ .name = "mmap_stack_layout", .layout = ASPACE_LAYOUT_STACK,
	  .op = AM_MMAP, .len = 2 * P, .prot = PROT_READ,
	  .flags = MAP_PRIVATE, .out = AM_OUT_BASE,
	  .out_off = -6 * (long)P, .dvmas = 1 },
	/* MAP_FIXED over V0's tail, V1, V2, the hole and V3's head */
	{ .name = "mmap_fixed_over", .op = AM_MMAP, .addr = AM_X + 4 * P,
	  .len = 22 * P, .prot = PROT_READ, .flags = AM_PRIV_FIXED,
	  .out = AM_OUT_ADDR, .dvmas = -1, .dres = -14 },
	{ .name = "mmap_fixed_shared_populate", .op = AM_MMAP,
	  .addr = AM_X + 6 * P, .len = 10 * P, .prot = AM_RW,
	  .flags = AM_SHARED_FIXED | MAP_POPULATE, .allow = AM_POPULATE,
	  .out = AM_OUT_ADDR, .dvmas = -1, .dres = 0 },
	{ .name = "mmap_fixed_noreplace", .op = AM_MMAP,
	  .addr = AM_X + 16 * P, .len = 4 * P, .prot = PROT_READ,
	  .flags = MAP_PRIVATE | MAP_FIXED_NOREPLACE,
	  .out = AM_OUT_ADDR, .dvmas = 1 },
	/* populate across 1 GiB beyond 512 GiB: three new tables */
	{ .name = "mmap_populate_tables", .op = AM_MMAP,
	  .addr = AM_G + SZ_1G - 2 * P, .len = 4 * P, .prot = AM_RW,
	  .flags = MAP_PRIVATE | MAP_FIXED_NOREPLACE | MAP_POPULATE,
	  .allow = AM_POPULATE, .out = AM_OUT_ADDR, .dvmas = 1,
	  .dres = 4 },
	{ .name = "mmap_populate_topdown", .op = AM_MMAP, .len = 6 * P,
	  .prot = AM_RWX, .flags = MAP_PRIVATE | MAP_POPULATE,
	  .allow = AM_POPULATE, .out = AM_OUT_BASE,
	  .out_off = -10 * (long)P, .dvmas = 1, .dres = 6 },
	{ .name = "mmap_hint_high", .only5 = true,
	  .op = AM_MMAP, .addr = BIT(50),
	  .len = 4 * P, .prot = AM_RW, .flags = MAP_PRIVATE | MAP_POPULATE,
	  .allow = AM_POPULATE, .out = AM_OUT_ADDR, .dvmas = 1, .dres = 4 },
	{ .name = "mmap_fixed_high", .only5 = true,
	  .op = AM_MMAP, .addr = AM_H,
	  .len = 8 * P, .prot = AM_RW, .flags = AM_PRIV_FIXED | MAP_POPULATE,
	  .allow = AM_POPULATE, .out = AM_OUT_ADDR, .dvmas = 1, .dres = 6 },
	/* MAP_FIXED in the middle of a VMA it merges with on both sides */
	{ .name = "mmap_fixed_merge_both", .op = AM_MMAP,
	  .addr = AM_X + 22 * P, .len = 2 * P, .prot = AM_RW,
	  .flags = AM_PRIV_FIXED, .out = AM_OUT_ADDR, .dres = -2 },
	/* over the hole and the head of the VMA it merges with */
	{ .name = "mmap_fixed_merge_next", .op = AM_MMAP,
	  .addr = AM_X + 18 * P, .len = 4 * P, .prot = AM_RW,
	  .flags = AM_PRIV_FIXED, .out = AM_OUT_ADDR },
	/* munmap */
	{ .name = "munmap_split_in_three", .op = AM_MUNMAP,
	  .addr = AM_X + 2 * P, .len = 2 * P, .dvmas = 1, .dres = -2 },
	{ .name = "munmap_span", .op = AM_MUNMAP, .addr = AM_X + 6 * P,
	  .len = 24 * P, .dvmas = -3, .dres = -14 },
	{ .name = "munmap_across_512g", .op = AM_MUNMAP,
	  .addr = AM_G - P, .len = 2 * P, .dvmas = 1, .dres = -2 },
	{ .name = "munmap_high", .only5 = true,
	  .op = AM_MUNMAP, .addr = AM_H - P,
	  .len = 2 * P, .dvmas = 1, .dres = -2 },
	/* mprotect */
	{ .name = "mprotect_middle", .op = AM_MPROTECT,
	  .addr = AM_X + 2 * P, .len = 2 * P, .prot = PROT_READ,
	  .dvmas = 2 },
	{ .name = "mprotect_back", .setup = AM_SETUP_MID_RO,
	  .op = AM_MPROTECT, .addr = AM_X + 2 * P, .len = 2 * P,
	  .prot = AM_RW, .allow = AM_COALESCE, .dvmas = -2 },
	{ .name = "mprotect_span", .op = AM_MPROTECT,
	  .addr = AM_X + 4 * P, .len = 12 * P, .prot = PROT_READ,
	  .allow = AM_COALESCE, .dvmas = 0 },
	{ .name = "mprotect_none_merge", .op = AM_MPROTECT,
	  .addr = AM_X + 20 * P, .len = 12 * P, .prot = PROT_NONE,
	  .allow = AM_COALESCE, .dvmas = -1 },
	{ .name = "mprotect_across_512g", .op = AM_MPROTECT,
	  .addr = AM_G - P, .len = 2 * P, .prot = PROT_READ,
	  .dvmas = 2 },
	/* V0's tail, V1 and V2 change, then the hole: -ENOMEM */
	{ .name = "mprotect_hole", .op = AM_MPROTECT,
	  .addr = AM_X + 2 * P, .len = 20 * P, .prot = PROT_READ,
	  .allow = AM_COALESCE, .err = -ENOMEM, .dvmas = 0 },
	/* V0's middle: split at the start, the one at the end refused */
	{ .name = "mprotect_split_refused", .op = AM_MPROTECT,
	  .addr = AM_X + 2 * P, .len = 2 * P, .prot = PROT_READ,
	  .limit_vmas = true, .vma_room = 1, .err = -ENOMEM, .dvmas = 1 },
	/* brk */
	{ .name = "brk_new", .setup = AM_SETUP_NOHEAP, .op = AM_BRK,
	  .addr = 5 * P + 123, .out = AM_OUT_BRK, .dvmas = 1 },
	{ .name = "brk_extend", .op = AM_BRK, .addr = 12 * P,
	  .out = AM_OUT_BRK },
	{ .name = "brk_shrink", .op = AM_BRK, .addr = P + 1,
	  .out = AM_OUT_BRK, .dres = -1 },
	{ .name = "brk_shrink_all", .op = AM_BRK, .addr = 0,
	  .out = AM_OUT_BRK, .dvmas = -1, .dres = -3 },
	/* on a clone: shared pages held twice, anon ids of its own */
	{ .name = "clone_mmap_fixed_over", .setup = AM_SETUP_CLONE,
	  .op = AM_MMAP, .addr = AM_X + 4 * P, .len = 22 * P,
	  .prot = PROT_READ, .flags = AM_PRIV_FIXED, .out = AM_OUT_ADDR,
	  .dvmas = -1, .dres = -14 },
	{ .name = "clone_munmap_span", .setup = AM_SETUP_CLONE,
	  .op = AM_MUNMAP, .addr = AM_X + 6 * P, .len = 24 * P, .dvmas = -3,
	  .dres = -14 },
	{ .name = "clone_mprotect_span", .setup = AM_SETUP_CLONE,
	  .op = AM_MPROTECT, .addr = AM_X + 4 * P, .len = 12 * P,
	  .prot = PROT_READ, .dvmas = 1 },
	{ .name = "clone_brk_extend", .setup = AM_SETUP_CLONE, .op = AM_BRK,
	  .addr = 12 * P, .out = AM_OUT_BRK },
};

/**
 * struct am_op_param - one case of am_test_op()
 * @c: the operation
 * @levels: 4 or 5
 */
struct am_op_param {
	const struct am_case *c;
	unsigned int levels;
};

/* Every case with 4 and with 5 levels; the last entry's @c is NULL. */
static struct am_op_param am_op_params[2 * ARRAY_SIZE(am_cases) + 1];

static const void *am_op_gen_params(const void *prev, char *desc)
{
	const struct am_op_param *p = prev;
	unsigned int i, n = 0;

	if (!p) {
		for (i = 0; i < ARRAY_SIZE(am_cases); i++) {
			if (!am_cases[i].only5)
				am_op_params[n++] = (struct am_op_param){
					&am_cases[i], 4 };
			am_op_params[n++] = (struct am_op_param){
				&am_cases[i], 5 };
		}
		am_op_params[n].c = NULL;
		p = am_op_params;
	} else {
		p++;
	}
	if (!p->c)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %u-level", p->c->name,
		 p->levels);
	return p;
}

/* The base state of a case, with its VMA limit. */
static struct asp_mm *am_build_case(struct kunit *test,
				    const struct am_case *c,
				    unsigned int levels)
{
	struct asp_mm *mm = am_build(test, levels, c->layout, c->setup);
	struct aspace_limits lim = { .size = sizeof(lim) };
	unsigned long count;

	if (!c->limit_vmas)
		return mm;
	down_read(&mm->lock);
	count = mm->vmas.count;
	up_read(&mm->lock);
	KUNIT_ASSERT_EQ(test, asp_get_limits(mm, &lim), 0);
	lim.max_map_count = count + c->vma_room;
	KUNIT_ASSERT_EQ(test, asp_set_limits(mm, &lim, true), 0);
	return mm;
}

/*
 * Run the case's operation: 0 or a negative errno; @out gets the mapped
 * address or the break.  A brk that fails must return the old break.
 */
static int am_run(struct kunit *test, const struct am_case *c,
		  struct asp_mm *mm, unsigned long *out)
{
	unsigned long old, want, got;

	*out = 0;
	switch (c->op) {
	case AM_MMAP:
		return asp_mmap(mm, c->addr, c->len, c->prot, c->flags, out);
	case AM_MUNMAP:
		return asp_munmap(mm, c->addr, c->len);
	case AM_MPROTECT:
		return asp_mprotect(mm, c->addr, c->len, c->prot);
	case AM_BRK:
		old = mm->brk;
		want = mm->start_brk + c->addr;
		got = asp_brk(mm, want);
		*out = got;
		if (got == want)
			return 0;
		KUNIT_EXPECT_EQ_MSG(test, got, old,
				    "a failed brk returns the old break");
		return -ENOMEM;
	}
	return -EINVAL;
}

static unsigned long am_want_out(const struct am_case *c,
				 const struct am_snap *s)
{
	switch (c->out) {
	case AM_OUT_ADDR:
		return c->addr;
	case AM_OUT_BASE:
		return s->layout.mmap_base + c->out_off;
	case AM_OUT_BRK:
		return s->start_brk + c->addr;
	default:
		return 0;
	}
}

/*
 * What an operation that failed at the @n-th allocation must show: the
 * errno -ENOMEM (@ret), the injected failure reached (@left 0), and the
 * address space exactly as before (@after against @before); @what names
 * a difference in the message.
 */
static void am_expect_clean_failure(struct kunit *test, int n, long ret,
				    int left, const struct am_snap *after,
				    const struct am_snap *before,
				    const char *what)
{
	struct am_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "fail-nth %d", n);
	KUNIT_EXPECT_EQ_MSG(test, left, 0,
			    "fail-nth %d: failed before the injected failure",
			    n);
	KUNIT_EXPECT_FALSE_MSG(test, am_diff(test, after, before, AM_EXACT, 0, 0),
			       "fail-nth %d: %s: %s", n, what, ctx->msg);
}

/*
 * Did the run with an injected failure stop on it (rather than run its
 * course)?  An operation that fails without injection too (@c->err)
 * stopped on it only if the injection was reached (@left 0) and the space
 * is exactly as it was (@after against @before).
 */
static bool am_stopped_by_injection(struct kunit *test,
				    const struct am_case *c, int ret, int left,
				    const struct am_snap *after,
				    const struct am_snap *before)
{
	if (!ret)
		return false;
	if (ret != c->err)
		return true;
	return !left && !am_diff(test, after, before, AM_EXACT, 0, 0);
}

static void am_test_op(struct kunit *test)
{
	const struct am_op_param *param = test->param_value;
	const struct am_case *c = param->c;
	unsigned int levels = param->levels;
	struct am_ctx *ctx = test->priv;
	struct am_snap *start = ctx->snap[0], *want = ctx->snap[1];
	struct am_snap *before = ctx->snap[2], *after = ctx->snap[3];
	unsigned long out, want_out, lo, hi;
	unsigned int failed = 0, swallowed = 0;
	struct asp_mm *ref, *mm;
	int n, ret, left;

	/* The reference: the same operation without injection. */
	ref = am_build_case(test, c, levels);
	am_snap_take(test, ref, start);
	ret = am_run(test, c, ref, &want_out);
	KUNIT_ASSERT_EQ_MSG(test, ret, c->err, "without injection");
	am_snap_take(test, ref, want);
	KUNIT_EXPECT_EQ(test, (long)want->count - (long)start->count,
			(long)c->dvmas);
	KUNIT_EXPECT_EQ(test, (long)want->resident - (long)start->resident,
			c->dres);
	KUNIT_EXPECT_EQ(test, want_out, am_want_out(c, start));
	lo = want_out;
	hi = want_out + PAGE_ALIGN(c->len);

	mm = am_build_case(test, c, levels);
	am_snap_take(test, mm, before);
	KUNIT_EXPECT_FALSE_MSG(test, am_diff(test, before, start, 0, 0, 0),
			       "two builds differ: %s", ctx->msg);
	for (n = 1; n < AM_MAX_TRIES; n++) {
		asp_fail_nth_set(n);
		ret = am_run(test, c, mm, &out);
		left = asp_fail_nth_get();
		asp_fail_nth_set(0);
		am_snap_take(test, mm, after);
		am_check_counters(test, !(c->setup & AM_SETUP_CLONE));
		if (am_stopped_by_injection(test, c, ret, left, after, before)) {
			failed++;
			am_expect_clean_failure(test, n, ret, left, after,
						before, "the failed op changed the space");
			swap(before, after);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, ret, c->err, "fail-nth %d", n);
		KUNIT_EXPECT_EQ_MSG(test, out, want_out, "fail-nth %d", n);
		if (left) {
			KUNIT_EXPECT_FALSE_MSG(test,
					       am_diff(test, after, want, 0, 0, 0),
					       "fail-nth %d, not reached: %s", n,
					       ctx->msg);
			break;
		}
		/* Succeeded although an allocation failed: best effort. */
		swallowed++;
		KUNIT_EXPECT_TRUE_MSG(test, c->allow,
				      "fail-nth %d: the injected failure was swallowed",
				      n);
		KUNIT_EXPECT_FALSE_MSG(test,
				       am_diff(test, after, want, c->allow, lo,
					       hi),
				       "fail-nth %d, best effort: %s", n,
				       ctx->msg);
		am_destroy(test, mm);
		mm = am_build_case(test, c, levels);
		am_snap_take(test, mm, before);
	}
	KUNIT_EXPECT_LT(test, n, AM_MAX_TRIES);
	/* The operation allocates: the loop did inject failures. */
	KUNIT_EXPECT_GT(test, failed + swallowed, 0U);
	kunit_info(test, "%d allocations: %u failed cleanly, %u best effort\n",
		   n - 1, failed, swallowed);
	am_destroy(test, mm);
	am_destroy(test, ref);
	am_done(test);
}

/* ------------------------------------------------------------------ */
/* clone */

/**
 * struct am_clone_case - a clone of the base state
 * @levels: 4 or 5
 * @layout: ASPACE_LAYOUT_* (LA57 added for 5)
 */
struct am_clone_case {
	unsigned int levels;
	u32 layout;
};

static const struct am_clone_case am_clone_cases[] = {
	{ 4, 0 }, { 5, 0 }, { 4, ASPACE_LAYOUT_STACK | ASPACE_LAYOUT_LEGACY },
};

static void am_clone_desc(const struct am_clone_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u-level layout %#x", c->levels,
		 c->layout);
}

KUNIT_ARRAY_PARAM(am_clone, am_clone_cases, am_clone_desc);

static bool am_leaf_shared(const struct am_snap *s, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < s->nr_vmas; i++)
		if (s->vma[i].start <= addr && addr < s->vma[i].end)
			return s->vma[i].flags & ASP_VM_SHARED;
	return false;
}

/*
 * A copy maps the same frames as @src where shared (each page now held
 * twice), old and clean as Linux's copy_present_pte() makes them, and
 * its own frames where private, young and dirty as copy_present_page()
 * makes them (the copy is eager).
 */
static void am_expect_clone_frames(struct kunit *test,
				   const struct am_snap *copy,
				   const struct am_snap *src,
				   const struct am_snap *orig)
{
	const struct am_leaf *lc, *ls;
	unsigned int i, shared = 0;

	KUNIT_ASSERT_EQ(test, copy->nr_leaves, src->nr_leaves);
	for (i = 0; i < copy->nr_leaves; i++) {
		lc = &copy->leaf[i];
		ls = &src->leaf[i];
		if (am_leaf_shared(src, ls->addr)) {
			shared++;
			KUNIT_EXPECT_EQ_MSG(test, lc->pte,
					    ls->pte & ~(ASP_PTE_A | ASP_PTE_D),
					    "shared leaf %#lx", ls->addr);
			KUNIT_EXPECT_EQ_MSG(test, ls->refs, orig->leaf[i].refs + 1,
					    "shared leaf %#lx", ls->addr);
		} else {
			KUNIT_EXPECT_EQ_MSG(test,
					    lc->pte & (ASP_PTE_A | ASP_PTE_D),
					    ASP_PTE_A | ASP_PTE_D,
					    "private leaf %#lx", ls->addr);
			KUNIT_EXPECT_NE_MSG(test, lc->pte & ASP_PTE_PFN_MASK,
					    ls->pte & ASP_PTE_PFN_MASK,
					    "private leaf %#lx", ls->addr);
			KUNIT_EXPECT_EQ_MSG(test, ls->refs, orig->leaf[i].refs,
					    "private leaf %#lx", ls->addr);
			KUNIT_EXPECT_EQ_MSG(test, lc->refs, 1,
					    "private leaf %#lx", ls->addr);
		}
	}
	KUNIT_EXPECT_GT(test, shared, 0U);
}

static void am_test_clone(struct kunit *test)
{
	const struct am_clone_case *c = test->param_value;
	struct am_ctx *ctx = test->priv;
	struct am_snap *orig = ctx->snap[0], *before = ctx->snap[1];
	struct am_snap *after = ctx->snap[2], *cs = ctx->snap[3];
	struct asp_mm *src, *copy = NULL;
	unsigned int failed = 0, i;
	int n, left;
	u64 *p;

	src = am_build(test, c->levels, c->layout, 0);
	am_snap_take(test, src, orig);
	am_snap_take(test, src, before);
	for (n = 1; n < AM_MAX_TRIES; n++) {
		asp_fail_nth_set(n);
		copy = asp_clone(src, true);
		left = asp_fail_nth_get();
		asp_fail_nth_set(0);
		am_snap_take(test, src, after);
		if (IS_ERR(copy)) {
			failed++;
			am_check_counters(test, true);
			am_expect_clean_failure(test, n, PTR_ERR(copy), left,
						after, before,
						"the source changed");
			swap(before, after);
			copy = NULL;
			continue;
		}
		am_track(test, copy);
		am_check_counters(test, false);
		KUNIT_EXPECT_NE_MSG(test, left, 0,
				    "fail-nth %d: the injected failure was swallowed",
				    n);
		break;
	}
	KUNIT_ASSERT_LT(test, n, AM_MAX_TRIES);
	KUNIT_EXPECT_GT(test, failed, 0U);
	kunit_info(test, "%d allocations, each failing cleanly\n", n - 1);

	/* The source is as it was but for the refs on its shared pages. */
	KUNIT_EXPECT_FALSE_MSG(test,
			       am_diff(test, after, orig, AM_EXACT | AM_NOREFS,
				       0, 0),
			       "the source changed: %s", ctx->msg);
	/* The copy is the source, with its own private pages. */
	am_snap_take(test, copy, cs);
	KUNIT_EXPECT_FALSE_MSG(test, am_diff(test, cs, after, AM_CLONE, 0, 0),
			       "the copy differs: %s", ctx->msg);
	am_expect_clone_frames(test, cs, after, orig);

	/* Writing the copy's first private page leaves the source's alone. */
	p = kmap_local_page(asp_pte_page(cs->leaf[0].pte));
	p[0] ^= 1;
	kunmap_local(p);
	am_snap_take(test, src, after);
	KUNIT_EXPECT_FALSE(test, am_leaf_shared(orig, orig->leaf[0].addr));
	KUNIT_EXPECT_FALSE_MSG(test,
			       am_diff(test, after, orig, AM_EXACT | AM_NOREFS,
				       0, 0),
			       "a write to the copy changed the source: %s",
			       ctx->msg);

	/* The source goes; the copy keeps every page, shared ones too. */
	am_destroy(test, src);
	am_check_counters(test, true);
	am_snap_take(test, copy, after);
	KUNIT_EXPECT_EQ(test, after->nr_leaves, cs->nr_leaves);
	/* Shared pages: the entry's and the shared object's reference. */
	for (i = 0; i < after->nr_leaves; i++)
		KUNIT_EXPECT_EQ(test, after->leaf[i].refs,
				am_leaf_shared(after, after->leaf[i].addr) ?
				2 : 1);
	am_done(test);
}

/* ------------------------------------------------------------------ */
/* set_layout and create */

/**
 * struct am_layout_case - a layout set on an empty address space
 * @levels: levels of the address space before
 * @flags: ASPACE_LAYOUT_* asked for
 */
struct am_layout_case {
	unsigned int levels;
	u32 flags;
};

static const struct am_layout_case am_layout_cases[] = {
	{ 4, ASPACE_LAYOUT_STACK },
	{ 4, ASPACE_LAYOUT_LA57 | ASPACE_LAYOUT_STACK },
	{ 5, ASPACE_LAYOUT_LA57 | ASPACE_LAYOUT_LEGACY | ASPACE_LAYOUT_STACK },
	{ 5, ASPACE_LAYOUT_STACK },
	{ 5, ASPACE_LAYOUT_LEGACY },
};

static void am_layout_desc(const struct am_layout_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u-level to flags %#x",
		 c->levels, c->flags);
}

KUNIT_ARRAY_PARAM(am_layout, am_layout_cases, am_layout_desc);

static void am_test_set_layout(struct kunit *test)
{
	const struct am_layout_case *c = test->param_value;
	struct am_ctx *ctx = test->priv;
	struct am_snap *want = ctx->snap[0], *before = ctx->snap[1];
	struct am_snap *after = ctx->snap[2];
	struct aspace_layout l = {
		.size = sizeof(l),
		.flags = c->flags,
		.mmap_min_addr = ASP_MMAP_MIN_ADDR,
	};
	unsigned int failed = 0;
	struct asp_mm *mm;
	int n, ret, left;

	mm = am_new(test, c->levels);
	KUNIT_ASSERT_EQ(test, asp_set_layout(mm, &l), 0);
	am_snap_take(test, mm, want);
	am_destroy(test, mm);
	KUNIT_EXPECT_EQ(test, want->levels,
			c->flags & ASPACE_LAYOUT_LA57 ? 5U : 4U);
	KUNIT_EXPECT_EQ(test, want->layout.flags, c->flags);
	KUNIT_EXPECT_EQ(test, want->nr_tables[want->levels - 1], 1UL);
	if (c->flags & ASPACE_LAYOUT_STACK) {
		KUNIT_ASSERT_EQ(test, want->nr_vmas, 1U);
		KUNIT_EXPECT_EQ(test, want->vma[0].end, want->layout.map_window);
		KUNIT_EXPECT_EQ(test, want->vma[0].start,
				want->layout.map_window - ASP_STACK_SIZE);
		KUNIT_EXPECT_EQ(test, want->vma[0].flags,
				ASP_VM_READ | ASP_VM_WRITE | ASP_VM_GROWSDOWN |
				ASP_VM_ACCOUNT);
		KUNIT_EXPECT_EQ(test, want->data_vm, 0UL);
	} else {
		KUNIT_EXPECT_EQ(test, want->nr_vmas, 0U);
	}

	mm = am_new(test, c->levels);
	am_snap_take(test, mm, before);
	for (n = 1; n < AM_MAX_TRIES; n++) {
		asp_fail_nth_set(n);
		ret = asp_set_layout(mm, &l);
		left = asp_fail_nth_get();
		asp_fail_nth_set(0);
		am_snap_take(test, mm, after);
		am_check_counters(test, true);
		if (ret) {
			failed++;
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "fail-nth %d", n);
			KUNIT_EXPECT_EQ(test, left, 0);
			KUNIT_EXPECT_FALSE_MSG(test,
					       am_diff(test, after, before,
						       AM_EXACT, 0, 0),
					       "fail-nth %d: the failed op changed the space: %s",
					       n, ctx->msg);
			swap(before, after);
			continue;
		}
		KUNIT_EXPECT_NE_MSG(test, left, 0,
				    "fail-nth %d: the injected failure was swallowed",
				    n);
		KUNIT_EXPECT_FALSE_MSG(test, am_diff(test, after, want, 0, 0, 0),
				       "fail-nth %d: %s", n, ctx->msg);
		break;
	}
	KUNIT_EXPECT_LT(test, n, AM_MAX_TRIES);
	KUNIT_EXPECT_GT(test, failed, 0U);

	/* Not on a space with a mapping: -EBUSY, nothing changed. */
	if (c->flags & ASPACE_LAYOUT_STACK) {
		l.flags &= ~ASPACE_LAYOUT_STACK;
		KUNIT_EXPECT_EQ(test, asp_set_layout(mm, &l), -EBUSY);
		am_snap_take(test, mm, before);
		KUNIT_EXPECT_FALSE_MSG(test,
				       am_diff(test, before, after, AM_EXACT, 0,
					       0),
				       "a refused layout changed the space: %s",
				       ctx->msg);
	}
	am_done(test);
}

static const unsigned int am_levels[] = { 4, 5 };

static void am_levels_desc(const unsigned int *levels, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u-level", *levels);
}

KUNIT_ARRAY_PARAM(am_levels, am_levels, am_levels_desc);

static void am_test_create(struct kunit *test)
{
	const unsigned int *levels = test->param_value;
	struct am_ctx *ctx = test->priv;
	struct am_snap *s = ctx->snap[0];
	struct asp_mm *mm = NULL;
	int n, left;

	for (n = 1; n < AM_MAX_TRIES; n++) {
		asp_fail_nth_set(n);
		mm = asp_mm_create_levels(*levels);
		left = asp_fail_nth_get();
		asp_fail_nth_set(0);
		if (!IS_ERR(mm))
			break;
		KUNIT_EXPECT_EQ(test, PTR_ERR(mm), -ENOMEM);
		KUNIT_EXPECT_EQ(test, left, 0);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&asp_nr_table_pages),
				ctx->tables0);
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR(mm));
	am_track(test, mm);
	/* Two allocations: the address space and its root table. */
	KUNIT_EXPECT_EQ(test, n, 3);
	KUNIT_EXPECT_NE(test, left, 0);
	am_snap_take(test, mm, s);
	am_check_counters(test, true);
	KUNIT_EXPECT_EQ(test, s->levels, *levels);
	KUNIT_EXPECT_EQ(test, s->nr_tables[*levels - 1], 1UL);
	KUNIT_EXPECT_EQ(test, s->nr_vmas, 0U);
	KUNIT_EXPECT_EQ(test, s->brk, s->start_brk);
	KUNIT_EXPECT_EQ(test, s->layout.task_size,
			*levels == 5 ? ASP_TASK_SIZE_5L : ASP_TASK_SIZE_4L);
	KUNIT_EXPECT_TRUE(test, IS_ERR(asp_mm_create_levels(3)));
	am_done(test);
}

/* ------------------------------------------------------------------ */
/* A fatal signal stops MAP_POPULATE and fails clone. */

/*
 * Make fatal_signal_pending(current) true in the test's kthread.  Kthreads
 * ignore every signal (kthreadd's ignore_signals(), copied to each kthread
 * as it shares no sighand); allow_signal() installs SIG_KTHREAD, which
 * sig_task_ignored() does not ignore and sig_fatal() does not treat as
 * fatal: send_sig() only queues SIGKILL on this task's private pending set
 * and sets TIF_SIGPENDING, with no group exit.  A kthread never returns to
 * user space, so nothing dequeues it until am_unkill_self().
 */
static void am_kill_self(void)
{
	allow_signal(SIGKILL);
	send_sig(SIGKILL, current, 1);
}

/* Drop the signal and ignore SIGKILL again, as the kthread did before. */
static void am_unkill_self(void)
{
	flush_signals(current);
	disallow_signal(SIGKILL);
}

static void am_test_killed(struct kunit *test)
{
	const unsigned int *levels = test->param_value;
	struct am_ctx *ctx = test->priv;
	struct am_snap *want = ctx->snap[0], *before = ctx->snap[1];
	struct am_snap *after = ctx->snap[2];
	/* 64 pages across a 2 MiB boundary, away from the base state. */
	const unsigned long addr = SZ_2G - 32 * P, len = 64 * P;
	unsigned long mapped = 0;
	struct asp_mm *mm, *copy;
	bool pending;
	int ret;

	/* The reference: the same mapping without MAP_POPULATE. */
	mm = am_build(test, *levels, 0, 0);
	am_map(test, mm, addr, len, AM_RW, AM_PRIV_FIXED);
	am_snap_take(test, mm, want);
	am_destroy(test, mm);

	/* MAP_POPULATE is best effort: the mmap is made, nothing populated. */
	mm = am_build(test, *levels, 0, 0);
	am_snap_take(test, mm, before);
	am_kill_self();
	pending = fatal_signal_pending(current);
	ret = asp_mmap(mm, addr, len, AM_RW, AM_PRIV_FIXED | MAP_POPULATE,
		       &mapped);
	am_unkill_self();
	KUNIT_ASSERT_TRUE_MSG(test, pending, "no fatal signal pending");
	KUNIT_EXPECT_FALSE(test, signal_pending(current));
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, mapped, addr);
	am_snap_take(test, mm, after);
	am_check_counters(test, true);
	KUNIT_EXPECT_EQ(test, after->resident, before->resident);
	KUNIT_EXPECT_FALSE_MSG(test, am_diff(test, after, want, 0, 0, 0),
			       "killed MAP_POPULATE: %s", ctx->msg);

	/* clone: -EINTR, the source exactly as it was, nothing leaked. */
	am_kill_self();
	copy = asp_clone(mm, false);
	am_unkill_self();
	if (!IS_ERR(copy))
		am_track(test, copy);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(copy), -EINTR);
	am_snap_take(test, mm, before);
	am_check_counters(test, true);
	KUNIT_EXPECT_FALSE_MSG(test, am_diff(test, before, after, AM_EXACT, 0,
					     0),
			       "a killed clone changed the source: %s",
			       ctx->msg);

	/* Without the signal both work again. */
	ret = asp_mmap(mm, addr, len, AM_RW, AM_PRIV_FIXED | MAP_POPULATE,
		       &mapped);
	KUNIT_EXPECT_EQ(test, ret, 0);
	am_snap_take(test, mm, after);
	KUNIT_EXPECT_EQ(test, after->resident, before->resident + 64);
	copy = asp_clone(mm, false);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(copy), "clone: %ld",
			       PTR_ERR(copy));
	am_track(test, copy);
	am_done(test);
}

/* ------------------------------------------------------------------ */
/* Refusals change nothing either. */

static void am_test_refused(struct kunit *test)
{
	const unsigned int *levels = test->param_value;
	struct am_ctx *ctx = test->priv;
	struct am_snap *before = ctx->snap[0], *after = ctx->snap[1];
	unsigned long mapped, brk;
	struct asp_mm *mm;

	mm = am_build(test, *levels, 0, 0);
	am_snap_take(test, mm, before);
	brk = before->brk;

	KUNIT_EXPECT_EQ(test, asp_mmap(mm, AM_X + 2 * P, P, AM_RW,
				       MAP_PRIVATE | MAP_FIXED_NOREPLACE,
				       &mapped), -EEXIST);
	KUNIT_EXPECT_EQ(test, asp_mmap(mm, AM_X + 15 * P, 2 * P, AM_RW,
				       MAP_PRIVATE | MAP_FIXED_NOREPLACE,
				       &mapped), -EEXIST);
	/* a hole at the start of the range */
	KUNIT_EXPECT_EQ(test, asp_mprotect(mm, AM_X + 16 * P, 8 * P,
					   PROT_READ), -ENOMEM);
	KUNIT_EXPECT_EQ(test, asp_munmap(mm, AM_X + 16 * P, 4 * P), 0);
	KUNIT_EXPECT_EQ(test, asp_munmap(mm, AM_X + P / 2, P), -EINVAL);
	KUNIT_EXPECT_EQ(test, asp_brk(mm, before->start_brk - 1), brk);
	/* growing over the next mapping */
	KUNIT_EXPECT_EQ(test, asp_brk(mm, before->layout.task_size), brk);
	am_snap_take(test, mm, after);
	KUNIT_EXPECT_FALSE_MSG(test, am_diff(test, after, before, AM_EXACT, 0, 0),
			       "a refused op changed the space: %s", ctx->msg);

	/* brk shrinking where no VMA lies: the break stays, as in Linux */
	KUNIT_ASSERT_EQ(test, asp_munmap(mm, before->start_brk, 4 * P), 0);
	am_snap_take(test, mm, before);
	KUNIT_EXPECT_EQ(test, asp_brk(mm, before->start_brk + P), brk);
	KUNIT_EXPECT_EQ(test, asp_brk(mm, before->start_brk), brk);
	am_snap_take(test, mm, after);
	KUNIT_EXPECT_FALSE_MSG(test, am_diff(test, after, before, AM_EXACT, 0, 0),
			       "a refused brk changed the space: %s", ctx->msg);
	am_done(test);
}

static struct kunit_case am_test_cases[] = {
	KUNIT_CASE_PARAM(am_test_create, am_levels_gen_params),
	KUNIT_CASE_PARAM(am_test_set_layout, am_layout_gen_params),
	KUNIT_CASE_PARAM(am_test_op, am_op_gen_params),
	KUNIT_CASE_PARAM(am_test_clone, am_clone_gen_params),
	KUNIT_CASE_PARAM(am_test_refused, am_levels_gen_params),
	KUNIT_CASE_PARAM(am_test_killed, am_levels_gen_params),
	{}
};

static struct kunit_suite am_test_suite = {
	.name = "aspace_mm",
	.init = am_test_init,
	.exit = am_test_exit,
	.test_cases = am_test_cases,
};

kunit_test_suite(am_test_suite);
