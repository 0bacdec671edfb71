// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency: threads doing random ioctls on one descriptor, clones
 * taken while another thread maps (each clone must see the source
 * exactly as one ioctl left it), clone descriptors closed while another
 * thread still uses them, layouts set while others map.  Every result
 * must be one the ioctl documents; the address space must be consistent
 * afterwards; the runner fails on any kernel warning; and when all is
 * closed the module holds no page.
 *
 * Each test runs for a bounded time (a few seconds under TCG).
 */
#include <pthread.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <time.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define F		FIXED_AREA
#define REGION_PAGES	256
#define RUN_MS		3000

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

/*
 * The VMA listing agrees with the stats, lies below the task size and
 * carries only known flags.  Returns 0 or a line number for the log.
 */
static int check_list(int fd, struct vma_list *l)
{
	struct aspace_layout lay;
	struct aspace_stats st;
	__u64 bytes = 0;
	unsigned int i;

	if (list_vmas(fd, l) || aspace_stats(fd, &st) ||
	    aspace_get_layout(fd, &lay))
		return __LINE__;
	if (l->n != st.nr_vmas)
		return __LINE__;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].end > lay.task_size)
			return __LINE__;
		if (l->v[i].start & (PG - 1) || l->v[i].end & (PG - 1))
			return __LINE__;
		if (l->v[i].flags & ~(__u64)(V_RWX | V_S | V_HEAP | V_STACK))
			return __LINE__;
		if (!(l->v[i].flags & V_S) && (l->v[i].id || l->v[i].pgoff))
			return __LINE__;
		bytes += l->v[i].end - l->v[i].start;
	}
	if (bytes != st.mapped_bytes)
		return __LINE__;
	if (st.resident_pages > bytes / PG)
		return __LINE__;
	return 0;
}

/*
 * The VMA listing of a descriptor nobody changes agrees with its stats,
 * lies below the task size and carries only known flags.  Returns 0 or
 * a line number for the log.
 */
static int check_consistent(int fd)
{
	struct vma_list *l = malloc(sizeof(*l));
	int ret;

	if (!l)
		return __LINE__;
	ret = check_list(fd, l);
	free(l);
	return ret;
}

struct worker {
	pthread_t thread;
	int fd;
	__u32 seed;
	__u64 deadline;
	unsigned long ops;
	unsigned long clones;
	int bad_line;		/* first unexpected result, by line */
	int bad_ret;
};

/* Remember the first result a worker did not expect. */
static void note(struct worker *w, int line, int ret, bool ok)
{
	if (!ok && !w->bad_line) {
		w->bad_line = line;
		w->bad_ret = ret;
	}
}

#define EXPECT_RET(w, ret, ok) note(w, __LINE__, ret, ok)

static const __u32 prots[] = { 0, P_R, P_RW, P_R | P_X, P_RW | P_X };

static void random_op(struct worker *w)
{
	__u32 r = xorshift(&w->seed);
	__u64 addr = F + PAGES(xorshift(&w->seed) % REGION_PAGES);
	__u64 len = PAGES(1 + xorshift(&w->seed) % 16);
	__u32 prot = prots[xorshift(&w->seed) % ARRAY_SIZE(prots)];
	__u32 type = xorshift(&w->seed) & 1 ? M_PRIV : M_SHARED;
	__u32 pop = xorshift(&w->seed) % 4 ? 0 : M_POPULATE;
	struct aspace_query q;
	struct aspace_stats st;
	__u64 brk;
	int ret, nfd;

	switch (r % 16) {
	case 0: case 1: case 2:
		ret = aspace_mmap(w->fd, addr, len, prot,
				  type | M_FIXED | pop, NULL);
		EXPECT_RET(w, ret, ret == 0);
		break;
	case 3:
		ret = aspace_mmap(w->fd, addr, len, prot,
				  type | M_NOREPLACE | pop, NULL);
		EXPECT_RET(w, ret, ret == 0 || ret == -EEXIST);
		break;
	case 4:
		ret = aspace_mmap(w->fd, addr, len, prot, type | pop, NULL);
		EXPECT_RET(w, ret, ret == 0);
		break;
	case 5: case 6:
		ret = aspace_munmap(w->fd, addr, len);
		EXPECT_RET(w, ret, ret == 0);
		break;
	case 7: case 8:
		ret = aspace_mprotect(w->fd, addr, len, prot);
		EXPECT_RET(w, ret, ret == 0 || ret == -ENOMEM);
		break;
	case 9:
		ret = aspace_brk(w->fd, DEF_HEAP_START +
				 xorshift(&w->seed) % PAGES(64), &brk);
		EXPECT_RET(w, ret, ret == 0 && brk >= DEF_HEAP_START);
		break;
	case 10: case 11:
		ret = aspace_query(w->fd, addr, xorshift(&w->seed) & 1 ?
				   ASPACE_QUERY_COVERING_OR_NEXT : 0, &q);
		EXPECT_RET(w, ret, ret == 0 || ret == -ENOENT);
		if (!ret)
			EXPECT_RET(w, 0, q.vma_end > q.vma_start);
		break;
	case 12:
		ret = aspace_stats(w->fd, &st);
		EXPECT_RET(w, ret, ret == 0);
		break;
	case 13:
		ret = aspace_clone(w->fd, 0, &nfd);
		EXPECT_RET(w, ret, ret == 0);
		if (!ret) {
			w->clones++;
			if (xorshift(&w->seed) & 1) {
				ret = check_consistent(nfd);
				EXPECT_RET(w, ret, ret == 0);
			}
			close(nfd);
		}
		break;
	case 14:
		/* Refused while anything is mapped or the heap is used. */
		ret = set_layout_flags(w->fd, 0);
		EXPECT_RET(w, ret, ret == 0 || ret == -EBUSY);
		break;
	case 15:
		if (xorshift(&w->seed) % 64 == 0) {
			/* Everything, now and then, to bound the growth. */
			ret = aspace_munmap(w->fd, 0, TASK_SIZE_4L);
			EXPECT_RET(w, ret, ret == 0);
		} else {
			ret = aspace_mmap(w->fd, 0, len, prot, type, NULL);
			EXPECT_RET(w, ret, ret == 0);
		}
		break;
	}
	w->ops++;
}

static void *random_worker(void *arg)
{
	struct worker *w = arg;

	while (now_ms() < w->deadline)
		random_op(w);
	return NULL;
}

TEST(four_threads_random_ioctls)
{
	struct worker w[4];
	unsigned long ops = 0, clones = 0;
	__u64 deadline;
	int fd, i, line;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	deadline = now_ms() + RUN_MS;
	for (i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].fd = fd;
		w[i].seed = 0x9e3779b9u * (i + 1);
		w[i].deadline = deadline;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, random_worker,
					    &w[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(w[i].thread, NULL);
		EXPECT_EQ(0, w[i].bad_line) {
			TH_LOG("thread %d: unexpected %d at line %d", i,
			       w[i].bad_ret, w[i].bad_line);
		}
		ops += w[i].ops;
		clones += w[i].clones;
	}
	TH_LOG("%lu ioctls, %lu clones", ops, clones);
	EXPECT_LT(1000, ops);
	EXPECT_LT(10, clones);
	line = check_consistent(fd);
	EXPECT_EQ(0, line);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/* Two states a single MAP_FIXED switches between. */
struct toggler {
	int fd;
	int stop;
	unsigned long flips;
	int bad_ret;
};

static void *toggle_worker(void *arg)
{
	struct toggler *t = arg;
	int ret;

	while (!__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		ret = aspace_mmap(t->fd, F, PAGES(16), P_RW,
				  M_PRIV | M_FIXED | M_POPULATE, NULL);
		if (!ret)
			ret = aspace_mmap(t->fd, F + PAGES(4), PAGES(4), P_R,
					  M_SHARED | M_FIXED | M_POPULATE,
					  NULL);
		if (ret && !t->bad_ret)
			t->bad_ret = ret;
		t->flips++;
	}
	return NULL;
}

/*
 * A clone sees the source exactly as one ioctl left it.  Copy-on-write
 * and eager clones alternate.  An eager clone shares no private page; how
 * many pages a clone still shares with the source depends on when the
 * toggler replaces them, so only an upper bound holds: every page
 * (copy-on-write), or those of the shared mapping (eager).
 */
TEST(clone_while_mapping_is_atomic)
{
	static struct vma_list l;
	struct aspace_stats st;
	struct toggler t = { 0 };
	unsigned long clones = 0, s1 = 0, s2 = 0;
	pthread_t th;
	__u64 deadline;
	int fd, nfd;
	bool ok, eager;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, F, PAGES(16), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	t.fd = fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, toggle_worker, &t));
	deadline = now_ms() + RUN_MS;
	while (now_ms() < deadline) {
		eager = clones & 1;
		ASSERT_EQ(0, aspace_clone(fd, eager ? ASPACE_CLONE_EAGER : 0,
					  &nfd));
		clones++;
		ASSERT_EQ(0, list_vmas(nfd, &l));
		ASSERT_EQ(0, aspace_stats(nfd, &st));
		EXPECT_EQ(16, st.resident_pages);
		EXPECT_GE(16, st.shared_pages);
		if (l.n == 1) {
			ok = l.v[0].start == F && l.v[0].end == F + PAGES(16) &&
			     l.v[0].flags == V_RW;
			if (eager)
				EXPECT_EQ(0, st.shared_pages);
			s1++;
		} else {
			ok = l.n == 3 && l.v[0].start == F &&
			     l.v[0].end == F + PAGES(4) &&
			     l.v[0].flags == V_RW &&
			     l.v[1].end == F + PAGES(8) &&
			     l.v[1].flags == (V_R | V_S) &&
			     l.v[2].end == F + PAGES(16) &&
			     l.v[2].flags == V_RW;
			if (eager)
				EXPECT_GE(4, st.shared_pages);
			s2++;
		}
		EXPECT_TRUE(ok) {
			dump_vmas("clone", &l);
		}
		close(nfd);
		if (!_metadata->passed)
			break;
	}
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	EXPECT_EQ(0, t.bad_ret);
	TH_LOG("%lu clones (%lu / %lu of each state), %lu flips", clones, s1,
	       s2, t.flips);
	EXPECT_LT(10, clones);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

struct user {
	int fd;
	unsigned long ops;
	int bad_ret;
};

/* Use a descriptor until it is gone. */
static void *use_until_ebadf(void *arg)
{
	struct user *u = arg;
	struct aspace_query q;
	struct aspace_stats st;
	int ret = 0;

	for (;;) {
		switch (u->ops++ % 4) {
		case 0:
			ret = aspace_mmap(u->fd, 0, PAGES(2), P_RW,
					  M_PRIV | M_POPULATE, NULL);
			break;
		case 1:
			ret = aspace_query(u->fd, 0,
					   ASPACE_QUERY_COVERING_OR_NEXT, &q);
			break;
		case 2:
			ret = aspace_stats(u->fd, &st);
			break;
		case 3:
			ret = aspace_munmap(u->fd, F, PAGES(64));
			break;
		}
		if (ret == -EBADF)
			break;
		if (ret && ret != -ENOENT && !u->bad_ret)
			u->bad_ret = ret;
	}
	return NULL;
}

/*
 * Close a clone while another thread works on it.  The worker uses a
 * dup of the clone's descriptor; the main thread closes the clone's own
 * descriptor, then the dup: the last reference may go while an ioctl is
 * running.  Nothing else opens files meanwhile, so the number cannot be
 * reused under the worker.
 */
TEST(close_clone_while_in_use)
{
	unsigned long rounds = 0, ops = 0;
	struct user u;
	pthread_t th;
	__u64 deadline;
	int fd, cfd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, F, PAGES(8), P_RW,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_mmap(fd, 0, PAGES(8), P_RW, M_PRIV | M_POPULATE,
				 NULL));
	deadline = now_ms() + RUN_MS;
	while (now_ms() < deadline) {
		ASSERT_EQ(0, aspace_clone(fd, 0, &cfd));
		memset(&u, 0, sizeof(u));
		u.fd = dup(cfd);
		ASSERT_LE(0, u.fd);
		ASSERT_EQ(0, pthread_create(&th, NULL, use_until_ebadf, &u));
		usleep(rounds % 7 * 100);
		close(cfd);
		usleep(rounds % 5 * 100);
		close(u.fd);
		pthread_join(th, NULL);
		EXPECT_EQ(0, u.bad_ret);
		ops += u.ops;
		rounds++;
	}
	TH_LOG("%lu rounds, %lu ioctls", rounds, ops);
	EXPECT_LT(10, rounds);
	/* Only the source is left: its pages only. */
	EXPECT_EQ(16, sysfs_pages_data());
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

struct mapper {
	int fd;
	int stop;
	int bad_ret;
};

static void *map_unmap_worker(void *arg)
{
	struct mapper *m = arg;
	__u64 a;
	int ret;

	while (!__atomic_load_n(&m->stop, __ATOMIC_RELAXED)) {
		ret = aspace_mmap(m->fd, 0, PAGES(3), P_RW,
				  M_PRIV | M_POPULATE, &a);
		if (!ret)
			ret = aspace_munmap(m->fd, a, PAGES(3));
		if (ret && !m->bad_ret)
			m->bad_ret = ret;
	}
	return NULL;
}

/* SET_LAYOUT races with mmap: it works only while nothing is mapped. */
TEST(set_layout_races_with_mmap)
{
	static const __u32 modes[] = {
		0, ASPACE_LAYOUT_LA57, ASPACE_LAYOUT_LEGACY,
		ASPACE_LAYOUT_LA57 | ASPACE_LAYOUT_LEGACY,
	};
	struct mapper m = { 0 };
	unsigned long sets = 0, busy = 0, i = 0;
	pthread_t th[2];
	__u64 deadline;
	int fd, ret, line;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	m.fd = fd;
	ASSERT_EQ(0, pthread_create(&th[0], NULL, map_unmap_worker, &m));
	ASSERT_EQ(0, pthread_create(&th[1], NULL, map_unmap_worker, &m));
	deadline = now_ms() + RUN_MS;
	while (now_ms() < deadline) {
		ret = set_layout_flags(fd, modes[i++ % ARRAY_SIZE(modes)]);
		EXPECT_TRUE(ret == 0 || ret == -EBUSY) {
			TH_LOG("set_layout: %d", ret);
		}
		if (ret)
			busy++;
		else
			sets++;
	}
	__atomic_store_n(&m.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	EXPECT_EQ(0, m.bad_ret);
	TH_LOG("%lu layouts set, %lu busy", sets, busy);
	EXPECT_NO_VMAS(fd);
	line = check_consistent(fd);
	EXPECT_EQ(0, line);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/* Many threads cloning and closing one descriptor at once. */
static void *clone_worker(void *arg)
{
	struct worker *w = arg;
	int ret, nfd;

	while (now_ms() < w->deadline) {
		ret = aspace_clone(w->fd, w->ops & 1 ? 0 :
				   ASPACE_CLONE_NOCLOEXEC, &nfd);
		EXPECT_RET(w, ret, ret == 0);
		if (ret)
			continue;
		ret = aspace_munmap(nfd, F, PAGES(4));
		EXPECT_RET(w, ret, ret == 0);
		ret = check_consistent(nfd);
		EXPECT_RET(w, ret, ret == 0);
		close(nfd);
		w->ops++;
	}
	return NULL;
}

TEST(parallel_clones_while_mapping)
{
	struct mapper m = { 0 };
	struct worker w[3];
	pthread_t mt;
	__u64 deadline;
	int fd, i;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, F, PAGES(16), P_RW,
				 M_SHARED | M_FIXED | M_POPULATE, NULL));
	m.fd = fd;
	ASSERT_EQ(0, pthread_create(&mt, NULL, map_unmap_worker, &m));
	deadline = now_ms() + RUN_MS;
	for (i = 0; i < 3; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].fd = fd;
		w[i].deadline = deadline;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, clone_worker,
					    &w[i]));
	}
	for (i = 0; i < 3; i++) {
		pthread_join(w[i].thread, NULL);
		EXPECT_EQ(0, w[i].bad_line) {
			TH_LOG("thread %d: unexpected %d at line %d", i,
			       w[i].bad_ret, w[i].bad_line);
		}
		EXPECT_LT(0, w[i].ops);
	}
	__atomic_store_n(&m.stop, 1, __ATOMIC_RELAXED);
	pthread_join(mt, NULL);
	EXPECT_EQ(0, m.bad_ret);
	EXPECT_EQ(16, sysfs_pages_data());
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_HARNESS_MAIN
