// SPDX-License-Identifier: GPL-2.0
/*
 * The random sequences: every step is drawn from the seed alone, never
 * from a result, so that a step can be dropped (shrink.c) and the others
 * still mean the same.  Ranges stay inside their window; errors are drawn
 * on purpose now and then (length 0, an unaligned address).
 *
 * Left out, as the documented differences from Linux require (see
 * Documentation/ioctls.md): unknown prot and flag bits, both or neither of
 * MAP_PRIVATE and MAP_SHARED, advice aspace does not know, PROT_SEM and
 * PROT_GROWS*, addresses below mmap_min_addr (the guest runs as root,
 * which may map there), anything that runs out of memory or hits a
 * limit, stacks, and instruction fetches.  Lengths stay below 2 MiB, the
 * size Linux 6.7 and later align a hint-less anonymous mapping to.
 */
#include <string.h>
#include <sys/mman.h>

#include "difftest.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

const __u64 win_size[NWIN] = {
	PAGES(W_PAGES), PAGES(H_PAGES), PAGES(P_PAGES),
};

const char * const win_name[NWIN] = { "W", "H", "P" };

static const __u32 advices[] = {
	MADV_DONTNEED, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
	MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK,
};

/* splitmix64 */
__u32 rnd_next(__u64 *s)
{
	__u64 z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return (__u32)((z ^ (z >> 31)) >> 16);
}

static unsigned int pct(__u64 *s)
{
	return rnd_next(s) % 100;
}

void fill_data(unsigned char *buf, const struct dop *op)
{
	__u64 i;

	for (i = 0; i < op->len; i++)
		buf[i] = data_byte(op->seed, op->win, op->off + i);
}

static unsigned int pick_win(__u64 *s)
{
	unsigned int p = pct(s);

	return p < 60 ? WIN_W : p < 80 ? WIN_H : WIN_P;
}

/* The lowest offset of @win a step other than brk may touch. */
static __u64 win_lo(unsigned int win)
{
	return win == WIN_H ? PAGES(H_GAP) : 0;
}

/*
 * A range of up to @maxp pages in @op->win: sometimes of length 0, a
 * length that is not a whole number of pages, an unaligned start.
 */
static void pick_range(__u64 *s, struct dop *op, unsigned int maxp)
{
	__u64 lo = win_lo(op->win), room = (win_size[op->win] - lo) / PG;
	__u64 pages = 1 + rnd_next(s) % maxp;

	if (pages > room)
		pages = room;
	op->off = lo + PAGES(rnd_next(s) % (room - pages + 1));
	op->len = PAGES(pages);
	if (pct(s) < 15)
		op->len -= rnd_next(s) % PG;
	if (pct(s) < 3)
		op->len = 0;
	if (pct(s) < 4)
		op->off += 1 + rnd_next(s) % (PG - 1);
}

/* A byte range for a transfer: any start, up to @max bytes, in the window. */
static void pick_bytes(__u64 *s, struct dop *op, __u64 max, bool zero)
{
	__u64 lo = win_lo(op->win), size = win_size[op->win];

	op->off = lo + rnd_next(s) % (size - lo);
	op->len = rnd_next(s) % max + (zero ? 0 : 1);
	if (op->len > size - op->off)
		op->len = size - op->off;
}

static void gen_mmap(__u64 *s, struct dop *op)
{
	unsigned int p = pct(s);

	op->place = p < 55 ? PL_FIXED : p < 70 ? PL_NOREPLACE :
		    p < 85 ? PL_HINT : PL_NOHINT;
	pick_range(s, op, 8);
	if (op->place == PL_NOHINT)
		op->off = 0;
	op->prot = rnd_next(s) % 8;
	op->flags = (pct(s) < 70 ? MAP_PRIVATE : MAP_SHARED) |
		    (pct(s) < 20 ? MAP_POPULATE : 0);
}

/* Live slots, the newest last. */
struct gen_sp {
	unsigned int n;
	__u8 sp[MAX_SP];
};

static unsigned int free_slot(const struct gen_sp *g)
{
	unsigned int s, i;

	for (s = 0; s < MAX_SP; s++) {
		for (i = 0; i < g->n && g->sp[i] != s; i++)
			;
		if (i == g->n)
			return s;
	}
	return MAX_SP;
}

/* A fork or an exit now and then; returns true if @op is one. */
static bool gen_space_op(__u64 *s, struct gen_sp *g, unsigned int i,
			 struct dop *op)
{
	unsigned int k;

	if (i >= 5 && g->n < MAX_LIVE && pct(s) < 3) {
		op->type = D_FORK;
		op->place = free_slot(g);
		op->flags = rnd_next(s) & 1;
		g->sp[g->n++] = op->place;
		return true;
	}
	if (g->n > 1 && pct(s) < 2) {
		op->type = D_EXIT;
		k = rnd_next(s) % g->n;
		op->sp = g->sp[k];
		memmove(&g->sp[k], &g->sp[k + 1], (g->n - k - 1));
		g->n--;
		return true;
	}
	return false;
}

static void gen_one(__u64 *s, struct dop *op)
{
	unsigned int p = pct(s);

	op->win = pick_win(s);
	if (p < 16) {
		op->type = D_MMAP;
		gen_mmap(s, op);
	} else if (p < 24) {
		op->type = D_MUNMAP;
		pick_range(s, op, 10);
	} else if (p < 34) {
		op->type = D_MPROTECT;
		pick_range(s, op, 10);
		op->prot = rnd_next(s) % 8;
	} else if (p < 42) {
		op->type = D_MADVISE;
		pick_range(s, op, 10);
		op->prot = advices[rnd_next(s) % ARRAY_SIZE(advices)];
	} else if (p < 48) {
		op->type = D_BRK;
		op->win = WIN_H;
		op->place = pct(s) < 10;
		op->off = PAGES(rnd_next(s) % (H_PAGES - 1));
		if (pct(s) < 30)
			op->off += rnd_next(s) % PG;
	} else if (p < 58) {
		op->type = D_PREAD;
		pick_bytes(s, op, PAGES(3), true);
	} else if (p < 70) {
		op->type = D_PWRITE;
		pick_bytes(s, op, PAGES(3), true);
	} else if (p < 80) {
		op->type = D_READ;
		pick_bytes(s, op, PAGES(2), false);
	} else {
		op->type = D_WRITE;
		pick_bytes(s, op, PAGES(2), false);
	}
	op->seed = rnd_next(s) & 0xff;
}

/**
 * gen_sequence() - the sequence of a seed
 * @seed: the seed
 * @nops: steps wanted
 * @ops: out: the steps
 *
 * Return: the number of steps (@nops, at most MAX_OPS).
 */
unsigned int gen_sequence(__u32 seed, unsigned int nops, struct dop *ops)
{
	struct gen_sp g = { .n = 1, .sp = { 0 } };
	__u64 s = (__u64)seed * 0x2545F4914F6CDD1DULL + 1;
	unsigned int i;

	if (nops > MAX_OPS)
		nops = MAX_OPS;
	for (i = 0; i < nops; i++) {
		struct dop *op = &ops[i];

		memset(op, 0, sizeof(*op));
		if (gen_space_op(&s, &g, i, op)) {
			if (op->type == D_FORK)
				op->sp = g.sp[rnd_next(&s) % (g.n - 1)];
			continue;
		}
		gen_one(&s, op);
		op->sp = pct(&s) < 65 ? g.sp[g.n - 1] :
			 g.sp[rnd_next(&s) % g.n];
	}
	return nops;
}

const char *dop_name(int type)
{
	static const char * const names[D_NTYPES] = {
		"mmap", "munmap", "mprotect", "madvise", "brk", "pread",
		"pwrite", "read", "write", "fork", "exit",
	};

	return type >= 0 && type < D_NTYPES ? names[type] : "?";
}

void dop_str(const struct dop *op, char *buf, size_t size)
{
	static const char * const pl[] = {
		"fixed", "noreplace", "hint", "nohint",
	};

	switch (op->type) {
	case D_FORK:
		snprintf(buf, size, "fork %u -> %u%s", op->sp, op->place,
			 op->flags ? " (eager clone)" : "");
		return;
	case D_EXIT:
		snprintf(buf, size, "exit %u", op->sp);
		return;
	case D_BRK:
		if (op->place) {
			snprintf(buf, size, "[%u] brk(0)", op->sp);
			return;
		}
		break;
	}
	snprintf(buf, size, "[%u] %s %s+%#llx len %#llx", op->sp,
		 dop_name(op->type), win_name[op->win],
		 (unsigned long long)op->off, (unsigned long long)op->len);
	if (op->type == D_MMAP)
		snprintf(buf + strlen(buf), size - strlen(buf),
			 " %s prot %u flags %#x", pl[op->place], op->prot,
			 op->flags);
	else if (op->type == D_MPROTECT || op->type == D_MADVISE)
		snprintf(buf + strlen(buf), size - strlen(buf), " %s %u",
			 op->type == D_MPROTECT ? "prot" : "advice", op->prot);
}
