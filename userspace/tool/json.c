// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON aspacectl prints with -j: strings, addresses (as "0x..."
 * strings, exact where a reader keeps numbers as doubles) and bytes (as
 * a string of hex digits).
 */
#include <stdio.h>

#include "aspacectl.h"

void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void json_addr(FILE *out, __u64 addr)
{
	fprintf(out, "\"0x%llx\"", (unsigned long long)addr);
}

void json_bytes(FILE *out, const unsigned char *p, size_t len)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++)
		fprintf(out, "%02x", p[i]);
	fputc('"', out);
}
