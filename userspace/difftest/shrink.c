// SPDX-License-Identifier: GPL-2.0
/*
 * Shrinking a sequence that differs: the steps after the difference go,
 * then delta debugging (Zeller's ddmin) drops chunks of steps, halving
 * them down to single steps, as long as the same kind of difference at
 * the same kind of step remains; then each fork left is tried away, its
 * child's steps done by the parent, and each step made plainer (no
 * MAP_POPULATE, no eager clone).  Every try is a whole new run.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "difftest.h"

struct shrinker {
	struct lx *lx;
	struct run *r;
	int kind, op_type;
	unsigned int runs, max_runs;
	time_t deadline;
};

/* Does @ops still differ the same way?  Then r->mm.step is where. */
static bool still_differs(struct shrinker *s, const struct dop *ops,
			  unsigned int n)
{
	if (s->runs >= s->max_runs || time(NULL) > s->deadline)
		return false;
	s->runs++;
	return run_sequence(s->lx, ops, n, s->r, false) == 1 &&
	       s->r->mm.kind == s->kind && s->r->mm.op_type == s->op_type;
}

static unsigned int ddmin(struct shrinker *s, struct dop *ops, unsigned int n,
			  struct dop *tmp)
{
	unsigned int chunks = 2, size, start, end, m;
	bool reduced;

	while (n >= 2 && s->runs < s->max_runs) {
		size = (n + chunks - 1) / chunks;
		reduced = false;
		for (start = 0; start < n && !reduced; start += size) {
			end = start + size < n ? start + size : n;
			if (end - start == n)
				continue;
			memcpy(tmp, ops, start * sizeof(*tmp));
			memcpy(tmp + start, ops + end, (n - end) * sizeof(*tmp));
			m = n - (end - start);
			if (!still_differs(s, tmp, m))
				continue;
			memcpy(ops, tmp, m * sizeof(*tmp));
			n = s->r->mm.step + 1;
			chunks = chunks > 2 ? chunks - 1 : 2;
			reduced = true;
		}
		if (!reduced) {
			if (size == 1)
				break;
			chunks = chunks * 2 < n ? chunks * 2 : n;
		}
	}
	return n;
}

/*
 * @ops without the fork at @f: the child's steps go to the parent, up to
 * the child's exit (dropped) or the slot's next use.  Returns the steps.
 */
static unsigned int unfork(const struct dop *ops, unsigned int n,
			   unsigned int f, struct dop *out)
{
	unsigned int i, m = 0, parent = ops[f].sp, child = ops[f].place;
	bool mapping = true;

	for (i = 0; i < n; i++) {
		struct dop op = ops[i];

		if (i == f)
			continue;
		if (i > f && mapping && op.type == D_FORK &&
		    op.place == child)
			mapping = false;
		if (i > f && mapping && op.sp == child) {
			if (op.type == D_EXIT) {
				mapping = false;
				continue;
			}
			op.sp = parent;
		}
		out[m++] = op;
	}
	return m;
}

/* Plainer steps: no fork, no MAP_POPULATE, no eager clone. */
static unsigned int simplify(struct shrinker *s, struct dop *ops,
			     unsigned int n, struct dop *tmp)
{
	unsigned int i = 0, m;

	while (i < n && s->runs < s->max_runs) {
		if (ops[i].type == D_FORK) {
			m = unfork(ops, n, i, tmp);
			if (still_differs(s, tmp, m)) {
				n = s->r->mm.step + 1;
				memcpy(ops, tmp, n * sizeof(*tmp));
				i = 0;
				continue;
			}
		}
		if ((ops[i].type == D_MMAP && (ops[i].flags & MAP_POPULATE)) ||
		    (ops[i].type == D_FORK && ops[i].flags)) {
			memcpy(tmp, ops, n * sizeof(*tmp));
			tmp[i].flags &= ops[i].type == D_MMAP ? ~MAP_POPULATE : 0;
			if (still_differs(s, tmp, n))
				memcpy(ops, tmp, n * sizeof(*tmp));
		}
		i++;
	}
	return n;
}

/**
 * shrink() - a shorter sequence that differs as @ops does
 * @lx: the workers
 * @ops: in: the sequence, which differs as @r says; out: the shorter one
 * @n: steps in @ops
 * @r: in: the difference; out: the run of the shorter sequence
 * @max_runs: most runs to try
 * @max_secs: and most seconds to take
 * @runs: out: runs made
 *
 * Return: the steps of the shorter sequence (its last one differs).
 */
unsigned int shrink(struct lx *lx, struct dop *ops, unsigned int n,
		    struct run *r, unsigned int max_runs, unsigned int max_secs,
		    unsigned int *runs)
{
	struct shrinker s = {
		.lx = lx, .r = r, .kind = r->mm.kind,
		.op_type = r->mm.op_type, .max_runs = max_runs,
		.deadline = time(NULL) + max_secs,
	};
	struct dop *tmp = calloc(n, sizeof(*tmp));

	n = r->mm.step + 1;
	if (tmp) {
		n = ddmin(&s, ops, n, tmp);
		n = simplify(&s, ops, n, tmp);
		n = ddmin(&s, ops, n, tmp);
	}
	free(tmp);
	/* the run of the result, for the script (the last try may not be it) */
	s.max_runs++;
	s.deadline = time(NULL) + 60;
	if (!still_differs(&s, ops, n))
		r->mm.kind = MM_NONE;
	*runs = s.runs;
	return n;
}
