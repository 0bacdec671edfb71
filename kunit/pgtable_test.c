// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the aspace page-table hierarchy (module/pgtable.c).
 *
 * Every test builds a real hierarchy from real pages and checks it two
 * ways: through the API (asp_pt_lookup() and friends) and by reading the
 * tables directly (pt_check_tables()), which recounts the used entries of
 * every table, the tables per level, and checks that no table but the root
 * is empty.  Counters of the module (asp_nr_table_pages,
 * asp_nr_data_pages) must be back to their starting values at the end of
 * every test.
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../module/mem.h"
#include "../module/pgtable.h"
#include "rand.h"

#define P		PAGE_SIZE
#define SZ_512G		BIT(39)
#define SZ_256T		BIT(48)
#define TS4		ASP_TASK_SIZE_4L
#define TS5		ASP_TASK_SIZE_5L

/* The flag bits a test maps with. */
#define PT_FLAGS	(ASP_PTE_RW | ASP_PTE_US | ASP_PTE_NX)
/* A leaf with one of these maps a page. */
#define PT_MAPPED	(ASP_PTE_P | ASP_PTE_PROTNONE)

/**
 * struct pt_ctx - per-test state
 * @pt: the hierarchy under test; destroyed by the exit hook if a test
 *	stopped early
 * @tables0: asp_nr_table_pages when the test started
 * @data0: asp_nr_data_pages when the test started
 */
struct pt_ctx {
	struct asp_pgtable pt;
	long tables0;
	long data0;
};

/**
 * struct pt_rel_log - what the release callback saw
 * @nr: number of calls
 * @bad: calls whose entry was zero or did not point to the page
 * @unordered: calls whose address was not above the previous one
 * @last: address of the last call
 * @addr: addresses of the first calls
 * @pte: entries of the first calls
 */
struct pt_rel_log {
	unsigned int nr;
	unsigned int bad;
	unsigned int unordered;
	unsigned long last;
	unsigned long addr[16];
	u64 pte[16];
};

static void pt_release(u64 pte, struct page *page, unsigned long addr,
		       void *arg)
{
	struct pt_rel_log *log = arg;

	if (log) {
		if (!pte || asp_pte_page(pte) != page)
			log->bad++;
		if (log->nr && addr <= log->last)
			log->unordered++;
		log->last = addr;
		if (log->nr < ARRAY_SIZE(log->addr)) {
			log->addr[log->nr] = addr;
			log->pte[log->nr] = pte;
		}
		log->nr++;
	}
	asp_data_page_put(page);
}

/* The leaf asp_pt_map(@page, @flags) must store, built independently. */
static u64 pt_pte(struct page *page, u64 flags)
{
	if (!(flags & ASP_PTE_PROTNONE))
		flags |= ASP_PTE_P;
	return ((u64)page_to_pfn(page) << PAGE_SHIFT) |
	       (flags & ~ASP_PTE_PFN_MASK);
}

static int pt_test_init(struct kunit *test)
{
	struct pt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	asp_fail_nth_set(0);
	ctx->tables0 = atomic_long_read(&asp_nr_table_pages);
	ctx->data0 = atomic_long_read(&asp_nr_data_pages);
	test->priv = ctx;
	return 0;
}

static void pt_test_exit(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;

	asp_fail_nth_set(0);
	asp_pt_destroy(&ctx->pt, pt_release, NULL);
}

static long pt_tables_held(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;

	return atomic_long_read(&asp_nr_table_pages) - ctx->tables0;
}

static long pt_data_held(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;

	return atomic_long_read(&asp_nr_data_pages) - ctx->data0;
}

static struct asp_pgtable *pt_new(struct kunit *test, unsigned int levels)
{
	struct pt_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, asp_pt_init(&ctx->pt, levels), 0);
	return &ctx->pt;
}

/* Destroy the hierarchy and check that every page went back. */
static void pt_done(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;

	asp_pt_destroy(&ctx->pt, pt_release, NULL);
	KUNIT_EXPECT_PTR_EQ(test, ctx->pt.root, NULL);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), 0);
	KUNIT_EXPECT_EQ(test, pt_data_held(test), 0);
}

/* Map a new data page at @addr; returns it. */
static struct page *pt_map_new(struct kunit *test, struct asp_pgtable *pt,
			       unsigned long addr, u64 flags)
{
	struct page *page = asp_data_page_alloc();
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, page);
	ret = asp_pt_map(pt, addr, page, flags);
	if (ret)
		asp_data_page_put(page);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "map %#lx", addr);
	return page;
}

static unsigned int pt_shift(unsigned int level)
{
	return PAGE_SHIFT + 9 * level;
}

/* Tables of each level the pages at @addrs (ascending) need. */
static void pt_model_tables(const struct asp_pgtable *pt,
			    const unsigned long *addrs, unsigned int nr,
			    unsigned long *want)
{
	unsigned int level, i;

	memset(want, 0, sizeof(*want) * ASP_PT_MAX_LEVELS);
	want[pt->levels - 1] = 1;
	for (level = 0; level < pt->levels - 1; level++) {
		for (i = 0; i < nr; i++) {
			if (!i || addrs[i] >> pt_shift(level + 1) !=
				  addrs[i - 1] >> pt_shift(level + 1))
				want[level]++;
		}
	}
}

static void pt_expect_tables(struct kunit *test, const struct asp_pgtable *pt,
			     const unsigned long *want)
{
	unsigned int level;

	for (level = 0; level < ASP_PT_MAX_LEVELS; level++)
		KUNIT_EXPECT_EQ_MSG(test, pt->nr_tables[level], want[level],
				    "level %u", level);
}

static void pt_expect_root_only(struct kunit *test,
				const struct asp_pgtable *pt)
{
	unsigned long want[ASP_PT_MAX_LEVELS] = {};

	want[pt->levels - 1] = 1;
	pt_expect_tables(test, pt, want);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), 1);
}

/*
 * Read a table directly: its count must be its number of non-zero
 * entries, a table entry must be exactly frame | ASP_PTE_TABLE, and a
 * non-root table may be empty only if @allow_empty.  Adds the tables
 * found to @found.
 */
static void pt_check_table(struct kunit *test, struct page *table,
			   unsigned int level, bool root, bool allow_empty,
			   unsigned long *found)
{
	u64 *tbl = page_address(table);
	unsigned long used = 0;
	unsigned int i;
	u64 e;

	found[level]++;
	for (i = 0; i < ASP_PT_ENTRIES; i++) {
		e = tbl[i];
		if (!e)
			continue;
		used++;
		if (!level)
			continue;
		KUNIT_ASSERT_EQ_MSG(test, e & ~ASP_PTE_PFN_MASK,
				    (u64)ASP_PTE_TABLE, "level %u entry %u",
				    level, i);
		pt_check_table(test, asp_pte_page(e), level - 1, false,
			       allow_empty, found);
	}
	KUNIT_ASSERT_EQ_MSG(test, page_private(table), used, "level %u",
			    level);
	if (!root && !allow_empty)
		KUNIT_ASSERT_NE_MSG(test, used, 0UL, "empty table, level %u",
				    level);
}

static void pt_check_tables(struct kunit *test, const struct asp_pgtable *pt,
			    bool allow_empty)
{
	unsigned long found[ASP_PT_MAX_LEVELS] = {};
	unsigned long total = 0;
	unsigned int level;

	pt_check_table(test, pt->root, pt->levels - 1, true, allow_empty,
		       found);
	for (level = 0; level < ASP_PT_MAX_LEVELS; level++) {
		KUNIT_ASSERT_EQ_MSG(test, pt->nr_tables[level], found[level],
				    "level %u", level);
		total += found[level];
	}
	KUNIT_ASSERT_EQ(test, pt_tables_held(test), (long)total);
}

/* -------------------------------------------------------------------- */

static void pt_test_init_levels(struct kunit *test)
{
	static const unsigned int bad[] = { 0, 1, 2, 3, 6, 64, UINT_MAX };
	struct asp_pgtable pt;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&pt, 0xa5, sizeof(pt));
		KUNIT_EXPECT_EQ(test, asp_pt_init(&pt, bad[i]), -EINVAL);
		KUNIT_EXPECT_PTR_EQ(test, pt.root, NULL);
		KUNIT_EXPECT_EQ(test, pt_tables_held(test), 0);
		asp_pt_destroy(&pt, NULL, NULL);	/* no-op when zeroed */
	}

	KUNIT_ASSERT_EQ(test, asp_pt_init(&pt, 4), 0);
	KUNIT_EXPECT_EQ(test, pt.levels, 4U);
	KUNIT_EXPECT_NOT_NULL(test, pt.root);
	KUNIT_EXPECT_EQ(test, asp_pt_task_size(&pt), TS4);
	KUNIT_EXPECT_EQ(test, asp_pt_task_size(&pt), (1UL << 47) - P);
	pt_expect_root_only(test, &pt);
	pt_check_tables(test, &pt, false);
	asp_pt_destroy(&pt, NULL, NULL);
	KUNIT_EXPECT_PTR_EQ(test, pt.root, NULL);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), 0);
	asp_pt_destroy(&pt, NULL, NULL);	/* twice is harmless */

	KUNIT_ASSERT_EQ(test, asp_pt_init(&pt, 5), 0);
	KUNIT_EXPECT_EQ(test, pt.levels, 5U);
	KUNIT_EXPECT_EQ(test, asp_pt_task_size(&pt), TS5);
	KUNIT_EXPECT_EQ(test, asp_pt_task_size(&pt), (1UL << 56) - P);
	pt_expect_root_only(test, &pt);
	asp_pt_destroy(&pt, NULL, NULL);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), 0);

	/* Out of memory: nothing allocated, nothing to destroy. */
	asp_fail_nth_set(1);
	KUNIT_EXPECT_EQ(test, asp_pt_init(&pt, 4), -ENOMEM);
	KUNIT_EXPECT_EQ(test, asp_fail_nth_get(), 0);
	KUNIT_EXPECT_PTR_EQ(test, pt.root, NULL);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), 0);
	asp_pt_destroy(&pt, NULL, NULL);
}

/* Ranges for asp_pt_check_range(): expected result with 4 and 5 levels. */
struct pt_range_case {
	const char *name;
	unsigned long start;
	unsigned long end;
	int ret4;
	int ret5;
};

static const struct pt_range_case pt_range_cases[] = {
	{ "first page", 0, P, 0, 0 },
	{ "64 KiB", SZ_64K, SZ_64K + P, 0, 0 },
	{ "empty at 0", 0, 0, -EINVAL, -EINVAL },
	{ "empty", SZ_1M, SZ_1M, -EINVAL, -EINVAL },
	{ "reversed", 2 * P, P, -EINVAL, -EINVAL },
	{ "unaligned start", 1, P, -EINVAL, -EINVAL },
	{ "unaligned end", 0, P + 1, -EINVAL, -EINVAL },
	{ "unaligned both", P - 1, 2 * P - 1, -EINVAL, -EINVAL },
	{ "wraps", ULONG_MAX & PAGE_MASK, P, -EINVAL, -EINVAL },
	{ "end wraps to 0", ULONG_MAX & PAGE_MASK, 0, -EINVAL, -EINVAL },
	{ "last 4L page", TS4 - P, TS4, 0, 0 },
	{ "all of 4L", 0, TS4, 0, 0 },
	{ "past 4L by a page", TS4 - P, TS4 + P, -EINVAL, 0 },
	{ "first page past 4L", TS4, TS4 + P, -EINVAL, 0 },
	{ "non-canonical 4L", 1UL << 47, (1UL << 47) + P, -EINVAL, 0 },
	{ "across 2^47", (1UL << 47) - P, (1UL << 47) + P, -EINVAL, 0 },
	{ "last 5L page", TS5 - P, TS5, -EINVAL, 0 },
	{ "all of 5L", 0, TS5, -EINVAL, 0 },
	{ "first page past 5L", TS5, TS5 + P, -EINVAL, -EINVAL },
	{ "non-canonical 5L", 1UL << 56, (1UL << 56) + P, -EINVAL, -EINVAL },
	{ "non-canonical high", 1UL << 62, (1UL << 62) + P, -EINVAL,
	  -EINVAL },
	{ "kernel half 4L", 0xffff800000000000UL, 0xffff800000001000UL,
	  -EINVAL, -EINVAL },
	{ "kernel half 5L", 0xff00000000000000UL, 0xff00000000001000UL,
	  -EINVAL, -EINVAL },
	{ "to the top", 0, ULONG_MAX & PAGE_MASK, -EINVAL, -EINVAL },
};

static void pt_range_desc(const struct pt_range_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pt_range, pt_range_cases, pt_range_desc);

/* A walk callback that records what it visits. */
static int pt_walk_record(u64 *ptep, unsigned long addr, void *arg)
{
	struct pt_rel_log *log = arg;

	if (log->nr < ARRAY_SIZE(log->addr)) {
		log->addr[log->nr] = addr;
		log->pte[log->nr] = *ptep;
	}
	log->nr++;
	return 0;
}

/* Every range operation rejects [@start, @end) and changes nothing. */
static void pt_expect_range_rejected(struct kunit *test,
				     struct asp_pgtable *pt,
				     unsigned long start, unsigned long end)
{
	struct pt_rel_log log = {};
	long tables = pt_tables_held(test);

	KUNIT_EXPECT_EQ(test, asp_pt_prepare(pt, start, end), -EINVAL);
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, start, end, pt_release, &log),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, asp_pt_protect(pt, start, end, ASP_PTE_RW, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, asp_pt_walk(pt, start, end, pt_walk_record,
					  &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, log.nr, 0U);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), tables);
}

static void pt_test_check_range(struct kunit *test)
{
	const struct pt_range_case *c = test->param_value;
	struct asp_pgtable *pt;
	unsigned int levels;
	int want;

	for (levels = 4; levels <= 5; levels++) {
		pt = pt_new(test, levels);
		/* Something mapped, so a wrong unmap would show. */
		pt_map_new(test, pt, 0, PT_FLAGS);
		pt_map_new(test, pt, TS4 - P, PT_FLAGS);
		want = levels == 4 ? c->ret4 : c->ret5;
		KUNIT_EXPECT_EQ_MSG(test, asp_pt_check_range(pt, c->start,
							     c->end),
				    want, "%u levels", levels);
		if (want)
			pt_expect_range_rejected(test, pt, c->start, c->end);
		KUNIT_EXPECT_EQ(test, pt_data_held(test), 2);
		pt_done(test);
	}
}

/* Addresses to map one page at, with 4 and 5 levels; 0 or -EINVAL. */
struct pt_addr_case {
	const char *name;
	unsigned long addr;
	int ret4;
	int ret5;
};

static const struct pt_addr_case pt_addr_cases[] = {
	{ "0", 0, 0, 0 },
	{ "64 KiB", SZ_64K, 0, 0 },
	{ "2 MiB - 4 KiB", SZ_2M - P, 0, 0 },
	{ "2 MiB", SZ_2M, 0, 0 },
	{ "1 GiB - 4 KiB", SZ_1G - P, 0, 0 },
	{ "1 GiB", SZ_1G, 0, 0 },
	{ "512 GiB - 4 KiB", SZ_512G - P, 0, 0 },
	{ "512 GiB", SZ_512G, 0, 0 },
	{ "last 4L page", TS4 - P, 0, 0 },
	{ "first past 4L", TS4, -EINVAL, 0 },
	{ "2^47", 1UL << 47, -EINVAL, 0 },
	{ "256 TiB - 4 KiB", SZ_256T - P, -EINVAL, 0 },
	{ "256 TiB", SZ_256T, -EINVAL, 0 },
	{ "last 5L page", TS5 - P, -EINVAL, 0 },
	{ "first past 5L", TS5, -EINVAL, -EINVAL },
	{ "2^56", 1UL << 56, -EINVAL, -EINVAL },
	{ "bit 63", 1UL << 63, -EINVAL, -EINVAL },
	{ "kernel half", 0xffff888000000000UL, -EINVAL, -EINVAL },
	{ "last page of all", ULONG_MAX & PAGE_MASK, -EINVAL, -EINVAL },
	{ "unaligned", SZ_64K + 8, -EINVAL, -EINVAL },
};

static void pt_addr_desc(const struct pt_addr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pt_addr, pt_addr_cases, pt_addr_desc);

/* Map one page at @addr and check every view of it, then unmap it. */
static void pt_check_one_page(struct kunit *test, struct asp_pgtable *pt,
			      unsigned long addr)
{
	unsigned long want[ASP_PT_MAX_LEVELS];
	struct pt_rel_log log = {};
	struct asp_pt_lookup res;
	struct page *page;
	unsigned int level;
	u64 pte, *ptep;

	page = pt_map_new(test, pt, addr, PT_FLAGS);
	pte = pt_pte(page, PT_FLAGS);
	KUNIT_EXPECT_EQ(test, asp_pte_mk(page, PT_FLAGS | ASP_PTE_P), pte);
	KUNIT_EXPECT_PTR_EQ(test, asp_pte_page(pte), page);

	pt_model_tables(pt, &addr, 1, want);
	pt_expect_tables(test, pt, want);
	pt_check_tables(test, pt, false);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), (long)pt->levels);

	/* The translation goes through one table of every level. */
	KUNIT_ASSERT_EQ(test, asp_pt_lookup(pt, addr, &res), 0);
	KUNIT_EXPECT_EQ(test, res.level, 0);
	KUNIT_EXPECT_EQ(test, res.entry[0], pte);
	KUNIT_EXPECT_EQ(test, res.table_pfn[pt->levels - 1],
			(u64)page_to_pfn(pt->root));
	for (level = 1; level < pt->levels; level++)
		KUNIT_EXPECT_EQ_MSG(test, res.entry[level],
				    (res.table_pfn[level - 1] << PAGE_SHIFT) |
				    ASP_PTE_TABLE, "level %u", level);
	for (level = pt->levels; level < ASP_PT_MAX_LEVELS; level++) {
		KUNIT_EXPECT_EQ(test, res.entry[level], 0ULL);
		KUNIT_EXPECT_EQ(test, res.table_pfn[level], 0ULL);
	}

	/* Any byte of the page translates the same. */
	KUNIT_ASSERT_EQ(test, asp_pt_lookup(pt, addr + P - 1, &res), 0);
	KUNIT_EXPECT_EQ(test, res.entry[0], pte);

	ptep = asp_pt_leaf(pt, addr);
	KUNIT_ASSERT_NOT_NULL(test, ptep);
	KUNIT_EXPECT_EQ(test, *ptep, pte);
	KUNIT_EXPECT_PTR_EQ(test, asp_pt_leaf(pt, addr + 100), ptep);

	/* Mapping it again fails and changes nothing. */
	page = asp_data_page_alloc();
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, asp_pt_map(pt, addr, page, ASP_PTE_RW), -EEXIST);
	asp_data_page_put(page);
	KUNIT_EXPECT_EQ(test, *ptep, pte);
	pt_expect_tables(test, pt, want);

	KUNIT_EXPECT_EQ(test, asp_pt_walk(pt, addr, addr + P, pt_walk_record,
					  &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, 1U);
	KUNIT_EXPECT_EQ(test, log.addr[0], addr);
	KUNIT_EXPECT_EQ(test, log.pte[0], pte);

	memset(&log, 0, sizeof(log));
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, addr, addr + P, pt_release,
					   &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, 1U);
	KUNIT_EXPECT_EQ(test, log.bad, 0U);
	KUNIT_EXPECT_EQ(test, log.addr[0], addr);
	KUNIT_EXPECT_EQ(test, log.pte[0], pte);
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, addr, &res), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, asp_pt_leaf(pt, addr), NULL);
	pt_expect_root_only(test, pt);
	KUNIT_EXPECT_EQ(test, pt_data_held(test), 0);
}

static void pt_test_map_boundaries(struct kunit *test)
{
	const struct pt_addr_case *c = test->param_value;
	struct asp_pgtable *pt;
	struct asp_pt_lookup res;
	struct page *page;
	unsigned int levels;
	int want;

	for (levels = 4; levels <= 5; levels++) {
		pt = pt_new(test, levels);
		want = levels == 4 ? c->ret4 : c->ret5;
		if (!want) {
			pt_check_one_page(test, pt, c->addr);
			pt_done(test);
			continue;
		}
		page = asp_data_page_alloc();
		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_EXPECT_EQ_MSG(test, asp_pt_map(pt, c->addr, page, 0),
				    want, "%u levels", levels);
		asp_data_page_put(page);
		if (PAGE_ALIGNED(c->addr)) {
			/* Outside the user half: no translation at all. */
			KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, c->addr, &res),
					-EINVAL);
			KUNIT_EXPECT_PTR_EQ(test, asp_pt_leaf(pt, c->addr),
					    NULL);
		}
		pt_expect_root_only(test, pt);
		pt_done(test);
	}
}

static void pt_test_lookup(struct kunit *test)
{
	struct asp_pgtable *pt = pt_new(test, 4);
	struct asp_pt_lookup res, full;
	unsigned int level;
	struct page *page;

	/* Empty: stops at the root. */
	memset(&res, 0xa5, sizeof(res));
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, 0, &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, res.level, 3);
	KUNIT_EXPECT_EQ(test, res.table_pfn[3], (u64)page_to_pfn(pt->root));
	for (level = 0; level < ASP_PT_MAX_LEVELS; level++) {
		KUNIT_EXPECT_EQ(test, res.entry[level], 0ULL);
		if (level != 3)
			KUNIT_EXPECT_EQ(test, res.table_pfn[level], 0ULL);
	}

	page = pt_map_new(test, pt, SZ_2M, ASP_PTE_US | ASP_PTE_COW);
	KUNIT_ASSERT_EQ(test, asp_pt_lookup(pt, SZ_2M, &full), 0);
	KUNIT_EXPECT_EQ(test, full.entry[0],
			pt_pte(page, ASP_PTE_US | ASP_PTE_COW));
	KUNIT_EXPECT_TRUE(test, full.entry[0] & ASP_PTE_COW);
	KUNIT_EXPECT_FALSE(test, full.entry[0] & ASP_PTE_RW);
	KUNIT_EXPECT_FALSE(test, full.entry[0] & ASP_PTE_NX);

	/* Same page table, absent leaf: stops at level 0. */
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, SZ_2M + P, &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, res.level, 0);
	KUNIT_EXPECT_EQ(test, res.entry[0], 0ULL);
	for (level = 1; level < 4; level++)
		KUNIT_EXPECT_EQ(test, res.entry[level], full.entry[level]);
	for (level = 0; level < 4; level++)
		KUNIT_EXPECT_EQ(test, res.table_pfn[level],
				full.table_pfn[level]);

	/* Same page directory, no page table: stops at level 1. */
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, SZ_2M - P, &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, res.level, 1);
	KUNIT_EXPECT_EQ(test, res.entry[1], 0ULL);
	KUNIT_EXPECT_EQ(test, res.entry[0], 0ULL);
	KUNIT_EXPECT_EQ(test, res.table_pfn[0], 0ULL);
	KUNIT_EXPECT_EQ(test, res.table_pfn[1], full.table_pfn[1]);
	KUNIT_EXPECT_EQ(test, res.entry[2], full.entry[2]);

	/* No page directory: level 2; no PDPT: level 3. */
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, SZ_1G, &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, res.level, 2);
	KUNIT_EXPECT_EQ(test, res.table_pfn[1], 0ULL);
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, SZ_512G, &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, res.level, 3);
	KUNIT_EXPECT_EQ(test, res.table_pfn[2], 0ULL);
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, TS4 - 1, &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, res.level, 3);

	/* Outside the user half. */
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, TS4, &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, 1UL << 47, &res), -EINVAL);
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, ULONG_MAX, &res), -EINVAL);

	/* A PROT_NONE page: mapped, not present; lookup shows the entry. */
	page = pt_map_new(test, pt, SZ_2M + P, ASP_PTE_PROTNONE | ASP_PTE_NX);
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, SZ_2M + P, &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, res.level, 0);
	KUNIT_EXPECT_EQ(test, res.entry[0],
			pt_pte(page, ASP_PTE_PROTNONE | ASP_PTE_NX));
	KUNIT_EXPECT_FALSE(test, res.entry[0] & ASP_PTE_P);
	KUNIT_EXPECT_EQ(test, res.entry[1], full.entry[1]);
	page = asp_data_page_alloc();
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, asp_pt_map(pt, SZ_2M + P, page, ASP_PTE_RW),
			-EEXIST);
	asp_data_page_put(page);
	pt_check_tables(test, pt, false);
	KUNIT_EXPECT_EQ(test, pt_data_held(test), 2);

	pt_done(test);
}

static void pt_test_leaf_set(struct kunit *test)
{
	struct asp_pgtable *pt = pt_new(test, 4);
	struct pt_rel_log log = {};
	struct asp_pt_lookup res;
	struct page *a, *b, *c;
	u64 *ptep, *ptep2;

	KUNIT_EXPECT_PTR_EQ(test, asp_pt_leaf(pt, SZ_1G), NULL);
	KUNIT_EXPECT_PTR_EQ(test, asp_pt_leaf(pt, TS4), NULL);
	KUNIT_EXPECT_PTR_EQ(test, asp_pt_leaf(pt, ULONG_MAX), NULL);

	KUNIT_ASSERT_EQ(test, asp_pt_prepare(pt, SZ_1G, SZ_1G + 2 * P), 0);
	ptep = asp_pt_leaf(pt, SZ_1G);
	ptep2 = asp_pt_leaf(pt, SZ_1G + P);
	KUNIT_ASSERT_NOT_NULL(test, ptep);
	KUNIT_ASSERT_PTR_EQ(test, ptep2, ptep + 1);
	KUNIT_EXPECT_EQ(test, *ptep, 0ULL);
	pt_check_tables(test, pt, true);

	/* An entry that maps nothing (neither P nor PROTNONE) is not stored. */
	a = asp_data_page_alloc();
	KUNIT_ASSERT_NOT_NULL(test, a);
	asp_pt_set(pt, SZ_1G, ptep, asp_pte_mk(a, ASP_PTE_RW | ASP_PTE_US));
	KUNIT_EXPECT_EQ(test, *ptep, 0ULL);
	asp_pt_set(pt, SZ_1G, ptep, 0);
	KUNIT_EXPECT_EQ(test, *ptep, 0ULL);
	pt_check_tables(test, pt, true);

	/* Filling the slots counts them; a PROT_NONE entry too. */
	asp_pt_set(pt, SZ_1G, ptep, asp_pte_mk(a, ASP_PTE_RW | ASP_PTE_P));
	KUNIT_EXPECT_EQ(test, *ptep, pt_pte(a, ASP_PTE_RW));
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, SZ_1G, &res), 0);
	KUNIT_EXPECT_EQ(test, res.entry[0], pt_pte(a, ASP_PTE_RW));
	b = asp_data_page_alloc();
	KUNIT_ASSERT_NOT_NULL(test, b);
	asp_pt_set(pt, SZ_1G + P, ptep2, asp_pte_mk(b, ASP_PTE_PROTNONE));
	KUNIT_EXPECT_EQ(test, *ptep2, pt_pte(b, ASP_PTE_PROTNONE));
	pt_check_tables(test, pt, false);

	/* Replacing a mapped entry (a copy-on-write break) does not. */
	c = asp_data_page_alloc();
	KUNIT_ASSERT_NOT_NULL(test, c);
	asp_pt_set(pt, SZ_1G, ptep, asp_pte_mk(c, ASP_PTE_RW | ASP_PTE_P));
	asp_data_page_put(a);
	pt_check_tables(test, pt, false);
	KUNIT_EXPECT_EQ(test, pt_data_held(test), 2);

	/* So the page table goes with the last of its two pages. */
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, SZ_1G, SZ_1G + P, pt_release,
					   &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, 1U);
	KUNIT_EXPECT_EQ(test, log.pte[0], pt_pte(c, ASP_PTE_RW));
	KUNIT_EXPECT_EQ(test, pt->nr_tables[0], 1UL);
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, SZ_1G + P, SZ_1G + 2 * P,
					   pt_release, &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, 2U);
	KUNIT_EXPECT_EQ(test, log.bad, 0U);
	KUNIT_EXPECT_EQ(test, log.pte[1], pt_pte(b, ASP_PTE_PROTNONE));
	pt_expect_root_only(test, pt);
	pt_done(test);
}

/* Ranges to prepare from an empty hierarchy, and the tables they need. */
struct pt_prepare_case {
	const char *name;
	unsigned int levels;
	unsigned long start;
	unsigned long end;
	unsigned long tables[ASP_PT_MAX_LEVELS];
};

static const struct pt_prepare_case pt_prepare_cases[] = {
	{ "4L first page", 4, 0, P, { 1, 1, 1, 1 } },
	{ "4L one page table", 4, 0, SZ_2M, { 1, 1, 1, 1 } },
	{ "4L across 2 MiB", 4, SZ_2M - P, SZ_2M + P, { 2, 1, 1, 1 } },
	{ "4L three page tables", 4, 0, SZ_4M + P, { 3, 1, 1, 1 } },
	{ "4L across 1 GiB", 4, SZ_1G - P, SZ_1G + P, { 2, 2, 1, 1 } },
	{ "4L 2 MiB around 1 GiB", 4, SZ_1G - SZ_2M, SZ_1G + SZ_2M,
	  { 2, 2, 1, 1 } },
	{ "4L across 512 GiB", 4, SZ_512G - P, SZ_512G + P, { 2, 2, 2, 1 } },
	{ "4L last page", 4, TS4 - P, TS4, { 1, 1, 1, 1 } },
	{ "4L 1 GiB + 4 KiB", 4, SZ_1G - P, 2UL * SZ_1G, { 513, 2, 1, 1 } },
	{ "5L first page", 5, 0, P, { 1, 1, 1, 1, 1 } },
	{ "5L across 2^47", 5, (1UL << 47) - P, (1UL << 47) + P,
	  { 2, 2, 2, 1, 1 } },
	{ "5L across 256 TiB", 5, SZ_256T - P, SZ_256T + P,
	  { 2, 2, 2, 2, 1 } },
	{ "5L 2 GiB around 256 TiB", 5, SZ_256T - SZ_1G, SZ_256T + SZ_1G,
	  { 1024, 2, 2, 2, 1 } },
	{ "5L last page", 5, TS5 - P, TS5, { 1, 1, 1, 1, 1 } },
};

static void pt_prepare_desc(const struct pt_prepare_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pt_prepare, pt_prepare_cases, pt_prepare_desc);

static void pt_test_prepare(struct kunit *test)
{
	const struct pt_prepare_case *c = test->param_value;
	struct asp_pgtable *pt = pt_new(test, c->levels);
	unsigned long total = 0, mid;
	unsigned int level;
	u64 *ptep;

	for (level = 0; level < ASP_PT_MAX_LEVELS; level++)
		total += c->tables[level];

	KUNIT_ASSERT_EQ(test, asp_pt_prepare(pt, c->start, c->end), 0);
	pt_expect_tables(test, pt, c->tables);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), (long)total);
	pt_check_tables(test, pt, true);

	/* Every page of the range has a slot, still zero. */
	mid = (c->start + (c->end - c->start) / 2) & PAGE_MASK;
	ptep = asp_pt_leaf(pt, c->start);
	KUNIT_ASSERT_NOT_NULL(test, ptep);
	KUNIT_EXPECT_EQ(test, *ptep, 0ULL);
	KUNIT_EXPECT_NOT_NULL(test, asp_pt_leaf(pt, mid));
	KUNIT_EXPECT_NOT_NULL(test, asp_pt_leaf(pt, c->end - P));
	KUNIT_EXPECT_EQ(test, pt_data_held(test), 0);

	/* Again: nothing to do, nothing allocated. */
	asp_fail_nth_set(1);
	KUNIT_EXPECT_EQ(test, asp_pt_prepare(pt, c->start, c->end), 0);
	KUNIT_EXPECT_EQ(test, asp_fail_nth_get(), 1);
	asp_fail_nth_set(0);
	pt_expect_tables(test, pt, c->tables);

	/* Unmapping the range frees the empty tables prepare left. */
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, c->start, c->end, NULL, NULL),
			0);
	pt_expect_root_only(test, pt);
	pt_done(test);
}

/* Map pages at @addrs, checking tables against the model after each. */
static void pt_map_all(struct kunit *test, struct asp_pgtable *pt,
		       const unsigned long *addrs, unsigned int nr)
{
	unsigned long want[ASP_PT_MAX_LEVELS];
	unsigned int i;

	for (i = 0; i < nr; i++)
		pt_map_new(test, pt, addrs[i], PT_FLAGS);
	pt_model_tables(pt, addrs, nr, want);
	pt_expect_tables(test, pt, want);
	pt_check_tables(test, pt, false);
	KUNIT_EXPECT_EQ(test, pt_data_held(test), (long)nr);
}

static void pt_test_unmap(struct kunit *test)
{
	static const unsigned long addrs[] = {
		SZ_64K, SZ_2M - P, SZ_2M, SZ_1G - P, SZ_1G, SZ_1G + P,
		SZ_512G - P, SZ_512G, TS4 - P,
	};
	static const unsigned long left[] = {
		SZ_64K, SZ_2M - P, SZ_1G + P, SZ_512G, TS4 - P,
	};
	unsigned long want[ASP_PT_MAX_LEVELS];
	struct asp_pgtable *pt = pt_new(test, 4);
	struct pt_rel_log log = {};
	unsigned int i;

	pt_map_all(test, pt, addrs, ARRAY_SIZE(addrs));

	/* Nothing mapped in the range. */
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, SZ_4M, SZ_1G - P, pt_release,
					   &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, 0U);
	KUNIT_EXPECT_EQ(test, pt_data_held(test), (long)ARRAY_SIZE(addrs));

	/* [2 MiB, 1 GiB + 4 KiB) and [512 GiB - 4 KiB, 512 GiB). */
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, SZ_2M, SZ_1G + P, pt_release,
					   &log), 0);
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, SZ_512G - P, SZ_512G,
					   pt_release, &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, 4U);
	KUNIT_EXPECT_EQ(test, log.bad, 0U);
	KUNIT_EXPECT_EQ(test, log.unordered, 0U);
	KUNIT_EXPECT_EQ(test, log.addr[0], SZ_2M);
	KUNIT_EXPECT_EQ(test, log.addr[1], SZ_1G - P);
	KUNIT_EXPECT_EQ(test, log.addr[2], SZ_1G);
	KUNIT_EXPECT_EQ(test, log.addr[3], SZ_512G - P);
	pt_model_tables(pt, left, ARRAY_SIZE(left), want);
	pt_expect_tables(test, pt, want);
	pt_check_tables(test, pt, false);
	KUNIT_EXPECT_EQ(test, pt_data_held(test), (long)ARRAY_SIZE(left));
	for (i = 0; i < ARRAY_SIZE(left); i++)
		KUNIT_EXPECT_NOT_NULL(test, asp_pt_leaf(pt, left[i]));

	/* The whole user half: everything else, in address order. */
	memset(&log, 0, sizeof(log));
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, 0, TS4, pt_release, &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, (unsigned int)ARRAY_SIZE(left));
	KUNIT_EXPECT_EQ(test, log.unordered, 0U);
	for (i = 0; i < ARRAY_SIZE(left); i++)
		KUNIT_EXPECT_EQ(test, log.addr[i], left[i]);
	pt_expect_root_only(test, pt);
	KUNIT_EXPECT_EQ(test, pt_data_held(test), 0);

	/* And again on the empty hierarchy. */
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, 0, TS4, pt_release, &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, (unsigned int)ARRAY_SIZE(left));
	pt_done(test);
}

/* A 2^56-byte unmap of a sparse 5-level hierarchy skips what is absent. */
static void pt_test_unmap_sparse_5l(struct kunit *test)
{
	static const unsigned long addrs[] = {
		0, TS4 - P, 1UL << 47, SZ_256T - P, SZ_256T, 1UL << 55,
		TS5 - P,
	};
	struct asp_pgtable *pt = pt_new(test, 5);
	struct pt_rel_log log = {};
	unsigned int i;
	u64 t0, ns;

	pt_map_all(test, pt, addrs, ARRAY_SIZE(addrs));
	t0 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, 0, TS5, pt_release, &log), 0);
	ns = ktime_get_ns() - t0;
	kunit_info(test, "unmap of 2^56 bytes, %zu pages: %llu ns\n",
		   ARRAY_SIZE(addrs), ns);
	KUNIT_EXPECT_EQ(test, log.nr, (unsigned int)ARRAY_SIZE(addrs));
	KUNIT_EXPECT_EQ(test, log.bad, 0U);
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		KUNIT_EXPECT_EQ(test, log.addr[i], addrs[i]);
	pt_expect_root_only(test, pt);
	pt_done(test);
}

/**
 * struct pt_walk_state - what pt_walk_fn() saw
 * @nr: leaves visited
 * @stop_at: return @ret at this visit (1-based; 0: never)
 * @ret: the value to stop with
 * @unordered: visits not above the previous address
 * @last: address of the last visit
 * @addr: addresses of the first visits
 */
struct pt_walk_state {
	unsigned int nr;
	unsigned int stop_at;
	int ret;
	unsigned int unordered;
	unsigned long last;
	unsigned long addr[16];
};

static int pt_walk_fn(u64 *ptep, unsigned long addr, void *arg)
{
	struct pt_walk_state *ws = arg;

	if (ws->nr && addr <= ws->last)
		ws->unordered++;
	ws->last = addr;
	if (ws->nr < ARRAY_SIZE(ws->addr))
		ws->addr[ws->nr] = addr;
	ws->nr++;
	/* Callbacks may change flag bits. */
	*ptep |= ASP_PTE_A;
	return ws->nr == ws->stop_at ? ws->ret : 0;
}

static void pt_test_protect(struct kunit *test)
{
	static const unsigned long addrs[] = {
		SZ_2M - P, SZ_2M, SZ_1G - P, SZ_1G, SZ_512G,
	};
	const u64 access = ASP_PTE_P | ASP_PTE_RW | ASP_PTE_US | ASP_PTE_NX |
			   ASP_PTE_PROTNONE;
	struct asp_pgtable *pt = pt_new(test, 4);
	struct pt_walk_state ws = {};
	struct pt_rel_log log = {};
	struct asp_pt_lookup res;
	u64 before[ARRAY_SIZE(addrs)];
	long tables;
	unsigned int i;

	pt_map_all(test, pt, addrs, ARRAY_SIZE(addrs));
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		KUNIT_ASSERT_EQ(test, asp_pt_lookup(pt, addrs[i], &res), 0);
		before[i] = res.entry[0];
	}

	/* [2 MiB, 1 GiB): read-only, executable, copy-on-write. */
	KUNIT_EXPECT_EQ(test, asp_pt_protect(pt, SZ_2M, SZ_1G, ASP_PTE_COW,
					     ASP_PTE_RW | ASP_PTE_NX), 0);
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		u64 want = before[i];

		if (addrs[i] >= SZ_2M && addrs[i] < SZ_1G)
			want = (want & ~(ASP_PTE_RW | ASP_PTE_NX)) |
			       ASP_PTE_COW;
		KUNIT_ASSERT_EQ(test, asp_pt_lookup(pt, addrs[i], &res), 0);
		KUNIT_EXPECT_EQ_MSG(test, res.entry[0], want, "at %#lx",
				    addrs[i]);
	}

	/* The frame never changes, nor P unless PROTNONE replaces it. */
	KUNIT_EXPECT_EQ(test, asp_pt_protect(pt, 0, TS4,
					     ASP_PTE_PFN_MASK | ASP_PTE_D,
					     ASP_PTE_P | ASP_PTE_PFN_MASK |
					     ASP_PTE_COW), 0);
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		u64 want = (before[i] | ASP_PTE_D);

		if (addrs[i] >= SZ_2M && addrs[i] < SZ_1G)
			want &= ~(ASP_PTE_RW | ASP_PTE_NX);
		KUNIT_ASSERT_EQ(test, asp_pt_lookup(pt, addrs[i], &res), 0);
		KUNIT_EXPECT_EQ_MSG(test, res.entry[0], want, "at %#lx",
				    addrs[i]);
	}

	/* PROT_NONE and back, as mprotect does it. */
	KUNIT_EXPECT_EQ(test, asp_pt_protect(pt, SZ_2M, SZ_512G,
					     ASP_PTE_PROTNONE | ASP_PTE_NX,
					     access), 0);
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		u64 want = before[i] | ASP_PTE_D;
		int ret = asp_pt_lookup(pt, addrs[i], &res);

		if (addrs[i] >= SZ_2M && addrs[i] < SZ_512G) {
			want = (want & ~access) | ASP_PTE_PROTNONE | ASP_PTE_NX;
			KUNIT_EXPECT_EQ(test, ret, -ENOENT);
			KUNIT_EXPECT_EQ(test, res.level, 0);
		} else {
			KUNIT_EXPECT_EQ(test, ret, 0);
		}
		KUNIT_EXPECT_EQ_MSG(test, res.entry[0], want, "at %#lx",
				    addrs[i]);
	}
	/* PROT_NONE leaves are still walked, and still hold their pages. */
	KUNIT_EXPECT_EQ(test, asp_pt_walk(pt, SZ_2M, SZ_512G, pt_walk_fn, &ws),
			0);
	KUNIT_EXPECT_EQ(test, ws.nr, 3U);
	pt_check_tables(test, pt, false);
	KUNIT_EXPECT_EQ(test, asp_pt_protect(pt, SZ_1G, SZ_512G,
					     ASP_PTE_P | ASP_PTE_RW, access),
			0);
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, SZ_1G, &res), 0);
	KUNIT_EXPECT_EQ(test, res.entry[0] & (access | ASP_PTE_PFN_MASK),
			(before[3] & ASP_PTE_PFN_MASK) | ASP_PTE_P | ASP_PTE_RW);
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, SZ_2M, SZ_1G, pt_release, &log),
			0);
	KUNIT_EXPECT_EQ(test, log.nr, 2U);
	KUNIT_EXPECT_EQ(test, log.bad, 0U);
	KUNIT_EXPECT_EQ(test, log.addr[0], SZ_2M);
	KUNIT_EXPECT_TRUE(test, log.pte[0] & ASP_PTE_PROTNONE);
	KUNIT_EXPECT_EQ(test, pt_data_held(test), 3);

	/* An absent range: no entry, no table appears. */
	tables = pt_tables_held(test);
	asp_fail_nth_set(1);
	KUNIT_EXPECT_EQ(test, asp_pt_protect(pt, SZ_4M, SZ_1G - P,
					     ASP_PTE_RW, 0), 0);
	KUNIT_EXPECT_EQ(test, asp_pt_protect(pt, 4UL * SZ_1G, 8UL * SZ_1G,
					     ASP_PTE_RW, 0), 0);
	KUNIT_EXPECT_EQ(test, asp_fail_nth_get(), 1);
	asp_fail_nth_set(0);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), tables);
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(pt, SZ_4M, &res), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, asp_pt_leaf(pt, 4UL * SZ_1G), NULL);
	pt_check_tables(test, pt, false);
	pt_done(test);
}

static void pt_test_walk(struct kunit *test)
{
	static const unsigned long addrs[] = {
		0, SZ_64K, SZ_2M - P, SZ_2M, SZ_1G, SZ_512G - P, SZ_512G,
		TS4 - P,
	};
	struct asp_pgtable *pt = pt_new(test, 4);
	struct pt_walk_state ws = {};
	struct asp_pt_lookup res;
	unsigned int i;

	pt_map_all(test, pt, addrs, ARRAY_SIZE(addrs));

	KUNIT_EXPECT_EQ(test, asp_pt_walk(pt, 0, TS4, pt_walk_fn, &ws), 0);
	KUNIT_EXPECT_EQ(test, ws.nr, (unsigned int)ARRAY_SIZE(addrs));
	KUNIT_EXPECT_EQ(test, ws.unordered, 0U);
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		KUNIT_EXPECT_EQ(test, ws.addr[i], addrs[i]);
		KUNIT_ASSERT_EQ(test, asp_pt_lookup(pt, addrs[i], &res), 0);
		KUNIT_EXPECT_TRUE(test, res.entry[0] & ASP_PTE_A);
	}

	/* A sub-range: [2 MiB - 4 KiB, 512 GiB). */
	memset(&ws, 0, sizeof(ws));
	KUNIT_EXPECT_EQ(test, asp_pt_walk(pt, SZ_2M - P, SZ_512G, pt_walk_fn,
					  &ws), 0);
	KUNIT_EXPECT_EQ(test, ws.nr, 4U);
	KUNIT_EXPECT_EQ(test, ws.addr[0], SZ_2M - P);
	KUNIT_EXPECT_EQ(test, ws.addr[3], SZ_512G - P);

	/* Stops at the first non-zero return and returns it. */
	memset(&ws, 0, sizeof(ws));
	ws.stop_at = 3;
	ws.ret = -EINTR;
	KUNIT_EXPECT_EQ(test, asp_pt_walk(pt, 0, TS4, pt_walk_fn, &ws),
			-EINTR);
	KUNIT_EXPECT_EQ(test, ws.nr, 3U);
	memset(&ws, 0, sizeof(ws));
	ws.stop_at = 1;
	ws.ret = 7;
	KUNIT_EXPECT_EQ(test, asp_pt_walk(pt, SZ_1G, TS4, pt_walk_fn, &ws),
			7);
	KUNIT_EXPECT_EQ(test, ws.nr, 1U);
	KUNIT_EXPECT_EQ(test, ws.addr[0], SZ_1G);

	/* Nothing mapped in the range. */
	memset(&ws, 0, sizeof(ws));
	KUNIT_EXPECT_EQ(test, asp_pt_walk(pt, SZ_4M, SZ_1G, pt_walk_fn, &ws),
			0);
	KUNIT_EXPECT_EQ(test, ws.nr, 0U);
	pt_check_tables(test, pt, false);
	pt_done(test);
}

static void pt_test_destroy(struct kunit *test)
{
	static const unsigned long addrs[] = {
		0, SZ_2M, SZ_1G, SZ_512G, TS4 - P, 1UL << 47, TS5 - P,
	};
	struct pt_ctx *ctx = test->priv;
	struct asp_pgtable *pt = pt_new(test, 5);
	struct pt_rel_log log = {};
	unsigned int i;

	pt_map_all(test, pt, addrs, ARRAY_SIZE(addrs));
	/* Root, 2 PML4s, 5 PDPTs, 6 PDs, 7 PTs. */
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), 1 + 2 + 5 + 6 + 7L);
	asp_pt_destroy(pt, pt_release, &log);
	KUNIT_EXPECT_EQ(test, log.nr, (unsigned int)ARRAY_SIZE(addrs));
	KUNIT_EXPECT_EQ(test, log.bad, 0U);
	KUNIT_EXPECT_EQ(test, log.unordered, 0U);
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		KUNIT_EXPECT_EQ(test, log.addr[i], addrs[i]);
	KUNIT_EXPECT_PTR_EQ(test, ctx->pt.root, NULL);
	for (i = 0; i < ASP_PT_MAX_LEVELS; i++)
		KUNIT_EXPECT_EQ(test, ctx->pt.nr_tables[i], 0UL);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), 0);
	KUNIT_EXPECT_EQ(test, pt_data_held(test), 0);

	/* Tables prepare left empty go too. */
	pt = pt_new(test, 4);
	KUNIT_ASSERT_EQ(test, asp_pt_prepare(pt, SZ_1G - P, SZ_1G + P), 0);
	asp_pt_destroy(pt, NULL, NULL);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test), 0);
}

/* -------------------------------------------------------------------- */
/* Allocation failures. */

/**
 * struct pt_fail_case - an operation run with the Nth allocation failing
 * @name: what it does
 * @levels: 4 or 5
 * @op: 0 map one page at @start; 1 prepare [@start, @end)
 * @start: the page or range
 * @end: end of the range to prepare
 * @allocs: table pages the operation allocates when nothing fails
 */
struct pt_fail_case {
	const char *name;
	unsigned int levels;
	int op;
	unsigned long start;
	unsigned long end;
	unsigned int allocs;
};

static const struct pt_fail_case pt_fail_cases[] = {
	{ "4L map, new PDPT", 4, 0, SZ_512G + SZ_1G, 0, 3 },
	{ "4L map, new PD", 4, 0, 3UL * SZ_1G, 0, 2 },
	{ "4L map, new PT", 4, 0, SZ_1G + SZ_4M, 0, 1 },
	{ "4L map, next to a page", 4, 0, SZ_1G + P, 0, 0 },
	{ "4L map, last page", 4, 0, TS4 - P, 0, 3 },
	{ "5L map, new PML4", 5, 0, SZ_256T, 0, 4 },
	{ "4L prepare across 2 MiB", 4, 1, SZ_1G + SZ_2M - P,
	  SZ_1G + SZ_2M + P, 1 },
	{ "4L prepare across 2 GiB", 4, 1, 2UL * SZ_1G - P, 2UL * SZ_1G + P, 3 },
	{ "4L prepare across 512 GiB", 4, 1, SZ_512G - SZ_2M,
	  SZ_512G + SZ_4M, 6 },
	{ "4L prepare 8 MiB", 4, 1, 8UL * SZ_1G, 8UL * SZ_1G + SZ_8M, 5 },
	{ "5L prepare across 256 TiB", 5, 1, SZ_256T - P, SZ_256T + P, 7 },
};

static void pt_fail_desc(const struct pt_fail_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pt_fail, pt_fail_cases, pt_fail_desc);

/* Addresses whose translation must not change when an operation fails. */
static const unsigned long pt_fail_probes[] = {
	0, SZ_64K, SZ_1G - P, SZ_1G, SZ_1G + P, SZ_1G + SZ_2M - P,
	SZ_1G + SZ_2M, SZ_1G + SZ_4M, 2UL * SZ_1G - P, 2UL * SZ_1G,
	3UL * SZ_1G, SZ_512G - SZ_2M,
	SZ_512G - P, SZ_512G, SZ_512G + SZ_1G, 8UL * SZ_1G, TS4 - P,
	SZ_256T - P, SZ_256T,
};

struct pt_snapshot {
	unsigned long nr_tables[ASP_PT_MAX_LEVELS];
	long table_pages;
	struct asp_pt_lookup res[ARRAY_SIZE(pt_fail_probes)];
	int ret[ARRAY_SIZE(pt_fail_probes)];
};

static void pt_snapshot_take(struct kunit *test, struct asp_pgtable *pt,
			     struct pt_snapshot *s)
{
	unsigned int i;

	memcpy(s->nr_tables, pt->nr_tables, sizeof(s->nr_tables));
	s->table_pages = pt_tables_held(test);
	for (i = 0; i < ARRAY_SIZE(pt_fail_probes); i++)
		s->ret[i] = asp_pt_lookup(pt, pt_fail_probes[i], &s->res[i]);
}

static void pt_test_alloc_failure(struct kunit *test)
{
	const struct pt_fail_case *c = test->param_value;
	struct asp_pgtable *pt = pt_new(test, c->levels);
	struct pt_snapshot *before, *after;
	struct pt_rel_log log = {};
	struct page *page;
	unsigned int n;
	int ret, left;

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);

	/* Tables the operation can share. */
	pt_map_new(test, pt, SZ_64K, PT_FLAGS);
	pt_map_new(test, pt, SZ_1G, PT_FLAGS);
	pt_snapshot_take(test, pt, before);

	page = asp_data_page_alloc();
	KUNIT_ASSERT_NOT_NULL(test, page);
	for (n = 1; ; n++) {
		KUNIT_ASSERT_LE(test, n, c->allocs + 1);
		asp_fail_nth_set(n);
		if (c->op == 0)
			ret = asp_pt_map(pt, c->start, page, PT_FLAGS);
		else
			ret = asp_pt_prepare(pt, c->start, c->end);
		left = asp_fail_nth_get();
		asp_fail_nth_set(0);
		if (left)	/* fewer than n allocations: done */
			break;
		KUNIT_ASSERT_EQ_MSG(test, ret, -ENOMEM, "allocation %u", n);
		pt_snapshot_take(test, pt, after);
		KUNIT_ASSERT_EQ_MSG(test, memcmp(before, after, sizeof(*after)),
				    0, "changed by failed allocation %u", n);
		pt_check_tables(test, pt, false);
	}
	if (ret)
		asp_data_page_put(page);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, n - 1, c->allocs);
	KUNIT_EXPECT_EQ(test, pt_tables_held(test),
			before->table_pages + (long)c->allocs);
	if (c->op == 0) {
		KUNIT_EXPECT_EQ(test, *asp_pt_leaf(pt, c->start),
				pt_pte(page, PT_FLAGS));
		pt_check_tables(test, pt, false);
	} else {
		asp_data_page_put(page);
		KUNIT_EXPECT_NOT_NULL(test, asp_pt_leaf(pt, c->start));
		KUNIT_EXPECT_NOT_NULL(test, asp_pt_leaf(pt, c->end - P));
		pt_check_tables(test, pt, true);
		/* Unmapping the prepared range gives back what it took. */
		KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, c->start, c->end,
						   pt_release, &log), 0);
		KUNIT_EXPECT_EQ(test, log.nr, 0U);
		pt_snapshot_take(test, pt, after);
		KUNIT_EXPECT_EQ(test, memcmp(before, after, sizeof(*after)), 0);
	}
	pt_done(test);
}

/* -------------------------------------------------------------------- */
/* Random operations against a reference model. */

#define PT_RAND_MAX	64

/**
 * struct pt_model - what the hierarchy should hold
 * @nr: tracked pages
 * @addr: their addresses, ascending
 * @pte: the leaf each should have (0: none)
 * @released: release calls in the current operation
 * @bad: release calls for an address or entry the model does not expect
 * @maps: pages mapped so far
 * @eexist: maps refused because a page was there
 * @unmapped: pages unmapped so far
 * @protnone: most PROT_NONE pages mapped at once
 * @most: most pages mapped at once
 * @most_tables: most table pages at once
 * @emptied: checks that found nothing mapped after something was
 */
struct pt_model {
	unsigned int nr;
	unsigned long addr[PT_RAND_MAX];
	u64 pte[PT_RAND_MAX];
	unsigned int released;
	unsigned int bad;
	unsigned int maps;
	unsigned int eexist;
	unsigned int unmapped;
	unsigned int protnone;
	unsigned int most;
	long most_tables;
	unsigned int emptied;
};

static int pt_model_find(const struct pt_model *m, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->addr[i] == addr)
			return i;
	return -1;
}

static void pt_model_add(struct pt_model *m, unsigned long ts,
			 unsigned long addr)
{
	unsigned int i;

	if (addr >= ts || pt_model_find(m, addr) >= 0 ||
	    m->nr == PT_RAND_MAX)
		return;
	for (i = m->nr; i > 0 && m->addr[i - 1] > addr; i--)
		m->addr[i] = m->addr[i - 1];
	m->addr[i] = addr;
	m->nr++;
}

static void pt_model_release(u64 pte, struct page *page, unsigned long addr,
			     void *arg)
{
	struct pt_model *m = arg;
	int i = pt_model_find(m, addr);

	if (i < 0 || m->pte[i] != pte || asp_pte_page(pte) != page)
		m->bad++;
	else
		m->pte[i] = 0;
	m->released++;
	asp_data_page_put(page);
}

/* Compare everything with the model. */
static void pt_model_check(struct kunit *test, struct asp_pgtable *pt,
			   struct pt_model *m, unsigned int step)
{
	unsigned long mapped[PT_RAND_MAX];
	unsigned long want[ASP_PT_MAX_LEVELS];
	unsigned int i, nr = 0, protnone = 0;
	struct asp_pt_lookup res;
	int ret;

	for (i = 0; i < m->nr; i++) {
		ret = asp_pt_lookup(pt, m->addr[i], &res);
		if (m->pte[i])
			mapped[nr++] = m->addr[i];
		if (!(m->pte[i] & ASP_PTE_P) && (m->pte[i] & ASP_PTE_PROTNONE))
			protnone++;
		KUNIT_ASSERT_EQ_MSG(test, ret,
				    m->pte[i] & ASP_PTE_P ? 0 : -ENOENT,
				    "step %u addr %#lx", step, m->addr[i]);
		KUNIT_ASSERT_EQ_MSG(test, res.entry[0], m->pte[i],
				    "step %u addr %#lx", step, m->addr[i]);
	}
	pt_model_tables(pt, mapped, nr, want);
	for (i = 0; i < ASP_PT_MAX_LEVELS; i++)
		KUNIT_ASSERT_EQ_MSG(test, pt->nr_tables[i], want[i],
				    "step %u level %u", step, i);
	KUNIT_ASSERT_EQ_MSG(test, pt_data_held(test), (long)nr, "step %u",
			    step);
	pt_check_tables(test, pt, false);
	if (!nr && m->maps)
		m->emptied++;
	m->most = max(m->most, nr);
	m->protnone = max(m->protnone, protnone);
	m->most_tables = max(m->most_tables, pt_tables_held(test));
}

struct pt_rand_case {
	unsigned int levels;
	u64 seed;
	unsigned int steps;
};

static const struct pt_rand_case pt_rand_cases[] = {
	{ 4, 0x9e3779b97f4a7c15ULL, 4000 },
	{ 4, 0x0123456789abcdefULL, 4000 },
	{ 5, 0xdeadbeefcafef00dULL, 4000 },
	{ 5, 0x5eed5eed5eed5eedULL, 4000 },
};

static void pt_rand_desc(const struct pt_rand_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u levels, seed %#llx",
		 c->levels, c->seed);
}

KUNIT_ARRAY_PARAM(pt_rand, pt_rand_cases, pt_rand_desc);

static const u64 pt_rand_flags[] = {
	0, ASP_PTE_RW, ASP_PTE_US, ASP_PTE_NX, ASP_PTE_A, ASP_PTE_D,
	ASP_PTE_G, ASP_PTE_COW, ASP_PTE_SW3, ASP_PTE_P, ASP_PTE_PFN_MASK,
	ASP_PTE_PROTNONE,
};

static u64 pt_rand_flagset(u64 *seed)
{
	u64 r = asp_test_rand(seed), f = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pt_rand_flags); i++)
		if (r & (1ULL << i))
			f |= pt_rand_flags[i];
	return f;
}

static void pt_rand_map(struct kunit *test, struct asp_pgtable *pt,
			struct pt_model *m, unsigned int i, u64 *seed)
{
	u64 flags = pt_rand_flagset(seed);
	bool fault_path = asp_test_rand(seed) & 1;
	unsigned long addr = m->addr[i];
	struct page *page;
	u64 *ptep;
	int ret;

	page = asp_data_page_alloc();
	KUNIT_ASSERT_NOT_NULL(test, page);
	if (fault_path && !m->pte[i]) {
		/* As the fault handler does: prepare, then fill the slot. */
		KUNIT_ASSERT_EQ(test, asp_pt_prepare(pt, addr, addr + P), 0);
		ptep = asp_pt_leaf(pt, addr);
		KUNIT_ASSERT_NOT_NULL(test, ptep);
		KUNIT_ASSERT_EQ(test, *ptep, 0ULL);
		asp_pt_set(pt, addr, ptep, pt_pte(page, flags));
		ret = 0;
	} else {
		ret = asp_pt_map(pt, addr, page, flags);
	}
	if (m->pte[i]) {
		KUNIT_ASSERT_EQ(test, ret, -EEXIST);
		asp_data_page_put(page);
		m->eexist++;
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	m->pte[i] = pt_pte(page, flags);
	m->maps++;
}

static void pt_rand_range(const struct pt_model *m, u64 *seed,
			  unsigned long *start, unsigned long *end)
{
	unsigned int i = asp_test_rand(seed) % m->nr, j;

	if (asp_test_rand(seed) % 8)
		j = min_t(unsigned int, i + asp_test_rand(seed) % 4, m->nr - 1);
	else
		j = i + asp_test_rand(seed) % (m->nr - i);
	*start = m->addr[i];
	*end = m->addr[j] + P;
}

static void pt_rand_unmap(struct kunit *test, struct asp_pgtable *pt,
			  struct pt_model *m, u64 *seed)
{
	unsigned long start, end;
	unsigned int i, expect = 0;

	pt_rand_range(m, seed, &start, &end);
	for (i = 0; i < m->nr; i++)
		if (m->pte[i] && m->addr[i] >= start && m->addr[i] < end)
			expect++;
	m->released = 0;
	KUNIT_ASSERT_EQ(test, asp_pt_unmap(pt, start, end, pt_model_release,
					   m), 0);
	KUNIT_ASSERT_EQ(test, m->bad, 0U);
	KUNIT_ASSERT_EQ(test, m->released, expect);
	m->unmapped += expect;
}

static void pt_rand_protect(struct kunit *test, struct asp_pgtable *pt,
			    struct pt_model *m, u64 *seed)
{
	u64 set = pt_rand_flagset(seed), clear = pt_rand_flagset(seed);
	unsigned long start, end;
	unsigned int i;
	u64 pte;

	pt_rand_range(m, seed, &start, &end);
	KUNIT_ASSERT_EQ(test, asp_pt_protect(pt, start, end, set, clear), 0);
	set &= ~ASP_PTE_PFN_MASK;
	clear &= ~ASP_PTE_PFN_MASK;
	for (i = 0; i < m->nr; i++) {
		if (!m->pte[i] || m->addr[i] < start || m->addr[i] >= end)
			continue;
		pte = (m->pte[i] & ~clear) | set;
		if (!(pte & PT_MAPPED))
			pte |= m->pte[i] & PT_MAPPED;
		/* A copy-on-write entry never becomes writable. */
		if (pte & ASP_PTE_COW)
			pte &= ~ASP_PTE_RW;
		m->pte[i] = pte;
	}
}

static void pt_rand_walk(struct kunit *test, struct asp_pgtable *pt,
			 struct pt_model *m, u64 *seed)
{
	struct pt_walk_state ws = {};
	unsigned long start, end;
	unsigned int i, expect = 0;
	int ret;

	pt_rand_range(m, seed, &start, &end);
	for (i = 0; i < m->nr; i++) {
		if (m->pte[i] && m->addr[i] >= start && m->addr[i] < end) {
			m->pte[i] |= ASP_PTE_A;	/* pt_walk_fn sets it */
			expect++;
		}
	}
	ret = asp_pt_walk(pt, start, end, pt_walk_fn, &ws);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, ws.nr, expect);
	KUNIT_ASSERT_EQ(test, ws.unordered, 0U);
}

static void pt_test_random(struct kunit *test)
{
	const struct pt_rand_case *c = test->param_value;
	static const unsigned long bases[] = {
		0, SZ_64K, SZ_2M, SZ_1G, SZ_512G, SZ_512G + SZ_1G + SZ_2M,
		1UL << 46, TS4, 1UL << 47, SZ_256T, 1UL << 55, TS5,
	};
	struct asp_pgtable *pt = pt_new(test, c->levels);
	unsigned long ts = asp_pt_task_size(pt);
	struct pt_model *m;
	u64 seed = c->seed;
	unsigned int i, step, op;
	bool fill;
	long d;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	for (i = 0; i < ARRAY_SIZE(bases); i++)
		for (d = -2; d <= 1; d++)
			if (bases[i] >= 2 * P || d >= 0)
				pt_model_add(m, ts, bases[i] + d * (long)P);
	KUNIT_ASSERT_GE(test, m->nr, 24U);

	/* Phases of 500 steps that mostly fill, then mostly drain. */
	for (step = 0; step < c->steps; step++) {
		fill = !((step / 500) & 1);
		op = asp_test_rand(&seed) % 100;
		if (op < (fill ? 80 : 20))
			pt_rand_map(test, pt, m,
				    asp_test_rand(&seed) % m->nr, &seed);
		else if (op < (fill ? 82 : 70))
			pt_rand_unmap(test, pt, m, &seed);
		else if (op < 92)
			pt_rand_protect(test, pt, m, &seed);
		else
			pt_rand_walk(test, pt, m, &seed);
		pt_model_check(test, pt, m, step);
	}

	kunit_info(test, "%u tracked pages: %u maps, %u refused, %u unmapped; at most %u mapped, %u PROT_NONE, %ld tables; emptied %u times\n",
		   m->nr, m->maps, m->eexist, m->unmapped, m->most,
		   m->protnone, m->most_tables, m->emptied);
	/* The sequence did reach the states it is meant to test. */
	KUNIT_EXPECT_EQ(test, m->most, m->nr);
	KUNIT_EXPECT_GT(test, m->emptied, 0U);
	KUNIT_EXPECT_GT(test, m->eexist, 100U);
	KUNIT_EXPECT_GT(test, m->unmapped, 500U);
	KUNIT_EXPECT_GT(test, m->protnone, 0U);

	i = m->maps - m->unmapped;
	m->released = 0;
	asp_pt_destroy(pt, pt_model_release, m);
	KUNIT_EXPECT_EQ(test, m->bad, 0U);
	KUNIT_EXPECT_EQ(test, m->released, i);
	pt_done(test);
}

/* -------------------------------------------------------------------- */

/**
 * struct pt_bench - pages handed back by the benchmark's unmap
 * @pages: where they go
 * @nr: how many came back
 */
struct pt_bench {
	struct page **pages;
	unsigned long nr;
};

static void pt_bench_release(u64 pte, struct page *page, unsigned long addr,
			     void *arg)
{
	struct pt_bench *b = arg;

	b->pages[b->nr++] = page;
}

static void pt_test_benchmark(struct kunit *test)
{
	const unsigned long base = 4UL * SZ_1G, len = SZ_64M;
	const unsigned long nr = len >> PAGE_SHIFT;
	struct asp_pgtable *pt = pt_new(test, 4);
	struct pt_bench b = {};
	u64 t0, t_map, t_prot, t_unmap;
	unsigned long i;

	b.pages = kunit_kcalloc(test, nr, sizeof(*b.pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b.pages);
	for (i = 0; i < nr; i++) {
		b.pages[i] = asp_data_page_alloc();
		if (!b.pages[i])
			break;
	}
	if (i < nr) {
		while (i--)
			asp_data_page_put(b.pages[i]);
		KUNIT_ASSERT_FAILURE(test, "cannot allocate %lu pages", nr);
	}

	t0 = ktime_get_ns();
	for (i = 0; i < nr; i++)
		if (asp_pt_map(pt, base + i * P, b.pages[i], PT_FLAGS))
			break;
	t_map = ktime_get_ns() - t0;
	if (i < nr) {
		unsigned long mapped = i;

		for (i = mapped; i < nr; i++)
			asp_data_page_put(b.pages[i]);
		KUNIT_ASSERT_FAILURE(test, "map failed after %lu pages",
				     mapped);
	}
	KUNIT_EXPECT_EQ(test, pt->nr_tables[0], len / SZ_2M);

	t0 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, asp_pt_protect(pt, base, base + len, 0,
					     ASP_PTE_RW), 0);
	t_prot = ktime_get_ns() - t0;

	t0 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, asp_pt_unmap(pt, base, base + len,
					   pt_bench_release, &b), 0);
	t_unmap = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, b.nr, nr);
	for (i = 0; i < b.nr; i++)
		asp_data_page_put(b.pages[i]);

	kunit_info(test, "%lu MiB: map %llu ns/page, protect %llu ns/page, unmap %llu ns/page\n",
		   len >> 20, t_map / nr, t_prot / nr, t_unmap / nr);
	pt_expect_root_only(test, pt);
	pt_done(test);
}

static struct kunit_case pt_test_cases[] = {
	KUNIT_CASE(pt_test_init_levels),
	KUNIT_CASE_PARAM(pt_test_check_range, pt_range_gen_params),
	KUNIT_CASE_PARAM(pt_test_map_boundaries, pt_addr_gen_params),
	KUNIT_CASE(pt_test_lookup),
	KUNIT_CASE(pt_test_leaf_set),
	KUNIT_CASE_PARAM(pt_test_prepare, pt_prepare_gen_params),
	KUNIT_CASE(pt_test_unmap),
	KUNIT_CASE(pt_test_unmap_sparse_5l),
	KUNIT_CASE(pt_test_protect),
	KUNIT_CASE(pt_test_walk),
	KUNIT_CASE(pt_test_destroy),
	KUNIT_CASE_PARAM(pt_test_alloc_failure, pt_fail_gen_params),
	KUNIT_CASE_PARAM(pt_test_random, pt_rand_gen_params),
	KUNIT_CASE(pt_test_benchmark),
	{}
};

static struct kunit_suite pt_test_suite = {
	.name = "aspace_pgtable",
	.init = pt_test_init,
	.exit = pt_test_exit,
	.test_cases = pt_test_cases,
};

kunit_test_suite(pt_test_suite);
