// SPDX-License-Identifier: GPL-2.0
/*
 * The bad-input matrix for every ioctl of /dev/aspace: struct sizes too
 * small (EINVAL: below the first version of the struct), the first
 * version's size (accepted), larger with a nonzero tail (E2BIG) or a zero
 * one (accepted), bad pointers and structs that cannot be read or written
 * back (EFAULT), nonzero reserved fields (EINVAL), and per ioctl the
 * argument errors: length 0, unaligned addresses, ranges that wrap or
 * pass the task size, unknown prot and flag bits.
 *
 * Each failure must change nothing: the VMA listing, the stats, the
 * layout, the limits, the break, the global page counters and the
 * descriptor table are compared before and after.  The address space
 * holds a bit of everything, in each of the four layouts.
 */
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define F FIXED_AREA
#define BUF_SIZE	8192

struct ioc {
	const char *name;
	unsigned int cmd;
	unsigned int size;
	/*
	 * The size of the first version of the struct: the smallest the
	 * module accepts (a newer module reads a missing tail as zero).
	 */
	unsigned int min_size;
	/* Fill in a valid struct (not its size). */
	void (*fill)(void *buf);
	/* What that valid struct gives on the fixture's address space. */
	int valid_ret;
	/* The reserved field, or size 0. */
	unsigned int reserved_off, reserved_size;
};

static void fill_handshake(void *buf)
{
	struct aspace_handshake *a = buf;

	a->api_version = ASPACE_API_VERSION;
}

static void fill_mmap(void *buf)
{
	struct aspace_mmap *a = buf;

	a->prot = P_RW;
	a->flags = M_PRIV;
	a->length = PG;
}

static void fill_munmap(void *buf)
{
	struct aspace_range *a = buf;

	a->addr = F + PAGES(100);
	a->length = PG;
}

static void fill_mprotect(void *buf)
{
	struct aspace_range *a = buf;

	a->addr = F;
	a->length = PG;
	a->prot = P_RW;
}

static void fill_nothing(void *buf)
{
	(void)buf;
}

static void fill_query(void *buf)
{
	struct aspace_query *a = buf;

	a->query_flags = ASPACE_QUERY_COVERING_OR_NEXT;
}

static void fill_set_layout(void *buf)
{
	struct aspace_layout *a = buf;

	a->mmap_min_addr = DEF_MMAP_MIN_ADDR;
}

static void fill_set_limits(void *buf)
{
	struct aspace_limits *a = buf;

	a->max_map_count = DEF_MAX_MAP_COUNT;
	a->as_bytes = ASPACE_LIMIT_INFINITY;
	a->data_bytes = ASPACE_LIMIT_INFINITY;
	a->resident_bytes = PAGES(1024);	/* the cap is finite */
}

/*
 * The size of each struct, then that of its first version: the same but
 * for aspace_limits (40 bytes: up to resident_bytes) and aspace_stats (104
 * bytes: up to cow_breaks).
 */
static const struct ioc iocs[] = {
	{ "HANDSHAKE", ASPACE_IOC_HANDSHAKE, sizeof(struct aspace_handshake),
	  sizeof(struct aspace_handshake), fill_handshake, 0,
	  offsetof(struct aspace_handshake, reserved), 8 },
	{ "MMAP", ASPACE_IOC_MMAP, sizeof(struct aspace_mmap),
	  sizeof(struct aspace_mmap), fill_mmap, 0,
	  offsetof(struct aspace_mmap, reserved), 4 },
	/* munmap's prot must be zero: its reserved field. */
	{ "MUNMAP", ASPACE_IOC_MUNMAP, sizeof(struct aspace_range),
	  sizeof(struct aspace_range), fill_munmap, 0,
	  offsetof(struct aspace_range, prot), 4 },
	{ "MPROTECT", ASPACE_IOC_MPROTECT, sizeof(struct aspace_range),
	  sizeof(struct aspace_range), fill_mprotect, 0, 0, 0 },
	{ "BRK", ASPACE_IOC_BRK, sizeof(struct aspace_brk),
	  sizeof(struct aspace_brk), fill_nothing, 0,
	  offsetof(struct aspace_brk, reserved), 4 },
	{ "CLONE", ASPACE_IOC_CLONE, sizeof(struct aspace_clone),
	  sizeof(struct aspace_clone), fill_nothing, 0,
	  offsetof(struct aspace_clone, reserved), 4 },
	{ "QUERY", ASPACE_IOC_QUERY, sizeof(struct aspace_query),
	  sizeof(struct aspace_query), fill_query, 0, 0, 0 },
	{ "GET_LAYOUT", ASPACE_IOC_GET_LAYOUT, sizeof(struct aspace_layout),
	  sizeof(struct aspace_layout), fill_nothing, 0, 0, 0 },
	/* Not empty: a valid layout is refused only for that. */
	{ "SET_LAYOUT", ASPACE_IOC_SET_LAYOUT, sizeof(struct aspace_layout),
	  sizeof(struct aspace_layout), fill_set_layout, -EBUSY, 0, 0 },
	{ "GET_LIMITS", ASPACE_IOC_GET_LIMITS, sizeof(struct aspace_limits),
	  offsetof(struct aspace_limits, stack_bytes), fill_nothing, 0,
	  offsetof(struct aspace_limits, reserved), 4 },
	{ "SET_LIMITS", ASPACE_IOC_SET_LIMITS, sizeof(struct aspace_limits),
	  offsetof(struct aspace_limits, stack_bytes), fill_set_limits, 0,
	  offsetof(struct aspace_limits, reserved), 4 },
	{ "STATS", ASPACE_IOC_STATS, sizeof(struct aspace_stats),
	  offsetof(struct aspace_stats, zero_page_maps), fill_nothing, 0,
	  offsetof(struct aspace_stats, reserved), 4 },
};

/* Everything a failing call must leave as it was. */
struct before {
	struct asp_snap snap;
	long long data, tables;
	int free_fd;
};

FIXTURE(bad) {
	int fd;
	__u64 task_size;
	unsigned char *buf;
	struct before *before;
};

FIXTURE_VARIANT(bad) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(bad, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(bad, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_VARIANT_ADD(bad, legacy_4level) {
	.layout = LAYOUT_LEGACY_4L,
};

FIXTURE_VARIANT_ADD(bad, legacy_5level) {
	.layout = LAYOUT_LEGACY_5L,
};

FIXTURE_SETUP(bad)
{
	struct aspace_layout l;

	self->fd = open_layout(variant->layout);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	self->task_size = l.task_size;
	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(6), PAGES(2), P_R,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(3), P_X, M_PRIV, NULL));
	ASSERT_EQ(0, aspace_brk(self->fd, l.heap_start + PG + 3, NULL));
	self->buf = calloc(1, BUF_SIZE);
	ASSERT_NE(NULL, self->buf);
	self->before = calloc(1, sizeof(*self->before));
	ASSERT_NE(NULL, self->before);
}

FIXTURE_TEARDOWN(bad)
{
	free(self->buf);
	free(self->before);
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

static void take_before(struct __test_metadata *_metadata, int fd,
			struct before *b)
{
	ASSERT_EQ(0, snap_take(fd, &b->snap));
	b->data = sysfs_pages_data();
	b->tables = sysfs_pages_pgtable();
	b->free_fd = lowest_free_fd();
}

static void expect_unchanged(struct __test_metadata *_metadata, int fd,
			     const struct before *b, const char *what)
{
	static struct asp_snap now;

	ASSERT_EQ(0, snap_take(fd, &now));
	EXPECT_TRUE(snap_equal(&b->snap, &now)) {
		TH_LOG("%s changed the address space", what);
	}
	EXPECT_EQ(b->data, sysfs_pages_data()) {
		TH_LOG("%s", what);
	}
	EXPECT_EQ(b->tables, sysfs_pages_pgtable()) {
		TH_LOG("%s", what);
	}
	EXPECT_EQ(b->free_fd, lowest_free_fd()) {
		TH_LOG("%s left a descriptor", what);
	}
}

/* Run @cmd on @arg; it must fail with @err and change nothing. */
static void fails(struct __test_metadata *_metadata, int fd,
		  struct before *b, const char *what, unsigned int cmd,
		  void *arg, int err)
{
	take_before(_metadata, fd, b);
	EXPECT_EQ(err, aspace_ioctl(fd, cmd, arg)) {
		TH_LOG("%s", what);
	}
	expect_unchanged(_metadata, fd, b, what);
}

#define expect_fails(what, cmd, arg, err) \
	fails(_metadata, self->fd, self->before, what, cmd, arg, err)

static void *valid(const struct ioc *c, unsigned char *buf, __u32 size)
{
	memset(buf, 0, BUF_SIZE);
	c->fill(buf);
	*(__u32 *)buf = size;
	return buf;
}

/* Close the descriptor a successful CLONE made. */
static void drop_clone(const struct ioc *c, void *buf)
{
	if (c->cmd == ASPACE_IOC_CLONE)
		close(((struct aspace_clone *)buf)->fd);
}

TEST_F(bad, valid_structs_work)
{
	unsigned int i, k;
	void *arg;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		arg = valid(&iocs[i], self->buf, iocs[i].size);
		EXPECT_EQ(iocs[i].valid_ret,
			  aspace_ioctl(self->fd, iocs[i].cmd, arg)) {
			TH_LOG("%s", iocs[i].name);
		}
		if (!iocs[i].valid_ret)
			drop_clone(&iocs[i], arg);
	}
	/*
	 * The first version of a struct that grew works too: the output
	 * fills that much of it, and its size tells the module's struct.
	 */
	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		if (iocs[i].min_size == iocs[i].size)
			continue;
		arg = valid(&iocs[i], self->buf, iocs[i].min_size);
		EXPECT_EQ(iocs[i].valid_ret,
			  aspace_ioctl(self->fd, iocs[i].cmd, arg)) {
			TH_LOG("%s size %u", iocs[i].name, iocs[i].min_size);
		}
		if (_IOC_DIR(iocs[i].cmd) & _IOC_READ)
			EXPECT_EQ(iocs[i].size, *(__u32 *)arg) {
				TH_LOG("%s", iocs[i].name);
			}
		for (k = iocs[i].min_size; k < BUF_SIZE; k++)
			if (self->buf[k])
				break;
		EXPECT_EQ(BUF_SIZE, k) {
			TH_LOG("%s size %u wrote byte %u", iocs[i].name,
			       iocs[i].min_size, k);
		}
	}
}

/*
 * A first-version aspace_limits (without stack_bytes) reads the other
 * limits and sets them, keeping the stack limit; a first-version
 * aspace_stats reads the counters it has.
 */
TEST_F(bad, first_version_structs)
{
	const unsigned int lim_size = offsetof(struct aspace_limits,
					       stack_bytes);
	const unsigned int st_size = offsetof(struct aspace_stats,
					      zero_page_maps);
	struct aspace_limits lim, old_lim;
	struct aspace_stats st, old_st;

	ASSERT_EQ(0, aspace_get_limits(self->fd, &lim));
	EXPECT_EQ(DEF_STACK_LIMIT, lim.stack_bytes);
	memset(&old_lim, 0xa5, sizeof(old_lim));
	memset(&old_lim, 0, lim_size);
	old_lim.size = lim_size;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_GET_LIMITS, &old_lim));
	EXPECT_EQ(0, memcmp((char *)&lim + 4, (char *)&old_lim + 4,
			    lim_size - 4));
	/* Not written past the first version. */
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, old_lim.stack_bytes);
	/* A new stack limit, then a first-version SET: it stays. */
	ASSERT_EQ(0, set_limit(self->fd, stack_bytes, PAGES(64)));
	memset(&old_lim, 0, sizeof(old_lim));
	old_lim.size = lim_size;
	old_lim.max_map_count = 100;
	old_lim.as_bytes = ASPACE_LIMIT_INFINITY;
	old_lim.data_bytes = PAGES(1000);
	old_lim.resident_bytes = PAGES(1024);
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_SET_LIMITS, &old_lim));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &lim));
	EXPECT_EQ(100, lim.max_map_count);
	EXPECT_EQ(PAGES(1000), lim.data_bytes);
	EXPECT_EQ(PAGES(64), lim.stack_bytes);

	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	memset(&old_st, 0xa5, sizeof(old_st));
	memset(&old_st, 0, st_size);
	old_st.size = st_size;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_STATS, &old_st));
	EXPECT_EQ(0, memcmp((char *)&st + 4, (char *)&old_st + 4,
			    st_size - 4));
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, old_st.zero_page_maps);
}

/* Smaller than the first version of the struct. */
TEST_F(bad, size_too_small_einval)
{
	static const __u32 sizes[] = { 0, 1, 4, 7, 8, 12, 16, 24, 32, 40,
				       96 };
	char what[96];
	unsigned int i, j;
	__u32 size;
	void *arg;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		for (j = 0; j <= ARRAY_SIZE(sizes); j++) {
			size = j < ARRAY_SIZE(sizes) ? sizes[j] :
						       iocs[i].min_size - 1;
			if (size >= iocs[i].min_size)
				continue;
			snprintf(what, sizeof(what), "%s size %u",
				 iocs[i].name, size);
			arg = valid(&iocs[i], self->buf, size);
			expect_fails(what, iocs[i].cmd, arg, -EINVAL);
		}
	}
}

TEST_F(bad, larger_struct_nonzero_tail_e2big)
{
	char what[96];
	unsigned int i, j;
	void *arg;
	struct {
		__u32 extra, at;
	} cases[] = {
		{ 1, 0 }, { 8, 7 }, { 8, 0 }, { 64, 63 },
		{ BUF_SIZE / 2, BUF_SIZE / 2 - 1 },
	};

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		for (j = 0; j < ARRAY_SIZE(cases); j++) {
			snprintf(what, sizeof(what), "%s size +%u, byte %u",
				 iocs[i].name, cases[j].extra, cases[j].at);
			arg = valid(&iocs[i], self->buf,
				    iocs[i].size + cases[j].extra);
			self->buf[iocs[i].size + cases[j].at] = 0x80;
			expect_fails(what, iocs[i].cmd, arg, -E2BIG);
		}
	}
}

TEST_F(bad, larger_struct_zero_tail_accepted)
{
	static const __u32 extra[] = { 1, 8, 64, BUF_SIZE / 2 };
	unsigned int i, j, k;
	void *arg;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		for (j = 0; j < ARRAY_SIZE(extra); j++) {
			arg = valid(&iocs[i], self->buf,
				    iocs[i].size + extra[j]);
			EXPECT_EQ(iocs[i].valid_ret,
				  aspace_ioctl(self->fd, iocs[i].cmd, arg)) {
				TH_LOG("%s size +%u", iocs[i].name, extra[j]);
			}
			if (iocs[i].valid_ret)
				continue;
			drop_clone(&iocs[i], arg);
			/*
			 * Output: the size the module knows; no byte past
			 * its struct written.
			 */
			if (_IOC_DIR(iocs[i].cmd) & _IOC_READ)
				EXPECT_EQ(iocs[i].size, *(__u32 *)arg) {
					TH_LOG("%s", iocs[i].name);
				}
			for (k = iocs[i].size; k < BUF_SIZE; k++)
				if (self->buf[k])
					break;
			EXPECT_EQ(BUF_SIZE, k) {
				TH_LOG("%s wrote byte %u", iocs[i].name, k);
			}
		}
	}
}

TEST_F(bad, bad_pointers_efault)
{
	void *gone, *kernel = (void *)0xffffffff81000000UL;
	char what[96];
	unsigned int i;

	gone = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_EQ(0, munmap(gone, PG));
	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		snprintf(what, sizeof(what), "%s NULL", iocs[i].name);
		expect_fails(what, iocs[i].cmd, NULL, -EFAULT);
		snprintf(what, sizeof(what), "%s unmapped", iocs[i].name);
		expect_fails(what, iocs[i].cmd, gone, -EFAULT);
		snprintf(what, sizeof(what), "%s kernel", iocs[i].name);
		expect_fails(what, iocs[i].cmd, kernel, -EFAULT);
		snprintf(what, sizeof(what), "%s non-canonical", iocs[i].name);
		expect_fails(what, iocs[i].cmd, (void *)0x8000000000000000UL,
			     -EFAULT);
	}
}

/* A struct whose size field is readable and whose rest is not. */
TEST_F(bad, struct_runs_into_unreadable_page)
{
	unsigned char *p, *s;
	char what[96];
	unsigned int i;

	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + PG, PG, PROT_NONE));
	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		s = p + PG - 8;
		memset(p, 0, PG);
		*(__u32 *)s = iocs[i].size;
		snprintf(what, sizeof(what), "%s straddling", iocs[i].name);
		expect_fails(what, iocs[i].cmd, s, -EFAULT);
		/* A size reaching past the readable memory. */
		s = p;
		memset(p, 0, PG);
		valid(&iocs[i], self->buf, PG + 64);
		memcpy(s, self->buf, iocs[i].size);
		snprintf(what, sizeof(what), "%s size past", iocs[i].name);
		expect_fails(what, iocs[i].cmd, s, -EFAULT);
	}
	munmap(p, 2 * PG);
}

/*
 * A read-only struct: the ioctls that write back fail with EFAULT before
 * changing anything; those that only read it work.
 */
TEST_F(bad, read_only_struct)
{
	unsigned char *p;
	char what[96];
	unsigned int i;
	int ret;

	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		ASSERT_EQ(0, mprotect(p, PG, PROT_READ | PROT_WRITE));
		valid(&iocs[i], self->buf, iocs[i].size);
		memcpy(p, self->buf, iocs[i].size);
		ASSERT_EQ(0, mprotect(p, PG, PROT_READ));
		snprintf(what, sizeof(what), "%s read-only", iocs[i].name);
		if (_IOC_DIR(iocs[i].cmd) & _IOC_READ) {
			expect_fails(what, iocs[i].cmd, p, -EFAULT);
		} else {
			ret = aspace_ioctl(self->fd, iocs[i].cmd, p);
			EXPECT_EQ(iocs[i].valid_ret, ret) {
				TH_LOG("%s", what);
			}
		}
	}
	munmap(p, PG);
}

TEST_F(bad, reserved_nonzero_einval)
{
	static const __u64 patterns[] = { 1, 0x80, 0x80000000, 1ULL << 63 };
	char what[96];
	unsigned int i, j;
	void *arg;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		if (!iocs[i].reserved_size)
			continue;
		for (j = 0; j < ARRAY_SIZE(patterns); j++) {
			if (iocs[i].reserved_size < 8 && patterns[j] >> 32)
				continue;
			arg = valid(&iocs[i], self->buf, iocs[i].size);
			memcpy(self->buf + iocs[i].reserved_off, &patterns[j],
			       iocs[i].reserved_size);
			snprintf(what, sizeof(what), "%s reserved %#llx",
				 iocs[i].name,
				 (unsigned long long)patterns[j]);
			expect_fails(what, iocs[i].cmd, arg, -EINVAL);
		}
	}
}

/* Argument errors, ioctl by ioctl. */
TEST_F(bad, mmap_arguments)
{
	const __u64 ts = self->task_size;
	const struct {
		const char *what;
		__u64 addr, length;
		__u32 prot, flags;
		int err;
	} cases[] = {
		{ "length 0", 0, 0, P_RW, M_PRIV, -EINVAL },
		{ "length 0 fixed", F + PAGES(20), 0, P_RW, M_PRIV | M_FIXED,
		  -EINVAL },
		{ "unaligned fixed", F + PAGES(20) + 1, PG, P_RW,
		  M_PRIV | M_FIXED, -EINVAL },
		{ "unaligned noreplace", F + PAGES(20) + 8, PG, P_RW,
		  M_PRIV | M_NOREPLACE, -EINVAL },
		{ "addr + length wraps", ~0ULL - PG + 1, PAGES(2), P_RW,
		  M_PRIV | M_FIXED, -ENOMEM },
		{ "addr past task size", ts, PG, P_RW, M_PRIV | M_FIXED,
		  -ENOMEM },
		{ "end past task size", ts - PG, PAGES(2), P_RW,
		  M_PRIV | M_FIXED, -ENOMEM },
		{ "length rounding wraps", 0, ~0ULL, P_RW, M_PRIV, -ENOMEM },
		{ "length past task size", 0, ts + PG, P_RW, M_PRIV, -ENOMEM },
		{ "below mmap_min_addr", PG, PG, P_RW, M_PRIV | M_FIXED,
		  -EPERM },
		{ "overlap noreplace", F + PG, PG, P_RW, M_PRIV | M_NOREPLACE,
		  -EEXIST },
		{ "unknown prot", 0, PG, P_RW | 0x8, M_PRIV, -EINVAL },
		{ "unknown flag", 0, PG, P_RW, M_PRIV | 0x40, -EINVAL },
		{ "no map type", 0, PG, P_RW, 0, -EINVAL },
		{ "both map types", 0, PG, P_RW, M_PRIV | M_SHARED, -EINVAL },
	};
	struct aspace_mmap m;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&m, 0, sizeof(m));
		m.size = sizeof(m);
		m.addr = cases[i].addr;
		m.length = cases[i].length;
		m.prot = cases[i].prot;
		m.flags = cases[i].flags;
		expect_fails(cases[i].what, ASPACE_IOC_MMAP, &m, cases[i].err);
	}
}

TEST_F(bad, munmap_and_mprotect_arguments)
{
	const __u64 ts = self->task_size;
	const struct {
		const char *what;
		unsigned int cmd;
		__u64 addr, length;
		__u32 prot;
		int err;
	} cases[] = {
		{ "munmap length 0", ASPACE_IOC_MUNMAP, F, 0, 0, -EINVAL },
		{ "munmap unaligned", ASPACE_IOC_MUNMAP, F + 1, PG, 0,
		  -EINVAL },
		{ "munmap wraps", ASPACE_IOC_MUNMAP, F, ~0ULL - F + PG, 0,
		  -EINVAL },
		{ "munmap past task size", ASPACE_IOC_MUNMAP, ts, PG, 0,
		  -EINVAL },
		{ "munmap end past task size", ASPACE_IOC_MUNMAP, F, ts, 0,
		  -EINVAL },
		{ "munmap prot", ASPACE_IOC_MUNMAP, F, PG, P_R, -EINVAL },
		{ "mprotect length 0", ASPACE_IOC_MPROTECT, F, 0, P_R, 0 },
		{ "mprotect unaligned", ASPACE_IOC_MPROTECT, F + 0x10, PG, P_R,
		  -EINVAL },
		{ "mprotect wraps", ASPACE_IOC_MPROTECT, F, ~0ULL - F + PG,
		  P_R, -ENOMEM },
		{ "mprotect past task size", ASPACE_IOC_MPROTECT, ts, PG, P_R,
		  -ENOMEM },
		{ "mprotect unknown prot", ASPACE_IOC_MPROTECT, F, PG,
		  P_R | 0x10, -EINVAL },
		{ "mprotect hole at the start", ASPACE_IOC_MPROTECT,
		  F + PAGES(4), PAGES(4), P_R, -ENOMEM },
	};
	struct aspace_range r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&r, 0, sizeof(r));
		r.size = sizeof(r);
		r.addr = cases[i].addr;
		r.length = cases[i].length;
		r.prot = cases[i].prot;
		expect_fails(cases[i].what, cases[i].cmd, &r, cases[i].err);
	}
}

/*
 * brk never fails: a bad break leaves the old one.  (A break at the task
 * size exactly is valid when nothing lies above the heap, as in Linux.)
 */
TEST_F(bad, brk_arguments)
{
	const __u64 bad[] = {
		self->task_size + 1, self->task_size + PG, ~0ULL, ~0ULL - PG,
		1ULL << 63,
	};
	struct aspace_brk b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&b, 0, sizeof(b));
		b.size = sizeof(b);
		b.brk = bad[i];
		take_before(_metadata, self->fd, self->before);
		EXPECT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_BRK, &b));
		EXPECT_EQ(self->before->snap.brk, b.brk);
		expect_unchanged(_metadata, self->fd, self->before, "brk");
	}
}

TEST_F(bad, other_arguments)
{
	struct aspace_handshake hs;
	struct aspace_clone cl;
	struct aspace_query q;
	struct aspace_layout l;
	struct aspace_limits lim;

	memset(&hs, 0, sizeof(hs));
	hs.size = sizeof(hs);
	expect_fails("handshake version 0", ASPACE_IOC_HANDSHAKE, &hs, -EINVAL);
	memset(&cl, 0, sizeof(cl));
	cl.size = sizeof(cl);
	cl.flags = 0x4;
	expect_fails("clone flags", ASPACE_IOC_CLONE, &cl, -EINVAL);
	cl.flags = ASPACE_CLONE_NOCLOEXEC | ASPACE_CLONE_EAGER | 0x80000000;
	expect_fails("clone flags + valid ones", ASPACE_IOC_CLONE, &cl,
		     -EINVAL);
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.query_flags = 0x2;
	expect_fails("query flags", ASPACE_IOC_QUERY, &q, -EINVAL);
	q.query_flags = ASPACE_QUERY_COVERING_OR_NEXT;
	q.query_addr = self->task_size;
	expect_fails("query past task size", ASPACE_IOC_QUERY, &q, -ENOENT);
	q.query_addr = ~0ULL;
	expect_fails("query ~0", ASPACE_IOC_QUERY, &q, -ENOENT);
	/* Checked before EBUSY. */
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.flags = 0x10;
	expect_fails("layout flags", ASPACE_IOC_SET_LAYOUT, &l, -EINVAL);
	l.flags = 0;
	l.mmap_base = DEF_MMAP_BASE + 1;
	expect_fails("layout unaligned", ASPACE_IOC_SET_LAYOUT, &l, -EINVAL);
	l.mmap_base = 0;
	l.mmap_min_addr = DEF_MMAP_MIN_ADDR;
	expect_fails("layout busy", ASPACE_IOC_SET_LAYOUT, &l, -EBUSY);
	memset(&lim, 0, sizeof(lim));
	lim.size = sizeof(lim);
	expect_fails("limits count 0", ASPACE_IOC_SET_LIMITS, &lim, -EINVAL);
}

/* A valid SET_LAYOUT in a larger struct, on an empty address space. */
TEST(set_layout_larger_struct_zero_tail)
{
	unsigned char buf[sizeof(struct aspace_layout) + 16];
	struct aspace_layout *l = (struct aspace_layout *)buf;
	struct aspace_layout out;
	int fd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	l->size = sizeof(buf);
	l->flags = ASPACE_LAYOUT_LA57;
	l->mmap_min_addr = DEF_MMAP_MIN_ADDR;
	ASSERT_EQ(0, aspace_ioctl(fd, ASPACE_IOC_SET_LAYOUT, l));
	ASSERT_EQ(0, aspace_get_layout(fd, &out));
	EXPECT_EQ(TASK_SIZE_5L, out.task_size);
	buf[sizeof(buf) - 1] = 1;
	l->flags = 0;
	EXPECT_EQ(-E2BIG, aspace_ioctl(fd, ASPACE_IOC_SET_LAYOUT, l));
	ASSERT_EQ(0, aspace_get_layout(fd, &out));
	EXPECT_EQ(TASK_SIZE_5L, out.task_size);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_HARNESS_MAIN
