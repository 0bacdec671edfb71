// SPDX-License-Identifier: GPL-2.0
/*
 * aspacectl: look at and drive /dev/aspace from the command line.
 *
 *   aspacectl [-d DEVICE] COMMAND [ARGS...]
 *
 * Each command is one entry of the table below: a name, a usage line, a
 * one-line summary and a handler that gets the arguments after the name
 * and returns the exit status.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aspacectl.h"
#include "libaspace.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *dev_path = ASPACE_DEV_PATH;

struct command {
	const char *name;
	const char *args;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static int cmd_help(int argc, char **argv);

/**
 * aspacectl_open_dev() - open the device node given with -d
 *
 * Return: the descriptor, or a negative errno (already reported).
 */
int aspacectl_open_dev(void)
{
	int fd;

	fd = aspace_open_path(dev_path, 0);
	if (fd < 0)
		fprintf(stderr, "aspacectl: %s: %s\n", dev_path, strerror(-fd));
	return fd;
}

static int cmd_info(int argc, char **argv)
{
	__u64 features;
	__u32 version;
	unsigned int bit;
	int fd, ret;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "usage: aspacectl info\n");
		return 2;
	}
	fd = aspacectl_open_dev();
	if (fd < 0)
		return 1;
	ret = aspace_handshake(fd, &version, &features);
	aspace_close(fd);
	if (ret) {
		fprintf(stderr, "aspacectl: handshake: %s\n", strerror(-ret));
		return 1;
	}

	printf("api_version %u\n", version);
	printf("features 0x%llx", (unsigned long long)features);
	for (bit = 0; bit < 64; bit++) {
		const char *name = aspace_feature_name(bit);

		if (!(features & (1ULL << bit)))
			continue;
		if (name)
			printf(" %s", name);
		else
			printf(" bit%u", bit);
	}
	printf("\n");
	return 0;
}

static const struct command commands[] = {
	{ "info", "", "print the API version and features of the module",
	  cmd_info },
	{ "demo", "", "build an address space step by step and show it",
	  aspacectl_demo },
	{ "help", "", "print this help", cmd_help },
};

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: aspacectl [-d DEVICE] COMMAND [ARGS...]\n\n");
	fprintf(out, "  -d DEVICE  the device node (default %s)\n\n",
		ASPACE_DEV_PATH);
	fprintf(out, "commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		char head[64];

		snprintf(head, sizeof(head), "%s%s%s", commands[i].name,
			 commands[i].args[0] ? " " : "", commands[i].args);
		fprintf(out, "  %-20s %s\n", head, commands[i].summary);
	}
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	print_usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int opt;

	while ((opt = getopt_long(argc, argv, "+d:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dev_path = optarg;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		return 2;
	}

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[optind], commands[i].name))
			return commands[i].run(argc - optind - 1,
					       argv + optind + 1);
	}
	fprintf(stderr, "aspacectl: unknown command '%s'\n", argv[optind]);
	print_usage(stderr);
	return 2;
}
