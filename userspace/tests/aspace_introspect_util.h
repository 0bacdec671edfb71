/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the introspection tests (TRANSLATE, PTDUMP, PAGESCAN,
 * CLEAR_REFS, fdinfo, tracepoints): ioctl wrappers returning 0 or
 * -errno, and dropping CAP_SYS_ADMIN in a child.
 *
 * Include after kselftest_harness.h and aspace_mem_util.h.
 */
#ifndef _ASPACE_INTROSPECT_UTIL_H
#define _ASPACE_INTROSPECT_UTIL_H

#include <linux/capability.h>

/* Entry bits every table (non-leaf) entry carries. */
#define PTE_TABLE	(ASPACE_PTE_PRESENT | ASPACE_PTE_RW | \
			 ASPACE_PTE_USER | ASPACE_PTE_ACCESSED)
/* A leaf's bits: writable, read-only, the zero page. */
#define PTE_RW		(ASPACE_PTE_PRESENT | ASPACE_PTE_RW | \
			 ASPACE_PTE_USER | ASPACE_PTE_NX)
#define PTE_RO		(ASPACE_PTE_PRESENT | ASPACE_PTE_USER | ASPACE_PTE_NX)
#define PTE_AD		(ASPACE_PTE_ACCESSED | ASPACE_PTE_DIRTY)
#define PTE_FLAGS(e)	((e) & ~ASPACE_PTE_FRAME_MASK)
#define PTE_FRAME(e)	((e) & ASPACE_PTE_FRAME_MASK)

/* ASPACE_IOC_TRANSLATE of @addr into @t: 0 or -errno. */
static inline int translate(int fd, __u64 addr, struct aspace_translate *t)
{
	memset(t, 0, sizeof(*t));
	t->size = sizeof(*t);
	t->addr = addr;
	return aspace_ioctl(fd, ASPACE_IOC_TRANSLATE, t);
}

/* The leaf entry of @addr (0 if none), or ~0 if TRANSLATE failed. */
static inline __u64 leaf_entry(int fd, __u64 addr)
{
	struct aspace_translate t;

	if (translate(fd, addr, &t))
		return ~0ULL;
	return t.level == 0 ? t.entries[0] : 0;
}

/*
 * Drop CAP_SYS_ADMIN from the effective, permitted and inheritable sets
 * of the calling process (a forked child): 0 or -errno.
 */
static inline int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	unsigned int i = CAP_SYS_ADMIN / 32;
	__u32 bit = 1U << (CAP_SYS_ADMIN % 32);

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[i].effective &= ~bit;
	data[i].permitted &= ~bit;
	data[i].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

#endif /* _ASPACE_INTROSPECT_UTIL_H */
