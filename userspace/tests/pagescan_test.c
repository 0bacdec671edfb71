// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_PAGESCAN and ASPACE_IOC_CLEAR_REFS: the
 * categories of pages touched every way (loads, stores, pread, pwrite,
 * the zero page, shared objects, copy-on-write after a clone and after
 * the other side let go), the Accessed and Dirty bits cleared and set
 * again (a working set and what was written) and those a clone gives its
 * copy (as fork() gives a child), PAGEMAP_SCAN's matching
 * rules (category_mask, inverted, anyof, return_mask), max_pages, a scan
 * resumed from walk_end, holes between VMAs, a huge sparse VMA, and bad
 * input.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"
#include "aspace_introspect_util.h"

#define X	FIXED_AREA
#define MAXR	4096
#define ALL	ASPACE_PAGE_CATEGORIES

#define C_P	ASPACE_PAGE_PRESENT
#define C_Z	ASPACE_PAGE_ZERO
#define C_D	ASPACE_PAGE_DIRTY
#define C_A	ASPACE_PAGE_ACCESSED
#define C_COW	ASPACE_PAGE_COW_SHARED
#define C_EX	ASPACE_PAGE_EXCLUSIVE
#define C_SHM	ASPACE_PAGE_SHM
#define C_W	ASPACE_PAGE_WRITABLE
/* A page of its own, written: present, accessed, dirty, writable. */
#define C_OWN	(C_P | C_A | C_D | C_W | C_EX)
#define C_ZERO	(C_P | C_A | C_Z)

static struct aspace_page_region regs[MAXR], more[MAXR];

FIXTURE(ps) {
	int fd;
};

FIXTURE_SETUP(ps)
{
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ps)
{
	close(self->fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

struct reg_exp {
	__u64 start, end, cats;
};

static bool regs_match(struct __test_metadata *_metadata,
		       const struct aspace_page_region *r, int n,
		       const struct reg_exp *x, unsigned int nx)
{
	int i;

	EXPECT_EQ((int)nx, n);
	for (i = 0; i < n && i < (int)nx; i++) {
		EXPECT_EQ(x[i].start, r[i].start) TH_LOG("region %d", i);
		EXPECT_EQ(x[i].end, r[i].end) TH_LOG("region %d", i);
		EXPECT_EQ(x[i].cats, r[i].categories) TH_LOG("region %d", i);
	}
	if (!_metadata->passed)
		for (i = 0; i < n; i++)
			TH_LOG("%d: %#llx-%#llx %#llx", i,
			       (unsigned long long)r[i].start,
			       (unsigned long long)r[i].end,
			       (unsigned long long)r[i].categories);
	return _metadata->passed;
}

#define EXPECT_REGS(n, ...) do {					\
	const struct reg_exp _x[] = { __VA_ARGS__ };			\
	EXPECT_TRUE(regs_match(_metadata, regs, n, _x, ARRAY_SIZE(_x)));	\
} while (0)

#define SCAN(start, end, mask) \
	pagescan(self->fd, start, end, mask, ALL, regs, MAXR)

TEST_F(ps, untouched_pages_have_no_category)
{
	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(8), P_RW, M_PRIV | M_FIXED,
				 NULL));
	EXPECT_REGS(SCAN(0, TASK_SIZE_4L, 0), { X, X + PAGES(8), 0 });
	EXPECT_REGS(SCAN(X + PAGES(2), X + PAGES(3), 0),
		    { X + PAGES(2), X + PAGES(3), 0 });
	/* Nothing maps anything: nothing present. */
	EXPECT_EQ(0, SCAN(0, TASK_SIZE_4L, C_P));
}

/* Every way of touching a page, and the categories it leaves. */
TEST_F(ps, categories)
{
	unsigned char b = 1;
	__u64 s;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(8), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_READ, X, 1, NULL,
				NULL));
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, X + PAGES(1), 1,
				NULL, NULL));
	ASSERT_EQ(1, mem_pread(self->fd, &b, 1, X + PAGES(2)));
	ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, X + PAGES(3)));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(2), P_R, M_SHARED, &s));
	ASSERT_EQ(1, mem_pread(self->fd, &b, 1, s));
	EXPECT_REGS(SCAN(X, X + PAGES(8), 0),
		    { X, X + PG, C_ZERO },
		    { X + PG, X + PAGES(2), C_OWN },
		    { X + PAGES(2), X + PAGES(3), C_ZERO },
		    { X + PAGES(3), X + PAGES(4), C_OWN },
		    { X + PAGES(4), X + PAGES(8), 0 });
	EXPECT_REGS(SCAN(s, s + PAGES(2), 0),
		    { s, s + PG, C_P | C_A | C_SHM },
		    { s + PG, s + PAGES(2), 0 });
	/* A read-only mapping of a written page: not writable. */
	ASSERT_EQ(0, aspace_mprotect(self->fd, X, PAGES(8), P_R));
	EXPECT_REGS(SCAN(X + PG, X + PAGES(2), 0),
		    { X + PG, X + PAGES(2), C_OWN & ~C_W });
	/* PROT_NONE pages are present (mapped), as pte_present() says. */
	ASSERT_EQ(0, aspace_mprotect(self->fd, X, PAGES(8), 0));
	EXPECT_REGS(SCAN(X + PG, X + PAGES(2), 0),
		    { X + PG, X + PAGES(2), C_OWN & ~C_W });
}

/*
 * After a clone both sides share written pages copy-on-write; when one
 * side writes, it gets a copy, and the other's page is its own again.
 */
TEST_F(ps, copy_on_write)
{
	const __u64 shared = C_P | C_A | C_D | C_COW;
	unsigned char b = 2;
	int c;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(4), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &c));
	EXPECT_REGS(SCAN(X, X + PAGES(4), 0), { X, X + PAGES(4), shared });
	EXPECT_EQ(1, pagescan(c, X, X + PAGES(4), 0, ALL, regs, MAXR));
	ASSERT_EQ(1, mem_pwrite(c, &b, 1, X + PG));
	EXPECT_REGS(SCAN(X, X + PAGES(4), 0),
		    { X, X + PG, shared },
		    { X + PG, X + PAGES(2), C_P | C_A | C_D | C_EX },
		    { X + PAGES(2), X + PAGES(4), shared });
	EXPECT_EQ(3, pagescan(c, X, X + PAGES(4), 0, ALL, regs, MAXR));
	EXPECT_EQ(X + PG, regs[1].start);
	EXPECT_EQ(C_OWN, regs[1].categories);
	/* The parent's write reuses its page, exclusive now: no copy. */
	ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, X + PG));
	EXPECT_REGS(SCAN(X + PG, X + PAGES(2), 0),
		    { X + PG, X + PAGES(2), C_OWN });
	close(c);
	/* The clone is gone: every page is the parent's alone. */
	EXPECT_REGS(SCAN(X, X + PAGES(4), 0),
		    { X, X + PG, C_P | C_A | C_D | C_EX },
		    { X + PG, X + PAGES(2), C_OWN },
		    { X + PAGES(2), X + PAGES(4), C_P | C_A | C_D | C_EX });
}

/*
 * The working set: clear the bits, touch a few pages, and the scan finds
 * exactly those accessed, and of them those written.
 */
TEST_F(ps, clear_refs_and_working_set)
{
	static const unsigned int wr[] = { 3, 7, 8 }, rd[] = { 10, 40 };
	unsigned char b = 5;
	unsigned int i;
	int n;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(64), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	EXPECT_REGS(SCAN(X, X + PAGES(64), C_A), { X, X + PAGES(64), C_OWN });
	ASSERT_EQ(0, clear_refs(self->fd, 0, TASK_SIZE_4L,
				ASPACE_CLEAR_ACCESSED | ASPACE_CLEAR_DIRTY));
	EXPECT_EQ(0, SCAN(X, X + PAGES(64), C_A));
	EXPECT_EQ(0, SCAN(X, X + PAGES(64), C_D));
	EXPECT_REGS(SCAN(X, X + PAGES(64), 0),
		    { X, X + PAGES(64), C_P | C_W | C_EX });
	for (i = 0; i < ARRAY_SIZE(wr); i++)
		ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, X + PAGES(wr[i])));
	for (i = 0; i < ARRAY_SIZE(rd); i++)
		ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_READ,
					X + PAGES(rd[i]), 8, NULL, NULL));
	EXPECT_REGS(pagescan(self->fd, X, X + PAGES(64), C_A, C_A | C_D, regs,
			     MAXR),
		    { X + PAGES(3), X + PAGES(4), C_A | C_D },
		    { X + PAGES(7), X + PAGES(9), C_A | C_D },
		    { X + PAGES(10), X + PAGES(11), C_A },
		    { X + PAGES(40), X + PAGES(41), C_A });
	n = pagescan(self->fd, X, X + PAGES(64), C_D, 0, regs, MAXR);
	EXPECT_REGS(n, { X + PAGES(3), X + PAGES(4), 0 },
		    { X + PAGES(7), X + PAGES(9), 0 });
	/* Clearing only A keeps D, and only on the range asked. */
	ASSERT_EQ(0, clear_refs(self->fd, X + PAGES(8), X + PAGES(64),
				ASPACE_CLEAR_ACCESSED));
	EXPECT_REGS(pagescan(self->fd, X, X + PAGES(64), C_D, C_A | C_D, regs,
			     MAXR),
		    { X + PAGES(3), X + PAGES(4), C_A | C_D },
		    { X + PAGES(7), X + PAGES(8), C_A | C_D },
		    { X + PAGES(8), X + PAGES(9), C_D });
}

/* PAGEMAP_SCAN's rules: all of mask, one of anyof, inverted categories. */
TEST_F(ps, matching)
{
	struct aspace_pagescan p;
	unsigned char b = 1;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(6), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(1, mem_pread(self->fd, &b, 1, X));
	ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, X + PAGES(2)));
	/* Not present: inverted PRESENT in the mask. */
	memset(&p, 0, sizeof(p));
	p.start = X;
	p.end = X + PAGES(6);
	p.vec = (uintptr_t)regs;
	p.vec_len = MAXR;
	p.category_inverted = C_P;
	p.category_mask = C_P;
	p.return_mask = C_P;
	ASSERT_EQ(0, pagescan_raw(self->fd, &p));
	EXPECT_EQ(X + PAGES(6), p.walk_end);
	EXPECT_REGS((int)p.nr_regions, { X + PG, X + PAGES(2), 0 },
		    { X + PAGES(3), X + PAGES(6), 0 });
	/* Zero page or dirty: pages 0 and 2, reported without categories. */
	p.category_inverted = 0;
	p.category_mask = 0;
	p.category_anyof_mask = C_Z | C_D;
	p.return_mask = 0;
	ASSERT_EQ(0, pagescan_raw(self->fd, &p));
	EXPECT_REGS((int)p.nr_regions, { X, X + PG, 0 },
		    { X + PAGES(2), X + PAGES(3), 0 });
	/* Equal reported categories join across pages of different kinds. */
	p.category_anyof_mask = C_A;
	p.return_mask = C_A;
	ASSERT_EQ(0, pagescan_raw(self->fd, &p));
	EXPECT_REGS((int)p.nr_regions, { X, X + PG, C_A },
		    { X + PAGES(2), X + PAGES(3), C_A });
	p.category_anyof_mask = 0;
	ASSERT_EQ(0, pagescan_raw(self->fd, &p));
	EXPECT_REGS((int)p.nr_regions, { X, X + PG, C_A },
		    { X + PG, X + PAGES(2), 0 },
		    { X + PAGES(2), X + PAGES(3), C_A },
		    { X + PAGES(3), X + PAGES(6), 0 });
}

TEST_F(ps, max_pages_and_holes)
{
	struct aspace_pagescan p;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, X + PAGES(6), PAGES(4), P_R,
				 M_PRIV | M_FIXED, NULL));
	/* The hole between the VMAs is no page: two regions. */
	EXPECT_REGS(SCAN(0, TASK_SIZE_4L, 0), { X, X + PAGES(4), 0 },
		    { X + PAGES(6), X + PAGES(10), 0 });
	memset(&p, 0, sizeof(p));
	p.start = X;
	p.end = X + PAGES(10);
	p.vec = (uintptr_t)regs;
	p.vec_len = MAXR;
	p.max_pages = 5;
	ASSERT_EQ(0, pagescan_raw(self->fd, &p));
	EXPECT_REGS((int)p.nr_regions, { X, X + PAGES(4), 0 },
		    { X + PAGES(6), X + PAGES(7), 0 });
	EXPECT_EQ(X + PAGES(7), p.walk_end);
	/* Exactly used up at the end of a VMA: stops at the next page. */
	p.max_pages = 4;
	ASSERT_EQ(0, pagescan_raw(self->fd, &p));
	EXPECT_REGS((int)p.nr_regions, { X, X + PAGES(4), 0 });
	EXPECT_EQ(X + PAGES(6), p.walk_end);
	/* No room: stops at the first page to report. */
	p.vec = 0;
	p.vec_len = 0;
	p.max_pages = 0;
	p.start = 0;
	p.end = TASK_SIZE_4L;
	ASSERT_EQ(0, pagescan_raw(self->fd, &p));
	EXPECT_EQ(0, p.nr_regions);
	EXPECT_EQ(X, p.walk_end);
}

/* Many regions, 5 at a time from walk_end: the same as one call. */
TEST_F(ps, resume)
{
	struct aspace_pagescan p;
	unsigned int i, calls = 0;
	int whole;
	__u64 n = 0;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(1200), P_RW,
				 M_PRIV | M_FIXED, NULL));
	for (i = 0; i < 1200; i += 3)
		ASSERT_EQ(0, mem_access(self->fd, i % 2 ? ASPACE_ACCESS_READ :
					ASPACE_ACCESS_WRITE, X + PAGES(i), 1,
					NULL, NULL));
	whole = SCAN(0, TASK_SIZE_4L, 0);
	ASSERT_GT(whole, 700);
	memset(&p, 0, sizeof(p));
	p.end = TASK_SIZE_4L;
	p.return_mask = ALL;
	do {
		p.vec = (uintptr_t)(more + n);
		p.vec_len = 5;
		ASSERT_EQ(0, pagescan_raw(self->fd, &p));
		n += p.nr_regions;
		ASSERT_GT(p.walk_end, p.start);
		p.start = p.walk_end;
		ASSERT_LT(++calls, MAXR);
	} while (p.walk_end < TASK_SIZE_4L);
	EXPECT_EQ((__u64)whole, n);
	EXPECT_EQ(0, memcmp(regs, more, n * sizeof(regs[0])));
}

/* A huge VMA with a few pages: absent tables cost nothing page by page. */
TEST_F(ps, huge_sparse_vma)
{
	const __u64 len = 1ULL << 40;	/* 1 TiB: 2^28 pages */
	unsigned char b = 1;

	ASSERT_EQ(0, aspace_mmap(self->fd, 1ULL << 40, len, P_RW,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, (1ULL << 40) + (1ULL << 39)));
	EXPECT_REGS(SCAN(0, TASK_SIZE_4L, 0),
		    { 1ULL << 40, (1ULL << 40) + (1ULL << 39), 0 },
		    { (1ULL << 40) + (1ULL << 39),
		      (1ULL << 40) + (1ULL << 39) + PG, C_OWN },
		    { (1ULL << 40) + (1ULL << 39) + PG, 2ULL << 40, 0 });
	ASSERT_EQ(0, clear_refs(self->fd, 0, TASK_SIZE_4L,
				ASPACE_CLEAR_ACCESSED));
	EXPECT_EQ(0, SCAN(0, TASK_SIZE_4L, C_A));
}

TEST_F(ps, bad_input)
{
	struct aspace_pagescan p;
	struct aspace_clear_refs c;

	EXPECT_EQ(-EINVAL, SCAN(1, PG, 0));
	EXPECT_EQ(-EFAULT, SCAN(0, TASK_SIZE_4L + 1, 0));
	EXPECT_EQ(-EFAULT, SCAN(PAGES(2), PG, 0));
	EXPECT_EQ(-EINVAL, SCAN(0, PG, ALL + 1));
	EXPECT_EQ(-EINVAL, pagescan(self->fd, 0, PG, 0, 0x100, regs, MAXR));
	EXPECT_EQ(-EINVAL, pagescan(self->fd, 0, PG, 0, 0, NULL, 1));
	memset(&p, 0, sizeof(p));
	p.flags = 1;
	EXPECT_EQ(-EINVAL, pagescan_raw(self->fd, &p));
	p.flags = 0;
	p.category_inverted = 1ULL << 8;
	EXPECT_EQ(-EINVAL, pagescan_raw(self->fd, &p));
	p.category_inverted = 0;
	p.category_anyof_mask = 1ULL << 63;
	EXPECT_EQ(-EINVAL, pagescan_raw(self->fd, &p));
	p.category_anyof_mask = 0;
	EXPECT_EQ(0, pagescan_raw(self->fd, &p));	/* empty range */
	EXPECT_EQ(0, p.walk_end);

	EXPECT_EQ(-EINVAL, clear_refs(self->fd, 0, PG, 0));
	EXPECT_EQ(-EINVAL, clear_refs(self->fd, 0, PG, 4));
	EXPECT_EQ(-EINVAL, clear_refs(self->fd, 1, PG, ASPACE_CLEAR_DIRTY));
	EXPECT_EQ(-EFAULT, clear_refs(self->fd, 0, TASK_SIZE_4L + 1,
				      ASPACE_CLEAR_DIRTY));
	memset(&c, 0, sizeof(c));
	c.size = offsetof(struct aspace_clear_refs, end);
	c.flags = ASPACE_CLEAR_DIRTY;
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_CLEAR_REFS, &c));
}

/*
 * The Accessed and Dirty bits a clone gives the copy, as Linux's fork()
 * (copy_present_pte()): an entry for a page both sides map (copy-on-write,
 * the zero page, MAP_SHARED) is old, and clean if shared; a private one
 * keeps its Dirty bit.  A page an eager clone copies is the copy's own,
 * young and dirty (copy_present_page()).  The parent keeps its bits.
 * Page i of each mapping: 0 the zero page (private) or read (shared),
 * then written and left A|D, A, D, or neither.
 */
TEST_F(ps, clone_makes_the_child_old)
{
	static const __u64 bits[] = {
		ASPACE_PTE_ACCESSED, PTE_AD, ASPACE_PTE_ACCESSED,
		ASPACE_PTE_DIRTY, 0,
	};
	static const __u32 clear[] = {
		0, 0, ASPACE_CLEAR_DIRTY, ASPACE_CLEAR_ACCESSED,
		ASPACE_CLEAR_ACCESSED | ASPACE_CLEAR_DIRTY,
	};
	const __u64 base[2] = { X, X + PAGES(16) };
	unsigned char b = 3;
	int c[2], i, m, e;
	__u64 a, want;

	ASSERT_EQ(0, aspace_mmap(self->fd, base[0], PAGES(5), P_RW,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, base[1], PAGES(5), P_RW,
				 M_SHARED | M_FIXED, NULL));
	for (m = 0; m < 2; m++) {
		ASSERT_EQ(1, mem_pread(self->fd, &b, 1, base[m]));
		for (i = 1; i < 5; i++) {
			a = base[m] + PAGES(i);
			ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, a));
			if (clear[i])
				ASSERT_EQ(0, clear_refs(self->fd, a, a + PG,
							clear[i]));
		}
	}
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &c[0]));
	ASSERT_EQ(0, aspace_clone(self->fd, ASPACE_CLONE_EAGER, &c[1]));
	for (m = 0; m < 2; m++) {
		for (i = 0; i < 5; i++) {
			a = base[m] + PAGES(i);
			EXPECT_EQ(bits[i], leaf_entry(self->fd, a) & PTE_AD)
				TH_LOG("parent, %s page %d",
				       m ? "shared" : "private", i);
			for (e = 0; e < 2; e++) {
				want = m ? 0 : bits[i] & ASPACE_PTE_DIRTY;
				if (e && !m && i)
					want = PTE_AD;
				EXPECT_EQ(want, leaf_entry(c[e], a) & PTE_AD)
					TH_LOG("%s clone, %s page %d",
					       e ? "eager" : "cow",
					       m ? "shared" : "private", i);
			}
		}
	}
	/* PAGESCAN says so too: nothing in the copy-on-write clone accessed. */
	EXPECT_EQ(0, pagescan(c[0], X, X + PAGES(32), C_A, ALL, regs, MAXR));
	EXPECT_EQ(0, pagescan(c[0], base[1], base[1] + PAGES(5), C_D, ALL,
			      regs, MAXR));
	close(c[1]);
	close(c[0]);
}

TEST_HARNESS_MAIN
