// SPDX-License-Identifier: GPL-2.0
/*
 * The values of script operations: numbers and sums of them, protections,
 * mmap flags, madvise advice, access kinds, errno and si_code names, and
 * the bytes a write puts or an expectation compares.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include <linux/aspace.h>

#include "script.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct name_val {
	const char *name;
	__u32 val;
};

static const struct name_val prot_names[] = {
	{ "NONE", PROT_NONE }, { "READ", PROT_READ },
	{ "WRITE", PROT_WRITE }, { "EXEC", PROT_EXEC },
};

static const struct name_val map_names[] = {
	{ "SHARED", MAP_SHARED }, { "PRIVATE", MAP_PRIVATE },
	{ "FIXED", MAP_FIXED }, { "ANONYMOUS", MAP_ANONYMOUS },
	{ "ANON", MAP_ANONYMOUS }, { "POPULATE", MAP_POPULATE },
	{ "FIXED_NOREPLACE", MAP_FIXED_NOREPLACE },
	{ "SHARED_VALIDATE", MAP_SHARED_VALIDATE },
	{ "NORESERVE", MAP_NORESERVE }, { "GROWSDOWN", MAP_GROWSDOWN },
};

/* Every advice of Linux 6.1, so a script can try those aspace refuses. */
static const struct name_val advice_names[] = {
	{ "NORMAL", 0 }, { "RANDOM", 1 }, { "SEQUENTIAL", 2 },
	{ "WILLNEED", 3 }, { "DONTNEED", 4 }, { "FREE", 8 },
	{ "REMOVE", 9 }, { "DONTFORK", 10 }, { "DOFORK", 11 },
	{ "MERGEABLE", 12 }, { "UNMERGEABLE", 13 }, { "HUGEPAGE", 14 },
	{ "NOHUGEPAGE", 15 }, { "DONTDUMP", 16 }, { "DODUMP", 17 },
	{ "WIPEONFORK", 18 }, { "KEEPONFORK", 19 }, { "COLD", 20 },
	{ "PAGEOUT", 21 }, { "POPULATE_READ", 22 }, { "POPULATE_WRITE", 23 },
};

static const struct name_val kind_names[] = {
	{ "read", ASPACE_ACCESS_READ }, { "write", ASPACE_ACCESS_WRITE },
	{ "exec", ASPACE_ACCESS_EXEC },
};

static const struct name_val si_code_names[] = {
	{ "SEGV_MAPERR", SEGV_MAPERR }, { "SEGV_ACCERR", SEGV_ACCERR },
	{ "SEGV_PKUERR", SEGV_PKUERR },
};

/* A number: hex (0x) or decimal, times K, M, G or T (powers of 1024). */
static int parse_num(const char *s, size_t len, __u64 *out)
{
	unsigned long long v;
	char buf[32], *end;
	unsigned int shift = 0;
	int base;

	if (!len || len >= sizeof(buf) || !isdigit((unsigned char)s[0]))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	base = buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X') ? 16 : 10;
	errno = 0;
	v = strtoull(buf, &end, base);
	if (errno || end == buf)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (shift && end[1])
		return -1;
	if (shift && v > (~0ULL >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static bool is_ident(const char *s, size_t len)
{
	size_t i;

	if (!len || isdigit((unsigned char)s[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static int parse_term(const char *s, size_t len, struct vars *vars,
		      __u64 *out, char *err)
{
	struct var *v;
	char name[64];

	if (s[0] != '$') {
		if (parse_num(s, len, out)) {
			snprintf(err, ERR_LEN, "bad number '%.*s'", (int)len, s);
			return -1;
		}
		return 0;
	}
	if (!is_ident(s + 1, len - 1) || len > sizeof(name)) {
		snprintf(err, ERR_LEN, "bad variable '%.*s'", (int)len, s);
		return -1;
	}
	memcpy(name, s + 1, len - 1);
	name[len - 1] = '\0';
	v = vars_find(vars, name);
	if (!v) {
		snprintf(err, ERR_LEN, "no variable $%s (set it with '%s = OP ...' first)",
			 name, name);
		return -1;
	}
	if (!v->set && !vars->dry) {
		snprintf(err, ERR_LEN, "$%s has no value: the operation that sets it failed",
			 name);
		return -1;
	}
	*out = v->set ? v->value : 0;
	return 0;
}

/**
 * parse_expr() - a number, or a sum of numbers and variables
 * @s: e.g. "0x7ffff7ff0000", "64K", "$buf+4K-1"
 * @vars: the variables
 * @out: the value (modulo 2^64)
 * @err: the message on failure
 *
 * Return: 0, or -1.
 */
int parse_expr(const char *s, struct vars *vars, __u64 *out, char *err)
{
	const char *start = s;
	__u64 sum = 0, v;
	int sign = 1;

	if (!*s) {
		snprintf(err, ERR_LEN, "missing number");
		return -1;
	}
	for (;;) {
		size_t len = strcspn(s, "+-");

		if (!len) {
			snprintf(err, ERR_LEN, "bad number '%s' (a number is missing)",
				 start);
			return -1;
		}
		if (parse_term(s, len, vars, &v, err))
			return -1;
		sum += sign > 0 ? v : -v;
		s += len;
		if (!*s)
			break;
		sign = *s == '+' ? 1 : -1;
		s++;
	}
	*out = sum;
	return 0;
}

/* One NAME (with or without PREFIX, any case) of a table, or a number. */
static int parse_name(const char *s, size_t len, const char *prefix,
		      const struct name_val *t, size_t n, __u32 *out)
{
	size_t plen = strlen(prefix);
	__u64 v;
	size_t i;

	if (!parse_num(s, len, &v) && v <= 0xffffffffULL) {
		*out = v;
		return 0;
	}
	if (len > plen && !strncasecmp(s, prefix, plen)) {
		s += plen;
		len -= plen;
	}
	for (i = 0; i < n; i++) {
		if (strlen(t[i].name) == len && !strncasecmp(s, t[i].name, len)) {
			*out = t[i].val;
			return 0;
		}
	}
	return -1;
}

/* NAME|NAME|... ORed together. */
static int parse_bits(const char *s, const char *prefix,
		      const struct name_val *t, size_t n, __u32 *out)
{
	__u32 bits = 0, v;

	for (;;) {
		size_t len = strcspn(s, "|");

		if (parse_name(s, len, prefix, t, n, &v))
			return -1;
		bits |= v;
		s += len;
		if (!*s)
			break;
		s++;
	}
	*out = bits;
	return 0;
}

/**
 * parse_prot() - a protection: "rw-" as in maps, PROT_READ|PROT_WRITE, or
 * a number
 * @s: the word
 * @out: the PROT_* bits
 * @err: the message on failure
 *
 * Return: 0, or -1.
 */
int parse_prot(const char *s, __u32 *out, char *err)
{
	if (strlen(s) == 3 && strchr("r-", s[0]) && strchr("w-", s[1]) &&
	    strchr("x-", s[2])) {
		*out = (s[0] == 'r' ? PROT_READ : 0) |
		       (s[1] == 'w' ? PROT_WRITE : 0) |
		       (s[2] == 'x' ? PROT_EXEC : 0);
		return 0;
	}
	if (!parse_bits(s, "PROT_", prot_names, ARRAY_SIZE(prot_names), out))
		return 0;
	snprintf(err, ERR_LEN, "bad protection '%s' "
		 "(rwx, r--, PROT_READ|PROT_WRITE, PROT_NONE ...)", s);
	return -1;
}

int parse_map_flags(const char *s, __u32 *out, char *err)
{
	if (!parse_bits(s, "MAP_", map_names, ARRAY_SIZE(map_names), out))
		return 0;
	snprintf(err, ERR_LEN, "bad mmap flags '%s' (MAP_PRIVATE|MAP_FIXED, shared|populate ...)",
		 s);
	return -1;
}

int parse_advice(const char *s, __u32 *out, char *err)
{
	if (!parse_name(s, strlen(s), "MADV_", advice_names,
			ARRAY_SIZE(advice_names), out))
		return 0;
	snprintf(err, ERR_LEN, "bad advice '%s' (MADV_DONTNEED, populate_write ...)",
		 s);
	return -1;
}

int parse_access_kind(const char *s, __u32 *out, char *err)
{
	if (!parse_name(s, strlen(s), "", kind_names, ARRAY_SIZE(kind_names),
			out))
		return 0;
	snprintf(err, ERR_LEN, "bad access kind '%s' (read, write or exec)", s);
	return -1;
}

const char *access_kind_name(__u32 kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (kind_names[i].val == kind)
			return kind_names[i].name;
	return "?";
}

/**
 * parse_layout_flag() - a word of the layout operation
 * @s: la57 or 5level, 4level, legacy, topdown, stack, nostack
 * @set: ASPACE_LAYOUT_* bits the word sets are ORed in
 * @clear: bits it clears are ORed in
 *
 * Return: 0, or -1 for another word.
 */
int parse_layout_flag(const char *s, __u32 *set, __u32 *clear)
{
	static const struct {
		const char *name;
		__u32 bit;
		bool on;
	} words[] = {
		{ "la57", ASPACE_LAYOUT_LA57, true },
		{ "5level", ASPACE_LAYOUT_LA57, true },
		{ "4level", ASPACE_LAYOUT_LA57, false },
		{ "legacy", ASPACE_LAYOUT_LEGACY, true },
		{ "topdown", ASPACE_LAYOUT_LEGACY, false },
		{ "stack", ASPACE_LAYOUT_STACK, true },
		{ "nostack", ASPACE_LAYOUT_STACK, false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (strcasecmp(s, words[i].name))
			continue;
		*(words[i].on ? set : clear) |= words[i].bit;
		return 0;
	}
	return -1;
}

/* Highest errno glibc has a name for, and then some. */
#define MAX_ERRNO	200

int parse_errno(const char *s, int *out)
{
	int e;

	if (s[0] != 'E')
		return -1;
	for (e = 1; e < MAX_ERRNO; e++) {
		const char *name = strerrorname_np(e);

		if (name && !strcmp(name, s)) {
			*out = e;
			return 0;
		}
	}
	return -1;
}

const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

int parse_si_code(const char *s, int *out)
{
	__u32 v;

	if (parse_name(s, strlen(s), "", si_code_names,
		       ARRAY_SIZE(si_code_names), &v))
		return -1;
	*out = v;
	return 0;
}

const char *si_code_name(int code)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(si_code_names); i++)
		if ((int)si_code_names[i].val == code)
			return si_code_names[i].name;
	return "SEGV_?";
}

static int data_grow(struct data *d, size_t more, char *err)
{
	unsigned char *p;

	if (more > (1ULL << 32)) {
		snprintf(err, ERR_LEN, "too many bytes (%zu)", more);
		return -1;
	}
	p = realloc(d->p, d->len + more + 1);
	if (!p) {
		snprintf(err, ERR_LEN, "out of memory for %zu bytes", more);
		return -1;
	}
	d->p = p;
	return 0;
}

static int hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "text" with C escapes: a backslash before n, t, r, 0, a backslash, a quote, xHH. */
static int data_string(const char *s, struct data *d, char *err)
{
	size_t n = strlen(s);

	if (n < 2 || s[n - 1] != '"') {
		snprintf(err, ERR_LEN, "unterminated string %s", s);
		return -1;
	}
	if (data_grow(d, n, err))
		return -1;
	for (s++, n -= 2; n; s++, n--) {
		int c = *s;

		if (c == '\\') {
			if (n < 2)
				goto bad;
			s++;
			n--;
			switch (*s) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case '0':
				c = '\0';
				break;
			case '\\':
			case '"':
				c = *s;
				break;
			case 'x':
				if (n < 3 || hexval(s[1]) < 0 || hexval(s[2]) < 0)
					goto bad;
				c = hexval(s[1]) << 4 | hexval(s[2]);
				s += 2;
				n -= 2;
				break;
			default:
				goto bad;
			}
		}
		d->p[d->len++] = c;
	}
	return 0;
bad:
	snprintf(err, ERR_LEN, "bad escape in string (a backslash takes n, t, r, 0, \\, \", xHH)");
	return -1;
}

/* fill=N*BYTE: N bytes of value BYTE. */
static int data_fill(const char *s, struct vars *vars, struct data *d,
		     char *err)
{
	const char *star = strrchr(s, '*');
	__u64 n, byte;
	char count[128];

	if (!star || (size_t)(star - s) >= sizeof(count)) {
		snprintf(err, ERR_LEN, "bad fill '%s' (fill=COUNT*BYTE, e.g. fill=4K*0xaa)",
			 s);
		return -1;
	}
	memcpy(count, s, star - s);
	count[star - s] = '\0';
	if (parse_expr(count, vars, &n, err) ||
	    parse_expr(star + 1, vars, &byte, err))
		return -1;
	if (byte > 0xff) {
		snprintf(err, ERR_LEN, "fill byte %#llx is not a byte",
			 (unsigned long long)byte);
		return -1;
	}
	if (data_grow(d, n, err))
		return -1;
	memset(d->p + d->len, (int)byte, n);
	d->len += n;
	return 0;
}

/* de ad be ef, deadbeef or 0xdeadbeef: two hex digits a byte. */
static int data_hex(const char *s, struct data *d, char *err)
{
	size_t n;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (!n || n % 2 || strspn(s, "0123456789abcdefABCDEF") != n) {
		snprintf(err, ERR_LEN, "bad bytes '%s' "
			 "(hex digits, two a byte; \"text\"; fill=N*BYTE)", s);
		return -1;
	}
	if (data_grow(d, n / 2, err))
		return -1;
	for (; *s; s += 2)
		d->p[d->len++] = hexval(s[0]) << 4 | hexval(s[1]);
	return 0;
}

/**
 * parse_data() - the bytes given by words of a script line
 * @argc: number of words
 * @argv: the words: "text" (C escapes), hex bytes (de ad, dead, 0xdead),
 *	fill=COUNT*BYTE; concatenated
 * @vars: for the numbers of fill=
 * @d: out: the bytes (free d->p)
 * @err: the message on failure
 *
 * Return: 0, or -1.
 */
int parse_data(int argc, char **argv, struct vars *vars, struct data *d,
	       char *err)
{
	int i, ret;

	d->p = NULL;
	d->len = 0;
	for (i = 0; i < argc; i++) {
		if (argv[i][0] == '"')
			ret = data_string(argv[i], d, err);
		else if (!strncmp(argv[i], "fill=", 5))
			ret = data_fill(argv[i] + 5, vars, d, err);
		else
			ret = data_hex(argv[i], d, err);
		if (ret) {
			free(d->p);
			d->p = NULL;
			return -1;
		}
	}
	return 0;
}
