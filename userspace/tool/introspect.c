// SPDX-License-Identifier: GPL-2.0
/*
 * The commands ptdump, translate and pageflags: their options and
 * operands, then the work (view.c).
 *
 *   ptdump [-j] [--fd N] [--holes] [--mask BITS] [RANGE]
 *   translate [-j] [--fd N] ADDR
 *   pageflags [-j] [--fd N] [RANGE] [CATEGORY|!CATEGORY...]
 *
 * RANGE is START-END in hex, as maps and ptdump print it (0x optional),
 * or ADDR LEN as in scripts (0x1000, 4096, 64K); without it, the whole
 * address space.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "aspacectl.h"
#include "libaspace.h"
#include "script.h"

enum { OPT_FD = 256, OPT_HOLES, OPT_MASK };

struct view_opts {
	int fd;
	bool holes;
	__u64 mask;
};

static int usage(const char *cmd)
{
	fprintf(stderr, "aspacectl %s: see aspacectl %s --help\n", cmd, cmd);
	return EXIT_USAGE;
}

/*
 * -j, --fd N, and for ptdump --holes and --mask BITS.  Return: the index
 * of the first operand, or -EXIT_USAGE.
 */
static int options(int argc, char **argv, struct view_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "fd", required_argument, NULL, OPT_FD },
		{ "holes", no_argument, NULL, OPT_HOLES },
		{ "mask", required_argument, NULL, OPT_MASK },
		{ NULL, 0, NULL, 0 },
	};
	bool dump = !strcmp(argv[0], "ptdump");
	char err[ERR_LEN];
	int opt, ret;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	while ((opt = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			aspacectl_json = true;
			break;
		case OPT_FD:
			ret = aspacectl_fd_arg(argv[0], optarg, &o->fd);
			if (ret)
				return ret;
			break;
		case OPT_HOLES:
			if (!dump)
				return -usage(argv[0]);
			o->holes = true;
			break;
		case OPT_MASK:
			if (!dump)
				return -usage(argv[0]);
			if (parse_pte_mask(optarg, &o->mask, err)) {
				fprintf(stderr, "aspacectl %s: %s\n", argv[0], err);
				return -EXIT_USAGE;
			}
			break;
		default:
			return -usage(argv[0]);
		}
	}
	return optind;
}

/* START-END, both hex (0x optional): the form maps lines start with. */
static bool hex_range(const char *s, __u64 *start, __u64 *end)
{
	char *p;

	if (!isxdigit((unsigned char)s[0]))
		return false;
	*start = strtoull(s, &p, 16);
	if (*p != '-' || !isxdigit((unsigned char)p[1]))
		return false;
	*end = strtoull(p + 1, &p, 16);
	return !*p;
}

/*
 * RANGE at @argv: the words it took (0: none given, the whole address
 * space), or -1 after a message.
 */
static int range(const char *cmd, int fd, int argc, char **argv,
		 __u64 *start, __u64 *end)
{
	struct vars none = { 0 };
	char err[ERR_LEN];
	__u64 len;
	int ret;

	if (argc && hex_range(argv[0], start, end))
		return 1;
	if (argc && isdigit((unsigned char)argv[0][0])) {
		if (argc < 2) {
			fprintf(stderr, "aspacectl %s: RANGE is START-END or ADDR LEN\n",
				cmd);
			return -1;
		}
		if (parse_expr(argv[0], &none, start, err) ||
		    parse_expr(argv[1], &none, &len, err)) {
			fprintf(stderr, "aspacectl %s: %s\n", cmd, err);
			return -1;
		}
		*end = *start + len;
		return 2;
	}
	*start = 0;
	ret = view_task_size(fd, end);
	if (ret) {
		fprintf(stderr, "aspacectl %s: layout: %s\n", cmd, strerror(-ret));
		return -1;
	}
	return 0;
}

/* The descriptor and the range; -exit status on failure. */
static int setup(int argc, char **argv, struct view_opts *o, int *first,
		 __u64 *start, __u64 *end)
{
	int ret;

	*first = options(argc, argv, o);
	if (*first < 0)
		return *first;
	ret = aspacectl_view_fd(argv[0], &o->fd);
	if (ret)
		return ret;
	ret = range(argv[0], o->fd, argc - *first, argv + *first, start, end);
	if (ret < 0) {
		aspace_close(o->fd);
		return -EXIT_USAGE;
	}
	*first += ret;
	return 0;
}

int aspacectl_ptdump(int argc, char **argv)
{
	struct view_opts o;
	__u64 start, end;
	int first, ret;

	ret = setup(argc, argv, &o, &first, &start, &end);
	if (ret)
		return -ret;
	if (first != argc) {
		aspace_close(o.fd);
		return usage(argv[0]);
	}
	ret = view_print_ptdump(o.fd, start, end,
				o.holes ? ASPACE_PTDUMP_HOLES : 0, o.mask,
				aspacectl_json, stdout);
	if (aspacectl_json)
		printf("\n");
	aspace_close(o.fd);
	if (ret < 0) {
		fprintf(stderr, "aspacectl ptdump: %s\n", strerror(-ret));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

int aspacectl_translate(int argc, char **argv)
{
	struct vars none = { 0 };
	struct aspace_translate t;
	struct view_opts o;
	char err[ERR_LEN];
	int first, ret;
	__u64 addr;

	first = options(argc, argv, &o);
	if (first < 0)
		return -first;
	if (first != argc - 1)
		return usage(argv[0]);
	if (parse_expr(argv[first], &none, &addr, err)) {
		fprintf(stderr, "aspacectl translate: %s\n", err);
		return EXIT_USAGE;
	}
	ret = aspacectl_view_fd(argv[0], &o.fd);
	if (ret)
		return -ret;
	ret = aspace_translate(o.fd, addr, &t);
	aspace_close(o.fd);
	if (ret) {
		fprintf(stderr, "aspacectl translate: %s\n", strerror(-ret));
		return EXIT_FAILED;
	}
	view_print_translate(&t, aspacectl_json, stdout);
	if (aspacectl_json)
		printf("\n");
	return EXIT_OK;
}

int aspacectl_pageflags(int argc, char **argv)
{
	struct aspace_pagescan scan = { 0 };
	struct view_opts o;
	char err[ERR_LEN];
	__u64 pages;
	int i, first, ret;

	ret = setup(argc, argv, &o, &first, &scan.start, &scan.end);
	if (ret)
		return -ret;
	for (i = first; i < argc; i++) {
		if (parse_category(argv[i], &scan.category_mask,
				   &scan.category_inverted)) {
			category_error(argv[i], err);
			fprintf(stderr, "aspacectl pageflags: %s\n", err);
			aspace_close(o.fd);
			return EXIT_USAGE;
		}
	}
	scan.category_mask |= scan.category_inverted;
	scan.return_mask = ASPACE_PAGE_CATEGORIES;
	ret = view_print_pages(o.fd, &scan, aspacectl_json, stdout, &pages);
	if (aspacectl_json)
		printf("\n");
	aspace_close(o.fd);
	if (ret) {
		fprintf(stderr, "aspacectl pageflags: %s\n", strerror(-ret));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}
