// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end test of aspace's tracepoints through ftrace: tracefs is
 * mounted at /sys/kernel/tracing, events/aspace/ enabled, and after
 * every kind of operation the trace must hold its event, with the
 * descriptor's "mm" (as its fdinfo shows it) and the operation's
 * arguments; the fault and copy-on-write events must match the STATS
 * counters one for one.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"
#include "aspace_introspect_util.h"

#define TRACEFS		"/sys/kernel/tracing"
#define X		FIXED_AREA
#define TRACE_MAX	(4 << 20)

static char tracebuf[TRACE_MAX];

static int write_file(const char *name, const char *text)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), TRACEFS "/%s", name);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The whole trace buffer, as text: its length, or -errno. */
static long read_trace(void)
{
	long n = 0, r;
	int fd;

	fd = open(TRACEFS "/trace", O_RDONLY);
	if (fd < 0)
		return -errno;
	while ((r = read(fd, tracebuf + n, TRACE_MAX - 1 - n)) > 0)
		n += r;
	close(fd);
	tracebuf[n] = 0;
	return n;
}

/* Lines of the trace with event @ev, "mm=@mm" and every one of @need. */
static int count_lines(const char *ev, const char *mm, const char *need)
{
	char evs[64], mms[64], *line, *save = NULL;
	char *copy = strdup(tracebuf), *n, *tok, *nsave;
	int count = 0;
	bool all;

	snprintf(evs, sizeof(evs), " %s: ", ev);
	snprintf(mms, sizeof(mms), "mm=%s ", mm);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, evs) || !strstr(line, mms))
			continue;
		all = true;
		n = strdup(need);
		for (tok = strtok_r(n, "|", &nsave); tok;
		     tok = strtok_r(NULL, "|", &nsave))
			all = all && strstr(line, tok);
		free(n);
		count += all;
	}
	free(copy);
	return count;
}

FIXTURE(tr) {
	int fd;
	char mm[32];
};

FIXTURE_SETUP(tr)
{
	int ret;

	mkdir(TRACEFS, 0755);
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY) {
		if (errno == ENODEV)
			SKIP(return, "no tracefs in this kernel");
		ASSERT_EQ(0, -errno) TH_LOG("mount tracefs: %s", strerror(errno));
	}
	ret = write_file("events/aspace/enable", "0");
	ASSERT_EQ(0, ret) TH_LOG("no events/aspace: is the module loaded?");
	ASSERT_EQ(0, write_file("buffer_size_kb", "4096"));
	ASSERT_EQ(0, write_file("trace", ""));
	ASSERT_EQ(0, write_file("events/aspace/enable", "1"));
	ASSERT_EQ(0, write_file("tracing_on", "1"));
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, fdinfo_mm(self->fd, self->mm, sizeof(self->mm)));
}

FIXTURE_TEARDOWN(tr)
{
	write_file("events/aspace/enable", "0");
	write_file("trace", "");
	close(self->fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

TEST_F(tr, every_event_is_there)
{
	static const char * const events[] = {
		"aspace_mmap", "aspace_munmap", "aspace_mprotect",
		"aspace_madvise", "aspace_brk", "aspace_clone",
		"aspace_access", "aspace_rw", "aspace_fault",
		"aspace_cow_break",
	};
	char path[128];
	struct stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(events); i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/aspace/%s/format",
			 events[i]);
		EXPECT_EQ(0, stat(path, &st)) TH_LOG("%s", events[i]);
	}
}

/* Every operation leaves its event, with its arguments and result. */
TEST_F(tr, operations)
{
	char mmx[64], newmm[32], need[128];
	unsigned char b = 7;
	__u64 a, brk0;
	int c;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(4), P_RW, M_PRIV | M_FIXED,
				 &a));
	EXPECT_EQ(-EEXIST, aspace_mmap(self->fd, X, PG, P_R,
				       M_PRIV | M_NOREPLACE, NULL));
	ASSERT_EQ(0, aspace_mprotect(self->fd, X, PG, P_R));
	ASSERT_EQ(0, mem_madvise(self->fd, X + PG, PG, MADV_POPULATE_WRITE));
	ASSERT_EQ(0, aspace_brk(self->fd, 0, &brk0));
	set_brk(self->fd, brk0 + PAGES(2));
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, X + PAGES(2), 3,
				&b, NULL));
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_EXEC, X, 1, NULL,
				NULL));		/* SEGV_ACCERR */
	ASSERT_EQ(1, mem_pread(self->fd, &b, 1, X + PAGES(3)));
	ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, X + PAGES(3)));
	ASSERT_EQ(0, aspace_clone(self->fd, ASPACE_CLONE_EAGER, &c));
	ASSERT_EQ(0, fdinfo_mm(c, newmm, sizeof(newmm)));
	ASSERT_EQ(0, aspace_munmap(self->fd, X, PAGES(4)));
	ASSERT_EQ(0, write_file("tracing_on", "0"));
	ASSERT_LT(0, read_trace());

	snprintf(mmx, sizeof(mmx), "%s", self->mm);
	EXPECT_EQ(1, count_lines("aspace_mmap", mmx,
				 "hint=0x100000000 |len=0x4000 |prot=0x3 |"
				 "addr=0x100000000 |ret=0"));
	EXPECT_EQ(1, count_lines("aspace_mmap", mmx, "len=0x1000 |ret=-17"));
	EXPECT_EQ(1, count_lines("aspace_mprotect", mmx,
				 "addr=0x100000000 |len=0x1000 |arg=0x1 |ret=0"));
	EXPECT_EQ(1, count_lines("aspace_madvise", mmx,
				 "addr=0x100001000 |arg=0x17 |ret=0"));
	snprintf(need, sizeof(need), "want=%#llx brk=%#llx",
		 (unsigned long long)brk0 + PAGES(2),
		 (unsigned long long)brk0 + PAGES(2));
	EXPECT_EQ(1, count_lines("aspace_brk", mmx, need));
	EXPECT_EQ(1, count_lines("aspace_access", mmx,
				 " write |addr=0x100002000 |len=0x3 |done=0x3 |"
				 "si_code=0 |ret=0"));
	EXPECT_EQ(1, count_lines("aspace_access", mmx,
				 " exec |done=0x0 |si_code=2 |ret=0"));
	EXPECT_EQ(1, count_lines("aspace_rw", mmx,
				 " pread |addr=0x100003000 |len=0x1 |ret=1"));
	EXPECT_EQ(1, count_lines("aspace_rw", mmx,
				 " pwrite |addr=0x100003000 |ret=1"));
	snprintf(need, sizeof(need), "new=%s |flags=0x2 |ret=0", newmm);
	EXPECT_EQ(1, count_lines("aspace_clone", mmx, need));
	EXPECT_EQ(1, count_lines("aspace_munmap", mmx,
				 "addr=0x100000000 |len=0x4000 |ret=0"));
	close(c);
}

/*
 * Faults: one event per fault STATS counts, of the right kind, and one
 * aspace_cow_break per copy-on-write copy, on both sides of a clone.
 */
TEST_F(tr, faults_and_cow_breaks)
{
	struct aspace_stats sp, sc;
	char cmm[32];
	unsigned char b = 1;
	int c;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(8), P_RW, M_PRIV | M_FIXED,
				 NULL));
	ASSERT_EQ(1, mem_pread(self->fd, &b, 1, X));		/* zero */
	ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, X));		/* zero-copy */
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, X + PG,
				PAGES(3), NULL, NULL));		/* 3 new */
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_READ, X + PG, PG,
				NULL, NULL));			/* no fault */
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &c));
	ASSERT_EQ(0, fdinfo_mm(c, cmm, sizeof(cmm)));
	ASSERT_EQ(1, mem_pwrite(c, &b, 1, X + PG));		/* copy */
	ASSERT_EQ(1, mem_pwrite(c, &b, 1, X + PAGES(2)));	/* copy */
	ASSERT_EQ(1, mem_pwrite(self->fd, &b, 1, X + PG));	/* reuse */
	ASSERT_EQ(0, write_file("tracing_on", "0"));
	ASSERT_LT(0, read_trace());
	ASSERT_EQ(0, aspace_stats(self->fd, &sp));
	ASSERT_EQ(0, aspace_stats(c, &sc));

	EXPECT_EQ((int)sp.faults, count_lines("aspace_fault", self->mm, ""));
	EXPECT_EQ((int)sc.faults, count_lines("aspace_fault", cmm, ""));
	EXPECT_EQ(6, sp.faults);
	EXPECT_EQ(1, count_lines("aspace_fault", self->mm,
				 "addr=0x100000000 read zero "));
	EXPECT_EQ(1, count_lines("aspace_fault", self->mm,
				 "addr=0x100000000 write zero-copy "));
	EXPECT_EQ(3, count_lines("aspace_fault", self->mm, " write new "));
	EXPECT_EQ(1, count_lines("aspace_fault", self->mm,
				 "addr=0x100001000 write reuse "));
	EXPECT_EQ(2, count_lines("aspace_fault", cmm, " write copy "));
	EXPECT_EQ((int)sc.cow_breaks,
		  count_lines("aspace_cow_break", cmm, ""));
	EXPECT_EQ(2, sc.cow_breaks);
	EXPECT_EQ(1, count_lines("aspace_cow_break", cmm, "addr=0x100002000 "));
	EXPECT_EQ(0, count_lines("aspace_cow_break", self->mm, ""));
	close(c);
}

/* Disabled, the events leave nothing. */
TEST_F(tr, disabled_is_silent)
{
	ASSERT_EQ(0, write_file("events/aspace/enable", "0"));
	ASSERT_EQ(0, aspace_mmap(self->fd, X, PG, P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, write_file("tracing_on", "0"));
	ASSERT_LE(0, read_trace());
	EXPECT_EQ(NULL, strstr(tracebuf, "aspace_"));
}

TEST_HARNESS_MAIN
