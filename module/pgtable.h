/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A real x86_64 page-table hierarchy, 4 levels (PML4, 47-bit user half)
 * or 5 levels (PML5, 56-bit), built from pages of the page allocator.
 *
 * Entries use the hardware format, with bit names of the Intel SDM.  The
 * module defines them itself (not the arch pgtable macros), so this code
 * also builds and runs on UML.  Only 4 KiB leaf entries are created; PS is
 * defined so a walk can report it.
 *
 * Levels are numbered from the leaf: 0 = page table (PT, maps 4 KiB),
 * 1 = page directory (PD), 2 = PDPT, 3 = PML4, 4 = PML5.  The root is at
 * level @levels - 1 and always exists while the hierarchy does.
 *
 * Every table page keeps, in page_private(), the number of its entries
 * that are not zero.  A table whose count drops to zero is freed at once
 * (the root excepted), so after everything is unmapped only the root is
 * left.
 *
 * Locking: the caller serialises changes of the hierarchy's shape with
 * the address space's lock: the write side for everything that unmaps or
 * frees; the read side for lookups, walks and asp_pt_leaf_alloc(), which
 * links new tables under @lock.  Faults change leaf entries under the
 * read side with @lock held (the page-table lock).
 */
#ifndef _ASPACE_PGTABLE_H
#define _ASPACE_PGTABLE_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define ASP_PTE_P	BIT_ULL(0)	/* present */
#define ASP_PTE_RW	BIT_ULL(1)	/* writable */
#define ASP_PTE_US	BIT_ULL(2)	/* user accessible */
#define ASP_PTE_PWT	BIT_ULL(3)
#define ASP_PTE_PCD	BIT_ULL(4)
#define ASP_PTE_A	BIT_ULL(5)	/* accessed */
#define ASP_PTE_D	BIT_ULL(6)	/* dirty (leaf only) */
#define ASP_PTE_PS	BIT_ULL(7)	/* large page (PD/PDPT entries) */
#define ASP_PTE_G	BIT_ULL(8)	/* global (leaf only) */
/* Software: the page may be shared (a clone, the zero page); copy or
 * reuse it before a write, never write it in place.
 */
#define ASP_PTE_COW	BIT_ULL(9)
#define ASP_PTE_PROTNONE BIT_ULL(10)	/* software: PROT_NONE, P clear */
#define ASP_PTE_SW3	BIT_ULL(11)	/* software: free */
#define ASP_PTE_NX	BIT_ULL(63)	/* no execute */
#define ASP_PTE_PFN_MASK	GENMASK_ULL(51, 12)

/* The flag bits a leaf entry may carry (everything but the frame). */
#define ASP_PTE_FLAGS_MASK	(~ASP_PTE_PFN_MASK)
/* Bits every table (non-leaf) entry carries: the leaf decides access. */
#define ASP_PTE_TABLE		(ASP_PTE_P | ASP_PTE_RW | ASP_PTE_US | ASP_PTE_A)

#define ASP_PT_MAX_LEVELS	5
#define ASP_PT_ENTRIES		512

/* One past the last user address: 2^47 - 4 KiB or 2^56 - 4 KiB. */
#define ASP_TASK_SIZE_4L	((1UL << 47) - PAGE_SIZE)
#define ASP_TASK_SIZE_5L	((1UL << 56) - PAGE_SIZE)

/**
 * struct asp_pgtable - one page-table hierarchy
 * @root: the top-level table page
 * @levels: 4 or 5
 * @nr_tables: table pages per level (index as above); root included
 * @lock: the page-table lock: taken to link a table or change a leaf
 *	while the address space's lock is held only for read
 * @owner: the mm whose page-table bytes count the tables (like a process's
 *	VmPTE), or NULL; see asp_pt_set_owner()
 */
struct asp_pgtable {
	struct page *root;
	unsigned int levels;
	unsigned long nr_tables[ASP_PT_MAX_LEVELS];
	spinlock_t lock;	/* the page-table lock, see above */
	struct mm_struct *owner;
};

/**
 * struct asp_pt_lookup - the entries a translation went through
 * @entry: the entry read at each level, [levels - 1] first (the root's);
 *	levels below the last present one are zero
 * @table_pfn: frame of the table read at each level (0 if not reached)
 * @level: level of the last entry read: 0 for a 4 KiB leaf; higher if
 *	the walk stopped at a non-present entry or at a PS entry
 */
struct asp_pt_lookup {
	u64 entry[ASP_PT_MAX_LEVELS];
	u64 table_pfn[ASP_PT_MAX_LEVELS];
	int level;
};

/**
 * typedef asp_pt_release_fn - called for each leaf an unmap removes
 * @pte: the entry as it was (mapped: ASP_PTE_P or ASP_PTE_PROTNONE set)
 * @page: the data page it pointed to
 * @addr: the virtual address it mapped
 * @arg: the caller's argument
 */
typedef void (*asp_pt_release_fn)(u64 pte, struct page *page,
				  unsigned long addr, void *arg);

/**
 * typedef asp_pt_walk_fn - called for each mapped leaf a walk visits
 * @ptep: the entry itself; the callback may change its flag bits, but
 *	must keep it mapped (ASP_PTE_P or ASP_PTE_PROTNONE set) and keep
 *	its frame
 * @addr: the virtual address it maps
 * @arg: the caller's argument
 *
 * Return: 0 to go on; anything else stops the walk and is returned.
 */
typedef int (*asp_pt_walk_fn)(u64 *ptep, unsigned long addr, void *arg);

/**
 * typedef asp_pt_table_fn - called for each page table a table walk visits
 * @ptep: the table's slot for @addr; the slots up to @end follow it (they
 *	may be zero); the callback may change flag bits of mapped ones as
 *	asp_pt_walk_fn may
 * @addr: the first address of the walk's range this table maps
 * @end: one past the last
 * @arg: the caller's argument
 *
 * Return: 0 to go on; anything else stops the walk and is returned.
 */
typedef int (*asp_pt_table_fn)(u64 *ptep, unsigned long addr,
			       unsigned long end, void *arg);

int __must_check asp_pt_init(struct asp_pgtable *pt, unsigned int levels);
void asp_pt_set_owner(struct asp_pgtable *pt, struct mm_struct *owner);
void asp_pt_destroy(struct asp_pgtable *pt, asp_pt_release_fn release,
		    void *arg);
unsigned long asp_pt_task_size(const struct asp_pgtable *pt);
int asp_pt_check_range(const struct asp_pgtable *pt, unsigned long start,
		       unsigned long end);

int __must_check asp_pt_prepare(struct asp_pgtable *pt, unsigned long start,
				unsigned long end);
int __must_check asp_pt_map(struct asp_pgtable *pt, unsigned long addr,
			    struct page *page, u64 flags);
u64 *asp_pt_leaf(struct asp_pgtable *pt, unsigned long addr);
u64 *asp_pt_leaf_alloc(struct asp_pgtable *pt, unsigned long addr);
void asp_pt_set(struct asp_pgtable *pt, unsigned long addr, u64 *ptep,
		u64 pte);
int asp_pt_unmap(struct asp_pgtable *pt, unsigned long start,
		 unsigned long end, asp_pt_release_fn release, void *arg);
int asp_pt_protect(struct asp_pgtable *pt, unsigned long start,
		   unsigned long end, u64 set, u64 clear);
int asp_pt_walk(struct asp_pgtable *pt, unsigned long start,
		unsigned long end, asp_pt_walk_fn fn, void *arg);
int asp_pt_walk_tables(struct asp_pgtable *pt, unsigned long start,
		       unsigned long end, asp_pt_table_fn fn, void *arg);
int asp_pt_lookup(const struct asp_pgtable *pt, unsigned long addr,
		  struct asp_pt_lookup *res);

/**
 * asp_pte_mk() - build a leaf entry
 * @page: the data page
 * @flags: flag bits (ASP_PTE_*), with P, or with ASP_PTE_PROTNONE for a
 *	mapping the CPU may not access at all
 *
 * Return: the entry.
 */
static inline u64 asp_pte_mk(struct page *page, u64 flags)
{
	return ((u64)page_to_pfn(page) << PAGE_SHIFT) |
	       (flags & ASP_PTE_FLAGS_MASK);
}

/**
 * asp_pte_index() - the slot of an address in its page table
 * @addr: the address
 *
 * Return: its index among the table's ASP_PT_ENTRIES slots.
 */
static inline unsigned int asp_pte_index(unsigned long addr)
{
	return (addr >> PAGE_SHIFT) & (ASP_PT_ENTRIES - 1);
}

/**
 * asp_pte_page() - the data page a present leaf entry points to
 * @pte: the entry
 *
 * Return: the page.
 */
static inline struct page *asp_pte_page(u64 pte)
{
	return pfn_to_page((pte & ASP_PTE_PFN_MASK) >> PAGE_SHIFT);
}

#endif /* _ASPACE_PGTABLE_H */
