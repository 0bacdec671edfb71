// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_PTDUMP: ranges of equal entries with
 * their level, holes at the level of the empty entry, the bits kept by a
 * mask, PROT_NONE, the page-table pages per level against STATS, a dump
 * resumed from walk_end in small pieces equal to a dump in one call, 4-
 * and 5-level paging, and bad input.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"
#include "aspace_introspect_util.h"

#define X	FIXED_AREA		/* 4 GiB: PML4 slot 0, PDPT slot 4 */
#define GB	0x40000000ULL
#define MB2	(2ULL << 20)
#define MAXE	4096

static struct aspace_ptdump_entry ents[MAXE], more[MAXE];

FIXTURE(pd) {
	int fd;
};

FIXTURE_SETUP(pd)
{
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(pd)
{
	close(self->fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

/* One expected range. */
struct ent_exp {
	__u64 start, end, flags;
	__u32 level;
};

static bool ents_match(struct __test_metadata *_metadata,
		       const struct aspace_ptdump_entry *e, __u64 n,
		       const struct ent_exp *x, unsigned int nx)
{
	unsigned int i;

	EXPECT_EQ(nx, n);
	for (i = 0; i < n && i < nx; i++) {
		EXPECT_EQ(x[i].start, e[i].start) TH_LOG("range %u", i);
		EXPECT_EQ(x[i].end, e[i].end) TH_LOG("range %u", i);
		EXPECT_EQ(x[i].flags, e[i].flags) TH_LOG("range %u", i);
		EXPECT_EQ(x[i].level, e[i].level) TH_LOG("range %u", i);
		EXPECT_EQ(0, e[i].reserved);
	}
	if (!_metadata->passed)
		for (i = 0; i < n; i++)
			TH_LOG("%u: %#llx-%#llx %#llx L%u", i,
			       (unsigned long long)e[i].start,
			       (unsigned long long)e[i].end,
			       (unsigned long long)e[i].flags, e[i].level);
	return _metadata->passed;
}

#define EXPECT_ENTS(e, n, ...) do {					\
	const struct ent_exp _x[] = { __VA_ARGS__ };			\
	EXPECT_TRUE(ents_match(_metadata, e, n, _x, ARRAY_SIZE(_x)));	\
} while (0)

static void expect_tables(struct __test_metadata *_metadata, int fd,
			  const __u64 *tables)
{
	struct aspace_stats st;
	unsigned int l;

	ASSERT_EQ(0, aspace_stats(fd, &st));
	for (l = 0; l < 5; l++)
		EXPECT_EQ(st.pgtable_pages[l], tables[l]) TH_LOG("level %u", l);
}

TEST_F(pd, empty)
{
	struct aspace_ptdump d;

	ASSERT_EQ(0, ptdump(self->fd, 0, TASK_SIZE_4L, 0, 0, ents, MAXE, &d));
	EXPECT_EQ(sizeof(d), d.size);
	EXPECT_EQ(0, d.nr_entries);
	EXPECT_EQ(TASK_SIZE_4L, d.walk_end);
	expect_tables(_metadata, self->fd, d.pgtable_pages);
	EXPECT_EQ(1, d.pgtable_pages[3]);
	/* With holes: the whole user half, one range of empty PML4 slots. */
	ASSERT_EQ(0, ptdump(self->fd, 0, TASK_SIZE_4L, ASPACE_PTDUMP_HOLES, 0,
			    ents, MAXE, &d));
	EXPECT_ENTS(ents, d.nr_entries, { 0, TASK_SIZE_4L, 0, 3 });
	/* An empty range: nothing, complete; tables not counted. */
	ASSERT_EQ(0, ptdump(self->fd, 0, 0, 0, 0, ents, MAXE, &d));
	EXPECT_EQ(0, d.nr_entries);
	EXPECT_EQ(0, d.walk_end);
	EXPECT_EQ(0, d.pgtable_pages[3]);
}

/* Ranges split where the entries differ, joined where they are equal. */
TEST_F(pd, ranges_and_levels)
{
	struct aspace_ptdump d;
	unsigned char b = 0;
	__u64 p;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(8), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mprotect(self->fd, X + PAGES(3), PAGES(2), P_R));
	ASSERT_EQ(0, aspace_mprotect(self->fd, X + PAGES(5), PAGES(1), 0));
	ASSERT_EQ(0, aspace_mmap(self->fd, X + MB2, PAGES(2), P_RW,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(1, mem_pread(self->fd, &b, 1, X + MB2));	/* zero page */
	ASSERT_EQ(0, ptdump(self->fd, 0, TASK_SIZE_4L, 0, 0, ents, MAXE, &d));
	EXPECT_EQ(TASK_SIZE_4L, d.walk_end);
	EXPECT_ENTS(ents, d.nr_entries,
		    { X, X + PAGES(3), PTE_RW | PTE_AD, 0 },
		    { X + PAGES(3), X + PAGES(5), PTE_RO | PTE_AD, 0 },
		    { X + PAGES(5), X + PAGES(6),
		      ASPACE_PTE_PROTNONE | ASPACE_PTE_NX | PTE_AD, 0 },
		    { X + PAGES(6), X + PAGES(8), PTE_RW | PTE_AD, 0 },
		    { X + MB2, X + MB2 + PG,
		      PTE_RO | ASPACE_PTE_COW | ASPACE_PTE_ACCESSED, 0 });
	expect_tables(_metadata, self->fd, d.pgtable_pages);
	EXPECT_EQ(2, d.pgtable_pages[0]);

	/* With a mask of the protection bits, the zero page joins nothing. */
	ASSERT_EQ(0, ptdump(self->fd, X, X + GB, 0,
			    ASPACE_PTE_RW | ASPACE_PTE_USER | ASPACE_PTE_NX,
			    ents, MAXE, &d));
	p = ASPACE_PTE_PRESENT;
	EXPECT_ENTS(ents, d.nr_entries,
		    { X, X + PAGES(3), PTE_RW, 0 },
		    { X + PAGES(3), X + PAGES(5), PTE_RO, 0 },
		    { X + PAGES(5), X + PAGES(6),
		      ASPACE_PTE_PROTNONE | ASPACE_PTE_NX, 0 },
		    { X + PAGES(6), X + PAGES(8), PTE_RW, 0 },
		    { X + MB2, X + MB2 + PG, PTE_RO, 0 });
	/* Only the present bit: everything mapped and present is alike. */
	ASSERT_EQ(0, ptdump(self->fd, X, X + PAGES(5), 0, p, ents, MAXE, &d));
	EXPECT_ENTS(ents, d.nr_entries, { X, X + PAGES(5), p, 0 });
}

/* Holes show at the level of the entry that is empty. */
TEST_F(pd, holes)
{
	struct aspace_ptdump d;
	const __u64 f = PTE_RW | PTE_AD;

	ASSERT_EQ(0, aspace_mmap(self->fd, X + PG, PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, ptdump(self->fd, 0, TASK_SIZE_4L, ASPACE_PTDUMP_HOLES, 0,
			    ents, MAXE, &d));
	EXPECT_ENTS(ents, d.nr_entries,
		    { 0, X, 0, 2 },			/* PDPT slots 0-3 */
		    { X, X + PG, 0, 0 },		/* PT slot 0 */
		    { X + PG, X + PAGES(2), f, 0 },
		    { X + PAGES(2), X + MB2, 0, 0 },	/* PT slots 2-511 */
		    { X + MB2, X + GB, 0, 1 },		/* PD slots 1-511 */
		    { X + GB, 512 * GB, 0, 2 },		/* PDPT slots 5-511 */
		    { 512 * GB, TASK_SIZE_4L, 0, 3 });	/* PML4 1-255 */
	/* A range inside: clipped to it. */
	ASSERT_EQ(0, ptdump(self->fd, PAGES(16), X + PAGES(3),
			    ASPACE_PTDUMP_HOLES, 0, ents, MAXE, &d));
	EXPECT_ENTS(ents, d.nr_entries,
		    { PAGES(16), X, 0, 2 },
		    { X, X + PG, 0, 0 },
		    { X + PG, X + PAGES(2), f, 0 },
		    { X + PAGES(2), X + PAGES(3), 0, 0 });
	/* Tables whose first address is in the range: PT and PD, not more. */
	EXPECT_EQ(1, d.pgtable_pages[0]);
	EXPECT_EQ(1, d.pgtable_pages[1]);
	EXPECT_EQ(0, d.pgtable_pages[2]);
	EXPECT_EQ(0, d.pgtable_pages[3]);
}

/*
 * 600 ranges over three page tables, dumped 7 at a time from walk_end:
 * the same ranges as one call, and table counts that add up to STATS.
 */
static void resumed_equals_whole(struct __test_metadata *_metadata, int fd,
				 __u32 flags, __u64 task_size)
{
	struct aspace_ptdump d;
	__u64 n = 0, start = 0, sum[5] = { 0 }, whole;
	unsigned int l, calls = 0;

	ASSERT_EQ(0, ptdump(fd, 0, task_size, flags, 0, ents, MAXE, &d));
	ASSERT_EQ(task_size, d.walk_end);
	whole = d.nr_entries;
	expect_tables(_metadata, fd, d.pgtable_pages);
	do {
		ASSERT_EQ(0, ptdump(fd, start, task_size, flags, 0, more + n,
				    7, &d));
		ASSERT_LE(d.nr_entries, 7);
		if (d.walk_end < task_size)
			ASSERT_EQ(7, d.nr_entries);
		n += d.nr_entries;
		for (l = 0; l < 5; l++)
			sum[l] += d.pgtable_pages[l];
		ASSERT_GT(d.walk_end, start);
		start = d.walk_end;
		ASSERT_LT(++calls, MAXE);
	} while (start < task_size);
	EXPECT_EQ(whole, n);
	EXPECT_EQ(0, memcmp(ents, more, n * sizeof(ents[0])));
	expect_tables(_metadata, fd, sum);
}

TEST_F(pd, resume)
{
	unsigned int i;

	/* Pages 0, 2, 4, ... of three tables' worth, every other one RO. */
	ASSERT_EQ(0, aspace_mmap(self->fd, X, 3 * MB2, P_RW,
				 M_PRIV | M_FIXED, NULL));
	for (i = 0; i < 3 * 512; i += 2)
		ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE,
					X + PAGES(i), 1, NULL, NULL));
	for (i = 0; i < 3 * 512; i += 4)
		ASSERT_EQ(0, aspace_mprotect(self->fd, X + PAGES(i), PG, P_R));
	resumed_equals_whole(_metadata, self->fd, 0, TASK_SIZE_4L);
	resumed_equals_whole(_metadata, self->fd, ASPACE_PTDUMP_HOLES,
			     TASK_SIZE_4L);
}

TEST_F(pd, five_levels)
{
	struct aspace_ptdump d;
	unsigned char b = 1;

	ASSERT_EQ(0, set_layout_flags(self->fd, ASPACE_LAYOUT_LA57));
	ASSERT_EQ(0, ptdump(self->fd, 0, TASK_SIZE_5L, ASPACE_PTDUMP_HOLES, 0,
			    ents, MAXE, &d));
	EXPECT_ENTS(ents, d.nr_entries, { 0, TASK_SIZE_5L, 0, 4 });
	EXPECT_EQ(1, d.pgtable_pages[4]);
	EXPECT_EQ(0, d.pgtable_pages[3]);
	ASSERT_EQ(0, aspace_mmap(self->fd, TASK_SIZE_5L - PG, PG, P_RW,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, TASK_SIZE_5L - PG));
	ASSERT_EQ(0, aspace_mmap(self->fd, X, PG, P_R, M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(1, mem_pread(self->fd, &b, 1, X));
	ASSERT_EQ(0, ptdump(self->fd, 0, TASK_SIZE_5L, 0, 0, ents, MAXE, &d));
	EXPECT_ENTS(ents, d.nr_entries,
		    { X, X + PG, PTE_RO | ASPACE_PTE_COW | ASPACE_PTE_ACCESSED,
		      0 },
		    { TASK_SIZE_5L - PG, TASK_SIZE_5L, PTE_RW | PTE_AD, 0 });
	expect_tables(_metadata, self->fd, d.pgtable_pages);
	EXPECT_EQ(2, d.pgtable_pages[3]);
	resumed_equals_whole(_metadata, self->fd, ASPACE_PTDUMP_HOLES,
			     TASK_SIZE_5L);
}

/* No room at all: the dump stops at the first range, tables uncounted. */
TEST_F(pd, no_room)
{
	struct aspace_ptdump d;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, ptdump(self->fd, 0, TASK_SIZE_4L, 0, 0, NULL, 0, &d));
	EXPECT_EQ(0, d.nr_entries);
	EXPECT_EQ(X, d.walk_end);
	/* Root and PDPT start below X; PD and PT at X: the resumed call's. */
	EXPECT_EQ(0, d.pgtable_pages[0]);
	EXPECT_EQ(0, d.pgtable_pages[1]);
	EXPECT_EQ(1, d.pgtable_pages[2]);
	EXPECT_EQ(1, d.pgtable_pages[3]);
	ASSERT_EQ(0, ptdump(self->fd, 0, TASK_SIZE_4L, ASPACE_PTDUMP_HOLES, 0,
			    NULL, 0, &d));
	EXPECT_EQ(0, d.walk_end);
	EXPECT_EQ(0, d.pgtable_pages[3]);
	ASSERT_EQ(0, ptdump(self->fd, X + PG, TASK_SIZE_4L, 0, 0, NULL, 0, &d));
	EXPECT_EQ(TASK_SIZE_4L, d.walk_end);
}

TEST_F(pd, bad_input)
{
	struct aspace_ptdump d;

	EXPECT_EQ(-EINVAL, ptdump(self->fd, 1, PG, 0, 0, ents, MAXE, &d));
	EXPECT_EQ(-EFAULT, ptdump(self->fd, 0, TASK_SIZE_4L + 1, 0, 0, ents,
				  MAXE, &d));
	EXPECT_EQ(-EFAULT, ptdump(self->fd, PAGES(2), PG, 0, 0, ents, MAXE,
				  &d));
	EXPECT_EQ(-EFAULT, ptdump(self->fd, 0, ~0ULL, 0, 0, ents, MAXE, &d));
	EXPECT_EQ(-EINVAL, ptdump(self->fd, 0, PG, 2, 0, ents, MAXE, &d));
	EXPECT_EQ(-EINVAL, ptdump(self->fd, 0, PG, 0, 1ULL << 12, ents, MAXE,
				  &d));
	EXPECT_EQ(-EINVAL, ptdump(self->fd, 0, PG, 0, 0, NULL, 1, &d));
	EXPECT_EQ(-EFAULT, ptdump(self->fd, 0, PG, 0, 0,
				  (void *)(uintptr_t)0xffff800000000000ULL, 1,
				  &d));
	EXPECT_EQ(-EFAULT, ptdump(self->fd, 0, PG, 0, 0, ents, ~0ULL >> 3,
				  &d));
	/* An unaligned end is rounded up; the 4-level task size is the end. */
	EXPECT_EQ(0, ptdump(self->fd, 0, 1, 0, 0, ents, MAXE, &d));
	EXPECT_EQ(PG, d.walk_end);
	d.size = offsetof(struct aspace_ptdump, pgtable_pages);
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_PTDUMP, &d));
}

TEST_HARNESS_MAIN
