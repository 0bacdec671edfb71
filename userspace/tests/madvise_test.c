// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_MADVISE against madvise(2) of the guest:
 * every layout is built in aspace and in a forked child of the test, the
 * same advice is given to both and the results must agree: the errno of
 * each call (holes, unaligned and empty ranges, overflows, protections
 * that do not fit, unknown advice), the memory afterwards (MADV_DONTNEED:
 * private memory reads zeros, shared keeps its data), the VMA layout with
 * its dc/wf flags as /proc/self/smaps shows it (splits and merges), and
 * what a clone gets after MADV_DONTFORK or MADV_WIPEONFORK, compared with
 * what fork() gives the child.
 *
 * Then what only aspace shows: pages and counters after MADV_DONTNEED and
 * MADV_POPULATE_*, and copy-on-write pages given up by a clone.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"

#define R	ASPACE_ACCESS_READ
#define W	ASPACE_ACCESS_WRITE

static const __u32 prots[8] = { 0, P_R, P_W, P_RW, P_X, P_RX, P_WX, P_RWX };

/* The advice aspace knows. */
static const __u32 advices[] = {
	MADV_DONTNEED, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
	MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK,
};

FIXTURE(ma) {
	int fd;
	bool la57;
	__u64 task_size;
	struct script *s;
	struct script_out *lx, *as;
};

FIXTURE_VARIANT(ma) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(ma, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(ma, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_SETUP(ma)
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

FIXTURE_TEARDOWN(ma)
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
	run_compare(_metadata, what, self->s, self->fd, false,		\
		    self->lx, self->as, NULL);				\
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
 * A bit of everything, 24 pages from @base:
 *   0-3 rw private written | 4 hole | 5-6 r private written |
 *   7-8 rw shared written | 9-10 none private written |
 *   11-12 rw private never touched | 13 hole | 14-15 r shared written |
 *   16-17 rwx private written | 18-23 rw private written
 */
static void add_mix(struct script *s, __u64 base)
{
	sc_map(s, base, PAGES(4), P_RW, M_PRIV, 1);
	sc_map(s, base + PAGES(5), PAGES(2), P_R, M_PRIV, 2);
	sc_map(s, base + PAGES(7), PAGES(2), P_RW, M_SHARED, 3);
	sc_map(s, base + PAGES(9), PAGES(2), 0, M_PRIV, 4);
	sc_map(s, base + PAGES(11), PAGES(2), P_RW, M_PRIV, 0);
	sc_map(s, base + PAGES(14), PAGES(2), P_R, M_SHARED, 5);
	sc_map(s, base + PAGES(16), PAGES(2), P_RWX, M_PRIV, 6);
	sc_map(s, base + PAGES(18), PAGES(6), P_RW, M_PRIV, 7);
}

#define MIX	PAGES(24)

TEST_F(ma, dontneed_like_linux)
{
	struct script *s = self->s;
	__u64 b[2], base;
	unsigned int i, n = bases(self->la57, b);

	for (i = 0; i < n; i++) {
		base = b[i];
		sc_arena(s, base, base + MIX);
		add_mix(s, base);
		sc_add(s, OP_MADVISE, base + PG, PAGES(2), MADV_DONTNEED, 0);
		sc_add(s, OP_MADVISE, base + PAGES(5), PAGES(2),
		       MADV_DONTNEED, 0);
		sc_add(s, OP_MADVISE, base + PAGES(7), PG + 1, MADV_DONTNEED,
		       0);
		sc_add(s, OP_MADVISE, base + PAGES(9), PAGES(4),
		       MADV_DONTNEED, 0);
		sc_add(s, OP_MADVISE, base + PAGES(14), PAGES(4),
		       MADV_DONTNEED, 0);
		sc_add(s, OP_MAPS, base, MIX, 0, 0);
		sc_read_back(s, base, MIX);
		/* Written again after it: a fresh page. */
		sc_add(s, OP_WRITE, base + PG + 5, 9, 8, 0);
		sc_add(s, OP_MADVISE, base + PAGES(18), PAGES(6),
		       MADV_DONTNEED, 0);
		sc_add(s, OP_WRITE, base + PAGES(20), PG, 9, 0);
		sc_read_back(s, base, MIX);
	}
	compare("MADV_DONTNEED");
}

/*
 * Over a hole Linux applies the advice to the VMAs around it, then says
 * ENOMEM; advice one VMA refuses stops there, after changing the VMAs
 * before it.  (Linux's madvise_walk_vmas(); the contract is Linux's.)
 */
TEST_F(ma, advice_over_a_hole_like_linux)
{
	struct script *s = self->s;
	const __u64 base = ARENA_LOW, step = MIX + PG;
	unsigned int i;

	sc_arena(s, base, base + step * 8);
	for (i = 0; i < ARRAY_SIZE(advices); i++)
		add_mix(s, base + step * i);
	for (i = 0; i < ARRAY_SIZE(advices); i++) {
		sc_add(s, OP_MADVISE, base + step * i + PAGES(2), PAGES(4),
		       advices[i], 0);
		sc_add(s, OP_MADVISE, base + step * i + PAGES(12), PAGES(8),
		       advices[i], 0);
	}
	sc_add(s, OP_MAPS, base, step * 7, 0, 0);
	sc_read_back(s, base, step * 7);
	compare("advice over a hole");
}

TEST_F(ma, advice_failing_partway_like_linux)
{
	struct script *s = self->s;
	const __u64 base = ARENA_LOW, step = MIX + PG;
	unsigned int i;

	sc_arena(s, base, base + step * 8);
	for (i = 0; i < ARRAY_SIZE(advices); i++)
		add_mix(s, base + step * i);
	for (i = 0; i < ARRAY_SIZE(advices); i++) {
		/* r private, rw shared, none, never touched */
		sc_add(s, OP_MADVISE, base + step * i + PAGES(6), PAGES(6),
		       advices[i], 0);
		/* rw private, then r private, the hole between */
		sc_add(s, OP_MADVISE, base + step * i + PAGES(14), PAGES(4),
		       advices[i], 0);
	}
	sc_add(s, OP_MAPS, base, step * 7, 0, 0);
	sc_read_back(s, base, step * 7);
	compare("advice failing part-way");
}

/*
 * The errno matrix: every advice (and some Linux does not know) on
 * every kind of range, as the guest's madvise() answers it.
 */
static void add_errnos(struct script *s, __u64 base, __u64 task_size)
{
	static const __u32 unknown[] = { 5, 6, 7, 26, 27, 99, 1000, 12345,
					 0x7fffffff, 0x80000000, 0xffffffff };
	const struct {
		__u64 off, len;
		bool abs;
	} r[] = {
		{ 0, PAGES(4), false },		/* a whole VMA */
		{ PG, PG, false },			/* its middle */
		{ 1, PG, false },			/* unaligned start */
		{ PG - 1, PG, false },
		{ 0, 0, false },			/* empty */
		{ 1, 0, false },			/* empty, unaligned */
		{ PAGES(4), 0, false },		/* empty, in a hole */
		{ 0, PG + 1, false },			/* length rounded up */
		{ 0, PAGES(5), false },		/* into the hole */
		{ PAGES(4), PG, false },		/* the hole */
		{ PAGES(3), PAGES(4), false },		/* across the hole */
		{ PAGES(5), PAGES(2), false },		/* r private */
		{ PAGES(7), PAGES(2), false },		/* rw shared */
		{ PAGES(9), PAGES(2), false },		/* none */
		{ PAGES(11), PAGES(2), false },	/* never touched */
		{ PAGES(14), PAGES(2), false },	/* r shared */
		{ PAGES(16), PAGES(2), false },	/* rwx */
		{ PAGES(5), PAGES(6), false },		/* r, rw shared, none */
		{ PAGES(14), PAGES(10), false },	/* r shared .. the end */
		{ PAGES(24), PG, false },		/* after everything */
		{ 0, -PG, false },			/* the end wraps */
		{ 0, -1ULL, false },			/* rounds up to 0 */
		{ 0, -PAGES(2) + 1, false },
		/*
		 * Huge, but short of the child's own memory (the ranges are
		 * only comparable where both have the same mappings).
		 */
		{ PG, 1ULL << 40, false },
		{ 0, 1ULL << 39, false },
		{ 1ULL << 47, 1ULL << 62, true },
		{ 1ULL << 47, -(1ULL << 47) - PG, true },
		{ task_size - PG, PAGES(2), true },
		{ task_size, PG, true },
		{ 1ULL << 47, PG, true },
		{ 1ULL << 60, PG, true },
		{ -PAGES(2), PG, true },	/* a kernel address */
		{ 0, PG, true },		/* address 0 */
	};
	unsigned int i, j;
	__u64 a;

	for (i = 0; i < ARRAY_SIZE(advices); i++) {
		for (j = 0; j < ARRAY_SIZE(r); j++) {
			a = r[j].abs ? r[j].off : base + r[j].off;
			sc_add(s, OP_MADVISE, a, r[j].len, advices[i], 0);
		}
	}
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		sc_add(s, OP_MADVISE, base, PG, unknown[i], 0);
		sc_add(s, OP_MADVISE, base + 1, 0, unknown[i], 0);
		sc_add(s, OP_MADVISE, base + PAGES(4), PG, unknown[i], 0);
	}
}

TEST_F(ma, errnos_like_linux)
{
	__u64 b[2];
	unsigned int i, n = bases(self->la57, b);

	for (i = 0; i < n; i++) {
		sc_arena(self->s, b[i], b[i] + MIX);
		add_mix(self->s, b[i]);
		add_errnos(self->s, b[i], self->task_size);
	}
	compare("errnos");
}

/* MADV_POPULATE_* on every protection, private and shared. */
TEST_F(ma, populate_every_protection_like_linux)
{
	struct script *s = self->s;
	const __u64 base = ARENA_LOW;
	unsigned int i;
	__u64 a;

	sc_arena(s, base, base + PAGES(64));
	for (i = 0; i < 16; i++) {
		a = base + PAGES(4 * i);
		sc_map(s, a, PAGES(2), prots[i % 8], i < 8 ? M_PRIV : M_SHARED,
		       i % 3 ? 0 : 40 + i);
		sc_add(s, OP_MADVISE, a, PAGES(2), MADV_POPULATE_READ, 0);
		sc_add(s, OP_MADVISE, a, PAGES(2), MADV_POPULATE_WRITE, 0);
		sc_add(s, OP_MADVISE, a + PG, PAGES(2), MADV_POPULATE_READ,
		       0);
		sc_add(s, OP_MADVISE, a + PG, PAGES(3), MADV_POPULATE_WRITE,
		       0);
	}
	sc_add(s, OP_MAPS, base, PAGES(64), 0, 0);
	sc_read_back(s, base, PAGES(64));
	compare("MADV_POPULATE");
}

/*
 * VMAs split and merge as Linux's: dc and wf on parts of mappings and
 * back, on memory never touched and written, with mprotect in between.
 */
static void add_split_merge(struct script *s, __u64 base, __u32 seed)
{
	const __u64 len = PAGES(16);

	sc_map(s, base, len, P_RW, M_PRIV, seed);
	sc_map(s, base + len + PG, PAGES(4), P_RW, M_SHARED, seed);
	sc_add(s, OP_MADVISE, base + PAGES(2), PAGES(4), MADV_DONTFORK, 0);
	sc_add(s, OP_MAPS, base, PAGES(24), 0, 0);
	sc_add(s, OP_MADVISE, base + PAGES(4), PAGES(6), MADV_WIPEONFORK, 0);
	sc_add(s, OP_MAPS, base, PAGES(24), 0, 0);
	sc_add(s, OP_MADVISE, base + PAGES(2), PAGES(2), MADV_DOFORK, 0);
	sc_add(s, OP_MAPS, base, PAGES(24), 0, 0);
	sc_add(s, OP_MPROTECT, base + PAGES(8), PAGES(4), P_R, 0);
	sc_add(s, OP_MAPS, base, PAGES(24), 0, 0);
	sc_add(s, OP_MADVISE, base + PAGES(4), PAGES(6), MADV_KEEPONFORK, 0);
	sc_add(s, OP_MAPS, base, PAGES(24), 0, 0);
	sc_add(s, OP_MADVISE, base + PAGES(4), PAGES(2), MADV_DOFORK, 0);
	sc_add(s, OP_MAPS, base, PAGES(24), 0, 0);
	sc_add(s, OP_MPROTECT, base + PAGES(8), PAGES(4), P_RW, 0);
	sc_add(s, OP_MAPS, base, PAGES(24), 0, 0);
	/* Everything already as asked: nothing to split. */
	sc_add(s, OP_MADVISE, base + PG, PG, MADV_DOFORK, 0);
	sc_add(s, OP_MADVISE, base + PG, PG, MADV_KEEPONFORK, 0);
	sc_add(s, OP_MAPS, base, PAGES(24), 0, 0);
	/* Both flags on one part, and the shared mapping. */
	sc_add(s, OP_MADVISE, base + PAGES(14), PAGES(2), MADV_DONTFORK, 0);
	sc_add(s, OP_MADVISE, base + PAGES(14), PAGES(2), MADV_WIPEONFORK, 0);
	sc_add(s, OP_MADVISE, base + len + PAGES(2), PG, MADV_DONTFORK, 0);
	sc_add(s, OP_MADVISE, base + len + PAGES(2), PG, MADV_WIPEONFORK, 0);
	sc_add(s, OP_MAPS, base, PAGES(24), 0, 0);
	sc_add(s, OP_MADVISE, base, len, MADV_DOFORK, 0);
	sc_add(s, OP_MADVISE, base, len, MADV_KEEPONFORK, 0);
	sc_add(s, OP_MADVISE, base + len + PG, PAGES(4), MADV_DOFORK, 0);
	sc_add(s, OP_MAPS, base, PAGES(24), 0, 0);
}

TEST_F(ma, vmas_split_and_merge_like_linux)
{
	__u64 b[2];
	unsigned int i, n = bases(self->la57, b);

	for (i = 0; i < n; i++) {
		sc_arena(self->s, b[i], b[i] + PAGES(64));
		add_split_merge(self->s, b[i], 0);
		add_split_merge(self->s, b[i] + PAGES(32), 9);
	}
	compare("split and merge");
}

/*
 * What a clone gets, as fork() gives the child: no VMA where
 * MADV_DONTFORK was given, zeros where MADV_WIPEONFORK was (and the flag
 * kept, so a clone of the clone is wiped again), the rest copied; shared
 * memory still shared.
 */
static void add_fork(struct script *s, __u64 base, __u32 clone_flags)
{
	add_mix(s, base);
	sc_add(s, OP_MADVISE, base + PG, PAGES(2), MADV_DONTFORK, 0);
	sc_add(s, OP_MADVISE, base + PAGES(7), PG, MADV_DONTFORK, 0);
	sc_add(s, OP_MADVISE, base + PAGES(16), PAGES(2), MADV_DONTFORK, 0);
	sc_add(s, OP_MADVISE, base + PAGES(18), PAGES(3), MADV_WIPEONFORK,
	       0);
	sc_add(s, OP_MADVISE, base + PAGES(11), PG, MADV_WIPEONFORK, 0);
	sc_add(s, OP_MADVISE, base + PAGES(5), PAGES(2), MADV_WIPEONFORK, 0);
	sc_add(s, OP_MADVISE, base + PAGES(9), PAGES(2), MADV_WIPEONFORK, 0);
	sc_add(s, OP_MAPS, base, MIX, 0, 0);
	sc_add(s, OP_CLONE, 0, 0, clone_flags, 0);
	sc_add(s, OP_MAPS, base, MIX, 0, 0);
	sc_read_back(s, base, MIX);
	/* The clone writes everywhere it can, and clones again. */
	sc_add(s, OP_WRITE, base, MIX, 10, 0);
	sc_add(s, OP_PWRITE, base + PAGES(5), PAGES(2), 11, 0);
	sc_add(s, OP_WRITE, base + PAGES(18), PAGES(6), 12, 0);
	sc_add(s, OP_CLONE, 0, 0, clone_flags, 0);
	sc_add(s, OP_MAPS, base, MIX, 0, 0);
	sc_read_back(s, base, MIX);
	/*
	 * A VMA mapped in the clone over a DONTFORK hole forks normally.
	 * (Read-only: a read-write one would meet neighbours that Linux
	 * does not merge after a fork, a documented difference.)
	 */
	sc_map(s, base + PG, PAGES(2), P_R, M_PRIV, 13);
	sc_add(s, OP_MADVISE, base + PAGES(19), PG, MADV_KEEPONFORK, 0);
	sc_add(s, OP_CLONE, 0, 0, clone_flags, 0);
	sc_add(s, OP_MAPS, base, MIX, 0, 0);
	sc_read_back(s, base, MIX);
}

TEST_F(ma, clone_gets_what_fork_gives)
{
	__u64 b[2];
	unsigned int i, n = bases(self->la57, b);

	for (i = 0; i < n; i++) {
		sc_arena(self->s, b[i], b[i] + MIX);
		add_fork(self->s, b[i], 0);
	}
	compare("clone after DONTFORK/WIPEONFORK");
}

TEST_F(ma, eager_clone_gets_what_fork_gives)
{
	__u64 b[2];
	unsigned int i, n = bases(self->la57, b);

	for (i = 0; i < n; i++) {
		sc_arena(self->s, b[i], b[i] + MIX);
		add_fork(self->s, b[i], ASPACE_CLONE_EAGER);
	}
	compare("eager clone after DONTFORK/WIPEONFORK");
}

/* Advice Linux knows but aspace does not take: EINVAL, no change. */
TEST_F(ma, advice_outside_the_list_einval)
{
	static const __u32 other[] = { 8 /* FREE */, 9 /* REMOVE */, 20 /* COLD */,
				       21 /* PAGEOUT */, 100 /* HWPOISON */,
				       101 /* SOFT_OFFLINE */,
				       25 /* COLLAPSE */ };
	static struct asp_snap before;
	unsigned int i;

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PAGES(4), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	SNAP(self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(other); i++) {
		EXPECT_EQ(-EINVAL, mem_madvise(self->fd, ARENA_LOW, PAGES(4),
					       other[i])) {
			TH_LOG("advice %u", other[i]);
		}
	}
	EXPECT_UNCHANGED(self->fd, &before);
}

/* ------------------------------------------------------------------ */
/* Pages and counters */

#define MOVED(a, b, res, flt, zero, cow)				\
	EXPECT_TRUE(stats_moved(&(a), &(b), res, flt, zero, cow))

/*
 * MADV_DONTNEED frees private pages (resident and the module's pages
 * drop; the next read maps the zero page) and unmaps shared ones (their
 * data stays in the shared object: the next read finds it).
 */
TEST_F(ma, dontneed_frees_private_pages_keeps_shared_data)
{
	const __u64 f = ARENA_LOW;
	struct aspace_stats a, b;
	unsigned char buf[16];

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(4), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(4), PAGES(2), P_RW,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	memset(buf, 0x61, sizeof(buf));
	ASSERT_EQ(16, mem_pwrite(self->fd, buf, 16, f + PG));
	ASSERT_EQ(16, mem_pwrite(self->fd, buf, 16, f + PAGES(4)));
	EXPECT_EQ(6, sysfs_pages_data());
	a = mem_stats(self->fd);
	ASSERT_EQ(0, mem_madvise(self->fd, f, PAGES(2), MADV_DONTNEED));
	b = mem_stats(self->fd);
	MOVED(a, b, -2, 0, 0, 0);
	EXPECT_EQ(4, sysfs_pages_data());
	ASSERT_EQ(0, mem_access(self->fd, R, f + PG, 16, buf, NULL));
	EXPECT_EQ(0, buf[0]);
	a = mem_stats(self->fd);
	MOVED(b, a, 0, 1, 1, 0);
	/* Shared: unmapped here, kept in the object. */
	ASSERT_EQ(0, mem_madvise(self->fd, f + PAGES(4), PAGES(2),
				 MADV_DONTNEED));
	b = mem_stats(self->fd);
	MOVED(a, b, -2, 0, 0, 0);
	EXPECT_EQ(4, sysfs_pages_data());
	ASSERT_EQ(0, mem_access(self->fd, R, f + PAGES(4), 16, buf, NULL));
	EXPECT_EQ(0x61, buf[0]);
	a = mem_stats(self->fd);
	MOVED(b, a, 1, 1, 0, 0);
	EXPECT_EQ(4, sysfs_pages_data());
	/* The zero page and never-touched memory: nothing to free. */
	ASSERT_EQ(0, mem_madvise(self->fd, f, PAGES(2), MADV_DONTNEED));
	b = mem_stats(self->fd);
	MOVED(a, b, 0, 0, 0, 0);
	EXPECT_EQ(4, sysfs_pages_data());
}

/*
 * MADV_DONTNEED in a clone gives up its share of copy-on-write pages:
 * the clone reads zeros, the source keeps its data and, alone with the
 * page now, writes it without a copy.
 */
TEST_F(ma, dontneed_in_a_clone_gives_up_shared_pages)
{
	const __u64 f = ARENA_LOW;
	struct aspace_stats a, b;
	unsigned char buf[16];
	int c;

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(4), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	memset(buf, 0x71, sizeof(buf));
	ASSERT_EQ(16, mem_pwrite(self->fd, buf, 16, f));
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &c));
	EXPECT_EQ(4, sysfs_pages_data());
	ASSERT_EQ(0, mem_madvise(c, f, PAGES(2), MADV_DONTNEED));
	EXPECT_EQ(4, sysfs_pages_data());
	a = mem_stats(self->fd);
	EXPECT_EQ(2, a.shared_pages);
	EXPECT_EQ(2, mem_stats(c).resident_pages);
	ASSERT_EQ(16, mem_pread(c, buf, 16, f));
	EXPECT_EQ(0, buf[0]);
	ASSERT_EQ(16, mem_pread(self->fd, buf, 16, f));
	EXPECT_EQ(0x71, buf[0]);
	ASSERT_EQ(0, mem_access(self->fd, W, f, PAGES(2), NULL, NULL));
	b = mem_stats(self->fd);
	MOVED(a, b, 0, 2, 0, 0);
	EXPECT_EQ(4, sysfs_pages_data());
	close(c);
}

/* The clone of a WIPEONFORK range: no page at all until touched. */
TEST_F(ma, wiped_range_costs_the_clone_nothing)
{
	const __u64 f = ARENA_LOW;
	struct aspace_query q;
	struct aspace_stats st;
	int c, e;

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(8), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, mem_madvise(self->fd, f, PAGES(6), MADV_WIPEONFORK));
	ASSERT_EQ(0, mem_madvise(self->fd, f + PAGES(6), PAGES(2),
				 MADV_DONTFORK));
	ASSERT_EQ(0, aspace_query(self->fd, f, 0, &q));
	EXPECT_EQ(V_RW | V_WF, q.vma_flags);
	EXPECT_EQ(f + PAGES(6), q.vma_end);
	ASSERT_EQ(0, aspace_query(self->fd, f + PAGES(6), 0, &q));
	EXPECT_EQ(V_RW | V_DC, q.vma_flags);
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &c));
	ASSERT_EQ(0, aspace_clone(self->fd, ASPACE_CLONE_EAGER, &e));
	st = mem_stats(c);
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_EQ(1, st.nr_vmas);
	EXPECT_EQ(PAGES(6), st.mapped_bytes);
	st = mem_stats(e);
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_EQ(8, sysfs_pages_data());
	ASSERT_EQ(0, aspace_query(c, f, 0, &q));
	EXPECT_EQ(V_RW | V_WF, q.vma_flags);
	EXPECT_EQ(-ENOENT, aspace_query(c, f + PAGES(6), 0, &q));
	close(c);
	close(e);
}

TEST_HARNESS_MAIN
