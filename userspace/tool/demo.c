// SPDX-License-Identifier: GPL-2.0
/*
 * aspacectl demo: the tour of aspace, which is the example script
 * tour.asp run as `aspacectl run` would.  The script is looked for in
 * $ASPACECTL_EXAMPLES, next to the aspacectl binary, in ../examples
 * from it (the QEMU guest's /aspace/examples), ../userspace/examples (the
 * build tree) and ../share/aspace/examples (an installed tree).
 */
#include <limits.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aspacectl.h"
#include "script.h"

#define TOUR	"tour.asp"

static bool try(char *path, size_t size, const char *dir, const char *sub)
{
	if (!dir)
		return false;
	snprintf(path, size, "%s/%s%s", dir, sub, TOUR);
	return !access(path, R_OK);
}

static int find_tour(char *path, size_t size)
{
	char exe[PATH_MAX], *dir;
	ssize_t n;

	if (try(path, size, getenv("ASPACECTL_EXAMPLES"), ""))
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	dir = dirname(exe);
	if (try(path, size, dir, "") || try(path, size, dir, "../examples/") ||
	    try(path, size, dir, "../userspace/examples/") ||
	    try(path, size, dir, "../share/aspace/examples/"))
		return 0;
	return -1;
}

/**
 * aspacectl_demo() - the demo command
 * @argc: number of arguments
 * @argv: the arguments, argv[0] "demo"
 *
 * Return: the exit status.
 */
int aspacectl_demo(int argc, char **argv)
{
	struct run_opts opts;
	bool script = false;
	char path[PATH_MAX];
	int first;

	first = aspacectl_run_options(argc, argv, &opts, "script", &script);
	if (first < 0)
		return -first;
	if (first != argc) {
		fprintf(stderr, "aspacectl demo: no operands; see aspacectl demo --help\n");
		return EXIT_USAGE;
	}
	if (find_tour(path, sizeof(path))) {
		fprintf(stderr, "aspacectl demo: no %s found "
			"(set ASPACECTL_EXAMPLES to its directory)\n", TOUR);
		return EXIT_FAILED;
	}
	if (script) {
		printf("%s\n", path);
		return EXIT_OK;
	}
	return aspacectl_run_file(path, &opts);
}
