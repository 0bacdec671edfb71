/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the end-to-end tests of /dev/aspace: the layout
 * constants the tests expect, listing every VMA of an address space,
 * comparing listings and whole snapshots (VMAs, counters, layout, limits,
 * break), reading and writing an address space's memory with pread(2) and
 * pwrite(2), and reading the module's global page counters from sysfs.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

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
#define DEF_STACK_SIZE		(128ULL << 10)	/* what the stack starts with */
#define DEF_STACK_LIMIT		(8ULL << 20)	/* RLIMIT_STACK */
#define DEF_STACK_GUARD_GAP	0x100000ULL
#define DEF_MAX_MAP_COUNT	65530ULL

#define SYSFS_PAGES_DATA	"/sys/class/misc/aspace/pages_data"
#define SYSFS_PAGES_PGTABLE	"/sys/class/misc/aspace/pages_pgtable"

/*
 * Is the guest's kernel, the one aspace is built for, Linux @maj.@min or
 * later?  Where Linux changed a rule between 6.1 and 6.12, aspace follows
 * that kernel, and so does what a test expects.  False if unknown.
 */
static inline bool linux_since(unsigned int maj, unsigned int min)
{
	unsigned int a, b;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u", &a, &b) != 2)
		return false;
	return a > maj || (a == maj && b >= min);
}

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
 * Write @len bytes of @byte at @addr of the address space behind @fd with
 * pwrite(2), by the rules of /proc/PID/mem: the protection is ignored and
 * a private page gets a copy of its own (the zero page or a page shared
 * copy-on-write is replaced by a new one), as a forced write does.
 * Return: 0, or a negative errno (-EIO if nothing was written).
 */
static inline int mem_fill(int fd, __u64 addr, __u64 len, unsigned char byte)
{
	unsigned char buf[512];
	size_t chunk;
	ssize_t n;

	memset(buf, byte, sizeof(buf));
	while (len) {
		chunk = len < sizeof(buf) ? len : sizeof(buf);
		n = pwrite(fd, buf, chunk, (off_t)addr);
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		addr += n;
		len -= n;
	}
	return 0;
}

/* Do the @len bytes at @addr of @fd all read @byte (pread(2))? */
static inline bool mem_is(int fd, __u64 addr, __u64 len, unsigned char byte)
{
	unsigned char buf[512];
	size_t chunk, i;
	ssize_t n;

	while (len) {
		chunk = len < sizeof(buf) ? len : sizeof(buf);
		n = pread(fd, buf, chunk, (off_t)addr);
		if (n <= 0)
			return false;
		for (i = 0; i < (size_t)n; i++)
			if (buf[i] != byte)
				return false;
		addr += n;
		len -= n;
	}
	return true;
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

/*
 * Comparing with Linux.  A script of calls (struct lx_step) runs twice:
 * in a forked child on its own address space, with the real system calls,
 * and on a descriptor.  After each call the result and the VMAs in a
 * window around the script's base address are recorded (struct lx_trace:
 * /proc/self/maps in the child, ASPACE_IOC_QUERY on the descriptor),
 * relative to the base, and the two traces must be the same.
 *
 * The child makes no other mapping (it reads /proc with read(2) into a
 * static buffer and never calls malloc()), so the window holds only what
 * the script made.  It changes no state of the test process.
 */

enum lx_op {
	LX_MMAP,	/* mmap(base + off, len, prot, flags | MAP_FIXED) */
	LX_MUNMAP,	/* munmap(base + off, len) */
	LX_MPROTECT,	/* mprotect(base + off, len, prot) */
	LX_BRK,		/* brk(base + off); the result is the break - base */
	LX_DATA_ROOM,	/* RLIMIT_DATA, data_bytes: the data now + len */
	LX_VMA_ROOM,	/* vm.max_map_count, max_map_count: VMAs now + len */
	LX_TOUCH,	/* a store to every page of [base + off, + len) */
};

/* One call of a script. */
struct lx_step {
	enum lx_op op;
	long long off;
	__u64 len;
	__u32 prot;
	__u32 flags;
};

#define LX_MMAP_AT(o, l, p, f)	{ LX_MMAP, (o), (l), (p), (f) }
#define LX_MUNMAP_AT(o, l)	{ LX_MUNMAP, (o), (l), 0, 0 }
#define LX_MPROTECT_AT(o, l, p)	{ LX_MPROTECT, (o), (l), (p), 0 }
#define LX_BRK_AT(o)		{ LX_BRK, (o), 0, 0, 0 }
#define LX_DATA_ROOM(bytes)	{ LX_DATA_ROOM, 0, (bytes), 0, 0 }
#define LX_VMA_ROOM(n)		{ LX_VMA_ROOM, 0, (n), 0, 0 }
#define LX_TOUCH_AT(o, l)	{ LX_TOUCH, (o), (l), 0, 0 }

#define LX_MAX_STEPS	12
#define LX_MAX_VMAS	16

/* A VMA in a trace: bytes from the base, V_* flags. */
struct lx_vma {
	long long start;
	long long end;
	__u64 flags;
};

/**
 * struct lx_trace - what a script did
 * @nsteps: calls made
 * @error: non-zero if the trace could not be taken (then @msg says why)
 * @ret: each call's result: 0 or -errno, the break less the base for brk
 * @nvmas: VMAs in the window after each call
 * @vma: those VMAs, clipped to the window
 * @msg: what went wrong
 */
struct lx_trace {
	unsigned int nsteps;
	int error;
	long long ret[LX_MAX_STEPS];
	unsigned int nvmas[LX_MAX_STEPS];
	struct lx_vma vma[LX_MAX_STEPS][LX_MAX_VMAS];
	char msg[128];
};

/**
 * struct lx_script - calls to make and where to look
 * @steps: the calls
 * @nsteps: how many
 * @win_lo: the window starts this many bytes from the base (may be < 0)
 * @win_hi: and ends this many bytes from it
 * @heap: the base is the break (page aligned); else a free range of the
 *	window's size (the child's is found by mmap(), then unmapped)
 */
struct lx_script {
	const struct lx_step *steps;
	unsigned int nsteps;
	long long win_lo;
	long long win_hi;
	bool heap;
};

/* Read a whole /proc or /sys file into @buf (NUL-terminated): its length. */
static inline long lx_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len < size - 1 ? (long)len : -E2BIG;
}

static inline int lx_write_file(const char *path, const char *text)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static char lx_buf[1 << 16];

/* V_* flags for a line of /proc/PID/maps: its perms and its name. */
static inline __u64 lx_maps_flags(const char *perms, const char *name)
{
	__u64 f = 0;

	f |= perms[0] == 'r' ? V_R : 0;
	f |= perms[1] == 'w' ? V_W : 0;
	f |= perms[2] == 'x' ? V_X : 0;
	f |= perms[3] == 's' ? V_S : 0;
	f |= !strncmp(name, "[heap]", 6) ? V_HEAP : 0;
	f |= !strncmp(name, "[stack]", 7) ? V_STACK : 0;
	return f;
}

/* Append [start, end) clipped to [lo, hi) to @t's VMAs of step @i. */
static inline int lx_add_vma(struct lx_trace *t, unsigned int i, __u64 base,
			     __u64 lo, __u64 hi, __u64 start, __u64 end,
			     __u64 flags)
{
	struct lx_vma *v;

	if (end <= lo || start >= hi)
		return 0;
	if (t->nvmas[i] == LX_MAX_VMAS)
		return -E2BIG;
	v = &t->vma[i][t->nvmas[i]++];
	v->start = (long long)((start < lo ? lo : start) - base);
	v->end = (long long)((end > hi ? hi : end) - base);
	v->flags = flags;
	return 0;
}

/* The child's VMAs in [lo, hi), from /proc/self/maps, into step @i. */
static inline int lx_trace_linux(struct lx_trace *t, unsigned int i,
				 __u64 base, __u64 lo, __u64 hi)
{
	unsigned long long start, end;
	char perms[5], *line, *nl;
	long len;
	int name;

	len = lx_read_file("/proc/self/maps", lx_buf, sizeof(lx_buf));
	if (len < 0)
		return (int)len;
	t->nvmas[i] = 0;
	for (line = lx_buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			return -EPROTO;
		*nl = '\0';
		name = 0;
		if (sscanf(line, "%llx-%llx %4s %*s %*s %*s %n", &start, &end,
			   perms, &name) < 3 || !name)
			return -EPROTO;
		if (lx_add_vma(t, i, base, lo, hi, start, end,
			       lx_maps_flags(perms, line + name)))
			return -E2BIG;
	}
	return 0;
}

/* The descriptor's VMAs in [lo, hi), by QUERY, into step @i. */
static inline int lx_trace_aspace(int fd, struct lx_trace *t, unsigned int i,
				  __u64 base, __u64 lo, __u64 hi)
{
	static struct vma_list l;
	unsigned int j;
	int ret;

	ret = list_vmas(fd, &l);
	if (ret)
		return ret;
	t->nvmas[i] = 0;
	for (j = 0; j < l.n; j++)
		if (lx_add_vma(t, i, base, lo, hi, l.v[j].start, l.v[j].end,
			       l.v[j].flags))
			return -E2BIG;
	return 0;
}

/* VMAs of this process: lines of /proc/self/maps but the vsyscall page. */
static inline long lx_linux_vma_count(void)
{
	long len, n = 0;
	char *p;

	len = lx_read_file("/proc/self/maps", lx_buf, sizeof(lx_buf));
	if (len < 0)
		return len;
	for (p = lx_buf; (p = strchr(p, '\n')); p++)
		n++;
	return strstr(lx_buf, "[vsyscall]") ? n - 1 : n;
}

/* Bytes of data (VmData of /proc/self/status). */
static inline long long lx_linux_data_bytes(void)
{
	long long kb;
	char *p;
	long len;

	len = lx_read_file("/proc/self/status", lx_buf, sizeof(lx_buf));
	if (len < 0)
		return len;
	p = strstr(lx_buf, "\nVmData:");
	if (!p || sscanf(p, "\nVmData: %lld kB", &kb) != 1)
		return -EPROTO;
	return kb << 10;
}

#define LX_MAX_MAP_COUNT	"/proc/sys/vm/max_map_count"

static inline long long lx_linux_room(const struct lx_step *s)
{
	struct rlimit rl;
	long long have;
	char num[32];

	if (s->op == LX_VMA_ROOM) {
		have = lx_linux_vma_count();
		if (have < 0)
			return have;
		snprintf(num, sizeof(num), "%lld\n", have + (long long)s->len);
		return lx_write_file(LX_MAX_MAP_COUNT, num);
	}
	have = lx_linux_data_bytes();
	if (have < 0 || getrlimit(RLIMIT_DATA, &rl))
		return have < 0 ? have : -errno;
	rl.rlim_cur = have + s->len;
	return setrlimit(RLIMIT_DATA, &rl) ? -errno : 0;
}

/* One call of a script on the child's own address space. */
static inline long long lx_linux_step(const struct lx_step *s, __u64 base)
{
	void *addr = (void *)(uintptr_t)(base + s->off);

	switch (s->op) {
	case LX_MMAP:
		return mmap(addr, s->len, s->prot,
			    s->flags | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		       MAP_FAILED ? -errno : 0;
	case LX_MUNMAP:
		return munmap(addr, s->len) ? -errno : 0;
	case LX_MPROTECT:
		return mprotect(addr, s->len, s->prot) ? -errno : 0;
	case LX_BRK:
		return (long long)(syscall(SYS_brk, addr) - (long)base);
	case LX_TOUCH:
		for (__u64 i = 0; i < s->len; i += PG)
			((char *)addr)[i] = 1;
		/* The stores happen before the layout is read. */
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		return 0;
	default:
		return lx_linux_room(s);
	}
}

/* A store to every page of [@addr, @addr + @len) through ACCESS. */
static inline long long lx_aspace_touch(int fd, __u64 addr, __u64 len)
{
	struct aspace_access a = {
		.size = sizeof(a), .kind = ASPACE_ACCESS_WRITE,
		.addr = addr, .length = len,
	};
	int ret = aspace_ioctl(fd, ASPACE_IOC_ACCESS, &a);

	if (ret)
		return ret;
	return a.signo ? -EFAULT : 0;
}

/* One call of a script on a descriptor. */
static inline long long lx_aspace_step(int fd, const struct lx_step *s,
				       __u64 base)
{
	struct aspace_stats st;
	__u64 got = 0;
	int ret;

	switch (s->op) {
	case LX_MMAP:
		return aspace_mmap(fd, base + s->off, s->len, s->prot,
				   s->flags | M_FIXED, NULL);
	case LX_MUNMAP:
		return aspace_munmap(fd, base + s->off, s->len);
	case LX_MPROTECT:
		return aspace_mprotect(fd, base + s->off, s->len, s->prot);
	case LX_BRK:
		ret = aspace_brk(fd, base + s->off, &got);
		return ret ? ret : (long long)(got - base);
	case LX_TOUCH:
		return lx_aspace_touch(fd, base + s->off, s->len);
	default:
		ret = aspace_stats(fd, &st);
		if (ret)
			return ret;
		if (s->op == LX_VMA_ROOM)
			return set_max_map_count(fd, st.nr_vmas + s->len);
		return set_limit(fd, data_bytes, st.data_bytes + s->len);
	}
}

/* Run @sc at @base on @fd, or on this process if @fd < 0, into @t. */
static inline void lx_run(const struct lx_script *sc, int fd, __u64 base,
			  struct lx_trace *t)
{
	__u64 lo = base + sc->win_lo, hi = base + sc->win_hi;
	unsigned int i;
	int ret;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < sc->nsteps && i < LX_MAX_STEPS; i++) {
		if (fd < 0) {
			t->ret[i] = lx_linux_step(&sc->steps[i], base);
			ret = lx_trace_linux(t, i, base, lo, hi);
		} else {
			t->ret[i] = lx_aspace_step(fd, &sc->steps[i], base);
			ret = lx_trace_aspace(fd, t, i, base, lo, hi);
		}
		t->nsteps = i + 1;
		if (ret) {
			t->error = ret;
			snprintf(t->msg, sizeof(t->msg),
				 "listing the VMAs after step %u: %s", i,
				 strerror(-ret));
			return;
		}
	}
}

/* The child's base: the break made page aligned, or a free range. */
static inline int lx_linux_base(const struct lx_script *sc, __u64 *base)
{
	unsigned long cur;
	void *p;

	if (sc->heap) {
		cur = syscall(SYS_brk, 0);
		*base = (cur + PG - 1) & ~(PG - 1);
		return (unsigned long)syscall(SYS_brk, *base) == *base ?
		       0 : -ENOMEM;
	}
	p = mmap(NULL, sc->win_hi - sc->win_lo, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	munmap(p, sc->win_hi - sc->win_lo);
	*base = (uintptr_t)p - sc->win_lo;
	return 0;
}

/*
 * Run @sc in a forked child, on Linux, into @t (shared memory).  A script
 * that sets vm.max_map_count (LX_VMA_ROOM) changes it for the whole
 * guest for a moment: it is put back once the child is done.
 *
 * Return: 0, or a negative errno if the child could not run.
 */
static inline int lx_run_linux(const struct lx_script *sc, struct lx_trace *t)
{
	char saved[32];
	int status, ret;
	__u64 base = 0;
	pid_t pid;

	ret = lx_read_file(LX_MAX_MAP_COUNT, saved, sizeof(saved));
	if (ret < 0)
		return ret;
	memset(t, 0, sizeof(*t));
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		ret = lx_linux_base(sc, &base);
		if (ret) {
			t->error = ret;
			snprintf(t->msg, sizeof(t->msg), "no base: %s",
				 strerror(-ret));
		} else {
			lx_run(sc, -1, base, t);
		}
		lx_write_file(LX_MAX_MAP_COUNT, saved);
		_exit(0);
	}
	ret = waitpid(pid, &status, 0) == pid ? 0 : -errno;
	lx_write_file(LX_MAX_MAP_COUNT, saved);
	if (!ret && (!WIFEXITED(status) || WEXITSTATUS(status)))
		ret = -ECHILD;
	return ret;
}

static inline void lx_dump_step(const char *who, const struct lx_trace *t,
				unsigned int i)
{
	char flags[32];
	unsigned int j;

	fprintf(stderr, "#   %s: returned %lld, %u VMAs\n", who, t->ret[i],
		t->nvmas[i]);
	for (j = 0; j < t->nvmas[i]; j++) {
		vma_flags_str(t->vma[i][j].flags, flags);
		fprintf(stderr, "#     %+lld..%+lld (pages %+lld..%+lld) %s\n",
			t->vma[i][j].start, t->vma[i][j].end,
			t->vma[i][j].start / (long long)PG,
			t->vma[i][j].end / (long long)PG, flags);
	}
}

/* Did the descriptor do what Linux did, call after call?  Prints if not. */
static inline bool lx_traces_equal(const struct lx_trace *lx,
				   const struct lx_trace *as)
{
	unsigned int i;

	if (lx->error || as->error) {
		fprintf(stderr, "# trace failed: Linux: %s; aspace: %s\n",
			lx->msg, as->msg);
		return false;
	}
	if (lx->nsteps != as->nsteps) {
		fprintf(stderr, "# %u calls on Linux, %u on aspace\n",
			lx->nsteps, as->nsteps);
		return false;
	}
	for (i = 0; i < lx->nsteps; i++) {
		if (lx->ret[i] == as->ret[i] && lx->nvmas[i] == as->nvmas[i] &&
		    !memcmp(lx->vma[i], as->vma[i],
			    lx->nvmas[i] * sizeof(lx->vma[i][0])))
			continue;
		fprintf(stderr, "# call %u differs:\n", i);
		lx_dump_step("Linux", lx, i);
		lx_dump_step("aspace", as, i);
		return false;
	}
	return true;
}

/* Does the last call of @t match @ret and @exp (bytes from the base)? */
static inline bool lx_trace_ends(const struct lx_trace *t, long long ret,
				 const struct lx_vma *exp, unsigned int n)
{
	unsigned int last = t->nsteps - 1;

	if (t->nsteps && t->ret[last] == ret && t->nvmas[last] == n &&
	    (!n || !memcmp(t->vma[last], exp, n * sizeof(*exp))))
		return true;
	fprintf(stderr, "# expected: returned %lld, %u VMAs\n", ret, n);
	if (t->nsteps)
		lx_dump_step("got", t, last);
	return false;
}

/**
 * struct lx_case - a script, and what its last call must leave
 * @name: what it shows
 * @steps: the calls (LX_STEPS())
 * @nsteps: how many
 * @ret: the last call's result
 * @vmas: the VMAs in the window after it (LX_VMAS(); none if left out)
 * @nvmas: how many
 */
struct lx_case {
	const char *name;
	const struct lx_step *steps;
	unsigned int nsteps;
	long long ret;
	const struct lx_vma *vmas;
	unsigned int nvmas;
};

#define LX_STEPS(...)							\
	.steps = (const struct lx_step[]){ __VA_ARGS__ },		\
	.nsteps = sizeof((const struct lx_step[]){ __VA_ARGS__ }) /	\
		  sizeof(struct lx_step)

#define LX_VMAS(...)							\
	.vmas = (const struct lx_vma[]){ __VA_ARGS__ },			\
	.nvmas = sizeof((const struct lx_vma[]){ __VA_ARGS__ }) /	\
		 sizeof(struct lx_vma)

/*
 * Run each case on Linux (a forked child) and on a new descriptor with
 * @layout (ASPACE_LAYOUT_*) at @base: both must do the same, call after
 * call, and end as the case says.  @sc gives the window and the base.
 */
static inline void lx_check_cases(struct __test_metadata *_metadata,
				  const struct lx_case *cases, unsigned int n,
				  struct lx_script sc, __u32 layout, __u64 base)
{
	static struct lx_trace as;
	struct lx_trace *lx;
	unsigned int i;
	int fd;

	lx = mmap(NULL, sizeof(*lx), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, lx);
	for (i = 0; i < n; i++) {
		sc.steps = cases[i].steps;
		sc.nsteps = cases[i].nsteps;
		ASSERT_EQ(0, lx_run_linux(&sc, lx)) {
			TH_LOG("%s", cases[i].name);
		}
		fd = open_layout(layout);
		ASSERT_LE(0, fd);
		lx_run(&sc, fd, base, &as);
		close(fd);
		EXPECT_TRUE(lx_traces_equal(lx, &as)) {
			TH_LOG("%s: aspace differs from Linux", cases[i].name);
		}
		EXPECT_TRUE(lx_trace_ends(&as, cases[i].ret, cases[i].vmas,
					  cases[i].nvmas)) {
			TH_LOG("%s: not the result expected", cases[i].name);
		}
	}
	munmap(lx, sizeof(*lx));
}

/* Send one descriptor over a UNIX socket (SCM_RIGHTS): 0 or -1. */
static inline int send_fd(int sock, int fd)
{
	char data = 0, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm;

	memset(ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* Receive one descriptor sent by send_fd(): the descriptor or -1. */
static inline int recv_fd(int sock)
{
	char data, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

#endif /* _ASPACE_TEST_UTIL_H */
