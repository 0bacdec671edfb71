// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of the aspace page tables against the x86_64 MMU.
 *
 * pgtable_test.c checks the hierarchy by reading it back; this suite has
 * the CPU (in QEMU: its emulated MMU) walk it.  Each access window
 * (mmu_run()) copies the kernel half of the running top-level table into
 * the root of an aspace hierarchy, points CR3 at that root and accesses
 * user addresses with the kernel's user-access helpers (get_user(),
 * put_user(), copy_from_user(), copy_to_user()), so every translation goes
 * through the tables under test.  An access the tables do not allow
 * faults, and the exception fixup of the helper turns the fault into
 * -EFAULT (or a count of bytes not copied).  Then CR3 is restored and the
 * whole TLB flushed.
 *
 * Between the two CR3 writes interrupts, preemption and page faults are
 * off: only the tables under test and the kernel half are mapped, a fault
 * goes straight to the fixup (faulthandler_disabled()), and nothing may
 * print, allocate or sleep.  KUnit checks come after the window.
 *
 * The hierarchy has 5 levels if the kernel runs with 5-level paging (LA57),
 * else 4: scripts/kunit.sh runs the suite twice, with QEMU -cpu max (LA57)
 * and -cpu qemu64 (no LA57), and checks the line mmu_test_paging_mode logs.
 *
 * Needs a kernel without page-table isolation: with PTI an NMI entry would
 * take bit 12 of our CR3 for the user-table bit and switch to another
 * table.  The test is built only for x86_64 (not UML).
 */
#include <kunit/test.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "../module/mem.h"
#include "../module/pgtable.h"

#define P		PAGE_SIZE
#define SZ_512G		BIT(39)
#define SZ_256T		BIT(48)

/* Root entries from here on map the kernel half. */
#define MMU_KERNEL_HALF	(ASP_PT_ENTRIES / 2)

#define MMU_RW		(ASP_PTE_RW | ASP_PTE_US | ASP_PTE_NX)
#define MMU_RO		(ASP_PTE_US | ASP_PTE_NX)
#define MMU_AD		(ASP_PTE_A | ASP_PTE_D)

/* Patterns: word at user address a holds a ^ seed (a < 2^56). */
#define SEED_KERNEL	0xa5c3000000000000ULL
#define SEED_USER	0x5a3c000000000000ULL

/**
 * struct mmu_ctx - per-test state
 * @pt: the hierarchy under test, with as many levels as the kernel uses
 * @tables0: asp_nr_table_pages when the test started
 * @data0: asp_nr_data_pages when the test started
 */
struct mmu_ctx {
	struct asp_pgtable pt;
	long tables0;
	long data0;
};

enum mmu_op_kind { MMU_GET, MMU_PUT, MMU_COPY_FROM, MMU_COPY_TO };

/**
 * struct mmu_op - one user access made through the tables under test
 * @kind: the helper to call
 * @addr: the user address
 * @buf: kernel buffer of a copy
 * @len: length of a copy
 * @val: the value put_user() stores or get_user() read
 * @ret: what the helper returned: 0 or -EFAULT for get/put, the number
 *	of bytes not copied for a copy
 */
struct mmu_op {
	enum mmu_op_kind kind;
	unsigned long addr;
	void *buf;
	unsigned long len;
	u64 val;
	long ret;
};

static unsigned int mmu_levels(void)
{
	return pgtable_l5_enabled() ? 5 : 4;
}

static void mmu_fill(void *dst, unsigned long addr, unsigned long len,
		     u64 seed)
{
	u64 *w = dst;
	unsigned long i;

	for (i = 0; i < len / sizeof(u64); i++)
		w[i] = (addr + i * sizeof(u64)) ^ seed;
}

/* Number of words of @src that do not hold the pattern. */
static unsigned long mmu_diff(const void *src, unsigned long addr,
			      unsigned long len, u64 seed)
{
	const u64 *w = src;
	unsigned long i, bad = 0;

	for (i = 0; i < len / sizeof(u64); i++)
		if (w[i] != ((addr + i * sizeof(u64)) ^ seed))
			bad++;
	return bad;
}

static int mmu_test_init(struct kunit *test)
{
	struct mmu_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_FALSE_MSG(test, boot_cpu_has(X86_FEATURE_PTI),
			       "needs a kernel without page-table isolation");
	asp_fail_nth_set(0);
	ctx->tables0 = atomic_long_read(&asp_nr_table_pages);
	ctx->data0 = atomic_long_read(&asp_nr_data_pages);
	KUNIT_ASSERT_EQ(test, asp_pt_init(&ctx->pt, mmu_levels()), 0);
	test->priv = ctx;
	return 0;
}

static void mmu_release(u64 pte, struct page *page, unsigned long addr,
			void *arg)
{
	unsigned int *nr = arg;

	if (nr)
		(*nr)++;
	asp_data_page_put(page);
}

static void mmu_test_exit(struct kunit *test)
{
	struct mmu_ctx *ctx = test->priv;

	if (ctx)
		asp_pt_destroy(&ctx->pt, mmu_release, NULL);
}

/* Destroy the hierarchy; every page must be back. */
static void mmu_done(struct kunit *test)
{
	struct mmu_ctx *ctx = test->priv;

	asp_pt_destroy(&ctx->pt, mmu_release, NULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&asp_nr_table_pages),
			ctx->tables0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&asp_nr_data_pages),
			ctx->data0);
}

/* Map a new data page filled with the kernel pattern at @addr. */
static struct page *mmu_map(struct kunit *test, unsigned long addr,
			    u64 flags)
{
	struct mmu_ctx *ctx = test->priv;
	struct page *page = asp_data_page_alloc();
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, page);
	mmu_fill(page_address(page), addr, P, SEED_KERNEL);
	ret = asp_pt_map(&ctx->pt, addr, page, flags);
	if (ret)
		asp_data_page_put(page);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "map %#lx", addr);
	return page;
}

/* The leaf entry that maps @addr, or 0. */
static u64 mmu_leaf(struct kunit *test, unsigned long addr)
{
	struct mmu_ctx *ctx = test->priv;
	struct asp_pt_lookup res;

	if (asp_pt_lookup(&ctx->pt, addr, &res) || res.level)
		return 0;
	return res.entry[0];
}

static void *mmu_buf(struct kunit *test, unsigned long len)
{
	void *buf = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	return buf;
}

static noinline void mmu_do(struct mmu_op *op)
{
	void __user *uptr = (void __user *)op->addr;
	u64 __user *uword = uptr;
	u64 val = 0;

	switch (op->kind) {
	case MMU_GET:
		op->ret = get_user(val, uword);
		op->val = val;
		break;
	case MMU_PUT:
		op->ret = put_user(op->val, uword);
		break;
	case MMU_COPY_FROM:
		op->ret = copy_from_user(op->buf, uptr, op->len);
		break;
	case MMU_COPY_TO:
		op->ret = copy_to_user(uptr, op->buf, op->len);
		break;
	}
}

/*
 * Make the accesses @ops with CR3 pointing at the hierarchy under test.
 * Writing CR3 without the no-flush bit drops the non-global translations
 * of PCID 0 (every translation, without PCID), so each window walks the
 * tables afresh; the kernel's own mappings are global or identical in
 * both tables.  Afterwards the saved CR3 (with the kernel's PCID) is
 * written back and __flush_tlb_all() drops our translations of every
 * PCID, so no stale one survives.
 */
static void mmu_run(struct kunit *test, struct mmu_op *ops, unsigned int n)
{
	struct mmu_ctx *ctx = test->priv;
	u64 *root = page_address(ctx->pt.root);
	unsigned long flags, cr3;
	const u64 *kroot;
	unsigned int i;

	for (i = 0; i < n; i++)
		ops[i].ret = -EINVAL;

	local_irq_save(flags);
	preempt_disable();
	pagefault_disable();

	cr3 = __read_cr3();
	kroot = __va(read_cr3_pa());
	memcpy(root + MMU_KERNEL_HALF, kroot + MMU_KERNEL_HALF,
	       MMU_KERNEL_HALF * sizeof(*root));
	write_cr3(__pa(root));

	for (i = 0; i < n; i++)
		mmu_do(&ops[i]);

	write_cr3(cr3);
	__flush_tlb_all();

	pagefault_enable();
	preempt_enable();
	local_irq_restore(flags);

	memset(root + MMU_KERNEL_HALF, 0, MMU_KERNEL_HALF * sizeof(*root));
}

/* One get_user() of @addr; returns its result, the value in *@val. */
static long mmu_get(struct kunit *test, unsigned long addr, u64 *val)
{
	struct mmu_op op = { .kind = MMU_GET, .addr = addr };

	mmu_run(test, &op, 1);
	*val = op.val;
	return op.ret;
}

/* One put_user() of @val to @addr. */
static long mmu_put(struct kunit *test, unsigned long addr, u64 val)
{
	struct mmu_op op = { .kind = MMU_PUT, .addr = addr, .val = val };

	mmu_run(test, &op, 1);
	return op.ret;
}

/*
 * The paging mode: the hierarchy has 5 levels exactly when the kernel runs
 * with LA57 (CR4 says so, not only the kernel's flag), its user half ends
 * where the kernel's does, and the CPU translates its last user page.
 * scripts/kunit.sh checks the line this logs.
 */
static void mmu_test_paging_mode(struct kunit *test)
{
	struct mmu_ctx *ctx = test->priv;
	unsigned long cr4 = __read_cr4();
	bool la57 = pgtable_l5_enabled();
	unsigned long last;
	struct page *page;
	u64 val = 0;

	kunit_info(test, "%u-level paging (CR4.LA57 %d, PCIDE %d, SMAP %d, SMEP %d)\n",
		   ctx->pt.levels, !!(cr4 & X86_CR4_LA57),
		   !!(cr4 & X86_CR4_PCIDE), !!(cr4 & X86_CR4_SMAP),
		   !!(cr4 & X86_CR4_SMEP));
	KUNIT_EXPECT_EQ(test, ctx->pt.levels, la57 ? 5U : 4U);
	KUNIT_EXPECT_EQ(test, !!(cr4 & X86_CR4_LA57), la57);
	KUNIT_EXPECT_EQ(test, asp_pt_task_size(&ctx->pt), TASK_SIZE_MAX);

	last = asp_pt_task_size(&ctx->pt) - P;
	page = mmu_map(test, last, MMU_RW);
	KUNIT_EXPECT_EQ(test, mmu_get(test, last + P - 8, &val), 0);
	KUNIT_EXPECT_EQ(test, val, (last + P - 8) ^ SEED_KERNEL);
	KUNIT_EXPECT_EQ(test, mmu_put(test, last, 42), 0);
	KUNIT_EXPECT_EQ(test, *(u64 *)page_address(page), 42ULL);
	mmu_done(test);
}

/*
 * Addresses that use many indexes at every level: PT 16, 17, 5, 7, 9, 340,
 * 510; PD 0, 1, 3, 170, 511; PDPT 0, 1, 2, 341, 511; PML4 0, 1, 170, 255;
 * with 5 levels also PML4 256, 3, 104, 511 under PML5 0, 1, 18, 255.  The
 * last user page of both modes is among them.  The second field is the
 * level count an address needs.
 */
static const struct {
	unsigned long addr;
	unsigned int levels;
} mmu_addrs[] = {
	{ SZ_64K, 4 },
	{ SZ_64K + P, 4 },
	{ SZ_2M + 5 * P, 4 },
	{ SZ_1G + 3 * SZ_2M + 7 * P, 4 },
	{ SZ_512G + 2UL * SZ_1G + 9 * P, 4 },
	{ 0x555555554000UL, 4 },
	{ ASP_TASK_SIZE_4L - P, 4 },
	{ BIT(47), 5 },
	{ SZ_256T + 3 * SZ_512G + 11 * P, 5 },
	{ 0x00123456789ab000UL, 5 },
	{ ASP_TASK_SIZE_5L - P, 5 },
};

/*
 * Pages all over the address space, each read whole with copy_from_user(),
 * overwritten with copy_to_user() and read back with get_user() in one
 * window: every page shows its own contents (no two translations mix),
 * and the CPU marked every leaf accessed and dirty.
 */
static void mmu_test_spread(struct kunit *test)
{
	struct mmu_ctx *ctx = test->priv;
	struct page *pages[ARRAY_SIZE(mmu_addrs)];
	struct mmu_op *ops;
	unsigned int i, n = 0, k = 0;
	void *in, *out;

	ops = mmu_buf(test, 3 * ARRAY_SIZE(mmu_addrs) * sizeof(*ops));
	in = mmu_buf(test, ARRAY_SIZE(mmu_addrs) * P);
	out = mmu_buf(test, ARRAY_SIZE(mmu_addrs) * P);
	for (i = 0; i < ARRAY_SIZE(mmu_addrs); i++) {
		unsigned long addr = mmu_addrs[i].addr;

		if (mmu_addrs[i].levels > ctx->pt.levels)
			continue;
		pages[n] = mmu_map(test, addr, MMU_RW);
		mmu_fill(out + n * P, addr, P, SEED_USER);
		ops[k++] = (struct mmu_op){ .kind = MMU_COPY_FROM, .addr = addr,
					    .buf = in + n * P, .len = P };
		ops[k++] = (struct mmu_op){ .kind = MMU_COPY_TO, .addr = addr,
					    .buf = out + n * P, .len = P };
		ops[k++] = (struct mmu_op){ .kind = MMU_GET,
					    .addr = addr + P - 8 };
		n++;
	}
	KUNIT_ASSERT_EQ(test, n, ctx->pt.levels == 5 ? 11U : 7U);

	mmu_run(test, ops, k);

	for (i = 0, k = 0; i < n; i++, k += 3) {
		unsigned long addr = ops[k].addr;
		u64 pte = mmu_leaf(test, addr);

		KUNIT_EXPECT_EQ_MSG(test, ops[k].ret, 0, "read %#lx", addr);
		KUNIT_EXPECT_EQ_MSG(test, mmu_diff(in + i * P, addr, P,
						   SEED_KERNEL), 0,
				    "read %#lx", addr);
		KUNIT_EXPECT_EQ_MSG(test, ops[k + 1].ret, 0, "write %#lx",
				    addr);
		KUNIT_EXPECT_EQ_MSG(test, mmu_diff(page_address(pages[i]),
						   addr, P, SEED_USER), 0,
				    "write %#lx", addr);
		KUNIT_EXPECT_EQ_MSG(test, ops[k + 2].ret, 0, "get %#lx", addr);
		KUNIT_EXPECT_EQ_MSG(test, ops[k + 2].val,
				    (addr + P - 8) ^ SEED_USER, "get %#lx",
				    addr);
		KUNIT_EXPECT_EQ_MSG(test, pte & MMU_AD, MMU_AD, "leaf %#lx",
				    addr);
	}
	mmu_done(test);
}

/*
 * Copies across the boundary of an entry of each level: two neighbouring
 * pages, mapped to separately allocated frames, read as one 8 KiB range
 * and written half a page on each side of the boundary.
 */
static void mmu_test_boundaries(struct kunit *test)
{
	static const unsigned long bounds[] = {
		SZ_2M, SZ_1G, SZ_512G, SZ_256T,
	};
	struct mmu_ctx *ctx = test->priv;
	struct page *lo, *hi;
	struct mmu_op ops[2];
	unsigned int i;
	void *in, *out;

	in = mmu_buf(test, 2 * P);
	out = mmu_buf(test, P);
	for (i = 0; i < ARRAY_SIZE(bounds); i++) {
		unsigned long b = bounds[i];

		if (b >= ASP_TASK_SIZE_4L && ctx->pt.levels < 5)
			continue;
		hi = mmu_map(test, b, MMU_RW);
		lo = mmu_map(test, b - P, MMU_RW);
		memset(in, 0, 2 * P);
		mmu_fill(out, b - P / 2, P, SEED_USER);
		ops[0] = (struct mmu_op){ .kind = MMU_COPY_FROM,
					  .addr = b - P, .buf = in,
					  .len = 2 * P };
		ops[1] = (struct mmu_op){ .kind = MMU_COPY_TO,
					  .addr = b - P / 2, .buf = out,
					  .len = P };
		mmu_run(test, ops, 2);

		KUNIT_EXPECT_EQ_MSG(test, ops[0].ret, 0, "at %#lx", b);
		KUNIT_EXPECT_EQ_MSG(test, mmu_diff(in, b - P, 2 * P,
						   SEED_KERNEL), 0,
				    "at %#lx", b);
		KUNIT_EXPECT_EQ_MSG(test, ops[1].ret, 0, "at %#lx", b);
		KUNIT_EXPECT_EQ(test, mmu_diff(page_address(lo), b - P,
					       P / 2, SEED_KERNEL), 0);
		KUNIT_EXPECT_EQ(test, mmu_diff(page_address(lo) + P / 2,
					       b - P / 2, P / 2, SEED_USER),
				0);
		KUNIT_EXPECT_EQ(test, mmu_diff(page_address(hi), b, P / 2,
					       SEED_USER), 0);
		KUNIT_EXPECT_EQ(test, mmu_diff(page_address(hi) + P / 2,
					       b + P / 2, P / 2, SEED_KERNEL),
				0);
	}
	mmu_done(test);
}

/*
 * Unmapped addresses fault, wherever the walk stops: at a zero leaf, at a
 * missing PT, PD, PDPT, PML4 (with 5 levels) and at an empty root entry.
 * A copy running from a mapped page into an unmapped one stops at the
 * boundary.  A mapped page read in the same window after the faults
 * still works, and no fault created an entry.
 */
static void mmu_test_unmapped(struct kunit *test)
{
	const unsigned long x = SZ_512G + SZ_1G + SZ_2M + 8 * P;
	struct mmu_ctx *ctx = test->priv;
	unsigned long probes[] = {
		x + P, x - P, x + SZ_2M, x + SZ_1G, x + SZ_512G, SZ_64K,
		x + SZ_256T,
	};
	unsigned int nprobes = ARRAY_SIZE(probes) - (ctx->pt.levels < 5);
	unsigned int i, k = 0;
	unsigned long copied;
	struct mmu_op *ops;
	void *in;

	ops = mmu_buf(test, (3 * ARRAY_SIZE(probes) + 2) * sizeof(*ops));
	in = mmu_buf(test, 2 * P);
	mmu_map(test, x, MMU_RW);
	for (i = 0; i < nprobes; i++) {
		ops[k++] = (struct mmu_op){ .kind = MMU_GET,
					    .addr = probes[i] };
		ops[k++] = (struct mmu_op){ .kind = MMU_PUT,
					    .addr = probes[i], .val = 1 };
		ops[k++] = (struct mmu_op){ .kind = MMU_COPY_FROM,
					    .addr = probes[i], .buf = in,
					    .len = 64 };
	}
	ops[k++] = (struct mmu_op){ .kind = MMU_COPY_FROM, .addr = x,
				    .buf = in, .len = 2 * P };
	ops[k++] = (struct mmu_op){ .kind = MMU_GET, .addr = x + 8 };
	mmu_run(test, ops, k);

	for (i = 0; i < nprobes; i++) {
		KUNIT_EXPECT_EQ_MSG(test, ops[3 * i].ret, -EFAULT, "get %#lx",
				    probes[i]);
		KUNIT_EXPECT_EQ_MSG(test, ops[3 * i + 1].ret, -EFAULT,
				    "put %#lx", probes[i]);
		KUNIT_EXPECT_EQ_MSG(test, ops[3 * i + 2].ret, 64,
				    "copy %#lx", probes[i]);
		KUNIT_EXPECT_EQ_MSG(test, mmu_leaf(test, probes[i]), 0,
				    "leaf %#lx", probes[i]);
	}
	/* copy_from_user() may stop early, never copy more than there is. */
	KUNIT_EXPECT_GE(test, ops[k - 2].ret, P);
	KUNIT_EXPECT_LE(test, ops[k - 2].ret, 2 * P);
	copied = 2 * P - ops[k - 2].ret;
	KUNIT_EXPECT_EQ(test, mmu_diff(in, x, copied, SEED_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, ops[k - 1].ret, 0);
	KUNIT_EXPECT_EQ(test, ops[k - 1].val, (x + 8) ^ SEED_KERNEL);
	mmu_done(test);
}

/*
 * A page without RW can be read but not written; once asp_pt_protect()
 * adds RW, the write goes through.  The CPU sets D only then.
 */
static void mmu_test_read_only(struct kunit *test)
{
	const unsigned long x = SZ_1G + 4 * P;
	struct mmu_ctx *ctx = test->priv;
	struct mmu_op ops[3];
	struct page *page;
	void *out;

	out = mmu_buf(test, P);
	mmu_fill(out, x, P, SEED_USER);
	page = mmu_map(test, x, MMU_RO);
	ops[0] = (struct mmu_op){ .kind = MMU_GET, .addr = x + 16 };
	ops[1] = (struct mmu_op){ .kind = MMU_PUT, .addr = x + 16, .val = 7 };
	ops[2] = (struct mmu_op){ .kind = MMU_COPY_TO, .addr = x, .buf = out,
				  .len = P };
	mmu_run(test, ops, 3);

	KUNIT_EXPECT_EQ(test, ops[0].ret, 0);
	KUNIT_EXPECT_EQ(test, ops[0].val, (x + 16) ^ SEED_KERNEL);
	KUNIT_EXPECT_EQ(test, ops[1].ret, -EFAULT);
	KUNIT_EXPECT_EQ(test, ops[2].ret, P);
	KUNIT_EXPECT_EQ(test, mmu_diff(page_address(page), x, P, SEED_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, mmu_leaf(test, x) & MMU_AD, ASP_PTE_A);

	KUNIT_ASSERT_EQ(test, asp_pt_protect(&ctx->pt, x, x + P, ASP_PTE_RW,
					     0), 0);
	mmu_run(test, ops, 3);

	KUNIT_EXPECT_EQ(test, ops[0].ret, 0);
	KUNIT_EXPECT_EQ(test, ops[1].ret, 0);
	KUNIT_EXPECT_EQ(test, ops[2].ret, 0);
	KUNIT_EXPECT_EQ(test, mmu_diff(page_address(page), x, P, SEED_USER),
			0);
	KUNIT_EXPECT_EQ(test, mmu_leaf(test, x) & MMU_AD, MMU_AD);

	/* And without RW again, writes fault again. */
	KUNIT_ASSERT_EQ(test, asp_pt_protect(&ctx->pt, x, x + P, 0,
					     ASP_PTE_RW), 0);
	KUNIT_EXPECT_EQ(test, mmu_put(test, x + 16, 9), -EFAULT);
	KUNIT_EXPECT_EQ(test, *(u64 *)(page_address(page) + 16),
			(x + 16) ^ SEED_USER);
	mmu_done(test);
}

/*
 * A PROT_NONE page (ASP_PTE_PROTNONE, P clear) faults on read and write,
 * and the CPU leaves its entry alone; made present by asp_pt_protect() it
 * works, and made PROT_NONE again it faults again.
 */
static void mmu_test_prot_none(struct kunit *test)
{
	const unsigned long x = 3UL * SZ_1G + 5 * SZ_2M;
	struct mmu_ctx *ctx = test->priv;
	struct asp_pt_lookup res;
	struct page *page;
	u64 val = 0;

	page = mmu_map(test, x, ASP_PTE_PROTNONE | MMU_RW);
	KUNIT_EXPECT_EQ(test, mmu_get(test, x, &val), -EFAULT);
	KUNIT_EXPECT_EQ(test, mmu_put(test, x, 5), -EFAULT);
	KUNIT_EXPECT_EQ(test, mmu_diff(page_address(page), x, P, SEED_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, asp_pt_lookup(&ctx->pt, x, &res), -ENOENT);
	KUNIT_EXPECT_EQ(test, res.entry[0],
			asp_pte_mk(page, ASP_PTE_PROTNONE | MMU_RW));

	KUNIT_ASSERT_EQ(test, asp_pt_protect(&ctx->pt, x, x + P, ASP_PTE_P,
					     ASP_PTE_PROTNONE), 0);
	KUNIT_EXPECT_EQ(test, mmu_get(test, x + 8, &val), 0);
	KUNIT_EXPECT_EQ(test, val, (x + 8) ^ SEED_KERNEL);
	KUNIT_EXPECT_EQ(test, mmu_put(test, x, 5), 0);
	KUNIT_EXPECT_EQ(test, *(u64 *)page_address(page), 5ULL);

	KUNIT_ASSERT_EQ(test, asp_pt_protect(&ctx->pt, x, x + P,
					     ASP_PTE_PROTNONE, ASP_PTE_P), 0);
	KUNIT_EXPECT_EQ(test, mmu_get(test, x, &val), -EFAULT);
	KUNIT_EXPECT_EQ(test, mmu_put(test, x, 6), -EFAULT);
	KUNIT_EXPECT_EQ(test, *(u64 *)page_address(page), 5ULL);
	mmu_done(test);
}

/*
 * After asp_pt_unmap() an address faults while its neighbours, in the
 * same page table and in another one, still translate to their pages;
 * after unmapping everything every address faults.
 */
static void mmu_test_unmap(struct kunit *test)
{
	const unsigned long x = 7UL * SZ_1G + 9 * SZ_2M + 3 * P;
	const unsigned long addrs[] = { x, x + P, x + 4 * SZ_2M };
	struct mmu_ctx *ctx = test->priv;
	struct mmu_op ops[ARRAY_SIZE(addrs)];
	unsigned int i, released = 0;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		mmu_map(test, addrs[i], MMU_RW);
		ops[i] = (struct mmu_op){ .kind = MMU_GET,
					  .addr = addrs[i] + 24 };
	}
	mmu_run(test, ops, ARRAY_SIZE(ops));
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		KUNIT_EXPECT_EQ(test, ops[i].ret, 0);

	KUNIT_ASSERT_EQ(test, asp_pt_unmap(&ctx->pt, x, x + P, mmu_release,
					   &released), 0);
	KUNIT_EXPECT_EQ(test, released, 1U);
	mmu_run(test, ops, ARRAY_SIZE(ops));
	KUNIT_EXPECT_EQ(test, ops[0].ret, -EFAULT);
	for (i = 1; i < ARRAY_SIZE(addrs); i++) {
		KUNIT_EXPECT_EQ(test, ops[i].ret, 0);
		KUNIT_EXPECT_EQ(test, ops[i].val,
				(addrs[i] + 24) ^ SEED_KERNEL);
	}

	KUNIT_ASSERT_EQ(test, asp_pt_unmap(&ctx->pt, 0,
					   asp_pt_task_size(&ctx->pt),
					   mmu_release, &released), 0);
	KUNIT_EXPECT_EQ(test, released, 3U);
	mmu_run(test, ops, ARRAY_SIZE(ops));
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		KUNIT_EXPECT_EQ(test, ops[i].ret, -EFAULT);
	mmu_done(test);
}

/*
 * Accessed and Dirty bits: mapped without them, a page read gets A, a
 * page written A and D, a page not touched neither.  With the bits
 * cleared by asp_pt_protect() and the roles swapped, the CPU sets them
 * again as the new accesses say: it walks these very entries.
 */
static void mmu_test_accessed_dirty(struct kunit *test)
{
	const unsigned long x = 2 * SZ_512G + 6 * P;
	const enum mmu_op_kind first[] = { MMU_GET, MMU_PUT, MMU_COPY_FROM };
	const enum mmu_op_kind second[] = { MMU_COPY_TO, MMU_GET, MMU_PUT };
	const u64 want1[] = { ASP_PTE_A, MMU_AD, ASP_PTE_A, 0 };
	const u64 want2[] = { MMU_AD, ASP_PTE_A, MMU_AD, 0 };
	struct mmu_ctx *ctx = test->priv;
	struct mmu_op ops[ARRAY_SIZE(first)];
	unsigned int i;
	u64 buf = 0;

	for (i = 0; i < ARRAY_SIZE(want1); i++)
		mmu_map(test, x + i * P, MMU_RW);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		ops[i] = (struct mmu_op){ .kind = first[i], .addr = x + i * P,
					  .buf = &buf, .len = sizeof(buf) };
	mmu_run(test, ops, ARRAY_SIZE(ops));
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		KUNIT_EXPECT_EQ(test, ops[i].ret, 0);
	for (i = 0; i < ARRAY_SIZE(want1); i++)
		KUNIT_EXPECT_EQ_MSG(test, mmu_leaf(test, x + i * P) & MMU_AD,
				    want1[i], "page %u", i);

	KUNIT_ASSERT_EQ(test, asp_pt_protect(&ctx->pt, x,
					     x + ARRAY_SIZE(want1) * P, 0,
					     MMU_AD), 0);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		ops[i].kind = second[i];
	mmu_run(test, ops, ARRAY_SIZE(ops));
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		KUNIT_EXPECT_EQ(test, ops[i].ret, 0);
	for (i = 0; i < ARRAY_SIZE(want2); i++)
		KUNIT_EXPECT_EQ_MSG(test, mmu_leaf(test, x + i * P) & MMU_AD,
				    want2[i], "page %u", i);
	mmu_done(test);
}

static struct kunit_case mmu_test_cases[] = {
	KUNIT_CASE(mmu_test_paging_mode),
	KUNIT_CASE(mmu_test_spread),
	KUNIT_CASE(mmu_test_boundaries),
	KUNIT_CASE(mmu_test_unmapped),
	KUNIT_CASE(mmu_test_read_only),
	KUNIT_CASE(mmu_test_prot_none),
	KUNIT_CASE(mmu_test_unmap),
	KUNIT_CASE(mmu_test_accessed_dirty),
	{}
};

static struct kunit_suite mmu_test_suite = {
	.name = "aspace_mmu",
	.init = mmu_test_init,
	.exit = mmu_test_exit,
	.test_cases = mmu_test_cases,
};

kunit_test_suite(mmu_test_suite);
