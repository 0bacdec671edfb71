// SPDX-License-Identifier: GPL-2.0
/*
 * Reading an experiment script: one operation a line, split into words.
 *
 *   # a comment, to the end of the line (not inside "...")
 *   [SPACE:] [VAR =] OP [WORD...]
 *   expect maps              the maps lines that follow, up to "end"
 *   expect ptdump ...        (the same: the lines of a page-table dump)
 *   ...
 *   end
 *
 * A word is a run of non-blank characters, or a "..." string with C
 * escapes (kept with its quotes, so the operation knows it is text).
 * What the words mean is the business of the operation (run.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		perror("aspacectl");
		exit(1);
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p) {
		perror("aspacectl");
		exit(1);
	}
	return p;
}

/* Cut the comment off and the blanks around; NULL for a bad string. */
static char *strip(char *line)
{
	bool quoted = false;
	char *p, *end;

	for (p = line; *p; p++) {
		if (quoted && *p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted)
			break;
	}
	if (quoted)
		return NULL;
	*p = '\0';
	while (isspace((unsigned char)*line))
		line++;
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return line;
}

/* Split @line (already stripped) into words; @ends: where each ends. */
static int split(const char *line, char ***words, size_t **ends)
{
	size_t *e = NULL;
	const char *p = line;
	char **w = NULL;
	int n = 0;

	for (;;) {
		const char *start;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		start = p;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			p++;
		} else {
			while (*p && !isspace((unsigned char)*p))
				p++;
		}
		w = xrealloc(w, (n + 1) * sizeof(*w));
		e = xrealloc(e, (n + 1) * sizeof(*e));
		e[n] = p - line;
		w[n++] = xstrndup(start, p - start);
	}
	*words = w;
	*ends = e;
	return n;
}

static bool is_name(const char *s, size_t len)
{
	size_t i;

	if (!len || isdigit((unsigned char)s[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static void free_words(char **w, int n)
{
	while (n--)
		free(w[n]);
	free(w);
}

static struct op *new_op(struct script *s, int line, const char *text)
{
	struct op *op;

	s->ops = xrealloc(s->ops, (s->nops + 1) * sizeof(*s->ops));
	op = &s->ops[s->nops++];
	memset(op, 0, sizeof(*op));
	op->line = line;
	op->text = xstrndup(text, strlen(text));
	return op;
}

/* SPACE: prefix, VAR = assignment, the operation and its words. */
static int parse_line(struct script *s, struct op *op, char **w,
		      const size_t *ends, int n)
{
	int i = 0;
	size_t len;

	len = strlen(w[0]);
	if (len > 1 && w[0][len - 1] == ':') {
		if (!is_name(w[0], len - 1)) {
			fprintf(stderr, "%s:%d: bad address space name '%s'\n",
				s->file, op->line, w[0]);
			return -1;
		}
		op->space = xstrndup(w[0], len - 1);
		i++;
	}
	if (i + 1 < n && !strcmp(w[i + 1], "=")) {
		if (!is_name(w[i], strlen(w[i]))) {
			fprintf(stderr, "%s:%d: bad variable name '%s'\n",
				s->file, op->line, w[i]);
			return -1;
		}
		op->var = xstrndup(w[i], strlen(w[i]));
		i += 2;
	}
	if (i >= n) {
		fprintf(stderr, "%s:%d: no operation\n", s->file, op->line);
		return -1;
	}
	op->name = xstrndup(w[i], strlen(w[i]));
	op->rest = op->text + ends[i];
	while (isspace((unsigned char)*op->rest))
		op->rest++;
	op->argc = n - i - 1;
	op->argv = xrealloc(NULL, (op->argc + 1) * sizeof(char *));
	for (n = 0; n < op->argc; n++)
		op->argv[n] = xstrndup(w[i + 1 + n], strlen(w[i + 1 + n]));
	op->argv[op->argc] = NULL;
	return 0;
}

/* expect maps and expect ptdump ...: lines follow, up to "end". */
static bool has_block(const struct op *op)
{
	if (strcmp(op->name, "expect") || !op->argc)
		return false;
	return (op->argc == 1 && !strcmp(op->argv[0], "maps")) ||
	       !strcmp(op->argv[0], "ptdump");
}

/**
 * script_read() - read a whole script
 * @in: the file
 * @file: its name, for messages
 * @s: out: its operations (script_free() them)
 *
 * Return: 0, or -1 after a message "FILE:LINE: ..." (a string left
 * open, a bad name, an "expect maps" without "end").
 */
int script_read(FILE *in, const char *file, struct script *s)
{
	struct op *block = NULL;
	size_t cap = 0;
	char *buf = NULL;
	int lineno = 0, ret = -1;

	memset(s, 0, sizeof(*s));
	s->file = file;
	while (getline(&buf, &cap, in) >= 0) {
		char *line, **w;
		size_t *ends;
		int n;

		lineno++;
		line = strip(buf);
		if (!line) {
			fprintf(stderr, "%s:%d: string not closed\n", file, lineno);
			goto out;
		}
		if (block) {
			if (!strcmp(line, "end")) {
				block = NULL;
			} else if (*line) {
				block->block = xrealloc(block->block,
							(block->nblock + 1) * sizeof(char *));
				block->block[block->nblock++] =
					xstrndup(line, strlen(line));
			}
			continue;
		}
		if (!*line)
			continue;
		n = split(line, &w, &ends);
		ret = parse_line(s, new_op(s, lineno, line), w, ends, n);
		free_words(w, n);
		free(ends);
		if (ret)
			goto out;
		ret = -1;
		if (has_block(&s->ops[s->nops - 1]))
			block = &s->ops[s->nops - 1];
	}
	if (ferror(in)) {
		perror(file);
		goto out;
	}
	if (block) {
		fprintf(stderr, "%s:%d: 'expect %s' has no 'end'\n", file,
			block->line, block->argv[0]);
		goto out;
	}
	ret = 0;
out:
	free(buf);
	if (ret)
		script_free(s);
	return ret;
}

void script_free(struct script *s)
{
	int i;

	for (i = 0; i < s->nops; i++) {
		struct op *op = &s->ops[i];

		free(op->text);
		free(op->space);
		free(op->var);
		free(op->name);
		free_words(op->argv, op->argc);
		free_words(op->block, op->nblock);
	}
	free(s->ops);
	s->ops = NULL;
	s->nops = 0;
}

struct var *vars_find(struct vars *vars, const char *name)
{
	int i;

	for (i = 0; i < vars->n; i++)
		if (!strcmp(vars->v[i].name, name))
			return &vars->v[i];
	return NULL;
}

/* Set (or in the dry run only declare) a variable. */
int vars_assign(struct vars *vars, const char *name, __u64 value, bool set)
{
	struct var *v = vars_find(vars, name);

	if (!v) {
		vars->v = xrealloc(vars->v, (vars->n + 1) * sizeof(*vars->v));
		v = &vars->v[vars->n++];
		v->name = xstrndup(name, strlen(name));
	}
	v->value = value;
	v->set = set;
	return 0;
}

void vars_free(struct vars *vars)
{
	int i;

	for (i = 0; i < vars->n; i++)
		free(vars->v[i].name);
	free(vars->v);
	vars->v = NULL;
	vars->n = 0;
}
