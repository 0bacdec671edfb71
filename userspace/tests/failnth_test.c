// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection from user space: every ioctl of /dev/aspace, and
 * pread/pwrite, made with the Nth failure point of the call failing, for
 * every N the call reaches, through the kernel's fault-injection framework
 * (/proc/thread-self/fail-nth; Documentation/fault-injection in the kernel).
 * Every should_fail() the calling thread reaches counts: slab allocations
 * (failslab: VMAs, maple-tree nodes, the module's structs), page
 * allocations (fail_page_alloc: data and page-table pages), copies from
 * and to user memory (fail_usercopy) and the module's own fault attribute
 * (fail_aspace).
 *
 * The calls: every ASPACE_IOC_* (MMAP plain, populated, shared, MAP_FIXED
 * over VMAs; MUNMAP and MPROTECT splitting, over several VMAs, merging;
 * BRK both ways; CLONE copy-on-write and eager; loads, stores and a load
 * below the stack; MADVISE's DONTNEED, POPULATE_*, DONTFORK, WIPEONFORK;
 * the layout, limits, QUERY, STATS and introspection), pread and pwrite.
 * The states: empty; populated (a stack, private, read-only, shared,
 * PROT_NONE and split mappings, a heap, written, zero pages, fork advice);
 * the same unwritten with MANY_VMAS more VMAs; and both sides of a
 * copy-on-write clone of the populated state (the call on one, the other
 * checked too).
 *
 * For each call and starting state, and N = 1, 2, 3, ...: build the state
 * on a new descriptor, write N to fail-nth, make the call, read fail-nth
 * back (0: the failure was injected during the call), disarm it.  The
 * sweep ends with the first call the failure did not reach, which must
 * give exactly what the call gives without fault injection (the
 * reference, made first).  A call that got the failure must either
 *
 *  - fail with an errno it documents for that (ENOMEM, EFAULT, EAGAIN for
 *    madvise's splits: never EINVAL, E2BIG, ENOTTY, ...) and leave the
 *    address space as it was: VMAs, contents (read back with pread after
 *    the call), STATS, break, layout, limits, of the descriptor and of
 *    its copy-on-write sibling.  A call that faults pages in (ACCESS,
 *    pread, pwrite, MADV_POPULATE_*) may keep the pages and page tables
 *    it made before the failure, as Linux does, and a store or pwrite the
 *    bytes before it (what it left must be a prefix of the write); or
 *  - succeed, with the result and the state of the call without the
 *    failure, but for what aspace absorbs on purpose: MAP_POPULATE stops
 *    early (fewer pages resident), a merge of mprotect or of madvise's
 *    fork advice is skipped (the VMAs cover the same pages with the same
 *    flags, split), a pread or pwrite is short (the first bytes done), a
 *    brk that cannot move returns the old break, a load below the stack
 *    that cannot grow it faults (SEGV_MAPERR, as in Linux).
 *
 * An ioctl that copies its struct back may fail that last copy with
 * EFAULT after its change is made (an injected copy failure after the
 * probe made before the change, ioctls.md): the state is then the one of
 * the call without the failure.  Those are counted apart.
 *
 * After every call the descriptors are closed and the module's counters
 * (data and page-table pages, VMAs, address spaces) must be back where
 * they were: nothing leaks.  The guest runner also fails the run on any
 * kernel warning, KASAN, lockdep or kmemleak report.
 *
 * The kernel must have CONFIG_FAULT_INJECTION (fail-nth) and failslab and
 * fail_page_alloc in debugfs, which is configured here so that every
 * allocation counts (ignore-gfp-wait and ignore-gfp-highmem N, min-order
 * 0) and no fault attribute prints a stack trace (verbose 0).  Without
 * fail-nth, as on Debian's kernels, every test is skipped.
 *
 * At the end: "# failnth summary: N calls, M failures injected ...".
 * FAILNTH_ONLY=TEXT in the environment runs only the sweeps whose
 * STATE.CALL name contains TEXT (failnth_test prints them).
 */
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"

#define FN_PROC		"/proc/thread-self/fail-nth"
#define FN_DEBUGFS	"/sys/kernel/debug"
/* A sweep that has not ended by then fails. */
#define FN_MAX_N	2000
/* Descriptors of a state: the one called, its COW sibling, a clone. */
#define FN_FDS		3
/* Most bytes of contents an address space of the tests maps. */
#define FN_MEM_MAX	(16ULL << 20)
/* Buffers of a call: what it writes, what it reads. */
#define FN_BUF		PAGES(64)

/* Where the states map: every address is fixed. */
#define AREA		FIXED_AREA
#define PRIV		AREA			/* 16 pages, rw-p */
#define RO		(AREA + PAGES(16))	/* 8 pages, r--p */
#define SHM		(AREA + PAGES(32))	/* 8 pages, rw-s */
#define NONE		(AREA + PAGES(48))	/* 4 pages, ---p */
#define SPLIT		(AREA + PAGES(64))	/* 8 pages: rw-p, r--p, rw-p */
#define FREE		(AREA + PAGES(100))	/* nothing mapped */
#define MANY		(AREA + (1ULL << 30))	/* the many-VMA state */
#define HEAP		DEF_HEAP_START
/* The stack (ASPACE_LAYOUT_STACK): 128 KiB below the top of the window. */
#define STACK		(MAP_WINDOW - DEF_STACK_SIZE)
/* VMAs of one page each in the many-VMA state (besides the others). */
#define MANY_VMAS	96

/* ------------------------------------------------------------------ */
/* fail-nth */

static int fn_fd = -1;

/* Make the @n-th failure point from now fail. */
static int fn_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fn_fd, buf, len, 0) == len ? 0 : -errno;
}

/*
 * After the call: 1 if the failure was injected in it (the count is 0),
 * 0 if not, or -errno.  The read copies to user memory, itself a failure
 * point while the count is not 0: if it took the last one (EFAULT), the
 * call did not.
 */
static int fn_consumed(void)
{
	char buf[16];
	ssize_t n;

	n = pread(fn_fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return errno == EFAULT ? 0 : -errno;
	buf[n] = '\0';
	return strtoul(buf, NULL, 10) == 0;
}

/* No failure pending; the write itself may take the last one (EFAULT). */
static int fn_disarm(void)
{
	char buf[16];
	ssize_t n;

	if (pwrite(fn_fd, "0", 1, 0) != 1 && errno != EFAULT)
		return -errno;
	n = pread(fn_fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return strtoul(buf, NULL, 10) ? -EBUSY : 0;
}

/* Write @val into a debugfs file of fault injection. */
static int fn_debugfs_set(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/%s", FN_DEBUGFS, dir, file);
	return lx_write_file(path, val);
}

static bool fn_is_fault_attr(const char *dir)
{
	static const char * const files[] = {
		"probability", "times", "verbose", "task-filter",
	};
	char path[PATH_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", FN_DEBUGFS, dir,
			 files[i]);
		if (access(path, F_OK))
			return false;
	}
	return true;
}

/*
 * Configure fault injection: every allocation counts (GFP_KERNEL ones,
 * highmem data pages, order 0) and no fault attribute reports a forced
 * failure in the kernel log (verbose 0: the runner fails a log with a
 * call trace).  Returns NULL, or why the tests cannot run.
 */
static const char *fn_configure(void)
{
	static char why[160];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	if (access(FN_PROC, F_OK))
		return "no " FN_PROC ": a kernel without CONFIG_FAULT_INJECTION"
		       " (the sanitizer kernel of scripts/sankernel.sh has it)";
	if (access(FN_DEBUGFS "/failslab", F_OK))
		mount("debugfs", FN_DEBUGFS, "debugfs", 0, NULL);
	if (access(FN_DEBUGFS "/failslab", F_OK) ||
	    access(FN_DEBUGFS "/fail_page_alloc", F_OK))
		return "no failslab or fail_page_alloc in " FN_DEBUGFS
		       " (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC,"
		       " CONFIG_FAULT_INJECTION_DEBUG_FS)";
	ret = ret ?: fn_debugfs_set("failslab", "ignore-gfp-wait", "N");
	ret = ret ?: fn_debugfs_set("fail_page_alloc", "ignore-gfp-wait", "N");
	ret = ret ?: fn_debugfs_set("fail_page_alloc", "ignore-gfp-highmem",
				    "N");
	ret = ret ?: fn_debugfs_set("fail_page_alloc", "min-order", "0");
	/* Every fault attribute: failslab, fail_usercopy, fail_aspace, ... */
	d = opendir(FN_DEBUGFS);
	if (!d)
		ret = ret ?: -errno;
	while (!ret && d && (de = readdir(d))) {
		if (de->d_name[0] != '.' && fn_is_fault_attr(de->d_name))
			ret = fn_debugfs_set(de->d_name, "verbose", "0");
	}
	if (d)
		closedir(d);
	if (!ret)
		return NULL;
	snprintf(why, sizeof(why), "cannot configure fault injection in %s: %s",
		 FN_DEBUGFS, strerror(-ret));
	return why;
}

/* ------------------------------------------------------------------ */
/* Totals of the whole run, shared by the tests (each runs in a child) */

struct fn_totals {
	unsigned long sweeps;
	unsigned long calls;		/* calls made with a failure armed */
	unsigned long injected;		/* ... that reached it */
	unsigned long failed;		/* ... and failed cleanly */
	unsigned long completed;	/* ... and did the whole job */
	unsigned long partial;		/* ... short, not populated, unmerged */
	unsigned long late_efault;	/* ... EFAULT copying out a change */
	unsigned long longest;
	char longest_name[80];
	char skip[240];
	bool configured;
};

static struct fn_totals *fn_totals;
static pid_t fn_main_pid;

static void __attribute__((constructor)) fn_totals_init(void)
{
	void *p = mmap(NULL, sizeof(*fn_totals), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	fn_totals = p == MAP_FAILED ? NULL : p;
	fn_main_pid = getpid();
}

/* After the harness's totals, in the process that ran the tests. */
static void __attribute__((destructor)) fn_totals_print(void)
{
	const struct fn_totals *t = fn_totals;

	if (!t || getpid() != fn_main_pid)
		return;
	if (t->skip[0] && !t->sweeps) {
		printf("# failnth summary: skipped: %s\n", t->skip);
		return;
	}
	printf("# failnth summary: %lu calls, %lu failures injected"
	       " (%lu sweeps): %lu failed cleanly, %lu completed anyway,"
	       " %lu partial (short, unpopulated, unmerged), %lu EFAULT"
	       " after the change; longest sweep %lu (%s)\n",
	       t->calls, t->injected, t->sweeps, t->failed, t->completed,
	       t->partial, t->late_efault, t->longest, t->longest_name);
	fflush(stdout);
}

static long long fn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* The module's counters */

static const char * const fn_counter_files[4] = {
	SYSFS_PAGES_DATA, SYSFS_PAGES_PGTABLE, SYSFS_VMAS,
	SYSFS_ADDRESS_SPACES,
};

/* The counters, read with pread on descriptors kept open (cheaper). */
static void fn_counters(long long c[4])
{
	static int fds[4] = { -1, -1, -1, -1 };
	char buf[32];
	unsigned int i;
	ssize_t n;

	for (i = 0; i < 4; i++) {
		if (fds[i] < 0)
			fds[i] = open(fn_counter_files[i], O_RDONLY | O_CLOEXEC);
		n = fds[i] < 0 ? -1 : pread(fds[i], buf, sizeof(buf) - 1, 0);
		if (n <= 0) {
			c[i] = -1;
			continue;
		}
		buf[n] = '\0';
		c[i] = strtoll(buf, NULL, 10);
	}
}

/* The counters are what they were: report which not. */
static bool fn_counters_back(const long long base[4])
{
	long long now[4];
	unsigned int i;
	bool ok = true;

	fn_counters(now);
	for (i = 0; i < 4; i++) {
		if (now[i] == base[i])
			continue;
		fprintf(stderr, "# %s: %lld, was %lld: leaked\n",
			fn_counter_files[i], now[i], base[i]);
		ok = false;
	}
	return ok;
}

/* ------------------------------------------------------------------ */
/* Snapshots: VMAs, STATS, layout, limits, break and contents */

struct fn_blob {
	unsigned char *buf;
	size_t len;
	size_t cap;
};

struct fn_side {
	struct asp_snap s;
	struct fn_blob mem;	/* every VMA's bytes, in address order */
	bool has_mem;
};

struct fn_world {
	unsigned int n;
	struct fn_side side[FN_FDS];
};

/* The bytes of every VMA of @fd (pread), after one another. */
static int fn_read_mem(int fd, struct fn_side *sd)
{
	const struct vma_list *l = &sd->s.vmas;
	size_t total = 0, off = 0;
	unsigned int i, j;
	__u64 addr, len;
	ssize_t n;

	for (i = 0; i < l->n; i++)
		total += l->v[i].end - l->v[i].start;
	if (total > FN_MEM_MAX)
		return -E2BIG;
	if (sd->mem.cap < total) {
		void *p = realloc(sd->mem.buf, total);

		if (!p)
			return -ENOMEM;
		sd->mem.buf = p;
		sd->mem.cap = total;
	}
	/* One pread for VMAs that follow one another. */
	for (i = 0; i < l->n; i = j) {
		for (j = i + 1; j < l->n && l->v[j].start == l->v[j - 1].end;
		     j++)
			;
		addr = l->v[i].start;
		for (len = l->v[j - 1].end - addr; len; len -= n, addr += n) {
			n = pread(fd, sd->mem.buf + off, len, (off_t)addr);
			if (n <= 0)
				return n < 0 ? -errno : -EIO;
			off += n;
		}
	}
	sd->mem.len = total;
	sd->has_mem = true;
	return 0;
}

/* Number the shared objects by first appearance: ids differ per build. */
static void fn_canon_ids(struct fn_world *w)
{
	__u64 seen[256];
	unsigned int nseen = 0, i, j, k;
	struct vma_rec *v;

	for (i = 0; i < w->n; i++) {
		for (j = 0; j < w->side[i].s.vmas.n; j++) {
			v = &w->side[i].s.vmas.v[j];
			if (!v->id)
				continue;
			for (k = 0; k < nseen && seen[k] != v->id; k++)
				;
			if (k == nseen && nseen < ARRAY_SIZE(seen))
				seen[nseen++] = v->id;
			v->id = k + 1;
		}
	}
}

/*
 * Snapshot the @n descriptors of @fds into @w; with @mem also their
 * contents, read after everything else (reading maps zero pages).
 */
static int fn_world_take(struct fn_world *w, const int *fds, unsigned int n,
			 bool mem)
{
	unsigned int i;
	int ret;

	w->n = n;
	for (i = 0; i < n; i++) {
		ret = snap_take(fds[i], &w->side[i].s);
		if (ret)
			return ret;
		w->side[i].has_mem = false;
	}
	for (i = 0; mem && i < n; i++) {
		ret = fn_read_mem(fds[i], &w->side[i]);
		if (ret)
			return ret;
	}
	fn_canon_ids(w);
	return 0;
}

/* Comparisons log what differs, unless only trying an alternative. */
static bool fn_quiet;

#define FN_LOG(...) do {						\
	if (!fn_quiet)							\
		fprintf(stderr, __VA_ARGS__);				\
} while (0)

/* Adjacent VMAs that could be one (same flags and object) joined. */
static unsigned int fn_coalesce(const struct vma_list *l, struct vma_rec *out)
{
	const struct vma_rec *v;
	unsigned int i, n = 0;
	struct vma_rec *p;

	for (i = 0; i < l->n; i++) {
		v = &l->v[i];
		p = n ? &out[n - 1] : NULL;
		if (p && p->end == v->start && p->flags == v->flags &&
		    p->id == v->id &&
		    (!v->id || p->pgoff + (p->end - p->start) == v->pgoff)) {
			p->end = v->end;
			continue;
		}
		out[n++] = *v;
	}
	return n;
}

/* Relaxations of a comparison of worlds. */
#define FNR_COUNTERS	0x1	/* faults, pages and tables: between two */
#define FNR_UNMERGED	0x2	/* VMAs may be split where merges failed */
#define FNR_NO_MEM	0x4	/* contents compared elsewhere */
#define FNR_FEWER	0x8	/* faults, pages and tables: fewer, by at most */
static __u64 fn_fewer;		/* ... this many (the pages populated) */

static const char * const fn_stat_names[] = {
	"nr_vmas", "mapped_bytes", "data_bytes", "resident_pages",
	"shared_pages", "pgtable_pages[0]", "pgtable_pages[1]",
	"pgtable_pages[2]", "pgtable_pages[3]", "pgtable_pages[4]",
	"faults", "cow_breaks", "zero_page_maps",
};

/* The counters of STATS, from nr_vmas on. */
static __u64 fn_stat(const struct aspace_stats *st, unsigned int i)
{
	const __u64 *f = &st->nr_vmas;

	return f[i];
}

static bool fn_stats_match(const struct aspace_stats *got,
			   const struct aspace_stats *want,
			   const struct aspace_stats *other, unsigned int relax,
			   const char *what)
{
	__u64 g, w, o, lo, hi;
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(fn_stat_names); i++) {
		g = fn_stat(got, i);
		w = fn_stat(want, i);
		o = other ? fn_stat(other, i) : w;
		lo = w < o ? w : o;
		hi = w < o ? o : w;
		if ((relax & FNR_COUNTERS) && i >= 3 && g >= lo && g <= hi)
			continue;
		if ((relax & FNR_FEWER) && i >= 3 && g <= w && g + fn_fewer >= w)
			continue;
		if ((relax & FNR_UNMERGED) && i == 0 && g >= w)
			continue;
		if (g == w)
			continue;
		if (relax & (FNR_COUNTERS | FNR_FEWER) && i >= 3)
			FN_LOG("# %s: %s is %llu, expected %llu to %llu\n",
			       what, fn_stat_names[i], (unsigned long long)g,
			       (unsigned long long)(relax & FNR_FEWER ?
						    w - fn_fewer : lo),
			       (unsigned long long)(relax & FNR_FEWER ? w : hi));
		else
			FN_LOG("# %s: %s is %llu, expected %llu\n", what,
			       fn_stat_names[i], (unsigned long long)g,
			       (unsigned long long)w);
		ok = false;
	}
	return ok;
}

static bool fn_vmas_match(const struct vma_list *got,
			  const struct vma_list *want, unsigned int relax,
			  const char *what)
{
	static struct vma_rec cg[VMA_LIST_MAX], cw[VMA_LIST_MAX];
	unsigned int ng, nw;

	if (!(relax & FNR_UNMERGED)) {
		if (got->n == want->n &&
		    !memcmp(got->v, want->v, got->n * sizeof(got->v[0])))
			return true;
	} else {
		ng = fn_coalesce(got, cg);
		nw = fn_coalesce(want, cw);
		if (ng == nw && !memcmp(cg, cw, ng * sizeof(cg[0])))
			return true;
	}
	FN_LOG("# %s: the VMAs differ%s\n", what,
	       relax & FNR_UNMERGED ? " (even with neighbours joined)" : "");
	if (!fn_quiet) {
		dump_vmas("expected", want);
		dump_vmas("got", got);
	}
	return false;
}

/* The first byte where two blobs differ, logged. */
static bool fn_mem_match(const struct fn_blob *got, const struct fn_blob *want,
			 const char *what)
{
	size_t i, n = got->len < want->len ? got->len : want->len;

	if (got->len == want->len && !memcmp(got->buf, want->buf, n))
		return true;
	for (i = 0; i < n && got->buf[i] == want->buf[i]; i++)
		;
	FN_LOG("# %s: the contents differ: %zu bytes, expected %zu;"
	       " first difference at byte %zu of the VMAs\n",
	       what, got->len, want->len, i);
	return false;
}

/*
 * Is @got the world @want, with @relax (counters between @want's and
 * @other's)?  Logs what differs, as @what.
 */
static bool fn_world_match(const struct fn_world *got,
			   const struct fn_world *want,
			   const struct fn_world *other, unsigned int relax,
			   const char *what)
{
	const struct asp_snap *g, *w;
	char name[96];
	unsigned int i;
	bool ok = true;

	if (got->n != want->n) {
		FN_LOG("# %s: %u descriptors, expected %u\n", what,
		       got->n, want->n);
		return false;
	}
	for (i = 0; i < got->n; i++) {
		g = &got->side[i].s;
		w = &want->side[i].s;
		snprintf(name, sizeof(name), "%s, descriptor %u", what, i);
		ok &= fn_vmas_match(&g->vmas, &w->vmas, relax, name);
		ok &= fn_stats_match(&g->stats, &w->stats,
				     other && other->n > i ?
				     &other->side[i].s.stats : NULL, relax,
				     name);
		if (memcmp(&g->layout, &w->layout, sizeof(g->layout))) {
			FN_LOG("# %s: the layout differs\n", name);
			ok = false;
		}
		if (memcmp(&g->limits, &w->limits, sizeof(g->limits))) {
			FN_LOG("# %s: the limits differ\n", name);
			ok = false;
		}
		if (g->brk != w->brk) {
			FN_LOG("# %s: brk %#llx, expected %#llx\n",
			       name, (unsigned long long)g->brk,
			       (unsigned long long)w->brk);
			ok = false;
		}
		if (!(relax & FNR_NO_MEM) && got->side[i].has_mem &&
		    want->side[i].has_mem)
			ok &= fn_mem_match(&got->side[i].mem,
					   &want->side[i].mem, name);
	}
	return ok;
}

/* Offset of @addr in the contents of @sd, or -1 if nothing maps it. */
static long long fn_mem_off(const struct fn_side *sd, __u64 addr)
{
	const struct vma_list *l = &sd->s.vmas;
	long long off = 0;
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		if (addr >= l->v[i].start && addr < l->v[i].end)
			return off + (long long)(addr - l->v[i].start);
		off += l->v[i].end - l->v[i].start;
	}
	return -1;
}

/*
 * A write of @len bytes at @addr that may have stopped part way: the
 * first k bytes are as the whole write leaves them (@done), the rest as
 * before (@before), on every descriptor (a shared mapping shows it in
 * the sibling too).  k is @done if not negative, else as far as the
 * first descriptor's bytes match the whole write.
 */
static bool fn_prefix_match(const struct fn_world *got,
			    const struct fn_world *before,
			    const struct fn_world *done, __u64 addr,
			    __u64 len, long long k)
{
	const struct fn_blob *g, *b, *d;
	long long off;
	unsigned int i;
	size_t j;

	for (i = 0; i < got->n; i++) {
		g = &got->side[i].mem;
		b = &before->side[i].mem;
		d = &done->side[i].mem;
		off = fn_mem_off(&before->side[i], addr);
		if (g->len != b->len || d->len != b->len ||
		    (off >= 0 && (size_t)off + len > b->len)) {
			FN_LOG("# descriptor %u: the contents changed size\n",
			       i);
			return false;
		}
		if (off < 0) {
			if (!fn_mem_match(g, b, "not written"))
				return false;
			continue;
		}
		if (k < 0)
			for (k = 0; (__u64)k < len &&
			     g->buf[off + k] == d->buf[off + k]; k++)
				;
		if (memcmp(g->buf, b->buf, off) ||
		    memcmp(g->buf + off, d->buf + off, k) ||
		    memcmp(g->buf + off + k, b->buf + off + k, len - k) ||
		    memcmp(g->buf + off + len, b->buf + off + len,
			   b->len - off - len)) {
			for (j = 0; j < b->len; j++)
				if (g->buf[j] != (j >= (size_t)off &&
						  j < (size_t)off + k ?
						  d->buf[j] : b->buf[j]))
					break;
			FN_LOG("# descriptor %u: not the first %lld bytes of"
			       " the write at %#llx and the rest as before:"
			       " byte %zu of the VMAs differs\n",
			       i, k, (unsigned long long)addr, j);
			return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Starting states */

enum fn_state {
	ST_EMPTY,	/* a new address space */
	ST_POPULATED,	/* mappings of every kind, pages written */
	ST_MANY,	/* the same mappings unwritten, and MANY_VMAS more */
	ST_COW_PARENT,	/* populated, then a copy-on-write clone: the source */
	ST_COW_CHILD,	/* ... the clone */
};

enum fn_step_op {
	S_LAYOUT, S_MMAP, S_PROTECT, S_FILL, S_TOUCH, S_MADV, S_BRK,
};

struct fn_step {
	enum fn_step_op op;
	__u64 addr;
	__u64 len;
	__u32 arg;	/* prot, pattern seed, advice */
	__u32 flags;
};

/* A stack, the mappings, never written; the heap grown by four pages. */
static const struct fn_step fn_mapped[] = {
	{ S_LAYOUT, 0, 0, 0, 0 },
	{ S_MMAP, PRIV, PAGES(16), P_RW, M_PRIV },
	{ S_MMAP, RO, PAGES(8), P_R, M_PRIV },
	{ S_MMAP, SHM, PAGES(8), P_RW, M_SHARED },
	{ S_MMAP, NONE, PAGES(4), 0, M_PRIV },
	{ S_MMAP, SPLIT, PAGES(8), P_RW, M_PRIV },
	{ S_PROTECT, SPLIT + PAGES(2), PAGES(4), P_R, 0 },
	{ S_BRK, HEAP + PAGES(4), 0, 0, 0 },
};

/*
 * The same with contents: written pages, zero pages (PRIV's last four,
 * read), a shared object's pages, a forced write into PROT_NONE, fork
 * advice (NONE is not copied by a clone, SPLIT's last part wiped), the
 * stack's top pages.
 */
static const struct fn_step fn_populated[] = {
	{ S_LAYOUT, 0, 0, 0, 0 },
	{ S_FILL, MAP_WINDOW - PAGES(2), PAGES(2), 8, 0 },
	{ S_MMAP, PRIV, PAGES(16), P_RW, M_PRIV },
	{ S_FILL, PRIV, PAGES(12), 1, 0 },
	{ S_TOUCH, PRIV + PAGES(12), PAGES(4), 0, 0 },
	{ S_MMAP, RO, PAGES(8), P_RW, M_PRIV },
	{ S_FILL, RO, PAGES(8), 2, 0 },
	{ S_PROTECT, RO, PAGES(8), P_R, 0 },
	{ S_MMAP, SHM, PAGES(8), P_RW, M_SHARED },
	{ S_FILL, SHM, PAGES(8), 3, 0 },
	{ S_MMAP, NONE, PAGES(4), 0, M_PRIV },
	{ S_FILL, NONE, PAGES(4), 4, 0 },
	{ S_MADV, NONE, PAGES(4), MADV_DONTFORK, 0 },
	{ S_MMAP, SPLIT, PAGES(8), P_RW, M_PRIV },
	{ S_FILL, SPLIT, PAGES(8), 5, 0 },
	{ S_PROTECT, SPLIT + PAGES(2), PAGES(4), P_R, 0 },
	{ S_MADV, SPLIT + PAGES(6), PAGES(2), MADV_WIPEONFORK, 0 },
	{ S_BRK, HEAP + PAGES(4), 0, 0, 0 },
	{ S_FILL, HEAP, PAGES(4), 6, 0 },
};

static unsigned char fn_wdata[FN_BUF];	/* what a call writes */
static unsigned char fn_rdata[FN_BUF];	/* where a call reads to */
static unsigned char fn_ref_data[FN_BUF];

static int fn_step(int fd, const struct fn_step *s)
{
	static unsigned char buf[FN_BUF];
	__u64 got;

	switch (s->op) {
	case S_LAYOUT:
		return set_stack_layout(fd, 0, 0, 0);
	case S_MMAP:
		return aspace_mmap(fd, s->addr, s->len, s->arg,
				   s->flags | M_FIXED, NULL);
	case S_PROTECT:
		return aspace_mprotect(fd, s->addr, s->len, s->arg);
	case S_FILL:
		gen_data(buf, s->addr, s->len, s->arg);
		return mem_pwrite(fd, buf, s->len, s->addr) == (long long)s->len ?
		       0 : -EIO;
	case S_TOUCH:
		return mem_access(fd, ASPACE_ACCESS_READ, s->addr, s->len, NULL,
				  NULL);
	case S_MADV:
		return mem_madvise(fd, s->addr, s->len, s->arg);
	case S_BRK:
		return aspace_brk(fd, s->addr, &got) ?: got == s->addr ?
		       0 : -ENOMEM;
	}
	return -EINVAL;
}

static int fn_steps(int fd, const struct fn_step *s, unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = fn_step(fd, &s[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * MANY_VMAS pages in a row, read-write and read-only in turn (so none
 * merge), every eighth one written.
 */
static int fn_many(int fd)
{
	struct fn_step s = { S_MMAP, MANY, PAGES(MANY_VMAS), P_RW, M_PRIV };
	unsigned int i;
	int ret;

	ret = fn_step(fd, &s);
	for (i = 0; !ret && i < MANY_VMAS; i += 8) {
		s.op = S_FILL;
		s.addr = MANY + PAGES(i) + 8 * i;
		s.len = 64;
		s.arg = 7;
		ret = fn_step(fd, &s);
	}
	for (i = 1; !ret && i < MANY_VMAS; i += 2) {
		s.op = S_PROTECT;
		s.addr = MANY + PAGES(i);
		s.len = PG;
		s.arg = P_R;
		ret = fn_step(fd, &s);
	}
	return ret;
}

/* Build @state: the descriptors in @fds; returns how many, or -errno. */
static int fn_build(enum fn_state state, int *fds)
{
	int fd, ret = 0, n = 1;

	fd = aspace_open(0);
	if (fd < 0)
		return fd;
	fds[0] = fd;
	switch (state) {
	case ST_EMPTY:
		break;
	case ST_MANY:
		ret = fn_steps(fd, fn_mapped, ARRAY_SIZE(fn_mapped));
		ret = ret ?: fn_many(fd);
		break;
	case ST_POPULATED:
	case ST_COW_PARENT:
	case ST_COW_CHILD:
		ret = fn_steps(fd, fn_populated, ARRAY_SIZE(fn_populated));
		if (ret || state == ST_POPULATED)
			break;
		ret = aspace_clone(fd, 0, &fds[1]);
		if (ret)
			break;
		n = 2;
		if (state == ST_COW_CHILD) {
			fds[0] = fds[1];
			fds[1] = fd;
		}
		break;
	}
	if (ret) {
		while (n--)
			close(fds[n]);
		return ret;
	}
	return n;
}

static void fn_close(int *fds, unsigned int n)
{
	while (n--)
		close(fds[n]);
}

/* ------------------------------------------------------------------ */
/* The calls */

enum fn_kind { K_IOCTL, K_PREAD, K_PWRITE };

/* What an injected failure may leave. */
#define FN_FAULTS	0x01	/* faults in: pages and tables made may stay */
#define FN_POPULATE	0x02	/* MAP_POPULATE: may stop early, succeeding */
#define FN_MERGE	0x04	/* merges may be skipped, succeeding */
#define FN_WRITE	0x08	/* writes: the first bytes may be done */
#define FN_XFER		0x10	/* pread/pwrite: a short count */
#define FN_GROWS	0x20	/* grows the stack: SEGV_MAPERR if it cannot */

struct fn_op {
	const char *name;
	enum fn_kind kind;
	unsigned long cmd;
	__u64 a, b;		/* address and length, mostly */
	__u32 c, d;		/* prot, flags, advice, kind */
	unsigned int flags;
	const int *errnos;	/* what it may fail with, 0-terminated */
};

static const int E_COPY[] = { EFAULT, 0 };
static const int E_ALLOC[] = { ENOMEM, EFAULT, 0 };
static const int E_SPLIT[] = { EAGAIN, EFAULT, 0 };

#define IOC(n, cmd, a, b, c, d, f, e) \
	{ #n, K_IOCTL, ASPACE_IOC_##cmd, a, b, c, d, f, e }

static const struct fn_op fn_ops[] = {
	IOC(handshake, HANDSHAKE, 0, 0, 0, 0, 0, E_COPY),
	IOC(mmap, MMAP, 0, PAGES(8), P_RW, M_PRIV, 0, E_ALLOC),
	IOC(mmap_populate, MMAP, 0, PAGES(16), P_RW, M_PRIV | M_POPULATE,
	    FN_POPULATE, E_ALLOC),
	IOC(mmap_shared, MMAP, 0, PAGES(8), P_RW, M_SHARED, 0, E_ALLOC),
	IOC(mmap_shared_populate, MMAP, 0, PAGES(8), P_RW,
	    M_SHARED | M_POPULATE, FN_POPULATE, E_ALLOC),
	/* PRIV's second half and RO: a split and a replacement */
	IOC(mmap_fixed, MMAP, PRIV + PAGES(8), PAGES(16), P_RW,
	    M_PRIV | M_FIXED, 0, E_ALLOC),
	/* SHM's second half, a hole and NONE, populated */
	IOC(mmap_fixed_populate, MMAP, SHM + PAGES(4), PAGES(16), P_RW,
	    M_PRIV | M_FIXED | M_POPULATE, FN_POPULATE, E_ALLOC),
	IOC(mmap_noreplace, MMAP, FREE, PAGES(4), P_R, M_PRIV | M_NOREPLACE, 0,
	    E_ALLOC),
	/* a VMA split in three */
	IOC(munmap_split, MUNMAP, PRIV + PAGES(4), PAGES(4), 0, 0, 0, E_ALLOC),
	/* PRIV's second half to the middle of NONE, over a hole */
	IOC(munmap_span, MUNMAP, PRIV + PAGES(8), PAGES(42), 0, 0, 0, E_ALLOC),
	/* the VMAs of the many-VMA state but the first and the last */
	IOC(munmap_many, MUNMAP, MANY + PAGES(1), PAGES(MANY_VMAS - 2), 0, 0,
	    0, E_ALLOC),
	IOC(mprotect_split, MPROTECT, PRIV + PAGES(4), PAGES(4), P_R, 0,
	    FN_MERGE, E_ALLOC),
	/* PRIV's second half and RO */
	IOC(mprotect_span, MPROTECT, PRIV + PAGES(8), PAGES(16), P_R | P_X, 0,
	    FN_MERGE, E_ALLOC),
	/* every VMA of the many-VMA state: all merge into one */
	IOC(mprotect_many, MPROTECT, MANY, PAGES(MANY_VMAS), P_RW, 0, FN_MERGE,
	    E_ALLOC),
	/* SPLIT's middle back: three VMAs merge */
	IOC(mprotect_merge, MPROTECT, SPLIT + PAGES(2), PAGES(4), P_RW, 0,
	    FN_MERGE, E_ALLOC),
	IOC(brk_grow, BRK, HEAP + PAGES(12), 0, 0, 0, 0, E_COPY),
	IOC(brk_shrink, BRK, HEAP + PAGES(1), 0, 0, 0, 0, E_COPY),
	IOC(clone, CLONE, 0, 0, 0, 0, 0, E_ALLOC),
	IOC(clone_eager, CLONE, 0, 0, ASPACE_CLONE_EAGER, 0, 0, E_ALLOC),
	IOC(query, QUERY, RO, 0, ASPACE_QUERY_COVERING_OR_NEXT, 0, 0, E_COPY),
	IOC(get_layout, GET_LAYOUT, 0, 0, 0, 0, 0, E_COPY),
	IOC(set_layout, SET_LAYOUT, 0, 0,
	    ASPACE_LAYOUT_LA57 | ASPACE_LAYOUT_STACK, 0, 0, E_ALLOC),
	IOC(get_limits, GET_LIMITS, 0, 0, 0, 0, 0, E_COPY),
	IOC(set_limits, SET_LIMITS, 60000, 0, 0, 0, 0, E_COPY),
	IOC(stats, STATS, 0, 0, 0, 0, 0, E_COPY),
	/* loads of PRIV: zero pages where nothing was written */
	IOC(access_read, ACCESS, PRIV + PAGES(4) + 100, PAGES(3),
	    ASPACE_ACCESS_READ, 1, FN_FAULTS, E_ALLOC),
	/* stores: new pages, copies of COW pages */
	IOC(access_write, ACCESS, PRIV + PAGES(2) + 100, PAGES(3),
	    ASPACE_ACCESS_WRITE, 1, FN_FAULTS | FN_WRITE, E_ALLOC),
	/* a store to every page of PRIV, without data */
	IOC(access_touch, ACCESS, PRIV, PAGES(16), ASPACE_ACCESS_WRITE, 0,
	    FN_FAULTS, E_ALLOC),
	/* a load below the stack: it grows by three pages */
	IOC(access_stack, ACCESS, STACK - PAGES(3) + 8, 16, ASPACE_ACCESS_READ,
	    1, FN_FAULTS | FN_GROWS, E_ALLOC),
	/* loads of a shared object: its pages are made */
	IOC(access_shared, ACCESS, SHM, PAGES(8), ASPACE_ACCESS_READ, 1,
	    FN_FAULTS, E_ALLOC),
	IOC(madv_dontneed, MADVISE, PRIV + PAGES(2), PAGES(8), MADV_DONTNEED,
	    0, 0, E_COPY),
	/* PRIV and RO */
	IOC(madv_populate_read, MADVISE, PRIV, PAGES(24), MADV_POPULATE_READ,
	    0, FN_FAULTS, E_ALLOC),
	IOC(madv_populate_write, MADVISE, PRIV, PAGES(16), MADV_POPULATE_WRITE,
	    0, FN_FAULTS, E_ALLOC),
	IOC(madv_dontfork, MADVISE, PRIV + PAGES(4), PAGES(4), MADV_DONTFORK,
	    0, FN_MERGE, E_SPLIT),
	IOC(madv_wipeonfork, MADVISE, PRIV + PAGES(4), PAGES(4),
	    MADV_WIPEONFORK, 0, FN_MERGE, E_SPLIT),
	IOC(translate, TRANSLATE, PRIV + PAGES(4), 0, 0, 0, 0, E_COPY),
	IOC(ptdump, PTDUMP, AREA, AREA + (2ULL << 30), 64, 0, 0, E_ALLOC),
	IOC(pagescan, PAGESCAN, AREA, AREA + (2ULL << 30), 64, 0, 0, E_ALLOC),
	IOC(clear_refs, CLEAR_REFS, AREA, AREA + PAGES(128),
	    ASPACE_CLEAR_ACCESSED | ASPACE_CLEAR_DIRTY, 0, 0, E_COPY),
	/* PRIV into RO, unaligned */
	{ "pread", K_PREAD, 0, PRIV + PAGES(2) + 7, PAGES(20), 0, 0,
	  FN_FAULTS | FN_XFER, E_ALLOC },
	/* RO's second half, then a hole: short without a failure too */
	{ "pread_hole", K_PREAD, 0, RO + PAGES(4), PAGES(16), 0, 0,
	  FN_FAULTS | FN_XFER, E_ALLOC },
	/* PRIV into RO (a forced write), unaligned */
	{ "pwrite", K_PWRITE, 0, PRIV + PAGES(10) + 5, PAGES(12), 0, 0,
	  FN_FAULTS | FN_XFER | FN_WRITE, E_ALLOC },
	{ "pwrite_shared", K_PWRITE, 0, SHM + 100, PAGES(6), 0, 0,
	  FN_FAULTS | FN_XFER | FN_WRITE, E_ALLOC },
};

union fn_arg {
	struct aspace_handshake hs;
	struct aspace_mmap mmap;
	struct aspace_range range;
	struct aspace_brk brk;
	struct aspace_clone clone;
	struct aspace_query query;
	struct aspace_layout layout;
	struct aspace_limits limits;
	struct aspace_stats stats;
	struct aspace_access access;
	struct aspace_madvise madvise;
	struct aspace_translate translate;
	struct aspace_ptdump ptdump;
	struct aspace_pagescan pagescan;
	struct aspace_clear_refs clear_refs;
};

/* One call: its argument, then its result. */
struct fn_call {
	union fn_arg arg;
	long long ret;		/* 0, a byte count or -errno */
	size_t data_len;	/* bytes of fn_rdata that are results */
	int new_fd;		/* a descriptor it made, or -1 */
};

/* The argument of @op on @fd (may make calls: before the failure is armed). */
static int fn_setup(const struct fn_op *op, int fd, struct fn_call *c)
{
	union fn_arg *a = &c->arg;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	c->new_fd = -1;
	memset(fn_rdata, 0xa5, sizeof(fn_rdata));
	gen_data(fn_wdata, op->a, op->b < FN_BUF ? op->b : FN_BUF, 77);
	if (op->kind != K_IOCTL)
		return 0;
	switch (_IOC_NR(op->cmd)) {
	case _IOC_NR(ASPACE_IOC_HANDSHAKE):
		a->hs.size = sizeof(a->hs);
		a->hs.api_version = ASPACE_API_VERSION;
		break;
	case _IOC_NR(ASPACE_IOC_MMAP):
		a->mmap.size = sizeof(a->mmap);
		a->mmap.addr = op->a;
		a->mmap.length = op->b;
		a->mmap.prot = op->c;
		a->mmap.flags = op->d;
		break;
	case _IOC_NR(ASPACE_IOC_MUNMAP):
	case _IOC_NR(ASPACE_IOC_MPROTECT):
		a->range.size = sizeof(a->range);
		a->range.addr = op->a;
		a->range.length = op->b;
		a->range.prot = op->c;
		break;
	case _IOC_NR(ASPACE_IOC_BRK):
		a->brk.size = sizeof(a->brk);
		a->brk.brk = op->a;
		break;
	case _IOC_NR(ASPACE_IOC_CLONE):
		a->clone.size = sizeof(a->clone);
		a->clone.flags = op->c;
		break;
	case _IOC_NR(ASPACE_IOC_QUERY):
		a->query.size = sizeof(a->query);
		a->query.query_addr = op->a;
		a->query.query_flags = op->c;
		break;
	case _IOC_NR(ASPACE_IOC_GET_LAYOUT):
		a->layout.size = sizeof(a->layout);
		break;
	case _IOC_NR(ASPACE_IOC_SET_LAYOUT):
		a->layout.size = sizeof(a->layout);
		a->layout.flags = op->c;
		break;
	case _IOC_NR(ASPACE_IOC_GET_LIMITS):
		a->limits.size = sizeof(a->limits);
		break;
	case _IOC_NR(ASPACE_IOC_SET_LIMITS):
		ret = aspace_get_limits(fd, &a->limits);
		a->limits.size = sizeof(a->limits);
		a->limits.max_map_count = op->a;
		break;
	case _IOC_NR(ASPACE_IOC_STATS):
		a->stats.size = sizeof(a->stats);
		break;
	case _IOC_NR(ASPACE_IOC_ACCESS):
		a->access.size = sizeof(a->access);
		a->access.kind = op->c;
		a->access.addr = op->a;
		a->access.length = op->b;
		if (op->d)
			a->access.buf = (uintptr_t)(op->c == ASPACE_ACCESS_WRITE ?
						    fn_wdata : fn_rdata);
		break;
	case _IOC_NR(ASPACE_IOC_MADVISE):
		a->madvise.size = sizeof(a->madvise);
		a->madvise.addr = op->a;
		a->madvise.length = op->b;
		a->madvise.advice = op->c;
		break;
	case _IOC_NR(ASPACE_IOC_TRANSLATE):
		a->translate.size = sizeof(a->translate);
		a->translate.addr = op->a;
		break;
	case _IOC_NR(ASPACE_IOC_PTDUMP):
		a->ptdump.size = sizeof(a->ptdump);
		a->ptdump.start = op->a;
		a->ptdump.end = op->b;
		a->ptdump.vec = (uintptr_t)fn_rdata;
		a->ptdump.vec_len = op->c;
		break;
	case _IOC_NR(ASPACE_IOC_PAGESCAN):
		a->pagescan.size = sizeof(a->pagescan);
		a->pagescan.start = op->a;
		a->pagescan.end = op->b;
		a->pagescan.vec = (uintptr_t)fn_rdata;
		a->pagescan.vec_len = op->c;
		a->pagescan.return_mask = ASPACE_PAGE_CATEGORIES;
		break;
	case _IOC_NR(ASPACE_IOC_CLEAR_REFS):
		a->clear_refs.size = sizeof(a->clear_refs);
		a->clear_refs.start = op->a;
		a->clear_refs.end = op->b;
		a->clear_refs.flags = op->c;
		break;
	default:
		ret = -EINVAL;
	}
	return ret;
}

/* The call itself: nothing else may run between arming and this. */
static long long fn_exec(const struct fn_op *op, int fd, struct fn_call *c)
{
	ssize_t n;

	switch (op->kind) {
	case K_PREAD:
		n = pread(fd, fn_rdata, op->b, (off_t)op->a);
		return n < 0 ? -errno : n;
	case K_PWRITE:
		n = pwrite(fd, fn_wdata, op->b, (off_t)op->a);
		return n < 0 ? -errno : n;
	default:
		return ioctl(fd, op->cmd, &c->arg) ? -errno : 0;
	}
}

/* What the call returned, made comparable between builds. */
static void fn_result(const struct fn_op *op, struct fn_call *c)
{
	union fn_arg *a = &c->arg;
	unsigned int i;

	c->data_len = 0;
	if (op->kind == K_PREAD) {
		c->data_len = c->ret > 0 ? c->ret : 0;
		return;
	}
	if (op->kind != K_IOCTL || c->ret)
		return;
	switch (_IOC_NR(op->cmd)) {
	case _IOC_NR(ASPACE_IOC_CLONE):
		c->new_fd = a->clone.fd;
		a->clone.fd = 0;	/* the number is not the result */
		break;
	case _IOC_NR(ASPACE_IOC_ACCESS):
		if (a->access.buf && op->c != ASPACE_ACCESS_WRITE)
			c->data_len = a->access.done;
		break;
	case _IOC_NR(ASPACE_IOC_TRANSLATE):
		/* Frames (for root) differ from build to build. */
		for (i = 0; i < 5; i++) {
			a->translate.entries[i] &= ~ASPACE_PTE_FRAME_MASK;
			a->translate.tables[i] = 0;
		}
		a->translate.phys = 0;
		break;
	case _IOC_NR(ASPACE_IOC_PTDUMP):
		c->data_len = a->ptdump.nr_entries *
			      sizeof(struct aspace_ptdump_entry);
		break;
	case _IOC_NR(ASPACE_IOC_PAGESCAN):
		c->data_len = a->pagescan.nr_regions *
			      sizeof(struct aspace_page_region);
		break;
	case _IOC_NR(ASPACE_IOC_QUERY):
		a->query.vma_id = !!a->query.vma_id;
		break;
	}
}

/* The same result as the reference @ref (whose data is fn_ref_data)? */
static bool fn_same_result(const struct fn_call *ref, const struct fn_call *c)
{
	return c->ret == ref->ret && !memcmp(&c->arg, &ref->arg, sizeof(c->arg)) &&
	       c->data_len == ref->data_len &&
	       !memcmp(fn_rdata, fn_ref_data, c->data_len);
}

static bool fn_errno_ok(const struct fn_op *op, long long ret)
{
	const int *e;

	for (e = op->errnos; *e; e++)
		if (ret == -*e)
			return true;
	return false;
}

static const char *fn_ret_str(long long ret, char *buf, size_t size)
{
	if (ret < 0)
		snprintf(buf, size, "-%s", strerrorname_np(-ret) ?: "?");
	else
		snprintf(buf, size, "%lld", ret);
	return buf;
}

/* ------------------------------------------------------------------ */
/* One sweep */

enum fn_outcome {
	FO_NOT_INJECTED,
	FO_FAILED,		/* a clean errno, nothing changed */
	FO_COMPLETED,		/* the whole job done anyway */
	FO_PARTIAL,		/* short, unpopulated or unmerged */
	FO_LATE_EFAULT,		/* EFAULT copying out a change */
	FO_BAD,
};

static const char * const fn_state_names[] = {
	"empty", "populated", "many", "cow_parent", "cow_child",
};

/* The reference worlds: before the call (with contents) and after it. */
static struct fn_world fn_ref_before, fn_ref_after;
static struct fn_world fn_before, fn_after;

/* What the attempt's call left, against the reference. */
static enum fn_outcome fn_judge(const struct fn_op *op, const struct fn_call *ref,
				const struct fn_call *c, bool injected)
{
	const struct fn_world *b = &fn_ref_before, *r = &fn_ref_after;
	const struct fn_world *w = &fn_after;
	bool copies_out = op->kind == K_IOCTL && (_IOC_DIR(op->cmd) & _IOC_READ);
	__u64 wlen = op->kind == K_PWRITE ? (__u64)ref->ret : op->b;
	unsigned int relax;
	bool late, grows, ok;

	if (!injected) {
		if (fn_same_result(ref, c) &&
		    fn_world_match(w, r, NULL, 0, "without a failure"))
			return FO_NOT_INJECTED;
		fprintf(stderr, "# the failure was not injected, but the call"
			" did not do what it does without one\n");
		return FO_BAD;
	}
	if (fn_same_result(ref, c)) {
		/* MAP_POPULATE may stop early: fewer pages, tables, faults */
		relax = op->flags & FN_POPULATE ? FNR_FEWER : 0;
		relax |= op->flags & FN_MERGE ? FNR_UNMERGED : 0;
		fn_fewer = op->b / PG;
		if (!fn_world_match(w, r, b, relax, "done despite the failure"))
			return FO_BAD;
		fn_quiet = true;
		ok = fn_world_match(w, r, NULL, 0, "all of it");
		fn_quiet = false;
		return ok ? FO_COMPLETED : FO_PARTIAL;
	}
	if ((op->flags & FN_XFER) && c->ret >= 0 && c->ret < ref->ret) {
		if (op->kind == K_PREAD &&
		    memcmp(fn_rdata, fn_ref_data, c->ret)) {
			fprintf(stderr, "# a short pread read other bytes\n");
			return FO_BAD;
		}
		if (op->flags & FN_WRITE ?
		    fn_world_match(w, b, r, FNR_COUNTERS | FNR_NO_MEM,
				   "short pwrite") &&
		    fn_prefix_match(w, b, r, op->a, wlen, c->ret) :
		    fn_world_match(w, b, r, FNR_COUNTERS, "short pread"))
			return FO_PARTIAL;
		return FO_BAD;
	}
	if (op->kind == K_IOCTL && op->cmd == ASPACE_IOC_BRK && !c->ret &&
	    c->arg.brk.brk == b->side[0].s.brk) {
		/* brk(2) returns the old break when it cannot move it */
		return fn_world_match(w, b, NULL, 0, "brk failed") ?
		       FO_FAILED : FO_BAD;
	}
	if ((op->flags & FN_GROWS) && !c->ret &&
	    c->arg.access.signo == SIGSEGV &&
	    c->arg.access.si_code == SEGV_MAPERR &&
	    c->arg.access.fault_addr == op->a && !c->arg.access.done) {
		/* The stack could not grow: a fault, as in Linux */
		return fn_world_match(w, b, NULL, 0, "the stack did not grow") ?
		       FO_FAILED : FO_BAD;
	}
	if (c->ret >= 0 || !fn_errno_ok(op, c->ret)) {
		fprintf(stderr, "# not a result this call may give under an injected failure\n");
		return FO_BAD;
	}
	relax = op->flags & FN_FAULTS ? FNR_COUNTERS : 0;
	if (op->flags & FN_WRITE) {
		if (fn_world_match(w, b, r, relax | FNR_NO_MEM, "failed write") &&
		    fn_prefix_match(w, b, r, op->a, wlen, -1))
			return FO_FAILED;
		return FO_BAD;
	}
	/*
	 * Nothing changed; or, for an EFAULT copying out, all of it did; or
	 * the stack grew before the fault failed (Linux keeps it grown).
	 */
	late = c->ret == -EFAULT && copies_out;
	grows = op->flags & FN_GROWS;
	fn_quiet = late || grows;
	ok = fn_world_match(w, b, r, relax, "failed");
	fn_quiet = false;
	if (ok)
		return FO_FAILED;
	if (grows && fn_world_match(w, r, b, relax, "failed, the stack grown"))
		return FO_FAILED;
	if (late && fn_world_match(w, r, NULL, 0, "EFAULT after the change"))
		return FO_LATE_EFAULT;
	if (late || grows)
		fn_world_match(w, b, r, relax, "failed");
	return FO_BAD;
}

/* Descriptors of the attempt: the state's, and the clone the call made. */
static unsigned int fn_fds_after(int *fds, unsigned int n,
				 const struct fn_call *c)
{
	if (c->new_fd >= 0)
		fds[n++] = c->new_fd;
	return n;
}

FIXTURE(failnth) {
	const char *skip;
};

FIXTURE_VARIANT(failnth) {
	enum fn_state state;
};

FIXTURE_VARIANT_ADD(failnth, empty) { .state = ST_EMPTY };
FIXTURE_VARIANT_ADD(failnth, populated) { .state = ST_POPULATED };
FIXTURE_VARIANT_ADD(failnth, many) { .state = ST_MANY };
FIXTURE_VARIANT_ADD(failnth, cow_parent) { .state = ST_COW_PARENT };
FIXTURE_VARIANT_ADD(failnth, cow_child) { .state = ST_COW_CHILD };

FIXTURE_SETUP(failnth)
{
	/* Once: the children of the harness share fn_totals. */
	if (fn_totals && !fn_totals->configured) {
		self->skip = fn_configure();
		if (self->skip)
			snprintf(fn_totals->skip, sizeof(fn_totals->skip), "%s",
				 self->skip);
		fn_totals->configured = true;
	} else if (fn_totals) {
		self->skip = fn_totals->skip[0] ? fn_totals->skip : NULL;
	} else {
		self->skip = fn_configure();
	}
	if (self->skip)
		return;
	fn_fd = open(FN_PROC, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fn_fd) {
		TH_LOG("%s: %s", FN_PROC, strerror(errno));
	}
	ASSERT_EQ(0, fn_disarm());
}

FIXTURE_TEARDOWN(failnth)
{
	if (fn_fd >= 0)
		close(fn_fd);
}

/* The reference: the state's contents, then the call without a failure. */
static void fn_reference(struct __test_metadata *_metadata,
			 enum fn_state state, const struct fn_op *op,
			 const long long base[4], struct fn_call *ref)
{
	int fds[FN_FDS], n;

	n = fn_build(state, fds);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, fn_world_take(&fn_ref_before, fds, n, true));
	fn_close(fds, n);
	ASSERT_TRUE(fn_counters_back(base));

	n = fn_build(state, fds);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, fn_world_take(&fn_before, fds, n, false));
	ASSERT_TRUE(fn_world_match(&fn_before, &fn_ref_before, NULL,
				   FNR_NO_MEM, "the state, built again"));
	ASSERT_EQ(0, fn_setup(op, fds[0], ref));
	ref->ret = fn_exec(op, fds[0], ref);
	fn_result(op, ref);
	memcpy(fn_ref_data, fn_rdata, ref->data_len);
	ASSERT_EQ(0, fn_world_take(&fn_ref_after, fds,
				   fn_fds_after(fds, n, ref), true));
	fn_close(fds, fn_fds_after(fds, n, ref));
	ASSERT_TRUE(fn_counters_back(base));
}

static void fn_sweep(struct __test_metadata *_metadata,
		     struct _test_data_failnth *self,
		     const struct _fixture_variant_failnth *variant,
		     const char *name)
{
	const char *sname = fn_state_names[variant->state];
	unsigned long counts[FO_BAD + 1] = { 0 };
	const struct fn_op *op = NULL;
	struct fn_call ref, c;
	long long base[4];
	int fds[FN_FDS], n, freefd, injected;
	enum fn_outcome out;
	unsigned int nth, i;
	const char *only = getenv("FAILNTH_ONLY");
	long long t0;
	char r1[32], r2[32], full[96];

	if (self->skip)
		SKIP(return, "%s", self->skip);
	snprintf(full, sizeof(full), "%s.%s", sname, name);
	if (only && !strstr(full, only))
		SKIP(return, "not in FAILNTH_ONLY=%s", only);
	for (i = 0; i < ARRAY_SIZE(fn_ops); i++)
		if (!strcmp(fn_ops[i].name, name))
			op = &fn_ops[i];
	ASSERT_NE(NULL, op);
	t0 = fn_now();
	fn_counters(base);
	fn_reference(_metadata, variant->state, op, base, &ref);

	for (nth = 1; nth <= FN_MAX_N; nth++) {
		n = fn_build(variant->state, fds);
		ASSERT_LT(0, n);
		/* Builds are deterministic: the reference's was checked. */
		if (nth == 1) {
			ASSERT_EQ(0, fn_world_take(&fn_before, fds, n, false));
			ASSERT_TRUE(fn_world_match(&fn_before, &fn_ref_before,
						   NULL, FNR_NO_MEM,
						   "the state, built again"));
		}
		ASSERT_EQ(0, fn_setup(op, fds[0], &c));
		freefd = lowest_free_fd();

		ASSERT_EQ(0, fn_arm(nth));
		c.ret = fn_exec(op, fds[0], &c);
		injected = fn_consumed();
		ASSERT_EQ(0, fn_disarm());
		ASSERT_LE(0, injected);

		fn_result(op, &c);
		ASSERT_EQ(0, fn_world_take(&fn_after, fds,
					   fn_fds_after(fds, n, &c), true));
		out = fn_judge(op, &ref, &c, injected);
		if (c.new_fd < 0 && fcntl(freefd, F_GETFD) != -1) {
			fprintf(stderr, "# descriptor %d is open after the call\n",
				freefd);
			out = FO_BAD;
		}
		fn_close(fds, fn_fds_after(fds, n, &c));
		if (!fn_counters_back(base))
			out = FO_BAD;
		counts[out]++;
		EXPECT_NE(FO_BAD, out) {
			TH_LOG("%s on the %s state with failure point %u:"
			       " returned %s (without a failure: %s);"
			       " again: FAILNTH_ONLY=%s",
			       name, sname, nth,
			       fn_ret_str(c.ret, r1, sizeof(r1)),
			       fn_ret_str(ref.ret, r2, sizeof(r2)), full);
		}
		if (out == FO_BAD || out == FO_NOT_INJECTED)
			break;
	}
	EXPECT_GE(FN_MAX_N, nth) {
		TH_LOG("%s on the %s state: still reaching failure points after %u",
		       name, sname, FN_MAX_N);
	}
	ksft_print_msg("%s.%s: %u calls, %lu failed cleanly, %lu completed,"
		       " %lu partial, %lu EFAULT after the change (%.1f s)\n",
		       sname, name, nth, counts[FO_FAILED],
		       counts[FO_COMPLETED], counts[FO_PARTIAL],
		       counts[FO_LATE_EFAULT], (fn_now() - t0) / 1e9);
	fflush(stdout);		/* the child leaves with _exit() */
	if (fn_totals) {
		struct fn_totals *t = fn_totals;

		t->sweeps++;
		t->calls += nth > FN_MAX_N ? FN_MAX_N : nth;
		t->injected += counts[FO_FAILED] + counts[FO_COMPLETED] +
			       counts[FO_PARTIAL] + counts[FO_LATE_EFAULT] +
			       counts[FO_BAD];
		t->failed += counts[FO_FAILED];
		t->completed += counts[FO_COMPLETED];
		t->partial += counts[FO_PARTIAL];
		t->late_efault += counts[FO_LATE_EFAULT];
		if (nth > t->longest) {
			t->longest = nth;
			snprintf(t->longest_name, sizeof(t->longest_name),
				 "%s.%s", sname, name);
		}
	}
}

TEST_F_TIMEOUT(failnth, handshake, 300)
{
	fn_sweep(_metadata, self, variant, "handshake");
}

TEST_F_TIMEOUT(failnth, mmap, 300)
{
	fn_sweep(_metadata, self, variant, "mmap");
}

TEST_F_TIMEOUT(failnth, mmap_populate, 300)
{
	fn_sweep(_metadata, self, variant, "mmap_populate");
}

TEST_F_TIMEOUT(failnth, mmap_shared, 300)
{
	fn_sweep(_metadata, self, variant, "mmap_shared");
}

TEST_F_TIMEOUT(failnth, mmap_shared_populate, 300)
{
	fn_sweep(_metadata, self, variant, "mmap_shared_populate");
}

TEST_F_TIMEOUT(failnth, mmap_fixed, 300)
{
	fn_sweep(_metadata, self, variant, "mmap_fixed");
}

TEST_F_TIMEOUT(failnth, mmap_fixed_populate, 300)
{
	fn_sweep(_metadata, self, variant, "mmap_fixed_populate");
}

TEST_F_TIMEOUT(failnth, mmap_noreplace, 300)
{
	fn_sweep(_metadata, self, variant, "mmap_noreplace");
}

TEST_F_TIMEOUT(failnth, munmap_split, 300)
{
	fn_sweep(_metadata, self, variant, "munmap_split");
}

TEST_F_TIMEOUT(failnth, munmap_span, 300)
{
	fn_sweep(_metadata, self, variant, "munmap_span");
}

TEST_F_TIMEOUT(failnth, munmap_many, 300)
{
	fn_sweep(_metadata, self, variant, "munmap_many");
}

TEST_F_TIMEOUT(failnth, mprotect_split, 300)
{
	fn_sweep(_metadata, self, variant, "mprotect_split");
}

TEST_F_TIMEOUT(failnth, mprotect_span, 300)
{
	fn_sweep(_metadata, self, variant, "mprotect_span");
}

TEST_F_TIMEOUT(failnth, mprotect_many, 300)
{
	fn_sweep(_metadata, self, variant, "mprotect_many");
}

TEST_F_TIMEOUT(failnth, mprotect_merge, 300)
{
	fn_sweep(_metadata, self, variant, "mprotect_merge");
}

TEST_F_TIMEOUT(failnth, brk_grow, 300)
{
	fn_sweep(_metadata, self, variant, "brk_grow");
}

TEST_F_TIMEOUT(failnth, brk_shrink, 300)
{
	fn_sweep(_metadata, self, variant, "brk_shrink");
}

TEST_F_TIMEOUT(failnth, clone, 300)
{
	fn_sweep(_metadata, self, variant, "clone");
}

TEST_F_TIMEOUT(failnth, clone_eager, 300)
{
	fn_sweep(_metadata, self, variant, "clone_eager");
}

TEST_F_TIMEOUT(failnth, query, 300)
{
	fn_sweep(_metadata, self, variant, "query");
}

TEST_F_TIMEOUT(failnth, get_layout, 300)
{
	fn_sweep(_metadata, self, variant, "get_layout");
}

TEST_F_TIMEOUT(failnth, set_layout, 300)
{
	fn_sweep(_metadata, self, variant, "set_layout");
}

TEST_F_TIMEOUT(failnth, get_limits, 300)
{
	fn_sweep(_metadata, self, variant, "get_limits");
}

TEST_F_TIMEOUT(failnth, set_limits, 300)
{
	fn_sweep(_metadata, self, variant, "set_limits");
}

TEST_F_TIMEOUT(failnth, stats, 300)
{
	fn_sweep(_metadata, self, variant, "stats");
}

TEST_F_TIMEOUT(failnth, access_read, 300)
{
	fn_sweep(_metadata, self, variant, "access_read");
}

TEST_F_TIMEOUT(failnth, access_write, 300)
{
	fn_sweep(_metadata, self, variant, "access_write");
}

TEST_F_TIMEOUT(failnth, access_touch, 300)
{
	fn_sweep(_metadata, self, variant, "access_touch");
}

TEST_F_TIMEOUT(failnth, access_stack, 300)
{
	fn_sweep(_metadata, self, variant, "access_stack");
}

TEST_F_TIMEOUT(failnth, access_shared, 300)
{
	fn_sweep(_metadata, self, variant, "access_shared");
}

TEST_F_TIMEOUT(failnth, madv_dontneed, 300)
{
	fn_sweep(_metadata, self, variant, "madv_dontneed");
}

TEST_F_TIMEOUT(failnth, madv_populate_read, 300)
{
	fn_sweep(_metadata, self, variant, "madv_populate_read");
}

TEST_F_TIMEOUT(failnth, madv_populate_write, 300)
{
	fn_sweep(_metadata, self, variant, "madv_populate_write");
}

TEST_F_TIMEOUT(failnth, madv_dontfork, 300)
{
	fn_sweep(_metadata, self, variant, "madv_dontfork");
}

TEST_F_TIMEOUT(failnth, madv_wipeonfork, 300)
{
	fn_sweep(_metadata, self, variant, "madv_wipeonfork");
}

TEST_F_TIMEOUT(failnth, translate, 300)
{
	fn_sweep(_metadata, self, variant, "translate");
}

TEST_F_TIMEOUT(failnth, ptdump, 300)
{
	fn_sweep(_metadata, self, variant, "ptdump");
}

TEST_F_TIMEOUT(failnth, pagescan, 300)
{
	fn_sweep(_metadata, self, variant, "pagescan");
}

TEST_F_TIMEOUT(failnth, clear_refs, 300)
{
	fn_sweep(_metadata, self, variant, "clear_refs");
}

TEST_F_TIMEOUT(failnth, pread, 300)
{
	fn_sweep(_metadata, self, variant, "pread");
}

TEST_F_TIMEOUT(failnth, pread_hole, 300)
{
	fn_sweep(_metadata, self, variant, "pread_hole");
}

TEST_F_TIMEOUT(failnth, pwrite, 300)
{
	fn_sweep(_metadata, self, variant, "pwrite");
}

TEST_F_TIMEOUT(failnth, pwrite_shared, 300)
{
	fn_sweep(_metadata, self, variant, "pwrite_shared");
}

TEST_HARNESS_MAIN
