// SPDX-License-Identifier: GPL-2.0
/*
 * libaspace: thin wrappers over the ioctls of /dev/aspace.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libaspace.h"

/* mmap's prot and flag values are those of <sys/mman.h>. */
static_assert(ASPACE_PROT_READ == PROT_READ, "PROT_READ");
static_assert(ASPACE_PROT_WRITE == PROT_WRITE, "PROT_WRITE");
static_assert(ASPACE_PROT_EXEC == PROT_EXEC, "PROT_EXEC");
static_assert(ASPACE_MAP_SHARED == MAP_SHARED, "MAP_SHARED");
static_assert(ASPACE_MAP_PRIVATE == MAP_PRIVATE, "MAP_PRIVATE");
static_assert(ASPACE_MAP_FIXED == MAP_FIXED, "MAP_FIXED");
static_assert(ASPACE_MAP_ANONYMOUS == MAP_ANONYMOUS, "MAP_ANONYMOUS");
static_assert(ASPACE_MAP_POPULATE == MAP_POPULATE, "MAP_POPULATE");
static_assert(ASPACE_MAP_FIXED_NOREPLACE == MAP_FIXED_NOREPLACE,
	      "MAP_FIXED_NOREPLACE");

static const char * const aspace_feature_names[ASPACE_NR_FEATURES] = {
	"mmap", "munmap", "mprotect", "brk", "clone",
	"query", "layout", "limits", "stats", "la57", "rw", "access", "madvise",
	"cow", "stack_grows", "translate", "fdinfo", "ptdump", "pagescan",
	"trace",
};

int aspace_open_path(const char *path, int flags)
{
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	return fd;
}

int aspace_open(int flags)
{
	return aspace_open_path(ASPACE_DEV_PATH, flags);
}

int aspace_close(int fd)
{
	if (close(fd))
		return -errno;
	return 0;
}

int aspace_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (ioctl(fd, cmd, arg) < 0)
		return -errno;
	return 0;
}

const char *aspace_feature_name(unsigned int bit)
{
	if (bit >= ASPACE_NR_FEATURES)
		return NULL;
	return aspace_feature_names[bit];
}

int aspace_handshake(int fd, __u32 *api_version, __u64 *features)
{
	struct aspace_handshake hs = {
		.size = sizeof(hs),
		.api_version = ASPACE_API_VERSION,
	};
	int ret;

	ret = aspace_ioctl(fd, ASPACE_IOC_HANDSHAKE, &hs);
	if (ret)
		return ret;
	if (api_version)
		*api_version = hs.api_version;
	if (features)
		*features = hs.features;
	return 0;
}

int aspace_mmap(int fd, __u64 addr, __u64 length, __u32 prot, __u32 flags,
		__u64 *mapped)
{
	struct aspace_mmap arg = {
		.size = sizeof(arg),
		.prot = prot,
		.flags = flags,
		.addr = addr,
		.length = length,
	};
	int ret;

	ret = aspace_ioctl(fd, ASPACE_IOC_MMAP, &arg);
	if (ret)
		return ret;
	if (mapped)
		*mapped = arg.addr;
	return 0;
}

int aspace_munmap(int fd, __u64 addr, __u64 length)
{
	struct aspace_range arg = {
		.size = sizeof(arg),
		.addr = addr,
		.length = length,
	};

	return aspace_ioctl(fd, ASPACE_IOC_MUNMAP, &arg);
}

int aspace_mprotect(int fd, __u64 addr, __u64 length, __u32 prot)
{
	struct aspace_range arg = {
		.size = sizeof(arg),
		.prot = prot,
		.addr = addr,
		.length = length,
	};

	return aspace_ioctl(fd, ASPACE_IOC_MPROTECT, &arg);
}

int aspace_brk(int fd, __u64 brk, __u64 *result)
{
	struct aspace_brk arg = {
		.size = sizeof(arg),
		.brk = brk,
	};
	int ret;

	ret = aspace_ioctl(fd, ASPACE_IOC_BRK, &arg);
	if (ret)
		return ret;
	if (result)
		*result = arg.brk;
	return 0;
}

int aspace_clone(int fd, __u32 flags, int *new_fd)
{
	struct aspace_clone arg = {
		.size = sizeof(arg),
		.flags = flags,
		.fd = -1,
	};
	int ret;

	ret = aspace_ioctl(fd, ASPACE_IOC_CLONE, &arg);
	if (ret)
		return ret;
	*new_fd = arg.fd;
	return 0;
}

int aspace_query(int fd, __u64 addr, __u32 query_flags,
		 struct aspace_query *out)
{
	struct aspace_query arg = {
		.size = sizeof(arg),
		.query_flags = query_flags,
		.query_addr = addr,
	};
	int ret;

	ret = aspace_ioctl(fd, ASPACE_IOC_QUERY, &arg);
	if (ret)
		return ret;
	*out = arg;
	return 0;
}

int aspace_get_layout(int fd, struct aspace_layout *out)
{
	struct aspace_layout arg = { .size = sizeof(arg) };
	int ret;

	ret = aspace_ioctl(fd, ASPACE_IOC_GET_LAYOUT, &arg);
	if (ret)
		return ret;
	*out = arg;
	return 0;
}

int aspace_set_layout(int fd, const struct aspace_layout *layout)
{
	struct aspace_layout arg = *layout;

	arg.size = sizeof(arg);
	return aspace_ioctl(fd, ASPACE_IOC_SET_LAYOUT, &arg);
}

int aspace_get_limits(int fd, struct aspace_limits *out)
{
	struct aspace_limits arg = { .size = sizeof(arg) };
	int ret;

	ret = aspace_ioctl(fd, ASPACE_IOC_GET_LIMITS, &arg);
	if (ret)
		return ret;
	*out = arg;
	return 0;
}

int aspace_set_limits(int fd, const struct aspace_limits *limits)
{
	struct aspace_limits arg = *limits;

	arg.size = sizeof(arg);
	return aspace_ioctl(fd, ASPACE_IOC_SET_LIMITS, &arg);
}

int aspace_stats(int fd, struct aspace_stats *out)
{
	struct aspace_stats arg = { .size = sizeof(arg) };
	int ret;

	ret = aspace_ioctl(fd, ASPACE_IOC_STATS, &arg);
	if (ret)
		return ret;
	*out = arg;
	return 0;
}
