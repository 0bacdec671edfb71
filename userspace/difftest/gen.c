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

/*
 * The generator's picture of each address space: which pages of the
 * windows are mapped, if every step did what it seems to.  It only steers
 * (more mappings when there are few, steps where something is mapped); the
 * runs decide what really happens.
 */
struct gen {
	__u64 s;			/* the random state */
	unsigned int n;			/* live slots, the newest last */
	__u8 sp[MAX_SP];
	bool map[MAX_SP][WIN_PAGES];
	__u64 brk[MAX_SP];		/* bytes above the heap start */
};

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

static void model_set(struct gen *g, unsigned int sp, unsigned int win,
		      __u64 first, __u64 pages, bool on)
{
	__u64 i;

	for (i = first; i < first + pages && i < win_size[win] / PG; i++)
		g->map[sp][gpage(win, PAGES(i))] = on;
}

static bool model_clear(struct gen *g, unsigned int sp, unsigned int win,
			__u64 first, __u64 pages)
{
	__u64 i;

	if (first + pages > win_size[win] / PG)
		return false;
	for (i = first; i < first + pages; i++)
		if (g->map[sp][gpage(win, PAGES(i))])
			return false;
	return true;
}

/* Where a mapping without a usable hint goes: top down in P. */
static void model_place(struct gen *g, unsigned int sp, __u64 pages)
{
	__u64 top;

	for (top = P_PAGES; top >= pages; top--) {
		if (model_clear(g, sp, WIN_P, top - pages, pages)) {
			model_set(g, sp, WIN_P, top - pages, pages, true);
			return;
		}
	}
}

static void model_brk(struct gen *g, const struct dop *op)
{
	__u64 old = (g->brk[op->sp] + PG - 1) / PG;
	__u64 new = (op->off + PG - 1) / PG;

	if (op->place)
		return;
	if (new <= old)
		model_set(g, op->sp, WIN_H, new, old - new, false);
	else if (model_clear(g, op->sp, WIN_H, old, new - old + 1))
		model_set(g, op->sp, WIN_H, old, new - old, true);
	else
		return;
	g->brk[op->sp] = op->off;
}

static void model_step(struct gen *g, const struct dop *op)
{
	__u64 first = op->off / PG, pages = (op->len + PG - 1) / PG;
	bool aligned = !(op->off % PG) && op->len;

	switch (op->type) {
	case D_MMAP:
		if (op->place == PL_NOHINT) {
			model_place(g, op->sp, pages);
		} else if (op->place == PL_HINT ||
			   (aligned && op->place == PL_NOREPLACE)) {
			if (model_clear(g, op->sp, op->win, first, pages))
				model_set(g, op->sp, op->win, first, pages, true);
			else if (op->place == PL_HINT)
				model_place(g, op->sp, pages);
		} else if (aligned) {
			model_set(g, op->sp, op->win, first, pages, true);
		}
		break;
	case D_MUNMAP:
		if (aligned)
			model_set(g, op->sp, op->win, first, pages, false);
		break;
	case D_BRK:
		model_brk(g, op);
		break;
	case D_FORK:
		memcpy(g->map[op->place], g->map[op->sp], sizeof(g->map[0]));
		g->brk[op->place] = g->brk[op->sp];
		break;
	}
}

/* Mapped pages of the model, but the heap's first ones. */
static bool usable(const struct gen *g, unsigned int sp, unsigned int i)
{
	return g->map[sp][i] &&
	       (i < gpage(WIN_H, 0) || i >= gpage(WIN_H, PAGES(H_GAP)));
}

static unsigned int mapped_pages(const struct gen *g, unsigned int sp)
{
	unsigned int i, n = 0;

	for (i = 0; i < WIN_PAGES; i++)
		n += usable(g, sp, i);
	return n;
}

/* Most of the time, move @op to start at a mapped page (of the model). */
static void pick_mapped(struct gen *g, struct dop *op)
{
	unsigned int n = mapped_pages(g, op->sp), k, i, w;

	if (!n || pct(&g->s) >= 75)
		return;
	k = rnd_next(&g->s) % n;
	for (i = 0; i < WIN_PAGES; i++) {
		if (!usable(g, op->sp, i) || k--)
			continue;
		for (w = NWIN - 1; i < gpage(w, 0); w--)
			;
		op->win = w;
		op->off = PAGES(i - gpage(w, 0)) + op->off % PG;
		break;
	}
	if (op->len > win_size[op->win] - op->off)
		op->len = win_size[op->win] - op->off;
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

static unsigned int free_slot(const struct gen *g)
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
static bool gen_space_op(struct gen *g, unsigned int i, struct dop *op)
{
	unsigned int k;

	if (i >= 5 && g->n < MAX_LIVE && pct(&g->s) < 3) {
		op->type = D_FORK;
		op->sp = g->sp[rnd_next(&g->s) % g->n];
		op->place = free_slot(g);
		op->flags = rnd_next(&g->s) & 1;
		g->sp[g->n++] = op->place;
		return true;
	}
	if (g->n > 1 && pct(&g->s) < 2) {
		op->type = D_EXIT;
		k = rnd_next(&g->s) % g->n;
		op->sp = g->sp[k];
		memmove(&g->sp[k], &g->sp[k + 1], (g->n - k - 1));
		g->n--;
		return true;
	}
	return false;
}

/* Which step: more mappings while few pages are mapped, fewer after. */
static int pick_type(struct gen *g, unsigned int sp)
{
	static const int types[] = {
		D_MUNMAP, D_MPROTECT, D_MADVISE, D_BRK, D_PREAD, D_PWRITE,
		D_READ, D_WRITE,
	};
	static const unsigned int weight[] = { 5, 10, 8, 5, 10, 12, 10, 14 };
	unsigned int full = mapped_pages(g, sp) * 100 / WIN_PAGES;
	unsigned int w_mmap = full < 25 ? 30 : full < 60 ? 16 : 8;
	unsigned int w_munmap = full > 60 ? 12 : 0, total = 0, i, p;

	for (i = 0; i < ARRAY_SIZE(weight); i++)
		total += weight[i];
	p = rnd_next(&g->s) % (total + w_mmap + w_munmap);
	if (p < w_mmap)
		return D_MMAP;
	if (p < w_mmap + w_munmap)
		return D_MUNMAP;
	p -= w_mmap + w_munmap;
	for (i = 0; p >= weight[i]; i++)
		p -= weight[i];
	return types[i];
}

static void gen_one(struct gen *g, struct dop *op)
{
	__u64 *s = &g->s;

	op->type = pick_type(g, op->sp);
	op->win = pick_win(s);
	switch (op->type) {
	case D_MMAP:
		gen_mmap(s, op);
		break;
	case D_MUNMAP:
		pick_range(s, op, 10);
		break;
	case D_MPROTECT:
	case D_MADVISE:
		pick_range(s, op, 10);
		pick_mapped(g, op);
		op->prot = op->type == D_MPROTECT ? rnd_next(s) % 8 :
			   advices[rnd_next(s) % ARRAY_SIZE(advices)];
		break;
	case D_BRK:
		op->win = WIN_H;
		op->place = pct(s) < 10;
		op->off = PAGES(rnd_next(s) % (H_PAGES - 1));
		if (pct(s) < 30)
			op->off += rnd_next(s) % PG;
		break;
	case D_PREAD:
	case D_PWRITE:
		pick_bytes(s, op, PAGES(3), true);
		pick_mapped(g, op);
		break;
	default:
		pick_bytes(s, op, PAGES(2), false);
		pick_mapped(g, op);
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
	static struct gen g;
	unsigned int i;

	memset(&g, 0, sizeof(g));
	g.s = (__u64)seed * 0x2545F4914F6CDD1DULL + 1;
	g.n = 1;
	if (nops > MAX_OPS)
		nops = MAX_OPS;
	for (i = 0; i < nops; i++) {
		struct dop *op = &ops[i];

		memset(op, 0, sizeof(*op));
		if (!gen_space_op(&g, i, op)) {
			op->sp = pct(&g.s) < 65 ? g.sp[g.n - 1] :
				 g.sp[rnd_next(&g.s) % g.n];
			gen_one(&g, op);
		}
		model_step(&g, op);
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
