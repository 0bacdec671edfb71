// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_TRANSLATE: the entries of every level,
 * the level of the leaf or of the walk's stop, the status bits, 4- and
 * 5-level paging, PROT_NONE, copy-on-write after a clone, the frame of
 * the zero page against /proc/self/pagemap, bad input, and frames hidden
 * from a child that dropped CAP_SYS_ADMIN (capset) but shown to the
 * parent that has it.
 */
#include <stddef.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"
#include "aspace_introspect_util.h"

#define X	FIXED_AREA

FIXTURE(tr) {
	int fd;
};

FIXTURE_SETUP(tr)
{
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(tr)
{
	close(self->fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

/*
 * The table entries of a walk that reached level @level: each points to
 * the table the walk read next, and carries the table bits.
 */
static bool chain_ok(struct __test_metadata *_metadata,
		     const struct aspace_translate *t)
{
	unsigned int l;

	for (l = t->levels - 1; l > t->level; l--) {
		EXPECT_EQ(PTE_TABLE, PTE_FLAGS(t->entries[l]));
		EXPECT_NE(0, t->tables[l - 1]);
		EXPECT_EQ(t->tables[l - 1], PTE_FRAME(t->entries[l]));
		EXPECT_EQ(0, t->tables[l - 1] & (PG - 1));
	}
	EXPECT_NE(0, t->tables[t->levels - 1]);	/* the root */
	for (l = 0; l < t->level; l++) {
		EXPECT_EQ(0, t->entries[l]);
		EXPECT_EQ(0, t->tables[l]);
	}
	for (l = t->levels; l < 5; l++) {
		EXPECT_EQ(0, t->entries[l]);
		EXPECT_EQ(0, t->tables[l]);
	}
	return _metadata->passed;
}

TEST_F(tr, empty_stops_at_the_root)
{
	struct aspace_translate t;

	ASSERT_EQ(0, translate(self->fd, X, &t));
	EXPECT_EQ(sizeof(t), t.size);
	EXPECT_EQ(4, t.levels);
	EXPECT_EQ(3, t.level);
	EXPECT_EQ(ASPACE_TRANSLATE_FRAMES, t.status);
	EXPECT_EQ(0, t.phys);
	EXPECT_EQ(0, t.entries[3]);
	EXPECT_TRUE(chain_ok(_metadata, &t));
	/* A mapping alone makes no table: pages come on first touch. */
	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(0, translate(self->fd, X + 5, &t));
	EXPECT_EQ(3, t.level);
	EXPECT_EQ(0, t.status & ASPACE_TRANSLATE_PRESENT);
}

TEST_F(tr, written_page)
{
	struct aspace_translate t;
	unsigned char b = 0x5a;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, X + PG + 7));
	ASSERT_EQ(0, translate(self->fd, X + PG + 0x123, &t));
	EXPECT_EQ(0, t.level);
	EXPECT_EQ(ASPACE_TRANSLATE_PRESENT | ASPACE_TRANSLATE_FRAMES, t.status);
	EXPECT_EQ(PTE_RW | PTE_AD, PTE_FLAGS(t.entries[0]));
	EXPECT_NE(0, PTE_FRAME(t.entries[0]));
	EXPECT_EQ(PTE_FRAME(t.entries[0]) | 0x123, t.phys);
	EXPECT_TRUE(chain_ok(_metadata, &t));

	/* Its neighbour in the same table: the walk stops at level 0. */
	ASSERT_EQ(0, translate(self->fd, X, &t));
	EXPECT_EQ(0, t.level);
	EXPECT_EQ(ASPACE_TRANSLATE_FRAMES, t.status);
	EXPECT_EQ(0, t.entries[0]);
	EXPECT_EQ(0, t.phys);
	EXPECT_TRUE(chain_ok(_metadata, &t));

	/* 1 GiB away: a PDPT entry of its own, empty. */
	ASSERT_EQ(0, translate(self->fd, X + (1ULL << 30), &t));
	EXPECT_EQ(2, t.level);
	EXPECT_EQ(0, t.entries[2]);
	EXPECT_TRUE(chain_ok(_metadata, &t));
}

TEST_F(tr, zero_page_and_pagemap)
{
	struct aspace_translate t;
	unsigned char b;
	__u64 pm = 0;
	char *p;
	int pfd;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(1), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(1, mem_pread(self->fd, &b, 1, X));
	ASSERT_EQ(0, translate(self->fd, X + 9, &t));
	EXPECT_EQ(0, t.level);
	EXPECT_EQ(ASPACE_TRANSLATE_PRESENT | ASPACE_TRANSLATE_FRAMES |
		  ASPACE_TRANSLATE_ZERO_PAGE, t.status);
	EXPECT_EQ(PTE_RO | ASPACE_PTE_COW | ASPACE_PTE_ACCESSED,
		  PTE_FLAGS(t.entries[0]));

	/* The same frame Linux maps for a read of untouched memory. */
	p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, p[0]);
	pfd = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_LE(0, pfd);
	ASSERT_EQ(8, pread(pfd, &pm, 8, (uintptr_t)p / PG * 8));
	close(pfd);
	munmap(p, PG);
	ASSERT_TRUE(pm >> 63);				/* present */
	EXPECT_EQ((pm & ((1ULL << 55) - 1)) * PG, PTE_FRAME(t.entries[0]));
	EXPECT_EQ(PTE_FRAME(t.entries[0]) | 9, t.phys);
}

TEST_F(tr, five_levels)
{
	struct aspace_translate t;
	unsigned char b = 1;
	__u64 hi = TASK_SIZE_5L - PG;

	ASSERT_EQ(0, set_layout_flags(self->fd, ASPACE_LAYOUT_LA57));
	ASSERT_EQ(0, translate(self->fd, 0, &t));
	EXPECT_EQ(5, t.levels);
	EXPECT_EQ(4, t.level);
	ASSERT_EQ(0, aspace_mmap(self->fd, hi, PG, P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, hi + PG - 1));
	ASSERT_EQ(0, translate(self->fd, hi + PG - 1, &t));
	EXPECT_EQ(5, t.levels);
	EXPECT_EQ(0, t.level);
	EXPECT_TRUE(t.status & ASPACE_TRANSLATE_PRESENT);
	EXPECT_EQ(PTE_FRAME(t.entries[0]) | (PG - 1), t.phys);
	EXPECT_TRUE(chain_ok(_metadata, &t));
	/* The last address is valid, the task size is not. */
	EXPECT_EQ(-EINVAL, translate(self->fd, TASK_SIZE_5L, &t));
}

TEST_F(tr, prot_none_is_not_present)
{
	struct aspace_translate t;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mprotect(self->fd, X, PG, 0));
	ASSERT_EQ(0, translate(self->fd, X, &t));
	EXPECT_EQ(0, t.level);
	EXPECT_EQ(ASPACE_TRANSLATE_FRAMES, t.status);
	EXPECT_EQ(ASPACE_PTE_PROTNONE | ASPACE_PTE_NX | PTE_AD,
		  PTE_FLAGS(t.entries[0]));
	EXPECT_NE(0, PTE_FRAME(t.entries[0]));
	EXPECT_EQ(0, t.phys);
	ASSERT_EQ(0, aspace_mprotect(self->fd, X, PG, P_R));
	ASSERT_EQ(0, translate(self->fd, X, &t));
	EXPECT_EQ(ASPACE_TRANSLATE_PRESENT | ASPACE_TRANSLATE_FRAMES, t.status);
	EXPECT_EQ(PTE_RO | PTE_AD, PTE_FLAGS(t.entries[0]));
}

/*
 * A clone shares the frame copy-on-write until one side writes; its entry
 * is old, as fork() makes the child's, the parent's keeps its bits.
 */
TEST_F(tr, clone_shares_then_copies)
{
	struct aspace_translate a, b;
	unsigned char v = 7;
	int c;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &c));
	ASSERT_EQ(0, translate(self->fd, X, &a));
	ASSERT_EQ(0, translate(c, X, &b));
	EXPECT_EQ(PTE_RO | ASPACE_PTE_COW | PTE_AD, PTE_FLAGS(a.entries[0]));
	EXPECT_EQ(PTE_RO | ASPACE_PTE_COW | ASPACE_PTE_DIRTY,
		  PTE_FLAGS(b.entries[0]));
	EXPECT_EQ(a.phys, b.phys);
	EXPECT_NE(a.tables[0], b.tables[0]);	/* tables are not shared */
	EXPECT_EQ(1, mem_pwrite(c, &v, 1, X));
	ASSERT_EQ(0, translate(c, X, &b));
	EXPECT_EQ(PTE_RW | PTE_AD, PTE_FLAGS(b.entries[0]));
	EXPECT_NE(a.phys, b.phys);
	close(c);
}

TEST_F(tr, bad_input)
{
	struct aspace_translate t;

	memset(&t, 0, sizeof(t));
	t.size = sizeof(t);
	t.flags = 1;
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_TRANSLATE, &t));
	t.flags = 0;
	t.reserved = 1;
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_TRANSLATE, &t));
	t.reserved = 0;
	t.size = offsetof(struct aspace_translate, reserved);
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_TRANSLATE, &t));
	EXPECT_EQ(-EINVAL, translate(self->fd, TASK_SIZE_4L, &t));
	EXPECT_EQ(-EINVAL, translate(self->fd, 1ULL << 47, &t));
	EXPECT_EQ(-EINVAL, translate(self->fd, ~0ULL, &t));
	EXPECT_EQ(0, translate(self->fd, TASK_SIZE_4L - 1, &t));
	/* A larger struct with a zero tail is fine, a non-zero one not. */
	{
		struct { struct aspace_translate t; __u64 more; } big;

		memset(&big, 0, sizeof(big));
		big.t.size = sizeof(big);
		EXPECT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_TRANSLATE, &big));
		EXPECT_EQ(sizeof(big.t), big.t.size);
		big.t.size = sizeof(big);
		big.more = 1;
		EXPECT_EQ(-E2BIG, aspace_ioctl(self->fd, ASPACE_IOC_TRANSLATE,
					       &big));
	}
}

/* What a walk shows without frames: the same, with every frame zero. */
static void expect_hidden(struct __test_metadata *_metadata,
			  const struct aspace_translate *priv,
			  const struct aspace_translate *t)
{
	unsigned int l;

	EXPECT_EQ(priv->levels, t->levels);
	EXPECT_EQ(priv->level, t->level);
	EXPECT_EQ(priv->status & ~ASPACE_TRANSLATE_FRAMES, t->status);
	EXPECT_EQ(0, t->phys);
	for (l = 0; l < 5; l++) {
		EXPECT_EQ(PTE_FLAGS(priv->entries[l]), t->entries[l]);
		EXPECT_EQ(0, t->tables[l]);
	}
}

/*
 * A child that dropped CAP_SYS_ADMIN sees no frame, on the parent's
 * descriptor or on one it opened itself; the parent still sees them.
 */
TEST_F(tr, frames_need_cap_sys_admin)
{
	struct aspace_translate priv, t;
	unsigned char v = 3;
	int status, fd2;
	pid_t pid;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PG, P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(1, mem_pwrite(self->fd, &v, 1, X));
	ASSERT_EQ(0, translate(self->fd, X + 1, &priv));
	ASSERT_TRUE(priv.status & ASPACE_TRANSLATE_FRAMES);
	ASSERT_NE(0, priv.phys);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (drop_cap_sys_admin())
			_exit(10);
		if (translate(self->fd, X + 1, &t))
			_exit(11);
		expect_hidden(_metadata, &priv, &t);
		fd2 = aspace_open(0);
		if (fd2 < 0)
			_exit(12);
		if (aspace_mmap(fd2, X, PG, P_RW, M_PRIV | M_FIXED, NULL) ||
		    mem_pwrite(fd2, &v, 1, X) != 1 || translate(fd2, X + 1, &t))
			_exit(13);
		expect_hidden(_metadata, &priv, &t);
		close(fd2);
		_exit(_metadata->passed ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(0, translate(self->fd, X + 1, &t));
	EXPECT_EQ(0, memcmp(&priv, &t, sizeof(t)));
}

/*
 * As /proc/PID/pagemap, the opener's credentials count too: a descriptor
 * an unprivileged child opened hides frames even from its privileged
 * parent, and the descriptors it clones as well.
 */
TEST_F(tr, frames_need_a_privileged_opener)
{
	struct aspace_translate t;
	unsigned char v = 3;
	int sv[2], status, fd2, c;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		if (drop_cap_sys_admin())
			_exit(10);
		fd2 = aspace_open(0);
		if (fd2 < 0 || send_fd(sv[1], fd2))
			_exit(11);
		_exit(0);
	}
	close(sv[1]);
	fd2 = recv_fd(sv[0]);
	close(sv[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_LE(0, fd2);

	ASSERT_EQ(0, aspace_mmap(fd2, X, PG, P_RW, M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(1, mem_pwrite(fd2, &v, 1, X));
	ASSERT_EQ(0, translate(fd2, X, &t));
	EXPECT_EQ(ASPACE_TRANSLATE_PRESENT, t.status);
	EXPECT_EQ(0, t.phys);
	EXPECT_EQ(0, PTE_FRAME(t.entries[0]));
	EXPECT_EQ(0, t.tables[3]);
	/* A clone made by the privileged parent is the parent's. */
	ASSERT_EQ(0, aspace_clone(fd2, 0, &c));
	ASSERT_EQ(0, translate(c, X, &t));
	EXPECT_EQ(ASPACE_TRANSLATE_PRESENT | ASPACE_TRANSLATE_FRAMES, t.status);
	EXPECT_NE(0, t.phys);
	close(c);
	close(fd2);
}

TEST_HARNESS_MAIN
