// SPDX-License-Identifier: GPL-2.0
/*
 * The expect lines of a script:
 *
 *   expect ok | VALUE | ERRNO          the previous operation's result
 *   expect SIGSEGV [SEGV_MAPERR|SEGV_ACCERR] [at ADDR] [done=N]
 *   expect maps ... end                the maps lines, "*" for any field
 *   expect read ADDR BYTES...          the memory (read as pread does)
 *   expect stats|layout|limits NAME=VALUE...
 *   expect translate|pageflags|ptdump ...   (ops_introspect.c)
 *
 * A SPACE: prefix says whose maps, memory, stats, layout or limits.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "aspacectl.h"
#include "libaspace.h"
#include "script.h"

/* The previous operation's errno, fault or value. */
static int expect_result(struct run *r, const struct op *op)
{
	struct result *res = &r->res;
	const char *want = op->argv[0];
	char err[ERR_LEN], got[128];
	__u64 value = 0;
	int e = 0;
	bool ok;

	if (op->argc != 1) {
		run_error(r, op, "usage: expect ok|VALUE|ERRNO");
		return -1;
	}
	if (!strcmp(want, "ok")) {
		ok = !res->err && !res->signo;
	} else if (!parse_errno(want, &e)) {
		ok = res->err == e;
	} else if (!parse_expr(want, &r->vars, &value, err)) {
		ok = !res->err && !res->signo && res->value == value;
	} else {
		run_error(r, op, "expect what? '%s' is not ok, an errno name or a number: %s",
			  want, err);
		return -1;
	}
	if (r->dry)
		return 0;
	res->checked = true;
	if (ok) {
		r->nexpect++;
		return 0;
	}
	result_describe(res, got, sizeof(got));
	run_fail(r, op, "expected %s from '%s' (line %d), got %s", want,
		 res->op->text, res->op->line, got);
	return 0;
}

/* SIGSEGV [SEGV_MAPERR|SEGV_ACCERR] [at ADDR] [done=N] */
static int expect_signal(struct run *r, const struct op *op)
{
	struct result *res = &r->res;
	char err[ERR_LEN], got[128];
	__u64 addr = 0, done = 0;
	bool has_addr = false, has_done = false;
	int i, code = 0;

	for (i = 1; i < op->argc; i++) {
		const char *w = op->argv[i];

		if (!code && !parse_si_code(w, &code))
			continue;
		if (!strcmp(w, "at") && i + 1 < op->argc &&
		    !parse_expr(op->argv[i + 1], &r->vars, &addr, err)) {
			has_addr = true;
			i++;
			continue;
		}
		if (!strncmp(w, "done=", 5) &&
		    !parse_expr(w + 5, &r->vars, &done, err)) {
			has_done = true;
			continue;
		}
		run_error(r, op, "usage: expect SIGSEGV "
			  "[SEGV_MAPERR|SEGV_ACCERR] [at ADDR] [done=N]");
		return -1;
	}
	if (r->dry)
		return 0;
	res->checked = true;
	if (res->signo == SIGSEGV && !res->err && (!code || res->si_code == code) &&
	    (!has_addr || res->fault_addr == addr) &&
	    (!has_done || res->value == done)) {
		r->nexpect++;
		return 0;
	}
	result_describe(res, got, sizeof(got));
	run_fail(r, op, "expected %s from '%s' (line %d), got %s",
		 op->rest, res->op->text, res->op->line,
		 res->signo || res->err ? got : "no fault");
	return 0;
}

/* Equal but for runs of blanks; "*" in @want matches any one field. */
bool expect_line_matches(const char *want, const char *got)
{
	for (;;) {
		size_t wl, gl;

		want += strspn(want, " \t");
		got += strspn(got, " \t");
		if (!*want || !*got)
			return !*want && !*got;
		wl = strcspn(want, " \t");
		gl = strcspn(got, " \t");
		if (!(wl == 1 && *want == '*') &&
		    (wl != gl || strncmp(want, got, wl)))
			return false;
		want += wl;
		got += gl;
	}
}

/* Lines that differ from the other listing's are marked with a "!". */
void expect_print_lines(const char *what, char **lines, int n, char **other,
			int nother)
{
	int i;

	fprintf(stderr, "  %s:%s\n", what, n ? "" : " (no VMA)");
	for (i = 0; i < n; i++) {
		bool same = i < nother &&
			    (what[0] == 'e' ? expect_line_matches(lines[i], other[i]) :
					      expect_line_matches(other[i], lines[i]));

		fprintf(stderr, "  %c %s\n", same ? ' ' : '!', lines[i]);
	}
}

static int expect_maps(struct run *r, const struct op *op, struct space *sp)
{
	char **got;
	int i, n, ret;
	bool ok;

	if (op->argc != 1) {
		run_error(r, op, "usage: expect maps, then the lines, then end");
		return -1;
	}
	if (r->dry)
		return 0;
	ret = aspacectl_maps_lines(sp->fd, &got, &n);
	if (ret) {
		run_fail(r, op, "expect maps: cannot list the VMAs: %s",
			 strerror(-ret));
		return 0;
	}
	ok = n == op->nblock;
	for (i = 0; ok && i < n; i++)
		ok = expect_line_matches(op->block[i], got[i]);
	if (ok) {
		r->nexpect++;
	} else {
		run_fail(r, op, "expect maps of %s: the maps differ "
			 "(! marks the lines that differ)", sp->name);
		expect_print_lines("expected", op->block, op->nblock, got, n);
		expect_print_lines("got", got, n, op->block, op->nblock);
	}
	for (i = 0; i < n; i++)
		free(got[i]);
	free(got);
	return 0;
}

static int expect_read(struct run *r, const struct op *op, struct space *sp)
{
	unsigned char *buf = NULL;
	char err[ERR_LEN];
	struct data d;
	ssize_t n;
	size_t i;
	__u64 addr;

	if (op->argc < 3) {
		run_error(r, op, "usage: expect read ADDR BYTES...");
		return -1;
	}
	if (parse_expr(op->argv[1], &r->vars, &addr, err) ||
	    parse_data(op->argc - 2, op->argv + 2, &r->vars, &d, err)) {
		run_error(r, op, "%s", err);
		return -1;
	}
	if (r->dry || !d.len)
		goto out;
	buf = malloc(d.len);
	if (!buf) {
		run_error(r, op, "out of memory");
		free(d.p);
		return -1;
	}
	n = aspace_read(sp->fd, addr, buf, d.len);
	if (n < 0) {
		run_fail(r, op, "expected %zu bytes at 0x%llx, got none: %s (%s)",
			 d.len, (unsigned long long)addr, errno_name(-n),
			 strerror(-n));
		goto out;
	}
	for (i = 0; i < (size_t)n && buf[i] == d.p[i]; i++)
		;
	if (i == d.len) {
		r->nexpect++;
	} else if (i == (size_t)n) {
		run_fail(r, op, "expected %zu bytes at 0x%llx, only %zd could be read",
			 d.len, (unsigned long long)addr, n);
	} else {
		run_fail(r, op, "at 0x%llx (byte %zu of %zu): expected 0x%02x, got 0x%02x",
			 (unsigned long long)(addr + i), i, d.len, d.p[i],
			 buf[i]);
	}
out:
	free(buf);
	free(d.p);
	return 0;
}

/* expect stats|layout|limits NAME=VALUE... */
static int expect_fields(struct run *r, const struct op *op, struct space *sp,
			 const struct field_set *fs)
{
	union {
		struct aspace_stats stats;
		struct aspace_layout layout;
		struct aspace_limits limits;
	} u;
	char err[ERR_LEN];
	int i, ret = 0, bad = 0;

	if (op->argc < 2) {
		run_error(r, op, "usage: expect %s NAME=VALUE...", fs->name);
		return -1;
	}
	memset(&u, 0, sizeof(u));
	if (!r->dry && fs == &stats_fields)
		ret = aspace_stats(sp->fd, &u.stats);
	else if (!r->dry && fs == &layout_fields)
		ret = aspace_get_layout(sp->fd, &u.layout);
	else if (!r->dry)
		ret = aspace_get_limits(sp->fd, &u.limits);
	if (ret) {
		run_fail(r, op, "expect %s: %s", fs->name, strerror(-ret));
		return 0;
	}
	for (i = 1; i < op->argc; i++) {
		ret = fields_check(fs, &u, op->argv[i], &r->vars, err);
		if (ret < 0) {
			run_error(r, op, "%s", err);
			return -1;
		}
		if (ret && !r->dry) {
			run_fail(r, op, "expect %s of %s: %s", fs->name,
				 sp->name, err);
			bad++;
		}
	}
	if (!r->dry && !bad)
		r->nexpect++;
	return 0;
}

/**
 * expect_run() - an expect line
 * @r: the run
 * @op: the line
 * @sp: the address space it is about (NULL if it was closed)
 *
 * Return: 0 (met or not: run_fail() counts it), or -1 if the line is
 * wrong.
 */
int expect_run(struct run *r, const struct op *op, struct space *sp)
{
	const char *what = op->argv[0];
	bool of_space = !strcmp(what, "maps") || !strcmp(what, "read") ||
			!strcmp(what, "stats") || !strcmp(what, "layout") ||
			!strcmp(what, "limits") || !strcmp(what, "translate") ||
			!strcmp(what, "pageflags") || !strcmp(what, "ptdump");

	if (of_space && !sp) {
		run_error(r, op, "%s", no_space);
		return -1;
	}
	if (!strcmp(what, "maps"))
		return expect_maps(r, op, sp);
	if (!strcmp(what, "read"))
		return expect_read(r, op, sp);
	if (!strcmp(what, "stats"))
		return expect_fields(r, op, sp, &stats_fields);
	if (!strcmp(what, "layout"))
		return expect_fields(r, op, sp, &layout_fields);
	if (!strcmp(what, "limits"))
		return expect_fields(r, op, sp, &limits_fields);
	if (!strcmp(what, "translate"))
		return expect_translate(r, op, sp);
	if (!strcmp(what, "pageflags"))
		return expect_pageflags(r, op, sp);
	if (!strcmp(what, "ptdump"))
		return expect_ptdump(r, op, sp);
	if (!r->res.op) {
		run_error(r, op, "expect %s: no operation before it", what);
		return -1;
	}
	if (!strncmp(what, "SIG", 3)) {
		if (strcmp(what, "SIGSEGV")) {
			run_error(r, op, "only SIGSEGV can be expected");
			return -1;
		}
		return expect_signal(r, op);
	}
	return expect_result(r, op);
}
