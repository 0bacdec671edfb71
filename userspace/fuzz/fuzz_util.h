/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the fuzzer (aspace_fuzz) and the stress run
 * (aspace_stress) of /dev/aspace: a seeded random generator, a VMA
 * listing by ASPACE_IOC_QUERY, the checks that the listing and
 * ASPACE_IOC_STATS agree, the module's counters in sysfs, errno counting
 * for the summary and a ring of the last operations for failure reports.
 *
 * Neither program uses the kselftest harness: both print TAP themselves
 * (scripts/qemu-run.sh --tests parses it) and run for a bounded time.
 */
#ifndef _ASPACE_FUZZ_UTIL_H
#define _ASPACE_FUZZ_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/aspace.h>

/* The build defines __printf() as the format attribute (for -Wformat). */
#ifndef __printf
#define __printf(a, b)
#endif

#define PG		4096ULL
#define PAGES(n)	((__u64)(n) * PG)
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

#define SYSFS_DIR	"/sys/class/misc/aspace/"

/* The four module counters, in this order. */
#define NR_COUNTERS	4
static const char * const fz_counter_names[NR_COUNTERS] = {
	"pages_data", "pages_pgtable", "vmas", "address_spaces",
};

/* Every ASPACE_VMA_* flag the module may report. */
#define FZ_VMA_KNOWN	(ASPACE_VMA_READ | ASPACE_VMA_WRITE |		\
			 ASPACE_VMA_EXEC | ASPACE_VMA_SHARED |		\
			 ASPACE_VMA_HEAP | ASPACE_VMA_STACK |		\
			 ASPACE_VMA_DONTFORK | ASPACE_VMA_WIPEONFORK)

/* ------------------------------------------------------------------ */
/* Random numbers: xorshift64*, one state per thread. */

static inline __u64 fz_rand(__u64 *s)
{
	__u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* A well-mixed non-zero state from a seed and a stream number. */
static inline __u64 fz_seed_state(__u64 seed, __u64 stream)
{
	__u64 z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1;
}

/* Uniform in [0, n); n > 0. */
static inline __u64 fz_below(__u64 *s, __u64 n)
{
	return fz_rand(s) % n;
}

/* True once in @n calls. */
static inline bool fz_one_in(__u64 *s, __u64 n)
{
	return fz_below(s, n) == 0;
}

static inline __u64 fz_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* The module's counters. */

static inline long long fz_read_counter(const char *name)
{
	char path[128];
	long long val;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), SYSFS_DIR "%s", name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fscanf(f, "%lld", &val);
	fclose(f);
	return n == 1 ? val : -1;
}

static inline void fz_read_counters(long long c[NR_COUNTERS])
{
	unsigned int i;

	for (i = 0; i < NR_COUNTERS; i++)
		c[i] = fz_read_counter(fz_counter_names[i]);
}

/*
 * Wait until every counter is zero (the last fput may finish a moment
 * after the close that dropped it, on another task's way out).  Returns
 * true if they all are; @c gets the last values read.
 */
static inline bool fz_counters_zero(long long c[NR_COUNTERS],
				    unsigned int wait_ms)
{
	__u64 end = fz_now_ms() + wait_ms;
	unsigned int i;
	bool zero;

	for (;;) {
		fz_read_counters(c);
		zero = true;
		for (i = 0; i < NR_COUNTERS; i++)
			zero &= c[i] == 0;
		if (zero || fz_now_ms() >= end)
			return zero;
		usleep(20000);
	}
}

/*
 * The end of a program's TAP: test 2, every descriptor closed and the
 * module's counters back at zero (within @wait_ms), then the totals.
 * @npass: how many of the two passed so far.  Returns the exit status.
 */
static inline int fz_tap_finish(int npass, unsigned int wait_ms)
{
	long long c[NR_COUNTERS];

	if (fz_counters_zero(c, wait_ms)) {
		printf("ok 2 counters zero\n");
		npass++;
	} else {
		printf("# module counters after the run: pages_data %lld "
		       "pages_pgtable %lld vmas %lld address_spaces %lld\n",
		       c[0], c[1], c[2], c[3]);
		printf("not ok 2 counters zero\n");
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       npass, 2 - npass);
	return npass == 2 ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* Errno counting for the summary. */

#define FZ_NERR		140

struct fz_errs {
	unsigned long n[FZ_NERR];	/* [0]: successes */
};

static inline void fz_count_err(struct fz_errs *e, int err)
{
	if (err < 0)
		err = -err;
	if (err >= FZ_NERR)
		err = FZ_NERR - 1;
	e->n[err]++;
}

static inline const char *fz_errname(int err)
{
	static const struct { int e; const char *name; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
		{ EIO, "EIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { EINVAL, "EINVAL" },
		{ EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
		{ ESPIPE, "ESPIPE" }, { EOVERFLOW, "EOVERFLOW" },
		{ ENOTSOCK, "ENOTSOCK" },
	};
	static __thread char buf[16];
	unsigned int i;

	if (err < 0)
		err = -err;
	for (i = 0; i < ARRAY_LEN(names); i++)
		if (names[i].e == err)
			return names[i].name;
	snprintf(buf, sizeof(buf), "errno%d", err);
	return buf;
}

/* "EINVAL 12, EFAULT 3" into @buf: the errors of @e, most frequent first. */
static inline void fz_errs_str(const struct fz_errs *e, char *buf, size_t len)
{
	bool done[FZ_NERR] = { false };
	size_t off = 0;
	unsigned int i, best;

	buf[0] = '\0';
	for (;;) {
		best = 0;
		for (i = 1; i < FZ_NERR; i++)
			if (!done[i] && e->n[i] && (!best || e->n[i] > e->n[best]))
				best = i;
		if (!best)
			break;
		done[best] = true;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s %lu",
				off ? ", " : "", fz_errname(best), e->n[best]);
	}
	if (!off)
		snprintf(buf, len, "none");
}

/* ------------------------------------------------------------------ */
/* The last operations of a thread, for a failure report. */

#define FZ_LOG_LEN	64
#define FZ_LOG_LINE	200

struct fz_log {
	unsigned long n;		/* operations logged so far */
	char line[FZ_LOG_LEN][FZ_LOG_LINE];
};

static inline void __printf(2, 3)
fz_log(struct fz_log *l, const char *fmt, ...)
{
	char *line = l->line[l->n % FZ_LOG_LEN];
	va_list ap;
	int off;

	off = snprintf(line, FZ_LOG_LINE, "#%lu ", l->n);
	va_start(ap, fmt);
	vsnprintf(line + off, FZ_LOG_LINE - off, fmt, ap);
	va_end(ap);
	l->n++;
}

/* Append to the last line logged (the result of the operation). */
static inline void __printf(2, 3)
fz_log_more(struct fz_log *l, const char *fmt, ...)
{
	char *line;
	size_t off;
	va_list ap;

	if (!l->n)
		return;
	line = l->line[(l->n - 1) % FZ_LOG_LEN];
	off = strlen(line);
	va_start(ap, fmt);
	vsnprintf(line + off, FZ_LOG_LINE - off, fmt, ap);
	va_end(ap);
}

static inline void fz_log_dump(FILE *f, const char *who,
			       const struct fz_log *l)
{
	unsigned long i = l->n > FZ_LOG_LEN ? l->n - FZ_LOG_LEN : 0;

	fprintf(f, "# last operations of %s (oldest first):\n", who);
	for (; i < l->n; i++)
		fprintf(f, "#   %s\n", l->line[i % FZ_LOG_LEN]);
}

/* ------------------------------------------------------------------ */
/* The VMA listing and the stats. */

#define FZ_MAX_VMAS	4096

struct fz_vma {
	__u64 start;
	__u64 end;
	__u64 flags;
	__u64 pgoff;
	__u64 id;
};

struct fz_list {
	unsigned int n;
	struct fz_vma v[FZ_MAX_VMAS];
};

static inline int fz_query(int fd, __u64 addr, __u32 flags,
			   struct aspace_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->query_flags = flags;
	q->query_addr = addr;
	return ioctl(fd, ASPACE_IOC_QUERY, q) ? -errno : 0;
}

static inline int fz_stats(int fd, struct aspace_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(fd, ASPACE_IOC_STATS, st) ? -errno : 0;
}

static inline int fz_get_layout(int fd, struct aspace_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->size = sizeof(*l);
	return ioctl(fd, ASPACE_IOC_GET_LAYOUT, l) ? -errno : 0;
}

static inline int fz_get_limits(int fd, struct aspace_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->size = sizeof(*l);
	return ioctl(fd, ASPACE_IOC_GET_LIMITS, l) ? -errno : 0;
}

static inline int fz_set_limits(int fd, const struct aspace_limits *l)
{
	struct aspace_limits c = *l;

	c.size = sizeof(c);
	return ioctl(fd, ASPACE_IOC_SET_LIMITS, &c) ? -errno : 0;
}

static inline int fz_brk(int fd, __u64 want, __u64 *got)
{
	struct aspace_brk b = { .size = sizeof(b), .brk = want };

	if (ioctl(fd, ASPACE_IOC_BRK, &b))
		return -errno;
	*got = b.brk;
	return 0;
}

/*
 * Every VMA, by QUERY with COVERING_OR_NEXT from 0, each query starting
 * at the end of the VMA before.  Returns 0 or -errno (-E2BIG: too many).
 * Another thread may change the address space meanwhile: then the listing
 * is a mix of states (a VMA may start before the end of the one before).
 */
static inline int fz_list_vmas(int fd, struct fz_list *l)
{
	struct aspace_query q;
	__u64 addr = 0;
	int ret;

	l->n = 0;
	for (;;) {
		ret = fz_query(fd, addr, ASPACE_QUERY_COVERING_OR_NEXT, &q);
		if (ret == -ENOENT)
			return 0;
		if (ret)
			return ret;
		if (l->n == FZ_MAX_VMAS)
			return -E2BIG;
		l->v[l->n].start = q.vma_start;
		l->v[l->n].end = q.vma_end;
		l->v[l->n].flags = q.vma_flags;
		l->v[l->n].pgoff = q.vma_page_offset;
		l->v[l->n].id = q.vma_id;
		l->n++;
		if (q.vma_end <= addr)
			return -EPROTO;		/* never moves on */
		addr = q.vma_end;
	}
}

static inline __u64 fz_pgtables(const struct aspace_stats *st)
{
	return st->pgtable_pages[0] + st->pgtable_pages[1] +
	       st->pgtable_pages[2] + st->pgtable_pages[3] +
	       st->pgtable_pages[4];
}

static inline bool fz_is_data(__u64 vflags)
{
	return (vflags & (ASPACE_VMA_WRITE | ASPACE_VMA_SHARED |
			  ASPACE_VMA_STACK)) == ASPACE_VMA_WRITE;
}

/*
 * Check one VMA of a listing on its own: sane bounds and flags.
 * @why gets the reason; returns false if it is wrong.
 */
static inline bool fz_vma_plausible(const struct fz_vma *v, __u64 task_size,
				    char *why, size_t len)
{
	if (v->start >= v->end || (v->start | v->end) & (PG - 1)) {
		snprintf(why, len, "VMA %llx-%llx: empty or not page aligned",
			 (unsigned long long)v->start,
			 (unsigned long long)v->end);
		return false;
	}
	if (v->end > task_size) {
		snprintf(why, len, "VMA %llx-%llx past the task size %llx",
			 (unsigned long long)v->start,
			 (unsigned long long)v->end,
			 (unsigned long long)task_size);
		return false;
	}
	if (v->flags & ~(__u64)FZ_VMA_KNOWN) {
		snprintf(why, len, "VMA %llx-%llx: unknown flags %llx",
			 (unsigned long long)v->start,
			 (unsigned long long)v->end,
			 (unsigned long long)v->flags);
		return false;
	}
	if (!(v->flags & ASPACE_VMA_SHARED) && (v->id || v->pgoff)) {
		snprintf(why, len, "private VMA %llx-%llx has id %llu off %llx",
			 (unsigned long long)v->start,
			 (unsigned long long)v->end, (unsigned long long)v->id,
			 (unsigned long long)v->pgoff);
		return false;
	}
	if ((v->flags & ASPACE_VMA_SHARED) && !v->id) {
		snprintf(why, len, "shared VMA %llx-%llx without an object id",
			 (unsigned long long)v->start,
			 (unsigned long long)v->end);
		return false;
	}
	if ((v->flags & ASPACE_VMA_SHARED) &&
	    (v->flags & (ASPACE_VMA_HEAP | ASPACE_VMA_WIPEONFORK))) {
		snprintf(why, len, "shared VMA %llx-%llx flagged %llx",
			 (unsigned long long)v->start,
			 (unsigned long long)v->end,
			 (unsigned long long)v->flags);
		return false;
	}
	return true;
}

/* The stats on their own: counts that cannot be. */
static inline bool fz_stats_plausible(const struct aspace_stats *st, bool la57,
				      __u64 task_size, char *why, size_t len)
{
	const __u64 *pt = st->pgtable_pages;

	if (st->size != sizeof(*st)) {
		snprintf(why, len, "stats size %u", st->size);
		return false;
	}
	if ((st->mapped_bytes | st->data_bytes) & (PG - 1) ||
	    st->data_bytes > st->mapped_bytes ||
	    st->mapped_bytes > task_size ||
	    st->nr_vmas > st->mapped_bytes / PG) {
		snprintf(why, len, "stats: %llu VMAs, mapped %llx, data %llx",
			 (unsigned long long)st->nr_vmas,
			 (unsigned long long)st->mapped_bytes,
			 (unsigned long long)st->data_bytes);
		return false;
	}
	if (st->resident_pages > st->mapped_bytes / PG ||
	    st->shared_pages > st->resident_pages) {
		snprintf(why, len,
			 "stats: resident %llu, shared %llu, mapped %llu pages",
			 (unsigned long long)st->resident_pages,
			 (unsigned long long)st->shared_pages,
			 (unsigned long long)(st->mapped_bytes / PG));
		return false;
	}
	if ((la57 && (pt[4] != 1 || pt[3] > 512)) ||
	    (!la57 && (pt[4] != 0 || pt[3] != 1)) ||
	    pt[2] > 512 * (pt[3] ? pt[3] : 1) || pt[1] > 512 * pt[2] ||
	    pt[0] > 512 * pt[1]) {
		snprintf(why, len,
			 "stats (%s): page tables %llu %llu %llu %llu %llu",
			 la57 ? "5-level" : "4-level",
			 (unsigned long long)pt[0], (unsigned long long)pt[1],
			 (unsigned long long)pt[2], (unsigned long long)pt[3],
			 (unsigned long long)pt[4]);
		return false;
	}
	return true;
}

/*
 * A listing and stats taken with nobody else changing the address space:
 * sorted, non-overlapping, and the stats count exactly what is listed.
 */
static inline bool fz_list_matches_stats(const struct fz_list *l,
					 const struct aspace_stats *st,
					 char *why, size_t len)
{
	__u64 bytes = 0, data = 0;
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		if (i && l->v[i].start < l->v[i - 1].end) {
			snprintf(why, len,
				 "VMAs out of order or overlapping: %llx-%llx then %llx-%llx",
				 (unsigned long long)l->v[i - 1].start,
				 (unsigned long long)l->v[i - 1].end,
				 (unsigned long long)l->v[i].start,
				 (unsigned long long)l->v[i].end);
			return false;
		}
		bytes += l->v[i].end - l->v[i].start;
		if (fz_is_data(l->v[i].flags))
			data += l->v[i].end - l->v[i].start;
	}
	if (l->n != st->nr_vmas || bytes != st->mapped_bytes ||
	    data != st->data_bytes) {
		snprintf(why, len,
			 "listing: %u VMAs, %llx bytes, %llx data; stats: %llu VMAs, %llx mapped, %llx data",
			 l->n, (unsigned long long)bytes,
			 (unsigned long long)data,
			 (unsigned long long)st->nr_vmas,
			 (unsigned long long)st->mapped_bytes,
			 (unsigned long long)st->data_bytes);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/*
 * Introspection results on their own: what a successful TRANSLATE,
 * PTDUMP or PAGESCAN says must hold whatever the address space holds
 * (Documentation/ioctls.md, "Introspection").  Each takes the struct
 * passed (@in), the struct written back (@out) and, for the dumps, the
 * array the call filled; @levels is 4 or 5 if known, else 0.  @why gets
 * the reason; returns false if the result is wrong.
 *
 * The module fills a dump's array a page of elements at a time, each
 * piece a walk of its own: with other threads or processes changing the
 * address space meanwhile (not @quiet), the ranges either side of a
 * piece's end may be equal, not joined.
 */
#define FZ_PIECE_BYTES	PG

/* Bits of a leaf entry (PRESENT or PROTNONE) and of a table entry. */
#define FZ_PTE_MAPPED	(ASPACE_PTE_PRESENT | ASPACE_PTE_PROTNONE)
#define FZ_PTE_TABLE	(ASPACE_PTE_PRESENT | ASPACE_PTE_RW |		\
			 ASPACE_PTE_USER | ASPACE_PTE_ACCESSED)
/* At most one of these describes a page (PAGESCAN). */
#define FZ_PAGE_KINDS	(ASPACE_PAGE_ZERO | ASPACE_PAGE_SHM |		\
			 ASPACE_PAGE_EXCLUSIVE | ASPACE_PAGE_COW_SHARED)

/* @end rounded up to a page, as the ioctls take it (no wrap: checked). */
static inline __u64 fz_page_up(__u64 end)
{
	return (end + PG - 1) & ~(PG - 1);
}

/* The bytes one entry of @level maps (0: 4 KiB). */
static inline __u64 fz_level_size(unsigned int level)
{
	return PG << (9 * level);
}

/* Bits set in @x. */
static inline unsigned int fz_popcount(__u64 x)
{
	return __builtin_popcountll(x);
}

static inline bool fz_translate_sane(const struct aspace_translate *in,
				     const struct aspace_translate *out,
				     int frames, unsigned int levels,
				     char *why, size_t len)
{
	bool shown = out->status & ASPACE_TRANSLATE_FRAMES;
	__u64 e, leaf = out->entries[out->level < 5 ? out->level : 0];
	unsigned int l;

	if (out->flags || out->reserved || out->addr != in->addr) {
		snprintf(why, len,
			 "TRANSLATE %llx: flags %#x reserved %#x addr %llx back",
			 (unsigned long long)in->addr, out->flags,
			 out->reserved, (unsigned long long)out->addr);
		return false;
	}
	if ((out->levels != 4 && out->levels != 5) ||
	    (levels && out->levels != levels) || out->level >= out->levels ||
	    out->status & ~(__u32)(ASPACE_TRANSLATE_PRESENT |
				  ASPACE_TRANSLATE_FRAMES |
				  ASPACE_TRANSLATE_ZERO_PAGE)) {
		snprintf(why, len,
			 "TRANSLATE %llx: levels %u (of %u), level %u, status %#x",
			 (unsigned long long)in->addr, out->levels, levels,
			 out->level, out->status);
		return false;
	}
	if (frames >= 0 && shown != !!frames) {
		snprintf(why, len, "TRANSLATE %llx: frames %s (status %#x)",
			 (unsigned long long)in->addr,
			 shown ? "shown without CAP_SYS_ADMIN" :
				 "not shown to CAP_SYS_ADMIN", out->status);
		return false;
	}
	for (l = 0; l < 5; l++) {
		e = out->entries[l];
		if ((l >= out->levels || l < out->level) &&
		    (e || out->tables[l])) {
			snprintf(why, len,
				 "TRANSLATE %llx: level %u of a walk of %u levels that stopped at %u: entry %llx table %llx",
				 (unsigned long long)in->addr, l, out->levels,
				 out->level, (unsigned long long)e,
				 (unsigned long long)out->tables[l]);
			return false;
		}
		if (!shown && (e & ASPACE_PTE_FRAME_MASK || out->tables[l] ||
			       out->phys)) {
			snprintf(why, len,
				 "TRANSLATE %llx: a frame without ASPACE_TRANSLATE_FRAMES: level %u entry %llx table %llx phys %llx",
				 (unsigned long long)in->addr, l,
				 (unsigned long long)e,
				 (unsigned long long)out->tables[l],
				 (unsigned long long)out->phys);
			return false;
		}
		if (l >= out->levels || l < out->level)
			continue;
		if (l > out->level &&
		    (e & ~ASPACE_PTE_FRAME_MASK) != FZ_PTE_TABLE) {
			snprintf(why, len,
				 "TRANSLATE %llx: table entry at level %u: %llx",
				 (unsigned long long)in->addr, l,
				 (unsigned long long)e);
			return false;
		}
		if (shown && (!out->tables[l] || out->tables[l] & (PG - 1) ||
			      (l > out->level && (e & ASPACE_PTE_FRAME_MASK) !=
			       out->tables[l - 1]))) {
			snprintf(why, len,
				 "TRANSLATE %llx: level %u: entry %llx, table %llx, the next table %llx",
				 (unsigned long long)in->addr, l,
				 (unsigned long long)e,
				 (unsigned long long)out->tables[l],
				 (unsigned long long)(l ? out->tables[l - 1] : 0));
			return false;
		}
	}
	/* Only 4 KiB leaves: a walk that stops higher found an empty entry. */
	if ((out->level && leaf) ||
	    !(out->status & ASPACE_TRANSLATE_PRESENT) !=
	    !(leaf & ASPACE_PTE_PRESENT) ||
	    (leaf & ASPACE_PTE_PRESENT && leaf & ASPACE_PTE_PROTNONE) ||
	    (leaf & ASPACE_PTE_PRESENT && !(leaf & ASPACE_PTE_USER)) ||
	    (leaf & ASPACE_PTE_PROTNONE &&
	     leaf & (ASPACE_PTE_RW | ASPACE_PTE_USER)) ||
	    (leaf && !(leaf & FZ_PTE_MAPPED)) ||
	    (out->status & ASPACE_TRANSLATE_ZERO_PAGE &&
	     (!leaf || leaf & ASPACE_PTE_RW))) {
		snprintf(why, len,
			 "TRANSLATE %llx: status %#x, level %u, leaf %llx",
			 (unsigned long long)in->addr, out->status, out->level,
			 (unsigned long long)leaf);
		return false;
	}
	if (out->phys != (shown && out->status & ASPACE_TRANSLATE_PRESENT ?
			  (leaf & ASPACE_PTE_FRAME_MASK) | (in->addr & (PG - 1)) :
			  0)) {
		snprintf(why, len, "TRANSLATE %llx: phys %llx, leaf %llx",
			 (unsigned long long)in->addr,
			 (unsigned long long)out->phys,
			 (unsigned long long)leaf);
		return false;
	}
	return true;
}

static inline bool fz_ptdump_sane(const struct aspace_ptdump *in,
				  const struct aspace_ptdump *out,
				  const struct aspace_ptdump_entry *v,
				  unsigned int levels, bool quiet, char *why,
				  size_t len)
{
	bool holes = in->flags & ASPACE_PTDUMP_HOLES;
	__u64 end = fz_page_up(in->end), pos = in->start, keep, sz, i;
	const struct aspace_ptdump_entry *e;
	unsigned int l;

	keep = (in->mask ? in->mask : ~ASPACE_PTE_FRAME_MASK) | FZ_PTE_MAPPED;
	if (out->flags != in->flags || out->start != in->start ||
	    out->end != in->end || out->mask != in->mask ||
	    out->vec != in->vec || out->vec_len != in->vec_len) {
		snprintf(why, len, "PTDUMP: the input fields were not echoed");
		return false;
	}
	if (out->nr_entries > in->vec_len || out->walk_end & (PG - 1) ||
	    out->walk_end < in->start || out->walk_end > end ||
	    (out->nr_entries < in->vec_len && out->walk_end != end)) {
		snprintf(why, len,
			 "PTDUMP [%llx, %llx): %llu entries of %llu, walk_end %llx",
			 (unsigned long long)in->start,
			 (unsigned long long)in->end,
			 (unsigned long long)out->nr_entries,
			 (unsigned long long)in->vec_len,
			 (unsigned long long)out->walk_end);
		return false;
	}
	for (l = 0; l < 5; l++) {
		/* the root's first address is 0; nothing in an empty range */
		if ((levels && l >= levels && out->pgtable_pages[l]) ||
		    (out->walk_end == in->start && out->pgtable_pages[l]) ||
		    (levels && l == levels - 1 && out->walk_end > in->start &&
		     out->pgtable_pages[l] != !in->start) ||
		    out->pgtable_pages[l] > 1ULL << 36) {
			snprintf(why, len,
				 "PTDUMP [%llx, %llx) of %u levels: %llu tables at level %u, walk_end %llx",
				 (unsigned long long)in->start,
				 (unsigned long long)in->end, levels,
				 (unsigned long long)out->pgtable_pages[l], l,
				 (unsigned long long)out->walk_end);
			return false;
		}
	}
	for (i = 0; i < out->nr_entries; i++) {
		e = &v[i];
		sz = e->level < 5 ? fz_level_size(e->level) : PG;
		if (e->start >= e->end || (e->start | e->end) & (PG - 1) ||
		    e->start < pos || e->end > out->walk_end ||
		    (holes && e->start != pos) || e->level > 4 ||
		    (levels && e->level >= levels) || e->reserved ||
		    e->flags & ASPACE_PTE_FRAME_MASK || e->flags & ~keep ||
		    (e->start & (sz - 1) && e->start != in->start) ||
		    (e->end & (sz - 1) && e->end != end)) {
			snprintf(why, len,
				 "PTDUMP [%llx, %llx) mask %llx flags %#x: entry %llu of %llu: %llx-%llx flags %llx level %u reserved %#x",
				 (unsigned long long)in->start,
				 (unsigned long long)in->end,
				 (unsigned long long)in->mask, in->flags,
				 (unsigned long long)i,
				 (unsigned long long)out->nr_entries,
				 (unsigned long long)e->start,
				 (unsigned long long)e->end,
				 (unsigned long long)e->flags, e->level,
				 e->reserved);
			return false;
		}
		/* a hole only if asked for; a mapped leaf is a 4 KiB leaf */
		if (!e->flags ? !holes :
		    !(e->flags & FZ_PTE_MAPPED) || e->level ||
		    (e->flags & FZ_PTE_MAPPED) == FZ_PTE_MAPPED) {
			snprintf(why, len,
				 "PTDUMP flags %#x: entry %llx-%llx flags %llx at level %u",
				 in->flags, (unsigned long long)e->start,
				 (unsigned long long)e->end,
				 (unsigned long long)e->flags, e->level);
			return false;
		}
		if (i && e[-1].end == e->start && e[-1].flags == e->flags &&
		    e[-1].level == e->level &&
		    (quiet || i % (FZ_PIECE_BYTES / sizeof(*e)))) {
			snprintf(why, len,
				 "PTDUMP: equal ranges %llx-%llx and %llx-%llx not joined",
				 (unsigned long long)e[-1].start,
				 (unsigned long long)e[-1].end,
				 (unsigned long long)e->start,
				 (unsigned long long)e->end);
			return false;
		}
		pos = e->end;
	}
	if (holes && pos != out->walk_end) {
		snprintf(why, len,
			 "PTDUMP with holes [%llx, %llx): the entries end at %llx, walk_end %llx",
			 (unsigned long long)in->start,
			 (unsigned long long)in->end, (unsigned long long)pos,
			 (unsigned long long)out->walk_end);
		return false;
	}
	return true;
}

static inline bool fz_pagescan_sane(const struct aspace_pagescan *in,
				    const struct aspace_pagescan *out,
				    const struct aspace_page_region *v,
				    bool quiet, char *why, size_t len)
{
	__u64 end = fz_page_up(in->end), pos = in->start, total = 0, i;
	__u64 ret = in->return_mask, m = in->category_mask & ret, c;
	const struct aspace_page_region *r;
	bool any_known = in->category_anyof_mask &&
			 !(in->category_anyof_mask & ~ret);

	if (out->flags != in->flags || out->start != in->start ||
	    out->end != in->end || out->vec != in->vec ||
	    out->vec_len != in->vec_len || out->max_pages != in->max_pages ||
	    out->category_inverted != in->category_inverted ||
	    out->category_mask != in->category_mask ||
	    out->category_anyof_mask != in->category_anyof_mask ||
	    out->return_mask != in->return_mask) {
		snprintf(why, len, "PAGESCAN: the input fields were not echoed");
		return false;
	}
	if (out->nr_regions > in->vec_len || out->walk_end & (PG - 1) ||
	    out->walk_end < in->start || out->walk_end > end) {
		snprintf(why, len,
			 "PAGESCAN [%llx, %llx): %llu regions of %llu, walk_end %llx",
			 (unsigned long long)in->start,
			 (unsigned long long)in->end,
			 (unsigned long long)out->nr_regions,
			 (unsigned long long)in->vec_len,
			 (unsigned long long)out->walk_end);
		return false;
	}
	for (i = 0; i < out->nr_regions; i++) {
		r = &v[i];
		c = r->categories;
		if (r->start >= r->end || (r->start | r->end) & (PG - 1) ||
		    r->start < pos || r->end > out->walk_end || c & ~ret ||
		    ((c ^ in->category_inverted) & m) != m ||
		    (any_known &&
		     !((c ^ in->category_inverted) & in->category_anyof_mask)) ||
		    (ret & ASPACE_PAGE_PRESENT && c & ~ASPACE_PAGE_PRESENT &&
		     !(c & ASPACE_PAGE_PRESENT)) ||
		    fz_popcount(c & FZ_PAGE_KINDS) > 1 ||
		    (c & ASPACE_PAGE_ZERO && c & ASPACE_PAGE_WRITABLE)) {
			snprintf(why, len,
				 "PAGESCAN [%llx, %llx) inv %llx mask %llx anyof %llx ret %llx: region %llu of %llu: %llx-%llx categories %llx",
				 (unsigned long long)in->start,
				 (unsigned long long)in->end,
				 (unsigned long long)in->category_inverted,
				 (unsigned long long)in->category_mask,
				 (unsigned long long)in->category_anyof_mask,
				 (unsigned long long)ret,
				 (unsigned long long)i,
				 (unsigned long long)out->nr_regions,
				 (unsigned long long)r->start,
				 (unsigned long long)r->end,
				 (unsigned long long)c);
			return false;
		}
		if (i && r[-1].end == r->start && r[-1].categories == c &&
		    (quiet || i % (FZ_PIECE_BYTES / sizeof(*r)))) {
			snprintf(why, len,
				 "PAGESCAN: equal regions %llx-%llx and %llx-%llx not joined",
				 (unsigned long long)r[-1].start,
				 (unsigned long long)r[-1].end,
				 (unsigned long long)r->start,
				 (unsigned long long)r->end);
			return false;
		}
		total += (r->end - r->start) / PG;
		pos = r->end;
	}
	/* It stops early only for a full array or max_pages. */
	if ((in->max_pages && total > in->max_pages) ||
	    (out->walk_end != end && out->nr_regions != in->vec_len &&
	     !(in->max_pages && total == in->max_pages))) {
		snprintf(why, len,
			 "PAGESCAN [%llx, %llx) max_pages %llu: %llu pages in %llu regions (room for %llu), walk_end %llx",
			 (unsigned long long)in->start,
			 (unsigned long long)in->end,
			 (unsigned long long)in->max_pages,
			 (unsigned long long)total,
			 (unsigned long long)out->nr_regions,
			 (unsigned long long)in->vec_len,
			 (unsigned long long)out->walk_end);
		return false;
	}
	return true;
}

#endif /* _ASPACE_FUZZ_UTIL_H */
