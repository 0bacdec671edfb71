// SPDX-License-Identifier: GPL-2.0
/*
 * The aspace side: one descriptor a slot, the steps through libaspace and
 * pread/pwrite, and the snapshot of the windows: the VMAs by
 * ASPACE_IOC_QUERY, the pages by pread.  As on the Linux side, a private
 * page ASPACE_IOC_PAGESCAN does not show present is zero and is not read.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "difftest.h"
#include "libaspace.h"

int sabotage;

void asp_bases(struct asp *a, struct bases *b)
{
	struct aspace_layout l;

	memset(&l, 0, sizeof(l));
	aspace_get_layout(a->fd[0], &l);
	b->lo[WIN_W] = W_BASE;
	b->lo[WIN_H] = l.heap_start;
	b->lo[WIN_P] = l.mmap_base - PAGES(P_PAGES);
}

int asp_start(struct asp *a)
{
	unsigned int i;

	for (i = 0; i < MAX_SP; i++)
		a->fd[i] = -1;
	a->fd[0] = aspace_open(0);
	return a->fd[0] < 0 ? a->fd[0] : 0;
}

void asp_stop(struct asp *a)
{
	unsigned int i;

	for (i = 0; i < MAX_SP; i++) {
		if (a->fd[i] >= 0)
			close(a->fd[i]);
		a->fd[i] = -1;
	}
}

static void asp_access(int fd, const struct dop *op, __u64 addr,
		       unsigned char *buf, struct dres *r)
{
	struct aspace_access out;

	memset(&out, 0, sizeof(out));
	r->ret = aspace_access(fd, op->type == D_WRITE ? ASPACE_ACCESS_WRITE :
			       ASPACE_ACCESS_READ, addr, op->len, buf, &out);
	r->signo = out.signo;
	r->code = out.si_code;
	r->fault = out.fault_addr;
	r->done = out.done;
}

/**
 * asp_step() - one step on the descriptor of @op->sp
 * @a: the descriptors
 * @op: the step
 * @addr: its address in aspace
 * @in: write, pwrite: the bytes
 * @r: out: the result
 * @out: pread, read: out: the bytes
 *
 * Return: 0 (the step's own errors are in @r).
 */
int asp_step(struct asp *a, const struct dop *op, __u64 addr,
	     const unsigned char *in, struct dres *r, unsigned char *out)
{
	int fd = a->fd[op->sp], ret;
	__u64 v = 0;
	__u32 flags;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	r->win = -1;
	switch (op->type) {
	case D_MMAP:
		flags = op->flags |
			(op->place == PL_FIXED ? ASPACE_MAP_FIXED : 0) |
			(op->place == PL_NOREPLACE ?
			 ASPACE_MAP_FIXED_NOREPLACE : 0);
		/* sabotage 3: a hint-less mapping one page longer */
		v = sabotage == 3 && op->place == PL_NOHINT ? PG : 0;
		ret = aspace_mmap(fd, addr, op->len + v, op->prot, flags, &v);
		r->ret = ret ? ret : (long long)v;
		break;
	case D_MUNMAP:
		r->ret = aspace_munmap(fd, addr, op->len);
		break;
	case D_MPROTECT:
		r->ret = aspace_mprotect(fd, addr, op->len, op->prot |
					 (sabotage == 1 && op->prot == 1 ? 2 : 0));
		break;
	case D_MADVISE:
		/* sabotage 4: MADV_DONTFORK does nothing */
		if (sabotage == 4 && op->prot == MADV_DONTFORK)
			break;
		r->ret = aspace_madvise(fd, addr, op->len, op->prot);
		break;
	case D_BRK:
		ret = aspace_brk(fd, addr, &v);
		r->ret = ret ? ret : (long long)v;
		break;
	case D_PREAD:
		n = pread(fd, out, op->len, (off_t)addr);
		r->ret = n < 0 ? -errno : n;
		break;
	case D_PWRITE:
		if (sabotage == 2 && op->len > 1)
			n = pwrite(fd, in + 1, 1, (off_t)addr);
		n = pwrite(fd, in, op->len - (sabotage == 2 && op->len > 1),
			   (off_t)addr);
		n += sabotage == 2 && n > 0;
		r->ret = n < 0 ? -errno : n;
		break;
	case D_READ:
		asp_access(fd, op, addr, out, r);
		break;
	case D_WRITE:
		asp_access(fd, op, addr, (unsigned char *)in, r);
		break;
	case D_FORK:
		r->ret = aspace_clone(fd, op->flags ? ASPACE_CLONE_EAGER : 0,
				      &a->fd[op->place]);
		break;
	case D_EXIT:
		r->ret = close(fd) ? -errno : 0;
		a->fd[op->sp] = -1;
		break;
	}
	return 0;
}

/* Mark the present pages of window @w in @present (by global page). */
static int asp_present(int fd, const struct bases *b, unsigned int w,
		       bool *present)
{
	struct aspace_page_region reg[64];
	struct aspace_pagescan p;
	__u64 at = b->lo[w], end = at + win_size[w], x;
	unsigned int i;
	int ret;

	while (at < end) {
		memset(&p, 0, sizeof(p));
		p.size = sizeof(p);
		p.start = at;
		p.end = end;
		p.vec = (uintptr_t)reg;
		p.vec_len = ARRAY_SIZE(reg);
		p.category_mask = ASPACE_PAGE_PRESENT;
		p.return_mask = ASPACE_PAGE_PRESENT;
		ret = aspace_ioctl(fd, ASPACE_IOC_PAGESCAN, &p);
		if (ret)
			return ret;
		for (i = 0; i < p.nr_regions; i++)
			for (x = reg[i].start; x < reg[i].end; x += PG)
				present[gpage(w, x - b->lo[w])] = true;
		if (p.walk_end <= at)
			return -EPROTO;
		at = p.walk_end;
	}
	return 0;
}

/**
 * asp_snap() - the snapshot of one descriptor
 * @a: the descriptors
 * @sp: the slot
 * @b: aspace's windows
 * @s: out: the snapshot
 *
 * Return: 0, or a negative errno from STATS, QUERY or PAGESCAN.
 */
int asp_snap(struct asp *a, unsigned int sp, const struct bases *b,
	     struct snap *s)
{
	static bool present[WIN_PAGES];
	struct aspace_stats st;
	struct aspace_query q;
	int fd = a->fd[sp], ret;
	unsigned int w, i, g;
	__u64 off;

	ret = aspace_stats(fd, &st);
	if (ret)
		return ret;
	s->mapped = st.mapped_bytes;
	s->data = st.data_bytes;
	s->nv = 0;
	memset(s->tag, T_NONE, sizeof(s->tag));
	memset(present, 0, sizeof(present));
	for (w = 0; w < NWIN; w++) {
		__u64 lo = b->lo[w], hi = lo + win_size[w], at = lo;

		while (at < hi && s->nv < MAX_VMAS) {
			ret = aspace_vma_next(fd, at, &q);
			if (ret == -ENOENT || (!ret && q.vma_start >= hi))
				break;
			if (ret)
				return ret;
			s->v[s->nv].win = w;
			s->v[s->nv].flags = q.vma_flags &
				(ASPACE_VMA_READ | ASPACE_VMA_WRITE |
				 ASPACE_VMA_EXEC | ASPACE_VMA_SHARED |
				 ASPACE_VMA_HEAP | ASPACE_VMA_DONTFORK |
				 ASPACE_VMA_WIPEONFORK);
			s->v[s->nv].start = (q.vma_start < lo ? lo :
					     q.vma_start) - lo;
			s->v[s->nv].end = (q.vma_end > hi ? hi : q.vma_end) - lo;
			s->v[s->nv].obj = q.vma_id;
			s->v[s->nv].pgoff = q.vma_page_offset +
				(q.vma_start < lo ? lo - q.vma_start : 0);
			s->nv++;
			at = q.vma_end;
		}
		ret = asp_present(fd, b, w, present);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->nv; i++) {
		const struct svma *v = &s->v[i];

		for (off = v->start; off < v->end; off += PG) {
			g = gpage(v->win, off);
			s->tag[g] = T_ZERO;
			if (!(v->flags & ASPACE_VMA_SHARED) && !present[g])
				continue;
			s->tag[g] = T_DATA;
			if (pread(fd, s->page[g], PG,
				  (off_t)(b->lo[v->win] + off)) != (ssize_t)PG)
				memset(s->page[g], 0xee, PG);
		}
	}
	return 0;
}
