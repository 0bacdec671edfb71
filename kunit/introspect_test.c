// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the introspection of aspace (module/introspect.c):
 * TRANSLATE's walk against the entries themselves (asp_pt_leaf()), with
 * frames shown and hidden, in both paging modes; the Accessed and Dirty
 * bits every kind of access sets; and PAGESCAN, CLEAR_REFS and PTDUMP
 * against a model built from the entries themselves, page by page, after
 * every step of random accesses, clears, clones (each checked against
 * the Accessed and Dirty bits Linux's fork() gives the child), mprotects
 * and MADV_DONTNEEDs, with random matching rules, random limits and the
 * output taken in random pieces resumed from where each call stopped;
 * and the aspace_fault and aspace_cow_break tracepoints, through probes,
 * one event of the right kind per fault the counters count.
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
#include "../module/trace.h"
#include "rand.h"

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

/*
 * What a clone does to them, as Linux's fork() (copy_present_pte()): the
 * copy's entry for a page it shares is old, and clean in a shared
 * mapping, a private one keeping its Dirty bit; the zero page is shared
 * like that too.  An eager clone's own copy of a private page is a fresh
 * entry, young and dirty, as copy_present_page() makes it.  The source
 * keeps its bits.
 */
static void it_test_accessed_dirty_clone(struct kunit *test)
{
	/* Page i of each mapping: zero page, A|D, A, D, none (cleared). */
	static const u64 want[] = { ASP_PTE_A, IT_AD, ASP_PTE_A, ASP_PTE_D, 0 };
	const unsigned long shm = IT_X + 8 * P;
	struct asp_mm *mm = it_new(test, 4), *cow, *eager;
	unsigned int i;

	it_map(test, mm, IT_X, 8 * P, IT_RW, IT_PRIV);
	it_map(test, mm, shm, 8 * P, IT_RW, MAP_SHARED | MAP_FIXED);
	it_touch(test, mm, ASPACE_ACCESS_READ, IT_X);		/* zero page */
	for (i = 1; i < 5; i++) {
		it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X + i * P);
		it_touch(test, mm, ASPACE_ACCESS_WRITE, shm + i * P);
	}
	it_touch(test, mm, ASPACE_ACCESS_READ, shm);
	down_write(&mm->lock);
	for (i = 2; i < 5; i++) {
		KUNIT_ASSERT_EQ(test, asp_pt_protect(&mm->pt, IT_X + i * P,
						     IT_X + (i + 1) * P, 0,
						     IT_AD & ~want[i]), 0);
		KUNIT_ASSERT_EQ(test, asp_pt_protect(&mm->pt, shm + i * P,
						     shm + (i + 1) * P, 0,
						     IT_AD & ~want[i]), 0);
	}
	up_write(&mm->lock);

	cow = asp_clone(mm, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(cow));
	eager = asp_clone(mm, true);
	if (IS_ERR(eager))
		asp_mm_destroy(cow);
	KUNIT_ASSERT_FALSE(test, IS_ERR(eager));
	for (i = 0; i < 5; i++) {
		/* The source's bits, untouched. */
		KUNIT_EXPECT_EQ_MSG(test, it_ad(mm, IT_X + i * P), want[i],
				    "source, private page %u", i);
		KUNIT_EXPECT_EQ_MSG(test, it_ad(mm, shm + i * P), want[i],
				    "source, shared page %u", i);
		/* Copy-on-write: old; Dirty kept where private. */
		KUNIT_EXPECT_EQ_MSG(test, it_ad(cow, IT_X + i * P),
				    want[i] & ASP_PTE_D, "cow, private page %u",
				    i);
		KUNIT_EXPECT_EQ_MSG(test, it_ad(cow, shm + i * P), 0ULL,
				    "cow, shared page %u", i);
		/* Eager: a private page of its own is young and dirty. */
		KUNIT_EXPECT_EQ_MSG(test, it_ad(eager, IT_X + i * P),
				    i ? IT_AD : 0ULL, "eager, private page %u",
				    i);
		KUNIT_EXPECT_EQ_MSG(test, it_ad(eager, shm + i * P), 0ULL,
				    "eager, shared page %u", i);
		if (i)
			KUNIT_EXPECT_TRUE_MSG(test,
					      it_pte(eager, IT_X + i * P) &
					      ASP_PTE_RW, "eager page %u", i);
	}
	asp_mm_destroy(eager);
	asp_mm_destroy(cow);
}

/*
 * An empty range, in a VMA, at its edges or in a hole: no page, no entry
 * and nothing cleared, walk_end where it is, and no error (PAGESCAN once
 * walked the tables of an empty piece of the VMA there: -EINVAL).
 */
static void it_test_empty_range(struct kunit *test)
{
	static const unsigned long at[] = {
		IT_X - P, IT_X, IT_X + P, IT_X + 3 * P, IT_X + 4 * P,
	};
	struct aspace_ptdump_entry e;
	struct aspace_page_region r;
	struct asp_mm *mm = it_new(test, 4);
	unsigned int i;

	it_map(test, mm, IT_X, 4 * P, IT_RW, IT_PRIV);
	for (i = 0; i < 4; i++)
		it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X + i * P);
	for (i = 0; i < ARRAY_SIZE(at); i++) {
		struct asp_scan_args s = {
			.start = at[i], .end = at[i], .vec = &r, .vec_len = 1,
			.ret_mask = ASPACE_PAGE_CATEGORIES,
			.max_pages = ULONG_MAX,
		};
		struct asp_ptdump_args d = {
			.start = at[i], .end = at[i], .vec = &e, .vec_len = 1,
			.flags = ASPACE_PTDUMP_HOLES,
		};

		KUNIT_EXPECT_EQ_MSG(test, asp_pagescan(mm, &s), 0, "at %#lx",
				    at[i]);
		KUNIT_EXPECT_EQ(test, s.nr, 0UL);
		KUNIT_EXPECT_EQ(test, s.walk_end, at[i]);
		KUNIT_EXPECT_EQ_MSG(test, asp_ptdump(mm, &d), 0, "at %#lx",
				    at[i]);
		KUNIT_EXPECT_EQ(test, d.nr, 0UL);
		KUNIT_EXPECT_EQ(test, d.walk_end, at[i]);
		KUNIT_EXPECT_EQ(test, asp_clear_refs(mm, at[i], at[i],
						     ASPACE_CLEAR_ACCESSED), 0);
	}
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, it_ad(mm, IT_X + i * P), IT_AD);
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

/* ------------------------------------------------------------------ */
/* PAGESCAN, CLEAR_REFS and PTDUMP against a model */

/* Three VMAs across a 1 GiB boundary: private, (hole), shared, private. */
#define IT_R		(SZ_1G - 700 * P)
#define IT_NPAGES	1400
#define IT_HOLE		600	/* pages [600, 640) are no VMA */
#define IT_SHM		640	/* pages [640, 900) are MAP_SHARED */
#define IT_PRIV2	900
#define IT_STEPS	80
#define IT_MAXV		(2 * IT_NPAGES)

/* What a model region or dump range looks like, as the uapi's. */
struct it_model {
	struct aspace_page_region want[IT_MAXV], got[IT_MAXV];
	struct aspace_ptdump_entry dwant[IT_MAXV], dgot[IT_MAXV];
	unsigned int nwant, ngot;
};

/* The categories of the page at @addr, from its entry and VMA. */
static bool it_page_cats(struct asp_mm *mm, unsigned long addr, u64 *cats)
{
	struct asp_vma *vma;
	struct page *page;
	u64 pte, c = 0;

	vma = asp_vma_find(&mm->vmas, addr);
	if (!vma)
		return false;
	pte = asp_pt_leaf(&mm->pt, addr) ? *asp_pt_leaf(&mm->pt, addr) : 0;
	if (pte) {
		page = asp_pte_page(pte);
		c |= ASPACE_PAGE_PRESENT;
		c |= pte & ASP_PTE_A ? ASPACE_PAGE_ACCESSED : 0;
		c |= pte & ASP_PTE_D ? ASPACE_PAGE_DIRTY : 0;
		c |= pte & ASP_PTE_RW ? ASPACE_PAGE_WRITABLE : 0;
		if (page == ZERO_PAGE(0))
			c |= ASPACE_PAGE_ZERO;
		else if (vma->flags & ASP_VM_SHARED)
			c |= ASPACE_PAGE_SHM;
		else if (page_ref_count(page) == 1)
			c |= ASPACE_PAGE_EXCLUSIVE;
		else if (pte & ASP_PTE_COW)
			c |= ASPACE_PAGE_COW_SHARED;
	}
	*cats = c;
	return true;
}

/* The regions PAGEMAP_SCAN's rules give, page by page. */
static void it_scan_model(struct asp_mm *mm, const struct asp_scan_args *in,
			  struct it_model *m, unsigned long *walk_end)
{
	unsigned long addr, left = in->max_pages;
	struct aspace_page_region *r;
	u64 c, x;

	m->nwant = 0;
	*walk_end = in->end;
	down_read(&mm->lock);
	for (addr = in->start; addr < in->end; addr += P) {
		if (!it_page_cats(mm, addr, &c))
			continue;
		x = c ^ in->inverted;
		if ((x & in->mask) != in->mask ||
		    (in->anyof && !(x & in->anyof)))
			continue;
		if (!left) {
			*walk_end = addr;
			break;
		}
		left--;
		c &= in->ret_mask;
		r = m->nwant ? &m->want[m->nwant - 1] : NULL;
		if (r && r->end == addr && r->categories == c) {
			r->end += P;
			continue;
		}
		m->want[m->nwant++] = (struct aspace_page_region){
			.start = addr, .end = addr + P, .categories = c,
		};
	}
	up_read(&mm->lock);
}

/* asp_pagescan() in pieces of random size, resumed from walk_end. */
static void it_scan_pieces(struct kunit *test, struct asp_mm *mm,
			   struct asp_scan_args in, struct it_model *m,
			   u64 *rnd, unsigned long *walk_end)
{
	struct asp_scan_args a;
	unsigned int calls = 0;

	m->ngot = 0;
	for (;;) {
		a = in;
		a.vec = m->got + m->ngot;
		a.vec_len = 1 + asp_test_rand(rnd) % 6;
		KUNIT_ASSERT_EQ(test, asp_pagescan(mm, &a), 0);
		KUNIT_ASSERT_LE(test, a.nr, a.vec_len);
		m->ngot += a.nr;
		KUNIT_ASSERT_LE(test, m->ngot, (unsigned int)IT_MAXV);
		*walk_end = a.walk_end;
		if (a.walk_end == a.end || !a.max_pages)
			break;
		KUNIT_ASSERT_EQ(test, a.nr, a.vec_len);
		KUNIT_ASSERT_GT(test, a.walk_end, in.start);
		in.start = a.walk_end;
		in.max_pages = a.max_pages;
		KUNIT_ASSERT_LT(test, ++calls, IT_MAXV);
	}
}

static void it_check_scan(struct kunit *test, struct asp_mm *mm,
			  struct it_model *m, u64 *rnd, int step)
{
	unsigned long lo = IT_R - 8 * P, hi = IT_R + (IT_NPAGES + 8) * P;
	unsigned long want_end, got_end;
	struct asp_scan_args in = {};
	unsigned int i;

	in.start = lo + (asp_test_rand(rnd) % 64) * P;
	in.end = hi - (asp_test_rand(rnd) % 64) * P;
	in.inverted = asp_test_rand(rnd) & ASPACE_PAGE_CATEGORIES &
		      asp_test_rand(rnd);
	in.mask = asp_test_rand(rnd) & ASPACE_PAGE_CATEGORIES &
		  asp_test_rand(rnd) & asp_test_rand(rnd);
	in.anyof = asp_test_rand(rnd) % 2 ? 0 : asp_test_rand(rnd) &
		   ASPACE_PAGE_CATEGORIES;
	in.ret_mask = asp_test_rand(rnd) % 4 ? ASPACE_PAGE_CATEGORIES :
		      asp_test_rand(rnd) & ASPACE_PAGE_CATEGORIES;
	in.max_pages = asp_test_rand(rnd) % 3 ? ULONG_MAX :
		       1 + asp_test_rand(rnd) % 500;

	it_scan_model(mm, &in, m, &want_end);
	it_scan_pieces(test, mm, in, m, rnd, &got_end);
	KUNIT_EXPECT_EQ_MSG(test, m->ngot, m->nwant,
			    "step %d: regions (inv %#llx mask %#llx any %#llx ret %#llx max %lu)",
			    step, in.inverted, in.mask, in.anyof, in.ret_mask,
			    in.max_pages);
	for (i = 0; i < m->ngot && i < m->nwant; i++)
		KUNIT_EXPECT_TRUE_MSG(test, !memcmp(&m->got[i], &m->want[i],
						    sizeof(m->got[i])),
				      "step %d region %u: %#llx-%#llx %#llx, want %#llx-%#llx %#llx",
				      step, i, m->got[i].start, m->got[i].end,
				      m->got[i].categories, m->want[i].start,
				      m->want[i].end, m->want[i].categories);
	KUNIT_EXPECT_EQ_MSG(test, got_end, want_end, "step %d", step);
}

/* PTDUMP's leaves of [@lo, @hi), page by page, joined as the dump joins. */
static void it_dump_model(struct asp_mm *mm, unsigned long lo,
			  unsigned long hi, u64 mask, struct it_model *m)
{
	struct aspace_ptdump_entry *r;
	unsigned long addr;
	u64 *ptep, f;

	m->nwant = 0;
	down_read(&mm->lock);
	for (addr = lo; addr < hi; addr += P) {
		ptep = asp_pt_leaf(&mm->pt, addr);
		if (!ptep || !*ptep)
			continue;
		f = *ptep & mask;
		r = m->nwant ? &m->dwant[m->nwant - 1] : NULL;
		if (r && r->end == addr && r->flags == f) {
			r->end += P;
			continue;
		}
		m->dwant[m->nwant++] = (struct aspace_ptdump_entry){
			.start = addr, .end = addr + P, .flags = f,
		};
	}
	up_read(&mm->lock);
}

static void it_check_dump(struct kunit *test, struct asp_mm *mm,
			  struct it_model *m, u64 *rnd, int step)
{
	static const u64 masks[] = {
		0, ASP_PTE_RW, ASP_PTE_A | ASP_PTE_D, ASP_PTE_COW | ASP_PTE_NX,
	};
	u64 mask = masks[asp_test_rand(rnd) % ARRAY_SIZE(masks)];
	unsigned long task = asp_pt_task_size(&mm->pt);
	u64 sum[ASP_PT_MAX_LEVELS] = {};
	struct asp_ptdump_args a;
	unsigned long start = 0;
	unsigned int i, l, calls = 0;

	/* Nothing is mapped outside the three VMAs. */
	it_dump_model(mm, IT_R - 8 * P, IT_R + (IT_NPAGES + 8) * P,
		      (mask ?: ASP_PTE_FLAGS_MASK) | ASP_PTE_P |
		      ASP_PTE_PROTNONE, m);
	m->ngot = 0;
	do {
		a = (struct asp_ptdump_args){
			.start = start, .end = task, .mask = mask,
			.vec = m->dgot + m->ngot,
			.vec_len = 1 + asp_test_rand(rnd) % 5,
		};
		KUNIT_ASSERT_EQ(test, asp_ptdump(mm, &a), 0);
		m->ngot += a.nr;
		KUNIT_ASSERT_LE(test, m->ngot, (unsigned int)IT_MAXV);
		for (l = 0; l < ASP_PT_MAX_LEVELS; l++)
			sum[l] += a.pgtable_pages[l];
		KUNIT_ASSERT_GT(test, a.walk_end, start);
		start = a.walk_end;
		KUNIT_ASSERT_LT(test, ++calls, IT_MAXV);
	} while (start < task);
	KUNIT_EXPECT_EQ_MSG(test, m->ngot, m->nwant, "step %d: ranges", step);
	for (i = 0; i < m->ngot && i < m->nwant; i++)
		KUNIT_EXPECT_TRUE_MSG(test, !memcmp(&m->dgot[i], &m->dwant[i],
						    sizeof(m->dgot[i])),
				      "step %d range %u: %#llx-%#llx %#llx L%u, want %#llx-%#llx %#llx",
				      step, i, m->dgot[i].start, m->dgot[i].end,
				      m->dgot[i].flags, m->dgot[i].level,
				      m->dwant[i].start, m->dwant[i].end,
				      m->dwant[i].flags);
	for (l = 0; l < ASP_PT_MAX_LEVELS; l++)
		KUNIT_EXPECT_EQ_MSG(test, sum[l], (u64)mm->pt.nr_tables[l],
				    "step %d: tables of level %u", step, l);
}

/* A random page of the three VMAs. */
static unsigned long it_rand_page(u64 *rnd)
{
	unsigned long p = asp_test_rand(rnd) % (IT_NPAGES - 40);

	return IT_R + (p < IT_HOLE ? p : p + 40) * P;
}

/* A page of the three VMAs, in the MAP_SHARED one? */
static bool it_page_shared(unsigned long addr)
{
	return addr >= IT_R + IT_SHM * P && addr < IT_R + IT_PRIV2 * P;
}

/* The flags of the VMA of @mm at @addr, 0 if none. */
static unsigned long it_vm_flags(struct asp_mm *mm, unsigned long addr)
{
	struct asp_vma *vma;
	unsigned long flags;

	down_read(&mm->lock);
	vma = asp_vma_find(&mm->vmas, addr);
	flags = vma ? vma->flags : 0;
	up_read(&mm->lock);
	return flags;
}

/*
 * Check a clone's entry @got at @addr against @src, the source's after
 * the clone, as Linux's fork() makes it: the same entry, old, and clean
 * if shared (copy_present_pte()); an eager clone's copy of a private page
 * a fresh one from the VMA's protections, young and dirty
 * (copy_present_page()), its frame not checked.
 */
static void it_check_clone_pte(struct kunit *test, struct asp_mm *mm,
			       unsigned long addr, u64 src, u64 got,
			       bool eager)
{
	bool shared = it_page_shared(addr);
	u64 want = src & ~(ASP_PTE_A | (shared ? ASP_PTE_D : 0));
	u64 mask = ~0ULL;

	if (eager && !shared && src && !asp_page_is_zero(asp_pte_page(src))) {
		want = asp_vm_pte_flags(it_vm_flags(mm, addr)) | IT_AD;
		mask = ASP_PTE_FLAGS_MASK;
	}
	KUNIT_EXPECT_EQ_MSG(test, got & mask, want & mask,
			    "clone (eager %d) %#lx: %#llx, source %#llx",
			    eager, addr, got, src);
}

/*
 * A clone of @mm (eager or copy-on-write), checked page by page: the
 * source keeps its Accessed and Dirty bits, the clone's entries are what
 * it_check_clone_pte() wants.
 */
static struct asp_mm *it_clone_checked(struct kunit *test, struct asp_mm *mm,
				       bool eager)
{
	u64 *before = kunit_kmalloc_array(test, IT_NPAGES, sizeof(u64),
					  GFP_KERNEL);
	unsigned long addr;
	struct asp_mm *clone;
	unsigned int i;
	u64 src;

	KUNIT_ASSERT_NOT_NULL(test, before);
	for (i = 0; i < IT_NPAGES; i++)
		before[i] = it_pte(mm, IT_R + i * P) & IT_AD;
	clone = asp_clone(mm, eager);
	KUNIT_ASSERT_FALSE(test, IS_ERR(clone));
	for (i = 0; i < IT_NPAGES; i++) {
		addr = IT_R + i * P;
		src = it_pte(mm, addr);
		KUNIT_EXPECT_EQ_MSG(test, src & IT_AD, before[i],
				    "source %#lx lost its bits", addr);
		it_check_clone_pte(test, mm, addr, src, it_pte(clone, addr),
				   eager);
	}
	kunit_kfree(test, before);
	return clone;
}

static void it_random_step(struct kunit *test, struct asp_mm *mm,
			   struct asp_mm **clone, u64 *rnd)
{
	struct it_ctx *ctx = test->priv;
	unsigned long a = it_rand_page(rnd), n = 1 + asp_test_rand(rnd) % 8;
	struct asp_access_res res;
	struct page *page;

	switch (asp_test_rand(rnd) % 9) {
	case 0:
	case 1:		/* a read or a fetch; faults (PROT_NONE) are fine */
		asp_access(mm, asp_test_rand(rnd) % 2 ? ASPACE_ACCESS_READ :
			   ASPACE_ACCESS_EXEC, a, n * P, NULL, &res);
		break;
	case 2:
	case 3:		/* a store */
		asp_access(mm, ASPACE_ACCESS_WRITE, a, n * P, NULL, &res);
		break;
	case 4:		/* /proc/PID/mem */
		if (asp_test_rand(rnd) % 2)
			asp_mem_write(mm, a, ctx->buf, 8);
		else if (!asp_mem_get_page(mm, a, &page))
			asp_mem_put_page(page);
		break;
	case 5:
		KUNIT_ASSERT_EQ(test, asp_clear_refs(mm, a, a + n * 64 * P,
						     1 + asp_test_rand(rnd) % 3),
				0);
		break;
	case 6:		/* a clone, which then writes */
		if (*clone)
			asp_mm_destroy(*clone);
		*clone = NULL;
		*clone = it_clone_checked(test, mm, asp_test_rand(rnd) % 4 == 0);
		asp_access(*clone, ASPACE_ACCESS_WRITE, a, n * P, NULL, &res);
		break;
	case 7:
		if (a < IT_R + IT_SHM * P || a >= IT_R + IT_PRIV2 * P)
			asp_mprotect(mm, a, n * P, asp_test_rand(rnd) % 4);
		break;
	default:
		asp_madvise(mm, a, n * P, MADV_DONTNEED);
		break;
	}
}

static void it_test_scan_dump_random(struct kunit *test)
{
	struct asp_mm *mm = it_new(test, 4), *clone = NULL;
	struct it_model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	u64 rnd = 0x5eed1e55;
	int step;

	KUNIT_ASSERT_NOT_NULL(test, m);
	it_map(test, mm, IT_R, IT_HOLE * P, IT_RW, IT_PRIV);
	it_map(test, mm, IT_R + IT_SHM * P, (IT_PRIV2 - IT_SHM) * P, IT_RW,
	       MAP_SHARED | MAP_FIXED);
	it_map(test, mm, IT_R + IT_PRIV2 * P, (IT_NPAGES - IT_PRIV2) * P,
	       IT_RW, IT_PRIV);
	for (step = 0; step < IT_STEPS; step++) {
		it_random_step(test, mm, &clone, &rnd);
		it_check_scan(test, mm, m, &rnd, step);
		it_check_scan(test, mm, m, &rnd, step);
		it_check_dump(test, mm, m, &rnd, step);
		if (test->status == KUNIT_FAILURE)	/* one step is enough */
			break;
	}
	if (clone)
		asp_mm_destroy(clone);
}

/* ------------------------------------------------------------------ */
/* Tracepoints */

#define IT_MAX_EVENTS	32

/* What the probes saw. */
struct it_events {
	unsigned int nr, cows;
	struct {
		unsigned long addr;
		enum asp_fault_kind kind;
		int ret;
	} ev[IT_MAX_EVENTS];
	unsigned long cow_addr[IT_MAX_EVENTS];
};

static void it_probe_fault(void *data, const void *mm, unsigned long addr,
			   bool write, u64 old, u64 new,
			   enum asp_fault_kind kind, int ret)
{
	struct it_events *e = data;

	if (e->nr < IT_MAX_EVENTS) {
		e->ev[e->nr].addr = addr;
		e->ev[e->nr].kind = kind;
		e->ev[e->nr].ret = ret;
	}
	e->nr++;
}

static void it_probe_cow(void *data, const void *mm, unsigned long addr,
			 unsigned long old_pfn, unsigned long new_pfn)
{
	struct it_events *e = data;

	if (e->cows < IT_MAX_EVENTS)
		e->cow_addr[e->cows] = addr;
	e->cows++;
}

/*
 * Every kind of fault, in order, as aspace_fault reports it; a copy also
 * as aspace_cow_break; an access that needs no fault, nothing; a fault
 * that fails, "error" with its errno.
 */
static void it_test_trace_faults(struct kunit *test)
{
	static const enum asp_fault_kind want[] = {
		ASP_FK_ZERO, ASP_FK_ZERO_COPY, ASP_FK_NEW, ASP_FK_NEW,
		ASP_FK_COPY, ASP_FK_REUSE, ASP_FK_ERROR,
	};
	static const unsigned long at[] = { 0, 0, 1, 2, 1, 2, 3 };
	struct asp_mm *mm = it_new(test, 4), *clone;
	struct aspace_limits lim = { .size = sizeof(lim) };
	struct asp_access_res res;
	struct it_events *e;
	unsigned int i;

	e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	it_map(test, mm, IT_X, 4 * P, IT_RW, IT_PRIV);
	KUNIT_ASSERT_EQ(test, register_trace_aspace_fault(it_probe_fault, e),
			0);
	KUNIT_ASSERT_EQ(test, register_trace_aspace_cow_break(it_probe_cow, e),
			0);

	it_touch(test, mm, ASPACE_ACCESS_READ, IT_X);
	it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X);
	it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X + P);
	it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X + 2 * P);
	it_touch(test, mm, ASPACE_ACCESS_READ, IT_X + P);	/* no fault */
	clone = asp_clone(mm, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(clone));
	it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X + P);	/* a copy */
	asp_mm_destroy(clone);
	it_touch(test, mm, ASPACE_ACCESS_WRITE, IT_X + 2 * P);	/* reuse */
	asp_get_limits(mm, &lim);
	lim.resident_bytes = 3 * P;
	KUNIT_ASSERT_EQ(test, asp_set_limits(mm, &lim, true), 0);
	KUNIT_EXPECT_EQ(test, asp_access(mm, ASPACE_ACCESS_WRITE, IT_X + 3 * P,
					 1, NULL, &res), -ENOMEM);

	unregister_trace_aspace_cow_break(it_probe_cow, e);
	unregister_trace_aspace_fault(it_probe_fault, e);
	tracepoint_synchronize_unregister();

	KUNIT_ASSERT_EQ(test, e->nr, (unsigned int)ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		KUNIT_EXPECT_EQ_MSG(test, e->ev[i].kind, want[i], "event %u", i);
		KUNIT_EXPECT_EQ_MSG(test, e->ev[i].addr, IT_X + at[i] * P,
				    "event %u", i);
		KUNIT_EXPECT_EQ_MSG(test, e->ev[i].ret,
				    want[i] == ASP_FK_ERROR ? -ENOMEM : 0,
				    "event %u", i);
	}
	KUNIT_EXPECT_EQ(test, e->cows, 1U);
	KUNIT_EXPECT_EQ(test, e->cow_addr[0], IT_X + P);
	/* One event per fault counted (the failed one is not counted). */
	KUNIT_EXPECT_EQ(test, mm->faults, (unsigned long)e->nr - 1);
	KUNIT_EXPECT_EQ(test, mm->cow_breaks, (unsigned long)e->cows);
}

static struct kunit_case it_test_cases[] = {
	KUNIT_CASE(it_test_translate_walk),
	KUNIT_CASE(it_test_translate_zero_protnone),
	KUNIT_CASE(it_test_accessed_dirty),
	KUNIT_CASE(it_test_accessed_dirty_populate),
	KUNIT_CASE(it_test_accessed_dirty_clone),
	KUNIT_CASE(it_test_empty_range),
	KUNIT_CASE(it_test_scan_dump_random),
	KUNIT_CASE(it_test_trace_faults),
	{}
};

static struct kunit_suite it_test_suite = {
	.name = "aspace_introspect",
	.init = it_init,
	.exit = it_exit,
	.test_cases = it_test_cases,
};

kunit_test_suite(it_test_suite);
