// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of the growing stack: SET_LAYOUT with
 * ASPACE_LAYOUT_STACK maps a stack VMA of stack_size (128 KiB by default)
 * ending at the top of the 47-bit window; an access below it grows it
 * down to the faulting page, up to limits.stack_bytes (8 MiB by
 * default) and never within stack_guard_gap of an accessible mapping
 * below; beyond that the access faults with SEGV_MAPERR and nothing
 * changes.  mmap and brk keep the guard gap below the grown stack free.
 *
 * Where a real process shows the same rule, it is compared: an access
 * below the stack of a forked child of the test (grows, or not; then the
 * fault of a fetch from a non-executable stack), the guard gap to a
 * mapping below it, and what /proc/self/mem does below the stack.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"

#define R	ASPACE_ACCESS_READ
#define W	ASPACE_ACCESS_WRITE
#define X	ASPACE_ACCESS_EXEC
#define TOP	STACK_TOP

FIXTURE(st) {
	int fd;
	bool la57;
	__u64 start;	/* of the stack VMA as set up */
};

FIXTURE_VARIANT(st) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(st, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(st, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_SETUP(st)
{
	self->la57 = variant->layout & ASPACE_LAYOUT_LA57;
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, set_stack_layout(self->fd, variant->layout, 0, 0));
	self->start = TOP - DEF_STACK_INIT;
}

FIXTURE_TEARDOWN(st)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

/* The start of the stack VMA (0 if there is none at the top). */
static __u64 stack_start(int fd)
{
	struct aspace_query q;

	if (aspace_query(fd, TOP - 1, 0, &q) || q.vma_end != TOP ||
	    q.vma_flags != (V_RW | V_STACK))
		return 0;
	return q.vma_start;
}

/* One access of one byte (buf NULL: touch); si_code, or 0. */
static int touch(int fd, __u32 kind, __u64 addr, struct aspace_access *out)
{
	unsigned char b = 0x2a;
	struct aspace_access a;
	int ret;

	ret = mem_access(fd, kind, addr, 1, &b, &a);
	if (ret)
		return ret;
	if (out)
		*out = a;
	return a.signo ? a.si_code : 0;
}

TEST_F(st, initial_stack)
{
	struct aspace_layout l;
	struct aspace_limits lim;
	struct aspace_stats stats;

	ASSERT_EQ(0, aspace_get_layout(self->fd, &l));
	EXPECT_EQ(DEF_STACK_INIT, l.stack_size);
	EXPECT_EQ(DEF_STACK_GUARD_GAP, l.stack_guard_gap);
	EXPECT_EQ(ASPACE_LAYOUT_STACK, l.flags & ASPACE_LAYOUT_STACK);
	ASSERT_EQ(0, aspace_get_limits(self->fd, &lim));
	EXPECT_EQ(DEF_STACK_LIMIT, lim.stack_bytes);
	EXPECT_VMAS(self->fd, { TOP - DEF_STACK_INIT, TOP, V_RW | V_STACK });
	stats = mem_stats(self->fd);
	EXPECT_EQ(DEF_STACK_INIT, stats.mapped_bytes);
	EXPECT_EQ(0, stats.resident_pages);
	/* Inside it: ordinary demand paging, no growth. */
	EXPECT_EQ(0, touch(self->fd, W, TOP - 1, NULL));
	EXPECT_EQ(0, touch(self->fd, R, self->start, NULL));
	EXPECT_EQ(self->start, stack_start(self->fd));
}

TEST(stack_size_set)
{
	int fd = aspace_open(0);
	struct aspace_layout l;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_stack_layout(fd, 0, PAGES(3), PAGES(16)));
	ASSERT_EQ(0, aspace_get_layout(fd, &l));
	EXPECT_EQ(PAGES(3), l.stack_size);
	EXPECT_EQ(PAGES(16), l.stack_guard_gap);
	EXPECT_VMAS(fd, { TOP - PAGES(3), TOP, V_RW | V_STACK });
	close(fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

TEST_F(st, access_below_grows_to_the_faulting_page)
{
	static unsigned char buf[PAGES(4)];
	struct aspace_access a;
	struct aspace_stats s0, s1;
	__u64 s = self->start;

	s0 = mem_stats(self->fd);
	EXPECT_EQ(0, touch(self->fd, R, s - 1, &a));
	EXPECT_EQ(1, a.done);
	EXPECT_EQ(s - PG, stack_start(self->fd));
	s1 = mem_stats(self->fd);
	EXPECT_EQ(s0.mapped_bytes + PG, s1.mapped_bytes);
	EXPECT_EQ(1, s1.nr_vmas);
	/* Far below (but within the limit): straight to that page. */
	EXPECT_EQ(0, touch(self->fd, W, s - PAGES(100) - 5, NULL));
	EXPECT_EQ(s - PAGES(101), stack_start(self->fd));
	EXPECT_VMAS(self->fd, { s - PAGES(101), TOP, V_RW | V_STACK });
	/* What was written is there; the rest reads zeros. */
	ASSERT_EQ(0, mem_access(self->fd, R, s - PAGES(101), PAGES(2), buf,
				&a));
	EXPECT_EQ(0, a.signo);
	EXPECT_EQ(0x2a, buf[PG - 5]);
	EXPECT_EQ(0, buf[PG - 6]);
	EXPECT_EQ(0, buf[PG - 4]);
	/* An access starting below and running into the stack. */
	memset(buf, 3, sizeof(buf));
	ASSERT_EQ(0, mem_access(self->fd, W, s - PAGES(103) + 7, PAGES(3),
				buf, &a));
	EXPECT_EQ(0, a.signo);
	EXPECT_EQ(PAGES(3), a.done);
	EXPECT_EQ(s - PAGES(103), stack_start(self->fd));
	s0 = mem_stats(self->fd);
	EXPECT_EQ(DEF_STACK_INIT + PAGES(103), s0.mapped_bytes);
	EXPECT_EQ(1, s0.nr_vmas);
}

/* Up to stack_bytes and no further; a refused growth changes nothing. */
TEST_F(st, growth_stops_at_the_limit)
{
	static struct asp_snap before;
	struct aspace_access a;
	unsigned int k;

	for (k = 0; k < 3; k++) {
		SNAP(self->fd, &before);
		EXPECT_EQ(SEGV_MAPERR,
			  touch(self->fd, k, TOP - DEF_STACK_LIMIT - 1, &a));
		EXPECT_EQ(TOP - DEF_STACK_LIMIT - 1, a.fault_addr);
		EXPECT_EQ(0, a.done);
		EXPECT_UNCHANGED(self->fd, &before);
	}
	EXPECT_EQ(0, touch(self->fd, R, TOP - DEF_STACK_LIMIT, NULL));
	EXPECT_EQ(TOP - DEF_STACK_LIMIT, stack_start(self->fd));
	SNAP(self->fd, &before);
	EXPECT_EQ(SEGV_MAPERR,
		  touch(self->fd, W, TOP - DEF_STACK_LIMIT - PG, &a));
	EXPECT_EQ(TOP - DEF_STACK_LIMIT - PG, a.fault_addr);
	EXPECT_UNCHANGED(self->fd, &before);
	/* A long access from below the limit faults at once. */
	ASSERT_EQ(0, mem_access(self->fd, R, TOP - DEF_STACK_LIMIT - 10, 20,
				NULL, &a));
	EXPECT_EQ(SEGV_MAPERR, a.si_code);
	EXPECT_EQ(TOP - DEF_STACK_LIMIT - 10, a.fault_addr);
	EXPECT_EQ(0, a.done);
}

TEST_F(st, stack_bytes_limit_is_settable)
{
	struct aspace_limits lim;
	struct aspace_access a;
	struct {
		struct aspace_limits l;
	} old;

	ASSERT_EQ(0, set_limit(self->fd, stack_bytes, PAGES(64)));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &lim));
	EXPECT_EQ(PAGES(64), lim.stack_bytes);
	EXPECT_EQ(SEGV_MAPERR, touch(self->fd, R, TOP - PAGES(64) - 1, &a));
	EXPECT_EQ(self->start, stack_start(self->fd));
	EXPECT_EQ(0, touch(self->fd, R, TOP - PAGES(64), NULL));
	EXPECT_EQ(TOP - PAGES(64), stack_start(self->fd));
	/* 0 keeps the current value (older user space). */
	ASSERT_EQ(0, set_limit(self->fd, stack_bytes, 0));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &lim));
	EXPECT_EQ(PAGES(64), lim.stack_bytes);
	/* So does the struct of before the memory release (no field). */
	memset(&old, 0, sizeof(old));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &old.l));
	old.l.size = offsetof(struct aspace_limits, stack_bytes);
	old.l.stack_bytes = 0;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_SET_LIMITS, &old.l));
	ASSERT_EQ(0, aspace_get_limits(self->fd, &lim));
	EXPECT_EQ(PAGES(64), lim.stack_bytes);
	/* A limit below the current size: no shrinking, no growth. */
	ASSERT_EQ(0, set_limit(self->fd, stack_bytes, PAGES(8)));
	EXPECT_EQ(TOP - PAGES(64), stack_start(self->fd));
	EXPECT_EQ(SEGV_MAPERR, touch(self->fd, R, TOP - PAGES(64) - 1, &a));
	EXPECT_EQ(0, touch(self->fd, W, TOP - PAGES(64), NULL));
	/* Raised: grows again. */
	ASSERT_EQ(0, set_limit(self->fd, stack_bytes, 16ULL << 20));
	EXPECT_EQ(0, touch(self->fd, R, TOP - (16ULL << 20), NULL));
	EXPECT_EQ(TOP - (16ULL << 20), stack_start(self->fd));
}

/* The mapped-bytes limit (RLIMIT_AS) applies to growth too. */
TEST_F(st, growth_counts_against_as_bytes)
{
	struct aspace_stats stats = mem_stats(self->fd);

	ASSERT_EQ(0, set_limit(self->fd, as_bytes, stats.mapped_bytes + PG));
	EXPECT_EQ(0, touch(self->fd, R, self->start - 1, NULL));
	EXPECT_EQ(SEGV_MAPERR, touch(self->fd, R, self->start - PG - 1,
				     NULL));
	EXPECT_EQ(self->start - PG, stack_start(self->fd));
	ASSERT_EQ(0, set_limit(self->fd, as_bytes, ASPACE_LIMIT_INFINITY));
	EXPECT_EQ(0, touch(self->fd, R, self->start - PG - 1, NULL));
	EXPECT_EQ(self->start - PAGES(2), stack_start(self->fd));
}

/*
 * The guard gap: the stack never grows to within stack_guard_gap of an
 * accessible mapping below it; a PROT_NONE one does not count.
 */
TEST_F(st, guard_gap_to_the_mapping_below)
{
	const __u64 gap = DEF_STACK_GUARD_GAP, s = self->start;
	const __u64 below = s - gap - PAGES(8);	/* one page */
	static struct asp_snap before;
	struct aspace_access a;

	ASSERT_EQ(0, aspace_mmap(self->fd, below, PG, P_R, M_PRIV | M_FIXED,
				 NULL));
	/* Down to exactly gap above it: fine. */
	EXPECT_EQ(0, touch(self->fd, R, below + PG + gap, NULL));
	EXPECT_EQ(below + PG + gap, stack_start(self->fd));
	/* One page more: refused, and nothing changes. */
	SNAP(self->fd, &before);
	EXPECT_EQ(SEGV_MAPERR, touch(self->fd, W, below + PG + gap - 1, &a));
	EXPECT_EQ(below + PG + gap - 1, a.fault_addr);
	EXPECT_UNCHANGED(self->fd, &before);
	/* PROT_NONE below: no gap kept, the stack grows right to it. */
	ASSERT_EQ(0, aspace_mprotect(self->fd, below, PG, 0));
	EXPECT_EQ(0, touch(self->fd, R, below + PG, NULL));
	EXPECT_EQ(below + PG, stack_start(self->fd));
	EXPECT_VMAS(self->fd, { below, below + PG, 0 },
		    { below + PG, TOP, V_RW | V_STACK });
	/* And below that mapping it cannot grow at all. */
	EXPECT_EQ(SEGV_MAPERR, touch(self->fd, R, below - 1, NULL));
}

/* mmap (hints and the search) and brk keep the gap below the grown stack. */
TEST_F(st, mmap_and_brk_keep_the_gap)
{
	const __u64 gap = DEF_STACK_GUARD_GAP;
	struct aspace_layout l;
	__u64 ns, x, brk;
	int fd;

	ASSERT_EQ(0, touch(self->fd, R, self->start - PAGES(10), NULL));
	ns = stack_start(self->fd);
	ASSERT_EQ(self->start - PAGES(10), ns);
	/* A hint in the gap is not taken; one just below it is. */
	ASSERT_EQ(0, aspace_mmap(self->fd, ns - PG, PG, P_R, M_PRIV, &x));
	EXPECT_NE(ns - PG, x);
	EXPECT_TRUE(x + PG <= ns - gap || x >= TOP);
	ASSERT_EQ(0, aspace_mmap(self->fd, ns - gap - PG, PG, P_R, M_PRIV,
				 &x));
	EXPECT_EQ(ns - gap - PG, x);

	/* brk with the heap just below the gap. */
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	memset(&l, 0, sizeof(l));
	l.flags = ASPACE_LAYOUT_STACK | (self->la57 ? ASPACE_LAYOUT_LA57 : 0);
	l.mmap_min_addr = DEF_MMAP_MIN_ADDR;
	l.heap_start = self->start - gap - PAGES(8);
	ASSERT_EQ(0, aspace_set_layout(fd, &l));
	/* One page stays free below the gap. */
	ASSERT_EQ(0, aspace_brk(fd, l.heap_start + PAGES(7), &brk));
	EXPECT_EQ(l.heap_start + PAGES(7), brk);
	ASSERT_EQ(0, aspace_brk(fd, l.heap_start + PAGES(7) + 1, &brk));
	EXPECT_EQ(l.heap_start + PAGES(7), brk);
	ASSERT_EQ(0, aspace_brk(fd, l.heap_start + PAGES(6), &brk));
	EXPECT_EQ(l.heap_start + PAGES(6), brk);
	/* The stack grows by a page: the gap moves down with it. */
	ASSERT_EQ(0, touch(fd, R, self->start - 1, NULL));
	ASSERT_EQ(0, aspace_brk(fd, l.heap_start + PAGES(7), &brk));
	EXPECT_EQ(l.heap_start + PAGES(6), brk);
	/* And the heap is an accessible mapping: the stack keeps its gap. */
	EXPECT_EQ(0, touch(fd, R, self->start - PAGES(2), NULL));
	EXPECT_EQ(SEGV_MAPERR, touch(fd, R, self->start - PAGES(2) - 1,
				     NULL));
	EXPECT_EQ(self->start - PAGES(2), stack_start(fd));
	close(fd);
}

/* A clone has its own stack: each grows on its own. */
TEST_F(st, clone_grows_on_its_own)
{
	unsigned char b = 0;
	int c;

	ASSERT_EQ(0, touch(self->fd, W, self->start - 1, NULL));
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &c));
	EXPECT_EQ(self->start - PG, stack_start(c));
	ASSERT_EQ(0, touch(c, W, self->start - PAGES(5), NULL));
	EXPECT_EQ(self->start - PAGES(5), stack_start(c));
	EXPECT_EQ(self->start - PG, stack_start(self->fd));
	ASSERT_EQ(1, mem_pread(c, &b, 1, self->start - 1));
	EXPECT_EQ(0x2a, b);
	close(c);
}

/* ------------------------------------------------------------------ */
/* Against a real stack, in a forked child. */

struct real {
	int signo, code;
	long long fault_off;	/* fault address - stack start before */
	long long start_off;	/* stack start after - stack start before */
	long long pread_ret;
};

static __u64 real_stack_start(void)
{
	unsigned long long s, e;
	char line[512];
	__u64 ret = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[stack]") &&
		    sscanf(line, "%llx-%llx", &s, &e) == 2)
			ret = s;
	fclose(f);
	return ret;
}

/*
 * In a child: @below (if not 0) maps a page of @below_prot that far
 * below the stack; then an access of @kind (OP_*) or a pread or pwrite
 * at stack start - @off; what happened, relative to the stack start.
 */
static int real_below_stack(int kind, __u64 off, __u64 below,
			    int below_prot, struct real *r)
{
	struct real *shared;
	struct sigaction sa;
	struct op op;
	struct op_res res;
	unsigned char b[8];
	int status, mem;
	__u64 s;
	pid_t pid;

	shared = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return -1;
	memset(shared, 0, sizeof(*shared));
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		s = real_stack_start();
		if (!s)
			_exit(2);
		if (below &&
		    mmap((void *)(uintptr_t)(s - below), PG, below_prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0) != (void *)(uintptr_t)(s - below))
			_exit(3);
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = lx_segv;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		memset(&op, 0, sizeof(op));
		memset(&res, 0, sizeof(res));
		op.type = kind;
		op.addr = s - off;
		op.len = 1;
		if (kind == OP_PREAD || kind == OP_PWRITE) {
			mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
			b[0] = 0x5a;
			shared->pread_ret = kind == OP_PREAD ?
				mem_pread(mem, b, 1, s - off) :
				mem_pwrite(mem, b, 1, s - off);
		} else {
			lx_run_access(&op, b, &res);
		}
		shared->signo = res.signo;
		shared->code = res.si_code;
		shared->fault_off = res.fault_addr ?
				    (long long)(res.fault_addr - s) : 0;
		shared->start_off = (long long)(real_stack_start() - s);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	*r = *shared;
	munmap(shared, PG);
	return 0;
}

/* The same in aspace, relative to the start of its stack. */
static void asp_below_stack(int fd, int kind, __u64 off, struct real *r)
{
	static const __u32 kinds[] = {
		[OP_READ] = R, [OP_WRITE] = W, [OP_EXEC] = X,
	};
	struct aspace_access a;
	unsigned char b[8];
	__u64 s = stack_start(fd);

	memset(r, 0, sizeof(*r));
	if (kind == OP_PREAD || kind == OP_PWRITE) {
		b[0] = 0x5a;
		r->pread_ret = kind == OP_PREAD ? mem_pread(fd, b, 1, s - off) :
						  mem_pwrite(fd, b, 1, s - off);
	} else if (!mem_access(fd, kinds[kind], s - off, 1, b, &a)) {
		r->signo = a.signo;
		r->code = a.si_code;
		r->fault_off = a.fault_addr ? (long long)(a.fault_addr - s) :
			       0;
	} else {
		r->signo = -1;
	}
	r->start_off = (long long)(stack_start(fd) - s);
}

static bool real_equal(const char *what, const struct real *lx,
		       const struct real *as)
{
	if (!memcmp(lx, as, sizeof(*lx)))
		return true;
	fprintf(stderr, "#   %s: linux signo %d si_code %d fault %+lld start %+lld pread %lld\n",
		what, lx->signo, lx->code, lx->fault_off, lx->start_off,
		lx->pread_ret);
	fprintf(stderr, "#   %s: aspace signo %d si_code %d fault %+lld start %+lld pread %lld\n",
		what, as->signo, as->code, as->fault_off, as->start_off,
		as->pread_ret);
	return false;
}

/*
 * Compare a case with a real stack, in both paging modes: the Linux
 * half runs even without the module.  @below: see real_below_stack().
 */
static bool compare_real(struct __test_metadata *_metadata, const char *what,
			 int kind, __u64 off, __u64 below, int below_prot)
{
	static const __u32 layouts[] = { 0, ASPACE_LAYOUT_LA57 };
	struct real lx, as;
	unsigned int i;
	bool ok = true;
	__u64 s;
	int fd;

	EXPECT_EQ(0, real_below_stack(kind, off, below, below_prot, &lx)) {
		TH_LOG("%s: the real child failed", what);
		return false;
	}
	for (i = 0; i < ARRAY_SIZE(layouts); i++) {
		fd = aspace_open(0);
		if (fd < 0) {
			memset(&as, 0xff, sizeof(as));
			real_equal(what, &lx, &as);
			return false;
		}
		EXPECT_EQ(0, set_stack_layout(fd, layouts[i], 0, 0));
		s = stack_start(fd);
		if (below)
			EXPECT_EQ(0, aspace_mmap(fd, s - below, PG, below_prot,
						 M_PRIV | M_FIXED, NULL));
		asp_below_stack(fd, kind, off, &as);
		ok &= real_equal(what, &lx, &as);
		close(fd);
	}
	return ok;
}

/*
 * Below a real stack: a load, a store and a fetch one byte and further
 * below it (the fetch grows the stack, then faults: the stack is not
 * executable), and a pread and a pwrite of /proc/self/mem there, which
 * grow the stack too (__access_remote_vm() calls expand_stack(), in 6.1
 * and 6.12).
 */
TEST(below_the_stack_like_a_real_one)
{
	static const struct {
		int kind;
		__u64 off;
	} c[] = {
		{ OP_READ, 1 }, { OP_WRITE, 1 }, { OP_EXEC, 1 },
		{ OP_READ, 5000 }, { OP_WRITE, PAGES(40) + 3 },
		{ OP_EXEC, 5000 }, { OP_PREAD, 1 }, { OP_PREAD, PAGES(3) },
		{ OP_PWRITE, 1 }, { OP_PWRITE, PAGES(3) },
	};
	unsigned int i, bad = 0;
	char what[64];
	int fd;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(what, sizeof(what), "%s at stack - %#llx",
			 c[i].kind == OP_READ ? "load" :
			 c[i].kind == OP_WRITE ? "store" :
			 c[i].kind == OP_EXEC ? "fetch" :
			 c[i].kind == OP_PREAD ? "pread" : "pwrite",
			 (unsigned long long)c[i].off);
		bad += !compare_real(_metadata, what, c[i].kind, c[i].off, 0,
				     0);
	}
	fd = aspace_open(0);
	ASSERT_LE(0, fd) {
		TH_LOG("no /dev/aspace: only the Linux half ran");
	}
	close(fd);
	EXPECT_EQ(0, bad);
	EXPECT_ALL_COUNTERS_ZERO();
}

/*
 * The guard gap of a real stack (1 MiB) to a page mapped below it, its
 * end a gap and a page below the stack: growing to exactly the gap
 * works, one page more does not; a PROT_NONE page keeps no gap.
 */
TEST(guard_gap_like_a_real_stack)
{
	const __u64 gap = DEF_STACK_GUARD_GAP;
	static const struct {
		int prot;
		__u64 off;
	} c[] = {
		{ PROT_READ, PG }, { PROT_READ, PAGES(2) },
		{ PROT_READ | PROT_WRITE, PAGES(2) + 1 },
		{ PROT_NONE, PAGES(2) }, { PROT_NONE, DEF_STACK_GUARD_GAP },
		{ PROT_NONE, DEF_STACK_GUARD_GAP + PG },
		{ PROT_NONE, DEF_STACK_GUARD_GAP + PG + 1 },
	};
	unsigned int i, bad = 0;
	char what[64];
	int fd;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(what, sizeof(what), "prot %d, stack - %#llx",
			 c[i].prot, (unsigned long long)c[i].off);
		bad += !compare_real(_metadata, what, OP_READ, c[i].off,
				     gap + PAGES(2), c[i].prot);
	}
	/* A mapping inside the gap (MAP_FIXED may put one there). */
	bad += !compare_real(_metadata, "r page just below", OP_READ, 1,
			     PAGES(2), PROT_READ);
	bad += !compare_real(_metadata, "none page just below", OP_READ, 1,
			     PAGES(2), PROT_NONE);
	bad += !compare_real(_metadata, "rw page mid-gap", OP_WRITE, PG,
			     gap / 2, PROT_READ | PROT_WRITE);
	bad += !compare_real(_metadata, "rw page mid-gap, store into it",
			     OP_WRITE, gap / 2, gap / 2,
			     PROT_READ | PROT_WRITE);
	fd = aspace_open(0);
	ASSERT_LE(0, fd) {
		TH_LOG("no /dev/aspace: only the Linux half ran");
	}
	close(fd);
	EXPECT_EQ(0, bad);
	EXPECT_ALL_COUNTERS_ZERO();
}

TEST_HARNESS_MAIN
