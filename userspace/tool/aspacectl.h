/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the files of the aspacectl tool. */
#ifndef _ASPACECTL_H
#define _ASPACECTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>

#define ASPACECTL_VERSION	"1.0"

/* Exit statuses. */
#define EXIT_OK		0	/* done; every expectation met */
#define EXIT_FAILED	1	/* an operation or an expectation failed */
#define EXIT_USAGE	2	/* bad command line, or a script that does not parse */

/* aspacectl.c: global options. */
extern bool aspacectl_json;
int aspacectl_open_dev(void);

/* commands.c: --fd N, and the address space a command looks at. */
int aspacectl_fd_arg(const char *cmd, const char *arg, int *fd);
int aspacectl_view_fd(const char *cmd, int *fd);

/* The subcommands: argv[0] is the command's name. */
int aspacectl_info(int argc, char **argv);
int aspacectl_maps(int argc, char **argv);
int aspacectl_stats(int argc, char **argv);
int aspacectl_run(int argc, char **argv);
int aspacectl_demo(int argc, char **argv);
int aspacectl_ptdump(int argc, char **argv);
int aspacectl_translate(int argc, char **argv);
int aspacectl_pageflags(int argc, char **argv);

/* run.c: one script file ("-": standard input), its exit status. */
struct run_opts;
int aspacectl_run_file(const char *path, const struct run_opts *opts);
int aspacectl_run_options(int argc, char **argv, struct run_opts *opts,
			  const char *extra, bool *has_extra);

/* maps.c */
int aspacectl_print_maps(int fd, FILE *out);
int aspacectl_print_maps_json(int fd, FILE *out);
int aspacectl_maps_lines(int fd, char ***lines, int *n);

/* json.c */
void json_string(FILE *out, const char *s);
void json_addr(FILE *out, __u64 addr);
void json_bytes(FILE *out, const unsigned char *p, size_t len);

/* fields.c: the fields of stats, layout and limits by name. */
enum field_kind {
	F_DEC,			/* a count */
	F_HEX,			/* an address or size, shown in hex */
	F_LIMIT,		/* a limit: ASPACE_LIMIT_INFINITY is "inf" */
	F_LAYOUT_FLAGS,		/* a __u32 of ASPACE_LAYOUT_* */
	F_BOOL,			/* 0 or 1: true or false in JSON */
};

struct field {
	const char *name;
	size_t off;
	enum field_kind kind;
};

struct field_set {
	const char *name;
	const struct field *f;
	int n;
};

extern const struct field_set stats_fields, layout_fields, limits_fields;

struct vars;
void fields_print(const struct field_set *fs, const void *st, FILE *out);
void fields_print_json(const struct field_set *fs, const void *st, FILE *out);
int fields_assign(const struct field_set *fs, void *st, const char *word,
		  struct vars *vars, char *err);
int fields_check(const struct field_set *fs, const void *st, const char *word,
		 struct vars *vars, char *err);

/* view.c: what the introspection ioctls show, as text or JSON. */
struct aspace_translate;
struct aspace_pagescan;

/* A translation as fields (translate_fields): bits of the last entry. */
struct translate_view {
	__u64 addr, levels, level, present, zero_page, frames, phys, entry;
	__u64 rw, user, accessed, dirty, nx, cow, protnone;
	__u64 pt, pd, pdpt, pml4, pml5;
};

extern const struct field_set translate_fields;
void translate_view(const struct aspace_translate *t, struct translate_view *v);
void view_print_translate(const struct aspace_translate *t, bool json,
			  FILE *out);
int view_print_ptdump(int fd, __u64 start, __u64 end, __u32 flags,
		      __u64 mask, bool json, FILE *out);
int view_ptdump_lines(int fd, __u64 start, __u64 end, __u32 flags,
		      __u64 mask, char ***lines, int *n);
int view_print_pages(int fd, const struct aspace_pagescan *scan, bool json,
		     FILE *out, __u64 *pages);
int view_task_size(int fd, __u64 *end);
int parse_category(const char *s, __u64 *want, __u64 *not);
void category_error(const char *s, char *err);
int parse_pte_mask(const char *s, __u64 *mask, char *err);

#endif /* _ASPACECTL_H */
