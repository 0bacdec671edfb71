/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMA set of an address space: a maple tree with gap tracking, whose
 * gaps are the free holes.  There is no second structure to keep in sync.
 *
 * Each VMA covers [start, end) and is stored in the tree over
 * [start, end - 1].  A VMA may occupy several adjacent slots of the tree
 * (after an undone split, see asp_vma_unsplit()), so walks go from VMA to
 * VMA by ->end, never slot by slot.
 *
 * Locking: the tree uses the address space's rw_semaphore as its external
 * lock (MT_FLAGS_LOCK_EXTERN): lookups need it held for read, every other
 * call here needs it held for write.
 */
#ifndef _ASPACE_VMA_H
#define _ASPACE_VMA_H

#include <linux/list.h>
#include <linux/maple_tree.h>
#include <linux/rwsem.h>
#include <linux/types.h>

struct asp_shm;

#define ASP_VM_READ		0x01UL
#define ASP_VM_WRITE		0x02UL
#define ASP_VM_EXEC		0x04UL
#define ASP_VM_SHARED		0x08UL
#define ASP_VM_GROWSDOWN	0x10UL	/* a stack: guard gap below it */
#define ASP_VM_ACCOUNT		0x20UL	/* private, made writable (mprotect.c) */
#define ASP_VM_DONTCOPY		0x40UL	/* MADV_DONTFORK: clone skips it */
#define ASP_VM_WIPEONFORK	0x80UL	/* MADV_WIPEONFORK: clone gets zeros */

#define ASP_VM_PROT_MASK	(ASP_VM_READ | ASP_VM_WRITE | ASP_VM_EXEC)

/**
 * struct asp_vma - one virtual memory area
 * @start: first byte
 * @end: one past the last byte
 * @flags: ASP_VM_*
 * @pgoff: shared: page offset of @start in the backing object
 * @obj: shared: identity of the backing object (one per MAP_SHARED mmap)
 * @shm: shared: the backing object, holding the pages (a reference per
 *	VMA, taken by asp_vma_dup() and dropped by asp_vma_free())
 * @anon: private: identity of its anonymous memory, 0 until a page is
 *	populated (Linux's anon_vma: VMAs with different ones never merge)
 * @list: link on a caller's list of VMAs taken out of the tree
 */
struct asp_vma {
	unsigned long start;
	unsigned long end;
	unsigned long flags;
	unsigned long pgoff;
	u64 obj;
	struct asp_shm *shm;
	u64 anon;
	struct list_head list;
};

/**
 * struct asp_vmas - the VMA set
 * @mt: VMAs by address; gaps are holes
 * @count: VMAs in the tree
 * @lock: the address-space lock, the tree's external lock
 */
struct asp_vmas {
	struct maple_tree mt;
	unsigned long count;
	struct rw_semaphore *lock;
};

/**
 * struct asp_vma_search - what asp_vma_find_area() looks for
 * @length: bytes needed (page multiple, not 0)
 * @align_mask: the start must be a multiple of @align_mask + 1
 * @low: lowest start allowed
 * @high: one past the highest end allowed
 * @guard_gap: bytes kept free below a VMA with ASP_VM_GROWSDOWN
 * @topdown: the highest fitting range, else the lowest
 */
struct asp_vma_search {
	unsigned long length;
	unsigned long align_mask;
	unsigned long low;
	unsigned long high;
	unsigned long guard_gap;
	bool topdown;
};

/**
 * struct asp_vma_pos - where a lookup left off in the tree
 * @mas: the tree state of the lookup (asp_vma_find_pos(),
 *	asp_vma_find_next_pos())
 *
 * A store right after such a lookup starts from there instead of from
 * the root (asp_vma_replace_from()), as Linux carries its vma_iterator
 * through an operation.  Valid only until the set next changes.
 */
struct asp_vma_pos {
	struct ma_state mas;
};

u64 asp_anon_id_new(void);
int asp_vma_cache_init(void);
void asp_vma_cache_exit(void);

void asp_vmas_init(struct asp_vmas *vs, struct rw_semaphore *lock);
void asp_vmas_destroy(struct asp_vmas *vs);

struct asp_vma *asp_vma_alloc(unsigned long start, unsigned long end,
			      unsigned long flags);
struct asp_vma *asp_vma_dup(const struct asp_vma *vma);
void asp_vma_free(struct asp_vma *vma);
void asp_vma_free_list(struct list_head *head);

struct asp_vma *asp_vma_find(struct asp_vmas *vs, unsigned long addr);
struct asp_vma *asp_vma_find_next(struct asp_vmas *vs, unsigned long addr);
struct asp_vma *asp_vma_find_pos(struct asp_vmas *vs, unsigned long addr,
				 struct asp_vma_pos *pos);
struct asp_vma *asp_vma_find_next_pos(struct asp_vmas *vs, unsigned long addr,
				      struct asp_vma_pos *pos);
struct asp_vma *asp_vma_find_prev(struct asp_vmas *vs, unsigned long addr);
struct asp_vma *asp_vma_next(struct asp_vmas *vs, struct asp_vma *vma);
bool asp_vma_overlaps(struct asp_vmas *vs, unsigned long start,
		      unsigned long end);
bool asp_vma_can_merge(const struct asp_vma *left,
		       const struct asp_vma *right);

int __must_check asp_vma_insert(struct asp_vmas *vs, struct asp_vma *vma);
int __must_check asp_vma_split(struct asp_vmas *vs, struct asp_vma *vma,
			       unsigned long addr, struct asp_vma **upper);
void asp_vma_unsplit(struct asp_vmas *vs, struct asp_vma *vma,
		     struct asp_vma *upper);
int __must_check asp_vma_replace(struct asp_vmas *vs, unsigned long start,
				 unsigned long end, struct asp_vma *vma,
				 struct list_head *detached);
int __must_check asp_vma_replace_from(struct asp_vmas *vs, unsigned long start,
				      unsigned long end, struct asp_vma *first,
				      struct asp_vma *vma, bool is_new,
				      struct asp_vma_pos *pos,
				      struct list_head *detached);
bool asp_vma_merge(struct asp_vmas *vs, struct asp_vma *vma,
		   struct asp_vma *next);
bool asp_vma_merge_next(struct asp_vmas *vs, struct asp_vma *vma);
int asp_vma_find_area(struct asp_vmas *vs, const struct asp_vma_search *s,
		      unsigned long *addr);
int asp_vma_find_area_next(struct asp_vmas *vs, const struct asp_vma_search *s,
			   unsigned long *addr, struct asp_vma **next);

/**
 * asp_vma_start_gap() - lowest address a new mapping may end at below @vma
 * @vma: the VMA
 * @guard_gap: the stack guard gap
 *
 * Return: @vma->start, less @guard_gap for a stack (0 if that wraps).
 */
static inline unsigned long asp_vma_start_gap(const struct asp_vma *vma,
					      unsigned long guard_gap)
{
	unsigned long start = vma->start;

	if (vma->flags & ASP_VM_GROWSDOWN) {
		start -= guard_gap;
		if (start > vma->start)
			start = 0;
	}
	return start;
}

#endif /* _ASPACE_VMA_H */
