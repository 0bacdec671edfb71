// SPDX-License-Identifier: GPL-2.0
/*
 * Running an experiment script: the address spaces by name, the result
 * of each operation, the transcript ("OP ... => RESULT"), failures that
 * no expect line accounts for, and the messages that point at FILE:LINE.
 * The operations are in ops.c, the expect lines in expect.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "aspacectl.h"
#include "libaspace.h"
#include "script.h"

const char no_space[] =
	"no current address space (it was closed): use NAME, or a NAME: prefix";

static void vmsg(struct run *r, const struct op *op, const char *fmt,
		 va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s:%d: ", r->script->file, op->line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void run_error(struct run *r, const struct op *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(r, op, fmt, ap);
	va_end(ap);
}

void run_fail(struct run *r, const struct op *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(r, op, fmt, ap);
	va_end(ap);
	r->failed++;
	if (!r->opts->keep_going)
		r->stop = true;
}

/* The result as the transcript shows it: "0x7ffff7ff0000", "-1 ENOMEM". */
void result_describe(const struct result *res, char *buf, size_t size)
{
	if (res->err)
		snprintf(buf, size, "-1 %s (%s)", errno_name(res->err),
			 strerror(res->err));
	else if (res->signo)
		snprintf(buf, size, "%llu SIGSEGV %s at 0x%llx",
			 (unsigned long long)res->value,
			 si_code_name(res->si_code),
			 (unsigned long long)res->fault_addr);
	else if (res->has_value && res->hex)
		snprintf(buf, size, "0x%llx", (unsigned long long)res->value);
	else
		snprintf(buf, size, "%llu", (unsigned long long)res->value);
}

void run_result(struct run *r, int ret, __u64 value, bool hex)
{
	r->res.err = ret < 0 ? -ret : 0;
	r->res.has_value = true;
	r->res.hex = hex;
	r->res.value = value;
}

struct space *space_find(struct run *r, const char *name)
{
	int i;

	for (i = 0; i < r->nspaces; i++)
		if (!strcmp(r->spaces[i]->name, name))
			return r->spaces[i];
	return NULL;
}

struct space *space_add(struct run *r, const char *name, int fd)
{
	struct space *sp = calloc(1, sizeof(*sp));
	struct space **p;

	p = realloc(r->spaces, (r->nspaces + 1) * sizeof(*p));
	if (sp)
		sp->name = strdup(name);
	if (!sp || !p || !sp->name) {
		perror("aspacectl");
		exit(EXIT_FAILED);
	}
	r->spaces = p;
	sp->fd = fd;
	r->spaces[r->nspaces++] = sp;
	return sp;
}

void space_remove(struct run *r, struct space *sp)
{
	int i;

	for (i = 0; i < r->nspaces; i++)
		if (r->spaces[i] == sp)
			break;
	memmove(&r->spaces[i], &r->spaces[i + 1],
		(r->nspaces - i - 1) * sizeof(sp));
	r->nspaces--;
	if (r->cur == sp)
		r->cur = NULL;
	if (sp->fd >= 0)
		aspace_close(sp->fd);
	free(sp->name);
	free(sp);
}

/* A failed operation, or a fault, that no expect line looked at. */
static void check_unchecked(struct run *r)
{
	const struct result *res = &r->res;
	char got[128];

	if (!res->op || res->checked || (!res->err && !res->signo))
		return;
	result_describe(res, got, sizeof(got));
	if (res->err)
		run_fail(r, res->op, "%s: failed: %s; if that is right, "
			 "say so on the next line: expect %s",
			 res->op->text, got, errno_name(res->err));
	else
		run_fail(r, res->op, "%s: faulted: %s; if that is right, "
			 "say so on the next line: expect SIGSEGV %s at 0x%llx",
			 res->op->text, got, si_code_name(res->si_code),
			 (unsigned long long)res->fault_addr);
}

/* The transcript: the line as written, then " => RESULT". */
static void transcript(struct run *r, const struct op *op,
		       const struct op_desc *d, bool before)
{
	/* layout and limits with words set, and show nothing. */
	bool shows = d->shows && !(op->argc && (!strcmp(d->name, "layout") ||
						!strcmp(d->name, "limits")));
	char res[128];

	if (r->dry || r->opts->quiet || r->opts->json ||
	    !strcmp(d->name, "echo") || !strcmp(d->name, "expect"))
		return;
	if (before && shows) {
		printf("%s\n", op->text);
		return;
	}
	if (before)
		return;
	if (shows) {
		if (r->res.err) {
			result_describe(&r->res, res, sizeof(res));
			printf("=> %s\n", res);
		}
		return;
	}
	if (!strcmp(d->name, "use") || !strcmp(d->name, "open"))
		return;
	result_describe(&r->res, res, sizeof(res));
	printf("%s => %s\n", op->text, res);
}

static int run_op(struct run *r, const struct op *op)
{
	const struct op_desc *d = op_find(op->name);
	struct space *sp = r->cur;
	bool expect;

	if (!d) {
		run_error(r, op, "unknown operation '%s'", op->name);
		return -1;
	}
	if (op->argc < d->min || (d->max >= 0 && op->argc > d->max)) {
		run_error(r, op, "usage: %s", d->usage);
		return -1;
	}
	if (op->space) {
		sp = space_find(r, op->space);
		if (!sp) {
			run_error(r, op, "no address space '%s'", op->space);
			return -1;
		}
	}
	if (d->space && !sp) {
		run_error(r, op, "%s", no_space);
		return -1;
	}
	expect = !strcmp(d->name, "expect");
	if (op->var && (expect || !strcmp(d->name, "echo"))) {
		run_error(r, op, "%s gives no value to set %s", d->name, op->var);
		return -1;
	}
	if (!expect) {
		check_unchecked(r);
		if (r->stop)
			return 0;
		memset(&r->res, 0, sizeof(r->res));
		r->res.op = op;
	}
	transcript(r, op, d, true);
	if (d->fn(r, op, sp))
		return -1;
	transcript(r, op, d, false);
	if (op->var)
		vars_assign(&r->vars, op->var, r->res.value,
			    !r->dry && !r->res.err && !r->res.signo);
	return 0;
}

/**
 * run_script() - run a script read by script_read()
 * @s: the script
 * @opts: how to report
 * @dry: only parse every operation's words (and follow the names of
 *	address spaces and variables); nothing is opened
 *
 * Return: EXIT_OK, EXIT_FAILED (an operation or expectation failed) or
 * EXIT_USAGE (the script is wrong: caught by the dry run).
 */
int run_script(const struct script *s, const struct run_opts *opts, bool dry)
{
	struct run r = { .script = s, .opts = opts, .dry = dry };
	int i, fd = -1, status = EXIT_OK;

	r.vars.dry = dry;
	if (!dry) {
		fd = aspacectl_open_dev();
		if (fd < 0)
			return EXIT_FAILED;
	}
	r.cur = space_add(&r, "a", fd);
	for (i = 0; i < s->nops && !r.stop; i++) {
		if (run_op(&r, &s->ops[i])) {
			status = dry ? EXIT_USAGE : EXIT_FAILED;
			break;
		}
	}
	if (status == EXIT_OK && !r.stop)
		check_unchecked(&r);
	if (r.failed)
		status = EXIT_FAILED;
	while (r.nspaces)
		space_remove(&r, r.spaces[0]);
	free(r.spaces);
	vars_free(&r.vars);
	if (!dry && status == EXIT_OK && !opts->quiet && !opts->json)
		printf("%s: %d expectations met\n", s->file, r.nexpect);
	else if (!dry && r.failed)
		fprintf(stderr, "%s: %d failure%s%s\n", s->file, r.failed,
			r.failed > 1 ? "s" : "",
			r.stop ? " (stopped at the first failure; -k goes on)" : "");
	return status;
}

/**
 * aspacectl_run_file() - read and run one script
 * @path: the file, or "-" for standard input
 * @opts: how to report
 *
 * Return: the exit status.
 */
int aspacectl_run_file(const char *path, const struct run_opts *opts)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct script s;
	FILE *in = stdin;
	int status;

	if (strcmp(path, "-")) {
		in = fopen(path, "r");
		if (!in) {
			fprintf(stderr, "aspacectl: %s: %s\n", path,
				strerror(errno));
			return EXIT_FAILED;
		}
	}
	status = script_read(in, name, &s);
	if (in != stdin)
		fclose(in);
	if (status)
		return EXIT_USAGE;
	status = run_script(&s, opts, true);
	if (status == EXIT_OK)
		status = run_script(&s, opts, false);
	script_free(&s);
	return status;
}
