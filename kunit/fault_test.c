// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the fault path and copy-on-write of aspace
 * (module/fault.c, clone.c, access.c, madvise.c, shm.c), driven through
 * the core API: asp_mmap(), asp_access(), asp_mem_get_page(),
 * asp_mem_write(), asp_clone(), asp_madvise(), asp_mprotect(),
 * asp_stats().
 *
 * The cases look at the entries themselves (frame, ASP_PTE_RW,
 * ASP_PTE_COW), the pages' reference counts and contents and the
 * counters: the zero page for a read, demand allocation, shared objects,
 * copy-on-write copies and reuse (also against a model of a chain of
 * clones), forced writes, stack growth and the resident limit.
 *
 * ft_test_inject runs each operation of the fault path with
 * asp_fail_nth_set(N) for N = 1, 2, 3, ... until it succeeds without
 * reaching the injected failure, every attempt on a fresh build of its
 * starting state.  A failed attempt must return -ENOMEM having reached
 * the injected failure, and leave every VMA, every mapped entry (frame
 * and flags), every page's contents and reference count, the pages of
 * the shared objects, the counters (resident, faults, cow_breaks,
 * zero_maps: faults count only successes) and the module's data pages,
 * VMAs and address spaces exactly as they were.  Page-table pages linked
 * on the way may stay, empty, as Linux leaves them (and as asp_fault()
 * documents): table counts are not compared after a failed fault.  An
 * access or MADV_POPULATE_WRITE over several pages stops at the page that
 * failed (as documented): the pages before it must be what the same
 * operation over those pages alone makes of them, the others untouched.
 * After every attempt everything is destroyed and the module's counters
 * must be back at their baseline: nothing leaked.
 *
 * Built in (CONFIG_ASPACE=y), so asp_core_init() has run.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/signal.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../module/internal.h"
#include "../module/mem.h"
#include "../module/shm.h"
#include "rand.h"

#define P		PAGE_SIZE
#define FT_RW		(PROT_READ | PROT_WRITE)
#define FT_PRIV		(MAP_PRIVATE | MAP_FIXED)
#define FT_SHARED	(MAP_SHARED | MAP_FIXED)
/* Four pages from FT_X cross 1 GiB: the upper two need a new PD and PT. */
#define FT_X		(SZ_1G - 2 * P)
/* A PML4 slot of its own: the first fault there links a PDPT, PD and PT. */
#define FT_G		BIT(39)

/* Leaves: writable; read-only; read-only and copy-on-write. */
#define FT_PTE_RW	(ASP_PTE_P | ASP_PTE_RW | ASP_PTE_US | ASP_PTE_NX)
#define FT_PTE_RO	(ASP_PTE_P | ASP_PTE_US | ASP_PTE_NX)
#define FT_PTE_COW	(FT_PTE_RO | ASP_PTE_COW)

#define FT_MAX_MMS	8
#define FT_MAX_VMAS	24
#define FT_MAX_LEAVES	64
#define FT_MAX_TRIES	100
#define FT_MSG		192
#define FT_BUF		(4 * P)

enum {
	FT_RESIDENT, FT_FAULTS, FT_COWS, FT_ZEROS, FT_TOTAL_VM, FT_DATA_VM,
	FT_NR_VMAS, FT_NR_CNT
};

enum { FT_MOD_DATA, FT_MOD_TABLES, FT_MOD_VMAS, FT_MOD_MMS, FT_NR_MOD };

/* One mapped leaf, as a snapshot saw it. */
struct ft_leaf {
	unsigned int mm;	/* slot of its address space */
	unsigned long addr;
	u64 pte;
	u64 sum;		/* checksum of the page's contents */
	int refs;		/* the page's reference count */
	bool zero;		/* the zero page */
};

/* One VMA, as a snapshot saw it. */
struct ft_vma {
	unsigned int mm;
	unsigned long start, end, flags, pgoff;
	u64 obj, anon;
	unsigned long shm_pages;	/* pages its shared object holds */
};

/* Every address space of the test, slot by slot, and the module. */
struct ft_snap {
	unsigned long cnt[FT_MAX_MMS][FT_NR_CNT];	/* FT_RESIDENT... */
	long mod[FT_NR_MOD];				/* FT_MOD_DATA... */
	unsigned int nr_vmas, nr_leaves, cur;
	bool full;
	struct ft_vma vma[FT_MAX_VMAS];
	struct ft_leaf leaf[FT_MAX_LEAVES];
};

/* Per test: the live address spaces (the exit hook destroys them). */
struct ft_ctx {
	struct asp_mm *mm[FT_MAX_MMS];
	long base[FT_NR_MOD];	/* the module's counters at the start */
	struct ft_snap *snap[4];
	u8 *buf;		/* FT_BUF bytes for accesses */
	char msg[FT_MSG];	/* what ft_diff() found */
};

static void ft_mod_read(long *mod)
{
	mod[FT_MOD_DATA] = atomic_long_read(&asp_nr_data_pages);
	mod[FT_MOD_TABLES] = atomic_long_read(&asp_nr_table_pages);
	mod[FT_MOD_VMAS] = atomic_long_read(&asp_nr_vmas);
	mod[FT_MOD_MMS] = atomic_long_read(&asp_nr_mms);
}

static int ft_init(struct kunit *test)
{
	struct ft_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	unsigned int i;

	if (!ctx)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(ctx->snap); i++) {
		ctx->snap[i] = kunit_kzalloc(test, sizeof(*ctx->snap[i]),
					     GFP_KERNEL);
		if (!ctx->snap[i])
			return -ENOMEM;
	}
	ctx->buf = kunit_kzalloc(test, FT_BUF, GFP_KERNEL);
	if (!ctx->buf)
		return -ENOMEM;
	asp_fail_nth_set(0);
	ft_mod_read(ctx->base);
	test->priv = ctx;
	return 0;
}

static void ft_exit(struct kunit *test)
{
	struct ft_ctx *ctx = test->priv;
	unsigned int i;

	asp_fail_nth_set(0);
	for (i = 0; i < FT_MAX_MMS; i++) {
		if (ctx->mm[i])
			asp_mm_destroy(ctx->mm[i]);
		ctx->mm[i] = NULL;
	}
}

/* Destroy every address space: the module must hold what it held before. */
static void ft_done(struct kunit *test)
{
	static const char * const what[] = {
		"data pages", "table pages", "VMAs", "address spaces" };
	struct ft_ctx *ctx = test->priv;
	long mod[FT_NR_MOD];
	unsigned int i;

	ft_exit(test);
	ft_mod_read(mod);
	for (i = 0; i < FT_NR_MOD; i++)
		KUNIT_EXPECT_EQ_MSG(test, mod[i], ctx->base[i], "%s leaked",
				    what[i]);
}

/* ------------------------------------------------------------------ */
/* Helpers */

static struct asp_mm *ft_track(struct kunit *test, struct asp_mm *mm)
{
	struct ft_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < FT_MAX_MMS; i++) {
		if (!ctx->mm[i]) {
			ctx->mm[i] = mm;
			return mm;
		}
	}
	asp_mm_destroy(mm);
	KUNIT_ASSERT_FAILURE(test, "more than %d address spaces", FT_MAX_MMS);
	return NULL;
}

static struct asp_mm *ft_new(struct kunit *test)
{
	struct asp_mm *mm = asp_mm_create();

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mm), "create: %ld", PTR_ERR(mm));
	return ft_track(test, mm);
}

static struct asp_mm *ft_clone(struct kunit *test, struct asp_mm *mm,
			       bool eager)
{
	struct asp_mm *copy = asp_clone(mm, eager);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(copy), "clone: %ld",
			       PTR_ERR(copy));
	return ft_track(test, copy);
}

static void ft_destroy(struct kunit *test, struct asp_mm *mm)
{
	struct ft_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < FT_MAX_MMS; i++) {
		if (ctx->mm[i] == mm) {
			ctx->mm[i] = NULL;
			asp_mm_destroy(mm);
			return;
		}
	}
	KUNIT_FAIL(test, "destroying an address space the test does not own");
}

static void ft_map(struct kunit *test, struct asp_mm *mm, unsigned long addr,
		   unsigned long len, u32 prot, u32 flags)
{
	unsigned long mapped = 0;

	KUNIT_ASSERT_EQ_MSG(test, asp_mmap(mm, addr, len, prot, flags, &mapped),
			    0, "mmap %#lx", addr);
	KUNIT_ASSERT_EQ(test, mapped, addr);
}

static void ft_limit(struct kunit *test, struct asp_mm *mm, u64 resident,
		     u64 stack)
{
	struct aspace_limits lim = { .size = sizeof(lim) };

	asp_get_limits(mm, &lim);
	if (resident)
		lim.resident_bytes = resident;
	if (stack)
		lim.stack_bytes = stack;
	KUNIT_ASSERT_EQ(test, asp_set_limits(mm, &lim, true), 0);
}

/*
 * A simulated access of @len bytes (at most FT_BUF) through the context's
 * buffer, which a write fills with @tag first.  Return: its errno, or
 * -EFAULT if it faulted (see @res).
 */
static int ft_try(struct kunit *test, struct asp_mm *mm, u32 kind,
		  unsigned long addr, unsigned long len, u8 tag,
		  struct asp_access_res *res)
{
	struct ft_ctx *ctx = test->priv;
	int ret;

	memset(ctx->buf, kind == ASPACE_ACCESS_WRITE ? tag : ~tag, len);
	ret = asp_access(mm, kind, addr, len, ctx->buf, res);
	if (!ret && res->si_code)
		ret = -EFAULT;
	return ret;
}

static void ft_write(struct kunit *test, struct asp_mm *mm,
		     unsigned long addr, unsigned long len, u8 tag)
{
	struct asp_access_res res;

	KUNIT_ASSERT_EQ_MSG(test, ft_try(test, mm, ASPACE_ACCESS_WRITE, addr,
					 len, tag, &res), 0, "write %#lx", addr);
	KUNIT_ASSERT_EQ(test, res.done, len);
}

static void ft_read(struct kunit *test, struct asp_mm *mm,
		    unsigned long addr, unsigned long len)
{
	struct asp_access_res res;

	KUNIT_ASSERT_EQ_MSG(test, ft_try(test, mm, ASPACE_ACCESS_READ, addr,
					 len, 0, &res), 0, "read %#lx", addr);
}

/* Read @len bytes at @addr: each must be @tag. */
static void ft_expect_bytes(struct kunit *test, struct asp_mm *mm,
			    unsigned long addr, unsigned long len, u8 tag)
{
	struct ft_ctx *ctx = test->priv;

	ft_read(test, mm, addr, len);
	KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(ctx->buf, tag, len), NULL,
				"%#lx: not all %#x", addr, tag);
}

/* A /proc/PID/mem-like write of 8 bytes of @tag. */
static int ft_poke(struct kunit *test, struct asp_mm *mm, unsigned long addr,
		   u8 tag)
{
	struct ft_ctx *ctx = test->priv;

	memset(ctx->buf, tag, 8);
	return asp_mem_write(mm, addr, ctx->buf, 8);
}

/*
 * The leaf entry that maps @addr, 0 if none; without the Accessed and
 * Dirty bits, which every access sets (aspace_introspect checks them).
 */
static u64 ft_pte(struct asp_mm *mm, unsigned long addr)
{
	u64 *ptep, pte = 0;

	down_read(&mm->lock);
	ptep = asp_pt_leaf(&mm->pt, addr);
	if (ptep)
		pte = READ_ONCE(*ptep) & ~(ASP_PTE_A | ASP_PTE_D);
	up_read(&mm->lock);
	return pte;
}

static struct page *ft_page(struct asp_mm *mm, unsigned long addr)
{
	u64 pte = ft_pte(mm, addr);

	return pte ? asp_pte_page(pte) : NULL;
}

#define ft_flags(pte)	((pte) & ASP_PTE_FLAGS_MASK)
#define ft_frame(pte)	((pte) & ASP_PTE_PFN_MASK)

static int ft_refs(u64 pte)
{
	return pte ? page_ref_count(asp_pte_page(pte)) : -1;
}

/* Does @page hold @tag in [@off, @off + @len)? */
static bool ft_page_has(struct page *page, unsigned int off,
			unsigned int len, u8 tag)
{
	u8 *p;
	bool ok;

	if (!page)
		return false;
	p = kmap_local_page(page);
	ok = !memchr_inv(p + off, tag, len);
	kunmap_local(p);
	return ok;
}

/* The VMA covering @addr: its start (0 if none) and its shared object. */
static unsigned long ft_vma_start(struct asp_mm *mm, unsigned long addr,
				  struct asp_shm **shm)
{
	struct asp_vma *vma;
	unsigned long start;

	down_read(&mm->lock);
	vma = asp_vma_find(&mm->vmas, addr);
	start = vma ? vma->start : 0;
	if (shm)
		*shm = vma ? vma->shm : NULL;
	up_read(&mm->lock);
	return start;
}

#define FT_STATS(test, mm, res, flt, cow, zero) \
	ft_expect_stats(test, mm, res, flt, cow, zero, __LINE__)

/* The counters asp_stats() reports; @at names the caller in messages. */
static void ft_expect_stats(struct kunit *test, struct asp_mm *mm,
			    u64 resident, u64 faults, u64 cows, u64 zeros,
			    int at)
{
	struct aspace_stats st = { .size = sizeof(st) };

	KUNIT_ASSERT_EQ(test, asp_stats(mm, &st), 0);
	KUNIT_EXPECT_EQ_MSG(test, st.resident_pages, resident, "at %d", at);
	KUNIT_EXPECT_EQ_MSG(test, st.faults, faults, "at %d", at);
	KUNIT_EXPECT_EQ_MSG(test, st.cow_breaks, cows, "at %d", at);
	KUNIT_EXPECT_EQ_MSG(test, st.zero_page_maps, zeros, "at %d", at);
}

/* ------------------------------------------------------------------ */
/* Snapshots of every address space of the test */

#define FT_EXACT	BIT(0)	/* the same spaces: frames and ids too */
#define FT_TABLES	BIT(1)	/* page-table pages too */
/*
 * Entries may have been write-protected for copy-on-write (COW set, RW
 * clear): what a failed copy-on-write clone leaves, as a failed fork()
 * leaves in Linux.
 */
#define FT_WRPROT	BIT(2)

static u64 ft_sum(struct page *page)
{
	const u64 *p = kmap_local_page(page);
	u64 h = 0xcbf29ce484222325ULL;
	unsigned int i;

	for (i = 0; i < P / sizeof(*p); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	kunmap_local(p);
	return h;
}

static int ft_snap_leaf(u64 *ptep, unsigned long addr, void *arg)
{
	struct ft_snap *s = arg;
	struct page *page = asp_pte_page(*ptep);

	if (s->nr_leaves == FT_MAX_LEAVES) {
		s->full = true;
		return -E2BIG;
	}
	s->leaf[s->nr_leaves++] = (struct ft_leaf){
		s->cur, addr, *ptep, ft_sum(page), page_ref_count(page),
		asp_page_is_zero(page) };
	return 0;
}

static unsigned long ft_shm_pages(struct asp_shm *shm)
{
	unsigned long index, n = 0;
	struct page *page;

	if (shm)
		xa_for_each(&shm->pages, index, page)
			n++;
	return n;
}

static void ft_snap_mm(struct ft_snap *s, struct asp_mm *mm)
{
	unsigned long *c = s->cnt[s->cur];
	struct asp_vma *vma;

	down_read(&mm->lock);
	c[FT_RESIDENT] = mm->resident;
	c[FT_FAULTS] = mm->faults;
	c[FT_COWS] = mm->cow_breaks;
	c[FT_ZEROS] = mm->zero_maps;
	c[FT_TOTAL_VM] = mm->total_vm;
	c[FT_DATA_VM] = mm->data_vm;
	c[FT_NR_VMAS] = mm->vmas.count;
	for (vma = asp_vma_find_next(&mm->vmas, 0); vma;
	     vma = asp_vma_next(&mm->vmas, vma)) {
		if (s->nr_vmas == FT_MAX_VMAS) {
			s->full = true;
			break;
		}
		s->vma[s->nr_vmas++] = (struct ft_vma){
			s->cur, vma->start, vma->end, vma->flags, vma->pgoff,
			vma->obj, vma->anon, ft_shm_pages(vma->shm) };
	}
	asp_pt_walk(&mm->pt, 0, mm->layout.task_size, ft_snap_leaf, s);
	up_read(&mm->lock);
}

static void ft_snap_take(struct kunit *test, struct ft_snap *s)
{
	struct ft_ctx *ctx = test->priv;

	memset(s, 0, sizeof(*s));
	for (s->cur = 0; s->cur < FT_MAX_MMS; s->cur++)
		if (ctx->mm[s->cur])
			ft_snap_mm(s, ctx->mm[s->cur]);
	ft_mod_read(s->mod);
	KUNIT_EXPECT_FALSE_MSG(test, s->full, "snapshot too small");
}

static struct ft_snap *ft_snap0(struct kunit *test)
{
	struct ft_ctx *ctx = test->priv;

	return ctx->snap[0];
}

static __printf(2, 3) bool ft_note(struct kunit *test, const char *fmt, ...)
{
	struct ft_ctx *ctx = test->priv;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->msg, FT_MSG, fmt, ap);
	va_end(ap);
	return true;
}

static bool ft_diff_vma(struct kunit *test, const struct ft_vma *a,
			const struct ft_vma *b, bool exact)
{
	if (a->mm != b->mm || a->start != b->start || a->end != b->end)
		return ft_note(test, "mm%u VMA %#lx-%#lx, want mm%u %#lx-%#lx",
			       a->mm, a->start, a->end, b->mm, b->start, b->end);
	if (a->flags != b->flags || a->pgoff != b->pgoff ||
	    a->shm_pages != b->shm_pages)
		return ft_note(test, "mm%u VMA %#lx: %#lx +%lu, %lu shm pages; want %#lx +%lu, %lu",
			       a->mm, a->start, a->flags, a->pgoff,
			       a->shm_pages, b->flags, b->pgoff, b->shm_pages);
	if (exact ? a->obj != b->obj || a->anon != b->anon :
		    !a->obj != !b->obj || !a->anon != !b->anon)
		return ft_note(test, "mm%u VMA %#lx: object %llu anon %llu, want %llu %llu",
			       a->mm, a->start, a->obj, a->anon, b->obj,
			       b->anon);
	return false;
}

static bool ft_diff_leaf(struct kunit *test, const struct ft_leaf *a,
			 const struct ft_leaf *b, unsigned int mode)
{
	u64 mask = mode & FT_EXACT ? ~0ULL : ASP_PTE_FLAGS_MASK;

	if ((mode & FT_WRPROT) && (a->pte & ASP_PTE_COW) &&
	    !(a->pte & ASP_PTE_RW))
		mask &= ~(ASP_PTE_COW | ASP_PTE_RW);
	if (a->mm != b->mm || a->addr != b->addr)
		return ft_note(test, "mm%u leaf %#lx mapped, want mm%u %#lx",
			       a->mm, a->addr, b->mm, b->addr);
	if (((a->pte ^ b->pte) & mask) || a->zero != b->zero)
		return ft_note(test, "mm%u leaf %#lx: pte %#llx, want %#llx",
			       a->mm, a->addr, a->pte, b->pte);
	if (a->sum != b->sum)
		return ft_note(test, "mm%u leaf %#lx: contents differ", a->mm,
			       a->addr);
	if (a->refs != b->refs)
		return ft_note(test, "mm%u leaf %#lx: %d page refs, want %d",
			       a->mm, a->addr, a->refs, b->refs);
	return false;
}

/* The first difference of @a from @b, in the context's msg; FT_* @mode. */
static bool ft_diff(struct kunit *test, const struct ft_snap *a,
		    const struct ft_snap *b, unsigned int mode)
{
	static const char * const cnt[] = { "resident", "faults",
		"cow_breaks", "zero_maps", "total_vm", "data_vm", "VMAs" };
	static const char * const mod[] = { "data pages", "table pages",
		"VMAs", "address spaces" };
	bool exact = mode & FT_EXACT;
	unsigned int i, m;

	for (m = 0; m < FT_MAX_MMS; m++)
		for (i = 0; i < FT_NR_CNT; i++)
			if (a->cnt[m][i] != b->cnt[m][i])
				return ft_note(test, "mm%u %s: %lu, want %lu",
					       m, cnt[i], a->cnt[m][i],
					       b->cnt[m][i]);
	for (i = 0; i < FT_NR_MOD; i++)
		if ((i != FT_MOD_TABLES || (mode & FT_TABLES)) &&
		    a->mod[i] != b->mod[i])
			return ft_note(test, "module %s: %ld, want %ld", mod[i],
				       a->mod[i], b->mod[i]);
	if (a->nr_vmas != b->nr_vmas)
		return ft_note(test, "%u VMAs, want %u", a->nr_vmas,
			       b->nr_vmas);
	for (i = 0; i < a->nr_vmas; i++)
		if (ft_diff_vma(test, &a->vma[i], &b->vma[i], exact))
			return true;
	for (i = 0; i < min(a->nr_leaves, b->nr_leaves); i++)
		if (ft_diff_leaf(test, &a->leaf[i], &b->leaf[i], mode))
			return true;
	if (a->nr_leaves != b->nr_leaves)
		return ft_note(test, "%u leaves, want %u", a->nr_leaves,
			       b->nr_leaves);
	return false;
}

/* Nothing changed since @before (FT_* @mode); @what names the step. */
static void ft_expect_unchanged(struct kunit *test,
				const struct ft_snap *before,
				unsigned int mode, const char *what)
{
	struct ft_ctx *ctx = test->priv;

	ft_snap_take(test, ctx->snap[3]);
	KUNIT_EXPECT_FALSE_MSG(test, ft_diff(test, ctx->snap[3], before, mode),
			       "%s changed the space: %s", what, ctx->msg);
}

/* ------------------------------------------------------------------ */
/* The zero page, demand allocation, shared objects */

static void ft_test_zero_page(struct kunit *test)
{
	struct asp_mm *mm = ft_new(test);
	struct page *page;
	u64 pte;

	ft_map(test, mm, FT_X, 2 * P, FT_RW, FT_PRIV);
	/* A read maps the zero page: read-only, copy-on-write, not resident. */
	ft_expect_bytes(test, mm, FT_X + 5, 100, 0);
	KUNIT_EXPECT_EQ(test, ft_pte(mm, FT_X),
			asp_pte_mk(ZERO_PAGE(0), FT_PTE_COW));
	FT_STATS(test, mm, 0, 1, 0, 1);
	/* Reading again, directly or as /proc/PID/mem does, faults no more. */
	ft_expect_bytes(test, mm, FT_X, P, 0);
	KUNIT_ASSERT_EQ(test, asp_mem_get_page(mm, FT_X + 1, &page), 0);
	KUNIT_EXPECT_PTR_EQ(test, page, ZERO_PAGE(0));
	asp_mem_put_page(page);
	FT_STATS(test, mm, 0, 1, 0, 1);

	/* A write replaces it with a zeroed page of its own. */
	ft_write(test, mm, FT_X + 100, 8, 0x5a);
	pte = ft_pte(mm, FT_X);
	page = asp_pte_page(pte);
	KUNIT_EXPECT_PTR_NE(test, page, ZERO_PAGE(0));
	KUNIT_EXPECT_EQ(test, ft_flags(pte), FT_PTE_RW);
	KUNIT_EXPECT_EQ(test, ft_refs(pte), 1);
	KUNIT_EXPECT_TRUE(test, ft_page_has(page, 0, 100, 0));
	KUNIT_EXPECT_TRUE(test, ft_page_has(page, 100, 8, 0x5a));
	KUNIT_EXPECT_TRUE(test, ft_page_has(page, 108, P - 108, 0));
	KUNIT_EXPECT_TRUE(test, ft_page_has(ZERO_PAGE(0), 0, P, 0));
	FT_STATS(test, mm, 1, 2, 0, 1);
	/* A write to an absent page allocates at once; a second one is free. */
	ft_write(test, mm, FT_X + P, 8, 0x5b);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(mm, FT_X + P)), FT_PTE_RW);
	FT_STATS(test, mm, 2, 3, 0, 1);
	ft_write(test, mm, FT_X + P + 8, 8, 0x5c);
	FT_STATS(test, mm, 2, 3, 0, 1);
	ft_expect_bytes(test, mm, FT_X + 100, 8, 0x5a);
	ft_expect_bytes(test, mm, FT_X + P, 8, 0x5b);
	ft_done(test);
}

static void ft_test_shared(struct kunit *test)
{
	struct asp_mm *a = ft_new(test), *b;
	struct asp_shm *shm, *shm_b;
	u64 pte;

	ft_map(test, a, FT_X, 4 * P, FT_RW, FT_SHARED);
	ft_map(test, a, FT_G, P, FT_RW, FT_PRIV);
	ft_vma_start(a, FT_X, &shm);
	KUNIT_ASSERT_NOT_NULL(test, shm);

	/* A read allocates the object's page (no zero page), so does a write. */
	ft_expect_bytes(test, a, FT_X, P, 0);
	pte = ft_pte(a, FT_X);
	KUNIT_EXPECT_EQ(test, ft_flags(pte), FT_PTE_RW);
	KUNIT_EXPECT_FALSE(test, asp_page_is_zero(asp_pte_page(pte)));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&shm->pages, 0), asp_pte_page(pte));
	KUNIT_EXPECT_EQ(test, ft_refs(pte), 2);	/* the object's, the entry's */
	FT_STATS(test, a, 1, 1, 0, 0);
	ft_write(test, a, FT_X + P, 8, 0x61);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&shm->pages, 1), ft_page(a, FT_X + P));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&shm->pages, 2), NULL);
	FT_STATS(test, a, 2, 2, 0, 0);

	/* A clone maps the same pages, writable, and writes into them. */
	b = ft_clone(test, a, false);
	ft_vma_start(b, FT_X, &shm_b);
	KUNIT_EXPECT_PTR_EQ(test, shm_b, shm);
	KUNIT_EXPECT_EQ(test, ft_pte(b, FT_X), pte);
	KUNIT_EXPECT_EQ(test, ft_pte(b, FT_X + P), ft_pte(a, FT_X + P));
	KUNIT_EXPECT_EQ(test, ft_refs(pte), 3);
	ft_write(test, b, FT_X, 8, 0x62);
	ft_expect_bytes(test, a, FT_X, 8, 0x62);
	KUNIT_EXPECT_EQ(test, ft_pte(b, FT_X), pte);
	FT_STATS(test, b, 2, 0, 0, 0);
	/* Also a page first touched after the clone, by the clone. */
	ft_write(test, b, FT_X + 2 * P, 8, 0x63);
	ft_expect_bytes(test, a, FT_X + 2 * P, 8, 0x63);
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X + 2 * P), ft_pte(b, FT_X + 2 * P));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&shm->pages, 2),
			    ft_page(a, FT_X + 2 * P));

	/* MADV_DONTNEED drops the entries, not the data, even in both. */
	KUNIT_ASSERT_EQ(test, asp_madvise(a, FT_X, 4 * P, MADV_DONTNEED), 0);
	KUNIT_ASSERT_EQ(test, asp_madvise(b, FT_X, 4 * P, MADV_DONTNEED), 0);
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X), 0ULL);
	KUNIT_EXPECT_EQ(test, ft_refs(pte), 1);
	FT_STATS(test, a, 0, 3, 0, 0);
	ft_expect_bytes(test, a, FT_X, 8, 0x62);
	ft_expect_bytes(test, b, FT_X + 2 * P, 8, 0x63);
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X), pte);
	/* Private memory reads back as zeros. */
	ft_write(test, a, FT_G, P, 0x64);
	KUNIT_ASSERT_EQ(test, asp_madvise(a, FT_G, P, MADV_DONTNEED), 0);
	ft_expect_bytes(test, a, FT_G, P, 0);
	KUNIT_EXPECT_PTR_EQ(test, ft_page(a, FT_G), ZERO_PAGE(0));
	ft_done(test);
}

/* ------------------------------------------------------------------ */
/* Copy-on-write */

static void ft_test_cow(struct kunit *test)
{
	struct asp_mm *a = ft_new(test), *b, *c;
	u64 pte[4], pa, pc;
	unsigned int i;

	ft_map(test, a, FT_X, 4 * P, FT_RW, FT_PRIV);
	ft_write(test, a, FT_X, 3 * P, 0x11);
	ft_read(test, a, FT_X + 3 * P, P);
	b = ft_clone(test, a, false);
	/* Both map each page read-only and copy-on-write, held twice. */
	for (i = 0; i < 4; i++) {
		pte[i] = ft_pte(a, FT_X + i * P);
		KUNIT_EXPECT_EQ_MSG(test, ft_pte(b, FT_X + i * P), pte[i],
				    "page %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ft_flags(pte[i]), FT_PTE_COW,
				    "page %u", i);
		if (i < 3)
			KUNIT_EXPECT_EQ_MSG(test, ft_refs(pte[i]), 2,
					    "page %u", i);
	}
	KUNIT_EXPECT_PTR_EQ(test, asp_pte_page(pte[3]), ZERO_PAGE(0));
	FT_STATS(test, a, 3, 4, 0, 1);
	FT_STATS(test, b, 3, 0, 0, 0);

	/* B's write copies; A keeps the old contents. */
	ft_write(test, b, FT_X, 8, 0x22);
	KUNIT_EXPECT_NE(test, ft_frame(ft_pte(b, FT_X)), ft_frame(pte[0]));
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(b, FT_X)), FT_PTE_RW);
	KUNIT_EXPECT_TRUE(test, ft_page_has(ft_page(b, FT_X), 0, 8, 0x22));
	KUNIT_EXPECT_TRUE(test, ft_page_has(ft_page(b, FT_X), 8, P - 8, 0x11));
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X), pte[0]);
	KUNIT_EXPECT_TRUE(test, ft_page_has(asp_pte_page(pte[0]), 0, P, 0x11));
	KUNIT_EXPECT_EQ(test, ft_refs(pte[0]), 1);
	FT_STATS(test, b, 3, 1, 1, 0);
	/* Then A's write reuses its page, held once now: no copy. */
	ft_write(test, a, FT_X, 8, 0x33);
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X),
			asp_pte_mk(asp_pte_page(pte[0]), FT_PTE_RW));
	KUNIT_EXPECT_TRUE(test, ft_page_has(asp_pte_page(pte[0]), 0, 8, 0x33));
	FT_STATS(test, a, 3, 5, 0, 1);
	/* The other way round for page 1. */
	ft_write(test, a, FT_X + P, 8, 0x44);
	ft_write(test, b, FT_X + P, 8, 0x55);
	KUNIT_EXPECT_EQ(test, ft_pte(b, FT_X + P),
			asp_pte_mk(asp_pte_page(pte[1]), FT_PTE_RW));
	KUNIT_EXPECT_TRUE(test, ft_page_has(ft_page(a, FT_X + P), 0, 8, 0x44));
	KUNIT_EXPECT_TRUE(test, ft_page_has(ft_page(a, FT_X + P), 8, P - 8,
					    0x11));
	KUNIT_EXPECT_TRUE(test, ft_page_has(asp_pte_page(pte[1]), 0, 8, 0x55));
	FT_STATS(test, a, 3, 6, 1, 1);
	FT_STATS(test, b, 3, 2, 1, 0);
	/* Replacing the zero page is no copy. */
	ft_write(test, b, FT_X + 3 * P, 8, 0x66);
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X + 3 * P), pte[3]);
	FT_STATS(test, b, 4, 3, 1, 0);

	/* An eager clone copies at once; the source's entries stay. */
	c = ft_clone(test, a, true);
	for (i = 0; i < 3; i++) {
		pa = ft_pte(a, FT_X + i * P);
		pc = ft_pte(c, FT_X + i * P);
		KUNIT_EXPECT_NE_MSG(test, ft_frame(pc), ft_frame(pa), "page %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ft_flags(pc), FT_PTE_RW, "page %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ft_refs(pc), 1, "page %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ft_sum(asp_pte_page(pc)),
				    ft_sum(asp_pte_page(pa)), "page %u", i);
	}
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X + 2 * P), pte[2]);
	KUNIT_EXPECT_EQ(test, ft_refs(pte[2]), 2);	/* A and B */
	KUNIT_EXPECT_EQ(test, ft_pte(c, FT_X + 3 * P), pte[3]);
	FT_STATS(test, c, 3, 0, 0, 0);

	/* mprotect never makes a copy-on-write entry writable. */
	KUNIT_ASSERT_EQ(test, asp_mprotect(a, FT_X, 4 * P, PROT_READ), 0);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(a, FT_X)), FT_PTE_RO);
	KUNIT_ASSERT_EQ(test, asp_mprotect(a, FT_X, 4 * P, FT_RW), 0);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(a, FT_X)), FT_PTE_RW);
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X + 2 * P), pte[2]);
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X + 3 * P), pte[3]);
	/* The write after it still copies. */
	ft_write(test, a, FT_X + 2 * P, 8, 0x77);
	KUNIT_EXPECT_NE(test, ft_frame(ft_pte(a, FT_X + 2 * P)),
			ft_frame(pte[2]));
	KUNIT_EXPECT_TRUE(test, ft_page_has(asp_pte_page(pte[2]), 0, P, 0x11));
	FT_STATS(test, a, 3, 7, 2, 1);
	ft_done(test);
}

#define FT_MODEL_MMS	4
#define FT_MODEL_PAGES	4

/*
 * What clones of clones must hold, page by page: the byte filling it (0:
 * no entry), its frame (pages at the same index with the same @grp share
 * one), whether the entry is writable (else copy-on-write), and each
 * address space's faults and copies.
 */
struct ft_model {
	struct asp_mm *mm[FT_MODEL_MMS];
	u8 tag[FT_MODEL_MMS][FT_MODEL_PAGES];
	unsigned int grp[FT_MODEL_MMS][FT_MODEL_PAGES];
	bool rw[FT_MODEL_MMS][FT_MODEL_PAGES];
	unsigned long faults[FT_MODEL_MMS];
	unsigned long cows[FT_MODEL_MMS];
	unsigned int next;	/* the last @grp handed out */
};

static int ft_model_holders(const struct ft_model *md, unsigned int p,
			    unsigned int grp)
{
	unsigned int m;
	int n = 0;

	for (m = 0; m < FT_MODEL_MMS; m++)
		n += md->mm[m] && md->grp[m][p] == grp;
	return n;
}

/*
 * One step: 'w'rite page @p of @m with @tag; 'c'lone @m into slot @p;
 * 'd'estroy @m; 'n': MADV_DONTNEED page @p of @m; 'p': mprotect @m
 * read-only and back.
 */
static void ft_model_step(struct kunit *test, struct ft_model *md, char op,
			  unsigned int m, unsigned int p, u8 tag)
{
	struct asp_mm *mm = md->mm[m];

	switch (op) {
	case 'w':
		ft_write(test, mm, FT_X + p * P, P, tag);
		md->tag[m][p] = tag;
		if (md->rw[m][p])
			break;		/* writable already: no fault */
		md->faults[m]++;
		md->rw[m][p] = true;
		if (md->grp[m][p] && ft_model_holders(md, p, md->grp[m][p]) == 1)
			break;		/* no one else holds it: reused */
		if (md->grp[m][p])
			md->cows[m]++;
		md->grp[m][p] = ++md->next;
		break;
	case 'c':
		md->mm[p] = ft_clone(test, mm, false);
		memcpy(md->tag[p], md->tag[m], sizeof(md->tag[p]));
		memcpy(md->grp[p], md->grp[m], sizeof(md->grp[p]));
		memset(md->rw[m], 0, sizeof(md->rw[m]));
		memset(md->rw[p], 0, sizeof(md->rw[p]));
		md->faults[p] = 0;
		md->cows[p] = 0;
		break;
	case 'd':
		ft_destroy(test, mm);
		md->mm[m] = NULL;
		break;
	case 'n':
		KUNIT_ASSERT_EQ(test, asp_madvise(mm, FT_X + p * P, P,
						  MADV_DONTNEED), 0);
		md->tag[m][p] = 0;
		md->grp[m][p] = 0;
		md->rw[m][p] = false;
		break;
	case 'p':
		KUNIT_ASSERT_EQ(test, asp_mprotect(mm, FT_X, 4 * P, PROT_READ),
				0);
		KUNIT_ASSERT_EQ(test, asp_mprotect(mm, FT_X, 4 * P, FT_RW), 0);
		break;
	}
}

/* Entries, frames, contents, references and counters as the model says. */
static void ft_model_check(struct kunit *test, const struct ft_model *md,
			   int step)
{
	unsigned int m, o, p, g, resident;
	u64 pte, other;

	for (m = 0; m < FT_MODEL_MMS; m++) {
		if (!md->mm[m])
			continue;
		for (p = 0, resident = 0; p < FT_MODEL_PAGES; p++) {
			pte = ft_pte(md->mm[m], FT_X + p * P);
			g = md->grp[m][p];
			KUNIT_EXPECT_EQ_MSG(test, !pte, !g, "step %d mm%u page %u",
					    step, m, p);
			if (!pte || !g)
				continue;
			resident++;
			KUNIT_EXPECT_EQ_MSG(test, ft_flags(pte), md->rw[m][p] ?
					    FT_PTE_RW : FT_PTE_COW,
					    "step %d mm%u page %u", step, m, p);
			KUNIT_EXPECT_TRUE_MSG(test,
					      ft_page_has(asp_pte_page(pte), 0,
							  P, md->tag[m][p]),
					      "step %d mm%u page %u", step, m, p);
			KUNIT_EXPECT_EQ_MSG(test, ft_refs(pte),
					    ft_model_holders(md, p, g),
					    "step %d mm%u page %u", step, m, p);
			for (o = 0; o < m; o++) {
				if (!md->mm[o] || !md->grp[o][p])
					continue;
				other = ft_pte(md->mm[o], FT_X + p * P);
				KUNIT_EXPECT_EQ_MSG(test,
						    ft_frame(pte) == ft_frame(other),
						    g == md->grp[o][p],
						    "step %d mm%u/%u page %u",
						    step, m, o, p);
			}
		}
		ft_expect_stats(test, md->mm[m], resident, md->faults[m],
				md->cows[m], 0, step);
	}
}

/* A step of ft_model_step(): @p is the page, or the slot of a clone. */
struct ft_step {
	char op;
	u8 m, p, tag;
};

static const struct ft_step ft_chain[] = {
	{ 'w', 0, 0, 1 }, { 'w', 0, 1, 2 }, { 'w', 0, 2, 3 },
	{ 'c', 0, 1 },			/* B = clone(A) */
	{ 'w', 1, 0, 4 },		/* B copies page 0 */
	{ 'w', 0, 0, 5 },		/* A reuses its page 0 */
	{ 'w', 0, 1, 6 },		/* A copies page 1 */
	{ 'c', 1, 2 },			/* C = clone(B) */
	{ 'w', 2, 2, 7 },		/* C copies page 2 (A, B, C held it) */
	{ 'w', 1, 2, 8 },		/* B copies it (A, B) */
	{ 'w', 0, 2, 9 },		/* A reuses it */
	{ 'w', 2, 3, 10 },		/* C allocates page 3 */
	{ 'p', 1 },			/* B: COW entries stay read-only */
	{ 'd', 1 },			/* B goes */
	{ 'w', 2, 0, 11 }, { 'w', 2, 1, 12 },	/* C reuses pages 0, 1 */
	{ 'n', 0, 1 }, { 'w', 0, 1, 13 },	/* A: a new page 1 */
	{ 'c', 2, 1 }, { 'w', 1, 3, 14 }, { 'w', 2, 3, 15 },
};

#define FT_RANDOM_STEPS	300

/* A clone, clones of it, writes at every step, checked against a model. */
static void ft_test_cow_chain(struct kunit *test)
{
	struct ft_model *md = kunit_kzalloc(test, sizeof(*md), GFP_KERNEL);
	u64 seed = 0x9e3779b97f4a7c15ULL, r;
	unsigned int i, m, free, live;
	char op;

	KUNIT_ASSERT_NOT_NULL(test, md);
	md->mm[0] = ft_new(test);
	ft_map(test, md->mm[0], FT_X, 4 * P, FT_RW, FT_PRIV);
	for (i = 0; i < ARRAY_SIZE(ft_chain); i++) {
		ft_model_step(test, md, ft_chain[i].op, ft_chain[i].m,
			      ft_chain[i].p, ft_chain[i].tag);
		ft_model_check(test, md, i);
	}
	/* Then at random: mostly writes, some clones, drops and exits. */
	for (i = 0; i < FT_RANDOM_STEPS; i++) {
		r = asp_test_rand(&seed);
		for (m = 0, free = FT_MODEL_MMS, live = 0; m < FT_MODEL_MMS; m++) {
			if (!md->mm[m])
				free = m;
			live += !!md->mm[m];
		}
		m = (r >> 8) % FT_MODEL_MMS;
		while (!md->mm[m])
			m = (m + 1) % FT_MODEL_MMS;
		op = "wwwwwwccdn"[r % 10];
		if (op == 'c' && free == FT_MODEL_MMS)
			op = 'p';
		if (op == 'd' && live == 1)
			op = 'n';
		ft_model_step(test, md, op, m, op == 'c' ? free :
			      (r >> 16) % FT_MODEL_PAGES, (r >> 24) % 255 + 1);
		ft_model_check(test, md, 1000 + i);
	}
	ft_done(test);
}

/* ------------------------------------------------------------------ */
/* Forced writes, the stack, the resident limit */

static void ft_test_forced_write(struct kunit *test)
{
	struct ft_snap *before = ft_snap0(test);
	struct asp_mm *a = ft_new(test), *b;
	struct asp_access_res res;
	struct page *page;
	u64 pte;

	ft_map(test, a, FT_X, 2 * P, PROT_READ, FT_PRIV);
	ft_map(test, a, FT_G, P, PROT_READ, FT_SHARED);
	/* Into an absent page: a zeroed page of its own, not writable. */
	KUNIT_ASSERT_EQ(test, ft_poke(test, a, FT_X + 8, 0x71), 0);
	pte = ft_pte(a, FT_X);
	KUNIT_EXPECT_EQ(test, ft_flags(pte), FT_PTE_RO);
	KUNIT_EXPECT_TRUE(test, ft_page_has(asp_pte_page(pte), 0, 8, 0));
	KUNIT_EXPECT_TRUE(test, ft_page_has(asp_pte_page(pte), 8, 8, 0x71));
	KUNIT_EXPECT_TRUE(test, ft_page_has(asp_pte_page(pte), 16, P - 16, 0));
	FT_STATS(test, a, 1, 1, 0, 0);
	/* Over the zero page: the same. */
	KUNIT_ASSERT_EQ(test, asp_mem_get_page(a, FT_X + P, &page), 0);
	KUNIT_EXPECT_PTR_EQ(test, page, ZERO_PAGE(0));
	asp_mem_put_page(page);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(a, FT_X + P)), FT_PTE_COW);
	KUNIT_ASSERT_EQ(test, ft_poke(test, a, FT_X + P, 0x72), 0);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(a, FT_X + P)), FT_PTE_RO);
	KUNIT_EXPECT_PTR_NE(test, ft_page(a, FT_X + P), ZERO_PAGE(0));
	FT_STATS(test, a, 2, 3, 0, 1);
	/* A page of its own is written in place, with no fault. */
	KUNIT_ASSERT_EQ(test, ft_poke(test, a, FT_X + 16, 0x73), 0);
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X), pte);
	FT_STATS(test, a, 2, 3, 0, 1);
	/* A user-mode write is refused and changes nothing. */
	ft_snap_take(test, before);
	KUNIT_EXPECT_EQ(test, ft_try(test, a, ASPACE_ACCESS_WRITE, FT_X, 8, 1,
				     &res), -EFAULT);
	KUNIT_EXPECT_EQ(test, res.si_code, SEGV_ACCERR);
	KUNIT_EXPECT_EQ(test, res.fault_addr, FT_X);
	ft_expect_unchanged(test, before, FT_EXACT | FT_TABLES, "ACCERR");

	/* Shared copy-on-write: the writer copies, the copy stays read-only. */
	b = ft_clone(test, a, false);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(a, FT_X)), FT_PTE_COW);
	pte = ft_pte(a, FT_X);
	KUNIT_ASSERT_EQ(test, ft_poke(test, b, FT_X, 0x74), 0);
	KUNIT_EXPECT_NE(test, ft_frame(ft_pte(b, FT_X)), ft_frame(pte));
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(b, FT_X)), FT_PTE_RO);
	KUNIT_EXPECT_TRUE(test, ft_page_has(ft_page(b, FT_X), 0, 8, 0x74));
	KUNIT_EXPECT_TRUE(test, ft_page_has(ft_page(b, FT_X), 8, 8, 0x71));
	KUNIT_EXPECT_TRUE(test, ft_page_has(asp_pte_page(pte), 0, 8, 0));
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X), pte);
	KUNIT_EXPECT_EQ(test, ft_refs(pte), 1);
	FT_STATS(test, b, 2, 1, 1, 0);
	/* The other side reuses its page, which stays read-only. */
	KUNIT_ASSERT_EQ(test, ft_poke(test, a, FT_X, 0x75), 0);
	KUNIT_EXPECT_EQ(test, ft_pte(a, FT_X),
			asp_pte_mk(asp_pte_page(pte), FT_PTE_RO));
	FT_STATS(test, a, 2, 4, 0, 1);

	/* A read-only shared mapping: -EIO, nothing allocated... */
	ft_snap_take(test, before);
	KUNIT_EXPECT_EQ(test, ft_poke(test, a, FT_G, 0x76), -EIO);
	ft_expect_unchanged(test, before, FT_EXACT | FT_TABLES,
			    "a write into a read-only shared mapping");
	/* ...nor written once its page exists. */
	KUNIT_ASSERT_EQ(test, asp_mem_get_page(a, FT_G, &page), 0);
	KUNIT_EXPECT_PTR_EQ(test, page, ft_page(a, FT_G));
	asp_mem_put_page(page);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(a, FT_G)), FT_PTE_RO);
	KUNIT_EXPECT_EQ(test, ft_poke(test, a, FT_G, 0x76), -EIO);
	KUNIT_EXPECT_TRUE(test, ft_page_has(ft_page(a, FT_G), 0, P, 0));

	/* Made writable: the page of its own is; the shared one is not. */
	KUNIT_ASSERT_EQ(test, asp_mprotect(a, FT_X, 2 * P, FT_RW), 0);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(a, FT_X)), FT_PTE_RW);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(a, FT_X + P)), FT_PTE_COW);
	ft_done(test);
}

/*
 * A write below the stack under injection.  The first allocation is the
 * tree's, for the growth: it fails with SEGV_MAPERR and nothing changes,
 * as Linux's failed expand_stack() gives SIGSEGV.  A fault that runs out
 * of memory after the growth leaves the stack grown, as in Linux.
 */
static void ft_stack_inject(struct kunit *test, struct asp_mm *mm,
			    unsigned long addr, unsigned long top)
{
	struct ft_ctx *ctx = test->priv;
	struct ft_snap *before = ctx->snap[0];
	unsigned int maperr = 0, nomem = 0;
	struct asp_access_res res;
	int n, ret, left = 0;

	for (n = 1; n < FT_MAX_TRIES; n++) {
		ft_snap_take(test, before);
		asp_fail_nth_set(n);
		ret = ft_try(test, mm, ASPACE_ACCESS_WRITE, addr, 8, 0x34, &res);
		left = asp_fail_nth_get();
		asp_fail_nth_set(0);
		if (!ret)
			break;
		KUNIT_EXPECT_EQ_MSG(test, left, 0, "fail-nth %d", n);
		if (ret == -EFAULT) {
			maperr++;
			KUNIT_EXPECT_EQ(test, res.si_code, SEGV_MAPERR);
			ft_expect_unchanged(test, before, FT_EXACT,
					    "a failed stack growth");
			continue;
		}
		nomem++;
		KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "fail-nth %d", n);
		KUNIT_EXPECT_EQ(test, ft_vma_start(mm, top - 1, NULL), addr);
		KUNIT_EXPECT_EQ(test, ft_pte(mm, addr), 0ULL);
		FT_STATS(test, mm, before->cnt[0][FT_RESIDENT],
			 before->cnt[0][FT_FAULTS], before->cnt[0][FT_COWS],
			 before->cnt[0][FT_ZEROS]);
	}
	KUNIT_EXPECT_NE(test, left, 0);
	KUNIT_EXPECT_EQ(test, maperr, 1U);
	KUNIT_EXPECT_GT(test, nomem, 0U);
	KUNIT_EXPECT_EQ(test, ft_vma_start(mm, top - 1, NULL), addr);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(mm, addr)), FT_PTE_RW);
}

static void ft_test_stack(struct kunit *test)
{
	struct ft_snap *before = ft_snap0(test);
	struct aspace_layout l = { .size = sizeof(l),
				   .flags = ASPACE_LAYOUT_STACK,
				   .mmap_min_addr = ASP_MMAP_MIN_ADDR };
	struct asp_mm *mm = ft_new(test);
	unsigned long top, start, gap, below;
	struct aspace_stats st = { .size = sizeof(st) };
	struct asp_access_res res;

	KUNIT_ASSERT_EQ(test, asp_set_layout(mm, &l), 0);
	ft_limit(test, mm, 0, SZ_256K);
	top = mm->layout.map_window;
	gap = mm->layout.stack_guard_gap;
	start = top - ASP_STACK_SIZE;
	KUNIT_ASSERT_EQ(test, ft_vma_start(mm, top - 1, NULL), start);

	/* Just below the stack: it grows by that page. */
	ft_write(test, mm, start - 8, 8, 0x31);
	KUNIT_EXPECT_EQ(test, ft_vma_start(mm, top - 1, NULL), start - P);
	KUNIT_EXPECT_EQ(test, ft_flags(ft_pte(mm, start - P)), FT_PTE_RW);
	ft_expect_bytes(test, mm, start - 8, 8, 0x31);
	FT_STATS(test, mm, 1, 1, 0, 0);
	asp_stats(mm, &st);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, ASP_STACK_SIZE + P);
	KUNIT_EXPECT_EQ(test, st.data_bytes, 0ULL);
	/* Up to stack_bytes exactly... */
	ft_read(test, mm, top - SZ_256K, 1);
	KUNIT_EXPECT_EQ(test, ft_vma_start(mm, top - 1, NULL), top - SZ_256K);
	/* ...and not a byte beyond: SEGV_MAPERR, nothing changes. */
	ft_snap_take(test, before);
	KUNIT_EXPECT_EQ(test, ft_try(test, mm, ASPACE_ACCESS_WRITE,
				     top - SZ_256K - 1, 2, 1, &res), -EFAULT);
	KUNIT_EXPECT_EQ(test, res.si_code, SEGV_MAPERR);
	KUNIT_EXPECT_EQ(test, res.fault_addr, top - SZ_256K - 1);
	KUNIT_EXPECT_EQ(test, res.done, 0UL);
	ft_expect_unchanged(test, before, FT_EXACT | FT_TABLES,
			    "growth past stack_bytes");

	ft_limit(test, mm, 0, ASP_STACK_LIMIT);
	ft_stack_inject(test, mm, top - SZ_256K - P, top);

	/* Never into the guard gap of an accessible mapping below. */
	start = top - SZ_256K - P;
	below = start - 2 * P - gap;
	ft_map(test, mm, below - 2 * P, 2 * P, FT_RW, FT_PRIV);
	ft_snap_take(test, before);
	KUNIT_EXPECT_EQ(test, ft_try(test, mm, ASPACE_ACCESS_READ,
				     below + gap - 1, 1, 0, &res), -EFAULT);
	KUNIT_EXPECT_EQ(test, res.si_code, SEGV_MAPERR);
	ft_expect_unchanged(test, before, FT_EXACT | FT_TABLES,
			    "growth into the guard gap");
	ft_write(test, mm, below + gap, 8, 0x32);
	KUNIT_EXPECT_EQ(test, ft_vma_start(mm, top - 1, NULL), below + gap);
	/* An inaccessible mapping below has no guard gap. */
	KUNIT_ASSERT_EQ(test, asp_mprotect(mm, below - 2 * P, 2 * P, PROT_NONE),
			0);
	ft_write(test, mm, below + P, 8, 0x33);
	KUNIT_EXPECT_EQ(test, ft_vma_start(mm, top - 1, NULL), below + P);
	ft_done(test);
}

static void ft_test_resident_limit(struct kunit *test)
{
	struct ft_snap *before = ft_snap0(test);
	struct asp_mm *mm = ft_new(test), *copy;
	struct asp_access_res res;
	int eager;

	ft_map(test, mm, FT_X, 4 * P, FT_RW, FT_PRIV);
	ft_map(test, mm, FT_G, P, FT_RW, FT_SHARED);
	ft_limit(test, mm, 2 * P, 0);
	ft_write(test, mm, FT_X, 2 * P, 0x41);

	/* A copy-on-write copy replaces a page: allowed at the limit. */
	copy = ft_clone(test, mm, false);
	ft_write(test, copy, FT_X, 8, 0x42);
	FT_STATS(test, copy, 2, 1, 1, 0);
	KUNIT_EXPECT_EQ(test, ft_try(test, copy, ASPACE_ACCESS_WRITE,
				     FT_X + 3 * P, 8, 1, &res), -ENOMEM);
	FT_STATS(test, copy, 2, 1, 1, 0);

	/* The zero page is not resident; every other fault fails. */
	ft_read(test, mm, FT_X + 2 * P, P);
	FT_STATS(test, mm, 2, 3, 0, 1);
	ft_snap_take(test, before);
	KUNIT_EXPECT_EQ(test, ft_try(test, mm, ASPACE_ACCESS_WRITE,
				     FT_X + 3 * P, 8, 1, &res), -ENOMEM);
	KUNIT_EXPECT_EQ(test, res.done, 0UL);
	KUNIT_EXPECT_EQ(test, ft_try(test, mm, ASPACE_ACCESS_WRITE,
				     FT_X + 2 * P, 8, 1, &res), -ENOMEM);
	KUNIT_EXPECT_EQ(test, ft_poke(test, mm, FT_X + 3 * P, 1), -ENOMEM);
	KUNIT_EXPECT_EQ(test, asp_madvise(mm, FT_X + 2 * P, 2 * P,
					  MADV_POPULATE_WRITE), -ENOMEM);
	ft_expect_unchanged(test, before, FT_EXACT, "a private fault");
	KUNIT_EXPECT_EQ(test, ft_try(test, mm, ASPACE_ACCESS_READ, FT_G, 8, 0,
				     &res), -ENOMEM);
	ft_expect_unchanged(test, before, FT_EXACT, "a shared fault");
	FT_STATS(test, mm, 2, 3, 0, 1);

	/* A clone holds as many data pages as its source: within the limit. */
	for (eager = 0; eager < 2; eager++) {
		copy = asp_clone(mm, eager);
		KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(copy),
				       "clone (eager %d) at the resident limit: %ld",
				       eager, PTR_ERR(copy));
		if (!IS_ERR(copy))
			ft_track(test, copy);
	}
	ft_done(test);
}

/* ------------------------------------------------------------------ */
/* Allocation failure injected at every step */

enum ft_op { FT_OP_ACCESS, FT_OP_MEM_WRITE, FT_OP_POPULATE, FT_OP_CLONE };

/*
 * An operation under injection, on the address space in slot @mm of what
 * @build made: @kind is ASPACE_ACCESS_* (clone: eager); @partial: it may
 * stop at a page, as documented; @allocs: the allocations it makes (0:
 * only checked to be some).
 */
struct ft_inj {
	const char *name;
	void (*build)(struct kunit *test);
	enum ft_op op;
	unsigned int mm;
	u32 kind;
	unsigned long addr, len;
	bool partial;
	unsigned int allocs;
};

static void ft_build_far_rw(struct kunit *test)
{
	ft_map(test, ft_new(test), FT_G, 2 * P, FT_RW, FT_PRIV);
}

static void ft_build_far_ro(struct kunit *test)
{
	ft_map(test, ft_new(test), FT_G, 2 * P, PROT_READ, FT_PRIV);
}

static void ft_build_shared(struct kunit *test)
{
	ft_map(test, ft_new(test), FT_X, 4 * P, FT_RW, FT_SHARED);
}

/* Page 0 shared copy-on-write with a clone, 1 the zero page, 2-3 absent. */
static void ft_build_mixed(struct kunit *test)
{
	struct asp_mm *mm = ft_new(test);

	ft_map(test, mm, FT_X, 4 * P, FT_RW, FT_PRIV);
	ft_write(test, mm, FT_X, P, 0x11);
	ft_read(test, mm, FT_X + P, P);
	ft_clone(test, mm, false);
}

/* A page of a read-only private mapping, shared copy-on-write. */
static void ft_build_ro_cow(struct kunit *test)
{
	struct asp_mm *mm = ft_new(test);

	ft_map(test, mm, FT_X, 2 * P, PROT_READ, FT_PRIV);
	KUNIT_ASSERT_EQ(test, ft_poke(test, mm, FT_X, 0x21), 0);
	ft_clone(test, mm, false);
}

/*
 * A clone's source: pages shared copy-on-write with an earlier clone, a
 * page of its own, the zero page, shared pages, a page a forced write put
 * into a read-only mapping, PROT_NONE pages.
 */
static void ft_build_source(struct kunit *test)
{
	struct asp_mm *mm = ft_new(test);

	ft_map(test, mm, FT_X, 4 * P, FT_RW, FT_PRIV);
	ft_write(test, mm, FT_X, 3 * P, 0x11);
	ft_clone(test, mm, false);
	ft_write(test, mm, FT_X + 2 * P, 8, 0x12);
	ft_read(test, mm, FT_X + 3 * P, P);
	ft_map(test, mm, FT_G, 2 * P, FT_RW, FT_SHARED);
	ft_write(test, mm, FT_G, P, 0x13);
	ft_map(test, mm, FT_X + 8 * P, 2 * P, PROT_READ, FT_PRIV);
	KUNIT_ASSERT_EQ(test, ft_poke(test, mm, FT_X + 8 * P, 0x14), 0);
	ft_map(test, mm, FT_X + 12 * P, 2 * P, FT_RW, FT_PRIV | MAP_POPULATE);
	KUNIT_ASSERT_EQ(test, asp_mprotect(mm, FT_X + 12 * P, 2 * P,
					   PROT_NONE), 0);
}

/*
 * The same, after the earlier clone copied page 0: the source's entry
 * stays copy-on-write though no one else holds its page (the next write
 * reuses it).
 */
static void ft_build_source_stale(struct kunit *test)
{
	struct ft_ctx *ctx = test->priv;

	ft_build_source(test);
	ft_write(test, ctx->mm[1], FT_X, 8, 0x15);
}

static const struct ft_inj ft_inj_cases[] = {
	{ .name = "write_absent", .build = ft_build_far_rw,
	  .op = FT_OP_ACCESS, .kind = ASPACE_ACCESS_WRITE, .addr = FT_G + 8,
	  .len = 8, .allocs = 4 },
	{ .name = "read_shared", .build = ft_build_shared, .op = FT_OP_ACCESS,
	  .kind = ASPACE_ACCESS_READ, .addr = FT_X + P, .len = 8,
	  .allocs = 5 },
	{ .name = "cow_break", .build = ft_build_mixed, .op = FT_OP_ACCESS,
	  .mm = 1, .kind = ASPACE_ACCESS_WRITE, .addr = FT_X + 8, .len = 8,
	  .allocs = 1 },
	{ .name = "zero_replace", .build = ft_build_mixed, .op = FT_OP_ACCESS,
	  .kind = ASPACE_ACCESS_WRITE, .addr = FT_X + P, .len = 8,
	  .allocs = 1 },
	{ .name = "mem_write_absent", .build = ft_build_far_ro,
	  .op = FT_OP_MEM_WRITE, .addr = FT_G + 100, .len = 16,
	  .allocs = 4 },
	{ .name = "mem_write_cow", .build = ft_build_ro_cow,
	  .op = FT_OP_MEM_WRITE, .mm = 1, .addr = FT_X + 100, .len = 16,
	  .allocs = 1 },
	{ .name = "access_range", .build = ft_build_mixed, .op = FT_OP_ACCESS,
	  .kind = ASPACE_ACCESS_WRITE, .addr = FT_X, .len = 4 * P,
	  .partial = true, .allocs = 6 },
	{ .name = "populate_write", .build = ft_build_mixed,
	  .op = FT_OP_POPULATE, .addr = FT_X, .len = 4 * P, .partial = true,
	  .allocs = 6 },
	{ .name = "clone_cow", .build = ft_build_source, .op = FT_OP_CLONE },
	{ .name = "clone_eager", .build = ft_build_source, .op = FT_OP_CLONE,
	  .kind = true },
	{ .name = "clone_cow_stale", .build = ft_build_source_stale,
	  .op = FT_OP_CLONE },
	{ .name = "clone_eager_stale", .build = ft_build_source_stale,
	  .op = FT_OP_CLONE, .kind = true },
};

static void ft_inj_desc(const struct ft_inj *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ft_inj, ft_inj_cases, ft_inj_desc);

/* Run @c's operation over its first @len bytes; @done: bytes accessed. */
static int ft_inj_run(struct kunit *test, const struct ft_inj *c,
		      unsigned long len, unsigned long *done)
{
	struct ft_ctx *ctx = test->priv;
	struct asp_mm *mm = ctx->mm[c->mm], *copy;
	struct asp_access_res res;
	int ret;

	*done = 0;
	switch (c->op) {
	case FT_OP_ACCESS:
		ret = ft_try(test, mm, c->kind, c->addr, len, 0x5a, &res);
		*done = res.done;
		return ret;
	case FT_OP_MEM_WRITE:
		memset(ctx->buf, 0x5a, len);
		return asp_mem_write(mm, c->addr, ctx->buf, len);
	case FT_OP_POPULATE:
		return asp_madvise(mm, c->addr, len, MADV_POPULATE_WRITE);
	case FT_OP_CLONE:
		copy = asp_clone(mm, c->kind);
		if (IS_ERR(copy))
			return PTR_ERR(copy);
		ft_track(test, copy);
		return 0;
	}
	return -EINVAL;
}

static const struct ft_leaf *ft_find_leaf(const struct ft_snap *s,
					  unsigned int mm, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < s->nr_leaves; i++)
		if (s->leaf[i].mm == mm && s->leaf[i].addr == addr)
			return &s->leaf[i];
	return NULL;
}

static bool ft_leaf_changed(const struct ft_snap *a, const struct ft_snap *b,
			    unsigned int mm, unsigned long addr)
{
	const struct ft_leaf *la = ft_find_leaf(a, mm, addr);
	const struct ft_leaf *lb = ft_find_leaf(b, mm, addr);

	if (!la || !lb)
		return la != lb;
	return la->pte != lb->pte || la->sum != lb->sum;
}

/*
 * A multi-page operation that failed stopped at a page: the first one
 * that did not change.  The pages before it must be what the same
 * operation over them alone makes, on a fresh build; the rest untouched.
 */
static void ft_expect_prefix(struct kunit *test, const struct ft_inj *c,
			     const struct ft_snap *before,
			     const struct ft_snap *after, unsigned long done,
			     int n)
{
	struct ft_ctx *ctx = test->priv;
	unsigned long k = 0, pages = c->len / P;

	while (k < pages &&
	       ft_leaf_changed(before, after, c->mm, c->addr + k * P))
		k++;
	KUNIT_EXPECT_LT_MSG(test, k, pages, "fail-nth %d: all done", n);
	if (c->op == FT_OP_ACCESS)
		KUNIT_EXPECT_EQ_MSG(test, done, k * P, "fail-nth %d", n);
	c->build(test);
	if (k)
		KUNIT_EXPECT_EQ(test, ft_inj_run(test, c, k * P, &done), 0);
	ft_snap_take(test, ctx->snap[3]);
	ft_done(test);
	KUNIT_EXPECT_FALSE_MSG(test, ft_diff(test, after, ctx->snap[3], 0),
			       "fail-nth %d, stopped after %lu pages: %s", n, k,
			       ctx->msg);
}

/* How a failed operation may differ from the state before it. */
static unsigned int ft_inj_mode(const struct ft_inj *c)
{
	if (c->op == FT_OP_CLONE && !c->kind)
		return FT_EXACT | FT_WRPROT;
	return FT_EXACT;
}

static void ft_test_inject(struct kunit *test)
{
	const struct ft_inj *c = test->param_value;
	struct ft_ctx *ctx = test->priv;
	struct ft_snap *want = ctx->snap[0], *before = ctx->snap[1];
	struct ft_snap *after = ctx->snap[2];
	unsigned int failed = 0;
	unsigned long done;
	int n, ret, left = 0;

	/* The reference: the operation without injection. */
	c->build(test);
	KUNIT_ASSERT_EQ(test, ft_inj_run(test, c, c->len, &done), 0);
	ft_snap_take(test, want);
	ft_done(test);

	for (n = 1; n < FT_MAX_TRIES; n++) {
		c->build(test);
		ft_snap_take(test, before);
		asp_fail_nth_set(n);
		ret = ft_inj_run(test, c, c->len, &done);
		left = asp_fail_nth_get();
		asp_fail_nth_set(0);
		ft_snap_take(test, after);
		ft_done(test);
		if (!ret)
			break;
		failed++;
		KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "fail-nth %d", n);
		KUNIT_EXPECT_EQ_MSG(test, left, 0,
				    "fail-nth %d: failed before the injected failure",
				    n);
		if (c->partial)
			ft_expect_prefix(test, c, before, after, done, n);
		else
			KUNIT_EXPECT_FALSE_MSG(test,
					       ft_diff(test, after, before,
						       ft_inj_mode(c)),
					       "fail-nth %d: the failed op changed the space: %s",
					       n, ctx->msg);
	}
	KUNIT_ASSERT_LT(test, n, FT_MAX_TRIES);
	KUNIT_EXPECT_NE_MSG(test, left, 0,
			    "fail-nth %d: the injected failure was swallowed", n);
	KUNIT_EXPECT_FALSE_MSG(test, ft_diff(test, after, want, FT_TABLES),
			       "differs from the run without injection: %s",
			       ctx->msg);
	if (c->allocs)
		KUNIT_EXPECT_EQ(test, failed, c->allocs);
	else
		KUNIT_EXPECT_GT(test, failed, 0U);
	kunit_info(test, "%u allocations failed in turn\n", failed);
}

static struct kunit_case ft_test_cases[] = {
	KUNIT_CASE(ft_test_zero_page),
	KUNIT_CASE(ft_test_shared),
	KUNIT_CASE(ft_test_cow),
	KUNIT_CASE(ft_test_cow_chain),
	KUNIT_CASE(ft_test_forced_write),
	KUNIT_CASE(ft_test_stack),
	KUNIT_CASE(ft_test_resident_limit),
	KUNIT_CASE_PARAM(ft_test_inject, ft_inj_gen_params),
	{}
};

static struct kunit_suite ft_test_suite = {
	.name = "aspace_fault",
	.init = ft_init,
	.exit = ft_exit,
	.test_cases = ft_test_cases,
};

kunit_test_suite(ft_test_suite);
