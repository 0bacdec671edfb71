// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of the copy-on-write clone: private pages are shared
 * read-only by the two address spaces and copied on the first write by
 * either side (cow_breaks + 1), a page no longer shared is reused (no
 * copy), the zero page is never copied, ASPACE_CLONE_EAGER copies at
 * once, MAP_SHARED memory stays shared (also pages first touched after
 * the clone), and mprotect never makes a shared page writable in place.
 *
 * A reference model follows chains (A -> B -> C) and trees (A -> B,
 * A -> C) of clones, in both modes, closed in every order, with writes at
 * every step: the contents of every descriptor, and its resident_pages,
 * shared_pages and cow_breaks, and the module's data pages, must be what
 * the model says after every step; and once all are closed the module
 * holds nothing.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"

#define F	ARENA_LOW
#define R	ASPACE_ACCESS_READ
#define W	ASPACE_ACCESS_WRITE

#define MOVED(a, b, res, flt, zero, cow)				\
	EXPECT_TRUE(stats_moved(&(a), &(b), res, flt, zero, cow))

FIXTURE(cow) {
	int fd;
	bool la57;
	__u64 far;
};

FIXTURE_VARIANT(cow) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(cow, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(cow, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_SETUP(cow)
{
	self->la57 = variant->layout & ASPACE_LAYOUT_LA57;
	self->far = self->la57 ? ARENA_HIGH : 0x700000000000ULL;
	self->fd = open_layout(variant->layout);
	ASSERT_LE(0, self->fd);
}

static void model_close_all(void);

FIXTURE_TEARDOWN(cow)
{
	if (self->fd >= 0)
		close(self->fd);
	/* What a failed model run left open. */
	model_close_all();
	EXPECT_ALL_COUNTERS_ZERO();
}

/* A write through ACCESS or pwrite; true if it wrote everything. */
static bool put(int fd, bool access, __u64 addr, __u64 len, __u32 seed)
{
	static unsigned char buf[PAGES(16)];
	struct aspace_access a;

	gen_data(buf, addr, len, seed);
	if (!access)
		return mem_pwrite(fd, buf, len, addr) == (long long)len;
	return !mem_access(fd, W, addr, len, buf, &a) && !a.signo;
}

/* Does [addr, addr + len) of @fd hold gen_data(seed)? */
static bool holds(int fd, __u64 addr, __u64 len, __u32 seed)
{
	static unsigned char want[PAGES(16)], got[PAGES(16)];

	gen_data(want, addr, len, seed);
	if (mem_pread(fd, got, len, addr) != (long long)len)
		return false;
	return !memcmp(want, got, len);
}

static bool zeros(int fd, __u64 addr, __u64 len)
{
	static unsigned char got[PAGES(16)];
	__u64 i;

	if (mem_pread(fd, got, len, addr) != (long long)len)
		return false;
	for (i = 0; i < len; i++)
		if (got[i])
			return false;
	return true;
}

TEST_F(cow, private_pages_shared_until_written)
{
	struct aspace_stats a0, a1, b0, b1;
	int b;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(8), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_TRUE(put(self->fd, false, F, PAGES(8), 1));
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &b));
	a0 = mem_stats(self->fd);
	b0 = mem_stats(b);
	EXPECT_EQ(8, sysfs_pages_data());
	EXPECT_EQ(8, a0.resident_pages);
	EXPECT_EQ(8, b0.resident_pages);
	EXPECT_EQ(8, a0.shared_pages);
	EXPECT_EQ(8, b0.shared_pages);
	EXPECT_TRUE(holds(b, F, PAGES(8), 1));

	/* The clone writes page 0: a copy, in the clone only. */
	ASSERT_TRUE(put(b, true, F + 10, 20, 2));
	b1 = mem_stats(b);
	a1 = mem_stats(self->fd);
	MOVED(b0, b1, 0, 1, 0, 1);
	MOVED(a0, a1, 0, 0, 0, 0);
	EXPECT_EQ(7, b1.shared_pages);
	EXPECT_EQ(7, a1.shared_pages);
	EXPECT_EQ(9, sysfs_pages_data());
	EXPECT_TRUE(holds(self->fd, F, PG, 1));
	EXPECT_TRUE(holds(b, F + 10, 20, 2));
	EXPECT_TRUE(holds(b, F + 30, PG - 30, 1));

	/* The source writes page 0: no longer shared, reused. */
	ASSERT_TRUE(put(self->fd, true, F, 8, 3));
	a0 = mem_stats(self->fd);
	MOVED(a1, a0, 0, 1, 0, 0);
	EXPECT_EQ(9, sysfs_pages_data());
	/* The source writes page 1 (shared): copied, by the source. */
	ASSERT_TRUE(put(self->fd, true, F + PG, 8, 4));
	a1 = mem_stats(self->fd);
	MOVED(a0, a1, 0, 1, 0, 1);
	EXPECT_EQ(10, sysfs_pages_data());
	EXPECT_EQ(6, a1.shared_pages);
	/* And the clone's page 1 is its own now: reused. */
	b0 = mem_stats(b);
	ASSERT_TRUE(put(b, true, F + PG, 8, 5));
	b1 = mem_stats(b);
	MOVED(b0, b1, 0, 1, 0, 0);
	EXPECT_EQ(10, sysfs_pages_data());
	EXPECT_TRUE(holds(self->fd, F, 8, 3));
	EXPECT_TRUE(holds(self->fd, F + PG, 8, 4));
	EXPECT_TRUE(holds(b, F + PG, 8, 5));
	EXPECT_TRUE(holds(b, F + PAGES(2), PAGES(6), 1));
	EXPECT_TRUE(holds(self->fd, F + PAGES(2), PAGES(6), 1));
	/* A pwrite breaks the sharing as a store does. */
	ASSERT_TRUE(put(b, false, F + PAGES(7), 8, 6));
	b0 = mem_stats(b);
	MOVED(b1, b0, 0, 1, 0, 1);
	EXPECT_TRUE(holds(self->fd, F + PAGES(7), 8, 1));
	close(b);
}

/* Closing the clone leaves the pages to the source: no copies. */
TEST_F(cow, closing_the_clone_ends_the_sharing)
{
	struct aspace_stats a0, a1;
	int b;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_TRUE(put(self->fd, false, F, PAGES(4), 1));
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &b));
	close(b);
	a0 = mem_stats(self->fd);
	EXPECT_EQ(0, a0.shared_pages);
	EXPECT_EQ(4, sysfs_pages_data());
	ASSERT_TRUE(put(self->fd, true, F, PAGES(4), 2));
	a1 = mem_stats(self->fd);
	MOVED(a0, a1, 0, 4, 0, 0);
	EXPECT_EQ(4, sysfs_pages_data());
	/* The same when the source goes first. */
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &b));
	close(self->fd);
	self->fd = b;
	a0 = mem_stats(b);
	EXPECT_EQ(0, a0.shared_pages);
	EXPECT_EQ(4, sysfs_pages_data());
	ASSERT_TRUE(put(b, true, F, PAGES(4), 3));
	a1 = mem_stats(b);
	MOVED(a0, a1, 0, 4, 0, 0);
	EXPECT_TRUE(holds(b, F, PAGES(4), 3));
}

/* Unmapping in the clone ends the sharing of those pages. */
TEST_F(cow, munmap_in_the_clone_ends_the_sharing)
{
	struct aspace_stats a0, a1;
	int b;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_TRUE(put(self->fd, false, F, PAGES(4), 1));
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &b));
	ASSERT_EQ(0, aspace_munmap(b, F, PAGES(2)));
	a0 = mem_stats(self->fd);
	EXPECT_EQ(2, a0.shared_pages);
	ASSERT_TRUE(put(self->fd, true, F, PAGES(2), 2));
	a1 = mem_stats(self->fd);
	MOVED(a0, a1, 0, 2, 0, 0);
	EXPECT_EQ(4, sysfs_pages_data());
	ASSERT_TRUE(put(self->fd, true, F + PAGES(2), PAGES(2), 2));
	a0 = mem_stats(self->fd);
	MOVED(a1, a0, 0, 2, 0, 2);
	EXPECT_EQ(6, sysfs_pages_data());
	EXPECT_TRUE(holds(b, F + PAGES(2), PAGES(2), 1));
	close(b);
}

TEST_F(cow, eager_clone_copies_at_once)
{
	struct aspace_stats a0, a1, b0, b1;
	int b;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(4), PAGES(2), P_RW,
				 M_SHARED | M_FIXED, NULL));
	ASSERT_TRUE(put(self->fd, false, F, PAGES(6), 1));
	ASSERT_EQ(0, aspace_clone(self->fd, ASPACE_CLONE_EAGER, &b));
	EXPECT_EQ(10, sysfs_pages_data());
	a0 = mem_stats(self->fd);
	b0 = mem_stats(b);
	EXPECT_EQ(6, a0.resident_pages);
	EXPECT_EQ(6, b0.resident_pages);
	/* Only the MAP_SHARED pages are mapped by both. */
	EXPECT_EQ(2, a0.shared_pages);
	EXPECT_EQ(2, b0.shared_pages);
	ASSERT_TRUE(put(b, true, F, PAGES(4), 2));
	ASSERT_TRUE(put(self->fd, true, F + 5, PAGES(3), 3));
	a1 = mem_stats(self->fd);
	b1 = mem_stats(b);
	MOVED(a0, a1, 0, ANY, 0, 0);
	MOVED(b0, b1, 0, ANY, 0, 0);
	EXPECT_EQ(10, sysfs_pages_data());
	EXPECT_TRUE(holds(b, F, PAGES(4), 2));
	EXPECT_TRUE(holds(self->fd, F + 5, PAGES(3), 3));
	EXPECT_TRUE(holds(self->fd, F, 5, 1));
	/* The shared pages: one copy, seen by both. */
	ASSERT_TRUE(put(b, true, F + PAGES(4), PAGES(2), 4));
	EXPECT_TRUE(holds(self->fd, F + PAGES(4), PAGES(2), 4));
	close(b);
}

/* The zero page is never copied: replacing it is no COW break. */
TEST_F(cow, zero_page_is_not_copied)
{
	struct aspace_stats a0, a1, b0, b1;
	int b;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, mem_access(self->fd, R, F, PAGES(2), NULL, NULL));
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &b));
	a0 = mem_stats(self->fd);
	b0 = mem_stats(b);
	EXPECT_EQ(0, a0.resident_pages);
	EXPECT_EQ(0, b0.resident_pages);
	EXPECT_EQ(0, a0.shared_pages);
	EXPECT_EQ(0, sysfs_pages_data());
	ASSERT_TRUE(put(b, true, F, 8, 1));
	ASSERT_TRUE(put(b, true, F + PAGES(3), 8, 1));
	b1 = mem_stats(b);
	MOVED(b0, b1, 2, 2, 0, 0);
	EXPECT_EQ(2, sysfs_pages_data());
	EXPECT_TRUE(zeros(self->fd, F, PAGES(4)));
	ASSERT_TRUE(put(self->fd, true, F + PG, 8, 2));
	a1 = mem_stats(self->fd);
	MOVED(a0, a1, 1, ANY, ANY, 0);
	EXPECT_TRUE(zeros(b, F + PG, PG));
	EXPECT_EQ(0, a1.shared_pages);
	close(b);
}

/*
 * MAP_SHARED memory stays shared after the clone, in both modes: a write
 * through either is seen by both, also on pages first touched after it.
 */
TEST_F(cow, shared_mappings_stay_shared)
{
	static const __u32 modes[] = { 0, ASPACE_CLONE_EAGER };
	struct aspace_stats a0, b0;
	unsigned int m;
	int b;

	for (m = 0; m < 2; m++) {
		ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(4), P_RW,
					 M_SHARED | M_FIXED, NULL));
		ASSERT_EQ(0, aspace_mmap(self->fd, self->far, PAGES(2), P_R,
					 M_SHARED | M_FIXED, NULL));
		ASSERT_TRUE(put(self->fd, true, F, 16, 1));
		ASSERT_EQ(0, aspace_clone(self->fd, modes[m], &b));
		EXPECT_EQ(1, sysfs_pages_data());
		ASSERT_TRUE(put(self->fd, true, F + PG, 16, 2));
		EXPECT_TRUE(holds(b, F + PG, 16, 2));
		ASSERT_TRUE(put(b, true, F + PAGES(2), 16, 3));
		EXPECT_TRUE(holds(self->fd, F + PAGES(2), 16, 3));
		EXPECT_TRUE(zeros(b, F + PAGES(3), PG));
		ASSERT_TRUE(put(self->fd, false, F + PAGES(3), 16, 4));
		EXPECT_TRUE(holds(b, F + PAGES(3), 16, 4));
		ASSERT_TRUE(put(b, true, F, 16, 5));
		EXPECT_TRUE(holds(self->fd, F, 16, 5));
		/* Read-only shared: a read in one allocates for both. */
		EXPECT_TRUE(zeros(b, self->far, PG));
		EXPECT_EQ(5, sysfs_pages_data());
		EXPECT_EQ(4, mem_stats(self->fd).resident_pages);
		EXPECT_TRUE(zeros(self->fd, self->far, PG));
		EXPECT_EQ(5, sysfs_pages_data());
		a0 = mem_stats(self->fd);
		b0 = mem_stats(b);
		EXPECT_EQ(5, a0.resident_pages) {
			TH_LOG("mode %#x", modes[m]);
		}
		EXPECT_EQ(5, b0.resident_pages);
		EXPECT_EQ(5, a0.shared_pages);
		EXPECT_EQ(5, b0.shared_pages);
		EXPECT_EQ(0, a0.cow_breaks);
		EXPECT_EQ(0, b0.cow_breaks);
		/* Gone from one, still there in the other. */
		close(self->fd);
		self->fd = b;
		EXPECT_TRUE(holds(b, F, 16, 5));
		EXPECT_EQ(5, sysfs_pages_data());
		ASSERT_EQ(0, aspace_munmap(b, F, PAGES(4)));
		ASSERT_EQ(0, aspace_munmap(b, self->far, PAGES(2)));
		EXPECT_EQ(0, sysfs_pages_data());
	}
}

/* Three address spaces on one page: copies only while it is shared. */
TEST_F(cow, chain_shares_three_ways)
{
	struct aspace_stats st[3], nw;
	int fd[3];
	unsigned int i;

	fd[0] = self->fd;
	ASSERT_EQ(0, aspace_mmap(fd[0], F, PG, P_RW, M_PRIV | M_FIXED, NULL));
	ASSERT_TRUE(put(fd[0], false, F, PG, 1));
	ASSERT_EQ(0, aspace_clone(fd[0], 0, &fd[1]));
	ASSERT_EQ(0, aspace_clone(fd[1], 0, &fd[2]));
	EXPECT_EQ(1, sysfs_pages_data());
	for (i = 0; i < 3; i++) {
		st[i] = mem_stats(fd[i]);
		EXPECT_EQ(1, st[i].shared_pages);
	}
	/* C copies; A and B still share. */
	ASSERT_TRUE(put(fd[2], true, F, 8, 2));
	nw = mem_stats(fd[2]);
	MOVED(st[2], nw, 0, 1, 0, 1);
	EXPECT_EQ(0, nw.shared_pages);
	EXPECT_EQ(1, mem_stats(fd[0]).shared_pages);
	EXPECT_EQ(1, mem_stats(fd[1]).shared_pages);
	EXPECT_EQ(2, sysfs_pages_data());
	/* B copies (A still maps the page). */
	ASSERT_TRUE(put(fd[1], true, F, 8, 3));
	nw = mem_stats(fd[1]);
	MOVED(st[1], nw, 0, 1, 0, 1);
	EXPECT_EQ(0, mem_stats(fd[0]).shared_pages);
	EXPECT_EQ(3, sysfs_pages_data());
	/* A reuses. */
	ASSERT_TRUE(put(fd[0], true, F, 8, 4));
	nw = mem_stats(fd[0]);
	MOVED(st[0], nw, 0, 1, 0, 0);
	EXPECT_EQ(3, sysfs_pages_data());
	EXPECT_TRUE(holds(fd[0], F, 8, 4));
	EXPECT_TRUE(holds(fd[1], F, 8, 3));
	EXPECT_TRUE(holds(fd[2], F, 8, 2));
	EXPECT_TRUE(holds(fd[2], F + 8, PG - 8, 1));
	close(fd[1]);
	close(fd[2]);
}

/*
 * shared_pages counts resident pages another address space maps too:
 * MAP_SHARED pages of an address space alone are not shared, nor are
 * private pages after the clone that shared them is gone.
 */
TEST_F(cow, shared_pages_counts_other_address_spaces_only)
{
	int b;

	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(3), P_RW,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, F + PAGES(4), PAGES(2), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	EXPECT_EQ(5, mem_stats(self->fd).resident_pages);
	EXPECT_EQ(0, mem_stats(self->fd).shared_pages);
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &b));
	EXPECT_EQ(5, mem_stats(self->fd).shared_pages);
	EXPECT_EQ(5, mem_stats(b).shared_pages);
	ASSERT_TRUE(put(b, true, F + PAGES(4), 1, 1));
	EXPECT_EQ(4, mem_stats(self->fd).shared_pages);
	EXPECT_EQ(4, mem_stats(b).shared_pages);
	close(b);
	EXPECT_EQ(0, mem_stats(self->fd).shared_pages);
	ASSERT_EQ(0, aspace_clone(self->fd, ASPACE_CLONE_EAGER, &b));
	EXPECT_EQ(3, mem_stats(self->fd).shared_pages);
	EXPECT_EQ(3, mem_stats(b).shared_pages);
	close(self->fd);
	self->fd = b;
	EXPECT_EQ(0, mem_stats(b).shared_pages);
}

/*
 * mprotect to writable never makes a shared page writable in place: a
 * store after mprotect RW in either copies the page.
 */
TEST_F(cow, mprotect_writable_does_not_write_through)
{
	struct aspace_stats b0, b1;
	int b;

	/* rw written | r written by pwrite | r never written */
	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(3), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_TRUE(put(self->fd, false, F, PAGES(2), 1));
	ASSERT_EQ(0, aspace_mprotect(self->fd, F + PG, PAGES(2), P_R));
	ASSERT_TRUE(put(self->fd, false, F + PG, 16, 2));
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &b));

	/* The clone: read-only and back, then a store. */
	ASSERT_EQ(0, aspace_mprotect(b, F, PG, P_R));
	ASSERT_EQ(0, aspace_mprotect(b, F, PAGES(3), P_RW));
	b0 = mem_stats(b);
	ASSERT_TRUE(put(b, true, F, 16, 3));
	ASSERT_TRUE(put(b, true, F + PG, 16, 4));
	ASSERT_TRUE(put(b, true, F + PAGES(2), 16, 5));
	b1 = mem_stats(b);
	MOVED(b0, b1, 1, 3, 0, 2);
	EXPECT_TRUE(holds(self->fd, F, PG, 1));
	EXPECT_TRUE(holds(self->fd, F + PG, 16, 2));
	EXPECT_TRUE(zeros(self->fd, F + PAGES(2), PG));
	/* The source: the same on its side. */
	ASSERT_EQ(0, aspace_mprotect(self->fd, F, PAGES(3), P_RW));
	ASSERT_TRUE(put(self->fd, true, F, PAGES(3), 6));
	EXPECT_TRUE(holds(b, F, 16, 3));
	EXPECT_TRUE(holds(b, F + PG, 16, 4));
	EXPECT_TRUE(holds(b, F + PAGES(2), 16, 5));
	EXPECT_TRUE(holds(b, F + 16, PG - 16, 1));
	/* After the copies nothing is shared. */
	EXPECT_EQ(0, mem_stats(b).shared_pages);
	EXPECT_EQ(0, mem_stats(self->fd).shared_pages);
	close(b);
}

/* ------------------------------------------------------------------ */
/*
 * The model.  16 pages: 8 at F, 8 far away (another top-level entry).
 *   0-3  private rw, written     4-5  private rw, zero page
 *   6-7  private r, pwritten     8-9  private rw, never touched
 *   10-11 private rwx, written   12-15 shared rw (12-13 written)
 * Each private page of each descriptor has a page id (0: none; equal
 * ids: one page shared); copies and reuse follow COW rules.
 */
#define NPG		16
#define NSH		4	/* the last NSH pages are MAP_SHARED */
#define NFD		3

struct model {
	int fd[NFD];
	bool live[NFD];
	unsigned char data[NFD][PAGES(NPG)];
	unsigned char shared[PAGES(NSH)];
	unsigned int id[NFD][NPG];
	bool shalloc[NSH];
	unsigned long long cow[NFD], cow_base[NFD];
	unsigned int next_id;
	__u64 far;
	__u32 rnd;
};

static struct model the_model;

static void model_close_all(void)
{
	unsigned int i;

	for (i = 0; i < NFD; i++) {
		if (the_model.live[i])
			close(the_model.fd[i]);
		the_model.live[i] = false;
	}
}

static __u64 page_addr(const struct model *m, unsigned int p)
{
	return (p < 8 ? F : m->far) + PAGES(p % 8);
}

static __u32 rnd(struct model *m)
{
	__u32 x = m->rnd;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	m->rnd = x;
	return x;
}

static unsigned int nlive(const struct model *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < NFD; i++)
		n += m->live[i];
	return n;
}

static bool id_elsewhere(const struct model *m, unsigned int fd,
			 unsigned int p)
{
	unsigned int i;

	for (i = 0; i < NFD; i++)
		if (i != fd && m->live[i] && m->id[i][p] == m->id[fd][p])
			return true;
	return false;
}

/* Write to page @p of descriptor @i: in aspace and in the model. */
static bool m_write(struct model *m, unsigned int i, unsigned int p,
		    __u64 off, __u64 len, __u32 seed, bool access)
{
	unsigned char buf[PG];
	__u64 addr = page_addr(m, p) + off;

	if (p == 6 || p == 7)
		access = false;		/* read-only: pwrite only */
	if (!put(m->fd[i], access, addr, len, seed))
		return false;
	gen_data(buf, addr, len, seed);
	if (p >= NPG - NSH) {
		memcpy(m->shared + PAGES(p - (NPG - NSH)) + off, buf, len);
		m->shalloc[p - (NPG - NSH)] = true;
		return true;
	}
	memcpy(m->data[i] + PAGES(p) + off, buf, len);
	if (!m->id[i][p]) {
		m->id[i][p] = ++m->next_id;
	} else if (id_elsewhere(m, i, p)) {
		m->id[i][p] = ++m->next_id;
		m->cow[i]++;
	}
	return true;
}

static int m_build(struct model *m, int fd)
{
	unsigned int p;
	int ret;

	memset(m->id, 0, sizeof(m->id));
	memset(m->data, 0, sizeof(m->data));
	memset(m->shared, 0, sizeof(m->shared));
	memset(m->shalloc, 0, sizeof(m->shalloc));
	memset(m->live, 0, sizeof(m->live));
	memset(m->cow, 0, sizeof(m->cow));
	memset(m->cow_base, 0, sizeof(m->cow_base));
	m->fd[0] = fd;
	m->live[0] = true;
	ret = aspace_mmap(fd, F, PAGES(6), P_RW, M_PRIV | M_FIXED, NULL);
	if (!ret)
		ret = aspace_mmap(fd, F + PAGES(6), PAGES(2), P_RW,
				  M_PRIV | M_FIXED, NULL);
	if (!ret)
		ret = aspace_mmap(fd, m->far, PAGES(2), P_RW,
				  M_PRIV | M_FIXED, NULL);
	if (!ret)
		ret = aspace_mmap(fd, m->far + PAGES(2), PAGES(2), P_RWX,
				  M_PRIV | M_FIXED, NULL);
	if (!ret)
		ret = aspace_mmap(fd, m->far + PAGES(4), PAGES(4), P_RW,
				  M_SHARED | M_FIXED, NULL);
	for (p = 0; p < NPG && !ret; p++) {
		if (p < 4 || p == 6 || p == 7 || p == 10 || p == 11 ||
		    p == 12 || p == 13)
			ret = m_write(m, 0, p, 0, PG, 1000 + p, false) ? 0 :
			      -EIO;
		else if (p == 4 || p == 5)
			ret = mem_access(fd, R, page_addr(m, p), PG, NULL,
					 NULL);
	}
	if (!ret)
		ret = aspace_mprotect(fd, F + PAGES(6), PAGES(2), P_R);
	return ret;
}

static int m_clone(struct model *m, unsigned int src, unsigned int dst,
		   __u32 flags)
{
	unsigned int p;
	int ret;

	ret = aspace_clone(m->fd[src], flags, &m->fd[dst]);
	if (ret)
		return ret;
	m->live[dst] = true;
	memcpy(m->data[dst], m->data[src], sizeof(m->data[dst]));
	for (p = 0; p < NPG; p++) {
		m->id[dst][p] = m->id[src][p];
		if ((flags & ASPACE_CLONE_EAGER) && m->id[dst][p])
			m->id[dst][p] = ++m->next_id;
	}
	m->cow[dst] = 0;
	m->cow_base[dst] = mem_stats(m->fd[dst]).cow_breaks;
	return 0;
}

static void m_close(struct model *m, unsigned int i)
{
	close(m->fd[i]);
	m->live[i] = false;
	m->fd[i] = -1;
}

/*
 * MADV_DONTNEED of page @p of descriptor @i: a private page is dropped
 * (reads zeros, no page of its own); a shared one keeps its data.
 */
static bool m_dontneed(struct model *m, unsigned int i, unsigned int p)
{
	if (mem_madvise(m->fd[i], page_addr(m, p), PG, MADV_DONTNEED))
		return false;
	if (p < NPG - NSH) {
		memset(m->data[i] + PAGES(p), 0, PG);
		m->id[i][p] = 0;
	}
	return true;
}

/*
 * MADV_POPULATE_WRITE of page @p: a write fault without a store (a copy
 * if the page is shared, a new page if there is none).
 */
static bool m_populate_write(struct model *m, unsigned int i, unsigned int p)
{
	if (p == 6 || p == 7)
		return true;	/* read-only: EINVAL, tested elsewhere */
	if (mem_madvise(m->fd[i], page_addr(m, p), PG, MADV_POPULATE_WRITE))
		return false;
	if (p >= NPG - NSH) {
		m->shalloc[p - (NPG - NSH)] = true;
	} else if (!m->id[i][p]) {
		m->id[i][p] = ++m->next_id;
	} else if (id_elsewhere(m, i, p)) {
		m->id[i][p] = ++m->next_id;
		m->cow[i]++;
	}
	return true;
}

/* Random writes (and some madvise) through the live descriptors. */
static bool m_writes(struct model *m, unsigned int n)
{
	unsigned int i, k, p;
	__u64 off, len;

	for (k = 0; k < n; k++) {
		do {
			i = rnd(m) % NFD;
		} while (!m->live[i]);
		p = rnd(m) % NPG;
		switch (rnd(m) % 8) {
		case 0:
			if (!m_dontneed(m, i, p))
				return false;
			continue;
		case 1:
			if (!m_populate_write(m, i, p))
				return false;
			continue;
		}
		off = rnd(m) % PG;
		len = 1 + rnd(m) % (PG - off);
		if (rnd(m) % 4 == 0) {
			off = 0;
			len = PG;
		}
		if (!m_write(m, i, p, off, len, rnd(m) & 0xffff, rnd(m) & 1))
			return false;
	}
	return true;
}

/*
 * Everything as the model says: the contents of every live descriptor,
 * its resident, shared and copied pages, the module's data pages.
 * (Reading the MAP_SHARED pages allocates them.)
 */
static bool m_check(struct model *m, const char *when)
{
	static unsigned char got[PAGES(NPG)];
	unsigned int i, p, q, res, shr, data = 0;
	struct aspace_stats st;
	bool ok = true, seen;

	for (i = 0; i < NFD; i++) {
		if (!m->live[i])
			continue;
		for (p = 0; p < NPG; p++) {
			const unsigned char *want = p < NPG - NSH ?
				m->data[i] + PAGES(p) :
				m->shared + PAGES(p - (NPG - NSH));

			if (mem_pread(m->fd[i], got, PG, page_addr(m, p)) != PG ||
			    memcmp(got, want, PG)) {
				fprintf(stderr, "#   %s: fd %u page %u differs\n",
					when, i, p);
				ok = false;
			}
		}
	}
	if (nlive(m))
		memset(m->shalloc, 1, sizeof(m->shalloc));
	for (i = 0; i < NFD; i++) {
		if (!m->live[i])
			continue;
		res = NSH;
		shr = nlive(m) > 1 ? NSH : 0;
		for (p = 0; p < NPG - NSH; p++) {
			if (!m->id[i][p])
				continue;
			res++;
			shr += id_elsewhere(m, i, p);
			/* Count each page once, at its first holder. */
			seen = false;
			for (q = 0; q < i; q++)
				seen |= m->live[q] && m->id[q][p] == m->id[i][p];
			data += !seen;
		}
		st = mem_stats(m->fd[i]);
		if (st.resident_pages != res || st.shared_pages != shr ||
		    st.cow_breaks - m->cow_base[i] != m->cow[i]) {
			fprintf(stderr,
				"#   %s: fd %u: resident/shared/cow %llu %llu %llu, model %u %u %llu\n",
				when, i,
				(unsigned long long)st.resident_pages,
				(unsigned long long)st.shared_pages,
				(unsigned long long)(st.cow_breaks -
						     m->cow_base[i]),
				res, shr, m->cow[i]);
			ok = false;
		}
	}
	if (nlive(m))
		data += NSH;
	if (sysfs_pages_data() != data) {
		fprintf(stderr, "#   %s: the module holds %lld data pages, model %u\n",
			when, sysfs_pages_data(), data);
		ok = false;
	}
	return ok;
}

static const unsigned int perms[6][3] = {
	{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
	{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
};

/*
 * A -> B -> C (@tree false) or A -> B, A -> C; closed in the order
 * @perm; writes and a full check at every step.
 */
static void run_family(struct __test_metadata *_metadata, struct model *m,
		       __u32 layout, bool tree, __u32 flags,
		       const unsigned int *perm)
{
	char when[96];
	unsigned int k;
	int fd;

	fd = open_layout(layout);
	ASSERT_LE(0, fd);
	m->rnd = 0x9e3779b9u ^ (perm[0] * 9 + perm[1] * 3 + perm[2]) ^
		 (tree ? 0x1000 : 0) ^ flags;
	snprintf(when, sizeof(when), "%s %s close %u%u%u",
		 tree ? "tree" : "chain", flags ? "eager" : "cow",
		 perm[0], perm[1], perm[2]);
	ASSERT_EQ(0, m_build(m, fd));
	EXPECT_TRUE(m_check(m, when));
	ASSERT_TRUE(m_writes(m, 4));
	ASSERT_EQ(0, m_clone(m, 0, 1, flags));
	EXPECT_TRUE(m_check(m, when));
	ASSERT_TRUE(m_writes(m, 10));
	EXPECT_TRUE(m_check(m, when));
	ASSERT_EQ(0, m_clone(m, tree ? 0 : 1, 2, flags));
	EXPECT_TRUE(m_check(m, when));
	ASSERT_TRUE(m_writes(m, 16));
	EXPECT_TRUE(m_check(m, when));
	for (k = 0; k < NFD; k++) {
		m_close(m, perm[k]);
		EXPECT_TRUE(m_check(m, when)) {
			TH_LOG("%s, after closing %u", when, perm[k]);
		}
		if (k + 1 < NFD) {
			ASSERT_TRUE(m_writes(m, 8));
			EXPECT_TRUE(m_check(m, when)) {
				TH_LOG("%s, writes after closing %u", when,
				       perm[k]);
			}
		}
	}
	EXPECT_ALL_COUNTERS_ZERO();
}

static void run_families(struct __test_metadata *_metadata, __u64 far,
			 __u32 layout, bool tree)
{
	struct model *m = &the_model;
	unsigned int i, mode;

	m->far = far;
	for (mode = 0; mode < 2; mode++)
		for (i = 0; i < 6; i++)
			run_family(_metadata, m, layout, tree,
				   mode ? ASPACE_CLONE_EAGER : 0, perms[i]);
}

TEST_F(cow, chains_closed_in_every_order_match_the_model)
{
	close(self->fd);
	self->fd = -1;
	run_families(_metadata, self->far,
		     self->la57 ? LAYOUT_TOPDOWN_5L : LAYOUT_TOPDOWN_4L, false);
}

TEST_F(cow, trees_closed_in_every_order_match_the_model)
{
	close(self->fd);
	self->fd = -1;
	run_families(_metadata, self->far,
		     self->la57 ? LAYOUT_TOPDOWN_5L : LAYOUT_TOPDOWN_4L, true);
}

TEST_HARNESS_MAIN
