// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of demand paging, counted step by step: a read of
 * never-written private memory maps the shared zero page (no data page,
 * zero_page_maps and faults + 1); the first write replaces it with a
 * private zeroed page (resident + 1); a write first allocates at once;
 * MAP_SHARED memory gets its page on the first access of either kind;
 * MAP_POPULATE and MADV_POPULATE_* fault everything in now; the zero page
 * is never written through, even after mprotect makes its VMA writable;
 * page tables appear on the first touch and go on munmap; a faulting
 * access allocates nothing.  In 4- and 5-level layouts.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"

#define F	ARENA_LOW

FIXTURE(dp) {
	int fd;
	bool la57;
};

FIXTURE_VARIANT(dp) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(dp, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(dp, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_SETUP(dp)
{
	self->la57 = variant->layout & ASPACE_LAYOUT_LA57;
	self->fd = open_layout(variant->layout);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dp)
{
	close(self->fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

/* One access; it must not fault (or fault as told, with @code). */
static int acc(int fd, __u32 kind, __u64 addr, __u64 len, void *buf)
{
	struct aspace_access a;
	int ret;

	ret = mem_access(fd, kind, addr, len, buf, &a);
	if (ret)
		return ret;
	return a.signo ? a.si_code : 0;
}

#define R	ASPACE_ACCESS_READ
#define W	ASPACE_ACCESS_WRITE
#define X	ASPACE_ACCESS_EXEC

#define MOVED(a, b, res, flt, zero, cow)				\
	EXPECT_TRUE(stats_moved(&(a), &(b), res, flt, zero, cow))

TEST_F(dp, read_maps_the_zero_page_then_write_allocates)
{
	unsigned char buf[64];
	struct aspace_stats a, b;
	unsigned int i;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	a = mem_stats(self->fd);
	EXPECT_EQ(0, a.resident_pages);
	EXPECT_EQ(0, a.faults);
	EXPECT_EQ(0, a.zero_page_maps);
	EXPECT_EQ(0, a.cow_breaks);

	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, acc(self->fd, R, F + 100, 64, buf));
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, buf[i]);
	b = mem_stats(self->fd);
	MOVED(a, b, 0, 1, 1, 0);
	EXPECT_EQ(0, sysfs_pages_data());

	/* Again: mapped already, nothing moves. */
	ASSERT_EQ(0, acc(self->fd, R, F, PG, NULL));
	a = mem_stats(self->fd);
	MOVED(b, a, 0, 0, 0, 0);

	/* The first write replaces the zero page. */
	memset(buf, 0x5c, sizeof(buf));
	ASSERT_EQ(0, acc(self->fd, W, F + 8, 1, buf));
	b = mem_stats(self->fd);
	MOVED(a, b, 1, 1, 0, 0);
	EXPECT_EQ(1, sysfs_pages_data());
	ASSERT_EQ(0, acc(self->fd, R, F, 64, buf));
	for (i = 0; i < 64; i++)
		ASSERT_EQ(i == 8 ? 0x5c : 0, buf[i]);

	/* Now writable: no more faults. */
	ASSERT_EQ(0, acc(self->fd, W, F, PG, NULL));
	ASSERT_EQ(0, acc(self->fd, R, F, PG, NULL));
	a = mem_stats(self->fd);
	MOVED(b, a, 0, 0, 0, 0);
}

TEST_F(dp, write_first_allocates_at_once)
{
	struct aspace_stats a, b;
	unsigned char buf[PAGES(3)];

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(8), P_RW, M_PRIV | M_FIXED,
				 NULL));
	a = mem_stats(self->fd);
	memset(buf, 1, sizeof(buf));
	/* Three pages, unaligned: pages 0..3 touched. */
	ASSERT_EQ(0, acc(self->fd, W, F + PG - 1, PAGES(2) + 2, buf));
	b = mem_stats(self->fd);
	MOVED(a, b, 4, 4, 0, 0);
	EXPECT_EQ(4, sysfs_pages_data());
	ASSERT_EQ(0, acc(self->fd, R, F, PAGES(3), buf));
	a = mem_stats(self->fd);
	MOVED(b, a, 0, 0, 0, 0);
	EXPECT_EQ(0, buf[PG - 2]);
	EXPECT_EQ(1, buf[PG - 1]);
	EXPECT_EQ(1, buf[PAGES(3) - 1]);
}

/* A fetch of never-written code maps the zero page too (a read fault). */
TEST_F(dp, fetch_maps_the_zero_page)
{
	struct aspace_stats a, b;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(2), P_RX,
				 M_PRIV | M_FIXED, NULL));
	a = mem_stats(self->fd);
	ASSERT_EQ(0, acc(self->fd, X, F, PAGES(2), NULL));
	b = mem_stats(self->fd);
	MOVED(a, b, 0, 2, 2, 0);
	EXPECT_EQ(0, sysfs_pages_data());
}

/*
 * The zero page is never written through: not after mprotect makes its
 * VMA writable, not through another address space, not by pwrite.
 */
TEST_F(dp, zero_page_is_never_written)
{
	struct aspace_stats a, b;
	unsigned char buf[PG];
	unsigned int i;
	int other;

	other = aspace_open(0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, aspace_mmap(other, F, PG, P_R, M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, acc(other, R, F, PG, NULL));

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_R, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, acc(self->fd, R, F, PAGES(4), NULL));
	EXPECT_EQ(SEGV_ACCERR, acc(self->fd, W, F, 1, buf));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(2), P_RW));
	a = mem_stats(self->fd);
	memset(buf, 0x77, sizeof(buf));
	ASSERT_EQ(0, acc(self->fd, W, F, PG, buf));
	b = mem_stats(self->fd);
	MOVED(a, b, 1, 1, 0, 0);
	/* A pwrite into the read-only part makes its own copy too. */
	EXPECT_EQ(PG, mem_pwrite(self->fd, buf, PG, F + PAGES(2)));
	a = mem_stats(self->fd);
	MOVED(b, a, 1, 1, 0, 0);
	for (i = 0; i < 4; i++) {
		memset(buf, 0xee, sizeof(buf));
		ASSERT_EQ(PG, mem_pread(self->fd, buf, PG, F + PAGES(i)));
		EXPECT_EQ(i % 2 ? 0 : 0x77, buf[PG - 1]) {
			TH_LOG("page %u", i);
		}
	}
	memset(buf, 0xee, sizeof(buf));
	ASSERT_EQ(PG, mem_pread(other, buf, PG, F));
	for (i = 0; i < PG; i++)
		ASSERT_EQ(0, buf[i]);
	close(other);
}

/*
 * MAP_SHARED memory gets its page on the first access of either kind,
 * never the zero page.
 */
TEST_F(dp, shared_gets_its_page_on_first_access)
{
	struct aspace_stats a, b;
	unsigned char buf[16];

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW,
				 M_SHARED | M_FIXED, NULL));
	a = mem_stats(self->fd);
	ASSERT_EQ(0, acc(self->fd, R, F, 16, buf));
	b = mem_stats(self->fd);
	MOVED(a, b, 1, 1, 0, 0);
	EXPECT_EQ(1, sysfs_pages_data());
	/* A write to it allocates nothing more. */
	ASSERT_EQ(0, acc(self->fd, W, F, 16, buf));
	a = mem_stats(self->fd);
	MOVED(b, a, 0, ANY, 0, 0);
	/* A write first. */
	ASSERT_EQ(0, acc(self->fd, W, F + PAGES(2), 16, buf));
	b = mem_stats(self->fd);
	MOVED(a, b, 1, 1, 0, 0);
	EXPECT_EQ(2, sysfs_pages_data());
	/* Read-only shared memory too. */
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(3), PG, P_R));
	ASSERT_EQ(0, acc(self->fd, R, F + PAGES(3), 1, buf));
	a = mem_stats(self->fd);
	MOVED(b, a, 1, 1, 0, 0);
	EXPECT_EQ(3, sysfs_pages_data());
}

TEST_F(dp, map_populate_stays_eager)
{
	struct aspace_stats a, b;

	a = mem_stats(self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(5), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	b = mem_stats(self->fd);
	MOVED(a, b, 5, 5, 0, 0);
	EXPECT_EQ(5, sysfs_pages_data());
	ASSERT_EQ(0, acc(self->fd, W, F, PAGES(5), NULL));
	ASSERT_EQ(0, acc(self->fd, R, F, PAGES(5), NULL));
	a = mem_stats(self->fd);
	MOVED(b, a, 0, 0, 0, 0);

	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(8), PAGES(3), P_RW,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	b = mem_stats(self->fd);
	MOVED(a, b, 3, 3, 0, 0);
	EXPECT_EQ(8, sysfs_pages_data());
	ASSERT_EQ(0, acc(self->fd, W, F + PAGES(8), PAGES(3), NULL));
	a = mem_stats(self->fd);
	MOVED(b, a, 0, ANY, 0, 0);
}

/*
 * MAP_POPULATE faults as Linux's populate_vma_page_range(): write faults
 * for private writable memory, read faults otherwise (the zero page for
 * private memory, the object's pages for shared), nothing for PROT_NONE.
 */
TEST_F(dp, map_populate_by_protection)
{
	static const struct {
		__u32 prot, flags;
		long long res, zero;
	} c[] = {
		{ P_RW, M_PRIV, 3, 0 }, { P_W, M_PRIV, 3, 0 },
		{ P_RWX, M_PRIV, 3, 0 }, { P_R, M_PRIV, 0, 3 },
		{ P_RX, M_PRIV, 0, 3 }, { P_X, M_PRIV, 0, 3 },
		{ 0, M_PRIV, 0, 0 }, { P_R, M_SHARED, 3, 0 },
		{ P_RW, M_SHARED, 3, 0 }, { 0, M_SHARED, 0, 0 },
	};
	struct aspace_stats a, b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		a = mem_stats(self->fd);
		ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(4 * i), PAGES(3),
					 c[i].prot,
					 c[i].flags | M_FIXED | M_POPULATE,
					 NULL));
		b = mem_stats(self->fd);
		EXPECT_TRUE(stats_moved(&a, &b, c[i].res,
					c[i].res + c[i].zero, c[i].zero, 0)) {
			TH_LOG("prot %#x flags %#x", c[i].prot, c[i].flags);
		}
	}
}

/*
 * At the resident limit a fault that needs a page fails with ENOMEM
 * (pwrite: a short count first); reads of never-written private memory
 * need none and still work; MAP_POPULATE is best effort.
 */
TEST_F(dp, resident_limit_stops_faults_that_need_a_page)
{
	static unsigned char buf[PAGES(3)];
	struct aspace_stats st;
	unsigned int i;

	ASSERT_EQ(0, set_limit(self->fd, resident_bytes, PAGES(2)));
	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(8), PAGES(2), P_RW,
				 M_SHARED | M_FIXED, NULL));
	EXPECT_EQ(0, acc(self->fd, R, F, PAGES(4), buf));
	memset(buf, 0x66, sizeof(buf));
	EXPECT_EQ(PAGES(2), mem_pwrite(self->fd, buf, PAGES(3), F));
	EXPECT_EQ(-ENOMEM, mem_pwrite(self->fd, buf, 8, F + PAGES(2)));
	EXPECT_EQ(-ENOMEM, acc(self->fd, W, F + PAGES(3), 1, buf));
	EXPECT_EQ(-ENOMEM, mem_pread(self->fd, buf, 8, F + PAGES(8)));
	EXPECT_EQ(-ENOMEM, acc(self->fd, R, F + PAGES(9), 1, buf));
	EXPECT_EQ(-ENOMEM, mem_madvise(self->fd, F, PAGES(4),
				       MADV_POPULATE_WRITE));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(12), PAGES(2), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	st = mem_stats(self->fd);
	EXPECT_EQ(2, st.resident_pages);
	/* A refused fault allocates nothing, shared memory included. */
	EXPECT_EQ(2, sysfs_pages_data());
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(16), PAGES(16), P_RW,
				 M_SHARED | M_FIXED, NULL));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(-ENOMEM, acc(self->fd, R, F + PAGES(16 + i), 1,
				       buf));
	EXPECT_EQ(2, sysfs_pages_data()) {
		TH_LOG("refused faults on shared memory left pages behind");
	}
	/* Never-written private memory still reads, as zeros. */
	EXPECT_EQ(0, acc(self->fd, R, F + PAGES(12), PAGES(2), buf));
	EXPECT_EQ(PAGES(2), mem_pread(self->fd, buf, PAGES(2), F + PAGES(2)));
	for (i = 0; i < PAGES(2); i++)
		ASSERT_EQ(0, buf[i]);
	/* Raised: everything works again. */
	ASSERT_EQ(0, set_limit(self->fd, resident_bytes, PAGES(1024)));
	memset(buf, 0x67, sizeof(buf));
	EXPECT_EQ(0, acc(self->fd, W, F + PAGES(2), PAGES(2), buf));
	EXPECT_EQ(8, mem_pread(self->fd, buf, 8, F + PAGES(8)));
	ASSERT_EQ(PAGES(3), mem_pread(self->fd, buf, PAGES(3), F + PG));
	EXPECT_EQ(0x66, buf[0]);
	EXPECT_EQ(0x67, buf[PG]);
	EXPECT_EQ(0x67, buf[PAGES(3) - 1]);
}

TEST_F(dp, madv_populate_read_then_write)
{
	struct aspace_stats a, b;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(6), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, acc(self->fd, W, F + PAGES(5), 1, NULL));
	a = mem_stats(self->fd);
	/* Pages 0..4 get the zero page; page 5 has its own already. */
	ASSERT_EQ(0, mem_madvise(self->fd, F, PAGES(6), MADV_POPULATE_READ));
	b = mem_stats(self->fd);
	MOVED(a, b, 0, 5, 5, 0);
	EXPECT_EQ(1, sysfs_pages_data());
	ASSERT_EQ(0, mem_madvise(self->fd, F, PAGES(6), MADV_POPULATE_READ));
	a = mem_stats(self->fd);
	MOVED(b, a, 0, 0, 0, 0);
	/* A write populate replaces pages 1 and 2 (unaligned length). */
	ASSERT_EQ(0, mem_madvise(self->fd, F + PG, PG + 1,
				 MADV_POPULATE_WRITE));
	b = mem_stats(self->fd);
	MOVED(a, b, 2, 2, 0, 0);
	EXPECT_EQ(3, sysfs_pages_data());
	ASSERT_EQ(0, mem_madvise(self->fd, F, PAGES(6), MADV_POPULATE_WRITE));
	a = mem_stats(self->fd);
	MOVED(b, a, 3, 3, 0, 0);
	ASSERT_EQ(0, mem_madvise(self->fd, F, PAGES(6), MADV_POPULATE_WRITE));
	b = mem_stats(self->fd);
	MOVED(a, b, 0, 0, 0, 0);
	EXPECT_EQ(6, sysfs_pages_data());
	/* Shared memory: a read populate allocates. */
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(8), PAGES(2), P_RW,
				 M_SHARED | M_FIXED, NULL));
	ASSERT_EQ(0, mem_madvise(self->fd, F + PAGES(8), PAGES(2),
				 MADV_POPULATE_READ));
	a = mem_stats(self->fd);
	MOVED(b, a, 2, 2, 0, 0);
	EXPECT_EQ(8, sysfs_pages_data());
}

/* The page-table pages each level needs for one page at @addr. */
static bool tables_are(const struct aspace_stats *st, bool la57,
		       unsigned int pt, unsigned int pd, unsigned int pdpt,
		       unsigned int p4)
{
	__u64 want[5] = { pt, pd, pdpt, la57 ? p4 : 1, la57 ? 1 : 0 };

	if (!memcmp(st->pgtable_pages, want, sizeof(want)))
		return true;
	fprintf(stderr,
		"#   page tables %llu %llu %llu %llu %llu, want %llu %llu %llu %llu %llu\n",
		(unsigned long long)st->pgtable_pages[0],
		(unsigned long long)st->pgtable_pages[1],
		(unsigned long long)st->pgtable_pages[2],
		(unsigned long long)st->pgtable_pages[3],
		(unsigned long long)st->pgtable_pages[4],
		(unsigned long long)want[0], (unsigned long long)want[1],
		(unsigned long long)want[2], (unsigned long long)want[3],
		(unsigned long long)want[4]);
	return false;
}

/*
 * No page table before the first touch; one per level after it (also
 * for the zero page); all gone after munmap.
 */
TEST_F(dp, page_tables_on_first_touch_freed_on_munmap)
{
	struct aspace_stats st;
	const __u64 far = self->la57 ? ARENA_HIGH : 0x700000000000ULL;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, far, PAGES(4), P_R,
				 M_PRIV | M_FIXED, NULL));
	st = mem_stats(self->fd);
	EXPECT_TRUE(pgtables_root_only(&st, self->la57));
	EXPECT_EQ(1, sysfs_pages_pgtable());

	/* A read: the zero page needs its tables too. */
	ASSERT_EQ(0, acc(self->fd, R, F, 1, NULL));
	st = mem_stats(self->fd);
	EXPECT_TRUE(tables_are(&st, self->la57, 1, 1, 1, 1));
	ASSERT_EQ(0, acc(self->fd, W, F + PAGES(3), 1, NULL));
	st = mem_stats(self->fd);
	EXPECT_TRUE(tables_are(&st, self->la57, 1, 1, 1, 1));
	/* Far away: a table at every level below the root. */
	ASSERT_EQ(0, acc(self->fd, R, far + PG, 1, NULL));
	st = mem_stats(self->fd);
	EXPECT_TRUE(tables_are(&st, self->la57, 2, 2, 2, 2));
	EXPECT_EQ(pgtables_total(&st), sysfs_pages_pgtable());

	ASSERT_EQ(0, aspace_munmap(self->fd, far, PAGES(4)));
	st = mem_stats(self->fd);
	EXPECT_TRUE(tables_are(&st, self->la57, 1, 1, 1, 1));
	ASSERT_EQ(0, aspace_munmap(self->fd, F, PAGES(4)));
	st = mem_stats(self->fd);
	EXPECT_TRUE(pgtables_root_only(&st, self->la57));
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_EQ(0, sysfs_pages_data());
	EXPECT_EQ(1, sysfs_pages_pgtable());
}

/*
 * An access that faults at once allocates nothing, not even a page
 * table; one that faults part-way allocates only what it did.
 */
TEST_F(dp, faulting_access_allocates_nothing)
{
	struct aspace_stats a, b;
	struct aspace_access r;
	unsigned char buf[PAGES(2)];

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PG, P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PG, PG, P_R, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(2), PG, 0,
				 M_PRIV | M_FIXED, NULL));
	a = mem_stats(self->fd);
	EXPECT_EQ(SEGV_ACCERR, acc(self->fd, W, F + PG, 1, buf));
	EXPECT_EQ(SEGV_ACCERR, acc(self->fd, R, F + PAGES(2), 1, buf));
	EXPECT_EQ(SEGV_ACCERR, acc(self->fd, X, F, 1, buf));
	EXPECT_EQ(SEGV_MAPERR, acc(self->fd, R, F + PAGES(3), 1, buf));
	EXPECT_EQ(SEGV_MAPERR, acc(self->fd, W, 0x200000000000ULL, 1, buf));
	b = mem_stats(self->fd);
	MOVED(a, b, 0, 0, 0, 0);
	EXPECT_TRUE(pgtables_root_only(&b, self->la57));
	EXPECT_EQ(0, sysfs_pages_data());

	/* Part-way: the first page is written, the second not touched. */
	memset(buf, 3, sizeof(buf));
	ASSERT_EQ(0, mem_access(self->fd, W, F + 10, PAGES(2), buf, &r));
	EXPECT_EQ(SEGV_ACCERR, r.si_code);
	EXPECT_EQ(F + PG, r.fault_addr);
	EXPECT_EQ(PG - 10, r.done);
	a = mem_stats(self->fd);
	MOVED(b, a, 1, 1, 0, 0);
	/* Part-way read: one zero page, then the PROT_NONE page. */
	ASSERT_EQ(0, mem_access(self->fd, R, F + PG, PAGES(2), buf, &r));
	EXPECT_EQ(SEGV_ACCERR, r.si_code);
	EXPECT_EQ(F + PAGES(2), r.fault_addr);
	b = mem_stats(self->fd);
	MOVED(a, b, 0, 1, 1, 0);
}

/* One fault per page of a long access, one zero-page map per page. */
TEST_F(dp, long_access_counts_every_page)
{
	struct aspace_stats a, b;
	static unsigned char buf[PAGES(64)];

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(64), P_RW,
				 M_PRIV | M_FIXED, NULL));
	a = mem_stats(self->fd);
	ASSERT_EQ(0, acc(self->fd, R, F + 1, PAGES(40), buf));
	b = mem_stats(self->fd);
	MOVED(a, b, 0, 41, 41, 0);
	ASSERT_EQ(0, acc(self->fd, W, F + PAGES(20), PAGES(44), buf));
	a = mem_stats(self->fd);
	MOVED(b, a, 44, 44, 0, 0);
	EXPECT_EQ(44, sysfs_pages_data());
	EXPECT_EQ(44, a.resident_pages);
}

/* munmap gives data pages back at once; zero-page maps are no pages. */
TEST_F(dp, munmap_frees_data_pages)
{
	struct aspace_stats st;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(8), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, acc(self->fd, W, F, PAGES(4), NULL));
	ASSERT_EQ(0, acc(self->fd, R, F + PAGES(4), PAGES(4), NULL));
	EXPECT_EQ(4, sysfs_pages_data());
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PAGES(2), PAGES(4)));
	st = mem_stats(self->fd);
	EXPECT_EQ(2, st.resident_pages);
	EXPECT_EQ(2, sysfs_pages_data());
	/* Mapped again: never written memory again. */
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(2), PAGES(4), P_RW,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, acc(self->fd, R, F + PAGES(2), PAGES(4), NULL));
	st = mem_stats(self->fd);
	EXPECT_EQ(2, st.resident_pages);
	EXPECT_EQ(2, sysfs_pages_data());
}

/* MAP_FIXED over touched memory frees its pages and starts afresh. */
TEST_F(dp, map_fixed_over_touched_memory)
{
	unsigned char buf[8];
	struct aspace_stats st;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	memset(buf, 9, sizeof(buf));
	ASSERT_EQ(0, acc(self->fd, W, F, PAGES(4), NULL));
	ASSERT_EQ(0, acc(self->fd, W, F + PG, 8, buf));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PG, PAGES(2), P_RW,
				 M_PRIV | M_FIXED, NULL));
	st = mem_stats(self->fd);
	EXPECT_EQ(2, st.resident_pages);
	EXPECT_EQ(2, sysfs_pages_data());
	ASSERT_EQ(0, acc(self->fd, R, F + PG, 8, buf));
	EXPECT_EQ(0, buf[0]);
}

TEST_HARNESS_MAIN
