// SPDX-License-Identifier: GPL-2.0
/*
 * aspacectl: look at and drive /dev/aspace from the command line.
 *
 *   aspacectl [-d DEVICE] [-j] COMMAND [ARGS...]
 *
 * Each command is one entry of the table below: a name, a usage line, a
 * one-line summary, the text of COMMAND --help and a handler that gets
 * the command's name and arguments as argv and returns the exit status:
 * 0 done (every expectation met), 1 an operation or expectation failed,
 * 2 usage (a bad command line, or a script that does not parse).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aspacectl.h"
#include "libaspace.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *dev_path = ASPACE_DEV_PATH;
bool aspacectl_json;

struct command {
	const char *name;
	const char *args;
	const char *summary;
	const char *help;
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

static const char run_help[] =
"Run an experiment script: one operation a line, on one or more address\n"
"spaces; expect lines make it a test.  FILE - reads standard input.\n"
"\n"
"  -q, --quiet       no transcript: only what maps, stats, read, layout,\n"
"                    limits, translate, ptdump, pageflags and echo print\n"
"  -j, --json        print that as JSON lines, and no transcript\n"
"  -k, --keep-going  go on after a failed expectation\n"
"\n"
"Script lines ([SPACE:] prefix: that address space; VAR =: keep the result):\n"
"  mmap ADDR LEN PROT FLAGS    => the address\n"
"  munmap ADDR LEN | mprotect ADDR LEN PROT | madvise ADDR LEN ADVICE\n"
"  brk [ADDR]                  => the break\n"
"  write ADDR BYTES...         => bytes written (as /proc/PID/mem)\n"
"  read ADDR LEN               hex dump => bytes read\n"
"  access read|write|exec ADDR LEN [BYTES...]   => bytes done, or a SIGSEGV\n"
"  open NAME | clone [FROM] NAME [eager] | use NAME | close [NAME]\n"
"  layout [la57|4level] [legacy|topdown] [stack|nostack] [NAME=VALUE...]\n"
"  limits [NAME=VALUE...]      (no words: print it)\n"
"  maps | stats | echo TEXT\n"
"  translate ADDR              the walk => the last entry read\n"
"  ptdump [ADDR LEN] [holes] [mask=BITS]   => the number of ranges\n"
"  pageflags [ADDR LEN] [CATEGORY|!CATEGORY...]   => the pages shown\n"
"  clear_refs [ADDR LEN] [accessed] [dirty]   (no word: both)\n"
"  expect ok | VALUE | ERRNO   the previous operation's result\n"
"  expect SIGSEGV [SEGV_MAPERR|SEGV_ACCERR] [at ADDR] [done=N]\n"
"  expect maps                 then maps lines (* matches a field), then end\n"
"  expect read ADDR BYTES...   the memory\n"
"  expect stats|layout|limits NAME=VALUE...\n"
"  expect translate [ADDR] NAME=VALUE...   (no ADDR: the last translate's)\n"
"  expect pageflags ADDR LEN [pages=N] CATEGORY|!CATEGORY...   every page\n"
"                              has them (pages=N: exactly N pages do)\n"
"  expect ptdump [ADDR LEN] [holes] [mask=BITS]   then lines, then end\n"
"\n"
"Numbers: 0x1000, 4096, 4K, 2M, 1G, $VAR, sums: $buf+4K-1.  PROT: rw-, r-x,\n"
"---, PROT_READ|PROT_WRITE.  FLAGS: MAP_PRIVATE|MAP_FIXED (or private|fixed).\n"
"ADVICE: MADV_DONTNEED (or dontneed).  BYTES: \"text\" (C escapes), hex\n"
"bytes (de ad be ef), fill=COUNT*BYTE.  # starts a comment.  The script\n"
"starts with one empty address space, a.  An operation that fails or\n"
"faults must be followed by an expect line saying so.  Errors name\n"
"FILE:LINE.  Exit status: 0 all met, 1 a failure, 2 the script is wrong.\n";

static const struct command commands[] = {
	{ "info", "[-j]", "print the API version and features of the module",
	  "  -j, --json  print JSON\n", aspacectl_info },
	{ "maps", "[-j] [--fd N]",
	  "print the VMAs as /proc/PID/maps lines",
	  "  -j, --json  a JSON array, one object a VMA\n"
	  "  --fd N      the address space of descriptor N, inherited from the\n"
	  "              caller (e.g. a clone made with ASPACE_CLONE_NOCLOEXEC);\n"
	  "              without it, a new and empty address space\n",
	  aspacectl_maps },
	{ "stats", "[-j] [--fd N]", "print the counters of ASPACE_IOC_STATS",
	  "  -j, --json  a JSON object\n"
	  "  --fd N      as for maps\n", aspacectl_stats },
	{ "ptdump", "[-j] [--fd N] [--holes] [--mask BITS] [RANGE]",
	  "print the page tables as ranges of equal entries",
	  "One line a range of adjacent entries of one level with the same\n"
	  "flags (as the kernel's ptdump): START-END, its size, the table its\n"
	  "entries are in (pt, pd, pdpt, pml4, pml5) and their flags (P RW USR\n"
	  "PWT PCD A D PSE G COW PROTNONE NX); then the page-table pages in the\n"
	  "range per level.\n"
	  "  -j, --json    a JSON object\n"
	  "  --fd N        as for maps\n"
	  "  --holes       show empty entries too (flags none)\n"
	  "  --mask BITS   only these entry bits count and show, e.g. RW|USR|NX\n"
	  "  RANGE         START-END in hex as maps prints it, or ADDR LEN\n"
	  "                (0x10000000 64K); default: the whole address space\n",
	  aspacectl_ptdump },
	{ "translate", "[-j] [--fd N] ADDR",
	  "walk one address through the page tables",
	  "The entry read at each level from the root down, the level of the\n"
	  "leaf (or where the walk stopped), and the physical address: frames\n"
	  "are shown only to CAP_SYS_ADMIN, as in /proc/PID/pagemap.\n"
	  "  -j, --json    a JSON object: addr, levels, level, present,\n"
	  "                zero_page, frames, phys, entry (the last entry read)\n"
	  "                and its bits rw, user, accessed, dirty, nx, cow,\n"
	  "                protnone, and the entries pt, pd, pdpt, pml4, pml5\n"
	  "  --fd N        as for maps\n",
	  aspacectl_translate },
	{ "pageflags", "[-j] [--fd N] [RANGE] [CATEGORY|!CATEGORY...]",
	  "print the pages of a range by category (PAGESCAN)",
	  "One line a region of adjacent pages with the same categories:\n"
	  "START-END, the number of pages, the categories: present, zero,\n"
	  "dirty and accessed (since the last clear_refs), cow_shared,\n"
	  "exclusive, shm, writable; - for a page never touched.  Only pages\n"
	  "a VMA covers are pages.  With CATEGORY words only the pages that\n"
	  "have all of them (and, for !CATEGORY, not that one) are shown.\n"
	  "  -j, --json    a JSON object\n"
	  "  --fd N        as for maps\n"
	  "  RANGE         as for ptdump\n",
	  aspacectl_pageflags },
	{ "run", "[-q] [-j] [-k] FILE|-...",
	  "run experiment scripts (see run --help)", run_help,
	  aspacectl_run },
	{ "demo", "[-q] [-j] [--script]",
	  "the tour: run the example script tour.asp",
	  "  --script    print the path of the script instead of running it\n"
	  "  -q, -j      as for run\n"
	  "tour.asp is looked for in $ASPACECTL_EXAMPLES, next to aspacectl,\n"
	  "and in ../examples, ../userspace/examples and\n"
	  "../share/aspace/examples from it.\n",
	  aspacectl_demo },
	{ "help", "[COMMAND]", "print this help, or a command's", "",
	  cmd_help },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: aspacectl [-d DEVICE] [-j] COMMAND [ARGS...]\n\n");
	fprintf(out, "  -d, --device DEVICE  the device node (default %s)\n",
		ASPACE_DEV_PATH);
	fprintf(out, "  -j, --json           JSON output (maps, stats, ptdump, translate,\n"
		"                       pageflags, run)\n");
	fprintf(out, "  -V, --version        print the version\n");
	fprintf(out, "  -h, --help           this help; COMMAND --help for a command's\n\n");
	fprintf(out, "commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		char head[96];

		snprintf(head, sizeof(head), "%s%s%s", commands[i].name,
			 commands[i].args[0] ? " " : "", commands[i].args);
		if (strlen(head) > 28)
			fprintf(out, "  %s\n  %-28s %s\n", head, "",
				commands[i].summary);
		else
			fprintf(out, "  %-28s %s\n", head, commands[i].summary);
	}
	fprintf(out, "\nexit status: 0 done, 1 an operation or expectation failed, 2 usage\n");
}

static void print_command_help(const struct command *c)
{
	printf("usage: aspacectl %s %s\n%s.\n\n%s", c->name, c->args,
	       c->summary, c->help);
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		print_usage(stdout);
		return EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "aspacectl: unknown command '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	print_command_help(c);
	return EXIT_OK;
}

/* -h or --help among a command's options (before a "--"). */
static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *c;
	int opt;

	while ((opt = getopt_long(argc, argv, "+d:jhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dev_path = optarg;
			break;
		case 'j':
			aspacectl_json = true;
			break;
		case 'h':
			print_usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("aspacectl %s (aspace API %d)\n",
			       ASPACECTL_VERSION, ASPACE_API_VERSION);
			return EXIT_OK;
		default:
			print_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	c = find_command(argv[optind]);
	if (!c) {
		fprintf(stderr, "aspacectl: unknown command '%s'\n", argv[optind]);
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (wants_help(argc - optind, argv + optind)) {
		print_command_help(c);
		return EXIT_OK;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* getopt starts afresh on the command's arguments */
	return c->run(argc, argv);
}
