// SPDX-License-Identifier: GPL-2.0
/*
 * What the introspection ioctls show, for the commands ptdump, translate
 * and pageflags and for the same operations in scripts: as text (the
 * lines of libaspace's renderers) or as JSON, and the words that choose
 * what to show (page categories, entry bits, ranges).
 *
 * JSON:
 *   ptdump    {"start": "0x..", "end": "0x..", "ranges": [{"start": "0x..",
 *             "end": "0x..", "level": 0, "table": "pt", "flags": ["P",
 *             "RW", ...]}, ...], "pgtable_pages": {"pt": N, "pd": N,
 *             "pdpt": N, "pml4": N, "pml5": N}}
 *   translate the fields of translate_fields: {"addr": "0x..", "levels": 4,
 *             "level": 0, "present": true, ..., "pml5": "0x0"}
 *   pageflags {"start": "0x..", "end": "0x..", "pages": N, "regions":
 *             [{"start": "0x..", "end": "0x..", "pages": N, "categories":
 *             ["present", "dirty", ...]}, ...]}
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aspacectl.h"
#include "libaspace.h"
#include "script.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE	4096ULL

#define XLATE(f, k)	{ #f, offsetof(struct translate_view, f), k }

static const struct field translate_list[] = {
	XLATE(addr, F_HEX), XLATE(levels, F_DEC), XLATE(level, F_DEC),
	XLATE(present, F_BOOL), XLATE(zero_page, F_BOOL),
	XLATE(frames, F_BOOL), XLATE(phys, F_HEX), XLATE(entry, F_HEX),
	XLATE(rw, F_BOOL), XLATE(user, F_BOOL), XLATE(accessed, F_BOOL),
	XLATE(dirty, F_BOOL), XLATE(nx, F_BOOL), XLATE(cow, F_BOOL),
	XLATE(protnone, F_BOOL), XLATE(pt, F_HEX), XLATE(pd, F_HEX),
	XLATE(pdpt, F_HEX), XLATE(pml4, F_HEX), XLATE(pml5, F_HEX),
};

const struct field_set translate_fields = {
	"translate", translate_list, ARRAY_SIZE(translate_list),
};

/**
 * translate_view() - a translation as the fields expect and JSON use
 * @t: the result of aspace_translate()
 * @v: out: the fields; @entry and the bits are those of the last entry
 *	read (the leaf's, or where the walk stopped)
 */
void translate_view(const struct aspace_translate *t, struct translate_view *v)
{
	__u64 e = t->level < 5 ? t->entries[t->level] : 0;

	memset(v, 0, sizeof(*v));
	v->addr = t->addr;
	v->levels = t->levels;
	v->level = t->level;
	v->present = !!(t->status & ASPACE_TRANSLATE_PRESENT);
	v->zero_page = !!(t->status & ASPACE_TRANSLATE_ZERO_PAGE);
	v->frames = !!(t->status & ASPACE_TRANSLATE_FRAMES);
	v->phys = t->phys;
	v->entry = e;
	v->rw = !!(e & ASPACE_PTE_RW);
	v->user = !!(e & ASPACE_PTE_USER);
	v->accessed = !!(e & ASPACE_PTE_ACCESSED);
	v->dirty = !!(e & ASPACE_PTE_DIRTY);
	v->nx = !!(e & ASPACE_PTE_NX);
	v->cow = !!(e & ASPACE_PTE_COW);
	v->protnone = !!(e & ASPACE_PTE_PROTNONE);
	v->pt = t->entries[0];
	v->pd = t->entries[1];
	v->pdpt = t->entries[2];
	v->pml4 = t->entries[3];
	v->pml5 = t->entries[4];
}

void view_print_translate(const struct aspace_translate *t, bool json,
			  FILE *out)
{
	char text[ASPACE_TRANSLATE_TEXT_MAX];
	struct translate_view v;

	if (json) {
		translate_view(t, &v);
		fields_print_json(&translate_fields, &v, out);
		return;
	}
	aspace_translate_text(t, text, sizeof(text));
	fputs(text, out);
}

/* ---- ptdump ---- */

struct dump_walk {
	FILE *out;
	bool json;
	int n;
	char **lines;		/* collect the lines instead of printing */
};

static void json_pte_flags(FILE *out, __u64 flags)
{
	int b, n = 0;

	fputc('[', out);
	for (b = 0; b < 64; b++) {
		const char *name;

		if (!(flags & (1ULL << b)) || (ASPACE_PTE_FRAME_MASK & (1ULL << b)))
			continue;
		name = aspace_pte_flag_name(1ULL << b);
		if (name)
			fprintf(out, "%s\"%s\"", n++ ? ", " : "", name);
	}
	fputc(']', out);
}

static int dump_range(const struct aspace_ptdump_entry *e, void *arg)
{
	struct dump_walk *w = arg;
	char line[ASPACE_PTDUMP_LINE_MAX], **p;

	if (w->json) {
		fprintf(w->out, "%s{\"start\": ", w->n++ ? ", " : "");
		json_addr(w->out, e->start);
		fputs(", \"end\": ", w->out);
		json_addr(w->out, e->end);
		fprintf(w->out, ", \"level\": %u, \"table\": \"%s\", \"flags\": ",
			e->level, aspace_level_name(e->level) ?: "?");
		json_pte_flags(w->out, e->flags);
		fputc('}', w->out);
		return 0;
	}
	aspace_ptdump_line(e, line, sizeof(line));
	if (!w->lines) {
		fprintf(w->out, "%s\n", line);
		w->n++;
		return 0;
	}
	p = realloc(w->lines, (w->n + 2) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	w->lines = p;
	p[w->n] = strdup(line);
	if (!p[w->n])
		return -ENOMEM;
	p[++w->n] = NULL;
	return 0;
}

static const char * const level_fields[] = {
	"pgtable_pt", "pgtable_pd", "pgtable_pdpt", "pgtable_pml4",
	"pgtable_pml5",
};

/**
 * view_print_ptdump() - the page tables of [@start, @end) as a dump
 * @fd: the descriptor
 * @start: first address
 * @end: one past the last
 * @flags: ASPACE_PTDUMP_*
 * @mask: the entry bits to show (0: all but the frame)
 * @json: a JSON object (no newline) instead of the lines
 * @out: where to print
 *
 * Text: one aspace_ptdump_line() a range, then the page-table pages
 * in the range: "pgtable_pt=N pgtable_pd=N ... pgtable_pml5=N".
 *
 * Return: the number of ranges, or a negative errno.
 */
int view_print_ptdump(int fd, __u64 start, __u64 end, __u32 flags,
		      __u64 mask, bool json, FILE *out)
{
	struct dump_walk w = { .out = out, .json = json };
	__u64 pages[5];
	int ret, l;

	if (json) {
		fputs("{\"start\": ", out);
		json_addr(out, start);
		fputs(", \"end\": ", out);
		json_addr(out, end);
		fputs(", \"ranges\": [", out);
	}
	ret = aspace_walk_ptdump(fd, start, end, flags, mask, dump_range, &w,
				 pages);
	if (json)
		fputs("], \"pgtable_pages\": {", out);
	for (l = 0; !ret && l < 5; l++) {
		if (json)
			fprintf(out, "%s\"%s\": %llu", l ? ", " : "",
				aspace_level_name(l), (unsigned long long)pages[l]);
		else
			fprintf(out, "%s%s=%llu", l ? " " : "", level_fields[l],
				(unsigned long long)pages[l]);
	}
	if (json)
		fputs("}}", out);
	else if (!ret)
		fputc('\n', out);
	return ret ? ret : w.n;
}

/**
 * view_ptdump_lines() - the lines of a dump, to compare
 * @fd: the descriptor
 * @start: first address
 * @end: one past the last
 * @flags: ASPACE_PTDUMP_*
 * @mask: the entry bits to show
 * @lines: out: the lines, NULL-terminated (free each and the array)
 * @n: out: how many
 *
 * Return: 0, or a negative errno (nothing to free then).
 */
int view_ptdump_lines(int fd, __u64 start, __u64 end, __u32 flags,
		      __u64 mask, char ***lines, int *n)
{
	struct dump_walk w = { 0 };
	int ret;

	w.lines = calloc(1, sizeof(char *));
	if (!w.lines)
		return -ENOMEM;
	ret = aspace_walk_ptdump(fd, start, end, flags, mask, dump_range, &w,
				 NULL);
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

/* ---- pageflags ---- */

struct scan_walk {
	FILE *out;
	bool json;
	int n;
	__u64 pages;
};

static void json_categories(FILE *out, __u64 cats)
{
	unsigned int b;
	int n = 0;

	fputc('[', out);
	for (b = 0; b < 64; b++) {
		const char *name = aspace_page_category_name(b);

		if (!(cats & (1ULL << b)))
			continue;
		if (name)
			fprintf(out, "%s\"%s\"", n++ ? ", " : "", name);
		else
			fprintf(out, "%s\"bit%u\"", n++ ? ", " : "", b);
	}
	fputc(']', out);
}

static int scan_region(const struct aspace_page_region *r, void *arg)
{
	struct scan_walk *w = arg;
	__u64 pages = (r->end - r->start) / PAGE_SIZE;
	char cats[ASPACE_PAGE_CATEGORIES_MAX];

	w->pages += pages;
	if (!w->out)
		return 0;
	if (w->json) {
		fprintf(w->out, "%s{\"start\": ", w->n++ ? ", " : "");
		json_addr(w->out, r->start);
		fputs(", \"end\": ", w->out);
		json_addr(w->out, r->end);
		fprintf(w->out, ", \"pages\": %llu, \"categories\": ",
			(unsigned long long)pages);
		json_categories(w->out, r->categories);
		fputc('}', w->out);
		return 0;
	}
	aspace_page_categories_str(r->categories, cats, sizeof(cats));
	fprintf(w->out, "%08llx-%08llx %6llu %s\n",
		(unsigned long long)r->start, (unsigned long long)r->end,
		(unsigned long long)pages, cats);
	w->n++;
	return 0;
}

/**
 * view_print_pages() - the regions of a page scan
 * @fd: the descriptor
 * @scan: the range and what to match, as for aspace_walk_pages()
 * @json: a JSON object (no newline) instead of lines
 * @out: where to print, or NULL to only count
 * @pages: out: the pages reported
 *
 * Text: a line a region, "START-END PAGES CATEGORIES" (hex addresses as
 * maps shows them; categories as aspace_page_categories_str()).
 *
 * Return: 0, or a negative errno.
 */
int view_print_pages(int fd, const struct aspace_pagescan *scan, bool json,
		     FILE *out, __u64 *pages)
{
	struct scan_walk w = { .out = out, .json = json };
	int ret;

	if (json && out) {
		fputs("{\"start\": ", out);
		json_addr(out, scan->start);
		fputs(", \"end\": ", out);
		json_addr(out, scan->end);
		fputs(", \"regions\": [", out);
	}
	ret = aspace_walk_pages(fd, scan, scan_region, &w);
	if (json && out)
		fprintf(out, "], \"pages\": %llu}", (unsigned long long)w.pages);
	*pages = w.pages;
	return ret;
}

/* ---- words ---- */

/**
 * parse_category() - a page category word: NAME, or !NAME for "not"
 * @s: the word ("dirty", "!accessed")
 * @want: the category is ORed in here ...
 * @not: ... or here, with a "!"
 *
 * Return: 0, or -1 if @s is no category.
 */
int parse_category(const char *s, __u64 *want, __u64 *not)
{
	bool neg = s[0] == '!';
	unsigned int b;

	for (b = 0; b < ASPACE_NR_PAGE_CATEGORIES; b++) {
		if (strcasecmp(s + neg, aspace_page_category_name(b)))
			continue;
		*(neg ? not : want) |= 1ULL << b;
		return 0;
	}
	return -1;
}

/* The message for a word that is not a category. */
void category_error(const char *s, char *err)
{
	size_t len;
	unsigned int b;

	len = snprintf(err, ERR_LEN, "bad page category '%s' (", s);
	for (b = 0; b < ASPACE_NR_PAGE_CATEGORIES && len < ERR_LEN; b++)
		len += snprintf(err + len, ERR_LEN - len, "%s%s", b ? ", " : "",
				aspace_page_category_name(b));
	if (len < ERR_LEN)
		snprintf(err + len, ERR_LEN - len, "; !NAME for not)");
}

/* Long names of entry bits, besides the short ones of libaspace. */
static const struct {
	const char *name;
	__u64 bit;
} pte_long[] = {
	{ "PRESENT", ASPACE_PTE_PRESENT }, { "USER", ASPACE_PTE_USER },
	{ "ACCESSED", ASPACE_PTE_ACCESSED }, { "DIRTY", ASPACE_PTE_DIRTY },
	{ "GLOBAL", ASPACE_PTE_GLOBAL },
};

static int pte_bit(const char *s, size_t len, __u64 *bit)
{
	size_t i;
	int b;

	for (b = 0; b < 64; b++) {
		const char *name = aspace_pte_flag_name(1ULL << b);

		if (name && strlen(name) == len && !strncasecmp(s, name, len)) {
			*bit = 1ULL << b;
			return 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(pte_long); i++) {
		if (strlen(pte_long[i].name) == len &&
		    !strncasecmp(s, pte_long[i].name, len)) {
			*bit = pte_long[i].bit;
			return 0;
		}
	}
	return -1;
}

/**
 * parse_pte_mask() - entry bits: NAME|NAME..., as aspace_pte_flag_name()
 *	names them (or PRESENT, USER, ACCESSED, DIRTY, GLOBAL), or a number
 * @s: the word ("RW|USR|NX")
 * @mask: out: the bits
 * @err: the message on failure
 *
 * Return: 0, or -1.
 */
int parse_pte_mask(const char *s, __u64 *mask, char *err)
{
	struct vars none = { 0 };
	__u64 bits = 0, bit;

	if (isdigit((unsigned char)s[0]))
		return parse_expr(s, &none, mask, err);
	for (;;) {
		size_t len = strcspn(s, "|");

		if (pte_bit(s, len, &bit)) {
			snprintf(err, ERR_LEN, "bad entry bit '%.*s' (P, RW, USR, "
				 "PWT, PCD, A, D, PSE, G, COW, PROTNONE, NX)",
				 (int)len, s);
			return -1;
		}
		bits |= bit;
		s += len;
		if (!*s)
			break;
		s++;
	}
	*mask = bits;
	return 0;
}

/**
 * view_task_size() - one past the highest address of an address space
 * @fd: the descriptor
 * @end: out: its task size
 *
 * Return: 0, or a negative errno.
 */
int view_task_size(int fd, __u64 *end)
{
	struct aspace_layout l;
	int ret;

	ret = aspace_get_layout(fd, &l);
	if (!ret)
		*end = l.task_size;
	return ret;
}
