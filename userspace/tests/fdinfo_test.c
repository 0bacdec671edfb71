// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of /proc/PID/fdinfo/FD on aspace descriptors: every
 * line is parsed and compared with ASPACE_IOC_STATS, GET_LAYOUT and BRK
 * after mappings, populates, zero-page reads, a clone and its
 * copy-on-write breaks, in 4- and 5-level layouts, on opened and cloned
 * descriptors alike.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_mem_util.h"
#include "aspace_introspect_util.h"

#define X	FIXED_AREA

/* The fields of an aspace fdinfo, as parsed. */
struct fdinfo {
	__u64 levels, task_size, brk;
	__u64 nr_vmas, mapped_bytes, data_bytes, resident_bytes;
	__u64 resident_pages, shared_pages, pgtable_pages[5];
	__u64 faults, cow_breaks, zero_page_maps;
	char mm[32];		/* the hashed pointer, as traces print it */
	unsigned int seen;	/* how many of the aspace lines were found */
	bool has_pos;		/* the VFS's own "pos:" line is there too */
};

#define FDINFO_LINES	14

static int fdinfo_read(int fd, struct fdinfo *fi)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
#define K(f) { #f ":", offsetof(struct fdinfo, f) }
		K(levels), K(task_size), K(brk), K(nr_vmas), K(mapped_bytes),
		K(data_bytes), K(resident_bytes), K(resident_pages),
		K(shared_pages), K(faults), K(cow_breaks), K(zero_page_maps),
#undef K
	};
	char path[64], line[256];
	unsigned int i;
	FILE *f;

	memset(fi, 0, sizeof(*fi));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "pos:", 4))
			fi->has_pos = true;
		if (!strncmp(line, "mm:\t", 4) &&
		    sscanf(line + 4, "%31s", fi->mm) == 1) {
			fi->seen++;
			continue;
		}
		if (!strncmp(line, "pgtable_pages:", 14)) {
			__u64 *p = fi->pgtable_pages;

			if (sscanf(line + 14, "%llu %llu %llu %llu %llu",
				   (unsigned long long *)&p[0],
				   (unsigned long long *)&p[1],
				   (unsigned long long *)&p[2],
				   (unsigned long long *)&p[3],
				   (unsigned long long *)&p[4]) == 5)
				fi->seen++;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(keys); i++) {
			size_t n = strlen(keys[i].key);
			unsigned long long v;

			if (strncmp(line, keys[i].key, n) || line[n] != '\t')
				continue;
			/* %lli takes 0x-prefixed values as hex. */
			if (sscanf(line + n + 1, "%lli", (long long *)&v) == 1) {
				*(__u64 *)((char *)fi + keys[i].off) = v;
				fi->seen++;
			}
		}
	}
	fclose(f);
	return 0;
}

/* fdinfo of @fd agrees with what the ioctls say. */
static void expect_fdinfo_matches(struct __test_metadata *_metadata, int fd)
{
	struct aspace_layout l;
	struct aspace_stats st;
	struct fdinfo fi;
	unsigned int i;
	__u64 brk;

	ASSERT_EQ(0, fdinfo_read(fd, &fi));
	ASSERT_EQ(0, aspace_stats(fd, &st));
	ASSERT_EQ(0, aspace_get_layout(fd, &l));
	ASSERT_EQ(0, aspace_brk(fd, 0, &brk));
	EXPECT_TRUE(fi.has_pos);
	EXPECT_EQ(FDINFO_LINES, fi.seen);
	EXPECT_EQ(16, strspn(fi.mm, "0123456789abcdef")) TH_LOG("mm %s", fi.mm);
	EXPECT_EQ(l.flags & ASPACE_LAYOUT_LA57 ? 5 : 4, fi.levels);
	EXPECT_EQ(l.task_size, fi.task_size);
	EXPECT_EQ(brk, fi.brk);
	EXPECT_EQ(st.nr_vmas, fi.nr_vmas);
	EXPECT_EQ(st.mapped_bytes, fi.mapped_bytes);
	EXPECT_EQ(st.data_bytes, fi.data_bytes);
	EXPECT_EQ(st.resident_pages * PG, fi.resident_bytes);
	EXPECT_EQ(st.resident_pages, fi.resident_pages);
	EXPECT_EQ(st.shared_pages, fi.shared_pages);
	for (i = 0; i < 5; i++)
		EXPECT_EQ(st.pgtable_pages[i], fi.pgtable_pages[i]);
	EXPECT_EQ(st.faults, fi.faults);
	EXPECT_EQ(st.cow_breaks, fi.cow_breaks);
	EXPECT_EQ(st.zero_page_maps, fi.zero_page_maps);
}

FIXTURE(fi) {
	int fd;
};

FIXTURE_SETUP(fi)
{
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(fi)
{
	close(self->fd);
	EXPECT_ALL_COUNTERS_ZERO();
}

TEST_F(fi, empty)
{
	struct fdinfo f;

	expect_fdinfo_matches(_metadata, self->fd);
	ASSERT_EQ(0, fdinfo_read(self->fd, &f));
	EXPECT_EQ(4, f.levels);
	EXPECT_EQ(0, f.nr_vmas);
	EXPECT_EQ(1, f.pgtable_pages[3]);	/* the root */
	EXPECT_EQ(DEF_HEAP_START, f.brk);
}

TEST_F(fi, follows_every_operation)
{
	static unsigned char buf[PAGES(8)];
	struct fdinfo f;
	__u64 a;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(16), P_RW,
				 M_PRIV | M_FIXED, NULL));
	expect_fdinfo_matches(_metadata, self->fd);
	ASSERT_EQ((long long)sizeof(buf), mem_pread(self->fd, buf, sizeof(buf),
						    X));
	expect_fdinfo_matches(_metadata, self->fd);
	ASSERT_EQ(0, mem_access(self->fd, ASPACE_ACCESS_WRITE, X, PAGES(4),
				NULL, NULL));
	expect_fdinfo_matches(_metadata, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, 0, PAGES(3), P_RW,
				 M_SHARED | M_POPULATE, &a));
	ASSERT_EQ(0, aspace_mprotect(self->fd, X, PAGES(2), P_R));
	set_brk(self->fd, DEF_HEAP_START + PAGES(5) + 17);
	expect_fdinfo_matches(_metadata, self->fd);
	ASSERT_EQ(0, fdinfo_read(self->fd, &f));
	EXPECT_EQ(4, f.nr_vmas);	/* X split in two, shared, heap */
	EXPECT_EQ(7, f.resident_pages);
	EXPECT_EQ(8, f.zero_page_maps);
	EXPECT_EQ(DEF_HEAP_START + PAGES(5) + 17, f.brk);
	ASSERT_EQ(0, aspace_munmap(self->fd, X, PAGES(16)));
	expect_fdinfo_matches(_metadata, self->fd);
}

TEST_F(fi, clone_and_cow)
{
	unsigned char v = 1;
	struct fdinfo f;
	int c;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(4), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	ASSERT_EQ(0, aspace_clone(self->fd, 0, &c));
	expect_fdinfo_matches(_metadata, self->fd);
	expect_fdinfo_matches(_metadata, c);
	{
		struct fdinfo p;

		ASSERT_EQ(0, fdinfo_read(self->fd, &p));
		ASSERT_EQ(0, fdinfo_read(c, &f));
		EXPECT_STRNE(p.mm, f.mm);
	}
	ASSERT_EQ(0, fdinfo_read(c, &f));
	EXPECT_EQ(4, f.shared_pages);
	ASSERT_EQ(1, mem_pwrite(c, &v, 1, X));
	ASSERT_EQ(1, mem_pwrite(c, &v, 1, X + PG));
	expect_fdinfo_matches(_metadata, c);
	expect_fdinfo_matches(_metadata, self->fd);
	ASSERT_EQ(0, fdinfo_read(c, &f));
	EXPECT_EQ(2, f.cow_breaks);
	EXPECT_EQ(2, f.shared_pages);
	close(c);
	expect_fdinfo_matches(_metadata, self->fd);
}

TEST_F(fi, five_levels)
{
	struct fdinfo f;
	unsigned char v = 1;

	ASSERT_EQ(0, set_layout_flags(self->fd, ASPACE_LAYOUT_LA57));
	ASSERT_EQ(0, aspace_mmap(self->fd, TASK_SIZE_5L - PG, PG, P_RW,
				 M_PRIV | M_FIXED, NULL));
	ASSERT_EQ(1, mem_pwrite(self->fd, &v, 1, TASK_SIZE_5L - 1));
	expect_fdinfo_matches(_metadata, self->fd);
	ASSERT_EQ(0, fdinfo_read(self->fd, &f));
	EXPECT_EQ(5, f.levels);
	EXPECT_EQ(TASK_SIZE_5L, f.task_size);
	EXPECT_EQ(1, f.pgtable_pages[4]);
	EXPECT_EQ(1, f.pgtable_pages[0]);
}

/* Another process sees the same lines, through /proc/PID/fdinfo. */
TEST_F(fi, read_by_another_process)
{
	char path[64], mine[4096], theirs[4096];
	pid_t parent = getpid();
	FILE *f;
	size_t n;
	int status;
	pid_t pid;

	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(2), P_RW,
				 M_PRIV | M_FIXED | M_POPULATE, NULL));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	n = fread(mine, 1, sizeof(mine) - 1, f);
	mine[n] = 0;
	fclose(f);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(self->fd);	/* its own copy: not the one read */
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", parent,
			 self->fd);
		f = fopen(path, "r");
		if (!f)
			_exit(2);
		n = fread(theirs, 1, sizeof(theirs) - 1, f);
		theirs[n] = 0;
		fclose(f);
		/* The aspace lines start at "levels:". */
		_exit(strcmp(strstr(mine, "levels:"),
			     strstr(theirs, "levels:") ?: "") ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
