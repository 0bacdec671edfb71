/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * aspace: private x86_64 address spaces behind /dev/aspace.
 *
 * Every open() of /dev/aspace creates an empty address space.  The ioctls
 * below mirror mmap(2), munmap(2), mprotect(2), brk(2), madvise(2) and a
 * fork-like clone on it.  pread(2)/pwrite(2) on the descriptor read and
 * write its memory, the file offset being the virtual address, with the
 * rules of /proc/PID/mem.
 *
 * Rules every struct here follows:
 *  - it starts with a __u32 @size that user space sets to sizeof(struct);
 *    a smaller size than the first version of the struct is EINVAL, a
 *    larger one is accepted only if the bytes the kernel does not know are
 *    zero (E2BIG otherwise);
 *  - reserved fields and unknown flag bits must be zero (EINVAL);
 *  - output is written back for min(@size, kernel size) bytes, every byte
 *    of it set by the kernel.
 */
#ifndef _UAPI_LINUX_ASPACE_H
#define _UAPI_LINUX_ASPACE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define ASPACE_API_VERSION	1

/* ioctl magic: unassigned in ioctl-number.rst of Linux 6.1 and 6.12. */
#define ASPACE_IOC_MAGIC	0xA8

/* Feature bits reported by ASPACE_IOC_HANDSHAKE. */
#define ASPACE_FEATURE_MMAP		(0x1ULL)
#define ASPACE_FEATURE_MUNMAP		(0x2ULL)
#define ASPACE_FEATURE_MPROTECT		(0x4ULL)
#define ASPACE_FEATURE_BRK		(0x8ULL)
#define ASPACE_FEATURE_CLONE		(0x10ULL)
#define ASPACE_FEATURE_QUERY		(0x20ULL)
#define ASPACE_FEATURE_LAYOUT		(0x40ULL)
#define ASPACE_FEATURE_LIMITS		(0x80ULL)
#define ASPACE_FEATURE_STATS		(0x100ULL)
#define ASPACE_FEATURE_LA57		(0x200ULL)
#define ASPACE_FEATURE_RW		(0x400ULL)	/* pread/pwrite */
#define ASPACE_FEATURE_ACCESS		(0x800ULL)
#define ASPACE_FEATURE_MADVISE		(0x1000ULL)
#define ASPACE_FEATURE_COW		(0x2000ULL)	/* copy-on-write clone */
#define ASPACE_FEATURE_STACK_GROWS	(0x4000ULL)

/**
 * struct aspace_handshake - ASPACE_IOC_HANDSHAKE
 * @size: sizeof(struct aspace_handshake)
 * @api_version: in: the version the caller speaks, 1..ASPACE_API_VERSION;
 *	out: the version the module speaks
 * @features: out: ASPACE_FEATURE_* bits the module supports
 * @reserved: must be zero
 */
struct aspace_handshake {
	__u32 size;
	__u32 api_version;
	__aligned_u64 features;
	__aligned_u64 reserved;
};

/* mmap prot and flag values are those of <linux/mman.h>. */
#define ASPACE_PROT_READ		0x1
#define ASPACE_PROT_WRITE		0x2
#define ASPACE_PROT_EXEC		0x4

#define ASPACE_MAP_SHARED		0x01
#define ASPACE_MAP_PRIVATE		0x02
#define ASPACE_MAP_FIXED		0x10
#define ASPACE_MAP_ANONYMOUS		0x20
#define ASPACE_MAP_POPULATE		0x8000
#define ASPACE_MAP_FIXED_NOREPLACE	0x100000

/**
 * struct aspace_mmap - ASPACE_IOC_MMAP
 * @size: sizeof(struct aspace_mmap)
 * @prot: ASPACE_PROT_* (PROT_* of <linux/mman.h>)
 * @flags: exactly one of MAP_SHARED, MAP_PRIVATE, plus MAP_FIXED,
 *	MAP_FIXED_NOREPLACE, MAP_POPULATE, MAP_ANONYMOUS (implied)
 * @reserved: must be zero
 * @addr: in: the hint or fixed address; out: the address mapped
 * @length: bytes to map; rounded up to a page
 */
struct aspace_mmap {
	__u32 size;
	__u32 prot;
	__u32 flags;
	__u32 reserved;
	__aligned_u64 addr;
	__aligned_u64 length;
};

/**
 * struct aspace_range - ASPACE_IOC_MUNMAP and ASPACE_IOC_MPROTECT
 * @size: sizeof(struct aspace_range)
 * @prot: mprotect: new ASPACE_PROT_* bits; munmap: must be zero
 * @addr: page-aligned start
 * @length: bytes; rounded up to a page
 */
struct aspace_range {
	__u32 size;
	__u32 prot;
	__aligned_u64 addr;
	__aligned_u64 length;
};

/**
 * struct aspace_brk - ASPACE_IOC_BRK
 * @size: sizeof(struct aspace_brk)
 * @reserved: must be zero
 * @brk: in: the requested break (below the heap start: a query);
 *	out: the break now in force, as brk(2) returns it
 */
struct aspace_brk {
	__u32 size;
	__u32 reserved;
	__aligned_u64 brk;
};

/* ASPACE_IOC_CLONE flags */
#define ASPACE_CLONE_NOCLOEXEC	0x1	/* new fd without O_CLOEXEC */
#define ASPACE_CLONE_EAGER	0x2	/* copy private pages now, not on write */

/**
 * struct aspace_clone - ASPACE_IOC_CLONE
 * @size: sizeof(struct aspace_clone)
 * @flags: ASPACE_CLONE_*
 * @fd: out: the new descriptor
 * @reserved: must be zero
 */
struct aspace_clone {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 reserved;
};

/* ASPACE_IOC_QUERY query_flags */
#define ASPACE_QUERY_COVERING_OR_NEXT	0x1

/* vma_flags reported by ASPACE_IOC_QUERY */
#define ASPACE_VMA_READ		(0x1ULL)
#define ASPACE_VMA_WRITE	(0x2ULL)
#define ASPACE_VMA_EXEC		(0x4ULL)
#define ASPACE_VMA_SHARED	(0x8ULL)
#define ASPACE_VMA_HEAP		(0x10ULL)	/* the brk heap */
#define ASPACE_VMA_STACK	(0x20ULL)	/* the stack; grows down */
#define ASPACE_VMA_DONTFORK	(0x40ULL)	/* MADV_DONTFORK ("dc") */
#define ASPACE_VMA_WIPEONFORK	(0x80ULL)	/* MADV_WIPEONFORK ("wf") */

/**
 * struct aspace_query - ASPACE_IOC_QUERY, like PROCMAP_QUERY of Linux 6.11
 * @size: sizeof(struct aspace_query)
 * @query_flags: ASPACE_QUERY_*; without COVERING_OR_NEXT only a VMA
 *	covering @query_addr is returned (ENOENT otherwise)
 * @query_addr: the address asked about
 * @vma_start: out: first byte of the VMA
 * @vma_end: out: one past its last byte
 * @vma_flags: out: ASPACE_VMA_*
 * @vma_page_offset: out: offset of @vma_start in its backing object, in
 *	bytes (shared mappings; 0 for private ones, like anonymous memory)
 * @vma_id: out: identity of the mapping's backing object (shared
 *	mappings only, 0 otherwise), like the inode field of /proc/PID/maps
 */
struct aspace_query {
	__u32 size;
	__u32 query_flags;
	__aligned_u64 query_addr;
	__aligned_u64 vma_start;
	__aligned_u64 vma_end;
	__aligned_u64 vma_flags;
	__aligned_u64 vma_page_offset;
	__aligned_u64 vma_id;
};

/* struct aspace_layout flags */
#define ASPACE_LAYOUT_LA57	0x1	/* 5-level paging, 56-bit */
#define ASPACE_LAYOUT_LEGACY	0x2	/* bottom-up mmap search */
#define ASPACE_LAYOUT_STACK	0x4	/* map a stack at the top */

/**
 * struct aspace_layout - ASPACE_IOC_GET_LAYOUT, ASPACE_IOC_SET_LAYOUT
 * @size: sizeof(struct aspace_layout)
 * @flags: ASPACE_LAYOUT_*
 * @mmap_min_addr: lowest address mmap may use (page aligned; at least
 *	one page, so page 0 is never mapped)
 * @mmap_base: top of the top-down search, or bottom of the legacy one
 * @heap_start: where the brk heap starts (page aligned)
 * @stack_size: bytes the stack VMA starts with (page aligned; with
 *	LAYOUT_STACK); it grows down on faults below it, up to the
 *	stack_bytes limit
 * @stack_guard_gap: bytes kept free below the stack by mmap and brk
 * @task_size: out: one past the highest user address (ignored on set)
 *
 * SET_LAYOUT works only on an address space with no mapping (EBUSY
 * otherwise).  Zero in @mmap_min_addr, @mmap_base, @heap_start,
 * @stack_size or @stack_guard_gap asks for the Linux default for the
 * chosen paging mode.
 */
struct aspace_layout {
	__u32 size;
	__u32 flags;
	__aligned_u64 mmap_min_addr;
	__aligned_u64 mmap_base;
	__aligned_u64 heap_start;
	__aligned_u64 stack_size;
	__aligned_u64 stack_guard_gap;
	__aligned_u64 task_size;
};

#define ASPACE_LIMIT_INFINITY	(~0ULL)

/**
 * struct aspace_limits - ASPACE_IOC_GET_LIMITS, ASPACE_IOC_SET_LIMITS
 * @size: sizeof(struct aspace_limits)
 * @reserved: must be zero
 * @max_map_count: most VMAs, like vm.max_map_count (1..INT_MAX); above
 *	both its current value and the module's max_map_count parameter
 *	only with CAP_SYS_RESOURCE (EPERM)
 * @as_bytes: most mapped bytes, like RLIMIT_AS
 * @data_bytes: most heap and private writable bytes, like RLIMIT_DATA
 * @resident_bytes: most bytes of allocated data pages; above both its
 *	current value and the module's resident_max_bytes parameter only
 *	with CAP_SYS_RESOURCE (EPERM)
 * @stack_bytes: most bytes the stack may grow to, like RLIMIT_STACK
 *	(default 8 MiB; added in the memory release, 0 from older user
 *	space keeps the current value)
 */
struct aspace_limits {
	__u32 size;
	__u32 reserved;
	__aligned_u64 max_map_count;
	__aligned_u64 as_bytes;
	__aligned_u64 data_bytes;
	__aligned_u64 resident_bytes;
	__aligned_u64 stack_bytes;
};

/**
 * struct aspace_stats - ASPACE_IOC_STATS
 * @size: sizeof(struct aspace_stats)
 * @reserved: must be zero
 * @nr_vmas: VMAs in the address space
 * @mapped_bytes: bytes covered by VMAs (total_vm)
 * @data_bytes: heap and private writable bytes (data_vm)
 * @resident_pages: data pages mapped (the zero page is not counted)
 * @shared_pages: resident pages also mapped by another address space
 * @pgtable_pages: page-table pages per level, in the x86 names: [0] page
 *	tables (PT), [1] page directories (PD), [2] PDPTs, [3] PML4s, [4] the
 *	PML5 (5-level only); the root is always there and counts 1
 * @faults: page faults resolved: a page mapped, or its entry made
 *	writable, on an access, a pread/pwrite, MAP_POPULATE or
 *	MADV_POPULATE_*
 * @cow_breaks: copy-on-write copies made (a write to a page shared with
 *	a clone); replacing the zero page or reusing a page no longer
 *	shared is not a copy
 * @zero_page_maps: times a read fault mapped the shared zero page
 */
struct aspace_stats {
	__u32 size;
	__u32 reserved;
	__aligned_u64 nr_vmas;
	__aligned_u64 mapped_bytes;
	__aligned_u64 data_bytes;
	__aligned_u64 resident_pages;
	__aligned_u64 shared_pages;
	__aligned_u64 pgtable_pages[5];
	__aligned_u64 faults;
	__aligned_u64 cow_breaks;
	__aligned_u64 zero_page_maps;
};

/* struct aspace_access kinds: what a user-mode instruction does */
#define ASPACE_ACCESS_READ	0	/* a load */
#define ASPACE_ACCESS_WRITE	1	/* a store */
#define ASPACE_ACCESS_EXEC	2	/* an instruction fetch */

/**
 * struct aspace_access - ASPACE_IOC_ACCESS: a simulated user-mode access
 * @size: sizeof(struct aspace_access)
 * @kind: ASPACE_ACCESS_*
 * @addr: first byte accessed
 * @length: bytes accessed, from @addr up (0 does nothing)
 * @buf: user pointer: where a read or fetch puts the bytes, or where a
 *	write takes them from; 0 only touches every page of the range (a
 *	write then stores nothing, but faults as a store would)
 * @done: out: bytes accessed before the fault (@length if none)
 * @fault_addr: out: the first byte that faulted (si_addr), 0 if none
 * @signo: out: 0 if the whole range was accessed, else the signal the
 *	process would get: SIGSEGV
 * @si_code: out: SEGV_MAPERR (no VMA there) or SEGV_ACCERR (the VMA's
 *	protection forbids the access), as x86_64 Linux's page-fault path
 *	reports them; 0 if no fault
 *
 * The out fields (@done, @fault_addr, @signo, @si_code) must be zero on
 * input (EINVAL otherwise), so they can carry input in a later version.
 */
struct aspace_access {
	__u32 size;
	__u32 kind;
	__aligned_u64 addr;
	__aligned_u64 length;
	__aligned_u64 buf;
	__aligned_u64 done;
	__aligned_u64 fault_addr;
	__s32 signo;
	__s32 si_code;
};

/**
 * struct aspace_madvise - ASPACE_IOC_MADVISE, madvise(2)
 * @size: sizeof(struct aspace_madvise)
 * @advice: MADV_* of <linux/mman.h>: MADV_DONTNEED, MADV_POPULATE_READ,
 *	MADV_POPULATE_WRITE, MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK,
 *	MADV_KEEPONFORK
 * @addr: page-aligned start
 * @length: bytes; rounded up to a page
 */
struct aspace_madvise {
	__u32 size;
	__u32 advice;
	__aligned_u64 addr;
	__aligned_u64 length;
};

#define ASPACE_IOC_HANDSHAKE	_IOWR(ASPACE_IOC_MAGIC, 0x00, struct aspace_handshake)
#define ASPACE_IOC_MMAP		_IOWR(ASPACE_IOC_MAGIC, 0x01, struct aspace_mmap)
#define ASPACE_IOC_MUNMAP	_IOW(ASPACE_IOC_MAGIC, 0x02, struct aspace_range)
#define ASPACE_IOC_MPROTECT	_IOW(ASPACE_IOC_MAGIC, 0x03, struct aspace_range)
#define ASPACE_IOC_BRK		_IOWR(ASPACE_IOC_MAGIC, 0x04, struct aspace_brk)
#define ASPACE_IOC_CLONE	_IOWR(ASPACE_IOC_MAGIC, 0x05, struct aspace_clone)
#define ASPACE_IOC_QUERY	_IOWR(ASPACE_IOC_MAGIC, 0x06, struct aspace_query)
#define ASPACE_IOC_GET_LAYOUT	_IOWR(ASPACE_IOC_MAGIC, 0x07, struct aspace_layout)
#define ASPACE_IOC_SET_LAYOUT	_IOW(ASPACE_IOC_MAGIC, 0x08, struct aspace_layout)
#define ASPACE_IOC_GET_LIMITS	_IOWR(ASPACE_IOC_MAGIC, 0x09, struct aspace_limits)
#define ASPACE_IOC_SET_LIMITS	_IOW(ASPACE_IOC_MAGIC, 0x0a, struct aspace_limits)
#define ASPACE_IOC_STATS	_IOWR(ASPACE_IOC_MAGIC, 0x0b, struct aspace_stats)
#define ASPACE_IOC_ACCESS	_IOWR(ASPACE_IOC_MAGIC, 0x0c, struct aspace_access)
#define ASPACE_IOC_MADVISE	_IOW(ASPACE_IOC_MAGIC, 0x0d, struct aspace_madvise)

#endif /* _UAPI_LINUX_ASPACE_H */
