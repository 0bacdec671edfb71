// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_MUNMAP: the checklist for munmap
 * (Documentation/design.md, section 4) in the four layouts: errnos,
 * splits, the VMA limit, and pages and page-table pages going back at
 * once.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

FIXTURE(unmap) {
	int fd;
	struct aspace_layout l;
	bool la57;
};

FIXTURE_VARIANT(unmap) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(unmap, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(unmap, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_VARIANT_ADD(unmap, legacy_4level) {
	.layout = LAYOUT_LEGACY_4L,
};

FIXTURE_VARIANT_ADD(unmap, legacy_5level) {
	.layout = LAYOUT_LEGACY_5L,
};

FIXTURE_SETUP(unmap)
{
	self->fd = open_layout(variant->layout);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_get_layout(self->fd, &self->l));
	self->la57 = variant->layout & ASPACE_LAYOUT_LA57;
}

FIXTURE_TEARDOWN(unmap)
{
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

#define F FIXED_AREA

/* [F, F + 8 pages) read-write, populated. */
static int map8(int fd)
{
	return aspace_mmap(fd, F, PAGES(8), P_RW,
			   M_PRIV | M_FIXED | M_POPULATE, NULL);
}

TEST_F(unmap, unaligned_einval)
{
	static const __u64 offs[] = { 1, 0x800, PG - 1 };
	struct asp_snap before;
	unsigned int i;

	ASSERT_EQ(0, map8(self->fd));
	SNAP(self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, F + offs[i], PG));
		EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, F + offs[i],
						 PAGES(8)));
	}
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_F(unmap, length_zero_einval)
{
	struct asp_snap before;

	ASSERT_EQ(0, map8(self->fd));
	SNAP(self->fd, &before);
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, F, 0));
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, 0, 0));
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, F + PG, 0));
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_F(unmap, past_task_size_einval)
{
	__u64 ts = self->l.task_size;
	struct asp_snap before;

	ASSERT_EQ(0, aspace_mmap(self->fd, ts - PAGES(2), PAGES(2), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	SNAP(self->fd, &before);
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, ts, PG));
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, ts + PG, PG));
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, ts - PG, PAGES(2)));
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, ts - PAGES(2), PAGES(3)));
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, 0, ts + 1));
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, PG, ~0ULL));
	/* addr + length wraps */
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, ~0ULL - PG + 1, PAGES(2)));
	EXPECT_EQ(-EINVAL, aspace_munmap(self->fd, 1ULL << 63, PG));
	EXPECT_UNCHANGED(self->fd, &before);
	/* Up to the task size exactly is fine; so is all of it. */
	ASSERT_EQ(0, aspace_munmap(self->fd, ts - PG, PG));
	EXPECT_VMAS(self->fd, { ts - PAGES(2), ts - PG, V_RW });
	ASSERT_EQ(0, aspace_munmap(self->fd, 0, ts));
	EXPECT_NO_VMAS(self->fd);
}

TEST_F(unmap, nothing_mapped_succeeds)
{
	struct asp_snap before;

	EXPECT_EQ(0, aspace_munmap(self->fd, F, PG));
	EXPECT_EQ(0, aspace_munmap(self->fd, 0, self->l.task_size));
	ASSERT_EQ(0, map8(self->fd));
	SNAP(self->fd, &before);
	/* Holes right next to the mapping. */
	EXPECT_EQ(0, aspace_munmap(self->fd, F - PAGES(4), PAGES(4)));
	EXPECT_EQ(0, aspace_munmap(self->fd, F + PAGES(8), PAGES(100)));
	EXPECT_EQ(0, aspace_munmap(self->fd, 0, PG));
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_F(unmap, partial_unmap_splits)
{
	struct aspace_stats st;

	ASSERT_EQ(0, map8(self->fd));
	/* The middle: three pieces become two VMAs around a hole. */
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PAGES(3), PAGES(2)));
	EXPECT_VMAS(self->fd, { F, F + PAGES(3), V_RW },
		    { F + PAGES(5), F + PAGES(8), V_RW });
	/* The start and the end. */
	ASSERT_EQ(0, aspace_munmap(self->fd, F, PG));
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PAGES(7), PG));
	EXPECT_VMAS(self->fd, { F + PG, F + PAGES(3), V_RW },
		    { F + PAGES(5), F + PAGES(7), V_RW });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(4, st.resident_pages);
	EXPECT_EQ(PAGES(4), st.mapped_bytes);
	EXPECT_EQ(PAGES(4), st.data_bytes);
	EXPECT_EQ(2, st.nr_vmas);
	EXPECT_EQ(4, sysfs_pages_data());
}

TEST_F(unmap, length_rounded_up)
{
	ASSERT_EQ(0, map8(self->fd));
	ASSERT_EQ(0, aspace_munmap(self->fd, F, PG + 1));
	EXPECT_VMAS(self->fd, { F + PAGES(2), F + PAGES(8), V_RW });
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PAGES(7), 1));
	EXPECT_VMAS(self->fd, { F + PAGES(2), F + PAGES(7), V_RW });
	EXPECT_EQ(5, sysfs_pages_data());
}

/*
 * Read-only and exec-only private memory populated maps the zero page;
 * written (pwrite, as /proc/PID/mem) it gets pages of its own.
 */
TEST_F(unmap, over_several_vmas_and_holes)
{
	struct aspace_stats st;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(3), P_R,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(4), PAGES(2), P_RW,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(7), PAGES(3), P_X,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(2, st.resident_pages);
	EXPECT_EQ(6, st.zero_page_maps);
	EXPECT_EQ(2, sysfs_pages_data());
	ASSERT_EQ(0, mem_fill(self->fd, F, PAGES(3), 0x5a));
	ASSERT_EQ(0, mem_fill(self->fd, F + PAGES(7), PAGES(3), 0xa5));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(8, st.resident_pages);
	EXPECT_EQ(8, sysfs_pages_data());
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PG, PAGES(8)));
	EXPECT_VMAS(self->fd, { F, F + PG, V_R },
		    { F + PAGES(9), F + PAGES(10), V_X });
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(2, st.resident_pages);
	EXPECT_EQ(2, sysfs_pages_data());
	EXPECT_TRUE(mem_is(self->fd, F, PG, 0x5a));
	EXPECT_TRUE(mem_is(self->fd, F + PAGES(9), PG, 0xa5));
}

/*
 * Unmapping the middle of a shared mapping keeps the offsets.  The
 * object keeps all its pages, the unmapped one too, as long as a VMA
 * refers to it (as shmem would); the address space counts only what it
 * maps.
 */
TEST_F(unmap, shared_split_keeps_offsets)
{
	struct aspace_stats st;
	struct vma_list l;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(6), P_RW,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PAGES(2), PG));
	ASSERT_EQ(0, list_vmas(self->fd, &l));
	ASSERT_EQ(2, l.n);
	EXPECT_EQ(0, l.v[0].pgoff);
	EXPECT_EQ(PAGES(3), l.v[1].pgoff);
	EXPECT_EQ(l.v[0].id, l.v[1].id);
	EXPECT_EQ(V_RW | V_S, l.v[1].flags);
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(5, st.resident_pages);
	EXPECT_EQ(6, sysfs_pages_data());
	/* A new mmap in the hole is a new object: it stays apart. */
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(2), PG, P_RW,
				 M_SHARED | M_FIXED, NULL));
	ASSERT_EQ(0, list_vmas(self->fd, &l));
	EXPECT_EQ(3, l.n);
	EXPECT_EQ(6, sysfs_pages_data());
	/* The last VMA of the old object gone: its pages go. */
	ASSERT_EQ(0, aspace_munmap(self->fd, F, PAGES(2)));
	EXPECT_EQ(6, sysfs_pages_data());
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PAGES(3), PAGES(3)));
	EXPECT_EQ(0, sysfs_pages_data());
	EXPECT_VMAS(self->fd, { F + PAGES(2), F + PAGES(3), V_RW | V_S });
}

/* A split in three with max_map_count VMAs already: ENOMEM. */
TEST_F(unmap, split_past_max_map_count_enomem)
{
	struct asp_snap before;

	ASSERT_EQ(0, map8(self->fd));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(10), PAGES(2), P_R,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, set_max_map_count(self->fd, 2));
	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_munmap(self->fd, F + PG, PG));
	EXPECT_EQ(-ENOMEM, aspace_munmap(self->fd, F + PG, PAGES(6)));
	EXPECT_UNCHANGED(self->fd, &before);
	/* Cutting at an edge does not add a VMA: allowed. */
	ASSERT_EQ(0, aspace_munmap(self->fd, F, PG));
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PAGES(7), PG));
	EXPECT_VMAS(self->fd, { F + PG, F + PAGES(7), V_RW },
		    { F + PAGES(10), F + PAGES(12), V_R });
	/* Over the whole of one VMA and part of another: no split. */
	ASSERT_EQ(0, aspace_munmap(self->fd, F, PAGES(11)));
	EXPECT_VMAS(self->fd, { F + PAGES(11), F + PAGES(12), V_R });
	EXPECT_EQ(0, sysfs_pages_data());
}

/*
 * Linux lets the count go one above the limit through munmap of the
 * middle of a VMA when it is one below: count 1, limit 2 gives 2.
 */
TEST_F(unmap, split_below_max_map_count_allowed)
{
	ASSERT_EQ(0, map8(self->fd));
	ASSERT_EQ(0, set_max_map_count(self->fd, 2));
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PAGES(2), PG));
	EXPECT_VMAS(self->fd, { F, F + PAGES(2), V_RW },
		    { F + PAGES(3), F + PAGES(8), V_RW });
	/* Now at the limit: no more splits in three. */
	EXPECT_EQ(-ENOMEM, aspace_munmap(self->fd, F + PAGES(5), PG));
}

TEST_F(unmap, pages_and_tables_freed)
{
	struct aspace_stats st;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(32), P_RW,
				 M_PRIV | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(32, st.resident_pages);
	EXPECT_EQ(32, sysfs_pages_data());
	EXPECT_FALSE(pgtables_root_only(&st, self->la57));
	ASSERT_EQ(0, aspace_munmap(self->fd, a, PAGES(16)));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(16, st.resident_pages);
	EXPECT_EQ(16, sysfs_pages_data());
	ASSERT_EQ(0, aspace_munmap(self->fd, a + PAGES(16), PAGES(16)));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_EQ(0, st.mapped_bytes);
	EXPECT_EQ(0, st.data_bytes);
	EXPECT_EQ(0, st.nr_vmas);
	EXPECT_TRUE(pgtables_root_only(&st, self->la57));
	EXPECT_EQ(0, sysfs_pages_data());
	EXPECT_EQ(1, sysfs_pages_pgtable());
}

/* Pages spread over many tables of every level; one munmap frees all. */
TEST_F(unmap, tables_of_every_level_freed)
{
	static const __u64 where[] = {
		0x10000, 0x200000, 0x40000000, 0x8000000000ULL,
		0x7f0000000000ULL, MAP_WINDOW - PG,
	};
	struct aspace_stats st;
	unsigned int i;
	__u64 tables;

	for (i = 0; i < ARRAY_SIZE(where); i++)
		ASSERT_EQ(0, aspace_mmap(self->fd, where[i], PG, P_RW,
					 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(6, st.resident_pages);
	/* 0x10000 and 0x200000 share a PD; everything else is apart. */
	EXPECT_EQ(6, st.pgtable_pages[0]);
	EXPECT_EQ(5, st.pgtable_pages[1]);
	EXPECT_EQ(4, st.pgtable_pages[2]);
	tables = pgtables_total(&st);
	EXPECT_EQ(tables, sysfs_pages_pgtable());
	/* Unmapping one page frees its own tables only. */
	ASSERT_EQ(0, aspace_munmap(self->fd, 0x8000000000ULL, PG));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(5, st.pgtable_pages[0]);
	EXPECT_EQ(4, st.pgtable_pages[1]);
	EXPECT_EQ(3, st.pgtable_pages[2]);
	EXPECT_EQ(tables - 3, sysfs_pages_pgtable());
	ASSERT_EQ(0, aspace_munmap(self->fd, 0, MAP_WINDOW));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_TRUE(pgtables_root_only(&st, self->la57));
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_EQ(0, sysfs_pages_data());
	EXPECT_EQ(1, sysfs_pages_pgtable());
}

/* After an unmap, the hole is free for the search again. */
TEST_F(unmap, hole_reused)
{
	__u64 a, b;

	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(4), P_RW, M_PRIV, &a));
	ASSERT_EQ(0, aspace_munmap(self->fd, a, PAGES(4)));
	EXPECT_NO_VMAS(self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(4), P_RW, M_PRIV, &b));
	EXPECT_EQ(a, b);
}

TEST_F(unmap, prot_field_nonzero_einval)
{
	struct aspace_range r = {
		.size = sizeof(r),
		.prot = P_R,
		.addr = F,
		.length = PG,
	};
	struct asp_snap before;

	ASSERT_EQ(0, map8(self->fd));
	SNAP(self->fd, &before);
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_MUNMAP, &r));
	EXPECT_UNCHANGED(self->fd, &before);
}

TEST_HARNESS_MAIN
