// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of aspace when memory runs short, meant for a guest
 * with little memory (scripts/check.sh runs this binary alone in a
 * 384 MiB guest; it adapts to any size).
 *
 * A process that fills address spaces through descriptors must be the one
 * the OOM killer sees as large, and must be stopped before the system is
 * at its last pages:
 *
 * - a bystander holding 64 MiB of ordinary memory survives a holder that
 *   populates far more than the guest has, and an ordinary 8 MiB
 *   allocation made afterwards succeeds; if the OOM killer ran at all, its
 *   victim was the holder;
 * - the holder's RSS (RssAnon in /proc/PID/status) counts the data pages
 *   its descriptors hold, and VmPTE their page tables;
 * - one descriptor stops at the default resident limit, half of RAM, and
 *   the module's reserve (MemAvailable kept above mem_reserve_bytes)
 *   stops the next ones.
 */
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define PARAM_DIR	"/sys/module/aspace/parameters/"
#define BYSTANDER_SIZE	(64ULL << 20)
#define ALLOCATOR_SIZE	(8ULL << 20)
#define HOLDER_MAX_FDS	16

/* A "Key: value" line of a /proc file, in its unit (kB); -1 if missing. */
static long long proc_key(const char *path, const char *key)
{
	size_t len = strlen(key);
	long long val = -1;
	char line[256];
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len) && line[len] == ':') {
			val = strtoll(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static long long status_kb(pid_t pid, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return proc_key(path, key);
}

/* A "key value" line of /proc/vmstat; -1 if missing. */
static long long vmstat_key(const char *key)
{
	long long val, ret = -1;
	char name[64];
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &val) == 2) {
		if (!strcmp(name, key)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

static unsigned long long param(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	return (unsigned long long)read_sysfs_number(path);
}

static unsigned long long mem_total(void)
{
	return (unsigned long long)proc_key("/proc/meminfo", "MemTotal") << 10;
}

/* Map and touch @size bytes of ordinary anonymous memory. */
static void *touch_memory(size_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		return NULL;
	for (i = 0; i < size; i += PG)
		p[i] = 1;
	return p;
}

/* The bystander: 64 MiB of its own, then a byte to @wfd, then sleep. */
static void bystander(int wfd)
{
	char c = 'b';

	if (!touch_memory(BYSTANDER_SIZE))
		_exit(1);
	if (write(wfd, &c, 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/**
 * struct holder_report - what the holder tells the parent
 * @resident: data pages all its descriptors hold
 * @tables: their page-table pages
 * @nfds: descriptors it filled
 * @limit_pages: the resident limit of a descriptor, in pages
 * @first: pages the first descriptor got
 * @last: pages the last one got (short of @limit_pages: the reserve)
 * @write_ret: a pwrite of a page not yet populated: 0 or -errno
 */
struct holder_report {
	long long resident;
	long long tables;
	int nfds;
	long long limit_pages;
	long long first;
	long long last;
	int write_ret;
};

/*
 * The holder: fill descriptors with MAP_POPULATE of twice the RAM each,
 * until one stops short of its resident limit; report; sleep holding them.
 */
static void holder(int wfd)
{
	struct holder_report r = { .write_ret = 1 };
	unsigned long long len = 2 * mem_total();
	struct aspace_limits lim;
	struct aspace_stats st;
	char page[4096];
	__u64 addr;
	int fd, i;

	memset(page, 0x5a, sizeof(page));
	for (r.nfds = 0; r.nfds < HOLDER_MAX_FDS; r.nfds++) {
		fd = aspace_open(0);
		if (fd < 0 || aspace_get_limits(fd, &lim))
			_exit(2);
		r.limit_pages = lim.resident_bytes / PG;
		addr = 0;
		if (aspace_mmap(fd, 0, len, P_RW, M_PRIV | M_POPULATE, &addr) ||
		    aspace_stats(fd, &st))
			_exit(3);
		r.resident += st.resident_pages;
		for (i = 0; i < 5; i++)
			r.tables += st.pgtable_pages[i];
		if (!r.nfds)
			r.first = st.resident_pages;
		r.last = st.resident_pages;
		if ((long long)st.resident_pages < r.limit_pages) {
			/* A page more, past what MAP_POPULATE got. */
			r.write_ret = pwrite(fd, page, sizeof(page),
					     addr + PAGES(st.resident_pages)) ==
				      (ssize_t)sizeof(page) ? 0 : -errno;
			r.nfds++;
			break;
		}
	}
	if (write(wfd, &r, sizeof(r)) != sizeof(r))
		_exit(4);
	for (;;)
		pause();
}

/* Fork @fn(write end); wait for its first @len bytes into @buf. */
static pid_t start_child(void (*fn)(int), void *buf, size_t len)
{
	int p[2];
	pid_t pid;
	ssize_t n;
	size_t got = 0;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(p[0]);
		fn(p[1]);
		_exit(0);
	}
	close(p[1]);
	while (got < len) {
		n = read(p[0], (char *)buf + got, len - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(p[0]);
	return got == len ? pid : -pid;
}

/* Is @pid running (not exited or killed)?  Reaps it if not. */
static bool alive(pid_t pid, int *status)
{
	*status = 0;
	return waitpid(pid, status, WNOHANG) == 0;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/*
 * The defaults: a finite resident limit, half of RAM, and a reserve of
 * a sixteenth of RAM, at most 128 MiB.
 */
TEST(defaults_are_finite)
{
	unsigned long long total = mem_total();
	unsigned long long reserve = total / 16;
	struct aspace_limits lim;
	int fd;

	if (reserve > 128ULL << 20)
		reserve = 128ULL << 20;
	EXPECT_EQ(total / 2, param("resident_max_bytes"));
	EXPECT_EQ(reserve, param("mem_reserve_bytes"));
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_get_limits(fd, &lim));
	EXPECT_EQ(total / 2, lim.resident_bytes);
	EXPECT_NE(ASPACE_LIMIT_INFINITY, lim.resident_bytes);
	close(fd);
}

/* MAP_POPULATE of twice the RAM stops at the resident limit, no further. */
TEST(one_descriptor_stops_at_the_resident_limit)
{
	unsigned long long total = mem_total();
	struct aspace_stats st;
	int fd;

	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, 0, 2 * total, P_RW, M_PRIV | M_POPULATE,
				 NULL));
	ASSERT_EQ(0, aspace_stats(fd, &st));
	EXPECT_EQ(total / 2 / PG, st.resident_pages);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/*
 * A bystander with 64 MiB, a holder that fills descriptors with more than
 * the guest has, then an ordinary 8 MiB allocation: the bystander lives,
 * the allocation succeeds, and the holder's RSS shows what it holds.
 */
TEST(bystander_survives)
{
	unsigned long long reserve = param("mem_reserve_bytes");
	long long oom_before = vmstat_key("oom_kill"), oom_after;
	long long anon_kb, pte_kb, avail_kb;
	pid_t by, ho = -1, al;
	struct holder_report r;
	int status;
	char c;

	ASSERT_LE(0, oom_before);
	by = start_child(bystander, &c, 1);
	ASSERT_LT(0, by) {
		stop(-by);
	}
	ho = start_child(holder, &r, sizeof(r));
	if (ho < 0) {
		TH_LOG("the holder died before it reported");
		ho = -ho;
	} else {
		TH_LOG("holder: %d descriptors, %lld data pages, %lld tables",
		       r.nfds, r.resident, r.tables);
		TH_LOG("limit %lld pages each; first %lld, last %lld; pwrite past: %d",
		       r.limit_pages, r.first, r.last, r.write_ret);
		anon_kb = status_kb(ho, "RssAnon");
		pte_kb = status_kb(ho, "VmPTE");
		avail_kb = proc_key("/proc/meminfo", "MemAvailable");
		TH_LOG("holder RssAnon %lld kB, VmPTE %lld kB", anon_kb,
		       pte_kb);
		TH_LOG("MemAvailable %lld kB, reserve %llu kB", avail_kb,
		       reserve >> 10);
		/* Its RSS counts what its descriptors hold, and not twice. */
		EXPECT_LE(r.resident * 4, anon_kb);
		EXPECT_GE(r.resident * 4 + (16 << 10), anon_kb);
		EXPECT_LE(r.tables * 4, pte_kb);
		/* Stopped short by the reserve, not at the last pages. */
		EXPECT_GT(r.limit_pages, r.last);
		EXPECT_LE((long long)reserve / 2, avail_kb << 10);
	}

	al = fork();
	ASSERT_LE(0, al);
	if (!al)
		_exit(touch_memory(ALLOCATOR_SIZE) ? 0 : 1);
	ASSERT_EQ(al, waitpid(al, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("the 8 MiB allocator %s %d",
		       WIFSIGNALED(status) ? "was killed by signal" :
					     "exited with",
		       WIFSIGNALED(status) ? WTERMSIG(status) :
					     WEXITSTATUS(status));
	}

	EXPECT_TRUE(alive(by, &status)) {
		TH_LOG("the bystander died: %s %d",
		       WIFSIGNALED(status) ? "signal" : "exit status",
		       WIFSIGNALED(status) ? WTERMSIG(status) :
					     WEXITSTATUS(status));
	}
	oom_after = vmstat_key("oom_kill");
	if (oom_after != oom_before) {
		TH_LOG("the OOM killer ran %lld times", oom_after - oom_before);
		/* Then its victim must have been the holder. */
		EXPECT_FALSE(alive(ho, &status));
	}
	EXPECT_EQ(oom_before, oom_after);
	stop(ho);
	stop(by);
	EXPECT_COUNTERS_ZERO();
}

TEST_HARNESS_MAIN
