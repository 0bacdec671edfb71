// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_MPROTECT: the checklist for mprotect
 * (Documentation/design.md, section 4) in the four layouts: Linux's order
 * of checks, splits and merges, and what a call that fails half way leaves
 * (the VMAs before a hole, the data limit or a refused split changed, as
 * in Linux), checked against Linux itself on a forked child
 * (same_as_linux), and the accounting Linux 6.7 takes back from a VMA made
 * unwritable before it was written, by the guest's kernel.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

FIXTURE(prot) {
	int fd;
	struct aspace_layout l;
};

FIXTURE_VARIANT(prot) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(prot, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(prot, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_VARIANT_ADD(prot, legacy_4level) {
	.layout = LAYOUT_LEGACY_4L,
};

FIXTURE_VARIANT_ADD(prot, legacy_5level) {
	.layout = LAYOUT_LEGACY_5L,
};

FIXTURE_SETUP(prot)
{
	self->fd = open_layout(variant->layout);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_get_layout(self->fd, &self->l));
}

FIXTURE_TEARDOWN(prot)
{
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

#define F FIXED_AREA

static int map_at(int fd, __u64 addr, __u64 len, __u32 prot, __u32 flags)
{
	return aspace_mmap(fd, addr, len, prot, flags | M_FIXED, NULL);
}

TEST_F(prot, unaligned_einval)
{
	struct asp_snap before;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_RW, M_PRIV));
	SNAP(self->fd, &before);
	EXPECT_EQ(-EINVAL, aspace_mprotect(self->fd, F + 1, PG, P_R));
	EXPECT_EQ(-EINVAL, aspace_mprotect(self->fd, F + PG - 1, PG, P_R));
	/* Before the length: even a zero length. */
	EXPECT_EQ(-EINVAL, aspace_mprotect(self->fd, F + 0x800, 0, P_R));
	EXPECT_UNCHANGED(self->fd, &before);
}

/* Linux returns 0 for a zero length before looking at anything else. */
TEST_F(prot, length_zero_succeeds)
{
	struct asp_snap before;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_RW, M_PRIV));
	SNAP(self->fd, &before);
	EXPECT_EQ(0, aspace_mprotect(self->fd, F, 0, P_R));
	EXPECT_EQ(0, aspace_mprotect(self->fd, F + PAGES(100), 0, P_R));
	EXPECT_EQ(0, aspace_mprotect(self->fd, F, 0, 0x8 | 0x10));
	EXPECT_EQ(0, aspace_mprotect(self->fd, ~0ULL & ~(PG - 1), 0, P_R));
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_F(prot, overflow_enomem)
{
	struct asp_snap before;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_RW, M_PRIV));
	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F, ~0ULL, P_R));
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F, -F, P_R));
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, ~0ULL - PG + 1, PG,
					   P_R));
	/* Overflow is checked before the prot bits, as in Linux. */
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F, ~0ULL, 0x8));
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_F(prot, unknown_prot_einval)
{
	static const __u32 bad[] = {
		0x8 /* PROT_SEM */, 0x10, 0x01000000 /* PROT_GROWSDOWN */,
		0x02000000 /* PROT_GROWSUP */, 0x80000000,
	};
	struct asp_snap before;
	unsigned int i;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_RW, M_PRIV));
	SNAP(self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, aspace_mprotect(self->fd, F, PG,
						   P_R | bad[i])) {
			TH_LOG("prot %#x", P_R | bad[i]);
		}
	/* Also on an unmapped range: the prot is checked first. */
	EXPECT_EQ(-EINVAL, aspace_mprotect(self->fd, F + PAGES(10), PG, 0x8));
	EXPECT_UNCHANGED(self->fd, &before);
}

/*
 * A hole in the range: ENOMEM, after the VMAs before the hole changed, as
 * Linux's do_mprotect_pkey() leaves them.
 */
TEST_F(prot, hole_enomem_after_the_vmas_before_it)
{
	struct aspace_stats st;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_RW,
			    M_PRIV | M_POPULATE));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(5), PAGES(4), P_R, M_SHARED));
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F + PG, PAGES(9), 0));
	EXPECT_VMAS(self->fd, { F, F + PG, V_RW },
		    { F + PG, F + PAGES(4), 0 },
		    { F + PAGES(5), F + PAGES(9), V_R | V_S });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(PG, st.data_bytes);
	EXPECT_EQ(4, st.resident_pages);
	/* Back: the VMA before the hole merges again; then the hole. */
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F, PAGES(6), P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(4), V_RW },
		    { F + PAGES(5), F + PAGES(9), V_R | V_S });
	/* A hole at the end of the range: the VMA before it is split. */
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F + PAGES(7), PAGES(3),
					   P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(4), V_RW },
		    { F + PAGES(5), F + PAGES(7), V_R | V_S },
		    { F + PAGES(7), F + PAGES(9), V_RW | V_S });
}

/* A hole at the start of the range: ENOMEM before anything changes. */
TEST_F(prot, hole_at_start_enomem_nothing_changed)
{
	struct asp_snap before;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_RW,
			    M_PRIV | M_POPULATE));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(5), PAGES(4), P_R, M_SHARED));
	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F - PG, PAGES(2), P_R));
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F + PAGES(4), PAGES(5),
					   P_RW));
	/* Nothing mapped at all. */
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F + PAGES(20), PG, P_R));
	/* Past the task size. */
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, self->l.task_size, PG,
					   P_R));
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_F(prot, middle_and_back_one_vma)
{
	ASSERT_EQ(0, map_at(self->fd, F, PAGES(8), P_RW, M_PRIV));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(2), PAGES(3), P_R));
	EXPECT_VMAS(self->fd, { F, F + PAGES(2), V_RW },
		    { F + PAGES(2), F + PAGES(5), V_R },
		    { F + PAGES(5), F + PAGES(8), V_RW });
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(2), PAGES(3), P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(8), V_RW });
}

TEST_F(prot, middle_and_back_populated)
{
	struct aspace_stats st;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(8), P_RW,
			    M_PRIV | M_POPULATE));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PG, PAGES(6), 0));
	EXPECT_VMAS(self->fd, { F, F + PG, V_RW },
		    { F + PG, F + PAGES(7), 0 },
		    { F + PAGES(7), F + PAGES(8), V_RW });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(8, st.resident_pages);
	/* PROT_NONE keeps the memory. */
	EXPECT_EQ(8, sysfs_pages_data());
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PG, PAGES(6), P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(8), V_RW });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(8, st.resident_pages);
	EXPECT_EQ(1, st.nr_vmas);
}

TEST_F(prot, split_at_start_and_end)
{
	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_RW, M_PRIV));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PG, P_R));
	EXPECT_VMAS(self->fd, { F, F + PG, V_R },
		    { F + PG, F + PAGES(4), V_RW });
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(3), PG, P_X));
	EXPECT_VMAS(self->fd, { F, F + PG, V_R },
		    { F + PG, F + PAGES(3), V_RW },
		    { F + PAGES(3), F + PAGES(4), V_X });
	/* The same protection again: no change, no split. */
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PG, PG, P_RW));
	EXPECT_VMAS(self->fd, { F, F + PG, V_R },
		    { F + PG, F + PAGES(3), V_RW },
		    { F + PAGES(3), F + PAGES(4), V_X });
}

/* Several VMAs made equal over their whole range become one. */
TEST_F(prot, across_vmas_merges_all)
{
	ASSERT_EQ(0, map_at(self->fd, F, PAGES(2), P_R, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(2), PAGES(2), P_X, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(4), PAGES(2), 0, M_PRIV));
	EXPECT_VMAS(self->fd, { F, F + PAGES(2), V_R },
		    { F + PAGES(2), F + PAGES(4), V_X },
		    { F + PAGES(4), F + PAGES(6), 0 });
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(6), P_R | P_X));
	EXPECT_VMAS(self->fd, { F, F + PAGES(6), V_R | V_X });
}

/* A VMA made equal to its neighbours merges with them. */
TEST_F(prot, merges_with_neighbours)
{
	ASSERT_EQ(0, map_at(self->fd, F, PAGES(2), P_R, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(2), PAGES(2), P_X, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(4), PAGES(2), P_R, M_PRIV));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(2), PAGES(2), P_R));
	EXPECT_VMAS(self->fd, { F, F + PAGES(6), V_R });
	/* Part of it to match the previous VMA only. */
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(6), PAGES(4), P_X, M_PRIV));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(6), PG, P_R));
	EXPECT_VMAS(self->fd, { F, F + PAGES(7), V_R },
		    { F + PAGES(7), F + PAGES(10), V_X });
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(9), PG, P_R));
	EXPECT_VMAS(self->fd, { F, F + PAGES(7), V_R },
		    { F + PAGES(7), F + PAGES(9), V_X },
		    { F + PAGES(9), F + PAGES(10), V_R });
}

/*
 * Private memory that was writable and populated stays accounted
 * (VM_ACCOUNT), as in Linux: made read-only it does not merge with memory
 * that never was writable.  (Linux 6.7+ unaccounts a VMA that was never
 * populated, 6.1 does not: populated, both agree.)
 */
TEST_F(prot, once_writable_does_not_merge_with_never_writable)
{
	ASSERT_EQ(0, map_at(self->fd, F, PAGES(2), P_RW,
			    M_PRIV | M_POPULATE));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(2), PAGES(2), P_R, M_PRIV));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(2), P_R));
	EXPECT_VMAS(self->fd, { F, F + PAGES(2), V_R },
		    { F + PAGES(2), F + PAGES(4), V_R });
	/* Made writable, the read-only one is accounted too: merge. */
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(2), PAGES(2), P_RW));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(2), P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(4), V_RW });
}

TEST_F(prot, prot_none_and_back)
{
	ASSERT_EQ(0, map_at(self->fd, F, PAGES(3), P_RW | P_X, M_SHARED));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(3), 0));
	EXPECT_VMAS(self->fd, { F, F + PAGES(3), V_S });
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(3), P_RW | P_X));
	EXPECT_VMAS(self->fd, { F, F + PAGES(3), V_RWX | V_S });
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PG, PG, P_W));
	EXPECT_VMAS(self->fd, { F, F + PG, V_RWX | V_S },
		    { F + PG, F + PAGES(2), V_W | V_S },
		    { F + PAGES(2), F + PAGES(3), V_RWX | V_S });
}

TEST_F(prot, length_rounded_up)
{
	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_RW, M_PRIV));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PG + 1, P_R));
	EXPECT_VMAS(self->fd, { F, F + PAGES(2), V_R },
		    { F + PAGES(2), F + PAGES(4), V_RW });
}

/*
 * A split with max_map_count VMAs already fails, as split_vma() does.
 * The middle of a VMA needs two: Linux makes the one at the start, then
 * refuses the one at the end and leaves the first split in place.
 */
TEST_F(prot, split_past_max_map_count_enomem)
{
	struct asp_snap before;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(8), P_RW, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(10), PAGES(2), P_R, M_PRIV));
	ASSERT_EQ(0, set_max_map_count(self->fd, 3));
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F + PG, PG, P_R));
	EXPECT_VMAS(self->fd, { F, F + PG, V_RW },
		    { F + PG, F + PAGES(8), V_RW },
		    { F + PAGES(10), F + PAGES(12), V_R });
	SNAP(self->fd, &before);
	/* At the limit, a split at the start is refused: nothing changes. */
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F + PAGES(2), PAGES(6),
					   P_R));
	/* So is one at the end. */
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F + PG, PG, P_R));
	EXPECT_UNCHANGED(self->fd, &before);
	/* A whole VMA needs no split. */
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PG, P_R));
	EXPECT_VMAS(self->fd, { F, F + PG, V_R },
		    { F + PG, F + PAGES(8), V_RW },
		    { F + PAGES(10), F + PAGES(12), V_R });
	SNAP(self->fd, &before);
	/*
	 * aspace checks the limit before each split, where Linux skips a
	 * split that a merge with the neighbour makes unnecessary (see
	 * Documentation/ioctls.md): refused here, Linux would make
	 * [F, F + 2) read-only.
	 */
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F + PG, PG, P_R));
	EXPECT_UNCHANGED(self->fd, &before);
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(10), PAGES(2), P_X));
}

/*
 * The split at the end of the range is tested when the call reaches the
 * last VMA: the VMAs before it have changed by then, and stay changed.
 */
TEST_F(prot, split_past_max_map_count_after_earlier_vmas)
{
	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_R, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(4), PAGES(4), P_R, M_SHARED));
	ASSERT_EQ(0, set_max_map_count(self->fd, 2));
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F, PAGES(6), P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(4), V_RW },
		    { F + PAGES(4), F + PAGES(8), V_R | V_S });
}

/* ... and the VMAs merged on the way make room for that split. */
TEST_F(prot, merges_on_the_way_make_room_for_the_last_split)
{
	ASSERT_EQ(0, map_at(self->fd, F, PAGES(2), P_RW, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(2), PAGES(2), P_R, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(4), PAGES(4), P_R, M_SHARED));
	ASSERT_EQ(0, set_max_map_count(self->fd, 3));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(2), PAGES(4), P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(4), V_RW },
		    { F + PAGES(4), F + PAGES(6), V_RW | V_S },
		    { F + PAGES(6), F + PAGES(8), V_R | V_S });
}

/*
 * Private read-only memory becoming writable counts against the data
 * limit; shared memory does not.
 */
TEST_F(prot, data_limit_enomem)
{
	struct asp_snap before;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_RW, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(4), PAGES(4), P_R, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(8), PAGES(4), P_R, M_SHARED));
	ASSERT_EQ(0, set_limit(self->fd, data_bytes, PAGES(6)));
	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F + PAGES(4), PAGES(3),
					   P_RW));
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F, PAGES(8), P_RW));
	EXPECT_UNCHANGED(self->fd, &before);
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(8), PAGES(4), P_RW));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(4), PAGES(2), P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(6), V_RW },
		    { F + PAGES(6), F + PAGES(8), V_R },
		    { F + PAGES(8), F + PAGES(12), V_RW | V_S });
	EXPECT_EQ(0, aspace_mprotect(self->fd, F, PAGES(4), P_R));
}

/*
 * Linux's test in mprotect_fixup(), VMA by VMA: a VMA may not become
 * data past the data limit, unless the mapped-bytes limit has no room
 * for its pages either (then its old flags could not expand, and Linux
 * lets the change through; checked against Linux 6.1).  The call stops
 * at the VMA that fails, after those before it changed.
 */
TEST_F(prot, data_limit_skipped_when_as_limit_has_no_room)
{
	struct asp_snap before;
	struct aspace_stats st;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(8), P_R, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(8), PG, P_X, M_PRIV));
	ASSERT_EQ(0, set_limit(self->fd, data_bytes, PG));
	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F, PAGES(8), P_RW));
	EXPECT_UNCHANGED(self->fd, &before);
	/* 9 pages mapped, 12 allowed: no room for 8 more, room for 1. */
	ASSERT_EQ(0, set_limit(self->fd, as_bytes, PAGES(12)));
	/* The 8-page VMA passes; the 1-page one then fails. */
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F, PAGES(9), P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(8), V_RW },
		    { F + PAGES(8), F + PAGES(9), V_X });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(PAGES(8), st.data_bytes);
	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F + PAGES(8), PG,
					   P_W | P_X));
	EXPECT_UNCHANGED(self->fd, &before);
}

/* The data limit passed half way: the VMAs before it changed. */
TEST_F(prot, data_limit_stops_at_the_vma_past_it)
{
	ASSERT_EQ(0, map_at(self->fd, F, PAGES(2), P_R, M_PRIV));
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(2), PAGES(2), P_X, M_PRIV));
	ASSERT_EQ(0, set_limit(self->fd, data_bytes, PAGES(3)));
	EXPECT_EQ(-ENOMEM, aspace_mprotect(self->fd, F, PAGES(4), P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(2), V_RW },
		    { F + PAGES(2), F + PAGES(4), V_X });
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(3), P_RW));
	EXPECT_VMAS(self->fd, { F, F + PAGES(3), V_RW },
		    { F + PAGES(3), F + PAGES(4), V_X });
}

/*
 * Data bytes follow the protection; resident pages do not: mprotect
 * neither frees nor allocates (the zero page stays the zero page).
 */
TEST_F(prot, stats_follow_protection)
{
	struct aspace_stats st;

	ASSERT_EQ(0, map_at(self->fd, F, PAGES(4), P_RW,
			    M_PRIV | M_POPULATE));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(4), P_R));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(0, st.data_bytes);
	EXPECT_EQ(4, st.resident_pages);
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(2), P_RW));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(PAGES(2), st.data_bytes);
	EXPECT_EQ(PAGES(4), st.mapped_bytes);
	EXPECT_EQ(4, st.resident_pages);
	EXPECT_EQ(2, st.nr_vmas);
	EXPECT_EQ(4, sysfs_pages_data());
	/* Read-only memory populated: zero pages, made writable. */
	ASSERT_EQ(0, map_at(self->fd, F + PAGES(8), PAGES(2), P_R,
			    M_PRIV | M_POPULATE));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PAGES(8), PAGES(2), P_RW));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(PAGES(4), st.data_bytes);
	EXPECT_EQ(4, st.resident_pages);
	EXPECT_EQ(2, st.zero_page_maps);
	EXPECT_EQ(4, sysfs_pages_data());
}

/*
 * The same calls on Linux and on aspace.  Offsets and lengths are in
 * pages from the base of a 16-page window that nothing else maps (with a
 * free page on each side).  Each case also states the last call's result
 * and the VMAs it leaves.
 */
#define LP(n)		((long long)PAGES(n))

static const struct lx_case prot_cases[] = {
	{ .name = "hole in the middle",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(16), P_RW, M_PRIV),
		   LX_MUNMAP_AT(LP(6), PAGES(2)),
		   LX_MPROTECT_AT(LP(2), PAGES(12), P_R)),
	  .ret = -ENOMEM,
	  LX_VMAS({ 0, LP(2), V_RW }, { LP(2), LP(6), V_R },
		  { LP(8), LP(16), V_RW }) },
	{ .name = "hole at the start",
	  LX_STEPS(LX_MMAP_AT(LP(1), PAGES(14), P_RW, M_PRIV),
		   LX_MPROTECT_AT(0, PAGES(4), P_R)),
	  .ret = -ENOMEM,
	  LX_VMAS({ LP(1), LP(15), V_RW }) },
	{ .name = "hole at the end",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(8), P_RW, M_PRIV),
		   LX_MPROTECT_AT(LP(4), PAGES(8), P_R)),
	  .ret = -ENOMEM,
	  LX_VMAS({ 0, LP(4), V_RW }, { LP(4), LP(8), V_R }) },
	{ .name = "a merge, then a hole",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(8), P_RW, M_PRIV),
		   LX_MPROTECT_AT(LP(4), PAGES(4), P_R),
		   LX_MMAP_AT(LP(9), PAGES(4), P_R, M_PRIV),
		   LX_MPROTECT_AT(0, PAGES(10), P_R)),
	  .ret = -ENOMEM,
	  LX_VMAS({ 0, LP(8), V_R }, { LP(9), LP(13), V_R }) },
	{ .name = "several VMAs, then a hole",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(4), P_R, M_PRIV),
		   LX_MMAP_AT(LP(4), PAGES(4), P_R, M_SHARED),
		   LX_MMAP_AT(LP(8), PAGES(4), P_X, M_PRIV),
		   LX_MPROTECT_AT(LP(2), PAGES(12), P_RW)),
	  .ret = -ENOMEM,
	  LX_VMAS({ 0, LP(2), V_R }, { LP(2), LP(4), V_RW },
		  { LP(4), LP(8), V_RW | V_S }, { LP(8), LP(12), V_RW }) },
	{ .name = "data limit at the second VMA",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(4), P_R, M_PRIV),
		   LX_MMAP_AT(LP(4), PAGES(4), P_X, M_PRIV),
		   LX_DATA_ROOM(PAGES(5)),
		   LX_MPROTECT_AT(0, PAGES(8), P_RW)),
	  .ret = -ENOMEM,
	  LX_VMAS({ 0, LP(4), V_RW }, { LP(4), LP(8), V_X }) },
	{ .name = "data limit at the first VMA",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(8), P_R, M_PRIV),
		   LX_DATA_ROOM(PAGES(3)),
		   LX_MPROTECT_AT(LP(2), PAGES(4), P_RW)),
	  .ret = -ENOMEM,
	  LX_VMAS({ 0, LP(8), V_R }) },
	{ .name = "max_map_count at the second split",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(8), P_RW, M_PRIV),
		   LX_VMA_ROOM(1),
		   LX_MPROTECT_AT(LP(2), PAGES(2), P_R)),
	  .ret = -ENOMEM,
	  LX_VMAS({ 0, LP(2), V_RW }, { LP(2), LP(8), V_RW }) },
	{ .name = "max_map_count at the first split",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(8), P_RW, M_PRIV),
		   LX_VMA_ROOM(0),
		   LX_MPROTECT_AT(LP(2), PAGES(2), P_R)),
	  .ret = -ENOMEM,
	  LX_VMAS({ 0, LP(8), V_RW }) },
	{ .name = "max_map_count at a later VMA",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(4), P_R, M_PRIV),
		   LX_MMAP_AT(LP(4), PAGES(4), P_R, M_SHARED),
		   LX_VMA_ROOM(0),
		   LX_MPROTECT_AT(0, PAGES(6), P_RW)),
	  .ret = -ENOMEM,
	  LX_VMAS({ 0, LP(4), V_RW }, { LP(4), LP(8), V_R | V_S }) },
	{ .name = "max_map_count after a merge",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(2), P_RW, M_PRIV),
		   LX_MMAP_AT(LP(2), PAGES(2), P_R, M_PRIV),
		   LX_MMAP_AT(LP(4), PAGES(4), P_R, M_SHARED),
		   LX_VMA_ROOM(0),
		   LX_MPROTECT_AT(LP(2), PAGES(4), P_RW)),
	  .ret = 0,
	  LX_VMAS({ 0, LP(4), V_RW }, { LP(4), LP(6), V_RW | V_S },
		  { LP(6), LP(8), V_R | V_S }) },
	/*
	 * Anonymous memory: a VMA written first shares it with a written
	 * neighbour (find_mergeable_anon_vma()), so they merge later.
	 */
	{ .name = "written neighbours merge",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(1), P_RW, M_PRIV),
		   LX_MMAP_AT(LP(1), PAGES(1), P_RW | P_X, M_PRIV),
		   LX_TOUCH_AT(0, PAGES(1)),
		   LX_TOUCH_AT(LP(1), PAGES(1)),
		   LX_MPROTECT_AT(LP(1), PAGES(1), P_RW)),
	  .ret = 0,
	  LX_VMAS({ 0, LP(2), V_RW }) },
	{ .name = "no hole",
	  LX_STEPS(LX_MMAP_AT(0, PAGES(4), P_R, M_PRIV),
		   LX_MMAP_AT(LP(4), PAGES(4), P_X, M_PRIV),
		   LX_MPROTECT_AT(LP(2), PAGES(4), P_RW)),
	  .ret = 0,
	  LX_VMAS({ 0, LP(2), V_R }, { LP(2), LP(6), V_RW },
		  { LP(6), LP(8), V_X }) },
};

TEST_F(prot, same_as_linux)
{
	const struct lx_script sc = { .win_lo = -LP(1), .win_hi = LP(17) };

	lx_check_cases(_metadata, prot_cases, ARRAY_SIZE(prot_cases), sc,
		       variant->layout, F);
}

/*
 * The accounting (VM_ACCOUNT) of a private VMA made unwritable before it
 * has a page of its own (no anon_vma): Linux 6.7 and later take it back
 * (mprotect_fixup()), so the VMA may then merge with a read-only
 * neighbour; Linux 6.1 keeps a VMA accounted once it was writable.  aspace
 * follows the kernel it is built for, the guest's.  Each case holds what
 * Linux before 6.7 leaves, then what 6.7 and later leave; the guest's own
 * Linux must do the same as the descriptor, call after call.
 */
static const struct lx_case unaccount_cases[][2] = {
	{ { .name = "made read-only unwritten, then a read-only neighbour",
	    LX_STEPS(LX_MMAP_AT(0, PAGES(4), P_RW, M_PRIV),
		     LX_MPROTECT_AT(0, PAGES(2), P_R | P_X),
		     LX_MUNMAP_AT(LP(2), PAGES(2)),
		     LX_MMAP_AT(LP(2), PAGES(2), P_R | P_X, M_PRIV)),
	    .ret = 0,
	    LX_VMAS({ 0, LP(2), V_R | V_X }, { LP(2), LP(4), V_R | V_X }) },
	  { LX_VMAS({ 0, LP(4), V_R | V_X }) } },
	{ { .name = "written first: accounted on every kernel",
	    LX_STEPS(LX_MMAP_AT(0, PAGES(4), P_RW, M_PRIV),
		     LX_TOUCH_AT(LP(3), PG),
		     LX_MPROTECT_AT(0, PAGES(2), P_R | P_X),
		     LX_MUNMAP_AT(LP(2), PAGES(2)),
		     LX_MMAP_AT(LP(2), PAGES(2), P_R | P_X, M_PRIV)),
	    .ret = 0,
	    LX_VMAS({ 0, LP(2), V_R | V_X }, { LP(2), LP(4), V_R | V_X }) },
	  { LX_VMAS({ 0, LP(2), V_R | V_X }, { LP(2), LP(4), V_R | V_X }) } },
	{ { .name = "writable middle made read-only again",
	    LX_STEPS(LX_MMAP_AT(0, PAGES(3), P_R, M_PRIV),
		     LX_MPROTECT_AT(LP(1), PG, P_RW),
		     LX_MPROTECT_AT(LP(1), PG, P_R)),
	    .ret = 0,
	    LX_VMAS({ 0, LP(1), V_R }, { LP(1), LP(2), V_R },
		    { LP(2), LP(3), V_R }) },
	  { LX_VMAS({ 0, LP(3), V_R }) } },
	{ { .name = "written middle made read-only again",
	    LX_STEPS(LX_MMAP_AT(0, PAGES(3), P_R, M_PRIV),
		     LX_MPROTECT_AT(LP(1), PG, P_RW),
		     LX_TOUCH_AT(LP(1), PG),
		     LX_MPROTECT_AT(LP(1), PG, P_R)),
	    .ret = 0,
	    LX_VMAS({ 0, LP(1), V_R }, { LP(1), LP(2), V_R },
		    { LP(2), LP(3), V_R }) },
	  { LX_VMAS({ 0, LP(1), V_R }, { LP(1), LP(2), V_R },
		    { LP(2), LP(3), V_R }) } },
	{ { .name = "read-only over a read-only neighbour",
	    LX_STEPS(LX_MMAP_AT(0, PAGES(2), P_RW, M_PRIV),
		     LX_MMAP_AT(LP(2), PAGES(2), P_R, M_PRIV),
		     LX_MPROTECT_AT(0, PAGES(4), P_R)),
	    .ret = 0,
	    LX_VMAS({ 0, LP(2), V_R }, { LP(2), LP(4), V_R }) },
	  { LX_VMAS({ 0, LP(4), V_R }) } },
	{ { .name = "a PROT_NONE reservation and its neighbour",
	    LX_STEPS(LX_MMAP_AT(0, PAGES(4), P_RW, M_PRIV),
		     LX_MPROTECT_AT(0, PAGES(4), 0),
		     LX_MMAP_AT(LP(4), PAGES(2), 0, M_PRIV)),
	    .ret = 0,
	    LX_VMAS({ 0, LP(4), 0 }, { LP(4), LP(6), 0 }) },
	  { LX_VMAS({ 0, LP(6), 0 }) } },
};

TEST_F(prot, unwritten_vma_made_unwritable_unaccounted_since_6_7)
{
	const struct lx_script sc = { .win_lo = -LP(1), .win_hi = LP(17) };
	const bool since = linux_since(6, 7);
	struct lx_case c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(unaccount_cases); i++) {
		c = unaccount_cases[i][0];
		if (since) {
			c.vmas = unaccount_cases[i][1].vmas;
			c.nvmas = unaccount_cases[i][1].nvmas;
		}
		lx_check_cases(_metadata, &c, 1, sc, variant->layout, F);
	}
}

/*
 * The same at the break, where it decides the [heap] flag of a mapping
 * just above it: on Linux 6.7 and later the break's VMA, made read-only
 * unwritten, joins a read-only mapping made at the break, which is
 * [heap] with it; before, the two stay apart, and the mapping above is
 * [heap] only by the rule before 6.6 (it touches the break).  The first
 * page of the heap, made PROT_NONE, keeps the rest apart from the C
 * library's heap below the break in the child, whose pages are its own.
 */
TEST_F(prot, unwritten_heap_made_read_only_joins_a_mapping_at_the_break)
{
	const struct lx_script sc = { .win_hi = LP(16), .heap = true };
	const __u64 touching = linux_since(6, 6) ? 0 : V_HEAP;
	const struct lx_vma before[] = {
		{ 0, LP(1), V_HEAP }, { LP(1), LP(5), V_R | V_HEAP },
		{ LP(5), LP(7), V_R | touching },
	};
	const struct lx_vma since[] = {
		{ 0, LP(1), V_HEAP }, { LP(1), LP(7), V_R | V_HEAP },
	};
	struct lx_case c = {
		.name = "the break's VMA made read-only, a mapping above it",
		LX_STEPS(LX_BRK_AT(LP(1)),
			 LX_MPROTECT_AT(0, PG, 0),
			 LX_BRK_AT(LP(5)),
			 LX_MPROTECT_AT(LP(1), PAGES(4), P_R),
			 LX_MMAP_AT(LP(5), PAGES(2), P_R, M_PRIV)),
		.ret = 0,
		.vmas = before, .nvmas = ARRAY_SIZE(before),
	};

	if (linux_since(6, 7)) {
		c.vmas = since;
		c.nvmas = ARRAY_SIZE(since);
	}
	lx_check_cases(_metadata, &c, 1, sc, variant->layout,
		       self->l.heap_start);
}

TEST_HARNESS_MAIN
