// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_GET_LAYOUT and SET_LAYOUT: the Linux
 * defaults, 4- and 5-level paging (task size, MAP_FIXED up to it, hints
 * above 2^47), the legacy bottom-up layout, a stack with its guard gap,
 * EBUSY once something is mapped, and bad layouts.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define STACK_TOP	MAP_WINDOW
#define HIGH		0x800000000000ULL	/* 2^47 */

static struct aspace_layout layout_of(__u32 flags)
{
	struct aspace_layout l;

	memset(&l, 0, sizeof(l));
	l.flags = flags;
	l.mmap_min_addr = DEF_MMAP_MIN_ADDR;
	return l;
}

FIXTURE(lay) {
	int fd;
};

FIXTURE_SETUP(lay)
{
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(lay)
{
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_F(lay, defaults)
{
	struct aspace_layout l, exp;
	struct aspace_stats st;

	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	layout_expected(0, &exp);
	EXPECT_EQ(sizeof(l), l.size);
	EXPECT_EQ(0, l.flags);
	EXPECT_EQ(0x10000, l.mmap_min_addr);
	EXPECT_EQ(0x7ffff7fff000ULL, l.mmap_base);
	EXPECT_EQ(0x555555555000ULL, l.heap_start);
	/* What the stack starts with; it grows up to the 8 MiB limit. */
	EXPECT_EQ(128ULL << 10, l.stack_size);
	EXPECT_EQ(1ULL << 20, l.stack_guard_gap);
	EXPECT_EQ(0x7ffffffff000ULL, l.task_size);
	EXPECT_EQ(0, memcmp(&exp, &l, sizeof(l)));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_TRUE(pgtables_root_only(&st, false));
}

/* An empty SET with each combination gives the documented defaults. */
TEST_F(lay, set_defaults_for_each_mode)
{
	static const __u32 modes[] = {
		0, ASPACE_LAYOUT_LA57, ASPACE_LAYOUT_LEGACY,
		ASPACE_LAYOUT_LA57 | ASPACE_LAYOUT_LEGACY,
	};
	struct aspace_layout in, l, exp;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		in = layout_of(modes[i]);
		ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
		ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
		layout_expected(modes[i], &exp);
		EXPECT_EQ(0, memcmp(&exp, &l, sizeof(l))) {
			TH_LOG("flags %#x: base %#llx task %#llx", modes[i],
			       (unsigned long long)l.mmap_base,
			       (unsigned long long)l.task_size);
		}
	}
}

TEST_F(lay, la57_task_size_and_fixed_up_to_it)
{
	struct aspace_layout in = layout_of(ASPACE_LAYOUT_LA57), l;
	struct aspace_stats st;
	__u64 a;

	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	EXPECT_EQ((1ULL << 56) - PG, l.task_size);
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_TRUE(pgtables_root_only(&st, true));
	/*
	 * The last page, and a big range crossing 2^47 (read-only, so
	 * populated with the zero page, which needs the tables all the same).
	 */
	ASSERT_EQ(0, aspace_mmap(self->fd, TASK_SIZE_5L - PG, PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	EXPECT_EQ(TASK_SIZE_5L - PG, a);
	ASSERT_EQ(0, aspace_mmap(self->fd, HIGH - PAGES(2), PAGES(4), P_R,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, TASK_SIZE_5L, PG, P_RW,
				       M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, TASK_SIZE_5L - PG, PAGES(2),
				       P_RW, M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, (1ULL << 56) + PG, P_RW,
				       M_PRIV, &a));
	EXPECT_VMAS(self->fd, { HIGH - PAGES(2), HIGH + PAGES(2), V_R },
		    { TASK_SIZE_5L - PG, TASK_SIZE_5L, V_RW });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(1, st.resident_pages);
	EXPECT_EQ(4, st.zero_page_maps);
	EXPECT_EQ(1, sysfs_pages_data());
	EXPECT_EQ(1, st.pgtable_pages[4]);
	EXPECT_EQ(2, st.pgtable_pages[3]);
	/* Written on both sides of 2^47: data pages of their own. */
	ASSERT_EQ(0, mem_fill(self->fd, HIGH - PG, PAGES(2), 0x5a));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(3, st.resident_pages);
	EXPECT_EQ(3, sysfs_pages_data());
	EXPECT_EQ(2, st.pgtable_pages[3]);
	EXPECT_TRUE(mem_is(self->fd, HIGH - PAGES(2), PG, 0));
	EXPECT_TRUE(mem_is(self->fd, HIGH - PG, PAGES(2), 0x5a));
	ASSERT_EQ(0, aspace_munmap(self->fd, 0, TASK_SIZE_5L));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_TRUE(pgtables_root_only(&st, true));
	EXPECT_EQ(1, sysfs_pages_pgtable());
}

/* The 4-level task size refuses what 5 levels accept. */
TEST_F(lay, four_level_refuses_above_47_bits)
{
	__u64 a;

	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, HIGH, PG, P_RW,
				       M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, HIGH - PG, PG, P_RW,
				       M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, HIGH - PAGES(2), PAGES(2),
				       P_RW, M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, TASK_SIZE_4L - PG, PG, P_RW,
				 M_PRIV | M_FIXED, &a));
	/* A hint above 2^47: ignored, placed by the search. */
	ASSERT_EQ(0, aspace_mmap(self->fd, 1ULL << 50, PG, P_RW, M_PRIV, &a));
	EXPECT_EQ(DEF_MMAP_BASE - PG, a);
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, HIGH, PG));
}

/*
 * With 5 levels the search stays below 2^47 unless the hint is above it
 * (DEFAULT_MAP_WINDOW); a free hint above it is honoured; an occupied
 * one places the mapping below mmap_base lifted by 2^56 - 2^47.
 */
TEST_F(lay, la57_hint_above_47_bits)
{
	static const __u64 lifted = DEF_MMAP_BASE + (TASK_SIZE_5L - MAP_WINDOW);
	struct aspace_layout in = layout_of(ASPACE_LAYOUT_LA57);
	__u64 a;

	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &a));
	EXPECT_EQ(DEF_MMAP_BASE - PG, a);
	ASSERT_EQ(0, aspace_mmap(self->fd, 1ULL << 50, PAGES(2), P_RW, M_PRIV,
				 &a));
	EXPECT_EQ(1ULL << 50, a);
	EXPECT_LT(HIGH, a);
	/* Occupied: the search, above 2^47. */
	ASSERT_EQ(0, aspace_mmap(self->fd, (1ULL << 50) + PG, PG, P_R,
				 M_PRIV, &a));
	EXPECT_EQ(lifted - PG, a);
	EXPECT_EQ(0xfffffff7ffe000ULL, a);
	ASSERT_EQ(0, aspace_mmap(self->fd, HIGH, PG, P_R, M_PRIV, &a));
	EXPECT_EQ(HIGH, a);
	EXPECT_VMAS(self->fd, { DEF_MMAP_BASE - PG, DEF_MMAP_BASE, V_RW },
		    { HIGH, HIGH + PG, V_R },
		    { 1ULL << 50, (1ULL << 50) + PAGES(2), V_RW },
		    { lifted - PG, lifted, V_R });
}

/*
 * Legacy with 5 levels: a free hint above 2^47 is honoured; else the
 * search is bottom-up from mmap_base, below 2^47.
 */
TEST_F(lay, la57_legacy_hint_above_47_bits)
{
	struct aspace_layout in;
	__u64 a;

	in = layout_of(ASPACE_LAYOUT_LA57 | ASPACE_LAYOUT_LEGACY);
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_mmap(self->fd, 1ULL << 52, PAGES(2), P_R, M_PRIV,
				 &a));
	EXPECT_EQ(1ULL << 52, a);
	ASSERT_EQ(0, aspace_mmap(self->fd, 1ULL << 52, PG, P_R, M_PRIV, &a));
	EXPECT_EQ(DEF_LEGACY_BASE, a);
	ASSERT_EQ(0, aspace_mmap(self->fd, TASK_SIZE_5L - PG, PG, P_R, M_PRIV,
				 &a));
	EXPECT_EQ(TASK_SIZE_5L - PG, a);
}

/* Legacy: bottom-up from a third of the window. */
TEST_F(lay, legacy_bottom_up)
{
	struct aspace_layout in = layout_of(ASPACE_LAYOUT_LEGACY);
	__u64 a, b, c;

	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(2), P_R, M_PRIV, &b));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &c));
	EXPECT_EQ(0x2aaaaaaab000ULL, a);
	EXPECT_EQ(0x2aaaaaaac000ULL, b);
	EXPECT_EQ(0x2aaaaaaae000ULL, c);
	/* A hole below: the next small one fills it. */
	ASSERT_EQ(0, aspace_munmap(self->fd, a, PG));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_X, M_PRIV, &a));
	EXPECT_EQ(0x2aaaaaaab000ULL, a);
}

TEST_F(lay, legacy_custom_base)
{
	struct aspace_layout in = layout_of(ASPACE_LAYOUT_LEGACY), l;
	__u64 a;

	in.mmap_base = 0x40000000;
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	EXPECT_EQ(0x40000000, l.mmap_base);
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &a));
	EXPECT_EQ(0x40000000, a);
}

TEST_F(lay, topdown_custom_values)
{
	struct aspace_layout in = layout_of(0), l;
	__u64 a;

	in.mmap_min_addr = 0x200000;
	in.mmap_base = 0x10000000;
	in.heap_start = 0x800000;
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	EXPECT_EQ(0x200000, l.mmap_min_addr);
	EXPECT_EQ(0x10000000, l.mmap_base);
	EXPECT_EQ(0x800000, l.heap_start);
	EXPECT_EQ(TASK_SIZE_4L, l.task_size);
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &a));
	EXPECT_EQ(0x10000000 - PG, a);
	EXPECT_EQ(-EPERM, aspace_mmap(self->fd, 0x100000, PG, P_RW,
				      M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0x1000, PG, P_RW, M_PRIV, &a));
	EXPECT_EQ(0x200000, a);
	EXPECT_EQ(0x800000, get_brk(self->fd));
}

/* task_size is output only: whatever comes in is ignored. */
TEST_F(lay, task_size_ignored_on_set)
{
	struct aspace_layout in = layout_of(0), l;

	in.task_size = 0x1234;
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	EXPECT_EQ(TASK_SIZE_4L, l.task_size);
	in.task_size = ~0ULL;
	in.flags = ASPACE_LAYOUT_LA57;
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	EXPECT_EQ(TASK_SIZE_5L, l.task_size);
}

TEST_F(lay, set_on_non_empty_ebusy)
{
	struct aspace_layout in = layout_of(ASPACE_LAYOUT_LA57);
	struct asp_snap before;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV | M_POPULATE,
				 &a));
	SNAP(self->fd, &before);
	EXPECT_EQ(-EBUSY, aspace_set_layout(self->fd, &in));
	in.flags = 0;
	EXPECT_EQ(-EBUSY, aspace_set_layout(self->fd, &in));
	EXPECT_UNCHANGED(self->fd, &before);
	/* Empty again: allowed. */
	ASSERT_EQ(0, aspace_munmap(self->fd, a, PG));
	in.flags = ASPACE_LAYOUT_LA57;
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	/* A heap counts, even with its VMA unmapped. */
	ASSERT_EQ(0, aspace_brk(self->fd, DEF_HEAP_START + PG, NULL));
	SNAP(self->fd, &before);
	EXPECT_EQ(-EBUSY, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_munmap(self->fd, DEF_HEAP_START, PG));
	EXPECT_EQ(-EBUSY, aspace_set_layout(self->fd, &in));
	/* Over nothing the break does not go back, as in Linux. */
	EXPECT_EQ(DEF_HEAP_START + PG, set_brk(self->fd, DEF_HEAP_START));
	EXPECT_EQ(-EBUSY, aspace_set_layout(self->fd, &in));
	/* Over a mapping it does, unmapping it: the heap is untouched. */
	ASSERT_EQ(0, aspace_mmap(self->fd, DEF_HEAP_START, PG, P_RW,
				 M_PRIV | M_FIXED, NULL));
	EXPECT_EQ(DEF_HEAP_START, set_brk(self->fd, DEF_HEAP_START));
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
}

TEST_F(lay, stack_vma_at_top)
{
	struct aspace_layout in = layout_of(ASPACE_LAYOUT_STACK), l;
	const __u64 stack = STACK_TOP - DEF_STACK_SIZE;
	struct aspace_stats st;

	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	EXPECT_EQ(ASPACE_LAYOUT_STACK, l.flags);
	EXPECT_EQ(DEF_STACK_SIZE, l.stack_size);
	EXPECT_EQ(DEF_STACK_GUARD_GAP, l.stack_guard_gap);
	EXPECT_VMAS(self->fd, { stack, STACK_TOP, V_RW | V_STACK });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(DEF_STACK_SIZE, st.mapped_bytes);
	/* A stack is not data (RLIMIT_DATA), and not populated. */
	EXPECT_EQ(0, st.data_bytes);
	EXPECT_EQ(0, st.resident_pages);
	/* The stack makes the address space non-empty. */
	EXPECT_EQ(-EBUSY, aspace_set_layout(self->fd, &in));
}

TEST_F(lay, stack_custom_size_la57)
{
	struct aspace_layout in;

	in = layout_of(ASPACE_LAYOUT_STACK | ASPACE_LAYOUT_LA57);
	in.stack_size = 1ULL << 20;
	in.stack_guard_gap = PAGES(16);
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	/* At the top of the 47-bit window even with 5 levels. */
	EXPECT_VMAS(self->fd,
		    { STACK_TOP - 0x100000, STACK_TOP, V_RW | V_STACK });
}

/* mmap keeps the guard gap below the stack free: hints and search. */
TEST_F(lay, mmap_keeps_guard_gap)
{
	const __u64 stack = STACK_TOP - DEF_STACK_SIZE;
	const __u64 gap = stack - DEF_STACK_GUARD_GAP;
	struct aspace_layout in = layout_of(ASPACE_LAYOUT_STACK);
	__u64 a;

	/* mmap_base at the top of the window: the search meets the stack. */
	in.mmap_base = MAP_WINDOW;
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(2), P_RW, M_PRIV, &a));
	EXPECT_EQ(gap - PAGES(2), a);
	/* A hint inside the gap is not honoured; ending at it is. */
	ASSERT_EQ(0, aspace_mmap(self->fd, stack - PAGES(2), PG, P_R, M_PRIV,
				 &a));
	EXPECT_EQ(gap - PAGES(3), a);
	ASSERT_EQ(0, aspace_mmap(self->fd, gap - PAGES(10), PAGES(2), P_X,
				 M_PRIV, &a));
	EXPECT_EQ(gap - PAGES(10), a);
	ASSERT_EQ(0, aspace_mmap(self->fd, gap - PG, PG, P_X, M_PRIV, &a));
	EXPECT_EQ(gap - PAGES(4), a);
	/* MAP_FIXED may go into the gap, as in Linux. */
	ASSERT_EQ(0, aspace_mmap(self->fd, stack - PG, PG, P_R,
				 M_PRIV | M_FIXED, &a));
	EXPECT_EQ(stack - PG, a);
}

/* Bottom-up, a range ending in the guard gap is skipped. */
TEST_F(lay, legacy_search_skips_guard_gap)
{
	const __u64 stack = STACK_TOP - DEF_STACK_SIZE;
	const __u64 gap = stack - DEF_STACK_GUARD_GAP;
	struct aspace_layout in;
	struct asp_snap before;
	__u64 a;

	in = layout_of(ASPACE_LAYOUT_STACK | ASPACE_LAYOUT_LEGACY);
	in.mmap_base = gap - PAGES(2);
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(2), P_RW, M_PRIV, &a));
	EXPECT_EQ(gap - PAGES(2), a);
	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &a));
	EXPECT_UNCHANGED(self->fd, &before);
}

/* The stack can be unmapped like any VMA; then the layout is free. */
TEST_F(lay, stack_unmapped_then_layout_settable)
{
	struct aspace_layout in = layout_of(ASPACE_LAYOUT_STACK);
	const __u64 stack = STACK_TOP - DEF_STACK_SIZE;

	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	ASSERT_EQ(0, aspace_munmap(self->fd, STACK_TOP - PAGES(4), PAGES(4)));
	EXPECT_VMAS(self->fd,
		    { stack, STACK_TOP - PAGES(4), V_RW | V_STACK });
	ASSERT_EQ(0, aspace_munmap(self->fd, 0, MAP_WINDOW));
	in.flags = ASPACE_LAYOUT_LEGACY;
	ASSERT_EQ(0, aspace_set_layout(self->fd, &in));
	EXPECT_NO_VMAS(self->fd);
}

TEST_F(lay, bad_layouts_einval)
{
	static const struct {
		const char *what;
		__u32 flags;
		size_t off;
		__u64 val;
	} bad[] = {
#define BAD(w, fl, field, v) \
	{ w, fl, offsetof(struct aspace_layout, field), v }
		BAD("unknown flag 0x8", 0x8, mmap_min_addr, DEF_MMAP_MIN_ADDR),
		BAD("unknown flag 1<<31", 0x80000000, mmap_min_addr,
		    DEF_MMAP_MIN_ADDR),
		BAD("mmap_min_addr unaligned", 0, mmap_min_addr, 0x10001),
		BAD("mmap_base unaligned", 0, mmap_base, DEF_MMAP_BASE - 1),
		BAD("heap_start unaligned", 0, heap_start, 0x600010),
		BAD("stack_size unaligned", ASPACE_LAYOUT_STACK, stack_size,
		    PG + 1),
		BAD("guard gap unaligned", ASPACE_LAYOUT_STACK,
		    stack_guard_gap, 100),
		BAD("mmap_min_addr at the window", 0, mmap_min_addr,
		    MAP_WINDOW),
		BAD("mmap_min_addr past the window", 0, mmap_min_addr,
		    1ULL << 50),
		BAD("mmap_base past the window", 0, mmap_base,
		    MAP_WINDOW + PG),
		BAD("mmap_base past the window, 5 levels", ASPACE_LAYOUT_LA57,
		    mmap_base, 1ULL << 50),
		BAD("heap_start below mmap_min_addr", 0, heap_start, PG),
		BAD("heap_start at the window", 0, heap_start, MAP_WINDOW),
		BAD("stack larger than the window", ASPACE_LAYOUT_STACK,
		    stack_size, MAP_WINDOW),
		BAD("guard gap larger than the window", ASPACE_LAYOUT_STACK,
		    stack_guard_gap, MAP_WINDOW + PG),
#undef BAD
	};
	struct aspace_layout in;
	struct asp_snap before;
	unsigned int i;

	SNAP(self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		in = layout_of(bad[i].flags);
		memcpy((char *)&in + bad[i].off, &bad[i].val, sizeof(__u64));
		EXPECT_EQ(-EINVAL, aspace_set_layout(self->fd, &in)) {
			TH_LOG("%s", bad[i].what);
		}
	}
	/* mmap_base at or below mmap_min_addr. */
	in = layout_of(0);
	in.mmap_min_addr = 0x100000;
	in.mmap_base = 0x100000;
	EXPECT_EQ(-EINVAL, aspace_set_layout(self->fd, &in));
	in.mmap_base = 0x80000;
	EXPECT_EQ(-EINVAL, aspace_set_layout(self->fd, &in));
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_HARNESS_MAIN
