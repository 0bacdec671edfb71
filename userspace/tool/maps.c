// SPDX-License-Identifier: GPL-2.0
/*
 * The VMAs of an address space as /proc/PID/maps shows them
 * (aspace_maps_line()), as a JSON array, or as lines to compare.
 *
 * JSON: one object a VMA, {"start": "0x..", "end": "0x..", "perms":
 * "rw-p", "offset": N, "dev": "00:00", "inode": N, "path": "[heap]",
 * "flags": ["rd", "wr", ...]}, the flags in the two-letter names of
 * VmFlags in /proc/PID/smaps: rd wr ex sh, gd (the stack), dc
 * (MADV_DONTFORK), wf (MADV_WIPEONFORK).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aspacectl.h"
#include "libaspace.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int print_line(const struct aspace_query *q, void *arg)
{
	char line[ASPACE_MAPS_LINE_MAX];

	aspace_maps_line(q, line, sizeof(line));
	fprintf(arg, "%s\n", line);
	return 0;
}

/**
 * aspacectl_print_maps() - print every VMA, one /proc/PID/maps line each
 * @fd: an aspace descriptor
 * @out: where to print
 *
 * Return: 0, or a negative errno.
 */
int aspacectl_print_maps(int fd, FILE *out)
{
	return aspace_walk_vmas(fd, print_line, out);
}

struct json_walk {
	FILE *out;
	int n;
};

static void print_flags(const struct aspace_query *q, FILE *out)
{
	static const struct {
		__u64 bit;
		const char *name;
	} flags[] = {
		{ ASPACE_VMA_READ, "rd" }, { ASPACE_VMA_WRITE, "wr" },
		{ ASPACE_VMA_EXEC, "ex" }, { ASPACE_VMA_SHARED, "sh" },
		{ ASPACE_VMA_STACK, "gd" }, { ASPACE_VMA_DONTFORK, "dc" },
		{ ASPACE_VMA_WIPEONFORK, "wf" },
	};
	size_t i;
	int n = 0;

	fputc('[', out);
	for (i = 0; i < ARRAY_SIZE(flags); i++)
		if (q->vma_flags & flags[i].bit)
			fprintf(out, "%s\"%s\"", n++ ? ", " : "", flags[i].name);
	fputc(']', out);
}

static int print_json(const struct aspace_query *q, void *arg)
{
	struct json_walk *w = arg;
	char line[ASPACE_MAPS_LINE_MAX], perms[5], dev[6];
	unsigned long long offset, inode;

	/* The fields exactly as the text line has them. */
	aspace_maps_line(q, line, sizeof(line));
	if (sscanf(line, "%*x-%*x %4s %llx %5s %llu", perms, &offset, dev,
		   &inode) != 4)
		return -EINVAL;
	fprintf(w->out, "%s{\"start\": ", w->n++ ? ", " : "");
	json_addr(w->out, q->vma_start);
	fputs(", \"end\": ", w->out);
	json_addr(w->out, q->vma_end);
	fprintf(w->out, ", \"perms\": \"%s\", \"offset\": %llu, ", perms, offset);
	fprintf(w->out, "\"dev\": \"%s\", \"inode\": %llu, \"path\": ", dev, inode);
	json_string(w->out, aspace_vma_name(q));
	fputs(", \"flags\": ", w->out);
	print_flags(q, w->out);
	fputc('}', w->out);
	return 0;
}

/**
 * aspacectl_print_maps_json() - every VMA as a JSON array (no newline)
 * @fd: an aspace descriptor
 * @out: where to print
 *
 * Return: 0, or a negative errno.
 */
int aspacectl_print_maps_json(int fd, FILE *out)
{
	struct json_walk w = { .out = out };
	int ret;

	fputc('[', out);
	ret = aspace_walk_vmas(fd, print_json, &w);
	fputc(']', out);
	return ret;
}

struct lines_walk {
	char **lines;
	int n;
};

static int add_line(const struct aspace_query *q, void *arg)
{
	struct lines_walk *w = arg;
	char line[ASPACE_MAPS_LINE_MAX], **p;

	aspace_maps_line(q, line, sizeof(line));
	p = realloc(w->lines, (w->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	w->lines = p;
	p[w->n] = strdup(line);
	if (!p[w->n])
		return -ENOMEM;
	w->n++;
	return 0;
}

/**
 * aspacectl_maps_lines() - every VMA as a maps line, in an array
 * @fd: an aspace descriptor
 * @lines: out: the lines (free each and the array)
 * @n: out: how many
 *
 * Return: 0, or a negative errno (nothing to free then).
 */
int aspacectl_maps_lines(int fd, char ***lines, int *n)
{
	struct lines_walk w = { 0 };
	int ret;

	ret = aspace_walk_vmas(fd, add_line, &w);
	if (ret) {
		while (w.n--)
			free(w.lines[w.n]);
		free(w.lines);
		return ret;
	}
	*lines = w.lines;
	*n = w.n;
	return 0;
}
