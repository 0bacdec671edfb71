// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of /dev/aspace itself: the device node, opening and
 * closing, the handshake ioctl and the rules every ioctl struct follows
 * (size, reserved fields, bad pointers, unknown ioctls), the module
 * reference an open descriptor holds, and the global page counters.
 *
 * Runs as root in the QEMU guest, with aspace.ko loaded with its default
 * parameters, and nothing else using the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <linux/aspace.h>

#include "libaspace.h"
#include "kselftest_harness.h"

#define SYSFS_DIR	"/sys/class/misc/aspace"
#define MISC_MAJOR	10

/* The memory release: pread/pwrite, ACCESS, MADVISE, COW, the stack. */
#define MEMORY_FEATURES	(ASPACE_FEATURE_RW | ASPACE_FEATURE_ACCESS | \
			 ASPACE_FEATURE_MADVISE | ASPACE_FEATURE_COW | \
			 ASPACE_FEATURE_STACK_GROWS)
/* Introspection: TRANSLATE, fdinfo, PTDUMP, PAGESCAN, tracepoints. */
#define INTROSPECT_FEATURES (ASPACE_FEATURE_TRANSLATE | ASPACE_FEATURE_FDINFO | \
			     ASPACE_FEATURE_PTDUMP | ASPACE_FEATURE_PAGESCAN | \
			     ASPACE_FEATURE_TRACE)
#define ALL_FEATURES	(ASPACE_FEATURE_MMAP | ASPACE_FEATURE_MUNMAP | \
			 ASPACE_FEATURE_MPROTECT | ASPACE_FEATURE_BRK | \
			 ASPACE_FEATURE_CLONE | ASPACE_FEATURE_QUERY | \
			 ASPACE_FEATURE_LAYOUT | ASPACE_FEATURE_LIMITS | \
			 ASPACE_FEATURE_STATS | ASPACE_FEATURE_LA57 | \
			 MEMORY_FEATURES | INTROSPECT_FEATURES)

/* Read a number from a sysfs file; -1 if it cannot be read. */
static long long read_number(const char *path)
{
	long long val;
	FILE *f;
	int n;

	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%lld", &val);
	fclose(f);
	return n == 1 ? val : -1;
}

static long long module_refcnt(void)
{
	return read_number("/sys/module/aspace/refcnt");
}

/*
 * Two anonymous pages, the second PROT_NONE: the end of the first is a
 * place where a struct runs into memory the kernel cannot touch.
 */
static char *map_guarded_page(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + page, page, PROT_NONE)) {
		munmap(p, 2 * page);
		return NULL;
	}
	return p;
}

TEST(node_is_misc_char_device_0660)
{
	struct stat st;

	ASSERT_EQ(0, stat(ASPACE_DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(MISC_MAJOR, major(st.st_rdev));
	EXPECT_EQ(0, st.st_uid);
}

TEST(open_close_1000_sequentially)
{
	int i, fd;

	for (i = 0; i < 1000; i++) {
		fd = aspace_open(0);
		ASSERT_LE(0, fd) {
			TH_LOG("open #%d: %s", i, strerror(-fd));
		}
		ASSERT_EQ(0, aspace_close(fd));
	}
}

TEST(open_256_at_once)
{
	__u64 features;
	__u32 version;
	int fds[256];
	int i;

	for (i = 0; i < 256; i++) {
		fds[i] = aspace_open(0);
		ASSERT_LE(0, fds[i]) {
			TH_LOG("open #%d: %s", i, strerror(-fds[i]));
		}
	}
	/* Each descriptor works on its own. */
	for (i = 0; i < 256; i++) {
		ASSERT_EQ(0, aspace_handshake(fds[i], &version, &features));
		EXPECT_EQ(ASPACE_API_VERSION, version);
	}
	for (i = 0; i < 256; i++)
		ASSERT_EQ(0, aspace_close(fds[i]));
}

TEST(open_sets_cloexec)
{
	int fd = aspace_open(0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	aspace_close(fd);
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd) {
		TH_LOG("open %s: %s", ASPACE_DEV_PATH, strerror(-self->fd));
	}
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, handshake)
{
	struct aspace_handshake hs = {
		.size = sizeof(hs),
		.api_version = ASPACE_API_VERSION,
	};

	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, &hs));
	EXPECT_EQ(sizeof(hs), hs.size);
	EXPECT_EQ(ASPACE_API_VERSION, hs.api_version);
	EXPECT_NE(0, hs.features);
	EXPECT_EQ(0, hs.features & ~(__u64)ALL_FEATURES) {
		TH_LOG("unknown feature bits 0x%llx",
		       (unsigned long long)(hs.features & ~ALL_FEATURES));
	}
	/* Every feature this header knows is there, the memory ones too. */
	EXPECT_EQ(ALL_FEATURES, hs.features) {
		TH_LOG("missing feature bits 0x%llx",
		       (unsigned long long)(ALL_FEATURES & ~hs.features));
	}
	EXPECT_EQ(0, hs.reserved);
}

TEST_F(dev, handshake_library)
{
	__u64 features = 0;
	__u32 version = 0;

	ASSERT_EQ(0, aspace_handshake(self->fd, &version, &features));
	EXPECT_EQ(ASPACE_API_VERSION, version);
	EXPECT_NE(0, features);
	/* Twice on one descriptor: the same answer. */
	ASSERT_EQ(0, aspace_handshake(self->fd, NULL, NULL));
}

TEST_F(dev, handshake_bad_version)
{
	struct aspace_handshake hs = { .size = sizeof(hs) };

	hs.api_version = 0;
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, &hs));
	hs.api_version = ASPACE_API_VERSION + 1;
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, &hs));
	hs.api_version = ~0U;
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, &hs));
}

TEST_F(dev, handshake_reserved_nonzero)
{
	struct aspace_handshake hs = {
		.size = sizeof(hs),
		.api_version = ASPACE_API_VERSION,
	};

	hs.reserved = 1;
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, &hs));
	hs.reserved = 1ULL << 63;
	EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, &hs));
}

TEST_F(dev, handshake_null_pointer)
{
	EXPECT_EQ(-EFAULT, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, NULL));
}

TEST_F(dev, handshake_unmapped_pointer)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, page));
	EXPECT_EQ(-EFAULT, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, p));
	/* A kernel address is no better. */
	EXPECT_EQ(-EFAULT, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE,
					(void *)0xffffffff81000000UL));
}

/* The size field is readable, the rest of the struct is not. */
TEST_F(dev, handshake_struct_runs_into_guard_page)
{
	long page = sysconf(_SC_PAGESIZE);
	struct aspace_handshake *hs;
	char *p;

	p = map_guarded_page();
	ASSERT_NE(NULL, p);
	hs = (struct aspace_handshake *)(p + page - 8);
	hs->size = sizeof(*hs);
	hs->api_version = ASPACE_API_VERSION;
	EXPECT_EQ(-EFAULT, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, hs));
	munmap(p, 2 * page);
}

/* Input is fine, but the result cannot be written back. */
TEST_F(dev, handshake_read_only_struct)
{
	long page = sysconf(_SC_PAGESIZE);
	struct aspace_handshake *hs;
	void *p;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	hs = p;
	hs->size = sizeof(*hs);
	hs->api_version = ASPACE_API_VERSION;
	ASSERT_EQ(0, mprotect(p, page, PROT_READ));
	EXPECT_EQ(-EFAULT, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, hs));
	munmap(p, page);
}

TEST_F(dev, handshake_size_too_small)
{
	static const __u32 sizes[] = {
		0, 1, 4, 8, 16, sizeof(struct aspace_handshake) - 1,
	};
	struct aspace_handshake hs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&hs, 0, sizeof(hs));
		hs.size = sizes[i];
		hs.api_version = ASPACE_API_VERSION;
		EXPECT_EQ(-EINVAL, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE,
						&hs)) {
			TH_LOG("size %u", sizes[i]);
		}
	}
}

/* A newer program's larger struct, its unknown tail zero: accepted. */
TEST_F(dev, handshake_larger_struct_zero_tail)
{
	static const __u32 sizes[] = { 32, 64, 4096 };
	struct aspace_handshake *hs;
	unsigned int i;
	char *buf;
	__u32 j;

	buf = calloc(1, 4096 + 64);
	ASSERT_NE(NULL, buf);
	hs = (struct aspace_handshake *)buf;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(buf, 0, 4096 + 64);
		hs->size = sizes[i];
		hs->api_version = ASPACE_API_VERSION;
		EXPECT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, hs)) {
			TH_LOG("size %u", sizes[i]);
		}
		EXPECT_EQ(ASPACE_API_VERSION, hs->api_version);
		EXPECT_NE(0, hs->features);
		/* The module reports the size it knows. */
		EXPECT_EQ(sizeof(*hs), hs->size);
		/* It wrote nothing past its own struct. */
		for (j = sizeof(*hs); j < 4096 + 64; j++)
			if (buf[j])
				break;
		EXPECT_EQ(4096 + 64, j) {
			TH_LOG("size %u: byte %u changed", sizes[i], j);
		}
	}
	free(buf);
}

/* A newer program's larger struct using a field we do not know: E2BIG. */
TEST_F(dev, handshake_larger_struct_nonzero_tail)
{
	static const __u32 where[] = { 24, 31, 63 };
	struct aspace_handshake *hs;
	unsigned char buf[64];
	unsigned int i;

	hs = (struct aspace_handshake *)buf;
	for (i = 0; i < ARRAY_SIZE(where); i++) {
		memset(buf, 0, sizeof(buf));
		hs->size = sizeof(buf);
		hs->api_version = ASPACE_API_VERSION;
		buf[where[i]] = 1;
		EXPECT_EQ(-E2BIG, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE,
					       hs)) {
			TH_LOG("nonzero byte at %u", where[i]);
		}
	}
}

/* Bytes past @size are neither read nor written. */
TEST_F(dev, handshake_size_honoured)
{
	struct aspace_handshake *hs;
	unsigned char buf[64];
	unsigned int j;

	memset(buf, 0xa5, sizeof(buf));
	hs = (struct aspace_handshake *)buf;
	hs->size = sizeof(*hs);
	hs->api_version = ASPACE_API_VERSION;
	hs->features = 0;
	hs->reserved = 0;
	ASSERT_EQ(0, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, hs));
	EXPECT_EQ(ASPACE_API_VERSION, hs->api_version);
	for (j = sizeof(*hs); j < sizeof(buf); j++)
		if (buf[j] != 0xa5)
			break;
	EXPECT_EQ(sizeof(buf), j) {
		TH_LOG("byte %u past the struct changed", j);
	}
}

/* A size that reaches past the caller's memory: the tail cannot be read. */
TEST_F(dev, handshake_size_past_mapping)
{
	long page = sysconf(_SC_PAGESIZE);
	struct aspace_handshake *hs;
	char *p;

	p = map_guarded_page();
	ASSERT_NE(NULL, p);
	hs = (struct aspace_handshake *)p;
	hs->size = page + 8;
	hs->api_version = ASPACE_API_VERSION;
	EXPECT_EQ(-EFAULT, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, hs));
	hs->size = ~0U;
	EXPECT_EQ(-EFAULT, aspace_ioctl(self->fd, ASPACE_IOC_HANDSHAKE, hs));
	munmap(p, 2 * page);
}

/*
 * A program built with a newer header has a larger struct, so the size
 * encoded in its ioctl number differs: the number still works.
 */
TEST_F(dev, handshake_ioctl_number_of_newer_header)
{
	unsigned char buf[40] = { 0 };
	struct aspace_handshake *hs = (struct aspace_handshake *)buf;

	hs->size = sizeof(buf);
	hs->api_version = ASPACE_API_VERSION;
	EXPECT_EQ(0, aspace_ioctl(self->fd,
				  _IOC(_IOC_READ | _IOC_WRITE, ASPACE_IOC_MAGIC,
				       0, sizeof(buf)), hs));
	EXPECT_EQ(ASPACE_API_VERSION, hs->api_version);
	EXPECT_NE(0, hs->features);
}

TEST_F(dev, unknown_ioctl_on_our_magic)
{
	struct aspace_handshake hs = {
		.size = sizeof(hs),
		.api_version = ASPACE_API_VERSION,
	};

	/* Numbers far past the table. */
	EXPECT_EQ(-ENOTTY, aspace_ioctl(self->fd,
					_IOWR(ASPACE_IOC_MAGIC, 0xff,
					      struct aspace_handshake), &hs));
	EXPECT_EQ(-ENOTTY, aspace_ioctl(self->fd,
					_IOWR(ASPACE_IOC_MAGIC, 0x80,
					      struct aspace_handshake), &hs));
	/* The handshake number with the wrong direction. */
	EXPECT_EQ(-ENOTTY, aspace_ioctl(self->fd,
					_IOR(ASPACE_IOC_MAGIC, 0,
					     struct aspace_handshake), &hs));
	EXPECT_EQ(-ENOTTY, aspace_ioctl(self->fd,
					_IOW(ASPACE_IOC_MAGIC, 0,
					     struct aspace_handshake), &hs));
	EXPECT_EQ(-ENOTTY, aspace_ioctl(self->fd, _IO(ASPACE_IOC_MAGIC, 0),
					&hs));
}

TEST_F(dev, unknown_ioctl_on_foreign_magic)
{
	struct aspace_handshake hs = {
		.size = sizeof(hs),
		.api_version = ASPACE_API_VERSION,
	};
	struct termios tio;

	EXPECT_EQ(-ENOTTY, aspace_ioctl(self->fd,
					_IOWR('X', 0, struct aspace_handshake),
					&hs));
	EXPECT_EQ(-ENOTTY, aspace_ioctl(self->fd,
					_IOWR(ASPACE_IOC_MAGIC + 1, 0,
					      struct aspace_handshake), &hs));
	EXPECT_EQ(-ENOTTY, aspace_ioctl(self->fd, TCGETS, &tio));
}

/* Every open descriptor pins the module; closing releases it. */
TEST(module_refcount_follows_descriptors)
{
	long long base;
	int fds[3];
	int i;

	base = module_refcnt();
	ASSERT_LE(0, base);
	for (i = 0; i < 3; i++) {
		fds[i] = aspace_open(0);
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(base + 3, module_refcnt());
	for (i = 0; i < 3; i++)
		aspace_close(fds[i]);
	EXPECT_EQ(base, module_refcnt());
}

TEST(page_counters_return_to_zero)
{
	int fds[8];
	int i;

	for (i = 0; i < 8; i++) {
		fds[i] = aspace_open(0);
		ASSERT_LE(0, fds[i]);
	}
	/* Each address space has its root page table. */
	EXPECT_LE(8, read_number(SYSFS_DIR "/pages_pgtable"));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, aspace_close(fds[i]));
	EXPECT_EQ(0, read_number(SYSFS_DIR "/pages_data"));
	EXPECT_EQ(0, read_number(SYSFS_DIR "/pages_pgtable"));
}

/*
 * Unloading the module while a descriptor is open must be refused.  The
 * call is made only with a descriptor open: this test never unloads the
 * module (unless the module is broken).  Its fixture is the last one, so
 * that a broken module fails this test after all the others ran.
 */
FIXTURE(unload) {
	int fd;
};

FIXTURE_SETUP(unload)
{
	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_handshake(self->fd, NULL, NULL));
}

FIXTURE_TEARDOWN(unload)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(unload, refused_while_open)
{
	int ret, err;

	ASSERT_LE(0, self->fd);
	ret = syscall(SYS_delete_module, "aspace", O_NONBLOCK);
	err = errno;
	EXPECT_EQ(-1, ret) {
		TH_LOG("the module was unloaded with a descriptor open");
	}
	if (ret == -1) {
		EXPECT_TRUE(err == EWOULDBLOCK || err == EBUSY) {
			TH_LOG("delete_module: %s", strerror(err));
		}
	}
	/* The descriptor still works. */
	EXPECT_EQ(0, aspace_handshake(self->fd, NULL, NULL));
}

TEST_HARNESS_MAIN
