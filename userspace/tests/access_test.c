// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of ASPACE_IOC_ACCESS, the simulated user-mode load,
 * store and instruction fetch, against the real thing: every layout is
 * built twice, in aspace and (MAP_FIXED at the same addresses) in a
 * forked child of the test, and every access is made in both, in the
 * child with real instructions (a byte load, a byte store, a call into
 * NOPs ending in a ret) under a SIGSEGV handler.  signo, si_code, the
 * fault address, the bytes done and the bytes read must agree, and so
 * must the memory afterwards.  The child runs with PKRU = 0 (see
 * aspace_mem_util.h); a separate test shows what protection keys change.
 *
 * Covered: the eight protections, private and shared, touched and not;
 * every pair of adjacent protections; the last byte of a VMA and the first
 * byte after it; holes; long accesses stopping at the first fault; the
 * top of the 4- and 5-level address spaces; and the aspace-only rules
 * (touch without a buffer, fetched bytes, the output fields).
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"

static const __u32 prots[8] = { 0, P_R, P_W, P_RW, P_X, P_RX, P_WX, P_RWX };

FIXTURE(acc) {
	int fd;
	bool la57;
	struct script *s;
	struct script_out *lx, *as;
};

FIXTURE_VARIANT(acc) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(acc, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(acc, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_SETUP(acc)
{
	self->la57 = variant->layout & ASPACE_LAYOUT_LA57;
	/* Without the module the Linux half of each test still runs. */
	self->fd = open_layout(variant->layout);
	self->s = calloc(1, sizeof(*self->s));
	ASSERT_NE(NULL, self->s);
	self->lx = script_out_alloc();
	self->as = script_out_alloc();
	ASSERT_NE(NULL, self->lx);
	ASSERT_NE(NULL, self->as);
}

FIXTURE_TEARDOWN(acc)
{
	free(self->s);
	script_out_free(self->lx);
	script_out_free(self->as);
	if (self->fd >= 0) {
		close(self->fd);
		EXPECT_ALL_COUNTERS_ZERO();
	}
}

/*
 * The bases a test runs at: the 4 GiB arena, and in the 5-level layout
 * also one above 2^47 (if this machine can map there too).
 */
static unsigned int bases(bool la57, __u64 *b)
{
	unsigned int n = 0;

	b[n++] = ARENA_LOW;
	if (la57 && host_la57())
		b[n++] = ARENA_HIGH;
	return n;
}

/* Run the script on Linux (checked against the model) and on aspace. */
#define compare(what) do {						\
	run_compare(_metadata, what, self->s, self->fd, true, self->lx,	\
		    self->as, NULL);					\
	ASSERT_LE(0, self->fd) {					\
		TH_LOG("no /dev/aspace (%s): only the Linux half ran",	\
		       strerror(-self->fd));				\
	}								\
} while (0)

/*
 * One page of each protection, with a hole after each, filled with NOPs
 * and a ret at the end; every kind of access at its start, at its last
 * byte, across its end into the hole, and in the hole.
 */
static void add_prot_matrix(struct script *s, __u64 base, __u32 mflags)
{
	unsigned int i;
	__u64 a;

	for (i = 0; i < 8; i++) {
		a = base + PAGES(2 * i);
		sc_code(s, a, PG, prots[i], mflags, a + PG - 1);
	}
	for (i = 0; i < 8; i++) {
		a = base + PAGES(2 * i);
		sc_add(s, OP_EXEC, a, PG, 0, 0);
		sc_add(s, OP_EXEC, a + PG - 1, 1, 0, 0);
		sc_add(s, OP_EXEC, a + PG, 1, 0, 0);
		sc_add(s, OP_READ, a, PG, 0, 0);
		sc_add(s, OP_READ, a + PG - 1, 1, 0, 0);
		sc_add(s, OP_READ, a + PG - 1, 2, 0, 0);
		sc_add(s, OP_READ, a + PG + 5, 3, 0, 0);
		sc_add(s, OP_WRITE, a + PG - 2, 4, 11 + i, 0);
		sc_add(s, OP_WRITE, a + 7, 1, 31 + i, 0);
		sc_add(s, OP_WRITE, a + PG, 1, 41 + i, 0);
		sc_add(s, OP_READ, a, 16, 0, 0);
	}
	sc_read_back(s, base, PAGES(16));
}

TEST_F(acc, protections_private_and_shared_like_linux)
{
	__u64 b[2];
	unsigned int i, n = bases(self->la57, b);

	for (i = 0; i < n; i++) {
		sc_arena(self->s, b[i], b[i] + PAGES(64));
		add_prot_matrix(self->s, b[i], M_PRIV);
		add_prot_matrix(self->s, b[i] + PAGES(32), M_SHARED);
	}
	compare("protection matrix");
}

/* The same on memory never touched: reads see zeros, writes fault in. */
TEST_F(acc, untouched_memory_like_linux)
{
	__u64 b[2], a, base;
	unsigned int i, j, n = bases(self->la57, b);

	for (j = 0; j < n; j++) {
		base = b[j];
		sc_arena(self->s, base, base + PAGES(32));
		for (i = 0; i < 16; i++)
			sc_add(self->s, OP_MMAP, base + PAGES(2 * i), PG,
			       prots[i % 8], i < 8 ? M_PRIV : M_SHARED);
		for (i = 0; i < 16; i++) {
			a = base + PAGES(2 * i);
			sc_add(self->s, OP_READ, a + 100, 8, 0, 0);
			sc_add(self->s, OP_WRITE, a + 10, 2, 5 + i, 0);
			sc_add(self->s, OP_READ, a, PG, 0, 0);
			sc_add(self->s, OP_WRITE, a + PG - 1, 2, 9, 0);
		}
		sc_read_back(self->s, base, PAGES(32));
	}
	compare("untouched memory");
}

/*
 * Every pair of protections side by side: an access of 6 bytes from 3
 * bytes before the boundary; a fetch runs NOPs to a ret 3 bytes after it.
 */
static void add_pairs(struct script *s, __u64 base, __u32 mflags)
{
	unsigned int i, j;
	__u64 a;

	for (i = 0; i < 8; i++) {
		for (j = 0; j < 8; j++) {
			a = base + PAGES(3 * (i * 8 + j));
			sc_code(s, a, PG, prots[i], mflags, 0);
			sc_code(s, a + PG, PG, prots[j], mflags, a + PG + 2);
		}
	}
	for (i = 0; i < 64; i++) {
		a = base + PAGES(3 * i) + PG;
		sc_add(s, OP_EXEC, a - 3, 6, 0, 0);
		sc_add(s, OP_READ, a - 3, 6, 0, 0);
		sc_add(s, OP_WRITE, a - 3, 6, 100 + i, 0);
		sc_add(s, OP_READ, a - 3, 6, 0, 0);
		sc_add(s, OP_PREAD, a - 8, 16, 0, 0);
	}
}

TEST_F(acc, adjacent_protections_like_linux)
{
	__u64 b[2];
	unsigned int i, n = bases(self->la57, b);

	for (i = 0; i < n; i++) {
		sc_arena(self->s, b[i], b[i] + PAGES(384));
		add_pairs(self->s, b[i], M_PRIV);
		add_pairs(self->s, b[i] + PAGES(192), M_SHARED);
	}
	compare("adjacent protections");
}

/*
 * Long accesses over several VMAs stop at the first byte that faults;
 * the bytes before it are stored.
 *   base: rw, untouched (3 pages) | r, filled (2) | hole | rw shared (2)
 */
TEST_F(acc, long_access_stops_at_first_fault_like_linux)
{
	struct script *s = self->s;
	__u64 b[2], base;
	unsigned int i, n = bases(self->la57, b);

	for (i = 0; i < n; i++) {
		base = b[i];
		sc_arena(s, base, base + PAGES(16));
		sc_map(s, base, PAGES(3), P_RW, M_PRIV, 0);
		sc_map(s, base + PAGES(3), PAGES(2), P_R, M_PRIV, 5);
		sc_map(s, base + PAGES(6), PAGES(2), P_RW, M_SHARED, 9);
		sc_add(s, OP_WRITE, base + 100, PAGES(5), 11, 0);
		sc_add(s, OP_READ, base, PAGES(6), 0, 0);
		sc_add(s, OP_READ, base + PAGES(3) + 7, PAGES(4), 0, 0);
		sc_add(s, OP_READ, base + PAGES(5) - 1, PAGES(2), 0, 0);
		sc_add(s, OP_READ, base + PAGES(6) - 1, 1, 0, 0);
		sc_add(s, OP_WRITE, base + PAGES(6), PAGES(3), 13, 0);
		sc_add(s, OP_WRITE, base + PAGES(5) - 10, PAGES(2), 17, 0);
		sc_add(s, OP_EXEC, base, PAGES(2), 0, 0);
		sc_add(s, OP_READ, base + PAGES(2) + 1, PAGES(8), 0, 0);
		sc_read_back(s, base, PAGES(9));
	}
	compare("long accesses");
}

/* The end of the address space: [top - 2 pages, top) mapped. */
static void add_top(struct script *s, __u64 top)
{
	sc_arena(s, top - PAGES(2), top);
	sc_map(s, top - PAGES(2), PG, P_R, M_PRIV, 3);
	sc_map(s, top - PG, PG, P_RW, M_PRIV, 0);
	sc_add(s, OP_READ, top - 1, 2, 0, 0);
	sc_add(s, OP_WRITE, top - 2, 2, 7, 0);
	sc_add(s, OP_WRITE, top - PG - 1, 2, 7, 0);
	sc_add(s, OP_READ, top - PAGES(2), PAGES(3), 0, 0);
	sc_add(s, OP_READ, top, 1, 0, 0);
	sc_add(s, OP_WRITE, top + 5, 1, 7, 0);
	sc_add(s, OP_EXEC, top, 1, 0, 0);
	sc_add(s, OP_PREAD, top - 1, 2, 0, 0);
	sc_add(s, OP_PREAD, top, 1, 0, 0);
	sc_add(s, OP_PWRITE, top - 4, 8, 9, 0);
	sc_add(s, OP_PWRITE, top, 8, 9, 0);
	sc_read_back(s, top - PAGES(2), PAGES(2));
	/* Kernel addresses, canonical in both paging modes. */
	sc_add(s, OP_READ, 0xffff800000001000ULL, 8, 0, 0);
	sc_add(s, OP_WRITE, 0xffffffffffff0000ULL, 8, 1, 0);
	sc_add(s, OP_EXEC, 0xffffffffff600000ULL + PG, 1, 0, 0);
}

/*
 * Accesses crossing the task size fault there with SEGV_MAPERR, as on
 * the same addresses in a 5-level process (where the 4-level task size
 * is an ordinary unmapped address).
 */
TEST_F(acc, end_of_address_space_like_linux)
{
	add_top(self->s, TASK_SIZE_4L);
	if (self->la57) {
		if (host_la57())
			add_top(self->s, TASK_SIZE_5L);
		else
			TH_LOG("this machine has 4-level paging: 2^56 not compared");
	}
	compare("end of the address space");
}

/*
 * Page-table boundaries: a PT (2 MiB), a PD (1 GiB), a PDPT (512 GiB)
 * and, with 5 levels, one above 2^47 and a PML4 (2^48).  Mappings across
 * each, accesses, transfers and populate across them, one side unmapped,
 * a clone written on both sides.
 */
static void add_boundary(struct script *s, __u64 b)
{
	sc_arena(s, b - PAGES(2), b + PAGES(2));
	sc_map(s, b - PAGES(2), PAGES(4), P_RW, M_PRIV, 0);
	sc_add(s, OP_WRITE, b - 100, 200, 1, 0);
	sc_add(s, OP_READ, b - PAGES(2), PAGES(4), 0, 0);
	sc_add(s, OP_MADVISE, b - PG, PAGES(2), MADV_POPULATE_WRITE, 0);
	sc_add(s, OP_MPROTECT, b, PAGES(2), P_R, 0);
	sc_add(s, OP_WRITE, b - 10, 20, 2, 0);
	sc_add(s, OP_PWRITE, b - 10, 20, 3, 0);
	sc_add(s, OP_PREAD, b - PAGES(2), PAGES(4), 0, 0);
	sc_add(s, OP_MUNMAP, b - PG, PG, 0, 0);
	sc_add(s, OP_READ, b - PAGES(2), PAGES(4), 0, 0);
	sc_add(s, OP_PREAD, b - PAGES(2), PAGES(4), 0, 0);
}

/* (Not 2^47 itself: the page below it may be the child's stack.) */
TEST_F(acc, page_table_boundaries_like_linux)
{
	__u64 b[] = { ARENA_LOW + (2ULL << 20), 5ULL << 30, 1ULL << 39,
		      (1ULL << 47) + (1ULL << 39), 1ULL << 48 };
	unsigned int i, n = self->la57 && host_la57() ? 5 : 3;

	for (i = 0; i < n; i++)
		add_boundary(self->s, b[i]);
	sc_add(self->s, OP_CLONE, 0, 0, 0, 0);
	for (i = 0; i < n; i++) {
		sc_add(self->s, OP_PWRITE, b[i] - PAGES(2) + 7, PAGES(4), 4,
		       0);
		sc_add(self->s, OP_WRITE, b[i] - PAGES(2) + 5, PAGES(4), 5,
		       0);
		sc_read_back(self->s, b[i] - PAGES(2), PAGES(4));
	}
	compare("page-table boundaries");
}

/*
 * What protection keys change: with PKU, Linux makes a PROT_EXEC-only
 * mapping execute-only (a read gets SEGV_PKUERR).  aspace models x86_64
 * without protection keys: the page table allows the read.
 */
TEST_F(acc, exec_only_is_readable_without_pku)
{
	struct aspace_access a;
	unsigned char buf[16];
	int status, p[2];
	unsigned int i;
	pid_t pid;
	int code;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sigaction sa;
		char *m;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = lx_segv;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		m = mmap(NULL, PG, PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		lx_signo = 0;
		lx_code = 0;
		if (m != MAP_FAILED && !sigsetjmp(lx_jb, 1))
			lx_load((uintptr_t)m);
		code = m == MAP_FAILED ? -1 : lx_code;
		if (write(p[1], &code, sizeof(code)) != sizeof(code))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(sizeof(code), read(p[0], &code, sizeof(code)));
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (cpu_ospke()) {
		EXPECT_EQ(SEGV_PKUERR, code);
		TH_LOG("Linux with PKU: a read of PROT_EXEC gets si_code %d (SEGV_PKUERR)",
		       code);
	} else {
		EXPECT_EQ(0, code);
		TH_LOG("no protection keys here: PROT_EXEC is readable in Linux too");
	}

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PG, P_X,
				 M_PRIV | M_FIXED, NULL));
	memset(buf, 0xaa, sizeof(buf));
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_READ, ARENA_LOW,
				sizeof(buf), buf, &a));
	EXPECT_EQ(0, a.signo);
	EXPECT_EQ(0, a.si_code);
	EXPECT_EQ(sizeof(buf), a.done);
	for (i = 0; i < sizeof(buf); i++)
		EXPECT_EQ(0, buf[i]);
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, ARENA_LOW, 1,
				buf, &a));
	EXPECT_EQ(SIGSEGV, a.signo);
	EXPECT_EQ(SEGV_ACCERR, a.si_code);
	EXPECT_EQ(ARENA_LOW, a.fault_addr);
	EXPECT_EQ(0, a.done);
}

/* No fault: signo, si_code and fault_addr 0, done the whole length. */
TEST_F(acc, output_fields_without_fault)
{
	struct aspace_access a;
	unsigned char buf[64];

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PAGES(2), P_RW,
				 M_PRIV | M_FIXED, NULL));
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.kind = ASPACE_ACCESS_READ;
	a.addr = ARENA_LOW + PG - 32;
	a.length = sizeof(buf);
	a.buf = (uintptr_t)buf;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_ACCESS, &a));
	EXPECT_EQ(sizeof(a), a.size);
	EXPECT_EQ(ASPACE_ACCESS_READ, a.kind);
	EXPECT_EQ(ARENA_LOW + PG - 32, a.addr);
	EXPECT_EQ(sizeof(buf), a.length);
	EXPECT_EQ((uintptr_t)buf, a.buf);
	EXPECT_EQ(sizeof(buf), a.done);
	EXPECT_EQ(0, a.fault_addr);
	EXPECT_EQ(0, a.signo);
	EXPECT_EQ(0, a.si_code);
}

/*
 * done, fault_addr, signo and si_code are out fields that must be zero
 * on input (Documentation/ioctls.md): anything else is EINVAL and no
 * access is made.
 */
TEST_F(acc, nonzero_output_fields_on_input_einval)
{
	static struct asp_snap before;
	struct aspace_access a;
	unsigned char buf[64];
	unsigned int f;

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PG, P_RW,
				 M_PRIV | M_FIXED, NULL));
	SNAP(self->fd, &before);
	memset(buf, 0x11, sizeof(buf));
	for (f = 0; f < 4; f++) {
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.kind = ASPACE_ACCESS_WRITE;
		a.addr = ARENA_LOW;
		a.length = sizeof(buf);
		a.buf = (uintptr_t)buf;
		if (f == 0)
			a.done = 1;
		else if (f == 1)
			a.fault_addr = ARENA_LOW;
		else if (f == 2)
			a.signo = SIGSEGV;
		else
			a.si_code = -1;
		EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_ACCESS,
						&a)) {
			TH_LOG("output field %u set", f);
		}
	}
	EXPECT_UNCHANGED(self->fd, &before);
	EXPECT_EQ(0, sysfs_pages_data());
}

/* Length 0 does nothing and succeeds, wherever it points. */
TEST_F(acc, length_zero_does_nothing)
{
	static const __u64 addrs[] = { 0, PG, ARENA_LOW, ARENA_LOW + 1,
				       TASK_SIZE_4L, TASK_SIZE_5L };
	static struct asp_snap before;
	struct aspace_access a;
	unsigned int i, k;

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PG, P_R,
				 M_PRIV | M_FIXED, NULL));
	SNAP(self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		for (k = 0; k < 3; k++) {
			memset(&a, 0, sizeof(a));
			a.size = sizeof(a);
			a.kind = k;
			a.addr = addrs[i];
			EXPECT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_ACCESS,
						  &a)) {
				TH_LOG("kind %u at %#llx", k,
				       (unsigned long long)addrs[i]);
			}
			EXPECT_EQ(0, a.done);
			EXPECT_EQ(0, a.fault_addr);
			EXPECT_EQ(0, a.signo);
			EXPECT_EQ(0, a.si_code);
		}
	}
	EXPECT_UNCHANGED(self->fd, &before);
}

/*
 * Without a buffer an access only touches its pages: the faults are
 * those of the same access with a buffer; a store stores nothing.
 */
TEST_F(acc, touch_without_buffer)
{
	static unsigned char buf[PAGES(4)], back[PG];
	const __u64 f = ARENA_LOW;
	static const struct {
		__u64 off, len;
	} r[] = {
		{ 0, PG }, { 10, PAGES(2) }, { PG - 1, PAGES(3) },
		{ PAGES(2) + 1, 1 }, { PAGES(3), PG },
		{ PAGES(2) - 1, PAGES(2) + 2 },
	};
	struct aspace_access a, b;
	unsigned int k, i;

	ASSERT_LE(0, self->fd);
	/* rw (written) | r | hole | x */
	ASSERT_EQ(0, aspace_mmap(self->fd, f, PAGES(2), P_RW,
				 M_PRIV | M_FIXED, NULL));
	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(PG, mem_pwrite(self->fd, buf, PG, f));
	ASSERT_EQ(0, aspace_mprotect(self->fd, f + PG, PG, P_R));
	ASSERT_EQ(0, aspace_mmap(self->fd, f + PAGES(3), PG, P_X,
				 M_PRIV | M_FIXED, NULL));
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		for (k = 0; k < 3; k++) {
			ASSERT_EQ(0, mem_access(self->fd, k, f + r[i].off,
						r[i].len, NULL, &a));
			/* The same access through a buffer (of 0x5a). */
			memset(buf, 0x5a, sizeof(buf));
			ASSERT_EQ(0, mem_access(self->fd, k, f + r[i].off,
						r[i].len, buf, &b));
			EXPECT_EQ(b.signo, a.signo);
			EXPECT_EQ(b.si_code, a.si_code);
			EXPECT_EQ(b.fault_addr, a.fault_addr);
			EXPECT_EQ(b.done, a.done) {
				TH_LOG("kind %u at +%#llx", k,
				       (unsigned long long)r[i].off);
			}
		}
	}
	/* The stores above wrote 0x5a where they could: all still 0x5a. */
	ASSERT_EQ(PG, mem_pread(self->fd, back, PG, f));
	for (i = 0; i < PG; i++)
		ASSERT_EQ(0x5a, back[i]);
	/* A store without a buffer changes nothing. */
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, f, PG, NULL,
				&a));
	EXPECT_EQ(0, a.signo);
	EXPECT_EQ(PG, a.done);
	ASSERT_EQ(PG, mem_pread(self->fd, back, PG, f));
	for (i = 0; i < PG; i++)
		ASSERT_EQ(0x5a, back[i]);
	/* Nor on a page never written: it still reads zeros. */
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, f + PAGES(3),
				PG, NULL, &a));
	EXPECT_EQ(SEGV_ACCERR, a.si_code);
	ASSERT_EQ(0, aspace_mprotect(self->fd, f + PG, PG, P_RW));
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, f + PG, PG,
				NULL, &a));
	EXPECT_EQ(0, a.signo);
	ASSERT_EQ(PG, mem_pread(self->fd, back, PG, f + PG));
	for (i = 0; i < PG; i++)
		ASSERT_EQ(0, back[i]);
}

/* An instruction fetch with a buffer returns the bytes fetched. */
TEST_F(acc, fetch_returns_the_code)
{
	unsigned char code[PG], got[PG + 16];
	struct aspace_access a;
	unsigned int i;

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PG, P_RW,
				 M_PRIV | M_FIXED, NULL));
	gen_data(code, ARENA_LOW, PG, 4);
	ASSERT_EQ(PG, mem_pwrite(self->fd, code, PG, ARENA_LOW));
	ASSERT_EQ(0, aspace_mprotect(self->fd, ARENA_LOW, PG, P_RX));
	memset(got, 0, sizeof(got));
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_EXEC, ARENA_LOW + 8,
				PG, got, &a));
	EXPECT_EQ(SIGSEGV, a.signo);
	EXPECT_EQ(SEGV_MAPERR, a.si_code);
	EXPECT_EQ(ARENA_LOW + PG, a.fault_addr);
	EXPECT_EQ(PG - 8, a.done);
	EXPECT_EQ(0, memcmp(got, code + 8, PG - 8));
	/* Not a byte past the fault. */
	for (i = PG - 8; i < sizeof(got); i++)
		EXPECT_EQ(0, got[i]);
}

/* Faulting accesses change no VMA, no layout, no limit. */
TEST_F(acc, faults_change_no_mapping)
{
	static struct asp_snap a, b;
	unsigned char buf[16];
	unsigned int k;

	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW, PG, P_R,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(self->fd, ARENA_LOW + PAGES(2), PG, 0,
				 M_SHARED | M_FIXED, NULL));
	SNAP(self->fd, &a);
	for (k = 0; k < 3; k++) {
		EXPECT_EQ(0, mem_access(self->fd, k, ARENA_LOW + PG, 1, buf,
					NULL));
		EXPECT_EQ(0, mem_access(self->fd, k, ARENA_LOW + PAGES(2), 1,
					buf, NULL));
		EXPECT_EQ(0, mem_access(self->fd, k, 0, 16, buf, NULL));
	}
	EXPECT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, ARENA_LOW, 1,
				buf, NULL));
	SNAP(self->fd, &b);
	EXPECT_TRUE(vma_lists_equal(&a.vmas, &b.vmas));
	EXPECT_EQ(0, memcmp(&a.layout, &b.layout, sizeof(a.layout)));
	EXPECT_EQ(0, memcmp(&a.limits, &b.limits, sizeof(a.limits)));
	EXPECT_EQ(a.stats.resident_pages, b.stats.resident_pages);
	EXPECT_EQ(a.stats.mapped_bytes, b.stats.mapped_bytes);
}

/* A reference check of the harness itself: Linux agrees with the model. */
TEST(linux_agrees_with_the_model)
{
	struct script *s = calloc(1, sizeof(*s));
	struct script_out *lx = script_out_alloc();

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, lx);
	sc_arena(s, ARENA_LOW, ARENA_LOW + PAGES(64));
	add_prot_matrix(s, ARENA_LOW, M_PRIV);
	add_prot_matrix(s, ARENA_LOW + PAGES(32), M_SHARED);
	EXPECT_TRUE(run_compare(_metadata, "model", s, -1, true, lx, NULL,
				NULL));
	TH_LOG("protection keys in the guest: %s", cpu_ospke() ?
	       "yes (the child clears PKRU)" : "no");
	free(s);
	script_out_free(lx);
}

TEST_HARNESS_MAIN
