// SPDX-License-Identifier: GPL-2.0
/*
 * aspace_bench: the ioctls of /dev/aspace against the system calls they
 * mirror, run on the same machine (`make bench` runs it in the QEMU guest
 * through scripts/bench.sh).
 *
 * Every case measures a rate on the aspace side and on the native side
 * (a system call, a page fault, memcpy(), memset() or fork(), see the
 * table) and prints both and their ratio, aspace rate / native rate: above
 * 1 aspace is faster.  The two sides run alternately, each several times;
 * the rate printed is the best run of each side, which is the least
 * disturbed by whatever else the machine does.  Only the operation itself
 * is timed: mapping a fresh range before a first touch, or closing the
 * copy after a copy-on-write break, is not.  Where the project has a
 * target for the ratio, the table shows it and whether this run met it;
 * that is information, not a verdict: the exit status is 0 unless an
 * operation failed.
 *
 * Native memory uses 4 KiB pages, as aspace does: transparent huge pages
 * are turned off for this process and its children (PR_SET_THP_DISABLE)
 * unless -H is given.
 *
 *   aspace_bench [-H] [-b MiB] [-k WORDS] [-o FILE] [-c]
 *     -H       leave transparent huge pages as the system has them
 *     -b MiB   size of the large cases (pread/pwrite, MAP_POPULATE);
 *              default 1024, or 256 if less than 3.5 GiB is available
 *     -k WORDS run only the cases whose name contains one of WORDS
 *              (separated by commas): null_ioctl, mmap1, brk1, mprotect,
 *              map_unmap_10vmas (1000, 60000), first_touch, pread,
 *              pwrite, populate, clone_0M (64M, 512M), cow_break
 *     -o FILE  write the results as CSV to FILE
 *     -c       print the CSV to stdout too, after the table, between the
 *              lines "@@BENCH-CSV-BEGIN@@" and "@@BENCH-CSV-END@@"
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libaspace.h"

#define PG		4096UL
#define MIB		(1024UL * 1024)
#define GIB		(1024 * MIB)
#define PROT_RW		(PROT_READ | PROT_WRITE)
#define MAP_ANON_PRIV	(MAP_PRIVATE | MAP_ANONYMOUS)

/* How long one timed batch of a cheap operation should take. */
#define BATCH_SECONDS	0.1
/* Timed batches per side after calibration. */
#define REPS_CHEAP	5

/* case, aspace op, native op, unit, both rates, ratio, target, met */
#define ROW_FMT		"%-25s %-28s %-24s %-7s %9s %9s %6s %6s %s\n"

#define CSV_BEGIN	"@@BENCH-CSV-BEGIN@@"
#define CSV_END		"@@BENCH-CSV-END@@"

/**
 * struct row - one line of the table
 * @name: the case, also its CSV key
 * @what: what the aspace side does
 * @ref: what the native side (the reference) does
 * @unit: unit of both rates
 * @asp: aspace rate
 * @nat: native rate
 * @target: the ratio aimed at (at least), 0 for none
 */
struct row {
	char name[40];
	char what[48];
	char ref[40];
	const char *unit;
	double asp;
	double nat;
	double target;
};

#define MAX_ROWS	32
static struct row rows[MAX_ROWS];
static int nrows;
static const char *only;
static bool thp_default;
static unsigned long big = GIB;
static bool big_auto = true;

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	fprintf(stderr, "aspace_bench: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* An aspace call that must work: its negative errno ends the run. */
static void check(int ret, const char *what)
{
	if (ret < 0)
		die("%s: %s", what, strerror(-ret));
}

static void check_sys(long ret, const char *what)
{
	if (ret < 0)
		die("%s: %s", what, strerror(errno));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Is @name in the -k list (words separated by commas), if there is one? */
static bool wanted(const char *name)
{
	const char *w = only, *end;
	char word[64];
	size_t len;

	if (!only)
		return true;
	while (*w) {
		end = strchrnul(w, ',');
		len = end - w;
		if (len && len < sizeof(word)) {
			memcpy(word, w, len);
			word[len] = 0;
			if (strstr(name, word))
				return true;
		}
		w = *end ? end + 1 : end;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Measuring. */

/*
 * One side of a case: @fn does @n operations and returns the seconds its
 * timed part took (setup and teardown of each operation excluded).
 */
typedef double (*bench_fn)(void *arg, long n);

struct side {
	bench_fn fn;
	void *arg;
	int reps;	/* batches after calibration; 0: measure()'s */
	long n;
	double best;	/* seconds per operation, best batch */
};

static void run_batch(struct side *s, long n)
{
	double t = s->fn(s->arg, n) / n;

	if (!s->best || t < s->best)
		s->best = t;
}

/*
 * Find how many operations take about BATCH_SECONDS; an operation slower
 * than that is done one at a time.  The calibration runs count as samples.
 */
static void calibrate(struct side *s)
{
	long n = 1;
	double t;

	for (;;) {
		t = s->fn(s->arg, n);
		if (!s->best || t / n < s->best)
			s->best = t / n;
		if (t >= BATCH_SECONDS / 4 || n >= (1L << 24))
			break;
		n *= 4;
	}
	if (t > 0)
		n = (long)(n * BATCH_SECONDS / t);
	s->n = n > 0 ? n : 1;
}

/*
 * Calibrate every side, then @reps batches of each (or as many as the
 * side asks for), alternating.
 */
static void measure(struct side *sides, int nsides, int reps)
{
	int i, r, most = reps;

	for (i = 0; i < nsides; i++) {
		calibrate(&sides[i]);
		if (!sides[i].reps)
			sides[i].reps = reps;
		if (sides[i].reps > most)
			most = sides[i].reps;
	}
	for (r = 0; r < most; r++)
		for (i = 0; i < nsides; i++)
			if (r < sides[i].reps)
				run_batch(&sides[i], sides[i].n);
}

/* Three significant digits or more, never an exponent. */
static void fmt_rate(char *buf, size_t size, double v)
{
	snprintf(buf, size, v >= 1000 ? "%.0f" : v >= 10 ? "%.1f" : "%.3f",
		 v);
}

/* Rates are operations per second, scaled by @per_op (bytes, pages...). */
static void add_row(const char *name, const char *what, const char *ref,
		    const char *unit, double per_op, const struct side *asp,
		    const struct side *nat, double target)
{
	struct row *r;
	char a[32], b[32], ratio[16], tgt[16];

	if (nrows == MAX_ROWS)
		die("too many rows");
	r = &rows[nrows++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->what, sizeof(r->what), "%s", what);
	snprintf(r->ref, sizeof(r->ref), "%s", ref);
	r->unit = unit;
	r->asp = per_op / asp->best;
	r->nat = per_op / nat->best;
	r->target = target;

	fmt_rate(a, sizeof(a), r->asp);
	fmt_rate(b, sizeof(b), r->nat);
	snprintf(ratio, sizeof(ratio), "%.2f", r->asp / r->nat);
	if (target)
		snprintf(tgt, sizeof(tgt), "%.2f", target);
	else
		snprintf(tgt, sizeof(tgt), "-");
	printf(ROW_FMT, r->name, r->what, r->ref, r->unit, a, b, ratio, tgt,
	       !target ? "" : r->asp / r->nat >= target ? "met" : "MISSED");
	fflush(stdout);
}

static void print_header(void)
{
	printf(ROW_FMT, "case", "aspace does", "native does", "unit",
	       "aspace", "native", "ratio", "target", "");
}

static void write_csv(FILE *f)
{
	int i;

	fprintf(f, "case,aspace_op,native_op,unit,"
		"aspace_rate,native_rate,ratio,target_ratio,meets_target\n");
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		double ratio = r->asp / r->nat;

		/* Text fields quoted: they hold commas. */
		fprintf(f, "%s,\"%s\",\"%s\",%s,%.3f,%.3f,%.4f,", r->name,
			r->what, r->ref, r->unit, r->asp, r->nat, ratio);
		if (r->target)
			fprintf(f, "%.4f,%s\n", r->target,
				ratio >= r->target ? "yes" : "no");
		else
			fprintf(f, ",\n");
	}
}

/* ------------------------------------------------------------------ */
/* Helpers for both sides. */

static int asp_new(void)
{
	int fd = aspace_open(0);

	check(fd, "open " ASPACE_DEV_PATH);
	return fd;
}

/* A simulated store to [@addr, @addr + @len), touching pages only. */
static void asp_touch(int fd, __u64 addr, __u64 len)
{
	struct aspace_access a = {
		.size = sizeof(a),
		.kind = ASPACE_ACCESS_WRITE,
		.addr = addr,
		.length = len,
	};

	check(aspace_ioctl(fd, ASPACE_IOC_ACCESS, &a), "ASPACE_IOC_ACCESS");
	if (a.signo || a.done != len)
		die("ASPACE_IOC_ACCESS faulted at %#llx", a.fault_addr);
}

static __u64 asp_map(int fd, __u64 len, __u32 flags)
{
	__u64 addr;

	check(aspace_mmap(fd, 0, len, PROT_RW, MAP_ANON_PRIV | flags, &addr),
	      "ASPACE_IOC_MMAP");
	return addr;
}

static char *nat_map(unsigned long len, int flags)
{
	void *p = mmap(NULL, len, PROT_RW, MAP_ANON_PRIV | flags, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %lu MiB: %s", len / MIB, strerror(errno));
	return p;
}

static void nat_unmap(void *p, unsigned long len)
{
	check_sys(munmap(p, len), "munmap");
}

/* A store to every page, as a program's first touch. */
static void nat_touch(char *p, unsigned long len)
{
	unsigned long off;

	for (off = 0; off < len; off += PG) {
		p[off] = 1;
		asm volatile("" : : "r"(p + off) : "memory");
	}
}

/* ------------------------------------------------------------------ */
/* The null ioctl against a null system call. */

static double null_asp(void *arg, long n)
{
	struct aspace_handshake hs = { .size = sizeof(hs) };
	int fd = *(int *)arg;
	double t = now();
	long i;

	for (i = 0; i < n; i++) {
		hs.api_version = ASPACE_API_VERSION;
		if (ioctl(fd, ASPACE_IOC_HANDSHAKE, &hs))
			die("ASPACE_IOC_HANDSHAKE: %s", strerror(errno));
	}
	return now() - t;
}

static double null_nat(void *arg, long n)
{
	double t = now();
	long i;

	(void)arg;
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return now() - t;
}

static void bench_null(void)
{
	int fd;

	if (!wanted("null_ioctl"))
		return;
	fd = asp_new();
	{
		struct side s[2] = {
			{ .fn = null_asp, .arg = &fd },
			{ .fn = null_nat },
		};

		measure(s, 2, REPS_CHEAP);
		add_row("null_ioctl", "ioctl(HANDSHAKE)", "getppid()", "op/s",
			1, &s[0], &s[1], 0);
	}
	close(fd);
}

/* ------------------------------------------------------------------ */
/* mmap1: map and unmap 128 MiB, nothing populated. */

#define MMAP1_LEN	(128 * MIB)

static double mmap1_asp(void *arg, long n)
{
	int fd = *(int *)arg;
	double t = now();
	__u64 addr;
	long i;

	for (i = 0; i < n; i++) {
		addr = asp_map(fd, MMAP1_LEN, 0);
		check(aspace_munmap(fd, addr, MMAP1_LEN), "ASPACE_IOC_MUNMAP");
	}
	return now() - t;
}

static double mmap1_nat(void *arg, long n)
{
	double t = now();
	long i;

	(void)arg;
	for (i = 0; i < n; i++)
		nat_unmap(nat_map(MMAP1_LEN, 0), MMAP1_LEN);
	return now() - t;
}

static void bench_mmap1(void)
{
	int fd;

	if (!wanted("mmap1"))
		return;
	fd = asp_new();
	{
		struct side s[2] = {
			{ .fn = mmap1_asp, .arg = &fd },
			{ .fn = mmap1_nat },
		};

		measure(s, 2, REPS_CHEAP);
		add_row("mmap1_128M", "MMAP+MUNMAP 128 MiB", "mmap+munmap",
			"op/s", 1, &s[0], &s[1], 3);
	}
	close(fd);
}

/* ------------------------------------------------------------------ */
/* brk1: the break up a page and down again. */

struct brk_ctx {
	int fd;
	unsigned long base;
};

static double brk1_asp(void *arg, long n)
{
	struct brk_ctx *c = arg;
	double t = now();
	__u64 got;
	long i;

	for (i = 0; i < n; i++) {
		check(aspace_brk(c->fd, c->base + PG, &got), "ASPACE_IOC_BRK");
		check(aspace_brk(c->fd, c->base, NULL), "ASPACE_IOC_BRK");
		if (got != c->base + PG)
			die("ASPACE_IOC_BRK did not move the break");
	}
	return now() - t;
}

static double brk1_nat(void *arg, long n)
{
	struct brk_ctx *c = arg;
	double t = now();
	long i;

	for (i = 0; i < n; i++) {
		if ((unsigned long)syscall(SYS_brk, c->base + PG) !=
		    c->base + PG)
			die("brk did not move the break");
		syscall(SYS_brk, c->base);
	}
	return now() - t;
}

static void bench_brk1(void)
{
	struct brk_ctx a, b;
	__u64 cur;

	if (!wanted("brk1"))
		return;
	a.fd = asp_new();
	check(aspace_brk(a.fd, 0, &cur), "ASPACE_IOC_BRK");
	a.base = cur;
	b.base = syscall(SYS_brk, 0);
	{
		struct side s[2] = {
			{ .fn = brk1_asp, .arg = &a },
			{ .fn = brk1_nat, .arg = &b },
		};

		measure(s, 2, REPS_CHEAP);
		add_row("brk1_4K", "BRK +4K, -4K", "brk +4K, -4K", "op/s", 1,
			&s[0], &s[1], 3);
	}
	close(a.fd);
}

/* ------------------------------------------------------------------ */
/* mprotect: the middle page of three read-only (a split) and back. */

struct mprot_ctx {
	int fd;
	unsigned long addr;
};

static double mprot_asp(void *arg, long n)
{
	struct mprot_ctx *c = arg;
	double t = now();
	long i;

	for (i = 0; i < n; i++) {
		check(aspace_mprotect(c->fd, c->addr + PG, PG, PROT_READ),
		      "ASPACE_IOC_MPROTECT");
		check(aspace_mprotect(c->fd, c->addr + PG, PG, PROT_RW),
		      "ASPACE_IOC_MPROTECT");
	}
	return now() - t;
}

static double mprot_nat(void *arg, long n)
{
	struct mprot_ctx *c = arg;
	void *mid = (void *)(c->addr + PG);
	double t = now();
	long i;

	for (i = 0; i < n; i++) {
		check_sys(mprotect(mid, PG, PROT_READ), "mprotect");
		check_sys(mprotect(mid, PG, PROT_RW), "mprotect");
	}
	return now() - t;
}

static void bench_mprotect(void)
{
	struct mprot_ctx a, b;

	if (!wanted("mprotect"))
		return;
	a.fd = asp_new();
	a.addr = asp_map(a.fd, 3 * PG, 0);
	b.addr = (unsigned long)nat_map(3 * PG, 0);
	{
		struct side s[2] = {
			{ .fn = mprot_asp, .arg = &a },
			{ .fn = mprot_nat, .arg = &b },
		};

		measure(s, 2, REPS_CHEAP);
		add_row("mprotect_split_merge", "MPROTECT mid page RO, RW",
			"mprotect RO, RW", "op/s", 1, &s[0], &s[1], 3);
	}
	nat_unmap((void *)b.addr, 3 * PG);
	close(a.fd);
}

/* ------------------------------------------------------------------ */
/* One map+unmap of a page among N existing VMAs. */

struct vmas_ctx {
	int fd;
	char *fill;
	unsigned long fill_len;
	long nr;	/* VMAs there, counted */
};

/* VMAs of this process, from /proc/self/maps (not the vsyscall page). */
static long nat_count_vmas(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	long n = 0;

	if (!f)
		die("/proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		n += !strstr(line, "[vsyscall]");
	fclose(f);
	return n;
}

static long asp_count_vmas(int fd)
{
	struct aspace_stats st;

	check(aspace_stats(fd, &st), "ASPACE_IOC_STATS");
	return st.nr_vmas;
}

/*
 * Make @n more VMAs: @n pages read-only, every other one then made
 * writable, so that no two neighbours merge.
 */
static void asp_add_vmas(int fd, long n)
{
	__u64 addr;
	long i;

	if (n <= 0)
		return;
	check(aspace_mmap(fd, 0, n * PG, PROT_READ, MAP_ANON_PRIV, &addr),
	      "ASPACE_IOC_MMAP");
	for (i = 1; i < n; i += 2)
		check(aspace_mprotect(fd, addr + i * PG, PG, PROT_RW),
		      "ASPACE_IOC_MPROTECT");
}

static char *nat_add_vmas(long n)
{
	char *p;
	long i;

	if (n <= 0)
		return NULL;
	p = mmap(NULL, n * PG, PROT_READ, MAP_ANON_PRIV, -1, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	for (i = 1; i < n; i += 2)
		check_sys(mprotect(p + i * PG, PG, PROT_RW), "mprotect");
	return p;
}

static double vmas_asp(void *arg, long n)
{
	struct vmas_ctx *c = arg;
	double t = now();
	__u64 addr;
	long i;

	for (i = 0; i < n; i++) {
		addr = asp_map(c->fd, PG, 0);
		check(aspace_munmap(c->fd, addr, PG), "ASPACE_IOC_MUNMAP");
	}
	return now() - t;
}

static double vmas_nat(void *arg, long n)
{
	double t = now();
	long i;

	(void)arg;
	for (i = 0; i < n; i++)
		nat_unmap(nat_map(PG, 0), PG);
	return now() - t;
}

static void bench_vmas(long nr)
{
	char name[40], what[48], ref[40];
	struct vmas_ctx a = {}, b = {};
	long have;

	snprintf(name, sizeof(name), "map_unmap_%ldvmas", nr);
	if (!wanted(name))
		return;
	a.fd = asp_new();
	asp_add_vmas(a.fd, nr);
	a.nr = asp_count_vmas(a.fd);
	have = nat_count_vmas();
	b.fill_len = nr > have ? (nr - have) * PG : 0;
	b.fill = nat_add_vmas(nr - have);
	b.nr = nat_count_vmas();
	{
		struct side s[2] = {
			{ .fn = vmas_asp, .arg = &a },
			{ .fn = vmas_nat, .arg = &b },
		};

		measure(s, 2, REPS_CHEAP);
		snprintf(what, sizeof(what), "MMAP+MUNMAP 4K, %ld VMAs", a.nr);
		snprintf(ref, sizeof(ref), "mmap+munmap, %ld VMAs", b.nr);
		add_row(name, what, ref, "op/s", 1, &s[0], &s[1], 3);
	}
	if (b.fill)
		nat_unmap(b.fill, b.fill_len);
	close(a.fd);
}

/* ------------------------------------------------------------------ */
/* First touch: a store to every page of a fresh 128 MiB. */

#define TOUCH_LEN	(128 * MIB)
#define TOUCH_REPS	4

static double touch_asp_page(void *arg, long n)
{
	int fd = *(int *)arg;
	double t = 0, t0;
	__u64 addr, off;
	long i;

	for (i = 0; i < n; i++) {
		addr = asp_map(fd, TOUCH_LEN, 0);
		t0 = now();
		for (off = 0; off < TOUCH_LEN; off += PG)
			asp_touch(fd, addr + off, 1);
		t += now() - t0;
		check(aspace_munmap(fd, addr, TOUCH_LEN), "ASPACE_IOC_MUNMAP");
	}
	return t;
}

static double touch_asp_range(void *arg, long n)
{
	int fd = *(int *)arg;
	double t = 0, t0;
	__u64 addr;
	long i;

	for (i = 0; i < n; i++) {
		addr = asp_map(fd, TOUCH_LEN, 0);
		t0 = now();
		asp_touch(fd, addr, TOUCH_LEN);
		t += now() - t0;
		check(aspace_munmap(fd, addr, TOUCH_LEN), "ASPACE_IOC_MUNMAP");
	}
	return t;
}

static double touch_nat(void *arg, long n)
{
	double t = 0, t0;
	char *p;
	long i;

	(void)arg;
	for (i = 0; i < n; i++) {
		p = nat_map(TOUCH_LEN, 0);
		t0 = now();
		nat_touch(p, TOUCH_LEN);
		t += now() - t0;
		nat_unmap(p, TOUCH_LEN);
	}
	return t;
}

static void bench_touch(void)
{
	int fd;

	if (!wanted("first_touch"))
		return;
	fd = asp_new();
	{
		struct side s[3] = {
			{ .fn = touch_asp_page, .arg = &fd },
			{ .fn = touch_asp_range, .arg = &fd },
			{ .fn = touch_nat },
		};

		measure(s, 3, TOUCH_REPS);
		add_row("first_touch_128M_per_page", "ACCESS write 1 B, per page",
			"page fault (store)", "pages/s", TOUCH_LEN / PG, &s[0],
			&s[2], 3);
		add_row("first_touch_128M_ranged", "ACCESS write 128 MiB, once",
			"page fault (store)", "pages/s", TOUCH_LEN / PG, &s[1],
			&s[2], 3);
	}
	close(fd);
}

/* ------------------------------------------------------------------ */
/* pread/pwrite of the large size against memcpy(). */

#define BIG_REPS	3

struct rw_ctx {
	int fd;
	__u64 addr;
	char *buf;	/* user memory: pread's target, pwrite's source */
	char *buf2;	/* memcpy()'s target */
};

static double rw_pread(void *arg, long n)
{
	struct rw_ctx *c = arg;
	double t = now();
	long i;

	for (i = 0; i < n; i++)
		if (pread(c->fd, c->buf, big, c->addr) != (ssize_t)big)
			die("pread of %lu MiB fell short", big / MIB);
	return now() - t;
}

static double rw_pwrite(void *arg, long n)
{
	struct rw_ctx *c = arg;
	double t = now();
	long i;

	for (i = 0; i < n; i++)
		if (pwrite(c->fd, c->buf, big, c->addr) != (ssize_t)big)
			die("pwrite of %lu MiB fell short", big / MIB);
	return now() - t;
}

static double rw_memcpy(void *arg, long n)
{
	struct rw_ctx *c = arg;
	double t = now();
	long i;

	for (i = 0; i < n; i++) {
		memcpy(c->buf2, c->buf, big);
		asm volatile("" : : "r"(c->buf2) : "memory");
	}
	return now() - t;
}

static void bench_rw(void)
{
	char what[48], ref[40];
	struct rw_ctx c;

	if (!wanted("pread") && !wanted("pwrite"))
		return;
	c.fd = asp_new();
	c.addr = asp_map(c.fd, big, MAP_POPULATE);
	c.buf = nat_map(big, MAP_POPULATE);
	c.buf2 = nat_map(big, MAP_POPULATE);
	memset(c.buf, 0x5a, big);
	{
		struct side s[3] = {
			{ .fn = rw_pread, .arg = &c },
			{ .fn = rw_pwrite, .arg = &c },
			{ .fn = rw_memcpy, .arg = &c },
		};
		char name[40];

		measure(s, 3, BIG_REPS);
		snprintf(ref, sizeof(ref), "memcpy %lu MiB", big / MIB);
		snprintf(name, sizeof(name), "pread_%luM", big / MIB);
		snprintf(what, sizeof(what), "pread %lu MiB", big / MIB);
		add_row(name, what, ref, "MiB/s", big / MIB, &s[0], &s[2],
			1 / 1.5);
		snprintf(name, sizeof(name), "pwrite_%luM", big / MIB);
		snprintf(what, sizeof(what), "pwrite %lu MiB", big / MIB);
		add_row(name, what, ref, "MiB/s", big / MIB, &s[1], &s[2],
			1 / 1.5);
	}
	nat_unmap(c.buf2, big);
	nat_unmap(c.buf, big);
	close(c.fd);
}

/* ------------------------------------------------------------------ */
/* MAP_POPULATE of the large size, against the native one and memset(). */

static double pop_asp(void *arg, long n)
{
	int fd = *(int *)arg;
	double t = 0, t0;
	__u64 addr;
	long i;

	for (i = 0; i < n; i++) {
		t0 = now();
		addr = asp_map(fd, big, MAP_POPULATE);
		t += now() - t0;
		check(aspace_munmap(fd, addr, big), "ASPACE_IOC_MUNMAP");
	}
	return t;
}

static double pop_nat(void *arg, long n)
{
	double t = 0, t0;
	char *p;
	long i;

	(void)arg;
	for (i = 0; i < n; i++) {
		t0 = now();
		p = nat_map(big, MAP_POPULATE);
		t += now() - t0;
		nat_unmap(p, big);
	}
	return t;
}

static double pop_memset(void *arg, long n)
{
	char *buf = arg;
	double t = now();
	long i;

	for (i = 0; i < n; i++) {
		memset(buf, (int)i, big);
		asm volatile("" : : "r"(buf) : "memory");
	}
	return now() - t;
}

static void bench_populate(void)
{
	char name[40], what[48], ref[40];
	char *buf;
	int fd;

	if (!wanted("populate"))
		return;
	fd = asp_new();
	buf = nat_map(big, MAP_POPULATE);
	{
		struct side s[3] = {
			{ .fn = pop_asp, .arg = &fd },
			{ .fn = pop_nat },
			{ .fn = pop_memset, .arg = buf },
		};

		measure(s, 3, BIG_REPS);
		snprintf(what, sizeof(what), "MMAP %lu MiB MAP_POPULATE",
			 big / MIB);
		snprintf(name, sizeof(name), "populate_%luM", big / MIB);
		snprintf(ref, sizeof(ref), "mmap MAP_POPULATE");
		add_row(name, what, ref, "MiB/s", big / MIB, &s[0], &s[1], 0);
		snprintf(name, sizeof(name), "populate_%luM_vs_memset",
			 big / MIB);
		snprintf(ref, sizeof(ref), "memset %lu MiB", big / MIB);
		add_row(name, what, ref, "MiB/s", big / MIB, &s[0], &s[2],
			1 / 1.1);
	}
	nat_unmap(buf, big);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Clone of an address space against fork()+exit+wait of a process. */

struct clone_ctx {
	int fd;
	__u32 flags;
};

static double clone_asp(void *arg, long n)
{
	struct clone_ctx *c = arg;
	double t = now();
	int nfd;
	long i;

	for (i = 0; i < n; i++) {
		check(aspace_clone(c->fd, c->flags, &nfd), "ASPACE_IOC_CLONE");
		close(nfd);
	}
	return now() - t;
}

static void nat_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		die("child %d failed (status %#x)", pid, st);
}

static double clone_fork(void *arg, long n)
{
	double t = now();
	pid_t pid;
	long i;

	(void)arg;
	for (i = 0; i < n; i++) {
		pid = fork();
		check_sys(pid, "fork");
		if (!pid)
			_exit(0);
		nat_wait(pid);
	}
	return now() - t;
}

static void bench_clone(unsigned long mib)
{
	struct clone_ctx cow, eager;
	unsigned long len = mib * MIB;
	char name[40], what[48], ref[40];
	char *p = NULL;
	__u64 addr;

	snprintf(name, sizeof(name), "clone_%luM", mib);
	if (!wanted(name))
		return;
	cow.fd = asp_new();
	cow.flags = 0;
	eager.fd = cow.fd;
	eager.flags = ASPACE_CLONE_EAGER;
	if (len) {
		addr = asp_map(cow.fd, len, 0);
		asp_touch(cow.fd, addr, len);
		p = nat_map(len, 0);
		nat_touch(p, len);
	}
	{
		struct side s[3] = {
			{ .fn = clone_asp, .arg = &cow },
			/* A second each at 512 MiB: two runs. */
			{ .fn = clone_asp, .arg = &eager, .reps = mib > 64 },
			{ .fn = clone_fork },
		};

		measure(s, 3, REPS_CHEAP);
		snprintf(ref, sizeof(ref), "fork+exit+wait, %lu MiB", mib);
		snprintf(name, sizeof(name), "clone_cow_%luM", mib);
		snprintf(what, sizeof(what), "CLONE+close, %lu MiB written",
			 mib);
		add_row(name, what, ref, "op/s", 1, &s[0], &s[2], 2);
		snprintf(name, sizeof(name), "clone_eager_%luM", mib);
		snprintf(what, sizeof(what), "CLONE EAGER+close, %lu MiB",
			 mib);
		add_row(name, what, ref, "op/s", 1, &s[1], &s[2], 0);
	}
	if (p)
		nat_unmap(p, len);
	close(cow.fd);
}

/* ------------------------------------------------------------------ */
/* A copy-on-write break on every page of 64 MiB after a clone / fork. */

#define COWB_LEN	(64 * MIB)
#define COWB_REPS	4

struct cowb_ctx {
	int fd;
	__u64 addr;
	char *p;
};

static double cowb_asp(void *arg, long n)
{
	struct cowb_ctx *c = arg;
	double t = 0, t0;
	int nfd;
	long i;

	for (i = 0; i < n; i++) {
		check(aspace_clone(c->fd, 0, &nfd), "ASPACE_IOC_CLONE");
		t0 = now();
		asp_touch(nfd, c->addr, COWB_LEN);
		t += now() - t0;
		close(nfd);
	}
	return t;
}

static double cowb_nat(void *arg, long n)
{
	struct cowb_ctx *c = arg;
	double t = 0, dt;
	int pfd[2];
	pid_t pid;
	long i;

	for (i = 0; i < n; i++) {
		check_sys(pipe(pfd), "pipe");
		pid = fork();
		check_sys(pid, "fork");
		if (!pid) {
			dt = now();
			nat_touch(c->p, COWB_LEN);
			dt = now() - dt;
			_exit(write(pfd[1], &dt, sizeof(dt)) != sizeof(dt));
		}
		if (read(pfd[0], &dt, sizeof(dt)) != sizeof(dt))
			die("no time from the child");
		nat_wait(pid);
		close(pfd[0]);
		close(pfd[1]);
		t += dt;
	}
	return t;
}

static void bench_cow_break(void)
{
	struct cowb_ctx c;

	if (!wanted("cow_break"))
		return;
	c.fd = asp_new();
	c.addr = asp_map(c.fd, COWB_LEN, 0);
	asp_touch(c.fd, c.addr, COWB_LEN);
	c.p = nat_map(COWB_LEN, 0);
	nat_touch(c.p, COWB_LEN);
	{
		struct side s[2] = {
			{ .fn = cowb_asp, .arg = &c },
			{ .fn = cowb_nat, .arg = &c },
		};

		measure(s, 2, COWB_REPS);
		add_row("cow_break_64M", "CLONE, ACCESS write 64 MiB",
			"fork, child stores", "pages/s", COWB_LEN / PG, &s[0],
			&s[1], 0);
	}
	nat_unmap(c.p, COWB_LEN);
	close(c.fd);
}

/* ------------------------------------------------------------------ */

static unsigned long mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long kib = 0;
	char line[128];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib << 10;
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: aspace_bench [-H] [-b MiB] [-k WORDS] [-o FILE] [-c]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long avail = mem_available();
	const char *csv_path = NULL;
	bool csv_stdout = false;
	struct utsname un;
	char date[64];
	double t0 = now();
	time_t wall;
	int opt;

	/* pread/pwrite needs three times the size at once. */
	big = avail >= 3 * GIB + GIB / 2 ? GIB : 256 * MIB;
	while ((opt = getopt(argc, argv, "Hb:k:o:c")) != -1) {
		switch (opt) {
		case 'H':
			thp_default = true;
			break;
		case 'b':
			big = strtoul(optarg, NULL, 0) * MIB;
			big_auto = false;
			if (!big)
				print_usage();
			break;
		case 'k':
			only = optarg;
			break;
		case 'o':
			csv_path = optarg;
			break;
		case 'c':
			csv_stdout = true;
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc)
		print_usage();
	if (!thp_default)
		check_sys(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0),
			  "PR_SET_THP_DISABLE");

	wall = time(NULL);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", gmtime(&wall));
	uname(&un);
	printf("aspace_bench: %s, kernel %s, %ld CPUs, %lu MiB available\n",
	       date, un.release, sysconf(_SC_NPROCESSORS_ONLN), avail / MIB);
	printf("native: %s; large cases: %lu MiB%s\n",
	       thp_default ? "transparent huge pages as the system has them" :
	       "4 KiB pages (transparent huge pages off)", big / MIB,
	       big_auto && big < GIB ? " (too little memory for 1 GiB)" : "");
	printf("rates: the best run of each side; "
	       "ratio = aspace / native (above 1: aspace faster)\n");
	print_header();

	bench_null();
	bench_mmap1();
	bench_brk1();
	bench_mprotect();
	bench_vmas(10);
	bench_vmas(1000);
	bench_vmas(60000);
	bench_touch();
	bench_rw();
	bench_populate();
	bench_clone(0);
	bench_clone(64);
	bench_clone(512);
	bench_cow_break();

	printf("aspace_bench: %d cases in %.0f s\n", nrows, now() - t0);
	if (csv_path) {
		FILE *f = fopen(csv_path, "w");

		if (!f)
			die("%s: %s", csv_path, strerror(errno));
		write_csv(f);
		if (fclose(f))
			die("%s: %s", csv_path, strerror(errno));
	}
	if (csv_stdout) {
		printf("%s\n", CSV_BEGIN);
		write_csv(stdout);
		printf("%s\n", CSV_END);
	}
	return 0;
}
