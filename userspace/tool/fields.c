// SPDX-License-Identifier: GPL-2.0
/*
 * The fields of struct aspace_stats, aspace_layout and aspace_limits by
 * name: printed as NAME=VALUE lines or a JSON object, set from NAME=VALUE
 * words (layout, limits) and compared with them (expect stats, ...).
 * The names are the struct's, with the page-table levels of stats as
 * pgtable_pt, _pd, _pdpt, _pml4 and _pml5.  (The fields of a translation
 * are in view.c.)
 */
#include <stdlib.h>
#include <string.h>

#include "aspacectl.h"
#include "libaspace.h"
#include "script.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define STAT(name, f)	{ name, offsetof(struct aspace_stats, f), F_DEC }
#define LAYOUT(f, k)	{ #f, offsetof(struct aspace_layout, f), k }
#define LIMIT(f)	{ #f, offsetof(struct aspace_limits, f), F_LIMIT }

static const struct field stats_list[] = {
	STAT("nr_vmas", nr_vmas),
	STAT("mapped_bytes", mapped_bytes),
	STAT("data_bytes", data_bytes),
	STAT("resident_pages", resident_pages),
	STAT("shared_pages", shared_pages),
	STAT("pgtable_pt", pgtable_pages[0]),
	STAT("pgtable_pd", pgtable_pages[1]),
	STAT("pgtable_pdpt", pgtable_pages[2]),
	STAT("pgtable_pml4", pgtable_pages[3]),
	STAT("pgtable_pml5", pgtable_pages[4]),
	STAT("faults", faults),
	STAT("cow_breaks", cow_breaks),
	STAT("zero_page_maps", zero_page_maps),
};

static const struct field layout_list[] = {
	LAYOUT(flags, F_LAYOUT_FLAGS),
	LAYOUT(mmap_min_addr, F_HEX),
	LAYOUT(mmap_base, F_HEX),
	LAYOUT(heap_start, F_HEX),
	LAYOUT(stack_size, F_HEX),
	LAYOUT(stack_guard_gap, F_HEX),
	LAYOUT(task_size, F_HEX),
};

static const struct field limits_list[] = {
	LIMIT(max_map_count),
	LIMIT(as_bytes),
	LIMIT(data_bytes),
	LIMIT(resident_bytes),
	LIMIT(stack_bytes),
};

const struct field_set stats_fields = {
	"stats", stats_list, ARRAY_SIZE(stats_list),
};

const struct field_set layout_fields = {
	"layout", layout_list, ARRAY_SIZE(layout_list),
};

const struct field_set limits_fields = {
	"limits", limits_list, ARRAY_SIZE(limits_list),
};

static const char * const layout_flag_names[] = { "la57", "legacy", "stack" };

static __u64 get(const struct field *f, const void *st)
{
	const char *p = (const char *)st + f->off;

	if (f->kind == F_LAYOUT_FLAGS)
		return *(const __u32 *)p;
	return *(const __u64 *)p;
}

static void put(const struct field *f, void *st, __u64 v)
{
	char *p = (char *)st + f->off;

	if (f->kind == F_LAYOUT_FLAGS)
		*(__u32 *)p = v;
	else
		*(__u64 *)p = v;
}

/* The value as the text output shows it. */
static void format(const struct field *f, __u64 v, char *buf, size_t size)
{
	size_t i, len = 0;

	switch (f->kind) {
	case F_DEC:
		snprintf(buf, size, "%llu", (unsigned long long)v);
		break;
	case F_BOOL:
		snprintf(buf, size, "%d", !!v);
		break;
	case F_HEX:
		snprintf(buf, size, "0x%llx", (unsigned long long)v);
		break;
	case F_LIMIT:
		if (v == ASPACE_LIMIT_INFINITY)
			snprintf(buf, size, "inf");
		else
			snprintf(buf, size, "%llu", (unsigned long long)v);
		break;
	case F_LAYOUT_FLAGS:
		buf[0] = '\0';
		for (i = 0; i < ARRAY_SIZE(layout_flag_names); i++)
			if (v & (1ULL << i))
				len += snprintf(buf + len, size - len, "%s%s",
						len ? "|" : "",
						layout_flag_names[i]);
		if (!len)
			snprintf(buf, size, "0");
		break;
	}
}

void fields_print(const struct field_set *fs, const void *st, FILE *out)
{
	char buf[64];
	int i;

	for (i = 0; i < fs->n; i++) {
		format(&fs->f[i], get(&fs->f[i], st), buf, sizeof(buf));
		fprintf(out, "%s=%s\n", fs->f[i].name, buf);
	}
}

/* {"name": value, ...}: numbers, addresses as "0x..", no limit as null. */
void fields_print_json(const struct field_set *fs, const void *st, FILE *out)
{
	char buf[64];
	int i;

	fputc('{', out);
	for (i = 0; i < fs->n; i++) {
		const struct field *f = &fs->f[i];
		__u64 v = get(f, st);

		fprintf(out, "%s\"%s\": ", i ? ", " : "", f->name);
		if (f->kind == F_HEX) {
			json_addr(out, v);
		} else if (f->kind == F_LAYOUT_FLAGS) {
			format(f, v, buf, sizeof(buf));
			json_string(out, buf);
		} else if (f->kind == F_BOOL) {
			fputs(v ? "true" : "false", out);
		} else if (f->kind == F_LIMIT && v == ASPACE_LIMIT_INFINITY) {
			fputs("null", out);
		} else {
			fprintf(out, "%llu", (unsigned long long)v);
		}
	}
	fputc('}', out);
}

static const struct field *lookup(const struct field_set *fs, const char *name,
				  size_t len)
{
	int i;

	for (i = 0; i < fs->n; i++)
		if (strlen(fs->f[i].name) == len &&
		    !strncmp(fs->f[i].name, name, len))
			return &fs->f[i];
	return NULL;
}

static int parse_value(const struct field *f, const char *s,
		       struct vars *vars, __u64 *v, char *err)
{
	if (f->kind == F_LIMIT && (!strcmp(s, "inf") || !strcmp(s, "unlimited"))) {
		*v = ASPACE_LIMIT_INFINITY;
		return 0;
	}
	if (f->kind == F_BOOL && (!strcmp(s, "true") || !strcmp(s, "false"))) {
		*v = s[0] == 't';
		return 0;
	}
	if (f->kind == F_LAYOUT_FLAGS) {
		__u32 set = 0, clear = 0;
		char *copy = strdup(s), *word, *save = NULL;
		int ret = 0;

		if (!copy)
			return -1;
		if (strcmp(s, "0"))
			for (word = strtok_r(copy, "|", &save); word && !ret;
			     word = strtok_r(NULL, "|", &save))
				ret = parse_layout_flag(word, &set, &clear);
		free(copy);
		if (ret) {
			snprintf(err, ERR_LEN, "bad layout flags '%s' (la57|legacy|stack, or 0)",
				 s);
			return -1;
		}
		*v = set;
		return 0;
	}
	return parse_expr(s, vars, v, err);
}

static const struct field *split_assign(const struct field_set *fs,
					const char *word, const char **value,
					char *err)
{
	const char *eq = strchr(word, '=');
	const struct field *f;
	int i, len = 0;

	f = eq ? lookup(fs, word, eq - word) : NULL;
	if (f) {
		*value = eq + 1;
		return f;
	}
	len = snprintf(err, ERR_LEN, "bad %s field '%s' (NAME=VALUE; names:",
		       fs->name, word);
	for (i = 0; i < fs->n && len < ERR_LEN; i++)
		len += snprintf(err + len, ERR_LEN - len, " %s", fs->f[i].name);
	if (len < ERR_LEN)
		snprintf(err + len, ERR_LEN - len, ")");
	return NULL;
}

/**
 * fields_assign() - set a field from a NAME=VALUE word
 * @fs: the struct's fields
 * @st: the struct
 * @word: NAME=VALUE
 * @vars: for the value
 * @err: the message on failure
 *
 * Return: 0, or -1.
 */
int fields_assign(const struct field_set *fs, void *st, const char *word,
		  struct vars *vars, char *err)
{
	const struct field *f;
	const char *value;
	__u64 v;

	f = split_assign(fs, word, &value, err);
	if (!f || parse_value(f, value, vars, &v, err))
		return -1;
	put(f, st, v);
	return 0;
}

/**
 * fields_check() - compare a field with a NAME=VALUE word
 * @fs: the struct's fields
 * @st: the struct
 * @word: NAME=VALUE
 * @vars: for the value
 * @err: the message on failure or mismatch
 *
 * Return: 0 if equal, 1 if not ("expected NAME=..., got NAME=..." in
 * @err), -1 if @word does not parse.
 */
int fields_check(const struct field_set *fs, const void *st, const char *word,
		 struct vars *vars, char *err)
{
	char want[64], got[64];
	const struct field *f;
	const char *value;
	__u64 v;

	f = split_assign(fs, word, &value, err);
	if (!f || parse_value(f, value, vars, &v, err))
		return -1;
	if (get(f, st) == v || (f->kind == F_BOOL && !get(f, st) == !v))
		return 0;
	format(f, v, want, sizeof(want));
	format(f, get(f, st), got, sizeof(got));
	snprintf(err, ERR_LEN, "expected %s=%s, got %s=%s", f->name, want,
		 f->name, got);
	return 1;
}
