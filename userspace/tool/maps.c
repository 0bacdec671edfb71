// SPDX-License-Identifier: GPL-2.0
/*
 * Print the VMAs of an address space the way /proc/PID/maps does.
 */
#include <errno.h>
#include <stdio.h>

#include "aspacectl.h"
#include "libaspace.h"

static const char *vma_name(const struct aspace_query *q)
{
	if (q->vma_flags & ASPACE_VMA_HEAP)
		return "[heap]";
	if (q->vma_flags & ASPACE_VMA_STACK)
		return "[stack]";
	if (q->vma_flags & ASPACE_VMA_SHARED)
		return "/dev/zero (deleted)";
	return "";
}

static void print_vma(const struct aspace_query *q, FILE *out)
{
	int len;

	len = fprintf(out, "%08llx-%08llx %c%c%c%c %08llx 00:00 %llu ",
		      (unsigned long long)q->vma_start,
		      (unsigned long long)q->vma_end,
		      q->vma_flags & ASPACE_VMA_READ ? 'r' : '-',
		      q->vma_flags & ASPACE_VMA_WRITE ? 'w' : '-',
		      q->vma_flags & ASPACE_VMA_EXEC ? 'x' : '-',
		      q->vma_flags & ASPACE_VMA_SHARED ? 's' : 'p',
		      (unsigned long long)q->vma_page_offset,
		      (unsigned long long)q->vma_id);
	if (*vma_name(q))
		fprintf(out, "%*s%s", len < 73 ? 73 - len : 1, "", vma_name(q));
	fputc('\n', out);
}

/**
 * aspacectl_print_maps() - print every VMA, one /proc/PID/maps line each
 * @fd: an aspace descriptor
 * @out: where to print
 *
 * Return: the number of VMAs printed, or a negative errno.
 */
int aspacectl_print_maps(int fd, FILE *out)
{
	struct aspace_query q;
	__u64 addr = 0;
	int n = 0, ret;

	for (;;) {
		ret = aspace_query(fd, addr, ASPACE_QUERY_COVERING_OR_NEXT, &q);
		if (ret == -ENOENT)
			return n;
		if (ret)
			return ret;
		print_vma(&q, out);
		n++;
		addr = q.vma_end;
	}
}
