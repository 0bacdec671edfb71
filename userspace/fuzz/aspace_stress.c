// SPDX-License-Identifier: GPL-2.0
/*
 * aspace_stress: threads hammering one descriptor of /dev/aspace, run in
 * a QEMU guest with 4 CPUs (scripts/fuzz.sh, make fuzz).
 *
 *   aspace_stress [--seconds N] [--seed S] [--threads T] [--verbose]
 *
 * T threads (at least 4) share one address space.  Each owns a region of
 * 16 pages, 8 private and 8 MAP_SHARED, whose bytes it knows: it writes
 * them (pwrite, ASPACE_IOC_ACCESS), reads and compares them (pread,
 * ACCESS), drops them (MADV_DONTNEED: private pages read back as zeros,
 * shared ones keep their bytes), populates them, protects them for a
 * moment (a store must fault with SEGV_ACCERR, pwrite must work on
 * private and fail on shared memory), maps them anew, marks them
 * MADV_DONTFORK or MADV_WIPEONFORK, and clones the address space: the
 * clone must hold the region as the model says (none of the DONTFORK
 * pages, zeros for the WIPEONFORK ones), a write to its private pages must
 * not reach the source and one to its shared pages must.  One clone per
 * thread is kept for a while and checked again later, after the source
 * has changed: copy-on-write keeps the clone as it was.
 *
 * Now and then a thread looks at the page tables while the others change
 * them: PTDUMP and PAGESCAN of its own region, another thread's, the
 * common area or everything, resumed in pieces, each piece sane on its
 * own (fuzz_util.h); its own private pages that hold data are present,
 * not the zero page, and its shared ones shared memory, by PAGESCAN and
 * TRANSLATE; CLEAR_REFS of its own region clears their Accessed and
 * Dirty bits (no other thread touches them) and changes no byte.
 *
 * Meanwhile every thread also churns a common area and the rest of the
 * address space: mmap (fixed, no-replace, anywhere, populated), munmap,
 * mprotect, every madvise, brk, accesses and transfers that may fault,
 * QUERY, STATS, limits and layout calls, clones closed at once; and a
 * clone of the descriptor sits under a fixed descriptor number (HOT_FD)
 * that the threads use and replace or close while others are using it.
 * Every result must be one the call documents.
 *
 * One more thread stalls calls inside their copy from or to user memory
 * (userfaultfd on the buffer of a pwrite, pread or ACCESS, or on the struct
 * of an ioctl), sometimes closing the descriptor under them: while one is
 * stalled, mmap, munmap, MADV_DONTNEED, STATS and clone of the same
 * address space must still complete (no lock is held across a user
 * copy), and once the fault is resolved the call must finish as if it had
 * never waited.
 *
 * At the end every region is checked once more, the VMA listing must agree
 * with STATS, and with everything closed the module's counters must be
 * zero.
 *
 * Output is TAP (two tests) and a summary: operations, clones, bytes
 * checked, errors by errno, failures.  A failure prints the seed and the
 * thread's last operations.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/mman.h>
#include <linux/userfaultfd.h>

#include "fuzz_util.h"

#define DEV_PATH	"/dev/aspace"
#define MAX_THREADS	16
#define OWN_BASE	0x100000000ULL		/* thread i: + i GiB */
#define OWN_STRIDE	0x40000000ULL
#define OWN_PAGES	16
#define PRIV_PAGES	8			/* [0, 8) private, then shared */
#define CHURN		0x1000000000ULL		/* 64 GiB */
#define CHURN_PAGES	256
#define DEF_HEAP	0x555555555000ULL
#define HOT_FD		1000
#define MAX_ANON	8
#define STALL_PAGES	4		/* the staller's area and buffer */
#define PROBE_MS	30000		/* "blocked" if longer than this */
#define TASK47		0x800000000000ULL	/* 2^47 */

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

enum { S_WRITE, S_READ, S_DONTNEED, S_POPULATE, S_PROTECT, S_REMAP,
	S_FORKADV, S_CLONE, S_KEPT, S_CHURN, S_HOT, S_INTRO, NSK };

static const char * const sk_names[NSK] = {
	"writes", "reads", "dontneed", "populate", "protect", "remap",
	"fork-advice", "clones", "kept-clone checks", "churn", "hot swaps",
	"introspection",
};

static struct {
	__u64 seed;
	unsigned int seconds;
	unsigned int threads;
	bool verbose;
} opt = { .seconds = 30, .threads = 4 };

static int main_fd;
static __u64 deadline;
static int failures;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

struct sthread {
	pthread_t th;
	int id;
	__u64 rnd;
	bool failed;
	unsigned char model[OWN_PAGES][PG];
	bool wipe[OWN_PAGES];
	bool dontfork[OWN_PAGES];
	/* the clone this thread keeps, and what its private pages hold */
	int kept_fd;
	unsigned char kept[PRIV_PAGES][PG];
	bool kept_absent[PRIV_PAGES];
	__u64 anon[MAX_ANON];		/* mappings made anywhere */
	__u64 anon_len[MAX_ANON];
	unsigned char buf[PAGES(2)];
	unsigned char canary1[256];
	unsigned char buf2[PAGES(2)];
	unsigned char canary2[256];
	unsigned long ops[NSK];
	unsigned long bytes_checked;
	unsigned long closed_under;
	struct fz_errs errs;
	struct fz_log log;
};

static struct sthread *ths;

static void __printf(2, 3)
fail(struct sthread *t, const char *fmt, ...)
{
	va_list ap;

	if (t->failed)
		return;
	t->failed = true;
	pthread_mutex_lock(&report_lock);
	failures++;
	printf("# FAIL (thread %d): ", t->id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# seed 0x%llx, %u threads; rerun: aspace_stress --seed 0x%llx "
	       "--threads %u (timing-dependent)\n",
	       (unsigned long long)opt.seed, opt.threads,
	       (unsigned long long)opt.seed, opt.threads);
	fz_log_dump(stdout, "this thread", &t->log);
	fflush(stdout);
	pthread_mutex_unlock(&report_lock);
}

static __u64 rnd(struct sthread *t, __u64 n)
{
	return fz_below(&t->rnd, n);
}

static __u64 own(const struct sthread *t, __u64 off)
{
	return OWN_BASE + t->id * OWN_STRIDE + off;
}

/* ------------------------------------------------------------------ */
/* Calls. */

static int do_ioctl(struct sthread *t, int fd, unsigned long cmd, void *arg)
{
	int err = ioctl(fd, cmd, arg) ? errno : 0;

	fz_count_err(&t->errs, err);
	return err;
}

static int st_mmap(struct sthread *t, int fd, __u64 addr, __u64 len,
		   __u32 prot, __u32 flags, __u64 *got)
{
	struct aspace_mmap m = {
		.size = sizeof(m), .prot = prot, .flags = flags,
		.addr = addr, .length = len,
	};
	int err = do_ioctl(t, fd, ASPACE_IOC_MMAP, &m);

	if (!err && got)
		*got = m.addr;
	return err;
}

static int st_range(struct sthread *t, int fd, unsigned long cmd, __u64 addr,
		    __u64 len, __u32 prot)
{
	struct aspace_range r = {
		.size = sizeof(r), .prot = prot, .addr = addr, .length = len,
	};

	return do_ioctl(t, fd, cmd, &r);
}

static int st_madvise(struct sthread *t, int fd, __u64 addr, __u64 len,
		      __u32 advice)
{
	struct aspace_madvise m = {
		.size = sizeof(m), .advice = advice, .addr = addr,
		.length = len,
	};

	return do_ioctl(t, fd, ASPACE_IOC_MADVISE, &m);
}

static int st_access(struct sthread *t, int fd, __u32 kind, __u64 addr,
		     __u64 len, void *buf, struct aspace_access *out)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->kind = kind;
	out->addr = addr;
	out->length = len;
	out->buf = (uintptr_t)buf;
	return do_ioctl(t, fd, ASPACE_IOC_ACCESS, out);
}

static ssize_t st_pread(struct sthread *t, int fd, void *buf, size_t len,
			__u64 addr)
{
	ssize_t n = pread(fd, buf, len, addr);

	fz_count_err(&t->errs, n < 0 ? errno : 0);
	return n < 0 ? -errno : n;
}

static ssize_t st_pwrite(struct sthread *t, int fd, const void *buf,
			 size_t len, __u64 addr)
{
	ssize_t n = pwrite(fd, buf, len, addr);

	fz_count_err(&t->errs, n < 0 ? errno : 0);
	return n < 0 ? -errno : n;
}

/* ------------------------------------------------------------------ */
/* The thread's own region. */

/* [off, off + len) of the region, through pread or ACCESS, vs the model. */
static void own_check(struct sthread *t, __u64 off, __u64 len, bool access)
{
	struct aspace_access a;
	__u64 i;
	ssize_t n;
	int err;

	fz_log(&t->log, "%s own +%llx len %llu", access ? "load" : "pread",
	       (unsigned long long)off, (unsigned long long)len);
	if (access) {
		err = st_access(t, main_fd, ASPACE_ACCESS_READ, own(t, off),
				len, t->buf, &a);
		if (err || a.signo || a.done != len) {
			fail(t, "ACCESS read of own +%llx len %llu: %s signo %d code %d done %llu",
			     (unsigned long long)off, (unsigned long long)len,
			     fz_errname(err), a.signo, a.si_code,
			     (unsigned long long)a.done);
			return;
		}
	} else {
		n = st_pread(t, main_fd, t->buf, len, own(t, off));
		if (n != (ssize_t)len) {
			fail(t, "pread of own +%llx len %llu: %zd",
			     (unsigned long long)off, (unsigned long long)len,
			     n);
			return;
		}
	}
	for (i = 0; i < len; i++) {
		__u64 o = off + i;

		if (t->buf[i] != t->model[o / PG][o % PG]) {
			fail(t, "own +%llx (page %llu): %#x, expected %#x",
			     (unsigned long long)o,
			     (unsigned long long)(o / PG), t->buf[i],
			     t->model[o / PG][o % PG]);
			return;
		}
	}
	t->bytes_checked += len;
}

static void own_write(struct sthread *t, __u64 off, __u64 len, bool access)
{
	struct aspace_access a;
	__u64 i;
	ssize_t n;
	int err;

	for (i = 0; i < len; i++)
		t->buf[i] = fz_rand(&t->rnd);
	fz_log(&t->log, "%s own +%llx len %llu", access ? "store" : "pwrite",
	       (unsigned long long)off, (unsigned long long)len);
	if (access) {
		err = st_access(t, main_fd, ASPACE_ACCESS_WRITE, own(t, off),
				len, t->buf, &a);
		if (err || a.signo || a.done != len) {
			fail(t, "ACCESS write of own +%llx len %llu: %s signo %d code %d done %llu",
			     (unsigned long long)off, (unsigned long long)len,
			     fz_errname(err), a.signo, a.si_code,
			     (unsigned long long)a.done);
			return;
		}
	} else {
		n = st_pwrite(t, main_fd, t->buf, len, own(t, off));
		if (n != (ssize_t)len) {
			fail(t, "pwrite of own +%llx len %llu: %zd",
			     (unsigned long long)off, (unsigned long long)len,
			     n);
			return;
		}
	}
	for (i = 0; i < len; i++)
		t->model[(off + i) / PG][(off + i) % PG] = t->buf[i];
}

/* A random byte range of the region, at most 2 pages. */
static void own_range(struct sthread *t, __u64 *off, __u64 *len)
{
	*off = rnd(t, PAGES(OWN_PAGES));
	*len = 1 + rnd(t, rnd(t, 4) ? 512 : PAGES(2));
	if (*off + *len > PAGES(OWN_PAGES))
		*len = PAGES(OWN_PAGES) - *off;
}

/* A random page range [p, p + n) of the private or the shared part. */
static void own_pages(struct sthread *t, bool shared, __u64 *p, __u64 *n)
{
	*p = rnd(t, PRIV_PAGES);
	*n = 1 + rnd(t, PRIV_PAGES - *p);
	if (shared)
		*p += PRIV_PAGES;
}

static void op_dontneed(struct sthread *t)
{
	__u64 p = rnd(t, OWN_PAGES), n = 1 + rnd(t, OWN_PAGES - p), i;
	int err;

	fz_log(&t->log, "dontneed own pages %llu+%llu", (unsigned long long)p,
	       (unsigned long long)n);
	err = st_madvise(t, main_fd, own(t, PAGES(p)), PAGES(n),
			 MADV_DONTNEED);
	if (err) {
		fail(t, "MADV_DONTNEED of own pages %llu+%llu: %s",
		     (unsigned long long)p, (unsigned long long)n,
		     fz_errname(err));
		return;
	}
	for (i = p; i < p + n; i++)
		if (i < PRIV_PAGES)
			memset(t->model[i], 0, PG);
}

static void op_populate(struct sthread *t)
{
	__u64 p = rnd(t, OWN_PAGES), n = 1 + rnd(t, OWN_PAGES - p);
	__u32 adv = rnd(t, 2) ? MADV_POPULATE_READ : MADV_POPULATE_WRITE;
	int err;

	fz_log(&t->log, "populate(%u) own pages %llu+%llu", adv,
	       (unsigned long long)p, (unsigned long long)n);
	err = st_madvise(t, main_fd, own(t, PAGES(p)), PAGES(n), adv);
	if (err)
		fail(t, "MADV_POPULATE %u of own pages %llu+%llu: %s", adv,
		     (unsigned long long)p, (unsigned long long)n,
		     fz_errname(err));
}

/*
 * Protect part of the region for a moment: a store must fault with
 * SEGV_ACCERR; pwrite writes private memory whatever its protection and
 * fails on shared memory without PROT_WRITE; pread reads it all.
 */
static void op_protect(struct sthread *t)
{
	bool shared = rnd(t, 2);
	__u32 prot = rnd(t, 3) ? PROT_READ : rnd(t, 2) ? PROT_NONE : PROT_EXEC;
	struct aspace_access a;
	__u64 p, n, off, len;
	ssize_t w;
	int err;

	own_pages(t, shared, &p, &n);
	fz_log(&t->log, "mprotect own pages %llu+%llu to %u",
	       (unsigned long long)p, (unsigned long long)n, prot);
	err = st_range(t, main_fd, ASPACE_IOC_MPROTECT, own(t, PAGES(p)),
		       PAGES(n), prot);
	if (err) {
		fail(t, "MPROTECT of own pages %llu+%llu to %u: %s",
		     (unsigned long long)p, (unsigned long long)n, prot,
		     fz_errname(err));
		return;
	}
	off = PAGES(p) + rnd(t, PAGES(n));
	len = 1 + rnd(t, 64);
	if (off + len > PAGES(p + n))
		len = PAGES(p + n) - off;
	err = st_access(t, main_fd, ASPACE_ACCESS_WRITE, own(t, off), len,
			t->buf, &a);
	if (err || a.signo != SIGSEGV || a.si_code != SEGV_ACCERR ||
	    a.done || a.fault_addr != own(t, off)) {
		fail(t, "store into own +%llx (prot %u): %s signo %d code %d done %llu at %llx",
		     (unsigned long long)off, prot, fz_errname(err), a.signo,
		     a.si_code, (unsigned long long)a.done,
		     (unsigned long long)a.fault_addr);
		return;
	}
	err = st_access(t, main_fd, ASPACE_ACCESS_READ, own(t, off), len,
			t->buf, &a);
	/* x86 without protection keys: PROT_EXEC alone can be read too */
	if (err || !a.signo == !prot ||
	    (a.signo && a.si_code != SEGV_ACCERR)) {
		fail(t, "load from own +%llx (prot %u): %s signo %d code %d",
		     (unsigned long long)off, prot, fz_errname(err), a.signo,
		     a.si_code);
		return;
	}
	own_check(t, off, len, false);
	if (t->failed)
		return;
	if (shared) {
		w = st_pwrite(t, main_fd, t->buf, len, own(t, off));
		if (w != -EIO)
			fail(t, "pwrite into own shared +%llx (prot %u): %zd, expected EIO",
			     (unsigned long long)off, prot, w);
	} else {
		own_write(t, off, len, false);
	}
	if (t->failed)
		return;
	err = st_range(t, main_fd, ASPACE_IOC_MPROTECT, own(t, PAGES(p)),
		       PAGES(n), PROT_READ | PROT_WRITE);
	if (err)
		fail(t, "MPROTECT of own pages %llu+%llu back: %s",
		     (unsigned long long)p, (unsigned long long)n,
		     fz_errname(err));
}

/* Map part of the region anew: it reads back as zeros. */
static void op_remap(struct sthread *t)
{
	bool shared = rnd(t, 2), unmap_first = rnd(t, 2);
	__u32 flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED |
		      (rnd(t, 3) ? 0 : MAP_POPULATE);
	__u64 p, n, i, got = 0;
	int err = 0;

	own_pages(t, shared, &p, &n);
	fz_log(&t->log, "remap own pages %llu+%llu flags %#x%s",
	       (unsigned long long)p, (unsigned long long)n, flags,
	       unmap_first ? " after munmap" : "");
	if (unmap_first)
		err = st_range(t, main_fd, ASPACE_IOC_MUNMAP, own(t, PAGES(p)),
			       PAGES(n), 0);
	if (!err)
		err = st_mmap(t, main_fd, own(t, PAGES(p)), PAGES(n),
			      PROT_READ | PROT_WRITE, flags, &got);
	if (err || got != own(t, PAGES(p))) {
		fail(t, "remapping own pages %llu+%llu: %s at %llx",
		     (unsigned long long)p, (unsigned long long)n,
		     fz_errname(err), (unsigned long long)got);
		return;
	}
	for (i = p; i < p + n; i++) {
		memset(t->model[i], 0, PG);
		t->wipe[i] = false;
		t->dontfork[i] = false;
	}
}

static void op_forkadv(struct sthread *t)
{
	static const __u32 advs[] = {
		MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK,
		MADV_DOFORK, MADV_KEEPONFORK,
	};
	__u32 adv = advs[rnd(t, ARRAY_LEN(advs))];
	bool wipe = adv == MADV_WIPEONFORK || adv == MADV_KEEPONFORK;
	__u64 p, n, i;
	int err;

	own_pages(t, !wipe && rnd(t, 2), &p, &n);
	fz_log(&t->log, "madvise(%u) own pages %llu+%llu", adv,
	       (unsigned long long)p, (unsigned long long)n);
	err = st_madvise(t, main_fd, own(t, PAGES(p)), PAGES(n), adv);
	if (err) {
		fail(t, "madvise %u of own pages %llu+%llu: %s", adv,
		     (unsigned long long)p, (unsigned long long)n,
		     fz_errname(err));
		return;
	}
	for (i = p; i < p + n; i++) {
		if (wipe)
			t->wipe[i] = adv == MADV_WIPEONFORK;
		else
			t->dontfork[i] = adv == MADV_DONTFORK;
	}
}

/* Page @p of the region in a clone: absent, zeros or the model. */
static bool clone_page_ok(struct sthread *t, int cfd, __u64 p,
			  const unsigned char *expect, bool absent)
{
	ssize_t n = st_pread(t, cfd, t->buf2, PG, own(t, PAGES(p)));

	if (absent) {
		if (n != -EIO)
			fail(t, "clone fd %d: own page %llu (DONTFORK) reads %zd, expected EIO",
			     cfd, (unsigned long long)p, n);
		return n == -EIO;
	}
	if (n != PG) {
		fail(t, "clone fd %d: pread of own page %llu: %zd", cfd,
		     (unsigned long long)p, n);
		return false;
	}
	if (expect ? memcmp(t->buf2, expect, PG) :
	    memcmp(t->buf2, t->buf2 + 1, PG - 1) || t->buf2[0]) {
		unsigned int i, first = PG, last = 0, zeros = 0, src = 0;

		for (i = 0; i < PG; i++) {
			if (t->buf2[i] == (expect ? expect[i] : 0))
				continue;
			first = i < first ? i : first;
			last = i;
			zeros += !t->buf2[i];
			src += p < OWN_PAGES &&
			       t->buf2[i] == t->model[p][i];
		}
		fail(t, "clone fd %d: own page %llu differs from %s at bytes "
		     "%#x..%#x (got %#x, expected %#x; of those, %u zeros, "
		     "%u as the source has them now)",
		     cfd, (unsigned long long)p,
		     expect ? "the model" : "zeros", first, last,
		     t->buf2[first], expect ? expect[first] : 0, zeros, src);
		return false;
	}
	t->bytes_checked += PG;
	return true;
}

static void set_hot(struct sthread *t, int fd)
{
	fz_log(&t->log, "dup2 %d onto the hot fd %d", fd, HOT_FD);
	if (dup2(fd, HOT_FD) != HOT_FD)
		fail(t, "dup2: %s", strerror(errno));
	t->closed_under++;
}

/*
 * Clone the address space: the clone holds the region as the model says;
 * a store into one of its private pages stays there, one into a shared
 * page shows in the source too.
 */
static void op_clone(struct sthread *t)
{
	struct aspace_clone c = { .size = sizeof(c) };
	__u64 p, off = 0, len = 0, i;
	unsigned char *src, data[64];
	bool stored = false;
	ssize_t n;
	int err, cfd, fl;

	c.flags = rnd(t, 4);
	fz_log(&t->log, "clone flags %u", c.flags);
	err = do_ioctl(t, main_fd, ASPACE_IOC_CLONE, &c);
	if (err) {
		if (err != ENOMEM)
			fail(t, "CLONE: %s", fz_errname(err));
		return;
	}
	cfd = c.fd;
	fz_log_more(&t->log, " -> fd %d", cfd);
	fl = fcntl(cfd, F_GETFD);
	if (fl < 0 || !(fl & FD_CLOEXEC) != !!(c.flags & ASPACE_CLONE_NOCLOEXEC)) {
		fail(t, "clone fd %d flags %u: fd flags %d", cfd, c.flags, fl);
		return;
	}
	for (p = 0; p < OWN_PAGES && !t->failed; p++)
		clone_page_ok(t, cfd, p, t->wipe[p] ? NULL : t->model[p],
			      t->dontfork[p]);
	if (t->failed)
		goto out;

	/* A store into the clone: private stays there, shared is seen. */
	p = rnd(t, OWN_PAGES);
	if (!t->dontfork[p]) {
		off = PAGES(p) + rnd(t, PG - 64);
		len = 1 + rnd(t, 64);
		for (i = 0; i < len; i++)
			data[i] = fz_rand(&t->rnd);
		fz_log(&t->log, "pwrite clone fd %d own +%llx len %llu", cfd,
		       (unsigned long long)off, (unsigned long long)len);
		n = st_pwrite(t, cfd, data, len, own(t, off));
		if (n != (ssize_t)len) {
			fail(t, "pwrite into clone fd %d at own +%llx: %zd",
			     cfd, (unsigned long long)off, n);
			goto out;
		}
		stored = true;
		if (p >= PRIV_PAGES)
			memcpy(&t->model[p][off % PG], data, len);
		own_check(t, PAGES(p), PG, rnd(t, 2));
	}
	if (t->failed)
		goto out;

	switch (rnd(t, 4)) {
	case 0:
		/* Keep it: copy-on-write must keep it as it is now. */
		if (t->kept_fd >= 0)
			close(t->kept_fd);
		t->kept_fd = cfd;
		for (p = 0; p < PRIV_PAGES; p++) {
			t->kept_absent[p] = t->dontfork[p];
			src = t->wipe[p] ? NULL : t->model[p];
			if (src)
				memcpy(t->kept[p], src, PG);
			else
				memset(t->kept[p], 0, PG);
		}
		/* the store into a private page made above */
		if (stored && off / PG < PRIV_PAGES)
			memcpy(&t->kept[off / PG][off % PG], data, len);
		return;
	case 1:
		/* Put it under the hot number, closing what was there. */
		set_hot(t, cfd);
		t->ops[S_HOT]++;
		break;
	}
out:
	close(cfd);
}

/* The kept clone: still what it was, whatever the source did since. */
static void op_kept(struct sthread *t)
{
	__u64 p, off, len, i;
	ssize_t n;

	if (t->kept_fd < 0)
		return;
	p = rnd(t, PRIV_PAGES);
	fz_log(&t->log, "check kept clone fd %d page %llu", t->kept_fd,
	       (unsigned long long)p);
	if (!clone_page_ok(t, t->kept_fd, p, t->kept[p], t->kept_absent[p]))
		return;
	if (t->kept_absent[p] || rnd(t, 2))
		return;
	off = rnd(t, PG - 32);
	len = 1 + rnd(t, 32);
	for (i = 0; i < len; i++)
		t->buf[i] = fz_rand(&t->rnd);
	fz_log(&t->log, "pwrite kept clone fd %d page %llu +%llx len %llu",
	       t->kept_fd, (unsigned long long)p, (unsigned long long)off,
	       (unsigned long long)len);
	n = st_pwrite(t, t->kept_fd, t->buf, len, own(t, PAGES(p) + off));
	if (n != (ssize_t)len) {
		fail(t, "pwrite into the kept clone: %zd", n);
		return;
	}
	memcpy(&t->kept[p][off], t->buf, len);
	/* ... and the source did not see it */
	own_check(t, PAGES(p), PG, false);
}

/* ------------------------------------------------------------------ */
/* Introspection while the others change the address space. */

/* Whether own page @p holds data (the model has a byte that is not 0). */
static bool own_has_data(const struct sthread *t, __u64 p)
{
	return t->model[p][0] || memcmp(t->model[p], t->model[p] + 1, PG - 1);
}

/*
 * [@start, @end) by PTDUMP (@dump) or PAGESCAN, in pieces of a few
 * entries resumed from walk_end: each piece sane on its own.  The
 * regions found go to @v (room for @room), their number to *@nv.
 */
static bool intro_walk(struct sthread *t, int fd, bool dump, __u64 start,
		       __u64 end, struct aspace_page_region *v,
		       unsigned int room, unsigned int *nv)
{
	struct aspace_ptdump_entry e[8];
	struct aspace_page_region r[8];
	union {
		struct aspace_ptdump d;
		struct aspace_pagescan p;
	} in, out;
	unsigned int calls, i;
	char why[320];
	__u64 walk_end, nr;
	int err;

	*nv = 0;
	for (calls = 0; calls < 64; calls++) {
		memset(&in, 0, sizeof(in));
		if (dump) {
			in.d.size = sizeof(in.d);
			in.d.flags = rnd(t, 2);
			in.d.start = start;
			in.d.end = end;
			in.d.mask = rnd(t, 2) ? 0 : ASPACE_PTE_RW;
			in.d.vec = (uintptr_t)e;
			in.d.vec_len = 1 + rnd(t, ARRAY_LEN(e));
		} else {
			in.p.size = sizeof(in.p);
			in.p.start = start;
			in.p.end = end;
			in.p.vec = (uintptr_t)r;
			in.p.vec_len = 1 + rnd(t, ARRAY_LEN(r));
			in.p.max_pages = rnd(t, 2) ? 0 : 1 + rnd(t, 8);
			in.p.return_mask = ASPACE_PAGE_CATEGORIES;
		}
		out = in;
		err = do_ioctl(t, fd, dump ? ASPACE_IOC_PTDUMP :
			       ASPACE_IOC_PAGESCAN, &out);
		if (err) {
			if (fd == HOT_FD && err == EBADF)
				return false;
			fail(t, "%s [%llx, %llx): %s",
			     dump ? "PTDUMP" : "PAGESCAN",
			     (unsigned long long)start,
			     (unsigned long long)end, fz_errname(err));
			return false;
		}
		if (dump ? !fz_ptdump_sane(&in.d, &out.d, e, 4, false, why,
					   sizeof(why)) :
		    !fz_pagescan_sane(&in.p, &out.p, r, false, why,
				      sizeof(why))) {
			fail(t, "%s", why);
			return false;
		}
		walk_end = dump ? out.d.walk_end : out.p.walk_end;
		nr = dump ? 0 : out.p.nr_regions;
		for (i = 0; i < nr && *nv < room; i++)
			v[(*nv)++] = r[i];
		if (walk_end == fz_page_up(end))
			break;
		start = walk_end;
	}
	return true;
}

static void op_introspect(struct sthread *t)
{
	struct aspace_page_region v[OWN_PAGES];
	struct aspace_translate tr, in;
	struct aspace_clear_refs cr;
	struct aspace_pagescan ps;
	unsigned int nv, i, other;
	__u64 p, c, want;
	char why[320];
	int err;

	switch (rnd(t, 5)) {
	case 0:
		/* someone's region, the common area, or everything */
		other = rnd(t, opt.threads);
		p = rnd(t, 3);
		fz_log(&t->log, "dump or scan %s",
		       p == 0 ? "a region" : p == 1 ? "the churn area" :
		       "everything");
		intro_walk(t, rnd(t, 4) ? main_fd : HOT_FD, rnd(t, 2),
			   p == 0 ? OWN_BASE + other * OWN_STRIDE :
			   p == 1 ? CHURN : 0,
			   p == 0 ? OWN_BASE + other * OWN_STRIDE +
				    PAGES(OWN_PAGES) :
			   p == 1 ? CHURN + PAGES(CHURN_PAGES) : TASK47 - PG,
			   v, 0, &nv);
		return;
	case 1:
	case 2:
		/* own pages: those with data present, of the right kind */
		fz_log(&t->log, "scan own region");
		if (!intro_walk(t, main_fd, false, own(t, 0),
				own(t, PAGES(OWN_PAGES)), v, ARRAY_LEN(v),
				&nv))
			return;
		for (i = 0, p = 0; p < OWN_PAGES; p++) {
			while (i < nv && v[i].end <= own(t, PAGES(p)))
				i++;
			c = i < nv && v[i].start <= own(t, PAGES(p)) ?
			    v[i].categories : 0;
			if (p < PRIV_PAGES ?
			    (own_has_data(t, p) &&
			     (!(c & ASPACE_PAGE_PRESENT) ||
			      c & (ASPACE_PAGE_ZERO | ASPACE_PAGE_SHM))) :
			    c & (ASPACE_PAGE_ZERO | ASPACE_PAGE_EXCLUSIVE |
				 ASPACE_PAGE_COW_SHARED) ||
			    (c && !(c & ASPACE_PAGE_SHM))) {
				fail(t, "own page %llu (%s%s): categories %llx",
				     (unsigned long long)p,
				     p < PRIV_PAGES ? "private" : "shared",
				     own_has_data(t, p) ? ", data" : "",
				     (unsigned long long)c);
				return;
			}
		}
		return;
	case 3:
		/* one own private page with data: mapped by a present leaf */
		p = rnd(t, PRIV_PAGES);
		memset(&tr, 0, sizeof(tr));
		tr.size = sizeof(tr);
		tr.addr = own(t, PAGES(p) + rnd(t, PG));
		in = tr;
		fz_log(&t->log, "translate own +%llx",
		       (unsigned long long)(tr.addr - own(t, 0)));
		err = do_ioctl(t, main_fd, ASPACE_IOC_TRANSLATE, &tr);
		if (err || !fz_translate_sane(&in, &tr, -1, 4, why,
					      sizeof(why)) ||
		    (own_has_data(t, p) &&
		     (!(tr.status & ASPACE_TRANSLATE_PRESENT) ||
		      tr.status & ASPACE_TRANSLATE_ZERO_PAGE)))
			fail(t, "TRANSLATE of own page %llu (%s): %s status %#x level %u leaf %llx",
			     (unsigned long long)p,
			     own_has_data(t, p) ? "data" : "no data",
			     err ? fz_errname(err) : why, tr.status, tr.level,
			     (unsigned long long)tr.entries[0]);
		return;
	default:
		/* clear, the bits are clear, the bytes the same */
		memset(&cr, 0, sizeof(cr));
		cr.size = sizeof(cr);
		cr.flags = 1 + rnd(t, 3);
		cr.start = own(t, 0);
		cr.end = own(t, PAGES(OWN_PAGES));
		fz_log(&t->log, "clear_refs %u of own region", cr.flags);
		err = do_ioctl(t, main_fd, ASPACE_IOC_CLEAR_REFS, &cr);
		if (err) {
			fail(t, "CLEAR_REFS %u of own region: %s", cr.flags,
			     fz_errname(err));
			return;
		}
		want = (cr.flags & ASPACE_CLEAR_ACCESSED ?
			ASPACE_PAGE_ACCESSED : 0) |
		       (cr.flags & ASPACE_CLEAR_DIRTY ? ASPACE_PAGE_DIRTY : 0);
		memset(&ps, 0, sizeof(ps));
		ps.size = sizeof(ps);
		ps.start = cr.start;
		ps.end = cr.end;
		ps.category_anyof_mask = want;
		ps.return_mask = ASPACE_PAGE_CATEGORIES;
		err = do_ioctl(t, main_fd, ASPACE_IOC_PAGESCAN, &ps);
		if (err || ps.walk_end != ps.end) {
			fail(t, "CLEAR_REFS %u of own region, then PAGESCAN "
			     "for %llx: %s, walk_end own +%llx",
			     cr.flags, (unsigned long long)want,
			     err ? fz_errname(err) : "success",
			     (unsigned long long)(ps.walk_end - own(t, 0)));
			return;
		}
		p = rnd(t, OWN_PAGES - 1);
		own_check(t, PAGES(p), PAGES(2), rnd(t, 2));
		return;
	}
}

/* ------------------------------------------------------------------ */
/* The churn: anything, anywhere but the regions; any documented result. */

static bool one_of(int err, const int *ok)
{
	if (!err)
		return true;
	for (; *ok; ok++)
		if (*ok == err)
			return true;
	return false;
}

static void op_churn(struct sthread *t)
{
	static const int e_map[] = { EINVAL, ENOMEM, EEXIST, 0 };
	static const int e_adv[] = { EINVAL, ENOMEM, EAGAIN, 0 };
	static const int e_rw[] = { EIO, ENOMEM, 0 };
	static const int e_query[] = { ENOENT, 0 };
	static const int e_none[] = { 0 };
	static const int e_busy[] = { EBUSY, 0 };
	static const int e_clone[] = { ENOMEM, 0 };
	static const __u32 advs[] = {
		MADV_DONTNEED, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
		MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK,
	};
	bool hot = rnd(t, 4) == 0;
	int fd = hot ? HOT_FD : main_fd, err = 0, cfd;
	__u64 addr = CHURN + PAGES(rnd(t, CHURN_PAGES));
	__u64 len = PAGES(1 + rnd(t, 16)), got, r = rnd(t, 16), i;
	__u32 prot = rnd(t, 8);
	struct aspace_access a;
	struct aspace_query q;
	struct aspace_stats st;
	struct aspace_limits lim;
	struct aspace_layout lay;
	const char *what;
	const int *ok = e_map;
	ssize_t n;

	fz_log(&t->log, "churn %llu on %s fd at %llx len %llx prot %u",
	       (unsigned long long)r, hot ? "the hot" : "the main",
	       (unsigned long long)addr, (unsigned long long)len, prot);
	switch (r) {
	case 0:
	case 1:
		what = "MMAP fixed";
		err = st_mmap(t, fd, addr, len, prot,
			      (rnd(t, 3) ? MAP_PRIVATE : MAP_SHARED) |
			      (rnd(t, 4) ? MAP_FIXED : MAP_FIXED_NOREPLACE) |
			      (rnd(t, 4) ? 0 : MAP_POPULATE), NULL);
		break;
	case 2:
		/* Anywhere (top down, far from the regions); unmapped later. */
		what = "MMAP anywhere";
		i = rnd(t, MAX_ANON);
		if (t->anon[i]) {
			err = st_range(t, main_fd, ASPACE_IOC_MUNMAP,
				       t->anon[i], t->anon_len[i], 0);
			t->anon[i] = 0;
			break;
		}
		err = st_mmap(t, main_fd, 0, len, prot,
			      MAP_PRIVATE | (rnd(t, 4) ? 0 : MAP_POPULATE),
			      &got);
		if (!err && (got < CHURN + PAGES(CHURN_PAGES) ||
			     got + len > (1ULL << 47))) {
			fail(t, "MMAP anywhere of %llx bytes: at %llx",
			     (unsigned long long)len,
			     (unsigned long long)got);
			return;
		}
		if (!err) {
			t->anon[i] = got;
			t->anon_len[i] = len;
		}
		break;
	case 3:
	case 4:
		what = "MUNMAP";
		ok = e_adv;
		err = st_range(t, fd, ASPACE_IOC_MUNMAP, addr, len, 0);
		break;
	case 5:
		what = "MPROTECT";
		ok = e_adv;
		err = st_range(t, fd, ASPACE_IOC_MPROTECT, addr, len, prot);
		break;
	case 6:
		what = "MADVISE";
		ok = e_adv;
		err = st_madvise(t, fd, addr, len, advs[rnd(t, ARRAY_LEN(advs))]);
		break;
	case 7:
	case 8:
		what = "ACCESS";
		ok = e_map + 1;
		addr += rnd(t, PG);
		err = st_access(t, fd, rnd(t, 3), addr, rnd(t, PAGES(2)),
				rnd(t, 4) ? t->buf : NULL, &a);
		if (!err && a.signo &&
		    (a.signo != SIGSEGV || a.fault_addr != addr + a.done ||
		     (a.si_code != SEGV_MAPERR && a.si_code != SEGV_ACCERR))) {
			fail(t, "ACCESS at %llx: signo %d code %d at %llx done %llu",
			     (unsigned long long)addr, a.signo, a.si_code,
			     (unsigned long long)a.fault_addr,
			     (unsigned long long)a.done);
			return;
		}
		break;
	case 9:
		i = rnd(t, 2);
		what = i ? "pread" : "pwrite";
		ok = e_rw;
		addr += rnd(t, PG);
		len = 1 + rnd(t, PAGES(2));
		n = i ? st_pread(t, fd, t->buf, len, addr) :
			st_pwrite(t, fd, t->buf, len, addr);
		err = n < 0 ? -n : 0;
		if (n > (ssize_t)len) {
			fail(t, "%s of %llu bytes: %zd", what,
			     (unsigned long long)len, n);
			return;
		}
		break;
	case 10:
		what = "QUERY";
		ok = e_query;
		err = -fz_query(fd, rnd(t, 2) ? addr : own(t, 0), rnd(t, 2),
				&q);
		if (!err && (q.vma_end <= q.vma_start ||
			     q.vma_flags & ~(__u64)FZ_VMA_KNOWN)) {
			fail(t, "QUERY: %llx-%llx flags %llx",
			     (unsigned long long)q.vma_start,
			     (unsigned long long)q.vma_end,
			     (unsigned long long)q.vma_flags);
			return;
		}
		break;
	case 11:
		what = "STATS";
		ok = e_none;
		err = -fz_stats(fd, &st);
		if (!err && (st.resident_pages > st.mapped_bytes / PG ||
			     st.shared_pages > st.resident_pages ||
			     st.data_bytes > st.mapped_bytes)) {
			fail(t, "STATS: resident %llu shared %llu mapped %llx data %llx",
			     (unsigned long long)st.resident_pages,
			     (unsigned long long)st.shared_pages,
			     (unsigned long long)st.mapped_bytes,
			     (unsigned long long)st.data_bytes);
			return;
		}
		break;
	case 12:
		what = "BRK";
		ok = e_none;
		{
			struct aspace_brk b = {
				.size = sizeof(b),
				.brk = DEF_HEAP + rnd(t, PAGES(64)),
			};

			err = do_ioctl(t, fd, ASPACE_IOC_BRK, &b);
		}
		break;
	case 13:
		what = "GET/SET_LIMITS, SET_LAYOUT";
		ok = e_busy;
		err = -fz_get_limits(fd, &lim);
		if (!err)
			err = -fz_set_limits(fd, &lim);
		if (!err) {
			memset(&lay, 0, sizeof(lay));
			lay.size = sizeof(lay);
			lay.mmap_min_addr = 0x10000;
			err = do_ioctl(t, fd, ASPACE_IOC_SET_LAYOUT, &lay);
			if (!err) {
				fail(t, "SET_LAYOUT on a busy address space worked");
				return;
			}
		}
		break;
	case 14:
		what = "CLONE and close";
		ok = e_clone;
		{
			struct aspace_clone c = {
				.size = sizeof(c), .flags = rnd(t, 4),
			};

			err = do_ioctl(t, fd, ASPACE_IOC_CLONE, &c);
			cfd = c.fd;
		}
		if (!err) {
			if (rnd(t, 2))
				fz_stats(cfd, &st);
			close(cfd);
		}
		break;
	default:
		/* The hot descriptor: a new clone, or none, under others. */
		what = "hot swap";
		t->ops[S_HOT]++;
		if (rnd(t, 3)) {
			struct aspace_clone c = {
				.size = sizeof(c), .flags = rnd(t, 4),
			};

			ok = e_clone;
			err = do_ioctl(t, main_fd, ASPACE_IOC_CLONE, &c);
			if (!err) {
				set_hot(t, c.fd);
				close(c.fd);
			}
		} else {
			fz_log(&t->log, "close the hot fd");
			close(HOT_FD);
			t->closed_under++;
		}
		break;
	}
	fz_log_more(&t->log, ": %s -> %s", what, err ? fz_errname(err) : "0");
	if (!one_of(err, ok) && !(hot && err == EBADF))
		fail(t, "%s on the %s fd: unexpected %s", what,
		     hot ? "hot" : "main", fz_errname(err));
}

/* ------------------------------------------------------------------ */
/*
 * The staller: a call stopped inside its copy from or to user memory
 * (userfaultfd on the buffer or struct) must hold no lock of the address
 * space: mmap, munmap, clone and STATS on it go on meanwhile; and the
 * descriptor may be closed under it.  "The address-space lock is never
 * held across a copy to or from user memory" (Documentation/ioctls.md).
 */

enum { V_PWRITE, V_PREAD, V_STORE, V_LOAD, V_MMAP, V_CLONE, NV };

static const char * const v_names[NV] = {
	"pwrite", "pread", "ACCESS store", "ACCESS load",
	"MMAP (struct)", "CLONE (struct)",
};

struct victim {
	int kind;
	int fd;
	__u64 addr;
	size_t len;
	unsigned char *buf;
	long long ret;
	struct aspace_access a;
	int done;
};

static struct {
	pthread_t th;
	struct sthread t;	/* its log, counters and random numbers */
	int uffd;
	unsigned char *region;	/* STALL_PAGES, registered with uffd */
	unsigned char *data;	/* a page that resolves a fault */
	unsigned long rounds;
	unsigned long stalls;
	unsigned long probes;
	unsigned long closed;
	const char *skipped;
} stl;

static __u64 stall_area(void)
{
	return OWN_BASE + opt.threads * OWN_STRIDE;
}

static void *victim_main(void *arg)
{
	struct victim *v = arg;

	switch (v->kind) {
	case V_PWRITE:
		v->ret = pwrite(v->fd, v->buf, v->len, v->addr);
		break;
	case V_PREAD:
		v->ret = pread(v->fd, v->buf, v->len, v->addr);
		break;
	case V_STORE:
	case V_LOAD:
		memset(&v->a, 0, sizeof(v->a));
		v->a.size = sizeof(v->a);
		v->a.kind = v->kind == V_STORE ? ASPACE_ACCESS_WRITE :
						 ASPACE_ACCESS_READ;
		v->a.addr = v->addr;
		v->a.length = v->len;
		v->a.buf = (uintptr_t)v->buf;
		v->ret = ioctl(v->fd, ASPACE_IOC_ACCESS, &v->a);
		break;
	default:
		v->ret = ioctl(v->fd, v->kind == V_MMAP ? ASPACE_IOC_MMAP :
			       ASPACE_IOC_CLONE, v->buf);
		break;
	}
	if (v->ret < 0)
		v->ret = -errno;
	__atomic_store_n(&v->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

struct probe {
	int err;
	const char *what;
	int done;
};

/* Calls that take the address-space lock, for read and for write. */
static void *probe_main(void *arg)
{
	struct probe *pr = arg;
	struct sthread *t = &stl.t;
	__u64 a = stall_area() + PAGES(STALL_PAGES + 1);
	struct aspace_clone c = { .size = sizeof(c) };
	struct aspace_stats st;

	pr->what = "MMAP";
	pr->err = st_mmap(t, main_fd, a, PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, NULL);
	if (!pr->err) {
		pr->what = "MUNMAP";
		pr->err = st_range(t, main_fd, ASPACE_IOC_MUNMAP, a, PG, 0);
	}
	if (!pr->err) {
		pr->what = "STATS";
		pr->err = -fz_stats(main_fd, &st);
	}
	if (!pr->err) {
		pr->what = "MADV_DONTNEED";
		pr->err = st_madvise(t, main_fd, stall_area(),
				     PAGES(STALL_PAGES), MADV_DONTNEED);
	}
	if (!pr->err) {
		pr->what = "CLONE";
		pr->err = do_ioctl(t, main_fd, ASPACE_IOC_CLONE, &c);
		if (!pr->err)
			close(c.fd);
		else if (pr->err == ENOMEM)
			pr->err = 0;
	}
	__atomic_store_n(&pr->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Resolve the fault at @addr: with @data (a page) or zeros. */
static int stall_resolve(__u64 addr, const unsigned char *data)
{
	struct uffdio_copy cp = {
		.dst = addr & ~(PG - 1), .src = (uintptr_t)data, .len = PG,
	};
	struct uffdio_zeropage zp = {
		.range = { .start = addr & ~(PG - 1), .len = PG },
	};
	int ret;

	ret = data ? ioctl(stl.uffd, UFFDIO_COPY, &cp) :
		     ioctl(stl.uffd, UFFDIO_ZEROPAGE, &zp);
	/* EEXIST: resolved already (a second fault on the same page) */
	return ret && errno != EEXIST ? -errno : 0;
}

/* Wait for a fault of the victim; its address, or 0 if it finished. */
static __u64 stall_wait(struct victim *v, int ms)
{
	struct pollfd pfd = { .fd = stl.uffd, .events = POLLIN };
	struct uffd_msg msg;
	__u64 end = fz_now_ms() + ms;

	while (fz_now_ms() < end) {
		if (poll(&pfd, 1, 10) == 1 &&
		    read(stl.uffd, &msg, sizeof(msg)) == sizeof(msg) &&
		    msg.event == UFFD_EVENT_PAGEFAULT)
			return msg.arg.pagefault.address;
		if (__atomic_load_n(&v->done, __ATOMIC_ACQUIRE))
			return 0;
	}
	return ~0ULL;
}

/*
 * The victim is stalled at @fault: the probes must finish; then the
 * fault is resolved, which lets the victim go on (or the probes, if they
 * were waiting for it after all).
 */
static void stall_probe(struct sthread *t, const struct victim *v,
			__u64 fault)
{
	struct probe pr = { 0 };
	__u64 start = fz_now_ms();
	pthread_t pth;

	if (pthread_create(&pth, NULL, probe_main, &pr)) {
		fail(t, "pthread_create failed");
		stall_resolve(fault, stl.data);
		return;
	}
	while (!__atomic_load_n(&pr.done, __ATOMIC_ACQUIRE) &&
	       fz_now_ms() < start + PROBE_MS)
		usleep(1000);
	if (!__atomic_load_n(&pr.done, __ATOMIC_ACQUIRE))
		fail(t, "%s blocked for %d s while a %s was stalled in a copy "
		     "from or to user memory (a lock held across a user copy?)",
		     pr.what, PROBE_MS / 1000, v_names[v->kind]);
	stall_resolve(fault, stl.data);
	pthread_join(pth, NULL);
	stl.probes++;
	if (pr.err)
		fail(t, "%s while a %s was stalled: %s", pr.what,
		     v_names[v->kind], fz_errname(pr.err));
}

static void stall_round(struct sthread *t)
{
	unsigned char *data = stl.data;
	struct victim v = { 0 };
	union {
		struct aspace_mmap m;
		struct aspace_clone c;
	} st;
	pthread_t vth;
	__u64 fault, i;
	bool close_under = rnd(t, 3) == 0, probed = false;
	unsigned char *back = t->buf2;

	madvise(stl.region, PAGES(STALL_PAGES), MADV_DONTNEED);
	v.kind = rnd(t, NV);
	v.fd = main_fd;
	if (close_under) {
		struct aspace_clone c = { .size = sizeof(c) };

		if (do_ioctl(t, main_fd, ASPACE_IOC_CLONE, &c))
			return;
		v.fd = c.fd;
	}
	v.len = 1 + rnd(t, PAGES(2));
	v.addr = stall_area() + rnd(t, PAGES(STALL_PAGES) - v.len);
	v.buf = stl.region + rnd(t, PAGES(STALL_PAGES) - v.len);
	for (i = 0; i < PG; i++)
		data[i] = fz_rand(&t->rnd);
	if (v.kind == V_MMAP || v.kind == V_CLONE) {
		/* the struct, on the page that is missing */
		memset(&st, 0, sizeof(st));
		if (v.kind == V_MMAP) {
			st.m.size = sizeof(st.m);
			st.m.prot = PROT_READ | PROT_WRITE;
			st.m.flags = MAP_PRIVATE | MAP_FIXED;
			st.m.addr = stall_area();
			st.m.length = PAGES(STALL_PAGES);
		} else {
			st.c.size = sizeof(st.c);
		}
		v.buf = stl.region + PAGES(rnd(t, STALL_PAGES));
		memcpy(data, &st, sizeof(st));
	}
	fz_log(&t->log, "stall %s on fd %d%s at %llx len %zu buf %p",
	       v_names[v.kind], v.fd, close_under ? " (closed under it)" : "",
	       (unsigned long long)v.addr, v.len, (void *)v.buf);
	if (pthread_create(&vth, NULL, victim_main, &v)) {
		fail(t, "pthread_create failed");
		return;
	}
	stl.rounds++;
	for (;;) {
		fault = stall_wait(&v, PROBE_MS);
		if (!fault)
			break;
		if (fault == ~0ULL) {
			fail(t, "%s: neither a fault on its buffer nor done after %d s",
			     v_names[v.kind], PROBE_MS / 1000);
			/* let it go, to join it */
			for (i = 0; i < STALL_PAGES; i++)
				stall_resolve((uintptr_t)stl.region + PAGES(i),
					      NULL);
			break;
		}
		stl.stalls++;
		if (!probed) {
			/* Stalled in a user copy: the address space is free. */
			probed = true;
			if (close_under) {
				close(v.fd);
				stl.closed++;
			}
			stall_probe(t, &v, fault);
			continue;
		}
		if (stall_resolve(fault, v.kind == V_PREAD ||
				  v.kind == V_LOAD ? NULL : data)) {
			fail(t, "resolving a userfault: %s", strerror(errno));
			break;
		}
	}
	pthread_join(vth, NULL);
	if (t->failed)
		goto out;

	/* The call went through as if it had never waited. */
	switch (v.kind) {
	case V_PWRITE:
	case V_STORE:
		if (v.ret != (v.kind == V_PWRITE ? (long long)v.len : 0) ||
		    (v.kind == V_STORE &&
		     (v.a.signo || v.a.done != v.len))) {
			fail(t, "stalled %s of %zu bytes: %lld (done %llu signo %d)",
			     v_names[v.kind], v.len, v.ret,
			     (unsigned long long)v.a.done, v.a.signo);
			break;
		}
		/* what it wrote is what the buffer held */
		if (st_pread(t, main_fd, back, v.len, v.addr) !=
		    (ssize_t)v.len) {
			fail(t, "pread after a stalled %s", v_names[v.kind]);
			break;
		}
		if (!close_under)
			for (i = 0; i < v.len; i++)
				if (back[i] != v.buf[i]) {
					fail(t, "stalled %s: byte %llu is %#x, the buffer had %#x",
					     v_names[v.kind],
					     (unsigned long long)i, back[i],
					     v.buf[i]);
					break;
				}
		break;
	case V_PREAD:
	case V_LOAD:
		if (v.ret != (v.kind == V_PREAD ? (long long)v.len : 0) ||
		    (v.kind == V_LOAD && (v.a.signo || v.a.done != v.len)))
			fail(t, "stalled %s of %zu bytes: %lld",
			     v_names[v.kind], v.len, v.ret);
		break;
	case V_MMAP:
		if (v.ret)
			fail(t, "stalled MMAP: %s", fz_errname(-v.ret));
		break;
	default:
		memcpy(&st, v.buf, sizeof(st.c));
		if (v.ret)
			fail(t, "stalled CLONE: %s", fz_errname(-v.ret));
		else
			close(st.c.fd);
		break;
	}
out:
	if (close_under && !probed)
		close(v.fd);
}

static void *staller_main(void *arg)
{
	struct sthread *t = arg;

	while (!t->failed && fz_now_ms() < deadline &&
	       !__atomic_load_n(&failures, __ATOMIC_RELAXED))
		stall_round(t);
	return NULL;
}

/* The staller's area in the address space and its uffd buffer. */
static int stall_setup(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };

	stl.t.id = opt.threads;
	stl.t.rnd = fz_seed_state(opt.seed, opt.threads);
	stl.t.kept_fd = -1;
	stl.uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (stl.uffd < 0 || ioctl(stl.uffd, UFFDIO_API, &api)) {
		stl.skipped = "no userfaultfd";
		return 0;
	}
	stl.region = mmap(NULL, PAGES(STALL_PAGES), PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stl.data = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stl.region == MAP_FAILED || stl.data == MAP_FAILED)
		return errno;
	reg.range.start = (uintptr_t)stl.region;
	reg.range.len = PAGES(STALL_PAGES);
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(stl.uffd, UFFDIO_REGISTER, &reg)) {
		stl.skipped = "userfaultfd registration failed";
		return 0;
	}
	return st_mmap(&stl.t, main_fd, stall_area(), PAGES(STALL_PAGES),
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, NULL);
}

/* ------------------------------------------------------------------ */

static void one_op(struct sthread *t)
{
	__u64 r = rnd(t, 100), off, len;

	if (r < 22) {
		own_range(t, &off, &len);
		own_write(t, off, len, rnd(t, 2));
		t->ops[S_WRITE]++;
	} else if (r < 44) {
		own_range(t, &off, &len);
		own_check(t, off, len, rnd(t, 2));
		t->ops[S_READ]++;
	} else if (r < 47) {
		op_dontneed(t);
		t->ops[S_DONTNEED]++;
	} else if (r < 49) {
		op_populate(t);
		t->ops[S_POPULATE]++;
	} else if (r < 52) {
		op_protect(t);
		t->ops[S_PROTECT]++;
	} else if (r < 54) {
		op_remap(t);
		t->ops[S_REMAP]++;
	} else if (r < 57) {
		op_forkadv(t);
		t->ops[S_FORKADV]++;
	} else if (r < 61) {
		op_clone(t);
		t->ops[S_CLONE]++;
	} else if (r < 66) {
		op_kept(t);
		t->ops[S_KEPT]++;
	} else if (r < 69) {
		op_introspect(t);
		t->ops[S_INTRO]++;
	} else {
		op_churn(t);
		t->ops[S_CHURN]++;
	}
}

/* Bytes past the buffers must stay as they were. */
static void check_canaries(struct sthread *t)
{
	unsigned int i;

	for (i = 0; i < sizeof(t->canary1); i++) {
		if (t->canary1[i] != 0xcc || t->canary2[i] != 0xcc) {
			fail(t, "a buffer overran: byte %u past %s is %#x", i,
			     t->canary1[i] != 0xcc ? "buf" : "buf2",
			     t->canary1[i] != 0xcc ? t->canary1[i] :
			     t->canary2[i]);
			return;
		}
	}
}

static void *thread_main(void *arg)
{
	struct sthread *t = arg;

	memset(t->canary1, 0xcc, sizeof(t->canary1));
	memset(t->canary2, 0xcc, sizeof(t->canary2));
	while (!t->failed && fz_now_ms() < deadline &&
	       !__atomic_load_n(&failures, __ATOMIC_RELAXED)) {
		one_op(t);
		check_canaries(t);
	}
	return NULL;
}

/* The listing and the stats of a descriptor nobody else uses now. */
static bool check_quiet(int fd, char *why, size_t len)
{
	static struct fz_list l;
	struct aspace_layout lay;
	struct aspace_stats st;
	unsigned int i;
	int ret;

	ret = fz_list_vmas(fd, &l);
	if (!ret)
		ret = fz_stats(fd, &st);
	if (!ret)
		ret = fz_get_layout(fd, &lay);
	if (ret) {
		snprintf(why, len, "listing or stats: %s", strerror(-ret));
		return false;
	}
	for (i = 0; i < l.n; i++)
		if (!fz_vma_plausible(&l.v[i], lay.task_size, why, len))
			return false;
	return fz_stats_plausible(&st, lay.flags & ASPACE_LAYOUT_LA57,
				  lay.task_size, why, len) &&
	       fz_list_matches_stats(&l, &st, why, len);
}

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seconds N] [--seed S] [--threads T] [--verbose]\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long ops[NSK] = { 0 }, total = 0, bytes = 0, under = 0;
	static struct fz_errs errs;
	struct aspace_limits lim;
	unsigned int i, k;
	char buf[1024], why[256];
	int npass = 0, err;
	size_t off = 0;
	__u64 start;

	opt.seed = fz_seed_state((__u64)time(NULL), getpid());
	for (i = 1; i < (unsigned int)argc; i++) {
		if (i + 1 < (unsigned int)argc && !strcmp(argv[i], "--seconds"))
			opt.seconds = strtoul(argv[++i], NULL, 0);
		else if (i + 1 < (unsigned int)argc && !strcmp(argv[i], "--seed"))
			opt.seed = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < (unsigned int)argc &&
			 !strcmp(argv[i], "--threads"))
			opt.threads = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--verbose"))
			opt.verbose = true;
		else
			print_usage(argv[0]);
	}
	if (opt.threads < 1 || opt.threads > MAX_THREADS)
		print_usage(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..2\n");
	printf("# aspace_stress --seed 0x%llx --seconds %u --threads %u (%ld CPUs online)\n",
	       (unsigned long long)opt.seed, opt.seconds, opt.threads,
	       sysconf(_SC_NPROCESSORS_ONLN));

	ths = calloc(opt.threads, sizeof(*ths));
	main_fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (!ths || main_fd < 0) {
		printf("not ok 1 stress # cannot open %s: %s\n", DEV_PATH,
		       strerror(errno));
		return 1;
	}
	/* Bounded, whatever the module's defaults. */
	err = -fz_get_limits(main_fd, &lim);
	lim.as_bytes = 1ULL << 30;
	lim.resident_bytes = 64ULL << 20;
	if (!err)
		err = -fz_set_limits(main_fd, &lim);
	for (i = 0; i < opt.threads && !err; i++) {
		struct sthread *t = &ths[i];

		t->id = i;
		t->rnd = fz_seed_state(opt.seed, i);
		t->kept_fd = -1;
		err = st_mmap(t, main_fd, own(t, 0), PAGES(PRIV_PAGES),
			      PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
			      NULL);
		if (!err)
			err = st_mmap(t, main_fd, own(t, PAGES(PRIV_PAGES)),
				      PAGES(OWN_PAGES - PRIV_PAGES),
				      PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_FIXED, NULL);
	}
	if (!err)
		err = stall_setup();
	if (err) {
		printf("not ok 1 stress # setting up: %s\n", fz_errname(err));
		return 1;
	}

	start = fz_now_ms();
	deadline = start + opt.seconds * 1000ULL;
	for (i = 0; i < opt.threads; i++) {
		if (pthread_create(&ths[i].th, NULL, thread_main, &ths[i])) {
			printf("not ok 1 stress # pthread_create failed\n");
			return 1;
		}
	}
	if (!stl.skipped &&
	    pthread_create(&stl.th, NULL, staller_main, &stl.t)) {
		printf("not ok 1 stress # pthread_create failed\n");
		return 1;
	}
	for (i = 0; i < opt.threads; i++)
		pthread_join(ths[i].th, NULL);
	if (!stl.skipped)
		pthread_join(stl.th, NULL);

	/* Quiet now: every region once more, and the listing. */
	close(HOT_FD);
	for (i = 0; i < opt.threads; i++) {
		struct sthread *t = &ths[i];

		if (t->kept_fd >= 0) {
			for (k = 0; k < PRIV_PAGES && !failures; k++)
				clone_page_ok(t, t->kept_fd, k, t->kept[k],
					      t->kept_absent[k]);
			close(t->kept_fd);
		}
		for (k = 0; k < OWN_PAGES && !failures; k += 2)
			own_check(t, PAGES(k), PAGES(2), k & 2);
	}
	if (!failures && !check_quiet(main_fd, why, sizeof(why))) {
		printf("# FAIL: at the end: %s (seed 0x%llx)\n", why,
		       (unsigned long long)opt.seed);
		failures++;
	}
	close(main_fd);

	for (i = 0; i < opt.threads; i++) {
		for (k = 0; k < NSK; k++) {
			ops[k] += ths[i].ops[k];
			total += ths[i].ops[k];
		}
		for (k = 0; k < FZ_NERR; k++)
			errs.n[k] += ths[i].errs.n[k];
		bytes += ths[i].bytes_checked;
		under += ths[i].closed_under;
	}
	for (k = 0; k < NSK; k++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s %lu",
				k ? ", " : "", sk_names[k], ops[k]);
	printf("# stress summary: seed 0x%llx, %u threads on one descriptor, "
	       "%llu s: %lu operations (%s); %lu KiB checked; hot descriptor "
	       "replaced or closed under the others %lu times\n",
	       (unsigned long long)opt.seed, opt.threads,
	       (unsigned long long)((fz_now_ms() - start) / 1000), total, buf,
	       bytes >> 10, under);
	if (stl.skipped)
		printf("# stress summary: no stalled user copies: %s\n",
		       stl.skipped);
	else
		printf("# stress summary: %lu calls stalled in a user copy "
		       "(%lu faults; %lu with the descriptor closed under "
		       "them), %lu times the address space was free meanwhile\n",
		       stl.rounds, stl.stalls, stl.closed, stl.probes);
	for (k = 0; k < FZ_NERR; k++)
		errs.n[k] += stl.t.errs.n[k];
	fz_errs_str(&errs, buf, sizeof(buf));
	printf("# stress summary: %lu calls succeeded; errors by errno: %s\n",
	       errs.n[0], buf);
	printf("# stress summary: failures: %d\n", failures);
	if (!failures) {
		printf("ok 1 stress\n");
		npass++;
	} else {
		printf("not ok 1 stress # seed 0x%llx\n",
		       (unsigned long long)opt.seed);
	}
	return fz_tap_finish(npass, 3000);
}
