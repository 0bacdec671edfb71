/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The experiment scripts of `aspacectl run`: what the reader (script.c)
 * makes of a file, the values its operations take (parse.c), and the
 * state the runner (run.c) and the expectations (expect.c) share.
 *
 * A script is read whole first, then run twice: a dry run that only
 * parses every argument (a script that does not parse runs nothing, exit
 * status 2), then the real run.
 */
#ifndef _ASPACECTL_SCRIPT_H
#define _ASPACECTL_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>

/* Room for one error message. */
#define ERR_LEN		512

/* One line of a script (with the block of an `expect maps`). */
struct op {
	int line;		/* 1-based line number */
	char *text;		/* the line as written, without its comment */
	char *space;		/* the NAME of a "NAME:" prefix, or NULL */
	char *var;		/* the VAR of "VAR = op ...", or NULL */
	char *name;		/* the operation: "mmap", "expect", ... */
	const char *rest;	/* in @text: what follows the operation */
	int argc;		/* the words after it */
	char **argv;
	int nblock;		/* expect maps: the lines up to "end" */
	char **block;
};

struct script {
	const char *file;	/* for messages: FILE:LINE */
	int nops;
	struct op *ops;
};

int script_read(FILE *in, const char *file, struct script *s);
void script_free(struct script *s);

/* Variables: "VAR = op" sets one, "$VAR" reads it. */
struct var {
	char *name;
	__u64 value;
	bool set;		/* false: declared by the dry run only */
};

struct vars {
	int n;
	struct var *v;
	bool dry;		/* a declared variable reads as 0 */
};

struct var *vars_find(struct vars *vars, const char *name);
int vars_assign(struct vars *vars, const char *name, __u64 value, bool set);
void vars_free(struct vars *vars);

/* parse.c: the values operations take; err gets a message on failure. */
int parse_expr(const char *s, struct vars *vars, __u64 *out, char *err);
int parse_prot(const char *s, __u32 *out, char *err);
int parse_map_flags(const char *s, __u32 *out, char *err);
int parse_advice(const char *s, __u32 *out, char *err);
int parse_access_kind(const char *s, __u32 *out, char *err);
int parse_layout_flag(const char *s, __u32 *set, __u32 *clear);
int parse_errno(const char *s, int *out);
int parse_si_code(const char *s, int *out);
const char *errno_name(int err);
const char *si_code_name(int code);
const char *access_kind_name(__u32 kind);

/* Bytes to write or expect: "string", hex bytes, fill=N*BYTE. */
struct data {
	unsigned char *p;
	size_t len;
};

int parse_data(int argc, char **argv, struct vars *vars, struct data *d,
	       char *err);

/* What the previous operation did, for the expect lines after it. */
struct result {
	const struct op *op;	/* NULL before the first operation */
	int err;		/* the errno it failed with, 0 if none */
	bool has_value;		/* an address or byte count in @value */
	bool hex;		/* @value is an address */
	__u64 value;
	int signo;		/* access: the signal, 0 if none */
	int si_code;
	__u64 fault_addr;
	bool checked;		/* an expect line looked at it */
};

/* An address space of the script, by name. */
struct space {
	char *name;
	int fd;			/* -1 in the dry run */
};

/* How `run` reports: the transcript, JSON lines, failures. */
struct run_opts {
	bool quiet;		/* no transcript, only what ops print */
	bool json;		/* maps, stats, ...: JSON lines */
	bool keep_going;	/* go on after a failed expectation */
};

struct run {
	const struct script *script;
	const struct run_opts *opts;
	bool dry;
	int nspaces;
	struct space **spaces;
	struct space *cur;	/* NULL once it was closed */
	struct vars vars;
	struct result res;
	int nexpect;		/* expectations met */
	int failed;		/* expectations and operations that failed */
	bool stop;		/* a failure ends the run (no keep_going) */
	__u64 xlate_addr;	/* the address of the last translate */
	bool has_xlate;
};

/*
 * Messages pointing at FILE:LINE of @op: run_error() for a script that
 * cannot go on (does not parse, or a value it needs is missing),
 * run_fail() for a failed expectation or operation.
 */
void run_error(struct run *r, const struct op *op, const char *fmt, ...);
void run_fail(struct run *r, const struct op *op, const char *fmt, ...);

/* The message for an operation with no address space to act on. */
extern const char no_space[];
void result_describe(const struct result *res, char *buf, size_t size);

/*
 * An operation or expectation: parses its arguments (and stops there in
 * the dry run), then does it.  Returns 0, or -1 if the script must stop
 * (the message is out).
 */
int expect_run(struct run *r, const struct op *op, struct space *sp);
bool expect_line_matches(const char *want, const char *got);
void expect_print_lines(const char *what, char **lines, int n, char **other,
			int nother);

int run_script(const struct script *s, const struct run_opts *opts,
	       bool dry);

/* run.c: the operation's result, and the address spaces by name. */
void run_result(struct run *r, int ret, __u64 value, bool hex);
struct space *space_find(struct run *r, const char *name);
struct space *space_add(struct run *r, const char *name, int fd);
void space_remove(struct run *r, struct space *sp);

/* ops.c: the operations by name. */
struct op_desc {
	const char *name;
	const char *usage;
	int min, max;		/* words after the name; -1: no maximum */
	bool space;		/* acts on an address space */
	bool shows;		/* prints something: its line comes first */
	int (*fn)(struct run *r, const struct op *op, struct space *sp);
};

const struct op_desc *op_find(const char *name);
void op_json_begin(const struct op *op, const struct space *sp,
		   const char *key);

/* ops_introspect.c: translate, ptdump, pageflags, clear_refs. */
int op_translate(struct run *r, const struct op *op, struct space *sp);
int op_ptdump(struct run *r, const struct op *op, struct space *sp);
int op_pageflags(struct run *r, const struct op *op, struct space *sp);
int op_clear_refs(struct run *r, const struct op *op, struct space *sp);
int expect_translate(struct run *r, const struct op *op, struct space *sp);
int expect_pageflags(struct run *r, const struct op *op, struct space *sp);
int expect_ptdump(struct run *r, const struct op *op, struct space *sp);

#endif /* _ASPACECTL_SCRIPT_H */
