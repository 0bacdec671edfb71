// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_BRK: the checklist for brk
 * (Documentation/design.md, section 4) in the four layouts: queries, the
 * unaligned break returned as asked with a page-aligned heap VMA,
 * shrinking (refused where no VMA lies between the new and the old break),
 * the one-page gap below the next mapping (and a stack's guard gap), the
 * data limit, the [heap] flag; and the same calls against the real brk(2)
 * of a forked child (same_as_linux).
 */
#include <stddef.h>
#include <stdio.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

/*
 * The [heap] flag of a private VMA that only touches the heap (it ends at
 * the heap start or starts at the break): Linux before 6.6 names it
 * [heap] (vm_start <= brk && vm_end >= start_brk), 6.6 and later do not
 * (vma_is_initial_heap(): vm_start < brk && vm_end > start_brk).  aspace
 * follows the kernel it is built for, the guest's.
 */
static __u64 heap_touching(void)
{
	return linux_since(6, 6) ? 0 : V_HEAP;
}

FIXTURE(heap) {
	int fd;
	__u64 hs;
};

FIXTURE_VARIANT(heap) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(heap, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(heap, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_VARIANT_ADD(heap, legacy_4level) {
	.layout = LAYOUT_LEGACY_4L,
};

FIXTURE_VARIANT_ADD(heap, legacy_5level) {
	.layout = LAYOUT_LEGACY_5L,
};

FIXTURE_SETUP(heap)
{
	struct aspace_layout l;

	self->fd = open_layout(variant->layout);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	self->hs = l.heap_start;
	ASSERT_EQ(DEF_HEAP_START, self->hs);
}

FIXTURE_TEARDOWN(heap)
{
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

/* brk(@want) must return @expect. */
static void brk_expect(struct __test_metadata *_metadata, int fd, __u64 want,
		       __u64 expect)
{
	__u64 got = 0;

	ASSERT_EQ(0, aspace_brk(fd, want, &got));
	EXPECT_EQ(expect, got) {
		TH_LOG("brk(%#llx)", (unsigned long long)want);
	}
}

#define BRK(want, expect) brk_expect(_metadata, self->fd, want, expect)

#define HEAP (V_RW | V_HEAP)

TEST_F(heap, query_returns_heap_start)
{
	struct asp_snap before;

	SNAP(self->fd, &before);
	BRK(0, self->hs);
	BRK(1, self->hs);
	BRK(self->hs - 1, self->hs);
	BRK(self->hs - PG, self->hs);
	EXPECT_UNCHANGED(self->fd, &before);
	EXPECT_NO_VMAS(self->fd);
	/* Asking for the current break is no change either. */
	BRK(self->hs, self->hs);
	EXPECT_NO_VMAS(self->fd);
}

TEST_F(heap, grow_returns_unaligned_maps_aligned)
{
	const __u64 hs = self->hs;
	struct aspace_stats st;

	BRK(hs + 1, hs + 1);
	EXPECT_VMAS(self->fd, { hs, hs + PG, HEAP });
	BRK(0, hs + 1);
	BRK(hs + 5000, hs + 5000);
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(2), HEAP });
	BRK(hs + PAGES(4), hs + PAGES(4));
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(4), HEAP });
	/* Within the same page: the break moves, the VMA does not. */
	BRK(hs + PAGES(4) - 7, hs + PAGES(4) - 7);
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(4), HEAP });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(PAGES(4), st.mapped_bytes);
	EXPECT_EQ(PAGES(4), st.data_bytes);
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_EQ(1, st.nr_vmas);
}

TEST_F(heap, shrink_unmaps)
{
	const __u64 hs = self->hs;

	BRK(hs + PAGES(8), hs + PAGES(8));
	BRK(hs + PAGES(2) + 1, hs + PAGES(2) + 1);
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(3), HEAP });
	BRK(hs + 1, hs + 1);
	EXPECT_VMAS(self->fd, { hs, hs + PG, HEAP });
	BRK(hs, hs);
	EXPECT_NO_VMAS(self->fd);
	/* And grow again. */
	BRK(hs + PAGES(2), hs + PAGES(2));
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(2), HEAP });
}

/* The heap keeps one page free below the next mapping. */
TEST_F(heap, growth_stops_one_page_below_next_mapping)
{
	const __u64 hs = self->hs;
	struct asp_snap before;

	ASSERT_EQ(0, aspace_mmap(self->fd, hs + PAGES(4), PG, P_R,
				 M_PRIV | M_FIXED, NULL));
	BRK(hs + PG, hs + PG);
	SNAP(self->fd, &before);
	BRK(hs + PAGES(3) + 1, hs + PG);
	BRK(hs + PAGES(4), hs + PG);
	BRK(hs + PAGES(100), hs + PG);
	EXPECT_UNCHANGED(self->fd, &before);
	BRK(hs + PAGES(3), hs + PAGES(3));
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(3), HEAP },
		    { hs + PAGES(4), hs + PAGES(5), V_R });
}

/* A mapping two pages above the heap start: one page of heap at most. */
TEST_F(heap, mapping_near_heap_start_blocks)
{
	const __u64 hs = self->hs;
	struct asp_snap before;

	ASSERT_EQ(0, aspace_mmap(self->fd, hs + PAGES(2), PAGES(2), P_RW,
				 M_PRIV | M_FIXED, NULL));
	SNAP(self->fd, &before);
	BRK(hs + PAGES(8), hs);
	BRK(hs + PAGES(2), hs);
	EXPECT_UNCHANGED(self->fd, &before);
	BRK(hs + PG, hs + PG);
}

TEST_F(heap, data_limit_refuses_growth)
{
	const __u64 hs = self->hs;
	struct asp_snap before;

	ASSERT_EQ(0, set_limit(self->fd, data_bytes, PAGES(2)));
	BRK(hs + PAGES(2), hs + PAGES(2));
	SNAP(self->fd, &before);
	/* brk - start_brk beyond the limit, even inside the last page. */
	BRK(hs + PAGES(2) + 1, hs + PAGES(2));
	BRK(hs + PAGES(3), hs + PAGES(2));
	EXPECT_UNCHANGED(self->fd, &before);
	BRK(hs + PG, hs + PG);
	EXPECT_VMAS(self->fd, { hs, hs + PG, HEAP });
}

/*
 * Linux checks the data limit before it looks whether the break grows
 * or shrinks: a shrink to a break still above a lowered limit fails.
 */
TEST_F(heap, shrink_above_data_limit_refused)
{
	const __u64 hs = self->hs;

	BRK(hs + PAGES(8), hs + PAGES(8));
	ASSERT_EQ(0, set_limit(self->fd, data_bytes, PAGES(2)));
	BRK(hs + PAGES(4), hs + PAGES(8));
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(8), HEAP });
	BRK(hs + PAGES(2), hs + PAGES(2));
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(2), HEAP });
}

/* Private writable mappings count against the same limit. */
TEST_F(heap, data_limit_counts_private_writable)
{
	const __u64 hs = self->hs;

	ASSERT_EQ(0, set_limit(self->fd, data_bytes, PAGES(4)));
	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA, PAGES(3), P_RW,
				 M_PRIV | M_FIXED, NULL));
	BRK(hs + PAGES(2), hs);
	BRK(hs + PG, hs + PG);
	/* Shared and read-only memory do not count. */
	ASSERT_EQ(0, aspace_munmap(self->fd, FIXED_AREA, PAGES(3)));
	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA, PAGES(3), P_RW,
				 M_SHARED | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA + PAGES(4), PAGES(3),
				 P_R, M_PRIV | M_FIXED, NULL));
	BRK(hs + PAGES(4), hs + PAGES(4));
}

TEST_F(heap, past_task_size_or_overflow_fails)
{
	const __u64 hs = self->hs;
	struct aspace_layout l;
	struct asp_snap before;

	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	BRK(hs + PG, hs + PG);
	SNAP(self->fd, &before);
	BRK(l.task_size + PG, hs + PG);
	BRK(~0ULL, hs + PG);
	BRK(~0ULL - PG, hs + PG);
	BRK(1ULL << 63, hs + PG);
	EXPECT_UNCHANGED(self->fd, &before);
}

/* The heap VMA is flagged by the rule /proc/PID/maps names [heap]. */
TEST_F(heap, heap_flag_rule)
{
	const __u64 hs = self->hs, touching = heap_touching();

	ASSERT_EQ(0, aspace_mmap(self->fd, hs - PAGES(2), PAGES(2), P_R,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, hs + PAGES(8), PAGES(2), P_R,
				 M_PRIV | M_FIXED, NULL));
	BRK(hs + PAGES(3), hs + PAGES(3));
	/*
	 * The VMA ending at the heap start is named [heap] too before Linux
	 * 6.6 (heap_touching()).
	 */
	EXPECT_VMAS(self->fd, { hs - PAGES(2), hs, V_R | touching },
		    { hs, hs + PAGES(3), HEAP },
		    { hs + PAGES(8), hs + PAGES(10), V_R });
	/* The break gets no closer than one page to the next mapping. */
	BRK(hs + PAGES(7), hs + PAGES(7));
	BRK(hs + PAGES(8), hs + PAGES(7));
	EXPECT_VMAS(self->fd, { hs - PAGES(2), hs, V_R | touching },
		    { hs, hs + PAGES(7), HEAP },
		    { hs + PAGES(8), hs + PAGES(10), V_R });
	ASSERT_EQ(0, aspace_munmap(self->fd, hs - PAGES(2), PAGES(2)));
	ASSERT_EQ(0, aspace_munmap(self->fd, hs + PAGES(8), PAGES(2)));
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(7), HEAP });
}

/* A shared mapping is never named [heap], as in /proc/PID/maps. */
TEST_F(heap, heap_flag_not_for_shared_mappings)
{
	const __u64 hs = self->hs;

	ASSERT_EQ(0, aspace_mmap(self->fd, hs - PAGES(2), PAGES(2), P_RW,
				 M_SHARED | M_FIXED, NULL));
	BRK(hs + PAGES(3), hs + PAGES(3));
	EXPECT_VMAS(self->fd, { hs - PAGES(2), hs, V_RW | V_S },
		    { hs, hs + PAGES(3), HEAP });
}

/*
 * mprotect merges only around the VMAs it changes (mprotect_fixup() calls
 * vma_merge() for those alone): a mapping ending at the heap start and a
 * heap VMA that brk() made separately stay two VMAs through an mprotect
 * that changes nothing, and become one when the heap's protection changes
 * and comes back.
 */
TEST_F(heap, mprotect_merges_only_what_it_changes)
{
	const __u64 hs = self->hs, below = V_RW | heap_touching();

	ASSERT_EQ(0, aspace_mmap(self->fd, hs - PG, PG, P_RW,
				 M_PRIV | M_FIXED, NULL));
	BRK(hs + PG, hs + PG);
	EXPECT_VMAS(self->fd, { hs - PG, hs, below }, { hs, hs + PG, HEAP });
	ASSERT_EQ(0, aspace_mprotect(self->fd, hs - PG, PAGES(2), P_RW));
	EXPECT_VMAS(self->fd, { hs - PG, hs, below }, { hs, hs + PG, HEAP });
	ASSERT_EQ(0, aspace_mprotect(self->fd, hs, PG, P_R));
	EXPECT_VMAS(self->fd, { hs - PG, hs, below },
		    { hs, hs + PG, V_R | V_HEAP });
	ASSERT_EQ(0, aspace_mprotect(self->fd, hs, PG, P_RW));
	EXPECT_VMAS(self->fd, { hs - PG, hs + PG, HEAP });
}

/*
 * Shrinking unmaps whatever lies between the new and the old break, not
 * only the heap, as Linux does (do_vmi_align_munmap() of the whole range).
 */
TEST_F(heap, shrink_unmaps_other_mappings_in_between)
{
	const __u64 hs = self->hs;
	struct aspace_stats st;

	BRK(hs + PAGES(6), hs + PAGES(6));
	ASSERT_EQ(0, aspace_mmap(self->fd, hs + PAGES(2), PG, P_R,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(2), HEAP },
		    { hs + PAGES(2), hs + PAGES(3), V_R | V_S },
		    { hs + PAGES(3), hs + PAGES(6), HEAP });
	BRK(hs + PG, hs + PG);
	EXPECT_VMAS(self->fd, { hs, hs + PG, HEAP });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_EQ(0, sysfs_pages_data());
}

/* The user unmapped the heap: growth makes a new heap VMA. */
TEST_F(heap, grows_after_heap_unmapped)
{
	const __u64 hs = self->hs;

	BRK(hs + PAGES(2), hs + PAGES(2));
	ASSERT_EQ(0, aspace_munmap(self->fd, hs, PAGES(2)));
	EXPECT_NO_VMAS(self->fd);
	BRK(0, hs + PAGES(2));
	BRK(hs + PAGES(3), hs + PAGES(3));
	EXPECT_VMAS(self->fd, { hs + PAGES(2), hs + PAGES(3), HEAP });
}

/*
 * Linux shrinks only if a VMA meets [new break, old break) (page
 * aligned): over nothing the break stays where it is.
 */
TEST_F(heap, shrink_over_nothing_refused)
{
	const __u64 hs = self->hs;
	struct asp_snap before;

	BRK(hs + PAGES(4) + 100, hs + PAGES(4) + 100);
	ASSERT_EQ(0, aspace_munmap(self->fd, hs, PAGES(5)));
	SNAP(self->fd, &before);
	BRK(hs, hs + PAGES(4) + 100);
	BRK(hs + PAGES(3), hs + PAGES(4) + 100);
	EXPECT_UNCHANGED(self->fd, &before);
	/* Within the same page the break moves: nothing to look at. */
	BRK(hs + PAGES(4) + 1, hs + PAGES(4) + 1);
	/* A VMA at the old break is not between: still refused. */
	ASSERT_EQ(0, aspace_mmap(self->fd, hs + PAGES(5), PG, P_R,
				 M_PRIV | M_FIXED, NULL));
	BRK(hs + PG, hs + PAGES(4) + 1);
	/* One that reaches into the range is: everything there goes. */
	ASSERT_EQ(0, aspace_mmap(self->fd, hs + PAGES(4), PG, P_R,
				 M_PRIV | M_FIXED, NULL));
	BRK(hs + PG, hs + PG);
	EXPECT_VMAS(self->fd, { hs + PAGES(5), hs + PAGES(6), V_R });
}

/* Part of the heap left between the breaks: the shrink goes through. */
TEST_F(heap, shrink_over_part_of_the_heap)
{
	const __u64 hs = self->hs;

	BRK(hs + PAGES(8), hs + PAGES(8));
	ASSERT_EQ(0, aspace_munmap(self->fd, hs + PAGES(4), PAGES(4)));
	BRK(hs + PAGES(2), hs + PAGES(2));
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(2), HEAP });
	/* The heap below the new break only: refused. */
	BRK(hs + PAGES(8), hs + PAGES(8));
	ASSERT_EQ(0, aspace_munmap(self->fd, hs + PAGES(2), PAGES(6)));
	BRK(hs + PAGES(4), hs + PAGES(8));
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(2), HEAP });
}

/* An equal mapping just below the heap: the heap grows its own VMA. */
TEST_F(heap, grows_its_own_vma_after_mprotect)
{
	const __u64 hs = self->hs;

	BRK(hs + PAGES(4), hs + PAGES(4));
	ASSERT_EQ(0, aspace_mprotect(self->fd, hs + PAGES(3), PG, P_R));
	BRK(hs + PAGES(5), hs + PAGES(5));
	EXPECT_VMAS(self->fd, { hs, hs + PAGES(3), HEAP },
		    { hs + PAGES(3), hs + PAGES(4), V_R | V_HEAP },
		    { hs + PAGES(4), hs + PAGES(5), HEAP });
}

/*
 * do_brk_flags() refuses once the count is above max_map_count, even to
 * extend the heap VMA; like mmap, it may take the count to the limit + 1.
 */
TEST_F(heap, max_map_count_refuses_growth)
{
	const __u64 hs = self->hs;
	unsigned int i;

	ASSERT_EQ(0, set_max_map_count(self->fd, 3));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA + PAGES(2 * i),
					 PG, P_R, M_PRIV | M_FIXED, NULL));
	BRK(hs + PG, hs + PG);
	BRK(hs + PAGES(2), hs + PG);
	ASSERT_EQ(0, aspace_munmap(self->fd, FIXED_AREA, PG));
	BRK(hs + PAGES(2), hs + PAGES(2));
	EXPECT_VMAS(self->fd,
		    { FIXED_AREA + PAGES(2), FIXED_AREA + PAGES(3), V_R },
		    { FIXED_AREA + PAGES(4), FIXED_AREA + PAGES(5), V_R },
		    { hs, hs + PAGES(2), HEAP });
}

TEST_F(heap, reserved_nonzero_einval)
{
	struct aspace_brk b = {
		.size = sizeof(b),
		.reserved = 1,
		.brk = self->hs + PG,
	};
	struct asp_snap before;

	SNAP(self->fd, &before);
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_BRK, &b));
	EXPECT_UNCHANGED(self->fd, &before);
}

/* A heap placed below a stack keeps the stack's guard gap free. */
TEST(heap_keeps_stack_guard_gap)
{
	const __u64 stack = MAP_WINDOW - DEF_STACK_SIZE;
	const __u64 gap_start = stack - DEF_STACK_GUARD_GAP;
	const __u64 hs = gap_start - PAGES(4);
	struct aspace_layout l;
	__u64 got;
	int fd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	memset(&l, 0, sizeof(l));
	l.flags = ASPACE_LAYOUT_STACK;
	l.mmap_min_addr = DEF_MMAP_MIN_ADDR;
	l.heap_start = hs;
	ASSERT_EQ(0, aspace_set_layout(fd, &l));
	ASSERT_EQ(0, aspace_brk(fd, hs + PAGES(3), &got));
	EXPECT_EQ(hs + PAGES(3), got);
	ASSERT_EQ(0, aspace_brk(fd, hs + PAGES(3) + 1, &got));
	EXPECT_EQ(hs + PAGES(3), got);
	ASSERT_EQ(0, aspace_brk(fd, stack, &got));
	EXPECT_EQ(hs + PAGES(3), got);
	EXPECT_VMAS(fd, { hs, hs + PAGES(3), HEAP },
		    { stack, MAP_WINDOW, V_RW | V_STACK });
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/* A heap start of our choosing, and the break follows it. */
TEST(heap_start_from_layout)
{
	struct aspace_layout l;
	__u64 got;
	int fd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	memset(&l, 0, sizeof(l));
	l.mmap_min_addr = DEF_MMAP_MIN_ADDR;
	l.heap_start = 0x600000;
	ASSERT_EQ(0, aspace_set_layout(fd, &l));
	ASSERT_EQ(0, aspace_brk(fd, 0, &got));
	EXPECT_EQ(0x600000, got);
	ASSERT_EQ(0, aspace_brk(fd, 0x600010, &got));
	EXPECT_EQ(0x600010, got);
	EXPECT_VMAS(fd, { 0x600000, 0x601000, HEAP });
	/* A heap in use: the layout is fixed now. */
	EXPECT_EQ(-EBUSY, aspace_set_layout(fd, &l));
	ASSERT_EQ(0, aspace_brk(fd, 0x600000, &got));
	EXPECT_NO_VMAS(fd);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/*
 * The same calls on the real brk(2) of a forked child and on aspace.
 * Offsets are from the break (page aligned first) in the child, from the
 * heap start on aspace; the window is the 16 pages above it.  Each case
 * also states the last call's result (the break, less the base) and the
 * VMAs it leaves.
 */
#define LP(n)		((long long)PAGES(n))

static const struct lx_case heap_cases[] = {
	{ .name = "heap unmapped",
	  LX_STEPS(LX_BRK_AT(LP(4)),
		   LX_MUNMAP_AT(0, PAGES(4)),
		   LX_BRK_AT(0)),
	  .ret = LP(4) },
	{ .name = "heap unmapped, then grown",
	  LX_STEPS(LX_BRK_AT(LP(4)),
		   LX_MUNMAP_AT(0, PAGES(4)),
		   LX_BRK_AT(LP(1)),
		   LX_BRK_AT(LP(6))),
	  .ret = LP(6),
	  LX_VMAS({ LP(4), LP(6), HEAP }) },
	{ .name = "part of the heap left",
	  LX_STEPS(LX_BRK_AT(LP(8)),
		   LX_MUNMAP_AT(LP(4), PAGES(4)),
		   LX_BRK_AT(LP(2))),
	  .ret = LP(2),
	  LX_VMAS({ 0, LP(2), HEAP }) },
	{ .name = "heap below the new break only",
	  LX_STEPS(LX_BRK_AT(LP(8)),
		   LX_MUNMAP_AT(LP(2), PAGES(6)),
		   LX_BRK_AT(LP(4))),
	  .ret = LP(8),
	  LX_VMAS({ 0, LP(2), HEAP }) },
	{ .name = "a VMA at the old break",
	  LX_STEPS(LX_BRK_AT(LP(4)),
		   LX_MUNMAP_AT(0, PAGES(4)),
		   LX_MMAP_AT(LP(4), PAGES(2), P_R, M_PRIV),
		   LX_BRK_AT(LP(1))),
	  .ret = LP(4),
	  LX_VMAS({ LP(4), LP(6), V_R | V_HEAP }) },
	{ .name = "another VMA in between",
	  LX_STEPS(LX_BRK_AT(LP(6)),
		   LX_MUNMAP_AT(0, PAGES(6)),
		   LX_MMAP_AT(LP(2), PG, P_R, M_SHARED),
		   LX_BRK_AT(0)),
	  .ret = 0 },
	{ .name = "unaligned breaks",
	  LX_STEPS(LX_BRK_AT(LP(4) + 100),
		   LX_MUNMAP_AT(0, PAGES(5)),
		   LX_BRK_AT(LP(4) + 50),
		   LX_BRK_AT(LP(1) + 5)),
	  .ret = LP(4) + 50 },
};

TEST_F(heap, same_as_linux)
{
	const struct lx_script sc = { .win_hi = LP(16), .heap = true };
	struct lx_case cases[ARRAY_SIZE(heap_cases)];
	struct lx_vma vmas[ARRAY_SIZE(heap_cases)][4];
	const __u64 touching = heap_touching();
	unsigned int i, j;

	/*
	 * The [heap] flag each case expects, by the guest's rule: a VMA
	 * that only touches the heap (the last call's result is the break)
	 * keeps it before Linux 6.6 only.
	 */
	memcpy(cases, heap_cases, sizeof(cases));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_GE(ARRAY_SIZE(vmas[i]), cases[i].nvmas);
		for (j = 0; j < cases[i].nvmas; j++) {
			vmas[i][j] = cases[i].vmas[j];
			if (!(vmas[i][j].start < cases[i].ret &&
			      vmas[i][j].end > 0))
				vmas[i][j].flags &= ~V_HEAP | touching;
		}
		cases[i].vmas = vmas[i];
	}
	lx_check_cases(_metadata, cases, ARRAY_SIZE(cases), sc,
		       variant->layout, self->hs);
}

TEST_HARNESS_MAIN
