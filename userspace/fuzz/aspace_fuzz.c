// SPDX-License-Identifier: GPL-2.0
/*
 * aspace_fuzz: a seeded fuzzer of the ioctls and file operations of
 * /dev/aspace, run in the QEMU guest (scripts/fuzz.sh, make fuzz).
 *
 *   aspace_fuzz [--seconds N] [--seed S] [--procs P] [--ops N]
 *               [--helper 0|1] [--verbose]
 *
 * P worker processes (fork) each hold NSLOT descriptors: two opened by the
 * parent before the fork (so every process shares them), the others
 * opened, cloned or received by the worker.  A worker's main thread makes
 * random calls in batches:
 *  - every ioctl number of the module, unknown numbers, wrong directions,
 *    other size bits and other magics; struct sizes short, exact, longer
 *    with a zero or non-zero tail, or running into an unmapped page;
 *    pointers good, misaligned, read-only, NULL, unmapped, kernel and
 *    non-canonical; field values biased to boundaries (0, page edges,
 *    mmap_min_addr, the 47- and 56-bit task sizes, 2^64 - 1, unaligned)
 *    and prot, flag and advice values valid, invalid and all bits;
 *  - the introspection ioctls (TRANSLATE, PTDUMP, PAGESCAN, CLEAR_REFS)
 *    the same way, over ranges of the hot area, everything, a walk_end a
 *    dump or scan returned (as is or odd), the task sizes and beyond;
 *    their arrays good, running into an unmapped page, NULL, read-only,
 *    unmapped, kernel, non-canonical, counts from 0 to overflowing; bad
 *    flags, frame bits in a dump's mask, unknown page categories;
 *  - pread, pwrite, read, write, preadv, pwritev and lseek with odd
 *    offsets, counts and buffers;
 *  - clone, open, close, descriptors sent to the next worker with
 *    SCM_RIGHTS (and closed by the sender, or not), received with a
 *    control buffer that may be too small;
 *  - dup2 onto, and close of, a descriptor number a second thread of the
 *    worker (the helper) is using all the time: closed underneath it;
 *  - a struct on a page the helper makes read-only or unmapped at any
 *    time (EFAULT after the call made its change: a clone's new
 *    descriptor must not survive), O_RDONLY and O_WRONLY descriptors;
 *  - forked children making long calls (MAP_POPULATE, eager clone,
 *    MADV_POPULATE_*, big transfers, unmapping everything, dumps and
 *    scans of everything) killed with SIGKILL in the middle of them.
 *
 * Every result is checked: the errno must be one the call documents, or
 * exactly the one it must be (struct-size rules, reserved fields, unknown
 * numbers), output structs must be sane and written only where allowed,
 * and on a descriptor no other thread or process can reach, a failed call
 * must leave the address space as it was, and mmap, munmap and mprotect
 * must change the mapped bytes as they say (a mapping that is not
 * MAP_FIXED replaces nothing).  Introspection results must be sane on
 * their own (fuzz_util.h: sorted ranges inside the range asked for, no
 * frame unless TRANSLATE may show one, which it must to CAP_SYS_ADMIN,
 * arrays written no further than they say) and, on a private
 * descriptor, agree with the VMAs (mapped leaves and pages only inside
 * VMAs that fit them), with STATS (page tables, resident pages), with
 * each other (one page three ways) and with themselves resumed in
 * pieces; no call but CLEAR_REFS changes the pages' Accessed and Dirty
 * bits, and CLEAR_REFS clears them and changes no byte.  After every
 * batch the VMA listing (QUERY loop) and STATS must agree; every few
 * seconds all workers stop at a checkpoint and the parent compares the
 * module's counters (/sys/class/misc/aspace/) with the sum over the
 * distinct address spaces (kcmp(2) tells which descriptors share one); at
 * the end, with every descriptor closed, all four counters must be zero.
 *
 * Limits keep the run bounded: every address space gets at most 4 MiB of
 * data pages, 64 MiB mapped and 512 VMAs, and a SET_LIMITS the fuzzer
 * makes never raises them beyond that.
 *
 * Output is TAP (two tests: the fuzzing, the counters at the end) and a
 * summary: calls made, errors by errno, failures (and a line of the
 * introspection calls).  A failure prints the
 * seed, the worker and its last operations.  With --procs 1 --helper 0
 * the calls of a seed are the same on every run (no children killed, no
 * checkpoint but the last): --ops N stops after the batch reaching N.
 */
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/kcmp.h>
#include <linux/mman.h>

#include "fuzz_util.h"

#define DEV_PATH	"/dev/aspace"
#define MAX_PROCS	16
#define NSLOT		4		/* descriptors per worker */
#define NSHARED		2		/* of those, inherited from the parent */
#define UNDER_FD	900		/* the number the helper thread uses */
#define BATCH		48		/* operations between two checks */
#define CP_MS		3000		/* between two checkpoints */
#define WAIT_MS		120000		/* the longest a checkpoint may wait */

#define HOT		0x100000000ULL	/* where most mappings go: 4 GiB */
#define HOT_PAGES	256
#define TASK47		0x800000000000ULL	/* 2^47 */
#define TASK56		0x100000000000000ULL	/* 2^56 */
#define DEF_HEAP	0x555555555000ULL
#define DEF_BASE	0x7ffff7fff000ULL
#define KERNEL_PTR	0xffffffff81000000ULL
#define NONCANON_PTR	0x8000000000000000ULL

#define RES_CAP		(4ULL << 20)
#define AS_CAP		(64ULL << 20)
#define MAPS_CAP	512ULL
#define STACK_CAP	(16ULL << 20)

#define ARENA_SIZE	PAGES(16)
#define RWBUF_SIZE	PAGES(16)
#define CMP_MAX		512
#define MAGIC_MSG	0x61737066u	/* "aspf" */

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

enum kind {
	K_IOCTL, K_READ, K_WRITE, K_LSEEK, K_CLONE, K_OPEN, K_CLOSE, K_SEND,
	K_RECV, K_DUP2, K_CHECK, K_MODEL, NKINDS
};

static const char * const kind_names[NKINDS] = {
	"ioctl", "read", "write", "lseek", "clone", "open", "close", "send",
	"recv", "dup2", "check", "predicted",
};

/* What a worker reports of one descriptor at a checkpoint. */
struct cp_entry {
	int fd;
	__u64 nr_vmas;
	__u64 pgtables;
	__u64 resident;
	__u64 shared;
};

struct wshared {
	pid_t pid;
	int idle;		/* done with its --ops */
	int ncp;
	struct cp_entry cp[NSLOT + 1];
	unsigned long calls[NKINDS];
	unsigned long helper_calls;
	unsigned long ops;
	unsigned long kills;
	unsigned long intro[4][2];
	struct fz_errs errs;
};

/* Shared by the parent and the workers (MAP_SHARED). */
struct shm {
	int stop;
	int failures;
	int cp_gen;		/* the checkpoint asked for */
	int cp_arrive[3];	/* workers past each of its phases */
	int cp_release;		/* the checkpoint the parent has checked */
	pthread_mutex_t lock;	/* one report at a time */
	struct wshared w[MAX_PROCS];
};

static struct {
	__u64 seed;
	unsigned int seconds;
	unsigned int procs;
	unsigned long ops;
	bool helper;
	bool verbose;
} opt = { .seconds = 30, .procs = 3, .helper = true };

static struct shm *shm;

/*
 * One process, no helper thread: the calls depend on the seed alone, so
 * nothing timing-dependent happens (no children killed, no checkpoint
 * but the last).
 */
static bool replay(void)
{
	return opt.procs == 1 && !opt.helper;
}

/* ------------------------------------------------------------------ */
/* A worker: one process, its main thread and its helper thread. */

struct slot {
	int fd;			/* -1: empty */
	bool excl;		/* no other thread or process can reach it */
};

struct helper {
	pthread_t th;
	__u64 rnd;
	int pause_req;
	int paused;
	int stop;
	int failed;
	unsigned long calls;
	struct fz_errs errs;
	struct fz_log log;
	char buf[PAGES(2)];
};

static struct worker {
	int id;
	__u64 rnd;
	struct slot slot[NSLOT];
	bool under_open;
	int sock_out;
	int sock_in;
	int failed;
	unsigned long ops;
	unsigned long calls[NKINDS];
	struct fz_errs errs;
	struct fz_log log;
	unsigned char *arena;	/* ARENA_SIZE, then an unmapped page */
	unsigned char *ro;	/* a read-only page, then an unmapped page */
	unsigned char *none;	/* an unmapped (PROT_NONE) page */
	unsigned char *rwbuf;	/* RWBUF_SIZE, then an unmapped page */
	unsigned char *rwbuf2;	/* RWBUF_SIZE */
	unsigned char *flap;	/* a page the helper makes RW, RO, PROT_NONE */
	pthread_mutex_t flap_lock;
	unsigned long kills;
	__u64 cursor;		/* the last walk_end of a dump or scan */
	unsigned long intro[4][2];	/* calls and successes, by ioctl */
	__u64 edge[NSLOT][64];	/* VMA edges seen at the last check */
	unsigned int nedge[NSLOT];
	struct helper helper;
} wk;

static struct fz_list list_a, list_b, list_c;

/*
 * TRANSLATE shows frames (1) or not (0): CAP_SYS_ADMIN in the caller and
 * in the opener, the same processes here; -1 if that is not known.
 */
static int frames_shown = -1;

static void report_failure(const char *who, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	pthread_mutex_lock(&shm->lock);
	__atomic_add_fetch(&shm->failures, 1, __ATOMIC_SEQ_CST);
	printf("# FAIL (%s): %s\n", who, msg);
	printf("# seed 0x%llx, worker %d (pid %d), operation %lu\n",
	       (unsigned long long)opt.seed, wk.id, getpid(), wk.log.n);
	printf("# rerun: aspace_fuzz --seed 0x%llx --procs %u --helper %d%s\n",
	       (unsigned long long)opt.seed, opt.procs, opt.helper,
	       opt.procs == 1 && !opt.helper ? "" :
	       " (timing-dependent with more than one process or thread)");
	fz_log_dump(stdout, "the main thread", &wk.log);
	if (opt.helper)
		fz_log_dump(stdout, "the helper thread", &wk.helper.log);
	fflush(stdout);
	pthread_mutex_unlock(&shm->lock);
}

static void __printf(1, 2) fail(const char *fmt, ...)
{
	va_list ap;

	if (wk.failed++)
		return;
	va_start(ap, fmt);
	report_failure("main thread", fmt, ap);
	va_end(ap);
}

static void __printf(1, 2)
helper_fail(const char *fmt, ...)
{
	va_list ap;

	if (wk.helper.failed++)
		return;
	va_start(ap, fmt);
	report_failure("helper thread", fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Values. */

static __u64 pick64(const __u64 *v, size_t n)
{
	return v[fz_below(&wk.rnd, n)];
}

#define PICK(arr) pick64(arr, sizeof(typeof(arr)) / sizeof(__u64))

static const __u64 boundary_addrs[] = {
	0, 1, PG - 1, PG, PG + 1, 0xf000, 0xffff, 0x10000, 0x10001, 0x11000,
	1ULL << 32, 1ULL << 46, TASK47 - PAGES(2), TASK47 - PG, TASK47 - 1,
	TASK47, TASK47 + PG, TASK56 - PAGES(2), TASK56 - PG, TASK56 - 1,
	TASK56, TASK56 + PG, (1ULL << 63) - PG, 1ULL << 63,
	0xffff800000000000ULL, KERNEL_PTR, ~0ULL - PAGES(2) + 1,
	~0ULL - PG + 1, ~0ULL,
};

/* An address: mostly in the hot area or near a VMA edge, else a bound. */
static __u64 gen_addr(int si)
{
	__u64 r = fz_below(&wk.rnd, 100), a;

	if (r < 35)
		return HOT + PAGES(fz_below(&wk.rnd, HOT_PAGES));
	if (r < 40)
		return HOT + fz_below(&wk.rnd, PAGES(HOT_PAGES));
	if (r < 52 && si >= 0 && wk.nedge[si]) {
		a = wk.edge[si][fz_below(&wk.rnd, wk.nedge[si])];
		switch (fz_below(&wk.rnd, 5)) {
		case 0:
			return a - PG;
		case 1:
			return a + PG;
		case 2:
			return a + 1;
		default:
			return a;
		}
	}
	if (r < 56)
		return DEF_HEAP - PAGES(8) + PAGES(fz_below(&wk.rnd, 72));
	if (r < 60)
		return DEF_BASE - PAGES(fz_below(&wk.rnd, 64));
	if (r < 64)
		return TASK47 - PG - PAGES(fz_below(&wk.rnd, 2048));
	if (r < 90) {
		a = PICK(boundary_addrs);
		if (fz_one_in(&wk.rnd, 4))
			a += fz_one_in(&wk.rnd, 2) ? PG : -PG;
		return a;
	}
	if (r < 95)
		return fz_rand(&wk.rnd) & (TASK47 - 1) & ~(PG - 1);
	return fz_rand(&wk.rnd);
}

static const __u64 boundary_lens[] = {
	1, PG - 1, PG, PG + 1, 2ULL << 20, (2ULL << 20) + PG, 1ULL << 30,
	1ULL << 46, TASK47 - PG, TASK47, TASK56 - PG, TASK56, 1ULL << 63,
	~0ULL - PAGES(2) + 1, ~0ULL - PG + 1, ~0ULL - PG + 2, ~0ULL,
};

static __u64 gen_len(__u64 addr)
{
	__u64 r = fz_below(&wk.rnd, 100);

	if (r < 40)
		return PAGES(1 + fz_below(&wk.rnd, 16));
	if (r < 50)
		return PAGES(1 + fz_below(&wk.rnd, HOT_PAGES));
	if (r < 56)
		return fz_below(&wk.rnd, PAGES(4));
	if (r < 60)
		return 0;
	if (r < 88)
		return PICK(boundary_lens);
	if (r < 94 && addr < TASK47 - PG)
		return TASK47 - PG - addr;
	return fz_rand(&wk.rnd);
}

static __u32 gen_prot(bool sane)
{
	static const __u64 bad[] = {
		0x8, 0x10, 0x01000000, 0x02000000, 0xffffffff, 0x80000000,
	};

	if (sane || fz_below(&wk.rnd, 100) < 80)
		return fz_below(&wk.rnd, 8);
	if (fz_one_in(&wk.rnd, 3))
		return 1u << fz_below(&wk.rnd, 32);
	return PICK(bad);
}

static __u32 gen_mmap_flags(bool sane)
{
	static const __u64 bad[] = {
		0, MAP_SHARED | MAP_PRIVATE, 0x03 /* SHARED_VALIDATE */,
		MAP_PRIVATE | 0x100 /* GROWSDOWN */,
		MAP_PRIVATE | 0x40000 /* HUGETLB */,
		MAP_PRIVATE | 0x2000 /* LOCKED */,
		MAP_SHARED | 0x4000 /* NORESERVE */, MAP_PRIVATE | 0x40,
		0xffffffff, MAP_ANONYMOUS,
	};
	__u32 f;

	if (!sane && fz_below(&wk.rnd, 100) < 20) {
		if (fz_one_in(&wk.rnd, 3))
			return MAP_PRIVATE | 1u << fz_below(&wk.rnd, 32);
		return PICK(bad);
	}
	f = fz_below(&wk.rnd, 4) ? MAP_PRIVATE : MAP_SHARED;
	switch (fz_below(&wk.rnd, 8)) {
	case 0: case 1: case 2:
		f |= MAP_FIXED;
		break;
	case 3:
		f |= MAP_FIXED_NOREPLACE;
		break;
	case 4:
		f |= MAP_FIXED | MAP_FIXED_NOREPLACE;
		break;
	}
	if (fz_one_in(&wk.rnd, 6))
		f |= MAP_POPULATE;
	if (fz_one_in(&wk.rnd, 2))
		f |= MAP_ANONYMOUS;
	return f;
}

static const __u64 good_advice[] = {
	MADV_DONTNEED, MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_DONTFORK,
	MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK,
};

static __u32 gen_advice(bool sane)
{
	static const __u64 bad[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_FREE, MADV_REMOVE, MADV_MERGEABLE, MADV_HUGEPAGE,
		MADV_COLD, MADV_PAGEOUT, 24, 100, 0x7fffffff, 0xffffffff,
	};

	if (sane || fz_below(&wk.rnd, 100) < 80)
		return PICK(good_advice);
	return PICK(bad);
}

static bool valid_advice(__u32 a)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(good_advice); i++)
		if (good_advice[i] == a)
			return true;
	return false;
}

/* Non-zero now and then (reserved fields, output fields on input). */
static __u64 maybe_junk(unsigned int one_in)
{
	return fz_one_in(&wk.rnd, one_in) ? fz_rand(&wk.rnd) | 1 : 0;
}

/* A flags word with bits that are not known (@known: the known ones). */
static __u32 bad_flags(__u32 known)
{
	static const __u64 bad[] = { 0x80000000, 0xffffffff, 0x100, 0x10 };
	__u32 f;

	do {
		f = fz_one_in(&wk.rnd, 2) ? 1u << fz_below(&wk.rnd, 32) :
		    fz_one_in(&wk.rnd, 2) ? (__u32)PICK(bad) :
		    (__u32)fz_rand(&wk.rnd);
	} while (!(f & ~known));
	return f;
}

/*
 * The range of an introspection call: mostly pages of the hot area, else
 * the whole 47-bit space, a cursor a dump or scan returned (as is, or
 * odd), the task sizes and beyond, or any address and length (wrapping,
 * reversed).
 */
static void gen_range(int si, bool sane, __u64 *start, __u64 *end)
{
	static const __u64 ends[] = {
		0, PG, HOT, TASK47 - PAGES(2), TASK47 - PG - 1, TASK47 - PG,
		TASK47 - PG + 1, TASK47, TASK56 - PG, TASK56 - PG + 1, TASK56,
		1ULL << 63, ~0ULL,
	};
	static const __u64 nudge[] = {
		0, 0, 1, PG - 1, PG, -PG, 0xfff, -1ULL,
	};
	__u64 r = fz_below(&wk.rnd, 100), t;

	if (sane || r < 45) {
		*start = HOT + PAGES(fz_below(&wk.rnd, HOT_PAGES));
		*end = *start + PAGES(1 + fz_below(&wk.rnd, HOT_PAGES / 4));
		if (!sane && fz_one_in(&wk.rnd, 4))
			*end -= 1 + fz_below(&wk.rnd, PG - 1);
	} else if (r < 55) {
		*start = 0;
		*end = TASK47 - PG;
	} else if (r < 65) {
		*start = wk.cursor + PICK(nudge);
		*end = fz_one_in(&wk.rnd, 2) ? PICK(ends) :
		       *start + PAGES(1 + fz_below(&wk.rnd, HOT_PAGES));
	} else if (r < 75) {
		*start = fz_one_in(&wk.rnd, 2) ? 0 : HOT;
		*end = PICK(ends);
	} else {
		*start = gen_addr(si);
		*end = *start + gen_len(*start);
	}
	if (!sane && fz_one_in(&wk.rnd, 16)) {
		t = *start;
		*start = *end;
		*end = t;
	}
}

/* Bytes the module may write at @vec: in rwbuf up to its guard page. */
static __u64 writable_at(__u64 vec)
{
	__u64 b = (uintptr_t)wk.rwbuf;

	return vec >= b && vec <= b + RWBUF_SIZE ? b + RWBUF_SIZE - vec : 0;
}

/*
 * The array of a PTDUMP or PAGESCAN, of @esize bytes an element: mostly
 * in rwbuf, aligned or not, with room for all of it, else running into
 * the guard page after rwbuf; NULL (with a count: EINVAL; without: only
 * walk_end), read-only, unmapped, kernel or non-canonical; counts from 0
 * to huge (past the user half, overflowing when multiplied).
 */
static void gen_vec(bool sane, size_t esize, __u64 *vec, __u64 *vec_len)
{
	static const __u64 huge[] = {
		1ULL << 20, 1ULL << 30, 1ULL << 40, 1ULL << 58, 1ULL << 59,
		1ULL << 60, ~0ULL / 24, ~0ULL / 32, ~0ULL / 24 + 1,
		~0ULL / 32 + 1, ~0ULL / 2, ~0ULL,
	};
	__u64 r = fz_below(&wk.rnd, sane ? 50 : 100), off, room;

	off = fz_below(&wk.rnd, RWBUF_SIZE / 2) & ~7ULL;
	if (r < 8)
		off |= 1 + fz_below(&wk.rnd, 7);
	room = (RWBUF_SIZE - off) / esize;
	*vec = (uintptr_t)wk.rwbuf + off;
	if (r < 20) {
		*vec_len = 1 + fz_below(&wk.rnd, 4);
	} else if (r < 35) {
		*vec_len = room;
	} else if (r < 50) {
		*vec_len = fz_below(&wk.rnd, room + 1);
	} else if (r < 58) {
		*vec_len = room + 1 + fz_below(&wk.rnd, 64);
	} else if (r < 63) {
		*vec_len = 0;
	} else if (r < 70) {
		*vec = 0;
		*vec_len = 0;
	} else if (r < 73) {
		*vec = 0;
		*vec_len = 1 + fz_below(&wk.rnd, 4);
	} else if (r < 78) {
		*vec = (uintptr_t)wk.ro + 8 * fz_below(&wk.rnd, 8);
		*vec_len = fz_below(&wk.rnd, 8);
	} else if (r < 83) {
		*vec = (uintptr_t)wk.none;
		*vec_len = fz_below(&wk.rnd, 8);
	} else if (r < 88) {
		*vec = fz_one_in(&wk.rnd, 2) ? KERNEL_PTR : NONCANON_PTR;
		*vec_len = fz_below(&wk.rnd, 8);
	} else {
		*vec_len = PICK(huge);
	}
}

/* Entry bits a dump keeps: mostly 0 (all) or flag bits, else a frame. */
static __u64 gen_pte_mask(bool sane)
{
	__u64 r = fz_below(&wk.rnd, sane ? 80 : 100);

	if (r < 50)
		return 0;
	if (r < 60)
		return ASPACE_PTE_RW | ASPACE_PTE_USER | ASPACE_PTE_NX;
	if (r < 70)
		return ASPACE_PTE_ACCESSED | ASPACE_PTE_DIRTY;
	if (r < 80)
		return fz_rand(&wk.rnd) & ~ASPACE_PTE_FRAME_MASK;
	if (r < 92)
		return 1ULL << (12 + fz_below(&wk.rnd, 40)) |
		       (fz_rand(&wk.rnd) & ~ASPACE_PTE_FRAME_MASK);
	return ~0ULL;
}

/* Page categories: none, one, any, all. */
static __u64 gen_cats(void)
{
	switch (fz_below(&wk.rnd, 4)) {
	case 0:
		return 0;
	case 1:
		return 1ULL << fz_below(&wk.rnd, 8);
	case 2:
		return fz_rand(&wk.rnd) & ASPACE_PAGE_CATEGORIES;
	default:
		return ASPACE_PAGE_CATEGORIES;
	}
}

/* ------------------------------------------------------------------ */
/* The ioctl table. */

union anyst {
	__u32 size;
	struct aspace_handshake hs;
	struct aspace_mmap mm;
	struct aspace_range rg;
	struct aspace_brk brk;
	struct aspace_clone cl;
	struct aspace_query q;
	struct aspace_layout lay;
	struct aspace_limits lim;
	struct aspace_stats st;
	struct aspace_access ac;
	struct aspace_madvise ma;
	struct aspace_translate tr;
	struct aspace_ptdump pd;
	struct aspace_pagescan ps;
	struct aspace_clear_refs cr;
	unsigned char raw[128];
};

enum ioc_id {
	I_HANDSHAKE, I_MMAP, I_MUNMAP, I_MPROTECT, I_BRK, I_CLONE, I_QUERY,
	I_GET_LAYOUT, I_SET_LAYOUT, I_GET_LIMITS, I_SET_LIMITS, I_STATS,
	I_ACCESS, I_MADVISE, I_TRANSLATE, I_PTDUMP, I_PAGESCAN, I_CLEAR_REFS,
	NIOC
};

struct ioc {
	const char *name;
	unsigned int cmd;
	unsigned int min_size;
	/* Fails without changing anything (else it may stop half way). */
	bool atomic;
	/* errnos the call itself may return (0-terminated) */
	int errs[6];
};

/* @min: the size of the first version of the struct (dev.c's table) */
#define IOC(id, c, min, at, ...)					\
	[id] = { #id + 2, c, min, at, { __VA_ARGS__, 0 } }

/* The first ioctl number the module does not use: all below are here. */
#define NR_FREE		0x12
static_assert(NIOC == NR_FREE, "an ioctl of the module is not fuzzed");

static const struct ioc iocs[NIOC] = {
	IOC(I_HANDSHAKE, ASPACE_IOC_HANDSHAKE, 24, true, EINVAL),
	IOC(I_MMAP, ASPACE_IOC_MMAP, 32, true, EINVAL, ENOMEM, EPERM, EEXIST),
	IOC(I_MUNMAP, ASPACE_IOC_MUNMAP, 24, true, EINVAL, ENOMEM),
	IOC(I_MPROTECT, ASPACE_IOC_MPROTECT, 24, false, EINVAL, ENOMEM),
	IOC(I_BRK, ASPACE_IOC_BRK, 16, true, EINVAL),
	IOC(I_CLONE, ASPACE_IOC_CLONE, 16, true, EINVAL, ENOMEM, EMFILE),
	IOC(I_QUERY, ASPACE_IOC_QUERY, 56, true, EINVAL, ENOENT),
	IOC(I_GET_LAYOUT, ASPACE_IOC_GET_LAYOUT, 56, true, EINVAL),
	IOC(I_SET_LAYOUT, ASPACE_IOC_SET_LAYOUT, 56, true, EINVAL, EBUSY,
	    ENOMEM),
	IOC(I_GET_LIMITS, ASPACE_IOC_GET_LIMITS, 40, true, EINVAL),
	IOC(I_SET_LIMITS, ASPACE_IOC_SET_LIMITS, 40, true, EINVAL, EPERM),
	IOC(I_STATS, ASPACE_IOC_STATS, 104, true, EINVAL),
	IOC(I_ACCESS, ASPACE_IOC_ACCESS, 56, false, EINVAL, EFAULT, ENOMEM),
	IOC(I_MADVISE, ASPACE_IOC_MADVISE, 24, false, EINVAL, ENOMEM, EAGAIN),
	IOC(I_TRANSLATE, ASPACE_IOC_TRANSLATE, 120, true, EINVAL),
	IOC(I_PTDUMP, ASPACE_IOC_PTDUMP, 104, true, EINVAL, EFAULT),
	IOC(I_PAGESCAN, ASPACE_IOC_PAGESCAN, 96, true, EINVAL, EFAULT),
	IOC(I_CLEAR_REFS, ASPACE_IOC_CLEAR_REFS, 24, true, EINVAL, EFAULT),
};

static unsigned int ksize_of(enum ioc_id id)
{
	return _IOC_SIZE(iocs[id].cmd);
}

static bool cmd_writes_back(enum ioc_id id)
{
	return _IOC_DIR(iocs[id].cmd) & _IOC_READ;
}

/* The calls that change the address space: EBADF on O_RDONLY. */
static bool needs_write(enum ioc_id id)
{
	switch (id) {
	case I_MMAP:
	case I_MUNMAP:
	case I_MPROTECT:
	case I_BRK:
	case I_CLONE:
	case I_SET_LAYOUT:
	case I_SET_LIMITS:
	case I_MADVISE:
	case I_CLEAR_REFS:
		return true;
	default:
		return false;
	}
}

/* TRANSLATE, PTDUMP, PAGESCAN and CLEAR_REFS. */
static bool is_intro(enum ioc_id id)
{
	return id >= I_TRANSLATE;
}

static bool err_allowed(enum ioc_id id, int err)
{
	const int *e;

	for (e = iocs[id].errs; *e; e++)
		if (*e == err)
			return true;
	return false;
}

/* Field values of each struct; @sane: values that mostly work. */
static void fill(enum ioc_id id, int si, bool sane, union anyst *u)
{
	static const __u64 versions[] = { 1, 1, 1, 0, 2, 0xffffffff };
	static const __u64 cflags[] = { 4, 8, 0x80000000, 0xffffffff };
	static const __u64 qflags[] = { 2, 3, 0x80000000, 0xffffffff };
	static const __u64 min_addrs[] = {
		0, 0x10000, PG, 0x20000, 0x10001, TASK47, 1ULL << 46,
	};
	static const __u64 bases[] = {
		0, DEF_BASE, 1ULL << 40, 0x12345, TASK47, TASK47 - PG,
		TASK56 - PG, 0x20000,
	};
	static const __u64 heaps[] = {
		0, DEF_HEAP, 1ULL << 32, 0x10000, TASK47 - PG, 0x1001, TASK56,
	};
	static const __u64 stacks[] = {
		0, PG, 128 << 10, 8 << 20, TASK47, ~0ULL & ~(PG - 1), 1000,
	};
	static const __u64 gaps[] = {
		0, PG, 1 << 20, TASK47 + PG, ~0ULL & ~(PG - 1), 0x800,
	};
	static const __u64 maps[] = {
		0, 1, 16, 64, MAPS_CAP, 0x7fffffff, 0x80000000ULL, ~0ULL,
	};
	static const __u64 bytes[] = {
		0, PG, 1 << 20, AS_CAP, RES_CAP, ASPACE_LIMIT_INFINITY,
		0x12345,
	};
	static const __u64 acc_lens[] = {
		0, 1, 8, PG - 1, PG, PG + 1, PAGES(3) + 5, RWBUF_SIZE,
		RWBUF_SIZE + 1,
	};
	__u64 r;

	memset(u, 0, sizeof(*u));
	switch (id) {
	case I_HANDSHAKE:
		u->hs.api_version = sane ? 1 : PICK(versions);
		u->hs.features = maybe_junk(2);
		u->hs.reserved = sane ? 0 : maybe_junk(8);
		break;
	case I_MMAP:
		u->mm.prot = gen_prot(sane);
		u->mm.flags = gen_mmap_flags(sane);
		u->mm.reserved = sane ? 0 : maybe_junk(16);
		u->mm.addr = sane ? HOT + PAGES(fz_below(&wk.rnd, HOT_PAGES)) :
				    gen_addr(si);
		u->mm.length = sane ? PAGES(1 + fz_below(&wk.rnd, 16)) :
				      gen_len(u->mm.addr);
		break;
	case I_MUNMAP:
	case I_MPROTECT:
		u->rg.prot = id == I_MPROTECT ? gen_prot(sane) :
			     sane ? 0 : maybe_junk(16);
		u->rg.addr = sane ? HOT + PAGES(fz_below(&wk.rnd, HOT_PAGES)) :
				    gen_addr(si);
		u->rg.length = sane ? PAGES(1 + fz_below(&wk.rnd, 16)) :
				      gen_len(u->rg.addr);
		break;
	case I_BRK:
		u->brk.reserved = sane ? 0 : maybe_junk(16);
		r = fz_below(&wk.rnd, 10);
		u->brk.brk = r < 6 ? DEF_HEAP + fz_below(&wk.rnd, PAGES(64)) :
			     r < 7 ? 0 : gen_addr(si);
		break;
	case I_CLONE:
		u->cl.flags = sane || fz_below(&wk.rnd, 100) < 85 ?
			      fz_below(&wk.rnd, 4) : PICK(cflags);
		u->cl.fd = fz_rand(&wk.rnd);
		u->cl.reserved = sane ? 0 : maybe_junk(16);
		break;
	case I_QUERY:
		u->q.query_flags = sane || fz_below(&wk.rnd, 100) < 85 ?
				   fz_below(&wk.rnd, 2) : PICK(qflags);
		u->q.query_addr = gen_addr(si);
		u->q.vma_start = maybe_junk(2);
		u->q.vma_end = maybe_junk(2);
		u->q.vma_flags = maybe_junk(2);
		u->q.vma_id = maybe_junk(2);
		break;
	case I_GET_LAYOUT:
		u->lay.flags = maybe_junk(2);
		u->lay.mmap_base = maybe_junk(2);
		u->lay.task_size = maybe_junk(2);
		break;
	case I_SET_LAYOUT:
		u->lay.flags = fz_below(&wk.rnd, 100) < 85 ?
			       fz_below(&wk.rnd, 8) :
			       1u << fz_below(&wk.rnd, 32);
		u->lay.mmap_min_addr = PICK(min_addrs);
		u->lay.mmap_base = fz_below(&wk.rnd, 2) ? 0 : PICK(bases);
		u->lay.heap_start = fz_below(&wk.rnd, 2) ? 0 : PICK(heaps);
		u->lay.stack_size = fz_below(&wk.rnd, 2) ? 0 : PICK(stacks);
		u->lay.stack_guard_gap = fz_below(&wk.rnd, 2) ? 0 : PICK(gaps);
		u->lay.task_size = maybe_junk(2);
		break;
	case I_GET_LIMITS:
	case I_STATS:
		u->lim.reserved = sane ? 0 : maybe_junk(16);
		u->lim.max_map_count = maybe_junk(2);
		u->lim.stack_bytes = maybe_junk(2);
		break;
	case I_SET_LIMITS:
		u->lim.reserved = sane ? 0 : maybe_junk(16);
		u->lim.max_map_count = PICK(maps);
		u->lim.as_bytes = PICK(bytes);
		u->lim.data_bytes = PICK(bytes);
		u->lim.resident_bytes = PICK(bytes);
		u->lim.stack_bytes = fz_below(&wk.rnd, 2) ? 0 : PICK(bytes);
		/* Never past the caps (see the top of the file). */
		if (u->lim.max_map_count && u->lim.max_map_count <= 0x7fffffff &&
		    u->lim.max_map_count > MAPS_CAP)
			u->lim.max_map_count = MAPS_CAP;
		if (u->lim.as_bytes > AS_CAP)
			u->lim.as_bytes = AS_CAP;
		if (u->lim.resident_bytes > RES_CAP)
			u->lim.resident_bytes = RES_CAP;
		if (u->lim.stack_bytes > STACK_CAP)
			u->lim.stack_bytes = STACK_CAP;
		break;
	case I_ACCESS:
		u->ac.kind = sane || fz_below(&wk.rnd, 100) < 90 ?
			     fz_below(&wk.rnd, 3) :
			     fz_one_in(&wk.rnd, 2) ? 3 : fz_rand(&wk.rnd);
		u->ac.addr = sane ? HOT + fz_below(&wk.rnd, PAGES(HOT_PAGES)) :
				    gen_addr(si);
		u->ac.length = sane || fz_below(&wk.rnd, 100) < 70 ?
			       PICK(acc_lens) : gen_len(u->ac.addr);
		/* the buffer: 0 (touch only) or one of the worker's */
		r = fz_below(&wk.rnd, 100);
		if (r < 25)
			u->ac.buf = 0;
		else if (r < 85 || sane)
			u->ac.buf = (uintptr_t)wk.rwbuf +
				    (u->ac.length < RWBUF_SIZE ?
				     fz_below(&wk.rnd, RWBUF_SIZE -
					      u->ac.length + 1) : 0);
		else if (r < 90)
			u->ac.buf = (uintptr_t)wk.ro;
		else if (r < 95)
			u->ac.buf = (uintptr_t)wk.none;
		else
			u->ac.buf = fz_one_in(&wk.rnd, 2) ? KERNEL_PTR :
				    NONCANON_PTR;
		if (!sane && fz_one_in(&wk.rnd, 12)) {
			switch (fz_below(&wk.rnd, 4)) {
			case 0:
				u->ac.done = fz_rand(&wk.rnd) | 1;
				break;
			case 1:
				u->ac.fault_addr = fz_rand(&wk.rnd) | 1;
				break;
			case 2:
				u->ac.signo = SIGSEGV;
				break;
			default:
				u->ac.si_code = -1;
				break;
			}
		}
		break;
	case I_MADVISE:
		u->ma.advice = gen_advice(sane);
		u->ma.addr = sane ? HOT + PAGES(fz_below(&wk.rnd, HOT_PAGES)) :
				    gen_addr(si);
		u->ma.length = sane ? PAGES(1 + fz_below(&wk.rnd, 16)) :
				      gen_len(u->ma.addr);
		break;
	case I_TRANSLATE:
		u->tr.flags = sane || fz_below(&wk.rnd, 100) < 90 ? 0 :
			      bad_flags(0);
		u->tr.addr = sane || fz_below(&wk.rnd, 100) < 40 ?
			     HOT + fz_below(&wk.rnd, PAGES(HOT_PAGES)) :
			     gen_addr(si);
		u->tr.reserved = sane ? 0 : maybe_junk(16);
		/* output fields on input: ignored, and all written */
		if (fz_one_in(&wk.rnd, 3)) {
			for (r = 0; r < 5; r++) {
				u->tr.entries[r] = fz_rand(&wk.rnd);
				u->tr.tables[r] = fz_rand(&wk.rnd);
			}
			u->tr.phys = fz_rand(&wk.rnd);
			u->tr.levels = fz_rand(&wk.rnd);
			u->tr.level = fz_rand(&wk.rnd);
			u->tr.status = fz_rand(&wk.rnd);
		}
		break;
	case I_PTDUMP:
		u->pd.flags = sane || fz_below(&wk.rnd, 100) < 90 ?
			      fz_below(&wk.rnd, 2) :
			      bad_flags(ASPACE_PTDUMP_HOLES);
		gen_range(si, sane, &u->pd.start, &u->pd.end);
		u->pd.mask = gen_pte_mask(sane);
		gen_vec(sane, sizeof(struct aspace_ptdump_entry), &u->pd.vec,
			&u->pd.vec_len);
		if (fz_one_in(&wk.rnd, 3)) {
			u->pd.nr_entries = fz_rand(&wk.rnd);
			u->pd.walk_end = fz_rand(&wk.rnd);
			for (r = 0; r < 5; r++)
				u->pd.pgtable_pages[r] = fz_rand(&wk.rnd);
		}
		break;
	case I_PAGESCAN:
		u->ps.flags = sane || fz_below(&wk.rnd, 100) < 90 ? 0 :
			      bad_flags(0);
		gen_range(si, sane, &u->ps.start, &u->ps.end);
		r = fz_below(&wk.rnd, 100);
		u->ps.max_pages = r < 40 ? 0 : r < 70 ?
				  1 + fz_below(&wk.rnd, 8) : r < 90 ?
				  1 + fz_below(&wk.rnd, HOT_PAGES) :
				  fz_one_in(&wk.rnd, 2) ? ~0ULL : 1ULL << 40;
		u->ps.category_inverted = fz_below(&wk.rnd, 3) ? 0 : gen_cats();
		u->ps.category_mask = fz_below(&wk.rnd, 3) ? 0 : gen_cats();
		u->ps.category_anyof_mask = fz_below(&wk.rnd, 3) ? 0 :
					    gen_cats();
		u->ps.return_mask = fz_below(&wk.rnd, 2) ?
				    ASPACE_PAGE_CATEGORIES : gen_cats();
		if (!sane && fz_one_in(&wk.rnd, 10)) {
			__u64 bad = fz_one_in(&wk.rnd, 2) ? ~0ULL :
				    1ULL << (8 + fz_below(&wk.rnd, 56));

			switch (fz_below(&wk.rnd, 4)) {
			case 0:
				u->ps.category_inverted |= bad;
				break;
			case 1:
				u->ps.category_mask |= bad;
				break;
			case 2:
				u->ps.category_anyof_mask |= bad;
				break;
			default:
				u->ps.return_mask |= bad;
				break;
			}
		}
		gen_vec(sane, sizeof(struct aspace_page_region), &u->ps.vec,
			&u->ps.vec_len);
		if (fz_one_in(&wk.rnd, 3)) {
			u->ps.walk_end = fz_rand(&wk.rnd);
			u->ps.nr_regions = fz_rand(&wk.rnd);
		}
		break;
	case I_CLEAR_REFS:
		u->cr.flags = sane || fz_below(&wk.rnd, 100) < 85 ?
			      1 + fz_below(&wk.rnd, 3) :
			      fz_one_in(&wk.rnd, 3) ? 0 :
			      bad_flags(ASPACE_CLEAR_ACCESSED |
					ASPACE_CLEAR_DIRTY);
		gen_range(si, sane, &u->cr.start, &u->cr.end);
		break;
	default:
		break;
	}
}

#define ANY	1	/* a verdict: the rules allow more than one result */

static bool add_ovf(__u64 a, __u64 b)
{
	return a + b < a;
}

/* PAGE_ALIGN(len) overflows (to 0 for a non-zero length)? */
static bool align_ovf(__u64 len)
{
	return len > ~0ULL - (PG - 1);
}

/*
 * The result the call must give for the struct the module sees (@k: the
 * struct cut to the size given and zero-extended), when its rules leave
 * no choice: 0 or -errno; ANY if several results are possible.
 */
static int handler_verdict(enum ioc_id id, const union anyst *k)
{
	__u64 end;

	switch (id) {
	case I_HANDSHAKE:
		return k->hs.reserved || k->hs.api_version != 1 ? -EINVAL : 0;
	case I_MMAP:
		if (k->mm.reserved || !k->mm.length ||
		    k->mm.prot & ~7u ||
		    k->mm.flags & ~(MAP_SHARED | MAP_PRIVATE | MAP_FIXED |
				    MAP_ANONYMOUS | MAP_POPULATE |
				    MAP_FIXED_NOREPLACE) ||
		    (k->mm.flags & 3) == 0 || (k->mm.flags & 3) == 3)
			return -EINVAL;
		return ANY;
	case I_MUNMAP:
		if (k->rg.prot || k->rg.addr & (PG - 1) || !k->rg.length)
			return -EINVAL;
		return ANY;
	case I_MPROTECT:
		if (k->rg.addr & (PG - 1))
			return -EINVAL;
		if (!k->rg.length)
			return 0;
		if (align_ovf(k->rg.length) ||
		    add_ovf(k->rg.addr, (k->rg.length + PG - 1) & ~(PG - 1)))
			return -ENOMEM;
		if (k->rg.prot & ~7u)
			return -EINVAL;
		return ANY;
	case I_BRK:
		return k->brk.reserved ? -EINVAL : 0;
	case I_CLONE:
		if (k->cl.reserved || k->cl.flags & ~3u)
			return -EINVAL;
		return ANY;
	case I_QUERY:
		return k->q.query_flags & ~1u ? -EINVAL : ANY;
	case I_GET_LAYOUT:
		return 0;
	case I_SET_LAYOUT:
		if (k->lay.flags & ~7u ||
		    (k->lay.mmap_min_addr | k->lay.mmap_base |
		     k->lay.heap_start | k->lay.stack_size |
		     k->lay.stack_guard_gap) & (PG - 1))
			return -EINVAL;
		return ANY;
	case I_GET_LIMITS:
	case I_STATS:
		return k->lim.reserved ? -EINVAL : 0;
	case I_SET_LIMITS:
		if (k->lim.reserved || !k->lim.max_map_count ||
		    k->lim.max_map_count > 0x7fffffff)
			return -EINVAL;
		return ANY;
	case I_ACCESS:
		if (k->ac.done || k->ac.fault_addr || k->ac.signo ||
		    k->ac.si_code || k->ac.kind > 2 ||
		    add_ovf(k->ac.addr, k->ac.length))
			return -EINVAL;
		if (k->ac.buf && add_ovf(k->ac.buf, k->ac.length))
			return -EFAULT;
		return ANY;
	case I_MADVISE:
		if (!valid_advice(k->ma.advice) || k->ma.addr & (PG - 1))
			return -EINVAL;
		if (k->ma.length && (align_ovf(k->ma.length) ||
				     add_ovf(k->ma.addr, (k->ma.length + PG - 1) &
					     ~(PG - 1))))
			return -EINVAL;
		end = k->ma.addr + ((k->ma.length + PG - 1) & ~(PG - 1));
		return end == k->ma.addr ? 0 : ANY;
	default:
		return ANY;
	}
}

/*
 * The introspection ioctls check their arguments in an order the
 * reference does not give, so where several rules are broken any of
 * their errnos may come: these are sets of results.
 */
#define RS_OK		0x1u
#define RS_EINVAL	0x2u
#define RS_EFAULT	0x4u

static unsigned int rs_of(int err)
{
	return !err ? RS_OK : err == EINVAL ? RS_EINVAL :
	       err == EFAULT ? RS_EFAULT : 0;
}

/*
 * access_ok() of an array of @n elements of @esize bytes at @vec: 1 if
 * it fails, 0 if it passes, -1 if that depends on the guest's paging
 * (the user half ends at 2^47 or 2^56) or kernel version.
 */
static int vec_bad(__u64 vec, __u64 n, size_t esize)
{
	__u64 bytes, end;

	if (__builtin_mul_overflow(n, (__u64)esize, &bytes) ||
	    __builtin_add_overflow(vec, bytes, &end) || end >= 1ULL << 63)
		return 1;
	return end > TASK47 - PAGES(2) ? -1 : 0;
}

/*
 * What TRANSLATE, PTDUMP, PAGESCAN or CLEAR_REFS may give for the struct
 * the module sees, the task size being in [@ts_lo, @ts_hi]: EINVAL for a
 * broken rule of flags, masks, alignment or a NULL array with a count;
 * EFAULT for a range past the task size or reversed, or an array that is
 * not user memory; else success, or EFAULT if the array is too small for
 * what the walk may find (writing it faults).
 */
static unsigned int intro_results(enum ioc_id id, const union anyst *k,
				  __u64 ts_lo, __u64 ts_hi)
{
	bool inval = false, fault, arg_maybe = false, copy_maybe = false;
	__u64 start, end, vec = 0, n = 0;
	size_t esize = 0;
	int b;

	switch (id) {
	case I_TRANSLATE:
		if (k->tr.flags || k->tr.reserved || k->tr.addr >= ts_hi)
			return RS_EINVAL;
		return k->tr.addr >= ts_lo ? RS_OK | RS_EINVAL : RS_OK;
	case I_PTDUMP:
		inval = k->pd.flags & ~ASPACE_PTDUMP_HOLES ||
			k->pd.mask & ASPACE_PTE_FRAME_MASK;
		start = k->pd.start;
		end = k->pd.end;
		vec = k->pd.vec;
		n = k->pd.vec_len;
		esize = sizeof(struct aspace_ptdump_entry);
		break;
	case I_PAGESCAN:
		inval = k->ps.flags ||
			(k->ps.category_inverted | k->ps.category_mask |
			 k->ps.category_anyof_mask | k->ps.return_mask) &
			~ASPACE_PAGE_CATEGORIES;
		start = k->ps.start;
		end = k->ps.end;
		vec = k->ps.vec;
		n = k->ps.vec_len;
		esize = sizeof(struct aspace_page_region);
		break;
	default:
		inval = !k->cr.flags ||
			k->cr.flags & ~(ASPACE_CLEAR_ACCESSED |
					ASPACE_CLEAR_DIRTY);
		start = k->cr.start;
		end = k->cr.end;
		break;
	}
	inval |= start & (PG - 1);
	fault = start > end || end > ts_hi;
	arg_maybe = !fault && end > ts_lo;
	if (esize) {
		inval |= !vec && n;
		b = vec_bad(vec, n, esize);
		fault |= b == 1;
		arg_maybe |= b < 0;
		copy_maybe = b != 1 && n > writable_at(vec) / esize;
	}
	if (inval || fault)
		return (inval ? RS_EINVAL : 0) |
		       (fault || arg_maybe ? RS_EFAULT : 0);
	return RS_OK | (arg_maybe || copy_maybe ? RS_EFAULT : 0);
}

/* ------------------------------------------------------------------ */
/* Snapshots: what a failed call must leave as it was. */

#define SNAP_REGIONS	256

/*
 * The pages' bits a scan shows, in every VMA: what is mapped, the zero
 * page, shared memory, Accessed and Dirty; not whether a page is
 * exclusive or shared copy-on-write (a clone elsewhere may let it go).
 */
#define SNAP_CATS	(ASPACE_PAGE_PRESENT | ASPACE_PAGE_ZERO |		\
			 ASPACE_PAGE_DIRTY | ASPACE_PAGE_ACCESSED |		\
			 ASPACE_PAGE_SHM)

struct snap {
	struct fz_list *l;
	struct aspace_stats st;
	struct aspace_layout lay;
	struct aspace_limits lim;
	__u64 brk;
	/* the first SNAP_REGIONS regions of a scan of SNAP_CATS */
	struct aspace_page_region *pages;
	__u64 npages;
	__u64 pages_end;
};

static struct aspace_page_region snap_pages[2][SNAP_REGIONS];

static int snap_take(int fd, struct snap *s, struct fz_list *l,
		     struct aspace_page_region *pages)
{
	struct aspace_pagescan ps = { .size = sizeof(ps) };
	int ret;

	s->l = l;
	ret = fz_list_vmas(fd, l);
	if (!ret)
		ret = fz_stats(fd, &s->st);
	if (!ret)
		ret = fz_get_layout(fd, &s->lay);
	if (!ret)
		ret = fz_get_limits(fd, &s->lim);
	/* BRK, even a query, needs a descriptor open for writing. */
	s->brk = 0;
	if (!ret && (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY)
		ret = fz_brk(fd, 0, &s->brk);
	/* Pages a clone elsewhere lets go of change this one. */
	s->st.shared_pages = 0;
	s->pages = pages;
	if (!ret) {
		ps.end = s->lay.task_size;
		ps.vec = (uintptr_t)pages;
		ps.vec_len = SNAP_REGIONS;
		ps.return_mask = SNAP_CATS;
		ret = ioctl(fd, ASPACE_IOC_PAGESCAN, &ps) ? -errno : 0;
		s->npages = ps.nr_regions;
		s->pages_end = ps.walk_end;
	}
	return ret;
}

/* NULL if the same, else what differs (@pages: the pages' bits too). */
static const char *snap_diff(const struct snap *a, const struct snap *b,
			     bool pages)
{
	if (a->l->n != b->l->n ||
	    memcmp(a->l->v, b->l->v, a->l->n * sizeof(a->l->v[0])))
		return "the VMAs";
	if (memcmp(&a->st, &b->st, sizeof(a->st)))
		return "the stats";
	if (memcmp(&a->lay, &b->lay, sizeof(a->lay)))
		return "the layout";
	if (memcmp(&a->lim, &b->lim, sizeof(a->lim)))
		return "the limits";
	if (a->brk != b->brk)
		return "the break";
	if (pages && (a->npages != b->npages || a->pages_end != b->pages_end ||
		      memcmp(a->pages, b->pages,
			     a->npages * sizeof(a->pages[0]))))
		return "the pages (present, zero, shared, Accessed or Dirty)";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Descriptors. */

static int set_caps(int fd)
{
	struct aspace_limits lim;
	int ret;

	ret = fz_get_limits(fd, &lim);
	if (ret)
		return ret;
	lim.max_map_count = MAPS_CAP;
	lim.as_bytes = AS_CAP;
	lim.resident_bytes = RES_CAP;
	if (lim.stack_bytes > STACK_CAP)
		lim.stack_bytes = STACK_CAP;
	return fz_set_limits(fd, &lim);
}

/*
 * Open only for reading: nothing can change its address space (it can
 * be neither written nor cloned, and each open is a new, empty one).
 */
static bool fd_read_only(int fd)
{
	return (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY;
}

/* A new descriptor (@acc: O_RDWR, O_RDONLY or O_WRONLY), limits capped. */
static int open_capped(int acc)
{
	int fd, ret;

	fd = open(DEV_PATH, acc | (fz_one_in(&wk.rnd, 2) ? O_CLOEXEC : 0));
	if (fd < 0)
		return -errno;
	/* Read-only: no limits to set, and nothing can be mapped. */
	if (acc == O_RDONLY)
		return fd;
	ret = set_caps(fd);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static void slot_close(int si)
{
	if (wk.slot[si].fd < 0)
		return;
	fz_log(&wk.log, "close slot %d fd %d", si, wk.slot[si].fd);
	if (close(wk.slot[si].fd))
		fail("close(%d): %s", wk.slot[si].fd, strerror(errno));
	wk.calls[K_CLOSE]++;
	wk.slot[si].fd = -1;
	wk.nedge[si] = 0;
}

static void slot_put(int si, int fd, bool excl)
{
	slot_close(si);
	wk.slot[si].fd = fd;
	wk.slot[si].excl = excl;
	wk.nedge[si] = 0;
}

/* A fresh address space in slot @si, maybe with a layout. */
static void op_open(int si)
{
	static const int modes[] = {
		O_RDWR, O_RDWR, O_RDWR, O_RDWR, O_RDWR, O_RDWR, O_RDONLY,
		O_WRONLY,
	};
	int acc = modes[fz_below(&wk.rnd, ARRAY_LEN(modes))], fd, ret;
	struct aspace_layout lay;

	fd = open_capped(acc);
	wk.calls[K_OPEN]++;
	fz_log(&wk.log, "open (mode %d) into slot %d -> %d", acc, si, fd);
	if (fd < 0) {
		fail("open %s: %s", DEV_PATH, strerror(-fd));
		return;
	}
	if (acc != O_RDONLY && fz_one_in(&wk.rnd, 3)) {
		memset(&lay, 0, sizeof(lay));
		lay.size = sizeof(lay);
		lay.flags = fz_below(&wk.rnd, 8);
		lay.mmap_min_addr = fz_one_in(&wk.rnd, 4) ? PG : 0x10000;
		ret = ioctl(fd, ASPACE_IOC_SET_LAYOUT, &lay) ? -errno : 0;
		fz_log_more(&wk.log, ", layout %#x -> %d", lay.flags, ret);
		if (ret)
			fail("SET_LAYOUT %#x on a new descriptor: %s",
			     lay.flags, strerror(-ret));
	}
	slot_put(si, fd, true);
}

/* A slot with a descriptor (opening one if all are empty). */
static int pick_slot(void)
{
	int i, si = fz_below(&wk.rnd, NSLOT);

	for (i = 0; i < NSLOT; i++, si = (si + 1) % NSLOT)
		if (wk.slot[si].fd >= 0)
			return si;
	op_open(si);
	return si;
}

/* Forget what a descriptor number is doing (it is shared from now). */
static void mark_shared(int fd)
{
	int i;

	for (i = 0; i < NSLOT; i++)
		if (wk.slot[i].fd == fd)
			wk.slot[i].excl = false;
}

/* ------------------------------------------------------------------ */
/* Checks of one descriptor. */

static void check_walks(int fd, const struct fz_list *l,
			const struct aspace_stats *st,
			const struct aspace_layout *lay);

/* The listing and the stats of @fd; strict if nobody else can change it. */
static void check_fd(int fd, bool excl, int si)
{
	struct aspace_layout lay;
	struct aspace_stats st;
	char why[256];
	unsigned int i;
	bool la57;
	int ret;

	wk.calls[K_CHECK]++;
	ret = fz_list_vmas(fd, &list_a);
	if (ret == -E2BIG && !excl)
		return;
	if (ret) {
		fail("listing the VMAs of fd %d: %s", fd, strerror(-ret));
		return;
	}
	ret = fz_stats(fd, &st);
	if (!ret)
		ret = fz_get_layout(fd, &lay);
	if (ret) {
		fail("STATS or GET_LAYOUT of fd %d: %s", fd, strerror(-ret));
		return;
	}
	la57 = lay.flags & ASPACE_LAYOUT_LA57;
	if (lay.task_size != (la57 ? TASK56 : TASK47) - PG ||
	    lay.flags & ~7u || lay.mmap_min_addr & (PG - 1)) {
		fail("fd %d: layout flags %#x task size %llx min %llx", fd,
		     lay.flags, (unsigned long long)lay.task_size,
		     (unsigned long long)lay.mmap_min_addr);
		return;
	}
	for (i = 0; i < list_a.n; i++) {
		if (!fz_vma_plausible(&list_a.v[i], lay.task_size, why,
				      sizeof(why))) {
			fail("fd %d: %s", fd, why);
			return;
		}
	}
	if (!fz_stats_plausible(&st, la57, lay.task_size, why, sizeof(why))) {
		fail("fd %d: %s", fd, why);
		return;
	}
	if (si >= 0) {
		wk.nedge[si] = 0;
		for (i = 0; i < list_a.n && wk.nedge[si] < 62; i++) {
			wk.edge[si][wk.nedge[si]++] = list_a.v[i].start;
			wk.edge[si][wk.nedge[si]++] = list_a.v[i].end;
		}
	}
	if (!excl)
		return;
	if (!fz_list_matches_stats(&list_a, &st, why, sizeof(why))) {
		fail("fd %d: %s", fd, why);
		return;
	}
	for (i = 0; i < list_a.n; i++) {
		if (list_a.v[i].start < lay.mmap_min_addr) {
			fail("fd %d: VMA %llx-%llx below mmap_min_addr %llx",
			     fd, (unsigned long long)list_a.v[i].start,
			     (unsigned long long)list_a.v[i].end,
			     (unsigned long long)lay.mmap_min_addr);
			return;
		}
	}
	/* The page tables and pages by PTDUMP and PAGESCAN, now and then. */
	if (fz_one_in(&wk.rnd, 4))
		check_walks(fd, &list_a, &st, &lay);
	/* Keep the address space small: unmap everything now and then. */
	if (!fd_read_only(fd) &&
	    (st.nr_vmas > 200 || fz_one_in(&wk.rnd, 16))) {
		struct aspace_range r = {
			.size = sizeof(r), .addr = 0, .length = lay.task_size,
		};

		if (ioctl(fd, ASPACE_IOC_MUNMAP, &r))
			fail("MUNMAP of everything on fd %d: %s", fd,
			     strerror(errno));
	}
}

/* ------------------------------------------------------------------ */
/* The ioctl fuzzer. */

enum ptr_kind {
	PK_GOOD, PK_MISALIGNED, PK_STRADDLE, PK_RO, PK_FLAP, PK_NULL, PK_NONE,
	PK_KERNEL, PK_NONCANON, NPK
};

static const char * const ptr_names[NPK] = {
	"good", "misaligned", "straddling", "read-only", "flapping", "NULL",
	"unmapped", "kernel", "non-canonical",
};

/* ------------------------------------------------------------------ */
/* What the VMA listing says an access or a transfer does. */

enum reach_how { R_LOAD, R_STORE, R_FETCH, R_PREAD, R_PWRITE };

/* The VMA of a sorted listing that contains @a, or NULL. */
static const struct fz_vma *vma_at(const struct fz_list *l, __u64 a)
{
	unsigned int lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (a < l->v[mid].start)
			hi = mid;
		else if (a >= l->v[mid].end)
			lo = mid + 1;
		else
			return &l->v[mid];
	}
	return NULL;
}

/*
 * How far from @addr (at most @len bytes) the VMAs let @how go, and why
 * it stops there (@code: SEGV_MAPERR, SEGV_ACCERR, or 0 if it does not):
 * x86_64 without protection keys for accesses (a store needs PROT_WRITE,
 * a fetch PROT_EXEC, a load any of the three), /proc/PID/mem for
 * transfers (pread reads any mapped byte; pwrite writes private memory
 * whatever its protection, shared memory only with PROT_WRITE).
 */
static __u64 reach(const struct fz_list *l, __u64 task_size,
		   enum reach_how how, __u64 addr, __u64 len, int *code)
{
	const __u64 rwx = ASPACE_VMA_READ | ASPACE_VMA_WRITE | ASPACE_VMA_EXEC;
	__u64 pos = addr, end = addr + len, f;
	const struct fz_vma *v;
	bool ok;

	*code = 0;
	while (pos < end) {
		v = pos < task_size ? vma_at(l, pos) : NULL;
		if (!v) {
			*code = SEGV_MAPERR;
			break;
		}
		f = v->flags;
		ok = how == R_LOAD ? f & rwx :
		     how == R_STORE ? f & ASPACE_VMA_WRITE :
		     how == R_FETCH ? f & ASPACE_VMA_EXEC :
		     how == R_PREAD ? true :
		     !(f & ASPACE_VMA_SHARED) || f & ASPACE_VMA_WRITE;
		if (!ok) {
			*code = SEGV_ACCERR;
			break;
		}
		pos = v->end < end ? v->end : end;
	}
	return pos - addr;
}

/* No stack in the listing: it could grow under an access. */
static bool no_stack(const struct fz_list *l)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].flags & ASPACE_VMA_STACK)
			return false;
	return true;
}

/* The listing and task size of a private descriptor, for reach(). */
static bool model_take(int fd, struct fz_list *l, __u64 *task_size)
{
	struct aspace_layout lay;

	if (fz_list_vmas(fd, l) || fz_get_layout(fd, &lay))
		return false;
	*task_size = lay.task_size;
	return true;
}

/* A page less than the resident limit: a transfer may stop for it. */
static bool near_resident_limit(int fd)
{
	struct aspace_limits lim;
	struct aspace_stats st;

	if (fz_stats(fd, &st) || fz_get_limits(fd, &lim))
		return true;
	return st.resident_pages * PG + PAGES(2) > lim.resident_bytes;
}

/* Check the result of a successful call against what it returned. */
static void check_output(enum ioc_id id, int fd, bool excl,
			 const union anyst *in, const union anyst *out,
			 unsigned int usize)
{
	unsigned int ksize = ksize_of(id);
	struct aspace_query q;
	__u64 len, last;
	int ret;

	if (cmd_writes_back(id) && out->size != ksize) {
		fail("%s: size written back %u, not %u", iocs[id].name,
		     out->size, ksize);
		return;
	}
	switch (id) {
	case I_HANDSHAKE:
		if (out->hs.api_version != ASPACE_API_VERSION ||
		    !(out->hs.features & ASPACE_FEATURE_MMAP))
			fail("HANDSHAKE: version %u features %llx",
			     out->hs.api_version,
			     (unsigned long long)out->hs.features);
		break;
	case I_MMAP:
		len = (in->mm.length + PG - 1) & ~(PG - 1);
		if (out->mm.addr & (PG - 1) || out->mm.addr + len > TASK56 ||
		    out->mm.addr + len < out->mm.addr ||
		    (in->mm.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) &&
		     out->mm.addr != in->mm.addr)) {
			fail("MMAP %llx+%llx flags %#x: mapped at %llx",
			     (unsigned long long)in->mm.addr,
			     (unsigned long long)in->mm.length, in->mm.flags,
			     (unsigned long long)out->mm.addr);
			break;
		}
		if (!excl)
			break;
		ret = fz_query(fd, out->mm.addr, 0, &q);
		if (ret || q.vma_start > out->mm.addr ||
		    q.vma_end < out->mm.addr + len ||
		    (q.vma_flags & 7) != in->mm.prot ||
		    !(q.vma_flags & ASPACE_VMA_SHARED) !=
		    !(in->mm.flags & MAP_SHARED))
			fail("MMAP at %llx+%llx prot %u flags %#x: QUERY %d %llx-%llx flags %llx",
			     (unsigned long long)out->mm.addr,
			     (unsigned long long)len, in->mm.prot,
			     in->mm.flags, ret,
			     (unsigned long long)q.vma_start,
			     (unsigned long long)q.vma_end,
			     (unsigned long long)q.vma_flags);
		break;
	case I_MUNMAP:
	case I_MPROTECT:
		len = (in->rg.length + PG - 1) & ~(PG - 1);
		if (!excl || !len)
			break;
		last = in->rg.addr + len - PG;
		ret = fz_query(fd, in->rg.addr, 0, &q);
		if (id == I_MUNMAP) {
			if (ret != -ENOENT || fz_query(fd, last, 0, &q) !=
			    -ENOENT)
				fail("MUNMAP %llx+%llx: still mapped",
				     (unsigned long long)in->rg.addr,
				     (unsigned long long)len);
			break;
		}
		if (ret || (q.vma_flags & 7) != in->rg.prot ||
		    fz_query(fd, last, 0, &q) ||
		    (q.vma_flags & 7) != in->rg.prot)
			fail("MPROTECT %llx+%llx to %u: QUERY %d flags %llx",
			     (unsigned long long)in->rg.addr,
			     (unsigned long long)len, in->rg.prot, ret,
			     (unsigned long long)q.vma_flags);
		break;
	case I_QUERY:
		if (out->q.vma_start >= out->q.vma_end ||
		    (out->q.vma_start | out->q.vma_end) & (PG - 1) ||
		    out->q.vma_end > TASK56 ||
		    out->q.vma_end <= in->q.query_addr ||
		    (!(in->q.query_flags & 1) &&
		     out->q.vma_start > in->q.query_addr) ||
		    out->q.vma_flags & ~(__u64)FZ_VMA_KNOWN ||
		    out->q.query_addr != in->q.query_addr)
			fail("QUERY %llx flags %u: %llx-%llx flags %llx",
			     (unsigned long long)in->q.query_addr,
			     in->q.query_flags,
			     (unsigned long long)out->q.vma_start,
			     (unsigned long long)out->q.vma_end,
			     (unsigned long long)out->q.vma_flags);
		break;
	case I_GET_LAYOUT:
		if (out->lay.flags & ~7u ||
		    out->lay.task_size !=
		    (out->lay.flags & 1 ? TASK56 : TASK47) - PG)
			fail("GET_LAYOUT: flags %#x task size %llx",
			     out->lay.flags,
			     (unsigned long long)out->lay.task_size);
		break;
	case I_GET_LIMITS:
		if (!out->lim.max_map_count ||
		    out->lim.max_map_count > 0x7fffffff ||
		    out->lim.reserved ||
		    (usize >= sizeof(out->lim) && !out->lim.stack_bytes))
			fail("GET_LIMITS: map count %llu stack %llu",
			     (unsigned long long)out->lim.max_map_count,
			     (unsigned long long)out->lim.stack_bytes);
		break;
	case I_SET_LIMITS:
		/* Keep the caps even if a value was accepted. */
		set_caps(fd);
		break;
	case I_STATS: {
		struct aspace_stats st;
		char why[256];

		memset(&st, 0, sizeof(st));
		memcpy(&st, out, usize < sizeof(st) ? usize : sizeof(st));
		st.size = sizeof(st);
		if (!fz_stats_plausible(&st, st.pgtable_pages[4], TASK56 - PG,
					why, sizeof(why)))
			fail("STATS: %s", why);
		break;
	}
	case I_ACCESS:
		if (out->ac.done > in->ac.length ||
		    (out->ac.signo == 0 &&
		     (out->ac.si_code || out->ac.fault_addr ||
		      out->ac.done != in->ac.length)) ||
		    (out->ac.signo &&
		     (out->ac.signo != SIGSEGV ||
		      (out->ac.si_code != SEGV_MAPERR &&
		       out->ac.si_code != SEGV_ACCERR) ||
		      out->ac.fault_addr != in->ac.addr + out->ac.done)))
			fail("ACCESS kind %u %llx+%llx: done %llx signo %d code %d at %llx",
			     in->ac.kind, (unsigned long long)in->ac.addr,
			     (unsigned long long)in->ac.length,
			     (unsigned long long)out->ac.done, out->ac.signo,
			     out->ac.si_code,
			     (unsigned long long)out->ac.fault_addr);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Introspection: what TRANSLATE, PTDUMP, PAGESCAN and CLEAR_REFS say. */

#define VEC_FILL	0x5c	/* the arrays' bytes before a call */
#define PIECE_CALLS	256	/* the most calls a resumed walk may take */

static struct aspace_ptdump_entry
	pd_v[RWBUF_SIZE / sizeof(struct aspace_ptdump_entry) + 1], pd_piece[64];
static struct aspace_page_region
	ps_v[RWBUF_SIZE / sizeof(struct aspace_page_region) + 1], ps_piece[64];

/* What op_ioctl() keeps of an introspection call for the checks after. */
struct intro_call {
	unsigned int rset;	/* RS_*: the results allowed; 0: no rule */
	unsigned int levels;	/* 4 or 5 if known (excl), else 0 */
	__u64 ts;		/* the task size if known, else 0 */
	bool listed;		/* list_c holds the VMAs (excl) */
	size_t esize;		/* bytes of an array element; 0: no array */
	__u64 vec;
	__u64 vfill;		/* bytes of the array set to VEC_FILL */
	__u64 sample_at;	/* CLEAR_REFS: where sample was read, or 0 */
	unsigned char sample[64];
};

/* "success or EINVAL" */
static const char *rs_str(unsigned int rs)
{
	static const char * const names[8] = {
		"nothing", "success", "EINVAL", "success or EINVAL",
		"EFAULT", "success or EFAULT", "EINVAL or EFAULT",
		"success, EINVAL or EFAULT",
	};

	return names[rs & 7];
}

/* Whether a leaf of bits @f (@keep: the bits kept) fits VMA flags @vf. */
static bool leaf_fits(__u64 vf, __u64 f, __u64 keep)
{
	bool prot = vf & (ASPACE_VMA_READ | ASPACE_VMA_WRITE |
			  ASPACE_VMA_EXEC);

	if (f & ASPACE_PTE_PROTNONE)
		return !prot;
	if (!prot)
		return false;
	if (keep & ASPACE_PTE_RW && f & ASPACE_PTE_RW &&
	    !(vf & ASPACE_VMA_WRITE))
		return false;
	if (keep & ASPACE_PTE_NX &&
	    !(f & ASPACE_PTE_NX) != !!(vf & ASPACE_VMA_EXEC))
		return false;
	return !(keep & ASPACE_PTE_USER) || f & ASPACE_PTE_USER;
}

/* Whether pages of categories @c fit VMA flags @vf. */
static bool page_fits(__u64 vf, __u64 c)
{
	if (c & ASPACE_PAGE_SHM && !(vf & ASPACE_VMA_SHARED))
		return false;
	if (c & (ASPACE_PAGE_ZERO | ASPACE_PAGE_EXCLUSIVE |
		 ASPACE_PAGE_COW_SHARED) && vf & ASPACE_VMA_SHARED)
		return false;
	return !(c & ASPACE_PAGE_WRITABLE) || vf & ASPACE_VMA_WRITE;
}

/*
 * [@s, @e) lies in VMAs of @l throughout, each fitting a leaf of bits @f
 * (@leaf) or pages of categories @f.  If not, @where gets the first
 * address that does not.
 */
static bool span_fits(const struct fz_list *l, __u64 s, __u64 e, bool leaf,
		      __u64 f, __u64 keep, __u64 *where)
{
	const struct fz_vma *v;

	while (s < e) {
		v = vma_at(l, s);
		if (!v || !(leaf ? leaf_fits(v->flags, f, keep) :
			    page_fits(v->flags, f))) {
			*where = s;
			return false;
		}
		s = v->end;
	}
	return true;
}

/* The bits a dump with @mask keeps. */
static __u64 ptdump_keep(__u64 mask)
{
	return (mask ? mask : ~ASPACE_PTE_FRAME_MASK) | FZ_PTE_MAPPED;
}

/* Every mapped leaf of @n entries @v lies in VMAs of @l that fit it. */
static bool leaves_fit(const struct fz_list *l,
		       const struct aspace_ptdump_entry *v, __u64 n,
		       __u64 mask)
{
	__u64 i, where;

	for (i = 0; i < n; i++) {
		if (v[i].flags && !span_fits(l, v[i].start, v[i].end, true,
					     v[i].flags, ptdump_keep(mask),
					     &where)) {
			fail("PTDUMP mask %llx: leaves %llx-%llx flags %llx, at %llx %s",
			     (unsigned long long)mask,
			     (unsigned long long)v[i].start,
			     (unsigned long long)v[i].end,
			     (unsigned long long)v[i].flags,
			     (unsigned long long)where,
			     vma_at(l, where) ? "a VMA that does not fit them" :
						"no VMA");
			return false;
		}
	}
	return true;
}

/* Every region of @n @v lies in VMAs of @l that fit its categories. */
static bool regions_fit(const struct fz_list *l,
			const struct aspace_page_region *v, __u64 n)
{
	__u64 i, where;

	for (i = 0; i < n; i++) {
		if (!span_fits(l, v[i].start, v[i].end, false,
			       v[i].categories, 0, &where)) {
			fail("PAGESCAN: pages %llx-%llx of categories %llx, at %llx %s",
			     (unsigned long long)v[i].start,
			     (unsigned long long)v[i].end,
			     (unsigned long long)v[i].categories,
			     (unsigned long long)where,
			     vma_at(l, where) ? "a VMA that does not fit them" :
						"no VMA (no page)");
			return false;
		}
	}
	return true;
}

/*
 * The array of a PTDUMP or PAGESCAN: mostly filled with VEC_FILL where
 * the module may write, to see what it writes.  Returns the bytes set.
 */
static __u64 vec_prepare(__u64 vec, __u64 n, size_t esize)
{
	__u64 w = writable_at(vec), want;

	want = n <= w / esize ? n * esize + 64 : w;
	if (want > w)
		want = w;
	memset((void *)(uintptr_t)vec, VEC_FILL, want);
	return want;
}

/* The first byte of [@from, @to) of @p that is not VEC_FILL, or @to. */
static __u64 vec_changed(const unsigned char *p, __u64 from, __u64 to)
{
	for (; from < to; from++)
		if (p[from] != VEC_FILL)
			break;
	return from;
}

/*
 * A dump resumed in pieces of a few entries over [@in->start,
 * @out->walk_end) gives the @out->nr_entries entries @v of the one call,
 * and page tables that add up to its counts.
 */
static void ptdump_resumed(int fd, const struct aspace_ptdump *in,
			   const struct aspace_ptdump *out,
			   const struct aspace_ptdump_entry *v,
			   unsigned int levels)
{
	struct aspace_ptdump d, din;
	__u64 got = 0, pg[5] = { 0 }, i;
	unsigned int calls, l;
	char why[320];

	wk.calls[K_MODEL]++;
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.flags = in->flags;
	d.start = in->start;
	d.end = out->walk_end;
	d.mask = in->mask;
	d.vec = (uintptr_t)pd_piece;
	for (calls = 0; calls < PIECE_CALLS; calls++) {
		d.vec_len = 1 + fz_below(&wk.rnd, ARRAY_LEN(pd_piece));
		if (out->nr_entries > 64)
			d.vec_len = 16 + fz_below(&wk.rnd, 49);
		din = d;
		if (ioctl(fd, ASPACE_IOC_PTDUMP, &d)) {
			fail("PTDUMP [%llx, %llx) resumed at %llx: %s",
			     (unsigned long long)in->start,
			     (unsigned long long)out->walk_end,
			     (unsigned long long)din.start,
			     fz_errname(errno));
			return;
		}
		wk.calls[K_IOCTL]++;
		if (!fz_ptdump_sane(&din, &d, pd_piece, levels, true, why,
				    sizeof(why))) {
			fail("resumed: %s", why);
			return;
		}
		for (i = 0; i < d.nr_entries; i++, got++) {
			if (got >= out->nr_entries ||
			    memcmp(&pd_piece[i], &v[got], sizeof(v[got]))) {
				fail("PTDUMP [%llx, %llx) flags %#x mask %llx "
				     "resumed at %llx: entry %llu is %llx-%llx "
				     "flags %llx level %u, the one call had %s",
				     (unsigned long long)in->start,
				     (unsigned long long)in->end, in->flags,
				     (unsigned long long)in->mask,
				     (unsigned long long)din.start,
				     (unsigned long long)got,
				     (unsigned long long)pd_piece[i].start,
				     (unsigned long long)pd_piece[i].end,
				     (unsigned long long)pd_piece[i].flags,
				     pd_piece[i].level,
				     got >= out->nr_entries ? "fewer" :
							      "another");
				return;
			}
		}
		for (l = 0; l < 5; l++)
			pg[l] += d.pgtable_pages[l];
		if (d.walk_end == d.end)
			break;
		d.start = d.walk_end;
	}
	if (calls == PIECE_CALLS)
		return;
	if (got != out->nr_entries ||
	    memcmp(pg, out->pgtable_pages, sizeof(pg)))
		fail("PTDUMP [%llx, %llx) resumed: %llu entries of %llu, "
		     "tables %llu %llu %llu %llu %llu, "
		     "the one call %llu %llu %llu %llu %llu",
		     (unsigned long long)in->start,
		     (unsigned long long)out->walk_end,
		     (unsigned long long)got,
		     (unsigned long long)out->nr_entries,
		     (unsigned long long)pg[0], (unsigned long long)pg[1],
		     (unsigned long long)pg[2], (unsigned long long)pg[3],
		     (unsigned long long)pg[4],
		     (unsigned long long)out->pgtable_pages[0],
		     (unsigned long long)out->pgtable_pages[1],
		     (unsigned long long)out->pgtable_pages[2],
		     (unsigned long long)out->pgtable_pages[3],
		     (unsigned long long)out->pgtable_pages[4]);
}

/*
 * A scan resumed in pieces of a few regions or pages (max_pages) over
 * [@in->start, @out->walk_end) finds the regions @v of the one call,
 * those split at the pieces' ends joined again.  Only for categories
 * that nothing else may change meanwhile (not EXCLUSIVE, COW_SHARED).
 */
static void pagescan_resumed(int fd, const struct aspace_pagescan *in,
			     const struct aspace_pagescan *out,
			     const struct aspace_page_region *v)
{
	struct aspace_page_region last = { 0 };
	struct aspace_pagescan p, pin;
	__u64 got = 0, i;
	unsigned int calls;
	char why[320];
	bool open = false;

	wk.calls[K_MODEL]++;
	p = *in;
	p.size = sizeof(p);
	p.end = out->walk_end;
	p.vec = (uintptr_t)ps_piece;
	for (calls = 0; calls < PIECE_CALLS; calls++) {
		p.vec_len = 1 + fz_below(&wk.rnd, ARRAY_LEN(ps_piece));
		if (out->nr_regions > 64)
			p.vec_len = 16 + fz_below(&wk.rnd, 49);
		p.max_pages = fz_one_in(&wk.rnd, 2) ? 0 :
			      1 + fz_below(&wk.rnd, 16);
		pin = p;
		if (ioctl(fd, ASPACE_IOC_PAGESCAN, &p)) {
			fail("PAGESCAN [%llx, %llx) resumed at %llx: %s",
			     (unsigned long long)in->start,
			     (unsigned long long)out->walk_end,
			     (unsigned long long)pin.start, fz_errname(errno));
			return;
		}
		wk.calls[K_IOCTL]++;
		if (!fz_pagescan_sane(&pin, &p, ps_piece, true, why,
				      sizeof(why))) {
			fail("resumed: %s", why);
			return;
		}
		for (i = 0; i < p.nr_regions; i++) {
			if (open && last.end == ps_piece[i].start &&
			    last.categories == ps_piece[i].categories) {
				last.end = ps_piece[i].end;
				continue;
			}
			if (open && (got >= out->nr_regions ||
				     memcmp(&last, &v[got], sizeof(last))))
				goto differ;
			got += open;
			last = ps_piece[i];
			open = true;
		}
		if (p.walk_end == p.end)
			break;
		p.start = p.walk_end;
	}
	if (calls == PIECE_CALLS)
		return;
	if (open && (got >= out->nr_regions ||
		     memcmp(&last, &v[got], sizeof(last))))
		goto differ;
	got += open;
	if (got != out->nr_regions)
		fail("PAGESCAN [%llx, %llx) resumed: %llu regions, the one call %llu",
		     (unsigned long long)in->start,
		     (unsigned long long)out->walk_end,
		     (unsigned long long)got,
		     (unsigned long long)out->nr_regions);
	return;
differ:
	fail("PAGESCAN [%llx, %llx) inv %llx mask %llx anyof %llx ret %llx "
	     "resumed: region %llu is %llx-%llx categories %llx, "
	     "the one call had %s",
	     (unsigned long long)in->start, (unsigned long long)in->end,
	     (unsigned long long)in->category_inverted,
	     (unsigned long long)in->category_mask,
	     (unsigned long long)in->category_anyof_mask,
	     (unsigned long long)in->return_mask, (unsigned long long)got,
	     (unsigned long long)last.start, (unsigned long long)last.end,
	     (unsigned long long)last.categories,
	     got >= out->nr_regions ? "fewer" : "another");
}

/*
 * One page, three ways: what TRANSLATE found at @addr (@t) is what a
 * PAGESCAN and a PTDUMP of its page show; @v: its VMA, or NULL.
 */
static void translate_cross(int fd, const struct aspace_translate *t,
			    const struct fz_vma *v)
{
	__u64 a = t->addr & ~(PG - 1), leaf = t->level ? 0 : t->entries[0];
	struct aspace_pagescan p = {
		.size = sizeof(p), .start = a, .end = a + PG,
		.vec = (uintptr_t)ps_piece, .vec_len = 1,
		.return_mask = ASPACE_PAGE_CATEGORIES &
			       ~(ASPACE_PAGE_EXCLUSIVE | ASPACE_PAGE_COW_SHARED),
	};
	struct aspace_ptdump d = {
		.size = sizeof(d), .start = a, .end = a + PG,
		.vec = (uintptr_t)pd_piece, .vec_len = 1,
	};
	__u64 want = 0;

	wk.calls[K_MODEL]++;
	if (ioctl(fd, ASPACE_IOC_PAGESCAN, &p) ||
	    ioctl(fd, ASPACE_IOC_PTDUMP, &d)) {
		fail("PAGESCAN or PTDUMP of page %llx: %s",
		     (unsigned long long)a, fz_errname(errno));
		return;
	}
	wk.calls[K_IOCTL] += 2;
	if (leaf) {
		want = ASPACE_PAGE_PRESENT |
		       (leaf & ASPACE_PTE_ACCESSED ? ASPACE_PAGE_ACCESSED : 0) |
		       (leaf & ASPACE_PTE_DIRTY ? ASPACE_PAGE_DIRTY : 0) |
		       (leaf & ASPACE_PTE_RW ? ASPACE_PAGE_WRITABLE : 0);
		if (t->status & ASPACE_TRANSLATE_ZERO_PAGE)
			want |= ASPACE_PAGE_ZERO;
		else if (v && v->flags & ASPACE_VMA_SHARED)
			want |= ASPACE_PAGE_SHM;
	}
	if (p.nr_regions != !!v || p.walk_end != a + PG ||
	    (v && (ps_piece[0].start != a || ps_piece[0].end != a + PG ||
		   ps_piece[0].categories != want)))
		fail("TRANSLATE %llx: status %#x leaf %llx (%s); "
		     "PAGESCAN: %llu regions, %llx-%llx categories %llx",
		     (unsigned long long)t->addr, t->status,
		     (unsigned long long)leaf, v ? "in a VMA" : "no VMA",
		     (unsigned long long)p.nr_regions,
		     (unsigned long long)ps_piece[0].start,
		     (unsigned long long)ps_piece[0].end,
		     (unsigned long long)ps_piece[0].categories);
	else if (d.nr_entries != !!leaf || d.walk_end != a + PG ||
		 (leaf && (pd_piece[0].start != a ||
			   pd_piece[0].end != a + PG || pd_piece[0].level ||
			   pd_piece[0].flags !=
			   (leaf & ~ASPACE_PTE_FRAME_MASK))))
		fail("TRANSLATE %llx: status %#x leaf %llx; "
		     "PTDUMP: %llu entries, %llx-%llx flags %llx level %u",
		     (unsigned long long)t->addr, t->status,
		     (unsigned long long)leaf,
		     (unsigned long long)d.nr_entries,
		     (unsigned long long)pd_piece[0].start,
		     (unsigned long long)pd_piece[0].end,
		     (unsigned long long)pd_piece[0].flags,
		     pd_piece[0].level);
}

/*
 * Before an introspection call: the results its arguments allow (an
 * exact verdict where they leave one), the array filled to see what is
 * written, and on a descriptor only this thread reaches the layout, the
 * VMAs and, for CLEAR_REFS, some bytes of the range.
 */
static void intro_before(enum ioc_id id, int fd, bool excl, bool known,
			 const union anyst *k, int acc, int *verdict,
			 struct intro_call *ic)
{
	__u64 lo = TASK47 - PG, hi = TASK56 - PG, n = 0, a;
	struct aspace_layout lay;

	memset(ic, 0, sizeof(*ic));
	if (!is_intro(id))
		return;
	if (id == I_PTDUMP) {
		ic->esize = sizeof(struct aspace_ptdump_entry);
		ic->vec = k->pd.vec;
		n = k->pd.vec_len;
	} else if (id == I_PAGESCAN) {
		ic->esize = sizeof(struct aspace_page_region);
		ic->vec = k->ps.vec;
		n = k->ps.vec_len;
	}
	if (ic->esize)
		ic->vfill = vec_prepare(ic->vec, n, ic->esize);
	if (!known || *verdict != ANY)
		return;
	if (excl && !fz_get_layout(fd, &lay)) {
		lo = lay.task_size;
		hi = lay.task_size;
		ic->ts = lay.task_size;
		ic->levels = lay.flags & ASPACE_LAYOUT_LA57 ? 5 : 4;
	}
	ic->rset = intro_results(id, k, lo, hi);
	if (ic->rset == RS_OK)
		*verdict = 0;
	else if (ic->rset == RS_EINVAL)
		*verdict = -EINVAL;
	else if (ic->rset == RS_EFAULT)
		*verdict = -EFAULT;
	if (!excl || !ic->levels || !(ic->rset & RS_OK))
		return;
	/* Bits a look must not set: clear them all first, now and then. */
	if (id != I_CLEAR_REFS && acc != O_RDONLY && fz_one_in(&wk.rnd, 3)) {
		struct aspace_clear_refs c = {
			.size = sizeof(c), .end = ic->ts,
			.flags = ASPACE_CLEAR_ACCESSED | ASPACE_CLEAR_DIRTY,
		};

		wk.calls[K_IOCTL]++;
		if (ioctl(fd, ASPACE_IOC_CLEAR_REFS, &c)) {
			fail("CLEAR_REFS of everything on fd %d: %s", fd,
			     fz_errname(errno));
			return;
		}
	}
	ic->listed = !fz_list_vmas(fd, &list_c);
	if (id != I_CLEAR_REFS || !ic->listed || acc == O_WRONLY)
		return;
	a = k->cr.start + PAGES(fz_below(&wk.rnd, 16));
	if (a < k->cr.end && vma_at(&list_c, a)) {
		wk.calls[K_READ]++;
		if (pread(fd, ic->sample, sizeof(ic->sample), a) ==
		    sizeof(ic->sample))
			ic->sample_at = a;
	}
}

/*
 * After an introspection call, failed or not: the result one the
 * arguments allow, and the array written only as far as the call says
 * (not at all if it failed on its arguments).  False if it failed.
 */
static bool intro_result(enum ioc_id id, int err, int verdict,
			 enum ptr_kind pk, const union anyst *out,
			 const struct intro_call *ic)
{
	const unsigned char *p = (const unsigned char *)(uintptr_t)ic->vec;
	__u64 nr, bytes, at;

	if (!is_intro(id))
		return true;
	wk.intro[id - I_TRANSLATE][0]++;
	wk.intro[id - I_TRANSLATE][1] += !err;
	if (ic->rset && verdict == ANY && pk != PK_FLAP &&
	    !(ic->rset & rs_of(err))) {
		fail("%s: %s, where its arguments allow %s", iocs[id].name,
		     err ? fz_errname(err) : "success", rs_str(ic->rset));
		return false;
	}
	if (!ic->esize)
		return true;
	if (err) {
		/* the struct may have become unwritable after the walk */
		if (pk == PK_FLAP || (err == EFAULT && ic->rset & RS_OK))
			return true;
		at = vec_changed(p, 0, ic->vfill);
		if (at < ic->vfill) {
			fail("%s failed with %s but wrote byte %llu of its array",
			     iocs[id].name, fz_errname(err),
			     (unsigned long long)at);
			return false;
		}
		return true;
	}
	nr = id == I_PTDUMP ? out->pd.nr_entries : out->ps.nr_regions;
	if (nr > writable_at(ic->vec) / ic->esize) {
		fail("%s: %llu elements, in an array with room for %llu",
		     iocs[id].name, (unsigned long long)nr,
		     (unsigned long long)(writable_at(ic->vec) / ic->esize));
		return false;
	}
	bytes = nr * ic->esize;
	at = vec_changed(p, bytes, ic->vfill);
	if (at < ic->vfill) {
		fail("%s: %llu elements, but byte %llu of the array changed",
		     iocs[id].name, (unsigned long long)nr,
		     (unsigned long long)at);
		return false;
	}
	memcpy(id == I_PTDUMP ? (void *)pd_v : (void *)ps_v, p, bytes);
	return true;
}

/* CLEAR_REFS worked: the bits are clear, the bytes as they were. */
static void clear_refs_after(int fd, const struct aspace_clear_refs *c,
			     const struct intro_call *ic)
{
	struct aspace_pagescan p = {
		.size = sizeof(p), .start = c->start,
		.end = fz_page_up(c->end),
		.category_anyof_mask =
			(c->flags & ASPACE_CLEAR_ACCESSED ?
			 ASPACE_PAGE_ACCESSED : 0) |
			(c->flags & ASPACE_CLEAR_DIRTY ? ASPACE_PAGE_DIRTY : 0),
		.return_mask = ASPACE_PAGE_CATEGORIES,
	};
	unsigned char now[sizeof(ic->sample)];
	int err;

	if (!ic->listed)
		return;
	wk.calls[K_MODEL]++;
	wk.calls[K_IOCTL]++;
	/* no array: walk_end is the first page with a bit still set */
	err = ioctl(fd, ASPACE_IOC_PAGESCAN, &p) ? errno : 0;
	if (err || p.walk_end != p.end) {
		fail("CLEAR_REFS %#x [%llx, %llx): then PAGESCAN for %llx: %s, walk_end %llx",
		     c->flags, (unsigned long long)c->start,
		     (unsigned long long)c->end,
		     (unsigned long long)p.category_anyof_mask,
		     err ? fz_errname(err) : "success",
		     (unsigned long long)p.walk_end);
		return;
	}
	if (!ic->sample_at)
		return;
	wk.calls[K_READ]++;
	if (pread(fd, now, sizeof(now), ic->sample_at) != sizeof(now) ||
	    memcmp(now, ic->sample, sizeof(now)))
		fail("CLEAR_REFS %#x [%llx, %llx): the bytes at %llx changed",
		     c->flags, (unsigned long long)c->start,
		     (unsigned long long)c->end,
		     (unsigned long long)ic->sample_at);
}

/*
 * A successful TRANSLATE, PTDUMP, PAGESCAN or CLEAR_REFS: sane on its
 * own; on a descriptor only this thread reaches also against the VMAs
 * (list_c), the other two walks and STATS, and resumed in pieces.
 */
static void intro_success(enum ioc_id id, int fd, const union anyst *k,
			  const union anyst *out, const struct intro_call *ic)
{
	const struct fz_list *l = ic->listed ? &list_c : NULL;
	const struct fz_vma *v;
	struct aspace_stats st;
	char why[320];
	__u64 leaf;

	switch (id) {
	case I_TRANSLATE:
		if (!fz_translate_sane(&k->tr, &out->tr, frames_shown,
				       ic->levels, why, sizeof(why))) {
			fail("%s", why);
			return;
		}
		if (!l)
			return;
		v = vma_at(l, k->tr.addr);
		leaf = out->tr.level ? 0 : out->tr.entries[0];
		if ((!v && leaf) ||
		    (v && leaf && !leaf_fits(v->flags, leaf, ~0ULL)) ||
		    (v && out->tr.status & ASPACE_TRANSLATE_ZERO_PAGE &&
		     v->flags & ASPACE_VMA_SHARED)) {
			fail("TRANSLATE %llx: leaf %llx status %#x, VMA %s %llx",
			     (unsigned long long)k->tr.addr,
			     (unsigned long long)leaf, out->tr.status,
			     v ? "flags" : "none",
			     (unsigned long long)(v ? v->flags : 0));
			return;
		}
		if (fz_one_in(&wk.rnd, 3))
			translate_cross(fd, &out->tr, v);
		return;
	case I_PTDUMP:
		wk.cursor = out->pd.walk_end;
		if (!fz_ptdump_sane(&k->pd, &out->pd, pd_v, ic->levels,
				    ic->listed, why, sizeof(why))) {
			fail("%s", why);
			return;
		}
		if (!l || !leaves_fit(l, pd_v, out->pd.nr_entries, k->pd.mask))
			return;
		/* from 0 to the task size: every page table */
		if (!k->pd.start && out->pd.walk_end == ic->ts) {
			wk.calls[K_MODEL]++;
			if (fz_stats(fd, &st) ||
			    memcmp(st.pgtable_pages, out->pd.pgtable_pages,
				   sizeof(st.pgtable_pages))) {
				fail("PTDUMP of everything: tables "
				     "%llu %llu %llu %llu %llu, "
				     "STATS %llu %llu %llu %llu %llu",
				     (unsigned long long)out->pd.pgtable_pages[0],
				     (unsigned long long)out->pd.pgtable_pages[1],
				     (unsigned long long)out->pd.pgtable_pages[2],
				     (unsigned long long)out->pd.pgtable_pages[3],
				     (unsigned long long)out->pd.pgtable_pages[4],
				     (unsigned long long)st.pgtable_pages[0],
				     (unsigned long long)st.pgtable_pages[1],
				     (unsigned long long)st.pgtable_pages[2],
				     (unsigned long long)st.pgtable_pages[3],
				     (unsigned long long)st.pgtable_pages[4]);
				return;
			}
		}
		if (fz_one_in(&wk.rnd, 3))
			ptdump_resumed(fd, &k->pd, &out->pd, pd_v, ic->levels);
		return;
	case I_PAGESCAN:
		wk.cursor = out->ps.walk_end;
		if (!fz_pagescan_sane(&k->ps, &out->ps, ps_v, ic->listed, why,
				      sizeof(why))) {
			fail("%s", why);
			return;
		}
		if (!l || !regions_fit(l, ps_v, out->ps.nr_regions))
			return;
		if (!((k->ps.return_mask | k->ps.category_mask |
		       k->ps.category_anyof_mask) &
		      (ASPACE_PAGE_EXCLUSIVE | ASPACE_PAGE_COW_SHARED)) &&
		    fz_one_in(&wk.rnd, 3))
			pagescan_resumed(fd, &k->ps, &out->ps, ps_v);
		return;
	default:
		clear_refs_after(fd, &k->cr, ic);
		return;
	}
}

/*
 * The whole of a descriptor only this thread reaches, by PTDUMP and
 * PAGESCAN resumed until done: the page tables the dump counts are
 * STATS's, every mapped leaf lies in a VMA of @l that fits it, the pages
 * the scan finds present are the dump's leaves, and those but the zero
 * page are STATS's resident pages.
 */
static void check_walks(int fd, const struct fz_list *l,
			const struct aspace_stats *st,
			const struct aspace_layout *lay)
{
	unsigned int levels = lay->flags & ASPACE_LAYOUT_LA57 ? 5 : 4, i;
	__u64 tables[5] = { 0 }, leaves = 0, present = 0, zero = 0, n;
	struct aspace_ptdump d = { .size = sizeof(d) }, din;
	struct aspace_pagescan p = { .size = sizeof(p) }, pin;
	char why[320];

	wk.calls[K_MODEL]++;
	d.end = lay->task_size;
	d.vec = (uintptr_t)pd_piece;
	d.vec_len = ARRAY_LEN(pd_piece);
	d.flags = fz_below(&wk.rnd, 2);
	for (;;) {
		din = d;
		wk.calls[K_IOCTL]++;
		if (ioctl(fd, ASPACE_IOC_PTDUMP, &d)) {
			fail("PTDUMP of fd %d from %llx: %s", fd,
			     (unsigned long long)din.start, fz_errname(errno));
			return;
		}
		if (!fz_ptdump_sane(&din, &d, pd_piece, levels, true, why,
				    sizeof(why))) {
			fail("%s", why);
			return;
		}
		if (!leaves_fit(l, pd_piece, d.nr_entries, 0))
			return;
		for (n = 0; n < d.nr_entries; n++)
			if (pd_piece[n].flags)
				leaves += (pd_piece[n].end -
					   pd_piece[n].start) / PG;
		for (i = 0; i < 5; i++)
			tables[i] += d.pgtable_pages[i];
		if (d.walk_end == d.end)
			break;
		d.start = d.walk_end;
	}
	if (memcmp(tables, st->pgtable_pages, sizeof(tables))) {
		fail("fd %d: a dump counts tables %llu %llu %llu %llu %llu, "
		     "STATS %llu %llu %llu %llu %llu",
		     fd, (unsigned long long)tables[0],
		     (unsigned long long)tables[1],
		     (unsigned long long)tables[2],
		     (unsigned long long)tables[3],
		     (unsigned long long)tables[4],
		     (unsigned long long)st->pgtable_pages[0],
		     (unsigned long long)st->pgtable_pages[1],
		     (unsigned long long)st->pgtable_pages[2],
		     (unsigned long long)st->pgtable_pages[3],
		     (unsigned long long)st->pgtable_pages[4]);
		return;
	}
	p.end = lay->task_size;
	p.vec = (uintptr_t)ps_piece;
	p.vec_len = ARRAY_LEN(ps_piece);
	p.category_mask = ASPACE_PAGE_PRESENT;
	p.return_mask = ASPACE_PAGE_CATEGORIES &
			~(ASPACE_PAGE_EXCLUSIVE | ASPACE_PAGE_COW_SHARED);
	for (;;) {
		pin = p;
		wk.calls[K_IOCTL]++;
		if (ioctl(fd, ASPACE_IOC_PAGESCAN, &p)) {
			fail("PAGESCAN of fd %d from %llx: %s", fd,
			     (unsigned long long)pin.start, fz_errname(errno));
			return;
		}
		if (!fz_pagescan_sane(&pin, &p, ps_piece, true, why,
				      sizeof(why))) {
			fail("%s", why);
			return;
		}
		if (!regions_fit(l, ps_piece, p.nr_regions))
			return;
		for (n = 0; n < p.nr_regions; n++) {
			present += (ps_piece[n].end - ps_piece[n].start) / PG;
			if (ps_piece[n].categories & ASPACE_PAGE_ZERO)
				zero += (ps_piece[n].end -
					 ps_piece[n].start) / PG;
		}
		if (p.walk_end == p.end)
			break;
		p.start = p.walk_end;
	}
	if (present != leaves || present - zero != st->resident_pages)
		fail("fd %d: a scan finds %llu pages present (%llu the zero "
		     "page), a dump %llu leaves, STATS %llu resident",
		     fd, (unsigned long long)present,
		     (unsigned long long)zero, (unsigned long long)leaves,
		     (unsigned long long)st->resident_pages);
}

static void check_clone(int src, bool excl, int nfd, __u32 flags);

/*
 * The mapped bytes before and after a successful mmap, munmap or
 * mprotect: a mapping that is not MAP_FIXED adds exactly its length (it
 * replaces nothing), MAP_FIXED at most that, munmap only takes away,
 * mprotect changes nothing.
 */
static void check_accounting(enum ioc_id id, int fd, const union anyst *k,
			     const struct aspace_stats *pre)
{
	__u64 len = (k->mm.length + PG - 1) & ~(PG - 1), before, after;
	struct aspace_stats post;
	bool ok;
	int ret;

	if (id != I_MMAP)
		len = (k->rg.length + PG - 1) & ~(PG - 1);
	ret = fz_stats(fd, &post);
	if (ret) {
		fail("STATS after %s: %s", iocs[id].name, strerror(-ret));
		return;
	}
	before = pre->mapped_bytes;
	after = post.mapped_bytes;
	switch (id) {
	case I_MMAP:
		if (k->mm.flags & MAP_FIXED_NOREPLACE ||
		    !(k->mm.flags & MAP_FIXED))
			ok = after == before + len &&
			     post.nr_vmas <= pre->nr_vmas + 1;
		else
			ok = after >= before && after <= before + len;
		break;
	case I_MUNMAP:
		ok = after <= before && after + len >= before &&
		     post.nr_vmas <= pre->nr_vmas + 1 &&
		     post.resident_pages <= pre->resident_pages;
		break;
	default:
		ok = after == before && post.nr_vmas <= pre->nr_vmas + 2;
		break;
	}
	if (!ok)
		fail("%s of %llx bytes (flags %#x): mapped %llx -> %llx bytes, %llu -> %llu VMAs",
		     iocs[id].name, (unsigned long long)len,
		     id == I_MMAP ? k->mm.flags : 0,
		     (unsigned long long)before, (unsigned long long)after,
		     (unsigned long long)pre->nr_vmas,
		     (unsigned long long)post.nr_vmas);
}

/* Adopt the descriptor a clone made. */
static void adopt_clone(int src, bool excl, int nfd, __u32 flags)
{
	int fdflags = fcntl(nfd, F_GETFD);

	wk.calls[K_CLONE]++;
	if (fdflags < 0 || !(fdflags & FD_CLOEXEC) !=
	    !!(flags & ASPACE_CLONE_NOCLOEXEC)) {
		fail("CLONE flags %#x: new fd %d has fd flags %d", flags, nfd,
		     fdflags);
		if (fdflags >= 0)
			close(nfd);
		return;
	}
	if (excl)
		check_clone(src, excl, nfd, flags);
	slot_put(fz_below(&wk.rnd, NSLOT), nfd, true);
}

/* The fields of an introspection call, for the log. */
static void intro_log(enum ioc_id id, int fd, bool excl, unsigned int cmd,
		      unsigned int usize, enum ptr_kind pk,
		      const union anyst *u)
{
	char f[128];

	switch (id) {
	case I_TRANSLATE:
		snprintf(f, sizeof(f), "flags %#x addr %llx reserved %#x",
			 u->tr.flags, (unsigned long long)u->tr.addr,
			 u->tr.reserved);
		break;
	case I_PTDUMP:
		snprintf(f, sizeof(f), "f %#x [%llx, %llx) mask %llx vec %llx+%llu",
			 u->pd.flags, (unsigned long long)u->pd.start,
			 (unsigned long long)u->pd.end,
			 (unsigned long long)u->pd.mask,
			 (unsigned long long)u->pd.vec,
			 (unsigned long long)u->pd.vec_len);
		break;
	case I_PAGESCAN:
		snprintf(f, sizeof(f),
			 "f %#x [%llx, %llx) vec %llx+%llu max %llu "
			 "c %llx/%llx/%llx/%llx",
			 u->ps.flags, (unsigned long long)u->ps.start,
			 (unsigned long long)u->ps.end,
			 (unsigned long long)u->ps.vec,
			 (unsigned long long)u->ps.vec_len,
			 (unsigned long long)u->ps.max_pages,
			 (unsigned long long)u->ps.category_inverted,
			 (unsigned long long)u->ps.category_mask,
			 (unsigned long long)u->ps.category_anyof_mask,
			 (unsigned long long)u->ps.return_mask);
		break;
	default:
		snprintf(f, sizeof(f), "flags %#x [%llx, %llx)", u->cr.flags,
			 (unsigned long long)u->cr.start,
			 (unsigned long long)u->cr.end);
		break;
	}
	fz_log(&wk.log, "%s fd %d%s cmd %08x size %u ptr %s: %s",
	       iocs[id].name, fd, excl ? " (excl)" : "", cmd, usize,
	       ptr_names[pk], f);
}

/* One ioctl on slot @si (or the helper's number if @under). */
static void op_ioctl(int si, bool sane, bool under)
{
	static unsigned char before[CMP_MAX];
	enum ioc_id id = fz_below(&wk.rnd, NIOC);
	unsigned int ksize, usize, cmd, need, cmp_len = 0, dir;
	size_t avail = 0, writable = 0, nzpos = SIZE_MAX, off;
	int fd = under ? UNDER_FD : wk.slot[si].fd, ret, err, verdict, acc;
	bool excl = !under && wk.slot[si].excl, known = true;
	enum ptr_kind pk = PK_GOOD;
	bool have_pre, have_model, have_dontneed;
	unsigned char dn_before[64], dn_after[64];
	__u64 task_size = 0, old_brk = 0;
	union anyst u, k, out;
	struct aspace_stats pre;
	struct aspace_query dq;
	struct intro_call ic;
	struct snap s1, s2;
	unsigned char *p = NULL;
	__u64 r, uptr;

	if (sane) {
		static const enum ioc_id common[] = {
			I_MMAP, I_MMAP, I_MMAP, I_MUNMAP, I_MPROTECT,
			I_MPROTECT, I_MADVISE, I_ACCESS, I_ACCESS, I_BRK,
			I_QUERY, I_TRANSLATE, I_PTDUMP, I_PAGESCAN,
			I_CLEAR_REFS,
		};

		id = common[fz_below(&wk.rnd, ARRAY_LEN(common))];
	}
	ksize = ksize_of(id);
	fill(id, under ? -1 : si, sane, &u);

	/* The number: ours, or a variant the module must refuse. */
	cmd = iocs[id].cmd;
	r = sane ? 100 : fz_below(&wk.rnd, 100);
	if (r < 6) {
		cmd = _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd),
			   fz_below(&wk.rnd, 1 << _IOC_SIZEBITS));
	} else if (r < 10) {
		do {
			dir = fz_below(&wk.rnd, 4);
		} while (dir == _IOC_DIR(cmd));
		cmd = _IOC(dir, _IOC_TYPE(cmd), _IOC_NR(cmd), _IOC_SIZE(cmd));
		known = false;
	} else if (r < 13) {
		cmd = _IOC(fz_below(&wk.rnd, 4), ASPACE_IOC_MAGIC,
			   NR_FREE + fz_below(&wk.rnd, 256 - NR_FREE),
			   fz_below(&wk.rnd, 1 << _IOC_SIZEBITS));
		known = false;
	} else if (r < 15) {
		static const __u64 magics[] = { 0x01, 0x42, 0xa7, 0xa9, 0xff };

		cmd = _IOC(_IOC_DIR(cmd), PICK(magics), _IOC_NR(cmd),
			   _IOC_SIZE(cmd));
		known = false;
	}

	/* The size field. */
	r = sane ? 100 : fz_below(&wk.rnd, 100);
	if (r < 60 || sane) {
		usize = ksize;
	} else if (r < 65) {
		usize = iocs[id].min_size;
	} else if (r < 70) {
		static const __u64 small[] = { 0, 1, 3, 4, 8 };

		usize = fz_one_in(&wk.rnd, 2) ? iocs[id].min_size - 1 :
			PICK(small);
	} else if (r < 88) {
		usize = ksize + 1 + fz_below(&wk.rnd, 64);
		if (fz_one_in(&wk.rnd, 3))
			nzpos = ksize + fz_below(&wk.rnd, usize - ksize);
	} else {
		static const __u64 big[] = {
			PG, PG + 8, ARENA_SIZE, ARENA_SIZE + 1, 0xffffffff,
		};

		usize = PICK(big);
		if (fz_one_in(&wk.rnd, 3))
			nzpos = ksize + fz_below(&wk.rnd, ARENA_SIZE - ksize);
	}
	u.size = usize;

	/* The pointer, and what the module can read and write there. */
	r = sane ? 0 : fz_below(&wk.rnd, 100);
	pk = r < 69 ? PK_GOOD : r < 72 ? PK_FLAP : r < 78 ? PK_MISALIGNED :
	     r < 84 ? PK_STRADDLE : r < 90 ? PK_RO :
	     PK_NULL + fz_below(&wk.rnd, 4);
	if (pk == PK_FLAP && !opt.helper)
		pk = PK_GOOD;
	need = usize > ksize ? usize : ksize;
	if (need > ARENA_SIZE - 64)
		need = ARENA_SIZE - 64;
	switch (pk) {
	case PK_GOOD:
	case PK_MISALIGNED:
		off = ARENA_SIZE - need - fz_below(&wk.rnd, 64);
		if (need == ARENA_SIZE - 64)
			off = 0;
		off &= ~(size_t)7;
		if (pk == PK_MISALIGNED)
			off -= 1 + fz_below(&wk.rnd, 7);
		if (off > ARENA_SIZE - need)
			off = 0;
		p = wk.arena + off;
		avail = ARENA_SIZE - off;
		writable = avail;
		break;
	case PK_STRADDLE:
		off = ARENA_SIZE - fz_below(&wk.rnd, need);
		p = wk.arena + off;
		avail = ARENA_SIZE - off;
		writable = avail;
		break;
	case PK_RO:
		off = fz_below(&wk.rnd, 2) ? 0 :
		      PG - need + (need < PG ? fz_below(&wk.rnd, 8) : 0);
		if (off >= PG)
			off = 0;
		p = wk.ro + off;
		avail = PG - off;
		break;
	case PK_FLAP:
		off = need < PG ? PG - need : 0;
		p = wk.flap + off;
		avail = PG - off;
		writable = avail;
		break;
	default:
		break;
	}
	if (p) {
		if (pk == PK_FLAP)
			pthread_mutex_lock(&wk.flap_lock);
		if (pk == PK_RO || pk == PK_FLAP)
			mprotect(pk == PK_RO ? wk.ro : wk.flap, PG,
				 PROT_READ | PROT_WRITE);
		/* the struct, a zero tail, a non-zero byte, then a canary */
		memcpy(p, &u, ksize < avail ? ksize : avail);
		if (avail > ksize) {
			size_t tail = usize > ksize ? usize - ksize : 0;

			if (tail > avail - ksize)
				tail = avail - ksize;
			memset(p + ksize, 0, tail);
			if (nzpos < ksize + tail)
				p[nzpos] = 0x5a;
			memset(p + ksize + tail, 0xa5,
			       avail - ksize - tail < 32 ?
			       avail - ksize - tail : 32);
		}
		if (pk == PK_RO)
			mprotect(wk.ro, PG, PROT_READ);
		cmp_len = avail < CMP_MAX ? avail : CMP_MAX;
		memcpy(before, p, cmp_len);
		if (pk == PK_FLAP)
			pthread_mutex_unlock(&wk.flap_lock);
	}
	uptr = p ? (uintptr_t)p : pk == PK_NULL ? 0 :
	       pk == PK_NONE ? (uintptr_t)wk.none :
	       pk == PK_KERNEL ? KERNEL_PTR : NONCANON_PTR;

	/* What the module must answer, as far as the rules decide it. */
	acc = fcntl(fd, F_GETFL);
	acc = acc < 0 ? -1 : acc & O_ACCMODE;
	if (!known) {
		verdict = -ENOTTY;
	} else if (acc == O_RDONLY && needs_write(id)) {
		/* A change through a read-only descriptor, before all else. */
		verdict = -EBADF;
	} else if (avail < 4) {
		verdict = -EFAULT;
	} else if (usize < iocs[id].min_size) {
		verdict = -EINVAL;
	} else if (usize > ksize) {
		if (avail < ksize)
			verdict = -EFAULT;
		else if (nzpos < usize && nzpos < avail)
			verdict = -E2BIG;
		else
			verdict = usize > avail ? -EFAULT : 0;
	} else {
		verdict = avail < usize ? -EFAULT : 0;
	}
	if (!verdict && known && cmd_writes_back(id) &&
	    writable < (usize < ksize ? usize : ksize))
		verdict = -EFAULT;
	memset(&k, 0, sizeof(k));
	memcpy(&k, &u, usize < ksize ? usize : ksize);
	if (!verdict)
		verdict = handler_verdict(id, &k);
	intro_before(id, fd, excl, known, &k, acc, &verdict, &ic);
	/* ACCESS: a store needs FMODE_WRITE, a load or fetch FMODE_READ. */
	if (id == I_ACCESS && (verdict == ANY || !verdict) && acc >= 0 &&
	    acc != O_RDWR && acc == (k.ac.kind == 1 ? O_RDONLY : O_WRONLY))
		verdict = -EBADF;
	/* The helper changes the protection of that page at any time. */
	if (pk == PK_FLAP) {
		if (known)
			verdict = ANY;
		cmp_len = 0;
	}

	if (is_intro(id))
		intro_log(id, fd, excl, cmd, usize, pk, &u);
	else
		fz_log(&wk.log,
		       "%s fd %d%s cmd %08x size %u ptr %s: %016llx %016llx %016llx %016llx %016llx",
		       iocs[id].name, fd, excl ? " (excl)" : "", cmd, usize,
		       ptr_names[pk], (unsigned long long)((__u64 *)&u)[0],
		       (unsigned long long)((__u64 *)&u)[1],
		       (unsigned long long)((__u64 *)&u)[2],
		       (unsigned long long)((__u64 *)&u)[3],
		       (unsigned long long)((__u64 *)&u)[4]);

	/* A descriptor only this thread reaches: a failure changes nothing. */
	if (excl && pk != PK_FLAP && fz_one_in(&wk.rnd, 6)) {
		if (snap_take(fd, &s1, &list_b, snap_pages[0])) {
			fail("snapshot of fd %d failed", fd);
			return;
		}
	} else {
		s1.l = NULL;
	}

	/* What a mapping call may change, on a descriptor only we reach. */
	have_pre = excl && known && verdict == ANY &&
		   (id == I_MMAP || id == I_MUNMAP || id == I_MPROTECT) &&
		   !fz_stats(fd, &pre);
	/* Where an access stops, from the VMAs (no stack that may grow). */
	have_model = excl && known && verdict == ANY && id == I_ACCESS &&
		     pk != PK_FLAP && k.ac.length &&
		     (!k.ac.buf ||
		      (k.ac.buf >= (uintptr_t)wk.rwbuf &&
		       k.ac.length <= RWBUF_SIZE &&
		       k.ac.buf - (uintptr_t)wk.rwbuf <=
		       RWBUF_SIZE - k.ac.length)) &&
		     fz_one_in(&wk.rnd, 2) &&
		     model_take(fd, &list_b, &task_size) && no_stack(&list_b);
	if (excl && known && !verdict && id == I_BRK && fz_brk(fd, 0, &old_brk))
		old_brk = ~0ULL;
	have_dontneed = excl && known && verdict == ANY && id == I_MADVISE &&
			k.ma.advice == MADV_DONTNEED && pk != PK_FLAP &&
			(fcntl(fd, F_GETFL) & O_ACCMODE) != O_WRONLY &&
			!fz_query(fd, k.ma.addr, 0, &dq) &&
			pread(fd, dn_before, sizeof(dn_before), k.ma.addr) ==
			sizeof(dn_before);

	ret = ioctl(fd, cmd, (void *)(uintptr_t)uptr);
	err = ret ? errno : 0;
	wk.calls[K_IOCTL]++;
	fz_count_err(&wk.errs, err);
	fz_log_more(&wk.log, " -> %s", err ? fz_errname(err) : "0");
	if (ret && ret != -1) {
		fail("ioctl returned %d", ret);
		return;
	}

	if (verdict != ANY && -err != verdict) {
		fail("%s: %s, expected %s (size %u of %u, min %u, %zu bytes readable, ptr %s)",
		     iocs[id].name, err ? fz_errname(err) : "success",
		     verdict ? fz_errname(-verdict) : "success", usize, ksize,
		     iocs[id].min_size, avail, ptr_names[pk]);
		goto close_new;
	}
	if (err && verdict == ANY && !err_allowed(id, err) &&
	    !(pk == PK_FLAP && (err == EFAULT || err == E2BIG)) &&
	    !(err == EBADF && acc != O_RDWR)) {
		fail("%s: unexpected %s", iocs[id].name, fz_errname(err));
		return;
	}

	/* Memory the module may not write must be as it was. */
	if (p && cmp_len) {
		size_t from = 0;

		if (!err && cmd_writes_back(id))
			from = usize < ksize ? usize : ksize;
		if (from < cmp_len && memcmp(before + from, p + from,
					     cmp_len - from)) {
			fail("%s (%s): bytes past offset %zu of the struct changed",
			     iocs[id].name, err ? fz_errname(err) : "success",
			     from);
			goto close_new;
		}
	}
	if (s1.l && (err ? iocs[id].atomic || verdict == -err :
		     id == I_QUERY || id == I_STATS || id == I_GET_LAYOUT ||
		     id == I_GET_LIMITS || id == I_HANDSHAKE || is_intro(id) ||
		     (id == I_BRK && !k.brk.brk))) {
		const char *what;

		if (snap_take(fd, &s2, &list_a, snap_pages[1])) {
			fail("snapshot of fd %d failed", fd);
			goto close_new;
		}
		/* CLEAR_REFS changes the bits it is for, nothing else */
		what = snap_diff(&s1, &s2, err || id != I_CLEAR_REFS);
		if (what) {
			fail("%s (%s) changed %s", iocs[id].name,
			     err ? fz_errname(err) : "success", what);
			goto close_new;
		}
	}
	if (err) {
		intro_result(id, err, verdict, pk, NULL, &ic);
		return;
	}

	memset(&out, 0, sizeof(out));
	if (pk == PK_FLAP) {
		pthread_mutex_lock(&wk.flap_lock);
		mprotect(wk.flap, PG, PROT_READ | PROT_WRITE);
	}
	memcpy(&out, p, usize < ksize ? usize : ksize);
	if (pk == PK_FLAP)
		pthread_mutex_unlock(&wk.flap_lock);
	check_output(id, fd, excl, &k, &out, usize);
	if (is_intro(id) && intro_result(id, 0, verdict, pk, &out, &ic))
		intro_success(id, fd, &k, &out, &ic);
	if (have_pre)
		check_accounting(id, fd, &k, &pre);
	if (have_model) {
		static const enum reach_how hows[] = {
			R_LOAD, R_STORE, R_FETCH,
		};
		__u64 done;
		int code;

		done = reach(&list_b, task_size, hows[k.ac.kind], k.ac.addr,
			     k.ac.length, &code);
		wk.calls[K_MODEL]++;
		if (out.ac.done != done || out.ac.si_code != code)
			fail("ACCESS kind %u %llx+%llx: done %llx code %d; "
			     "the VMAs say done %llx code %d",
			     k.ac.kind, (unsigned long long)k.ac.addr,
			     (unsigned long long)k.ac.length,
			     (unsigned long long)out.ac.done,
			     out.ac.si_code, (unsigned long long)done, code);
	}
	if (id == I_BRK && old_brk && old_brk != ~0ULL &&
	    out.brk.brk != k.brk.brk && out.brk.brk != old_brk)
		fail("BRK %llx from %llx: %llx, neither",
		     (unsigned long long)k.brk.brk,
		     (unsigned long long)old_brk,
		     (unsigned long long)out.brk.brk);
	if (have_dontneed) {
		bool shared = dq.vma_flags & ASPACE_VMA_SHARED;

		wk.calls[K_MODEL]++;
		if (pread(fd, dn_after, sizeof(dn_after), k.ma.addr) !=
		    sizeof(dn_after))
			fail("pread after MADV_DONTNEED at %llx: %s",
			     (unsigned long long)k.ma.addr, strerror(errno));
		else if (shared ? memcmp(dn_before, dn_after,
					 sizeof(dn_after)) :
			 dn_after[0] || memcmp(dn_after, dn_after + 1,
					       sizeof(dn_after) - 1))
			fail("MADV_DONTNEED at %llx (%s): the bytes are not %s",
			     (unsigned long long)k.ma.addr,
			     shared ? "shared" : "private",
			     shared ? "the same" : "zeros");
	}
	if (id == I_CLONE)
		adopt_clone(fd, excl, out.cl.fd, k.cl.flags);
	return;

close_new:
	/* A clone may have made a descriptor even so: do not leak it. */
	if (!err && known && id == I_CLONE && p && cmd_writes_back(id)) {
		memcpy(&out, p, sizeof(out.cl));
		if (out.cl.fd > 2 && out.cl.fd != UNDER_FD)
			close(out.cl.fd);
	}
}

/*
 * A clone of a descriptor only this thread reaches: the same VMAs but
 * those marked MADV_DONTFORK, and the same bytes but in those marked
 * MADV_WIPEONFORK (zeros).
 */
static void check_clone(int src, bool excl, int nfd, __u32 flags)
{
	unsigned char a[64], b[64];
	unsigned int i, j, n = 0;
	ssize_t na, nb;
	int ea, eb;
	__u64 addr;
	int ret;

	if (!excl)
		return;
	ret = fz_list_vmas(src, &list_a);
	if (!ret)
		ret = fz_list_vmas(nfd, &list_b);
	if (ret) {
		fail("listing a clone and its source: %s", strerror(-ret));
		return;
	}
	for (i = 0; i < list_a.n; i++)
		if (!(list_a.v[i].flags & ASPACE_VMA_DONTFORK))
			list_a.v[n++] = list_a.v[i];
	list_a.n = n;
	if (list_a.n != list_b.n ||
	    memcmp(list_a.v, list_b.v, n * sizeof(list_a.v[0]))) {
		fail("CLONE flags %#x: the clone has %u VMAs, the source %u (not DONTFORK)",
		     flags, list_b.n, list_a.n);
		return;
	}
	/* the bytes: pread, so not through a write-only descriptor */
	if ((fcntl(src, F_GETFL) & O_ACCMODE) == O_WRONLY)
		n = 0;
	for (j = 0; j < 4 && n; j++) {
		i = fz_below(&wk.rnd, n);
		addr = list_a.v[i].start +
		       fz_below(&wk.rnd, list_a.v[i].end - list_a.v[i].start);
		if (addr > list_a.v[i].end - sizeof(a))
			addr = list_a.v[i].end - sizeof(a);
		na = pread(src, a, sizeof(a), addr);
		ea = errno;
		nb = pread(nfd, b, sizeof(b), addr);
		eb = errno;
		wk.calls[K_READ] += 2;
		/* a shared page not there yet needs a page: resident limit */
		if ((na < 0 && ea == ENOMEM && near_resident_limit(src)) ||
		    (nb < 0 && eb == ENOMEM && near_resident_limit(nfd)))
			continue;
		if (na != sizeof(a) || nb != sizeof(b)) {
			fail("pread at %llx: %zd (%s) from the source, "
			     "%zd (%s) from the clone",
			     (unsigned long long)addr, na,
			     na < 0 ? fz_errname(ea) : "", nb,
			     nb < 0 ? fz_errname(eb) : "");
			return;
		}
		if (list_a.v[i].flags & ASPACE_VMA_WIPEONFORK)
			memset(a, 0, sizeof(a));
		if (memcmp(a, b, sizeof(a))) {
			fail("CLONE flags %#x: bytes at %llx differ (VMA flags %llx)",
			     flags, (unsigned long long)addr,
			     (unsigned long long)list_a.v[i].flags);
			return;
		}
	}
}

/* ------------------------------------------------------------------ */
/* pread, pwrite and friends. */

static const __u64 counts[] = {
	0, 1, 7, 8, PG - 1, PG, PG + 1, PAGES(3) + 5, RWBUF_SIZE - 1,
	RWBUF_SIZE, RWBUF_SIZE + 1, 1 << 20, 0x7fffffffffffffffULL, ~0ULL,
};

static bool rw_errno_ok(int err)
{
	return err == EIO || err == ENOMEM || err == EFAULT || err == EINVAL;
}

static void op_rw(int si, bool under)
{
	int fd = under ? UNDER_FD : wk.slot[si].fd, kind, err = 0, acc, code;
	bool excl = !under && wk.slot[si].excl, wrong_mode, predict;
	__u64 task_size = 0, want;
	__u64 off = gen_addr(under ? -1 : si), count, r;
	unsigned char *buf;
	const char *what;
	ssize_t n;

	r = fz_below(&wk.rnd, 100);
	count = r < 60 ? 1 + fz_below(&wk.rnd, PAGES(2)) : PICK(counts);
	r = fz_below(&wk.rnd, 100);
	if (r < 80)
		buf = wk.rwbuf + (count < RWBUF_SIZE ?
				  fz_below(&wk.rnd, RWBUF_SIZE - count + 1) :
				  0);
	else if (r < 86)
		buf = wk.ro;
	else if (r < 90)
		buf = NULL;
	else if (r < 94)
		buf = wk.none;
	else
		buf = (unsigned char *)(uintptr_t)KERNEL_PTR;
	/* O_RDONLY and O_WRONLY descriptors too (the main thread's own fd) */
	acc = fcntl(fd, F_GETFL);
	acc = acc < 0 ? -1 : acc & O_ACCMODE;
	kind = fz_below(&wk.rnd, 8);
	if (kind == 7 && (!excl || acc != O_RDWR))
		kind = 0;
	if (buf == wk.rwbuf && fz_one_in(&wk.rnd, 4))
		memset(buf, fz_rand(&wk.rnd), count < 256 ? count : 256);
	/*
	 * How far it must get, from the VMAs (a private descriptor with no
	 * stack: a transfer below one grows it, as __access_remote_vm()).
	 */
	predict = excl && (kind == 0 || kind == 1 || kind == 7) && count &&
		  acc >= 0 && acc != (kind ? O_RDONLY : O_WRONLY) &&
		  buf >= wk.rwbuf && count <= RWBUF_SIZE &&
		  (__u64)(buf - wk.rwbuf) <= RWBUF_SIZE - count &&
		  (__s64)off >= 0 && (__s64)(off + count) > 0 &&
		  fz_one_in(&wk.rnd, 2) &&
		  model_take(fd, &list_b, &task_size) && no_stack(&list_b);

	switch (kind) {
	case 0:
		what = "pread";
		n = pread(fd, buf, count, off);
		break;
	case 1:
	case 7:
		what = "pwrite";
		n = pwrite(fd, buf, count, off);
		break;
	case 2:
		what = "read";
		n = read(fd, buf, count);
		break;
	case 3:
		what = "write";
		n = write(fd, buf, count);
		break;
	case 4:
	case 5: {
		struct iovec iov[3];
		int i, niov = 1 + fz_below(&wk.rnd, 3);

		for (i = 0; i < niov; i++) {
			iov[i].iov_base = i ? wk.rwbuf2 + PAGES(i) : buf;
			iov[i].iov_len = i ? fz_below(&wk.rnd, PG + 1) :
				count;
		}
		if (count > RWBUF_SIZE)
			iov[0].iov_len = fz_below(&wk.rnd, RWBUF_SIZE);
		what = kind == 4 ? "preadv" : "pwritev";
		n = kind == 4 ? preadv(fd, iov, niov, off) :
				pwritev(fd, iov, niov, off);
		count = 0;
		for (i = 0; i < niov; i++)
			count += iov[i].iov_len;
		break;
	}
	default: {
		static const int whences[] = {
			SEEK_SET, SEEK_SET, SEEK_CUR, SEEK_CUR, SEEK_END,
			SEEK_DATA, SEEK_HOLE, 7, -1,
		};
		int whence = whences[fz_below(&wk.rnd, ARRAY_LEN(whences))];
		off_t cur = excl ? lseek(fd, 0, SEEK_CUR) : 0, res, want;

		fz_log(&wk.log, "lseek fd %d%s %llx whence %d (at %llx)", fd,
		       excl ? " (excl)" : "", (unsigned long long)off, whence,
		       (unsigned long long)cur);
		res = lseek(fd, (off_t)off, whence);
		err = res < 0 ? errno : 0;
		wk.calls[K_LSEEK]++;
		fz_count_err(&wk.errs, err);
		fz_log_more(&wk.log, " -> %lld %s", (long long)res,
			    err ? fz_errname(err) : "");
		if (res < 0 && err != EINVAL && !(under && err == EBADF)) {
			fail("lseek: %s", fz_errname(err));
			return;
		}
		if (!excl)
			return;
		if (whence == SEEK_SET)
			want = (off_t)off >= 0 ? (off_t)off : -EINVAL;
		else if (whence != SEEK_CUR ||
			 __builtin_add_overflow(cur, (off_t)off, &want) ||
			 want < 0)
			want = -EINVAL;
		if ((res < 0 ? -err : res) != want)
			fail("lseek %llx whence %d from %llx: %lld, expected %lld",
			     (unsigned long long)off, whence,
			     (unsigned long long)cur,
			     (long long)(res < 0 ? -err : res),
			     (long long)want);
		return;
	}
	}
	err = n < 0 ? errno : 0;
	r = kind == 0 || kind == 2 || kind == 4;	/* a read */
	wk.calls[r ? K_READ : K_WRITE]++;
	fz_count_err(&wk.errs, err);
	fz_log(&wk.log, "%s fd %d%s at %llx count %llx buf %p -> %zd %s", what,
	       fd, excl ? " (excl)" : "", (unsigned long long)off,
	       (unsigned long long)count, (void *)buf, n,
	       err ? fz_errname(err) : "");
	if (n < 0 ? !rw_errno_ok(err) && err != EBADF : (__u64)n > count) {
		fail("%s at %llx count %llx: %zd %s", what,
		     (unsigned long long)off, (unsigned long long)count, n,
		     err ? fz_errname(err) : "");
		return;
	}
	/*
	 * A descriptor not open for this: EBADF; but the VFS refuses a
	 * negative offset first, and imports the iovecs of preadv and
	 * pwritev (EFAULT, EINVAL) before it looks at the mode.
	 */
	wrong_mode = acc == (r ? O_WRONLY : O_RDONLY);
	if (!under && (wrong_mode ? err != EBADF &&
		       !(kind != 2 && kind != 3 && (__s64)off < 0 &&
			 err == EINVAL) &&
		       !((kind == 4 || kind == 5) &&
			 (err == EFAULT || err == EINVAL)) :
		       err == EBADF)) {
		fail("%s on a descriptor open with mode %d: %zd %s", what, acc,
		     n, fz_errname(err));
		return;
	}
	if (wrong_mode)
		return;
	/* Rules that leave no choice, for a buffer that is all there. */
	if ((kind == 0 || kind == 1 || kind == 7) && buf >= wk.rwbuf &&
	    buf <= wk.rwbuf + RWBUF_SIZE && count <= RWBUF_SIZE &&
	    (__u64)(buf - wk.rwbuf) <= RWBUF_SIZE - count) {
		if ((__s64)off < 0 && err != EINVAL)
			fail("%s at negative offset %llx: %zd", what,
			     (unsigned long long)off, n);
		else if ((__s64)off >= 0 && !count && n != 0)
			fail("%s of 0 bytes: %zd %s", what, n,
			     fz_errname(err));
		else if ((__s64)off >= 0 && count && off >= TASK56 - PG &&
			 (__s64)(off + count) > 0 && err != EIO)
			fail("%s past the task size at %llx: %zd %s", what,
			     (unsigned long long)off, n, fz_errname(err));
	}
	/* As far as the VMAs let it, unless the resident limit stopped it. */
	if (predict) {
		want = reach(&list_b, task_size, kind ? R_PWRITE : R_PREAD,
			     off, count, &code);
		wk.calls[K_MODEL]++;
		if ((want ? n != (ssize_t)want : err != EIO) &&
		    !((n < 0 ? err == ENOMEM : (__u64)n < want) &&
		      near_resident_limit(fd)))
			fail("%s at %llx count %llx: %zd %s; the VMAs say %llx bytes",
			     what, (unsigned long long)off,
			     (unsigned long long)count, n, fz_errname(err),
			     (unsigned long long)want);
	}
	/* What was written reads back. */
	if (kind == 7 && n > 0) {
		ssize_t m = pread(fd, wk.rwbuf2, n, off);

		wk.calls[K_READ]++;
		if (m != n || memcmp(wk.rwbuf2, buf, n))
			fail("pwrite of %zd bytes at %llx reads back %zd bytes%s",
			     n, (unsigned long long)off, m,
			     m == n ? ", not the same" : "");
	}
}

/* ------------------------------------------------------------------ */
/* Passing descriptors. */

struct fd_msg {
	__u32 magic;
	__u32 excl;
};

static void op_send(void)
{
	int si = pick_slot(), fds[2], nfds = 1, ret;
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} cbuf;
	struct fd_msg m = { MAGIC_MSG, 0 };
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	bool drop = fz_one_in(&wk.rnd, 2);

	fds[0] = wk.slot[si].fd;
	if (fz_one_in(&wk.rnd, 4)) {
		fds[1] = wk.under_open && fz_one_in(&wk.rnd, 2) ? UNDER_FD :
			 wk.slot[pick_slot()].fd;
		nfds = 2;
	}
	m.excl = wk.slot[si].excl && drop && nfds == 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	ret = sendmsg(wk.sock_out, &mh, MSG_DONTWAIT) < 0 ? errno : 0;
	wk.calls[K_SEND]++;
	fz_log(&wk.log, "send fd %d%s (+%d) %s -> %s", fds[0],
	       m.excl ? " (excl)" : "", nfds == 2 ? fds[1] : -1,
	       drop ? "and close it" : "and keep it",
	       ret ? fz_errname(ret) : "0");
	if (ret) {
		/* the next worker may be gone already at the end */
		if (ret != EAGAIN && ret != ENOBUFS && ret != ETOOMANYREFS &&
		    !((ret == ECONNREFUSED || ret == EPIPE) &&
		      __atomic_load_n(&shm->stop, __ATOMIC_ACQUIRE)))
			fail("sendmsg: %s", strerror(ret));
		return;
	}
	mark_shared(fds[0]);
	if (nfds == 2)
		mark_shared(fds[1]);
	if (drop)
		slot_close(si);
}

/* Receive one message; returns false when there is none. */
static bool op_recv(bool all)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	bool small = !all && fz_one_in(&wk.rnd, 4);
	struct fd_msg m = { 0 };
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	int fds[2], nfds = 0, i, flags;
	ssize_t n;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = small ? CMSG_SPACE(sizeof(int)) :
			    sizeof(cbuf.buf);
	flags = MSG_DONTWAIT | (fz_one_in(&wk.rnd, 2) ? MSG_CMSG_CLOEXEC : 0);
	n = recvmsg(wk.sock_in, &mh, flags);
	wk.calls[K_RECV]++;
	if (n < 0) {
		if (errno != EAGAIN)
			fail("recvmsg: %s", strerror(errno));
		return false;
	}
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; i < (int)((c->cmsg_len - CMSG_LEN(0)) /
				      sizeof(int)) && nfds < 2; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
	}
	fz_log(&wk.log, "recv %zd bytes, %d fds (%d %d)%s%s", n, nfds,
	       nfds > 0 ? fds[0] : -1, nfds > 1 ? fds[1] : -1,
	       mh.msg_flags & MSG_CTRUNC ? " truncated" : "",
	       m.excl ? " excl" : "");
	if (n != sizeof(m) || m.magic != MAGIC_MSG) {
		fail("recvmsg: %zd bytes, magic %#x", n, m.magic);
		return true;
	}
	for (i = 0; i < nfds; i++) {
		struct aspace_handshake hs = {
			.size = sizeof(hs), .api_version = 1,
		};

		if (ioctl(fds[i], ASPACE_IOC_HANDSHAKE, &hs)) {
			fail("HANDSHAKE on a received fd %d: %s", fds[i],
			     strerror(errno));
			close(fds[i]);
			continue;
		}
		slot_put(fz_below(&wk.rnd, NSLOT), fds[i],
			 m.excl && nfds == 1 && !(mh.msg_flags & MSG_CTRUNC));
	}
	return true;
}

/* Put a descriptor under the helper's number, or take it away. */
static void op_under(void)
{
	int si, ret;

	wk.calls[K_DUP2]++;
	if (wk.under_open && fz_one_in(&wk.rnd, 2)) {
		fz_log(&wk.log, "close %d under the helper", UNDER_FD);
		if (close(UNDER_FD))
			fail("close(%d): %s", UNDER_FD, strerror(errno));
		wk.under_open = false;
		return;
	}
	si = pick_slot();
	fz_log(&wk.log, "dup2 %d onto %d under the helper", wk.slot[si].fd,
	       UNDER_FD);
	ret = dup2(wk.slot[si].fd, UNDER_FD);
	if (ret != UNDER_FD) {
		fail("dup2: %s", strerror(errno));
		return;
	}
	wk.slot[si].excl = false;
	wk.under_open = true;
}

/* ------------------------------------------------------------------ */
/* The helper thread: plain calls on UNDER_FD, which may go at any time. */

static __u64 h_rand(__u64 n)
{
	return fz_below(&wk.helper.rnd, n);
}

static void helper_check(const char *what, int err, const int *ok)
{
	fz_count_err(&wk.helper.errs, err);
	fz_log_more(&wk.helper.log, " -> %s", err ? fz_errname(err) : "0");
	if (!err || err == EBADF)
		return;
	for (; *ok; ok++)
		if (*ok == err)
			return;
	helper_fail("%s on fd %d: unexpected %s", what, UNDER_FD,
		    fz_errname(err));
}

/*
 * Introspection of [@addr, @addr + @len) while the main thread changes
 * the address space under it (or replaces the descriptor): each result
 * sane on its own.
 */
static void helper_intro(__u64 addr, __u64 len)
{
	static struct aspace_ptdump_entry hv_pd[64];
	static struct aspace_page_region hv_ps[64];
	static const int e_none[] = { 0 };
	struct helper *h = &wk.helper;
	union anyst u, in;
	char why[320];
	int err;

	memset(&u, 0, sizeof(u));
	switch (h_rand(4)) {
	case 0:
		u.tr.size = sizeof(u.tr);
		u.tr.addr = addr + h_rand(len);
		in = u;
		fz_log(&h->log, "translate %llx", (unsigned long long)u.tr.addr);
		err = ioctl(UNDER_FD, ASPACE_IOC_TRANSLATE, &u) ? errno : 0;
		helper_check("TRANSLATE", err, e_none);
		if (!err && !fz_translate_sane(&in.tr, &u.tr, frames_shown, 0,
					       why, sizeof(why)))
			helper_fail("%s", why);
		break;
	case 1:
		u.pd.size = sizeof(u.pd);
		u.pd.flags = h_rand(2);
		u.pd.start = h_rand(4) ? addr : 0;
		u.pd.end = addr + len;
		u.pd.mask = h_rand(2) ? 0 : ASPACE_PTE_RW | ASPACE_PTE_NX;
		u.pd.vec = (uintptr_t)hv_pd;
		u.pd.vec_len = 1 + h_rand(ARRAY_LEN(hv_pd));
		in = u;
		fz_log(&h->log, "ptdump [%llx, %llx) flags %u room %llu",
		       (unsigned long long)u.pd.start,
		       (unsigned long long)u.pd.end, u.pd.flags,
		       (unsigned long long)u.pd.vec_len);
		err = ioctl(UNDER_FD, ASPACE_IOC_PTDUMP, &u) ? errno : 0;
		helper_check("PTDUMP", err, e_none);
		if (!err && !fz_ptdump_sane(&in.pd, &u.pd, hv_pd, 0, false,
					    why, sizeof(why)))
			helper_fail("%s", why);
		break;
	case 2:
		u.ps.size = sizeof(u.ps);
		u.ps.start = addr;
		u.ps.end = addr + len;
		u.ps.vec = (uintptr_t)hv_ps;
		u.ps.vec_len = 1 + h_rand(ARRAY_LEN(hv_ps));
		u.ps.max_pages = h_rand(2) ? 0 : 1 + h_rand(8);
		u.ps.category_mask = h_rand(2) ? 0 : 1ULL << h_rand(8);
		u.ps.return_mask = h_rand(2) ? ASPACE_PAGE_CATEGORIES :
				   h_rand(256);
		in = u;
		fz_log(&h->log, "pagescan [%llx, %llx) mask %llx ret %llx",
		       (unsigned long long)u.ps.start,
		       (unsigned long long)u.ps.end,
		       (unsigned long long)u.ps.category_mask,
		       (unsigned long long)u.ps.return_mask);
		err = ioctl(UNDER_FD, ASPACE_IOC_PAGESCAN, &u) ? errno : 0;
		helper_check("PAGESCAN", err, e_none);
		if (!err && !fz_pagescan_sane(&in.ps, &u.ps, hv_ps, false,
					      why, sizeof(why)))
			helper_fail("%s", why);
		break;
	default:
		u.cr.size = sizeof(u.cr);
		u.cr.flags = 1 + h_rand(3);
		u.cr.start = addr;
		u.cr.end = addr + len;
		fz_log(&h->log, "clear_refs %u [%llx, %llx)", u.cr.flags,
		       (unsigned long long)u.cr.start,
		       (unsigned long long)u.cr.end);
		err = ioctl(UNDER_FD, ASPACE_IOC_CLEAR_REFS, &u) ? errno : 0;
		helper_check("CLEAR_REFS", err, e_none);
		break;
	}
}

static void helper_op(void)
{
	static const int e_map[] = { EINVAL, ENOMEM, EEXIST, EPERM, 0 };
	static const int e_acc[] = { EINVAL, ENOMEM, 0 };
	static const int e_rng[] = { EINVAL, ENOMEM, EAGAIN, 0 };
	static const int e_qry[] = { ENOENT, 0 };
	static const int e_rw[] = { EIO, ENOMEM, 0 };
	static const int e_clone[] = { ENOMEM, EMFILE, 0 };
	struct helper *h = &wk.helper;
	__u64 addr = HOT + PAGES(h_rand(HOT_PAGES)), len;
	union anyst u;
	ssize_t n;
	int err, nfd;

	len = PAGES(1 + h_rand(16));
	memset(&u, 0, sizeof(u));
	h->calls++;
	switch (h_rand(13)) {
	case 0:
	case 1:
		u.mm.size = sizeof(u.mm);
		u.mm.prot = h_rand(8);
		u.mm.flags = (h_rand(3) ? MAP_PRIVATE : MAP_SHARED) |
			     (h_rand(2) ? MAP_FIXED : MAP_FIXED_NOREPLACE) |
			     (h_rand(4) ? 0 : MAP_POPULATE);
		u.mm.addr = addr;
		u.mm.length = len;
		fz_log(&h->log, "mmap %llx+%llx prot %u flags %#x",
		       (unsigned long long)addr, (unsigned long long)len,
		       u.mm.prot, u.mm.flags);
		err = ioctl(UNDER_FD, ASPACE_IOC_MMAP, &u) ? errno : 0;
		helper_check("MMAP", err, e_map);
		break;
	case 2:
	case 3:
		u.rg.size = sizeof(u.rg);
		u.rg.prot = h_rand(2) ? h_rand(8) : 0;
		u.rg.addr = addr;
		u.rg.length = len;
		fz_log(&h->log, "%s %llx+%llx prot %u",
		       u.rg.prot ? "mprotect" : "munmap",
		       (unsigned long long)addr, (unsigned long long)len,
		       u.rg.prot);
		err = ioctl(UNDER_FD, u.rg.prot ? ASPACE_IOC_MPROTECT :
			    ASPACE_IOC_MUNMAP, &u) ? errno : 0;
		helper_check("MUNMAP/MPROTECT", err, e_rng);
		break;
	case 4:
		u.ma.size = sizeof(u.ma);
		u.ma.advice = good_advice[h_rand(ARRAY_LEN(good_advice))];
		u.ma.addr = addr;
		u.ma.length = len;
		fz_log(&h->log, "madvise %llx+%llx %u",
		       (unsigned long long)addr, (unsigned long long)len,
		       u.ma.advice);
		err = ioctl(UNDER_FD, ASPACE_IOC_MADVISE, &u) ? errno : 0;
		helper_check("MADVISE", err, e_rng);
		break;
	case 5:
		fz_log(&h->log, "query %llx", (unsigned long long)addr);
		err = -fz_query(UNDER_FD, addr, h_rand(2), &u.q);
		helper_check("QUERY", err, e_qry);
		if (!err && u.q.vma_end <= u.q.vma_start)
			helper_fail("QUERY: %llx-%llx",
				    (unsigned long long)u.q.vma_start,
				    (unsigned long long)u.q.vma_end);
		break;
	case 6:
		fz_log(&h->log, "stats");
		err = -fz_stats(UNDER_FD, &u.st);
		helper_check("STATS", err, e_qry + 1);
		break;
	case 7:
	case 8: {
		bool rd = h_rand(2);

		len = 1 + h_rand(sizeof(h->buf));
		addr = HOT + h_rand(PAGES(HOT_PAGES));
		fz_log(&h->log, "p%s %llx+%llx", rd ? "read" : "write",
		       (unsigned long long)addr, (unsigned long long)len);
		n = rd ? pread(UNDER_FD, h->buf, len, addr) :
			 pwrite(UNDER_FD, h->buf, len, addr);
		err = n < 0 ? errno : 0;
		helper_check("pread/pwrite", err, e_rw);
		if (n > (ssize_t)len)
			helper_fail("pread/pwrite of %llu bytes: %zd",
				    (unsigned long long)len, n);
		break;
	}
	case 9:
		u.ac.size = sizeof(u.ac);
		u.ac.kind = h_rand(3);
		u.ac.addr = HOT + h_rand(PAGES(HOT_PAGES));
		u.ac.length = h_rand(sizeof(h->buf) + 1);
		u.ac.buf = h_rand(4) ? (uintptr_t)h->buf : 0;
		fz_log(&h->log, "access kind %u %llx+%llx", u.ac.kind,
		       (unsigned long long)u.ac.addr,
		       (unsigned long long)u.ac.length);
		err = ioctl(UNDER_FD, ASPACE_IOC_ACCESS, &u) ? errno : 0;
		helper_check("ACCESS", err, e_acc);
		if (!err && (u.ac.done > u.ac.length ||
			     (u.ac.signo && u.ac.signo != SIGSEGV)))
			helper_fail("ACCESS: done %llu of %llu, signal %d",
				    (unsigned long long)u.ac.done,
				    (unsigned long long)u.ac.length,
				    u.ac.signo);
		break;
	case 11:
	case 12:
		helper_intro(addr, len);
		break;
	default:
		u.cl.size = sizeof(u.cl);
		u.cl.flags = h_rand(4);
		fz_log(&h->log, "clone flags %u and close", u.cl.flags);
		err = ioctl(UNDER_FD, ASPACE_IOC_CLONE, &u) ? errno : 0;
		helper_check("CLONE", err, e_clone);
		if (!err) {
			nfd = u.cl.fd;
			if (h_rand(2))
				fz_stats(nfd, &u.st);
			close(nfd);
		}
		break;
	}
}

static void *helper_main(void *arg)
{
	struct helper *h = arg;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&h->pause_req, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&h->paused, 1, __ATOMIC_RELEASE);
			while (__atomic_load_n(&h->pause_req,
					       __ATOMIC_ACQUIRE) &&
			       !__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE))
				usleep(1000);
			__atomic_store_n(&h->paused, 0, __ATOMIC_RELEASE);
			continue;
		}
		if (h->failed) {
			usleep(10000);
			continue;
		}
		/* The main thread may have a struct on this page. */
		if (!h_rand(3)) {
			static const int prots[] = {
				PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
			};

			pthread_mutex_lock(&wk.flap_lock);
			mprotect(wk.flap, PG, prots[h_rand(3)]);
			pthread_mutex_unlock(&wk.flap_lock);
		}
		/* Nothing under UNDER_FD: wait for the main thread a little. */
		if (fcntl(UNDER_FD, F_GETFD) < 0) {
			usleep(200);
			continue;
		}
		helper_op();
	}
	return NULL;
}

static void helper_pause(bool pause)
{
	if (!opt.helper)
		return;
	__atomic_store_n(&wk.helper.pause_req, pause, __ATOMIC_RELEASE);
	while (pause && !__atomic_load_n(&wk.helper.paused, __ATOMIC_ACQUIRE))
		usleep(200);
}

/* ------------------------------------------------------------------ */
/* A worker process. */

/* Wait for @n arrivals at phase @ph of a checkpoint (false: stopped). */
static bool cp_wait(int ph, int n)
{
	__u64 end = fz_now_ms() + WAIT_MS;

	while (__atomic_load_n(&shm->cp_arrive[ph], __ATOMIC_ACQUIRE) < n) {
		if (__atomic_load_n(&shm->stop, __ATOMIC_ACQUIRE))
			return false;
		if (fz_now_ms() > end) {
			fail("checkpoint phase %d: %d of %d workers after %d s",
			     ph, __atomic_load_n(&shm->cp_arrive[ph],
						 __ATOMIC_ACQUIRE), n,
			     WAIT_MS / 1000);
			return false;
		}
		usleep(1000);
	}
	return true;
}

static void cp_report_fd(struct wshared *me, int fd)
{
	struct aspace_stats st;
	struct cp_entry *e;
	int ret;

	ret = fz_stats(fd, &st);
	if (ret) {
		fail("STATS of fd %d at a checkpoint: %s", fd, strerror(-ret));
		return;
	}
	e = &me->cp[me->ncp++];
	e->fd = fd;
	e->nr_vmas = st.nr_vmas;
	e->pgtables = fz_pgtables(&st);
	e->resident = st.resident_pages;
	e->shared = st.shared_pages;
}

static void worker_checkpoint(int gen)
{
	struct wshared *me = &shm->w[wk.id];
	int n = opt.procs, i;

	helper_pause(true);
	__atomic_add_fetch(&shm->cp_arrive[0], 1, __ATOMIC_ACQ_REL);
	if (!cp_wait(0, n))
		goto out;
	/* Nobody sends now: take in what is in flight. */
	while (op_recv(true))
		;
	__atomic_add_fetch(&shm->cp_arrive[1], 1, __ATOMIC_ACQ_REL);
	if (!cp_wait(1, n))
		goto out;
	me->ncp = 0;
	for (i = 0; i < NSLOT; i++)
		if (wk.slot[i].fd >= 0)
			cp_report_fd(me, wk.slot[i].fd);
	if (wk.under_open)
		cp_report_fd(me, UNDER_FD);
	__atomic_add_fetch(&shm->cp_arrive[2], 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&shm->cp_release, __ATOMIC_ACQUIRE) < gen &&
	       !__atomic_load_n(&shm->stop, __ATOMIC_ACQUIRE))
		usleep(1000);
out:
	helper_pause(false);
}

/*
 * A forked child makes long calls on a descriptor it inherited until it
 * is killed (SIGKILL) in the middle of one: populating, an eager clone,
 * big transfers, unmapping everything, dumping and scanning everything.
 * The call must stop, leaving the address space consistent (the next
 * check) and nothing behind when the child's descriptors go (the
 * checkpoints and the end).
 */
static void child_long_calls(int fd, unsigned int what, __u64 seed)
{
	struct aspace_mmap m = {
		.size = sizeof(m), .prot = PROT_READ | PROT_WRITE,
		.flags = MAP_PRIVATE, .length = AS_CAP / 2,
	};
	struct aspace_madvise ma = {
		.size = sizeof(ma), .addr = 0, .length = TASK47 - PG,
	};
	struct aspace_clone c = { .size = sizeof(c) };
	struct aspace_range r = { .size = sizeof(r) };
	struct aspace_ptdump d = {
		.size = sizeof(d), .flags = ASPACE_PTDUMP_HOLES,
		.end = TASK47 - PG, .vec = (uintptr_t)wk.rwbuf,
		.vec_len = RWBUF_SIZE / sizeof(struct aspace_ptdump_entry),
	};
	struct aspace_pagescan p = {
		.size = sizeof(p), .end = TASK47 - PG,
		.vec = (uintptr_t)wk.rwbuf,
		.vec_len = RWBUF_SIZE / sizeof(struct aspace_page_region),
		.return_mask = ASPACE_PAGE_CATEGORIES,
	};
	struct aspace_clear_refs cr = {
		.size = sizeof(cr), .flags = 3, .end = TASK47 - PG,
	};
	__u64 rnd = seed;
	int i;

	for (;;) {
		switch (what) {
		case 0:
			m.flags = MAP_PRIVATE | MAP_POPULATE;
			if (!ioctl(fd, ASPACE_IOC_MMAP, &m)) {
				r.addr = m.addr;
				r.length = m.length;
				ioctl(fd, ASPACE_IOC_MUNMAP, &r);
			}
			m.addr = 0;
			break;
		case 1:
			c.flags = ASPACE_CLONE_EAGER;
			if (!ioctl(fd, ASPACE_IOC_CLONE, &c))
				close(c.fd);
			break;
		case 2:
			ma.advice = fz_below(&rnd, 2) ? MADV_POPULATE_WRITE :
							MADV_POPULATE_READ;
			ioctl(fd, ASPACE_IOC_MADVISE, &ma);
			ma.advice = MADV_DONTNEED;
			ioctl(fd, ASPACE_IOC_MADVISE, &ma);
			break;
		case 3:
			if (pwrite(fd, wk.rwbuf, RWBUF_SIZE,
				   HOT + fz_below(&rnd, PAGES(HOT_PAGES))) < 0 &&
			    pread(fd, wk.rwbuf, RWBUF_SIZE,
				  HOT + fz_below(&rnd, PAGES(HOT_PAGES))) < 0)
				usleep(1);
			break;
		default:
			/* many small VMAs, then all of them at once */
			for (i = 0; i < 64; i++) {
				m.flags = MAP_PRIVATE | MAP_FIXED;
				m.addr = HOT + PAGES(2 * i);
				m.length = PG;
				m.prot = fz_below(&rnd, 4);
				ioctl(fd, ASPACE_IOC_MMAP, &m);
			}
			r.addr = 0;
			r.length = TASK47 - PG;
			ioctl(fd, ASPACE_IOC_MUNMAP, &r);
			m.length = AS_CAP / 2;
			m.addr = 0;
			break;
		case 5:
			/* a page at a time, everything, resumed */
			m.flags = MAP_PRIVATE | MAP_POPULATE;
			m.prot = PROT_READ | fz_below(&rnd, 2) * PROT_WRITE;
			if (!ioctl(fd, ASPACE_IOC_MMAP, &m)) {
				r.addr = m.addr;
				r.length = m.length;
			}
			for (d.start = 0; !ioctl(fd, ASPACE_IOC_PTDUMP, &d) &&
			     d.walk_end < d.end;)
				d.start = d.walk_end;
			p.category_mask = fz_below(&rnd, 2) *
					  ASPACE_PAGE_PRESENT;
			for (p.start = 0; !ioctl(fd, ASPACE_IOC_PAGESCAN, &p) &&
			     p.walk_end < p.end;)
				p.start = p.walk_end;
			ioctl(fd, ASPACE_IOC_CLEAR_REFS, &cr);
			if (r.length)
				ioctl(fd, ASPACE_IOC_MUNMAP, &r);
			r.length = 0;
			m.addr = 0;
			break;
		}
	}
}

static void op_kill(int si)
{
	static const char * const names[] = {
		"populate", "eager clone", "transfer", "madvise", "unmap",
		"dump",
	};
	unsigned int what = fz_below(&wk.rnd, ARRAY_LEN(names));
	__u64 delay = fz_below(&wk.rnd, 4000), seed = fz_rand(&wk.rnd);
	int fd = wk.slot[si].fd, status;
	pid_t pid;

	fz_log(&wk.log, "fork a child to %s on fd %d, SIGKILL after %llu us",
	       names[what], fd, (unsigned long long)delay);
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		child_long_calls(fd, what == 3 ? 2 : what == 2 ? 3 : what,
				 seed);
		_exit(0);
	}
	usleep(delay);
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status))
		fail("the child did not die of SIGKILL: status %#x", status);
	wk.kills++;
}

/* A well-formed clone of slot @si. */
static void op_clone(int si)
{
	struct aspace_clone c = {
		.size = sizeof(c), .flags = fz_below(&wk.rnd, 4),
	};
	bool ro;
	int err;

	fz_log(&wk.log, "clone fd %d%s flags %u", wk.slot[si].fd,
	       wk.slot[si].excl ? " (excl)" : "", c.flags);
	err = ioctl(wk.slot[si].fd, ASPACE_IOC_CLONE, &c) ? errno : 0;
	wk.calls[K_IOCTL]++;
	fz_count_err(&wk.errs, err);
	fz_log_more(&wk.log, " -> %s fd %d", err ? fz_errname(err) : "0",
		    c.fd);
	/* A descriptor not open for writing: EBADF, and only then. */
	ro = (fcntl(wk.slot[si].fd, F_GETFL) & O_ACCMODE) == O_RDONLY;
	if (ro ? err != EBADF : err && err != ENOMEM && err != EMFILE)
		fail("CLONE: %s", err ? fz_errname(err) : "success");
	else if (!err)
		adopt_clone(wk.slot[si].fd, wk.slot[si].excl, c.fd, c.flags);
}

static void one_op(void)
{
	__u64 r = fz_below(&wk.rnd, 100);
	int si = pick_slot();

	if (fz_one_in(&wk.rnd, 250)) {
		/* a fork each: rare; timing-dependent, so not when replaying */
		if (!replay())
			op_kill(si);
	} else if (r < 40) {
		op_ioctl(si, false, false);
	} else if (r < 56) {
		op_rw(si, false);
	} else if (r < 60) {
		op_clone(si);
	} else if (r < 63) {
		op_open(fz_below(&wk.rnd, NSLOT));
	} else if (r < 65) {
		slot_close(fz_below(&wk.rnd, NSLOT));
	} else if (r < 69) {
		op_send();
	} else if (r < 73) {
		op_recv(false);
	} else if (r < 76) {
		op_under();
	} else if (r < 92) {
		op_ioctl(si, true, false);
	} else if (wk.under_open && r < 96) {
		op_ioctl(si, fz_one_in(&wk.rnd, 2), true);
	} else {
		op_rw(si, wk.under_open);
	}
	wk.ops++;
}

static void check_all(void)
{
	int i;

	for (i = 0; i < NSLOT && !wk.failed; i++)
		if (wk.slot[i].fd >= 0)
			check_fd(wk.slot[i].fd, wk.slot[i].excl, i);
	if (wk.under_open && !wk.failed)
		check_fd(UNDER_FD, false, -1);
	for (i = 0; i < NSLOT && !wk.failed; i++)
		if (wk.slot[i].fd >= 0 && fz_one_in(&wk.rnd, 4) &&
		    !fd_read_only(wk.slot[i].fd) && set_caps(wk.slot[i].fd))
			fail("setting the limits of fd %d", wk.slot[i].fd);
}

static unsigned char *map_with_guard(size_t size, int prot)
{
	unsigned char *p;

	p = mmap(NULL, size + PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + size, PG, PROT_NONE) || mprotect(p, size, prot))
		return NULL;
	return p;
}

/* A crash of the fuzzer itself: say where it was. */
static void crash_handler(int sig)
{
	printf("# FAIL: worker %d (pid %d) got signal %d; seed 0x%llx\n",
	       wk.id, getpid(), sig, (unsigned long long)opt.seed);
	fz_log_dump(stdout, "the main thread", &wk.log);
	if (opt.helper)
		fz_log_dump(stdout, "the helper thread", &wk.helper.log);
	fflush(stdout);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int worker_main(int id, const int *shared_fds, int sock_out,
		       int sock_in)
{
	struct wshared *me = &shm->w[id];
	int i, gen = 0;

	signal(SIGSEGV, crash_handler);
	signal(SIGBUS, crash_handler);
	wk.id = id;
	wk.rnd = fz_seed_state(opt.seed, 2 * id);
	wk.helper.rnd = fz_seed_state(opt.seed, 2 * id + 1);
	wk.sock_out = sock_out;
	wk.sock_in = sock_in;
	wk.arena = map_with_guard(ARENA_SIZE, PROT_READ | PROT_WRITE);
	wk.ro = map_with_guard(PG, PROT_READ);
	wk.none = map_with_guard(PG, PROT_NONE);
	wk.rwbuf = map_with_guard(RWBUF_SIZE, PROT_READ | PROT_WRITE);
	wk.rwbuf2 = map_with_guard(RWBUF_SIZE, PROT_READ | PROT_WRITE);
	wk.flap = map_with_guard(PG, PROT_READ | PROT_WRITE);
	pthread_mutex_init(&wk.flap_lock, NULL);
	if (!wk.arena || !wk.ro || !wk.none || !wk.rwbuf || !wk.rwbuf2 ||
	    !wk.flap) {
		fail("mapping the buffers: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < NSLOT; i++)
		wk.slot[i].fd = -1;
	for (i = 0; i < NSHARED; i++) {
		wk.slot[i].fd = shared_fds[i];
		wk.slot[i].excl = false;
	}
	for (; i < NSLOT; i++)
		op_open(i);
	if (dup2(wk.slot[0].fd, UNDER_FD) != UNDER_FD) {
		fail("dup2: %s", strerror(errno));
		return 1;
	}
	wk.under_open = true;
	if (opt.helper &&
	    pthread_create(&wk.helper.th, NULL, helper_main, &wk.helper)) {
		fail("pthread_create failed");
		return 1;
	}

	while (!wk.failed && !wk.helper.failed) {
		if (__atomic_load_n(&shm->cp_gen, __ATOMIC_ACQUIRE) != gen) {
			gen = __atomic_load_n(&shm->cp_gen, __ATOMIC_ACQUIRE);
			worker_checkpoint(gen);
			continue;
		}
		if (__atomic_load_n(&shm->stop, __ATOMIC_ACQUIRE))
			break;
		if (opt.ops && wk.ops >= opt.ops) {
			me->idle = 1;
			usleep(10000);
			continue;
		}
		for (i = 0; i < BATCH && !wk.failed; i++)
			one_op();
		if (!wk.failed)
			check_all();
	}

	if (opt.helper) {
		__atomic_store_n(&wk.helper.stop, 1, __ATOMIC_RELEASE);
		pthread_join(wk.helper.th, NULL);
	}
	for (i = 0; i < NSLOT; i++)
		if (wk.slot[i].fd >= 0)
			close(wk.slot[i].fd);
	if (wk.under_open)
		close(UNDER_FD);
	memcpy(me->calls, wk.calls, sizeof(me->calls));
	me->helper_calls = wk.helper.calls;
	me->kills = wk.kills;
	memcpy(me->intro, wk.intro, sizeof(me->intro));
	me->ops = wk.ops;
	me->errs = wk.errs;
	for (i = 0; i < FZ_NERR; i++)
		me->errs.n[i] += wk.helper.errs.n[i];
	return wk.failed || wk.helper.failed ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* The parent. */

static pid_t pids[MAX_PROCS];
static bool reaped[MAX_PROCS];
static int child_failures;
static bool kcmp_ok = true;
static unsigned long checkpoints;

static void __printf(1, 2) parent_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pthread_mutex_lock(&shm->lock);
	__atomic_add_fetch(&shm->failures, 1, __ATOMIC_SEQ_CST);
	printf("# FAIL (parent): ");
	vprintf(fmt, ap);
	printf("\n# seed 0x%llx\n", (unsigned long long)opt.seed);
	fflush(stdout);
	pthread_mutex_unlock(&shm->lock);
	va_end(ap);
}

/* Reap workers that are gone; false if one died of a signal. */
static void reap(bool block)
{
	int i, status;
	pid_t r;

	for (i = 0; i < (int)opt.procs; i++) {
		if (reaped[i])
			continue;
		r = waitpid(pids[i], &status, block ? 0 : WNOHANG);
		if (r != pids[i])
			continue;
		reaped[i] = true;
		if (WIFSIGNALED(status)) {
			parent_fail("worker %d died of signal %d", i,
				    WTERMSIG(status));
			child_failures++;
		} else if (WEXITSTATUS(status)) {
			child_failures++;
		}
	}
}

static bool all_reaped(void)
{
	int i;

	for (i = 0; i < (int)opt.procs; i++)
		if (!reaped[i])
			return false;
	return true;
}

static bool any_reaped(void)
{
	int i;

	for (i = 0; i < (int)opt.procs; i++)
		if (reaped[i])
			return true;
	return false;
}

static bool same_file(pid_t p1, int fd1, pid_t p2, int fd2)
{
	long r = syscall(SYS_kcmp, p1, p2, KCMP_FILE, fd1, fd2);

	if (r < 0 && kcmp_ok) {
		printf("# kcmp: %s; checkpoints compare no counters\n",
		       strerror(errno));
		kcmp_ok = false;
	}
	return r == 0;
}

/*
 * Everyone stopped, nothing in flight: the module's counters are the sums
 * over the distinct address spaces the workers hold.
 */
static void parent_check_counters(void)
{
	__u64 vmas = 0, pgt = 0, excl_pages = 0, spaces = 0;
	long long c[NR_COUNTERS];
	int i, j, a, b;
	bool dup;

	for (i = 0; i < (int)opt.procs; i++) {
		for (a = 0; a < shm->w[i].ncp; a++) {
			const struct cp_entry *e = &shm->w[i].cp[a];

			dup = false;
			for (j = 0; j <= i && !dup && kcmp_ok; j++)
				for (b = 0; b < (j == i ? a : shm->w[j].ncp) &&
				     !dup; b++)
					dup = same_file(pids[i], e->fd, pids[j],
							shm->w[j].cp[b].fd);
			if (dup)
				continue;
			spaces++;
			vmas += e->nr_vmas;
			pgt += e->pgtables;
			excl_pages += e->resident - e->shared;
		}
	}
	if (!kcmp_ok)
		return;
	fz_read_counters(c);
	if (c[3] != (long long)spaces || c[2] != (long long)vmas ||
	    c[1] != (long long)pgt || c[0] < (long long)excl_pages)
		parent_fail("checkpoint %lu: the module counts %lld address spaces, "
			    "%lld VMAs, %lld page-table pages, %lld data pages; "
			    "the descriptors hold %llu, %llu, %llu, at least %llu",
			    checkpoints, c[3], c[2], c[1], c[0],
			    (unsigned long long)spaces,
			    (unsigned long long)vmas, (unsigned long long)pgt,
			    (unsigned long long)excl_pages);
	else if (opt.verbose)
		printf("# checkpoint %lu: %llu address spaces, %llu VMAs, "
		       "%llu page-table pages, %lld data pages\n",
		       checkpoints, (unsigned long long)spaces,
		       (unsigned long long)vmas, (unsigned long long)pgt,
		       c[0]);
}

/* One checkpoint; false if it could not finish. */
static bool parent_checkpoint(void)
{
	int gen = shm->cp_gen + 1, n = opt.procs;
	__u64 end = fz_now_ms() + WAIT_MS;

	__atomic_store_n(&shm->cp_gen, gen, __ATOMIC_RELEASE);
	while (__atomic_load_n(&shm->cp_arrive[2], __ATOMIC_ACQUIRE) < n) {
		reap(false);
		if (shm->failures || any_reaped() || fz_now_ms() > end) {
			if (!shm->failures)
				parent_fail("checkpoint %d did not finish", gen);
			return false;
		}
		usleep(2000);
	}
	checkpoints++;
	parent_check_counters();
	memset(shm->cp_arrive, 0, sizeof(shm->cp_arrive));
	__atomic_store_n(&shm->cp_release, gen, __ATOMIC_RELEASE);
	return true;
}

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seconds N] [--seed S] [--procs P] [--ops N] [--helper 0|1] [--verbose]\n",
		prog);
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	int i;

	opt.seed = fz_seed_state((__u64)time(NULL), getpid());
	for (i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--seconds"))
			opt.seconds = strtoul(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(argv[i], "--seed"))
			opt.seed = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(argv[i], "--procs"))
			opt.procs = strtoul(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(argv[i], "--ops"))
			opt.ops = strtoul(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(argv[i], "--helper"))
			opt.helper = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--verbose"))
			opt.verbose = true;
		else
			print_usage(argv[0]);
	}
	if (!opt.procs || opt.procs > MAX_PROCS)
		print_usage(argv[0]);
}

/* CAP_SYS_ADMIN in the effective set: 1 or 0; -1 if unknown. */
static int has_sys_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return -1;
	return !!(d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &
		  CAP_TO_MASK(CAP_SYS_ADMIN));
}

static void print_summary(__u64 elapsed_ms)
{
	unsigned long calls[NKINDS] = { 0 }, total = 0, ops = 0, hcalls = 0;
	unsigned long kills = 0, intro[4][2] = { { 0 } };
	static struct fz_errs errs;
	char buf[1024];
	size_t off = 0;
	int i, k;

	for (i = 0; i < (int)opt.procs; i++) {
		for (k = 0; k < NKINDS; k++)
			calls[k] += shm->w[i].calls[k];
		for (k = 0; k < FZ_NERR; k++)
			errs.n[k] += shm->w[i].errs.n[k];
		ops += shm->w[i].ops;
		hcalls += shm->w[i].helper_calls;
		kills += shm->w[i].kills;
		for (k = 0; k < 8; k++)
			intro[k / 2][k % 2] += shm->w[i].intro[k / 2][k % 2];
	}
	for (k = 0; k < NKINDS; k++) {
		if (k != K_MODEL)	/* results checked, not calls */
			total += calls[k];
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s %lu",
				k ? ", " : "", kind_names[k], calls[k]);
	}
	total += hcalls;
	printf("# fuzz summary: seed 0x%llx, %u processes x %d descriptors%s, "
	       "%llu s: %lu calls (%lu operations; %s; helper %lu), "
	       "%lu children killed in a call, %lu checkpoints\n",
	       (unsigned long long)opt.seed, opt.procs, NSLOT,
	       opt.helper ? " + a helper thread each" : "",
	       (unsigned long long)(elapsed_ms / 1000), total, ops, buf,
	       hcalls, kills, checkpoints);
	fz_errs_str(&errs, buf, sizeof(buf));
	printf("# fuzz summary: %lu successes; errors by errno: %s\n",
	       errs.n[0], buf);
	printf("# fuzz summary: failures: %d\n", shm->failures);
	/* Not a summary line: those keep their format (make check). */
	printf("# introspection calls (succeeded): TRANSLATE %lu (%lu), "
	       "PTDUMP %lu (%lu), PAGESCAN %lu (%lu), CLEAR_REFS %lu (%lu); "
	       "frames %s\n",
	       intro[0][0], intro[0][1], intro[1][0], intro[1][1],
	       intro[2][0], intro[2][1], intro[3][0], intro[3][1],
	       frames_shown < 0 ? "not checked" :
	       frames_shown ? "shown (CAP_SYS_ADMIN)" :
	       "hidden (no CAP_SYS_ADMIN)");
}

int main(int argc, char **argv)
{
	int shared_fds[NSHARED], socks[MAX_PROCS][2], i, npass = 0;
	pthread_mutexattr_t ma;
	__u64 start, deadline, next_cp;
	bool stuck = false;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	frames_shown = has_sys_admin();
	signal(SIGPIPE, SIG_IGN);
	printf("TAP version 13\n1..2\n");
	printf("# aspace_fuzz --seed 0x%llx --seconds %u --procs %u%s\n",
	       (unsigned long long)opt.seed, opt.seconds, opt.procs,
	       opt.helper ? "" : " --helper 0");

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&shm->lock, &ma);

	wk.rnd = fz_seed_state(opt.seed, 1000);
	for (i = 0; i < NSHARED; i++) {
		shared_fds[i] = open_capped(O_RDWR);
		if (shared_fds[i] < 0) {
			printf("not ok 1 fuzz # cannot open %s: %s\n",
			       DEV_PATH, strerror(-shared_fds[i]));
			return 1;
		}
	}
	for (i = 0; i < (int)opt.procs; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
			       socks[i])) {
			perror("socketpair");
			return 1;
		}
	}

	start = fz_now_ms();
	deadline = start + opt.seconds * 1000ULL;
	for (i = 0; i < (int)opt.procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork");
			return 1;
		}
		if (!pids[i]) {
			int j, out = socks[i][0];
			int in = socks[(i + opt.procs - 1) % opt.procs][1];

			for (j = 0; j < (int)opt.procs; j++) {
				if (socks[j][0] != out)
					close(socks[j][0]);
				if (socks[j][1] != in)
					close(socks[j][1]);
			}
			_exit(worker_main(i, shared_fds, out, in));
		}
		shm->w[i].pid = pids[i];
	}
	for (i = 0; i < NSHARED; i++)
		close(shared_fds[i]);
	for (i = 0; i < (int)opt.procs; i++) {
		close(socks[i][0]);
		close(socks[i][1]);
	}

	next_cp = start + CP_MS;
	for (;;) {
		bool idle = true;

		reap(false);
		if (shm->failures || any_reaped())
			break;
		for (i = 0; i < (int)opt.procs; i++)
			idle &= shm->w[i].idle;
		if (fz_now_ms() >= deadline || (opt.ops && idle))
			break;
		if (fz_now_ms() >= next_cp && !replay()) {
			if (!parent_checkpoint())
				break;
			next_cp = fz_now_ms() + CP_MS;
		}
		usleep(20000);
	}
	/* One last checkpoint with everything in place, then stop. */
	if (!shm->failures && !any_reaped())
		parent_checkpoint();
	__atomic_store_n(&shm->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 600 && !all_reaped(); i++) {
		reap(false);
		usleep(100000);
	}
	if (!all_reaped()) {
		parent_fail("workers did not stop within 60 s; killing them");
		stuck = true;
		for (i = 0; i < (int)opt.procs; i++)
			if (!reaped[i])
				kill(pids[i], SIGKILL);
		reap(true);
	}
	if (child_failures > shm->failures)
		shm->failures = child_failures;

	print_summary(fz_now_ms() - start);
	if (!shm->failures) {
		printf("ok 1 fuzz\n");
		npass++;
	} else {
		printf("not ok 1 fuzz # %d failures, seed 0x%llx\n",
		       shm->failures, (unsigned long long)opt.seed);
	}

	/* Every descriptor is closed: the module holds nothing. */
	return fz_tap_finish(npass, stuck ? 10000 : 3000);
}
