// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of pread/pwrite (and read, write, readv, writev,
 * preadv, pwritev, lseek) on an aspace descriptor: the file offset is the
 * virtual address and the rules are those of /proc/PID/mem.  Every layout
 * is built twice, in aspace and in the test (a forked child, or the test
 * process itself), and the same transfers are made on the descriptor and
 * on /proc/self/mem: the counts, the errnos and the bytes must agree,
 * across VMA boundaries and holes, for every protection, private and
 * shared, touched or not.
 *
 * Then what /proc/PID/mem cannot show: reading never-written private
 * memory maps the zero page (no data page, zero_page_maps counts it), a
 * write into a private read-only mapping makes a private copy that stays
 * read-only for simulated accesses, and offsets past the task size or
 * negative ones.
 */
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"

static const __u32 prots[8] = { 0, P_R, P_W, P_RW, P_X, P_RX, P_WX, P_RWX };

FIXTURE(rw) {
	int fd;
	bool la57;
	__u64 task_size;
	struct script *s;
	struct script_out *lx, *as;
};

FIXTURE_VARIANT(rw) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(rw, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(rw, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_SETUP(rw)
{
	self->la57 = variant->layout & ASPACE_LAYOUT_LA57;
	self->task_size = self->la57 ? TASK_SIZE_5L : TASK_SIZE_4L;
	/* Without the module the Linux half of each test still runs. */
	self->fd = open_layout(variant->layout);
	self->s = calloc(1, sizeof(*self->s));
	ASSERT_NE(NULL, self->s);
	self->lx = script_out_alloc();
	self->as = script_out_alloc();
	ASSERT_NE(NULL, self->lx);
	ASSERT_NE(NULL, self->as);
}

FIXTURE_TEARDOWN(rw)
{
	free(self->s);
	script_out_free(self->lx);
	script_out_free(self->as);
	if (self->fd >= 0) {
		close(self->fd);
		EXPECT_ALL_COUNTERS_ZERO();
	}
}

#define compare(what) do {						\
	run_compare(_metadata, what, self->s, self->fd, true, self->lx,	\
		    self->as, NULL);					\
	ASSERT_LE(0, self->fd) {					\
		TH_LOG("no /dev/aspace (%s): only the Linux half ran",	\
		       strerror(-self->fd));				\
	}								\
} while (0)

static unsigned int bases(bool la57, __u64 *b)
{
	unsigned int n = 0;

	b[n++] = ARENA_LOW;
	if (la57 && host_la57())
		b[n++] = ARENA_HIGH;
	return n;
}

/*
 * 16 one-page mappings (the eight protections, private then shared),
 * filled if @seed, with a hole after each; transfers at and across
 * every edge.
 */
static void add_matrix(struct script *s, __u64 base, __u32 seed)
{
	unsigned int i;
	__u64 a;

	for (i = 0; i < 16; i++) {
		a = base + PAGES(2 * i);
		sc_map(s, a, PG, prots[i % 8], i < 8 ? M_PRIV : M_SHARED,
		       seed ? seed + i : 0);
	}
	for (i = 0; i < 16; i++) {
		a = base + PAGES(2 * i);
		sc_add(s, OP_PREAD, a, PG, 0, 0);
		sc_add(s, OP_PREAD, a + PG - 100, 200, 0, 0);
		sc_add(s, OP_PREAD, a + PG - 1, 1, 0, 0);
		sc_add(s, OP_PREAD, a + PG, 1, 0, 0);
		sc_add(s, OP_PREAD, a + PG + 17, PAGES(2), 0, 0);
		sc_add(s, OP_PREAD, a + PG, 0, 0, 0);
		sc_add(s, OP_PREAD, a, 0, 0, 0);
		sc_add(s, OP_PWRITE, a + 8, 16, 50 + i, 0);
		sc_add(s, OP_PWRITE, a + PG - 5, 10, 70 + i, 0);
		sc_add(s, OP_PWRITE, a + PG + 3, 10, 70 + i, 0);
		sc_add(s, OP_PWRITE, a - 3, 10, 90 + i, 0);
		sc_add(s, OP_PWRITE, a + 100, 0, 90 + i, 0);
		sc_add(s, OP_READ, a + 8, 16, 0, 0);
		sc_add(s, OP_WRITE, a + 30, 2, 110 + i, 0);
	}
	/* Long ones: the first hole stops them. */
	sc_add(s, OP_PREAD, base + 10, PAGES(40), 0, 0);
	sc_add(s, OP_PWRITE, base + PAGES(4) + 1, PAGES(40), 120, 0);
	sc_read_back(s, base, PAGES(33));
}

TEST_F(rw, every_protection_like_proc_self_mem)
{
	__u64 b[2];
	unsigned int i, n = bases(self->la57, b);

	for (i = 0; i < n; i++) {
		sc_arena(self->s, b[i], b[i] + PAGES(80));
		add_matrix(self->s, b[i], 1);
		add_matrix(self->s, b[i] + PAGES(40), 0);
	}
	compare("protection matrix");
}

/*
 * Adjacent VMAs without holes: rw private | r shared | r private |
 * none private | rw shared | rwx private.  A pwrite stops at the
 * read-only shared one; a pread crosses them all.
 */
TEST_F(rw, across_adjacent_vmas_like_proc_self_mem)
{
	struct script *s = self->s;
	__u64 b[2], base;
	unsigned int i, n = bases(self->la57, b);

	for (i = 0; i < n; i++) {
		base = b[i];
		sc_arena(s, base, base + PAGES(32));
		sc_map(s, base, PAGES(3), P_RW, M_PRIV, 3);
		sc_map(s, base + PAGES(3), PAGES(2), P_R, M_SHARED, 4);
		sc_map(s, base + PAGES(5), PAGES(2), P_R, M_PRIV, 5);
		sc_map(s, base + PAGES(7), PAGES(2), 0, M_PRIV, 0);
		sc_map(s, base + PAGES(9), PAGES(2), P_RW, M_SHARED, 0);
		sc_map(s, base + PAGES(11), PAGES(2), P_RWX, M_PRIV, 6);
		sc_add(s, OP_PREAD, base, PAGES(13), 0, 0);
		sc_add(s, OP_PREAD, base + 1, PAGES(13), 0, 0);
		sc_add(s, OP_PWRITE, base + 7, PAGES(4), 10, 0);
		sc_add(s, OP_PWRITE, base + PAGES(3), 10, 11, 0);
		sc_add(s, OP_PWRITE, base + PAGES(5) - 1, 10, 12, 0);
		sc_add(s, OP_PWRITE, base + PAGES(5), PAGES(8), 13, 0);
		sc_add(s, OP_PWRITE, base + PAGES(5) + 9, PAGES(9), 14, 0);
		sc_add(s, OP_PREAD, base + PAGES(13) - 1, PAGES(2), 0, 0);
		/* The private read-only copy stays read-only. */
		sc_add(s, OP_WRITE, base + PAGES(5), 1, 15, 0);
		sc_add(s, OP_READ, base + PAGES(5), 64, 0, 0);
		sc_add(s, OP_WRITE, base + PAGES(7), 1, 15, 0);
		sc_add(s, OP_MPROTECT, base + PAGES(7), PAGES(2), P_R, 0);
		sc_add(s, OP_READ, base + PAGES(7), PAGES(2), 0, 0);
		sc_read_back(s, base, PAGES(14));
	}
	compare("adjacent VMAs");
}

/* Transfers of a MiB over several VMAs, unaligned at both ends. */
TEST_F(rw, large_transfers_like_proc_self_mem)
{
	struct script *s = self->s;
	const __u64 base = ARENA_LOW;

	sc_arena(s, base, base + PAGES(600));
	sc_map(s, base, PAGES(100), P_RW, M_PRIV, 0);
	sc_map(s, base + PAGES(100), PAGES(200), P_R, M_PRIV, 0);
	sc_map(s, base + PAGES(300), PAGES(100), P_RW, M_SHARED, 0);
	sc_map(s, base + PAGES(400), PAGES(50), 0, M_PRIV, 0);
	sc_add(s, OP_PWRITE, base + 123, PAGES(256), 7, 0);
	sc_add(s, OP_PREAD, base + 77, PAGES(256), 0, 0);
	sc_add(s, OP_PWRITE, base + PAGES(290) + 5, PAGES(200), 8, 0);
	sc_add(s, OP_PREAD, base + PAGES(250), PAGES(300), 0, 0);
	sc_add(s, OP_PREAD, base, PAGES(512), 0, 0);
	compare("large transfers");
}

/* The last bytes of the address space and past it (see add_top too). */
TEST_F(rw, end_of_address_space_like_proc_self_mem)
{
	struct script *s = self->s;
	__u64 tops[2] = { TASK_SIZE_4L, TASK_SIZE_5L };
	unsigned int i, n = self->la57 && host_la57() ? 2 : 1;
	__u64 t;

	for (i = 0; i < n; i++) {
		t = tops[i];
		sc_arena(s, t - PAGES(3), t);
		sc_map(s, t - PAGES(3), PG, P_R, M_SHARED, 2);
		sc_map(s, t - PAGES(2), PAGES(2), P_R, M_PRIV, 3);
		sc_add(s, OP_PREAD, t - 10, 20, 0, 0);
		sc_add(s, OP_PREAD, t - PAGES(3), PAGES(4), 0, 0);
		sc_add(s, OP_PREAD, t, PG, 0, 0);
		sc_add(s, OP_PREAD, t + PG, PG, 0, 0);
		sc_add(s, OP_PWRITE, t - 10, 20, 4, 0);
		sc_add(s, OP_PWRITE, t - PAGES(2) - 1, 2, 4, 0);
		sc_add(s, OP_PWRITE, t - PAGES(2), PAGES(3), 4, 0);
		sc_add(s, OP_PWRITE, t, 1, 4, 0);
		sc_read_back(s, t - PAGES(3), PAGES(3));
	}
	compare("end of the address space");
}

/* Offsets at and past the task size: EIO; a negative offset: EINVAL. */
TEST_F(rw, offsets_past_the_task_size)
{
	const __u64 ts = self->task_size;
	static const __u64 past[] = { 0, 1, PG, 1ULL << 47, 1ULL << 56,
				      1ULL << 62, (1ULL << 63) - PG };
	unsigned char buf[64];
	unsigned int i;
	__u64 off;

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ts - PG, PG, P_RW,
				 M_PRIV | M_FIXED, NULL));
	memset(buf, 7, sizeof(buf));
	EXPECT_EQ(32, mem_pwrite(self->fd, buf, 64, ts - 32));
	EXPECT_EQ(32, mem_pread(self->fd, buf, 64, ts - 32));
	for (i = 0; i < ARRAY_SIZE(past); i++) {
		off = past[i] < ts ? ts + past[i] : past[i];
		if (off >= 1ULL << 63)
			continue;
		EXPECT_EQ(-EIO, mem_pread(self->fd, buf, 64, off)) {
			TH_LOG("pread at %#llx", (unsigned long long)off);
		}
		EXPECT_EQ(-EIO, mem_pwrite(self->fd, buf, 64, off)) {
			TH_LOG("pwrite at %#llx", (unsigned long long)off);
		}
	}
	/* Negative offsets. */
	errno = 0;
	EXPECT_EQ(-1, pread(self->fd, buf, 1, -(off_t)PG));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, -1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, lseek(self->fd, -(off_t)PG, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ((off_t)(ts - 32), lseek(self->fd, ts - 32, SEEK_SET));
	errno = 0;
	EXPECT_EQ(-1, lseek(self->fd, -(off_t)ts, SEEK_CUR));
	EXPECT_EQ(EINVAL, errno);
	/* A failed lseek leaves the position. */
	EXPECT_EQ((off_t)(ts - 32), lseek(self->fd, 0, SEEK_CUR));
	EXPECT_EQ(32, read(self->fd, buf, 64));
	EXPECT_EQ((off_t)ts, lseek(self->fd, 0, SEEK_CUR));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, 64));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ((off_t)ts, lseek(self->fd, 0, SEEK_CUR));
}

/*
 * The same layout in this process and in aspace, for the calls a script
 * does not make: read/write at the file position, lseek, the vectored
 * calls.  rw private (2 pages) | r private | hole | rw shared | none
 */
#define L_BASE	ARENA_LOW

static int build_here(void)
{
	static const struct {
		__u64 off, len;
		int prot, flags;
	} m[] = {
		{ 0, PAGES(2), PROT_READ | PROT_WRITE, MAP_PRIVATE },
		{ PAGES(2), PG, PROT_READ, MAP_PRIVATE },
		{ PAGES(4), PG, PROT_READ | PROT_WRITE, MAP_SHARED },
		{ PAGES(5), PG, PROT_NONE, MAP_PRIVATE },
	};
	unsigned char buf[PG];
	unsigned int i;
	void *p;
	int mem;

	mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (mem < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		p = mmap((void *)(uintptr_t)(L_BASE + m[i].off), m[i].len,
			 m[i].prot, m[i].flags | MAP_ANONYMOUS |
			 MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			return -1;
	}
	for (i = 0; i < 6; i++) {
		if (i == 3)
			continue;
		gen_data(buf, L_BASE + PAGES(i), PG, 5);
		if (pwrite(mem, buf, PG, L_BASE + PAGES(i)) != PG)
			return -1;
	}
	return mem;
}

static int build_aspace(int fd)
{
	unsigned char buf[PG];
	unsigned int i;
	int ret;

	ret = aspace_mmap(fd, L_BASE, PAGES(3), P_RW, M_PRIV | M_FIXED, NULL);
	if (!ret)
		ret = aspace_mmap(fd, L_BASE + PAGES(4), PG, P_RW,
				  M_SHARED | M_FIXED, NULL);
	if (!ret)
		ret = aspace_mmap(fd, L_BASE + PAGES(5), PG, 0,
				  M_PRIV | M_FIXED, NULL);
	for (i = 0; i < 6 && !ret; i++) {
		if (i == 3)
			continue;
		gen_data(buf, L_BASE + PAGES(i), PG, 5);
		if (mem_pwrite(fd, buf, PG, L_BASE + PAGES(i)) != PG)
			ret = -EIO;
	}
	if (!ret)
		ret = aspace_mprotect(fd, L_BASE + PAGES(2), PG, P_R);
	return ret;
}

/* A call made on both descriptors: same result, same errno. */
#define BOTH(call_mem, call_asp) do {					\
	long long __a, __b;						\
	int __ea, __eb;							\
	errno = 0;							\
	__a = (call_mem);						\
	__ea = errno;							\
	errno = 0;							\
	__b = (call_asp);						\
	__eb = errno;							\
	EXPECT_EQ(__a, __b) {						\
		TH_LOG("%s", #call_asp);				\
	}								\
	if (__a < 0)							\
		EXPECT_EQ(__ea, __eb);					\
} while (0)

TEST_F(rw, file_position_and_vectors_like_proc_self_mem)
{
	static unsigned char a[PAGES(8)], b[PAGES(8)];
	struct iovec va[4], vb[4];
	int mem, fd = self->fd;
	unsigned int i;

	mem = build_here();
	ASSERT_LE(0, mem);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, build_aspace(fd));

	/* lseek and read/write at the position. */
	BOTH(lseek(mem, L_BASE + 100, SEEK_SET),
	     lseek(fd, L_BASE + 100, SEEK_SET));
	BOTH(read(mem, a, 300), read(fd, b, 300));
	EXPECT_EQ(0, memcmp(a, b, 300));
	BOTH(lseek(mem, 0, SEEK_CUR), lseek(fd, 0, SEEK_CUR));
	BOTH(lseek(mem, -50, SEEK_CUR), lseek(fd, -50, SEEK_CUR));
	/* Only SEEK_SET and SEEK_CUR, as mem_lseek(). */
	BOTH(lseek(mem, 0, SEEK_END), lseek(fd, 0, SEEK_END));
	BOTH(lseek(mem, L_BASE, SEEK_DATA), lseek(fd, L_BASE, SEEK_DATA));
	BOTH(lseek(mem, L_BASE, SEEK_HOLE), lseek(fd, L_BASE, SEEK_HOLE));
	BOTH(lseek(mem, 0, SEEK_CUR), lseek(fd, 0, SEEK_CUR));
	BOTH(write(mem, a, 1000), write(fd, a, 1000));
	BOTH(lseek(mem, 0, SEEK_CUR), lseek(fd, 0, SEEK_CUR));
	/* Across the read-only page into the hole: short, then EIO. */
	BOTH(lseek(mem, L_BASE + PAGES(3) - 10, SEEK_SET),
	     lseek(fd, L_BASE + PAGES(3) - 10, SEEK_SET));
	BOTH(read(mem, a, 100), read(fd, b, 100));
	EXPECT_EQ(0, memcmp(a, b, 10));
	BOTH(lseek(mem, 0, SEEK_CUR), lseek(fd, 0, SEEK_CUR));
	BOTH(read(mem, a, 100), read(fd, b, 100));
	BOTH(lseek(mem, 0, SEEK_CUR), lseek(fd, 0, SEEK_CUR));
	BOTH(lseek(mem, L_BASE + PAGES(2) - 10, SEEK_SET),
	     lseek(fd, L_BASE + PAGES(2) - 10, SEEK_SET));
	memset(a, 0x11, sizeof(a));
	BOTH(write(mem, a, PAGES(2)), write(fd, a, PAGES(2)));
	BOTH(lseek(mem, 0, SEEK_CUR), lseek(fd, 0, SEEK_CUR));

	/* Vectors: stop at the first unreachable byte. */
	for (i = 0; i < 4; i++) {
		va[i].iov_base = a + PAGES(2 * i);
		vb[i].iov_base = b + PAGES(2 * i);
		va[i].iov_len = i == 1 ? PG + 7 : 50 + i;
		vb[i].iov_len = va[i].iov_len;
	}
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	BOTH(preadv(mem, va, 4, L_BASE + PAGES(3) - PG - 60),
	     preadv(fd, vb, 4, L_BASE + PAGES(3) - PG - 60));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	BOTH(preadv(mem, va, 4, L_BASE + 5), preadv(fd, vb, 4, L_BASE + 5));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	BOTH(preadv(mem, va, 4, L_BASE + PAGES(3)),
	     preadv(fd, vb, 4, L_BASE + PAGES(3)));
	BOTH(preadv(mem, va, 4, L_BASE + PAGES(4) + 9),
	     preadv(fd, vb, 4, L_BASE + PAGES(4) + 9));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	for (i = 0; i < sizeof(a); i++)
		a[i] = (unsigned char)(i * 7);
	memcpy(b, a, sizeof(a));
	BOTH(pwritev(mem, va, 4, L_BASE + PAGES(2) - 77),
	     pwritev(fd, vb, 4, L_BASE + PAGES(2) - 77));
	BOTH(pwritev(mem, va, 4, L_BASE + PAGES(5) - 60),
	     pwritev(fd, vb, 4, L_BASE + PAGES(5) - 60));
	BOTH(lseek(mem, L_BASE + 33, SEEK_SET), lseek(fd, L_BASE + 33, SEEK_SET));
	BOTH(writev(mem, va, 4), writev(fd, vb, 4));
	BOTH(lseek(mem, 0, SEEK_CUR), lseek(fd, 0, SEEK_CUR));
	BOTH(readv(mem, va, 4), readv(fd, vb, 4));
	BOTH(lseek(mem, 0, SEEK_CUR), lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));

	/* Everything written the same way. */
	for (i = 0; i < 6; i++) {
		memset(a, 1, PG);
		memset(b, 2, PG);
		BOTH(pread(mem, a, PG, L_BASE + PAGES(i)),
		     pread(fd, b, PG, L_BASE + PAGES(i)));
		if (i != 3)
			EXPECT_EQ(0, memcmp(a, b, PG)) {
				TH_LOG("page %u differs", i);
			}
	}
	close(mem);
}

/* pread/pwrite with a pointer the compiler does not look at. */
static ssize_t raw_pread(int fd, __u64 buf, size_t n, __u64 off)
{
	return syscall(SYS_pread64, fd, buf, n, off);
}

static ssize_t raw_pwrite(int fd, __u64 buf, size_t n, __u64 off)
{
	return syscall(SYS_pwrite64, fd, buf, n, off);
}

/* A bad user buffer: EFAULT, as on /proc/self/mem. */
TEST_F(rw, bad_buffer_efault_like_proc_self_mem)
{
	int mem, fd = self->fd;
	unsigned char *guard;

	mem = build_here();
	ASSERT_LE(0, mem);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, build_aspace(fd));
	guard = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, guard);
	BOTH(raw_pread(mem, 0, 10, L_BASE), raw_pread(fd, 0, 10, L_BASE));
	BOTH(pread(mem, guard, 10, L_BASE), pread(fd, guard, 10, L_BASE));
	BOTH(pwrite(mem, guard, 10, L_BASE), pwrite(fd, guard, 10, L_BASE));
	BOTH(raw_pwrite(mem, 1, 10, L_BASE), raw_pwrite(fd, 1, 10, L_BASE));
	/* A kernel address as the buffer. */
	BOTH(raw_pread(mem, 0xffff888000000000ULL, 10, L_BASE),
	     raw_pread(fd, 0xffff888000000000ULL, 10, L_BASE));
	close(mem);
}

/*
 * The corners of a bad buffer: one that turns bad after its first page
 * (/proc/PID/mem returns EFAULT for the whole call: mem_rw() drops what
 * it copied), and a bad buffer with an unreachable address (EIO: the
 * memory is tried first).
 */
TEST_F(rw, bad_buffer_corners_like_proc_self_mem)
{
	int mem, fd = self->fd;
	unsigned char *two;

	mem = build_here();
	ASSERT_LE(0, mem);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, build_aspace(fd));
	two = mmap(NULL, PAGES(2), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, mprotect(two + PG, PG, PROT_NONE));
	BOTH(pread(mem, two, PAGES(2), L_BASE),
	     pread(fd, two, PAGES(2), L_BASE));
	BOTH(pread(mem, two + 100, PAGES(2), L_BASE),
	     pread(fd, two + 100, PAGES(2), L_BASE));
	BOTH(pwrite(mem, two, PAGES(2), L_BASE),
	     pwrite(fd, two, PAGES(2), L_BASE));
	BOTH(pread(mem, two + PG, 10, L_BASE + PAGES(3)),
	     pread(fd, two + PG, 10, L_BASE + PAGES(3)));
	close(mem);
}

/* The descriptor of another address space reads only its own memory. */
TEST_F(rw, each_descriptor_its_own_memory)
{
	unsigned char buf[16];
	int other;

	ASSERT_LE(0, self->fd);
	other = aspace_open(0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PG, P_RW,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_mmap(other, ARENA_LOW, PG, P_RW,
				 M_PRIV | M_FIXED, NULL));
	memset(buf, 0x42, sizeof(buf));
	ASSERT_EQ(16, mem_pwrite(self->fd, buf, 16, ARENA_LOW));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(16, mem_pread(other, buf, 16, ARENA_LOW));
	EXPECT_EQ(0, buf[0]);
	EXPECT_EQ(-EIO, mem_pread(other, buf, 16, ARENA_LOW + PG));
	close(other);
}

/* ------------------------------------------------------------------ */
/* What /proc/PID/mem does not show: pages, the zero page, counters. */

/*
 * Reading never-written private memory maps the zero page: zeros, no
 * data page, one zero-page map and one fault per page, whatever the
 * protection; reading it again changes nothing.
 */
TEST_F(rw, reading_untouched_private_maps_the_zero_page)
{
	static unsigned char buf[PAGES(4)];
	struct aspace_stats a, b;
	long long data;
	unsigned int i, k;

	ASSERT_LE(0, self->fd);
	for (k = 0; k < 8; k++) {
		ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW + PAGES(8 * k),
					 PAGES(4), prots[k], M_PRIV | M_FIXED,
					 NULL));
	}
	data = sysfs_pages_data();
	EXPECT_EQ(0, data);
	for (k = 0; k < 8; k++) {
		a = mem_stats(self->fd);
		memset(buf, 0xee, sizeof(buf));
		/* 3 pages, unaligned: pages 0, 1 and 2 of the mapping */
		EXPECT_EQ(PAGES(2) + 100,
			  mem_pread(self->fd, buf, PAGES(2) + 100,
				    ARENA_LOW + PAGES(8 * k) + 50));
		for (i = 0; i < PAGES(2) + 100; i++)
			ASSERT_EQ(0, buf[i]);
		b = mem_stats(self->fd);
		EXPECT_EQ(0, b.resident_pages);
		EXPECT_EQ(a.zero_page_maps + 3, b.zero_page_maps) {
			TH_LOG("prot %#x", prots[k]);
		}
		EXPECT_EQ(a.faults + 3, b.faults);
		EXPECT_EQ(a.cow_breaks, b.cow_breaks);
		EXPECT_EQ(data, sysfs_pages_data());
		/* Again: the zero page is mapped already. */
		EXPECT_EQ(PAGES(3), mem_pread(self->fd, buf, PAGES(3),
					      ARENA_LOW + PAGES(8 * k)));
		a = mem_stats(self->fd);
		EXPECT_EQ(b.zero_page_maps, a.zero_page_maps);
		EXPECT_EQ(b.faults, a.faults);
		EXPECT_EQ(0, a.resident_pages);
	}
	EXPECT_EQ(0, sysfs_pages_data());
}

/* Shared memory gets its page on the first read; no zero page. */
TEST_F(rw, reading_untouched_shared_allocates)
{
	struct aspace_stats a, b;
	unsigned char buf[PAGES(2)];
	unsigned int i;

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PAGES(4), P_R,
				 M_SHARED | M_FIXED, NULL));
	a = mem_stats(self->fd);
	memset(buf, 1, sizeof(buf));
	EXPECT_EQ(PAGES(2), mem_pread(self->fd, buf, PAGES(2), ARENA_LOW));
	for (i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]);
	b = mem_stats(self->fd);
	EXPECT_EQ(a.resident_pages + 2, b.resident_pages);
	EXPECT_EQ(a.zero_page_maps, b.zero_page_maps);
	EXPECT_EQ(a.faults + 2, b.faults);
	EXPECT_EQ(2, sysfs_pages_data());
}

/*
 * A pwrite into never-written (or zero-page) private memory allocates a
 * page: resident + 1, one fault, no copy-on-write break.
 */
TEST_F(rw, writing_untouched_private_allocates)
{
	struct aspace_stats a, b;
	unsigned char buf[8] = "abcdefg";

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PAGES(4), P_RW,
				 M_PRIV | M_FIXED, NULL));
	a = mem_stats(self->fd);
	EXPECT_EQ(8, mem_pwrite(self->fd, buf, 8, ARENA_LOW + PG - 4));
	b = mem_stats(self->fd);
	EXPECT_EQ(a.resident_pages + 2, b.resident_pages);
	EXPECT_EQ(a.faults + 2, b.faults);
	EXPECT_EQ(a.zero_page_maps, b.zero_page_maps);
	EXPECT_EQ(0, b.cow_breaks);
	EXPECT_EQ(2, sysfs_pages_data());
	/* Zero page first, then a write: replaced, not a COW break. */
	EXPECT_EQ(8, mem_pread(self->fd, buf, 8, ARENA_LOW + PAGES(3)));
	a = mem_stats(self->fd);
	EXPECT_EQ(b.zero_page_maps + 1, a.zero_page_maps);
	EXPECT_EQ(b.resident_pages, a.resident_pages);
	EXPECT_EQ(8, mem_pwrite(self->fd, "1234567", 8, ARENA_LOW + PAGES(3)));
	b = mem_stats(self->fd);
	EXPECT_EQ(a.resident_pages + 1, b.resident_pages);
	EXPECT_EQ(a.faults + 1, b.faults);
	EXPECT_EQ(a.zero_page_maps, b.zero_page_maps);
	EXPECT_EQ(0, b.cow_breaks);
	EXPECT_EQ(3, sysfs_pages_data());
	EXPECT_EQ(8, mem_pread(self->fd, buf, 8, ARENA_LOW + PAGES(3)));
	EXPECT_EQ(0, memcmp(buf, "1234567", 8));
	/* A write to a page already writable is no fault. */
	a = mem_stats(self->fd);
	EXPECT_EQ(8, mem_pwrite(self->fd, buf, 8, ARENA_LOW + 16));
	b = mem_stats(self->fd);
	EXPECT_EQ(a.faults, b.faults);
	EXPECT_EQ(a.resident_pages, b.resident_pages);
}

/*
 * A pwrite into a private read-only mapping makes a private page; the
 * mapping stays read-only: a simulated store still faults, a load sees
 * the data, the VMA is unchanged.
 */
TEST_F(rw, write_into_readonly_private_stays_readonly)
{
	struct aspace_access acc;
	struct aspace_query q;
	struct aspace_stats a, b;
	unsigned char buf[16];
	unsigned int k;

	ASSERT_LE(0, self->fd);
	for (k = 0; k < 3; k++) {
		/* never written, zero page, populated */
		const __u64 at = ARENA_LOW + PAGES(4 * k);

		ASSERT_EQ(0, aspace_mmap(self->fd, at, PG, k == 2 ? P_RW : P_R,
					 M_PRIV | M_FIXED |
					 (k == 2 ? M_POPULATE : 0), NULL));
		if (k == 1)
			ASSERT_EQ(16, mem_pread(self->fd, buf, 16, at));
		if (k == 2)
			ASSERT_EQ(0, aspace_mprotect(self->fd, at, PG, P_R));
		a = mem_stats(self->fd);
		EXPECT_EQ(16, mem_pwrite(self->fd, "read-only, once", 16,
					 at + 100));
		b = mem_stats(self->fd);
		EXPECT_EQ(a.resident_pages + (k < 2), b.resident_pages) {
			TH_LOG("case %u", k);
		}
		ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, at + 100,
					1, buf, &acc));
		EXPECT_EQ(SIGSEGV, acc.signo);
		EXPECT_EQ(SEGV_ACCERR, acc.si_code);
		EXPECT_EQ(at + 100, acc.fault_addr);
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_READ, at + 100,
					16, buf, &acc));
		EXPECT_EQ(0, acc.signo);
		EXPECT_EQ(0, memcmp(buf, "read-only, once", 16));
		ASSERT_EQ(0, aspace_query(self->fd, at, 0, &q));
		EXPECT_EQ(V_R, q.vma_flags);
		EXPECT_EQ(at, q.vma_start);
		EXPECT_EQ(at + PG, q.vma_end);
	}
}

/* A read-only MAP_SHARED mapping cannot be written: EIO, no change. */
TEST_F(rw, write_into_readonly_shared_eio)
{
	static struct asp_snap before;
	unsigned char buf[32];
	unsigned int i;

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PAGES(2), P_RW,
				 M_SHARED | M_FIXED, NULL));
	memset(buf, 0x33, sizeof(buf));
	ASSERT_EQ(32, mem_pwrite(self->fd, buf, 32, ARENA_LOW + PG - 16));
	ASSERT_EQ(0, aspace_mprotect(self->fd, ARENA_LOW + PG, PG, P_R));
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW + PAGES(2), PG, 0,
				 M_SHARED | M_FIXED, NULL));
	SNAP(self->fd, &before);
	memset(buf, 0x44, sizeof(buf));
	EXPECT_EQ(-EIO, mem_pwrite(self->fd, buf, 32, ARENA_LOW + PG));
	EXPECT_EQ(-EIO, mem_pwrite(self->fd, buf, 32, ARENA_LOW + PAGES(2)));
	EXPECT_UNCHANGED(self->fd, &before);
	EXPECT_EQ(16, mem_pwrite(self->fd, buf, 32, ARENA_LOW + PG - 16));
	ASSERT_EQ(32, mem_pread(self->fd, buf, 32, ARENA_LOW + PG - 16));
	for (i = 0; i < 32; i++)
		EXPECT_EQ(i < 16 ? 0x44 : 0x33, buf[i]);
}

TEST_HARNESS_MAIN
