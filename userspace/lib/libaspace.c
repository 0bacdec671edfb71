// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libaspace: thin wrappers over the ioctls of /dev/aspace.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

int aspace_madvise(int fd, __u64 addr, __u64 length, __u32 advice)
{
	struct aspace_madvise arg = {
		.size = sizeof(arg),
		.advice = advice,
		.addr = addr,
		.length = length,
	};

	return aspace_ioctl(fd, ASPACE_IOC_MADVISE, &arg);
}

int aspace_access(int fd, __u32 kind, __u64 addr, __u64 length, void *buf,
		  struct aspace_access *out)
{
	struct aspace_access arg = {
		.size = sizeof(arg),
		.kind = kind,
		.addr = addr,
		.length = length,
		.buf = (__u64)(uintptr_t)buf,
	};
	int ret;

	ret = aspace_ioctl(fd, ASPACE_IOC_ACCESS, &arg);
	if (ret)
		return ret;
	if (out)
		*out = arg;
	return 0;
}

/* The offset of pread(2)/pwrite(2) is signed: addresses from 2^63 fail. */
static ssize_t aspace_rw(int fd, __u64 addr, void *rbuf, const void *wbuf,
			 size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n;

		if (addr + done > (__u64)INT64_MAX) {
			errno = EINVAL;
			n = -1;
		} else if (rbuf) {
			n = pread(fd, (char *)rbuf + done, len - done,
				  (off_t)(addr + done));
		} else {
			n = pwrite(fd, (const char *)wbuf + done, len - done,
				   (off_t)(addr + done));
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (done)
				break;
			return -errno;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

ssize_t aspace_read(int fd, __u64 addr, void *buf, size_t len)
{
	return aspace_rw(fd, addr, buf, NULL, len);
}

ssize_t aspace_write(int fd, __u64 addr, const void *buf, size_t len)
{
	return aspace_rw(fd, addr, NULL, buf, len);
}

int aspace_vma_next(int fd, __u64 addr, struct aspace_query *out)
{
	return aspace_query(fd, addr, ASPACE_QUERY_COVERING_OR_NEXT, out);
}

int aspace_walk_vmas(int fd, aspace_vma_fn_t fn, void *arg)
{
	struct aspace_query q;
	__u64 addr = 0;
	int ret;

	for (;;) {
		ret = aspace_vma_next(fd, addr, &q);
		if (ret == -ENOENT)
			return 0;
		if (ret)
			return ret;
		ret = fn(&q, arg);
		if (ret)
			return ret;
		addr = q.vma_end;
	}
}

const char *aspace_vma_name(const struct aspace_query *q)
{
	if (q->vma_flags & ASPACE_VMA_HEAP)
		return "[heap]";
	if (q->vma_flags & ASPACE_VMA_STACK)
		return "[stack]";
	if (q->vma_flags & ASPACE_VMA_SHARED)
		return "/dev/zero (deleted)";
	return "";
}

/*
 * Linux's show_map_vma(): the fields up to the inode and a space, padded
 * to 72 columns when a name follows, then one more space and the name.
 */
#define MAPS_NAME_PAD	72

int aspace_maps_line(const struct aspace_query *q, char *buf, size_t size)
{
	const char *name = aspace_vma_name(q);
	bool shared = q->vma_flags & ASPACE_VMA_SHARED;
	char head[ASPACE_MAPS_LINE_MAX];

	snprintf(head, sizeof(head), "%08llx-%08llx %c%c%c%c %08llx %s %llu ",
		 (unsigned long long)q->vma_start,
		 (unsigned long long)q->vma_end,
		 q->vma_flags & ASPACE_VMA_READ ? 'r' : '-',
		 q->vma_flags & ASPACE_VMA_WRITE ? 'w' : '-',
		 q->vma_flags & ASPACE_VMA_EXEC ? 'x' : '-',
		 shared ? 's' : 'p',
		 shared ? (unsigned long long)q->vma_page_offset : 0ULL,
		 shared ? ASPACE_MAPS_SHM_DEV : "00:00",
		 shared ? (unsigned long long)q->vma_id : 0ULL);
	if (!*name)
		return snprintf(buf, size, "%s", head);
	return snprintf(buf, size, "%-*s %s", MAPS_NAME_PAD, head, name);
}
