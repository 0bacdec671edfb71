// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of whose memory an address space is: its data pages
 * count in the RSS of the process that created it (the opener, or the
 * process that made the clone), anonymous (RssAnon) for private memory
 * and shmem (RssShmem) for MAP_SHARED, and its page tables in that
 * process's VmPTE, as they would for memory of its own; so the OOM killer
 * sees the process holding them as large.
 *
 * The owner stays the same when the descriptor is inherited or passed on
 * with SCM_RIGHTS, also after the owner exits: then the counts go with its
 * freed mm, and the kernel must not report a "Bad rss-counter state" or
 * "non-zero pgtables_bytes" when the descriptor is closed at last.
 *
 * Counts are compared as differences of /proc/PID/status lines, in kB,
 * within a small slack: the test process's own memory moves by a page
 * here and there (a stack page, a buffer; and in the guest, whose root is
 * a tmpfs, each page of the test binary that runs for the first time
 * counts as shmem).
 */
#include <signal.h>
#include <stddef.h>
#include <sys/klog.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define NPAGES		4096			/* 16 MiB */
#define NKB		(NPAGES * 4LL)
#define SLACK_KB	64			/* the test process's own */

/*
 * Flush this task's cached RSS deltas into its mm's counters: up to 6.1,
 * the faults of a task count in a cache of its own (SPLIT_RSS_COUNTING)
 * that reaches the mm, which /proc/PID/status shows, only every 64
 * faults or when the task unmaps a page of its own (add_mm_rss_vec()).
 */
static void rss_sync(void)
{
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	p[0] = 1;
	__asm__ __volatile__("" : : "r" (p) : "memory");
	munmap(p, PG);
}

/*
 * A "Key: value" line of /proc/PID/status, in kB; -1 if missing.  Pid 0:
 * this process, its RSS cache flushed first.
 */
static long long status_kb(pid_t pid, const char *key)
{
	size_t len = strlen(key);
	long long val = -1;
	char path[64], line[256];
	FILE *f;

	if (pid) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	} else {
		rss_sync();
		snprintf(path, sizeof(path), "/proc/self/status");
	}
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

#define ANON(pid)	status_kb(pid, "RssAnon")
#define SHMEM(pid)	status_kb(pid, "RssShmem")
#define PTE(pid)	status_kb(pid, "VmPTE")

#define EXPECT_NEAR(want, got, slack) do {				\
	long long __w = (want), __g = (got), __s = (slack);		\
	EXPECT_TRUE(__g >= __w - __s && __g <= __w + __s) {		\
		TH_LOG("%s is %lld, %s %lld (+- %lld)", #got, __g, #want, \
		       __w, __s);					\
	}								\
} while (0)

static __u64 table_pages(int fd)
{
	struct aspace_stats st;
	__u64 n = 0;
	int i;

	if (aspace_stats(fd, &st))
		return 0;
	for (i = 0; i < 5; i++)
		n += st.pgtable_pages[i];
	return n;
}

/*
 * Fault in before measuring what the test process will touch: stack,
 * stdio, and every page of its binary (code running for the first time
 * would map more of it, and in the guest it counts as shmem).
 */
static void settle(void)
{
	unsigned long start, end, a;
	char stack[128 << 10];
	char line[512], path[256];
	FILE *f;

	memset(stack, 1, sizeof(stack));
	__asm__ __volatile__("" : : "r" (stack) : "memory");
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		path[0] = 0;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %255s", &start, &end,
			   path) < 3 || path[0] != '/')
			continue;
		for (a = start; a < end; a += PG)
			__asm__ __volatile__("" : : "r" (*(char *)a));
	}
	fclose(f);
	ANON(0);
}

/* Private memory: RssAnon grows and shrinks with it; tables in VmPTE. */
TEST(private_pages_count_in_rss_anon)
{
	long long anon, pte;
	__u64 addr, tables;
	int fd;

	settle();
	anon = ANON(0);
	pte = PTE(0);
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, 0, PAGES(NPAGES), P_RW,
				 M_PRIV | M_POPULATE, &addr));
	tables = table_pages(fd);
	EXPECT_NEAR(anon + NKB, ANON(0), SLACK_KB);
	EXPECT_NEAR(pte + (long long)tables * 4, PTE(0), 8);
	/* Reading it maps nothing new; unmapping half gives half back. */
	ASSERT_EQ(0, aspace_munmap(fd, addr, PAGES(NPAGES / 2)));
	EXPECT_NEAR(anon + NKB / 2, ANON(0), SLACK_KB);
	/* The zero page is not resident, here or in Linux. */
	ASSERT_EQ(0, aspace_mmap(fd, 0, PAGES(NPAGES), P_R,
				 M_PRIV | M_POPULATE, NULL));
	EXPECT_NEAR(anon + NKB / 2, ANON(0), SLACK_KB);
	close(fd);
	EXPECT_NEAR(anon, ANON(0), SLACK_KB);
	EXPECT_NEAR(pte, PTE(0), 8);
	EXPECT_COUNTERS_ZERO();
}

/* Page tables far apart: one page table each, all in VmPTE. */
TEST(page_tables_count_in_vmpte)
{
	const int n = 64;
	char page[4096] = { 1 };
	long long pte;
	__u64 addr;
	int fd, i;

	settle();
	pte = PTE(0);
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, 0, (__u64)n << 21, P_RW, M_PRIV, &addr));
	for (i = 0; i < n; i++)
		ASSERT_EQ((ssize_t)sizeof(page),
			  pwrite(fd, page, sizeof(page),
				 addr + ((__u64)i << 21)));
	EXPECT_LE((__u64)n, table_pages(fd));
	EXPECT_NEAR(pte + (long long)table_pages(fd) * 4, PTE(0), 8);
	ASSERT_EQ(0, aspace_munmap(fd, addr, (__u64)n << 21));
	EXPECT_NEAR(pte + (long long)table_pages(fd) * 4, PTE(0), 8);
	close(fd);
	EXPECT_NEAR(pte, PTE(0), 8);
}

/* MAP_SHARED memory is shmem, in every address space that maps it. */
TEST(shared_pages_count_in_rss_shmem)
{
	long long shmem, anon;
	int fd, nfd;

	settle();
	shmem = SHMEM(0);
	anon = ANON(0);
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, 0, PAGES(NPAGES), P_RW,
				 M_SHARED | M_POPULATE, NULL));
	EXPECT_NEAR(shmem + NKB, SHMEM(0), SLACK_KB);
	EXPECT_NEAR(anon, ANON(0), SLACK_KB);
	/* A clone maps the same pages: counted again, as after fork(). */
	ASSERT_EQ(0, aspace_clone(fd, 0, &nfd));
	EXPECT_NEAR(shmem + 2 * NKB, SHMEM(0), SLACK_KB);
	close(fd);
	EXPECT_NEAR(shmem + NKB, SHMEM(0), SLACK_KB);
	close(nfd);
	EXPECT_NEAR(shmem, SHMEM(0), SLACK_KB);
	EXPECT_COUNTERS_ZERO();
}

/* A copy-on-write clone and an eager one: as many pages again. */
TEST(a_clone_counts_like_a_fork)
{
	long long anon;
	int fd, cow, eager;

	settle();
	anon = ANON(0);
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, 0, PAGES(NPAGES), P_RW,
				 M_PRIV | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_clone(fd, 0, &cow));
	ASSERT_EQ(0, aspace_clone(fd, ASPACE_CLONE_EAGER, &eager));
	EXPECT_NEAR(anon + 3 * NKB, ANON(0), SLACK_KB);
	close(fd);
	close(eager);
	EXPECT_NEAR(anon + NKB, ANON(0), SLACK_KB);
	close(cow);
	EXPECT_NEAR(anon, ANON(0), SLACK_KB);
	EXPECT_COUNTERS_ZERO();
}

/*
 * A child inherits the descriptor: what it faults in counts for the
 * opener; a clone it makes counts for the child.
 */
TEST(inherited_descriptor_counts_for_the_opener)
{
	int fd, to_child[2], to_parent[2];
	long long anon, child_anon;
	char c = 0, page[4096];
	__u64 addr;
	pid_t pid;
	int status;

	settle();
	anon = ANON(0);
	fd = aspace_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, aspace_mmap(fd, 0, PAGES(2 * NPAGES), P_RW, M_PRIV,
				 &addr));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int nfd, i;

		settle();
		memset(page, 0x5a, sizeof(page));
		/* Pages through the inherited descriptor: the opener's. */
		for (i = 0; i < NPAGES; i++)
			if (pwrite(fd, page, sizeof(page), addr + PAGES(i)) !=
			    (ssize_t)sizeof(page))
				_exit(2);
		rss_sync();
		if (write(to_parent[1], &c, 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(3);
		/* A clone the child makes: the child's. */
		if (aspace_clone(fd, 0, &nfd))
			_exit(4);
		rss_sync();
		if (write(to_parent[1], &c, 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	EXPECT_NEAR(anon + NKB, ANON(0), SLACK_KB);
	child_anon = ANON(pid);
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	EXPECT_NEAR(child_anon + NKB, ANON(pid), SLACK_KB);
	EXPECT_NEAR(anon + NKB, ANON(0), SLACK_KB);
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_NEAR(anon + NKB, ANON(0), SLACK_KB);
	close(fd);
	EXPECT_NEAR(anon, ANON(0), SLACK_KB);
	EXPECT_COUNTERS_ZERO();
}

/* Does the kernel log report a bad mm counter at a free? */
static bool klog_has_bad_counters(void)
{
	static const char * const bad[] = {
		"Bad rss-counter state", "non-zero pgtables_bytes",
	};
	/* Not malloc()ed: the same pages each time, no heap growing. */
	static char buf[1 << 20];
	bool found = false;
	unsigned int i;
	int n;

	n = klogctl(3, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = 0;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		found |= !!strstr(buf, bad[i]);
	return found;
}

/*
 * The opener passes the descriptor on and exits: the receiver's RSS does
 * not grow, but a clone it makes counts for it; closing the descriptor at
 * last frees the exited opener's mm with its counters back at zero.
 */
TEST(opener_exits_before_the_descriptor)
{
	long long anon, shmem;
	char page[4096] = { 1 };
	int sv[2], fd, nfd;
	struct aspace_stats st;
	__u64 addr;
	pid_t pid;
	int status;

	ASSERT_FALSE(klog_has_bad_counters());
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	settle();
	anon = ANON(0);
	shmem = SHMEM(0);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		fd = aspace_open(0);
		if (fd < 0)
			_exit(2);
		if (aspace_mmap(fd, 0, PAGES(NPAGES), P_RW,
				M_PRIV | M_POPULATE, NULL) ||
		    aspace_mmap(fd, 0, PAGES(NPAGES), P_RW,
				M_SHARED | M_POPULATE, NULL) ||
		    aspace_mmap(fd, FIXED_AREA, PAGES(NPAGES), P_RW,
				M_PRIV | M_FIXED, NULL))
			_exit(3);
		_exit(send_fd(sv[1], fd) ? 4 : 0);
	}
	fd = recv_fd(sv[0]);
	ASSERT_LE(0, fd);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ASSERT_EQ(0, aspace_stats(fd, &st));
	EXPECT_EQ(2 * NPAGES, st.resident_pages);
	EXPECT_NEAR(anon, ANON(0), SLACK_KB);
	EXPECT_NEAR(shmem, SHMEM(0), SLACK_KB);
	/* New pages still count for the exited opener, not for us. */
	for (addr = FIXED_AREA; addr < FIXED_AREA + PAGES(NPAGES / 4);
	     addr += PG)
		ASSERT_EQ((ssize_t)sizeof(page),
			  pwrite(fd, page, sizeof(page), addr));
	EXPECT_NEAR(anon, ANON(0), SLACK_KB);
	/* A clone is ours. */
	ASSERT_EQ(0, aspace_clone(fd, 0, &nfd));
	EXPECT_NEAR(anon + NKB + NKB / 4, ANON(0), SLACK_KB);
	EXPECT_NEAR(shmem + NKB, SHMEM(0), SLACK_KB);
	/* Unmapping in the passed descriptor frees the opener's count. */
	ASSERT_EQ(0, aspace_munmap(fd, FIXED_AREA, PAGES(NPAGES)));
	close(fd);
	EXPECT_FALSE(klog_has_bad_counters());
	close(nfd);
	EXPECT_NEAR(anon, ANON(0), SLACK_KB);
	EXPECT_NEAR(shmem, SHMEM(0), SLACK_KB);
	EXPECT_FALSE(klog_has_bad_counters());
	close(sv[0]);
	close(sv[1]);
	EXPECT_COUNTERS_ZERO();
}

TEST_HARNESS_MAIN
