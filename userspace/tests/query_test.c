// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_QUERY: every VMA can be listed, ENOENT
 * past the last one, covering versus covering-or-next, the flags, offsets
 * and object ids reported, and what the struct looks like on the way out.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define F FIXED_AREA

FIXTURE(q) {
	int fd;
};

FIXTURE_SETUP(q)
{
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(q)
{
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_F(q, empty_enoent)
{
	struct aspace_query q;

	EXPECT_EQ(-ENOENT, aspace_query(self->fd, 0,
					ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_EQ(-ENOENT, aspace_query(self->fd, 0, 0, &q));
	EXPECT_EQ(-ENOENT, aspace_query(self->fd, DEF_MMAP_BASE - PG, 0, &q));
	EXPECT_NO_VMAS(self->fd);
}

/* 1000 VMAs of alternating protections: all listed, in order. */
TEST_F(q, lists_every_vma)
{
	static struct vma_list l;
	static const __u32 prots[] = { P_R, P_RW, P_X, 0, P_R | P_X };
	static const __u64 flags[] = { V_R, V_RW, V_X, 0, V_R | V_X };
	unsigned int i;

	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(i), PG,
					 prots[i % 5], M_PRIV | M_FIXED,
					 NULL));
	ASSERT_EQ(0, list_vmas(self->fd, &l));
	ASSERT_EQ(1000, l.n);
	for (i = 0; i < 1000; i++) {
		EXPECT_EQ(F + PAGES(i), l.v[i].start);
		EXPECT_EQ(F + PAGES(i + 1), l.v[i].end);
		EXPECT_EQ(flags[i % 5], l.v[i].flags);
		EXPECT_EQ(0, l.v[i].pgoff);
		EXPECT_EQ(0, l.v[i].id);
		if (!_metadata->passed)
			break;
	}
}

TEST_F(q, enoent_past_the_last)
{
	struct aspace_query q;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(2), P_R, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_query(self->fd, 0, ASPACE_QUERY_COVERING_OR_NEXT,
				  &q));
	EXPECT_EQ(F, q.vma_start);
	ASSERT_EQ(0, aspace_query(self->fd, F + PAGES(2) - 1,
				  ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_EQ(F, q.vma_start);
	EXPECT_EQ(-ENOENT, aspace_query(self->fd, F + PAGES(2),
					ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_EQ(-ENOENT, aspace_query(self->fd, TASK_SIZE_4L,
					ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_EQ(-ENOENT, aspace_query(self->fd, ~0ULL,
					ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_EQ(-ENOENT, aspace_query(self->fd, ~0ULL, 0, &q));
}

TEST_F(q, covering_versus_next)
{
	struct aspace_query q;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(2), P_R, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(4), PAGES(2), P_RW,
				 M_PRIV | M_FIXED, NULL));
	/* In a hole: only COVERING_OR_NEXT finds the next. */
	EXPECT_EQ(-ENOENT, aspace_query(self->fd, F + PAGES(2), 0, &q));
	EXPECT_EQ(-ENOENT, aspace_query(self->fd, F - 1, 0, &q));
	ASSERT_EQ(0, aspace_query(self->fd, F + PAGES(2),
				  ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_EQ(F + PAGES(4), q.vma_start);
	EXPECT_EQ(F + PAGES(6), q.vma_end);
	EXPECT_EQ(V_RW, q.vma_flags);
	/* Inside: both find the covering one, any byte of it. */
	ASSERT_EQ(0, aspace_query(self->fd, F + PAGES(4), 0, &q));
	EXPECT_EQ(F + PAGES(4), q.vma_start);
	ASSERT_EQ(0, aspace_query(self->fd, F + PAGES(6) - 1, 0, &q));
	EXPECT_EQ(F + PAGES(4), q.vma_start);
	ASSERT_EQ(0, aspace_query(self->fd, F + 123, 0, &q));
	EXPECT_EQ(F, q.vma_start);
	EXPECT_EQ(F + PAGES(2), q.vma_end);
	EXPECT_EQ(V_R, q.vma_flags);
	ASSERT_EQ(0, aspace_query(self->fd, F + PG,
				  ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_EQ(F, q.vma_start);
}

TEST_F(q, flags_reported)
{
	static const struct {
		__u32 prot, flags;
		__u64 vma_flags;
	} cases[] = {
		{ 0, M_PRIV, 0 },
		{ P_R, M_PRIV, V_R },
		{ P_W, M_PRIV, V_W },
		{ P_X, M_PRIV, V_X },
		{ P_RW, M_PRIV, V_RW },
		{ P_R | P_X, M_PRIV, V_R | V_X },
		{ P_RW | P_X, M_PRIV, V_RWX },
		{ 0, M_SHARED, V_S },
		{ P_R, M_SHARED, V_R | V_S },
		{ P_RW, M_SHARED, V_RW | V_S },
		{ P_RW | P_X, M_SHARED, V_RWX | V_S },
	};
	struct aspace_query q;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(2 * i), PG,
					 cases[i].prot,
					 cases[i].flags | M_FIXED, NULL));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, aspace_query(self->fd, F + PAGES(2 * i), 0, &q));
		EXPECT_EQ(cases[i].vma_flags, q.vma_flags) {
			TH_LOG("prot %#x flags %#x", cases[i].prot,
			       cases[i].flags);
		}
		EXPECT_EQ(!!(cases[i].flags & M_SHARED), !!q.vma_id);
		EXPECT_EQ(0, q.vma_page_offset);
	}
	/* The heap and the stack. */
	ASSERT_EQ(0, aspace_brk(self->fd, DEF_HEAP_START + 1, NULL));
	ASSERT_EQ(0, aspace_query(self->fd, DEF_HEAP_START, 0, &q));
	EXPECT_EQ(V_RW | V_HEAP, q.vma_flags);
	EXPECT_EQ(DEF_HEAP_START + PG, q.vma_end);
}

TEST(stack_flag_reported)
{
	struct aspace_layout l;
	struct aspace_query q;
	int fd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	memset(&l, 0, sizeof(l));
	l.flags = ASPACE_LAYOUT_STACK;
	l.mmap_min_addr = DEF_MMAP_MIN_ADDR;
	ASSERT_EQ(0, aspace_set_layout(fd, &l));
	ASSERT_EQ(0, aspace_query(fd, 0, ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_EQ(MAP_WINDOW - DEF_STACK_SIZE, q.vma_start);
	EXPECT_EQ(MAP_WINDOW, q.vma_end);
	EXPECT_EQ(V_RW | V_STACK, q.vma_flags);
	EXPECT_EQ(0, q.vma_id);
	close(fd);
}

/* Shared objects: an id per mmap, kept by splits and by clone. */
TEST_F(q, shared_ids_and_offsets)
{
	struct aspace_query q1, q2, q3;
	int nfd;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW,
				 M_SHARED | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(8), PAGES(4), P_RW,
				 M_SHARED | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(2), PG, P_R));
	ASSERT_EQ(0, aspace_query(self->fd, F, 0, &q1));
	ASSERT_EQ(0, aspace_query(self->fd, F + PAGES(3), 0, &q2));
	ASSERT_EQ(0, aspace_query(self->fd, F + PAGES(8), 0, &q3));
	EXPECT_EQ(q1.vma_id, q2.vma_id);
	EXPECT_NE(q1.vma_id, q3.vma_id);
	EXPECT_EQ(0, q1.vma_page_offset);
	EXPECT_EQ(PAGES(3), q2.vma_page_offset);
	EXPECT_EQ(0, q3.vma_page_offset);
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &nfd));
	ASSERT_EQ(0, aspace_query(nfd, F + PAGES(3), 0, &q3));
	EXPECT_EQ(q2.vma_id, q3.vma_id);
	EXPECT_EQ(PAGES(3), q3.vma_page_offset);
	close(nfd);
	/* A new open's objects are new objects. */
	nfd = aspace_open(0);
	ASSERT_LE(0, nfd);
	ASSERT_EQ(0, aspace_mmap(nfd, F, PAGES(4), P_RW, M_SHARED | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_query(nfd, F, 0, &q3));
	EXPECT_NE(q1.vma_id, q3.vma_id);
	close(nfd);
}

/* The struct on the way out: inputs kept, size the module's. */
TEST_F(q, struct_out)
{
	struct aspace_query q;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(2), P_R, M_PRIV | M_FIXED,
				 NULL));
	memset(&q, 0xa5, sizeof(q));
	q.size = sizeof(q);
	q.query_flags = ASPACE_QUERY_COVERING_OR_NEXT;
	q.query_addr = 0x1234;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_QUERY, &q));
	EXPECT_EQ(sizeof(q), q.size);
	EXPECT_EQ(ASPACE_QUERY_COVERING_OR_NEXT, q.query_flags);
	EXPECT_EQ(0x1234, q.query_addr);
	EXPECT_EQ(F, q.vma_start);
	EXPECT_EQ(F + PAGES(2), q.vma_end);
	EXPECT_EQ(V_R, q.vma_flags);
	EXPECT_EQ(0, q.vma_page_offset);
	EXPECT_EQ(0, q.vma_id);
}

TEST_F(q, unknown_query_flags_einval)
{
	static const __u32 bad[] = { 0x2, 0x4, 0x80000000, 0x3 };
	struct aspace_query q;
	unsigned int i;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(2), P_R, M_PRIV | M_FIXED,
				 NULL));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.query_flags = bad[i];
		q.query_addr = F;
		EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_QUERY,
						&q)) {
			TH_LOG("query_flags %#x", bad[i]);
		}
		/* Nothing written back on failure. */
		EXPECT_EQ(0, q.vma_start);
	}
}

/* Above 2^47 with 5-level paging. */
TEST(query_above_47_bits)
{
	static const __u64 high = 1ULL << 50;
	struct aspace_query q;
	int fd;

	fd = open_layout(ASPACE_LAYOUT_LA57);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, high, PAGES(2), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(fd, TASK_SIZE_5L - PG, PG, P_R,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_query(fd, 0, ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_EQ(high, q.vma_start);
	ASSERT_EQ(0, aspace_query(fd, high + PAGES(2),
				  ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_EQ(TASK_SIZE_5L - PG, q.vma_start);
	EXPECT_EQ(TASK_SIZE_5L, q.vma_end);
	EXPECT_EQ(-ENOENT, aspace_query(fd, TASK_SIZE_5L,
					ASPACE_QUERY_COVERING_OR_NEXT, &q));
	EXPECT_VMAS(fd, { high, high + PAGES(2), V_RW },
		    { TASK_SIZE_5L - PG, TASK_SIZE_5L, V_R });
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_HARNESS_MAIN
