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
#define ASPACE_FEATURE_TRANSLATE	(0x8000ULL)
#define ASPACE_FEATURE_FDINFO		(0x10000ULL)	/* /proc/PID/fdinfo */
#define ASPACE_FEATURE_PTDUMP		(0x20000ULL)
#define ASPACE_FEATURE_PAGESCAN		(0x40000ULL)	/* and CLEAR_REFS */
#define ASPACE_FEATURE_TRACE		(0x80000ULL)	/* tracepoints */

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

/* struct aspace_translate status bits */
#define ASPACE_TRANSLATE_PRESENT	0x1	/* a present leaf maps @addr */
#define ASPACE_TRANSLATE_FRAMES		0x2	/* frames shown (CAP_SYS_ADMIN) */
#define ASPACE_TRANSLATE_ZERO_PAGE	0x4	/* the leaf maps the zero page */

/**
 * struct aspace_translate - ASPACE_IOC_TRANSLATE: one address, walked
 * @size: sizeof(struct aspace_translate)
 * @flags: must be zero
 * @addr: the address to translate (below the task size)
 * @entries: out: the entry the walk read at each level, indexed by level
 *	as @pgtable_pages of struct aspace_stats: [0] the page table (PT)
 *	entry, ... [levels - 1] the root's; levels the walk did not reach,
 *	and [4] with 4-level paging, are zero.  Frame bits (51:12) are zero
 *	unless @status has ASPACE_TRANSLATE_FRAMES
 * @tables: out: physical address of the table read at each level (0 if
 *	the walk did not reach it, or without ASPACE_TRANSLATE_FRAMES)
 * @phys: out: the physical address @addr translates to, if a present
 *	leaf maps it and frames are shown; else 0
 * @levels: out: 4 or 5
 * @level: out: level of the last entry read: the leaf's (0 for a 4 KiB
 *	page), or where the walk stopped at an entry that is not present
 * @status: out: ASPACE_TRANSLATE_*
 * @reserved: must be zero
 *
 * Frames are shown, as in /proc/PID/pagemap, only to a caller with
 * CAP_SYS_ADMIN, on a descriptor opened (or cloned) by a task that had it.
 */
struct aspace_translate {
	__u32 size;
	__u32 flags;
	__aligned_u64 addr;
	__aligned_u64 entries[5];
	__aligned_u64 tables[5];
	__aligned_u64 phys;
	__u32 levels;
	__u32 level;
	__u32 status;
	__u32 reserved;
};

/* Bits of the entries reported by TRANSLATE and PTDUMP: x86_64's. */
#define ASPACE_PTE_PRESENT	(0x1ULL)
#define ASPACE_PTE_RW		(0x2ULL)
#define ASPACE_PTE_USER		(0x4ULL)
#define ASPACE_PTE_PWT		(0x8ULL)
#define ASPACE_PTE_PCD		(0x10ULL)
#define ASPACE_PTE_ACCESSED	(0x20ULL)
#define ASPACE_PTE_DIRTY	(0x40ULL)
#define ASPACE_PTE_PSE		(0x80ULL)
#define ASPACE_PTE_GLOBAL	(0x100ULL)
#define ASPACE_PTE_COW		(0x200ULL)	/* software: copy on write */
#define ASPACE_PTE_PROTNONE	(0x400ULL)	/* software: PROT_NONE */
#define ASPACE_PTE_NX		(0x8000000000000000ULL)
#define ASPACE_PTE_FRAME_MASK	(0x000ffffffffff000ULL)

/**
 * struct aspace_ptdump_entry - one range of ASPACE_IOC_PTDUMP
 * @start: first address
 * @end: one past the last
 * @flags: the entries' bits (ASPACE_PTE_*) kept by the dump's @mask; 0
 *	for a hole (ASPACE_PTDUMP_HOLES)
 * @level: level of the entries (0: 4 KiB leaves; for a hole, the level of
 *	the entry that was empty)
 * @reserved: zero
 */
struct aspace_ptdump_entry {
	__aligned_u64 start;
	__aligned_u64 end;
	__aligned_u64 flags;
	__u32 level;
	__u32 reserved;
};

/* ASPACE_IOC_PTDUMP flags */
#define ASPACE_PTDUMP_HOLES	0x1	/* report empty entries too */

/**
 * struct aspace_ptdump - ASPACE_IOC_PTDUMP: the page tables, coalesced
 * @size: sizeof(struct aspace_ptdump)
 * @flags: ASPACE_PTDUMP_*
 * @start: first address (page aligned)
 * @end: one past the last (rounded up to a page; at most the task size)
 * @mask: which entry bits to report and to coalesce on; 0 means every
 *	bit but the frame
 * @vec: user pointer to @vec_len struct aspace_ptdump_entry
 * @vec_len: room in @vec
 * @nr_entries: out: entries written to @vec
 * @walk_end: out: where the dump stopped: @end if it is complete, else
 *	the address to resume from (the start of the first range that did
 *	not fit)
 * @pgtable_pages: out: page-table pages per level (as in struct
 *	aspace_stats) whose first address lies in [@start, @walk_end): the
 *	calls of a dump resumed from 0 to the end add up to the totals
 */
struct aspace_ptdump {
	__u32 size;
	__u32 flags;
	__aligned_u64 start;
	__aligned_u64 end;
	__aligned_u64 mask;
	__aligned_u64 vec;
	__aligned_u64 vec_len;
	__aligned_u64 nr_entries;
	__aligned_u64 walk_end;
	__aligned_u64 pgtable_pages[5];
};

/* Page categories of ASPACE_IOC_PAGESCAN, as PAGE_IS_* of PAGEMAP_SCAN */
#define ASPACE_PAGE_PRESENT	(0x1ULL)	/* mapped (PROT_NONE too) */
#define ASPACE_PAGE_ZERO	(0x2ULL)	/* the zero page */
#define ASPACE_PAGE_DIRTY	(0x4ULL)	/* written since the last clear */
#define ASPACE_PAGE_ACCESSED	(0x8ULL)	/* accessed since the last clear */
#define ASPACE_PAGE_COW_SHARED	(0x10ULL)	/* shared copy-on-write */
#define ASPACE_PAGE_EXCLUSIVE	(0x20ULL)	/* private, only this entry */
#define ASPACE_PAGE_SHM		(0x40ULL)	/* a MAP_SHARED object's page */
#define ASPACE_PAGE_WRITABLE	(0x80ULL)	/* the entry allows writes */
#define ASPACE_PAGE_CATEGORIES	(0xffULL)

/**
 * struct aspace_page_region - one range of ASPACE_IOC_PAGESCAN, as
 *	struct page_region of PAGEMAP_SCAN
 * @start: first address
 * @end: one past the last
 * @categories: ASPACE_PAGE_* of its pages, kept by @return_mask
 */
struct aspace_page_region {
	__aligned_u64 start;
	__aligned_u64 end;
	__aligned_u64 categories;
};

/**
 * struct aspace_pagescan - ASPACE_IOC_PAGESCAN, like struct pm_scan_arg
 *	of PAGEMAP_SCAN (Linux 6.7)
 * @size: sizeof(struct aspace_pagescan)
 * @flags: must be zero
 * @start: first address (page aligned)
 * @end: one past the last (rounded up to a page; at most the task size)
 * @walk_end: out: where the scan stopped: @end if it is complete
 * @vec: user pointer to @vec_len struct aspace_page_region
 * @vec_len: room in @vec (0 with @vec 0: only @walk_end is reported)
 * @max_pages: most pages to report, 0 for no limit
 * @category_inverted: categories that match when clear instead of set
 * @category_mask: a page is reported only if all of these match
 * @category_anyof_mask: ... and, if not 0, at least one of these
 * @return_mask: the categories reported in the regions
 * @nr_regions: out: regions written to @vec (PAGEMAP_SCAN returns it)
 *
 * Pages covered by a VMA are scanned, mapped or not (a page never touched
 * has no category); adjacent reported pages with equal categories form
 * one region.
 */
struct aspace_pagescan {
	__u32 size;
	__u32 flags;
	__aligned_u64 start;
	__aligned_u64 end;
	__aligned_u64 walk_end;
	__aligned_u64 vec;
	__aligned_u64 vec_len;
	__aligned_u64 max_pages;
	__aligned_u64 category_inverted;
	__aligned_u64 category_mask;
	__aligned_u64 category_anyof_mask;
	__aligned_u64 return_mask;
	__aligned_u64 nr_regions;
};

/* ASPACE_IOC_CLEAR_REFS flags */
#define ASPACE_CLEAR_ACCESSED	0x1	/* clear_refs "1": the A bits */
#define ASPACE_CLEAR_DIRTY	0x2	/* the D bits */

/**
 * struct aspace_clear_refs - ASPACE_IOC_CLEAR_REFS, like
 *	/proc/PID/clear_refs
 * @size: sizeof(struct aspace_clear_refs)
 * @flags: ASPACE_CLEAR_*, at least one
 * @start: first address (page aligned)
 * @end: one past the last (rounded up to a page; at most the task size)
 */
struct aspace_clear_refs {
	__u32 size;
	__u32 flags;
	__aligned_u64 start;
	__aligned_u64 end;
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
#define ASPACE_IOC_TRANSLATE	_IOWR(ASPACE_IOC_MAGIC, 0x0e, struct aspace_translate)
#define ASPACE_IOC_PTDUMP	_IOWR(ASPACE_IOC_MAGIC, 0x0f, struct aspace_ptdump)
#define ASPACE_IOC_PAGESCAN	_IOWR(ASPACE_IOC_MAGIC, 0x10, struct aspace_pagescan)
#define ASPACE_IOC_CLEAR_REFS	_IOW(ASPACE_IOC_MAGIC, 0x11, struct aspace_clear_refs)

#endif /* _UAPI_LINUX_ASPACE_H */
