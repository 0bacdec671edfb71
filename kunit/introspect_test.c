// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the introspection of aspace (module/introspect.c):
 * TRANSLATE's walk against the entries themselves (asp_pt_leaf()), with
 * frames shown and hidden, in both paging modes; the Accessed and Dirty
 * bits every kind of access sets.
 *
 * Built in (CONFIG_ASPACE=y), so asp_core_init() has run.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pfn.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../module/internal.h"
#include "../module/introspect.h"
#include "../module/mem.h"

#define P		PAGE_SIZE
#define IT_RW		(PROT_READ | PROT_WRITE)
#define IT_PRIV		(MAP_PRIVATE | MAP_FIXED)
/* Two pages from IT_X cross 1 GiB: a PD and a PT of their own each. */
#define IT_X		(SZ_1G - P)
#define IT_MAX_MMS	4

/* Per test: the live address spaces (the exit hook destroys them). */
struct it_ctx {
	struct asp_mm *mm[IT_MAX_MMS];
	u8 buf[64];
};

static int it_init(struct kunit *test)
{
	struct it_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	asp_fail_nth_set(0);
	test->priv = ctx;
	return 0;
}

static void it_exit(struct kunit *test)
{
	struct it_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < IT_MAX_MMS; i++) {
		if (ctx->mm[i])
			asp_mm_destroy(ctx->mm[i]);
		ctx->mm[i] = NULL;
	}
}

static struct asp_mm *it_new(struct kunit *test, unsigned int levels)
{
	struct it_ctx *ctx = test->priv;
	struct asp_mm *mm = asp_mm_create_levels(levels);
	unsigned int i;

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mm), "create: %ld", PTR_ERR(mm));
	for (i = 0; i < IT_MAX_MMS; i++) {
		if (!ctx->mm[i]) {
			ctx->mm[i] = mm;
			return mm;
		}
	}
	asp_mm_destroy(mm);
	KUNIT_ASSERT_FAILURE(test, "more than %d address spaces", IT_MAX_MMS);
	return NULL;
}

static void it_map(struct kunit *test, struct asp_mm *mm, unsigned long addr,
		   unsigned long len, u32 prot, u32 flags)
{
	unsigned long mapped = 0;

	KUNIT_ASSERT_EQ_MSG(test, asp_mmap(mm, addr, len, prot, flags, &mapped),
			    0, "mmap %#lx", addr);
	KUNIT_ASSERT_EQ(test, mapped, addr);
}

/* A simulated access of one byte, which must go through. */
static void it_touch(struct kunit *test, struct asp_mm *mm, u32 kind,
		     unsigned long addr)
{
	struct it_ctx *ctx = test->priv;
	struct asp_access_res res;

	KUNIT_ASSERT_EQ(test, asp_access(mm, kind, addr, 1, ctx->buf, &res),
			0);
	KUNIT_ASSERT_EQ_MSG(test, res.si_code, 0, "access %#lx", addr);
}

/* The leaf entry that maps @addr, 0 if none. */
static u64 it_pte(struct asp_mm *mm, unsigned long addr)
{
	u64 *ptep, pte = 0;

	down_read(&mm->lock);
	ptep = asp_pt_leaf(&mm->pt, addr);
	if (ptep)
		pte = READ_ONCE(*ptep);
	up_read(&mm->lock);
	return pte;
}

static void it_translate(struct kunit *test, struct asp_mm *mm,
			 unsigned long addr, bool frames,
			 struct aspace_translate *t)
{
	memset(t, 0, sizeof(*t));
	t->addr = addr;
	KUNIT_ASSERT_EQ(test, asp_translate(mm, t, frames), 0);
}

/* ------------------------------------------------------------------ */
/* TRANSLATE */

/*
 * Every level of a walk to a written page, in both paging modes: the
 * leaf is the entry asp_pt_leaf() finds, each table entry points to the
 * table read next, and the physical address is the leaf's frame plus the
 * offset.  Without frames, the same bits with every frame zero.
 */
static void it_test_translate_walk(struct kunit *test)
{
	unsigned int levels, l;
	struct aspace_translate t, h;
	struct asp_mm *mm;
	u64 pte;

	for (levels = 4; levels <= 5; levels++) {
		mm = it_new(test, levels);
		it_map(test, mm, IT_X, 2 * P, IT_RW, IT_PRIV);
		it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X + P + 5);
		it_touch(test, mm, ASPACE_ACCESS_READ, IT_X);
		pte = it_pte(mm, IT_X + P);
		KUNIT_ASSERT_NE(test, pte, 0ULL);

		it_translate(test, mm, IT_X + P + 0x321, true, &t);
		KUNIT_EXPECT_EQ(test, t.levels, levels);
		KUNIT_EXPECT_EQ(test, t.level, 0U);
		KUNIT_EXPECT_EQ(test, t.status, (u32)(ASPACE_TRANSLATE_PRESENT |
						     ASPACE_TRANSLATE_FRAMES));
		KUNIT_EXPECT_EQ(test, t.entries[0], pte);
		KUNIT_EXPECT_EQ(test, t.phys,
				(pte & ASP_PTE_PFN_MASK) | 0x321);
		KUNIT_EXPECT_EQ(test, t.tables[levels - 1],
				(u64)PFN_PHYS(page_to_pfn(mm->pt.root)));
		for (l = 1; l < levels; l++) {
			KUNIT_EXPECT_EQ(test, t.entries[l] & ASP_PTE_FLAGS_MASK,
					ASP_PTE_TABLE);
			KUNIT_EXPECT_EQ(test, t.entries[l] & ASP_PTE_PFN_MASK,
					t.tables[l - 1]);
		}
		for (l = levels; l < ASP_PT_MAX_LEVELS; l++)
			KUNIT_EXPECT_EQ(test, t.entries[l], 0ULL);

		it_translate(test, mm, IT_X + P + 0x321, false, &h);
		KUNIT_EXPECT_EQ(test, h.status,
				(u32)ASPACE_TRANSLATE_PRESENT);
		KUNIT_EXPECT_EQ(test, h.phys, 0ULL);
		for (l = 0; l < ASP_PT_MAX_LEVELS; l++) {
			KUNIT_EXPECT_EQ(test, h.entries[l],
					t.entries[l] & ASP_PTE_FLAGS_MASK);
			KUNIT_EXPECT_EQ(test, h.tables[l], 0ULL);
		}

		/* Below 1 GiB: the PD exists, its entry for IT_X - 2M not. */
		it_translate(test, mm, IT_X - SZ_2M, true, &t);
		KUNIT_EXPECT_EQ(test, t.level, 1U);
		KUNIT_EXPECT_EQ(test, t.entries[1], 0ULL);
		KUNIT_EXPECT_EQ(test, t.status, (u32)ASPACE_TRANSLATE_FRAMES);
		KUNIT_EXPECT_EQ(test, t.phys, 0ULL);
		/* Past the task size: -EINVAL, as asp_pt_lookup(). */
		t.addr = asp_pt_task_size(&mm->pt);
		KUNIT_EXPECT_EQ(test, asp_translate(mm, &t, true), -EINVAL);
	}
}

/* The zero page and a PROT_NONE leaf: there, but not both present. */
static void it_test_translate_zero_protnone(struct kunit *test)
{
	struct asp_mm *mm = it_new(test, 4);
	struct aspace_translate t;

	it_map(test, mm, IT_X, 2 * P, IT_RW, IT_PRIV);
	it_touch(test, mm, ASPACE_ACCESS_READ, IT_X);
	it_translate(test, mm, IT_X, true, &t);
	KUNIT_EXPECT_EQ(test, t.status, (u32)(ASPACE_TRANSLATE_PRESENT |
					      ASPACE_TRANSLATE_FRAMES |
					      ASPACE_TRANSLATE_ZERO_PAGE));
	KUNIT_EXPECT_EQ(test, t.phys,
			(u64)PFN_PHYS(page_to_pfn(ZERO_PAGE(0))));
	KUNIT_EXPECT_TRUE(test, t.entries[0] & ASP_PTE_COW);

	it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X + P);
	KUNIT_ASSERT_EQ(test, asp_mprotect(mm, IT_X, 2 * P, PROT_NONE), 0);
	it_translate(test, mm, IT_X + P, true, &t);
	KUNIT_EXPECT_EQ(test, t.level, 0U);
	KUNIT_EXPECT_EQ(test, t.status, (u32)ASPACE_TRANSLATE_FRAMES);
	KUNIT_EXPECT_EQ(test, t.entries[0], it_pte(mm, IT_X + P));
	KUNIT_EXPECT_TRUE(test, t.entries[0] & ASP_PTE_PROTNONE);
	KUNIT_EXPECT_EQ(test, t.phys, 0ULL);
	/* The zero page is still recognised behind PROT_NONE. */
	it_translate(test, mm, IT_X, false, &t);
	KUNIT_EXPECT_EQ(test, t.status, (u32)ASPACE_TRANSLATE_ZERO_PAGE);
}

/* ------------------------------------------------------------------ */
/* Accessed and Dirty bits */

#define IT_AD		(ASP_PTE_A | ASP_PTE_D)

static u64 it_ad(struct asp_mm *mm, unsigned long addr)
{
	return it_pte(mm, addr) & IT_AD;
}

/* Clear A and D of every entry in [@start, @end), as a CPU's OS would. */
static void it_clear_ad(struct kunit *test, struct asp_mm *mm,
			unsigned long start, unsigned long end)
{
	down_write(&mm->lock);
	KUNIT_ASSERT_EQ(test, asp_pt_protect(&mm->pt, start, end, 0, IT_AD),
			0);
	up_write(&mm->lock);
}

/*
 * Every way of touching memory sets A, and D when it writes, as the MMU
 * does: simulated loads, stores and fetches, /proc/PID/mem-like reads and
 * writes (forced into a read-only mapping too), populating; on entries
 * made by the fault and on entries that were there, with their bits
 * cleared.  Nothing else sets them.
 */
static void it_test_accessed_dirty(struct kunit *test)
{
	struct asp_mm *mm = it_new(test, 4);
	struct it_ctx *ctx = test->priv;
	struct page *page;
	unsigned int i;

	it_map(test, mm, IT_X, 8 * P, IT_RW, IT_PRIV);
	it_touch(test, mm, ASPACE_ACCESS_READ, IT_X);		/* zero page */
	it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X + P);	/* new page */
	KUNIT_ASSERT_EQ(test, asp_mem_get_page(mm, IT_X + 2 * P, &page), 0);
	asp_mem_put_page(page);
	KUNIT_ASSERT_EQ(test, asp_mem_write(mm, IT_X + 3 * P, ctx->buf, 8), 0);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X), ASP_PTE_A);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + P), IT_AD);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + 2 * P), ASP_PTE_A);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + 3 * P), IT_AD);
	KUNIT_EXPECT_EQ(test, it_pte(mm, IT_X + 4 * P), 0ULL);

	/* Cleared, then touched the other way round: set as the access says. */
	it_clear_ad(test, mm, IT_X, IT_X + 8 * P);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + i * P), 0ULL);
	it_touch(test, mm, ASPACE_ACCESS_READ, IT_X + P);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + P), ASP_PTE_A);
	it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X + 3 * P);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + 3 * P), IT_AD);
	/* A write to the zero page maps a page of its own: dirty. */
	KUNIT_ASSERT_EQ(test, asp_mem_write(mm, IT_X, ctx->buf, 8), 0);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X), IT_AD);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + 2 * P), 0ULL);

	/* A forced write into a read-only mapping dirties its page too. */
	KUNIT_ASSERT_EQ(test, asp_mprotect(mm, IT_X, 8 * P, PROT_READ), 0);
	it_clear_ad(test, mm, IT_X, IT_X + 8 * P);
	KUNIT_ASSERT_EQ(test, asp_mem_write(mm, IT_X + P, ctx->buf, 8), 0);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + P), IT_AD);
	KUNIT_EXPECT_FALSE(test, it_pte(mm, IT_X + P) & ASP_PTE_RW);
	/* An instruction fetch is an access. */
	KUNIT_ASSERT_EQ(test, asp_mprotect(mm, IT_X, 8 * P, PROT_EXEC), 0);
	it_touch(test, mm, ASPACE_ACCESS_EXEC, IT_X + 2 * P);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + 2 * P), ASP_PTE_A);
	/* mprotect keeps them. */
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + P), IT_AD);
}

/* Populating is a fault like any other: A, and D for a write fault. */
static void it_test_accessed_dirty_populate(struct kunit *test)
{
	struct asp_mm *mm = it_new(test, 4);
	unsigned int i;

	it_map(test, mm, IT_X, 2 * P, IT_RW, IT_PRIV | MAP_POPULATE);
	it_map(test, mm, IT_X + 2 * P, 2 * P, PROT_READ, IT_PRIV | MAP_POPULATE);
	it_map(test, mm, IT_X + 4 * P, 2 * P, IT_RW, MAP_SHARED | MAP_FIXED |
	       MAP_POPULATE);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + i * P), IT_AD);
		KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + (2 + i) * P), ASP_PTE_A);
		KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + (4 + i) * P), ASP_PTE_A);
	}
	it_clear_ad(test, mm, IT_X, IT_X + 6 * P);
	KUNIT_ASSERT_EQ(test, asp_madvise(mm, IT_X + 4 * P, 2 * P,
					  MADV_POPULATE_WRITE), 0);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + 4 * P), IT_AD);
	KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X), 0ULL);
}

static struct kunit_case it_test_cases[] = {
	KUNIT_CASE(it_test_translate_walk),
	KUNIT_CASE(it_test_translate_zero_protnone),
	KUNIT_CASE(it_test_accessed_dirty),
	KUNIT_CASE(it_test_accessed_dirty_populate),
	{}
};

static struct kunit_suite it_test_suite = {
	.name = "aspace_introspect",
	.init = it_init,
	.exit = it_exit,
	.test_cases = it_test_cases,
};

kunit_test_suite(it_test_suite);
