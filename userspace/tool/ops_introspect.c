// SPDX-License-Identifier: GPL-2.0
/*
 * The introspection operations of a script and their expect lines:
 *
 *   translate ADDR                        => the last entry read
 *   ptdump [ADDR LEN] [holes] [mask=BITS] => the number of ranges
 *   pageflags [ADDR LEN] [CAT|!CAT...]    => the number of pages shown
 *   clear_refs [ADDR LEN] [accessed|dirty]
 *   expect translate [ADDR] NAME=VALUE...
 *   expect pageflags ADDR LEN [pages=N] [CAT|!CAT...]
 *   expect ptdump [ADDR LEN] [holes] [mask=BITS], the lines, end
 *
 * Without ADDR LEN an operation covers the whole address space.  A range
 * is given when the first word is a number or a $VAR.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aspacectl.h"
#include "libaspace.h"
#include "script.h"

#define PAGE_SIZE	4096ULL

static int num(struct run *r, const struct op *op, const char *s, __u64 *v)
{
	char err[ERR_LEN];

	if (parse_expr(s, &r->vars, v, err)) {
		run_error(r, op, "%s", err);
		return -1;
	}
	return 0;
}

/*
 * [ADDR LEN] at word @i of @op: the words it took (0 or 2), or -1 after
 * a message.  Without it, [0, task size) (0 in the dry run).
 */
static int range_words(struct run *r, const struct op *op, int i,
		       struct space *sp, __u64 *start, __u64 *end)
{
	const char *w = i < op->argc ? op->argv[i] : "";
	__u64 len;
	int ret;

	if (isdigit((unsigned char)w[0]) || w[0] == '$') {
		if (i + 1 >= op->argc) {
			run_error(r, op, "a range is ADDR LEN: the LEN is missing");
			return -1;
		}
		if (num(r, op, w, start) || num(r, op, op->argv[i + 1], &len))
			return -1;
		*end = *start + len;
		return 2;
	}
	*start = 0;
	*end = 0;
	if (r->dry)
		return 0;
	ret = view_task_size(sp->fd, end);
	if (ret)
		run_error(r, op, "cannot read the layout: %s", strerror(-ret));
	return ret ? -1 : 0;
}

/* holes and mask=BITS, from word @i on. */
static int dump_words(struct run *r, const struct op *op, int i,
		      __u32 *flags, __u64 *mask)
{
	char err[ERR_LEN];

	*flags = 0;
	*mask = 0;
	for (; i < op->argc; i++) {
		const char *w = op->argv[i];

		if (!strcmp(w, "holes")) {
			*flags |= ASPACE_PTDUMP_HOLES;
		} else if (!strncmp(w, "mask=", 5)) {
			if (parse_pte_mask(w + 5, mask, err)) {
				run_error(r, op, "%s", err);
				return -1;
			}
		} else {
			run_error(r, op, "bad ptdump word '%s' (ADDR LEN, holes, mask=BITS)",
				  w);
			return -1;
		}
	}
	return 0;
}

/* CAT|!CAT words from @i on into @scan (category_mask, _inverted). */
static int category_words(struct run *r, const struct op *op, int i,
			  struct aspace_pagescan *scan)
{
	char err[ERR_LEN];

	for (; i < op->argc; i++) {
		if (parse_category(op->argv[i], &scan->category_mask,
				   &scan->category_inverted)) {
			category_error(op->argv[i], err);
			run_error(r, op, "%s", err);
			return -1;
		}
	}
	scan->category_mask |= scan->category_inverted;
	return 0;
}

int op_translate(struct run *r, const struct op *op, struct space *sp)
{
	struct aspace_translate t;
	__u64 addr;
	int ret;

	if (num(r, op, op->argv[0], &addr))
		return -1;
	r->xlate_addr = addr;
	r->has_xlate = true;
	if (r->dry)
		return 0;
	ret = aspace_translate(sp->fd, addr, &t);
	run_result(r, ret, ret ? 0 : t.entries[t.level % 5], true);
	if (ret)
		return 0;
	if (r->opts->json) {
		op_json_begin(op, sp, "translate");
		view_print_translate(&t, true, stdout);
		printf("}\n");
	} else {
		view_print_translate(&t, false, stdout);
	}
	return 0;
}

int op_ptdump(struct run *r, const struct op *op, struct space *sp)
{
	__u64 start, end, mask;
	__u32 flags;
	int n, ret;

	n = range_words(r, op, 0, sp, &start, &end);
	if (n < 0 || dump_words(r, op, n, &flags, &mask))
		return -1;
	if (r->dry)
		return 0;
	if (r->opts->json)
		op_json_begin(op, sp, "ptdump");
	ret = view_print_ptdump(sp->fd, start, end, flags, mask,
				r->opts->json, stdout);
	if (r->opts->json)
		printf("}\n");
	run_result(r, ret < 0 ? ret : 0, ret < 0 ? 0 : ret, false);
	return 0;
}

int op_pageflags(struct run *r, const struct op *op, struct space *sp)
{
	struct aspace_pagescan scan = { .return_mask = ASPACE_PAGE_CATEGORIES };
	__u64 pages = 0;
	int n, ret;

	n = range_words(r, op, 0, sp, &scan.start, &scan.end);
	if (n < 0 || category_words(r, op, n, &scan))
		return -1;
	if (r->dry)
		return 0;
	if (r->opts->json)
		op_json_begin(op, sp, "pageflags");
	ret = view_print_pages(sp->fd, &scan, r->opts->json, stdout, &pages);
	if (r->opts->json)
		printf("}\n");
	run_result(r, ret, pages, false);
	return 0;
}

int op_clear_refs(struct run *r, const struct op *op, struct space *sp)
{
	__u64 start, end;
	__u32 flags = 0;
	int i, n;

	n = range_words(r, op, 0, sp, &start, &end);
	if (n < 0)
		return -1;
	for (i = n; i < op->argc; i++) {
		if (!strcmp(op->argv[i], "accessed")) {
			flags |= ASPACE_CLEAR_ACCESSED;
		} else if (!strcmp(op->argv[i], "dirty")) {
			flags |= ASPACE_CLEAR_DIRTY;
		} else {
			run_error(r, op, "bad clear_refs word '%s' (ADDR LEN, accessed, dirty)",
				  op->argv[i]);
			return -1;
		}
	}
	if (!flags)
		flags = ASPACE_CLEAR_ACCESSED | ASPACE_CLEAR_DIRTY;
	if (!r->dry)
		run_result(r, aspace_clear_refs(sp->fd, start, end, flags), 0,
			   false);
	return 0;
}

/* expect translate [ADDR] NAME=VALUE... */
int expect_translate(struct run *r, const struct op *op, struct space *sp)
{
	struct aspace_translate t;
	struct translate_view v;
	int i = 1, ret, bad = 0;
	char err[ERR_LEN];
	__u64 addr = r->xlate_addr;

	if (op->argc > 1 && !strchr(op->argv[1], '=')) {
		if (num(r, op, op->argv[1], &addr))
			return -1;
		i++;
	} else if (!r->has_xlate) {
		run_error(r, op, "expect translate: no ADDR, and no translate before it");
		return -1;
	}
	if (i >= op->argc) {
		run_error(r, op, "usage: expect translate [ADDR] NAME=VALUE...");
		return -1;
	}
	memset(&v, 0, sizeof(v));
	if (!r->dry) {
		ret = aspace_translate(sp->fd, addr, &t);
		if (ret) {
			run_fail(r, op, "expect translate 0x%llx: %s",
				 (unsigned long long)addr, strerror(-ret));
			return 0;
		}
		translate_view(&t, &v);
	}
	for (; i < op->argc; i++) {
		ret = fields_check(&translate_fields, &v, op->argv[i], &r->vars,
				   err);
		if (ret < 0) {
			run_error(r, op, "%s", err);
			return -1;
		}
		if (ret && !r->dry) {
			run_fail(r, op, "expect translate 0x%llx of %s: %s",
				 (unsigned long long)addr, sp->name, err);
			bad++;
		}
	}
	if (!r->dry && !bad)
		r->nexpect++;
	return 0;
}

/* The first region of @scan, with its categories; 0 if there is none. */
static int first_region(int fd, struct aspace_pagescan *scan,
			struct aspace_page_region *reg)
{
	memset(reg, 0, sizeof(*reg));
	scan->vec = (__u64)(uintptr_t)reg;
	scan->vec_len = 1;
	scan->return_mask = ASPACE_PAGE_CATEGORIES;
	return aspace_pagescan(fd, scan);
}

/* The pages of [@start, @end) that fail @want and @not, or their count. */
static void check_pages(struct run *r, const struct op *op, struct space *sp,
			__u64 start, __u64 end, const struct aspace_pagescan *want,
			bool count, __u64 npages)
{
	struct aspace_pagescan scan = { .start = start, .end = end };
	struct aspace_page_region reg;
	char cats[ASPACE_PAGE_CATEGORIES_MAX];
	__u64 pages = 0;
	int ret;

	/* Any page at all: a scan without room stops at the first. */
	ret = aspace_pagescan(sp->fd, &scan);
	if (!ret && scan.walk_end >= end) {
		run_fail(r, op, "expect pageflags of %s: no page in 0x%llx-0x%llx "
			 "(no VMA covers it)", sp->name,
			 (unsigned long long)start, (unsigned long long)end);
		return;
	}
	if (!ret && count) {
		scan = *want;
		ret = view_print_pages(sp->fd, &scan, false, NULL, &pages);
	} else if (!ret) {
		/* A page fails if a wanted category is clear or a "!" one set. */
		memset(&scan, 0, sizeof(scan));
		scan.start = start;
		scan.end = end;
		scan.category_anyof_mask = want->category_mask;
		scan.category_inverted = want->category_mask &
					 ~want->category_inverted;
		ret = first_region(sp->fd, &scan, &reg);
	}
	if (ret) {
		run_fail(r, op, "expect pageflags: %s", strerror(-ret));
		return;
	}
	if (count && pages != npages) {
		run_fail(r, op, "expect pageflags of %s: expected %llu pages in "
			 "0x%llx-0x%llx, got %llu", sp->name,
			 (unsigned long long)npages, (unsigned long long)start,
			 (unsigned long long)end, (unsigned long long)pages);
		return;
	}
	if (!count && scan.nr_regions) {
		aspace_page_categories_str(reg.categories, cats, sizeof(cats));
		pages = (reg.end - reg.start) / PAGE_SIZE;
		run_fail(r, op, "expect pageflags of %s: 0x%llx-0x%llx (%llu page%s) "
			 "is %s", sp->name, (unsigned long long)reg.start,
			 (unsigned long long)reg.end, (unsigned long long)pages,
			 pages == 1 ? "" : "s", cats);
		return;
	}
	r->nexpect++;
}

/*
 * expect pageflags ADDR LEN [pages=N] [CAT|!CAT...]: every page a VMA
 * covers in the range has each CAT and no !CAT; with pages=N, exactly N
 * of them do.
 */
int expect_pageflags(struct run *r, const struct op *op, struct space *sp)
{
	struct aspace_pagescan want = { 0 };
	__u64 start, end, npages = 0;
	bool count = false;
	int i = 3, n;

	n = op->argc < 4 ? 0 : range_words(r, op, 1, sp, &start, &end);

	if (n < 0)
		return -1;
	if (n != 2) {
		run_error(r, op, "usage: expect pageflags ADDR LEN [pages=N] CAT|!CAT...");
		return -1;
	}
	if (!strncmp(op->argv[i], "pages=", 6)) {
		if (num(r, op, op->argv[i] + 6, &npages))
			return -1;
		count = true;
		i++;
	}
	if (category_words(r, op, i, &want))
		return -1;
	if (r->dry)
		return 0;
	want.start = start;
	want.end = end;
	check_pages(r, op, sp, start, end, &want, count, npages);
	return 0;
}

/* expect ptdump [ADDR LEN] [holes] [mask=BITS], then the lines, end */
int expect_ptdump(struct run *r, const struct op *op, struct space *sp)
{
	__u64 start, end, mask;
	__u32 flags;
	char **got;
	int i, n, ret;
	bool ok;

	n = range_words(r, op, 1, sp, &start, &end);
	if (n < 0 || dump_words(r, op, 1 + n, &flags, &mask))
		return -1;
	if (r->dry)
		return 0;
	ret = view_ptdump_lines(sp->fd, start, end, flags, mask, &got, &n);
	if (ret) {
		run_fail(r, op, "expect ptdump: %s", strerror(-ret));
		return 0;
	}
	ok = n == op->nblock;
	for (i = 0; ok && i < n; i++)
		ok = expect_line_matches(op->block[i], got[i]);
	if (ok) {
		r->nexpect++;
	} else {
		run_fail(r, op, "expect ptdump of %s: the dumps differ "
			 "(! marks the lines that differ)", sp->name);
		expect_print_lines("expected", op->block, op->nblock, got, n);
		expect_print_lines("got", got, n, op->block, op->nblock);
	}
	for (i = 0; i < n; i++)
		free(got[i]);
	free(got);
	return 0;
}
