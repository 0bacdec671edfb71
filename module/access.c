// SPDX-License-Identifier: GPL-2.0
/*
 * Accesses to the memory of an address space, through kernel buffers
 * (dev.c copies to and from user memory, never holding the lock):
 *
 *  - asp_access(): what a user-mode load, store or instruction fetch
 *    does, with the protection checks of x86_64 Linux's page-fault path
 *    (access_error()) and the fault it would raise;
 *  - asp_mem_get_page() and asp_mem_write(): the rules of /proc/PID/mem
 *    (FOLL_FORCE): any mapped page may be read, a private read-only one
 *    written (into a private copy), a read-only shared one not.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/string.h>

#include "internal.h"

/* Linux's access_error() for x86_64 without protection keys. */
static int asp_access_error(const struct asp_vma *vma, u32 kind)
{
	unsigned long need;

	switch (kind) {
	case ASPACE_ACCESS_WRITE:
		need = ASP_VM_WRITE;
		break;
	case ASPACE_ACCESS_EXEC:
		need = ASP_VM_EXEC;
		break;
	default:
		need = ASP_VM_PROT_MASK;	/* any: x86 reads what it maps */
		break;
	}
	return vma->flags & need ? 0 : SEGV_ACCERR;
}

/* Copy @len bytes between @buf and @page at @offset. */
static void asp_access_copy(struct page *page, unsigned long offset,
			    void *buf, unsigned long len, bool to_page)
{
	void *kaddr = kmap_local_page(page);

	if (to_page)
		memcpy(kaddr + offset, buf, len);
	else
		memcpy(buf, kaddr + offset, len);
	kunmap_local(kaddr);
}

/* The VMA an access at @pos hits; growing a stack drops @cur's table. */
static struct asp_vma *asp_access_vma(struct asp_mm *mm, unsigned long pos,
				      struct asp_fault_cursor *cur)
{
	struct asp_vma *vma;

	if (pos >= mm->layout.task_size)
		return NULL;
	vma = asp_vma_find(&mm->vmas, pos);
	if (vma)
		return vma;
	cur->table = NULL;	/* the lock may be let go */
	return asp_find_vma_expand(mm, pos);
}

/* One page's part of an access: [@pos, @next).  Lock held for read. */
static int asp_access_page(struct asp_mm *mm, u32 kind, unsigned long pos,
			   unsigned long next, void *buf,
			   struct asp_access_res *res,
			   struct asp_fault_cursor *cur)
{
	unsigned int flags = kind == ASPACE_ACCESS_WRITE ? ASP_FAULT_WRITE : 0;
	struct page *page = NULL;
	struct asp_vma *vma;
	int ret;

	vma = asp_access_vma(mm, pos, cur);
	res->si_code = vma ? asp_access_error(vma, kind) : SEGV_MAPERR;
	if (res->si_code) {
		res->fault_addr = pos;
		return 0;
	}
	ret = asp_fault_cur(mm, vma, pos, flags, buf ? &page : NULL, cur);
	if (ret)
		return ret;
	if (buf) {
		asp_access_copy(page, offset_in_page(pos), buf, next - pos,
				kind == ASPACE_ACCESS_WRITE);
		asp_fault_put_page(page);
	}
	return 0;
}

/**
 * asp_access() - a simulated user-mode access
 * @mm: the address space; takes its lock for read
 * @kind: ASPACE_ACCESS_READ, _WRITE or _EXEC
 * @addr: first byte
 * @len: bytes; @addr + @len must not wrap (the caller checks)
 * @buf: @len bytes: where a read or fetch puts the data, where a write
 *	takes it from; NULL to only fault every page in as the access would
 * @res: out: bytes done, and the fault (SEGV_MAPERR: no VMA, even after
 *	growing a stack; SEGV_ACCERR: the VMA's protection) and its address
 *
 * Demand-allocates, maps the zero page and breaks copy-on-write as the
 * access needs.  Reschedules between pages and stops on a fatal signal.
 *
 * Context: process context, may sleep.
 * Return: 0, also when the access faulted (see @res); -EINVAL for an
 * unknown @kind; -ENOMEM if memory or the resident limit ran out, -EINTR
 * on a fatal signal (@res->done tells how far it got).
 */
int asp_access(struct asp_mm *mm, u32 kind, unsigned long addr,
	       unsigned long len, void *buf, struct asp_access_res *res)
{
	unsigned long pos = addr, end = addr + len, next;
	struct asp_fault_cursor cur = {};
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (kind > ASPACE_ACCESS_EXEC)
		return -EINVAL;
	down_read(&mm->lock);
	while (pos < end) {
		next = min(end, (pos & PAGE_MASK) + PAGE_SIZE);
		if (!next)	/* the last page of the address space */
			next = end;
		ret = asp_access_page(mm, kind, pos, next,
				      buf ? buf + (pos - addr) : NULL, res,
				      &cur);
		if (ret || res->si_code)
			break;
		pos = next;
		cond_resched();
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
	}
	up_read(&mm->lock);
	res->done = pos - addr;
	return ret;
}

/**
 * asp_mem_put_page() - drop the reference asp_mem_get_page() returned
 * @page: the page
 */
void asp_mem_put_page(struct page *page)
{
	asp_fault_put_page(page);
}

/*
 * The VMA a /proc/PID/mem transfer at @addr reaches, the lock held for
 * read: an address below a stack grows it, as __access_remote_vm() does
 * with expand_stack() (Linux 6.1 and 6.12 alike); the lock may be dropped
 * and taken again meanwhile (asp_find_vma_expand()).
 */
static struct asp_vma *asp_mem_find_vma(struct asp_mm *mm, unsigned long addr)
{
	if (addr >= mm->layout.task_size)
		return NULL;
	return asp_find_vma_expand(mm, addr);
}

/**
 * asp_mem_get_page() - the page at an address, as /proc/PID/mem reads it
 * @mm: the address space; takes its lock for read
 * @addr: the address
 * @pagep: out: the page, with a reference to drop with
 *	asp_fault_put_page()
 *
 * Any mapped address may be read, whatever its protection; a page never
 * written reads from the zero page (private) or the shared object.  An
 * address below a stack grows it first, as __access_remote_vm() calls
 * expand_stack() when no VMA covers the address (asp_mem_find_vma()).
 *
 * Context: may sleep.
 * Return: 0; -EIO if no VMA covers @addr; -ENOMEM.
 */
int asp_mem_get_page(struct asp_mm *mm, unsigned long addr,
		     struct page **pagep)
{
	struct asp_vma *vma;
	int ret = -EIO;

	down_read(&mm->lock);
	vma = asp_mem_find_vma(mm, addr);
	if (vma)
		ret = asp_fault(mm, vma, addr, 0, pagep);
	up_read(&mm->lock);
	return ret;
}

/**
 * asp_mem_write() - write into an address space, as /proc/PID/mem does
 * @mm: the address space; takes its lock for read
 * @addr: the address
 * @buf: the bytes
 * @len: how many; [@addr, @addr + @len) lies within one page
 *
 * Like a FOLL_FORCE write: a private page is written whatever the
 * mapping's protection (a COW page is copied first, and stays read-only
 * where the mapping is); a shared mapping must be writable
 * (check_vma_flags()).  An address below a stack grows it first, as for
 * a read (asp_mem_get_page()).
 *
 * Context: may sleep.
 * Return: 0; -EIO if no VMA covers @addr or it is a read-only shared
 * mapping; -ENOMEM.
 */
int asp_mem_write(struct asp_mm *mm, unsigned long addr, const void *buf,
		  unsigned long len)
{
	struct asp_vma *vma;
	struct page *page;
	int ret = -EIO;

	down_read(&mm->lock);
	vma = asp_mem_find_vma(mm, addr);
	if (vma && (!(vma->flags & ASP_VM_SHARED) ||
		    (vma->flags & ASP_VM_WRITE)))
		ret = asp_fault(mm, vma, addr, ASP_FAULT_WRITE, &page);
	if (!ret) {
		asp_access_copy(page, offset_in_page(addr), (void *)buf, len,
				true);
		asp_fault_put_page(page);
	}
	up_read(&mm->lock);
	return ret;
}
