/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
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

#include <stddef.h>
#include <sys/types.h>

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

/**
 * aspace_madvise() - ASPACE_IOC_MADVISE of [@addr, @addr + @length)
 * @fd: the descriptor
 * @addr: page-aligned start
 * @length: bytes
 * @advice: MADV_* of <linux/mman.h>
 */
int aspace_madvise(int fd, __u64 addr, __u64 length, __u32 advice);

/**
 * aspace_access() - ASPACE_IOC_ACCESS: a simulated user-mode access
 * @fd: the descriptor
 * @kind: ASPACE_ACCESS_READ, _WRITE or _EXEC
 * @addr: first byte accessed
 * @length: bytes accessed
 * @buf: where a read or fetch puts the bytes, or where a write takes them
 *	from; NULL only touches every page of the range
 * @out: out (may be NULL): the struct as the module filled it: @done,
 *	and @signo, @si_code, @fault_addr if the access faulted
 *
 * A fault is a result, not an error: the return value is 0 then, and
 * @out->signo is SIGSEGV.
 */
int aspace_access(int fd, __u32 kind, __u64 addr, __u64 length, void *buf,
		  struct aspace_access *out);

/**
 * aspace_read() - read the address space's memory, as /proc/PID/mem
 * @fd: the descriptor
 * @addr: the first byte
 * @buf: where the bytes go
 * @len: how many
 *
 * pread(2) until @len bytes are read or a byte cannot be reached.
 *
 * Return: the bytes read (fewer than @len if it stopped early), or a
 * negative errno if not one could be read (EIO: nothing mapped there).
 */
ssize_t aspace_read(int fd, __u64 addr, void *buf, size_t len);

/**
 * aspace_write() - write the address space's memory, as /proc/PID/mem
 * @fd: the descriptor
 * @addr: the first byte
 * @buf: the bytes
 * @len: how many
 *
 * Return: the bytes written, or a negative errno if none was.
 */
ssize_t aspace_write(int fd, __u64 addr, const void *buf, size_t len);

/**
 * aspace_vma_next() - the first VMA that ends above an address
 * @fd: the descriptor
 * @addr: where to look from
 * @out: out: the VMA, as ASPACE_IOC_QUERY describes it
 *
 * ASPACE_IOC_QUERY with ASPACE_QUERY_COVERING_OR_NEXT: the loop
 * ``for (a = 0; !aspace_vma_next(fd, a, &q); a = q.vma_end)`` visits
 * every VMA in address order.
 *
 * Return: 0, -ENOENT past the last VMA, or another negative errno.
 */
int aspace_vma_next(int fd, __u64 addr, struct aspace_query *out);

/* Called by aspace_walk_vmas() with each VMA. */
typedef int (*aspace_vma_fn_t)(const struct aspace_query *q, void *arg);

/**
 * aspace_walk_vmas() - call a function for every VMA, in address order
 * @fd: the descriptor
 * @fn: called with each VMA and @arg; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Return: 0 once every VMA was visited, what @fn returned if it stopped
 * the walk, or a negative errno from the query.
 */
int aspace_walk_vmas(int fd, aspace_vma_fn_t fn, void *arg);

/* Room for any line aspace_maps_line() makes, with its NUL. */
#define ASPACE_MAPS_LINE_MAX	160

/*
 * The device of Linux's internal shmem mount, where MAP_SHARED anonymous
 * memory lives: the dev field of its /proc/PID/maps lines.
 */
#define ASPACE_MAPS_SHM_DEV	"00:01"

/**
 * aspace_vma_name() - the name /proc/PID/maps gives a VMA
 * @q: the VMA
 *
 * Return: "[heap]", "[stack]", "/dev/zero (deleted)" for shared memory
 * (Linux's name for MAP_SHARED anonymous memory), or "" for private
 * anonymous memory.
 */
const char *aspace_vma_name(const struct aspace_query *q);

/**
 * aspace_maps_line() - render a VMA as a /proc/PID/maps line
 * @q: the VMA
 * @buf: where the line goes, without its newline
 * @size: bytes at @buf (ASPACE_MAPS_LINE_MAX is always enough)
 *
 * Exactly Linux's format (show_map_vma()): "start-end perms offset
 * dev inode", each field as Linux pads it, then the name, if any, from
 * column 73.  An unnamed line ends with a space after the inode, as in
 * Linux.  Shared memory shows dev ASPACE_MAPS_SHM_DEV, its object's
 * @vma_id as the inode and @vma_page_offset as the offset; private memory
 * "00:00 0" and offset 0.
 *
 * Return: the length of the line, as snprintf(3).
 */
int aspace_maps_line(const struct aspace_query *q, char *buf, size_t size);

/* ---- introspection: TRANSLATE, PTDUMP, PAGESCAN, CLEAR_REFS ---- */

/**
 * aspace_translate() - ASPACE_IOC_TRANSLATE: walk one address
 * @fd: the descriptor
 * @addr: the address (below the task size)
 * @out: out: the struct as the module filled it: the entry at every
 *	level, the level of the last one read, the status (present, the
 *	zero page, frames shown)
 *
 * Frames (and @out->phys, @out->tables) are shown only to CAP_SYS_ADMIN.
 */
int aspace_translate(int fd, __u64 addr, struct aspace_translate *out);

/**
 * aspace_ptdump() - ASPACE_IOC_PTDUMP: one call
 * @fd: the descriptor
 * @dump: in: @flags, @start, @end, @mask, @vec, @vec_len as the caller
 *	filled them; out: @nr_entries, @walk_end, @pgtable_pages
 *
 * When @dump->walk_end is below @dump->end the entries did not all fit:
 * calling again with @start set to @walk_end resumes the dump exactly
 * (aspace_walk_ptdump() does that).
 */
int aspace_ptdump(int fd, struct aspace_ptdump *dump);

/**
 * aspace_pagescan() - ASPACE_IOC_PAGESCAN: one call, as PAGEMAP_SCAN
 * @fd: the descriptor
 * @scan: in: the range, @vec, @vec_len, @max_pages and the category
 *	masks as the caller filled them; out: @nr_regions, @walk_end
 *
 * A scan stopped before @end (@walk_end below it) resumes from
 * @walk_end (aspace_walk_pages() does that).
 */
int aspace_pagescan(int fd, struct aspace_pagescan *scan);

/**
 * aspace_clear_refs() - ASPACE_IOC_CLEAR_REFS, as /proc/PID/clear_refs
 * @fd: the descriptor
 * @start: first address (page aligned)
 * @end: one past the last
 * @flags: ASPACE_CLEAR_ACCESSED and/or ASPACE_CLEAR_DIRTY
 */
int aspace_clear_refs(int fd, __u64 start, __u64 end, __u32 flags);

/* Called by aspace_walk_ptdump() with each range. */
typedef int (*aspace_ptdump_fn_t)(const struct aspace_ptdump_entry *e,
				  void *arg);

/**
 * aspace_walk_ptdump() - a whole page-table dump, resumed as needed
 * @fd: the descriptor
 * @start: first address (page aligned)
 * @end: one past the last (at most the task size)
 * @flags: ASPACE_PTDUMP_* (ASPACE_PTDUMP_HOLES: empty entries too)
 * @mask: the entry bits to report and coalesce on, 0 for all but the frame
 * @fn: called with each range in address order, and @arg; a non-zero
 *	return stops the walk
 * @arg: passed to @fn
 * @pgtable_pages: out (may be NULL): room for five counts, the
 *	page-table pages per level (PT, PD, PDPT, PML4, PML5) in the range
 *
 * Return: 0 once the range was dumped, what @fn returned if it stopped
 * the walk, or a negative errno.
 */
int aspace_walk_ptdump(int fd, __u64 start, __u64 end, __u32 flags,
		       __u64 mask, aspace_ptdump_fn_t fn, void *arg,
		       __u64 *pgtable_pages);

/* Called by aspace_walk_pages() with each region. */
typedef int (*aspace_region_fn_t)(const struct aspace_page_region *r,
				  void *arg);

/**
 * aspace_walk_pages() - every region a page scan reports, resumed as needed
 * @fd: the descriptor
 * @scan: the range, @max_pages (0: no limit) and the category masks, as
 *	for aspace_pagescan(); its @vec, @vec_len and out fields are not used
 * @fn: called with each region in address order, and @arg; a non-zero
 *	return stops the walk
 * @arg: passed to @fn
 *
 * Return: 0 once the range was scanned (or @max_pages reported), what @fn
 * returned if it stopped the walk, or a negative errno.
 */
int aspace_walk_pages(int fd, const struct aspace_pagescan *scan,
		      aspace_region_fn_t fn, void *arg);

/**
 * aspace_level_name() - the table a level's entries are in
 * @level: 0 (4 KiB leaves) to 4, as @level of the introspection structs
 *
 * Return: "pt", "pd", "pdpt", "pml4" or "pml5"; NULL past 4.
 */
const char *aspace_level_name(unsigned int level);

/**
 * aspace_pte_flag_name() - the short name of one ASPACE_PTE_* bit
 * @bit: the bit's value, e.g. ASPACE_PTE_DIRTY
 *
 * Return: "P", "RW", "USR", "PWT", "PCD", "A", "D", "PSE", "G", "COW",
 * "PROTNONE" or "NX"; NULL for another value.
 */
const char *aspace_pte_flag_name(__u64 bit);

/* Room for any text aspace_pte_flags_str() makes, with its NUL. */
#define ASPACE_PTE_FLAGS_MAX	64

/**
 * aspace_pte_flags_str() - the flags of a page-table entry as words
 * @entry: an entry (its frame bits are left out)
 * @buf: where the text goes
 * @size: bytes at @buf
 *
 * The short names of aspace_pte_flag_name() of the bits set, in bit
 * order, separated by a space ("P RW USR A D NX"); other bits as one hex
 * number; "none" for an entry without flags.
 *
 * Return: the length of the text, as snprintf(3).
 */
int aspace_pte_flags_str(__u64 entry, char *buf, size_t size);

/* Room for any line aspace_ptdump_line() makes, with its NUL. */
#define ASPACE_PTDUMP_LINE_MAX	128

/**
 * aspace_ptdump_line() - one range of a page-table dump as a line
 * @e: the range
 * @buf: where the line goes, without a newline
 * @size: bytes at @buf (ASPACE_PTDUMP_LINE_MAX is always enough)
 *
 * In the spirit of the kernel's ptdump: "0x%016llx-0x%016llx", the size
 * of the range in the largest unit that divides it ("4K", "2M", "512G"),
 * the table of its entries (aspace_level_name()) and their flags
 * (aspace_pte_flags_str(); "none" for a hole):
 * "0x00007ffff7fbf000-0x00007ffff7fff000   256K pt   P RW USR A D NX".
 *
 * Return: the length of the line, as snprintf(3).
 */
int aspace_ptdump_line(const struct aspace_ptdump_entry *e, char *buf,
		       size_t size);

/* Room for any text aspace_translate_text() makes, with its NUL. */
#define ASPACE_TRANSLATE_TEXT_MAX	640

/**
 * aspace_translate_text() - a translation as lines of text
 * @t: the result of aspace_translate()
 * @buf: where the text goes, each line ending in a newline
 * @size: bytes at @buf (ASPACE_TRANSLATE_TEXT_MAX is always enough)
 *
 * A summary line ("0x10000000: present, leaf at level 0 (pt), 4-level
 * paging"; "not present" or "not mapped" where the walk stopped), then
 * the entry read at each level from the root down, with its table, index,
 * value and flags ("  pt[16]     0x8000000012345867 P RW USR A D NX"),
 * then the physical address, or that frames are hidden.
 *
 * Return: the length of the text, as snprintf(3).
 */
int aspace_translate_text(const struct aspace_translate *t, char *buf,
			  size_t size);

/* Number of ASPACE_PAGE_* categories this library knows by name. */
#define ASPACE_NR_PAGE_CATEGORIES	8

/**
 * aspace_page_category_name() - name of a page category bit
 * @bit: bit number, 0 for ASPACE_PAGE_PRESENT
 *
 * Return: "present", "zero", "dirty", "accessed", "cow_shared",
 * "exclusive", "shm" or "writable"; NULL for an unknown bit.
 */
const char *aspace_page_category_name(unsigned int bit);

/* Room for any text aspace_page_categories_str() makes, with its NUL. */
#define ASPACE_PAGE_CATEGORIES_MAX	80

/**
 * aspace_page_categories_str() - categories as a comma-separated list
 * @categories: ASPACE_PAGE_* bits
 * @buf: where the text goes
 * @size: bytes at @buf
 *
 * "present,dirty,accessed,exclusive,writable" in bit order, "-" for none.
 *
 * Return: the length of the text, as snprintf(3).
 */
int aspace_page_categories_str(__u64 categories, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* _LIBASPACE_H */
