// SPDX-License-Identifier: GPL-2.0
/*
 * One sequence in lockstep: each step on its worker and on its
 * descriptor, the two results compared, then every live address space
 * on both sides: the layout of the windows (adjacent pieces of equal
 * flags, and of the same shared object at consecutive offsets, joined:
 * where VMAs split is not compared) and every mapped page.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/aspace.h>

#include "difftest.h"

struct cover cover;

static const unsigned char zero_page[PG];
static struct snap as_snap;
static unsigned char lx_out[IO_MAX], as_out[IO_MAX], in_buf[IO_MAX];

void perms_str(__u32 flags, char buf[5])
{
	buf[0] = flags & ASPACE_VMA_READ ? 'r' : '-';
	buf[1] = flags & ASPACE_VMA_WRITE ? 'w' : '-';
	buf[2] = flags & ASPACE_VMA_EXEC ? 'x' : '-';
	buf[3] = flags & ASPACE_VMA_SHARED ? 's' : 'p';
	buf[4] = '\0';
}

static int svma_cmp(const void *a, const void *b)
{
	const struct svma *x = a, *y = b;

	if (x->win != y->win)
		return x->win < y->win ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The snapshot's VMAs as compared: sorted, flags but @mask dropped,
 * joined, objects numbered.
 */
void layout_make(const struct snap *s, struct layout *l, __u32 mask)
{
	__u64 objs[MAX_VMAS];
	unsigned int i, j, nobj = 0;

	l->n = 0;
	for (i = 0; i < s->nv; i++) {
		struct svma v = s->v[i];

		v.flags &= mask;
		if (!(v.flags & ASPACE_VMA_SHARED)) {
			v.obj = 0;
			v.pgoff = 0;
		}
		l->v[l->n++] = v;
	}
	qsort(l->v, l->n, sizeof(l->v[0]), svma_cmp);
	for (i = 0, j = 0; i < l->n; i++) {
		struct svma *p = j ? &l->v[j - 1] : NULL, *v = &l->v[i];

		if (p && p->win == v->win && p->end == v->start &&
		    p->flags == v->flags && p->obj == v->obj &&
		    (!v->obj || p->pgoff + (p->end - p->start) == v->pgoff)) {
			p->end = v->end;
			continue;
		}
		l->v[j++] = *v;
	}
	l->n = j;
	for (i = 0; i < l->n; i++) {
		if (!l->v[i].obj)
			continue;
		for (j = 0; j < nobj && objs[j] != l->v[i].obj; j++)
			;
		if (j == nobj)
			objs[nobj++] = l->v[i].obj;
		l->v[i].obj = j + 1;
	}
}

static bool layout_equal(const struct layout *a, const struct layout *b)
{
	return a->n == b->n && !memcmp(a->v, b->v, a->n * sizeof(a->v[0]));
}

static void layout_print(char *buf, size_t size, const char *who,
			 const struct layout *l)
{
	size_t len = strlen(buf);
	unsigned int i;
	char perms[5];

	snprintf(buf + len, size - len, "  %s:%s\n", who, l->n ? "" : " nothing");
	for (i = 0; i < l->n; i++) {
		const struct svma *v = &l->v[i];

		len = strlen(buf);
		perms_str(v->flags, perms);
		snprintf(buf + len, size - len,
			 "    %s+%#llx..%#llx %s%s%s%s obj %llu@%#llx\n",
			 win_name[v->win], (unsigned long long)v->start,
			 (unsigned long long)v->end, perms,
			 v->flags & ASPACE_VMA_HEAP ? " heap" : "",
			 v->flags & ASPACE_VMA_DONTFORK ? " dc" : "",
			 v->flags & ASPACE_VMA_WIPEONFORK ? " wf" : "",
			 (unsigned long long)v->obj,
			 (unsigned long long)v->pgoff);
	}
}

static __u64 op_addr(const struct dop *op, const struct bases *b)
{
	if ((op->type == D_MMAP && op->place == PL_NOHINT) ||
	    (op->type == D_BRK && op->place) || op->type == D_FORK ||
	    op->type == D_EXIT)
		return 0;
	return win_addr(b, op->win, op->off);
}

/* Addresses in a result, as (window, offset). */
static void relativize(const struct dop *op, const struct bases *b,
		       struct dres *r)
{
	__u64 a = (__u64)r->ret;
	unsigned int w;

	if (op->type == D_BRK) {
		r->win = WIN_H;
		r->ret = (long long)(a - b->lo[WIN_H]);
	} else if (op->type == D_MMAP && r->ret >= 0) {
		r->win = WIN_P;
		for (w = 0; w < NWIN; w++)
			if (a >= b->lo[w] && a < b->lo[w] + win_size[w])
				r->win = w;
		r->ret = (long long)(a - b->lo[r->win]);
	}
	if ((op->type == D_READ || op->type == D_WRITE) && r->signo)
		r->fault -= b->lo[op->win];
}

static void res_print(char *buf, size_t size, const char *who,
		      const struct dop *op, const struct dres *r)
{
	size_t len = strlen(buf);

	if (r->win >= 0)
		snprintf(buf + len, size - len, "  %s: %s%+lld", who,
			 win_name[r->win], r->ret);
	else if (r->ret < 0)
		snprintf(buf + len, size - len, "  %s: %s", who,
			 strerrorname_np((int)-r->ret));
	else
		snprintf(buf + len, size - len, "  %s: %lld", who, r->ret);
	len = strlen(buf);
	if (op->type == D_READ || op->type == D_WRITE)
		snprintf(buf + len, size - len, ", done %llu, signal %d code %d at %s+%#llx",
			 (unsigned long long)r->done, r->signo, r->code,
			 win_name[op->win], (unsigned long long)r->fault);
	len = strlen(buf);
	snprintf(buf + len, size - len, "\n");
}

static bool res_equal(const struct dop *op, const struct dres *a,
		      const struct dres *b)
{
	if (a->ret != b->ret || a->win != b->win)
		return false;
	if (op->type != D_READ && op->type != D_WRITE)
		return true;
	return a->signo == b->signo && a->code == b->code &&
	       a->done == b->done && (!a->signo || a->fault == b->fault);
}

static void mismatch(struct run *r, int kind, unsigned int step,
		     unsigned int sp, const struct dop *op, const char *what)
{
	char s[160];

	r->mm.kind = kind;
	r->mm.step = step;
	r->mm.sp = sp;
	r->mm.op_type = op->type;
	dop_str(op, s, sizeof(s));
	snprintf(r->mm.text, sizeof(r->mm.text),
		 "step %u: %s: %s (address space %u)\n", step, s, what, sp);
}

static void text_add(struct run *r, const char *fmt, ...)
{
	size_t len = strlen(r->mm.text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->mm.text + len, sizeof(r->mm.text) - len, fmt, ap);
	va_end(ap);
}

/* The bytes of a pread or load: equal? */
static bool data_equal(struct run *r, unsigned int i, const struct dop *op,
		       const struct dres *lx)
{
	__u64 n = op->type == D_PREAD ? (lx->ret > 0 ? (__u64)lx->ret : 0) :
		  (lx->ret ? 0 : lx->done), k;

	if (!memcmp(lx_out, as_out, n))
		return true;
	for (k = 0; lx_out[k] == as_out[k]; k++)
		;
	mismatch(r, MM_DATA, i, op->sp, op, "the bytes read differ");
	text_add(r, "  byte %llu of %llu: Linux %#x, aspace %#x\n",
		 (unsigned long long)k, (unsigned long long)n, lx_out[k],
		 as_out[k]);
	memcpy(r->lx_io, lx_out, n);
	return false;
}

static bool pages_equal(struct run *r, unsigned int i, const struct dop *op,
			unsigned int sp, const struct snap *lx)
{
	unsigned int g, k, w = 0;

	for (g = 0; g < WIN_PAGES; g++) {
		const unsigned char *a = lx->tag[g] == T_DATA ?
					 lx->page[g] : zero_page;
		const unsigned char *b = as_snap.tag[g] == T_DATA ?
					 as_snap.page[g] : zero_page;

		if (lx->tag[g] == T_NONE || a == b || !memcmp(a, b, PG))
			continue;
		for (k = 0; a[k] == b[k]; k++)
			;
		mismatch(r, MM_CONTENT, i, sp, op, "the memory differs");
		while (w + 1 < NWIN && g >= gpage(w + 1, 0))
			w++;
		text_add(r, "  at %s+%#llx: Linux %#x, aspace %#x\n",
			 win_name[w],
			 (unsigned long long)(PAGES(g - gpage(w, 0)) + k),
			 a[k], b[k]);
		r->mm.page = g;
		memcpy(r->lx_page, a, PG);
		return false;
	}
	return true;
}

/*
 * The [heap] flag of a VMA follows from where it starts and ends, which
 * the layouts do not compare (merges differ, as documented): it is
 * compared for the VMAs both sides have with the same start and end.
 * At the break, merges differ in this harness too: the worker's break
 * continues its C library's heap VMA, which has pages of its own (an
 * anon_vma), where aspace's heap starts empty.  So on Linux 6.7 and later
 * a part of the heap made read-only joins a read-only mapping just above
 * the break, [heap] with it, on aspace (as in a process whose heap VMA
 * was never written) but not in the worker.
 */
static const struct svma *heap_differs(const struct snap *a,
				       const struct snap *b)
{
	unsigned int i, j;

	for (i = 0; i < a->nv; i++) {
		for (j = 0; j < b->nv; j++) {
			if (a->v[i].win != b->v[j].win ||
			    a->v[i].start != b->v[j].start ||
			    a->v[i].end != b->v[j].end)
				continue;
			if ((a->v[i].flags ^ b->v[j].flags) & ASPACE_VMA_HEAP)
				return &a->v[i];
		}
	}
	return NULL;
}

static int layout_differs(struct run *r, unsigned int i, const struct dop *op,
			  unsigned int sp, const struct snap *lx)
{
	static struct layout la, lb;
	const __u32 all = ~0U, noheap = ~(__u32)ASPACE_VMA_HEAP;
	const __u32 fork_flags = ASPACE_VMA_DONTFORK | ASPACE_VMA_WIPEONFORK;
	const struct svma *v;

	layout_make(lx, &la, noheap);
	layout_make(&as_snap, &lb, noheap);
	v = layout_equal(&la, &lb) ? heap_differs(lx, &as_snap) : NULL;
	if (layout_equal(&la, &lb) && !v)
		return 0;
	mismatch(r, MM_LAYOUT, i, sp, op, v ? "the [heap] flag differs" :
		 "the layout differs");
	if (v)
		text_add(r, "  the VMA %s+%#llx..%#llx, [heap] on %s only\n",
			 win_name[v->win], (unsigned long long)v->start,
			 (unsigned long long)v->end,
			 v->flags & ASPACE_VMA_HEAP ? "Linux" : "aspace");
	layout_make(lx, &la, noheap & ~fork_flags);
	layout_make(&as_snap, &lb, noheap & ~fork_flags);
	r->fork_flags_only = !v && layout_equal(&la, &lb);
	layout_make(lx, &la, all);
	layout_make(&as_snap, &lb, all);
	layout_print(r->mm.text, sizeof(r->mm.text), "Linux", &la);
	layout_print(r->mm.text, sizeof(r->mm.text), "aspace", &lb);
	r->lx_layout = la;
	return 1;
}

/* Every live address space, both sides. */
static int compare_spaces(struct lx *lx, struct asp *as, struct run *r,
			  unsigned int i, const struct dop *op)
{
	const struct snap *ls[MAX_SP];
	unsigned int sp, g;
	int ret;

	if (lx_snap(lx, ls, r->why, sizeof(r->why)))
		return -1;
	for (sp = 0; sp < MAX_SP; sp++) {
		if (!ls[sp])
			continue;
		ret = asp_snap(as, sp, &r->asb, &as_snap);
		if (ret) {
			snprintf(r->why, sizeof(r->why), "aspace snapshot: %s",
				 strerror(-ret));
			return -1;
		}
		cover.snaps++;
		cover.vmas += ls[sp]->nv;
		for (g = 0; g < WIN_PAGES; g++)
			cover.data_pages += ls[sp]->tag[g] == T_DATA;
		if (layout_differs(r, i, op, sp, ls[sp]))
			return 1;
		if (!pages_equal(r, i, op, sp, ls[sp])) {
			layout_make(ls[sp], &r->lx_layout, ~0U);
			return 1;
		}
		if (ls[sp]->mapped != as_snap.mapped ||
		    ls[sp]->data != as_snap.data) {
			mismatch(r, MM_COUNTERS, i, sp, op,
				 "the bytes mapped or of data differ");
			text_add(r, "  Linux: mapped %llu, data %llu (beyond its own)\n",
				 (unsigned long long)ls[sp]->mapped,
				 (unsigned long long)ls[sp]->data);
			text_add(r, "  aspace: mapped_bytes %llu, data_bytes %llu\n",
				 (unsigned long long)as_snap.mapped,
				 (unsigned long long)as_snap.data);
			r->lx_mapped = ls[sp]->mapped;
			r->lx_data = ls[sp]->data;
			return 1;
		}
	}
	return 0;
}

/* Can @op run: is its address space there (and a fork's new slot free)? */
static bool runnable(const struct dop *op, const bool *live)
{
	if (op->sp >= MAX_SP || !live[op->sp])
		return false;
	return op->type != D_FORK || (op->place < MAX_SP && !live[op->place]);
}

static int run_steps(struct lx *lx, struct asp *as, const struct dop *ops,
		     unsigned int n, struct run *r, bool verbose)
{
	bool live[MAX_SP] = { true };
	struct dres ar;
	unsigned int i;
	char s[160];
	int ret;

	for (i = 0; i < n; i++) {
		const struct dop *op = &ops[i];
		struct dres *lr = &r->lx[i];

		r->n = i + 1;
		r->skipped[i] = !runnable(op, live);
		if (r->skipped[i])
			continue;
		if (op->type == D_PWRITE || op->type == D_WRITE)
			fill_data(in_buf, op);
		if (lx_step(lx, op, op_addr(op, &r->lxb), in_buf, lr, lx_out,
			    r->why, sizeof(r->why)))
			return -1;
		asp_step(as, op, op_addr(op, &r->asb), in_buf, &ar, as_out);
		relativize(op, &r->lxb, lr);
		relativize(op, &r->asb, &ar);
		if (verbose) {
			dop_str(op, s, sizeof(s));
			r->mm.text[0] = '\0';
			res_print(r->mm.text, sizeof(r->mm.text), "# Linux", op,
				  lr);
			res_print(r->mm.text, sizeof(r->mm.text), "# aspace", op,
				  &ar);
			printf("# %u: %s\n%s", i, s, r->mm.text);
		}
		if (!res_equal(op, lr, &ar)) {
			mismatch(r, MM_RESULT, i, op->sp, op, "the results differ");
			res_print(r->mm.text, sizeof(r->mm.text), "Linux", op, lr);
			res_print(r->mm.text, sizeof(r->mm.text), "aspace", op, &ar);
			return 1;
		}
		if ((op->type == D_PREAD || op->type == D_READ) &&
		    !data_equal(r, i, op, lr))
			return 1;
		if (lr->ret < 0 || lr->signo)
			cover.failed[op->type]++;
		else
			cover.ok[op->type]++;
		if (op->type == D_FORK && !lr->ret)
			live[op->place] = true;
		if (op->type == D_EXIT)
			live[op->sp] = false;
		ret = compare_spaces(lx, as, r, i, op);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * run_sequence() - run @ops on a new worker and a new descriptor
 * @lx: the workers
 * @ops: the steps
 * @n: how many
 * @r: out: Linux's results, the windows, the first difference
 * @verbose: print every step's results
 *
 * Return: 0 if both sides agreed throughout, 1 if they differ (@r->mm),
 * -1 if the harness failed (@r->why).
 */
int run_sequence(struct lx *lx, const struct dop *ops, unsigned int n,
		 struct run *r, bool verbose)
{
	struct asp as;
	int ret;

	memset(&r->mm, 0, sizeof(r->mm));
	r->why[0] = '\0';
	r->n = 0;
	ret = asp_start(&as);
	if (ret) {
		snprintf(r->why, sizeof(r->why), "/dev/aspace: %s",
			 strerror(-ret));
		return -1;
	}
	asp_bases(&as, &r->asb);
	if (lx_start(lx, &r->lxb, r->why, sizeof(r->why)))
		ret = -1;
	else
		ret = run_steps(lx, &as, ops, n, r, verbose);
	lx_stop(lx);
	asp_stop(&as);
	return ret;
}
