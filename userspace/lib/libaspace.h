/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libaspace: a small C library over the ioctls of /dev/aspace.
 *
 * Every function returns 0 (or a descriptor) on success and a negative
 * errno on failure; errno is set too.  Out-parameters are written only on
 * success.  Structs passed in are copied: the library sets their @size and
 * leaves everything else as the caller filled it, so a caller who zeroes a
 * struct first gets zero reserved fields.
 */
#ifndef _LIBASPACE_H
#define _LIBASPACE_H

#include <linux/aspace.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ASPACE_DEV_PATH		"/dev/aspace"

/* Number of ASPACE_FEATURE_* bits this library knows by name. */
#define ASPACE_NR_FEATURES	20

/**
 * aspace_open() - open /dev/aspace, a new empty address space
 * @flags: extra open(2) flags; O_RDWR and O_CLOEXEC are always set
 *
 * Return: the descriptor, or a negative errno.
 */
int aspace_open(int flags);

/**
 * aspace_open_path() - like aspace_open(), on another device node
 * @path: the device node
 * @flags: extra open(2) flags; O_RDWR and O_CLOEXEC are always set
 */
int aspace_open_path(const char *path, int flags);

/** aspace_close() - close(2) that returns 0 or a negative errno */
int aspace_close(int fd);

/**
 * aspace_ioctl() - ioctl(2) that returns 0 or a negative errno
 * @fd: the descriptor
 * @cmd: an ASPACE_IOC_* number (or any other)
 * @arg: its struct, @size already set
 */
int aspace_ioctl(int fd, unsigned long cmd, void *arg);

/**
 * aspace_handshake() - ASPACE_IOC_HANDSHAKE with ASPACE_API_VERSION
 * @fd: the descriptor
 * @api_version: out (may be NULL): the version the module speaks
 * @features: out (may be NULL): ASPACE_FEATURE_* bits the module has
 */
int aspace_handshake(int fd, __u32 *api_version, __u64 *features);

/**
 * aspace_feature_name() - name of a feature bit
 * @bit: bit number, 0 for ASPACE_FEATURE_MMAP
 *
 * Return: a lower-case name such as "mmap", or NULL for an unknown bit.
 */
const char *aspace_feature_name(unsigned int bit);

/**
 * aspace_mmap() - ASPACE_IOC_MMAP
 * @fd: the descriptor
 * @addr: the hint, or the address with MAP_FIXED / MAP_FIXED_NOREPLACE
 * @length: bytes to map
 * @prot: ASPACE_PROT_* bits
 * @flags: ASPACE_MAP_* bits
 * @mapped: out (may be NULL): the address mapped
 */
int aspace_mmap(int fd, __u64 addr, __u64 length, __u32 prot, __u32 flags,
		__u64 *mapped);

/** aspace_munmap() - ASPACE_IOC_MUNMAP of [@addr, @addr + @length) */
int aspace_munmap(int fd, __u64 addr, __u64 length);

/** aspace_mprotect() - ASPACE_IOC_MPROTECT of [@addr, @addr + @length) */
int aspace_mprotect(int fd, __u64 addr, __u64 length, __u32 prot);

/**
 * aspace_brk() - ASPACE_IOC_BRK
 * @fd: the descriptor
 * @brk: the requested break; 0 (or anything below the heap) just queries
 * @result: out (may be NULL): the break now in force
 */
int aspace_brk(int fd, __u64 brk, __u64 *result);

/**
 * aspace_clone() - ASPACE_IOC_CLONE: copy the address space to a new fd
 * @fd: the descriptor
 * @flags: ASPACE_CLONE_* bits
 * @new_fd: out: the new descriptor
 */
int aspace_clone(int fd, __u32 flags, int *new_fd);

/**
 * aspace_query() - ASPACE_IOC_QUERY: the VMA at (or after) an address
 * @fd: the descriptor
 * @addr: the address asked about
 * @query_flags: ASPACE_QUERY_* bits
 * @out: out: the whole struct as the module filled it
 */
int aspace_query(int fd, __u64 addr, __u32 query_flags,
		 struct aspace_query *out);

/** aspace_get_layout() - ASPACE_IOC_GET_LAYOUT into @out */
int aspace_get_layout(int fd, struct aspace_layout *out);

/** aspace_set_layout() - ASPACE_IOC_SET_LAYOUT from @layout */
int aspace_set_layout(int fd, const struct aspace_layout *layout);

/** aspace_get_limits() - ASPACE_IOC_GET_LIMITS into @out */
int aspace_get_limits(int fd, struct aspace_limits *out);

/** aspace_set_limits() - ASPACE_IOC_SET_LIMITS from @limits */
int aspace_set_limits(int fd, const struct aspace_limits *limits);

/** aspace_stats() - ASPACE_IOC_STATS into @out */
int aspace_stats(int fd, struct aspace_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* _LIBASPACE_H */
