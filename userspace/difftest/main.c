// SPDX-License-Identifier: GPL-2.0
/*
 * difftest: seeded random sequences run on Linux and on /dev/aspace in
 * lockstep (see difftest.h), one TAP test per seed.  A sequence that
 * differs is shrunk and printed as an `aspacectl run` script, each of its
 * lines after "# | " (sed -n 's/^# | //p' extracts it), and run with
 * aspacectl if it is on PATH, to show that it reproduces.
 *
 *   difftest [--seeds N] [--seed S] [--ops N] [--shrink-runs N]
 *            [--shrink-all] [--no-self-test] [--sabotage 1-4] [-v]
 *
 * Without options: what make check runs, seeds 1 to DEFAULT_SEEDS, then
 * the self-test: aspace made wrong on purpose in four ways (--sabotage
 * makes it so for a whole run) must be caught and shrunk.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "difftest.h"

#define DEFAULT_SEEDS	50
#define DEFAULT_OPS	200
#define DEFAULT_SHRINK	300
#define NSELFTESTS	4
/*
 * Most seconds to shrink one sequence; only the first that differs in a
 * run is shrunk (--shrink-runs 0: none), so that a make check that finds
 * differences still ends within the guest's time.
 */
#define SHRINK_SECS	90

static struct dop ops[MAX_OPS];
static struct run run;
static struct cover main_cover;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_commented(const char *pfx, const char *text)
{
	const char *nl;

	for (; *text; text = nl + 1) {
		nl = strchr(text, '\n');
		if (!nl)
			nl = text + strlen(text);
		printf("%s%.*s\n", pfx, (int)(nl - text), text);
		if (!*nl)
			break;
	}
}

/* Write the script to a file and run aspacectl on it, if there is one. */
static void try_script(__u32 seed, unsigned int n)
{
	char path[64], line[512];
	int status, p[2];
	FILE *f;
	pid_t pid;

	snprintf(path, sizeof(path), "/tmp/difftest-%u.asp", seed);
	f = fopen(path, "w");
	if (!f)
		return;
	script_print(f, "", seed, ops, n, &run);
	fclose(f);
	fflush(stdout);
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execlp("aspacectl", "aspacectl", "run", "-k", path, (char *)NULL);
		printf("aspacectl: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(line, sizeof(line), f))
		printf("#   aspacectl: %s", line);
	if (f)
		fclose(f);
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		printf("# aspacectl run %s: exit status %d%s\n", path,
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		       WIFEXITED(status) && WEXITSTATUS(status) == 1 ?
		       " (the difference shows)" : "");
}

static void report(struct lx *lx, __u32 seed, unsigned int n,
		   unsigned int max_runs)
{
	unsigned int runs = 0;
	double t = now();

	print_commented("# ", run.mm.text);
	if (!max_runs) {
		printf("# (not shrunk: only the first sequence that differs is)\n");
		return;
	}
	n = shrink(lx, ops, n, &run, max_runs, SHRINK_SECS, &runs);
	printf("# shrunk to %u steps in %u runs, %.1f s\n", n, runs,
	       now() - t);
	if (run.mm.kind == MM_NONE) {
		printf("# the shrunk sequence no longer differs (flaky?)\n");
		return;
	}
	print_commented("# ", run.mm.text);
	printf("# reproducer (sed -n 's/^# | //p' extracts it):\n");
	script_print(stdout, "# | ", seed, ops, n, &run);
	try_script(seed, n);
}

/* What the sequences did: steps that succeeded and failed, by kind. */
static void print_cover(const struct cover *c)
{
	int t;

	printf("# steps ok/failed (or faulted):");
	for (t = 0; t < D_NTYPES; t++)
		printf(" %s %llu/%llu", dop_name(t), c->ok[t], c->failed[t]);
	printf("\n# snapshots %llu: %.1f VMA pieces, %.1f pages with data on average\n",
	       c->snaps, c->snaps ? (double)c->vmas / c->snaps : 0.0,
	       c->snaps ? (double)c->data_pages / c->snaps : 0.0);
}

/*
 * The harness's own test: aspace made wrong on purpose (--sabotage) must
 * be caught, and shrunk to a few steps.  One TAP test a kind of wrong.
 */
static unsigned int self_test(struct lx *lx, unsigned int tap,
			      unsigned int nops)
{
	static const char * const what[] = {
		"an mprotect to r-- that makes rw-",
		"a pwrite that leaves out a byte",
		"a mapping without a hint a page longer",
		"a MADV_DONTFORK that does nothing",
	};
	unsigned int i, seed, n, runs, bad = 0;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(what); i++) {
		sabotage = i + 1;
		for (seed = 1; seed <= 8; seed++) {
			n = gen_sequence(seed, nops, ops);
			ret = run_sequence(lx, ops, n, &run, false);
			if (ret)
				break;
		}
		if (ret == 1)
			n = shrink(lx, ops, n, &run, 100, SHRINK_SECS, &runs);
		sabotage = 0;
		if (ret == 1 && run.mm.kind != MM_NONE && n <= 10) {
			printf("ok %u self-test: caught %s (seed %u, shrunk to %u steps)\n",
			       tap + i, what[i], seed, n);
			continue;
		}
		printf("not ok %u self-test: %s not caught%s%s\n", tap + i,
		       what[i], ret < 0 ? ": " : "", ret < 0 ? run.why : "");
		bad++;
	}
	return bad;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: difftest [--seeds N] [--seed FIRST] [--ops N] "
		"[--shrink-runs N] [--shrink-all] [--no-self-test] [--sabotage 1-4] [-v]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seeds", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'o' },
		{ "shrink-runs", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "sabotage", required_argument, NULL, 'S' },
		{ "no-self-test", no_argument, NULL, 'T' },
		{ "shrink-all", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int nseeds = DEFAULT_SEEDS, first = 1, nops = DEFAULT_OPS;
	unsigned int max_runs = DEFAULT_SHRINK, i, n, pass = 0, fail = 0;
	unsigned long long steps = 0;
	bool verbose = false, selftest = true, shrunk = false;
	bool shrink_all = false;
	struct utsname u;
	struct lx *lx;
	double t0 = now();
	int c, ret;

	while ((c = getopt_long(argc, argv, "n:s:o:r:vhS:TA", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			nseeds = strtoul(optarg, NULL, 0);
			break;
		case 's':
			first = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			nops = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			max_runs = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		case 'S':
			sabotage = atoi(optarg);
			break;
		case 'T':
			selftest = false;
			break;
		case 'A':
			shrink_all = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	lx = lx_new();
	if (!lx) {
		perror("difftest");
		return 1;
	}
	uname(&u);
	selftest = selftest && !sabotage;
	printf("TAP version 13\n1..%u\n", nseeds + (selftest ? NSELFTESTS : 0));
	printf("# difftest against Linux %s: seeds %u..%u, %u steps each\n",
	       u.release, first, first + nseeds - 1, nops);
	for (i = 0; i < nseeds; i++) {
		__u32 seed = first + i;
		double t = now();

		n = gen_sequence(seed, nops, ops);
		cover = main_cover;
		ret = run_sequence(lx, ops, n, &run, verbose);
		main_cover = cover;
		for (c = 0; c < (int)run.n; c++)
			steps += !run.skipped[c];
		if (ret < 0) {
			printf("not ok %u seed %u # harness: %s\n", i + 1, seed,
			       run.why);
			fail++;
			continue;
		}
		if (ret) {
			report(lx, seed, n, shrunk ? 0 : max_runs);
			shrunk = !shrink_all;
			printf("not ok %u seed %u: aspace differs from Linux\n",
			       i + 1, seed);
			fail++;
			continue;
		}
		printf("ok %u seed %u (%u steps, %.1f s)\n", i + 1, seed, n,
		       now() - t);
		pass++;
	}
	if (selftest) {
		c = self_test(lx, nseeds + 1, nops < 80 ? nops : 80);
		pass += NSELFTESTS - c;
		fail += c;
	}
	printf("# difftest: %u sequences, %llu steps compared, %.0f s\n",
	       nseeds, steps, now() - t0);
	print_cover(&main_cover);
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       pass, fail);
	return fail ? 1 : 0;
}
