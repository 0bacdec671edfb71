// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of aspace under a memory cgroup limit: data and
 * page-table pages are charged to the caller's memory cgroup and allocated
 * with __GFP_RETRY_MAYFAIL, so running into memory.max gives a short
 * MAP_POPULATE (the mmap still succeeds) or an eager clone failing with
 * ENOMEM, never an OOM kill.
 *
 * Each test creates a child cgroup with memory.max = 32 MiB under the
 * cgroup2 root (mounted on /sys/fs/cgroup if nothing is mounted there),
 * runs the work in a forked process moved into it, and checks afterwards
 * that memory.events counts no OOM and no OOM kill.  Without cgroup2 or
 * the memory controller the tests are skipped, with the reason.
 */
#include <signal.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_LIMIT	(32ULL << 20)
#define CG_LIMIT_PAGES	(CG_LIMIT / PG)

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int ret = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(val))
		ret = -EIO;
	close(fd);
	return ret;
}

static bool file_has_word(const char *path, const char *word)
{
	char buf[512], *tok, *save;
	FILE *f = fopen(path, "r");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(buf, sizeof(buf), f)) {
		for (tok = strtok_r(buf, " \t\n", &save); tok && !found;
		     tok = strtok_r(NULL, " \t\n", &save))
			found = !strcmp(tok, word);
	}
	fclose(f);
	return found;
}

/* A "key value" line of a flat-keyed cgroup file; -1 if missing. */
static long long cg_key(const char *dir, const char *file, const char *key)
{
	char path[256], name[64];
	long long val, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
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

FIXTURE(memcg) {
	char dir[128];
	char skip[384];
	bool mounted;
	bool enabled;
	bool created;
};

/* Everything that can be missing is a reason to skip, not a failure. */
static void cgroup_prepare(struct _test_data_memcg *self)
{
	char path[256], val[32];
	int ret;

	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		if (!file_has_word("/proc/filesystems", "cgroup2")) {
			snprintf(self->skip, sizeof(self->skip),
				 "the kernel has no cgroup2");
			return;
		}
		mkdir(CG_ROOT, 0755);
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL)) {
			snprintf(self->skip, sizeof(self->skip),
				 "cannot mount cgroup2 on %s: %s", CG_ROOT,
				 strerror(errno));
			return;
		}
		self->mounted = true;
	}
	if (!file_has_word(CG_ROOT "/cgroup.controllers", "memory")) {
		snprintf(self->skip, sizeof(self->skip),
			 "no memory controller in cgroup2");
		return;
	}
	if (!file_has_word(CG_ROOT "/cgroup.subtree_control", "memory")) {
		ret = write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
		if (ret) {
			snprintf(self->skip, sizeof(self->skip),
				 "cannot enable the memory controller: %s",
				 strerror(-ret));
			return;
		}
		self->enabled = true;
	}
	snprintf(self->dir, sizeof(self->dir), CG_ROOT "/aspace_memcg.%d",
		 getpid());
	if (mkdir(self->dir, 0755)) {
		snprintf(self->skip, sizeof(self->skip), "mkdir %s: %s",
			 self->dir, strerror(errno));
		return;
	}
	self->created = true;
	snprintf(path, sizeof(path), "%s/memory.max", self->dir);
	snprintf(val, sizeof(val), "%llu", CG_LIMIT);
	ret = write_file(path, val);
	if (ret)
		snprintf(self->skip, sizeof(self->skip), "%s: %s", path,
			 strerror(-ret));
	/* No swap in the guest; where there is, keep it out of the way. */
	snprintf(path, sizeof(path), "%s/memory.swap.max", self->dir);
	write_file(path, "0");
}

FIXTURE_SETUP(memcg)
{
	memset(self, 0, sizeof(*self));
	cgroup_prepare(self);
}

FIXTURE_TEARDOWN(memcg)
{
	if (self->created)
		EXPECT_EQ(0, rmdir(self->dir));
	if (self->enabled)
		write_file(CG_ROOT "/cgroup.subtree_control", "-memory");
	if (self->mounted)
		umount(CG_ROOT);
	EXPECT_COUNTERS_ZERO();
}

/* In the forked process: is @ok?  If not, print why. */
static bool child_check(bool ok, int line, const char *what,
			const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	fprintf(stderr, "# %s:%d: %s: ", __FILE__, line, what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

#define CHILD_OK(cond, fmt, ...) \
	child_check(cond, __LINE__, #cond, fmt, ##__VA_ARGS__)

/*
 * Fault in stack and stdio before joining the cgroup: once @fn has filled
 * it, they are charged already (to the parent's cgroup).
 */
static void prefault(void)
{
	char stack[256 << 10];

	memset(stack, 1, sizeof(stack));
	__asm__ __volatile__("" : : "r" (stack) : "memory");
	fprintf(stderr, "# joining the cgroup\n");
	fflush(stderr);
}

/*
 * Run @fn in a forked process inside the cgroup; it must exit with 0, not
 * be killed, and the cgroup must have hit its limit without an OOM.
 */
static void run_in_cgroup(struct __test_metadata *_metadata,
			  struct _test_data_memcg *self, int (*fn)(void))
{
	char procs[256];
	int status;
	pid_t pid;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", self->dir);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		prefault();
		if (write_file(procs, "0")) {
			fprintf(stderr, "# cannot join %s\n", self->dir);
			_exit(2);
		}
		_exit(fn());
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status)) {
		TH_LOG("the process in the cgroup died of signal %d%s",
		       WTERMSIG(status),
		       WTERMSIG(status) == SIGKILL ? " (OOM-killed?)" : "");
	}
	if (WIFEXITED(status))
		EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, cg_key(self->dir, "memory.events", "oom_kill"));
	EXPECT_EQ(0, cg_key(self->dir, "memory.events", "oom"));
	/* The limit was reached: the test tested something. */
	EXPECT_LT(0, cg_key(self->dir, "memory.events", "max"));
}

/*
 * MAP_POPULATE of 1 GiB in a 32 MiB cgroup: a short populate.  Until the
 * descriptor is closed the cgroup is full, so this touches no new memory
 * in between: a page fault of this process (a new stack page, a buffer)
 * would rightly be OOM-killed by the cgroup, which is not what is tested.
 */
static int populate_1g(void)
{
	struct aspace_stats st = { 0 };
	int fd, mret, sret;
	__u64 addr = 0;

	fd = aspace_open(0);
	if (!CHILD_OK(fd >= 0, "open: %d", fd))
		return 1;
	mret = aspace_mmap(fd, 0, 1ULL << 30, P_RW, M_PRIV | M_POPULATE,
			   &addr);
	sret = aspace_stats(fd, &st);
	close(fd);
	if (!CHILD_OK(mret == 0, "mmap: %d", mret))
		return 1;
	if (!CHILD_OK(sret == 0, "stats: %d", sret))
		return 1;
	fprintf(stderr, "# %llu of %llu pages populated\n",
		(unsigned long long)st.resident_pages, (1ULL << 30) / PG);
	if (!CHILD_OK(st.resident_pages > 0, "nothing populated"))
		return 1;
	if (!CHILD_OK(st.resident_pages <= CG_LIMIT_PAGES,
		      "%llu pages resident, the cgroup allows %llu",
		      (unsigned long long)st.resident_pages, CG_LIMIT_PAGES))
		return 1;
	if (!CHILD_OK(sysfs_pages_data() == 0, "%lld data pages after close",
		      sysfs_pages_data()))
		return 1;
	return 0;
}

TEST_F(memcg, populate_stops_at_the_limit_without_oom_kill)
{
	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	run_in_cgroup(_metadata, self, populate_1g);
}

/*
 * An eager clone of 24 MiB next to its 24 MiB source: ENOMEM, source
 * intact.  A copy-on-write clone copies no page: it fits.
 */
static int clone_24m(void)
{
	const __u64 pages = (24ULL << 20) / PG;
	static struct asp_snap before, after;
	long long data, tables;
	__u64 addr = 0;
	int fd, nfd = -1, ret;

	fd = aspace_open(0);
	if (!CHILD_OK(fd >= 0, "open: %d", fd))
		return 1;
	ret = aspace_mmap(fd, 0, PAGES(pages), P_RW, M_PRIV | M_POPULATE,
			  &addr);
	if (!CHILD_OK(ret == 0, "mmap: %d", ret))
		return 1;
	if (!CHILD_OK(snap_take(fd, &before) == 0, "snapshot"))
		return 1;
	if (!CHILD_OK(before.stats.resident_pages == pages,
		      "only %llu of %llu pages populated",
		      (unsigned long long)before.stats.resident_pages,
		      (unsigned long long)pages))
		return 1;
	data = sysfs_pages_data();
	tables = sysfs_pages_pgtable();
	ret = aspace_clone(fd, ASPACE_CLONE_EAGER, &nfd);
	if (!CHILD_OK(ret == -ENOMEM, "clone: %d (fd %d)", ret, nfd))
		return 1;
	if (!CHILD_OK(snap_take(fd, &after) == 0, "snapshot"))
		return 1;
	if (!CHILD_OK(snap_equal(&before, &after), "the source changed"))
		return 1;
	if (!CHILD_OK(sysfs_pages_data() == data && sysfs_pages_pgtable() == tables,
		      "pages %lld/%lld, before the clone %lld/%lld",
		      sysfs_pages_data(), sysfs_pages_pgtable(), data, tables))
		return 1;
	ret = aspace_clone(fd, 0, &nfd);
	if (!CHILD_OK(ret == 0, "copy-on-write clone: %d", ret))
		return 1;
	ret = snap_take(nfd, &after);
	if (!CHILD_OK(ret == 0, "snapshot of the clone"))
		return 1;
	if (!CHILD_OK(after.stats.resident_pages == pages &&
		      after.stats.shared_pages == pages,
		      "the clone has %llu resident, %llu shared pages",
		      (unsigned long long)after.stats.resident_pages,
		      (unsigned long long)after.stats.shared_pages))
		return 1;
	if (!CHILD_OK(sysfs_pages_data() == data, "%lld data pages, %lld before",
		      sysfs_pages_data(), data))
		return 1;
	close(nfd);
	close(fd);
	return 0;
}

TEST_F(memcg, clone_over_the_limit_fails_with_enomem)
{
	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	run_in_cgroup(_metadata, self, clone_24m);
}

TEST_HARNESS_MAIN
