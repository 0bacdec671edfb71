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

/* ASPACE_IOC_PTDUMP into @vec (room for @len): 0 or -errno; @d the struct. */
static inline int ptdump(int fd, __u64 start, __u64 end, __u32 flags,
			 __u64 mask, struct aspace_ptdump_entry *vec,
			 __u64 len, struct aspace_ptdump *d)
{
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	d->flags = flags;
	d->start = start;
	d->end = end;
	d->mask = mask;
	d->vec = (uintptr_t)vec;
	d->vec_len = len;
	return aspace_ioctl(fd, ASPACE_IOC_PTDUMP, d);
}

/* ASPACE_IOC_PAGESCAN with the fields of @p as given: 0 or -errno. */
static inline int pagescan_raw(int fd, struct aspace_pagescan *p)
{
	p->size = sizeof(*p);
	return aspace_ioctl(fd, ASPACE_IOC_PAGESCAN, p);
}

/*
 * ASPACE_IOC_PAGESCAN of [@start, @end): pages whose categories have all
 * of @mask set, reported with @ret; into @vec (room for @len).  Return:
 * the number of regions, or -errno.
 */
static inline int pagescan(int fd, __u64 start, __u64 end, __u64 mask,
			   __u64 ret, struct aspace_page_region *vec,
			   __u64 len)
{
	struct aspace_pagescan p;
	int err;

	memset(&p, 0, sizeof(p));
	p.start = start;
	p.end = end;
	p.category_mask = mask;
	p.return_mask = ret;
	p.vec = (uintptr_t)vec;
	p.vec_len = len;
	err = pagescan_raw(fd, &p);
	return err ? err : (int)p.nr_regions;
}

/* ASPACE_IOC_CLEAR_REFS: 0 or -errno. */
static inline int clear_refs(int fd, __u64 start, __u64 end, __u32 flags)
{
	struct aspace_clear_refs c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = flags;
	c.start = start;
	c.end = end;
	return aspace_ioctl(fd, ASPACE_IOC_CLEAR_REFS, &c);
}

/*
 * The "mm:" line of @fd's /proc/self/fdinfo (the hashed pointer the
 * tracepoints print) into @buf of @size bytes: 0 or -1.
 */
static inline int fdinfo_mm(int fd, char *buf, size_t size)
{
	char path[64], line[256];
	int ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "mm:\t", 4))
			continue;
		line[strcspn(line, "\n")] = 0;
		if (strlen(line + 4) < size) {
			memcpy(buf, line + 4, strlen(line + 4) + 1);
			ret = 0;
		}
		break;
	}
	fclose(f);
	return ret;
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
