// SPDX-License-Identifier: GPL-2.0
/*
 * The commands info, maps, stats and run: their options, then the work
 * (maps.c, fields.c, run.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "aspacectl.h"
#include "libaspace.h"
#include "script.h"

enum { OPT_FD = 256 };

static int usage(const char *cmd)
{
	fprintf(stderr, "aspacectl %s: see aspacectl %s --help\n", cmd, cmd);
	return EXIT_USAGE;
}

/**
 * aspacectl_fd_arg() - the N of --fd N
 * @cmd: the command, for the message
 * @arg: the word
 * @fd: out: the descriptor
 *
 * Return: 0, or -EXIT_USAGE after a message.
 */
int aspacectl_fd_arg(const char *cmd, const char *arg, int *fd)
{
	char *end;
	long n;

	n = strtol(arg, &end, 10);
	if (*end || end == arg || n < 0 || n > 1 << 20) {
		fprintf(stderr, "aspacectl %s: bad descriptor '%s'\n", cmd, arg);
		return -EXIT_USAGE;
	}
	*fd = n;
	return 0;
}

/**
 * aspacectl_view_fd() - the address space a command looks at
 * @cmd: the command, for the message
 * @fd: in: the descriptor of --fd, or -1; out: that one (checked to be
 *	an aspace descriptor), or a new address space's
 *
 * Return: 0, or -EXIT_FAILED after a message.
 */
int aspacectl_view_fd(const char *cmd, int *fd)
{
	int ret;

	if (*fd >= 0) {
		ret = aspace_handshake(*fd, NULL, NULL);
		if (ret) {
			fprintf(stderr, "aspacectl %s: descriptor %d is not /dev/aspace: %s\n",
				cmd, *fd, strerror(-ret));
			return -EXIT_FAILED;
		}
		return 0;
	}
	*fd = aspacectl_open_dev();
	return *fd < 0 ? -EXIT_FAILED : 0;
}

/* -j and --fd N: the descriptor (a new address space without --fd). */
static int view_options(int argc, char **argv, int *fd)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "fd", required_argument, NULL, OPT_FD },
		{ NULL, 0, NULL, 0 },
	};
	int opt, ret;

	*fd = -1;
	while ((opt = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			aspacectl_json = true;
			break;
		case OPT_FD:
			ret = aspacectl_fd_arg(argv[0], optarg, fd);
			if (ret)
				return ret;
			break;
		default:
			return -usage(argv[0]);
		}
	}
	if (optind != argc)
		return -usage(argv[0]);
	return aspacectl_view_fd(argv[0], fd);
}

int aspacectl_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int bit, n = 0;
	__u64 features;
	__u32 version;
	int fd, ret, opt;

	while ((opt = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		if (opt != 'j')
			return usage(argv[0]);
		aspacectl_json = true;
	}
	if (optind != argc)
		return usage(argv[0]);
	fd = aspacectl_open_dev();
	if (fd < 0)
		return EXIT_FAILED;
	ret = aspace_handshake(fd, &version, &features);
	aspace_close(fd);
	if (ret) {
		fprintf(stderr, "aspacectl: handshake: %s\n", strerror(-ret));
		return EXIT_FAILED;
	}
	if (aspacectl_json)
		printf("{\"api_version\": %u, \"features\": [", version);
	else
		printf("api_version %u\nfeatures 0x%llx", version,
		       (unsigned long long)features);
	for (bit = 0; bit < 64; bit++) {
		const char *name = aspace_feature_name(bit);
		char buf[16];

		if (!(features & (1ULL << bit)))
			continue;
		if (!name) {
			snprintf(buf, sizeof(buf), "bit%u", bit);
			name = buf;
		}
		if (aspacectl_json)
			printf("%s\"%s\"", n++ ? ", " : "", name);
		else
			printf(" %s", name);
	}
	printf(aspacectl_json ? "]}\n" : "\n");
	return EXIT_OK;
}

int aspacectl_maps(int argc, char **argv)
{
	int fd, ret;

	ret = view_options(argc, argv, &fd);
	if (ret)
		return -ret;
	if (aspacectl_json) {
		ret = aspacectl_print_maps_json(fd, stdout);
		printf("\n");
	} else {
		ret = aspacectl_print_maps(fd, stdout);
	}
	aspace_close(fd);
	if (ret) {
		fprintf(stderr, "aspacectl maps: %s\n", strerror(-ret));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

int aspacectl_stats(int argc, char **argv)
{
	struct aspace_stats st;
	int fd, ret;

	ret = view_options(argc, argv, &fd);
	if (ret)
		return -ret;
	ret = aspace_stats(fd, &st);
	aspace_close(fd);
	if (ret) {
		fprintf(stderr, "aspacectl stats: %s\n", strerror(-ret));
		return EXIT_FAILED;
	}
	if (aspacectl_json) {
		fields_print_json(&stats_fields, &st, stdout);
		printf("\n");
	} else {
		fields_print(&stats_fields, &st, stdout);
	}
	return EXIT_OK;
}

/**
 * aspacectl_run_options() - the options of run and demo
 * @argc: the command's argument count
 * @argv: the command's arguments, argv[0] its name
 * @opts: out: the options
 * @extra: a long option of the caller's (with no argument), or NULL
 * @has_extra: out: whether it was given (may be NULL without @extra)
 *
 * Return: the index of the first operand, or -EXIT_USAGE.
 */
int aspacectl_run_options(int argc, char **argv, struct run_opts *opts,
			  const char *extra, bool *has_extra)
{
	struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ extra ? extra : "-", no_argument, NULL, OPT_FD },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(opts, 0, sizeof(*opts));
	opts->json = aspacectl_json;
	while ((opt = getopt_long(argc, argv, "qjk", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			opts->quiet = true;
			break;
		case 'j':
			opts->json = true;
			break;
		case 'k':
			opts->keep_going = true;
			break;
		case OPT_FD:
			*has_extra = true;
			break;
		default:
			return -usage(argv[0]);
		}
	}
	return optind;
}

int aspacectl_run(int argc, char **argv)
{
	struct run_opts opts;
	int i, first, status, worst = EXIT_OK;

	first = aspacectl_run_options(argc, argv, &opts, NULL, NULL);
	if (first < 0)
		return -first;
	if (first == argc)
		return usage(argv[0]);
	for (i = first; i < argc; i++) {
		status = aspacectl_run_file(argv[i], &opts);
		if (status > worst)
			worst = status;
	}
	return worst;
}
