// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency of the memory half: threads loading, storing and
 * pread/pwrite-ing their own pages of one descriptor while another thread
 * maps, protects, unmaps, madvises and clones the same address space.
 * Every result must be one the contract allows (the expected faults in
 * the region being changed, nothing else), every thread must read back
 * what it wrote, every clone must be a consistent copy that later writes
 * do not reach, MAP_SHARED memory written through one descriptor must
 * appear through the other, and when all is closed the module holds
 * nothing.  Each test runs for a bounded time (a few seconds under TCG).
 */
#include <pthread.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <time.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"

#define F		ARENA_LOW
#define CHURN		(ARENA_LOW + (1ULL << 30))	/* the mapper's */
#define CHURN_PAGES	32
#define NWORK		3
#define OWN_PAGES	8
#define SLOTS		(PG / 8)
#define RUN_MS		2000

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static __u32 xorshift(__u32 *s)
{
	__u32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

struct shared_state {
	int fd;
	__u64 deadline;
	int stop;
	int errors;
	char first_error[160];
	pthread_mutex_t lock;
	/* Per worker: the value of each slot of each of its pages. */
	__u64 model[NWORK][OWN_PAGES][SLOTS];
	__u64 counter[NWORK];		/* last value counter written */
	unsigned long ops[NWORK + 1];
};

static void fail(struct shared_state *st, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&st->lock);
	if (!st->errors++) {
		va_start(ap, fmt);
		vsnprintf(st->first_error, sizeof(st->first_error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&st->lock);
}

static __u64 own_addr(unsigned int w, unsigned int p, unsigned int slot)
{
	return F + PAGES(w * OWN_PAGES + p) + slot * 8;
}

/* 8 bytes at @addr by ACCESS or pread / pwrite. */
static int put8(int fd, __u64 addr, __u64 v, bool access)
{
	struct aspace_access a;

	if (!access)
		return mem_pwrite(fd, &v, 8, addr) == 8 ? 0 : -1;
	if (mem_access(fd, ASPACE_ACCESS_WRITE, addr, 8, &v, &a))
		return -1;
	return a.signo ? -1 : 0;
}

static int get8(int fd, __u64 addr, __u64 *v, bool access)
{
	struct aspace_access a;

	if (!access)
		return mem_pread(fd, v, 8, addr) == 8 ? 0 : -1;
	if (mem_access(fd, ASPACE_ACCESS_READ, addr, 8, v, &a))
		return -1;
	return a.signo ? -1 : 0;
}

struct worker {
	struct shared_state *st;
	unsigned int id;
};

/* A worker's access to the churned region: only the allowed results. */
static void churn_probe(struct shared_state *st, __u32 *rnd)
{
	__u64 addr = CHURN + (xorshift(rnd) % (CHURN_PAGES * PG));
	struct aspace_access a;
	unsigned char buf[64];
	long long n;
	__u32 kind = xorshift(rnd) % 3;
	int ret;

	if (xorshift(rnd) & 1) {
		ret = mem_access(st->fd, kind, addr, sizeof(buf), buf, &a);
		if (ret)
			fail(st, "ACCESS in the churn: %s", strerror(-ret));
		else if (a.signo && (a.signo != SIGSEGV ||
				     (a.si_code != SEGV_MAPERR &&
				      a.si_code != SEGV_ACCERR) ||
				     a.fault_addr != addr + a.done))
			fail(st, "ACCESS in the churn: signo %d si_code %d",
			     a.signo, a.si_code);
		return;
	}
	n = kind == ASPACE_ACCESS_WRITE ?
	    mem_pwrite(st->fd, buf, sizeof(buf), addr) :
	    mem_pread(st->fd, buf, sizeof(buf), addr);
	if (n != -EIO && (n <= 0 || n > (long long)sizeof(buf)))
		fail(st, "pread/pwrite in the churn: %lld", n);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct shared_state *st = wk->st;
	unsigned int w = wk->id, p, slot;
	__u32 rnd = 0x1234567u * (w + 1);
	__u64 v, got;
	bool how;

	while (!__atomic_load_n(&st->stop, __ATOMIC_RELAXED)) {
		p = xorshift(&rnd) % OWN_PAGES;
		slot = xorshift(&rnd) % SLOTS;
		v = ((__u64)(w + 1) << 48) |
		    __atomic_add_fetch(&st->counter[w], 1, __ATOMIC_ACQ_REL);
		how = xorshift(&rnd) & 1;
		if (put8(st->fd, own_addr(w, p, slot), v, how)) {
			fail(st, "worker %u: write failed", w);
			break;
		}
		__atomic_store_n(&st->model[w][p][slot], v, __ATOMIC_RELEASE);
		slot = xorshift(&rnd) % SLOTS;
		how = xorshift(&rnd) & 1;
		if (get8(st->fd, own_addr(w, p, slot), &got, how)) {
			fail(st, "worker %u: read failed", w);
			break;
		}
		if (got != st->model[w][p][slot]) {
			fail(st, "worker %u page %u slot %u: %#llx, wrote %#llx",
			     w, p, slot, (unsigned long long)got,
			     (unsigned long long)st->model[w][p][slot]);
			break;
		}
		if (xorshift(&rnd) % 8 == 0)
			churn_probe(st, &rnd);
		st->ops[w]++;
	}
	return NULL;
}

/*
 * A clone's copy of the workers' pages: every slot holds 0 or a value
 * its owner wrote there, not newer than the owner's counter after the
 * clone.  Returns the number of bad slots.
 */
static unsigned int check_snapshot(int fd, __u64 *snap, const __u64 *limit)
{
	unsigned int w, p, s, bad = 0;
	__u64 v;

	for (w = 0; w < NWORK; w++) {
		for (p = 0; p < OWN_PAGES; p++) {
			__u64 *page = snap + (w * OWN_PAGES + p) * SLOTS;

			if (mem_pread(fd, page, PG, own_addr(w, p, 0)) != PG)
				return SLOTS;
			for (s = 0; s < SLOTS; s++) {
				v = page[s];
				if (!v)
					continue;
				if (v >> 48 != w + 1 ||
				    (v & 0xffffffffffffULL) > limit[w])
					bad++;
			}
		}
	}
	return bad;
}

/* The mapper: churns its region and takes clones, checking each. */
static void mapper(struct shared_state *st, unsigned int *clones)
{
	static __u64 snap1[NWORK * OWN_PAGES * SLOTS];
	static __u64 snap2[NWORK * OWN_PAGES * SLOTS];
	__u64 limit[NWORK], a;
	__u32 rnd = 0xabcdef1u, prot, flags;
	unsigned int w, bad;
	int c, ret;

	while (now_ms() < st->deadline && !st->errors) {
		a = CHURN + PAGES(xorshift(&rnd) % (CHURN_PAGES - 4));
		switch (xorshift(&rnd) % 6) {
		case 0:
			prot = xorshift(&rnd) % 8;
			flags = (xorshift(&rnd) & 1 ? M_SHARED : M_PRIV) |
				(xorshift(&rnd) % 4 ? 0 : M_POPULATE);
			ret = aspace_mmap(st->fd, a, PAGES(4), prot,
					  flags | M_FIXED, NULL);
			break;
		case 1:
			ret = aspace_munmap(st->fd, a, PAGES(3));
			break;
		case 2:
			ret = aspace_mprotect(st->fd, a, PG,
					      xorshift(&rnd) % 8);
			if (ret == -ENOMEM)
				ret = 0;	/* a hole */
			break;
		case 3:
			ret = mem_madvise(st->fd, a, PAGES(2),
					  xorshift(&rnd) & 1 ?
					  MADV_DONTNEED : MADV_POPULATE_READ);
			if (ret == -ENOMEM || ret == -EINVAL)
				ret = 0;	/* a hole, PROT_NONE */
			break;
		default:
			ret = aspace_clone(st->fd, xorshift(&rnd) & 1 ?
					   ASPACE_CLONE_EAGER : 0, &c);
			if (ret)
				break;
			(*clones)++;
			for (w = 0; w < NWORK; w++)
				limit[w] = __atomic_load_n(&st->counter[w],
							   __ATOMIC_ACQUIRE);
			bad = check_snapshot(c, snap1, limit);
			if (bad)
				fail(st, "clone %u: %u slots hold what was never written",
				     *clones, bad);
			/* Later writes of the source do not reach it. */
			usleep(20000);
			check_snapshot(c, snap2, limit);
			if (memcmp(snap1, snap2, sizeof(snap1)))
				fail(st, "clone %u changed after it was taken",
				     *clones);
			close(c);
			break;
		}
		if (ret)
			fail(st, "the mapping thread: %s", strerror(-ret));
		st->ops[NWORK]++;
	}
}

FIXTURE(mc) {
	__u32 layout;
};

FIXTURE_VARIANT(mc) {
	__u32 layout;
};

FIXTURE_VARIANT_ADD(mc, topdown_4level) {
	.layout = LAYOUT_TOPDOWN_4L,
};

FIXTURE_VARIANT_ADD(mc, topdown_5level) {
	.layout = LAYOUT_TOPDOWN_5L,
};

FIXTURE_SETUP(mc)
{
	self->layout = variant->layout;
}

FIXTURE_TEARDOWN(mc)
{
}

TEST_F(mc, workers_mapper_and_clones)
{
	static struct shared_state st;
	struct worker wk[NWORK];
	pthread_t th[NWORK];
	unsigned int w, p, s, clones = 0, bad = 0;
	__u64 v;

	memset(&st, 0, sizeof(st));
	pthread_mutex_init(&st.lock, NULL);
	st.fd = open_layout(self->layout);
	ASSERT_LE(0, st.fd);
	ASSERT_EQ(0, aspace_mmap(st.fd, F, PAGES(NWORK * OWN_PAGES), P_RW,
				 M_PRIV | M_FIXED, NULL));
	st.deadline = now_ms() + RUN_MS;
	for (w = 0; w < NWORK; w++) {
		wk[w].st = &st;
		wk[w].id = w;
		ASSERT_EQ(0, pthread_create(&th[w], NULL, worker_main, &wk[w]));
	}
	mapper(&st, &clones);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELAXED);
	for (w = 0; w < NWORK; w++)
		pthread_join(th[w], NULL);
	EXPECT_EQ(0, st.errors) {
		TH_LOG("%d errors, the first: %s", st.errors, st.first_error);
	}
	TH_LOG("%lu %lu %lu worker ops, %lu mapper ops, %u clones",
	       st.ops[0], st.ops[1], st.ops[2], st.ops[NWORK], clones);
	EXPECT_LT(0, clones);
	/* Everything each worker wrote is there. */
	for (w = 0; w < NWORK; w++) {
		for (p = 0; p < OWN_PAGES; p++) {
			for (s = 0; s < SLOTS; s++) {
				if (get8(st.fd, own_addr(w, p, s), &v, s & 1) ||
				    v != st.model[w][p][s])
					bad++;
			}
		}
	}
	EXPECT_EQ(0, bad);
	close(st.fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

/*
 * MAP_SHARED memory written through one descriptor by one thread is read
 * through a clone's descriptor by another: each slot only goes forward,
 * and in the end both see the last values.
 */
struct sh_arg {
	int fd_w, fd_r;
	__u64 base;
	int *stop;
	int errors;
	__u64 last;
};

static void *sh_writer(void *arg)
{
	struct sh_arg *a = arg;
	__u64 v = 0;
	unsigned int slot;

	while (!__atomic_load_n(a->stop, __ATOMIC_RELAXED)) {
		v++;
		for (slot = 0; slot < 4; slot++)
			if (put8(a->fd_w, a->base + PAGES(slot) + 8 * slot, v,
				 slot & 1))
				a->errors++;
	}
	a->last = v;
	return NULL;
}

static void *sh_reader(void *arg)
{
	struct sh_arg *a = arg;
	__u64 prev[4] = { 0 }, v;
	unsigned int slot;

	while (!__atomic_load_n(a->stop, __ATOMIC_RELAXED)) {
		for (slot = 0; slot < 4; slot++) {
			if (get8(a->fd_r, a->base + PAGES(slot) + 8 * slot, &v,
				 !(slot & 1)) || v < prev[slot])
				a->errors++;
			prev[slot] = v;
		}
	}
	return NULL;
}

TEST_F(mc, shared_memory_between_descriptors)
{
	struct sh_arg ab, ba;
	pthread_t th[4];
	unsigned int slot, i;
	int a, b, stop = 0;
	__u64 v;

	a = open_layout(self->layout);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, aspace_mmap(a, F, PAGES(8), P_RW, M_SHARED | M_FIXED,
				 NULL));
	ASSERT_EQ(0, aspace_clone(a, 0, &b));
	/* a writes pages 0-3, b writes pages 4-7 (pages first touched now) */
	ab = (struct sh_arg){ .fd_w = a, .fd_r = b, .base = F, .stop = &stop };
	ba = (struct sh_arg){ .fd_w = b, .fd_r = a, .base = F + PAGES(4),
			      .stop = &stop };
	ASSERT_EQ(0, pthread_create(&th[0], NULL, sh_writer, &ab));
	ASSERT_EQ(0, pthread_create(&th[1], NULL, sh_reader, &ab));
	ASSERT_EQ(0, pthread_create(&th[2], NULL, sh_writer, &ba));
	ASSERT_EQ(0, pthread_create(&th[3], NULL, sh_reader, &ba));
	usleep(RUN_MS * 1000 / 2);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(0, ab.errors);
	EXPECT_EQ(0, ba.errors);
	EXPECT_LT(0, ab.last);
	for (slot = 0; slot < 4; slot++) {
		ASSERT_EQ(0, get8(b, F + PAGES(slot) + 8 * slot, &v, true));
		EXPECT_EQ(ab.last, v);
		ASSERT_EQ(0, get8(a, F + PAGES(4 + slot) + 8 * slot, &v,
				  false));
		EXPECT_EQ(ba.last, v);
	}
	EXPECT_EQ(8, sysfs_pages_data());
	close(a);
	close(b);
	EXPECT_ALL_COUNTERS_ZERO();
}

/*
 * MADV_DONTNEED racing with loads and stores of the same private pages:
 * each slot reads as 0 or as the last value stored there, never anything
 * else, and the module's page count stays within the region.
 */
struct dn_arg {
	int fd;
	int *stop;
	int errors;
	unsigned long zapped;
};

static void *dn_zapper(void *arg)
{
	struct dn_arg *d = arg;

	while (!__atomic_load_n(d->stop, __ATOMIC_RELAXED)) {
		if (mem_madvise(d->fd, F, PAGES(4), MADV_DONTNEED))
			d->errors++;
		d->zapped++;
		usleep(1000);
	}
	return NULL;
}

TEST_F(mc, dontneed_races_loads_and_stores)
{
	struct dn_arg d;
	pthread_t th;
	__u64 deadline, v, got, n = 0;
	unsigned int slot;
	int fd, stop = 0, bad = 0;

	fd = open_layout(self->layout);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, F, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 NULL));
	d = (struct dn_arg){ .fd = fd, .stop = &stop };
	ASSERT_EQ(0, pthread_create(&th, NULL, dn_zapper, &d));
	deadline = now_ms() + RUN_MS / 2;
	while (now_ms() < deadline) {
		slot = n % (4 * SLOTS);
		v = ++n;
		if (put8(fd, F + slot * 8, v, n & 1) ||
		    get8(fd, F + slot * 8, &got, !(n & 1))) {
			bad++;
			continue;
		}
		if (got != v && got != 0)
			bad++;
		if (sysfs_pages_data() > 4)
			bad++;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, d.errors);
	TH_LOG("%llu stores, %lu MADV_DONTNEED", (unsigned long long)n,
	       d.zapped);
	close(fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

TEST_HARNESS_MAIN
