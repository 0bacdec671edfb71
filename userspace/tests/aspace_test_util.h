/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the end-to-end tests of /dev/aspace: the layout
 * constants the tests expect, listing every VMA of an address space,
 * comparing listings and whole snapshots (VMAs, counters, layout, limits,
 * break), and reading the module's global page counters from sysfs.
 *
 * Include after kselftest_harness.h: the EXPECT_* and ASSERT_* macros
 * here use the harness.
 *
 * Every test binary runs alone in the guest and every test runs in its
 * own child process, so when a test has closed its descriptors no
 * address space exists: the global page counters must be zero then.
 */
#ifndef _ASPACE_TEST_UTIL_H
#define _ASPACE_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/aspace.h>

#include "libaspace.h"

#define PG			4096ULL
#define PAGES(n)		((__u64)(n) * PG)

/* The x86_64 layout of a process that does not randomise (setarch -R). */
#define TASK_SIZE_4L		((1ULL << 47) - PG)
#define TASK_SIZE_5L		((1ULL << 56) - PG)
#define MAP_WINDOW		TASK_SIZE_4L
#define DEF_MMAP_MIN_ADDR	0x10000ULL
#define DEF_MMAP_BASE		0x7ffff7fff000ULL	/* window - 128 MiB */
#define DEF_LEGACY_BASE		0x2aaaaaaab000ULL	/* window / 3 */
#define DEF_HEAP_START		0x555555555000ULL	/* window / 3 * 2 */
#define DEF_STACK_SIZE		(8ULL << 20)
#define DEF_STACK_GUARD_GAP	0x100000ULL
#define DEF_MAX_MAP_COUNT	65530ULL

#define SYSFS_PAGES_DATA	"/sys/class/misc/aspace/pages_data"
#define SYSFS_PAGES_PGTABLE	"/sys/class/misc/aspace/pages_pgtable"

/* A free place for MAP_FIXED tests in every layout: 4 GiB. */
#define FIXED_AREA		0x100000000ULL

/* Shorthands for ASPACE_VMA_* flags. */
#define V_R		ASPACE_VMA_READ
#define V_W		ASPACE_VMA_WRITE
#define V_X		ASPACE_VMA_EXEC
#define V_S		ASPACE_VMA_SHARED
#define V_RW		(V_R | V_W)
#define V_RWX		(V_R | V_W | V_X)
#define V_HEAP		ASPACE_VMA_HEAP
#define V_STACK		ASPACE_VMA_STACK

#define P_R		ASPACE_PROT_READ
#define P_W		ASPACE_PROT_WRITE
#define P_X		ASPACE_PROT_EXEC
#define P_RW		(P_R | P_W)
#define M_PRIV		ASPACE_MAP_PRIVATE
#define M_SHARED	ASPACE_MAP_SHARED
#define M_FIXED		ASPACE_MAP_FIXED
#define M_NOREPLACE	ASPACE_MAP_FIXED_NOREPLACE
#define M_POPULATE	ASPACE_MAP_POPULATE

#define VMA_LIST_MAX	2048

struct vma_rec {
	__u64 start;
	__u64 end;
	__u64 flags;
	__u64 pgoff;
	__u64 id;
};

struct vma_list {
	unsigned int n;
	struct vma_rec v[VMA_LIST_MAX];
};

/* What a test expects of one VMA. */
struct vma_exp {
	__u64 start;
	__u64 end;
	__u64 flags;
};

/* Everything an ioctl that fails must leave as it was. */
struct asp_snap {
	struct vma_list vmas;
	struct aspace_stats stats;
	struct aspace_layout layout;
	struct aspace_limits limits;
	__u64 brk;
};

static inline long long read_sysfs_number(const char *path)
{
	long long val;
	FILE *f;
	int n;

	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%lld", &val);
	fclose(f);
	return n == 1 ? val : -1;
}

static inline long long sysfs_pages_data(void)
{
	return read_sysfs_number(SYSFS_PAGES_DATA);
}

static inline long long sysfs_pages_pgtable(void)
{
	return read_sysfs_number(SYSFS_PAGES_PGTABLE);
}

/**
 * list_vmas() - every VMA of an address space, by QUERY from 0 upwards
 * Return: 0, or a negative errno (-E2BIG if there are too many).
 */
static inline int list_vmas(int fd, struct vma_list *l)
{
	struct aspace_query q;
	__u64 addr = 0;
	int ret;

	l->n = 0;
	for (;;) {
		ret = aspace_query(fd, addr, ASPACE_QUERY_COVERING_OR_NEXT, &q);
		if (ret == -ENOENT)
			return 0;
		if (ret)
			return ret;
		if (l->n == VMA_LIST_MAX)
			return -E2BIG;
		if (q.vma_end <= q.vma_start || q.vma_end <= addr)
			return -EPROTO;
		l->v[l->n].start = q.vma_start;
		l->v[l->n].end = q.vma_end;
		l->v[l->n].flags = q.vma_flags;
		l->v[l->n].pgoff = q.vma_page_offset;
		l->v[l->n].id = q.vma_id;
		l->n++;
		addr = q.vma_end;
	}
}

static inline void vma_flags_str(__u64 f, char *buf)
{
	buf[0] = f & V_R ? 'r' : '-';
	buf[1] = f & V_W ? 'w' : '-';
	buf[2] = f & V_X ? 'x' : '-';
	buf[3] = f & V_S ? 's' : 'p';
	buf[4] = '\0';
	if (f & V_HEAP)
		strcat(buf, " [heap]");
	if (f & V_STACK)
		strcat(buf, " [stack]");
}

static inline void dump_vmas(const char *what, const struct vma_list *l)
{
	char flags[32];
	unsigned int i;

	fprintf(stderr, "# %s: %u VMAs\n", what, l->n);
	for (i = 0; i < l->n; i++) {
		vma_flags_str(l->v[i].flags, flags);
		fprintf(stderr, "#   %012llx-%012llx %s off %llx id %llu\n",
			(unsigned long long)l->v[i].start,
			(unsigned long long)l->v[i].end, flags,
			(unsigned long long)l->v[i].pgoff,
			(unsigned long long)l->v[i].id);
	}
}

static inline void dump_exp(const struct vma_exp *e, unsigned int n)
{
	char flags[32];
	unsigned int i;

	fprintf(stderr, "# expected: %u VMAs\n", n);
	for (i = 0; i < n; i++) {
		vma_flags_str(e[i].flags, flags);
		fprintf(stderr, "#   %012llx-%012llx %s\n",
			(unsigned long long)e[i].start,
			(unsigned long long)e[i].end, flags);
	}
}

/* Same VMAs, flags, offsets and object ids?  Prints both if not. */
static inline bool vma_lists_equal(const struct vma_list *a,
				   const struct vma_list *b)
{
	bool eq = a->n == b->n;
	unsigned int i;

	for (i = 0; eq && i < a->n; i++)
		eq = !memcmp(&a->v[i], &b->v[i], sizeof(a->v[i]));
	if (!eq) {
		dump_vmas("before", a);
		dump_vmas("after", b);
	}
	return eq;
}

/* Does the listing of @fd match @exp (start, end, flags)? */
static inline bool vmas_match(int fd, const struct vma_exp *exp,
			      unsigned int n)
{
	static struct vma_list l;
	unsigned int i;
	bool eq;
	int ret;

	ret = list_vmas(fd, &l);
	if (ret) {
		fprintf(stderr, "# listing the VMAs: %s\n", strerror(-ret));
		return false;
	}
	eq = l.n == n;
	for (i = 0; eq && i < n; i++)
		eq = l.v[i].start == exp[i].start && l.v[i].end == exp[i].end &&
		     l.v[i].flags == exp[i].flags;
	if (!eq) {
		dump_exp(exp, n);
		dump_vmas("listed", &l);
	}
	return eq;
}

#define EXPECT_VMAS(fd, ...) do {					\
	const struct vma_exp __vexp[] = { __VA_ARGS__ };			\
	EXPECT_TRUE(vmas_match(fd, __vexp, ARRAY_SIZE(__vexp)));		\
} while (0)

#define EXPECT_NO_VMAS(fd) EXPECT_TRUE(vmas_match(fd, NULL, 0))

static inline int snap_take(int fd, struct asp_snap *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = list_vmas(fd, &s->vmas);
	if (!ret)
		ret = aspace_stats(fd, &s->stats);
	if (!ret)
		ret = aspace_get_layout(fd, &s->layout);
	if (!ret)
		ret = aspace_get_limits(fd, &s->limits);
	if (!ret)
		ret = aspace_brk(fd, 0, &s->brk);
	return ret;
}

static inline bool snap_equal(const struct asp_snap *a,
			      const struct asp_snap *b)
{
	bool eq = true;

	if (!vma_lists_equal(&a->vmas, &b->vmas)) {
		fprintf(stderr, "# the VMAs changed\n");
		eq = false;
	}
	if (memcmp(&a->stats, &b->stats, sizeof(a->stats))) {
		fprintf(stderr,
			"# stats changed: vmas %llu->%llu mapped %llu->%llu resident %llu->%llu pt %llu->%llu\n",
			(unsigned long long)a->stats.nr_vmas,
			(unsigned long long)b->stats.nr_vmas,
			(unsigned long long)a->stats.mapped_bytes,
			(unsigned long long)b->stats.mapped_bytes,
			(unsigned long long)a->stats.resident_pages,
			(unsigned long long)b->stats.resident_pages,
			(unsigned long long)a->stats.pgtable_pages[0],
			(unsigned long long)b->stats.pgtable_pages[0]);
		eq = false;
	}
	if (memcmp(&a->layout, &b->layout, sizeof(a->layout))) {
		fprintf(stderr, "# the layout changed\n");
		eq = false;
	}
	if (memcmp(&a->limits, &b->limits, sizeof(a->limits))) {
		fprintf(stderr, "# the limits changed\n");
		eq = false;
	}
	if (a->brk != b->brk) {
		fprintf(stderr, "# brk changed: %llx -> %llx\n",
			(unsigned long long)a->brk, (unsigned long long)b->brk);
		eq = false;
	}
	return eq;
}

/* Take a snapshot into @s (a struct asp_snap *); assert it worked. */
#define SNAP(fd, s) ASSERT_EQ(0, snap_take(fd, s))

/* Nothing of @fd changed since the snapshot @s. */
#define EXPECT_UNCHANGED(fd, s) do {					\
	static struct asp_snap __snow;					\
	ASSERT_EQ(0, snap_take(fd, &__snow));				\
	EXPECT_TRUE(snap_equal(s, &__snow));				\
} while (0)

/* No address space exists any more: the module holds no page. */
#define EXPECT_COUNTERS_ZERO() do {					\
	EXPECT_EQ(0, sysfs_pages_data());				\
	EXPECT_EQ(0, sysfs_pages_pgtable());				\
} while (0)

/* Root-only page tables: 4 levels [0,0,0,1,0], 5 levels [0,0,0,0,1]. */
static inline bool pgtables_root_only(const struct aspace_stats *st,
				      bool la57)
{
	static const __u64 four[5] = { 0, 0, 0, 1, 0 };
	static const __u64 five[5] = { 0, 0, 0, 0, 1 };

	return !memcmp(st->pgtable_pages, la57 ? five : four,
		       sizeof(four));
}

static inline __u64 pgtables_total(const struct aspace_stats *st)
{
	unsigned int i;
	__u64 n = 0;

	for (i = 0; i < 5; i++)
		n += st->pgtable_pages[i];
	return n;
}

/* The defaults GET_LAYOUT reports for @flags (an empty SET_LAYOUT). */
static inline void layout_expected(__u32 flags, struct aspace_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->size = sizeof(*l);
	l->flags = flags;
	l->mmap_min_addr = DEF_MMAP_MIN_ADDR;
	l->mmap_base = flags & ASPACE_LAYOUT_LEGACY ? DEF_LEGACY_BASE :
						      DEF_MMAP_BASE;
	l->heap_start = DEF_HEAP_START;
	l->stack_size = DEF_STACK_SIZE;
	l->stack_guard_gap = DEF_STACK_GUARD_GAP;
	l->task_size = flags & ASPACE_LAYOUT_LA57 ? TASK_SIZE_5L :
						    TASK_SIZE_4L;
}

/* SET_LAYOUT with the given flags and every other field default. */
static inline int set_layout_flags(int fd, __u32 flags)
{
	struct aspace_layout l;

	memset(&l, 0, sizeof(l));
	l.flags = flags;
	l.mmap_min_addr = DEF_MMAP_MIN_ADDR;
	return aspace_set_layout(fd, &l);
}

/* Open a fresh address space with a layout (0: keep the default). */
static inline int open_layout(__u32 flags)
{
	int fd, ret;

	fd = aspace_open(0);
	if (fd < 0 || !flags)
		return fd;
	ret = set_layout_flags(fd, flags);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static inline int set_max_map_count(int fd, __u64 n)
{
	struct aspace_limits lim;
	int ret;

	ret = aspace_get_limits(fd, &lim);
	if (ret)
		return ret;
	lim.max_map_count = n;
	return aspace_set_limits(fd, &lim);
}

static inline int set_limit_field(int fd, size_t off, __u64 val)
{
	struct aspace_limits lim;
	int ret;

	ret = aspace_get_limits(fd, &lim);
	if (ret)
		return ret;
	memcpy((char *)&lim + off, &val, sizeof(val));
	return aspace_set_limits(fd, &lim);
}

#define set_limit(fd, field, val) \
	set_limit_field(fd, offsetof(struct aspace_limits, field), val)

static inline __u64 get_brk(int fd)
{
	__u64 brk = 0;

	if (aspace_brk(fd, 0, &brk))
		return 0;
	return brk;
}

/* brk(@brk) on @fd: the break it returns, 0 if the ioctl failed. */
static inline __u64 set_brk(int fd, __u64 brk)
{
	__u64 got = 0;

	if (aspace_brk(fd, brk, &got))
		return 0;
	return got;
}

/* The lowest descriptor number free now (what the next open gets). */
static inline int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

/*
 * The four layouts key tests run in: 4- and 5-level paging, top-down
 * (the default) and legacy bottom-up, as FIXTURE_VARIANT_ADD()s whose
 * variant has a __u32 layout member.
 */
#define LAYOUT_TOPDOWN_4L	0
#define LAYOUT_TOPDOWN_5L	ASPACE_LAYOUT_LA57
#define LAYOUT_LEGACY_4L	ASPACE_LAYOUT_LEGACY
#define LAYOUT_LEGACY_5L	(ASPACE_LAYOUT_LA57 | ASPACE_LAYOUT_LEGACY)

#endif /* _ASPACE_TEST_UTIL_H */
