// SPDX-License-Identifier: GPL-2.0
/*
 * The operations of an experiment script: each parses its words (all a
 * dry run does), then calls libaspace and leaves what happened in the
 * run's result; those that show something print it, as text or JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aspacectl.h"
#include "libaspace.h"
#include "script.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Parse word @i of @op as a number; a message and -1 if it is not. */
static int arg_num(struct run *r, const struct op *op, int i, __u64 *v)
{
	char err[ERR_LEN];

	if (parse_expr(op->argv[i], &r->vars, v, err)) {
		run_error(r, op, "%s", err);
		return -1;
	}
	return 0;
}

/* The same for a function of parse.c. */
#define ARG(r, op, call) ({						\
	char err[ERR_LEN];						\
	int __ret = (call);						\
	if (__ret)							\
		run_error(r, op, "%s", err);				\
	__ret; })

static int do_mmap(struct run *r, const struct op *op, struct space *sp)
{
	__u64 addr, len, mapped = 0;
	__u32 prot, flags;
	int ret;

	if (arg_num(r, op, 0, &addr) || arg_num(r, op, 1, &len) ||
	    ARG(r, op, parse_prot(op->argv[2], &prot, err)) ||
	    ARG(r, op, parse_map_flags(op->argv[3], &flags, err)))
		return -1;
	if (r->dry)
		return 0;
	ret = aspace_mmap(sp->fd, addr, len, prot, flags, &mapped);
	run_result(r, ret, mapped, true);
	return 0;
}

static int do_munmap(struct run *r, const struct op *op, struct space *sp)
{
	__u64 addr, len;

	if (arg_num(r, op, 0, &addr) || arg_num(r, op, 1, &len))
		return -1;
	if (!r->dry)
		run_result(r, aspace_munmap(sp->fd, addr, len), 0, false);
	return 0;
}

static int do_mprotect(struct run *r, const struct op *op, struct space *sp)
{
	__u64 addr, len;
	__u32 prot;

	if (arg_num(r, op, 0, &addr) || arg_num(r, op, 1, &len) ||
	    ARG(r, op, parse_prot(op->argv[2], &prot, err)))
		return -1;
	if (!r->dry)
		run_result(r, aspace_mprotect(sp->fd, addr, len, prot), 0,
			   false);
	return 0;
}

static int do_brk(struct run *r, const struct op *op, struct space *sp)
{
	__u64 want = 0, brk = 0;
	int ret;

	if (op->argc && arg_num(r, op, 0, &want))
		return -1;
	if (r->dry)
		return 0;
	ret = aspace_brk(sp->fd, want, &brk);
	run_result(r, ret, brk, true);
	return 0;
}

static int do_madvise(struct run *r, const struct op *op, struct space *sp)
{
	__u64 addr, len;
	__u32 advice;

	if (arg_num(r, op, 0, &addr) || arg_num(r, op, 1, &len) ||
	    ARG(r, op, parse_advice(op->argv[2], &advice, err)))
		return -1;
	if (!r->dry)
		run_result(r, aspace_madvise(sp->fd, addr, len, advice), 0,
			   false);
	return 0;
}

static int do_write(struct run *r, const struct op *op, struct space *sp)
{
	struct data d;
	__u64 addr;
	ssize_t n;

	if (arg_num(r, op, 0, &addr) ||
	    ARG(r, op, parse_data(op->argc - 1, op->argv + 1, &r->vars, &d,
				  err)))
		return -1;
	if (!r->dry) {
		n = aspace_write(sp->fd, addr, d.p, d.len);
		run_result(r, n < 0 ? n : 0, n < 0 ? 0 : n, false);
	}
	free(d.p);
	return 0;
}

/* Sixteen bytes a line; a run of equal lines but the last shows as "*". */
static void hexdump(__u64 addr, const unsigned char *p, size_t len)
{
	size_t off, i;
	bool starred = false;

	for (off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		if (off && n == 16 && off + 16 < len &&
		    !memcmp(p + off, p + off - 16, 16)) {
			if (!starred)
				printf("*\n");
			starred = true;
			continue;
		}
		starred = false;
		printf("%08llx:", (unsigned long long)(addr + off));
		for (i = 0; i < 16; i++) {
			if (i < n)
				printf(" %02x", p[off + i]);
			else
				printf("   ");
		}
		printf("  |");
		for (i = 0; i < n; i++)
			putchar(p[off + i] >= 0x20 && p[off + i] < 0x7f ?
				p[off + i] : '.');
		printf("|\n");
	}
}

/* A JSON line of an operation that shows something: its start, up to KEY. */
void op_json_begin(const struct op *op, const struct space *sp,
		   const char *key)
{
	printf("{\"line\": %d, \"space\": ", op->line);
	json_string(stdout, sp->name);
	printf(", \"%s\": ", key);
}

static int do_read(struct run *r, const struct op *op, struct space *sp)
{
	unsigned char *buf;
	__u64 addr, len;
	ssize_t n;

	if (arg_num(r, op, 0, &addr) || arg_num(r, op, 1, &len))
		return -1;
	if (r->dry)
		return 0;
	buf = len <= (1ULL << 32) ? malloc(len ? len : 1) : NULL;
	if (!buf) {
		run_error(r, op, "cannot read %llu bytes at once",
			  (unsigned long long)len);
		return -1;
	}
	n = aspace_read(sp->fd, addr, buf, len);
	run_result(r, n < 0 ? n : 0, n < 0 ? 0 : n, false);
	if (n > 0 && r->opts->json) {
		op_json_begin(op, sp, "read");
		printf("{\"addr\": ");
		json_addr(stdout, addr);
		printf(", \"bytes\": ");
		json_bytes(stdout, buf, n);
		printf("}}\n");
	} else if (n > 0) {
		hexdump(addr, buf, n);
	}
	free(buf);
	return 0;
}

static int do_access(struct run *r, const struct op *op, struct space *sp)
{
	struct aspace_access out = { 0 };
	struct data d = { 0 };
	__u64 addr, len;
	__u32 kind;
	int ret;

	if (ARG(r, op, parse_access_kind(op->argv[0], &kind, err)) ||
	    arg_num(r, op, 1, &addr) || arg_num(r, op, 2, &len))
		return -1;
	if (op->argc > 3) {
		if (kind != ASPACE_ACCESS_WRITE) {
			run_error(r, op, "only a write takes bytes");
			return -1;
		}
		if (ARG(r, op, parse_data(op->argc - 3, op->argv + 3, &r->vars,
					  &d, err)))
			return -1;
		if (d.len != len && !r->dry) {
			run_error(r, op, "%zu bytes given for a write of %llu",
				  d.len, (unsigned long long)len);
			free(d.p);
			return -1;
		}
	}
	if (!r->dry) {
		ret = aspace_access(sp->fd, kind, addr, len, d.p, &out);
		run_result(r, ret, out.done, false);
		r->res.signo = out.signo;
		r->res.si_code = out.si_code;
		r->res.fault_addr = out.fault_addr;
	}
	free(d.p);
	return 0;
}

static int new_name(struct run *r, const struct op *op, const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || (p > name && *p >= '0' && *p <= '9')))
			break;
	if (*p || p == name) {
		run_error(r, op, "bad address space name '%s'", name);
		return -1;
	}
	if (space_find(r, name)) {
		run_error(r, op, "address space '%s' exists already", name);
		return -1;
	}
	return 0;
}

static int do_open(struct run *r, const struct op *op, struct space *sp)
{
	int fd = -1;

	(void)sp;
	if (new_name(r, op, op->argv[0]))
		return -1;
	if (!r->dry) {
		fd = aspacectl_open_dev();
		run_result(r, fd < 0 ? fd : 0, 0, false);
		if (fd < 0)
			return 0;
	}
	space_add(r, op->argv[0], fd);
	return 0;
}

/* clone [FROM] NAME [eager] */
static int do_clone(struct run *r, const struct op *op, struct space *sp)
{
	const char *name, *from = NULL;
	int argc = op->argc, fd = -1, ret;
	__u32 flags = 0;

	if (!strcmp(op->argv[argc - 1], "eager")) {
		flags |= ASPACE_CLONE_EAGER;
		argc--;
	}
	if (argc < 1 || argc > 2) {
		run_error(r, op, "usage: clone [FROM] NAME [eager]");
		return -1;
	}
	name = op->argv[argc - 1];
	if (argc == 2)
		from = op->argv[0];
	if (from) {
		sp = space_find(r, from);
		if (!sp) {
			run_error(r, op, "no address space '%s'", from);
			return -1;
		}
	} else if (!sp) {
		run_error(r, op, "no address space to clone (the current one was closed)");
		return -1;
	}
	if (new_name(r, op, name))
		return -1;
	if (!r->dry) {
		ret = aspace_clone(sp->fd, flags, &fd);
		run_result(r, ret, 0, false);
		if (ret)
			return 0;
	}
	space_add(r, name, fd);
	return 0;
}

static int do_use(struct run *r, const struct op *op, struct space *sp)
{
	(void)sp;
	r->cur = space_find(r, op->argv[0]);
	if (!r->cur) {
		run_error(r, op, "no address space '%s'", op->argv[0]);
		return -1;
	}
	return 0;
}

static int do_close(struct run *r, const struct op *op, struct space *sp)
{
	if (op->argc) {
		sp = space_find(r, op->argv[0]);
		if (!sp) {
			run_error(r, op, "no address space '%s'", op->argv[0]);
			return -1;
		}
	} else if (!sp) {
		run_error(r, op, "no address space to close");
		return -1;
	}
	space_remove(r, sp);
	if (!r->dry)
		run_result(r, 0, 0, false);
	return 0;
}

/* Linux's vm.mmap_min_addr on x86_64, the module's default too. */
#define DEFAULT_MMAP_MIN_ADDR	0x10000

/*
 * layout: print it.  layout WORD... NAME=VALUE...: set it; what is not
 * given is the default (zero asks the module for it; mmap_min_addr has
 * no such zero, so it is given as the default).
 */
static int do_layout(struct run *r, const struct op *op, struct space *sp)
{
	struct aspace_layout l = { .mmap_min_addr = DEFAULT_MMAP_MIN_ADDR };
	__u32 clear = 0;
	int i, ret;

	for (i = 0; i < op->argc; i++) {
		char err[ERR_LEN];

		if (strchr(op->argv[i], '=')) {
			if (fields_assign(&layout_fields, &l, op->argv[i],
					  &r->vars, err)) {
				run_error(r, op, "%s", err);
				return -1;
			}
		} else if (parse_layout_flag(op->argv[i], &l.flags, &clear)) {
			run_error(r, op, "bad layout word '%s' (la57, 4level, "
				  "legacy, topdown, stack, nostack, NAME=VALUE)",
				  op->argv[i]);
			return -1;
		}
	}
	l.flags &= ~clear;
	if (r->dry)
		return 0;
	if (op->argc) {
		run_result(r, aspace_set_layout(sp->fd, &l), 0, false);
		return 0;
	}
	ret = aspace_get_layout(sp->fd, &l);
	run_result(r, ret, 0, false);
	if (!ret && r->opts->json) {
		op_json_begin(op, sp, "layout");
		fields_print_json(&layout_fields, &l, stdout);
		printf("}\n");
	} else if (!ret) {
		fields_print(&layout_fields, &l, stdout);
	}
	return 0;
}

/* limits: print them; limits KEY=VALUE...: change those. */
static int do_limits(struct run *r, const struct op *op, struct space *sp)
{
	struct aspace_limits l = { 0 };
	int i, ret = 0;

	if (!r->dry)
		ret = aspace_get_limits(sp->fd, &l);
	for (i = 0; i < op->argc; i++) {
		char err[ERR_LEN];

		if (fields_assign(&limits_fields, &l, op->argv[i], &r->vars,
				  err)) {
			run_error(r, op, "%s", err);
			return -1;
		}
	}
	if (r->dry)
		return 0;
	if (!ret && op->argc)
		ret = aspace_set_limits(sp->fd, &l);
	run_result(r, ret, 0, false);
	if (ret || op->argc)
		return 0;
	if (r->opts->json) {
		op_json_begin(op, sp, "limits");
		fields_print_json(&limits_fields, &l, stdout);
		printf("}\n");
	} else {
		fields_print(&limits_fields, &l, stdout);
	}
	return 0;
}

static int do_maps(struct run *r, const struct op *op, struct space *sp)
{
	int ret;

	if (r->dry)
		return 0;
	if (r->opts->json) {
		op_json_begin(op, sp, "maps");
		ret = aspacectl_print_maps_json(sp->fd, stdout);
		printf("}\n");
	} else {
		ret = aspacectl_print_maps(sp->fd, stdout);
	}
	run_result(r, ret, 0, false);
	return 0;
}

static int do_stats(struct run *r, const struct op *op, struct space *sp)
{
	struct aspace_stats st;
	int ret;

	if (r->dry)
		return 0;
	ret = aspace_stats(sp->fd, &st);
	run_result(r, ret, 0, false);
	if (ret)
		return 0;
	if (r->opts->json) {
		op_json_begin(op, sp, "stats");
		fields_print_json(&stats_fields, &st, stdout);
		printf("}\n");
	} else {
		fields_print(&stats_fields, &st, stdout);
	}
	return 0;
}

static int do_echo(struct run *r, const struct op *op, struct space *sp)
{
	(void)sp;
	if (r->dry)
		return 0;
	if (r->opts->json) {
		printf("{\"line\": %d, \"echo\": ", op->line);
		json_string(stdout, op->rest);
		printf("}\n");
	} else {
		printf("%s\n", op->rest);
	}
	return 0;
}

static int do_expect(struct run *r, const struct op *op, struct space *sp)
{
	return expect_run(r, op, sp);
}

/*
 * The operations.  A new one is a line here and a function above (or in
 * ops_introspect.c); an expectation about it goes in expect.c.
 */
static const struct op_desc ops[] = {
	{ "mmap", "mmap ADDR LEN PROT FLAGS", 4, 4, true, false, do_mmap },
	{ "munmap", "munmap ADDR LEN", 2, 2, true, false, do_munmap },
	{ "mprotect", "mprotect ADDR LEN PROT", 3, 3, true, false,
	  do_mprotect },
	{ "brk", "brk [ADDR]", 0, 1, true, false, do_brk },
	{ "madvise", "madvise ADDR LEN ADVICE", 3, 3, true, false,
	  do_madvise },
	{ "write", "write ADDR BYTES...", 2, -1, true, false, do_write },
	{ "read", "read ADDR LEN", 2, 2, true, true, do_read },
	{ "access", "access read|write|exec ADDR LEN [BYTES...]", 3, -1,
	  true, false, do_access },
	{ "open", "open NAME", 1, 1, false, false, do_open },
	{ "clone", "clone [FROM] NAME [eager]", 1, 3, false, false,
	  do_clone },
	{ "use", "use NAME", 1, 1, false, false, do_use },
	{ "close", "close [NAME]", 0, 1, false, false, do_close },
	{ "layout", "layout [la57|4level] [legacy|topdown] [stack|nostack] [NAME=VALUE...]",
	  0, -1, true, true, do_layout },
	{ "limits", "limits [NAME=VALUE...]", 0, -1, true, true, do_limits },
	{ "maps", "maps", 0, 0, true, true, do_maps },
	{ "stats", "stats", 0, 0, true, true, do_stats },
	{ "translate", "translate ADDR", 1, 1, true, true, op_translate },
	{ "ptdump", "ptdump [ADDR LEN] [holes] [mask=BITS]", 0, 4, true, true,
	  op_ptdump },
	{ "pageflags", "pageflags [ADDR LEN] [CATEGORY|!CATEGORY...]", 0, -1,
	  true, true, op_pageflags },
	{ "clear_refs", "clear_refs [ADDR LEN] [accessed] [dirty]", 0, 4, true,
	  false, op_clear_refs },
	{ "echo", "echo TEXT", 0, -1, false, true, do_echo },
	{ "expect", "expect WHAT ...", 1, -1, false, false, do_expect },
};

const struct op_desc *op_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(ops[i].name, name))
			return &ops[i];
	return NULL;
}

