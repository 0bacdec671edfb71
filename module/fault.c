// SPDX-License-Identifier: GPL-2.0
/*
 * Resolving an access to an address space (the job of Linux's
 * mm/memory.c): demand allocation, the zero page, copy-on-write, and the
 * stack that grows down on a fault below it.  MAP_POPULATE, madvise's
 * populate, pread/pwrite and the simulated accesses all come through
 * asp_fault().
 *
 * A private page is either exclusive to its entry, or marked ASP_PTE_COW:
 * the zero page, or a page a clone shares.  A COW entry is never writable;
 * the first write copies the page, or reuses it when no one else holds it
 * any more.  MAP_SHARED memory comes from the mapping's shared object
 * (shm.c), allocated on the first access of either kind.
 *
 * Locking: faults run under the address-space lock held for read, with
 * the page-table lock (@mm->pt.lock) held while an entry is read for a
 * decision or changed.  Memory is allocated and copied without the
 * page-table lock; before the new entry is stored, the old one is checked
 * to be unchanged, else the fault starts over (as Linux's pte_same()).
 */
#include <linux/highmem.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "internal.h"
#include "introspect.h"
#include "mem.h"
#include "shm.h"

/**
 * asp_page_is_zero() - is this the kernel's shared zero page?
 * @page: a page an entry maps
 *
 * Return: true for ZERO_PAGE(0), which is never reference-counted here.
 */
bool asp_page_is_zero(struct page *page)
{
	return page == ZERO_PAGE(0);
}

/* A reference for a caller that uses the page after the lock is dropped. */
static void asp_fault_page_get(struct page *page)
{
	if (!asp_page_is_zero(page))
		asp_data_page_get(page);
}

static void asp_fault_page_put(struct page *page)
{
	if (page && !asp_page_is_zero(page))
		asp_data_page_put(page);
}

static bool asp_vma_private(const struct asp_vma *vma)
{
	return !(vma->flags & ASP_VM_SHARED);
}

/* The entry for @page in @vma; writable only if @writable too. */
static u64 asp_fault_pte(struct asp_vma *vma, struct page *page,
			 bool writable)
{
	u64 flags = asp_vm_pte_flags(vma->flags);

	if (!writable)
		flags &= ~ASP_PTE_RW;
	if (!(flags & ASP_PTE_PROTNONE))
		flags |= ASP_PTE_P;
	return asp_pte_mk(page, flags);
}

/*
 * The bits the MMU sets when the access is retried: Accessed, and Dirty
 * for a write (x86's Linux makes a faulted-in entry young, and dirty for
 * a write).  Set in the same page-table lock section that stores or
 * checks the entry.
 */
static u64 asp_fault_young(unsigned int flags)
{
	return ASP_PTE_A | (flags & ASP_FAULT_WRITE ? ASP_PTE_D : 0);
}

/* Is anything to be done for an access to an address @pte maps? */
static bool asp_fault_needed(struct asp_vma *vma, u64 pte, unsigned int flags)
{
	if (!(flags & ASP_FAULT_WRITE) || !asp_vma_private(vma))
		return false;
	if (pte & ASP_PTE_COW)
		return true;
	return (vma->flags & ASP_VM_WRITE) && (pte & ASP_PTE_P) &&
	       !(pte & ASP_PTE_RW);
}

static bool asp_resident_full(struct asp_mm *mm)
{
	return ((u64)mm->resident + 1) << PAGE_SHIFT >
	       mm->limits.resident_bytes;
}

/*
 * Linux's anon_vma_compatible(): adjacent private VMAs whose flags differ
 * at most in their protections may share anonymous memory.
 */
static u64 asp_anon_reusable(const struct asp_vma *a, const struct asp_vma *b)
{
	if (!a || !b || a->end != b->start ||
	    ((a->flags ^ b->flags) & ~ASP_VM_PROT_MASK))
		return 0;
	return READ_ONCE(a->anon) ?: READ_ONCE(b->anon);
}

/*
 * Like anon_vma_prepare(): private memory now has pages of its own.  It
 * joins a neighbour's anonymous memory where Linux's
 * find_mergeable_anon_vma() would, so the two may merge later.
 */
static void asp_vma_anon_prepare(struct asp_mm *mm, struct asp_vma *vma)
{
	u64 anon;

	if (READ_ONCE(vma->anon))
		return;
	anon = asp_anon_reusable(vma, asp_vma_find(&mm->vmas, vma->end));
	if (!anon && vma->start)
		anon = asp_anon_reusable(asp_vma_find(&mm->vmas,
						      vma->start - 1), vma);
	cmpxchg(&vma->anon, 0, anon ?: asp_anon_id_new());
}

/*
 * Store @pte for @page in the empty slot @ptep.  @counted: a data page
 * (not the zero page) that counts as resident.  -EAGAIN if the slot was
 * filled meanwhile.
 */
static int asp_fault_install(struct asp_mm *mm, unsigned long addr,
			     u64 *ptep, u64 pte, bool counted,
			     struct page **pagep)
{
	struct page *page = asp_pte_page(pte);
	int ret = 0;

	spin_lock(&mm->pt.lock);
	if (*ptep) {
		ret = -EAGAIN;
	} else if (counted && asp_resident_full(mm)) {
		ret = -ENOMEM;
	} else {
		asp_pt_set(&mm->pt, addr, ptep, pte);
		mm->resident += counted;
		if (counted)
			asp_owner_rss_add(mm->owner, page, 1);
		mm->zero_maps += !counted;
		mm->faults++;
		if (pagep) {
			asp_fault_page_get(page);
			*pagep = page;
		}
	}
	spin_unlock(&mm->pt.lock);
	if (ret)
		asp_fault_page_put(page);
	return ret;
}

/* Nothing mapped at @addr: the shared page, the zero page or a new one. */
static int asp_fault_absent(struct asp_mm *mm, struct asp_vma *vma,
			    unsigned long addr, u64 *ptep, unsigned int flags,
			    struct page **pagep)
{
	pgoff_t index;
	struct page *page;
	int ret;

	if (asp_resident_full(mm) &&
	    (!asp_vma_private(vma) || (flags & ASP_FAULT_WRITE)))
		return -ENOMEM;
	if (!asp_vma_private(vma)) {
		index = vma->pgoff + ((addr - vma->start) >> PAGE_SHIFT);
		page = asp_shm_page(vma->shm, index, &ret);
		if (!page)
			return ret;
		return asp_fault_install(mm, addr, ptep,
					 asp_fault_pte(vma, page, true) |
					 asp_fault_young(flags), true, pagep);
	}
	if (!(flags & ASP_FAULT_WRITE))
		return asp_fault_install(mm, addr, ptep,
					 asp_fault_pte(vma, ZERO_PAGE(0),
						       false) | ASP_PTE_COW |
					 asp_fault_young(flags), false, pagep);
	page = asp_data_page_alloc();
	if (!page)
		return -ENOMEM;
	asp_vma_anon_prepare(mm, vma);
	return asp_fault_install(mm, addr, ptep,
				 asp_fault_pte(vma, page,
					       vma->flags & ASP_VM_WRITE) |
				 asp_fault_young(flags), true, pagep);
}

/*
 * A write to the private page @pte maps, which is COW or not writable.
 * Called with the page-table lock held; returns with it dropped.  @old
 * holds a reference of ours (unless it is the zero page).
 */
static int asp_fault_write(struct asp_mm *mm, struct asp_vma *vma,
			   unsigned long addr, u64 *ptep, u64 pte,
			   struct page **pagep)
	__releases(&mm->pt.lock)
{
	bool writable = vma->flags & ASP_VM_WRITE;
	struct page *old = asp_pte_page(pte), *new;
	bool zero = asp_page_is_zero(old);

	/* Exclusive, or no one else holds it any more: write in place. */
	if (!(pte & ASP_PTE_COW) || (!zero && page_ref_count(old) == 1)) {
		pte &= ~ASP_PTE_COW;
		pte |= asp_fault_young(ASP_FAULT_WRITE);
		if (writable && (pte & ASP_PTE_P))
			pte |= ASP_PTE_RW;
		WRITE_ONCE(*ptep, pte);
		mm->faults++;
		if (pagep) {
			asp_fault_page_get(old);
			*pagep = old;
		}
		spin_unlock(&mm->pt.lock);
		return 0;
	}
	if (zero && asp_resident_full(mm)) {
		spin_unlock(&mm->pt.lock);
		return -ENOMEM;
	}
	asp_fault_page_get(old);
	spin_unlock(&mm->pt.lock);

	new = asp_data_page_alloc();
	if (!new) {
		asp_fault_page_put(old);
		return -ENOMEM;
	}
	if (!zero)
		copy_highpage(new, old);
	asp_vma_anon_prepare(mm, vma);

	spin_lock(&mm->pt.lock);
	if (*ptep != pte || (zero && asp_resident_full(mm))) {
		spin_unlock(&mm->pt.lock);
		asp_data_page_put(new);
		asp_fault_page_put(old);
		return *ptep != pte ? -EAGAIN : -ENOMEM;
	}
	WRITE_ONCE(*ptep, asp_fault_pte(vma, new, writable) |
			  asp_fault_young(ASP_FAULT_WRITE));
	/* A copy replaces a page the owner counts already; the zero page not. */
	mm->resident += zero;
	if (zero)
		asp_owner_rss_add(mm->owner, new, 1);
	mm->cow_breaks += !zero;
	mm->faults++;
	if (pagep) {
		asp_data_page_get(new);
		*pagep = new;
	}
	spin_unlock(&mm->pt.lock);
	/* Ours, then the one the entry held. */
	asp_fault_page_put(old);
	asp_fault_page_put(old);
	return 0;
}

/**
 * asp_fault() - make an entry map a page fit for an access, like a fault
 * @mm: the address space; its lock held for read or write
 * @vma: the VMA covering @addr
 * @addr: the address accessed
 * @flags: ASP_FAULT_*; the protection check is the caller's (a simulated
 *	access checks the VMA's protections, /proc/PID/mem-like access
 *	ignores them)
 * @pagep: out, if not NULL: the page now mapped, with a reference the
 *	caller drops with asp_fault_put_page()
 *
 * A read maps the zero page (private) or the shared object's page; a
 * write maps a new zeroed page, copies a COW page, or reuses one that
 * only this entry holds.  A private page reached by a forced write into a
 * read-only mapping becomes exclusive but not writable.
 *
 * Context: may sleep; takes @mm->pt.lock.
 * Return: 0; -ENOMEM when memory, the memory cgroup's limit or the
 * resident limit ran out (nothing changed then, but page tables made on
 * the way stay).
 */
int asp_fault(struct asp_mm *mm, struct asp_vma *vma, unsigned long addr,
	      unsigned int flags, struct page **pagep)
{
	return asp_fault_cur(mm, vma, addr, flags, pagep, NULL);
}

/* The slot for @addr: from @cur's table if it has it, else looked up. */
static u64 *asp_fault_slot(struct asp_mm *mm, unsigned long addr,
			   struct asp_fault_cursor *cur)
{
	unsigned long base = addr & ~(ASP_PT_ENTRIES * PAGE_SIZE - 1);
	u64 *ptep;

	if (cur && cur->table && cur->base == base)
		return cur->table + asp_pte_index(addr);
	ptep = asp_pt_leaf_alloc(&mm->pt, addr);
	if (cur && ptep) {
		cur->base = base;
		cur->table = ptep - asp_pte_index(addr);
	}
	return ptep;
}

/**
 * asp_fault_cur() - asp_fault() for one address of a run of them
 * @mm: as for asp_fault()
 * @vma: as for asp_fault()
 * @addr: as for asp_fault()
 * @flags: as for asp_fault()
 * @pagep: as for asp_fault()
 * @cur: the page table the last fault of the run used, or NULL; zeroed
 *	by the caller before the run, and again whenever it lets go of
 *	@mm's lock (a table may be freed then)
 *
 * Faults in a run of addresses find their page table once per table.
 *
 * Context: as asp_fault().
 * Return: as asp_fault().
 */
int asp_fault_cur(struct asp_mm *mm, struct asp_vma *vma, unsigned long addr,
		  unsigned int flags, struct page **pagep,
		  struct asp_fault_cursor *cur)
{
	u64 *ptep, pte;
	int ret;

	lockdep_assert_held(&mm->lock);
	addr &= PAGE_MASK;
	ptep = asp_fault_slot(mm, addr, cur);
	if (!ptep)
		return -ENOMEM;
	do {
		spin_lock(&mm->pt.lock);
		pte = *ptep;
		if (!pte) {
			spin_unlock(&mm->pt.lock);
			ret = asp_fault_absent(mm, vma, addr, ptep, flags,
					       pagep);
		} else if (asp_fault_needed(vma, pte, flags)) {
			ret = asp_fault_write(mm, vma, addr, ptep, pte, pagep);
		} else {
			if ((pte | asp_fault_young(flags)) != pte)
				WRITE_ONCE(*ptep, pte | asp_fault_young(flags));
			if (pagep) {
				*pagep = asp_pte_page(pte);
				asp_fault_page_get(*pagep);
			}
			spin_unlock(&mm->pt.lock);
			ret = 0;
		}
	} while (ret == -EAGAIN);
	asp_fault_done(mm, addr, ptep, pte, flags, ret);
	return ret;
}

/**
 * asp_fault_put_page() - drop the reference asp_fault() returned
 * @page: the page, or NULL
 */
void asp_fault_put_page(struct page *page)
{
	asp_fault_page_put(page);
}

/*
 * Linux populates a private writable mapping with write faults, which give
 * it anonymous memory; other mappings get the zero page or shared pages
 * (mm/gup.c populate_vma_page_range()).
 */
static bool asp_is_private_writable(unsigned long flags)
{
	return (flags & (ASP_VM_WRITE | ASP_VM_SHARED)) == ASP_VM_WRITE;
}

/**
 * asp_populate() - fault in every page of a range, as MAP_POPULATE does
 * @mm: the address space; lock held for write
 * @vma: the VMA that covers the range
 * @start: first byte, page aligned
 * @end: one past the last byte, page aligned
 *
 * Write faults for a private writable mapping, read faults otherwise (so
 * the zero page or the shared object's pages); nothing for PROT_NONE,
 * which Linux's populate_vma_page_range() skips too.  Best effort: stops
 * quietly when memory, the memory cgroup's limit or the resident limit
 * runs out (no OOM kill: see mem.c), or when the calling task has a fatal
 * signal pending (as __get_user_pages() does).  Reschedules between
 * pages.
 *
 * Context: process context, may sleep.
 */
void asp_populate(struct asp_mm *mm, struct asp_vma *vma, unsigned long start,
		  unsigned long end)
{
	struct asp_fault_cursor cur = {};
	unsigned int flags = 0;
	unsigned long addr;

	lockdep_assert_held_write(&mm->lock);
	if (!(vma->flags & ASP_VM_PROT_MASK))
		return;
	if (asp_is_private_writable(vma->flags))
		flags = ASP_FAULT_WRITE;
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		cond_resched();
		if (fatal_signal_pending(current))
			return;
		if (asp_fault_cur(mm, vma, addr, flags, NULL, &cur))
			return;
	}
}

/*
 * Linux's expand_downwards() with acct_stack_growth(): grow the stack
 * VMA above @addr down to @addr's page, unless that comes below
 * mmap_min_addr, within the guard gap of an accessible mapping below, or
 * past the stack or mapped-bytes limits.
 */
static struct asp_vma *asp_expand_stack(struct asp_mm *mm, unsigned long addr)
{
	struct asp_vma *vma = asp_vma_find_next(&mm->vmas, addr), *prev;
	LIST_HEAD(detached);
	unsigned long grow;

	lockdep_assert_held_write(&mm->lock);
	if (!vma || vma->start <= addr)
		return vma;
	if (!(vma->flags & ASP_VM_GROWSDOWN))
		return NULL;
	addr &= PAGE_MASK;
	if (addr < mm->layout.mmap_min_addr)
		return NULL;
	prev = asp_vma_find_prev(&mm->vmas, addr);
	if (prev && !(prev->flags & ASP_VM_GROWSDOWN) &&
	    (prev->flags & ASP_VM_PROT_MASK) &&
	    addr - prev->end < mm->layout.stack_guard_gap)
		return NULL;
	if (vma->end - addr > mm->limits.stack_bytes)
		return NULL;
	grow = (vma->start - addr) >> PAGE_SHIFT;
	if (!asp_may_expand(mm, vma->flags, grow))
		return NULL;
	if (asp_vma_replace(&mm->vmas, addr, vma->start, vma, &detached))
		return NULL;
	vma->start = addr;
	asp_mm_account(mm, vma->flags, grow);
	return vma;
}

/**
 * asp_find_vma_expand() - the VMA a user access at an address hits
 * @mm: the address space; its lock held for read
 * @addr: the address
 *
 * Like Linux's lock_mm_and_find_vma(): an address below a stack VMA grows
 * the stack (see asp_expand_stack()).  That needs the lock for write, so
 * it is dropped, taken for write and downgraded again: every VMA looked
 * up before the call may be gone afterwards.
 *
 * Context: may sleep.
 * Return: the VMA covering @addr, or NULL (SEGV_MAPERR).
 */
struct asp_vma *asp_find_vma_expand(struct asp_mm *mm, unsigned long addr)
{
	struct asp_vma *vma = asp_vma_find_next(&mm->vmas, addr);

	lockdep_assert_held_read(&mm->lock);
	if (!vma || vma->start <= addr)
		return vma;
	if (!(vma->flags & ASP_VM_GROWSDOWN))
		return NULL;
	up_read(&mm->lock);
	down_write(&mm->lock);
	vma = asp_expand_stack(mm, addr);
	downgrade_write(&mm->lock);
	return vma;
}
