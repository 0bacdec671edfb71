// SPDX-License-Identifier: GPL-2.0
/*
 * Random scripts against the real thing: a few hundred random operations
 * (mmap MAP_FIXED of every protection, private and shared, populated or
 * not; munmap; mprotect; every madvise advice, holes included; loads,
 * stores and fetches; pread and pwrite; a fork-like clone now and then)
 * on one arena, run in aspace and in a forked child of the test, then
 * every page read back.  Every result must agree, op by op.
 *
 * The generator steers clear of the documented differences: mprotect
 * only over fully mapped ranges (aspace is all-or-nothing there), VMA
 * listings compared page by page (what each page is: protection, shared,
 * dc, wf), not where VMAs split (merges follow a model of anon_vma), and
 * fetches only where they fault at once (anything else would run
 * whatever bytes are there).
 * Seeds are fixed: a failure names its seed and op.  More seeds:
 * ASPACE_RANDOM_SEED_BASE=n runs seeds n .. n + 15 instead of 1 .. 16.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"

#define ARENA_PAGES	48
#define NOPS		300
#define NSEEDS		16

FIXTURE(rnd) {
	int fd;
	__u32 layout;
	__u64 base;
	struct script *s;
	struct script_out *lx, *as;
};

FIXTURE_VARIANT(rnd) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(rnd, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(rnd, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_SETUP(rnd)
{
	self->layout = variant->layout;
	self->base = (variant->layout & ASPACE_LAYOUT_LA57) && host_la57() ?
		     ARENA_HIGH : ARENA_LOW;
	self->fd = -1;
	self->s = calloc(1, sizeof(*self->s));
	ASSERT_NE(NULL, self->s);
	self->lx = script_out_alloc();
	self->as = script_out_alloc();
	ASSERT_NE(NULL, self->lx);
	ASSERT_NE(NULL, self->as);
}

FIXTURE_TEARDOWN(rnd)
{
	free(self->s);
	script_out_free(self->lx);
	script_out_free(self->as);
	if (self->fd >= 0)
		close(self->fd);
}

static __u32 next(__u32 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static const __u32 advices[] = {
	MADV_DONTNEED, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
	MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK,
};

/* Is [a, a + len) mapped without a hole (in the model)? */
static bool all_mapped(const struct vmodel *m, __u64 a, __u64 len)
{
	__u64 at = a;
	int i;

	while (at < a + len) {
		i = vmodel_find(m, at);
		if (i < 0)
			return false;
		at = m->v[i].end;
	}
	return true;
}

/*
 * The model only steers the generator: it follows mmap, munmap and
 * mprotect, not what a clone drops (MADV_DONTFORK), so after a clone no
 * mprotect and no fetch is generated.
 */
static void gen_script(struct script *s, __u64 base, __u32 seed)
{
	static struct vmodel m;
	const __u64 span = PAGES(ARENA_PAGES);
	struct op_res r;
	unsigned int i, clones = 0;
	__u64 a, len;
	__u32 x = seed * 2654435761u + 1, pick;

	m.n = 0;
	s->n = 0;
	s->narenas = 0;
	sc_arena(s, base, base + span);
	for (i = 0; i < NOPS; i++) {
		pick = next(&x) % 100;
		a = base + PAGES(next(&x) % ARENA_PAGES);
		len = PAGES(1 + next(&x) % 8);
		if (a + len > base + span)
			len = base + span - a;
		if (pick < 14) {
			__u32 prot = next(&x) % 8;
			__u32 fl = (next(&x) % 3 ? M_PRIV : M_SHARED) |
				   (next(&x) % 4 ? 0 : M_POPULATE);

			sc_add(s, OP_MMAP, a, len, prot, fl);
			vmodel_map(&m, a, a + len, prot, fl & M_SHARED);
		} else if (pick < 20) {
			sc_add(s, OP_MUNMAP, a, len, 0, 0);
			vmodel_cut(&m, a, a + len);
		} else if (pick < 30) {
			if (clones || !m.n)
				continue;
			/* Within a mapped VMA, sometimes into the next. */
			pick = next(&x) % m.n;
			a = m.v[pick].start +
			    PAGES(next(&x) % ((m.v[pick].end -
					       m.v[pick].start) / PG));
			len = m.v[pick].end - a +
			      (next(&x) % 2 ? PAGES(next(&x) % 3) : 0);
			if (!all_mapped(&m, a, len))
				len = m.v[pick].end - a;
			sc_add(s, OP_MPROTECT, a, len, next(&x) % 8, 0);
			vmodel_protect(&m, a, a + len, s->ops[s->n - 1].arg);
		} else if (pick < 40) {
			sc_add(s, OP_MADVISE, a, len,
			       advices[next(&x) % ARRAY_SIZE(advices)], 0);
		} else if (pick < 42) {
			sc_add(s, OP_MAPS, base, span, 0, MAPS_PAGES);
		} else if (pick < 56) {
			a += next(&x) % PG;
			sc_add(s, OP_READ, a, 1 + next(&x) % PAGES(2), 0, 0);
		} else if (pick < 72) {
			a += next(&x) % PG;
			sc_add(s, OP_WRITE, a, 1 + next(&x) % PAGES(2),
			       next(&x) & 0xffff, 0);
		} else if (pick < 84) {
			a += next(&x) % PG;
			sc_add(s, OP_PREAD, a, next(&x) % PAGES(3), 0, 0);
		} else if (pick < 96) {
			a += next(&x) % PG;
			sc_add(s, OP_PWRITE, a, next(&x) % PAGES(3),
			       next(&x) & 0xffff, 0);
		} else if (pick < 98) {
			/* Only where the fetch faults at once. */
			a += next(&x) % PG;
			vmodel_access(&m, OP_EXEC, a, 1, &r);
			if (r.signo && !r.done && !clones)
				sc_add(s, OP_EXEC, a, 1, 0, 0);
		} else if (clones < 2 && i > NOPS / 2) {
			sc_add(s, OP_CLONE, 0, 0, next(&x) & 1 ?
			       ASPACE_CLONE_EAGER : 0, 0);
			clones++;
		}
	}
	sc_add(s, OP_MAPS, base, span, 0, MAPS_PAGES);
	sc_read_back(s, base, span);
}

TEST_F(rnd, random_scripts_like_linux)
{
	const char *env = getenv("ASPACE_RANDOM_SEED_BASE");
	unsigned int seed, first = env ? strtoul(env, NULL, 0) : 1, bad = 0;
	char what[64];
	int last = -1;

	for (seed = first; seed < first + NSEEDS; seed++) {
		gen_script(self->s, self->base, seed);
		self->fd = open_layout(self->layout);
		snprintf(what, sizeof(what), "seed %u", seed);
		if (!run_compare(_metadata, what, self->s, self->fd, false,
				 self->lx, self->as, &last))
			bad++;
		if (self->fd >= 0) {
			if (last != self->fd)
				close(last);
			close(self->fd);
			self->fd = -1;
			EXPECT_ALL_COUNTERS_ZERO();
		}
	}
	EXPECT_EQ(0, bad);
	self->fd = open_layout(self->layout);
	ASSERT_LE(0, self->fd) {
		TH_LOG("no /dev/aspace: only the Linux half ran");
	}
}

TEST_HARNESS_MAIN
