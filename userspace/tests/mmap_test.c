// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_MMAP: the checklist for mmap
 * (Documentation/design.md, section 4), in the four layouts (4- and
 * 5-level paging, top-down and legacy), with exact addresses, errnos and
 * VMA listings before and after.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

FIXTURE(mm) {
	int fd;
	struct aspace_layout l;
	bool topdown;
	bool la57;
};

FIXTURE_VARIANT(mm) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(mm, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(mm, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_VARIANT_ADD(mm, legacy_4level) {
	.layout = LAYOUT_LEGACY_4L,
};

FIXTURE_VARIANT_ADD(mm, legacy_5level) {
	.layout = LAYOUT_LEGACY_5L,
};

FIXTURE_SETUP(mm)
{
	struct aspace_layout exp;

	self->fd = open_layout(variant->layout);
	ASSERT_LE(0, self->fd) {
		TH_LOG("open with layout %#x: %s", variant->layout,
		       strerror(-self->fd));
	}
	ASSERT_EQ(0, aspace_get_layout(self->fd, &self->l));
	layout_expected(variant->layout, &exp);
	ASSERT_EQ(0, memcmp(&exp, &self->l, sizeof(exp)));
	self->topdown = !(variant->layout & ASPACE_LAYOUT_LEGACY);
	self->la57 = variant->layout & ASPACE_LAYOUT_LA57;
}

FIXTURE_TEARDOWN(mm)
{
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

/*
 * Where the n-th of a row of same-sized mappings without a hint goes in
 * an empty address space: below mmap_base going down, or from it up.
 */
static __u64 nth_place(const struct aspace_layout *l, bool topdown,
		       __u64 len, unsigned int n)
{
	if (topdown)
		return l->mmap_base - (n + 1) * len;
	return l->mmap_base + n * len;
}

/*
 * Populating a mapping that is not private and writable makes no
 * anonymous memory of its own (Linux maps the zero page or shared pages
 * and creates no anon_vma), so it still merges like an untouched one.
 */
TEST_F(mm, populated_readonly_neighbours_still_merge)
{
	const __u64 f = FIXED_AREA;
	struct aspace_stats st;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PG, P_R,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(2), PG, P_R,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PG, PG, P_R,
				 M_PRIV | M_FIXED, NULL));
	EXPECT_VMAS(self->fd, { f, f + PAGES(3), V_R });
	/* Two zero-page entries: nothing resident, nothing allocated. */
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_EQ(2, st.zero_page_maps);
	EXPECT_EQ(0, sysfs_pages_data());
}

TEST_F(mm, first_mappings_placed_like_linux)
{
	__u64 a, b, c;

	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &b));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(3), P_RW, M_PRIV, &c));
	if (self->topdown) {
		EXPECT_EQ(0x7ffff7ffe000ULL, a);
		EXPECT_EQ(0x7ffff7ffd000ULL, b);
		EXPECT_EQ(0x7ffff7ffa000ULL, c);
		/* Equal neighbours merge into one VMA. */
		EXPECT_VMAS(self->fd, { c, a + PG, V_RW });
	} else {
		EXPECT_EQ(0x2aaaaaaab000ULL, a);
		EXPECT_EQ(0x2aaaaaaac000ULL, b);
		EXPECT_EQ(0x2aaaaaaad000ULL, c);
		EXPECT_VMAS(self->fd, { a, c + PAGES(3), V_RW });
	}
}

/* The search skips a hole too small and later fills it. */
TEST_F(mm, search_skips_small_hole_then_fills_it)
{
	__u64 a, c, big, small, hole;

	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &a));
	EXPECT_EQ(nth_place(&self->l, self->topdown, PG, 0), a);
	/* A read-only page leaving a one-page hole next to a. */
	c = self->topdown ? a - PAGES(2) : a + PAGES(2);
	hole = self->topdown ? a - PG : a + PG;
	ASSERT_EQ(0, aspace_mmap(self->fd, c, PG, P_R, M_PRIV | M_FIXED, &c));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(2), P_RW, M_PRIV, &big));
	EXPECT_EQ(self->topdown ? c - PAGES(2) : c + PG, big);
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &small));
	EXPECT_EQ(hole, small);
	if (self->topdown)
		EXPECT_VMAS(self->fd,
			    { big, c, V_RW },
			    { c, c + PG, V_R },
			    { hole, a + PG, V_RW });
	else
		EXPECT_VMAS(self->fd,
			    { a, hole + PG, V_RW },
			    { c, c + PG, V_R },
			    { big, big + PAGES(2), V_RW });
}

TEST_F(mm, hint_honoured_when_free)
{
	static const __u64 hints[] = {
		0x10000, 0x12345000, FIXED_AREA, 0x400000000000ULL,
		MAP_WINDOW - PAGES(4),
	};
	unsigned int i;
	__u64 addr;

	for (i = 0; i < ARRAY_SIZE(hints); i++) {
		ASSERT_EQ(0, aspace_mmap(self->fd, hints[i], PAGES(4), P_R,
					 M_PRIV, &addr));
		EXPECT_EQ(hints[i], addr);
	}
	EXPECT_VMAS(self->fd,
		    { 0x10000, 0x14000, V_R },
		    { 0x12345000, 0x12349000, V_R },
		    { FIXED_AREA, FIXED_AREA + PAGES(4), V_R },
		    { 0x400000000000ULL, 0x400000004000ULL, V_R },
		    { MAP_WINDOW - PAGES(4), MAP_WINDOW, V_R });
}

TEST_F(mm, hint_rounded_down_to_page)
{
	__u64 addr;

	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA + 0x123, PG, P_RW,
				 M_PRIV, &addr));
	EXPECT_EQ(FIXED_AREA, addr);
	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA + PAGES(3) - 1, PG,
				 P_RW, M_PRIV, &addr));
	EXPECT_EQ(FIXED_AREA + PAGES(2), addr);
	EXPECT_VMAS(self->fd, { FIXED_AREA, FIXED_AREA + PG, V_RW },
		    { FIXED_AREA + PAGES(2), FIXED_AREA + PAGES(3), V_RW });
}

TEST_F(mm, hint_below_mmap_min_addr_raised)
{
	static const __u64 hints[] = { PG, 0x8000, 0xffff };
	unsigned int i;
	__u64 addr;

	/* Rounded down to 0 first: no hint at all. */
	ASSERT_EQ(0, aspace_mmap(self->fd, 0xfff, PG, P_RW, M_PRIV, &addr));
	EXPECT_EQ(nth_place(&self->l, self->topdown, PG, 0), addr);
	ASSERT_EQ(0, aspace_munmap(self->fd, addr, PG));

	for (i = 0; i < ARRAY_SIZE(hints); i++) {
		ASSERT_EQ(0, aspace_mmap(self->fd, hints[i], PG, P_RW, M_PRIV,
					 &addr));
		EXPECT_EQ(DEF_MMAP_MIN_ADDR, addr) {
			TH_LOG("hint %#llx", (unsigned long long)hints[i]);
		}
		ASSERT_EQ(0, aspace_munmap(self->fd, addr, PG));
	}
	/* Once the minimum is taken, the search decides. */
	ASSERT_EQ(0, aspace_mmap(self->fd, 0x10000, PG, P_R, M_PRIV, &addr));
	ASSERT_EQ(0, aspace_mmap(self->fd, PG, PG, P_RW, M_PRIV, &addr));
	EXPECT_EQ(nth_place(&self->l, self->topdown, PG, 0), addr);
}

/* A hint over a mapping, or running into one: the search decides. */
TEST_F(mm, hint_not_free_falls_back_to_search)
{
	__u64 addr;

	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA, PAGES(4), P_R,
				 M_PRIV | M_FIXED, &addr));
	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA + PG, PG, P_RW, M_PRIV,
				 &addr));
	EXPECT_EQ(nth_place(&self->l, self->topdown, PG, 0), addr);
	/* Free at the hint, but the range runs into the mapping. */
	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA - PG, PAGES(2), P_RW,
				 M_PRIV, &addr));
	EXPECT_EQ(self->topdown ? nth_place(&self->l, true, PG, 0) - PAGES(2) :
				  nth_place(&self->l, false, PG, 1), addr);
	/* Ending exactly at the mapping is free. */
	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA - PAGES(2), PAGES(2),
				 P_RW, M_PRIV, &addr));
	EXPECT_EQ(FIXED_AREA - PAGES(2), addr);
}

/*
 * Where an empty address space places @len bytes for a hint it cannot
 * honour: a hint above the 47-bit window lifts the top-down search by
 * the part of the task size above the window, as Linux does.
 */
static __u64 search_place(const struct aspace_layout *l, bool topdown,
			  __u64 hint, __u64 len)
{
	if (!topdown)
		return l->mmap_base;
	if (hint > MAP_WINDOW)
		return l->mmap_base + (l->task_size - MAP_WINDOW) - len;
	return l->mmap_base - len;
}

/* A hint whose range would pass the task size: the search decides. */
TEST_F(mm, hint_past_task_size_ignored)
{
	__u64 hint, addr;

	hint = self->l.task_size - PG;
	ASSERT_EQ(0, aspace_mmap(self->fd, hint, PAGES(2), P_RW, M_PRIV,
				 &addr));
	EXPECT_EQ(search_place(&self->l, self->topdown, hint, PAGES(2)), addr);
	ASSERT_EQ(0, aspace_munmap(self->fd, addr, PAGES(2)));
	hint = ~0ULL & ~(PG - 1);
	ASSERT_EQ(0, aspace_mmap(self->fd, hint, PG, P_RW, M_PRIV, &addr));
	EXPECT_EQ(search_place(&self->l, self->topdown, hint, PG), addr);
	ASSERT_EQ(0, aspace_munmap(self->fd, addr, PG));
	/* Crossing the 47-bit window boundary is no valid hint either. */
	hint = MAP_WINDOW - PG;
	ASSERT_EQ(0, aspace_mmap(self->fd, hint, PAGES(2), P_RW, M_PRIV,
				 &addr));
	EXPECT_EQ(search_place(&self->l, self->topdown, hint, PAGES(2)),
		  addr);
}

TEST_F(mm, length_rounded_up)
{
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA, 1, P_RW,
				 M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA + PAGES(2), PG + 1, P_R,
				 M_PRIV | M_FIXED, &a));
	EXPECT_VMAS(self->fd, { FIXED_AREA, FIXED_AREA + PG, V_RW },
		    { FIXED_AREA + PAGES(2), FIXED_AREA + PAGES(4), V_R });
}

TEST_F(mm, length_zero_einval)
{
	struct asp_snap before;
	__u64 a = 0;

	SNAP(self->fd, &before);
	EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, 0, 0, P_RW, M_PRIV, &a));
	EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, FIXED_AREA, 0, P_RW,
				       M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, 0, 0, P_RW, M_SHARED, &a));
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_F(mm, length_too_big_enomem)
{
	__u64 lens[] = {
		~0ULL, ~0ULL - PG + 2, 1ULL << 63, self->l.task_size + PG,
		self->l.task_size + 1, 1ULL << 57,
	};
	struct asp_snap before;
	unsigned int i;
	__u64 a = 0;

	SNAP(self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, lens[i], P_RW,
					       M_PRIV, &a)) {
			TH_LOG("length %#llx", (unsigned long long)lens[i]);
		}
		EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, FIXED_AREA, lens[i],
					       P_R, M_SHARED | M_FIXED, &a));
	}
	EXPECT_UNCHANGED(self->fd, &before);
}

/* The whole window below mmap_base is one free range, but not more. */
TEST_F(mm, length_of_everything)
{
	__u64 a;

	/* Larger than every free range: no room. */
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, self->l.task_size, P_R,
				       M_PRIV, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, 1ULL << 45, P_R, M_PRIV, &a));
	EXPECT_VMAS(self->fd, { a, a + (1ULL << 45), V_R });
	EXPECT_EQ(self->topdown ? self->l.mmap_base - (1ULL << 45) :
				  self->l.mmap_base, a);
}

TEST_F(mm, fixed_unaligned_einval)
{
	static const __u64 offs[] = { 1, 0x800, PG - 1 };
	struct asp_snap before;
	unsigned int i;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA, PAGES(4), P_RW,
				 M_PRIV | M_FIXED, &a));
	SNAP(self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, FIXED_AREA + offs[i],
					       PG, P_R, M_PRIV | M_FIXED, &a));
		EXPECT_EQ(-EINVAL,
			  aspace_mmap(self->fd, FIXED_AREA + PAGES(8) + offs[i],
				      PG, P_R, M_PRIV | M_NOREPLACE, &a));
	}
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_F(mm, fixed_below_mmap_min_addr_eperm)
{
	static const __u64 addrs[] = { 0, PG, 0xf000 };
	struct asp_snap before;
	unsigned int i;
	__u64 a;

	SNAP(self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		EXPECT_EQ(-EPERM, aspace_mmap(self->fd, addrs[i], PG, P_RW,
					      M_PRIV | M_FIXED, &a));
		EXPECT_EQ(-EPERM, aspace_mmap(self->fd, addrs[i], PG, P_RW,
					      M_SHARED | M_NOREPLACE, &a));
	}
	/* Straddling the minimum is below it too. */
	EXPECT_EQ(-EPERM, aspace_mmap(self->fd, 0xf000, PAGES(4), P_RW,
				      M_PRIV | M_FIXED, &a));
	EXPECT_UNCHANGED(self->fd, &before);
	ASSERT_EQ(0, aspace_mmap(self->fd, DEF_MMAP_MIN_ADDR, PG, P_RW,
				 M_PRIV | M_FIXED, &a));
	EXPECT_EQ(DEF_MMAP_MIN_ADDR, a);
}

TEST_F(mm, fixed_past_task_size_enomem)
{
	__u64 ts = self->l.task_size;
	struct asp_snap before;
	__u64 a;

	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, ts, PG, P_RW,
				       M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, ts - PG, PAGES(2), P_RW,
				       M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 1ULL << 60, PG, P_RW,
				       M_PRIV | M_FIXED, &a));
	/* address + length wraps around 2^64 */
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, ~0ULL - PG + 1, PAGES(2),
				       P_RW, M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, ts - PG, PAGES(2), P_RW,
				       M_PRIV | M_NOREPLACE, &a));
	EXPECT_UNCHANGED(self->fd, &before);
	/* The last page below the task size can be mapped. */
	ASSERT_EQ(0, aspace_mmap(self->fd, ts - PG, PG, P_RW,
				 M_PRIV | M_FIXED, &a));
	EXPECT_VMAS(self->fd, { ts - PG, ts, V_RW });
}

TEST_F(mm, fixed_replaces_middle_and_merges_back)
{
	const __u64 f = FIXED_AREA;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(8), P_RW,
				 M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(2), PAGES(2), P_R,
				 M_PRIV | M_FIXED, &a));
	EXPECT_EQ(f + PAGES(2), a);
	EXPECT_VMAS(self->fd, { f, f + PAGES(2), V_RW },
		    { f + PAGES(2), f + PAGES(4), V_R },
		    { f + PAGES(4), f + PAGES(8), V_RW });
	/* The same attributes again: one VMA. */
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(2), PAGES(2), P_RW,
				 M_PRIV | M_FIXED, &a));
	EXPECT_VMAS(self->fd, { f, f + PAGES(8), V_RW });
}

TEST_F(mm, fixed_replaces_several)
{
	const __u64 f = FIXED_AREA;
	struct aspace_stats st;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(2), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(3), PAGES(2), P_R,
				 M_SHARED | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(6), PAGES(2), P_X,
				 M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(4, st.resident_pages);
	EXPECT_EQ(3, st.nr_vmas);
	/* Over all three and the holes, leaving a page at each end. */
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PG, PAGES(6), P_R | P_X,
				 M_PRIV | M_FIXED, &a));
	EXPECT_VMAS(self->fd, { f, f + PG, V_RW },
		    { f + PG, f + PAGES(7), V_R | V_X },
		    { f + PAGES(7), f + PAGES(8), V_X });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(1, st.resident_pages);
	EXPECT_EQ(PAGES(8), st.mapped_bytes);
	EXPECT_EQ(PG, st.data_bytes);
	EXPECT_EQ(1, sysfs_pages_data());
}

TEST_F(mm, fixed_merges_with_both_neighbours)
{
	const __u64 f = FIXED_AREA;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(2), P_R,
				 M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(3), PAGES(2), P_R,
				 M_PRIV | M_FIXED, &a));
	EXPECT_VMAS(self->fd, { f, f + PAGES(2), V_R },
		    { f + PAGES(3), f + PAGES(5), V_R });
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(2), PG, P_R,
				 M_PRIV | M_NOREPLACE, &a));
	EXPECT_VMAS(self->fd, { f, f + PAGES(5), V_R });
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(5), PG, P_R, M_PRIV, &a));
	EXPECT_EQ(f + PAGES(5), a);
	ASSERT_EQ(0, aspace_mmap(self->fd, f - PG, PG, P_R, M_PRIV, &a));
	EXPECT_EQ(f - PG, a);
	EXPECT_VMAS(self->fd, { f - PG, f + PAGES(6), V_R });
}

/* Different attributes never merge. */
TEST_F(mm, unequal_neighbours_do_not_merge)
{
	const __u64 f = FIXED_AREA;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PG, P_R, M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PG, PG, P_RW,
				 M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(2), PG, P_RW,
				 M_SHARED | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(3), PG, P_RW | P_X,
				 M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(4), PG, 0,
				 M_PRIV | M_FIXED, &a));
	EXPECT_VMAS(self->fd, { f, f + PG, V_R },
		    { f + PG, f + PAGES(2), V_RW },
		    { f + PAGES(2), f + PAGES(3), V_RW | V_S },
		    { f + PAGES(3), f + PAGES(4), V_RWX },
		    { f + PAGES(4), f + PAGES(5), 0 });
}

/* Two MAP_SHARED mmaps are two objects, as two shmem files would be. */
TEST_F(mm, shared_mappings_of_different_mmaps_do_not_merge)
{
	const __u64 f = FIXED_AREA;
	struct vma_list l;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(2), P_RW,
				 M_SHARED | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(2), PAGES(2), P_RW,
				 M_SHARED | M_FIXED, &a));
	ASSERT_EQ(0, list_vmas(self->fd, &l));
	ASSERT_EQ(2, l.n);
	EXPECT_EQ(f, l.v[0].start);
	EXPECT_EQ(f + PAGES(2), l.v[1].start);
	EXPECT_NE(0, l.v[0].id);
	EXPECT_NE(0, l.v[1].id);
	EXPECT_NE(l.v[0].id, l.v[1].id);
	EXPECT_EQ(0, l.v[0].pgoff);
	EXPECT_EQ(0, l.v[1].pgoff);
	/* Placed by the search next to each other: still two. */
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_R, M_SHARED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_R, M_SHARED, &a));
	ASSERT_EQ(0, list_vmas(self->fd, &l));
	EXPECT_EQ(4, l.n);
}

/* A shared mapping split by mprotect joins again: same object. */
TEST_F(mm, split_shared_mapping_remerges)
{
	const __u64 f = FIXED_AREA;
	struct vma_list l;
	__u64 a, id;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(4), P_RW,
				 M_SHARED | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_mprotect(self->fd, f + PG, PAGES(2), P_R));
	ASSERT_EQ(0, list_vmas(self->fd, &l));
	ASSERT_EQ(3, l.n);
	id = l.v[0].id;
	EXPECT_NE(0, id);
	EXPECT_EQ(id, l.v[1].id);
	EXPECT_EQ(id, l.v[2].id);
	EXPECT_EQ(0, l.v[0].pgoff);
	EXPECT_EQ(PG, l.v[1].pgoff);
	EXPECT_EQ(PAGES(3), l.v[2].pgoff);
	EXPECT_EQ(V_R | V_S, l.v[1].flags);
	ASSERT_EQ(0, aspace_mprotect(self->fd, f + PG, PAGES(2), P_RW));
	ASSERT_EQ(0, list_vmas(self->fd, &l));
	ASSERT_EQ(1, l.n);
	EXPECT_EQ(f, l.v[0].start);
	EXPECT_EQ(f + PAGES(4), l.v[0].end);
	EXPECT_EQ(id, l.v[0].id);
	EXPECT_EQ(0, l.v[0].pgoff);
	EXPECT_EQ(V_RW | V_S, l.v[0].flags);
}

/*
 * A gap in a shared mapping filled by a new shared mmap: a new object,
 * so three VMAs.  The pieces of the old object are not contiguous.
 */
TEST_F(mm, shared_hole_refilled_stays_apart)
{
	const __u64 f = FIXED_AREA;
	struct vma_list l;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(3), P_RW,
				 M_SHARED | M_FIXED, &a));
	ASSERT_EQ(0, aspace_munmap(self->fd, f + PG, PG));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PG, PG, P_RW,
				 M_SHARED | M_FIXED, &a));
	ASSERT_EQ(0, list_vmas(self->fd, &l));
	ASSERT_EQ(3, l.n);
	EXPECT_EQ(l.v[0].id, l.v[2].id);
	EXPECT_NE(l.v[0].id, l.v[1].id);
	EXPECT_EQ(PAGES(2), l.v[2].pgoff);
	EXPECT_EQ(0, l.v[1].pgoff);
}

/*
 * Private memory populated separately is separate anonymous memory (an
 * anon_vma each): a mapping between two such VMAs joins only the one
 * before it, as vma_merge() and Linux 6.12's vma_merge_new_range() do
 * (documented: 6.1's mmap_region() joins the one after it).
 */
TEST_F(mm, populated_separately_no_three_way_merge)
{
	const __u64 f = FIXED_AREA;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(2), PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	EXPECT_VMAS(self->fd, { f, f + PG, V_RW },
		    { f + PAGES(2), f + PAGES(3), V_RW });
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PG, PG, P_RW,
				 M_PRIV | M_FIXED, &a));
	EXPECT_VMAS(self->fd, { f, f + PAGES(2), V_RW },
		    { f + PAGES(2), f + PAGES(3), V_RW });
}

/* A new mapping next to a populated one joins it (no anon_vma yet). */
TEST_F(mm, unpopulated_joins_populated_neighbour)
{
	const __u64 f = FIXED_AREA;
	struct aspace_stats st;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PG, PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f - PG, PG, P_RW,
				 M_PRIV | M_FIXED, &a));
	EXPECT_VMAS(self->fd, { f - PG, f + PAGES(2), V_RW });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(2, st.resident_pages);
}

TEST_F(mm, fixed_noreplace_overlap_eexist)
{
	const __u64 f = FIXED_AREA;
	struct asp_snap before;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(4), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	SNAP(self->fd, &before);
	/* Over the start, inside, over the end, all of it and more. */
	EXPECT_EQ(-EEXIST, aspace_mmap(self->fd, f - PG, PAGES(2), P_RW,
				       M_PRIV | M_NOREPLACE, &a));
	EXPECT_EQ(-EEXIST, aspace_mmap(self->fd, f + PG, PG, P_RW,
				       M_PRIV | M_NOREPLACE, &a));
	EXPECT_EQ(-EEXIST, aspace_mmap(self->fd, f + PAGES(3), PAGES(2), P_R,
				       M_SHARED | M_NOREPLACE, &a));
	EXPECT_EQ(-EEXIST, aspace_mmap(self->fd, f - PG, PAGES(6), P_R,
				       M_PRIV | M_NOREPLACE | M_POPULATE, &a));
	/* With MAP_FIXED too: NOREPLACE wins. */
	EXPECT_EQ(-EEXIST, aspace_mmap(self->fd, f, PG, P_R,
				       M_PRIV | M_FIXED | M_NOREPLACE, &a));
	EXPECT_UNCHANGED(self->fd, &before);
	/* Right next to it: fine. */
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(4), PG, P_R,
				 M_PRIV | M_NOREPLACE, &a));
	EXPECT_EQ(f + PAGES(4), a);
}

/* A MAP_FIXED that cannot be made leaves the old mappings untouched. */
TEST_F(mm, fixed_failure_leaves_old_mappings)
{
	const __u64 f = FIXED_AREA;
	struct asp_snap before;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(4), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(6), PAGES(2), P_R,
				 M_SHARED | M_FIXED | M_POPULATE, &a));
	/* Mapped bytes limited to what is mapped now. */
	ASSERT_EQ(0, set_limit(self->fd, as_bytes, PAGES(6)));
	SNAP(self->fd, &before);
	/* Replaces 4 pages, adds 2 more: over the limit. */
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, f + PAGES(2), PAGES(6), P_R,
				       M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, f - PG, PAGES(5), P_RW,
				       M_SHARED | M_FIXED | M_POPULATE, &a));
	EXPECT_UNCHANGED(self->fd, &before);
	EXPECT_EQ(6, sysfs_pages_data());
	/* The same number of pages is fine. */
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(2), PAGES(2), P_R,
				 M_PRIV | M_FIXED, &a));
	EXPECT_VMAS(self->fd, { f, f + PAGES(2), V_RW },
		    { f + PAGES(2), f + PAGES(4), V_R },
		    { f + PAGES(6), f + PAGES(8), V_R | V_S });
}

/* The data limit: private writable pages, replaced ones counted off. */
TEST_F(mm, fixed_failure_data_limit)
{
	const __u64 f = FIXED_AREA;
	struct asp_snap before;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(4), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, set_limit(self->fd, data_bytes, PAGES(5)));
	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, f + PAGES(2), PAGES(4), P_RW,
				       M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, PAGES(2), P_RW, M_PRIV,
				       &a));
	EXPECT_UNCHANGED(self->fd, &before);
	/* Shared or read-only memory is not data. */
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(2), PAGES(4), P_RW,
				 M_SHARED | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(8), P_R, M_PRIV, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(3), P_RW, M_PRIV, &a));
}

/* A MAP_FIXED that splits a VMA in three at max_map_count: ENOMEM. */
TEST_F(mm, fixed_split_past_max_map_count)
{
	const __u64 f = FIXED_AREA;
	struct asp_snap before;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(8), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(10), PG, P_R,
				 M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, set_max_map_count(self->fd, 2));
	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, f + PAGES(2), PG, P_R,
				       M_PRIV | M_FIXED, &a));
	EXPECT_UNCHANGED(self->fd, &before);
	/* Not splitting in three (at the edge) is allowed. */
	ASSERT_EQ(0, aspace_mmap(self->fd, f, PG, P_R, M_PRIV | M_FIXED, &a));
	EXPECT_VMAS(self->fd, { f, f + PG, V_R },
		    { f + PG, f + PAGES(8), V_RW },
		    { f + PAGES(10), f + PAGES(11), V_R });
}

/*
 * Linux's do_mmap() refuses once the count is above max_map_count: with
 * a limit of N, N + 1 separate mappings fit, the next one does not.
 */
TEST_F(mm, max_map_count_enomem)
{
	const __u64 f = FIXED_AREA;
	struct asp_snap before;
	unsigned int i;
	__u64 a;

	ASSERT_EQ(0, set_max_map_count(self->fd, 4));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(2 * i), PG, P_RW,
					 M_PRIV | M_FIXED, &a)) {
			TH_LOG("mapping #%u", i);
		}
	SNAP(self->fd, &before);
	EXPECT_EQ(5, before.stats.nr_vmas);
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, f + PAGES(20), PG, P_RW,
				       M_PRIV | M_FIXED, &a));
	/* Even one that would merge: the count is checked first. */
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, f + PG, PG, P_RW,
				       M_PRIV | M_FIXED, &a));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, PG, P_R, M_SHARED, &a));
	EXPECT_UNCHANGED(self->fd, &before);
	/* After an unmap there is room again. */
	ASSERT_EQ(0, aspace_munmap(self->fd, f, PG));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(20), PG, P_RW,
				 M_PRIV | M_FIXED, &a));
}

TEST_F(mm, unknown_prot_or_flags_einval)
{
	static const __u32 bad_prot[] = {
		0x8 /* PROT_SEM */, 0x10, 0x01000000 /* PROT_GROWSDOWN */,
		0x02000000 /* PROT_GROWSUP */, 0x80000000,
	};
	static const __u32 bad_flags[] = {
		0x03 /* MAP_SHARED_VALIDATE */, 0x04, 0x40 /* MAP_32BIT */,
		0x0100 /* MAP_GROWSDOWN */, 0x0800, 0x1000, 0x2000,
		0x4000 /* MAP_NORESERVE */, 0x10000 /* MAP_NONBLOCK */,
		0x20000 /* MAP_STACK */, 0x40000 /* MAP_HUGETLB */,
		0x80000 /* MAP_SYNC */, 0x200000, 0x4000000,
		0x80000000,
	};
	struct asp_snap before;
	unsigned int i;
	__u64 a;

	SNAP(self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(bad_prot); i++) {
		EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, 0, PG,
					       P_R | bad_prot[i], M_PRIV, &a)) {
			TH_LOG("prot %#x", bad_prot[i]);
		}
	}
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, 0, PG, P_R,
					       M_PRIV | bad_flags[i], &a)) {
			TH_LOG("flags %#x", M_PRIV | bad_flags[i]);
		}
	}
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_F(mm, exactly_one_of_shared_private)
{
	struct asp_snap before;
	__u64 a;

	SNAP(self->fd, &before);
	EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, 0, PG, P_RW, 0, &a));
	EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, 0, PG, P_RW,
				       ASPACE_MAP_ANONYMOUS, &a));
	EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, FIXED_AREA, PG, P_RW,
				       M_FIXED, &a));
	EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, 0, PG, P_RW,
				       M_SHARED | M_PRIV, &a));
	EXPECT_EQ(-EINVAL, aspace_mmap(self->fd, 0, PG, P_RW,
				       M_SHARED | M_PRIV | M_POPULATE, &a));
	EXPECT_UNCHANGED(self->fd, &before);
	/* MAP_ANONYMOUS is implied and accepted. */
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW,
				 M_PRIV | ASPACE_MAP_ANONYMOUS, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_RW,
				 M_SHARED | ASPACE_MAP_ANONYMOUS, &a));
}

TEST_F(mm, populate_allocates_every_page)
{
	struct aspace_stats st;
	__u64 a, b;

	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(16), P_RW,
				 M_PRIV | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(16, st.resident_pages);
	EXPECT_EQ(PAGES(16), st.mapped_bytes);
	EXPECT_EQ(PAGES(16), st.data_bytes);
	EXPECT_EQ(0, st.shared_pages);
	EXPECT_EQ(16, sysfs_pages_data());
	/* One table per level at least; all of them counted in sysfs. */
	EXPECT_LE(1, st.pgtable_pages[0]);
	EXPECT_LE(1, st.pgtable_pages[1]);
	EXPECT_LE(1, st.pgtable_pages[2]);
	EXPECT_EQ(1, st.pgtable_pages[self->la57 ? 4 : 3]);
	EXPECT_EQ(pgtables_total(&st), sysfs_pages_pgtable());

	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(3), P_R,
				 M_SHARED | M_POPULATE, &b));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(19, st.resident_pages);
	EXPECT_EQ(PAGES(16), st.data_bytes);
	EXPECT_EQ(19, sysfs_pages_data());
}

/*
 * One page populated: one table per level.  A private writable page is
 * allocated (write-faulted); a read-only one maps the zero page, which is
 * not resident, in the same tables.
 */
TEST_F(mm, populate_one_page_tables_exact)
{
	struct aspace_stats st;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA, PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(1, st.resident_pages);
	EXPECT_EQ(0, st.zero_page_maps);
	EXPECT_EQ(1, st.pgtable_pages[0]);
	EXPECT_EQ(1, st.pgtable_pages[1]);
	EXPECT_EQ(1, st.pgtable_pages[2]);
	EXPECT_EQ(1, st.pgtable_pages[3]);
	EXPECT_EQ(self->la57 ? 1 : 0, st.pgtable_pages[4]);
	EXPECT_EQ(self->la57 ? 5 : 4, sysfs_pages_pgtable());
	EXPECT_EQ(1, sysfs_pages_data());
	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA + PG, PG, P_R,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(1, st.resident_pages);
	EXPECT_EQ(1, st.zero_page_maps);
	EXPECT_EQ(0, st.shared_pages);
	EXPECT_EQ(1, st.pgtable_pages[0]);
	EXPECT_EQ(self->la57 ? 5 : 4, sysfs_pages_pgtable());
	EXPECT_EQ(1, sysfs_pages_data());
}

TEST_F(mm, no_populate_allocates_nothing)
{
	struct aspace_stats st;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(1024), P_RW, M_PRIV, &a));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(64), P_RW, M_SHARED, &a));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_EQ(PAGES(1088), st.mapped_bytes);
	EXPECT_EQ(PAGES(1024), st.data_bytes);
	EXPECT_TRUE(pgtables_root_only(&st, self->la57));
	EXPECT_EQ(0, sysfs_pages_data());
	EXPECT_EQ(1, sysfs_pages_pgtable());
}

/* The resident limit stops MAP_POPULATE quietly; the mmap succeeds. */
TEST_F(mm, populate_best_effort_at_resident_limit)
{
	struct aspace_stats st;
	__u64 a;

	ASSERT_EQ(0, set_limit(self->fd, resident_bytes, PAGES(5)));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(8), P_RW,
				 M_PRIV | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(5, st.resident_pages);
	EXPECT_EQ(PAGES(8), st.mapped_bytes);
	EXPECT_EQ(5, sysfs_pages_data());
	EXPECT_VMAS(self->fd, { a, a + PAGES(8), V_RW });
}

/* Replacing populated memory frees its pages and tables at once. */
TEST_F(mm, fixed_replace_frees_pages)
{
	struct aspace_stats st;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA, PAGES(8), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, &a));
	EXPECT_EQ(8, sysfs_pages_data());
	ASSERT_EQ(0, aspace_mmap(self->fd, FIXED_AREA, PAGES(8), P_RW,
				 M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_TRUE(pgtables_root_only(&st, self->la57));
	EXPECT_EQ(0, sysfs_pages_data());
	EXPECT_EQ(1, sysfs_pages_pgtable());
}

/*
 * The window full: legacy fails; top-down finds the pages below
 * mmap_min_addr (its search starts at one page, like x86's) and the
 * result is refused with EPERM, as in Linux.
 */
TEST_F(mm, search_when_window_full)
{
	struct asp_snap before;
	__u64 a, b;

	if (!self->topdown) {
		ASSERT_EQ(0, aspace_mmap(self->fd, self->l.mmap_base,
					 MAP_WINDOW - self->l.mmap_base, P_R,
					 M_PRIV | M_FIXED, &a));
		SNAP(self->fd, &before);
		EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, PG, P_R, M_PRIV,
					       &b));
		EXPECT_UNCHANGED(self->fd, &before);
		return;
	}
	ASSERT_EQ(0, aspace_mmap(self->fd, DEF_MMAP_MIN_ADDR,
				 self->l.mmap_base - DEF_MMAP_MIN_ADDR, P_R,
				 M_PRIV | M_FIXED, &a));
	SNAP(self->fd, &before);
	EXPECT_EQ(-EPERM, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, &b));
	EXPECT_UNCHANGED(self->fd, &before);
	/* Too big for the pages below the minimum: bottom-up from there. */
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(16), P_RW, M_PRIV, &b));
	EXPECT_EQ(self->l.mmap_base, b);
}

/* Top-down with nothing free below mmap_base: bottom-up fallback. */
TEST(topdown_falls_back_bottom_up)
{
	struct aspace_layout l;
	__u64 a, b;
	int fd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	memset(&l, 0, sizeof(l));
	l.mmap_min_addr = PG;
	ASSERT_EQ(0, aspace_set_layout(fd, &l));
	ASSERT_EQ(0, aspace_mmap(fd, PG, DEF_MMAP_BASE - PG, P_R,
				 M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(fd, 0, PG, P_RW, M_PRIV, &b));
	EXPECT_EQ(DEF_MMAP_BASE, b);
	ASSERT_EQ(0, aspace_mmap(fd, 0, PG, P_RW, M_PRIV, &b));
	EXPECT_EQ(DEF_MMAP_BASE + PG, b);
	/* The heap start lies in the big VMA: /proc's [heap] rule. */
	EXPECT_VMAS(fd, { PG, DEF_MMAP_BASE, V_R | V_HEAP },
		    { DEF_MMAP_BASE, DEF_MMAP_BASE + PAGES(2), V_RW });
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/*
 * Top-down search below mmap_min_addr: Linux's search starts at one page
 * and the result is then refused with EPERM.
 */
TEST(topdown_search_below_min_addr_eperm)
{
	struct aspace_layout l;
	struct asp_snap before;
	__u64 a;
	int fd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	memset(&l, 0, sizeof(l));
	l.mmap_min_addr = 0x100000;
	l.mmap_base = 0x104000;
	ASSERT_EQ(0, aspace_set_layout(fd, &l));
	ASSERT_EQ(0, aspace_mmap(fd, 0, PAGES(4), P_RW, M_PRIV, &a));
	EXPECT_EQ(0x100000, a);
	SNAP(fd, &before);
	EXPECT_EQ(-EPERM, aspace_mmap(fd, 0, PAGES(4), P_RW, M_PRIV, &a));
	EXPECT_UNCHANGED(fd, &before);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/*
 * mmap_min_addr 0 in SET_LAYOUT asks for the default (64 KiB), as zero
 * does in the other fields: page 0 is never mapped, in any layout.
 */
TEST(mmap_min_addr_zero_is_the_default)
{
	static const __u32 layouts[] = {
		LAYOUT_TOPDOWN_4L, LAYOUT_TOPDOWN_5L, LAYOUT_LEGACY_4L,
		LAYOUT_LEGACY_5L,
	};
	struct aspace_layout l, exp;
	struct asp_snap before;
	unsigned int i;
	__u64 a;
	int fd;

	for (i = 0; i < ARRAY_SIZE(layouts); i++) {
		fd = aspace_open(0);
		ASSERT_LE(0, fd);
		memset(&l, 0, sizeof(l));
		l.flags = layouts[i];
		ASSERT_EQ(0, aspace_set_layout(fd, &l));
		ASSERT_EQ(0, aspace_get_layout(fd, &l));
		layout_expected(layouts[i], &exp);
		EXPECT_EQ(0, memcmp(&exp, &l, sizeof(l)));
		EXPECT_EQ(DEF_MMAP_MIN_ADDR, l.mmap_min_addr);
		SNAP(fd, &before);
		EXPECT_EQ(-EPERM, aspace_mmap(fd, 0, PG, P_R,
					      M_PRIV | M_FIXED, &a));
		EXPECT_EQ(-EPERM, aspace_mmap(fd, 0, PG, P_R,
					      M_PRIV | M_NOREPLACE, &a));
		EXPECT_EQ(-EPERM, aspace_mmap(fd, DEF_MMAP_MIN_ADDR - PG, PG,
					      P_R, M_PRIV | M_FIXED, &a));
		EXPECT_UNCHANGED(fd, &before);
		ASSERT_EQ(0, aspace_mmap(fd, DEF_MMAP_MIN_ADDR, PG, P_R,
					 M_PRIV | M_FIXED, &a));
		EXPECT_EQ(DEF_MMAP_MIN_ADDR, a);
		close(fd);
	}

	/* The smallest there is, one page, still keeps page 0 free. */
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	memset(&l, 0, sizeof(l));
	l.mmap_min_addr = PG;
	ASSERT_EQ(0, aspace_set_layout(fd, &l));
	EXPECT_EQ(-EPERM, aspace_mmap(fd, 0, PG, P_R, M_PRIV | M_FIXED, &a));
	ASSERT_EQ(0, aspace_mmap(fd, PG, PG, P_R, M_PRIV | M_FIXED, &a));
	EXPECT_EQ(PG, a);
	EXPECT_VMAS(fd, { PG, PAGES(2), V_R });
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/* Each mmap returns its address in the struct, other fields kept. */
TEST(mmap_struct_out)
{
	struct aspace_mmap m = {
		.size = sizeof(m),
		.prot = P_RW,
		.flags = M_PRIV,
		.addr = 0,
		.length = PAGES(2),
	};
	int fd = aspace_open(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_ioctl(fd, ASPACE_IOC_MMAP, &m));
	EXPECT_EQ(sizeof(m), m.size);
	EXPECT_EQ(DEF_MMAP_BASE - PAGES(2), m.addr);
	EXPECT_EQ(PAGES(2), m.length);
	EXPECT_EQ(P_RW, m.prot);
	EXPECT_EQ(M_PRIV, m.flags);
	EXPECT_EQ(0, m.reserved);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_HARNESS_MAIN
