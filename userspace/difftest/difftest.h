/* SPDX-License-Identifier: GPL-2.0 */
/*
 * difftest: a differential tester of /dev/aspace against Linux.
 *
 * A seeded random sequence of operations (mmap, munmap, mprotect, brk,
 * madvise, pread/pwrite, loads and stores, fork, exit) runs twice, in
 * lockstep: on real processes ("workers", forked from the tester, that
 * make the system calls on their own address space) and on aspace
 * descriptors.  After every step the results, then for every live
 * address space its layout (smaps against QUERY, equal neighbours joined),
 * its memory and its bytes mapped and of data are compared.
 *
 * Everything happens in three windows, the same on both sides but for
 * where they are:
 *   W  a fixed range at 4 GiB (free in the worker, and in aspace);
 *   H  the heap: from the break up (the worker's break, page aligned,
 *      after the brk(2) of its C library; aspace's heap start).  Only brk
 *      touches its first H_GAP pages, so nothing else merges with the C
 *      library's part of the worker's heap below it;
 *   P  where mappings without a usable hint go: the pages just below the
 *      lowest mapping of the worker (found by probing) and just below
 *      aspace's mmap_base.
 * An address is compared as (window, offset): a kernel-placed mapping
 * must land at the same place relative to its window on both sides.
 *
 * A step that differs is shrunk (delta debugging) to a short sequence
 * that still differs, printed as an `aspacectl run` script whose expect
 * lines are what Linux did.
 */
#ifndef _DIFFTEST_H
#define _DIFFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#define PG		4096ULL
#define PAGES(n)	((__u64)(n) * PG)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The windows. */
enum { WIN_W, WIN_H, WIN_P, NWIN };
#define W_PAGES		64
#define H_PAGES		32
#define P_PAGES		32
#define WIN_PAGES	(W_PAGES + H_PAGES + P_PAGES)
#define H_GAP		1	/* pages at the start of H only brk reaches */
#define W_BASE		0x100000000ULL

/* Most address spaces at once (slots), and live at once by generation. */
#define MAX_SP		4
#define MAX_LIVE	3
/* Bytes of one pread, pwrite, load or store run. */
#define IO_MAX		PAGES(4)
#define MAX_VMAS	128
#define MAX_OPS		4096

enum dop_type {
	D_MMAP, D_MUNMAP, D_MPROTECT, D_MADVISE, D_BRK,
	D_PREAD, D_PWRITE, D_READ, D_WRITE, D_FORK, D_EXIT,
	D_NTYPES,
};

/* How an mmap gets its address. */
enum { PL_FIXED, PL_NOREPLACE, PL_HINT, PL_NOHINT };

/**
 * struct dop - one step of a sequence
 * @type: enum dop_type
 * @sp: the address space (slot) it acts on
 * @win: the window of @off
 * @place: mmap: PL_*; fork: the new slot; brk: 1 for a query (brk(0))
 * @prot: mmap, mprotect: PROT_*; madvise: the advice
 * @flags: mmap: MAP_PRIVATE or MAP_SHARED, MAP_POPULATE; fork: 1 for an
 *	eager clone (aspace only: a fork is a fork)
 * @seed: write, pwrite: the data (see fill_data())
 * @off: bytes from the start of the window (unaligned on purpose at times)
 * @len: bytes
 */
struct dop {
	__u8 type;
	__u8 sp;
	__u8 win;
	__u8 place;
	__u32 prot;
	__u32 flags;
	__u32 seed;
	__u64 off;
	__u64 len;
};

/* Where the windows are on one side. */
struct bases {
	__u64 lo[NWIN];
};

extern const __u64 win_size[NWIN];
extern const char * const win_name[NWIN];

/* The result of a step on one side. */
struct dres {
	long long ret;		/* 0, bytes, -errno; mmap, brk: the address */
	int win;		/* mmap, brk: the window of @ret, else -1 */
	int signo;		/* loads and stores: the fault */
	int code;
	__u64 fault;
	__u64 done;
};

/* A VMA piece in a window, offsets from the window's start. */
struct svma {
	__u32 win;
	__u32 flags;		/* ASPACE_VMA_READ ... SHARED, HEAP */
	__u64 start, end;
	__u64 obj;		/* shared: the object (inode, vma_id) */
	__u64 pgoff;		/* shared: bytes into the object at start */
};

/* Page tags of a snapshot. */
enum { T_NONE, T_ZERO, T_DATA };

/* One address space: its VMAs in the windows, and their pages. */
struct snap {
	__u64 mapped, data;	/* bytes mapped, of data (total_vm, data_vm) */
	unsigned int nv;
	struct svma v[MAX_VMAS];
	__u8 tag[WIN_PAGES];
	unsigned char page[WIN_PAGES][PG];
};

/* Global page index of a window offset. */
static inline unsigned int gpage(unsigned int win, __u64 off)
{
	static const unsigned int first[NWIN] = {
		0, W_PAGES, W_PAGES + H_PAGES,
	};

	return first[win] + (unsigned int)(off / PG);
}

static inline __u64 win_addr(const struct bases *b, unsigned int win,
			     __u64 off)
{
	return b->lo[win] + off;
}

/* The data of a write: a byte per page, from the seed and the page. */
static inline unsigned char data_byte(__u32 seed, unsigned int win,
				      __u64 off)
{
	unsigned char c = (unsigned char)(seed + 37 * gpage(win, off) + 1);

	return c ? c : 0x5a;
}

void fill_data(unsigned char *buf, const struct dop *op);

/* gen.c */
__u32 rnd_next(__u64 *s);
unsigned int gen_sequence(__u32 seed, unsigned int nops, struct dop *ops);
const char *dop_name(int type);
void dop_str(const struct dop *op, char *buf, size_t size);

/* linux.c: the workers (real processes) */
struct lx;
struct lx *lx_new(void);
int lx_start(struct lx *lx, struct bases *b, char *why, size_t size);
int lx_step(struct lx *lx, const struct dop *op, __u64 addr,
	    const unsigned char *in, struct dres *r, unsigned char *out,
	    char *why, size_t size);
int lx_snap(struct lx *lx, const struct snap *s[MAX_SP], char *why,
	    size_t size);
void lx_stop(struct lx *lx);

/* lxmem.c: in a worker, its own memory */
void lxmem_init(void);
void lxmem_access(bool write, __u64 addr, __u64 len, unsigned char *buf,
		  struct dres *r);
void lxmem_snap(int mem, const struct bases *b, struct snap *s);
void lxmem_status(__u64 *mapped, __u64 *data);

/* asp.c: the aspace descriptors */
struct asp {
	int fd[MAX_SP];
};

/* --sabotage N: the harness's own test, aspace made wrong on purpose */
extern int sabotage;

void asp_bases(struct asp *a, struct bases *b);
int asp_start(struct asp *a);
int asp_step(struct asp *a, const struct dop *op, __u64 addr,
	     const unsigned char *in, struct dres *r, unsigned char *out);
int asp_snap(struct asp *a, unsigned int sp, const struct bases *b,
	     struct snap *s);
void asp_stop(struct asp *a);

/* run.c: a sequence in lockstep */
enum { MM_NONE, MM_RESULT, MM_DATA, MM_LAYOUT, MM_CONTENT, MM_COUNTERS };

struct mismatch {
	int kind;		/* MM_* */
	unsigned int step;	/* index in the sequence run */
	unsigned int sp;	/* the address space that differs */
	int op_type;
	unsigned int page;	/* MM_CONTENT: the global page */
	char text[2048];	/* what differs, for people */
};

/* The layout as compared: pieces of equal flags and object joined. */
struct layout {
	unsigned int n;
	struct svma v[MAX_VMAS];
};

struct run {
	unsigned int n;			/* steps */
	bool skipped[MAX_OPS];		/* not run: its space is not there */
	struct dres lx[MAX_OPS];	/* Linux's results, relative */
	struct bases lxb, asb;
	struct mismatch mm;
	struct layout lx_layout;	/* at the mismatch */
	bool fork_flags_only;		/* MM_LAYOUT: only dc and wf differ */
	__u64 lx_mapped, lx_data;	/* MM_COUNTERS: Linux's */
	unsigned char lx_page[PG];	/* MM_CONTENT: Linux's page */
	unsigned char lx_io[IO_MAX];	/* MM_DATA: Linux's bytes */
	char why[256];			/* the harness failed */
};

/* What the runs did, for the summary (not counted while shrinking). */
struct cover {
	unsigned long long ok[D_NTYPES], failed[D_NTYPES];
	unsigned long long snaps, vmas, data_pages;
};

extern struct cover cover;

int run_sequence(struct lx *lx, const struct dop *ops, unsigned int n,
		 struct run *r, bool verbose);
void layout_make(const struct snap *s, struct layout *l, __u32 mask);

/* shrink.c */
unsigned int shrink(struct lx *lx, struct dop *ops, unsigned int n,
		    struct run *r, unsigned int max_runs, unsigned int max_secs,
		    unsigned int *runs);

/* script.c */
void script_print(FILE *f, const char *prefix, __u32 seed,
		  const struct dop *ops, unsigned int n, const struct run *r);

/* The PROT_* of a VMA's flags, as maps shows them: "rw-p". */
void perms_str(__u32 flags, char buf[5]);

#endif /* _DIFFTEST_H */
