// SPDX-License-Identifier: GPL-2.0
/*
 * The bad-input matrix of the memory ioctls, ASPACE_IOC_ACCESS and
 * ASPACE_IOC_MADVISE: struct sizes too small (EINVAL), larger with a
 * nonzero tail (E2BIG) or a zero one (accepted, written back only as far
 * as the module knows the struct), bad struct pointers and read-only
 * structs (EFAULT), bad kinds, bad buffers (EFAULT), ranges that wrap
 * (EINVAL), huge ranges, kernel addresses; and the structs that grew in
 * the memory release (aspace_stats, aspace_limits) still accepted at
 * their first size.  Every refused call changes nothing: VMAs, counters,
 * layout, limits, break, memory contents and the module's pages are
 * compared before and after.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"

#define F		ARENA_LOW
#define BUF_SIZE	8192
#define STATS_V1	offsetof(struct aspace_stats, zero_page_maps)
#define LIMITS_V1	offsetof(struct aspace_limits, stack_bytes)

FIXTURE(mb) {
	int fd;
	__u64 task_size;
	unsigned char *buf;
	unsigned char *ro;	/* a read-only page of this process */
	unsigned char *none;	/* a PROT_NONE page of this process */
};

FIXTURE_VARIANT(mb) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(mb, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(mb, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

/*
 * rw private, 2 pages written | r private | hole | rw shared, 1 written |
 * hole | rx private at F + 8 pages
 */
FIXTURE_SETUP(mb)
{
	unsigned char data[PG];

	self->fd = open_layout(variant->layout);
	ASSERT_LE(0, self->fd);
	self->task_size = variant->layout & ASPACE_LAYOUT_LA57 ?
			  TASK_SIZE_5L : TASK_SIZE_4L;
	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(3), P_RW,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(3), PG, P_R,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(5), PAGES(2), P_RW,
				 M_SHARED | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(8), PG, P_RX,
				 M_PRIV | M_FIXED, NULL));
	memset(data, 0x5a, sizeof(data));
	ASSERT_EQ(PG, mem_pwrite(self->fd, data, PG, F));
	ASSERT_EQ(PG, mem_pwrite(self->fd, data, PG, F + PG));
	ASSERT_EQ(PG, mem_pwrite(self->fd, data, PG, F + PAGES(5)));
	/* Read everything once: later reads map nothing new. */
	ASSERT_EQ(PG, mem_pread(self->fd, data, PG, F + PAGES(2)));
	ASSERT_EQ(PG, mem_pread(self->fd, data, PG, F + PAGES(3)));
	ASSERT_EQ(PG, mem_pread(self->fd, data, PG, F + PAGES(6)));
	ASSERT_EQ(PG, mem_pread(self->fd, data, PG, F + PAGES(8)));
	self->buf = calloc(1, BUF_SIZE);
	ASSERT_NE(NULL, self->buf);
	self->ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			0);
	ASSERT_NE(MAP_FAILED, self->ro);
	self->none = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	ASSERT_NE(MAP_FAILED, self->none);
}

FIXTURE_TEARDOWN(mb)
{
	free(self->buf);
	close(self->fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

/* Everything a refused call must leave as it was. */
struct before {
	struct asp_snap snap;
	long long data, tables;
	unsigned char mem[PAGES(8)];
};

static void take(int fd, struct before *b)
{
	memset(b->mem, 0, sizeof(b->mem));
	/* pread maps nothing new here: the layout was read in setup */
	mem_pread(fd, b->mem, PAGES(4), F);
	mem_pread(fd, b->mem + PAGES(5), PAGES(2), F + PAGES(5));
	snap_take(fd, &b->snap);
	b->data = sysfs_pages_data();
	b->tables = sysfs_pages_pgtable();
}

static bool same(int fd, const struct before *b, const char *what)
{
	static struct before now;
	bool ok = true;

	take(fd, &now);
	if (!snap_equal(&b->snap, &now.snap) || b->data != now.data ||
	    b->tables != now.tables || memcmp(b->mem, now.mem, sizeof(b->mem))) {
		fprintf(stderr, "#   %s changed something\n", what);
		ok = false;
	}
	return ok;
}

/* @cmd on @arg must fail with @err and change nothing. */
static bool refused(int fd, const char *what, unsigned long cmd, void *arg,
		    int err)
{
	static struct before b;
	int ret;

	take(fd, &b);
	ret = aspace_ioctl(fd, cmd, arg);
	if (ret != err) {
		fprintf(stderr, "#   %s: %d (%s), expected %d\n", what, ret,
			strerror(-ret), err);
		return false;
	}
	return same(fd, &b, what);
}

#define REFUSED(what, cmd, arg, err)					\
	EXPECT_TRUE(refused(self->fd, what, cmd, arg, err))

static void *access_arg(unsigned char *buf, __u32 size, __u32 kind,
			__u64 addr, __u64 len, void *data)
{
	struct aspace_access *a = (void *)buf;

	memset(buf, 0, BUF_SIZE);
	a->size = size;
	a->kind = kind;
	a->addr = addr;
	a->length = len;
	a->buf = (uintptr_t)data;
	return buf;
}

static void *madvise_arg(unsigned char *buf, __u32 size, __u32 advice,
			 __u64 addr, __u64 len)
{
	struct aspace_madvise *m = (void *)buf;

	memset(buf, 0, BUF_SIZE);
	m->size = size;
	m->advice = advice;
	m->addr = addr;
	m->length = len;
	return buf;
}

TEST_F(mb, features_reported)
{
	__u64 f = 0;

	ASSERT_EQ(0, aspace_handshake(self->fd, NULL, &f));
	EXPECT_TRUE(f & ASPACE_FEATURE_RW);
	EXPECT_TRUE(f & ASPACE_FEATURE_ACCESS);
	EXPECT_TRUE(f & ASPACE_FEATURE_MADVISE);
	EXPECT_TRUE(f & ASPACE_FEATURE_COW);
	EXPECT_TRUE(f & ASPACE_FEATURE_STACK_GROWS);
}

TEST_F(mb, size_too_small_einval)
{
	static const __u32 sizes[] = { 0, 1, 4, 7, 8, 16, 23, 24, 40, 48,
				       sizeof(struct aspace_access) - 1 };
	unsigned char data[16];
	char what[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(what, sizeof(what), "ACCESS size %u", sizes[i]);
		REFUSED(what, ASPACE_IOC_ACCESS,
			access_arg(self->buf, sizes[i], ASPACE_ACCESS_WRITE, F,
				   8, data), -EINVAL);
		if (sizes[i] >= sizeof(struct aspace_madvise))
			continue;
		snprintf(what, sizeof(what), "MADVISE size %u", sizes[i]);
		REFUSED(what, ASPACE_IOC_MADVISE,
			madvise_arg(self->buf, sizes[i], MADV_DONTNEED, F, PG),
			-EINVAL);
	}
}

TEST_F(mb, larger_struct_nonzero_tail_e2big)
{
	static const struct {
		__u32 extra, at;
	} c[] = { { 1, 0 }, { 8, 7 }, { 64, 63 }, { 4000, 3999 } };
	unsigned char data[16];
	char what[64];
	unsigned int i;
	void *arg;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(what, sizeof(what), "ACCESS +%u, byte %u", c[i].extra,
			 c[i].at);
		arg = access_arg(self->buf, sizeof(struct aspace_access) +
				 c[i].extra, ASPACE_ACCESS_WRITE, F, 8, data);
		self->buf[sizeof(struct aspace_access) + c[i].at] = 1;
		REFUSED(what, ASPACE_IOC_ACCESS, arg, -E2BIG);
		snprintf(what, sizeof(what), "MADVISE +%u, byte %u",
			 c[i].extra, c[i].at);
		arg = madvise_arg(self->buf, sizeof(struct aspace_madvise) +
				  c[i].extra, MADV_DONTNEED, F, PG);
		self->buf[sizeof(struct aspace_madvise) + c[i].at] = 1;
		REFUSED(what, ASPACE_IOC_MADVISE, arg, -E2BIG);
	}
}

/* A zero tail is accepted; the write-back stops at the module's size. */
TEST_F(mb, larger_struct_zero_tail_accepted)
{
	const size_t ks = sizeof(struct aspace_access);
	struct aspace_access *a = (void *)self->buf;
	unsigned char data[16];
	unsigned int i;

	access_arg(self->buf, ks + 64, ASPACE_ACCESS_READ, F + PG - 8, 16,
		   data);
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_ACCESS, a));
	EXPECT_EQ(ks, a->size);
	EXPECT_EQ(0, a->signo);
	EXPECT_EQ(16, a->done);
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, self->buf[ks + i]);
	madvise_arg(self->buf, sizeof(struct aspace_madvise) + 64,
		    MADV_POPULATE_READ, F, PAGES(3));
	EXPECT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_MADVISE, self->buf));
	/* The first struct sizes of STATS and LIMITS (before the release). */
	memset(self->buf, 0xee, BUF_SIZE);
	*(__u32 *)self->buf = STATS_V1;
	memset(self->buf + 4, 0, 4);
	EXPECT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_STATS, self->buf)) {
		TH_LOG("STATS of the first size (%zu bytes) refused",
		       STATS_V1);
	}
	for (i = STATS_V1; i < STATS_V1 + 64; i++)
		EXPECT_EQ(0xee, self->buf[i]) {
			TH_LOG("STATS wrote byte %u past its old size", i);
		}
	EXPECT_EQ(4, ((struct aspace_stats *)self->buf)->nr_vmas);
	memset(self->buf, 0, BUF_SIZE);
	ASSERT_EQ(0, aspace_get_limits(self->fd, (void *)self->buf));
	*(__u32 *)self->buf = LIMITS_V1;
	EXPECT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_SET_LIMITS,
				  self->buf));
	memset(self->buf, 0xee, BUF_SIZE);
	*(__u32 *)self->buf = LIMITS_V1;
	memset(self->buf + 4, 0, 4);
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_GET_LIMITS,
				  self->buf));
	for (i = LIMITS_V1; i < LIMITS_V1 + 64; i++)
		EXPECT_EQ(0xee, self->buf[i]);
}

TEST_F(mb, bad_struct_pointers_efault)
{
	static const __u64 bad[] = { 0, 1, 0xffffffff81000000ULL,
				     0x8000000000000000ULL };
	unsigned int i;
	char what[64];

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(what, sizeof(what), "ACCESS at %#llx",
			 (unsigned long long)bad[i]);
		REFUSED(what, ASPACE_IOC_ACCESS, (void *)(uintptr_t)bad[i],
			-EFAULT);
		snprintf(what, sizeof(what), "MADVISE at %#llx",
			 (unsigned long long)bad[i]);
		REFUSED(what, ASPACE_IOC_MADVISE, (void *)(uintptr_t)bad[i],
			-EFAULT);
	}
	REFUSED("ACCESS in PROT_NONE", ASPACE_IOC_ACCESS, self->none, -EFAULT);
	REFUSED("MADVISE in PROT_NONE", ASPACE_IOC_MADVISE, self->none,
		-EFAULT);
}

/*
 * ACCESS writes its struct back: a read-only one is EFAULT before the
 * access is made (no byte stored, no page touched).  MADVISE only reads
 * its struct: a read-only one works.
 */
TEST_F(mb, read_only_struct)
{
	static unsigned char data[PG];
	unsigned char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct aspace_stats st;

	ASSERT_NE(MAP_FAILED, p);
	memset(data, 0x33, sizeof(data));
	access_arg(self->buf, sizeof(struct aspace_access),
		   ASPACE_ACCESS_WRITE, F + PG - 8, PAGES(2), data);
	memcpy(p, self->buf, sizeof(struct aspace_access));
	ASSERT_EQ(0, mprotect(p, PG, PROT_READ));
	REFUSED("ACCESS write, read-only struct", ASPACE_IOC_ACCESS, p,
		-EFAULT);
	ASSERT_EQ(0, mprotect(p, PG, PROT_READ | PROT_WRITE));
	access_arg(self->buf, sizeof(struct aspace_access),
		   ASPACE_ACCESS_READ, F + PAGES(2), PG, data);
	memcpy(p, self->buf, sizeof(struct aspace_access));
	ASSERT_EQ(0, mprotect(p, PG, PROT_READ));
	REFUSED("ACCESS read, read-only struct", ASPACE_IOC_ACCESS, p,
		-EFAULT);
	ASSERT_EQ(0, mprotect(p, PG, PROT_READ | PROT_WRITE));
	madvise_arg(self->buf, sizeof(struct aspace_madvise),
		    MADV_POPULATE_WRITE, F + PAGES(2), PG);
	memcpy(p, self->buf, sizeof(struct aspace_madvise));
	ASSERT_EQ(0, mprotect(p, PG, PROT_READ));
	EXPECT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_MADVISE, p));
	st = mem_stats(self->fd);
	EXPECT_EQ(5, st.resident_pages);
	munmap(p, PG);
}

TEST_F(mb, bad_kind_einval)
{
	static const __u32 kinds[] = { 3, 4, 0x100, 0x80000000, 0xffffffff };
	unsigned char data[16];
	char what[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		snprintf(what, sizeof(what), "ACCESS kind %#x", kinds[i]);
		REFUSED(what, ASPACE_IOC_ACCESS,
			access_arg(self->buf, sizeof(struct aspace_access),
				   kinds[i], F, 8, data), -EINVAL);
		/* Even with length 0 or a bad buffer. */
		REFUSED(what, ASPACE_IOC_ACCESS,
			access_arg(self->buf, sizeof(struct aspace_access),
				   kinds[i], F, 0, data), -EINVAL);
	}
}

/* addr + length past 2^64: EINVAL, whatever the kind. */
TEST_F(mb, wrapping_range_einval)
{
	static const struct {
		__u64 addr, len;
	} r[] = {
		{ ~0ULL - 5, 10 }, { 1, ~0ULL }, { 1ULL << 63, 1ULL << 63 },
		{ F, -F + 1 }, { ~0ULL, ~0ULL },
	};
	unsigned int i, k;
	char what[96];

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		for (k = 0; k < 3; k++) {
			snprintf(what, sizeof(what),
				 "ACCESS kind %u %#llx + %#llx", k,
				 (unsigned long long)r[i].addr,
				 (unsigned long long)r[i].len);
			REFUSED(what, ASPACE_IOC_ACCESS,
				access_arg(self->buf,
					   sizeof(struct aspace_access), k,
					   r[i].addr, r[i].len, NULL),
				-EINVAL);
		}
	}
}

/*
 * A buffer the kernel cannot use: EFAULT.  A load into memory that is
 * not writable, a store from memory that is not readable.  No byte of
 * the address space changes.
 */
TEST_F(mb, bad_buffer_efault)
{
	const __u64 bad[] = { 1, 0xffffffff81000000ULL, 0x8000000000000000ULL,
			      (uintptr_t)self->none, ~0ULL - 4 };
	unsigned int i, k;
	char what[96];
	__u64 at;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		for (k = 0; k < 3; k++) {
			/* where the access itself works */
			at = k == ASPACE_ACCESS_EXEC ? F + PAGES(8) : F;
			snprintf(what, sizeof(what), "ACCESS kind %u buf %#llx",
				 k, (unsigned long long)bad[i]);
			REFUSED(what, ASPACE_IOC_ACCESS,
				access_arg(self->buf,
					   sizeof(struct aspace_access), k, at,
					   16, (void *)(uintptr_t)bad[i]),
				-EFAULT);
		}
	}
	REFUSED("ACCESS read into a read-only buffer", ASPACE_IOC_ACCESS,
		access_arg(self->buf, sizeof(struct aspace_access),
			   ASPACE_ACCESS_READ, F, 16, self->ro), -EFAULT);
	REFUSED("ACCESS read into a read-only buffer, page 1",
		ASPACE_IOC_ACCESS,
		access_arg(self->buf, sizeof(struct aspace_access),
			   ASPACE_ACCESS_READ, F + PG - 8, 16, self->ro),
		-EFAULT);
}

/*
 * Huge lengths that do not wrap: the access runs to the first byte it
 * cannot reach.  Without a buffer at once; with one as far as the
 * mapping goes (the buffer is big enough for that).
 */
TEST_F(mb, huge_lengths_stop_at_the_first_fault)
{
	static unsigned char big[PAGES(4)];
	static const __u64 lens[] = { 1ULL << 40, 1ULL << 62,
				      (1ULL << 63) - 1 };
	struct aspace_access a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_READ, F,
					lens[i], NULL, &a));
		EXPECT_EQ(SIGSEGV, a.signo);
		EXPECT_EQ(SEGV_MAPERR, a.si_code);
		EXPECT_EQ(F + PAGES(4), a.fault_addr);
		EXPECT_EQ(PAGES(4), a.done);
		ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_READ, F,
					lens[i], big, &a));
		EXPECT_EQ(F + PAGES(4), a.fault_addr);
		EXPECT_EQ(PAGES(4), a.done);
		EXPECT_EQ(0x5a, big[PG]);
		ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, F + PG,
					lens[i], big, &a));
		EXPECT_EQ(SEGV_ACCERR, a.si_code);
		EXPECT_EQ(F + PAGES(3), a.fault_addr);
		EXPECT_EQ(PAGES(2), a.done);
	}
}

/*
 * An address at or past the task size, or in the kernel half: SIGSEGV
 * at once, SEGV_MAPERR at that address where it is canonical (where it
 * is not, x86 raises #GP: only the signal is checked).
 */
TEST_F(mb, addresses_past_the_task_size_fault)
{
	const struct {
		__u64 addr;
		bool canonical;
	} c[] = {
		{ self->task_size, true },
		{ self->task_size + PG, self->task_size == TASK_SIZE_5L },
		{ 1ULL << 56, false },
		{ 0xffff800000001000ULL, true },
		{ 0xffffffffffff0000ULL, true },
	};
	unsigned char data[8];
	struct aspace_access a;
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		for (k = 0; k < 3; k++) {
			ASSERT_EQ(0, mem_access(self->fd, k, c[i].addr, 8,
						data, &a)) {
				TH_LOG("kind %u at %#llx", k,
				       (unsigned long long)c[i].addr);
			}
			EXPECT_EQ(SIGSEGV, a.signo);
			EXPECT_EQ(0, a.done);
			if (!c[i].canonical)
				continue;
			EXPECT_EQ(SEGV_MAPERR, a.si_code);
			EXPECT_EQ(c[i].addr, a.fault_addr);
		}
	}
}

/* MADVISE arguments: unaligned, empty, wrapping (no guessing: Linux's). */
TEST_F(mb, madvise_argument_errors)
{
	static const __u32 unknown[] = { 5, 6, 7, 26, 1000, 0xffffffff };
	char what[64];
	unsigned int i;

	REFUSED("MADVISE unaligned", ASPACE_IOC_MADVISE,
		madvise_arg(self->buf, sizeof(struct aspace_madvise),
			    MADV_DONTNEED, F + 1, PG), -EINVAL);
	REFUSED("MADVISE wrapping", ASPACE_IOC_MADVISE,
		madvise_arg(self->buf, sizeof(struct aspace_madvise),
			    MADV_DONTNEED, F, -PG), -EINVAL);
	REFUSED("MADVISE length rounding to 0", ASPACE_IOC_MADVISE,
		madvise_arg(self->buf, sizeof(struct aspace_madvise),
			    MADV_DONTFORK, F, ~0ULL), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		snprintf(what, sizeof(what), "MADVISE advice %u", unknown[i]);
		REFUSED(what, ASPACE_IOC_MADVISE,
			madvise_arg(self->buf, sizeof(struct aspace_madvise),
				    unknown[i], F, PG), -EINVAL);
		REFUSED(what, ASPACE_IOC_MADVISE,
			madvise_arg(self->buf, sizeof(struct aspace_madvise),
				    unknown[i], F + 1, 0), -EINVAL);
	}
	/* Length 0: nothing to do, success. */
	EXPECT_EQ(0, mem_madvise(self->fd, F, 0, MADV_DONTNEED));
	EXPECT_EQ(0, mem_madvise(self->fd, F + PAGES(4), 0, MADV_DONTFORK));
}

TEST_HARNESS_MAIN
