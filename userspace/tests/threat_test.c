// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of the threat model in the README ("Security and
 * threat model"):
 *
 *  - the node as the module makes it: 0660 root:root (the udev rule
 *    gives it the group aspace, modload_test checks that), dev_mode 0660;
 *  - a descriptor open only for reading observes and changes nothing:
 *    every changing ioctl fails with EBADF, as write(2) on a read-only
 *    file, also after the descriptor is passed with SCM_RIGHTS to
 *    another process; a write-only one cannot read the memory;
 *  - without CAP_SYS_ADMIN no frame number or kernel address comes out
 *    of TRANSLATE, PTDUMP, PAGESCAN or /proc/PID/fdinfo.
 *
 * Who pays for a descriptor passed on or inherited is rss_test's
 * (inherited_descriptor_counts_for_the_opener, opener_exits_before_the_
 * descriptor); every struct copied out being set in full, copyout_test's.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"
#include "aspace_introspect_util.h"

#define F		FIXED_AREA
#define KERNEL_HALF	0xffff800000000000ULL

/* Room for any ioctl struct. */
union ioc_buf {
	struct aspace_handshake hs;
	struct aspace_mmap mm;
	struct aspace_range r;
	struct aspace_brk brk;
	struct aspace_clone cl;
	struct aspace_query q;
	struct aspace_layout lay;
	struct aspace_limits lim;
	struct aspace_stats st;
	struct aspace_access ac;
	struct aspace_madvise ma;
	struct aspace_translate tr;
	struct aspace_ptdump pd;
	struct aspace_pagescan ps;
	struct aspace_clear_refs cr;
	unsigned char b[256];
};

/*
 * Every ioctl once on @fd with arguments that work on an O_RDWR
 * descriptor of make_space()'s state; each returns 0 or -errno into
 * @ret[] in the order of the table in module/dev.c.
 */
enum { I_HS, I_MMAP, I_MUNMAP, I_MPROT, I_BRK, I_CLONE, I_QUERY, I_GLAY,
	I_SLAY, I_GLIM, I_SLIM, I_STATS, I_ACC_R, I_ACC_W, I_ACC_X, I_MADV,
	I_TR, I_PD, I_PS, I_CR, NR_CALLS };

static const char *const call_names[NR_CALLS] = {
	"HANDSHAKE", "MMAP", "MUNMAP", "MPROTECT", "BRK", "CLONE", "QUERY",
	"GET_LAYOUT", "SET_LAYOUT", "GET_LIMITS", "SET_LIMITS", "STATS",
	"ACCESS read", "ACCESS write", "ACCESS exec", "MADVISE", "TRANSLATE",
	"PTDUMP", "PAGESCAN", "CLEAR_REFS",
};

/* Which ones change the address space (or write or read its bytes). */
static const bool changes[NR_CALLS] = {
	[I_MMAP] = true, [I_MUNMAP] = true, [I_MPROT] = true, [I_BRK] = true,
	[I_CLONE] = true, [I_SLAY] = true, [I_SLIM] = true,
	[I_ACC_W] = true, [I_MADV] = true, [I_CR] = true,
};

static int call(int fd, int i)
{
	struct aspace_ptdump_entry pe[4];
	struct aspace_page_region pr[4];
	char data[16] = { 0 };
	union ioc_buf u;
	int ret;

	memset(&u, 0, sizeof(u));
	switch (i) {
	case I_HS:
		u.hs.size = sizeof(u.hs);
		u.hs.api_version = 1;
		return aspace_ioctl(fd, ASPACE_IOC_HANDSHAKE, &u);
	case I_MMAP:
		u.mm.size = sizeof(u.mm);
		u.mm.prot = P_RW;
		u.mm.flags = M_PRIV;
		u.mm.length = PG;
		return aspace_ioctl(fd, ASPACE_IOC_MMAP, &u);
	case I_MUNMAP:
	case I_MPROT:
		u.r.size = sizeof(u.r);
		u.r.addr = F + PAGES(3);
		u.r.length = PG;
		u.r.prot = i == I_MPROT ? P_R : 0;
		return aspace_ioctl(fd, i == I_MUNMAP ? ASPACE_IOC_MUNMAP :
					ASPACE_IOC_MPROTECT, &u);
	case I_BRK:
		u.brk.size = sizeof(u.brk);
		u.brk.brk = 0;
		return aspace_ioctl(fd, ASPACE_IOC_BRK, &u);
	case I_CLONE:
		u.cl.size = sizeof(u.cl);
		ret = aspace_ioctl(fd, ASPACE_IOC_CLONE, &u);
		if (!ret)
			close(u.cl.fd);
		return ret;
	case I_QUERY:
		u.q.size = sizeof(u.q);
		u.q.query_addr = F;
		return aspace_ioctl(fd, ASPACE_IOC_QUERY, &u);
	case I_GLAY:
	case I_SLAY:
		u.lay.size = sizeof(u.lay);
		ret = aspace_ioctl(fd, ASPACE_IOC_GET_LAYOUT, &u);
		if (ret || i == I_GLAY)
			return ret;
		u.lay.size = sizeof(u.lay);
		return aspace_ioctl(fd, ASPACE_IOC_SET_LAYOUT, &u);
	case I_GLIM:
	case I_SLIM:
		u.lim.size = sizeof(u.lim);
		ret = aspace_ioctl(fd, ASPACE_IOC_GET_LIMITS, &u);
		if (ret || i == I_GLIM)
			return ret;
		u.lim.size = sizeof(u.lim);
		return aspace_ioctl(fd, ASPACE_IOC_SET_LIMITS, &u);
	case I_STATS:
		u.st.size = sizeof(u.st);
		return aspace_ioctl(fd, ASPACE_IOC_STATS, &u);
	case I_ACC_R:
	case I_ACC_W:
	case I_ACC_X:
		u.ac.size = sizeof(u.ac);
		u.ac.kind = i == I_ACC_R ? ASPACE_ACCESS_READ :
			    i == I_ACC_W ? ASPACE_ACCESS_WRITE :
					   ASPACE_ACCESS_EXEC;
		u.ac.addr = F;
		u.ac.length = sizeof(data);
		u.ac.buf = (uintptr_t)data;
		return aspace_ioctl(fd, ASPACE_IOC_ACCESS, &u);
	case I_MADV:
		u.ma.size = sizeof(u.ma);
		u.ma.advice = MADV_DONTNEED;
		u.ma.addr = F + PAGES(1);
		u.ma.length = PG;
		return aspace_ioctl(fd, ASPACE_IOC_MADVISE, &u);
	case I_TR: {
		struct aspace_translate t;

		return translate(fd, F, &t);
	}
	case I_PD:
		return ptdump(fd, 0, F + PAGES(4), 0, 0, pe, 4, &u.pd);
	case I_PS:
		ret = pagescan(fd, F, F + PAGES(4), 0, ASPACE_PAGE_CATEGORIES,
			       pr, 4);
		return ret < 0 ? ret : 0;
	case I_CR:
		return clear_refs(fd, F, F + PAGES(4), ASPACE_CLEAR_ACCESSED);
	}
	return -EINVAL;
}

/* A readable-writable-executable range at F of 4 pages, written. */
static int make_space(int fd)
{
	char page[PG];

	memset(page, 0x5a, sizeof(page));
	if (aspace_mmap(fd, F, PAGES(4), P_R | P_W | P_X, M_PRIV | M_FIXED,
			NULL))
		return -1;
	return pwrite(fd, page, sizeof(page), F) == sizeof(page) ? 0 : -1;
}

/* STATS of @fd into @st: 0 or -errno. */
static int stats(int fd, struct aspace_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return aspace_ioctl(fd, ASPACE_IOC_STATS, st);
}

/* Each call on @fd (open @acc): EBADF exactly where the rule says. */
static int check_mode_rules(int fd, int acc, bool verbose)
{
	int i, ret, bad = 0;
	bool want_ebadf;

	for (i = 0; i < NR_CALLS; i++) {
		if (acc == O_RDONLY)
			want_ebadf = changes[i];
		else if (acc == O_WRONLY)
			want_ebadf = i == I_ACC_R || i == I_ACC_X;
		else
			want_ebadf = false;
		ret = call(fd, i);
		if (want_ebadf ? ret != -EBADF : ret == -EBADF) {
			if (verbose)
				fprintf(stderr, "# %s on mode %d: %s\n",
					call_names[i], acc,
					ret ? strerror(-ret) : "success");
			bad++;
		}
	}
	return bad;
}

TEST(node_is_0660_root_root_and_dev_mode_0660)
{
	char buf[32];
	struct stat st;

	ASSERT_EQ(0, stat(ASPACE_DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	/* Without the udev rule (the guest has no udevd): root's group. */
	if (access("/run/udev/control", F_OK))
		EXPECT_EQ(0, st.st_gid);
	ASSERT_LT(0, lx_read_file("/sys/module/aspace/parameters/dev_mode",
				  buf, sizeof(buf)));
	EXPECT_STREQ("0660\n", buf);
}

/*
 * A read-only descriptor: observation works, every change is EBADF and
 * changes nothing.  Each open of the node is a new, empty address space,
 * so there is no read-only descriptor of a space with contents: the
 * rules do not depend on them.
 */
TEST(read_only_descriptor_only_observes)
{
	struct aspace_stats a, b;
	char c[16];
	int fd;

	fd = open(ASPACE_DEV_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, stats(fd, &a));
	EXPECT_EQ(0, check_mode_rules(fd, O_RDONLY, true));
	ASSERT_EQ(0, stats(fd, &b));
	EXPECT_EQ(0, b.nr_vmas);
	EXPECT_EQ(0, b.resident_pages);
	EXPECT_EQ(a.mapped_bytes, b.mapped_bytes);
	EXPECT_EQ(-1, pwrite(fd, c, sizeof(c), F));
	EXPECT_EQ(EBADF, errno);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

TEST(write_only_descriptor_cannot_read_memory)
{
	char c[16];
	int fd;

	fd = open(ASPACE_DEV_PATH, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, make_space(fd));
	EXPECT_EQ(0, check_mode_rules(fd, O_WRONLY, true));
	EXPECT_EQ(-1, pread(fd, c, sizeof(c), F));
	EXPECT_EQ(EBADF, errno);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

TEST(read_write_descriptor_may_do_everything)
{
	int fd = aspace_open(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, make_space(fd));
	EXPECT_EQ(0, check_mode_rules(fd, O_RDWR, true));
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/*
 * A read-only descriptor passed to another process keeps its mode: the
 * receiver reads but changes nothing, whatever it tries.
 */
TEST(read_only_descriptor_passed_with_scm_rights)
{
	int sv[2], fd, status;
	pid_t pid;

	fd = open(ASPACE_DEV_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int rfd, flags;

		close(fd);
		rfd = recv_fd(sv[1]);
		if (rfd < 0)
			_exit(2);
		flags = fcntl(rfd, F_GETFL);
		if (flags < 0 || (flags & O_ACCMODE) != O_RDONLY)
			_exit(3);
		_exit(check_mode_rules(rfd, O_RDONLY, true) ? 4 : 0);
	}
	ASSERT_EQ(0, send_fd(sv[0], fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(sv[0]);
	close(sv[1]);
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/*
 * Run @fn in a forked child without CAP_SYS_ADMIN; its exit status is
 * the number of failed checks (or 100 + why it could not run).
 */
static int unprivileged(int fd, int (*fn)(int fd))
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (drop_cap_sys_admin())
			_exit(100);
		_exit(fn(fd));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: %s\n", __FILE__, __LINE__,	\
			#cond);						\
		bad++;							\
	}								\
} while (0)

static int no_frames(int fd)
{
	struct aspace_ptdump_entry pe[64];
	struct aspace_page_region pr[16];
	struct aspace_translate t;
	struct aspace_ptdump d;
	int bad = 0, i, n;

	/* TRANSLATE: entry bits only; no table address, no physical. */
	CHECK(!translate(fd, F, &t));
	CHECK(t.level == 0 && (t.entries[0] & ASPACE_PTE_PRESENT));
	for (i = 0; i < 5; i++) {
		CHECK(!PTE_FRAME(t.entries[i]));
		CHECK(!t.tables[i]);
	}
	CHECK(!t.phys);
	/* PTDUMP: never a frame, and asking for frame bits is refused. */
	CHECK(!ptdump(fd, 0, F + PAGES(8), ASPACE_PTDUMP_HOLES, 0, pe, 64,
		      &d));
	CHECK(d.nr_entries > 0);
	for (i = 0; i < (int)d.nr_entries && i < 64; i++) {
		CHECK(!PTE_FRAME(pe[i].flags));
		CHECK(pe[i].start < KERNEL_HALF && pe[i].end <= KERNEL_HALF);
	}
	CHECK(ptdump(fd, 0, F + PAGES(8), 0, ASPACE_PTE_FRAME_MASK, pe, 64,
		     &d) == -EINVAL);
	/* PAGESCAN: user addresses and categories only. */
	n = pagescan(fd, F, F + PAGES(4), 0, ASPACE_PAGE_CATEGORIES, pr, 16);
	CHECK(n > 0);
	for (i = 0; i < n && i < 16; i++) {
		CHECK(pr[i].start >= F && pr[i].end <= F + PAGES(4));
		CHECK(!(pr[i].categories & ~ASPACE_PAGE_CATEGORIES));
	}
	return bad;
}

TEST(no_frames_without_cap_sys_admin)
{
	int fd = aspace_open(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, make_space(fd));
	EXPECT_EQ(0, unprivileged(fd, no_frames));
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

/*
 * /proc/PID/fdinfo: the "mm:" line is %p, hashed (32 bits on x86_64);
 * every other value a counter or a user address, none in the kernel's
 * half.  (A kernel booted with no_hash_pointers prints the pointer.)
 */
static int fdinfo_no_kernel_pointer(int fd)
{
	char path[64], line[256];
	unsigned long long v;
	int bad = 0, lines = 0;
	char *val, *end;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 101;
	while (fgets(line, sizeof(line), f)) {
		val = strchr(line, ':');
		if (!val)
			continue;
		for (val++; *val; val = end) {
			while (*val == ' ' || *val == '\t')
				val++;
			if (!*val || *val == '\n')
				break;
			errno = 0;
			v = strtoull(val, &end, !strncmp(line, "mm:", 3) ?
					      16 : 0);
			if (end == val)
				break;
			lines++;
			if (!strncmp(line, "mm:", 3))
				CHECK(v <= 0xffffffffULL);
			CHECK(v < KERNEL_HALF);
		}
	}
	fclose(f);
	CHECK(lines >= 10);
	return bad;
}

TEST(fdinfo_shows_no_kernel_pointer)
{
	int fd = aspace_open(0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, make_space(fd));
	EXPECT_EQ(0, unprivileged(fd, fdinfo_no_kernel_pointer));
	close(fd);
	EXPECT_COUNTERS_ZERO();
}

TEST_HARNESS_MAIN
