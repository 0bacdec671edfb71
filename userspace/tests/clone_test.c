// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_CLONE: the new descriptor and its
 * close-on-exec flag, a copy of everything (VMAs, layout, limits, break,
 * resident pages, contents) in the four layouts, independence of the two
 * copies, shared pages staying shared, private ones shared copy-on-write
 * (or copied at once with ASPACE_CLONE_EAGER), zero-page entries never
 * allocated, and failures that leave no descriptor and no page behind.
 */
#include <stddef.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define F FIXED_AREA

/* What build_mix() makes: pages, and what it writes into them. */
#define MIX_PRIVATE	6	/* 4 + 2 under PROT_NONE */
#define MIX_NONE	2	/* the private pages under PROT_NONE */
#define MIX_SHARED	3
#define MIX_RESIDENT	(MIX_PRIVATE + MIX_SHARED)
#define MIX_ZERO	2	/* zero-page entries: not resident */
#define MIX_PRIVATE_BYTE	0x5a
#define MIX_SHARED_BYTE		0xa5

FIXTURE(cl) {
	int fd;
	__u32 layout;
	__u64 hs;
};

FIXTURE_VARIANT(cl) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(cl, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(cl, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_VARIANT_ADD(cl, legacy_4level) {
	.layout = LAYOUT_LEGACY_4L,
};

FIXTURE_VARIANT_ADD(cl, legacy_5level) {
	.layout = LAYOUT_LEGACY_5L,
};

/*
 * A bit of everything: private populated (and written), private lazy,
 * shared populated (and written), a read-only split, PROT_NONE over
 * private pages, zero pages (a read-only private mapping populated), a
 * heap with an unaligned break.
 */
static int build_mix(int fd, __u64 hs)
{
	__u64 brk, none;
	int ret;

	ret = aspace_mmap(fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED | M_POPULATE,
			  NULL);
	if (!ret)
		ret = mem_fill(fd, F, PAGES(4), MIX_PRIVATE_BYTE);
	if (!ret)
		ret = aspace_mmap(fd, F + PAGES(8), PAGES(16), P_RW,
				  M_PRIV | M_FIXED, NULL);
	if (!ret)
		ret = aspace_mmap(fd, F + PAGES(32), PAGES(3), P_RW,
				  M_SHARED | M_FIXED | M_POPULATE, NULL);
	if (!ret)
		ret = mem_fill(fd, F + PAGES(32), PAGES(3), MIX_SHARED_BYTE);
	if (!ret)
		ret = aspace_mprotect(fd, F + PAGES(10), PAGES(2), P_R);
	/* MAP_POPULATE of PROT_NONE populates nothing: protect afterwards. */
	if (!ret)
		ret = aspace_mmap(fd, 0, PAGES(2), P_RW, M_PRIV | M_POPULATE,
				  &none);
	if (!ret)
		ret = aspace_mprotect(fd, none, PAGES(2), 0);
	if (!ret)
		ret = aspace_mmap(fd, F + PAGES(40), PAGES(MIX_ZERO), P_R,
				  M_PRIV | M_FIXED | M_POPULATE, NULL);
	if (!ret)
		ret = aspace_brk(fd, hs + PAGES(2) + 5, &brk);
	if (!ret && brk != hs + PAGES(2) + 5)
		ret = -EIO;
	return ret;
}

FIXTURE_SETUP(cl)
{
	struct aspace_layout l;

	self->fd = open_layout(variant->layout);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	self->hs = l.heap_start;
	self->layout = variant->layout;
	ASSERT_EQ(0, build_mix(self->fd, self->hs));
}

/*
 * A clone (@flags: copy-on-write or eager) is the same as its source:
 * VMAs (flags, offsets, shared objects), layout, limits, break, resident
 * pages, page tables and contents.  Copy-on-write maps the private pages
 * in both (both count them, both see them as shared) and allocates none;
 * an eager clone copies them.  Shared pages are mapped by both either
 * way; zero-page entries are copied as such and allocate nothing.
 */
static void check_copy(struct __test_metadata *_metadata, int fd, __u64 hs,
		       __u32 flags)
{
	const bool eager = flags & ASPACE_CLONE_EAGER;
	const __u64 shared = eager ? MIX_SHARED : MIX_RESIDENT;
	static struct asp_snap a, b;
	int nfd;

	SNAP(fd, &a);
	ASSERT_EQ(MIX_RESIDENT, a.stats.resident_pages);
	EXPECT_EQ(0, a.stats.shared_pages);
	EXPECT_EQ(MIX_RESIDENT, sysfs_pages_data());
	ASSERT_EQ(0, aspace_clone(fd, flags, &nfd));
	ASSERT_LE(0, nfd);
	EXPECT_NE(fd, nfd);
	SNAP(nfd, &b);
	EXPECT_TRUE(vma_lists_equal(&a.vmas, &b.vmas));
	EXPECT_EQ(0, memcmp(&a.layout, &b.layout, sizeof(a.layout)));
	EXPECT_EQ(0, memcmp(&a.limits, &b.limits, sizeof(a.limits)));
	EXPECT_EQ(a.brk, b.brk);
	EXPECT_EQ(hs + PAGES(2) + 5, b.brk);
	EXPECT_EQ(a.stats.nr_vmas, b.stats.nr_vmas);
	EXPECT_EQ(a.stats.mapped_bytes, b.stats.mapped_bytes);
	EXPECT_EQ(a.stats.data_bytes, b.stats.data_bytes);
	EXPECT_EQ(MIX_RESIDENT, b.stats.resident_pages);
	EXPECT_EQ(0, memcmp(a.stats.pgtable_pages, b.stats.pgtable_pages,
			    sizeof(a.stats.pgtable_pages)));
	EXPECT_EQ(shared, b.stats.shared_pages);
	SNAP(fd, &a);
	EXPECT_EQ(shared, a.stats.shared_pages);
	EXPECT_EQ(MIX_RESIDENT, a.stats.resident_pages);
	EXPECT_EQ(eager ? MIX_RESIDENT + MIX_PRIVATE : MIX_RESIDENT,
		  sysfs_pages_data());
	EXPECT_EQ(2 * pgtables_total(&a.stats), sysfs_pages_pgtable());
	/* The same contents, the zero pages' too. */
	EXPECT_TRUE(mem_is(nfd, F, PAGES(4), MIX_PRIVATE_BYTE));
	EXPECT_TRUE(mem_is(nfd, F + PAGES(32), PAGES(3), MIX_SHARED_BYTE));
	EXPECT_TRUE(mem_is(nfd, F + PAGES(40), PAGES(MIX_ZERO), 0));
	EXPECT_TRUE(mem_is(nfd, F + PAGES(8), PAGES(16), 0));
	/* Reading allocated nothing. */
	EXPECT_EQ(eager ? MIX_RESIDENT + MIX_PRIVATE : MIX_RESIDENT,
		  sysfs_pages_data());
	close(nfd);
	EXPECT_EQ(MIX_RESIDENT, sysfs_pages_data());
	SNAP(fd, &a);
	EXPECT_EQ(0, a.stats.shared_pages);
	EXPECT_EQ(MIX_RESIDENT, a.stats.resident_pages);
	EXPECT_TRUE(mem_is(fd, F, PAGES(4), MIX_PRIVATE_BYTE));
}

FIXTURE_TEARDOWN(cl)
{
	close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_F(cl, copies_everything)
{
	check_copy(_metadata, self->fd, self->hs, 0);
	check_copy(_metadata, self->fd, self->hs, ASPACE_CLONE_EAGER);
	/* The source's pages, copy-on-write after the first clone. */
	check_copy(_metadata, self->fd, self->hs, 0);
}

/*
 * Only shared_pages of the source may change while the clone lives: it
 * counts pages another address space maps too.
 */
TEST_F(cl, changes_in_the_clone_do_not_affect_the_source)
{
	static struct asp_snap a, b;
	int nfd;

	SNAP(self->fd, &a);
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &nfd));
	/* A write to a page shared copy-on-write copies it. */
	ASSERT_EQ(0, mem_fill(nfd, F, PG, 0x77));
	SNAP(nfd, &b);
	EXPECT_EQ(1, b.stats.cow_breaks);
	EXPECT_EQ(MIX_RESIDENT, b.stats.resident_pages);
	EXPECT_EQ(MIX_RESIDENT - 1, b.stats.shared_pages);
	EXPECT_EQ(MIX_RESIDENT + 1, sysfs_pages_data());
	EXPECT_TRUE(mem_is(nfd, F, PG, 0x77));
	EXPECT_TRUE(mem_is(self->fd, F, PG, MIX_PRIVATE_BYTE));
	ASSERT_EQ(0, aspace_munmap(nfd, F, PAGES(64)));
	ASSERT_EQ(0, aspace_mprotect(nfd, self->hs, PG, P_R));
	ASSERT_EQ(0, aspace_brk(nfd, self->hs + PAGES(8), NULL));
	ASSERT_EQ(0, aspace_mmap(nfd, F + PAGES(100), PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, set_max_map_count(nfd, 100));
	/* The clone still maps the pages under PROT_NONE. */
	SNAP(self->fd, &b);
	EXPECT_EQ(MIX_NONE, b.stats.shared_pages);
	b.stats.shared_pages = a.stats.shared_pages;
	EXPECT_TRUE(snap_equal(&a, &b));
	EXPECT_TRUE(mem_is(self->fd, F, PAGES(4), MIX_PRIVATE_BYTE));
	SNAP(nfd, &b);
	EXPECT_EQ(self->hs + PAGES(8), b.brk);
	EXPECT_EQ(100, b.limits.max_map_count);
	close(nfd);
	EXPECT_UNCHANGED(self->fd, &a);
	EXPECT_EQ(MIX_RESIDENT, sysfs_pages_data());
}

/*
 * Only shared_pages of the clone may change: it counts pages another
 * address space maps too, and the source drops its share.
 */
TEST_F(cl, changes_in_the_source_do_not_affect_the_clone)
{
	static struct asp_snap b, c;
	int nfd;

	ASSERT_EQ(0, aspace_clone(self->fd, 0, &nfd));
	SNAP(nfd, &b);
	/* Copy-on-write: every resident page is mapped by both. */
	EXPECT_EQ(MIX_RESIDENT, b.stats.shared_pages);
	/* A write in the source copies its page; the clone keeps its own. */
	ASSERT_EQ(0, mem_fill(self->fd, F + PG, PG, 0x77));
	EXPECT_TRUE(mem_is(nfd, F + PG, PG, MIX_PRIVATE_BYTE));
	SNAP(nfd, &c);
	EXPECT_EQ(MIX_RESIDENT - 1, c.stats.shared_pages);
	/* The shared object keeps the page the clone maps. */
	ASSERT_EQ(0, aspace_munmap(self->fd, F + PAGES(32), PG));
	SNAP(nfd, &c);
	EXPECT_EQ(MIX_RESIDENT - 2, c.stats.shared_pages);
	EXPECT_TRUE(mem_is(nfd, F + PAGES(32), PG, MIX_SHARED_BYTE));
	ASSERT_EQ(0, aspace_mmap(self->fd, F, PAGES(40), P_R,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(0, aspace_brk(self->fd, self->hs, NULL));
	SNAP(nfd, &c);
	/* Only the pages under PROT_NONE are still mapped by the source. */
	EXPECT_EQ(MIX_NONE, c.stats.shared_pages);
	c.stats.shared_pages = b.stats.shared_pages;
	EXPECT_TRUE(snap_equal(&b, &c));
	/* Closing the source leaves the clone whole. */
	close(self->fd);
	self->fd = nfd;
	SNAP(nfd, &c);
	EXPECT_EQ(0, c.stats.shared_pages);
	c.stats.shared_pages = b.stats.shared_pages;
	EXPECT_TRUE(snap_equal(&b, &c));
	EXPECT_EQ(MIX_RESIDENT, sysfs_pages_data());
	EXPECT_TRUE(mem_is(nfd, F, PAGES(4), MIX_PRIVATE_BYTE));
	EXPECT_TRUE(mem_is(nfd, F + PAGES(32), PAGES(3), MIX_SHARED_BYTE));
}

/*
 * A clone of a clone of a clone, copy-on-write, eager, copy-on-write:
 * all equal, all independent.  The first two share the source's private
 * pages, the last two the eager copy's.
 */
TEST_F(cl, chain_of_clones)
{
	static const __u32 flags[4] = { 0, 0, ASPACE_CLONE_EAGER, 0 };
	static struct asp_snap a, b;
	int fds[4];
	int i;

	SNAP(self->fd, &a);
	fds[0] = self->fd;
	for (i = 1; i < 4; i++)
		ASSERT_EQ(0, aspace_clone(fds[i - 1], flags[i], &fds[i]));
	for (i = 0; i < 4; i++) {
		SNAP(fds[i], &b);
		EXPECT_TRUE(vma_lists_equal(&a.vmas, &b.vmas));
		EXPECT_EQ(a.brk, b.brk);
		EXPECT_EQ(MIX_RESIDENT, b.stats.resident_pages);
		EXPECT_EQ(MIX_RESIDENT, b.stats.shared_pages);
		EXPECT_TRUE(mem_is(fds[i], F, PAGES(4), MIX_PRIVATE_BYTE));
	}
	EXPECT_EQ(2 * MIX_PRIVATE + MIX_SHARED, sysfs_pages_data());
	/* A write in one leaves the three others as they were. */
	ASSERT_EQ(0, mem_fill(fds[2], F, PAGES(4), 0x77));
	for (i = 0; i < 4; i++)
		EXPECT_TRUE(mem_is(fds[i], F, PAGES(4),
				   i == 2 ? 0x77 : MIX_PRIVATE_BYTE));
	for (i = 1; i < 4; i++)
		close(fds[i]);
	EXPECT_EQ(MIX_RESIDENT, sysfs_pages_data());
	SNAP(self->fd, &b);
	EXPECT_EQ(0, b.stats.shared_pages);
}

TEST_F(cl, same_layout)
{
	struct aspace_layout a, b;
	__u64 x, y;
	int nfd;

	ASSERT_EQ(0, aspace_clone(self->fd, 0, &nfd));
	ASSERT_EQ(0, aspace_get_layout(self->fd, &a));
	ASSERT_EQ(0, aspace_get_layout(nfd, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	EXPECT_EQ(self->layout, b.flags);
	/* The copy places new mappings as the source does. */

	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(3), P_R, M_PRIV, &x));
	ASSERT_EQ(0, aspace_mmap(nfd, 0, PAGES(3), P_R, M_PRIV, &y));
	EXPECT_EQ(x, y);
	if (self->layout & ASPACE_LAYOUT_LA57) {
		ASSERT_EQ(0, aspace_mmap(nfd, TASK_SIZE_5L - PG, PG, P_R,
					 M_PRIV | M_FIXED, &y));
	} else {
		EXPECT_EQ(-ENOMEM, aspace_mmap(nfd, TASK_SIZE_4L, PG, P_R,
					       M_PRIV | M_FIXED, &y));
	}
	close(nfd);
}

TEST(cloexec_by_default)
{
	int fd, nfd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_clone(fd, 0, &nfd));
	EXPECT_EQ(FD_CLOEXEC, fcntl(nfd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(nfd, F_GETFL) & O_ACCMODE);
	close(nfd);
	ASSERT_EQ(0, aspace_clone(fd, ASPACE_CLONE_NOCLOEXEC, &nfd));
	EXPECT_EQ(0, fcntl(nfd, F_GETFD) & FD_CLOEXEC);
	/* The clone works as a descriptor of its own. */
	EXPECT_EQ(0, aspace_handshake(nfd, NULL, NULL));
	close(nfd);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/* The new descriptor is the lowest free one, as open() would give. */
TEST(clone_fd_is_lowest_free)
{
	int fd, nfd, want;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	want = lowest_free_fd();
	ASSERT_EQ(0, aspace_clone(fd, 0, &nfd));
	EXPECT_EQ(want, nfd);
	close(nfd);
	close(fd);
}

/* A clone's descriptor pins the module like an open one. */
TEST(clone_holds_module_reference)
{
	long long base;
	int fd, nfd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	base = read_sysfs_number("/sys/module/aspace/refcnt");
	ASSERT_LE(1, base);
	ASSERT_EQ(0, aspace_clone(fd, 0, &nfd));
	EXPECT_EQ(base + 1, read_sysfs_number("/sys/module/aspace/refcnt"));
	close(fd);
	EXPECT_EQ(base, read_sysfs_number("/sys/module/aspace/refcnt"));
	close(nfd);
	EXPECT_EQ(base - 1, read_sysfs_number("/sys/module/aspace/refcnt"));
}

TEST(clone_of_empty)
{
	struct aspace_stats st;
	int fd, nfd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_clone(fd, 0, &nfd));
	EXPECT_NO_VMAS(nfd);
	ASSERT_EQ(0, aspace_stats(nfd, &st));
	EXPECT_EQ(0, st.resident_pages);
	EXPECT_TRUE(pgtables_root_only(&st, false));
	EXPECT_EQ(DEF_HEAP_START, get_brk(nfd));
	EXPECT_EQ(2, sysfs_pages_pgtable());
	close(fd);
	close(nfd);
	EXPECT_COUNTERS_ZERO();
}

TEST(unknown_flags_einval)
{
	static const __u32 bad[] = {
		0x4, 0x100, 0x80000000, ASPACE_CLONE_NOCLOEXEC | 0x4,
		ASPACE_CLONE_EAGER | 0x8,
		ASPACE_CLONE_NOCLOEXEC | ASPACE_CLONE_EAGER | 0x80000000,
	};
	struct aspace_clone c;
	unsigned int i;
	int fd, want;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, 0, PG, P_RW, M_PRIV | M_POPULATE, NULL));
	want = lowest_free_fd();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&c, 0, sizeof(c));
		c.size = sizeof(c);
		c.flags = bad[i];
		c.fd = -1;
		EXPECT_EQ(-EINVAL, aspace_ioctl(fd, ASPACE_IOC_CLONE, &c)) {
			TH_LOG("flags %#x", bad[i]);
		}
		EXPECT_EQ(-1, c.fd);
	}
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.reserved = 1;
	EXPECT_EQ(-EINVAL, aspace_ioctl(fd, ASPACE_IOC_CLONE, &c));
	EXPECT_EQ(want, lowest_free_fd());
	EXPECT_EQ(1, sysfs_pages_data());
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/*
 * Over the copy's resident limit: ENOMEM, no descriptor, no page.  The
 * pages a copy-on-write clone shares count as resident in the copy too,
 * so it fails like an eager one, which would copy them.
 */
TEST(resident_limit_enomem)
{
	static const __u32 flags[] = { 0, ASPACE_CLONE_EAGER };
	static struct asp_snap before;
	long long data, tables;
	int fd, nfd = -1, want;
	unsigned int i;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, 0, PAGES(8), P_RW, M_PRIV | M_POPULATE,
				 NULL));
	ASSERT_EQ(0, aspace_mmap(fd, FIXED_AREA, PAGES(8), P_RW,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	/* Like setrlimit(), a lower limit keeps what is there. */
	ASSERT_EQ(0, set_limit(fd, resident_bytes, PAGES(12)));
	SNAP(fd, &before);
	EXPECT_EQ(16, before.stats.resident_pages);
	data = sysfs_pages_data();
	tables = sysfs_pages_pgtable();
	want = lowest_free_fd();
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		EXPECT_EQ(-ENOMEM, aspace_clone(fd, flags[i], &nfd)) {
			TH_LOG("flags %#x", flags[i]);
		}
		EXPECT_EQ(-1, nfd);
		EXPECT_EQ(want, lowest_free_fd());
		EXPECT_EQ(data, sysfs_pages_data());
		EXPECT_EQ(tables, sysfs_pages_pgtable());
		EXPECT_UNCHANGED(fd, &before);
	}
	/* 16 resident pages in the copy: at the limit, fits. */
	ASSERT_EQ(0, set_limit(fd, resident_bytes, PAGES(16)));
	ASSERT_EQ(0, aspace_clone(fd, 0, &nfd));
	EXPECT_EQ(16, sysfs_pages_data());
	close(nfd);
	/* An eager copy allocates its 8 private pages. */
	ASSERT_EQ(0, aspace_clone(fd, ASPACE_CLONE_EAGER, &nfd));
	EXPECT_EQ(24, sysfs_pages_data());
	close(nfd);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/* No descriptor free: EMFILE, and nothing left behind. */
TEST(no_free_descriptor_emfile)
{
	struct rlimit rl;
	long long data;
	int fd, nfd = -1, ret;
	rlim_t old;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, 0, PAGES(4), P_RW, M_PRIV | M_POPULATE,
				 NULL));
	data = sysfs_pages_data();
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	old = rl.rlim_cur;
	rl.rlim_cur = lowest_free_fd();
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	ret = aspace_clone(fd, 0, &nfd);
	rl.rlim_cur = old;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_EQ(-EMFILE, ret);
	EXPECT_EQ(-1, nfd);
	EXPECT_EQ(data, sysfs_pages_data());
	EXPECT_EQ(4, sysfs_pages_data());
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/* A stack layout is cloned with its stack. */
TEST(clone_keeps_stack)
{
	static struct asp_snap a, b;
	const __u64 stack = MAP_WINDOW - DEF_STACK_SIZE;
	struct aspace_layout l;
	int fd, nfd;
	__u64 x;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	memset(&l, 0, sizeof(l));
	l.flags = ASPACE_LAYOUT_STACK | ASPACE_LAYOUT_LA57;
	l.mmap_min_addr = DEF_MMAP_MIN_ADDR;
	ASSERT_EQ(0, aspace_set_layout(fd, &l));
	ASSERT_EQ(0, aspace_clone(fd, 0, &nfd));
	SNAP(fd, &a);
	SNAP(nfd, &b);
	EXPECT_TRUE(snap_equal(&a, &b));
	EXPECT_VMAS(nfd, { stack, MAP_WINDOW, V_RW | V_STACK });
	/* The clone keeps the stack's guard gap too: no hint there. */
	ASSERT_EQ(0, aspace_mmap(nfd, MAP_WINDOW - DEF_STACK_SIZE - PG, PG,
				 P_R, M_PRIV, &x));
	EXPECT_EQ(DEF_MMAP_BASE - PG, x);
	close(nfd);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_HARNESS_MAIN
