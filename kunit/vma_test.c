// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the aspace VMA set (module/vma.c).
 *
 * Every test works on a real set guarded, as in the module, by an
 * rw_semaphore taken around each call (for read around lookups, for write
 * around changes).  After a change the set is read back two ways: VMA by
 * VMA through the API (vt_snap_take()) and slot by slot in the maple tree
 * (vt_walk()), which checks that the slots of every VMA cover exactly
 * [start, end), in order, and that vs->count is the number of VMAs.
 *
 * Leaks: the test counts the VMAs it owns (ctx->live): one more for each
 * asp_vma_alloc() and each split, one less for each VMA a merge or an
 * unsplit frees and each VMA the test frees.  At the end of a test the
 * VMAs in the set plus those the test holds outside it must be exactly
 * that many.  Under generic KASAN the tests also check that the VMAs a
 * merge, an unsplit or asp_vmas_destroy() should free were freed (their
 * memory is poisoned).  The VMA slab cache exists when the suite runs: the module
 * is built in (CONFIG_ASPACE=y), and its init (asp_core_init(), a device
 * initcall) runs before the built-in KUnit suites.
 */
#include <kunit/test.h>
#include <linux/kasan.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "../module/mem.h"
#include "../module/pgtable.h"
#include "../module/vma.h"
#include "rand.h"

#define P		PAGE_SIZE
#define TS4		ASP_TASK_SIZE_4L
#define TS5		ASP_TASK_SIZE_5L
#define MIN_ADDR	SZ_64K			/* default mmap_min_addr */
#define GUARD		(256UL << PAGE_SHIFT)	/* default stack guard gap */
#define TOP_PAGE	(ULONG_MAX & PAGE_MASK)

#define VT_R		ASP_VM_READ
#define VT_RW		(ASP_VM_READ | ASP_VM_WRITE | ASP_VM_ACCOUNT)
#define VT_RX		(ASP_VM_READ | ASP_VM_EXEC)
#define VT_SHARED	(ASP_VM_READ | ASP_VM_WRITE | ASP_VM_SHARED)
#define VT_STACK	(VT_RW | ASP_VM_GROWSDOWN)

/* Most VMAs a snapshot or the reference model holds. */
#define VT_MAX		128

/* "Fail the Nth allocation" far enough away to count the calls. */
#define VT_COUNT_CALLS	1000000

/**
 * struct vt_ctx - per-test state
 * @lock: the lock the tree uses as its external lock
 * @vs: the set under test; emptied by the exit hook if a test stopped
 * @held: VMAs out of the set that the test holds (e.g. detached ones)
 * @live: VMAs allocated for this test and not yet freed
 */
struct vt_ctx {
	struct rw_semaphore lock;
	struct asp_vmas vs;
	struct list_head held;
	long live;
};

/**
 * struct vt_rec - what one VMA holds
 * @start: first byte
 * @end: one past the last byte
 * @flags: ASP_VM_*
 * @pgoff: page offset (shared)
 * @obj: backing object (shared)
 * @anon: anonymous memory identity (private)
 * @vma: the VMA itself (in the model, NULL: not known yet)
 */
struct vt_rec {
	unsigned long start;
	unsigned long end;
	unsigned long flags;
	unsigned long pgoff;
	u64 obj;
	u64 anon;
	const struct asp_vma *vma;
};

/**
 * struct vt_snap - the whole set, VMA by VMA
 * @count: vs->count
 * @nr: VMAs found by walking the set
 * @rec: those VMAs, ascending
 */
struct vt_snap {
	unsigned long count;
	unsigned int nr;
	struct vt_rec rec[VT_MAX];
};

static int vt_test_init(struct kunit *test)
{
	struct vt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	asp_fail_nth_set(0);
	init_rwsem(&ctx->lock);
	asp_vmas_init(&ctx->vs, &ctx->lock);
	INIT_LIST_HEAD(&ctx->held);
	test->priv = ctx;
	return 0;
}

static void vt_test_exit(struct kunit *test)
{
	struct vt_ctx *ctx = test->priv;

	asp_fail_nth_set(0);
	down_write(&ctx->lock);
	asp_vmas_destroy(&ctx->vs);
	up_write(&ctx->lock);
	asp_vma_free_list(&ctx->held);
}

static struct asp_vmas *vt_vs(struct kunit *test)
{
	struct vt_ctx *ctx = test->priv;

	return &ctx->vs;
}

/* ---- allocation and freeing, counted ---- */

#ifdef CONFIG_KASAN_GENERIC
/*
 * Was the object at @p freed?  Generic KASAN poisons a slab object as it
 * is freed: read the shadow of its first bytes, without instrumentation.
 */
static noinline __no_sanitize_address bool vt_freed(const void *p)
{
	return *(const s8 *)kasan_mem_to_shadow(p) != 0;
}
#else
/* Without KASAN this cannot be asked. */
static bool vt_freed(const void *p)
{
	return true;
}
#endif

static struct asp_vma *vt_alloc(struct kunit *test, unsigned long start,
				unsigned long end, unsigned long flags)
{
	struct vt_ctx *ctx = test->priv;
	struct asp_vma *vma = asp_vma_alloc(start, end, flags);

	KUNIT_ASSERT_NOT_NULL(test, vma);
	ctx->live++;
	return vma;
}

static void vt_free(struct kunit *test, struct asp_vma *vma)
{
	struct vt_ctx *ctx = test->priv;

	if (vma)
		ctx->live--;
	asp_vma_free(vma);
}

static unsigned long vt_list_len(struct list_head *head)
{
	struct asp_vma *vma;
	unsigned long n = 0;

	list_for_each_entry(vma, head, list)
		n++;
	return n;
}

static void vt_free_list(struct kunit *test, struct list_head *head)
{
	struct vt_ctx *ctx = test->priv;

	ctx->live -= vt_list_len(head);
	asp_vma_free_list(head);
	KUNIT_EXPECT_TRUE(test, list_empty(head));
}

/* ---- the API, each call under the lock as the module takes it ---- */

static int vt_insert(struct kunit *test, struct asp_vma *vma)
{
	struct vt_ctx *ctx = test->priv;
	int ret;

	down_write(&ctx->lock);
	ret = asp_vma_insert(&ctx->vs, vma);
	up_write(&ctx->lock);
	return ret;
}

/* Insert a new VMA that must fit; returns it. */
static struct asp_vma *vt_add(struct kunit *test, unsigned long start,
			      unsigned long end, unsigned long flags)
{
	struct asp_vma *vma = vt_alloc(test, start, end, flags);
	int ret = vt_insert(test, vma);

	if (ret)
		vt_free(test, vma);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "insert [%#lx, %#lx)", start, end);
	return vma;
}

static int vt_split(struct kunit *test, struct asp_vma *vma,
		    unsigned long addr, struct asp_vma **upper)
{
	struct vt_ctx *ctx = test->priv;
	int ret;

	down_write(&ctx->lock);
	ret = asp_vma_split(&ctx->vs, vma, addr, upper);
	up_write(&ctx->lock);
	if (!ret)
		ctx->live++;
	return ret;
}

static void vt_unsplit(struct kunit *test, struct asp_vma *vma,
		       struct asp_vma *upper)
{
	struct vt_ctx *ctx = test->priv;

	down_write(&ctx->lock);
	asp_vma_unsplit(&ctx->vs, vma, upper);
	up_write(&ctx->lock);
	ctx->live--;
	KUNIT_EXPECT_TRUE_MSG(test, vt_freed(upper), "unsplit kept upper");
}

static int vt_replace(struct kunit *test, unsigned long start,
		      unsigned long end, struct asp_vma *vma,
		      struct list_head *detached)
{
	struct vt_ctx *ctx = test->priv;
	int ret;

	down_write(&ctx->lock);
	ret = asp_vma_replace(&ctx->vs, start, end, vma, detached);
	up_write(&ctx->lock);
	return ret;
}

static bool vt_merge_next(struct kunit *test, struct asp_vma *vma)
{
	struct vt_ctx *ctx = test->priv;
	struct asp_vma *next;
	bool merged;

	down_write(&ctx->lock);
	next = asp_vma_next(&ctx->vs, vma);
	merged = asp_vma_merge_next(&ctx->vs, vma);
	up_write(&ctx->lock);
	if (merged) {
		ctx->live--;
		KUNIT_EXPECT_TRUE_MSG(test, vt_freed(next),
				      "merge kept the next VMA");
	} else if (next) {
		KUNIT_EXPECT_FALSE(test, vt_freed(next));
	}
	return merged;
}

static int vt_area(struct kunit *test, const struct asp_vma_search *s,
		   unsigned long *addr)
{
	struct vt_ctx *ctx = test->priv;
	struct asp_vma *next = NULL;
	int ret;

	*addr = 0xdead000UL;
	down_read(&ctx->lock);
	ret = asp_vma_find_area_next(&ctx->vs, s, addr, &next);
	/* The VMA found on the way is the one after the range. */
	if (!ret)
		KUNIT_EXPECT_PTR_EQ(test, next,
				    asp_vma_find_next(&ctx->vs, *addr));
	up_read(&ctx->lock);
	return ret;
}

static struct asp_vma *vt_find(struct kunit *test, unsigned long addr)
{
	struct vt_ctx *ctx = test->priv;
	struct asp_vma *vma;

	down_read(&ctx->lock);
	vma = asp_vma_find(&ctx->vs, addr);
	up_read(&ctx->lock);
	return vma;
}

static struct asp_vma *vt_find_next(struct kunit *test, unsigned long addr)
{
	struct vt_ctx *ctx = test->priv;
	struct asp_vma *vma;

	down_read(&ctx->lock);
	vma = asp_vma_find_next(&ctx->vs, addr);
	up_read(&ctx->lock);
	return vma;
}

static struct asp_vma *vt_find_prev(struct kunit *test, unsigned long addr)
{
	struct vt_ctx *ctx = test->priv;
	struct asp_vma *vma;

	down_read(&ctx->lock);
	vma = asp_vma_find_prev(&ctx->vs, addr);
	up_read(&ctx->lock);
	return vma;
}

static struct asp_vma *vt_next(struct kunit *test, struct asp_vma *vma)
{
	struct vt_ctx *ctx = test->priv;
	struct asp_vma *next;

	down_read(&ctx->lock);
	next = asp_vma_next(&ctx->vs, vma);
	up_read(&ctx->lock);
	return next;
}

static bool vt_overlaps(struct kunit *test, unsigned long start,
			unsigned long end)
{
	struct vt_ctx *ctx = test->priv;
	bool ret;

	down_read(&ctx->lock);
	ret = asp_vma_overlaps(&ctx->vs, start, end);
	up_read(&ctx->lock);
	return ret;
}

/* ---- compound operations, built as module/mmap.c builds them ---- */

/**
 * struct vt_carve - splits made at the edges of a range
 * @lower: the VMA split at the start, or NULL
 * @lower_new: its upper part
 * @upper: the VMA split at the end, or NULL
 * @upper_new: its upper part
 */
struct vt_carve {
	struct asp_vma *lower, *lower_new;
	struct asp_vma *upper, *upper_new;
};

static void vt_uncarve(struct kunit *test, struct vt_carve *c)
{
	if (c->upper)
		vt_unsplit(test, c->upper, c->upper_new);
	if (c->lower)
		vt_unsplit(test, c->lower, c->lower_new);
}

/* Split the VMAs straddling @start and @end; all or nothing. */
static int vt_carve(struct kunit *test, unsigned long start,
		    unsigned long end, struct vt_carve *c)
{
	struct asp_vma *vma;
	int ret;

	memset(c, 0, sizeof(*c));
	vma = vt_find(test, start);
	if (vma && vma->start < start) {
		ret = vt_split(test, vma, start, &c->lower_new);
		if (ret)
			return ret;
		c->lower = vma;
	}
	vma = vt_find(test, end);
	if (vma && vma->start < end) {
		ret = vt_split(test, vma, end, &c->upper_new);
		if (ret) {
			vt_uncarve(test, c);
			return ret;
		}
		c->upper = vma;
	}
	return 0;
}

/* Remove [@start, @end), splitting the edges (munmap). */
static int vt_remove(struct kunit *test, unsigned long start,
		     unsigned long end)
{
	struct vt_carve c;
	LIST_HEAD(detached);
	int ret;

	ret = vt_carve(test, start, end, &c);
	if (ret)
		return ret;
	ret = vt_replace(test, start, end, NULL, &detached);
	if (ret) {
		KUNIT_EXPECT_TRUE(test, list_empty(&detached));
		vt_uncarve(test, &c);
		return ret;
	}
	vt_free_list(test, &detached);
	return 0;
}

/* Map @vma over [vma->start, vma->end), replacing what is there. */
static int vt_map_fixed(struct kunit *test, struct asp_vma *vma)
{
	struct vt_carve c;
	LIST_HEAD(detached);
	int ret;

	ret = vt_carve(test, vma->start, vma->end, &c);
	if (ret)
		return ret;
	ret = vt_replace(test, vma->start, vma->end, vma, &detached);
	if (ret) {
		KUNIT_EXPECT_TRUE(test, list_empty(&detached));
		vt_uncarve(test, &c);
		return ret;
	}
	vt_free_list(test, &detached);
	return 0;
}

/* Grow @vma up over the free range [vma->end, @end) (brk). */
static int vt_extend(struct kunit *test, struct asp_vma *vma,
		     unsigned long end)
{
	LIST_HEAD(detached);
	int ret;

	ret = vt_replace(test, vma->end, end, vma, &detached);
	KUNIT_EXPECT_TRUE(test, list_empty(&detached));
	if (!ret)
		vma->end = end;
	return ret;
}

/* Grow @vma down over the free range [@start, vma->start). */
static int vt_extend_down(struct kunit *test, struct asp_vma *vma,
			  unsigned long start)
{
	LIST_HEAD(detached);
	int ret;

	ret = vt_replace(test, start, vma->start, vma, &detached);
	KUNIT_EXPECT_TRUE(test, list_empty(&detached));
	if (!ret) {
		if (vma->flags & ASP_VM_SHARED)
			vma->pgoff -= (vma->start - start) >> PAGE_SHIFT;
		vma->start = start;
	}
	return ret;
}

/* ---- reading the whole set back ---- */

static void vt_rec_of(struct vt_rec *r, const struct asp_vma *vma)
{
	r->start = vma->start;
	r->end = vma->end;
	r->flags = vma->flags;
	r->pgoff = vma->pgoff;
	r->obj = vma->obj;
	r->anon = vma->anon;
	r->vma = vma;
}

/*
 * Walk the tree slot by slot: the slots of each VMA must be contiguous,
 * cover exactly [start, end), and VMAs must come in ascending order.
 * Returns a description of the first problem, or NULL.  Lock held.
 */
static const char *vt_walk(struct asp_vmas *vs, unsigned long *where)
{
	MA_STATE(mas, &vs->mt, 0, 0);
	struct asp_vma *vma, *cur = NULL;
	unsigned long next = 0, nr = 0;

	mas_for_each(&mas, vma, ULONG_MAX) {
		*where = mas.index;
		if (vma->start >= vma->end)
			return "empty or reversed VMA";
		if (mas.last > vma->end - 1)
			return "slot past the end of its VMA";
		if (vma != cur) {
			if (cur && next != cur->end)
				return "VMA not covered up to its end";
			if (mas.index != vma->start)
				return "first slot not at the VMA's start";
			if (cur && vma->start < cur->end)
				return "VMAs out of order";
			cur = vma;
			nr++;
		} else if (mas.index != next) {
			return "hole inside a VMA";
		}
		next = mas.last + 1;
	}
	if (cur && next != cur->end)
		return "last VMA not covered up to its end";
	if (nr != vs->count)
		return "count is not the number of VMAs";
	return NULL;
}

static void vt_snap_take(struct kunit *test, struct vt_snap *s)
{
	struct vt_ctx *ctx = test->priv;
	struct asp_vma *vma;
	const char *bad;
	unsigned long where = 0;
	bool full = false;

	memset(s, 0, sizeof(*s));
	down_read(&ctx->lock);
	bad = vt_walk(&ctx->vs, &where);
	s->count = ctx->vs.count;
	for (vma = asp_vma_find_next(&ctx->vs, 0); vma;
	     vma = asp_vma_next(&ctx->vs, vma)) {
		if (s->nr == VT_MAX) {
			full = true;
			break;
		}
		vt_rec_of(&s->rec[s->nr++], vma);
	}
	up_read(&ctx->lock);
	KUNIT_ASSERT_FALSE(test, full);
	KUNIT_ASSERT_NULL_MSG(test, bad, "%s at %#lx", bad, where);
	KUNIT_ASSERT_EQ(test, s->count, (unsigned long)s->nr);
}

static void vt_expect_same(struct kunit *test, const struct vt_snap *a,
			   const struct vt_snap *b, const char *what)
{
	unsigned int i;

	KUNIT_ASSERT_EQ_MSG(test, a->count, b->count, "%s", what);
	KUNIT_ASSERT_EQ_MSG(test, a->nr, b->nr, "%s", what);
	for (i = 0; i < a->nr; i++)
		KUNIT_ASSERT_EQ_MSG(test, memcmp(&a->rec[i], &b->rec[i],
						 sizeof(a->rec[i])), 0,
				    "%s: VMA %u [%#lx, %#lx) became [%#lx, %#lx) flags %#lx pgoff %lu anon %llu",
				    what, i, a->rec[i].start, a->rec[i].end,
				    b->rec[i].start, b->rec[i].end,
				    b->rec[i].flags, b->rec[i].pgoff,
				    b->rec[i].anon);
}

/* The set holds exactly the ranges @want (start, end pairs). */
static void vt_expect_ranges(struct kunit *test, const unsigned long *want,
			     unsigned int nr)
{
	struct vt_snap *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	vt_snap_take(test, s);
	KUNIT_ASSERT_EQ(test, s->nr, nr);
	for (i = 0; i < nr; i++) {
		KUNIT_EXPECT_EQ_MSG(test, s->rec[i].start, want[2 * i],
				    "VMA %u", i);
		KUNIT_EXPECT_EQ_MSG(test, s->rec[i].end, want[2 * i + 1],
				    "VMA %u", i);
	}
	kunit_kfree(test, s);
}

/* Everything the test allocated is in the set or held: nothing leaked. */
static void vt_expect_no_leak(struct kunit *test)
{
	struct vt_ctx *ctx = test->priv;
	struct vt_snap *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	vt_snap_take(test, s);
	KUNIT_EXPECT_EQ(test, (long)s->nr + (long)vt_list_len(&ctx->held),
			ctx->live);
	kunit_kfree(test, s);
}

/* End of a test: no leak, then free everything; the set is reusable. */
static void vt_done(struct kunit *test)
{
	struct vt_ctx *ctx = test->priv;
	const struct asp_vma **vmas;
	struct asp_vma *vma;
	long in_set = 0, i, kept = 0;

	KUNIT_EXPECT_EQ(test, asp_fail_nth_get(), 0);
	asp_fail_nth_set(0);
	down_read(&ctx->lock);
	for (vma = asp_vma_find_next(&ctx->vs, 0); vma;
	     vma = asp_vma_next(&ctx->vs, vma))
		in_set++;
	up_read(&ctx->lock);
	KUNIT_EXPECT_EQ(test, in_set + (long)vt_list_len(&ctx->held),
			ctx->live);
	vmas = kvmalloc_array(in_set + 1, sizeof(*vmas), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vmas);
	i = 0;
	down_write(&ctx->lock);
	for (vma = asp_vma_find_next(&ctx->vs, 0); vma && i < in_set;
	     vma = asp_vma_next(&ctx->vs, vma))
		vmas[i++] = vma;
	asp_vmas_destroy(&ctx->vs);
	up_write(&ctx->lock);
	/* Every VMA of the set was freed. */
	while (i--)
		kept += !vt_freed(vmas[i]);
	kvfree(vmas);
	KUNIT_EXPECT_EQ(test, kept, 0L);
	KUNIT_EXPECT_EQ(test, ctx->vs.count, 0UL);
	/* __mt_destroy() clears the tree's flags: initialise it again. */
	asp_vmas_init(&ctx->vs, &ctx->lock);
	ctx->live -= in_set;
	vt_free_list(test, &ctx->held);
	KUNIT_EXPECT_EQ(test, ctx->live, 0L);
	KUNIT_EXPECT_NULL(test, vt_find_next(test, 0));
}

/* Calls to the allocation hook made by what runs between the two. */
static void vt_calls_start(void)
{
	asp_fail_nth_set(VT_COUNT_CALLS);
}

static int vt_calls_end(void)
{
	int left = asp_fail_nth_get();

	asp_fail_nth_set(0);
	return VT_COUNT_CALLS - left;
}

/* -------------------------------------------------------------------- */

static void vma_test_alloc_free(struct kunit *test)
{
	struct asp_vma *a, *b;
	LIST_HEAD(list);

	a = asp_vma_alloc(MIN_ADDR, MIN_ADDR + 2 * P, VT_RW);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, a->start, MIN_ADDR);
	KUNIT_EXPECT_EQ(test, a->end, MIN_ADDR + 2 * P);
	KUNIT_EXPECT_EQ(test, a->flags, VT_RW);
	KUNIT_EXPECT_EQ(test, a->pgoff, 0UL);
	KUNIT_EXPECT_EQ(test, a->obj, 0ULL);
	KUNIT_EXPECT_EQ(test, a->anon, 0ULL);
	KUNIT_EXPECT_TRUE(test, list_empty(&a->list));

	a->pgoff = 7;
	a->obj = 42;
	a->anon = 9;
	b = asp_vma_dup(a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_EQ(test, b->start, a->start);
	KUNIT_EXPECT_EQ(test, b->end, a->end);
	KUNIT_EXPECT_EQ(test, b->flags, a->flags);
	KUNIT_EXPECT_EQ(test, b->pgoff, 7UL);
	KUNIT_EXPECT_EQ(test, b->obj, 42ULL);
	KUNIT_EXPECT_EQ(test, b->anon, 9ULL);
	KUNIT_EXPECT_TRUE(test, list_empty(&b->list));

	KUNIT_EXPECT_FALSE(test, vt_freed(a));
	list_add_tail(&a->list, &list);
	list_add_tail(&b->list, &list);
	asp_vma_free_list(&list);
	KUNIT_EXPECT_TRUE(test, list_empty(&list));
	KUNIT_EXPECT_TRUE(test, vt_freed(a));
	KUNIT_EXPECT_TRUE(test, vt_freed(b));
	asp_vma_free_list(&list);		/* empty list */
	asp_vma_free(NULL);

	/* Boundary values are stored as given. */
	a = asp_vma_alloc(TS5 - P, TS5, VT_STACK);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, a->start, TS5 - P);
	KUNIT_EXPECT_EQ(test, a->end, TS5);
	KUNIT_EXPECT_EQ(test, a->flags, VT_STACK);

	/* The hook fails exactly the Nth allocation from now. */
	asp_fail_nth_set(1);
	KUNIT_EXPECT_NULL(test, asp_vma_dup(a));
	KUNIT_EXPECT_EQ(test, asp_fail_nth_get(), 0);
	asp_fail_nth_set(2);
	b = asp_vma_alloc(0, P, VT_R);
	KUNIT_EXPECT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, asp_fail_nth_get(), 1);
	KUNIT_EXPECT_NULL(test, asp_vma_alloc(0, P, VT_R));
	KUNIT_EXPECT_EQ(test, asp_fail_nth_get(), 0);
	asp_vma_free(b);
	/* Consumed: allocations work again. */
	b = asp_vma_dup(a);
	KUNIT_EXPECT_NOT_NULL(test, b);
	asp_vma_free(b);
	asp_vma_free(a);
}

/* Addresses where an empty set has nothing. */
static const unsigned long vt_probe_addrs[] = {
	0, P - 1, P, MIN_ADDR - 1, MIN_ADDR, TS4 - P, TS4 - 1, TS4, 1UL << 47,
	TS5 - P, TS5 - 1, TS5, 1UL << 56, TOP_PAGE, ULONG_MAX,
};

static void vma_test_empty(struct kunit *test)
{
	struct asp_vmas *vs = vt_vs(test);
	struct asp_vma_search s = { .length = P, .low = MIN_ADDR,
				    .high = TS4 };
	unsigned long addr, a;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, vs->count, 0UL);
	for (i = 0; i < ARRAY_SIZE(vt_probe_addrs); i++) {
		a = vt_probe_addrs[i];
		KUNIT_EXPECT_NULL_MSG(test, vt_find(test, a), "%#lx", a);
		KUNIT_EXPECT_NULL_MSG(test, vt_find_next(test, a), "%#lx", a);
		KUNIT_EXPECT_NULL_MSG(test, vt_find_prev(test, a), "%#lx", a);
		if (a < TOP_PAGE)
			KUNIT_EXPECT_FALSE_MSG(test, vt_overlaps(test, a, a + P),
					       "%#lx", a);
	}
	KUNIT_EXPECT_FALSE(test, vt_overlaps(test, 0, ULONG_MAX));

	KUNIT_EXPECT_EQ(test, vt_area(test, &s, &addr), 0);
	KUNIT_EXPECT_EQ(test, addr, MIN_ADDR);
	s.topdown = true;
	KUNIT_EXPECT_EQ(test, vt_area(test, &s, &addr), 0);
	KUNIT_EXPECT_EQ(test, addr, TS4 - P);
	vt_done(test);
}

/* ---- insert and the lookups, at the boundaries ---- */

struct vt_range_case {
	const char *name;
	unsigned long start;
	unsigned long end;
};

static const struct vt_range_case vt_insert_cases[] = {
	{ "page 0", 0, P },
	{ "page below mmap_min_addr", MIN_ADDR - P, MIN_ADDR },
	{ "page at mmap_min_addr", MIN_ADDR, MIN_ADDR + P },
	{ "0 to mmap_min_addr", 0, MIN_ADDR },
	{ "last 4L page", TS4 - P, TS4 },
	{ "first page past 4L", TS4, TS4 + P },
	{ "across 2^47", TS4 - P, (1UL << 47) + P },
	{ "mmap_min_addr to 4L top", MIN_ADDR, TS4 },
	{ "all of 4L", 0, TS4 },
	{ "last 5L page", TS5 - P, TS5 },
	{ "all of 5L", 0, TS5 },
	{ "4L top to 5L top", TS4, TS5 },
	{ "second-last page of all", TOP_PAGE - P, TOP_PAGE },
	{ "huge unaligned", 1, ULONG_MAX - P },
};

static void vt_range_desc(const struct vt_range_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vt_insert, vt_insert_cases, vt_range_desc);

/* Inserting [@start, @end) must fail with -EEXIST and change nothing. */
static void vt_expect_eexist(struct kunit *test, const struct vt_snap *before,
			     unsigned long start, unsigned long end)
{
	struct vt_snap *after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	struct asp_vma *vma;

	KUNIT_ASSERT_NOT_NULL(test, after);
	vma = vt_alloc(test, start, end, VT_RW);
	vt_calls_start();
	KUNIT_EXPECT_EQ_MSG(test, vt_insert(test, vma), -EEXIST,
			    "[%#lx, %#lx)", start, end);
	KUNIT_EXPECT_EQ(test, vt_calls_end(), 0);
	vt_free(test, vma);
	vt_snap_take(test, after);
	vt_expect_same(test, before, after, "-EEXIST");
	kunit_kfree(test, after);
}

static void vma_test_insert(struct kunit *test)
{
	const struct vt_range_case *c = test->param_value;
	unsigned long start = c->start, end = c->end;
	struct asp_vma *vma, *below = NULL, *above = NULL;
	struct vt_snap *snap;
	bool room_below = start >= P, room_above = end < TOP_PAGE;

	snap = kunit_kzalloc(test, sizeof(*snap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, snap);

	vma = vt_alloc(test, start, end, VT_RW);
	vt_calls_start();
	KUNIT_ASSERT_EQ(test, vt_insert(test, vma), 0);
	KUNIT_EXPECT_EQ(test, vt_calls_end(), 1);
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 1UL);

	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, start), vma);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, end - 1), vma);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, start + (end - start) / 2),
			    vma);
	KUNIT_EXPECT_NULL(test, vt_find(test, end));
	if (start)
		KUNIT_EXPECT_NULL(test, vt_find(test, start - 1));

	KUNIT_EXPECT_PTR_EQ(test, vt_find_next(test, 0), vma);
	KUNIT_EXPECT_PTR_EQ(test, vt_find_next(test, start), vma);
	KUNIT_EXPECT_PTR_EQ(test, vt_find_next(test, end - 1), vma);
	KUNIT_EXPECT_NULL(test, vt_find_next(test, end));
	KUNIT_EXPECT_NULL(test, vt_next(test, vma));

	KUNIT_EXPECT_NULL(test, vt_find_prev(test, 0));
	KUNIT_EXPECT_NULL(test, vt_find_prev(test, start));
	KUNIT_EXPECT_PTR_EQ(test, vt_find_prev(test, start + 1), vma);
	KUNIT_EXPECT_PTR_EQ(test, vt_find_prev(test, end), vma);
	KUNIT_EXPECT_PTR_EQ(test, vt_find_prev(test, ULONG_MAX), vma);

	KUNIT_EXPECT_TRUE(test, vt_overlaps(test, start, end));
	KUNIT_EXPECT_TRUE(test, vt_overlaps(test, start, start + 1));
	KUNIT_EXPECT_TRUE(test, vt_overlaps(test, end - 1, end));
	KUNIT_EXPECT_TRUE(test, vt_overlaps(test, 0, ULONG_MAX));
	if (start)
		KUNIT_EXPECT_FALSE(test, vt_overlaps(test, 0, start));
	if (room_above)
		KUNIT_EXPECT_FALSE(test, vt_overlaps(test, end, end + P));

	/* Anything meeting the VMA is refused. */
	vt_snap_take(test, snap);
	vt_expect_eexist(test, snap, start, end);
	vt_expect_eexist(test, snap, start, start + 1);
	vt_expect_eexist(test, snap, end - 1, end);
	if (room_below)
		vt_expect_eexist(test, snap, start - P, start + 1);
	if (room_above)
		vt_expect_eexist(test, snap, end - 1, end + P);
	if (room_below && room_above)
		vt_expect_eexist(test, snap, start - P, end + P);
	vt_expect_no_leak(test);

	/* Neighbours on both sides fit, and are found in order. */
	if (room_below)
		below = vt_add(test, start - P, start, VT_R);
	if (room_above)
		above = vt_add(test, end, end + P, VT_R);
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count,
			1UL + room_below + room_above);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, start), vma);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, end - 1), vma);
	KUNIT_EXPECT_PTR_EQ(test, vt_next(test, vma), above);
	KUNIT_EXPECT_PTR_EQ(test, vt_find_prev(test, start), below);
	if (below) {
		KUNIT_EXPECT_PTR_EQ(test, vt_find(test, start - 1), below);
		KUNIT_EXPECT_PTR_EQ(test, vt_find_next(test, 0), below);
		KUNIT_EXPECT_PTR_EQ(test, vt_next(test, below), vma);
	}
	if (above) {
		KUNIT_EXPECT_PTR_EQ(test, vt_find(test, end), above);
		KUNIT_EXPECT_PTR_EQ(test, vt_find_next(test, end), above);
		KUNIT_EXPECT_PTR_EQ(test, vt_find_prev(test, ULONG_MAX),
				    above);
	}
	vt_done(test);
}

/* The lookups in a set with holes and a VMA spanning several slots. */
static void vma_test_lookup(struct kunit *test)
{
	const unsigned long m = MIN_ADDR;
	struct asp_vma *a, *b, *c, *d, *upper;
	static const struct {
		unsigned long addr;
		int find, next, prev;	/* 0: NULL, 1..4: a..d */
	} probes[] = {
		{ 0, 0, 1, 0 },
		{ MIN_ADDR - 1, 0, 1, 0 },
		{ MIN_ADDR, 1, 1, 0 },
		{ MIN_ADDR + 1, 1, 1, 1 },
		{ MIN_ADDR + 2 * P - 1, 1, 1, 1 },
		{ MIN_ADDR + 2 * P, 0, 2, 1 },
		{ MIN_ADDR + 3 * P, 0, 2, 1 },
		{ MIN_ADDR + 4 * P, 2, 2, 1 },
		{ MIN_ADDR + 5 * P, 2, 2, 2 },
		{ MIN_ADDR + 8 * P - 1, 2, 2, 2 },
		{ MIN_ADDR + 8 * P, 3, 3, 2 },
		{ MIN_ADDR + 9 * P, 0, 4, 3 },
		{ TS4 - 2 * P, 0, 4, 3 },
		{ TS4 - P, 4, 4, 3 },
		{ TS4 - 1, 4, 4, 4 },
		{ TS4, 0, 0, 4 },
		{ TS5, 0, 0, 4 },
		{ ULONG_MAX, 0, 0, 4 },
	};
	struct asp_vma *v[5];
	unsigned int i;

	a = vt_add(test, m, m + 2 * P, VT_RW);
	/* b spans two slots: split, then undone. */
	b = vt_add(test, m + 4 * P, m + 8 * P, VT_RW);
	KUNIT_ASSERT_EQ(test, vt_split(test, b, m + 6 * P, &upper), 0);
	vt_unsplit(test, b, upper);
	c = vt_add(test, m + 8 * P, m + 9 * P, VT_RW);
	d = vt_add(test, TS4 - P, TS4, VT_STACK);
	v[0] = NULL;
	v[1] = a;
	v[2] = b;
	v[3] = c;
	v[4] = d;
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 4UL);

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		unsigned long addr = probes[i].addr;

		KUNIT_EXPECT_PTR_EQ_MSG(test, vt_find(test, addr),
					v[probes[i].find], "find %#lx", addr);
		KUNIT_EXPECT_PTR_EQ_MSG(test, vt_find_next(test, addr),
					v[probes[i].next], "next %#lx", addr);
		KUNIT_EXPECT_PTR_EQ_MSG(test, vt_find_prev(test, addr),
					v[probes[i].prev], "prev %#lx", addr);
	}
	KUNIT_EXPECT_PTR_EQ(test, vt_next(test, a), b);
	KUNIT_EXPECT_PTR_EQ(test, vt_next(test, b), c);
	KUNIT_EXPECT_PTR_EQ(test, vt_next(test, c), d);
	KUNIT_EXPECT_NULL(test, vt_next(test, d));

	KUNIT_EXPECT_FALSE(test, vt_overlaps(test, 0, m));
	KUNIT_EXPECT_FALSE(test, vt_overlaps(test, m + 2 * P, m + 4 * P));
	KUNIT_EXPECT_TRUE(test, vt_overlaps(test, m + 2 * P, m + 4 * P + 1));
	KUNIT_EXPECT_TRUE(test, vt_overlaps(test, m + 7 * P, m + 7 * P + 1));
	KUNIT_EXPECT_FALSE(test, vt_overlaps(test, m + 9 * P, TS4 - P));
	KUNIT_EXPECT_TRUE(test, vt_overlaps(test, m + 9 * P, TS4 - P + 1));
	KUNIT_EXPECT_FALSE(test, vt_overlaps(test, TS4, TS5));
	vt_done(test);
}

/* ---- split and unsplit ---- */

static void vma_test_split(struct kunit *test)
{
	const unsigned long m = MIN_ADDR;
	struct vt_snap *before, *after;
	struct asp_vma *v, *u1, *u2, *u3;
	unsigned long at;

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);

	/* Shared: the upper part's page offset moves with it. */
	v = vt_alloc(test, m, m + 4 * P, VT_SHARED);
	v->pgoff = 10;
	v->obj = 5;
	KUNIT_ASSERT_EQ(test, vt_insert(test, v), 0);
	vt_snap_take(test, before);
	vt_calls_start();
	KUNIT_ASSERT_EQ(test, vt_split(test, v, m + P, &u1), 0);
	KUNIT_EXPECT_EQ(test, vt_calls_end(), 2);
	KUNIT_EXPECT_EQ(test, v->start, m);
	KUNIT_EXPECT_EQ(test, v->end, m + P);
	KUNIT_EXPECT_EQ(test, v->pgoff, 10UL);
	KUNIT_EXPECT_EQ(test, u1->start, m + P);
	KUNIT_EXPECT_EQ(test, u1->end, m + 4 * P);
	KUNIT_EXPECT_EQ(test, u1->pgoff, 11UL);
	KUNIT_EXPECT_EQ(test, u1->obj, 5ULL);
	KUNIT_EXPECT_EQ(test, u1->flags, VT_SHARED);
	KUNIT_EXPECT_TRUE(test, list_empty(&u1->list));
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 2UL);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, m + P - 1), v);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, m + P), u1);
	KUNIT_EXPECT_PTR_EQ(test, vt_next(test, v), u1);
	KUNIT_ASSERT_EQ(test, vt_split(test, u1, m + 3 * P, &u2), 0);
	KUNIT_EXPECT_EQ(test, u2->pgoff, 13UL);
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 3UL);
	/* The parts may merge back: same object, contiguous offsets. */
	KUNIT_EXPECT_TRUE(test, asp_vma_can_merge(v, u1));
	KUNIT_EXPECT_TRUE(test, asp_vma_can_merge(u1, u2));

	/* Undone in reverse order, the set is as before, same VMA. */
	vt_unsplit(test, u1, u2);
	KUNIT_EXPECT_EQ(test, u1->end, m + 4 * P);
	/* It cannot fail: no allocation at all. */
	asp_fail_nth_set(1);
	vt_unsplit(test, v, u1);
	KUNIT_EXPECT_EQ(test, asp_fail_nth_get(), 1);
	asp_fail_nth_set(0);
	vt_snap_take(test, after);
	vt_expect_same(test, before, after, "split, unsplit");

	/* A VMA spanning several slots splits and unsplits again. */
	KUNIT_ASSERT_EQ(test, vt_split(test, v, m + 2 * P, &u1), 0);
	KUNIT_EXPECT_EQ(test, u1->pgoff, 12UL);
	KUNIT_ASSERT_EQ(test, vt_split(test, v, m + P, &u2), 0);
	KUNIT_EXPECT_EQ(test, u2->pgoff, 11UL);
	KUNIT_ASSERT_EQ(test, vt_split(test, u1, m + 3 * P, &u3), 0);
	vt_expect_ranges(test, (const unsigned long[]){ m, m + P, m + P,
			 m + 2 * P, m + 2 * P, m + 3 * P, m + 3 * P,
			 m + 4 * P }, 4);
	vt_unsplit(test, u1, u3);
	vt_unsplit(test, v, u2);
	vt_unsplit(test, v, u1);
	vt_snap_take(test, after);
	vt_expect_same(test, before, after, "second round");
	vt_done(test);

	/* Private: the offset stays, the anonymous identity is shared. */
	v = vt_alloc(test, m, m + 3 * P, VT_RW);
	v->pgoff = 3;
	v->anon = 77;
	KUNIT_ASSERT_EQ(test, vt_insert(test, v), 0);
	KUNIT_ASSERT_EQ(test, vt_split(test, v, m + 2 * P, &u1), 0);
	KUNIT_EXPECT_EQ(test, u1->pgoff, 3UL);
	KUNIT_EXPECT_EQ(test, u1->anon, 77ULL);
	KUNIT_EXPECT_EQ(test, u1->flags, VT_RW);
	vt_done(test);

	/* At the boundaries: page 0, mmap_min_addr, the 4L and 5L tops. */
	for (at = 0; at < 4; at++) {
		static const unsigned long starts[] = {
			0, MIN_ADDR - P, TS4 - 2 * P, TS5 - 2 * P,
		};
		unsigned long s = starts[at];

		v = vt_add(test, s, s + 2 * P, VT_STACK);
		vt_snap_take(test, before);
		KUNIT_ASSERT_EQ(test, vt_split(test, v, s + P, &u1), 0);
		vt_expect_ranges(test, (const unsigned long[]){ s, s + P,
				 s + P, s + 2 * P }, 2);
		KUNIT_EXPECT_PTR_EQ(test, vt_find(test, s), v);
		KUNIT_EXPECT_PTR_EQ(test, vt_find(test, s + 2 * P - 1), u1);
		KUNIT_EXPECT_PTR_EQ(test, vt_find_prev(test, s + 2 * P), u1);
		KUNIT_EXPECT_PTR_EQ(test, vt_find_prev(test, s + P), v);
		vt_unsplit(test, v, u1);
		vt_snap_take(test, after);
		vt_expect_same(test, before, after, "boundary");
		vt_done(test);
	}
}

/* Unsplit overwrites one slot in place: the maple tree allocates nothing. */
static void vma_test_unsplit_no_alloc(struct kunit *test)
{
#ifdef CONFIG_FAILSLAB
	const unsigned long m = MIN_ADDR;
	struct asp_vma *v, *u;
	unsigned int i, tries;
	void *p;

	/* The probe works: it fails an allocation that may not sleep. */
	current->fail_nth = 1;
	p = kmalloc(64, GFP_NOWAIT | __GFP_NOWARN);
	tries = current->fail_nth;
	current->fail_nth = 0;
	kfree(p);
	KUNIT_ASSERT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, tries, 0U);

	/*
	 * Enough VMAs for a multi-level tree, so the split lands in a full
	 * node.  current->fail_nth fails this task's next slab allocation
	 * that may not sleep (the only kind a plain mas_store() makes); if
	 * it is consumed, something allocated.  KASAN may allocate for its
	 * own records; a real allocation in the tree happens on every try.
	 */
	for (i = 0; i < 120; i++)
		vt_add(test, m + 4 * i * P, m + (4 * i + 2) * P,
		       i & 1 ? VT_RW : VT_R);
	for (i = 0; i < 120; i += 7) {
		v = vt_find(test, m + 4 * i * P);
		KUNIT_ASSERT_EQ(test, vt_split(test, v, m + (4 * i + 1) * P,
					       &u), 0);
		for (tries = 0; tries < 3; tries++) {
			current->fail_nth = 1;
			vt_unsplit(test, v, u);
			if (current->fail_nth == 1)
				break;
			KUNIT_ASSERT_EQ(test, vt_split(test, v,
						       m + (4 * i + 1) * P,
						       &u), 0);
		}
		current->fail_nth = 0;
		KUNIT_EXPECT_LT_MSG(test, tries, 3U, "VMA %u", i);
		KUNIT_EXPECT_PTR_EQ(test, vt_find(test, m + (4 * i + 1) * P),
				    v);
	}
	vt_expect_no_leak(test);
	vt_done(test);
#else
	kunit_skip(test, "needs CONFIG_FAILSLAB");
#endif
}

/* ---- merging ---- */

struct vt_merge_case {
	const char *name;
	struct vt_rec left;
	struct vt_rec right;
	bool merge;
};

#define VT_L(s, e, f, pg, o, an) { .start = MIN_ADDR + (s) * P,	\
	.end = MIN_ADDR + (e) * P, .flags = (f), .pgoff = (pg),	\
	.obj = (o), .anon = (an) }

static const struct vt_merge_case vt_merge_cases[] = {
	{ "private", VT_L(0, 1, VT_RW, 0, 0, 0), VT_L(1, 2, VT_RW, 0, 0, 0),
	  true },
	{ "gap between", VT_L(0, 1, VT_RW, 0, 0, 0),
	  VT_L(2, 3, VT_RW, 0, 0, 0), false },
	{ "protections differ", VT_L(0, 1, VT_RW, 0, 0, 0),
	  VT_L(1, 2, VT_R, 0, 0, 0), false },
	{ "exec differs", VT_L(0, 1, VT_R, 0, 0, 0),
	  VT_L(1, 2, VT_RX, 0, 0, 0), false },
	{ "stack and not", VT_L(0, 1, VT_RW, 0, 0, 0),
	  VT_L(1, 2, VT_STACK, 0, 0, 0), false },
	{ "stacks", VT_L(0, 1, VT_STACK, 0, 0, 0),
	  VT_L(1, 2, VT_STACK, 0, 0, 0), true },
	{ "accounted and not", VT_L(0, 1, VT_R | ASP_VM_ACCOUNT, 0, 0, 0),
	  VT_L(1, 2, VT_R, 0, 0, 0), false },
	{ "anon left only", VT_L(0, 1, VT_RW, 0, 0, 4),
	  VT_L(1, 2, VT_RW, 0, 0, 0), true },
	{ "anon right only", VT_L(0, 3, VT_RW, 0, 0, 0),
	  VT_L(3, 4, VT_RW, 0, 0, 4), true },
	{ "same anon", VT_L(0, 1, VT_RW, 0, 0, 4),
	  VT_L(1, 2, VT_RW, 0, 0, 4), true },
	{ "different anon", VT_L(0, 1, VT_RW, 0, 0, 4),
	  VT_L(1, 2, VT_RW, 0, 0, 5), false },
	{ "private ignores pgoff", VT_L(0, 1, VT_RW, 7, 0, 0),
	  VT_L(1, 2, VT_RW, 3, 0, 0), true },
	{ "shared contiguous", VT_L(0, 3, VT_SHARED, 5, 9, 0),
	  VT_L(3, 4, VT_SHARED, 8, 9, 0), true },
	{ "shared offset gap", VT_L(0, 3, VT_SHARED, 5, 9, 0),
	  VT_L(3, 4, VT_SHARED, 9, 9, 0), false },
	{ "shared offset overlap", VT_L(0, 3, VT_SHARED, 5, 9, 0),
	  VT_L(3, 4, VT_SHARED, 7, 9, 0), false },
	{ "shared objects differ", VT_L(0, 1, VT_SHARED, 0, 9, 0),
	  VT_L(1, 2, VT_SHARED, 1, 8, 0), false },
	{ "shared and private", VT_L(0, 1, VT_SHARED, 0, 9, 0),
	  VT_L(1, 2, VT_RW, 1, 9, 0), false },
	{ "at page 0", { .start = 0, .end = P, .flags = VT_RW },
	  { .start = P, .end = MIN_ADDR, .flags = VT_RW }, true },
	{ "at the 4L top", { .start = TS4 - 4 * P, .end = TS4 - P,
	  .flags = VT_STACK }, { .start = TS4 - P, .end = TS4,
	  .flags = VT_STACK }, true },
	{ "across the 4L top", { .start = TS4 - P, .end = TS4,
	  .flags = VT_RW }, { .start = TS4, .end = TS5, .flags = VT_RW },
	  true },
	{ "at the 5L top", { .start = TS5 - 2 * P, .end = TS5 - P,
	  .flags = VT_SHARED, .obj = 1, .pgoff = 0 },
	  { .start = TS5 - P, .end = TS5, .flags = VT_SHARED, .obj = 1,
	  .pgoff = 1 }, true },
};

static void vt_merge_desc(const struct vt_merge_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vt_merge, vt_merge_cases, vt_merge_desc);

static struct asp_vma *vt_add_rec(struct kunit *test, const struct vt_rec *r)
{
	struct asp_vma *vma = vt_alloc(test, r->start, r->end, r->flags);
	int ret;

	vma->pgoff = r->pgoff;
	vma->obj = r->obj;
	vma->anon = r->anon;
	ret = vt_insert(test, vma);
	if (ret)
		vt_free(test, vma);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return vma;
}

static void vma_test_merge(struct kunit *test)
{
	const struct vt_merge_case *c = test->param_value;
	struct asp_vma *l, *r, *x;
	struct vt_snap *before, *after;
	bool merged;
	int calls;

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);

	l = vt_add_rec(test, &c->left);
	r = vt_add_rec(test, &c->right);
	KUNIT_EXPECT_EQ(test, asp_vma_can_merge(l, r), c->merge);
	/* The reverse order never merges: it is not adjacent that way. */
	KUNIT_EXPECT_FALSE(test, asp_vma_can_merge(r, l));
	KUNIT_EXPECT_FALSE(test, vt_merge_next(test, r));

	vt_snap_take(test, before);
	if (c->merge) {
		/* The one store fails: nothing changes. */
		asp_fail_nth_set(1);
		KUNIT_EXPECT_FALSE(test, vt_merge_next(test, l));
		KUNIT_EXPECT_EQ(test, asp_fail_nth_get(), 0);
		asp_fail_nth_set(0);
		vt_snap_take(test, after);
		vt_expect_same(test, before, after, "failed merge");
	}

	vt_calls_start();
	merged = vt_merge_next(test, l);
	calls = vt_calls_end();
	KUNIT_EXPECT_EQ(test, merged, c->merge);
	KUNIT_EXPECT_EQ(test, calls, merged ? 1 : 0);
	if (!merged) {
		vt_snap_take(test, after);
		vt_expect_same(test, before, after, "no merge");
		vt_done(test);
		return;
	}
	/* r was freed: only l's fields may be read. */
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 1UL);
	KUNIT_EXPECT_EQ(test, l->start, c->left.start);
	KUNIT_EXPECT_EQ(test, l->end, c->right.end);
	KUNIT_EXPECT_EQ(test, l->flags, c->left.flags);
	KUNIT_EXPECT_EQ(test, l->pgoff, c->left.pgoff);
	KUNIT_EXPECT_EQ(test, l->anon,
			c->left.anon ? c->left.anon : c->right.anon);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, c->right.end - 1), l);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, c->right.start), l);
	KUNIT_EXPECT_NULL(test, vt_next(test, l));
	KUNIT_EXPECT_FALSE(test, vt_merge_next(test, l));

	/* The merged VMA splits again where the two met. */
	KUNIT_ASSERT_EQ(test, vt_split(test, l, c->right.start, &x), 0);
	KUNIT_EXPECT_EQ(test, x->end, c->right.end);
	KUNIT_EXPECT_EQ(test, x->pgoff, c->right.flags & ASP_VM_SHARED ?
			c->right.pgoff : c->left.pgoff);
	vt_done(test);
}

static void vma_test_merge_chain(struct kunit *test)
{
	const unsigned long m = MIN_ADDR;
	struct asp_vma *v[6], *u;
	unsigned int i;

	/* Six adjacent pages, then the last VMA and one after a hole. */
	for (i = 0; i < 6; i++)
		v[i] = vt_add(test, m + i * P, m + (i + 1) * P, VT_RW);
	v[3]->anon = 3;
	u = vt_add(test, m + 8 * P, m + 9 * P, VT_RW);
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 7UL);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_TRUE_MSG(test, vt_merge_next(test, v[0]),
				      "merge %u", i);
	KUNIT_EXPECT_EQ(test, v[0]->end, m + 6 * P);
	KUNIT_EXPECT_EQ(test, v[0]->anon, 3ULL);
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 2UL);
	/* Not adjacent: no merge. */
	KUNIT_EXPECT_FALSE(test, vt_merge_next(test, v[0]));
	KUNIT_EXPECT_FALSE(test, vt_merge_next(test, u));
	vt_expect_ranges(test, (const unsigned long[]){ m, m + 6 * P,
			 m + 8 * P, m + 9 * P }, 2);
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_PTR_EQ(test, vt_find(test, m + i * P), v[0]);
	/* The merged VMA spans several slots; it still splits cleanly. */
	KUNIT_ASSERT_EQ(test, vt_remove(test, m + 2 * P, m + 3 * P), 0);
	vt_expect_ranges(test, (const unsigned long[]){ m, m + 2 * P,
			 m + 3 * P, m + 6 * P, m + 8 * P, m + 9 * P }, 3);
	vt_done(test);
}

/* ---- replace ---- */

static void vma_test_replace(struct kunit *test)
{
	const unsigned long m = MIN_ADDR;
	struct asp_vma *a, *b, *c, *n, *cur;
	struct vt_snap *before, *after;
	LIST_HEAD(detached);
	unsigned int i;

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);

	/* A hole over two VMAs: both detached, in order, intact. */
	a = vt_add(test, m, m + P, VT_RW);
	b = vt_add(test, m + 2 * P, m + 3 * P, VT_R);
	c = vt_add(test, m + 4 * P, m + 5 * P, VT_RX);
	vt_calls_start();
	KUNIT_ASSERT_EQ(test, vt_replace(test, m + 2 * P, m + 5 * P, NULL,
					 &detached), 0);
	KUNIT_EXPECT_EQ(test, vt_calls_end(), 1);
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 1UL);
	KUNIT_EXPECT_EQ(test, vt_list_len(&detached), 2UL);
	i = 0;
	list_for_each_entry(cur, &detached, list)
		KUNIT_EXPECT_PTR_EQ(test, cur, i++ ? c : b);
	KUNIT_EXPECT_EQ(test, b->start, m + 2 * P);
	KUNIT_EXPECT_EQ(test, c->end, m + 5 * P);
	KUNIT_EXPECT_NULL(test, vt_find(test, m + 2 * P));
	KUNIT_EXPECT_NULL(test, vt_find_next(test, m + P));
	vt_free_list(test, &detached);
	vt_expect_ranges(test, (const unsigned long[]){ m, m + P }, 1);

	/* A hole over a hole: nothing detached, nothing changed. */
	vt_snap_take(test, before);
	KUNIT_ASSERT_EQ(test, vt_replace(test, m + P, TS4, NULL, &detached),
			0);
	KUNIT_EXPECT_TRUE(test, list_empty(&detached));
	vt_snap_take(test, after);
	vt_expect_same(test, before, after, "hole over hole");

	/* A new VMA over VMAs and holes. */
	b = vt_add(test, m + 2 * P, m + 3 * P, VT_R);
	c = vt_add(test, m + 4 * P, m + 6 * P, VT_RX);
	n = vt_alloc(test, m + P, m + 5 * P, VT_SHARED);
	/* c straddles the end: split it first, as callers must. */
	KUNIT_ASSERT_EQ(test, vt_split(test, c, m + 5 * P, &cur), 0);
	KUNIT_ASSERT_EQ(test, vt_replace(test, m + P, m + 5 * P, n,
					 &detached), 0);
	KUNIT_EXPECT_EQ(test, vt_list_len(&detached), 2UL);
	vt_free_list(test, &detached);
	vt_expect_ranges(test, (const unsigned long[]){ m, m + P, m + P,
			 m + 5 * P, m + 5 * P, m + 6 * P }, 3);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, m + 2 * P), n);
	KUNIT_EXPECT_PTR_EQ(test, vt_next(test, n), cur);
	vt_done(test);

	/* Extending the VMA below over a hole (brk). */
	a = vt_add(test, 0, P, VT_RW);
	c = vt_add(test, m, m + P, VT_RW);
	KUNIT_ASSERT_EQ(test, vt_extend(test, a, 4 * P), 0);
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 2UL);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, 4 * P - 1), a);
	/* And the VMA above down over a hole (merge with next). */
	KUNIT_ASSERT_EQ(test, vt_extend_down(test, c, 8 * P), 0);
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 2UL);
	vt_expect_ranges(test, (const unsigned long[]){ 0, 4 * P, 8 * P,
			 m + P }, 2);
	/* Bridge the two, keeping the lower one (merge with both). */
	KUNIT_ASSERT_EQ(test, vt_replace(test, 4 * P, m + P, a, &detached), 0);
	KUNIT_EXPECT_EQ(test, vt_list_len(&detached), 1UL);
	KUNIT_EXPECT_PTR_EQ(test, list_first_entry(&detached, struct asp_vma,
						   list), c);
	a->end = m + P;
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 1UL);
	vt_free_list(test, &detached);
	vt_expect_ranges(test, (const unsigned long[]){ 0, m + P }, 1);
	vt_done(test);

	/* A new VMA on page 0 and on the last 4L and 5L pages. */
	a = vt_alloc(test, 0, P, VT_RW);
	KUNIT_ASSERT_EQ(test, vt_replace(test, 0, P, a, &detached), 0);
	b = vt_alloc(test, TS4 - P, TS4, VT_STACK);
	KUNIT_ASSERT_EQ(test, vt_replace(test, TS4 - P, TS4, b, &detached), 0);
	c = vt_alloc(test, TS5 - P, TS5, VT_RW);
	KUNIT_ASSERT_EQ(test, vt_replace(test, TS5 - P, TS5, c, &detached), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&detached));
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 3UL);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, 0), a);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, TS4 - 1), b);
	KUNIT_EXPECT_PTR_EQ(test, vt_find(test, TS5 - 1), c);
	/* Everything from 0 to the 5L top becomes one VMA. */
	n = vt_alloc(test, 0, TS5, VT_R);
	KUNIT_ASSERT_EQ(test, vt_replace(test, 0, TS5, n, &detached), 0);
	KUNIT_EXPECT_EQ(test, vt_list_len(&detached), 3UL);
	KUNIT_EXPECT_EQ(test, vt_vs(test)->count, 1UL);
	vt_free_list(test, &detached);

	/* Out of memory: -ENOMEM, list untouched, set unchanged. */
	a = vt_alloc(test, MIN_ADDR, 2 * MIN_ADDR, VT_RW);
	vt_snap_take(test, before);
	asp_fail_nth_set(1);
	KUNIT_EXPECT_EQ(test, vt_replace(test, 0, TS5, a, &detached),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, asp_fail_nth_get(), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&detached));
	KUNIT_EXPECT_TRUE(test, list_empty(&n->list));
	vt_snap_take(test, after);
	vt_expect_same(test, before, after, "failed replace");
	vt_free(test, a);
	vt_done(test);
}

/* ---- removing a range, splitting the edges ---- */

struct vt_remove_case {
	const char *name;
	unsigned long start;
	unsigned long end;
	unsigned int nr;	/* ranges left */
	unsigned long left[10];
};

/* The layout removals start from. */
static const unsigned long vt_remove_layout[] = {
	0, 4 * P,
	MIN_ADDR, MIN_ADDR + 4 * P,
	MIN_ADDR + 6 * P, MIN_ADDR + 8 * P,
	TS4 - 4 * P, TS4,
};

static const struct vt_remove_case vt_remove_cases[] = {
	{ "hole", MIN_ADDR + 4 * P, MIN_ADDR + 6 * P, 4, { 0, 4 * P,
	  MIN_ADDR, MIN_ADDR + 4 * P, MIN_ADDR + 6 * P, MIN_ADDR + 8 * P,
	  TS4 - 4 * P, TS4 } },
	{ "page 0", 0, P, 4, { P, 4 * P, MIN_ADDR, MIN_ADDR + 4 * P,
	  MIN_ADDR + 6 * P, MIN_ADDR + 8 * P, TS4 - 4 * P, TS4 } },
	{ "middle", MIN_ADDR + P, MIN_ADDR + 3 * P, 5, { 0, 4 * P, MIN_ADDR,
	  MIN_ADDR + P, MIN_ADDR + 3 * P, MIN_ADDR + 4 * P,
	  MIN_ADDR + 6 * P, MIN_ADDR + 8 * P, TS4 - 4 * P, TS4 } },
	{ "one whole VMA", MIN_ADDR, MIN_ADDR + 4 * P, 3, { 0, 4 * P,
	  MIN_ADDR + 6 * P, MIN_ADDR + 8 * P, TS4 - 4 * P, TS4 } },
	{ "across two edges", MIN_ADDR + 3 * P, MIN_ADDR + 7 * P, 4, { 0,
	  4 * P, MIN_ADDR, MIN_ADDR + 3 * P, MIN_ADDR + 7 * P,
	  MIN_ADDR + 8 * P, TS4 - 4 * P, TS4 } },
	{ "below mmap_min_addr", P, MIN_ADDR + P, 4, { 0, P,
	  MIN_ADDR + P, MIN_ADDR + 4 * P, MIN_ADDR + 6 * P,
	  MIN_ADDR + 8 * P, TS4 - 4 * P, TS4 } },
	{ "last 4L page", TS4 - P, TS4, 4, { 0, 4 * P, MIN_ADDR,
	  MIN_ADDR + 4 * P, MIN_ADDR + 6 * P, MIN_ADDR + 8 * P,
	  TS4 - 4 * P, TS4 - P } },
	{ "4L top to 5L top", TS4 - 2 * P, TS5, 4, { 0, 4 * P, MIN_ADDR,
	  MIN_ADDR + 4 * P, MIN_ADDR + 6 * P, MIN_ADDR + 8 * P,
	  TS4 - 4 * P, TS4 - 2 * P } },
	{ "mmap_min_addr to 4L top", MIN_ADDR, TS4, 1, { 0, 4 * P } },
	{ "everything", 0, TOP_PAGE, 0, {} },
};

static void vt_remove_desc(const struct vt_remove_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vt_remove, vt_remove_cases, vt_remove_desc);

static void vt_add_layout(struct kunit *test, const unsigned long *r,
			  unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		vt_add(test, r[2 * i], r[2 * i + 1], VT_SHARED)->pgoff =
			r[2 * i] >> PAGE_SHIFT;
}

static void vma_test_remove(struct kunit *test)
{
	const struct vt_remove_case *c = test->param_value;
	struct vt_snap *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	vt_add_layout(test, vt_remove_layout,
		      ARRAY_SIZE(vt_remove_layout) / 2);
	KUNIT_ASSERT_EQ(test, vt_remove(test, c->start, c->end), 0);
	vt_expect_ranges(test, c->left, c->nr);
	KUNIT_EXPECT_FALSE(test, vt_overlaps(test, c->start, c->end));
	/* Every part kept its offset in the object: page number here. */
	vt_snap_take(test, s);
	for (i = 0; i < s->nr; i++)
		KUNIT_EXPECT_EQ(test, s->rec[i].pgoff,
				s->rec[i].start >> PAGE_SHIFT);
	/* Removing it again is a no-op. */
	KUNIT_ASSERT_EQ(test, vt_remove(test, c->start, c->end), 0);
	vt_expect_ranges(test, c->left, c->nr);
	vt_done(test);
}

/* ---- free-range search ---- */

struct vt_area_case {
	const char *name;
	unsigned int nr;			/* VMAs of the layout */
	struct { unsigned long start, end, flags; } vma[4];
	struct asp_vma_search s;
	int ret;
	unsigned long addr;
};

#define S_(len, lo, hi) .length = (len), .low = (lo), .high = (hi)
#define X_		(TS4 - SZ_1G)		/* a stack's place */

static const struct vt_area_case vt_area_cases[] = {
	{ "empty, top-down", 0, {}, { S_(P, MIN_ADDR, TS4), .topdown = true },
	  0, TS4 - P },
	{ "empty, bottom-up", 0, {}, { S_(P, MIN_ADDR, TS4) }, 0, MIN_ADDR },
	{ "empty, 5L top-down", 0, {},
	  { S_(P, MIN_ADDR, TS5), .topdown = true }, 0, TS5 - P },
	{ "empty, from 0", 0, {}, { S_(P, 0, TS4) }, 0, 0 },
	{ "empty, exact window, top-down", 0, {},
	  { S_(2 * P, MIN_ADDR, MIN_ADDR + 2 * P), .topdown = true }, 0,
	  MIN_ADDR },
	{ "empty, exact window, bottom-up", 0, {},
	  { S_(2 * P, MIN_ADDR, MIN_ADDR + 2 * P) }, 0, MIN_ADDR },
	{ "empty, window too small, top-down", 0, {},
	  { S_(3 * P, MIN_ADDR, MIN_ADDR + 2 * P), .topdown = true },
	  -ENOMEM },
	{ "empty, window too small, bottom-up", 0, {},
	  { S_(3 * P, MIN_ADDR, MIN_ADDR + 2 * P) }, -ENOMEM },
	{ "empty, longer than the 4L space", 0, {},
	  { S_(TS4 + P, 0, TS4), .topdown = true }, -ENOMEM },
	{ "empty, 2 MiB aligned, top-down", 0, {},
	  { S_(P, MIN_ADDR, TS4), .align_mask = SZ_2M - 1, .topdown = true },
	  0, TS4 + P - SZ_2M },
	{ "empty, 2 MiB aligned, bottom-up", 0, {},
	  { S_(P, MIN_ADDR, TS4), .align_mask = SZ_2M - 1 }, 0, SZ_2M },
	{ "length 0", 0, {}, { S_(0, MIN_ADDR, TS4) }, -ENOMEM },
	{ "length 0, top-down", 0, {},
	  { S_(0, MIN_ADDR, TS4), .topdown = true }, -ENOMEM },
	{ "length + alignment wraps", 0, {},
	  { S_(2 * P, 0, TS4), .align_mask = ULONG_MAX - P },
	  -ENOMEM },
	{ "high = low", 0, {}, { S_(P, MIN_ADDR, MIN_ADDR) }, -ENOMEM },
	{ "high = low, top-down", 0, {},
	  { S_(P, MIN_ADDR, MIN_ADDR), .topdown = true }, -ENOMEM },
	{ "high below low", 0, {}, { S_(P, TS4, MIN_ADDR) }, -ENOMEM },
	{ "high below low, top-down", 0, {},
	  { S_(P, TS4, MIN_ADDR), .topdown = true }, -ENOMEM },
	{ "below the last 4L page", 1, { { TS4 - P, TS4, VT_RW } },
	  { S_(P, MIN_ADDR, TS4), .topdown = true }, 0, TS4 - 2 * P },
	{ "last 5L page taken", 1, { { TS5 - P, TS5, VT_RW } },
	  { S_(P, MIN_ADDR, TS5), .topdown = true }, 0, TS5 - 2 * P },
	{ "5L space above 4L taken", 1, { { TS4, TS5, VT_RW } },
	  { S_(2 * P, MIN_ADDR, TS5), .topdown = true }, 0, TS4 - 2 * P },
	{ "one-page hole skipped", 2,
	  { { TS4 - 6 * P, TS4 - 5 * P, VT_RW }, { TS4 - 4 * P, TS4, VT_R } },
	  { S_(2 * P, MIN_ADDR, TS4), .topdown = true }, 0, TS4 - 8 * P },
	{ "one-page hole used", 2,
	  { { TS4 - 6 * P, TS4 - 5 * P, VT_RW }, { TS4 - 4 * P, TS4, VT_R } },
	  { S_(P, MIN_ADDR, TS4), .topdown = true }, 0, TS4 - 5 * P },
	{ "above a VMA at mmap_min_addr", 1,
	  { { MIN_ADDR, MIN_ADDR + P, VT_RW } }, { S_(P, MIN_ADDR, TS4) }, 0,
	  MIN_ADDR + P },
	{ "VMA below mmap_min_addr", 1, { { 0, MIN_ADDR, VT_RW } },
	  { S_(P, 0, TS4) }, 0, MIN_ADDR },
	{ "low inside a hole", 1,
	  { { MIN_ADDR + 4 * P, MIN_ADDR + 5 * P, VT_RW } },
	  { S_(2 * P, MIN_ADDR + 2 * P, TS4) }, 0, MIN_ADDR + 2 * P },
	{ "low inside a hole, too short", 1,
	  { { MIN_ADDR + 4 * P, MIN_ADDR + 5 * P, VT_RW } },
	  { S_(3 * P, MIN_ADDR + 2 * P, TS4) }, 0, MIN_ADDR + 5 * P },
	{ "exact hole, bottom-up", 2,
	  { { MIN_ADDR, MIN_ADDR + P, VT_RW },
	    { MIN_ADDR + 3 * P, MIN_ADDR + 4 * P, VT_RW } },
	  { S_(2 * P, MIN_ADDR, TS4) }, 0, MIN_ADDR + P },
	{ "exact hole, top-down", 2,
	  { { MIN_ADDR, MIN_ADDR + P, VT_RW },
	    { MIN_ADDR + 3 * P, MIN_ADDR + 4 * P, VT_RW } },
	  { S_(2 * P, MIN_ADDR, MIN_ADDR + 4 * P), .topdown = true }, 0,
	  MIN_ADDR + P },
	{ "window inside one gap, too short, top-down", 1,
	  { { TS4 - P, TS4, VT_RW } },
	  { S_(3 * P, MIN_ADDR, MIN_ADDR + 2 * P), .topdown = true },
	  -ENOMEM },
	{ "window inside one gap, too short, bottom-up", 1,
	  { { TS4 - P, TS4, VT_RW } },
	  { S_(3 * P, MIN_ADDR, MIN_ADDR + 2 * P) }, -ENOMEM },
	{ "no slack for alignment inside one gap", 1,
	  { { TS4 - P, TS4, VT_RW } },
	  { S_(P, MIN_ADDR, MIN_ADDR + 2 * P), .align_mask = 2 * P - 1,
	    .topdown = true }, -ENOMEM },
	{ "window full", 1, { { MIN_ADDR + P, MIN_ADDR + 2 * P, VT_RW } },
	  { S_(2 * P, MIN_ADDR, MIN_ADDR + 2 * P), .topdown = true },
	  -ENOMEM },
	{ "window part free", 1, { { MIN_ADDR + P, MIN_ADDR + 2 * P, VT_RW } },
	  { S_(P, MIN_ADDR, MIN_ADDR + 2 * P), .topdown = true }, 0,
	  MIN_ADDR },
	{ "aligned in a hole, top-down", 1,
	  { { 6 * SZ_1M + P, 8 * SZ_1M, VT_RW } },
	  { S_(SZ_2M, MIN_ADDR, 8 * SZ_1M), .align_mask = SZ_2M - 1,
	    .topdown = true }, 0, 4 * SZ_1M },
	{ "aligned in a hole, bottom-up", 1,
	  { { MIN_ADDR, SZ_2M + P, VT_RW } },
	  { S_(SZ_2M, MIN_ADDR, 8 * SZ_1M), .align_mask = SZ_2M - 1 }, 0,
	  4 * SZ_1M },
	{ "alignment needs slack", 2,
	  { { MIN_ADDR, SZ_2M + P, VT_RW },
	    { 4 * SZ_1M + P, 8 * SZ_1M, VT_RW } },
	  { S_(SZ_2M, MIN_ADDR, 8 * SZ_1M), .align_mask = SZ_2M - 1 },
	  -ENOMEM },
	{ "below a stack", 1, { { X_, X_ + 8 * P, VT_STACK } },
	  { S_(P, MIN_ADDR, X_), .guard_gap = 4 * P, .topdown = true }, 0,
	  X_ - 5 * P },
	{ "below a stack, no guard gap", 1, { { X_, X_ + 8 * P, VT_STACK } },
	  { S_(P, MIN_ADDR, X_), .topdown = true }, 0, X_ - P },
	{ "below a non-stack", 1, { { X_, X_ + 8 * P, VT_RW } },
	  { S_(P, MIN_ADDR, X_), .guard_gap = 4 * P, .topdown = true }, 0,
	  X_ - P },
	{ "stack with default guard gap", 1, { { X_, X_ + 8 * P, VT_STACK } },
	  { S_(P, MIN_ADDR, TS4 - SZ_2G), .guard_gap = GUARD,
	    .topdown = true }, 0, TS4 - SZ_2G - P },
	{ "below a stack's default guard gap", 1,
	  { { X_, X_ + 8 * P, VT_STACK } },
	  { S_(P, MIN_ADDR, X_), .guard_gap = GUARD, .topdown = true }, 0,
	  X_ - GUARD - P },
	{ "guard gap over a lower VMA", 2,
	  { { X_ - 3 * P, X_ - 2 * P, VT_RW }, { X_, X_ + 8 * P, VT_STACK } },
	  { S_(P, MIN_ADDR, X_), .guard_gap = 4 * P, .topdown = true }, 0,
	  X_ - 5 * P },
	{ "ends at a stack's guard gap", 2,
	  { { MIN_ADDR, MIN_ADDR + P, VT_RW },
	    { MIN_ADDR + 4 * P, MIN_ADDR + 8 * P, VT_STACK } },
	  { S_(P, MIN_ADDR, TS4), .guard_gap = 2 * P }, 0, MIN_ADDR + P },
	{ "ends in a stack's guard gap", 2,
	  { { MIN_ADDR, MIN_ADDR + P, VT_RW },
	    { MIN_ADDR + 4 * P, MIN_ADDR + 8 * P, VT_STACK } },
	  { S_(2 * P, MIN_ADDR, TS4), .guard_gap = 2 * P }, 0,
	  MIN_ADDR + 8 * P },
	{ "guard gap wraps below 0, top-down", 1,
	  { { 2 * P, 4 * P, VT_STACK } },
	  { S_(P, 0, 2 * P), .guard_gap = 4 * P, .topdown = true }, -ENOMEM },
	{ "guard gap wraps below 0, bottom-up", 1,
	  { { 2 * P, 4 * P, VT_STACK } },
	  { S_(P, 0, 2 * P), .guard_gap = 4 * P }, -ENOMEM },
	{ "full but the last 4L page", 1, { { 0, TS4 - P, VT_RW } },
	  { S_(P, 0, TS4), .topdown = true }, 0, TS4 - P },
	{ "full but the last 4L page, bottom-up", 1, { { 0, TS4 - P, VT_RW } },
	  { S_(P, 0, TS4) }, 0, TS4 - P },
	{ "all of 4L taken", 1, { { 0, TS4, VT_RW } },
	  { S_(P, 0, TS4) }, -ENOMEM },
	{ "top of the address space", 1, { { 0, TS5, VT_RW } },
	  { S_(P, 0, TOP_PAGE), .topdown = true }, 0, TOP_PAGE - P },
};

static void vt_area_desc(const struct vt_area_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vt_area, vt_area_cases, vt_area_desc);

static void vma_test_find_area(struct kunit *test)
{
	const struct vt_area_case *c = test->param_value;
	const struct asp_vma_search *s = &c->s;
	struct vt_snap *before, *after;
	struct asp_vma *next;
	unsigned long addr;
	unsigned int i;
	int ret;

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	for (i = 0; i < c->nr; i++)
		vt_add(test, c->vma[i].start, c->vma[i].end, c->vma[i].flags);
	vt_snap_take(test, before);

	vt_calls_start();
	ret = vt_area(test, s, &addr);
	KUNIT_EXPECT_EQ(test, vt_calls_end(), 0);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (!ret)
		KUNIT_EXPECT_EQ(test, addr, c->addr);
	if (!ret && !c->ret) {
		/* Whatever the details, the range is usable. */
		KUNIT_EXPECT_EQ(test, addr & s->align_mask, 0UL);
		KUNIT_EXPECT_GE(test, addr, s->low);
		KUNIT_EXPECT_LE(test, addr + s->length, s->high);
		KUNIT_EXPECT_GT(test, addr + s->length, addr);
		KUNIT_EXPECT_FALSE(test, vt_overlaps(test, addr,
						     addr + s->length));
		next = vt_find_next(test, addr);
		if (next)
			KUNIT_EXPECT_LE(test, addr + s->length,
					asp_vma_start_gap(next, s->guard_gap));
	}
	vt_snap_take(test, after);
	vt_expect_same(test, before, after, "search");
	vt_done(test);
}

static void vma_test_start_gap(struct kunit *test)
{
	struct asp_vma v = { .start = TS4 - SZ_1G, .end = TS4,
			     .flags = VT_STACK };

	KUNIT_EXPECT_EQ(test, asp_vma_start_gap(&v, GUARD),
			TS4 - SZ_1G - GUARD);
	KUNIT_EXPECT_EQ(test, asp_vma_start_gap(&v, 0), v.start);
	KUNIT_EXPECT_EQ(test, asp_vma_start_gap(&v, v.start), 0UL);
	KUNIT_EXPECT_EQ(test, asp_vma_start_gap(&v, v.start + P), 0UL);
	KUNIT_EXPECT_EQ(test, asp_vma_start_gap(&v, ULONG_MAX), 0UL);
	v.start = 0;
	KUNIT_EXPECT_EQ(test, asp_vma_start_gap(&v, GUARD), 0UL);
	v.start = MIN_ADDR;
	v.flags = VT_RW;
	KUNIT_EXPECT_EQ(test, asp_vma_start_gap(&v, GUARD), MIN_ADDR);
	KUNIT_EXPECT_EQ(test, asp_vma_start_gap(&v, ULONG_MAX), MIN_ADDR);
}

/* ---- allocation failures ---- */

struct vt_fail_case {
	const char *name;
	unsigned int op;
	unsigned int calls;	/* hook calls the operation makes */
	bool changes;		/* the set differs once it went through */
};

enum {
	VT_OP_INSERT, VT_OP_SPLIT, VT_OP_MERGE, VT_OP_REMOVE_MIDDLE,
	VT_OP_REMOVE_ACROSS, VT_OP_MAP_FIXED, VT_OP_REPLACE_HOLE,
	VT_OP_EXTEND, VT_OP_EXTEND_DOWN, VT_OP_REMOVE_4L_TOP,
};

static const struct vt_fail_case vt_fail_cases[] = {
	{ "insert", VT_OP_INSERT, 2, true },
	{ "split", VT_OP_SPLIT, 2, true },
	{ "merge", VT_OP_MERGE, 1, true },
	{ "remove from the middle", VT_OP_REMOVE_MIDDLE, 5, true },
	{ "remove across VMAs", VT_OP_REMOVE_ACROSS, 5, true },
	{ "map over VMAs", VT_OP_MAP_FIXED, 6, true },
	{ "hole over a hole", VT_OP_REPLACE_HOLE, 1, false },
	{ "extend up", VT_OP_EXTEND, 1, true },
	{ "extend down", VT_OP_EXTEND_DOWN, 1, true },
	{ "remove at the 4L top", VT_OP_REMOVE_4L_TOP, 5, true },
};

static void vt_fail_desc(const struct vt_fail_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vt_fail, vt_fail_cases, vt_fail_desc);

/* Run one operation on the layout of vma_test_alloc_failure(). */
static int vt_fail_op(struct kunit *test, unsigned int op, struct asp_vma **v)
{
	const unsigned long m = MIN_ADDR;
	struct vt_ctx *ctx = test->priv;
	struct asp_vma *new, *upper;
	LIST_HEAD(detached);
	int ret;

	switch (op) {
	case VT_OP_INSERT:
		new = asp_vma_alloc(m + 8 * P, m + 9 * P, VT_R);
		if (!new)
			return -ENOMEM;
		ctx->live++;
		ret = vt_insert(test, new);
		if (ret)
			vt_free(test, new);
		return ret;
	case VT_OP_SPLIT:
		return vt_split(test, v[0], m + 2 * P, &upper);
	case VT_OP_MERGE:
		return vt_merge_next(test, v[0]) ? 0 : -ENOMEM;
	case VT_OP_REMOVE_MIDDLE:
		return vt_remove(test, m + P, m + 2 * P);
	case VT_OP_REMOVE_ACROSS:
		return vt_remove(test, m + 2 * P, m + 11 * P);
	case VT_OP_MAP_FIXED:
		/* The new VMA is the first allocation. */
		new = asp_vma_alloc(m + 3 * P, m + 5 * P, VT_RX);
		if (!new)
			return -ENOMEM;
		ctx->live++;
		ret = vt_map_fixed(test, new);
		if (ret)
			vt_free(test, new);
		return ret;
	case VT_OP_REPLACE_HOLE:
		ret = vt_replace(test, m + 8 * P, m + 10 * P, NULL, &detached);
		KUNIT_EXPECT_TRUE(test, list_empty(&detached));
		return ret;
	case VT_OP_EXTEND:
		return vt_extend(test, v[1], m + 10 * P);
	case VT_OP_EXTEND_DOWN:
		return vt_extend_down(test, v[2], m + 8 * P);
	case VT_OP_REMOVE_4L_TOP:
		return vt_remove(test, TS4 - 2 * P, TS4 - P);
	}
	return -EINVAL;
}

static void vma_test_alloc_failure(struct kunit *test)
{
	const struct vt_fail_case *c = test->param_value;
	const unsigned long m = MIN_ADDR;
	struct vt_snap *before, *after;
	struct asp_vma *v[4];
	unsigned int n;
	int ret, left;

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);

	v[0] = vt_add(test, m, m + 4 * P, VT_RW);
	v[0]->anon = 1;
	v[1] = vt_add(test, m + 4 * P, m + 8 * P, VT_RW);
	v[2] = vt_add(test, m + 10 * P, m + 12 * P, VT_SHARED);
	v[2]->obj = 3;
	v[2]->pgoff = 100;
	v[3] = vt_add(test, TS4 - 4 * P, TS4, VT_STACK);
	vt_snap_take(test, before);

	for (n = 1; ; n++) {
		KUNIT_ASSERT_LE(test, n, c->calls + 1);
		asp_fail_nth_set(n);
		ret = vt_fail_op(test, c->op, v);
		left = asp_fail_nth_get();
		asp_fail_nth_set(0);
		if (left)	/* fewer than n calls: it went through */
			break;
		KUNIT_ASSERT_EQ_MSG(test, ret, -ENOMEM, "allocation %u", n);
		vt_snap_take(test, after);
		vt_expect_same(test, before, after, "failed operation");
		vt_expect_no_leak(test);
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, n - 1, c->calls);
	vt_snap_take(test, after);
	KUNIT_EXPECT_EQ(test, !!memcmp(before, after, sizeof(*after)),
			c->changes);
	vt_expect_no_leak(test);
	vt_done(test);
}

/* -------------------------------------------------------------------- */
/* Random operations against a reference model: a sorted array. */

#define VT_WIN		40	/* pages in each window of addresses */

/**
 * struct vt_model - what the set should hold, and what the run did
 * @nr: VMAs
 * @rec: the VMAs, ascending; ->vma NULL until the set shows which it is
 * @top: task size of the layout (4 or 5 levels)
 * @nu: addresses operations pick from
 * @u: those addresses: the first and the last pages of the layout
 * @ops: count of each kind of operation that changed the set
 * @eexist: inserts refused because of an overlap
 * @failed: operations failed by an injected allocation failure
 * @found: searches that found a range
 * @enomem: searches that found none
 * @guarded: searches where a stack's guard gap moved the result
 * @most: most VMAs at once
 * @emptied: checks that found the set empty after it was not
 */
struct vt_model {
	unsigned int nr;
	struct vt_rec rec[VT_MAX];
	unsigned long top;
	unsigned int nu;
	unsigned long u[2 * VT_WIN];
	unsigned int ops[8];
	unsigned int eexist;
	unsigned int failed;
	unsigned int found;
	unsigned int enomem;
	unsigned int guarded;
	unsigned int most;
	unsigned int emptied;
};

enum { VT_R_INSERT, VT_R_MAP, VT_R_REMOVE, VT_R_SPLIT, VT_R_UNSPLIT,
	VT_R_MERGE, VT_R_EXTEND, VT_R_EXTEND_DOWN };

/* Index of the VMA containing @addr, or -1. */
static int vt_m_find(const struct vt_model *m, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->rec[i].start <= addr && addr < m->rec[i].end)
			return i;
	return -1;
}

/* Index of the first VMA ending above @addr, or -1. */
static int vt_m_next(const struct vt_model *m, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->rec[i].end > addr)
			return i;
	return -1;
}

/* Index of the last VMA starting below @addr, or -1. */
static int vt_m_prev(const struct vt_model *m, unsigned long addr)
{
	int i;

	for (i = m->nr - 1; i >= 0; i--)
		if (m->rec[i].start < addr)
			return i;
	return -1;
}

static bool vt_m_overlaps(const struct vt_model *m, unsigned long start,
			  unsigned long end)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->rec[i].start < end && m->rec[i].end > start)
			return true;
	return false;
}

static const struct asp_vma *vt_m_vma(const struct vt_model *m, int i)
{
	return i < 0 ? NULL : m->rec[i].vma;
}

static void vt_m_insert(struct vt_model *m, const struct vt_rec *r)
{
	unsigned int i;

	for (i = m->nr; i > 0 && m->rec[i - 1].start > r->start; i--)
		m->rec[i] = m->rec[i - 1];
	m->rec[i] = *r;
	m->nr++;
}

static void vt_m_delete(struct vt_model *m, unsigned int i)
{
	memmove(&m->rec[i], &m->rec[i + 1],
		(m->nr - i - 1) * sizeof(m->rec[0]));
	m->nr--;
}

/* Cut [@start, @end) out, as carve + replace(NULL) does. */
static void vt_m_cut(struct vt_model *m, unsigned long start,
		     unsigned long end)
{
	struct vt_rec r;
	unsigned int i = 0;

	while (i < m->nr) {
		r = m->rec[i];
		if (r.end <= start || r.start >= end) {
			i++;
			continue;
		}
		vt_m_delete(m, i);
		if (r.start < start) {		/* the lower part stays */
			struct vt_rec lo = r;

			lo.end = start;
			vt_m_insert(m, &lo);
			i++;
		}
		if (r.end > end) {		/* a new VMA: the split's */
			struct vt_rec hi = r;

			hi.start = end;
			if (hi.flags & ASP_VM_SHARED)
				hi.pgoff += (end - r.start) >> PAGE_SHIFT;
			hi.vma = NULL;
			vt_m_insert(m, &hi);
			i++;
		}
	}
}

/* The merge rule, as vma.h documents it. */
static bool vt_m_can_merge(const struct vt_rec *l, const struct vt_rec *r)
{
	if (l->end != r->start || l->flags != r->flags)
		return false;
	if (l->flags & ASP_VM_SHARED)
		return l->obj == r->obj &&
		       l->pgoff + ((l->end - l->start) >> PAGE_SHIFT) ==
		       r->pgoff;
	return !l->anon || !r->anon || l->anon == r->anon;
}

/* The free range between VMA @k - 1 and VMA @k: [*first, *last]. */
static bool vt_m_hole(const struct vt_model *m, unsigned int k,
		      unsigned long *first, unsigned long *last)
{
	*first = k ? m->rec[k - 1].end : 0;
	if (k == m->nr) {
		*last = ULONG_MAX;
		return true;
	}
	if (m->rec[k].start <= *first)
		return false;
	*last = m->rec[k].start - 1;
	return true;
}

static unsigned long vt_m_start_gap(const struct vt_rec *r,
				    unsigned long guard)
{
	if (!(r->flags & ASP_VM_GROWSDOWN))
		return r->start;
	return r->start >= guard ? r->start - guard : 0;
}

/*
 * Linux's unmapped_area_topdown() and unmapped_area() over the model: the
 * highest (lowest) hole with room for the length plus the worst-case
 * alignment inside [low, high), placed at its top (bottom); a range that
 * would end inside a stack's guard gap moves below the gap (above the
 * stack).  Each hole is looked at, in order.
 */
static int vt_m_area(struct vt_model *m, const struct asp_vma_search *s,
		     unsigned long *addr)
{
	unsigned long len = s->length + s->align_mask;
	unsigned long low = s->low, high = s->high;
	unsigned long first, last, a = 0, b = 0, gap, gap_end, sg;
	bool found;
	int k, j;

	if (!s->length || len < s->length)
		return -ENOMEM;
	for (;;) {
		if (high <= low)
			return -ENOMEM;
		found = false;
		for (k = s->topdown ? m->nr : 0;
		     k >= 0 && k <= (int)m->nr; k += s->topdown ? -1 : 1) {
			if (!vt_m_hole(m, k, &first, &last))
				continue;
			a = max(first, low);
			b = min(last, high - 1);
			if (a <= b && b - a >= len - 1) {
				found = true;
				break;
			}
		}
		if (!found)
			return -ENOMEM;
		if (s->topdown) {
			gap_end = b + 1;
			gap = (gap_end - s->length) & ~s->align_mask;
			j = vt_m_next(m, gap_end);
		} else {
			gap = a + (-a & s->align_mask);
			gap_end = gap + s->length;
			j = vt_m_next(m, gap_end);
		}
		if (j >= 0 && (m->rec[j].flags & ASP_VM_GROWSDOWN)) {
			sg = vt_m_start_gap(&m->rec[j], s->guard_gap);
			if (sg < gap_end) {
				m->guarded++;
				if (s->topdown)
					high = sg;
				else
					low = m->rec[j].end;
				continue;
			}
		}
		*addr = gap;
		return 0;
	}
}

/* Compare the whole set with the model; learn the pointers of new VMAs. */
static void vt_m_check(struct kunit *test, struct vt_model *m,
		       struct vt_snap *snap, unsigned int step)
{
	const struct vt_rec *a, *b;
	unsigned int i;

	vt_snap_take(test, snap);
	KUNIT_ASSERT_EQ_MSG(test, snap->nr, m->nr, "step %u", step);
	for (i = 0; i < m->nr; i++) {
		a = &m->rec[i];
		b = &snap->rec[i];
		if (!m->rec[i].vma)
			m->rec[i].vma = b->vma;
		KUNIT_ASSERT_TRUE_MSG(test, a->start == b->start &&
				      a->end == b->end &&
				      a->flags == b->flags &&
				      a->pgoff == b->pgoff &&
				      a->obj == b->obj && a->anon == b->anon &&
				      a->vma == b->vma,
				      "step %u VMA %u: want [%#lx, %#lx) %#lx pgoff %lu obj %llu anon %llu, have [%#lx, %#lx) %#lx pgoff %lu obj %llu anon %llu",
				      step, i, a->start, a->end, a->flags,
				      a->pgoff, a->obj, a->anon, b->start,
				      b->end, b->flags, b->pgoff, b->obj,
				      b->anon);
	}
	vt_expect_no_leak(test);
	if (!m->nr && m->most)
		m->emptied++;
	m->most = max(m->most, m->nr);
}

/* The lookups at @addr agree with the model. */
static void vt_m_probe(struct kunit *test, const struct vt_model *m,
		       unsigned long addr, unsigned int step)
{
	KUNIT_ASSERT_PTR_EQ_MSG(test, vt_find(test, addr),
				vt_m_vma(m, vt_m_find(m, addr)),
				"step %u find %#lx", step, addr);
	KUNIT_ASSERT_PTR_EQ_MSG(test, vt_find_next(test, addr),
				vt_m_vma(m, vt_m_next(m, addr)),
				"step %u find_next %#lx", step, addr);
	KUNIT_ASSERT_PTR_EQ_MSG(test, vt_find_prev(test, addr),
				vt_m_vma(m, vt_m_prev(m, addr)),
				"step %u find_prev %#lx", step, addr);
	if (addr <= TOP_PAGE)
		KUNIT_ASSERT_EQ_MSG(test, vt_overlaps(test, addr, addr + P),
				    vt_m_overlaps(m, addr, addr + P),
				    "step %u overlaps %#lx", step, addr);
}

static unsigned long vt_m_addr(const struct vt_model *m, u64 *seed)
{
	return m->u[asp_test_rand(seed) % m->nu];
}

/* A random range [*start, *end) over addresses of the model. */
static void vt_m_range(const struct vt_model *m, u64 *seed,
		       unsigned long *start, unsigned long *end)
{
	unsigned int i = asp_test_rand(seed) % m->nu, j;

	if (asp_test_rand(seed) % 16)
		j = min_t(unsigned int, i + asp_test_rand(seed) % 4, m->nu - 1);
	else
		j = i + asp_test_rand(seed) % (m->nu - i);
	*start = m->u[i];
	*end = m->u[j] + P;
}

static void vt_m_search(struct kunit *test, struct vt_model *m, u64 *seed,
			unsigned int step)
{
	static const unsigned long lengths[] = {
		P, P, 2 * P, 3 * P, 8 * P, 64 * P, SZ_1G, TS4,
	};
	static const unsigned long aligns[] = {
		0, 0, 0, 2 * P - 1, 4 * P - 1, SZ_2M - 1,
	};
	static const unsigned long guards[] = { 0, 2 * P, 8 * P, GUARD };
	struct asp_vma_search s = {
		.length = lengths[asp_test_rand(seed) % ARRAY_SIZE(lengths)],
		.align_mask = aligns[asp_test_rand(seed) % ARRAY_SIZE(aligns)],
		.guard_gap = guards[asp_test_rand(seed) % ARRAY_SIZE(guards)],
		.topdown = asp_test_rand(seed) & 1,
	};
	unsigned long want = 0, have;
	int ret, ret_m;

	switch (asp_test_rand(seed) % 3) {
	case 0:
		s.low = 0;
		break;
	case 1:
		s.low = MIN_ADDR;
		break;
	default:
		s.low = vt_m_addr(m, seed);
	}
	switch (asp_test_rand(seed) % 4) {
	case 0:
		s.high = m->top;
		break;
	case 1:
		s.high = m->top - 8 * P;
		break;
	case 2:
		s.high = TOP_PAGE;
		break;
	default:
		s.high = vt_m_addr(m, seed) + P;
	}
	ret_m = vt_m_area(m, &s, &want);
	ret = vt_area(test, &s, &have);
	KUNIT_ASSERT_EQ_MSG(test, ret, ret_m,
			    "step %u, %u VMAs: %s length %#lx align %#lx [%#lx, %#lx) guard %#lx: %#lx",
			    step, m->nr, s.topdown ? "top-down" : "bottom-up",
			    s.length, s.align_mask, s.low, s.high,
			    s.guard_gap, have);
	if (ret) {
		m->enomem++;
		return;
	}
	m->found++;
	KUNIT_ASSERT_EQ_MSG(test, have, want,
			    "step %u: %s length %#lx align %#lx [%#lx, %#lx) guard %#lx",
			    step, s.topdown ? "top-down" : "bottom-up",
			    s.length, s.align_mask, s.low, s.high,
			    s.guard_gap);
}

static void vt_m_rand_rec(const struct vt_model *m, u64 *seed,
			  unsigned long start, unsigned long end,
			  struct vt_rec *r)
{
	static const unsigned long flags[] = {
		VT_RW, VT_RW, VT_R, VT_SHARED, VT_STACK,
	};

	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->flags = flags[asp_test_rand(seed) % ARRAY_SIZE(flags)];
	if (r->flags & ASP_VM_SHARED) {
		r->obj = 1 + asp_test_rand(seed) % 2;
		r->pgoff = (start >> PAGE_SHIFT) + !(asp_test_rand(seed) % 4);
	} else {
		r->anon = asp_test_rand(seed) % 3;
		r->pgoff = asp_test_rand(seed) % 3;
	}
}

static struct asp_vma *vt_m_new_vma(struct kunit *test, struct vt_rec *r)
{
	struct asp_vma *vma = vt_alloc(test, r->start, r->end, r->flags);

	vma->pgoff = r->pgoff;
	vma->obj = r->obj;
	vma->anon = r->anon;
	r->vma = vma;
	return vma;
}

/*
 * One random change; returns the kind done, -1 if none was made, -2 if
 * an injected allocation failure stopped it.
 */
static int vt_m_change(struct kunit *test, struct vt_model *m, u64 *seed,
		       bool fill, bool inject)
{
	int n = inject ? 1 + asp_test_rand(seed) % 6 : 0;
	unsigned int op = asp_test_rand(seed) % 100, i;
	unsigned long start, end, at, room;
	struct asp_vma *vma, *upper;
	bool consumed, merged;
	struct vt_rec r;
	int ret, want;

	if (op < (fill ? 30 : 10)) {			/* insert */
		vt_m_range(m, seed, &start, &end);
		vt_m_rand_rec(m, seed, start, end, &r);
		vma = vt_m_new_vma(test, &r);
		want = vt_m_overlaps(m, start, end) ? -EEXIST : 0;
		asp_fail_nth_set(n);
		ret = vt_insert(test, vma);
		consumed = n && !asp_fail_nth_get();
		asp_fail_nth_set(0);
		if (ret)
			vt_free(test, vma);
		if (consumed) {
			KUNIT_ASSERT_EQ(test, ret, -ENOMEM);
			return -2;
		}
		KUNIT_ASSERT_EQ(test, ret, want);
		if (ret) {
			m->eexist++;
			return -1;
		}
		vt_m_insert(m, &r);
		return VT_R_INSERT;
	}
	if (op < 40) {					/* MAP_FIXED */
		vt_m_range(m, seed, &start, &end);
		vt_m_rand_rec(m, seed, start, end, &r);
		vma = vt_m_new_vma(test, &r);
		asp_fail_nth_set(n);
		ret = vt_map_fixed(test, vma);
		consumed = n && !asp_fail_nth_get();
		asp_fail_nth_set(0);
		if (ret)
			vt_free(test, vma);
		KUNIT_ASSERT_EQ(test, ret, consumed ? -ENOMEM : 0);
		if (ret)
			return -2;
		vt_m_cut(m, start, end);
		vt_m_insert(m, &r);
		return VT_R_MAP;
	}
	if (op < (fill ? 45 : 65)) {			/* munmap */
		vt_m_range(m, seed, &start, &end);
		if (!fill && !(asp_test_rand(seed) % 32)) {	/* everything */
			start = 0;
			end = TOP_PAGE;
		}
		asp_fail_nth_set(n);
		ret = vt_remove(test, start, end);
		consumed = n && !asp_fail_nth_get();
		asp_fail_nth_set(0);
		KUNIT_ASSERT_EQ(test, ret, consumed ? -ENOMEM : 0);
		if (ret)
			return -2;
		vt_m_cut(m, start, end);
		return VT_R_REMOVE;
	}
	if (!m->nr)
		return -1;
	i = asp_test_rand(seed) % m->nr;
	vma = (struct asp_vma *)m->rec[i].vma;
	start = m->rec[i].start;
	end = m->rec[i].end;
	if (op < 80) {					/* split */
		if (end - start < 2 * P)
			return -1;
		at = start + P * (1 + asp_test_rand(seed) % ((end - start) / P - 1));
		asp_fail_nth_set(n);
		ret = vt_split(test, vma, at, &upper);
		consumed = n && !asp_fail_nth_get();
		asp_fail_nth_set(0);
		KUNIT_ASSERT_EQ(test, ret, consumed ? -ENOMEM : 0);
		if (ret)
			return -2;
		if (asp_test_rand(seed) % 3 == 0) {
			vt_unsplit(test, vma, upper);
			return VT_R_UNSPLIT;
		}
		r = m->rec[i];
		m->rec[i].end = at;
		r.start = at;
		if (r.flags & ASP_VM_SHARED)
			r.pgoff += (at - start) >> PAGE_SHIFT;
		r.vma = upper;
		vt_m_insert(m, &r);
		return VT_R_SPLIT;
	}
	if (op < 90) {					/* merge */
		want = i + 1 < m->nr &&
		       vt_m_can_merge(&m->rec[i], &m->rec[i + 1]);
		asp_fail_nth_set(n);
		merged = vt_merge_next(test, vma);
		consumed = n && !asp_fail_nth_get();
		asp_fail_nth_set(0);
		KUNIT_ASSERT_EQ(test, merged, want && !consumed);
		if (!merged)
			return consumed ? -2 : -1;
		m->rec[i].end = m->rec[i + 1].end;
		if (!m->rec[i].anon)
			m->rec[i].anon = m->rec[i + 1].anon;
		vt_m_delete(m, i + 1);
		return VT_R_MERGE;
	}
	if (op < 95) {					/* grow up */
		room = (i + 1 < m->nr ? m->rec[i + 1].start : TOP_PAGE) - end;
		if (!room)
			return -1;
		at = end + P * (1 + asp_test_rand(seed) % min(room / P, 4UL));
		asp_fail_nth_set(n);
		ret = vt_extend(test, vma, at);
		consumed = n && !asp_fail_nth_get();
		asp_fail_nth_set(0);
		KUNIT_ASSERT_EQ(test, ret, consumed ? -ENOMEM : 0);
		if (ret)
			return -2;
		m->rec[i].end = at;
		return VT_R_EXTEND;
	}
	room = start - (i ? m->rec[i - 1].end : 0);	/* grow down */
	if (!room)
		return -1;
	at = start - P * (1 + asp_test_rand(seed) % min(room / P, 4UL));
	asp_fail_nth_set(n);
	ret = vt_extend_down(test, vma, at);
	consumed = n && !asp_fail_nth_get();
	asp_fail_nth_set(0);
	KUNIT_ASSERT_EQ(test, ret, consumed ? -ENOMEM : 0);
	if (ret)
		return -2;
	if (m->rec[i].flags & ASP_VM_SHARED)
		m->rec[i].pgoff -= (start - at) >> PAGE_SHIFT;
	m->rec[i].start = at;
	return VT_R_EXTEND_DOWN;
}

struct vt_rand_case {
	unsigned long top;
	u64 seed;
	unsigned int steps;
};

static const struct vt_rand_case vt_rand_cases[] = {
	{ TS4, 0x9e3779b97f4a7c15ULL, 6000 },
	{ TS4, 0x0123456789abcdefULL, 6000 },
	{ TS5, 0xdeadbeefcafef00dULL, 6000 },
	{ TS5, 0x5eed5eed5eed5eedULL, 6000 },
};

static void vt_rand_desc(const struct vt_rand_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, seed %#llx",
		 c->top == TS4 ? "4L" : "5L", c->seed);
}

KUNIT_ARRAY_PARAM(vt_rand, vt_rand_cases, vt_rand_desc);

static void vma_test_random(struct kunit *test)
{
	const struct vt_rand_case *c = test->param_value;
	struct vt_model *m;
	struct vt_snap *snap;
	u64 seed = c->seed;
	unsigned int i, step, changes = 0;
	unsigned long addr;
	bool fill, inject;
	int kind;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	snap = kunit_kzalloc(test, sizeof(*snap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, snap);
	/* Page 0 to above mmap_min_addr, and the last pages below top. */
	m->top = c->top;
	for (i = 0; i < VT_WIN; i++) {
		m->u[i] = i * P;
		m->u[2 * VT_WIN - 1 - i] = c->top - (i + 1) * P;
	}
	m->nu = 2 * VT_WIN;
	KUNIT_ASSERT_LT(test, MIN_ADDR, m->u[VT_WIN - 1]);

	for (step = 0; step < c->steps; step++) {
		fill = !((step / 300) & 1);
		inject = !(asp_test_rand(&seed) % 5);
		kind = vt_m_change(test, m, &seed, fill, inject);
		if (kind >= 0) {
			m->ops[kind]++;
			changes++;
		} else if (kind == -2) {
			m->failed++;
		}
		KUNIT_ASSERT_EQ(test, asp_fail_nth_get(), 0);
		vt_m_check(test, m, snap, step);
		for (i = 0; i < 4; i++) {
			addr = vt_m_addr(m, &seed);
			vt_m_probe(test, m, addr, step);
			vt_m_probe(test, m, addr + P - 1, step);
			if (addr)
				vt_m_probe(test, m, addr - 1, step);
		}
		if (!(step % 64))
			for (i = 0; i < m->nu; i++)
				vt_m_probe(test, m, m->u[i], step);
		vt_m_search(test, m, &seed, step);
		vt_m_search(test, m, &seed, step);
	}

	kunit_info(test, "%u changes: %u inserts (%u refused), %u maps, %u removes, %u splits, %u unsplits, %u merges, %u grown up, %u grown down; %u failed by injection; searches: %u found, %u none, %u guard-gap retries; at most %u VMAs, emptied %u times\n",
		   changes, m->ops[VT_R_INSERT], m->eexist, m->ops[VT_R_MAP],
		   m->ops[VT_R_REMOVE], m->ops[VT_R_SPLIT],
		   m->ops[VT_R_UNSPLIT], m->ops[VT_R_MERGE],
		   m->ops[VT_R_EXTEND], m->ops[VT_R_EXTEND_DOWN], m->failed,
		   m->found, m->enomem, m->guarded, m->most, m->emptied);
	/* The sequence did reach the states it is meant to test. */
	for (i = 0; i < ARRAY_SIZE(m->ops); i++)
		KUNIT_EXPECT_GT_MSG(test, m->ops[i], 20U, "operation %u", i);
	KUNIT_EXPECT_GT(test, m->eexist, 50U);
	KUNIT_EXPECT_GT(test, m->failed, 100U);
	KUNIT_EXPECT_GT(test, m->found, 500U);
	KUNIT_EXPECT_GT(test, m->enomem, 100U);
	KUNIT_EXPECT_GT(test, m->guarded, 20U);
	KUNIT_EXPECT_GT(test, m->most, 20U);
	KUNIT_EXPECT_GT(test, m->emptied, 0U);
	vt_done(test);
}

/* -------------------------------------------------------------------- */

#define VT_BENCH_BASE	BIT(32)

/**
 * struct vt_bench - nanoseconds per operation with one set size
 * @find: asp_vma_find() at a random page
 * @find_seq: asp_vma_find() at every page in address order (cache-warm)
 * @ins_rm: asp_vma_insert() into a one-page hole, then
 *	asp_vma_replace() with a hole again
 * @area_td: top-down search that must skip every hole
 * @area_bu: the same, bottom-up
 */
struct vt_bench {
	u64 find;
	u64 find_seq;
	u64 ins_rm;
	u64 area_td;
	u64 area_bu;
};

static void vt_bench_size(struct kunit *test, unsigned long n,
			  struct vt_bench *b)
{
	const unsigned int iters = 20000;
	struct vt_ctx *ctx = test->priv;
	struct asp_vmas *vs = &ctx->vs;
	struct asp_vma_search s = { .length = 2 * P };
	unsigned long i, addr, hits = 0, want_hits = 0, bad = 0;
	struct asp_vma *vma, *spare;
	LIST_HEAD(detached);
	u64 seed = 0x2545f4914f6cdd1dULL, t0;

	/* n one-page VMAs with one-page holes between them. */
	down_write(&ctx->lock);
	for (i = 0; i < n; i++) {
		addr = VT_BENCH_BASE + 2 * i * P;
		vma = asp_vma_alloc(addr, addr + P, VT_RW);
		if (!vma)
			break;
		ctx->live++;
		if (asp_vma_insert(vs, vma)) {
			asp_vma_free(vma);
			ctx->live--;
			break;
		}
	}
	up_write(&ctx->lock);
	KUNIT_ASSERT_EQ(test, i, n);
	spare = vt_alloc(test, 0, P, VT_R);

	down_read(&ctx->lock);
	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		addr = VT_BENCH_BASE + (asp_test_rand(&seed) % (2 * n)) * P;
		if (asp_vma_find(vs, addr))
			hits++;
		want_hits += !((addr - VT_BENCH_BASE) & P);
	}
	b->find = (ktime_get_ns() - t0) / iters;
	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		addr = VT_BENCH_BASE + (i % (2 * n)) * P;
		if (asp_vma_find(vs, addr))
			hits++;
		want_hits += !(i % 2);
	}
	b->find_seq = (ktime_get_ns() - t0) / iters;
	up_read(&ctx->lock);
	KUNIT_EXPECT_EQ(test, hits, want_hits);

	down_write(&ctx->lock);
	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		addr = VT_BENCH_BASE + (2 * (asp_test_rand(&seed) % n) + 1) * P;
		spare->start = addr;
		spare->end = addr + P;
		if (asp_vma_insert(vs, spare) ||
		    asp_vma_replace(vs, addr, addr + P, NULL, &detached)) {
			bad++;
			break;
		}
		list_del_init(&spare->list);
	}
	b->ins_rm = (ktime_get_ns() - t0) / iters;
	up_write(&ctx->lock);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, vs->count, n);

	/* Only the space below (above) all the VMAs has two free pages. */
	down_read(&ctx->lock);
	s.low = MIN_ADDR;
	s.high = VT_BENCH_BASE + 2 * n * P - P;
	s.topdown = true;
	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++)
		if (asp_vma_find_area(vs, &s, &addr) ||
		    addr != VT_BENCH_BASE - 2 * P)
			bad++;
	b->area_td = (ktime_get_ns() - t0) / iters;
	s.low = VT_BENCH_BASE + P;
	s.high = TS4;
	s.topdown = false;
	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++)
		if (asp_vma_find_area(vs, &s, &addr) ||
		    addr != VT_BENCH_BASE + 2 * n * P - P)
			bad++;
	b->area_bu = (ktime_get_ns() - t0) / iters;
	up_read(&ctx->lock);
	KUNIT_EXPECT_EQ(test, bad, 0UL);

	vt_free(test, spare);
	vt_done(test);
}

/* Ratio a / b in hundredths. */
static u64 vt_ratio(u64 a, u64 b)
{
	return b ? a * 100 / b : 0;
}

static void vma_test_benchmark(struct kunit *test)
{
	static const unsigned long sizes[] = { 10, 1000, 65000 };
	struct vt_bench b[ARRAY_SIZE(sizes)], *lo = &b[0];
	struct vt_bench *hi = &b[ARRAY_SIZE(sizes) - 1];
	u64 r_find, r_ins, r_td, r_bu;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		vt_bench_size(test, sizes[i], &b[i]);
		kunit_info(test, "%lu VMAs: lookup %llu ns (%llu ns in address order), insert+remove %llu ns, free-range search %llu ns top-down, %llu ns bottom-up\n",
			   sizes[i], b[i].find, b[i].find_seq, b[i].ins_rm,
			   b[i].area_td, b[i].area_bu);
	}
	r_find = vt_ratio(hi->find, lo->find);
	r_ins = vt_ratio(hi->ins_rm, lo->ins_rm);
	r_td = vt_ratio(hi->area_td, lo->area_td);
	r_bu = vt_ratio(hi->area_bu, lo->area_bu);
	kunit_info(test, "%lu vs %lu VMAs: lookup %llu.%02llux, insert+remove %llu.%02llux, search %llu.%02llux top-down, %llu.%02llux bottom-up (target: at most 2x)\n",
		   sizes[ARRAY_SIZE(sizes) - 1], sizes[0],
		   r_find / 100, r_find % 100, r_ins / 100, r_ins % 100,
		   r_td / 100, r_td % 100, r_bu / 100, r_bu % 100);
}

static struct kunit_case vt_test_cases[] = {
	KUNIT_CASE(vma_test_alloc_free),
	KUNIT_CASE(vma_test_empty),
	KUNIT_CASE_PARAM(vma_test_insert, vt_insert_gen_params),
	KUNIT_CASE(vma_test_lookup),
	KUNIT_CASE(vma_test_split),
	KUNIT_CASE(vma_test_unsplit_no_alloc),
	KUNIT_CASE_PARAM(vma_test_merge, vt_merge_gen_params),
	KUNIT_CASE(vma_test_merge_chain),
	KUNIT_CASE(vma_test_replace),
	KUNIT_CASE_PARAM(vma_test_remove, vt_remove_gen_params),
	KUNIT_CASE(vma_test_start_gap),
	KUNIT_CASE_PARAM(vma_test_find_area, vt_area_gen_params),
	KUNIT_CASE_PARAM(vma_test_alloc_failure, vt_fail_gen_params),
	KUNIT_CASE_PARAM(vma_test_random, vt_rand_gen_params),
	KUNIT_CASE(vma_test_benchmark),
	{}
};

static struct kunit_suite vt_test_suite = {
	.name = "aspace_vma",
	.init = vt_test_init,
	.exit = vt_test_exit,
	.test_cases = vt_test_cases,
};

kunit_test_suite(vt_test_suite);
