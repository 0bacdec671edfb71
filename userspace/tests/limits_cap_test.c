// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of who may raise a limit with ASPACE_IOC_SET_LIMITS.
 * Raising max_map_count or resident_bytes above both its current value
 * and the module's default (the max_map_count and resident_max_bytes
 * parameters) needs CAP_SYS_RESOURCE, as raising a hard rlimit or
 * vm.max_map_count does: EPERM without it.  Lowering, and raising back
 * up to the default, need nothing.  The capability is the caller's, not
 * the opener's: a descriptor root opened and passed on (here: inherited
 * by a child that drops the capability or becomes another user) gives no
 * more.
 *
 * The tests run as root; each drops CAP_SYS_RESOURCE from its effective
 * set with capset(2) where it needs to be unprivileged (every test runs
 * in a process of its own), and takes it back from its permitted set.
 */
#include <limits.h>
#include <stddef.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define F		FIXED_AREA
#define PARAMS		"/sys/module/aspace/parameters/"
#define RESIDENT_PARAM	PARAMS "resident_max_bytes"
#define MAP_COUNT_PARAM	PARAMS "max_map_count"

static int write_param(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static int write_param_u64(const char *path, unsigned long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu\n", val);
	return write_param(path, buf);
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

/* Add @cap to, or take it out of, the effective set of this thread. */
static int cap_effective_set(int cap, bool on)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	if (on)
		d[CAP_TO_INDEX(cap)].effective |= CAP_TO_MASK(cap);
	else
		d[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static int cap_effective_has(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	return !!(d[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap));
}

#define DROP_CAP() do {							\
	ASSERT_EQ(0, cap_effective_set(CAP_SYS_RESOURCE, false));	\
	ASSERT_EQ(0, cap_effective_has(CAP_SYS_RESOURCE));		\
} while (0)

#define TAKE_CAP() do {							\
	ASSERT_EQ(0, cap_effective_set(CAP_SYS_RESOURCE, true));	\
	ASSERT_EQ(1, cap_effective_has(CAP_SYS_RESOURCE));		\
} while (0)

FIXTURE(cap) {
	int fd;
	unsigned long long resident_param;
	unsigned long long map_count_param;
};

FIXTURE_SETUP(cap)
{
	self->resident_param = read_param(RESIDENT_PARAM);
	self->map_count_param = read_param(MAP_COUNT_PARAM);
	ASSERT_EQ(DEF_MAX_MAP_COUNT, self->map_count_param);
	ASSERT_EQ(1, cap_effective_has(CAP_SYS_RESOURCE));
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(cap)
{
	cap_effective_set(CAP_SYS_RESOURCE, true);
	EXPECT_EQ(0, write_param_u64(RESIDENT_PARAM, self->resident_param));
	EXPECT_EQ(0, write_param_u64(MAP_COUNT_PARAM, self->map_count_param));
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

/* max_map_count above the default: EPERM without the capability. */
TEST_F(cap, raise_map_count_needs_cap)
{
	struct aspace_limits l, before;

	DROP_CAP();
	ASSERT_EQ(0, aspace_get_limits(self->fd, &before));
	EXPECT_EQ(-EPERM, set_max_map_count(self->fd, DEF_MAX_MAP_COUNT + 1));
	EXPECT_EQ(-EPERM, set_max_map_count(self->fd, INT_MAX));
	/* A bad value is EINVAL first, as setrlimit() checks it first. */
	EXPECT_EQ(-EINVAL, set_max_map_count(self->fd, 0));
	EXPECT_EQ(-EINVAL, set_max_map_count(self->fd, (__u64)INT_MAX + 1));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &l));
	EXPECT_EQ(0, memcmp(&before, &l, sizeof(l)));
	/* Lowering is free, and so is raising back up to the default. */
	EXPECT_EQ(0, set_max_map_count(self->fd, 100));
	EXPECT_EQ(0, set_max_map_count(self->fd, 1000));
	EXPECT_EQ(0, set_max_map_count(self->fd, DEF_MAX_MAP_COUNT));
	EXPECT_EQ(-EPERM, set_max_map_count(self->fd, DEF_MAX_MAP_COUNT + 1));

	/* With the capability: anything up to INT_MAX. */
	TAKE_CAP();
	EXPECT_EQ(0, set_max_map_count(self->fd, INT_MAX));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &l));
	EXPECT_EQ(INT_MAX, l.max_map_count);

	/*
	 * Above the default but not above the current value is no raise:
	 * changing another limit keeps the count, lowering is free, and
	 * going back up past the new value is a raise again.
	 */
	DROP_CAP();
	EXPECT_EQ(0, set_limit(self->fd, as_bytes, PAGES(1000)));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &l));
	EXPECT_EQ(INT_MAX, l.max_map_count);
	EXPECT_EQ(PAGES(1000), l.as_bytes);
	EXPECT_EQ(0, set_max_map_count(self->fd, 100000));
	EXPECT_EQ(-EPERM, set_max_map_count(self->fd, 100001));
	EXPECT_EQ(-EPERM, set_max_map_count(self->fd, INT_MAX));
	EXPECT_EQ(0, set_max_map_count(self->fd, 100000));
	EXPECT_EQ(0, set_max_map_count(self->fd, DEF_MAX_MAP_COUNT + 1));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &l));
	EXPECT_EQ(DEF_MAX_MAP_COUNT + 1, l.max_map_count);
}

/* resident_bytes above resident_max_bytes: EPERM without the capability. */
TEST_F(cap, raise_resident_needs_cap)
{
	struct aspace_limits l;
	struct aspace_stats st;
	int fd;

	ASSERT_EQ(0, write_param_u64(RESIDENT_PARAM, PAGES(16)));
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_get_limits(fd, &l));
	EXPECT_EQ(PAGES(16), l.resident_bytes);

	DROP_CAP();
	EXPECT_EQ(-EPERM, set_limit(fd, resident_bytes, PAGES(16) + 1));
	EXPECT_EQ(-EPERM, set_limit(fd, resident_bytes,
				    ASPACE_LIMIT_INFINITY));
	EXPECT_EQ(0, set_limit(fd, resident_bytes, PAGES(8)));
	EXPECT_EQ(0, set_limit(fd, resident_bytes, PAGES(16)));
	/* A raise of either limit fails the whole call. */
	ASSERT_EQ(0, aspace_get_limits(fd, &l));
	l.resident_bytes = PAGES(4);
	l.max_map_count = DEF_MAX_MAP_COUNT + 1;
	EXPECT_EQ(-EPERM, aspace_set_limits(fd, &l));
	ASSERT_EQ(0, aspace_get_limits(fd, &l));
	EXPECT_EQ(PAGES(16), l.resident_bytes);
	EXPECT_EQ(DEF_MAX_MAP_COUNT, l.max_map_count);

	/* Root may go past the module's parameter, and it holds. */
	TAKE_CAP();
	EXPECT_EQ(0, set_limit(fd, resident_bytes, PAGES(20)));
	ASSERT_EQ(0, aspace_mmap(fd, F, PAGES(24), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_stats(fd, &st));
	EXPECT_EQ(20, st.resident_pages);

	DROP_CAP();
	EXPECT_EQ(0, set_limit(fd, resident_bytes, PAGES(20)));
	EXPECT_EQ(0, set_limit(fd, resident_bytes, PAGES(18)));
	EXPECT_EQ(-EPERM, set_limit(fd, resident_bytes, PAGES(19)));
	close(fd);
}

/*
 * The max_map_count parameter: the limit of new address spaces, and the
 * line above which a raise needs the capability.
 */
TEST_F(cap, map_count_parameter)
{
	struct aspace_limits l;
	unsigned int i;
	int fd;

	EXPECT_EQ(-EINVAL, write_param(MAP_COUNT_PARAM, "0\n"));
	EXPECT_EQ(-EINVAL, write_param(MAP_COUNT_PARAM, "2147483648\n"));
	EXPECT_EQ(-EINVAL, write_param(MAP_COUNT_PARAM, "-1\n"));
	EXPECT_EQ(DEF_MAX_MAP_COUNT, read_param(MAP_COUNT_PARAM));

	ASSERT_EQ(0, write_param_u64(MAP_COUNT_PARAM, 70000));
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_get_limits(fd, &l));
	EXPECT_EQ(70000, l.max_map_count);
	/* An address space made before keeps its limit. */
	ASSERT_EQ(0, aspace_get_limits(self->fd, &l));
	EXPECT_EQ(DEF_MAX_MAP_COUNT, l.max_map_count);
	DROP_CAP();
	EXPECT_EQ(0, set_max_map_count(self->fd, 70000));
	EXPECT_EQ(-EPERM, set_max_map_count(self->fd, 70001));
	close(fd);

	/* A small default: 3, as vm.max_map_count, lets 4 VMAs in. */
	TAKE_CAP();
	ASSERT_EQ(0, write_param_u64(MAP_COUNT_PARAM, 3));
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, aspace_mmap(fd, F + PAGES(2 * i), PG, P_R,
					 M_PRIV | M_FIXED, NULL));
	EXPECT_EQ(-ENOMEM, aspace_mmap(fd, 0, PG, P_R, M_PRIV, NULL));
	DROP_CAP();
	EXPECT_EQ(-EPERM, set_max_map_count(fd, 4));
	TAKE_CAP();
	EXPECT_EQ(0, set_max_map_count(fd, 4));
	EXPECT_EQ(0, aspace_mmap(fd, 0, PG, P_R, M_PRIV, NULL));
	close(fd);
}

/*
 * A descriptor root opened, in a process that became another user (and
 * so lost every capability): lowering works, raising is EPERM.
 */
TEST_F(cap, other_user_cannot_raise)
{
	struct aspace_limits l;
	int status;
	pid_t pid;

	ASSERT_EQ(0, set_limit(self->fd, resident_bytes, PAGES(8)));
	ASSERT_EQ(0, write_param_u64(RESIDENT_PARAM, PAGES(16)));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (cap_effective_has(CAP_SYS_RESOURCE) != 0)
			_exit(11);
		if (set_max_map_count(self->fd, DEF_MAX_MAP_COUNT + 1) != -EPERM)
			_exit(12);
		if (set_limit(self->fd, resident_bytes, PAGES(16) + 1) != -EPERM)
			_exit(13);
		if (set_limit(self->fd, resident_bytes, PAGES(16)))
			_exit(16);
		if (set_max_map_count(self->fd, 500))
			_exit(14);
		if (set_max_map_count(self->fd, 501) != 0)
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &l));
	EXPECT_EQ(501, l.max_map_count);
	EXPECT_EQ(PAGES(16), l.resident_bytes);
	/* Root still may. */
	EXPECT_EQ(0, set_max_map_count(self->fd, INT_MAX));
}

TEST_HARNESS_MAIN
