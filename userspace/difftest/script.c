// SPDX-License-Identifier: GPL-2.0
/*
 * The reproducer: a sequence as an `aspacectl run` script, at aspace's
 * addresses (the default layout: W at 4 GiB, H at the heap start, P below
 * mmap_base), every step followed by an expect line with what Linux did,
 * and after the last one what Linux had: the maps, or the bytes.  Run on
 * aspace, the script stops where aspace differs.
 */
#include <string.h>
#include <sys/mman.h>

#include <linux/aspace.h>

#include "difftest.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

static const char * const sp_name[MAX_SP] = { "a", "b", "c", "d" };

/* @n bytes as words of parse_data(): fill=N*0xBB for runs, hex else. */
static void print_bytes(FILE *f, const unsigned char *p, __u64 n)
{
	__u64 i = 0, j;
	bool hex = false;

	if (!n)
		fprintf(f, " \"\"");
	while (i < n) {
		for (j = i; j < n && p[j] == p[i]; j++)
			;
		if (j - i >= 8) {
			fprintf(f, " fill=%llu*0x%02x", (unsigned long long)(j - i),
				p[i]);
			hex = false;
			i = j;
			continue;
		}
		fprintf(f, "%s%02x", hex ? "" : " ", p[i++]);
		hex = true;
	}
}

static void print_prot(FILE *f, __u32 prot)
{
	fprintf(f, " %c%c%c", prot & PROT_READ ? 'r' : '-',
		prot & PROT_WRITE ? 'w' : '-', prot & PROT_EXEC ? 'x' : '-');
}

static const char *advice_name(__u32 advice)
{
	switch (advice) {
	case MADV_DONTNEED: return "MADV_DONTNEED";
	case 22: return "MADV_POPULATE_READ";
	case 23: return "MADV_POPULATE_WRITE";
	case MADV_DONTFORK: return "MADV_DONTFORK";
	case MADV_DOFORK: return "MADV_DOFORK";
	case MADV_WIPEONFORK: return "MADV_WIPEONFORK";
	case MADV_KEEPONFORK: return "MADV_KEEPONFORK";
	}
	return "?";
}

static void print_mmap(FILE *f, const struct dop *op, __u64 addr)
{
	fprintf(f, "mmap %#llx %#llx", (unsigned long long)addr,
		(unsigned long long)op->len);
	print_prot(f, op->prot);
	fprintf(f, " %s%s%s%s\n",
		op->flags & MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE",
		op->place == PL_FIXED ? "|MAP_FIXED" : "",
		op->place == PL_NOREPLACE ? "|MAP_FIXED_NOREPLACE" : "",
		op->flags & MAP_POPULATE ? "|MAP_POPULATE" : "");
}

static void print_op(FILE *f, const struct dop *op, __u64 addr)
{
	static unsigned char buf[IO_MAX];

	switch (op->type) {
	case D_MMAP:
		print_mmap(f, op, addr);
		return;
	case D_MUNMAP:
		fprintf(f, "munmap %#llx %#llx\n", (unsigned long long)addr,
			(unsigned long long)op->len);
		return;
	case D_MPROTECT:
		fprintf(f, "mprotect %#llx %#llx", (unsigned long long)addr,
			(unsigned long long)op->len);
		print_prot(f, op->prot);
		fprintf(f, "\n");
		return;
	case D_MADVISE:
		fprintf(f, "madvise %#llx %#llx %s\n", (unsigned long long)addr,
			(unsigned long long)op->len, advice_name(op->prot));
		return;
	case D_BRK:
		if (op->place)
			fprintf(f, "brk\n");
		else
			fprintf(f, "brk %#llx\n", (unsigned long long)addr);
		return;
	case D_PREAD:
		fprintf(f, "read %#llx %llu\n", (unsigned long long)addr,
			(unsigned long long)op->len);
		return;
	case D_READ:
		fprintf(f, "access read %#llx %llu\n", (unsigned long long)addr,
			(unsigned long long)op->len);
		return;
	}
	fill_data(buf, op);
	if (op->type == D_PWRITE)
		fprintf(f, "write %#llx", (unsigned long long)addr);
	else
		fprintf(f, "access write %#llx %llu", (unsigned long long)addr,
			(unsigned long long)op->len);
	print_bytes(f, buf, op->len);
	fprintf(f, "\n");
}

static void print_expect(FILE *f, const char *pfx, const struct dop *op,
			 const struct dres *r, const struct bases *b)
{
	fprintf(f, "%sexpect ", pfx);
	if (r->win >= 0)
		fprintf(f, "%#llx\n", (unsigned long long)(b->lo[r->win] + r->ret));
	else if (r->ret < 0)
		fprintf(f, "%s\n", strerrorname_np((int)-r->ret));
	else if ((op->type == D_READ || op->type == D_WRITE) && r->signo)
		fprintf(f, "SIGSEGV %s at %#llx done=%llu\n",
			r->code == 1 ? "SEGV_MAPERR" : r->code == 2 ?
			"SEGV_ACCERR" : "SEGV_PKUERR",
			(unsigned long long)(b->lo[op->win] + r->fault),
			(unsigned long long)r->done);
	else if (op->type == D_READ || op->type == D_WRITE)
		fprintf(f, "%llu\n", (unsigned long long)r->done);
	else if (op->type == D_PREAD || op->type == D_PWRITE)
		fprintf(f, "%lld\n", r->ret);
	else
		fprintf(f, "ok\n");
}

static void print_maps(FILE *f, const char *pfx, const char *name,
		       const struct layout *l, const struct bases *b,
		       __u32 skip)
{
	unsigned int i;
	char perms[5];

	fprintf(f, "%s%s: expect maps\n", pfx, name);
	for (i = 0; i < l->n; i++) {
		const struct svma *v = &l->v[i];

		if (v->flags & skip)
			continue;
		perms_str(v->flags, perms);
		fprintf(f, "%s%08llx-%08llx %s %08llx ", pfx,
			(unsigned long long)(b->lo[v->win] + v->start),
			(unsigned long long)(b->lo[v->win] + v->end),
			perms, (unsigned long long)v->pgoff);
		if (v->flags & ASPACE_VMA_SHARED)
			fprintf(f, "00:01 * /dev/zero (deleted)\n");
		else
			fprintf(f, "00:00 0%s\n", v->flags & ASPACE_VMA_HEAP ?
				" [heap]" : "");
	}
	fprintf(f, "%send\n", pfx);
}

/*
 * A difference in MADV_DONTFORK or MADV_WIPEONFORK shows in a clone:
 * Linux's VMAs without its dc ones, and zeros where it has wf.
 */
static void print_fork_flags(FILE *f, const char *pfx, const char *name,
			     const struct layout *l, const struct bases *b)
{
	unsigned int i;

	fprintf(f, "%s# the difference is in dc or wf (smaps), not in maps: a clone shows it\n",
		pfx);
	fprintf(f, "%sclone %s forked\n%sexpect ok\n", pfx, name, pfx);
	print_maps(f, pfx, "forked", l, b, ASPACE_VMA_DONTFORK);
	for (i = 0; i < l->n; i++)
		if ((l->v[i].flags & ASPACE_VMA_WIPEONFORK) &&
		    !(l->v[i].flags & ASPACE_VMA_DONTFORK))
			fprintf(f, "%sforked: expect read %#llx fill=4096*0\n",
				pfx, (unsigned long long)(b->lo[l->v[i].win] +
							  l->v[i].start));
}

/* What Linux had at the difference: its maps, or its bytes. */
static void print_after(FILE *f, const char *pfx, const struct dop *op,
			const struct run *r)
{
	const struct bases *b = &r->asb;
	const struct mismatch *mm = &r->mm;
	unsigned int w;

	if (mm->kind == MM_DATA) {
		fprintf(f, "%s%s: expect read %#llx", pfx, sp_name[op->sp],
			(unsigned long long)win_addr(b, op->win, op->off));
		print_bytes(f, r->lx_io, op->type == D_PREAD ?
			    (__u64)r->lx[mm->step].ret : r->lx[mm->step].done);
		fprintf(f, "\n");
	} else if (mm->kind == MM_CONTENT) {
		for (w = NWIN - 1; mm->page < gpage(w, 0); w--)
			;
		fprintf(f, "%s%s: expect read %#llx", pfx, sp_name[mm->sp],
			(unsigned long long)win_addr(b, w,
				PAGES(mm->page - gpage(w, 0))));
		print_bytes(f, r->lx_page, PG);
		fprintf(f, "\n");
	} else if (mm->kind == MM_COUNTERS) {
		fprintf(f, "%s%s: expect stats mapped_bytes=%llu data_bytes=%llu\n",
			pfx, sp_name[mm->sp], (unsigned long long)r->lx_mapped,
			(unsigned long long)r->lx_data);
	} else if (mm->kind == MM_LAYOUT) {
		fprintf(f, "%s# Linux's VMAs, adjacent equal ones joined:\n", pfx);
		print_maps(f, pfx, sp_name[mm->sp], &r->lx_layout, b, 0);
		if (r->fork_flags_only)
			print_fork_flags(f, pfx, sp_name[mm->sp],
					 &r->lx_layout, b);
	}
}

/**
 * script_print() - the sequence as an aspacectl script
 * @f: where to
 * @pfx: what every line starts with ("" or a TAP comment)
 * @seed: the sequence's seed, for the header
 * @ops: the steps
 * @n: how many
 * @r: their run: Linux's results and the difference at the last step
 */
void script_print(FILE *f, const char *pfx, __u32 seed,
		  const struct dop *ops, unsigned int n, const struct run *r)
{
	const char *line = r->mm.text, *nl;
	bool a_closed = false;
	unsigned int i;

	fprintf(f, "%s# difftest, seed %u: aspace differs from Linux at the last step.\n",
		pfx, seed);
	fprintf(f, "%s# Expect lines: what Linux did (aspacectl run -k shows every difference).\n",
		pfx);
	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		fprintf(f, "%s#   %.*s\n", pfx, (int)(nl - line), line);
	}
	for (i = 0; i < n && i < r->n; i++) {
		const struct dop *op = &ops[i];
		char sp[8] = "";

		if (r->skipped[i])
			continue;
		if (op->type == D_FORK) {
			fprintf(f, "%sclone %s %s%s\n%sexpect ok\n", pfx,
				sp_name[op->sp], sp_name[op->place],
				op->flags ? " eager" : "", pfx);
			continue;
		}
		if (op->type == D_EXIT) {
			fprintf(f, "%sclose %s\n", pfx, sp_name[op->sp]);
			a_closed |= !op->sp;
			continue;
		}
		/* once a is closed, no space is current: name it */
		if (op->sp || a_closed)
			snprintf(sp, sizeof(sp), "%s: ", sp_name[op->sp]);
		fprintf(f, "%s%s", pfx, sp);
		print_op(f, op, op->type == D_MMAP && op->place == PL_NOHINT ?
			 0 : win_addr(&r->asb, op->win, op->off));
		print_expect(f, pfx, op, &r->lx[i], &r->asb);
		if (i == r->mm.step)
			print_after(f, pfx, op, r);
	}
}
