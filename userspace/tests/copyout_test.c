// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests that every struct the module copies out is fully
 * initialised: no byte of it is left as the caller's buffer had it
 * unless it is an input the module keeps, reserved fields come back 0,
 * and nothing past min(size, the module's struct size) is written.
 *
 * Each ioctl that copies out (_IOWR) runs twice, on the same state, with
 * its buffer pre-filled with 0xA5 and then with 0x5A bytes, only the
 * size and the inputs it needs set (the same both times; reserved
 * fields 0, as they must be).  A byte the module writes is the same in
 * both runs; a byte it leaves keeps the pattern of each run.  So a byte
 * that is 0xA5 after the first run and 0x5A after the second was not
 * written: a leak of whatever the buffer held, which for a kernel buffer
 * would be kernel memory.  Every size is tried: the first version of the
 * struct, the current one, and a larger one with a zero tail.  The
 * introspection ioctls (TRANSLATE, PTDUMP, PAGESCAN) too, and the arrays
 * PTDUMP and PAGESCAN fill, element by element.
 */
#include <signal.h>
#include <stddef.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_introspect_util.h"

#define F		FIXED_AREA
#define BUF_SIZE	256
#define PAT_A		0xA5
#define PAT_B		0x5A

/* One input field: @len bytes at @off set to @val (little endian). */
struct in_field {
	unsigned int off;
	unsigned int len;
	__u64 val;
};

#define IN32(type, field, v)	{ offsetof(struct type, field), 4, (__u64)(v) }
#define IN64(type, field, v)	{ offsetof(struct type, field), 8, (__u64)(v) }
/* An input that is the pattern itself: the module must overwrite it. */
#define IN_PATTERN	(~0ULL)

struct copyout_case {
	const char *name;
	unsigned long cmd;
	unsigned int ksize;	/* the current struct */
	unsigned int min_size;	/* its first version */
	struct in_field in[12];
	unsigned int nr_in;
	/* Reserved fields, 0 on the way in and out: offsets of __u32s. */
	unsigned int zero[2];
	unsigned int nr_zero;
	/* Needs an address space of its own for each run (it changes it). */
	bool fresh;
};

static const struct copyout_case cases[] = {
	{
		.name = "HANDSHAKE", .cmd = ASPACE_IOC_HANDSHAKE,
		.ksize = sizeof(struct aspace_handshake),
		.min_size = sizeof(struct aspace_handshake),
		.in = { IN32(aspace_handshake, api_version, 1),
			IN64(aspace_handshake, reserved, 0) },
		.nr_in = 2,
	},
	{
		/* The hint is the pattern: far past the task size, ignored. */
		.name = "MMAP", .cmd = ASPACE_IOC_MMAP,
		.ksize = sizeof(struct aspace_mmap),
		.min_size = sizeof(struct aspace_mmap),
		.in = { IN32(aspace_mmap, prot, P_RW),
			IN32(aspace_mmap, flags, M_PRIV),
			IN64(aspace_mmap, length, PAGES(3)),
			IN64(aspace_mmap, addr, IN_PATTERN) },
		.nr_in = 4,
		.zero = { offsetof(struct aspace_mmap, reserved) },
		.nr_zero = 1,
		.fresh = true,
	},
	{
		/* A break far past everything fails: the old one comes back. */
		.name = "BRK", .cmd = ASPACE_IOC_BRK,
		.ksize = sizeof(struct aspace_brk),
		.min_size = sizeof(struct aspace_brk),
		.in = { IN64(aspace_brk, brk, IN_PATTERN) },
		.nr_in = 1,
		.zero = { offsetof(struct aspace_brk, reserved) },
		.nr_zero = 1,
	},
	{
		.name = "CLONE", .cmd = ASPACE_IOC_CLONE,
		.ksize = sizeof(struct aspace_clone),
		.min_size = sizeof(struct aspace_clone),
		.in = { IN32(aspace_clone, flags, 0) },
		.nr_in = 1,
		.zero = { offsetof(struct aspace_clone, reserved) },
		.nr_zero = 1,
	},
	{
		.name = "QUERY", .cmd = ASPACE_IOC_QUERY,
		.ksize = sizeof(struct aspace_query),
		.min_size = sizeof(struct aspace_query),
		.in = { IN32(aspace_query, query_flags,
			   ASPACE_QUERY_COVERING_OR_NEXT),
			IN64(aspace_query, query_addr, 0) },
		.nr_in = 2,
	},
	{
		.name = "QUERY (shared)", .cmd = ASPACE_IOC_QUERY,
		.ksize = sizeof(struct aspace_query),
		.min_size = sizeof(struct aspace_query),
		.in = { IN32(aspace_query, query_flags, 0),
			IN64(aspace_query, query_addr, F + PAGES(9)) },
		.nr_in = 2,
	},
	{
		.name = "GET_LAYOUT", .cmd = ASPACE_IOC_GET_LAYOUT,
		.ksize = sizeof(struct aspace_layout),
		.min_size = sizeof(struct aspace_layout),
	},
	{
		.name = "GET_LIMITS", .cmd = ASPACE_IOC_GET_LIMITS,
		.ksize = sizeof(struct aspace_limits),
		.min_size = offsetof(struct aspace_limits, stack_bytes),
		.zero = { offsetof(struct aspace_limits, reserved) },
		.nr_zero = 1,
	},
	{
		/* As root: with the frames and table addresses. */
		.name = "TRANSLATE", .cmd = ASPACE_IOC_TRANSLATE,
		.ksize = sizeof(struct aspace_translate),
		.min_size = sizeof(struct aspace_translate),
		.in = { IN32(aspace_translate, flags, 0),
			IN64(aspace_translate, addr, F) },
		.nr_in = 2,
		.zero = { offsetof(struct aspace_translate, reserved) },
		.nr_zero = 1,
	},
	{
		/* No array: the counts, walk_end and table pages only. */
		.name = "PTDUMP", .cmd = ASPACE_IOC_PTDUMP,
		.ksize = sizeof(struct aspace_ptdump),
		.min_size = sizeof(struct aspace_ptdump),
		.in = { IN32(aspace_ptdump, flags, 0),
			IN64(aspace_ptdump, start, 0),
			IN64(aspace_ptdump, end, F + PAGES(32)),
			IN64(aspace_ptdump, mask, 0),
			IN64(aspace_ptdump, vec, 0),
			IN64(aspace_ptdump, vec_len, 0) },
		.nr_in = 6,
	},
	{
		.name = "PAGESCAN", .cmd = ASPACE_IOC_PAGESCAN,
		.ksize = sizeof(struct aspace_pagescan),
		.min_size = sizeof(struct aspace_pagescan),
		.in = { IN32(aspace_pagescan, flags, 0),
			IN64(aspace_pagescan, start, F),
			IN64(aspace_pagescan, end, F + PAGES(32)),
			IN64(aspace_pagescan, vec, 0),
			IN64(aspace_pagescan, vec_len, 0),
			IN64(aspace_pagescan, max_pages, 0),
			IN64(aspace_pagescan, category_inverted, 0),
			IN64(aspace_pagescan, category_mask, 0),
			IN64(aspace_pagescan, category_anyof_mask, 0),
			IN64(aspace_pagescan, return_mask,
			     ASPACE_PAGE_CATEGORIES) },
		.nr_in = 10,
	},
	{
		.name = "STATS", .cmd = ASPACE_IOC_STATS,
		.ksize = sizeof(struct aspace_stats),
		.min_size = offsetof(struct aspace_stats, zero_page_maps),
		.zero = { offsetof(struct aspace_stats, reserved) },
		.nr_zero = 1,
	},
};

/* An address space with something in every counter and listing. */
static int make_state(void)
{
	int fd = aspace_open(0), nfd;

	if (fd < 0)
		return fd;
	if (aspace_mmap(fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED | M_POPULATE,
			NULL) ||
	    aspace_mmap(fd, F + PAGES(8), PAGES(4), P_RW,
			M_SHARED | M_FIXED | M_POPULATE, NULL) ||
	    aspace_mmap(fd, F + PAGES(16), PAGES(2), P_R,
			M_PRIV | M_FIXED | M_POPULATE, NULL) ||
	    set_brk(fd, DEF_HEAP_START + PAGES(2)) != DEF_HEAP_START + PAGES(2) ||
	    aspace_clone(fd, 0, &nfd)) {
		close(fd);
		return -1;
	}
	close(nfd);
	return fd;
}

static void set_field(unsigned char *buf, const struct in_field *f,
		      unsigned char pat)
{
	__u64 v = f->val;

	if (v == IN_PATTERN) {
		memset(buf + f->off, pat, f->len);
		return;
	}
	memcpy(buf + f->off, &v, f->len);	/* x86_64: little endian */
}

/*
 * One run of @c with the buffer pre-filled with @pat and @size in its
 * size field: 0, or the ioctl's errno.  A new descriptor a CLONE made is
 * closed again, so that both runs get the same number.
 */
static int run_case(const struct copyout_case *c, int fd, unsigned int size,
		    unsigned char pat, unsigned char *buf)
{
	unsigned int i;
	__s32 nfd;
	int ret;

	memset(buf, pat, BUF_SIZE);
	memcpy(buf, &size, sizeof(size));
	for (i = 0; i < c->nr_in; i++)
		set_field(buf, &c->in[i], pat);
	for (i = 0; i < c->nr_zero; i++)
		memset(buf + c->zero[i], 0, sizeof(__u32));
	if (size > c->ksize)
		memset(buf + c->ksize, 0, size - c->ksize);
	ret = aspace_ioctl(fd, c->cmd, buf);
	if (!ret && c->cmd == ASPACE_IOC_CLONE) {
		memcpy(&nfd, buf + offsetof(struct aspace_clone, fd),
		       sizeof(nfd));
		close(nfd);
	}
	return ret;
}

static void dump(const char *what, const unsigned char *b, unsigned int n)
{
	unsigned int i;

	fprintf(stderr, "# %s:", what);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 8 ? "" : " ", b[i]);
	fprintf(stderr, "\n");
}

/* Run @c twice at @size: is every byte it should write written? */
static bool check_case(const struct copyout_case *c, int shared_fd,
		       unsigned int size)
{
	static unsigned char a[BUF_SIZE], b[BUF_SIZE];
	unsigned int i, out = size < c->ksize ? size : c->ksize;
	int fd, ret[2];
	bool ok = true;

	fd = c->fresh ? make_state() : shared_fd;
	ret[0] = fd < 0 ? -EBADF : run_case(c, fd, size, PAT_A, a);
	if (c->fresh && fd >= 0)
		close(fd);
	fd = c->fresh ? make_state() : shared_fd;
	ret[1] = fd < 0 ? -EBADF : run_case(c, fd, size, PAT_B, b);
	if (c->fresh && fd >= 0)
		close(fd);
	if (ret[0] || ret[1]) {
		fprintf(stderr, "# %s size %u: %s / %s\n", c->name, size,
			strerror(-ret[0]), strerror(-ret[1]));
		return false;
	}
	for (i = 0; i < out; i++) {
		if (a[i] == PAT_A && b[i] == PAT_B) {
			fprintf(stderr, "# %s size %u: byte %u not written\n",
				c->name, size, i);
			ok = false;
		} else if (a[i] != b[i]) {
			fprintf(stderr,
				"# %s size %u: byte %u depends on the buffer\n",
				c->name, size, i);
			ok = false;
		}
	}
	/* The size field says which struct the module filled in. */
	if (memcmp(a, &c->ksize, sizeof(__u32))) {
		fprintf(stderr, "# %s size %u: size not %u\n", c->name, size,
			c->ksize);
		ok = false;
	}
	for (i = 0; i < c->nr_zero; i++) {
		static const __u32 zero;

		if (memcmp(a + c->zero[i], &zero, sizeof(zero))) {
			fprintf(stderr, "# %s: reserved at %u not 0\n",
				c->name, c->zero[i]);
			ok = false;
		}
	}
	/* Past what the caller asked for: untouched. */
	for (i = out; i < BUF_SIZE; i++) {
		unsigned char want = i < size ? 0 : PAT_A;

		if (a[i] != want) {
			fprintf(stderr, "# %s size %u: byte %u written\n",
				c->name, size, i);
			ok = false;
			break;
		}
	}
	if (!ok) {
		dump("0xA5 run", a, size > BUF_SIZE ? BUF_SIZE : size);
		dump("0x5A run", b, size > BUF_SIZE ? BUF_SIZE : size);
	}
	return ok;
}

FIXTURE(copyout) {
	int fd;
};

FIXTURE_SETUP(copyout)
{
	self->fd = make_state();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(copyout)
{
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_F(copyout, every_byte_written)
{
	unsigned int i;

	/* The first version, the current one, and a larger one. */
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_TRUE(check_case(&cases[i], self->fd,
				       cases[i].min_size));
		EXPECT_TRUE(check_case(&cases[i], self->fd, cases[i].ksize));
		EXPECT_TRUE(check_case(&cases[i], self->fd,
				       cases[i].ksize + 16));
	}
}

/*
 * ACCESS: its out fields must be 0 on the way in, so they cannot carry a
 * pattern; a fault and a clean access both set every one of them.
 */
TEST_F(copyout, access_out_fields)
{
	struct aspace_access a;
	char data[16];

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.kind = ASPACE_ACCESS_WRITE;
	a.addr = F + PAGES(4) - 8;
	a.length = 16;
	a.buf = (__u64)(unsigned long)data;
	memset(data, PAT_A, sizeof(data));
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_ACCESS, &a));
	EXPECT_EQ(sizeof(a), a.size);
	EXPECT_EQ(8, a.done);
	EXPECT_EQ(F + PAGES(4), a.fault_addr);
	EXPECT_EQ(SIGSEGV, a.signo);
	EXPECT_EQ(SEGV_MAPERR, a.si_code);

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.kind = ASPACE_ACCESS_READ;
	a.addr = F;
	a.length = 16;
	a.buf = (__u64)(unsigned long)data;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_ACCESS, &a));
	EXPECT_EQ(16, a.done);
	EXPECT_EQ(0, a.fault_addr);
	EXPECT_EQ(0, a.signo);
	EXPECT_EQ(0, a.si_code);
}

/*
 * The arrays of PTDUMP and PAGESCAN, filled in kernel memory and copied
 * out: every byte of every element reported is set (padding and reserved
 * fields included), and nothing past the last one is written.
 */
static bool check_vec(int fd, bool scan, unsigned char pat,
		      unsigned char *vec, size_t bytes, __u64 *nr)
{
	union {
		struct aspace_ptdump d;
		struct aspace_pagescan p;
	} u;
	size_t esize = scan ? sizeof(struct aspace_page_region) :
			      sizeof(struct aspace_ptdump_entry);

	memset(vec, pat, bytes);
	memset(&u, 0, sizeof(u));
	if (scan) {
		u.p.size = sizeof(u.p);
		u.p.start = F;
		u.p.end = F + PAGES(32);
		u.p.return_mask = ASPACE_PAGE_CATEGORIES;
		u.p.vec = (uintptr_t)vec;
		u.p.vec_len = bytes / esize;
		if (aspace_ioctl(fd, ASPACE_IOC_PAGESCAN, &u.p))
			return false;
		*nr = u.p.nr_regions;
	} else {
		u.d.size = sizeof(u.d);
		u.d.flags = ASPACE_PTDUMP_HOLES;
		u.d.end = F + PAGES(32);
		u.d.vec = (uintptr_t)vec;
		u.d.vec_len = bytes / esize;
		if (aspace_ioctl(fd, ASPACE_IOC_PTDUMP, &u.d))
			return false;
		*nr = u.d.nr_entries;
	}
	return *nr && *nr <= bytes / esize;
}

TEST_F(copyout, introspection_arrays)
{
	static unsigned char a[4096], b[4096];
	const size_t esizes[2] = {
		sizeof(struct aspace_ptdump_entry),
		sizeof(struct aspace_page_region),
	};
	__u64 na, nb;
	size_t i, n;
	int scan;

	for (scan = 0; scan < 2; scan++) {
		ASSERT_TRUE(check_vec(self->fd, scan, PAT_A, a, sizeof(a),
				      &na));
		ASSERT_TRUE(check_vec(self->fd, scan, PAT_B, b, sizeof(b),
				      &nb));
		ASSERT_EQ(na, nb);
		n = na * esizes[scan];
		for (i = 0; i < n; i++) {
			if (a[i] == PAT_A && b[i] == PAT_B)
				fprintf(stderr, "# %s: byte %zu not written\n",
					scan ? "PAGESCAN" : "PTDUMP", i);
			EXPECT_FALSE(a[i] == PAT_A && b[i] == PAT_B);
			EXPECT_EQ(a[i], b[i]);
		}
		/* Reserved fields of a PTDUMP entry: 0. */
		if (!scan) {
			struct aspace_ptdump_entry *e = (void *)a;

			for (i = 0; i < na; i++)
				EXPECT_EQ(0, e[i].reserved);
		}
		for (i = n; i < sizeof(a); i++)
			if (a[i] != PAT_A)
				break;
		EXPECT_EQ(sizeof(a), i);
	}
}

/* The ioctls that copy nothing out leave the caller's struct alone. */
TEST_F(copyout, write_only_ioctls_write_nothing)
{
	union {
		struct aspace_range r;
		struct aspace_layout l;
		struct aspace_limits lim;
		struct aspace_madvise m;
		unsigned char b[BUF_SIZE];
	} u, before;

	memset(&u, PAT_A, sizeof(u));
	u.r.size = sizeof(u.r);
	u.r.prot = 0;
	u.r.addr = F + PAGES(16);
	u.r.length = PG;
	before = u;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_MUNMAP, &u));
	EXPECT_EQ(0, memcmp(&before, &u, sizeof(u)));

	memset(&u, PAT_A, sizeof(u));
	u.r.size = sizeof(u.r);
	u.r.prot = P_R;
	u.r.addr = F;
	u.r.length = PG;
	before = u;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_MPROTECT, &u));
	EXPECT_EQ(0, memcmp(&before, &u, sizeof(u)));

	memset(&u, PAT_A, sizeof(u));
	u.m.size = sizeof(u.m);
	u.m.advice = MADV_DONTNEED;
	u.m.addr = F;
	u.m.length = PG;
	before = u;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_MADVISE, &u));
	EXPECT_EQ(0, memcmp(&before, &u, sizeof(u)));

	memset(&u, PAT_A, sizeof(u));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &u.lim));
	memset(u.b + sizeof(u.lim), PAT_A, sizeof(u) - sizeof(u.lim));
	before = u;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_SET_LIMITS, &u));
	EXPECT_EQ(0, memcmp(&before, &u, sizeof(u)));
}

TEST_HARNESS_MAIN
