// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_GET_LIMITS and SET_LIMITS: defaults,
 * bad values, and each limit refusing what it should (max_map_count,
 * mapped bytes like RLIMIT_AS, data like RLIMIT_DATA, resident bytes and
 * the module's resident_max_bytes parameter), without undoing what is
 * already mapped, as setrlimit() does.
 */
#include <limits.h>
#include <stddef.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define F FIXED_AREA
#define RESIDENT_PARAM	"/sys/module/aspace/parameters/resident_max_bytes"

static int write_param(const char *path, unsigned long long val)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%llu\n", val) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static unsigned long long read_param(const char *path)
{
	unsigned long long val = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &val) != 1)
			val = 0;
		fclose(f);
	}
	return val;
}

FIXTURE(lim) {
	int fd;
};

FIXTURE_SETUP(lim)
{
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(lim)
{
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_F(lim, defaults)
{
	struct aspace_limits l;

	ASSERT_EQ(0, aspace_get_limits(self->fd, &l));
	EXPECT_EQ(sizeof(l), l.size);
	EXPECT_EQ(0, l.reserved);
	EXPECT_EQ(DEF_MAX_MAP_COUNT, l.max_map_count);
	EXPECT_EQ(ASPACE_LIMIT_INFINITY, l.as_bytes);
	EXPECT_EQ(ASPACE_LIMIT_INFINITY, l.data_bytes);
	EXPECT_EQ(read_param(RESIDENT_PARAM), l.resident_bytes);
	/* Half of RAM (oom_test checks the value), never unlimited. */
	EXPECT_NE(ASPACE_LIMIT_INFINITY, l.resident_bytes);
	EXPECT_LT(0, l.resident_bytes);
	EXPECT_EQ(DEF_STACK_LIMIT, l.stack_bytes);
}

TEST_F(lim, set_and_get)
{
	struct aspace_limits in = {
		.max_map_count = 7,
		.as_bytes = PAGES(100),
		.data_bytes = PAGES(50),
		.resident_bytes = PAGES(10) + 1,
	}, l;
	int other;

	ASSERT_EQ(0, aspace_set_limits(self->fd, &in));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &l));
	EXPECT_EQ(7, l.max_map_count);
	EXPECT_EQ(PAGES(100), l.as_bytes);
	EXPECT_EQ(PAGES(50), l.data_bytes);
	EXPECT_EQ(PAGES(10) + 1, l.resident_bytes);
	/* Zero keeps the stack limit (user space older than the field). */
	EXPECT_EQ(DEF_STACK_LIMIT, l.stack_bytes);
	/* Per address space. */
	other = aspace_open(0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, aspace_get_limits(other, &l));
	EXPECT_EQ(DEF_MAX_MAP_COUNT, l.max_map_count);
	EXPECT_EQ(ASPACE_LIMIT_INFINITY, l.as_bytes);
	close(other);
	/* The extremes. */
	in.max_map_count = INT_MAX;
	in.as_bytes = 0;
	in.data_bytes = 0;
	in.resident_bytes = 0;
	ASSERT_EQ(0, aspace_set_limits(self->fd, &in));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &l));
	EXPECT_EQ(INT_MAX, l.max_map_count);
	EXPECT_EQ(0, l.as_bytes);
}

TEST_F(lim, bad_values_einval)
{
	static const __u64 bad_count[] = {
		0, (__u64)INT_MAX + 1, 1ULL << 32, ~0ULL,
	};
	struct aspace_limits in, before, after;
	unsigned int i;

	ASSERT_EQ(0, aspace_get_limits(self->fd, &before));
	for (i = 0; i < ARRAY_SIZE(bad_count); i++) {
		in = before;
		in.max_map_count = bad_count[i];
		EXPECT_EQ(-EINVAL, aspace_set_limits(self->fd, &in)) {
			TH_LOG("max_map_count %llu",
			       (unsigned long long)bad_count[i]);
		}
	}
	in = before;
	in.reserved = 1;
	EXPECT_EQ(-EINVAL, aspace_set_limits(self->fd, &in));
	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.reserved = 0x80000000;
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_GET_LIMITS, &in));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

/*
 * The module parameter sets the default resident limit; above it only
 * root (CAP_SYS_RESOURCE, which the tests have) may go: limits_cap_test.
 */
TEST_F(lim, resident_max_bytes_parameter)
{
	unsigned long long old = read_param(RESIDENT_PARAM);
	struct aspace_limits in, l;
	int fd2;

	ASSERT_EQ(0, write_param(RESIDENT_PARAM, PAGES(16)));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &in));
	in.resident_bytes = PAGES(17);
	EXPECT_EQ(0, aspace_set_limits(self->fd, &in));
	in.resident_bytes = ASPACE_LIMIT_INFINITY;
	EXPECT_EQ(0, aspace_set_limits(self->fd, &in));
	in.resident_bytes = PAGES(16);
	EXPECT_EQ(0, aspace_set_limits(self->fd, &in));
	fd2 = aspace_open(0);
	EXPECT_LE(0, fd2);
	if (fd2 >= 0) {
		EXPECT_EQ(0, aspace_get_limits(fd2, &l));
		EXPECT_EQ(PAGES(16), l.resident_bytes);
		EXPECT_EQ(0, aspace_mmap(fd2, 0, PAGES(20), P_RW,
					 M_PRIV | M_POPULATE, NULL));
		EXPECT_EQ(16, sysfs_pages_data());
		close(fd2);
	}
	ASSERT_EQ(0, write_param(RESIDENT_PARAM, old));
	EXPECT_EQ(old, read_param(RESIDENT_PARAM));
}

/* Mapped bytes, like RLIMIT_AS: mmap and brk refused past it. */
TEST_F(lim, as_bytes)
{
	struct asp_snap before;
	__u64 brk;

	ASSERT_EQ(0, set_limit(self->fd, as_bytes, PAGES(6)));
	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_R, M_SHARED | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_brk(self->fd, DEF_HEAP_START + PAGES(2), &brk));
	EXPECT_EQ(DEF_HEAP_START + PAGES(2), brk);
	SNAP(self->fd, &before);
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, PG, P_R, M_PRIV, NULL));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, F + PAGES(4), PG, 0,
				       M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_brk(self->fd, DEF_HEAP_START + PAGES(3), &brk));
	EXPECT_EQ(DEF_HEAP_START + PAGES(2), brk);
	EXPECT_UNCHANGED(self->fd, &before);
	/* Replacing what is mapped is no growth. */
	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW,
				 M_PRIV | M_FIXED, NULL));
	/* Freeing makes room. */
	ASSERT_EQ(0, aspace_munmap(self->fd, F, PG));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_R, M_PRIV, NULL));
}

/* A stack counts as mapped bytes. */
TEST_F(lim, as_bytes_counts_the_stack)
{
	struct aspace_layout l;

	memset(&l, 0, sizeof(l));
	l.flags = ASPACE_LAYOUT_STACK;
	l.mmap_min_addr = DEF_MMAP_MIN_ADDR;
	l.stack_size = PAGES(4);
	ASSERT_EQ(0, aspace_set_layout(self->fd, &l));
	ASSERT_EQ(0, set_limit(self->fd, as_bytes, PAGES(5)));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PG, P_R, M_PRIV, NULL));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, PG, P_R, M_PRIV, NULL));
}

/*
 * A new stack is bounded as expand_stack() bounds one at exec: by
 * stack_bytes and by as_bytes; a refused layout changes nothing.
 */
TEST_F(lim, layout_stack_within_limits)
{
	struct aspace_layout l, got;

	memset(&l, 0, sizeof(l));
	l.flags = ASPACE_LAYOUT_STACK;
	l.stack_size = PAGES(8);
	ASSERT_EQ(0, set_limit(self->fd, stack_bytes, PAGES(4)));
	EXPECT_EQ(-ENOMEM, aspace_set_layout(self->fd, &l));
	EXPECT_NO_VMAS(self->fd);
	ASSERT_EQ(0, set_limit(self->fd, stack_bytes, PAGES(8)));
	ASSERT_EQ(0, set_limit(self->fd, as_bytes, PAGES(7)));
	EXPECT_EQ(-ENOMEM, aspace_set_layout(self->fd, &l));
	EXPECT_NO_VMAS(self->fd);
	ASSERT_EQ(0, aspace_get_layout(self->fd, &got));
	EXPECT_EQ(0, got.flags);
	ASSERT_EQ(0, set_limit(self->fd, as_bytes, PAGES(8)));
	ASSERT_EQ(0, aspace_set_layout(self->fd, &l));
	EXPECT_VMAS(self->fd,
		    { MAP_WINDOW - PAGES(8), MAP_WINDOW, V_RW | V_STACK });
}

/* A lower limit keeps what is mapped, and refuses more. */
TEST_F(lim, lower_limit_does_not_undo)
{
	struct aspace_stats st;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(8), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(10), PG, P_R,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, set_limit(self->fd, as_bytes, PAGES(2)));
	ASSERT_EQ(0, set_limit(self->fd, data_bytes, PAGES(2)));
	ASSERT_EQ(0, set_limit(self->fd, resident_bytes, PAGES(2)));
	ASSERT_EQ(0, set_max_map_count(self->fd, 1));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(8, st.resident_pages);
	EXPECT_EQ(PAGES(9), st.mapped_bytes);
	EXPECT_EQ(2, st.nr_vmas);
	EXPECT_VMAS(self->fd, { F, F + PAGES(8), V_RW },
		    { F + PAGES(10), F + PAGES(11), V_R });
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, PG, P_R, M_PRIV, NULL));
	/* Shrinking is always allowed. */
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PAGES(10), PG));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(8), P_R));
}

/* Data: private writable memory only. */
TEST_F(lim, data_bytes)
{
	ASSERT_EQ(0, set_limit(self->fd, data_bytes, PAGES(4)));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(4), P_RW, M_PRIV, NULL));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, PG, P_RW, M_PRIV, NULL));
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, PG, P_W | P_X, M_PRIV,
				       NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(64), P_RW, M_SHARED,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(64), P_R | P_X, M_PRIV,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(64), 0, M_PRIV, NULL));
}

/*
 * Resident bytes: MAP_POPULATE stops there, for private and shared
 * memory alike; the mmap still succeeds.  The zero page is not resident:
 * read-only memory is still populated with it.
 */
TEST_F(lim, resident_bytes)
{
	struct aspace_stats st;

	ASSERT_EQ(0, set_limit(self->fd, resident_bytes, PAGES(3) + 100));
	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(2), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(4), PAGES(2), P_RW,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(3, st.resident_pages);
	/* No page allocated past the limit, not even in the shared object. */
	EXPECT_EQ(3, sysfs_pages_data());
	EXPECT_VMAS(self->fd, { F, F + PAGES(2), V_RW },
		    { F + PAGES(4), F + PAGES(6), V_RW | V_S });
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(8), PAGES(4), P_R,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(3, st.resident_pages);
	EXPECT_EQ(4, st.zero_page_maps);
	EXPECT_EQ(3, sysfs_pages_data());
}

/* The default limit, 65530 as vm.max_map_count: 65531 VMAs fit. */
TEST_F_TIMEOUT(lim, default_max_map_count, 900)
{
	static struct vma_list l, c;
	struct aspace_stats st;
	unsigned int i;
	int nfd;

	for (i = 0; i <= DEF_MAX_MAP_COUNT; i++) {
		ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(2 * i), PG,
					 i % 3 ? P_R : P_RW, M_PRIV | M_FIXED,
					 NULL)) {
			TH_LOG("mapping #%u", i);
		}
	}
	EXPECT_EQ(-ENOMEM, aspace_mmap(self->fd, 0, PG, P_R, M_PRIV, NULL));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	EXPECT_EQ(DEF_MAX_MAP_COUNT + 1, st.nr_vmas);
	/* More than a listing holds: it says so. */
	EXPECT_EQ(-E2BIG, list_vmas(self->fd, &l));
	EXPECT_EQ(VMA_LIST_MAX, l.n);
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &nfd));
	ASSERT_EQ(0, aspace_stats(nfd, &st));
	EXPECT_EQ(DEF_MAX_MAP_COUNT + 1, st.nr_vmas);
	ASSERT_EQ(0, aspace_munmap(self->fd, F, PAGES(2 * 64000)));
	ASSERT_EQ(0, aspace_munmap(nfd, F, PAGES(2 * 64000)));
	ASSERT_EQ(0, list_vmas(self->fd, &l));
	ASSERT_EQ(0, list_vmas(nfd, &c));
	EXPECT_EQ(DEF_MAX_MAP_COUNT + 1 - 64000, l.n);
	EXPECT_TRUE(vma_lists_equal(&l, &c));
	EXPECT_EQ(F + PAGES(2 * 64000), l.v[0].start);
	close(nfd);
}

TEST_HARNESS_MAIN
