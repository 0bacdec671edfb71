// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests that long calls on a large address space give up the
 * CPU and can be killed: CLONE, MUNMAP of everything and close() of an
 * address space with a great many VMAs (and no pages) must reschedule,
 * as Linux's dup_mmap(), munmap and exit_mmap() do, and a CLONE must stop
 * on SIGKILL.
 *
 * Every test pins itself and its threads to one CPU, as on a one-CPU
 * machine, so a call that never reschedules starves a ticker thread
 * (SCHED_OTHER, a 1 ms clock_nanosleep() loop) for as long as it runs:
 * the longest the ticker waits to run measures the longest stretch
 * without a reschedule.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

/* VMAs of the large address space: one page each, protections alternate. */
#ifndef YIELD_VMAS
#define YIELD_VMAS	400000ULL
#endif
#define AREA		FIXED_AREA
/* The longest the ticker may wait to run, in ms. */
#define MAX_WAIT_MS	100
/* A killed clone must be reaped within this, in ms. */
#define MAX_REAP_MS	1000
#define SYSFS_VMAS		"/sys/class/misc/aspace/vmas"
#define SYSFS_ADDRESS_SPACES	"/sys/class/misc/aspace/address_spaces"

static __u64 nr_vmas(void)
{
	const char *s = getenv("YIELD_VMAS");

	return s ? strtoull(s, NULL, 0) : YIELD_VMAS;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Run this task, and every thread it makes later, on one CPU only. */
static int pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/*
 * The ticker: a 1 ms clock_nanosleep() loop that records, per wake-up,
 * the gap since the last one and how much of that gap the ticker waited on
 * the run queue, runnable but not running (run_delay of its schedstat).  A
 * call that does not reschedule makes it wait for the whole call.  The
 * wall-clock gap also grows when the host stalls the TCG guest; the wait
 * does not (a stopped guest wakes nobody), unless the stall falls in the
 * few microseconds the ticker is runnable.
 */
struct ticker {
	pthread_t thread;
	atomic_bool stop;
	atomic_llong max_gap;	/* ns; reset to 0 by the measuring thread */
	atomic_llong max_wait;	/* ns; likewise */
	atomic_llong ticks;
	atomic_int err;
};

/* The run_delay of the calling thread, in ns, or -1. */
static long long run_delay_ns(int fd)
{
	unsigned long long exec, delay;
	char buf[128];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &exec, &delay) != 2)
		return -1;
	return delay;
}

static void ticker_max(atomic_llong *max, long long v)
{
	if (v > atomic_load(max))
		atomic_store(max, v);
}

static void *ticker_main(void *arg)
{
	struct ticker *t = arg;
	struct timespec ms = { .tv_nsec = 1000000 };
	long long prev = now_ns(), now, delay, prev_delay;
	int fd;

	fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	prev_delay = fd < 0 ? -1 : run_delay_ns(fd);
	if (prev_delay < 0) {
		atomic_store(&t->err, 1);
		return NULL;
	}
	while (!atomic_load(&t->stop)) {
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, NULL);
		now = now_ns();
		delay = run_delay_ns(fd);
		ticker_max(&t->max_gap, now - prev);
		ticker_max(&t->max_wait, delay - prev_delay);
		prev = now;
		prev_delay = delay;
		atomic_fetch_add(&t->ticks, 1);
	}
	close(fd);
	return NULL;
}

/* Let the ticker run a little, then start a measurement. */
static void ticker_reset(struct ticker *t)
{
	long long ticks = atomic_load(&t->ticks);

	while (atomic_load(&t->ticks) < ticks + 3)
		usleep(1000);
	atomic_store(&t->max_gap, 0);
	atomic_store(&t->max_wait, 0);
}

/*
 * End a measurement: the longest wait on the run queue since
 * ticker_reset(), in ms; the longest gap in @gap_ms.
 */
static long long ticker_wait_ms(struct ticker *t, long long *gap_ms)
{
	long long ticks = atomic_load(&t->ticks);

	/* A wake-up after the call ends the gap that spans it. */
	while (atomic_load(&t->ticks) < ticks + 3)
		usleep(1000);
	*gap_ms = atomic_load(&t->max_gap) / 1000000;
	return atomic_load(&t->max_wait) / 1000000;
}

/*
 * One mapping of @n pages at AREA, every other page then made writable:
 * @n one-page VMAs with alternating protections, which never merge.
 */
static int make_many_vmas(int fd, __u64 n)
{
	__u64 i;
	int ret;

	ret = set_max_map_count(fd, n + 16);
	if (ret)
		return ret;
	ret = aspace_mmap(fd, AREA, PAGES(n), P_R, M_PRIV | M_FIXED, NULL);
	if (ret)
		return ret;
	for (i = 1; i < n; i += 2) {
		ret = aspace_mprotect(fd, AREA + PAGES(i), PG, P_RW);
		if (ret)
			return ret;
	}
	return 0;
}

FIXTURE(yield) {
	int fd;
	__u64 n;
	struct ticker t;
	bool ticking;
};

FIXTURE_SETUP(yield)
{
	struct aspace_stats st;

	self->ticking = false;
	ASSERT_EQ(0, pin_to_one_cpu());
	self->n = nr_vmas();
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, make_many_vmas(self->fd, self->n));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	ASSERT_EQ(self->n, st.nr_vmas);
	atomic_init(&self->t.stop, false);
	atomic_init(&self->t.max_gap, 0);
	atomic_init(&self->t.max_wait, 0);
	atomic_init(&self->t.ticks, 0);
	atomic_init(&self->t.err, 0);
	ASSERT_EQ(0, pthread_create(&self->t.thread, NULL, ticker_main,
				    &self->t));
	self->ticking = true;
	while (!atomic_load(&self->t.ticks)) {
		ASSERT_EQ(0, atomic_load(&self->t.err));
		usleep(1000);
	}
}

FIXTURE_TEARDOWN(yield)
{
	if (self->ticking) {
		atomic_store(&self->t.stop, true);
		pthread_join(self->t.thread, NULL);
	}
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_COUNTERS_ZERO();
}

/* A clone of @src: the new descriptor, or -1. */
static int clone_of(int src)
{
	int nfd;

	return aspace_clone(src, 0, &nfd) ? -1 : nfd;
}

/*
 * End a measurement of a call that started at @t0: log it, and return
 * the ticker's longest wait on the run queue, in ms.
 */
static long long measured(struct ticker *t, const char *what, long long t0)
{
	long long ms = (now_ns() - t0) / 1000000, gap, wait;

	wait = ticker_wait_ms(t, &gap);
	fprintf(stderr,
		"# %s: %lld ms; ticker: longest wait %lld ms, longest gap %lld ms\n",
		what, ms, wait, gap);
	return wait;
}

/*
 * CLONE, MUNMAP of everything and close() of an address space of many
 * VMAs: the ticker on the same CPU never waits long.  A call that does
 * not reschedule makes it wait for the whole call, every time; a host
 * stall at the wrong moment (the TCG guest shares a loaded machine) only
 * now and then.  So the calls are measured in rounds, two clones, the
 * munmap of one and the close of the other in each, until every call has
 * stayed under the bound once, for at most ROUNDS rounds.
 */
#define ROUNDS		3

static void keep_min(long long *best, long long wait)
{
	if (*best < 0 || wait < *best)
		*best = wait;
}

TEST_F_TIMEOUT(yield, clone_munmap_close_reschedule, 240)
{
	long long t0, clone_w = -1, munmap_w = -1, close_w = -1;
	struct aspace_stats st;
	int round, c1, c2;

	for (round = 0; round < ROUNDS; round++) {
		ticker_reset(&self->t);
		t0 = now_ns();
		c1 = clone_of(self->fd);
		ASSERT_LE(0, c1);
		keep_min(&clone_w, measured(&self->t, "clone", t0));
		ticker_reset(&self->t);
		t0 = now_ns();
		c2 = clone_of(self->fd);
		ASSERT_LE(0, c2);
		keep_min(&clone_w, measured(&self->t, "clone", t0));
		ASSERT_EQ(0, aspace_stats(c1, &st));
		EXPECT_EQ(self->n, st.nr_vmas);

		ticker_reset(&self->t);
		t0 = now_ns();
		ASSERT_EQ(0, aspace_munmap(c1, 0, TASK_SIZE_4L));
		keep_min(&munmap_w,
			 measured(&self->t, "munmap of everything", t0));
		ASSERT_EQ(0, aspace_stats(c1, &st));
		EXPECT_EQ(0, st.nr_vmas);
		EXPECT_EQ(0, st.mapped_bytes);

		ticker_reset(&self->t);
		t0 = now_ns();
		ASSERT_EQ(0, close(c2));
		keep_min(&close_w, measured(&self->t, "close", t0));
		close(c1);
		EXPECT_EQ(self->n, read_sysfs_number(SYSFS_VMAS));
		EXPECT_EQ(1, read_sysfs_number(SYSFS_ADDRESS_SPACES));
		if (clone_w < MAX_WAIT_MS && munmap_w < MAX_WAIT_MS &&
		    close_w < MAX_WAIT_MS)
			break;
	}
	EXPECT_GT(MAX_WAIT_MS, clone_w);
	EXPECT_GT(MAX_WAIT_MS, munmap_w);
	EXPECT_GT(MAX_WAIT_MS, close_w);
}

/*
 * A clone of many VMAs killed with SIGKILL is reaped at once; the source
 * is as it was and the partial copy is gone, leaking nothing.
 */
TEST_F_TIMEOUT(yield, killed_clone_is_reaped, 120)
{
	struct aspace_stats before, after;
	long long t0, reap_ms;
	int p[2], status;
	char c = 0;
	pid_t pid;

	ASSERT_EQ(0, aspace_stats(self->fd, &before));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p[0]);
		if (write(p[1], &c, 1) != 1)
			_exit(2);
		clone_of(self->fd);
		/* Not killed during the clone: tell the parent. */
		c = 1;
		if (write(p[1], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	usleep(50000);
	t0 = now_ns();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	reap_ms = (now_ns() - t0) / 1000000;
	TH_LOG("killed clone reaped in %lld ms", reap_ms);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* The child died in the clone, not after it. */
	EXPECT_EQ(0, read(p[0], &c, 1));
	close(p[0]);
	EXPECT_GT(MAX_REAP_MS, reap_ms);
	ASSERT_EQ(0, aspace_stats(self->fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(self->n, after.nr_vmas);
	EXPECT_EQ(self->n, read_sysfs_number(SYSFS_VMAS));
	EXPECT_EQ(1, read_sysfs_number(SYSFS_ADDRESS_SPACES));
}

TEST_HARNESS_MAIN
